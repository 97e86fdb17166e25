//! A busy CPTS's log, written straight through the store, for the benchmarks: consultations
//! with many contributions (half of them from members, whose texts are stored encrypted),
//! and decisions answering them and publishing their answers.

use std::collections::HashMap;

use chrono::NaiveDate;
use cpts_domain::community::CommunityEvent;
use cpts_domain::consultation::{Author, ConsultationEvent, ConsultationTerms};
use cpts_domain::decision::{DecisionEvent, Proposal};
use cpts_domain::ids::{BodyId, CommunityId, ConsultationId, ContributionId, DecisionId, MemberId};
use cpts_domain::member::{MemberEvent, MemberKind};
use cpts_domain::values::{
    BodyKind, Commune, ContributionKind, Disposition, Method, Mission, Moment, Rung,
};
use cpts_ledger::store::EventRepository;
use cqrs_es::persist::SerializedEvent;
use cqrs_es::DomainEvent;
use uuid::Uuid;

/// How big the log is.
#[derive(Debug, Clone, Copy)]
pub struct Shape {
    /// Members, authors of every other contribution.
    pub members: usize,
    /// Consultations, each with one decision drawing on it.
    pub units: usize,
    /// Contributions per consultation.
    pub contributions: usize,
    /// Contributions answered (and the answers published) per decision.
    pub answers: usize,
}

fn date(text: &str) -> NaiveDate {
    text.parse().expect("a date")
}

fn serialized<E: DomainEvent>(
    aggregate_type: &str,
    id: Uuid,
    sequence: usize,
    event: &E,
    community: CommunityId,
) -> SerializedEvent {
    let metadata = HashMap::from([
        ("actor".to_owned(), "system".to_owned()),
        ("command_id".to_owned(), Uuid::new_v4().to_string()),
        ("community_id".to_owned(), community.to_string()),
    ]);
    SerializedEvent::new(
        id.to_string(),
        sequence,
        aggregate_type.to_owned(),
        event.event_type(),
        event.event_version(),
        serde_json::to_value(event).expect("serializes"),
        serde_json::to_value(metadata).expect("serializes"),
    )
}

async fn append_stream<E: DomainEvent>(
    repo: &EventRepository,
    aggregate_type: &str,
    id: Uuid,
    events: &[E],
    community: CommunityId,
) -> usize {
    let batch: Vec<SerializedEvent> = events
        .iter()
        .enumerate()
        .map(|(i, e)| serialized(aggregate_type, id, i + 1, e, community))
        .collect();
    for chunk in batch.chunks(1_000) {
        repo.append(chunk).await.expect("appended");
    }
    batch.len()
}

/// Writes the log of a busy CPTS; returns the CPTS and how many events were written.
pub async fn record(repo: &EventRepository, shape: Shape) -> (CommunityId, usize) {
    let community = CommunityId(Uuid::new_v4());
    let body = BodyId(Uuid::new_v4());
    let mut total = append_stream(
        repo,
        "community",
        community.0,
        &[
            CommunityEvent::CommunityRegistered {
                community_id: community,
                name: "CPTS du Val de l'Étang".into(),
                territory: vec![Commune {
                    insee: "34301".into(),
                    name: "Sète".into(),
                }],
            },
            CommunityEvent::BodyEstablished {
                body_id: body,
                kind: BodyKind::Board,
                name: "CA".into(),
            },
        ],
        community,
    )
    .await;
    // Members whose contributions are personal data: their names and texts are stored
    // encrypted, and decrypted on replay.
    let members: Vec<MemberId> = (0..shape.members)
        .map(|_| MemberId(Uuid::new_v4()))
        .collect();
    for (n, member) in members.iter().enumerate() {
        total += append_stream(
            repo,
            "member",
            member.0,
            &[MemberEvent::MemberAdmitted {
                member_id: *member,
                community_id: community,
                name: format!("Représentante {n}"),
                kind: MemberKind::AssociationRepresentative,
                admitted_on: date("2026-01-20"),
            }],
            community,
        )
        .await;
    }
    for unit in 0..shape.units {
        let consultation = ConsultationId(Uuid::new_v4());
        let terms = ConsultationTerms {
            subject: format!("Consultation {unit}"),
            moment: Moment::Diagnosis,
            mission: Mission::AccessToCare,
            rung: Rung::Consult,
            audience: "habitants".into(),
            method: Method::Questionnaire,
            opens_on: date("2026-02-02"),
            closes_on: date("2026-03-13"),
            answer_within_days: 30,
        };
        let mut events = vec![ConsultationEvent::ConsultationOpened {
            consultation_id: consultation,
            community_id: community,
            answer_deadline: terms.answer_deadline(),
            terms,
        }];
        let contributions: Vec<ContributionId> = (0..shape.contributions)
            .map(|_| ContributionId(Uuid::new_v4()))
            .collect();
        events.extend(contributions.iter().enumerate().map(|(n, id)| {
            ConsultationEvent::ContributionSubmitted {
                contribution_id: *id,
                // Half from members (encrypted), half from anonymous inhabitants.
                author: if n % 2 == 0 {
                    Author::Member {
                        member_id: members[n % shape.members],
                    }
                } else {
                    Author::Anonymous {
                        commune: Some("Mèze".into()),
                    }
                },
                kind: ContributionKind::Opinion,
                text: format!("Avis numéro {n} : il faudrait une permanence le samedi matin."),
                submitted_on: date("2026-02-10"),
                attachment: None,
                late: None,
                imported: None,
                file: None,
            }
        }));
        events.push(ConsultationEvent::ConsultationClosed {
            on: date("2026-03-13"),
        });
        total += append_stream(repo, "consultation", consultation.0, &events, community).await;

        let decision = DecisionId(Uuid::new_v4());
        let mut events = vec![
            DecisionEvent::DecisionProposed {
                decision_id: decision,
                community_id: community,
                proposal: Proposal {
                    body_id: body,
                    title: format!("Décision {unit}"),
                    text: "Texte de la décision.".into(),
                    moment: Moment::Diagnosis,
                    mission: Mission::AccessToCare,
                    proposed_on: date("2026-03-20"),
                },
            },
            DecisionEvent::ConsultationLinked {
                consultation_id: consultation,
            },
        ];
        for id in &contributions[..shape.answers] {
            events.push(DecisionEvent::AnswerDrafted {
                consultation_id: consultation,
                contribution_id: *id,
                disposition: Disposition::PartlyRetained,
                rationale: Some("Retenu pour le diagnostic.".into()),
                on: date("2026-04-07"),
            });
            events.push(DecisionEvent::AnswerPublished {
                contribution_id: *id,
                on: date("2026-04-07"),
            });
        }
        total += append_stream(repo, "decision", decision.0, &events, community).await;
    }
    (community, total)
}
