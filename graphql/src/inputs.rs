//! Input types: one per mutation, each turned into the domain command it stands for.
//!
//! Only the shape of the input is checked here (ids are UUIDs, exactly one author, one kind of
//! tally); every rule of the domain is checked by the aggregate, in one place.

use async_graphql::{Enum, InputObject, ID};
use chrono::NaiveDate;
use cpts_domain::association::{AssociationCommand, Engagement};
use cpts_domain::command::AddressedCommand;
use cpts_domain::community::CommunityCommand;
use cpts_domain::consultation::{Author, ConsultationCommand, ConsultationTerms};
use cpts_domain::decision::{CollegeVotes, DecisionCommand, Proposal, Tally};
use cpts_domain::ids::{
    AssociationId, BodyId, CollegeId, CommunityId, ConsultationId, ContributionId, DecisionId,
    MemberId,
};
use cpts_domain::member::{MemberCommand, MemberKind};
use cpts_domain::values::Commune;
use uuid::Uuid;

use crate::errors::invalid_input;

type Result<T> = std::result::Result<T, async_graphql::Error>;

/// Parses a required id.
pub fn parse_id(field: &str, id: &ID) -> Result<Uuid> {
    Uuid::parse_str(id.as_str()).map_err(|_| {
        invalid_input(
            "api-invalid-uuid",
            &[("id", id.as_str().into()), ("field", field.into())],
        )
    })
}

/// Parses an optional id for a record being created, or makes a new one.
pub fn new_or_given(field: &str, id: Option<&ID>) -> Result<Uuid> {
    id.map_or_else(|| Ok(Uuid::new_v4()), |id| parse_id(field, id))
}

/// Generates a GraphQL enum mirroring a domain vocabulary, converted both ways.
macro_rules! graphql_enum {
    ($(#[$doc:meta])* $name:ident = $remote:literal { $($variant:ident),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
        #[graphql(remote = $remote)]
        pub enum $name {
            $(#[allow(missing_docs)] $variant,)+
        }
    };
}

graphql_enum!(
    /// The four moments where users act in a CPTS.
    Moment = "cpts_domain::values::Moment" { Diagnosis, Prioritisation, Evaluation, Governance }
);
graphql_enum!(
    /// The missions of a CPTS.
    Mission = "cpts_domain::values::Mission" {
        AccessToCare, CarePathways, Prevention, Quality, SupportToProfessionals, Crisis
    }
);
graphql_enum!(
    /// A rung of the participation ladder.
    Rung = "cpts_domain::values::Rung" { Inform, Consult, Involve, Collaborate, Empower }
);
graphql_enum!(
    /// How a consultation gathers contributions.
    Method = "cpts_domain::values::Method" { Workshop, Questionnaire, Interview, Meeting, Document }
);
graphql_enum!(
    /// What a contribution is.
    ContributionKind = "cpts_domain::values::ContributionKind" {
        Opinion, Proposal, Data, Testimony, MissingMember, PerimeterRemark
    }
);
graphql_enum!(
    /// What became of a contribution in a decision.
    Disposition = "cpts_domain::values::Disposition" {
        Retained, PartlyRetained, NotRetained, Deferred, OutOfScope
    }
);
graphql_enum!(
    /// The kind of a body.
    BodyKind = "cpts_domain::values::BodyKind" { GeneralAssembly, Board, Bureau, WorkingGroup }
);
graphql_enum!(
    /// The level of an association's approval.
    ApprovalLevel = "cpts_domain::values::ApprovalLevel" { National, Regional }
);
graphql_enum!(
    /// The outcome of a vote.
    VoteOutcome = "cpts_domain::values::VoteOutcome" { Adopted, Rejected, Deferred }
);
graphql_enum!(
    /// The language of texts shown to people.
    Lang = "cpts_domain::values::Lang" { Fr, En }
);

/// What kind of member.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
pub enum MemberKindInput {
    /// A health professional (give the profession).
    HealthProfessional,
    /// A health establishment.
    Establishment,
    /// A social body.
    SocialBody,
    /// A medico-social body.
    MedicoSocialBody,
    /// A representative of a users' association.
    AssociationRepresentative,
    /// The coordinator.
    Coordinator,
}

/// How an association engages with the CPTS.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
pub enum EngagementForm {
    /// Its representative takes part in actions.
    Participation,
    /// It signed a convention (give its reference).
    Partnership,
    /// It joined the CPTS.
    Governance,
}

/// A commune, by INSEE code.
#[derive(InputObject, Debug, Clone)]
pub struct CommuneInput {
    /// The INSEE code, e.g. "34301".
    pub insee: String,
    /// The name, e.g. "Sète".
    pub name: String,
}

fn communes(territory: Vec<CommuneInput>) -> Vec<Commune> {
    territory
        .into_iter()
        .map(|c| Commune {
            insee: c.insee,
            name: c.name,
        })
        .collect()
}

/// Turns an input into the command it stands for.
pub trait IntoCommand {
    /// The command, or why the input's shape is refused.
    fn into_command(self) -> Result<AddressedCommand>;
}

macro_rules! community_command {
    ($input:ident, $field:literal, |$s:ident| $command:expr) => {
        impl IntoCommand for $input {
            fn into_command(self) -> Result<AddressedCommand> {
                let id = CommunityId(parse_id($field, &self.community_id)?);
                let $s = self;
                Ok(AddressedCommand::Community {
                    id,
                    command: $command,
                })
            }
        }
    };
}

/// Registers a CPTS.
#[derive(InputObject, Debug)]
pub struct RegisterCommunityInput {
    /// The id to give it; a new one when absent.
    pub id: Option<ID>,
    /// Its name.
    pub name: String,
    /// The communes of its territory.
    pub territory: Vec<CommuneInput>,
}

impl IntoCommand for RegisterCommunityInput {
    fn into_command(self) -> Result<AddressedCommand> {
        let id = CommunityId(new_or_given("id", self.id.as_ref())?);
        let command = CommunityCommand::Register {
            community_id: id,
            name: self.name,
            territory: communes(self.territory),
        };
        Ok(AddressedCommand::Community { id, command })
    }
}

/// Replaces a CPTS's territory.
#[derive(InputObject, Debug)]
pub struct RedrawTerritoryInput {
    /// The CPTS.
    pub community_id: ID,
    /// The new territory.
    pub territory: Vec<CommuneInput>,
    /// Why it changes.
    pub reason: String,
}

community_command!(RedrawTerritoryInput, "communityId", |s| {
    CommunityCommand::RedrawTerritory {
        territory: communes(s.territory),
        reason: s.reason,
    }
});

/// Defines a collège.
#[derive(InputObject, Debug)]
pub struct DefineCollegeInput {
    /// The CPTS.
    pub community_id: ID,
    /// The id to give the collège; a new one when absent.
    pub college_id: Option<ID>,
    /// Its name.
    pub name: String,
    /// Whether it is the collège usagers.
    #[graphql(default)]
    pub is_users_college: bool,
}

impl IntoCommand for DefineCollegeInput {
    fn into_command(self) -> Result<AddressedCommand> {
        let id = CommunityId(parse_id("communityId", &self.community_id)?);
        let college_id = CollegeId(new_or_given("collegeId", self.college_id.as_ref())?);
        let command = CommunityCommand::DefineCollege {
            college_id,
            name: self.name,
            is_users_college: self.is_users_college,
        };
        Ok(AddressedCommand::Community { id, command })
    }
}

/// Establishes a body.
#[derive(InputObject, Debug)]
pub struct EstablishBodyInput {
    /// The CPTS.
    pub community_id: ID,
    /// The id to give the body; a new one when absent.
    pub body_id: Option<ID>,
    /// Its kind.
    pub kind: BodyKind,
    /// Its name.
    pub name: String,
}

impl IntoCommand for EstablishBodyInput {
    fn into_command(self) -> Result<AddressedCommand> {
        let id = CommunityId(parse_id("communityId", &self.community_id)?);
        let body_id = BodyId(new_or_given("bodyId", self.body_id.as_ref())?);
        let command = CommunityCommand::EstablishBody {
            body_id,
            kind: self.kind.into(),
            name: self.name,
        };
        Ok(AddressedCommand::Community { id, command })
    }
}

/// Records the adoption of the internal rules.
#[derive(InputObject, Debug)]
pub struct AdoptInternalRulesInput {
    /// The CPTS.
    pub community_id: ID,
    /// When they were adopted.
    pub adopted_on: NaiveDate,
    /// Whether they reimburse representatives' travel expenses.
    pub travel_expenses_reimbursed: bool,
}

community_command!(AdoptInternalRulesInput, "communityId", |s| {
    CommunityCommand::AdoptInternalRules {
        adopted_on: s.adopted_on,
        travel_expenses_reimbursed: s.travel_expenses_reimbursed,
    }
});

macro_rules! addressed {
    ($input:ident, $variant:ident, $id_type:ident, $id_field:ident, $name:literal, |$s:ident| $command:expr) => {
        impl IntoCommand for $input {
            fn into_command(self) -> Result<AddressedCommand> {
                let id = $id_type(parse_id($name, &self.$id_field)?);
                let $s = self;
                Ok(AddressedCommand::$variant {
                    id,
                    command: $command,
                })
            }
        }
    };
}

/// Registers an association.
#[derive(InputObject, Debug)]
pub struct RegisterAssociationInput {
    /// The id to give it; a new one when absent.
    pub id: Option<ID>,
    /// The CPTS it works with.
    pub community_id: ID,
    /// Its name.
    pub name: String,
}

impl IntoCommand for RegisterAssociationInput {
    fn into_command(self) -> Result<AddressedCommand> {
        let id = AssociationId(new_or_given("id", self.id.as_ref())?);
        let community_id = CommunityId(parse_id("communityId", &self.community_id)?);
        let command = AssociationCommand::Register {
            association_id: id,
            community_id,
            name: self.name,
        };
        Ok(AddressedCommand::Association { id, command })
    }
}

/// Records an association's approval (valid five years).
#[derive(InputObject, Debug)]
pub struct RecordApprovalInput {
    /// The association.
    pub association_id: ID,
    /// National or regional.
    pub level: ApprovalLevel,
    /// When it was granted.
    pub granted_on: NaiveDate,
}

addressed!(
    RecordApprovalInput,
    Association,
    AssociationId,
    association_id,
    "associationId",
    |s| {
        AssociationCommand::RecordApproval {
            level: s.level.into(),
            granted_on: s.granted_on,
        }
    }
);

/// Records how an association engages with the CPTS.
#[derive(InputObject, Debug)]
pub struct EngageAssociationInput {
    /// The association.
    pub association_id: ID,
    /// The form of engagement.
    pub form: EngagementForm,
    /// The convention's reference, for a partnership.
    pub convention_reference: Option<String>,
    /// Since when.
    pub since: NaiveDate,
}

impl IntoCommand for EngageAssociationInput {
    fn into_command(self) -> Result<AddressedCommand> {
        let id = AssociationId(parse_id("associationId", &self.association_id)?);
        let engagement = match (self.form, self.convention_reference) {
            (EngagementForm::Partnership, reference) => Engagement::Partnership {
                convention_reference: reference.unwrap_or_default(),
            },
            (_, Some(_)) => {
                return Err(invalid_input(
                    "api-convention-reference-for-partnership",
                    &[],
                ))
            }
            (EngagementForm::Participation, None) => Engagement::Participation,
            (EngagementForm::Governance, None) => Engagement::Governance,
        };
        let command = AssociationCommand::Engage {
            engagement,
            since: self.since,
        };
        Ok(AddressedCommand::Association { id, command })
    }
}

/// Records that an association withdrew.
#[derive(InputObject, Debug)]
pub struct WithdrawAssociationInput {
    /// The association.
    pub association_id: ID,
    /// When.
    pub on: NaiveDate,
    /// Why, if known.
    pub reason: Option<String>,
}

addressed!(
    WithdrawAssociationInput,
    Association,
    AssociationId,
    association_id,
    "associationId",
    |s| {
        AssociationCommand::Withdraw {
            on: s.on,
            reason: s.reason,
        }
    }
);

/// Admits a member.
#[derive(InputObject, Debug)]
pub struct AdmitMemberInput {
    /// The id to give the member; a new one when absent.
    pub id: Option<ID>,
    /// The CPTS.
    pub community_id: ID,
    /// The member's name.
    pub name: String,
    /// What kind of member.
    pub kind: MemberKindInput,
    /// The profession, for a health professional only.
    pub profession: Option<String>,
    /// When admitted.
    pub admitted_on: NaiveDate,
}

impl IntoCommand for AdmitMemberInput {
    fn into_command(self) -> Result<AddressedCommand> {
        let id = MemberId(new_or_given("id", self.id.as_ref())?);
        let community_id = CommunityId(parse_id("communityId", &self.community_id)?);
        let kind = match (self.kind, self.profession) {
            (MemberKindInput::HealthProfessional, profession) => MemberKind::HealthProfessional {
                profession: profession.unwrap_or_default(),
            },
            (_, Some(_)) => {
                return Err(invalid_input("api-profession-for-health-professional", &[]))
            }
            (MemberKindInput::Establishment, None) => MemberKind::Establishment,
            (MemberKindInput::SocialBody, None) => MemberKind::SocialBody,
            (MemberKindInput::MedicoSocialBody, None) => MemberKind::MedicoSocialBody,
            (MemberKindInput::AssociationRepresentative, None) => {
                MemberKind::AssociationRepresentative
            }
            (MemberKindInput::Coordinator, None) => MemberKind::Coordinator,
        };
        let command = MemberCommand::Admit {
            member_id: id,
            community_id,
            name: self.name,
            kind,
            admitted_on: self.admitted_on,
        };
        Ok(AddressedCommand::Member { id, command })
    }
}

/// Records an association's mandate for a representative.
#[derive(InputObject, Debug)]
pub struct GrantMandateInput {
    /// The representative.
    pub member_id: ID,
    /// The mandating association.
    pub association_id: ID,
    /// First day.
    pub start: NaiveDate,
    /// Last day.
    pub end: NaiveDate,
    /// Whether the representative lives in the territory.
    pub lives_in_territory: bool,
    /// Where the representative lives.
    pub commune: Option<String>,
    /// The written cadre d'intervention, if there is one yet.
    pub cadre_intervention: Option<String>,
}

impl IntoCommand for GrantMandateInput {
    fn into_command(self) -> Result<AddressedCommand> {
        let id = MemberId(parse_id("memberId", &self.member_id)?);
        let command = MemberCommand::GrantMandate {
            association_id: AssociationId(parse_id("associationId", &self.association_id)?),
            start: self.start,
            end: self.end,
            lives_in_territory: self.lives_in_territory,
            commune: self.commune,
            cadre_intervention: self.cadre_intervention,
        };
        Ok(AddressedCommand::Member { id, command })
    }
}

/// Records a representative's written cadre d'intervention.
#[derive(InputObject, Debug)]
pub struct WriteCadreInterventionInput {
    /// The representative.
    pub member_id: ID,
    /// The text.
    pub text: String,
}

addressed!(
    WriteCadreInterventionInput,
    Member,
    MemberId,
    member_id,
    "memberId",
    |s| { MemberCommand::WriteCadreIntervention { text: s.text } }
);

/// Ends a representative's mandate early.
#[derive(InputObject, Debug)]
pub struct EndMandateInput {
    /// The representative.
    pub member_id: ID,
    /// From when the mandate is no longer active.
    pub on: NaiveDate,
    /// Why.
    pub reason: Option<String>,
}

addressed!(
    EndMandateInput,
    Member,
    MemberId,
    member_id,
    "memberId",
    |s| {
        MemberCommand::EndMandate {
            on: s.on,
            reason: s.reason,
        }
    }
);

/// Seats a member in a collège.
#[derive(InputObject, Debug)]
pub struct SeatInCollegeInput {
    /// The member.
    pub member_id: ID,
    /// The collège.
    pub college_id: ID,
    /// From when.
    pub on: NaiveDate,
}

impl IntoCommand for SeatInCollegeInput {
    fn into_command(self) -> Result<AddressedCommand> {
        let id = MemberId(parse_id("memberId", &self.member_id)?);
        let college_id = CollegeId(parse_id("collegeId", &self.college_id)?);
        let command = MemberCommand::SeatInCollege {
            college_id,
            on: self.on,
        };
        Ok(AddressedCommand::Member { id, command })
    }
}

/// Seats a member in a body, or records that they left it.
#[derive(InputObject, Debug)]
pub struct BodySeatInput {
    /// The member.
    pub member_id: ID,
    /// The body.
    pub body_id: ID,
    /// When.
    pub on: NaiveDate,
}

impl BodySeatInput {
    fn ids(&self) -> Result<(MemberId, BodyId)> {
        Ok((
            MemberId(parse_id("memberId", &self.member_id)?),
            BodyId(parse_id("bodyId", &self.body_id)?),
        ))
    }

    /// The command that seats the member.
    pub fn seat(self) -> Result<AddressedCommand> {
        let (id, body_id) = self.ids()?;
        Ok(AddressedCommand::Member {
            id,
            command: MemberCommand::SeatInBody {
                body_id,
                on: self.on,
            },
        })
    }

    /// The command that records the member left.
    pub fn leave(self) -> Result<AddressedCommand> {
        let (id, body_id) = self.ids()?;
        Ok(AddressedCommand::Member {
            id,
            command: MemberCommand::LeaveBody {
                body_id,
                on: self.on,
            },
        })
    }
}

/// Records that a member left the CPTS.
#[derive(InputObject, Debug)]
pub struct RecordDepartureInput {
    /// The member.
    pub member_id: ID,
    /// When.
    pub on: NaiveDate,
    /// Why, if known.
    pub reason: Option<String>,
}

addressed!(
    RecordDepartureInput,
    Member,
    MemberId,
    member_id,
    "memberId",
    |s| {
        MemberCommand::Depart {
            on: s.on,
            reason: s.reason,
        }
    }
);

/// Erases a member's personal data at their request.
#[derive(InputObject, Debug)]
pub struct ErasePersonalDataInput {
    /// The member.
    pub member_id: ID,
    /// When the erasure was decided.
    pub on: NaiveDate,
}

addressed!(
    ErasePersonalDataInput,
    Member,
    MemberId,
    member_id,
    "memberId",
    |s| { MemberCommand::ErasePersonalData { on: s.on } }
);

/// Sets how a member is told what became of their contributions. A member may set their own;
/// a coordinator anyone's of their CPTS.
#[derive(InputObject, Debug)]
pub struct SetContactInput {
    /// The member.
    pub member_id: ID,
    /// The e-mail address (personal data); none: no e-mail.
    pub email: Option<String>,
    /// The language of the messages; French by default.
    pub language: Option<Lang>,
}

addressed!(
    SetContactInput,
    Member,
    MemberId,
    member_id,
    "memberId",
    |s| {
        MemberCommand::SetContact {
            email: s.email,
            language: s.language.map(Into::into).unwrap_or_default(),
        }
    }
);

/// Withdraws a member's e-mail address: nothing more is sent to it, and no copy of the record
/// reads it any more. A member withdraws their own; a coordinator anyone's of their CPTS.
#[derive(InputObject, Debug)]
pub struct WithdrawContactInput {
    /// The member.
    pub member_id: ID,
}

addressed!(
    WithdrawContactInput,
    Member,
    MemberId,
    member_id,
    "memberId",
    |_s| { MemberCommand::WithdrawContact }
);

/// Opens a consultation.
#[derive(InputObject, Debug)]
pub struct OpenConsultationInput {
    /// The id to give it; a new one when absent.
    pub id: Option<ID>,
    /// The CPTS.
    pub community_id: ID,
    /// The subject.
    pub subject: String,
    /// The moment of participation.
    pub moment: Moment,
    /// The mission served.
    pub mission: Mission,
    /// The rung of the participation ladder: the promise made.
    pub rung: Rung,
    /// Who is consulted.
    pub audience: String,
    /// How.
    pub method: Method,
    /// First day contributions are received.
    pub opens_on: NaiveDate,
    /// Last day contributions are received.
    pub closes_on: NaiveDate,
    /// Days after closing within which every contribution is answered.
    pub answer_within_days: u32,
}

impl IntoCommand for OpenConsultationInput {
    fn into_command(self) -> Result<AddressedCommand> {
        let id = ConsultationId(new_or_given("id", self.id.as_ref())?);
        let community_id = CommunityId(parse_id("communityId", &self.community_id)?);
        let terms = ConsultationTerms {
            subject: self.subject,
            moment: self.moment.into(),
            mission: self.mission.into(),
            rung: self.rung.into(),
            audience: self.audience,
            method: self.method.into(),
            opens_on: self.opens_on,
            closes_on: self.closes_on,
            answer_within_days: self.answer_within_days,
        };
        let command = ConsultationCommand::Open {
            consultation_id: id,
            community_id,
            terms,
        };
        Ok(AddressedCommand::Consultation { id, command })
    }
}

/// Records a contribution dated within its consultation's period, closed or not: by a member
/// (`memberId`), or by an anonymous inhabitant (no `memberId`, optionally `anonymousCommune`).
#[derive(InputObject, Debug)]
pub struct SubmitContributionInput {
    /// The consultation.
    pub consultation_id: ID,
    /// The id to give the contribution; a new one when absent.
    pub contribution_id: Option<ID>,
    /// The member who wrote it; absent for an anonymous inhabitant.
    pub member_id: Option<ID>,
    /// The anonymous inhabitant's commune, if given.
    pub anonymous_commune: Option<String>,
    /// What it is.
    pub kind: ContributionKind,
    /// Its text.
    pub text: String,
    /// When it was submitted.
    pub submitted_on: NaiveDate,
    /// The name of an attached file.
    pub attachment: Option<String>,
}

/// Who wrote a contribution, from the input's `memberId` and `anonymousCommune`.
fn author(member_id: Option<ID>, anonymous_commune: Option<String>) -> Result<Author> {
    Ok(match (member_id, anonymous_commune) {
        (Some(_), Some(_)) => return Err(invalid_input("api-member-or-anonymous", &[])),
        (Some(member), None) => Author::Member {
            member_id: MemberId(parse_id("memberId", &member)?),
        },
        (None, commune) => Author::Anonymous { commune },
    })
}

impl IntoCommand for SubmitContributionInput {
    fn into_command(self) -> Result<AddressedCommand> {
        let id = ConsultationId(parse_id("consultationId", &self.consultation_id)?);
        let contribution_id = ContributionId(new_or_given(
            "contributionId",
            self.contribution_id.as_ref(),
        )?);
        let command = ConsultationCommand::Submit {
            contribution_id,
            author: author(self.member_id, self.anonymous_commune)?,
            kind: self.kind.into(),
            text: self.text,
            submitted_on: self.submitted_on,
            attachment: self.attachment,
            file: None,
        };
        Ok(AddressedCommand::Consultation { id, command })
    }
}

/// Records a contribution received after its consultation's closing, accepted as late
/// (coordinators only), with the day it was received and why: by a member (`memberId`), or by
/// an anonymous inhabitant (no `memberId`, optionally `anonymousCommune`).
#[derive(InputObject, Debug)]
pub struct AcceptLateContributionInput {
    /// The consultation.
    pub consultation_id: ID,
    /// The id to give the contribution; a new one when absent.
    pub contribution_id: Option<ID>,
    /// The member who wrote it; absent for an anonymous inhabitant.
    pub member_id: Option<ID>,
    /// The anonymous inhabitant's commune, if given.
    pub anonymous_commune: Option<String>,
    /// What it is.
    pub kind: ContributionKind,
    /// Its text.
    pub text: String,
    /// When it was received: after the consultation's last day.
    pub received_on: NaiveDate,
    /// Why it is accepted all the same (shown wherever the contribution is; not personal data,
    /// so do not name the author in it).
    pub reason: String,
    /// The name of an attached file.
    pub attachment: Option<String>,
}

impl IntoCommand for AcceptLateContributionInput {
    fn into_command(self) -> Result<AddressedCommand> {
        let id = ConsultationId(parse_id("consultationId", &self.consultation_id)?);
        let contribution_id = ContributionId(new_or_given(
            "contributionId",
            self.contribution_id.as_ref(),
        )?);
        let command = ConsultationCommand::AcceptLateContribution {
            contribution_id,
            author: author(self.member_id, self.anonymous_commune)?,
            kind: self.kind.into(),
            text: self.text,
            received_on: self.received_on,
            reason: self.reason,
            attachment: self.attachment,
            file: None,
        };
        Ok(AddressedCommand::Consultation { id, command })
    }
}

/// Amends a contribution's text.
#[derive(InputObject, Debug)]
pub struct AmendContributionInput {
    /// The consultation.
    pub consultation_id: ID,
    /// The contribution.
    pub contribution_id: ID,
    /// The new text.
    pub text: String,
    /// When.
    pub on: NaiveDate,
    /// Why; required when its author amends it themselves.
    pub reason: Option<String>,
}

impl IntoCommand for AmendContributionInput {
    fn into_command(self) -> Result<AddressedCommand> {
        let id = ConsultationId(parse_id("consultationId", &self.consultation_id)?);
        let contribution_id = ContributionId(parse_id("contributionId", &self.contribution_id)?);
        let command = ConsultationCommand::Amend {
            contribution_id,
            text: self.text,
            on: self.on,
            reason: self.reason,
            by: None,
            answer_published: false,
        };
        Ok(AddressedCommand::Consultation { id, command })
    }
}

/// Withdraws a contribution.
#[derive(InputObject, Debug)]
pub struct WithdrawContributionInput {
    /// The consultation.
    pub consultation_id: ID,
    /// The contribution.
    pub contribution_id: ID,
    /// When.
    pub on: NaiveDate,
    /// Why; required when its author withdraws it themselves.
    pub reason: Option<String>,
}

impl IntoCommand for WithdrawContributionInput {
    fn into_command(self) -> Result<AddressedCommand> {
        let id = ConsultationId(parse_id("consultationId", &self.consultation_id)?);
        let contribution_id = ContributionId(parse_id("contributionId", &self.contribution_id)?);
        let command = ConsultationCommand::Withdraw {
            contribution_id,
            on: self.on,
            reason: self.reason,
            by: None,
            answer_published: false,
        };
        Ok(AddressedCommand::Consultation { id, command })
    }
}

/// Records the e-mail address an anonymous inhabitant left with their contribution, to be told
/// what became of it (personal data; they can unsubscribe, which erases it).
#[derive(InputObject, Debug)]
pub struct LeaveContactInput {
    /// The consultation.
    pub consultation_id: ID,
    /// The contribution, by an anonymous inhabitant.
    pub contribution_id: ID,
    /// The e-mail address.
    pub email: String,
    /// The language of the messages; French by default.
    pub language: Option<Lang>,
}

impl IntoCommand for LeaveContactInput {
    fn into_command(self) -> Result<AddressedCommand> {
        let id = ConsultationId(parse_id("consultationId", &self.consultation_id)?);
        let contribution_id = ContributionId(parse_id("contributionId", &self.contribution_id)?);
        let command = ConsultationCommand::LeaveContact {
            contribution_id,
            email: self.email,
            language: self.language.map(Into::into).unwrap_or_default(),
        };
        Ok(AddressedCommand::Consultation { id, command })
    }
}

/// Withdraws the address an anonymous inhabitant left with their contribution, at their
/// request: nothing more is sent to it and its key is destroyed. Coordinators only.
#[derive(InputObject, Debug)]
pub struct WithdrawInhabitantContactInput {
    /// The consultation.
    pub consultation_id: ID,
    /// The contribution the address was left with.
    pub contribution_id: ID,
}

impl IntoCommand for WithdrawInhabitantContactInput {
    fn into_command(self) -> Result<AddressedCommand> {
        let id = ConsultationId(parse_id("consultationId", &self.consultation_id)?);
        let contribution_id = ContributionId(parse_id("contributionId", &self.contribution_id)?);
        let command = ConsultationCommand::WithdrawInhabitantContact { contribution_id };
        Ok(AddressedCommand::Consultation { id, command })
    }
}

/// Closes a consultation.
#[derive(InputObject, Debug)]
pub struct CloseConsultationInput {
    /// The consultation.
    pub consultation_id: ID,
    /// When.
    pub on: NaiveDate,
}

addressed!(
    CloseConsultationInput,
    Consultation,
    ConsultationId,
    consultation_id,
    "consultationId",
    |s| { ConsultationCommand::Close { on: s.on } }
);

/// Publishes a consultation's synthesis.
#[derive(InputObject, Debug)]
pub struct PublishSynthesisInput {
    /// The consultation.
    pub consultation_id: ID,
    /// The synthesis.
    pub text: String,
    /// When.
    pub on: NaiveDate,
}

addressed!(
    PublishSynthesisInput,
    Consultation,
    ConsultationId,
    consultation_id,
    "consultationId",
    |s| {
        ConsultationCommand::PublishSynthesis {
            text: s.text,
            on: s.on,
        }
    }
);

/// Proposes a decision to a body.
#[derive(InputObject, Debug)]
pub struct ProposeDecisionInput {
    /// The id to give it; a new one when absent.
    pub id: Option<ID>,
    /// The CPTS.
    pub community_id: ID,
    /// The body that decides.
    pub body_id: ID,
    /// The title.
    pub title: String,
    /// The text.
    pub text: String,
    /// The moment of participation.
    pub moment: Moment,
    /// The mission served.
    pub mission: Mission,
    /// When it was proposed.
    pub proposed_on: NaiveDate,
}

impl IntoCommand for ProposeDecisionInput {
    fn into_command(self) -> Result<AddressedCommand> {
        let id = DecisionId(new_or_given("id", self.id.as_ref())?);
        let community_id = CommunityId(parse_id("communityId", &self.community_id)?);
        let proposal = Proposal {
            body_id: BodyId(parse_id("bodyId", &self.body_id)?),
            title: self.title,
            text: self.text,
            moment: self.moment.into(),
            mission: self.mission.into(),
            proposed_on: self.proposed_on,
        };
        let command = DecisionCommand::Propose {
            decision_id: id,
            community_id,
            proposal,
        };
        Ok(AddressedCommand::Decision { id, command })
    }
}

/// Links a consultation a decision draws on.
#[derive(InputObject, Debug)]
pub struct LinkConsultationInput {
    /// The decision.
    pub decision_id: ID,
    /// The consultation.
    pub consultation_id: ID,
}

impl IntoCommand for LinkConsultationInput {
    fn into_command(self) -> Result<AddressedCommand> {
        let id = DecisionId(parse_id("decisionId", &self.decision_id)?);
        let consultation_id = ConsultationId(parse_id("consultationId", &self.consultation_id)?);
        Ok(AddressedCommand::Decision {
            id,
            command: DecisionCommand::LinkConsultation { consultation_id },
        })
    }
}

/// Drafts the answer to a contribution.
#[derive(InputObject, Debug)]
pub struct DraftAnswerInput {
    /// The decision.
    pub decision_id: ID,
    /// The consultation of the contribution.
    pub consultation_id: ID,
    /// The contribution.
    pub contribution_id: ID,
    /// What became of it.
    pub disposition: Disposition,
    /// Why; required unless retained.
    pub rationale: Option<String>,
    /// When.
    pub on: NaiveDate,
}

impl IntoCommand for DraftAnswerInput {
    fn into_command(self) -> Result<AddressedCommand> {
        let id = DecisionId(parse_id("decisionId", &self.decision_id)?);
        let command = DecisionCommand::DraftAnswer {
            consultation_id: ConsultationId(parse_id("consultationId", &self.consultation_id)?),
            contribution_id: ContributionId(parse_id("contributionId", &self.contribution_id)?),
            disposition: self.disposition.into(),
            rationale: self.rationale,
            on: self.on,
        };
        Ok(AddressedCommand::Decision { id, command })
    }
}

/// Revises an answer; it must then be published again.
#[derive(InputObject, Debug)]
pub struct ReviseAnswerInput {
    /// The decision.
    pub decision_id: ID,
    /// The contribution.
    pub contribution_id: ID,
    /// The new disposition.
    pub disposition: Disposition,
    /// The new rationale; required unless retained.
    pub rationale: Option<String>,
    /// Why the answer is revised.
    pub reason: String,
    /// When.
    pub on: NaiveDate,
}

impl IntoCommand for ReviseAnswerInput {
    fn into_command(self) -> Result<AddressedCommand> {
        let id = DecisionId(parse_id("decisionId", &self.decision_id)?);
        let command = DecisionCommand::ReviseAnswer {
            contribution_id: ContributionId(parse_id("contributionId", &self.contribution_id)?),
            disposition: self.disposition.into(),
            rationale: self.rationale,
            reason: self.reason,
            on: self.on,
        };
        Ok(AddressedCommand::Decision { id, command })
    }
}

/// Publishes one answer.
#[derive(InputObject, Debug)]
pub struct PublishAnswerInput {
    /// The decision.
    pub decision_id: ID,
    /// The contribution whose answer is published.
    pub contribution_id: ID,
    /// When.
    pub on: NaiveDate,
}

impl IntoCommand for PublishAnswerInput {
    fn into_command(self) -> Result<AddressedCommand> {
        let id = DecisionId(parse_id("decisionId", &self.decision_id)?);
        let contribution_id = ContributionId(parse_id("contributionId", &self.contribution_id)?);
        Ok(AddressedCommand::Decision {
            id,
            command: DecisionCommand::PublishAnswer {
                contribution_id,
                on: self.on,
            },
        })
    }
}

/// Publishes every drafted answer of a decision.
#[derive(InputObject, Debug)]
pub struct PublishAllAnswersInput {
    /// The decision.
    pub decision_id: ID,
    /// When.
    pub on: NaiveDate,
}

addressed!(
    PublishAllAnswersInput,
    Decision,
    DecisionId,
    decision_id,
    "decisionId",
    |s| { DecisionCommand::PublishAllAnswers { on: s.on } }
);

/// The votes of one collège.
#[derive(InputObject, Debug)]
pub struct CollegeVotesInput {
    /// The collège.
    pub college_id: ID,
    /// Votes for.
    pub votes_for: u32,
    /// Votes against.
    pub votes_against: u32,
    /// Abstentions.
    pub abstentions: u32,
}

/// Records a decision's vote: by collège (`colleges`) or by consensus (`consensus: true`).
#[derive(InputObject, Debug)]
pub struct RecordVoteInput {
    /// The decision.
    pub decision_id: ID,
    /// When.
    pub on: NaiveDate,
    /// The outcome.
    pub outcome: VoteOutcome,
    /// Whether it was decided by consensus, without counting.
    #[graphql(default)]
    pub consensus: bool,
    /// The votes per collège.
    pub colleges: Option<Vec<CollegeVotesInput>>,
}

impl IntoCommand for RecordVoteInput {
    fn into_command(self) -> Result<AddressedCommand> {
        let id = DecisionId(parse_id("decisionId", &self.decision_id)?);
        let tally = match (self.consensus, self.colleges) {
            (true, None) => Tally::Consensus,
            (false, Some(colleges)) => Tally::ByCollege {
                colleges: colleges
                    .into_iter()
                    .map(|c| {
                        Ok(CollegeVotes {
                            college_id: CollegeId(parse_id("collegeId", &c.college_id)?),
                            votes_for: c.votes_for,
                            votes_against: c.votes_against,
                            abstentions: c.abstentions,
                        })
                    })
                    .collect::<Result<_>>()?,
            },
            _ => return Err(invalid_input("api-votes-or-consensus", &[])),
        };
        let command = DecisionCommand::RecordVote {
            on: self.on,
            tally,
            outcome: self.outcome.into(),
        };
        Ok(AddressedCommand::Decision { id, command })
    }
}

/// Amends a decision's text.
#[derive(InputObject, Debug)]
pub struct AmendDecisionInput {
    /// The decision.
    pub decision_id: ID,
    /// The new text.
    pub text: String,
    /// Why.
    pub reason: String,
    /// When.
    pub on: NaiveDate,
}

addressed!(
    AmendDecisionInput,
    Decision,
    DecisionId,
    decision_id,
    "decisionId",
    |s| {
        DecisionCommand::Amend {
            text: s.text,
            reason: s.reason,
            on: s.on,
        }
    }
);

/// Withdraws a decision.
#[derive(InputObject, Debug)]
pub struct WithdrawDecisionInput {
    /// The decision.
    pub decision_id: ID,
    /// Why.
    pub reason: String,
    /// When.
    pub on: NaiveDate,
}

addressed!(
    WithdrawDecisionInput,
    Decision,
    DecisionId,
    decision_id,
    "decisionId",
    |s| {
        DecisionCommand::Withdraw {
            reason: s.reason,
            on: s.on,
        }
    }
);

/// Records an implementation milestone of an adopted decision.
#[derive(InputObject, Debug)]
pub struct RecordMilestoneInput {
    /// The decision.
    pub decision_id: ID,
    /// What was done.
    pub milestone: String,
    /// When.
    pub on: NaiveDate,
}

addressed!(
    RecordMilestoneInput,
    Decision,
    DecisionId,
    decision_id,
    "decisionId",
    |s| {
        DecisionCommand::RecordMilestone {
            milestone: s.milestone,
            on: s.on,
        }
    }
);

/// Reports an indicator value of an adopted decision.
#[derive(InputObject, Debug)]
pub struct ReportIndicatorInput {
    /// The decision.
    pub decision_id: ID,
    /// The indicator.
    pub indicator: String,
    /// The period measured, e.g. "2026-09".
    pub period: String,
    /// The value.
    pub value: f64,
    /// The target, if any.
    pub target: Option<f64>,
    /// When it was reported.
    pub on: NaiveDate,
}

addressed!(
    ReportIndicatorInput,
    Decision,
    DecisionId,
    decision_id,
    "decisionId",
    |s| {
        DecisionCommand::ReportIndicator {
            indicator: s.indicator,
            period: s.period,
            value: s.value,
            target: s.target,
            on: s.on,
        }
    }
);
