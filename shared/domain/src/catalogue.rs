//! The NZa prestatie catalogue per contract year: which integral birth-care prestaties exist in
//! a year, their Dutch names and units, which were removed (and from when), and which attention
//! points apply. Reviewed data with its provenance (`data/prestaties/catalogue.json`,
//! `data/prestaties/PROVENANCE.md`), not `match` arms: proposals and quotes validate their
//! lines against the catalogue of their period's year, and `GET /v1/prestaties?year=...`
//! serves it.

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::prestatie::{Prestatie, Unit};

/// The committed catalogue, as reviewed.
pub const CATALOGUE_JSON: &str = include_str!("../data/prestaties/catalogue.json");

/// Every NZa regulation the catalogue knows, oldest first; their years do not overlap.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalogue {
    pub regulations: Vec<Regulation>,
}

/// One NZa regulation (beleidsregel) and what it sets for the years it is valid in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Regulation {
    /// Short id: `experiment` or `regular`.
    pub id: String,
    pub regulation: String,
    pub title: String,
    pub first_year: i32,
    /// Open-ended when absent.
    pub last_year: Option<i32>,
    pub sources: Vec<Source>,
    pub prestaties: Vec<CatalogueEntry>,
    #[serde(default)]
    pub removed: Vec<RemovedPrestatie>,
    pub attention_points: Vec<AttentionPointRule>,
}

/// Where a regulation's content was checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Source {
    pub title: String,
    #[schema(example = "https://puc.overheid.nl/nza/doc/PUC_642858_22/")]
    pub url: String,
}

/// An integral prestatie of the year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CatalogueEntry {
    /// The API's value for the prestatie (in lines, shares, care shifts and quotes).
    pub prestatie: Prestatie,
    /// The NZa's Dutch name.
    pub name: String,
    /// `client` (per client per phase) or `hour` (kraamzorg).
    pub unit: Unit,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A prestatie an earlier regulation had and this one no longer has.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RemovedPrestatie {
    pub prestatie: Prestatie,
    pub name: String,
    /// The prestatie its care falls under now, if one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replaced_by: Option<Prestatie>,
    pub note: String,
}

/// An attention point of a proposal (`attention_points.<field>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AttentionPointField {
    ClientScope,
    BundleBreakers,
    ExpensiveMedicines,
    CaseMix,
    Notes,
}

/// Whether an attention point applies under the regulation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AttentionPointRule {
    pub field: AttentionPointField,
    /// False: a proposal of this year under the integral route may not send it (422).
    pub applies: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// The regulation of one year, as `GET /v1/prestaties?year=...` serves it.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[schema(example = json!(YearCatalogue::example()))]
pub struct YearCatalogue {
    /// The contract year asked for.
    pub year: i32,
    /// The regulation's id in this catalogue: `experiment` (2017-2022) or `regular` (from 2023).
    pub regulation_id: String,
    /// The NZa regulation's number or name, e.g. `BR/REG-22100`.
    pub regulation: String,
    pub title: String,
    pub valid_from: i32,
    /// The regulation's last year; absent while open-ended.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub valid_until: Option<i32>,
    pub sources: Vec<Source>,
    /// The integral prestaties of the year.
    pub prestaties: Vec<CatalogueEntry>,
    /// Prestaties of earlier years that this year no longer has; a line with one is a 422.
    pub removed: Vec<RemovedPrestatie>,
    pub attention_points: Vec<AttentionPointRule>,
}

impl YearCatalogue {
    /// The example of the spec: the current contract year.
    pub fn example() -> YearCatalogue {
        catalogue().for_year(2026).expect("2026 is in the catalogue (unit tested)")
    }
}

/// The committed catalogue, parsed once.
pub fn catalogue() -> &'static Catalogue {
    static CATALOGUE: OnceLock<Catalogue> = OnceLock::new();
    CATALOGUE
        .get_or_init(|| serde_json::from_str(CATALOGUE_JSON).expect("the committed catalogue parses (unit tested)"))
}

impl Catalogue {
    /// The regulation valid in `year`, if any.
    pub fn regulation(&self, year: i32) -> Option<&Regulation> {
        self.regulations.iter().find(|r| r.first_year <= year && r.last_year.is_none_or(|last| year <= last))
    }

    /// The catalogue of `year`, if a regulation covers it.
    pub fn for_year(&self, year: i32) -> Option<YearCatalogue> {
        let r = self.regulation(year)?;
        Some(YearCatalogue {
            year,
            regulation_id: r.id.clone(),
            regulation: r.regulation.clone(),
            title: r.title.clone(),
            valid_from: r.first_year,
            valid_until: r.last_year,
            sources: r.sources.clone(),
            prestaties: r.prestaties.clone(),
            removed: r.removed.clone(),
            attention_points: r.attention_points.clone(),
        })
    }

    /// The first year any regulation covers.
    pub fn first_year(&self) -> i32 {
        self.regulations.iter().map(|r| r.first_year).min().unwrap_or_default()
    }

    /// Why there are no integral prestaties in `year` (for a 422 at the period).
    pub fn no_regulation(&self, year: i32) -> String {
        format!(
            "there are no NZa integral birth-care prestaties for {year}: the catalogue starts in {} (see GET /v1/prestaties)",
            self.first_year()
        )
    }

    /// The consistency rules of the data: years in order without overlap, each regulation
    /// with a source, every prestatie once, every attention point once.
    pub fn check(&self) -> Result<(), String> {
        let mut previous_last: Option<i32> = None;
        for (i, r) in self.regulations.iter().enumerate() {
            if let Some(last) = r.last_year {
                if last < r.first_year {
                    return Err(format!("{}: last_year before first_year", r.id));
                }
            } else if i + 1 != self.regulations.len() {
                return Err(format!("{}: only the last regulation may be open-ended", r.id));
            }
            if let Some(prev) = previous_last {
                if r.first_year != prev + 1 {
                    return Err(format!("{}: must start the year after the previous regulation", r.id));
                }
            }
            previous_last = r.last_year;
            if r.sources.is_empty() {
                return Err(format!("{}: no source", r.id));
            }
            let mut seen = std::collections::HashSet::new();
            for p in r.prestaties.iter().map(|e| e.prestatie).chain(r.removed.iter().map(|e| e.prestatie)) {
                if !seen.insert(p) {
                    return Err(format!("{}: {p:?} listed twice", r.id));
                }
            }
            let mut fields = std::collections::HashSet::new();
            for rule in &r.attention_points {
                if !fields.insert(rule.field) {
                    return Err(format!("{}: attention point {:?} listed twice", r.id, rule.field));
                }
            }
        }
        Ok(())
    }
}

impl Regulation {
    pub fn entry(&self, prestatie: Prestatie) -> Option<&CatalogueEntry> {
        self.prestaties.iter().find(|e| e.prestatie == prestatie)
    }

    /// Whether an attention point applies (one the data does not name applies).
    pub fn applies(&self, field: AttentionPointField) -> bool {
        self.attention_points.iter().find(|r| r.field == field).is_none_or(|r| r.applies)
    }

    /// Why `prestatie` may not be claimed in `year` under this regulation, or `None` when it may.
    pub fn refusal(&self, year: i32, prestatie: Prestatie) -> Option<String> {
        if self.entry(prestatie).is_some() {
            return None;
        }
        let code = code(prestatie);
        Some(match self.removed.iter().find(|r| r.prestatie == prestatie) {
            Some(removed) => format!(
                "{code} ({}) is not an integral prestatie in {year}: removed from {} ({}); {} (see GET /v1/prestaties?year={year})",
                removed.name, self.first_year, self.regulation, removed.note
            ),
            None => format!("{code} is not an integral prestatie in {year} (see GET /v1/prestaties?year={year})"),
        })
    }

    /// Why an attention point may not be sent in `year`, or `None` when it may.
    pub fn attention_point_refusal(&self, year: i32, field: AttentionPointField) -> Option<String> {
        let rule = self.attention_points.iter().find(|r| r.field == field)?;
        (!rule.applies).then(|| {
            format!(
                "does not apply in {year} (from {}, {}): {}; leave it out",
                self.first_year,
                self.regulation,
                rule.note.as_deref().unwrap_or("not part of the regulation")
            )
        })
    }
}

/// The API value of a prestatie (`geboortezorg_prenataal`).
pub fn code(prestatie: Prestatie) -> String {
    serde_json::to_value(prestatie).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

/// Any catalogue entry of `prestatie` (current or removed): its name and unit do not change
/// between years.
pub(crate) fn describe(prestatie: Prestatie) -> (&'static str, Unit) {
    let c = catalogue();
    c.regulations
        .iter()
        .flat_map(|r| r.prestaties.iter())
        .find(|e| e.prestatie == prestatie)
        .map(|e| (e.name.as_str(), e.unit))
        .expect("every prestatie is in some year's catalogue (unit tested)")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_committed_catalogue_parses_and_is_consistent() {
        let c: Catalogue = serde_json::from_str(CATALOGUE_JSON).unwrap();
        c.check().unwrap();
    }

    #[test]
    fn nine_prestaties_up_to_2022_each_with_its_source() {
        for year in [2017, 2021, 2022] {
            let r = catalogue().regulation(year).unwrap();
            assert_eq!(r.prestaties.len(), 9, "{year}");
            assert_eq!(r.regulation, "BR/REG-22100");
            assert!(r.sources.iter().any(|s| s.url.contains("PUC_642858_22")), "{year}");
            assert!(r.entry(Prestatie::BegeleidingEindigendVoor16Weken).is_some());
            assert!(r.applies(AttentionPointField::BundleBreakers));
        }
        let all: Vec<_> = catalogue().regulation(2022).unwrap().prestaties.iter().map(|e| e.prestatie).collect();
        assert_eq!(all, Prestatie::ALL.to_vec(), "the experiment has every prestatie, in the NZa's order");
    }

    #[test]
    fn eight_prestaties_from_2023_each_with_its_source() {
        for year in [2023, 2026, 2027, 2100] {
            let r = catalogue().regulation(year).unwrap();
            assert_eq!(r.prestaties.len(), 8, "{year}");
            assert!(r.sources.iter().any(|s| s.url.contains("nza.nl/zorgsectoren/geboortezorg")), "{year}");
            assert!(r.entry(Prestatie::BegeleidingEindigendVoor16Weken).is_none());
            assert!(!r.applies(AttentionPointField::BundleBreakers));
            let removed = &r.removed[0];
            assert_eq!(removed.prestatie, Prestatie::BegeleidingEindigendVoor16Weken);
            assert_eq!(removed.replaced_by, Some(Prestatie::GeboortezorgPrenataal));
        }
    }

    #[test]
    fn no_catalogue_before_the_experiment() {
        assert!(catalogue().regulation(2016).is_none());
        assert!(catalogue().for_year(2000).is_none());
        assert_eq!(catalogue().first_year(), 2017);
    }

    #[test]
    fn only_kraamzorg_is_per_hour_in_every_year() {
        for r in &catalogue().regulations {
            let hourly: Vec<_> = r.prestaties.iter().filter(|e| e.unit == Unit::Hour).map(|e| e.prestatie).collect();
            assert_eq!(hourly, vec![Prestatie::KraamzorgPostnataalPerUur], "{}", r.id);
        }
    }

    #[test]
    fn a_removed_prestatie_is_refused_saying_why_and_from_when() {
        let r = catalogue().regulation(2026).unwrap();
        let why = r.refusal(2026, Prestatie::BegeleidingEindigendVoor16Weken).unwrap();
        assert!(why.starts_with("begeleiding_eindigend_voor_16_weken"), "{why}");
        assert!(why.contains("not an integral prestatie in 2026"), "{why}");
        assert!(why.contains("removed from 2023"), "{why}");
        assert!(why.contains("geboortezorg_prenataal"), "{why}");
        assert!(r.refusal(2026, Prestatie::GeboortezorgPrenataal).is_none());
        assert!(catalogue()
            .regulation(2022)
            .unwrap()
            .refusal(2022, Prestatie::BegeleidingEindigendVoor16Weken)
            .is_none());
        let bundle = r.attention_point_refusal(2026, AttentionPointField::BundleBreakers).unwrap();
        assert!(bundle.contains("from 2023"), "{bundle}");
    }

    #[test]
    fn every_prestatie_has_a_name_and_unit() {
        for p in Prestatie::ALL {
            let (name, unit) = describe(p);
            assert!(!name.is_empty());
            assert_eq!(unit == Unit::Hour, p == Prestatie::KraamzorgPostnataalPerUur);
        }
    }

    #[test]
    fn the_year_view_is_the_regulation() {
        let view = catalogue().for_year(2026).unwrap();
        assert_eq!((view.year, view.valid_from, view.valid_until), (2026, 2023, None));
        assert_eq!(view.regulation_id, "regular");
        assert_eq!(view.prestaties.len(), 8);
        let json = serde_json::to_value(&view).unwrap();
        assert_eq!(json["prestaties"][0]["prestatie"], "geboortezorg_prenataal");
        assert_eq!(json["removed"][0]["prestatie"], "begeleiding_eindigend_voor_16_weken");
    }
}
