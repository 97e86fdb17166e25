//! Queries.

use async_graphql::{Context, Object, Result, SimpleObject, ID};
use cpts_domain::values;

use crate::errors::from_ledger;
use crate::guard;
use crate::inputs::{parse_id, Lang, Rung};
use crate::types::{ledger, AggregateType, Event};

/// The head of the log.
#[derive(SimpleObject, Debug, Clone)]
pub struct LedgerHead {
    /// The position of the last event; 0 when the log is empty.
    pub position: u64,
    /// The hash of the last event (hex), which commits to the whole log.
    pub hash: String,
    /// Each read model's checkpoint and how far behind the log it is.
    pub projections: Vec<ProjectionState>,
}

/// How far one read model is behind the log.
#[derive(SimpleObject, Debug, Clone)]
pub struct ProjectionState {
    /// The read model (`consultations`, `decisions`, `register`, `timeline`).
    pub name: String,
    /// The last log position it has applied.
    pub position: u64,
    /// How many recorded events it has not applied yet; 0 when it is up to date.
    pub behind: u64,
}

/// The outcome of verifying the log's hash chain.
#[derive(SimpleObject, Debug, Clone)]
pub struct LedgerVerification {
    /// Whether every event verified (and the digest asked about is contained, unchanged).
    pub intact: bool,
    /// How many events were checked.
    pub events_checked: u64,
    /// The digest of the log as it is now; keep it to check later that nothing was altered.
    pub digest: String,
    /// The position of the first event that does not verify.
    pub first_broken_position: Option<u64>,
    /// What is wrong there, in French.
    pub problem: Option<String>,
    /// What is wrong there, in English.
    pub problem_en: Option<String>,
}

/// A rung of the participation ladder, with the promise it makes.
#[derive(SimpleObject, Debug, Clone)]
pub struct RungInfo {
    /// The rung.
    pub rung: Rung,
    /// Its name.
    pub label: String,
    /// The promise it makes to the people consulted.
    pub promise: String,
    /// Whether every contribution on this rung is owed an answer.
    pub owes_answers: bool,
}

/// The query root.
#[derive(Debug, Default)]
pub struct QueryRoot;

#[Object]
impl QueryRoot {
    /// Every event of one record, in order.
    async fn events(
        &self,
        ctx: &Context<'_>,
        aggregate_type: AggregateType,
        id: ID,
    ) -> Result<Vec<Event>> {
        let id = parse_id("id", &id)?;
        let principal = guard::staff(ctx)?;
        guard::record_in_scope(ctx, &principal, aggregate_type.stored_name(), id).await?;
        let events = ledger(ctx)?
            .events_of(aggregate_type.stored_name(), id)
            .await
            .map_err(from_ledger)?;
        Ok(events.into_iter().map(Event::from).collect())
    }

    /// The head of the log: its last position and hash.
    async fn ledger_head(&self, ctx: &Context<'_>) -> Result<LedgerHead> {
        guard::principal(ctx)?;
        let ledger = ledger(ctx)?;
        let (position, hash) = ledger.head().await.map_err(from_ledger)?;
        let projections = ledger
            .projection_lag()
            .await
            .map_err(from_ledger)?
            .into_iter()
            .map(|lag| ProjectionState {
                name: lag.name,
                position: lag.position,
                behind: lag.behind,
            })
            .collect();
        Ok(LedgerHead {
            position,
            hash,
            projections,
        })
    }

    /// Recomputes the hash chain of the whole log and names the first event that does not
    /// match. With `digest` (from an earlier verification), also proves that the log still
    /// contains, unchanged, everything that digest committed to.
    async fn verify_ledger(
        &self,
        ctx: &Context<'_>,
        digest: Option<String>,
    ) -> Result<LedgerVerification> {
        guard::staff(ctx)?;
        let report = ledger(ctx)?
            .verify(digest.as_deref())
            .await
            .map_err(from_ledger)?;
        Ok(LedgerVerification {
            intact: report.intact,
            events_checked: report.events_checked,
            digest: report.digest,
            first_broken_position: report.first_broken_position,
            problem: report.problem,
            problem_en: report.problem_en,
        })
    }

    /// The participation ladder and its promises.
    async fn rungs(&self, #[graphql(default_with = "Lang::Fr")] lang: Lang) -> Vec<RungInfo> {
        let lang: values::Lang = lang.into();
        values::Rung::ALL
            .iter()
            .map(|&rung| RungInfo {
                rung: rung.into(),
                label: rung.label(lang).to_owned(),
                promise: rung.promise(lang).to_owned(),
                owes_answers: rung.owes_answers(),
            })
            .collect()
    }
}
