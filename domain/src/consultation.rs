//! A consultation: a question put to users or members on one rung of the participation ladder,
//! the contributions it receives, its closing and its synthesis.

use chrono::{Days, NaiveDate};
use cqrs_es::event_sink::EventSink;
use cqrs_es::Aggregate;
use serde::{Deserialize, Serialize};

use crate::claims::{Claim, SubRecord};
use crate::directory::{existing_community, unclaimed, DirectoryService};
use crate::domain_event;
use crate::error::{DomainError, Field, Record, TooEarlyReason};
use crate::files::{self, AttachedFile};
use crate::ids::{CommunityId, ConsultationId, ContributionId, MemberId};
use crate::questionnaire::{self, ImportSource, Response};
use crate::values::{
    date_range, limits, optional_email, optional_text, required_text, ContributionKind, Lang,
    Method, Mission, Moment, QuestionnaireFormat, Rung,
};

/// The longest answer deadline a consultation may promise, in days after its closing.
pub const MAX_ANSWER_DAYS: u32 = 365;

/// Who wrote a contribution.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Author {
    /// A member of the CPTS.
    Member {
        /// The member.
        member_id: MemberId,
    },
    /// An inhabitant who did not give their name.
    Anonymous {
        /// Their commune, if they gave it.
        commune: Option<String>,
    },
}

/// Why a contribution received after its consultation's closing was accepted all the same (a
/// paper form that came by post the day after, a questionnaire handed in late at a desk). Only
/// a coordinator accepts one ([`ConsultationCommand::AcceptLateContribution`]); the reason is
/// the CPTS's account of its own handling, written by the coordinator, so it is not the
/// author's personal data and stays readable after an erasure (the form says not to name the
/// author in it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LateReception {
    /// Why it was accepted after the closing.
    pub reason: String,
}

/// What a consultation asks and promises.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsultationTerms {
    /// The subject.
    pub subject: String,
    /// The moment of participation it belongs to.
    pub moment: Moment,
    /// The mission it serves.
    pub mission: Mission,
    /// Its rung on the participation ladder: the promise it makes.
    pub rung: Rung,
    /// Who is consulted.
    pub audience: String,
    /// How.
    pub method: Method,
    /// First day contributions are received.
    pub opens_on: NaiveDate,
    /// Last day contributions are received.
    pub closes_on: NaiveDate,
    /// How many days after closing every contribution will have its answer.
    pub answer_within_days: u32,
}

impl ConsultationTerms {
    /// The last day an answer is on time.
    pub fn answer_deadline(&self) -> NaiveDate {
        self.closes_on
            .checked_add_days(Days::new(u64::from(self.answer_within_days)))
            .unwrap_or(NaiveDate::MAX)
    }
}

/// A command to a consultation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ConsultationCommand {
    /// Opens a consultation.
    Open {
        /// The id the caller chose.
        consultation_id: ConsultationId,
        /// The CPTS.
        community_id: CommunityId,
        /// What it asks and promises.
        terms: ConsultationTerms,
    },
    /// Records a contribution dated within the consultation's period, whenever it is recorded:
    /// a workshop of September may be transcribed in December, after the closing.
    Submit {
        /// The id the caller chose for the contribution.
        contribution_id: ContributionId,
        /// Who wrote it.
        author: Author,
        /// What it is.
        kind: ContributionKind,
        /// Its text.
        text: String,
        /// When it was submitted.
        submitted_on: NaiveDate,
        /// The name of an attached file, if any.
        attachment: Option<String>,
        /// The attached file, as [`crate::files::examine`] read it (kept beside the log).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        file: Option<AttachedFile>,
    },
    /// Records a contribution received after the consultation's closing, accepted as late by a
    /// coordinator, with the day it was received and why it is accepted.
    AcceptLateContribution {
        /// The id the caller chose for the contribution.
        contribution_id: ContributionId,
        /// Who wrote it.
        author: Author,
        /// What it is.
        kind: ContributionKind,
        /// Its text.
        text: String,
        /// When it was received: after the consultation's last day.
        received_on: NaiveDate,
        /// Why it is accepted all the same.
        reason: String,
        /// The name of an attached file, if any.
        attachment: Option<String>,
        /// The attached file, as [`crate::files::examine`] read it (kept beside the log).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        file: Option<AttachedFile>,
    },
    /// Records the responses of an online questionnaire, read from its CSV export
    /// ([`crate::questionnaire::Table::responses`]), each as the contribution of an anonymous
    /// inhabitant with its source. A response already recorded from an earlier import is left
    /// as it is; if any other cannot be recorded (dated outside the period, say), none is.
    ImportQuestionnaire {
        /// The tool the file was exported from.
        format: QuestionnaireFormat,
        /// The SHA-256 of the file's text ([`crate::questionnaire::sha256`]).
        file_sha256: String,
        /// What the responses are.
        kind: ContributionKind,
        /// The responses, as read from their rows.
        responses: Vec<Response>,
    },
    /// Replaces a contribution's text; the earlier text stays on the record.
    Amend {
        /// The contribution.
        contribution_id: ContributionId,
        /// The new text.
        text: String,
        /// When.
        on: NaiveDate,
        /// Why; required when its author amends it themselves.
        #[serde(default)]
        reason: Option<String>,
        /// The member who changes their own words, when they send it themselves; empty when
        /// staff record the change (see `Consultation::own_words`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        by: Option<MemberId>,
        /// Whether an answer to it is published: a fact of the decisions, which the service
        /// looks up and puts here ([`own_words_allowed`] says what it changes).
        #[serde(default)]
        answer_published: bool,
    },
    /// Withdraws a contribution at its author's request.
    Withdraw {
        /// The contribution.
        contribution_id: ContributionId,
        /// When.
        on: NaiveDate,
        /// Why; required when its author withdraws it themselves.
        reason: Option<String>,
        /// The member who withdraws their own words, when they send it themselves.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        by: Option<MemberId>,
        /// Whether an answer to it is published, as for [`ConsultationCommand::Amend`].
        #[serde(default)]
        answer_published: bool,
    },
    /// Closes the consultation: no more contributions.
    Close {
        /// When.
        on: NaiveDate,
    },
    /// Publishes the synthesis of the contributions.
    PublishSynthesis {
        /// The synthesis.
        text: String,
        /// When.
        on: NaiveDate,
    },
    /// Records the e-mail address an anonymous inhabitant left with their contribution, to be
    /// told what became of it. The address is personal data, keyed by the contribution.
    LeaveContact {
        /// The contribution, by an anonymous inhabitant.
        contribution_id: ContributionId,
        /// The e-mail address.
        email: String,
        /// The language of the messages.
        language: Lang,
    },
    /// Withdraws the address an anonymous inhabitant left (staff, at their request): no e-mail
    /// is sent to it any more and its key is destroyed. Nothing is recorded when none is held.
    WithdrawInhabitantContact {
        /// The contribution the address was left with.
        contribution_id: ContributionId,
    },
    /// The inhabitant followed the unsubscribe link of an e-mail: as a withdrawal, sent by the
    /// service itself (the link needs no login). Nothing is recorded when no address is held.
    UnsubscribeInhabitant {
        /// The contribution the address was left with.
        contribution_id: ContributionId,
    },
}

/// A fact recorded about a consultation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ConsultationEvent {
    /// The consultation was opened.
    ConsultationOpened {
        /// Its id.
        consultation_id: ConsultationId,
        /// Its CPTS.
        community_id: CommunityId,
        /// What it asks and promises.
        terms: ConsultationTerms,
        /// The last day an answer is on time.
        answer_deadline: NaiveDate,
    },
    /// A contribution was submitted.
    ContributionSubmitted {
        /// Its id.
        contribution_id: ContributionId,
        /// Who wrote it.
        author: Author,
        /// What it is.
        kind: ContributionKind,
        /// Its text.
        text: String,
        /// When: for one received late, the day it was received.
        submitted_on: NaiveDate,
        /// An attached file's name.
        attachment: Option<String>,
        /// Set when it was received after the consultation's closing and accepted as late.
        /// Absent from the events of ordinary contributions, which read as they always did.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        late: Option<LateReception>,
        /// Set when it was imported from a questionnaire's file: the file's hash and its row.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        imported: Option<ImportSource>,
        /// The attached file's hash, size and kind; the file is kept beside the log, sealed
        /// under its author's key. Absent from contributions without one.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        file: Option<AttachedFile>,
    },
    /// A contribution's text was amended.
    ContributionAmended {
        /// The contribution.
        contribution_id: ContributionId,
        /// The new text.
        text: String,
        /// When.
        on: NaiveDate,
        /// Why, if said (absent from the amendments recorded before it was asked).
        #[serde(default)]
        reason: Option<String>,
    },
    /// A contribution was withdrawn.
    ContributionWithdrawn {
        /// The contribution.
        contribution_id: ContributionId,
        /// When.
        on: NaiveDate,
        /// Why.
        reason: Option<String>,
    },
    /// The consultation was closed.
    ConsultationClosed {
        /// When.
        on: NaiveDate,
    },
    /// Its synthesis was published.
    SynthesisPublished {
        /// The synthesis.
        text: String,
        /// When.
        on: NaiveDate,
    },
    /// An anonymous inhabitant left an e-mail address to be told what became of their
    /// contribution.
    ContactLeft {
        /// The contribution.
        contribution_id: ContributionId,
        /// The e-mail address (personal data, keyed by the contribution).
        email: String,
        /// The language of the messages.
        language: Lang,
    },
    /// The address an anonymous inhabitant left was withdrawn by staff; its key is destroyed.
    InhabitantContactWithdrawn {
        /// The contribution.
        contribution_id: ContributionId,
    },
    /// The anonymous inhabitant unsubscribed from the link of an e-mail; the address's key is
    /// destroyed.
    InhabitantUnsubscribed {
        /// The contribution.
        contribution_id: ContributionId,
    },
}

domain_event!(ConsultationEvent {
    ConsultationOpened,
    ContributionSubmitted,
    ContributionAmended,
    ContributionWithdrawn,
    ConsultationClosed,
    SynthesisPublished,
    ContactLeft,
    InhabitantContactWithdrawn,
    InhabitantUnsubscribed,
});

/// A contribution as it stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contribution {
    /// Its id.
    pub id: ContributionId,
    /// Who wrote it.
    pub author: Author,
    /// What it is.
    pub kind: ContributionKind,
    /// Its current text.
    pub text: String,
    /// When it was submitted.
    pub submitted_on: NaiveDate,
    /// An attached file's name.
    pub attachment: Option<String>,
    /// When it was withdrawn, if it was.
    pub withdrawn_on: Option<NaiveDate>,
    /// Set when it was received after the closing and accepted as late.
    #[serde(default)]
    pub late: Option<LateReception>,
}

/// The current state of a consultation.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Consultation {
    id: Option<ConsultationId>,
    community_id: Option<CommunityId>,
    terms: Option<ConsultationTerms>,
    contributions: Vec<Contribution>,
    closed_on: Option<NaiveDate>,
    synthesis: Option<(String, NaiveDate)>,
    /// The contributions whose anonymous author left an address still held.
    #[serde(default)]
    contacts: Vec<ContributionId>,
}

impl Consultation {
    /// Its id, once opened.
    pub fn id(&self) -> Option<ConsultationId> {
        self.id
    }

    /// Its CPTS.
    pub fn community_id(&self) -> Option<CommunityId> {
        self.community_id
    }

    /// What it asks and promises.
    pub fn terms(&self) -> Option<&ConsultationTerms> {
        self.terms.as_ref()
    }

    /// Its contributions, in the order received.
    pub fn contributions(&self) -> &[Contribution] {
        &self.contributions
    }

    /// One contribution.
    pub fn contribution(&self, id: ContributionId) -> Option<&Contribution> {
        self.contributions.iter().find(|c| c.id == id)
    }

    /// When it was closed, if it was.
    pub fn closed_on(&self) -> Option<NaiveDate> {
        self.closed_on
    }

    /// The last day it receives contributions: the last day of its terms, or the day it was
    /// closed if that came earlier (closing early ends the period).
    pub fn last_day(&self) -> Option<NaiveDate> {
        let terms = self.terms.as_ref()?;
        Some(last_day(terms.closes_on, self.closed_on))
    }

    fn opened(&self) -> Result<&ConsultationTerms, DomainError> {
        self.terms
            .as_ref()
            .ok_or(DomainError::NotFound(Record::Consultation))
    }

    fn live_contribution(&self, id: ContributionId) -> Result<&Contribution, DomainError> {
        let contribution = self
            .contribution(id)
            .ok_or(DomainError::NotFound(Record::Contribution))?;
        if contribution.withdrawn_on.is_some() {
            return Err(DomainError::Withdrawn(Record::Contribution));
        }
        Ok(contribution)
    }

    /// The rule of a member changing their own words: [`crate::access`] lets a representative
    /// or a board member send an amendment or a withdrawal only in their own name (`by`), and
    /// here that name must be the contribution's author's, who says why. Staff, recording a
    /// change on the author's behalf, send no `by` and the reason stays optional. When the
    /// change may be made at all is [`own_words_allowed`], for staff and authors alike. Gives
    /// the checked reason.
    fn own_words(
        &self,
        contribution: &Contribution,
        by: Option<MemberId>,
        reason: Option<&str>,
    ) -> Result<Option<String>, DomainError> {
        let Some(member_id) = by else {
            return optional_text(Field::Reason, reason, limits::TEXT);
        };
        if contribution.author != (Author::Member { member_id }) {
            return Err(DomainError::NotYourContribution);
        }
        required_text(Field::Reason, reason.unwrap_or_default(), limits::TEXT).map(Some)
    }

    /// The terms of a consultation that receives contributions: opened, and not informing.
    fn receiving(&self) -> Result<&ConsultationTerms, DomainError> {
        let terms = self.opened()?;
        if terms.rung == Rung::Inform {
            return Err(DomainError::InformOnly);
        }
        Ok(terms)
    }

    /// The rules every contribution meets, on time or late: an id not used anywhere in the
    /// log, a text, an author of this CPTS still in it.
    async fn receive(
        &self,
        directory: &DirectoryService,
        received: Received,
        late: Option<LateReception>,
        imported: Option<ImportSource>,
    ) -> Result<ConsultationEvent, DomainError> {
        let Received {
            contribution_id,
            author,
            kind,
            text,
            submitted_on,
            attachment,
            file,
        } = received;
        if let Some(file) = &file {
            files::check(file)?;
        }
        // Taken here or anywhere else in the log, the same answer after the same
        // look-up: an id of another CPTS must not be told from one of this record.
        let claim = Claim {
            kind: SubRecord::Contribution,
            id: contribution_id.0,
        };
        unclaimed(directory.as_ref(), claim).await?;
        if self.contribution(contribution_id).is_some() {
            return Err(DomainError::IdTaken(Record::Contribution));
        }
        let text = required_text(Field::Text, &text, limits::TEXT)?;
        let attachment = optional_text(Field::Attachment, attachment.as_deref(), limits::SHORT)?;
        let author = match author {
            Author::Member { member_id } => {
                let member = directory
                    .member(member_id)
                    .await?
                    .ok_or(DomainError::NotFound(Record::Member))?;
                if member.community_id() != self.community_id {
                    // Another CPTS's record is answered as one that does not exist.
                    return Err(DomainError::NotFound(Record::Member));
                }
                if member.has_departed() {
                    return Err(DomainError::MemberDeparted);
                }
                Author::Member { member_id }
            }
            Author::Anonymous { commune } => Author::Anonymous {
                commune: optional_text(Field::Commune, commune.as_deref(), limits::NAME)?,
            },
        };
        Ok(ConsultationEvent::ContributionSubmitted {
            contribution_id,
            author,
            kind,
            text,
            submitted_on,
            attachment,
            late,
            imported,
            file,
        })
    }

    async fn decide(
        &self,
        command: ConsultationCommand,
        directory: &DirectoryService,
    ) -> Result<Vec<ConsultationEvent>, DomainError> {
        match command {
            ConsultationCommand::Open {
                consultation_id,
                community_id,
                terms,
            } => {
                if self.id.is_some() {
                    return Err(DomainError::AlreadyExists(Record::Consultation));
                }
                let terms = ConsultationTerms {
                    subject: required_text(Field::Subject, &terms.subject, limits::TITLE)?,
                    audience: required_text(Field::Audience, &terms.audience, limits::SHORT)?,
                    ..terms
                };
                date_range(Field::Consultation, terms.opens_on, terms.closes_on)?;
                if terms.answer_within_days > MAX_ANSWER_DAYS {
                    return Err(DomainError::AnswerDelayTooLong {
                        days: terms.answer_within_days,
                        max: MAX_ANSWER_DAYS,
                    });
                }
                existing_community(directory.as_ref(), community_id).await?;
                let answer_deadline = terms.answer_deadline();
                Ok(vec![ConsultationEvent::ConsultationOpened {
                    consultation_id,
                    community_id,
                    terms,
                    answer_deadline,
                }])
            }
            // What was said within the period is received whenever it is typed in: closed or
            // not, and after the synthesis too. Refusing it would leave out of the record what
            // a user said because the CPTS transcribed it late, the one outcome the ledger
            // exists to prevent; recorded after the answers were published, it is still owed
            // its answer, and the register shows it waiting until it gets one. Its deadline
            // stays the consultation's (`rules::ContributionFacts::deadline`): the time taken
            // to transcribe it does not extend the promise.
            ConsultationCommand::Submit {
                contribution_id,
                author,
                kind,
                text,
                submitted_on,
                attachment,
                file,
            } => {
                let terms = self.receiving()?;
                let last_day = self.last_day().unwrap_or(terms.closes_on);
                within_period(submitted_on, terms.opens_on, terms.closes_on, last_day)?;
                let received = Received {
                    contribution_id,
                    author,
                    kind,
                    text,
                    submitted_on,
                    attachment,
                    file,
                };
                Ok(vec![self.receive(directory, received, None, None).await?])
            }
            // What came after the last day is accepted only as late, by a coordinator
            // (`access::authorize`), saying why: the reception date and the reason are on the
            // record for every reader. It is owed its answer as many days after its reception
            // as the consultation promised after its closing (`rules::ContributionFacts`).
            ConsultationCommand::AcceptLateContribution {
                contribution_id,
                author,
                kind,
                text,
                received_on,
                reason,
                attachment,
                file,
            } => {
                self.receiving()?;
                let last_day = self.last_day().unwrap_or(received_on);
                if received_on <= last_day {
                    return Err(DomainError::NotLate {
                        received_on,
                        last_day,
                    });
                }
                let reason = required_text(Field::Reason, &reason, limits::TEXT)?;
                let received = Received {
                    contribution_id,
                    author,
                    kind,
                    text,
                    submitted_on: received_on,
                    attachment,
                    file,
                };
                let late = Some(LateReception { reason });
                Ok(vec![self.receive(directory, received, late, None).await?])
            }
            ConsultationCommand::ImportQuestionnaire {
                format,
                file_sha256,
                kind,
                responses,
            } => {
                self.import(directory, format, file_sha256, kind, responses)
                    .await
            }
            ConsultationCommand::Amend {
                contribution_id,
                text,
                on,
                reason,
                by,
                answer_published,
            } => {
                self.opened()?;
                let contribution = self.live_contribution(contribution_id)?;
                let reason = self.own_words(contribution, by, reason.as_deref())?;
                if !own_words_allowed(self.closed_on.is_some(), answer_published).amend {
                    return Err(DomainError::AnswersBeingWritten);
                }
                let text = required_text(Field::Text, &text, limits::TEXT)?;
                if text == contribution.text {
                    return Err(DomainError::SameText);
                }
                not_before_submission(on, contribution)?;
                Ok(vec![ConsultationEvent::ContributionAmended {
                    contribution_id,
                    text,
                    on,
                    reason,
                }])
            }
            ConsultationCommand::Withdraw {
                contribution_id,
                on,
                reason,
                by,
                answer_published,
            } => {
                self.opened()?;
                let contribution = self.live_contribution(contribution_id)?;
                let reason = self.own_words(contribution, by, reason.as_deref())?;
                if answer_published {
                    return Err(DomainError::AnswerPublishedNoWithdrawal);
                }
                if !own_words_allowed(self.closed_on.is_some(), answer_published).withdraw {
                    return Err(DomainError::ConsultationClosed);
                }
                not_before_submission(on, contribution)?;
                Ok(vec![ConsultationEvent::ContributionWithdrawn {
                    contribution_id,
                    on,
                    reason,
                }])
            }
            ConsultationCommand::Close { on } => {
                let terms = self.opened()?;
                if self.closed_on.is_some() {
                    return Err(DomainError::AlreadyClosed);
                }
                if on < terms.opens_on {
                    return Err(DomainError::TooEarly {
                        date: on,
                        earliest: terms.opens_on,
                        reason: TooEarlyReason::BeforeOpening,
                    });
                }
                Ok(vec![ConsultationEvent::ConsultationClosed { on }])
            }
            ConsultationCommand::PublishSynthesis { text, on } => {
                self.opened()?;
                let closed_on = self.closed_on.ok_or(DomainError::NotClosed)?;
                if on < closed_on {
                    return Err(DomainError::TooEarly {
                        date: on,
                        earliest: closed_on,
                        reason: TooEarlyReason::BeforeClosing,
                    });
                }
                let text = required_text(Field::Synthesis, &text, limits::TEXT)?;
                Ok(vec![ConsultationEvent::SynthesisPublished { text, on }])
            }
            ConsultationCommand::LeaveContact {
                contribution_id,
                email,
                language,
            } => {
                self.opened()?;
                let contribution = self
                    .contribution(contribution_id)
                    .ok_or(DomainError::NotFound(Record::Contribution))?;
                if !matches!(contribution.author, Author::Anonymous { .. }) {
                    return Err(DomainError::ContactOfMember);
                }
                let email = optional_email(Some(&email))?
                    .ok_or_else(|| DomainError::InvalidEmail(String::new()))?;
                Ok(vec![ConsultationEvent::ContactLeft {
                    contribution_id,
                    email,
                    language,
                }])
            }
            ConsultationCommand::WithdrawInhabitantContact { contribution_id } => {
                self.opened()?;
                self.contribution(contribution_id)
                    .ok_or(DomainError::NotFound(Record::Contribution))?;
                Ok(if self.contacts.contains(&contribution_id) {
                    vec![ConsultationEvent::InhabitantContactWithdrawn { contribution_id }]
                } else {
                    vec![]
                })
            }
            ConsultationCommand::UnsubscribeInhabitant { contribution_id } => {
                self.opened()?;
                self.contribution(contribution_id)
                    .ok_or(DomainError::NotFound(Record::Contribution))?;
                Ok(if self.contacts.contains(&contribution_id) {
                    vec![ConsultationEvent::InhabitantUnsubscribed { contribution_id }]
                } else {
                    vec![]
                })
            }
        }
    }
}

impl Consultation {
    /// The rule of an import: every response not recorded before meets the rules of an
    /// ordinary contribution (dated within the period, [`within_period`]), or nothing is
    /// recorded and the error names the first wrong row and how many there are.
    async fn import(
        &self,
        directory: &DirectoryService,
        format: QuestionnaireFormat,
        file_sha256: String,
        kind: ContributionKind,
        responses: Vec<Response>,
    ) -> Result<Vec<ConsultationEvent>, DomainError> {
        let terms = self.receiving()?;
        let id = self.id.ok_or(DomainError::NotFound(Record::Consultation))?;
        let last_day = self.last_day().unwrap_or(terms.closes_on);
        let mut events = Vec::new();
        let mut taken = std::collections::HashSet::new();
        let mut wrong: Vec<(u32, DomainError)> = Vec::new();
        for response in responses {
            let source = ImportSource {
                format,
                file_sha256: file_sha256.clone(),
                row: response.row,
                response: response.response.clone(),
            };
            let contribution_id = questionnaire::contribution_id(id, &source);
            // Imported before: that row is on the record already, as it was.
            if self.contribution(contribution_id).is_some() {
                continue;
            }
            if !taken.insert(contribution_id) {
                let number = response.response.unwrap_or_default();
                wrong.push((response.row, DomainError::DuplicateResponse(number)));
                continue;
            }
            if let Err(error) = within_period(
                response.submitted_on,
                terms.opens_on,
                terms.closes_on,
                last_day,
            ) {
                wrong.push((response.row, error));
                continue;
            }
            let received = Received {
                contribution_id,
                author: Author::Anonymous {
                    commune: response.commune,
                },
                kind,
                text: response.text,
                submitted_on: response.submitted_on,
                attachment: None,
                file: None,
            };
            match self.receive(directory, received, None, Some(source)).await {
                Ok(event) => events.push(event),
                Err(error @ DomainError::DirectoryUnavailable(_)) => return Err(error),
                Err(error) => wrong.push((response.row, error)),
            }
        }
        if let Some((row, error)) = wrong.first() {
            return Err(DomainError::ImportRefused {
                wrong: wrong.len(),
                row: *row,
                error: Box::new(error.clone()),
            });
        }
        Ok(events)
    }
}

/// What may still be done with a contribution not withdrawn, by its author or by staff on their
/// behalf: the one rule behind the consultation's decisions and the pages' *Modifier* and
/// *Retirer*.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OwnWords {
    /// Amending it: while its consultation is open, then again once its answer is published.
    /// Between the two its answer is being written, beside the words as they are; after it, an
    /// amendment is a new version, and the answer stays tied to the version it answered.
    pub amend: bool,
    /// Withdrawing it: while its consultation is open and no answer to it is published (a
    /// published answer stays on the record with the words it answered).
    pub withdraw: bool,
}

/// [`OwnWords`] for a contribution of a consultation closed or not, answered or not.
pub fn own_words_allowed(consultation_closed: bool, answer_published: bool) -> OwnWords {
    OwnWords {
        amend: !consultation_closed || answer_published,
        withdraw: !consultation_closed && !answer_published,
    }
}

/// The last day a consultation receives contributions: the last day of its terms, or the day it
/// was closed if that came earlier (closing early ends the period).
pub fn last_day(closes_on: NaiveDate, closed_on: Option<NaiveDate>) -> NaiveDate {
    closed_on.map_or(closes_on, |c| c.min(closes_on))
}

/// The rule of a contribution's date, for one typed in and for an imported response alike
/// (and for the import's preview): within the consultation's period, from its opening to its
/// last day ([`Consultation::last_day`]). Later, only a coordinator accepts it, as late.
pub fn within_period(
    submitted_on: NaiveDate,
    opens_on: NaiveDate,
    closes_on: NaiveDate,
    last_day: NaiveDate,
) -> Result<(), DomainError> {
    if submitted_on < opens_on {
        return Err(DomainError::OutsideConsultationPeriod {
            submitted_on,
            opens_on,
            closes_on,
        });
    }
    if submitted_on > last_day {
        return Err(DomainError::ReceivedAfterClosing {
            submitted_on,
            last_day,
        });
    }
    Ok(())
}

/// A contribution as a command brings it, before the rules every contribution meets.
struct Received {
    contribution_id: ContributionId,
    author: Author,
    kind: ContributionKind,
    text: String,
    submitted_on: NaiveDate,
    attachment: Option<String>,
    file: Option<AttachedFile>,
}

fn not_before_submission(on: NaiveDate, contribution: &Contribution) -> Result<(), DomainError> {
    if on < contribution.submitted_on {
        return Err(DomainError::TooEarly {
            date: on,
            earliest: contribution.submitted_on,
            reason: TooEarlyReason::BeforeSubmission,
        });
    }
    Ok(())
}

impl Aggregate for Consultation {
    const TYPE: &'static str = "consultation";
    type Command = ConsultationCommand;
    type Event = ConsultationEvent;
    type Error = DomainError;
    type Services = DirectoryService;

    async fn handle(
        &mut self,
        command: Self::Command,
        services: &Self::Services,
        sink: &EventSink<Self>,
    ) -> Result<(), Self::Error> {
        for event in self.decide(command, services).await? {
            sink.write(event, self).await;
        }
        Ok(())
    }

    fn apply(&mut self, event: Self::Event) {
        match event {
            ConsultationEvent::ConsultationOpened {
                consultation_id,
                community_id,
                terms,
                ..
            } => {
                self.id = Some(consultation_id);
                self.community_id = Some(community_id);
                self.terms = Some(terms);
            }
            ConsultationEvent::ContributionSubmitted {
                contribution_id,
                author,
                kind,
                text,
                submitted_on,
                attachment,
                late,
                ..
            } => {
                self.contributions.push(Contribution {
                    id: contribution_id,
                    author,
                    kind,
                    text,
                    submitted_on,
                    attachment,
                    withdrawn_on: None,
                    late,
                });
            }
            ConsultationEvent::ContributionAmended {
                contribution_id,
                text,
                ..
            } => {
                if let Some(c) = self
                    .contributions
                    .iter_mut()
                    .find(|c| c.id == contribution_id)
                {
                    c.text = text;
                }
            }
            ConsultationEvent::ContributionWithdrawn {
                contribution_id,
                on,
                ..
            } => {
                if let Some(c) = self
                    .contributions
                    .iter_mut()
                    .find(|c| c.id == contribution_id)
                {
                    c.withdrawn_on = Some(on);
                }
            }
            ConsultationEvent::ConsultationClosed { on } => self.closed_on = Some(on),
            ConsultationEvent::SynthesisPublished { text, on } => self.synthesis = Some((text, on)),
            // Contact details are for the notifications; the consultation only knows which
            // addresses are held, so that a second unsubscription records nothing.
            ConsultationEvent::ContactLeft {
                contribution_id, ..
            } => {
                if !self.contacts.contains(&contribution_id) {
                    self.contacts.push(contribution_id);
                }
            }
            ConsultationEvent::InhabitantContactWithdrawn { contribution_id }
            | ConsultationEvent::InhabitantUnsubscribed { contribution_id } => {
                self.contacts.retain(|c| *c != contribution_id)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use cqrs_es::test::TestFramework;
    use uuid::Uuid;

    use super::*;
    use crate::community::CommunityEvent;
    use crate::directory::InMemoryDirectory;
    use crate::member::{MemberEvent, MemberKind};
    use crate::values::Commune;

    const CPTS: CommunityId = CommunityId(Uuid::from_u128(1));
    const OTHER_CPTS: CommunityId = CommunityId(Uuid::from_u128(2));
    const PERIMETRE: ConsultationId = ConsultationId(Uuid::from_u128(300));
    const MARTINE: MemberId = MemberId(Uuid::from_u128(1000));
    const STRANGER: MemberId = MemberId(Uuid::from_u128(1001));
    const P01: ContributionId = ContributionId(Uuid::from_u128(3001));

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
    }

    fn community(id: CommunityId) -> CommunityEvent {
        CommunityEvent::CommunityRegistered {
            community_id: id,
            name: format!("CPTS {id}"),
            territory: vec![Commune {
                insee: "34301".into(),
                name: "Sète".into(),
            }],
        }
    }

    fn member(id: MemberId, community_id: CommunityId) -> MemberEvent {
        MemberEvent::MemberAdmitted {
            member_id: id,
            community_id,
            name: "Martine Roussel".into(),
            kind: MemberKind::AssociationRepresentative,
            admitted_on: date(2026, 1, 20),
        }
    }

    fn given() -> TestFramework<Consultation> {
        let directory = InMemoryDirectory::default()
            .with_community([community(CPTS)])
            .with_community([community(OTHER_CPTS)])
            .with_member([member(MARTINE, CPTS)])
            .with_member([member(STRANGER, OTHER_CPTS)]);
        TestFramework::with(directory.into_service())
    }

    fn terms(rung: Rung) -> ConsultationTerms {
        ConsultationTerms {
            subject: "Périmètre de la CPTS".into(),
            moment: Moment::Diagnosis,
            mission: Mission::AccessToCare,
            rung,
            audience: "membres et habitants".into(),
            method: Method::Questionnaire,
            opens_on: date(2026, 2, 2),
            closes_on: date(2026, 3, 13),
            answer_within_days: 30,
        }
    }

    fn opened(rung: Rung) -> ConsultationEvent {
        ConsultationEvent::ConsultationOpened {
            consultation_id: PERIMETRE,
            community_id: CPTS,
            terms: terms(rung),
            answer_deadline: date(2026, 4, 12),
        }
    }

    fn submit(author: Author, on: NaiveDate) -> ConsultationCommand {
        ConsultationCommand::Submit {
            contribution_id: P01,
            author,
            kind: ContributionKind::Opinion,
            text: "Villeveyrac et Montbazin doivent rester dans le périmètre.".into(),
            submitted_on: on,
            attachment: None,
            file: None,
        }
    }

    fn submitted() -> ConsultationEvent {
        ConsultationEvent::ContributionSubmitted {
            contribution_id: P01,
            author: Author::Member { member_id: MARTINE },
            kind: ContributionKind::Opinion,
            text: "Villeveyrac et Montbazin doivent rester dans le périmètre.".into(),
            submitted_on: date(2026, 2, 5),
            attachment: None,
            late: None,
            imported: None,
            file: None,
        }
    }

    #[test]
    fn opening_computes_the_promised_answer_deadline() {
        given()
            .given_no_previous_events()
            .when(ConsultationCommand::Open {
                consultation_id: PERIMETRE,
                community_id: CPTS,
                terms: terms(Rung::Consult),
            })
            .then_expect_events(vec![opened(Rung::Consult)]);
    }

    fn response(row: u32, on: NaiveDate) -> Response {
        Response {
            row,
            response: Some(format!("{row}")),
            submitted_on: on,
            commune: Some("Sète".into()),
            text: format!("Réponse de la ligne {row}"),
        }
    }

    fn import(responses: Vec<Response>) -> ConsultationCommand {
        ConsultationCommand::ImportQuestionnaire {
            format: QuestionnaireFormat::Limesurvey,
            file_sha256: "ab".repeat(32),
            kind: ContributionKind::Opinion,
            responses,
        }
    }

    fn imported(row: u32, on: NaiveDate) -> ConsultationEvent {
        let source = ImportSource {
            format: QuestionnaireFormat::Limesurvey,
            file_sha256: "ab".repeat(32),
            row,
            response: Some(format!("{row}")),
        };
        ConsultationEvent::ContributionSubmitted {
            contribution_id: questionnaire::contribution_id(PERIMETRE, &source),
            author: Author::Anonymous {
                commune: Some("Sète".into()),
            },
            kind: ContributionKind::Opinion,
            text: format!("Réponse de la ligne {row}"),
            submitted_on: on,
            attachment: None,
            late: None,
            imported: Some(source),
            file: None,
        }
    }

    #[test]
    fn an_import_records_each_response_with_its_source() {
        given()
            .given(vec![opened(Rung::Consult)])
            .when(import(vec![
                response(2, date(2026, 2, 3)),
                response(3, date(2026, 3, 13)),
            ]))
            .then_expect_events(vec![
                imported(2, date(2026, 2, 3)),
                imported(3, date(2026, 3, 13)),
            ]);
    }

    #[test]
    fn importing_again_records_only_the_new_responses() {
        given()
            .given(vec![opened(Rung::Consult), imported(2, date(2026, 2, 3))])
            .when(import(vec![
                response(2, date(2026, 2, 3)),
                response(4, date(2026, 2, 5)),
            ]))
            .then_expect_events(vec![imported(4, date(2026, 2, 5))]);
        given()
            .given(vec![opened(Rung::Consult), imported(2, date(2026, 2, 3))])
            .when(import(vec![response(2, date(2026, 2, 3))]))
            .then_expect_events(vec![]);
    }

    #[test]
    fn one_row_outside_the_period_refuses_the_whole_import() {
        given()
            .given(vec![opened(Rung::Consult)])
            .when(import(vec![
                response(2, date(2026, 2, 3)),
                response(3, date(2026, 3, 20)),
                response(4, date(2026, 1, 5)),
            ]))
            .then_expect_error(DomainError::ImportRefused {
                wrong: 2,
                row: 3,
                error: Box::new(DomainError::ReceivedAfterClosing {
                    submitted_on: date(2026, 3, 20),
                    last_day: date(2026, 3, 13),
                }),
            });
    }

    #[test]
    fn a_consultation_that_closes_before_it_opens_is_refused() {
        let mut backwards = terms(Rung::Consult);
        backwards.closes_on = date(2026, 1, 1);
        given()
            .given_no_previous_events()
            .when(ConsultationCommand::Open {
                consultation_id: PERIMETRE,
                community_id: CPTS,
                terms: backwards,
            })
            .then_expect_error(DomainError::DateRange {
                field: Field::Consultation,
                start: date(2026, 2, 2),
                end: date(2026, 1, 1),
            });
    }

    #[test]
    fn a_consultation_without_subject_is_refused() {
        let mut blank = terms(Rung::Consult);
        blank.subject = "\n ".into();
        given()
            .given_no_previous_events()
            .when(ConsultationCommand::Open {
                consultation_id: PERIMETRE,
                community_id: CPTS,
                terms: blank,
            })
            .then_expect_error(DomainError::Required {
                field: Field::Subject,
            });
    }

    #[test]
    fn a_member_contributes_to_an_open_consultation() {
        given()
            .given(vec![opened(Rung::Consult)])
            .when(submit(
                Author::Member { member_id: MARTINE },
                date(2026, 2, 5),
            ))
            .then_expect_events(vec![submitted()]);
    }

    #[test]
    fn an_anonymous_inhabitant_may_give_a_commune() {
        given()
            .given(vec![opened(Rung::Consult)])
            .when(submit(
                Author::Anonymous {
                    commune: Some(" Marseillan ".into()),
                },
                date(2026, 2, 11),
            ))
            .then_expect_events(vec![ConsultationEvent::ContributionSubmitted {
                contribution_id: P01,
                author: Author::Anonymous {
                    commune: Some("Marseillan".into()),
                },
                kind: ContributionKind::Opinion,
                text: "Villeveyrac et Montbazin doivent rester dans le périmètre.".into(),
                submitted_on: date(2026, 2, 11),
                attachment: None,
                late: None,
                imported: None,
                file: None,
            }]);
    }

    #[test]
    fn nothing_is_contributed_to_an_inform_only_consultation() {
        given()
            .given(vec![opened(Rung::Inform)])
            .when(submit(
                Author::Member { member_id: MARTINE },
                date(2026, 2, 5),
            ))
            .then_expect_error(DomainError::InformOnly);
    }

    fn closed(on: NaiveDate) -> ConsultationEvent {
        ConsultationEvent::ConsultationClosed { on }
    }

    #[test]
    fn a_contribution_dated_within_the_period_is_received_after_the_closing() {
        given()
            .given(vec![opened(Rung::Consult), closed(date(2026, 3, 13))])
            .when(submit(
                Author::Member { member_id: MARTINE },
                date(2026, 2, 5),
            ))
            .then_expect_events(vec![submitted()]);
    }

    #[test]
    fn a_contribution_dated_within_the_period_is_received_after_the_synthesis() {
        // Said in the period and typed in after the answers were published: still owed one.
        given()
            .given(vec![
                opened(Rung::Consult),
                closed(date(2026, 3, 13)),
                ConsultationEvent::SynthesisPublished {
                    text: "Synthèse".into(),
                    on: date(2026, 4, 1),
                },
            ])
            .when(submit(
                Author::Member { member_id: MARTINE },
                date(2026, 2, 5),
            ))
            .then_expect_events(vec![submitted()]);
    }

    #[test]
    fn a_contribution_dated_after_the_closing_date_is_refused() {
        given()
            .given(vec![opened(Rung::Consult)])
            .when(submit(
                Author::Member { member_id: MARTINE },
                date(2026, 3, 14),
            ))
            .then_expect_error(DomainError::ReceivedAfterClosing {
                submitted_on: date(2026, 3, 14),
                last_day: date(2026, 3, 13),
            });
    }

    #[test]
    fn a_contribution_dated_before_the_opening_is_refused() {
        given()
            .given(vec![opened(Rung::Consult)])
            .when(submit(
                Author::Member { member_id: MARTINE },
                date(2026, 2, 1),
            ))
            .then_expect_error(DomainError::OutsideConsultationPeriod {
                submitted_on: date(2026, 2, 1),
                opens_on: date(2026, 2, 2),
                closes_on: date(2026, 3, 13),
            });
    }

    #[test]
    fn closing_early_ends_the_period() {
        given()
            .given(vec![opened(Rung::Consult), closed(date(2026, 3, 1))])
            .when(submit(
                Author::Member { member_id: MARTINE },
                date(2026, 3, 2),
            ))
            .then_expect_error(DomainError::ReceivedAfterClosing {
                submitted_on: date(2026, 3, 2),
                last_day: date(2026, 3, 1),
            });
    }

    fn accept_late(received_on: NaiveDate, reason: &str) -> ConsultationCommand {
        ConsultationCommand::AcceptLateContribution {
            contribution_id: P01,
            author: Author::Anonymous {
                commune: Some("Sète".into()),
            },
            kind: ContributionKind::Testimony,
            text: "Formulaire papier : pas de pharmacie de garde le dimanche.".into(),
            received_on,
            reason: reason.into(),
            attachment: None,
            file: None,
        }
    }

    #[test]
    fn a_contribution_received_after_the_closing_is_accepted_as_late_with_its_reason() {
        given()
            .given(vec![opened(Rung::Consult), closed(date(2026, 3, 13))])
            .when(accept_late(
                date(2026, 3, 16),
                " Formulaire posté le 12 mars, reçu le 16. ",
            ))
            .then_expect_events(vec![ConsultationEvent::ContributionSubmitted {
                contribution_id: P01,
                author: Author::Anonymous {
                    commune: Some("Sète".into()),
                },
                kind: ContributionKind::Testimony,
                text: "Formulaire papier : pas de pharmacie de garde le dimanche.".into(),
                submitted_on: date(2026, 3, 16),
                attachment: None,
                late: Some(LateReception {
                    reason: "Formulaire posté le 12 mars, reçu le 16.".into(),
                }),
                imported: None,
                file: None,
            }]);
    }

    #[test]
    fn a_late_contribution_needs_a_reason_and_a_date_after_the_last_day() {
        given()
            .given(vec![opened(Rung::Consult)])
            .when(accept_late(date(2026, 3, 16), "  "))
            .then_expect_error(DomainError::Required {
                field: Field::Reason,
            });
        given()
            .given(vec![opened(Rung::Consult)])
            .when(accept_late(
                date(2026, 3, 16),
                &"a".repeat(limits::TEXT + 1),
            ))
            .then_expect_error(DomainError::TooLong {
                field: Field::Reason,
                max: limits::TEXT,
                actual: limits::TEXT + 1,
            });
        given()
            .given(vec![opened(Rung::Consult), closed(date(2026, 3, 13))])
            .when(accept_late(date(2026, 3, 13), "Reçue à l'accueil."))
            .then_expect_error(DomainError::NotLate {
                received_on: date(2026, 3, 13),
                last_day: date(2026, 3, 13),
            });
        // After an early closing, the day after it is already late.
        given()
            .given(vec![opened(Rung::Consult), closed(date(2026, 3, 1))])
            .when(accept_late(date(2026, 3, 2), "Reçue à l'accueil."))
            .then_expect_events(vec![ConsultationEvent::ContributionSubmitted {
                contribution_id: P01,
                author: Author::Anonymous {
                    commune: Some("Sète".into()),
                },
                kind: ContributionKind::Testimony,
                text: "Formulaire papier : pas de pharmacie de garde le dimanche.".into(),
                submitted_on: date(2026, 3, 2),
                attachment: None,
                late: Some(LateReception {
                    reason: "Reçue à l'accueil.".into(),
                }),
                imported: None,
                file: None,
            }]);
    }

    #[test]
    fn nothing_is_accepted_late_by_an_inform_only_consultation() {
        given()
            .given(vec![opened(Rung::Inform)])
            .when(accept_late(date(2026, 3, 16), "Reçue à l'accueil."))
            .then_expect_error(DomainError::InformOnly);
    }

    #[test]
    fn an_ordinary_contribution_reads_as_it_always_did_and_a_late_one_says_so() {
        let ordinary = serde_json::to_value(submitted()).expect("json");
        assert!(ordinary["ContributionSubmitted"].get("late").is_none());
        let stored = serde_json::json!({ "ContributionSubmitted": {
            "contribution_id": P01, "author": { "type": "anonymous", "commune": null },
            "kind": "opinion", "text": "t", "submitted_on": "2026-02-05", "attachment": null } });
        let read: ConsultationEvent = serde_json::from_value(stored).expect("an old event reads");
        assert!(matches!(
            read,
            ConsultationEvent::ContributionSubmitted { late: None, .. }
        ));
    }

    #[test]
    fn a_member_of_another_cpts_cannot_contribute_and_reads_as_unknown() {
        given()
            .given(vec![opened(Rung::Consult)])
            .when(submit(
                Author::Member {
                    member_id: STRANGER,
                },
                date(2026, 2, 5),
            ))
            .then_expect_error(DomainError::NotFound(Record::Member));
    }

    #[test]
    fn an_unknown_member_cannot_contribute() {
        given()
            .given(vec![opened(Rung::Consult)])
            .when(submit(
                Author::Member {
                    member_id: MemberId(Uuid::from_u128(5)),
                },
                date(2026, 2, 5),
            ))
            .then_expect_error(DomainError::NotFound(Record::Member));
    }

    #[test]
    fn an_empty_contribution_is_refused() {
        given()
            .given(vec![opened(Rung::Consult)])
            .when(ConsultationCommand::Submit {
                contribution_id: P01,
                author: Author::Anonymous { commune: None },
                kind: ContributionKind::Opinion,
                text: "  ".into(),
                submitted_on: date(2026, 2, 5),
                attachment: None,
                file: None,
            })
            .then_expect_error(DomainError::Required { field: Field::Text });
    }

    #[test]
    fn a_ten_megabyte_contribution_is_refused() {
        given()
            .given(vec![opened(Rung::Consult)])
            .when(ConsultationCommand::Submit {
                contribution_id: P01,
                author: Author::Anonymous { commune: None },
                kind: ContributionKind::Opinion,
                text: "a".repeat(10 * 1024 * 1024),
                submitted_on: date(2026, 2, 5),
                attachment: None,
                file: None,
            })
            .then_expect_error(DomainError::TooLong {
                field: Field::Text,
                max: limits::TEXT,
                actual: 10 * 1024 * 1024,
            });
    }

    #[test]
    fn a_text_with_control_characters_is_refused() {
        given()
            .given(vec![opened(Rung::Consult)])
            .when(ConsultationCommand::Submit {
                contribution_id: P01,
                author: Author::Anonymous { commune: None },
                kind: ContributionKind::Opinion,
                text: "avis\u{0}caché".into(),
                submitted_on: date(2026, 2, 5),
                attachment: None,
                file: None,
            })
            .then_expect_error(DomainError::ControlCharacters { field: Field::Text });
    }

    #[test]
    fn the_same_contribution_id_twice_is_refused() {
        given()
            .given(vec![opened(Rung::Consult), submitted()])
            .when(submit(
                Author::Member { member_id: MARTINE },
                date(2026, 2, 6),
            ))
            .then_expect_error(DomainError::IdTaken(Record::Contribution));
    }

    #[test]
    fn a_contribution_id_used_by_another_consultation_is_refused() {
        // Another CPTS's consultation holds a contribution with this id, shown in its public
        // trail: submitting it here would name two contributions with one id across the log.
        let elsewhere = ConsultationId(Uuid::from_u128(301));
        let directory = InMemoryDirectory::default()
            .with_community([community(CPTS)])
            .with_member([member(MARTINE, CPTS)])
            .with_consultation([
                ConsultationEvent::ConsultationOpened {
                    consultation_id: elsewhere,
                    community_id: OTHER_CPTS,
                    terms: terms(Rung::Consult),
                    answer_deadline: date(2026, 4, 12),
                },
                ConsultationEvent::ContributionSubmitted {
                    contribution_id: P01,
                    author: Author::Anonymous { commune: None },
                    kind: ContributionKind::Opinion,
                    text: "Un avis d'ailleurs.".into(),
                    submitted_on: date(2026, 2, 4),
                    attachment: None,
                    late: None,
                    imported: None,
                    file: None,
                },
            ]);
        TestFramework::<Consultation>::with(directory.into_service())
            .given(vec![opened(Rung::Consult)])
            .when(submit(
                Author::Member { member_id: MARTINE },
                date(2026, 2, 5),
            ))
            .then_expect_error(DomainError::IdTaken(Record::Contribution));
    }

    #[test]
    fn amending_keeps_the_record_and_adds_the_new_text() {
        given()
            .given(vec![opened(Rung::Consult), submitted()])
            .when(ConsultationCommand::Amend {
                contribution_id: P01,
                text: "Texte corrigé.".into(),
                on: date(2026, 2, 7),
                reason: None,
                by: None,
                answer_published: false,
            })
            .then_expect_events(vec![ConsultationEvent::ContributionAmended {
                contribution_id: P01,
                text: "Texte corrigé.".into(),
                on: date(2026, 2, 7),
                reason: None,
            }]);
    }

    #[test]
    fn its_author_changes_their_own_words_with_a_reason_while_it_is_open() {
        let amend = |by, reason: Option<&str>| ConsultationCommand::Amend {
            contribution_id: P01,
            text: "Texte corrigé.".into(),
            on: date(2026, 2, 7),
            reason: reason.map(Into::into),
            by: Some(by),
            answer_published: false,
        };
        given()
            .given(vec![opened(Rung::Consult), submitted()])
            .when(amend(MARTINE, Some("Une faute de frappe.")))
            .then_expect_events(vec![ConsultationEvent::ContributionAmended {
                contribution_id: P01,
                text: "Texte corrigé.".into(),
                on: date(2026, 2, 7),
                reason: Some("Une faute de frappe.".into()),
            }]);
        given()
            .given(vec![opened(Rung::Consult), submitted()])
            .when(amend(MARTINE, Some("  ")))
            .then_expect_error(DomainError::Required {
                field: Field::Reason,
            });
        given()
            .given(vec![opened(Rung::Consult), submitted()])
            .when(amend(STRANGER, Some("Je préfère ainsi.")))
            .then_expect_error(DomainError::NotYourContribution);
        given()
            .given(vec![opened(Rung::Consult), submitted()])
            .when(ConsultationCommand::Withdraw {
                contribution_id: P01,
                on: date(2026, 2, 7),
                reason: Some("Ce n'est pas le mien.".into()),
                by: Some(STRANGER),
                answer_published: false,
            })
            .then_expect_error(DomainError::NotYourContribution);
        given()
            .given(vec![
                opened(Rung::Consult),
                submitted(),
                ConsultationEvent::ConsultationClosed {
                    on: date(2026, 3, 1),
                },
            ])
            .when(ConsultationCommand::Withdraw {
                contribution_id: P01,
                on: date(2026, 3, 2),
                reason: Some("Trop tard ?".into()),
                by: Some(MARTINE),
                answer_published: false,
            })
            .then_expect_error(DomainError::ConsultationClosed);
    }

    #[test]
    fn once_answered_an_amendment_is_a_new_version_and_a_withdrawal_is_refused() {
        let closed = ConsultationEvent::ConsultationClosed {
            on: date(2026, 3, 1),
        };
        let amend = |answer_published| ConsultationCommand::Amend {
            contribution_id: P01,
            text: "Villeveyrac, Montbazin et Poussan.".into(),
            on: date(2026, 4, 2),
            reason: Some("J'ajoute Poussan.".into()),
            by: Some(MARTINE),
            answer_published,
        };
        // Closed and not answered yet: its answer is being written beside the words as they are.
        given()
            .given(vec![opened(Rung::Consult), submitted(), closed.clone()])
            .when(amend(false))
            .then_expect_error(DomainError::AnswersBeingWritten);
        // Answered: the amendment is recorded, as a new version.
        given()
            .given(vec![opened(Rung::Consult), submitted(), closed.clone()])
            .when(amend(true))
            .then_expect_events(vec![ConsultationEvent::ContributionAmended {
                contribution_id: P01,
                text: "Villeveyrac, Montbazin et Poussan.".into(),
                on: date(2026, 4, 2),
                reason: Some("J'ajoute Poussan.".into()),
            }]);
        // Answered, even while open: no withdrawal, for its author or staff.
        for by in [Some(MARTINE), None] {
            given()
                .given(vec![opened(Rung::Consult), submitted()])
                .when(ConsultationCommand::Withdraw {
                    contribution_id: P01,
                    on: date(2026, 2, 20),
                    reason: Some("Plus d'actualité.".into()),
                    by,
                    answer_published: true,
                })
                .then_expect_error(DomainError::AnswerPublishedNoWithdrawal);
        }
        assert_eq!(
            own_words_allowed(false, false),
            OwnWords {
                amend: true,
                withdraw: true
            }
        );
        assert_eq!(
            own_words_allowed(true, false),
            OwnWords {
                amend: false,
                withdraw: false
            }
        );
        assert_eq!(
            own_words_allowed(true, true),
            OwnWords {
                amend: true,
                withdraw: false
            }
        );
    }

    #[test]
    fn a_withdrawn_contribution_cannot_be_amended_or_withdrawn_again() {
        let withdrawn = ConsultationEvent::ContributionWithdrawn {
            contribution_id: P01,
            on: date(2026, 2, 8),
            reason: None,
        };
        given()
            .given(vec![opened(Rung::Consult), submitted(), withdrawn.clone()])
            .when(ConsultationCommand::Amend {
                contribution_id: P01,
                text: "Autre".into(),
                on: date(2026, 2, 9),
                reason: None,
                by: None,
                answer_published: false,
            })
            .then_expect_error(DomainError::Withdrawn(Record::Contribution));
        given()
            .given(vec![opened(Rung::Consult), submitted(), withdrawn])
            .when(ConsultationCommand::Withdraw {
                contribution_id: P01,
                on: date(2026, 2, 9),
                reason: None,
                by: None,
                answer_published: false,
            })
            .then_expect_error(DomainError::Withdrawn(Record::Contribution));
    }

    #[test]
    fn withdrawing_an_unknown_contribution_is_refused() {
        given()
            .given(vec![opened(Rung::Consult)])
            .when(ConsultationCommand::Withdraw {
                contribution_id: P01,
                on: date(2026, 2, 9),
                reason: None,
                by: None,
                answer_published: false,
            })
            .then_expect_error(DomainError::NotFound(Record::Contribution));
    }

    #[test]
    fn closing_twice_is_refused() {
        given()
            .given(vec![
                opened(Rung::Consult),
                ConsultationEvent::ConsultationClosed {
                    on: date(2026, 3, 13),
                },
            ])
            .when(ConsultationCommand::Close {
                on: date(2026, 3, 14),
            })
            .then_expect_error(DomainError::AlreadyClosed);
    }

    #[test]
    fn a_synthesis_waits_for_the_closing() {
        given()
            .given(vec![opened(Rung::Consult)])
            .when(ConsultationCommand::PublishSynthesis {
                text: "Synthèse".into(),
                on: date(2026, 3, 20),
            })
            .then_expect_error(DomainError::NotClosed);
        given()
            .given(vec![
                opened(Rung::Consult),
                ConsultationEvent::ConsultationClosed {
                    on: date(2026, 3, 13),
                },
            ])
            .when(ConsultationCommand::PublishSynthesis {
                text: "Synthèse".into(),
                on: date(2026, 3, 20),
            })
            .then_expect_events(vec![ConsultationEvent::SynthesisPublished {
                text: "Synthèse".into(),
                on: date(2026, 3, 20),
            }]);
    }

    #[test]
    fn a_promised_delay_over_a_year_is_refused() {
        let mut slow = terms(Rung::Consult);
        slow.answer_within_days = 400;
        given()
            .given_no_previous_events()
            .when(ConsultationCommand::Open {
                consultation_id: PERIMETRE,
                community_id: CPTS,
                terms: slow,
            })
            .then_expect_error(DomainError::AnswerDelayTooLong {
                days: 400,
                max: MAX_ANSWER_DAYS,
            });
    }

    #[test]
    fn only_an_anonymous_inhabitant_leaves_an_address_with_a_contribution() {
        let anonymous = ConsultationEvent::ContributionSubmitted {
            contribution_id: P01,
            author: Author::Anonymous {
                commune: Some("Sète".into()),
            },
            kind: ContributionKind::Testimony,
            text: "Pas de médecin traitant depuis deux ans.".into(),
            submitted_on: date(2026, 2, 5),
            attachment: None,
            late: None,
            imported: None,
            file: None,
        };
        let leave = |email: &str| ConsultationCommand::LeaveContact {
            contribution_id: P01,
            email: email.into(),
            language: Lang::En,
        };
        given()
            .given(vec![opened(Rung::Consult), anonymous.clone()])
            .when(leave("resident@example.org"))
            .then_expect_events(vec![ConsultationEvent::ContactLeft {
                contribution_id: P01,
                email: "resident@example.org".into(),
                language: Lang::En,
            }]);
        given()
            .given(vec![opened(Rung::Consult), anonymous])
            .when(leave("resident"))
            .then_expect_error(DomainError::InvalidEmail("resident".into()));
        given()
            .given(vec![opened(Rung::Consult), submitted()])
            .when(leave("martine@example.org"))
            .then_expect_error(DomainError::ContactOfMember);
    }

    #[test]
    fn an_inhabitant_unsubscribes_once() {
        let anonymous = ConsultationEvent::ContributionSubmitted {
            contribution_id: P01,
            author: Author::Anonymous { commune: None },
            kind: ContributionKind::Testimony,
            text: "Pas de médecin traitant depuis deux ans.".into(),
            submitted_on: date(2026, 2, 5),
            attachment: None,
            late: None,
            imported: None,
            file: None,
        };
        let left = ConsultationEvent::ContactLeft {
            contribution_id: P01,
            email: "resident@example.org".into(),
            language: Lang::Fr,
        };
        let unsubscribe = ConsultationCommand::UnsubscribeInhabitant {
            contribution_id: P01,
        };
        let unsubscribed = ConsultationEvent::InhabitantUnsubscribed {
            contribution_id: P01,
        };
        given()
            .given(vec![opened(Rung::Consult), anonymous.clone(), left.clone()])
            .when(unsubscribe.clone())
            .then_expect_events(vec![unsubscribed.clone()]);
        given()
            .given(vec![
                opened(Rung::Consult),
                anonymous.clone(),
                left.clone(),
                unsubscribed,
            ])
            .when(unsubscribe)
            .then_expect_events(vec![]);
        given()
            .given(vec![opened(Rung::Consult), anonymous, left])
            .when(ConsultationCommand::WithdrawInhabitantContact {
                contribution_id: P01,
            })
            .then_expect_events(vec![ConsultationEvent::InhabitantContactWithdrawn {
                contribution_id: P01,
            }]);
    }
}
