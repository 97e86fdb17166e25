//! The general assembly's report: "as of D" on the fact axis, at log position P.
//!
//! Two time axes meet here. Each fact carries the date it happened (from its command); each
//! event has the time it was recorded. The report speaks of the facts dated on or before the
//! as-of day D, as the log stood at position P: P is the head when the report is asked for,
//! unless the caller names an earlier position. The events are read in log order up to P,
//! their hash chain is checked on the way, and the report is the pure fold of
//! `cpts_projections::report` over them (which leaves out every fact dated after D), sealed
//! with D, P, the recording time of event P and the digest up to P.
//!
//! The same period, D and P therefore give the same bytes forever, whatever is recorded later:
//! a fact dated after D never changes the report; a fact recorded after P but dated before D
//! is in a later generation, whose seal shows the later position. The wall-clock time of the
//! generation is not in the report (it would change the bytes at each generation): the time
//! the seal gives is the recording time of event P, the time the log stood at P.
//!
//! D may not be after today in the CPTS's time zone; a report as of today (a day that has not
//! ended) is marked provisional in its title and its seal.

use anyhow::Context;
use chrono::NaiveDate;
use cpts_domain::ids::CommunityId;
use cpts_domain::values::Lang;
use cpts_projections::report::{self, LedgerSeal, Report};

use crate::projector::envelope;
use crate::store::{ChainCheck, EventRepository};

const BATCH: u32 = 5_000;

/// What to report on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportRequest {
    /// The CPTS.
    pub community: CommunityId,
    /// First and last day of the period.
    pub period: (NaiveDate, NaiveDate),
    /// The report speaks of the facts dated on or before this day; it also judges what is
    /// late.
    pub as_of: NaiveDate,
    /// The log position the report reads up to; the head when the report is made if `None`.
    pub position: Option<u64>,
    /// Today in the CPTS's time zone (`cpts_graphql::clock::today`): an as-of date after it
    /// is refused, and a report as of it is provisional.
    pub today: NaiveDate,
    /// French or English.
    pub lang: Lang,
}

impl ReportRequest {
    /// The calendar year of the as-of date, in French, at the head: the report of an ordinary
    /// assembly.
    pub fn year_of(community: CommunityId, as_of: NaiveDate, today: NaiveDate) -> Self {
        let year = cpts_domain::rules::Period::calendar_year_of(as_of);
        Self {
            community,
            period: (year.from, year.to),
            as_of,
            position: None,
            today,
            lang: Lang::Fr,
        }
    }
}

/// Why a report cannot be made as asked: the caller's mistake, said in both languages.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReportRefusal {
    /// The period ends before it starts.
    #[error("the period ends ({to}) before it starts ({from})")]
    PeriodReversed {
        /// First day asked.
        from: NaiveDate,
        /// Last day asked.
        to: NaiveDate,
    },
    /// The as-of day has not come yet in the CPTS's time zone.
    #[error("the as-of date {as_of} is after today ({today} in the CPTS's time zone)")]
    FutureAsOf {
        /// The date asked.
        as_of: NaiveDate,
        /// Today.
        today: NaiveDate,
    },
    /// The position asked is beyond the last event of the log.
    #[error("position {position} is beyond the head of the log ({head})")]
    BeyondHead {
        /// The position asked.
        position: u64,
        /// The head.
        head: u64,
    },
}

impl ReportRefusal {
    /// The refusal in French.
    pub fn message_fr(&self) -> String {
        match self {
            ReportRefusal::PeriodReversed { from, to } => {
                format!("La période se termine ({to}) avant de commencer ({from}).")
            }
            ReportRefusal::FutureAsOf { as_of, today } => format!(
                "La date de situation {as_of} n'est pas encore arrivée : nous sommes le {today} dans le fuseau horaire de la CPTS."
            ),
            ReportRefusal::BeyondHead { position, head } => format!(
                "La position {position} est au-delà du dernier événement du journal (position {head})."
            ),
        }
    }

    /// The refusal in English.
    pub fn message_en(&self) -> String {
        match self {
            ReportRefusal::PeriodReversed { from, to } => {
                format!("The period ends ({to}) before it starts ({from}).")
            }
            ReportRefusal::FutureAsOf { as_of, today } => format!(
                "The as-of date {as_of} has not come yet: today is {today} in the CPTS's time zone."
            ),
            ReportRefusal::BeyondHead { position, head } => format!(
                "Position {position} is beyond the last event of the log (position {head})."
            ),
        }
    }
}

/// Builds the report. A request the log cannot answer fails with a [`ReportRefusal`] (find it
/// with `downcast_ref`); anything else is the store's failure.
pub async fn generate(repo: &EventRepository, request: ReportRequest) -> anyhow::Result<Report> {
    let (from, to) = request.period;
    if from > to {
        return Err(ReportRefusal::PeriodReversed { from, to }.into());
    }
    if request.as_of > request.today {
        return Err(ReportRefusal::FutureAsOf {
            as_of: request.as_of,
            today: request.today,
        }
        .into());
    }
    let head = repo
        .head()
        .await
        .context("reading the head of the log")?
        .position;
    let up_to = match request.position {
        Some(position) if position > head => {
            return Err(ReportRefusal::BeyondHead { position, head }.into());
        }
        Some(position) => position,
        None => head,
    };
    let mut chain = ChainCheck::new(None);
    let mut intact = true;
    let mut recorded_at = None;
    let mut envelopes = Vec::new();
    'log: while chain.last_position() < up_to {
        let events = repo
            .read_log(chain.last_position(), BATCH)
            .await
            .context("reading the log")?;
        if events.is_empty() {
            break;
        }
        for event in events {
            if event.position > up_to {
                break 'log;
            }
            if chain.check(&event).is_err() {
                intact = false;
                break 'log;
            }
            recorded_at = Some(event.recorded_at_text.clone());
            envelopes.push(envelope(event).context("reading an event of the log")?);
        }
    }
    let mut built = report::build(
        &envelopes,
        &request.community.to_string(),
        request.period,
        request.as_of,
        request.lang,
    );
    built.ledger = Some(LedgerSeal {
        position: chain.last_position(),
        recorded_at,
        provisional: request.as_of == request.today,
        digest: chain.digest().to_string(),
        intact,
    });
    Ok(built)
}
