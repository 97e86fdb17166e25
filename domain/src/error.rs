//! The errors of the domain. Each says, in words a coordinator understands, which rule a
//! command broke. `Display` is French (the language of the people using the service);
//! [`DomainError::message`] gives the English text too.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::texts::{date, t, t_args, Arg};
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
    Response,
}

impl Field {
    /// The field's name in a command's input, as the API spells it.
    pub fn input_name(self) -> &'static str {
        use Field::*;
        match self {
            Name => "name",
            Title => "title",
            Text | Synthesis => "text",
            Subject => "subject",
            Audience => "audience",
            Rationale => "rationale",
            Reason => "reason",
            ConventionReference => "conventionReference",
            Profession => "profession",
            CadreIntervention => "cadreIntervention",
            Commune => "commune",
            Territory => "territory",
            Attachment => "attachment",
            Milestone => "milestone",
            Indicator => "indicator",
            Period => "period",
            Mandate => "end",
            Consultation => "consultationId",
            Vote => "colleges",
            Response => "responseColumn",
        }
    }

    /// The field's name shown to people.
    pub fn label(self, lang: Lang) -> &'static str {
        use Field::*;
        crate::texts::t(
            lang,
            match self {
                Name => "field-name",
                Title => "field-title",
                Text => "field-text",
                Subject => "field-subject",
                Audience => "field-audience",
                Rationale => "field-rationale",
                Reason => "field-reason",
                ConventionReference => "field-convention-reference",
                Profession => "field-profession",
                CadreIntervention => "field-cadre-intervention",
                Commune => "field-commune",
                Territory => "field-territory",
                Attachment => "field-attachment",
                Response => "field-response",
                Synthesis => "field-synthesis",
                Milestone => "field-milestone",
                Indicator => "field-indicator",
                Period => "field-period",
                Mandate => "field-mandate",
                Consultation => "field-consultation",
                Vote => "field-vote",
            },
        )
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
    pub fn label(self, lang: Lang) -> &'static str {
        use Record::*;
        crate::texts::t(
            lang,
            match self {
                Community => "record-community",
                College => "record-college",
                Body => "record-body",
                Association => "record-association",
                Member => "record-member",
                Consultation => "record-consultation",
                Contribution => "record-contribution",
                Decision => "record-decision",
                Answer => "record-answer",
                Mandate => "record-mandate",
            },
        )
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
    Required {
        /// The missing field.
        field: Field,
    },
    /// A text is longer than the ledger accepts.
    TooLong {
        /// The field.
        field: Field,
        /// The limit, in characters.
        max: usize,
        /// The length received, in characters.
        actual: usize,
    },
    /// A text holds control characters.
    ControlCharacters {
        /// The field.
        field: Field,
    },
    /// An INSEE code is not five characters of the right form.
    InvalidInseeCode(String),
    /// Contact details left with a member's contribution: members give theirs on their record.
    ContactOfMember,
    /// An e-mail address that cannot be one.
    InvalidEmail(String),
    /// A period ends before it starts.
    DateRange {
        /// The period's field.
        field: Field,
        /// Its start.
        start: NaiveDate,
        /// Its end.
        end: NaiveDate,
    },
    /// A date comes before the date it must follow.
    TooEarly {
        /// The date received.
        date: NaiveDate,
        /// The earliest date allowed.
        earliest: NaiveDate,
        /// Why that is the earliest date.
        reason: TooEarlyReason,
    },
    /// A commune appears twice in a territory.
    DuplicateCommune(String),
    /// The record was already created.
    AlreadyExists(Record),
    /// The id of a collège, a body or a contribution is already taken somewhere in the
    /// register (by this record or another, of this CPTS or another).
    IdTaken(Record),
    /// The record does not exist.
    NotFound(Record),
    /// A name is already used by another record of the same kind in this CPTS.
    DuplicateName {
        /// The kind of record.
        what: Record,
        /// The name.
        name: String,
    },
    /// The CPTS already has a collège usagers.
    UsersCollegeAlreadyDefined,
    /// The CPTS already has a body of a kind it may only have once.
    SingleBodyAlreadyEstablished(BodyKind),
    /// The record was withdrawn and takes no more commands of this kind.
    Withdrawn(Record),
    /// The member has left the CPTS.
    MemberDeparted,
    /// The member's personal data is already erased.
    AlreadyErased,
    /// A mandate was given to a member who is not an association representative.
    NotARepresentative,
    /// The representative already holds an active mandate.
    MandateAlreadyActive,
    /// The representative holds no active mandate.
    NoActiveMandate,
    /// The member already sits there.
    AlreadySeated,
    /// The member does not sit there.
    NotSeated,
    /// The consultation is closed.
    ConsultationClosed,
    /// The consultation only informs; it takes no contributions.
    InformOnly,
    /// A contribution dated outside the consultation's opening period.
    OutsideConsultationPeriod {
        /// The contribution's date.
        submitted_on: NaiveDate,
        /// Opening of the consultation.
        opens_on: NaiveDate,
        /// Closing of the consultation.
        closes_on: NaiveDate,
    },
    /// A contribution dated after the consultation's last day, sent as an ordinary one: only
    /// a coordinator may accept it, as received late.
    ReceivedAfterClosing {
        /// The contribution's date.
        submitted_on: NaiveDate,
        /// The consultation's last day (its closing, or an earlier closing).
        last_day: NaiveDate,
    },
    /// A contribution accepted as late, though received by the consultation's last day.
    NotLate {
        /// When it was received.
        received_on: NaiveDate,
        /// The consultation's last day.
        last_day: NaiveDate,
    },
    /// The consultation is already closed.
    AlreadyClosed,
    /// The consultation must be closed first.
    NotClosed,
    /// The contribution is not part of a consultation the decision is linked to.
    ConsultationNotLinked,
    /// The consultation is already linked to the decision.
    AlreadyLinked,
    /// An answer other than "retained" must say why.
    RationaleRequired(Disposition),
    /// The contribution already has an answer in this decision.
    AlreadyAnswered,
    /// The contribution has no answer in this decision yet.
    NotAnswered,
    /// The answer is already published.
    AlreadyPublished,
    /// No drafted answer waits for publication.
    NothingToPublish,
    /// A revision that changes nothing.
    RevisionChangesNothing,
    /// The decision already has a final vote.
    AlreadyVoted(VoteOutcome),
    /// A vote by collège in which nobody voted.
    EmptyTally,
    /// The same collège appears twice in a tally.
    DuplicateCollegeInTally,
    /// An indicator value or target that is not a finite, non-negative number.
    InvalidIndicatorValue,
    /// Milestones and indicators follow an adopted decision only.
    NotAdopted,
    /// The same indicator was already reported for that period.
    IndicatorAlreadyReported {
        /// The indicator.
        indicator: String,
        /// The period.
        period: String,
    },
    /// A consultation promises answers later than the ledger allows.
    AnswerDelayTooLong {
        /// The delay asked for.
        days: u32,
        /// The longest delay allowed.
        max: u32,
    },
    /// A text was amended to the same text.
    SameText,
    /// A member changes only their own contribution, not another's.
    NotYourContribution,
    /// A contribution of a closed consultation, not yet answered, is amended: its answer is
    /// being written beside the words as they are.
    AnswersBeingWritten,
    /// A contribution whose answer is published is withdrawn.
    AnswerPublishedNoWithdrawal,
    /// A lookup of another record failed; nothing was decided.
    DirectoryUnavailable(String),
    /// A vote recorded as adopted with no more votes for than against.
    AdoptedWithoutMajority {
        /// Votes for, every collège counted.
        votes_for: u32,
        /// Votes against.
        votes_against: u32,
    },
    /// A file attached to a contribution is empty.
    EmptyAttachment,
    /// A file attached to a contribution is over the limit.
    AttachmentTooLarge {
        /// Its size, in bytes.
        size: u64,
        /// The limit, in bytes.
        most: u64,
    },
    /// A file attached to a contribution is of a kind it may not carry.
    AttachmentKindRefused,
    /// A questionnaire file that is not CSV text (a spreadsheet's own format, say).
    NotCsv,
    /// A questionnaire file with a heading and no response.
    EmptyFile,
    /// A questionnaire file of more responses than one import records.
    TooManyRows {
        /// How many it holds.
        rows: usize,
        /// The most one import records.
        most: usize,
    },
    /// A column mapped that the file does not have.
    NoSuchColumn(String),
    /// No column was chosen for the contributions' text.
    NoTextColumn,
    /// No column of dates was chosen and no date given for the responses.
    NoDate,
    /// A date that cannot be read as one.
    UnreadableDate(String),
    /// A response number found twice in a questionnaire file.
    DuplicateResponse(String),
    /// Rows of a questionnaire file that cannot be recorded: nothing is imported until the file
    /// is corrected.
    ImportRefused {
        /// How many rows are wrong.
        wrong: usize,
        /// The line of the first.
        row: u32,
        /// What is wrong with it.
        error: Box<DomainError>,
    },
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
    fn label(self, lang: Lang) -> &'static str {
        use TooEarlyReason::*;
        crate::texts::t(
            lang,
            match self {
                BeforeAdmission => "too-early-before-admission",
                BeforeMandateStart => "too-early-before-mandate-start",
                BeforeOpening => "too-early-before-opening",
                BeforeProposal => "too-early-before-proposal",
                BeforeVote => "too-early-before-vote",
                BeforeRegistration => "too-early-before-registration",
                BeforeSubmission => "too-early-before-submission",
                BeforeAnswer => "too-early-before-answer",
                BeforeClosing => "too-early-before-closing",
                BeforePublication => "too-early-before-publication",
            },
        )
    }
}

/// A size in megabytes (MiB), with one decimal, as the language writes it.
pub fn megabytes(lang: Lang, bytes: u64) -> String {
    // Sizes of files are far below 2^53 bytes.
    #[allow(clippy::cast_precision_loss)]
    let text = format!("{:.1}", bytes as f64 / 1_048_576.0);
    match lang {
        Lang::Fr => text.replace('.', ","),
        Lang::En => text,
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
    /// The input field the error is about, when it is about one: its name in the command's
    /// input (`text`, `conventionReference`, …), so that a form can say it beside the field.
    pub fn field(&self) -> Option<&'static str> {
        use DomainError::*;
        match self {
            Required { field } | TooLong { field, .. } | ControlCharacters { field } => {
                Some(field.input_name())
            }
            DateRange { field, .. } => Some(match field {
                Field::Mandate => "end",
                Field::Consultation => "closesOn",
                other => other.input_name(),
            }),
            InvalidEmail(_) => Some("email"),
            RationaleRequired(_) => Some("rationale"),
            AdoptedWithoutMajority { .. } => Some("outcome"),
            OutsideConsultationPeriod { .. } | ReceivedAfterClosing { .. } => Some("submittedOn"),
            NotLate { .. } => Some("receivedOn"),
            AnswerDelayTooLong { .. } => Some("answerWithinDays"),
            NotCsv | EmptyFile | TooManyRows { .. } | ImportRefused { .. } => Some("csv"),
            NoTextColumn => Some("textColumns"),
            EmptyAttachment | AttachmentTooLarge { .. } | AttachmentKindRefused => Some("file"),
            NoDate => Some("defaultDate"),
            _ => None,
        }
    }

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
            | AdoptedWithoutMajority { .. }
            | DuplicateCollegeInTally
            | InvalidIndicatorValue
            | OutsideConsultationPeriod { .. }
            | ReceivedAfterClosing { .. }
            | NotLate { .. }
            | NotARepresentative
            | RevisionChangesNothing
            | SameText
            | AnswerDelayTooLong { .. }
            | NotCsv
            | EmptyAttachment
            | AttachmentTooLarge { .. }
            | AttachmentKindRefused
            | EmptyFile
            | TooManyRows { .. }
            | NoSuchColumn(_)
            | NoTextColumn
            | NoDate
            | UnreadableDate(_)
            | DuplicateResponse(_) => ErrorKind::InvalidInput,
            ImportRefused { error, .. } => error.kind(),
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
            | AnswersBeingWritten
            | AnswerPublishedNoWithdrawal
            | NotYourContribution
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

    /// The message in the requested language, from the text catalogue.
    pub fn message(&self, lang: Lang) -> String {
        use DomainError::*;
        let day = |d: &NaiveDate| Arg::from(date(lang, *d));
        let field = |f: &Field| Arg::from(f.label(lang));
        let what = |r: &Record| Arg::from(r.label(lang));
        match self {
            Required { field: f } => {
                let key = "error-required";
                let label = f.label(lang);
                // The field opens the sentence in English, closes it in French.
                let label = if lang == Lang::En {
                    capitalize(label)
                } else {
                    label.to_owned()
                };
                t_args(lang, key, &[("field", label.into())])
            }
            TooLong {
                field: f,
                max,
                actual,
            } => t_args(
                lang,
                "error-too-long",
                &[
                    ("field", field(f)),
                    ("max", (*max).into()),
                    ("actual", (*actual).into()),
                ],
            ),
            ControlCharacters { field: f } => {
                let label = f.label(lang);
                let label = if lang == Lang::En {
                    capitalize(label)
                } else {
                    label.to_owned()
                };
                t_args(lang, "error-control-characters", &[("field", label.into())])
            }
            InvalidInseeCode(code) => {
                t_args(lang, "error-invalid-insee-code", &[("code", code.into())])
            }
            ContactOfMember => t(lang, "error-contact-of-member").to_owned(),
            InvalidEmail(address) => {
                t_args(lang, "error-invalid-email", &[("address", address.into())])
            }
            DateRange {
                field: f,
                start,
                end,
            } => t_args(
                lang,
                "error-date-range",
                &[
                    ("field", field(f)),
                    ("start", day(start)),
                    ("end", day(end)),
                ],
            ),
            TooEarly {
                date: d,
                earliest,
                reason,
            } => t_args(
                lang,
                "error-too-early",
                &[
                    ("date", day(d)),
                    ("earliest", day(earliest)),
                    ("reason", reason.label(lang).into()),
                ],
            ),
            DuplicateCommune(code) => {
                t_args(lang, "error-duplicate-commune", &[("code", code.into())])
            }
            AlreadyExists(r) => t_args(lang, "error-already-exists", &[("what", what(r))]),
            IdTaken(r) => t_args(lang, "error-id-taken", &[("what", what(r))]),
            NotFound(r) => t_args(lang, "error-not-found", &[("what", what(r))]),
            DuplicateName { what: r, name } => t_args(
                lang,
                "error-duplicate-name",
                &[("what", what(r)), ("name", name.into())],
            ),
            UsersCollegeAlreadyDefined => t(lang, "error-users-college-already-defined").to_owned(),
            SingleBodyAlreadyEstablished(kind) => t_args(
                lang,
                "error-single-body-already-established",
                &[("kind", kind.label(lang).into())],
            ),
            Withdrawn(r) => t_args(lang, "error-withdrawn", &[("what", what(r))]),
            MemberDeparted => t(lang, "error-member-departed").to_owned(),
            AlreadyErased => t(lang, "error-already-erased").to_owned(),
            NotARepresentative => t(lang, "error-not-a-representative").to_owned(),
            MandateAlreadyActive => t(lang, "error-mandate-already-active").to_owned(),
            NoActiveMandate => t(lang, "error-no-active-mandate").to_owned(),
            AlreadySeated => t(lang, "error-already-seated").to_owned(),
            NotSeated => t(lang, "error-not-seated").to_owned(),
            ConsultationClosed => t(lang, "error-consultation-closed").to_owned(),
            InformOnly => t(lang, "error-inform-only").to_owned(),
            OutsideConsultationPeriod {
                submitted_on,
                opens_on,
                closes_on,
            } => t_args(
                lang,
                "error-outside-consultation-period",
                &[
                    ("submitted", day(submitted_on)),
                    ("opens", day(opens_on)),
                    ("closes", day(closes_on)),
                ],
            ),
            ReceivedAfterClosing {
                submitted_on,
                last_day,
            } => t_args(
                lang,
                "error-received-after-closing",
                &[("submitted", day(submitted_on)), ("last", day(last_day))],
            ),
            NotLate {
                received_on,
                last_day,
            } => t_args(
                lang,
                "error-not-late",
                &[("received", day(received_on)), ("last", day(last_day))],
            ),
            AlreadyClosed => t(lang, "error-already-closed").to_owned(),
            NotClosed => t(lang, "error-not-closed").to_owned(),
            ConsultationNotLinked => t(lang, "error-consultation-not-linked").to_owned(),
            AlreadyLinked => t(lang, "error-already-linked").to_owned(),
            RationaleRequired(disposition) => t_args(
                lang,
                "error-rationale-required",
                &[("disposition", disposition.label(lang).into())],
            ),
            AlreadyAnswered => t(lang, "error-already-answered").to_owned(),
            NotAnswered => t(lang, "error-not-answered").to_owned(),
            AlreadyPublished => t(lang, "error-already-published").to_owned(),
            NothingToPublish => t(lang, "error-nothing-to-publish").to_owned(),
            RevisionChangesNothing => t(lang, "error-revision-changes-nothing").to_owned(),
            AlreadyVoted(outcome) => t_args(
                lang,
                "error-already-voted",
                &[("outcome", outcome.label(lang).into())],
            ),
            EmptyTally => t(lang, "error-empty-tally").to_owned(),
            AdoptedWithoutMajority {
                votes_for,
                votes_against,
            } => t_args(
                lang,
                "error-adopted-without-majority",
                &[
                    ("for", (*votes_for).into()),
                    ("against", (*votes_against).into()),
                ],
            ),
            DuplicateCollegeInTally => t(lang, "error-duplicate-college-in-tally").to_owned(),
            InvalidIndicatorValue => t(lang, "error-invalid-indicator-value").to_owned(),
            NotAdopted => t(lang, "error-not-adopted").to_owned(),
            IndicatorAlreadyReported { indicator, period } => t_args(
                lang,
                "error-indicator-already-reported",
                &[("indicator", indicator.into()), ("period", period.into())],
            ),
            AnswerDelayTooLong { days, max } => t_args(
                lang,
                "error-answer-delay-too-long",
                &[("days", (*days).into()), ("max", (*max).into())],
            ),
            SameText => t(lang, "error-same-text").to_owned(),
            NotYourContribution => t(lang, "error-not-your-contribution").to_owned(),
            AnswersBeingWritten => t(lang, "error-answers-being-written").to_owned(),
            AnswerPublishedNoWithdrawal => {
                t(lang, "error-answer-published-no-withdrawal").to_owned()
            }
            DirectoryUnavailable(cause) => t_args(
                lang,
                "error-directory-unavailable",
                &[("cause", cause.into())],
            ),
            NotCsv => t(lang, "error-not-csv").to_owned(),
            EmptyAttachment => t(lang, "error-empty-attachment").to_owned(),
            AttachmentTooLarge { size, most } => t_args(
                lang,
                "error-attachment-too-large",
                &[
                    ("size", megabytes(lang, *size).into()),
                    ("most", megabytes(lang, *most).into()),
                ],
            ),
            AttachmentKindRefused => t(lang, "error-attachment-kind-refused").to_owned(),
            EmptyFile => t(lang, "error-empty-file").to_owned(),
            TooManyRows { rows, most } => t_args(
                lang,
                "error-too-many-rows",
                &[("rows", (*rows).into()), ("most", (*most).into())],
            ),
            NoSuchColumn(column) => {
                t_args(lang, "error-no-such-column", &[("column", column.into())])
            }
            NoTextColumn => t(lang, "error-no-text-column").to_owned(),
            NoDate => t(lang, "error-no-date").to_owned(),
            UnreadableDate(cell) => t_args(lang, "error-unreadable-date", &[("date", cell.into())]),
            DuplicateResponse(number) => t_args(
                lang,
                "error-duplicate-response",
                &[("number", number.into())],
            ),
            ImportRefused { wrong, row, error } => t_args(
                lang,
                "error-import-refused",
                &[
                    ("wrong", (*wrong).into()),
                    ("row", (*row).into()),
                    ("error", error.message(lang).into()),
                ],
            ),
        }
    }
}

/// French, the language of the people using the service; [`DomainError::message`] gives
/// either language.
impl std::fmt::Display for DomainError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message(Lang::Fr))
    }
}
