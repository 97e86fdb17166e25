//! The scenario of DOMAIN.md end to end through GraphQL alone: every command of the Val de
//! l'Étang's year sent as a mutation over HTTP to the running service on PostgreSQL, then the
//! figures the general assembly asks for read back with queries.

use cpts_domain::access::Role;
use cpts_domain::ids::{CommunityId, MemberId};
use cpts_ledger::demo::{self, id_of};
use cpts_ledger::tokens;
use cpts_ledger_tests::graphql_client::{mutation_of, GraphqlClient};
use cpts_ledger_tests::service::Service;
use serde_json::{json, Value};

const AS_OF: &str = "2026-12-31";

/// The commands the scenario does not send, each mapped to a mutation the schema declares
/// (the scenario sends the others, end to end, below).
#[test]
fn the_other_commands_map_to_mutations_of_the_schema() {
    use cpts_domain::association::AssociationCommand;
    use cpts_domain::command::AddressedCommand as C;
    use cpts_domain::community::CommunityCommand;
    use cpts_domain::consultation::ConsultationCommand;
    use cpts_domain::decision::DecisionCommand;
    use cpts_domain::ids::{AssociationId, BodyId, ConsultationId, ContributionId, DecisionId};
    use cpts_domain::member::MemberCommand;
    use cpts_domain::values::{Commune, Disposition};
    use uuid::Uuid;

    let schema = include_str!("../../../graphql/schema.graphql");
    let on: chrono::NaiveDate = "2026-05-01".parse().expect("date");
    let contribution = ContributionId(Uuid::new_v4());
    let member = MemberId(Uuid::new_v4());
    let decision = DecisionId(Uuid::new_v4());
    let consultation = ConsultationId(Uuid::new_v4());
    let commands = [
        C::Community {
            id: CommunityId(Uuid::new_v4()),
            command: CommunityCommand::RedrawTerritory {
                territory: vec![Commune {
                    insee: "34301".into(),
                    name: "Sète".into(),
                }],
                reason: "Adhésion de Mèze".into(),
            },
        },
        C::Association {
            id: AssociationId(Uuid::new_v4()),
            command: AssociationCommand::Withdraw { on, reason: None },
        },
        C::Member {
            id: member,
            command: MemberCommand::EndMandate { on, reason: None },
        },
        C::Member {
            id: member,
            command: MemberCommand::LeaveBody {
                body_id: BodyId(Uuid::new_v4()),
                on,
            },
        },
        C::Member {
            id: member,
            command: MemberCommand::Depart { on, reason: None },
        },
        C::Member {
            id: member,
            command: MemberCommand::ErasePersonalData { on },
        },
        C::Consultation {
            id: consultation,
            command: ConsultationCommand::Amend {
                contribution_id: contribution,
                text: "t".into(),
                on,
                reason: None,
                by: None,
                answer_published: false,
            },
        },
        C::Consultation {
            id: consultation,
            command: ConsultationCommand::Withdraw {
                contribution_id: contribution,
                on,
                reason: None,
                by: None,
                answer_published: false,
            },
        },
        C::Consultation {
            id: consultation,
            command: ConsultationCommand::PublishSynthesis {
                text: "t".into(),
                on,
            },
        },
        C::Decision {
            id: decision,
            command: DecisionCommand::ReviseAnswer {
                contribution_id: contribution,
                disposition: Disposition::Retained,
                rationale: None,
                reason: "r".into(),
                on,
            },
        },
        C::Decision {
            id: decision,
            command: DecisionCommand::PublishAnswer {
                contribution_id: contribution,
                on,
            },
        },
        C::Decision {
            id: decision,
            command: DecisionCommand::Amend {
                text: "t".into(),
                reason: "r".into(),
                on,
            },
        },
        C::Decision {
            id: decision,
            command: DecisionCommand::Withdraw {
                reason: "r".into(),
                on,
            },
        },
    ];
    for command in &commands {
        let (mutation, input) = mutation_of(command);
        assert!(
            schema.contains(&format!("\t{mutation}(input: "))
                || schema.contains(&format!("  {mutation}(input: ")),
            "{mutation} is not a mutation of the schema"
        );
        assert!(
            input.as_object().is_some_and(|i| !i.is_empty()),
            "{mutation}: {input}"
        );
    }
}

#[tokio::test]
async fn the_scenario_recorded_through_graphql_reads_back_with_its_figures() {
    let service = Service::start().await;
    let community = CommunityId(id_of("community", "cpts-val-de-letang"));
    let coordinator = tokens::create(
        &service.repo,
        community,
        Role::Coordinator,
        None,
        "coordination",
    )
    .await
    .expect("token")
    .secret;
    let client = GraphqlClient::new(service.url.clone(), coordinator);
    let summary = demo::record_scenario(&client)
        .await
        .expect("the whole scenario goes through the API");
    assert_eq!(summary.events, 117);
    // The events were recorded by the API: they name the coordinator's token as actor.
    assert_eq!(service.repo.head().await.expect("head").position, 117);
    let log = service.repo.read_log(0, 200).await.expect("the log");
    assert!(
        log.iter().all(|e| e.metadata["actor"]
            .as_str()
            .is_some_and(|a| a.starts_with("token:"))),
        "every event came through the API"
    );

    let ask = |query: &'static str, variables: Value| {
        let client = &client;
        async move {
            let answer = client.send(query, variables).await;
            assert!(answer.get("errors").is_none(), "{answer}");
            answer["data"].clone()
        }
    };

    // The perimeter decision: 14 contributions, 9 retained, 3 partly, 2 not with their reasons,
    // one answer late.
    let data = ask(
        "query($id: ID!, $asOf: NaiveDate) { decision(id: $id, asOf: $asOf) { status moment \
         tally { consensus colleges { collegeId votesFor votesAgainst abstentions } } \
         trail { entries { kind disposition rationale onTime } counts { disposition count } shareRetained } } }",
        json!({ "id": id_of("decision", "d-perimetre").to_string(), "asOf": AS_OF }),
    )
    .await;
    let trail = &data["decision"]["trail"];
    assert_eq!(data["decision"]["status"], "ADOPTED");
    // Vocabularies are enums and the tally an object, as typed as the record they come from.
    assert_eq!(data["decision"]["moment"], "DIAGNOSIS");
    let tally = &data["decision"]["tally"];
    assert_eq!(tally["consensus"], false, "{tally}");
    let colleges = tally["colleges"].as_array().expect("the votes per collège");
    assert_eq!(colleges.len(), 3, "{tally}");
    assert!(
        colleges.iter().all(|c| c["votesFor"].as_u64().is_some()),
        "{tally}"
    );
    assert_eq!(trail["entries"].as_array().map(Vec::len), Some(14));
    let count = |d: &str| {
        trail["counts"]
            .as_array()
            .and_then(|c| c.iter().find(|c| c["disposition"] == d))
            .and_then(|c| c["count"].as_u64())
            .unwrap_or(0)
    };
    assert_eq!(
        (
            count("RETAINED"),
            count("PARTLY_RETAINED"),
            count("NOT_RETAINED")
        ),
        (9, 3, 2)
    );
    let entries = trail["entries"].as_array().expect("entries");
    let reasons: Vec<&str> = entries
        .iter()
        .filter(|e| e["disposition"] == "NOT_RETAINED")
        .filter_map(|e| e["rationale"].as_str())
        .collect();
    assert_eq!(reasons.len(), 2, "each not retained with its reason");
    assert_eq!(
        entries.iter().filter(|e| e["onTime"] == false).count(),
        1,
        "one answer late"
    );

    // Promise keeping of the perimeter consultation: 13 on time, 1 late.
    let data = ask(
        "query($asOf: NaiveDate) { consultations(asOf: $asOf) { id promiseKeeping { owed answeredOnTime answeredLate unansweredOverdue } } }",
        json!({ "asOf": AS_OF }),
    )
    .await;
    let perimetre = id_of("consultation", "perimetre").to_string();
    let keeping = data["consultations"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["id"] == perimetre.as_str()))
        .map(|c| c["promiseKeeping"].clone())
        .expect("the perimeter consultation");
    assert_eq!(
        keeping,
        json!({ "owed": 14, "answeredOnTime": 13, "answeredLate": 1, "unansweredOverdue": 0 })
    );

    // The register: one representative outside the territory, the non-approved association
    // flagged with its next step.
    let data = ask(
        "query($asOf: NaiveDate) { register(asOf: $asOf) { representatives { name livesInTerritory } \
         associations { name approval nextStep } checks { code ok } } }",
        json!({ "asOf": AS_OF }),
    )
    .await;
    let register = &data["register"];
    let outside: Vec<&str> = register["representatives"]
        .as_array()
        .expect("representatives")
        .iter()
        .filter(|r| r["livesInTerritory"] == false)
        .filter_map(|r| r["name"].as_str())
        .collect();
    assert_eq!(outside, ["Karim Benali"]);
    let not_approved: Vec<&Value> = register["associations"]
        .as_array()
        .expect("associations")
        .iter()
        .filter(|a| a["approval"] == "not_approved")
        .collect();
    assert_eq!(not_approved.len(), 1);
    assert!(not_approved[0]["nextStep"]
        .as_str()
        .unwrap_or("")
        .contains("France Assos Santé"));

    // The screening decision's indicator, reported twice.
    let data = ask(
        "query($id: ID!, $asOf: NaiveDate) { decision(id: $id, asOf: $asOf) { indicators { period value } } }",
        json!({ "id": id_of("decision", "d-depistage").to_string(), "asOf": AS_OF }),
    )
    .await;
    assert_eq!(
        data["decision"]["indicators"],
        json!([{ "period": "2026-09", "value": 31.0 }, { "period": "2026-10", "value": 44.0 }])
    );

    // A representative reads their own contributions, all answered.
    let martine = tokens::create(
        &service.repo,
        community,
        Role::Representative,
        Some(MemberId(id_of("member", "martine-roussel"))),
        "Martine Roussel",
    )
    .await
    .expect("token")
    .secret;
    let mine = GraphqlClient::new(service.url.clone(), martine)
        .send(
            "query($asOf: NaiveDate) { myContributions(asOf: $asOf) { status disposition } }",
            json!({ "asOf": AS_OF }),
        )
        .await;
    let mine = mine["data"]["myContributions"].as_array().expect("hers");
    assert_eq!(mine.len(), 4);
    assert!(mine.iter().all(|c| c["status"] == "answered"));

    // Without a token: the published decisions, and nobody's name or commune anywhere.
    let (_, public) = service
        .send_as(
            None,
            "query($c: ID, $asOf: NaiveDate) { decisions(communityId: $c, first: 10, asOf: $asOf) { totalCount edges { node { title \
             trail { entries { authorName anonymous anonymousCommune text disposition rationale } } } } } }",
            json!({ "c": community.to_string(), "asOf": AS_OF }),
        )
        .await;
    assert_eq!(public["data"]["decisions"]["totalCount"], 2, "{public}");
    let text = public.to_string();
    let scenario = demo::scenario().expect("the scenario reads");
    for member in &scenario.members {
        assert!(
            !text.contains(&member.name),
            "{} is named in the public view",
            member.name
        );
    }
    for commune in ["Marseillan", "Frontignan", "Balaruc", "Montpellier"] {
        assert!(!text.contains(&format!("\"anonymousCommune\":\"{commune}")));
    }
    assert!(
        !text.contains("\"anonymousCommune\":\""),
        "no inhabitant's commune"
    );
    assert!(!text.contains("\"authorName\":\""), "no author's name");
}
