//! Values of the read models decoded into the types the API serves.
//!
//! The read models keep dates and vocabularies as text. A value that cannot be decoded is
//! never replaced by a default (a date of 1970, an empty label): the read fails, is logged
//! with what could not be read, and the caller gets an internal error.

use async_graphql::{Result, SimpleObject, ID};
use chrono::NaiveDate;
use cpts_domain::decision;

/// The error for a stored value that does not decode: logged with the value and the type it
/// should have been, shown as an internal error.
pub(crate) fn undecodable(expected: &'static str, value: &str) -> async_graphql::Error {
    tracing::error!(
        expected,
        value,
        "a value of the read models cannot be decoded"
    );
    crate::errors::internal()
}

/// A stored date.
pub(crate) fn day(text: &str) -> Result<NaiveDate> {
    text.parse().map_err(|_| undecodable("date", text))
}

/// A stored date that may be absent.
pub(crate) fn maybe_day(text: Option<&str>) -> Result<Option<NaiveDate>> {
    text.map(day).transpose()
}

/// A stored wire name of a vocabulary, as the API's enum `G` mirroring the domain's `D`.
pub(crate) fn vocab<D, G: From<D>>(text: &str, from_wire_name: fn(&str) -> Option<D>) -> Result<G> {
    from_wire_name(text)
        .map(G::from)
        .ok_or_else(|| undecodable(std::any::type_name::<D>(), text))
}

/// How a decision was voted.
#[derive(SimpleObject, Debug, Clone, PartialEq, Eq)]
pub struct Tally {
    /// Whether it was decided by consensus, without counting (then `colleges` is empty).
    pub consensus: bool,
    /// The votes, one line per collège that voted.
    pub colleges: Vec<CollegeTally>,
}

/// The votes of one collège.
#[derive(SimpleObject, Debug, Clone, PartialEq, Eq)]
pub struct CollegeTally {
    /// The collège.
    pub college_id: ID,
    /// Votes for.
    pub votes_for: u32,
    /// Votes against.
    pub votes_against: u32,
    /// Abstentions.
    pub abstentions: u32,
}

/// A stored tally (the domain's `Tally` as JSON).
pub(crate) fn tally(text: Option<&str>) -> Result<Option<Tally>> {
    let Some(text) = text else {
        return Ok(None);
    };
    let tally: decision::Tally =
        serde_json::from_str(text).map_err(|_| undecodable("tally", text))?;
    Ok(Some(match tally {
        decision::Tally::Consensus => Tally {
            consensus: true,
            colleges: vec![],
        },
        decision::Tally::ByCollege { colleges } => Tally {
            consensus: false,
            colleges: colleges
                .into_iter()
                .map(|c| CollegeTally {
                    college_id: ID(c.college_id.to_string()),
                    votes_for: c.votes_for,
                    votes_against: c.votes_against,
                    abstentions: c.abstentions,
                })
                .collect(),
        },
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inputs::Moment;
    use cpts_domain::values;

    #[test]
    fn a_date_that_cannot_be_read_is_an_error_not_1970() {
        assert!(day("2026-13-40").is_err());
        assert!(day("").is_err());
        assert_eq!(
            day("2026-03-02").expect("decodes"),
            NaiveDate::from_ymd_opt(2026, 3, 2).expect("a date")
        );
        assert_eq!(maybe_day(None).expect("decodes"), None);
    }

    #[test]
    fn an_unknown_wire_name_is_an_error() {
        let known: Moment = vocab("diagnosis", values::Moment::from_wire_name).expect("decodes");
        assert_eq!(known, Moment::Diagnosis);
        assert!(vocab::<_, Moment>("diagnostic", values::Moment::from_wire_name).is_err());
    }

    #[test]
    fn a_tally_is_an_object() {
        let consensus = serde_json::to_string(&decision::Tally::Consensus).expect("decodes");
        assert_eq!(
            tally(Some(&consensus)).expect("decodes"),
            Some(Tally {
                consensus: true,
                colleges: vec![]
            })
        );
        assert!(tally(Some("{\"type\":\"show_of_hands\"}")).is_err());
        assert_eq!(tally(None).expect("decodes"), None);
    }
}
