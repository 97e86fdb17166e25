//! Questionnaire import: the CSV export of an online questionnaire (LimeSurvey, Framaforms, or
//! any table saved as CSV) read as rows, each row the contribution of an anonymous inhabitant.
//!
//! Reading is pure and happens twice with the same result: once for the preview a coordinator
//! checks, once for the import itself ([`crate::consultation::ConsultationCommand::ImportQuestionnaire`]).
//! Each recorded contribution keeps its source (the file's SHA-256, its row, the questionnaire's
//! own response number when it has one), and its id is derived from that source
//! ([`contribution_id`]), so that importing the same file again, or a later export of the same
//! questionnaire holding more responses, adds only what was not yet recorded.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::{DomainError, Field};
use crate::ids::{ConsultationId, ContributionId};
use crate::values::{limits, optional_text, required_text, QuestionnaireFormat};

/// The most rows one import records: a questionnaire of a CPTS's territory has hundreds of
/// responses; a file of more is split, so that no single command holds the log for long.
pub const MAX_ROWS: usize = 5_000;

/// Which columns of the file make each contribution.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColumnMapping {
    /// The columns whose answers make the contribution's text, in order. With several, each
    /// answer is preceded by its question (the column's heading).
    pub text: Vec<String>,
    /// The column of the response's date; without it every row takes the import's date.
    pub date: Option<String>,
    /// The column of the respondent's commune, if the questionnaire asked it.
    pub commune: Option<String>,
    /// The column of the questionnaire's own response number (LimeSurvey's `id`, Framaforms'
    /// `SID`): with it, a later export of the same questionnaire is recognised row by row.
    pub response: Option<String>,
}

/// Where an imported contribution comes from: recorded in its event, shown beside it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportSource {
    /// The tool the file was exported from.
    pub format: QuestionnaireFormat,
    /// The SHA-256 of the file's text (UTF-8, without a byte order mark), in hex.
    pub file_sha256: String,
    /// The row's line in the file, its heading being line 1.
    pub row: u32,
    /// The questionnaire's own response number, if the file has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response: Option<String>,
}

/// One response, read from its row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Response {
    /// Its line in the file.
    pub row: u32,
    /// The questionnaire's own response number, if mapped.
    pub response: Option<String>,
    /// When it was given.
    pub submitted_on: NaiveDate,
    /// The respondent's commune, if given.
    pub commune: Option<String>,
    /// The contribution's text: the answers of the text columns.
    pub text: String,
}

/// Why a row records nothing, though it is not wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Skipped {
    /// None of the text columns holds an answer.
    NoAnswer,
    /// The questionnaire says the response was never sent (LimeSurvey's incomplete ones have
    /// no `submitdate`).
    NotSent,
}

/// What one row of the file gives.
#[derive(Debug, Clone, PartialEq)]
pub enum RowReading {
    /// A response to record.
    Response(Response),
    /// Nothing to record.
    Skipped {
        /// Its line in the file.
        row: u32,
        /// Why.
        why: Skipped,
    },
    /// A row that cannot be recorded as it is.
    Wrong {
        /// Its line in the file.
        row: u32,
        /// What is wrong with it.
        error: DomainError,
    },
}

impl RowReading {
    /// The row's line in the file.
    pub fn row(&self) -> u32 {
        match self {
            RowReading::Response(r) => r.row,
            RowReading::Skipped { row, .. } | RowReading::Wrong { row, .. } => *row,
        }
    }
}

/// A CSV file, read: its heading and its records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    /// The SHA-256 of its text, in hex.
    pub sha256: String,
    /// The column headings.
    pub headers: Vec<String>,
    /// The line of the heading (a Framaforms export has group titles above it).
    header_line: u32,
    /// The records after the heading, with their line.
    records: Vec<(u32, Vec<String>)>,
}

/// The SHA-256 of a file's text, as an import records it: UTF-8, without a byte order mark.
pub fn sha256(text: &str) -> String {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    crate::files::sha256_hex(text.as_bytes())
}

/// The id of the contribution an imported row records: derived from its consultation and its
/// source, so that the same response imported twice is the same contribution. A response number
/// identifies a response across exports of the questionnaire; without one, the file and the row
/// do.
pub fn contribution_id(consultation: ConsultationId, source: &ImportSource) -> ContributionId {
    let name = match &source.response {
        Some(response) => format!(
            "questionnaire/{}/response/{response}",
            source.format.wire_name()
        ),
        None => format!(
            "questionnaire/file/{}/row/{}",
            source.file_sha256, source.row
        ),
    };
    ContributionId(Uuid::new_v5(&consultation.0, name.as_bytes()))
}

impl Table {
    /// Reads a CSV text: separated by commas, semicolons or tabs (whichever the heading uses
    /// most), quoted or not, with or without a byte order mark. The heading is the line, among
    /// the first three, with the most filled cells.
    pub fn read(text: &str) -> Result<Table, DomainError> {
        let sha256 = sha256(text);
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        // A workbook (.xlsx, .ods: zip archives) or any other binary file holds NUL bytes; a
        // CSV never does.
        if text.contains('\0') {
            return Err(DomainError::NotCsv);
        }
        let first_line = text.lines().next().unwrap_or_default();
        let delimiter = [b',', b';', b'\t']
            .into_iter()
            .max_by_key(|d| first_line.bytes().filter(|b| b == d).count())
            .unwrap_or(b',');
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .has_headers(false)
            .flexible(true)
            .from_reader(text.as_bytes());
        let mut lines = Vec::new();
        // The line a record starts on, counted here: the reader's own count lags a line behind
        // after a CRLF, which ends a record at its `\r`.
        let (mut counted_to, mut line) = (0_usize, 1_u32);
        for record in reader.records() {
            let record = record.map_err(|_| DomainError::NotCsv)?;
            let offset = record
                .position()
                .map_or(0, |p| usize::try_from(p.byte()).unwrap_or(usize::MAX));
            let rest = text.get(offset..).unwrap_or_default();
            let start = offset + rest.len() - rest.trim_start_matches(['\r', '\n']).len();
            let newlines = text.as_bytes()[counted_to.min(start)..start]
                .iter()
                .filter(|b| **b == b'\n')
                .count();
            line = line.saturating_add(u32::try_from(newlines).unwrap_or(u32::MAX));
            counted_to = start;
            let cells: Vec<String> = record.iter().map(|c| c.trim().to_owned()).collect();
            if cells.iter().all(String::is_empty) {
                continue;
            }
            lines.push((line, cells));
        }
        let filled = |cells: &[String]| cells.iter().filter(|c| !c.is_empty()).count();
        let heading = lines
            .iter()
            .take(3)
            .enumerate()
            .max_by(|(i, a), (j, b)| filled(&a.1).cmp(&filled(&b.1)).then(j.cmp(i)))
            .map(|(i, _)| i)
            .ok_or(DomainError::EmptyFile)?;
        let (header_line, headers) = lines[heading].clone();
        let records: Vec<_> = lines.into_iter().skip(heading + 1).collect();
        if records.is_empty() {
            return Err(DomainError::EmptyFile);
        }
        if records.len() > MAX_ROWS {
            return Err(DomainError::TooManyRows {
                rows: records.len(),
                most: MAX_ROWS,
            });
        }
        Ok(Table {
            sha256,
            headers,
            header_line,
            records,
        })
    }

    /// How many records follow the heading.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// Whether no record follows the heading (never, for a table [`Table::read`] gave).
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// The line of the heading.
    pub fn header_line(&self) -> u32 {
        self.header_line
    }

    /// The mapping the format suggests: its known columns for the response number, the date and
    /// the commune, and every other column that is not the tool's own bookkeeping as an answer.
    pub fn suggested(&self, format: QuestionnaireFormat) -> ColumnMapping {
        // The first of the names, in their order, that a heading bears.
        let find = |names: &[&str]| {
            names
                .iter()
                .find_map(|name| self.headers.iter().find(|h| folded(h) == *name))
                .cloned()
        };
        let containing = |part: &str| {
            self.headers
                .iter()
                .find(|h| folded(h).contains(part))
                .cloned()
        };
        let (response, date) = match format {
            QuestionnaireFormat::Limesurvey => (
                find(&["id", "response id", "id de la reponse"]),
                find(&["submitdate", "date submitted", "date de soumission"]),
            ),
            QuestionnaireFormat::Framaforms => (
                find(&["sid", "serial", "numero de serie"]),
                find(&[
                    "time",
                    "submitted",
                    "heure",
                    "date de soumission",
                    "soumis le",
                ]),
            ),
            QuestionnaireFormat::Generic => (
                find(&["id", "n°", "no", "numero", "response", "reponse n°"]),
                containing("date"),
            ),
        };
        let commune = containing("commune").or_else(|| containing("ville"));
        let bookkeeping = bookkeeping(format);
        let text = self
            .headers
            .iter()
            .filter(|h| !h.is_empty())
            .filter(|h| Some(*h) != response.as_ref() && Some(*h) != date.as_ref())
            .filter(|h| Some(*h) != commune.as_ref())
            .filter(|h| !bookkeeping.contains(&folded(h).as_str()) && !folded(h).ends_with("time"))
            .cloned()
            .collect();
        ColumnMapping {
            text,
            date,
            commune,
            response,
        }
    }

    /// Reads every record with a mapping; `default_date` dates the rows when no date column is
    /// mapped, or when a row's date cell is empty. Fails only when the mapping does not fit the
    /// file; each row says what it gives otherwise.
    pub fn responses(
        &self,
        format: QuestionnaireFormat,
        mapping: &ColumnMapping,
        default_date: Option<NaiveDate>,
    ) -> Result<Vec<RowReading>, DomainError> {
        let column = |name: &String| {
            self.headers
                .iter()
                .position(|h| h == name)
                .ok_or_else(|| DomainError::NoSuchColumn(name.clone()))
        };
        if mapping.text.is_empty() {
            return Err(DomainError::NoTextColumn);
        }
        let texts = mapping
            .text
            .iter()
            .map(|name| column(name).map(|i| (name.as_str(), i)))
            .collect::<Result<Vec<_>, _>>()?;
        let date = mapping.date.as_ref().map(column).transpose()?;
        let commune = mapping.commune.as_ref().map(column).transpose()?;
        let response = mapping.response.as_ref().map(column).transpose()?;
        if date.is_none() && default_date.is_none() {
            return Err(DomainError::NoDate);
        }
        let mut seen = std::collections::HashSet::new();
        let readings = self
            .records
            .iter()
            .map(|(row, cells)| {
                let row = *row;
                let cell = |i: usize| cells.get(i).map(String::as_str).unwrap_or_default();
                let answers: Vec<(&str, &str)> = texts
                    .iter()
                    .map(|(name, i)| (*name, cell(*i)))
                    .filter(|(_, answer)| !answer.is_empty())
                    .collect();
                let number = response.map(cell).filter(|n| !n.is_empty());
                let day = date.map(cell).filter(|d| !d.is_empty());
                if format == QuestionnaireFormat::Limesurvey && date.is_some() && day.is_none() {
                    return RowReading::Skipped {
                        row,
                        why: Skipped::NotSent,
                    };
                }
                if answers.is_empty() {
                    return RowReading::Skipped {
                        row,
                        why: Skipped::NoAnswer,
                    };
                }
                let mut read = || -> Result<Response, DomainError> {
                    if let Some(number) = number {
                        if !seen.insert(number.to_owned()) {
                            return Err(DomainError::DuplicateResponse(number.to_owned()));
                        }
                    }
                    let submitted_on = match day {
                        Some(day) => parse_day(day)?,
                        None => default_date.ok_or(DomainError::NoDate)?,
                    };
                    let text = if answers.len() == 1 && texts.len() == 1 {
                        answers[0].1.to_owned()
                    } else {
                        answers
                            .iter()
                            .map(|(question, answer)| format!("{question} : {answer}"))
                            .collect::<Vec<_>>()
                            .join("\n\n")
                    };
                    Ok(Response {
                        row,
                        response: number
                            .map(|n| optional_text(Field::Response, Some(n), limits::NAME))
                            .transpose()?
                            .flatten(),
                        submitted_on,
                        commune: optional_text(Field::Commune, commune.map(cell), limits::NAME)?,
                        text: required_text(Field::Text, &text, limits::TEXT)?,
                    })
                };
                match read() {
                    Ok(response) => RowReading::Response(response),
                    Err(error) => RowReading::Wrong { row, error },
                }
            })
            .collect();
        Ok(readings)
    }
}

/// The columns a tool adds to every response, which are not answers.
fn bookkeeping(format: QuestionnaireFormat) -> &'static [&'static str] {
    match format {
        QuestionnaireFormat::Limesurvey => &[
            "lastpage",
            "startlanguage",
            "seed",
            "startdate",
            "datestamp",
            "ipaddr",
            "refurl",
            "token",
            "last page",
            "start language",
            "date started",
            "date last action",
            "ip address",
            "referrer url",
        ],
        QuestionnaireFormat::Framaforms => &[
            "draft",
            "ip address",
            "uid",
            "username",
            "brouillon",
            "adresse ip",
            "nom d'utilisateur",
            "submission details",
            "serial",
            "numero de serie",
        ],
        QuestionnaireFormat::Generic => &[],
    }
}

/// A heading as compared with known names: lower case, without accents or surrounding spaces.
fn folded(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .map(|c| match c {
            'à' | 'â' | 'ä' => 'a',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'î' | 'ï' => 'i',
            'ô' | 'ö' => 'o',
            'ù' | 'û' | 'ü' => 'u',
            'ç' => 'c',
            c => c,
        })
        .collect()
}

/// A response's date: `2026-03-02`, `02/03/2026` or `02.03.2026` (day first, as in France),
/// with or without a time after it (` 14:31:07`, `T14:31`, ` - 14:31`).
pub fn parse_day(cell: &str) -> Result<NaiveDate, DomainError> {
    let day = cell.trim().split([' ', 'T']).next().unwrap_or_default();
    ["%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y", "%Y/%m/%d"]
        .iter()
        .find_map(|f| NaiveDate::parse_from_str(day, f).ok())
        .ok_or_else(|| DomainError::UnreadableDate(cell.chars().take(40).collect()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMESURVEY: &str = "\u{feff}\"id\",\"submitdate\",\"lastpage\",\"startlanguage\",\"seed\",\"Q1\",\"Commune\"\n\
        \"1\",\"2026-03-02 14:31:07\",\"2\",\"fr\",\"123\",\"Plus de créneaux le soir.\",\"Sète\"\n\
        \"2\",\"\",\"1\",\"fr\",\"456\",\"Réponse abandonnée\",\"\"\n\
        \"3\",\"2026-03-04 09:00:00\",\"2\",\"fr\",\"789\",\"\",\"Frontignan\"\n";

    #[test]
    fn a_limesurvey_export_is_mapped_and_read() {
        let table = Table::read(LIMESURVEY).expect("read");
        let mapping = table.suggested(QuestionnaireFormat::Limesurvey);
        assert_eq!(mapping.text, vec!["Q1".to_owned()]);
        assert_eq!(mapping.date.as_deref(), Some("submitdate"));
        assert_eq!(mapping.response.as_deref(), Some("id"));
        assert_eq!(mapping.commune.as_deref(), Some("Commune"));
        let rows = table
            .responses(QuestionnaireFormat::Limesurvey, &mapping, None)
            .expect("rows");
        assert_eq!(
            rows[0],
            RowReading::Response(Response {
                row: 2,
                response: Some("1".into()),
                submitted_on: NaiveDate::from_ymd_opt(2026, 3, 2).expect("date"),
                commune: Some("Sète".into()),
                text: "Plus de créneaux le soir.".into(),
            })
        );
        assert_eq!(
            rows[1],
            RowReading::Skipped {
                row: 3,
                why: Skipped::NotSent
            }
        );
        assert_eq!(
            rows[2],
            RowReading::Skipped {
                row: 4,
                why: Skipped::NoAnswer
            }
        );
    }

    #[test]
    fn a_framaforms_export_finds_its_heading_under_the_group_titles() {
        let text = "Submission Details;;;;\nSerial;SID;Time;Vos attentes;Votre ville\n1;17;04/03/2026 - 10:12;Un pédiatre;Balaruc\n";
        let table = Table::read(text).expect("read");
        assert_eq!(table.header_line(), 2);
        let mapping = table.suggested(QuestionnaireFormat::Framaforms);
        assert_eq!(mapping.response.as_deref(), Some("SID"));
        assert_eq!(mapping.date.as_deref(), Some("Time"));
        assert_eq!(mapping.text, vec!["Vos attentes".to_owned()]);
        assert_eq!(mapping.commune.as_deref(), Some("Votre ville"));
        let rows = table
            .responses(QuestionnaireFormat::Framaforms, &mapping, None)
            .expect("rows");
        let RowReading::Response(response) = &rows[0] else {
            panic!("{rows:?}")
        };
        assert_eq!(
            response.submitted_on,
            NaiveDate::from_ymd_opt(2026, 3, 4).expect("date")
        );
        assert_eq!(response.commune.as_deref(), Some("Balaruc"));
    }

    #[test]
    fn several_answers_are_preceded_by_their_question() {
        let text = "Date,Attentes,Difficultés\n2026-03-02,Un pédiatre,Trop loin\n";
        let table = Table::read(text).expect("read");
        let mapping = table.suggested(QuestionnaireFormat::Generic);
        let rows = table
            .responses(QuestionnaireFormat::Generic, &mapping, None)
            .expect("rows");
        let RowReading::Response(response) = &rows[0] else {
            panic!("{rows:?}")
        };
        assert_eq!(
            response.text,
            "Attentes : Un pédiatre\n\nDifficultés : Trop loin"
        );
    }

    #[test]
    fn wrong_rows_say_why_and_a_wrong_mapping_is_refused() {
        let text = "id,date,avis\n1,le 3 mars,Oui\n1,2026-03-03,Non\n";
        let table = Table::read(text).expect("read");
        let mapping = table.suggested(QuestionnaireFormat::Generic);
        let rows = table
            .responses(QuestionnaireFormat::Generic, &mapping, None)
            .expect("rows");
        assert!(matches!(
            &rows[0],
            RowReading::Wrong { row: 2, error: DomainError::UnreadableDate(d) } if d == "le 3 mars"
        ));
        assert!(matches!(
            &rows[1],
            RowReading::Wrong { row: 3, error: DomainError::DuplicateResponse(n) } if n == "1"
        ));
        let wrong = ColumnMapping {
            text: vec!["opinion".into()],
            ..mapping
        };
        assert_eq!(
            table.responses(QuestionnaireFormat::Generic, &wrong, None),
            Err(DomainError::NoSuchColumn("opinion".into()))
        );
        assert_eq!(Table::read("id,avis\n"), Err(DomainError::EmptyFile));
    }

    #[test]
    fn rows_are_numbered_by_their_line_in_the_file_whatever_its_line_endings() {
        for text in [
            "a,b\n1,x\n\n2,\"y\ny\"\n3,z\n",
            "a,b\r\n1,x\r\n\r\n2,\"y\r\ny\"\r\n3,z\r\n",
        ] {
            let table = Table::read(text).expect("read");
            let lines: Vec<u32> = table.records.iter().map(|(line, _)| *line).collect();
            assert_eq!((table.header_line(), lines), (1, vec![2, 4, 6]), "{text:?}");
        }
    }

    #[test]
    fn the_same_source_gives_the_same_contribution() {
        let consultation = ConsultationId(Uuid::from_u128(7));
        let source = ImportSource {
            format: QuestionnaireFormat::Generic,
            file_sha256: sha256("a,b\n"),
            row: 2,
            response: None,
        };
        assert_eq!(
            contribution_id(consultation, &source),
            contribution_id(consultation, &source.clone())
        );
        let other_row = ImportSource {
            row: 3,
            ..source.clone()
        };
        assert_ne!(
            contribution_id(consultation, &source),
            contribution_id(consultation, &other_row)
        );
        assert_eq!(sha256("\u{feff}a,b\n"), sha256("a,b\n"));
    }
}
