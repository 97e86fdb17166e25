// The coordinator follows a decision through from its page alone: an implementation milestone
// and an indicator of the adopted perimeter decision, the revision of a published answer and its
// publication again, then a new proposal linked to a consultation, amended and withdrawn.

export default async function decisionForms({ info, scenario, panel, send, check, openPage, signIn, accessible, text }) {
  const perimeter = scenario.decisions.find((d) => d.slug === 'd-perimetre');
  const workshop = scenario.consultations.find((c) => c.slug === 'atelier-diabete');
  const page = await openPage('decision forms');
  await signIn(page, info.tokens.coordinator);
  await page.getByRole('link', { name: 'Décisions', exact: true }).click();
  await page.locator('main table').getByRole('link', { name: perimeter.title }).first().click();
  await page.getByRole('heading', { level: 1, name: perimeter.title }).waitFor();

  let form = await panel(page, 'Enregistrer une étape de mise en œuvre');
  await form.getByLabel('Ce qui a été fait').fill('Réunion de lancement avec la mairie de Mèze');
  let said = await send(page, form, 'Enregistrer');
  check((await page.locator('section:has(#h-impl)').innerText()).includes('Réunion de lancement avec la mairie de Mèze'),
    `the milestone recorded is listed under the implementation (${said})`);

  form = await panel(page, 'Déclarer la valeur d’un indicateur');
  await form.getByLabel('Indicateur').fill('Délai moyen de rendez-vous (jours)');
  await form.getByLabel('Période').fill('2026-10');
  await form.getByLabel('Valeur').fill('12');
  await form.getByLabel('Cible').fill('10');
  await send(page, form, 'Enregistrer');
  const indicator = await page.locator('section:has(#h-ind) tbody tr', { hasText: 'Délai moyen de rendez-vous' }).innerText();
  check(indicator.includes('2026-10') && indicator.includes('12') && indicator.includes('10'), `the indicator is listed with its value and target (${indicator.replace(/\s+/g, ' ')})`);

  // Revising a published answer to "not retained" without a rationale: the service refuses it,
  // beside the rationale; with one, the revision waits to be published again.
  const retained = perimeter.answers.find((a) => a.disposition === 'retained');
  const contribution = scenario.consultations.flatMap((c) => c.contributions).find((c) => c.slug === retained.contribution);
  form = await panel(page, 'Réviser une réponse');
  const option = (await form.locator('#revise-answer-contributionId option').allTextContents()).find((o) => o.includes(contribution.text.slice(0, 40)));
  check(Boolean(option), 'the revision form offers the retained contribution by its words');
  await form.getByLabel('Contribution').selectOption({ label: option });
  await form.getByLabel('Nouvelle suite donnée').selectOption({ label: 'Non retenue' });
  await form.getByLabel('Motif de la révision').fill('Le conseil a revu le calendrier');
  await form.getByRole('button', { name: 'Enregistrer la révision' }).click();
  const rationaleError = form.locator('#revise-answer-rationale-error');
  await rationaleError.waitFor({ state: 'visible' });
  check((await rationaleError.innerText()).length > 10, `a refusal without rationale is said beside the rationale (${await rationaleError.innerText()})`);
  await form.getByLabel('Justification').fill('Reporté à l’an prochain faute de financement.');
  said = await send(page, form, 'Enregistrer la révision');
  check(said.length > 0, `the revision is confirmed (${said})`);
  form = await panel(page, 'Publier une seule réponse');
  const revised = (await form.locator('#publish-answer-contributionId option').allTextContents()).find((o) => o.includes(contribution.text.slice(0, 40)));
  check(Boolean(revised), 'the revised answer waits to be published again');
  await form.getByLabel('Contribution').selectOption({ label: revised });
  await send(page, form, 'Publier la réponse');
  const row = await page.locator('section:has(#h-trail) tbody tr', { hasText: contribution.text.slice(0, 40) }).innerText();
  check(row.includes('Non retenue') && row.includes('faute de financement'), `the trail shows the revised answer, published (${row.replace(/\s+/g, ' ').slice(0, 200)})`);
  await accessible(page, 'decision page with its forms');

  // A new proposal, linked to the workshop, amended, then withdrawn.
  await page.getByRole('link', { name: 'Décisions', exact: true }).click();
  await page.getByLabel('Titre').fill('Navette vers la maison de santé de Loupian');
  await page.getByLabel('Texte de la décision').fill('Une navette le mardi.');
  await page.getByLabel('Instance qui décide').selectOption({ label: 'Bureau' });
  await page.getByLabel('Moment de la participation').selectOption('PRIORITISATION');
  await page.getByLabel('Mission servie').selectOption('ACCESS_TO_CARE');
  await page.getByRole('button', { name: 'Proposer la décision' }).click();
  await page.getByRole('heading', { level: 1, name: 'Navette vers la maison de santé de Loupian' }).waitFor();
  form = await panel(page, 'Rattacher une consultation');
  await form.getByLabel('Consultation').selectOption({ label: workshop.subject });
  await send(page, form, 'Rattacher');
  check(await page.locator('section:has(#h-trail) tbody tr').count() >= workshop.contributions.length,
    'the linked consultation’s contributions enter the trail');
  form = await panel(page, 'Modifier le texte de la décision');
  await form.getByLabel('Nouveau texte').fill('Une navette le mardi et le jeudi.');
  await form.getByLabel('Motif').fill('Demande des habitants de Bouzigues');
  await send(page, form, 'Enregistrer');
  check((await text(page)).includes('Une navette le mardi et le jeudi.'), 'the amended text is the decision’s text');
  form = await panel(page, 'Retirer la décision');
  await form.getByLabel('Motif').fill('Reprise par la communauté de communes');
  await send(page, form, 'Retirer la décision');
  check((await text(page)).includes('Bureau — Retirée —'), 'the withdrawn decision is shown as withdrawn');
  await page.close();
}
