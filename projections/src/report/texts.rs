//! The fixed texts of the report and the register: the sentences of the compliance checks
//! ([`check_sentences`], the one place they are made from a check's outcome), the next steps
//! of associations, and the look-up in the catalogue of the labels the domain's vocabularies
//! do not carry (member kinds, decision statuses, approvals, engagements, standings).

use cpts_domain::rules::{ApprovalStanding, CheckOutcome};
use cpts_domain::texts::{date, t, t_args};
use cpts_domain::values::Lang;

/// The label of a member kind (its wire name), or of an anonymous inhabitant.
pub(crate) fn author_category(code: &str, lang: Lang) -> String {
    let key = match code {
        "health_professional" => "member-kind-health_professional",
        "establishment" => "member-kind-establishment",
        "social_body" => "member-kind-social_body",
        "medico_social_body" => "member-kind-medico_social_body",
        "association_representative" => "member-kind-association_representative",
        "coordinator" => "member-kind-coordinator",
        "anonymous_inhabitant" => "member-kind-anonymous_inhabitant",
        _ => "member-kind-other",
    };
    t(lang, key).to_owned()
}

/// Every author category, in the order the report lists them.
pub(crate) const AUTHOR_CATEGORIES: [&str; 7] = [
    "association_representative",
    "anonymous_inhabitant",
    "health_professional",
    "establishment",
    "social_body",
    "medico_social_body",
    "coordinator",
];

/// The label of a decision's status.
pub(crate) fn decision_status(code: &str, lang: Lang) -> String {
    let key = match code {
        "proposed" => "decision-status-proposed",
        "adopted" => "decision-status-adopted",
        "rejected" => "decision-status-rejected",
        "deferred" => "decision-status-deferred",
        "withdrawn" => "decision-status-withdrawn",
        _ => return code.to_owned(),
    };
    t(lang, key).to_owned()
}

/// The label of an association's approval status.
pub(crate) fn approval(code: &str, lang: Lang) -> String {
    let key = match code {
        "approved" => "approval-status-approved",
        "expired" => "approval-status-expired",
        _ => "approval-status-not_approved",
    };
    t(lang, key).to_owned()
}

/// The label of an association's form of engagement.
pub(crate) fn engagement(code: &str, lang: Lang) -> String {
    let key = match code {
        "participation" => "engagement-participation",
        "partnership" => "engagement-partnership",
        "governance" => "engagement-governance",
        _ => return "—".to_owned(),
    };
    t(lang, key).to_owned()
}

/// The name of a compliance check, by its code.
pub(crate) fn check_label(code: &str, lang: Lang) -> String {
    let key = match code {
        "at_least_two_active_representatives" => "check-two-representatives",
        "users_college_exists_and_seated" => "check-users-college",
        "travel_expenses_rule_adopted" => "check-travel-expenses",
        "cadre_intervention_for_each_representative" => "check-cadre",
        "representatives_in_each_moment" => "check-moments",
        _ => "check-other",
    };
    t(lang, key).to_owned()
}

/// The sentences of a compliance check's outcome in a language: what it checks, what was
/// found, and what to do (empty when it holds). The register and the report both word their
/// checks here, from the catalogue.
pub fn check_sentences(outcome: &CheckOutcome, lang: Lang) -> CheckSentences {
    let detail = match outcome {
        CheckOutcome::AtLeastTwoActiveRepresentatives { in_office } => t_args(
            lang,
            "check-two-representatives-found",
            &[("count", (*in_office).into())],
        ),
        CheckOutcome::UsersCollegeExistsAndSeated { defined, seated } => {
            match (*defined, *seated) {
                (false, _) => t(lang, "check-users-college-none").to_owned(),
                (true, 0) => t(lang, "check-users-college-empty").to_owned(),
                (true, n) => t_args(lang, "check-users-college-found", &[("count", n.into())]),
            }
        }
        CheckOutcome::TravelExpensesRuleAdopted { reimbursed: true } => {
            t(lang, "check-travel-expenses-found").to_owned()
        }
        CheckOutcome::TravelExpensesRuleAdopted { reimbursed: false } => {
            t(lang, "check-travel-expenses-none").to_owned()
        }
        CheckOutcome::CadreInterventionForEachRepresentative { lacking } if lacking.is_empty() => {
            t(lang, "check-cadre-found").to_owned()
        }
        CheckOutcome::CadreInterventionForEachRepresentative { lacking } => t_args(
            lang,
            "check-cadre-lacking",
            &[("names", lacking.join(", ").into())],
        ),
        CheckOutcome::RepresentativesInEachMoment { period, missing } => {
            let when = match period.calendar_year() {
                Some(year) => t_args(lang, "check-in-year", &[("year", year.to_string().into())]),
                None => t_args(
                    lang,
                    "check-in-period",
                    &[
                        ("from", date(lang, period.from).into()),
                        ("to", date(lang, period.to).into()),
                    ],
                ),
            };
            if missing.is_empty() {
                t_args(lang, "check-moments-found", &[("when", when.into())])
            } else {
                let names = missing
                    .iter()
                    .map(|m| m.label(lang))
                    .collect::<Vec<_>>()
                    .join(", ");
                t_args(
                    lang,
                    "check-moments-missing",
                    &[("when", when.into()), ("moments", names.into())],
                )
            }
        }
    };
    let todo = match outcome {
        _ if outcome.ok() => "",
        CheckOutcome::AtLeastTwoActiveRepresentatives { .. } => {
            t(lang, "check-two-representatives-todo")
        }
        CheckOutcome::UsersCollegeExistsAndSeated { .. } => t(lang, "check-users-college-todo"),
        CheckOutcome::TravelExpensesRuleAdopted { .. } => t(lang, "check-travel-expenses-todo"),
        CheckOutcome::CadreInterventionForEachRepresentative { .. } => t(lang, "check-cadre-todo"),
        CheckOutcome::RepresentativesInEachMoment { .. } => t(lang, "check-moments-todo"),
    };
    CheckSentences {
        label: check_label(outcome.code(), lang),
        detail,
        what_to_do: todo.to_owned(),
    }
}

/// The words of one compliance check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckSentences {
    /// What it checks.
    pub label: String,
    /// What was found.
    pub detail: String,
    /// What to do (empty when it holds).
    pub what_to_do: String,
}

/// The next step of an association whose approval is not in force (empty when it is).
pub fn approval_next_step(standing: &ApprovalStanding, lang: Lang) -> &'static str {
    match standing {
        ApprovalStanding::Approved { .. } => "",
        ApprovalStanding::Expired { .. } => t(lang, "approval-next-step-expired"),
        ApprovalStanding::NotApproved => t(lang, "approval-next-step-not-approved"),
    }
}

/// The label of a contribution's standing (its code, see
/// [`cpts_domain::rules::ContributionStanding::code`]).
pub fn standing_label(code: &str, lang: Lang) -> &'static str {
    let key = match code {
        "not_owed" => "standing-not_owed",
        "pending" => "standing-pending",
        "overdue" => "standing-overdue",
        "answered_on_time" => "standing-answered_on_time",
        "answered_late" => "standing-answered_late",
        "withdrawn" => "standing-withdrawn",
        _ => "standing-revised_awaiting_republication",
    };
    t(lang, key)
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;
    use cpts_domain::rules::{compliance, ComplianceFacts, Period};

    use super::*;

    fn facts(compliant: bool) -> ComplianceFacts {
        let day = NaiveDate::from_ymd_opt(2026, 12, 31).expect("a day");
        ComplianceFacts {
            representatives_in_office: vec![("A".into(), compliant), ("B".into(), true)],
            users_college_defined: true,
            users_college_seated: u64::from(compliant),
            travel_expenses_reimbursed: Some(compliant),
            period: Period::calendar_year_of(day),
            as_of: day,
            representative_contributions: if compliant {
                vec![
                    (cpts_domain::values::Moment::Diagnosis, day),
                    (cpts_domain::values::Moment::Prioritisation, day),
                    (cpts_domain::values::Moment::Evaluation, day),
                ]
            } else {
                vec![]
            },
            representative_board_seats: vec![(day, None)],
        }
    }

    #[test]
    fn a_check_that_holds_says_what_was_found_and_nothing_to_do() {
        for outcome in compliance(&facts(true)) {
            for lang in [Lang::Fr, Lang::En] {
                let words = check_sentences(&outcome, lang);
                assert!(outcome.ok(), "{outcome:?}");
                assert!(!words.label.is_empty() && !words.detail.is_empty());
                assert_eq!(words.what_to_do, "", "{outcome:?}");
            }
        }
    }

    #[test]
    fn a_failing_check_says_what_to_do_in_both_languages() {
        let failing: Vec<_> = compliance(&facts(false))
            .into_iter()
            .filter(|o| !o.ok())
            .collect();
        assert_eq!(failing.len(), 4, "{failing:?}");
        for outcome in failing {
            let (fr, en) = (
                check_sentences(&outcome, Lang::Fr),
                check_sentences(&outcome, Lang::En),
            );
            assert!(!fr.what_to_do.is_empty() && !en.what_to_do.is_empty());
            assert_ne!(fr.detail, en.detail);
        }
        let moments = &compliance(&facts(false))[4];
        assert_eq!(
            check_sentences(moments, Lang::Fr).detail,
            "Sans représentant associatif en 2026 : Diagnostic du territoire, Priorisation des actions, \
             Ajustement et évaluation des actions"
        );
    }
}
