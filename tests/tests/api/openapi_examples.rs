//! The OpenAPI document's examples are valid requests: every operation of the spec the code
//! generates is sent to a fresh API, once with each request-body example and once with each
//! parameter example, by the role it needs and after the prerequisites it needs (a proposal
//! in the right status, a quote, a draft edition), and must succeed (2xx).
//!
//! Coverage is enforced, not hoped for: an operation with a request body but no example, an
//! operation without a driver below, or a required parameter nobody can fill fails the test,
//! so a new operation cannot slip through undocumented or untried.

use std::collections::BTreeMap;

use integration_tests::{json_body, TestApp};
use serde_json::{json, Value};

/// The proposal examples' parties: the IGO of `make token`'s defaults and the insurer the
/// createProposal example addresses.
const IGO: &str = "53012345";
const PUBLISHER_ORG: &str = "zorginkoop-redactie";

/// One operation of the spec, with the examples it documents.
struct Operation {
    id: String,
    method: String,
    path: String,
    /// Request-body examples (`example`, or every entry of `examples`).
    bodies: Vec<Value>,
    /// Whether the operation declares a request body at all.
    has_body: bool,
    params: Vec<Param>,
}

struct Param {
    name: String,
    location: String,
    required: bool,
    example: Option<Value>,
    is_array: bool,
}

/// What a request needs besides the spec's examples: a caller, values of parameters without
/// an example (ids, If-Match) made by its prerequisites.
#[derive(Default)]
struct Prepared {
    caller: Option<(&'static str, String)>,
    values: BTreeMap<String, String>,
}

impl Prepared {
    fn public() -> Self {
        Prepared::default()
    }
    fn as_caller(role: &'static str, org: &str) -> Self {
        Prepared { caller: Some((role, org.to_owned())), values: BTreeMap::new() }
    }
    fn with(mut self, name: &str, value: impl Into<String>) -> Self {
        self.values.insert(name.to_owned(), value.into());
        self
    }
}

fn spec() -> Value {
    serde_json::to_value(docs::spec::generate()).expect("the spec serialises")
}

fn operations(spec: &Value) -> Vec<Operation> {
    let mut ops = Vec::new();
    for (path, item) in spec["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("path item") {
            if !["get", "put", "post", "delete", "patch"].contains(&method.as_str()) {
                continue;
            }
            let id = op["operationId"].as_str().unwrap_or_else(|| panic!("{method} {path}: no operationId"));
            let media = &op["requestBody"]["content"]["application/json"];
            let mut bodies = Vec::new();
            if let Some(example) = media.get("example") {
                bodies.push(example.clone());
            }
            if let Some(examples) = media.get("examples").and_then(Value::as_object) {
                bodies.extend(examples.values().map(|e| e["value"].clone()));
            }
            let params = op["parameters"]
                .as_array()
                .map(|params| {
                    params
                        .iter()
                        .map(|p| Param {
                            name: p["name"].as_str().expect("parameter name").to_owned(),
                            location: p["in"].as_str().expect("parameter in").to_owned(),
                            required: p["required"].as_bool().unwrap_or(false),
                            example: p.get("example").cloned(),
                            is_array: p["schema"]["type"] == "array",
                        })
                        .collect()
                })
                .unwrap_or_default();
            ops.push(Operation {
                id: id.to_owned(),
                method: method.to_uppercase(),
                path: path.clone(),
                bodies,
                has_body: op.get("requestBody").is_some(),
                params,
            });
        }
    }
    ops
}

/// The first request-body example of an operation (a prerequisite's payload).
fn body_example(spec: &Value, operation_id: &str) -> Value {
    operations(spec)
        .into_iter()
        .find(|op| op.id == operation_id)
        .and_then(|op| op.bodies.into_iter().next())
        .unwrap_or_else(|| panic!("{operation_id} documents a request-body example"))
}

/// Creates a proposal from the createProposal example (`submit` as given) and returns its id
/// and ETag, after the insurer started its review when `under_review` is asked for.
async fn proposal(app: &TestApp, spec: &Value, submit: bool, under_review: bool) -> (String, String, String) {
    let mut body = body_example(spec, "createProposal");
    body["submit"] = json!(submit);
    let insurer = body["insurer"]["uzovi"].as_str().expect("the example names an insurer").to_owned();
    let response = app.as_caller(app.post("/v1/proposals"), "igo", IGO).await.json(&body).send().await.unwrap();
    assert_eq!(response.status(), 201, "creating the prerequisite proposal");
    let mut etag = response.headers()["etag"].to_str().unwrap().to_owned();
    let id = json_body(response).await["id"].as_str().unwrap().to_owned();
    if under_review {
        let response = app
            .as_caller(app.post(&format!("/v1/proposals/{id}/transitions")), "insurer", &insurer)
            .await
            .header("if-match", &etag)
            .json(&json!({"action": "start_review"}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "starting the review of the prerequisite proposal");
        etag = response.headers()["etag"].to_str().unwrap().to_owned();
    }
    (id, etag, insurer)
}

/// The driver of each operation: its caller and prerequisites. `None`: no driver, which
/// fails the test.
async fn prepare(app: &TestApp, spec: &Value, op: &str, body: Option<&Value>) -> Option<Prepared> {
    Some(match op {
        "getOpenApiDocument" | "getDocsPage" | "getDashboardPage" | "getLifecyclePicture" => Prepared::public(),
        "getMe" => Prepared::as_caller("igo", IGO),
        "createProposal" | "listProposals" | "listEvents" => Prepared::as_caller("igo", IGO),
        "getProposal" | "getProposalHistory" => {
            let (id, _, _) = proposal(app, spec, false, false).await;
            Prepared::as_caller("igo", IGO).with("id", id)
        }
        "getProposalVersion" => {
            let (id, _, _) = proposal(app, spec, false, false).await;
            Prepared::as_caller("igo", IGO).with("id", id).with("version", "1".to_owned())
        }
        "replaceProposal" => {
            let (id, etag, _) = proposal(app, spec, false, false).await;
            Prepared::as_caller("igo", IGO).with("id", id).with("If-Match", etag)
        }
        "transitionProposal" => {
            let action = body.and_then(|b| b["action"].as_str()).unwrap_or_default();
            let (id, etag, insurer) = match action {
                "submit" | "withdraw" => proposal(app, spec, false, false).await,
                "start_review" => proposal(app, spec, true, false).await,
                _ => proposal(app, spec, true, true).await,
            };
            let caller = match action {
                "submit" | "withdraw" => Prepared::as_caller("igo", IGO),
                _ => Prepared::as_caller("insurer", &insurer),
            };
            caller.with("id", id).with("If-Match", etag)
        }
        "createQuote" => Prepared::as_caller("igo", IGO),
        "getQuote" => {
            let body = body_example(spec, "createQuote");
            let response = app.as_caller(app.post("/v1/quotes"), "igo", IGO).await.json(&body).send().await.unwrap();
            assert_eq!(response.status(), 201, "creating the prerequisite quote");
            let id = json_body(response).await["id"].as_str().unwrap().to_owned();
            Prepared::as_caller("igo", IGO).with("id", id)
        }
        "listZorgkantoren"
        | "getZorgkantoor"
        | "getZorgkantoorThemes"
        | "getThemes"
        | "listThemeEditions"
        | "getThemeEdition"
        | "createWlzTariffQuote"
        | "getPrestatieCatalogue" => Prepared::public(),
        "putThemeEdition" => Prepared::as_caller("publisher", PUBLISHER_ORG),
        "publishThemeEdition" => {
            // The draft to publish: the putThemeEdition example, under the id this example names.
            let draft = body_example(spec, "putThemeEdition");
            let id = draft["edition"].as_str().expect("the edition example has an id").to_owned();
            let response = app
                .as_caller(app.put(&format!("/v1/themes/editions/{id}")), "publisher", PUBLISHER_ORG)
                .await
                .json(&draft)
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 201, "writing the prerequisite draft edition");
            Prepared::as_caller("publisher", PUBLISHER_ORG)
        }
        "getThemesDiff" => {
            // The example's `to` (2024-01): the putThemeEdition example, published.
            let draft = body_example(spec, "putThemeEdition");
            let id = draft["edition"].as_str().expect("the edition example has an id").to_owned();
            // The operation's variants share one table: a later one finds the edition published.
            let put = app.as_caller(app.put(&format!("/v1/themes/editions/{id}")), "publisher", PUBLISHER_ORG).await;
            let status = put.json(&draft).send().await.unwrap().status().as_u16();
            assert!([200, 201, 409].contains(&status), "writing the edition to compare: {status}");
            if status != 409 {
                let publish = app
                    .as_caller(app.post(&format!("/v1/themes/editions/{id}/publish")), "publisher", PUBLISHER_ORG)
                    .await;
                assert_eq!(publish.send().await.unwrap().status(), 200, "publishing the edition to compare");
            }
            Prepared::public()
        }
        _ => return None,
    })
}

/// A query-string or header value of an example: arrays are repeated parameters.
fn scalar(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// One request to send: which body example and which optional parameter examples.
struct Variant {
    label: String,
    body: Option<Value>,
    /// Names of the optional parameters whose example this request carries.
    optional: Vec<String>,
}

fn variants(op: &Operation) -> Vec<Variant> {
    let mut variants: Vec<Variant> = if op.bodies.is_empty() {
        vec![Variant { label: "without optional parameters".into(), body: None, optional: vec![] }]
    } else {
        op.bodies
            .iter()
            .enumerate()
            .map(|(i, b)| Variant { label: format!("body example {}", i + 1), body: Some(b.clone()), optional: vec![] })
            .collect()
    };
    for p in op.params.iter().filter(|p| !p.required && p.example.is_some()) {
        variants.push(Variant {
            label: format!("{} parameter {} example", p.location, p.name),
            body: op.bodies.first().cloned(),
            optional: vec![p.name.clone()],
        });
    }
    variants
}

/// Sends one variant of an operation; `Err` says why it is not a success.
async fn send(app: &TestApp, spec: &Value, op: &Operation, variant: &Variant) -> Result<(), String> {
    let prepared = prepare(app, spec, &op.id, variant.body.as_ref())
        .await
        .ok_or_else(|| "has no driver in tests/tests/api/openapi_examples.rs".to_owned())?;
    let mut path = op.path.clone();
    let mut query: Vec<(String, String)> = Vec::new();
    let mut headers: Vec<(String, String)> = Vec::new();
    for p in &op.params {
        if p.is_array && p.example.as_ref().is_some_and(|e| !e.is_array()) {
            return Err(format!("the example of the repeatable parameter {} is not an array", p.name));
        }
        // A parameter's own example is used when present; the driver fills the others.
        let values: Vec<String> = match (&p.example, prepared.values.get(&p.name)) {
            (Some(Value::Array(items)), _) => items.iter().map(scalar).collect(),
            (Some(example), _) => vec![scalar(example)],
            (None, Some(value)) => vec![value.clone()],
            (None, None) if p.required => {
                return Err(format!(
                    "the required {} parameter {} has neither an example nor a driver value",
                    p.location, p.name
                ))
            }
            (None, None) => continue,
        };
        if !p.required && !variant.optional.contains(&p.name) && !prepared.values.contains_key(&p.name) {
            continue;
        }
        match p.location.as_str() {
            "path" => path = path.replace(&format!("{{{}}}", p.name), &values[0]),
            "query" => query.extend(values.into_iter().map(|v| (p.name.clone(), v))),
            "header" => headers.extend(values.into_iter().map(|v| (p.name.clone(), v))),
            other => return Err(format!("parameter {} is in {other}, which this test does not send", p.name)),
        }
    }
    let method = reqwest::Method::from_bytes(op.method.as_bytes()).unwrap();
    let mut url = reqwest::Url::parse(&app.url(&path)).map_err(|e| format!("the path {path} makes no URL: {e}"))?;
    if !query.is_empty() {
        url.query_pairs_mut().extend_pairs(&query);
    }
    let mut request = app.client.request(method, url);
    for (name, value) in &headers {
        request = request.header(name, value);
    }
    if let Some((role, org)) = &prepared.caller {
        request = app.as_caller(request, role, org).await;
    }
    if let Some(body) = &variant.body {
        request = request.json(body);
    }
    let response = request.send().await.map_err(|e| format!("sending: {e}"))?;
    let status = response.status();
    if status.is_success() {
        Ok(())
    } else {
        Err(format!("{path}?{query:?} answered {status}: {}", response.text().await.unwrap_or_default()))
    }
}

/// Sends every example of one operation to a fresh API; returns how many requests were sent
/// and what failed.
async fn check_operation(spec: &Value, op: &Operation) -> (usize, Vec<String>) {
    let name = format!("{} ({} {})", op.id, op.method, op.path);
    if op.has_body && op.bodies.is_empty() {
        return (0, vec![format!("{name}: request body without an example")]);
    }
    // A fresh API (with the themes seed) per operation: prerequisites and writes of one
    // operation never meet another's.
    let app = TestApp::spawn_seeded().await;
    let mut failures = Vec::new();
    let variants = variants(op);
    for variant in &variants {
        if let Err(why) = send(&app, spec, op, variant).await {
            failures.push(format!("{name}, {}: {why}", variant.label));
        }
    }
    (variants.len(), failures)
}

#[tokio::test]
async fn every_documented_example_is_a_valid_request() {
    let spec = spec();
    let ops = operations(&spec);
    assert!(ops.len() >= 20, "the spec lists the API's operations ({} found)", ops.len());
    let (mut sent, mut failures) = (0, Vec::new());
    for op in &ops {
        let (n, failed) = check_operation(&spec, op).await;
        eprintln!("{:>2} request(s): {} {} {}", n, op.id, op.method, op.path);
        sent += n;
        failures.extend(failed);
    }
    assert!(failures.is_empty(), "{} of {sent} example requests failed:\n{}", failures.len(), failures.join("\n"));
    let bodies: usize = ops.iter().map(|op| op.bodies.len()).sum();
    assert!(bodies >= 10 && sent >= ops.len() + 5, "{bodies} body examples, {sent} requests: too few to mean much");
}

/// The coverage rules really bite: an operation without a driver, a request body without an
/// example, a repeatable parameter with a scalar example and an invalid example all fail.
#[tokio::test]
async fn missing_drivers_and_bad_examples_are_reported() {
    let spec = spec();
    let find = |id: &str| operations(&spec).into_iter().find(|op| op.id == id).expect(id);

    let mut unknown = find("getMe");
    unknown.id = "someNewOperation".into();
    let (_, failures) = check_operation(&spec, &unknown).await;
    assert!(failures.len() == 1 && failures[0].contains("has no driver"), "{failures:?}");

    let mut undocumented = find("createQuote");
    undocumented.bodies.clear();
    let (_, failures) = check_operation(&spec, &undocumented).await;
    assert!(failures.len() == 1 && failures[0].contains("request body without an example"), "{failures:?}");

    let mut scalar = find("getThemes");
    scalar.params.iter_mut().find(|p| p.name == "zorgkantoor").unwrap().example = Some(json!("cz"));
    let (_, failures) = check_operation(&spec, &scalar).await;
    assert!(failures.iter().any(|f| f.contains("repeatable parameter zorgkantoor is not an array")), "{failures:?}");

    // The quote's care shifts name providers by AGB code, not by kind.
    let mut invalid = find("createQuote");
    invalid.bodies[0]["care_shifts"] = json!([{"kind": "planned", "prestatie": "geboortezorg_nataal",
        "from": "ziekenhuis", "to": "verloskundigenpraktijk", "share": "10"}]);
    let (_, failures) = check_operation(&spec, &invalid).await;
    assert!(failures.len() == 1 && failures[0].contains("422"), "{failures:?}");
}
