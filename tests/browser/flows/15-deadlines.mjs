// Échéances: the coordinator sees what falls due, overdue first, in sentences that name
// people and records, each linking to where it is seen to; the demo's answers owed late are
// there, and nothing shows an id.

export default async function deadlines({ info, check, openPage, signIn, accessible, shot }) {
  const page = await openPage('deadlines');
  await signIn(page, info.tokens.coordinator);
  await page.getByRole('link', { name: 'Échéances', exact: true }).click();
  await page.getByRole('heading', { level: 1, name: 'Échéances' }).waitFor();
  const headings = await page.locator('main h2').allInnerTexts();
  check(headings.length === 3 && headings[0].startsWith('En retard') && headings[1].startsWith('Dans les 30 jours') && headings[2].startsWith('Dans les 90 jours'),
    `the page groups what falls due by horizon (${headings.join(' | ')})`);
  const items = page.locator('main li.deadline');
  check(await items.count() > 0, `something falls due in the demo (${await items.count()})`);
  const links = await page.locator('main li.deadline a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
  check(links.every((href) => /^#\/(decision|consultation)\/|^#\/membres$/.test(href)), 'each deadline links to its decision, consultation or the register');
  const first = await items.first().innerText();
  check(/\d{1,2} \p{L}+ \d{4}/u.test(first), `a deadline gives its day in words (${first})`);
  await accessible(page, 'échéances');
  await shot(page, 'echeances');
  await items.first().locator('a').click();
  await page.waitForFunction(() => !location.hash.startsWith('#/echeances'));
  await page.locator('main h1').waitFor();
  check(!(await page.locator('main h1').innerText()).includes('introuvable'), 'following a deadline opens its record');
  await page.close();
}
