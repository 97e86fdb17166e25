//! The one place where failures become GraphQL errors: a French message, its English text in
//! `extensions.messageEn`, and an `extensions.code` a client can switch on. Every message comes
//! from the text catalogue ([`cpts_domain::texts`]): [`catalogued`] takes a key and its arguments.

use async_graphql::{Error, ErrorExtensions};
use cpts_domain::access::AccessError;
use cpts_domain::texts::{t, t_args, Arg};
use cpts_domain::values::Lang;
use cpts_domain::ErrorKind;

use crate::port::LedgerError;

/// The codes a client may receive in `extensions.code`.
pub mod codes {
    /// The input breaks a rule on its own.
    pub const INVALID_INPUT: &str = "INVALID_INPUT";
    /// The operation needs an API token and none (or no valid one) was given.
    pub const UNAUTHENTICATED: &str = "UNAUTHENTICATED";
    /// The caller's role does not allow the operation.
    pub const FORBIDDEN: &str = "FORBIDDEN";
    /// A record named by the input does not exist (in the caller's CPTS).
    pub const NOT_FOUND: &str = "NOT_FOUND";
    /// The input conflicts with the current state of the record.
    pub const CONFLICT: &str = "CONFLICT";
    /// The store could not be read for a rule check; nothing was written.
    pub const UNAVAILABLE: &str = "UNAVAILABLE";
    /// Something failed inside the service; its cause is in the service's log.
    pub const INTERNAL: &str = "INTERNAL";
    /// The request body is larger than the service accepts.
    pub const PAYLOAD_TOO_LARGE: &str = "PAYLOAD_TOO_LARGE";
    /// The request body is not a GraphQL request.
    pub const BAD_REQUEST: &str = "BAD_REQUEST";
    /// Too many WebSocket connections are open for this token or from this address.
    pub const TOO_MANY_CONNECTIONS: &str = "TOO_MANY_CONNECTIONS";
    /// Too many operations are running on this WebSocket connection.
    pub const TOO_MANY_SUBSCRIPTIONS: &str = "TOO_MANY_SUBSCRIPTIONS";
    /// The query's shape or cost is over a limit (size, fragments, aliases, complexity, …).
    pub const QUERY_LIMIT: &str = "QUERY_LIMIT";
    /// The request took longer than the service's time limit and was abandoned.
    pub const TIMEOUT: &str = "TIMEOUT";
    /// The service is serving as many requests as it can; try again after `Retry-After`.
    pub const OVERLOADED: &str = "OVERLOADED";
    /// The caller has as many requests in progress as one caller may; try again after
    /// `Retry-After`.
    pub const TOO_MANY_REQUESTS: &str = "TOO_MANY_REQUESTS";
}

/// An error with a code and its message in both languages.
pub fn coded(code: &'static str, french: impl Into<String>, english: impl Into<String>) -> Error {
    let english = english.into();
    Error::new(french).extend_with(|_, e| {
        e.set("code", code);
        e.set("messageEn", english.clone());
    })
}

/// An error with a code and the text of a catalogue key, in both languages.
pub fn catalogued(code: &'static str, key: &'static str, args: &[(&str, Arg<'_>)]) -> Error {
    coded(
        code,
        t_args(Lang::Fr, key, args),
        t_args(Lang::En, key, args),
    )
}

/// An input the API refuses before anything reaches the ledger, with the text of a catalogue
/// key.
pub fn invalid_input(key: &'static str, args: &[(&str, Arg<'_>)]) -> Error {
    catalogued(codes::INVALID_INPUT, key, args)
}

/// Maps a refusal of access.
pub fn from_access(error: &AccessError) -> Error {
    let code = match error {
        AccessError::Unauthenticated => codes::UNAUTHENTICATED,
        AccessError::RoleForbids { .. } | AccessError::NotInOwnName => codes::FORBIDDEN,
        AccessError::OutsideCommunity => codes::NOT_FOUND,
    };
    coded(code, error.message(Lang::Fr), error.message(Lang::En))
}

/// Maps a ledger failure. Internal causes are logged here and never shown.
pub fn from_ledger(error: LedgerError) -> Error {
    match error {
        LedgerError::Domain(domain) => {
            let code = match domain.kind() {
                ErrorKind::InvalidInput => codes::INVALID_INPUT,
                ErrorKind::NotFound => codes::NOT_FOUND,
                ErrorKind::Conflict => codes::CONFLICT,
                ErrorKind::Unavailable => codes::UNAVAILABLE,
            };
            let error = coded(code, domain.message(Lang::Fr), domain.message(Lang::En));
            match domain.field() {
                Some(field) => error.extend_with(|_, e| e.set("field", field)),
                None => error,
            }
        }
        LedgerError::Access(access) => from_access(&access),
        LedgerError::MismatchedIds => invalid_input("api-mismatched-ids", &[]),
        LedgerError::CommandIdReused => catalogued(codes::CONFLICT, "api-command-id-reused", &[]),
        LedgerError::BadDigest(text) => invalid_input("api-bad-digest", &[("text", text.into())]),
        LedgerError::Refused { fr, en } => coded(codes::INVALID_INPUT, fr, en),
        LedgerError::Contended => catalogued(codes::CONFLICT, "api-contended", &[]),
        LedgerError::Internal(cause) => {
            tracing::error!(
                error = format!("{cause:#}"),
                "internal error behind a GraphQL request"
            );
            internal()
        }
    }
}

/// The error a client sees when something failed inside the service (its cause is logged).
pub fn internal() -> Error {
    coded(
        codes::INTERNAL,
        t(Lang::Fr, "api-internal"),
        t(Lang::En, "api-internal"),
    )
}
