//! Dutch care identifiers: AGB codes (care providers, IGOs) and UZOVI codes (insurers,
//! zorgkantoren). Validated once, at the boundary, so the rest of the code can trust them.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use utoipa::ToSchema;

// The codes are kept inline as their digits (no heap string): they are cloned into every cell
// of a quote's matrix and every proposal, so a clone is a plain copy of a few bytes.

/// AGB code: exactly 8 digits; identifies a care provider, practice, institution or IGO.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, ToSchema)]
#[schema(value_type = String, pattern = r"^[0-9]{8}$", example = "53012345")]
pub struct AgbCode([u8; 8]);

/// UZOVI code: exactly 4 digits; identifies a health insurer or zorgkantoor.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, ToSchema)]
#[schema(value_type = String, pattern = r"^[0-9]{4}$", example = "3311")]
pub struct UzoviCode([u8; 4]);

macro_rules! digit_code {
    ($ty:ident, $len:expr, $what:expr) => {
        impl $ty {
            pub const LEN: usize = $len;

            pub fn parse(s: &str) -> Result<Self, String> {
                match <[u8; $len]>::try_from(s.as_bytes()) {
                    Ok(digits) if digits.iter().all(u8::is_ascii_digit) => Ok(Self(digits)),
                    _ => Err(format!("{} must be exactly {} digits", $what, $len)),
                }
            }

            pub fn as_str(&self) -> &str {
                // Only ASCII digits are ever stored (`parse` is the one way in): always UTF-8.
                std::str::from_utf8(&self.0).unwrap_or_default()
            }
        }

        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl fmt::Debug for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_tuple(stringify!($ty)).field(&self.as_str()).finish()
            }
        }

        impl Serialize for $ty {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct Visitor;
                impl serde::de::Visitor<'_> for Visitor {
                    type Value = $ty;
                    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                        f.write_str("a string")
                    }
                    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<$ty, E> {
                        $ty::parse(v).map_err(E::custom)
                    }
                }
                d.deserialize_str(Visitor)
            }
        }
    };
}

digit_code!(AgbCode, 8, "an AGB code");
digit_code!(UzoviCode, 4, "a UZOVI code");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agb_needs_eight_digits() {
        assert!(AgbCode::parse("12345678").is_ok());
        for bad in ["1234567", "123456789", "1234567a", "", " 12345678", "１２３４５６７８"] {
            assert!(AgbCode::parse(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn uzovi_needs_four_digits() {
        assert!(UzoviCode::parse("3311").is_ok());
        for bad in ["331", "33111", "33a1", ""] {
            assert!(UzoviCode::parse(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn codes_travel_as_strings() {
        let agb = AgbCode::parse("01234567").unwrap();
        assert_eq!(serde_json::to_string(&agb).unwrap(), "\"01234567\"");
        assert_eq!(format!("{agb} {agb:?}"), "01234567 AgbCode(\"01234567\")");
        assert!(AgbCode::parse("01234567").unwrap() < AgbCode::parse("10000000").unwrap());
    }

    #[test]
    fn codes_deserialize_only_when_valid() {
        assert_eq!(serde_json::from_str::<AgbCode>("\"01234567\"").unwrap().as_str(), "01234567");
        assert!(serde_json::from_str::<AgbCode>("12345678").is_err(), "numbers are not codes");
        assert!(serde_json::from_str::<UzoviCode>("\"12\"").is_err());
    }
}
