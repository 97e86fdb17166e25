//! Output types, and the one function every mutation goes through.

use std::sync::Arc;

use async_graphql::{ComplexObject, Context, Enum, Json, Result, SimpleObject, ID};
use chrono::{DateTime, Utc};
use cpts_domain::access::Caller;
use cpts_domain::command::AddressedCommand;
use uuid::Uuid;

use crate::errors::from_ledger;
use crate::inputs::parse_id;
use crate::port::{CommandContext, LedgerPort, Receipt, RecordedEvent};

/// The kinds of record the ledger keeps.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
pub enum AggregateType {
    /// A CPTS.
    Community,
    /// An association.
    Association,
    /// A member.
    Member,
    /// A consultation and its contributions.
    Consultation,
    /// A decision and its answers.
    Decision,
}

impl AggregateType {
    /// The name stored with the events.
    pub fn stored_name(self) -> &'static str {
        match self {
            AggregateType::Community => "community",
            AggregateType::Association => "association",
            AggregateType::Member => "member",
            AggregateType::Consultation => "consultation",
            AggregateType::Decision => "decision",
        }
    }

    fn from_stored(name: &str) -> Option<Self> {
        [
            Self::Community,
            Self::Association,
            Self::Member,
            Self::Consultation,
            Self::Decision,
        ]
        .into_iter()
        .find(|t| t.stored_name() == name)
    }
}

/// One event of the log.
#[derive(SimpleObject, Debug, Clone)]
pub struct Event {
    /// Its position in the global log, from 1, in commit order, without gaps.
    pub position: u64,
    /// The kind of record it belongs to.
    pub aggregate_type: String,
    /// The record it belongs to.
    pub aggregate_id: ID,
    /// Its position in the record's own stream, from 1.
    pub sequence: u64,
    /// What happened, e.g. `ContributionSubmitted`.
    pub event_type: String,
    /// The version of the event's shape.
    pub event_version: String,
    /// The event's content.
    pub payload: Json<serde_json::Value>,
    /// Who acted (`actor`), the command (`command_id`), the CPTS (`community_id`), when (`recorded_at`).
    pub metadata: Json<serde_json::Value>,
    /// When the ledger recorded it.
    pub recorded_at: DateTime<Utc>,
    /// Its hash, chained to the event before it (hex).
    pub hash: String,
}

impl From<RecordedEvent> for Event {
    fn from(e: RecordedEvent) -> Self {
        Self {
            position: e.position,
            aggregate_type: e.aggregate_type,
            aggregate_id: ID(e.aggregate_id),
            sequence: e.sequence,
            event_type: e.event_type,
            event_version: e.event_version,
            payload: Json(e.payload),
            metadata: Json(e.metadata),
            recorded_at: e.recorded_at,
            hash: e.hash,
        }
    }
}

/// What a mutation recorded, and the views that include its change: the read models are up to
/// date with the command's events when the mutation answers.
#[derive(SimpleObject, Debug, Clone)]
#[graphql(complex)]
pub struct CommandResult {
    /// The kind of record the command addressed.
    pub aggregate_type: AggregateType,
    /// The record the command addressed (the new record's id, for a creation).
    pub aggregate_id: ID,
    /// The events the command recorded, in order.
    pub events: Vec<Event>,
}

#[ComplexObject]
impl CommandResult {
    /// The decision the command addressed, as the caller sees it now (with its trail);
    /// absent for other records.
    async fn decision(&self, ctx: &Context<'_>) -> Result<Option<crate::views::Decision>> {
        if self.aggregate_type != AggregateType::Decision {
            return Ok(None);
        }
        let found = cpts_projections::listing::decisions_by_ids(
            crate::views::read_db(ctx)?,
            std::slice::from_ref(&self.aggregate_id.0),
        )
        .await
        .map_err(crate::views::read_failed)?;
        let visibility = if crate::guard::sees_names(&caller(ctx)) {
            crate::views::Visibility::Everything
        } else {
            crate::views::Visibility::Published
        };
        let today = crate::clock::today();
        found
            .into_iter()
            .next()
            .map(|d| crate::views::Decision::new(d, visibility, today))
            .transpose()
    }

    /// The member the command addressed, as the register now shows them; absent for other
    /// records, and for callers who do not read the register.
    async fn member(&self, ctx: &Context<'_>) -> Result<Option<crate::views::Member>> {
        let Caller::Principal(principal) = caller(ctx) else {
            return Ok(None);
        };
        if self.aggregate_type != AggregateType::Member || !principal.role.reads_everything() {
            return Ok(None);
        }
        let members = cpts_projections::listing::members(
            crate::views::read_db(ctx)?,
            &principal.community.to_string(),
        )
        .await
        .map_err(crate::views::read_failed)?;
        members
            .into_iter()
            .find(|m| m.member_id == self.aggregate_id.as_str())
            .map(crate::views::Member::try_from)
            .transpose()
    }

    /// The association the command addressed, as it now stands; absent for other records, and
    /// for callers who do not read the register.
    async fn association(&self, ctx: &Context<'_>) -> Result<Option<crate::views::Association>> {
        let Caller::Principal(principal) = caller(ctx) else {
            return Ok(None);
        };
        if self.aggregate_type != AggregateType::Association || !principal.role.reads_everything() {
            return Ok(None);
        }
        let associations = cpts_projections::listing::associations(
            crate::views::read_db(ctx)?,
            &principal.community.to_string(),
        )
        .await
        .map_err(crate::views::read_failed)?;
        associations
            .into_iter()
            .find(|a| a.association_id == self.aggregate_id.as_str())
            .map(crate::views::Association::try_from)
            .transpose()
    }

    /// What the command recorded, one sentence per event in French, as the Journal names it
    /// ("Réponse rédigée pour la contribution de Martine Roussel à « … »"): what a form
    /// confirms once saved.
    async fn summary(&self, ctx: &Context<'_>) -> Result<Vec<String>> {
        Ok(self
            .described(ctx)
            .await?
            .into_iter()
            .map(|(fr, _)| fr.summary)
            .collect())
    }

    /// The same sentences, in English.
    async fn summary_en(&self, ctx: &Context<'_>) -> Result<Vec<String>> {
        Ok(self
            .described(ctx)
            .await?
            .into_iter()
            .map(|(_, en)| en.summary)
            .collect())
    }

    /// The consultation the command addressed, as it stands now (its contributions counted,
    /// its promise keeping); absent for other records.
    async fn consultation(&self, ctx: &Context<'_>) -> Result<Option<crate::views::Consultation>> {
        if self.aggregate_type != AggregateType::Consultation {
            return Ok(None);
        }
        let today = crate::clock::today();
        crate::query::consultation_view(ctx, &self.aggregate_id, today).await
    }
}

impl CommandResult {
    /// The command's events in words, in both languages: names as the caller may see them
    /// (a contribution's author only for those who read names).
    async fn described(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Vec<(crate::journal::Described, crate::journal::Described)>> {
        let caller = caller(ctx);
        let Caller::Principal(principal) = caller else {
            return Ok(vec![]);
        };
        let refs: Vec<crate::journal::EventRef<'_>> = self
            .events
            .iter()
            .map(|e| crate::journal::EventRef {
                aggregate_id: e.aggregate_id.as_str(),
                event_type: &e.event_type,
                actor: e
                    .metadata
                    .0
                    .get("actor")
                    .and_then(serde_json::Value::as_str)
                    .unwrap_or_default(),
                payload: Some(&e.payload.0),
            })
            .collect();
        let names = crate::journal::names_for(
            crate::views::read_db(ctx)?,
            &principal.community.to_string(),
            &refs,
        )
        .await
        .map_err(crate::views::read_failed)?;
        Ok(crate::journal::describe_both(
            &names,
            &refs,
            crate::guard::sees_names(&caller),
        ))
    }
}

impl From<Receipt> for CommandResult {
    fn from(receipt: Receipt) -> Self {
        Self {
            aggregate_type: AggregateType::from_stored(&receipt.aggregate_type)
                .unwrap_or(AggregateType::Community),
            aggregate_id: ID(receipt.aggregate_id.to_string()),
            events: receipt.events.into_iter().map(Event::from).collect(),
        }
    }
}

/// The ledger behind the schema.
pub(crate) fn ledger<'a>(ctx: &Context<'a>) -> Result<&'a Arc<dyn LedgerPort>> {
    ctx.data::<Arc<dyn LedgerPort>>()
}

/// Who sends the request; a request without a valid token is public.
pub(crate) fn caller(ctx: &Context<'_>) -> Caller {
    ctx.data_opt::<Caller>().copied().unwrap_or(Caller::Public)
}

/// Executes a command for the request's caller and returns what it recorded.
pub(crate) async fn execute(
    ctx: &Context<'_>,
    command: AddressedCommand,
    command_id: Option<ID>,
) -> Result<CommandResult> {
    let command_id = match command_id {
        Some(id) => parse_id("commandId", &id)?,
        None => Uuid::new_v4(),
    };
    let receipt = ledger(ctx)?
        .execute(
            command,
            CommandContext {
                caller: caller(ctx),
                command_id,
            },
        )
        .await
        .map_err(from_ledger)?;
    Ok(receipt.into())
}
