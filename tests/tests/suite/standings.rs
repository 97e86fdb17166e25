//! One contribution in each of the seven standings, recorded through the service, and every
//! reader asked where each stands: the register's promise keeping, the influence trail, *Mes
//! contributions*, the coordinator's digest, the general assembly's report and its open data.
//! They must all give the standing the domain's rule gives (`cpts_domain::rules::standing`).

use std::collections::BTreeMap;
use std::sync::Arc;

use async_graphql::dataloader::{DataLoader, HashMapCache};
use cpts_domain::access::{Principal, Role};
use cpts_graphql::views::DecisionLoader;

use chrono::NaiveDate;
use cpts_domain::access::Caller;
use cpts_domain::command::{Actor, AddressedCommand};
use cpts_domain::consultation::{
    Author, ConsultationCommand, ConsultationEvent, ConsultationTerms,
};
use cpts_domain::decision::{DecisionCommand, Proposal, Tally};
use cpts_domain::ids::{BodyId, CommunityId, ConsultationId, ContributionId, DecisionId, MemberId};
use cpts_domain::values::{
    ContributionKind, Disposition, Lang, Method, Mission, Moment, Rung, VoteOutcome,
};
use cpts_graphql::port::{CommandContext, LedgerPort};
use cpts_ledger::demo::{self, id_of};
use cpts_ledger::notify::digest;
use cpts_ledger::service::Ledger;
use cpts_ledger_tests::{open_store, sqlite_db};
use cpts_projections::report::{self, render};
use cpts_projections::{listing, queries};
use cqrs_es::persist::SerializedEvent;
use uuid::Uuid;

fn date(text: &str) -> NaiveDate {
    text.parse().expect("a date")
}

const AS_OF: &str = "2026-07-15";

fn context() -> CommandContext {
    CommandContext {
        caller: Caller::Trusted(Actor::System),
        command_id: Uuid::new_v4(),
    }
}

async fn send(ledger: &Ledger, command: AddressedCommand) {
    let what = format!("{command:?}");
    ledger
        .execute(command, context())
        .await
        .unwrap_or_else(|e| panic!("{what}: {e:?}"));
}

fn contribution(n: u128) -> ContributionId {
    ContributionId(Uuid::from_u128(0x57a0_0000 + n))
}

/// The contributions, each with the standing it must have as of [`AS_OF`].
fn expected() -> BTreeMap<String, &'static str> {
    [
        (1, "not_owed"),
        (2, "answered_on_time"),
        (3, "answered_late"),
        (4, "overdue"),
        (5, "withdrawn"),
        (6, "revised_awaiting_republication"),
        (7, "pending"),
    ]
    .into_iter()
    .map(|(n, code)| (contribution(n).to_string(), code))
    .collect()
}

async fn open(ledger: &Ledger, id: ConsultationId, rung: Rung, opens: &str, closes: &str) {
    let community_id = CommunityId(id_of("community", "cpts-val-de-letang"));
    send(
        ledger,
        AddressedCommand::Consultation {
            id,
            command: ConsultationCommand::Open {
                consultation_id: id,
                community_id,
                terms: ConsultationTerms {
                    subject: format!("Consultation {rung:?}"),
                    moment: Moment::Evaluation,
                    mission: Mission::Prevention,
                    rung,
                    audience: "habitants".into(),
                    method: Method::Questionnaire,
                    opens_on: date(opens),
                    closes_on: date(closes),
                    answer_within_days: 30,
                },
            },
        },
    )
    .await;
}

async fn submit(ledger: &Ledger, consultation: ConsultationId, n: u128, on: &str) {
    let member_id = MemberId(id_of("member", "martine-roussel"));
    send(
        ledger,
        AddressedCommand::Consultation {
            id: consultation,
            command: ConsultationCommand::Submit {
                contribution_id: contribution(n),
                author: Author::Member { member_id },
                kind: ContributionKind::Opinion,
                text: format!("Contribution {n}"),
                submitted_on: date(on),
                attachment: None,
                file: None,
            },
        },
    )
    .await;
}

/// A contribution to an informing consultation, which the rules refuse today: written straight
/// into the log, as a log imported from before that rule would hold it. It is owed no answer.
async fn submit_as_imported(
    repo: &cpts_ledger::store::EventRepository,
    ledger: &Ledger,
    consultation: ConsultationId,
    n: u128,
    on: &str,
) {
    let id = consultation.to_string();
    let last = repo
        .read_stream("consultation", &id)
        .await
        .expect("the consultation's events")
        .last()
        .expect("opened")
        .sequence;
    let member_id = MemberId(id_of("member", "martine-roussel"));
    let payload = serde_json::to_value(ConsultationEvent::ContributionSubmitted {
        contribution_id: contribution(n),
        author: Author::Member { member_id },
        kind: ContributionKind::Opinion,
        text: format!("Contribution {n}"),
        submitted_on: date(on),
        attachment: None,
        late: None,
        imported: None,
        file: None,
    })
    .expect("a payload");
    let event = SerializedEvent::new(
        id,
        usize::try_from(last + 1).expect("a sequence"),
        "consultation".into(),
        "ContributionSubmitted".into(),
        cpts_domain::EVENT_VERSION_1.into(),
        payload,
        serde_json::json!({
            "actor": "system",
            "command_id": Uuid::new_v4().to_string(),
            "community_id": id_of("community", "cpts-val-de-letang").to_string(),
        }),
    );
    repo.append(&[event]).await.expect("the store appends it");
    let head = repo.head().await.expect("the head").position;
    ledger.projector().wait_for(head).await.expect("projected");
}

/// The demo's CPTS, then three consultations and a decision that leave one contribution in
/// each standing as of 15 July 2026.
async fn recorded() -> (
    cpts_ledger_tests::TestDb,
    cpts_ledger::store::EventRepository,
    Ledger,
) {
    let db = sqlite_db();
    let repo = open_store(db.url()).await.expect("store opens");
    let ledger = Ledger::new(repo.clone());
    demo::record_scenario(&ledger).await.expect("demo recorded");

    // Deadline 30 June for the first two; 30 August for the third.
    let informing = ConsultationId(Uuid::from_u128(0x5700_0001));
    let consulting = ConsultationId(Uuid::from_u128(0x5700_0002));
    let later = ConsultationId(Uuid::from_u128(0x5700_0003));
    open(&ledger, informing, Rung::Inform, "2026-05-01", "2026-05-31").await;
    open(
        &ledger,
        consulting,
        Rung::Consult,
        "2026-05-01",
        "2026-05-31",
    )
    .await;
    open(&ledger, later, Rung::Consult, "2026-07-01", "2026-07-31").await;
    submit_as_imported(&repo, &ledger, informing, 1, "2026-05-05").await;
    for n in 2..=6 {
        submit(&ledger, consulting, n, &format!("2026-05-0{n}")).await;
    }
    submit(&ledger, later, 7, "2026-07-02").await;
    send(
        &ledger,
        AddressedCommand::Consultation {
            id: consulting,
            command: ConsultationCommand::Withdraw {
                contribution_id: contribution(5),
                on: date("2026-05-20"),
                reason: None,
                by: None,
                answer_published: false,
            },
        },
    )
    .await;
    for id in [informing, consulting] {
        send(
            &ledger,
            AddressedCommand::Consultation {
                id,
                command: ConsultationCommand::Close {
                    on: date("2026-05-31"),
                },
            },
        )
        .await;
    }

    let decision = DecisionId(Uuid::from_u128(0x5700_00d1));
    let to = |command| AddressedCommand::Decision {
        id: decision,
        command,
    };
    send(
        &ledger,
        to(DecisionCommand::Propose {
            decision_id: decision,
            community_id: CommunityId(id_of("community", "cpts-val-de-letang")),
            proposal: Proposal {
                body_id: BodyId(id_of("body", "ca")),
                title: "Suites des consultations de printemps".into(),
                text: "Le conseil donne suite aux consultations.".into(),
                moment: Moment::Evaluation,
                mission: Mission::Prevention,
                proposed_on: date("2026-06-01"),
            },
        }),
    )
    .await;
    for consultation_id in [informing, consulting, later] {
        send(
            &ledger,
            to(DecisionCommand::LinkConsultation { consultation_id }),
        )
        .await;
    }
    for (n, on) in [(2, "2026-06-10"), (3, "2026-07-05"), (6, "2026-06-10")] {
        send(
            &ledger,
            to(DecisionCommand::DraftAnswer {
                consultation_id: consulting,
                contribution_id: contribution(n),
                disposition: Disposition::Retained,
                rationale: None,
                on: date(on),
            }),
        )
        .await;
        send(
            &ledger,
            to(DecisionCommand::PublishAnswer {
                contribution_id: contribution(n),
                on: date(on),
            }),
        )
        .await;
    }
    send(
        &ledger,
        to(DecisionCommand::ReviseAnswer {
            contribution_id: contribution(6),
            disposition: Disposition::PartlyRetained,
            rationale: Some("Retenue pour une seule des deux communes.".into()),
            reason: "Erreur sur le périmètre".into(),
            on: date("2026-06-20"),
        }),
    )
    .await;
    // Voted, so that its trail is public and the open data lists its contributions.
    send(
        &ledger,
        to(DecisionCommand::RecordVote {
            on: date("2026-07-10"),
            tally: Tally::Consensus,
            outcome: VoteOutcome::Adopted,
        }),
    )
    .await;
    (db, repo, ledger)
}

/// Keeps the seven contributions of `found` (id → standing code), so each reader is compared
/// on exactly them.
fn ours(found: impl IntoIterator<Item = (String, String)>) -> BTreeMap<String, String> {
    let expected = expected();
    found
        .into_iter()
        .filter(|(id, _)| expected.contains_key(id))
        .collect()
}

/// Runs a GraphQL query on the served schema, as a caller of the demo's CPTS with this role.
async fn graphql(
    repo: &cpts_ledger::store::EventRepository,
    db: &cpts_projections::ReadDb,
    role: Role,
    member: Option<MemberId>,
    query: &str,
) -> serde_json::Value {
    let port: Arc<dyn LedgerPort> = Arc::new(Ledger::new(repo.clone()));
    let schema = cpts_graphql::build_schema(port, db.clone());
    let caller = Caller::Principal(Principal {
        token_id: Uuid::new_v4(),
        community: CommunityId(id_of("community", "cpts-val-de-letang")),
        role,
        member,
    });
    let loader = DataLoader::with_cache(
        DecisionLoader::new(db.clone()),
        tokio::spawn,
        HashMapCache::default(),
    );
    let response = schema
        .execute(async_graphql::Request::new(query).data(caller).data(loader))
        .await;
    assert!(response.errors.is_empty(), "{:?}", response.errors);
    response.data.into_json().expect("JSON")
}

/// Pairs (contributionId, standing) of a list of GraphQL objects; the enum's value
/// (`ANSWERED_ON_TIME`) lower-cased is the rule's code.
fn pairs(list: &serde_json::Value) -> Vec<(String, String)> {
    list.as_array()
        .expect("a list")
        .iter()
        .map(|o| {
            (
                o["contributionId"].as_str().expect("an id").to_owned(),
                o["standing"].as_str().expect("a standing").to_lowercase(),
            )
        })
        .collect()
}

fn codes() -> BTreeMap<String, String> {
    expected()
        .into_iter()
        .map(|(id, code)| (id, code.to_owned()))
        .collect()
}

#[tokio::test]
async fn every_reader_gives_each_contribution_the_same_standing() {
    let (_db, repo, ledger) = recorded().await;
    let db = ledger.projector().db();
    let as_of = date(AS_OF);
    let community = id_of("community", "cpts-val-de-letang").to_string();

    // The register's promise keeping, consultation by consultation.
    let mut register = Vec::new();
    for n in 1..=3u128 {
        let id = Uuid::from_u128(0x5700_0000 + n).to_string();
        let keeping = queries::promise_keeping(db, &id, as_of)
            .await
            .expect("promise keeping reads")
            .expect("the consultation");
        register.extend(
            keeping
                .standings
                .iter()
                .map(|(id, s)| (id.clone(), s.code().to_owned())),
        );
    }
    assert_eq!(ours(register), codes(), "register");

    // The influence trail of the decision that answers them.
    let decision = Uuid::from_u128(0x5700_00d1).to_string();
    let trail = listing::influence_trails(db, std::slice::from_ref(&decision), as_of)
        .await
        .expect("trail reads")
        .remove(&decision)
        .expect("the trail");
    let from_trail = trail.entries.iter().map(|e| {
        let standing = e.standing.expect("a standing");
        (e.contribution_id.clone(), standing.code().to_owned())
    });
    assert_eq!(ours(from_trail), codes(), "trail");

    // Mes contributions, for their author.
    let author = id_of("member", "martine-roussel").to_string();
    let mine = queries::contributor_follow_up(db, &author, as_of)
        .await
        .expect("follow-up reads");
    let from_mine = mine
        .iter()
        .map(|f| (f.contribution_id.clone(), f.standing.code().to_owned()));
    assert_eq!(ours(from_mine), codes(), "Mes contributions");

    // The digest lists exactly those that still wait for a publication, with their standing.
    let waiting = digest::waiting(db, &community, as_of, 60)
        .await
        .expect("digest reads");
    let in_digest = ours(
        waiting
            .iter()
            .map(|w| (w.contribution_id.clone(), w.standing.code().to_owned())),
    );
    let awaiting: BTreeMap<String, String> = codes()
        .into_iter()
        .filter(|(_, code)| {
            ["pending", "overdue", "revised_awaiting_republication"].contains(&code.as_str())
        })
        .collect();
    assert_eq!(in_digest, awaiting, "digest");

    // The general assembly's report of the year, as of the day, and its open data.
    let events: Vec<_> = cpts_ledger_tests::log_envelopes(&repo).await;
    let built = report::build(
        &events,
        &community,
        (date("2026-01-01"), date("2026-12-31")),
        as_of,
        Lang::Fr,
    );
    let from_report = built
        .promise_keeping
        .standings
        .iter()
        .map(|s| (s.contribution_id.clone(), s.standing.code.clone()));
    assert_eq!(ours(from_report), codes(), "report");

    let files = render::open_data(&built);
    let (_, csv) = files
        .iter()
        .find(|(name, _)| *name == "contributions.csv")
        .expect("the contributions file");
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().expect("a header").split(',').collect();
    let column = |name: &str| header.iter().position(|h| *h == name).expect(name);
    let (id, standing) = (column("contribution_id"), column("statut"));
    let from_csv = lines.map(|line| {
        let fields: Vec<&str> = line.split(',').collect();
        (fields[id].to_owned(), fields[standing].to_owned())
    });
    assert_eq!(ours(from_csv), codes(), "CSV");

    // The API: the ContributionStanding enum where the register, the trail and Mes
    // contributions show it.
    let staff = graphql(
        &repo,
        db,
        Role::Coordinator,
        None,
        &format!(
            r#"{{ consultations(asOf: "{AS_OF}") {{ id promiseKeeping {{ standings {{ contributionId standing }} }} }}
               decision(id: "{decision}", asOf: "{AS_OF}") {{ trail {{ entries {{ contributionId standing }} }} }} }}"#
        ),
    )
    .await;
    let from_api_register: Vec<(String, String)> = staff["consultations"]
        .as_array()
        .expect("consultations")
        .iter()
        .filter(|c| !c["promiseKeeping"].is_null())
        .flat_map(|c| pairs(&c["promiseKeeping"]["standings"]))
        .collect();
    assert_eq!(ours(from_api_register), codes(), "API register");
    assert_eq!(
        ours(pairs(&staff["decision"]["trail"]["entries"])),
        codes(),
        "API trail"
    );
    let representative = graphql(
        &repo,
        db,
        Role::Representative,
        Some(MemberId(id_of("member", "martine-roussel"))),
        &format!(r#"{{ myContributions(asOf: "{AS_OF}") {{ contributionId standing }} }}"#),
    )
    .await;
    assert_eq!(
        ours(pairs(&representative["myContributions"])),
        codes(),
        "API Mes contributions"
    );

    // Promise keeping counts the revised answer by its first publication (on time), in the
    // register and the report alike.
    let consulting = Uuid::from_u128(0x5700_0002).to_string();
    let keeping = queries::promise_keeping(db, &consulting, as_of)
        .await
        .expect("reads")
        .expect("the consultation");
    let counts = (
        keeping.owed,
        keeping.answered_on_time,
        keeping.answered_late,
        keeping.unanswered_overdue,
        keeping.unanswered_not_due,
    );
    assert_eq!(counts, (4, 2, 1, 1, 0));
    let in_report = built
        .promise_keeping
        .per_consultation
        .iter()
        .find(|p| p.consultation_id == consulting)
        .expect("in the report")
        .counts;
    assert_eq!(
        (
            in_report.owed,
            in_report.answered_on_time,
            in_report.answered_late,
            in_report.unanswered_overdue,
            in_report.unanswered_not_due
        ),
        counts
    );
}

#[tokio::test]
async fn before_its_revision_an_answer_reads_as_published_everywhere() {
    let (_db, repo, ledger) = recorded().await;
    let db = ledger.projector().db();
    let as_of = date("2026-06-15");
    let revised = contribution(6).to_string();
    let consulting = Uuid::from_u128(0x5700_0002).to_string();
    let keeping = queries::promise_keeping(db, &consulting, as_of)
        .await
        .expect("reads")
        .expect("the consultation");
    let in_register = keeping
        .standings
        .iter()
        .find(|(id, _)| *id == revised)
        .map(|(_, s)| s.code());
    assert_eq!(in_register, Some("answered_on_time"));
    let author = id_of("member", "martine-roussel").to_string();
    let mine = queries::contributor_follow_up(db, &author, as_of)
        .await
        .expect("reads");
    let in_mine = mine
        .iter()
        .find(|f| f.contribution_id == revised)
        .map(|f| f.standing.code());
    assert_eq!(in_mine, Some("answered_on_time"));
    let events: Vec<_> = cpts_ledger_tests::log_envelopes(&repo).await;
    let community = id_of("community", "cpts-val-de-letang").to_string();
    let built = report::build(
        &events,
        &community,
        (date("2026-01-01"), date("2026-12-31")),
        as_of,
        Lang::En,
    );
    let in_report = built
        .promise_keeping
        .standings
        .iter()
        .find(|s| s.contribution_id == revised)
        .map(|s| s.standing.code.as_str());
    assert_eq!(in_report, Some("answered_on_time"));
}
