//! HEAD and OPTIONS on every path of the committed spec (the paths and methods come from
//! `openapi/openapi.json`, not from a list here): OPTIONS answers 204 with an `Allow` naming
//! exactly the spec's methods plus HEAD (beside GET) and OPTIONS, whichever function serves
//! which method; a method the spec does not name is 405 with the same `Allow`; HEAD answers as
//! GET does (status and headers) without a body.

use std::collections::BTreeSet;

use crate::helpers::proposals::{create, proposal_body, IGO_A, INSURER_X};
use crate::helpers::resilience::quote_body;
use integration_tests::{json_body, TestApp};
use serde_json::Value;

const SPEC_METHODS: [&str; 5] = ["get", "put", "post", "delete", "patch"];

fn spec() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../openapi/openapi.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The `Allow` the spec implies for a path item.
fn allow_of(item: &Value) -> String {
    let mut methods: BTreeSet<String> = BTreeSet::from(["OPTIONS".to_owned()]);
    for method in SPEC_METHODS.iter().filter(|m| item.get(**m).is_some()) {
        methods.insert(method.to_uppercase());
        if *method == "get" {
            methods.insert("HEAD".into());
        }
    }
    methods.into_iter().collect::<Vec<_>>().join(", ")
}

/// A concrete path for a template: real ids where the test made them, else the spec's example.
fn concrete(template: &str, item: &Value, proposal: &str, quote: &str) -> String {
    let mut path = template.to_owned();
    let params = SPEC_METHODS.iter().filter_map(|m| item[*m]["parameters"].as_array()).flatten();
    for param in params.filter(|p| p["in"] == "path") {
        let name = param["name"].as_str().unwrap();
        let value = match (template, name) {
            (t, "id") if t.starts_with("/v1/proposals/") => proposal.to_owned(),
            (t, "id") if t.starts_with("/v1/quotes/") => quote.to_owned(),
            (_, "version") => "1".to_owned(),
            _ => param["example"]
                .as_str()
                .map(str::to_owned)
                .or_else(|| param["schema"]["example"].as_str().map(str::to_owned))
                .unwrap_or_else(|| panic!("{template}: path parameter {name} has no example")),
        };
        path = path.replace(&format!("{{{name}}}"), &value);
    }
    path
}

#[tokio::test]
async fn options_head_and_405_on_every_path_of_the_spec() {
    let app = TestApp::spawn_seeded().await;
    let (proposal, _, _) = create(&app, IGO_A, &proposal_body(IGO_A, INSURER_X)).await;
    let quote = app.as_caller(app.post("/v1/quotes"), "igo", IGO_A).await.json(&quote_body()).send().await.unwrap();
    assert_eq!(quote.status(), 201);
    let quote = json_body(quote).await["id"].as_str().unwrap().to_owned();
    let client = reqwest::Client::new();
    let spec = spec();
    let paths = spec["paths"].as_object().unwrap();
    assert!(paths.len() >= 15, "the spec's paths: {}", paths.len());
    let (mut heads_ok, mut heads) = (0, 0);
    for (template, item) in paths {
        let path = concrete(template, item, &proposal, &quote);
        let allow = allow_of(item);

        // OPTIONS needs no token and tells every method, whichever function serves it.
        let options = client.request(reqwest::Method::OPTIONS, app.url(&path)).send().await.unwrap();
        assert_eq!(options.status(), 204, "OPTIONS {path}");
        assert_eq!(options.headers()["allow"], allow.as_str(), "OPTIONS {path}");

        // A method the spec does not name: 405 with the same Allow, token or not.
        let unnamed = ["DELETE", "PATCH", "PUT", "POST"].into_iter().find(|m| item.get(m.to_lowercase()).is_none());
        let unnamed = reqwest::Method::from_bytes(unnamed.unwrap().as_bytes()).unwrap();
        for token in [None, Some(app.token("igo", IGO_A).await)] {
            let mut request = client.request(unnamed.clone(), app.url(&path));
            if let Some(token) = token {
                request = request.bearer_auth(token);
            }
            let response = request.send().await.unwrap();
            assert_eq!(response.status(), 405, "{unnamed} {path}");
            assert_eq!(response.headers()["allow"], allow.as_str(), "{unnamed} {path}");
        }

        // HEAD: the GET's status and headers, no body.
        if item.get("get").is_none() {
            continue;
        }
        heads += 1;
        let get = app.as_caller(app.get(&path), "igo", IGO_A).await.send().await.unwrap();
        let head = app.as_caller(client.head(app.url(&path)), "igo", IGO_A).await.send().await.unwrap();
        assert_eq!(head.status(), get.status(), "HEAD {path}");
        let headers = |r: &reqwest::Response| -> Vec<(String, String)> {
            let mut h: Vec<_> = r
                .headers()
                .iter()
                // Per request, not per resource: the date and the request's id.
                .filter(|(name, _)| *name != "date" && *name != "x-request-id")
                .map(|(n, v)| (n.to_string(), v.to_str().unwrap().to_owned()))
                .collect();
            h.sort();
            h
        };
        let (get_headers, head_headers) = (headers(&get), headers(&head));
        let get_body = get.bytes().await.unwrap();
        let head_body = head.bytes().await.unwrap();
        assert_eq!(head_headers, get_headers, "HEAD {path}: the GET's headers");
        assert!(head_body.is_empty(), "HEAD {path} has a body");
        assert!(!get_body.is_empty(), "GET {path} has a body");
        if get_headers.iter().any(|(n, v)| n == "content-length" && *v == get_body.len().to_string()) {
            heads_ok += 1;
        }
    }
    // Every GET of the spec was compared, with a real resource where the test made one.
    assert!(heads >= 10, "HEAD compared on {heads} paths");
    assert_eq!(heads_ok, heads, "HEAD's Content-Length is the GET body's length");
}
