//! Notifications under test: a real SMTP server (aiosmtpd, `tests/smtp/sink.py`) on loopback,
//! the service as a process of its own (`ledger-service`), and the DOMAIN.md scenario recorded
//! with contact details for some of its contributors.
//!
//! The Python interpreter is `CPTS_TEST_PYTHON` (set by `tests/run`, which installs aiosmtpd in
//! a virtual environment), else `python3`.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use cpts_domain::access::{Caller, Principal};
use cpts_domain::command::{Actor, AddressedCommand};
use cpts_domain::consultation::{Author, ConsultationCommand};
use cpts_domain::decision::DecisionCommand;
use cpts_domain::ids::{CommunityId, ConsultationId, MemberId};
use cpts_domain::member::MemberCommand;
use cpts_domain::values::{Disposition, Lang};
use cpts_graphql::port::{
    CommandContext, FeedItem, LedgerError, LedgerPort, ProjectionLag, Receipt, RecordedEvent,
    VerificationReport,
};
use cpts_ledger::demo;
use cpts_ledger::service::Ledger;
use serde::Deserialize;
use uuid::Uuid;

/// The interpreter that runs the SMTP server.
pub fn python() -> String {
    std::env::var("CPTS_TEST_PYTHON").unwrap_or_else(|_| "python3".to_owned())
}

/// A loopback port nobody listens on right now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// Waits until `done` holds, checking every 100 ms; false after `timeout`.
pub async fn wait_until(timeout: Duration, mut done: impl FnMut() -> bool) -> bool {
    let start = Instant::now();
    loop {
        if done() {
            return true;
        }
        if start.elapsed() > timeout {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A real SMTP server on loopback that writes each message it accepts to a folder.
pub struct SmtpSink {
    child: Option<Child>,
    /// Its port.
    pub port: u16,
    /// Where the messages are written.
    pub folder: PathBuf,
    delay: f64,
}

impl SmtpSink {
    /// Starts the server on `port`; each message takes `delay` seconds to be accepted.
    pub fn start(folder: &Path, port: u16, delay: f64) -> Self {
        let mut sink = Self {
            child: None,
            port,
            folder: folder.to_owned(),
            delay,
        };
        sink.restart();
        sink
    }

    /// Starts it again, on the same port and folder, after [`SmtpSink::stop`].
    pub fn restart(&mut self) {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("smtp/sink.py");
        let mut child = Command::new(python())
            .arg(&script)
            .args(["--port", &self.port.to_string()])
            .arg("--folder")
            .arg(&self.folder)
            .args(["--delay", &self.delay.to_string()])
            .stdout(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "starting the SMTP server with {} ({e}); run the tests with ./tests/run, \
                     which installs aiosmtpd",
                    python()
                )
            });
        let stdout = child.stdout.take().expect("stdout");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("reading the SMTP server's output");
        assert_eq!(
            line.trim(),
            "ready",
            "the SMTP server did not start (is aiosmtpd installed for {}?)",
            python()
        );
        self.child = Some(child);
    }

    /// Stops the server: the port refuses connections until [`SmtpSink::restart`].
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill().ok();
            child.wait().ok();
        }
    }

    /// The messages received so far, in arrival order.
    pub fn mails(&self) -> Vec<Mail> {
        let mut names: Vec<PathBuf> = std::fs::read_dir(&self.folder)
            .map(|dir| {
                dir.filter_map(Result::ok)
                    .map(|e| e.path())
                    .filter(|p| {
                        p.extension().is_some_and(|e| e == "json")
                            && !p
                                .file_name()
                                .and_then(|n| n.to_str())
                                .is_some_and(|n| n.starts_with('.'))
                    })
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        names
            .iter()
            .map(|p| {
                let text = std::fs::read_to_string(p).expect("a message file");
                let mut mail: Mail = serde_json::from_str(&text).expect("a message as JSON");
                // SMTP carries lines ending in CRLF.
                mail.body = mail.body.replace("\r\n", "\n");
                mail
            })
            .collect()
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A message as the SMTP server received it.
#[derive(Debug, Clone, Deserialize)]
pub struct Mail {
    /// The envelope's recipients.
    pub rcpt_tos: Vec<String>,
    /// The Message-ID header.
    pub message_id: String,
    /// The To header.
    pub to: String,
    /// The Subject header.
    pub subject: String,
    /// The decoded text.
    pub body: String,
}

/// The service as a process (the `ledger-service` binary), killed when dropped.
pub struct ServiceProcess {
    child: Child,
    /// The folder of its master key file (the tests' key).
    _keys: tempfile::TempDir,
    /// Where it serves HTTP.
    pub addr: SocketAddr,
}

impl ServiceProcess {
    /// Starts the service (`binary`: the `ledger-service` an integration test names with
    /// `env!("CARGO_BIN_EXE_ledger-service")`) on a database with extra environment variables.
    pub fn start(binary: &str, database_url: &str, env: &[(&str, String)]) -> Self {
        let keys = tempfile::tempdir().expect("a folder for the key file");
        let key_file = crate::test_key_file(keys.path());
        let mut command = Command::new(binary);
        command
            .env("DATABASE_URL", database_url)
            .env(cpts_ledger::store::keyring::ENV_FILE, &key_file)
            .env("CPTS_LISTEN", "127.0.0.1:0")
            .env(
                "RUST_LOG",
                std::env::var("CPTS_TEST_SERVICE_LOG").unwrap_or_else(|_| "warn".into()),
            )
            .stdout(Stdio::piped());
        for (name, value) in env {
            command.env(name, value);
        }
        let mut child = command.spawn().expect("starting the service");
        let stdout = child.stdout.take().expect("stdout");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("reading the service's output");
        let addr = line
            .trim()
            .strip_prefix("listening ")
            .unwrap_or_else(|| panic!("the service did not start: {line:?}"))
            .parse()
            .expect("an address");
        Self {
            child,
            _keys: keys,
            addr,
        }
    }

    /// Kills the process at once (SIGKILL): nothing is flushed, no transaction committed.
    pub fn kill(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

impl Drop for ServiceProcess {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Who has an address in the tests, and in which language they read.
pub const MEMBER_CONTACTS: &[(&str, &str, Lang)] = &[
    ("sophie-marty", "sophie.marty@example.org", Lang::Fr),
    ("martine-roussel", "martine.roussel@example.org", Lang::Fr),
    ("karim-benali", "karim.benali@example.org", Lang::En),
    ("julien-fabre", "julien.fabre@example.org", Lang::Fr),
];

/// Anonymous contributions that came with an address.
pub const ANONYMOUS_CONTACTS: &[(&str, &str, Lang)] = &[
    ("p04", "habitant.marseillan@example.org", Lang::Fr),
    ("p10", "resident.sete@example.org", Lang::En),
];

/// An e-mail the scenario must cause.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpectedMail {
    /// The contribution answered.
    pub contribution: String,
    /// The address.
    pub to: String,
    /// The language.
    pub lang: Lang,
    /// The disposition as the recipient reads it.
    pub disposition: String,
    /// The rationale, if any.
    pub rationale: Option<String>,
    /// The decision's title.
    pub decision: String,
}

/// One e-mail per published answer to a contribution whose author left an address.
pub fn expected_mails() -> Vec<ExpectedMail> {
    let scenario_json = scenario_raw();
    let mut authors = std::collections::HashMap::new();
    for consultation in scenario_json["consultations"].as_array().expect("list") {
        for c in consultation["contributions"].as_array().expect("list") {
            let slug = c["slug"].as_str().expect("slug").to_owned();
            authors.insert(slug, c["author"].as_str().map(str::to_owned));
        }
    }
    let mut out = Vec::new();
    for decision in scenario_json["decisions"].as_array().expect("list") {
        let title = decision["title"].as_str().expect("title").to_owned();
        for answer in decision["answers"].as_array().expect("list") {
            let slug = answer["contribution"].as_str().expect("slug");
            let contact = match authors.get(slug).cloned().flatten() {
                Some(member) => MEMBER_CONTACTS.iter().find(|(m, _, _)| *m == member),
                None => ANONYMOUS_CONTACTS.iter().find(|(c, _, _)| *c == slug),
            };
            let Some((_, to, lang)) = contact else {
                continue;
            };
            let disposition =
                Disposition::from_wire_name(answer["disposition"].as_str().expect("disposition"))
                    .expect("a disposition");
            assert!(
                answer["published_on"].is_string(),
                "every answer is published"
            );
            out.push(ExpectedMail {
                contribution: slug.to_owned(),
                to: (*to).to_owned(),
                lang: *lang,
                disposition: disposition.label(*lang).to_owned(),
                rationale: answer["rationale"].as_str().map(str::to_owned),
                decision: title.clone(),
            });
        }
    }
    out
}

fn scenario_raw() -> serde_json::Value {
    serde_json::from_str(include_str!("../../ledger/src/demo/val-de-letang.json"))
        .expect("the scenario file")
}

/// The ledger, with contact details added as the scenario is recorded: after a member with an
/// address is admitted, their address; after an anonymous contribution that came with one, it.
/// Without `publish`, answers are drafted but never published (they all wait).
pub struct WithContacts<'a> {
    /// The ledger.
    pub ledger: &'a Ledger,
    /// Whether answers are published.
    pub publish: bool,
}

fn trusted() -> CommandContext {
    CommandContext {
        caller: Caller::Trusted(Actor::System),
        command_id: Uuid::new_v4(),
    }
}

#[async_trait]
impl LedgerPort for WithContacts<'_> {
    async fn execute(
        &self,
        command: AddressedCommand,
        context: CommandContext,
    ) -> Result<Receipt, LedgerError> {
        let follow_up = match &command {
            AddressedCommand::Member {
                id,
                command: MemberCommand::Admit { .. },
            } => MEMBER_CONTACTS
                .iter()
                .find(|(slug, _, _)| MemberId(demo::id_of("member", slug)) == *id)
                .map(|(_, email, lang)| AddressedCommand::Member {
                    id: *id,
                    command: MemberCommand::SetContact {
                        email: Some((*email).to_owned()),
                        language: *lang,
                    },
                }),
            AddressedCommand::Consultation {
                id,
                command:
                    ConsultationCommand::Submit {
                        contribution_id,
                        author: Author::Anonymous { .. },
                        ..
                    },
            } => ANONYMOUS_CONTACTS
                .iter()
                .find(|(slug, _, _)| demo::id_of("contribution", slug) == contribution_id.0)
                .map(|(_, email, lang)| AddressedCommand::Consultation {
                    id: ConsultationId(id.0),
                    command: ConsultationCommand::LeaveContact {
                        contribution_id: *contribution_id,
                        email: (*email).to_owned(),
                        language: *lang,
                    },
                }),
            _ => None,
        };
        if let AddressedCommand::Decision {
            id,
            command:
                DecisionCommand::PublishAnswer { .. } | DecisionCommand::PublishAllAnswers { .. },
        } = &command
        {
            if !self.publish {
                return Ok(Receipt {
                    aggregate_type: "decision".into(),
                    aggregate_id: id.0,
                    events: vec![],
                });
            }
        }
        let receipt = self.ledger.execute(command, context).await?;
        if let Some(follow_up) = follow_up {
            self.ledger.execute(follow_up, trusted()).await?;
        }
        Ok(receipt)
    }

    async fn events_of(
        &self,
        aggregate_type: &str,
        aggregate_id: Uuid,
    ) -> Result<Vec<RecordedEvent>, LedgerError> {
        self.ledger.events_of(aggregate_type, aggregate_id).await
    }

    async fn head(&self) -> Result<(u64, String), LedgerError> {
        self.ledger.head().await
    }

    async fn verify(&self, digest: Option<&str>) -> Result<VerificationReport, LedgerError> {
        self.ledger.verify(digest).await
    }

    async fn personal_data(&self, member: MemberId) -> Result<serde_json::Value, LedgerError> {
        self.ledger.personal_data(member).await
    }

    async fn report(
        &self,
        community: CommunityId,
        period: (chrono::NaiveDate, chrono::NaiveDate),
        as_of: chrono::NaiveDate,
        position: Option<u64>,
        today: chrono::NaiveDate,
        lang: Lang,
    ) -> Result<cpts_projections::report::Report, LedgerError> {
        self.ledger
            .report(community, period, as_of, position, today, lang)
            .await
    }

    async fn projection_lag(&self) -> Result<Vec<ProjectionLag>, LedgerError> {
        self.ledger.projection_lag().await
    }

    async fn authenticate(&self, token: &str) -> Result<Option<Principal>, LedgerError> {
        self.ledger.authenticate(token).await
    }

    async fn community_of(
        &self,
        aggregate_type: &str,
        aggregate_id: Uuid,
    ) -> Result<Option<CommunityId>, LedgerError> {
        self.ledger.community_of(aggregate_type, aggregate_id).await
    }

    fn subscribe(&self, community: CommunityId) -> tokio::sync::broadcast::Receiver<FeedItem> {
        self.ledger.subscribe(community)
    }

    async fn ping(&self) -> Result<(), LedgerError> {
        self.ledger.ping().await
    }
}

/// Records the DOMAIN.md scenario, with the contact details above, through the command path.
pub async fn record_scenario_with_contacts(ledger: &Ledger) {
    demo::record_scenario(&WithContacts {
        ledger,
        publish: true,
    })
    .await
    .expect("the scenario records");
}

/// Records the scenario with the contact details above, but publishes no answer.
pub async fn record_scenario_unanswered(ledger: &Ledger) {
    demo::record_scenario(&WithContacts {
        ledger,
        publish: false,
    })
    .await
    .expect("the scenario records");
}
