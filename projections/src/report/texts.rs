//! The fixed texts of the report: the compliance checks and the next steps of associations,
//! worded exactly as [`crate::queries::register`] words them (they move to the text catalogue
//! with the rule module), and the look-up of the labels the domain's vocabularies do not carry
//! (member kinds, decision statuses, approvals, engagements) in the catalogue.

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
