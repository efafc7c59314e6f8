//! Dutch care identifiers: AGB codes (care providers, IGOs) and UZOVI codes (insurers,
//! zorgkantoren). Validated once, at the boundary, so the rest of the code can trust them.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize};
use utoipa::ToSchema;

fn all_digits(s: &str, len: usize) -> bool {
    s.len() == len && s.bytes().all(|b| b.is_ascii_digit())
}

/// AGB code: exactly 8 digits; identifies a care provider, practice, institution or IGO.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, ToSchema)]
#[schema(value_type = String, pattern = r"^[0-9]{8}$", example = "12345678")]
#[serde(transparent)]
pub struct AgbCode(String);

/// UZOVI code: exactly 4 digits; identifies a health insurer or zorgkantoor.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, ToSchema)]
#[schema(value_type = String, pattern = r"^[0-9]{4}$", example = "3311")]
#[serde(transparent)]
pub struct UzoviCode(String);

macro_rules! digit_code {
    ($ty:ident, $len:expr, $what:expr) => {
        impl $ty {
            pub const LEN: usize = $len;

            pub fn parse(s: &str) -> Result<Self, String> {
                if all_digits(s, $len) {
                    Ok(Self(s.to_owned()))
                } else {
                    Err(format!("{} must be exactly {} digits", $what, $len))
                }
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                Self::parse(&s).map_err(serde::de::Error::custom)
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
    fn codes_deserialize_only_when_valid() {
        assert_eq!(serde_json::from_str::<AgbCode>("\"01234567\"").unwrap().as_str(), "01234567");
        assert!(serde_json::from_str::<AgbCode>("12345678").is_err(), "numbers are not codes");
        assert!(serde_json::from_str::<UzoviCode>("\"12\"").is_err());
    }
}
