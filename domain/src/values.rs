//! Value types of the domain: the vocabularies of DOMAIN.md (moments, missions, rungs of the
//! participation ladder, kinds of contribution, dispositions...) and validated texts.
//!
//! Serialized names are stable: they are stored in events and exchanged with clients.

use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::error::{DomainError, Field};

/// The language of a text shown to people. French first, English available.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Lang {
    /// French, the default.
    #[default]
    Fr,
    /// English.
    En,
}

/// Generates a vocabulary enum with its stable wire name and its French and English labels.
macro_rules! vocabulary {
    (
        $(#[$doc:meta])*
        $name:ident {
            $($(#[$vdoc:meta])* $variant:ident => $wire:literal, $fr:literal, $en:literal;)+
        }
    ) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $($(#[$vdoc])* $variant,)+
        }

        impl $name {
            /// Every value, in the order of the vocabulary.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stable name used in events, the API and files.
            pub const fn wire_name(self) -> &'static str {
                match self {
                    $($name::$variant => $wire,)+
                }
            }

            /// The label shown to people.
            pub const fn label(self, lang: Lang) -> &'static str {
                match (self, lang) {
                    $(($name::$variant, Lang::Fr) => $fr,
                      ($name::$variant, Lang::En) => $en,)+
                }
            }

            /// Parses a stable name, as stored in events.
            pub fn from_wire_name(name: &str) -> Option<Self> {
                match name {
                    $($wire => Some($name::$variant),)+
                    _ => None,
                }
            }
        }
    };
}

vocabulary!(
    /// The four moments where users act in a CPTS (recommendations 1 to 4).
    Moment {
        /// Territorial diagnosis.
        Diagnosis => "diagnosis", "Diagnostic du territoire", "Territorial diagnosis";
        /// Prioritising the actions of the health project.
        Prioritisation => "prioritisation", "Priorisation des actions", "Prioritisation of actions";
        /// Adjusting and evaluating actions.
        Evaluation => "evaluation", "Ajustement et évaluation des actions", "Adjustment and evaluation";
        /// Governance of the CPTS.
        Governance => "governance", "Gouvernance", "Governance";
    }
);

vocabulary!(
    /// The missions of a CPTS: three core ones, two optional ones, and the response to crises.
    Mission {
        /// Access to care (médecin traitant, unscheduled care).
        AccessToCare => "access_to_care", "Accès aux soins", "Access to care";
        /// Multi-professional care pathways.
        CarePathways => "care_pathways", "Parcours pluriprofessionnels", "Care pathways";
        /// Prevention.
        Prevention => "prevention", "Prévention", "Prevention";
        /// Quality and relevance of care.
        Quality => "quality", "Qualité et pertinence des soins", "Quality and relevance of care";
        /// Support to health professionals.
        SupportToProfessionals => "support_to_professionals", "Accompagnement des professionnels de santé", "Support to health professionals";
        /// Response to health crises.
        Crisis => "crisis", "Réponse aux crises sanitaires", "Health crisis response";
    }
);

vocabulary!(
    /// A rung of the participation ladder; each rung is a promise to the people consulted.
    Rung {
        /// Give reliable information.
        Inform => "inform", "Informer", "Inform";
        /// Get opinions on a prepared decision.
        Consult => "consult", "Consulter", "Consult";
        /// Needs heard all along the process.
        Involve => "involve", "Impliquer", "Involve";
        /// Partnership on every aspect.
        Collaborate => "collaborate", "Collaborer / co-construire", "Collaborate";
        /// Final decision delegated.
        Empower => "empower", "Habiliter / co-décider", "Empower";
    }
);

impl Rung {
    /// The promise this rung makes to the people consulted.
    pub const fn promise(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Rung::Inform, Lang::Fr) => "Nous vous tiendrons informés.",
            (Rung::Inform, Lang::En) => "We will keep you informed.",
            (Rung::Consult, Lang::Fr) => "Nous vous écouterons et vous dirons comment vos commentaires ont, ou non, influencé la décision.",
            (Rung::Consult, Lang::En) => "We will listen, and tell you how your comments did or did not influence the decision.",
            (Rung::Involve, Lang::Fr) => "Les propositions refléteront vos besoins ; nous vous dirons comment vos avis ont influencé la décision.",
            (Rung::Involve, Lang::En) => "Proposals will reflect your needs; we will tell you how your advice influenced the decision.",
            (Rung::Collaborate, Lang::Fr) => "Nous construirons les solutions avec vous et intégrerons vos avis autant que possible.",
            (Rung::Collaborate, Lang::En) => "We will build solutions with you and include your advice as far as possible.",
            (Rung::Empower, Lang::Fr) => "Nous mettrons en œuvre ce que vous déciderez (ou ce que nous aurons décidé ensemble par consensus).",
            (Rung::Empower, Lang::En) => "We will implement what you decide (or what we decided together by consensus).",
        }
    }

    /// Whether every contribution on this rung is owed an answer (from *Consulter* up).
    pub const fn owes_answers(self) -> bool {
        !matches!(self, Rung::Inform)
    }
}

vocabulary!(
    /// How a consultation gathers contributions.
    Method {
        /// A participatory workshop.
        Workshop => "workshop", "Atelier", "Workshop";
        /// A questionnaire, on paper or online.
        Questionnaire => "questionnaire", "Questionnaire", "Questionnaire";
        /// Interviews.
        Interview => "interview", "Entretien", "Interview";
        /// A meeting.
        Meeting => "meeting", "Réunion", "Meeting";
        /// A document submitted for comments.
        Document => "document", "Document soumis à avis", "Document";
    }
);

vocabulary!(
    /// What a contribution is.
    ContributionKind {
        /// An opinion.
        Opinion => "opinion", "Avis", "Opinion";
        /// A proposal.
        Proposal => "proposal", "Proposition", "Proposal";
        /// Data: a survey, figures, a dataset.
        Data => "data", "Données", "Data";
        /// A testimony of lived experience.
        Testimony => "testimony", "Témoignage", "Testimony";
        /// A proposal to add a missing member to the CPTS.
        MissingMember => "missing_member", "Proposition d'un membre manquant", "Missing member proposed";
        /// A remark on the perimeter of the territory.
        PerimeterRemark => "perimeter_remark", "Remarque sur le périmètre", "Perimeter remark";
    }
);

vocabulary!(
    /// What became of a contribution in a decision.
    Disposition {
        /// Retained.
        Retained => "retained", "Retenue", "Retained";
        /// Partly retained.
        PartlyRetained => "partly_retained", "Partiellement retenue", "Partly retained";
        /// Not retained.
        NotRetained => "not_retained", "Non retenue", "Not retained";
        /// Deferred to a later decision.
        Deferred => "deferred", "Reportée", "Deferred";
        /// Outside the scope of the decision.
        OutOfScope => "out_of_scope", "Hors champ", "Out of scope";
    }
);

impl Disposition {
    /// Whether an answer with this disposition must give its reasons.
    pub const fn requires_rationale(self) -> bool {
        !matches!(self, Disposition::Retained)
    }
}

vocabulary!(
    /// The kind of a body of the association.
    BodyKind {
        /// Assemblée générale.
        GeneralAssembly => "general_assembly", "Assemblée générale", "General assembly";
        /// Conseil d'administration.
        Board => "board", "Conseil d'administration", "Board";
        /// Bureau.
        Bureau => "bureau", "Bureau", "Bureau";
        /// Commission or working group.
        WorkingGroup => "working_group", "Groupe de travail", "Working group";
    }
);

vocabulary!(
    /// The level at which an association was approved (agréée).
    ApprovalLevel {
        /// National approval.
        National => "national", "Nationale", "National";
        /// Regional approval.
        Regional => "regional", "Régionale", "Regional";
    }
);

vocabulary!(
    /// The outcome of a vote.
    VoteOutcome {
        /// Adopted.
        Adopted => "adopted", "Adoptée", "Adopted";
        /// Rejected.
        Rejected => "rejected", "Rejetée", "Rejected";
        /// Deferred to a later meeting.
        Deferred => "deferred", "Ajournée", "Deferred";
    }
);

/// How long an approval (agrément) of an association lasts.
pub const APPROVAL_VALIDITY_YEARS: u32 = 5;

/// The last day an approval granted on `granted_on` is valid.
pub fn approval_expires_on(granted_on: NaiveDate) -> NaiveDate {
    granted_on
        .checked_add_months(Months::new(12 * APPROVAL_VALIDITY_YEARS))
        .and_then(|d| d.pred_opt())
        .unwrap_or(NaiveDate::MAX)
}

/// A commune of the territory, named by its INSEE code.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Commune {
    /// The INSEE code: five characters, two digits (or 2A/2B for Corsica) then three digits.
    pub insee: String,
    /// The commune's name.
    pub name: String,
}

impl Commune {
    /// Checks the INSEE code and the name.
    pub fn validate(&self) -> Result<(), DomainError> {
        let code = self.insee.as_bytes();
        let dept_ok = code.len() == 5
            && (code[..2].iter().all(u8::is_ascii_digit) || matches!(&code[..2], b"2A" | b"2B"));
        if !dept_ok || !code[2..].iter().all(u8::is_ascii_digit) {
            return Err(DomainError::InvalidInseeCode(self.insee.clone()));
        }
        required_text(Field::Commune, &self.name, limits::NAME)?;
        Ok(())
    }
}

/// Upper bounds of the texts the ledger accepts, in characters.
pub mod limits {
    /// Names of people, organisations, collèges, bodies, communes.
    pub const NAME: usize = 200;
    /// Titles and subjects.
    pub const TITLE: usize = 500;
    /// Free texts: contributions, rationales, decision texts, syntheses.
    pub const TEXT: usize = 20_000;
    /// Short references: convention references, attachment names, periods, audiences.
    pub const SHORT: usize = 500;
}

/// Checks that a required text is present (not blank), not too long, and free of control
/// characters other than line breaks and tabs. Returns it trimmed.
pub fn required_text(field: Field, value: &str, max_chars: usize) -> Result<String, DomainError> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(DomainError::Required { field });
    }
    checked_text(field, trimmed, max_chars)
}

/// Checks an optional text like [`required_text`]; a blank text counts as absent.
pub fn optional_text(
    field: Field,
    value: Option<&str>,
    max_chars: usize,
) -> Result<Option<String>, DomainError> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(text) => checked_text(field, text, max_chars).map(Some),
    }
}

/// Checks an optional e-mail address: one `@` between a local part and a dotted domain, no
/// spaces or control characters, at most 254 characters. A blank address counts as absent.
/// Returns it trimmed.
pub fn optional_email(value: Option<&str>) -> Result<Option<String>, DomainError> {
    let Some(address) = value.map(str::trim).filter(|a| !a.is_empty()) else {
        return Ok(None);
    };
    let invalid = || DomainError::InvalidEmail(address.chars().take(100).collect());
    if address.chars().count() > 254
        || address
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | ',' | ';'))
    {
        return Err(invalid());
    }
    let (local, domain) = address.split_once('@').ok_or_else(invalid)?;
    if local.is_empty()
        || domain.contains('@')
        || !domain.contains('.')
        || domain.starts_with('.')
        || domain.ends_with('.')
    {
        return Err(invalid());
    }
    Ok(Some(address.to_owned()))
}

fn checked_text(field: Field, text: &str, max_chars: usize) -> Result<String, DomainError> {
    let chars = text.chars().count();
    if chars > max_chars {
        return Err(DomainError::TooLong {
            field,
            max: max_chars,
            actual: chars,
        });
    }
    if text
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(DomainError::ControlCharacters { field });
    }
    Ok(text.to_owned())
}

/// Checks that `end` does not come before `start`.
pub fn date_range(field: Field, start: NaiveDate, end: NaiveDate) -> Result<(), DomainError> {
    if end < start {
        return Err(DomainError::DateRange { field, start, end });
    }
    Ok(())
}
