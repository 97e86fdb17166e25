-- Personal values outside the log are stored sealed from now on (projections/src/at_rest.rs):
-- names, communes, cadres d'intervention and texts in the read models, the outbox's addresses,
-- messages and errors, the tokens' labels. The read models are derived from the log: they are
-- emptied and their checkpoints reset, and the projector rebuilds them, sealed, at start-up.
-- The outbox and the tokens are not derived from the log: the service seals the values they
-- held before this migration once it has the key, at start-up, then deletes the row it had to
-- seal (`pending_sealing`), in one transaction.
DELETE FROM proj_timeline;
DELETE FROM proj_communities;
DELETE FROM proj_colleges;
DELETE FROM proj_bodies;
DELETE FROM proj_associations;
DELETE FROM proj_members;
DELETE FROM proj_seats;
DELETE FROM proj_consultations;
DELETE FROM proj_contributions;
DELETE FROM proj_decisions;
DELETE FROM proj_decision_consultations;
DELETE FROM proj_answers;
DELETE FROM proj_milestones;
DELETE FROM proj_indicators;
DELETE FROM proj_set_aside;
UPDATE proj_checkpoints SET position = 0;

CREATE TABLE pending_sealing (
    table_name  TEXT  PRIMARY KEY
);
INSERT INTO pending_sealing (table_name) VALUES ('notify_outbox'), ('api_tokens');
