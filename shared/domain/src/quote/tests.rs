//! Hand-computed quotes, validation cases and properties of the computation.

use proptest::prelude::*;
use rust_decimal::Decimal;
use serde_json::{json, Value};

use super::*;

const H: &str = "06111111"; // hospital
const M: &str = "08222222"; // midwives' practice
const K: &str = "33333333"; // kraamzorg

fn request(body: Value) -> QuoteRequest {
    serde_json::from_value(body).expect("a well-formed request")
}

fn providers() -> Value {
    json!([
        {"agb": H, "name": "Ziekenhuis Noord", "kind": "ziekenhuis", "baseline_revenue": "100000.00"},
        {"agb": M, "name": "Verloskundigen De Wieg", "kind": "verloskundigenpraktijk", "baseline_revenue": "50000.00"},
        {"agb": K, "name": "Kraamzorg Thuis", "kind": "kraamzorg"}
    ])
}

fn base(prestaties: Value) -> Value {
    json!({
        "period": 2027,
        "providers": providers(),
        "prestaties": prestaties,
        "distribution": {"method": "cost_based"}
    })
}

fn s(value: &ExactDecimal) -> String {
    value.to_string()
}

fn row(result: &QuoteResult, p: usize) -> Vec<String> {
    result.matrix[p].providers.iter().map(|c| s(&c.amount)).collect()
}

/// The invariants every quote keeps, checked on every hand-computed case too.
fn assert_adds_up(result: &QuoteResult) {
    let lines: Decimal = result.prestaties.iter().map(|l| l.total.value()).sum();
    assert_eq!(lines, result.contract_total.value(), "prestatie totals add up to the contract total");
    let revenue: Decimal = result.providers.iter().map(|p| p.revenue.value()).sum();
    assert_eq!(revenue + result.igo_retained.total.value(), result.contract_total.value());
    let igo = &result.igo_retained;
    assert_eq!(
        igo.organisation_costs.value() + igo.risk_reserve.value() + igo.innovation_fund.value(),
        igo.total.value()
    );
    for row in &result.matrix {
        let cells: Decimal = row.providers.iter().map(|c| c.amount.value()).sum();
        assert_eq!(cells + row.igo_retained.value(), row.total.value(), "row {:?} adds up", row.prestatie);
    }
}

#[test]
fn cost_based_without_surcharges_pays_each_provider_its_cost() {
    let req = request(base(json!([
        {"prestatie": "geboortezorg_nataal", "volume": "3", "components": [
            {"provider": H, "amount_per_unit": "100.00"}, {"provider": M, "amount_per_unit": "200.00"}]}
    ])));
    let result = quote(&req).unwrap();
    let line = &result.prestaties[0];
    assert_eq!(
        (s(&line.unit_cost), s(&line.tariff), s(&line.total)),
        ("300.00".into(), "300.00".into(), "900.00".into())
    );
    assert_eq!(row(&result, 0), ["300.00", "600.00", "0.00"]);
    assert_eq!(s(&result.igo_retained.total), "0.00");
    assert_adds_up(&result);
}

#[test]
fn tariff_rounding_surplus_is_allocated_where_naive_rounding_loses_a_cent() {
    // unit cost 133.45; markup 4.33% → 139.228385 → tariff 139.23; total x 7 = 974.61.
    // Naive per-part rounding: H 70.00 + M 864.15 + org 31.11 (31.107195) + risk 9.34 (9.3415)
    // = 974.60, a cent short. Largest remainder: quotas in cents 7000.08, 86416.00, 3110.76,
    // 934.16 → floors 97460, the left cent goes to the organisation costs (.76).
    let mut body = base(json!([
        {"prestatie": "geboortezorg_prenataal", "volume": "7", "components": [
            {"provider": M, "amount_per_unit": "123.45"}, {"provider": H, "amount_per_unit": "10.00"}]}
    ]));
    body["surcharges"] = json!({"organisation_costs": "3.33", "risk_reserve": "1.00"});
    let result = quote(&request(body)).unwrap();
    let line = &result.prestaties[0];
    assert_eq!(s(&line.unit_cost), "133.45");
    assert_eq!(s(&line.tariff), "139.23");
    assert_eq!(s(&line.total), "974.61");
    assert_eq!(row(&result, 0), ["70.00", "864.16", "0.00"]);
    assert_eq!(s(&result.igo_retained.organisation_costs), "31.11");
    assert_eq!(s(&result.igo_retained.risk_reserve), "9.34");
    assert_eq!(s(&result.igo_retained.innovation_fund), "0.00");
    assert_eq!(s(&result.contract_total), "974.61");
    assert_adds_up(&result);
}

#[test]
fn care_shift_moves_units_at_the_receivers_cost_and_warns_the_loser() {
    // 10% of the hospital's natal units go to the midwives: H 0.9 x 1000 + M 1.1 x 500 = 1450.
    let mut body = base(json!([
        {"prestatie": "geboortezorg_nataal", "volume": "100", "components": [
            {"provider": H, "amount_per_unit": "1000.00"}, {"provider": M, "amount_per_unit": "500.00"}]}
    ]));
    body["care_shifts"] = json!([{"prestatie": "geboortezorg_nataal", "from": H, "to": M, "share": "10"}]);
    let result = quote(&request(body)).unwrap();
    assert_eq!(s(&result.prestaties[0].unit_cost), "1450.00");
    assert_eq!(s(&result.contract_total), "145000.00");
    assert_eq!(row(&result, 0), ["90000.00", "55000.00", "0.00"]);
    let hospital = &result.providers[0];
    assert_eq!(hospital.difference.map(|d| d.to_string()).as_deref(), Some("-10000.00"));
    assert_eq!(hospital.difference_percentage.map(|d| d.to_string()).as_deref(), Some("-10.00"));
    assert_eq!(result.providers[1].difference_percentage.map(|d| d.to_string()).as_deref(), Some("10.00"));
    assert_eq!(result.providers[2].baseline, None);
    assert_eq!(result.providers[2].difference, None);
    assert_eq!(result.warnings.len(), 1, "{:?}", result.warnings);
    assert_eq!(result.warnings[0].code, WarningCode::ProviderLosesRevenue);
    assert_eq!(result.warnings[0].pointer, "/providers/0/baseline_revenue");
    assert!(
        result.trace.iter().any(|t| t.contains("10% of the units of 06111111 move to 08222222")),
        "{:?}",
        result.trace
    );
    assert_adds_up(&result);
}

#[test]
fn loss_of_exactly_five_percent_is_not_warned() {
    let mut body = base(json!([
        {"prestatie": "geboortezorg_nataal", "volume": "95", "components": [{"provider": H, "amount_per_unit": "1000.00"}]}
    ]));
    body["providers"][1]["baseline_revenue"] = json!("0");
    let result = quote(&request(body)).unwrap();
    assert_eq!(result.providers[0].difference_percentage.map(|d| d.to_string()).as_deref(), Some("-5.00"));
    assert_eq!(result.providers[1].difference_percentage, None, "no percentage of a zero baseline");
    assert!(result.warnings.is_empty(), "{:?}", result.warnings);
}

#[test]
fn fixed_shares_split_the_pool_by_the_key() {
    // unit cost 90.91, +10% → 100.001 → tariff 100.00. Pool vs IGO: quotas 9090.91 and 909.09
    // cents → 90.91 and 9.09. Pool by 33.33/33.33/33.34: 3030.03, 3030.03, 3030.94 → the left
    // cent goes to the kraamzorg (.94).
    let mut body = base(json!([
        {"prestatie": "geboortezorg_prenataal", "volume": "1", "components": [{"provider": M, "amount_per_unit": "90.91"}]}
    ]));
    body["surcharges"] = json!({"organisation_costs": "10"});
    body["distribution"] = json!({"method": "fixed_shares", "shares": [
        {"provider": H, "percentage": "33.33"}, {"provider": M, "percentage": "33.33"}, {"provider": K, "percentage": "33.34"}]});
    let result = quote(&request(body)).unwrap();
    assert_eq!(s(&result.prestaties[0].tariff), "100.00");
    assert_eq!(row(&result, 0), ["30.30", "30.30", "30.31"]);
    assert_eq!(s(&result.igo_retained.organisation_costs), "9.09");
    assert_adds_up(&result);
}

#[test]
fn rounding_mode_decides_midpoints() {
    // 2.50 x 1.01 = 2.525: half up 2.53, bankers 2.52. Kraamzorg 10.5 h x 60.33 = 633.465.
    let mut body = base(json!([
        {"prestatie": "geboortezorg_postnataal", "volume": "2", "components": [{"provider": M, "amount_per_unit": "2.50"}]},
        {"prestatie": "kraamzorg_postnataal_per_uur", "volume": "10.5", "components": [{"provider": K, "amount_per_unit": "60.33"}]}
    ]));
    body["surcharges"] = json!({"innovation_fund": "1"});
    let half_up = quote(&request(body.clone())).unwrap();
    body["rounding"] = json!("bankers");
    let bankers = quote(&request(body.clone())).unwrap();
    assert_eq!(s(&half_up.prestaties[0].tariff), "2.53");
    assert_eq!(s(&bankers.prestaties[0].tariff), "2.52");
    // 60.33 x 1.01 = 60.9333 → 60.93 either way; 60.93 x 10.5 = 639.765 → 639.77 / 639.76.
    assert_eq!(s(&half_up.prestaties[1].total), "639.77");
    assert_eq!(s(&bankers.prestaties[1].total), "639.76");
    assert_eq!(half_up.prestaties[1].unit, crate::prestatie::Unit::Hour);
    assert_adds_up(&half_up);
    assert_adds_up(&bankers);
}

#[test]
fn volume_without_cost_and_cost_without_volume_are_warned() {
    let body = base(json!([
        {"prestatie": "geboortezorg_nataal_complex", "volume": "4"},
        {"prestatie": "geboortezorg_prenataal_complex", "volume": "0", "components": [{"provider": H, "amount_per_unit": "10.00"}]}
    ]));
    let result = quote(&request(body)).unwrap();
    let codes: Vec<_> = result.warnings.iter().map(|w| (w.code, w.pointer.as_str())).collect();
    assert!(codes.contains(&(WarningCode::PrestatieWithoutCost, "/prestaties/0/components")), "{codes:?}");
    assert!(codes.contains(&(WarningCode::PrestatieWithoutVolume, "/prestaties/1/volume")), "{codes:?}");
    assert_eq!(s(&result.prestaties[0].tariff), "0.00");
    assert_adds_up(&result);
}

/// Where a body fails: the shape error's path (as the HTTP edge's strict parser names it), or
/// every pointer validation names.
fn pointers(body: Value) -> Vec<String> {
    match crate::test_support::parse::<QuoteRequest>(&body) {
        Err(DomainError::Invalid(errors)) => errors.into_iter().map(|e| e.pointer).collect(),
        Err(other) => panic!("unexpected {other:?}"),
        Ok(req) => match validate(&req) {
            Ok(()) => vec![],
            Err(DomainError::Invalid(errors)) => errors.into_iter().map(|e| e.pointer).collect(),
            Err(other) => panic!("unexpected {other:?}"),
        },
    }
}

fn valid() -> Value {
    let mut body = base(json!([
        {"prestatie": "geboortezorg_nataal", "volume": "100", "components": [
            {"provider": H, "amount_per_unit": "1000.00"}, {"provider": M, "amount_per_unit": "500.00"}]}
    ]));
    body["care_shifts"] = json!([{"prestatie": "geboortezorg_nataal", "from": H, "to": M, "share": "10"}]);
    body
}

#[test]
fn validation_names_every_bad_field() {
    assert!(pointers(valid()).is_empty());
    type Case = (fn(&mut Value), &'static str);
    fn case(mutate: fn(&mut Value), pointer: &'static str) -> Case {
        (mutate, pointer)
    }
    let cases: Vec<Case> = vec![
        case(|b| b["prestaties"][0]["volume"] = json!("-1"), "/prestaties/0/volume"),
        case(|b| b["prestaties"][0]["volume"] = json!("1.5"), "/prestaties/0/volume"),
        case(
            |b| b["prestaties"][0]["components"][1]["provider"] = json!("99999999"),
            "/prestaties/0/components/1/provider",
        ),
        case(|b| b["prestaties"][0]["components"][1]["provider"] = json!(H), "/prestaties/0/components/1/provider"),
        case(
            |b| b["prestaties"][0]["components"][0]["amount_per_unit"] = json!("10.005"),
            "/prestaties/0/components/0/amount_per_unit",
        ),
        case(
            |b| b["prestaties"][0]["components"][0]["amount_per_unit"] = json!("-10.00"),
            "/prestaties/0/components/0/amount_per_unit",
        ),
        case(|b| b["care_shifts"][0]["to"] = json!("99999999"), "/care_shifts/0/to"),
        case(|b| b["care_shifts"][0]["to"] = json!(K), "/care_shifts/0/to"),
        case(|b| b["care_shifts"][0]["from"] = json!(M), "/care_shifts/0/to"),
        case(|b| b["care_shifts"][0]["share"] = json!("100.01"), "/care_shifts/0/share"),
        case(|b| b["care_shifts"][0]["prestatie"] = json!("geboortezorg_postnataal"), "/care_shifts/0/prestatie"),
        case(
            |b| {
                b["care_shifts"][0]["share"] = json!("60");
                b["care_shifts"]
                    .as_array_mut()
                    .unwrap()
                    .push(json!({"prestatie": "geboortezorg_nataal", "from": H, "to": M, "share": "40.01"}));
            },
            "/care_shifts/1/share",
        ),
        case(|b| b["providers"] = json!([]), "/providers"),
        case(|b| b["providers"][1]["agb"] = json!(H), "/providers/1/agb"),
        case(|b| b["providers"][1]["name"] = json!("  "), "/providers/1/name"),
        case(|b| b["providers"][0]["baseline_revenue"] = json!("1.001"), "/providers/0/baseline_revenue"),
        case(|b| b["providers"][0]["baseline_revenue"] = json!(100), "/providers/0/baseline_revenue"),
        case(|b| b["providers"][0]["colour"] = json!("red"), "/providers/0/colour"),
        case(|b| b["prestaties"] = json!([]), "/prestaties"),
        case(
            |b| {
                b["prestaties"].as_array_mut().unwrap().push(json!({"prestatie": "geboortezorg_nataal", "volume": "1"}))
            },
            "/prestaties/1/prestatie",
        ),
        case(|b| b["surcharges"] = json!({"risk_reserve": "100.5"}), "/surcharges/risk_reserve"),
        case(|b| b["surcharges"] = json!({"risk_reserve": "-1"}), "/surcharges/risk_reserve"),
        case(|b| b["period"] = json!(1999), "/period"),
        case(|b| b["distribution"]["shares"] = json!([{"provider": H, "percentage": "100"}]), "/distribution/shares"),
        case(|b| b["distribution"] = json!({"method": "fixed_shares"}), "/distribution/shares"),
        case(
            |b| b["distribution"] = json!({"method": "fixed_shares", "shares": [{"provider": H, "percentage": "60"}, {"provider": M, "percentage": "39.99"}]}),
            "/distribution/shares",
        ),
        case(
            |b| b["distribution"] = json!({"method": "fixed_shares", "shares": [{"provider": H, "percentage": "60"}, {"provider": "99999999", "percentage": "40"}]}),
            "/distribution/shares/1/provider",
        ),
        case(|b| b["distribution"] = json!({"method": "evenly"}), "/distribution/method"),
    ];
    for (i, (mutate, pointer)) in cases.into_iter().enumerate() {
        let mut body = valid();
        mutate(&mut body);
        let found = pointers(body);
        assert!(found.iter().any(|p| p == pointer), "case {i}: expected {pointer}, got {found:?}");
    }
}

#[test]
fn all_problems_are_reported_at_once() {
    let mut body = valid();
    body["prestaties"][0]["volume"] = json!("-3");
    body["surcharges"] = json!({"organisation_costs": "0.001"});
    body["care_shifts"][0]["share"] = json!("0");
    let found = pointers(body);
    assert_eq!(found, ["/prestaties/0/volume", "/care_shifts/0/share", "/surcharges/organisation_costs"]);
}

#[test]
fn echo_of_the_request_round_trips() {
    let req = request(valid());
    let text = serde_json::to_string(&req).unwrap();
    let back: QuoteRequest = serde_json::from_str(&text).unwrap();
    assert_eq!(back, req);
    assert!(text.contains("\"rounding\":\"half_up\""), "defaults are echoed: {text}");
}

// ---- properties -----------------------------------------------------------------------------

const AGBS: [&str; 6] = ["10000001", "10000002", "10000003", "10000004", "10000005", "10000006"];

fn cents_str(c: i64) -> String {
    Decimal::new(c, 2).to_string()
}

prop_compose! {
    fn arb_request()(
        n in 1usize..=6,
        lines in proptest::collection::vec(
            (0u64..5_000, proptest::collection::vec(proptest::option::of(0i64..500_000), 6)), 1..=8),
        shifts in proptest::collection::vec((0usize..8, 0usize..6, 0usize..6, 1i64..=3_300), 0..3),
        surcharges in (0i64..2_000, 0i64..2_000, 0i64..2_000),
        fixed in proptest::option::of(proptest::collection::vec(0i64..1_000, 6)),
        bankers in any::<bool>(),
    ) -> Value {
        let providers: Vec<Value> = AGBS[..n].iter().enumerate().map(|(i, agb)| json!({
            "agb": agb, "name": format!("Provider {i}"), "kind": "other", "baseline_revenue": cents_str(i as i64 * 1_234_567)
        })).collect();
        let mut prestaties = Vec::new();
        let mut components: Vec<Vec<usize>> = Vec::new();
        for (p, (volume, amounts)) in lines.iter().enumerate() {
            let prestatie = of_2027(p);
            let volume = if prestatie.unit() == Unit::Hour { cents_str(*volume as i64 * 37) } else { volume.to_string() };
            let comps: Vec<(usize, i64)> = amounts[..n].iter().enumerate().filter_map(|(i, a)| a.map(|a| (i, a))).collect();
            components.push(comps.iter().map(|(i, _)| *i).collect());
            prestaties.push(json!({
                "prestatie": prestatie, "volume": volume,
                "components": comps.iter().map(|(i, a)| json!({"provider": AGBS[*i], "amount_per_unit": cents_str(*a)})).collect::<Vec<_>>()
            }));
        }
        // Shifts between providers that both take part; at most 3 of at most 33% each.
        let care_shifts: Vec<Value> = shifts.iter().filter_map(|(p, from, to, share)| {
            let comps = components.get(*p)?;
            (from != to && comps.contains(from) && comps.contains(to)).then(|| json!({
                "prestatie": of_2027(*p), "from": AGBS[*from], "to": AGBS[*to], "share": cents_str(*share)
            }))
        }).collect();
        let distribution = match fixed {
            Some(weights) => {
                // Integer hundredths of a percent adding up to exactly 100.
                let weights: Vec<i64> = weights[..n].iter().map(|w| w + 1).collect();
                let sum: i64 = weights.iter().sum();
                let mut parts: Vec<i64> = weights.iter().map(|w| w * 10_000 / sum).collect();
                parts[0] += 10_000 - parts.iter().sum::<i64>();
                json!({"method": "fixed_shares", "shares": parts.iter().enumerate().map(|(i, p)| json!({"provider": AGBS[i], "percentage": cents_str(*p)})).collect::<Vec<_>>()})
            }
            None => json!({"method": "cost_based"}),
        };
        json!({
            "period": 2027, "providers": providers, "prestaties": prestaties, "care_shifts": care_shifts,
            "surcharges": {"organisation_costs": cents_str(surcharges.0), "risk_reserve": cents_str(surcharges.1), "innovation_fund": cents_str(surcharges.2)},
            "distribution": distribution, "rounding": if bankers { "bankers" } else { "half_up" }
        })
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn shares_plus_igo_equal_the_contract_total_and_nothing_is_negative(body in arb_request()) {
        let req: QuoteRequest = serde_json::from_value(body).unwrap();
        prop_assert!(validate(&req).is_ok(), "{:?}", validate(&req));
        let result = compute(&req).unwrap();
        let revenue: Decimal = result.providers.iter().map(|p| p.revenue.value()).sum();
        prop_assert_eq!(revenue + result.igo_retained.total.value(), result.contract_total.value());
        let lines: Decimal = result.prestaties.iter().map(|l| l.total.value()).sum();
        prop_assert_eq!(lines, result.contract_total.value());
        for line in &result.prestaties {
            prop_assert!(line.tariff.value() >= Decimal::ZERO);
            prop_assert!(line.unit_cost.value() >= Decimal::ZERO);
            prop_assert_eq!(line.tariff.value().scale(), 2);
        }
        for row in &result.matrix {
            let cells: Decimal = row.providers.iter().map(|c| c.amount.value()).sum();
            prop_assert_eq!(cells + row.igo_retained.value(), row.total.value());
            prop_assert!(row.providers.iter().all(|c| c.amount.value() >= Decimal::ZERO));
        }
        prop_assert!(result.providers.iter().all(|p| p.revenue.value() >= Decimal::ZERO));
    }
}

/// The `p`th prestatie of the 2027 catalogue (the quotes' contract year here).
// ---- the documented rules of the quote reference (issue 15, item 6) ------------------------

#[test]
fn fixed_shares_split_each_prestatie_not_the_contract_total() {
    // Two prestaties of 0.01 each, a 50/50 key: each cent goes to the earlier provider (tie), so
    // H receives 0.02 and M nothing. A split of the contract total (0.02) would give 0.01 each.
    let mut body = base(json!([
        {"prestatie": "geboortezorg_prenataal", "volume": "1", "components": [{"provider": H, "amount_per_unit": "0.01"}]},
        {"prestatie": "geboortezorg_nataal", "volume": "1", "components": [{"provider": H, "amount_per_unit": "0.01"}]},
        // Only H has a cost component here; the key still gives M (and K) their percentage.
        {"prestatie": "geboortezorg_postnataal", "volume": "1", "components": [{"provider": H, "amount_per_unit": "10.00"}]}
    ]));
    body["distribution"] = json!({"method": "fixed_shares", "shares": [
        {"provider": H, "percentage": "50"}, {"provider": M, "percentage": "50"}, {"provider": K, "percentage": "0"}]});
    let result = quote(&request(body)).unwrap();
    assert_eq!(row(&result, 0), ["0.01", "0.00", "0.00"]);
    assert_eq!(row(&result, 1), ["0.01", "0.00", "0.00"]);
    assert_eq!(row(&result, 2), ["5.00", "5.00", "0.00"]);
    let revenue: Vec<String> = result.providers.iter().map(|p| s(&p.revenue)).collect();
    assert_eq!(revenue, ["5.02", "5.00", "0.00"], "the sum of the rows, not 50% of 10.02 each");
    assert_adds_up(&result);
}

/// One provider (M), one prestatie, no surcharges: its revenue is exactly `amount`.
fn revenue_against_baseline(amount: &str, baseline: &str, rounding: &str) -> ProviderOutcome {
    let mut body = base(json!([
        {"prestatie": "geboortezorg_prenataal", "volume": "1", "components": [{"provider": M, "amount_per_unit": amount}]}
    ]));
    body["providers"] = json!([{"agb": M, "name": "Verloskundigen De Wieg", "kind": "verloskundigenpraktijk", "baseline_revenue": baseline}]);
    body["rounding"] = json!(rounding);
    let result = quote(&request(body)).unwrap();
    assert_eq!(s(&result.providers[0].revenue), amount);
    result.providers[0].clone()
}

#[test]
fn difference_percentage_rounds_half_away_from_zero_whatever_the_rounding_mode() {
    // -0.10 of 2000.00 is -0.005%: half away from zero gives -0.01 (half up would give -0.00,
    // half to even -0.00), in both rounding modes of the request.
    for mode in ["half_up", "bankers"] {
        let outcome = revenue_against_baseline("1999.90", "2000.00", mode);
        assert_eq!(s(outcome.difference.as_ref().unwrap()), "-0.10");
        assert_eq!(s(outcome.difference_percentage.as_ref().unwrap()), "-0.01", "{mode}");
    }
    // +0.005% likewise rounds away from zero: +0.01.
    let outcome = revenue_against_baseline("2000.10", "2000.00", "bankers");
    assert_eq!(s(outcome.difference_percentage.as_ref().unwrap()), "0.01");
}

#[test]
fn the_loss_warning_compares_exact_figures_not_the_rounded_percentage() {
    // A loss of 500.40 on 10000.00 is 5.004%: shown as -5.00, yet more than 5%, so warned.
    let mut body = base(json!([
        {"prestatie": "geboortezorg_prenataal", "volume": "1", "components": [{"provider": M, "amount_per_unit": "9499.60"}]}
    ]));
    body["providers"] = json!([{"agb": M, "name": "Verloskundigen De Wieg", "kind": "verloskundigenpraktijk", "baseline_revenue": "10000.00"}]);
    let result = quote(&request(body)).unwrap();
    assert_eq!(s(result.providers[0].difference_percentage.as_ref().unwrap()), "-5.00");
    assert_eq!(result.warnings.iter().filter(|w| w.code == WarningCode::ProviderLosesRevenue).count(), 1);
}

/// Three providers in one prestatie (H 100.00, M 10.00, K 1.00 per unit) and care shifts.
fn chain(shifts: Value) -> Value {
    let mut body = base(json!([
        {"prestatie": "geboortezorg_nataal", "volume": "1", "components": [
            {"provider": H, "amount_per_unit": "100.00"}, {"provider": M, "amount_per_unit": "10.00"},
            {"provider": K, "amount_per_unit": "1.00"}]}
    ]));
    body["care_shifts"] = shifts;
    body
}

#[test]
fn care_shifts_do_not_chain_each_moves_the_from_providers_own_units() {
    // H to M 10%, then M to K 10%: H 90% x 100.00, M (100 + 10 - 10)% x 10.00, K 110% x 1.00.
    // Had M passed H's units on, K would hold more; it holds 10% of M's own units, no more.
    let a_b_c = json!([
        {"prestatie": "geboortezorg_nataal", "from": H, "to": M, "share": "10"},
        {"prestatie": "geboortezorg_nataal", "from": M, "to": K, "share": "10"}
    ]);
    let result = quote(&request(chain(a_b_c.clone()))).unwrap();
    assert_eq!(s(&result.prestaties[0].unit_cost), "101.10");
    assert_eq!(row(&result, 0), ["90.00", "10.00", "1.10"]);
    assert_adds_up(&result);
    // The order of the shifts does not matter.
    let mut reversed = a_b_c.as_array().unwrap().clone();
    reversed.reverse();
    let again = quote(&request(chain(json!(reversed)))).unwrap();
    assert_eq!(
        (&again.prestaties, &again.matrix, &again.providers),
        (&result.prestaties, &result.matrix, &result.providers)
    );
    assert!(result.trace.iter().any(|t| t.contains("do not chain")), "{:?}", result.trace);
    // M may move all of its own units although it receives H's: the limit is its own 100%.
    let all = json!([
        {"prestatie": "geboortezorg_nataal", "from": H, "to": M, "share": "10"},
        {"prestatie": "geboortezorg_nataal", "from": M, "to": K, "share": "100"}
    ]);
    let result = quote(&request(chain(all))).unwrap();
    assert_eq!(row(&result, 0), ["90.00", "1.00", "2.00"], "M keeps only the 10% it received from H");
    // Received units do not raise that limit: 60% + 50% away from M is refused.
    let over = json!([
        {"prestatie": "geboortezorg_nataal", "from": H, "to": M, "share": "10"},
        {"prestatie": "geboortezorg_nataal", "from": M, "to": K, "share": "60"},
        {"prestatie": "geboortezorg_nataal", "from": M, "to": H, "share": "50"}
    ]);
    assert_eq!(pointers(chain(over)), ["/care_shifts/2/share"]);
}

#[test]
fn the_innovation_route_quotes_an_own_prestatie() {
    let own = json!({"prestatie": "INNO-CONT-01", "description": "Continuiteit van zorg", "unit": "hour", "volume": "10.5",
        "components": [{"provider": M, "amount_per_unit": "40.00"}]});
    let mut body = base(json!([own.clone()]));
    body["policy_route"] = json!("innovatie");
    body["care_shifts"] = json!([]);
    let result = quote(&request(body.clone())).unwrap();
    let line = &result.prestaties[0];
    assert_eq!(line.prestatie, crate::prestatie::PrestatieCode::Own("INNO-CONT-01".into()));
    assert_eq!((line.unit, line.description.as_deref()), (Unit::Hour, Some("Continuiteit van zorg")));
    assert_eq!(s(&line.total), "420.00", "10.5 hours x 40.00");
    assert_eq!(result.matrix[0].prestatie, line.prestatie);
    // The request round-trips with its route and own prestatie.
    let echoed = serde_json::to_value(request(body.clone())).unwrap();
    assert_eq!(echoed["policy_route"], "innovatie");
    assert_eq!(echoed["prestaties"][0], own);
    // Under the integral route (the default) an own prestatie is refused; so is a bad shape.
    body.as_object_mut().unwrap().remove("policy_route");
    assert_eq!(pointers(body.clone()), ["/prestaties/0/prestatie"]);
    body["policy_route"] = json!("innovatie");
    body["prestaties"][0] = json!({"prestatie": "-x", "volume": "1", "components": []});
    assert_eq!(pointers(body), ["/prestaties/0/prestatie", "/prestaties/0/description", "/prestaties/0/unit"]);
}

#[test]
fn prestaties_follow_the_catalogue_of_the_quotes_year() {
    let mut body = valid();
    body["prestaties"].as_array_mut().unwrap().push(json!(
        {"prestatie": "begeleiding_eindigend_voor_16_weken", "volume": "3", "components": [{"provider": M, "amount_per_unit": "250.00"}]}
    ));
    body["period"] = json!(2026);
    let req = request(body.clone());
    let Err(DomainError::Invalid(errors)) = validate(&req) else { panic!("refused in 2026") };
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].pointer, "/prestaties/1/prestatie");
    assert!(errors[0].detail.contains("removed from 2023"), "{}", errors[0].detail);
    body["period"] = json!(2022);
    assert!(pointers(body.clone()).is_empty(), "one of the nine in 2022");
    body["period"] = json!(2016);
    assert_eq!(pointers(body), ["/period"]);
}

fn of_2027(p: usize) -> crate::prestatie::Prestatie {
    crate::catalogue::catalogue().regulation(2027).expect("2027").prestaties[p].prestatie
}
