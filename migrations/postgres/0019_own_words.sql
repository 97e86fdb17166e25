-- A member amends or withdraws their own contribution with a reason (`Consultation::own_words`):
-- *Mes contributions* and the trails show the last amendment's day and reason, and the reason of
-- a withdrawal. Both are the author's words: sealed (`projections/src/at_rest.rs`) and erased
-- with the author's personal data. Withdrawal reasons were already in the log: the consultations
-- read model is emptied and its checkpoint reset, so the projector rebuilds it at start-up.
ALTER TABLE proj_contributions ADD COLUMN amended_on TEXT;
ALTER TABLE proj_contributions ADD COLUMN amendment_reason TEXT;
ALTER TABLE proj_contributions ADD COLUMN withdrawal_reason TEXT;
DELETE FROM proj_consultations;
DELETE FROM proj_contributions;
DELETE FROM proj_set_aside WHERE projection = 'consultations';
UPDATE proj_checkpoints SET position = 0 WHERE projection = 'consultations';
