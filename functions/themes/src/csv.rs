//! The CSV exports of the themes reads, for readers who work in spreadsheets: the `?format=`
//! parameter (or `Accept: text/csv`), the two CSV variants, the attachment's filename, and the
//! tables themselves (matrix cells, the diff).
//!
//! - `csv`: RFC 4180 (`,`, CRLF, `"` quoting, UTF-8 without BOM): for programs.
//! - `csv-excel`: for Excel as Dutch (and most continental) installations open it by
//!   double-click: the list separator there is `;` (the decimal separator is `,`, and the
//!   texts are full of "95,5%"), and without a UTF-8 byte-order mark Excel reads the file as
//!   Windows-1252, so "ë" and "’" come out garbled. Same rows, CRLF and quoting otherwise.

use domain::themes::{Cell, EditionDiff, TariffRule};

use crate::editions::EditionSummary;
use edge::http::accepts;
use edge::routing::ApiRequest;
use edge::ApiError;
use serde::Deserialize;
use utoipa::ToSchema;

/// The representation a read is asked for with `?format=` (it overrides `Accept`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ExportFormat {
    /// JSON (the default).
    Json,
    /// RFC 4180 CSV: `,`, CRLF, UTF-8 without BOM.
    Csv,
    /// CSV for Excel: UTF-8 with byte-order mark and `;` as separator, as Dutch Excel expects.
    CsvExcel,
}

/// One of the two CSV variants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CsvVariant {
    Rfc4180,
    Excel,
}

impl CsvVariant {
    /// Both variants are UTF-8 CSV with a header row; only separator and BOM differ.
    pub fn content_type(self) -> &'static str {
        "text/csv; charset=utf-8"
    }

    fn delimiter(self) -> u8 {
        match self {
            CsvVariant::Rfc4180 => b',',
            CsvVariant::Excel => b';',
        }
    }
}

/// The media type in `Accept` that asks for (RFC 4180) CSV instead of JSON.
const CSV: &str = "text/csv";

/// What a read is to answer with, and the name of its attachment.
#[derive(Debug, Clone)]
pub struct Export {
    /// `None`: JSON.
    pub variant: Option<CsvVariant>,
    /// Chosen by `?format=` (the URL alone decides: no `Vary: Accept`).
    pub explicit: bool,
    /// The attachment's name without extension: what the read is, its edition and filters.
    pub stem: String,
}

impl Export {
    /// `?format=` when given, else CSV when `Accept` asks for `text/csv`, else JSON.
    /// `stem_parts` name the download (resource, edition, filters), joined with `-`.
    pub fn negotiate(r: &ApiRequest, format: Option<ExportFormat>, stem_parts: &[&str]) -> Self {
        let variant = match format {
            Some(ExportFormat::Json) => None,
            Some(ExportFormat::Csv) => Some(CsvVariant::Rfc4180),
            Some(ExportFormat::CsvExcel) => Some(CsvVariant::Excel),
            None if accepts(&r.req, CSV) => Some(CsvVariant::Rfc4180),
            None => None,
        };
        Export { variant, explicit: format.is_some(), stem: filename_stem(stem_parts) }
    }

    /// `attachment; filename="<stem>.csv"` (`<stem>-excel.csv` for the Excel variant).
    pub fn content_disposition(&self, variant: CsvVariant) -> String {
        let suffix = if variant == CsvVariant::Excel { "-excel" } else { "" };
        format!("attachment; filename=\"{}{suffix}.csv\"", self.stem)
    }
}

/// The parts joined by `-`, keeping only characters safe in a quoted filename on every system
/// (ids and slugs already are; anything else becomes `_`).
fn filename_stem(parts: &[&str]) -> String {
    parts
        .iter()
        .filter(|p| !p.is_empty())
        .map(|p| p.chars().map(|c| if c.is_ascii_alphanumeric() || c == '.' || c == '-' { c } else { '_' }).collect())
        .collect::<Vec<String>>()
        .join("-")
}

/// Writes a header and rows in a variant.
pub fn write_csv<R, I>(variant: CsvVariant, header: &[&str], rows: R) -> Result<String, ApiError>
where
    R: IntoIterator<Item = I>,
    I: IntoIterator<Item = String>,
{
    let fail = |e: csv::Error| ApiError::internal(format!("writing CSV: {e}"));
    let mut out = Vec::new();
    if variant == CsvVariant::Excel {
        out.extend_from_slice("\u{feff}".as_bytes());
    }
    let mut writer =
        csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).delimiter(variant.delimiter()).from_writer(out);
    writer.write_record(header).map_err(fail)?;
    for row in rows {
        writer.write_record(row.into_iter().collect::<Vec<_>>()).map_err(fail)?;
    }
    let bytes = writer.into_inner().map_err(|e| ApiError::internal(format!("writing CSV: {e}")))?;
    String::from_utf8(bytes).map_err(|e| ApiError::internal(format!("CSV is not UTF-8: {e}")))
}

/// One CSV row per point: edition, zorgkantoor, theme, point number, text.
pub fn cells_csv(variant: CsvVariant, edition: &str, cells: &[Cell]) -> Result<String, ApiError> {
    let rows = cells.iter().flat_map(|cell| {
        cell.points.iter().enumerate().map(move |(i, text)| {
            vec![
                edition.to_owned(),
                cell.zorgkantoor.as_str().to_owned(),
                cell.theme.as_str().to_owned(),
                (i + 1).to_string(),
                text.clone(),
            ]
        })
    });
    write_csv(variant, &["edition", "zorgkantoor", "theme", "point", "text"], rows)
}

/// The editions as CSV, one row per edition; the change summary as counts of cells.
pub fn editions_csv(variant: CsvVariant, editions: &[EditionSummary]) -> Result<String, ApiError> {
    let time = |t: Option<chrono::DateTime<chrono::Utc>>| {
        t.map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)).unwrap_or_default()
    };
    let rows = editions.iter().map(|e| {
        vec![
            e.edition.clone(),
            e.title.clone(),
            match e.status {
                domain::themes::EditionStatus::Draft => "draft".to_owned(),
                domain::themes::EditionStatus::Published => "published".to_owned(),
            },
            time(e.published_at),
            time(Some(e.updated_at)),
            e.latest.to_string(),
            e.changes.against.clone().unwrap_or_default(),
            e.changes.cells_added.len().to_string(),
            e.changes.cells_removed.len().to_string(),
            e.changes.cells_changed.len().to_string(),
            e.changes.tariff_rules_changed.to_string(),
        ]
    });
    let header = [
        "edition",
        "title",
        "status",
        "published_at",
        "updated_at",
        "latest",
        "against",
        "cells_added",
        "cells_removed",
        "cells_changed",
        "tariff_rules_changed",
    ];
    write_csv(variant, &header, rows)
}

/// The columns of the tariff rules' CSV after edition and zorgkantoor: every field any rule
/// kind has, empty where a rule's kind has none (one table for all kinds).
const RULE_FIELDS: [&str; 15] = [
    "kind",
    "condition",
    "percentage",
    "points",
    "below_points",
    "above_points",
    "max_percentage",
    "discretionary",
    "direction",
    "description",
    "applies_to",
    "source_theme",
    "source_point",
    "source_quote",
    "note",
];

/// Tariff rules as CSV, one row per rule.
pub fn rules_csv(variant: CsvVariant, edition: &str, rules: &[TariffRule]) -> Result<String, ApiError> {
    let mut rows = Vec::new();
    for rule in rules {
        let value = serde_json::to_value(rule).map_err(|e| ApiError::internal(format!("serialising a rule: {e}")))?;
        let text = |v: &serde_json::Value| match v {
            serde_json::Value::Null => String::new(),
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        let mut row = vec![edition.to_owned(), rule.zorgkantoor.as_str().to_owned()];
        for field in RULE_FIELDS {
            row.push(match field.strip_prefix("source_") {
                Some(part) => text(&value["source"][part]),
                None => text(&value[field]),
            });
        }
        rows.push(row);
    }
    let header: Vec<&str> = ["edition", "zorgkantoor"].into_iter().chain(RULE_FIELDS).collect();
    write_csv(variant, &header, rows)
}

/// The header of the diff's CSV.
pub const DIFF_HEADER: [&str; 12] = [
    "from",
    "to",
    "zorgkantoor",
    "theme",
    "subject",
    "change",
    "from_point",
    "to_point",
    "field",
    "before",
    "after",
    "kind",
];

/// A rule in words for a spreadsheet cell: its source quote.
fn rule_text(rule: &Option<TariffRule>) -> String {
    rule.as_ref().map(|r| r.source.quote.clone()).unwrap_or_default()
}

/// The diff as CSV: one row per point change (subject `point`, the texts before and after) and
/// per tariff-rule change, one row per number that moved (subject `tariff_rule`, `field` the
/// number's name; a rule whose numbers stayed, or that has none, gets one row with its quotes).
pub fn diff_csv(variant: CsvVariant, diff: &EditionDiff) -> Result<String, ApiError> {
    let mut rows: Vec<Vec<String>> = Vec::new();
    let num = |n: Option<usize>| n.map(|n| n.to_string()).unwrap_or_default();
    for cell in &diff.cells {
        for p in &cell.points {
            rows.push(vec![
                diff.from.clone(),
                diff.to.clone(),
                cell.zorgkantoor.as_str().into(),
                cell.theme.as_str().into(),
                "point".into(),
                p.change.as_str().into(),
                num(p.from_point),
                num(p.to_point),
                String::new(),
                p.before.clone().unwrap_or_default(),
                p.after.clone().unwrap_or_default(),
                String::new(),
            ]);
        }
    }
    for rule in &diff.tariff_rules {
        let source = rule.after.as_ref().or(rule.before.as_ref()).map(|r| r.source.clone());
        let theme = source.as_ref().map(|s| s.theme.as_str()).unwrap_or_default();
        let point = |r: &Option<TariffRule>| num(r.as_ref().map(|r| r.source.point));
        let base = |field: String, before: String, after: String| {
            vec![
                diff.from.clone(),
                diff.to.clone(),
                rule.zorgkantoor.as_str().into(),
                theme.into(),
                "tariff_rule".into(),
                rule.change.as_str().into(),
                point(&rule.before),
                point(&rule.after),
                field,
                before,
                after,
                rule.kind.clone(),
            ]
        };
        if rule.numbers.is_empty() {
            rows.push(base(String::new(), rule_text(&rule.before), rule_text(&rule.after)));
        }
        for n in &rule.numbers {
            rows.push(base(n.field.clone(), n.before.clone().unwrap_or_default(), n.after.clone().unwrap_or_default()));
        }
    }
    write_csv(variant, &DIFF_HEADER, rows)
}

#[cfg(test)]
mod tests {
    use domain::themes::{seed_edition, ThemeId, ZorgkantoorId};

    use super::*;
    use crate::matrix::ordered_cells;

    #[test]
    fn csv_quotes_fields_and_numbers_points() {
        let doc = seed_edition();
        let cells = ordered_cells(&doc, &[ThemeId::BekostigingEnTarieven], &[ZorgkantoorId::Cz]);
        let text = cells_csv(CsvVariant::Rfc4180, "2023-07", &cells).unwrap();
        let lines: Vec<_> = text.split("\r\n").collect();
        assert_eq!(lines[0], "edition,zorgkantoor,theme,point,text");
        // A text with a comma is quoted.
        assert_eq!(
            lines[3],
            "2023-07,cz,bekostiging-en-tarieven,3,\"Opslag voor gebruik van bewezen effectieve arbeidsbesparende technologie: +0,1%\""
        );
        assert_eq!(lines.len(), 1 + 5 + 1, "header, five points, trailing empty");
        let quoted =
            cells_csv(CsvVariant::Rfc4180, "e", &[Cell { points: vec!["say \"hi\"".into()], ..cells[0].clone() }])
                .unwrap();
        assert!(quoted.contains("\"say \"\"hi\"\"\""));
    }

    #[test]
    fn the_excel_variant_has_a_bom_and_semicolons() {
        let doc = seed_edition();
        let cells = ordered_cells(&doc, &[ThemeId::BekostigingEnTarieven], &[ZorgkantoorId::Cz]);
        let text = cells_csv(CsvVariant::Excel, "2023-07", &cells).unwrap();
        assert!(text.starts_with("\u{feff}edition;zorgkantoor;theme;point;text\r\n"));
        // A comma no longer needs quotes; a semicolon would.
        assert!(text.contains("\r\n2023-07;cz;bekostiging-en-tarieven;3;Opslag voor gebruik van bewezen effectieve arbeidsbesparende technologie: +0,1%\r\n"));
        let semi =
            cells_csv(CsvVariant::Excel, "e", &[Cell { points: vec!["a; b".into()], ..cells[0].clone() }]).unwrap();
        assert!(semi.contains(";\"a; b\"\r\n"));
    }

    #[test]
    fn filenames_keep_only_safe_characters() {
        assert_eq!(filename_stem(&["themes", "2023-07", "", "cz,dsw", "a\"b"]), "themes-2023-07-cz_dsw-a_b");
    }
}
