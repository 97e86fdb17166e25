//! The coordinator's digest: the contributions whose answer deadline is near or past, with no
//! published answer yet, queued as an e-mail to each coordinator of the CPTS who has an address.
//! `cpts-ledger digest` runs it (daily, from a timer); its key is a UUID v5 of the CPTS, the day
//! and the coordinator, so running it twice the same day queues it once.

use chrono::{Days, NaiveDate, Utc};
use cpts_domain::rules::{self, AnswerFacts, ContributionFacts, ContributionStanding};
use cpts_domain::values::Rung;
use cpts_projections::at_rest::column;
use cpts_projections::db::{Param, Statement};
use cpts_projections::ReadDb;
use uuid::Uuid;

use super::now_text;
use super::outbox::parse_lang;
use super::texts::{digest_message, Waiting};

/// The namespace of digests' keys.
const DIGESTS: Uuid = Uuid::from_u128(0x8e2a_41c7_5b0d_4f6e_a913_7c2d_0b5e_9f41);

/// The contributions of a CPTS that still wait for a published answer on `as_of`
/// ([`ContributionStanding::awaits_publication`]): overdue, pending with a deadline by
/// `as_of + within_days`, or revised and awaiting republication; soonest deadline first.
pub async fn waiting(
    db: &ReadDb,
    community_id: &str,
    as_of: NaiveDate,
    within_days: u32,
) -> anyhow::Result<Vec<Waiting>> {
    let horizon = as_of
        .checked_add_days(Days::new(u64::from(within_days)))
        .unwrap_or(NaiveDate::MAX);
    type Row = (
        String,
        String,
        String,
        String,
        String,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
        String,
        Option<String>,
    );
    let rows: Vec<Row> = db
        .fetch(
            "SELECT co.subject, c.contribution_id, co.answer_deadline, co.rung, c.submitted_on, \
             c.withdrawn_on, a.first_published_on, a.revised_on, a.published_on, co.closes_on, \
             c.late_reason \
             FROM proj_contributions c \
             JOIN proj_consultations co ON co.consultation_id = c.consultation_id \
             LEFT JOIN proj_answers a ON a.contribution_id = c.contribution_id \
             WHERE c.community_id = $1 AND c.submitted_on <= $2 \
             ORDER BY co.answer_deadline, c.contribution_id, a.decision_id",
            &[community_id.into(), as_of.into()],
        )
        .await?;
    let day = |t: &Option<String>| t.as_deref().and_then(|t| t.parse::<NaiveDate>().ok());
    let mut out: Vec<Waiting> = Vec::new();
    let mut answers: Vec<AnswerFacts> = Vec::new();
    let mut rows = rows.into_iter().peekable();
    while let Some(row) = rows.next() {
        let (
            subject,
            id,
            deadline,
            rung,
            submitted,
            withdrawn,
            first,
            revised,
            published,
            closes_on,
            late_reason,
        ) = row;
        if first.is_some() {
            answers.push(AnswerFacts {
                first_published_on: day(&first),
                revised_on: day(&revised),
                last_published_on: day(&published),
            });
        }
        if rows.peek().is_some_and(|next| next.1 == id) {
            continue;
        }
        let facts = ContributionFacts {
            submitted_on: submitted.parse().unwrap_or(NaiveDate::MIN),
            withdrawn_on: day(&withdrawn),
            rung: Rung::from_wire_name(&rung).unwrap_or(Rung::Consult),
            consultation_deadline: deadline.parse().unwrap_or(NaiveDate::MAX),
            closes_on: closes_on.parse().unwrap_or(NaiveDate::MAX),
            received_late: late_reason.is_some(),
            answer: AnswerFacts::first_answer(answers.drain(..), as_of),
        };
        let standing = rules::standing(&facts, as_of);
        let due = match standing {
            ContributionStanding::Pending { deadline } => deadline <= horizon,
            other => other.awaits_publication(),
        };
        if due {
            out.push(Waiting {
                consultation: subject,
                contribution_id: id,
                // Its own: one received late is owed its answer later than its consultation's.
                deadline: facts.deadline().to_string(),
                standing,
            });
        }
    }
    // Soonest deadline first, each contribution's own (the rows come by their consultation's).
    out.sort_by(|a, b| a.deadline.cmp(&b.deadline));
    Ok(out)
}

/// Queues the digest of `as_of` for every coordinator of the CPTS with an address; returns how
/// many were queued (none when nothing waits, or when already queued that day).
pub async fn queue(
    db: &ReadDb,
    community_id: &str,
    as_of: NaiveDate,
    within_days: u32,
) -> anyhow::Result<u64> {
    let waiting = waiting(db, community_id, as_of, within_days).await?;
    if waiting.is_empty() {
        return Ok(0);
    }
    let coordinators: Vec<(String, String, String, Option<String>)> = db
        .fetch(
            "SELECT m.member_id, n.email, n.lang, cm.name FROM proj_members m \
             JOIN notify_contacts n ON n.subject_id = m.member_id \
             LEFT JOIN proj_communities cm ON cm.community_id = m.community_id \
             WHERE m.community_id = $1 AND m.kind = 'coordinator' AND m.departed_on IS NULL \
             AND n.email IS NOT NULL ORDER BY m.member_id",
            &[community_id.into()],
        )
        .await?;
    let at_rest = db.at_rest()?;
    let mut tx = db.begin().await?;
    let now = now_text(Utc::now());
    let mut queued = 0;
    for (member, email, lang, community) in coordinators {
        let email = db.at_rest()?.open(super::outbox::EMAIL_COLUMN, &email)?;
        let lang = parse_lang(&lang);
        let community = community.unwrap_or_else(|| "CPTS".to_owned());
        let (title, body) = digest_message(&community, &as_of.to_string(), &waiting, lang);
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
                    Param::Text(Some(if lang == cpts_domain::values::Lang::En {
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
