//! Validation of a proposal's content: every failure at once, each named by a JSON pointer into
//! the body. Strict deserialisation has checked the shape; this checks the meaning.

use std::ops::RangeInclusive;

use std::collections::{BTreeMap, HashSet};

use chrono::Datelike;
use rust_decimal::Decimal;

use super::{
    CareShift, DistributionKey, LineInput, Period, PolicyRoute, ProposalContent, MAX_CARE_SHIFTS, MAX_NAME_CHARS,
    MAX_PROVIDERS, MAX_TEXT_CHARS, MAX_VOLUME, SHARE_DECIMALS, YEARS,
};
use crate::catalogue::{catalogue, AttentionPointField, Regulation};
use crate::money::ExactDecimal;
use crate::prestatie::PrestatieCode;
use crate::validation::Errors;

/// Tariffs stay below one billion euros.
fn tariff_limit() -> Decimal {
    Decimal::from(1_000_000_000u64)
}

impl Period {
    /// The calendar years the period covers (one for a year; start to end year for a range).
    /// Only meaningful for a valid period.
    pub fn years(&self) -> RangeInclusive<i32> {
        match (self.year, self.start, self.end) {
            (Some(year), _, _) => year..=year,
            (None, Some(start), Some(end)) => start.year()..=end.year().max(start.year()),
            _ => self.contract_year()..=self.contract_year(),
        }
    }

    fn validate(&self, errors: &mut Errors) {
        match (self.year, self.start, self.end) {
            (Some(year), None, None) => {
                if !YEARS.contains(&year) {
                    errors.push("/period/year", "must be a year from 2000 to 2100");
                }
            }
            (None, Some(start), Some(end)) => {
                if !YEARS.contains(&start.year()) {
                    errors.push("/period/start", "must lie in the years 2000 to 2100");
                }
                if end < start {
                    errors.push("/period/end", "must not lie before start");
                } else if (end - start).num_days() > 366 * 5 {
                    errors.push("/period/end", "a contract period spans at most 5 years");
                }
            }
            _ => errors.push("/period", "give either a year, or both a start and an end date"),
        }
    }
}

/// A percentage: 0 to 100 with at most 4 decimals.
fn check_percentage(pointer: &str, share: ExactDecimal, errors: &mut Errors) {
    let value = share.0;
    if value.is_sign_negative() && !value.is_zero() {
        errors.push(pointer, "must not be negative");
    } else if value > Decimal::ONE_HUNDRED {
        errors.push(pointer, "must not exceed 100");
    } else if value.normalize().scale() > SHARE_DECIMALS {
        errors.push(pointer, format!("at most {SHARE_DECIMALS} decimals"));
    }
}

/// Validates lines at `pointer` (`/lines` or `/counter_lines`): at least one, each prestatie
/// at most once, an own prestatie's shape (code, description, unit), volumes and tariffs in
/// range. Whether an own prestatie is allowed at all is the route's (`validate_lines_in_period`).
pub fn validate_lines(pointer: &str, lines: &[LineInput], errors: &mut Errors) {
    if lines.is_empty() {
        errors.push(pointer, "at least one line is required");
    }
    let mut seen = HashSet::new();
    for (i, line) in lines.iter().enumerate() {
        if !seen.insert(&line.prestatie) {
            errors.push(format!("{pointer}/{i}/prestatie"), "each prestatie may appear only once");
        }
        match &line.prestatie {
            PrestatieCode::Own(_) => {
                if !line.prestatie.well_formed() {
                    errors.push(format!("{pointer}/{i}/prestatie"), OWN_CODE_SHAPE);
                }
                match &line.description {
                    Some(text) => errors.text(format!("{pointer}/{i}/description"), text, MAX_NAME_CHARS),
                    None => errors.push(format!("{pointer}/{i}/description"), "required with an own prestatie"),
                }
                if line.unit.is_none() {
                    errors.push(format!("{pointer}/{i}/unit"), "required with an own prestatie");
                }
            }
            PrestatieCode::Nza(_) => {
                for (field, given) in [("description", line.description.is_some()), ("unit", line.unit.is_some())] {
                    if given {
                        errors.push(
                            format!("{pointer}/{i}/{field}"),
                            "only for an own prestatie (innovation route): an NZa prestatie's name and unit are the catalogue's",
                        );
                    }
                }
            }
        }
        if line.volume > MAX_VOLUME {
            errors.push(format!("{pointer}/{i}/volume"), "must be from 0 to 10000000");
        }
        let tariff = line.tariff.0;
        let at = format!("{pointer}/{i}/tariff");
        if tariff.is_sign_negative() && !tariff.is_zero() {
            errors.push(at, "must not be negative");
        } else if tariff >= tariff_limit() {
            errors.push(at, "must be below 1000000000");
        } else if tariff.normalize().scale() > 2 {
            errors.push(at, "at most 2 decimals");
        }
    }
}

fn validate_distribution_key(key: &DistributionKey, lines: &[LineInput], errors: &mut Errors) {
    let base = "/distribution_key/providers";
    if key.providers.is_empty() {
        errors.push(base, "at least one member provider is required");
        return;
    }
    if key.providers.len() > MAX_PROVIDERS {
        errors.push(base, format!("at most {MAX_PROVIDERS} member providers"));
        return;
    }
    let mut agbs = HashSet::new();
    for (i, provider) in key.providers.iter().enumerate() {
        if !agbs.insert(&provider.agb) {
            errors.push(format!("{base}/{i}/agb"), "each provider's AGB code may appear only once");
        }
        errors.text(format!("{base}/{i}/name"), &provider.name, MAX_NAME_CHARS);
    }
    let per_provider = key.providers.iter().all(|p| p.share.is_some() && p.shares.is_empty());
    let per_prestatie = key.providers.iter().all(|p| p.share.is_none() && !p.shares.is_empty());
    if per_provider {
        let mut sum = Decimal::ZERO;
        let before = errors.len();
        for (i, provider) in key.providers.iter().enumerate() {
            let share = provider.share.expect("per provider");
            check_percentage(&format!("{base}/{i}/share"), share, errors);
            sum += share.0;
        }
        if errors.len() == before && sum != Decimal::ONE_HUNDRED {
            errors.push(base, format!("the shares add up to {sum}; they must add up to exactly 100"));
        }
    } else if per_prestatie {
        let covered: HashSet<&PrestatieCode> = lines.iter().map(|l| &l.prestatie).collect();
        let mut sums: BTreeMap<&PrestatieCode, Decimal> = BTreeMap::new();
        let before = errors.len();
        for (i, provider) in key.providers.iter().enumerate() {
            let mut seen = HashSet::new();
            for (j, share) in provider.shares.iter().enumerate() {
                let at = format!("{base}/{i}/shares/{j}");
                if !seen.insert(&share.prestatie) {
                    errors.push(format!("{at}/prestatie"), "each prestatie may appear only once");
                } else if !covered.contains(&share.prestatie) {
                    errors.push(format!("{at}/prestatie"), "this prestatie is not among the lines");
                }
                check_percentage(&format!("{at}/share"), share.share, errors);
                *sums.entry(&share.prestatie).or_default() += share.share.0;
            }
        }
        if errors.len() == before {
            let mut prestaties: Vec<_> = covered.into_iter().collect();
            prestaties.sort();
            for prestatie in prestaties {
                let sum = sums.get(&prestatie).copied().unwrap_or_default();
                if sum != Decimal::ONE_HUNDRED {
                    errors.push(
                        base,
                        format!("the shares of {} add up to {sum}; they must add up to exactly 100", prestatie.code()),
                    );
                }
            }
        }
    } else {
        errors.push(base, "give every provider either one 'share' (per provider) or 'shares' per prestatie, not a mix");
    }
}

fn validate_care_shifts(shifts: &[CareShift], errors: &mut Errors) {
    if shifts.len() > MAX_CARE_SHIFTS {
        errors.push("/care_shifts", format!("at most {MAX_CARE_SHIFTS} care shifts"));
        return;
    }
    for (i, shift) in shifts.iter().enumerate() {
        if !shift.prestatie.well_formed() {
            errors.push(format!("/care_shifts/{i}/prestatie"), OWN_CODE_SHAPE);
        }
        if shift.from == shift.to {
            errors.push(format!("/care_shifts/{i}/to"), "must differ from 'from'");
        }
        check_percentage(&format!("/care_shifts/{i}/share"), shift.share, errors);
        errors.optional_text(format!("/care_shifts/{i}/note"), shift.note.as_deref(), MAX_TEXT_CHARS);
    }
}

pub(super) fn validate_quote_id(pointer: &str, quote_id: &Option<String>, errors: &mut Errors) {
    if let Some(id) = quote_id {
        // Quote ids are ULIDs (the quotes function hands them out); one place checks them.
        if let Err(e) = crate::ids::IdKind::Ulid.check(pointer, id) {
            errors.push(pointer, e.detail);
        }
    }
}

const OWN_CODE_SHAPE: &str =
    "an own prestatie's code is 1 to 40 letters, digits, '_', '-' or '.', starting with a letter or digit";

/// Why a prestatie may not be claimed in `year` under the integral route (`regulation` is the
/// year's, if any): an own code belongs to the innovation route, an NZa prestatie must be one of
/// the year's.
pub(crate) fn refusal(regulation: Option<&Regulation>, year: i32, prestatie: &PrestatieCode) -> Option<String> {
    match prestatie {
        PrestatieCode::Own(code) => Some(format!(
            "{code} is not an NZa integral prestatie: an own prestatie needs policy_route innovatie (see GET /v1/prestaties?year={year})"
        )),
        PrestatieCode::Nza(p) => regulation.and_then(|r| r.refusal(year, *p)),
    }
}

/// The NZa regulation of a contract year under `route`: `None` for the innovation route (not
/// bound to the catalogue), and for a year without one (the failure is pushed at `period_pointer`).
fn regulation_of(
    route: PolicyRoute,
    year: i32,
    period_pointer: &str,
    errors: &mut Errors,
) -> Option<&'static Regulation> {
    if route == PolicyRoute::Innovatie {
        return None;
    }
    let regulation = catalogue().regulation(year);
    if regulation.is_none() {
        errors.push(period_pointer, catalogue().no_regulation(year));
    }
    regulation
}

/// The first refusal of `prestatie` in any year of `years` under the integral route: a period
/// spanning two regulations (a date range from 2022 into 2023) must fit both.
fn refusal_in_years(years: RangeInclusive<i32>, prestatie: &PrestatieCode) -> Option<String> {
    years.into_iter().find_map(|year| refusal(catalogue().regulation(year), year, prestatie))
}

/// Lines at `pointer` (a counter's) against the catalogues of the contract period's `years`
/// under `route`: under the integral route each prestatie must be one of every year's (a removed
/// one is refused saying why and from when).
pub fn validate_lines_in_period(
    pointer: &str,
    route: PolicyRoute,
    years: RangeInclusive<i32>,
    lines: &[LineInput],
    errors: &mut Errors,
) {
    // A stored proposal's year without a regulation (stored before the catalogue) is not
    // refused here: the counter is about its lines.
    if route == PolicyRoute::Innovatie {
        return;
    }
    for (i, line) in lines.iter().enumerate() {
        if let Some(why) = refusal_in_years(years.clone(), &line.prestatie) {
            errors.push(format!("{pointer}/{i}/prestatie"), why);
        }
    }
}

impl ProposalContent {
    /// The lines, care shifts and attention points against the catalogue of the period's
    /// year (integral route only). Only called with a valid period.
    fn validate_against_catalogue(&self, errors: &mut Errors) {
        let years = self.period.years();
        let period_pointer = if self.period.year.is_some() { "/period/year" } else { "/period/start" };
        // Regulations run without gaps from their first year on: the start year decides whether
        // the period has one at all.
        if regulation_of(self.policy_route, *years.start(), period_pointer, errors).is_none() {
            return;
        }
        validate_lines_in_period("/lines", self.policy_route, years.clone(), &self.lines, errors);
        for (i, shift) in self.care_shifts.iter().enumerate() {
            if let Some(why) = refusal_in_years(years.clone(), &shift.prestatie) {
                errors.push(format!("/care_shifts/{i}/prestatie"), why);
            }
        }
        if self.attention_points.bundle_breakers.is_some() {
            let why = years.clone().find_map(|year| {
                catalogue().regulation(year)?.attention_point_refusal(year, AttentionPointField::BundleBreakers)
            });
            if let Some(why) = why {
                errors.push("/attention_points/bundle_breakers", why);
            }
        }
    }

    /// Every validation rule of the editable content; all failures at once.
    pub fn validate(&self, errors: &mut Errors) {
        let before = errors.len();
        self.period.validate(errors);
        if errors.len() == before {
            self.validate_against_catalogue(errors);
        }
        validate_lines("/lines", &self.lines, errors);
        validate_distribution_key(&self.distribution_key, &self.lines, errors);
        validate_care_shifts(&self.care_shifts, errors);
        let points = &self.attention_points;
        errors.optional_text("/attention_points/bundle_breakers", points.bundle_breakers.as_deref(), MAX_TEXT_CHARS);
        errors.optional_text(
            "/attention_points/expensive_medicines",
            points.expensive_medicines.as_deref(),
            MAX_TEXT_CHARS,
        );
        errors.optional_text("/attention_points/case_mix", points.case_mix.as_deref(), MAX_TEXT_CHARS);
        errors.optional_text("/attention_points/notes", points.notes.as_deref(), MAX_TEXT_CHARS);
        validate_quote_id("/quote_id", &self.quote_id, errors);
    }
}
