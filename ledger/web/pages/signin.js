// Connexion: signing in with a token, or browsing a CPTS's public record.

import { openSession } from '../api.js';
import { t } from '../i18n.js';
import { esc, errorText, field, resultSlot } from '../ui.js';
import { session, shell, communityParam } from '../state.js';

export function signinPage() {
  return `<h1>${esc(t('web-signin-title'))}</h1>
    <form id="signin-form"><p>${esc(t('web-signin-intro'))}</p>
      ${field('si-token', t('web-token-label'), '<input type="password" id="si-token" name="token" autocomplete="off" required>')}
      <button type="submit">${esc(t('web-signin-button'))}</button>${resultSlot}</form>
    <section aria-labelledby="h-public"><h2 id="h-public">${esc(t('web-public-title'))}</h2><p>${esc(t('web-public-intro'))}</p>
    <form id="public-form">${field('si-community', t('web-community-id-label'), `<input type="text" id="si-community" name="cpts" required value="${esc(communityParam() || '')}">`)}
      <button type="submit" class="secondary">${esc(t('web-browse-public'))}</button></form></section>`;
}

function afterSignin() {
  const form = document.getElementById('signin-form');
  if (form) form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      await openSession(new FormData(form).get('token').trim());
      // One boot: replacing the address fires no hashchange, which would boot a second time.
      history.replaceState(null, '', '#/');
      await shell.boot();
    } catch (error) {
      session.viewer = null;
      const out = form.querySelector('.form-result');
      out.textContent = errorText(error);
      out.className = 'form-result error';
    }
  });
  const pub = document.getElementById('public-form');
  if (pub) pub.addEventListener('submit', (event) => {
    event.preventDefault();
    location.hash = `#/public?cpts=${encodeURIComponent(new FormData(pub).get('cpts').trim())}`;
  });
}

export const routes = {
  connexion: { page: signinPage, after: afterSignin, nav: 'web-nav-signin', navOrder: 100, public: true },
};
