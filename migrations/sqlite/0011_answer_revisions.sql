-- The day of an answer's last revision, so every reader can tell an answer revised and not yet
-- published again (the rule is `cpts_domain::rules::standing`). A revision already set
-- `written_on` to its day, so the rows recorded before this migration are filled from it.
ALTER TABLE proj_answers ADD COLUMN revised_on TEXT;
UPDATE proj_answers SET revised_on = written_on WHERE revisions > 0;
