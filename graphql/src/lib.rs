//! The GraphQL API of cpts-ledger, served over axum.

pub mod port;
