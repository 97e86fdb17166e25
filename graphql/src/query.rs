//! Queries.

use std::collections::HashMap;

use async_graphql::{Context, InputObject, Object, Result, SimpleObject, ID};
use chrono::{DateTime, NaiveDate, Utc};
use cpts_domain::access::{AccessError, Caller};
use cpts_domain::ids::{CommunityId, MemberId};
use cpts_domain::values;
use cpts_projections::{listing, queries};

use crate::decode::{day, maybe_day, vocab};
use crate::errors::{from_access, from_ledger, invalid_input};
use crate::guard;
use crate::inputs::{parse_id, Lang, Rung};
use crate::journal;
use crate::types::{caller, ledger, AggregateType, Event};
use crate::views::{
    read_db, read_failed, Association, Consultation, Decision, DecisionConnection, DecisionEdge,
    FollowUp, Member, PageInfo, PromiseKeeping, Register, TimelineEntry, TimelinePage, Visibility,
};

/// The head of the log.
#[derive(SimpleObject, Debug, Clone)]
pub struct LedgerHead {
    /// The position of the last event; 0 when the log is empty.
    pub position: u64,
    /// The hash of the last event (hex), which commits to the whole log.
    pub hash: String,
    /// Each read model's checkpoint and how far behind the log it is.
    pub projections: Vec<ProjectionState>,
    /// Whether a read model set aside an event it could not apply (of any CPTS): its reads
    /// then miss that event until the cause is fixed and the read models rebuilt.
    pub degraded: bool,
    /// The events of the caller's CPTS that a read model set aside.
    pub set_aside: Vec<SetAsideEvent>,
}

/// An event a read model could not apply and set aside, going on with the others.
#[derive(SimpleObject, Debug, Clone)]
pub struct SetAsideEvent {
    /// The event's position in the log.
    pub position: u64,
    /// The read model that set it aside.
    pub projection: String,
    /// Why, as the database said (technical, in English); for staff only, null otherwise.
    pub reason: Option<String>,
    /// When it was set aside (RFC 3339, UTC).
    pub set_aside_at: String,
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

/// Who is asking, and the CPTS they reach: what a client needs to offer only the forms the
/// caller may submit, and the ids those forms take.
#[derive(SimpleObject, Debug, Clone)]
pub struct Viewer {
    /// `coordinator`, `board_member`, `representative`, `auditor`, or `public` without a token.
    pub role: String,
    /// The CPTS: the token's own, or the one named without a token.
    pub community_id: ID,
    /// Its name; absent if it is not registered yet.
    pub community_name: Option<String>,
    /// The member who holds the token, if it names one.
    pub member_id: Option<ID>,
    /// Whether the caller sees names, every decision and the register.
    pub reads_everything: bool,
    /// The collèges of the statutes.
    pub colleges: Vec<College>,
    /// The bodies that decide.
    pub bodies: Vec<Body>,
}

/// A collège of the statutes.
#[derive(SimpleObject, Debug, Clone)]
pub struct College {
    /// The collège.
    pub id: ID,
    /// Its name.
    pub name: String,
    /// Whether it is the collège usagers.
    pub is_users_college: bool,
}

/// A body of the CPTS.
#[derive(SimpleObject, Debug, Clone)]
pub struct Body {
    /// The body.
    pub id: ID,
    /// `general_assembly`, `board`, `bureau` or `working_group`.
    pub kind: String,
    /// Its name.
    pub name: String,
}

/// A notification of the signed-in member: what became of one of their contributions.
#[derive(SimpleObject, Debug, Clone)]
pub struct Notification {
    /// Its stable key (also the Message-ID of the e-mail telling the same news).
    pub key: ID,
    /// The log position of the event it tells about.
    pub position: i64,
    /// Its title.
    pub title: String,
    /// Its text, in the member's language.
    pub body: String,
    /// Whether the member marked it read.
    pub read: bool,
    /// When it was created (RFC 3339, UTC).
    pub created_at: String,
    /// The decision whose answer it tells about, when it is about one.
    pub decision_id: Option<ID>,
    /// That decision's title.
    pub decision_title: Option<String>,
}

impl From<cpts_projections::notifications::MemberNotification> for Notification {
    fn from(n: cpts_projections::notifications::MemberNotification) -> Self {
        Self {
            key: ID(n.notification_key),
            position: n.position,
            title: n.title,
            body: n.body,
            read: n.status == "read",
            created_at: n.created_at,
            decision_id: n.decision_id.map(ID),
            decision_title: n.decision_title,
        }
    }
}

/// An e-mail or webhook that failed: given up, or waiting for its next attempt.
#[derive(SimpleObject, Debug, Clone)]
pub struct DeliveryProblem {
    /// Its stable key (the e-mail's Message-ID, the webhook's delivery id).
    pub key: ID,
    /// `email` or `webhook`.
    pub channel: String,
    /// `failed` (given up after the last attempt) or `queued` (to be retried).
    pub status: String,
    /// Attempts made.
    pub attempts: i64,
    /// The last error.
    pub last_error: Option<String>,
    /// When the next attempt is due (RFC 3339, UTC), for a queued one.
    pub next_attempt_at: String,
}

/// The largest page a list returns.
pub const MAX_PAGE_SIZE: i32 = 100;

fn page_size(first: i32) -> Result<u32> {
    if (1..=MAX_PAGE_SIZE).contains(&first) {
        Ok(first.unsigned_abs())
    } else {
        Err(invalid_input(
            "api-page-size",
            &[("max", MAX_PAGE_SIZE.into())],
        ))
    }
}

fn today() -> NaiveDate {
    crate::clock::today()
}

/// The CPTS a list is read from, and what the caller sees of it. Staff read their own CPTS in
/// full; representatives read their own CPTS's published decisions; callers without a token
/// read the published decisions of the CPTS they name.
fn reader(ctx: &Context<'_>, named: Option<CommunityId>) -> Result<(CommunityId, Visibility)> {
    match caller(ctx) {
        Caller::Principal(principal) => {
            let community = guard::own_community(&principal, named)?;
            let visibility = if principal.role.reads_everything() {
                Visibility::Everything
            } else {
                Visibility::Published
            };
            Ok((community, visibility))
        }
        Caller::Trusted(_) | Caller::Public => {
            let community = named.ok_or_else(|| invalid_input("api-name-the-community", &[]))?;
            Ok((community, Visibility::Published))
        }
    }
}

/// What a signed-in caller sees of a consultation's contributions, and the member whose own
/// contributions are marked.
fn entries_reader(principal: &cpts_domain::access::Principal) -> (Visibility, Option<String>) {
    let visibility = if guard::sees_names(&Caller::Principal(*principal)) {
        Visibility::Everything
    } else {
        Visibility::Published
    };
    (visibility, principal.member.map(|m| m.to_string()))
}

/// The view of one consultation as of a date, with its promise keeping.
async fn consultation(
    db: &cpts_projections::ReadDb,
    c: listing::ConsultationSummary,
    as_of: NaiveDate,
    (visibility, viewer): (Visibility, Option<String>),
) -> Result<Consultation> {
    let keeping = queries::promise_keeping(db, &c.consultation_id, as_of)
        .await
        .map_err(read_failed)?;
    let opens_on = day(&c.opens_on)?;
    let closes_on = day(&c.closes_on)?;
    let closed_on = maybe_day(c.closed_on.as_deref())?;
    Ok(Consultation {
        id: ID(c.consultation_id),
        subject: c.subject,
        moment: vocab(&c.moment, values::Moment::from_wire_name)?,
        mission: vocab(&c.mission, values::Mission::from_wire_name)?,
        rung: vocab(&c.rung, values::Rung::from_wire_name)?,
        method: vocab(&c.method, values::Method::from_wire_name)?,
        open: opens_on <= as_of
            && as_of <= closes_on
            && closed_on.is_none_or(|d: NaiveDate| d > as_of),
        opens_on,
        closes_on,
        closed_on,
        answer_deadline: day(&c.answer_deadline)?,
        contributions: c.contributions,
        promise_keeping: keeping.map(PromiseKeeping::from),
        as_of,
        visibility,
        viewer,
    })
}

/// One consultation of the caller's CPTS, for a mutation's answer.
pub(crate) async fn consultation_view(
    ctx: &Context<'_>,
    id: &ID,
    as_of: NaiveDate,
) -> Result<Option<Consultation>> {
    let Caller::Principal(principal) = caller(ctx) else {
        return Ok(None);
    };
    let db = read_db(ctx)?;
    let found = listing::consultations(db, &principal.community.to_string(), as_of)
        .await
        .map_err(read_failed)?
        .into_iter()
        .find(|c| c.consultation_id == id.as_str());
    match found {
        Some(c) => consultation(db, c, as_of, entries_reader(&principal))
            .await
            .map(Some),
        None => Ok(None),
    }
}

/// The forms of the general assembly's report.
#[derive(async_graphql::Enum, Copy, Clone, Debug, Eq, PartialEq)]
pub enum ReportFormat {
    /// Markdown, to read or paste.
    Markdown,
    /// One self-contained, print-ready HTML file.
    Html,
    /// JSON, for machines.
    Json,
}

/// Which decisions to list.
#[derive(InputObject, Debug, Default)]
pub struct DecisionFilterInput {
    /// Only decisions in this state.
    pub status: Option<crate::views::DecisionStatus>,
    /// Only decisions of this moment of participation.
    pub moment: Option<crate::inputs::Moment>,
    /// Only decisions of this mission.
    pub mission: Option<crate::inputs::Mission>,
    /// Only decisions of this body.
    pub body_id: Option<ID>,
    /// Only decisions proposed on or after this date.
    pub proposed_from: Option<NaiveDate>,
    /// Only decisions proposed on or before this date.
    pub proposed_to: Option<NaiveDate>,
}

impl DecisionFilterInput {
    fn into_filter(self) -> listing::DecisionFilter {
        listing::DecisionFilter {
            status: self.status.map(|s| s.stored_name().to_owned()),
            moment: self
                .moment
                .map(|m| values::Moment::from(m).wire_name().to_owned()),
            mission: self
                .mission
                .map(|m| values::Mission::from(m).wire_name().to_owned()),
            body_id: self.body_id.map(|b| b.to_string()),
            proposed_from: self.proposed_from,
            proposed_to: self.proposed_to,
            published_only: false,
        }
    }
}

/// The record's queries; the served root ([`crate::Query`]) merges them with the tokens'.
#[derive(Debug, Default)]
pub struct QueryRoot;

#[Object(name = "RecordQueries")]
impl QueryRoot {
    /// Every event of one record, in order.
    #[graphql(complexity = "crate::limits::EVENTS_COMPLEXITY + child_complexity")]
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

    /// The head of the log: its last position and hash, how far each read model follows it,
    /// and the events of the caller's CPTS a read model had to set aside.
    async fn ledger_head(&self, ctx: &Context<'_>) -> Result<LedgerHead> {
        let principal = guard::principal(ctx)?;
        let staff = guard::staff(ctx).is_ok();
        let all_set_aside = cpts_projections::projector::set_aside(read_db(ctx)?)
            .await
            .map_err(read_failed)?;
        let degraded = !all_set_aside.is_empty();
        let community = principal.community.to_string();
        let set_aside = all_set_aside
            .into_iter()
            .filter(|e| e.community_id.as_deref() == Some(community.as_str()))
            .map(|e| SetAsideEvent {
                position: u64::try_from(e.position).unwrap_or(0),
                projection: e.projection,
                reason: staff.then_some(e.reason),
                set_aside_at: e.set_aside_at,
            })
            .collect();
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
            degraded,
            set_aside,
        })
    }

    /// The general assembly's report of the caller's CPTS for a period (the calendar year of
    /// `asOf` by default): the facts dated on or before `asOf`, as the log stood at `position`
    /// (the head when asked, by default). The seal states the date, the position and when the
    /// log stood there: the same arguments and position give the same bytes, whenever asked.
    /// An `asOf` after today (in the CPTS's time zone) or a position beyond the head is
    /// refused; a report as of today is provisional. French by default. For staff.
    #[graphql(complexity = "crate::limits::WHOLE_LOG_COMPLEXITY + child_complexity")]
    // Each argument is one of the field's GraphQL arguments.
    #[allow(clippy::too_many_arguments)]
    async fn report(
        &self,
        ctx: &Context<'_>,
        as_of: NaiveDate,
        position: Option<u64>,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
        #[graphql(default_with = "Lang::Fr")] lang: Lang,
        #[graphql(default_with = "ReportFormat::Markdown")] format: ReportFormat,
    ) -> Result<String> {
        let principal = guard::staff(ctx)?;
        let year = cpts_domain::rules::Period::calendar_year_of(as_of);
        let period = (from.unwrap_or(year.from), to.unwrap_or(year.to));
        if period.0 > period.1 {
            return Err(invalid_input("api-period-ends-before-start", &[]));
        }
        let report = ledger(ctx)?
            .report(
                principal.community,
                period,
                as_of,
                position,
                today(),
                lang.into(),
            )
            .await
            .map_err(from_ledger)?;
        use cpts_projections::report::render;
        Ok(match format {
            ReportFormat::Markdown => render::markdown(&report),
            ReportFormat::Html => render::html(&report),
            ReportFormat::Json => render::json(&report),
        })
    }

    /// Recomputes the hash chain of the whole log and names the first event that does not
    /// match. With `digest` (from an earlier verification), also proves that the log still
    /// contains, unchanged, everything that digest committed to.
    #[graphql(complexity = "crate::limits::WHOLE_LOG_COMPLEXITY + child_complexity")]
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

    /// Decisions of a CPTS, newest first, filtered, a page at a time (at most 100). Staff of
    /// the CPTS see every decision; representatives and callers without a token see the
    /// decisions their body has voted on, with published answers and no names. Without a token,
    /// name the CPTS with `communityId`.
    #[graphql(complexity = "usize::try_from(first).unwrap_or(1).max(1) * child_complexity")]
    async fn decisions(
        &self,
        ctx: &Context<'_>,
        community_id: Option<ID>,
        filter: Option<DecisionFilterInput>,
        #[graphql(default = 20)] first: i32,
        after: Option<String>,
        as_of: Option<NaiveDate>,
    ) -> Result<DecisionConnection> {
        let named = community_id
            .map(|id| parse_id("communityId", &id).map(CommunityId))
            .transpose()?;
        let (community, visibility) = reader(ctx, named)?;
        let first = page_size(first)?;
        let after = after
            .map(|cursor| {
                listing::DecisionCursor::decode(&cursor)
                    .ok_or_else(|| invalid_input("api-bad-list-cursor", &[]))
            })
            .transpose()?;
        let mut filter = filter
            .map(DecisionFilterInput::into_filter)
            .unwrap_or_default();
        if visibility == Visibility::Published {
            filter.published_only = true;
        }
        let page = listing::decisions_page(
            read_db(ctx)?,
            &community.to_string(),
            &filter,
            after.as_ref(),
            first,
        )
        .await
        .map_err(read_failed)?;
        let as_of = as_of.unwrap_or_else(today);
        let ids: Vec<String> = page.items.iter().map(|d| d.decision_id.clone()).collect();
        crate::views::prefetch(ctx, &ids, as_of).await?;
        let edges: Vec<DecisionEdge> = page
            .items
            .into_iter()
            .map(|summary| {
                Ok(DecisionEdge {
                    cursor: summary.cursor().encode(),
                    node: Decision::new(summary, visibility, as_of)?,
                })
            })
            .collect::<Result<_>>()?;
        Ok(DecisionConnection {
            page_info: PageInfo {
                has_next_page: page.has_next_page,
                end_cursor: edges.last().map(|e| e.cursor.clone()),
            },
            edges,
            total_count: page.total_count,
        })
    }

    /// One decision with its influence trail, implementation and indicators, as of a date
    /// (today by default). Visible as in `decisions`; anything else is `NOT_FOUND`.
    async fn decision(
        &self,
        ctx: &Context<'_>,
        id: ID,
        as_of: Option<NaiveDate>,
    ) -> Result<Decision> {
        let id = parse_id("id", &id)?.to_string();
        let found = listing::decisions_by_ids(read_db(ctx)?, std::slice::from_ref(&id))
            .await
            .map_err(read_failed)?
            .into_iter()
            .next();
        let not_found = || from_access(&AccessError::OutsideCommunity);
        let summary = found.ok_or_else(not_found)?;
        let community: CommunityId = summary.community_id.parse().map_err(|_| not_found())?;
        let (_, visibility) = reader(ctx, Some(community)).map_err(|e| match caller(ctx) {
            Caller::Principal(_) => not_found(),
            _ => e,
        })?;
        let published = listing::is_published(&summary.status);
        if visibility == Visibility::Published && !published {
            return Err(not_found());
        }
        Decision::new(summary, visibility, as_of.unwrap_or_else(today))
    }

    /// The consultations of the caller's CPTS, newest first, with whether each kept its promise
    /// to answer as of a date (today by default). For every signed-in role.
    async fn consultations(
        &self,
        ctx: &Context<'_>,
        as_of: Option<NaiveDate>,
    ) -> Result<Vec<Consultation>> {
        let principal = guard::principal(ctx)?;
        let as_of = as_of.unwrap_or_else(today);
        let db = read_db(ctx)?;
        let list = listing::consultations(db, &principal.community.to_string(), as_of)
            .await
            .map_err(read_failed)?;
        let ids: Vec<String> = list.iter().map(|c| c.consultation_id.clone()).collect();
        crate::views::prefetch_entries(ctx, &ids, as_of).await?;
        let mut views = Vec::with_capacity(list.len());
        for c in list {
            views.push(consultation(db, c, as_of, entries_reader(&principal)).await?);
        }
        Ok(views)
    }

    /// One consultation of the caller's CPTS as of a date (today by default), with its
    /// promise keeping and, in `entries`, every contribution it received. For every signed-in
    /// role; another CPTS's consultation, or none, is `NOT_FOUND`.
    async fn consultation(
        &self,
        ctx: &Context<'_>,
        id: ID,
        as_of: Option<NaiveDate>,
    ) -> Result<Consultation> {
        let id = ID(parse_id("id", &id)?.to_string());
        consultation_view(ctx, &id, as_of.unwrap_or_else(today))
            .await?
            .ok_or_else(|| from_access(&AccessError::OutsideCommunity))
    }

    /// The signed-in member's own contributions and where each stands, as of a date (today by
    /// default). For tokens that name a member.
    async fn my_contributions(
        &self,
        ctx: &Context<'_>,
        as_of: Option<NaiveDate>,
    ) -> Result<Vec<FollowUp>> {
        let principal = guard::principal(ctx)?;
        let member = principal
            .member
            .ok_or_else(|| invalid_input("api-token-names-no-member", &[]))?;
        let follow_up = queries::contributor_follow_up(
            read_db(ctx)?,
            &member.to_string(),
            as_of.unwrap_or_else(today),
        )
        .await
        .map_err(read_failed)?;
        follow_up.into_iter().map(FollowUp::try_from).collect()
    }

    /// The signed-in member's notifications, newest first: what became of each of their
    /// contributions. Empty for a token that names no member.
    async fn notifications(&self, ctx: &Context<'_>) -> Result<Vec<Notification>> {
        let principal = guard::principal(ctx)?;
        let Some(member) = principal.member else {
            return Ok(vec![]);
        };
        let rows = cpts_projections::notifications::member_notifications(
            read_db(ctx)?,
            &member.0.to_string(),
        )
        .await
        .map_err(read_failed)?;
        Ok(rows.into_iter().map(Notification::from).collect())
    }

    /// Everything the ledger holds about one member of the caller's CPTS (right of access,
    /// GDPR article 15): the JSON document `cpts-ledger-personal-data/1` described in
    /// `docs/personal-data.md`, the same that `cpts-ledger export-person` writes. For the
    /// coordinator of that member's CPTS only.
    #[graphql(complexity = "crate::limits::WHOLE_LOG_COMPLEXITY + child_complexity")]
    async fn personal_data(
        &self,
        ctx: &Context<'_>,
        member_id: ID,
    ) -> Result<async_graphql::Json<serde_json::Value>> {
        let id = parse_id("memberId", &member_id)?;
        let principal = guard::principal(ctx)?;
        if principal.role != cpts_domain::access::Role::Coordinator {
            return Err(from_access(&AccessError::RoleForbids {
                role: principal.role,
            }));
        }
        guard::record_in_scope(ctx, &principal, "member", id).await?;
        let document = ledger(ctx)?
            .personal_data(MemberId(id))
            .await
            .map_err(from_ledger)?;
        Ok(async_graphql::Json(document))
    }

    /// The e-mails and webhooks of the caller's CPTS that could not be delivered: given up
    /// after the last attempt, or waiting for a retry. For staff.
    async fn delivery_problems(&self, ctx: &Context<'_>) -> Result<Vec<DeliveryProblem>> {
        let principal = guard::staff(ctx)?;
        let rows = cpts_projections::notifications::delivery_problems(
            read_db(ctx)?,
            &principal.community.to_string(),
        )
        .await
        .map_err(read_failed)?;
        Ok(rows
            .into_iter()
            .map(|p| DeliveryProblem {
                key: ID(p.notification_key),
                channel: p.channel,
                status: p.status,
                attempts: p.attempts,
                last_error: p.last_error,
                next_attempt_at: p.next_attempt_at,
            })
            .collect())
    }

    /// The membership and governance register of the caller's CPTS, with its compliance checks
    /// and what to do about each, as of a date (today by default). For staff.
    async fn register(&self, ctx: &Context<'_>, as_of: Option<NaiveDate>) -> Result<Register> {
        let principal = guard::staff(ctx)?;
        let register = queries::register(
            read_db(ctx)?,
            &principal.community.to_string(),
            as_of.unwrap_or_else(today),
        )
        .await
        .map_err(read_failed)?;
        register.try_into()
    }

    /// The contributions of the caller's CPTS the coordinator must see to, as of a date (today
    /// by default): overdue, answered late, revised and awaiting republication, or pending with
    /// a deadline within `withinDays` (30 by default); whether or not a decision took them up;
    /// soonest deadline first, at most `first` (100 at most). Each names its consultation, its
    /// author, its text and its dates. For staff.
    #[graphql(complexity = "usize::try_from(first).unwrap_or(1).max(1) * child_complexity")]
    async fn answers_due(
        &self,
        ctx: &Context<'_>,
        as_of: Option<NaiveDate>,
        #[graphql(default = 30)] within_days: i32,
        #[graphql(default = 100)] first: i32,
    ) -> Result<Vec<crate::due::DueContribution>> {
        let principal = guard::staff(ctx)?;
        let first = page_size(first)?;
        let within_days = u32::try_from(within_days.clamp(0, 366)).unwrap_or(0);
        let due = queries::due_contributions(
            read_db(ctx)?,
            &principal.community.to_string(),
            as_of.unwrap_or_else(today),
            within_days,
            usize::try_from(first).unwrap_or(100),
        )
        .await
        .map_err(read_failed)?;
        due.into_iter()
            .map(crate::due::DueContribution::try_from)
            .collect()
    }

    /// What falls due in the caller's CPTS as of a date (today by default): answers due,
    /// consultations closing, representatives' mandates and associations' approvals ending,
    /// overdue or within `withinDays` (90 by default, at most the 90 days of the farthest
    /// horizon); overdue first, then by last day. Each is named by its sentence. For staff.
    async fn deadlines(
        &self,
        ctx: &Context<'_>,
        as_of: Option<NaiveDate>,
        #[graphql(default = 90)] within_days: i32,
    ) -> Result<Vec<crate::deadlines::Deadline>> {
        let principal = guard::staff(ctx)?;
        let within_days = u32::try_from(within_days.clamp(0, 366)).unwrap_or(0);
        let found = cpts_projections::deadlines::deadlines(
            read_db(ctx)?,
            &principal.community.to_string(),
            as_of.unwrap_or_else(today),
            within_days,
        )
        .await
        .map_err(read_failed)?;
        Ok(found.into_iter().map(Into::into).collect())
    }

    /// The members of the caller's CPTS, by name. For staff.
    async fn members(&self, ctx: &Context<'_>) -> Result<Vec<Member>> {
        let principal = guard::staff(ctx)?;
        let members = listing::members(read_db(ctx)?, &principal.community.to_string())
            .await
            .map_err(read_failed)?;
        members.into_iter().map(Member::try_from).collect()
    }

    /// The associations known to the caller's CPTS, by name. For staff.
    async fn associations(&self, ctx: &Context<'_>) -> Result<Vec<Association>> {
        let principal = guard::staff(ctx)?;
        let associations = listing::associations(read_db(ctx)?, &principal.community.to_string())
            .await
            .map_err(read_failed)?;
        associations
            .into_iter()
            .map(Association::try_from)
            .collect()
    }

    /// Every event of the caller's CPTS in log order, with who did it, a page at a time (at most
    /// 100): the audit trail. For staff.
    #[graphql(complexity = "usize::try_from(first).unwrap_or(1).max(1) * child_complexity")]
    async fn timeline(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 50)] first: i32,
        after: Option<String>,
    ) -> Result<TimelinePage> {
        let principal = guard::staff(ctx)?;
        let first = page_size(first)?;
        let after = after
            .map(|cursor| {
                cursor
                    .parse::<u64>()
                    .map_err(|_| invalid_input("api-bad-timeline-cursor", &[]))
            })
            .transpose()?;
        let community = principal.community.to_string();
        let db = read_db(ctx)?;
        let page = listing::timeline_page(db, &community, after, first)
            .await
            .map_err(read_failed)?;
        // The events' content names the contribution an answer is about: one read of the log
        // for the page. Where the ledger cannot replay its log, entries name their record only.
        let payloads: HashMap<i64, serde_json::Value> = match page.items.first() {
            Some(first_entry) => ledger(ctx)?
                .community_events_after(
                    principal.community,
                    u64::try_from(first_entry.position - 1).unwrap_or(0),
                    u32::try_from(page.items.len()).unwrap_or(u32::MAX),
                )
                .await
                .unwrap_or_default()
                .into_iter()
                .map(|e| (i64::try_from(e.position).unwrap_or(i64::MAX), e.payload))
                .collect(),
            None => HashMap::new(),
        };
        let refs: Vec<journal::EventRef<'_>> = page
            .items
            .iter()
            .map(|e| journal::EventRef {
                aggregate_id: &e.aggregate_id,
                event_type: &e.event_type,
                actor: &e.actor,
                payload: payloads.get(&e.position),
            })
            .collect();
        let names = journal::names_for(db, &community, &refs)
            .await
            .map_err(read_failed)?;
        let described = journal::describe_both(&names, &refs, true);
        let entries: Vec<TimelineEntry> = page
            .items
            .iter()
            .zip(described)
            .map(|(e, (fr, en))| {
                let recorded_at_local = DateTime::parse_from_rfc3339(&e.recorded_at)
                    .map(|at| journal::local_time(at.with_timezone(&Utc)))
                    .unwrap_or_else(|_| e.recorded_at.clone());
                TimelineEntry {
                    position: e.position,
                    aggregate_type: e.aggregate_type.clone(),
                    aggregate_id: ID(e.aggregate_id.clone()),
                    sequence: e.sequence,
                    event_type: e.event_type.clone(),
                    actor: e.actor.clone(),
                    command_id: e.command_id.clone(),
                    recorded_at: e.recorded_at.clone(),
                    recorded_at_local,
                    label: fr.label,
                    label_en: en.label,
                    record_name: fr.record,
                    actor_name: fr.actor,
                    actor_name_en: en.actor,
                    about: fr.about,
                    about_en: en.about,
                    summary: fr.summary,
                    summary_en: en.summary,
                }
            })
            .collect();
        Ok(TimelinePage {
            has_next_page: page.has_next_page,
            end_cursor: entries.last().map(|e| e.position.to_string()),
            entries,
            time_zone: crate::clock::time_zone().name().to_owned(),
        })
    }

    /// Who is asking and the CPTS they reach, with its collèges and bodies. Without a token,
    /// name the CPTS with `communityId`: its name, collèges and bodies are public.
    async fn viewer(&self, ctx: &Context<'_>, community_id: Option<ID>) -> Result<Viewer> {
        let named = community_id
            .map(|id| parse_id("communityId", &id).map(CommunityId))
            .transpose()?;
        let (community, _) = reader(ctx, named)?;
        let (role, member, reads_everything) = match caller(ctx) {
            Caller::Principal(p) => (
                p.role.wire_name().to_owned(),
                p.member.map(|m| ID(m.to_string())),
                p.role.reads_everything(),
            ),
            Caller::Trusted(_) | Caller::Public => ("public".to_owned(), None, false),
        };
        let db = read_db(ctx)?;
        let id = community.to_string();
        let name = listing::community(db, &id)
            .await
            .map_err(read_failed)?
            .map(|c| c.name);
        let colleges = listing::colleges(db, &id)
            .await
            .map_err(read_failed)?
            .into_iter()
            .map(|c| College {
                id: ID(c.college_id),
                name: c.name,
                is_users_college: c.is_users_college != 0,
            })
            .collect();
        let bodies = listing::bodies(db, &id)
            .await
            .map_err(read_failed)?
            .into_iter()
            .map(|b| Body {
                id: ID(b.body_id),
                kind: b.kind,
                name: b.name,
            })
            .collect();
        Ok(Viewer {
            role,
            community_id: ID(id),
            community_name: name,
            member_id: member,
            reads_everything,
            colleges,
            bodies,
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
