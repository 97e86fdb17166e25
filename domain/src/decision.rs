//! A decision of a body of the CPTS: the consultations it drew on, its answer to each
//! contribution, its vote, amendments, withdrawal and follow-up.

use chrono::NaiveDate;
use cqrs_es::event_sink::EventSink;
use cqrs_es::Aggregate;
use serde::{Deserialize, Serialize};

use crate::directory::{existing_community, DirectoryService};
use crate::domain_event;
use crate::error::{DomainError, Field, Record, TooEarlyReason};
use crate::ids::{BodyId, CollegeId, CommunityId, ConsultationId, ContributionId, DecisionId};
use crate::values::{
    limits, optional_text, required_text, Disposition, Mission, Moment, VoteOutcome,
};

/// The votes of one collège.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CollegeVotes {
    /// The collège.
    pub college_id: CollegeId,
    /// Votes for.
    pub votes_for: u32,
    /// Votes against.
    pub votes_against: u32,
    /// Abstentions.
    pub abstentions: u32,
}

/// How a decision was voted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Tally {
    /// Votes counted per collège.
    ByCollege {
        /// One line per collège that voted.
        colleges: Vec<CollegeVotes>,
    },
    /// Decided by consensus, without counting.
    Consensus,
}

/// An answer drafted or published in reply to one contribution.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answer {
    /// The consultation the contribution belongs to.
    pub consultation_id: ConsultationId,
    /// The contribution answered.
    pub contribution_id: ContributionId,
    /// What became of it.
    pub disposition: Disposition,
    /// Why (required unless retained).
    pub rationale: Option<String>,
    /// When this version of the answer was written.
    pub written_on: NaiveDate,
    /// When this version was published, if it was.
    pub published_on: Option<NaiveDate>,
    /// How many times it was revised.
    pub revisions: u32,
}

/// The head of a decision: what is proposed, by which body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Proposal {
    /// The body that decides.
    pub body_id: BodyId,
    /// The title.
    pub title: String,
    /// The text.
    pub text: String,
    /// The moment of participation it belongs to.
    pub moment: Moment,
    /// The mission it serves.
    pub mission: Mission,
    /// When it was proposed.
    pub proposed_on: NaiveDate,
}

/// A command to a decision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum DecisionCommand {
    /// Proposes a decision to a body.
    Propose {
        /// The id the caller chose.
        decision_id: DecisionId,
        /// The CPTS.
        community_id: CommunityId,
        /// What is proposed.
        proposal: Proposal,
    },
    /// Links a consultation the decision draws on.
    LinkConsultation {
        /// The consultation, of the same CPTS.
        consultation_id: ConsultationId,
    },
    /// Drafts the answer to a contribution of a linked consultation.
    DraftAnswer {
        /// The consultation.
        consultation_id: ConsultationId,
        /// The contribution.
        contribution_id: ContributionId,
        /// What became of it.
        disposition: Disposition,
        /// Why (required unless retained).
        rationale: Option<String>,
        /// When.
        on: NaiveDate,
    },
    /// Revises an answer; a revised answer must be published again.
    ReviseAnswer {
        /// The contribution.
        contribution_id: ContributionId,
        /// The new disposition.
        disposition: Disposition,
        /// The new rationale.
        rationale: Option<String>,
        /// Why it is revised.
        reason: String,
        /// When.
        on: NaiveDate,
    },
    /// Publishes one drafted answer.
    PublishAnswer {
        /// The contribution.
        contribution_id: ContributionId,
        /// When.
        on: NaiveDate,
    },
    /// Publishes every drafted answer not yet published.
    PublishAllAnswers {
        /// When.
        on: NaiveDate,
    },
    /// Records the vote of the body.
    RecordVote {
        /// When.
        on: NaiveDate,
        /// The votes.
        tally: Tally,
        /// The outcome.
        outcome: VoteOutcome,
    },
    /// Amends the text of the decision.
    Amend {
        /// The new text.
        text: String,
        /// Why.
        reason: String,
        /// When.
        on: NaiveDate,
    },
    /// Withdraws the decision.
    Withdraw {
        /// Why.
        reason: String,
        /// When.
        on: NaiveDate,
    },
    /// Records an implementation milestone of an adopted decision.
    RecordMilestone {
        /// What was done.
        milestone: String,
        /// When.
        on: NaiveDate,
    },
    /// Reports an indicator value of an adopted decision.
    ReportIndicator {
        /// The indicator.
        indicator: String,
        /// The period measured, e.g. "2026-09".
        period: String,
        /// The value.
        value: f64,
        /// The target, if any.
        target: Option<f64>,
        /// When it was reported.
        on: NaiveDate,
    },
}

/// A fact recorded about a decision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum DecisionEvent {
    /// The decision was proposed.
    DecisionProposed {
        /// Its id.
        decision_id: DecisionId,
        /// Its CPTS.
        community_id: CommunityId,
        /// What is proposed.
        proposal: Proposal,
    },
    /// A consultation was linked.
    ConsultationLinked {
        /// The consultation.
        consultation_id: ConsultationId,
    },
    /// An answer was drafted.
    AnswerDrafted {
        /// The consultation.
        consultation_id: ConsultationId,
        /// The contribution.
        contribution_id: ContributionId,
        /// What became of it.
        disposition: Disposition,
        /// Why.
        rationale: Option<String>,
        /// When.
        on: NaiveDate,
    },
    /// An answer was revised.
    AnswerRevised {
        /// The contribution.
        contribution_id: ContributionId,
        /// The new disposition.
        disposition: Disposition,
        /// The new rationale.
        rationale: Option<String>,
        /// Why it was revised.
        reason: String,
        /// When.
        on: NaiveDate,
    },
    /// An answer was published.
    AnswerPublished {
        /// The contribution.
        contribution_id: ContributionId,
        /// When.
        on: NaiveDate,
    },
    /// The vote was recorded.
    VoteRecorded {
        /// When.
        on: NaiveDate,
        /// The votes.
        tally: Tally,
        /// The outcome.
        outcome: VoteOutcome,
    },
    /// The text was amended.
    DecisionAmended {
        /// The new text.
        text: String,
        /// Why.
        reason: String,
        /// When.
        on: NaiveDate,
    },
    /// The decision was withdrawn.
    DecisionWithdrawn {
        /// Why.
        reason: String,
        /// When.
        on: NaiveDate,
    },
    /// An implementation milestone was recorded.
    MilestoneRecorded {
        /// What was done.
        milestone: String,
        /// When.
        on: NaiveDate,
    },
    /// An indicator value was reported.
    IndicatorReported {
        /// The indicator.
        indicator: String,
        /// The period.
        period: String,
        /// The value.
        value: f64,
        /// The target.
        target: Option<f64>,
        /// When.
        on: NaiveDate,
    },
}

domain_event!(DecisionEvent {
    DecisionProposed,
    ConsultationLinked,
    AnswerDrafted,
    AnswerRevised,
    AnswerPublished,
    VoteRecorded,
    DecisionAmended,
    DecisionWithdrawn,
    MilestoneRecorded,
    IndicatorReported,
});

/// The current state of a decision.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Decision {
    id: Option<DecisionId>,
    community_id: Option<CommunityId>,
    proposal: Option<Proposal>,
    consultations: Vec<ConsultationId>,
    answers: Vec<Answer>,
    vote: Option<(NaiveDate, VoteOutcome)>,
    withdrawn_on: Option<NaiveDate>,
    indicators: Vec<(String, String)>,
}

impl Decision {
    /// Its id, once proposed.
    pub fn id(&self) -> Option<DecisionId> {
        self.id
    }

    /// Its CPTS.
    pub fn community_id(&self) -> Option<CommunityId> {
        self.community_id
    }

    /// What it decides, with its current text.
    pub fn proposal(&self) -> Option<&Proposal> {
        self.proposal.as_ref()
    }

    /// The consultations it draws on.
    pub fn consultations(&self) -> &[ConsultationId] {
        &self.consultations
    }

    /// Its answers to contributions.
    pub fn answers(&self) -> &[Answer] {
        &self.answers
    }

    /// The date and outcome of its last vote.
    pub fn vote(&self) -> Option<(NaiveDate, VoteOutcome)> {
        self.vote
    }

    fn answer(&self, contribution_id: ContributionId) -> Result<&Answer, DomainError> {
        self.answers
            .iter()
            .find(|a| a.contribution_id == contribution_id)
            .ok_or(DomainError::NotAnswered)
    }

    /// The proposal, if the decision exists and was not withdrawn.
    fn open(&self) -> Result<&Proposal, DomainError> {
        let proposal = self
            .proposal
            .as_ref()
            .ok_or(DomainError::NotFound(Record::Decision))?;
        if self.withdrawn_on.is_some() {
            return Err(DomainError::Withdrawn(Record::Decision));
        }
        Ok(proposal)
    }

    fn adopted_on(&self) -> Result<NaiveDate, DomainError> {
        self.open()?;
        match self.vote {
            Some((on, VoteOutcome::Adopted)) => Ok(on),
            _ => Err(DomainError::NotAdopted),
        }
    }

    async fn decide(
        &self,
        command: DecisionCommand,
        directory: &DirectoryService,
    ) -> Result<Vec<DecisionEvent>, DomainError> {
        match command {
            DecisionCommand::Propose {
                decision_id,
                community_id,
                proposal,
            } => {
                if self.id.is_some() {
                    return Err(DomainError::AlreadyExists(Record::Decision));
                }
                let proposal = Proposal {
                    title: required_text(Field::Title, &proposal.title, limits::TITLE)?,
                    text: required_text(Field::Text, &proposal.text, limits::TEXT)?,
                    ..proposal
                };
                let community = existing_community(directory.as_ref(), community_id).await?;
                if community.body(proposal.body_id).is_none() {
                    return Err(DomainError::NotFound(Record::Body));
                }
                Ok(vec![DecisionEvent::DecisionProposed {
                    decision_id,
                    community_id,
                    proposal,
                }])
            }
            DecisionCommand::LinkConsultation { consultation_id } => {
                self.open()?;
                if self.consultations.contains(&consultation_id) {
                    return Err(DomainError::AlreadyLinked);
                }
                let consultation = directory
                    .consultation(consultation_id)
                    .await?
                    .ok_or(DomainError::NotFound(Record::Consultation))?;
                if consultation.community_id() != self.community_id {
                    return Err(DomainError::OtherCommunity(Record::Consultation));
                }
                Ok(vec![DecisionEvent::ConsultationLinked { consultation_id }])
            }
            DecisionCommand::DraftAnswer {
                consultation_id,
                contribution_id,
                disposition,
                rationale,
                on,
            } => {
                self.open()?;
                if !self.consultations.contains(&consultation_id) {
                    return Err(DomainError::ConsultationNotLinked);
                }
                if self.answer(contribution_id).is_ok() {
                    return Err(DomainError::AlreadyAnswered);
                }
                let rationale = checked_rationale(disposition, rationale)?;
                let consultation = directory
                    .consultation(consultation_id)
                    .await?
                    .ok_or(DomainError::NotFound(Record::Consultation))?;
                let contribution = consultation
                    .contribution(contribution_id)
                    .ok_or(DomainError::NotFound(Record::Contribution))?;
                if contribution.withdrawn_on.is_some() {
                    return Err(DomainError::Withdrawn(Record::Contribution));
                }
                if on < contribution.submitted_on {
                    return Err(DomainError::TooEarly {
                        date: on,
                        earliest: contribution.submitted_on,
                        reason: TooEarlyReason::BeforeSubmission,
                    });
                }
                Ok(vec![DecisionEvent::AnswerDrafted {
                    consultation_id,
                    contribution_id,
                    disposition,
                    rationale,
                    on,
                }])
            }
            DecisionCommand::ReviseAnswer {
                contribution_id,
                disposition,
                rationale,
                reason,
                on,
            } => {
                self.open()?;
                let answer = self.answer(contribution_id)?;
                let rationale = checked_rationale(disposition, rationale)?;
                let reason = required_text(Field::Reason, &reason, limits::TEXT)?;
                if answer.disposition == disposition && answer.rationale == rationale {
                    return Err(DomainError::RevisionChangesNothing);
                }
                not_before(on, answer.written_on, TooEarlyReason::BeforeAnswer)?;
                Ok(vec![DecisionEvent::AnswerRevised {
                    contribution_id,
                    disposition,
                    rationale,
                    reason,
                    on,
                }])
            }
            DecisionCommand::PublishAnswer {
                contribution_id,
                on,
            } => {
                self.open()?;
                let answer = self.answer(contribution_id)?;
                if answer.published_on.is_some() {
                    return Err(DomainError::AlreadyPublished);
                }
                not_before(on, answer.written_on, TooEarlyReason::BeforeAnswer)?;
                Ok(vec![DecisionEvent::AnswerPublished {
                    contribution_id,
                    on,
                }])
            }
            DecisionCommand::PublishAllAnswers { on } => {
                self.open()?;
                let drafts: Vec<&Answer> = self
                    .answers
                    .iter()
                    .filter(|a| a.published_on.is_none())
                    .collect();
                if drafts.is_empty() {
                    return Err(DomainError::NothingToPublish);
                }
                drafts
                    .into_iter()
                    .map(|answer| {
                        not_before(on, answer.written_on, TooEarlyReason::BeforeAnswer)?;
                        Ok(DecisionEvent::AnswerPublished {
                            contribution_id: answer.contribution_id,
                            on,
                        })
                    })
                    .collect()
            }
            DecisionCommand::RecordVote { on, tally, outcome } => {
                let proposal = self.open()?;
                if let Some((_, previous @ (VoteOutcome::Adopted | VoteOutcome::Rejected))) =
                    self.vote
                {
                    return Err(DomainError::AlreadyVoted(previous));
                }
                not_before(on, proposal.proposed_on, TooEarlyReason::BeforeProposal)?;
                if let Tally::ByCollege { colleges } = &tally {
                    let votes: u64 = colleges
                        .iter()
                        .map(|c| {
                            u64::from(c.votes_for)
                                + u64::from(c.votes_against)
                                + u64::from(c.abstentions)
                        })
                        .sum();
                    if votes == 0 {
                        return Err(DomainError::EmptyTally);
                    }
                    let community_id = self
                        .community_id
                        .ok_or(DomainError::NotFound(Record::Decision))?;
                    let community = existing_community(directory.as_ref(), community_id).await?;
                    for (i, line) in colleges.iter().enumerate() {
                        if community.college(line.college_id).is_none() {
                            return Err(DomainError::NotFound(Record::College));
                        }
                        if colleges[..i]
                            .iter()
                            .any(|other| other.college_id == line.college_id)
                        {
                            return Err(DomainError::DuplicateCollegeInTally);
                        }
                    }
                }
                Ok(vec![DecisionEvent::VoteRecorded { on, tally, outcome }])
            }
            DecisionCommand::Amend { text, reason, on } => {
                let proposal = self.open()?;
                let text = required_text(Field::Text, &text, limits::TEXT)?;
                let reason = required_text(Field::Reason, &reason, limits::TEXT)?;
                if text == proposal.text {
                    return Err(DomainError::SameText);
                }
                not_before(on, proposal.proposed_on, TooEarlyReason::BeforeProposal)?;
                Ok(vec![DecisionEvent::DecisionAmended { text, reason, on }])
            }
            DecisionCommand::Withdraw { reason, on } => {
                let proposal = self.open()?;
                let reason = required_text(Field::Reason, &reason, limits::TEXT)?;
                not_before(on, proposal.proposed_on, TooEarlyReason::BeforeProposal)?;
                Ok(vec![DecisionEvent::DecisionWithdrawn { reason, on }])
            }
            DecisionCommand::RecordMilestone { milestone, on } => {
                let voted_on = self.adopted_on()?;
                let milestone = required_text(Field::Milestone, &milestone, limits::TEXT)?;
                not_before(on, voted_on, TooEarlyReason::BeforeVote)?;
                Ok(vec![DecisionEvent::MilestoneRecorded { milestone, on }])
            }
            DecisionCommand::ReportIndicator {
                indicator,
                period,
                value,
                target,
                on,
            } => {
                let voted_on = self.adopted_on()?;
                let indicator = required_text(Field::Indicator, &indicator, limits::TITLE)?;
                let period = required_text(Field::Period, &period, limits::SHORT)?;
                for number in std::iter::once(value).chain(target) {
                    if !number.is_finite() || number < 0.0 {
                        return Err(DomainError::InvalidIndicatorValue);
                    }
                }
                if self
                    .indicators
                    .iter()
                    .any(|(i, p)| *i == indicator && *p == period)
                {
                    return Err(DomainError::IndicatorAlreadyReported { indicator, period });
                }
                not_before(on, voted_on, TooEarlyReason::BeforeVote)?;
                Ok(vec![DecisionEvent::IndicatorReported {
                    indicator,
                    period,
                    value,
                    target,
                    on,
                }])
            }
        }
    }
}

fn checked_rationale(
    disposition: Disposition,
    rationale: Option<String>,
) -> Result<Option<String>, DomainError> {
    let rationale = optional_text(Field::Rationale, rationale.as_deref(), limits::TEXT)?;
    if rationale.is_none() && disposition.requires_rationale() {
        return Err(DomainError::RationaleRequired(disposition));
    }
    Ok(rationale)
}

fn not_before(
    date: NaiveDate,
    earliest: NaiveDate,
    reason: TooEarlyReason,
) -> Result<(), DomainError> {
    if date < earliest {
        return Err(DomainError::TooEarly {
            date,
            earliest,
            reason,
        });
    }
    Ok(())
}

impl Aggregate for Decision {
    const TYPE: &'static str = "decision";
    type Command = DecisionCommand;
    type Event = DecisionEvent;
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
            DecisionEvent::DecisionProposed {
                decision_id,
                community_id,
                proposal,
            } => {
                self.id = Some(decision_id);
                self.community_id = Some(community_id);
                self.proposal = Some(proposal);
            }
            DecisionEvent::ConsultationLinked { consultation_id } => {
                self.consultations.push(consultation_id)
            }
            DecisionEvent::AnswerDrafted {
                consultation_id,
                contribution_id,
                disposition,
                rationale,
                on,
            } => {
                self.answers.push(Answer {
                    consultation_id,
                    contribution_id,
                    disposition,
                    rationale,
                    written_on: on,
                    published_on: None,
                    revisions: 0,
                });
            }
            DecisionEvent::AnswerRevised {
                contribution_id,
                disposition,
                rationale,
                on,
                ..
            } => {
                if let Some(answer) = self
                    .answers
                    .iter_mut()
                    .find(|a| a.contribution_id == contribution_id)
                {
                    answer.disposition = disposition;
                    answer.rationale = rationale;
                    answer.written_on = on;
                    answer.published_on = None;
                    answer.revisions += 1;
                }
            }
            DecisionEvent::AnswerPublished {
                contribution_id,
                on,
            } => {
                if let Some(answer) = self
                    .answers
                    .iter_mut()
                    .find(|a| a.contribution_id == contribution_id)
                {
                    answer.published_on = Some(on);
                }
            }
            DecisionEvent::VoteRecorded { on, outcome, .. } => self.vote = Some((on, outcome)),
            DecisionEvent::DecisionAmended { text, .. } => {
                if let Some(proposal) = self.proposal.as_mut() {
                    proposal.text = text;
                }
            }
            DecisionEvent::DecisionWithdrawn { on, .. } => self.withdrawn_on = Some(on),
            DecisionEvent::MilestoneRecorded { .. } => {}
            DecisionEvent::IndicatorReported {
                indicator, period, ..
            } => self.indicators.push((indicator, period)),
        }
    }
}
