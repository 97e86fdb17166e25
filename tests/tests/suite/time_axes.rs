//! "As of D" on two time axes: the facts dated on or before D, as the log stood at position P.
//!
//! Two CPTS live the same year 2025. One transcribes the whole year at once, after the other
//! has recorded it day by day: as of 30 June and as of 31 December, the register, the trails,
//! the report and its open data are the same for both. A report at a position keeps its bytes
//! whatever is recorded later; a fact recorded late but dated before D shows in a later
//! generation, sealed with the later position. An as-of date to come is refused; today's
//! report is provisional.

use std::collections::BTreeMap;

use chrono::{Days, NaiveDate};
use cpts_domain::access::Caller;
use cpts_domain::association::{AssociationCommand, Engagement};
use cpts_domain::command::{Actor, AddressedCommand};
use cpts_domain::community::CommunityCommand;
use cpts_domain::consultation::{Author, ConsultationCommand, ConsultationTerms};
use cpts_domain::decision::{DecisionCommand, Proposal, Tally};
use cpts_domain::ids::{
    AssociationId, BodyId, CollegeId, CommunityId, ConsultationId, ContributionId, DecisionId,
    MemberId,
};
use cpts_domain::member::{MemberCommand, MemberKind};
use cpts_domain::values::{
    ApprovalLevel, BodyKind, Commune, ContributionKind, Disposition, Lang, Method, Mission, Moment,
    Rung, VoteOutcome,
};
use cpts_graphql::port::{CommandContext, LedgerError, LedgerPort};
use cpts_ledger::service::Ledger;
use cpts_ledger_tests::{open_store, sqlite_db};
use cpts_projections::report::{render, Report};
use cpts_projections::{listing, queries};
use uuid::Uuid;

fn date(text: &str) -> NaiveDate {
    text.parse().expect("a date")
}

const YEAR: (&str, &str) = ("2025-01-01", "2025-12-31");
const JUNE: &str = "2025-06-30";
const DECEMBER: &str = "2025-12-31";

/// The two CPTS: every id of one starts with its tag, so ids sort the same way in both and one
/// text replacement turns one CPTS's ids into the other's.
const TRANSCRIBED: u64 = 0xaaaa_aaaa_0000_0001;
const DAY_BY_DAY: u64 = 0xbbbb_bbbb_0000_0001;

fn uuid(tag: u64, n: u64) -> Uuid {
    Uuid::from_u128((u128::from(tag) << 64) | u128::from(n))
}

/// The prefix every id of a CPTS starts with, as text.
fn prefix(tag: u64) -> String {
    uuid(tag, 0).to_string()[..19].to_owned()
}

/// The ids of one CPTS's records.
struct Ids {
    community: CommunityId,
    users: CollegeId,
    professionals: CollegeId,
    board: BodyId,
    association: AssociationId,
    coordinator: MemberId,
    first_representative: MemberId,
    second_representative: MemberId,
    nurse: MemberId,
    spring: ConsultationId,
    autumn: ConsultationId,
    contributions: [ContributionId; 5],
    first_decision: DecisionId,
    second_decision: DecisionId,
}

impl Ids {
    fn of(tag: u64) -> Self {
        let id = |n| uuid(tag, n);
        Ids {
            community: CommunityId(id(1)),
            users: CollegeId(id(2)),
            professionals: CollegeId(id(3)),
            board: BodyId(id(4)),
            association: AssociationId(id(5)),
            coordinator: MemberId(id(6)),
            first_representative: MemberId(id(7)),
            second_representative: MemberId(id(8)),
            nurse: MemberId(id(9)),
            spring: ConsultationId(id(10)),
            autumn: ConsultationId(id(11)),
            contributions: [11, 12, 13, 14, 15].map(|n| ContributionId(id(n + 1))),
            first_decision: DecisionId(id(20)),
            second_decision: DecisionId(id(21)),
        }
    }
}

/// One command of the year: the day it is recorded on in the day-by-day CPTS (the date the
/// fact carries, or for an undated fact the day it was done), who acts, and what.
struct Step {
    day: NaiveDate,
    actor: Actor,
    command: AddressedCommand,
}

/// The year 2025 of a CPTS, record by record (as paper forms are transcribed): the CPTS, its
/// association, its members, then each consultation and each decision in full.
fn year(ids: &Ids) -> Vec<Step> {
    let mut steps = Vec::new();
    let coordinator = Actor::Member(ids.coordinator);
    let mut push = |day: &str, actor: Actor, command: AddressedCommand| {
        steps.push(Step {
            day: date(day),
            actor,
            command,
        });
    };
    let community = |command| AddressedCommand::Community {
        id: ids.community,
        command,
    };
    push(
        "2025-01-02",
        Actor::System,
        community(CommunityCommand::Register {
            community_id: ids.community,
            name: "CPTS des Deux Rives".into(),
            territory: vec![
                Commune {
                    insee: "34301".into(),
                    name: "Sète".into(),
                },
                Commune {
                    insee: "34108".into(),
                    name: "Frontignan".into(),
                },
            ],
        }),
    );
    push(
        "2025-01-02",
        Actor::System,
        community(CommunityCommand::DefineCollege {
            college_id: ids.users,
            name: "Collège des usagers".into(),
            is_users_college: true,
        }),
    );
    push(
        "2025-01-02",
        Actor::System,
        community(CommunityCommand::DefineCollege {
            college_id: ids.professionals,
            name: "Collège des professionnels".into(),
            is_users_college: false,
        }),
    );
    push(
        "2025-01-02",
        Actor::System,
        community(CommunityCommand::EstablishBody {
            body_id: ids.board,
            kind: BodyKind::Board,
            name: "Conseil d'administration".into(),
        }),
    );
    push(
        "2025-01-15",
        Actor::System,
        community(CommunityCommand::AdoptInternalRules {
            adopted_on: date("2025-01-15"),
            travel_expenses_reimbursed: true,
        }),
    );

    let member = |id: MemberId, command| AddressedCommand::Member { id, command };
    push(
        "2025-01-10",
        Actor::System,
        member(
            ids.coordinator,
            MemberCommand::Admit {
                member_id: ids.coordinator,
                community_id: ids.community,
                name: "Anne Coordinatrice".into(),
                kind: MemberKind::Coordinator,
                admitted_on: date("2025-01-10"),
            },
        ),
    );

    let association = |command| AddressedCommand::Association {
        id: ids.association,
        command,
    };
    push(
        "2025-02-10",
        coordinator,
        association(AssociationCommand::Register {
            association_id: ids.association,
            community_id: ids.community,
            name: "Association des usagers des Deux Rives".into(),
        }),
    );
    push(
        "2025-02-10",
        coordinator,
        association(AssociationCommand::RecordApproval {
            level: ApprovalLevel::Regional,
            granted_on: date("2025-02-10"),
        }),
    );
    push(
        "2025-02-10",
        coordinator,
        association(AssociationCommand::Engage {
            engagement: Engagement::Participation,
            since: date("2025-02-10"),
        }),
    );

    // The first representative, from February; the second, from September.
    for (id, name, from, to, lives, cadre) in [
        (
            ids.first_representative,
            "Bernard Premier",
            "2025-02-11",
            "2027-02-10",
            true,
            Some("Porter la parole des usagers au conseil."),
        ),
        (
            ids.second_representative,
            "Chloé Seconde",
            "2025-09-01",
            "2027-08-31",
            false,
            None,
        ),
    ] {
        push(
            from,
            coordinator,
            member(
                id,
                MemberCommand::Admit {
                    member_id: id,
                    community_id: ids.community,
                    name: name.into(),
                    kind: MemberKind::AssociationRepresentative,
                    admitted_on: date(from),
                },
            ),
        );
        push(
            from,
            coordinator,
            member(
                id,
                MemberCommand::GrantMandate {
                    association_id: ids.association,
                    start: date(from),
                    end: date(to),
                    lives_in_territory: lives,
                    commune: Some(if lives { "Sète" } else { "Montpellier" }.into()),
                    cadre_intervention: cadre.map(Into::into),
                },
            ),
        );
        push(
            from,
            coordinator,
            member(
                id,
                MemberCommand::SeatInCollege {
                    college_id: ids.users,
                    on: date(from),
                },
            ),
        );
    }
    push(
        "2025-02-11",
        coordinator,
        member(
            ids.first_representative,
            MemberCommand::SeatInBody {
                body_id: ids.board,
                on: date("2025-02-11"),
            },
        ),
    );
    push(
        "2025-03-01",
        coordinator,
        member(
            ids.nurse,
            MemberCommand::Admit {
                member_id: ids.nurse,
                community_id: ids.community,
                name: "Denis Infirmier".into(),
                kind: MemberKind::HealthProfessional {
                    profession: "infirmier".into(),
                },
                admitted_on: date("2025-03-01"),
            },
        ),
    );
    push(
        "2025-03-01",
        coordinator,
        member(
            ids.nurse,
            MemberCommand::SeatInCollege {
                college_id: ids.professionals,
                on: date("2025-03-01"),
            },
        ),
    );

    // Spring: a consultation, three contributions.
    let spring = |command| AddressedCommand::Consultation {
        id: ids.spring,
        command,
    };
    push(
        "2025-03-03",
        coordinator,
        spring(ConsultationCommand::Open {
            consultation_id: ids.spring,
            community_id: ids.community,
            terms: ConsultationTerms {
                subject: "Diagnostic de l'accès aux soins".into(),
                moment: Moment::Diagnosis,
                mission: Mission::AccessToCare,
                rung: Rung::Consult,
                audience: "habitants".into(),
                method: Method::Questionnaire,
                opens_on: date("2025-03-03"),
                closes_on: date("2025-04-30"),
                answer_within_days: 30,
            },
        }),
    );
    let [k1, k2, k3, k4, k5] = ids.contributions;
    for (day, id, author, actor, kind, text) in [
        (
            "2025-03-10",
            k1,
            Author::Member {
                member_id: ids.first_representative,
            },
            Actor::Member(ids.first_representative),
            ContributionKind::Proposal,
            "Ouvrir une consultation sans rendez-vous le samedi.",
        ),
        (
            "2025-04-01",
            k2,
            Author::Anonymous {
                commune: Some("Frontignan".into()),
            },
            coordinator,
            ContributionKind::Testimony,
            "Trois mois pour un rendez-vous chez l'ophtalmologiste.",
        ),
        (
            "2025-04-15",
            k3,
            Author::Member {
                member_id: ids.nurse,
            },
            Actor::Member(ids.nurse),
            ContributionKind::Data,
            "Les tournées à domicile couvrent 80 % du territoire.",
        ),
    ] {
        push(
            day,
            actor,
            spring(ConsultationCommand::Submit {
                contribution_id: id,
                author,
                kind,
                text: text.into(),
                submitted_on: date(day),
                attachment: None,
                file: None,
            }),
        );
    }
    push(
        "2025-04-30",
        coordinator,
        spring(ConsultationCommand::Close {
            on: date("2025-04-30"),
        }),
    );

    // Autumn: a consultation, two contributions, one withdrawn.
    let autumn = |command| AddressedCommand::Consultation {
        id: ids.autumn,
        command,
    };
    push(
        "2025-10-01",
        coordinator,
        autumn(ConsultationCommand::Open {
            consultation_id: ids.autumn,
            community_id: ids.community,
            terms: ConsultationTerms {
                subject: "Évaluation des consultations du samedi".into(),
                moment: Moment::Evaluation,
                mission: Mission::AccessToCare,
                rung: Rung::Consult,
                audience: "habitants".into(),
                method: Method::Workshop,
                opens_on: date("2025-10-01"),
                closes_on: date("2025-11-15"),
                answer_within_days: 30,
            },
        }),
    );
    push(
        "2025-10-10",
        Actor::Member(ids.second_representative),
        autumn(ConsultationCommand::Submit {
            contribution_id: k4,
            author: Author::Member {
                member_id: ids.second_representative,
            },
            kind: ContributionKind::Opinion,
            text: "Le samedi matin convient aux familles.".into(),
            submitted_on: date("2025-10-10"),
            attachment: None,
            file: None,
        }),
    );
    push(
        "2025-10-20",
        coordinator,
        autumn(ConsultationCommand::Submit {
            contribution_id: k5,
            author: Author::Anonymous { commune: None },
            kind: ContributionKind::Opinion,
            text: "Plutôt le mercredi.".into(),
            submitted_on: date("2025-10-20"),
            attachment: None,
            file: None,
        }),
    );
    push(
        "2025-11-01",
        coordinator,
        autumn(ConsultationCommand::Withdraw {
            contribution_id: k5,
            on: date("2025-11-01"),
            reason: Some("Retirée par son auteur.".into()),
            by: None,
            answer_published: false,
        }),
    );
    push(
        "2025-11-15",
        coordinator,
        autumn(ConsultationCommand::Close {
            on: date("2025-11-15"),
        }),
    );

    // The decision on spring's consultation: two answers before 30 June, one after, and a
    // revision in August.
    let first = |command| AddressedCommand::Decision {
        id: ids.first_decision,
        command,
    };
    push(
        "2025-05-05",
        coordinator,
        first(DecisionCommand::Propose {
            decision_id: ids.first_decision,
            community_id: ids.community,
            proposal: Proposal {
                body_id: ids.board,
                title: "Consultations sans rendez-vous le samedi".into(),
                text: "La CPTS organise une consultation sans rendez-vous le samedi matin.".into(),
                moment: Moment::Prioritisation,
                mission: Mission::AccessToCare,
                proposed_on: date("2025-05-05"),
            },
        }),
    );
    push(
        "2025-05-05",
        coordinator,
        first(DecisionCommand::LinkConsultation {
            consultation_id: ids.spring,
        }),
    );
    for (day, contribution, disposition, rationale) in [
        ("2025-05-20", k1, Disposition::Retained, None),
        (
            "2025-05-25",
            k2,
            Disposition::NotRetained,
            Some("Hors des moyens de la CPTS cette année."),
        ),
    ] {
        push(
            day,
            coordinator,
            first(DecisionCommand::DraftAnswer {
                consultation_id: ids.spring,
                contribution_id: contribution,
                disposition,
                rationale: rationale.map(Into::into),
                on: date(day),
            }),
        );
        push(
            day,
            coordinator,
            first(DecisionCommand::PublishAnswer {
                contribution_id: contribution,
                on: date(day),
            }),
        );
    }
    push(
        "2025-06-20",
        coordinator,
        first(DecisionCommand::RecordVote {
            on: date("2025-06-20"),
            tally: Tally::Consensus,
            outcome: VoteOutcome::Adopted,
        }),
    );
    push(
        "2025-07-15",
        coordinator,
        first(DecisionCommand::DraftAnswer {
            consultation_id: ids.spring,
            contribution_id: k3,
            disposition: Disposition::PartlyRetained,
            rationale: Some("Les tournées restent à étendre au nord.".into()),
            on: date("2025-07-15"),
        }),
    );
    push(
        "2025-07-15",
        coordinator,
        first(DecisionCommand::PublishAnswer {
            contribution_id: k3,
            on: date("2025-07-15"),
        }),
    );
    push(
        "2025-08-01",
        coordinator,
        first(DecisionCommand::ReviseAnswer {
            contribution_id: k2,
            disposition: Disposition::Deferred,
            rationale: Some("Reporté à 2026, avec l'hôpital.".into()),
            reason: "Accord de l'hôpital en juillet.".into(),
            on: date("2025-08-01"),
        }),
    );
    push(
        "2025-08-05",
        coordinator,
        first(DecisionCommand::PublishAnswer {
            contribution_id: k2,
            on: date("2025-08-05"),
        }),
    );
    push(
        "2025-09-10",
        coordinator,
        first(DecisionCommand::RecordMilestone {
            milestone: "Première consultation du samedi".into(),
            on: date("2025-09-10"),
        }),
    );
    push(
        "2025-10-01",
        coordinator,
        first(DecisionCommand::ReportIndicator {
            indicator: "Patients reçus le samedi".into(),
            period: "2025-09".into(),
            value: 42.0,
            target: Some(60.0),
            on: date("2025-10-01"),
        }),
    );

    // The decision on autumn's consultation.
    let second = |command| AddressedCommand::Decision {
        id: ids.second_decision,
        command,
    };
    push(
        "2025-11-20",
        coordinator,
        second(DecisionCommand::Propose {
            decision_id: ids.second_decision,
            community_id: ids.community,
            proposal: Proposal {
                body_id: ids.board,
                title: "Consultations du samedi maintenues".into(),
                text: "Les consultations du samedi sont maintenues en 2026.".into(),
                moment: Moment::Evaluation,
                mission: Mission::AccessToCare,
                proposed_on: date("2025-11-20"),
            },
        }),
    );
    push(
        "2025-11-20",
        coordinator,
        second(DecisionCommand::LinkConsultation {
            consultation_id: ids.autumn,
        }),
    );
    push(
        "2025-12-05",
        coordinator,
        second(DecisionCommand::DraftAnswer {
            consultation_id: ids.autumn,
            contribution_id: k4,
            disposition: Disposition::Retained,
            rationale: None,
            on: date("2025-12-05"),
        }),
    );
    push(
        "2025-12-05",
        coordinator,
        second(DecisionCommand::PublishAnswer {
            contribution_id: k4,
            on: date("2025-12-05"),
        }),
    );
    push(
        "2025-12-10",
        coordinator,
        second(DecisionCommand::RecordVote {
            on: date("2025-12-10"),
            tally: Tally::Consensus,
            outcome: VoteOutcome::Adopted,
        }),
    );
    steps
}

async fn send(ledger: &Ledger, actor: Actor, command: AddressedCommand) {
    let what = format!("{command:?}");
    ledger
        .execute(
            command,
            CommandContext {
                caller: Caller::Trusted(actor),
                command_id: Uuid::new_v4(),
            },
        )
        .await
        .unwrap_or_else(|e| panic!("{what} is recorded: {e:?}"));
}

async fn head(ledger: &Ledger) -> u64 {
    ledger.head().await.expect("the head reads").0
}

fn today() -> NaiveDate {
    cpts_graphql::clock::today()
}

async fn report(
    ledger: &Ledger,
    ids: &Ids,
    as_of: &str,
    position: Option<u64>,
    lang: Lang,
) -> Result<Report, LedgerError> {
    ledger
        .report(
            ids.community,
            (date(YEAR.0), date(YEAR.1)),
            date(as_of),
            position,
            today(),
            lang,
        )
        .await
}

/// What two CPTS with the same facts must show alike: the report (Markdown, JSON and open
/// data, in both languages) without its positions and seal, the register and the trails, with
/// the CPTS's ids made the day-by-day CPTS's.
async fn everything(ledger: &Ledger, ids: &Ids, tag: u64, as_of: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for lang in [Lang::Fr, Lang::En] {
        let mut built = report(ledger, ids, as_of, None, lang)
            .await
            .expect("the report is made");
        assert!(built.ledger.as_ref().is_some_and(|seal| seal.intact));
        built.ledger = None;
        built.log_position = 0;
        out.insert(format!("report.{lang:?}.md"), render::markdown(&built));
        out.insert(format!("report.{lang:?}.json"), render::json(&built));
        for (name, csv) in render::open_data(&built) {
            out.insert(format!("{lang:?}.{name}"), csv);
        }
    }
    let db = ledger.projector().db();
    let register = queries::register(db, &ids.community.to_string(), date(as_of))
        .await
        .expect("the register reads");
    out.insert(
        "register".into(),
        serde_json::to_string_pretty(&register).expect("JSON"),
    );
    let decisions = [ids.first_decision, ids.second_decision].map(|d| d.to_string());
    let trails: BTreeMap<String, queries::InfluenceTrail> =
        listing::influence_trails(db, &decisions, date(as_of))
            .await
            .expect("the trails read")
            .into_iter()
            .collect();
    out.insert(
        "trails".into(),
        serde_json::to_string_pretty(&trails).expect("JSON"),
    );
    let (from, to) = (prefix(tag), prefix(DAY_BY_DAY));
    out.into_iter()
        .map(|(name, text)| (name, text.replace(&from, &to)))
        .collect()
}

/// Records the day-by-day CPTS, noting the head at the end of each day, then the transcribed
/// one, all at once.
async fn two_cpts() -> (cpts_ledger_tests::TestDb, Ledger, BTreeMap<NaiveDate, u64>) {
    let db = sqlite_db();
    let repo = open_store(db.url()).await.expect("store opens");
    let ledger = Ledger::new(repo);
    let mut steps = year(&Ids::of(DAY_BY_DAY));
    steps.sort_by_key(|s| s.day);
    let mut heads = BTreeMap::new();
    for step in steps {
        send(&ledger, step.actor, step.command).await;
        heads.insert(step.day, head(&ledger).await);
    }
    for step in year(&Ids::of(TRANSCRIBED)) {
        send(&ledger, step.actor, step.command).await;
    }
    ledger.projector().catch_up().await.expect("caught up");
    (db, ledger, heads)
}

/// The head at the end of a day: the last position noted on or before it.
fn head_at(heads: &BTreeMap<NaiveDate, u64>, day: &str) -> u64 {
    heads
        .range(..=date(day))
        .next_back()
        .map(|(_, p)| *p)
        .expect("something recorded by then")
}

#[tokio::test]
async fn a_year_transcribed_in_december_reads_as_the_year_recorded_day_by_day() {
    let (_db, ledger, _heads) = two_cpts().await;
    let (transcribed, day_by_day) = (Ids::of(TRANSCRIBED), Ids::of(DAY_BY_DAY));
    for as_of in [JUNE, DECEMBER] {
        let a = everything(&ledger, &transcribed, TRANSCRIBED, as_of).await;
        let b = everything(&ledger, &day_by_day, DAY_BY_DAY, as_of).await;
        assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
        for (name, text) in &b {
            assert_eq!(&a[name], text, "{name} as of {as_of}");
        }
    }

    // What 30 June shows: the facts dated by then, none after, however they were recorded.
    let june = report(&ledger, &transcribed, JUNE, None, Lang::En)
        .await
        .expect("the report is made");
    let r = &june.representation;
    assert_eq!(r.active_representatives, 1, "the second comes in September");
    assert_eq!(r.representatives.len(), 1);
    assert_eq!(june.consultations.total, 1, "autumn's is not open yet");
    assert_eq!(june.contributions.total, 3);
    assert_eq!(june.dispositions.answered, 2, "the third answer is of July");
    let k2 = transcribed.contributions[1].to_string();
    let answer = june
        .dispositions
        .published
        .iter()
        .find(|a| a.contribution_id == k2)
        .expect("the second answer, published in May");
    assert_eq!(
        (answer.disposition.code.as_str(), answer.published_on),
        ("not_retained", date("2025-05-25")),
        "the August revision does not reach back"
    );
    let first = &june.decisions[0];
    assert_eq!(first.status.code, "adopted");
    assert!(first.milestones.is_empty() && first.indicators.is_empty());
    let keeping = june.promise_keeping.totals;
    assert_eq!(
        (
            keeping.owed,
            keeping.answered_on_time,
            keeping.unanswered_overdue
        ),
        (3, 2, 1),
        "the third contribution is overdue on 30 June"
    );

    // And 31 December: the whole year.
    let december = report(&ledger, &transcribed, DECEMBER, None, Lang::En)
        .await
        .expect("the report is made");
    assert_eq!(december.representation.active_representatives, 2);
    assert_eq!(december.consultations.total, 2);
    assert_eq!(
        (
            december.contributions.total,
            december.contributions.withdrawn
        ),
        (4, 1)
    );
    assert_eq!(december.dispositions.answered, 4);
    assert_eq!(december.decisions.len(), 2);
    assert_eq!(december.promise_keeping.totals.answered_late, 1);
}

/// The report of the day-by-day CPTS as of a date at a position, without its seal.
async fn unsealed(ledger: &Ledger, as_of: &str, position: Option<u64>) -> (String, String) {
    let mut built = report(ledger, &Ids::of(DAY_BY_DAY), as_of, position, Lang::Fr)
        .await
        .expect("the report is made");
    built.ledger = None;
    built.log_position = 0;
    (render::markdown(&built), render::json(&built))
}

#[tokio::test]
async fn a_fact_dated_after_the_date_never_changes_the_report_and_a_late_one_comes_in_sealed() {
    let (_db, ledger, heads) = two_cpts().await;
    let ids = Ids::of(DAY_BY_DAY);
    let end_of_june = head_at(&heads, JUNE);
    assert!(end_of_june < head(&ledger).await);

    // Everything recorded after 30 June is dated after it: the report as of 30 June at the
    // end of that day is the report as of 30 June now.
    assert_eq!(
        unsealed(&ledger, JUNE, Some(end_of_june)).await,
        unsealed(&ledger, JUNE, None).await
    );
    let at_june = report(&ledger, &ids, JUNE, Some(end_of_june), Lang::Fr)
        .await
        .expect("the report is made");
    let seal = at_june.ledger.as_ref().expect("sealed");
    assert_eq!(seal.position, end_of_june);
    assert_eq!(at_june.log_position, end_of_june);
    assert!(!seal.provisional, "30 June 2025 has ended");
    let recorded_at = seal.recorded_at.clone().expect("the time of event P");
    let markdown = render::markdown(&at_june);
    assert!(markdown.contains(&format!("Journal lu jusqu'à la position : {end_of_june}")));
    assert!(markdown.contains(&recorded_at), "{markdown}");
    assert!(markdown.contains("Situation au"));
    assert!(!markdown.contains("provisoire"));

    // A fact dated in June, recorded now (a paper form found late).
    let before = report(&ledger, &ids, JUNE, None, Lang::Fr)
        .await
        .expect("the report is made");
    send(
        &ledger,
        Actor::Member(ids.coordinator),
        AddressedCommand::Decision {
            id: ids.first_decision,
            command: DecisionCommand::RecordMilestone {
                milestone: "Local du samedi trouvé".into(),
                on: date("2025-06-25"),
            },
        },
    )
    .await;
    let now = head(&ledger).await;
    let after = report(&ledger, &ids, JUNE, None, Lang::Fr)
        .await
        .expect("the report is made");
    assert_eq!(after.ledger.as_ref().map(|s| s.position), Some(now));
    assert!(now > before.ledger.as_ref().map_or(0, |s| s.position));
    let milestones = |r: &Report| {
        r.decisions[0]
            .milestones
            .iter()
            .map(|m| (m.on, m.milestone.clone()))
            .collect::<Vec<_>>()
    };
    assert!(milestones(&before).is_empty());
    assert_eq!(
        milestones(&after),
        [(date("2025-06-25"), "Local du samedi trouvé".to_owned())]
    );
    // And the earlier position still gives the earlier report, byte for byte.
    let again = report(
        &ledger,
        &ids,
        JUNE,
        before.ledger.as_ref().map(|s| s.position),
        Lang::Fr,
    )
    .await
    .expect("the report is made");
    assert_eq!(render::markdown(&again), render::markdown(&before));
    assert_eq!(render::json(&again), render::json(&before));
    assert_eq!(render::html(&again), render::html(&before));
}

#[tokio::test]
async fn the_same_arguments_and_position_give_the_same_bytes_and_a_day_to_come_is_refused() {
    let (_db, ledger, _heads) = two_cpts().await;
    let ids = Ids::of(DAY_BY_DAY);
    let position = head(&ledger).await;
    let bytes = |r: &Report| (render::markdown(r), render::json(r), render::html(r));
    let first = report(&ledger, &ids, DECEMBER, Some(position), Lang::En)
        .await
        .expect("the report is made");

    // New events, dated before and after 31 December 2025, and another CPTS's.
    for (on, text) in [
        ("2025-12-20", "Bilan de fin d'année"),
        ("2026-01-15", "Vœux"),
    ] {
        send(
            &ledger,
            Actor::Member(ids.coordinator),
            AddressedCommand::Decision {
                id: ids.second_decision,
                command: DecisionCommand::RecordMilestone {
                    milestone: text.into(),
                    on: date(on),
                },
            },
        )
        .await;
    }
    let other = Ids::of(TRANSCRIBED);
    send(
        &ledger,
        Actor::Member(other.coordinator),
        AddressedCommand::Decision {
            id: other.first_decision,
            command: DecisionCommand::RecordMilestone {
                milestone: "Autre CPTS".into(),
                on: date("2025-12-01"),
            },
        },
    )
    .await;
    let again = report(&ledger, &ids, DECEMBER, Some(position), Lang::En)
        .await
        .expect("the report is made");
    assert_eq!(bytes(&again), bytes(&first));
    let later = report(&ledger, &ids, DECEMBER, None, Lang::En)
        .await
        .expect("the report is made");
    assert_ne!(bytes(&later).1, bytes(&first).1, "the head has moved on");

    // A position beyond the head is refused, and so is a day to come.
    let beyond = report(
        &ledger,
        &ids,
        DECEMBER,
        Some(head(&ledger).await + 1),
        Lang::En,
    )
    .await;
    assert!(
        matches!(&beyond, Err(LedgerError::Refused { en, .. }) if en.contains("beyond")),
        "{beyond:?}"
    );
    let tomorrow = (today() + Days::new(1)).to_string();
    let refused = report(&ledger, &ids, &tomorrow, None, Lang::En).await;
    assert!(
        matches!(&refused, Err(LedgerError::Refused { fr, en })
            if fr.contains("pas encore arrivée") && en.contains("has not come yet")),
        "{refused:?}"
    );

    // Today has not ended: the report says so, in its title and its seal.
    let now = today().to_string();
    for (lang, word) in [(Lang::Fr, "provisoire"), (Lang::En, "provisional")] {
        let built = report(&ledger, &ids, &now, None, lang)
            .await
            .expect("the report is made");
        assert!(built.ledger.as_ref().is_some_and(|s| s.provisional));
        let markdown = render::markdown(&built);
        let title = markdown.lines().next().unwrap_or_default();
        assert!(title.contains(&format!("({word})")), "{title}");
        let seal = markdown.split("## 7.").nth(1).expect("the seal's section");
        assert!(seal.to_lowercase().contains(word), "{seal}");
        let html = render::html(&built);
        let html_title = html
            .split("<title>")
            .nth(1)
            .and_then(|t| t.split("</title>").next())
            .unwrap_or_default();
        assert!(html_title.contains(&format!("({word})")), "{html_title}");
    }
    let yesterday = (today() - Days::new(1)).to_string();
    let built = report(&ledger, &ids, &yesterday, None, Lang::Fr)
        .await
        .expect("the report is made");
    assert!(built.ledger.as_ref().is_some_and(|s| !s.provisional));
}
