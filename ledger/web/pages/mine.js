// Mes contributions: a member's own contributions, what became of each, and the forms to amend
// or withdraw one: while its consultation is open, and once its answer is published, amend it as
// a new version (`cpts_domain::consultation::own_words_allowed`, through `amendable` and
// `withdrawable`).

import { gql } from '../api.js';
import { t, label, pick } from '../i18n.js';
import { esc, today, fmtDate, field, table, resultSlot, answeredVersion } from '../ui.js';
import { session } from '../state.js';
import { SAVED, onSubmit } from '../forms.js';

async function minePage() {
  if (!session.viewer?.memberId) return `<h1>${esc(t('web-mine-title'))}</h1><p>${esc(t('web-mine-needs-member'))}</p>`;
  const data = await gql(`{ myContributions { contributionId consultationId subject text standing lateReception { receivedOn reason } decisionId decisionTitle
    disposition rationale daysToAnswer answerDeadline promise promiseEn timeline { kind on reason } amendedOn amendmentReason withdrawnOn withdrawalReason amendable withdrawable answeredText answeredOn } }`);
  const mine = data.myContributions;
  const rows = mine.map((c) => [
    `${esc(c.text)}${answeredVersion(c)}${steps(c)}`,
    `<a href="#/consultation/${esc(c.consultationId)}">${esc(c.subject)}</a><br><span class="hint">${esc(t('promise'))} : ${esc(pick(c.promise, c.promiseEn))}</span>`,
    esc(label('standing', c.standing)),
    c.decisionId ? `<a href="#/decision/${esc(c.decisionId)}">${esc(c.decisionTitle)}</a>` : '',
    esc(label('disposition', c.disposition)), esc(c.rationale || ''), dueCell(c)]);
  const forms = mine.filter((c) => c.amendable || c.withdrawable).map((c, i) => ownWordsForms(c, i)).join('');
  return `<h1>${esc(t('web-mine-title'))}</h1><p>${esc(t('web-mine-intro'))}</p>
    ${rows.length ? table(t('web-mine-title'), [t('contribution'), t('consultation'), t('status'), t('decision'), t('disposition'), t('web-rationale'), t('deadline')], rows)
    : `<p>${esc(t('web-no-mine'))}</p>`}
    ${forms ? `<section aria-labelledby="h-own-words"><h2 id="h-own-words">${esc(t('web-own-words-title'))}</h2><p>${esc(t('web-own-words-intro'))}</p>${forms}</section>` : ''}`;
}

/** Days from `from` to `to` (dates `YYYY-MM-DD`). */
const daysBetween = (from, to) => Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86400000);

/** A contribution's deadline, and how it stands against it: days left, days past, or how long
 * the answer took. The standing is the API's; only the count of days is worked out here. */
function dueCell(c) {
  const date = `<time datetime="${esc(c.answerDeadline)}">${esc(fmtDate(c.answerDeadline))}</time>`;
  if (c.standing === 'NOT_OWED' || c.standing === 'WITHDRAWN') return '';
  if (c.standing === 'PENDING') return `${date}<br>${esc(t('web-due-in-days', Math.max(0, daysBetween(today(), c.answerDeadline))))}`;
  if (c.standing === 'OVERDUE') return `${date}<br><span class="status-bad">${esc(t('web-overdue-by-days', daysBetween(c.answerDeadline, today())))}</span>`;
  return `${date}${c.daysToAnswer != null ? `<br>${esc(t('web-answered-in-days', c.daysToAnswer))}` : ''}`;
}

/** The catalogue's sentence of each step of a contribution's timeline. */
const STEP = {
  SUBMITTED: 'web-step-submitted', RECEIVED_LATE: 'web-step-received-late', AMENDED: 'web-step-amended',
  ANSWER_PUBLISHED: 'web-step-answer-published', ANSWER_REVISED: 'web-step-answer-revised',
  ANSWER_REPUBLISHED: 'web-step-answer-republished', WITHDRAWN: 'web-step-withdrawn',
};

/** What happened to a contribution, day by day, each step with its reason when one was given
 * (the steps are the API's: `cpts_domain::rules::steps`). */
function steps(c) {
  const items = c.timeline.map((s) => `<li class="step ${esc(s.kind.toLowerCase())}">${esc(t(STEP[s.kind], fmtDate(s.on)))}${s.reason ? ` : ${esc(s.reason)}` : ''}</li>`).join('');
  return `<ol class="steps" aria-label="${esc(t('web-steps-label'))}">${items}</ol>`;
}

/** "Modifier" and "Retirer" for one of the caller's own contributions, each with its reason. */
function ownWordsForms(c, i) {
  const id = esc(c.contributionId);
  const data = `data-contribution="${id}" data-consultation="${esc(c.consultationId)}"`;
  // Once answered, an amendment is a new version and the answer keeps the words it answered.
  const newVersion = c.disposition ? `<p class="hint">${esc(t('web-amend-new-version-hint'))}</p>` : '';
  const amend = c.amendable ? `<form id="amend-${i}" class="amend-contribution" ${data}>${newVersion}
      ${field(`am-text-${i}`, t('web-new-text'), `<textarea id="am-text-${i}" name="text" required maxlength="20000" rows="4">${esc(c.text)}</textarea>`)}
      ${field(`am-reason-${i}`, t('web-amend-reason'), `<textarea id="am-reason-${i}" name="reason" required maxlength="20000" rows="2"></textarea>`)}
      <button type="submit">${esc(t('web-amend'))}</button>${resultSlot}</form>` : '';
  const withdraw = c.withdrawable ? `<form id="withdraw-${i}" class="withdraw-contribution" ${data}>
      ${field(`wd-reason-${i}`, t('web-withdraw-reason'), `<textarea id="wd-reason-${i}" name="reason" required maxlength="20000" rows="2"></textarea>`)}
      <button type="submit" class="secondary">${esc(t('web-withdraw'))}</button>${resultSlot}</form>` : '';
  return `<details class="own-words"><summary>${esc(t('web-own-words-summary', c.subject, c.text.length > 60 ? `${c.text.slice(0, 60)}…` : c.text))}</summary>
    ${amend}${withdraw}</details>`;
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

export const routes = {
  'mes-contributions': { page: minePage, after: afterMine, nav: 'web-nav-mine', navOrder: 40, member: true },
};
