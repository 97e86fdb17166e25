//! API tokens from the dashboard, for the coordinator: `issueToken`, `tokens`, `revokeToken`.
//! The coordinator invites a member by issuing a token in their name; its secret is in the
//! answer to `issueToken` and never again. Everything is kept by the ledger
//! ([`LedgerPort::issue_token`] and the rest); this module checks who asks and what.

use async_graphql::{Context, InputObject, Object, Result, SimpleObject, ID};
use chrono::{DateTime, Months, NaiveDate, Utc};
use cpts_domain::access::{Principal, Role};
use cpts_domain::ids::MemberId;
use cpts_projections::listing;

use crate::errors::{catalogued, codes, from_ledger, invalid_input};
use crate::guard;
use crate::inputs::parse_id;
use crate::port::{LedgerPort, TokenRecord};
use crate::types::ledger;
use crate::views::{read_db, read_failed};

/// The longest a token issued from the API may work: five years.
const MOST_MONTHS: u32 = 60;
/// The longest label, in characters.
const MOST_LABEL_CHARS: usize = 200;

/// A new token of the caller's CPTS.
#[derive(InputObject, Debug, Clone)]
pub struct IssueTokenInput {
    /// `coordinator`, `board_member`, `auditor` or `representative`.
    pub role: String,
    /// The member who will hold it: required for a board member or a representative, who act
    /// in their own name; a member of the caller's CPTS.
    pub member_id: Option<ID>,
    /// What it is for, or whom (1 to 200 characters), shown in the list of tokens.
    pub label: String,
    /// The last day it works (until the end of that day, UTC); a year from now by default, five
    /// years at most.
    pub expires_on: Option<NaiveDate>,
}

/// A token just issued. Its secret is shown this once: the ledger keeps only its hash.
#[derive(SimpleObject, Debug, Clone)]
pub struct IssuedApiToken {
    /// The token's id (not a secret): what `revokeToken` takes.
    pub id: ID,
    /// The bearer token (`cpts_…`), to hand to its holder. It cannot be read again.
    pub secret: String,
    /// What it is for.
    pub label: String,
    /// Its role's wire name.
    pub role: String,
    /// The member who holds it.
    pub member_id: Option<ID>,
    /// That member's name, as the register has it.
    pub member_name: Option<String>,
    /// When it stops working.
    pub expires_at: Option<DateTime<Utc>>,
}

/// A token of the caller's CPTS, as listed: never its secret.
#[derive(SimpleObject, Debug, Clone)]
pub struct ApiToken {
    /// The token's id (not a secret).
    pub id: ID,
    /// What it is for.
    pub label: String,
    /// Its role's wire name.
    pub role: String,
    /// The member who holds it.
    pub member_id: Option<ID>,
    /// That member's name, as the register has it.
    pub member_name: Option<String>,
    /// When it was created.
    pub created_at: Option<DateTime<Utc>>,
    /// When it stops working.
    pub expires_at: Option<DateTime<Utc>>,
    /// When it was revoked, if it was.
    pub revoked_at: Option<DateTime<Utc>>,
    /// Whether it opens anything now: neither revoked nor expired.
    pub in_force: bool,
}

/// The names of the members these tokens name, from the register.
async fn member_names(
    ctx: &Context<'_>,
    principal: &Principal,
    tokens: &[TokenRecord],
) -> Result<std::collections::HashMap<String, String>> {
    let ids: Vec<String> = tokens
        .iter()
        .filter_map(|t| t.member.map(|m| m.to_string()))
        .collect();
    if ids.is_empty() {
        return Ok(Default::default());
    }
    let names = listing::names(
        read_db(ctx)?,
        &principal.community.to_string(),
        &ids,
        &[],
        &[],
    )
    .await
    .map_err(read_failed)?;
    Ok(names.records)
}

fn listed(token: TokenRecord, names: &std::collections::HashMap<String, String>) -> ApiToken {
    let member = token.member.map(|m| m.to_string());
    ApiToken {
        id: ID(token.id.to_string()),
        label: token.label,
        role: token.role.wire_name().to_owned(),
        member_name: member.as_ref().and_then(|m| names.get(m).cloned()),
        member_id: member.map(ID),
        created_at: token.created_at,
        expires_at: token.expires_at,
        revoked_at: token.revoked_at,
        in_force: token.in_force,
    }
}

/// The role, member, label and expiry of a new token, checked.
struct Checked {
    role: Role,
    member: Option<MemberId>,
    label: String,
    expires_at: Option<DateTime<Utc>>,
}

async fn check(
    ledger: &dyn LedgerPort,
    principal: &Principal,
    input: IssueTokenInput,
) -> Result<Checked> {
    let role = Role::from_wire_name(input.role.trim())
        .ok_or_else(|| invalid_input("api-token-role", &[("role", input.role.as_str().into())]))?;
    let label = input.label.trim().to_owned();
    if label.is_empty()
        || label.chars().count() > MOST_LABEL_CHARS
        || label.chars().any(char::is_control)
    {
        return Err(invalid_input(
            "api-token-label",
            &[("most", MOST_LABEL_CHARS.into())],
        ));
    }
    let member = match &input.member_id {
        Some(id) => Some(MemberId(parse_id("memberId", id)?)),
        None if role.needs_member() => {
            return Err(invalid_input(
                "api-token-member-needed",
                &[("role", role.wire_name().into())],
            ))
        }
        None => None,
    };
    if let Some(member) = member {
        // A member of another CPTS is answered as one that does not exist.
        let community = ledger
            .community_of("member", member.0)
            .await
            .map_err(from_ledger)?;
        if community != Some(principal.community) {
            return Err(catalogued(
                codes::NOT_FOUND,
                "api-token-member-unknown",
                &[],
            ));
        }
    }
    let expires_at = match input.expires_on {
        None => None,
        Some(day) => {
            let today = crate::clock::today();
            let latest = today
                .checked_add_months(Months::new(MOST_MONTHS))
                .unwrap_or(NaiveDate::MAX);
            if day < today {
                return Err(invalid_input("api-token-expiry-past", &[]));
            }
            if day > latest {
                return Err(invalid_input(
                    "api-token-expiry-too-far",
                    &[("years", (MOST_MONTHS / 12).into())],
                ));
            }
            // Until the end of that day.
            day.succ_opt()
                .and_then(|next| next.and_hms_opt(0, 0, 0))
                .map(|at| at.and_utc())
        }
    };
    Ok(Checked {
        role,
        member,
        label,
        expires_at,
    })
}

/// The queries about tokens.
#[derive(Debug, Default)]
pub struct TokenQuery;

#[Object]
impl TokenQuery {
    /// The API tokens of the caller's CPTS, newest first, revoked and expired ones included,
    /// without their secrets. For the coordinator.
    async fn tokens(&self, ctx: &Context<'_>) -> Result<Vec<ApiToken>> {
        let principal = guard::coordinator(ctx)?;
        let tokens = ledger(ctx)?
            .tokens_of(principal.community)
            .await
            .map_err(from_ledger)?;
        let names = member_names(ctx, &principal, &tokens).await?;
        Ok(tokens.into_iter().map(|t| listed(t, &names)).collect())
    }
}

/// The mutations about tokens.
#[derive(Debug, Default)]
pub struct TokenMutation;

#[Object]
impl TokenMutation {
    /// Issues a token of the caller's CPTS, to invite a member or give access to someone. The
    /// answer holds its secret, this once. For the coordinator.
    async fn issue_token(
        &self,
        ctx: &Context<'_>,
        input: IssueTokenInput,
    ) -> Result<IssuedApiToken> {
        let principal = guard::coordinator(ctx)?;
        let ledger = ledger(ctx)?;
        let checked = check(ledger.as_ref(), &principal, input).await?;
        let issued = ledger
            .issue_token(
                principal.community,
                checked.role,
                checked.member,
                &checked.label,
                checked.expires_at,
            )
            .await
            .map_err(from_ledger)?;
        let names = member_names(ctx, &principal, std::slice::from_ref(&issued.token)).await?;
        let token = listed(issued.token, &names);
        Ok(IssuedApiToken {
            id: token.id,
            secret: issued.secret,
            label: token.label,
            role: token.role,
            member_id: token.member_id,
            member_name: token.member_name,
            expires_at: token.expires_at,
        })
    }

    /// Revokes a token of the caller's CPTS: it, and every session opened with it, stop working
    /// at once. False if it was already revoked. The token of the request cannot be revoked
    /// this way. For the coordinator.
    async fn revoke_token(&self, ctx: &Context<'_>, id: ID) -> Result<bool> {
        let principal = guard::coordinator(ctx)?;
        let token = parse_id("id", &id)?;
        if token == principal.token_id {
            return Err(invalid_input("api-token-revoke-own", &[]));
        }
        ledger(ctx)?
            .revoke_token(principal.community, token)
            .await
            .map_err(from_ledger)
    }
}
