//! The committed seed edition: the table every environment starts from, and the source of the
//! OpenAPI example edition.

use super::EditionDocument;

/// The committed seed edition (transcription of the 2024-2026 table, as of July 2023).
pub const SEED_EDITION_JSON: &str = include_str!("../../data/themes/seed-edition.json");

/// A small but valid edition document (the OpenAPI request example).
pub fn example_edition() -> serde_json::Value {
    let mut doc: serde_json::Value = serde_json::from_str(SEED_EDITION_JSON).expect("the seed edition is JSON");
    doc["edition"] = "2024-01".into();
    doc["zorgkantoren"] = serde_json::json!([doc["zorgkantoren"][3].clone()]);
    let cells: Vec<_> = doc["cells"].as_array().unwrap().iter().filter(|c| c["zorgkantoor"] == "cz").cloned().collect();
    doc["cells"] = cells.into();
    let rules: Vec<_> =
        doc["tariff_rules"].as_array().unwrap().iter().filter(|r| r["zorgkantoor"] == "cz").cloned().collect();
    doc["tariff_rules"] = rules.into();
    doc["national_context"]["procurement_process"] = serde_json::json!([]);
    doc
}

/// The seed edition, parsed.
pub fn seed_edition() -> EditionDocument {
    serde_json::from_str(SEED_EDITION_JSON).expect("the committed seed edition parses (unit tested)")
}
