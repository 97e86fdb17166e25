//! The coordinator's digest: the contributions whose answer deadline is near or past, with no
//! published answer yet, queued as an e-mail to each coordinator of the CPTS who has an address.
//! `cpts-ledger digest` runs it (daily, from a timer); its key is a UUID v5 of the CPTS, the day
//! and the coordinator, so running it twice the same day queues it once.
//!
//! A coordinator reads it without the dashboard open: each contribution is named by its
//! consultation's subject, its author, the start of its text and its dates, written out in
//! the coordinator's language, with the decision where it can be answered; the message ends
//! with the link to the dashboard, whose home page lists the same contributions. It then tells
//! the échéances of the CPTS, overdue or within 90 days, in the sentences of the dashboard's
//! list ([`cpts_projections::deadlines::deadlines`]), under the same horizons. No id is written
//! in it; nothing is sent when nothing at all is due.

use chrono::{NaiveDate, Utc};
use cpts_domain::values::Lang;
use cpts_projections::at_rest::column;
use cpts_projections::db::{Param, Statement};
use cpts_projections::deadlines::{self, Deadline};
use cpts_projections::{queries, ReadDb};
use uuid::Uuid;

use super::now_text;
use super::outbox::parse_lang;
use super::texts::{digest_message, Waiting};

/// The namespace of digests' keys.
const DIGESTS: Uuid = Uuid::from_u128(0x8e2a_41c7_5b0d_4f6e_a913_7c2d_0b5e_9f41);

/// The most contributions (and the most échéances) one digest lists; the dashboard shows the
/// rest.
const MOST: usize = 500;

/// How far ahead the digest tells the échéances: the farthest horizon.
const DEADLINES_WITHIN_DAYS: u32 = 90;

/// The échéances of a CPTS the digest of `as_of` tells, as the dashboard lists them.
pub async fn due(
    db: &ReadDb,
    community_id: &str,
    as_of: NaiveDate,
) -> anyhow::Result<Vec<Deadline>> {
    let mut found = deadlines::deadlines(db, community_id, as_of, DEADLINES_WITHIN_DAYS).await?;
    found.truncate(MOST);
    Ok(found)
}

/// The contributions of a CPTS that still wait for a published answer on `as_of`
/// ([`cpts_domain::rules::ContributionStanding::awaits_publication`]): overdue, pending with a deadline by
/// `as_of + within_days`, or revised and awaiting republication; soonest deadline first. Read
/// by the same reader as the dashboard's list ([`queries::due_contributions`]), whether or not a
/// decision took them up.
pub async fn waiting(
    db: &ReadDb,
    community_id: &str,
    as_of: NaiveDate,
    within_days: u32,
) -> anyhow::Result<Vec<Waiting>> {
    let due = queries::due_contributions(db, community_id, as_of, within_days, usize::MAX).await?;
    Ok(due
        .into_iter()
        .filter(|d| d.standing.awaits_publication())
        .take(MOST)
        .map(|d| Waiting {
            consultation: d.subject,
            contribution_id: d.contribution_id,
            author_name: d.author_name,
            anonymous_commune: d.anonymous_commune,
            text: d.text,
            submitted_on: d.submitted_on,
            deadline: d.answer_deadline,
            decision: d.decisions.into_iter().next().map(|(_, title)| title),
            standing: d.standing,
        })
        .collect())
}

/// The digest of `as_of` as a coordinator reading `lang` receives it: its subject line and
/// body, or None when nothing at all is due. `public_url` is the service's address, for the
/// link to the dashboard.
pub async fn render(
    db: &ReadDb,
    community_id: &str,
    as_of: NaiveDate,
    within_days: u32,
    public_url: &str,
    lang: Lang,
) -> anyhow::Result<Option<(String, String)>> {
    let waiting = waiting(db, community_id, as_of, within_days).await?;
    let deadlines = due(db, community_id, as_of).await?;
    if waiting.is_empty() && deadlines.is_empty() {
        return Ok(None);
    }
    let community = community_name(db, community_id).await?;
    Ok(Some(digest_message(
        &community, as_of, &waiting, &deadlines, public_url, lang,
    )))
}

async fn community_name(db: &ReadDb, community_id: &str) -> anyhow::Result<String> {
    let rows: Vec<(String,)> = db
        .fetch(
            "SELECT name FROM proj_communities WHERE community_id = $1",
            &[community_id.into()],
        )
        .await?;
    Ok(rows
        .into_iter()
        .next()
        .map_or_else(|| "CPTS".to_owned(), |(name,)| name))
}

/// Queues the digest of `as_of` for every coordinator of the CPTS with an address; returns how
/// many were queued (none when nothing at all is due, or when already queued that day).
pub async fn queue(
    db: &ReadDb,
    community_id: &str,
    as_of: NaiveDate,
    within_days: u32,
    public_url: &str,
) -> anyhow::Result<u64> {
    let waiting = waiting(db, community_id, as_of, within_days).await?;
    let deadlines = due(db, community_id, as_of).await?;
    if waiting.is_empty() && deadlines.is_empty() {
        return Ok(0);
    }
    let community = community_name(db, community_id).await?;
    let coordinators: Vec<(String, String, String)> = db
        .fetch(
            "SELECT m.member_id, n.email, n.lang FROM proj_members m \
             JOIN notify_contacts n ON n.subject_id = m.member_id \
             WHERE m.community_id = $1 AND m.kind = 'coordinator' AND m.departed_on IS NULL \
             AND n.email IS NOT NULL ORDER BY m.member_id",
            &[community_id.into()],
        )
        .await?;
    let at_rest = db.at_rest()?;
    let mut tx = db.begin().await?;
    let now = now_text(Utc::now());
    let mut queued = 0;
    for (member, email, lang) in coordinators {
        let email = db.at_rest()?.open(super::outbox::EMAIL_COLUMN, &email)?;
        let lang = parse_lang(&lang);
        let (title, body) =
            digest_message(&community, as_of, &waiting, &deadlines, public_url, lang);
        let key = Uuid::new_v5(
            &DIGESTS,
            format!("{community_id}/{as_of}/{member}").as_bytes(),
        );
        queued += tx
            .execute(&Statement {
                sql: "INSERT INTO notify_outbox (notification_key, position, community_id, \
                      channel, subject_id, member_id, recipient, lang, title, body, status, \
                      attempts, next_attempt_at, created_at) \
                      VALUES ($1, 0, $2, 'email', $3, $3, $4, $5, $6, $7, 'queued', 0, $8, $8) \
                      ON CONFLICT (notification_key) DO NOTHING"
                    .into(),
                params: vec![
                    key.to_string().into(),
                    community_id.into(),
                    member.as_str().into(),
                    at_rest.seal(column::OUTBOX_RECIPIENT, &email).into(),
                    Param::Text(Some(if lang == Lang::En {
                        "en".into()
                    } else {
                        "fr".into()
                    })),
                    at_rest.seal(column::OUTBOX_TITLE, &title).into(),
                    at_rest.seal(column::OUTBOX_BODY, &body).into(),
                    now.as_str().into(),
                ],
            })
            .await?;
    }
    tx.commit().await?;
    Ok(queued)
}
