//! Proposals filled from a stored quote (`"from_quote"`) end to end against DynamoDB Local: the
//! lines, tariffs and distribution key equal the quote's figures, another organisation's quote
//! is refused exactly like a missing one, and every refusal stores nothing.

use crate::helpers::proposals::*;
use integration_tests::{assert_problem, json_body, TestApp};
use serde_json::{json, Value};

const H: &str = "06111111"; // hospital
const M: &str = "08222222"; // midwives' practice
const K: &str = "33333333"; // kraamzorg

/// A quote for 2027: prenatal care of two providers (hand-computed in the domain tests:
/// tariff 139.23, row H 70.00 + M 864.16 + IGO 40.45 = 974.61), natal care without volume, and
/// kraamzorg in whole hours.
fn quote_request() -> Value {
    json!({
        "period": 2027,
        "providers": [
            {"agb": H, "name": "Ziekenhuis Noord", "kind": "ziekenhuis"},
            {"agb": M, "name": "Verloskundigen De Wieg", "kind": "verloskundigenpraktijk"},
            {"agb": K, "name": "Kraamzorg Thuis", "kind": "kraamzorg"}
        ],
        "prestaties": [
            {"prestatie": "geboortezorg_prenataal", "volume": "7", "components": [
                {"provider": M, "amount_per_unit": "123.45"}, {"provider": H, "amount_per_unit": "10.00"}]},
            {"prestatie": "geboortezorg_nataal", "volume": "0", "components": [
                {"provider": H, "amount_per_unit": "900.00"}]},
            {"prestatie": "kraamzorg_postnataal_per_uur", "volume": "250", "components": [
                {"provider": K, "amount_per_unit": "50.00"}]}
        ],
        "surcharges": {"organisation_costs": "3.33", "risk_reserve": "1.00"},
        "distribution": {"method": "cost_based"}
    })
}

/// Stores a quote as IGO `org`; returns it.
async fn make_quote(app: &TestApp, org: &str, body: &Value) -> Value {
    let response = app.as_caller(app.post("/v1/quotes"), "igo", org).await.json(body).send().await.unwrap();
    let status = response.status();
    let quote = json_body(response).await;
    assert_eq!(status, 201, "quote: {quote}");
    quote
}

/// A new proposal of IGO A to insurer X that leaves lines, key and period to the quote.
fn from_quote_body(quote_id: &str) -> Value {
    let mut body = proposal_body(IGO_A, INSURER_X);
    let map = body.as_object_mut().unwrap();
    for field in ["lines", "distribution_key", "period"] {
        map.remove(field);
    }
    map.insert("from_quote".into(), json!(quote_id));
    body
}

async fn post(app: &TestApp, body: &Value) -> reqwest::Response {
    app.as_caller(app.post("/v1/proposals"), "igo", IGO_A).await.json(body).send().await.unwrap()
}

/// Number of items in the test's table: proves that refused requests store nothing.
/// Items the API stored (the principals the harness registers on first use not counted).
async fn stored_items(app: &TestApp) -> usize {
    let items = app.ctx.dynamo.scan().table_name(&app.ctx.table).send().await.unwrap().items.unwrap_or_default();
    items
        .iter()
        .filter(|item| !item.get("PK").and_then(|pk| pk.as_s().ok()).is_some_and(|pk| pk.starts_with("PRINCIPAL#")))
        .count()
}

fn pointers(problem: &Value) -> Vec<String> {
    problem["errors"].as_array().unwrap().iter().map(|e| e["pointer"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn a_proposal_from_a_quote_carries_the_quotes_figures() {
    let app = TestApp::spawn().await;
    let quote = make_quote(&app, IGO_A, &quote_request()).await;
    let quote_id = quote["id"].as_str().unwrap();
    let (id, _, created) = create(&app, IGO_A, &from_quote_body(quote_id)).await;

    assert_eq!(created["quote_id"], quote_id);
    assert_eq!(created["period"], json!({"year": 2027}));
    assert_eq!(created["year"], 2027);
    assert_eq!(created["status"], "draft");
    // The lines are the quote's prestaties with volume, at the quote's tariffs.
    let quoted: Vec<(Value, Value)> = quote["result"]["prestaties"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["volume"] != "0")
        .map(|l| (l["prestatie"].clone(), l["tariff"].clone()))
        .collect();
    let lines: Vec<(Value, Value)> =
        created["lines"].as_array().unwrap().iter().map(|l| (l["prestatie"].clone(), l["tariff"].clone())).collect();
    assert_eq!(lines, quoted);
    assert_eq!(
        created["lines"],
        json!([
            {"prestatie": "geboortezorg_prenataal", "unit": "client", "volume": 7, "tariff": "139.23", "amount": "974.61"},
            {"prestatie": "kraamzorg_postnataal_per_uur", "unit": "hour", "volume": 250, "tariff": "52.17", "amount": "13042.50"}
        ])
    );
    // The line amounts are the quote's prestatie totals; the proposal total its contract total.
    assert_eq!(created["totals"]["amount"], quote["result"]["contract_total"]);
    // The key: each provider's part of the providers' share of the matrix row, exactly 100.
    assert_eq!(
        created["distribution_key"],
        json!({"providers": [
            {"agb": H, "name": "Ziekenhuis Noord", "kind": "ziekenhuis", "shares": [
                {"prestatie": "geboortezorg_prenataal", "share": "7.4934"},
                {"prestatie": "kraamzorg_postnataal_per_uur", "share": "0"}]},
            {"agb": M, "name": "Verloskundigen De Wieg", "kind": "verloskundigenpraktijk", "shares": [
                {"prestatie": "geboortezorg_prenataal", "share": "92.5066"},
                {"prestatie": "kraamzorg_postnataal_per_uur", "share": "0"}]},
            {"agb": K, "name": "Kraamzorg Thuis", "kind": "kraamzorg", "shares": [
                {"prestatie": "geboortezorg_prenataal", "share": "0"},
                {"prestatie": "kraamzorg_postnataal_per_uur", "share": "100"}]}
        ]})
    );
    // What was stored is what was answered.
    let read = json_body(get(&app, "igo", IGO_A, &id).await).await;
    assert_eq!(read, created);

    // A fixed_shares quote gives one share per provider: its own percentages.
    let mut body = quote_request();
    body["distribution"] = json!({"method": "fixed_shares", "shares": [
        {"provider": M, "percentage": "62.50"}, {"provider": K, "percentage": "37.50"}]});
    let fixed = make_quote(&app, IGO_A, &body).await;
    let (_, _, created) = create(&app, IGO_A, &from_quote_body(fixed["id"].as_str().unwrap())).await;
    let shares: Vec<&Value> =
        created["distribution_key"]["providers"].as_array().unwrap().iter().map(|p| &p["share"]).collect();
    assert_eq!(shares, [&json!("0"), &json!("62.5"), &json!("37.5")]);
}

#[tokio::test]
async fn another_organisations_quote_is_refused_like_a_missing_one() {
    let app = TestApp::spawn().await;
    let theirs = make_quote(&app, IGO_B, &quote_request()).await;
    let stored = stored_items(&app).await;

    // Well-formed but not one of the caller's: 404, as for any unknown id (issue 16).
    let mut foreign = assert_problem(post(&app, &from_quote_body(theirs["id"].as_str().unwrap())).await, 404).await;
    let mut missing = assert_problem(post(&app, &from_quote_body("01JDQ7Z3K8M4V6W9X2Y5A7B3C1")).await, 404).await;
    // Each problem names its own request; everything else must be the same.
    for problem in [&mut foreign, &mut missing] {
        assert!(problem.as_object_mut().unwrap().remove("request_id").is_some(), "{problem}");
    }
    assert!(foreign["detail"].as_str().unwrap().starts_with("/from_quote"), "{foreign}");
    assert_eq!(foreign, missing, "the answer does not tell whether the quote exists");
    assert!(!foreign.to_string().contains("Ziekenhuis Noord"), "nothing of the quote leaks: {foreign}");
    assert_eq!(stored_items(&app).await, stored, "nothing is stored");

    // The owner may use it.
    let response = app.as_caller(app.post("/v1/proposals"), "igo", IGO_B).await.json(&{
        let mut body = from_quote_body(theirs["id"].as_str().unwrap());
        body["igo"] = json!({"name": "IGO B"});
        body
    });
    assert_eq!(response.send().await.unwrap().status(), 201);
}

#[tokio::test]
async fn conflicts_fractions_and_other_years_are_refused_and_store_nothing() {
    let app = TestApp::spawn().await;
    let quote = make_quote(&app, IGO_A, &quote_request()).await;
    let quote_id = quote["id"].as_str().unwrap();
    let mut fractional = quote_request();
    fractional["prestaties"][2]["volume"] = json!("250.5");
    let fractional = make_quote(&app, IGO_A, &fractional).await;
    let stored = stored_items(&app).await;

    // from_quote with explicit lines, key or quote_id: a conflict, named per field.
    let mut both = from_quote_body(quote_id);
    let explicit = proposal_body(IGO_A, INSURER_X);
    both["lines"] = explicit["lines"].clone();
    both["distribution_key"] = explicit["distribution_key"].clone();
    both["quote_id"] = json!(quote_id);
    let problem = assert_problem(post(&app, &both).await, 422).await;
    assert_eq!(pointers(&problem), ["/lines", "/distribution_key", "/quote_id"]);
    assert!(problem["errors"][0]["detail"].as_str().unwrap().contains("from_quote"), "{problem}");

    // A fractional volume (kraamzorg hours) cannot become a proposal's whole volume.
    let problem = assert_problem(post(&app, &from_quote_body(fractional["id"].as_str().unwrap())).await, 422).await;
    assert_eq!(pointers(&problem), ["/from_quote"]);
    assert!(problem["errors"][0]["detail"].as_str().unwrap().contains("250.5"), "{problem}");

    // The period must lie in the quote's year.
    let mut other_year = from_quote_body(quote_id);
    other_year["period"] = json!({"year": 2026});
    let problem = assert_problem(post(&app, &other_year).await, 422).await;
    assert_eq!(pointers(&problem), ["/period/year"]);

    // Without from_quote, lines, key and period stay required.
    let mut bare = from_quote_body(quote_id);
    bare.as_object_mut().unwrap().remove("from_quote");
    let problem = assert_problem(post(&app, &bare).await, 422).await;
    assert_eq!(pointers(&problem), ["/period", "/lines", "/distribution_key"]);

    assert_eq!(stored_items(&app).await, stored, "no refused request stored anything");

    // A period inside the quote's year is kept, and the proposal may be submitted at once.
    let mut dated = from_quote_body(quote_id);
    dated["period"] = json!({"start": "2027-04-01", "end": "2027-12-31"});
    dated["submit"] = json!(true);
    let (_, _, created) = create(&app, IGO_A, &dated).await;
    assert_eq!(created["period"]["start"], "2027-04-01");
    assert_eq!(created["status"], "submitted");
}

#[tokio::test]
async fn an_idempotent_retry_from_a_quote_replays_the_first_answer() {
    let app = TestApp::spawn().await;
    let quote = make_quote(&app, IGO_A, &quote_request()).await;
    let body = from_quote_body(quote["id"].as_str().unwrap());
    let token = app.token("igo", IGO_A).await;
    let send = || app.post("/v1/proposals").bearer_auth(&token).header("idempotency-key", "q-1").json(&body);
    let first = send().send().await.unwrap();
    assert_eq!(first.status(), 201);
    let first = json_body(first).await;
    let again = send().send().await.unwrap();
    assert_eq!(again.status(), 201);
    assert_eq!(json_body(again).await, first);
}
