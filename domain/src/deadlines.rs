//! Échéances: what falls due in a CPTS, overdue or within the next 30 or 90 days. Four kinds of
//! fact have a last day: a contribution owed an answer, a consultation whose terms end, a
//! representative's mandate and an association's approval (agrément). [`horizon`] is the one
//! rule placing a last day against an "as of" day; [`Deadline::of`] says, for each kind, what
//! its last day is and whether it is done, and [`Deadline::sentence`] names it for people,
//! from the catalogue. The dashboard's list and the coordinator's digest both read them.

use chrono::NaiveDate;
use serde::Serialize;

use crate::rules::{self, ContributionStanding, MandateFacts};
use crate::texts::{self, date, t, t_args, Arg};
use crate::values::Lang;

/// What falls due.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[serde(rename_all = "snake_case")]
pub enum DeadlineKind {
    /// A contribution owed an answer (or the republication of a revised one).
    AnswerDue,
    /// A consultation whose terms end, to be closed formally.
    ConsultationClosing,
    /// A representative's mandate reaching its last day.
    MandateEnding,
    /// An association's approval reaching its last day.
    ApprovalEnding,
}

/// How near a last day is, as of a day.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[serde(rename_all = "snake_case")]
pub enum Horizon {
    /// The last day has passed and the fact is not done.
    Overdue,
    /// The last day is the "as of" day or within the 30 days after it.
    Within30Days,
    /// The last day is 31 to 90 days after the "as of" day.
    Within90Days,
}

impl Horizon {
    /// Every horizon, nearest first (the order lists and the digest use).
    pub const ALL: [Horizon; 3] = [
        Horizon::Overdue,
        Horizon::Within30Days,
        Horizon::Within90Days,
    ];

    /// Its heading, as people read it ("En retard", "Dans les 30 jours", "Dans les 90 jours").
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Horizon::Overdue => t(lang, "deadline-horizon-overdue"),
            Horizon::Within30Days => t(lang, "deadline-horizon-within-30"),
            Horizon::Within90Days => t(lang, "deadline-horizon-within-90"),
        }
    }
}

/// Where a fact with this last day falls as of a day: none when it is done, or when its last
/// day is more than 90 days ahead; overdue when its last day has passed; otherwise within 30 or
/// within 90 days. The last day itself is never overdue: an answer, a mandate or an approval
/// is in force through it, a consultation open through it.
pub fn horizon(due_on: NaiveDate, done: bool, as_of: NaiveDate) -> Option<Horizon> {
    if done {
        return None;
    }
    match (due_on - as_of).num_days() {
        ..0 => Some(Horizon::Overdue),
        0..=30 => Some(Horizon::Within30Days),
        31..=90 => Some(Horizon::Within90Days),
        _ => None,
    }
}

/// A fact that has a last day, with the words that name it (already in the reader's hands:
/// names and subjects are not translated; an author is given in both languages, since an
/// anonymous inhabitant is "un habitant" or "an inhabitant").
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeadlineFacts {
    /// A contribution and where it stands ([`rules::standing`], as every reader has it).
    Answer {
        /// Its author as staff read them, in French.
        author_fr: String,
        /// The same in English.
        author_en: String,
        /// Its consultation's subject.
        subject: String,
        /// Where it stands on the "as of" day.
        standing: ContributionStanding,
    },
    /// A consultation.
    Consultation {
        /// Its subject.
        subject: String,
        /// The last day of its terms.
        closes_on: NaiveDate,
        /// When it was formally closed, if it was.
        closed_on: Option<NaiveDate>,
    },
    /// A representative's latest mandate (the read models keep the latest only, so no later
    /// one exists).
    Mandate {
        /// The representative's name.
        representative: String,
        /// The mandating association's name.
        association: String,
        /// The mandate, with its early end and the representative's departure.
        mandate: MandateFacts,
    },
    /// An association's approval.
    Approval {
        /// The association's name.
        association: String,
        /// When it was granted and its last day.
        granted: (NaiveDate, NaiveDate),
        /// When the association withdrew from the CPTS, if it did.
        withdrawn_on: Option<NaiveDate>,
    },
}

/// A fact that falls due, as of a day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deadline {
    /// What falls due.
    pub kind: DeadlineKind,
    /// How near.
    pub horizon: Horizon,
    /// Its last day.
    pub due_on: NaiveDate,
    /// What it is about.
    pub facts: DeadlineFacts,
}

impl DeadlineFacts {
    /// Its kind.
    pub fn kind(&self) -> DeadlineKind {
        match self {
            DeadlineFacts::Answer { .. } => DeadlineKind::AnswerDue,
            DeadlineFacts::Consultation { .. } => DeadlineKind::ConsultationClosing,
            DeadlineFacts::Mandate { .. } => DeadlineKind::MandateEnding,
            DeadlineFacts::Approval { .. } => DeadlineKind::ApprovalEnding,
        }
    }

    /// Its last day and whether it is done by `as_of`; None when it has no last day on that
    /// day (an answer not owed, an approval not granted yet, a mandate not begun).
    ///
    /// - An answer is due by its deadline and done once published (answered on time or late,
    ///   withdrawn or not owed): its standing says so, nothing here reckons it again.
    /// - A consultation's terms end on its closing day; it is done once formally closed.
    /// - A mandate ends on its last day; it is done when ended early or when the
    ///   representative left the CPTS.
    /// - An approval ends on its last day; it is done when the association withdrew.
    pub fn due(&self, as_of: NaiveDate) -> Option<(NaiveDate, bool)> {
        match self {
            DeadlineFacts::Answer { standing, .. } => match *standing {
                ContributionStanding::Pending { deadline }
                | ContributionStanding::Overdue { deadline, .. }
                | ContributionStanding::RevisedAwaitingRepublication { deadline, .. } => {
                    Some((deadline, !standing.awaits_publication()))
                }
                _ => None,
            },
            DeadlineFacts::Consultation {
                closes_on,
                closed_on,
                ..
            } => Some((*closes_on, closed_on.is_some_and(|c| c <= as_of))),
            DeadlineFacts::Mandate { mandate, .. } => {
                let stopped = |day: Option<NaiveDate>| day.is_some_and(|d| d <= as_of);
                (mandate.start <= as_of).then_some((
                    mandate.end,
                    stopped(mandate.ended_on) || stopped(mandate.departed_on),
                ))
            }
            DeadlineFacts::Approval {
                granted,
                withdrawn_on,
                ..
            } => match rules::approval(Some(*granted), as_of) {
                rules::ApprovalStanding::Approved { expires_on }
                | rules::ApprovalStanding::Expired { expires_on } => {
                    Some((expires_on, withdrawn_on.is_some_and(|w| w <= as_of)))
                }
                rules::ApprovalStanding::NotApproved => None,
            },
        }
    }
}

impl Deadline {
    /// The deadline of a fact as of a day, by [`horizon`]; None when it is done or more than
    /// 90 days ahead.
    pub fn of(facts: DeadlineFacts, as_of: NaiveDate) -> Option<Deadline> {
        let (due_on, done) = facts.due(as_of)?;
        let horizon = match &facts {
            // An answer's lateness is its standing's.
            DeadlineFacts::Answer {
                standing: ContributionStanding::Overdue { .. },
                ..
            } if !done => Some(Horizon::Overdue),
            _ => horizon(due_on, done, as_of),
        }?;
        Some(Deadline {
            kind: facts.kind(),
            horizon,
            due_on,
            facts,
        })
    }

    /// The sentence naming it, in `lang`: « Réponse due le 12 avril 2026 à la contribution de
    /// Martine Roussel à « Périmètre de la CPTS » », « L’agrément de France Rein a expiré le
    /// 3 mars 2026 : demander son renouvellement »…
    pub fn sentence(&self, lang: Lang) -> String {
        let day = date(lang, self.due_on);
        let overdue = self.horizon == Horizon::Overdue;
        match &self.facts {
            DeadlineFacts::Answer {
                author_fr,
                author_en,
                subject,
                standing,
            } => {
                let author = match lang {
                    Lang::Fr => author_fr,
                    Lang::En => author_en,
                };
                let args = [
                    ("date", day.into()),
                    ("author", author.into()),
                    ("elided", elided(author_fr)),
                    ("subject", subject.into()),
                ];
                if matches!(
                    standing,
                    ContributionStanding::RevisedAwaitingRepublication { .. }
                ) {
                    t_args(lang, "deadline-answer-revised", &args)
                } else {
                    t_args(lang, "deadline-answer-due", &args)
                }
            }
            DeadlineFacts::Consultation { subject, .. } => {
                let args = [("date", day.into()), ("subject", subject.into())];
                if overdue {
                    t_args(lang, "deadline-consultation-overdue", &args)
                } else {
                    t_args(lang, "deadline-consultation-closing", &args)
                }
            }
            DeadlineFacts::Mandate {
                representative,
                association,
                ..
            } => {
                let args = [
                    ("date", day.into()),
                    ("name", representative.into()),
                    ("elided", elided(representative)),
                    ("association", association.into()),
                ];
                if overdue {
                    t_args(lang, "deadline-mandate-ended", &args)
                } else {
                    t_args(lang, "deadline-mandate-ending", &args)
                }
            }
            DeadlineFacts::Approval { association, .. } => {
                let args = [
                    ("date", day.into()),
                    ("association", association.into()),
                    ("elided", elided(association)),
                ];
                if overdue {
                    t_args(lang, "deadline-approval-expired", &args)
                } else {
                    t_args(lang, "deadline-approval-ending", &args)
                }
            }
        }
    }
}

/// Whether French writes "d’" rather than "de" before a name (the catalogue's `$elided`).
fn elided(name: &str) -> Arg<'static> {
    if texts::elides(name) { "yes" } else { "no" }.into()
}

/// The order people read deadlines in: overdue first, then by last day (then by kind).
pub fn reading_order(a: &Deadline, b: &Deadline) -> std::cmp::Ordering {
    (a.horizon, a.due_on, a.kind).cmp(&(b.horizon, b.due_on, b.kind))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::{AnswerFacts, ContributionFacts};
    use crate::values::Rung;

    fn d(text: &str) -> NaiveDate {
        text.parse().expect("a date")
    }

    /// The "as of" day of every test.
    const AS_OF: &str = "2026-04-01";

    /// A last day `days` after the "as of" day (before it, when negative).
    fn day_after(days: i64) -> NaiveDate {
        d(AS_OF) + chrono::Duration::days(days)
    }

    fn answer(deadline: NaiveDate, answer: Option<AnswerFacts>) -> DeadlineFacts {
        let facts = ContributionFacts {
            submitted_on: d("2026-01-10"),
            withdrawn_on: None,
            rung: Rung::Consult,
            consultation_deadline: deadline,
            closes_on: d("2026-01-31"),
            received_late: false,
            answer,
        };
        DeadlineFacts::Answer {
            author_fr: "Martine Roussel".into(),
            author_en: "Martine Roussel".into(),
            subject: "Périmètre de la CPTS".into(),
            standing: rules::standing(&facts, d(AS_OF)),
        }
    }

    fn consultation(closes_on: NaiveDate, closed_on: Option<NaiveDate>) -> DeadlineFacts {
        DeadlineFacts::Consultation {
            subject: "Horaires des gardes".into(),
            closes_on,
            closed_on,
        }
    }

    fn mandate(end: NaiveDate) -> MandateFacts {
        MandateFacts {
            start: d("2024-01-01"),
            end,
            ended_on: None,
            departed_on: None,
        }
    }

    fn representative(mandate: MandateFacts) -> DeadlineFacts {
        DeadlineFacts::Mandate {
            representative: "Karim Benali".into(),
            association: "France Rein".into(),
            mandate,
        }
    }

    fn approval(expires_on: NaiveDate, withdrawn_on: Option<NaiveDate>) -> DeadlineFacts {
        DeadlineFacts::Approval {
            association: "France Rein".into(),
            granted: (d("2021-06-01"), expires_on),
            withdrawn_on,
        }
    }

    fn horizon_of(facts: DeadlineFacts) -> Option<Horizon> {
        Deadline::of(facts, d(AS_OF)).map(|deadline| deadline.horizon)
    }

    /// Each kind, its last day 10 days ago, today, in 30, 31, 90 and 91 days.
    fn each_kind_at(days: i64) -> [DeadlineFacts; 4] {
        let due = day_after(days);
        [
            answer(due, None),
            consultation(due, None),
            representative(mandate(due)),
            approval(due, None),
        ]
    }

    #[test]
    fn a_last_day_past_is_overdue_for_every_kind() {
        for facts in each_kind_at(-10) {
            assert_eq!(
                horizon_of(facts.clone()),
                Some(Horizon::Overdue),
                "{facts:?}"
            );
        }
        for facts in each_kind_at(-1) {
            assert_eq!(
                horizon_of(facts.clone()),
                Some(Horizon::Overdue),
                "{facts:?}"
            );
        }
    }

    #[test]
    fn a_last_day_today_or_within_30_days_is_within_30_days_for_every_kind() {
        for days in [0, 12, 30] {
            for facts in each_kind_at(days) {
                assert_eq!(
                    horizon_of(facts.clone()),
                    Some(Horizon::Within30Days),
                    "{facts:?}"
                );
            }
        }
    }

    #[test]
    fn a_last_day_31_to_90_days_ahead_is_within_90_days_for_every_kind() {
        for days in [31, 60, 90] {
            for facts in each_kind_at(days) {
                assert_eq!(
                    horizon_of(facts.clone()),
                    Some(Horizon::Within90Days),
                    "{facts:?}"
                );
            }
        }
    }

    #[test]
    fn a_last_day_beyond_90_days_falls_in_no_horizon_for_every_kind() {
        for facts in each_kind_at(91) {
            assert_eq!(horizon_of(facts.clone()), None, "{facts:?}");
        }
    }

    #[test]
    fn an_answer_published_is_done_on_time_or_late() {
        let published = |on: &str| AnswerFacts {
            first_published_on: Some(d(on)),
            revised_on: None,
            last_published_on: Some(d(on)),
        };
        assert_eq!(
            horizon_of(answer(day_after(10), Some(published("2026-03-20")))),
            None
        );
        assert_eq!(
            horizon_of(answer(day_after(-20), Some(published("2026-03-25")))),
            None,
            "answered late is done: nothing is left to publish"
        );
    }

    #[test]
    fn an_answer_revised_awaits_republication_by_its_deadline() {
        let revised = AnswerFacts {
            first_published_on: Some(d("2026-02-01")),
            revised_on: Some(d("2026-03-01")),
            last_published_on: None,
        };
        let past = Deadline::of(answer(day_after(-20), Some(revised)), d(AS_OF)).expect("due");
        assert_eq!(past.horizon, Horizon::Overdue);
        assert_eq!(
            past.sentence(Lang::Fr),
            "Réponse révisée à republier pour la contribution de Martine Roussel à « Périmètre de la CPTS » (due le 12 mars 2026)"
        );
        assert_eq!(
            horizon_of(answer(day_after(20), Some(revised))),
            Some(Horizon::Within30Days)
        );
    }

    #[test]
    fn an_answer_overdue_is_so_by_its_standing() {
        let facts = answer(day_after(-3), None);
        let DeadlineFacts::Answer { standing, .. } = &facts else {
            unreachable!("an answer")
        };
        assert!(matches!(standing, ContributionStanding::Overdue { .. }));
        assert_eq!(horizon_of(facts), Some(Horizon::Overdue));
    }

    #[test]
    fn an_answer_not_owed_or_withdrawn_has_no_deadline() {
        let DeadlineFacts::Answer {
            author_fr,
            author_en,
            subject,
            ..
        } = answer(day_after(5), None)
        else {
            unreachable!("an answer")
        };
        for standing in [
            ContributionStanding::NotOwed,
            ContributionStanding::Withdrawn {
                on: d("2026-02-01"),
            },
        ] {
            let facts = DeadlineFacts::Answer {
                author_fr: author_fr.clone(),
                author_en: author_en.clone(),
                subject: subject.clone(),
                standing,
            };
            assert_eq!(horizon_of(facts), None);
        }
    }

    #[test]
    fn a_consultation_closed_formally_is_done_even_past_its_closing_day() {
        assert_eq!(
            horizon_of(consultation(day_after(-5), Some(day_after(-4)))),
            None
        );
        assert_eq!(
            horizon_of(consultation(day_after(20), Some(day_after(-1)))),
            None,
            "closed early"
        );
        assert_eq!(
            horizon_of(consultation(day_after(-5), Some(day_after(3)))),
            Some(Horizon::Overdue),
            "a closing recorded after the day is not known on it"
        );
    }

    #[test]
    fn a_mandate_ended_early_or_of_a_representative_who_left_is_done() {
        let ended = MandateFacts {
            ended_on: Some(day_after(-30)),
            ..mandate(day_after(-10))
        };
        let departed = MandateFacts {
            departed_on: Some(day_after(-2)),
            ..mandate(day_after(10))
        };
        assert_eq!(horizon_of(representative(ended)), None);
        assert_eq!(horizon_of(representative(departed)), None);
        let not_begun = MandateFacts {
            start: day_after(5),
            ..mandate(day_after(20))
        };
        assert_eq!(horizon_of(representative(not_begun)), None);
    }

    #[test]
    fn an_approval_of_an_association_withdrawn_or_not_granted_yet_is_done() {
        assert_eq!(
            horizon_of(approval(day_after(-10), Some(day_after(-20)))),
            None
        );
        let later = DeadlineFacts::Approval {
            association: "France Rein".into(),
            granted: (day_after(3), day_after(60)),
            withdrawn_on: None,
        };
        assert_eq!(horizon_of(later), None);
    }

    #[test]
    fn each_deadline_is_named_in_both_languages() {
        let named = |facts: DeadlineFacts| {
            let deadline = Deadline::of(facts, d(AS_OF)).expect("due");
            (deadline.sentence(Lang::Fr), deadline.sentence(Lang::En))
        };
        assert_eq!(
            named(answer(d("2026-04-12"), None)),
            (
                "Réponse due le 12 avril 2026 à la contribution de Martine Roussel à « Périmètre de la CPTS »".into(),
                "Answer due on 12 April 2026 to the contribution of Martine Roussel to “Périmètre de la CPTS”".into()
            )
        );
        let anonymous = DeadlineFacts::Answer {
            author_fr: "un habitant de Mèze".into(),
            author_en: "an inhabitant of Mèze".into(),
            subject: "Horaires".into(),
            standing: ContributionStanding::Pending {
                deadline: d("2026-04-12"),
            },
        };
        assert_eq!(
            named(anonymous),
            (
                "Réponse due le 12 avril 2026 à la contribution d’un habitant de Mèze à « Horaires »".into(),
                "Answer due on 12 April 2026 to the contribution of an inhabitant of Mèze to “Horaires”".into()
            )
        );
        assert_eq!(
            named(consultation(d("2026-04-20"), None)).0,
            "La consultation « Horaires des gardes » se clôt le 20 avril 2026"
        );
        assert_eq!(
            named(consultation(d("2026-03-20"), None)).0,
            "La consultation « Horaires des gardes » devait se clore le 20 mars 2026 : la clore"
        );
        assert_eq!(
            named(representative(mandate(d("2026-06-30")))).0,
            "Le mandat de Karim Benali (France Rein) prend fin le 30 juin 2026"
        );
        assert_eq!(
            named(representative(mandate(d("2026-03-31")))),
            (
                "Le mandat de Karim Benali (France Rein) a pris fin le 31 mars 2026 : le renouveler ou en prendre acte".into(),
                "The mandate of Karim Benali (France Rein) ended on 31 March 2026: renew it or record its end".into()
            )
        );
        assert_eq!(
            named(approval(d("2026-03-03"), None)),
            (
                "L’agrément de France Rein a expiré le 3 mars 2026 : demander son renouvellement"
                    .into(),
                "The approval of France Rein expired on 3 March 2026: apply for its renewal".into()
            )
        );
        assert_eq!(
            named(approval(d("2026-05-01"), None)).0,
            "L’agrément de France Rein prend fin le 1er mai 2026"
        );
        let elided = DeadlineFacts::Mandate {
            representative: "Inès Camus".into(),
            association: "Aidants du Bassin".into(),
            mandate: mandate(d("2026-06-30")),
        };
        assert_eq!(
            named(elided).0,
            "Le mandat d’Inès Camus (Aidants du Bassin) prend fin le 30 juin 2026"
        );
        let elided = DeadlineFacts::Approval {
            association: "Aidants du Bassin".into(),
            granted: (d("2021-06-01"), d("2026-05-31")),
            withdrawn_on: None,
        };
        assert_eq!(
            named(elided).0,
            "L’agrément d’Aidants du Bassin prend fin le 31 mai 2026"
        );
    }

    #[test]
    fn deadlines_read_overdue_first_then_by_last_day() {
        let mut list: Vec<Deadline> = [
            approval(day_after(50), None),
            consultation(day_after(-1), None),
            answer(day_after(3), None),
            representative(mandate(day_after(-40))),
        ]
        .into_iter()
        .filter_map(|facts| Deadline::of(facts, d(AS_OF)))
        .collect();
        list.sort_by(reading_order);
        let order: Vec<DeadlineKind> = list.iter().map(|deadline| deadline.kind).collect();
        assert_eq!(
            order,
            [
                DeadlineKind::MandateEnding,
                DeadlineKind::ConsultationClosing,
                DeadlineKind::AnswerDue,
                DeadlineKind::ApprovalEnding,
            ]
        );
        assert_eq!(Horizon::Overdue.label(Lang::Fr), "En retard");
        assert_eq!(Horizon::Within30Days.label(Lang::En), "Within 30 days");
    }
}
