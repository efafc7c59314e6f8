//! Helpers the proposal suites share: callers, a valid body, and request shortcuts.

use integration_tests::{json_body, TestApp};
use serde_json::{json, Value};

pub const IGO_A: &str = "53012345";
pub const IGO_B: &str = "53054321";
pub const INSURER_X: &str = "3311";
pub const INSURER_Y: &str = "7029";

/// A valid new proposal of `igo` to `insurer`.
pub fn proposal_body(igo: &str, insurer: &str) -> Value {
    json!({
        "igo": {"agb": igo, "name": format!("IGO {igo}")},
        "insurer": {"uzovi": insurer, "name": format!("Verzekeraar {insurer}")},
        "period": {"year": 2026},
        "policy_route": "integrale_bekostiging",
        "lines": [
            {"prestatie": "geboortezorg_prenataal", "volume": 120, "tariff": "1234.50"},
            {"prestatie": "kraamzorg_postnataal_per_uur", "volume": 4000, "tariff": "61.25"}
        ],
        "distribution_key": {"providers": [
            {"agb": "08000001", "name": "Verloskundigen Oost", "kind": "verloskundigenpraktijk", "share": "60"},
            {"agb": "33000002", "name": "Kraamzorg Oost", "kind": "kraamzorg", "share": "40"}
        ]},
        "care_shifts": [{"kind": "planned", "prestatie": "geboortezorg_nataal", "from": "ziekenhuis", "to": "verloskundigenpraktijk", "share": "5.5"}],
        "attention_points": {"client_scope": "new_clients_only", "notes": "start 1 januari"}
    })
}

/// The editable content of a body (what PUT takes).
pub fn content_of(body: &Value) -> Value {
    let mut content = body.clone();
    let map = content.as_object_mut().unwrap();
    for field in ["igo", "insurer", "submit"] {
        map.remove(field);
    }
    content
}

pub fn etag_of(response: &reqwest::Response) -> String {
    response.headers().get("etag").expect("an ETag").to_str().unwrap().to_owned()
}

/// Creates a proposal as IGO `igo`; returns (id, etag, body).
pub async fn create(app: &TestApp, igo: &str, body: &Value) -> (String, String, Value) {
    let response = app.as_caller(app.post("/v1/proposals"), "igo", igo).await.json(body).send().await.unwrap();
    assert_eq!(response.status(), 201, "create");
    let etag = etag_of(&response);
    let json = json_body(response).await;
    (json["id"].as_str().unwrap().to_owned(), etag, json)
}

/// Sends a transition as `role`/`org` with `If-Match: etag`.
pub async fn transition(app: &TestApp, role: &str, org: &str, id: &str, etag: &str, body: Value) -> reqwest::Response {
    app.as_caller(app.post(&format!("/v1/proposals/{id}/transitions")), role, org)
        .await
        .header("if-match", etag)
        .json(&body)
        .send()
        .await
        .unwrap()
}

/// A transition that must succeed; returns the new ETag.
pub async fn step(app: &TestApp, role: &str, org: &str, id: &str, etag: &str, body: Value) -> String {
    let response = transition(app, role, org, id, etag, body.clone()).await;
    let status = response.status();
    let etag = response.headers().get("etag").map(|v| v.to_str().unwrap().to_owned());
    assert_eq!(status, 200, "{body}: {}", json_body(response).await);
    etag.unwrap()
}

pub async fn get(app: &TestApp, role: &str, org: &str, id: &str) -> reqwest::Response {
    app.as_caller(app.get(&format!("/v1/proposals/{id}")), role, org).await.send().await.unwrap()
}
