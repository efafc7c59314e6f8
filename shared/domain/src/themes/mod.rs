//! The zorgkantoor contracting themes table as data: editions of the 7 x 7 matrix of cells with
//! their provenance, the typed tariff rules of the 'Bekostiging en tarieven' row, validation of a
//! draft edition, the change summary between two editions, and the Wlz tariff comparison.
//!
//! Everything here is pure; storage lives in `storage::themes`, HTTP in `functions/themes`.

use std::collections::{BTreeMap, BTreeSet};

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::DomainError;
use crate::money::{cents, ExactDecimal};
use crate::validation::Errors;

/// The committed seed edition (transcription of the 2024-2026 table, as of July 2023).
pub const SEED_EDITION_JSON: &str = include_str!("../../data/themes/seed-edition.json");

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
    pub source_document: String,
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

/// Where a tariff rule comes from: a point (1-based) of a cell and a verbatim quote of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SourceRef {
    pub theme: ThemeId,
    pub point: usize,
    pub quote: String,
}

/// A provider circumstance a tariff rule can depend on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Condition {
    NewProvider,
    EssentialFacility,
    ProvenLabourSavingTechnology,
    RegionalVvTableCommitment,
    MptGrowth,
    VptSpecificPlans,
    MptSpecificPlans,
    MovementsAndGoals,
    FreeProposal,
    EmployerSurcharge,
}

/// The other surcharges a provider profile can claim (beyond the three named flags).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Surcharge {
    /// Commitment to the regional V&V tables.
    RegionalVvTableCommitment,
    /// Surcharge on MPT to stimulate its growth.
    MptGrowth,
    /// VPT surcharge based on specific plans.
    VptSpecificPlans,
    /// MPT surcharge based on specific plans.
    MptSpecificPlans,
    /// Surcharge for movements and goals.
    MovementsAndGoals,
    /// A free proposal instead of a fixed surcharge.
    FreeProposal,
    /// Multi-year employer surcharge (werkgeversopslag).
    EmployerSurcharge,
}

impl From<Surcharge> for Condition {
    fn from(s: Surcharge) -> Condition {
        match s {
            Surcharge::RegionalVvTableCommitment => Condition::RegionalVvTableCommitment,
            Surcharge::MptGrowth => Condition::MptGrowth,
            Surcharge::VptSpecificPlans => Condition::VptSpecificPlans,
            Surcharge::MptSpecificPlans => Condition::MptSpecificPlans,
            Surcharge::MovementsAndGoals => Condition::MovementsAndGoals,
            Surcharge::FreeProposal => Condition::FreeProposal,
            Surcharge::EmployerSurcharge => Condition::EmployerSurcharge,
        }
    }
}

/// Which way a rule without a number moves the tariff.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Up,
    Down,
    /// No effect on the percentage (e.g. a budget rule).
    None,
}

/// What a tariff rule says. Percentages are % of the NZa maximum tariff; points are
/// percentage points.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum RuleKind {
    /// The guide percentage this zorgkantoor starts from.
    GuidePercentage {
        #[schema(value_type = String)]
        percentage: ExactDecimal,
    },
    /// New providers get the guide minus `points`.
    NewProviderReduction {
        #[schema(value_type = String)]
        points: ExactDecimal,
    },
    /// New providers get this percentage.
    NewProviderPercentage {
        #[schema(value_type = String)]
        percentage: ExactDecimal,
    },
    /// Providers meeting `condition` get this percentage instead of the guide.
    RolePercentage {
        condition: Condition,
        #[schema(value_type = String)]
        percentage: ExactDecimal,
    },
    /// Providers meeting `condition` get `points` on top; `discretionary`: possible, not certain.
    Surcharge {
        condition: Condition,
        #[schema(value_type = String)]
        points: ExactDecimal,
        discretionary: bool,
    },
    /// The agreed percentage may differ from the guide by up to these points either way.
    DifferentiationRange {
        #[schema(value_type = String)]
        below_points: ExactDecimal,
        #[schema(value_type = String)]
        above_points: ExactDecimal,
    },
    /// Existing providers: a monitor moves last year's percentage by up to these points.
    MonitorRange {
        #[schema(value_type = String)]
        below_points: ExactDecimal,
        #[schema(value_type = String)]
        above_points: ExactDecimal,
    },
    /// No percentage above this.
    Cap {
        #[schema(value_type = String)]
        max_percentage: ExactDecimal,
    },
    /// A rule the source gives no number for (condition `null`: it depends on things no
    /// profile states; reported as a caveat).
    Open {
        #[serde(default)]
        condition: Option<Condition>,
        direction: Direction,
        description: String,
    },
}

/// A typed tariff rule of one zorgkantoor, with a pointer back to the cell text it comes from.
/// Its OpenAPI schema is written below, not derived.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TariffRule {
    pub zorgkantoor: ZorgkantoorId,
    #[serde(flatten)]
    pub rule: RuleKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub applies_to: Option<String>,
    pub source: SourceRef,
    #[serde(default)]
    pub note: Option<String>,
}

/// The fields every tariff rule has besides its kind's; only its schema is used.
#[derive(ToSchema)]
#[allow(dead_code)]
struct TariffRuleFields {
    zorgkantoor: ZorgkantoorId,
    #[serde(default)]
    applies_to: Option<String>,
    source: SourceRef,
    #[serde(default)]
    note: Option<String>,
}

/// A tariff rule's schema is one object per rule kind, each with the common fields, rather
/// than the derived `allOf` of the kinds' `oneOf` with those fields: same JSON, but client
/// generators (openapi-python-client) cannot take an `allOf` of a `oneOf` and dropped every
/// schema and operation that holds a tariff rule.
impl utoipa::PartialSchema for TariffRule {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{OneOfBuilder, Schema};
        use utoipa::openapi::RefOr;
        let (RefOr::T(Schema::Object(common)), RefOr::T(Schema::OneOf(kinds))) =
            (<TariffRuleFields as utoipa::PartialSchema>::schema(), <RuleKind as utoipa::PartialSchema>::schema())
        else {
            unreachable!("derived schemas of a struct and an internally tagged enum");
        };
        let mut one_of = OneOfBuilder::new().description(Some(
            "A typed tariff rule of one zorgkantoor (`kind` says which), with a pointer back to the cell text it comes from.",
        ));
        for kind in kinds.items {
            let RefOr::T(Schema::Object(mut variant)) = kind else { unreachable!("rule kinds are objects") };
            let own = std::mem::take(&mut variant.properties);
            let mut common_properties = common.properties.clone();
            if let Some(zorgkantoor) = common_properties.shift_remove("zorgkantoor") {
                variant.properties.insert("zorgkantoor".to_owned(), zorgkantoor);
            }
            variant.properties.extend(own);
            variant.properties.extend(common_properties);
            variant.required.extend(common.required.iter().cloned());
            one_of = one_of.item(Schema::Object(variant));
        }
        one_of.into()
    }
}

impl ToSchema for TariffRule {
    fn schemas(schemas: &mut Vec<(String, utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>)>) {
        <TariffRuleFields as ToSchema>::schemas(schemas);
        <RuleKind as ToSchema>::schemas(schemas);
    }
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

/// Whether an edition id is well formed.
pub fn valid_edition_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 40
        && id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-')
        && id.as_bytes()[0].is_ascii_alphanumeric()
}

impl EditionDocument {
    /// Validates a draft: the 7 themes, known and unique zorgkantoren, unique cells of listed
    /// zorgkantoren, bounded texts, and tariff rules whose quote is in the cell point they name.
    pub fn validate(&self) -> Result<(), DomainError> {
        let mut c = Errors::new();
        if !valid_edition_id(&self.edition) {
            c.push(
                "/edition",
                "1-40 characters: lowercase letters, digits, '.' and '-', starting with a letter or digit",
            );
        }
        c.text("/title", &self.title, MAX_LABEL_CHARS);
        if self.period.from > self.period.to {
            c.push("/period", "from must not be after to");
        }
        let ctx = &self.national_context;
        if ctx.guide_tariff_percentage.value() <= Decimal::ZERO
            || ctx.guide_tariff_percentage.value() > Decimal::ONE_HUNDRED
        {
            c.push("/national_context/guide_tariff_percentage", "must be above 0 and at most 100");
        }
        c.text("/national_context/guide_tariff_scope", &ctx.guide_tariff_scope, MAX_TEXT_CHARS);
        if ctx.sources.len() > 50 {
            c.push("/national_context/sources", "at most 50 sources");
        }
        for (i, s) in ctx.sources.iter().enumerate() {
            c.text(format!("/national_context/sources/{i}"), s, MAX_LABEL_CHARS);
        }
        if ctx.procurement_process.len() > 50 {
            c.push("/national_context/procurement_process", "at most 50 steps");
        }
        for (i, s) in ctx.procurement_process.iter().enumerate() {
            c.text(format!("/national_context/procurement_process/{i}/title"), &s.title, MAX_LABEL_CHARS);
            c.text(format!("/national_context/procurement_process/{i}/text"), &s.text, MAX_TEXT_CHARS);
        }
        // The 7 themes, each once, in the table's order.
        let ids: Vec<ThemeId> = self.themes.iter().map(|t| t.id).collect();
        if ids != ThemeId::ALL {
            c.push("/themes", "must list the 7 themes once each, in order: algemeen, kwaliteit, behandeling-en-mgz, bekostiging-en-tarieven, duurzaamheid, technologie, overig");
        }
        for (i, t) in self.themes.iter().enumerate() {
            c.text(format!("/themes/{i}/name"), &t.name, MAX_LABEL_CHARS);
        }
        let mut listed = BTreeSet::new();
        if self.zorgkantoren.is_empty() {
            c.push("/zorgkantoren", "must list at least one zorgkantoor");
        }
        for (i, z) in self.zorgkantoren.iter().enumerate() {
            if !listed.insert(z.id) {
                c.push(format!("/zorgkantoren/{i}/id"), "listed twice");
            }
            c.text(format!("/zorgkantoren/{i}/name"), &z.name, MAX_LABEL_CHARS);
            c.text(format!("/zorgkantoren/{i}/source_document"), &z.source_document, MAX_LABEL_CHARS);
        }
        let mut seen = BTreeMap::new();
        if self.cells.len() > 49 {
            c.push("/cells", "at most 49 cells (7 zorgkantoren x 7 themes)");
        }
        for (i, cell) in self.cells.iter().enumerate() {
            if !listed.contains(&cell.zorgkantoor) {
                c.push(format!("/cells/{i}/zorgkantoor"), "not listed in /zorgkantoren");
            }
            if seen.insert((cell.zorgkantoor, cell.theme), i).is_some() {
                c.push(format!("/cells/{i}"), "a second cell for this zorgkantoor and theme");
            }
            if cell.points.len() > MAX_POINTS_PER_CELL {
                c.push(format!("/cells/{i}/points"), format!("at most {MAX_POINTS_PER_CELL} points"));
            }
            for (j, p) in cell.points.iter().enumerate() {
                c.text(format!("/cells/{i}/points/{j}"), p, MAX_TEXT_CHARS);
            }
            if let Some(note) = &cell.note {
                c.text(format!("/cells/{i}/note"), note, MAX_TEXT_CHARS);
            }
        }
        if self.tariff_rules.len() > MAX_TARIFF_RULES {
            c.push("/tariff_rules", format!("at most {MAX_TARIFF_RULES} rules"));
        }
        for (i, rule) in self.tariff_rules.iter().enumerate() {
            let at = format!("/tariff_rules/{i}");
            if !listed.contains(&rule.zorgkantoor) {
                c.push(format!("{at}/zorgkantoor"), "not listed in /zorgkantoren");
            }
            match seen.get(&(rule.zorgkantoor, rule.source.theme)).map(|&k| &self.cells[k]) {
                None => c.push(format!("{at}/source/theme"), "this zorgkantoor has no cell for the theme"),
                Some(cell) => match rule.source.point.checked_sub(1).and_then(|k| cell.points.get(k)) {
                    None => c.push(format!("{at}/source/point"), "no such point (1-based) in the cell"),
                    Some(text) if !text.contains(&rule.source.quote) => {
                        c.push(format!("{at}/source/quote"), "must be a verbatim part of the point's text")
                    }
                    Some(_) => {}
                },
            }
            c.text(format!("{at}/source/quote"), &rule.source.quote, MAX_TEXT_CHARS);
            if let Some(note) = &rule.note {
                c.text(format!("{at}/note"), note, MAX_TEXT_CHARS);
            }
            if let Some(applies) = &rule.applies_to {
                c.text(format!("{at}/applies_to"), applies, MAX_LABEL_CHARS);
            }
            rule_numbers(&mut c, &at, &rule.rule);
        }
        c.finish()
    }

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

fn rule_numbers(c: &mut Errors, at: &str, rule: &RuleKind) {
    let pct = |c: &mut Errors, name: &str, v: ExactDecimal| {
        if v.value() <= Decimal::ZERO || v.value() > Decimal::ONE_HUNDRED {
            c.push(format!("{at}/{name}"), "a percentage above 0 and at most 100");
        }
    };
    let pts = |c: &mut Errors, name: &str, v: ExactDecimal| {
        if v.value() < Decimal::ZERO || v.value() > Decimal::ONE_HUNDRED {
            c.push(format!("{at}/{name}"), "percentage points between 0 and 100 (the kind gives the sign)");
        }
    };
    match rule {
        RuleKind::GuidePercentage { percentage }
        | RuleKind::NewProviderPercentage { percentage }
        | RuleKind::RolePercentage { percentage, .. } => pct(c, "percentage", *percentage),
        RuleKind::Cap { max_percentage } => pct(c, "max_percentage", *max_percentage),
        RuleKind::NewProviderReduction { points } | RuleKind::Surcharge { points, .. } => pts(c, "points", *points),
        RuleKind::DifferentiationRange { below_points, above_points }
        | RuleKind::MonitorRange { below_points, above_points } => {
            pts(c, "below_points", *below_points);
            pts(c, "above_points", *above_points);
        }
        RuleKind::Open { description, .. } => c.text(format!("{at}/description"), description, MAX_TEXT_CHARS),
    }
}

// ---------------------------------------------------------------------------------------------
// Change summary

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

// ---------------------------------------------------------------------------------------------
// Wlz tariff comparison

/// A provider's profile for the comparison.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProviderProfile {
    /// A provider without a contract with the zorgkantoor so far.
    #[serde(default)]
    pub new_provider: bool,
    /// The provider has a role in essential facilities (coordination, acute care, ANW, treatment).
    #[serde(default)]
    pub essential_facility: bool,
    /// The provider uses proven labour-saving technology.
    #[serde(default)]
    pub proven_labour_saving_technology: bool,
    /// Other surcharges the provider qualifies for.
    #[serde(default)]
    pub surcharges: Vec<Surcharge>,
    /// The provider's tariff percentage of the previous year (2023), which a monitor rule
    /// moves; without it such a rule's outcome stays open.
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "95.5")]
    pub previous_percentage: Option<ExactDecimal>,
}

impl ProviderProfile {
    fn meets(&self, condition: Condition) -> bool {
        match condition {
            Condition::NewProvider => self.new_provider,
            Condition::EssentialFacility => self.essential_facility,
            Condition::ProvenLabourSavingTechnology => self.proven_labour_saving_technology,
            other => self.surcharges.iter().any(|s| Condition::from(*s) == other),
        }
    }
}

/// Whether the rules fix one percentage, a range, or leave (one end of) it open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Determination {
    Exact,
    Range,
    Open,
}

/// A rule that shaped a quote, with its effect and its source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AppliedRule {
    pub kind: String,
    /// What the rule did here, in plain words.
    pub effect: String,
    pub source: SourceRef,
    /// The confidence of the cell the rule comes from.
    pub confidence: Confidence,
}

/// One zorgkantoor's answer for a profile: a percentage (exact) or bounds (range / open; a
/// missing bound is one the source leaves open), and the amounts on the NZa tariff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ZorgkantoorQuote {
    pub zorgkantoor: ZorgkantoorId,
    pub name: String,
    pub determination: Determination,
    #[schema(value_type = Option<String>)]
    pub percentage: Option<Decimal>,
    #[schema(value_type = Option<String>)]
    pub amount: Option<Decimal>,
    #[schema(value_type = Option<String>)]
    pub min_percentage: Option<Decimal>,
    #[schema(value_type = Option<String>)]
    pub max_percentage: Option<Decimal>,
    #[schema(value_type = Option<String>)]
    pub min_amount: Option<Decimal>,
    #[schema(value_type = Option<String>)]
    pub max_amount: Option<Decimal>,
    pub applied_rules: Vec<AppliedRule>,
    /// Rules without a number that apply, or may apply, to this profile.
    pub caveats: Vec<AppliedRule>,
}

/// Bounds of a percentage while rules are applied; `None` is an open bound.
#[derive(Debug, Clone, Copy)]
struct Bounds {
    min: Option<Decimal>,
    max: Option<Decimal>,
}

impl Bounds {
    fn exact(v: Decimal) -> Self {
        Bounds { min: Some(v), max: Some(v) }
    }
    fn shift(self, below: Decimal, above: Decimal) -> Self {
        Bounds { min: self.min.map(|m| m - below), max: self.max.map(|m| m + above) }
    }
}

fn pct(d: Decimal) -> String {
    format!("{}%", d.normalize())
}

/// The tariff each zorgkantoor's rules give a provider with `profile`, on `nza_max_tariff`
/// (the NZa maximum tariff amount), side by side in the edition's column order.
pub fn compare_tariffs(
    doc: &EditionDocument,
    profile: &ProviderProfile,
    nza_max_tariff: Decimal,
) -> Vec<ZorgkantoorQuote> {
    doc.zorgkantoren.iter().map(|z| quote_for(doc, z, profile, nza_max_tariff)).collect()
}

fn quote_for(doc: &EditionDocument, z: &Zorgkantoor, profile: &ProviderProfile, tariff: Decimal) -> ZorgkantoorQuote {
    let confidence = |rule: &TariffRule| {
        doc.cell(rule.zorgkantoor, rule.source.theme).map(|c| c.confidence).unwrap_or(Confidence::Low)
    };
    let mut applied = Vec::new();
    let mut caveats = Vec::new();
    let note = |list: &mut Vec<AppliedRule>, rule: &TariffRule, kind: &str, effect: String| {
        list.push(AppliedRule { kind: kind.into(), effect, source: rule.source.clone(), confidence: confidence(rule) })
    };
    let rules: Vec<&TariffRule> = doc.rules_of(z.id).collect();

    // 1. The starting percentage: a role percentage, else the zorgkantoor's guide, else the
    //    national guide.
    let guide = rules.iter().find_map(|r| match &r.rule {
        RuleKind::GuidePercentage { percentage } => Some((*r, percentage.value())),
        _ => None,
    });
    let mut bounds = match guide {
        Some((rule, p)) => {
            note(&mut applied, rule, "guide_percentage", format!("starts from the guide percentage {}", pct(p)));
            Bounds::exact(p)
        }
        None => Bounds::exact(doc.national_context.guide_tariff_percentage.value()),
    };
    for rule in &rules {
        if let RuleKind::RolePercentage { condition, percentage } = &rule.rule {
            if profile.meets(*condition) {
                bounds = Bounds::exact(percentage.value());
                note(&mut applied, rule, "role_percentage", format!("{} for this role", pct(percentage.value())));
            }
        }
    }

    // 2. New providers, or the monitor for existing ones.
    if profile.new_provider {
        let fixed = rules.iter().find_map(|r| match &r.rule {
            RuleKind::NewProviderPercentage { percentage } => Some((*r, percentage.value())),
            _ => None,
        });
        let reduction = rules.iter().find_map(|r| match &r.rule {
            RuleKind::NewProviderReduction { points } => Some((*r, points.value())),
            _ => None,
        });
        if let Some((rule, p)) = fixed {
            bounds = Bounds::exact(p);
            note(&mut applied, rule, "new_provider_percentage", format!("new providers get {}", pct(p)));
        } else if let Some((rule, points)) = reduction {
            bounds = bounds.shift(points, -points);
            note(
                &mut applied,
                rule,
                "new_provider_reduction",
                format!("new providers: {} points lower", points.normalize()),
            );
        }
    } else {
        for rule in &rules {
            if let RuleKind::MonitorRange { below_points, above_points } = &rule.rule {
                match profile.previous_percentage {
                    Some(prev) => {
                        bounds = Bounds::exact(prev.value()).shift(below_points.value(), above_points.value());
                        note(
                            &mut applied,
                            rule,
                            "monitor_range",
                            format!(
                                "the monitor moves the previous {} by -{} to +{} points",
                                pct(prev.value()),
                                below_points.value().normalize(),
                                above_points.value().normalize()
                            ),
                        );
                    }
                    None => {
                        bounds = Bounds { min: None, max: None };
                        note(
                            &mut caveats,
                            rule,
                            "monitor_range",
                            "the monitor moves the provider's previous percentage; send previous_percentage to get the range".into(),
                        );
                    }
                }
            }
        }
    }

    // 3. Differentiation ranges and surcharges.
    for rule in &rules {
        match &rule.rule {
            RuleKind::DifferentiationRange { below_points, above_points } => {
                bounds = bounds.shift(below_points.value(), above_points.value());
                note(
                    &mut applied,
                    rule,
                    "differentiation_range",
                    format!(
                        "differentiation by -{} to +{} points",
                        below_points.value().normalize(),
                        above_points.value().normalize()
                    ),
                );
            }
            RuleKind::Surcharge { condition, points, discretionary } if profile.meets(*condition) => {
                let p = points.value();
                if *discretionary {
                    bounds = bounds.shift(Decimal::ZERO, p);
                    note(
                        &mut applied,
                        rule,
                        "surcharge",
                        format!("a possible surcharge of up to {} points", p.normalize()),
                    );
                } else {
                    bounds = bounds.shift(-p, p);
                    note(&mut applied, rule, "surcharge", format!("a surcharge of {} points", p.normalize()));
                }
            }
            _ => {}
        }
    }

    // 4. Rules without numbers: they open a bound (or are only reported).
    for rule in &rules {
        if let RuleKind::Open { condition, direction, description } = &rule.rule {
            match condition {
                Some(cond) if profile.meets(*cond) => {
                    // A stated new-provider percentage or reduction makes a vaguer rule moot.
                    let superseded = *cond == Condition::NewProvider
                        && rules.iter().any(|r| {
                            matches!(
                                r.rule,
                                RuleKind::NewProviderPercentage { .. } | RuleKind::NewProviderReduction { .. }
                            )
                        });
                    if superseded {
                        continue;
                    }
                    match direction {
                        Direction::Up => bounds.max = None,
                        Direction::Down => bounds.min = None,
                        Direction::None => {}
                    }
                    note(&mut caveats, rule, "open", description.clone());
                }
                Some(_) => {}
                None => note(&mut caveats, rule, "open", description.clone()),
            }
        }
    }

    // 5. Caps.
    for rule in &rules {
        if let RuleKind::Cap { max_percentage } = &rule.rule {
            let cap = max_percentage.value();
            let capped = bounds.max.is_none_or(|m| m > cap) || bounds.min.is_some_and(|m| m > cap);
            bounds.max = Some(bounds.max.map_or(cap, |m| m.min(cap)));
            bounds.min = bounds.min.map(|m| m.min(cap));
            if capped {
                note(&mut applied, rule, "cap", format!("capped at {}", pct(cap)));
            }
        }
    }

    let amount = |p: Decimal| cents(tariff * p / Decimal::ONE_HUNDRED);
    let determination = match (bounds.min, bounds.max) {
        (Some(a), Some(b)) if a == b => Determination::Exact,
        (Some(_), Some(_)) => Determination::Range,
        _ => Determination::Open,
    };
    let exact = (determination == Determination::Exact).then(|| bounds.min.unwrap_or_default());
    ZorgkantoorQuote {
        zorgkantoor: z.id,
        name: z.name.clone(),
        determination,
        percentage: exact.map(|p| p.normalize()),
        amount: exact.map(amount),
        min_percentage: bounds.min.map(|p| p.normalize()),
        max_percentage: bounds.max.map(|p| p.normalize()),
        min_amount: bounds.min.map(amount),
        max_amount: bounds.max.map(amount),
        applied_rules: applied,
        caveats,
    }
}

#[cfg(test)]
mod tests;
