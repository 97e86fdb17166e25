// Accès: the coordinator invites a member (a token shown once, to hand over) and lists and
// revokes the CPTS's tokens. A token opens a session in the browser it is typed in.

import { gql } from '../api.js';
import { t } from '../i18n.js';
import { esc, fmtDate, fmtMoment, table, addDays, today, errorText } from '../ui.js';
import { shell } from '../state.js';
import { commandForm, confirm } from '../forms.js';

/** The token issued last, shown once on the page that issued it, then forgotten. */
let issued = null;

const ROLES = ['representative', 'board_member', 'auditor', 'coordinator'];

function stateCell(token) {
  if (token.revokedAt) return `<span class="status-bad">${esc(t('web-token-revoked-on', fmtDate(token.revokedAt)))}</span>`;
  if (!token.inForce) return `<span class="status-late">${esc(t('web-token-expired'))}</span>`;
  return `<span class="status-ok">${esc(t('web-token-in-force'))}</span>`;
}

async function accessPage() {
  const data = await gql('{ tokens { id label role memberName createdAt expiresAt revokedAt inForce } members { id name departedOn } }');
  const shown = issued;
  issued = null;
  const rows = data.tokens.map((token) => [
    esc(token.label), esc(t(`role-${token.role}`)), esc(token.memberName || ''), token.createdAt ? esc(fmtMoment(token.createdAt)) : '',
    token.expiresAt ? esc(fmtDate(token.expiresAt)) : '', stateCell(token),
    token.inForce ? `<button type="button" class="secondary revoke-token" data-token="${esc(token.id)}" aria-label="${esc(t('web-revoke-named', token.label))}">${esc(t('web-revoke'))}</button>` : '']);
  const secret = shown ? `<div class="notice" id="issued-token" role="status"><p><strong>${esc(t('web-token-issued', shown.label))}</strong></p>
      <p>${esc(t('web-token-once'))}</p><p><code id="issued-secret">${esc(shown.secret)}</code>
      <button type="button" class="secondary" id="copy-secret">${esc(t('web-copy'))}</button></p></div>` : '';
  const members = data.members.filter((m) => !m.departedOn).map((m) => [m.id, m.name]);
  return `<h1>${esc(t('web-access-title'))}</h1><p>${esc(t('web-access-intro'))}</p>
    ${secret}
    ${commandForm({ id: 'issue-token', title: 'web-form-issue-token', intro: 'web-issue-token-intro', button: 'web-button-issue-token', mutation: 'issueToken', inputType: 'IssueTokenInput',
      returns: 'id secret label role memberName expiresAt',
      fields: [
        { name: 'role', label: 'web-field-role', kind: 'select', required: true, value: 'representative', options: ROLES.map((r) => [r, t(`role-${r}`)]) },
        { name: 'memberId', label: 'web-field-member', kind: 'select', options: [['', t('web-no-member-chosen')], ...members], hint: 'web-field-token-member-hint' },
        { name: 'label', label: 'web-field-token-label', required: true, maxlength: 200, hint: 'web-field-token-label-hint' },
        { name: 'expiresOn', label: 'web-field-expires-on', kind: 'date', value: addDays(today(), 365), min: today(), max: addDays(today(), 5 * 365) },
      ],
      done: (result) => { issued = result; } })}
    <section aria-labelledby="h-tokens"><h2 id="h-tokens">${esc(t('web-tokens-title'))}</h2>
    ${table(t('web-tokens-title'), [t('web-field-token-label'), t('web-field-role'), t('web-field-member'), t('web-created-at'), t('web-field-expires-on'), t('status'), ''], rows) || `<p>${esc(t('web-no-token'))}</p>`}</section>`;
}

function afterAccess() {
  document.getElementById('copy-secret')?.addEventListener('click', async () => {
    await navigator.clipboard?.writeText(document.getElementById('issued-secret').textContent);
    document.getElementById('live-status').textContent = t('web-copied');
  });
  for (const button of document.querySelectorAll('button.revoke-token')) {
    button.addEventListener('click', async () => {
      button.disabled = true;
      try {
        await gql('mutation($id: ID!) { revokeToken(id: $id) }', { id: button.dataset.token });
        confirm(t('web-token-revoked'));
      } catch (error) {
        confirm(errorText(error));
      }
      await shell.render({ keepFocus: true });
    });
  }
}

export const routes = {
  acces: { page: accessPage, after: afterAccess, nav: 'web-nav-access', navOrder: 70, coordinator: true },
};
