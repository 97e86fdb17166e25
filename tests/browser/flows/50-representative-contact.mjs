// A representative chooses to be told by e-mail, then withdraws the address, from the
// notifications page; a malformed address is refused beside the field.

export default async function representativeContact({ info, send, check, openPage, signIn, accessible }) {
  const page = await openPage('representative contact');
  await signIn(page, info.tokens.karim);
  await page.getByRole('link', { name: /^Notifications/ }).click();
  await page.getByRole('heading', { level: 1, name: 'Notifications' }).waitFor();
  const form = page.locator('form#own-contact');
  await form.getByLabel('Adresse électronique').fill('karim@');
  await form.getByRole('button', { name: 'Enregistrer' }).click();
  const refused = form.locator('#own-contact-email-error');
  await refused.waitFor({ state: 'visible' });
  check((await refused.innerText()).length > 5 && await form.getByLabel('Adresse électronique').getAttribute('aria-invalid') === 'true',
    `a malformed address is refused beside the field (${await refused.innerText()})`);
  await form.getByLabel('Adresse électronique').fill('karim.benali@example.org');
  await form.getByLabel('Langue des messages').selectOption('EN');
  let said = await send(page, form, 'Enregistrer');
  check(said.length > 0, `the address is recorded (${said})`);
  said = await send(page, page.locator('form#own-contact-withdraw'), 'Retirer mon adresse');
  check(said.length > 0, `the address is withdrawn (${said})`);
  await accessible(page, 'a representative’s contact');
  await page.close();
}
