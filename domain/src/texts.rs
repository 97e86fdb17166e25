//! The one catalogue of the words people read: API messages, the AG report, e-mails, CSV
//! headers and the dashboard. Its texts are Project Fluent files, `domain/locales/fr.ftl` and
//! `domain/locales/en.ftl`, compiled into the crate; a key names one notion, and every reader
//! uses that key, so a notion has one name in each language.
//!
//! [`t`] gives a text without arguments, [`t_args`] one with arguments, [`date`] a day as the
//! texts of a language write it ("2 décembre 2026"). A key missing from the catalogue comes
//! back as itself; the catalogue's tests fail on such a key, on a key missing a language and on
//! a key no code uses.

use std::collections::HashMap;
use std::sync::OnceLock;

use chrono::{Datelike, NaiveDate};
use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use fluent_syntax::ast::{Expression, InlineExpression, Pattern, PatternElement};

use crate::values::Lang;

/// The French catalogue, as written.
pub const FR_SOURCE: &str = include_str!("../locales/fr.ftl");
/// The English catalogue, as written.
pub const EN_SOURCE: &str = include_str!("../locales/en.ftl");

/// One language's catalogue: the Fluent bundle, and every text without arguments formatted
/// once, so that the report and the API read them at the cost of a map look-up.
struct Catalogue {
    bundle: FluentBundle<FluentResource>,
    keys: Vec<String>,
    plain: HashMap<String, String>,
}

impl Catalogue {
    fn load(source: &'static str, locale: &str) -> Catalogue {
        // The files are part of the crate; their tests parse them without error.
        let resource = FluentResource::try_new(source.to_owned()).unwrap_or_else(|(r, _)| r);
        let keys = message_keys(&resource);
        let langid = locale.parse().unwrap_or_default();
        let mut bundle = FluentBundle::new_concurrent(vec![langid]);
        bundle.set_use_isolating(false);
        let _ = bundle.add_resource(resource);
        let mut plain = HashMap::new();
        for key in &keys {
            let Some(pattern) = bundle.get_message(key).and_then(|m| m.value()) else {
                continue;
            };
            let mut errors = vec![];
            let text = bundle.format_pattern(pattern, None, &mut errors);
            if errors.is_empty() {
                plain.insert(key.clone(), text.into_owned());
            }
        }
        Catalogue {
            bundle,
            keys,
            plain,
        }
    }
}

fn message_keys(resource: &FluentResource) -> Vec<String> {
    resource
        .entries()
        .filter_map(|entry| match entry {
            fluent_syntax::ast::Entry::Message(m) => Some(m.id.name.to_owned()),
            _ => None,
        })
        .collect()
}

fn catalogue(lang: Lang) -> &'static Catalogue {
    static FR: OnceLock<Catalogue> = OnceLock::new();
    static EN: OnceLock<Catalogue> = OnceLock::new();
    match lang {
        Lang::Fr => FR.get_or_init(|| Catalogue::load(FR_SOURCE, "fr")),
        Lang::En => EN.get_or_init(|| Catalogue::load(EN_SOURCE, "en")),
    }
}

/// The text of `key` in `lang`, for a text without arguments.
pub fn t(lang: Lang, key: &'static str) -> &'static str {
    catalogue(lang).plain.get(key).map_or(key, String::as_str)
}

/// An argument of a text: words (already in the text's language) or a number.
#[derive(Debug, Clone)]
pub enum Arg<'a> {
    /// Words, shown as given.
    Text(std::borrow::Cow<'a, str>),
    /// A count or an amount; it also chooses plural forms.
    Number(f64),
}

impl<'a> From<&'a str> for Arg<'a> {
    fn from(text: &'a str) -> Self {
        Arg::Text(text.into())
    }
}

impl From<String> for Arg<'_> {
    fn from(text: String) -> Self {
        Arg::Text(text.into())
    }
}

impl<'a> From<&'a String> for Arg<'a> {
    fn from(text: &'a String) -> Self {
        Arg::Text(text.as_str().into())
    }
}

macro_rules! number_arg {
    ($($t:ty),+) => {
        $(impl From<$t> for Arg<'_> {
            fn from(n: $t) -> Self {
                // Counts and amounts of a CPTS are far below 2^53.
                #[allow(clippy::cast_precision_loss, clippy::cast_lossless)]
                Arg::Number(n as f64)
            }
        })+
    };
}
number_arg!(u32, u64, i32, i64, usize, f64);

/// The text of `key` in `lang` with its arguments, by name (`{ $name }` in the catalogue).
pub fn t_args(lang: Lang, key: &'static str, args: &[(&str, Arg<'_>)]) -> String {
    let catalogue = catalogue(lang);
    let Some(pattern) = catalogue.bundle.get_message(key).and_then(|m| m.value()) else {
        return key.to_owned();
    };
    let mut fluent = FluentArgs::new();
    for (name, value) in args {
        match value {
            Arg::Text(text) => fluent.set(*name, FluentValue::from(text.as_ref())),
            Arg::Number(n) => fluent.set(*name, FluentValue::from(*n)),
        }
    }
    let mut errors = vec![];
    catalogue
        .bundle
        .format_pattern(pattern, Some(&fluent), &mut errors)
        .into_owned()
}

const MONTHS_FR: [&str; 12] = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
];

const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// A day as the texts of `lang` write it: "1er décembre 2026", "2 décembre 2026";
/// "2 December 2026".
pub fn date(lang: Lang, day: NaiveDate) -> String {
    let month = usize::try_from(day.month0()).unwrap_or(0);
    match lang {
        Lang::Fr if day.day() == 1 => format!("1er {} {}", MONTHS_FR[month], day.year()),
        Lang::Fr => format!("{} {} {}", day.day(), MONTHS_FR[month], day.year()),
        Lang::En => format!("{} {} {}", day.day(), MONTHS_EN[month], day.year()),
    }
}

/// Whether French elides "de" before `word` ("d’Agde", "d’un habitant", "d’Inès Camus"): it
/// starts with a vowel or an h.
pub fn elides(word: &str) -> bool {
    let first = word
        .trim_start()
        .chars()
        .next()
        .and_then(|c| c.to_lowercase().next());
    matches!(
        first,
        Some('a' | 'e' | 'i' | 'o' | 'u' | 'y' | 'h' | 'â' | 'é' | 'è' | 'ê' | 'î' | 'ô')
    )
}

/// Every key of a language's catalogue, in the order of its file.
pub fn keys(lang: Lang) -> &'static [String] {
    &catalogue(lang).keys
}

/// Every text of a language as the dashboard reads it: `(key, text)` in the order of the
/// file, a text's arguments left as `{name}` for the page to fill in.
pub fn for_pages(lang: Lang) -> Vec<(&'static str, String)> {
    let catalogue = catalogue(lang);
    catalogue
        .keys
        .iter()
        .filter_map(|key| {
            if let Some(text) = catalogue.plain.get(key) {
                return Some((key.as_str(), text.clone()));
            }
            let pattern = catalogue.bundle.get_message(key)?.value()?;
            let mut args = FluentArgs::new();
            for name in variables(pattern) {
                args.set(name, FluentValue::from(format!("{{{name}}}")));
            }
            let mut errors = vec![];
            let text = catalogue
                .bundle
                .format_pattern(pattern, Some(&args), &mut errors);
            Some((key.as_str(), text.into_owned()))
        })
        .collect()
}

fn variables<'a>(pattern: &'a Pattern<&'a str>) -> Vec<&'a str> {
    let mut names = vec![];
    for element in &pattern.elements {
        let PatternElement::Placeable { expression } = element else {
            continue;
        };
        let inline = match expression {
            Expression::Inline(inline) => inline,
            Expression::Select { selector, .. } => selector,
        };
        if let InlineExpression::VariableReference { id } = inline {
            names.push(id.name);
        }
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(source: &'static str) -> FluentResource {
        match FluentResource::try_new(source.to_owned()) {
            Ok(resource) => resource,
            Err((_, errors)) => panic!("the catalogue does not parse: {errors:?}"),
        }
    }

    #[test]
    fn both_catalogues_parse_and_hold_the_same_keys() {
        let fr = message_keys(&parsed(FR_SOURCE));
        let en = message_keys(&parsed(EN_SOURCE));
        let only_fr: Vec<_> = fr.iter().filter(|k| !en.contains(k)).collect();
        let only_en: Vec<_> = en.iter().filter(|k| !fr.contains(k)).collect();
        assert!(only_fr.is_empty(), "keys with no English text: {only_fr:?}");
        assert!(only_en.is_empty(), "keys with no French text: {only_en:?}");
        let mut unique = fr.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), fr.len(), "a key is defined twice");
    }

    #[test]
    fn every_text_formats_without_error_in_both_languages() {
        for lang in [Lang::Fr, Lang::En] {
            for (key, text) in for_pages(lang) {
                assert!(!text.trim().is_empty(), "{key} is empty in {lang:?}");
            }
        }
    }

    #[test]
    fn french_dates_are_written_in_words() {
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default();
        assert_eq!(date(Lang::Fr, d(2026, 12, 2)), "2 décembre 2026");
        assert_eq!(date(Lang::Fr, d(2026, 8, 1)), "1er août 2026");
        assert_eq!(date(Lang::En, d(2026, 12, 2)), "2 December 2026");
    }

    #[test]
    fn a_text_takes_its_arguments_and_a_missing_key_shows_itself() {
        assert_eq!(
            t_args(
                Lang::Fr,
                "error-duplicate-commune",
                &[("code", "34301".into())]
            ),
            "La commune 34301 figure deux fois dans le territoire."
        );
        assert_eq!(t(Lang::Fr, "no-such-key"), "no-such-key");
    }
}
