// Onboarding from the dashboard: the coordinator invites a representative (the token shown
// once), the representative signs in once and every tab of their browser is signed in; revoking
// the token closes that session at once; signing out ends it in every tab.

export default async function access({ info, check, openPage, newTab, signIn, accessible, shot }) {
  const coordinator = await openPage('access: coordinator');
  await signIn(coordinator, info.tokens.coordinator);
  await coordinator.getByRole('link', { name: 'Accès', exact: true }).click();
  await coordinator.getByRole('heading', { level: 1, name: 'Accès au registre' }).waitFor();
  const form = coordinator.locator('form#issue-token');
  await form.getByLabel('Rôle').selectOption('representative');
  await form.getByLabel('Membre').selectOption({ label: 'Karim Benali' });
  await form.getByLabel('Libellé').fill('Karim Benali — tablette');
  await form.getByRole('button', { name: 'Créer le jeton' }).click();
  await coordinator.locator('#issued-secret').waitFor();
  const secret = (await coordinator.locator('#issued-secret').innerText()).trim();
  check(/^cpts_\S{20,}$/.test(secret), 'the new token is shown once, to hand over');
  const row = coordinator.locator('section:has(#h-tokens) tbody tr', { hasText: 'Karim Benali — tablette' });
  check((await row.innerText()).includes('en vigueur') && !(await row.innerText()).includes(secret), 'the list shows the token in force, without its secret');
  await accessible(coordinator, 'access page');
  await shot(coordinator, 'acces');
  await coordinator.reload();
  await coordinator.getByRole('heading', { level: 1, name: 'Accès au registre' }).waitFor();
  check(await coordinator.locator('#issued-secret').count() === 0 && !(await coordinator.locator('main').innerText()).includes(secret),
    'once the page is left, the secret is never shown again');

  // The representative signs in once; a second tab of the same browser is signed in too.
  const karim = await openPage('access: representative');
  await signIn(karim, secret);
  const second = await newTab(karim, 'access: representative, second tab');
  await second.goto(info.url);
  await second.locator('#who').filter({ hasText: 'Connecté·e' }).waitFor();
  check((await second.locator('#who').innerText()).includes('représentant'), 'a second tab is signed in with the same session');

  // Revoked: the session is closed at once (the second tab may hear it before it reloads).
  second.sessionEnded = true;
  await coordinator.locator('section:has(#h-tokens) tbody tr', { hasText: 'Karim Benali — tablette' }).getByRole('button', { name: 'Révoquer' }).click();
  await coordinator.locator('section:has(#h-tokens) tbody tr', { hasText: 'Karim Benali — tablette' }).filter({ hasText: 'révoqué le' }).waitFor();
  check(await coordinator.locator('section:has(#h-tokens) tbody tr', { hasText: 'Karim Benali — tablette' }).getByRole('button', { name: 'Révoquer' }).count() === 0,
    'the revoked token is listed as revoked, with nothing left to revoke');
  await second.reload();
  await second.getByRole('heading', { level: 1, name: 'Connexion' }).waitFor();
  check(await second.locator('#sign-out').isHidden(), 'after the revocation, the representative’s tabs are signed out');

  // Signing out ends the session in every tab.
  const martine = await openPage('access: sign-out');
  await signIn(martine, info.tokens.martine);
  const other = await newTab(martine, 'access: sign-out, second tab');
  await other.goto(info.url);
  await other.locator('#who').filter({ hasText: 'Connecté·e' }).waitFor();
  // The other tab may hear of the sign-out (a live update refused) before it reloads.
  other.sessionEnded = true;
  await martine.getByRole('button', { name: 'Se déconnecter' }).click();
  await martine.getByRole('heading', { level: 1, name: 'Connexion' }).waitFor();
  await other.reload();
  await other.getByRole('heading', { level: 1, name: 'Connexion' }).waitFor();
  check(await other.locator('#sign-out').isHidden() && (await other.locator('#who').innerText()).includes('Consultation publique'),
    'signing out in one tab signs out the others');
  for (const page of [coordinator, karim, second, martine, other]) await page.close();
}
