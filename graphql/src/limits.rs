//! What a query may cost, checked inside async-graphql for every transport (HTTP and
//! WebSocket): the shape guard ([`crate::shape`]) before the query is parsed, and the
//! complexity budget of the caller's role once validation has priced it.

use std::sync::Arc;

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextParseQuery, NextValidation,
};
use async_graphql::parser::types::ExecutableDocument;
use async_graphql::{Pos, ServerError, ServerResult, ValidationResult, Variables};
use cpts_domain::access::Caller;

use crate::errors::{catalogued, codes};
use crate::shape::check_shape;

/// What one influence trail costs on top of its fields: it reads every contribution of the
/// consultations a decision drew on.
pub const TRAIL_COMPLEXITY: usize = 25;
/// What a consultation's entries (or their CSV) cost on top of their fields: they read every
/// contribution of the consultation.
pub const ENTRIES_COMPLEXITY: usize = 25;
/// What `report` and `verifyLedger` cost: they read and decrypt the whole log. The shape guard
/// allows one per request; the cost stays under [`PUBLIC_COMPLEXITY`] so that a caller whose
/// role may not read them is told `FORBIDDEN`, not that the query costs too much.
pub const WHOLE_LOG_COMPLEXITY: usize = 400;
/// What `events` costs on top of its fields: it reads every event of one record.
pub const EVENTS_COMPLEXITY: usize = 100;
/// The budget of a representative's request and of a request without a token: at most
/// `PUBLIC_COMPLEXITY / (TRAIL_COMPLEXITY + 2)` reads of a trail (18), whatever else it asks.
pub const PUBLIC_COMPLEXITY: usize = 500;

/// The most complexity a caller's request may have: staff get the schema's limit
/// ([`crate::MAX_COMPLEXITY`]), representatives and the public [`PUBLIC_COMPLEXITY`].
pub fn complexity_budget(caller: &Caller) -> usize {
    match caller {
        Caller::Trusted(_) => crate::MAX_COMPLEXITY,
        Caller::Principal(principal) if principal.role.reads_everything() => crate::MAX_COMPLEXITY,
        Caller::Principal(_) | Caller::Public => PUBLIC_COMPLEXITY,
    }
}

/// The extension that applies both checks; registered on the schema.
pub(crate) struct RequestGuard;

impl ExtensionFactory for RequestGuard {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(RequestGuard)
    }
}

#[async_trait::async_trait]
impl Extension for RequestGuard {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        check_shape(query)
            .map_err(|refused| refused.into_error().into_server_error(Pos::default()))?;
        next.run(ctx, query, variables).await
    }

    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        let result = next.run(ctx).await?;
        let caller = ctx.data_opt::<Caller>().copied().unwrap_or(Caller::Public);
        let budget = complexity_budget(&caller);
        if result.complexity > budget {
            let error = catalogued(
                codes::QUERY_LIMIT,
                "api-too-complex",
                &[
                    ("points", result.complexity.into()),
                    ("budget", budget.into()),
                ],
            );
            return Err(vec![error.into_server_error(Pos::default())]);
        }
        Ok(result)
    }
}
