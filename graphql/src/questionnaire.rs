//! Questionnaire import, for the coordinator: `questionnairePreview` reads a CSV export and says
//! what importing it would record, row by row; `importQuestionnaire` records it. Both read the
//! file with the same function ([`cpts_domain::questionnaire::Table`]) and hold each response to
//! the same rule of dates ([`cpts_domain::consultation::within_period`]); which responses are
//! already on the record is the consultation's to say
//! ([`cpts_domain::consultation::ConsultationCommand::ImportQuestionnaire`]), the preview
//! reading the same ids from the read model.

use std::collections::HashSet;

use async_graphql::{Context, Enum, InputObject, Object, Result, SimpleObject, ID};
use chrono::NaiveDate;
use cpts_domain::access::{AccessError, Principal};
use cpts_domain::command::AddressedCommand;
use cpts_domain::consultation::{last_day, within_period, ConsultationCommand};
use cpts_domain::ids::ConsultationId;
use cpts_domain::questionnaire::{self, ColumnMapping, ImportSource, RowReading, Skipped, Table};
use cpts_domain::texts::t_args;
use cpts_domain::values::{self, Lang, Rung};
use cpts_domain::DomainError;
use cpts_projections::{listing, queries};

use crate::errors::{from_access, from_ledger};
use crate::guard;
use crate::inputs::{parse_id, ContributionKind};
use crate::port::LedgerError;
use crate::views::{read_db, read_failed};

/// How many rows a preview shows, besides every wrong one.
const SAMPLE_ROWS: usize = 20;
/// How many wrong rows a preview lists at most.
const MOST_WRONG_ROWS: usize = 100;

/// The tool a questionnaire was exported from.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(remote = "cpts_domain::values::QuestionnaireFormat")]
pub enum QuestionnaireFormat {
    /// LimeSurvey's "Export responses", as CSV.
    Limesurvey,
    /// Framaforms' download of the results, as CSV.
    Framaforms,
    /// Any other table saved as CSV.
    Generic,
}

/// Which columns make each contribution.
#[derive(InputObject, SimpleObject, Debug, Clone)]
#[graphql(input_name = "ColumnMappingInput")]
pub struct ColumnMappingView {
    /// The columns whose answers make the text, in order (each answer preceded by its question
    /// when there are several).
    pub text_columns: Vec<String>,
    /// The column of dates; without it, every response takes `defaultDate`.
    pub date_column: Option<String>,
    /// The column of the respondent's commune.
    pub commune_column: Option<String>,
    /// The column of the questionnaire's own response number.
    pub response_column: Option<String>,
}

impl From<ColumnMapping> for ColumnMappingView {
    fn from(m: ColumnMapping) -> Self {
        Self {
            text_columns: m.text,
            date_column: m.date,
            commune_column: m.commune,
            response_column: m.response,
        }
    }
}

impl From<ColumnMappingView> for ColumnMapping {
    fn from(m: ColumnMappingView) -> Self {
        let given = |c: Option<String>| c.filter(|c| !c.trim().is_empty());
        Self {
            text: m.text_columns,
            date: given(m.date_column),
            commune: given(m.commune_column),
            response: given(m.response_column),
        }
    }
}

/// A questionnaire's CSV export, to preview or to import into a consultation.
#[derive(InputObject, Debug)]
pub struct QuestionnaireInput {
    /// The consultation the responses belong to.
    pub consultation_id: ID,
    /// The file's text (UTF-8).
    pub csv: String,
    /// The tool it was exported from.
    pub format: QuestionnaireFormat,
    /// Which columns make each contribution; the format's suggestion when absent.
    pub mapping: Option<ColumnMappingView>,
    /// The date of responses without one (no date column, or an empty cell).
    pub default_date: Option<NaiveDate>,
    /// What the responses are; opinions when absent.
    pub kind: Option<ContributionKind>,
}

/// What a row of the file gives.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
pub enum PreviewStatus {
    /// It will be recorded.
    New,
    /// An earlier import recorded it.
    AlreadyRecorded,
    /// None of the text columns holds an answer.
    NoAnswer,
    /// The questionnaire says it was never sent.
    NotSent,
    /// It cannot be recorded as it is: nothing is imported until it is corrected.
    Wrong,
}

/// One row of the preview.
#[derive(SimpleObject, Debug)]
pub struct PreviewRow {
    /// Its line in the file.
    pub line: i64,
    /// What it gives.
    pub status: PreviewStatus,
    /// The questionnaire's response number.
    pub response: Option<String>,
    /// Its date.
    pub submitted_on: Option<NaiveDate>,
    /// The respondent's commune.
    pub commune: Option<String>,
    /// The contribution's text.
    pub text: Option<String>,
    /// What is wrong, in French.
    pub error: Option<String>,
    /// What is wrong, in English.
    pub error_en: Option<String>,
}

/// What importing a file would record.
#[derive(SimpleObject, Debug)]
pub struct QuestionnairePreview {
    /// The SHA-256 of the file's text, as the import records it.
    pub file_sha256: String,
    /// The column headings.
    pub headers: Vec<String>,
    /// The line of the headings.
    pub header_line: i64,
    /// The mapping used: the one given, or the format's suggestion.
    pub mapping: ColumnMappingView,
    /// Rows below the headings.
    pub rows: i64,
    /// Rows that will be recorded.
    pub new: i64,
    /// Rows an earlier import recorded.
    pub already_recorded: i64,
    /// Rows without an answer, or never sent.
    pub skipped: i64,
    /// Rows that cannot be recorded as they are.
    pub wrong: i64,
    /// The first rows, then every wrong one (up to a hundred).
    pub sample: Vec<PreviewRow>,
}

/// What an import recorded.
#[derive(SimpleObject, Debug)]
pub struct QuestionnaireImport {
    /// The consultation.
    pub aggregate_id: ID,
    /// Contributions recorded now.
    pub recorded: i64,
    /// Responses an earlier import had recorded.
    pub already_recorded: i64,
    /// Rows without an answer, or never sent.
    pub skipped: i64,
    /// What was recorded, in French.
    pub summary: Vec<String>,
    /// What was recorded, in English.
    pub summary_en: Vec<String>,
}

/// A file read with its mapping: what both the preview and the import start from.
struct Reading {
    table: Table,
    mapping: ColumnMapping,
    rows: Vec<RowReading>,
}

fn refused(error: DomainError) -> async_graphql::Error {
    from_ledger(LedgerError::Domain(error))
}

fn read(input: &QuestionnaireInput) -> Result<Reading> {
    let table = Table::read(&input.csv).map_err(refused)?;
    let format = input.format.into();
    let mapping = match &input.mapping {
        Some(m) => ColumnMapping::from(m.clone()),
        None => table.suggested(format),
    };
    let rows = table
        .responses(format, &mapping, input.default_date)
        .map_err(refused)?;
    Ok(Reading {
        table,
        mapping,
        rows,
    })
}

/// What the preview and the import know of the consultation: its id and its period.
struct Window {
    id: ConsultationId,
    opens_on: NaiveDate,
    closes_on: NaiveDate,
    last_day: NaiveDate,
}

/// The consultation, if it is of the caller's CPTS and receives contributions.
async fn consultation_of(ctx: &Context<'_>, principal: &Principal, id: &ID) -> Result<Window> {
    let id = ConsultationId(parse_id("consultationId", id)?);
    // Every closing on the record counts, whatever its day: the latest date the read model's
    // dates (ISO text) compare with.
    let whatever_its_day = NaiveDate::from_ymd_opt(9999, 12, 31).unwrap_or(NaiveDate::MAX);
    let found = listing::consultations(
        read_db(ctx)?,
        &principal.community.to_string(),
        whatever_its_day,
    )
    .await
    .map_err(read_failed)?
    .into_iter()
    .find(|c| c.consultation_id == id.to_string())
    .ok_or_else(|| from_access(&AccessError::OutsideCommunity))?;
    if values::Rung::from_wire_name(&found.rung) == Some(Rung::Inform) {
        return Err(refused(DomainError::InformOnly));
    }
    let day = crate::decode::day;
    let closes_on = day(&found.closes_on)?;
    let closed_on = found.closed_on.as_deref().map(day).transpose()?;
    Ok(Window {
        id,
        opens_on: day(&found.opens_on)?,
        closes_on,
        last_day: last_day(closes_on, closed_on),
    })
}

/// What a row gives, for the preview and for the import alike: recorded already (when the ids
/// on the record are known), skipped, wrong (with why), or new.
fn classify(
    reading: &RowReading,
    window: &Window,
    source: impl Fn(&questionnaire::Response) -> ImportSource,
    recorded: &HashSet<String>,
) -> (PreviewStatus, Option<DomainError>) {
    match reading {
        RowReading::Response(r) => {
            let contribution = questionnaire::contribution_id(window.id, &source(r));
            if recorded.contains(&contribution.to_string()) {
                (PreviewStatus::AlreadyRecorded, None)
            } else if let Err(error) = within_period(
                r.submitted_on,
                window.opens_on,
                window.closes_on,
                window.last_day,
            ) {
                (PreviewStatus::Wrong, Some(error))
            } else {
                (PreviewStatus::New, None)
            }
        }
        RowReading::Skipped {
            why: Skipped::NoAnswer,
            ..
        } => (PreviewStatus::NoAnswer, None),
        RowReading::Skipped {
            why: Skipped::NotSent,
            ..
        } => (PreviewStatus::NotSent, None),
        RowReading::Wrong { error, .. } => (PreviewStatus::Wrong, Some(error.clone())),
    }
}

fn count(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// The coordinator's questionnaire queries.
#[derive(Debug, Default)]
pub struct QuestionnaireQuery;

#[Object]
impl QuestionnaireQuery {
    /// What importing a questionnaire's CSV export into a consultation would record, row by
    /// row, with the mapping the format suggests when none is given. Coordinators only.
    async fn questionnaire_preview(
        &self,
        ctx: &Context<'_>,
        input: QuestionnaireInput,
    ) -> Result<QuestionnairePreview> {
        let principal = guard::coordinator(ctx)?;
        let window = consultation_of(ctx, &principal, &input.consultation_id).await?;
        let Reading {
            table,
            mapping,
            rows,
        } = read(&input)?;
        let recorded = queries::contribution_ids(read_db(ctx)?, &window.id.to_string())
            .await
            .map_err(read_failed)?;
        let format = input.format.into();
        let source = |r: &questionnaire::Response| ImportSource {
            format,
            file_sha256: table.sha256.clone(),
            row: r.row,
            response: r.response.clone(),
        };
        let (mut new, mut already, mut skipped, mut wrong) = (0_usize, 0_usize, 0_usize, 0_usize);
        let mut sample = Vec::new();
        for (i, reading) in rows.into_iter().enumerate() {
            let (status, error) = classify(&reading, &window, source, &recorded);
            match status {
                PreviewStatus::New => new += 1,
                PreviewStatus::AlreadyRecorded => already += 1,
                PreviewStatus::NoAnswer | PreviewStatus::NotSent => skipped += 1,
                PreviewStatus::Wrong => wrong += 1,
            }
            let shown =
                i < SAMPLE_ROWS || (status == PreviewStatus::Wrong && wrong <= MOST_WRONG_ROWS);
            if !shown {
                continue;
            }
            let mut row = PreviewRow {
                line: i64::from(reading.row()),
                status,
                response: None,
                submitted_on: None,
                commune: None,
                text: None,
                error: error.as_ref().map(|e| e.message(Lang::Fr)),
                error_en: error.as_ref().map(|e| e.message(Lang::En)),
            };
            if let RowReading::Response(r) = reading {
                row.response = r.response;
                row.submitted_on = Some(r.submitted_on);
                row.commune = r.commune;
                row.text = Some(r.text);
            }
            sample.push(row);
        }
        Ok(QuestionnairePreview {
            file_sha256: table.sha256.clone(),
            headers: table.headers.clone(),
            header_line: i64::from(table.header_line()),
            mapping: mapping.into(),
            rows: count(table.len()),
            new: count(new),
            already_recorded: count(already),
            skipped: count(skipped),
            wrong: count(wrong),
            sample,
        })
    }
}

/// The coordinator's questionnaire import.
#[derive(Debug, Default)]
pub struct QuestionnaireMutation;

#[Object]
impl QuestionnaireMutation {
    /// Imports a questionnaire's CSV export into a consultation: each response becomes the
    /// contribution of an anonymous inhabitant, with its source (the file's SHA-256 and its
    /// row). A response recorded by an earlier import is not recorded again; if any row cannot
    /// be recorded, nothing is, and the error names the first. Coordinators only.
    async fn import_questionnaire(
        &self,
        ctx: &Context<'_>,
        input: QuestionnaireInput,
        command_id: Option<ID>,
    ) -> Result<QuestionnaireImport> {
        let principal = guard::coordinator(ctx)?;
        let window = consultation_of(ctx, &principal, &input.consultation_id).await?;
        let Reading { table, rows, .. } = read(&input)?;
        let format = input.format.into();
        let source = |r: &questionnaire::Response| ImportSource {
            format,
            file_sha256: table.sha256.clone(),
            row: r.row,
            response: r.response.clone(),
        };
        // Said before the command, with every wrong row counted as the preview counts them; the
        // consultation holds the responses to the same rules when it records them.
        let mut wrong = Vec::new();
        for reading in &rows {
            if let (_, Some(error)) = classify(reading, &window, source, &HashSet::new()) {
                wrong.push((reading.row(), error));
            }
        }
        if let Some((row, error)) = wrong.first() {
            return Err(refused(DomainError::ImportRefused {
                wrong: wrong.len(),
                row: *row,
                error: Box::new(error.clone()),
            }));
        }
        let mut responses = Vec::new();
        let mut skipped = 0;
        for reading in rows {
            match reading {
                RowReading::Response(r) => responses.push(r),
                RowReading::Skipped { .. } | RowReading::Wrong { .. } => skipped += 1,
            }
        }
        let offered = responses.len();
        let command = AddressedCommand::Consultation {
            id: window.id,
            command: ConsultationCommand::ImportQuestionnaire {
                format: input.format.into(),
                file_sha256: table.sha256.clone(),
                kind: input.kind.unwrap_or(ContributionKind::Opinion).into(),
                responses,
            },
        };
        let result = crate::types::execute(ctx, command, command_id).await?;
        let recorded = result.events.len();
        let already = offered.saturating_sub(recorded);
        let say = |lang| {
            t_args(
                lang,
                "api-questionnaire-imported",
                &[
                    ("recorded", recorded.into()),
                    ("already", already.into()),
                    ("skipped", skipped.into()),
                ],
            )
        };
        Ok(QuestionnaireImport {
            aggregate_id: result.aggregate_id,
            recorded: count(recorded),
            already_recorded: count(already),
            skipped: count(skipped),
            summary: vec![say(Lang::Fr)],
            summary_en: vec![say(Lang::En)],
        })
    }
}
