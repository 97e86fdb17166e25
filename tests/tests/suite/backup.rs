//! Backup and restore: the log leaves as JSON Lines with its hashes and comes back identical,
//! also from one backend to the other; a file whose chain does not verify is refused whole.

use cpts_ledger::backup;
use cpts_ledger::demo;
use cpts_ledger::projector::Projector;
use cpts_ledger::service::Ledger;
use cpts_ledger_tests::{dump_read_models, open_store, postgres_db, sqlite_db};

#[tokio::test]
async fn an_export_restores_the_same_log_on_either_backend() {
    let source_db = postgres_db().await;
    let source = open_store(source_db.url()).await.expect("store opens");
    demo::record_scenario(&Ledger::new(source.clone()))
        .await
        .expect("demo recorded");
    let mut file = Vec::new();
    let (exported, digest) = backup::export(&source, &mut file).await.expect("exported");
    assert_eq!(exported, 117);
    let text = String::from_utf8_lossy(&file).into_owned();
    let (keys, events): (Vec<&str>, Vec<&str>) = text
        .lines()
        .partition(|l| l.starts_with("{\"person_key\"") || l.starts_with("{\"keyring\""));
    assert_eq!(events.len(), 117, "one event a line");
    assert_eq!(
        keys.len(),
        8 + 1 + 1,
        "then the key of each of the eight members and of the consultation anonymous \
         inhabitants wrote to, wrapped, and the master key's check value"
    );
    assert!(
        !text.contains("Karim Benali"),
        "names travel encrypted, their keys beside them"
    );
    assert_eq!(digest, source.verify(None).await.expect("verifies").digest);

    for target_db in [postgres_db().await, sqlite_db()] {
        let target = open_store(target_db.url()).await.expect("store opens");
        let (imported, imported_digest) = backup::import(&target, file.as_slice())
            .await
            .expect("imported");
        assert_eq!((imported, imported_digest), (exported, digest));
        let verification = target.verify(Some(&digest)).await.expect("verifies");
        assert!(verification.is_intact(), "{verification:?}");
        assert_eq!(
            verification.digest, digest,
            "the digest after import is the original's"
        );
        let original = source.read_log(0, 1_000).await.expect("log");
        let restored = target.read_log(0, 1_000).await.expect("log");
        assert_eq!(restored, original, "every event, byte for byte");
        assert_eq!(
            target
                .command_events(original[5].metadata["command_id"].as_str().expect("id"))
                .await
                .expect("lookup")
                .map(|e| e.len()),
            Some(1),
            "commands are idempotent after a restore too"
        );

        // The read models rebuilt from the restored log are the original's, row for row
        // (compared on the same backend: each writes dates and booleans its own way).
        let reached = Projector::new(target.clone())
            .catch_up()
            .await
            .expect("projected");
        assert_eq!(reached, exported);
        if target.pg_pool().is_some() {
            assert_eq!(
                dump_read_models(&target).await,
                dump_read_models(&source).await
            );
        }

        // A store that already holds events takes no import.
        let again = backup::import(&target, file.as_slice())
            .await
            .expect_err("not empty");
        assert!(format!("{again:#}").contains("empty"), "{again:#}");
    }
}

#[tokio::test]
async fn an_export_whose_chain_does_not_verify_is_refused_whole() {
    let source_db = sqlite_db();
    let source = open_store(source_db.url()).await.expect("store opens");
    demo::record_scenario(&Ledger::new(source.clone()))
        .await
        .expect("demo recorded");
    let mut file = Vec::new();
    backup::export(&source, &mut file).await.expect("exported");
    let text = String::from_utf8(file).expect("UTF-8");

    let forged = text.replacen("Collège des usagers", "Collège des usagés", 1);
    assert_ne!(forged, text);
    let missing: String = text
        .lines()
        .enumerate()
        .filter(|(i, _)| *i != 40)
        .map(|(_, l)| format!("{l}\n"))
        .collect();
    for (file, problem) in [
        (forged, "does not verify"),
        (missing, "does not verify at position 42"),
    ] {
        let target_db = postgres_db().await;
        let target = open_store(target_db.url()).await.expect("store opens");
        let refused = backup::import(&target, file.as_bytes())
            .await
            .expect_err("refused");
        assert!(format!("{refused:#}").contains(problem), "{refused:#}");
        assert_eq!(
            target.head().await.expect("head").position,
            0,
            "nothing imported"
        );
    }
    let target_db = sqlite_db();
    let target = open_store(target_db.url()).await.expect("store opens");
    let refused = backup::import(&target, "{\"not\": \"an event\"}\n".as_bytes())
        .await
        .expect_err("refused");
    assert!(format!("{refused:#}").contains("line 1"), "{refused:#}");
}
