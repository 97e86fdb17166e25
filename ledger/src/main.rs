//! `cpts-ledger`: the governance ledger of a CPTS.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use clap::{Parser, Subcommand};
use cpts_domain::access::Role;
use cpts_domain::ids::{CommunityId, MemberId};
use cpts_domain::values::Lang;
use cpts_graphql::clock;
use cpts_graphql::port::LedgerPort;
use cpts_ledger::app;
use cpts_ledger::config::DatabaseConfig;
use cpts_ledger::notify::NotifyConfig;
use cpts_ledger::projector::Projector;
use cpts_ledger::report::{self, ReportRequest};
use cpts_ledger::service::Ledger;
use cpts_ledger::store::keyring::{self, KeySource, MasterKey};
use cpts_ledger::{personal, tokens};
use cpts_projections::report::render;
use tracing_subscriber::EnvFilter;
use uuid::Uuid;

/// The governance ledger of a CPTS: decisions, consultations and memberships as immutable
/// events, and how each contribution was taken into account.
#[derive(Debug, Parser)]
#[command(name = "cpts-ledger", version)]
struct Cli {
    /// The store: a `postgres://` URL, or a `sqlite://` file. Without it, the embedded
    /// SQLite file `ledger.db` under the data folder.
    #[arg(long, env = "DATABASE_URL", global = true, hide_env_values = true)]
    database_url: Option<String>,

    /// The folder of the embedded SQLite store.
    #[arg(long, env = "CPTS_DATA_DIR", default_value = "data", global = true)]
    data_dir: PathBuf,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serves the dashboard at /, GraphQL (and GraphiQL) at /graphql, a health check at
    /// /healthz and the read models' readiness at /readyz.
    Serve {
        /// The address to listen on.
        #[arg(long, env = "CPTS_LISTEN", default_value = "127.0.0.1:8080")]
        listen: SocketAddr,
        /// Leaves GraphiQL out: `GET /graphql` then answers 405 (the API is unchanged).
        #[arg(long, env = "CPTS_NO_GRAPHIQL")]
        no_graphiql: bool,
        /// The longest a GraphQL request may take, in seconds, before it is abandoned (503).
        #[arg(long, env = "CPTS_REQUEST_TIMEOUT", default_value_t = cpts_graphql::load::DEFAULT_TIMEOUT_SECONDS)]
        request_timeout: u64,
        /// The most GraphQL requests in progress at once; beyond, 503 with Retry-After.
        #[arg(long, env = "CPTS_MAX_REQUESTS", default_value_t = cpts_graphql::load::DEFAULT_MAX_CONCURRENT)]
        max_requests: usize,
        /// The most GraphQL requests in progress for one token (or one address without a
        /// token); beyond, 429 with Retry-After.
        #[arg(long, env = "CPTS_MAX_REQUESTS_PER_CALLER", default_value_t = cpts_graphql::load::DEFAULT_MAX_CONCURRENT_PER_CALLER)]
        max_requests_per_caller: usize,
    },
    /// Creates or updates the store's tables, then exits.
    Migrate,
    /// Records the Val de l'Étang scenario, so there is something real to look at.
    Demo,
    /// Writes the whole log, with its hashes, as JSON Lines (to standard output without --output).
    Export {
        /// The file to write.
        #[arg(long)]
        output: Option<PathBuf>,
    },
    /// Loads an export into an empty store, refusing a file whose hash chain does not verify.
    Import {
        /// The JSON Lines file written by `export`.
        file: PathBuf,
        /// The master key file the export was made under, when it is not this store's (the
        /// key a rotation replaced): the keys are rewrapped under this store's key.
        #[arg(long)]
        former_key_file: Option<PathBuf>,
    },
    /// Replays the whole log into fresh read models, in one transaction: readers see the old ones
    /// until it commits, and a failure leaves them as they were.
    Rebuild,
    /// Recomputes the hash chain of the log, names the first event that does not match, and
    /// prints the digest that commits to the log as it is now. Fails if the log is altered.
    Verify {
        /// A digest printed by an earlier `verify`: also proves that the log still contains,
        /// unchanged, everything it committed to.
        #[arg(long)]
        digest: Option<String>,
    },
    /// Erases a member's personal data at their request: their key is destroyed, so their name
    /// and texts read as erased everywhere, while the log and its hashes stay whole.
    Erase {
        /// The member.
        #[arg(long)]
        member: Uuid,
        /// When the erasure was decided (today in the CPTS's time zone by default).
        #[arg(long)]
        on: Option<chrono::NaiveDate>,
    },
    /// Queues, for each coordinator of a CPTS with an address, the e-mail digest of the
    /// contributions whose answer deadline is past or within `--within-days`, and of the
    /// échéances overdue or within 90 days (run it daily; nothing is queued when nothing is due).
    Digest {
        /// The CPTS.
        #[arg(long)]
        community: Uuid,
        /// The day of the digest (today in the CPTS's time zone by default).
        #[arg(long)]
        as_of: Option<chrono::NaiveDate>,
        /// How many days ahead a deadline counts as near.
        #[arg(long, default_value_t = 7)]
        within_days: u32,
    },
    /// Writes everything the ledger holds about a member as JSON (right of access).
    ExportPerson {
        /// The member.
        #[arg(long)]
        member: Uuid,
        /// The file to write (standard output without it).
        #[arg(long)]
        output: Option<PathBuf>,
    },
    /// Writes the general assembly's report of a CPTS for a period: the facts dated on or
    /// before the as-of date, as the log stood at a position (the head by default). The same
    /// arguments and position give the same bytes, whenever run.
    Report {
        /// The CPTS.
        #[arg(long)]
        community: Uuid,
        /// The facts dated on or before this day (today, in the CPTS's time zone, by default;
        /// a later day is refused, today gives a provisional report); it also judges what is
        /// late.
        #[arg(long)]
        as_of: Option<chrono::NaiveDate>,
        /// The log position to read up to (the head by default): the position in the seal of
        /// an earlier report gives that report again, byte for byte.
        #[arg(long)]
        position: Option<u64>,
        /// First day of the period (default: 1 January of the as-of year).
        #[arg(long)]
        from: Option<chrono::NaiveDate>,
        /// Last day of the period (default: 31 December of the as-of year).
        #[arg(long)]
        to: Option<chrono::NaiveDate>,
        /// fr or en.
        #[arg(long, default_value = "fr", value_parser = ["fr", "en"])]
        lang: String,
        /// md, html, json, or csv (the period's open data: three files, into --output, a folder).
        #[arg(long, default_value = "md", value_parser = ["md", "html", "json", "csv"])]
        format: String,
        /// The file to write (standard output without it); for csv, the folder.
        #[arg(long)]
        output: Option<PathBuf>,
    },
    /// Creates, lists and revokes the API tokens that the GraphQL API accepts.
    #[command(subcommand)]
    Token(TokenCommand),
    /// The master key that wraps every person's key: create one, check it, rotate it.
    #[command(subcommand)]
    Keys(KeysCommand),
}

#[derive(Debug, Subcommand)]
enum KeysCommand {
    /// Writes a new master key to a new file of mode 0600 (never over an existing file), for
    /// CPTS_MASTER_KEY_FILE. Back it up apart from the data: without it, nothing personal can
    /// ever be read again.
    Init {
        /// The file to create.
        #[arg(long)]
        file: PathBuf,
    },
    /// Checks that the master key opens the store, and says where it comes from.
    Check,
    /// Replaces the master key: every key is rewrapped in one transaction, then the key file
    /// is replaced (the former key stays in <file>.previous until the end). Stop the service
    /// first, and back up the new key file.
    Rotate {
        /// Where to write the new key when the current one comes from CPTS_MASTER_KEY.
        #[arg(long)]
        new_file: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
enum TokenCommand {
    /// Creates a token and prints it, once: only its hash is kept.
    Create {
        /// The CPTS the token reaches. Without it, a new id: a coordinator's token for a CPTS
        /// not registered yet, which it can then register under that id.
        #[arg(long)]
        community: Option<Uuid>,
        /// coordinator, board_member, representative or auditor.
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// The member who holds it (required for board members and representatives).
        #[arg(long)]
        member: Option<Uuid>,
        /// What it is for, e.g. "Tableau de bord de la coordinatrice".
        #[arg(long)]
        label: String,
        /// When it stops working: a date (works until the end of that day, UTC), an RFC 3339
        /// time, or a duration (90d, 12h, 30min, 2w, 1y). A year by default.
        #[arg(long)]
        expires: Option<String>,
    },
    /// Lists every token, revoked and expired ones included; never the secrets.
    List {
        /// Only the tokens of this CPTS.
        #[arg(long)]
        community: Option<Uuid>,
    },
    /// Revokes a token: it stops working at once.
    Revoke {
        /// The token's id, as printed by `create` and `list`.
        token_id: Uuid,
    },
}

fn parse_role(text: &str) -> Result<Role, String> {
    Role::from_wire_name(text).ok_or_else(|| {
        let names: Vec<&str> = Role::ALL.iter().map(|r| r.wire_name()).collect();
        format!("unknown role “{text}”; one of: {}", names.join(", "))
    })
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn")),
        )
        .init();
    let cli = Cli::parse();
    // "Today" is the CPTS's day, not the server's: a time zone that is not one stops here.
    let zone = clock::time_zone_from_env().map_err(anyhow::Error::msg)?;
    tracing::debug!(%zone, "the CPTS's time zone");
    let database = DatabaseConfig::from_url_or_data_dir(cli.database_url, &cli.data_dir);
    if let Command::Keys(KeysCommand::Init { file }) = &cli.command {
        MasterKey::generate().write_new_file(file)?;
        println!(
            "Clé maîtresse écrite dans {0} (mode 0600) : sauvegardez-la à part des données, puis \
             CPTS_MASTER_KEY_FILE={0} / master key written to {0}: back it up apart from the \
             data, then set CPTS_MASTER_KEY_FILE={0}",
            file.display()
        );
        return Ok(());
    }
    tracing::info!(store = %database.redacted(), "opening the store");
    let keys = KeySource::from_env(&database);
    let repo = app::open_store_with(&database, &keys).await?;

    match cli.command {
        Command::Migrate => {
            tracing::info!("the store is up to date");
        }
        Command::Serve {
            listen,
            no_graphiql,
            request_timeout,
            max_requests,
            max_requests_per_caller,
        } => {
            let ledger = Arc::new(Ledger::new(repo));
            let notify = NotifyConfig::from_env()?;
            tracing::info!(settings = ?notify, "notifications");
            let load = cpts_graphql::load::LoadLimits {
                timeout: std::time::Duration::from_secs(request_timeout.max(1)),
                max_concurrent: max_requests.max(1),
                max_concurrent_per_caller: max_requests_per_caller.max(1),
            };
            tracing::info!(limits = ?load, "request limits");
            let options = app::HttpOptions {
                graphiql: !no_graphiql,
                load,
                sessions: cpts_graphql::session::SessionLimits::for_public_url(&notify.public_url),
                ..app::HttpOptions::default()
            };
            let server =
                app::serve_with(ledger, listen, notify, options, shutdown_signal()).await?;
            tracing::info!("dashboard at http://{}/", server.addr);
            tracing::info!("cpts-ledger listening on http://{}/graphql", server.addr);
            server
                .task
                .await
                .context("the HTTP task stopped unexpectedly")??;
            tracing::info!("stopped");
        }
        Command::Demo => {
            let ledger = Ledger::new(repo);
            let summary = cpts_ledger::demo::record_scenario(&ledger).await?;
            println!(
                "Démonstration enregistrée : CPTS du Val de l'Étang ({}), {} commandes, {} événements.",
                summary.community_id, summary.commands, summary.events
            );
            println!(
                "Demo recorded: {} commands, {} events. Start the service with `cpts-ledger serve`.",
                summary.commands, summary.events
            );
        }
        Command::Keys(KeysCommand::Init { .. }) => {}
        Command::Keys(KeysCommand::Check) => {
            let (check, generation) = repo.key_check().await?.unwrap_or_default();
            let from = keys
                .file()
                .map_or_else(|| keyring::ENV_KEY.to_owned(), |f| f.display().to_string());
            println!(
                "La clé maîtresse ({from}) ouvre la base : génération {generation}, valeur de \
                 contrôle {check} / the master key opens the store."
            );
        }
        Command::Keys(KeysCommand::Rotate { new_file }) => {
            let rotated = keyring::rotate(&repo, &keys, new_file.as_deref()).await?;
            println!(
                "Clé maîtresse remplacée : {} clés rechiffrées, génération {}, nouvelle clé dans \
                 {} (sauvegardez-la ; les exports antérieurs s'importent avec --former-key-file et l'ancienne) / master key \
                 rotated: {} keys rewrapped, the new key is in {}.",
                rotated.keys,
                rotated.generation,
                rotated.file.display(),
                rotated.keys,
                rotated.file.display()
            );
        }
        Command::Export { output } => {
            let (events, digest) = match &output {
                Some(path) => cpts_ledger::backup::export_to_file(&repo, path).await?,
                None => cpts_ledger::backup::export(&repo, &mut std::io::stdout().lock()).await?,
            };
            eprintln!("Exporté / exported: {events} événements / events, {digest}");
        }
        Command::Import {
            file,
            former_key_file,
        } => {
            let input = std::fs::File::open(&file)
                .with_context(|| format!("opening {}", file.display()))?;
            let former = former_key_file
                .as_deref()
                .map(MasterKey::read_file)
                .transpose()?;
            let (events, digest) = cpts_ledger::backup::import_under(
                &repo,
                std::io::BufReader::new(input),
                former.as_ref(),
            )
            .await?;
            println!("Importé / imported: {events} événements / events, {digest}");
            let projector = Projector::new(repo.clone());
            let reached = projector.catch_up().await?;
            println!("Projections à jour jusqu'à la position {reached} / read models up to date at position {reached}.");
            // The restored answers were announced from the original store: not again.
            cpts_ledger::notify::outbox::feed_quietly(&repo, projector.db()).await?;
        }
        Command::Rebuild => {
            let ledger = Ledger::new(repo);
            let reached = ledger.projector().rebuild().await?;
            println!("Projections reconstruites jusqu'à la position {reached} / read models rebuilt up to position {reached}.");
        }
        Command::Token(TokenCommand::Create {
            community,
            role,
            member,
            label,
            expires,
        }) => {
            let new_community = community.is_none();
            let community = CommunityId(community.unwrap_or_else(Uuid::new_v4));
            let now = chrono::Utc::now();
            let expires_at = match expires {
                Some(text) => tokens::parse_expiry(&text, now)?,
                None => now + tokens::default_lifetime(),
            };
            let token = tokens::create_expiring(
                &repo,
                community,
                role,
                member.map(MemberId),
                &label,
                expires_at,
            )
            .await?;
            let until = expires_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
            println!("{}", token.secret);
            eprintln!(
                "Jeton {} créé pour la CPTS {community} (rôle {}), valable jusqu'au {until}. Conservez-le : il ne sera plus affiché.",
                token.token_id,
                role.wire_name()
            );
            eprintln!(
                "Token {} created for CPTS {community} (role {}), valid until {until}. Keep it: it will not be shown again.",
                token.token_id,
                role.wire_name()
            );
            if new_community {
                eprintln!("Nouvelle CPTS / new CPTS: register it with registerCommunity (its id will be {community}).");
            }
        }
        Command::Digest {
            community,
            as_of,
            within_days,
        } => {
            let projector = Projector::new(repo);
            projector.catch_up().await?;
            let as_of = as_of.unwrap_or_else(clock::today);
            let queued = cpts_ledger::notify::digest::queue(
                projector.db(),
                &community.to_string(),
                as_of,
                within_days,
                &cpts_ledger::notify::NotifyConfig::from_env()?.public_url,
            )
            .await?;
            println!("{queued} synthèse(s) mise(s) en file / digest(s) queued.");
        }
        Command::Erase { member, on } => {
            let ledger = Ledger::new(repo);
            let on = on.unwrap_or_else(clock::today);
            let receipt = personal::erase(&ledger, MemberId(member), on).await?;
            let position = receipt.events.last().map_or(0, |e| e.position);
            println!("Données personnelles de {member} effacées (position {position}) / personal data erased.");
        }
        Command::ExportPerson { member, output } => {
            let ledger = Ledger::new(repo);
            let export = personal::export_person(&ledger, MemberId(member)).await?;
            let text = serde_json::to_string_pretty(&export)?;
            match output {
                Some(path) => std::fs::write(&path, text + "\n")
                    .with_context(|| format!("writing {}", path.display()))?,
                None => println!("{text}"),
            }
        }
        Command::Report {
            community,
            as_of,
            position,
            from,
            to,
            lang,
            format,
            output,
        } => {
            let today = clock::today();
            let mut request =
                ReportRequest::year_of(CommunityId(community), as_of.unwrap_or(today), today);
            request.position = position;
            request.period = (
                from.unwrap_or(request.period.0),
                to.unwrap_or(request.period.1),
            );
            request.lang = if lang == "en" { Lang::En } else { Lang::Fr };
            let built = match report::generate(&repo, request).await {
                Ok(built) => built,
                Err(error) => match error.downcast_ref::<report::ReportRefusal>() {
                    Some(refusal) => {
                        anyhow::bail!("{} / {}", refusal.message_fr(), refusal.message_en())
                    }
                    None => return Err(error),
                },
            };
            anyhow::ensure!(
                !built.community.name.is_empty(),
                "no CPTS {community} in this ledger"
            );
            if format == "csv" {
                let folder =
                    output.context("--format csv writes three files: give --output <folder>")?;
                std::fs::create_dir_all(&folder)
                    .with_context(|| format!("creating {}", folder.display()))?;
                for (name, content) in render::open_data(&built) {
                    let path = folder.join(name);
                    std::fs::write(&path, content)
                        .with_context(|| format!("writing {}", path.display()))?;
                    println!("{}", path.display());
                }
                return Ok(());
            }
            let text = match format.as_str() {
                "html" => render::html(&built),
                "json" => render::json(&built),
                _ => render::markdown(&built),
            };
            match output {
                Some(path) => std::fs::write(&path, text)
                    .with_context(|| format!("writing {}", path.display()))?,
                None => print!("{text}"),
            }
        }
        Command::Token(TokenCommand::List { community }) => {
            let now = chrono::Utc::now();
            for token in tokens::list_in(&repo, community.map(CommunityId)).await? {
                let expiry = token
                    .expiry()
                    .map(|at| at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
                let state = match (&token.revoked_at, token.in_force(now)) {
                    (Some(at), _) => format!("revoked {at}"),
                    (None, true) => "active".to_owned(),
                    (None, false) => "expired".to_owned(),
                };
                println!(
                    "{}\t{}\t{}\t{}\t{}\t{}\texpires {}\t{}",
                    token.token_id,
                    token.community_id,
                    token.role,
                    token.member_id.as_deref().unwrap_or("-"),
                    token.created_at,
                    state,
                    expiry.as_deref().unwrap_or("-"),
                    token.label
                );
            }
        }
        Command::Token(TokenCommand::Revoke { token_id }) => {
            if tokens::revoke(&repo, token_id).await? {
                println!("Jeton {token_id} révoqué / token revoked.");
            } else {
                anyhow::bail!("no active token {token_id} (unknown, or already revoked)");
            }
        }
        Command::Verify { digest } => {
            let ledger = Ledger::new(repo);
            let report = ledger
                .verify(digest.as_deref())
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!(
                "Événements vérifiés / events checked : {}",
                report.events_checked
            );
            println!("Empreinte / digest : {}", report.digest);
            if let Some(digest) = &digest {
                if report.intact {
                    println!("L'empreinte {digest} est confirmée / the digest is confirmed.");
                }
            }
            match (
                report.first_broken_position,
                report.problem,
                report.problem_en,
            ) {
                (Some(position), Some(problem), Some(problem_en)) => {
                    println!("Registre ALTÉRÉ à la position {position} : {problem}.");
                    println!("Log ALTERED at position {position}: {problem_en}.");
                    std::process::exit(2);
                }
                _ => println!("Registre intact / the log is intact."),
            }
        }
    }
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
