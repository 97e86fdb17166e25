// What every page shares: escaping, dates and numbers in the page's language, the pieces of
// a form and a table, and the bar chart. One way to build markup: template literals in which
// every value from the API goes through `esc` (fragments built here are already escaped).

import { ApiError } from './api.js';
import { t, label, values, lang, pick } from './i18n.js';

export const esc = (value) => String(value ?? '').replace(/[&<>"']/g,
  (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
export const today = () => new Date().toISOString().slice(0, 10);
export const addDays = (date, days) => {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
};
export const fmtDate = (date) => {
  if (!date) return '';
  const d = new Date(`${String(date).slice(0, 10)}T00:00:00Z`);
  return d.toLocaleDateString(lang() === 'en' ? 'en-GB' : 'fr-FR', { timeZone: 'UTC', day: 'numeric', month: 'long', year: 'numeric' });
};
export const percent = (share) => (share == null ? '–' : `${Math.round(share * 100)} %`);
export const errorText = (error) => (error instanceof ApiError ? pick(error.message, error.messageEn) : String(error.message || error));
/** A moment in the reader's own time zone, in the page's language (`3 décembre 2026 à 14:05`). */
export const fmtMoment = (iso) => new Intl.DateTimeFormat(lang() === 'en' ? 'en-GB' : 'fr-FR',
  { day: 'numeric', month: 'long', year: 'numeric', hour: '2-digit', minute: '2-digit' }).format(new Date(iso));
/** A file's size, in the page's language (`12 ko`, `1,5 Mo`). */
export const fmtSize = (bytes) => (bytes < 1024 * 1024
  ? t('web-size-kb', Math.max(1, Math.round(bytes / 1024)))
  : t('web-size-mb', (bytes / 1048576).toLocaleString(lang() === 'en' ? 'en-GB' : 'fr-FR', { maximumFractionDigits: 1 })));
/** The first words of a long text, cut at a word (`…` when cut). */
export const excerpt = (text, max = 160) => (text.length > max ? `${text.slice(0, max - 3).replace(/\s+\S*$/, '')}…` : text);

export function field(id, text, control, hint = '') {
  return `<div class="field"><label for="${id}">${esc(text)}</label>${hint ? `<p class="hint" id="${id}-hint">${esc(hint)}</p>` : ''}${control}</div>`;
}
export function select(id, name, options, { required = false, selected = '' } = {}) {
  const opts = options.map(([value, text]) => `<option value="${esc(value)}"${value === selected ? ' selected' : ''}>${esc(text)}</option>`).join('');
  return `<select id="${id}" name="${name}"${required ? ' required' : ''}>${opts}</select>`;
}
export const vocabulary = (name, withAny = false) =>
  [...(withAny ? [['', t('web-any')]] : []), ...values(name).map((v) => [v.toUpperCase(), label(name, v)])];

export function table(caption, headers, rows, { numeric = [] } = {}) {
  if (!rows.length) return '';
  const head = headers.map((h, i) => `<th scope="col"${numeric.includes(i) ? ' class="num"' : ''}>${esc(h)}</th>`).join('');
  const body = rows.map((cells) => `<tr>${cells.map((c, i) => `<td data-label="${esc(headers[i] ?? '')}"${numeric.includes(i) ? ' class="num"' : ''}>${c}</td>`).join('')}</tr>`).join('');
  return `<table class="stack"><caption>${esc(caption)}</caption><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

export function main() { return document.getElementById('main'); }

/** Where a form says what happened: filled in after it is sent. */
export const resultSlot = '<p class="form-result" role="status" aria-live="polite"></p>';

/** Says which words an answer answered, when the contribution was amended after it: the answer
 * stays tied to that version, and the text shown above is the newer one. */
export const answeredVersion = (e) => (e.answeredText
  ? `<br><span class="tag answered-version">${esc(t('web-answered-version', fmtDate(e.answeredOn), e.answeredText))}</span>` : '');

/** Says that a contribution was received after its consultation's closing, when and why. */
export const lateTag = (late) => (late
  ? `<br><span class="tag late-reception">${esc(t('web-received-late-tag', fmtDate(late.receivedOn), late.reason))}</span>` : '');

// ---------------------------------------------------------------- charts

/** One colour per disposition, each with at least 4.5:1 contrast on white. */
export const DISPOSITION_COLOURS = {
  retained: '#18753c', partly_retained: '#3558a2', not_retained: '#b3261e', deferred: '#8a4500', out_of_scope: '#4a4a4a',
};

/** A horizontal bar chart as inline SVG, with a text alternative. */
export function barChart(title, bars) {
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
