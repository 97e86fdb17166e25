// Opens each HTML report given on the command line in headless Chromium (Debian's, at
// /usr/bin/chromium) and fails if a request fails, the console shows an error, the page throws,
// or the report's title and sections are not there. Used by tests/run.
import { chromium } from 'playwright-core';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error('usage: node check-report.mjs <report.html>...');
  process.exit(2);
}

const context = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'cpts-chromium-')), {
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: [
    '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
  ],
});

let failures = 0;
for (const file of files) {
  const page = await context.newPage();
  const problems = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('requestfailed', (request) =>
    problems.push(`failed request: ${request.url()} (${request.failure()?.errorText})`));
  const requests = [];
  page.on('request', (request) => requests.push(request.url()));

  const url = pathToFileURL(resolve(file)).href;
  await page.goto(url, { waitUntil: 'load' });
  const title = await page.title();
  const headings = await page.locator('h2').count();
  const charts = await page.locator('svg').count();
  if (!title) problems.push('the page has no title');
  if (headings < 6) problems.push(`only ${headings} sections`);
  if (charts < 3) problems.push(`only ${charts} charts`);
  const outside = requests.filter((r) => r !== url);
  if (outside.length) problems.push(`requests besides the file itself: ${outside.join(', ')}`);
  // Printing is what the assembly does with it: the print layout must render too.
  await page.emulateMedia({ media: 'print' });
  await page.pdf({ format: 'A4' }).catch((error) => problems.push(`print failed: ${error.message}`));

  if (problems.length) {
    failures += 1;
    console.error(`${file}: ${problems.length} problem(s)\n  ${problems.join('\n  ')}`);
  } else {
    console.log(`${file}: rendered, “${title}”, ${headings} sections, ${charts} charts, no failed request, no console error`);
  }
  await page.close();
}
await context.close();
process.exit(failures ? 1 : 0);
