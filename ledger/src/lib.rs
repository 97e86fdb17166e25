//! The cpts-ledger service: the event store on PostgreSQL or SQLite, the command path over
//! cqrs-es, and the wiring of the HTTP server.

pub mod app;
pub mod at_rest;
pub mod backup;
pub mod config;
pub mod demo;
pub mod notify;
pub mod personal;
pub mod projector;
pub mod report;

pub mod service;
pub mod session;
pub mod store;
pub mod tokens;
pub mod web;
pub mod whole_log_cache;
