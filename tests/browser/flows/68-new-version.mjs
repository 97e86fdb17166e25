// Once its answer is published, a representative's contribution can still be amended, as a new
// version: the answer stays tied to the words it answered, which *Mes contributions* and the
// decision's trail show beside the newer text; it can no longer be withdrawn.

export default async function newVersion({ info, must, send, check, openPage, signIn, accessible, shot, text }) {
  const { myContributions } = await must(info.tokens.martine,
    '{ myContributions { contributionId subject text decisionId decisionTitle disposition amendable withdrawable } }');
  const answered = myContributions.find((c) => c.disposition && c.decisionId && c.amendable);
  check(Boolean(answered) && !answered.withdrawable, 'one of her answered contributions may be amended and not withdrawn');
  if (!answered) return;

  const page = await openPage('new version');
  await signIn(page, info.tokens.martine);
  await page.getByRole('link', { name: 'Mes contributions', exact: true }).click();
  await page.getByRole('heading', { level: 1, name: 'Mes contributions' }).waitFor();
  const details = page.locator('details.own-words', { hasText: answered.text.slice(0, 40) });
  await details.locator('summary').click();
  check(await details.locator('form.withdraw-contribution').count() === 0, 'no « Retirer » is offered once the answer is published');
  check((await details.innerText()).includes('votre modification s’ajoute comme une nouvelle version'.replace('’', "'")),
    'the form says the amendment is a new version');
  const form = details.locator('form.amend-contribution');
  const newer = `${answered.text} Et aussi le week-end.`;
  await form.getByLabel('Nouveau texte').fill(newer);
  await form.getByLabel('Motif de la modification').fill('Précision après la réponse du conseil.');
  const said = await send(page, form, 'Modifier');
  check(said.length > 0, `the amendment is confirmed (${said})`);
  const row = page.locator('main table tbody tr', { hasText: 'Et aussi le week-end.' });
  const shown = await row.innerText();
  check(shown.includes('La réponse a été donnée à la version du') && shown.includes(answered.text.slice(0, 40)),
    'Mes contributions shows the words the answer answered beside the newer text');
  check(shown.includes('Modifiée le') && shown.includes('Précision après la réponse du conseil.'),
    'its timeline shows the amendment with its reason');
  await accessible(page, 'Mes contributions after a new version');
  await shot(page, 'mes-contributions-nouvelle-version');

  await page.getByRole('link', { name: answered.decisionTitle }).first().click();
  await page.getByRole('heading', { level: 1, name: answered.decisionTitle }).waitFor();
  const trail = page.locator('section:has(#h-trail) tbody tr', { hasText: 'Et aussi le week-end.' });
  check((await trail.innerText()).includes('La réponse a été donnée à la version du'), 'the trail keeps the answer with the version it answered');
  await page.close();
}
