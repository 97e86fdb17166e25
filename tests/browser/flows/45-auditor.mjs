// The auditor (commissaire aux comptes) reads everything and changes nothing: no page offers
// them a form that records, and what they check (the ledger's integrity, the AG report) works.

export default async function auditor({ info, check, openPage, signIn, accessible }) {
  const page = await openPage('auditor');
  await signIn(page, info.tokens.auditor);
  await page.getByRole('heading', { level: 1, name: 'Tableau de bord' }).waitFor();
  const recording = () => page.locator('main form[data-command], main form#propose-decision, main form#draft-answer, main form#record-vote, main form#record-contribution, main form#open-consultation');
  for (const [link, heading] of [['Décisions', 'Décisions'], ['Consultations', 'Consultations'], ['Membres et associations', 'Membres et associations']]) {
    await page.getByRole('link', { name: link, exact: true }).click();
    await page.getByRole('heading', { level: 1, name: heading }).waitFor();
    check(await recording().count() === 0, `the auditor is offered no form that records on ${heading}`);
    await accessible(page, `auditor: ${heading}`);
  }
  await page.getByRole('link', { name: 'Décisions', exact: true }).click();
  await page.locator('main table a').first().click();
  await page.locator('section:has(#h-trail)').waitFor();
  check(await recording().count() === 0, 'the auditor is offered no form on a decision');
  check(await page.getByRole('link', { name: /^Notifications/ }).count() === 0, 'an auditor, who is no member, has no notifications page');
  await page.getByRole('link', { name: 'Journal', exact: true }).click();
  await page.getByRole('button', { name: 'Vérifier la chaîne d’empreintes' }).click();
  await page.locator('#verify-status').waitFor();
  check((await page.locator('#verify-status').innerText()).startsWith('Registre intact'), 'the auditor verifies the ledger as intact');
  await page.getByRole('link', { name: 'Rapport AG', exact: true }).click();
  await page.getByRole('button', { name: 'Générer le rapport' }).click();
  const link = await page.locator('#report-download').innerText();
  check(link.includes('rapport-ag-'), `the auditor generates the AG report (${link})`);
  await page.close();
}
