//! What a request may read. Writes are checked by the ledger (roles in `cpts_domain::access`,
//! the record's CPTS against the store); reads are checked here, before any data is fetched.

use async_graphql::{Context, Result};
use cpts_domain::access::{AccessError, Caller, Principal};
use cpts_domain::ids::CommunityId;
use uuid::Uuid;

use crate::errors::{from_access, from_ledger};
use crate::types::{caller, ledger};

/// The signed-in caller, or `UNAUTHENTICATED`.
pub(crate) fn principal(ctx: &Context<'_>) -> Result<Principal> {
    match caller(ctx) {
        Caller::Principal(principal) => Ok(principal),
        Caller::Public | Caller::Trusted(_) => Err(from_access(&AccessError::Unauthenticated)),
    }
}

/// A caller who reads everything of their CPTS (coordinator, board member, auditor).
pub(crate) fn staff(ctx: &Context<'_>) -> Result<Principal> {
    let principal = principal(ctx)?;
    if principal.role.reads_everything() {
        Ok(principal)
    } else {
        Err(from_access(&AccessError::RoleForbids {
            role: principal.role,
        }))
    }
}

/// A coordinator of the caller's CPTS: the one role that hands out tokens and imports files.
pub(crate) fn coordinator(ctx: &Context<'_>) -> Result<Principal> {
    let principal = principal(ctx)?;
    if principal.role != cpts_domain::access::Role::Coordinator {
        return Err(from_access(&AccessError::RoleForbids {
            role: principal.role,
        }));
    }
    Ok(principal)
}

/// The CPTS a read is about: the caller's own. A CPTS named in the query must be it; anyone
/// else's answers `NOT_FOUND`, exactly as a CPTS that does not exist.
pub(crate) fn own_community(
    principal: &Principal,
    named: Option<CommunityId>,
) -> Result<CommunityId> {
    match named {
        Some(community) if community != principal.community => {
            Err(from_access(&AccessError::OutsideCommunity))
        }
        _ => Ok(principal.community),
    }
}

/// Checks that a record belongs to the caller's CPTS; `NOT_FOUND` otherwise, whether it belongs
/// to another CPTS or does not exist.
pub(crate) async fn record_in_scope(
    ctx: &Context<'_>,
    principal: &Principal,
    aggregate_type: &str,
    id: Uuid,
) -> Result<()> {
    let community = ledger(ctx)?
        .community_of(aggregate_type, id)
        .await
        .map_err(from_ledger)?;
    if community == Some(principal.community) {
        Ok(())
    } else {
        Err(from_access(&AccessError::OutsideCommunity))
    }
}

/// Whether a caller may see people's names and unpublished answers.
pub(crate) fn sees_names(caller: &Caller) -> bool {
    match caller {
        Caller::Trusted(_) => true,
        Caller::Public => false,
        Caller::Principal(p) => p.role.reads_everything(),
    }
}
