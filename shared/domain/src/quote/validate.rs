//! Validation of a quote request: every problem, each named by a JSON pointer into the body,
//! so a client can fix them all in one go. The shape (types, unknown fields, codes, enum
//! values) is already checked by strict deserialisation; this checks meaning.

use std::collections::HashMap;

use rust_decimal::Decimal;

use super::{
    DistributionMethod, PrestatieInput, QuoteRequest, MAX_AMOUNT_PER_UNIT, MAX_BASELINE, MAX_CARE_SHIFTS,
    MAX_PROVIDERS, MAX_SURCHARGE_PERCENT, MAX_VOLUME,
};
use crate::catalogue::catalogue;
use crate::error::DomainError;
use crate::prestatie::{PrestatieCode, Unit};
use crate::proposal::refusal;
use crate::proposal::PolicyRoute;
use crate::validation::{decimals, Errors};

const HUNDRED: Decimal = Decimal::ONE_HUNDRED;

/// An own prestatie's code, description and unit; an NZa prestatie takes neither of the latter.
fn own_prestatie_shape(i: usize, line: &PrestatieInput, errors: &mut Errors) {
    match &line.prestatie {
        PrestatieCode::Own(_) => {
            if !line.prestatie.well_formed() {
                errors.push(
                    format!("/prestaties/{i}/prestatie"),
                    "an own prestatie's code is 1 to 40 letters, digits, '_', '-' or '.', starting with a letter or digit",
                );
            }
            match &line.description {
                Some(text) => errors.text(format!("/prestaties/{i}/description"), text, 200),
                None => errors.push(format!("/prestaties/{i}/description"), "required with an own prestatie"),
            }
            if line.unit.is_none() {
                errors.push(format!("/prestaties/{i}/unit"), "required with an own prestatie");
            }
        }
        PrestatieCode::Nza(_) => {
            for (field, given) in [("description", line.description.is_some()), ("unit", line.unit.is_some())] {
                if given {
                    errors.push(
                        format!("/prestaties/{i}/{field}"),
                        "only for an own prestatie (innovation route): an NZa prestatie's name and unit are the catalogue's",
                    );
                }
            }
        }
    }
}

/// Every problem of a request; empty when it can be computed.
pub fn validate(request: &QuoteRequest) -> Result<(), DomainError> {
    let mut errors = Errors::new();

    // The catalogue of the contract year decides which prestaties exist.
    // The innovation route is not bound to it.
    let year = i32::from(request.period);
    let integral = request.policy_route == PolicyRoute::IntegraleBekostiging;
    let regulation = if !(2000..=2100).contains(&request.period) {
        errors.push("/period", "must be a year from 2000 to 2100");
        None
    } else if !integral {
        None
    } else {
        let regulation = catalogue().regulation(year);
        if regulation.is_none() {
            errors.push("/period", catalogue().no_regulation(year));
        }
        regulation
    };

    // Providers: at least one, each AGB code once.
    if request.providers.is_empty() {
        errors.push("/providers", "at least one provider is needed");
    } else if request.providers.len() > MAX_PROVIDERS {
        errors.push("/providers", format!("at most {MAX_PROVIDERS} providers"));
    }
    // Pointers are only written out for an error: a valid request builds none.
    let mut providers: HashMap<&str, usize> = HashMap::with_capacity(request.providers.len());
    for (i, provider) in request.providers.iter().enumerate() {
        if let Some(first) = providers.insert(provider.agb.as_str(), i) {
            errors.push(
                format!("/providers/{i}/agb"),
                format!("duplicate AGB code; already listed at /providers/{first}"),
            );
            providers.insert(provider.agb.as_str(), first);
        }
        let name = provider.name.trim();
        if name.is_empty() || name.chars().count() > 200 {
            errors.push(format!("/providers/{i}/name"), "must be 1 to 200 characters");
        }
        if let Some(baseline) = provider.baseline_revenue {
            errors.money(|| format!("/providers/{i}/baseline_revenue"), baseline, MAX_BASELINE);
        }
    }
    let known = |agb: &str| providers.contains_key(agb);

    // Prestaties: each once; volumes and components.
    if request.prestaties.is_empty() {
        errors.push("/prestaties", "at least one prestatie is needed");
    }
    // Where each prestatie is first listed.
    let mut prestaties: HashMap<&PrestatieCode, usize> = HashMap::with_capacity(request.prestaties.len());
    for (i, line) in request.prestaties.iter().enumerate() {
        if let Some(first) = prestaties.get(&line.prestatie) {
            errors.push(format!("/prestaties/{i}/prestatie"), format!("listed twice; already at /prestaties/{first}"));
        } else {
            prestaties.insert(&line.prestatie, i);
        }
        if integral {
            if let Some(why) = refusal(regulation, year, &line.prestatie) {
                errors.push(format!("/prestaties/{i}/prestatie"), why);
            }
        }
        own_prestatie_shape(i, line, &mut errors);
        let volume = line.volume.value();
        let allowed = if line.prestatie.unit(line.unit) == Unit::Hour { 2 } else { 0 };
        if volume.is_sign_negative() && !volume.is_zero() {
            errors.push(format!("/prestaties/{i}/volume"), "must not be negative");
        } else if volume > MAX_VOLUME {
            errors.push(format!("/prestaties/{i}/volume"), format!("at most {MAX_VOLUME}"));
        } else if decimals(volume) > allowed {
            let what = if allowed == 0 { "a whole number of clients" } else { "hours with at most 2 decimals" };
            errors.push(format!("/prestaties/{i}/volume"), format!("must be {what}"));
        }
        for (j, component) in line.components.iter().enumerate() {
            let at = || format!("/prestaties/{i}/components/{j}");
            let agb = component.provider.as_str();
            // An earlier component of the same provider (components are few: a scan is cheapest).
            let first = line.components[..j].iter().position(|c| c.provider == component.provider);
            if !known(agb) {
                errors.push(format!("{}/provider", at()), format!("{agb} is not one of the quote's providers"));
            } else if let Some(first) = first {
                errors.push(
                    format!("{}/provider", at()),
                    format!("this provider already has a component at /prestaties/{i}/components/{first}"),
                );
            }
            errors.money(|| format!("{}/amount_per_unit", at()), component.amount_per_unit, MAX_AMOUNT_PER_UNIT);
        }
    }

    // Care shifts: known prestatie and providers, both taking part in it; the shares moved
    // away from one provider in one prestatie add up to at most 100% (more units than it has
    // cannot move, so this is an error, not a warning).
    if request.care_shifts.len() > MAX_CARE_SHIFTS {
        errors.push("/care_shifts", format!("at most {MAX_CARE_SHIFTS} care shifts"));
    }
    let mut moved: HashMap<(&PrestatieCode, &str), Decimal> = HashMap::new();
    for (k, shift) in request.care_shifts.iter().enumerate() {
        let at = || format!("/care_shifts/{k}");
        let line = prestaties.get(&shift.prestatie).map(|i| &request.prestaties[*i]);
        let takes_part = |agb: &str| line.is_some_and(|l| l.components.iter().any(|c| c.provider.as_str() == agb));
        if line.is_none() {
            errors.push(format!("{}/prestatie", at()), "this prestatie is not among the quote's prestaties");
        }
        for (field, agb) in [("from", shift.from.as_str()), ("to", shift.to.as_str())] {
            if !known(agb) {
                errors.push(format!("{}/{field}", at()), format!("{agb} is not one of the quote's providers"));
            } else if line.is_some() && !takes_part(agb) {
                let why = if field == "from" { "so it has no units to move" } else { "so shifted units have no price" };
                errors
                    .push(format!("{}/{field}", at()), format!("{agb} has no cost component in this prestatie, {why}"));
            }
        }
        if shift.from == shift.to {
            errors.push(format!("{}/to", at()), "must differ from `from`");
        }
        let share = shift.share.value();
        if share <= Decimal::ZERO || share > HUNDRED || decimals(share) > 2 {
            errors.push(
                format!("{}/share", at()),
                "must be a percentage above 0 and at most 100, with at most 2 decimals",
            );
        } else {
            let total = moved.entry((&shift.prestatie, shift.from.as_str())).or_default();
            *total += share;
            if *total > HUNDRED {
                errors.push(
                    format!("{}/share", at()),
                    format!(
                        "the shares moved away from {} in this prestatie add up to {total}%, above 100%",
                        shift.from
                    ),
                );
            }
        }
    }

    for (field, value) in [
        ("organisation_costs", request.surcharges.organisation_costs),
        ("risk_reserve", request.surcharges.risk_reserve),
        ("innovation_fund", request.surcharges.innovation_fund),
    ] {
        errors.percentage(|| format!("/surcharges/{field}"), value, MAX_SURCHARGE_PERCENT, 2);
    }

    // Distribution: shares only for fixed_shares, every provider at most once, adding up to 100.
    let shares = &request.distribution.shares;
    match request.distribution.method {
        DistributionMethod::CostBased if !shares.is_empty() => {
            errors.push("/distribution/shares", "only for method fixed_shares; cost_based follows the components");
        }
        DistributionMethod::CostBased => {}
        DistributionMethod::FixedShares => {
            if shares.is_empty() {
                errors.push("/distribution/shares", "fixed_shares needs the providers' percentages");
            }
            let mut seen: HashMap<&str, usize> = HashMap::with_capacity(shares.len());
            let mut sum = Decimal::ZERO;
            let mut all_valid = true;
            for (s, share) in shares.iter().enumerate() {
                let agb = share.provider.as_str();
                if !known(agb) {
                    errors.push(
                        format!("/distribution/shares/{s}/provider"),
                        format!("{agb} is not one of the quote's providers"),
                    );
                } else if let Some(first) = seen.insert(agb, s) {
                    errors.push(
                        format!("/distribution/shares/{s}/provider"),
                        format!("already given at /distribution/shares/{first}"),
                    );
                }
                all_valid &=
                    errors.percentage(|| format!("/distribution/shares/{s}/percentage"), share.percentage, HUNDRED, 2);
                sum += share.percentage.value();
            }
            if !shares.is_empty() && all_valid && sum != HUNDRED {
                errors.push("/distribution/shares", format!("the percentages add up to {sum}, not 100"));
            }
        }
    }

    errors.finish()
}
