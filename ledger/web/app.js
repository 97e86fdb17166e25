// The governance dashboard's shell: French first, no framework, no build step. Routes live in
// the URL's hash (#/decisions, #/decision/<id>, …); each page is a module of `pages/` that
// exports its `routes` and reads what it shows from /graphql; staff pages re-read when the
// `events` subscription says the ledger changed. A page module is added to `PAGES` below.

import { gql, closeSession, subscribeEvents, subscribeNotifications } from './api.js';
import { t, lang, setLang } from './i18n.js';
import { esc, main, errorText } from './ui.js';
import { session, shell, communityParam, isStaff, canWrite } from './state.js';
import { showConfirmation, resetForms, bindCommandForms } from './forms.js';
import * as dashboard from './pages/dashboard.js';
import * as deadlines from './pages/deadlines.js';
import * as decisions from './pages/decisions.js';
import * as consultations from './pages/consultations.js';
import * as consultation from './pages/consultation.js';
import * as mine from './pages/mine.js';
import * as notifications from './pages/notifications.js';
import * as members from './pages/members.js';
import * as access from './pages/access.js';
import * as journal from './pages/journal.js';
import * as report from './pages/report.js';
import * as signin from './pages/signin.js';

const PAGES = [dashboard, deadlines, decisions, consultations, consultation, mine, notifications, members, access, journal, report, signin];

/**
 * Every route: `page(params, arg)` returns the page's HTML, `after()` binds what it holds;
 * `nav` (a catalogue key) and `navOrder` put it in the navigation; `coordinator`, `staff`,
 * `member`, `signedIn`, `public` or `any` say who may open it; `navParent()` names the navigation entry
 * a page without its own belongs to.
 */
const ROUTES = Object.assign({}, ...PAGES.map((p) => p.routes));

let stopLive = null;
let stopNotifications = null;
let renderSeq = 0;

function allowed(route) {
  if (route.any) return true;
  if (route.coordinator) return canWrite();
  if (route.staff) return isStaff();
  if (route.member) return Boolean(session.viewer?.memberId);
  if (route.signedIn) return Boolean(session.viewer);
  if (route.public) return !session.viewer;
  return true;
}

function parseHash() {
  const [path, query] = (location.hash.replace(/^#\/?/, '') || '').split('?');
  const [name, ...rest] = path.split('/');
  return { name: name || '', arg: rest.length ? decodeURIComponent(rest.join('/')) : undefined, params: new URLSearchParams(query || '') };
}

function renderChrome() {
  const { viewer, publicCommunityName } = session;
  document.documentElement.lang = lang();
  const cptsName = viewer?.communityName || publicCommunityName;
  document.title = `${cptsName ? `${cptsName} — ` : ''}${t('web-app-title')}`;
  document.getElementById('site-title').textContent = t('web-app-title');
  document.getElementById('skip-link').textContent = t('web-skip');
  document.getElementById('nav').setAttribute('aria-label', t('web-nav-label'));
  document.getElementById('footer-text').textContent = t('web-footer');
  document.getElementById('community-name').textContent = viewer?.communityName || publicCommunityName;
  const switcher = document.getElementById('lang-switch');
  switcher.textContent = t('web-switch-to');
  switcher.lang = lang() === 'fr' ? 'en' : 'fr';
  const out = document.getElementById('sign-out');
  out.textContent = t('web-sign-out');
  out.hidden = !session.viewer;
  document.getElementById('who').textContent = viewer && viewer.role !== 'public'
    ? t('web-signed-in-as', t(`role-${viewer.role}`)) : t('web-public-visitor');
  const { name } = parseHash();
  const current = ROUTES[name]?.navParent ? ROUTES[name].navParent() : name;
  const community = communityParam();
  document.getElementById('nav-list').innerHTML = Object.entries(ROUTES)
    .filter(([, r]) => r.nav && allowed(r))
    .sort(([, a], [, b]) => a.navOrder - b.navOrder)
    .map(([key, r]) => {
      const href = key === 'public' && community ? `#/public?cpts=${encodeURIComponent(community)}` : `#/${key}`;
      const here = key === current ? ' aria-current="page"' : '';
      return `<li><a href="${href}" id="nav-${esc(key || 'home')}"${here}>${r.navLink ? r.navLink() : esc(t(r.nav))}</a></li>`;
    }).join('');
}

/** Renders the page of the current hash. */
async function render({ keepFocus = false, fromLive = false } = {}) {
  const seq = ++renderSeq;
  renderChrome();
  let { name } = parseHash();
  const { arg, params } = parseHash();
  if (!session.viewer && name === '') name = communityParam() ? 'public' : 'connexion';
  if (session.viewer && !isStaff() && name === '') name = session.viewer.memberId ? 'mes-contributions' : 'decisions';
  const route = ROUTES[name];
  let html;
  let after;
  resetForms();
  try {
    if (!route) html = `<h1>${esc(t('web-not-found'))}</h1>`;
    else if (!allowed(route)) html = `<h1>${esc(t('web-forbidden'))}</h1>`;
    else {
      html = await route.page(params, arg);
      after = route.after;
    }
  } catch (error) {
    html = `<h1>${esc(t(route?.nav || 'web-not-found'))}</h1><p class="error">${esc(errorText(error))}</p>`;
  }
  if (seq !== renderSeq) return;
  if (name === 'notifications') notifications.showUnread(); else notifications.refreshUnread();
  if (fromLive && formBusy()) return; // never wipe a form being filled in
  const scroll = window.scrollY;
  // A form panel the reader opened stays open when the page is drawn again.
  const opened = new Set([...main().querySelectorAll('details[open][id]')].map((d) => d.id));
  main().innerHTML = html;
  if (main().dataset.page === name) for (const id of opened) document.getElementById(id)?.setAttribute('open', '');
  main().dataset.page = name;
  bindCommandForms();
  if (after) after();
  // `?ouvrir=<form>`: a link that sends the reader to a form opens its panel.
  const asked = params.get('ouvrir') && document.getElementById(`${params.get('ouvrir')}-panel`);
  if (asked && !fromLive && !keepFocus) {
    asked.setAttribute('open', '');
    asked.scrollIntoView();
    asked.querySelector('summary')?.focus({ preventScroll: true });
  }
  showConfirmation();
  if (fromLive || keepFocus) window.scrollTo(0, scroll);
  else if (!asked) main().focus({ preventScroll: true });
  main().dataset.rendered = String(Date.now());
}

// ---------------------------------------------------------------- live updates

let liveTimer;
/** Whether a form of the page is being filled in: a live update must not wipe it. */
function formBusy() {
  return [...main().querySelectorAll('form')].some((f) => f.dataset.dirty === '1'
    || (f.contains(document.activeElement) && f.id !== 'decision-filters'));
}

function onLiveEvent(event) {
  clearTimeout(liveTimer);
  liveTimer = setTimeout(() => {
    const status = document.getElementById('live-status');
    status.textContent = t('web-live-updated', t(`event-${event.eventType}`));
    if (!formBusy()) render({ fromLive: true });
  }, 250);
}

/** A notification arrived: the badge counts it, and the notifications page shows it. */
function onNotification(notification) {
  document.getElementById('live-status').textContent = t('web-notification-arrived', notification.title);
  if (parseHash().name === 'notifications' && !formBusy()) render({ fromLive: true });
  else notifications.refreshUnread();
}

function startLive() {
  stopLive?.();
  stopLive = null;
  stopNotifications?.();
  stopNotifications = null;
  if (session.viewer && isStaff()) stopLive = subscribeEvents(onLiveEvent, (on) => { document.body.dataset.live = on ? 'on' : 'off'; });
  if (session.viewer?.memberId) {
    stopNotifications = subscribeNotifications(onNotification, (on) => { document.body.dataset.notifications = on ? 'on' : 'off'; });
  }
}

const VIEWER = 'query($c: ID) { viewer(communityId: $c) { role communityId communityName memberId readsEverything colleges { id name isUsersCollege } bodies { id kind name } } }';

/** Reads who is signed in (the session's cookie goes with every request); without a session,
 * the CPTS named in the address, browsed publicly. */
async function loadViewer() {
  session.publicCommunityName = '';
  let signed = null;
  try {
    signed = (await gql(VIEWER, { c: null })).viewer;
  } catch {
    signed = null; // no session, or one that ended: public
  }
  if (signed && signed.role !== 'public') {
    session.viewer = signed;
    return;
  }
  session.viewer = null;
  const community = communityParam();
  if (!community) return;
  const data = await gql(VIEWER, { c: community }, { anonymous: true });
  session.publicCommunityName = data.viewer.communityName || '';
}

async function boot() {
  try {
    await loadViewer();
  } catch {
    session.viewer = null;
  }
  startLive();
  await render();
}

shell.render = render;
shell.boot = boot;
shell.loadViewer = loadViewer;

document.getElementById('lang-switch').addEventListener('click', () => {
  setLang(lang() === 'fr' ? 'en' : 'fr');
  render({ keepFocus: true });
});
document.getElementById('sign-out').addEventListener('click', async () => {
  await closeSession();
  session.viewer = null;
  session.unread = null;
  stopLive?.();
  stopNotifications?.();
  history.replaceState(null, '', '#/connexion'); // no hashchange: one boot
  boot();
});
window.addEventListener('hashchange', () => {
  if (!session.viewer) boot(); else render();
});
setLang(lang());
boot();
