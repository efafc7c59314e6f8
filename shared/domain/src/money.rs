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

/// Why an amount could not be allocated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AllocationError {
    #[error("the amount to allocate must be zero or more whole cents")]
    NotWholeCents,
    #[error("weights must be zero or more")]
    NegativeWeight,
    #[error("a non-zero amount cannot be allocated over weights that are all zero")]
    NoWeight,
    #[error("the figures are too large to allocate exactly")]
    Overflow,
}

/// Splits `total` (whole cents, not negative) over `weights` in proportion, to the cent, by the
/// largest-remainder method: every share first gets its proportional amount rounded down to a
/// cent, then the cents left over go one each to the shares with the largest remainders. Ties go
/// to the earlier weight, so the result depends only on the order of the weights (callers pass
/// them in input order). The shares always add up to `total` exactly.
///
/// Exact: weights are brought to one scale and everything is done in `i128` integers, so no
/// quotient is ever approximated; figures too large for that are refused, never rounded.
pub fn allocate_cents(total: Decimal, weights: &[Decimal]) -> Result<Vec<Decimal>, AllocationError> {
    Weights::new(weights)?.allocate(total)
}

/// Weights brought to one integer scale once, so many totals can be split by the same
/// proportions (one distribution key over every prestatie) without redoing that work.
/// [`allocate_cents`] is `Weights::new(weights)?.allocate(total)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Weights {
    ints: Vec<i128>,
    sum: i128,
}

impl Weights {
    /// Refuses a negative weight, and weights too large to carry exactly.
    pub fn new(weights: &[Decimal]) -> Result<Weights, AllocationError> {
        if weights.iter().any(|w| w.is_sign_negative() && !w.is_zero()) {
            return Err(AllocationError::NegativeWeight);
        }
        let scale = weights.iter().map(|w| w.scale()).max().unwrap_or(0);
        let ints: Vec<i128> =
            weights.iter().map(|w| to_scaled_int(*w, scale)).collect::<Option<_>>().ok_or(AllocationError::Overflow)?;
        let sum = ints.iter().try_fold(0i128, |acc, w| acc.checked_add(*w)).ok_or(AllocationError::Overflow)?;
        Ok(Weights { ints, sum })
    }

    /// Splits `total` by these weights (see [`allocate_cents`]).
    pub fn allocate(&self, total: Decimal) -> Result<Vec<Decimal>, AllocationError> {
        let mut shares = Vec::with_capacity(self.ints.len());
        self.allocate_into(total, &mut shares)?;
        Ok(shares)
    }

    /// Splits `total` by these weights, appending the shares to `out` (nothing on failure).
    pub fn allocate_into(&self, total: Decimal, out: &mut Vec<Decimal>) -> Result<(), AllocationError> {
        if (total.is_sign_negative() && !total.is_zero()) || total.normalize().scale() > 2 {
            return Err(AllocationError::NotWholeCents);
        }
        let total_cents = to_scaled_int(total, 2).ok_or(AllocationError::Overflow)?;
        let n = self.ints.len();
        if self.sum == 0 {
            return if total_cents == 0 {
                out.extend(std::iter::repeat_n(Decimal::new(0, 2), n));
                Ok(())
            } else {
                Err(AllocationError::NoWeight)
            };
        }
        let mut cents = Vec::with_capacity(n);
        let mut remainders = Vec::with_capacity(n);
        let mut given = 0i128;
        for (index, w) in self.ints.iter().enumerate() {
            let product = total_cents.checked_mul(*w).ok_or(AllocationError::Overflow)?;
            // Both are non-negative, so plain division is the floor; one division gives both.
            let floor = product / self.sum;
            cents.push(floor);
            remainders.push((product - floor * self.sum, index));
            given += floor;
        }
        // Fewer cents are left than there are shares, since each floor lost less than one cent.
        let left = usize::try_from(total_cents - given).map_err(|_| AllocationError::Overflow)?;
        if left > 0 {
            remainders.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
            for &(_, index) in remainders.iter().take(left) {
                cents[index] += 1;
            }
        }
        let start = out.len();
        for c in cents {
            match i64::try_from(c) {
                Ok(c) => out.push(Decimal::new(c, 2)),
                Err(_) => {
                    out.truncate(start);
                    return Err(AllocationError::Overflow);
                }
            }
        }
        Ok(())
    }
}

/// Splits 100 percent over `weights` in proportion, as percentages with `decimals` decimals
/// (0 to 8), by the same largest-remainder rule as [`allocate_cents`] (it does the work: 100%
/// in units of 10^-decimals is counted as that many cents). The percentages add up to exactly
/// 100, ties go to the earlier weight.
pub fn allocate_percentages(weights: &[Decimal], decimals: u32) -> Result<Vec<Decimal>, AllocationError> {
    if decimals > 8 {
        return Err(AllocationError::Overflow);
    }
    let units = 100i64 * 10i64.pow(decimals);
    let shares = allocate_cents(Decimal::new(units, 2), weights)?;
    Ok(shares
        .into_iter()
        .map(|mut share| {
            share.rescale(2);
            Decimal::from_i128_with_scale(share.mantissa(), decimals)
        })
        .collect())
}

/// `value` times 10^scale as an integer; `None` when it does not fit or would lose digits.
fn to_scaled_int(value: Decimal, scale: u32) -> Option<i128> {
    let own = value.scale();
    let mantissa = value.mantissa();
    if own <= scale {
        mantissa.checked_mul(10i128.checked_pow(scale - own)?)
    } else {
        let factor = 10i128.checked_pow(own - scale)?;
        (mantissa % factor == 0).then(|| mantissa / factor)
    }
}

/// A percentage shown to two decimals (half away from zero). Not money, but rounded here so
/// every rounding rule of the API sits in this one module.
pub fn round_percentage(value: Decimal) -> Decimal {
    let mut rounded = value.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    rounded.rescale(2);
    rounded
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

    fn cents_of(values: &[Decimal]) -> Vec<String> {
        values.iter().map(|v| v.to_string()).collect()
    }

    #[test]
    fn naive_rounding_loses_a_cent_largest_remainder_does_not() {
        // 100.00 / 3 = 33.333..: rounding each share gives 3 x 33.33 = 99.99.
        let naive: Decimal = (0..3).map(|_| round_cents(dec!(100.00) / dec!(3), RoundingMode::HalfUp)).sum();
        assert_eq!(naive, dec!(99.99));
        let shares = allocate_cents(dec!(100.00), &[dec!(1), dec!(1), dec!(1)]).unwrap();
        assert_eq!(cents_of(&shares), ["33.34", "33.33", "33.33"], "the tie goes to the first");
    }

    #[test]
    fn naive_rounding_gains_a_cent_largest_remainder_does_not() {
        // 0.05 / 2 = 0.025: half-up gives 0.03 + 0.03 = 0.06.
        let naive = round_cents(dec!(0.025), RoundingMode::HalfUp) * dec!(2);
        assert_eq!(naive, dec!(0.06));
        let shares = allocate_cents(dec!(0.05), &[dec!(1), dec!(1)]).unwrap();
        assert_eq!(cents_of(&shares), ["0.03", "0.02"]);
    }

    #[test]
    fn remainders_decide_not_the_order() {
        // quotas 1.667 and 3.333 cents: floors 1 + 3, the left cent goes to the larger remainder (.667).
        assert_eq!(cents_of(&allocate_cents(dec!(0.05), &[dec!(1), dec!(2)]).unwrap()), ["0.02", "0.03"]);
        // quotas 33.0, 33.5, 33.5 cents: the cent goes to the first of the tied .5 remainders.
        let shares = allocate_cents(dec!(1.00), &[dec!(0.33), dec!(0.335), dec!(0.335)]).unwrap();
        assert_eq!(cents_of(&shares), ["0.33", "0.34", "0.33"]);
        // exact proportions stay exact, with weights of different scales.
        let shares = allocate_cents(dec!(10.00), &[dec!(0.5), dec!(3), dec!(2.00)]).unwrap();
        assert_eq!(cents_of(&shares), ["0.91", "5.45", "3.64"]);
    }

    #[test]
    fn allocation_edge_cases() {
        assert_eq!(cents_of(&allocate_cents(dec!(0), &[dec!(0), dec!(0)]).unwrap()), ["0.00", "0.00"]);
        assert_eq!(cents_of(&allocate_cents(dec!(7.50), &[dec!(0), dec!(4)]).unwrap()), ["0.00", "7.50"]);
        assert_eq!(allocate_cents(dec!(1.00), &[dec!(0)]), Err(AllocationError::NoWeight));
        assert_eq!(allocate_cents(dec!(-1.00), &[dec!(1)]), Err(AllocationError::NotWholeCents));
        assert_eq!(allocate_cents(dec!(1.005), &[dec!(1)]), Err(AllocationError::NotWholeCents));
        assert_eq!(allocate_cents(dec!(1.00), &[dec!(1), dec!(-1)]), Err(AllocationError::NegativeWeight));
        assert_eq!(allocate_cents(Decimal::MAX, &[Decimal::MAX, dec!(1)]), Err(AllocationError::Overflow));
        assert!(allocate_cents(dec!(1.00), &[]).is_err());
    }

    #[test]
    fn percentages_are_allocated_to_exactly_100() {
        let thirds = allocate_percentages(&[dec!(1), dec!(1), dec!(1)], 4).unwrap();
        assert_eq!(cents_of(&thirds), ["33.3334", "33.3333", "33.3333"]);
        let whole = allocate_percentages(&[dec!(250.00), dec!(750.00), dec!(0)], 0).unwrap();
        assert_eq!(cents_of(&whole), ["25", "75", "0"]);
        // 1/7 = 14.2857142..%: the remainders decide which get the extra unit.
        let sevenths = allocate_percentages(&[dec!(1), dec!(6)], 2).unwrap();
        assert_eq!(cents_of(&sevenths), ["14.29", "85.71"]);
        assert_eq!(sevenths.iter().sum::<Decimal>(), dec!(100));
        assert_eq!(allocate_percentages(&[dec!(0)], 4), Err(AllocationError::NoWeight));
        assert_eq!(allocate_percentages(&[dec!(1)], 9), Err(AllocationError::Overflow));
    }

    #[test]
    fn percentages_round_half_up_to_two_decimals() {
        assert_eq!(round_percentage(dec!(-5.125)).to_string(), "-5.13");
        assert_eq!(round_percentage(dec!(12)).to_string(), "12.00");
    }

    proptest::proptest! {
        #[test]
        fn allocation_adds_up_and_stays_within_a_cent(
            total_cents in 0i64..10_000_000_000,
            weights in proptest::collection::vec((0i64..1_000_000_000, 0u32..8), 1..15),
        ) {
            let total = Decimal::new(total_cents, 2);
            let weights: Vec<Decimal> = weights.into_iter().map(|(m, s)| Decimal::new(m, s)).collect();
            let sum: Decimal = weights.iter().sum();
            match allocate_cents(total, &weights) {
                Ok(shares) => {
                    proptest::prop_assert_eq!(shares.iter().sum::<Decimal>(), total);
                    for (share, weight) in shares.iter().zip(&weights) {
                        proptest::prop_assert!(*share >= Decimal::ZERO);
                        let exact = total * *weight / sum;
                        proptest::prop_assert!((*share - exact).abs() < dec!(0.01), "{} vs {}", share, exact);
                    }
                }
                Err(err) => proptest::prop_assert!(sum.is_zero() && err == AllocationError::NoWeight),
            }
        }
    }
}
