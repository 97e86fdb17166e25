// End-to-end checks of the dashboard in headless Chromium (Debian's, at /usr/bin/chromium), on
// the demo data on PostgreSQL, against the real service started by the `dashboard-server`
// binary of the tests crate (the harness is `lib.mjs`). Fails on any failed assertion, console
// error, page error, failed request, serious/critical axe-core violation, id shown as text or
// page wider than a phone's screen. Used by tests/run. After the main walk below, each flow of
// `flows/` runs in turn.
//
//   node dashboard.mjs                      the checks
//   node dashboard.mjs --screenshots DIR    the checks, and screenshots of the main pages in DIR
//
// The service's command can be replaced with DASHBOARD_SERVER (a shell command that prints the
// same JSON line and serves until its standard input closes).
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  root, scenario, info, check, openPage, signIn, accessible, shot, text, must, finish, UUID,
} from './lib.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const perimeter = scenario.decisions.find((d) => d.slug === 'd-perimetre');
const lateSlug = scenario.expected.perimetre.late_answers[0];
const lateText = scenario.consultations[0].contributions.find((c) => c.slug === lateSlug).text;
const textsBy = (slug) => scenario.consultations.flatMap((c) => c.contributions).filter((c) => c.author === slug).map((c) => c.text);

// ------------------------------------------------------------------ the coordinator

const coordinator = await openPage('coordinator');
await signIn(coordinator, info.tokens.coordinator);
await coordinator.getByRole('heading', { level: 1, name: 'Tableau de bord' }).waitFor();
check(await coordinator.locator('html').getAttribute('lang') === 'fr', 'the page is in French (lang="fr")');
const lateFigure = await coordinator.locator('#promise-figures li', { hasText: 'Répondu en retard' }).locator('.figure').innerText();
check(lateFigure === '1', `the dashboard counts one answer published late (${lateFigure})`);
const lateRow = coordinator.locator('#late-list table tbody tr');
check(await lateRow.count() === 1, 'one late answer is listed');
const lateRowText = await lateRow.first().innerText();
check(lateRowText.includes(lateText), 'the late answer is the testimony the scenario answered late');
check(lateRowText.includes('un habitant de Sète') && lateRowText.includes('27 février 2026') && lateRowText.includes('12 avril 2026'),
  `the late answer names its author and its dates in French (${lateRowText})`);
const homeText = await text(coordinator);
const uuidOnHome = homeText.match(UUID);
check(!uuidOnHome, `the coordinator's home page shows no raw id${uuidOnHome ? ` (${uuidOnHome[0]})` : ''}`);
const checksText = await coordinator.locator('section:has(#h-checks)').innerText();
check(checksText.includes('À faire') && checksText.includes('Que faire'), 'a failing compliance check says what to do');
await accessible(coordinator, 'dashboard');
await shot(coordinator, 'tableau-de-bord');

await lateRow.first().getByRole('link', { name: perimeter.title }).click();
await coordinator.getByRole('heading', { level: 1, name: perimeter.title }).waitFor();
const trailRows = coordinator.locator('section:has(#h-trail) table tbody tr');
check(await trailRows.count() === scenario.expected.perimetre.contributions,
  `the perimeter decision's trail lists its ${scenario.expected.perimetre.contributions} contributions`);
const chart = await coordinator.locator('figure.chart figcaption').innerText();
check(chart.includes('Retenue : 9') && chart.includes('Partiellement retenue : 3') && chart.includes('Non retenue : 2'),
  `the dispositions chart shows 9 retained, 3 partly, 2 not retained (${chart})`);
check(await coordinator.locator('figure.chart svg rect').count() === 3, 'the chart draws one bar per disposition');
const decisionText = await text(coordinator);
const notRetained = perimeter.answers.filter((a) => a.disposition === 'not_retained');
check(notRetained.every((a) => decisionText.includes(a.rationale)), 'the rationale of each contribution not retained is shown');
check(decisionText.includes('Martine Roussel'), 'staff see the authors’ names in the trail');
check(decisionText.includes(perimeter.follow_up[0].milestone), 'the implementation milestone is shown');
check((await coordinator.locator('section:has(#h-vote) table tbody tr').count()) === 3, 'the vote is shown per collège');
await accessible(coordinator, 'decision page');
await shot(coordinator, 'decision');

await coordinator.getByRole('link', { name: 'Décisions', exact: true }).click();
await coordinator.locator('#decision-total').waitFor();
check((await coordinator.locator('#decision-total').innerText()).startsWith('2 '), 'the decisions list counts the two decisions');
await coordinator.getByLabel('Moment', { exact: true }).selectOption('PRIORITISATION');
await coordinator.getByRole('button', { name: 'Filtrer' }).click();
await coordinator.waitForFunction(() => document.querySelector('#decision-total')?.textContent.startsWith('1 '));
check((await text(coordinator)).includes('Lancer un dépistage du pied diabétique'), 'the moment filter keeps the screening decision');
await accessible(coordinator, 'decisions list');
await shot(coordinator, 'decisions');

await coordinator.getByRole('link', { name: 'Membres et associations', exact: true }).click();
await coordinator.getByRole('heading', { level: 1, name: 'Membres et associations' }).waitFor();
const reps = await coordinator.locator('section:has(#h-reps) tbody tr', { hasText: 'Karim Benali' }).innerText();
check(reps.includes('aucun'), 'the register shows the representative without a cadre d’intervention');
await accessible(coordinator, 'members');
await shot(coordinator, 'membres');

await coordinator.getByRole('link', { name: 'Journal', exact: true }).click();
await coordinator.getByRole('button', { name: 'Vérifier la chaîne d’empreintes' }).click();
await coordinator.locator('#verify-status').waitFor();
check((await coordinator.locator('#verify-status').innerText()).startsWith('Registre intact'), 'the journal verifies the ledger as intact');
check(/^cpts-ledger:v2:\d+:[0-9a-f]{64}$/.test(await coordinator.locator('#verify-digest').innerText()), 'the journal shows the digest');
check(await coordinator.locator('section:has(#h-timeline) tbody tr').count() === 50, 'the timeline shows a first page of 50 events');
// The Journal in words: events by their French names, records and people by name, local times.
const eventTypes = ['community', 'association', 'member', 'consultation', 'decision'].flatMap((file) => {
  const source = readFileSync(join(root, `domain/src/${file}.rs`), 'utf8');
  const block = source.match(/domain_event!\(\w+ \{([^}]*)\}/);
  return block ? block[1].split(',').map((v) => v.trim()).filter(Boolean) : [];
});
check(eventTypes.length > 30, `the domain's event types are read (${eventTypes.length})`);
const journalText = await coordinator.locator('section:has(#h-timeline)').innerText();
const uuid = UUID;
check(!uuid.test(journalText), `the journal shows no id${uuid.test(journalText) ? ` (${journalText.match(uuid)[0]})` : ''}`);
const english = eventTypes.filter((e) => journalText.includes(e));
check(english.length === 0, `the journal shows no event type's stored name${english.length ? ` (${english.join(', ')})` : ''}`);
const firstEvent = await coordinator.locator('section:has(#h-timeline) tbody tr').first().innerText();
check(firstEvent.includes('CPTS enregistrée') && firstEvent.includes('CPTS du Val de l') && firstEvent.includes('le service'),
  `the first event is named in French, with its record and who did it (${firstEvent.replace(/\s+/g, ' ')})`);
check(journalText.includes('Heures locales (Europe/Paris)') && journalText.includes('Sophie Marty') && journalText.includes('Contribution déposée'),
  'the journal names the coordinator, its events in French and the time zone of its times');
const localShown = await coordinator.locator('section:has(#h-timeline) tbody tr time').first().innerText();
check(/\d{1,2} \p{L}+ \d{4}/u.test(localShown) && /\d{2}:\d{2}/.test(localShown), `a time is written as people read it (${localShown})`);
const recordLinks = coordinator.locator('section:has(#h-timeline) tbody a[href="#/membres"]');
check(await recordLinks.count() > 0, 'an event of a member or an association links to the register');
await accessible(coordinator, 'journal');
await shot(coordinator, 'journal');
await coordinator.getByRole('button', { name: 'English' }).click();
await coordinator.getByRole('heading', { level: 1, name: 'Log' }).waitFor();
const journalEn = await coordinator.locator('section:has(#h-timeline)').innerText();
check(journalEn.includes('CPTS registered') && journalEn.includes('the service') && !uuid.test(journalEn),
  'in English, the journal names events and the service in English');
await coordinator.getByRole('button', { name: 'Français' }).click();
await coordinator.getByRole('heading', { level: 1, name: 'Journal' }).waitFor();

await coordinator.getByRole('link', { name: 'Rapport AG', exact: true }).click();
await coordinator.getByRole('button', { name: 'Générer le rapport' }).click();
const download = coordinator.locator('#report-download');
await download.waitFor();
const [file] = await Promise.all([coordinator.waitForEvent('download'), download.click()]);
const report = readFileSync(await file.path(), 'utf8');
check(file.suggestedFilename().startsWith('rapport-ag-') && report.includes('<html') && report.includes('Val de l'),
  `the general assembly's report is generated and downloaded (${file.suggestedFilename()})`);
await accessible(coordinator, 'report');

// ------------------------------------------------------------------ live updates

await coordinator.getByRole('link', { name: 'Consultations', exact: true }).click();
const subject = 'Horaires des permanences de soins non programmés';
await coordinator.getByLabel('Objet').fill(subject);
await coordinator.getByLabel('Public consulté').fill('habitants et membres');
await coordinator.getByRole('button', { name: 'Ouvrir la consultation' }).click();
// The form offers closed consultations too: wait for the new one among them.
await coordinator.locator('#record-contribution option', { hasText: subject }).waitFor({ state: 'attached' });
await coordinator.locator('#form-confirmation', { hasText: `Consultation ouverte : ${subject}` }).waitFor();
check(true, 'the form says which consultation it opened');
check((await text(coordinator)).includes(subject), 'a consultation opened through the form is listed');
await accessible(coordinator, 'consultations');
await shot(coordinator, 'consultations');

const watcher = await openPage('second page');
await signIn(watcher, info.tokens.coordinator);
const openItem = watcher.locator('#open-consultations li', { hasText: subject });
await openItem.waitFor();
check((await openItem.innerText()).includes('Contributions : 0'), 'the second page shows the new consultation with no contribution');
await watcher.evaluate(() => { window.notReloaded = true; });
await watcher.waitForFunction(() => document.body.dataset.live === 'on');

const paper = 'Contribution reçue sur papier : ouvrir une permanence le samedi matin à Mèze.';
await coordinator.locator('#record-contribution').getByLabel('Consultation', { exact: true }).selectOption({ label: subject });
await coordinator.getByLabel('Commune (habitant·e anonyme)').fill('Mèze');
await coordinator.getByLabel('Nature').selectOption('PROPOSAL');
await coordinator.locator('#record-contribution').getByLabel('Texte').fill(paper);
await coordinator.getByRole('button', { name: 'Enregistrer la contribution' }).click();
await coordinator.locator('#record-contribution .form-result', { hasText: 'Enregistré' }).waitFor().catch(() => {});
let live = false;
try {
  await watcher.locator('#open-consultations li', { hasText: subject }).filter({ hasText: 'Contributions : 1' }).waitFor({ timeout: 10000 });
  live = true;
} catch { /* reported below */ }
check(live, 'the contribution recorded through the form appears live on the second open page');
check(await watcher.evaluate(() => window.notReloaded === true), 'the second page was updated without reloading');
await watcher.close();

// ------------------------------------------------------------------ catching up

// A closed consultation still takes what was said within its period, and a coordinator records
// a paper form received after its last day as late, with the day it came and why.
const workshop = scenario.consultations[1];
await coordinator.locator('#record-contribution').getByLabel('Consultation', { exact: true }).selectOption({ label: workshop.subject });
check(await coordinator.locator('#rc-date').getAttribute('max') === workshop.closes_on
  && await coordinator.locator('#rc-date').getAttribute('min') === workshop.opens_on,
  'a closed consultation is offered, the date bounded to its period');
const workshopRow = coordinator.locator('main table tbody tr', { hasText: workshop.subject });
const before = Number(await workshopRow.locator('.contribution-count').innerText());
await coordinator.getByLabel('Reçue après la clôture').check();
check(await coordinator.locator('#rc-received').getAttribute('min') > workshop.closes_on && await coordinator.locator('#rc-date').isHidden(),
  'received after the closing, it asks for the day it was received, after the last day');
await coordinator.getByLabel('Nature').selectOption('TESTIMONY');
await coordinator.locator('#record-contribution').getByLabel('Texte').fill('Formulaire papier : le bilan podologique a trop tardé.');
await coordinator.getByLabel("Motif de l'acceptation").fill('Déposé dans la boîte aux lettres après la clôture.');
await coordinator.getByRole('button', { name: 'Enregistrer la contribution' }).click();
let counted = false;
try {
  await workshopRow.locator('.contribution-count', { hasText: String(before + 1) }).waitFor({ timeout: 10000 });
  counted = true;
} catch { /* reported below */ }
check(counted, 'the contribution received late is recorded and counted for its consultation');

// ------------------------------------------------------------------ a decision, its vote and its answers

const title = 'Ouvrir une permanence de soins non programmés le samedi matin';
await coordinator.getByRole('link', { name: 'Décisions', exact: true }).click();
await coordinator.locator('#propose-decision').waitFor();
await coordinator.getByLabel('Titre').fill(title);
await coordinator.getByLabel('Texte de la décision').fill('Une permanence le samedi matin à Mèze, à partir du mois prochain.');
await coordinator.getByLabel('Moment de la participation').selectOption('PRIORITISATION');
await coordinator.getByLabel('Mission servie').selectOption('ACCESS_TO_CARE');
await coordinator.getByLabel('Consultation dont elle tient compte').selectOption({ label: subject });
await coordinator.getByRole('button', { name: 'Proposer la décision' }).click();
await coordinator.getByRole('heading', { level: 1, name: title }).waitFor();
const newTrail = coordinator.locator('section:has(#h-trail) table tbody tr');
check(await newTrail.count() === 1 && (await newTrail.first().innerText()).includes(paper),
  'a decision proposed through the form draws on the consultation and its contribution');
await accessible(coordinator, 'decision forms');
await coordinator.getByLabel('Résultat').selectOption('ADOPTED');
for (const [i, votes] of [[0, '3'], [1, '1'], [2, '1']]) await coordinator.locator(`#rv-${i}-votesFor`).fill(votes);
await coordinator.getByRole('button', { name: 'Enregistrer le vote' }).click();
await coordinator.locator('section:has(#h-vote) table tbody tr').first().waitFor();
check(await coordinator.locator('section:has(#h-vote) table tbody tr').count() === 3, 'the vote recorded through the form is shown per collège');
await coordinator.locator('#draft-answer').getByLabel('Suite donnée').selectOption('PARTLY_RETAINED');
const rationale = 'Le samedi matin à Mèze d’abord, puis selon la fréquentation.';
await coordinator.locator('#draft-answer').getByLabel('Justification').fill(rationale);
await coordinator.getByRole('button', { name: 'Enregistrer le projet de réponse' }).click();
const drafted = coordinator.locator('#form-confirmation', { hasText: 'Réponse rédigée pour la contribution' });
await drafted.waitFor();
check((await drafted.innerText()).includes(`d'un habitant anonyme de Mèze à « ${subject} »`),
  `the saved answer names the contribution it answers (${await drafted.innerText()})`);
await coordinator.getByRole('button', { name: 'Publier toutes les réponses rédigées' }).click();
await coordinator.locator('#form-confirmation', { hasText: 'Réponse publiée pour la contribution' }).waitFor();
await coordinator.locator('section:has(#h-trail) tbody tr', { hasText: 'à temps' }).waitFor();
const answered = await newTrail.first().innerText();
check(answered.includes('Partiellement retenue') && answered.includes(rationale),
  'the answer drafted and published through the forms shows in the trail, on time');

// ------------------------------------------------------------------ a representative

const martine = await openPage('representative');
await signIn(martine, info.tokens.martine);
await martine.getByRole('heading', { level: 1, name: 'Mes contributions' }).waitFor();
const mine = await martine.locator('main table tbody tr').allInnerTexts();
const own = textsBy('martine-roussel');
const others = scenario.consultations.flatMap((c) => c.contributions).filter((c) => c.author !== 'martine-roussel').map((c) => c.text);
check(mine.length === own.length, `the representative sees her ${own.length} contributions (${mine.length} rows)`);
check(own.every((t) => mine.some((row) => row.includes(t))), 'each of her contributions is listed with what became of it');
check(!others.some((t) => mine.some((row) => row.includes(t))), 'no one else’s contribution is listed');
check(mine.every((row) => /Répondu|En attente|retard|Retirée|Sans réponse|Pas de réponse due|Réponse révisée/.test(row)), 'each says where it stands');
const repNav = await martine.locator('nav').innerText();
check(!repNav.includes('Journal') && !repNav.includes('Membres') && !repNav.includes('Rapport AG'), 'a representative is not offered staff pages');
await accessible(martine, 'my contributions');
await shot(martine, 'mes-contributions');

// Her notifications: the badge counts the unread ones (said in the link's name), the page lists
// them with their texts and the decision each is about, and marking one read lowers the count.
const herNotes = (await must(info.tokens.martine, '{ notifications { title body read decisionTitle } }')).notifications;
const unreadNow = herNotes.filter((n) => !n.read).length;
const badgeName = (n) => (n === 0 ? /^Notifications$/ : new RegExp(`^Notifications ${n} non ${n === 1 ? 'lue' : 'lues'}$`));
check(unreadNow > 0, `the demo's representative has unread notifications (${unreadNow})`);
const bell = martine.getByRole('link', { name: badgeName(unreadNow) });
await bell.waitFor();
check(await martine.locator('#unread-badge').innerText() === String(unreadNow), `the badge shows her ${unreadNow} unread notifications`);
await bell.click();
await martine.getByRole('heading', { level: 1, name: 'Notifications' }).waitFor();
const notesText = await text(martine);
check(herNotes.every((n) => n.body.split('\n').every((line) => notesText.includes(line.trim()))), 'the page shows the text of each of her notifications');
check(await martine.locator('main .notification').count() === herNotes.length, `each of her ${herNotes.length} notifications is listed`);
check(await martine.locator('main .notification.unread').count() === unreadNow && notesText.includes('Non lue'), 'the unread ones are marked so');
check(herNotes.every((n) => !n.decisionTitle || notesText.includes(`Voir la décision « ${n.decisionTitle} »`)),
  'each notification links to the decision that answered her');
check(/\d{1,2} [a-zéû]+ \d{4} à \d{2}:\d{2}/.test(notesText), 'each says when it was received, in French');
check(!/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i.test(notesText), 'no raw id is shown on the notifications page');
await accessible(martine, 'notifications');
await shot(martine, 'notifications');
await martine.getByRole('button', { name: 'Marquer comme lue' }).first().click();
await martine.locator('#form-confirmation', { hasText: 'Notification marquée comme lue.' }).waitFor();
await martine.getByRole('link', { name: badgeName(unreadNow - 1) }).waitFor();
check(await martine.locator('main .notification.unread').count() === unreadNow - 1, 'marked read, it is no longer shown as unread');
const stillUnread = (await must(info.tokens.martine, '{ notifications { read } }')).notifications.filter((n) => !n.read).length;
check(stillUnread === unreadNow - 1, `the badge went down to ${unreadNow - 1}, as the service counts (${stillUnread})`);
await accessible(martine, 'notifications, one read');
await martine.getByRole('button', { name: 'Tout marquer comme lu' }).click();
await martine.locator('#form-confirmation', { hasText: 'Toutes vos notifications sont marquées comme lues.' }).waitFor();
await martine.getByRole('link', { name: badgeName(0) }).waitFor();
check(await martine.locator('#unread-badge').count() === 0 && await martine.locator('main .notification.unread').count() === 0,
  'all marked read, the badge is gone');
// She contributes to the consultation opened above; the decision drawn on it answers her: the
// notification arrives on her open page, and the badge counts it, without a reload.
await martine.evaluate(() => { window.notReloaded = true; });
await martine.waitForFunction(() => document.body.dataset.notifications === 'on');
const day = new Date().toISOString().slice(0, 10);
const { viewer: her } = await must(info.tokens.martine, '{ viewer { memberId } }');
const opened = (await must(info.tokens.coordinator, '{ consultations { id subject } }')).consultations.find((c) => c.subject === subject);
const saturday = (await must(info.tokens.coordinator, '{ decisions { edges { node { id title } } } }')).decisions.edges.find((e) => e.node.title === title).node;
const contributionId = crypto.randomUUID();
await must(info.tokens.martine, 'mutation($input: SubmitContributionInput!) { submitContribution(input: $input) { aggregateId } }', { input: {
  consultationId: opened.id, contributionId, memberId: her.memberId, kind: 'PROPOSAL', text: 'Une permanence aussi à Poussan.', submittedOn: day } });
await must(info.tokens.coordinator, 'mutation($input: DraftAnswerInput!) { draftAnswer(input: $input) { aggregateId } }', { input: {
  decisionId: saturday.id, consultationId: opened.id, contributionId, disposition: 'DEFERRED', rationale: 'Après un trimestre à Mèze.', on: day } });
await must(info.tokens.coordinator, 'mutation($input: PublishAllAnswersInput!) { publishAllAnswers(input: $input) { aggregateId } }', { input: { decisionId: saturday.id, on: day } });
let arrived = false;
try {
  await martine.getByRole('link', { name: badgeName(1) }).waitFor({ timeout: 15000 });
  await martine.locator('main .notification.unread', { hasText: 'Après un trimestre à Mèze.' }).waitFor({ timeout: 5000 });
  arrived = true;
} catch { /* reported below */ }
check(arrived, 'a notification published meanwhile appears live on her page, and the badge counts it');
check(await martine.evaluate(() => window.notReloaded === true), 'her page was updated without reloading');
await martine.getByRole('link', { name: 'Mes contributions', exact: true }).click();
await martine.getByRole('heading', { level: 1, name: 'Mes contributions' }).waitFor();
await martine.getByRole('link', { name: 'Consultations', exact: true }).click();
await martine.getByRole('heading', { level: 1, name: 'Consultations' }).waitFor();
check(await martine.locator('#open-consultation').count() === 0, 'a representative is not offered the form to open a consultation');
check(!(await text(martine)).includes('Enregistrer une contribution (papier'), 'nor the form to record others’ contributions');
await martine.getByRole('button', { name: 'English' }).click();
await martine.getByRole('heading', { level: 1, name: 'Consultations' }).waitFor();
check(await martine.locator('html').getAttribute('lang') === 'en' && (await martine.locator('nav').innerText()).includes('My contributions'),
  'the English switch translates the page and its lang attribute');
await martine.getByRole('button', { name: 'Français' }).click();
await martine.getByRole('heading', { level: 1, name: 'Consultations' }).waitFor();

// Her own words: she says two things in the open consultation, amends one and withdraws the
// other, each with a reason; the server's message shows beside the form when the reason is blank.
const said = 'Ouvrir aussi le samedi après-midi à Mèze.';
const amendedText = 'Ouvrir aussi le samedi après-midi, à Mèze et à Loupian.';
const dropped = 'Une navette vers la permanence depuis Loupian.';
for (const words of [said, dropped]) {
  await martine.evaluate(() => document.getElementById('form-confirmation')?.removeAttribute('id'));
  await martine.getByLabel('Consultation', { exact: true }).selectOption({ label: subject });
  await martine.getByLabel('Nature').selectOption('PROPOSAL');
  await martine.getByLabel('Texte').fill(words);
  await martine.getByRole('button', { name: 'Enregistrer la contribution' }).click();
  await martine.locator('#form-confirmation').waitFor();
}
await martine.getByRole('link', { name: 'Mes contributions', exact: true }).click();
await martine.getByRole('heading', { level: 1, name: 'Mes contributions' }).waitFor();
const ownWords = (words) => martine.locator('details.own-words', { hasText: words });
check(await ownWords(said).count() === 1 && await ownWords(dropped).count() === 1,
  'her contributions in the open consultation offer to amend or withdraw them');
check(await martine.locator('details.own-words:has(form.withdraw-contribution)').count() === 2
  && await martine.locator('details.own-words:not(:has(form.amend-contribution))').count() === 0,
  'only those of the open consultation can be withdrawn; an answered one can only be amended, as a new version');
await ownWords(said).locator('summary').click();
await ownWords(said).getByLabel('Nouveau texte').fill(amendedText);
await ownWords(said).getByRole('button', { name: 'Modifier', exact: true }).click();
check(await ownWords(said).getByLabel('Motif de la modification').evaluate((e) => e.validity.valueMissing),
  'an amendment without a reason is stopped in the page');
await ownWords(said).getByLabel('Motif de la modification').fill('   ');
await ownWords(said).getByRole('button', { name: 'Modifier', exact: true }).click();
const blank = ownWords(said).locator('.form-result.error');
await blank.waitFor();
check((await blank.innerText()).includes('Il manque le motif'), `the server's message is shown beside the form (${await blank.innerText()})`);
await accessible(martine, 'amending one of my contributions');
const amendReason = 'J’avais oublié Loupian.';
await ownWords(said).getByLabel('Motif de la modification').fill(amendReason);
await ownWords(said).getByRole('button', { name: 'Modifier', exact: true }).click();
const amendedRow = martine.locator('main table tbody tr', { hasText: amendedText });
await amendedRow.filter({ hasText: 'Modifiée le' }).waitFor();
check((await amendedRow.innerText()).includes(amendReason), 'after saving, the page shows the new text with the day and reason of the amendment');
await ownWords(dropped).locator('summary').click();
const withdrawReason = 'La mairie de Loupian organise déjà une navette.';
await ownWords(dropped).getByLabel('Motif du retrait').fill(withdrawReason);
await ownWords(dropped).getByRole('button', { name: 'Retirer', exact: true }).click();
const droppedRow = martine.locator('main table tbody tr', { hasText: dropped });
await droppedRow.filter({ hasText: 'Retirée le' }).waitFor();
check((await droppedRow.innerText()).includes(withdrawReason) && await ownWords(dropped).count() === 0,
  'after withdrawing, the page shows the withdrawal with its day and reason, and no more change is offered');
await shot(martine, 'mes-contributions-modifier');
await martine.close();

// The decision drawing on that consultation shows the withdrawal in its trail, not "non publiée".
await coordinator.reload();
const withdrawnEntry = coordinator.locator('section:has(#h-trail) tbody tr', { hasText: dropped });
await withdrawnEntry.waitFor();
const withdrawnText = await withdrawnEntry.innerText();
check(withdrawnText.includes('Retirée le') && withdrawnText.includes(withdrawReason) && !withdrawnText.includes('non publiée'),
  'the trail shows the withdrawn contribution as withdrawn, with its day and reason');
check((await coordinator.locator('section:has(#h-trail) tbody tr', { hasText: amendedText }).innerText()).includes(amendReason),
  'and the amended one with its new text and the reason of its amendment');

// ------------------------------------------------------------------ the public view

const visitor = await openPage('public');
await visitor.goto(`${info.url}#/public?cpts=${info.community}`);
await visitor.getByRole('heading', { level: 1, name: 'Décisions publiées' }).waitFor();
await visitor.locator('#decision-total').waitFor();
check((await visitor.locator('#decision-total').innerText()).startsWith('3 '), 'the public view lists the three voted decisions');
await accessible(visitor, 'public decisions');
await shot(visitor, 'public');
await visitor.getByRole('link', { name: perimeter.title }).click();
await visitor.getByRole('heading', { level: 1, name: perimeter.title }).waitFor();
const publicText = await visitor.locator('body').innerText();
check(publicText.includes(lateText), 'the public decision page shows the published answers');
const shown = info.memberNames.filter((name) => publicText.includes(name));
check(shown.length === 0, `the public view shows no personal name${shown.length ? ` (shown: ${shown.join(', ')})` : ''}`);
check(await visitor.locator('main form').count() === 0, 'the public decision page offers no form');
await accessible(visitor, 'public decision page');
await visitor.close();
await coordinator.close();

// ------------------------------------------------------------------ GraphiQL on a closed network

// Every request that does not go to the service is cut off, as on a network without Internet:
// GraphiQL must load, fetch the schema and run a query with nothing failing (openPage counts any
// failed request, console error, CSP violation included, or request outside the service).
const ide = await openPage('graphiql');
const base = info.url.replace(/\/$/, '');
await ide.route('**/*', (route) => (route.request().url().startsWith(base) ? route.continue() : route.abort('internetdisconnected')));
await ide.goto(`${base}/graphql?query=${encodeURIComponent('{ __typename }')}`);
await ide.locator('.graphiql-container').waitFor();
await ide.locator('.graphiql-execute-button').click();
await ide.locator('.result-window', { hasText: '__typename' }).waitFor();
check((await ide.locator('.result-window').innerText()).includes('QueryRoot'),
  'GraphiQL, loaded from the service alone, runs a query');
await ide.getByRole('button', { name: 'Show Documentation Explorer' }).click();
await ide.locator('.graphiql-doc-explorer').waitFor();
await ide.locator('.graphiql-doc-explorer', { hasText: 'query' }).waitFor();
check((await ide.locator('.graphiql-doc-explorer').innerText()).includes('QueryRoot'),
  'GraphiQL read the schema: its documentation explorer names the query root');
await ide.close();

// ------------------------------------------------------------------ the flows

const harness = await import('./lib.mjs');
for (const name of readdirSync(join(here, 'flows')).filter((f) => f.endsWith('.mjs')).sort()) {
  console.log(`\n-- flow ${name}`);
  const flow = await import(`./flows/${name}`);
  try {
    await flow.default(harness);
  } catch (error) {
    check(false, `flow ${name} ran to its end (${error.message.split('\n')[0]})`);
  }
}

// ------------------------------------------------------------------ end

await finish('the dashboard');
