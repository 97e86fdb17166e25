//! Envelope encryption: the people's keys are wrapped by a master key kept outside the
//! database. The service refuses to start without it or with another one, a rotation keeps
//! everything readable, an export alone reads nothing personal, and the files are private.

use std::path::{Path, PathBuf};

use cpts_domain::access::Caller;
use cpts_domain::command::{Actor, AddressedCommand};
use cpts_domain::ids::MemberId;
use cpts_domain::member::MemberCommand;
use cpts_domain::personal::ERASED;
use cpts_graphql::port::{CommandContext, LedgerPort};
use cpts_ledger::app::open_store_with;
use cpts_ledger::config::DatabaseConfig;
use cpts_ledger::demo::{self, id_of};
use cpts_ledger::projector::Projector;
use cpts_ledger::service::Ledger;
use cpts_ledger::store::keyring::{self, KeySource, MasterKey, FILE_PREFIX};
use cpts_ledger::store::EventRepository;
use cpts_ledger::{backup, personal};
use cpts_ledger_tests::{open_store, postgres_db, sqlite_db, test_key_file, test_master_key};
use serde_json::Value;

const SERVICE: &str = env!("CARGO_BIN_EXE_ledger-service");

fn sqlite_at(dir: &Path) -> DatabaseConfig {
    DatabaseConfig {
        url: format!("sqlite://{}", dir.join("ledger.db").display()),
    }
}

/// A new key file in `dir`.
fn new_key_file(dir: &Path, name: &str) -> (PathBuf, MasterKey) {
    let path = dir.join(name);
    let key = MasterKey::generate();
    key.write_new_file(&path).expect("the key file is written");
    (path, key)
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .permissions()
        .mode()
        & 0o777
}

/// The names of the members, as the log reads them.
async fn names_in_log(repo: &EventRepository) -> Vec<String> {
    let mut names: Vec<String> = repo
        .read_log(0, 10_000)
        .await
        .expect("the log reads")
        .into_iter()
        .filter(|e| e.event_type == "MemberAdmitted")
        .map(|e| {
            e.payload["MemberAdmitted"]["name"]
                .as_str()
                .expect("a name")
                .to_owned()
        })
        .collect();
    names.sort();
    names
}

fn demo_names() -> Vec<String> {
    let mut names: Vec<String> = demo::scenario()
        .expect("the scenario")
        .members
        .into_iter()
        .map(|m| m.name)
        .collect();
    names.sort();
    names
}

/// Everything personal the demo records: names, cadres d'intervention, the texts and
/// attachments of contributions (members' and anonymous inhabitants'), and the communes where
/// representatives live (as the field's value: the same communes are also public territory).
fn demo_personal_strings() -> (Vec<String>, Vec<String>) {
    let scenario = demo::scenario().expect("the scenario");
    let mut words = Vec::new();
    let mut communes = Vec::new();
    for member in &scenario.members {
        words.push(member.name.clone());
        if let Some(mandate) = &member.mandate {
            words.extend(mandate.cadre_intervention.clone());
            communes.extend(mandate.commune.clone());
        }
    }
    for consultation in &scenario.consultations {
        for contribution in &consultation.contributions {
            words.push(contribution.text.clone());
            words.extend(contribution.attachment.clone());
        }
    }
    assert!(
        words.len() > 20 && communes.len() >= 2,
        "{words:?} {communes:?}"
    );
    (words, communes)
}

fn trusted() -> CommandContext {
    CommandContext {
        caller: Caller::Trusted(Actor::System),
        command_id: uuid::Uuid::new_v4(),
    }
}

#[tokio::test]
async fn the_service_refuses_to_start_with_a_wrong_key_or_without_its_key_file() {
    let dir = tempfile::tempdir().expect("a folder");
    let database = sqlite_at(dir.path());
    let (right, _) = new_key_file(dir.path(), "right.key");
    let repo = open_store_with(&database, &KeySource::File(right.clone()))
        .await
        .expect("a new store opens with a new key");
    demo::record_scenario(&Ledger::new(repo.clone()))
        .await
        .expect("demo recorded");
    drop(repo);

    let (wrong, wrong_key) = new_key_file(dir.path(), "wrong.key");
    let refused = open_store_with(&database, &KeySource::File(wrong.clone()))
        .await
        .expect_err("another key is refused");
    let message = format!("{refused:#}");
    assert!(
        message.contains("n'est pas celle de cette base")
            && message.contains(&wrong.display().to_string()),
        "{message}"
    );
    let from_env = KeySource::Env(hex_of(&wrong_key));
    assert!(open_store_with(&database, &from_env).await.is_err());

    let gone = dir.path().join("gone.key");
    let refused = open_store_with(&database, &KeySource::File(gone.clone()))
        .await
        .expect_err("a missing key file is refused");
    let message = format!("{refused:#}");
    assert!(
        message.contains("introuvable") && message.contains(&gone.display().to_string()),
        "{message}"
    );
    assert!(!gone.exists(), "no key is made up for it");

    // The embedded default's file beside the database is gone: no new key for old data.
    let beside = KeySource::resolve(None, None, &database);
    assert_eq!(beside, KeySource::Beside(dir.path().join("master.key")));
    let refused = open_store_with(&database, &beside)
        .await
        .expect_err("no new key for a database that holds keys");
    assert!(
        format!("{refused:#}").contains("introuvable"),
        "{refused:#}"
    );
    assert!(!dir.path().join("master.key").exists());

    // A key file others may read is refused too, before the database is looked at.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&right, std::fs::Permissions::from_mode(0o640)).expect("chmod");
        let refused = open_store_with(&database, &KeySource::File(right.clone()))
            .await
            .expect_err("a readable key file is refused");
        assert!(format!("{refused:#}").contains("chmod 600"), "{refused:#}");
        std::fs::set_permissions(&right, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    }

    // The service as a process: it stops at start, saying why, and serves nothing.
    for (key_file, expected) in [
        (&wrong, "n'est pas celle de cette base"),
        (&gone, "introuvable"),
    ] {
        let output = std::process::Command::new(SERVICE)
            .env("DATABASE_URL", &database.url)
            .env(keyring::ENV_FILE, key_file)
            .env("CPTS_LISTEN", "127.0.0.1:0")
            .env_remove(keyring::ENV_KEY)
            .output()
            .expect("the service runs");
        let stderr = String::from_utf8_lossy(&output.stderr);
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(!output.status.success(), "{stdout} {stderr}");
        assert!(!stdout.contains("listening"), "{stdout}");
        assert!(
            stderr.contains(expected) && stderr.contains(&key_file.display().to_string()),
            "{stderr}"
        );
    }

    let repo = open_store_with(&database, &KeySource::File(right))
        .await
        .expect("the right key still opens it");
    assert_eq!(names_in_log(&repo).await, demo_names());
}

fn hex_of(key: &MasterKey) -> String {
    key.file_text()
        .trim()
        .trim_start_matches(FILE_PREFIX)
        .to_owned()
}

#[tokio::test]
async fn postgres_without_a_master_key_is_refused_with_the_way_to_make_one() {
    let db = postgres_db().await;
    let database = DatabaseConfig {
        url: db.url().to_owned(),
    };
    assert_eq!(
        KeySource::resolve(None, None, &database),
        KeySource::Missing
    );
    let refused = open_store_with(&database, &KeySource::Missing)
        .await
        .expect_err("no key, no service");
    assert!(
        format!("{refused:#}").contains("cpts-ledger keys init --file"),
        "{refused:#}"
    );
    let dir = tempfile::tempdir().expect("a folder");
    let named = dir.path().join("master.key");
    let refused = open_store_with(&database, &KeySource::File(named.clone()))
        .await
        .expect_err("a key file that does not exist");
    assert!(
        format!("{refused:#}").contains(&format!("keys init --file {}", named.display())),
        "{refused:#}"
    );
    assert!(!named.exists(), "the operator creates it");
    // The tests' key opens it, and is the one its keyring checks from then on.
    let repo = open_store(db.url())
        .await
        .expect("opens with the tests' key");
    let (check, generation) = repo.key_check().await.expect("reads").expect("a keyring");
    assert_eq!((check, generation), (test_master_key().key_check(), 1));
    let (wrong, _) = new_key_file(dir.path(), "wrong.key");
    let refused = open_store_with(&database, &KeySource::File(wrong))
        .await
        .expect_err("another key is refused");
    assert!(
        format!("{refused:#}").contains("n'est pas celle de cette base"),
        "{refused:#}"
    );
}

#[tokio::test]
async fn a_rotation_then_a_restart_reads_every_name_and_a_crash_leaves_a_key_that_opens() {
    let dir = tempfile::tempdir().expect("a folder");
    let database = sqlite_at(dir.path());
    let (file, old) = new_key_file(dir.path(), "master.key");
    let source = KeySource::File(file.clone());
    let repo = open_store_with(&database, &source).await.expect("opens");
    demo::record_scenario(&Ledger::new(repo.clone()))
        .await
        .expect("demo recorded");

    let mut before_rotation = Vec::new();
    backup::export(&repo, &mut before_rotation)
        .await
        .expect("exported");
    let rotated = keyring::rotate(&repo, &source, None)
        .await
        .expect("rotated");
    assert!(rotated.keys >= 8, "{rotated:?}");
    assert_eq!(
        (rotated.generation, rotated.file.clone()),
        (2, file.clone())
    );
    let new = MasterKey::read_file(&file).expect("the new key file");
    assert_ne!(new, old);
    assert_eq!(new.key_check(), rotated.key_check);
    for leftover in ["master.key.next", "master.key.previous"] {
        assert!(!dir.path().join(leftover).exists(), "{leftover}");
    }
    // The same process goes on reading and writing with the new key.
    assert_eq!(names_in_log(&repo).await, demo_names());
    drop(repo);

    // A restart reads every name, in the log and in the read models.
    let repo = open_store_with(&database, &source).await.expect("reopens");
    assert_eq!(names_in_log(&repo).await, demo_names());
    let ledger = Ledger::new(repo.clone());
    ledger
        .projector()
        .rebuild()
        .await
        .expect("the read models rebuild");
    drop((ledger, repo));
    let before = dir.path().join("old.key");
    old.write_new_file(&before).expect("written");
    assert!(open_store_with(&database, &KeySource::File(before.clone()))
        .await
        .is_err());

    // An export made before the rotation goes into a store under another key only with the
    // former key, which rewraps its keys.
    let restored_db = sqlite_db();
    let restored = open_store(restored_db.url()).await.expect("opens");
    let refused = backup::import(&restored, before_rotation.as_slice())
        .await
        .expect_err("made under a key this store does not have");
    assert!(format!("{refused:#}").contains("autre clé maîtresse"));
    backup::import_under(&restored, before_rotation.as_slice(), Some(&old))
        .await
        .expect("imported with the former key");
    drop(restored);
    let restored = open_store(restored_db.url()).await.expect("reopens");
    assert_eq!(names_in_log(&restored).await, demo_names());

    // A rotation stopped after its commit, before its rename: the key file holds the former
    // key, `.next` the new one. The next start finishes the rotation.
    let repo = open_store_with(&database, &source).await.expect("opens");
    keyring::rotate(&repo, &source, None)
        .await
        .expect("rotated again");
    drop(repo);
    let newest = MasterKey::read_file(&file).expect("the key");
    let next = dir.path().join("master.key.next");
    std::fs::rename(&file, &next).expect("moved");
    new.write_new_file(&file).expect("the former key put back");
    let repo = open_store_with(&database, &source)
        .await
        .expect("the interrupted rotation is finished");
    assert_eq!(MasterKey::read_file(&file).expect("the key"), newest);
    assert!(!next.exists());
    assert_eq!(names_in_log(&repo).await, demo_names());
    drop(repo);

    // A rotation stopped before its commit: `.next` holds a key that never served.
    MasterKey::generate()
        .write_new_file(&next)
        .expect("a stale new key");
    let repo = open_store_with(&database, &source)
        .await
        .expect("the current key opens");
    assert!(!next.exists(), "the stale key is removed");
    assert_eq!(names_in_log(&repo).await, demo_names());
}

#[tokio::test]
async fn an_export_alone_reads_nothing_personal_and_opens_only_under_its_master_key() {
    let source_db = sqlite_db();
    let source = open_store(source_db.url()).await.expect("opens");
    demo::record_scenario(&Ledger::new(source.clone()))
        .await
        .expect("demo recorded");
    let dir = tempfile::tempdir().expect("a folder");
    let path = dir.path().join("export.jsonl");
    let (events, digest) = backup::export_to_file(&source, &path)
        .await
        .expect("exported");
    #[cfg(unix)]
    assert_eq!(
        mode(&path),
        0o600,
        "an export is readable by its owner only"
    );
    let text = std::fs::read_to_string(&path).expect("the export");

    let (words, communes) = demo_personal_strings();
    for word in &words {
        assert!(!text.contains(word.as_str()), "{word} is in the export");
    }
    for commune in &communes {
        let field = format!("\"commune\":\"{commune}\"");
        assert!(!text.contains(&field), "{field} is in the export");
    }
    let mut key_lines = 0;
    let mut keyring_line = None;
    for line in text.lines() {
        let value: Value = serde_json::from_str(line).expect("a JSON line");
        if let Some(key) = value.get("person_key") {
            key_lines += 1;
            let fields: Vec<&String> = key.as_object().expect("an object").keys().collect();
            assert!(!fields.iter().any(|f| *f == "key"), "{line}");
            let wrapped = key["wrapped_key"].as_str().expect("a wrapped key");
            let (nonce, sealed) = wrapped.split_once(':').expect("nonce:sealed");
            assert_eq!((nonce.len(), sealed.len()), (48, 96), "{line}");
        }
        if let Some(keyring) = value.get("keyring") {
            keyring_line = Some(keyring.clone());
        }
    }
    let with_anonymous_texts = demo::scenario()
        .expect("the scenario")
        .consultations
        .iter()
        .filter(|c| {
            c.contributions
                .iter()
                .any(|c| matches!(c.author, demo::ScenarioAuthor::Anonymous { .. }))
        })
        .count();
    assert_eq!(
        key_lines,
        8 + with_anonymous_texts,
        "the eight members' keys, and those of the consultations anonymous inhabitants wrote to"
    );
    let keyring_line = keyring_line.expect("the keyring line");
    assert_eq!(keyring_line["key_check"], test_master_key().key_check());

    // Under another master key: refused, nothing written.
    let other_dir = tempfile::tempdir().expect("a folder");
    let other = open_store_with(
        &sqlite_at(other_dir.path()),
        &KeySource::Beside(other_dir.path().join("master.key")),
    )
    .await
    .expect("a store under a key of its own");
    let refused = backup::import(&other, text.as_bytes())
        .await
        .expect_err("another master key");
    assert!(
        format!("{refused:#}").contains("autre clé maîtresse"),
        "{refused:#}"
    );
    assert_eq!(other.head().await.expect("head").position, 0);
    assert!(other.export_keys().await.expect("keys").is_empty());

    // Under the same one: the names read again.
    let target_db = postgres_db().await;
    let target = open_store(target_db.url()).await.expect("opens");
    let imported = backup::import(&target, text.as_bytes())
        .await
        .expect("imported");
    assert_eq!(imported, (events, digest));
    assert_eq!(names_in_log(&target).await, demo_names());
    Projector::new(target.clone())
        .catch_up()
        .await
        .expect("projected");
}

#[tokio::test]
async fn a_text_that_looks_encrypted_is_sealed_and_erased_with_its_author() {
    let db = sqlite_db();
    let repo = open_store(db.url()).await.expect("opens");
    let ledger = Ledger::new(repo.clone());
    demo::record_scenario(&ledger).await.expect("demo recorded");
    let martine = MemberId(id_of("member", "martine-roussel"));
    let forged = "enc:v1:nobody:00:00 Porter la parole des riverains de l'étang";
    ledger
        .execute(
            AddressedCommand::Member {
                id: martine,
                command: MemberCommand::WriteCadreIntervention {
                    text: forged.to_owned(),
                },
            },
            trusted(),
        )
        .await
        .expect("recorded");
    let stored: Vec<(String,)> = repo
        .db()
        .fetch_uncounted(
            "SELECT payload FROM events WHERE event_type = 'CadreInterventionWritten'",
            &[],
        )
        .await
        .expect("reads");
    assert!(!stored.is_empty());
    assert!(
        stored.iter().all(|(p,)| !p.contains("riverains")),
        "{stored:?}"
    );
    let written = |events: Vec<cpts_ledger::store::StoredEvent>| {
        events
            .into_iter()
            .rev()
            .filter(|e| e.event_type == "CadreInterventionWritten")
            .map(|e| {
                e.payload["CadreInterventionWritten"]["text"]
                    .as_str()
                    .expect("a text")
                    .to_owned()
            })
            .next()
    };
    let stream = repo
        .read_stream("member", &martine.0.to_string())
        .await
        .expect("reads");
    assert_eq!(written(stream).as_deref(), Some(forged), "read as written");

    personal::erase(&ledger, martine, "2026-12-31".parse().expect("a date"))
        .await
        .expect("erased");
    let stream = repo
        .read_stream("member", &martine.0.to_string())
        .await
        .expect("reads");
    assert_eq!(written(stream).as_deref(), Some(ERASED), "erased with her");
}

#[tokio::test]
async fn a_new_embedded_store_its_folder_and_its_key_are_private() {
    let dir = tempfile::tempdir().expect("a folder");
    let data = dir.path().join("data");
    let database = DatabaseConfig::from_url_or_data_dir(None, &data);
    let source = KeySource::resolve(None, None, &database);
    let key_file = data.join("master.key");
    assert_eq!(source, KeySource::Beside(key_file.clone()));
    let repo = open_store_with(&database, &source)
        .await
        .expect("a new embedded store opens, with a new key");
    demo::record_scenario(&Ledger::new(repo.clone()))
        .await
        .expect("demo recorded");
    let key = std::fs::read_to_string(&key_file).expect("the key file");
    assert!(
        key.starts_with(FILE_PREFIX) && key.lines().count() == 1,
        "{key}"
    );
    #[cfg(unix)]
    {
        assert_eq!(mode(&data), 0o700, "the data folder");
        assert_eq!(mode(&key_file), 0o600, "the key file");
        for name in ["ledger.db", "ledger.db-wal", "ledger.db-shm"] {
            let file = data.join(name);
            if name == "ledger.db" || file.exists() {
                assert_eq!(mode(&file), 0o600, "{name}");
            }
        }
    }
    drop(repo);
    let repo = open_store_with(&database, &source)
        .await
        .expect("it opens again with the same file");
    assert_eq!(
        std::fs::read_to_string(&key_file).expect("the key file"),
        key,
        "the key is never replaced"
    );
    assert_eq!(names_in_log(&repo).await, demo_names());
}

#[tokio::test]
async fn keys_kept_in_clear_by_an_older_version_are_wrapped_at_the_first_start() {
    let db = sqlite_db();
    let repo = EventRepository::connect(db.url()).await.expect("connects");
    repo.migrate().await.expect("migrated");
    let clear = "07".repeat(32);
    repo.db()
        .execute(&cpts_projections::stmt!(
            "INSERT INTO person_keys (subject_id, key_hex, created_at) VALUES ('m1', $1, $2)",
            clear.as_str(),
            "2026-01-01T00:00:00.000000Z"
        ))
        .await
        .expect("an old key");
    drop(repo);
    let keys_dir = tempfile::tempdir().expect("a folder");
    let key_file = test_key_file(keys_dir.path());
    let database = DatabaseConfig {
        url: db.url().to_owned(),
    };
    let repo = open_store_with(&database, &KeySource::File(key_file))
        .await
        .expect("opens with a key");
    let rows: Vec<(Option<String>, Option<String>)> = repo
        .db()
        .fetch_uncounted("SELECT key_hex, wrapped_key FROM person_keys", &[])
        .await
        .expect("reads");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].0, None, "no key in clear any more");
    assert!(rows[0].1.as_deref().is_some_and(|w| !w.contains(&clear)));
    let mut export = Vec::new();
    backup::export(&repo, &mut export).await.expect("exported");
    assert!(!String::from_utf8_lossy(&export).contains(&clear));
}
