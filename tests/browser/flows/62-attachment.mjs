// A data contribution carries its file: the coordinator records a paper survey's results with
// its PDF, finds it on the consultation's page and downloads the very bytes sent; a program
// dressed as a PDF is refused beside the form; another representative sees no link to the file.

const day = (offset) => {
  const d = new Date();
  d.setUTCDate(d.getUTCDate() + offset);
  return d.toISOString().slice(0, 10);
};

const PDF = '%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n(Enquete : 212 reponses a Balaruc) Tj\n%%EOF\n';

export default async function attachment({ info, must, send, check, openPage, signIn, accessible }) {
  const coordinator = info.tokens.coordinator;
  const { viewer } = await must(coordinator, '{ viewer { communityId } }');
  const subject = 'Pharmacies de garde le dimanche';
  await must(coordinator, 'mutation($input: OpenConsultationInput!) { openConsultation(input: $input) { aggregateId } }', { input: {
    communityId: viewer.communityId, subject, moment: 'DIAGNOSIS', mission: 'ACCESS_TO_CARE', rung: 'CONSULT',
    audience: 'Habitants', method: 'QUESTIONNAIRE', opensOn: day(-20), closesOn: day(20), answerWithinDays: 30 } });

  const page = await openPage('attachment');
  await signIn(page, coordinator);
  await page.getByRole('link', { name: 'Consultations', exact: true }).click();
  const record = page.locator('form#record-contribution');
  await record.getByLabel('Consultation', { exact: true }).selectOption({ label: subject });
  await record.getByLabel('Commune (habitant·e anonyme)').fill('Balaruc-les-Bains');
  await record.getByLabel('Nature').selectOption({ label: 'Données' });
  await record.getByLabel('Texte').fill('Résultats de l’enquête papier des pharmacies de garde, en pièce jointe.');

  // A program named like a PDF: refused, and nothing recorded.
  await record.getByLabel('Fichier joint (une enquête, un tableau de chiffres)').setInputFiles({
    name: 'enquete.pdf', mimeType: 'application/pdf', buffer: Buffer.from('MZ\x90\x00\x03\x00\x00\x00\x04\x00program', 'latin1') });
  await record.getByRole('button', { name: 'Enregistrer la contribution' }).click();
  await record.locator('.form-result.error').waitFor();
  check((await record.locator('.form-result.error').innerText()).startsWith('Ce type de fichier n\'est pas accepté'),
    'a program dressed as a PDF is refused beside the form');

  await record.getByLabel('Fichier joint (une enquête, un tableau de chiffres)').setInputFiles({
    name: 'Enquête pharmacies.pdf', mimeType: 'application/pdf', buffer: Buffer.from(PDF, 'latin1') });
  await send(page, record, 'Enregistrer la contribution');
  await page.locator('main table').getByRole('link', { name: subject }).first().click();
  await page.getByRole('heading', { level: 1, name: subject }).waitFor();
  const link = page.locator('a.attachment');
  check(await link.count() === 1 && (await link.innerText()).startsWith('Fichier joint : Enquête pharmacies.pdf (document PDF, 1 ko)'),
    `the consultation's page links the file with its name, kind and size (${await link.count() ? await link.innerText() : 'none'})`);
  const fetched = await page.evaluate(async (href) => {
    const response = await fetch(href);
    return { status: response.status, disposition: response.headers.get('content-disposition'), text: await response.text() };
  }, await link.getAttribute('href'));
  check(fetched.status === 200 && fetched.text === PDF && fetched.disposition.startsWith('attachment'),
    'the file downloaded is the one sent, as an attachment');
  await accessible(page, 'consultation page with an attached file');
  await page.close();

  const martine = await openPage('attachment, another representative');
  await signIn(martine, info.tokens.martine);
  await martine.getByRole('link', { name: 'Consultations', exact: true }).click();
  await martine.locator('main table').getByRole('link', { name: subject }).first().click();
  await martine.getByRole('heading', { level: 1, name: subject }).waitFor();
  check(await martine.locator('a.attachment').count() === 0, 'a representative sees no link to an inhabitant’s file');
  await martine.close();
}
