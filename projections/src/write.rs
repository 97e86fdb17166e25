//! What each event does to each read model: the only place that writes them.
//!
//! The columns that receive a personal field's value are written sealed ([`crate::at_rest`]),
//! erased values included, so that every reader opens what it reads the same way.

use cpts_domain::association::{AssociationEvent, Engagement};
use cpts_domain::community::CommunityEvent;
use cpts_domain::consultation::{Author, ConsultationEvent};
use cpts_domain::decision::DecisionEvent;
use cpts_domain::member::{MemberEvent, MemberKind};
use cpts_domain::personal::ERASED;

use crate::at_rest::{column, AtRest};
use crate::db::{Param, Statement};
use crate::envelope::{Envelope, Fact};
use crate::stmt;

const INSERT_ANSWER: &str = "INSERT INTO proj_answers (decision_id, contribution_id, \
     consultation_id, disposition, rationale, written_on, revisions, answered_by, published_on, \
     first_published_on, published_position) VALUES ($1, $2, $3, $4, $5, $6, 0, $7, $8, $9, $10)";
const PUBLISH_ANSWER: &str = "UPDATE proj_answers SET published_on = $3, \
     first_published_on = COALESCE(first_published_on, $3), published_position = $4 \
     WHERE decision_id = $1 AND contribution_id = $2";

/// Folds the publication of an answer drafted earlier in the same batch into the row that
/// drafts it, when nothing else touched that answer in between: the same rows, in far fewer
/// round trips (answers are usually drafted and published together).
pub fn fold_publications(statements: Vec<Statement>) -> Vec<Statement> {
    use std::collections::HashMap;
    let text = |p: Option<&Param>| match p {
        Some(Param::Text(t)) => t.clone(),
        _ => None,
    };
    let key = |s: &Statement| (text(s.params.first()), text(s.params.get(1)));
    let mut drafted: HashMap<_, usize> = HashMap::new();
    let mut out: Vec<Statement> = Vec::with_capacity(statements.len());
    for statement in statements {
        if statement.sql == INSERT_ANSWER {
            drafted.insert(key(&statement), out.len());
        } else if statement.sql == PUBLISH_ANSWER {
            if let Some(&at) = drafted.get(&key(&statement)) {
                let on = statement.params.get(2).cloned();
                let at_position = statement.params.get(3).cloned();
                if let (Some(on), Some(at_position), Some(row)) = (on, at_position, out.get_mut(at))
                {
                    row.params[7] = on.clone();
                    row.params[8] = on;
                    row.params[9] = at_position;
                    continue;
                }
            }
        } else if statement.sql.contains("proj_answers") {
            // Any other change to an answer ends the folding for it.
            drafted.remove(&key(&statement));
        }
        out.push(statement);
    }
    out
}

/// The projections, each with its own checkpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Projection {
    /// Every event in log order, with who acted.
    Timeline,
    /// CPTS, collèges, bodies, associations, members, mandates and seats.
    Register,
    /// Consultations and their contributions.
    Consultations,
    /// Decisions, their links, answers, milestones and indicators.
    Decisions,
}

impl Projection {
    /// Every projection.
    pub const ALL: [Projection; 4] = [
        Projection::Timeline,
        Projection::Register,
        Projection::Consultations,
        Projection::Decisions,
    ];

    /// Its name in `proj_checkpoints`.
    pub fn name(self) -> &'static str {
        match self {
            Projection::Timeline => "timeline",
            Projection::Register => "register",
            Projection::Consultations => "consultations",
            Projection::Decisions => "decisions",
        }
    }

    /// The tables it owns, emptied by a rebuild.
    pub fn tables(self) -> &'static [&'static str] {
        match self {
            Projection::Timeline => &["proj_timeline"],
            Projection::Register => &[
                "proj_communities",
                "proj_colleges",
                "proj_bodies",
                "proj_associations",
                "proj_members",
                "proj_seats",
            ],
            Projection::Consultations => &[
                "proj_consultations",
                "proj_contributions",
                "proj_contribution_versions",
            ],
            Projection::Decisions => &[
                "proj_decisions",
                "proj_decision_consultations",
                "proj_answers",
                "proj_milestones",
                "proj_indicators",
            ],
        }
    }

    /// Whether an event of this aggregate type is this projection's business, so that one
    /// that does not read ([`Fact::Unreadable`]) must be set aside by it.
    pub fn owns(self, aggregate_type: &str) -> bool {
        match self {
            Projection::Timeline => false,
            Projection::Register => {
                matches!(aggregate_type, "community" | "association" | "member")
            }
            Projection::Consultations => matches!(aggregate_type, "consultation" | "member"),
            Projection::Decisions => aggregate_type == "decision",
        }
    }

    /// The statements that apply `event` to this projection (none if it does not concern it),
    /// personal values sealed with `seal`.
    pub fn statements(self, event: &Envelope, seal: &AtRest) -> Vec<Statement> {
        match (self, &event.fact) {
            (Projection::Timeline, _) => vec![timeline(event)],
            (Projection::Register, Fact::Community(fact)) => community(event, fact),
            (Projection::Register, Fact::Association(fact)) => association(event, fact),
            (Projection::Register, Fact::Member(fact)) => member(event, fact, seal),
            (Projection::Consultations, Fact::Consultation(fact)) => {
                consultation(event, fact, seal)
            }
            (Projection::Consultations, Fact::Member(MemberEvent::PersonalDataErased { .. })) => {
                erase_contributions(event, seal)
            }
            (Projection::Decisions, Fact::Decision(fact)) => decision(event, fact),
            _ => vec![],
        }
    }
}

fn position(event: &Envelope) -> i64 {
    i64::try_from(event.position).unwrap_or(i64::MAX)
}

fn timeline(event: &Envelope) -> Statement {
    stmt!(
        "INSERT INTO proj_timeline (position, community_id, aggregate_type, aggregate_id, sequence, \
         event_type, actor, command_id, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        position(event),
        event.community_id.clone(),
        event.aggregate_type.as_str(),
        event.aggregate_id.as_str(),
        i64::try_from(event.sequence).unwrap_or(i64::MAX),
        event.event_type.as_str(),
        event.actor.to_metadata(),
        event.command_id.clone(),
        event.recorded_at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string(),
    )
}

fn community(event: &Envelope, fact: &CommunityEvent) -> Vec<Statement> {
    let id = event.aggregate_id.as_str();
    let community = event.community_id.clone().unwrap_or_else(|| id.to_owned());
    vec![match fact {
        CommunityEvent::CommunityRegistered {
            name, territory, ..
        } => stmt!(
            "INSERT INTO proj_communities (community_id, name, communes) VALUES ($1, $2, $3)",
            id,
            name.as_str(),
            territory.len() as i64,
        ),
        CommunityEvent::TerritoryRedrawn { territory, .. } => stmt!(
            "UPDATE proj_communities SET communes = $2 WHERE community_id = $1",
            id,
            territory.len() as i64,
        ),
        CommunityEvent::CollegeDefined {
            college_id,
            name,
            is_users_college,
        } => stmt!(
            "INSERT INTO proj_colleges (college_id, community_id, name, is_users_college) \
             VALUES ($1, $2, $3, $4)",
            college_id.to_string(),
            community,
            name.as_str(),
            *is_users_college,
        ),
        CommunityEvent::BodyEstablished {
            body_id,
            kind,
            name,
        } => stmt!(
            "INSERT INTO proj_bodies (body_id, community_id, kind, name) VALUES ($1, $2, $3, $4)",
            body_id.to_string(),
            community,
            kind.wire_name(),
            name.as_str(),
        ),
        CommunityEvent::InternalRulesAdopted {
            adopted_on,
            travel_expenses_reimbursed,
        } => stmt!(
            "UPDATE proj_communities SET rules_adopted_on = $2, travel_expenses_reimbursed = $3 \
             WHERE community_id = $1",
            id,
            *adopted_on,
            *travel_expenses_reimbursed,
        ),
    }]
}

fn association(event: &Envelope, fact: &AssociationEvent) -> Vec<Statement> {
    let id = event.aggregate_id.as_str();
    vec![match fact {
        AssociationEvent::AssociationRegistered { community_id, name, .. } => stmt!(
            "INSERT INTO proj_associations (association_id, community_id, name) VALUES ($1, $2, $3)",
            id,
            community_id.to_string(),
            name.as_str(),
        ),
        AssociationEvent::AssociationApproved { level, granted_on, expires_on } => stmt!(
            "UPDATE proj_associations SET approval_level = $2, approval_granted_on = $3, \
             approval_expires_on = $4 WHERE association_id = $1",
            id,
            level.wire_name(),
            *granted_on,
            *expires_on,
        ),
        AssociationEvent::AssociationEngaged { engagement, since } => {
            let form = match engagement {
                Engagement::Participation => "participation",
                Engagement::Partnership { .. } => "partnership",
                Engagement::Governance => "governance",
            };
            stmt!(
                "UPDATE proj_associations SET engagement_form = $2, engaged_since = $3 \
                 WHERE association_id = $1",
                id,
                form,
                *since,
            )
        }
        AssociationEvent::AssociationWithdrew { on, .. } => stmt!(
            "UPDATE proj_associations SET withdrawn_on = $2 WHERE association_id = $1",
            id,
            *on,
        ),
    }]
}

/// Once a member is erased, the texts they wrote read as erased, and their files are gone (the
/// store deleted them with their key). (Contributions projected after the erasure already read
/// so: their key was gone when they were read from the log.)
fn erase_contributions(event: &Envelope, seal: &AtRest) -> Vec<Statement> {
    vec![
        stmt!(
            "UPDATE proj_contributions SET text = $2, \
         attachment = CASE WHEN attachment IS NULL THEN NULL ELSE $3 END, \
         file_sha256 = NULL, file_media_type = NULL, file_size = NULL, \
         amendment_reason = CASE WHEN amendment_reason IS NULL THEN NULL ELSE $4 END, \
         withdrawal_reason = CASE WHEN withdrawal_reason IS NULL THEN NULL ELSE $5 END \
         WHERE author_member_id = $1",
            event.aggregate_id.as_str(),
            seal.seal(column::CONTRIBUTION_TEXT, ERASED),
            seal.seal(column::CONTRIBUTION_ATTACHMENT, ERASED),
            seal.seal(column::AMENDMENT_REASON, ERASED),
            seal.seal(column::WITHDRAWAL_REASON, ERASED),
        ),
        stmt!(
            "UPDATE proj_contribution_versions SET text = $2, \
         reason = CASE WHEN reason IS NULL THEN NULL ELSE $3 END \
         WHERE contribution_id IN \
         (SELECT contribution_id FROM proj_contributions WHERE author_member_id = $1)",
            event.aggregate_id.as_str(),
            seal.seal(column::VERSION_TEXT, ERASED),
            seal.seal(column::VERSION_REASON, ERASED),
        ),
    ]
}

fn member(event: &Envelope, fact: &MemberEvent, seal: &AtRest) -> Vec<Statement> {
    let id = event.aggregate_id.as_str();
    match fact {
        MemberEvent::MemberAdmitted { community_id, name, kind, admitted_on, .. } => {
            let profession = match kind {
                MemberKind::HealthProfessional { profession } => Some(profession.clone()),
                _ => None,
            };
            vec![stmt!(
                "INSERT INTO proj_members (member_id, community_id, name, kind, profession, admitted_on) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
                id,
                community_id.to_string(),
                seal.seal(column::MEMBER_NAME, name),
                kind.wire_name(),
                profession,
                *admitted_on,
            )]
        }
        MemberEvent::MandateGranted {
            association_id,
            start,
            end,
            lives_in_territory,
            commune,
            cadre_intervention,
        } => vec![stmt!(
            "UPDATE proj_members SET mandate_association_id = $2, mandate_start = $3, mandate_end = $4, \
             lives_in_territory = $5, commune = $6, cadre_intervention = $7, mandate_ended_on = NULL \
             WHERE member_id = $1",
            id,
            association_id.to_string(),
            *start,
            *end,
            *lives_in_territory,
            seal.seal_opt(column::MEMBER_COMMUNE, commune.as_deref()),
            seal.seal_opt(column::MEMBER_CADRE, cadre_intervention.as_deref()),
        )],
        MemberEvent::CadreInterventionWritten { text } => vec![stmt!(
            "UPDATE proj_members SET cadre_intervention = $2 WHERE member_id = $1",
            id,
            seal.seal(column::MEMBER_CADRE, text),
        )],
        MemberEvent::MandateEnded { on, .. } => vec![stmt!(
            "UPDATE proj_members SET mandate_ended_on = $2 WHERE member_id = $1",
            id,
            *on,
        )],
        MemberEvent::SeatedInCollege { college_id, .. } => vec![stmt!(
            "UPDATE proj_members SET college_id = $2 WHERE member_id = $1",
            id,
            college_id.to_string(),
        )],
        MemberEvent::SeatedInBody { body_id, on } => vec![stmt!(
            "INSERT INTO proj_seats (member_id, body_id, since) VALUES ($1, $2, $3) \
             ON CONFLICT (member_id, body_id) DO UPDATE SET since = excluded.since, left_on = NULL",
            id,
            body_id.to_string(),
            *on,
        )],
        MemberEvent::LeftBody { body_id, on } => vec![stmt!(
            "UPDATE proj_seats SET left_on = $3 WHERE member_id = $1 AND body_id = $2",
            id,
            body_id.to_string(),
            *on,
        )],
        // What a rebuild would read once the key is gone: every personal field erased.
        // Contact details are the notifications' business (ledger/src/notify), not a read model's.
        MemberEvent::ContactSet { .. }
        | MemberEvent::ContactWithdrawn
        | MemberEvent::Unsubscribed => vec![],
        MemberEvent::PersonalDataErased { .. } => vec![stmt!(
            "UPDATE proj_members SET name = $2, \
             commune = CASE WHEN commune IS NULL THEN NULL ELSE $3 END, \
             cadre_intervention = CASE WHEN cadre_intervention IS NULL THEN NULL ELSE $4 END \
             WHERE member_id = $1",
            id,
            seal.seal(column::MEMBER_NAME, ERASED),
            seal.seal(column::MEMBER_COMMUNE, ERASED),
            seal.seal(column::MEMBER_CADRE, ERASED),
        )],
        MemberEvent::MemberDeparted { on, .. } => vec![
            stmt!(
                "UPDATE proj_members SET departed_on = $2, mandate_ended_on = CASE \
                 WHEN mandate_association_id IS NULL THEN NULL ELSE COALESCE(mandate_ended_on, $2) END \
                 WHERE member_id = $1",
                id,
                *on,
            ),
            stmt!(
                "UPDATE proj_seats SET left_on = COALESCE(left_on, $2) WHERE member_id = $1",
                id,
                *on,
            ),
        ],
    }
}

fn consultation(event: &Envelope, fact: &ConsultationEvent, seal: &AtRest) -> Vec<Statement> {
    let id = event.aggregate_id.as_str();
    let mut statements = vec![match fact {
        ConsultationEvent::ConsultationOpened { community_id, terms, answer_deadline, .. } => stmt!(
            "INSERT INTO proj_consultations (consultation_id, community_id, subject, moment, mission, \
             rung, method, opens_on, closes_on, answer_deadline) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            id,
            community_id.to_string(),
            terms.subject.as_str(),
            terms.moment.wire_name(),
            terms.mission.wire_name(),
            terms.rung.wire_name(),
            terms.method.wire_name(),
            terms.opens_on,
            terms.closes_on,
            *answer_deadline,
        ),
        ConsultationEvent::ContributionSubmitted {
            contribution_id,
            author,
            kind,
            text,
            submitted_on,
            attachment,
            late,
            imported,
            file,
        } => {
            let (member, commune) = match author {
                Author::Member { member_id } => (Some(member_id.to_string()), None),
                Author::Anonymous { commune } => (None, commune.clone()),
            };
            // The reason a late one was accepted is the coordinator's account of the
            // reception, not a personal field (`cpts_domain::consultation::LateReception`):
            // stored as written, and left as it is by an erasure.
            stmt!(
                "INSERT INTO proj_contributions (contribution_id, consultation_id, community_id, \
                 author_member_id, anonymous_commune, kind, text, submitted_on, attachment, amendments, \
                 late_reason, imported_format, imported_file_sha256, imported_row, imported_response, \
                 file_sha256, file_media_type, file_size) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 0, $10, $11, $12, $13, $14, $15, $16, $17)",
                contribution_id.to_string(),
                id,
                event.community_id.clone(),
                member,
                commune,
                kind.wire_name(),
                seal.seal(column::CONTRIBUTION_TEXT, text),
                *submitted_on,
                seal.seal_opt(column::CONTRIBUTION_ATTACHMENT, attachment.as_deref()),
                late.as_ref().map(|l| l.reason.as_str()),
                imported.as_ref().map(|i| i.format.wire_name()),
                imported.as_ref().map(|i| i.file_sha256.as_str()),
                imported.as_ref().map(|i| i64::from(i.row)),
                imported.as_ref().and_then(|i| i.response.as_deref()),
                file.as_ref().map(|f| f.sha256.as_str()),
                file.as_ref().map(|f| f.media_type.as_str()),
                file.as_ref().map(|f| i64::try_from(f.size).unwrap_or(i64::MAX)),
            )
        }
        // Scoped by the consultation too: only its own contribution changes, whatever the log
        // held before contribution ids were claimed across it.
        ConsultationEvent::ContributionAmended { contribution_id, text, on, reason } => stmt!(
            "UPDATE proj_contributions SET text = $2, amendments = amendments + 1, \
             amended_on = $4, amendment_reason = $5 \
             WHERE contribution_id = $1 AND consultation_id = $3",
            contribution_id.to_string(),
            seal.seal(column::CONTRIBUTION_TEXT, text),
            id,
            *on,
            seal.seal_opt(column::AMENDMENT_REASON, reason.as_deref()),
        ),
        ConsultationEvent::ContributionWithdrawn { contribution_id, on, reason } => stmt!(
            "UPDATE proj_contributions SET withdrawn_on = $2, withdrawal_reason = $4 \
             WHERE contribution_id = $1 AND consultation_id = $3",
            contribution_id.to_string(),
            *on,
            id,
            seal.seal_opt(column::WITHDRAWAL_REASON, reason.as_deref()),
        ),
        ConsultationEvent::ConsultationClosed { on } => stmt!(
            "UPDATE proj_consultations SET closed_on = $2 WHERE consultation_id = $1",
            id,
            *on,
        ),
        ConsultationEvent::ContactLeft { .. }
        | ConsultationEvent::InhabitantContactWithdrawn { .. }
        | ConsultationEvent::InhabitantUnsubscribed { .. } => return vec![],
        ConsultationEvent::SynthesisPublished { text, .. } => stmt!(
            "UPDATE proj_consultations SET synthesis = $2 WHERE consultation_id = $1",
            id,
            text.as_str(),
        ),
    }];
    // Every version of the text, by its position in the log (`proj_contribution_versions`).
    let version = match fact {
        ConsultationEvent::ContributionSubmitted {
            contribution_id,
            text,
            submitted_on,
            ..
        } => Some((contribution_id, text, submitted_on, None)),
        ConsultationEvent::ContributionAmended {
            contribution_id,
            text,
            on,
            reason,
        } => Some((contribution_id, text, on, reason.as_deref())),
        _ => None,
    };
    if let Some((contribution_id, text, on, reason)) = version {
        statements.push(stmt!(
            "INSERT INTO proj_contribution_versions (contribution_id, position, text, on_date, \
             reason) VALUES ($1, $2, $3, $4, $5)",
            contribution_id.to_string(),
            position(event),
            seal.seal(column::VERSION_TEXT, text),
            *on,
            seal.seal_opt(column::VERSION_REASON, reason),
        ));
    }
    statements
}

fn decision(event: &Envelope, fact: &DecisionEvent) -> Vec<Statement> {
    let id = event.aggregate_id.as_str();
    let actor = event.actor.to_metadata();
    vec![match fact {
        DecisionEvent::DecisionProposed { community_id, proposal, .. } => stmt!(
            "INSERT INTO proj_decisions (decision_id, community_id, body_id, title, text, moment, \
             mission, proposed_on, status, amendments) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'proposed', 0)",
            id,
            community_id.to_string(),
            proposal.body_id.to_string(),
            proposal.title.as_str(),
            proposal.text.as_str(),
            proposal.moment.wire_name(),
            proposal.mission.wire_name(),
            proposal.proposed_on,
        ),
        DecisionEvent::ConsultationLinked { consultation_id } => stmt!(
            "INSERT INTO proj_decision_consultations (decision_id, consultation_id) VALUES ($1, $2)",
            id,
            consultation_id.to_string(),
        ),
        DecisionEvent::AnswerDrafted { consultation_id, contribution_id, disposition, rationale, on } => stmt!(
            INSERT_ANSWER,
            id,
            contribution_id.to_string(),
            consultation_id.to_string(),
            disposition.wire_name(),
            rationale.clone(),
            *on,
            actor,
            Option::<String>::None,
            Option::<String>::None,
            Option::<i64>::None,
        ),
        DecisionEvent::AnswerRevised { contribution_id, disposition, rationale, on, .. } => stmt!(
            "UPDATE proj_answers SET disposition = $3, rationale = $4, written_on = $5, \
             revised_on = $5, published_on = NULL, revisions = revisions + 1, answered_by = $6 \
             WHERE decision_id = $1 AND contribution_id = $2",
            id,
            contribution_id.to_string(),
            disposition.wire_name(),
            rationale.clone(),
            *on,
            actor,
        ),
        DecisionEvent::AnswerPublished { contribution_id, on } => stmt!(
            PUBLISH_ANSWER,
            id,
            contribution_id.to_string(),
            *on,
            position(event),
        ),
        DecisionEvent::VoteRecorded { on, tally, outcome } => stmt!(
            "UPDATE proj_decisions SET status = $2, voted_on = $3, tally = $4 WHERE decision_id = $1",
            id,
            outcome.wire_name(),
            *on,
            serde_json::to_string(tally).unwrap_or_default(),
        ),
        DecisionEvent::DecisionAmended { text, .. } => stmt!(
            "UPDATE proj_decisions SET text = $2, amendments = amendments + 1 WHERE decision_id = $1",
            id,
            text.as_str(),
        ),
        DecisionEvent::DecisionWithdrawn { on, .. } => stmt!(
            "UPDATE proj_decisions SET status = 'withdrawn', withdrawn_on = $2 WHERE decision_id = $1",
            id,
            *on,
        ),
        DecisionEvent::MilestoneRecorded { milestone, on } => stmt!(
            "INSERT INTO proj_milestones (position, decision_id, happened_on, milestone) \
             VALUES ($1, $2, $3, $4)",
            position(event),
            id,
            *on,
            milestone.as_str(),
        ),
        DecisionEvent::IndicatorReported { indicator, period, value, target, on } => stmt!(
            "INSERT INTO proj_indicators (decision_id, indicator, period, value, target, reported_on) \
             VALUES ($1, $2, $3, $4, $5, $6)",
            id,
            indicator.as_str(),
            period.as_str(),
            *value,
            *target,
            *on,
        ),
    }]
}
