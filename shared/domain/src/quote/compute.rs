//! The computation of a validated quote request.
//!
//! Per prestatie: each provider's part of one unit costs its amount per unit times its share of
//! the units after care shifts (1, minus the shares it hands over, plus those it receives); the
//! unit cost is the sum of those parts; the tariff is the unit cost plus the surcharges, rounded
//! to whole cents; the total is tariff times volume. The total is then split to the cent over
//! the providers and the IGO's three surcharges by the largest-remainder method, so each matrix
//! row adds up to its prestatie's total, and the providers' revenues plus the IGO's retained
//! surcharges add up to the contract total.

use rust_decimal::Decimal;

use super::{
    DistributionMethod, IgoRetained, MatrixCell, MatrixRow, PrestatieLine, ProviderOutcome, QuoteRequest, QuoteResult,
    Warning, WarningCode, LOSS_WARNING_PERCENT,
};
use crate::codes::AgbCode;
use crate::error::DomainError;
use crate::money::{allocate_cents, round_cents, round_percentage, ExactDecimal, RoundingMode, Weights};

const HUNDRED: Decimal = Decimal::ONE_HUNDRED;

fn too_large() -> DomainError {
    DomainError::Unprocessable("the quote's figures are too large to compute exactly".into())
}

fn mul(a: Decimal, b: Decimal) -> Result<Decimal, DomainError> {
    a.checked_mul(b).ok_or_else(too_large)
}

fn add(a: Decimal, b: Decimal) -> Result<Decimal, DomainError> {
    a.checked_add(b).ok_or_else(too_large)
}

/// An exact figure written with at least two decimals ("450.00", "612.3456").
fn exact(value: Decimal) -> ExactDecimal {
    let mut value = value.normalize();
    if value.scale() < 2 {
        value.rescale(2);
    }
    ExactDecimal(value)
}

/// Computes the figures of a request that passed `validate`. A request that did not may give
/// meaningless figures, but never a panic.
pub fn compute(request: &QuoteRequest) -> Result<QuoteResult, DomainError> {
    let providers = &request.providers;
    let n = providers.len();
    let index_of = |agb: &AgbCode| providers.iter().position(|p| p.agb == *agb);
    let surcharges = [
        request.surcharges.organisation_costs.value(),
        request.surcharges.risk_reserve.value(),
        request.surcharges.innovation_fund.value(),
    ];
    let surcharge_percent = surcharges.iter().try_fold(Decimal::ZERO, |acc, s| add(acc, *s))?;
    let markup = add(Decimal::ONE, surcharge_percent / HUNDRED)?;
    // The surcharges as fractions of the unit cost: the same for every prestatie.
    let surcharge_fractions = surcharges.map(|s| s / HUNDRED);
    let mode = request.rounding;
    let method = request.distribution.method;
    // Fixed-share percentages in provider order (providers without a share get 0).
    let mut fixed = vec![Decimal::ZERO; n];
    for share in &request.distribution.shares {
        if let Some(i) = index_of(&share.provider) {
            fixed[i] = share.percentage.value();
        }
    }
    // The key is the same for every prestatie: bring it to integers once.
    let fixed_key = match method {
        DistributionMethod::FixedShares => Some(Weights::new(&fixed).map_err(|_| too_large())?),
        DistributionMethod::CostBased => None,
    };

    let mut lines = Vec::with_capacity(request.prestaties.len());
    let mut matrix = Vec::with_capacity(request.prestaties.len());
    let mut warnings = Vec::new();
    let mut revenue = vec![Decimal::ZERO; n];
    let mut retained = [Decimal::ZERO; 3];
    let mut contract_total = Decimal::ZERO;
    // Reused per prestatie: each provider's share of the units and cost per unit.
    let mut unit_share = vec![Decimal::ZERO; n];
    let mut amounts = vec![Decimal::ZERO; n];
    let mut weights: Vec<Decimal> = Vec::with_capacity(n + 3);

    for (p, line) in request.prestaties.iter().enumerate() {
        unit_share.fill(Decimal::ZERO);
        amounts.fill(Decimal::ZERO);
        for component in &line.components {
            if let Some(i) = index_of(&component.provider) {
                unit_share[i] = Decimal::ONE;
                amounts[i] = component.amount_per_unit.value();
            }
        }
        for shift in request.care_shifts.iter().filter(|s| s.prestatie == line.prestatie) {
            if let (Some(from), Some(to)) = (index_of(&shift.from), index_of(&shift.to)) {
                let moved = shift.share.value() / HUNDRED;
                unit_share[from] -= moved;
                unit_share[to] += moved;
            }
        }

        // Each provider's cost of one unit after shifts; their sum is the unit cost.
        weights.clear();
        let mut unit_cost = Decimal::ZERO;
        for (amount, share) in amounts.iter().zip(&unit_share) {
            // Most providers take no part in a given prestatie: skip the arithmetic on zeros.
            let part = if amount.is_zero() || share.is_zero() { Decimal::ZERO } else { mul(*amount, *share)? };
            if !part.is_zero() {
                unit_cost = add(unit_cost, part)?;
            }
            weights.push(part);
        }
        let volume = line.volume.value();
        let tariff = round_cents(mul(unit_cost, markup)?, mode);
        let total = round_cents(mul(tariff, volume)?, mode);
        contract_total = add(contract_total, total)?;

        // The IGO's surcharges weigh in proportion to the unit cost.
        let surcharge_weights = [
            mul(unit_cost, surcharge_fractions[0])?,
            mul(unit_cost, surcharge_fractions[1])?,
            mul(unit_cost, surcharge_fractions[2])?,
        ];
        let row: Vec<Decimal> = match &fixed_key {
            None => {
                weights.extend_from_slice(&surcharge_weights);
                allocate_cents(total, &weights).map_err(|_| too_large())?
            }
            Some(key) => {
                // First the providers' pool against the IGO's surcharges, then the pool by the key.
                let [org, risk, innovation] = surcharge_weights;
                let split = allocate_cents(total, &[unit_cost, org, risk, innovation]).map_err(|_| too_large())?;
                let mut row = Vec::with_capacity(n + 3);
                key.allocate_into(split[0], &mut row).map_err(|_| too_large())?;
                row.extend_from_slice(&split[1..]);
                row
            }
        };
        let mut cells = Vec::with_capacity(n);
        for (i, provider) in providers.iter().enumerate() {
            revenue[i] = add(revenue[i], row[i])?;
            cells.push(MatrixCell { provider: provider.agb.clone(), amount: ExactDecimal(row[i]) });
        }
        let mut row_igo = Decimal::ZERO;
        for (kept, amount) in retained.iter_mut().zip(&row[n..]) {
            *kept = add(*kept, *amount)?;
            row_igo = add(row_igo, *amount)?;
        }
        matrix.push(MatrixRow {
            prestatie: line.prestatie.clone(),
            providers: cells,
            igo_retained: ExactDecimal(row_igo),
            total: ExactDecimal(total),
        });

        if !volume.is_zero() && unit_cost.is_zero() {
            warnings.push(Warning {
                code: WarningCode::PrestatieWithoutCost,
                pointer: format!("/prestaties/{p}/components"),
                message: format!("{} has volume {volume} but no cost: its tariff is 0.00", line.prestatie.label()),
            });
        } else if volume.is_zero() && !unit_cost.is_zero() {
            warnings.push(Warning {
                code: WarningCode::PrestatieWithoutVolume,
                pointer: format!("/prestaties/{p}/volume"),
                message: format!("{} has a cost build-up but volume 0: it adds nothing", line.prestatie.label()),
            });
        }
        lines.push(PrestatieLine {
            prestatie: line.prestatie.clone(),
            description: line.description.clone(),
            unit: line.prestatie.unit(line.unit),
            volume: line.volume,
            unit_cost: exact(unit_cost),
            tariff: ExactDecimal(tariff),
            total: ExactDecimal(total),
        });
    }

    let mut outcomes = Vec::with_capacity(n);
    for (i, provider) in providers.iter().enumerate() {
        let baseline = provider.baseline_revenue.map(|b| cents(b.value()));
        let difference = baseline.map(|b| revenue[i] - b);
        // The difference in hundredths of the baseline, when there is a baseline to compare with.
        let compared = match (baseline, difference) {
            (Some(b), Some(d)) if !b.is_zero() => Some((b, mul(d, HUNDRED)?)),
            _ => None,
        };
        let difference_percentage = match compared {
            Some((b, d100)) => Some(round_percentage(d100.checked_div(b).ok_or_else(too_large)?)),
            None => None,
        };
        // Exact comparison (loss / baseline > 5%), not the rounded percentage.
        if let Some((b, d100)) = compared {
            if -d100 > mul(LOSS_WARNING_PERCENT, b)? {
                warnings.push(Warning {
                    code: WarningCode::ProviderLosesRevenue,
                    pointer: format!("/providers/{i}/baseline_revenue"),
                    message: format!(
                        "{} ({}) would receive {} under integral funding against {} today: {}%",
                        provider.name,
                        provider.agb,
                        revenue[i],
                        b,
                        difference_percentage.unwrap_or_default()
                    ),
                });
            }
        }
        outcomes.push(ProviderOutcome {
            agb: provider.agb.clone(),
            name: provider.name.clone(),
            kind: provider.kind,
            revenue: ExactDecimal(revenue[i]),
            baseline: baseline.map(ExactDecimal),
            difference: difference.map(ExactDecimal),
            difference_percentage: difference_percentage.map(ExactDecimal),
        });
    }

    let retained_total = retained[0] + retained[1] + retained[2];
    Ok(QuoteResult {
        prestaties: lines,
        contract_total: ExactDecimal(cents(contract_total)),
        igo_retained: IgoRetained {
            organisation_costs: ExactDecimal(cents(retained[0])),
            risk_reserve: ExactDecimal(cents(retained[1])),
            innovation_fund: ExactDecimal(cents(retained[2])),
            total: ExactDecimal(cents(retained_total)),
        },
        providers: outcomes,
        matrix,
        warnings,
        trace: trace(request, surcharge_percent, mode),
    })
}

/// Whole cents written with two decimals (the figures are whole cents already).
fn cents(value: Decimal) -> Decimal {
    crate::money::cents(value)
}

/// The rules applied, in words.
fn trace(request: &QuoteRequest, surcharge_percent: Decimal, mode: RoundingMode) -> Vec<String> {
    let s = &request.surcharges;
    let mut trace = vec![
        format!(
            "period {}: {} providers, {} prestaties, {} care shifts",
            request.period,
            request.providers.len(),
            request.prestaties.len(),
            request.care_shifts.len()
        ),
        "unit cost = sum over the providers of amount per unit x the provider's share of the units after care shifts"
            .to_owned(),
    ];
    if !request.care_shifts.is_empty() {
        trace.push("a care shift moves a percentage of the from provider's own units; shifts add up in any order and do not chain (units a provider received are not passed on by its own shifts)".to_owned());
    }
    for shift in &request.care_shifts {
        trace.push(format!(
            "care shift in {}: {}% of the units of {} move to {}, at {}'s amount per unit",
            shift.prestatie.label(),
            shift.share,
            shift.from,
            shift.to,
            shift.to
        ));
    }
    let rounding = match mode {
        RoundingMode::HalfUp => "half up",
        RoundingMode::Bankers => "half to even (bankers)",
    };
    trace.push(format!(
        "tariff = unit cost x (1 + ({}% organisation costs + {}% risk reserve + {}% innovation fund = {}%) / 100), rounded to whole cents {rounding}",
        s.organisation_costs, s.risk_reserve, s.innovation_fund, surcharge_percent
    ));
    trace.push(format!("prestatie total = tariff x volume (rounded to whole cents {rounding} for fractional hours); contract total = sum of the prestatie totals"));
    trace.push(match request.distribution.method {
        DistributionMethod::CostBased => "distribution cost_based: each prestatie total is split over the providers in proportion to their cost per unit after shifts and over the IGO's surcharges in proportion to the surcharge percentages".to_owned(),
        DistributionMethod::FixedShares => "distribution fixed_shares: each prestatie total is split between the providers' pool (the unit cost) and the IGO's surcharges, then the pool over the providers by the fixed percentages".to_owned(),
    });
    trace.push("every split is made to the cent by the largest-remainder method; equal remainders go to the earlier provider in the input, then organisation costs, risk reserve, innovation fund".to_owned());
    trace
}
