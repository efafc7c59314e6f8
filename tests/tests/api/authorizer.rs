//! The Lambda authorizer on the request path, through the local gateway (the same code as in
//! AWS, against the gateway's own issuer and the registry in the test's table): registered
//! principals only, scopes per route, suspension within the cache TTL, signatories, and the
//! local issuer's endpoints that `make token` uses.

use std::time::Duration;

use domain::identity::Role;
use domain::principal::PrincipalStatus;
use integration_tests::{assert_problem, json_body, TestApp, PRINCIPAL_CACHE_SECONDS};
use local_gateway::{SigningAlg, TokenRequest};
use serde_json::json;

use crate::helpers::proposals::{create, proposal_body, step, transition, IGO_A, IGO_B, INSURER_X};

/// Long enough for the authorizer's registry cache to have forgotten a read.
fn past_the_cache() -> Duration {
    Duration::from_millis(PRINCIPAL_CACHE_SECONDS as u64 * 1000 + 300)
}

#[tokio::test]
async fn a_suspended_principal_is_refused_within_the_cache_ttl_and_a_reactivated_one_comes_back() {
    let app = TestApp::spawn().await;
    let token = app.token("igo", IGO_A).await;
    let me = || app.get("/v1/me").bearer_auth(&token).send();
    assert_eq!(me().await.unwrap().status(), 200);

    let issuer = app.issuer.url.clone();
    let sub = format!("user-igo-{IGO_A}");
    storage::principals::set_status(&app.ctx.store, &issuer, &sub, PrincipalStatus::Suspended).await.unwrap();
    tokio::time::sleep(past_the_cache()).await;
    let problem = assert_problem(me().await.unwrap(), 403).await;
    assert!(problem["detail"].as_str().unwrap().contains("suspended"), "{problem}");
    // Every route the token could reach refuses it, writes included.
    let create = app.post("/v1/proposals").bearer_auth(&token).json(&proposal_body(IGO_A, INSURER_X));
    assert_problem(create.send().await.unwrap(), 403).await;

    storage::principals::set_status(&app.ctx.store, &issuer, &sub, PrincipalStatus::Active).await.unwrap();
    tokio::time::sleep(past_the_cache()).await;
    assert_eq!(me().await.unwrap().status(), 200);
}

#[tokio::test]
async fn only_the_insurers_signatory_accepts_while_a_colleague_reviews_and_counters() {
    let app = TestApp::spawn().await;
    let colleague = app.token_of(app.principal("inkoper-1", Role::Insurer, INSURER_X)).await;
    let me = json_body(app.get("/v1/me").bearer_auth(&colleague).send().await.unwrap()).await;
    assert_eq!((me["role"].as_str(), me["signatory"].as_bool()), (Some("insurer"), Some(false)));

    let (id, etag, _) = create(&app, IGO_A, &proposal_body(IGO_A, INSURER_X)).await;
    let etag = step(&app, "igo", IGO_A, &id, &etag, json!({"action": "submit"})).await;
    let path = format!("/v1/proposals/{id}/transitions");
    let as_colleague = |etag: &str, body: serde_json::Value| {
        app.post(&path).bearer_auth(&colleague).header("if-match", etag).json(&body).send()
    };
    let response = as_colleague(&etag, json!({"action": "start_review"})).await.unwrap();
    assert_eq!(response.status(), 200);
    let etag = response.headers()["etag"].to_str().unwrap().to_owned();
    for refused in [json!({"action": "accept"}), json!({"action": "reject", "reason": "te hoog"})] {
        let problem = assert_problem(as_colleague(&etag, refused.clone()).await.unwrap(), 403).await;
        assert!(problem["detail"].as_str().unwrap().contains("signatory"), "{refused}: {problem}");
    }
    // The signatory (the harness registers an insurer's `token` principal as one) accepts.
    let response = transition(&app, "insurer", INSURER_X, &id, &etag, json!({"action": "accept"})).await;
    assert_eq!(response.status(), 200, "{}", json_body(response).await);

    // The history names the principals who acted: to the insurer its own people by name.
    let history = app.as_caller(app.get(&format!("/v1/proposals/{id}/history")), "insurer", INSURER_X).await;
    let history = json_body(history.send().await.unwrap()).await;
    let actors: Vec<_> = history["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["action"].as_str().unwrap().to_owned(), e["actor"].clone()))
        .collect();
    let review = &actors.iter().find(|(action, _)| action == "start_review").unwrap().1;
    assert_eq!((review["sub"].as_str(), review["name"].as_str()), (Some("inkoper-1"), Some("Test inkoper-1")));
    assert!(review.get("signatory").is_none(), "{review}");
    let accept = &actors.iter().find(|(action, _)| action == "accept").unwrap().1;
    assert_eq!(accept["signatory"], true);
    assert_eq!(accept["sub"], format!("user-insurer-{INSURER_X}"));
}

#[tokio::test]
async fn each_route_group_needs_its_scope() {
    let app = TestApp::spawn().await;
    app.token("igo", IGO_A).await; // registers user-igo-<A>
    let sub = format!("user-igo-{IGO_A}");
    let quotes_only = app.sign(&app.claims(&sub, "zorginkoop/quotes"));
    let problem = assert_problem(app.get("/v1/proposals").bearer_auth(&quotes_only).send().await.unwrap(), 403).await;
    assert!(problem["detail"].as_str().unwrap().contains("zorginkoop/proposals"), "{problem}");
    let quote = app.post("/v1/quotes").bearer_auth(&quotes_only).json(&crate::helpers::resilience::quote_body());
    assert_eq!(quote.send().await.unwrap().status(), 201);
    // `GET /v1/me` needs a registered principal, no particular scope.
    assert_eq!(app.get("/v1/me").bearer_auth(&quotes_only).send().await.unwrap().status(), 200);
}

#[tokio::test]
async fn an_unusable_token_is_a_401_saying_why_and_a_bad_one_a_403_from_the_gateway() {
    let app = TestApp::spawn().await;
    app.token("igo", IGO_A).await;
    let mut claims = app.claims(&format!("user-igo-{IGO_A}"), "zorginkoop/proposals");
    claims["exp"] = json!(chrono::Utc::now().timestamp() - 3600);
    let response = app.get("/v1/proposals").bearer_auth(app.sign(&claims)).send().await.unwrap();
    let www = response.headers()["www-authenticate"].to_str().unwrap().to_owned();
    let problem = assert_problem(response, 401).await;
    assert_eq!(www, r#"Bearer error="invalid_token""#);
    assert_eq!(problem["type"], "urn:zorginkoop:problem:invalid-token");
    assert!(problem["detail"].as_str().unwrap().contains("expired"), "{problem}");
    // A header that is no bearer JWT: API Gateway's 403 for a denial, without a reason.
    for header in ["Basic dXNlcjpwYXNz", "Bearer", "Bearer not.a.jwt"] {
        let response = app.get("/v1/me").header("authorization", header).send().await.unwrap();
        assert_problem(response, 403).await;
    }
}

#[tokio::test]
async fn es256_tokens_verify_against_the_served_key_set() {
    let app = TestApp::spawn().await;
    let jwks = json_body(app.get("/.well-known/jwks.json").send().await.unwrap()).await;
    let algs: Vec<_> = jwks["keys"].as_array().unwrap().iter().map(|k| k["alg"].as_str().unwrap()).collect();
    assert_eq!(algs, ["RS256", "ES256"]);
    assert!(jwks["keys"].as_array().unwrap().iter().all(|k| k.get("d").is_none()), "public keys only");

    app.token("insurer", INSURER_X).await;
    let mut request = TokenRequest::for_role(format!("user-insurer-{INSURER_X}"), Role::Insurer);
    request.alg = SigningAlg::Es256;
    let response = app.get("/v1/proposals").bearer_auth(app.issuer.mint(&request)).send().await.unwrap();
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn the_local_token_endpoint_registers_once_and_never_repoints_a_subject() {
    let app = TestApp::spawn().await;
    let ask = |body: serde_json::Value| app.post("/local/token").json(&body).send();
    let answer = json_body(ask(json!({"role": "insurer", "org": INSURER_X})).await.unwrap()).await;
    assert_eq!(answer["token_type"], "Bearer");
    assert_eq!(answer["principal"]["signatory"], true);
    let token = answer["access_token"].as_str().unwrap();
    let me = json_body(app.get("/v1/me").bearer_auth(token).send().await.unwrap()).await;
    assert_eq!((me["sub"].as_str(), me["org"].as_str()), (Some("local-insurer-3311"), Some(INSURER_X)));

    // The same subject for another organisation is a conflict, not a quiet re-pointing.
    let problem =
        assert_problem(ask(json!({"role": "igo", "org": IGO_B, "sub": "local-insurer-3311"})).await.unwrap(), 409)
            .await;
    assert!(problem["detail"].as_str().unwrap().contains("3311"), "{problem}");
    // An AGB code for an insurer, an unknown field: refused, nothing registered.
    assert_problem(ask(json!({"role": "insurer", "org": IGO_A})).await.unwrap(), 422).await;
    assert_problem(ask(json!({"role": "igo", "org": IGO_A, "admin": true})).await.unwrap(), 400).await;
    let registered = storage::principals::list_by_issuer(&app.ctx.store, &app.issuer.url).await.unwrap();
    assert_eq!(registered.len(), 1, "{registered:?}");
}
