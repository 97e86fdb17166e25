-- Every version of a contribution's text, by its position in the log: the text submitted, then
-- each amendment with its day and reason (the author's words: sealed, and erased with them),
-- and the position at which each answer was last published. An answer stays tied to the
-- version it answered (the last one recorded before its publication), so a trail shows those
-- words beside a later version, and *Mes contributions* every amendment. The contributions and
-- answers already projected have neither: the consultations and decisions read models are
-- emptied and their checkpoints reset, and the projector rebuilds them at start-up.
CREATE TABLE proj_contribution_versions (
    contribution_id TEXT NOT NULL,
    position INTEGER NOT NULL,
    text TEXT NOT NULL,
    on_date TEXT NOT NULL,
    reason TEXT,
    PRIMARY KEY (contribution_id, position)
);
ALTER TABLE proj_answers ADD COLUMN published_position INTEGER;
DELETE FROM proj_consultations;
DELETE FROM proj_contributions;
DELETE FROM proj_decisions;
DELETE FROM proj_decision_consultations;
DELETE FROM proj_answers;
DELETE FROM proj_milestones;
DELETE FROM proj_indicators;
DELETE FROM proj_set_aside WHERE projection IN ('consultations', 'decisions');
UPDATE proj_checkpoints SET position = 0 WHERE projection IN ('consultations', 'decisions');
