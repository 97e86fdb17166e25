// A board member (the president) answers what a consultation said and records the board's
// vote from the decision's page, sets her own e-mail address, and finds no form for what her
// role may not do. The coordinator's setting up is done through the API, outside her pages.

const day = (offset) => {
  const d = new Date();
  d.setUTCDate(d.getUTCDate() + offset);
  return d.toISOString().slice(0, 10);
};

export default async function boardMember({ info, must, panel, send, draftAnswers, check, openPage, signIn, accessible, text }) {
  const coordinator = info.tokens.coordinator;
  const { viewer } = await must(coordinator, '{ viewer { communityId bodies { id name } } }');
  const board = viewer.bodies.find((b) => b.name === "Conseil d'administration");
  const subject = 'Transport vers les centres de dialyse';
  const opened = await must(coordinator, `mutation($input: OpenConsultationInput!) { openConsultation(input: $input) { aggregateId } }`, { input: {
    communityId: viewer.communityId, subject, moment: 'PRIORITISATION', mission: 'ACCESS_TO_CARE', rung: 'CONSULT',
    audience: 'Patients dialysés', method: 'QUESTIONNAIRE', opensOn: day(-20), closesOn: day(-2), answerWithinDays: 30 } });
  const consultationId = opened.openConsultation.aggregateId;
  for (const [words, on] of [['Un transport partagé depuis Frontignan.', day(-15)], ['Des horaires de dialyse compatibles avec le travail.', day(-10)]]) {
    await must(coordinator, `mutation($input: SubmitContributionInput!) { submitContribution(input: $input) { aggregateId } }`, { input: {
      consultationId, anonymousCommune: 'Frontignan', kind: 'PROPOSAL', text: words, submittedOn: on } });
  }
  await must(coordinator, `mutation($input: CloseConsultationInput!) { closeConsultation(input: $input) { aggregateId } }`, { input: { consultationId, on: day(-2) } });
  const title = 'Organiser un transport partagé vers la dialyse';
  const proposed = await must(coordinator, `mutation($input: ProposeDecisionInput!) { proposeDecision(input: $input) { aggregateId } }`, { input: {
    communityId: viewer.communityId, bodyId: board.id, title, text: 'Un transport partagé trois fois par semaine.', moment: 'PRIORITISATION', mission: 'ACCESS_TO_CARE', proposedOn: day(-1) } });
  await must(coordinator, `mutation($input: LinkConsultationInput!) { linkConsultation(input: $input) { aggregateId } }`, { input: { decisionId: proposed.proposeDecision.aggregateId, consultationId } });

  const page = await openPage('board member');
  await signIn(page, info.tokens.boardMember);
  await page.getByRole('heading', { level: 1, name: 'Tableau de bord' }).waitFor();
  await page.getByRole('link', { name: 'Membres et associations', exact: true }).click();
  await page.getByRole('heading', { level: 1, name: 'Membres et associations' }).waitFor();
  check(await page.locator('main form').count() === 0, 'a board member reads the register but is offered no form to change it');

  await page.getByRole('link', { name: 'Décisions', exact: true }).click();
  check(await page.locator('form#propose-decision').count() === 0, 'a board member is offered no proposal form');
  await page.locator('main table').getByRole('link', { name: title }).click();
  await page.getByRole('heading', { level: 1, name: title }).waitFor();
  check(await page.locator('#amend-decision-panel, #withdraw-decision-panel, #link-consultation-panel').count() === 0,
    'the coordinator’s forms of a decision are not offered to a board member');
  await draftAnswers(page, [['transport partagé', 'RETAINED', ''],
    ['compatibles avec le travail', 'NOT_RETAINED', 'Les horaires relèvent des centres ; transmis à leur direction.']]);
  let form = await panel(page, 'Publier une seule réponse');
  const first = (await form.locator('#publish-answer-contributionId option').allTextContents()).find((o) => o.includes('transport partagé'));
  await form.getByLabel('Contribution').selectOption({ label: first });
  await send(page, form, 'Publier la réponse');
  check((await page.locator('section:has(#h-trail) tbody tr', { hasText: 'compatibles avec le travail' }).innerText()).includes('non publiée'),
    'publishing one answer leaves the other drafted');
  await send(page, page.locator('form#publish-answers'), 'Publier toutes les réponses rédigées');
  check(!(await page.locator('section:has(#h-trail)').innerText()).includes('non publiée'), 'then both are published');
  const vote = page.locator('form#record-vote');
  // A count with more votes against than for is not an adoption: said beside the form.
  await vote.getByLabel('Résultat').selectOption('ADOPTED');
  await vote.locator('input[name^="votesFor-"]').first().fill('1');
  await vote.locator('input[name^="votesAgainst-"]').first().fill('3');
  await vote.getByRole('button', { name: 'Enregistrer le vote' }).click();
  await vote.locator('.form-result.error').waitFor();
  check((await vote.locator('.form-result.error').innerText()).startsWith('Le décompte ne fait pas une adoption : 1 voix pour et 3 contre.'),
    'a vote recorded as adopted with more votes against is refused, with the count');
  await vote.locator('input[name^="votesFor-"]').first().fill('0');
  await vote.locator('input[name^="votesAgainst-"]').first().fill('0');
  await vote.getByLabel('Par consensus').check();
  await send(page, vote, 'Enregistrer le vote');
  check((await text(page)).includes('Adoptée, Par consensus'), 'the vote by consensus is shown');
  await accessible(page, 'decision answered by a board member');

  await page.getByRole('link', { name: /^Notifications/ }).click();
  await page.getByRole('heading', { level: 1, name: 'Notifications' }).waitFor();
  form = page.locator('form#own-contact');
  await form.getByLabel('Adresse électronique').fill('helene.castel@example.org');
  const said = await send(page, form, 'Enregistrer');
  check(said.length > 0 && !said.includes('helene.castel@example.org'), `her address is recorded without being repeated (${said})`);
  await accessible(page, 'a board member’s notifications and contact');
  await page.close();
}
