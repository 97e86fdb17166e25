//! Read models of the governance record, fed from the event log by global position.
//!
//! - [`envelope`]: an event of the log as the projections read it, typed;
//! - [`at_rest`]: the sealing of the personal columns of the read models and the outbox;
//! - [`db`]: the one way to the database for the whole service (read models, store, outbox):
//!   statements written once for both backends, the dialect's few fragments;
//! - [`write`](mod@write): what each event does to each read model (the only place that writes them);
//! - [`projector`]: applying the log in order, with a checkpoint per projection kept in the same
//!   transaction as its rows; catching up, rebuilding, measuring the lag;
//! - [`queries`]: the answers people ask for, computed against an explicit "as of" date;
//! - [`listing`]: the pages a dashboard lists, and the batched look-ups that fill them in a
//!   constant number of statements.
//! - [`notifications`]: a member's notifications and the deliveries that failed, read from
//!   the outbox the service feeds;
//! - [`report`]: the general assembly's audit report, a pure fold over the log as of a date.

pub mod at_rest;
pub mod db;
pub mod deadlines;
pub mod envelope;
pub mod listing;
pub mod notifications;
pub mod projector;
pub mod queries;
pub mod report;
pub mod write;

pub use db::ReadDb;
pub use envelope::{Envelope, Fact};
pub use projector::{LogSource, ProjectionError};
