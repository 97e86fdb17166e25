//! What the notifications say: French first, English for those who chose it. The words are
//! in the text catalogue ([`cpts_domain::texts`], keys `mail-*`); dates are written out.

use chrono::NaiveDate;
use cpts_domain::deadlines::Horizon;
use cpts_domain::texts::{date, t, t_args};
use cpts_domain::values::{Disposition, Lang};
use cpts_projections::deadlines::Deadline;

/// What became of one contribution, as told to its author.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnswerNews {
    /// The CPTS's name.
    pub community: String,
    /// The subject of the consultation the contribution answered.
    pub consultation: String,
    /// The decision that answered it.
    pub decision: String,
    /// What became of it (wire name, e.g. `partly_retained`).
    pub disposition: String,
    /// Why, if said.
    pub rationale: Option<String>,
    /// When the answer was published (ISO date).
    pub published_on: String,
}

impl AnswerNews {
    /// The disposition as people read it.
    pub fn disposition_label(&self, lang: Lang) -> String {
        Disposition::from_wire_name(&self.disposition)
            .map(|d| d.label(lang).to_owned())
            .unwrap_or_else(|| self.disposition.clone())
    }
}

/// An ISO day (as the outbox stores it) as the texts of `lang` write it; kept as is if it is
/// not one.
fn day(iso: &str, lang: Lang) -> String {
    iso.parse::<NaiveDate>()
        .map_or_else(|_| iso.to_owned(), |d| date(lang, d))
}

/// The subject line and body of the e-mail (or in-service notice) telling an author what
/// became of their contribution; with an unsubscribe link when one is given.
pub fn answer_message(
    news: &AnswerNews,
    lang: Lang,
    unsubscribe: Option<&str>,
) -> (String, String) {
    let subject = t_args(
        lang,
        "mail-answer-subject",
        &[("community", news.community.as_str().into())],
    );
    let mut body = t_args(
        lang,
        "mail-answer-body",
        &[
            ("community", news.community.as_str().into()),
            ("consultation", news.consultation.as_str().into()),
            ("published", day(&news.published_on, lang).into()),
            ("disposition", news.disposition_label(lang).into()),
        ],
    );
    body.push('\n');
    if let Some(rationale) = &news.rationale {
        body.push_str(&t_args(
            lang,
            "mail-answer-rationale",
            &[("rationale", rationale.into())],
        ));
        body.push('\n');
    }
    body.push_str(&t_args(
        lang,
        "mail-answer-decision",
        &[("decision", news.decision.as_str().into())],
    ));
    body.push_str("\n\n");
    body.push_str(t(lang, "mail-answer-thanks"));
    body.push('\n');
    if let Some(link) = unsubscribe {
        body.push('\n');
        body.push_str(&t_args(lang, "mail-unsubscribe", &[("link", link.into())]));
        body.push('\n');
    }
    (subject, body)
}

/// One contribution still waiting for its answer, for the coordinator's digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Waiting {
    /// The consultation's subject.
    pub consultation: String,
    /// The contribution's id: never written in the message, for the callers that sort or count.
    pub contribution_id: String,
    /// The member's name, if a member wrote it.
    pub author_name: Option<String>,
    /// The anonymous inhabitant's commune, if given.
    pub anonymous_commune: Option<String>,
    /// Its text.
    pub text: String,
    /// When it was submitted (ISO date).
    pub submitted_on: String,
    /// The last day an answer is on time (ISO date).
    pub deadline: String,
    /// The title of the (first) decision that drew on its consultation, where it is answered;
    /// None while no decision took it up.
    pub decision: Option<String>,
    /// Where it stands: overdue, pending, or revised and awaiting republication.
    pub standing: cpts_domain::rules::ContributionStanding,
}

/// The start of a text, on one line, cut at a word near `most` characters.
fn excerpt(text: &str, most: usize) -> String {
    let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.chars().count() <= most {
        return line;
    }
    let cut: String = line.chars().take(most).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(head, _)| head);
    format!("{}…", cut.trim_end_matches([',', ';', ':', '.']))
}

/// The coordinator's digest: the contributions whose answer deadline is near or past, each
/// named by its consultation, its author, its text and its dates, with where it is answered;
/// then the échéances of the CPTS (answers, consultations, mandates, approvals) under their
/// horizons, each in the sentence the dashboard shows; and the link to the dashboard
/// (`public_url`). When no contribution waits, only the échéances are told.
pub fn digest_message(
    community: &str,
    as_of: NaiveDate,
    waiting: &[Waiting],
    deadlines: &[Deadline],
    public_url: &str,
    lang: Lang,
) -> (String, String) {
    use cpts_domain::rules::ContributionStanding as S;
    let of = |keep: fn(&S) -> bool| -> Vec<&Waiting> {
        waiting.iter().filter(|w| keep(&w.standing)).collect()
    };
    let late = of(|s| matches!(s, S::Overdue { .. }));
    let near = of(|s| matches!(s, S::Pending { .. }));
    let revised = of(|s| matches!(s, S::RevisedAwaitingRepublication { .. }));
    let as_of_text = date(lang, as_of);
    let mut body = if waiting.is_empty() {
        t_args(
            lang,
            "mail-digest-intro-deadlines",
            &[
                ("date", as_of_text.as_str().into()),
                ("count", deadlines.len().into()),
            ],
        )
    } else {
        t_args(
            lang,
            "mail-digest-intro",
            &[
                ("date", as_of_text.as_str().into()),
                ("count", waiting.len().into()),
            ],
        )
    };
    body.push('\n');
    for (key, list) in [
        ("mail-digest-overdue", &late),
        ("mail-digest-near", &near),
        ("mail-digest-revised", &revised),
    ] {
        if waiting.is_empty() || (key == "mail-digest-revised" && list.is_empty()) {
            continue;
        }
        body.push('\n');
        body.push_str(&t_args(lang, key, &[("count", list.len().into())]));
        body.push('\n');
        for w in list {
            let author = cpts_projections::queries::author_as_staff_see(
                w.author_name.as_deref(),
                w.anonymous_commune.as_deref(),
                lang,
            );
            body.push('\n');
            body.push_str(&t_args(
                lang,
                "mail-digest-line",
                &[
                    ("consultation", w.consultation.as_str().into()),
                    ("author", author.into()),
                    ("submitted", day(&w.submitted_on, lang).into()),
                    ("deadline", day(&w.deadline, lang).into()),
                ],
            ));
            body.push_str("\n  ");
            body.push_str(&t_args(
                lang,
                "mail-digest-text",
                &[("text", excerpt(&w.text, 120).into())],
            ));
            body.push_str("\n  ");
            body.push_str(&match &w.decision {
                Some(decision) => t_args(
                    lang,
                    "mail-digest-answer-in",
                    &[("decision", decision.as_str().into())],
                ),
                None => t(lang, "mail-digest-no-decision").to_owned(),
            });
            body.push('\n');
        }
    }
    if !deadlines.is_empty() {
        body.push('\n');
        body.push_str(&t_args(
            lang,
            "mail-digest-deadlines",
            &[("count", deadlines.len().into())],
        ));
        body.push('\n');
        for horizon in Horizon::ALL {
            let of_horizon: Vec<&Deadline> = deadlines
                .iter()
                .filter(|d| d.deadline.horizon == horizon)
                .collect();
            if of_horizon.is_empty() {
                continue;
            }
            body.push('\n');
            body.push_str(&t_args(
                lang,
                "mail-digest-horizon",
                &[
                    ("horizon", horizon.label(lang).into()),
                    ("count", of_horizon.len().into()),
                ],
            ));
            body.push('\n');
            for d in of_horizon {
                body.push_str("- ");
                body.push_str(&d.sentence(lang));
                body.push('\n');
            }
        }
    }
    body.push('\n');
    body.push_str(&t_args(
        lang,
        "mail-digest-link",
        &[(
            "link",
            format!("{}/#/", public_url.trim_end_matches('/')).into(),
        )],
    ));
    body.push('\n');
    let subject_args = [("community", community.into()), ("date", as_of_text.into())];
    let subject = if waiting.is_empty() {
        t_args(lang, "mail-digest-subject-deadlines", &subject_args)
    } else {
        t_args(lang, "mail-digest-subject", &subject_args)
    };
    (subject, body)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn news() -> AnswerNews {
        AnswerNews {
            community: "CPTS du Val de l'Étang".into(),
            consultation: "Périmètre".into(),
            decision: "Périmètre de la CPTS".into(),
            disposition: "partly_retained".into(),
            rationale: Some("Frontignan reste rattachée par convention.".into()),
            published_on: "2026-04-07".into(),
        }
    }

    #[test]
    fn french_by_default_with_disposition_rationale_and_decision() {
        let (subject, body) = answer_message(&news(), Lang::Fr, Some("http://x/unsubscribe/t"));
        assert!(subject.contains("suite donnée"));
        assert!(body.contains("Suite donnée : Partiellement retenue"));
        assert!(body.contains("le 7 avril 2026"));
        assert!(body.contains("Justification : Frontignan reste rattachée par convention."));
        assert!(body.contains("Décision : Périmètre de la CPTS"));
        assert!(body.contains("http://x/unsubscribe/t"));
    }

    #[test]
    fn a_digest_names_each_contribution_in_words_and_dates() {
        use cpts_domain::rules::ContributionStanding;
        let day = |d: &str| d.parse::<NaiveDate>().expect("date");
        let waiting = [Waiting {
            consultation: "Périmètre".into(),
            contribution_id: "0b0e6c4e-8f61-4a5e-9d1b-0f6c2f7d9e11".into(),
            author_name: None,
            anonymous_commune: Some("Agde".into()),
            text: "Sans voiture, il me faut une heure de bus pour voir un médecin le samedi matin."
                .into(),
            submitted_on: "2026-02-11".into(),
            deadline: "2026-04-12".into(),
            decision: None,
            standing: ContributionStanding::Overdue {
                deadline: day("2026-04-12"),
                days_late: 3,
            },
        }];
        let (_, fr) = digest_message(
            "CPTS",
            day("2026-04-15"),
            &waiting,
            &[],
            "https://x/",
            Lang::Fr,
        );
        assert!(fr.contains("un habitant d'Agde"), "{fr}");
        assert!(fr.contains("le 11 février 2026"), "{fr}");
        assert!(fr.contains("12 avril 2026"), "{fr}");
        assert!(fr.contains("https://x/#/"), "{fr}");
        assert!(!fr.contains("0b0e6c4e"), "{fr}");
        let (_, en) = digest_message(
            "CPTS",
            day("2026-04-15"),
            &waiting,
            &[],
            "https://x",
            Lang::En,
        );
        assert!(en.contains("an inhabitant of Agde"), "{en}");
        assert!(en.contains("11 February 2026"), "{en}");
    }

    #[test]
    fn english_when_chosen() {
        let (_, body) = answer_message(&news(), Lang::En, None);
        assert!(body.contains("Disposition: Partly retained"));
        assert!(body.contains("Rationale: Frontignan"));
        assert!(!body.contains("unsubscribe"));
    }
}
