//! The text catalogue (`domain/locales/*.ftl`) against the code that reads it: every key the
//! code asks for exists, every key of the catalogue is used, and the report, the e-mails and
//! the API write no words of their own outside the catalogue.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use cpts_domain::access::Role;
use cpts_domain::texts;
use cpts_domain::values::{
    ApprovalLevel, BodyKind, ContributionKind, Disposition, Lang, Method, Mission, Moment, Rung,
    VoteOutcome,
};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the tests crate sits in the workspace")
        .to_path_buf()
}

/// The source files of a folder of the workspace, with their text.
fn sources(folder: &str, ext: &str) -> Vec<(String, String)> {
    let mut out = vec![];
    let mut stack = vec![workspace().join(folder)];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("a source folder").flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == ext) {
                let text = std::fs::read_to_string(&path).expect("a source file");
                let name = path
                    .strip_prefix(workspace())
                    .unwrap_or(&path)
                    .display()
                    .to_string();
                out.push((name, text));
            }
        }
    }
    out
}

/// The string literals of Rust source, outside comments, with the line each starts on. Raw
/// strings are read too; escapes are kept as written.
fn literals(source: &str) -> Vec<(usize, String)> {
    let bytes: Vec<char> = source.chars().collect();
    let mut out = vec![];
    let (mut i, mut line) = (0, 1);
    while i < bytes.len() {
        let c = bytes[i];
        let next = bytes.get(i + 1).copied();
        if c == '\n' {
            line += 1;
            i += 1;
        } else if c == '/' && next == Some('/') {
            while i < bytes.len() && bytes[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            while i + 1 < bytes.len() && !(bytes[i] == '*' && bytes[i + 1] == '/') {
                line += usize::from(bytes[i] == '\n');
                i += 1;
            }
            i += 2;
        } else if c == '\'' {
            // A char literal ('x', '\n', '"') or a lifetime: skip it.
            if bytes.get(i + 2) == Some(&'\'') {
                i += 3;
            } else if next == Some('\\') {
                i += 2;
                while i < bytes.len() && bytes[i] != '\'' {
                    i += 1;
                }
                i += 1;
            } else {
                i += 1;
            }
        } else if c == 'r' && (next == Some('"') || next == Some('#')) && !ident_before(&bytes, i) {
            let mut j = i + 1;
            let mut hashes = 0;
            while bytes.get(j) == Some(&'#') {
                hashes += 1;
                j += 1;
            }
            if bytes.get(j) != Some(&'"') {
                i += 1;
                continue;
            }
            let start = j + 1;
            let closing: String = std::iter::once('"')
                .chain(std::iter::repeat_n('#', hashes))
                .collect();
            let rest: String = bytes[start..].iter().collect();
            let end = rest.find(&closing).unwrap_or(rest.len());
            let text: String = rest.chars().take(end).collect();
            out.push((line, text.clone()));
            line += text.matches('\n').count();
            i = start + text.chars().count() + closing.chars().count();
        } else if c == '"' {
            let start_line = line;
            let mut text = String::new();
            i += 1;
            while i < bytes.len() && bytes[i] != '"' {
                if bytes[i] == '\\' && i + 1 < bytes.len() {
                    text.push(bytes[i]);
                    i += 1;
                }
                line += usize::from(bytes[i] == '\n');
                text.push(bytes[i]);
                i += 1;
            }
            i += 1;
            out.push((start_line, text));
        } else {
            i += 1;
        }
    }
    out
}

fn ident_before(bytes: &[char], i: usize) -> bool {
    i > 0 && (bytes[i - 1].is_alphanumeric() || bytes[i - 1] == '_')
}

/// Whether a literal reads as words for people: two words of letters side by side, or an
/// accented letter, once format placeholders (`{name}`) are taken out.
fn looks_like_prose(literal: &str) -> bool {
    let mut plain = String::new();
    let mut depth = 0_u32;
    for c in literal.chars() {
        match c {
            '{' => depth += 1,
            '}' => depth = depth.saturating_sub(1),
            _ if depth == 0 => plain.push(c),
            _ => {}
        }
    }
    if plain
        .chars()
        .any(|c| "àâäçéèêëîïôöùûüÿœÀÂÇÉÈÊÎÔÙÛŒ«»".contains(c))
    {
        return true;
    }
    let words: Vec<&str> = plain.split([' ', '\n']).collect();
    words.windows(2).any(|w| {
        let word = |s: &str| {
            s.chars().filter(|c| c.is_alphabetic()).count() >= 2
                && s.chars()
                    .all(|c| c.is_alphabetic() || "'’,.:;!?()".contains(c))
        };
        word(w[0]) && word(w[1])
    })
}

/// What a prose literal may be without being a text for people: SQL, and messages for the
/// operators in the service's log or its errors' causes (English, never shown to users).
fn for_machines_or_operators(source_line: &str, literal: &str) -> bool {
    let upper = literal.trim_start().to_uppercase();
    let sql = [
        "SELECT ", "INSERT ", "UPDATE ", "DELETE ", "WITH ", "CREATE ", "FROM ", "BEGIN ",
    ]
    .iter()
    .any(|k| upper.starts_with(k))
        || literal.contains(" FROM ")
        || literal.contains(" WHERE ")
        || literal.contains("FOR UPDATE")
        || literal.contains("-src ");
    let operators = [
        "tracing::",
        "error!(",
        "warn!(",
        "info!(",
        "debug!(",
        ".context(",
        "with_context(",
        "anyhow!(",
        "bail!(",
        "#[error(",
        ".expect(",
        "panic!(",
        "assert",
        "desc = ",
        "deprecation = ",
        "internal(",
        "ensure!(",
        ".contains(",
    ];
    sql || operators.iter().any(|o| source_line.contains(o))
}

/// Words written outside the catalogue in a file: `(line, literal)`. The file's tests (from
/// `#[cfg(test)]` on) are not read.
fn prose_outside_catalogue(source: &str) -> Vec<(usize, String)> {
    let code = source.split("#[cfg(test)]").next().unwrap_or_default();
    let lines: Vec<&str> = code.lines().collect();
    literals(code)
        .into_iter()
        .filter(|(_, text)| looks_like_prose(text))
        .filter(|(line, text)| {
            // The call the literal is an argument of may open a few lines above it.
            let mut at = line.saturating_sub(1);
            let mut context = lines.get(at).copied().unwrap_or_default().to_owned();
            let here = context.trim_start();
            if here.starts_with('"')
                || here.starts_with("format!(")
                || here.starts_with("&format!(")
            {
                while at > 0 && *line - at < 8 {
                    let above = lines[at - 1].trim_end();
                    if above.ends_with(';') || above.ends_with('{') || above.ends_with('}') {
                        break;
                    }
                    at -= 1;
                    context = format!("{above} {context}");
                }
            }
            !for_machines_or_operators(&context, text)
        })
        .collect()
}

/// Words allowed outside the catalogue, each with its reason.
const ALLOWED: &[(&str, &str)] = &[
    // WebSocket close reasons: protocol frames of at most 123 bytes, bilingual in one frame.
    ("graphql/src/ws.rs", " / "),
    // The report's style sheet and GraphiQL's introspection query.
    ("projections/src/report/render.rs", "font-family"),
    ("graphql/src/shape.rs", "IntrospectionQuery"),
    // The start-up refusal of a misspelt time zone, for the operator who set it.
    ("graphql/src/clock.rs", "is not a time zone"),
    // The readiness check's reasons, for the operators' probes.
    ("ledger/src/app.rs", "store unavailable"),
    ("ledger/src/app.rs", "read models"),
];

fn allowed(file: &str, literal: &str) -> bool {
    ALLOWED
        .iter()
        .any(|(f, part)| file == *f && literal.contains(part))
}

/// The files that speak to people: the report, the e-mails, the API's messages.
fn speaking_files() -> Vec<(String, String)> {
    let mut files = sources("projections/src/report", "rs");
    files.extend(sources("ledger/src/notify", "rs"));
    files.extend(sources("graphql/src", "rs"));
    files.extend(
        sources("ledger/src", "rs")
            .into_iter()
            .filter(|(name, _)| name.ends_with("app.rs") || name.ends_with("web.rs")),
    );
    files
}

#[test]
fn the_report_the_e_mails_and_the_api_write_no_words_outside_the_catalogue() {
    let mut found = vec![];
    for (file, text) in speaking_files() {
        for (line, literal) in prose_outside_catalogue(&text) {
            if !allowed(&file, &literal) {
                found.push(format!("{file}:{line}: \"{literal}\""));
            }
        }
    }
    assert!(
        found.is_empty(),
        "texts for people belong in domain/locales/*.ftl:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_scanner_finds_a_planted_sentence_and_lets_keys_sql_and_logs_pass() {
    let planted = r#"
fn subject(lang: Lang) -> String {
    let key = t(lang, "mail-answer-subject");
    let sql = "SELECT subject FROM proj_consultations WHERE id = $1";
    tracing::info!("queued the digest of the day");
    format!("Votre contribution a reçu une réponse : {key}")
}
fn english() -> &'static str {
    "Your contribution was answered"
}
#[cfg(test)]
mod tests { const X: &str = "Une phrase de test"; }
"#;
    let found: Vec<String> = prose_outside_catalogue(planted)
        .into_iter()
        .map(|(_, l)| l)
        .collect();
    assert_eq!(
        found,
        [
            "Votre contribution a reçu une réponse : {key}",
            "Your contribution was answered"
        ]
    );
}

/// The keys the code asks for: a literal that is the text argument of a look-up, in Rust
/// (`t(lang, "key")`, `t_args(lang, "key", ..)`, `invalid_input("key", ..)`, ...) or in the
/// pages (`t('key')`).
fn keys_asked_for() -> BTreeSet<String> {
    let mut keys = BTreeSet::new();
    let key_like = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
            && s.starts_with(|c: char| c.is_ascii_lowercase())
    };
    let catalogue: BTreeSet<&String> = texts::keys(Lang::Fr).iter().collect();
    for folder in ["domain/src", "projections/src", "graphql/src", "ledger/src"] {
        for (_, text) in sources(folder, "rs") {
            for (_, literal) in literals(&text) {
                if literal.contains('-') && key_like(&literal) && catalogue.contains(&literal) {
                    keys.insert(literal);
                }
            }
            // Keys passed to look-ups, present in the catalogue or not.
            for call in [
                "t(lang, \"",
                "t(l, \"",
                "t(\"",
                "t_args(lang, \"",
                "invalid_input(\"",
            ] {
                let pieces: Vec<&str> = text.split(call).collect();
                for (i, piece) in pieces.iter().enumerate().skip(1) {
                    // `get("…")` is not a look-up: the call's name must be `t` alone.
                    let named_t = call.starts_with("t(");
                    if named_t && pieces[i - 1].ends_with(|c: char| c.is_alphanumeric() || c == '_')
                    {
                        continue;
                    }
                    let key = piece.split('"').next().unwrap_or_default();
                    if key_like(key) {
                        keys.insert(key.to_owned());
                    }
                }
            }
        }
    }
    for (_, text) in sources("ledger/web", "js") {
        for (i, piece) in text.split("t('").enumerate().skip(1) {
            // `select('…'` is not a look-up: the call's name must be `t` alone.
            let before = text.split("t('").nth(i - 1).unwrap_or_default();
            if before.ends_with(|c: char| c.is_alphanumeric() || c == '_' || c == '.') {
                continue;
            }
            let key = piece.split('\'').next().unwrap_or_default();
            if key_like(key) {
                keys.insert(key.to_owned());
            }
        }
        // A key named as a quoted value (`nav: 'web-nav-journal'`), looked up later.
        for key in catalogue.iter() {
            if key.contains('-') && text.contains(&format!("'{key}'")) {
                keys.insert((*key).clone());
            }
        }
    }
    keys
}

/// The keys looked up by name built at run time: the vocabularies' labels and promises, the
/// roles, the event types' names, and the families the pages' `label()` reads (`FAMILIES` in `ledger/web/i18n.js`).
fn keys_built_at_run_time() -> (BTreeSet<String>, Vec<String>) {
    let mut keys: BTreeSet<String> = BTreeSet::new();
    macro_rules! vocab {
        ($($v:ty),+) => { $(keys.extend(<$v>::ALL.iter().map(|x| x.label_key().to_owned()));)+ };
    }
    vocab!(
        Moment,
        Mission,
        Rung,
        Method,
        ContributionKind,
        Disposition,
        BodyKind,
        ApprovalLevel,
        VoteOutcome
    );
    keys.extend(Rung::ALL.iter().map(|r| r.promise_key().to_owned()));
    keys.extend(Role::ALL.iter().map(|r| format!("role-{}", r.wire_name())));
    keys.insert("role-public".to_owned());
    // The Journal names every event type the domain records.
    keys.extend(cpts_domain::event_types().map(|e| format!("event-{e}")));
    let i18n = std::fs::read_to_string(workspace().join("ledger/web/i18n.js")).expect("i18n.js");
    let block = i18n
        .split("const FAMILIES = {")
        .nth(1)
        .and_then(|rest| rest.split("};").next())
        .expect("the pages' families");
    let families = block
        .split('\'')
        .skip(1)
        .step_by(2)
        .map(|f| format!("{f}-"))
        .collect();
    (keys, families)
}

#[test]
fn every_key_is_in_both_languages_and_every_key_asked_for_exists() {
    let fr: BTreeSet<&String> = texts::keys(Lang::Fr).iter().collect();
    let en: BTreeSet<&String> = texts::keys(Lang::En).iter().collect();
    let no_english: Vec<_> = fr.difference(&en).collect();
    let no_french: Vec<_> = en.difference(&fr).collect();
    assert!(no_english.is_empty(), "no English text: {no_english:?}");
    assert!(no_french.is_empty(), "no French text: {no_french:?}");
    let (built, _) = keys_built_at_run_time();
    let missing: Vec<_> = keys_asked_for()
        .into_iter()
        .chain(built)
        .filter(|k| !fr.contains(k))
        .collect();
    assert!(
        missing.is_empty(),
        "asked for but not in the catalogue: {missing:?}"
    );
}

#[test]
fn every_key_of_the_catalogue_is_used() {
    let asked = keys_asked_for();
    let (built, families) = keys_built_at_run_time();
    let unused: Vec<&String> = texts::keys(Lang::Fr)
        .iter()
        .filter(|k| !asked.contains(*k) && !built.contains(*k))
        .filter(|k| !families.iter().any(|f| k.starts_with(f.as_str())))
        // A text other texts include (`{ standing-overdue }`) is used by them.
        .filter(|k| !texts::FR_SOURCE.contains(&format!("{{ {k} }}")))
        .collect();
    assert!(unused.is_empty(), "keys no code uses: {unused:?}");
}

#[test]
fn the_promises_are_the_seeds_own_words_and_representatives_are_associatifs() {
    assert_eq!(
        Rung::Inform.promise(Lang::Fr),
        "« Nous vous informons, nous vous tiendrons au courant. »"
    );
    assert!(Rung::Empower
        .promise(Lang::Fr)
        .contains("Nous mettrons en oeuvre ce que vous décidez."));
    for (key, text) in texts::for_pages(Lang::Fr) {
        assert!(
            !text.contains("représentant·e") && !text.contains("représentant des usagers"),
            "{key} says « {text} »: the seeds ask for « représentant associatif »"
        );
        assert!(
            !text.contains("En souffrance") && !text.contains(" Sort "),
            "{key}: one name per notion"
        );
    }
}
