//! The fixed texts of the report and the register: the sentences of the compliance checks
//! ([`check_sentences`], the one place they are made from a check's outcome), the next steps
//! of associations, and the look-up in the catalogue of the labels the domain's vocabularies
//! do not carry (member kinds, decision statuses, approvals, engagements, standings).

use cpts_domain::rules::{ApprovalStanding, CheckOutcome};
use cpts_domain::texts::t;
use cpts_domain::values::Lang;

/// A text in both languages.
pub(crate) type Both = (&'static str, &'static str);

/// Picks the text of a language.
pub(crate) fn pick<T>(lang: Lang, (fr, en): (T, T)) -> T {
    match lang {
        Lang::Fr => fr,
        Lang::En => en,
    }
}

/// The next step of an association whose approval expired.
pub(crate) const EXPIRED_NEXT_STEP: Both = (
    "Agrément expiré : demander son renouvellement.",
    "Approval expired: apply for its renewal.",
);

/// The next step of an association that is not approved.
pub(crate) const NOT_APPROVED_NEXT_STEP: Both = (
    "Association non agréée : contacter la délégation régionale de France Assos Santé.",
    "Association not approved: contact the regional delegation of France Assos Santé.",
);

/// What to do when fewer than two representatives are in office.
pub(crate) const TWO_REPRESENTATIVES_TODO: Both = (
    "Mandater au moins deux représentants d'associations d'usagers.",
    "Mandate at least two representatives of users' associations.",
);

/// What to do when the collège usagers is missing or empty.
pub(crate) const USERS_COLLEGE_TODO: Both = (
    "Prévoir un collège des usagers dans les statuts et y faire siéger les représentants.",
    "Provide a users' college in the statutes and seat the representatives in it.",
);

/// What to do when the internal rules do not reimburse travel expenses.
pub(crate) const TRAVEL_EXPENSES_TODO: Both = (
    "Inscrire au règlement intérieur le remboursement des frais de déplacement des représentants.",
    "Provide in the internal rules for the reimbursement of representatives' travel expenses.",
);

/// What to do when a representative has no cadre d'intervention.
pub(crate) const CADRE_TODO: Both = (
    "Le conseil d'administration rédige le cadre d'intervention de chaque représentant.",
    "The board writes each representative's cadre d'intervention.",
);

/// What to do when representatives missed a moment.
pub(crate) const MOMENTS_TODO: Both = (
    "Associer les représentants aux consultations de chaque temps (diagnostic, priorisation, évaluation, gouvernance).",
    "Involve the representatives in consultations of every moment (diagnosis, prioritisation, evaluation, governance).",
);

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
    let both: Both = match code {
        "at_least_two_active_representatives" => (
            "Au moins deux représentants en mandat",
            "At least two representatives in office",
        ),
        "users_college_exists_and_seated" => (
            "Collège des usagers prévu et pourvu",
            "Users' college provided and seated",
        ),
        "travel_expenses_rule_adopted" => (
            "Frais de déplacement remboursés",
            "Travel expenses reimbursed",
        ),
        "cadre_intervention_for_each_representative" => (
            "Cadre d'intervention de chaque représentant",
            "Cadre d'intervention for each representative",
        ),
        "representatives_in_each_moment" => (
            "Représentants impliqués dans les quatre temps",
            "Representatives involved in the four moments",
        ),
        _ => ("Contrôle", "Check"),
    };
    pick(lang, both).to_owned()
}

/// The sentences of a compliance check's outcome in a language: what it checks, what was
/// found, and what to do (empty when it holds). The register and the report both word their
/// checks here.
pub fn check_sentences(outcome: &CheckOutcome, lang: Lang) -> CheckSentences {
    let fr = lang == Lang::Fr;
    let detail = match outcome {
        CheckOutcome::AtLeastTwoActiveRepresentatives { in_office: n } => pick(
            lang,
            (
                format!("{n} représentant(s) en mandat"),
                format!("{n} representative(s) in office"),
            ),
        ),
        CheckOutcome::UsersCollegeExistsAndSeated { defined, seated } => {
            match (*defined, *seated) {
                (false, _) => pick(
                    lang,
                    (
                        "Aucun collège des usagers dans les statuts",
                        "No users' college in the statutes",
                    ),
                )
                .to_owned(),
                (true, 0) => pick(
                    lang,
                    (
                        "Collège des usagers sans membre",
                        "Users' college without members",
                    ),
                )
                .to_owned(),
                (true, n) => pick(
                    lang,
                    (
                        format!("Collège des usagers : {n} membre(s)"),
                        format!("Users' college: {n} member(s)"),
                    ),
                ),
            }
        }
        CheckOutcome::TravelExpensesRuleAdopted { reimbursed: true } => pick(
            lang,
            (
                "Le règlement intérieur prévoit le remboursement des frais de déplacement",
                "The internal rules reimburse travel expenses",
            ),
        )
        .to_owned(),
        CheckOutcome::TravelExpensesRuleAdopted { reimbursed: false } => pick(
            lang,
            (
                "Pas de remboursement des frais de déplacement au règlement intérieur",
                "No reimbursement of travel expenses in the internal rules",
            ),
        )
        .to_owned(),
        CheckOutcome::CadreInterventionForEachRepresentative { lacking } if lacking.is_empty() => {
            pick(
                lang,
                (
                    "Chaque représentant a un cadre d'intervention écrit",
                    "Every representative has a written cadre d'intervention",
                ),
            )
            .to_owned()
        }
        CheckOutcome::CadreInterventionForEachRepresentative { lacking } => pick(
            lang,
            (
                format!("Sans cadre d'intervention : {}", lacking.join(", ")),
                format!("Without a cadre d'intervention: {}", lacking.join(", ")),
            ),
        ),
        CheckOutcome::RepresentativesInEachMoment { period, missing } => {
            let when = match period.calendar_year() {
                Some(year) if fr => format!("en {year}"),
                Some(year) => format!("in {year}"),
                None if fr => format!("du {} au {}", period.from, period.to),
                None => format!("from {} to {}", period.from, period.to),
            };
            let names = missing
                .iter()
                .map(|m| m.label(lang))
                .collect::<Vec<_>>()
                .join(", ");
            match (missing.is_empty(), fr) {
                (true, true) => format!("Représentants impliqués dans les quatre temps {when}"),
                (true, false) => format!("Representatives involved in all four moments {when}"),
                (false, true) => format!("Sans représentant {when} : {names}"),
                (false, false) => format!("No representative {when}: {names}"),
            }
        }
    };
    let todo = match outcome {
        _ if outcome.ok() => ("", ""),
        CheckOutcome::AtLeastTwoActiveRepresentatives { .. } => TWO_REPRESENTATIVES_TODO,
        CheckOutcome::UsersCollegeExistsAndSeated { .. } => USERS_COLLEGE_TODO,
        CheckOutcome::TravelExpensesRuleAdopted { .. } => TRAVEL_EXPENSES_TODO,
        CheckOutcome::CadreInterventionForEachRepresentative { .. } => CADRE_TODO,
        CheckOutcome::RepresentativesInEachMoment { .. } => MOMENTS_TODO,
    };
    CheckSentences {
        label: check_label(outcome.code(), lang),
        detail,
        what_to_do: pick(lang, todo).to_owned(),
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
        ApprovalStanding::Expired { .. } => pick(lang, EXPIRED_NEXT_STEP),
        ApprovalStanding::NotApproved => pick(lang, NOT_APPROVED_NEXT_STEP),
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
            "Sans représentant en 2026 : Diagnostic du territoire, Priorisation des actions, \
             Ajustement et évaluation des actions"
        );
    }
}
