// Consultations: the list with how each keeps its promise, the form opening one, and the form
// recording a contribution (typed from paper, or a representative's own).

import { gql, ApiError } from '../api.js';
import { t, label, pick } from '../i18n.js';
import { esc, today, addDays, fmtDate, field, select, vocabulary, table, resultSlot } from '../ui.js';
import { session, isStaff, role, canWrite } from '../state.js';
import { SAVED, onSubmit, commandForm } from '../forms.js';

export async function consultationsPage() {
  const staff = isStaff();
  const data = await gql(`{ consultations { id subject moment mission rung method opensOn closesOn closedOn answerDeadline open contributions
    promiseKeeping { promise promiseEn owed answeredOnTime answeredLate unansweredNotDue unansweredOverdue } }
    ${staff ? 'members { id name kind departedOn }' : ''} }`);
  const rows = data.consultations.map((c) => {
    const p = c.promiseKeeping;
    return [
      `<strong><a href="#/consultation/${esc(c.id)}">${esc(c.subject)}</a></strong><br>${esc(label('moment', c.moment))}, ${esc(label('mission', c.mission))}, ${esc(label('method', c.method))}`,
      `${esc(label('rung', c.rung))}${p ? `<br><span class="hint">${esc(pick(p.promise, p.promiseEn))}</span>` : ''}`,
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
  if (canWrite() || (role() === 'representative' && session.viewer?.memberId)) {
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
      ${field('rc-file', t('web-attachment'), '<input type="file" id="rc-file" name="file" accept=".pdf,.png,.jpg,.jpeg,.odt,.ods,.docx,.xlsx,.csv,.txt" aria-describedby="rc-file-hint">', t('web-attachment-hint'))}
      <button type="submit">${esc(t('web-record-button'))}</button>${resultSlot}` : `<p>${esc(t('web-no-receiving-for-form'))}</p>`}</form>`;
  }
  if (canWrite()) forms += consultationPanels(data.consultations);
  return `<h1>${esc(t('consultations'))}</h1>
    ${rows.length ? table(t('consultations'), [t('subject'), t('rung'), `${t('web-opens-on')} / ${t('web-closes-on')}`, t('web-answer-deadline'), t('contributions'), t('web-promise-title')], rows, { numeric: [4] }) : `<p>${esc(t('web-no-consultation'))}</p>`}
    ${forms}`;
}

/** Closing a consultation and publishing its synthesis: the coordinator's, on any consultation. */
export function consultationPanels(consultations, fixed = null) {
  const choice = { name: 'consultationId', label: 'consultation', kind: 'select', required: true };
  const open = consultations.filter((c) => !c.closedOn).map((c) => [c.id, c.subject]);
  const closing = fixed ? { fixed: { consultationId: fixed }, fields: [] } : { fixed: {}, fields: [{ ...choice, options: open }] };
  // A synthesis follows the closing.
  const closed = consultations.filter((c) => c.closedOn).map((c) => [c.id, c.subject]);
  const all = fixed ? { fixed: { consultationId: fixed }, fields: [] } : { fixed: {}, fields: [{ ...choice, options: closed }] };
  const on = { name: 'on', label: 'web-date', kind: 'date', required: true, value: today(), max: today() };
  const panels = [];
  if (open.length) panels.push(commandForm({ id: 'close-consultation', collapsed: true, title: 'web-form-close-consultation', intro: 'web-close-consultation-intro', button: 'web-button-close', mutation: 'closeConsultation', inputType: 'CloseConsultationInput',
    fixed: closing.fixed, fields: [...closing.fields, on] }));
  if (closed.length) panels.push(commandForm({ id: 'publish-synthesis', collapsed: true, title: 'web-form-publish-synthesis', intro: 'web-publish-synthesis-intro', button: 'web-button-publish-synthesis', mutation: 'publishSynthesis', inputType: 'PublishSynthesisInput',
    fixed: all.fixed, fields: [...all.fields, { name: 'text', label: 'web-field-synthesis', kind: 'textarea', required: true, maxlength: 20000 }, on] }));
  return panels.length ? `<div class="form-panels">${panels.join('')}</div>` : '';
}

function afterConsultations() {
  const open = document.getElementById('open-consultation');
  if (open) onSubmit(open, (f) => gql(`mutation($input: OpenConsultationInput!) { openConsultation(input: $input) { ${SAVED} } }`, { input: {
    communityId: session.viewer.communityId, subject: f.get('subject'), moment: f.get('moment'), mission: f.get('mission'), rung: f.get('rung'),
    audience: f.get('audience'), method: f.get('method'), opensOn: f.get('opensOn'), closesOn: f.get('closesOn'),
    answerWithinDays: Number(f.get('answerWithinDays')) } }));
  const record = document.getElementById('record-contribution');
  if (record && record.querySelector('button')) {
    boundContributionDates(record);
    record.querySelector('#rc-consultation').addEventListener('change', () => boundContributionDates(record));
    record.querySelector('#rc-late')?.addEventListener('change', () => boundContributionDates(record));
    onSubmit(record, (f) => {
      const memberId = canWrite() ? (f.get('memberId') || null) : session.viewer.memberId;
      const contribution = {
        consultationId: f.get('consultationId'), memberId, anonymousCommune: memberId ? null : (f.get('anonymousCommune') || null),
        kind: f.get('kind'), text: f.get('text') };
      // The file goes with the contribution, in the same request; none when none is chosen.
      const chosen = f.get('file');
      const file = chosen && chosen.size ? chosen : null;
      if (file && file.size > 10 * 1024 * 1024) throw new ApiError(t('web-attachment-too-large'), null, 'INVALID_INPUT', 'file');
      if (f.get('late') === 'on') {
        return gql(`mutation($input: AcceptLateContributionInput!, $file: Upload) { acceptLateContribution(input: $input, file: $file) { aggregateId } }`, { input: {
          ...contribution, receivedOn: f.get('receivedOn'), reason: f.get('reason') } }, { file });
      }
      return gql(`mutation($input: SubmitContributionInput!, $file: Upload) { submitContribution(input: $input, file: $file) { aggregateId } }`, { input: {
        ...contribution, submittedOn: f.get('submittedOn') } }, { file });
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

export const routes = {
  consultations: { page: consultationsPage, after: afterConsultations, nav: 'web-nav-consultations', navOrder: 30, signedIn: true },
};
