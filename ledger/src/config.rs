//! Configuration: defaults, then environment variables, then command-line flags.

use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;

/// The embedded default store, used when no `DATABASE_URL` is given.
pub const DEFAULT_SQLITE_FILE: &str = "ledger.db";

/// Where the ledger keeps its record.
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseConfig {
    /// A `postgres://` or `sqlite:` URL.
    pub url: String,
}

impl DatabaseConfig {
    /// The given URL, or the embedded SQLite file under `data_dir`.
    pub fn from_url_or_data_dir(url: Option<String>, data_dir: &std::path::Path) -> Self {
        match url.filter(|u| !u.trim().is_empty()) {
            Some(url) => Self { url },
            None => {
                let file: PathBuf = data_dir.join(DEFAULT_SQLITE_FILE);
                Self {
                    url: format!("sqlite://{}", file.display()),
                }
            }
        }
    }

    /// The URL with any password replaced, fit for logs.
    pub fn redacted(&self) -> String {
        redact_password(&self.url)
    }
}

impl fmt::Debug for DatabaseConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DatabaseConfig")
            .field("url", &self.redacted())
            .finish()
    }
}

/// Hides the password of a `scheme://user:password@host/...` URL.
pub fn redact_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let Some((credentials, host)) = rest.split_once('@') else {
        return url.to_owned();
    };
    match credentials.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_owned(),
    }
}

/// The settings of `cpts-ledger serve`.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// The store.
    pub database: DatabaseConfig,
    /// The address to listen on.
    pub listen: SocketAddr,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_reach_the_logs() {
        let config = DatabaseConfig {
            url: "postgres://ledger:s3cret@db.example:5432/cpts".into(),
        };
        assert_eq!(
            config.redacted(),
            "postgres://ledger:***@db.example:5432/cpts"
        );
        assert!(!format!("{config:?}").contains("s3cret"));
    }

    #[test]
    fn without_url_the_store_is_a_sqlite_file_under_the_data_folder() {
        let config = DatabaseConfig::from_url_or_data_dir(None, std::path::Path::new("data"));
        assert_eq!(config.url, "sqlite://data/ledger.db");
        let blank =
            DatabaseConfig::from_url_or_data_dir(Some(" ".into()), std::path::Path::new("data"));
        assert_eq!(blank.url, "sqlite://data/ledger.db");
    }
}
