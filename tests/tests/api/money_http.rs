//! Money through the HTTP layer, as property tests: quotes and proposals with generated figures
//! are posted as JSON strings and must come back as decimal strings (no JSON number in any
//! money field), echo what was sent exactly, and add up to the cent: provider shares plus
//! what the IGO retains make the contract total; line amounts make the proposal total. Each
//! case is a few HTTP round trips, so there are few cases and one API serves them all.

use std::str::FromStr;

use crate::helpers::proposals::{step, IGO_A, INSURER_X};
use crate::helpers::resilience::number_pointers;
use integration_tests::{json_body, TestApp};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use rust_decimal::Decimal;
use serde_json::{json, Value};

const CASES: u32 = 24;

/// The API names of the prestaties of the 2026 and 2027 catalogue (the contract years used
/// here), from the domain's own data (no second copy to drift).
fn prestaties() -> Vec<&'static str> {
    let catalogue = domain::catalogue::catalogue();
    assert_eq!(catalogue.regulation(2026), catalogue.regulation(2027), "one regulation for both years");
    catalogue
        .regulation(2027)
        .expect("2027")
        .prestaties
        .iter()
        .map(|e| &*String::leak(domain::catalogue::code(e.prestatie)))
        .collect()
}

const HOURS: &str = "kraamzorg_postnataal_per_uur";
const KINDS: [&str; 4] = ["ziekenhuis", "verloskundigenpraktijk", "msb-gynaecologie", "kraamzorg"];

/// Keys whose value is a count or a year, never money: the only places a JSON number may be.
const NUMBER_KEYS: [&str; 7] = ["period", "volume", "clients", "hours", "version", "sent_version", "year"];

fn cents(c: u64) -> String {
    format!("{}.{:02}", c / 100, c % 100)
}

fn dec(value: &Value, what: &str) -> Result<Decimal, TestCaseError> {
    let text =
        value.as_str().ok_or_else(|| TestCaseError::fail(format!("{what}: a decimal string expected, got {value}")))?;
    Decimal::from_str(text).map_err(|e| TestCaseError::fail(format!("{what}: {text:?} is not a decimal: {e}")))
}

/// No JSON number anywhere but under a count or year key.
fn no_number_in_money(doc: &Value) -> Result<(), TestCaseError> {
    for pointer in number_pointers(doc) {
        let key = pointer.rsplit('/').next().unwrap_or("");
        prop_assert!(NUMBER_KEYS.contains(&key), "a JSON number at {pointer}: {}", doc.pointer(&pointer).unwrap());
    }
    Ok(())
}

/// `n` positive percentages with 2 decimals adding up to exactly 100.
fn percentages(n: usize) -> BoxedStrategy<Vec<String>> {
    prop::collection::btree_set(1u64..10_000, n - 1)
        .prop_map(|cuts| {
            let mut bounds: Vec<u64> = std::iter::once(0).chain(cuts).chain(std::iter::once(10_000)).collect();
            bounds.dedup();
            bounds.windows(2).map(|w| cents(w[1] - w[0])).collect()
        })
        .boxed()
}

// ---- quotes ---------------------------------------------------------------------------------

fn quote_request() -> impl Strategy<Value = Value> {
    (1usize..=4, prop::sample::subsequence(prestaties(), 1..=4)).prop_flat_map(|(n, prestaties)| {
        let providers = prop::collection::vec(prop::option::of(0u64..100_000_000), n);
        let lines = prestaties
            .into_iter()
            .map(move |p| {
                let volume = if p == HOURS {
                    (0u64..1_000_000).prop_map(cents).boxed()
                } else {
                    (0u64..5_000).prop_map(|v| v.to_string()).boxed()
                };
                (Just(p), volume, prop::collection::vec(prop::option::of(0u64..500_000), n))
            })
            .collect::<Vec<_>>();
        let surcharges = prop::collection::vec(0u64..=1_000, 3);
        let distribution = prop_oneof![Just(None), percentages(n).prop_map(Some)];
        let shift = (1u64..=10_000, any::<bool>());
        let rounding = prop_oneof![Just("half_up"), Just("bankers")];
        (providers, lines, surcharges, distribution, shift, rounding).prop_map(
            move |(baselines, lines, surcharges, distribution, shift, rounding)| {
                let agb = |i: usize| format!("{:08}", 10_000_001 + 1_111 * i);
                let providers: Vec<Value> = baselines
                    .iter()
                    .enumerate()
                    .map(|(i, baseline)| {
                        let mut p = json!({"agb": agb(i), "name": format!("Zorgaanbieder {i}"), "kind": KINDS[i % 4]});
                        if let Some(b) = baseline {
                            p["baseline_revenue"] = cents(*b).into();
                        }
                        p
                    })
                    .collect();
                let mut care_shifts = Vec::new();
                let prestaties: Vec<Value> = lines
                    .iter()
                    .map(|(prestatie, volume, amounts)| {
                        let components: Vec<(usize, Value)> = amounts
                            .iter()
                            .enumerate()
                            .filter_map(|(i, a)| {
                                a.map(|a| (i, json!({"provider": agb(i), "amount_per_unit": cents(a)})))
                            })
                            .collect();
                        if shift.1 && care_shifts.is_empty() && components.len() >= 2 {
                            care_shifts.push(json!({"prestatie": prestatie, "from": agb(components[0].0),
                                "to": agb(components[1].0), "share": cents(shift.0)}));
                        }
                        json!({"prestatie": prestatie, "volume": volume,
                            "components": components.into_iter().map(|(_, c)| c).collect::<Vec<_>>()})
                    })
                    .collect();
                let distribution = match distribution {
                    None => json!({"method": "cost_based"}),
                    Some(shares) => json!({"method": "fixed_shares", "shares": shares.iter().enumerate()
                        .map(|(i, s)| json!({"provider": agb(i), "percentage": s})).collect::<Vec<_>>()}),
                };
                json!({
                    "period": 2027,
                    "providers": providers,
                    "prestaties": prestaties,
                    "care_shifts": care_shifts,
                    "surcharges": {"organisation_costs": cents(surcharges[0]), "risk_reserve": cents(surcharges[1]),
                        "innovation_fund": cents(surcharges[2])},
                    "distribution": distribution,
                    "rounding": rounding,
                })
            },
        )
    })
}

async fn check_quote(app: &'static TestApp, request: Value) -> Result<(), TestCaseError> {
    let response = app.as_caller(app.post("/v1/quotes"), "igo", IGO_A).await.json(&request).send().await.unwrap();
    let status = response.status();
    let quote = json_body(response).await;
    prop_assert_eq!(status, 201, "request {} got {}", request, quote);
    no_number_in_money(&quote)?;
    prop_assert_eq!(&quote["input"]["prestaties"], &request["prestaties"], "the figures are echoed exactly");
    prop_assert_eq!(&quote["input"]["surcharges"], &request["surcharges"]);

    let result = &quote["result"];
    let contract_total = dec(&result["contract_total"], "contract_total")?;
    prop_assert!(contract_total.scale() <= 2);

    let mut lines_total = Decimal::ZERO;
    for line in result["prestaties"].as_array().unwrap() {
        for field in ["volume", "unit_cost", "tariff"] {
            dec(&line[field], field)?;
        }
        lines_total += dec(&line["total"], "prestatie total")?;
    }
    prop_assert_eq!(lines_total, contract_total, "prestatie totals make the contract total");

    let retained = &result["igo_retained"];
    let retained_total = dec(&retained["total"], "igo_retained.total")?;
    let parts = dec(&retained["organisation_costs"], "organisation_costs")?
        + dec(&retained["risk_reserve"], "risk_reserve")?
        + dec(&retained["innovation_fund"], "innovation_fund")?;
    prop_assert_eq!(parts, retained_total, "the retained surcharges add up");

    let mut revenues = Decimal::ZERO;
    for provider in result["providers"].as_array().unwrap() {
        revenues += dec(&provider["revenue"], "revenue")?;
        for optional in ["baseline", "difference", "difference_percentage"] {
            if !provider[optional].is_null() {
                dec(&provider[optional], optional)?;
            }
        }
    }
    prop_assert_eq!(revenues + retained_total, contract_total, "provider shares + IGO retained == contract total");

    let mut matrix_retained = Decimal::ZERO;
    for (row, line) in result["matrix"].as_array().unwrap().iter().zip(result["prestaties"].as_array().unwrap()) {
        let mut sum = dec(&row["igo_retained"], "row igo_retained")?;
        matrix_retained += sum;
        for cell in row["providers"].as_array().unwrap() {
            sum += dec(&cell["amount"], "cell amount")?;
        }
        prop_assert_eq!(sum, dec(&row["total"], "row total")?, "a matrix row adds up");
        prop_assert_eq!(dec(&row["total"], "row total")?, dec(&line["total"], "line total")?);
    }
    prop_assert_eq!(matrix_retained, retained_total, "the matrix's retained column makes the IGO's total");

    // The stored quote reads back identically.
    let path = format!("/v1/quotes/{}", quote["id"].as_str().unwrap());
    let read = json_body(app.as_caller(app.get(&path), "igo", IGO_A).await.send().await.unwrap()).await;
    prop_assert_eq!(read, quote);
    Ok(())
}

// ---- proposals ------------------------------------------------------------------------------

/// (lines as (prestatie, volume, tariff cents), distribution shares, counter lines)
type ProposalCase = (Vec<(&'static str, u64, u64)>, Vec<String>, Vec<(&'static str, u64, u64)>);

fn proposal_case() -> impl Strategy<Value = ProposalCase> {
    let lines = || {
        prop::sample::subsequence(prestaties(), 1..=4).prop_flat_map(|prestaties| {
            let n = prestaties.len();
            (
                Just(prestaties),
                prop::collection::vec(0u64..=10_000_000, n),
                prop::collection::vec(0u64..100_000_000_000, n),
            )
                .prop_map(|(p, v, t)| p.into_iter().zip(v).zip(t).map(|((p, v), t)| (p, v, t)).collect::<Vec<_>>())
        })
    };
    (lines(), (1usize..=4).prop_flat_map(percentages), lines())
}

fn line_inputs(lines: &[(&str, u64, u64)]) -> Vec<Value> {
    lines.iter().map(|(p, v, t)| json!({"prestatie": p, "volume": v, "tariff": cents(*t)})).collect()
}

/// The lines add up: amount = volume × tariff exactly, the totals are their sums, and every
/// figure sent comes back as the same string.
fn check_lines(sent: &[Value], lines: &Value, totals: &Value) -> Result<(), TestCaseError> {
    let lines = lines.as_array().unwrap();
    prop_assert_eq!(lines.len(), sent.len());
    let (mut amount, mut clients, mut hours) = (Decimal::ZERO, 0u64, 0u64);
    for (line, input) in lines.iter().zip(sent) {
        prop_assert_eq!(&line["tariff"], &input["tariff"], "the tariff string is echoed exactly");
        prop_assert_eq!(&line["volume"], &input["volume"]);
        let volume = line["volume"].as_u64().unwrap();
        let line_amount = dec(&line["amount"], "line amount")?;
        prop_assert_eq!(line_amount, Decimal::from(volume) * dec(&line["tariff"], "tariff")?);
        prop_assert_eq!(line_amount.scale(), 2, "amounts have two decimals: {}", line["amount"]);
        amount += line_amount;
        if line["prestatie"] == HOURS {
            hours += volume;
        } else {
            clients += volume;
        }
    }
    prop_assert_eq!(dec(&totals["amount"], "totals.amount")?, amount, "line amounts make the total");
    prop_assert_eq!(totals["clients"].as_u64(), Some(clients));
    prop_assert_eq!(totals["hours"].as_u64(), Some(hours));
    Ok(())
}

async fn check_proposal(app: &'static TestApp, case: ProposalCase) -> Result<(), TestCaseError> {
    let (lines, shares, counter_lines) = case;
    let sent_lines = line_inputs(&lines);
    let providers: Vec<Value> = shares
        .iter()
        .enumerate()
        .map(|(i, share)| {
            json!({"agb": format!("{:08}", 20_000_001 + i), "name": format!("Aanbieder {i}"), "kind": KINDS[i % 4], "share": share})
        })
        .collect();
    let body = json!({
        "igo": {"name": "IGO Geld"},
        "insurer": {"uzovi": INSURER_X, "name": "Verzekeraar"},
        "period": {"year": 2026},
        "policy_route": "integrale_bekostiging",
        "lines": sent_lines,
        "distribution_key": {"providers": providers},
        "attention_points": {"client_scope": "all_clients"},
        "submit": true
    });
    let response = app.as_caller(app.post("/v1/proposals"), "igo", IGO_A).await.json(&body).send().await.unwrap();
    let status = response.status();
    let etag = response.headers().get("etag").map(|v| v.to_str().unwrap().to_owned());
    let proposal = json_body(response).await;
    prop_assert_eq!(status, 201, "request {} got {}", body, proposal);
    no_number_in_money(&proposal)?;
    check_lines(&sent_lines, &proposal["lines"], &proposal["totals"])?;
    let stored_shares: Vec<&Value> =
        proposal["distribution_key"]["providers"].as_array().unwrap().iter().map(|p| &p["share"]).collect();
    let sent_shares: Vec<Value> = shares.iter().map(|s| Value::String(s.clone())).collect();
    prop_assert_eq!(stored_shares, sent_shares.iter().collect::<Vec<_>>(), "the shares are echoed exactly");

    // The insurer counters with other figures: the counter adds up the same way.
    let id = proposal["id"].as_str().unwrap().to_owned();
    let etag = step(app, "insurer", INSURER_X, &id, &etag.unwrap(), json!({"action": "start_review"})).await;
    let sent_counter = line_inputs(&counter_lines);
    let countered = json_body(
        app.as_caller(app.post(&format!("/v1/proposals/{id}/transitions")), "insurer", INSURER_X)
            .await
            .header("if-match", etag)
            .json(&json!({"action": "counter", "reason": "Andere tarieven.", "counter_lines": sent_counter}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    prop_assert_eq!(&countered["status"], "countered", "{}", countered);
    no_number_in_money(&countered)?;
    check_lines(&sent_counter, &countered["counter"]["lines"], &countered["counter"]["totals"])?;

    // History and the listing carry the same figures, as strings.
    let history = json_body(
        app.as_caller(app.get(&format!("/v1/proposals/{id}/history")), "igo", IGO_A).await.send().await.unwrap(),
    )
    .await;
    no_number_in_money(&history)?;
    let listed =
        json_body(app.as_caller(app.get("/v1/proposals?limit=1"), "igo", IGO_A).await.send().await.unwrap()).await;
    no_number_in_money(&listed)?;
    prop_assert_eq!(&listed["items"][0]["totals"], &proposal["totals"]);
    Ok(())
}

// ---- runners --------------------------------------------------------------------------------

/// One runtime and one API for all cases of a property (leaked: it lives as long as the test).
fn run<S, Fut>(strategy: S, check: impl Fn(&'static TestApp, S::Value) -> Fut)
where
    S: Strategy,
    Fut: std::future::Future<Output = Result<(), TestCaseError>>,
{
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let app: &'static TestApp = Box::leak(Box::new(runtime.block_on(TestApp::spawn())));
    let mut runner = TestRunner::new(Config { cases: CASES, failure_persistence: None, ..Config::default() });
    if let Err(err) = runner.run(&strategy, |value| runtime.block_on(check(app, value))) {
        panic!("{err}");
    }
}

#[test]
fn quote_figures_add_up_through_http() {
    run(quote_request(), check_quote);
}

#[test]
fn proposal_totals_add_up_through_http() {
    run(proposal_case(), check_proposal);
}
