//! The Val de l'Étang scenario of DOMAIN.md, recorded through the command path on both
//! backends and read back from the log, event by event.

use std::collections::{BTreeMap, HashMap};

use cpts_domain::association::Association;
use cpts_domain::community::Community;
use cpts_domain::consultation::Consultation;
use cpts_domain::decision::{Decision, DecisionEvent};
use cpts_domain::member::Member;
use cpts_domain::values::Disposition;
use cpts_ledger::demo;
use cpts_ledger::service::Ledger;
use cpts_ledger::store::chain::Encoding;
use cpts_ledger::store::StoredEvent;
use cpts_ledger_tests::{postgres_db, sqlite_db};
use cqrs_es::Aggregate;

/// Replays one aggregate type's events into states, by aggregate id, checking that every
/// stored payload still reads as the domain event its type names.
fn replay<A: Aggregate>(log: &[StoredEvent]) -> HashMap<String, A> {
    let mut states: HashMap<String, A> = HashMap::new();
    for event in log.iter().filter(|e| e.aggregate_type == A::TYPE) {
        let payload: A::Event = serde_json::from_value(event.payload.clone())
            .unwrap_or_else(|e| panic!("event {} does not read back: {e}", event.position));
        assert_eq!(cqrs_es::DomainEvent::event_type(&payload), event.event_type);
        states
            .entry(event.aggregate_id.clone())
            .or_default()
            .apply(payload);
    }
    states
}

async fn the_scenario_is_recorded_and_read_back(url: &str) {
    let repo = cpts_ledger_tests::open_store(url)
        .await
        .expect("store opens");
    let ledger = Ledger::new(repo.clone());
    let summary = demo::record_scenario(&ledger)
        .await
        .expect("the scenario records");

    let log = repo.read_log(0, 1_000_000).await.expect("the log reads");
    assert_eq!(
        log.len(),
        summary.events,
        "every event the commands recorded is in the log"
    );

    // The log is one sequence: positions 1..=n, each stream's sequences contiguous, each
    // event chained to the one before, times never going back.
    let mut next_sequence: HashMap<(String, String), u64> = HashMap::new();
    let mut previous_hash = [0u8; 32];
    for (i, event) in log.iter().enumerate() {
        assert_eq!(event.position, i as u64 + 1, "positions have no gap");
        let expected = next_sequence
            .entry((event.aggregate_type.clone(), event.aggregate_id.clone()))
            .or_insert(1);
        assert_eq!(
            event.sequence, *expected,
            "sequence of {} {}",
            event.aggregate_type, event.aggregate_id
        );
        *expected += 1;
        assert_eq!(
            event.prev_hash, previous_hash,
            "event {} links to the one before",
            event.position
        );
        assert_eq!(
            event.recompute_hash(Encoding::V2 { from: 1 }),
            event.hash,
            "event {} hash matches its content, in chain version 2 from the first",
            event.position
        );
        assert_eq!(event.chain_version, 2);
        previous_hash = event.hash;
        if i > 0 {
            assert!(
                event.recorded_at >= log[i - 1].recorded_at,
                "recording times never go back"
            );
        }
        for key in ["actor", "command_id", "recorded_at", "community_id"] {
            assert!(
                event.metadata.get(key).is_some(),
                "event {} records its {key}",
                event.position
            );
        }
        assert_eq!(
            event.community_id.as_deref(),
            Some(summary.community_id.to_string().as_str())
        );
    }

    // Every event type, counted: the scenario as DOMAIN.md tells it.
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for event in &log {
        *counts.entry(event.event_type.as_str()).or_default() += 1;
    }
    let expected_counts = [
        ("CommunityRegistered", 1),
        ("CollegeDefined", 3),
        ("BodyEstablished", 4),
        ("InternalRulesAdopted", 1),
        ("AssociationRegistered", 2),
        ("AssociationApproved", 1),
        ("AssociationEngaged", 2),
        ("MemberAdmitted", 8),
        ("MandateGranted", 2),
        ("ConsultationOpened", 2),
        ("ContributionSubmitted", 19),
        ("ConsultationClosed", 2),
        ("DecisionProposed", 2),
        ("ConsultationLinked", 2),
        ("AnswerDrafted", 19),
        ("AnswerPublished", 19),
        ("VoteRecorded", 2),
        ("MilestoneRecorded", 2),
        ("IndicatorReported", 2),
    ];
    for (event_type, count) in expected_counts {
        assert_eq!(
            counts.get(event_type).copied().unwrap_or(0),
            count,
            "{event_type} events"
        );
    }

    // Replaying the log rebuilds the record the scenario describes.
    let communities = replay::<Community>(&log);
    let community = &communities[&summary.community_id.to_string()];
    assert_eq!(community.territory().len(), 12);
    assert_eq!(
        community
            .colleges()
            .iter()
            .filter(|c| c.is_users_college)
            .count(),
        1
    );
    assert!(community
        .internal_rules()
        .is_some_and(|r| r.travel_expenses_reimbursed));

    let associations = replay::<Association>(&log);
    let approved = associations
        .values()
        .filter(|a| a.approval().is_some())
        .count();
    assert_eq!(
        (associations.len(), approved),
        (2, 1),
        "one approved association, one not"
    );

    let members = replay::<Member>(&log);
    let representatives: Vec<&Member> =
        members.values().filter(|m| m.mandate().is_some()).collect();
    assert_eq!(representatives.len(), 2);
    let outside: Vec<&str> = representatives
        .iter()
        .filter(|m| {
            m.mandate()
                .is_some_and(|mandate| !mandate.lives_in_territory)
        })
        .map(|m| m.name())
        .collect();
    assert_eq!(outside, ["Karim Benali"]);
    let without_cadre: Vec<&str> = representatives
        .iter()
        .filter(|m| {
            m.mandate()
                .is_some_and(|mandate| mandate.cadre_intervention.is_none())
        })
        .map(|m| m.name())
        .collect();
    assert_eq!(without_cadre, ["Karim Benali"]);

    let consultations = replay::<Consultation>(&log);
    let perimetre = consultations
        .values()
        .find(|c| {
            c.terms()
                .is_some_and(|t| t.subject.starts_with("Périmètre"))
        })
        .expect("the perimeter consultation");
    assert_eq!(perimetre.contributions().len(), 14);
    let deadline = perimetre.terms().expect("terms").answer_deadline();
    assert_eq!(deadline.to_string(), "2026-04-12");

    let decisions = replay::<Decision>(&log);
    let perimeter_decision = decisions
        .values()
        .find(|d| d.consultations().contains(&perimetre.id().expect("id")))
        .expect("the perimeter decision");
    let mut dispositions: BTreeMap<Disposition, usize> = BTreeMap::new();
    for answer in perimeter_decision.answers() {
        *dispositions.entry(answer.disposition).or_default() += 1;
    }
    assert_eq!(
        dispositions,
        BTreeMap::from([
            (Disposition::Retained, 9),
            (Disposition::PartlyRetained, 3),
            (Disposition::NotRetained, 2)
        ])
    );
    let late: Vec<&str> = perimeter_decision
        .answers()
        .iter()
        .filter(|a| a.published_on.is_some_and(|on| on > deadline))
        .map(|a| {
            perimetre
                .contribution(a.contribution_id)
                .expect("answered contribution")
                .text
                .as_str()
        })
        .collect();
    assert_eq!(late.len(), 1, "one answer is late");
    assert!(
        late[0].starts_with("Depuis le départ de mon médecin"),
        "the late answer is p10"
    );

    let indicator_reports = log
        .iter()
        .filter_map(
            |e| match serde_json::from_value::<DecisionEvent>(e.payload.clone()) {
                Ok(DecisionEvent::IndicatorReported { value, .. })
                    if e.aggregate_type == "decision" =>
                {
                    Some(value)
                }
                _ => None,
            },
        )
        .collect::<Vec<_>>();
    assert_eq!(indicator_reports, [31.0, 44.0]);

    // Recording the demo a second time is refused with a clear message, and writes nothing.
    let head = repo.head().await.expect("head").position;
    let again = demo::record_scenario(&ledger)
        .await
        .expect_err("a second demo is refused");
    assert!(
        format!("{again:#}").contains("déjà enregistrée"),
        "clear message: {again:#}"
    );
    assert_eq!(
        repo.head().await.expect("head").position,
        head,
        "nothing written"
    );
}

#[tokio::test]
async fn the_scenario_is_recorded_and_read_back_on_postgres() {
    let db = postgres_db().await;
    the_scenario_is_recorded_and_read_back(db.url()).await;
}

#[tokio::test]
async fn the_scenario_is_recorded_and_read_back_on_sqlite() {
    let db = sqlite_db();
    the_scenario_is_recorded_and_read_back(db.url()).await;
}
