//! Response headers every client and browser relies on: confidential bodies are never stored
//! by a cache (`Cache-Control: no-store`, not `private, no-cache`, which lets a browser keep
//! them on disk), every response says `X-Content-Type-Options: nosniff`, and a decision
//! (accept, reject) is bound to the version that was reviewed, so `If-Match: *` is refused.

use crate::helpers::proposals::{create, etag_of, proposal_body, step, transition, IGO_A, INSURER_X};
use crate::helpers::resilience::quote_body;
use integration_tests::{assert_problem, json_body, TestApp};
use serde_json::json;

fn header(response: &reqwest::Response, name: &str) -> String {
    response.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned()
}

#[tokio::test]
async fn confidential_bodies_are_no_store() {
    let app = TestApp::spawn().await;
    let body = proposal_body(IGO_A, INSURER_X);
    let created = app.as_caller(app.post("/v1/proposals"), "igo", IGO_A).await.json(&body).send().await.unwrap();
    assert_eq!(created.status(), 201);
    let mut seen = vec![("POST /v1/proposals", header(&created, "cache-control"))];
    let id = json_body(created).await["id"].as_str().unwrap().to_owned();
    let quote = app.as_caller(app.post("/v1/quotes"), "igo", IGO_A).await.json(&quote_body()).send().await.unwrap();
    seen.push(("POST /v1/quotes", header(&quote, "cache-control")));
    let quote_id = json_body(quote).await["id"].as_str().unwrap().to_owned();
    for path in [
        format!("/v1/proposals/{id}"),
        "/v1/proposals".to_owned(),
        format!("/v1/proposals/{id}/history"),
        format!("/v1/quotes/{quote_id}"),
        "/v1/me".to_owned(),
    ] {
        let response = app.as_caller(app.get(&path), "igo", IGO_A).await.send().await.unwrap();
        assert_eq!(response.status(), 200, "{path}");
        seen.push((Box::leak(format!("GET {path}").into_boxed_str()), header(&response, "cache-control")));
    }
    let put = app
        .as_caller(app.put(&format!("/v1/proposals/{id}")), "igo", IGO_A)
        .await
        .header("if-match", "\"1\"")
        .json(&crate::helpers::proposals::content_of(&body))
        .send()
        .await
        .unwrap();
    seen.push(("PUT /v1/proposals/{id}", header(&put, "cache-control")));
    let wrong: Vec<_> = seen.iter().filter(|(_, value)| value != "no-store").collect();
    assert!(wrong.is_empty(), "not no-store: {wrong:?}");
}

#[tokio::test]
async fn every_response_says_nosniff() {
    let app = TestApp::spawn_seeded().await;
    let (id, _, _) = create(&app, IGO_A, &proposal_body(IGO_A, INSURER_X)).await;
    let requests = [
        ("public read", app.get("/v1/themes")),
        ("public 404", app.get("/v1/themes/editions/1999-01")),
        ("unknown path", app.get("/v1/nothing-here")),
        ("401", app.get("/v1/proposals")),
        ("proposal", app.as_caller(app.get(&format!("/v1/proposals/{id}")), "igo", IGO_A).await),
        ("422", app.as_caller(app.get("/v1/proposals?limit=0"), "igo", IGO_A).await),
        ("spec", app.get("/openapi.json")),
        ("me", app.as_caller(app.get("/v1/me"), "insurer", INSURER_X).await),
    ];
    for (what, request) in requests {
        let response = request.send().await.unwrap();
        assert_eq!(header(&response, "x-content-type-options"), "nosniff", "{what}: {}", response.status());
    }
}

#[tokio::test]
async fn accept_and_reject_refuse_if_match_star() {
    let app = TestApp::spawn().await;
    let mut body = proposal_body(IGO_A, INSURER_X);
    body["submit"] = json!(true);
    let (id, etag, _) = create(&app, IGO_A, &body).await;
    // Other transitions may still say `*`: they are not a verdict on what was read.
    let reviewing = transition(&app, "insurer", INSURER_X, &id, "*", json!({"action": "start_review"})).await;
    assert_eq!(reviewing.status(), 200, "start_review with *");
    let etag_reviewed = etag_of(&reviewing);
    assert_ne!(etag, etag_reviewed);
    for decision in [json!({"action": "accept"}), json!({"action": "reject", "reason": "Te duur."})] {
        for star in ["*", "\"7\", *"] {
            let response = transition(&app, "insurer", INSURER_X, &id, star, decision.clone()).await;
            let problem = assert_problem(response, 428).await;
            assert!(problem["detail"].as_str().unwrap().contains("ETag"), "{problem}");
        }
    }
    // With the reviewed version's ETag the decision goes through.
    step(&app, "insurer", INSURER_X, &id, &etag_reviewed, json!({"action": "accept"})).await;
}
