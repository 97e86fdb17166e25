// The coordinator imports an online questionnaire's CSV export into a consultation: the preview
// says what each of its 502 rows gives with the columns LimeSurvey's export suggests, the 500
// responses are imported and listed on the consultation's page with their source, the same file
// again adds nothing, and a file with a wrong row cannot be imported.

const day = (offset) => {
  const d = new Date();
  d.setUTCDate(d.getUTCDate() + offset);
  return d.toISOString().slice(0, 10);
};

/** A LimeSurvey export: `count` responses dated over the consultation's period, then one never
 * sent and one sent without an answer. */
function limesurvey(count) {
  const lines = ['"id","submitdate","lastpage","startlanguage","seed","G01Q01","G01Q02","Votre commune"'];
  const communes = ['Sète', 'Frontignan', 'Mèze', 'Balaruc-les-Bains'];
  for (let id = 1; id <= count; id += 1) {
    const answer = `Réponse ${id} : des consultations le soir, "vraiment".`.replace(/"/g, '""');
    lines.push(`"${id}","${day(-100 + (id % 60))} 10:00:00","2","fr","${id * 7}","${answer}","${id % 3 ? 'Trop d\'attente' : ''}","${communes[id % 4]}"`);
  }
  lines.push(`"${count + 1}","","1","fr","1","Abandonnée","",""`);
  lines.push(`"${count + 2}","${day(-90)} 10:00:00","2","fr","2","","","Sète"`);
  return `\ufeff${lines.join('\r\n')}\r\n`;
}

export default async function questionnaireImport({ info, must, panel, send, check, openPage, signIn, accessible, shot, text }) {
  const coordinator = info.tokens.coordinator;
  const { viewer } = await must(coordinator, '{ viewer { communityId } }');
  const subject = 'Questionnaire en ligne sur l’accès aux soins';
  const opened = await must(coordinator, 'mutation($input: OpenConsultationInput!) { openConsultation(input: $input) { aggregateId } }', { input: {
    communityId: viewer.communityId, subject, moment: 'DIAGNOSIS', mission: 'ACCESS_TO_CARE', rung: 'CONSULT',
    audience: 'Habitants du territoire', method: 'QUESTIONNAIRE', opensOn: day(-100), closesOn: day(-30), answerWithinDays: 120 } });
  const consultationId = opened.openConsultation.aggregateId;
  const file = { name: 'reponses-limesurvey.csv', mimeType: 'text/csv', buffer: Buffer.from(limesurvey(500), 'utf8') };

  const page = await openPage('questionnaire import');
  await signIn(page, coordinator);
  await page.getByRole('link', { name: 'Consultations', exact: true }).click();
  await page.locator('main table').getByRole('link', { name: subject }).first().click();
  await page.getByRole('heading', { level: 1, name: subject }).waitFor();
  let form = await panel(page, "Importer les réponses d'un questionnaire en ligne");
  await form.locator('#iq-file').setInputFiles(file);
  await form.locator('#iq-counts').waitFor();
  check((await form.locator('#iq-counts').innerText()).includes('502 lignes : 500 à enregistrer, 0 déjà enregistrées, 2 sans réponse, 0 à corriger'),
    `the preview counts what the file's rows give (${await form.locator('#iq-counts').innerText()})`);
  check(await form.getByLabel('G01Q01').isChecked() && await form.getByLabel('G01Q02').isChecked() && !(await form.getByLabel('lastpage').isChecked()),
    'the answers’ columns are chosen, LimeSurvey’s bookkeeping is not');
  check(await form.getByLabel('Colonne des dates').inputValue() === 'submitdate' && await form.getByLabel('Colonne de la commune').inputValue() === 'Votre commune',
    'the dates and communes are read from their columns');
  const preview = await form.locator('#iq-preview').innerText();
  check(preview.includes('G01Q01 : Réponse 1 : des consultations le soir, "vraiment".') && preview.includes('Frontignan'),
    'the preview shows each response’s text as it will be recorded');
  await accessible(page, 'questionnaire import preview');
  await shot(page, 'questionnaire-import');

  // Leaving out a column changes the texts of the preview.
  await form.getByLabel('G01Q02').uncheck();
  await page.waitForFunction(() => !document.querySelector('#iq-preview')?.innerText.includes('G01Q02 :'));
  check(!(await form.locator('#iq-preview').innerText()).includes('Trop d\'attente'), 'a column left out is not in the texts');
  await form.getByLabel('G01Q02').check();
  await page.waitForFunction(() => document.querySelector('#iq-preview')?.innerText.includes('G01Q02 :'));

  const said = await send(page, form, 'Importer 500 contributions');
  check(said.includes('500 contributions importées du questionnaire'), `the import says what it recorded (${said})`);
  const rows = page.locator('section:has(#h-entries) tbody tr');
  check(await rows.count() === 500, `the consultation's page lists the 500 responses (${await rows.count()})`);
  const body = await text(page);
  check(body.includes('Importée de LimeSurvey, ligne 2, réponse n° 1') && body.includes('Réponse 500 : des consultations le soir'),
    'each imported contribution says the row it comes from');
  await accessible(page, 'consultation page after an import');

  // The same file again: nothing to record, and the button says so by staying off.
  form = await panel(page, "Importer les réponses d'un questionnaire en ligne");
  await form.locator('#iq-file').setInputFiles(file);
  await page.waitForFunction(() => document.querySelector('#iq-counts')?.innerText.includes('502 lignes : 0 à enregistrer, 500 déjà enregistrées'));
  check((await form.locator('#iq-counts').innerText()).includes('0 à enregistrer, 500 déjà enregistrées'), 'importing the same file again would add nothing');
  check(await form.getByRole('button', { name: 'Importer' }).isDisabled(), 'and the import cannot be sent');
  const { consultation } = await must(coordinator, 'query($id: ID!) { consultation(id: $id) { contributions } }', { id: consultationId });
  check(consultation.contributions === 500, `the consultation still holds 500 contributions (${consultation.contributions})`);

  // A table of another tool with a response dated after the closing: said, and not importable.
  const wrong = `date;avis;commune\n${day(-60)};Un pédiatre à Mèze;Mèze\n${day(-5)};Reçu trop tard;Sète\n`;
  await form.getByLabel('Exporté depuis').selectOption({ label: 'Autre tableau CSV' });
  await form.locator('#iq-file').setInputFiles({ name: 'tableur.csv', mimeType: 'text/csv', buffer: Buffer.from(wrong, 'utf8') });
  // The preview of this file, not of the former one read with the new format.
  await page.waitForFunction(() => document.querySelector('#iq-counts')?.innerText.includes('2 lignes : 1 à enregistrer, 0 déjà enregistrées, 0 sans réponse, 1 à corriger'));
  const refused = await form.locator('#iq-preview').innerText();
  check(refused.includes('après le dernier jour de la consultation') && refused.includes('Rien ne sera importé avant'),
    'a row dated after the closing is named with why, and nothing is imported before it is corrected');
  check(await form.getByRole('button', { name: 'Importer' }).isDisabled(), 'a file with a wrong row cannot be sent');
  await page.close();
}
