// The coordinator keeps the register from the Membres page alone: associations, their approval
// and engagement, members, mandates and cadres, seats, contact, departures, erasure, and the
// statutes. Every form is filled in as a person would, and its result read back in the page.

export default async function members({ info, panel, send, check, openPage, signIn, accessible, shot, text }) {
  const page = await openPage('members forms');
  await signIn(page, info.tokens.coordinator);
  // A failing check says what to do, and takes the coordinator to the form that does it.
  await page.getByRole('heading', { level: 1, name: 'Tableau de bord' }).waitFor();
  await page.locator('#h-checks + ul li', { hasText: 'cadre d' }).getByRole('link', { name: 'Le faire maintenant' }).click();
  await page.getByRole('heading', { level: 1, name: 'Membres et associations' }).waitFor();
  check(await page.locator('#write-cadre-panel').evaluate((d) => d.open), 'the check’s link opens the form that writes a cadre d’intervention');
  await page.getByRole('link', { name: 'Membres et associations', exact: true }).click();
  const today = new Date().toISOString().slice(0, 10);

  // An association, its approval and its engagement.
  let form = await panel(page, 'Enregistrer une association');
  await form.getByLabel('Nom').fill('Aidants du Bassin de Thau');
  let said = await send(page, form, 'Enregistrer l’association');
  check(said.includes('Aidants du Bassin de Thau'), `the confirmation names the association registered (${said})`);
  const associations = () => page.locator('section:has(#h-assoc) tbody').innerText();
  check((await associations()).includes('Aidants du Bassin de Thau'), 'the new association is listed');

  form = await panel(page, 'Enregistrer un agrément');
  await form.getByLabel('Association').selectOption({ label: 'Aidants du Bassin de Thau' });
  await form.getByLabel('Niveau de l’agrément').selectOption({ label: 'Régionale' });
  await form.getByLabel('Accordé le').fill('2025-06-01');
  said = await send(page, form, 'Enregistrer');
  const approvalRow = await page.locator('section:has(#h-assoc) tbody tr', { hasText: 'Aidants du Bassin de Thau' }).innerText();
  check(approvalRow.includes('Agréée') && approvalRow.includes('Régionale') && approvalRow.includes('31 mai 2030'),
    `the approval shows its level and its end five years on (${approvalRow.replace(/\s+/g, ' ')})`);

  form = await panel(page, 'Enregistrer l’engagement d’une association');
  await form.getByLabel('Association').selectOption({ label: 'Aidants du Bassin de Thau' });
  await form.getByLabel('Forme de l’engagement').selectOption({ label: 'Partenariat' });
  await form.getByLabel('Référence de la convention').fill('CONV-2026-07');
  await send(page, form, 'Enregistrer');
  check((await page.locator('section:has(#h-assoc) tbody tr', { hasText: 'Aidants du Bassin de Thau' }).innerText()).includes('Partenariat'),
    'the engagement is shown with the association');

  // A member, admitted, mandated, given a cadre, seated.
  form = await panel(page, 'Admettre un membre');
  await form.getByLabel('Nom').fill('Lucie Fabre');
  await form.getByLabel('Nature').selectOption({ label: 'Représentant associatif' });
  said = await send(page, form, 'Admettre le membre');
  check(said.includes('Lucie Fabre'), `the confirmation names the member admitted (${said})`);
  check((await page.locator('section:has(#h-register) table').last().innerText()).includes('Lucie Fabre'), 'the register lists the new member');

  form = await panel(page, 'Enregistrer un mandat de représentation');
  await form.getByLabel('Représentant·e').selectOption({ label: 'Lucie Fabre' });
  await form.getByLabel('Association').selectOption({ label: 'Aidants du Bassin de Thau' });
  await form.getByLabel('Premier jour du mandat').fill(today);
  // A mandate that ends before it starts: the browser lets it through, the service refuses it,
  // and its message stands beside the field it is about.
  await form.getByLabel('Dernier jour du mandat').fill('2020-01-01');
  await form.getByRole('button', { name: 'Enregistrer' }).click();
  const endError = form.locator('#grant-mandate-end-error');
  await endError.waitFor({ state: 'visible' });
  check((await endError.innerText()).length > 10, `the service's refusal is said beside the mandate's last day (${await endError.innerText()})`);
  check(await form.getByLabel('Dernier jour du mandat').getAttribute('aria-invalid') === 'true', 'the refused field is marked invalid');
  check(!(await text(page)).includes('Mandat de représentation accordé'), 'nothing was recorded');
  await form.getByLabel('Dernier jour du mandat').fill('2029-06-30');
  await form.getByLabel('Commune de résidence').fill('Mèze');
  said = await send(page, form, 'Enregistrer');
  const lucie = () => page.locator('section:has(#h-reps) tbody tr', { hasText: 'Lucie Fabre' }).innerText();
  check((await lucie()).includes('Aidants du Bassin de Thau') && (await lucie()).includes('Mèze') && (await lucie()).includes('30 juin 2029'),
    `the mandate is listed with its association, commune and end (${(await lucie()).replace(/\s+/g, ' ')})`);

  form = await panel(page, 'Rédiger un cadre d’intervention');
  // Sending it empty: the browser's check, in French, beside the field; nothing is sent.
  await form.getByRole('button', { name: 'Enregistrer' }).click();
  const missing = form.locator('#write-cadre-memberId-error');
  await missing.waitFor({ state: 'visible' });
  check(await missing.innerText() === 'Ce champ est à remplir.', 'an empty required choice is said beside it, in French');
  await form.getByLabel('Représentant·e').selectOption({ label: 'Karim Benali' });
  await form.getByLabel('Cadre d’intervention').fill('Porte la parole des patients diabétiques au conseil d’administration ; rend compte chaque trimestre.');
  await send(page, form, 'Enregistrer');
  const karim = await page.locator('section:has(#h-reps) tbody tr', { hasText: 'Karim Benali' }).innerText();
  check(karim.includes('rend compte chaque trimestre') && !karim.includes('aucun'), 'the cadre d’intervention written is shown for the representative');

  const colleges = await page.locator('section:has(#h-statutes) table').first().innerText();
  const usersCollege = colleges.split('\n').find((l) => l.includes('collège des usagers'))?.split('\t')[0].trim();
  check(Boolean(usersCollege), `the statutes name the collège usagers (${usersCollege})`);
  form = await panel(page, 'Faire siéger un membre dans un collège');
  await form.getByLabel('Membre').selectOption({ label: 'Lucie Fabre' });
  await form.getByLabel('Collège').selectOption({ label: usersCollege });
  await send(page, form, 'Enregistrer');
  check((await page.locator('section:has(#h-register) table').last().locator('tr', { hasText: 'Lucie Fabre' }).innerText()).includes(usersCollege),
    'the register shows the member in the collège');

  const body = "Conseil d'administration";
  form = await panel(page, 'Faire siéger un membre dans une instance');
  await form.getByLabel('Membre').selectOption({ label: 'Lucie Fabre' });
  await form.getByLabel('Instance').selectOption({ label: body });
  said = await send(page, form, 'Enregistrer');
  check(said.includes('Lucie Fabre'), `seating in a body is confirmed by name (${said})`);
  form = await panel(page, 'Enregistrer le départ d’une instance');
  await form.getByLabel('Membre').selectOption({ label: 'Lucie Fabre' });
  await form.getByLabel('Instance').selectOption({ label: body });
  said = await send(page, form, 'Enregistrer');
  check(said.includes('Lucie Fabre'), `leaving a body is confirmed by name (${said})`);

  form = await panel(page, 'Adresse de contact d’un membre');
  await form.getByLabel('Membre').selectOption({ label: 'Lucie Fabre' });
  await form.getByLabel('Adresse électronique').fill('pas une adresse');
  await form.getByRole('button', { name: 'Enregistrer' }).click();
  const refused = form.locator('#set-contact-email-error');
  await refused.waitFor({ state: 'visible' });
  check((await refused.innerText()).length > 5, `a malformed address is refused beside the field (${await refused.innerText()})`);
  await form.getByLabel('Adresse électronique').fill('lucie.fabre@example.org');
  said = await send(page, form, 'Enregistrer');
  check(!said.includes('lucie.fabre@example.org') && said.length > 0, `the confirmation does not repeat the address (${said})`);

  // The statutes.
  form = await panel(page, 'Définir un collège');
  await form.getByLabel('Nom').fill('Collège des élus locaux');
  await send(page, form, 'Enregistrer');
  check((await page.locator('section:has(#h-statutes)').innerText()).includes('Collège des élus locaux'), 'the new collège is in the statutes');
  form = await panel(page, 'Créer une instance');
  await form.getByLabel('Nature de l’instance').selectOption({ label: 'Groupe de travail' });
  await form.getByLabel('Nom').fill('Groupe santé mentale');
  await send(page, form, 'Enregistrer');
  check((await page.locator('section:has(#h-statutes)').innerText()).includes('Groupe santé mentale'), 'the new body is in the statutes');
  check(await page.locator('#seat-in-body-bodyId option', { hasText: 'Groupe santé mentale' }).count() === 1, 'the new body can be chosen at once');
  form = await panel(page, 'Enregistrer l’adoption du règlement intérieur');
  await form.getByLabel('Il prévoit le remboursement des frais de déplacement des représentants associatifs').check();
  said = await send(page, form, 'Enregistrer');
  check(said.length > 0, `the adoption of the internal rules is confirmed (${said})`);

  await accessible(page, 'members page with its forms open');
  await shot(page, 'membres-formulaires');

  // The end of a mandate, the association's withdrawal, the member's departure, the erasure.
  form = await panel(page, 'Mettre fin à un mandat avant son terme');
  await form.getByLabel('Représentant·e').selectOption({ label: 'Lucie Fabre' });
  await form.getByLabel('Motif').fill('Déménagement hors du territoire');
  await send(page, form, 'Enregistrer');
  check((await lucie()).includes('close'), 'the ended mandate is shown as closed');
  form = await panel(page, 'Enregistrer le retrait d’une association');
  await form.getByLabel('Association').selectOption({ label: 'Aidants du Bassin de Thau' });
  await send(page, form, 'Enregistrer');
  check((await page.locator('section:has(#h-assoc) tbody tr', { hasText: 'Aidants du Bassin de Thau' }).innerText()).includes('retirée le'),
    'the withdrawn association is marked so');
  form = await panel(page, 'Enregistrer le départ d’un membre');
  await form.getByLabel('Membre').selectOption({ label: 'Lucie Fabre' });
  await send(page, form, 'Enregistrer');
  check((await page.locator('section:has(#h-register) table').last().locator('tr', { hasText: 'Lucie Fabre' }).innerText()).includes(new Date().getFullYear().toString()),
    'the register gives the member’s departure date');

  form = await panel(page, 'Effacer les données personnelles d’un membre');
  await form.getByLabel('Membre').selectOption({ label: 'Lucie Fabre' });
  await form.getByRole('button', { name: 'Effacer définitivement' }).click();
  await form.locator('#erase-personal-data-understood-error').waitFor({ state: 'visible' });
  check((await text(page)).includes('Lucie Fabre'), 'without the confirmation ticked, nothing is erased');
  await form.getByLabel('J’ai compris que l’effacement est définitif.').check();
  await send(page, form, 'Effacer définitivement');
  check(!(await page.locator('section:has(#h-register)').innerText()).includes('Lucie Fabre'), 'after erasure, the register no longer names the member');
  await accessible(page, 'members page after the erasure');
  await page.close();
}
