// The home page of the staff: compliance checks, how the promise is kept, the answers due, the
// consultations open and the latest decisions.

import { gql, ApiError } from '../api.js';
import { t, label, pick } from '../i18n.js';
import { esc, fmtDate, excerpt, table } from '../ui.js';
import { session, shell, isStaff, canWrite } from '../state.js';
import { commandForm } from '../forms.js';
import { decisionsPage } from './decisions.js';

/** The communes of a territory, typed one per line: its INSEE code, then its name. */
function territory(lines) {
  const communes = [];
  for (const line of String(lines || '').split('\n').map((l) => l.trim()).filter(Boolean)) {
    const [, insee, name] = line.match(/^(\S+)\s+(.+)$/) || [];
    if (!insee) throw new ApiError(t('web-territory-line', line), null, 'INVALID_INPUT', 'territory');
    communes.push({ insee, name: name.trim() });
  }
  return communes;
}

/** A coordinator whose CPTS is not registered yet starts there: its name and its territory. */
function registerCommunityPage() {
  return `<h1>${esc(t('web-register-community-title'))}</h1>
    <p>${esc(t('web-register-community-intro'))}</p>
    ${commandForm({ id: 'register-community', title: 'web-form-register-community', button: 'web-button-register-community', mutation: 'registerCommunity', inputType: 'RegisterCommunityInput',
      fields: [
        { name: 'name', label: 'name', required: true, maxlength: 200 },
        { name: 'territory', label: 'web-field-territory', kind: 'textarea', required: true, rows: 6, hint: 'web-field-territory-hint' },
      ],
      input: (values) => ({ name: values.name, territory: territory(values.territory) }),
      done: () => shell.boot() })}`;
}

/** Where the coordinator does what a failing check asks: the page, and the form it opens. */
const WHERE_TO_ACT = {
  at_least_two_active_representatives: '#/membres?ouvrir=grant-mandate',
  users_college_exists_and_seated: '#/membres?ouvrir=seat-in-college',
  travel_expenses_rule_adopted: '#/membres?ouvrir=adopt-internal-rules',
  cadre_intervention_for_each_representative: '#/membres?ouvrir=write-cadre',
  representatives_in_each_moment: '#/consultations',
};

export async function dashboardPage() {
  if (!isStaff()) return decisionsPage();
  if (canWrite() && !session.viewer.communityName) return registerCommunityPage();
  const data = await gql(`{ register { checks { code ok detail detailEn whatToDo whatToDoEn } }
    consultations { id subject rung open closesOn answerDeadline contributions
      promiseKeeping { owed answeredOnTime answeredLate unansweredNotDue unansweredOverdue } }
    answersDue(withinDays: 30) { subject author authorEn text submittedOn answerDeadline standing daysLate publishedOn
      decisions { id title } }
    decisions(first: 5) { edges { node { id title status votedOn } } } }`);
  const act = (code) => (canWrite() && WHERE_TO_ACT[code] ? ` <a href="${WHERE_TO_ACT[code]}">${esc(t('web-act-now'))}</a>` : '');
  const checks = data.register.checks.map((c) => `<li class="card"><h3>${c.ok
    ? `<span class="status-ok">✓ ${esc(t('web-check-ok'))}</span>` : `<span class="status-bad">✗ ${esc(t('web-check-fails'))}</span>`} — ${esc(pick(c.detail, c.detailEn))}</h3>
    ${c.ok ? '' : `<p>${esc(t('web-what-to-do', pick(c.whatToDo, c.whatToDoEn)))}${act(c.code)}</p>`}</li>`).join('');
  const totals = { onTime: 0, late: 0, overdue: 0, notDue: 0 };
  for (const c of data.consultations) {
    const p = c.promiseKeeping;
    if (!p) continue;
    totals.onTime += p.answeredOnTime; totals.late += p.answeredLate;
    totals.overdue += p.unansweredOverdue; totals.notDue += p.unansweredNotDue;
  }
  // The contributions to see to, named as a person reads them (subject, author, text, dates),
  // each with the decision where it is answered; their standing is the API's, never worked out
  // here. Those no decision took up are listed too, with the way to their consultation.
  const standingTag = (d) => {
    const css = d.standing === 'OVERDUE' ? 'status-bad' : d.daysLate != null ? 'status-late' : '';
    return `<span class="${css}">${esc(label('standing', d.standing))}</span>${d.publishedOn ? ` — ${esc(fmtDate(d.publishedOn))}` : ''}`;
  };
  const dueRow = (d) => [
    esc(excerpt(d.text)),
    esc(pick(d.author, d.authorEn)),
    esc(d.subject),
    esc(fmtDate(d.submittedOn)),
    esc(fmtDate(d.answerDeadline)),
    standingTag(d),
    d.decisions.length
      ? d.decisions.map((dec) => `<a href="#/decision/${esc(dec.id)}">${esc(dec.title)}</a>`).join('<br>')
      : `<a href="#/consultations">${esc(t('web-no-decision-yet'))}</a>`,
  ];
  const dueHeaders = [t('contribution'), t('web-author'), t('consultation'), t('web-submitted-on'), t('deadline'), t('status'), t('web-answer-where')];
  const lateRows = data.answersDue.filter((d) => d.daysLate != null).map(dueRow);
  const soonRows = data.answersDue.filter((d) => d.daysLate == null).map(dueRow);
  const open = data.consultations.filter((c) => c.open);
  const latest = data.decisions.edges.slice(0, 5).map(({ node }) =>
    `<li><a href="#/decision/${esc(node.id)}">${esc(node.title)}</a> — ${esc(label('status', node.status))}${node.votedOn ? `, ${esc(fmtDate(node.votedOn))}` : ''}</li>`).join('');
  return `<h1>${esc(t('web-dashboard-title'))}</h1>
    <section aria-labelledby="h-checks"><h2 id="h-checks">${esc(t('web-checks-title'))}</h2><ul class="cards">${checks}</ul></section>
    <section aria-labelledby="h-promise"><h2 id="h-promise">${esc(t('web-promise-title'))}</h2>
      <ul class="cards" id="promise-figures">
        <li class="card"><h3>${esc(t('standing-answered_on_time'))}</h3><p class="figure status-ok">${totals.onTime}</p></li>
        <li class="card"><h3>${esc(t('standing-answered_late'))}</h3><p class="figure status-late">${totals.late}</p></li>
        <li class="card"><h3>${esc(t('standing-overdue'))}</h3><p class="figure status-bad">${totals.overdue}</p></li>
        <li class="card"><h3>${esc(t('standing-pending'))}</h3><p class="figure">${totals.notDue}</p></li>
      </ul>
      <div id="late-list">${lateRows.length ? table(t('web-late-title'), dueHeaders, lateRows) : `<p>${esc(t('web-no-late'))}</p>`}</div>
      <p><a href="#/echeances">${esc(t('web-all-deadlines'))}</a></p>
      <div id="due-soon-list">${soonRows.length ? table(t('web-due-soon-title'), dueHeaders, soonRows) : `<p>${esc(t('web-no-due-soon'))}</p>`}</div>
    </section>
    <section aria-labelledby="h-open"><h2 id="h-open">${esc(t('web-open-title'))}</h2>
      ${open.length ? `<ul id="open-consultations">${open.map((c) => `<li><a href="#/consultations">${esc(c.subject)}</a> — ${esc(label('rung', c.rung))}, ${esc(t('web-closes-on'))} ${esc(fmtDate(c.closesOn))} — <span class="contribution-count">${esc(t('contributions'))} : ${c.contributions}</span></li>`).join('')}</ul>` : `<p>${esc(t('web-none-open'))}</p>`}
    </section>
    <section aria-labelledby="h-latest"><h2 id="h-latest">${esc(t('web-latest-title'))}</h2><ul>${latest}</ul></section>`;
}

export const routes = {
  '': { page: dashboardPage, nav: 'web-nav-dashboard', navOrder: 10, staff: true },
};
