-- Why a contribution received after its consultation's closing was accepted as late (NULL for
-- every other contribution): every reader shows it, and the rule of its deadline
-- (`cpts_domain::rules::ContributionFacts::deadline`) reads it. No contribution was accepted
-- late before this migration, so the rows already projected need nothing. Written by the
-- coordinator about the reception, not by the author: not sealed (`projections/src/at_rest.rs`).
ALTER TABLE proj_contributions ADD COLUMN late_reason TEXT;
