// Importing an online questionnaire into a consultation (coordinators): the CSV export of
// LimeSurvey, Framaforms or any table is read in the browser, the service previews what each
// row would record with the columns its format suggests, the coordinator adjusts the columns and
// imports. Importing the same file again adds nothing; the preview says so before.

import { gql } from '../api.js';
import { t, pick } from '../i18n.js';
import { esc, fmtDate, table, vocabulary, excerpt, errorText, resultSlot } from '../ui.js';
import { onSubmit } from '../forms.js';

const PREVIEW = `query($input: QuestionnaireInput!) { questionnairePreview(input: $input) {
  fileSha256 headers rows new alreadyRecorded skipped wrong
  mapping { textColumns dateColumn communeColumn responseColumn }
  sample { line status response submittedOn commune text error errorEn } } }`;
const IMPORT = `mutation($input: QuestionnaireInput!) { importQuestionnaire(input: $input) {
  aggregateId recorded alreadyRecorded skipped summary summaryEn } }`;

/** The import's panel, for a consultation that receives contributions. */
export function importPanel(consultation) {
  const formats = vocabulary('questionnaireFormat');
  const kinds = vocabulary('kind');
  return `<details class="form-panel" id="import-questionnaire-panel"><summary id="import-questionnaire-title">${esc(t('web-import-title'))}</summary>
    <form id="import-questionnaire" class="command-form" aria-labelledby="import-questionnaire-title" data-consultation="${esc(consultation.id)}" novalidate>
      <p class="hint">${esc(t('web-import-intro'))}</p>
      <div class="field"><label for="iq-file">${esc(t('web-import-file'))}</label>
        <p class="hint" id="iq-file-hint">${esc(t('web-import-file-hint'))}</p>
        <input type="file" id="iq-file" name="file" accept=".csv,text/csv,text/plain" required aria-describedby="iq-file-hint iq-file-error">
        <p class="field-error" id="iq-file-error" hidden></p></div>
      <div class="field"><label for="iq-format">${esc(t('web-import-format'))}</label>
        <select id="iq-format" name="format">${formats.map(([v, text]) => `<option value="${esc(v)}">${esc(text)}</option>`).join('')}</select></div>
      <div class="field"><label for="iq-kind">${esc(t('kind'))}</label>
        <select id="iq-kind" name="kind">${kinds.map(([v, text]) => `<option value="${esc(v)}"${v === 'OPINION' ? ' selected' : ''}>${esc(text)}</option>`).join('')}</select></div>
      <div class="field"><label for="iq-date">${esc(t('web-import-default-date'))} <span class="optional">${esc(t('web-optional'))}</span></label>
        <p class="hint" id="iq-date-hint">${esc(t('web-import-default-date-hint', fmtDate(consultation.opensOn), fmtDate(consultation.closesOn)))}</p>
        <input type="date" id="iq-date" name="defaultDate" min="${esc(consultation.opensOn)}" max="${esc(consultation.closesOn)}" aria-describedby="iq-date-hint"></div>
      <div id="iq-mapping"></div>
      <div id="iq-preview" role="status" aria-live="polite"></div>
      <button type="submit" disabled>${esc(t('web-import-button'))}</button>${resultSlot}
    </form></details>`;
}

/** A file's text: UTF-8, or else Windows-1252 (a CSV saved by a spreadsheet on Windows). */
async function fileText(file) {
  const bytes = await file.arrayBuffer();
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return new TextDecoder('windows-1252').decode(bytes);
  }
}

function columnSelect(id, name, headers, chosen, labelKey) {
  const options = [['', t('web-import-no-column')], ...headers.map((h) => [h, h])]
    .map(([v, text]) => `<option value="${esc(v)}"${v === (chosen || '') ? ' selected' : ''}>${esc(text)}</option>`).join('');
  return `<div class="field"><label for="${id}">${esc(t(labelKey))}</label><select id="${id}" name="${name}">${options}</select></div>`;
}

/** The columns' choice, with the mapping the service used checked. */
function mappingHtml(preview) {
  const { headers, mapping } = preview;
  const boxes = headers.filter((h) => h).map((h, i) => `<div class="field inline"><input type="checkbox" id="iq-text-${i}" name="textColumns" value="${esc(h)}"${mapping.textColumns.includes(h) ? ' checked' : ''}>
    <label for="iq-text-${i}">${esc(h)}</label></div>`).join('');
  return `<fieldset><legend>${esc(t('web-import-text-columns'))}</legend><p class="hint">${esc(t('web-import-text-columns-hint'))}</p>${boxes}</fieldset>
    ${columnSelect('iq-date-column', 'dateColumn', headers, mapping.dateColumn, 'web-import-date-column')}
    ${columnSelect('iq-commune-column', 'communeColumn', headers, mapping.communeColumn, 'web-import-commune-column')}
    ${columnSelect('iq-response-column', 'responseColumn', headers, mapping.responseColumn, 'web-import-response-column')}`;
}

const STATUS_CSS = { NEW: 'status-ok', ALREADY_RECORDED: '', NO_ANSWER: '', NOT_SENT: '', WRONG: 'status-bad' };
const STATUS_TEXT = {
  NEW: 'web-import-status-new', ALREADY_RECORDED: 'web-import-status-already-recorded', NO_ANSWER: 'web-import-status-no-answer',
  NOT_SENT: 'web-import-status-not-sent', WRONG: 'web-import-status-wrong',
};

function previewHtml(p) {
  const counts = t('web-import-counts', p.rows, p.new, p.alreadyRecorded, p.skipped, p.wrong);
  const rows = p.sample.map((r) => [String(r.line), esc(r.response || ''), esc(fmtDate(r.submittedOn)), esc(r.commune || ''),
    esc(excerpt(r.text || '', 200)),
    `<span class="${STATUS_CSS[r.status]}">${esc(t(STATUS_TEXT[r.status]))}</span>${r.error ? `<br>${esc(pick(r.error, r.errorEn))}` : ''}`]);
  const headers = [t('web-import-line'), t('web-import-response'), t('web-date'), t('commune'), t('contribution'), t('status')];
  const verdict = p.wrong ? `<p class="form-result error">${esc(t('web-import-fix-first', p.wrong))}</p>`
    : p.new ? '' : `<p>${esc(t('web-import-nothing-new'))}</p>`;
  return `<p id="iq-counts"><strong>${esc(counts)}</strong></p>${verdict}
    ${table(t('web-import-preview-caption'), headers, rows, { numeric: [0] })}
    <p class="hint hash">${esc(t('web-import-hash', p.fileSha256))}</p>`;
}

/** What is typed in: the file's text, the format, the kind, the date and the columns. */
function importInput(form, withMapping) {
  const data = new FormData(form);
  const input = {
    consultationId: form.dataset.consultation, csv: form.csvText, format: data.get('format'),
    kind: data.get('kind'), defaultDate: data.get('defaultDate') || null,
  };
  if (withMapping && form.querySelector('#iq-mapping fieldset')) {
    input.mapping = {
      textColumns: data.getAll('textColumns'), dateColumn: data.get('dateColumn') || null,
      communeColumn: data.get('communeColumn') || null, responseColumn: data.get('responseColumn') || null,
    };
  }
  return input;
}

/** Binds the import's panel, if the page has one. */
export function bindImport() {
  const form = document.getElementById('import-questionnaire');
  if (!form) return;
  const out = form.querySelector('#iq-preview');
  const button = form.querySelector('button[type="submit"]');
  const fileError = form.querySelector('#iq-file-error');
  let asked = 0;
  const preview = async (withMapping) => {
    if (form.csvText == null) return;
    const mine = ++asked;
    button.disabled = true;
    out.textContent = t('web-import-reading');
    try {
      const { questionnairePreview: p } = await gql(PREVIEW, { input: importInput(form, withMapping) });
      if (mine !== asked) return;
      if (!withMapping) form.querySelector('#iq-mapping').innerHTML = mappingHtml(p);
      out.innerHTML = previewHtml(p);
      button.disabled = !(p.new > 0 && p.wrong === 0);
      button.textContent = p.new > 0 ? t('web-import-button-count', p.new) : t('web-import-button');
    } catch (error) {
      if (mine !== asked) return;
      out.innerHTML = `<p class="form-result error">${esc(errorText(error))}</p>`;
    }
  };
  form.querySelector('#iq-file').addEventListener('change', async (event) => {
    const file = event.target.files[0];
    fileError.hidden = true;
    form.querySelector('#iq-mapping').innerHTML = '';
    form.csvText = null;
    if (!file) return;
    // The service takes requests up to 2 MiB: a larger export is split, as its error says.
    if (file.size > 1900 * 1024) {
      fileError.textContent = t('web-import-too-large');
      fileError.hidden = false;
      return;
    }
    form.csvText = await fileText(file);
    await preview(false);
  });
  form.querySelector('#iq-format').addEventListener('change', () => {
    form.querySelector('#iq-mapping').innerHTML = '';
    preview(false);
  });
  form.querySelector('#iq-date').addEventListener('change', () => preview(true));
  form.querySelector('#iq-mapping').addEventListener('change', () => preview(true));
  onSubmit(form, () => gql(IMPORT, { input: importInput(form, true) }));
}
