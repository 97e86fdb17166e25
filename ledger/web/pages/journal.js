// Journal: the ledger's head and its check, and every event in French, in the CPTS's local time.

import { gql } from '../api.js';
import { t, lang, pick } from '../i18n.js';
import { esc, errorText, field, table } from '../ui.js';

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

export const routes = {
  journal: { page: journalPage, after: afterJournal, nav: 'web-nav-journal', navOrder: 70, staff: true },
};
