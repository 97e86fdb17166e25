//! Many writers on one record: optimistic concurrency, retried, loses nothing and doubles
//! nothing.

use std::collections::HashSet;
use std::sync::Arc;

use chrono::NaiveDate;
use cpts_domain::access::Caller;
use cpts_domain::command::{Actor, AddressedCommand};
use cpts_domain::community::CommunityCommand;
use cpts_domain::consultation::{
    Author, ConsultationCommand, ConsultationEvent, ConsultationTerms,
};
use cpts_domain::ids::{CommunityId, ConsultationId, ContributionId};
use cpts_domain::values::{Commune, ContributionKind, Method, Mission, Moment, Rung};
use cpts_graphql::port::{CommandContext, LedgerPort};
use cpts_ledger::service::Ledger;
use cpts_ledger_tests::postgres_db;
use uuid::Uuid;

const WRITERS: usize = 8;
/// The writers are spread over this many ledgers, as over as many service instances: within
/// one, commands to a record take turns; between them, races are lost and retried.
const INSTANCES: usize = 2;
const CONTRIBUTIONS_PER_WRITER: usize = 200;

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

fn context() -> CommandContext {
    CommandContext {
        caller: Caller::Trusted(Actor::System),
        command_id: Uuid::new_v4(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn eight_writers_on_one_consultation_lose_nothing_and_double_nothing() {
    let db = postgres_db().await;
    let repo = cpts_ledger_tests::open_store(db.url())
        .await
        .expect("store opens");
    let mut instances = Vec::new();
    for _ in 0..INSTANCES {
        let repo = cpts_ledger_tests::open_store(db.url())
            .await
            .expect("store opens");
        instances.push(Arc::new(Ledger::new(repo)));
    }
    let ledger = instances[0].clone();

    let community_id = CommunityId(Uuid::new_v4());
    let consultation_id = ConsultationId(Uuid::new_v4());
    ledger
        .execute(
            AddressedCommand::Community {
                id: community_id,
                command: CommunityCommand::Register {
                    community_id,
                    name: "CPTS du Val de l'Étang".into(),
                    territory: vec![Commune {
                        insee: "34301".into(),
                        name: "Sète".into(),
                    }],
                },
            },
            context(),
        )
        .await
        .expect("community registered");
    ledger
        .execute(
            AddressedCommand::Consultation {
                id: consultation_id,
                command: ConsultationCommand::Open {
                    consultation_id,
                    community_id,
                    terms: ConsultationTerms {
                        subject: "Questionnaire sur l'accès aux soins".into(),
                        moment: Moment::Diagnosis,
                        mission: Mission::AccessToCare,
                        rung: Rung::Consult,
                        audience: "habitants".into(),
                        method: Method::Questionnaire,
                        opens_on: date(2026, 2, 2),
                        closes_on: date(2026, 3, 13),
                        answer_within_days: 30,
                    },
                },
            },
            context(),
        )
        .await
        .expect("consultation opened");

    let mut writers = Vec::new();
    for writer in 0..WRITERS {
        let ledger = instances[writer % INSTANCES].clone();
        writers.push(tokio::spawn(async move {
            let mut ids = Vec::new();
            for n in 0..CONTRIBUTIONS_PER_WRITER {
                let contribution_id = ContributionId(Uuid::new_v4());
                let receipt = ledger
                    .execute(
                        AddressedCommand::Consultation {
                            id: consultation_id,
                            command: ConsultationCommand::Submit {
                                contribution_id,
                                author: Author::Anonymous {
                                    commune: Some("Sète".into()),
                                },
                                kind: ContributionKind::Opinion,
                                text: format!("Avis {n} du questionnaire {writer}"),
                                submitted_on: date(2026, 2, 10),
                                attachment: None,
                                file: None,
                            },
                        },
                        context(),
                    )
                    .await
                    .unwrap_or_else(|e| panic!("writer {writer}, contribution {n}: {e:?}"));
                assert_eq!(
                    receipt.events.len(),
                    1,
                    "each command records exactly its event"
                );
                ids.push(contribution_id);
            }
            ids
        }));
    }
    let mut submitted = HashSet::new();
    for writer in writers {
        submitted.extend(writer.await.expect("writer finished"));
    }
    assert_eq!(submitted.len(), WRITERS * CONTRIBUTIONS_PER_WRITER);
    let retried: u64 = instances.iter().map(|l| l.conflicts_retried()).sum();
    assert!(
        retried > 0,
        "the instances raced on the consultation, and the losers retried"
    );

    let stream = repo
        .read_stream("consultation", &consultation_id.to_string())
        .await
        .expect("stream reads");
    let sequences: Vec<u64> = stream.iter().map(|e| e.sequence).collect();
    let expected: Vec<u64> = (1..=(1 + WRITERS * CONTRIBUTIONS_PER_WRITER) as u64).collect();
    assert_eq!(sequences, expected, "sequence numbers are contiguous");

    let mut recorded = HashSet::new();
    for event in &stream[1..] {
        match serde_json::from_value::<ConsultationEvent>(event.payload.clone())
            .expect("payload reads")
        {
            ConsultationEvent::ContributionSubmitted {
                contribution_id, ..
            } => {
                assert!(
                    recorded.insert(contribution_id),
                    "contribution {contribution_id} recorded twice"
                );
            }
            other => panic!("unexpected event {other:?}"),
        }
    }
    assert_eq!(recorded, submitted, "every contribution is recorded, once");

    let log = repo.read_log(0, 1_000_000).await.expect("log reads");
    let positions: Vec<u64> = log.iter().map(|e| e.position).collect();
    assert_eq!(
        positions,
        (1..=log.len() as u64).collect::<Vec<_>>(),
        "the global log has no gap"
    );
    assert_eq!(log.len(), 2 + WRITERS * CONTRIBUTIONS_PER_WRITER);
}
