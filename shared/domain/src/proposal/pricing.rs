//! The amounts a proposal derives from its lines: each line's volume × tariff and the totals,
//! exact to the cent, so what is stored and served always adds up.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::LineInput;
use crate::money::{cents, ExactDecimal};
use crate::prestatie::{PrestatieCode, Unit};

/// A line of a proposal with its derived amount (volume × tariff, exact, in euros).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Line {
    pub prestatie: PrestatieCode,
    /// An own prestatie's description (innovation route); absent for an NZa prestatie.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// What one unit of volume is: a client, or an hour (kraamzorg).
    pub unit: Unit,
    pub volume: u64,
    pub tariff: ExactDecimal,
    /// volume × tariff, in euros with two decimals.
    pub amount: ExactDecimal,
}

/// Totals derived from the lines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Totals {
    /// Sum of the line amounts, in euros with two decimals.
    pub amount: ExactDecimal,
    /// Sum of the volumes of the per-client prestaties.
    pub clients: u64,
    /// Sum of the volumes of the per-hour prestaties (kraamzorg).
    pub hours: u64,
}

/// The exact amount of one line: volume × tariff, written with two decimals.
pub fn line_amount(volume: u64, tariff: Decimal) -> Decimal {
    cents(Decimal::from(volume) * tariff)
}

/// Lines with their amounts, from validated input.
pub fn priced_lines(lines: &[LineInput]) -> Vec<Line> {
    lines
        .iter()
        .map(|l| Line {
            prestatie: l.prestatie.clone(),
            description: l.description.clone(),
            unit: l.prestatie.unit(l.unit),
            volume: l.volume,
            tariff: l.tariff,
            amount: ExactDecimal(line_amount(l.volume, l.tariff.0)),
        })
        .collect()
}

/// The totals of priced lines. Exact: bounded volumes and tariffs keep every sum far inside
/// Decimal's 28 digits (9 lines × 10^7 × 10^9 < 10^17).
pub fn totals(lines: &[Line]) -> Totals {
    let mut amount = cents(Decimal::ZERO);
    let (mut clients, mut hours) = (0u64, 0u64);
    for line in lines {
        amount += line.amount.0;
        match line.unit {
            Unit::Client => clients += line.volume,
            Unit::Hour => hours += line.volume,
        }
    }
    Totals { amount: ExactDecimal(amount), clients, hours }
}
