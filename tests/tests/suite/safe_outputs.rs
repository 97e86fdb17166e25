//! What the record says cannot change the shape of what is published from it: a decision
//! titled like a spreadsheet formula stays text in the open data, and one titled with line
//! breaks and a heading of its own leaves the report's sections and its seal as they were.

use chrono::NaiveDate;
use cpts_domain::access::Caller;
use cpts_domain::command::{Actor, AddressedCommand};
use cpts_domain::decision::{DecisionCommand, Proposal, Tally};
use cpts_domain::ids::{BodyId, CommunityId, DecisionId};
use cpts_domain::values::{Lang, Mission, Moment, VoteOutcome};
use cpts_graphql::port::{CommandContext, LedgerPort};
use cpts_ledger::demo::{self, id_of};
use cpts_ledger::service::Ledger;
use cpts_ledger_tests::{log_envelopes, open_store, sqlite_db};
use cpts_projections::report::{self, render, Report};
use uuid::Uuid;

fn date(text: &str) -> NaiveDate {
    text.parse().expect("a date")
}

const FORGED_TITLE: &str =
    "Permanence du samedi\n\n## 7. Le registre\n- Empreinte : cpts-ledger:v1:1:00\n<h2>Sceau</h2>";
const FORGED_TEXT: &str = "# Faux rapport\n\n## Sceau\n- Position : 1\n\n---";

async fn send(ledger: &Ledger, id: DecisionId, command: DecisionCommand) {
    let context = CommandContext {
        caller: Caller::Trusted(Actor::System),
        command_id: Uuid::new_v4(),
    };
    ledger
        .execute(AddressedCommand::Decision { id, command }, context)
        .await
        .expect("the command is recorded");
}

/// A decision of the board, proposed and adopted by consensus in November 2026.
async fn adopt(ledger: &Ledger, n: u128, title: &str, text: &str) {
    let id = DecisionId(Uuid::from_u128(0x5afe_0000 + n));
    let proposal = Proposal {
        body_id: BodyId(id_of("body", "ca")),
        title: title.into(),
        text: text.into(),
        moment: Moment::Prioritisation,
        mission: Mission::AccessToCare,
        proposed_on: date("2026-11-20"),
    };
    let community_id = CommunityId(id_of("community", "cpts-val-de-letang"));
    let propose = DecisionCommand::Propose {
        decision_id: id,
        community_id,
        proposal,
    };
    send(ledger, id, propose).await;
    let vote = DecisionCommand::RecordVote {
        on: date("2026-11-27"),
        tally: Tally::Consensus,
        outcome: VoteOutcome::Adopted,
    };
    send(ledger, id, vote).await;
}

fn report_of(events: &[cpts_projections::Envelope], lang: Lang) -> Report {
    report::build(
        events,
        &id_of("community", "cpts-val-de-letang").to_string(),
        (date("2026-01-01"), date("2026-12-31")),
        date("2026-12-31"),
        lang,
    )
}

/// The outline of a Markdown report: its title and sections, and the lines of its seal (a
/// decision of its own adds a `###` heading inside section 6, nothing else).
fn outline(markdown: &str) -> Vec<String> {
    markdown
        .lines()
        .filter(|l| {
            l.starts_with("# ")
                || l.starts_with("## ")
                || *l == "---"
                || (l.starts_with("- ") && l.contains("cpts-ledger:v"))
        })
        .map(|l| {
            // The seal's own position and hash move with the log; its shape must not.
            match l.find("cpts-ledger:v") {
                Some(at) => format!("{}<digest>", &l[..at]),
                None => l.to_owned(),
            }
        })
        .collect()
}

/// The title, sections and footer of an HTML report.
fn html_outline(html: &str) -> [usize; 4] {
    ["<h1", "<h2", "<section", "<footer"].map(|tag| html.matches(tag).count())
}

#[tokio::test]
async fn what_the_record_says_cannot_reshape_the_report_or_run_in_a_spreadsheet() {
    let db = sqlite_db();
    let repo = open_store(db.url()).await.expect("store opens");
    let ledger = Ledger::new(repo.clone());
    demo::record_scenario(&ledger).await.expect("demo recorded");
    adopt(
        &ledger,
        1,
        "Permanence du samedi",
        "Une permanence le samedi.",
    )
    .await;
    let plain = log_envelopes(&repo).await;

    // The same decisions, one titled with a forged section and a seal, two with formulas.
    let db2 = sqlite_db();
    let repo2 = open_store(db2.url()).await.expect("store opens");
    let ledger2 = Ledger::new(repo2.clone());
    demo::record_scenario(&ledger2)
        .await
        .expect("demo recorded");
    adopt(&ledger2, 1, FORGED_TITLE, FORGED_TEXT).await;
    adopt(&ledger2, 2, "=1+1", "@SUM(A1)").await;
    adopt(&ledger2, 3, "@SUM(A1)", "=1+1").await;
    let forged = log_envelopes(&repo2).await;

    for lang in [Lang::Fr, Lang::En] {
        let (before, after) = (report_of(&plain, lang), report_of(&forged, lang));
        assert!(
            after.decisions.iter().any(|d| d.title == "=1+1"),
            "the decisions are in the report"
        );
        let (md_before, md_after) = (render::markdown(&before), render::markdown(&after));
        assert!(md_after.contains("Permanence du samedi"));
        assert_eq!(
            outline(&md_before),
            outline(&md_after),
            "a title or a text with line breaks opens no section and forges no seal ({lang:?})"
        );
        let (html_before, html_after) = (render::html(&before), render::html(&after));
        assert_eq!(html_outline(&html_before), html_outline(&html_after));
        assert!(
            html_after.contains("<p># Faux rapport  ## Sceau - Position : 1  ---</p>"),
            "the text reads as written, on one line"
        );
        assert!(
            !html_after.contains("<h2>Sceau</h2>"),
            "markup in a title stays text"
        );

        let files = render::open_data(&after);
        let (_, decisions) = files
            .iter()
            .find(|(name, _)| *name == "decisions.csv")
            .expect("decisions.csv");
        // Read as a spreadsheet reads it: RFC 4180, quoted line breaks included.
        let rows: Vec<csv::StringRecord> = csv::Reader::from_reader(decisions.as_bytes())
            .records()
            .collect::<Result<_, _>>()
            .expect("decisions.csv is well-formed CSV");
        let published = after
            .decisions
            .iter()
            .filter(|d| cpts_projections::listing::is_published(&d.status.code))
            .count();
        assert_eq!(rows.len(), published, "one row per published decision");
        let cells: Vec<&str> = rows.iter().flat_map(|r| r.iter()).collect();
        for formula in ["=1+1", "@SUM(A1)"] {
            assert!(
                cells.contains(&format!("'{formula}").as_str()),
                "{formula} is published, as text: {decisions}"
            );
        }
        assert!(
            cells.contains(&FORGED_TITLE),
            "the title is published whole, its line breaks quoted"
        );
        assert!(
            !cells.iter().any(|c| c.starts_with(['=', '@', '+'])
                || (c.starts_with('-') && c.parse::<f64>().is_err())),
            "no cell of the open data would run as a formula: {decisions}"
        );
    }
}
