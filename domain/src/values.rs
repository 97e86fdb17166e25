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

/// Generates a vocabulary enum with its stable wire name; its labels are in the text catalogue
/// under `family-wire_name`.
macro_rules! vocabulary {
    (
        $(#[$doc:meta])*
        $name:ident in $family:literal {
            $($(#[$vdoc:meta])* $variant:ident => $wire:literal;)+
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

            /// The key of its label in the text catalogue (`family-wire_name`).
            pub const fn label_key(self) -> &'static str {
                match self {
                    $($name::$variant => concat!($family, "-", $wire),)+
                }
            }

            /// The label shown to people, from the text catalogue.
            pub fn label(self, lang: Lang) -> &'static str {
                crate::texts::t(lang, self.label_key())
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
    Moment in "moment" {
        /// Territorial diagnosis.
        Diagnosis => "diagnosis";
        /// Prioritising the actions of the health project.
        Prioritisation => "prioritisation";
        /// Adjusting and evaluating actions.
        Evaluation => "evaluation";
        /// Governance of the CPTS.
        Governance => "governance";
    }
);

vocabulary!(
    /// The missions of a CPTS: three core ones, two optional ones, and the response to crises.
    Mission in "mission" {
        /// Access to care (médecin traitant, unscheduled care).
        AccessToCare => "access_to_care";
        /// Multi-professional care pathways.
        CarePathways => "care_pathways";
        /// Prevention.
        Prevention => "prevention";
        /// Quality and relevance of care.
        Quality => "quality";
        /// Support to health professionals.
        SupportToProfessionals => "support_to_professionals";
        /// Response to health crises.
        Crisis => "crisis";
    }
);

vocabulary!(
    /// A rung of the participation ladder; each rung is a promise to the people consulted.
    Rung in "rung" {
        /// Give reliable information.
        Inform => "inform";
        /// Get opinions on a prepared decision.
        Consult => "consult";
        /// Needs heard all along the process.
        Involve => "involve";
        /// Partnership on every aspect.
        Collaborate => "collaborate";
        /// Final decision delegated.
        Empower => "empower";
    }
);

impl Rung {
    /// The promise this rung makes to the people consulted, in the seeds' own words.
    pub fn promise(self, lang: Lang) -> &'static str {
        crate::texts::t(lang, self.promise_key())
    }

    /// The key of its promise in the text catalogue.
    pub const fn promise_key(self) -> &'static str {
        match self {
            Rung::Inform => "promise-inform",
            Rung::Consult => "promise-consult",
            Rung::Involve => "promise-involve",
            Rung::Collaborate => "promise-collaborate",
            Rung::Empower => "promise-empower",
        }
    }

    /// Whether every contribution on this rung is owed an answer (from *Consulter* up).
    pub const fn owes_answers(self) -> bool {
        !matches!(self, Rung::Inform)
    }
}

vocabulary!(
    /// How a consultation gathers contributions.
    Method in "method" {
        /// A participatory workshop.
        Workshop => "workshop";
        /// A questionnaire, on paper or online.
        Questionnaire => "questionnaire";
        /// Interviews.
        Interview => "interview";
        /// A meeting.
        Meeting => "meeting";
        /// A document submitted for comments.
        Document => "document";
    }
);

vocabulary!(
    /// The tool an imported questionnaire was exported from: it says which columns hold the
    /// response number, the date and the answers (`crate::questionnaire::Table::suggested`).
    QuestionnaireFormat in "questionnaire-format" {
        /// LimeSurvey's "Export responses" as CSV.
        Limesurvey => "limesurvey";
        /// Framaforms' (Drupal Webform) download of the results as CSV.
        Framaforms => "framaforms";
        /// Any other table saved as CSV: a spreadsheet, another tool.
        Generic => "generic";
    }
);

vocabulary!(
    /// What a contribution is.
    ContributionKind in "contribution-kind" {
        /// An opinion.
        Opinion => "opinion";
        /// A proposal.
        Proposal => "proposal";
        /// Data: a survey, figures, a dataset.
        Data => "data";
        /// A testimony of lived experience.
        Testimony => "testimony";
        /// A proposal to add a missing member to the CPTS.
        MissingMember => "missing_member";
        /// A remark on the perimeter of the territory.
        PerimeterRemark => "perimeter_remark";
    }
);

vocabulary!(
    /// What became of a contribution in a decision.
    Disposition in "disposition" {
        /// Retained.
        Retained => "retained";
        /// Partly retained.
        PartlyRetained => "partly_retained";
        /// Not retained.
        NotRetained => "not_retained";
        /// Deferred to a later decision.
        Deferred => "deferred";
        /// Outside the scope of the decision.
        OutOfScope => "out_of_scope";
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
    BodyKind in "body-kind" {
        /// Assemblée générale.
        GeneralAssembly => "general_assembly";
        /// Conseil d'administration.
        Board => "board";
        /// Bureau.
        Bureau => "bureau";
        /// Commission or working group.
        WorkingGroup => "working_group";
    }
);

vocabulary!(
    /// The level at which an association was approved (agréée).
    ApprovalLevel in "approval-level" {
        /// National approval.
        National => "national";
        /// Regional approval.
        Regional => "regional";
    }
);

vocabulary!(
    /// The outcome of a vote.
    VoteOutcome in "vote-outcome" {
        /// Adopted.
        Adopted => "adopted";
        /// Rejected.
        Rejected => "rejected";
        /// Deferred to a later meeting.
        Deferred => "deferred";
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
