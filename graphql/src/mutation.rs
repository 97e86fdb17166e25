//! Mutations: one per domain command. Each returns the events its command recorded.

use async_graphql::{Context, Object, Result, Upload, ID};
use cpts_domain::access::Caller;
use cpts_domain::command::AddressedCommand;
use cpts_domain::consultation::ConsultationCommand;

use crate::inputs::*;
use crate::types::CommandResult;

/// The domain's commands; the served root ([`crate::Mutation`]) merges them with the tokens'.
#[derive(Debug, Default)]
pub struct MutationRoot;

#[Object(name = "DomainMutations")]
impl MutationRoot {
    /// Registers a CPTS with its territory. A coordinator registers the CPTS of their token:
    /// without `id`, that is the id it gets.
    async fn register_community(
        &self,
        ctx: &Context<'_>,
        mut input: RegisterCommunityInput,
        command_id: Option<ID>,
    ) -> Result<CommandResult> {
        if let (None, Some(community)) = (&input.id, crate::types::caller(ctx).community()) {
            input.id = Some(ID(community.to_string()));
        }
        crate::types::execute(ctx, input.into_command()?, command_id).await
    }

    /// Replaces a CPTS's territory, with the reason.
    async fn redraw_territory(
        &self,
        ctx: &Context<'_>,
        input: RedrawTerritoryInput,
        command_id: Option<ID>,
    ) -> Result<CommandResult> {
        crate::types::execute(ctx, input.into_command()?, command_id).await
    }

    /// Defines a collège of the statutes.
    async fn define_college(
        &self,
        ctx: &Context<'_>,
        input: DefineCollegeInput,
        command_id: Option<ID>,
    ) -> Result<CommandResult> {
        crate::types::execute(ctx, input.into_command()?, command_id).await
    }

    /// Establishes a body: general assembly, board, bureau or working group.
    async fn establish_body(
        &self,
        ctx: &Context<'_>,
        input: EstablishBodyInput,
        command_id: Option<ID>,
    ) -> Result<CommandResult> {
        crate::types::execute(ctx, input.into_command()?, command_id).await
    }

    /// Records the adoption of the internal rules (règlement intérieur).
    async fn adopt_internal_rules(
        &self,
        ctx: &Context<'_>,
        input: AdoptInternalRulesInput,
        command_id: Option<ID>,
    ) -> Result<CommandResult> {
        crate::types::execute(ctx, input.into_command()?, command_id).await
    }

    /// Registers a users' or patients' association.
    async fn register_association(
        &self,
        ctx: &Context<'_>,
        input: RegisterAssociationInput,
        command_id: Option<ID>,
    ) -> Result<CommandResult> {
        crate::types::execute(ctx, input.into_command()?, command_id).await
    }

    /// Records an association's approval (agrément), valid five years.
    async fn record_approval(
        &self,
        ctx: &Context<'_>,
        input: RecordApprovalInput,
        command_id: Option<ID>,
    ) -> Result<CommandResult> {
        crate::types::execute(ctx, input.into_command()?, command_id).await
    }

    /// Records how an association engages with the CPTS.
    async fn engage_association(
        &self,
        ctx: &Context<'_>,
        input: EngageAssociationInput,
        command_id: Option<ID>,
    ) -> Result<CommandResult> {
        crate::types::execute(ctx, input.into_command()?, command_id).await
    }

    /// Records that an association withdrew from the CPTS.
    async fn withdraw_association(
        &self,
        ctx: &Context<'_>,
        input: WithdrawAssociationInput,
        command_id: Option<ID>,
    ) -> Result<CommandResult> {
        crate::types::execute(ctx, input.into_command()?, command_id).await
    }

    /// Admits a person or an organisation as a member.
    async fn admit_member(
        &self,
        ctx: &Context<'_>,
        input: AdmitMemberInput,
        command_id: Option<ID>,
    ) -> Result<CommandResult> {
        crate::types::execute(ctx, input.into_command()?, command_id).await
    }

    /// Records an association's mandate for a representative.
    async fn grant_mandate(
        &self,
        ctx: &Context<'_>,
        input: GrantMandateInput,
        command_id: Option<ID>,
    ) -> Result<CommandResult> {
        crate::types::execute(ctx, input.into_command()?, command_id).await
    }

    /// Records a representative's written cadre d'intervention.
    async fn write_cadre_intervention(
        &self,
        ctx: &Context<'_>,
        input: WriteCadreInterventionInput,
        command_id: Option<ID>,
    ) -> Result<CommandResult> {
        crate::types::execute(ctx, input.into_command()?, command_id).await
    }

    /// Ends a representative's mandate before its term.
    async fn end_mandate(
        &self,
        ctx: &Context<'_>,
        input: EndMandateInput,
        command_id: Option<ID>,
    ) -> Result<CommandResult> {
        crate::types::execute(ctx, input.into_command()?, command_id).await
    }

    /// Seats a member in a collège.
    async fn seat_in_college(
        &self,
        ctx: &Context<'_>,
        input: SeatInCollegeInput,
        command_id: Option<ID>,
    ) -> Result<CommandResult> {
        crate::types::execute(ctx, input.into_command()?, command_id).await
    }

    /// Seats a member in a body.
    async fn seat_in_body(
        &self,
        ctx: &Context<'_>,
        input: BodySeatInput,
        command_id: Option<ID>,
    ) -> Result<CommandResult> {
        crate::types::execute(ctx, input.seat()?, command_id).await
    }

    /// Records that a member left a body.
    async fn leave_body(
        &self,
        ctx: &Context<'_>,
        input: BodySeatInput,
        command_id: Option<ID>,
    ) -> Result<CommandResult> {
        crate::types::execute(ctx, input.leave()?, command_id).await
    }

    /// Records that a member left the CPTS.
    async fn record_departure(
        &self,
        ctx: &Context<'_>,
        input: RecordDepartureInput,
        command_id: Option<ID>,
    ) -> Result<CommandResult> {
        crate::types::execute(ctx, input.into_command()?, command_id).await
    }

    /// Erases a member's personal data at their request (right to erasure): their key is
    /// destroyed, so their name, their texts and what was written about them read as erased
    /// everywhere, while what they did still counts. Coordinators only; it cannot be undone.
    async fn erase_personal_data(
        &self,
        ctx: &Context<'_>,
        input: ErasePersonalDataInput,
        command_id: Option<ID>,
    ) -> Result<CommandResult> {
        crate::types::execute(ctx, input.into_command()?, command_id).await
    }

    /// Sets how a member is told what became of their contributions: an e-mail address and a
    /// language. A member sets their own; a coordinator anyone's.
    async fn set_contact(
        &self,
        ctx: &Context<'_>,
        input: SetContactInput,
        command_id: Option<ID>,
    ) -> Result<CommandResult> {
        crate::types::execute(ctx, input.into_command()?, command_id).await
    }

    /// Withdraws a member's e-mail address: recorded in the log, its key destroyed, nothing
    /// more sent to it. A member withdraws their own; a coordinator anyone's. Records nothing
    /// when no address is held.
    async fn withdraw_contact(
        &self,
        ctx: &Context<'_>,
        input: WithdrawContactInput,
        command_id: Option<ID>,
    ) -> Result<CommandResult> {
        crate::types::execute(ctx, input.into_command()?, command_id).await
    }

    /// Withdraws the address an anonymous inhabitant left, at their request. Coordinators only.
    async fn withdraw_inhabitant_contact(
        &self,
        ctx: &Context<'_>,
        input: WithdrawInhabitantContactInput,
        command_id: Option<ID>,
    ) -> Result<CommandResult> {
        crate::types::execute(ctx, input.into_command()?, command_id).await
    }

    /// Records the e-mail address an anonymous inhabitant left with their contribution.
    async fn leave_contact(
        &self,
        ctx: &Context<'_>,
        input: LeaveContactInput,
        command_id: Option<ID>,
    ) -> Result<CommandResult> {
        crate::types::execute(ctx, input.into_command()?, command_id).await
    }

    /// Marks one of the signed-in member's notifications read; false if they have no such
    /// notification.
    async fn mark_notification_read(&self, ctx: &Context<'_>, key: ID) -> Result<bool> {
        let principal = crate::guard::principal(ctx)?;
        let Some(member) = principal.member else {
            return Ok(false);
        };
        cpts_projections::notifications::mark_read(
            crate::views::read_db(ctx)?,
            &member.0.to_string(),
            &key,
        )
        .await
        .map_err(crate::views::read_failed)
    }

    /// Marks every unread notification of the signed-in member read, and only theirs; returns
    /// how many were unread (0 for a token that names no member).
    async fn mark_all_notifications_read(&self, ctx: &Context<'_>) -> Result<i64> {
        let principal = crate::guard::principal(ctx)?;
        let Some(member) = principal.member else {
            return Ok(0);
        };
        let changed = cpts_projections::notifications::mark_all_read(
            crate::views::read_db(ctx)?,
            &member.0.to_string(),
        )
        .await
        .map_err(crate::views::read_failed)?;
        Ok(i64::try_from(changed).unwrap_or(i64::MAX))
    }

    /// Opens a consultation on a rung of the participation ladder.
    async fn open_consultation(
        &self,
        ctx: &Context<'_>,
        input: OpenConsultationInput,
        command_id: Option<ID>,
    ) -> Result<CommandResult> {
        crate::types::execute(ctx, input.into_command()?, command_id).await
    }

    /// Records a contribution dated within its consultation's period, whenever it is recorded:
    /// after the closing too (a workshop transcribed later).
    ///
    /// `file`: the attached file, sent as a GraphQL multipart upload (PDF, PNG, JPEG, ODT, ODS,
    /// DOCX, XLSX, CSV or text; 10 MiB at most): kept sealed under its author's key, its hash,
    /// size and kind recorded with the contribution.
    async fn submit_contribution(
        &self,
        ctx: &Context<'_>,
        input: SubmitContributionInput,
        command_id: Option<ID>,
        file: Option<Upload>,
    ) -> Result<CommandResult> {
        let mut command = input.into_command()?;
        crate::files::attach(ctx, &mut command, file).await?;
        crate::types::execute(ctx, command, command_id).await
    }

    /// Records a contribution received after its consultation's closing, accepted as late by a
    /// coordinator, with its reception date and the reason. It is owed its answer as many
    /// days after its reception as the consultation promised after its closing.
    /// `file` as for `submitContribution`.
    async fn accept_late_contribution(
        &self,
        ctx: &Context<'_>,
        input: AcceptLateContributionInput,
        command_id: Option<ID>,
        file: Option<Upload>,
    ) -> Result<CommandResult> {
        let mut command = input.into_command()?;
        crate::files::attach(ctx, &mut command, file).await?;
        crate::types::execute(ctx, command, command_id).await
    }

    /// Amends a contribution's text; the earlier text stays on the record. A representative or a
    /// board member amends their own, with a reason, while the consultation is open.
    async fn amend_contribution(
        &self,
        ctx: &Context<'_>,
        input: AmendContributionInput,
        command_id: Option<ID>,
    ) -> Result<CommandResult> {
        let command = own_words(ctx, input.into_command()?).await?;
        crate::types::execute(ctx, command, command_id).await
    }

    /// Withdraws a contribution. A representative or a board member withdraws their own, with a
    /// reason, while the consultation is open.
    async fn withdraw_contribution(
        &self,
        ctx: &Context<'_>,
        input: WithdrawContributionInput,
        command_id: Option<ID>,
    ) -> Result<CommandResult> {
        let command = own_words(ctx, input.into_command()?).await?;
        crate::types::execute(ctx, command, command_id).await
    }

    /// Closes a consultation.
    async fn close_consultation(
        &self,
        ctx: &Context<'_>,
        input: CloseConsultationInput,
        command_id: Option<ID>,
    ) -> Result<CommandResult> {
        crate::types::execute(ctx, input.into_command()?, command_id).await
    }

    /// Publishes the synthesis of a closed consultation.
    async fn publish_synthesis(
        &self,
        ctx: &Context<'_>,
        input: PublishSynthesisInput,
        command_id: Option<ID>,
    ) -> Result<CommandResult> {
        crate::types::execute(ctx, input.into_command()?, command_id).await
    }

    /// Proposes a decision to a body.
    async fn propose_decision(
        &self,
        ctx: &Context<'_>,
        input: ProposeDecisionInput,
        command_id: Option<ID>,
    ) -> Result<CommandResult> {
        crate::types::execute(ctx, input.into_command()?, command_id).await
    }

    /// Links a consultation a decision draws on.
    async fn link_consultation(
        &self,
        ctx: &Context<'_>,
        input: LinkConsultationInput,
        command_id: Option<ID>,
    ) -> Result<CommandResult> {
        crate::types::execute(ctx, input.into_command()?, command_id).await
    }

    /// Drafts the answer to a contribution (a rationale is required unless retained).
    async fn draft_answer(
        &self,
        ctx: &Context<'_>,
        input: DraftAnswerInput,
        command_id: Option<ID>,
    ) -> Result<CommandResult> {
        crate::types::execute(ctx, input.into_command()?, command_id).await
    }

    /// Revises an answer; it must then be published again.
    async fn revise_answer(
        &self,
        ctx: &Context<'_>,
        input: ReviseAnswerInput,
        command_id: Option<ID>,
    ) -> Result<CommandResult> {
        crate::types::execute(ctx, input.into_command()?, command_id).await
    }

    /// Publishes one drafted answer.
    async fn publish_answer(
        &self,
        ctx: &Context<'_>,
        input: PublishAnswerInput,
        command_id: Option<ID>,
    ) -> Result<CommandResult> {
        crate::types::execute(ctx, input.into_command()?, command_id).await
    }

    /// Publishes every drafted answer of a decision.
    async fn publish_all_answers(
        &self,
        ctx: &Context<'_>,
        input: PublishAllAnswersInput,
        command_id: Option<ID>,
    ) -> Result<CommandResult> {
        crate::types::execute(ctx, input.into_command()?, command_id).await
    }

    /// Records a decision's vote, by collège or by consensus.
    async fn record_vote(
        &self,
        ctx: &Context<'_>,
        input: RecordVoteInput,
        command_id: Option<ID>,
    ) -> Result<CommandResult> {
        crate::types::execute(ctx, input.into_command()?, command_id).await
    }

    /// Amends a decision's text.
    async fn amend_decision(
        &self,
        ctx: &Context<'_>,
        input: AmendDecisionInput,
        command_id: Option<ID>,
    ) -> Result<CommandResult> {
        crate::types::execute(ctx, input.into_command()?, command_id).await
    }

    /// Withdraws a decision.
    async fn withdraw_decision(
        &self,
        ctx: &Context<'_>,
        input: WithdrawDecisionInput,
        command_id: Option<ID>,
    ) -> Result<CommandResult> {
        crate::types::execute(ctx, input.into_command()?, command_id).await
    }

    /// Records an implementation milestone of an adopted decision.
    async fn record_milestone(
        &self,
        ctx: &Context<'_>,
        input: RecordMilestoneInput,
        command_id: Option<ID>,
    ) -> Result<CommandResult> {
        crate::types::execute(ctx, input.into_command()?, command_id).await
    }

    /// Reports an indicator value of an adopted decision.
    async fn report_indicator(
        &self,
        ctx: &Context<'_>,
        input: ReportIndicatorInput,
        command_id: Option<ID>,
    ) -> Result<CommandResult> {
        crate::types::execute(ctx, input.into_command()?, command_id).await
    }
}

/// A member who amends or withdraws a contribution does it in their own name: the token's member
/// is put in the command, and the domain checks it is the author's (`cpts_domain::access`,
/// `Consultation::own_words`). Staff record changes on an author's behalf, in no one's name.
/// Whether an answer to the contribution is published, a fact of the decisions the rule needs
/// (`consultation::own_words_allowed`), is read from the read models and put in the command.
async fn own_words(ctx: &Context<'_>, mut command: AddressedCommand) -> Result<AddressedCommand> {
    let member = match crate::types::caller(ctx) {
        Caller::Principal(p) if p.role.needs_member() => p.member,
        _ => None,
    };
    if let AddressedCommand::Consultation {
        command:
            ConsultationCommand::Amend {
                contribution_id,
                by,
                answer_published,
                ..
            }
            | ConsultationCommand::Withdraw {
                contribution_id,
                by,
                answer_published,
                ..
            },
        ..
    } = &mut command
    {
        *by = member;
        *answer_published = cpts_projections::queries::answer_published(
            crate::views::read_db(ctx)?,
            &contribution_id.to_string(),
        )
        .await
        .map_err(crate::views::read_failed)?;
    }
    Ok(command)
}
