//! The binary as a new user runs it: no `DATABASE_URL`, the embedded SQLite file under
//! `./data/`, and a record that survives a restart.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{json, Value};

struct Running {
    child: Child,
    url: String,
}

impl Drop for Running {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

fn command(dir: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_cpts-ledger"));
    command
        .args(args)
        .current_dir(dir)
        .env_remove("DATABASE_URL")
        .env_remove("CPTS_DATA_DIR")
        .env_remove("CPTS_LISTEN")
        .env("RUST_LOG", "info");
    command
}

/// Starts `cpts-ledger serve` on a free port and waits until it says where it listens.
fn serve(dir: &Path) -> Running {
    let mut child = command(dir, &["serve", "--listen", "127.0.0.1:0"])
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("the binary starts");
    let stderr = child.stderr.take().expect("stderr");
    let mut lines = BufReader::new(stderr).lines();
    let url = loop {
        let line = lines
            .next()
            .expect("the service logs where it listens")
            .expect("a log line");
        if let Some(rest) = line.split("listening on ").nth(1) {
            break rest.trim().to_owned();
        }
    };
    // Keep draining the log so the service never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    Running { child, url }
}

async fn post(url: &str, token: &str, query: &str) -> Value {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .expect("client");
    client
        .post(url)
        .bearer_auth(token)
        .json(&json!({ "query": query }))
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("JSON")
}

/// Runs a command that must succeed and returns its standard output.
fn run(dir: &Path, args: &[&str]) -> String {
    let output = command(dir, args).output().expect("runs");
    assert!(
        output.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[tokio::test]
async fn a_mutation_recorded_without_database_url_is_still_there_after_a_restart() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    // As the README says: a coordinator's token for a new CPTS, then the service.
    let token = run(
        dir.path(),
        &[
            "token",
            "create",
            "--role",
            "coordinator",
            "--label",
            "Coordination",
        ],
    )
    .trim()
    .to_owned();
    assert!(token.starts_with("cpts_"), "{token}");
    let service = serve(dir.path());
    let created = post(
        &service.url,
        &token,
        r#"mutation { registerCommunity(input: { name: "CPTS du Val de l'Étang", territory: [{ insee: "34301", name: "Sète" }] }) { aggregateId } }"#,
    )
    .await;
    let id = created["data"]["registerCommunity"]["aggregateId"]
        .as_str()
        .expect("an id")
        .to_owned();
    drop(service);
    assert!(
        dir.path().join("data/ledger.db").exists(),
        "the embedded store is ./data/ledger.db"
    );

    let service = serve(dir.path());
    let read = post(
        &service.url,
        &token,
        &format!(r#"{{ events(aggregateType: COMMUNITY, id: "{id}") {{ eventType payload }} }}"#),
    )
    .await;
    assert_eq!(
        read["data"]["events"][0]["eventType"], "CommunityRegistered",
        "{read}"
    );
    assert_eq!(
        read["data"]["events"][0]["payload"]["CommunityRegistered"]["name"],
        "CPTS du Val de l'Étang"
    );

    // Revoked, the token opens nothing.
    let listed = run(dir.path(), &["token", "list"]);
    let token_id = listed
        .split_whitespace()
        .next()
        .expect("the token is listed")
        .to_owned();
    assert!(!listed.contains(&token), "the secret is never shown again");
    run(dir.path(), &["token", "revoke", &token_id]);
    let refused = post(&service.url, &token, "{ ledgerHead { position } }").await;
    assert_eq!(
        refused["errors"][0]["extensions"]["code"],
        "UNAUTHENTICATED"
    );
}

#[test]
fn a_board_members_token_must_name_its_holder() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let output = command(
        dir.path(),
        &["token", "create", "--role", "board_member", "--label", "CA"],
    )
    .output()
    .expect("runs");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("--member"), "{stderr}");
}

#[test]
fn the_demo_is_recorded_once_and_refused_the_second_time() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let first = command(dir.path(), &["demo"]).output().expect("demo runs");
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let out = String::from_utf8_lossy(&first.stdout);
    assert!(out.contains("Démonstration enregistrée"), "{out}");
    let second = command(dir.path(), &["demo"]).output().expect("demo runs");
    assert!(!second.status.success());
    assert!(String::from_utf8_lossy(&second.stderr).contains("déjà enregistrée"));
}

#[test]
fn an_unsupported_store_url_is_refused_clearly() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let output = command(dir.path(), &["migrate"])
        .env("DATABASE_URL", "mysql://localhost/x")
        .output()
        .expect("runs");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("unsupported store URL scheme `mysql`"),
        "{stderr}"
    );
}

#[test]
fn tokens_expire_are_listed_by_cpts_name_members_of_it_and_die_with_an_erasure() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let demo = run(dir.path(), &["demo"]);
    let community = demo
        .split('(')
        .nth(1)
        .and_then(|rest| rest.split(')').next())
        .expect("the demo names its CPTS")
        .to_owned();
    let martine = cpts_ledger::demo::id_of("member", "martine-roussel").to_string();
    let create = |extra: &[&str]| {
        let mut args = vec![
            "token",
            "create",
            "--role",
            "representative",
            "--member",
            &martine,
            "--label",
            "Martine Roussel",
        ];
        args.extend_from_slice(extra);
        command(dir.path(), &args).output().expect("runs")
    };

    // A member's token must name a member of its CPTS.
    let other = uuid::Uuid::new_v4().to_string();
    let refused = create(&["--community", &other]);
    assert!(!refused.status.success());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("n'est pas membre de la CPTS"), "{stderr}");
    assert!(stderr.contains("is not a member of CPTS"), "{stderr}");

    // An expiry in the past, or unreadable, is refused.
    for expires in ["2020-01-01", "soon"] {
        let refused = create(&["--community", &community, "--expires", expires]);
        assert!(!refused.status.success(), "{expires}");
        let stderr = String::from_utf8_lossy(&refused.stderr);
        assert!(stderr.contains("--expires"), "{stderr}");
    }

    let made = create(&["--community", &community, "--expires", "30d"]);
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let stderr = String::from_utf8_lossy(&made.stderr);
    let in_30_days = (chrono::Utc::now() + chrono::Duration::days(30))
        .format("%Y-%m-%d")
        .to_string();
    assert!(stderr.contains(&in_30_days), "{stderr}");
    // Without --expires: a year.
    run(
        dir.path(),
        &[
            "token",
            "create",
            "--role",
            "auditor",
            "--label",
            "Commissaire",
        ],
    );

    // Listed by CPTS: only that CPTS's tokens.
    let listed = run(dir.path(), &["token", "list", "--community", &community]);
    assert_eq!(listed.lines().count(), 1, "{listed}");
    assert!(listed.contains("Martine Roussel"), "{listed}");
    assert!(listed.contains("\tactive\t"), "{listed}");
    assert!(
        listed.contains(&format!("expires {in_30_days}")),
        "{listed}"
    );
    assert_eq!(run(dir.path(), &["token", "list"]).lines().count(), 2);
    assert_eq!(
        run(dir.path(), &["token", "list", "--community", &other]),
        ""
    );

    // Erasing the member revokes their token and erases its label, which held their name.
    run(dir.path(), &["erase", "--member", &martine]);
    let listed = run(dir.path(), &["token", "list", "--community", &community]);
    assert!(listed.contains("\trevoked "), "{listed}");
    assert!(!listed.contains("Martine"), "{listed}");
    assert!(listed.contains("[donnée effacée]"), "{listed}");
    // And no new token can name them.
    let refused = create(&["--community", &community]);
    assert!(!refused.status.success());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("effacées"), "{stderr}");
}
