//! Exact decimals at the API boundary and the one place money is rounded.
//!
//! Amounts and percentages travel as JSON strings ("1234.50") and are parsed straight into
//! `rust_decimal::Decimal`: a JSON number, NaN, Infinity or an exponent is refused, so no float
//! ever touches money.

use std::fmt;
use std::str::FromStr;

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::openapi::RefOr;
use utoipa::{PartialSchema, ToSchema};

/// Longest decimal string we parse: 28 significant digits is Decimal's precision, plus sign
/// and point. Longer input (e.g. 300 digits) is refused instead of silently rounded.
const MAX_DECIMAL_CHARS: usize = 30;

/// Pattern of an exact decimal string, as published in the OpenAPI schema.
pub const DECIMAL_PATTERN: &str = r"^-?[0-9]{1,20}(\.[0-9]{1,8})?$";

/// An exact decimal number that travels as a JSON string, e.g. `"1234.50"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct ExactDecimal(pub Decimal);

impl ExactDecimal {
    pub fn value(self) -> Decimal {
        self.0
    }

    /// Parses the strict form: optional '-', digits, optional '.' and digits. Nothing else.
    pub fn parse(s: &str) -> Result<Self, String> {
        let digits = s.strip_prefix('-').unwrap_or(s);
        let (int, frac) = match digits.split_once('.') {
            Some((i, f)) => (i, Some(f)),
            None => (digits, None),
        };
        let ok_int = !int.is_empty() && int.len() <= 20 && int.bytes().all(|b| b.is_ascii_digit());
        let ok_frac = frac.is_none_or(|f| !f.is_empty() && f.len() <= 8 && f.bytes().all(|b| b.is_ascii_digit()));
        if s.len() > MAX_DECIMAL_CHARS || !ok_int || !ok_frac {
            return Err(format!(
                "must be an exact decimal written as a string, like \"1234.50\" (at most 20 integer digits and 8 decimals); got {:?}",
                truncate(s)
            ));
        }
        Decimal::from_str(s).map(ExactDecimal).map_err(|e| format!("not a decimal: {e}"))
    }

    /// Number of decimals as written ("1.50" has 2).
    pub fn scale(self) -> u32 {
        self.0.scale()
    }
}

fn truncate(s: &str) -> String {
    s.chars().take(40).collect()
}

impl From<Decimal> for ExactDecimal {
    fn from(d: Decimal) -> Self {
        ExactDecimal(d)
    }
}

impl fmt::Display for ExactDecimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl Serialize for ExactDecimal {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for ExactDecimal {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = ExactDecimal;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an exact decimal written as a string, like \"1234.50\"")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
                ExactDecimal::parse(v).map_err(E::custom)
            }
        }
        d.deserialize_str(Visitor)
    }
}

impl PartialSchema for ExactDecimal {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .pattern(Some(DECIMAL_PATTERN))
            .description(Some("Exact decimal number written as a string (never a JSON number)."))
            .examples(["1234.50"])
            .into()
    }
}

impl ToSchema for ExactDecimal {}

/// How a tariff is rounded to whole cents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RoundingMode {
    /// Half away from zero (commercial rounding): 0.005 → 0.01.
    #[default]
    HalfUp,
    /// Half to even (bankers' rounding): 0.005 → 0.00, 0.015 → 0.02.
    Bankers,
}

/// Rounds an amount to whole cents with the chosen mode. The only place money is rounded.
pub fn round_cents(amount: Decimal, mode: RoundingMode) -> Decimal {
    let strategy = match mode {
        RoundingMode::HalfUp => RoundingStrategy::MidpointAwayFromZero,
        RoundingMode::Bankers => RoundingStrategy::MidpointNearestEven,
    };
    let mut rounded = amount.round_dp_with_strategy(2, strategy);
    rounded.rescale(2);
    rounded
}

/// An amount already in whole cents, written with exactly two decimals ("12.30").
pub fn cents(amount: Decimal) -> Decimal {
    round_cents(amount, RoundingMode::HalfUp)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn parses_only_strict_decimal_strings() {
        assert_eq!(ExactDecimal::parse("1234.50").unwrap().0, dec!(1234.50));
        assert_eq!(ExactDecimal::parse("-0.5").unwrap().0, dec!(-0.5));
        for bad in ["", "1e3", "NaN", "Infinity", "1.", ".5", "+1", "1,5", " 1", "0x10", &"9".repeat(300)] {
            assert!(ExactDecimal::parse(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn json_numbers_are_refused() {
        assert!(serde_json::from_str::<ExactDecimal>("1234.5").is_err());
        assert_eq!(serde_json::from_str::<ExactDecimal>("\"1234.5\"").unwrap().0, dec!(1234.5));
        assert_eq!(serde_json::to_string(&ExactDecimal(dec!(12.30))).unwrap(), "\"12.30\"");
    }

    #[test]
    fn rounding_modes_differ_on_midpoints() {
        assert_eq!(round_cents(dec!(0.125), RoundingMode::HalfUp).to_string(), "0.13");
        assert_eq!(round_cents(dec!(0.125), RoundingMode::Bankers).to_string(), "0.12");
        assert_eq!(round_cents(dec!(0.135), RoundingMode::Bankers).to_string(), "0.14");
        assert_eq!(round_cents(dec!(7), RoundingMode::HalfUp).to_string(), "7.00");
    }
}
