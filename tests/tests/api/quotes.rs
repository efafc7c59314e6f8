//! Integral tariff quotes through HTTP against DynamoDB Local: create and read, validation
//! (422 naming the field, nothing stored), tenant isolation, and money as exact strings.

use std::str::FromStr;

use integration_tests::{assert_problem, json_body, TestApp};
use rust_decimal::Decimal;
use serde_json::{json, Value};

const IGO: &str = "53012345";
const OTHER_IGO: &str = "53054321";

/// The integral-route request example published in the OpenAPI document (so the documented
/// example is proven valid, too).
async fn documented_example(app: &TestApp) -> Value {
    let spec = json_body(app.get("/openapi.json").send().await.unwrap()).await;
    let examples = &spec["paths"]["/v1/quotes"]["post"]["requestBody"]["content"]["application/json"]["examples"];
    let example = examples["integrale_bekostiging"]["value"].clone();
    assert!(example.is_object(), "the spec documents a request example");
    example
}

/// A small VSV: hand-computed in the domain's unit tests (unit cost 133.45, +4.33% → 139.23).
pub(crate) fn small_request() -> Value {
    json!({
        "period": 2027,
        "providers": [
            {"agb": "06111111", "name": "Ziekenhuis Noord", "kind": "ziekenhuis", "baseline_revenue": "100.00"},
            {"agb": "08222222", "name": "Verloskundigen De Wieg", "kind": "verloskundigenpraktijk", "baseline_revenue": "800.00"}
        ],
        "prestaties": [
            {"prestatie": "geboortezorg_prenataal", "volume": "7", "components": [
                {"provider": "08222222", "amount_per_unit": "123.45"}, {"provider": "06111111", "amount_per_unit": "10.00"}]}
        ],
        "care_shifts": [],
        "surcharges": {"organisation_costs": "3.33", "risk_reserve": "1.00"},
        "distribution": {"method": "cost_based"}
    })
}

async fn create(app: &TestApp, org: &str, body: &Value) -> reqwest::Response {
    app.as_caller(app.post("/v1/quotes"), "igo", org).await.json(body).send().await.unwrap()
}

fn dec(value: &Value) -> Decimal {
    let text = value.as_str().unwrap_or_else(|| panic!("a decimal string expected, got {value}"));
    Decimal::from_str(text).unwrap()
}

/// Number of items in the test's table: proves that refused requests store nothing.
/// Quote items in the table (the organisation's counter of quotes per day is not one).
async fn stored_items(app: &TestApp) -> i32 {
    let scan = app.ctx.dynamo.scan().table_name(&app.ctx.table).send().await.unwrap();
    scan.items().iter().filter(|item| item["SK"].as_s().is_ok_and(|sk| sk.starts_with("QUOTE#"))).count() as i32
}

#[tokio::test]
async fn create_then_read_with_etag_and_304() {
    let app = TestApp::spawn().await;
    let example = documented_example(&app).await;
    let response = create(&app, IGO, &example).await;
    assert_eq!(response.status(), 201);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let etag = response.headers()["etag"].to_str().unwrap().to_owned();
    let created = json_body(response).await;
    let id = created["id"].as_str().unwrap();
    assert_eq!(location, format!("/v1/quotes/{id}"));
    assert_eq!(created["owner_org"], IGO);
    assert_eq!(created["input"]["providers"], example["providers"], "the input is echoed");
    assert_eq!(created["result"]["prestaties"].as_array().unwrap().len(), 8, "the 8 prestaties of 2027");
    assert!(!created["result"]["trace"].as_array().unwrap().is_empty());

    let response = app.as_caller(app.get(&location), "igo", IGO).await.send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["etag"].to_str().unwrap(), etag, "a quote never changes, nor does its tag");
    assert_eq!(json_body(response).await, created);

    let response =
        app.as_caller(app.get(&location), "igo", IGO).await.header("if-none-match", &etag).send().await.unwrap();
    assert_eq!(response.status(), 304);
    let response =
        app.as_caller(app.get(&location), "igo", IGO).await.header("if-none-match", "\"stale\"").send().await.unwrap();
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn any_authenticated_caller_may_quote_but_not_anonymously() {
    let app = TestApp::spawn().await;
    let response =
        app.as_caller(app.post("/v1/quotes"), "insurer", "3311").await.json(&small_request()).send().await.unwrap();
    assert_eq!(response.status(), 201);
    assert_eq!(json_body(response).await["owner_org"], "3311");

    let response = app.post("/v1/quotes").json(&small_request()).send().await.unwrap();
    assert_problem(response, 401).await;
    assert_eq!(stored_items(&app).await, 1);
}

#[tokio::test]
async fn money_travels_as_exact_strings_and_adds_up() {
    let app = TestApp::spawn().await;
    let quote = json_body(create(&app, IGO, &small_request()).await).await;
    let result = &quote["result"];
    let line = &result["prestaties"][0];
    assert_eq!(line["unit_cost"], "133.45");
    assert_eq!(line["tariff"], "139.23");
    assert_eq!(line["volume"], "7");
    assert_eq!(line["total"], "974.61");
    assert_eq!(result["contract_total"], "974.61");
    assert_eq!(
        result["igo_retained"]["organisation_costs"], "31.11",
        "the tariff's rounding cent, by largest remainder"
    );
    assert_eq!(result["igo_retained"]["risk_reserve"], "9.34");
    assert_eq!(result["providers"][0]["revenue"], "70.00");
    assert_eq!(result["providers"][1]["revenue"], "864.16");
    assert_eq!(result["providers"][1]["difference"], "64.16");
    assert_eq!(result["providers"][1]["difference_percentage"], "8.02");
    assert_eq!(result["providers"][0]["difference_percentage"], "-30.00");
    assert_eq!(result["warnings"][0]["code"], "provider_loses_revenue");
    assert_eq!(result["warnings"][0]["pointer"], "/providers/0/baseline_revenue");

    // The same invariants on the realistic example, reading every figure as a string.
    let quote = json_body(create(&app, IGO, &documented_example(&app).await).await).await;
    let result = &quote["result"];
    let total = dec(&result["contract_total"]);
    let lines: Decimal = result["prestaties"].as_array().unwrap().iter().map(|l| dec(&l["total"])).sum();
    let revenue: Decimal = result["providers"].as_array().unwrap().iter().map(|p| dec(&p["revenue"])).sum();
    assert_eq!(lines, total);
    assert_eq!(revenue + dec(&result["igo_retained"]["total"]), total);
    for row in result["matrix"].as_array().unwrap() {
        let cells: Decimal = row["providers"].as_array().unwrap().iter().map(|c| dec(&c["amount"])).sum();
        assert_eq!(cells + dec(&row["igo_retained"]), dec(&row["total"]));
    }
}

#[tokio::test]
async fn invalid_requests_are_422_naming_the_field_and_store_nothing() {
    let app = TestApp::spawn().await;
    let cases: Vec<(Value, &str)> = vec![
        (json!({"/prestaties/0/volume": "-1"}), "/prestaties/0/volume"),
        (json!({"/prestaties/0/components/0/provider": "99999999"}), "/prestaties/0/components/0/provider"),
        (
            json!({"/prestaties/0/components/0/amount_per_unit": "123.456"}),
            "/prestaties/0/components/0/amount_per_unit",
        ),
        (json!({"/prestaties/0/components/0/amount_per_unit": 123.45}), "/prestaties/0/components/0/amount_per_unit"),
        (json!({"/providers": []}), "/providers"),
        (
            json!({"/care_shifts": [{"prestatie": "geboortezorg_prenataal", "from": "06111111", "to": "99999999", "share": "10"}]}),
            "/care_shifts/0/to",
        ),
        (
            json!({"/care_shifts": [
                {"prestatie": "geboortezorg_prenataal", "from": "06111111", "to": "08222222", "share": "70"},
                {"prestatie": "geboortezorg_prenataal", "from": "06111111", "to": "08222222", "share": "31"}]}),
            "/care_shifts/1/share",
        ),
        (json!({"/surcharges/risk_reserve": "150"}), "/surcharges/risk_reserve"),
        (
            json!({"/distribution": {"method": "fixed_shares", "shares": [{"provider": "06111111", "percentage": "90"}]}}),
            "/distribution/shares",
        ),
    ];
    for (patch, pointer) in cases {
        let mut body = small_request();
        for (path, value) in patch.as_object().unwrap() {
            *body.pointer_mut(path).unwrap() = value.clone();
        }
        let problem = assert_problem(create(&app, IGO, &body).await, 422).await;
        let pointers: Vec<&str> =
            problem["errors"].as_array().unwrap().iter().map(|e| e["pointer"].as_str().unwrap()).collect();
        assert!(pointers.contains(&pointer), "expected {pointer} in {problem}");
    }
    let response = app
        .as_caller(app.post("/v1/quotes"), "igo", IGO)
        .await
        .header("content-type", "application/json")
        .body("{\"period\":")
        .send()
        .await
        .unwrap();
    assert_problem(response, 400).await;
    assert_eq!(stored_items(&app).await, 0, "nothing is stored for a refused request");
}

#[tokio::test]
async fn a_quote_is_visible_to_its_owner_only() {
    let app = TestApp::spawn().await;
    let quote = json_body(create(&app, IGO, &small_request()).await).await;
    let path = format!("/v1/quotes/{}", quote["id"].as_str().unwrap());

    for (role, org) in [("igo", OTHER_IGO), ("insurer", "3311")] {
        let response = app.as_caller(app.get(&path), role, org).await.send().await.unwrap();
        assert_problem(response, 404).await;
    }
    assert_problem(app.get(&path).send().await.unwrap(), 401).await;
    let response = app.as_caller(app.get(&path), "igo", IGO).await.send().await.unwrap();
    assert_eq!(response.status(), 200);

    let response =
        app.as_caller(app.get("/v1/quotes/01JDQ7Z3K8M4V6W9X2Y5A7B3C1"), "igo", IGO).await.send().await.unwrap();
    assert_problem(response, 404).await;
    // A malformed id is refused before anything is looked up.
    let response = app.as_caller(app.get("/v1/quotes/not-a-ulid"), "igo", IGO).await.send().await.unwrap();
    assert_problem(response, 422).await;
}
