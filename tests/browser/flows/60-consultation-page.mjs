// A consultation's page: the coordinator checks every contribution typed in, with its author,
// due date, standing and answer, exports them as CSV and has a print view; a representative
// finds their own marked « vous », and nobody's name.
import { readFileSync } from 'node:fs';

export default async function consultationPage({ info, scenario, check, openPage, signIn, accessible, shot, text }) {
  const perimeter = scenario.consultations.find((c) => c.slug === 'perimetre');
  const page = await openPage('consultation page');
  await signIn(page, info.tokens.coordinator);
  await page.getByRole('link', { name: 'Consultations', exact: true }).click();
  await page.locator('main table').getByRole('link', { name: perimeter.subject }).first().click();
  await page.getByRole('heading', { level: 1, name: perimeter.subject }).waitFor();
  const rows = page.locator('section:has(#h-entries) tbody tr');
  check(await rows.count() >= perimeter.contributions.length, `the page lists the consultation’s ${perimeter.contributions.length} contributions (${await rows.count()})`);
  const body = await text(page);
  check(body.includes('Martine Roussel') && body.includes('Habitant anonyme (Sète)'), 'the coordinator sees the authors, named or anonymous with their commune');
  check(body.includes('Répondu en retard') && body.includes('Répondu à temps'), 'each contribution says where it stands');
  check(perimeter.contributions.every((c) => body.includes(c.text.slice(0, 40))), 'every text typed in is shown');
  check(await page.locator('section:has(#h-entries) tbody a[href^="#/decision/"]').count() > 0, 'an answer links to the decision that gave it');
  await accessible(page, 'consultation page');
  await shot(page, 'consultation');

  await page.getByRole('button', { name: 'Exporter en CSV (tableur)' }).click();
  const link = page.locator('#csv-download');
  await link.waitFor();
  const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
  const csv = readFileSync(await download.path(), 'utf8').replace(/^\ufeff/, '');
  const lines = csv.trim().split(/\r?\n/);
  check(lines.length >= perimeter.contributions.length + 1, `the CSV has a header and a row per contribution (${lines.length} lines)`);
  check(/contribution/i.test(lines[0]) && !/[0-9a-f]{8}-[0-9a-f]{4}-/.test(lines[0]), `the CSV's header is in words (${lines[0]})`);
  check(csv.includes('Martine Roussel'), 'the CSV names the authors for the coordinator');

  await page.getByRole('button', { name: 'Exporter en tableur (ODS)' }).click();
  const odsLink = page.locator('#ods-download');
  await odsLink.waitFor();
  const [odsDownload] = await Promise.all([page.waitForEvent('download'), odsLink.click()]);
  const ods = readFileSync(await odsDownload.path());
  check(odsDownload.suggestedFilename().endsWith('.ods') && ods.subarray(0, 2).toString() === 'PK'
    && ods.includes('application/vnd.oasis.opendocument.spreadsheet'),
  `the spreadsheet is an OpenDocument file (${odsDownload.suggestedFilename()}, ${ods.length} bytes)`);

  await page.emulateMedia({ media: 'print' });
  const printed = await page.evaluate(() => ({
    nav: getComputedStyle(document.querySelector('nav')).display,
    buttons: [...document.querySelectorAll('main button')].every((b) => getComputedStyle(b).display === 'none'),
    table: getComputedStyle(document.querySelector('#h-entries')).display,
  }));
  check(printed.nav === 'none' && printed.buttons && printed.table !== 'none', 'the print view keeps the contributions and drops the navigation and buttons');
  await page.emulateMedia({ media: 'screen' });
  await page.close();

  const martine = await openPage('consultation page, representative');
  await signIn(martine, info.tokens.martine);
  await martine.getByRole('link', { name: 'Consultations', exact: true }).click();
  await martine.locator('main table').getByRole('link', { name: perimeter.subject }).first().click();
  await martine.getByRole('heading', { level: 1, name: perimeter.subject }).waitFor();
  const hers = perimeter.contributions.filter((c) => c.author === 'martine-roussel');
  const marked = martine.locator('section:has(#h-entries) tbody tr', { has: martine.locator('.tag.you') });
  check(await marked.count() === hers.length, `her contributions are marked « vous » (${await marked.count()} of ${hers.length})`);
  const seen = await martine.locator('section:has(#h-entries)').innerText();
  const named = info.memberNames.filter((name) => seen.includes(name));
  check(named.length === 0, `a representative reads no one's name on a consultation's page (${named.join(', ')})`);
  await accessible(martine, 'consultation page, representative');
  await martine.close();
}
