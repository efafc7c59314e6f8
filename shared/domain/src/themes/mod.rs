//! The zorgkantoor contracting themes table as data: editions of the 7 x 7 matrix of cells with
//! their provenance, the typed tariff rules of the 'Bekostiging en tarieven' row, validation of a
//! draft edition, the change summary between two editions, and the Wlz tariff comparison.
//!
//! Everything here is pure; storage lives in `storage::themes`, HTTP in `functions/themes`.
//!
//! `validate` checks a draft edition, `tariff_rules` types the rules and `compare` prices them for
//! a provider profile, `changes` compares an edition with the one before; `seed` is the committed
//! edition. Every public item is re-exported here: `domain::themes::X` is the one path.

mod changes;
mod compare;
mod diff;
mod schema;
mod seed;
mod tariff_rules;
mod validate;

pub use changes::{change_summary, CellKey, ChangeSummary, EditionStatus};
pub use compare::{
    compare_tariffs, validate_comparison, AppliedRule, Determination, ProviderProfile, ZorgkantoorQuote,
};
pub use diff::{
    edition_diff, point_changes, word_similarity, CellDiff, Change, EditionDiff, NumberChange, PointChange, RuleChange,
    REWORD_THRESHOLD,
};
pub use seed::{example_edition, seed_edition, SEED_EDITION_JSON};
pub use tariff_rules::{Condition, Direction, RuleKind, SourceRef, Surcharge, TariffRule};
pub use validate::valid_edition_id;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::codes::UzoviCode;
use crate::money::ExactDecimal;

/// Longest text of one point, note, description or quote.
pub const MAX_TEXT_CHARS: usize = 2_000;
/// Most points one cell may list.
pub const MAX_POINTS_PER_CELL: usize = 60;
/// Most tariff rules one edition may carry.
pub const MAX_TARIFF_RULES: usize = 200;
/// Longest short label (title, names, source document, applies_to).
pub const MAX_LABEL_CHARS: usize = 300;

/// The seven themes (rows of the table), in the table's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ThemeId {
    Algemeen,
    Kwaliteit,
    /// Behandeling in de Wlz en organisatie van medisch generalistische zorg.
    BehandelingEnMgz,
    BekostigingEnTarieven,
    Duurzaamheid,
    Technologie,
    Overig,
}

impl ThemeId {
    pub const ALL: [ThemeId; 7] = [
        ThemeId::Algemeen,
        ThemeId::Kwaliteit,
        ThemeId::BehandelingEnMgz,
        ThemeId::BekostigingEnTarieven,
        ThemeId::Duurzaamheid,
        ThemeId::Technologie,
        ThemeId::Overig,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ThemeId::Algemeen => "algemeen",
            ThemeId::Kwaliteit => "kwaliteit",
            ThemeId::BehandelingEnMgz => "behandeling-en-mgz",
            ThemeId::BekostigingEnTarieven => "bekostiging-en-tarieven",
            ThemeId::Duurzaamheid => "duurzaamheid",
            ThemeId::Technologie => "technologie",
            ThemeId::Overig => "overig",
        }
    }

    pub fn parse(s: &str) -> Option<ThemeId> {
        ThemeId::ALL.into_iter().find(|t| t.as_str() == s)
    }
}

/// The seven zorgkantoren (columns of the table), in the table's order. Ids are slugs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ZorgkantoorId {
    ZilverenKruis,
    Vgz,
    Menzis,
    Cz,
    Salland,
    Dsw,
    ZorgEnZekerheid,
}

impl ZorgkantoorId {
    pub const ALL: [ZorgkantoorId; 7] = [
        ZorgkantoorId::ZilverenKruis,
        ZorgkantoorId::Vgz,
        ZorgkantoorId::Menzis,
        ZorgkantoorId::Cz,
        ZorgkantoorId::Salland,
        ZorgkantoorId::Dsw,
        ZorgkantoorId::ZorgEnZekerheid,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ZorgkantoorId::ZilverenKruis => "zilveren-kruis",
            ZorgkantoorId::Vgz => "vgz",
            ZorgkantoorId::Menzis => "menzis",
            ZorgkantoorId::Cz => "cz",
            ZorgkantoorId::Salland => "salland",
            ZorgkantoorId::Dsw => "dsw",
            ZorgkantoorId::ZorgEnZekerheid => "zorg-en-zekerheid",
        }
    }

    pub fn parse(s: &str) -> Option<ZorgkantoorId> {
        ZorgkantoorId::ALL.into_iter().find(|z| z.as_str() == s)
    }
}

/// How sure the transcription is of a cell's text and column assignment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Confidence {
    High,
    Medium,
    Low,
}

/// The period the table covers, in years.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
// Its own schema name: the proposals' `Period` (a year or dates) is another type.
#[schema(as = EditionPeriod, example = json!({"from": 2024, "to": 2026}))]
pub struct Period {
    pub from: u16,
    pub to: u16,
}

/// One step of the Wlz procurement process.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProcessStep {
    pub step: u8,
    pub title: String,
    pub text: String,
}

/// The national context around the table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NationalContext {
    pub zorgkantoor_regions: u16,
    pub insurers: u16,
    /// The national guide tariff (richttariefpercentage) for V&V, % of the NZa maximum tariff.
    #[schema(value_type = String, example = "95.5")]
    pub guide_tariff_percentage: ExactDecimal,
    pub guide_tariff_scope: String,
    pub sources: Vec<String>,
    pub procurement_process: Vec<ProcessStep>,
}

/// A theme (row) of the table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Theme {
    pub id: ThemeId,
    pub name: String,
}

/// A zorgkantoor (column) of the table, with the document its column was taken from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Zorgkantoor {
    pub id: ZorgkantoorId,
    pub name: String,
    /// The zorgkantoor's UZOVI code where the source document gives one (`null`: it does not;
    /// the 2024-2026 table names none, and a code is not guessed from the insurer's name).
    #[serde(default)]
    pub uzovi: Option<UzoviCode>,
    /// The title of the document the column was taken from, as the source names it.
    pub source_document: String,
    /// The document's address (`https://`), where the source gives it.
    #[serde(default)]
    #[schema(
        example = "https://www.cz-zorgkantoor.nl/zorgaanbieder/zorginkoop/downloads/downloads-sector-verpleging-en-verzorging"
    )]
    pub source_url: Option<String>,
}

/// One cell: a zorgkantoor's text on a theme, split into its points (empty: the cell is empty).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Cell {
    pub zorgkantoor: ZorgkantoorId,
    pub theme: ThemeId,
    pub points: Vec<String>,
    pub confidence: Confidence,
    /// Where the OCR left the text or column assignment ambiguous, and how it was decided.
    #[serde(default)]
    pub note: Option<String>,
}

/// An edition of the table: what a publisher writes and what the seed file holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!(example_edition()))]
pub struct EditionDocument {
    /// The edition's id, e.g. `2023-07`: lowercase letters, digits, '.', '-'.
    pub edition: String,
    pub title: String,
    pub period: Period,
    /// The date the data reflect (YYYY-MM-DD).
    pub as_of: chrono::NaiveDate,
    pub national_context: NationalContext,
    pub themes: Vec<Theme>,
    pub zorgkantoren: Vec<Zorgkantoor>,
    pub cells: Vec<Cell>,
    pub tariff_rules: Vec<TariffRule>,
}

impl EditionDocument {
    /// The cell of a zorgkantoor on a theme.
    pub fn cell(&self, zorgkantoor: ZorgkantoorId, theme: ThemeId) -> Option<&Cell> {
        self.cells.iter().find(|c| c.zorgkantoor == zorgkantoor && c.theme == theme)
    }

    pub fn zorgkantoor(&self, id: ZorgkantoorId) -> Option<&Zorgkantoor> {
        self.zorgkantoren.iter().find(|z| z.id == id)
    }

    /// The rules of one zorgkantoor, in the edition's order.
    pub fn rules_of(&self, id: ZorgkantoorId) -> impl Iterator<Item = &TariffRule> {
        self.tariff_rules.iter().filter(move |r| r.zorgkantoor == id)
    }
}

#[cfg(test)]
mod tests;
