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
                    // Another CPTS's record is answered as one that does not exist.
                    return Err(DomainError::NotFound(Record::Consultation));
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
                let proposal = self.open()?;
                if !self.consultations.contains(&consultation_id) {
                    return Err(DomainError::ConsultationNotLinked);
                }
                not_before(on, proposal.proposed_on, TooEarlyReason::BeforeProposal)?;
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
                // A revision follows the answer as it stands, published or not.
                match answer.published_on {
                    Some(published_on) => {
                        not_before(on, published_on, TooEarlyReason::BeforePublication)?
                    }
                    None => not_before(on, answer.written_on, TooEarlyReason::BeforeAnswer)?,
                }
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
                if let Some((deferred_on, _)) = self.vote {
                    not_before(on, deferred_on, TooEarlyReason::BeforeVote)?;
                }
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
                    // Whatever majority the internal rules ask, a proposal is not adopted with
                    // no more votes for than against.
                    let votes_for: u32 = colleges.iter().map(|c| c.votes_for).sum();
                    let votes_against: u32 = colleges.iter().map(|c| c.votes_against).sum();
                    if outcome == VoteOutcome::Adopted && votes_for <= votes_against {
                        return Err(DomainError::AdoptedWithoutMajority {
                            votes_for,
                            votes_against,
                        });
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

#[cfg(test)]
mod tests {
    use cqrs_es::test::TestFramework;
    use uuid::Uuid;

    use super::*;
    use crate::community::CommunityEvent;
    use crate::consultation::{Author, ConsultationEvent, ConsultationTerms};
    use crate::directory::InMemoryDirectory;
    use crate::values::{BodyKind, Commune, ContributionKind, Method, Rung};

    const CPTS: CommunityId = CommunityId(Uuid::from_u128(1));
    const OTHER_CPTS: CommunityId = CommunityId(Uuid::from_u128(2));
    const UNKNOWN_CPTS: CommunityId = CommunityId(Uuid::from_u128(3));
    const LIBERAUX: CollegeId = CollegeId(Uuid::from_u128(10));
    const STRUCTURES: CollegeId = CollegeId(Uuid::from_u128(11));
    const USAGERS: CollegeId = CollegeId(Uuid::from_u128(12));
    const FOREIGN_COLLEGE: CollegeId = CollegeId(Uuid::from_u128(13));
    const CA: BodyId = BodyId(Uuid::from_u128(20));
    const FOREIGN_BOARD: BodyId = BodyId(Uuid::from_u128(21));
    const PERIMETRE: ConsultationId = ConsultationId(Uuid::from_u128(300));
    const ATELIER: ConsultationId = ConsultationId(Uuid::from_u128(301));
    const FOREIGN_CONSULTATION: ConsultationId = ConsultationId(Uuid::from_u128(302));
    const UNKNOWN_CONSULTATION: ConsultationId = ConsultationId(Uuid::from_u128(303));
    const P01: ContributionId = ContributionId(Uuid::from_u128(3001));
    const P04: ContributionId = ContributionId(Uuid::from_u128(3004));
    const P10: ContributionId = ContributionId(Uuid::from_u128(3010));
    const WITHDRAWN: ContributionId = ContributionId(Uuid::from_u128(3099));
    const A01: ContributionId = ContributionId(Uuid::from_u128(4001));
    const D_PERIMETRE: DecisionId = DecisionId(Uuid::from_u128(500));

    const INDICATOR: &str = "Dépistages du pied diabétique réalisés par mois";
    const RATIONALE: &str = "Frontignan reste dans le périmètre ; les soins non programmés font l'objet d'une convention avec la CPTS voisine.";

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
    }

    fn community(id: CommunityId, college: CollegeId, board: BodyId) -> Vec<CommunityEvent> {
        let mut events = vec![
            CommunityEvent::CommunityRegistered {
                community_id: id,
                name: format!("CPTS {id}"),
                territory: vec![Commune {
                    insee: "34301".into(),
                    name: "Sète".into(),
                }],
            },
            CommunityEvent::CollegeDefined {
                college_id: college,
                name: "Collège des professionnels de santé libéraux".into(),
                is_users_college: false,
            },
            CommunityEvent::BodyEstablished {
                body_id: board,
                kind: BodyKind::Board,
                name: "Conseil d'administration".into(),
            },
        ];
        if id == CPTS {
            events.extend([
                CommunityEvent::CollegeDefined {
                    college_id: STRUCTURES,
                    name: "Collège des établissements et structures".into(),
                    is_users_college: false,
                },
                CommunityEvent::CollegeDefined {
                    college_id: USAGERS,
                    name: "Collège des usagers".into(),
                    is_users_college: true,
                },
            ]);
        }
        events
    }

    fn consultation(
        id: ConsultationId,
        community_id: CommunityId,
        contributions: &[(ContributionId, NaiveDate)],
    ) -> Vec<ConsultationEvent> {
        let terms = ConsultationTerms {
            subject: "Périmètre de la CPTS : où les habitants se soignent-ils au quotidien ?"
                .into(),
            moment: Moment::Diagnosis,
            mission: Mission::AccessToCare,
            rung: Rung::Consult,
            audience: "membres et habitants".into(),
            method: Method::Questionnaire,
            opens_on: date(2026, 2, 2),
            closes_on: date(2026, 3, 13),
            answer_within_days: 30,
        };
        let mut events = vec![ConsultationEvent::ConsultationOpened {
            consultation_id: id,
            community_id,
            answer_deadline: terms.answer_deadline(),
            terms,
        }];
        events.extend(
            contributions
                .iter()
                .map(
                    |&(contribution_id, submitted_on)| ConsultationEvent::ContributionSubmitted {
                        contribution_id,
                        author: Author::Anonymous {
                            commune: Some("Sète".into()),
                        },
                        kind: ContributionKind::Opinion,
                        text: format!("Contribution {contribution_id}"),
                        submitted_on,
                        attachment: None,
                        late: None,
                        imported: None,
                        file: None,
                    },
                ),
        );
        events
    }

    /// The CPTS with its three collèges and its board, another CPTS with its own, a
    /// perimeter consultation (p01, p04, p10 and a withdrawn contribution), a workshop of the
    /// same CPTS and a consultation of the other CPTS.
    fn given() -> TestFramework<Decision> {
        let mut perimetre = consultation(
            PERIMETRE,
            CPTS,
            &[
                (P01, date(2026, 2, 5)),
                (P04, date(2026, 2, 11)),
                (P10, date(2026, 2, 27)),
                (WITHDRAWN, date(2026, 2, 20)),
            ],
        );
        perimetre.push(ConsultationEvent::ContributionWithdrawn {
            contribution_id: WITHDRAWN,
            on: date(2026, 2, 21),
            reason: None,
        });
        let directory = InMemoryDirectory::default()
            .with_community(community(CPTS, LIBERAUX, CA))
            .with_community(community(OTHER_CPTS, FOREIGN_COLLEGE, FOREIGN_BOARD))
            .with_consultation(perimetre)
            .with_consultation(consultation(ATELIER, CPTS, &[(A01, date(2026, 2, 10))]))
            .with_consultation(consultation(FOREIGN_CONSULTATION, OTHER_CPTS, &[]));
        TestFramework::with(directory.into_service())
    }

    fn proposal() -> Proposal {
        Proposal {
            body_id: CA,
            title: "Périmètre de la CPTS du Val de l'Étang".into(),
            text: "La CPTS couvre les 12 communes listées.".into(),
            moment: Moment::Diagnosis,
            mission: Mission::AccessToCare,
            proposed_on: date(2026, 3, 20),
        }
    }

    fn propose(proposal: Proposal) -> DecisionCommand {
        DecisionCommand::Propose {
            decision_id: D_PERIMETRE,
            community_id: CPTS,
            proposal,
        }
    }

    fn proposed() -> DecisionEvent {
        DecisionEvent::DecisionProposed {
            decision_id: D_PERIMETRE,
            community_id: CPTS,
            proposal: proposal(),
        }
    }

    fn linked() -> DecisionEvent {
        DecisionEvent::ConsultationLinked {
            consultation_id: PERIMETRE,
        }
    }

    fn withdrawn() -> DecisionEvent {
        DecisionEvent::DecisionWithdrawn {
            reason: "Remplacée par une nouvelle proposition.".into(),
            on: date(2026, 3, 25),
        }
    }

    fn draft(
        contribution_id: ContributionId,
        disposition: Disposition,
        rationale: Option<&str>,
    ) -> DecisionCommand {
        DecisionCommand::DraftAnswer {
            consultation_id: PERIMETRE,
            contribution_id,
            disposition,
            rationale: rationale.map(Into::into),
            on: date(2026, 4, 7),
        }
    }

    fn drafted(
        contribution_id: ContributionId,
        disposition: Disposition,
        rationale: Option<&str>,
    ) -> DecisionEvent {
        DecisionEvent::AnswerDrafted {
            consultation_id: PERIMETRE,
            contribution_id,
            disposition,
            rationale: rationale.map(Into::into),
            on: date(2026, 4, 7),
        }
    }

    fn published(contribution_id: ContributionId, on: NaiveDate) -> DecisionEvent {
        DecisionEvent::AnswerPublished {
            contribution_id,
            on,
        }
    }

    fn votes(college_id: CollegeId, votes_for: u32) -> CollegeVotes {
        CollegeVotes {
            college_id,
            votes_for,
            votes_against: 0,
            abstentions: 0,
        }
    }

    /// The tally of the perimeter decision in the scenario.
    fn scenario_tally() -> Tally {
        Tally::ByCollege {
            colleges: vec![votes(LIBERAUX, 3), votes(STRUCTURES, 1), votes(USAGERS, 1)],
        }
    }

    fn vote(on: NaiveDate, tally: Tally, outcome: VoteOutcome) -> DecisionCommand {
        DecisionCommand::RecordVote { on, tally, outcome }
    }

    fn voted(outcome: VoteOutcome) -> DecisionEvent {
        DecisionEvent::VoteRecorded {
            on: date(2026, 4, 2),
            tally: Tally::Consensus,
            outcome,
        }
    }

    fn report(period: &str, value: f64, target: Option<f64>, on: NaiveDate) -> DecisionCommand {
        DecisionCommand::ReportIndicator {
            indicator: INDICATOR.into(),
            period: period.into(),
            value,
            target,
            on,
        }
    }

    fn reported(period: &str, value: f64, on: NaiveDate) -> DecisionEvent {
        DecisionEvent::IndicatorReported {
            indicator: INDICATOR.into(),
            period: period.into(),
            value,
            target: Some(50.0),
            on,
        }
    }

    // Propose.

    #[test]
    fn proposing_to_a_body_of_the_cpts_records_the_proposal_trimmed() {
        given()
            .given_no_previous_events()
            .when(propose(Proposal {
                title: "  Périmètre de la CPTS du Val de l'Étang\n".into(),
                text: " La CPTS couvre les 12 communes listées. ".into(),
                ..proposal()
            }))
            .then_expect_events(vec![proposed()]);
    }

    #[test]
    fn proposing_to_a_body_of_another_cpts_is_refused() {
        given()
            .given_no_previous_events()
            .when(propose(Proposal {
                body_id: FOREIGN_BOARD,
                ..proposal()
            }))
            .then_expect_error(DomainError::NotFound(Record::Body));
    }

    #[test]
    fn proposing_to_an_unknown_body_is_refused() {
        given()
            .given_no_previous_events()
            .when(propose(Proposal {
                body_id: BodyId(Uuid::from_u128(29)),
                ..proposal()
            }))
            .then_expect_error(DomainError::NotFound(Record::Body));
    }

    #[test]
    fn a_proposal_without_a_title_is_refused() {
        given()
            .given_no_previous_events()
            .when(propose(Proposal {
                title: " \t".into(),
                ..proposal()
            }))
            .then_expect_error(DomainError::Required {
                field: Field::Title,
            });
    }

    #[test]
    fn a_proposal_without_a_text_is_refused() {
        given()
            .given_no_previous_events()
            .when(propose(Proposal {
                text: String::new(),
                ..proposal()
            }))
            .then_expect_error(DomainError::Required { field: Field::Text });
    }

    #[test]
    fn proposing_in_an_unknown_cpts_is_refused() {
        given()
            .given_no_previous_events()
            .when(DecisionCommand::Propose {
                decision_id: D_PERIMETRE,
                community_id: UNKNOWN_CPTS,
                proposal: proposal(),
            })
            .then_expect_error(DomainError::NotFound(Record::Community));
    }

    #[test]
    fn proposing_the_same_decision_twice_is_refused() {
        given()
            .given(vec![proposed()])
            .when(propose(proposal()))
            .then_expect_error(DomainError::AlreadyExists(Record::Decision));
    }

    #[test]
    fn a_decision_never_proposed_takes_no_other_command() {
        given()
            .given_no_previous_events()
            .when(DecisionCommand::LinkConsultation {
                consultation_id: PERIMETRE,
            })
            .then_expect_error(DomainError::NotFound(Record::Decision));
    }

    // Link a consultation.

    #[test]
    fn linking_a_consultation_of_the_cpts_is_recorded() {
        given()
            .given(vec![proposed()])
            .when(DecisionCommand::LinkConsultation {
                consultation_id: PERIMETRE,
            })
            .then_expect_events(vec![linked()]);
    }

    #[test]
    fn linking_a_consultation_of_another_cpts_is_refused_as_unknown() {
        given()
            .given(vec![proposed()])
            .when(DecisionCommand::LinkConsultation {
                consultation_id: FOREIGN_CONSULTATION,
            })
            .then_expect_error(DomainError::NotFound(Record::Consultation));
    }

    #[test]
    fn linking_an_unknown_consultation_is_refused() {
        given()
            .given(vec![proposed()])
            .when(DecisionCommand::LinkConsultation {
                consultation_id: UNKNOWN_CONSULTATION,
            })
            .then_expect_error(DomainError::NotFound(Record::Consultation));
    }

    #[test]
    fn linking_the_same_consultation_twice_is_refused() {
        given()
            .given(vec![proposed(), linked()])
            .when(DecisionCommand::LinkConsultation {
                consultation_id: PERIMETRE,
            })
            .then_expect_error(DomainError::AlreadyLinked);
    }

    #[test]
    fn nothing_is_linked_to_a_withdrawn_decision() {
        given()
            .given(vec![proposed(), withdrawn()])
            .when(DecisionCommand::LinkConsultation {
                consultation_id: PERIMETRE,
            })
            .then_expect_error(DomainError::Withdrawn(Record::Decision));
    }

    // Draft an answer.

    #[test]
    fn a_retained_answer_needs_no_rationale() {
        given()
            .given(vec![proposed(), linked()])
            .when(draft(P01, Disposition::Retained, None))
            .then_expect_events(vec![drafted(P01, Disposition::Retained, None)]);
    }

    #[test]
    fn answer_without_rationale_is_refused_unless_retained() {
        for &disposition in Disposition::ALL {
            if disposition == Disposition::Retained {
                continue;
            }
            for blank in [None, Some("  \n")] {
                given()
                    .given(vec![proposed(), linked()])
                    .when(draft(P01, disposition, blank))
                    .then_expect_error(DomainError::RationaleRequired(disposition));
            }
        }
    }

    #[test]
    fn an_answer_with_its_rationale_is_recorded_trimmed() {
        given()
            .given(vec![proposed(), linked()])
            .when(draft(
                P01,
                Disposition::PartlyRetained,
                Some(&format!("  {RATIONALE} ")),
            ))
            .then_expect_events(vec![drafted(
                P01,
                Disposition::PartlyRetained,
                Some(RATIONALE),
            )]);
    }

    #[test]
    fn answering_an_unknown_contribution_is_refused() {
        given()
            .given(vec![proposed(), linked()])
            .when(draft(
                ContributionId(Uuid::from_u128(3050)),
                Disposition::Retained,
                None,
            ))
            .then_expect_error(DomainError::NotFound(Record::Contribution));
    }

    #[test]
    fn a_contribution_is_answered_under_its_own_consultation_only() {
        given()
            .given(vec![proposed(), linked()])
            .when(draft(A01, Disposition::Retained, None))
            .then_expect_error(DomainError::NotFound(Record::Contribution));
    }

    #[test]
    fn a_withdrawn_contribution_gets_no_answer() {
        given()
            .given(vec![proposed(), linked()])
            .when(draft(WITHDRAWN, Disposition::Retained, None))
            .then_expect_error(DomainError::Withdrawn(Record::Contribution));
    }

    #[test]
    fn a_contribution_of_a_consultation_not_linked_is_refused() {
        given()
            .given(vec![proposed(), linked()])
            .when(DecisionCommand::DraftAnswer {
                consultation_id: ATELIER,
                contribution_id: A01,
                disposition: Disposition::Retained,
                rationale: None,
                on: date(2026, 4, 7),
            })
            .then_expect_error(DomainError::ConsultationNotLinked);
    }

    #[test]
    fn answering_twice_needs_a_revision() {
        given()
            .given(vec![
                proposed(),
                linked(),
                drafted(P01, Disposition::Retained, None),
            ])
            .when(draft(P01, Disposition::NotRetained, Some(RATIONALE)))
            .then_expect_error(DomainError::AlreadyAnswered);
    }

    #[test]
    fn an_answer_dated_before_the_contribution_is_refused() {
        // A decision proposed while the consultation still runs.
        let early = DecisionEvent::DecisionProposed {
            decision_id: D_PERIMETRE,
            community_id: CPTS,
            proposal: Proposal {
                proposed_on: date(2026, 2, 20),
                ..proposal()
            },
        };
        given()
            .given(vec![early, linked()])
            .when(DecisionCommand::DraftAnswer {
                consultation_id: PERIMETRE,
                contribution_id: P10,
                disposition: Disposition::Retained,
                rationale: None,
                on: date(2026, 2, 26),
            })
            .then_expect_error(DomainError::TooEarly {
                date: date(2026, 2, 26),
                earliest: date(2026, 2, 27),
                reason: TooEarlyReason::BeforeSubmission,
            });
    }

    #[test]
    fn no_answer_is_drafted_in_a_withdrawn_decision() {
        given()
            .given(vec![proposed(), linked(), withdrawn()])
            .when(draft(P01, Disposition::Retained, None))
            .then_expect_error(DomainError::Withdrawn(Record::Decision));
    }

    // Revise an answer.

    #[test]
    fn revising_records_the_new_disposition_and_the_reason() {
        given()
            .given(vec![
                proposed(),
                linked(),
                drafted(P01, Disposition::Retained, None),
            ])
            .when(DecisionCommand::ReviseAnswer {
                contribution_id: P01,
                disposition: Disposition::PartlyRetained,
                rationale: Some(RATIONALE.into()),
                reason: " Erreur de saisie. ".into(),
                on: date(2026, 4, 8),
            })
            .then_expect_events(vec![DecisionEvent::AnswerRevised {
                contribution_id: P01,
                disposition: Disposition::PartlyRetained,
                rationale: Some(RATIONALE.into()),
                reason: "Erreur de saisie.".into(),
                on: date(2026, 4, 8),
            }]);
    }

    #[test]
    fn a_revision_that_changes_nothing_is_refused() {
        given()
            .given(vec![
                proposed(),
                linked(),
                drafted(P01, Disposition::PartlyRetained, Some(RATIONALE)),
            ])
            .when(DecisionCommand::ReviseAnswer {
                contribution_id: P01,
                disposition: Disposition::PartlyRetained,
                rationale: Some(format!("{RATIONALE}  ")),
                reason: "Relecture.".into(),
                on: date(2026, 4, 8),
            })
            .then_expect_error(DomainError::RevisionChangesNothing);
    }

    #[test]
    fn a_revision_needs_a_reason() {
        given()
            .given(vec![
                proposed(),
                linked(),
                drafted(P01, Disposition::Retained, None),
            ])
            .when(DecisionCommand::ReviseAnswer {
                contribution_id: P01,
                disposition: Disposition::NotRetained,
                rationale: Some(RATIONALE.into()),
                reason: "   ".into(),
                on: date(2026, 4, 8),
            })
            .then_expect_error(DomainError::Required {
                field: Field::Reason,
            });
    }

    #[test]
    fn a_revised_answer_still_needs_its_rationale() {
        given()
            .given(vec![
                proposed(),
                linked(),
                drafted(P01, Disposition::Retained, None),
            ])
            .when(DecisionCommand::ReviseAnswer {
                contribution_id: P01,
                disposition: Disposition::NotRetained,
                rationale: None,
                reason: "Relecture.".into(),
                on: date(2026, 4, 8),
            })
            .then_expect_error(DomainError::RationaleRequired(Disposition::NotRetained));
    }

    #[test]
    fn revising_an_answer_never_drafted_is_refused() {
        given()
            .given(vec![proposed(), linked()])
            .when(DecisionCommand::ReviseAnswer {
                contribution_id: P01,
                disposition: Disposition::Retained,
                rationale: None,
                reason: "Relecture.".into(),
                on: date(2026, 4, 8),
            })
            .then_expect_error(DomainError::NotAnswered);
    }

    #[test]
    fn a_revision_dated_before_the_answer_is_refused() {
        given()
            .given(vec![
                proposed(),
                linked(),
                drafted(P01, Disposition::Retained, None),
            ])
            .when(DecisionCommand::ReviseAnswer {
                contribution_id: P01,
                disposition: Disposition::NotRetained,
                rationale: Some(RATIONALE.into()),
                reason: "Relecture.".into(),
                on: date(2026, 4, 6),
            })
            .then_expect_error(DomainError::TooEarly {
                date: date(2026, 4, 6),
                earliest: date(2026, 4, 7),
                reason: TooEarlyReason::BeforeAnswer,
            });
    }

    #[test]
    fn a_revised_answer_must_be_published_again() {
        given()
            .given(vec![
                proposed(),
                linked(),
                drafted(P01, Disposition::Retained, None),
                published(P01, date(2026, 4, 7)),
                DecisionEvent::AnswerRevised {
                    contribution_id: P01,
                    disposition: Disposition::PartlyRetained,
                    rationale: Some(RATIONALE.into()),
                    reason: "Erreur de saisie.".into(),
                    on: date(2026, 4, 9),
                },
            ])
            .when(DecisionCommand::PublishAnswer {
                contribution_id: P01,
                on: date(2026, 4, 10),
            })
            .then_expect_events(vec![published(P01, date(2026, 4, 10))]);
    }

    #[test]
    fn a_republication_is_not_dated_before_the_revision() {
        given()
            .given(vec![
                proposed(),
                linked(),
                drafted(P01, Disposition::Retained, None),
                published(P01, date(2026, 4, 7)),
                DecisionEvent::AnswerRevised {
                    contribution_id: P01,
                    disposition: Disposition::PartlyRetained,
                    rationale: Some(RATIONALE.into()),
                    reason: "Erreur de saisie.".into(),
                    on: date(2026, 4, 9),
                },
            ])
            .when(DecisionCommand::PublishAnswer {
                contribution_id: P01,
                on: date(2026, 4, 8),
            })
            .then_expect_error(DomainError::TooEarly {
                date: date(2026, 4, 8),
                earliest: date(2026, 4, 9),
                reason: TooEarlyReason::BeforeAnswer,
            });
    }

    // Publish one answer, or all of them.

    #[test]
    fn publishing_a_drafted_answer_is_recorded() {
        given()
            .given(vec![
                proposed(),
                linked(),
                drafted(P01, Disposition::Retained, None),
            ])
            .when(DecisionCommand::PublishAnswer {
                contribution_id: P01,
                on: date(2026, 4, 7),
            })
            .then_expect_events(vec![published(P01, date(2026, 4, 7))]);
    }

    #[test]
    fn publishing_an_answer_twice_is_refused() {
        given()
            .given(vec![
                proposed(),
                linked(),
                drafted(P01, Disposition::Retained, None),
                published(P01, date(2026, 4, 7)),
            ])
            .when(DecisionCommand::PublishAnswer {
                contribution_id: P01,
                on: date(2026, 4, 8),
            })
            .then_expect_error(DomainError::AlreadyPublished);
    }

    #[test]
    fn publishing_an_answer_never_drafted_is_refused() {
        given()
            .given(vec![proposed(), linked()])
            .when(DecisionCommand::PublishAnswer {
                contribution_id: P01,
                on: date(2026, 4, 7),
            })
            .then_expect_error(DomainError::NotAnswered);
    }

    #[test]
    fn publishing_before_the_answer_was_written_is_refused() {
        given()
            .given(vec![
                proposed(),
                linked(),
                drafted(P01, Disposition::Retained, None),
            ])
            .when(DecisionCommand::PublishAnswer {
                contribution_id: P01,
                on: date(2026, 4, 6),
            })
            .then_expect_error(DomainError::TooEarly {
                date: date(2026, 4, 6),
                earliest: date(2026, 4, 7),
                reason: TooEarlyReason::BeforeAnswer,
            });
    }

    #[test]
    fn publishing_all_publishes_every_draft_and_only_the_drafts() {
        given()
            .given(vec![
                proposed(),
                linked(),
                drafted(P01, Disposition::Retained, None),
                published(P01, date(2026, 4, 7)),
                drafted(P04, Disposition::Retained, None),
                drafted(P10, Disposition::PartlyRetained, Some(RATIONALE)),
            ])
            .when(DecisionCommand::PublishAllAnswers {
                on: date(2026, 4, 20),
            })
            .then_expect_events(vec![
                published(P04, date(2026, 4, 20)),
                published(P10, date(2026, 4, 20)),
            ]);
    }

    #[test]
    fn publishing_all_without_any_answer_is_refused() {
        given()
            .given(vec![proposed(), linked()])
            .when(DecisionCommand::PublishAllAnswers {
                on: date(2026, 4, 7),
            })
            .then_expect_error(DomainError::NothingToPublish);
    }

    #[test]
    fn publishing_all_when_every_answer_is_published_is_refused() {
        given()
            .given(vec![
                proposed(),
                linked(),
                drafted(P01, Disposition::Retained, None),
                published(P01, date(2026, 4, 7)),
            ])
            .when(DecisionCommand::PublishAllAnswers {
                on: date(2026, 4, 8),
            })
            .then_expect_error(DomainError::NothingToPublish);
    }

    #[test]
    fn no_answer_is_published_in_a_withdrawn_decision() {
        given()
            .given(vec![
                proposed(),
                linked(),
                drafted(P01, Disposition::Retained, None),
                withdrawn(),
            ])
            .when(DecisionCommand::PublishAllAnswers {
                on: date(2026, 4, 8),
            })
            .then_expect_error(DomainError::Withdrawn(Record::Decision));
    }

    // Vote.

    #[test]
    fn the_scenarios_vote_by_college_is_recorded() {
        given()
            .given(vec![proposed(), linked()])
            .when(vote(
                date(2026, 4, 2),
                scenario_tally(),
                VoteOutcome::Adopted,
            ))
            .then_expect_events(vec![DecisionEvent::VoteRecorded {
                on: date(2026, 4, 2),
                tally: scenario_tally(),
                outcome: VoteOutcome::Adopted,
            }]);
    }

    #[test]
    fn a_decision_may_be_adopted_by_consensus() {
        given()
            .given(vec![proposed()])
            .when(vote(
                date(2026, 4, 2),
                Tally::Consensus,
                VoteOutcome::Adopted,
            ))
            .then_expect_events(vec![voted(VoteOutcome::Adopted)]);
    }

    #[test]
    fn no_vote_on_a_withdrawn_decision() {
        given()
            .given(vec![proposed(), withdrawn()])
            .when(vote(
                date(2026, 4, 2),
                scenario_tally(),
                VoteOutcome::Adopted,
            ))
            .then_expect_error(DomainError::Withdrawn(Record::Decision));
    }

    #[test]
    fn a_tally_without_any_vote_is_refused() {
        for colleges in [vec![], vec![votes(LIBERAUX, 0), votes(USAGERS, 0)]] {
            given()
                .given(vec![proposed()])
                .when(vote(
                    date(2026, 4, 2),
                    Tally::ByCollege { colleges },
                    VoteOutcome::Adopted,
                ))
                .then_expect_error(DomainError::EmptyTally);
        }
    }

    #[test]
    fn a_proposal_is_not_adopted_with_no_more_votes_for_than_against() {
        let against = |college, n| CollegeVotes {
            college_id: college,
            votes_for: 0,
            votes_against: n,
            abstentions: 0,
        };
        given()
            .given(vec![proposed()])
            .when(vote(
                date(2026, 4, 2),
                Tally::ByCollege {
                    colleges: vec![votes(LIBERAUX, 2), against(USAGERS, 3)],
                },
                VoteOutcome::Adopted,
            ))
            .then_expect_error(DomainError::AdoptedWithoutMajority {
                votes_for: 2,
                votes_against: 3,
            });
        // The same count rejects it, or defers it.
        for outcome in [VoteOutcome::Rejected, VoteOutcome::Deferred] {
            given()
                .given(vec![proposed()])
                .when(vote(
                    date(2026, 4, 2),
                    Tally::ByCollege {
                        colleges: vec![votes(LIBERAUX, 2), against(USAGERS, 3)],
                    },
                    outcome,
                ))
                .then_expect_events(vec![DecisionEvent::VoteRecorded {
                    on: date(2026, 4, 2),
                    tally: Tally::ByCollege {
                        colleges: vec![votes(LIBERAUX, 2), against(USAGERS, 3)],
                    },
                    outcome,
                }]);
        }
        let message = DomainError::AdoptedWithoutMajority {
            votes_for: 2,
            votes_against: 3,
        };
        assert!(message
            .message(crate::values::Lang::Fr)
            .starts_with("Le décompte ne fait pas une adoption : 2 voix pour et 3 contre."));
        assert!(message
            .message(crate::values::Lang::En)
            .starts_with("The count does not make an adoption: 2 votes for and 3 against."));
    }

    #[test]
    fn a_tally_naming_a_college_of_another_cpts_is_refused() {
        given()
            .given(vec![proposed()])
            .when(vote(
                date(2026, 4, 2),
                Tally::ByCollege {
                    colleges: vec![votes(LIBERAUX, 3), votes(FOREIGN_COLLEGE, 1)],
                },
                VoteOutcome::Adopted,
            ))
            .then_expect_error(DomainError::NotFound(Record::College));
    }

    #[test]
    fn a_college_counted_twice_is_refused() {
        given()
            .given(vec![proposed()])
            .when(vote(
                date(2026, 4, 2),
                Tally::ByCollege {
                    colleges: vec![votes(LIBERAUX, 3), votes(USAGERS, 1), votes(LIBERAUX, 1)],
                },
                VoteOutcome::Adopted,
            ))
            .then_expect_error(DomainError::DuplicateCollegeInTally);
    }

    #[test]
    fn a_vote_before_the_proposal_is_refused() {
        given()
            .given(vec![proposed()])
            .when(vote(
                date(2026, 3, 19),
                Tally::Consensus,
                VoteOutcome::Adopted,
            ))
            .then_expect_error(DomainError::TooEarly {
                date: date(2026, 3, 19),
                earliest: date(2026, 3, 20),
                reason: TooEarlyReason::BeforeProposal,
            });
    }

    #[test]
    fn a_second_vote_after_adoption_is_refused() {
        given()
            .given(vec![proposed(), voted(VoteOutcome::Adopted)])
            .when(vote(
                date(2026, 4, 3),
                Tally::Consensus,
                VoteOutcome::Rejected,
            ))
            .then_expect_error(DomainError::AlreadyVoted(VoteOutcome::Adopted));
    }

    #[test]
    fn a_second_vote_after_rejection_is_refused() {
        given()
            .given(vec![proposed(), voted(VoteOutcome::Rejected)])
            .when(vote(
                date(2026, 4, 3),
                Tally::Consensus,
                VoteOutcome::Adopted,
            ))
            .then_expect_error(DomainError::AlreadyVoted(VoteOutcome::Rejected));
    }

    #[test]
    fn a_new_vote_after_a_deferral_is_accepted() {
        given()
            .given(vec![proposed(), voted(VoteOutcome::Deferred)])
            .when(vote(
                date(2026, 4, 16),
                scenario_tally(),
                VoteOutcome::Adopted,
            ))
            .then_expect_events(vec![DecisionEvent::VoteRecorded {
                on: date(2026, 4, 16),
                tally: scenario_tally(),
                outcome: VoteOutcome::Adopted,
            }]);
    }

    // Amend.

    #[test]
    fn amending_records_the_new_text_and_the_reason() {
        given()
            .given(vec![proposed()])
            .when(DecisionCommand::Amend {
                text: " La CPTS couvre les 12 communes ; Frontignan par convention. ".into(),
                reason: "Amendement du bureau.".into(),
                on: date(2026, 3, 27),
            })
            .then_expect_events(vec![DecisionEvent::DecisionAmended {
                text: "La CPTS couvre les 12 communes ; Frontignan par convention.".into(),
                reason: "Amendement du bureau.".into(),
                on: date(2026, 3, 27),
            }]);
    }

    #[test]
    fn amending_to_the_same_text_is_refused() {
        given()
            .given(vec![proposed()])
            .when(DecisionCommand::Amend {
                text: format!("  {}\n", proposal().text),
                reason: "Amendement du bureau.".into(),
                on: date(2026, 3, 27),
            })
            .then_expect_error(DomainError::SameText);
    }

    #[test]
    fn an_amendment_needs_a_reason() {
        given()
            .given(vec![proposed()])
            .when(DecisionCommand::Amend {
                text: "Nouveau texte.".into(),
                reason: String::new(),
                on: date(2026, 3, 27),
            })
            .then_expect_error(DomainError::Required {
                field: Field::Reason,
            });
    }

    #[test]
    fn an_amendment_dated_before_the_proposal_is_refused() {
        given()
            .given(vec![proposed()])
            .when(DecisionCommand::Amend {
                text: "Nouveau texte.".into(),
                reason: "Amendement du bureau.".into(),
                on: date(2026, 3, 1),
            })
            .then_expect_error(DomainError::TooEarly {
                date: date(2026, 3, 1),
                earliest: date(2026, 3, 20),
                reason: TooEarlyReason::BeforeProposal,
            });
    }

    #[test]
    fn a_withdrawn_decision_is_not_amended() {
        given()
            .given(vec![proposed(), withdrawn()])
            .when(DecisionCommand::Amend {
                text: "Nouveau texte.".into(),
                reason: "Amendement du bureau.".into(),
                on: date(2026, 3, 27),
            })
            .then_expect_error(DomainError::Withdrawn(Record::Decision));
    }

    // Withdraw.

    #[test]
    fn withdrawing_records_the_reason() {
        given()
            .given(vec![proposed()])
            .when(DecisionCommand::Withdraw {
                reason: " Remplacée par une nouvelle proposition. ".into(),
                on: date(2026, 3, 25),
            })
            .then_expect_events(vec![withdrawn()]);
    }

    #[test]
    fn withdrawing_needs_a_reason() {
        given()
            .given(vec![proposed()])
            .when(DecisionCommand::Withdraw {
                reason: "\t".into(),
                on: date(2026, 3, 25),
            })
            .then_expect_error(DomainError::Required {
                field: Field::Reason,
            });
    }

    #[test]
    fn withdrawing_twice_is_refused() {
        given()
            .given(vec![proposed(), withdrawn()])
            .when(DecisionCommand::Withdraw {
                reason: "Encore.".into(),
                on: date(2026, 3, 26),
            })
            .then_expect_error(DomainError::Withdrawn(Record::Decision));
    }

    #[test]
    fn a_withdrawal_dated_before_the_proposal_is_refused() {
        given()
            .given(vec![proposed()])
            .when(DecisionCommand::Withdraw {
                reason: "Erreur.".into(),
                on: date(2026, 3, 19),
            })
            .then_expect_error(DomainError::TooEarly {
                date: date(2026, 3, 19),
                earliest: date(2026, 3, 20),
                reason: TooEarlyReason::BeforeProposal,
            });
    }

    // Milestones and indicators.

    #[test]
    fn a_milestone_of_an_adopted_decision_is_recorded() {
        given()
            .given(vec![proposed(), voted(VoteOutcome::Adopted)])
            .when(DecisionCommand::RecordMilestone {
                milestone: " Le centre social La Passerelle adhère à la CPTS. ".into(),
                on: date(2026, 5, 4),
            })
            .then_expect_events(vec![DecisionEvent::MilestoneRecorded {
                milestone: "Le centre social La Passerelle adhère à la CPTS.".into(),
                on: date(2026, 5, 4),
            }]);
    }

    #[test]
    fn milestones_follow_adoption_only() {
        let not_adopted = [
            vec![proposed()],
            vec![proposed(), voted(VoteOutcome::Deferred)],
            vec![proposed(), voted(VoteOutcome::Rejected)],
        ];
        for events in not_adopted {
            given()
                .given(events)
                .when(DecisionCommand::RecordMilestone {
                    milestone: "Première réunion.".into(),
                    on: date(2026, 5, 4),
                })
                .then_expect_error(DomainError::NotAdopted);
        }
    }

    #[test]
    fn a_milestone_dated_before_the_vote_is_refused() {
        given()
            .given(vec![proposed(), voted(VoteOutcome::Adopted)])
            .when(DecisionCommand::RecordMilestone {
                milestone: "Première réunion.".into(),
                on: date(2026, 4, 1),
            })
            .then_expect_error(DomainError::TooEarly {
                date: date(2026, 4, 1),
                earliest: date(2026, 4, 2),
                reason: TooEarlyReason::BeforeVote,
            });
    }

    #[test]
    fn a_milestone_needs_a_text() {
        given()
            .given(vec![proposed(), voted(VoteOutcome::Adopted)])
            .when(DecisionCommand::RecordMilestone {
                milestone: " ".into(),
                on: date(2026, 5, 4),
            })
            .then_expect_error(DomainError::Required {
                field: Field::Milestone,
            });
    }

    #[test]
    fn an_adopted_then_withdrawn_decision_has_no_follow_up() {
        given()
            .given(vec![proposed(), voted(VoteOutcome::Adopted), withdrawn()])
            .when(DecisionCommand::RecordMilestone {
                milestone: "Première réunion.".into(),
                on: date(2026, 5, 4),
            })
            .then_expect_error(DomainError::Withdrawn(Record::Decision));
    }

    #[test]
    fn an_indicator_is_reported_after_adoption_only() {
        given()
            .given(vec![proposed(), voted(VoteOutcome::Deferred)])
            .when(report("2026-09", 31.0, Some(50.0), date(2026, 10, 6)))
            .then_expect_error(DomainError::NotAdopted);
    }

    #[test]
    fn the_scenarios_two_indicator_reports_are_accepted() {
        given()
            .given(vec![proposed(), voted(VoteOutcome::Adopted)])
            .when(report(" 2026-09 ", 31.0, Some(50.0), date(2026, 10, 6)))
            .then_expect_events(vec![reported("2026-09", 31.0, date(2026, 10, 6))]);
        given()
            .given(vec![
                proposed(),
                voted(VoteOutcome::Adopted),
                reported("2026-09", 31.0, date(2026, 10, 6)),
            ])
            .when(report("2026-10", 44.0, Some(50.0), date(2026, 11, 5)))
            .then_expect_events(vec![reported("2026-10", 44.0, date(2026, 11, 5))]);
    }

    #[test]
    fn an_indicator_reported_twice_for_a_period_is_refused() {
        given()
            .given(vec![
                proposed(),
                voted(VoteOutcome::Adopted),
                reported("2026-09", 31.0, date(2026, 10, 6)),
            ])
            .when(report("2026-09", 33.0, Some(50.0), date(2026, 10, 8)))
            .then_expect_error(DomainError::IndicatorAlreadyReported {
                indicator: INDICATOR.into(),
                period: "2026-09".into(),
            });
    }

    #[test]
    fn another_indicator_may_be_reported_for_the_same_period() {
        given()
            .given(vec![
                proposed(),
                voted(VoteOutcome::Adopted),
                reported("2026-09", 31.0, date(2026, 10, 6)),
            ])
            .when(DecisionCommand::ReportIndicator {
                indicator: "Fiches d'orientation remises".into(),
                period: "2026-09".into(),
                value: 120.0,
                target: None,
                on: date(2026, 10, 6),
            })
            .then_expect_events(vec![DecisionEvent::IndicatorReported {
                indicator: "Fiches d'orientation remises".into(),
                period: "2026-09".into(),
                value: 120.0,
                target: None,
                on: date(2026, 10, 6),
            }]);
    }

    #[test]
    fn a_negative_indicator_value_or_target_is_refused() {
        for (value, target) in [(-1.0, Some(50.0)), (31.0, Some(-50.0))] {
            given()
                .given(vec![proposed(), voted(VoteOutcome::Adopted)])
                .when(report("2026-09", value, target, date(2026, 10, 6)))
                .then_expect_error(DomainError::InvalidIndicatorValue);
        }
    }

    #[test]
    fn a_nan_or_infinite_indicator_value_is_refused() {
        for (value, target) in [
            (f64::NAN, Some(50.0)),
            (f64::INFINITY, None),
            (31.0, Some(f64::NAN)),
        ] {
            given()
                .given(vec![proposed(), voted(VoteOutcome::Adopted)])
                .when(report("2026-09", value, target, date(2026, 10, 6)))
                .then_expect_error(DomainError::InvalidIndicatorValue);
        }
    }

    #[test]
    fn an_indicator_needs_a_period() {
        given()
            .given(vec![proposed(), voted(VoteOutcome::Adopted)])
            .when(report("", 31.0, Some(50.0), date(2026, 10, 6)))
            .then_expect_error(DomainError::Required {
                field: Field::Period,
            });
    }

    #[test]
    fn an_indicator_reported_before_the_vote_is_refused() {
        given()
            .given(vec![proposed(), voted(VoteOutcome::Adopted)])
            .when(report("2026-03", 3.0, Some(50.0), date(2026, 4, 1)))
            .then_expect_error(DomainError::TooEarly {
                date: date(2026, 4, 1),
                earliest: date(2026, 4, 2),
                reason: TooEarlyReason::BeforeVote,
            });
    }

    #[test]
    fn an_answer_cannot_be_drafted_before_the_decision_is_proposed() {
        given()
            .given(vec![proposed(), linked()])
            .when(DecisionCommand::DraftAnswer {
                consultation_id: PERIMETRE,
                contribution_id: P01,
                disposition: Disposition::Retained,
                rationale: None,
                on: date(2026, 3, 1),
            })
            .then_expect_error(DomainError::TooEarly {
                date: date(2026, 3, 1),
                earliest: date(2026, 3, 20),
                reason: TooEarlyReason::BeforeProposal,
            });
    }

    #[test]
    fn a_published_answer_cannot_be_revised_before_its_publication() {
        given()
            .given(vec![
                proposed(),
                linked(),
                drafted(P01, Disposition::Retained, None),
                published(P01, date(2026, 4, 10)),
            ])
            .when(DecisionCommand::ReviseAnswer {
                contribution_id: P01,
                disposition: Disposition::PartlyRetained,
                rationale: Some("Retenue pour le diagnostic seulement.".into()),
                reason: "Erreur de saisie".into(),
                on: date(2026, 4, 8),
            })
            .then_expect_error(DomainError::TooEarly {
                date: date(2026, 4, 8),
                earliest: date(2026, 4, 10),
                reason: TooEarlyReason::BeforePublication,
            });
    }

    #[test]
    fn a_new_vote_cannot_be_dated_before_the_deferral() {
        given()
            .given(vec![proposed(), voted(VoteOutcome::Deferred)])
            .when(vote(
                date(2026, 3, 30),
                scenario_tally(),
                VoteOutcome::Adopted,
            ))
            .then_expect_error(DomainError::TooEarly {
                date: date(2026, 3, 30),
                earliest: date(2026, 4, 2),
                reason: TooEarlyReason::BeforeVote,
            });
    }
}
