// A consultation's page: its terms and promise, every contribution with its author (as the
// caller may see it), standing, due date and answer, the coordinator's actions on it, a CSV
// export and a print view. What was typed in from paper is checked here, before any decision.

import { gql } from '../api.js';
import { t, label, lang, pick } from '../i18n.js';
import { esc, fmtDate, fmtSize, table, lateTag, answeredVersion, errorText } from '../ui.js';
import { canWrite, isStaff } from '../state.js';
import { consultationPanels } from './consultations.js';
import { importPanel, bindImport } from './questionnaire.js';

const ENTRY = `contributionId authorName anonymous anonymousCommune mine kind text submittedOn lateReception { receivedOn reason }
  amendedOn amendmentReason withdrawnOn withdrawalReason answerDeadline standing decision { id title } disposition rationale publishedOn
  imported { format line response } attachment { name kindLabel kindLabelEn size url } answeredText answeredOn`;

/** The author as the caller may see them: a name, an anonymous inhabitant (and their commune),
 * « vous » for one's own. */
function author(e) {
  const you = e.mine ? `<span class="tag you">${esc(t('web-you'))}</span> ` : '';
  if (e.authorName) return you + esc(e.authorName);
  if (e.anonymous) return you + esc(`${t('member-kind-anonymous_inhabitant')}${e.anonymousCommune ? ` (${e.anonymousCommune})` : ''}`);
  return you || esc(t('web-a-member'));
}

function standingCell(e) {
  const css = { OVERDUE: 'status-bad', ANSWERED_LATE: 'status-late', ANSWERED_ON_TIME: 'status-ok' }[e.standing] || '';
  return `<span class="${css}">${esc(label('standing', e.standing))}</span>`;
}

function answerCell(e) {
  if (!e.disposition) return '';
  const where = e.decision ? `<a href="#/decision/${esc(e.decision.id)}">${esc(e.decision.title)}</a><br>` : '';
  const when = e.publishedOn ? esc(t('web-published-on-date', fmtDate(e.publishedOn))) : `<span class="tag">${esc(t('web-not-published'))}</span>`;
  return `${where}<strong>${esc(label('disposition', e.disposition))}</strong>${e.rationale ? ` — ${esc(e.rationale)}` : ''}<br>${when}`;
}

/** The contribution's file, to download (for staff and its author). */
function attachmentLink(e) {
  const a = e.attachment;
  if (!a) return '';
  return `<br><a class="attachment" href="${esc(a.url)}" download>${esc(t('web-attachment-link', a.name, pick(a.kindLabel, a.kindLabelEn), fmtSize(a.size)))}</a>`;
}

/** Says that a contribution was imported from a questionnaire's file, and from which row. */
function importedTag(e) {
  const i = e.imported;
  if (!i) return '';
  const response = i.response ? t('web-imported-response', i.response) : '';
  return `<br><span class="tag imported">${esc(t('web-imported-tag', label('questionnaireFormat', i.format), i.line, response))}</span>`;
}

function changes(e) {
  const amended = e.amendedOn ? `<br><span class="tag amended">${esc(t('web-amended-tag', fmtDate(e.amendedOn), e.amendmentReason || ''))}</span>` : '';
  const withdrawn = e.withdrawnOn ? `<br><span class="tag withdrawn">${esc(t('web-withdrawn-tag', fmtDate(e.withdrawnOn), e.withdrawalReason || ''))}</span>` : '';
  return amended + withdrawn;
}

async function consultationPage(params, id) {
  const data = await gql(`query($id: ID!) { consultation(id: $id) { id subject moment mission rung method opensOn closesOn closedOn answerDeadline open contributions
    promiseKeeping { promise promiseEn owed answeredOnTime answeredLate unansweredNotDue unansweredOverdue } entries { ${ENTRY} } } }`, { id });
  const c = data.consultation;
  const p = c.promiseKeeping;
  const rows = c.entries.map((e) => [
    `${esc(e.text)}${attachmentLink(e)}${answeredVersion(e)}${lateTag(e.lateReception)}${importedTag(e)}${changes(e)}`, author(e), esc(label('kind', e.kind)), esc(fmtDate(e.submittedOn)),
    esc(fmtDate(e.answerDeadline)), standingCell(e), answerCell(e)]);
  const headers = [t('contribution'), t('web-author'), t('kind'), t('web-submitted-on'), t('deadline'), t('status'), t('web-answer')];
  const figures = p ? `<ul class="cards" id="consultation-figures">
      <li class="card"><h3>${esc(t('standing-answered_on_time'))}</h3><p class="figure status-ok">${p.answeredOnTime}</p></li>
      <li class="card"><h3>${esc(t('standing-answered_late'))}</h3><p class="figure status-late">${p.answeredLate}</p></li>
      <li class="card"><h3>${esc(t('standing-overdue'))}</h3><p class="figure status-bad">${p.unansweredOverdue}</p></li>
      <li class="card"><h3>${esc(t('standing-pending'))}</h3><p class="figure">${p.unansweredNotDue}</p></li></ul>` : '';
  const state = c.open ? `<span class="tag status-ok">${esc(t('web-open-now'))}</span>`
    : c.closedOn ? esc(t('web-closed-on', fmtDate(c.closedOn))) : esc(t('web-closed'));
  return `<p class="no-print"><a href="#/consultations">← ${esc(t('web-back-consultations'))}</a></p>
    <h1>${esc(c.subject)}</h1>
    <p>${esc(label('moment', c.moment))}, ${esc(label('mission', c.mission))}, ${esc(label('method', c.method))} — ${esc(label('rung', c.rung))}</p>
    ${p ? `<p class="promise">${esc(t('promise'))} : ${esc(pick(p.promise, p.promiseEn))}</p>` : ''}
    <p>${esc(t('web-opens-on'))} ${esc(fmtDate(c.opensOn))}, ${esc(t('web-closes-on'))} ${esc(fmtDate(c.closesOn))} — ${state}. ${esc(t('web-answer-deadline'))} ${esc(fmtDate(c.answerDeadline))}.</p>
    ${figures}
    <section aria-labelledby="h-entries"><h2 id="h-entries">${esc(t('web-entries-title', c.entries.length))}</h2>
      <p class="no-print"><button type="button" id="export-csv" class="secondary">${esc(t('web-export-csv'))}</button>
        <button type="button" id="export-ods" class="secondary">${esc(t('web-export-ods'))}</button>
        <button type="button" id="print-page" class="secondary">${esc(t('web-print'))}</button>
        ${canWrite() ? `<a href="#/consultations">${esc(t('web-record-contribution-title'))}</a>` : ''}</p>
      <p id="export-result" role="status" aria-live="polite"></p>
      ${rows.length ? table(t('web-entries-title', c.entries.length), headers, rows) : `<p>${esc(t('web-no-entry'))}</p>`}
    </section>
    ${canWrite() && c.rung !== 'INFORM' ? `<div class="form-panels">${importPanel(c)}</div>` : ''}
    ${canWrite() ? consultationPanels([c], c.id) : ''}
    ${!isStaff() && c.entries.some((e) => e.mine) ? `<p><a href="#/mes-contributions">${esc(t('web-see-mine'))}</a></p>` : ''}`;
}

function afterConsultation() {
  bindImport();
  document.getElementById('print-page')?.addEventListener('click', () => window.print());
  const exportAs = (kind) => async () => {
    const out = document.getElementById('export-result');
    const id = location.hash.split('/')[2]?.split('?')[0];
    try {
      const { consultation } = await gql(`query($id: ID!, $l: Lang!) { consultation(id: $id) { subject ${kind}(lang: $l) } }`, { id: decodeURIComponent(id), l: lang().toUpperCase() });
      const name = `contributions-${consultation.subject.normalize('NFD').replace(/[^\w]+/g, '-').replace(/^-|-$/g, '').toLowerCase().slice(0, 60)}.${kind}`;
      // A byte order mark, so that a spreadsheet opens the CSV's accents as UTF-8; the
      // spreadsheet comes as base64.
      const blob = kind === 'csv'
        ? new Blob(['\ufeff', consultation.csv], { type: 'text/csv;charset=utf-8' })
        : new Blob([Uint8Array.from(atob(consultation.ods), (c) => c.charCodeAt(0))], { type: 'application/vnd.oasis.opendocument.spreadsheet' });
      const url = URL.createObjectURL(blob);
      out.innerHTML = `<a id="${kind}-download" href="${url}" download="${esc(name)}">${esc(t('web-download', name))}</a>`;
    } catch (error) {
      out.textContent = errorText(error);
    }
  };
  document.getElementById('export-csv')?.addEventListener('click', exportAs('csv'));
  document.getElementById('export-ods')?.addEventListener('click', exportAs('ods'));
}

export const routes = {
  consultation: { page: consultationPage, after: afterConsultation, signedIn: true, navParent: () => 'consultations' },
};
