// User-facing texts: French first, English on demand. They are not written here: the service
// serves its one text catalogue (domain/locales/*.ftl) at /texts/{lang}.json, as [key, text]
// pairs, a text's arguments left as {a0}, {a1}…

const load = async (code) => {
  const response = await fetch(`/texts/${code}.json`);
  return new Map(await response.json());
};
const CATALOGUES = { fr: await load('fr'), en: await load('en') };

// The catalogue's family of each vocabulary the pages name.
const FAMILIES = {
  rung: 'rung', disposition: 'disposition', status: 'decision-status', moment: 'moment',
  mission: 'mission', method: 'method', kind: 'contribution-kind', followUp: 'follow-up',
  outcome: 'vote-outcome', memberKind: 'member-kind', approval: 'approval-status', standing: 'standing',
  bodyKind: 'body-kind', approvalLevel: 'approval-level', engagement: 'engagement',
  questionnaireFormat: 'questionnaire-format',
};

let current = localStorage.getItem('cpts-ledger-lang') === 'en' ? 'en' : 'fr';

/** The language shown: `fr` or `en`. */
export function lang() {
  return current;
}

/** Switches the language and remembers the choice. */
export function setLang(value) {
  current = value === 'en' ? 'en' : 'fr';
  localStorage.setItem('cpts-ledger-lang', current);
  document.documentElement.lang = current;
}

/** The text of `key` in the current language, with `{a0}`, `{a1}`… replaced. */
export function t(key, ...args) {
  const text = CATALOGUES[current].get(key) ?? key;
  return text.replace(/\{a(\d)\}/g, (_, i) => String(args[Number(i)] ?? ''));
}

/** The label of a value of a vocabulary (`rung`, `disposition`, …), lower- or upper-case. */
export function label(vocabulary, value) {
  if (value == null) return '';
  const key = `${FAMILIES[vocabulary]}-${String(value).toLowerCase()}`;
  return CATALOGUES[current].get(key) ?? String(value);
}

/** The values of a vocabulary, for select lists, in the catalogue's order. */
export function values(vocabulary) {
  const prefix = `${FAMILIES[vocabulary]}-`;
  return [...CATALOGUES.fr.keys()].filter((k) => k.startsWith(prefix)).map((k) => k.slice(prefix.length));
}

/** Picks the French or English one of two texts from the API. */
export function pick(french, english) {
  return current === 'en' && english ? english : french;
}
