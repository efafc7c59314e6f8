//! The tenant isolation matrix: for every proposal and quote endpoint, callers of each role in
//! other organisations get 403/404 problem+json and never see another tenant's identifiers or
//! figures; listings show only the caller's own data; tokens whose role and org do not fit,
//! without an org, or with an unknown role are refused (401/403) everywhere. The event feed
//! (issue 18) shows each organisation only the events of its own proposals.

use crate::helpers::proposals::{content_of, create, proposal_body, step, IGO_A, IGO_B, INSURER_X, INSURER_Y};
use crate::helpers::resilience::{assert_unchanged, expect_client_problem, quote_body, snapshot, warm_up};
use domain::identity::Role;
use domain::principal::PrincipalStatus;
use integration_tests::{json_body, token_of_another_key, TestApp};
use serde_json::{json, Value};

/// Tenant A's data, and what must never show to anyone else.
struct TenantA {
    /// Submitted to insurer X: visible to IGO A and insurer X only.
    submitted: String,
    /// A draft: visible to IGO A only.
    draft: String,
    /// A quote of IGO A's organisation.
    quote: String,
    /// A quote of insurer X's organisation.
    insurer_quote: String,
    /// Strings that identify A's data: ids, names, figures.
    secrets: Vec<String>,
}

const SECRET_NAME: &str = "Alfa Geboortezorg Geheim";
const SECRET_TARIFF: &str = "4321.87";
const SECRET_PROVIDER: &str = "Ziekenhuis Alfa Verborgen";

fn body_of_a() -> Value {
    let mut body = proposal_body(IGO_A, INSURER_X);
    body["igo"]["name"] = SECRET_NAME.into();
    body["lines"][0]["tariff"] = SECRET_TARIFF.into();
    body
}

async fn set_up(app: &TestApp) -> TenantA {
    warm_up(app).await;
    let mut submitted_body = body_of_a();
    submitted_body["submit"] = json!(true);
    let (submitted, _, created) = create(app, IGO_A, &submitted_body).await;
    let total = created["totals"]["amount"].as_str().unwrap().to_owned();
    let (draft, _, _) = create(app, IGO_A, &body_of_a()).await;

    let (other, etag, _) = create(app, IGO_B, &{
        let mut body = proposal_body(IGO_B, INSURER_Y);
        body["submit"] = json!(true);
        body
    })
    .await;
    step(app, "insurer", INSURER_Y, &other, &etag, json!({"action": "start_review"})).await;

    let mut quote = quote_body();
    quote["providers"][0]["name"] = SECRET_PROVIDER.into();
    let response = app.as_caller(app.post("/v1/quotes"), "igo", IGO_A).await.json(&quote).send().await.unwrap();
    assert_eq!(response.status(), 201);
    let quote_a = json_body(response).await;
    let response = app.as_caller(app.post("/v1/quotes"), "insurer", INSURER_X).await.json(&quote).send().await.unwrap();
    assert_eq!(response.status(), 201);
    let quote_x = json_body(response).await;

    let secrets = vec![
        submitted.clone(),
        draft.clone(),
        quote_a["id"].as_str().unwrap().to_owned(),
        quote_x["id"].as_str().unwrap().to_owned(),
        SECRET_NAME.to_owned(),
        SECRET_TARIFF.to_owned(),
        SECRET_PROVIDER.to_owned(),
        total,
        quote_a["result"]["contract_total"].as_str().unwrap().to_owned(),
    ];
    TenantA {
        submitted,
        draft,
        quote: quote_a["id"].as_str().unwrap().to_owned(),
        insurer_quote: quote_x["id"].as_str().unwrap().to_owned(),
        secrets,
    }
}

/// Every request a caller can make about one proposal.
fn proposal_requests(id: &str) -> Vec<(reqwest::Method, String, Option<Value>)> {
    let transitions = format!("/v1/proposals/{id}/transitions");
    let mut requests = vec![
        (reqwest::Method::GET, format!("/v1/proposals/{id}"), None),
        (reqwest::Method::GET, format!("/v1/proposals/{id}/history"), None),
        (reqwest::Method::PUT, format!("/v1/proposals/{id}"), Some(content_of(&proposal_body(IGO_A, INSURER_X)))),
    ];
    for action in [
        json!({"action": "submit"}),
        json!({"action": "withdraw"}),
        json!({"action": "start_review"}),
        json!({"action": "accept"}),
        json!({"action": "reject", "reason": "Nee."}),
        json!({"action": "counter", "reason": "Lager.", "counter_lines": [
            {"prestatie": "geboortezorg_prenataal", "volume": 1, "tariff": "1.00"}]}),
    ] {
        requests.push((reqwest::Method::POST, transitions.clone(), Some(action)));
    }
    requests
}

async fn send(
    app: &TestApp,
    method: &reqwest::Method,
    path: &str,
    body: &Option<Value>,
    token: &str,
) -> reqwest::Response {
    let mut request = app.client.request(method.clone(), app.url(path)).bearer_auth(token).header("if-match", "*");
    if let Some(body) = body {
        request = request.json(body);
    }
    request.send().await.expect("sending")
}

/// Checks a refusal: one of `allowed` statuses as problem+json, naming none of the secrets.
async fn refused(response: reqwest::Response, allowed: &[u16], secrets: &[String]) -> Result<(), String> {
    let (status, problem) = expect_client_problem(response).await?;
    if !allowed.contains(&status) {
        return Err(format!("status {status}, expected one of {allowed:?}: {problem}"));
    }
    let text = problem.to_string();
    match secrets.iter().find(|s| text.contains(s.as_str())) {
        Some(secret) => Err(format!("the problem shows {secret:?}: {text}")),
        None => Ok(()),
    }
}

#[tokio::test]
async fn other_tenants_get_404_or_403_and_nothing_of_the_data() {
    let app = TestApp::spawn().await;
    let a = set_up(&app).await;

    // The owners do see it: the matrix below refuses real, reachable data.
    for (role, org, id) in
        [("igo", IGO_A, &a.submitted), ("insurer", INSURER_X, &a.submitted), ("igo", IGO_A, &a.draft)]
    {
        let response = app.as_caller(app.get(&format!("/v1/proposals/{id}")), role, org).await.send().await.unwrap();
        assert_eq!(response.status(), 200, "{role} {org} reads {id}");
    }
    for (role, org, id) in [("igo", IGO_A, &a.quote), ("insurer", INSURER_X, &a.insurer_quote)] {
        let response = app.as_caller(app.get(&format!("/v1/quotes/{id}")), role, org).await.send().await.unwrap();
        assert_eq!(response.status(), 200, "{role} {org} reads quote {id}");
    }

    // Callers of every role in another organisation. (A publisher whose org reads as A's codes
    // cannot be registered: `Principal::validate`, and the token endpoint's 422 in `authorizer`.)
    let strangers = [("igo", IGO_B), ("insurer", INSURER_Y), ("publisher", "zorginkoop-redactie")];
    let before = snapshot(&app).await;
    let mut failures = Vec::new();
    let mut cases = 0;
    // (what, caller, method, path, body)
    type Case<'a> = (String, (&'a str, &'a str), reqwest::Method, String, Option<Value>);
    let mut matrix: Vec<Case> = Vec::new();
    for caller in strangers {
        for id in [&a.submitted, &a.draft] {
            for (method, path, body) in proposal_requests(id) {
                matrix.push((format!("proposal {id}"), caller, method, path, body));
            }
        }
        for id in [&a.quote, &a.insurer_quote] {
            matrix.push((format!("quote {id}"), caller, reqwest::Method::GET, format!("/v1/quotes/{id}"), None));
        }
    }
    // The insurer A submitted to must not see A's draft, nor IGO A's quote; IGO A not X's quote.
    for (method, path, body) in proposal_requests(&a.draft) {
        matrix.push(("draft".into(), ("insurer", INSURER_X), method, path, body));
    }
    matrix.push((
        "quote".into(),
        ("insurer", INSURER_X),
        reqwest::Method::GET,
        format!("/v1/quotes/{}", a.quote),
        None,
    ));
    matrix.push((
        "insurer quote".into(),
        ("igo", IGO_A),
        reqwest::Method::GET,
        format!("/v1/quotes/{}", a.insurer_quote),
        None,
    ));

    for (what, (role, org), method, path, body) in &matrix {
        cases += 1;
        let response = send(&app, method, path, body, &app.token(role, org).await).await;
        if let Err(why) = refused(response, &[403, 404], &a.secrets).await {
            failures.push(format!("{role} {org} {method} {path} ({what}): {why}"));
        }
    }
    assert_unchanged(&app, &before, "refused requests").await;
    assert!(failures.is_empty(), "{} of {cases} cases leaked or misbehaved:\n{}", failures.len(), failures.join("\n"));
}

#[tokio::test]
async fn creating_for_another_tenant_is_refused() {
    let app = TestApp::spawn().await;
    warm_up(&app).await;
    let before = snapshot(&app).await;
    let mut failures = Vec::new();
    // IGO B posing as IGO A, and roles that may not create proposals at all.
    for (role, org, allowed) in [
        ("igo", IGO_B, &[403, 422][..]),
        ("insurer", INSURER_X, &[403][..]),
        ("publisher", "zorginkoop-redactie", &[403][..]),
    ] {
        let response =
            app.as_caller(app.post("/v1/proposals"), role, org).await.json(&body_of_a()).send().await.unwrap();
        if let Err(why) = refused(response, allowed, &[]).await {
            failures.push(format!("{role} {org}: {why}"));
        }
    }
    assert_unchanged(&app, &before, "refused creates").await;
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[tokio::test]
async fn listings_show_only_the_callers_own_proposals() {
    let app = TestApp::spawn().await;
    let a = set_up(&app).await;

    let list = |role: &'static str, org: &'static str, query: &'static str| {
        let app = &app;
        async move {
            let response =
                app.as_caller(app.get(&format!("/v1/proposals{query}")), role, org).await.send().await.unwrap();
            assert_eq!(response.status(), 200, "{role} {org} lists{query}");
            json_body(response).await
        }
    };
    let ids = |page: &Value| -> Vec<String> {
        page["items"].as_array().unwrap().iter().map(|p| p["id"].as_str().unwrap().to_owned()).collect()
    };
    let shows_no_secret = |page: &Value, who: &str| {
        let text = page.to_string();
        for secret in &a.secrets {
            assert!(!text.contains(secret.as_str()), "{who}'s listing shows {secret}: {text}");
        }
    };

    let own = list("igo", IGO_A, "").await;
    assert_eq!(ids(&own).len(), 2, "IGO A sees its draft and its submitted proposal");

    let insurer_x = list("insurer", INSURER_X, "").await;
    assert_eq!(ids(&insurer_x), vec![a.submitted.clone()], "insurer X sees the submitted one, not the draft");

    for (role, org, query) in [
        ("igo", IGO_B, ""),
        ("igo", IGO_B, "?insurer=3311"),
        ("insurer", INSURER_Y, ""),
        ("insurer", INSURER_Y, "?igo=53012345"),
        ("insurer", "9999", ""),
        ("igo", "11112222", ""),
    ] {
        let page = list(role, org, query).await;
        shows_no_secret(&page, &format!("{role} {org}{query}"));
        for item in page["items"].as_array().unwrap() {
            let owner = if role == "igo" { &item["igo"]["agb"] } else { &item["insurer"]["uzovi"] };
            assert_eq!(owner, org, "{role} {org} lists another tenant's proposal: {item}");
        }
    }
    assert!(ids(&list("igo", IGO_B, "?insurer=3311").await).is_empty());
    assert!(ids(&list("insurer", INSURER_Y, "?igo=53012345").await).is_empty());

    // A publisher lists nothing at all.
    let response =
        app.as_caller(app.get("/v1/proposals"), "publisher", "zorginkoop-redactie").await.send().await.unwrap();
    refused(response, &[403], &a.secrets).await.unwrap();

    // IGO A's cursor is no key into A's partition for anyone else.
    let first = list("igo", IGO_A, "?limit=1").await;
    let cursor = first["next_cursor"].as_str().expect("two proposals make two pages").to_owned();
    for (role, org) in [("igo", IGO_B), ("insurer", INSURER_X), ("insurer", INSURER_Y)] {
        let response =
            app.as_caller(app.get(&format!("/v1/proposals?cursor={cursor}")), role, org).await.send().await.unwrap();
        refused(response, &[404], &a.secrets).await.unwrap_or_else(|why| panic!("{role} {org} with A's cursor: {why}"));
    }
}

/// Tokens of no caller we serve: genuine tokens of unregistered, suspended or unscoped
/// principals or not usable now (the function answers 401 or 403 with why), and tokens that do
/// not verify (the gateway answers 403, as API Gateway does for an authorizer's denial).
#[tokio::test]
async fn tokens_of_no_serviceable_principal_are_refused_everywhere() {
    let app = TestApp::spawn().await;
    let a = set_up(&app).await;

    let scopes = "zorginkoop/proposals zorginkoop/quotes";
    let registered_a = format!("user-igo-{IGO_A}");
    let mut suspended = app.principal("suspended-colleague-a", Role::Igo, IGO_A);
    suspended.status = PrincipalStatus::Suspended;
    let suspended_token = app.token_of(suspended).await;
    let with = |sub: &str, change: &dyn Fn(&mut Value)| {
        let mut claims = app.claims(sub, scopes);
        change(&mut claims);
        app.sign(&claims)
    };
    let tokens: Vec<(&str, String, u16)> = vec![
        // A token's own role and org claims are not trusted: the registry decides.
        (
            "an unregistered subject claiming IGO A",
            with("stranger", &|c| {
                c["role"] = json!("igo");
                c["org"] = json!(IGO_A);
            }),
            403,
        ),
        ("a suspended principal of IGO A", suspended_token, 403),
        ("IGO A without scopes", with(&registered_a, &|c| c["scope"] = json!("")), 403),
        (
            "IGO A with the publisher's scope only",
            with(&registered_a, &|c| c["scope"] = json!("zorginkoop/themes.publish")),
            403,
        ),
        ("IGO A's ID token", with(&registered_a, &|c| c["token_use"] = json!("id")), 401),
        (
            "IGO A's expired token",
            with(&registered_a, &|c| c["exp"] = json!(chrono::Utc::now().timestamp() - 120)),
            401,
        ),
        ("IGO A's token naming another issuer", with(&registered_a, &|c| c["iss"] = json!("https://elsewhere")), 401),
        ("IGO A's token without a subject", with(&registered_a, &|c| c["sub"] = json!("")), 401),
        ("IGO A's claims signed with another key", token_of_another_key(&app.claims(&registered_a, scopes)), 403),
        ("not a JWT", "' OR 1=1 --".to_owned(), 403),
        (
            "alg none",
            format!(
                "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.{}.",
                "eyJzdWIiOiJ1Iiwicm9sZSI6ImlnbyIsIm9yZyI6IjEyMzQ1Njc4In0"
            ),
            403,
        ),
    ];
    let mut operations = proposal_requests(&a.submitted);
    operations.push((reqwest::Method::POST, "/v1/proposals".into(), Some(body_of_a())));
    operations.push((reqwest::Method::GET, "/v1/proposals".into(), None));
    operations.push((reqwest::Method::POST, "/v1/quotes".into(), Some(quote_body())));
    operations.push((reqwest::Method::GET, format!("/v1/quotes/{}", a.quote), None));
    operations.push((reqwest::Method::GET, "/v1/events".into(), None));

    let before = snapshot(&app).await;
    let mut failures = Vec::new();
    let mut cases = 0;
    for (what, token, status) in &tokens {
        for (method, path, body) in &operations {
            // The feed, like `GET /v1/me`, needs a registered principal and no scope
            // (`domain::principal::route_requirement`): a scope case is no refusal there.
            if what.contains("scope") && path == "/v1/events" {
                continue;
            }
            cases += 1;
            let response = send(&app, method, path, body, token).await;
            if let Err(why) = refused(response, &[*status], &a.secrets).await {
                failures.push(format!("{what}: {method} {path}: {why}"));
            }
        }
    }
    // No token at all.
    for (method, path, body) in &operations {
        cases += 1;
        let mut request = app.client.request(method.clone(), app.url(path));
        if let Some(body) = body {
            request = request.json(body);
        }
        if let Err(why) = refused(request.send().await.unwrap(), &[401], &a.secrets).await {
            failures.push(format!("no token: {method} {path}: {why}"));
        }
    }
    assert_unchanged(&app, &before, "refused tokens").await;
    assert!(failures.is_empty(), "{} of {cases} cases failed:\n{}", failures.len(), failures.join("\n"));
}

#[tokio::test]
async fn event_feeds_show_each_organisation_only_its_own_events() {
    // A gateway whose feed shows events at once (no settle), over a fresh table.
    let first = TestApp::spawn().await;
    let mut ctx = first.ctx.clone();
    ctx.event_settle = std::time::Duration::ZERO;
    let app = TestApp::spawn_on(ctx).await;
    let a = set_up(&app).await;

    let feed = |role: &'static str, org: &'static str| {
        let app = &app;
        async move {
            let request = app.as_caller(app.get("/v1/events?limit=100"), role, org).await;
            let response = request.send().await.unwrap();
            assert_eq!(response.status(), 200, "{role} {org} reads its feed");
            json_body(response).await
        }
    };
    let about = |page: &Value| -> Vec<(String, String)> {
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| (e["type"].as_str().unwrap().to_owned(), e["resource"]["id"].as_str().unwrap().to_owned()))
            .collect()
    };
    let created = |id: &String| ("proposal.created".to_owned(), id.clone());
    // The owners hear of their own: IGO A of both its proposals, insurer X of the submitted one.
    assert_eq!(about(&feed("igo", IGO_A).await), vec![created(&a.submitted), created(&a.draft)]);
    assert_eq!(about(&feed("insurer", INSURER_X).await), vec![created(&a.submitted)]);
    // Every other organisation hears nothing of A's proposals (B's own events are B's).
    for (role, org) in [
        ("igo", IGO_B),
        ("insurer", INSURER_Y),
        ("insurer", "9999"),
        ("igo", "11112222"),
        ("publisher", "zorginkoop-redactie"),
    ] {
        let page = feed(role, org).await;
        let text = page.to_string();
        for secret in &a.secrets {
            assert!(!text.contains(secret.as_str()), "{role} {org}'s feed shows {secret}: {text}");
        }
        for event in page["items"].as_array().unwrap() {
            let concerns = event["organisations"].as_array().unwrap();
            assert!(concerns.iter().any(|o| o["org"] == org), "{role} {org} got another's event: {event}");
        }
    }
    assert_eq!(feed("insurer", INSURER_Y).await["items"].as_array().unwrap().len(), 2, "B's submission and review");
}
