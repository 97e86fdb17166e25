//! The general assembly's report, from the log as it was recorded by the end of the as-of date.
//!
//! The events are read in log order up to the last one recorded by then (recording times never
//! go back along the log, so that is a prefix of it), their hash chain is checked on the way,
//! and the report is the pure fold of `cpts_projections::report` over them, sealed with the
//! position and digest it was built from. The same period and date therefore give the same
//! bytes later, whatever was recorded since.

use anyhow::Context;
use chrono::{NaiveDate, NaiveTime};
use cpts_domain::ids::CommunityId;
use cpts_domain::values::Lang;
use cpts_projections::report::{self, LedgerSeal, Report};

use crate::projector::envelope;
use crate::store::{ChainCheck, Digest, EventRepository};

const BATCH: u32 = 5_000;

/// What to report on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportRequest {
    /// The CPTS.
    pub community: CommunityId,
    /// First and last day of the period.
    pub period: (NaiveDate, NaiveDate),
    /// The report speaks of the log as recorded by the end of this day (UTC).
    pub as_of: NaiveDate,
    /// French or English.
    pub lang: Lang,
}

impl ReportRequest {
    /// The calendar year of the as-of date, in French: the report of an ordinary assembly.
    pub fn year_of(community: CommunityId, as_of: NaiveDate) -> Self {
        use chrono::Datelike;
        let year = as_of.year();
        Self {
            community,
            period: (
                NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or(as_of),
                NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or(as_of),
            ),
            as_of,
            lang: Lang::Fr,
        }
    }
}

/// Builds the report.
pub async fn generate(repo: &EventRepository, request: ReportRequest) -> anyhow::Result<Report> {
    anyhow::ensure!(
        request.period.0 <= request.period.1,
        "the period ends ({}) before it starts ({})",
        request.period.1,
        request.period.0
    );
    let cutoff = request
        .as_of
        .succ_opt()
        .context("an as-of date too far in the future")?
        .and_time(NaiveTime::MIN)
        .and_utc();
    let mut chain = ChainCheck::new(None);
    let mut intact = true;
    let mut envelopes = Vec::new();
    'log: loop {
        let events = repo
            .read_log(chain.last_position(), BATCH)
            .await
            .context("reading the log")?;
        if events.is_empty() {
            break;
        }
        for event in events {
            if event.recorded_at >= cutoff {
                break 'log;
            }
            if chain.check(&event).is_err() {
                intact = false;
                break 'log;
            }
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
        digest: Digest {
            position: chain.last_position(),
            hash: chain.last_hash(),
        }
        .to_string(),
        intact,
    });
    Ok(built)
}
