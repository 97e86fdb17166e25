//! What the notifications say: French first, English for those who chose it.

use cpts_domain::values::{Disposition, Lang};

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

/// The subject line and body of the e-mail (or in-service notice) telling an author what
/// became of their contribution; with an unsubscribe link when one is given.
pub fn answer_message(
    news: &AnswerNews,
    lang: Lang,
    unsubscribe: Option<&str>,
) -> (String, String) {
    let disposition = news.disposition_label(lang);
    match lang {
        Lang::Fr => {
            let subject = format!("{} : suite donnée à votre contribution", news.community);
            let mut body = format!(
                "Bonjour,\n\n\
                 Vous avez contribué à la consultation « {} ». La {} a publié le {} sa réponse \
                 à votre contribution.\n\n\
                 Suite donnée : {}\n",
                news.consultation, news.community, news.published_on, disposition
            );
            if let Some(rationale) = &news.rationale {
                body.push_str(&format!("Justification : {rationale}\n"));
            }
            body.push_str(&format!(
                "Décision : {}\n\nMerci de votre participation.\n",
                news.decision
            ));
            if let Some(link) = unsubscribe {
                body.push_str(&format!(
                    "\nPour ne plus recevoir ces messages et effacer votre adresse : {link}\n"
                ));
            }
            (subject, body)
        }
        Lang::En => {
            let subject = format!("{}: what became of your contribution", news.community);
            let mut body = format!(
                "Hello,\n\n\
                 You contributed to the consultation “{}”. On {}, the {} published its answer \
                 to your contribution.\n\n\
                 Outcome: {}\n",
                news.consultation, news.published_on, news.community, disposition
            );
            if let Some(rationale) = &news.rationale {
                body.push_str(&format!("Rationale: {rationale}\n"));
            }
            body.push_str(&format!(
                "Decision: {}\n\nThank you for taking part.\n",
                news.decision
            ));
            if let Some(link) = unsubscribe {
                body.push_str(&format!(
                    "\nTo receive no more messages and erase your address: {link}\n"
                ));
            }
            (subject, body)
        }
    }
}

/// One contribution still waiting for its answer, for the coordinator's digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Waiting {
    /// The consultation's subject.
    pub consultation: String,
    /// The contribution's id.
    pub contribution_id: String,
    /// The last day an answer is on time (ISO date).
    pub deadline: String,
    /// Where it stands: overdue, pending, or revised and awaiting republication.
    pub standing: cpts_domain::rules::ContributionStanding,
}

/// The coordinator's digest of contributions whose answer deadline is near or past.
pub fn digest_message(
    community: &str,
    as_of: &str,
    waiting: &[Waiting],
    lang: Lang,
) -> (String, String) {
    use cpts_domain::rules::ContributionStanding as S;
    let late: Vec<&Waiting> = waiting
        .iter()
        .filter(|w| matches!(w.standing, S::Overdue { .. }))
        .collect();
    let near: Vec<&Waiting> = waiting
        .iter()
        .filter(|w| matches!(w.standing, S::Pending { .. }))
        .collect();
    let revised: Vec<&Waiting> = waiting
        .iter()
        .filter(|w| matches!(w.standing, S::RevisedAwaitingRepublication { .. }))
        .collect();
    let line = |w: &&Waiting| {
        format!(
            "- {} ({}) : {}\n",
            w.consultation, w.contribution_id, w.deadline
        )
    };
    match lang {
        Lang::Fr => {
            let mut body = format!(
                "Bonjour,\n\nAu {as_of}, {} contribution(s) attendent encore leur réponse publiée.\n",
                waiting.len()
            );
            body.push_str(&format!("\nÉchéance dépassée ({}) :\n", late.len()));
            late.iter().for_each(|w| body.push_str(&line(w)));
            body.push_str(&format!("\nÉchéance proche ({}) :\n", near.len()));
            near.iter().for_each(|w| body.push_str(&line(w)));
            if !revised.is_empty() {
                body.push_str(&format!(
                    "\nRéponse révisée, à republier ({}) :\n",
                    revised.len()
                ));
                revised.iter().for_each(|w| body.push_str(&line(w)));
            }
            (
                format!("{community} : réponses en attente au {as_of}"),
                body,
            )
        }
        Lang::En => {
            let line = |w: &&Waiting| {
                format!(
                    "- {} ({}): {}\n",
                    w.consultation, w.contribution_id, w.deadline
                )
            };
            let mut body = format!(
                "Hello,\n\nAs of {as_of}, {} contribution(s) still wait for their published answer.\n",
                waiting.len()
            );
            body.push_str(&format!("\nDeadline passed ({}):\n", late.len()));
            late.iter().for_each(|w| body.push_str(&line(w)));
            body.push_str(&format!("\nDeadline near ({}):\n", near.len()));
            near.iter().for_each(|w| body.push_str(&line(w)));
            if !revised.is_empty() {
                body.push_str(&format!(
                    "\nAnswer revised, awaiting republication ({}):\n",
                    revised.len()
                ));
                revised.iter().for_each(|w| body.push_str(&line(w)));
            }
            (format!("{community}: answers waiting as of {as_of}"), body)
        }
    }
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
        assert!(body.contains("Justification : Frontignan reste rattachée par convention."));
        assert!(body.contains("Décision : Périmètre de la CPTS"));
        assert!(body.contains("http://x/unsubscribe/t"));
    }

    #[test]
    fn english_when_chosen() {
        let (_, body) = answer_message(&news(), Lang::En, None);
        assert!(body.contains("Outcome: Partly retained"));
        assert!(body.contains("Rationale: Frontignan"));
        assert!(!body.contains("unsubscribe"));
    }
}
