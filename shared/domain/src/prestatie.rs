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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
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

/// Most characters of an own prestatie's code (innovation route).
pub const MAX_OWN_CODE_CHARS: usize = 40;

/// A prestatie as a line, a share or a care shift names it: one of the NZa's integral
/// prestaties (its API value), or, under the innovation route (`policy_route: innovatie`), the
/// arrangement's own code: 1 to 40 letters, digits, `_`, `-` or `.`, starting with a letter or
/// digit, that is not an NZa value. An own code needs the line's `description` and `unit`.
///
/// Its schema is an `anyOf` (not a derived `oneOf`): an NZa value is a string too, so it matches
/// both branches, which `oneOf` forbids.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(untagged)]
pub enum PrestatieCode {
    /// One of the NZa's integral prestaties.
    Nza(Prestatie),
    /// An own prestatie of an innovation arrangement.
    Own(String),
}

impl utoipa::PartialSchema for PrestatieCode {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{AnyOfBuilder, ObjectBuilder, Type};
        let own = ObjectBuilder::new()
            .schema_type(Type::String)
            .min_length(Some(1))
            .max_length(Some(MAX_OWN_CODE_CHARS))
            .pattern(Some("^[A-Za-z0-9][A-Za-z0-9_.-]*$"))
            .description(Some("An own prestatie's code (innovation route only)"))
            .examples(["INNO-CONT-01"]);
        AnyOfBuilder::new()
            .item(utoipa::openapi::Ref::from_schema_name(Prestatie::name()))
            .item(own)
            .description(Some(
                "An NZa integral prestatie (its API value; which exist in a year: GET /v1/prestaties?year=...), or under \
                 the innovation route an own prestatie's code (with the line's description and unit).",
            ))
            .into()
    }
}

impl ToSchema for PrestatieCode {
    fn schemas(schemas: &mut Vec<(String, utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>)>) {
        schemas.push((Prestatie::name().into_owned(), <Prestatie as utoipa::PartialSchema>::schema()));
        <Prestatie as ToSchema>::schemas(schemas);
    }
}

impl From<Prestatie> for PrestatieCode {
    fn from(prestatie: Prestatie) -> Self {
        PrestatieCode::Nza(prestatie)
    }
}

impl PrestatieCode {
    /// The NZa prestatie, if it is one.
    pub fn nza(&self) -> Option<Prestatie> {
        match self {
            PrestatieCode::Nza(p) => Some(*p),
            PrestatieCode::Own(_) => None,
        }
    }

    /// The code as sent (`geboortezorg_prenataal`, `INNO-GZ-01`).
    pub fn code(&self) -> String {
        match self {
            PrestatieCode::Nza(p) => crate::catalogue::code(*p),
            PrestatieCode::Own(code) => code.clone(),
        }
    }

    /// How messages name it: the NZa's description, or the own code.
    pub fn label(&self) -> String {
        match self {
            PrestatieCode::Nza(p) => p.description().to_owned(),
            PrestatieCode::Own(code) => code.clone(),
        }
    }

    /// The unit: the NZa's for its prestaties, else the one the line gives (per client when
    /// missing, which validation refuses).
    pub fn unit(&self, given: Option<Unit>) -> Unit {
        match self {
            PrestatieCode::Nza(p) => p.unit(),
            PrestatieCode::Own(_) => given.unwrap_or(Unit::Client),
        }
    }

    /// Whether an own code has the allowed shape (an NZa prestatie always has).
    pub fn well_formed(&self) -> bool {
        match self {
            PrestatieCode::Nza(_) => true,
            PrestatieCode::Own(code) => {
                let mut bytes = code.bytes();
                code.len() <= MAX_OWN_CODE_CHARS
                    && bytes.next().is_some_and(|b| b.is_ascii_alphanumeric())
                    && bytes.all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
            }
        }
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

impl ProviderKind {
    /// The AGB zorgsoort (first two digits of an organisation's AGB code) a provider of this
    /// kind usually has, per Vektis' AGB register (zorgsoorten of organisations): 08
    /// verloskundigen, 06 ziekenhuizen, 03 medisch specialisten (an MSB), 33 kraamzorg. The IGO
    /// itself is 53 (diverse samenwerkingsverbanden, `IGO_AGB_ZORGSOORT`). Not enforced (an
    /// organisation may be registered otherwise, e.g. an MSB as 17 rechtspersonen); the spec's
    /// examples and the test fixtures follow it.
    pub fn usual_agb_zorgsoort(self) -> Option<&'static str> {
        match self {
            ProviderKind::Verloskundigenpraktijk => Some("08"),
            ProviderKind::Ziekenhuis => Some("06"),
            ProviderKind::MsbGynaecologie => Some("03"),
            ProviderKind::Kraamzorg => Some("33"),
            ProviderKind::Other => None,
        }
    }
}

/// The AGB zorgsoort of an IGO (integral birth care organisations register as 53).
pub const IGO_AGB_ZORGSOORT: &str = "53";

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

    #[test]
    fn a_code_is_an_nza_prestatie_when_it_can_be_else_an_own_one() {
        let nza: PrestatieCode = serde_json::from_str("\"geboortezorg_nataal\"").unwrap();
        assert_eq!(nza, PrestatieCode::Nza(Prestatie::GeboortezorgNataal));
        let own: PrestatieCode = serde_json::from_str("\"INNO-GZ-01\"").unwrap();
        assert_eq!(own, PrestatieCode::Own("INNO-GZ-01".into()));
        assert_eq!(serde_json::to_string(&own).unwrap(), "\"INNO-GZ-01\"", "written as sent");
        assert_eq!(serde_json::to_string(&nza).unwrap(), "\"geboortezorg_nataal\"");
        assert!(serde_json::from_str::<PrestatieCode>("12").is_err(), "a code is a string");
        assert!(own.well_formed());
        for bad in ["", "-x", "met spatie", "é", &"x".repeat(41)] {
            assert!(!PrestatieCode::Own(bad.into()).well_formed(), "{bad:?}");
        }
        assert_eq!(own.unit(Some(Unit::Hour)), Unit::Hour);
        assert_eq!(nza.unit(Some(Unit::Hour)), Unit::Client, "an NZa prestatie's unit is the NZa's");
    }
}
