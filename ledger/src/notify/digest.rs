//! The coordinator's digest: the contributions whose answer deadline is near or past, with no
//! published answer yet, queued as an e-mail to each coordinator of the CPTS who has an address.
//! `cpts-ledger digest` runs it (daily, from a timer); its key is a UUID v5 of the CPTS, the day
//! and the coordinator, so running it twice the same day queues it once.

use chrono::{Days, NaiveDate, Utc};
use cpts_domain::values::Rung;
use cpts_projections::db::{Param, Statement};
use cpts_projections::ReadDb;
use uuid::Uuid;

use super::now_text;
use super::outbox::parse_lang;
use super::texts::{digest_message, Waiting};

/// The namespace of digests' keys.
const DIGESTS: Uuid = Uuid::from_u128(0x8e2a_41c7_5b0d_4f6e_a913_7c2d_0b5e_9f41);

/// The contributions of a CPTS owed an answer by `as_of + within_days` (or earlier) that have
/// no published answer, soonest deadline first.
pub async fn waiting(
    db: &ReadDb,
    community_id: &str,
    as_of: NaiveDate,
    within_days: u32,
) -> anyhow::Result<Vec<Waiting>> {
    let horizon = as_of
        .checked_add_days(Days::new(u64::from(within_days)))
        .unwrap_or(NaiveDate::MAX);
    let rows: Vec<(String, String, String, String)> = db
        .fetch(
            "SELECT co.subject, c.contribution_id, co.answer_deadline, co.rung \
             FROM proj_contributions c \
             JOIN proj_consultations co ON co.consultation_id = c.consultation_id \
             WHERE c.community_id = $1 AND c.withdrawn_on IS NULL AND co.answer_deadline <= $2 \
             AND NOT EXISTS (SELECT 1 FROM proj_answers a WHERE a.contribution_id = \
             c.contribution_id AND a.published_on IS NOT NULL) \
             ORDER BY co.answer_deadline, c.contribution_id",
            &[community_id.into(), horizon.into()],
        )
        .await?;
    Ok(rows
        .into_iter()
        .filter(|(_, _, _, rung)| Rung::from_wire_name(rung).is_some_and(Rung::owes_answers))
        .map(|(consultation, contribution_id, deadline, _)| Waiting {
            consultation,
            contribution_id,
            deadline,
        })
        .collect())
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
    let mut tx = db.begin().await?;
    let now = now_text(Utc::now());
    let mut queued = 0;
    for (member, email, lang, community) in coordinators {
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
                    email.as_str().into(),
                    Param::Text(Some(if lang == cpts_domain::values::Lang::En {
                        "en".into()
                    } else {
                        "fr".into()
                    })),
                    title.into(),
                    body.into(),
                    now.as_str().into(),
                ],
            })
            .await?;
    }
    tx.commit().await?;
    Ok(queued)
}
