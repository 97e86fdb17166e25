//! The committed SDL is the API's contract: this test fails when the code's schema differs.

use std::path::PathBuf;

#[test]
fn the_committed_schema_is_the_schema_the_code_serves() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("schema.graphql");
    let sdl = cpts_graphql::sdl();
    if std::env::var_os("UPDATE_SCHEMA").is_some() {
        std::fs::write(&path, &sdl).expect("writing graphql/schema.graphql");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == sdl,
        "graphql/schema.graphql differs from the schema the code serves; review the change, then \
         regenerate it with `UPDATE_SCHEMA=1 cargo test -p cpts-graphql --test schema` and commit it"
    );
}

#[test]
fn every_domain_command_has_its_mutation() {
    let sdl = cpts_graphql::sdl();
    let mutations = [
        "registerCommunity",
        "redrawTerritory",
        "defineCollege",
        "establishBody",
        "adoptInternalRules",
        "registerAssociation",
        "recordApproval",
        "engageAssociation",
        "withdrawAssociation",
        "admitMember",
        "grantMandate",
        "writeCadreIntervention",
        "endMandate",
        "seatInCollege",
        "seatInBody",
        "leaveBody",
        "recordDeparture",
        "openConsultation",
        "submitContribution",
        "amendContribution",
        "withdrawContribution",
        "closeConsultation",
        "publishSynthesis",
        "proposeDecision",
        "linkConsultation",
        "draftAnswer",
        "reviseAnswer",
        "publishAnswer",
        "publishAllAnswers",
        "recordVote",
        "amendDecision",
        "withdrawDecision",
        "recordMilestone",
        "reportIndicator",
    ];
    for mutation in mutations {
        assert!(
            sdl.contains(&format!("\t{mutation}(")),
            "the mutation {mutation} is missing"
        );
    }
}
