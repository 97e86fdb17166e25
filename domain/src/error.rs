//! The errors of the domain. Each says, in words a coordinator understands, which rule a
//! command broke. `Display` is French (the language of the people using the service);
//! [`DomainError::message`] gives the English text too.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::values::{BodyKind, Disposition, Lang, VoteOutcome};

/// Names a field of a command, for error messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[allow(missing_docs)]
pub enum Field {
    Name,
    Title,
    Text,
    Subject,
    Audience,
    Rationale,
    Reason,
    ConventionReference,
    Profession,
    CadreIntervention,
    Commune,
    Territory,
    Attachment,
    Synthesis,
    Milestone,
    Indicator,
    Period,
    Mandate,
    Consultation,
    Vote,
}

impl Field {
    /// The field's name shown to people.
    pub const fn label(self, lang: Lang) -> &'static str {
        use Field::*;
        match (self, lang) {
            (Name, Lang::Fr) => "le nom",
            (Name, Lang::En) => "the name",
            (Title, Lang::Fr) => "le titre",
            (Title, Lang::En) => "the title",
            (Text, Lang::Fr) => "le texte",
            (Text, Lang::En) => "the text",
            (Subject, Lang::Fr) => "l'objet",
            (Subject, Lang::En) => "the subject",
            (Audience, Lang::Fr) => "le public visé",
            (Audience, Lang::En) => "the audience",
            (Rationale, Lang::Fr) => "la justification",
            (Rationale, Lang::En) => "the rationale",
            (Reason, Lang::Fr) => "le motif",
            (Reason, Lang::En) => "the reason",
            (ConventionReference, Lang::Fr) => "la référence de la convention",
            (ConventionReference, Lang::En) => "the convention's reference",
            (Profession, Lang::Fr) => "la profession",
            (Profession, Lang::En) => "the profession",
            (CadreIntervention, Lang::Fr) => "le cadre d'intervention",
            (CadreIntervention, Lang::En) => "the cadre d'intervention",
            (Commune, Lang::Fr) => "la commune",
            (Commune, Lang::En) => "the commune",
            (Territory, Lang::Fr) => "le territoire",
            (Territory, Lang::En) => "the territory",
            (Attachment, Lang::Fr) => "la pièce jointe",
            (Attachment, Lang::En) => "the attachment",
            (Synthesis, Lang::Fr) => "la synthèse",
            (Synthesis, Lang::En) => "the synthesis",
            (Milestone, Lang::Fr) => "l'étape de mise en œuvre",
            (Milestone, Lang::En) => "the implementation milestone",
            (Indicator, Lang::Fr) => "l'indicateur",
            (Indicator, Lang::En) => "the indicator",
            (Period, Lang::Fr) => "la période",
            (Period, Lang::En) => "the period",
            (Mandate, Lang::Fr) => "le mandat",
            (Mandate, Lang::En) => "the mandate",
            (Consultation, Lang::Fr) => "la consultation",
            (Consultation, Lang::En) => "the consultation",
            (Vote, Lang::Fr) => "le vote",
            (Vote, Lang::En) => "the vote",
        }
    }
}

/// Names a kind of record, for error messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[allow(missing_docs)]
pub enum Record {
    Community,
    College,
    Body,
    Association,
    Member,
    Consultation,
    Contribution,
    Decision,
    Answer,
    Mandate,
}

impl Record {
    /// The record's name shown to people, with a capital, as a subject.
    pub const fn label(self, lang: Lang) -> &'static str {
        use Record::*;
        match (self, lang) {
            (Community, Lang::Fr) => "CPTS",
            (Community, Lang::En) => "CPTS",
            (College, Lang::Fr) => "Collège",
            (College, Lang::En) => "College",
            (Body, Lang::Fr) => "Instance",
            (Body, Lang::En) => "Body",
            (Association, Lang::Fr) => "Association",
            (Association, Lang::En) => "Association",
            (Member, Lang::Fr) => "Membre",
            (Member, Lang::En) => "Member",
            (Consultation, Lang::Fr) => "Consultation",
            (Consultation, Lang::En) => "Consultation",
            (Contribution, Lang::Fr) => "Contribution",
            (Contribution, Lang::En) => "Contribution",
            (Decision, Lang::Fr) => "Décision",
            (Decision, Lang::En) => "Decision",
            (Answer, Lang::Fr) => "Réponse",
            (Answer, Lang::En) => "Answer",
            (Mandate, Lang::Fr) => "Mandat",
            (Mandate, Lang::En) => "Mandate",
        }
    }
}

/// What kind of failure an error is, so that each boundary can map it once
/// (GraphQL's `extensions.code`, the CLI's exit message).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The command's input breaks a rule on its own (a missing text, a bad date).
    InvalidInput,
    /// The command names a record that does not exist (or not in this CPTS).
    NotFound,
    /// The command conflicts with the current state of the record.
    Conflict,
    /// The domain could not look up another record; nothing was decided.
    Unavailable,
}

/// A rule of the domain that a command broke. Nothing is recorded when a command fails.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DomainError {
    /// A required text is missing or blank.
    #[error("Il manque {}.", .field.label(Lang::Fr))]
    Required {
        /// The missing field.
        field: Field,
    },
    /// A text is longer than the ledger accepts.
    #[error("{} est trop long : {actual} caractères pour {max} au plus.", capitalize(.field.label(Lang::Fr)))]
    TooLong {
        /// The field.
        field: Field,
        /// The limit, in characters.
        max: usize,
        /// The length received, in characters.
        actual: usize,
    },
    /// A text holds control characters.
    #[error("{} contient des caractères de contrôle non autorisés.", capitalize(.field.label(Lang::Fr)))]
    ControlCharacters {
        /// The field.
        field: Field,
    },
    /// An INSEE code is not five characters of the right form.
    #[error("« {0} » n'est pas un code INSEE de commune (cinq caractères, par exemple 34301).")]
    InvalidInseeCode(String),
    /// Contact details left with a member's contribution: members give theirs on their record.
    #[error("Seul un habitant anonyme laisse une adresse avec sa contribution ; un membre la donne sur sa fiche.")]
    ContactOfMember,
    /// An e-mail address that cannot be one.
    #[error("« {0} » n'est pas une adresse électronique valable.")]
    InvalidEmail(String),
    /// A period ends before it starts.
    #[error("{} se termine le {end} avant d'avoir commencé le {start}.", capitalize(.field.label(Lang::Fr)))]
    DateRange {
        /// The period's field.
        field: Field,
        /// Its start.
        start: NaiveDate,
        /// Its end.
        end: NaiveDate,
    },
    /// A date comes before the date it must follow.
    #[error("La date du {date} est antérieure au {earliest} : {}.", .reason.fr())]
    TooEarly {
        /// The date received.
        date: NaiveDate,
        /// The earliest date allowed.
        earliest: NaiveDate,
        /// Why that is the earliest date.
        reason: TooEarlyReason,
    },
    /// A commune appears twice in a territory.
    #[error("La commune {0} figure deux fois dans le territoire.")]
    DuplicateCommune(String),
    /// The record was already created.
    #[error("{} existe déjà.", .0.label(Lang::Fr))]
    AlreadyExists(Record),
    /// The id of a collège, a body or a contribution is already taken somewhere in the
    /// register (by this record or another, of this CPTS or another).
    #[error("{} : cet identifiant est déjà utilisé dans le registre ; choisissez-en un autre.", .0.label(Lang::Fr))]
    IdTaken(Record),
    /// The record does not exist.
    #[error("{} introuvable.", .0.label(Lang::Fr))]
    NotFound(Record),
    /// A name is already used by another record of the same kind in this CPTS.
    #[error("Le nom « {name} » est déjà utilisé ({}).", .what.label(Lang::Fr))]
    DuplicateName {
        /// The kind of record.
        what: Record,
        /// The name.
        name: String,
    },
    /// The CPTS already has a collège usagers.
    #[error("La CPTS a déjà un collège des usagers.")]
    UsersCollegeAlreadyDefined,
    /// The CPTS already has a body of a kind it may only have once.
    #[error("La CPTS a déjà une instance de ce type : {}.", .0.label(Lang::Fr))]
    SingleBodyAlreadyEstablished(BodyKind),
    /// The record was withdrawn and takes no more commands of this kind.
    #[error("{} a été retiré(e) : l'opération n'est plus possible.", .0.label(Lang::Fr))]
    Withdrawn(Record),
    /// The member has left the CPTS.
    #[error("Ce membre a quitté la CPTS.")]
    MemberDeparted,
    /// The member's personal data is already erased.
    #[error("Les données personnelles de ce membre sont déjà effacées.")]
    AlreadyErased,
    /// A mandate was given to a member who is not an association representative.
    #[error("Seul un représentant associatif peut recevoir un mandat d'association.")]
    NotARepresentative,
    /// The representative already holds an active mandate.
    #[error(
        "Ce représentant a déjà un mandat en cours ; mettez-y fin avant d'en enregistrer un autre."
    )]
    MandateAlreadyActive,
    /// The representative holds no active mandate.
    #[error("Ce représentant n'a pas de mandat en cours.")]
    NoActiveMandate,
    /// The member already sits there.
    #[error("Ce membre siège déjà dans cette instance ou ce collège.")]
    AlreadySeated,
    /// The member does not sit there.
    #[error("Ce membre ne siège pas dans cette instance.")]
    NotSeated,
    /// The consultation is closed.
    #[error("La consultation est close : elle ne reçoit plus de contributions.")]
    ConsultationClosed,
    /// The consultation only informs; it takes no contributions.
    #[error(
        "Cette consultation est au niveau « Informer » : elle ne recueille pas de contributions."
    )]
    InformOnly,
    /// A contribution dated outside the consultation's opening period.
    #[error("La contribution est datée du {submitted_on}, hors de la période de la consultation (du {opens_on} au {closes_on}).")]
    OutsideConsultationPeriod {
        /// The contribution's date.
        submitted_on: NaiveDate,
        /// Opening of the consultation.
        opens_on: NaiveDate,
        /// Closing of the consultation.
        closes_on: NaiveDate,
    },
    /// The consultation is already closed.
    #[error("La consultation est déjà close.")]
    AlreadyClosed,
    /// The consultation must be closed first.
    #[error("La consultation doit d'abord être close.")]
    NotClosed,
    /// The contribution is not part of a consultation the decision is linked to.
    #[error("Cette contribution n'appartient à aucune consultation liée à la décision ; liez d'abord la consultation.")]
    ConsultationNotLinked,
    /// The consultation is already linked to the decision.
    #[error("Cette consultation est déjà liée à la décision.")]
    AlreadyLinked,
    /// An answer other than "retained" must say why.
    #[error("Une réponse « {} » doit être justifiée.", .0.label(Lang::Fr))]
    RationaleRequired(Disposition),
    /// The contribution already has an answer in this decision.
    #[error("Cette contribution a déjà une réponse ; pour la modifier, enregistrez une révision.")]
    AlreadyAnswered,
    /// The contribution has no answer in this decision yet.
    #[error("Cette contribution n'a pas encore de réponse dans cette décision.")]
    NotAnswered,
    /// The answer is already published.
    #[error("Cette réponse est déjà publiée.")]
    AlreadyPublished,
    /// No drafted answer waits for publication.
    #[error("Aucune réponse en attente de publication.")]
    NothingToPublish,
    /// A revision that changes nothing.
    #[error("La révision ne change rien à la réponse.")]
    RevisionChangesNothing,
    /// The decision already has a final vote.
    #[error("Le vote de cette décision est déjà enregistré ({}).", .0.label(Lang::Fr))]
    AlreadyVoted(VoteOutcome),
    /// A vote by collège in which nobody voted.
    #[error("Le vote par collège ne compte aucune voix ; indiquez les voix ou un consensus.")]
    EmptyTally,
    /// The same collège appears twice in a tally.
    #[error("Un même collège figure deux fois dans le décompte du vote.")]
    DuplicateCollegeInTally,
    /// An indicator value or target that is not a finite, non-negative number.
    #[error("La valeur d'un indicateur doit être un nombre positif ou nul.")]
    InvalidIndicatorValue,
    /// Milestones and indicators follow an adopted decision only.
    #[error("La décision n'est pas adoptée : pas de suivi de mise en œuvre possible.")]
    NotAdopted,
    /// The same indicator was already reported for that period.
    #[error("L'indicateur « {indicator} » est déjà renseigné pour la période {period}.")]
    IndicatorAlreadyReported {
        /// The indicator.
        indicator: String,
        /// The period.
        period: String,
    },
    /// A consultation promises answers later than the ledger allows.
    #[error("Le délai de réponse promis ({days} jours) dépasse {max} jours.")]
    AnswerDelayTooLong {
        /// The delay asked for.
        days: u32,
        /// The longest delay allowed.
        max: u32,
    },
    /// A text was amended to the same text.
    #[error("Le nouveau texte est identique à l'actuel.")]
    SameText,
    /// A lookup of another record failed; nothing was decided.
    #[error("Impossible de consulter le registre : {0}")]
    DirectoryUnavailable(String),
}

/// Why a date cannot be earlier than another.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[allow(missing_docs)]
pub enum TooEarlyReason {
    BeforeAdmission,
    BeforeMandateStart,
    BeforeOpening,
    BeforeProposal,
    BeforeVote,
    BeforeRegistration,
    BeforeSubmission,
    BeforeAnswer,
    BeforeClosing,
    BeforePublication,
}

impl TooEarlyReason {
    fn fr(self) -> &'static str {
        use TooEarlyReason::*;
        match self {
            BeforeAdmission => "avant l'admission du membre",
            BeforeMandateStart => "avant le début du mandat",
            BeforeOpening => "avant l'ouverture de la consultation",
            BeforeProposal => "avant la proposition de la décision",
            BeforeVote => "avant le vote de la décision",
            BeforeRegistration => "avant l'enregistrement",
            BeforeSubmission => "avant le dépôt de la contribution",
            BeforeAnswer => "avant la rédaction de la réponse",
            BeforeClosing => "avant la clôture de la consultation",
            BeforePublication => "avant la publication de la réponse",
        }
    }

    fn en(self) -> &'static str {
        use TooEarlyReason::*;
        match self {
            BeforeAdmission => "before the member was admitted",
            BeforeMandateStart => "before the mandate starts",
            BeforeOpening => "before the consultation opens",
            BeforeProposal => "before the decision was proposed",
            BeforeVote => "before the decision was voted",
            BeforeRegistration => "before the registration",
            BeforeSubmission => "before the contribution was submitted",
            BeforeAnswer => "before the answer was drafted",
            BeforeClosing => "before the consultation closed",
            BeforePublication => "before the answer was published",
        }
    }
}

fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

impl DomainError {
    /// What kind of failure this is.
    pub fn kind(&self) -> ErrorKind {
        use DomainError::*;
        match self {
            Required { .. }
            | TooLong { .. }
            | ControlCharacters { .. }
            | InvalidInseeCode(_)
            | InvalidEmail(_)
            | ContactOfMember
            | DateRange { .. }
            | TooEarly { .. }
            | DuplicateCommune(_)
            | RationaleRequired(_)
            | EmptyTally
            | DuplicateCollegeInTally
            | InvalidIndicatorValue
            | OutsideConsultationPeriod { .. }
            | NotARepresentative
            | RevisionChangesNothing
            | SameText
            | AnswerDelayTooLong { .. } => ErrorKind::InvalidInput,
            NotFound(_) => ErrorKind::NotFound,
            DirectoryUnavailable(_) => ErrorKind::Unavailable,
            AlreadyExists(_)
            | IdTaken(_)
            | DuplicateName { .. }
            | UsersCollegeAlreadyDefined
            | SingleBodyAlreadyEstablished(_)
            | Withdrawn(_)
            | MemberDeparted
            | AlreadyErased
            | MandateAlreadyActive
            | NoActiveMandate
            | AlreadySeated
            | NotSeated
            | ConsultationClosed
            | InformOnly
            | AlreadyClosed
            | NotClosed
            | ConsultationNotLinked
            | AlreadyLinked
            | AlreadyAnswered
            | NotAnswered
            | AlreadyPublished
            | NothingToPublish
            | AlreadyVoted(_)
            | NotAdopted
            | IndicatorAlreadyReported { .. } => ErrorKind::Conflict,
        }
    }

    /// The message in the requested language.
    pub fn message(&self, lang: Lang) -> String {
        match lang {
            Lang::Fr => self.to_string(),
            Lang::En => self.english(),
        }
    }

    fn english(&self) -> String {
        use DomainError::*;
        let en = Lang::En;
        match self {
            Required { field } => format!("{} is missing.", capitalize(field.label(en))),
            TooLong { field, max, actual } => {
                format!("{} is too long: {actual} characters, {max} at most.", capitalize(field.label(en)))
            }
            ControlCharacters { field } => {
                format!("{} contains control characters that are not allowed.", capitalize(field.label(en)))
            }
            ContactOfMember => "Only an anonymous inhabitant leaves an address with their contribution; a member gives theirs on their record.".into(),
            InvalidEmail(address) => format!("“{address}” is not a valid e-mail address."),
            InvalidInseeCode(code) => {
                format!("“{code}” is not an INSEE commune code (five characters, for example 34301).")
            }
            DateRange { field, start, end } => {
                format!("{} ends on {end}, before it starts on {start}.", capitalize(field.label(en)))
            }
            TooEarly { date, earliest, reason } => {
                format!("The date {date} is before {earliest}: {}.", reason.en())
            }
            DuplicateCommune(code) => format!("The commune {code} appears twice in the territory."),
            AlreadyExists(what) => format!("{} already exists.", what.label(en)),
            IdTaken(what) => format!(
                "{}: this id is already used in the register; choose another one.",
                what.label(en)
            ),
            NotFound(what) => format!("{} not found.", what.label(en)),
            DuplicateName { what, name } => {
                format!("The name “{name}” is already used ({}).", what.label(en))
            }
            UsersCollegeAlreadyDefined => "The CPTS already has a users' college.".into(),
            SingleBodyAlreadyEstablished(kind) => {
                format!("The CPTS already has a body of this kind: {}.", kind.label(en))
            }
            Withdrawn(what) => format!("{} was withdrawn: this is no longer possible.", what.label(en)),
            MemberDeparted => "This member has left the CPTS.".into(),
            AlreadyErased => "This member's personal data is already erased.".into(),
            NotARepresentative => {
                "Only an association representative can hold an association's mandate.".into()
            }
            MandateAlreadyActive => {
                "This representative already holds an active mandate; end it before recording another."
                    .into()
            }
            NoActiveMandate => "This representative holds no active mandate.".into(),
            AlreadySeated => "This member already sits in this body or college.".into(),
            NotSeated => "This member does not sit in this body.".into(),
            ConsultationClosed => "The consultation is closed: it takes no more contributions.".into(),
            InformOnly => {
                "This consultation is on the “Inform” rung: it does not collect contributions.".into()
            }
            OutsideConsultationPeriod { submitted_on, opens_on, closes_on } => format!(
                "The contribution is dated {submitted_on}, outside the consultation's period ({opens_on} to {closes_on})."
            ),
            AlreadyClosed => "The consultation is already closed.".into(),
            NotClosed => "The consultation must be closed first.".into(),
            ConsultationNotLinked => {
                "This contribution belongs to no consultation linked to the decision; link the consultation first."
                    .into()
            }
            AlreadyLinked => "This consultation is already linked to the decision.".into(),
            RationaleRequired(disposition) => {
                format!("An answer “{}” must give its rationale.", disposition.label(en))
            }
            AlreadyAnswered => {
                "This contribution already has an answer; record a revision to change it.".into()
            }
            NotAnswered => "This contribution has no answer in this decision yet.".into(),
            AlreadyPublished => "This answer is already published.".into(),
            NothingToPublish => "No drafted answer is waiting to be published.".into(),
            RevisionChangesNothing => "The revision does not change the answer.".into(),
            AlreadyVoted(outcome) => {
                format!("This decision's vote is already recorded ({}).", outcome.label(en))
            }
            EmptyTally => "The vote by college counts no vote; give the votes or a consensus.".into(),
            DuplicateCollegeInTally => "The same college appears twice in the tally.".into(),
            InvalidIndicatorValue => "An indicator's value must be a number, zero or more.".into(),
            NotAdopted => "The decision is not adopted: no implementation follow-up.".into(),
            IndicatorAlreadyReported { indicator, period } => {
                format!("The indicator “{indicator}” is already reported for the period {period}.")
            }
            AnswerDelayTooLong { days, max } => {
                format!("The promised answer delay ({days} days) exceeds {max} days.")
            }
            SameText => "The new text is the same as the current one.".into(),
            DirectoryUnavailable(cause) => format!("The register could not be read: {cause}"),
        }
    }
}
