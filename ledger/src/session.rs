//! Sessions of the dashboard: an API token checked once (`POST /session`) and a cookie that
//! names a session from then on, so that a browser tab need not hold the token.
//!
//! A session's id is 256-bit random and only its SHA-256 is stored (`api_sessions`), as for
//! tokens. It points to its token: it works only while that token is in force, so revoking the
//! token, its expiry or its holder's erasure end its sessions at once. A session also ends after
//! [`IDLE`] without a request, and never outlives its token.

use anyhow::Context;
use chrono::{DateTime, Duration, Utc};
use cpts_domain::access::Principal;
use cpts_projections::stmt;
use rand::RngCore;
use uuid::Uuid;

use crate::store::EventRepository;
use crate::tokens::{self, hash, text};

/// How long a session lasts without a request.
pub const IDLE: Duration = Duration::hours(12);

/// How often a session in use records that it was used: not on every request.
const TOUCH_EVERY: Duration = Duration::minutes(1);

/// A session just opened: its id goes in the cookie and is never stored.
#[derive(Debug, Clone)]
pub struct NewSession {
    /// The session's id (64 hex digits).
    pub id: String,
    /// Who it speaks for.
    pub principal: Principal,
    /// When it ends at the latest (its token's expiry, if sooner than [`IDLE`]).
    pub expires_at: DateTime<Utc>,
}

#[derive(Debug, sqlx::FromRow)]
struct Row {
    token_id: String,
    last_seen_at: String,
    expires_at: String,
}

fn parse(at: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(at)
        .ok()
        .map(|at| at.with_timezone(&Utc))
}

/// Opens a session for a bearer token; `None` if the token is unknown, malformed, revoked or
/// expired. Sessions already ended are forgotten on the way.
pub async fn open(repo: &EventRepository, secret: &str) -> anyhow::Result<Option<NewSession>> {
    let Some(principal) = tokens::authenticate(repo, secret).await? else {
        return Ok(None);
    };
    let Some(token) = tokens::find(repo, principal.token_id).await? else {
        return Ok(None);
    };
    let now = Utc::now();
    let Some(token_expiry) = token.expiry() else {
        return Ok(None);
    };
    let expires_at = token_expiry.min(now + IDLE);
    forget_ended(repo, now).await?;
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    let id = hex::encode(bytes);
    const SQL: &str = "INSERT INTO api_sessions \
        (session_hash, token_id, created_at, last_seen_at, expires_at) VALUES ($1, $2, $3, $4, $5)";
    repo.db()
        .execute(&stmt!(
            SQL,
            hash(&id),
            principal.token_id.to_string(),
            text(now),
            text(now),
            text(expires_at),
        ))
        .await
        .context("storing a session")?;
    Ok(Some(NewSession {
        id,
        principal,
        expires_at,
    }))
}

/// Whether a cookie's value has the shape of a session's id (checked before any look-up).
fn well_formed(id: &str) -> bool {
    id.len() == 64 && id.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Who a session speaks for; `None` if it is unknown, ended (idle, expired, closed) or its
/// token is no longer in force.
pub async fn authenticate(repo: &EventRepository, id: &str) -> anyhow::Result<Option<Principal>> {
    if !well_formed(id) {
        return Ok(None);
    }
    let digest = hash(id);
    let found: Option<Row> = repo
        .db()
        .fetch_optional(
            "SELECT token_id, last_seen_at, expires_at FROM api_sessions WHERE session_hash = $1",
            &[digest.as_str().into()],
        )
        .await
        .context("reading a session")?;
    let Some(row) = found else {
        return Ok(None);
    };
    let now = Utc::now();
    let (Some(last_seen), Some(expires_at)) = (parse(&row.last_seen_at), parse(&row.expires_at))
    else {
        return Ok(None);
    };
    if now >= expires_at || now >= last_seen + IDLE {
        return Ok(None);
    }
    let token_id: Uuid = row.token_id.parse().context("a stored token id")?;
    let Some(token) = tokens::find(repo, token_id).await? else {
        return Ok(None);
    };
    if !token.in_force(now) {
        return Ok(None);
    }
    if now >= last_seen + TOUCH_EVERY {
        // Used again: the session lasts IDLE from now, never past its token's expiry.
        let until = token.expiry().map_or(expires_at, |t| t.min(now + IDLE));
        repo.db()
            .execute(&stmt!(
                "UPDATE api_sessions SET last_seen_at = $1, expires_at = $2 \
                 WHERE session_hash = $3",
                text(now),
                text(until),
                digest.as_str(),
            ))
            .await
            .context("recording a session's use")?;
    }
    Ok(Some(token.principal()?))
}

/// Ends a session (`DELETE /session`); nothing happens for one already ended.
pub async fn close(repo: &EventRepository, id: &str) -> anyhow::Result<()> {
    if !well_formed(id) {
        return Ok(());
    }
    repo.db()
        .execute(&stmt!(
            "DELETE FROM api_sessions WHERE session_hash = $1",
            hash(id)
        ))
        .await
        .context("ending a session")?;
    Ok(())
}

/// Forgets every session of a token (once it is revoked: they no longer work anyway).
pub async fn close_all_of(repo: &EventRepository, token_id: Uuid) -> anyhow::Result<u64> {
    repo.db()
        .execute(&stmt!(
            "DELETE FROM api_sessions WHERE token_id = $1",
            token_id.to_string()
        ))
        .await
        .context("ending a token's sessions")
}

/// Forgets the sessions past their end, idle ones included.
async fn forget_ended(repo: &EventRepository, now: DateTime<Utc>) -> anyhow::Result<()> {
    repo.db()
        .execute(&stmt!(
            "DELETE FROM api_sessions WHERE expires_at <= $1 OR last_seen_at <= $2",
            text(now),
            text(now - IDLE),
        ))
        .await
        .context("forgetting ended sessions")?;
    Ok(())
}

/// The token operations of the API ([`cpts_graphql::port::LedgerPort`]), over `tokens` and
/// this module: the service's implementation of the port calls these.
pub mod port {
    use chrono::{DateTime, Utc};
    use cpts_domain::access::{AccessError, Principal, Role};
    use cpts_domain::ids::{CommunityId, MemberId};
    use cpts_domain::texts::t;
    use cpts_domain::values::Lang;
    use cpts_graphql::port::{IssuedToken, LedgerError, OpenedSession, TokenRecord};
    use uuid::Uuid;

    use crate::store::EventRepository;
    use crate::tokens::{self, TokenInfo};

    fn internal(context: &'static str) -> impl FnOnce(anyhow::Error) -> LedgerError {
        move |error| LedgerError::Internal(error.context(context))
    }

    fn at(text: &str) -> Option<DateTime<Utc>> {
        super::parse(text)
    }

    fn record(token: &TokenInfo, now: DateTime<Utc>) -> anyhow::Result<TokenRecord> {
        let principal = token.principal()?;
        Ok(TokenRecord {
            id: principal.token_id,
            role: principal.role,
            member: principal.member,
            label: token.label.clone(),
            created_at: at(&token.created_at),
            expires_at: token.expiry(),
            revoked_at: token.revoked_at.as_deref().and_then(at),
            in_force: token.in_force(now),
        })
    }

    /// [`LedgerPort::issue_token`](cpts_graphql::port::LedgerPort::issue_token).
    pub async fn issue(
        repo: &EventRepository,
        community: CommunityId,
        role: Role,
        member: Option<MemberId>,
        label: &str,
        expires_at: Option<DateTime<Utc>>,
    ) -> Result<IssuedToken, LedgerError> {
        let expires_at = expires_at.unwrap_or_else(|| Utc::now() + tokens::default_lifetime());
        let created = tokens::create_expiring(repo, community, role, member, label, expires_at)
            .await
            .map_err(|error| match error.downcast_ref::<tokens::MemberErased>() {
                Some(_) => LedgerError::Refused {
                    fr: t(Lang::Fr, "api-token-member-erased").to_owned(),
                    en: t(Lang::En, "api-token-member-erased").to_owned(),
                },
                None => LedgerError::Internal(error.context("issuing a token")),
            })?;
        let token = tokens::find(repo, created.token_id)
            .await
            .map_err(internal("reading the token issued"))?
            .ok_or_else(|| LedgerError::Internal(anyhow::anyhow!("the token issued is gone")))?;
        Ok(IssuedToken {
            token: record(&token, Utc::now()).map_err(internal("reading the token issued"))?,
            secret: created.secret,
        })
    }

    /// [`LedgerPort::tokens_of`](cpts_graphql::port::LedgerPort::tokens_of).
    pub async fn list(
        repo: &EventRepository,
        community: CommunityId,
    ) -> Result<Vec<TokenRecord>, LedgerError> {
        let now = Utc::now();
        tokens::list_in(repo, Some(community))
            .await
            .and_then(|tokens| tokens.iter().map(|t| record(t, now)).collect())
            .map_err(internal("listing a CPTS's tokens"))
    }

    /// [`LedgerPort::revoke_token`](cpts_graphql::port::LedgerPort::revoke_token).
    pub async fn revoke(
        repo: &EventRepository,
        community: CommunityId,
        token_id: Uuid,
    ) -> Result<bool, LedgerError> {
        let token = tokens::find(repo, token_id)
            .await
            .map_err(internal("reading a token"))?;
        if token.is_none_or(|t| t.community_id != community.to_string()) {
            return Err(AccessError::OutsideCommunity.into());
        }
        let revoked = tokens::revoke(repo, token_id)
            .await
            .map_err(internal("revoking a token"))?;
        super::close_all_of(repo, token_id)
            .await
            .map_err(internal("ending a revoked token's sessions"))?;
        Ok(revoked)
    }

    /// [`LedgerPort::open_session`](cpts_graphql::port::LedgerPort::open_session).
    pub async fn open(
        repo: &EventRepository,
        secret: &str,
    ) -> Result<Option<OpenedSession>, LedgerError> {
        let opened = super::open(repo, secret)
            .await
            .map_err(internal("opening a session"))?;
        Ok(opened.map(|s| OpenedSession {
            id: s.id,
            principal: s.principal,
            expires_at: s.expires_at,
        }))
    }

    /// [`LedgerPort::session_caller`](cpts_graphql::port::LedgerPort::session_caller).
    pub async fn caller(
        repo: &EventRepository,
        session: &str,
    ) -> Result<Option<Principal>, LedgerError> {
        super::authenticate(repo, session)
            .await
            .map_err(internal("checking a session"))
    }

    /// [`LedgerPort::close_session`](cpts_graphql::port::LedgerPort::close_session).
    pub async fn close(repo: &EventRepository, session: &str) -> Result<(), LedgerError> {
        super::close(repo, session)
            .await
            .map_err(internal("ending a session"))
    }
}
