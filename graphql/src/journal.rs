//! What a person reads about an event, in the Journal and in a form's confirmation: the
//! event's name from the catalogue (`event-<type>`), the record it touched and who acted,
//! named as staff may see them (a consultation's subject, a decision's title, a member's name,
//! a token's label), never by id. One function describes both, so a confirmation says what the
//! Journal will say; names are looked up for a whole page at once.

use chrono::{DateTime, Utc};
use cpts_domain::command::Actor;
use cpts_domain::texts::{t, t_args};
use cpts_domain::values::Lang;
use cpts_projections::db::ReadDb;
use cpts_projections::listing::{self, Names};
use serde_json::Value;

/// One event, as the describer needs it.
#[derive(Debug, Clone)]
pub struct EventRef<'a> {
    /// The record it changed.
    pub aggregate_id: &'a str,
    /// What happened (`AnswerDrafted`).
    pub event_type: &'a str,
    /// Who acted, in the metadata's form (`member:<id>`, `token:<id>`, `system`).
    pub actor: &'a str,
    /// Its content, when the reader has it: it names the contribution an event is about.
    pub payload: Option<&'a Value>,
}

/// An event in words, in one language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Described {
    /// What happened ("Réponse rédigée").
    pub label: String,
    /// The record it touched, by name; `None` when it has none to show.
    pub record: Option<String>,
    /// Who acted ("Claire Martin", "le service", "jeton « Coordination »").
    pub actor: String,
    /// The contribution the event is about ("la contribution de Martine Roussel à « … »").
    pub about: Option<String>,
    /// One sentence naming what was recorded.
    pub summary: String,
}

/// The contribution an event is about, read from its content (`contribution_id`, at the top
/// or inside the variant's object).
fn contribution_of(payload: Option<&Value>) -> Option<&str> {
    let payload = payload?;
    let direct = payload.get("contribution_id").and_then(Value::as_str);
    direct.or_else(|| {
        payload
            .as_object()?
            .values()
            .find_map(|inner| inner.get("contribution_id").and_then(Value::as_str))
    })
}

/// The names every event of `events` needs, looked up together.
pub async fn names_for(
    db: &ReadDb,
    community: &str,
    events: &[EventRef<'_>],
) -> Result<Names, sqlx::Error> {
    let mut records: Vec<String> = vec![];
    let mut contributions = vec![];
    let mut tokens = vec![];
    for e in events {
        records.push(e.aggregate_id.to_owned());
        if let Some(c) = contribution_of(e.payload) {
            contributions.push(c.to_owned());
        }
        match Actor::from_metadata(e.actor) {
            Some(Actor::Member(id)) => records.push(id.to_string()),
            Some(Actor::Token(id)) => tokens.push(id.to_string()),
            _ => {}
        }
    }
    listing::names(db, community, &records, &contributions, &tokens).await
}

/// An event in words, in `lang`. `with_authors` says whether the caller may read who wrote a
/// contribution; without it, a contribution is named by its consultation only.
pub fn describe(lang: Lang, names: &Names, event: &EventRef<'_>, with_authors: bool) -> Described {
    let label = event_label(lang, event.event_type);
    let record = names.records.get(event.aggregate_id).cloned();
    let actor = actor_name(lang, names, event.actor);
    let contribution = contribution_of(event.payload)
        .and_then(|id| names.contributions.get(id))
        .map(|c| {
            let subject = c.subject.as_str();
            match (&c.author_name, &c.anonymous_commune) {
                (Some(author), _) if with_authors => t_args(
                    lang,
                    "journal-contribution-by",
                    &[("author", author.into()), ("subject", subject.into())],
                ),
                // Written by a member the caller may not name.
                (Some(_), _) => t_args(
                    lang,
                    "journal-contribution-to",
                    &[("subject", subject.into())],
                ),
                (None, Some(commune)) => t_args(
                    lang,
                    "journal-contribution-anonymous-from",
                    &[("commune", commune.into()), ("subject", subject.into())],
                ),
                (None, None) => t_args(
                    lang,
                    "journal-contribution-anonymous",
                    &[("subject", subject.into())],
                ),
            }
        });
    let about = contribution.clone();
    let summary = match contribution {
        Some(contribution) if event.event_type.starts_with("Answer") => t_args(
            lang,
            "journal-summary-answer",
            &[
                ("label", label.as_str().into()),
                ("contribution", contribution.into()),
            ],
        ),
        Some(contribution) => t_args(
            lang,
            "journal-summary-contribution",
            &[
                ("label", label.as_str().into()),
                ("contribution", contribution.into()),
            ],
        ),
        None => t_args(
            lang,
            "journal-summary",
            &[
                ("label", label.as_str().into()),
                (
                    "record",
                    record
                        .clone()
                        .unwrap_or_else(|| t(lang, "journal-unknown-record").to_owned())
                        .into(),
                ),
            ],
        ),
    };
    Described {
        label,
        record,
        actor,
        about,
        summary,
    }
}

/// The catalogue's name of an event type; an unknown type (from a newer version) stays as
/// stored.
pub fn event_label(lang: Lang, event_type: &str) -> String {
    let key = format!("event-{event_type}");
    cpts_domain::texts::keys(lang)
        .iter()
        .find(|k| **k == key)
        .map_or_else(|| event_type.to_owned(), |k| t(lang, k.as_str()).to_owned())
}

fn actor_name(lang: Lang, names: &Names, actor: &str) -> String {
    match Actor::from_metadata(actor) {
        Some(Actor::System) => t(lang, "journal-actor-system").to_owned(),
        Some(Actor::Member(id)) => names
            .records
            .get(&id.to_string())
            .cloned()
            .unwrap_or_else(|| t(lang, "journal-unknown-record").to_owned()),
        Some(Actor::Token(id)) => names.tokens.get(&id.to_string()).map_or_else(
            || t(lang, "journal-actor-unknown-token").to_owned(),
            |label| t_args(lang, "journal-actor-token", &[("label", label.into())]),
        ),
        Some(Actor::Anonymous) | None => t(lang, "journal-actor-anonymous").to_owned(),
    }
}

/// A moment in the CPTS's time zone, as RFC 3339 with its offset ("2026-12-03T11:31:00+01:00").
pub fn local_time(at: DateTime<Utc>) -> String {
    at.with_timezone(&crate::clock::time_zone())
        .format("%Y-%m-%dT%H:%M:%S%:z")
        .to_string()
}

/// Describes a batch in both languages: `(fr, en)` for each event, in order.
pub fn describe_both(
    names: &Names,
    events: &[EventRef<'_>],
    with_authors: bool,
) -> Vec<(Described, Described)> {
    events
        .iter()
        .map(|e| {
            (
                describe(Lang::Fr, names, e, with_authors),
                describe(Lang::En, names, e, with_authors),
            )
        })
        .collect()
}
