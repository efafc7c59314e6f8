//! CSV rendering of matrix cells (`Accept: text/csv`), for readers who work in spreadsheets:
//! one row per point.

use domain::themes::Cell;
use edge::ApiError;

/// One CSV row per point: edition, zorgkantoor, theme, point number, text (RFC 4180 quoting).
pub fn cells_csv(edition: &str, cells: &[Cell]) -> Result<String, ApiError> {
    let mut writer = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(Vec::new());
    let fail = |e: csv::Error| ApiError::internal(format!("writing CSV: {e}"));
    writer.write_record(["edition", "zorgkantoor", "theme", "point", "text"]).map_err(fail)?;
    for cell in cells {
        for (i, text) in cell.points.iter().enumerate() {
            let number = (i + 1).to_string();
            writer
                .write_record([edition, cell.zorgkantoor.as_str(), cell.theme.as_str(), number.as_str(), text.as_str()])
                .map_err(fail)?;
        }
    }
    let bytes = writer.into_inner().map_err(|e| ApiError::internal(format!("writing CSV: {e}")))?;
    String::from_utf8(bytes).map_err(|e| ApiError::internal(format!("CSV is not UTF-8: {e}")))
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
        let text = cells_csv("2023-07", &cells).unwrap();
        let lines: Vec<_> = text.split("\r\n").collect();
        assert_eq!(lines[0], "edition,zorgkantoor,theme,point,text");
        // A text with a comma is quoted.
        assert_eq!(
            lines[3],
            "2023-07,cz,bekostiging-en-tarieven,3,\"Opslag voor gebruik van bewezen effectieve arbeidsbesparende technologie: +0,1%\""
        );
        assert_eq!(lines.len(), 1 + 5 + 1, "header, five points, trailing empty");
        let quoted = cells_csv("e", &[Cell { points: vec!["say \"hi\"".into()], ..cells[0].clone() }]).unwrap();
        assert!(quoted.contains("\"say \"\"hi\"\"\""));
    }
}
