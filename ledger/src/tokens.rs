//! API tokens: created and revoked from the command line, presented as `Authorization: Bearer`.
//!
//! A token is `cpts_` followed by 64 hex digits of randomness. Only its SHA-256 is stored: a
//! copy of the database does not give anyone a working token. Tokens are 256-bit random, so a
//! fast hash is enough (there is no password to slow a guess down for), and looking a token up
//! by its hash makes the comparison independent of how much of a guess is right.

use anyhow::{bail, Context};
use chrono::{SecondsFormat, Utc};
use cpts_domain::access::{Principal, Role};
use cpts_domain::ids::{CommunityId, MemberId};
use rand::RngCore;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::store::EventRepository;

const PREFIX: &str = "cpts_";

/// A token as listed: everything but the secret.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct TokenInfo {
    /// The token's id (not a secret).
    pub token_id: String,
    /// The CPTS it reaches.
    pub community_id: String,
    /// Its role's wire name.
    pub role: String,
    /// The member who holds it.
    pub member_id: Option<String>,
    /// What it is for, in the words of whoever created it.
    pub label: String,
    /// When it was created (RFC 3339, UTC).
    pub created_at: String,
    /// When it was revoked.
    pub revoked_at: Option<String>,
}

/// A new token: the secret is shown once and never stored.
#[derive(Debug, Clone)]
pub struct NewToken {
    /// The token's id.
    pub token_id: Uuid,
    /// The bearer token itself.
    pub secret: String,
}

fn hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

fn now() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// Creates a token for one CPTS and role. Board members and representatives act in their own
/// name: their token must name them.
pub async fn create(
    repo: &EventRepository,
    community: CommunityId,
    role: Role,
    member: Option<MemberId>,
    label: &str,
) -> anyhow::Result<NewToken> {
    if role.needs_member() && member.is_none() {
        bail!(
            "a {} token must name its holder (--member <id>)",
            role.wire_name()
        );
    }
    let label = label.trim();
    if label.is_empty() || label.chars().count() > 200 || label.chars().any(char::is_control) {
        bail!("the label must be 1 to 200 printable characters");
    }
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    let secret = format!("{PREFIX}{}", hex::encode(bytes));
    let token_id = Uuid::new_v4();
    const SQL: &str = "INSERT INTO api_tokens \
        (token_id, secret_hash, community_id, role, member_id, label, created_at) \
        VALUES ($1, $2, $3, $4, $5, $6, $7)";
    let values = (
        token_id.to_string(),
        hash(&secret),
        community.to_string(),
        role.wire_name(),
        member.map(|m| m.to_string()),
        label.to_owned(),
        now(),
    );
    macro_rules! insert {
        ($pool:expr) => {
            sqlx::query(SQL)
                .bind(&values.0)
                .bind(&values.1)
                .bind(&values.2)
                .bind(values.3)
                .bind(&values.4)
                .bind(&values.5)
                .bind(&values.6)
                .execute($pool)
                .await
        };
    }
    match (repo.pg_pool(), repo.sqlite_pool()) {
        (Some(pool), _) => insert!(pool).map(|_| ()),
        (_, Some(pool)) => insert!(pool).map(|_| ()),
        _ => unreachable!("a store has one backend"),
    }
    .context("storing the token")?;
    Ok(NewToken { token_id, secret })
}

/// Revokes a token; it stops working at once. Returns whether a live token was revoked.
pub async fn revoke(repo: &EventRepository, token_id: Uuid) -> anyhow::Result<bool> {
    const SQL: &str =
        "UPDATE api_tokens SET revoked_at = $1 WHERE token_id = $2 AND revoked_at IS NULL";
    let at = now();
    let id = token_id.to_string();
    let affected = match (repo.pg_pool(), repo.sqlite_pool()) {
        (Some(pool), _) => sqlx::query(SQL)
            .bind(&at)
            .bind(&id)
            .execute(pool)
            .await?
            .rows_affected(),
        (_, Some(pool)) => sqlx::query(SQL)
            .bind(&at)
            .bind(&id)
            .execute(pool)
            .await?
            .rows_affected(),
        _ => unreachable!("a store has one backend"),
    };
    Ok(affected == 1)
}

/// Every token, newest first.
pub async fn list(repo: &EventRepository) -> anyhow::Result<Vec<TokenInfo>> {
    const SQL: &str = "SELECT token_id, community_id, role, member_id, label, created_at, \
                       revoked_at FROM api_tokens ORDER BY created_at DESC, token_id";
    Ok(match (repo.pg_pool(), repo.sqlite_pool()) {
        (Some(pool), _) => sqlx::query_as(SQL).fetch_all(pool).await?,
        (_, Some(pool)) => sqlx::query_as(SQL).fetch_all(pool).await?,
        _ => unreachable!("a store has one backend"),
    })
}

/// The holder of a bearer token; `None` for an unknown, malformed or revoked token.
pub async fn authenticate(
    repo: &EventRepository,
    secret: &str,
) -> anyhow::Result<Option<Principal>> {
    if !secret.starts_with(PREFIX) || secret.len() != PREFIX.len() + 64 {
        return Ok(None);
    }
    const SQL: &str = "SELECT token_id, community_id, role, member_id, label, created_at, \
                       revoked_at FROM api_tokens WHERE secret_hash = $1";
    let digest = hash(secret);
    let found: Option<TokenInfo> = match (repo.pg_pool(), repo.sqlite_pool()) {
        (Some(pool), _) => {
            sqlx::query_as(SQL)
                .bind(&digest)
                .fetch_optional(pool)
                .await?
        }
        (_, Some(pool)) => {
            sqlx::query_as(SQL)
                .bind(&digest)
                .fetch_optional(pool)
                .await?
        }
        _ => unreachable!("a store has one backend"),
    };
    let Some(token) = found.filter(|t| t.revoked_at.is_none()) else {
        return Ok(None);
    };
    let principal = Principal {
        token_id: token.token_id.parse().context("a stored token id")?,
        community: token.community_id.parse().context("a stored CPTS id")?,
        role: Role::from_wire_name(&token.role).context("a stored role")?,
        member: token
            .member_id
            .map(|m| m.parse())
            .transpose()
            .context("a stored member id")?,
    };
    Ok(Some(principal))
}
