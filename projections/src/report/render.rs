//! The report rendered for machines (JSON) and for readers (Markdown, HTML), in the report's
//! language. Rendering adds nothing the [`Report`] does not hold: no clock, no lookup.

use std::fmt::Write;

use chrono::NaiveDate;
use cpts_domain::texts;
use cpts_domain::values::Lang;

use super::model::{DecisionPart, PromiseCounts, Report};

/// The report as pretty JSON, fields in their declared order, ending with a line break.
pub fn json(report: &Report) -> String {
    let mut text = serde_json::to_string_pretty(report).unwrap_or_else(|e| {
        // Every field is plain data: serialization cannot fail, but never panic on a report.
        format!("{{\"error\": \"{e}\"}}")
    });
    text.push('\n');
    text
}

/// The opening section: were the promises kept, what was received, is the record intact, in
/// words an assembly member reads without the tables.
fn summary(o: &mut String, report: &Report, l: Lang) {
    let n = report.summary();
    let p = &n.promises;
    let _ = writeln!(o, "## {}\n", texts::t(l, "summary-title"));
    let verdict = if p.owed == 0 {
        "summary-promises-none-owed"
    } else if n.promises_kept() {
        "summary-promises-kept"
    } else if p.unanswered_overdue == 0 {
        "summary-promises-late"
    } else {
        "summary-promises-overdue"
    };
    let _ = writeln!(
        o,
        "- {}",
        texts::t_args(
            l,
            verdict,
            &[
                ("owed", p.owed.into()),
                ("late", p.answered_late.into()),
                ("overdue", p.unanswered_overdue.into()),
            ]
        )
    );
    let _ = writeln!(
        o,
        "- {}",
        texts::t_args(
            l,
            "summary-promises-counts",
            &[
                ("owed", p.owed.into()),
                ("on_time", p.answered_on_time.into()),
                ("late", p.answered_late.into()),
                ("overdue", p.unanswered_overdue.into()),
                ("pending", p.unanswered_not_due.into()),
            ]
        )
    );
    let _ = writeln!(
        o,
        "- {}",
        texts::t_args(
            l,
            "summary-received",
            &[
                ("received", n.received.into()),
                ("withdrawn", n.withdrawn.into()),
                ("not_owed", n.not_owed.into()),
            ]
        )
    );
    match n.intact {
        Some(true) => {
            let _ = writeln!(o, "- {}", texts::t(l, "summary-intact"));
        }
        Some(false) => {
            let _ = writeln!(o, "- {}", texts::t(l, "summary-altered"));
        }
        None => {}
    }
    let _ = writeln!(o);
}

/// A day as its readers write it ("2 décembre 2026").
pub(crate) fn day(d: NaiveDate, lang: Lang) -> String {
    texts::date(lang, d)
}

fn opt_day(d: Option<NaiveDate>, lang: Lang) -> String {
    d.map_or_else(|| "—".to_owned(), |d| day(d, lang))
}

/// A share from 0 to 1 as a whole percentage.
pub(crate) fn percent(share: Option<f64>, lang: Lang) -> String {
    match (share, lang) {
        (None, _) => "—".to_owned(),
        (Some(s), Lang::Fr) => format!("{:.0} %", s * 100.0),
        (Some(s), Lang::En) => format!("{:.0}%", s * 100.0),
    }
}

/// A number as written in the report: no needless decimals.
pub(crate) fn number(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{value:.0}")
    } else {
        format!("{value}")
    }
}

fn yes_no(value: bool, lang: Lang) -> &'static str {
    texts::t(lang, if value { "yes" } else { "no" })
}

/// A text of the record on one line of the Markdown: its line breaks flattened, and a first
/// character that would open a block (a heading, a list, a table, a rule, a quote) escaped, so
/// that a title, a text or a name cannot open a section of its own (a forged seal, say).
fn inline(text: &str) -> String {
    let flat = text.replace(['\r', '\n'], " ");
    let body = flat.trim_start();
    if body.starts_with(['#', '-', '*', '+', '>', '|', '=', '~', '`', '\\']) {
        return format!("\\{body}");
    }
    // `1. …` or `1) …` would open a numbered list: its mark is escaped instead.
    let digits = body.len() - body.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    match body[digits..].chars().next() {
        Some(mark @ ('.' | ')')) if digits > 0 => {
            format!("{}\\{mark}{}", &body[..digits], &body[digits + 1..])
        }
        _ => body.to_owned(),
    }
}

/// The text of a line of [`inline`] Markdown as a reader sees it: its escape removed.
fn unescaped(text: &str) -> std::borrow::Cow<'_, str> {
    if let Some(rest) = text.strip_prefix('\\') {
        if rest.starts_with(|c: char| c.is_ascii_punctuation()) {
            return rest.into();
        }
    }
    let digits = text.len() - text.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    let rest = &text[digits..];
    if digits > 0 && (rest.starts_with("\\.") || rest.starts_with("\\)")) {
        return format!("{}{}", &text[..digits], &rest[1..]).into();
    }
    text.into()
}

/// A table cell: pipes escaped, line breaks flattened, empty shown as a dash.
fn cell(text: &str) -> String {
    let flat = text
        .replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace(['\r', '\n'], " ");
    if flat.trim().is_empty() {
        "—".to_owned()
    } else {
        flat
    }
}

/// A Markdown table; cells are escaped here.
fn table(out: &mut String, headers: &[&str], rows: &[Vec<String>]) {
    let line = |cells: Vec<String>| format!("| {} |\n", cells.join(" | "));
    out.push_str(&line(headers.iter().map(|h| cell(h)).collect()));
    out.push_str(&line(headers.iter().map(|_| "---".to_owned()).collect()));
    for row in rows {
        out.push_str(&line(row.iter().map(|c| cell(c)).collect()));
    }
    out.push('\n');
}

/// The subject of a consultation of the report.
fn consultation_subject(report: &Report, id: &str) -> String {
    report
        .consultations
        .list
        .iter()
        .find(|c| c.consultation_id == id)
        .map(|c| c.subject.clone())
        .unwrap_or_default()
}

/// A cell of a contribution received after its consultation's closing, marked as such.
fn late_mark(cell: String, received_late: bool, lang: Lang) -> String {
    if received_late {
        format!("{cell} ({})", texts::t(lang, "report-received-late-mark"))
    } else {
        cell
    }
}

fn promise_row(label: String, rung: String, deadline: String, c: &PromiseCounts) -> Vec<String> {
    vec![
        label,
        rung,
        deadline,
        c.owed.to_string(),
        c.answered_on_time.to_string(),
        c.answered_late.to_string(),
        c.unanswered_not_due.to_string(),
        c.unanswered_overdue.to_string(),
    ]
}

/// The report as Markdown, in the report's language: one heading per section, a table for
/// every list.
pub fn markdown(report: &Report) -> String {
    let l = report.lang;
    let t = |key: &'static str| texts::t(l, key);
    let sep = match l {
        Lang::Fr => " : ",
        Lang::En => ": ",
    };
    let mut out = String::new();
    let o = &mut out;

    // Writing to a String cannot fail.
    let provisional = report.ledger.as_ref().is_some_and(|seal| seal.provisional);
    let _ = writeln!(
        o,
        "# {}{} — {}\n",
        t("report-report-to-the-general-assembly"),
        if provisional {
            format!(" ({})", t("report-provisional"))
        } else {
            String::new()
        },
        inline(&report.community.name)
    );
    let _ = writeln!(
        o,
        "{} {} {} {} · {} {} · {} {}\n",
        t("report-period-from"),
        day(report.period.from, l),
        t("report-to"),
        day(report.period.to, l),
        t("report-as-of"),
        day(report.as_of, l),
        t("report-log-read-up-to-position"),
        report.log_position,
    );
    if !report.community.territory.is_empty() {
        let _ = writeln!(
            o,
            "{} ({}){sep}{}\n",
            t("territory"),
            report.community.territory.len(),
            report.community.territory.join(", ")
        );
    }

    summary(o, report, l);

    // 1. Representation.
    let r = &report.representation;
    let _ = writeln!(o, "## 1. {}\n", t("report-users-representation"));
    let _ = writeln!(
        o,
        "{}\n",
        texts::t_args(
            l,
            "report-representation-summary",
            &[
                ("active", r.active_representatives.into()),
                ("outside", r.living_outside_territory.into()),
                ("failing", r.failing_checks.into()),
                ("checks", r.checks.len().into()),
            ],
        )
    );
    let _ = writeln!(o, "### {}\n", t("representatives"));
    let rows: Vec<Vec<String>> = r
        .representatives
        .iter()
        .map(|p| {
            vec![
                p.name.clone(),
                p.association.clone(),
                format!("{} → {}", day(p.mandate_start, l), day(p.mandate_end, l)),
                yes_no(p.active, l).to_owned(),
                yes_no(p.lives_in_territory, l).to_owned(),
                p.commune.clone().unwrap_or_default(),
                yes_no(p.has_cadre_intervention, l).to_owned(),
            ]
        })
        .collect();
    table(
        o,
        &[
            t("name"),
            t("association"),
            t("mandate"),
            t("report-in-office"),
            t("lives-in-territory"),
            t("commune"),
            t("cadre-intervention"),
        ],
        &rows,
    );
    let _ = writeln!(o, "### {}\n", t("associations"));
    let rows: Vec<Vec<String>> = r
        .associations
        .iter()
        .map(|a| {
            vec![
                a.name.clone(),
                a.approval.label.clone(),
                opt_day(a.approval_expires_on, l),
                a.engagement
                    .as_ref()
                    .map(|e| e.label.clone())
                    .unwrap_or_default(),
                a.next_step.clone(),
            ]
        })
        .collect();
    table(
        o,
        &[
            t("association"),
            t("approval"),
            t("expires-on"),
            t("engagement"),
            t("next-step"),
        ],
        &rows,
    );
    let _ = writeln!(o, "### {}\n", t("report-compliance-checks"));
    let rows: Vec<Vec<String>> = r
        .checks
        .iter()
        .map(|c| {
            vec![
                c.label.clone(),
                if c.ok {
                    t("report-ok").to_owned()
                } else {
                    t("report-to-put-right").to_owned()
                },
                c.detail.clone(),
                c.what_to_do.clone(),
            ]
        })
        .collect();
    table(
        o,
        &[
            t("check"),
            t("status"),
            t("report-finding"),
            t("what-to-do"),
        ],
        &rows,
    );

    // 2. Consultations.
    let c = &report.consultations;
    let _ = writeln!(o, "## 2. {}\n", t("consultations"));
    let _ = writeln!(
        o,
        "{}{sep}{}\n",
        t("report-consultations-of-the-period"),
        c.total
    );
    let _ = writeln!(o, "### {}\n", t("report-by-moment"));
    let rows: Vec<Vec<String>> = c
        .by_moment
        .iter()
        .map(|m| {
            vec![
                m.moment.label.clone(),
                m.consultations.to_string(),
                m.contributions.to_string(),
                m.by_representatives.to_string(),
            ]
        })
        .collect();
    table(
        o,
        &[
            t("moment"),
            t("consultations"),
            t("contributions"),
            t("report-by-representatives"),
        ],
        &rows,
    );
    let _ = writeln!(o, "### {}\n", t("report-by-rung"));
    let rows: Vec<Vec<String>> = c
        .by_rung
        .iter()
        .map(|r| {
            vec![
                r.rung.label.clone(),
                r.promise.clone(),
                r.consultations.to_string(),
                r.contributions.to_string(),
            ]
        })
        .collect();
    table(
        o,
        &[
            t("rung"),
            t("promise"),
            t("consultations"),
            t("contributions"),
        ],
        &rows,
    );
    let _ = writeln!(o, "### {}\n", t("report-list"));
    let rows: Vec<Vec<String>> = c
        .list
        .iter()
        .map(|x| {
            vec![
                x.subject.clone(),
                x.moment.label.clone(),
                x.rung.label.clone(),
                x.method.label.clone(),
                format!("{} → {}", day(x.opens_on, l), day(x.closes_on, l)),
                day(x.answer_deadline, l),
                x.contributions.to_string(),
            ]
        })
        .collect();
    table(
        o,
        &[
            t("subject"),
            t("moment"),
            t("rung"),
            t("method"),
            t("report-open"),
            t("report-answers-promised-by"),
            t("contributions"),
        ],
        &rows,
    );

    // 3. Contributions.
    let k = &report.contributions;
    let _ = writeln!(o, "## 3. {}\n", t("contributions"));
    let _ = writeln!(
        o,
        "{}\n",
        texts::t_args(
            l,
            "report-contributions-summary",
            &[("total", k.total.into()), ("withdrawn", k.withdrawn.into())],
        )
    );
    let _ = writeln!(o, "### {}\n", t("report-by-kind"));
    let rows: Vec<Vec<String>> = k
        .by_kind
        .iter()
        .map(|x| vec![x.label.clone(), x.count.to_string()])
        .collect();
    table(o, &[t("kind"), t("count")], &rows);
    let _ = writeln!(o, "### {}\n", t("report-by-author"));
    let rows: Vec<Vec<String>> = k
        .by_author
        .iter()
        .map(|x| vec![x.label.clone(), x.count.to_string()])
        .collect();
    table(o, &[t("report-author-category"), t("count")], &rows);
    if !k.received_late.is_empty() {
        let _ = writeln!(o, "### {}\n", t("report-received-late"));
        let _ = writeln!(o, "{}\n", t("report-received-late-intro"));
        let rows: Vec<Vec<String>> = k
            .received_late
            .iter()
            .map(|x| {
                vec![
                    consultation_subject(report, &x.consultation_id),
                    x.kind.label.clone(),
                    day(x.received_on, l),
                    x.reason.clone(),
                    day(x.answer_deadline, l),
                    x.standing.label.clone(),
                ]
            })
            .collect();
        table(
            o,
            &[
                t("consultation"),
                t("kind"),
                t("report-received-on"),
                t("report-late-reason"),
                t("deadline"),
                t("status"),
            ],
            &rows,
        );
    }

    // 4. Dispositions.
    let d = &report.dispositions;
    let _ = writeln!(o, "## 4. {}\n", t("report-what-became-of-contributions"));
    let _ = writeln!(
        o,
        "{}{sep}{} · {}{sep}{}\n",
        t("report-published-answers"),
        d.answered,
        t("report-retained-fully-or-partly"),
        percent(d.share_retained, l)
    );
    let mut headers = vec![t("decision")];
    headers.extend(d.overall.iter().map(|x| x.label.as_str()));
    let mut rows: Vec<Vec<String>> = d
        .per_decision
        .iter()
        .map(|x| {
            let mut row = vec![x.title.clone()];
            row.extend(x.counts.iter().map(|c| c.count.to_string()));
            row
        })
        .collect();
    let mut all = vec![t("report-all-decisions").to_owned()];
    all.extend(d.overall.iter().map(|c| c.count.to_string()));
    rows.push(all);
    table(o, &headers, &rows);
    let _ = writeln!(
        o,
        "### {}\n",
        t("report-contributions-not-retained-and-why")
    );
    let rows: Vec<Vec<String>> = d
        .not_retained
        .iter()
        .map(|x| {
            vec![
                x.decision_title.clone(),
                late_mark(x.kind.label.clone(), x.received_late, l),
                x.text.clone(),
                x.disposition.label.clone(),
                x.rationale.clone(),
            ]
        })
        .collect();
    table(
        o,
        &[
            t("decision"),
            t("kind"),
            t("contribution"),
            t("disposition"),
            t("report-reason"),
        ],
        &rows,
    );

    // 5. Promise keeping.
    let p = &report.promise_keeping;
    let _ = writeln!(o, "## 5. {}\n", t("report-keeping-the-promise-to-answer"));
    let mut rows: Vec<Vec<String>> = p
        .per_consultation
        .iter()
        .map(|x| {
            promise_row(
                x.subject.clone(),
                x.rung.label.clone(),
                day(x.answer_deadline, l),
                &x.counts,
            )
        })
        .collect();
    rows.push(promise_row(
        t("total").to_owned(),
        String::new(),
        String::new(),
        &p.totals,
    ));
    table(
        o,
        &[
            t("consultation"),
            t("rung"),
            t("deadline"),
            t("report-answers-owed"),
            t("standing-answered_on_time"),
            t("standing-answered_late"),
            t("standing-pending"),
            t("standing-overdue"),
        ],
        &rows,
    );
    let _ = writeln!(o, "### {}\n", t("report-answers-late-or-missing"));
    let rows: Vec<Vec<String>> = p
        .late
        .iter()
        .map(|x| {
            vec![
                consultation_subject(report, &x.consultation_id),
                x.kind.label.clone(),
                late_mark(day(x.submitted_on, l), x.received_late, l),
                day(x.answer_deadline, l),
                x.answered_on
                    .map_or_else(|| t("report-unanswered").to_owned(), |d| day(d, l)),
                x.days_late.to_string(),
            ]
        })
        .collect();
    table(
        o,
        &[
            t("consultation"),
            t("kind"),
            t("report-submitted-on"),
            t("deadline"),
            t("report-answered-on"),
            t("report-days-late"),
        ],
        &rows,
    );

    // 6. Decisions.
    let _ = writeln!(o, "## 6. {}\n", t("report-decisions-of-the-period"));
    if report.decisions.is_empty() {
        let _ = writeln!(o, "{}\n", t("no-decision"));
    }
    for x in &report.decisions {
        let _ = writeln!(o, "### {}\n", inline(&x.title));
        let _ = writeln!(o, "{}\n", inline(&x.text));
        let _ = writeln!(
            o,
            "- {}{sep}{}\n- {}{sep}{} · {}{sep}{}\n- {}{sep}{}\n- {}{sep}{}",
            t("body"),
            x.body,
            t("moment"),
            x.moment.label,
            t("mission"),
            x.mission.label,
            t("proposed-on"),
            day(x.proposed_on, l),
            t("status"),
            x.status.label,
        );
        if !x.consultations.is_empty() {
            let _ = writeln!(
                o,
                "- {}{sep}{}",
                t("consultations"),
                x.consultations.join(" ; ")
            );
        }
        if x.amendments > 0 {
            let _ = writeln!(o, "- {}{sep}{}", t("report-amendments"), x.amendments);
        }
        let tr_ = &x.trail;
        let _ = writeln!(
            o,
            "- {}{sep}{} · {}{sep}{} · {}{sep}{} · {}{sep}{}\n",
            t("contributions"),
            tr_.contributions,
            t("report-answers-published"),
            tr_.answered,
            t("report-unanswered"),
            tr_.unanswered,
            t("report-retained"),
            percent(tr_.share_retained, l),
        );
        if let Some(v) = &x.vote {
            let _ = writeln!(
                o,
                "{} {}{sep}{} ({} {}, {} {}, {} {}).\n",
                t("report-vote-of"),
                day(v.on, l),
                v.outcome.label,
                t("report-for"),
                v.votes_for,
                t("report-against"),
                v.votes_against,
                t("report-abstentions"),
                v.abstentions,
            );
            if v.consensus {
                let _ = writeln!(o, "{}\n", t("report-decided-by-consensus"));
            } else {
                let rows: Vec<Vec<String>> = v
                    .colleges
                    .iter()
                    .map(|c| {
                        vec![
                            c.college.clone(),
                            c.votes_for.to_string(),
                            c.votes_against.to_string(),
                            c.abstentions.to_string(),
                        ]
                    })
                    .collect();
                table(
                    o,
                    &[
                        t("college"),
                        t("votes-for"),
                        t("votes-against"),
                        t("abstentions"),
                    ],
                    &rows,
                );
            }
        }
        if !x.milestones.is_empty() {
            let _ = writeln!(o, "{}\n", t("report-implementation"));
            for m in &x.milestones {
                let _ = writeln!(o, "- {}{sep}{}", day(m.on, l), inline(&m.milestone));
            }
            o.push('\n');
        }
        if !x.indicators.is_empty() {
            let rows: Vec<Vec<String>> = x
                .indicators
                .iter()
                .map(|i| {
                    vec![
                        i.indicator.clone(),
                        i.period.clone(),
                        number(i.value),
                        i.target.map(number).unwrap_or_default(),
                        day(i.reported_on, l),
                    ]
                })
                .collect();
            table(
                o,
                &[
                    t("indicator"),
                    t("period"),
                    t("value"),
                    t("target"),
                    t("reported-on"),
                ],
                &rows,
            );
        }
    }
    if let Some(seal) = &report.ledger {
        let _ = writeln!(o, "## {}\n", t("report-7-the-ledger"));
        if seal.provisional {
            let _ = writeln!(o, "{}\n", t("report-provisional-note"));
        }
        let _ = writeln!(
            o,
            "- {}{sep}{}",
            t("report-seal-as-of"),
            day(report.as_of, l)
        );
        let _ = writeln!(o, "- {}{sep}{}", t("report-seal-position"), seal.position);
        if let Some(at) = &seal.recorded_at {
            let _ = writeln!(o, "- {}{sep}{at}", t("report-seal-recorded-at"));
        }
        let _ = writeln!(o, "- {}{sep}{}", t("digest"), seal.digest);
        let _ = writeln!(
            o,
            "- {}{sep}{}\n",
            t("report-hash-chain-check"),
            if seal.intact {
                t("report-intact")
            } else {
                t("report-altered")
            }
        );
        let _ = writeln!(o, "{}\n", t("report-to-check-later-that-the-record"));
        let _ = writeln!(o, "{}\n", t("report-seal-same-bytes"));
    }
    let _ = writeln!(o, "---\n\n{}", t("report-footer"));
    out
}

/// Escapes text for HTML content and attributes.
fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The cells of a Markdown table line written by [`table`], unescaped.
fn cells(line: &str) -> Vec<String> {
    let inner = line.trim().trim_start_matches('|').trim_end_matches('|');
    let (mut cells, mut current, mut chars) = (Vec::new(), String::new(), inner.chars());
    while let Some(c) = chars.next() {
        match c {
            '\\' => current.extend(chars.next()),
            '|' => cells.push(std::mem::take(&mut current).trim().to_owned()),
            c => current.push(c),
        }
    }
    cells.push(current.trim().to_owned());
    cells
}

/// The palette of the charts: readable in colour and in grey on paper.
const COLOURS: [&str; 5] = ["#1b7837", "#7fbf7b", "#d6604d", "#b2abd2", "#878787"];

/// A horizontal stacked bar chart as inline SVG, with a title and a description for screen
/// readers, and a legend.
fn stacked_bars(
    id: &str,
    title: &str,
    description: &str,
    series: &[String],
    rows: &[(String, Vec<u64>)],
) -> String {
    let (label_w, bar_w, row_h, top) = (260.0, 420.0, 30.0, 10.0);
    let legend_h = 24.0;
    let height = top + row_h * rows.len() as f64 + legend_h + 10.0;
    let max = rows
        .iter()
        .map(|(_, v)| v.iter().sum::<u64>())
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let mut svg = format!(
        "<svg class=\"chart\" role=\"img\" aria-labelledby=\"{id}-t {id}-d\" viewBox=\"0 0 760 {height}\" width=\"760\" height=\"{height}\" xmlns=\"http://www.w3.org/2000/svg\">\n<title id=\"{id}-t\">{}</title>\n<desc id=\"{id}-d\">{}</desc>\n",
        esc(title),
        esc(description)
    );
    for (i, (label, values)) in rows.iter().enumerate() {
        let y = top + row_h * i as f64;
        let short: String = if label.chars().count() > 40 {
            label.chars().take(39).collect::<String>() + "…"
        } else {
            label.clone()
        };
        svg.push_str(&format!(
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\" class=\"label\">{}</text>\n",
            label_w - 8.0,
            y + 19.0,
            esc(&short)
        ));
        let mut x = label_w;
        for (j, value) in values.iter().enumerate() {
            if *value == 0 {
                continue;
            }
            let w = bar_w * *value as f64 / max;
            let name = series.get(j).map_or("", String::as_str);
            svg.push_str(&format!(
                "<rect x=\"{x:.1}\" y=\"{:.1}\" width=\"{w:.1}\" height=\"20\" fill=\"{}\"><title>{} — {}: {value}</title></rect>\n",
                y + 5.0,
                COLOURS[j % COLOURS.len()],
                esc(label),
                esc(name)
            ));
            x += w;
        }
        let total: u64 = values.iter().sum();
        svg.push_str(&format!(
            "<text x=\"{:.1}\" y=\"{}\" class=\"value\">{total}</text>\n",
            x + 6.0,
            y + 19.0
        ));
    }
    let ly = top + row_h * rows.len() as f64 + 12.0;
    let mut lx = 10.0;
    for (j, name) in series.iter().enumerate() {
        svg.push_str(&format!(
            "<rect x=\"{lx:.1}\" y=\"{ly:.1}\" width=\"12\" height=\"12\" fill=\"{}\"/><text x=\"{:.1}\" y=\"{:.1}\" class=\"legend\">{}</text>\n",
            COLOURS[j % COLOURS.len()],
            lx + 16.0,
            ly + 11.0,
            esc(name)
        ));
        lx += 24.0 + 7.0 * name.chars().count() as f64;
    }
    svg.push_str("</svg>\n");
    format!(
        "<figure>\n{svg}<figcaption>{}</figcaption>\n</figure>\n",
        esc(title)
    )
}

/// The charts of the report, placed after the heading of their section (by its number).
fn charts(report: &Report) -> [(&'static str, String); 3] {
    let l = report.lang;
    let t = |key: &'static str| texts::t(l, key);
    let moments = stacked_bars(
        "participation",
        t("report-participation-by-moment"),
        t("report-contributions-to-the-periods-consultations-by"),
        &[
            t("representatives").to_owned(),
            t("report-other-contributors").to_owned(),
        ],
        &report
            .consultations
            .by_moment
            .iter()
            .map(|m| {
                (
                    m.moment.label.clone(),
                    vec![m.by_representatives, m.contributions - m.by_representatives],
                )
            })
            .collect::<Vec<_>>(),
    );
    let d = &report.dispositions;
    let dispositions = stacked_bars(
        "dispositions",
        t("report-dispositions-per-decision"),
        t("report-published-answers-of-each-decision-by"),
        &d.overall
            .iter()
            .map(|x| x.label.clone())
            .collect::<Vec<_>>(),
        &d.per_decision
            .iter()
            .map(|x| (x.title.clone(), x.counts.iter().map(|c| c.count).collect()))
            .collect::<Vec<_>>(),
    );
    let promise = stacked_bars(
        "promise",
        t("report-answers-on-time-and-late"),
        t("report-for-each-consultation-answers-published-on"),
        &[
            t("standing-answered_on_time").to_owned(),
            t("standing-pending").to_owned(),
            t("standing-answered_late").to_owned(),
            t("standing-overdue").to_owned(),
        ],
        &report
            .promise_keeping
            .per_consultation
            .iter()
            .map(|p| {
                let c = &p.counts;
                (
                    p.subject.clone(),
                    vec![
                        c.answered_on_time,
                        c.unanswered_not_due,
                        c.answered_late,
                        c.unanswered_overdue,
                    ],
                )
            })
            .collect::<Vec<_>>(),
    );
    [
        ("## 2. ", moments),
        ("## 4. ", dispositions),
        ("## 5. ", promise),
    ]
}

const STYLE: &str = "
body { font-family: 'DejaVu Sans', Arial, sans-serif; color: #1a1a1a; margin: 2rem auto; max-width: 60rem; padding: 0 1rem; line-height: 1.45; }
h1 { font-size: 1.6rem; border-bottom: 2px solid #1b7837; padding-bottom: .3rem; }
h2 { font-size: 1.3rem; margin-top: 2rem; color: #0b4d1f; }
h3 { font-size: 1.05rem; margin-top: 1.3rem; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; font-size: .85rem; }
th, td { border: 1px solid #999; padding: .25rem .4rem; text-align: left; vertical-align: top; }
th { background: #eef3ee; }
figure { margin: 1rem 0; }
figcaption { font-size: .85rem; color: #444; }
svg.chart { max-width: 100%; height: auto; font-size: 12px; }
svg .label, svg .legend { fill: #1a1a1a; }
svg .value { fill: #333; font-weight: bold; }
footer { margin-top: 2rem; font-size: .8rem; color: #555; border-top: 1px solid #999; padding-top: .5rem; }
@page { size: A4; margin: 15mm; }
@media print {
  body { margin: 0; max-width: none; font-size: 10pt; }
  h2 { break-before: auto; break-after: avoid; }
  h3 { break-after: avoid; }
  table, figure { break-inside: avoid; }
  thead { display: table-header-group; }
  a { color: inherit; text-decoration: none; }
}
";

/// The report as one self-contained, print-ready HTML file: the Markdown's content, inline
/// CSS (with print rules) and inline SVG charts; no script, no external asset.
pub fn html(report: &Report) -> String {
    let l = report.lang;
    let md = markdown(report);
    let charts = charts(report);
    let title = md
        .lines()
        .next()
        .map(|h| h.trim_start_matches("# ").to_owned())
        .unwrap_or_default();
    let mut out = format!(
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>\n",
        match l {
            Lang::Fr => "fr",
            Lang::En => "en",
        },
        esc(&title)
    );
    let lines: Vec<&str> = md.lines().collect();
    let mut i = 0;
    let mut in_list = false;
    let mut in_section = false;
    while i < lines.len() {
        let line = lines[i];
        if in_list && !line.starts_with("- ") {
            out.push_str("</ul>\n");
            in_list = false;
        }
        if let Some(h) = line.strip_prefix("# ") {
            out.push_str(&format!("<h1>{}</h1>\n", esc(&unescaped(h))));
        } else if let Some(h) = line.strip_prefix("## ") {
            if in_section {
                out.push_str("</section>\n");
            }
            out.push_str(&format!("<section>\n<h2>{}</h2>\n", esc(h)));
            in_section = true;
            if let Some((_, chart)) = charts.iter().find(|(p, _)| line.starts_with(p)) {
                out.push_str(chart);
            }
        } else if let Some(h) = line.strip_prefix("### ") {
            out.push_str(&format!("<h3>{}</h3>\n", esc(&unescaped(h))));
        } else if line.starts_with("| ") {
            let headers = cells(line);
            out.push_str("<table>\n<thead><tr>");
            for h in &headers {
                out.push_str(&format!("<th scope=\"col\">{}</th>", esc(h)));
            }
            out.push_str("</tr></thead>\n<tbody>\n");
            i += 2; // the header and its separator
            while i < lines.len() && lines[i].starts_with("| ") {
                out.push_str("<tr>");
                for (j, c) in cells(lines[i]).iter().enumerate() {
                    if j == 0 {
                        out.push_str(&format!("<th scope=\"row\">{}</th>", esc(c)));
                    } else {
                        out.push_str(&format!("<td>{}</td>", esc(c)));
                    }
                }
                out.push_str("</tr>\n");
                i += 1;
            }
            out.push_str("</tbody>\n</table>\n");
            continue;
        } else if let Some(item) = line.strip_prefix("- ") {
            if !in_list {
                out.push_str("<ul>\n");
                in_list = true;
            }
            out.push_str(&format!("<li>{}</li>\n", esc(&unescaped(item))));
        } else if line == "---" {
            if in_section {
                out.push_str("</section>\n");
            }
            out.push_str("</main>\n<footer>\n");
            for rest in lines[i + 1..].iter().filter(|r| !r.trim().is_empty()) {
                out.push_str(&format!("<p>{}</p>\n", esc(rest)));
            }
            out.push_str("</footer>\n</body>\n</html>\n");
            return out;
        } else if !line.trim().is_empty() {
            out.push_str(&format!("<p>{}</p>\n", esc(&unescaped(line))));
        }
        i += 1;
    }
    if in_list {
        out.push_str("</ul>\n");
    }
    if in_section {
        out.push_str("</section>\n");
    }
    out.push_str("</main>\n</body>\n</html>\n");
    out
}

/// A field of a CSV file (RFC 4180): quoted when it holds a comma, a quote or a line break.
///
/// A text that a spreadsheet would read as a formula (it begins with `=`, `+`, `-`, `@`, a tab or
/// a carriage return, and is not a number) is prefixed with an apostrophe, as OWASP advises for
/// CSV injection: the cell then shows the text and runs nothing.
pub fn csv_field(text: &str) -> String {
    let formula =
        text.starts_with(['=', '+', '-', '@', '\t', '\r']) && text.parse::<f64>().is_err();
    let text = if formula {
        format!("'{text}")
    } else {
        text.to_owned()
    };
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

/// A CSV file (RFC 4180, lines ended by CRLF) of one header row and these rows, every cell,
/// headers included, through [`csv_field`].
pub fn csv(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut out = String::new();
    for line in std::iter::once(headers.iter().map(|h| (*h).to_owned()).collect::<Vec<_>>())
        .chain(rows.iter().cloned())
    {
        let fields: Vec<String> = line.iter().map(|f| csv_field(f)).collect();
        out.push_str(&fields.join(","));
        out.push_str("\r\n");
    }
    out
}

/// The open data of the period, as French public bodies publish it: CSV files in UTF-8, comma
/// separated, one header row (its names in the catalogue, `csv-*`), dates in ISO 8601, codes
/// beside labels. No personal data: no name, no contribution text, no commune of an
/// inhabitant. Nothing the public API would not show: only the decisions a body voted on, and
/// what their trails show (their consultations, those consultations' contributions, the answers
/// they gave). Returns `(file name, content)`.
pub fn open_data(report: &Report) -> Vec<(&'static str, String)> {
    let t = |key: &'static str| texts::t(report.lang, key);
    // Open data is public: it shows what the public API shows, no more. That is the decisions
    // a body voted on, and through their trails the consultations they drew on, those
    // consultations' contributions and the answers those decisions gave.
    let public: Vec<&DecisionPart> = report
        .decisions
        .iter()
        .filter(|d| crate::listing::is_published(&d.status.code))
        .collect();
    let public_decision = |id: &str| public.iter().any(|d| d.decision_id == id);
    let public_consultation = |id: &str| {
        public
            .iter()
            .any(|d| d.consultation_ids.iter().any(|c| c == id))
    };
    let decisions: Vec<Vec<String>> = public
        .iter()
        .map(|d| {
            let vote = d.vote.as_ref();
            vec![
                d.decision_id.clone(),
                d.title.clone(),
                d.body.clone(),
                d.moment.code.clone(),
                d.mission.code.clone(),
                d.proposed_on.to_string(),
                d.status.code.clone(),
                vote.map(|v| v.on.to_string()).unwrap_or_default(),
                vote.map(|v| v.outcome.code.clone()).unwrap_or_default(),
                vote.map(|v| v.votes_for.to_string()).unwrap_or_default(),
                vote.map(|v| v.votes_against.to_string())
                    .unwrap_or_default(),
                vote.map(|v| v.abstentions.to_string()).unwrap_or_default(),
                d.consultations.join(" ; "),
            ]
        })
        .collect();
    let consultations: Vec<Vec<String>> = report
        .consultations
        .list
        .iter()
        .filter(|c| public_consultation(&c.consultation_id))
        .map(|c| {
            vec![
                c.consultation_id.clone(),
                c.subject.clone(),
                c.moment.code.clone(),
                c.mission.code.clone(),
                c.rung.code.clone(),
                c.method.code.clone(),
                c.opens_on.to_string(),
                c.closes_on.to_string(),
                c.answer_deadline.to_string(),
                c.contributions.to_string(),
            ]
        })
        .collect();
    let answers: Vec<Vec<String>> = report
        .dispositions
        .published
        .iter()
        .filter(|a| public_decision(&a.decision_id))
        .map(|a| {
            vec![
                a.decision_id.clone(),
                a.contribution_id.clone(),
                a.kind.code.clone(),
                a.disposition.code.clone(),
                a.disposition.label.clone(),
                a.rationale.clone().unwrap_or_default(),
                a.published_on.to_string(),
            ]
        })
        .collect();
    let standings: Vec<Vec<String>> = report
        .promise_keeping
        .standings
        .iter()
        .filter(|k| public_consultation(&k.consultation_id))
        .map(|k| {
            vec![
                k.contribution_id.clone(),
                k.consultation_id.clone(),
                k.kind.code.clone(),
                k.submitted_on.to_string(),
                k.answer_deadline.to_string(),
                k.standing.code.clone(),
                k.standing.label.clone(),
            ]
        })
        .collect();
    vec![
        (
            "decisions.csv",
            csv(
                &[
                    t("csv-decision-id"),
                    t("csv-titre"),
                    t("csv-instance"),
                    t("csv-temps"),
                    t("csv-mission"),
                    t("csv-proposee-le"),
                    t("csv-statut"),
                    t("csv-votee-le"),
                    t("csv-issue-du-vote"),
                    t("csv-voix-pour"),
                    t("csv-voix-contre"),
                    t("csv-abstentions"),
                    t("csv-consultations"),
                ],
                &decisions,
            ),
        ),
        (
            "consultations.csv",
            csv(
                &[
                    t("csv-consultation-id"),
                    t("csv-sujet"),
                    t("csv-temps"),
                    t("csv-mission"),
                    t("csv-echelon"),
                    t("csv-methode"),
                    t("csv-ouverture"),
                    t("csv-cloture"),
                    t("csv-reponses-promises-le"),
                    t("csv-contributions"),
                ],
                &consultations,
            ),
        ),
        (
            "reponses.csv",
            csv(
                &[
                    t("csv-decision-id"),
                    t("csv-contribution-id"),
                    t("csv-type-de-contribution"),
                    t("csv-suite-donnee"),
                    t("csv-suite-donnee-libelle"),
                    t("csv-motif"),
                    t("csv-publiee-le"),
                ],
                &answers,
            ),
        ),
        (
            "contributions.csv",
            csv(
                &[
                    t("csv-contribution-id"),
                    t("csv-consultation-id"),
                    t("csv-type-de-contribution"),
                    t("csv-soumise-le"),
                    t("csv-reponse-promise-le"),
                    t("csv-statut"),
                    t("csv-statut-libelle"),
                ],
                &standings,
            ),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_csv_cell_that_reads_as_a_formula_is_neutralised_and_numbers_are_kept() {
        assert_eq!(
            csv_field("=HYPERLINK(\"http://x\")"),
            "\"'=HYPERLINK(\"\"http://x\"\")\""
        );
        assert_eq!(csv_field("+33 6 12"), "'+33 6 12");
        assert_eq!(csv_field("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_field("-2"), "-2");
        assert_eq!(csv_field("-1.5"), "-1.5");
        assert_eq!(csv_field("Avis, favorable"), "\"Avis, favorable\"");
        assert_eq!(csv_field("2026-04-07"), "2026-04-07");
    }

    #[test]
    fn a_title_cannot_open_a_section_of_the_report() {
        let forged = "Permanence\n\n## 7. Le registre\n- Empreinte : cpts-ledger:v2:1:00";
        let line = inline(forged);
        assert!(!line.contains('\n'));
        assert!(!format!("### {line}\n")
            .lines()
            .any(|l| l.starts_with("## ")));
    }

    #[test]
    fn a_text_that_begins_like_a_block_is_escaped_and_reads_as_written() {
        for text in [
            "# Faux rapport",
            "---",
            "- Empreinte",
            "| a | b |",
            "1. Un",
            "\\# x",
        ] {
            let line = inline(text);
            assert!(line.contains('\\'), "{text} → {line}");
            assert_eq!(unescaped(&line), text.trim_start());
        }
        assert_eq!(inline("  Permanence\n du samedi"), "Permanence  du samedi");
        assert_eq!(inline("2026 en chiffres"), "2026 en chiffres");
    }
}
