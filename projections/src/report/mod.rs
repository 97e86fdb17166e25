//! The general assembly's audit report: how users' input shaped a period's decisions.
//!
//! - [`model`]: the report as data, a pure fold over the log up to a position P, keeping the
//!   facts dated on or before the "as of" day D ([`build`]);
//! - [`render`]: the same report as JSON for machines, Markdown and print-ready HTML for
//!   readers.
//!
//! Same events, CPTS, period, date and language: byte-identical output. Nothing here reads a
//! clock, a file or a database.

pub mod model;
pub mod render;
pub mod texts;

pub use model::{build, LedgerSeal, Report};
