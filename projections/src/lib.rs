//! Read models of the governance record, fed from the event log by global position.
