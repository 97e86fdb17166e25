// Membres: representatives and their mandates, associations and their approvals, the register
// of members, the statutes (collèges, bodies, internal rules); and, for the coordinator, a form
// for every command that keeps them.

import { gql } from '../api.js';
import { t, label, pick, values } from '../i18n.js';
import { esc, today, addDays, fmtDate, table } from '../ui.js';
import { session, shell, canWrite } from '../state.js';
import { commandForm } from '../forms.js';

// The kinds of member one admits (an anonymous inhabitant is not admitted, it contributes).
const ADMITTED_KINDS = ['health_professional', 'establishment', 'social_body', 'medico_social_body', 'association_representative', 'coordinator'];

const choices = (vocabulary, list = values(vocabulary)) => list.map((v) => [v.toUpperCase(), label(vocabulary, v)]);
const reason = { name: 'reason', label: 'web-field-reason', kind: 'textarea', maxlength: 2000 };
const on = (labelKey = 'web-field-on') => ({ name: 'on', label: labelKey, kind: 'date', required: true, value: today(), max: addDays(today(), 366) });

async function membersPage() {
  const data = await gql(`{ register { membersByKind { name count } membersByCollege { name count }
    representatives { memberId name association mandateStart mandateEnd mandateEndedOn livesInTerritory commune cadreIntervention active }
    associations { associationId name approval nextStep nextStepEn } }
    associations { id name approvalLevel approvalGrantedOn approvalExpiresOn engagementForm engagedSince withdrawnOn }
    members { id name kind profession admittedOn departedOn collegeId } }`);
  const r = data.register;
  const colleges = session.viewer?.colleges || [];
  const bodies = session.viewer?.bodies || [];
  const collegeName = Object.fromEntries(colleges.map((c) => [c.id, c.name]));
  const details = Object.fromEntries(data.associations.map((a) => [a.id, a]));
  const status = Object.fromEntries(r.associations.map((a) => [a.associationId, a]));
  const active = data.members.filter((m) => !m.departedOn);
  const people = active.map((m) => [m.id, m.name]);
  const representatives = active.filter((m) => m.kind === 'association_representative').map((m) => [m.id, m.name]);
  const mandated = r.representatives.filter((p) => p.active).map((p) => [p.memberId, p.name]);
  const associations = data.associations.filter((a) => !a.withdrawnOn).map((a) => [a.id, a.name]);
  const write = canWrite();

  const engagement = (a) => (a?.engagementForm ? `${esc(label('engagement', a.engagementForm))}, ${esc(t('web-since', fmtDate(a.engagedSince)))}` : '');
  const approvalCell = (row) => {
    const a = details[row.associationId];
    const level = a?.approvalLevel ? ` (${esc(label('approvalLevel', a.approvalLevel))}, ${esc(fmtDate(a.approvalGrantedOn))} → ${esc(fmtDate(a.approvalExpiresOn))})` : '';
    return `${esc(label('approval', row.approval))}${level}`;
  };

  const representativesSection = `<section aria-labelledby="h-reps"><h2 id="h-reps">${esc(t('web-representatives-title'))}</h2>
    ${table(t('web-representatives-title'), [t('name'), t('association'), t('mandate'), t('lives-in-territory'), t('cadre-intervention')], r.representatives.map((p) => [
      esc(p.name), esc(p.association || ''), `${esc(fmtDate(p.mandateStart))} → ${esc(fmtDate(p.mandateEnd))}${p.active ? '' : ` (${esc(t('web-closed'))})`}`,
      `${p.livesInTerritory ? esc(t('yes')) : `<span class="status-late">${esc(t('no'))}</span>`}${p.commune ? ` (${esc(p.commune)})` : ''}`,
      p.cadreIntervention ? esc(p.cadreIntervention) : `<span class="status-bad">${esc(t('web-none'))}</span>`])) || `<p>${esc(t('web-no-representative'))}</p>`}
    ${write ? `<div class="form-panels">
    ${commandForm({ id: 'grant-mandate', collapsed: true, title: 'web-form-grant-mandate', intro: 'web-grant-mandate-intro', button: 'web-button-record', mutation: 'grantMandate', inputType: 'GrantMandateInput',
      fields: [
        { name: 'memberId', label: 'web-field-representative', kind: 'select', required: true, options: representatives, hint: representatives.length ? null : 'web-no-representative-member' },
        { name: 'associationId', label: 'association', kind: 'select', required: true, options: associations },
        { name: 'start', label: 'web-field-mandate-start', kind: 'date', required: true, value: today() },
        { name: 'end', label: 'web-field-mandate-end', kind: 'date', required: true, value: addDays(today(), 3 * 365), hint: 'web-field-mandate-end-hint' },
        { name: 'livesInTerritory', label: 'web-field-lives-in-territory', kind: 'checkbox', value: true },
        { name: 'commune', label: 'web-field-commune-lives', maxlength: 200 },
        { name: 'cadreIntervention', label: 'web-field-cadre-text', kind: 'textarea', maxlength: 10000, hint: 'web-field-cadre-hint' },
      ] })}
    ${commandForm({ id: 'write-cadre', collapsed: true, title: 'web-form-write-cadre', button: 'web-button-record', mutation: 'writeCadreIntervention', inputType: 'WriteCadreInterventionInput',
      fields: [
        { name: 'memberId', label: 'web-field-representative', kind: 'select', required: true, options: mandated },
        { name: 'text', label: 'web-field-cadre-text', kind: 'textarea', required: true, maxlength: 10000, hint: 'web-field-cadre-hint' },
      ] })}
    ${commandForm({ id: 'end-mandate', collapsed: true, title: 'web-form-end-mandate', button: 'web-button-record', mutation: 'endMandate', inputType: 'EndMandateInput',
      fields: [{ name: 'memberId', label: 'web-field-representative', kind: 'select', required: true, options: mandated }, on('web-field-mandate-ends-on'), reason] })}
    </div>` : ''}</section>`;

  const associationsSection = `<section aria-labelledby="h-assoc"><h2 id="h-assoc">${esc(t('web-associations-title'))}</h2>
    ${table(t('web-associations-title'), [t('association'), t('approval'), t('engagement'), t('next-step')], data.associations.map((a) => {
      // The register's standing of the associations still engaged; a withdrawn one keeps its row.
      const standing = status[a.id];
      return [
        `${esc(a.name)}${a.withdrawnOn ? ` <span class="tag">${esc(t('web-withdrawn-on', fmtDate(a.withdrawnOn)))}</span>` : ''}`,
        standing ? approvalCell(standing) : '', engagement(a), standing ? esc(pick(standing.nextStep, standing.nextStepEn)) : ''];
    })) || `<p>${esc(t('web-no-association'))}</p>`}
    ${write ? `<div class="form-panels">
    ${commandForm({ id: 'register-association', collapsed: true, title: 'web-form-register-association', button: 'web-button-register', mutation: 'registerAssociation', inputType: 'RegisterAssociationInput',
      fixed: { communityId: session.viewer.communityId },
      fields: [{ name: 'name', label: 'name', required: true, maxlength: 200 }] })}
    ${commandForm({ id: 'record-approval', collapsed: true, title: 'web-form-record-approval', intro: 'web-record-approval-intro', button: 'web-button-record', mutation: 'recordApproval', inputType: 'RecordApprovalInput',
      fields: [
        { name: 'associationId', label: 'association', kind: 'select', required: true, options: associations },
        { name: 'level', label: 'web-field-approval-level', kind: 'select', required: true, options: choices('approvalLevel') },
        { name: 'grantedOn', label: 'web-field-granted-on', kind: 'date', required: true, max: today() },
      ] })}
    ${commandForm({ id: 'engage-association', collapsed: true, title: 'web-form-engage-association', button: 'web-button-record', mutation: 'engageAssociation', inputType: 'EngageAssociationInput',
      fields: [
        { name: 'associationId', label: 'association', kind: 'select', required: true, options: associations },
        { name: 'form', label: 'web-field-engagement-form', kind: 'select', required: true, options: choices('engagement') },
        { name: 'conventionReference', label: 'web-field-convention', maxlength: 200, hint: 'web-field-convention-hint' },
        { name: 'since', label: 'web-field-since', kind: 'date', required: true, value: today() },
      ] })}
    ${commandForm({ id: 'withdraw-association', collapsed: true, title: 'web-form-withdraw-association', button: 'web-button-record', mutation: 'withdrawAssociation', inputType: 'WithdrawAssociationInput',
      fields: [{ name: 'associationId', label: 'association', kind: 'select', required: true, options: associations }, on(), reason] })}
    </div>` : ''}</section>`;

  const registerSection = `<section aria-labelledby="h-register"><h2 id="h-register">${esc(t('web-register-title'))}</h2>
    ${table(t('web-by-kind'), [t('kind'), t('count')], r.membersByKind.map((k) => [esc(label('memberKind', k.name)), k.count]), { numeric: [1] })}
    ${table(t('web-by-college'), [t('college'), t('count')], r.membersByCollege.map((k) => [esc(k.name), k.count]), { numeric: [1] })}
    ${table(t('web-register-title'), [t('name'), t('kind'), t('web-profession'), t('college'), t('web-admitted-on'), t('web-departed-on')], data.members.map((m) => [
      esc(m.name), esc(label('memberKind', m.kind)), esc(m.profession || ''), esc(collegeName[m.collegeId] || ''), esc(fmtDate(m.admittedOn)), esc(fmtDate(m.departedOn))])) || `<p>${esc(t('web-no-member'))}</p>`}
    ${write ? `<div class="form-panels">
    ${commandForm({ id: 'admit-member', collapsed: true, title: 'web-form-admit-member', button: 'web-button-admit', mutation: 'admitMember', inputType: 'AdmitMemberInput',
      fixed: { communityId: session.viewer.communityId },
      fields: [
        { name: 'name', label: 'name', required: true, maxlength: 200 },
        { name: 'kind', label: 'kind', kind: 'select', required: true, options: choices('memberKind', ADMITTED_KINDS) },
        { name: 'profession', label: 'web-profession', maxlength: 200, hint: 'web-field-profession-hint' },
        { name: 'admittedOn', label: 'web-admitted-on', kind: 'date', required: true, value: today() },
      ] })}
    ${commandForm({ id: 'seat-in-college', collapsed: true, title: 'web-form-seat-in-college', button: 'web-button-record', mutation: 'seatInCollege', inputType: 'SeatInCollegeInput',
      fields: [
        { name: 'memberId', label: 'web-field-member', kind: 'select', required: true, options: people },
        { name: 'collegeId', label: 'college', kind: 'select', required: true, options: colleges.map((c) => [c.id, c.name]) },
        on('web-field-since'),
      ] })}
    ${commandForm({ id: 'seat-in-body', collapsed: true, title: 'web-form-seat-in-body', button: 'web-button-record', mutation: 'seatInBody', inputType: 'BodySeatInput',
      fields: [
        { name: 'memberId', label: 'web-field-member', kind: 'select', required: true, options: people },
        { name: 'bodyId', label: 'body', kind: 'select', required: true, options: bodies.map((b) => [b.id, b.name]) },
        on('web-field-since'),
      ] })}
    ${commandForm({ id: 'leave-body', collapsed: true, title: 'web-form-leave-body', button: 'web-button-record', mutation: 'leaveBody', inputType: 'BodySeatInput',
      fields: [
        { name: 'memberId', label: 'web-field-member', kind: 'select', required: true, options: people },
        { name: 'bodyId', label: 'body', kind: 'select', required: true, options: bodies.map((b) => [b.id, b.name]) },
        on(),
      ] })}
    ${commandForm({ id: 'set-contact', collapsed: true, title: 'web-form-set-contact', button: 'web-button-record', mutation: 'setContact', inputType: 'SetContactInput',
      fields: [
        { name: 'memberId', label: 'web-field-member', kind: 'select', required: true, options: people },
        { name: 'email', label: 'web-field-email', kind: 'email', maxlength: 320, hint: 'web-field-email-hint' },
        { name: 'language', label: 'web-field-language', kind: 'select', required: true, value: 'FR', options: [['FR', 'Français'], ['EN', 'English']] },
      ] })}
    ${commandForm({ id: 'record-departure', collapsed: true, title: 'web-form-record-departure', button: 'web-button-record', mutation: 'recordDeparture', inputType: 'RecordDepartureInput',
      fields: [{ name: 'memberId', label: 'web-field-member', kind: 'select', required: true, options: people }, on(), reason] })}
    ${commandForm({ id: 'erase-personal-data', collapsed: true, title: 'web-form-erase', intro: 'web-erase-intro', button: 'web-button-erase', secondary: true, mutation: 'erasePersonalData', inputType: 'ErasePersonalDataInput',
      fields: [
        { name: 'memberId', label: 'web-field-member', kind: 'select', required: true, options: data.members.map((m) => [m.id, m.name]) },
        on('web-field-decided-on'),
        { name: 'understood', label: 'web-field-erase-confirm', kind: 'checkbox', required: true },
      ],
      input: ({ understood, ...input }) => input })}
    </div>` : ''}</section>`;

  const statutesSection = `<section aria-labelledby="h-statutes"><h2 id="h-statutes">${esc(t('web-statutes-title'))}</h2>
    ${table(t('web-colleges'), [t('college'), t('kind')], colleges.map((c) => [esc(c.name), c.isUsersCollege ? esc(t('web-users-college-tag')) : ''])) || `<p>${esc(t('web-no-college'))}</p>`}
    ${table(t('web-bodies'), [t('body'), t('kind')], bodies.map((b) => [esc(b.name), esc(label('bodyKind', b.kind))])) || `<p>${esc(t('web-no-body'))}</p>`}
    ${write ? `<div class="form-panels">
    ${commandForm({ id: 'define-college', collapsed: true, title: 'web-form-define-college', button: 'web-button-record', mutation: 'defineCollege', inputType: 'DefineCollegeInput',
      fixed: { communityId: session.viewer.communityId },
      fields: [{ name: 'name', label: 'name', required: true, maxlength: 200 }, { name: 'isUsersCollege', label: 'web-field-users-college', kind: 'checkbox' }],
      done: () => shell.loadViewer() })}
    ${commandForm({ id: 'establish-body', collapsed: true, title: 'web-form-establish-body', button: 'web-button-record', mutation: 'establishBody', inputType: 'EstablishBodyInput',
      fixed: { communityId: session.viewer.communityId },
      fields: [{ name: 'kind', label: 'web-field-body-kind', kind: 'select', required: true, options: choices('bodyKind') }, { name: 'name', label: 'name', required: true, maxlength: 200 }],
      done: () => shell.loadViewer() })}
    ${commandForm({ id: 'adopt-internal-rules', collapsed: true, title: 'web-form-adopt-rules', button: 'web-button-record', mutation: 'adoptInternalRules', inputType: 'AdoptInternalRulesInput',
      fixed: { communityId: session.viewer.communityId },
      fields: [
        { name: 'adoptedOn', label: 'web-field-adopted-on', kind: 'date', required: true, value: today(), max: today() },
        { name: 'travelExpensesReimbursed', label: 'web-field-travel-expenses', kind: 'checkbox' },
      ] })}
    </div>` : ''}</section>`;

  return `<h1>${esc(t('web-members-title'))}</h1>
    ${representativesSection}${associationsSection}${registerSection}${statutesSection}`;
}

export const routes = {
  membres: { page: membersPage, nav: 'web-nav-members', navOrder: 60, staff: true },
};
