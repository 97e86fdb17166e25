//! Every integration test of cpts-ledger, in one binary: one link instead of one per file, and
//! the same harness (`cpts_ledger_tests`) for all. Each module is one concern, named by its file.
//! `read_cost` stays a binary of its own: it counts every read statement of its process.

mod access;
mod at_rest;
mod backup;
mod catching_up;
mod chain_v2;
mod command_ids;
mod concurrency;
mod consent;
mod consultation_page;
mod dashboard;
mod deadlines;
mod erasure;
mod existence;
mod files;
mod graphql_api;
mod group_commit;
mod hostile_queries;
mod http_surface;
mod inbox;
mod journal;
mod keyring;
mod listing;
mod no_ids;
mod notifications;
mod own_words;
mod poison;
mod projections;
mod questionnaire;
mod report;
mod report_api;
mod safe_outputs;
mod scenario;
mod scenario_over_graphql;
mod schema;
mod sessions;
mod standings;
mod tamper;
mod texts;
mod time_axes;
mod viewer;
mod websocket_limits;
