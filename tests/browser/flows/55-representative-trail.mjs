// A representative reads a decision's trail: their own contributions are marked « vous », and
// no other person is named.

export default async function representativeTrail({ info, scenario, check, openPage, signIn, accessible }) {
  const perimeter = scenario.decisions.find((d) => d.slug === 'd-perimetre');
  const consultation = scenario.consultations.find((c) => c.slug === 'perimetre');
  const hers = consultation.contributions.filter((c) => c.author === 'martine-roussel');
  const page = await openPage('representative trail');
  await signIn(page, info.tokens.martine);
  await page.getByRole('link', { name: 'Décisions', exact: true }).click();
  await page.locator('main table').getByRole('link', { name: perimeter.title }).first().click();
  await page.getByRole('heading', { level: 1, name: perimeter.title }).waitFor();
  const marked = page.locator('section:has(#h-trail) tbody tr', { has: page.locator('.tag.you') });
  check(hers.length > 0 && await marked.count() === hers.length, `her ${hers.length} contribution(s) are marked « vous » (${await marked.count()})`);
  const markedText = (await marked.allInnerTexts()).join('\n');
  check(hers.every((c) => markedText.includes(c.text.slice(0, 50))), 'the rows marked « vous » are hers');
  const trail = await page.locator('section:has(#h-trail)').innerText();
  const named = info.memberNames.filter((name) => trail.includes(name));
  check(named.length === 0, `no person is named in the trail a representative reads (${named.join(', ')})`);
  await accessible(page, 'a representative’s view of a trail');

  // Mes contributions: each one with the promise of its rung and its deadline.
  await page.getByRole('link', { name: 'Mes contributions', exact: true }).click();
  await page.getByRole('heading', { level: 1, name: 'Mes contributions' }).waitFor();
  const rows = page.locator('main table tbody tr');
  const all = await rows.allInnerTexts();
  check(all.length > 0 && all.every((r) => r.includes('Promesse : « ')), 'each of her contributions names the promise of its rung');
  // Every one still owed an answer, or answered, shows its deadline as a date.
  const owed = all.filter((r) => !r.includes('Retirée') && !r.includes('Pas de réponse due'));
  const deadlines = await page.locator('main table tbody td[data-label="Échéance"] time').allInnerTexts();
  check(owed.length > 0 && deadlines.length === owed.length && deadlines.every((d) => /\d{1,2} \p{L}+ \d{4}/u.test(d)),
    `each contribution owed an answer shows its deadline (${owed.length} owed: ${deadlines.join(', ')})`);
  // Each one tells its story, day by day.
  const stories = await page.locator('main table tbody ol.steps').allInnerTexts();
  check(stories.length === all.length && stories.every((st) => /^(Déposée|Reçue après la clôture), le|^Déposée le/.test(st.trim())),
    'each contribution’s timeline starts with its submission or late reception');
  check(stories.some((st) => st.includes('Réponse publiée le')) && stories.some((st) => st.includes('Retirée le')),
    'the timelines show answers published and a withdrawal with its day');
  await accessible(page, 'Mes contributions with timelines');
  await page.close();
}
