// Échéances: what falls due — answers owed, consultations closing, mandates and approvals
// ending — overdue first, then within 30 and 90 days. The sentences are the service's (the same
// the coordinator's digest e-mail uses); the page only groups them and links each to its record.

import { gql } from '../api.js';
import { t, pick } from '../i18n.js';
import { esc, fmtDate } from '../ui.js';

/** The horizons, in the order the page shows them, with their heading. */
const HORIZONS = [
  ['OVERDUE', 'web-horizon-overdue', 'status-bad'],
  ['WITHIN_30_DAYS', 'web-horizon-within-30', 'status-late'],
  ['WITHIN_90_DAYS', 'web-horizon-within-90', ''],
];

/** Where a deadline is seen to: its decision, its consultation, or the register. */
function target(d) {
  if (d.decisionId) return `#/decision/${encodeURIComponent(d.decisionId)}`;
  if (d.consultationId) return `#/consultation/${encodeURIComponent(d.consultationId)}`;
  return '#/membres';
}

async function deadlinesPage() {
  const { deadlines } = await gql('{ deadlines(withinDays: 90) { kind horizon dueOn sentence sentenceEn decisionId consultationId memberId associationId } }');
  const sections = HORIZONS.map(([horizon, heading, css]) => {
    const list = deadlines.filter((d) => d.horizon === horizon);
    const items = list.map((d) => `<li class="deadline ${esc(d.kind.toLowerCase())}"><time datetime="${esc(d.dueOn)}" class="${css}">${esc(fmtDate(d.dueOn))}</time> —
      <a href="${target(d)}">${esc(pick(d.sentence, d.sentenceEn))}</a></li>`).join('');
    const id = `h-${horizon.toLowerCase()}`;
    return `<section aria-labelledby="${id}"><h2 id="${id}">${esc(t(heading))} (${list.length})</h2>
      ${list.length ? `<ul class="deadlines">${items}</ul>` : `<p>${esc(t('web-horizon-none'))}</p>`}</section>`;
  }).join('');
  return `<h1>${esc(t('web-deadlines-title'))}</h1><p>${esc(t('web-deadlines-intro'))}</p>${sections}`;
}

export const routes = {
  echeances: { page: deadlinesPage, nav: 'web-nav-deadlines', navOrder: 15, staff: true },
};
