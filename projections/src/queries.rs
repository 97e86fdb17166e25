//! The answers people ask for, read from the projections.
