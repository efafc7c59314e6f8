//! Contract proposals end to end against DynamoDB Local: every endpoint, the lifecycle per
//! role, tenant isolation, validation, conditional requests and idempotent replay.

use crate::helpers::proposals::*;
use integration_tests::{assert_problem, json_body, TestApp};
use serde_json::{json, Value};

fn counter_body() -> Value {
    json!({"action": "counter", "reason": "te hoog", "counter_lines": [
        {"prestatie": "geboortezorg_prenataal", "volume": 120, "tariff": "1100.00"}
    ]})
}

fn action_body(action: &str) -> Value {
    match action {
        "reject" => json!({"action": "reject", "reason": "past niet in ons inkoopbeleid"}),
        "counter" => counter_body(),
        other => json!({"action": other}),
    }
}

/// A proposal of IGO A to insurer X, driven to `status`; returns (id, etag).
async fn in_status(app: &TestApp, status: &str) -> (String, String) {
    let mut body = proposal_body(IGO_A, INSURER_X);
    if status != "draft" {
        body["submit"] = json!(true);
    }
    let (id, mut etag, _) = create(app, IGO_A, &body).await;
    let steps: &[(&str, &str)] = match status {
        "draft" | "submitted" => &[],
        "under_review" => &[("insurer", "start_review")],
        "countered" => &[("insurer", "start_review"), ("insurer", "counter")],
        "accepted" => &[("insurer", "start_review"), ("insurer", "accept")],
        "rejected" => &[("insurer", "start_review"), ("insurer", "reject")],
        "withdrawn" => &[("igo", "withdraw")],
        other => panic!("{other}"),
    };
    for (role, action) in steps {
        let org = if *role == "igo" { IGO_A } else { INSURER_X };
        etag = step(app, role, org, &id, &etag, action_body(action)).await;
    }
    (id, etag)
}

const STATUSES: [&str; 7] = ["draft", "submitted", "under_review", "countered", "accepted", "rejected", "withdrawn"];
const ACTIONS: [&str; 6] = ["submit", "withdraw", "start_review", "accept", "reject", "counter"];
const ALLOWED: [(&str, &str, &str, &str); 10] = [
    ("draft", "submit", "igo", "submitted"),
    ("countered", "submit", "igo", "submitted"),
    ("draft", "withdraw", "igo", "withdrawn"),
    ("submitted", "withdraw", "igo", "withdrawn"),
    ("under_review", "withdraw", "igo", "withdrawn"),
    ("countered", "withdraw", "igo", "withdrawn"),
    ("submitted", "start_review", "insurer", "under_review"),
    ("under_review", "accept", "insurer", "accepted"),
    ("under_review", "reject", "insurer", "rejected"),
    ("under_review", "counter", "insurer", "countered"),
];

#[tokio::test]
async fn create_answers_201_with_location_etag_and_exact_totals() {
    let app = TestApp::spawn().await;
    let mut body = proposal_body(IGO_A, INSURER_X);
    body["igo"] = json!({"name": "IGO zonder code"}); // the AGB comes from the token
    let response = app.as_caller(app.post("/v1/proposals"), "igo", IGO_A).await.json(&body).send().await.unwrap();
    assert_eq!(response.status(), 201);
    assert_eq!(etag_of(&response), "\"1\"");
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let created = json_body(response).await;
    let id = created["id"].as_str().unwrap();
    assert_eq!(id.len(), 26, "a ULID");
    assert_eq!(location, format!("/v1/proposals/{id}"));
    assert_eq!(created["igo"]["agb"], IGO_A);
    assert_eq!(created["status"], "draft");
    assert_eq!(created["version"], 1);
    assert_eq!(created["year"], 2026);
    assert_eq!(created["lines"][0]["amount"], "148140.00");
    assert_eq!(created["lines"][1]["unit"], "hour");
    assert_eq!(created["lines"][1]["amount"], "245000.00");
    assert_eq!(created["totals"], json!({"amount": "393140.00", "clients": 120, "hours": 4000}));
    // The Location answers with the same representation.
    let fetched = app.as_caller(app.get(&location), "igo", IGO_A).await.send().await.unwrap();
    assert_eq!(fetched.status(), 200);
    assert_eq!(json_body(fetched).await, created);

    let mut submitted = proposal_body(IGO_A, INSURER_X);
    submitted["submit"] = json!(true);
    let (_, _, created) = create(&app, IGO_A, &submitted).await;
    assert_eq!(created["status"], "submitted");
    assert!(created["submitted_at"].is_string());
}

#[tokio::test]
async fn only_igos_create_and_publishers_get_403_everywhere() {
    let app = TestApp::spawn().await;
    let body = proposal_body(IGO_A, INSURER_X);
    let response =
        app.as_caller(app.post("/v1/proposals"), "insurer", INSURER_X).await.json(&body).send().await.unwrap();
    assert_problem(response, 403).await;
    let (id, etag, _) = create(&app, IGO_A, &body).await;
    let publisher_token = app.token("publisher", "Zorgkantoren NL").await;
    let publisher = |b: reqwest::RequestBuilder| b.bearer_auth(&publisher_token);
    assert_problem(publisher(app.post("/v1/proposals")).json(&body).send().await.unwrap(), 403).await;
    assert_problem(publisher(app.get("/v1/proposals")).send().await.unwrap(), 403).await;
    assert_problem(publisher(app.get(&format!("/v1/proposals/{id}"))).send().await.unwrap(), 403).await;
    let put = publisher(app.put(&format!("/v1/proposals/{id}"))).header("if-match", &etag);
    assert_problem(put.json(&content_of(&body)).send().await.unwrap(), 403).await;
    let post = publisher(app.post(&format!("/v1/proposals/{id}/transitions"))).header("if-match", &etag);
    assert_problem(post.json(&json!({"action": "submit"})).send().await.unwrap(), 403).await;
    assert_problem(publisher(app.get(&format!("/v1/proposals/{id}/history"))).send().await.unwrap(), 403).await;
    // Without a token: 401.
    assert_problem(app.get(&format!("/v1/proposals/{id}")).send().await.unwrap(), 401).await;
}

#[tokio::test]
async fn another_tenant_gets_404_for_every_operation() {
    let app = TestApp::spawn().await;
    let mut body = proposal_body(IGO_A, INSURER_X);
    let (draft_id, draft_etag, _) = create(&app, IGO_A, &body).await;
    body["submit"] = json!(true);
    let (id, etag, _) = create(&app, IGO_A, &body).await;

    for (role, org, target) in [
        ("igo", IGO_B, &id),
        ("insurer", INSURER_Y, &id),
        // A draft is the IGO's unfinished work: its own insurer does not see it yet either.
        ("insurer", INSURER_X, &draft_id),
    ] {
        let etag = if target == &id { &etag } else { &draft_etag };
        assert_problem(get(&app, role, org, target).await, 404).await;
        let history = app.as_caller(app.get(&format!("/v1/proposals/{target}/history")), role, org).await;
        assert_problem(history.send().await.unwrap(), 404).await;
        let action = if role == "igo" { "withdraw" } else { "start_review" };
        assert_problem(transition(&app, role, org, target, etag, json!({"action": action})).await, 404).await;
        if role == "igo" {
            let put =
                app.as_caller(app.put(&format!("/v1/proposals/{target}")), role, org).await.header("if-match", etag);
            assert_problem(put.json(&content_of(&body)).send().await.unwrap(), 404).await;
        }
        let list = app.as_caller(app.get("/v1/proposals"), role, org).await.send().await.unwrap();
        let listed = json_body(list).await;
        let listed: Vec<&str> = listed["items"].as_array().unwrap().iter().map(|p| p["id"].as_str().unwrap()).collect();
        assert!(!listed.contains(&target.as_str()), "{role} {org} does not list {target}");
        assert!(target != &id || listed.is_empty(), "{role} {org} lists nothing");
    }
    // The owners do see it; an unknown id is 404 too, a malformed one 422 (not looked up).
    assert_eq!(get(&app, "igo", IGO_A, &id).await.status(), 200);
    assert_eq!(get(&app, "insurer", INSURER_X, &id).await.status(), 200);
    assert_problem(get(&app, "igo", IGO_A, &ulid::Ulid::new().to_string()).await, 404).await;
    assert_problem(get(&app, "igo", IGO_A, "not-an-id").await, 422).await;
}

#[tokio::test]
async fn get_honours_if_none_match() {
    let app = TestApp::spawn().await;
    let (id, etag, _) = create(&app, IGO_A, &proposal_body(IGO_A, INSURER_X)).await;
    let response = get(&app, "igo", IGO_A, &id).await;
    assert_eq!(etag_of(&response), etag);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let cached =
        app.as_caller(app.get(&format!("/v1/proposals/{id}")), "igo", IGO_A).await.header("if-none-match", &etag);
    let response = cached.send().await.unwrap();
    assert_eq!(response.status(), 304);
    assert_eq!(etag_of(&response), etag);
    assert!(response.text().await.unwrap().is_empty());
    let stale =
        app.as_caller(app.get(&format!("/v1/proposals/{id}")), "igo", IGO_A).await.header("if-none-match", "\"0\"");
    assert_eq!(stale.send().await.unwrap().status(), 200);
}

#[tokio::test]
async fn put_replaces_content_under_if_match() {
    let app = TestApp::spawn().await;
    let body = proposal_body(IGO_A, INSURER_X);
    let (id, etag, _) = create(&app, IGO_A, &body).await;
    let path = format!("/v1/proposals/{id}");
    let mut content = content_of(&body);
    content["lines"][0]["volume"] = json!(130);
    // Issue 21: quote_id is set only through from_quote, never taken from a client.
    let mut with_quote_id = content.clone();
    with_quote_id["quote_id"] = json!("01JD3M5X8Q2W7R4T6Y9V1J0K3P");
    let forged = app.as_caller(app.put(&path), "igo", IGO_A).await.header("if-match", &etag).json(&with_quote_id);
    let problem = assert_problem(forged.send().await.unwrap(), 422).await;
    assert_eq!(problem["errors"][0]["pointer"], "/quote_id");

    let without = app.as_caller(app.put(&path), "igo", IGO_A).await.json(&content).send().await.unwrap();
    assert_problem(without, 428).await;
    let stale = app.as_caller(app.put(&path), "igo", IGO_A).await.header("if-match", "\"7\"").json(&content);
    assert_problem(stale.send().await.unwrap(), 412).await;
    let by_insurer = app.as_caller(app.put(&path), "insurer", INSURER_X).await.header("if-match", &etag).json(&content);
    assert_problem(by_insurer.send().await.unwrap(), 403).await;

    let response = app
        .as_caller(app.put(&path), "igo", IGO_A)
        .await
        .header("if-match", &etag)
        .json(&content)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(etag_of(&response), "\"2\"");
    let updated = json_body(response).await;
    assert_eq!(updated["version"], 2);
    assert_eq!(updated["lines"][0]["amount"], "160485.00");
    assert_eq!(updated["totals"]["amount"], "405485.00");
    assert!(updated.get("quote_id").is_none());
    assert_eq!(updated["igo"]["agb"], IGO_A, "parties stay");
    // The old ETag is stale now.
    let again = app.as_caller(app.put(&path), "igo", IGO_A).await.header("if-match", &etag).json(&content);
    assert_problem(again.send().await.unwrap(), 412).await;

    // Editing is for draft and countered only.
    let etag = step(&app, "igo", IGO_A, &id, "\"2\"", json!({"action": "submit"})).await;
    let locked = app.as_caller(app.put(&path), "igo", IGO_A).await.header("if-match", &etag).json(&content);
    assert_problem(locked.send().await.unwrap(), 409).await;
    let etag = step(&app, "insurer", INSURER_X, &id, &etag, json!({"action": "start_review"})).await;
    let etag = step(&app, "insurer", INSURER_X, &id, &etag, counter_body()).await;
    content["lines"][0]["tariff"] = json!("1150.00");
    let revised = app.as_caller(app.put(&path), "igo", IGO_A).await.header("if-match", &etag).json(&content);
    let revised = json_body(revised.send().await.unwrap()).await;
    assert_eq!(revised["status"], "countered");
    assert_eq!(revised["counter"]["lines"][0]["tariff"], "1100.00", "the counter stays beside the revision");
    assert_eq!(revised["lines"][0]["tariff"], "1150.00");
}

#[tokio::test]
async fn every_allowed_transition_succeeds_for_its_role() {
    let app = TestApp::spawn().await;
    for (from, action, role, to) in ALLOWED {
        let (id, etag) = in_status(&app, from).await;
        let org = if role == "igo" { IGO_A } else { INSURER_X };
        let response = transition(&app, role, org, &id, &etag, action_body(action)).await;
        assert_eq!(response.status(), 200, "{from} {action} {role}");
        let version: u64 = etag.trim_matches('"').parse().unwrap();
        assert_eq!(etag_of(&response), format!("\"{}\"", version + 1));
        let proposal = json_body(response).await;
        assert_eq!(proposal["status"], to, "{from} {action} {role}");
        if action == "counter" {
            assert_eq!(proposal["counter"]["totals"]["amount"], "132000.00");
            assert_eq!(proposal["lines"][0]["tariff"], "1234.50", "the IGO's lines are kept");
        }
    }
}

#[tokio::test]
async fn every_refused_transition_is_409_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let mut refused = 0;
    for status in STATUSES {
        let (id, etag) = in_status(&app, status).await;
        for action in ACTIONS {
            for (role, org) in [("igo", IGO_A), ("insurer", INSURER_X)] {
                if ALLOWED.iter().any(|(s, a, r, _)| *s == status && *a == action && *r == role) {
                    continue;
                }
                let response = transition(&app, role, org, &id, &etag, action_body(action)).await;
                // The insurer cannot see a draft at all: 404 rather than 409.
                let expected = if status == "draft" && role == "insurer" { 404 } else { 409 };
                let problem = assert_problem(response, expected).await;
                if expected == 409 {
                    assert!(problem["detail"].as_str().unwrap().contains(action), "{problem}");
                }
                refused += 1;
            }
        }
        let current = get(&app, "igo", IGO_A, &id).await;
        assert_eq!(etag_of(&current), etag, "{status}: refused transitions change nothing");
    }
    assert_eq!(refused, 7 * 6 * 2 - ALLOWED.len());
}

#[tokio::test]
async fn transition_requests_are_checked() {
    let app = TestApp::spawn().await;
    let (id, etag) = in_status(&app, "under_review").await;
    let path = format!("/v1/proposals/{id}/transitions");
    let insurer_token = app.token("insurer", INSURER_X).await;
    let insurer = |b: reqwest::RequestBuilder| b.bearer_auth(&insurer_token);
    assert_problem(insurer(app.post(&path)).json(&json!({"action": "accept"})).send().await.unwrap(), 428).await;
    let stale = insurer(app.post(&path)).header("if-match", "\"1\"").json(&json!({"action": "accept"}));
    assert_problem(stale.send().await.unwrap(), 412).await;
    for (body, pointer) in [
        (json!({"action": "reject"}), "/reason"),
        (json!({"action": "counter"}), "/counter_lines"),
        (json!({"action": "counter", "counter_lines": []}), "/counter_lines"),
        (
            json!({"action": "accept", "counter_lines": [{"prestatie": "geboortezorg_nataal", "volume": 1, "tariff": "1"}]}),
            "/counter_lines",
        ),
        (
            json!({"action": "counter", "counter_lines": [{"prestatie": "geboortezorg_nataal", "volume": 1, "tariff": "1.001"}]}),
            "/counter_lines/0/tariff",
        ),
        (json!({"action": "reject", "reason": "x".repeat(2001)}), "/reason"),
        (json!({"action": "approve"}), "/action"),
        (json!({"action": "accept", "extra": 1}), ""),
    ] {
        let response = insurer(app.post(&path)).header("if-match", &etag).json(&body).send().await.unwrap();
        let problem = assert_problem(response, 422).await;
        let pointers: Vec<&str> =
            problem["errors"].as_array().unwrap().iter().map(|e| e["pointer"].as_str().unwrap()).collect();
        assert!(pointers.iter().any(|p| p.starts_with(pointer)), "{body}: {problem}");
    }
    let malformed = insurer(app.post(&path)).header("if-match", &etag).header("content-type", "application/json");
    assert_problem(malformed.body("{\"action\":").send().await.unwrap(), 400).await;
}

#[tokio::test]
async fn history_keeps_every_change_and_version() {
    let app = TestApp::spawn().await;
    let body = proposal_body(IGO_A, INSURER_X);
    let (id, etag, _) = create(&app, IGO_A, &body).await;
    let mut content = content_of(&body);
    content["lines"][0]["volume"] = json!(200);
    let put = app.as_caller(app.put(&format!("/v1/proposals/{id}")), "igo", IGO_A).await.header("if-match", &etag);
    let etag = etag_of(&put.json(&content).send().await.unwrap());
    let etag = step(&app, "igo", IGO_A, &id, &etag, json!({"action": "submit"})).await;
    let etag = step(&app, "insurer", INSURER_X, &id, &etag, json!({"action": "start_review"})).await;
    step(&app, "insurer", INSURER_X, &id, &etag, json!({"action": "reject", "reason": "te duur"})).await;

    // The IGO sees every change and version; its own subjects, the insurer's organisation and role.
    let history = |role: &'static str, org: &'static str| {
        let path = format!("/v1/proposals/{id}/history");
        let app = &app;
        async move {
            let response = app.as_caller(app.get(&path), role, org).await.send().await.unwrap();
            assert_eq!(response.status(), 200);
            json_body(response).await
        }
    };
    let igo = history("igo", IGO_A).await;
    let entries = igo["entries"].as_array().unwrap();
    let actions: Vec<&str> = entries.iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["create", "edit", "submit", "start_review", "reject"]);
    let versions: Vec<u64> = entries.iter().map(|e| e["version"].as_u64().unwrap()).collect();
    assert_eq!(versions, [1, 2, 3, 4, 5]);
    let igo_sub = format!("user-igo-{IGO_A}");
    assert_eq!(
        entries[0]["actor"],
        json!({"sub": igo_sub, "name": format!("Test {igo_sub}"), "role": "igo", "org": IGO_A})
    );
    assert_eq!(
        entries[4]["actor"],
        json!({"role": "insurer", "org": INSURER_X, "signatory": true}),
        "the insurer's subject and name are not shown"
    );
    assert_eq!(entries[4]["reason"], "te duur");
    assert_eq!(entries[4]["from_status"], "under_review");
    assert_eq!(entries[4]["status"], "rejected");
    assert!(entries[0].get("from_status").is_none());
    let snapshots = igo["versions"].as_array().unwrap();
    assert_eq!(snapshots.len(), 5);
    assert_eq!(snapshots[0]["lines"][0]["volume"], 120, "version 1 keeps its own content");
    assert_eq!(snapshots[1]["lines"][0]["volume"], 200);
    assert_eq!(snapshots[4]["status"], "rejected");
    assert_eq!(snapshots[4], json_body(get(&app, "igo", IGO_A, &id).await).await);

    // Issue 21: this test used to assert that the insurer gets versions 1 and 2 too, the IGO's
    // drafts before it submitted. The insurer sees what was sent to it: from the submission
    // (version 3) on, and the IGO's subjects are not shown.
    let insurer = history("insurer", INSURER_X).await;
    let entries = insurer["entries"].as_array().unwrap();
    let actions: Vec<&str> = entries.iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["submit", "start_review", "reject"]);
    assert_eq!(entries[0]["actor"], json!({"role": "igo", "org": IGO_A}), "the IGO's subject is not shown");
    assert_eq!(
        entries[2]["actor"],
        json!({"sub": format!("user-insurer-{INSURER_X}"), "name": format!("Test user-insurer-{INSURER_X}"),
            "role": "insurer", "org": INSURER_X, "signatory": true})
    );
    let snapshots = insurer["versions"].as_array().unwrap();
    let versions: Vec<u64> = snapshots.iter().map(|v| v["version"].as_u64().unwrap()).collect();
    assert_eq!(versions, [3, 4, 5]);
    assert!(!insurer.to_string().contains("\"volume\":120"), "the draft's content is the IGO's alone");
}

/// Issue 21: while a proposal is countered, the IGO's revision is its own: the insurer's GET,
/// list and history show the last version it received, until the IGO submits again.
#[tokio::test]
async fn the_insurer_sees_the_version_it_received_while_the_igo_revises() {
    let app = TestApp::spawn().await;
    let mut body = proposal_body(IGO_A, INSURER_X);
    body["submit"] = json!(true);
    let (id, etag, _) = create(&app, IGO_A, &body).await;
    let etag = step(&app, "insurer", INSURER_X, &id, &etag, json!({"action": "start_review"})).await;
    let counter = json!({"action": "counter", "reason": "te duur",
        "counter_lines": [{"prestatie": "geboortezorg_prenataal", "volume": 100, "tariff": "1100.00"}]});
    let etag = step(&app, "insurer", INSURER_X, &id, &etag, counter).await;
    let received = json_body(get(&app, "insurer", INSURER_X, &id).await).await;
    assert_eq!(received["version"], 3);

    // The IGO revises twice (a floor price it would not send, then another).
    let mut etag = etag;
    for tariff in ["999.99", "1150.00"] {
        let mut content = content_of(&body);
        content["lines"][0]["tariff"] = json!(tariff);
        let put = app.as_caller(app.put(&format!("/v1/proposals/{id}")), "igo", IGO_A).await.header("if-match", &etag);
        let response = put.json(&content).send().await.unwrap();
        assert_eq!(response.status(), 200);
        etag = etag_of(&response);
    }
    let igo_view = json_body(get(&app, "igo", IGO_A, &id).await).await;
    assert_eq!((igo_view["version"].as_u64(), igo_view["lines"][0]["tariff"].as_str()), (Some(5), Some("1150.00")));

    let response = get(&app, "insurer", INSURER_X, &id).await;
    assert_eq!(etag_of(&response), "\"3\"");
    assert_eq!(json_body(response).await, received, "GET: the version it received");
    let list =
        json_body(app.as_caller(app.get("/v1/proposals"), "insurer", INSURER_X).await.send().await.unwrap()).await;
    assert_eq!(list["items"][0]["version"], 3, "list: {list}");
    assert_eq!(list["items"][0]["totals"], received["totals"]);
    let history = app.as_caller(app.get(&format!("/v1/proposals/{id}/history")), "insurer", INSURER_X).await;
    let history = json_body(history.send().await.unwrap()).await;
    let versions: Vec<u64> =
        history["entries"].as_array().unwrap().iter().map(|e| e["version"].as_u64().unwrap()).collect();
    assert_eq!(versions, [1, 2, 3], "history: no entry of the revision");
    assert!(!history.to_string().contains("999.99") && !history.to_string().contains("1150.00"));

    // Submitted again: now the insurer sees the revision.
    step(&app, "igo", IGO_A, &id, &etag, json!({"action": "submit"})).await;
    let now = json_body(get(&app, "insurer", INSURER_X, &id).await).await;
    assert_eq!((now["version"].as_u64(), now["lines"][0]["tariff"].as_str()), (Some(6), Some("1150.00")));
    let list =
        json_body(app.as_caller(app.get("/v1/proposals"), "insurer", INSURER_X).await.send().await.unwrap()).await;
    assert_eq!(list["items"][0]["version"], 6);
}

#[tokio::test]
async fn idempotent_create_replays_and_refuses_another_body() {
    let app = TestApp::spawn().await;
    let body = proposal_body(IGO_A, INSURER_X);
    let send = async |body: &Value, key: &str, org: &str| {
        app.as_caller(app.post("/v1/proposals"), "igo", org)
            .await
            .header("idempotency-key", key)
            .json(body)
            .send()
            .await
    };
    let first = send(&body, "key-1", IGO_A).await.unwrap();
    assert_eq!(first.status(), 201);
    let (location, etag) = (first.headers()["location"].clone(), etag_of(&first));
    let first = first.text().await.unwrap();
    // Same key, same body (even re-serialised with other key order): the same answer.
    let reordered: Value = serde_json::from_str(&serde_json::to_string(&body).unwrap()).unwrap();
    let replay = send(&reordered, "key-1", IGO_A).await.unwrap();
    assert_eq!(replay.status(), 201);
    assert_eq!(replay.headers()["location"], location);
    assert_eq!(etag_of(&replay), etag);
    assert_eq!(replay.text().await.unwrap(), first);
    // Same key, another body: 422.
    let mut other = body.clone();
    other["lines"][0]["volume"] = json!(121);
    assert_problem(send(&other, "key-1", IGO_A).await.unwrap(), 422).await;
    // Keys are per caller: IGO B's "key-1" is its own.
    let mut body_b = proposal_body(IGO_B, INSURER_X);
    body_b["submit"] = json!(false);
    assert_eq!(send(&body_b, "key-1", IGO_B).await.unwrap().status(), 201);
    // Bad keys are named.
    let problem = assert_problem(send(&body, &"k".repeat(300), IGO_A).await.unwrap(), 422).await;
    assert_eq!(problem["errors"][0]["pointer"], "/header/Idempotency-Key");
    // One proposal for IGO A.
    let list = app.as_caller(app.get("/v1/proposals"), "igo", IGO_A).await.send().await.unwrap();
    assert_eq!(json_body(list).await["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn idempotent_transition_replays_after_success() {
    let app = TestApp::spawn().await;
    let (id, etag) = in_status(&app, "submitted").await;
    let path = format!("/v1/proposals/{id}/transitions");
    let insurer_token = app.token("insurer", INSURER_X).await;
    let send = || {
        app.post(&path)
            .bearer_auth(&insurer_token)
            .header("if-match", &etag)
            .header("idempotency-key", "review-1")
            .json(&json!({"action": "start_review"}))
            .send()
    };
    let first = send().await.unwrap();
    assert_eq!(first.status(), 200);
    let first = first.text().await.unwrap();
    // The retry carries the now stale If-Match, yet replays the first answer instead of 412.
    let again = send().await.unwrap();
    assert_eq!(again.status(), 200);
    assert_eq!(again.text().await.unwrap(), first);
    let history =
        app.as_caller(app.get(&format!("/v1/proposals/{id}/history")), "igo", IGO_A).await.send().await.unwrap();
    assert_eq!(json_body(history).await["entries"].as_array().unwrap().len(), 2);
}

/// Each validation rule, through HTTP: (what to change, the pointer the 422 names).
#[tokio::test]
async fn each_validation_rule_answers_422_naming_the_field() {
    let app = TestApp::spawn().await;
    let base = proposal_body(IGO_A, INSURER_X);
    let set = |pointer: &str, value: Value| {
        let mut body = base.clone();
        *body.pointer_mut(pointer).unwrap() = value;
        body
    };
    let mut unknown = base.clone();
    unknown["colour"] = json!("blue");
    let mut unknown_nested = base.clone();
    unknown_nested["lines"][0]["discount"] = json!("1");
    let per_prestatie_short = set(
        "/distribution_key/providers",
        json!([
            {"agb": "08000001", "name": "A", "kind": "verloskundigenpraktijk", "shares": [
                {"prestatie": "geboortezorg_prenataal", "share": "50"},
                {"prestatie": "kraamzorg_postnataal_per_uur", "share": "50"}]},
            {"agb": "33000002", "name": "B", "kind": "kraamzorg", "shares": [
                {"prestatie": "geboortezorg_prenataal", "share": "50"},
                {"prestatie": "kraamzorg_postnataal_per_uur", "share": "49.9999"}]}
        ]),
    );
    let cases: Vec<(Value, &str)> = vec![
        (set("/igo/agb", json!("1234567")), "/igo/agb"),
        (set("/igo/agb", json!(IGO_B)), "/igo/agb"),
        (set("/insurer/uzovi", json!("33111")), "/insurer/uzovi"),
        (set("/distribution_key/providers/0/agb", json!("0100000x")), "/distribution_key/providers/0/agb"),
        (set("/lines/1/prestatie", json!("geboortezorg_prenataal")), "/lines/1/prestatie"),
        (set("/lines/0/prestatie", json!("geboortezorg_nataal_light")), "/lines/0/prestatie"),
        (set("/lines/0/volume", json!(10_000_001)), "/lines/0/volume"),
        (set("/lines/0/volume", json!(-1)), "/lines/0/volume"),
        (set("/lines/0/volume", json!(1.5)), "/lines/0/volume"),
        (set("/lines/0/tariff", json!("-0.01")), "/lines/0/tariff"),
        (set("/lines/0/tariff", json!("12.345")), "/lines/0/tariff"),
        (set("/lines/0/tariff", json!("1000000000.00")), "/lines/0/tariff"),
        (set("/lines/0/tariff", json!(1234.5)), "/lines/0/tariff"),
        (set("/lines", json!([])), "/lines"),
        (set("/distribution_key/providers/0/share", json!("59.99")), "/distribution_key/providers"),
        (set("/distribution_key/providers/0/share", json!("60.00001")), "/distribution_key/providers/0/share"),
        (set("/distribution_key/providers/0/share", json!("-1")), "/distribution_key/providers/0/share"),
        (per_prestatie_short, "/distribution_key/providers"),
        (set("/distribution_key/providers/1/agb", json!("08000001")), "/distribution_key/providers/1/agb"),
        (set("/distribution_key/providers/0/kind", json!("apotheek")), "/distribution_key/providers/0/kind"),
        (set("/care_shifts/0/to", json!("ziekenhuis")), "/care_shifts/0/to"),
        (set("/care_shifts/0/share", json!("100.01")), "/care_shifts/0/share"),
        (set("/attention_points/client_scope", json!("some_clients")), "/attention_points/client_scope"),
        (set("/attention_points/notes", json!("x".repeat(4001))), "/attention_points/notes"),
        (set("/igo/name", json!("x".repeat(201))), "/igo/name"),
        (set("/insurer/name", json!("")), "/insurer/name"),
        (set("/period", json!({"year": 1999})), "/period/year"),
        (set("/period", json!({"start": "2026-06-01", "end": "2026-01-01"})), "/period/end"),
        (set("/period", json!({"start": "2026-13-01", "end": "2026-12-31"})), "/period/start"),
        (set("/policy_route", json!("mono")), "/policy_route"),
        (set("/igo/name", json!("IGO")).tap_insert("quote_id", json!("")), "/quote_id"),
        (set("/igo/name", json!("IGO")).tap_insert("quote_id", json!("q".repeat(65))), "/quote_id"),
        (unknown, ""),
        (unknown_nested, "/lines/0"),
    ];
    for (body, pointer) in cases {
        let response = app.as_caller(app.post("/v1/proposals"), "igo", IGO_A).await.json(&body).send().await.unwrap();
        let problem = assert_problem(response, 422).await;
        let pointers: Vec<&str> =
            problem["errors"].as_array().unwrap().iter().map(|e| e["pointer"].as_str().unwrap()).collect();
        assert!(pointers.iter().any(|p| p.starts_with(pointer)), "expected {pointer:?}: {problem}");
    }
    // Malformed JSON is 400, an oversized body 413, and nothing was stored by any of them.
    let malformed =
        app.as_caller(app.post("/v1/proposals"), "igo", IGO_A).await.header("content-type", "application/json");
    assert_problem(malformed.body("{\"igo\": ").send().await.unwrap(), 400).await;
    let mut huge = base.clone();
    huge["attention_points"]["notes"] = json!("x".repeat(300 * 1024));
    let response = app.as_caller(app.post("/v1/proposals"), "igo", IGO_A).await.json(&huge).send().await.unwrap();
    assert_problem(response, 413).await;
    let list = app.as_caller(app.get("/v1/proposals"), "igo", IGO_A).await.send().await.unwrap();
    assert_eq!(json_body(list).await["items"], json!([]));
}

trait TapInsert {
    fn tap_insert(self, key: &str, value: Value) -> Value;
}

impl TapInsert for Value {
    fn tap_insert(mut self, key: &str, value: Value) -> Value {
        self[key] = value;
        self
    }
}

#[tokio::test]
async fn listing_filters_by_key_design() {
    let app = TestApp::spawn().await;
    let mut ids = std::collections::HashMap::new();
    for (igo, insurer, year, submit) in [
        (IGO_A, INSURER_X, 2026, true),
        (IGO_A, INSURER_X, 2027, true),
        (IGO_A, INSURER_Y, 2026, true),
        (IGO_A, INSURER_X, 2026, false),
        (IGO_B, INSURER_X, 2026, true),
    ] {
        let mut body = proposal_body(igo, insurer);
        body["period"] = json!({"year": year});
        body["submit"] = json!(submit);
        let (id, _, _) = create(&app, igo, &body).await;
        ids.insert((igo, insurer, year, submit), id);
    }
    let list = |role: &'static str, org: &'static str, query: &'static str| {
        let app = &app;
        async move {
            let response =
                app.as_caller(app.get(&format!("/v1/proposals{query}")), role, org).await.send().await.unwrap();
            assert_eq!(response.status(), 200, "{query}");
            let page = json_body(response).await;
            page["items"].as_array().unwrap().iter().map(|p| p["id"].as_str().unwrap().to_owned()).collect::<Vec<_>>()
        }
    };
    let id = |k: (&str, &str, i32, bool)| ids[&k].clone();
    let newest_first = |mut v: Vec<String>| {
        v.sort();
        v.reverse();
        v
    };
    assert_eq!(
        list("igo", IGO_A, "").await,
        newest_first(vec![
            id((IGO_A, INSURER_X, 2026, true)),
            id((IGO_A, INSURER_X, 2027, true)),
            id((IGO_A, INSURER_Y, 2026, true)),
            id((IGO_A, INSURER_X, 2026, false)),
        ])
    );
    assert_eq!(list("igo", IGO_A, "?status=draft").await, vec![id((IGO_A, INSURER_X, 2026, false))]);
    assert_eq!(list("igo", IGO_A, "?year=2027").await, vec![id((IGO_A, INSURER_X, 2027, true))]);
    assert_eq!(list("igo", IGO_A, "?insurer=7029").await, vec![id((IGO_A, INSURER_Y, 2026, true))]);
    assert_eq!(
        list("igo", IGO_A, "?insurer=3311&year=2026&status=submitted").await,
        vec![id((IGO_A, INSURER_X, 2026, true))]
    );
    // The insurer sees what was submitted to it, from every IGO, never drafts.
    assert_eq!(
        list("insurer", INSURER_X, "").await,
        newest_first(vec![
            id((IGO_A, INSURER_X, 2026, true)),
            id((IGO_A, INSURER_X, 2027, true)),
            id((IGO_B, INSURER_X, 2026, true)),
        ])
    );
    assert_eq!(list("insurer", INSURER_X, "?igo=53054321").await, vec![id((IGO_B, INSURER_X, 2026, true))]);
    assert_eq!(list("insurer", INSURER_X, "?status=draft").await, Vec::<String>::new());
    assert_eq!(list("insurer", INSURER_Y, "?year=2026&igo=53012345").await, vec![id((IGO_A, INSURER_Y, 2026, true))]);

    // A status change moves the proposal between the status partitions.
    let target = id((IGO_A, INSURER_X, 2027, true));
    step(&app, "insurer", INSURER_X, &target, "\"1\"", json!({"action": "start_review"})).await;
    assert_eq!(list("insurer", INSURER_X, "?status=under_review").await, vec![target.clone()]);
    assert!(!list("igo", IGO_A, "?status=submitted").await.contains(&target));
    let listed = app.as_caller(app.get("/v1/proposals?status=under_review"), "igo", IGO_A).await.send().await.unwrap();
    let item = &json_body(listed).await["items"][0];
    assert_eq!(item["version"], 2);
    assert_eq!(item["totals"]["amount"], "393140.00");

    for (role, org, query, pointer) in [
        ("igo", IGO_A, "?limit=0", "/query/limit"),
        ("igo", IGO_A, "?limit=101", "/query/limit"),
        ("igo", IGO_A, "?limit=ten", "/query/limit"),
        ("igo", IGO_A, "?status=open", "/query/status"),
        ("igo", IGO_A, "?year=1999", "/query/year"),
        ("igo", IGO_A, "?insurer=33", "/query/insurer"),
        ("insurer", INSURER_X, "?igo=1234", "/query/igo"),
        ("igo", IGO_A, "?colour=blue", "/query/colour"),
        ("igo", IGO_A, "?cursor=not%20a%20cursor", "/query/cursor"),
    ] {
        let response = app.as_caller(app.get(&format!("/v1/proposals{query}")), role, org).await.send().await.unwrap();
        let problem = assert_problem(response, 422).await;
        assert_eq!(problem["errors"][0]["pointer"], pointer, "{query}");
    }
    // Its own side's filter may name only the caller itself (a no-op); another organisation
    // there is not the caller's list to see.
    assert!(list("igo", IGO_A, concat!("?igo=", "53012345")).await.contains(&target));
    assert_eq!(IGO_A, "53012345");
    for (role, org, query) in [("igo", IGO_A, format!("?igo={IGO_B}")), ("insurer", INSURER_X, "?insurer=7029".into())]
    {
        let response = app.as_caller(app.get(&format!("/v1/proposals{query}")), role, org).await.send().await.unwrap();
        assert_problem(response, 403).await;
    }
    // A well-formed cursor this listing did not hand out is a page that is not there (404); a
    // cursor only continues the listing it came from.
    let page = app.as_caller(app.get("/v1/proposals?limit=1"), "igo", IGO_A).await.send().await.unwrap();
    let cursor = json_body(page).await["next_cursor"].as_str().unwrap().to_owned();
    let other = app.as_caller(app.get(&format!("/v1/proposals?limit=1&year=2026&cursor={cursor}")), "igo", IGO_A).await;
    assert_problem(other.send().await.unwrap(), 404).await;
    let made_up = app.as_caller(app.get("/v1/proposals?cursor=bm9wZQ"), "igo", IGO_A).await;
    assert_problem(made_up.send().await.unwrap(), 404).await;
}

/// Issue 21: history is paginated (oldest first, `limit` versions a page, `next_cursor` for
/// later ones), and one version's snapshot can be fetched on its own: 50 versions.
#[tokio::test]
async fn history_pages_through_50_versions_and_serves_one_version() {
    let app = TestApp::spawn().await;
    let body = proposal_body(IGO_A, INSURER_X);
    let (id, mut etag, _) = create(&app, IGO_A, &body).await;
    let mut content = content_of(&body);
    for volume in 2..=50 {
        content["lines"][0]["volume"] = json!(volume);
        let put = app.as_caller(app.put(&format!("/v1/proposals/{id}")), "igo", IGO_A).await.header("if-match", &etag);
        let response = put.json(&content).send().await.unwrap();
        assert_eq!(response.status(), 200);
        etag = etag_of(&response);
    }
    assert_eq!(etag, "\"50\"");

    let page = |query: String| {
        let path = format!("/v1/proposals/{id}/history{query}");
        let app = &app;
        async move { json_body(app.as_caller(app.get(&path), "igo", IGO_A).await.send().await.unwrap()).await }
    };
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let query = match &cursor {
            Some(c) => format!("?limit=20&cursor={c}"),
            None => "?limit=20".to_owned(),
        };
        let history = page(query).await;
        let entries: Vec<u64> =
            history["entries"].as_array().unwrap().iter().map(|e| e["version"].as_u64().unwrap()).collect();
        let versions: Vec<u64> =
            history["versions"].as_array().unwrap().iter().map(|v| v["version"].as_u64().unwrap()).collect();
        assert_eq!(entries, versions, "each entry with its snapshot");
        assert!(entries.len() <= 20);
        seen.extend(entries);
        pages += 1;
        match history["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(seen, (1..=50).collect::<Vec<u64>>(), "oldest first, every version once");
    // The default page is 20 versions.
    let first = page(String::new()).await;
    assert_eq!(first["entries"].as_array().unwrap().len(), 20);
    // Bad paging is a 422, never a 500; a well-formed cursor the history did not hand out is
    // a page that is not there (404).
    for bad in ["?limit=0", "?limit=51", "?cursor=%21%21", "?page=2"] {
        let response = app.as_caller(app.get(&format!("/v1/proposals/{id}/history{bad}")), "igo", IGO_A).await;
        assert_problem(response.send().await.unwrap(), 422).await;
    }
    let response = app.as_caller(app.get(&format!("/v1/proposals/{id}/history?cursor=dGV4dA")), "igo", IGO_A).await;
    assert_problem(response.send().await.unwrap(), 404).await;

    // One version on its own.
    let version = async |role: &'static str, org: &'static str, v: &str| {
        app.as_caller(app.get(&format!("/v1/proposals/{id}/versions/{v}")), role, org).await.send().await
    };
    let v37 = json_body(version("igo", IGO_A, "37").await.unwrap()).await;
    assert_eq!((v37["version"].as_u64(), v37["lines"][0]["volume"].as_u64()), (Some(37), Some(37)));
    assert_problem(version("igo", IGO_A, "51").await.unwrap(), 404).await;
    assert_problem(version("igo", IGO_A, "0").await.unwrap(), 422).await;
    assert_problem(version("igo", IGO_A, "x").await.unwrap(), 422).await;
    // A draft's versions are the IGO's alone.
    assert_problem(version("insurer", INSURER_X, "37").await.unwrap(), 404).await;
    step(&app, "igo", IGO_A, &id, &etag, json!({"action": "submit"})).await;
    assert_problem(version("insurer", INSURER_X, "37").await.unwrap(), 404).await;
    let sent = json_body(version("insurer", INSURER_X, "51").await.unwrap()).await;
    assert_eq!((sent["version"].as_u64(), sent["lines"][0]["volume"].as_u64()), (Some(51), Some(50)));
}
