//! Every NZa integral birth-care prestatie there has been (which exist in a year: `crate::catalogue`)
//! and the kinds of member providers of an IGO.
//! The API's enum values are the official Dutch names, snake_cased: they are the domain's names.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// An NZa integral birth-care prestatie (Beleidsregel integrale geboortezorg). Which exist in a
/// contract year is the catalogue's (`GET /v1/prestaties?year=...`): from 2023
/// `begeleiding_eindigend_voor_16_weken` is no longer one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Prestatie {
    /// Begeleiding eindigend voor 16 weken zwangerschap inclusief nazorg.
    // snake_case alone would glue the number to the word before it ("voor16").
    #[serde(rename = "begeleiding_eindigend_voor_16_weken")]
    BegeleidingEindigendVoor16Weken,
    /// Geboortezorg prenataal.
    GeboortezorgPrenataal,
    /// Geboortezorg prenataal complex.
    GeboortezorgPrenataalComplex,
    /// Geboortezorg nataal.
    GeboortezorgNataal,
    /// Geboortezorg nataal intramuraal op eigen verzoek (no medical need).
    GeboortezorgNataalIntramuraalOpEigenVerzoek,
    /// Geboortezorg nataal complex.
    GeboortezorgNataalComplex,
    /// Geboortezorg postnataal.
    GeboortezorgPostnataal,
    /// Geboortezorg postnataal complex.
    GeboortezorgPostnataalComplex,
    /// Kraamzorg postnataal, billed per hour.
    KraamzorgPostnataalPerUur,
}

/// What one unit of a prestatie is: a client in a phase, or an hour of maternity care.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    Client,
    Hour,
}

impl Prestatie {
    pub const ALL: [Prestatie; 9] = [
        Prestatie::BegeleidingEindigendVoor16Weken,
        Prestatie::GeboortezorgPrenataal,
        Prestatie::GeboortezorgPrenataalComplex,
        Prestatie::GeboortezorgNataal,
        Prestatie::GeboortezorgNataalIntramuraalOpEigenVerzoek,
        Prestatie::GeboortezorgNataalComplex,
        Prestatie::GeboortezorgPostnataal,
        Prestatie::GeboortezorgPostnataalComplex,
        Prestatie::KraamzorgPostnataalPerUur,
    ];

    /// Kraamzorg is billed per hour; every other prestatie per client per phase (from the
    /// catalogue, `crate::catalogue`).
    pub fn unit(self) -> Unit {
        crate::catalogue::describe(self).1
    }

    /// The NZa's official description (from the catalogue).
    pub fn description(self) -> &'static str {
        crate::catalogue::describe(self).0
    }
}

/// The kind of a member provider of an IGO.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
pub enum ProviderKind {
    #[serde(rename = "verloskundigenpraktijk")]
    Verloskundigenpraktijk,
    #[serde(rename = "ziekenhuis")]
    Ziekenhuis,
    #[serde(rename = "msb-gynaecologie")]
    MsbGynaecologie,
    #[serde(rename = "kraamzorg")]
    Kraamzorg,
    #[serde(rename = "other")]
    Other,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nine_prestaties_only_kraamzorg_per_hour() {
        assert_eq!(Prestatie::ALL.len(), 9);
        let hourly: Vec<_> = Prestatie::ALL.iter().filter(|p| p.unit() == Unit::Hour).collect();
        assert_eq!(hourly, vec![&Prestatie::KraamzorgPostnataalPerUur]);
    }

    #[test]
    fn enum_values_are_the_dutch_names() {
        assert_eq!(
            serde_json::to_string(&Prestatie::GeboortezorgNataalIntramuraalOpEigenVerzoek).unwrap(),
            "\"geboortezorg_nataal_intramuraal_op_eigen_verzoek\""
        );
        assert_eq!(serde_json::to_string(&ProviderKind::MsbGynaecologie).unwrap(), "\"msb-gynaecologie\"");
        assert!(serde_json::from_str::<Prestatie>("\"nataal\"").is_err());
        assert_eq!(
            serde_json::to_string(&Prestatie::BegeleidingEindigendVoor16Weken).unwrap(),
            "\"begeleiding_eindigend_voor_16_weken\""
        );
        for prestatie in Prestatie::ALL {
            let name = serde_json::to_value(prestatie).unwrap();
            assert_eq!(serde_json::from_value::<Prestatie>(name).unwrap(), prestatie, "round trip");
        }
    }
}
