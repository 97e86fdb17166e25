//! The fixed texts of the report: the compliance checks and the next steps of associations,
//! worded exactly as [`crate::queries::register`] words them, and the labels the domain's
//! vocabularies do not carry (member kinds, decision statuses, section headings).

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
