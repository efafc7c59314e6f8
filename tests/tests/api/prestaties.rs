//! The NZa prestatie catalogue per contract year over HTTP: `GET /v1/prestaties?year=...`
//! (public, ETag, long cache), and proposals and quotes validated against the catalogue of
//! their period's year (a prestatie removed from 2023 is a 422 naming the line in 2026, and
//! accepted in 2022).

use integration_tests::{assert_problem, json_body, TestApp};
use serde_json::{json, Value};

use crate::helpers::proposals::proposal_body;
use crate::helpers::resilience::quote_body;

const IGO: &str = "53000001";
const INSURER: &str = "3311";
const REMOVED: &str = "begeleiding_eindigend_voor_16_weken";

fn codes(catalogue: &Value) -> Vec<String> {
    catalogue["prestaties"].as_array().unwrap().iter().map(|e| e["prestatie"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn the_catalogue_of_a_year_is_public_tagged_and_long_cacheable() {
    let app = TestApp::spawn().await;
    let response = app.get("/v1/prestaties?year=2026").send().await.unwrap();
    assert_eq!(response.status(), 200, "public: no token needed");
    let etag = response.headers()["etag"].to_str().unwrap().to_owned();
    let cache = response.headers()["cache-control"].to_str().unwrap().to_owned();
    assert!(cache.contains("public") && cache.contains("max-age=86400"), "{cache}");
    let y2026 = json_body(response).await;
    assert_eq!(y2026["year"], 2026);
    assert_eq!(y2026["valid_from"], 2023);
    assert_eq!(codes(&y2026).len(), 8);
    assert!(!codes(&y2026).contains(&REMOVED.to_owned()));
    assert_eq!(y2026["removed"][0]["prestatie"], REMOVED);
    assert!(y2026["sources"][0]["url"].as_str().unwrap().starts_with("https://www.nza.nl/"));
    let bundle =
        y2026["attention_points"].as_array().unwrap().iter().find(|r| r["field"] == "bundle_breakers").unwrap();
    assert_eq!(bundle["applies"], false);

    let response = app.get("/v1/prestaties?year=2026").header("if-none-match", &etag).send().await.unwrap();
    assert_eq!(response.status(), 304);

    let y2022 = json_body(app.get("/v1/prestaties?year=2022").send().await.unwrap()).await;
    assert_eq!(y2022["regulation"], "BR/REG-22100");
    assert_eq!(codes(&y2022).len(), 9);
    assert!(codes(&y2022).contains(&REMOVED.to_owned()));

    for (query, pointer) in [
        ("?year=2016", "/query/year"),
        ("?year=1999", "/query/year"),
        ("?year=twee", "/query/year"),
        ("", "/query/year"),
        ("?year=2026&route=innovatie", "/query/route"),
    ] {
        let response = app.get(&format!("/v1/prestaties{query}")).send().await.unwrap();
        let problem = assert_problem(response, 422).await;
        assert_eq!(problem["errors"][0]["pointer"], pointer, "{query}: {problem}");
    }
}

fn with_removed_line(year: i32) -> Value {
    let mut body = proposal_body(IGO, INSURER);
    body["period"] = json!({"year": year});
    body["lines"].as_array_mut().unwrap().push(json!({"prestatie": REMOVED, "volume": 40, "tariff": "310.00"}));
    body
}

#[tokio::test]
async fn a_2026_proposal_with_a_removed_prestatie_is_refused_at_the_line() {
    let app = TestApp::spawn().await;
    let response =
        app.as_caller(app.post("/v1/proposals"), "igo", IGO).await.json(&with_removed_line(2026)).send().await.unwrap();
    let problem = assert_problem(response, 422).await;
    let errors = problem["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{problem}");
    assert_eq!(errors[0]["pointer"], "/lines/2/prestatie");
    let detail = errors[0]["detail"].as_str().unwrap();
    assert!(detail.contains("not an integral prestatie in 2026") && detail.contains("removed from 2023"), "{detail}");

    // The bundelbrekers attention point is the experiment's: refused in 2026 too.
    let mut body = proposal_body(IGO, INSURER);
    body["attention_points"]["bundle_breakers"] = json!("Geen integrale declaratie bij een derde aanbieder.");
    let response = app.as_caller(app.post("/v1/proposals"), "igo", IGO).await.json(&body).send().await.unwrap();
    let problem = assert_problem(response, 422).await;
    assert_eq!(problem["errors"][0]["pointer"], "/attention_points/bundle_breakers", "{problem}");

    // The same line, and bundle breakers, under the 2022 experiment: stored and read back as sent.
    let mut body = with_removed_line(2022);
    body["attention_points"]["bundle_breakers"] = json!("Geen integrale declaratie bij een derde aanbieder.");
    let response = app.as_caller(app.post("/v1/proposals"), "igo", IGO).await.json(&body).send().await.unwrap();
    assert_eq!(response.status(), 201);
    let created = json_body(response).await;
    let id = created["id"].as_str().unwrap();
    let read =
        json_body(app.as_caller(app.get(&format!("/v1/proposals/{id}")), "igo", IGO).await.send().await.unwrap()).await;
    assert_eq!(read["lines"][2]["prestatie"], REMOVED);
    assert_eq!(read["attention_points"]["bundle_breakers"], body["attention_points"]["bundle_breakers"]);
}

#[tokio::test]
async fn a_2026_quote_with_a_removed_prestatie_is_refused_at_the_prestatie() {
    let app = TestApp::spawn().await;
    let mut body = quote_body();
    body["prestaties"].as_array_mut().unwrap().push(json!(
        {"prestatie": REMOVED, "volume": "3", "components": [{"provider": "08222222", "amount_per_unit": "150.00"}]}
    ));
    body["period"] = json!(2026);
    let response = app.as_caller(app.post("/v1/quotes"), "igo", IGO).await.json(&body).send().await.unwrap();
    let problem = assert_problem(response, 422).await;
    assert_eq!(problem["errors"][0]["pointer"], "/prestaties/2/prestatie", "{problem}");
    assert!(problem["errors"][0]["detail"].as_str().unwrap().contains("removed from 2023"), "{problem}");

    body["period"] = json!(2022);
    let response = app.as_caller(app.post("/v1/quotes"), "igo", IGO).await.json(&body).send().await.unwrap();
    assert_eq!(response.status(), 201);
    assert_eq!(json_body(response).await["result"]["prestaties"][2]["prestatie"], REMOVED);
}

fn own_line() -> Value {
    json!({"prestatie": "INNO-CONT-01", "description": "Continuiteit van zorg: een vaste verloskundige per client",
        "unit": "client", "volume": 300, "tariff": "2450.00"})
}

#[tokio::test]
async fn an_innovation_route_proposal_with_an_own_prestatie_round_trips() {
    let app = TestApp::spawn().await;
    let mut body = proposal_body(IGO, INSURER);
    body["policy_route"] = json!("innovatie");
    body["lines"][0] = own_line();
    let response = app.as_caller(app.post("/v1/proposals"), "igo", IGO).await.json(&body).send().await.unwrap();
    assert_eq!(response.status(), 201);
    let etag = response.headers()["etag"].to_str().unwrap().to_owned();
    let created = json_body(response).await;
    let id = created["id"].as_str().unwrap().to_owned();
    let expected_line = json!({"prestatie": "INNO-CONT-01", "description": own_line()["description"], "unit": "client",
        "volume": 300, "tariff": "2450.00", "amount": "735000.00"});
    assert_eq!(created["lines"][0], expected_line);
    let read =
        json_body(app.as_caller(app.get(&format!("/v1/proposals/{id}")), "igo", IGO).await.send().await.unwrap()).await;
    assert_eq!(read["lines"], created["lines"]);
    assert_eq!(read["policy_route"], "innovatie");

    // The content read back is accepted by PUT as it is (the own prestatie survives an edit).
    let mut content = body.clone();
    for field in ["igo", "insurer"] {
        content.as_object_mut().unwrap().remove(field);
    }
    content["lines"][0]["volume"] = json!(310);
    let response = app
        .as_caller(app.put(&format!("/v1/proposals/{id}")), "igo", IGO)
        .await
        .header("if-match", &etag)
        .json(&content)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(json_body(response).await["lines"][0]["amount"], "759500.00");

    // The same line under the integral route is refused at the line.
    body["policy_route"] = json!("integrale_bekostiging");
    let response = app.as_caller(app.post("/v1/proposals"), "igo", IGO).await.json(&body).send().await.unwrap();
    let problem = assert_problem(response, 422).await;
    assert_eq!(problem["errors"][0]["pointer"], "/lines/0/prestatie", "{problem}");
}

#[tokio::test]
async fn an_innovation_route_quote_with_an_own_prestatie_round_trips() {
    let app = TestApp::spawn().await;
    let mut body = quote_body();
    body["policy_route"] = json!("innovatie");
    body["prestaties"][1] = json!({"prestatie": "INNO-KRAAM-UUR", "description": "Kraamzorg in het geboortecentrum",
        "unit": "hour", "volume": "12", "components": [{"provider": "08222222", "amount_per_unit": "49.85"}]});
    let response = app.as_caller(app.post("/v1/quotes"), "igo", IGO).await.json(&body).send().await.unwrap();
    assert_eq!(response.status(), 201);
    let created = json_body(response).await;
    assert_eq!(created["input"]["policy_route"], "innovatie");
    assert_eq!(created["input"]["prestaties"][1], body["prestaties"][1], "the request is echoed");
    let line = &created["result"]["prestaties"][1];
    assert_eq!((line["prestatie"].as_str(), line["unit"].as_str()), (Some("INNO-KRAAM-UUR"), Some("hour")));
    assert_eq!(line["description"], "Kraamzorg in het geboortecentrum");
    assert_eq!(created["result"]["matrix"][1]["prestatie"], "INNO-KRAAM-UUR");
    let id = created["id"].as_str().unwrap();
    let read =
        json_body(app.as_caller(app.get(&format!("/v1/quotes/{id}")), "igo", IGO).await.send().await.unwrap()).await;
    assert_eq!(read, created);

    // A proposal filled from it keeps the own prestatie (innovation route).
    let new = json!({"igo": {"name": "IGO Zuid"}, "insurer": {"uzovi": INSURER, "name": "Zilveren Kruis"},
        "policy_route": "innovatie", "from_quote": id, "attention_points": {"client_scope": "all_clients"}});
    let response = app.as_caller(app.post("/v1/proposals"), "igo", IGO).await.json(&new).send().await.unwrap();
    assert_eq!(response.status(), 201);
    let proposal = json_body(response).await;
    let own = proposal["lines"].as_array().unwrap().iter().find(|l| l["prestatie"] == "INNO-KRAAM-UUR").cloned();
    let own = own.unwrap_or_else(|| panic!("the own prestatie is a line: {proposal}"));
    assert_eq!((own["unit"].as_str(), own["volume"].as_u64()), (Some("hour"), Some(12)));
    assert_eq!(own["description"], "Kraamzorg in het geboortecentrum");
    assert_eq!(own["tariff"], line["tariff"]);

    // Without the route (integral, the default) the own prestatie is refused.
    body.as_object_mut().unwrap().remove("policy_route");
    let response = app.as_caller(app.post("/v1/quotes"), "igo", IGO).await.json(&body).send().await.unwrap();
    let problem = assert_problem(response, 422).await;
    assert_eq!(problem["errors"][0]["pointer"], "/prestaties/1/prestatie", "{problem}");
}
