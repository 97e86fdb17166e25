//! Chain version 2: an event's hash covers its CPTS (`community_id`) too, a log recorded before
//! the upgrade keeps its version 1 hashes and digests, and neither `verify` nor `import` lets
//! an event change CPTS.
//!
//! A version 1 log is built the way one came to exist: in a database migrated up to 0012 (the
//! last migration before chain version 2), events are written as the store of that time wrote
//! them, hashed in version 1 with the columns of that time (`write_v1_log`, a test-only copy
//! of the old append: metadata with its recording time, `community_id` copied from it). The
//! store then migrates the database, as `serve` does at start-up, and appends from there.

use std::collections::HashMap;

use chrono::{SubsecRound, Utc};
use cpts_domain::community::CommunityEvent;
use cpts_domain::ids::{BodyId, CommunityId, MemberId};
use cpts_domain::member::{MemberEvent, MemberKind};
use cpts_domain::values::{BodyKind, Commune};
use cpts_graphql::port::LedgerPort;
use cpts_ledger::backup;
use cpts_ledger::demo;
use cpts_ledger::service::Ledger;
use cpts_ledger::store::chain::{event_hash, ChainVersion, Encoding, HashInput, GENESIS};
use cpts_ledger::store::{timestamp_text, Digest, EventRepository, Problem, StoredEvent};
use cpts_ledger_tests::{open_store, postgres_db, sqlite_db};
use cpts_projections::db::{Param, Statement};
use cqrs_es::persist::SerializedEvent;
use cqrs_es::DomainEvent;
use uuid::Uuid;

/// The last migration before chain version 2.
const BEFORE_V2: i64 = 12;

/// The statements that turn the append-only protection off and on again, per backend.
fn protection(repo: &EventRepository) -> (&'static str, &'static str) {
    if repo.pg_pool().is_some() {
        (
            "ALTER TABLE events DISABLE TRIGGER USER",
            "ALTER TABLE events ENABLE TRIGGER USER",
        )
    } else {
        (
            "DROP TRIGGER events_no_update",
            "CREATE TRIGGER events_no_update BEFORE UPDATE ON events BEGIN SELECT RAISE(ABORT, \
             'the event log is append-only: UPDATE on events is refused'); END",
        )
    }
}

/// Runs statements with the append-only protection off, as an administrator editing the
/// database behind the ledger's back would.
async fn behind_the_back(repo: &EventRepository, statements: &[String]) {
    let (off, on) = protection(repo);
    let mut script = vec![off.to_owned()];
    script.extend(statements.iter().cloned());
    script.push(on.to_owned());
    let script = script.join(";\n");
    match (repo.pg_pool(), repo.sqlite_pool()) {
        (Some(pool), _) => sqlx::raw_sql(&script).execute(pool).await.map(drop),
        (_, Some(pool)) => sqlx::raw_sql(&script).execute(pool).await.map(drop),
        _ => unreachable!("one backend"),
    }
    .expect("edited with the protection off");
}

fn quoted(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// A database migrated as a release before chain version 2 left it.
async fn migrated_before_v2(url: &str) -> EventRepository {
    let repo = EventRepository::connect(url).await.expect("connects");
    let backend = if repo.pg_pool().is_some() {
        "postgres"
    } else {
        "sqlite"
    };
    let folder = tempfile::tempdir().expect("a temporary folder");
    let source = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../migrations")
        .join(backend);
    for entry in std::fs::read_dir(&source).expect("the migrations") {
        let path = entry.expect("a migration").path();
        let name = path
            .file_name()
            .expect("a name")
            .to_string_lossy()
            .into_owned();
        let version: i64 = name[..4].parse().expect("numbered");
        if version <= BEFORE_V2 {
            std::fs::copy(&path, folder.path().join(&name)).expect("copied");
        }
    }
    let migrator = sqlx::migrate::Migrator::new(folder.path())
        .await
        .expect("the old migrations");
    match (repo.pg_pool(), repo.sqlite_pool()) {
        (Some(pool), _) => migrator.run(pool).await,
        (_, Some(pool)) => migrator.run(pool).await,
        _ => unreachable!("one backend"),
    }
    .expect("migrated up to 0012");
    repo
}

fn serialized<E: DomainEvent>(
    aggregate_type: &str,
    id: Uuid,
    sequence: usize,
    event: &E,
    community: CommunityId,
) -> SerializedEvent {
    let metadata = HashMap::from([
        ("actor".to_owned(), "system".to_owned()),
        ("command_id".to_owned(), Uuid::new_v4().to_string()),
        ("community_id".to_owned(), community.to_string()),
    ]);
    SerializedEvent::new(
        id.to_string(),
        sequence,
        aggregate_type.to_owned(),
        event.event_type(),
        event.event_version(),
        serde_json::to_value(event).expect("serializes"),
        serde_json::to_value(metadata).expect("serializes"),
    )
}

fn registered(community: CommunityId, name: &str) -> SerializedEvent {
    serialized(
        "community",
        community.0,
        1,
        &CommunityEvent::CommunityRegistered {
            community_id: community,
            name: name.into(),
            territory: vec![Commune {
                insee: "34301".into(),
                name: "Sète".into(),
            }],
        },
        community,
    )
}

fn board(community: CommunityId) -> SerializedEvent {
    serialized(
        "community",
        community.0,
        2,
        &CommunityEvent::BodyEstablished {
            body_id: BodyId(Uuid::new_v4()),
            kind: BodyKind::Board,
            name: "Conseil d'administration".into(),
        },
        community,
    )
}

fn admitted(member: MemberId, community: CommunityId) -> SerializedEvent {
    serialized(
        "member",
        member.0,
        1,
        &MemberEvent::MemberAdmitted {
            member_id: member,
            community_id: community,
            name: "Karima Haddad".into(),
            kind: MemberKind::AssociationRepresentative,
            admitted_on: "2026-01-20".parse().expect("a date"),
        },
        community,
    )
}

/// Writes `events` after an empty head as the store wrote them before chain version 2, in the
/// columns of that time; returns each event's hash.
async fn write_v1_log(repo: &EventRepository, events: &[SerializedEvent]) -> Vec<[u8; 32]> {
    let db = repo.db();
    let dialect = db.dialect();
    let recorded_at = timestamp_text(Utc::now().trunc_subsecs(6));
    let mut tx = db.begin_write().await.expect("a transaction");
    let mut previous = GENESIS;
    let mut hashes = Vec::new();
    for (position, event) in (1u64..).zip(events) {
        let mut metadata = event.metadata.as_object().expect("an object").clone();
        metadata.insert("recorded_at".into(), recorded_at.clone().into());
        let community = metadata["community_id"].as_str().map(str::to_owned);
        let payload = serde_json::to_string(&event.payload).expect("payload");
        let metadata = serde_json::to_string(&metadata).expect("metadata");
        let sequence = u64::try_from(event.sequence).expect("a sequence");
        let hash = event_hash(
            &previous,
            Encoding::V1,
            &HashInput {
                position,
                aggregate_type: &event.aggregate_type,
                aggregate_id: &event.aggregate_id,
                sequence,
                event_type: &event.event_type,
                event_version: &event.event_version,
                payload: &payload,
                metadata: &metadata,
                community_id: community.as_deref(),
                recorded_at: &recorded_at,
            },
        );
        let sql = format!(
            "INSERT INTO events (position, aggregate_type, aggregate_id, sequence, event_type, \
             event_version, payload, metadata, community_id, recorded_at, prev_hash, hash) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, {}, $11, $12)",
            dialect.timestamp_param(10)
        );
        let params: Vec<Param> = vec![
            i64::try_from(position).expect("fits").into(),
            event.aggregate_type.as_str().into(),
            event.aggregate_id.as_str().into(),
            i64::try_from(sequence).expect("fits").into(),
            event.event_type.as_str().into(),
            event.event_version.as_str().into(),
            payload.into(),
            metadata.into(),
            community.into(),
            recorded_at.as_str().into(),
            previous.as_slice().into(),
            hash.as_slice().into(),
        ];
        tx.execute(&Statement {
            sql: sql.into(),
            params,
        })
        .await
        .expect("a version 1 event written");
        previous = hash;
        hashes.push(hash);
    }
    let sql = format!(
        "UPDATE log_head SET position = $1, hash = $2, recorded_at = {}",
        dialect.timestamp_param(3)
    );
    tx.execute(&Statement {
        sql: sql.into(),
        params: vec![
            i64::try_from(events.len()).expect("fits").into(),
            previous.as_slice().into(),
            recorded_at.as_str().into(),
        ],
    })
    .await
    .expect("the head moved");
    tx.commit().await.expect("committed");
    hashes
}

/// What `upgraded` built.
struct Upgraded {
    repo: EventRepository,
    /// The CPTS of the member admitted after the upgrade, and another one.
    ours: CommunityId,
    theirs: CommunityId,
    /// The version 1 digests, as the release before the upgrade printed them.
    v1_digests: Vec<String>,
    /// The position of the last version 1 event.
    v1_head: u64,
}

/// A version 1 log of two CPTS, upgraded, then a member admitted and a body established in
/// version 2.
async fn upgraded(url: &str) -> Upgraded {
    let ours = CommunityId(Uuid::new_v4());
    let theirs = CommunityId(Uuid::new_v4());
    let old = migrated_before_v2(url).await;
    let v1 = [
        registered(ours, "CPTS du Val de l'Étang"),
        board(ours),
        registered(theirs, "CPTS du Bassin de Thau"),
    ];
    let hashes = write_v1_log(&old, &v1).await;
    // The digests an auditor wrote down before the upgrade: `cpts-ledger:v1:<position>:<hash>`.
    let v1_digests: Vec<String> = (1u64..)
        .zip(&hashes)
        .map(|(position, hash)| format!("cpts-ledger:v1:{position}:{}", hex::encode(hash)))
        .collect();
    drop(old);

    let repo = open_store(url)
        .await
        .expect("the store migrates the old log");
    let before = repo.verify(None).await.expect("verifies");
    assert!(before.is_intact(), "{before:?}");
    assert_eq!(
        before.digest.to_string(),
        v1_digests[2],
        "before any new event the head is the version 1 head"
    );
    let member = MemberId(Uuid::new_v4());
    repo.append(&[admitted(member, ours)])
        .await
        .expect("appended");
    repo.append(&[board(theirs)]).await.expect("appended");
    Upgraded {
        repo,
        ours,
        theirs,
        v1_digests,
        v1_head: 3,
    }
}

async fn log(repo: &EventRepository) -> Vec<StoredEvent> {
    repo.read_log(0, 1_000).await.expect("the log reads")
}

async fn a_v1_log_upgraded_to_v2_verifies_with_its_old_and_new_digests(url: &str) {
    let Upgraded {
        repo,
        ours,
        theirs,
        v1_digests,
        v1_head,
    } = upgraded(url).await;
    let events = log(&repo).await;
    assert_eq!(events.len(), 5);
    let versions: Vec<i64> = events.iter().map(|e| e.chain_version).collect();
    assert_eq!(
        versions,
        [1, 1, 1, 2, 2],
        "history kept, new events in version 2"
    );
    let head = repo.head().await.expect("head");
    assert_eq!(head.chain_v2_from, Some(v1_head + 1));
    assert_eq!(
        events[3].prev_hash, events[2].hash,
        "the first version 2 event links to the version 1 head"
    );

    let now = repo.verify(None).await.expect("verifies");
    assert!(now.is_intact(), "{now:?}");
    assert_eq!(now.events_checked, 5);
    let v2_digest = now.digest.to_string();
    assert_eq!(
        v2_digest,
        format!("cpts-ledger:v2:5:{}", hex::encode(events[4].hash))
    );
    let ledger = Ledger::new(repo.clone());
    for digest in v1_digests.iter().chain([&v2_digest]) {
        let report = ledger.verify(Some(digest)).await.expect("verifies");
        assert!(report.intact, "{digest}: {report:?}");
    }

    // A version 2 event's digest rewritten to say version 1 names nothing this log holds.
    let as_v1 = v2_digest.replace("cpts-ledger:v2:", "cpts-ledger:v1:");
    let report = ledger.verify(Some(&as_v1)).await.expect("verifies");
    assert!(!report.intact);
    assert_eq!(report.first_broken_position, Some(5));

    // The member of our CPTS moved to theirs behind the ledger's back: the column alone, then
    // the column and the metadata's copy, then passing the event off as version 1 too.
    let member = &events[3];
    let moved = member
        .metadata_text
        .replace(&ours.to_string(), &theirs.to_string());
    let attempts = [
        (
            vec![format!(
                "UPDATE events SET community_id = '{theirs}' WHERE position = 4"
            )],
            4,
            Problem::CommunityMismatch,
        ),
        (
            vec![format!(
                "UPDATE events SET community_id = '{theirs}', metadata = {} WHERE position = 4",
                quoted(&moved)
            )],
            4,
            Problem::ContentChanged,
        ),
        (
            vec![format!(
                "UPDATE events SET community_id = '{theirs}', metadata = {}, chain_version = 1 \
                 WHERE position = 4",
                quoted(&moved)
            )],
            4,
            Problem::ContentChanged,
        ),
        (
            vec!["UPDATE events SET chain_version = 1 WHERE position = 5".to_owned()],
            5,
            Problem::WrongChainVersion,
        ),
    ];
    let restore = format!(
        "UPDATE events SET community_id = '{ours}', metadata = {}, chain_version = 2 \
         WHERE position = 4",
        quoted(&member.metadata_text)
    );
    for (edit, position, problem) in attempts {
        behind_the_back(&repo, &edit).await;
        let found = repo.verify(None).await.expect("verifies");
        let broken = found.broken.expect("the edit is found");
        assert_eq!(
            (broken.position, broken.problem),
            (position, problem),
            "{edit:?}"
        );
        behind_the_back(
            &repo,
            &[
                restore.clone(),
                "UPDATE events SET chain_version = 2 WHERE position = 5".to_owned(),
            ],
        )
        .await;
        assert!(repo.verify(None).await.expect("verifies").is_intact());
    }

    // The head forgets where version 2 started (the next append would hash from its word).
    behind_the_back(
        &repo,
        &["UPDATE log_head SET chain_v2_from = NULL".to_owned()],
    )
    .await;
    let broken = repo.verify(None).await.expect("verifies").broken;
    assert_eq!(
        broken.map(|b| (b.position, b.problem)),
        Some((5, Problem::HeadMismatch))
    );
    behind_the_back(&repo, &["UPDATE log_head SET chain_v2_from = 4".to_owned()]).await;

    // The whole version 2 part rewritten as version 1, hashes recomputed, the head's start of
    // version 2 erased: the log is consistent with itself, but the version 2 digest taken
    // before says it is not the log it committed to.
    let mut previous = events[2].hash;
    let mut rewrite = vec![];
    for event in &events[3..] {
        let metadata = event
            .metadata_text
            .replace(&ours.to_string(), &theirs.to_string());
        let community = event
            .community_id
            .as_deref()
            .map(|c| c.replace(&ours.to_string(), &theirs.to_string()));
        let hash = event_hash(
            &previous,
            Encoding::V1,
            &HashInput {
                position: event.position,
                aggregate_type: &event.aggregate_type,
                aggregate_id: &event.aggregate_id,
                sequence: event.sequence,
                event_type: &event.event_type,
                event_version: &event.event_version,
                payload: &event.payload_text,
                metadata: &metadata,
                community_id: community.as_deref(),
                recorded_at: &event.recorded_at_text,
            },
        );
        let bytes = |h: &[u8; 32]| match repo.pg_pool() {
            Some(_) => format!("'\\x{}'::bytea", hex::encode(h)),
            None => format!("X'{}'", hex::encode(h)),
        };
        rewrite.push(format!(
            "UPDATE events SET community_id = {}, metadata = {}, chain_version = 1, \
             prev_hash = {}, hash = {} WHERE position = {}",
            community.as_deref().map_or("NULL".to_owned(), quoted),
            quoted(&metadata),
            bytes(&previous),
            bytes(&hash),
            event.position
        ));
        previous = hash;
    }
    let bytes = match repo.pg_pool() {
        Some(_) => format!("'\\x{}'::bytea", hex::encode(previous)),
        None => format!("X'{}'", hex::encode(previous)),
    };
    rewrite.push(format!(
        "UPDATE log_head SET hash = {bytes}, chain_v2_from = NULL"
    ));
    behind_the_back(&repo, &rewrite).await;
    let report = ledger.verify(Some(&v2_digest)).await.expect("verifies");
    assert!(!report.intact, "the version 2 digest refuses the rewrite");
    assert_eq!(report.first_broken_position, Some(5));
    for digest in &v1_digests {
        let report = ledger.verify(Some(digest)).await.expect("verifies");
        assert!(report.intact, "what {digest} covered is untouched");
    }
}

#[tokio::test]
async fn a_v1_log_upgraded_to_v2_verifies_with_its_old_and_new_digests_on_postgres() {
    let db = postgres_db().await;
    a_v1_log_upgraded_to_v2_verifies_with_its_old_and_new_digests(db.url()).await;
}

#[tokio::test]
async fn a_v1_log_upgraded_to_v2_verifies_with_its_old_and_new_digests_on_sqlite() {
    let db = sqlite_db();
    a_v1_log_upgraded_to_v2_verifies_with_its_old_and_new_digests(db.url()).await;
}

#[tokio::test]
async fn appends_gathered_in_one_group_start_version_2_once() {
    let db = postgres_db().await;
    let old = migrated_before_v2(db.url()).await;
    let first = CommunityId(Uuid::new_v4());
    write_v1_log(&old, &[registered(first, "CPTS du Val de l'Étang")]).await;
    drop(old);
    let repo = open_store(db.url()).await.expect("store opens");
    let appends = (0..24).map(|i| {
        let repo = repo.clone();
        tokio::spawn(async move {
            let community = CommunityId(Uuid::new_v4());
            repo.append(&[registered(community, &format!("CPTS {i}"))])
                .await
        })
    });
    for appended in futures_util::future::join_all(appends).await {
        appended.expect("joined").expect("appended");
    }
    let head = repo.head().await.expect("head");
    assert_eq!(head.position, 25);
    assert_eq!(head.chain_v2_from, Some(2));
    let verification = repo.verify(None).await.expect("verifies");
    assert!(verification.is_intact(), "{verification:?}");
    assert!(verification
        .digest
        .to_string()
        .starts_with("cpts-ledger:v2:25:"));
}

/// One exported line with its `community_id` column set to `other`, the metadata left alone
/// (the column comes after the metadata on the line).
fn column_moved(line: &str, from: &str, other: &str) -> String {
    let at = line
        .rfind(&format!("\"community_id\":\"{from}\""))
        .expect("the column");
    format!(
        "{}\"community_id\":\"{other}\"{}",
        &line[..at],
        &line[at + format!("\"community_id\":\"{from}\"").len()..]
    )
}

/// Replaces line `index` of an export.
fn with_line(text: &str, index: usize, line: &str) -> String {
    text.lines()
        .enumerate()
        .map(|(i, l)| format!("{}\n", if i == index { line } else { l }))
        .collect()
}

async fn refused(file: &str, expected: &[&str]) {
    for target_db in [postgres_db().await, sqlite_db()] {
        let target = open_store(target_db.url()).await.expect("store opens");
        let refusal = backup::import(&target, file.as_bytes())
            .await
            .expect_err("refused");
        let refusal = format!("{refusal:#}");
        for part in expected {
            assert!(refusal.contains(part), "{part}: {refusal}");
        }
        assert_eq!(
            target.head().await.expect("head").position,
            0,
            "nothing imported on {}",
            target.backend_name()
        );
    }
}

#[tokio::test]
async fn an_export_whose_community_was_changed_on_one_line_is_refused() {
    let source_db = sqlite_db();
    let source = open_store(source_db.url()).await.expect("store opens");
    demo::record_scenario(&Ledger::new(source.clone()))
        .await
        .expect("demo recorded");
    let mut file = Vec::new();
    backup::export(&source, &mut file).await.expect("exported");
    let text = String::from_utf8(file).expect("UTF-8");
    let (index, line, event) = text
        .lines()
        .enumerate()
        .map(|(i, l)| {
            (
                i,
                l,
                serde_json::from_str::<serde_json::Value>(l).expect("JSON"),
            )
        })
        .find(|(_, _, e)| e["aggregate_type"] == "member")
        .expect("a member's line");
    let position = event["position"].as_u64().expect("a position");
    assert_eq!(event["chain_version"], 2);
    let ours = event["community_id"].as_str().expect("a CPTS").to_owned();
    let theirs = Uuid::new_v4().to_string();

    // The column alone: it no longer says the CPTS that was hashed.
    let moved = with_line(&text, index, &column_moved(line, &ours, &theirs));
    refused(
        &moved,
        &[
            &format!("position {position}"),
            "community_id column is not the CPTS that was hashed",
            "nothing imported",
        ],
    )
    .await;

    // The column and the metadata's copy: the hash no longer matches.
    let both = with_line(&text, index, &line.replace(&ours, &theirs));
    refused(
        &both,
        &[
            &format!("position {position}"),
            "content was changed",
            "nothing imported",
        ],
    )
    .await;

    // Both, and the line passed off as version 1, whose hash never covered the column: the
    // events before it are version 2, and no event goes back to version 1.
    let as_v1 = with_line(
        &text,
        index,
        &line
            .replace(&ours, &theirs)
            .replace("\"chain_version\":2", "\"chain_version\":1"),
    );
    refused(
        &as_v1,
        &[
            &format!("position {position}"),
            "expected chain version",
            "nothing imported",
        ],
    )
    .await;
}

#[tokio::test]
async fn an_upgraded_log_travels_whole_and_its_old_lines_keep_their_cpts() {
    let source_db = sqlite_db();
    let Upgraded {
        repo: source,
        ours,
        theirs,
        v1_digests,
        ..
    } = upgraded(source_db.url()).await;
    let mut file = Vec::new();
    let (_, digest) = backup::export(&source, &mut file).await.expect("exported");
    assert_eq!(digest.version, ChainVersion::V2);
    let text = String::from_utf8(file).expect("UTF-8");

    let target_db = postgres_db().await;
    let target = open_store(target_db.url()).await.expect("store opens");
    let (_, imported) = backup::import(&target, text.as_bytes())
        .await
        .expect("imported");
    assert_eq!(imported, digest);
    assert_eq!(log(&target).await, log(&source).await, "byte for byte");
    assert_eq!(target.head().await.expect("head").chain_v2_from, Some(4));
    let ledger = Ledger::new(target.clone());
    for digest in v1_digests.iter().chain([&digest.to_string()]) {
        assert!(ledger.verify(Some(digest)).await.expect("verifies").intact);
    }
    // Appending after the import goes on in version 2, from the same start.
    target
        .append(&[registered(
            CommunityId(Uuid::new_v4()),
            "CPTS de Frontignan",
        )])
        .await
        .expect("appended");
    let after = target.verify(None).await.expect("verifies");
    assert!(after.is_intact(), "{after:?}");

    // A version 1 line's column is checked against its hashed metadata.
    let board = text.lines().nth(1).expect("the board's line");
    assert!(board.contains("\"chain_version\":1"), "{board}");
    let moved = with_line(
        &text,
        1,
        &column_moved(board, &ours.to_string(), &theirs.to_string()),
    );
    refused(
        &moved,
        &["position 2", "community_id column", "nothing imported"],
    )
    .await;

    // An export made before chain version 2 has no `chain_version`: its events are version 1.
    let old_export: String = text
        .lines()
        .take(3)
        .map(|l| format!("{}\n", l.replace(",\"chain_version\":1", "")))
        .collect();
    assert!(!old_export.contains("chain_version"));
    let old_db = sqlite_db();
    let old = open_store(old_db.url()).await.expect("store opens");
    let (count, digest) = backup::import(&old, old_export.as_bytes())
        .await
        .expect("an old export imports");
    assert_eq!(count, 3);
    assert_eq!(digest.to_string(), v1_digests[2]);
    assert_eq!(old.head().await.expect("head").chain_v2_from, None);
}

#[tokio::test]
async fn a_digest_of_the_wrong_version_is_refused() {
    let db = sqlite_db();
    let repo = open_store(db.url()).await.expect("store opens");
    let community = CommunityId(Uuid::new_v4());
    repo.append(&[registered(community, "CPTS du Val de l'Étang")])
        .await
        .expect("appended");
    let digest = repo.verify(None).await.expect("verifies").digest;
    assert_eq!(digest.version, ChainVersion::V2);
    let as_v1 = Digest {
        version: ChainVersion::V1,
        ..digest
    };
    let found = repo.verify(Some(&as_v1)).await.expect("verifies");
    assert_eq!(
        found.broken.map(|b| (b.position, b.problem)),
        Some((1, Problem::DigestMismatch))
    );
    assert!(repo
        .verify(Some(&digest))
        .await
        .expect("verifies")
        .is_intact());
}
