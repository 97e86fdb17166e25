//! Catching up: what was said within a consultation's period is recorded whenever it is typed
//! in, after the closing too; what was received after the closing is accepted as late by a
//! coordinator only, with its reception date and a reason, and every reader shows it as such
//! and holds it to the same deadline (`cpts_domain::rules::ContributionFacts::deadline`): as
//! many days after its reception as the consultation promised after its closing.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::NaiveDate;
use cpts_domain::access::{Caller, Role};
use cpts_domain::command::{Actor, AddressedCommand};
use cpts_domain::decision::{DecisionCommand, Proposal, Tally};
use cpts_domain::ids::{BodyId, CommunityId, ConsultationId, DecisionId, MemberId};
use cpts_domain::values::{Disposition, Lang, Mission, Moment, VoteOutcome};
use cpts_graphql::port::{CommandContext, LedgerPort};
use cpts_ledger::demo::{self, id_of};
use cpts_ledger::notify::digest;
use cpts_ledger::service::Ledger;
use cpts_ledger_tests::{open_store, sqlite_db};
use cpts_projections::report::{self, render};
use cpts_projections::{listing, queries};
use serde_json::{json, Value};
use uuid::Uuid;

const AS_OF: &str = "2026-09-15";
const REASON: &str = "Formulaire papier posté le 29 juin, reçu le 3 juillet.";
const SUBMIT: &str = "mutation($input: SubmitContributionInput!) { submitContribution(input: $input) { aggregateId } }";
const ACCEPT_LATE: &str = "mutation($input: AcceptLateContributionInput!) { acceptLateContribution(input: $input) { aggregateId } }";

fn date(text: &str) -> NaiveDate {
    text.parse().expect("a date")
}

fn community() -> CommunityId {
    CommunityId(id_of("community", "cpts-val-de-letang"))
}

fn martine() -> MemberId {
    MemberId(id_of("member", "martine-roussel"))
}

const WORKSHOP: ConsultationId = ConsultationId(Uuid::from_u128(0xca7c_0001));
const DECISION: DecisionId = DecisionId(Uuid::from_u128(0xca7c_00d1));

struct World {
    _db: cpts_ledger_tests::TestDb,
    repo: cpts_ledger::store::EventRepository,
    ledger: Arc<Ledger>,
}

impl World {
    /// Runs a GraphQL operation on the served schema as a caller of the demo's CPTS.
    async fn run(
        &self,
        role: Role,
        member: Option<MemberId>,
        query: &str,
        variables: Value,
    ) -> async_graphql::Response {
        cpts_ledger_tests::graphql_as(
            self.ledger.clone(),
            community(),
            role,
            member,
            query,
            variables,
        )
        .await
    }

    /// Runs it and expects no error; its data as JSON.
    async fn ok(
        &self,
        role: Role,
        member: Option<MemberId>,
        query: &str,
        variables: Value,
    ) -> Value {
        let response = self.run(role, member, query, variables).await;
        assert!(response.errors.is_empty(), "{query}: {:?}", response.errors);
        response.data.into_json().expect("JSON")
    }

    /// Runs it and expects it refused; the error's code and French message.
    async fn refused(
        &self,
        role: Role,
        member: Option<MemberId>,
        query: &str,
        variables: Value,
    ) -> (String, String) {
        let response = self.run(role, member, query, variables).await;
        let error = response.errors.first().expect("refused");
        let code = error
            .extensions
            .as_ref()
            .and_then(|e| e.get("code"))
            .map(|c| c.to_string().trim_matches('"').to_owned())
            .unwrap_or_default();
        (code, error.message.clone())
    }

    async fn send(&self, command: AddressedCommand) {
        let what = format!("{command:?}");
        let context = CommandContext {
            caller: Caller::Trusted(Actor::System),
            command_id: Uuid::new_v4(),
        };
        self.ledger
            .execute(command, context)
            .await
            .unwrap_or_else(|e| panic!("{what}: {e:?}"));
    }
}

fn contribution(text: &str, member: Option<MemberId>, on: &str) -> Value {
    json!({
        "consultationId": WORKSHOP.to_string(),
        "memberId": member.map(|m| m.to_string()),
        "kind": "TESTIMONY",
        "text": text,
        "submittedOn": on,
    })
}

fn late(text: &str, member: Option<MemberId>, received_on: &str, reason: &str) -> Value {
    json!({
        "consultationId": WORKSHOP.to_string(),
        "memberId": member.map(|m| m.to_string()),
        "anonymousCommune": member.is_none().then_some("Sète"),
        "kind": "TESTIMONY",
        "text": text,
        "receivedOn": received_on,
        "reason": reason,
    })
}

fn assert_recorded(data: &Value, field: &str) {
    assert_eq!(data[field]["aggregateId"], WORKSHOP.to_string(), "{data}");
}

/// The demo's CPTS and a workshop of June (closing 30 June, answers promised within 30 days,
/// by 30 July), closed; then what the coordinator types in over the summer.
async fn world() -> (World, BTreeMap<&'static str, String>) {
    let db = sqlite_db();
    let repo = open_store(db.url()).await.expect("store opens");
    let ledger = Arc::new(Ledger::new(repo.clone()));
    demo::record_scenario(ledger.as_ref())
        .await
        .expect("demo recorded");
    let world = World {
        _db: db,
        repo,
        ledger,
    };
    let coordinator = Role::Coordinator;
    world
        .ok(
            coordinator,
            None,
            "mutation($input: OpenConsultationInput!) { openConsultation(input: $input) { aggregateId } }",
            json!({ "input": {
                "id": WORKSHOP.to_string(), "communityId": community().to_string(),
                "subject": "Atelier sur les soins non programmés", "moment": "PRIORITISATION",
                "mission": "ACCESS_TO_CARE", "rung": "INVOLVE", "audience": "habitants",
                "method": "WORKSHOP", "opensOn": "2026-06-01", "closesOn": "2026-06-30",
                "answerWithinDays": 30 } }),
        )
        .await;
    world
        .ok(
            coordinator,
            None,
            "mutation($input: CloseConsultationInput!) { closeConsultation(input: $input) { aggregateId } }",
            json!({ "input": { "consultationId": WORKSHOP.to_string(), "on": "2026-06-30" } }),
        )
        .await;

    let mut ids = BTreeMap::new();
    // Said at the workshop on 15 June, transcribed after the closing.
    let id = Uuid::new_v4().to_string();
    let mut input = contribution(
        "Une permanence sans rendez-vous le samedi matin.",
        None,
        "2026-06-15",
    );
    input["contributionId"] = json!(id);
    let data = world
        .ok(coordinator, None, SUBMIT, json!({ "input": input }))
        .await;
    assert_recorded(&data, "submitContribution");
    ids.insert("transcribed", id);

    // Martine's paper form, received on 3 July; two inhabitants', on 10 July and 20 August.
    for (name, member, on, text) in [
        (
            "late_answered",
            Some(martine()),
            "2026-07-03",
            "Le cabinet de garde est introuvable le dimanche.",
        ),
        (
            "late_overdue",
            None,
            "2026-07-10",
            "Trois semaines pour un rendez-vous de kinésithérapie.",
        ),
        (
            "late_pending",
            None,
            "2026-08-20",
            "Pas de pharmacie de garde à Balaruc.",
        ),
    ] {
        let id = Uuid::new_v4().to_string();
        let mut input = late(text, member, on, REASON);
        input["contributionId"] = json!(id);
        let data = world
            .ok(coordinator, None, ACCEPT_LATE, json!({ "input": input }))
            .await;
        assert_recorded(&data, "acceptLateContribution");
        ids.insert(name, id);
    }

    // A decision answers Martine's on 1 August: after the workshop's deadline (30 July), by
    // her contribution's own (2 August, 30 days after its reception).
    let to = |command| AddressedCommand::Decision {
        id: DECISION,
        command,
    };
    world
        .send(to(DecisionCommand::Propose {
            decision_id: DECISION,
            community_id: community(),
            proposal: Proposal {
                body_id: BodyId(id_of("body", "ca")),
                title: "Permanences de soins non programmés".into(),
                text: "Le conseil organise une permanence le samedi matin.".into(),
                moment: Moment::Prioritisation,
                mission: Mission::AccessToCare,
                proposed_on: date("2026-07-20"),
            },
        }))
        .await;
    world
        .send(to(DecisionCommand::LinkConsultation {
            consultation_id: WORKSHOP,
        }))
        .await;
    let answered =
        cpts_domain::ids::ContributionId(ids["late_answered"].parse().expect("a contribution id"));
    world
        .send(to(DecisionCommand::DraftAnswer {
            consultation_id: WORKSHOP,
            contribution_id: answered,
            disposition: Disposition::Retained,
            rationale: None,
            on: date("2026-08-01"),
        }))
        .await;
    world
        .send(to(DecisionCommand::PublishAnswer {
            contribution_id: answered,
            on: date("2026-08-01"),
        }))
        .await;
    world
        .send(to(DecisionCommand::RecordVote {
            on: date("2026-09-01"),
            tally: Tally::Consensus,
            outcome: VoteOutcome::Adopted,
        }))
        .await;
    (world, ids)
}

/// The standing each contribution must have as of [`AS_OF`], and its deadline.
fn expected(
    ids: &BTreeMap<&'static str, String>,
) -> BTreeMap<String, (&'static str, &'static str)> {
    [
        // Held to the workshop's deadline, however late it was typed in.
        ("transcribed", ("overdue", "2026-07-30")),
        // Answered on 1 August: on time by its own deadline.
        ("late_answered", ("answered_on_time", "2026-08-02")),
        // Received 10 July, unanswered: due 9 August, overdue.
        ("late_overdue", ("overdue", "2026-08-09")),
        // Received 20 August: due 19 September, so still pending.
        ("late_pending", ("pending", "2026-09-19")),
    ]
    .into_iter()
    .map(|(name, expected)| (ids[name].clone(), expected))
    .collect()
}

fn codes(ids: &BTreeMap<&'static str, String>) -> BTreeMap<String, String> {
    expected(ids)
        .into_iter()
        .map(|(id, (code, _))| (id, code.to_owned()))
        .collect()
}

fn deadlines(ids: &BTreeMap<&'static str, String>) -> BTreeMap<String, String> {
    expected(ids)
        .into_iter()
        .map(|(id, (_, deadline))| (id, deadline.to_owned()))
        .collect()
}

/// Keeps ours among a reader's (id, value) pairs.
fn ours(
    ids: &BTreeMap<&'static str, String>,
    found: impl IntoIterator<Item = (String, String)>,
) -> BTreeMap<String, String> {
    let ours: Vec<&String> = ids.values().collect();
    found
        .into_iter()
        .filter(|(id, _)| ours.contains(&id))
        .collect()
}

#[tokio::test]
async fn a_contribution_dated_within_the_period_is_recorded_after_the_closing() {
    let (world, ids) = world().await;
    let db = world.ledger.projector().db();
    let keeping = queries::promise_keeping(db, &WORKSHOP.to_string(), date(AS_OF))
        .await
        .expect("promise keeping reads")
        .expect("the workshop");
    assert!(keeping
        .standings
        .iter()
        .any(|(id, _)| *id == ids["transcribed"]));
    // A representative catches up on their own too, in their own name.
    world
        .ok(
            Role::Representative,
            Some(martine()),
            SUBMIT,
            json!({ "input": contribution("Ce que j'ai dit à l'atelier.", Some(martine()), "2026-06-16") }),
        )
        .await;
}

#[tokio::test]
async fn a_contribution_received_after_the_closing_is_accepted_as_late_by_a_coordinator_only() {
    let (world, _) = world().await;

    // Dated after the last day, as an ordinary contribution: refused, saying what to do.
    for (role, member) in [
        (Role::Coordinator, None),
        (Role::Representative, Some(martine())),
    ] {
        let (code, message) = world
            .refused(
                role,
                member,
                SUBMIT,
                json!({ "input": contribution("Reçu le lendemain.", member, "2026-07-01") }),
            )
            .await;
        assert_eq!(code, "INVALID_INPUT", "{message}");
        assert_eq!(
            message,
            "La contribution est datée du 1er juillet 2026, après le dernier jour de la \
             consultation (30 juin 2026). Si elle a été reçue après la clôture, un coordinateur \
             peut l'enregistrer comme reçue en retard, avec sa date de réception et un motif."
        );
    }

    // As late, by a representative, in their own name or not: refused.
    let (code, message) = world
        .refused(
            Role::Representative,
            Some(martine()),
            ACCEPT_LATE,
            json!({ "input": late("Mon formulaire.", Some(martine()), "2026-07-01", REASON) }),
        )
        .await;
    assert_eq!(code, "FORBIDDEN", "{message}");
    assert_eq!(
        message,
        "Votre rôle (représentant associatif) ne permet pas cette opération."
    );
    let (code, _) = world
        .refused(
            Role::BoardMember,
            Some(MemberId(Uuid::new_v4())),
            ACCEPT_LATE,
            json!({ "input": late("Un formulaire.", None, "2026-07-01", REASON) }),
        )
        .await;
    assert_eq!(code, "FORBIDDEN");

    // By a coordinator: without a reason, or dated within the period, refused.
    let (code, message) = world
        .refused(
            Role::Coordinator,
            None,
            ACCEPT_LATE,
            json!({ "input": late("Un formulaire.", None, "2026-07-01", "  ") }),
        )
        .await;
    assert_eq!(
        (code.as_str(), message.as_str()),
        ("INVALID_INPUT", "Il manque le motif.")
    );
    let (code, message) = world
        .refused(
            Role::Coordinator,
            None,
            ACCEPT_LATE,
            json!({ "input": late("Un formulaire.", None, "2026-06-30", REASON) }),
        )
        .await;
    assert_eq!(code, "INVALID_INPUT");
    assert_eq!(
        message,
        "Reçue le 30 juin 2026, la contribution n'est pas en retard : la consultation la recevait \
         jusqu'au 30 juin 2026. Enregistrez-la comme une contribution ordinaire."
    );

    // The event says it was received late, and why.
    let events = world
        .repo
        .read_stream("consultation", &WORKSHOP.to_string())
        .await
        .expect("the workshop's events");
    let late: Vec<&Value> = events
        .iter()
        .filter_map(|e| e.payload.get("ContributionSubmitted"))
        .filter(|p| p.get("late").is_some())
        .collect();
    assert_eq!(late.len(), 3, "three accepted late");
    assert_eq!(late[0]["late"]["reason"], REASON);
    assert_eq!(late[0]["submitted_on"], "2026-07-03");
}

#[tokio::test]
async fn a_late_contribution_is_shown_as_such_and_held_to_the_same_deadline_by_every_reader() {
    let (world, ids) = world().await;
    let db = world.ledger.projector().db();
    let as_of = date(AS_OF);

    // The register's promise keeping.
    let keeping = queries::promise_keeping(db, &WORKSHOP.to_string(), as_of)
        .await
        .expect("promise keeping reads")
        .expect("the workshop");
    let register = keeping
        .standings
        .iter()
        .map(|(id, s)| (id.clone(), s.code().to_owned()));
    assert_eq!(ours(&ids, register), codes(&ids), "register");
    assert_eq!(
        (
            keeping.answered_on_time,
            keeping.answered_late,
            keeping.unanswered_overdue,
            keeping.unanswered_not_due
        ),
        (1, 0, 2, 1),
        "the late one answered by its own deadline keeps the promise"
    );

    // The influence trail: standing, own deadline and the reason.
    let decision = DECISION.to_string();
    let trail = listing::influence_trails(db, std::slice::from_ref(&decision), as_of)
        .await
        .expect("trail reads")
        .remove(&decision)
        .expect("the trail");
    let from_trail = trail.entries.iter().map(|e| {
        let standing = e.standing.expect("a standing");
        (e.contribution_id.clone(), standing.code().to_owned())
    });
    assert_eq!(ours(&ids, from_trail), codes(&ids), "trail");
    let trail_deadlines = trail
        .entries
        .iter()
        .map(|e| (e.contribution_id.clone(), e.answer_deadline.clone()));
    assert_eq!(
        ours(&ids, trail_deadlines),
        deadlines(&ids),
        "trail deadlines"
    );

    // Mes contributions, for Martine.
    let mine = queries::contributor_follow_up(db, &martine().to_string(), as_of)
        .await
        .expect("follow-up reads");
    let hers = mine
        .iter()
        .find(|f| f.contribution_id == ids["late_answered"])
        .expect("her late contribution");
    assert_eq!(hers.standing.code(), "answered_on_time");
    assert_eq!(hers.late_reason.as_deref(), Some(REASON));

    // The digest: the two still waiting, each with its own deadline.
    let waiting = digest::waiting(db, &community().to_string(), as_of, 60)
        .await
        .expect("digest reads");
    let in_digest = ours(
        &ids,
        waiting
            .iter()
            .map(|w| (w.contribution_id.clone(), w.deadline.clone())),
    );
    let mut due = deadlines(&ids);
    due.remove(&ids["late_answered"]);
    assert_eq!(in_digest, due, "digest");

    // The general assembly's report, in French and English, and its open data.
    let events = cpts_ledger_tests::log_envelopes(&world.repo).await;
    let community = community().to_string();
    for lang in [Lang::Fr, Lang::En] {
        let built = report::build(
            &events,
            &community,
            (date("2026-01-01"), date("2026-12-31")),
            as_of,
            lang,
        );
        let from_report = built
            .promise_keeping
            .standings
            .iter()
            .map(|s| (s.contribution_id.clone(), s.standing.code.clone()));
        assert_eq!(ours(&ids, from_report), codes(&ids), "report");
        let report_deadlines = built
            .promise_keeping
            .standings
            .iter()
            .map(|s| (s.contribution_id.clone(), s.answer_deadline.to_string()));
        assert_eq!(
            ours(&ids, report_deadlines),
            deadlines(&ids),
            "report deadlines"
        );
        let received: Vec<(&str, String, &str)> = built
            .contributions
            .received_late
            .iter()
            .map(|r| {
                (
                    r.contribution_id.as_str(),
                    r.received_on.to_string(),
                    r.reason.as_str(),
                )
            })
            .collect();
        assert_eq!(
            received,
            vec![
                (
                    ids["late_answered"].as_str(),
                    "2026-07-03".to_owned(),
                    REASON
                ),
                (
                    ids["late_overdue"].as_str(),
                    "2026-07-10".to_owned(),
                    REASON
                ),
                (
                    ids["late_pending"].as_str(),
                    "2026-08-20".to_owned(),
                    REASON
                ),
            ]
        );
        let markdown = render::markdown(&built);
        let (title, received_on, overdue, transcribed, deadline_column) = match lang {
            Lang::Fr => (
                "### Contributions reçues après la clôture",
                "| Atelier sur les soins non programmés | Témoignage | 3 juillet 2026 | Formulaire papier posté le 29 juin, reçu le 3 juillet. | 2 août 2026 | Répondu à temps |",
                "| Atelier sur les soins non programmés | Témoignage | 10 juillet 2026 (reçue après la clôture) | 9 août 2026 | sans réponse | 37 |",
                "| Atelier sur les soins non programmés | Témoignage | 15 juin 2026 | 30 juillet 2026 | sans réponse | 47 |",
                "reponse_promise_le",
            ),
            Lang::En => (
                "### Contributions received after the closing",
                "| Atelier sur les soins non programmés | Testimony | 3 July 2026 | Formulaire papier posté le 29 juin, reçu le 3 juillet. | 2 August 2026 | Answered on time |",
                "| Atelier sur les soins non programmés | Testimony | 10 July 2026 (received after the closing) | 9 August 2026 | unanswered | 37 |",
                "| Atelier sur les soins non programmés | Testimony | 15 June 2026 | 30 July 2026 | unanswered | 47 |",
                "answer_due_by",
            ),
        };
        assert!(markdown.contains(title), "{markdown}");
        assert!(markdown.contains(received_on), "{markdown}");
        // Among the answers late or missing: the late one marked, the transcribed one not.
        assert!(markdown.contains(overdue), "{markdown}");
        assert!(markdown.contains(transcribed), "{markdown}");

        let files = render::open_data(&built);
        let (_, csv) = files
            .iter()
            .find(|(name, _)| *name == "contributions.csv")
            .expect("the contributions file");
        let mut lines = csv.lines();
        let header: Vec<&str> = lines.next().expect("a header").split(',').collect();
        let id = header
            .iter()
            .position(|h| *h == "contribution_id")
            .expect("an id column");
        let deadline = header
            .iter()
            .position(|h| *h == deadline_column)
            .expect("a deadline column");
        let from_csv = lines.map(|line| {
            let fields: Vec<&str> = line.split(',').collect();
            (fields[id].to_owned(), fields[deadline].to_owned())
        });
        assert_eq!(ours(&ids, from_csv), deadlines(&ids), "CSV deadlines");
    }

    // The API: the trail and Mes contributions say it was received late, when and why.
    let query = format!(
        r#"{{ decision(id: "{decision}", asOf: "{AS_OF}") {{ trail {{ entries {{
              contributionId standing answerDeadline lateReception {{ receivedOn reason }} }} }} }} }}"#
    );
    let staff = world.ok(Role::Coordinator, None, &query, json!({})).await;
    let entries = staff["decision"]["trail"]["entries"]
        .as_array()
        .expect("entries");
    let entry = |name: &str| {
        entries
            .iter()
            .find(|e| e["contributionId"] == ids[name].as_str())
            .unwrap_or_else(|| panic!("{name} in the trail"))
    };
    assert_eq!(
        entry("late_pending")["lateReception"],
        json!({ "receivedOn": "2026-08-20", "reason": REASON })
    );
    assert_eq!(entry("late_pending")["standing"], "PENDING");
    assert_eq!(entry("late_pending")["answerDeadline"], "2026-09-19");
    assert_eq!(entry("transcribed")["lateReception"], Value::Null);
    assert_eq!(entry("transcribed")["standing"], "OVERDUE");
    // A representative, who sees only published answers, sees Martine's and that it came late.
    let public = world
        .ok(Role::Representative, Some(martine()), &query, json!({}))
        .await;
    let published = public["decision"]["trail"]["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .find(|e| e["contributionId"] == ids["late_answered"].as_str())
        .cloned()
        .expect("the answered one");
    assert_eq!(
        published["lateReception"],
        json!({ "receivedOn": "2026-07-03", "reason": REASON })
    );
    assert_eq!(published["standing"], "ANSWERED_ON_TIME");
    let mine = world
        .ok(
            Role::Representative,
            Some(martine()),
            &format!(
                r#"{{ myContributions(asOf: "{AS_OF}") {{ contributionId submittedOn standing lateReception {{ receivedOn reason }} }} }}"#
            ),
            json!({}),
        )
        .await;
    let hers = mine["myContributions"]
        .as_array()
        .expect("a list")
        .iter()
        .find(|c| c["contributionId"] == ids["late_answered"].as_str())
        .cloned()
        .expect("hers");
    assert_eq!(
        hers["lateReception"],
        json!({ "receivedOn": "2026-07-03", "reason": REASON })
    );
    assert_eq!(hers["standing"], "ANSWERED_ON_TIME");
}
