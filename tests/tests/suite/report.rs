//! The general assembly's report on the DOMAIN.md scenario: its figures, its agreement with the
//! register, golden files in both languages, and byte-identical output for the same log prefix.
//!
//! Golden files live in `tests/golden/`; `UPDATE_GOLDEN=1 cargo test -p cpts-ledger-tests --test
//! report` rewrites them, and `git diff tests/golden` shows what changed.

use std::path::PathBuf;

use chrono::NaiveDate;
use cpts_domain::access::Caller;
use cpts_domain::command::{Actor, AddressedCommand};
use cpts_domain::consultation::{Author, ConsultationCommand, ConsultationTerms};
use cpts_domain::decision::{DecisionCommand, Proposal};
use cpts_domain::ids::{BodyId, CommunityId, ConsultationId, ContributionId, DecisionId};
use cpts_domain::values::{ContributionKind, Disposition, Lang, Method, Mission, Moment, Rung};
use cpts_graphql::port::{CommandContext, LedgerPort};
use cpts_ledger::demo::{self, id_of};
use cpts_ledger::service::Ledger;
use cpts_ledger::store::EventRepository;
use cpts_ledger_tests::{open_store, sqlite_db};
use cpts_projections::report::{self, render, Report};
use cpts_projections::{queries, Envelope};
use uuid::Uuid;

fn date(text: &str) -> NaiveDate {
    text.parse().expect("a date")
}

async fn log(repo: &EventRepository) -> Vec<Envelope> {
    cpts_ledger_tests::log_envelopes(repo).await
}

fn community() -> String {
    id_of("community", "cpts-val-de-letang").to_string()
}

const YEAR: (&str, &str) = ("2026-01-01", "2026-12-31");
const AS_OF: &str = "2026-12-31";

fn report_2026(events: &[Envelope], lang: Lang) -> Report {
    report::build(
        events,
        &community(),
        (date(YEAR.0), date(YEAR.1)),
        date(AS_OF),
        lang,
    )
}

/// The scenario, recorded on a fresh SQLite store.
async fn recorded() -> (cpts_ledger_tests::TestDb, EventRepository, Ledger) {
    let db = sqlite_db();
    let repo = open_store(db.url()).await.expect("store opens");
    let ledger = Ledger::new(repo.clone());
    demo::record_scenario(&ledger).await.expect("demo recorded");
    (db, repo, ledger)
}

#[tokio::test]
async fn the_report_gives_the_scenarios_figures() {
    let (_db, repo, ledger) = recorded().await;
    let events = log(&repo).await;
    let report = report_2026(&events, Lang::En);
    let perimetre = id_of("consultation", "perimetre").to_string();
    let d_perimetre = id_of("decision", "d-perimetre").to_string();

    assert_eq!(report.community.name, "CPTS du Val de l'Étang");
    assert_eq!(report.log_position, events.len() as u64);
    assert_eq!(report.consultations.total, 2);
    let consultation = report
        .consultations
        .list
        .iter()
        .find(|c| c.consultation_id == perimetre)
        .expect("the perimeter consultation");
    assert_eq!(consultation.contributions, 14);
    assert_eq!(consultation.answer_deadline, date("2026-04-12"));
    assert_eq!(report.contributions.total, 19);
    let anonymous = report
        .contributions
        .by_author
        .iter()
        .find(|t| t.code == "anonymous_inhabitant")
        .expect("anonymous inhabitants");
    assert_eq!(anonymous.count, 6);
    let by_kind: u64 = report.contributions.by_kind.iter().map(|t| t.count).sum();
    assert_eq!(by_kind, 19);

    // What became of the perimeter consultation's contributions.
    let decision = report
        .decisions
        .iter()
        .find(|d| d.decision_id == d_perimetre)
        .expect("the perimeter decision");
    let count = |code: &str| {
        decision
            .trail
            .counts
            .iter()
            .find(|t| t.code == code)
            .map_or(0, |t| t.count)
    };
    assert_eq!(
        (
            count("retained"),
            count("partly_retained"),
            count("not_retained")
        ),
        (9, 3, 2)
    );
    assert_eq!(decision.trail.share_retained, Some(12.0 / 14.0));
    assert_eq!(decision.status.code, "adopted");
    let vote = decision.vote.as_ref().expect("voted");
    assert_eq!(
        (vote.on, vote.votes_for, vote.votes_against),
        (date("2026-04-02"), 5, 0)
    );
    let reasons: Vec<&str> = report
        .dispositions
        .not_retained
        .iter()
        .filter(|n| n.decision_id == d_perimetre)
        .map(|n| n.rationale.as_str())
        .collect();
    assert_eq!(reasons.len(), 2);
    assert!(reasons.iter().any(|r| r.contains("CPTS Cœur d'Hérault")));
    assert!(reasons.iter().all(|r| !r.is_empty()));
    assert!(
        report
            .dispositions
            .not_retained
            .iter()
            .any(|n| n.disposition.code == "out_of_scope" && n.rationale.contains("CPAM")),
        "the workshop's out-of-scope answer is listed with its reason"
    );
    assert_eq!(report.dispositions.answered, 19);

    // One answer came late.
    let keeping = report
        .promise_keeping
        .per_consultation
        .iter()
        .find(|p| p.consultation_id == perimetre)
        .expect("promise keeping");
    assert_eq!(
        (
            keeping.counts.owed,
            keeping.counts.answered_on_time,
            keeping.counts.answered_late,
            keeping.counts.unanswered_overdue
        ),
        (14, 13, 1, 0)
    );
    assert_eq!(report.promise_keeping.late.len(), 1);
    let late = &report.promise_keeping.late[0];
    assert_eq!(
        late.contribution_id,
        id_of("contribution", "p10").to_string()
    );
    assert_eq!(
        (late.answered_on, late.days_late),
        (Some(date("2026-04-20")), 8)
    );

    // Representation: one representative lives outside the territory, one association is not
    // approved, and the cadre d'intervention check fails.
    let r = &report.representation;
    assert_eq!(
        (r.active_representatives, r.living_outside_territory),
        (2, 1)
    );
    let outside: Vec<&str> = r
        .representatives
        .iter()
        .filter(|p| !p.lives_in_territory)
        .map(|p| p.name.as_str())
        .collect();
    assert_eq!(outside, ["Karim Benali"]);
    let aidants = r
        .associations
        .iter()
        .find(|a| a.name == "Collectif des aidants du Val")
        .expect("the carers' group");
    assert_eq!(aidants.approval.code, "not_approved");
    assert!(aidants
        .next_step
        .contains("regional delegation of France Assos Santé"));
    let failing: Vec<&str> = r
        .checks
        .iter()
        .filter(|c| !c.ok)
        .map(|c| c.code.as_str())
        .collect();
    assert_eq!(
        failing,
        [
            "cadre_intervention_for_each_representative",
            "representatives_in_each_moment"
        ]
    );

    // The indicator, reported twice.
    let screening = report
        .decisions
        .iter()
        .find(|d| d.decision_id == id_of("decision", "d-depistage").to_string())
        .expect("the screening decision");
    let values: Vec<(&str, f64)> = screening
        .indicators
        .iter()
        .map(|i| (i.period.as_str(), i.value))
        .collect();
    assert_eq!(values, [("2026-09", 31.0), ("2026-10", 44.0)]);
    assert_eq!(screening.milestones.len(), 1);

    // Only representatives are named; contributions are never attributed.
    let text = render::json(&report) + &render::markdown(&report);
    for name in [
        "Sophie Marty",
        "Hélène Castel",
        "Julien Fabre",
        "Claire Vidal",
        "Thomas Garcia",
    ] {
        assert!(!text.contains(name), "{name} is not named in the report");
    }
    assert!(text.contains("Martine Roussel") && text.contains("Karim Benali"));

    // The checks and next steps read as the register's, word for word, in both languages.
    let register = queries::register(ledger.projector().db(), &community(), date(AS_OF))
        .await
        .expect("the register reads");
    for (lang, report) in [
        (Lang::Fr, report_2026(&events, Lang::Fr)),
        (Lang::En, report),
    ] {
        let from_report: Vec<(String, bool, String, String)> = report
            .representation
            .checks
            .iter()
            .map(|c| (c.code.clone(), c.ok, c.detail.clone(), c.what_to_do.clone()))
            .collect();
        let from_register: Vec<(String, bool, String, String)> = register
            .checks
            .iter()
            .map(|c| match lang {
                Lang::Fr => (
                    c.code.clone(),
                    c.ok,
                    c.detail_fr.clone(),
                    c.what_to_do_fr.clone(),
                ),
                Lang::En => (
                    c.code.clone(),
                    c.ok,
                    c.detail_en.clone(),
                    c.what_to_do_en.clone(),
                ),
            })
            .collect();
        assert_eq!(from_report, from_register, "{lang:?}");
        let steps = |names: Vec<(String, String, String)>| names;
        assert_eq!(
            steps(
                report
                    .representation
                    .associations
                    .iter()
                    .map(|a| (a.name.clone(), a.approval.code.clone(), a.next_step.clone()))
                    .collect()
            ),
            steps(
                register
                    .associations
                    .iter()
                    .map(|a| (
                        a.name.clone(),
                        a.approval.clone(),
                        match lang {
                            Lang::Fr => a.next_step_fr.clone(),
                            Lang::En => a.next_step_en.clone(),
                        }
                    ))
                    .collect()
            ),
        );
    }
}

fn golden(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("golden")
        .join(name)
}

/// Compares `actual` with a golden file, or rewrites the file when `UPDATE_GOLDEN=1`.
fn check_golden(name: &str, actual: &str) {
    let path = golden(name);
    if std::env::var("UPDATE_GOLDEN").as_deref() == Ok("1") {
        std::fs::create_dir_all(path.parent().expect("a folder")).expect("golden folder");
        std::fs::write(&path, actual).expect("golden file written");
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{} is missing ({e}): run UPDATE_GOLDEN=1 cargo test -p cpts-ledger-tests --test report",
            path.display()
        )
    });
    if expected != actual {
        let line = expected
            .lines()
            .zip(actual.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| expected.lines().count().min(actual.lines().count()));
        panic!(
            "{} differs from the report, first at line {}: expected {:?}, got {:?} \
             (UPDATE_GOLDEN=1 rewrites it; review with git diff)",
            path.display(),
            line + 1,
            expected.lines().nth(line),
            actual.lines().nth(line)
        );
    }
}

#[tokio::test]
async fn the_report_matches_its_golden_files_in_both_languages() {
    let (_db, repo, _ledger) = recorded().await;
    let events = log(&repo).await;
    for (lang, suffix) in [(Lang::Fr, "fr"), (Lang::En, "en")] {
        let report = report_2026(&events, lang);
        check_golden(
            &format!("report-2026.{suffix}.json"),
            &render::json(&report),
        );
        check_golden(
            &format!("report-2026.{suffix}.md"),
            &render::markdown(&report),
        );
        for (name, csv) in render::open_data(&report) {
            check_golden(&format!("open-data-2026.{suffix}.{name}"), &csv);
            for person in [
                "Roussel", "Benali", "Marty", "Castel", "Fabre", "Vidal", "Garcia",
            ] {
                assert!(!csv.contains(person), "no personal data in {name}");
            }
        }
        let html = render::html(&report);
        check_golden(&format!("report-2026.{suffix}.html"), &html);
        // The example a reviewer opens is that same file.
        let example = match lang {
            Lang::Fr => "rapport-ag-2026.fr.html",
            Lang::En => "report-ga-2026.en.html",
        };
        let example = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../examples")
            .join(example);
        if std::env::var("UPDATE_GOLDEN").as_deref() == Ok("1") {
            std::fs::write(&example, &html).expect("example written");
        }
        assert_eq!(
            std::fs::read_to_string(&example).expect("the example is committed"),
            html,
            "{} is the golden HTML (UPDATE_GOLDEN=1 rewrites both)",
            example.display()
        );
        assert!(html.starts_with(&format!("<!DOCTYPE html>\n<html lang=\"{suffix}\">")));
        for external in ["<script", "src=", "href=", "url(", "@import", "<link"] {
            assert!(!html.contains(external), "no {external} in the HTML");
        }
        assert_eq!(html.matches("<svg ").count(), 3, "three charts");
        assert_eq!(
            html.matches("<title id=").count(),
            3,
            "each chart has a title"
        );
    }
}

#[tokio::test]
async fn the_same_log_prefix_gives_the_same_bytes() {
    let (_db, repo, ledger) = recorded().await;
    let events = log(&repo).await;
    let outputs = |events: &[Envelope]| {
        [Lang::Fr, Lang::En]
            .map(|lang| report_2026(events, lang))
            .map(|r| (render::json(&r), render::markdown(&r), render::html(&r)))
    };
    let first = outputs(&events);
    assert_eq!(
        outputs(&events),
        first,
        "building twice gives the same bytes"
    );

    // Recorded again in another store, with other command ids and recording times.
    let (_other_db, other_repo, _other) = recorded().await;
    assert_eq!(
        outputs(&log(&other_repo).await),
        first,
        "command ids and recording times stay out of the report"
    );

    // Later events: a new consultation and a contribution, recorded after the as-of instant.
    let head = events.last().expect("events").position;
    let consultation = ConsultationId(Uuid::from_u128(0x0020_2612));
    let community_id = CommunityId(id_of("community", "cpts-val-de-letang"));
    let context = || CommandContext {
        caller: Caller::Trusted(Actor::System),
        command_id: Uuid::new_v4(),
    };
    let open = AddressedCommand::Consultation {
        id: consultation,
        command: ConsultationCommand::Open {
            consultation_id: consultation,
            community_id,
            terms: ConsultationTerms {
                subject: "Évaluation du dépistage du pied diabétique".into(),
                moment: Moment::Evaluation,
                mission: Mission::Prevention,
                rung: Rung::Consult,
                audience: "habitants".into(),
                method: Method::Questionnaire,
                opens_on: date("2026-12-01"),
                closes_on: date("2027-01-31"),
                answer_within_days: 30,
            },
        },
    };
    ledger.execute(open, context()).await.expect("opened");
    let submit = AddressedCommand::Consultation {
        id: consultation,
        command: ConsultationCommand::Submit {
            contribution_id: ContributionId(Uuid::from_u128(0x2026_1201)),
            author: Author::Anonymous {
                commune: Some("Mèze".into()),
            },
            kind: ContributionKind::Opinion,
            text: "Le dépistage en pharmacie est pratique.".into(),
            submitted_on: date("2026-12-10"),
            attachment: None,
            file: None,
        },
    };
    ledger.execute(submit, context()).await.expect("submitted");

    let longer = log(&repo).await;
    assert!(longer.len() > events.len());
    let prefix: Vec<Envelope> = longer
        .iter()
        .filter(|e| e.position <= head)
        .cloned()
        .collect();
    assert_eq!(
        outputs(&prefix),
        first,
        "the log up to the same position gives the same bytes"
    );
    assert_ne!(
        outputs(&longer)[0].0,
        first[0].0,
        "the later events do change a report that includes them"
    );
}

#[tokio::test]
async fn open_data_lists_only_the_decisions_a_body_voted_on() {
    let (_db, repo, ledger) = recorded().await;
    let decision = DecisionId(Uuid::from_u128(0x0020_2611_2001));
    let title = "Projet de permanence du samedi, pas encore voté";
    let propose = AddressedCommand::Decision {
        id: decision,
        command: DecisionCommand::Propose {
            decision_id: decision,
            community_id: CommunityId(id_of("community", "cpts-val-de-letang")),
            proposal: Proposal {
                body_id: BodyId(id_of("body", "ca")),
                title: title.into(),
                text: "Une permanence le samedi matin à Mèze.".into(),
                moment: Moment::Prioritisation,
                mission: Mission::AccessToCare,
                proposed_on: date("2026-11-20"),
            },
        },
    };
    let context = CommandContext {
        caller: Caller::Trusted(Actor::System),
        command_id: Uuid::new_v4(),
    };
    ledger.execute(propose, context).await.expect("proposed");
    // A consultation it draws on, with a contribution and an answer already published.
    let consultation = ConsultationId(Uuid::from_u128(0x0020_2611_2002));
    let contribution = ContributionId(Uuid::from_u128(0x0020_2611_2003));
    let subject = "Ouvrir le samedi matin ?";
    let commands = [
        AddressedCommand::Consultation {
            id: consultation,
            command: ConsultationCommand::Open {
                consultation_id: consultation,
                community_id: CommunityId(id_of("community", "cpts-val-de-letang")),
                terms: ConsultationTerms {
                    subject: subject.into(),
                    moment: Moment::Prioritisation,
                    mission: Mission::AccessToCare,
                    rung: Rung::Consult,
                    audience: "habitants".into(),
                    method: Method::Questionnaire,
                    opens_on: date("2026-10-01"),
                    closes_on: date("2026-10-31"),
                    answer_within_days: 30,
                },
            },
        },
        AddressedCommand::Consultation {
            id: consultation,
            command: ConsultationCommand::Submit {
                contribution_id: contribution,
                author: Author::Anonymous { commune: None },
                kind: ContributionKind::Opinion,
                text: "Oui, le samedi matin.".into(),
                submitted_on: date("2026-10-10"),
                attachment: None,
                file: None,
            },
        },
        AddressedCommand::Decision {
            id: decision,
            command: DecisionCommand::LinkConsultation {
                consultation_id: consultation,
            },
        },
        AddressedCommand::Decision {
            id: decision,
            command: DecisionCommand::DraftAnswer {
                consultation_id: consultation,
                contribution_id: contribution,
                disposition: Disposition::Retained,
                rationale: Some("La permanence est à l'étude.".into()),
                on: date("2026-11-21"),
            },
        },
        AddressedCommand::Decision {
            id: decision,
            command: DecisionCommand::PublishAnswer {
                contribution_id: contribution,
                on: date("2026-11-21"),
            },
        },
    ];
    for command in commands {
        let context = CommandContext {
            caller: Caller::Trusted(Actor::System),
            command_id: Uuid::new_v4(),
        };
        ledger.execute(command, context).await.expect("recorded");
    }
    let report = report_2026(&log(&repo).await, Lang::Fr);
    assert!(
        report.decisions.iter().any(|d| d.title == title),
        "the assembly's report names the proposal"
    );
    let files = render::open_data(&report);
    let (_, decisions) = files
        .iter()
        .find(|(name, _)| *name == "decisions.csv")
        .expect("decisions.csv");
    assert!(
        !decisions.contains(title),
        "a proposal the public API hides is not published as open data either"
    );
    let file = |wanted: &str| {
        files
            .iter()
            .find(|(name, _)| *name == wanted)
            .map(|(_, content)| content.clone())
            .expect("an open data file")
    };
    assert!(
        report
            .consultations
            .list
            .iter()
            .any(|c| c.subject == subject),
        "the assembly's report lists the consultation"
    );
    assert!(
        !file("consultations.csv").contains(subject),
        "nor the consultation only its trail would show"
    );
    let id = contribution.to_string();
    assert!(
        !file("contributions.csv").contains(&id),
        "nor its contribution"
    );
    assert!(
        !file("reponses.csv").contains(&id),
        "nor the answer it gave"
    );
    assert!(
        file("reponses.csv").lines().count() > 1 && file("contributions.csv").lines().count() > 1,
        "the voted decisions' trails are published"
    );
    assert!(decisions.contains("Lancer un dépistage du pied diabétique"));
}
