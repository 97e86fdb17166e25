//! The GraphQL API of cpts-ledger, served over axum.
//!
//! - [`clock`]: "today", in the CPTS's time zone: the one place the service reads the date;
//! - [`port`]: what the API needs from the ledger (the service implements it);
//! - [`inputs`]: one input type per mutation, turned into its domain command;
//! - [`mutation`] and [`query`]: the roots; [`types`]: the log's output types; [`views`]: the
//!   read models' output types, and the loaders that batch their reads;
//! - [`errors`]: the one mapping from failures to `extensions.code`;
//! - [`subscription`]: live events over WebSocket;
//! - [`server`]: the HTTP routes, bearer tokens, GraphiQL and the request size limit;
//! - [`session`]: the dashboard's cookie session (`/session`) and its CSRF check;
//! - [`tokens`]: API tokens issued, listed and revoked by the coordinator;
//! - [`ws`]: GraphQL over WebSocket, its checks and its limits;
//! - [`shape`], [`limits`] and [`load`]: what a request may be and cost, checked before it
//!   runs: its shape, its complexity for the caller's role, its time and the load.

use std::sync::Arc;

use async_graphql::{MergedObject, Schema};

pub mod clock;
pub mod deadlines;
pub mod decode;
pub mod due;
pub mod errors;
mod files;
mod guard;
pub mod inputs;
pub mod journal;
pub mod limits;
pub mod load;
pub mod mutation;
pub mod port;
pub mod query;
pub mod questionnaire;
pub mod server;
pub mod session;
pub mod shape;
pub mod subscription;
pub mod tokens;
pub mod types;
pub mod views;
pub mod ws;

pub use mutation::MutationRoot;
pub use query::QueryRoot;
pub use subscription::SubscriptionRoot;

/// The queries served: the record's, the tokens' and the questionnaire import's.
#[derive(MergedObject, Default)]
#[graphql(name = "QueryRoot")]
pub struct Query(
    QueryRoot,
    tokens::TokenQuery,
    questionnaire::QuestionnaireQuery,
);

/// The mutations served: the domain's commands, the tokens' and the questionnaire import.
#[derive(MergedObject, Default)]
#[graphql(name = "MutationRoot")]
pub struct Mutation(
    MutationRoot,
    tokens::TokenMutation,
    questionnaire::QuestionnaireMutation,
);

/// The schema served at `/graphql`.
pub type LedgerSchema = Schema<Query, Mutation, SubscriptionRoot>;

/// The deepest query accepted.
pub const MAX_DEPTH: usize = 16;
/// The most complex query accepted.
pub const MAX_COMPLEXITY: usize = 5_000;

/// The schema over a ledger and its read models.
pub fn build_schema(
    ledger: Arc<dyn port::LedgerPort>,
    read_models: cpts_projections::ReadDb,
) -> LedgerSchema {
    schema_builder().data(ledger).data(read_models).finish()
}

/// The schema without a ledger: for printing the SDL.
pub fn sdl() -> String {
    schema_builder().finish().sdl()
}

fn schema_builder() -> async_graphql::SchemaBuilder<Query, Mutation, SubscriptionRoot> {
    Schema::build(Query::default(), Mutation::default(), SubscriptionRoot)
        .limit_depth(MAX_DEPTH)
        .limit_complexity(MAX_COMPLEXITY)
        .extension(limits::RequestGuard)
}
