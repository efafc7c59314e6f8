//! Issue 21 item 3: per-organisation limits the API enforces itself, counted in the table:
//! requests per second (429 with `Retry-After`, other organisations unaffected), open drafts
//! per IGO (409), quotes per day (429 until midnight), quote retention (TTL unless a proposal
//! refers to the quote) and the 64 KiB proposal body limit.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use serde_json::json;

use crate::helpers::proposals::{create, proposal_body, step, IGO_A, IGO_B, INSURER_X};
use integration_tests::{assert_problem, json_body, TestApp};

#[tokio::test]
async fn an_organisation_over_its_limit_gets_429_and_another_does_not() {
    let base = TestApp::spawn().await;
    let mut ctx = base.ctx.clone();
    ctx.rate_limit_per_second = Some(5);
    let app = TestApp::spawn_on(ctx).await;

    // Twenty requests of IGO A at once: within one second at most 5 get through.
    let token = app.token("igo", IGO_A).await;
    let sends: Vec<_> = (0..20).map(|_| tokio::spawn(app.get("/v1/proposals").bearer_auth(&token).send())).collect();
    let mut limited = Vec::new();
    let mut served = 0;
    for send in sends {
        let response = send.await.unwrap().unwrap();
        match response.status().as_u16() {
            200 => served += 1,
            429 => limited.push(response),
            other => panic!("unexpected status {other}"),
        }
    }
    assert!((1..=10).contains(&served), "served {served} (5 a second, the burst may span two seconds)");
    assert!(!limited.is_empty(), "some requests are limited");
    let first = limited.remove(0);
    let retry_after: u64 = first.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=2).contains(&retry_after));
    let problem = assert_problem(first, 429).await;
    assert_eq!(problem["type"], "urn:zorginkoop:problem:too-many-requests");

    // Another organisation, at the same moment, is served.
    let other = app.as_caller(app.get("/v1/proposals"), "igo", IGO_B).await.send().await.unwrap();
    assert_eq!(other.status(), 200);
}

/// An app over a fresh table with small caps, so a test reaches them in a few requests.
async fn app_with_caps(open_drafts: u32, quotes_per_day: u32) -> TestApp {
    let base = TestApp::spawn().await;
    let mut ctx = base.ctx.clone();
    ctx.limits = domain::limits::Limits { open_drafts_per_igo: open_drafts, quotes_per_day };
    TestApp::spawn_on(ctx).await
}

/// Issue 21 item 3: an IGO holds at most N open drafts (counted exactly, in the transaction of
/// each change); the N+1st is refused with 409 `limit-reached` and nothing is stored; ending a
/// draft (submit, withdraw) makes room; another IGO has its own count.
#[tokio::test]
async fn open_drafts_are_capped_per_igo_and_ending_a_draft_makes_room() {
    let app = app_with_caps(3, 1000).await;
    let body = proposal_body(IGO_A, INSURER_X);
    let mut drafts = Vec::new();
    for _ in 0..3 {
        drafts.push(create(&app, IGO_A, &body).await);
    }
    let refused = app.as_caller(app.post("/v1/proposals"), "igo", IGO_A).await.json(&body).send().await.unwrap();
    let problem = assert_problem(refused, 409).await;
    assert_eq!(problem["type"], "urn:zorginkoop:problem:limit-reached");
    assert!(problem["detail"].as_str().unwrap().contains("3 open drafts"), "{problem}");
    let listed = json_body(app.as_caller(app.get("/v1/proposals"), "igo", IGO_A).await.send().await.unwrap()).await;
    assert_eq!(listed["items"].as_array().unwrap().len(), 3, "the refused proposal was not stored");

    // Submitted at once, a proposal is no draft: not counted.
    let mut at_once = body.clone();
    at_once["submit"] = json!(true);
    create(&app, IGO_A, &at_once).await;
    // Another IGO is not affected.
    create(&app, IGO_B, &proposal_body(IGO_B, INSURER_X)).await;

    // Submitting one draft and withdrawing another make room for two.
    let (id, etag, _) = &drafts[0];
    step(&app, "igo", IGO_A, id, etag, json!({"action": "submit"})).await;
    let (id, etag, _) = &drafts[1];
    step(&app, "igo", IGO_A, id, etag, json!({"action": "withdraw", "reason": "dubbel"})).await;
    create(&app, IGO_A, &body).await;
    create(&app, IGO_A, &body).await;
    let refused = app.as_caller(app.post("/v1/proposals"), "igo", IGO_A).await.json(&body).send().await.unwrap();
    assert_problem(refused, 409).await;
}

/// Racing creates cannot overshoot the cap: the counter's condition is checked in each
/// transaction.
#[tokio::test]
async fn concurrent_creates_never_exceed_the_open_draft_cap() {
    let app = std::sync::Arc::new(app_with_caps(4, 1000).await);
    let body = proposal_body(IGO_A, INSURER_X);
    let token = app.token("igo", IGO_A).await;
    let sends: Vec<_> =
        (0..10).map(|_| tokio::spawn(app.post("/v1/proposals").bearer_auth(&token).json(&body).send())).collect();
    let mut created = 0;
    for send in sends {
        match send.await.unwrap().unwrap().status().as_u16() {
            201 => created += 1,
            409 | 503 => {}
            other => panic!("unexpected status {other}"),
        }
    }
    let listed = json_body(app.as_caller(app.get("/v1/proposals"), "igo", IGO_A).await.send().await.unwrap()).await;
    let stored = listed["items"].as_array().unwrap().len();
    assert_eq!(stored, created, "every 201 is stored, nothing else");
    assert!(stored <= 4, "{stored} drafts stored, cap 4");
}

fn quote_request() -> serde_json::Value {
    json!({
        "period": 2026,
        "providers": [{"agb": "06000002", "name": "Ziekenhuis Zuid", "kind": "ziekenhuis"}],
        "prestaties": [{"prestatie": "geboortezorg_nataal", "volume": "3",
            "components": [{"provider": "06000002", "amount_per_unit": "100.00"}]}],
        "distribution": {"method": "cost_based"}
    })
}

/// Issue 21 item 3: quotes per organisation per UTC day: over the quota 429 `quota-exceeded`
/// with `Retry-After` up to the next midnight; invalid requests do not count; another
/// organisation has its own quota.
#[tokio::test]
async fn quotes_per_day_are_capped_per_organisation() {
    let app = app_with_caps(200, 2).await;
    let post = async |org: &str, body: serde_json::Value| {
        app.as_caller(app.post("/v1/quotes"), "igo", org).await.json(&body).send().await
    };
    let mut invalid = quote_request();
    invalid["prestaties"][0]["volume"] = json!("-1");
    assert_eq!(post(IGO_A, invalid).await.unwrap().status(), 422);
    assert_eq!(post(IGO_A, quote_request()).await.unwrap().status(), 201);
    assert_eq!(post(IGO_A, quote_request()).await.unwrap().status(), 201);
    let refused = post(IGO_A, quote_request()).await.unwrap();
    let retry_after: u64 = refused.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    let now = chrono::Utc::now();
    let midnight = (now.date_naive() + chrono::Days::new(1)).and_hms_opt(0, 0, 0).unwrap().and_utc();
    assert!(retry_after.abs_diff((midnight - now).num_seconds() as u64) <= 5, "retry after {retry_after} s");
    let problem = assert_problem(refused, 429).await;
    assert_eq!(problem["type"], "urn:zorginkoop:problem:quota-exceeded");
    assert_eq!(post(IGO_B, quote_request()).await.unwrap().status(), 201);
}

/// The raw quote item of `org`.
async fn quote_item(app: &TestApp, org: &str, id: &str) -> HashMap<String, AttributeValue> {
    let key = storage::keys::item_key(storage::keys::quote::pk(org), &storage::keys::quote::sk(id));
    let got = app.ctx.dynamo.get_item().table_name(&app.ctx.table).set_key(Some(key)).send().await.unwrap();
    got.item.expect("the quote item")
}

/// Issue 21 item 3: quotes expire (TTL) 30 days after they were computed unless a proposal is
/// made from them; an expired quote not yet removed by DynamoDB is already gone for the API.
#[tokio::test]
async fn quotes_expire_unless_a_proposal_refers_to_them() {
    let app = app_with_caps(200, 1000).await;
    let mut ids = Vec::new();
    for _ in 0..2 {
        let response =
            app.as_caller(app.post("/v1/quotes"), "igo", IGO_A).await.json(&quote_request()).send().await.unwrap();
        assert_eq!(response.status(), 201);
        ids.push(json_body(response).await["id"].as_str().unwrap().to_owned());
    }
    let item = quote_item(&app, IGO_A, &ids[0]).await;
    let AttributeValue::N(expires) = &item["expires_at"] else { panic!("a TTL attribute") };
    let in_days = (expires.parse::<i64>().unwrap() - chrono::Utc::now().timestamp()) as f64 / 86_400.0;
    assert!((29.9..=30.0).contains(&in_days), "expires in {in_days} days");

    // A proposal made from the first quote keeps it: its expiry is removed in the same transaction.
    let mut body = proposal_body(IGO_A, INSURER_X);
    let map = body.as_object_mut().unwrap();
    map.remove("lines");
    map.remove("distribution_key");
    map.remove("care_shifts");
    map.insert("from_quote".into(), json!(ids[0]));
    create(&app, IGO_A, &body).await;
    assert!(!quote_item(&app, IGO_A, &ids[0]).await.contains_key("expires_at"), "a referenced quote is kept");

    // The second quote's expiry passes: GET is 404 and from_quote cannot name it.
    let key = storage::keys::item_key(storage::keys::quote::pk(IGO_A), &storage::keys::quote::sk(&ids[1]));
    app.ctx
        .dynamo
        .update_item()
        .table_name(&app.ctx.table)
        .set_key(Some(key))
        .update_expression("SET expires_at = :past")
        .expression_attribute_values(":past", AttributeValue::N((chrono::Utc::now().timestamp() - 1).to_string()))
        .send()
        .await
        .unwrap();
    let gone = app.as_caller(app.get(&format!("/v1/quotes/{}", ids[1])), "igo", IGO_A).await.send().await.unwrap();
    assert_problem(gone, 404).await;
    body["from_quote"] = json!(ids[1]);
    let refused = app.as_caller(app.post("/v1/proposals"), "igo", IGO_A).await.json(&body).send().await.unwrap();
    // An expired quote is a missing one: 404, as for an id that never was (issue 16's rule).
    let problem = assert_problem(refused, 404).await;
    assert!(problem["detail"].as_str().unwrap().starts_with("/from_quote"), "{problem}");
}

/// Issue 21 item 3: proposal writes take at most 64 KiB (documented per operation), which a
/// large real proposal fits with room to spare; other bodies keep the 256 KiB limit.
#[tokio::test]
async fn proposal_bodies_are_limited_to_64_kib_and_a_large_real_proposal_fits() {
    let app = app_with_caps(200, 1000).await;
    // A large IGO: 8 prestaties, 40 member providers with per-prestatie shares, 20 care shifts
    // and long attention points.
    let catalogue = serde_json::to_value(domain::catalogue::catalogue().for_year(2026).unwrap()).unwrap();
    let prestaties: Vec<&str> =
        catalogue["prestaties"].as_array().unwrap().iter().map(|p| p["prestatie"].as_str().unwrap()).collect();
    assert_eq!(prestaties.len(), 8);
    let lines: Vec<_> =
        prestaties.iter().map(|p| json!({"prestatie": p, "volume": 1200, "tariff": "1234.50"})).collect();
    let providers: Vec<_> = (0..40)
        .map(|i| {
            let share = "2.5"; // 40 providers x 2.5% = 100% of each prestatie
            json!({"agb": format!("0800{i:04}"), "name": format!("Verloskundigenpraktijk nummer {i} in de regio"),
                "kind": "verloskundigenpraktijk",
                "shares": prestaties.iter().map(|p| json!({"prestatie": p, "share": share})).collect::<Vec<_>>()})
        })
        .collect();
    let shifts: Vec<_> = (0..20)
        .map(|i| json!({"kind": "planned", "prestatie": prestaties[i % prestaties.len()], "from": "ziekenhuis", "to": "verloskundigenpraktijk", "share": "1"}))
        .collect();
    let text = "Afspraak over de verdeling en de risico's van de integrale bekostiging. ".repeat(20);
    let mut body = proposal_body(IGO_A, INSURER_X);
    body["lines"] = json!(lines);
    body["distribution_key"] = json!({"providers": providers});
    body["care_shifts"] = json!(shifts);
    body["attention_points"] = json!({"client_scope": "new_clients_only", "expensive_medicines": text,
        "case_mix": text, "notes": text});
    let size = serde_json::to_vec(&body).unwrap().len();
    assert!(size < 64 * 1024, "{size} bytes");
    create(&app, IGO_A, &body).await;

    let mut oversized = body.clone();
    oversized["attention_points"]["notes"] = json!("x".repeat(64 * 1024));
    let refused = app.as_caller(app.post("/v1/proposals"), "igo", IGO_A).await.json(&oversized).send().await.unwrap();
    let problem = assert_problem(refused, 413).await;
    assert!(problem["detail"].as_str().unwrap().contains("65536"), "{problem}");

    // A quote body of the same size is read (and judged on its content, not its size).
    let mut quote = quote_request();
    quote["pad"] = json!("x".repeat(64 * 1024));
    let judged = app.as_caller(app.post("/v1/quotes"), "igo", IGO_A).await.json(&quote).send().await.unwrap();
    assert_eq!(judged.status(), 422);
}
