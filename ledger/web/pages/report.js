// Rapport: the general assembly's audit report, generated as of a date, in a language and format.

import { gql } from '../api.js';
import { t, lang } from '../i18n.js';
import { esc, today, errorText, field, select } from '../ui.js';

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

export const routes = {
  rapport: { page: reportPage, after: afterReport, nav: 'web-nav-report', navOrder: 80, staff: true },
};
