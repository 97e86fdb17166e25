// The harness of the browser tests: the real service (the `dashboard-server` binary of the tests
// crate, on the demo data on PostgreSQL), one Chromium, and the checks every view goes through.
// `dashboard.mjs` runs the main walk through the dashboard, then each flow of `flows/` in the
// order of their names: a flow is a module whose default export takes this harness.
import { chromium } from 'playwright-core';
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const here = dirname(fileURLToPath(import.meta.url));
export const root = resolve(here, '../..');
const shotsAt = process.argv.indexOf('--screenshots');
const shotsDir = shotsAt > 0 ? resolve(process.argv[shotsAt + 1]) : null;
if (shotsDir) mkdirSync(shotsDir, { recursive: true });
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
export const scenario = JSON.parse(readFileSync(join(root, 'ledger/src/demo/val-de-letang.json'), 'utf8'));
/** A UUID written out: a person must never see one. */
export const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

// ------------------------------------------------------------------ the service

const command = process.env.DASHBOARD_SERVER
  || 'cargo run --quiet --locked -p cpts-ledger-tests --bin dashboard-server';
export const server = spawn(command, { cwd: root, shell: true, stdio: ['pipe', 'pipe', 'inherit'] });
export const info = await new Promise((resolveInfo, reject) => {
  const lines = createInterface({ input: server.stdout });
  lines.once('line', (line) => resolveInfo(JSON.parse(line)));
  server.once('exit', (code) => reject(new Error(`the service exited (${code}) before printing its address`)));
});
console.log(`service at ${info.url}, CPTS ${info.community}`);

// One Chromium; each person's page has a context of its own (its own cookies, so its own
// session), as two people on two computers would; `newTab(page)` opens another tab beside one.
export const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
  ],
});

// ------------------------------------------------------------------ checks, pages and axe-core

export const failures = [];
let checks = 0;
export const checkCount = () => checks;
export function check(condition, what) {
  checks += 1;
  if (!condition) {
    failures.push(what);
    console.error(`FAIL ${what}`);
  } else {
    console.log(`ok   ${what}`);
  }
}

/** A new person's page, in a browser context of its own. */
export async function openPage(name) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'fr-FR' });
  return watch(await context.newPage(), name);
}

/** Another tab of the same browser as `page` (same cookies: the same session). */
export async function newTab(page, name) {
  return watch(await page.context().newPage(), name);
}

/** Fails the run on the page's console errors, page errors, failed requests and requests
 * outside the service. */
function watch(page, name) {
  page.setDefaultTimeout(15000);
  page.on('console', (m) => {
    // A page whose session was ended on purpose is answered 401 once: the browser logs it.
    if (m.type() !== 'error' || (page.sessionEnded && /status of 401/.test(m.text()))) return;
    failures.push(`${name}: console error: ${m.text()}`);
  });
  page.on('pageerror', (e) => failures.push(`${name}: page error: ${e.message}`));
  page.on('requestfailed', (r) => {
    // A download link's blob, or a WebSocket closed when the page closes, is not a failure.
    if (!r.url().startsWith('blob:')) failures.push(`${name}: failed request ${r.url()} (${r.failure()?.errorText})`);
  });
  page.on('request', (r) => {
    if (!r.url().startsWith(info.url.replace(/\/$/, '')) && !r.url().startsWith('blob:') && !r.url().startsWith('data:')) {
      failures.push(`${name}: request outside the service: ${r.url()}`);
    }
  });
  return page;
}

export async function signIn(page, secret) {
  await page.goto(info.url);
  await page.getByLabel('Jeton d’accès').fill(secret);
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await page.locator('#who').filter({ hasText: 'Connecté·e' }).waitFor();
}

/**
 * The checks of every view, once its content is rendered: axe-core finds no serious or critical
 * violation, no UUID is shown as text, and at 390 px (a phone) the page does not scroll sideways.
 */
export async function accessible(page, what) {
  await page.waitForFunction(() => document.querySelector('main')?.dataset.rendered);
  await page.evaluate(axeSource);
  const result = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length, target: v.nodes[0]?.target }));
  });
  const bad = result.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  check(bad.length === 0, `${what}: no serious or critical axe-core violation${bad.length ? ` (${JSON.stringify(bad)})` : ''}`);
  const shown = (await page.locator('body').innerText()).match(UUID);
  check(!shown, `${what}: no id shown as text${shown ? ` (${shown[0]})` : ''}`);
  const size = page.viewportSize();
  await page.setViewportSize({ width: 390, height: 844 });
  const [widest, culprit] = await page.evaluate(() => {
    // The deepest element reaching past the screen's edge, to say what to fix.
    const over = [...document.querySelectorAll('body *')].filter((e) => !e.closest('thead') && e.getBoundingClientRect().right > 391);
    const deepest = over.filter((e) => ![...e.children].some((c) => over.includes(c))).slice(0, 3);
    const name = deepest.map((e) => `${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ''}${e.className ? `.${e.className}` : ''}`).join(', ');
    return [document.documentElement.scrollWidth, name];
  });
  await page.setViewportSize(size);
  check(widest <= 390, `${what}: no horizontal scroll at 390 px (${widest} px wide${widest > 390 ? `, past the edge: ${culprit}` : ''})`);
}

export async function shot(page, name) {
  if (!shotsDir) return;
  await page.screenshot({ path: join(shotsDir, `dashboard-${name}.png`), fullPage: true });
}

export const text = (page) => page.locator('main').innerText();

/** Opens a form panel of the page (a `<details>` of `commandForm`) by its title; returns its form. */
export async function panel(page, title) {
  const summary = page.locator('summary', { hasText: title });
  if (!(await summary.evaluate((s) => s.parentElement.open))) await summary.click();
  const id = (await summary.getAttribute('id')).replace(/-title$/, '');
  return page.locator(`form#${id}`);
}

/** Drafts an answer on a decision's page to each contribution named by some of its words:
 * `[[words, disposition, rationale], …]` (an empty rationale is left out). */
export async function draftAnswers(page, answers) {
  for (const [words, disposition, rationale] of answers) {
    const draft = page.locator('form#draft-answer');
    const option = (await draft.locator('#da-contribution option').allTextContents()).find((o) => o.includes(words));
    await draft.getByLabel('Contribution').selectOption({ label: option });
    await draft.getByLabel('Suite donnée').selectOption(disposition);
    if (rationale) await draft.getByLabel('Justification').fill(rationale);
    await send(page, draft, 'Enregistrer le projet de réponse');
  }
}

/** Submits a form with its button and waits for the page to show what was recorded; returns
 * the confirmation's text. */
export async function send(page, form, button) {
  const before = await page.locator('main').getAttribute('data-rendered');
  await form.getByRole('button', { name: button }).click();
  await page.waitForFunction((b) => document.querySelector('main')?.dataset.rendered !== b
    && document.getElementById('form-confirmation'), before);
  return page.locator('#form-confirmation').innerText();
}

/** A GraphQL request with a token, outside the pages (to set up or read back, never to act
 * for a person the flow is about). Throws on an error. */
export async function must(secret, query, variables = {}) {
  const response = await fetch(`${info.url}graphql`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${secret}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = await response.json();
  if (body.errors) throw new Error(`${query}: ${JSON.stringify(body.errors)}`);
  return body.data;
}

/** Closes Chromium and the service, and exits non-zero if any check failed. */
export async function finish(what) {
  await browser.close();
  server.stdin.end();
  await new Promise((done) => server.once('exit', done));
  if (failures.length) {
    console.error(`\n${failures.length} failure(s) in ${checks} checks:\n  ${failures.join('\n  ')}`);
    process.exit(1);
  }
  console.log(`\n${what}: ${checks} checks passed`);
}
