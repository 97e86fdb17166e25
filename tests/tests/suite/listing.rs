//! The listings a dashboard pages through, read from the projections: the demo's decisions and
//! their filters, tenant scoping, batched trails, the timeline, and keyset pagination over many
//! decisions, on both backends.

use std::collections::{HashMap, HashSet};

use chrono::{Days, NaiveDate};
use cpts_domain::access::Caller;
use cpts_domain::command::{Actor, AddressedCommand};
use cpts_domain::community::CommunityCommand;
use cpts_domain::decision::{DecisionCommand, Proposal};
use cpts_domain::ids::{BodyId, CommunityId, DecisionId};
use cpts_domain::values::{BodyKind, Commune, Mission, Moment};
use cpts_graphql::port::{CommandContext, LedgerPort};
use cpts_ledger::demo::{self, id_of, ScenarioAuthor};
use cpts_ledger::service::Ledger;
use cpts_ledger_tests::{open_store, postgres_db, sqlite_db};
use cpts_projections::listing::{
    self, DecisionCursor, DecisionFilter, DecisionSummary, RecordKind,
};
use cpts_projections::{queries, ReadDb};
use uuid::Uuid;

fn date(text: &str) -> NaiveDate {
    text.parse().expect("a date")
}

async fn send(ledger: &Ledger, command: AddressedCommand) {
    let context = CommandContext {
        caller: Caller::Trusted(Actor::System),
        command_id: Uuid::new_v4(),
    };
    ledger.execute(command, context).await.expect("recorded");
}

/// A CPTS of one commune with a board.
async fn register_cpts(ledger: &Ledger, name: &str) -> (CommunityId, BodyId) {
    let community_id = CommunityId(Uuid::new_v4());
    let to = |command| AddressedCommand::Community {
        id: community_id,
        command,
    };
    let register = CommunityCommand::Register {
        community_id,
        name: name.to_owned(),
        territory: vec![Commune {
            insee: "34157".into(),
            name: "Mèze".into(),
        }],
    };
    send(ledger, to(register)).await;
    let body_id = BodyId(Uuid::new_v4());
    let establish = CommunityCommand::EstablishBody {
        body_id,
        kind: BodyKind::Board,
        name: "Conseil d'administration".into(),
    };
    send(ledger, to(establish)).await;
    (community_id, body_id)
}

async fn propose(
    ledger: &Ledger,
    (community_id, body_id): (CommunityId, BodyId),
    title: &str,
    proposed_on: NaiveDate,
    moment: Moment,
) -> DecisionId {
    let decision_id = DecisionId(Uuid::new_v4());
    let propose = DecisionCommand::Propose {
        decision_id,
        community_id,
        proposal: Proposal {
            body_id,
            title: title.to_owned(),
            text: format!("Texte de « {title} »."),
            moment,
            mission: Mission::AccessToCare,
            proposed_on,
        },
    };
    send(
        ledger,
        AddressedCommand::Decision {
            id: decision_id,
            command: propose,
        },
    )
    .await;
    decision_id
}

fn ids(items: &[DecisionSummary]) -> Vec<String> {
    items.iter().map(|d| d.decision_id.clone()).collect()
}

/// A whole listing through a filter, in one page, checking its count.
async fn listed(db: &ReadDb, community_id: &str, filter: DecisionFilter) -> Vec<String> {
    let page = listing::decisions_page(db, community_id, &filter, None, 50)
        .await
        .expect("reads");
    assert!(!page.has_next_page, "{filter:?}");
    assert_eq!(page.total_count, page.items.len() as u64, "{filter:?}");
    ids(&page.items)
}

async fn the_demo_lists_as_a_dashboard_shows_it(url: &str) {
    let repo = open_store(url).await.expect("store opens");
    let ledger = Ledger::new(repo);
    let summary = demo::record_scenario(&ledger).await.expect("demo recorded");
    // Another CPTS, with a decision newer than the demo's: it must never show in the demo's lists.
    let thau = register_cpts(&ledger, "CPTS du Bassin de Thau").await;
    let elsewhere = propose(
        &ledger,
        thau,
        "Décision d'ailleurs",
        date("2026-07-01"),
        Moment::Diagnosis,
    )
    .await
    .to_string();
    let other = thau.0.to_string();
    let db = ledger.projector().db();
    let cpts = id_of("community", "cpts-val-de-letang").to_string();
    let perimetre = id_of("decision", "d-perimetre").to_string();
    let depistage = id_of("decision", "d-depistage").to_string();
    let board = id_of("body", "ca").to_string();
    let as_of = date("2026-12-31");

    // Newest first, with the body's name.
    let all = listing::decisions_page(db, &cpts, &DecisionFilter::default(), None, 20)
        .await
        .expect("reads");
    assert_eq!(ids(&all.items), [depistage.clone(), perimetre.clone()]);
    assert_eq!((all.total_count, all.has_next_page), (2, false));
    let first = &all.items[0];
    assert_eq!(first.body_name, "Conseil d'administration");
    assert_eq!(first.body_id, board);
    assert_eq!(first.community_id, cpts);
    assert_eq!(first.title, "Lancer un dépistage du pied diabétique");
    assert_eq!(
        (first.moment.as_str(), first.mission.as_str()),
        ("prioritisation", "prevention")
    );
    assert_eq!(
        (first.status.as_str(), first.proposed_on.as_str()),
        ("adopted", "2026-06-10")
    );
    assert_eq!(first.voted_on.as_deref(), Some("2026-06-25"));
    assert!(first.tally.is_some());
    assert_eq!((first.amendments, first.withdrawn_on.as_deref()), (0, None));

    // Each filter narrows the list.
    let both = vec![depistage.clone(), perimetre.clone()];
    let filters: Vec<(DecisionFilter, Vec<String>)> = vec![
        (
            DecisionFilter {
                status: Some("adopted".into()),
                ..Default::default()
            },
            both.clone(),
        ),
        (
            DecisionFilter {
                status: Some("proposed".into()),
                ..Default::default()
            },
            vec![],
        ),
        (
            DecisionFilter {
                published_only: true,
                ..Default::default()
            },
            both.clone(),
        ),
        (
            DecisionFilter {
                moment: Some("diagnosis".into()),
                ..Default::default()
            },
            vec![perimetre.clone()],
        ),
        (
            DecisionFilter {
                moment: Some("governance".into()),
                ..Default::default()
            },
            vec![],
        ),
        (
            DecisionFilter {
                mission: Some("prevention".into()),
                ..Default::default()
            },
            vec![depistage.clone()],
        ),
        (
            DecisionFilter {
                mission: Some("access_to_care".into()),
                ..Default::default()
            },
            vec![perimetre.clone()],
        ),
        (
            DecisionFilter {
                body_id: Some(board.clone()),
                ..Default::default()
            },
            both.clone(),
        ),
        (
            DecisionFilter {
                body_id: Some(id_of("body", "ag").to_string()),
                ..Default::default()
            },
            vec![],
        ),
        (
            DecisionFilter {
                body_id: Some(thau.1.to_string()),
                ..Default::default()
            },
            vec![],
        ),
        (
            DecisionFilter {
                proposed_from: Some(date("2026-03-21")),
                ..Default::default()
            },
            vec![depistage.clone()],
        ),
        (
            DecisionFilter {
                proposed_to: Some(date("2026-03-20")),
                ..Default::default()
            },
            vec![perimetre.clone()],
        ),
        (
            DecisionFilter {
                proposed_from: Some(date("2026-06-10")),
                proposed_to: Some(date("2026-06-10")),
                ..Default::default()
            },
            vec![depistage.clone()],
        ),
        (
            DecisionFilter {
                proposed_from: Some(date("2026-06-11")),
                ..Default::default()
            },
            vec![],
        ),
        (
            DecisionFilter {
                moment: Some("diagnosis".into()),
                status: Some("adopted".into()),
                ..Default::default()
            },
            vec![perimetre.clone()],
        ),
        (
            DecisionFilter {
                moment: Some("diagnosis".into()),
                mission: Some("prevention".into()),
                ..Default::default()
            },
            vec![],
        ),
    ];
    for (filter, expected) in filters {
        assert_eq!(
            listed(db, &cpts, filter.clone()).await,
            expected,
            "{filter:?}"
        );
    }

    // Another CPTS sees only its own; an unknown one sees nothing.
    assert_eq!(
        listed(db, &other, DecisionFilter::default()).await,
        [elsewhere.as_str()]
    );
    let unpublished = DecisionFilter {
        published_only: true,
        ..Default::default()
    };
    assert!(listed(db, &other, unpublished).await.is_empty());
    let nobody = Uuid::new_v4().to_string();
    assert!(listed(db, &nobody, DecisionFilter::default())
        .await
        .is_empty());
    let timeline = listing::timeline_page(db, &nobody, None, 10)
        .await
        .expect("reads");
    assert!(timeline.items.is_empty() && !timeline.has_next_page);
    assert!(listing::consultations(db, &nobody, as_of)
        .await
        .expect("reads")
        .is_empty());
    assert!(listing::members(db, &nobody)
        .await
        .expect("reads")
        .is_empty());
    assert!(listing::associations(db, &nobody)
        .await
        .expect("reads")
        .is_empty());

    // One decision a page: the cursor, through its text, continues where the first page stopped.
    let default = DecisionFilter::default();
    let page = listing::decisions_page(db, &cpts, &default, None, 1)
        .await
        .expect("reads");
    assert_eq!(ids(&page.items), [depistage.as_str()]);
    assert_eq!((page.has_next_page, page.total_count), (true, 2));
    let cursor = DecisionCursor::decode(&page.items[0].cursor().encode()).expect("a cursor");
    let page = listing::decisions_page(db, &cpts, &default, Some(&cursor), 1)
        .await
        .expect("reads");
    assert_eq!(ids(&page.items), [perimetre.as_str()]);
    assert_eq!((page.has_next_page, page.total_count), (false, 2));

    // By ids, in the order asked, each once, unknown ones left out; other CPTSs' rows say whose.
    let unknown = Uuid::new_v4().to_string();
    let asked = [
        perimetre.clone(),
        unknown.clone(),
        depistage.clone(),
        perimetre.clone(),
        elsewhere.clone(),
    ];
    let found = listing::decisions_by_ids(db, &asked).await.expect("reads");
    assert_eq!(
        ids(&found),
        [perimetre.clone(), depistage.clone(), elsewhere.clone()]
    );
    assert_eq!(found[1], all.items[0]);
    assert_eq!(found[2].community_id, other);
    assert!(listing::decisions_by_ids(db, &[])
        .await
        .expect("reads")
        .is_empty());

    // The batched trails are the single ones, on any date.
    let asked = [perimetre.clone(), depistage.clone(), unknown.clone()];
    for day in [as_of, date("2026-04-05"), date("2026-01-01")] {
        let trails = listing::influence_trails(db, &asked, day)
            .await
            .expect("reads");
        assert_eq!(trails.len(), 2, "the unknown decision is absent");
        for id in [&perimetre, &depistage] {
            let single = queries::influence_trail(db, id, day)
                .await
                .expect("reads")
                .expect("the decision");
            assert_eq!(trails.get(id), Some(&single), "{id} as of {day}");
        }
    }
    let trails = listing::influence_trails(db, &asked, as_of)
        .await
        .expect("reads");
    assert_eq!(trails[&perimetre].entries.len(), 14);
    assert_eq!(trails[&depistage].entries.len(), 5);
    assert_eq!(
        trails[&perimetre].consultations[0].consultation_id,
        id_of("consultation", "perimetre").to_string()
    );

    // Milestones and indicators, batched.
    let milestones = listing::milestones(db, &asked).await.expect("reads");
    let days = |id: &str| -> Vec<String> {
        milestones[id]
            .iter()
            .map(|m| m.happened_on.clone())
            .collect()
    };
    assert_eq!(milestones.len(), 2);
    assert_eq!(days(&perimetre), ["2026-05-04"]);
    assert_eq!(days(&depistage), ["2026-09-01"]);
    assert!(milestones[&perimetre][0]
        .milestone
        .starts_with("Le centre social La Passerelle"));
    let indicators = listing::indicators(db, &asked).await.expect("reads");
    assert_eq!(
        indicators.len(),
        1,
        "only the screening reports an indicator"
    );
    assert_eq!(
        indicators[&depistage],
        queries::indicator_history(db, &cpts).await.expect("reads")
    );
    let values: Vec<(&str, f64)> = indicators[&depistage]
        .iter()
        .map(|r| (r.period.as_str(), r.value))
        .collect();
    assert_eq!(values, [("2026-09", 31.0), ("2026-10", 44.0)]);

    // The timeline, in log order; each page continues exactly where the previous one stopped.
    let whole = listing::timeline_page(db, &cpts, None, 1_000)
        .await
        .expect("reads");
    assert!(!whole.has_next_page);
    assert_eq!(whole.items.len(), summary.events);
    assert!(whole
        .items
        .windows(2)
        .all(|w| w[0].position < w[1].position));
    assert_eq!(whole.items[0].event_type, "CommunityRegistered");
    let mut walked = Vec::new();
    let mut after = None;
    loop {
        let page = listing::timeline_page(db, &cpts, after, 25)
            .await
            .expect("reads");
        after = page
            .items
            .last()
            .map(|e| u64::try_from(e.position).expect("a position"));
        walked.extend(page.items.iter().cloned());
        if !page.has_next_page {
            break;
        }
        assert_eq!(page.items.len(), 25);
    }
    assert_eq!(walked, whole.items);
    let past_the_end = listing::timeline_page(db, &cpts, after, 25)
        .await
        .expect("reads");
    assert!(past_the_end.items.is_empty() && !past_the_end.has_next_page);
    let theirs = listing::timeline_page(db, &other, None, 25)
        .await
        .expect("reads");
    assert_eq!(theirs.items.len(), 3, "registered, a body, a proposal");
    assert!(theirs
        .items
        .iter()
        .all(|e| !whole.items.iter().any(|o| o.position == e.position)));

    // Consultations, latest opening first, with their contributions as of a date.
    let scenario = demo::scenario().expect("the scenario");
    for day in [as_of, date("2026-02-10"), date("2026-03-10")] {
        let list = listing::consultations(db, &cpts, day).await.expect("reads");
        let mut expected: Vec<_> = scenario.consultations.iter().collect();
        expected.sort_by_key(|c| std::cmp::Reverse(c.opens_on));
        let seen: Vec<(String, i64, Option<String>)> = list
            .iter()
            .map(|c| {
                (
                    c.consultation_id.clone(),
                    c.contributions,
                    c.closed_on.clone(),
                )
            })
            .collect();
        let wanted: Vec<(String, i64, Option<String>)> = expected
            .iter()
            .map(|c| {
                let submitted = c
                    .contributions
                    .iter()
                    .filter(|k| k.submitted_on <= day)
                    .count();
                (
                    id_of("consultation", &c.slug).to_string(),
                    submitted as i64,
                    (c.closes_on <= day).then(|| c.closes_on.to_string()),
                )
            })
            .collect();
        assert_eq!(seen, wanted, "as of {day}");
    }

    // Members and associations, by name.
    let members = listing::members(db, &cpts).await.expect("reads");
    let names: Vec<&str> = members.iter().map(|m| m.name.as_str()).collect();
    let mut expected: Vec<&str> = scenario.members.iter().map(|m| m.name.as_str()).collect();
    expected.sort();
    assert_eq!(names, expected);
    let martine = members
        .iter()
        .find(|m| m.member_id == id_of("member", "martine-roussel").to_string())
        .expect("Martine Roussel");
    let mandate = scenario
        .members
        .iter()
        .find(|m| m.slug == "martine-roussel")
        .and_then(|m| m.mandate.clone())
        .expect("her mandate");
    assert_eq!(
        martine.mandate_association_id,
        Some(id_of("association", &mandate.association).to_string())
    );
    assert_eq!(
        (martine.mandate_start.clone(), martine.mandate_end.clone()),
        (
            Some(mandate.start.to_string()),
            Some(mandate.end.to_string())
        )
    );
    assert!(martine.college_id.is_some() && martine.departed_on.is_none());
    let associations = listing::associations(db, &cpts).await.expect("reads");
    let names: Vec<&str> = associations.iter().map(|a| a.name.as_str()).collect();
    let mut expected: Vec<&str> = scenario
        .associations
        .iter()
        .map(|a| a.name.as_str())
        .collect();
    expected.sort();
    assert_eq!(names, expected);
    for association in &scenario.associations {
        let listed = associations
            .iter()
            .find(|a| a.name == association.name)
            .expect("listed");
        assert_eq!(
            listed.approval_granted_on,
            association
                .approval
                .as_ref()
                .map(|a| a.granted_on.to_string())
        );
        assert_eq!(
            listed.engaged_since,
            Some(association.engagement.since.to_string())
        );
    }

    // The CPTS of each kind of record, for tenant checks.
    let records = [
        (RecordKind::Decision, perimetre.clone()),
        (
            RecordKind::Consultation,
            id_of("consultation", "atelier-diabete").to_string(),
        ),
        (
            RecordKind::Contribution,
            id_of("contribution", "p10").to_string(),
        ),
        (
            RecordKind::Member,
            id_of("member", "karim-benali").to_string(),
        ),
        (
            RecordKind::Association,
            id_of("association", &mandate.association).to_string(),
        ),
        (RecordKind::Community, cpts.clone()),
    ];
    for (kind, id) in records {
        assert_eq!(
            listing::community_of(db, kind, &id).await.expect("reads"),
            Some(cpts.clone()),
            "{kind:?}"
        );
        assert_eq!(
            listing::community_of(db, kind, &unknown)
                .await
                .expect("reads"),
            None,
            "{kind:?}"
        );
    }
    assert_eq!(
        listing::community_of(db, RecordKind::Decision, &elsewhere)
            .await
            .expect("reads"),
        Some(other.clone())
    );
    assert_eq!(
        listing::community_of(db, RecordKind::Community, &other)
            .await
            .expect("reads"),
        Some(other.clone())
    );
    // A decision's id is not a consultation's.
    assert_eq!(
        listing::community_of(db, RecordKind::Consultation, &perimetre)
            .await
            .expect("reads"),
        None
    );

    // Who wrote each contribution: a member, or nobody for an anonymous inhabitant.
    let mut expected: HashMap<String, Option<String>> = HashMap::new();
    for consultation in &scenario.consultations {
        for k in &consultation.contributions {
            let author = match &k.author {
                ScenarioAuthor::Member(slug) => Some(id_of("member", slug).to_string()),
                ScenarioAuthor::Anonymous { .. } => None,
            };
            expected.insert(id_of("contribution", &k.slug).to_string(), author);
        }
    }
    assert!(expected.values().any(Option::is_none) && expected.values().any(Option::is_some));
    let mut asked: Vec<String> = expected.keys().cloned().collect();
    asked.push(unknown);
    let authors = listing::contribution_authors(db, &asked)
        .await
        .expect("reads");
    assert_eq!(authors, expected);
}

#[tokio::test]
async fn the_demo_lists_as_a_dashboard_shows_it_on_postgres() {
    let db = postgres_db().await;
    the_demo_lists_as_a_dashboard_shows_it(db.url()).await;
}

#[tokio::test]
async fn the_demo_lists_as_a_dashboard_shows_it_on_sqlite() {
    let db = sqlite_db();
    the_demo_lists_as_a_dashboard_shows_it(db.url()).await;
}

/// Walks a whole listing `first` decisions at a time; every page gives the same total.
async fn walk(
    db: &ReadDb,
    community_id: &str,
    filter: &DecisionFilter,
    first: u32,
) -> Vec<DecisionSummary> {
    let mut walked: Vec<DecisionSummary> = Vec::new();
    let mut totals = HashSet::new();
    let mut after: Option<DecisionCursor> = None;
    loop {
        let page = listing::decisions_page(db, community_id, filter, after.as_ref(), first)
            .await
            .expect("reads");
        totals.insert(page.total_count);
        walked.extend(page.items.iter().cloned());
        let Some(last) = page.items.last().filter(|_| page.has_next_page) else {
            break;
        };
        assert_eq!(
            page.items.len(),
            first as usize,
            "a full page before the last"
        );
        // The cursor goes through its text, as a client hands it back.
        after = Some(DecisionCursor::decode(&last.cursor().encode()).expect("a cursor"));
    }
    assert_eq!(totals, HashSet::from([walked.len() as u64]), "{filter:?}");
    walked
}

async fn pages_walk_every_decision_once_in_order(url: &str) {
    let repo = open_store(url).await.expect("store opens");
    let ledger = Ledger::new(repo).projecting_after_commands(false);
    let cpts = register_cpts(&ledger, "CPTS des 250 décisions").await;
    let mut withdrawn = HashSet::new();
    for i in 0..250u64 {
        // Twenty days for 250 decisions: many share a day, and their ids order them.
        let day = date("2025-01-01") + Days::new(i % 20);
        let moment = if i % 2 == 0 {
            Moment::Diagnosis
        } else {
            Moment::Prioritisation
        };
        let id = propose(&ledger, cpts, &format!("Décision {i}"), day, moment).await;
        if i % 10 == 3 {
            let withdraw = DecisionCommand::Withdraw {
                reason: "Remplacée.".into(),
                on: day,
            };
            send(
                &ledger,
                AddressedCommand::Decision {
                    id,
                    command: withdraw,
                },
            )
            .await;
            withdrawn.insert(id.to_string());
        }
    }
    ledger.projector().catch_up().await.expect("caught up");
    let db = ledger.projector().db();
    let community = cpts.0.to_string();

    // Pages of 100: 100, 100 and 50, every decision once, newest first then by id.
    let mut sizes = Vec::new();
    let mut walked: Vec<DecisionSummary> = Vec::new();
    let mut after: Option<DecisionCursor> = None;
    loop {
        let page = listing::decisions_page(
            db,
            &community,
            &DecisionFilter::default(),
            after.as_ref(),
            100,
        )
        .await
        .expect("reads");
        assert_eq!(page.total_count, 250);
        sizes.push((page.items.len(), page.has_next_page));
        walked.extend(page.items.iter().cloned());
        if !page.has_next_page {
            break;
        }
        let last = page.items.last().expect("a full page");
        after = Some(DecisionCursor::decode(&last.cursor().encode()).expect("a cursor"));
    }
    assert_eq!(sizes, [(100, true), (100, true), (50, false)]);
    let distinct: HashSet<&str> = walked.iter().map(|d| d.decision_id.as_str()).collect();
    assert_eq!(distinct.len(), 250);
    let keys: Vec<(String, String)> = walked
        .iter()
        .map(|d| (d.proposed_on.clone(), d.decision_id.clone()))
        .collect();
    let mut sorted = keys.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(keys, sorted, "newest proposal first, then by id");
    let after_last = walked.last().expect("decisions").cursor();
    let beyond = listing::decisions_page(
        db,
        &community,
        &DecisionFilter::default(),
        Some(&after_last),
        100,
    )
    .await
    .expect("reads");
    assert!(beyond.items.is_empty() && !beyond.has_next_page);
    assert_eq!(beyond.total_count, 250);

    // Filtered listings walked seven at a time are the whole listing, filtered.
    let filters = [
        DecisionFilter {
            moment: Some("diagnosis".into()),
            ..Default::default()
        },
        DecisionFilter {
            status: Some("withdrawn".into()),
            ..Default::default()
        },
        DecisionFilter {
            status: Some("proposed".into()),
            moment: Some("prioritisation".into()),
            ..Default::default()
        },
        DecisionFilter {
            proposed_from: Some(date("2025-01-05")),
            proposed_to: Some(date("2025-01-09")),
            ..Default::default()
        },
        DecisionFilter {
            published_only: true,
            ..Default::default()
        },
    ];
    for filter in filters {
        let expected: Vec<DecisionSummary> = walked
            .iter()
            .filter(|d| {
                let day = date(&d.proposed_on);
                filter.moment.as_ref().is_none_or(|m| *m == d.moment)
                    && filter.status.as_ref().is_none_or(|s| *s == d.status)
                    && filter.proposed_from.is_none_or(|f| f <= day)
                    && filter.proposed_to.is_none_or(|t| day <= t)
                    && (!filter.published_only || listing::is_published(&d.status))
            })
            .cloned()
            .collect();
        assert_eq!(
            walk(db, &community, &filter, 7).await,
            expected,
            "{filter:?}"
        );
    }
    let withdrawn_listed: HashSet<String> = listed(
        db,
        &community,
        DecisionFilter {
            status: Some("withdrawn".into()),
            ..Default::default()
        },
    )
    .await
    .into_iter()
    .collect();
    assert_eq!(withdrawn_listed, withdrawn);
    assert_eq!(withdrawn.len(), 25);

    // By ids, in one go.
    let asked: Vec<String> = walked.iter().rev().map(|d| d.decision_id.clone()).collect();
    let found = listing::decisions_by_ids(db, &asked).await.expect("reads");
    assert_eq!(ids(&found), asked);

    // A cursor that is not one of ours is refused, not guessed at.
    for garbage in [
        "",
        "not a cursor",
        "42",
        "2025-01-01",
        "2025-01-01~",
        "2025-02-30~0d1c4e8a-3a43-4a59-9d2e-64f0a1b2c3d4",
        "01/01/2025~0d1c4e8a-3a43-4a59-9d2e-64f0a1b2c3d4",
        "2025-01-01~0d1c4e8a' OR '1'='1",
    ] {
        assert_eq!(DecisionCursor::decode(garbage), None, "{garbage:?}");
    }
    assert_eq!(DecisionCursor::decode(&"7".repeat(300)), None);
}

#[tokio::test]
async fn pages_walk_every_decision_once_in_order_on_postgres() {
    let db = postgres_db().await;
    pages_walk_every_decision_once_in_order(db.url()).await;
}

#[tokio::test]
async fn pages_walk_every_decision_once_in_order_on_sqlite() {
    let db = sqlite_db();
    pages_walk_every_decision_once_in_order(db.url()).await;
}
