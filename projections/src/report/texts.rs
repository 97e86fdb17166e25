//! The fixed texts of the report and the register: the sentences of the compliance checks
//! ([`check_sentences`], the one place they are made from a check's outcome), the next steps
//! of associations, and the labels the domain's vocabularies do not carry (member kinds,
//! decision statuses, standings, section headings).

use cpts_domain::rules::{ApprovalStanding, CheckOutcome};
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
    let both: Both = match code {
        "health_professional" => ("Professionnel de santé", "Health professional"),
        "establishment" => ("Établissement", "Establishment"),
        "social_body" => ("Structure sociale", "Social body"),
        "medico_social_body" => ("Structure médico-sociale", "Medico-social body"),
        "association_representative" => ("Représentant associatif", "Association representative"),
        "coordinator" => ("Coordination", "Coordinator"),
        "anonymous_inhabitant" => ("Habitant anonyme", "Anonymous inhabitant"),
        _ => ("Membre", "Member"),
    };
    pick(lang, both).to_owned()
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
    let both: Both = match code {
        "proposed" => ("Proposée", "Proposed"),
        "adopted" => ("Adoptée", "Adopted"),
        "rejected" => ("Rejetée", "Rejected"),
        "deferred" => ("Ajournée", "Deferred"),
        "withdrawn" => ("Retirée", "Withdrawn"),
        _ => ("Inconnu", "Unknown"),
    };
    pick(lang, both).to_owned()
}

/// The label of an association's approval status.
pub(crate) fn approval(code: &str, lang: Lang) -> String {
    let both: Both = match code {
        "approved" => ("Agréée", "Approved"),
        "expired" => ("Agrément expiré", "Approval expired"),
        _ => ("Non agréée", "Not approved"),
    };
    pick(lang, both).to_owned()
}

/// The label of an association's form of engagement.
pub(crate) fn engagement(code: &str, lang: Lang) -> String {
    let both: Both = match code {
        "participation" => ("Participation", "Participation"),
        "partnership" => ("Partenariat", "Partnership"),
        "governance" => ("Gouvernance", "Governance"),
        _ => ("—", "—"),
    };
    pick(lang, both).to_owned()
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

/// The mark, in the title, of a report whose as-of day had not ended in the CPTS's time zone.
pub(crate) const PROVISIONAL: Both = ("provisoire", "provisional");

/// The seal's warning on a provisional report.
pub(crate) const PROVISIONAL_NOTE: Both = (
    "Rapport provisoire : la journée de la date de situation n'était pas terminée dans le fuseau horaire de la CPTS ; des faits de cette journée peuvent encore être enregistrés.",
    "Provisional report: the as-of day had not ended in the CPTS's time zone; facts of that day may still be recorded.",
);

/// The seal's line for the as-of date.
pub(crate) const SEAL_AS_OF: Both = (
    "Situation au (faits datés de ce jour ou d'avant)",
    "As of (facts dated on or before this day)",
);

/// The seal's line for the position the log was read up to.
pub(crate) const SEAL_POSITION: Both =
    ("Journal lu jusqu'à la position", "Log read up to position");

/// The seal's line for the time the log stood at that position.
pub(crate) const SEAL_RECORDED_AT: Both = (
    "Journal tel qu'enregistré au (heure de l'événement à cette position, UTC)",
    "Log as recorded at (time of the event at that position, UTC)",
);

/// The seal's line on what the same arguments give.
pub(crate) const SEAL_SAME_BYTES: Both = (
    "La même période, la même date de situation et la même position donnent toujours le même rapport, octet pour octet.",
    "The same period, as-of date and position always give the same report, byte for byte.",
);

/// The last line of the report: which facts it speaks of.
pub(crate) const FOOTER: Both = (
    "Rapport établi à partir des faits datés au plus tard de la date de situation, tels que le journal de la CPTS les contenait à la position indiquée ; les mêmes données donnent le même rapport.",
    "Report built from the facts dated on or before the as-of date, as the CPTS's log held them at the position given; the same data give the same report.",
);

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
    let both: Both = match code {
        "not_owed" => ("Pas de réponse due", "No answer owed"),
        "pending" => ("En attente de réponse", "Awaiting an answer"),
        "overdue" => ("En attente, échéance dépassée", "Waiting, deadline passed"),
        "answered_on_time" => ("Répondue dans le délai", "Answered on time"),
        "answered_late" => ("Répondue en retard", "Answered late"),
        "withdrawn" => ("Retirée", "Withdrawn"),
        "revised_awaiting_republication" => (
            "Réponse révisée, à republier",
            "Answer revised, awaiting republication",
        ),
        _ => ("—", "—"),
    };
    pick(lang, both)
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
