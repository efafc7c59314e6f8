//! What an edition changes against the one before it, cell by cell, and whether it may still
//! change: what a publisher reviews before publishing.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{Cell, EditionDocument, ThemeId, ZorgkantoorId};

/// A cell identified by its zorgkantoor and theme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
pub struct CellKey {
    pub zorgkantoor: ZorgkantoorId,
    pub theme: ThemeId,
}

/// Whether an edition can still change: a draft may be rewritten, a published edition never.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EditionStatus {
    Draft,
    Published,
}

/// What changed in an edition against the edition it was based on. A cell counts as present
/// when it has at least one point; a change in its text, confidence or note counts as changed.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
pub struct ChangeSummary {
    /// The edition compared against (`null`: the first edition, everything is added).
    pub against: Option<String>,
    pub cells_added: Vec<CellKey>,
    pub cells_removed: Vec<CellKey>,
    pub cells_changed: Vec<CellKey>,
    /// Whether the tariff rules differ.
    pub tariff_rules_changed: bool,
}

/// The change summary of `current` against `previous` (`None`: no previous edition).
pub fn change_summary(previous: Option<&EditionDocument>, current: &EditionDocument) -> ChangeSummary {
    let present = |doc: &EditionDocument| -> BTreeMap<CellKey, Cell> {
        doc.cells
            .iter()
            .filter(|c| !c.points.is_empty())
            .map(|c| (CellKey { zorgkantoor: c.zorgkantoor, theme: c.theme }, c.clone()))
            .collect()
    };
    let now = present(current);
    let before = previous.map(present).unwrap_or_default();
    let mut summary = ChangeSummary {
        against: previous.map(|p| p.edition.clone()),
        tariff_rules_changed: previous.is_none_or(|p| p.tariff_rules != current.tariff_rules),
        ..ChangeSummary::default()
    };
    for (key, cell) in &now {
        match before.get(key) {
            None => summary.cells_added.push(*key),
            Some(old) if old != cell => summary.cells_changed.push(*key),
            Some(_) => {}
        }
    }
    summary.cells_removed = before.keys().filter(|k| !now.contains_key(k)).copied().collect();
    summary
}
