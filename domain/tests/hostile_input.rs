//! Hostile input: whatever texts, dates and ids a client sends, each command is either recorded
//! with clean texts or refused with an error a person understands. Nothing panics.

use chrono::NaiveDate;
use cpts_domain::community::CommunityEvent;
use cpts_domain::consultation::{
    Author, Consultation, ConsultationCommand, ConsultationEvent, ConsultationTerms,
};
use cpts_domain::directory::InMemoryDirectory;
use cpts_domain::ids::{CommunityId, ConsultationId, ContributionId};
use cpts_domain::values::{limits, Commune, ContributionKind, Method, Mission, Moment, Rung};
use cpts_domain::{DomainError, ErrorKind};
use cqrs_es::test::TestFramework;
use proptest::prelude::*;
use uuid::Uuid;

const CPTS: CommunityId = CommunityId(Uuid::from_u128(1));
const CONSULTATION: ConsultationId = ConsultationId(Uuid::from_u128(2));

fn opened() -> ConsultationEvent {
    let terms = ConsultationTerms {
        subject: "Périmètre".into(),
        moment: Moment::Diagnosis,
        mission: Mission::AccessToCare,
        rung: Rung::Consult,
        audience: "habitants".into(),
        method: Method::Questionnaire,
        opens_on: NaiveDate::from_ymd_opt(2026, 2, 2).expect("date"),
        closes_on: NaiveDate::from_ymd_opt(2026, 3, 13).expect("date"),
        answer_within_days: 30,
    };
    let answer_deadline = terms.answer_deadline();
    ConsultationEvent::ConsultationOpened {
        consultation_id: CONSULTATION,
        community_id: CPTS,
        terms,
        answer_deadline,
    }
}

fn framework() -> TestFramework<Consultation> {
    let directory =
        InMemoryDirectory::default().with_community([CommunityEvent::CommunityRegistered {
            community_id: CPTS,
            name: "CPTS".into(),
            territory: vec![Commune {
                insee: "34301".into(),
                name: "Sète".into(),
            }],
        }]);
    TestFramework::with(directory.into_service())
}

/// Texts of every kind: empty, blank, control characters, mixed scripts, right-to-left marks,
/// emoji, and lengths around and far beyond the limit.
fn hostile_text() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        "[ \t\n\r]{0,8}",
        "\\PC{0,64}",
        "[\\x00-\\x1f\\x7f]{1,8}[a-zé]{0,8}",
        "[a-zA-Zéèàç ،ب日本語🙂\u{202e}\u{200b}]{1,200}",
        (limits::TEXT - 2..limits::TEXT + 3).prop_map(|n| "é".repeat(n)),
        (1usize..4).prop_map(|n| "x".repeat(n * 1_000_000)),
    ]
}

fn any_date() -> impl Strategy<Value = NaiveDate> {
    (-3000i32..3000, 1u32..=12, 1u32..=31)
        .prop_filter_map("a real date", |(y, m, d)| NaiveDate::from_ymd_opt(y, m, d))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn a_contribution_is_recorded_clean_or_refused_clearly(
        text in hostile_text(),
        commune in proptest::option::of(hostile_text()),
        attachment in proptest::option::of(hostile_text()),
        submitted_on in any_date(),
    ) {
        let command = ConsultationCommand::Submit {
            contribution_id: ContributionId(Uuid::from_u128(3)),
            author: Author::Anonymous { commune: commune.clone() },
            kind: ContributionKind::Opinion,
            text: text.clone(),
            submitted_on,
            attachment,
            file: None,
        };
        let result = framework().given(vec![opened()]).when(command).inspect_result();
        match result {
            Ok(events) => {
                prop_assert_eq!(events.len(), 1);
                let ConsultationEvent::ContributionSubmitted { text: recorded, author, .. } = &events[0] else {
                    return Err(TestCaseError::fail("not a submission"));
                };
                prop_assert_eq!(recorded.as_str(), text.trim());
                prop_assert!(!recorded.is_empty() && recorded.chars().count() <= limits::TEXT);
                prop_assert!(!recorded.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')));
                if let Author::Anonymous { commune: Some(c) } = author {
                    prop_assert!(!c.is_empty() && c.chars().count() <= limits::NAME);
                }
            }
            Err(error) => {
                prop_assert!(matches!(error.kind(), ErrorKind::InvalidInput), "{error:?}");
                prop_assert!(!error.to_string().is_empty());
                prop_assert!(!error.message(cpts_domain::values::Lang::En).is_empty());
                let bounded = error.to_string().chars().count() < 400;
                prop_assert!(bounded, "an error never echoes a huge input: {}", error);
            }
        }
    }

    #[test]
    fn opening_a_consultation_with_any_terms_never_panics(
        subject in hostile_text(),
        audience in hostile_text(),
        opens_on in any_date(),
        closes_on in any_date(),
        days in any::<u32>(),
    ) {
        let terms = ConsultationTerms {
            subject,
            moment: Moment::Evaluation,
            mission: Mission::Prevention,
            rung: Rung::Involve,
            audience,
            method: Method::Workshop,
            opens_on,
            closes_on,
            answer_within_days: days,
        };
        let command = ConsultationCommand::Open { consultation_id: CONSULTATION, community_id: CPTS, terms };
        match framework().given_no_previous_events().when(command).inspect_result() {
            Ok(events) => {
                let ConsultationEvent::ConsultationOpened { terms, answer_deadline, .. } = &events[0] else {
                    return Err(TestCaseError::fail("not an opening"));
                };
                prop_assert!(terms.closes_on >= terms.opens_on && *answer_deadline >= terms.closes_on);
            }
            Err(error) => prop_assert!(
                matches!(error, DomainError::Required { .. } | DomainError::TooLong { .. }
                    | DomainError::ControlCharacters { .. } | DomainError::DateRange { .. }
                    | DomainError::AnswerDelayTooLong { .. }),
                "{error:?}"
            ),
        }
    }
}
