//! Échéances: a CPTS with an answer due, a consultation closing, a mandate and an approval
//! ending at each horizon (overdue, within 30 days, within 90 days), one of each beyond 90 days
//! and some done; the staff's `deadlines` query gives exactly those of each horizon, on SQLite
//! and PostgreSQL, a representative is refused, and the coordinator's digest tells every one in
//! the query's own sentences, in French and in English, with no id.

use std::sync::Arc;

use chrono::NaiveDate;
use cpts_domain::access::{Caller, Role};
use cpts_domain::association::AssociationCommand;
use cpts_domain::command::{Actor, AddressedCommand};
use cpts_domain::community::CommunityCommand;
use cpts_domain::consultation::{Author, ConsultationCommand, ConsultationTerms};
use cpts_domain::ids::{AssociationId, CommunityId, ConsultationId, ContributionId, MemberId};
use cpts_domain::member::{MemberCommand, MemberKind};
use cpts_domain::values::{ApprovalLevel, ContributionKind, Lang, Method, Mission, Moment, Rung};
use cpts_graphql::port::{CommandContext, LedgerPort};
use cpts_ledger::notify::digest;
use cpts_ledger::service::Ledger;
use cpts_ledger_tests::{open_store, TestDb};
use serde_json::{json, Value};
use uuid::Uuid;

const AS_OF: &str = "2026-06-01";
const COMMUNITY: CommunityId = CommunityId(Uuid::from_u128(0xdead_0001));
const QUERY: &str = "query($asOf: NaiveDate, $within: Int!) { deadlines(asOf: $asOf, withinDays: $within) { kind horizon dueOn sentence sentenceEn decisionId consultationId memberId associationId } }";

fn date(text: &str) -> NaiveDate {
    text.parse().expect("a date")
}

fn id(n: u128) -> Uuid {
    Uuid::from_u128(0xdead_0000_0000 + n)
}

struct World {
    _db: TestDb,
    ledger: Arc<Ledger>,
    /// A representative, to be refused.
    representative: MemberId,
}

async fn send(ledger: &Ledger, command: AddressedCommand) {
    let what = format!("{command:?}");
    let context = CommandContext {
        caller: Caller::Trusted(Actor::System),
        command_id: Uuid::new_v4(),
    };
    ledger
        .execute(command, context)
        .await
        .unwrap_or_else(|e| panic!("{what}: {e:?}"));
}

/// The CPTS as of 1 June 2026: for each kind, a last day passed, one within 30 days, one
/// within 90 days and one beyond; and done: the answers' consultations closed formally, a
/// contribution withdrawn, a mandate ended early, an association withdrawn.
async fn world(db: TestDb) -> World {
    let repo = open_store(db.url()).await.expect("store opens");
    let ledger = Arc::new(Ledger::new(repo));
    let territory = cpts_ledger::demo::scenario()
        .expect("the scenario")
        .community
        .territory;
    send(
        &ledger,
        AddressedCommand::Community {
            id: COMMUNITY,
            command: CommunityCommand::Register {
                community_id: COMMUNITY,
                name: "CPTS des Échéances".into(),
                territory,
            },
        },
    )
    .await;

    // Approvals: granted five years before their last day (the day before the anniversary).
    let associations = [
        (1, "France Rein", "2023-01-01", None), // ends 31 December 2027: beyond
        (2, "Diabète Thau", "2021-05-02", None), // ended 1 May 2026: overdue
        (3, "Aidants du Bassin", "2021-06-21", None), // ends 20 June 2026: within 30
        (4, "Ligue Sète", "2021-08-11", None),  // ends 10 August 2026: within 90
        (5, "Entraide Mèze", "2021-04-01", Some("2026-02-01")), // withdrawn: done
    ];
    for (n, name, granted_on, withdrawn) in associations {
        let aid = AssociationId(id(0x100 + n));
        let to = |command| AddressedCommand::Association { id: aid, command };
        send(
            &ledger,
            to(AssociationCommand::Register {
                association_id: aid,
                community_id: COMMUNITY,
                name: name.into(),
            }),
        )
        .await;
        send(
            &ledger,
            to(AssociationCommand::RecordApproval {
                level: ApprovalLevel::Regional,
                granted_on: date(granted_on),
            }),
        )
        .await;
        if let Some(on) = withdrawn {
            send(
                &ledger,
                to(AssociationCommand::Withdraw {
                    on: date(on),
                    reason: None,
                }),
            )
            .await;
        }
    }

    // Mandates from France Rein.
    let mandates = [
        (1, "Karim Benali", "2026-05-20", None),    // overdue
        (2, "Martine Roussel", "2026-06-20", None), // within 30
        (3, "Lucie Ferrand", "2026-08-15", None),   // within 90
        (4, "Paul Azéma", "2027-06-01", None),      // beyond
        (5, "Inès Camus", "2026-06-10", Some("2026-05-01")), // ended early: done
    ];
    for (n, name, end, ended) in mandates {
        let mid = MemberId(id(0x200 + n));
        let to = |command| AddressedCommand::Member { id: mid, command };
        send(
            &ledger,
            to(MemberCommand::Admit {
                member_id: mid,
                community_id: COMMUNITY,
                name: name.into(),
                kind: MemberKind::AssociationRepresentative,
                admitted_on: date("2023-06-01"),
            }),
        )
        .await;
        send(
            &ledger,
            to(MemberCommand::GrantMandate {
                association_id: AssociationId(id(0x101)),
                start: date("2023-06-01"),
                end: date(end),
                lives_in_territory: true,
                commune: None,
                cadre_intervention: None,
            }),
        )
        .await;
        if let Some(on) = ended {
            send(
                &ledger,
                to(MemberCommand::EndMandate {
                    on: date(on),
                    reason: None,
                }),
            )
            .await;
        }
    }

    // Consultations: the first four receive a contribution each and are closed formally,
    // their answers due at each horizon; the next four stay open, closing at each horizon;
    // the last one's contribution is withdrawn, owed no answer.
    let consultations = [
        (
            1,
            "Horaires du samedi",
            Rung::Consult,
            "2026-04-01",
            "2026-04-30",
            10,
            true,
        ), // answer overdue
        (
            2,
            "Transport vers Sète",
            Rung::Consult,
            "2026-04-01",
            "2026-05-20",
            20,
            true,
        ), // answer within 30
        (
            3,
            "Santé des aidants",
            Rung::Consult,
            "2026-04-01",
            "2026-05-25",
            60,
            true,
        ), // answer within 90
        (
            4,
            "Prévention du diabète",
            Rung::Consult,
            "2026-04-01",
            "2026-05-28",
            120,
            true,
        ), // answer beyond
        (
            5,
            "Périmètre de la CPTS",
            Rung::Consult,
            "2026-04-01",
            "2026-05-15",
            30,
            false,
        ), // closing overdue
        (
            6,
            "Soins non programmés",
            Rung::Consult,
            "2026-05-01",
            "2026-06-15",
            30,
            false,
        ), // within 30
        (
            7,
            "Parcours insuffisance rénale",
            Rung::Consult,
            "2026-05-01",
            "2026-08-01",
            30,
            false,
        ), // within 90
        (
            8,
            "Dépistage du pied diabétique",
            Rung::Consult,
            "2026-05-01",
            "2026-10-01",
            30,
            false,
        ), // beyond
        (
            9,
            "Lettre d'information",
            Rung::Consult,
            "2026-04-01",
            "2026-04-20",
            10,
            true,
        ), // contribution withdrawn
    ];
    for (n, subject, rung, opens_on, closes_on, within, closed) in consultations {
        let cid = ConsultationId(id(0x300 + n));
        let to = |command| AddressedCommand::Consultation { id: cid, command };
        send(
            &ledger,
            to(ConsultationCommand::Open {
                consultation_id: cid,
                community_id: COMMUNITY,
                terms: ConsultationTerms {
                    subject: subject.into(),
                    moment: Moment::Diagnosis,
                    mission: Mission::AccessToCare,
                    rung,
                    audience: "habitants".into(),
                    method: Method::Questionnaire,
                    opens_on: date(opens_on),
                    closes_on: date(closes_on),
                    answer_within_days: within,
                },
            }),
        )
        .await;
        if closed {
            send(
                &ledger,
                to(ConsultationCommand::Submit {
                    contribution_id: ContributionId(id(0x400 + n)),
                    author: Author::Anonymous {
                        commune: Some("Mèze".into()),
                    },
                    kind: ContributionKind::Opinion,
                    text: format!("Un avis sur « {subject} »."),
                    submitted_on: date(opens_on),
                    attachment: None,
                    file: None,
                }),
            )
            .await;
            if n == 9 {
                send(
                    &ledger,
                    to(ConsultationCommand::Withdraw {
                        contribution_id: ContributionId(id(0x400 + n)),
                        on: date("2026-04-10"),
                        reason: None,
                        by: None,
                        answer_published: false,
                    }),
                )
                .await;
            }
            send(
                &ledger,
                to(ConsultationCommand::Close {
                    on: date(closes_on),
                }),
            )
            .await;
        }
    }
    World {
        _db: db,
        ledger,
        representative: MemberId(id(0x202)),
    }
}

impl World {
    async fn run(
        &self,
        role: Role,
        member: Option<MemberId>,
        within: i32,
    ) -> async_graphql::Response {
        cpts_ledger_tests::graphql_as(
            self.ledger.clone(),
            COMMUNITY,
            role,
            member,
            QUERY,
            json!({ "asOf": AS_OF, "within": within }),
        )
        .await
    }

    async fn deadlines(&self, within: i32) -> Vec<Value> {
        let response = self.run(Role::Coordinator, None, within).await;
        assert!(response.errors.is_empty(), "{:?}", response.errors);
        let data = response.data.into_json().expect("JSON");
        data["deadlines"].as_array().expect("a list").clone()
    }
}

fn kinds_and_horizons(list: &[Value]) -> Vec<(String, String, String)> {
    list.iter()
        .map(|d| {
            (
                d["horizon"].as_str().expect("horizon").to_owned(),
                d["kind"].as_str().expect("kind").to_owned(),
                d["dueOn"].as_str().expect("due on").to_owned(),
            )
        })
        .collect()
}

fn expected() -> Vec<(String, String, String)> {
    [
        ("OVERDUE", "APPROVAL_ENDING", "2026-05-01"),
        ("OVERDUE", "ANSWER_DUE", "2026-05-10"),
        ("OVERDUE", "CONSULTATION_CLOSING", "2026-05-15"),
        ("OVERDUE", "MANDATE_ENDING", "2026-05-20"),
        ("WITHIN_30_DAYS", "ANSWER_DUE", "2026-06-09"),
        ("WITHIN_30_DAYS", "CONSULTATION_CLOSING", "2026-06-15"),
        ("WITHIN_30_DAYS", "MANDATE_ENDING", "2026-06-20"),
        ("WITHIN_30_DAYS", "APPROVAL_ENDING", "2026-06-20"),
        ("WITHIN_90_DAYS", "ANSWER_DUE", "2026-07-24"),
        ("WITHIN_90_DAYS", "CONSULTATION_CLOSING", "2026-08-01"),
        ("WITHIN_90_DAYS", "APPROVAL_ENDING", "2026-08-10"),
        ("WITHIN_90_DAYS", "MANDATE_ENDING", "2026-08-15"),
    ]
    .into_iter()
    .map(|(h, k, d)| (h.to_owned(), k.to_owned(), d.to_owned()))
    .collect()
}

/// The first thing in a text shaped like a UUID, if any.
fn uuid_in(text: &str) -> Option<String> {
    let chars: Vec<char> = text.chars().collect();
    (0..chars.len().saturating_sub(35)).find_map(|start| {
        let candidate: String = chars[start..start + 36].iter().collect();
        Uuid::parse_str(&candidate).ok().map(|_| candidate)
    })
}

async fn the_query_and_the_digest_agree(db: TestDb) {
    let world = world(db).await;
    let list = world.deadlines(90).await;
    assert_eq!(kinds_and_horizons(&list), expected(), "{list:#?}");

    // The links point at the records; the sentences name them.
    let approval = &list[0];
    assert_eq!(approval["associationId"], id(0x102).to_string());
    assert_eq!(
        approval["sentence"],
        "L’agrément de Diabète Thau a expiré le 1er mai 2026 : demander son renouvellement"
    );
    let answer = &list[1];
    assert_eq!(answer["consultationId"], id(0x301).to_string());
    assert_eq!(answer["decisionId"], Value::Null, "no decision took it up");
    assert_eq!(
        answer["sentence"],
        "Réponse due le 10 mai 2026 à la contribution d’un habitant de Mèze à « Horaires du samedi »"
    );
    assert_eq!(
        answer["sentenceEn"],
        "Answer due on 10 May 2026 to the contribution of an inhabitant of Mèze to “Horaires du samedi”"
    );
    let mandate = &list[3];
    assert_eq!(mandate["memberId"], id(0x201).to_string());
    assert_eq!(
        mandate["sentence"],
        "Le mandat de Karim Benali (France Rein) a pris fin le 20 mai 2026 : le renouveler ou en prendre acte"
    );
    assert_eq!(
        list[5]["sentence"],
        "La consultation « Soins non programmés » se clôt le 15 juin 2026"
    );
    assert_eq!(
        list[7]["sentence"],
        "L’agrément d’Aidants du Bassin prend fin le 20 juin 2026"
    );

    // Within 30 days: the overdue and the near only; no negative or huge horizon.
    let near = world.deadlines(30).await;
    assert_eq!(kinds_and_horizons(&near), expected()[..8].to_vec());
    assert_eq!(
        kinds_and_horizons(&world.deadlines(-5).await),
        expected()[..4].to_vec()
    );
    assert_eq!(
        kinds_and_horizons(&world.deadlines(10_000).await),
        expected()
    );

    // The digest says every one of them in the query's words, under the same horizons.
    let db = world.ledger.projector().db();
    let as_of = date(AS_OF);
    let community = COMMUNITY.to_string();
    for (lang, field, headings) in [
        (
            Lang::Fr,
            "sentence",
            [
                "En retard (4)",
                "Dans les 30 jours (4)",
                "Dans les 90 jours (4)",
            ],
        ),
        (
            Lang::En,
            "sentenceEn",
            ["Overdue (4)", "Within 30 days (4)", "Within 90 days (4)"],
        ),
    ] {
        let (subject, body) =
            digest::render(db, &community, as_of, 7, "https://cpts.example", lang)
                .await
                .expect("the digest renders")
                .expect("something is due");
        assert_eq!(uuid_in(&subject), None, "{subject}");
        assert_eq!(uuid_in(&body), None, "{body}");
        for d in &list {
            let sentence = d[field].as_str().expect("a sentence");
            assert!(
                body.contains(&format!("- {sentence}\n")),
                "{sentence} in {body}"
            );
        }
        let mut at = 0;
        for heading in headings {
            let found = body[at..]
                .find(heading)
                .unwrap_or_else(|| panic!("{heading} after the previous one in {body}"));
            at += found;
        }
        // Done and beyond are not told.
        for words in [
            "Entraide Mèze",
            "Inès Camus",
            "Paul Azéma",
            "Dépistage du pied",
            "Lettre d'information",
        ] {
            assert!(!body.contains(words), "{words} in {body}");
        }
        // The contribution still awaiting its answer keeps its details.
        assert!(
            body.contains("Un avis sur « Horaires du samedi »."),
            "{body}"
        );
    }
}

#[tokio::test]
async fn deadlines_of_each_kind_fall_in_their_horizon_and_the_digest_tells_them_on_sqlite() {
    the_query_and_the_digest_agree(cpts_ledger_tests::sqlite_db()).await;
}

#[tokio::test]
async fn deadlines_of_each_kind_fall_in_their_horizon_and_the_digest_tells_them_on_postgres() {
    the_query_and_the_digest_agree(cpts_ledger_tests::postgres_db().await).await;
}

#[tokio::test]
async fn a_representative_may_not_read_the_deadlines() {
    let world = world(cpts_ledger_tests::sqlite_db()).await;
    let response = world
        .run(Role::Representative, Some(world.representative), 90)
        .await;
    let error = response.errors.first().expect("refused");
    let code = error
        .extensions
        .as_ref()
        .and_then(|e| e.get("code"))
        .map(|c| c.clone().into_json().expect("JSON"));
    assert_eq!(code, Some(json!("FORBIDDEN")), "{:?}", response.errors);
}

#[tokio::test]
async fn nothing_due_sends_no_digest() {
    let world = world(cpts_ledger_tests::sqlite_db()).await;
    let db = world.ledger.projector().db();
    // Before anything was granted, opened or admitted, nothing falls due.
    let before = date("2020-01-01");
    assert!(digest::render(
        db,
        &COMMUNITY.to_string(),
        before,
        7,
        "https://cpts.example",
        Lang::Fr
    )
    .await
    .expect("the digest renders")
    .is_none());
    assert_eq!(
        digest::queue(
            db,
            &COMMUNITY.to_string(),
            before,
            7,
            "https://cpts.example"
        )
        .await
        .expect("queued"),
        0
    );
}
