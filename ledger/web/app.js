// The governance dashboard: a few pages over the GraphQL API, French first, no framework.
// Routes live in the URL's hash (#/decisions, #/decision/<id>, …); each page reads what it
// shows from /graphql, and staff pages re-read when the `events` subscription says the ledger
// changed.

import { gql, token, setToken, subscribeEvents, subscribeNotifications, ApiError } from './api.js';
import { t, label, values, lang, setLang, pick } from './i18n.js';

/** Who is signed in: the answer of `viewer`, or null. */
let viewer = null;
/** The name of the CPTS browsed without a token. */
let publicCommunityName = '';
let stopLive = null;
let stopNotifications = null;
/** How many notifications of the signed-in member are unread (null: not known, or no member). */
let unread = null;
let renderSeq = 0;

// ---------------------------------------------------------------- formatting and forms

const esc = (value) => String(value ?? '').replace(/[&<>"']/g,
  (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
const today = () => new Date().toISOString().slice(0, 10);
const addDays = (date, days) => {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
};
const fmtDate = (date) => {
  if (!date) return '';
  const d = new Date(`${String(date).slice(0, 10)}T00:00:00Z`);
  return d.toLocaleDateString(lang() === 'en' ? 'en-GB' : 'fr-FR', { timeZone: 'UTC', day: 'numeric', month: 'long', year: 'numeric' });
};
const percent = (share) => (share == null ? '–' : `${Math.round(share * 100)} %`);
const errorText = (error) => (error instanceof ApiError ? pick(error.message, error.messageEn) : String(error.message || error));
const communityParam = () => new URLSearchParams(location.search).get('cpts')
  || new URLSearchParams(location.hash.split('?')[1] || '').get('cpts');
const isStaff = () => viewer?.readsEverything;
const role = () => viewer?.role || 'public';
const canWrite = () => role() === 'coordinator';
const canAnswer = () => role() === 'coordinator' || role() === 'board_member';

function field(id, text, control, hint = '') {
  return `<div class="field"><label for="${id}">${esc(text)}</label>${hint ? `<p class="hint" id="${id}-hint">${esc(hint)}</p>` : ''}${control}</div>`;
}
function select(id, name, options, { required = false, selected = '' } = {}) {
  const opts = options.map(([value, text]) => `<option value="${esc(value)}"${value === selected ? ' selected' : ''}>${esc(text)}</option>`).join('');
  return `<select id="${id}" name="${name}"${required ? ' required' : ''}>${opts}</select>`;
}
const vocabulary = (name, withAny = false) =>
  [...(withAny ? [['', t('web-any')]] : []), ...values(name).map((v) => [v.toUpperCase(), label(name, v)])];

function table(caption, headers, rows, { numeric = [] } = {}) {
  if (!rows.length) return '';
  const head = headers.map((h, i) => `<th scope="col"${numeric.includes(i) ? ' class="num"' : ''}>${esc(h)}</th>`).join('');
  const body = rows.map((cells) => `<tr>${cells.map((c, i) => `<td${numeric.includes(i) ? ' class="num"' : ''}>${c}</td>`).join('')}</tr>`).join('');
  return `<table><caption>${esc(caption)}</caption><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

function main() { return document.getElementById('main'); }

// What a mutation asks back: the record, and the sentences naming what was recorded, in the
// Journal's words.
const SAVED = 'aggregateId summary summaryEn';

/** The confirmation of the last form saved, shown on its page until the page changes. */
let confirmation = null;

/** The sentences of a mutation's answer (`{ draftAnswer: { summary, summaryEn } }`). */
function savedLines(result) {
  return Object.values(result || {}).flatMap((r) => (r && Array.isArray(r.summary)
    ? (lang() === 'en' && Array.isArray(r.summaryEn) ? r.summaryEn : r.summary) : []));
}

/** Shows the last confirmation in its form's slot, or at the top of the page if the form is gone. */
function showConfirmation() {
  if (!confirmation) return;
  if (confirmation.hash !== location.hash) { confirmation = null; return; }
  const said = confirmation.results.flatMap(savedLines);
  const lines = said.length ? said : [t('web-saved')];
  const html = lines.map((l) => `<span class="saved-line">${esc(l)}</span>`).join('<br>');
  const slot = document.getElementById(confirmation.formId)?.querySelector('.form-result');
  if (slot) {
    slot.innerHTML = html;
    slot.className = 'form-result saved';
    slot.id = 'form-confirmation';
  } else {
    main().insertAdjacentHTML('afterbegin', `<p class="form-result saved" id="form-confirmation" role="status" tabindex="-1">${html}</p>`);
  }
}

/** Sends a form's mutation, re-renders the page on success and says there what was recorded
 * (the server's error beside the form otherwise). `send` returns the mutation's answer. */
function onSubmit(form, send) {
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const out = form.querySelector('.form-result');
    out.textContent = '';
    out.className = 'form-result';
    const button = form.querySelector('button[type="submit"]');
    button.disabled = true;
    try {
      const result = await send(new FormData(form));
      form.dataset.dirty = '';
      const results = Array.isArray(result) ? result : [result];
      confirmation = { hash: location.hash, formId: form.id, results };
      await render({ keepFocus: true });
      const said = results.flatMap(savedLines);
      document.getElementById('live-status').textContent = (said.length ? said : [t('web-saved')]).join(' ');
    } catch (error) {
      out.textContent = errorText(error);
      out.className = 'form-result error';
      button.disabled = false;
    }
  });
  form.addEventListener('input', () => { form.dataset.dirty = '1'; });
}
const resultSlot = '<p class="form-result" role="status" aria-live="polite"></p>';

/** Says that a contribution was received after its consultation's closing, when and why. */
const lateTag = (late) => (late
  ? `<br><span class="tag late-reception">${esc(t('web-received-late-tag', fmtDate(late.receivedOn), late.reason))}</span>` : '');

// ---------------------------------------------------------------- charts

/** One colour per disposition, each with at least 4.5:1 contrast on white. */
const DISPOSITION_COLOURS = {
  retained: '#18753c', partly_retained: '#3558a2', not_retained: '#b3261e', deferred: '#8a4500', out_of_scope: '#4a4a4a',
};

/** A horizontal bar chart as inline SVG, with a text alternative. */
function barChart(title, bars) {
  const max = Math.max(1, ...bars.map((b) => b.value));
  const rowH = 30;
  const width = 520;
  const labelW = 190;
  const height = bars.length * rowH + 10;
  const colours = ['#3558a2', '#4a4a4a'];
  const rows = bars.map((b, i) => {
    const w = Math.round(((width - labelW - 50) * b.value) / max);
    const y = 5 + i * rowH;
    return `<text x="${labelW - 8}" y="${y + 19}" text-anchor="end" font-size="14" fill="#1e1e1e">${esc(b.label)}</text>`
      + `<rect x="${labelW}" y="${y + 4}" width="${w}" height="${rowH - 10}" fill="${b.colour || colours[i % colours.length]}"></rect>`
      + `<text x="${labelW + w + 6}" y="${y + 19}" font-size="14" fill="#1e1e1e">${b.value}</text>`;
  }).join('');
  const summary = bars.map((b) => `${b.label} : ${b.value}`).join(', ');
  return `<figure class="chart"><svg role="img" aria-labelledby="chart-title chart-desc" viewBox="0 0 ${width} ${height}" width="100%">`
    + `<title id="chart-title">${esc(title)}</title><desc id="chart-desc">${esc(summary)}</desc>${rows}</svg>`
    + `<figcaption>${esc(title)} — ${esc(summary)}</figcaption></figure>`;
}

// ---------------------------------------------------------------- queries

const DECISION_ROW = 'id title status bodyName moment mission proposedOn votedOn trail { shareRetained }';
const DECISION_FULL = `id title text status bodyName moment mission proposedOn votedOn tally { consensus colleges { collegeId votesFor votesAgainst abstentions } } amendments withdrawnOn
  trail { shareRetained counts { disposition count }
    consultations { id subject rung promise promiseEn answerDeadline }
    entries { contributionId consultationId authorName anonymous anonymousCommune kind text submittedOn withdrawnOn withdrawalReason amendedOn amendmentReason
      lateReception { receivedOn reason } disposition rationale publishedOn answerDeadline onTime standing } }
  milestones { happenedOn milestone }
  indicators { indicator period value target reportedOn }`;

// ---------------------------------------------------------------- pages

async function dashboardPage() {
  if (!isStaff()) return decisionsPage();
  const data = await gql(`{ register { checks { code ok detail detailEn whatToDo whatToDoEn } }
    consultations { id subject rung open closesOn answerDeadline contributions
      promiseKeeping { owed answeredOnTime answeredLate unansweredNotDue unansweredOverdue } }
    answersDue(withinDays: 30) { subject author authorEn text submittedOn answerDeadline standing daysLate publishedOn
      decisions { id title } }
    decisions(first: 5) { edges { node { id title status votedOn } } } }`);
  const checks = data.register.checks.map((c) => `<li class="card"><h3>${c.ok
    ? `<span class="status-ok">✓ ${esc(t('web-check-ok'))}</span>` : `<span class="status-bad">✗ ${esc(t('web-check-fails'))}</span>`} — ${esc(pick(c.detail, c.detailEn))}</h3>
    ${c.ok ? '' : `<p>${esc(t('web-what-to-do', pick(c.whatToDo, c.whatToDoEn)))}</p>`}</li>`).join('');
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
  const excerpt = (text) => (text.length > 160 ? `${text.slice(0, 157).replace(/\s+\S*$/, '')}…` : text);
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
      <div id="due-soon-list">${soonRows.length ? table(t('web-due-soon-title'), dueHeaders, soonRows) : `<p>${esc(t('web-no-due-soon'))}</p>`}</div>
    </section>
    <section aria-labelledby="h-open"><h2 id="h-open">${esc(t('web-open-title'))}</h2>
      ${open.length ? `<ul id="open-consultations">${open.map((c) => `<li><a href="#/consultations">${esc(c.subject)}</a> — ${esc(label('rung', c.rung))}, ${esc(t('web-closes-on'))} ${esc(fmtDate(c.closesOn))} — <span class="contribution-count">${esc(t('contributions'))} : ${c.contributions}</span></li>`).join('')}</ul>` : `<p>${esc(t('web-none-open'))}</p>`}
    </section>
    <section aria-labelledby="h-latest"><h2 id="h-latest">${esc(t('web-latest-title'))}</h2><ul>${latest}</ul></section>`;
}

let pageCursors = [null];
async function decisionsPage(params = new URLSearchParams()) {
  const publicView = !token();
  const community = publicView ? communityParam() : null;
  if (publicView && !community) return signinPage();
  const filter = {};
  for (const key of ['status', 'moment', 'mission', 'bodyId', 'proposedFrom', 'proposedTo']) {
    if (params.get(key)) filter[key] = params.get(key);
  }
  const page = Number(params.get('page') || 0);
  const after = params.get('after') || null;
  const data = await gql(`query($c: ID, $f: DecisionFilterInput, $after: String) {
    decisions(communityId: $c, filter: $f, first: 10, after: $after) { totalCount pageInfo { hasNextPage endCursor }
      edges { node { ${DECISION_ROW} } } } ${canWrite() ? 'consultations { id subject }' : ''} }`, { c: community, f: filter, after });
  const rows = data.decisions.edges.map(({ node }) => [
    `<a href="#/decision/${esc(node.id)}${community ? `?cpts=${esc(community)}` : ''}">${esc(node.title)}</a>`,
    esc(node.bodyName), esc(label('status', node.status)), esc(label('moment', node.moment)),
    esc(fmtDate(node.proposedOn)), esc(percent(node.trail?.shareRetained))]);
  const bodies = (viewer?.bodies || []).map((b) => [b.id, b.name]);
  const link = (extra) => {
    const p = new URLSearchParams(params);
    for (const [k, v] of Object.entries(extra)) { if (v == null) p.delete(k); else p.set(k, v); }
    return `#/${publicView ? 'public' : 'decisions'}?${p}`;
  };
  if (page === 0) pageCursors = [null];
  pageCursors[page + 1] = data.decisions.pageInfo.endCursor;
  const prev = page > 0 ? `<a href="${link({ page: page - 1, after: pageCursors[page - 1] })}">${esc(t('web-previous'))}</a>` : '';
  const next = data.decisions.pageInfo.hasNextPage ? `<a href="${link({ page: page + 1, after: data.decisions.pageInfo.endCursor })}">${esc(t('web-next'))}</a>` : '';
  return `<h1>${esc(publicView ? t('web-public-heading') : t('web-decisions-title'))}</h1>
    ${publicView || role() === 'representative' ? `<p class="notice">${esc(t('web-public-note'))}</p>` : ''}
    <form id="decision-filters" role="search" aria-label="${esc(t('web-filters'))}"><fieldset><legend>${esc(t('web-filters'))}</legend>
      ${field('f-status', t('status'), select('f-status', 'status', vocabulary('status', true), { selected: filter.status || '' }))}
      ${field('f-moment', t('moment'), select('f-moment', 'moment', vocabulary('moment', true), { selected: filter.moment || '' }))}
      ${field('f-mission', t('mission'), select('f-mission', 'mission', vocabulary('mission', true), { selected: filter.mission || '' }))}
      ${bodies.length ? field('f-body', t('body'), select('f-body', 'bodyId', [['', t('web-any')], ...bodies], { selected: filter.bodyId || '' })) : ''}
      ${field('f-from', t('web-proposed-from'), `<input type="date" id="f-from" name="proposedFrom" value="${esc(filter.proposedFrom || '')}">`)}
      ${field('f-to', t('web-proposed-to'), `<input type="date" id="f-to" name="proposedTo" value="${esc(filter.proposedTo || '')}">`)}
      <button type="submit">${esc(t('web-apply'))}</button></fieldset></form>
    <p id="decision-total">${esc(t('web-total-decisions', data.decisions.totalCount))}</p>
    ${rows.length ? table(t('web-decisions-title'), [t('web-title'), t('body'), t('status'), t('moment'), t('proposed-on'), t('web-share-retained')], rows) : `<p>${esc(t('no-decision'))}</p>`}
    <p class="pager">${prev} ${next}</p>
    ${canWrite() ? proposeForm(data.consultations) : ''}`;
}

function proposeForm(consultations) {
  const bodies = (viewer?.bodies || []).map((b) => [b.id, b.name]);
  return `<form id="propose-decision"><h2>${esc(t('web-propose-title'))}</h2>
    ${field('pd-title', t('web-title'), '<input type="text" id="pd-title" name="title" required>')}
    ${field('pd-text', t('web-decision-text'), '<textarea id="pd-text" name="text" required></textarea>')}
    ${field('pd-body', t('web-deciding-body'), select('pd-body', 'bodyId', bodies, { required: true }))}
    ${field('pd-moment', t('web-moment-of-participation'), select('pd-moment', 'moment', vocabulary('moment'), { required: true }))}
    ${field('pd-mission', t('web-mission-served'), select('pd-mission', 'mission', vocabulary('mission'), { required: true }))}
    ${field('pd-on', t('proposed-on'), `<input type="date" id="pd-on" name="proposedOn" required value="${today()}">`)}
    ${field('pd-consultation', t('web-draws-on'), select('pd-consultation', 'consultationId', [['', t('web-no-consultation-linked')], ...consultations.map((c) => [c.id, c.subject])]))}
    <button type="submit">${esc(t('web-propose-button'))}</button>${resultSlot}</form>`;
}

function afterDecisions() {
  const propose = document.getElementById('propose-decision');
  if (propose) onSubmit(propose, async (f) => {
    const proposed = await gql(`mutation($input: ProposeDecisionInput!) { proposeDecision(input: $input) { ${SAVED} } }`, { input: {
      communityId: viewer.communityId, bodyId: f.get('bodyId'), title: f.get('title'), text: f.get('text'),
      moment: f.get('moment'), mission: f.get('mission'), proposedOn: f.get('proposedOn') } });
    const id = proposed.proposeDecision.aggregateId;
    const linked = f.get('consultationId') ? await gql(`mutation($input: LinkConsultationInput!) { linkConsultation(input: $input) { ${SAVED} } }`,
      { input: { decisionId: id, consultationId: f.get('consultationId') } }) : null;
    location.hash = `#/decision/${id}`;
    return [proposed, linked];
  });
  const form = document.getElementById('decision-filters');
  if (!form) return;
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const p = new URLSearchParams();
    for (const [k, v] of new FormData(form)) if (v) p.set(k, v);
    const community = !token() && communityParam();
    if (community) p.set('cpts', community);
    location.hash = `#/${token() ? 'decisions' : 'public'}?${p}`;
  });
}

async function decisionPage(id) {
  const data = await gql(`query($id: ID!) { decision(id: $id) { ${DECISION_FULL} } }`, { id });
  const d = data.decision;
  const trail = d.trail;
  const subjects = Object.fromEntries((trail?.consultations || []).map((c) => [c.id, c.subject]));
  const entries = (trail?.entries || []).map((e) => [
    `${esc(e.text)}${lateTag(e.lateReception)}${e.amendedOn ? `<br><span class="tag amended">${esc(t('web-amended-tag', fmtDate(e.amendedOn), e.amendmentReason || ''))}</span>` : ''}`,
    esc(e.authorName || (e.anonymous ? `${t('member-kind-anonymous_inhabitant')}${e.anonymousCommune ? ` (${e.anonymousCommune})` : ''}` : '')),
    esc(label('kind', e.kind)),
    esc(label('disposition', e.disposition)),
    esc(e.rationale || ''),
    e.withdrawnOn ? esc(t('web-withdrawn-tag', fmtDate(e.withdrawnOn), e.withdrawalReason || ''))
      : e.publishedOn ? esc(fmtDate(e.publishedOn)) : esc(t('web-not-published')),
    e.onTime == null ? esc(label('standing', e.standing)) : e.onTime ? `<span class="status-ok">${esc(t('web-yes-on-time'))}</span>` : `<span class="status-late">${esc(t('web-no-late-short'))}</span>`,
  ]);
  const chart = trail?.counts?.length
    ? barChart(t('web-chart-title'), values('disposition').flatMap((v) => trail.counts.filter((c) => c.disposition.toLowerCase() === v)
      .map((c) => ({ label: label('disposition', c.disposition), value: c.count, colour: DISPOSITION_COLOURS[v] })))) : '';
  const consultations = (trail?.consultations || []).map((c) =>
    `<li><strong>${esc(c.subject)}</strong> — ${esc(label('rung', c.rung))}. ${esc(t('promise'))} : « ${esc(pick(c.promise, c.promiseEn))} » ${esc(t('web-answer-deadline'))} ${esc(fmtDate(c.answerDeadline))}.</li>`).join('');
  let vote = `<p>${esc(t('web-not-voted'))}</p>`;
  if (d.tally) {
    const tally = d.tally;
    const names = Object.fromEntries((viewer?.colleges || []).map((c) => [c.id, c.name]));
    vote = tally.consensus ? `<p>${esc(label('status', d.status))}, ${esc(t('web-consensus'))}, ${esc(fmtDate(d.votedOn))}.</p>`
      : `<p>${esc(label('status', d.status))}, ${esc(fmtDate(d.votedOn))}.</p>`
        + table(t('web-vote-title'), [t('college'), t('votes-for'), t('votes-against'), t('abstentions')],
          tally.colleges.map((c) => [esc(names[c.collegeId] || t('college')), c.votesFor, c.votesAgainst, c.abstentions]), { numeric: [1, 2, 3] });
  }
  const milestones = d.milestones.length
    ? `<ol>${d.milestones.map((m) => `<li>${esc(fmtDate(m.happenedOn))} : ${esc(m.milestone)}</li>`).join('')}</ol>` : `<p>${esc(t('web-no-milestone'))}</p>`;
  const indicators = d.indicators.length
    ? table(t('web-indicators-title'), [t('indicator'), t('period'), t('value'), t('target'), t('reported-on')],
      d.indicators.map((i) => [esc(i.indicator), esc(i.period), i.value, i.target ?? '', esc(fmtDate(i.reportedOn))]), { numeric: [2, 3] })
    : `<p>${esc(t('web-no-indicator'))}</p>`;
  const community = communityParam();
  return `<p><a href="#/${token() ? 'decisions' : `public?cpts=${esc(community || '')}`}">← ${esc(t('web-back'))}</a></p>
    <h1>${esc(d.title)}</h1>
    <p>${esc(d.bodyName)} — ${esc(label('status', d.status))} — ${esc(label('moment', d.moment))}, ${esc(label('mission', d.mission))} — ${esc(t('proposed-on'))} ${esc(fmtDate(d.proposedOn))}</p>
    <p>${esc(d.text)}</p>
    <section aria-labelledby="h-trail"><h2 id="h-trail">${esc(t('web-trail-title'))}</h2>
      <p>${esc(t('web-trail-intro'))} ${esc(t('web-share-retained'))} : ${esc(percent(trail?.shareRetained))}.</p>
      <ul>${consultations}</ul>
      ${chart}
      ${table(t('web-trail-title'), [t('contribution'), t('web-author'), t('kind'), t('disposition'), t('web-rationale'), t('web-published-on'), t('web-on-time-short')], entries)}
    </section>
    <section aria-labelledby="h-vote"><h2 id="h-vote">${esc(t('web-vote-title'))}</h2>${vote}</section>
    <section aria-labelledby="h-impl"><h2 id="h-impl">${esc(t('web-implementation-title'))}</h2>${milestones}</section>
    <section aria-labelledby="h-ind"><h2 id="h-ind">${esc(t('web-indicators-title'))}</h2>${indicators}</section>
    ${canAnswer() ? decisionForms(d) : ''}`;
}

function decisionForms(d) {
  const pending = (d.trail?.entries || []).filter((e) => !e.disposition && !e.withdrawnOn);
  const drafted = (d.trail?.entries || []).some((e) => e.disposition && !e.publishedOn);
  const draft = (pending.length ? `<form id="draft-answer" data-decision="${esc(d.id)}"><h2>${esc(t('web-draft-title'))}</h2>
      ${field('da-contribution', t('contribution'), select('da-contribution', 'contribution', pending.map((e) => [`${e.consultationId}|${e.contributionId}`, e.text.slice(0, 90)]), { required: true }))}
      ${field('da-disposition', t('disposition'), select('da-disposition', 'disposition', vocabulary('disposition'), { required: true }))}
      ${field('da-rationale', t('web-rationale'), '<textarea id="da-rationale" name="rationale"></textarea>')}
      ${field('da-on', t('web-date'), `<input type="date" id="da-on" name="on" required value="${today()}">`)}
      <button type="submit">${esc(t('web-draft-button'))}</button>${resultSlot}</form>` : '')
    + (drafted ? `<form id="publish-answers" data-decision="${esc(d.id)}"><h2>${esc(t('web-publish-all-title'))}</h2>
      ${field('pa-on', t('web-date'), `<input type="date" id="pa-on" name="on" required value="${today()}">`)}
      <button type="submit">${esc(t('web-publish-all-button'))}</button>${resultSlot}</form>` : '');
  const colleges = viewer?.colleges || [];
  const vote = d.status === 'PROPOSED' ? `<form id="record-vote" data-decision="${esc(d.id)}"><h2>${esc(t('web-record-vote-title'))}</h2>
      ${field('rv-outcome', t('web-outcome'), select('rv-outcome', 'outcome', vocabulary('outcome'), { required: true }))}
      ${field('rv-on', t('web-date'), `<input type="date" id="rv-on" name="on" required value="${today()}">`)}
      <div class="field inline"><input type="checkbox" id="rv-consensus" name="consensus"><label for="rv-consensus">${esc(t('web-consensus'))}</label></div>
      ${colleges.map((c, i) => `<fieldset><legend>${esc(c.name)}</legend>
        ${[['votesFor', 'votes-for'], ['votesAgainst', 'votes-against'], ['abstentions', 'abstentions']].map(([k, key]) => field(`rv-${i}-${k}`, t(key), `<input type="number" min="0" id="rv-${i}-${k}" name="${k}-${esc(c.id)}" value="0">`)).join('')}</fieldset>`).join('')}
      <button type="submit">${esc(t('web-vote-button'))}</button>${resultSlot}</form>` : '';
  return draft + vote;
}

function afterDecision() {
  const draft = document.getElementById('draft-answer');
  if (draft) onSubmit(draft, (f) => {
    const [consultationId, contributionId] = f.get('contribution').split('|');
    return gql(`mutation($input: DraftAnswerInput!) { draftAnswer(input: $input) { ${SAVED} } }`, { input: {
      decisionId: draft.dataset.decision, consultationId, contributionId, disposition: f.get('disposition'),
      rationale: f.get('rationale') || null, on: f.get('on') } });
  });
  const publish = document.getElementById('publish-answers');
  if (publish) onSubmit(publish, (f) => gql(`mutation($input: PublishAllAnswersInput!) { publishAllAnswers(input: $input) { ${SAVED} } }`,
    { input: { decisionId: publish.dataset.decision, on: f.get('on') } }));
  const vote = document.getElementById('record-vote');
  if (vote) onSubmit(vote, (f) => {
    const consensus = f.get('consensus') === 'on';
    const colleges = consensus ? null : (viewer?.colleges || []).map((c) => ({
      collegeId: c.id, votesFor: Number(f.get(`votesFor-${c.id}`) || 0),
      votesAgainst: Number(f.get(`votesAgainst-${c.id}`) || 0), abstentions: Number(f.get(`abstentions-${c.id}`) || 0) }));
    return gql(`mutation($input: RecordVoteInput!) { recordVote(input: $input) { ${SAVED} } }`, { input: {
      decisionId: vote.dataset.decision, on: f.get('on'), outcome: f.get('outcome'), consensus, colleges } });
  });
}

async function consultationsPage() {
  const staff = isStaff();
  const data = await gql(`{ consultations { id subject moment mission rung method opensOn closesOn closedOn answerDeadline open contributions
    promiseKeeping { promise promiseEn owed answeredOnTime answeredLate unansweredNotDue unansweredOverdue } }
    ${staff ? 'members { id name kind departedOn }' : ''} }`);
  const rows = data.consultations.map((c) => {
    const p = c.promiseKeeping;
    return [
      `<strong>${esc(c.subject)}</strong><br>${esc(label('moment', c.moment))}, ${esc(label('mission', c.mission))}, ${esc(label('method', c.method))}`,
      `${esc(label('rung', c.rung))}${p ? `<br><span class="hint">« ${esc(pick(p.promise, p.promiseEn))} »</span>` : ''}`,
      `${esc(fmtDate(c.opensOn))} → ${esc(fmtDate(c.closesOn))}<br>${c.open ? `<span class="tag status-ok">${esc(t('web-open-now'))}</span>` : esc(t('web-closed'))}`,
      esc(fmtDate(c.answerDeadline)),
      `<span class="contribution-count" data-consultation="${esc(c.id)}">${c.contributions}</span>`,
      p ? `${esc(t('standing-answered_on_time'))} : ${p.answeredOnTime}<br>${esc(t('standing-answered_late'))} : ${p.answeredLate}<br>${esc(t('standing-overdue'))} : ${p.unansweredOverdue}<br>${esc(t('standing-pending'))} : ${p.unansweredNotDue}` : '',
    ];
  });
  let forms = '';
  if (canWrite()) {
    forms += `<form id="open-consultation"><h2>${esc(t('web-open-consultation-title'))}</h2>
      ${field('oc-subject', t('subject'), '<input type="text" id="oc-subject" name="subject" required>')}
      ${field('oc-moment', t('moment'), select('oc-moment', 'moment', vocabulary('moment'), { required: true }))}
      ${field('oc-mission', t('mission'), select('oc-mission', 'mission', vocabulary('mission'), { required: true }))}
      ${field('oc-rung', t('rung'), select('oc-rung', 'rung', vocabulary('rung'), { required: true, selected: 'CONSULT' }))}
      ${field('oc-audience', t('web-audience'), '<input type="text" id="oc-audience" name="audience" required>')}
      ${field('oc-method', t('method'), select('oc-method', 'method', vocabulary('method'), { required: true }))}
      ${field('oc-opens', t('web-opens-on'), `<input type="date" id="oc-opens" name="opensOn" required value="${today()}">`)}
      ${field('oc-closes', t('web-closes-on'), `<input type="date" id="oc-closes" name="closesOn" required value="${addDays(today(), 30)}">`)}
      ${field('oc-days', t('web-answer-within-days'), '<input type="number" id="oc-days" name="answerWithinDays" min="1" required value="30">')}
      <button type="submit">${esc(t('web-open-button'))}</button>${resultSlot}</form>`;
  }
  if (canWrite() || (role() === 'representative' && viewer?.memberId)) {
    const members = (data.members || []).filter((m) => !m.departedOn).map((m) => [m.id, m.name]);
    // Every consultation that receives contributions, open or closed: what was said within its
    // period is recorded whenever it is typed in. Its last day is its closing, or an earlier one.
    const receiving = data.consultations.filter((c) => c.rung !== 'INFORM' && c.opensOn <= today());
    const options = receiving.map((c) => {
      const last = c.closedOn && c.closedOn < c.closesOn ? c.closedOn : c.closesOn;
      return `<option value="${esc(c.id)}" data-opens="${esc(c.opensOn)}" data-last="${esc(last)}">${esc(c.subject)}</option>`;
    }).join('');
    forms += `<form id="record-contribution"><h2>${esc(canWrite() ? t('web-record-contribution-title') : t('web-submit-own-title'))}</h2>
      ${receiving.length ? `
      ${field('rc-consultation', t('consultation'), `<select id="rc-consultation" name="consultationId" required>${options}</select>`)}
      ${canWrite() ? field('rc-author', t('web-author-member'), select('rc-author', 'memberId', [['', t('member-kind-anonymous_inhabitant')], ...members])) : ''}
      ${canWrite() ? field('rc-commune', t('web-commune'), '<input type="text" id="rc-commune" name="anonymousCommune">') : ''}
      ${field('rc-kind', t('kind'), select('rc-kind', 'kind', vocabulary('kind'), { required: true }))}
      ${field('rc-text', t('web-text'), '<textarea id="rc-text" name="text" required></textarea>')}
      <div id="rc-on-time">${field('rc-date', t('web-submitted-on'), '<input type="date" id="rc-date" name="submittedOn" required aria-describedby="rc-date-hint">', ' ')}</div>
      ${canWrite() ? `<div class="field inline" id="rc-late-choice"><input type="checkbox" id="rc-late" name="late" aria-describedby="rc-late-hint"><label for="rc-late">${esc(t('web-late-received'))}</label></div>
      <p class="hint" id="rc-late-hint"></p>
      <div id="rc-late-fields" hidden>
        ${field('rc-received', t('web-received-on'), '<input type="date" id="rc-received" name="receivedOn" required disabled>')}
        ${field('rc-reason', t('web-late-reason'), '<textarea id="rc-reason" name="reason" required disabled aria-describedby="rc-reason-hint"></textarea>', t('web-late-reason-hint'))}
      </div>` : ''}
      ${field('rc-attachment', t('web-attachment'), '<input type="text" id="rc-attachment" name="attachment">')}
      <button type="submit">${esc(t('web-record-button'))}</button>${resultSlot}` : `<p>${esc(t('web-no-receiving-for-form'))}</p>`}</form>`;
  }
  return `<h1>${esc(t('consultations'))}</h1>
    ${rows.length ? table(t('consultations'), [t('subject'), t('rung'), `${t('web-opens-on')} / ${t('web-closes-on')}`, t('web-answer-deadline'), t('contributions'), t('web-promise-title')], rows, { numeric: [4] }) : `<p>${esc(t('web-no-consultation'))}</p>`}
    ${forms}`;
}

function afterConsultations() {
  const open = document.getElementById('open-consultation');
  if (open) onSubmit(open, (f) => gql(`mutation($input: OpenConsultationInput!) { openConsultation(input: $input) { ${SAVED} } }`, { input: {
    communityId: viewer.communityId, subject: f.get('subject'), moment: f.get('moment'), mission: f.get('mission'), rung: f.get('rung'),
    audience: f.get('audience'), method: f.get('method'), opensOn: f.get('opensOn'), closesOn: f.get('closesOn'),
    answerWithinDays: Number(f.get('answerWithinDays')) } }));
  const record = document.getElementById('record-contribution');
  if (record && record.querySelector('button')) {
    boundContributionDates(record);
    record.querySelector('#rc-consultation').addEventListener('change', () => boundContributionDates(record));
    record.querySelector('#rc-late')?.addEventListener('change', () => boundContributionDates(record));
    onSubmit(record, (f) => {
      const memberId = canWrite() ? (f.get('memberId') || null) : viewer.memberId;
      const contribution = {
        consultationId: f.get('consultationId'), memberId, anonymousCommune: memberId ? null : (f.get('anonymousCommune') || null),
        kind: f.get('kind'), text: f.get('text'), attachment: f.get('attachment') || null };
      if (f.get('late') === 'on') {
        return gql(`mutation($input: AcceptLateContributionInput!) { acceptLateContribution(input: $input) { aggregateId } }`, { input: {
          ...contribution, receivedOn: f.get('receivedOn'), reason: f.get('reason') } });
      }
      return gql(`mutation($input: SubmitContributionInput!) { submitContribution(input: $input) { aggregateId } }`, { input: {
        ...contribution, submittedOn: f.get('submittedOn') } });
    });
  }
}

/**
 * Bounds the contribution form's dates to the chosen consultation: a contribution is dated
 * within its period (up to today); one received after its last day is recorded as late, by a
 * coordinator, with its reception date (the day after the last day, up to today) and a reason.
 */
function boundContributionDates(form) {
  const option = form.querySelector('#rc-consultation').selectedOptions[0];
  if (!option) return;
  const { opens, last } = option.dataset;
  const max = last < today() ? last : today();
  const date = form.querySelector('#rc-date');
  date.min = opens;
  date.max = max;
  if (!date.value || date.value < opens || date.value > max) date.value = max;
  form.querySelector('#rc-date-hint').textContent = t('web-submitted-on-hint', fmtDate(opens), fmtDate(last));
  const choice = form.querySelector('#rc-late');
  if (!choice) return;
  // Late is possible once the last day has passed.
  const possible = last < today();
  form.querySelector('#rc-late-choice').hidden = !possible;
  form.querySelector('#rc-late-hint').textContent = possible ? t('web-late-received-hint', fmtDate(last)) : '';
  if (!possible) choice.checked = false;
  const late = choice.checked;
  form.querySelector('#rc-on-time').hidden = late;
  date.disabled = late;
  form.querySelector('#rc-late-fields').hidden = !late;
  const received = form.querySelector('#rc-received');
  received.min = addDays(last, 1);
  received.max = today();
  if (!received.value || received.value < received.min) received.value = today();
  for (const input of form.querySelectorAll('#rc-late-fields input, #rc-late-fields textarea')) input.disabled = !late;
}

async function minePage() {
  if (!viewer?.memberId) return `<h1>${esc(t('web-mine-title'))}</h1><p>${esc(t('web-mine-needs-member'))}</p>`;
  const data = await gql(`{ myContributions { contributionId consultationId subject text standing lateReception { receivedOn reason } decisionId decisionTitle
    disposition rationale daysToAnswer amendedOn amendmentReason withdrawnOn withdrawalReason changeable } }`);
  const mine = data.myContributions;
  const rows = mine.map((c) => [
    `${esc(c.text)}${lateTag(c.lateReception)}${ownChanges(c)}`, esc(c.subject), esc(label('standing', c.standing)),
    c.decisionId ? `<a href="#/decision/${esc(c.decisionId)}">${esc(c.decisionTitle)}</a>` : '',
    esc(label('disposition', c.disposition)), esc(c.rationale || ''), c.daysToAnswer ?? '']);
  const forms = mine.filter((c) => c.changeable).map((c, i) => ownWordsForms(c, i)).join('');
  return `<h1>${esc(t('web-mine-title'))}</h1><p>${esc(t('web-mine-intro'))}</p>
    ${rows.length ? table(t('web-mine-title'), [t('contribution'), t('consultation'), t('status'), t('decision'), t('disposition'), t('web-rationale'), t('web-days-to-answer')], rows, { numeric: [6] })
    : `<p>${esc(t('web-no-mine'))}</p>`}
    ${forms ? `<section aria-labelledby="h-own-words"><h2 id="h-own-words">${esc(t('web-own-words-title'))}</h2><p>${esc(t('web-own-words-intro'))}</p>${forms}</section>` : ''}`;
}

/** What its author changed on a contribution: the last amendment, the withdrawal, each dated with its reason. */
function ownChanges(c) {
  const amended = c.amendedOn ? `<br><span class="tag amended">${esc(t('web-amended-tag', fmtDate(c.amendedOn), c.amendmentReason || ''))}</span>` : '';
  const withdrawn = c.withdrawnOn ? `<br><span class="tag withdrawn">${esc(t('web-withdrawn-tag', fmtDate(c.withdrawnOn), c.withdrawalReason || ''))}</span>` : '';
  return amended + withdrawn;
}

/** "Modifier" and "Retirer" for one of the caller's own contributions, each with its reason. */
function ownWordsForms(c, i) {
  const id = esc(c.contributionId);
  const data = `data-contribution="${id}" data-consultation="${esc(c.consultationId)}"`;
  return `<details class="own-words"><summary>${esc(t('web-own-words-summary', c.subject, c.text.length > 60 ? `${c.text.slice(0, 60)}…` : c.text))}</summary>
    <form id="amend-${i}" class="amend-contribution" ${data}>
      ${field(`am-text-${i}`, t('web-new-text'), `<textarea id="am-text-${i}" name="text" required maxlength="20000" rows="4">${esc(c.text)}</textarea>`)}
      ${field(`am-reason-${i}`, t('web-amend-reason'), `<textarea id="am-reason-${i}" name="reason" required maxlength="20000" rows="2"></textarea>`)}
      <button type="submit">${esc(t('web-amend'))}</button>${resultSlot}</form>
    <form id="withdraw-${i}" class="withdraw-contribution" ${data}>
      ${field(`wd-reason-${i}`, t('web-withdraw-reason'), `<textarea id="wd-reason-${i}" name="reason" required maxlength="20000" rows="2"></textarea>`)}
      <button type="submit" class="secondary">${esc(t('web-withdraw'))}</button>${resultSlot}</form></details>`;
}

function afterMine() {
  const target = (form) => ({ consultationId: form.dataset.consultation, contributionId: form.dataset.contribution, on: today() });
  for (const form of document.querySelectorAll('form.amend-contribution')) {
    onSubmit(form, (f) => gql(`mutation($input: AmendContributionInput!) { amendContribution(input: $input) { ${SAVED} } }`,
      { input: { ...target(form), text: f.get('text'), reason: f.get('reason') } }));
  }
  for (const form of document.querySelectorAll('form.withdraw-contribution')) {
    onSubmit(form, (f) => gql(`mutation($input: WithdrawContributionInput!) { withdrawContribution(input: $input) { ${SAVED} } }`,
      { input: { ...target(form), reason: f.get('reason') } }));
  }
}

// ---------------------------------------------------------------- notifications

/** A moment in the reader's own time zone, in the page's language (`3 décembre 2026 à 14:05`). */
const fmtMoment = (iso) => new Intl.DateTimeFormat(lang() === 'en' ? 'en-GB' : 'fr-FR',
  { day: 'numeric', month: 'long', year: 'numeric', hour: '2-digit', minute: '2-digit' }).format(new Date(iso));

/** `3 non lues`: the unread count in words. */
const unreadText = (count) => `${count} ${t(count === 1 ? 'web-unread-one' : 'web-unread-many')}`;

/** The notifications link's text, with its badge: seen as `Notifications 3`, read by a screen
 * reader as `Notifications 3 non lues` (the link's accessible name). */
function notificationsLink() {
  const name = esc(t('web-nav-notifications'));
  if (!unread) return name;
  const words = t(unread === 1 ? 'web-unread-one' : 'web-unread-many');
  return `${name} <span class="badge" id="unread-badge">${unread}</span>`
    + `<span class="visually-hidden"> ${esc(words)}</span>`;
}

function showUnread() {
  const link = document.getElementById('nav-notifications');
  if (link) link.innerHTML = notificationsLink();
}

/** Re-reads the unread count of the signed-in member and updates the badge. */
async function refreshUnread() {
  if (!viewer?.memberId) { unread = null; return; }
  try {
    const { notifications } = await gql('{ notifications { read } }');
    unread = notifications.filter((n) => !n.read).length;
  } catch {
    return; // the badge keeps its last count; the page says what failed
  }
  showUnread();
}

async function notificationsPage() {
  const { notifications } = await gql('{ notifications { key title body read createdAt decisionId decisionTitle } }');
  unread = notifications.filter((n) => !n.read).length;
  const items = notifications.map((n) => `<li class="card notification ${n.read ? 'read' : 'unread'}">
      <h2 id="nt-${esc(n.key)}" tabindex="-1">${esc(n.title)}</h2>
      <p class="notification-meta"><span class="tag ${n.read ? '' : 'status-unread'}">${esc(t(n.read ? 'web-notification-read' : 'web-notification-unread'))}</span>
        ${esc(t('web-notification-received', ''))}<time datetime="${esc(n.createdAt)}">${esc(fmtMoment(n.createdAt))}</time></p>
      <p class="notification-body">${esc(n.body)}</p>
      ${n.decisionId ? `<p><a href="#/decision/${esc(n.decisionId)}">${esc(t('web-notification-see-decision', n.decisionTitle || ''))}</a></p>` : ''}
      ${n.read ? '' : `<button type="button" class="secondary mark-read" data-key="${esc(n.key)}" aria-describedby="nt-${esc(n.key)}">${esc(t('web-mark-read'))}</button>`}
    </li>`).join('');
  return `<h1>${esc(t('web-nav-notifications'))}</h1><p>${esc(t('web-notifications-intro'))}</p>
    ${unread ? `<p><strong id="unread-count">${esc(unreadText(unread))}</strong>
      <button type="button" id="mark-all-read">${esc(t('web-mark-all-read'))}</button></p>` : ''}
    ${notifications.length ? `<ul class="notifications">${items}</ul>` : `<p>${esc(t('web-no-notification'))}</p>`}`;
}

/** Says what was done, at the top of the page (the `confirmation` of a form, in one language). */
function confirm(text) {
  confirmation = { hash: location.hash, formId: '', results: [{ done: { summary: [text], summaryEn: [text] } }] };
}

function afterNotifications() {
  for (const button of main().querySelectorAll('button.mark-read')) {
    button.addEventListener('click', async () => {
      button.disabled = true;
      const { key } = button.dataset;
      try {
        await gql('mutation($key: ID!) { markNotificationRead(key: $key) }', { key });
        confirm(t('web-marked-read'));
        await render({ keepFocus: true });
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
      await render({ keepFocus: true });
      document.getElementById('form-confirmation')?.focus();
      document.getElementById('live-status').textContent = t('web-marked-all-read');
    } catch (error) {
      all.disabled = false;
      all.insertAdjacentHTML('afterend', `<p class="error" role="alert">${esc(errorText(error))}</p>`);
    }
  });
}

async function membersPage() {
  const data = await gql(`{ register { membersByKind { name count } membersByCollege { name count }
    representatives { memberId name association mandateStart mandateEnd mandateEndedOn livesInTerritory commune cadreIntervention active }
    associations { associationId name approval nextStep nextStepEn } }
    members { id name kind profession admittedOn departedOn collegeId } }`);
  const r = data.register;
  const colleges = Object.fromEntries((viewer?.colleges || []).map((c) => [c.id, c.name]));
  return `<h1>${esc(t('web-members-title'))}</h1>
    <section aria-labelledby="h-reps"><h2 id="h-reps">${esc(t('web-representatives-title'))}</h2>
    ${table(t('web-representatives-title'), [t('name'), t('association'), t('mandate'), t('lives-in-territory'), t('cadre-intervention')], r.representatives.map((p) => [
      esc(p.name), esc(p.association || ''), `${esc(fmtDate(p.mandateStart))} → ${esc(fmtDate(p.mandateEnd))}${p.active ? '' : ` (${esc(t('web-closed'))})`}`,
      `${p.livesInTerritory ? esc(t('yes')) : `<span class="status-late">${esc(t('no'))}</span>`}${p.commune ? ` (${esc(p.commune)})` : ''}`,
      p.cadreIntervention ? esc(p.cadreIntervention) : `<span class="status-bad">${esc(t('web-none'))}</span>`]))}</section>
    <section aria-labelledby="h-assoc"><h2 id="h-assoc">${esc(t('web-associations-title'))}</h2>
    ${table(t('web-associations-title'), [t('association'), t('approval'), t('next-step')], r.associations.map((a) => [
      esc(a.name), esc(label('approval', a.approval)), esc(pick(a.nextStep, a.nextStepEn))]))}</section>
    <section aria-labelledby="h-register"><h2 id="h-register">${esc(t('web-register-title'))}</h2>
    ${table(t('web-by-kind'), [t('kind'), t('count')], r.membersByKind.map((k) => [esc(label('memberKind', k.name)), k.count]), { numeric: [1] })}
    ${table(t('web-by-college'), [t('college'), t('count')], r.membersByCollege.map((k) => [esc(k.name), k.count]), { numeric: [1] })}
    ${table(t('web-register-title'), [t('name'), t('kind'), t('web-profession'), t('college'), t('web-admitted-on'), t('web-departed-on')], data.members.map((m) => [
      esc(m.name), esc(label('memberKind', m.kind)), esc(m.profession || ''), esc(colleges[m.collegeId] || ''), esc(fmtDate(m.admittedOn)), esc(fmtDate(m.departedOn))]))}</section>`;
}

/** The Journal's link to a record's page, where there is one. */
function recordHref(e) {
  if (e.aggregateType === 'decision') return `#/decision/${encodeURIComponent(e.aggregateId)}`;
  if (e.aggregateType === 'consultation') return '#/consultations';
  if (e.aggregateType === 'member' || e.aggregateType === 'association') return '#/membres';
  return null;
}

/** A moment as people of the CPTS read it: in its time zone, in the page's language. */
function localTime(e, zone) {
  try {
    return new Intl.DateTimeFormat(lang() === 'en' ? 'en-GB' : 'fr-FR',
      { timeZone: zone, day: 'numeric', month: 'long', year: 'numeric', hour: '2-digit', minute: '2-digit' }).format(new Date(e.recordedAt));
  } catch {
    return e.recordedAtLocal.replace('T', ' ').slice(0, 16);
  }
}

async function journalPage(params) {
  const after = params.get('after') || null;
  const data = await gql(`query($after: String) { ledgerHead { position hash projections { name position behind } }
    timeline(first: 50, after: $after) { hasNextPage endCursor timeZone entries { position aggregateType aggregateId eventType
      recordedAt recordedAtLocal label labelEn recordName actorName actorNameEn about aboutEn summary summaryEn } } }`, { after });
  const h = data.ledgerHead;
  const zone = data.timeline.timeZone;
  const rows = data.timeline.entries.map((e) => {
    const name = esc(e.recordName || t('journal-unknown-record'));
    const href = recordHref(e);
    return [e.position, `<time datetime="${esc(e.recordedAtLocal)}">${esc(localTime(e, zone))}</time>`,
      `${esc(pick(e.label, e.labelEn))}${e.about ? `<br><span class="hint">${esc(pick(e.about, e.aboutEn))}</span>` : ''}`,
      href ? `<a href="${href}">${name}</a>` : name, esc(pick(e.actorName, e.actorNameEn))];
  });
  return `<h1>${esc(t('web-journal-title'))}</h1>
    <section aria-labelledby="h-verify"><h2 id="h-verify">${esc(t('web-verify-title'))}</h2>
      <p>${esc(t('web-head', h.position))} — <span class="digest">${esc(h.hash)}</span></p>
      <form id="verify-ledger">
        ${field('vl-digest', t('web-digest-label'), '<input type="text" id="vl-digest" name="digest" class="digest" size="60">')}
        <button type="submit">${esc(t('web-verify-button'))}</button>
        <div id="verify-result" role="status" aria-live="polite"></div></form>
      ${table(t('web-projections-title'), [t('web-projections-title'), t('web-position'), t('web-behind')], h.projections.map((p) => [esc(p.name), p.position, p.behind]), { numeric: [1, 2] })}
    </section>
    <section aria-labelledby="h-timeline"><h2 id="h-timeline">${esc(t('web-timeline-title'))}</h2>
      <p class="hint">${esc(t('web-journal-zone', zone))}</p>
      ${table(t('web-timeline-title'), [t('web-position'), t('web-recorded-at'), t('web-event'), t('web-record'), t('web-actor')], rows, { numeric: [0] })}
      <p class="pager">${after ? `<a href="#/journal">${esc(t('web-previous'))}</a>` : ''} ${data.timeline.hasNextPage ? `<a href="#/journal?after=${esc(data.timeline.endCursor)}">${esc(t('web-next'))}</a>` : ''}</p>
    </section>`;
}

function afterJournal() {
  const form = document.getElementById('verify-ledger');
  if (!form) return;
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const out = document.getElementById('verify-result');
    out.textContent = t('web-loading');
    try {
      const digest = new FormData(form).get('digest') || null;
      const { verifyLedger: v } = await gql('query($d: String) { verifyLedger(digest: $d) { intact eventsChecked digest firstBrokenPosition problem problemEn } }', { d: digest });
      out.innerHTML = v.intact
        ? `<p class="status-ok" id="verify-status">${esc(t('web-intact', v.eventsChecked))}</p><p>${esc(t('digest'))} : <span class="digest" id="verify-digest">${esc(v.digest)}</span></p>`
        : `<p class="status-bad" id="verify-status">${esc(t('web-altered', v.firstBrokenPosition ?? '?', pick(v.problem, v.problemEn)))}</p>`;
    } catch (error) {
      out.innerHTML = `<p class="error">${esc(errorText(error))}</p>`;
    }
  });
}

async function reportPage() {
  const year = today().slice(0, 4);
  return `<h1>${esc(t('web-report-title'))}</h1><p>${esc(t('web-report-intro'))}</p>
    <form id="report-form">
      ${field('rp-asof', t('web-as-of'), `<input type="date" id="rp-asof" name="asOf" required value="${today()}">`)}
      ${field('rp-from', t('web-from'), `<input type="date" id="rp-from" name="from" value="${year}-01-01">`)}
      ${field('rp-to', t('web-to'), `<input type="date" id="rp-to" name="to" value="${year}-12-31">`)}
      ${field('rp-lang', t('web-language'), select('rp-lang', 'lang', [['FR', 'Français'], ['EN', 'English']], { selected: lang().toUpperCase() }))}
      ${field('rp-format', t('web-format'), select('rp-format', 'format', [['HTML', 'HTML'], ['MARKDOWN', 'Markdown'], ['JSON', 'JSON']]))}
      <button type="submit">${esc(t('web-generate'))}</button>
      <div id="report-result" role="status" aria-live="polite"></div></form>`;
}

function afterReport() {
  const form = document.getElementById('report-form');
  if (!form) return;
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const f = new FormData(form);
    const out = document.getElementById('report-result');
    out.textContent = t('web-loading');
    try {
      const { report } = await gql('query($a: NaiveDate!, $f: NaiveDate, $t: NaiveDate, $l: Lang!, $fmt: ReportFormat!) { report(asOf: $a, from: $f, to: $t, lang: $l, format: $fmt) }',
        { a: f.get('asOf'), f: f.get('from') || null, t: f.get('to') || null, l: f.get('lang'), fmt: f.get('format') });
      const ext = { HTML: 'html', MARKDOWN: 'md', JSON: 'json' }[f.get('format')];
      const type = { html: 'text/html', md: 'text/markdown', json: 'application/json' }[ext];
      const name = `${f.get('lang') === 'EN' ? 'report-ga' : 'rapport-ag'}-${f.get('asOf')}.${ext}`;
      const url = URL.createObjectURL(new Blob([report], { type: `${type};charset=utf-8` }));
      out.innerHTML = `<p><a id="report-download" href="${url}" download="${esc(name)}">${esc(t('web-download', name))}</a> (${Math.round(report.length / 1024)} Kio)</p>`;
    } catch (error) {
      out.innerHTML = `<p class="error">${esc(errorText(error))}</p>`;
    }
  });
}

function signinPage() {
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
    setToken(new FormData(form).get('token').trim());
    try {
      await loadViewer();
      location.hash = '#/';
      await boot();
    } catch (error) {
      setToken(null);
      viewer = null;
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

// ---------------------------------------------------------------- routing

const ROUTES = {
  '': { page: dashboardPage, nav: 'web-nav-dashboard', staff: true },
  decisions: { page: decisionsPage, after: afterDecisions, nav: 'web-nav-decisions', signedIn: true },
  decision: { page: decisionPage, after: afterDecision },
  consultations: { page: consultationsPage, after: afterConsultations, nav: 'web-nav-consultations', signedIn: true },
  'mes-contributions': { page: minePage, after: afterMine, nav: 'web-nav-mine', member: true },
  notifications: { page: notificationsPage, after: afterNotifications, nav: 'web-nav-notifications', member: true },
  membres: { page: membersPage, nav: 'web-nav-members', staff: true },
  journal: { page: journalPage, after: afterJournal, nav: 'web-nav-journal', staff: true },
  rapport: { page: reportPage, after: afterReport, nav: 'web-nav-report', staff: true },
  public: { page: decisionsPage, after: afterDecisions, nav: 'web-nav-public', public: true },
  connexion: { page: signinPage, after: afterSignin, nav: 'web-nav-signin', public: true },
};

function allowed(route) {
  if (route.staff) return isStaff();
  if (route.member) return Boolean(viewer?.memberId);
  if (route.signedIn) return Boolean(viewer);
  if (route.public) return !viewer;
  return true;
}

function parseHash() {
  const [path, query] = (location.hash.replace(/^#\/?/, '') || '').split('?');
  const [name, arg] = path.split('/');
  return { name: name || '', arg, params: new URLSearchParams(query || '') };
}

function renderChrome() {
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
  out.hidden = !token();
  document.getElementById('who').textContent = viewer && viewer.role !== 'public'
    ? t('web-signed-in-as', t(`role-${viewer.role}`)) : t('web-public-visitor');
  const { name } = parseHash();
  const current = name === 'decision' ? (token() ? 'decisions' : 'public') : name;
  const community = communityParam();
  document.getElementById('nav-list').innerHTML = Object.entries(ROUTES)
    .filter(([, r]) => r.nav && allowed(r))
    .map(([key, r]) => {
      const href = key === 'public' && community ? `#/public?cpts=${encodeURIComponent(community)}` : `#/${key}`;
      if (key === 'notifications') {
        return `<li><a href="${href}" id="nav-notifications"${key === current ? ' aria-current="page"' : ''}>${notificationsLink()}</a></li>`;
      }
      return `<li><a href="${href}"${key === current ? ' aria-current="page"' : ''}>${esc(t(r.nav))}</a></li>`;
    }).join('');
}

/** Renders the page of the current hash. */
async function render({ keepFocus = false, fromLive = false } = {}) {
  const seq = ++renderSeq;
  renderChrome();
  let { name, arg, params } = parseHash();
  if (!viewer && name === '') name = communityParam() ? 'public' : 'connexion';
  if (viewer && !isStaff() && name === '') name = viewer.memberId ? 'mes-contributions' : 'decisions';
  const route = ROUTES[name];
  let html;
  let after;
  try {
    if (!route) html = `<h1>${esc(t('web-not-found'))}</h1>`;
    else if (!allowed(route) && name !== 'decision') html = `<h1>${esc(t('web-forbidden'))}</h1>`;
    else {
      html = await route.page(name === 'decision' ? arg : params);
      after = route.after;
    }
  } catch (error) {
    html = `<h1>${esc(t(route?.nav || 'web-not-found'))}</h1><p class="error">${esc(errorText(error))}</p>`;
  }
  if (seq !== renderSeq) return;
  if (name === 'notifications') showUnread(); else refreshUnread();
  if (fromLive && formBusy()) return; // never wipe a form being filled in
  const scroll = window.scrollY;
  main().innerHTML = html;
  main().dataset.page = name;
  if (after) after();
  showConfirmation();
  if (fromLive || keepFocus) window.scrollTo(0, scroll);
  else main().focus({ preventScroll: true });
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
  else refreshUnread();
}

function startLive() {
  stopLive?.();
  stopLive = null;
  stopNotifications?.();
  stopNotifications = null;
  if (viewer && isStaff()) stopLive = subscribeEvents(onLiveEvent, (on) => { document.body.dataset.live = on ? 'on' : 'off'; });
  if (viewer?.memberId) {
    stopNotifications = subscribeNotifications(onNotification, (on) => { document.body.dataset.notifications = on ? 'on' : 'off'; });
  }
}

async function loadViewer() {
  publicCommunityName = '';
  const community = token() ? null : communityParam();
  if (!token() && !community) { viewer = null; return; }
  const data = await gql('query($c: ID) { viewer(communityId: $c) { role communityId communityName memberId readsEverything colleges { id name isUsersCollege } bodies { id kind name } } }', { c: community });
  if (data.viewer.role === 'public') {
    viewer = null;
    publicCommunityName = data.viewer.communityName || '';
  } else {
    viewer = data.viewer;
  }
}

async function boot() {
  try {
    await loadViewer();
  } catch (error) {
    if (error.code === 'UNAUTHENTICATED') setToken(null);
    viewer = null;
  }
  startLive();
  await render();
}

document.getElementById('lang-switch').addEventListener('click', () => {
  setLang(lang() === 'fr' ? 'en' : 'fr');
  render({ keepFocus: true });
});
document.getElementById('sign-out').addEventListener('click', () => {
  setToken(null);
  viewer = null;
  unread = null;
  stopLive?.();
  stopNotifications?.();
  location.hash = '#/connexion';
  boot();
});
window.addEventListener('hashchange', () => {
  if (!token()) boot(); else render();
});
setLang(lang());
boot();
