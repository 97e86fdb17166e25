// Notifications: what the service told the signed-in member, read or not, and the unread badge
// of the navigation.

import { gql } from '../api.js';
import { t } from '../i18n.js';
import { esc, fmtMoment, errorText, main } from '../ui.js';
import { session, shell } from '../state.js';
import { confirm, commandForm } from '../forms.js';

/** `3 non lues`: the unread count in words. */
const unreadText = (count) => `${count} ${t(count === 1 ? 'web-unread-one' : 'web-unread-many')}`;

/** The notifications link's text, with its badge: seen as `Notifications 3`, read by a screen
 * reader as `Notifications 3 non lues` (the link's accessible name). */
export function notificationsLink() {
  const name = esc(t('web-nav-notifications'));
  if (!session.unread) return name;
  const words = t(session.unread === 1 ? 'web-unread-one' : 'web-unread-many');
  return `${name} <span class="badge" id="unread-badge">${session.unread}</span>`
    + `<span class="visually-hidden"> ${esc(words)}</span>`;
}

export function showUnread() {
  const link = document.getElementById('nav-notifications');
  if (link) link.innerHTML = notificationsLink();
}

/** Re-reads the unread count of the signed-in member and updates the badge. */
export async function refreshUnread() {
  if (!session.viewer?.memberId) { session.unread = null; return; }
  try {
    const { notifications } = await gql('{ notifications { read } }');
    session.unread = notifications.filter((n) => !n.read).length;
  } catch {
    return; // the badge keeps its last count; the page says what failed
  }
  showUnread();
}

async function notificationsPage() {
  const { notifications } = await gql('{ notifications { key title body read createdAt decisionId decisionTitle } }');
  session.unread = notifications.filter((n) => !n.read).length;
  const items = notifications.map((n) => `<li class="card notification ${n.read ? 'read' : 'unread'}">
      <h2 id="nt-${esc(n.key)}" tabindex="-1">${esc(n.title)}</h2>
      <p class="notification-meta"><span class="tag ${n.read ? '' : 'status-unread'}">${esc(t(n.read ? 'web-notification-read' : 'web-notification-unread'))}</span>
        ${esc(t('web-notification-received', ''))}<time datetime="${esc(n.createdAt)}">${esc(fmtMoment(n.createdAt))}</time></p>
      <p class="notification-body">${esc(n.body)}</p>
      ${n.decisionId ? `<p><a href="#/decision/${esc(n.decisionId)}">${esc(t('web-notification-see-decision', n.decisionTitle || ''))}</a></p>` : ''}
      ${n.read ? '' : `<button type="button" class="secondary mark-read" data-key="${esc(n.key)}" aria-describedby="nt-${esc(n.key)}">${esc(t('web-mark-read'))}</button>`}
    </li>`).join('');
  return `<h1>${esc(t('web-nav-notifications'))}</h1><p>${esc(t('web-notifications-intro'))}</p>
    ${session.unread ? `<p><strong id="unread-count">${esc(unreadText(session.unread))}</strong>
      <button type="button" id="mark-all-read">${esc(t('web-mark-all-read'))}</button></p>` : ''}
    ${notifications.length ? `<ul class="notifications">${items}</ul>` : `<p>${esc(t('web-no-notification'))}</p>`}
    ${contactForms()}`;
}

/** The member's own contact: an address to be told by e-mail, in a language, or none. */
function contactForms() {
  const memberId = session.viewer?.memberId;
  if (!memberId) return '';
  return `<section aria-labelledby="h-contact"><h2 id="h-contact">${esc(t('web-contact-title'))}</h2><p>${esc(t('web-contact-intro'))}</p>
    ${commandForm({ id: 'own-contact', level: 3, title: 'web-form-own-contact', button: 'web-button-record', mutation: 'setContact', inputType: 'SetContactInput',
      fixed: { memberId },
      fields: [
        { name: 'email', label: 'web-field-email', kind: 'email', required: true, maxlength: 320 },
        { name: 'language', label: 'web-field-language', kind: 'select', required: true, value: 'FR', options: [['FR', 'Français'], ['EN', 'English']] },
      ] })}
    ${commandForm({ id: 'own-contact-withdraw', level: 3, title: 'web-form-own-contact-withdraw', intro: 'web-own-contact-withdraw-intro', button: 'web-button-withdraw-contact', secondary: true, mutation: 'withdrawContact', inputType: 'WithdrawContactInput',
      fixed: { memberId }, fields: [] })}</section>`;
}


function afterNotifications() {
  for (const button of main().querySelectorAll('button.mark-read')) {
    button.addEventListener('click', async () => {
      button.disabled = true;
      const { key } = button.dataset;
      try {
        await gql('mutation($key: ID!) { markNotificationRead(key: $key) }', { key });
        confirm(t('web-marked-read'));
        await shell.render({ keepFocus: true });
        document.getElementById(`nt-${key}`)?.focus();
        document.getElementById('live-status').textContent = t('web-marked-read');
      } catch (error) {
        button.disabled = false;
        button.insertAdjacentHTML('afterend', `<p class="error" role="alert">${esc(errorText(error))}</p>`);
      }
    });
  }
  const all = document.getElementById('mark-all-read');
  if (all) all.addEventListener('click', async () => {
    all.disabled = true;
    try {
      await gql('mutation { markAllNotificationsRead }');
      confirm(t('web-marked-all-read'));
      await shell.render({ keepFocus: true });
      document.getElementById('form-confirmation')?.focus();
      document.getElementById('live-status').textContent = t('web-marked-all-read');
    } catch (error) {
      all.disabled = false;
      all.insertAdjacentHTML('afterend', `<p class="error" role="alert">${esc(errorText(error))}</p>`);
    }
  });
}

export const routes = {
  notifications: { page: notificationsPage, after: afterNotifications, nav: 'web-nav-notifications', navOrder: 50, member: true, navLink: notificationsLink },
};
