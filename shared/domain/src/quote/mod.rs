//! Integral tariff quotes: from a VSV's cost build-up per prestatie to integral tariffs, the
//! contract total and each member provider's share compared with today. Pure: no I/O.
//!
//! `validate` checks a request (every problem named by a JSON pointer), `compute` turns a valid
//! request into the figures; `quote` does both. Every amount is an exact decimal and the parts
//! add up to the whole to the cent (largest-remainder allocation, `money::allocate_cents`).

mod compute;
mod validate;

pub use compute::compute;
pub use validate::validate;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::codes::AgbCode;
use crate::error::DomainError;
use crate::money::{ExactDecimal, RoundingMode};
use crate::prestatie::{PrestatieCode, ProviderKind, Unit};
use crate::proposal::PolicyRoute;

/// Most member providers one quote may list (a VSV has a handful to a few dozen).
pub const MAX_PROVIDERS: usize = 50;
/// Most care shifts one quote may list.
pub const MAX_CARE_SHIFTS: usize = 200;
/// Largest amount per unit of a cost component, in euros. With the other limits it keeps every
/// intermediate figure well inside exact decimal arithmetic.
pub const MAX_AMOUNT_PER_UNIT: Decimal = Decimal::from_parts(1_000_000, 0, 0, false, 0);
/// Largest volume of one prestatie (clients or hours).
pub const MAX_VOLUME: Decimal = Decimal::from_parts(1_000_000, 0, 0, false, 0);
/// Largest baseline revenue of one provider, in euros.
pub const MAX_BASELINE: Decimal = Decimal::from_parts(1_410_065_408, 2, 0, false, 0); // 10^10
/// Largest surcharge, in percent of the unit cost.
pub const MAX_SURCHARGE_PERCENT: Decimal = Decimal::from_parts(100, 0, 0, false, 0);
/// Days a quote is kept after it was computed, unless a proposal is made from it (then it is
/// kept as long as the proposal). After that GET answers 404 and `from_quote` cannot name it.
pub const RETENTION_DAYS: i64 = 30;
/// A provider whose integral revenue falls more than this many percent below its baseline is
/// warned about.
pub const LOSS_WARNING_PERCENT: Decimal = Decimal::from_parts(5, 0, 0, false, 0);

/// What a VSV/IGO asks: its providers, volumes and cost build-up, care shifts, surcharges, and
/// how revenue is distributed and tariffs rounded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuoteRequest {
    /// The contract year: its NZa catalogue (`GET /v1/prestaties?year=...`) decides which
    /// prestaties the quote may list (from 2017; 8 from 2023).
    #[schema(minimum = 2000, maximum = 2100, example = 2027)]
    pub period: u16,
    /// `integrale_bekostiging` (default): the prestaties are the NZa's of the year. `innovatie`:
    /// not bound to the catalogue; a prestatie may be an own code with `description` and `unit`.
    #[serde(default)]
    pub policy_route: PolicyRoute,
    /// The IGO's member providers, in the order ties are settled in.
    pub providers: Vec<ProviderInput>,
    /// Expected volume and cost build-up per integral prestatie (each prestatie at most once; a
    /// prestatie the contract year no longer has is a 422 at `/prestaties/{i}/prestatie`).
    pub prestaties: Vec<PrestatieInput>,
    /// Units moved from one provider to another within a prestatie.
    #[serde(default)]
    pub care_shifts: Vec<CareShift>,
    /// Surcharges on top of the unit cost, retained by the IGO.
    #[serde(default)]
    pub surcharges: Surcharges,
    pub distribution: Distribution,
    /// How tariffs (and totals of fractional hours) are rounded to whole cents.
    #[serde(default)]
    pub rounding: RoundingMode,
}

/// A member provider of the IGO.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProviderInput {
    pub agb: AgbCode,
    pub name: String,
    pub kind: ProviderKind,
    /// Today's mono-disciplinary revenue for the same care, in euros (the baseline).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline_revenue: Option<ExactDecimal>,
}

/// Volume and cost build-up of one prestatie.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PrestatieInput {
    /// An NZa prestatie of the year, or under `innovatie` an own code (see `PrestatieCode`).
    #[schema(example = "geboortezorg_prenataal")]
    pub prestatie: PrestatieCode,
    /// An own prestatie's description (innovation route; required with an own code, refused with
    /// an NZa prestatie). 1 to 200 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// An own prestatie's unit (innovation route; required with an own code, refused with an NZa
    /// prestatie). Hours allow 2 decimals of volume.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<Unit>,
    /// Expected units: clients (whole numbers), or hours for kraamzorg (at most 2 decimals).
    pub volume: ExactDecimal,
    /// What each provider's part of one unit of this care costs (each provider at most once).
    #[serde(default)]
    pub components: Vec<CostComponent>,
}

/// One provider's part of the cost of one unit of a prestatie.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CostComponent {
    /// AGB code of one of the quote's providers.
    pub provider: AgbCode,
    /// Euros per unit, at most 2 decimals.
    pub amount_per_unit: ExactDecimal,
}

/// Moves `share` percent of the `from` provider's units of a prestatie to the `to` provider,
/// priced at the receiving provider's amount per unit.
///
/// The percentage is always of the `from` provider's **own** units (its cost component covers
/// 100% of the prestatie's units before any shift), never of the units it holds after other
/// shifts; shifts add up and their order does not matter. So shifts do **not chain**: with A to B
/// 10% and B to C 10%, B ends at 100% (110 - 10) and C at 110%; none of A's units reach C. To move
/// A's units on to C, give a direct A to C shift. The shares moved away from one provider in one
/// prestatie add up to at most 100% of its own units (422 above that); units it receives do not
/// raise that limit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
// Its own schema name: the proposals' `CareShift` (between provider kinds) is another type.
#[schema(as = QuoteCareShift)]
pub struct CareShift {
    pub prestatie: PrestatieCode,
    pub from: AgbCode,
    pub to: AgbCode,
    /// Percent of the `from` provider's units (0 < share <= 100, at most 2 decimals).
    pub share: ExactDecimal,
}

/// Surcharges on top of the unit cost, in percent of it (0 to 100, at most 2 decimals each).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Surcharges {
    /// The IGO's own organisation costs.
    #[serde(default)]
    pub organisation_costs: ExactDecimal,
    /// Reserve for financial risks (volume deviations, bundle breakers, expensive medicines).
    #[serde(default)]
    pub risk_reserve: ExactDecimal,
    /// Innovation / quality fund.
    #[serde(default)]
    pub innovation_fund: ExactDecimal,
}

/// How the contract total, less the IGO's surcharges, is distributed over the providers.
///
/// Both methods split **per prestatie**, not over the contract total: each prestatie's total is
/// split to the cent (largest remainder; equal remainders go to the earlier provider in the
/// input, then organisation costs, risk reserve, innovation fund) and a provider's revenue is the
/// sum of its cells over the prestaties (the `matrix`). Under `fixed_shares` each prestatie total
/// is first split between the providers' pool (weight: the unit cost) and the IGO's three
/// surcharges (weight: unit cost x surcharge percentage), then the pool over the providers by the
/// fixed percentages. A provider's revenue may therefore differ from its percentage of the
/// contract total less the surcharges by a few cents (at most one cent per prestatie per
/// split); the percentages apply to every prestatie, including those it has no cost component
/// in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Distribution {
    pub method: DistributionMethod,
    /// For `fixed_shares` only: every provider's percentage, adding up to exactly 100.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub shares: Vec<FixedShare>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DistributionMethod {
    /// Each provider receives its cost components times its units after care shifts.
    CostBased,
    /// The providers' part is split by fixed percentages (a verdeelsleutel).
    FixedShares,
}

/// One provider's percentage under `fixed_shares`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FixedShare {
    pub provider: AgbCode,
    pub percentage: ExactDecimal,
}

/// The computed quote: every figure an exact decimal string, parts adding up to the whole.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct QuoteResult {
    /// One line per requested prestatie, in input order.
    pub prestaties: Vec<PrestatieLine>,
    /// Sum of the prestaties' totals: what the insurers pay the IGO.
    pub contract_total: ExactDecimal,
    /// What the IGO keeps: the surcharges.
    pub igo_retained: IgoRetained,
    /// Each provider's integral revenue against its baseline, in input order.
    pub providers: Vec<ProviderOutcome>,
    /// Each prestatie's total split over the providers and the IGO.
    pub matrix: Vec<MatrixRow>,
    pub warnings: Vec<Warning>,
    /// The rules applied, in words, so procurement staff can check the figures.
    pub trace: Vec<String>,
}

/// The integral tariff of one prestatie.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PrestatieLine {
    pub prestatie: PrestatieCode,
    /// An own prestatie's description (innovation route); absent for an NZa prestatie.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub unit: Unit,
    pub volume: ExactDecimal,
    /// Cost of one unit after care shifts (exact, not rounded).
    pub unit_cost: ExactDecimal,
    /// Unit cost plus surcharges, rounded to whole cents.
    pub tariff: ExactDecimal,
    /// Tariff times volume.
    pub total: ExactDecimal,
}

/// The IGO's retained surcharges over all prestaties.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct IgoRetained {
    pub organisation_costs: ExactDecimal,
    pub risk_reserve: ExactDecimal,
    pub innovation_fund: ExactDecimal,
    pub total: ExactDecimal,
}

/// A provider's revenue under integral funding against today's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ProviderOutcome {
    pub agb: AgbCode,
    pub name: String,
    pub kind: ProviderKind,
    /// Revenue under integral funding (its column of the matrix).
    pub revenue: ExactDecimal,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<ExactDecimal>,
    /// Revenue minus baseline, in euros (absent without a baseline).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub difference: Option<ExactDecimal>,
    /// Difference in percent of the baseline: (revenue - baseline) x 100 / baseline from the exact
    /// cent figures, rounded to 2 decimals half away from zero (always; the request's `rounding`
    /// is for tariffs and totals only), e.g. -0.005% is "-0.01". Absent when the baseline is
    /// absent or 0. The `provider_loses_revenue` warning compares the exact figures, not this
    /// rounded one: a loss of 5.004% shows as "-5.00" and is warned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub difference_percentage: Option<ExactDecimal>,
}

/// One prestatie's total split over every provider (input order) and the IGO.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct MatrixRow {
    pub prestatie: PrestatieCode,
    pub providers: Vec<MatrixCell>,
    pub igo_retained: ExactDecimal,
    /// The prestatie's total: the sum of the row.
    pub total: ExactDecimal,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct MatrixCell {
    pub provider: AgbCode,
    pub amount: ExactDecimal,
}

/// Something procurement staff should look at; the quote is computed regardless.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Warning {
    pub code: WarningCode,
    /// JSON pointer into the request to what the warning is about.
    pub pointer: String,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum WarningCode {
    /// The provider's integral revenue is more than 5% below its baseline.
    ProviderLosesRevenue,
    /// The prestatie has volume but no cost components: its tariff is 0.00.
    PrestatieWithoutCost,
    /// The prestatie has cost components but no volume: it adds nothing to the contract.
    PrestatieWithoutVolume,
}

/// A computed quote as stored and served: who asked, when, what, and the figures. Immutable.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Quote {
    /// ULID of the quote.
    #[schema(example = "01JDQ7Z3K8M4V6W9X2Y5A7B3C1")]
    pub id: String,
    /// The organisation that asked for it (AGB, UZOVI or publisher name from the token).
    pub owner_org: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// The request, as understood (defaults filled in).
    pub input: QuoteRequest,
    pub result: QuoteResult,
}

/// Validates and computes a quote.
pub fn quote(request: &QuoteRequest) -> Result<QuoteResult, DomainError> {
    validate(request)?;
    compute(request)
}

#[cfg(test)]
mod tests;
