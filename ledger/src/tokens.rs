//! API tokens: created and revoked from the command line or by a coordinator over GraphQL
//! (through [`crate::session::port`]), presented as `Authorization: Bearer` or traded once for
//! a session cookie ([`crate::session`]).
//!
//! A token is `cpts_` followed by 64 hex digits of randomness. Only its SHA-256 is stored: a
//! copy of the database does not give anyone a working token. Tokens are 256-bit random, so a
//! fast hash is enough (there is no password to slow a guess down for), and looking a token up
//! by its hash makes the comparison independent of how much of a guess is right.
//!
//! Every token expires (a year after its creation by default). A token that names a member
//! must name a member of its CPTS; erasing that member revokes it and erases its label, which
//! may hold their name. The label is stored sealed (`cpts_projections::at_rest`), for the same
//! reason.

use std::collections::HashSet;

use anyhow::{bail, Context};
use chrono::{DateTime, Duration, NaiveDate, SecondsFormat, Utc};
use cpts_domain::access::{Principal, Role};
use cpts_domain::ids::{CommunityId, MemberId};
use cpts_domain::personal::ERASED;
use cpts_projections::at_rest::column;
use cpts_projections::db::Param;
use cpts_projections::stmt;
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
    /// When it stops working (RFC 3339, UTC).
    pub expires_at: Option<String>,
}

impl TokenInfo {
    /// Whether the token still opens anything at `now`: not revoked, not expired.
    pub fn in_force(&self, now: DateTime<Utc>) -> bool {
        self.revoked_at.is_none() && self.expiry().is_some_and(|at| now < at)
    }

    /// When it stops working. A token stored without an expiry gets the default one, a year
    /// after its creation; a date that does not parse counts as already past.
    pub fn expiry(&self) -> Option<DateTime<Utc>> {
        match &self.expires_at {
            Some(at) => DateTime::parse_from_rfc3339(at)
                .ok()
                .map(|at| at.with_timezone(&Utc)),
            None => DateTime::parse_from_rfc3339(&self.created_at)
                .ok()
                .map(|at| at.with_timezone(&Utc) + default_lifetime()),
        }
    }
}

impl TokenInfo {
    /// Who the token speaks for, as the API sees them.
    pub fn principal(&self) -> anyhow::Result<Principal> {
        Ok(Principal {
            token_id: self.token_id.parse().context("a stored token id")?,
            community: self.community_id.parse().context("a stored CPTS id")?,
            role: Role::from_wire_name(&self.role).context("a stored role")?,
            member: self
                .member_id
                .as_deref()
                .map(str::parse)
                .transpose()
                .context("a stored member id")?,
        })
    }
}

/// How long a token works when its creator does not say: a year.
pub fn default_lifetime() -> Duration {
    Duration::days(365)
}

/// Reads `--expires`: a date (`2027-06-30`: the token works until the end of that day, UTC),
/// a date and time in RFC 3339, or a duration from `now` (`90d`, `12h`, `30min`, `2w`, `1y`,
/// `45s`). The result must be in the future.
pub fn parse_expiry(text: &str, now: DateTime<Utc>) -> anyhow::Result<DateTime<Utc>> {
    let text = text.trim();
    let at = if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        date.succ_opt()
            .and_then(|next| next.and_hms_opt(0, 0, 0))
            .map(|at| at.and_utc())
            .context("a date too far in the future")?
    } else if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        at.with_timezone(&Utc)
    } else {
        let split = text
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(text.len());
        let (count, unit) = text.split_at(split);
        let count: i64 = count.parse().map_err(|_| {
            anyhow::anyhow!(
                "--expires « {text} » : attendu une date (2027-06-30), une date et heure RFC 3339 \
                 ou une durée (90d, 12h, 30min, 2w, 1y) / expected a date, an RFC 3339 date and \
                 time, or a duration"
            )
        })?;
        let seconds = match unit.trim() {
            "s" => 1,
            "min" => 60,
            "h" => 3_600,
            "d" => 86_400,
            "w" => 7 * 86_400,
            "y" => 365 * 86_400,
            other => {
                bail!("--expires : unité « {other} » inconnue (s, min, h, d, w, y) / unknown unit")
            }
        };
        count
            .checked_mul(seconds)
            .and_then(Duration::try_seconds)
            .and_then(|d| now.checked_add_signed(d))
            .context("--expires : durée trop longue / duration too long")?
    };
    if at <= now {
        bail!("--expires : la date d'expiration est passée / the expiry is in the past");
    }
    Ok(at)
}

/// A new token: the secret is shown once and never stored.
#[derive(Debug, Clone)]
pub struct NewToken {
    /// The token's id.
    pub token_id: Uuid,
    /// The bearer token itself.
    pub secret: String,
}

/// The SHA-256 of a secret (a token, or a session's id), as stored.
pub(crate) fn hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

pub(crate) fn text(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Micros, true)
}

fn now() -> String {
    text(Utc::now())
}

/// Creates a token for one CPTS and role, working for a year. Board members and
/// representatives act in their own name: their token must name them.
pub async fn create(
    repo: &EventRepository,
    community: CommunityId,
    role: Role,
    member: Option<MemberId>,
    label: &str,
) -> anyhow::Result<NewToken> {
    let expires_at = Utc::now() + default_lifetime();
    create_expiring(repo, community, role, member, label, expires_at).await
}

/// Creates a token that stops working at `expires_at` (a past time gives a token that never
/// works). A member it names must be a member of `community`, not erased.
pub async fn create_expiring(
    repo: &EventRepository,
    community: CommunityId,
    role: Role,
    member: Option<MemberId>,
    label: &str,
    expires_at: DateTime<Utc>,
) -> anyhow::Result<NewToken> {
    if role.needs_member() && member.is_none() {
        bail!(
            "a {} token must name its holder (--member <id>)",
            role.wire_name()
        );
    }
    if let Some(member) = member {
        check_member(repo, community, member).await?;
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
        (token_id, secret_hash, community_id, role, member_id, label, created_at, expires_at) \
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
    repo.db()
        .execute(&stmt!(
            SQL,
            token_id.to_string(),
            hash(&secret),
            community.to_string(),
            role.wire_name(),
            member.map(|m| m.to_string()),
            repo.db().at_rest()?.seal(column::TOKEN_LABEL, label),
            now(),
            text(expires_at),
        ))
        .await
        .context("storing the token")?;
    Ok(NewToken { token_id, secret })
}

/// The refusal of a token in the name of a member whose data is erased.
#[derive(Debug, thiserror::Error)]
#[error("les données du membre {0} sont effacées : pas de jeton à son nom / member {0} is erased: no token in their name")]
pub struct MemberErased(pub MemberId);

/// Checks that `member` is a member of `community` whose data is not erased.
async fn check_member(
    repo: &EventRepository,
    community: CommunityId,
    member: MemberId,
) -> anyhow::Result<()> {
    let id = member.to_string();
    let belongs = repo
        .community_of("member", &id)
        .await
        .context("finding the member's CPTS")?;
    if belongs.as_deref() != Some(community.to_string().as_str()) {
        bail!(
            "le membre {id} n'est pas membre de la CPTS {community} / member {id} is not a \
             member of CPTS {community}"
        );
    }
    let erased = repo
        .read_stream("member", &id)
        .await
        .context("reading the member's record")?
        .iter()
        .any(|e| e.event_type == "PersonalDataErased");
    if erased {
        return Err(MemberErased(member).into());
    }
    Ok(())
}

/// Revokes a token; it stops working at once. Returns whether a live token was revoked.
pub async fn revoke(repo: &EventRepository, token_id: Uuid) -> anyhow::Result<bool> {
    const SQL: &str =
        "UPDATE api_tokens SET revoked_at = $1 WHERE token_id = $2 AND revoked_at IS NULL";
    let at = now();
    let id = token_id.to_string();
    let affected = repo
        .db()
        .execute(&stmt!(SQL, at.as_str(), id.as_str()))
        .await?;
    Ok(affected == 1)
}

/// The columns of [`TokenInfo`].
const COLUMNS: &str =
    "token_id, community_id, role, member_id, label, created_at, revoked_at, expires_at";

/// Every token, newest first.
pub async fn list(repo: &EventRepository) -> anyhow::Result<Vec<TokenInfo>> {
    list_in(repo, None).await
}

/// Every token of one CPTS (of all without one), newest first.
pub async fn list_in(
    repo: &EventRepository,
    community: Option<CommunityId>,
) -> anyhow::Result<Vec<TokenInfo>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM api_tokens WHERE {} IS NULL OR community_id = $1 \
         ORDER BY created_at DESC, token_id",
        repo.db().dialect().text_param(1)
    );
    let community = community.map(|c| c.to_string());
    let tokens: Result<Vec<TokenInfo>, sqlx::Error> =
        repo.db().fetch_uncounted(&sql, &[community.into()]).await;
    opened(repo, tokens.context("listing the tokens")?)
}

/// Tokens as stored, their labels opened (they are stored sealed: a label may name someone).
fn opened(repo: &EventRepository, mut tokens: Vec<TokenInfo>) -> anyhow::Result<Vec<TokenInfo>> {
    let at_rest = repo.db().at_rest()?;
    for token in &mut tokens {
        token.label = at_rest.open(column::TOKEN_LABEL, &token.label)?;
    }
    Ok(tokens)
}

/// Of these token ids, the ones still in force (not revoked, not expired, not deleted).
pub async fn in_force(repo: &EventRepository, ids: &[Uuid]) -> anyhow::Result<HashSet<Uuid>> {
    let now = Utc::now();
    let mut alive = HashSet::new();
    for chunk in ids.chunks(200) {
        let placeholders: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT {COLUMNS} FROM api_tokens WHERE token_id IN ({})",
            placeholders.join(", ")
        );
        let params: Vec<Param> = chunk.iter().map(|id| id.to_string().into()).collect();
        let rows: Vec<TokenInfo> = repo
            .db()
            .fetch_uncounted(&sql, &params)
            .await
            .context("checking tokens in force")?;
        let rows = opened(repo, rows)?;
        alive.extend(
            rows.iter()
                .filter(|t| t.in_force(now))
                .filter_map(|t| t.token_id.parse::<Uuid>().ok()),
        );
    }
    Ok(alive)
}

/// After a member's erasure: revokes every token naming them and erases its label. Returns
/// how many tokens name them.
pub async fn revoke_member(repo: &EventRepository, member: MemberId) -> anyhow::Result<u64> {
    const SQL: &str = "UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, $1), label = $2 \
                       WHERE member_id = $3";
    let at = now();
    let id = member.to_string();
    let erased = repo.db().at_rest()?.seal(column::TOKEN_LABEL, ERASED);
    let affected = repo
        .db()
        .execute(&stmt!(SQL, at.as_str(), erased, id.as_str()))
        .await
        .context("revoking the erased member's tokens")?;
    Ok(affected)
}

/// The holder of a bearer token; `None` for an unknown, malformed, revoked or expired token.
pub async fn authenticate(
    repo: &EventRepository,
    secret: &str,
) -> anyhow::Result<Option<Principal>> {
    if !secret.starts_with(PREFIX) || secret.len() != PREFIX.len() + 64 {
        return Ok(None);
    }
    let sql = format!("SELECT {COLUMNS} FROM api_tokens WHERE secret_hash = $1");
    let digest = hash(secret);
    let found: Option<TokenInfo> = repo.db().fetch_optional(&sql, &[digest.into()]).await?;
    let found = opened(repo, found.into_iter().collect())?.pop();
    let Some(token) = found.filter(|t| t.in_force(Utc::now())) else {
        return Ok(None);
    };
    Ok(Some(token.principal()?))
}

/// One token, whatever its state; `None` if there is no such token.
pub async fn find(repo: &EventRepository, token_id: Uuid) -> anyhow::Result<Option<TokenInfo>> {
    let sql = format!("SELECT {COLUMNS} FROM api_tokens WHERE token_id = $1");
    let found: Option<TokenInfo> = repo
        .db()
        .fetch_optional(&sql, &[token_id.to_string().into()])
        .await
        .context("reading a token")?;
    Ok(opened(repo, found.into_iter().collect())?.pop())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .expect("a time")
            .with_timezone(&Utc)
    }

    #[test]
    fn an_expiry_is_a_date_a_time_or_a_duration() {
        let now = at("2026-12-02T10:00:00Z");
        assert_eq!(
            parse_expiry("2027-06-30", now).expect("a date"),
            at("2027-07-01T00:00:00Z"),
            "a date: until the end of that day"
        );
        assert_eq!(
            parse_expiry("2026-12-03T08:30:00+01:00", now).expect("a time"),
            at("2026-12-03T07:30:00Z")
        );
        assert_eq!(
            parse_expiry("90d", now).expect("days"),
            now + Duration::days(90)
        );
        assert_eq!(
            parse_expiry("30min", now).expect("minutes"),
            now + Duration::minutes(30)
        );
        assert_eq!(
            parse_expiry("1y", now).expect("a year"),
            now + Duration::days(365)
        );
        assert_eq!(
            parse_expiry("2s", now).expect("seconds"),
            now + Duration::seconds(2)
        );
    }

    #[test]
    fn a_past_or_unreadable_expiry_is_refused() {
        let now = at("2026-12-02T10:00:00Z");
        for text in [
            "2026-11-30",
            "2026-12-02T09:00:00Z",
            "0s",
            "12",
            "3 months",
            "-1d",
        ] {
            assert!(parse_expiry(text, now).is_err(), "{text}");
        }
    }

    #[test]
    fn a_token_is_in_force_until_it_expires_or_is_revoked() {
        let token = TokenInfo {
            token_id: Uuid::nil().to_string(),
            community_id: Uuid::nil().to_string(),
            role: "auditor".into(),
            member_id: None,
            label: "x".into(),
            created_at: "2026-01-01T00:00:00.000000Z".into(),
            revoked_at: None,
            expires_at: Some("2026-06-01T00:00:00.000000Z".into()),
        };
        assert!(token.in_force(at("2026-05-31T23:59:59Z")));
        assert!(!token.in_force(at("2026-06-01T00:00:00Z")));
        let revoked = TokenInfo {
            revoked_at: Some("2026-02-01T00:00:00.000000Z".into()),
            ..token.clone()
        };
        assert!(!revoked.in_force(at("2026-03-01T00:00:00Z")));
        let without = TokenInfo {
            expires_at: None,
            ..token
        };
        assert!(without.in_force(at("2026-12-30T00:00:00Z")));
        assert!(!without.in_force(at("2027-01-02T00:00:00Z")));
    }
}
