// Decisions: the list with its filters (also the public view of a CPTS), the proposal form,
// and a decision's page with its trail, vote, implementation and the forms of those who answer.

import { gql } from '../api.js';
import { t, label, values, pick } from '../i18n.js';
import { esc, today, fmtDate, percent, excerpt, field, select, vocabulary, table, resultSlot, lateTag, answeredVersion, DISPOSITION_COLOURS, barChart } from '../ui.js';
import { session, communityParam, role, canWrite, canAnswer } from '../state.js';
import { SAVED, onSubmit, commandForm } from '../forms.js';
import { signinPage } from './signin.js';

// ---------------------------------------------------------------- queries

const DECISION_ROW = 'id title status bodyName moment mission proposedOn votedOn trail { shareRetained }';
const DECISION_FULL = `id title text status bodyName moment mission proposedOn votedOn tally { consensus colleges { collegeId votesFor votesAgainst abstentions } } amendments withdrawnOn
  trail { shareRetained counts { disposition count }
    consultations { id subject rung promise promiseEn answerDeadline }
    entries { contributionId consultationId mine authorName anonymous anonymousCommune kind text submittedOn withdrawnOn withdrawalReason amendedOn amendmentReason answeredText answeredOn
      lateReception { receivedOn reason } disposition rationale publishedOn answerDeadline onTime standing } }
  milestones { happenedOn milestone }
  indicators { indicator period value target reportedOn }`;

let pageCursors = [null];
export async function decisionsPage(params = new URLSearchParams()) {
  const publicView = !session.viewer;
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
  const bodies = (session.viewer?.bodies || []).map((b) => [b.id, b.name]);
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
  const bodies = (session.viewer?.bodies || []).map((b) => [b.id, b.name]);
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
      communityId: session.viewer.communityId, bodyId: f.get('bodyId'), title: f.get('title'), text: f.get('text'),
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
    const community = !session.viewer && communityParam();
    if (community) p.set('cpts', community);
    location.hash = `#/${session.viewer ? 'decisions' : 'public'}?${p}`;
  });
}

export async function decisionPage(id) {
  const data = await gql(`query($id: ID!) { decision(id: $id) { ${DECISION_FULL} } ${canWrite() ? 'consultations { id subject }' : ''} }`, { id });
  const d = data.decision;
  const trail = d.trail;
  const subjects = Object.fromEntries((trail?.consultations || []).map((c) => [c.id, c.subject]));
  const entries = (trail?.entries || []).map((e) => [
    `${esc(e.text)}${lateTag(e.lateReception)}${answeredVersion(e)}${e.amendedOn ? `<br><span class="tag amended">${esc(t('web-amended-tag', fmtDate(e.amendedOn), e.amendmentReason || ''))}</span>` : ''}`,
    `${e.mine ? `<span class="tag you">${esc(t('web-you'))}</span> ` : ''}${esc(e.authorName || (e.anonymous ? `${t('member-kind-anonymous_inhabitant')}${e.anonymousCommune ? ` (${e.anonymousCommune})` : ''}` : ''))}`,
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
    `<li><strong>${esc(c.subject)}</strong> — ${esc(label('rung', c.rung))}. ${esc(t('promise'))} : ${esc(pick(c.promise, c.promiseEn))} ${esc(t('web-answer-deadline'))} ${esc(fmtDate(c.answerDeadline))}.</li>`).join('');
  let vote = `<p>${esc(t('web-not-voted'))}</p>`;
  if (d.tally) {
    const tally = d.tally;
    const names = Object.fromEntries((session.viewer?.colleges || []).map((c) => [c.id, c.name]));
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
  return `<p><a href="#/${session.viewer ? 'decisions' : `public?cpts=${esc(community || '')}`}">← ${esc(t('web-back'))}</a></p>
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
    ${canAnswer() ? decisionForms(d, data.consultations) : ''}`;
}

function decisionForms(d, consultations) {
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
  const colleges = session.viewer?.colleges || [];
  const vote = d.status === 'PROPOSED' ? `<form id="record-vote" data-decision="${esc(d.id)}"><h2>${esc(t('web-record-vote-title'))}</h2>
      ${field('rv-outcome', t('web-outcome'), select('rv-outcome', 'outcome', vocabulary('outcome'), { required: true }))}
      ${field('rv-on', t('web-date'), `<input type="date" id="rv-on" name="on" required value="${today()}">`)}
      <div class="field inline"><input type="checkbox" id="rv-consensus" name="consensus"><label for="rv-consensus">${esc(t('web-consensus'))}</label></div>
      ${colleges.map((c, i) => `<fieldset><legend>${esc(c.name)}</legend>
        ${[['votesFor', 'votes-for'], ['votesAgainst', 'votes-against'], ['abstentions', 'abstentions']].map(([k, key]) => field(`rv-${i}-${k}`, t(key), `<input type="number" min="0" id="rv-${i}-${k}" name="${k}-${esc(c.id)}" value="0">`)).join('')}</fieldset>`).join('')}
      <button type="submit">${esc(t('web-vote-button'))}</button>${resultSlot}</form>` : '';
  return draft + vote + moreForms(d, consultations);
}

/** The forms that change an answer already drafted or published, and the decision itself. */
function moreForms(d, consultations) {
  const entries = (d.trail?.entries || []).filter((e) => !e.withdrawnOn);
  const choice = (e) => [e.contributionId, `${label('disposition', e.disposition)} — ${excerpt(e.text || t('contribution'), 90)}`];
  const drafted = entries.filter((e) => e.disposition && !e.publishedOn).map(choice);
  const answered = entries.filter((e) => e.disposition).map(choice);
  const decisionId = d.id;
  const on = { name: 'on', label: 'web-date', kind: 'date', required: true, value: today() };
  const panels = [];
  if (drafted.length) panels.push(commandForm({ id: 'publish-answer', collapsed: true, title: 'web-form-publish-answer', intro: 'web-publish-answer-intro', button: 'web-button-publish', mutation: 'publishAnswer', inputType: 'PublishAnswerInput',
    fixed: { decisionId }, fields: [{ name: 'contributionId', label: 'contribution', kind: 'select', required: true, options: drafted }, on] }));
  if (answered.length) panels.push(commandForm({ id: 'revise-answer', collapsed: true, title: 'web-form-revise-answer', intro: 'web-revise-answer-intro', button: 'web-button-revise', mutation: 'reviseAnswer', inputType: 'ReviseAnswerInput',
    fixed: { decisionId },
    fields: [
      { name: 'contributionId', label: 'contribution', kind: 'select', required: true, options: answered },
      { name: 'disposition', label: 'web-field-new-disposition', kind: 'select', required: true, options: vocabulary('disposition') },
      { name: 'rationale', label: 'web-rationale', kind: 'textarea', maxlength: 10000, hint: 'web-field-rationale-hint' },
      { name: 'reason', label: 'web-field-revision-reason', kind: 'textarea', required: true, maxlength: 2000 },
      on,
    ] }));
  if (canWrite() && !d.withdrawnOn) {
    const linked = new Set((d.trail?.consultations || []).map((c) => c.id));
    const linkable = (consultations || []).filter((c) => !linked.has(c.id)).map((c) => [c.id, c.subject]);
    if (linkable.length) panels.push(commandForm({ id: 'link-consultation', collapsed: true, title: 'web-form-link-consultation', intro: 'web-link-consultation-intro', button: 'web-button-link', mutation: 'linkConsultation', inputType: 'LinkConsultationInput',
      fixed: { decisionId }, fields: [{ name: 'consultationId', label: 'consultation', kind: 'select', required: true, options: linkable }] }));
    if (d.status === 'PROPOSED') {
      panels.push(commandForm({ id: 'amend-decision', collapsed: true, title: 'web-form-amend-decision', button: 'web-button-record', mutation: 'amendDecision', inputType: 'AmendDecisionInput',
        fixed: { decisionId },
        fields: [
          { name: 'text', label: 'web-new-text', kind: 'textarea', required: true, maxlength: 20000, value: d.text },
          { name: 'reason', label: 'web-field-reason', kind: 'textarea', required: true, maxlength: 2000 },
          on,
        ] }));
      panels.push(commandForm({ id: 'withdraw-decision', collapsed: true, title: 'web-form-withdraw-decision', button: 'web-button-withdraw-decision', secondary: true, mutation: 'withdrawDecision', inputType: 'WithdrawDecisionInput',
        fixed: { decisionId }, fields: [{ name: 'reason', label: 'web-field-reason', kind: 'textarea', required: true, maxlength: 2000 }, on] }));
    }
    if (d.status === 'ADOPTED') {
      panels.push(commandForm({ id: 'record-milestone', collapsed: true, title: 'web-form-record-milestone', button: 'web-button-record', mutation: 'recordMilestone', inputType: 'RecordMilestoneInput',
        fixed: { decisionId }, fields: [{ name: 'milestone', label: 'web-field-milestone', kind: 'textarea', required: true, maxlength: 2000 }, { ...on, max: today() }] }));
      panels.push(commandForm({ id: 'report-indicator', collapsed: true, title: 'web-form-report-indicator', button: 'web-button-record', mutation: 'reportIndicator', inputType: 'ReportIndicatorInput',
        fixed: { decisionId },
        fields: [
          { name: 'indicator', label: 'indicator', required: true, maxlength: 200 },
          { name: 'period', label: 'period', required: true, maxlength: 50, hint: 'web-field-period-hint' },
          { name: 'value', label: 'value', kind: 'number', required: true, step: 'any' },
          { name: 'target', label: 'target', kind: 'number', step: 'any' },
          { ...on, max: today() },
        ] }));
    }
  }
  return panels.length ? `<section aria-labelledby="h-more"><h2 id="h-more">${esc(t('web-more-actions'))}</h2><div class="form-panels">${panels.join('')}</div></section>` : '';
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
    const colleges = consensus ? null : (session.viewer?.colleges || []).map((c) => ({
      collegeId: c.id, votesFor: Number(f.get(`votesFor-${c.id}`) || 0),
      votesAgainst: Number(f.get(`votesAgainst-${c.id}`) || 0), abstentions: Number(f.get(`abstentions-${c.id}`) || 0) }));
    return gql(`mutation($input: RecordVoteInput!) { recordVote(input: $input) { ${SAVED} } }`, { input: {
      decisionId: vote.dataset.decision, on: f.get('on'), outcome: f.get('outcome'), consensus, colleges } });
  });
}

export const routes = {
  decisions: { page: decisionsPage, after: afterDecisions, nav: 'web-nav-decisions', navOrder: 20, signedIn: true },
  decision: { page: (params, id) => decisionPage(id), after: afterDecision, any: true, navParent: () => (session.viewer ? 'decisions' : 'public') },
  public: { page: decisionsPage, after: afterDecisions, nav: 'web-nav-public', navOrder: 90, public: true },
};
