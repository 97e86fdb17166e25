//! The demonstration: the Val de l'Étang scenario of DOMAIN.md, recorded through the ledger's
//! command path exactly as a coordinator would record it, in the order things happened.
//!
//! Ids are derived from the scenario's slugs (UUID v5), so the same scenario always yields the
//! same ids; commands get fresh ids, so running the demo again is refused, not replayed. The
//! coordinator (Sophie Marty) is the actor of the CPTS's own work and of the contributions she
//! transcribes from the anonymous questionnaires; each member is the actor of
//! their own contributions; the service itself registers the CPTS and admits the coordinator.

use std::collections::BTreeMap;

use anyhow::{anyhow, bail, Context};
use chrono::NaiveDate;
use cpts_domain::access::Caller;
use cpts_domain::association::{AssociationCommand, Engagement};
use cpts_domain::command::{Actor, AddressedCommand};
use cpts_domain::community::CommunityCommand;
use cpts_domain::consultation::{Author, ConsultationCommand, ConsultationTerms};
use cpts_domain::decision::{CollegeVotes, DecisionCommand, Proposal, Tally};
use cpts_domain::error::Record;
use cpts_domain::ids::{
    AssociationId, BodyId, CollegeId, CommunityId, ConsultationId, ContributionId, DecisionId,
    MemberId,
};
use cpts_domain::member::{MemberCommand, MemberKind};
use cpts_domain::values::{
    ApprovalLevel, BodyKind, Commune, ContributionKind, Disposition, Method, Mission, Moment, Rung,
    VoteOutcome,
};
use cpts_domain::DomainError;
use cpts_graphql::port::{CommandContext, LedgerError, LedgerPort};
use serde::Deserialize;
use uuid::Uuid;

/// The scenario file, as published with DOMAIN.md.
pub const SCENARIO_JSON: &str = include_str!("demo/val-de-letang.json");

/// The namespace of the scenario's UUID v5 ids.
const NAMESPACE: Uuid = Uuid::from_u128(0x5c1e_d0c5_7a1d_4e7a_9c3b_0c9f_2d4e_6a81);

/// The scenario, typed.
#[derive(Debug, Clone, Deserialize)]
#[allow(missing_docs)]
pub struct Scenario {
    pub community: ScenarioCommunity,
    pub associations: Vec<ScenarioAssociation>,
    pub members: Vec<ScenarioMember>,
    pub consultations: Vec<ScenarioConsultation>,
    pub decisions: Vec<ScenarioDecision>,
    pub expected: serde_json::Value,
}

/// The CPTS of the scenario.
#[derive(Debug, Clone, Deserialize)]
#[allow(missing_docs)]
pub struct ScenarioCommunity {
    pub slug: String,
    pub name: String,
    pub territory: Vec<Commune>,
    pub colleges: Vec<ScenarioCollege>,
    pub bodies: Vec<ScenarioBody>,
    pub internal_rules: ScenarioRules,
}

/// A collège of the scenario.
#[derive(Debug, Clone, Deserialize)]
#[allow(missing_docs)]
pub struct ScenarioCollege {
    pub slug: String,
    pub name: String,
    #[serde(default)]
    pub is_users_college: bool,
}

/// A body of the scenario.
#[derive(Debug, Clone, Deserialize)]
#[allow(missing_docs)]
pub struct ScenarioBody {
    pub slug: String,
    pub kind: BodyKind,
    pub name: String,
}

/// The internal rules of the scenario.
#[derive(Debug, Clone, Deserialize)]
#[allow(missing_docs)]
pub struct ScenarioRules {
    pub adopted_on: NaiveDate,
    pub travel_expenses_reimbursed: bool,
}

/// An association of the scenario.
#[derive(Debug, Clone, Deserialize)]
#[allow(missing_docs)]
pub struct ScenarioAssociation {
    pub slug: String,
    pub name: String,
    pub approval: Option<ScenarioApproval>,
    pub engagement: ScenarioEngagement,
}

/// An approval of the scenario.
#[derive(Debug, Clone, Deserialize)]
#[allow(missing_docs)]
pub struct ScenarioApproval {
    pub level: ApprovalLevel,
    pub granted_on: NaiveDate,
}

/// An engagement of the scenario.
#[derive(Debug, Clone, Deserialize)]
#[allow(missing_docs)]
pub struct ScenarioEngagement {
    pub form: String,
    pub since: NaiveDate,
    #[serde(default)]
    pub convention_reference: Option<String>,
}

/// A member of the scenario.
#[derive(Debug, Clone, Deserialize)]
#[allow(missing_docs)]
pub struct ScenarioMember {
    pub slug: String,
    pub name: String,
    pub kind: String,
    #[serde(default)]
    pub profession: Option<String>,
    pub admitted_on: NaiveDate,
    #[serde(default)]
    pub mandate: Option<ScenarioMandate>,
    #[serde(default)]
    pub seats: Option<ScenarioSeats>,
}

/// A mandate of the scenario.
#[derive(Debug, Clone, Deserialize)]
#[allow(missing_docs)]
pub struct ScenarioMandate {
    pub association: String,
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub lives_in_territory: bool,
    pub commune: Option<String>,
    pub cadre_intervention: Option<String>,
}

/// Seats of a member of the scenario.
#[derive(Debug, Clone, Deserialize)]
#[allow(missing_docs)]
pub struct ScenarioSeats {
    pub college: String,
    pub bodies: Vec<String>,
}

/// A consultation of the scenario.
#[derive(Debug, Clone, Deserialize)]
#[allow(missing_docs)]
pub struct ScenarioConsultation {
    pub slug: String,
    pub subject: String,
    pub moment: Moment,
    pub mission: Mission,
    pub rung: Rung,
    pub audience: String,
    pub method: Method,
    pub opens_on: NaiveDate,
    pub closes_on: NaiveDate,
    pub answer_within_days_after_closing: u32,
    pub contributions: Vec<ScenarioContribution>,
}

/// A contribution of the scenario.
#[derive(Debug, Clone, Deserialize)]
#[allow(missing_docs)]
pub struct ScenarioContribution {
    pub slug: String,
    pub author: ScenarioAuthor,
    pub kind: ContributionKind,
    pub submitted_on: NaiveDate,
    pub text: String,
    #[serde(default)]
    pub attachment: Option<String>,
}

/// The author of a contribution: a member's slug, or an anonymous inhabitant.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
#[allow(missing_docs)]
pub enum ScenarioAuthor {
    Member(String),
    Anonymous {
        anonymous: bool,
        commune: Option<String>,
    },
}

/// A decision of the scenario.
#[derive(Debug, Clone, Deserialize)]
#[allow(missing_docs)]
pub struct ScenarioDecision {
    pub slug: String,
    pub body: String,
    pub title: String,
    pub text: String,
    pub moment: Moment,
    pub mission: Mission,
    pub proposed_on: NaiveDate,
    pub consultations: Vec<String>,
    pub vote: ScenarioVote,
    pub answers: Vec<ScenarioAnswer>,
    #[serde(default)]
    pub follow_up: Vec<ScenarioMilestone>,
    #[serde(default)]
    pub indicator: Option<ScenarioIndicator>,
}

/// A vote of the scenario.
#[derive(Debug, Clone, Deserialize)]
#[allow(missing_docs)]
pub struct ScenarioVote {
    pub on: NaiveDate,
    pub outcome: VoteOutcome,
    pub by_college: BTreeMap<String, ScenarioVotes>,
}

/// The votes of one collège.
#[derive(Debug, Clone, Deserialize)]
#[allow(missing_docs)]
pub struct ScenarioVotes {
    #[serde(rename = "for")]
    pub votes_for: u32,
    pub against: u32,
    pub abstain: u32,
}

/// An answer of the scenario.
#[derive(Debug, Clone, Deserialize)]
#[allow(missing_docs)]
pub struct ScenarioAnswer {
    pub contribution: String,
    pub disposition: Disposition,
    pub published_on: NaiveDate,
    #[serde(default)]
    pub rationale: Option<String>,
}

/// A milestone of the scenario.
#[derive(Debug, Clone, Deserialize)]
#[allow(missing_docs)]
pub struct ScenarioMilestone {
    pub on: NaiveDate,
    pub milestone: String,
}

/// An indicator of the scenario.
#[derive(Debug, Clone, Deserialize)]
#[allow(missing_docs)]
pub struct ScenarioIndicator {
    pub name: String,
    pub target: f64,
    pub reports: Vec<ScenarioReport>,
}

/// One report of an indicator.
#[derive(Debug, Clone, Deserialize)]
#[allow(missing_docs)]
pub struct ScenarioReport {
    pub period: String,
    pub value: f64,
    pub reported_on: NaiveDate,
}

/// The embedded scenario, parsed.
pub fn scenario() -> anyhow::Result<Scenario> {
    serde_json::from_str(SCENARIO_JSON).context("reading the embedded scenario")
}

/// The id the demo gives to the scenario's record of this kind and slug.
pub fn id_of(kind: &str, slug: &str) -> Uuid {
    Uuid::new_v5(&NAMESPACE, format!("{kind}/{slug}").as_bytes())
}

/// What recording the demo did.
#[derive(Debug, Clone)]
pub struct DemoSummary {
    /// The CPTS recorded.
    pub community_id: CommunityId,
    /// How many commands were executed.
    pub commands: usize,
    /// How many events they recorded.
    pub events: usize,
    /// The id of every record, by `kind/slug` (e.g. `member/karim-benali`).
    pub ids: BTreeMap<String, Uuid>,
}

/// Sends the scenario's commands one by one and counts what they record.
struct Recorder<'a> {
    ledger: &'a dyn LedgerPort,
    commands: usize,
    events: usize,
    ids: BTreeMap<String, Uuid>,
}

impl Recorder<'_> {
    fn id(&mut self, kind: &str, slug: &str) -> Uuid {
        let id = id_of(kind, slug);
        self.ids.insert(format!("{kind}/{slug}"), id);
        id
    }

    /// Sends one command; whether the events answered were recorded by this very command
    /// (not by an earlier one it repeats).
    async fn send(
        &mut self,
        step: &str,
        actor: Actor,
        command: AddressedCommand,
    ) -> anyhow::Result<bool> {
        self.commands += 1;
        let command_id = Uuid::new_v4();
        let receipt = self
            .ledger
            .execute(
                command,
                CommandContext {
                    caller: Caller::Trusted(actor),
                    command_id,
                },
            )
            .await
            .map_err(anyhow::Error::from)
            .with_context(|| format!("recording {step}"))?;
        self.events += receipt.events.len();
        let command_id = command_id.to_string();
        Ok(receipt.events.iter().all(|event| {
            event.metadata.get("command_id").and_then(|id| id.as_str()) == Some(&command_id)
        }))
    }
}

fn member_kind(member: &ScenarioMember) -> anyhow::Result<MemberKind> {
    Ok(match member.kind.as_str() {
        "health_professional" => MemberKind::HealthProfessional {
            profession: member
                .profession
                .clone()
                .context("a health professional needs a profession")?,
        },
        "establishment" => MemberKind::Establishment,
        "social_body" => MemberKind::SocialBody,
        "medico_social_body" => MemberKind::MedicoSocialBody,
        "association_representative" => MemberKind::AssociationRepresentative,
        "coordinator" => MemberKind::Coordinator,
        other => bail!("unknown member kind {other}"),
    })
}

fn engagement(engagement: &ScenarioEngagement) -> anyhow::Result<Engagement> {
    Ok(match engagement.form.as_str() {
        "participation" => Engagement::Participation,
        "governance" => Engagement::Governance,
        "partnership" => Engagement::Partnership {
            convention_reference: engagement
                .convention_reference
                .clone()
                .context("a partnership needs its convention")?,
        },
        other => bail!("unknown engagement form {other}"),
    })
}

/// Records the Val de l'Étang scenario of DOMAIN.md through the ledger's command path.
///
/// Fails, writing nothing, if the scenario's CPTS is already recorded in this store.
pub async fn record_scenario(ledger: &dyn LedgerPort) -> anyhow::Result<DemoSummary> {
    let scenario = scenario()?;
    let mut r = Recorder {
        ledger,
        commands: 0,
        events: 0,
        ids: BTreeMap::new(),
    };
    let c = &scenario.community;
    let community_id = CommunityId(r.id("community", &c.slug));
    let community = |command| AddressedCommand::Community {
        id: community_id,
        command,
    };

    let registration = r
        .send(
            "the CPTS",
            Actor::System,
            community(CommunityCommand::Register {
                community_id,
                name: c.name.clone(),
                territory: c.territory.clone(),
            }),
        )
        .await;
    let already_recorded = || {
        anyhow!("La démonstration est déjà enregistrée dans cette base (the demo is already recorded in this store).")
    };
    // A registration sent again with the same content is answered with the events of the
    // first one, recorded under another command id: the demo was recorded before.
    if let Ok(false) = registration {
        return Err(already_recorded());
    }
    if let Err(error) = registration {
        let already = matches!(
            error.downcast_ref::<LedgerError>(),
            Some(LedgerError::Domain(DomainError::AlreadyExists(
                Record::Community
            )))
        );
        if already {
            return Err(already_recorded());
        }
        return Err(error);
    }

    // The coordinator is admitted first: she records everything else.
    let coordinator = scenario
        .members
        .iter()
        .find(|m| m.kind == "coordinator")
        .context("the scenario has a coordinator")?;
    let coordinator_id = MemberId(r.id("member", &coordinator.slug));
    let by_coordinator = Actor::Member(coordinator_id);

    for college in &c.colleges {
        let college_id = CollegeId(r.id("college", &college.slug));
        let command = community(CommunityCommand::DefineCollege {
            college_id,
            name: college.name.clone(),
            is_users_college: college.is_users_college,
        });
        r.send(
            &format!("the collège {}", college.slug),
            Actor::System,
            command,
        )
        .await?;
    }
    for body in &c.bodies {
        let body_id = BodyId(r.id("body", &body.slug));
        let command = community(CommunityCommand::EstablishBody {
            body_id,
            kind: body.kind,
            name: body.name.clone(),
        });
        r.send(&format!("the body {}", body.slug), Actor::System, command)
            .await?;
    }
    let rules = community(CommunityCommand::AdoptInternalRules {
        adopted_on: c.internal_rules.adopted_on,
        travel_expenses_reimbursed: c.internal_rules.travel_expenses_reimbursed,
    });
    r.send("the internal rules", Actor::System, rules).await?;

    let mut members: Vec<&ScenarioMember> = scenario.members.iter().collect();
    members.sort_by_key(|m| (m.kind != "coordinator", m.admitted_on));
    for member in members {
        let id = MemberId(r.id("member", &member.slug));
        let actor = if member.kind == "coordinator" {
            Actor::System
        } else {
            by_coordinator
        };
        let admit = MemberCommand::Admit {
            member_id: id,
            community_id,
            name: member.name.clone(),
            kind: member_kind(member)?,
            admitted_on: member.admitted_on,
        };
        r.send(
            &format!("the admission of {}", member.slug),
            actor,
            AddressedCommand::Member { id, command: admit },
        )
        .await?;
    }

    for association in &scenario.associations {
        let id = AssociationId(r.id("association", &association.slug));
        let step = format!("the association {}", association.slug);
        let to = |command| AddressedCommand::Association { id, command };
        let register = AssociationCommand::Register {
            association_id: id,
            community_id,
            name: association.name.clone(),
        };
        r.send(&step, by_coordinator, to(register)).await?;
        if let Some(approval) = &association.approval {
            let approve = AssociationCommand::RecordApproval {
                level: approval.level,
                granted_on: approval.granted_on,
            };
            r.send(&step, by_coordinator, to(approve)).await?;
        }
        let engage = AssociationCommand::Engage {
            engagement: engagement(&association.engagement)?,
            since: association.engagement.since,
        };
        r.send(&step, by_coordinator, to(engage)).await?;
    }

    for member in &scenario.members {
        let id = MemberId(r.id("member", &member.slug));
        let step = format!("the mandate and seats of {}", member.slug);
        if let Some(mandate) = &member.mandate {
            let grant = MemberCommand::GrantMandate {
                association_id: AssociationId(r.id("association", &mandate.association)),
                start: mandate.start,
                end: mandate.end,
                lives_in_territory: mandate.lives_in_territory,
                commune: mandate.commune.clone(),
                cadre_intervention: mandate.cadre_intervention.clone(),
            };
            r.send(
                &step,
                by_coordinator,
                AddressedCommand::Member { id, command: grant },
            )
            .await?;
        }
        if let Some(seats) = &member.seats {
            let seat = MemberCommand::SeatInCollege {
                college_id: CollegeId(r.id("college", &seats.college)),
                on: member.admitted_on,
            };
            r.send(
                &step,
                by_coordinator,
                AddressedCommand::Member { id, command: seat },
            )
            .await?;
            for body in &seats.bodies {
                let seat = MemberCommand::SeatInBody {
                    body_id: BodyId(r.id("body", body)),
                    on: member.admitted_on,
                };
                r.send(
                    &step,
                    by_coordinator,
                    AddressedCommand::Member { id, command: seat },
                )
                .await?;
            }
        }
    }

    // Consultations and decisions, in the order of their dates: a consultation, its
    // contributions, its closing, then the decision that answers it.
    for consultation in &scenario.consultations {
        record_consultation(&mut r, community_id, by_coordinator, consultation).await?;
        for decision in scenario
            .decisions
            .iter()
            .filter(|d| d.consultations.contains(&consultation.slug))
        {
            record_decision(&mut r, community_id, by_coordinator, &scenario, decision).await?;
        }
    }

    Ok(DemoSummary {
        community_id,
        commands: r.commands,
        events: r.events,
        ids: r.ids,
    })
}

async fn record_consultation(
    r: &mut Recorder<'_>,
    community_id: CommunityId,
    by_coordinator: Actor,
    consultation: &ScenarioConsultation,
) -> anyhow::Result<()> {
    let id = ConsultationId(r.id("consultation", &consultation.slug));
    let to = |command| AddressedCommand::Consultation { id, command };
    let open = ConsultationCommand::Open {
        consultation_id: id,
        community_id,
        terms: ConsultationTerms {
            subject: consultation.subject.clone(),
            moment: consultation.moment,
            mission: consultation.mission,
            rung: consultation.rung,
            audience: consultation.audience.clone(),
            method: consultation.method,
            opens_on: consultation.opens_on,
            closes_on: consultation.closes_on,
            answer_within_days: consultation.answer_within_days_after_closing,
        },
    };
    r.send(
        &format!("the consultation {}", consultation.slug),
        by_coordinator,
        to(open),
    )
    .await?;
    for contribution in &consultation.contributions {
        let (author, actor) = match &contribution.author {
            ScenarioAuthor::Member(slug) => {
                let member_id = MemberId(r.id("member", slug));
                (Author::Member { member_id }, Actor::Member(member_id))
            }
            ScenarioAuthor::Anonymous {
                anonymous: _,
                commune,
            } => (
                Author::Anonymous {
                    commune: commune.clone(),
                },
                by_coordinator,
            ),
        };
        let submit = ConsultationCommand::Submit {
            contribution_id: ContributionId(r.id("contribution", &contribution.slug)),
            author,
            kind: contribution.kind,
            text: contribution.text.clone(),
            submitted_on: contribution.submitted_on,
            attachment: contribution.attachment.clone(),
            file: None,
        };
        r.send(
            &format!("the contribution {}", contribution.slug),
            actor,
            to(submit),
        )
        .await?;
    }
    let close = ConsultationCommand::Close {
        on: consultation.closes_on,
    };
    r.send(
        &format!("the closing of {}", consultation.slug),
        by_coordinator,
        to(close),
    )
    .await?;
    Ok(())
}

async fn record_decision(
    r: &mut Recorder<'_>,
    community_id: CommunityId,
    by_coordinator: Actor,
    scenario: &Scenario,
    decision: &ScenarioDecision,
) -> anyhow::Result<()> {
    let id = DecisionId(r.id("decision", &decision.slug));
    let step = format!("the decision {}", decision.slug);
    let to = |command| AddressedCommand::Decision { id, command };
    let propose = DecisionCommand::Propose {
        decision_id: id,
        community_id,
        proposal: Proposal {
            body_id: BodyId(r.id("body", &decision.body)),
            title: decision.title.clone(),
            text: decision.text.clone(),
            moment: decision.moment,
            mission: decision.mission,
            proposed_on: decision.proposed_on,
        },
    };
    r.send(&step, by_coordinator, to(propose)).await?;
    for slug in &decision.consultations {
        let link = DecisionCommand::LinkConsultation {
            consultation_id: ConsultationId(r.id("consultation", slug)),
        };
        r.send(&step, by_coordinator, to(link)).await?;
    }

    let colleges = decision
        .vote
        .by_college
        .iter()
        .map(|(slug, votes)| CollegeVotes {
            college_id: CollegeId(id_of("college", slug)),
            votes_for: votes.votes_for,
            votes_against: votes.against,
            abstentions: votes.abstain,
        })
        .collect();
    let vote = DecisionCommand::RecordVote {
        on: decision.vote.on,
        tally: Tally::ByCollege { colleges },
        outcome: decision.vote.outcome,
    };

    // The answers are drafted and published on their dates; the vote takes its place among
    // them by date.
    let mut voted = false;
    let mut answers: Vec<&ScenarioAnswer> = decision.answers.iter().collect();
    answers.sort_by_key(|a| a.published_on);
    for answer in answers {
        if !voted && decision.vote.on <= answer.published_on {
            r.send(
                &format!("the vote on {}", decision.slug),
                by_coordinator,
                to(vote.clone()),
            )
            .await?;
            voted = true;
        }
        let consultation = scenario
            .consultations
            .iter()
            .find(|c| {
                c.contributions
                    .iter()
                    .any(|x| x.slug == answer.contribution)
            })
            .with_context(|| format!("the consultation of {}", answer.contribution))?;
        let contribution_id = ContributionId(r.id("contribution", &answer.contribution));
        let draft = DecisionCommand::DraftAnswer {
            consultation_id: ConsultationId(id_of("consultation", &consultation.slug)),
            contribution_id,
            disposition: answer.disposition,
            rationale: answer.rationale.clone(),
            on: answer.published_on,
        };
        let step = format!("the answer to {}", answer.contribution);
        r.send(&step, by_coordinator, to(draft)).await?;
        let publish = DecisionCommand::PublishAnswer {
            contribution_id,
            on: answer.published_on,
        };
        r.send(&step, by_coordinator, to(publish)).await?;
    }
    if !voted {
        r.send(
            &format!("the vote on {}", decision.slug),
            by_coordinator,
            to(vote),
        )
        .await?;
    }

    let mut follow_up: Vec<(NaiveDate, DecisionCommand)> = decision
        .follow_up
        .iter()
        .map(|m| {
            (
                m.on,
                DecisionCommand::RecordMilestone {
                    milestone: m.milestone.clone(),
                    on: m.on,
                },
            )
        })
        .collect();
    if let Some(indicator) = &decision.indicator {
        follow_up.extend(indicator.reports.iter().map(|report| {
            (
                report.reported_on,
                DecisionCommand::ReportIndicator {
                    indicator: indicator.name.clone(),
                    period: report.period.clone(),
                    value: report.value,
                    target: Some(indicator.target),
                    on: report.reported_on,
                },
            )
        }));
    }
    follow_up.sort_by_key(|(on, _)| *on);
    for (_, command) in follow_up {
        r.send(
            &format!("the follow-up of {}", decision.slug),
            by_coordinator,
            to(command),
        )
        .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_scenario_reads_and_every_author_is_a_member() {
        let scenario = scenario().expect("the scenario parses");
        let members: Vec<&str> = scenario.members.iter().map(|m| m.slug.as_str()).collect();
        for consultation in &scenario.consultations {
            for contribution in &consultation.contributions {
                if let ScenarioAuthor::Member(slug) = &contribution.author {
                    assert!(
                        members.contains(&slug.as_str()),
                        "{} is by an unknown member {slug}",
                        contribution.slug
                    );
                }
            }
        }
    }

    #[test]
    fn the_expected_figures_follow_from_the_answers() {
        let scenario = scenario().expect("the scenario parses");
        let perimetre = scenario
            .consultations
            .iter()
            .find(|c| c.slug == "perimetre")
            .expect("perimetre");
        let deadline = perimetre.closes_on
            + chrono::Days::new(perimetre.answer_within_days_after_closing.into());
        assert_eq!(
            deadline.to_string(),
            scenario.expected["perimetre"]["answer_deadline"]
        );
        let decision = scenario
            .decisions
            .iter()
            .find(|d| d.slug == "d-perimetre")
            .expect("d-perimetre");
        let count = |d: Disposition| {
            decision
                .answers
                .iter()
                .filter(|a| a.disposition == d)
                .count()
        };
        assert_eq!(
            (
                count(Disposition::Retained),
                count(Disposition::PartlyRetained),
                count(Disposition::NotRetained)
            ),
            (9, 3, 2)
        );
        let late: Vec<&str> = decision
            .answers
            .iter()
            .filter(|a| a.published_on > deadline)
            .map(|a| a.contribution.as_str())
            .collect();
        assert_eq!(late, ["p10"]);
        assert_eq!(
            serde_json::json!(late),
            scenario.expected["perimetre"]["late_answers"]
        );
    }

    #[test]
    fn ids_are_stable_and_distinct_by_kind() {
        assert_eq!(
            id_of("member", "karim-benali"),
            id_of("member", "karim-benali")
        );
        assert_ne!(id_of("member", "ca"), id_of("body", "ca"));
    }
}
