//! "Today" for a CPTS: the calendar day in its time zone, not the server's UTC day.
//!
//! The domain and the read models never read a clock: wherever the service needs today (an
//! `asOf` left out, the report's provisional mark, the digest, an erasure's date) it calls
//! [`today`] here and passes the date in. The time zone is Europe/Paris unless
//! `CPTS_TIME_ZONE` names another IANA zone (`America/Cayenne`, `Indian/Reunion`…); the binary
//! checks that variable at start ([`time_zone_from_env`]) and refuses a name it does not know.

use std::sync::OnceLock;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;

/// The environment variable that names the CPTS's time zone.
pub const TIME_ZONE_VARIABLE: &str = "CPTS_TIME_ZONE";

/// The time zone of a CPTS when none is configured.
pub const DEFAULT_TIME_ZONE: Tz = chrono_tz::Europe::Paris;

static ZONE: OnceLock<Tz> = OnceLock::new();

/// Reads a time zone name; empty or absent is [`DEFAULT_TIME_ZONE`].
pub fn parse_time_zone(name: Option<&str>) -> Result<Tz, String> {
    match name.map(str::trim).filter(|n| !n.is_empty()) {
        None => Ok(DEFAULT_TIME_ZONE),
        Some(name) => name.parse::<Tz>().map_err(|_| {
            format!("{TIME_ZONE_VARIABLE}={name:?} is not a time zone (expected an IANA name such as Europe/Paris)")
        }),
    }
}

/// The time zone `CPTS_TIME_ZONE` names, or an error for a name that is not one.
pub fn time_zone_from_env() -> Result<Tz, String> {
    parse_time_zone(std::env::var(TIME_ZONE_VARIABLE).ok().as_deref())
}

/// The CPTS's time zone, read once from the environment. A name that is not a time zone was
/// refused at start by the binary; a library caller that skipped that check gets the default.
pub fn time_zone() -> Tz {
    *ZONE.get_or_init(|| {
        time_zone_from_env().unwrap_or_else(|error| {
            tracing::error!(%error, "using {DEFAULT_TIME_ZONE}");
            DEFAULT_TIME_ZONE
        })
    })
}

/// The calendar day of `now` in a time zone.
pub fn day_in(zone: Tz, now: DateTime<Utc>) -> NaiveDate {
    now.with_timezone(&zone).date_naive()
}

/// Today, in the CPTS's time zone.
pub fn today() -> NaiveDate {
    day_in(time_zone(), Utc::now())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn late_evening_utc_is_already_tomorrow_in_paris() {
        let now: DateTime<Utc> = "2025-12-31T23:30:00Z".parse().expect("an instant");
        assert_eq!(
            day_in(DEFAULT_TIME_ZONE, now),
            NaiveDate::from_ymd_opt(2026, 1, 1).expect("a date")
        );
        assert_eq!(
            day_in(chrono_tz::UTC, now),
            NaiveDate::from_ymd_opt(2025, 12, 31).expect("a date")
        );
    }

    #[test]
    fn the_default_zone_is_paris_and_an_unknown_name_is_refused() {
        assert_eq!(parse_time_zone(None), Ok(chrono_tz::Europe::Paris));
        assert_eq!(parse_time_zone(Some(" ")), Ok(chrono_tz::Europe::Paris));
        assert_eq!(
            parse_time_zone(Some("Indian/Reunion")),
            Ok(chrono_tz::Indian::Reunion)
        );
        assert!(parse_time_zone(Some("Europe/Atlantis")).is_err());
    }
}
