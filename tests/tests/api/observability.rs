//! Operability: one request id in the response header, the problem body and every log line of
//! the request; no token in any log line; EMF metrics that validate and count a known sequence
//! of requests. The log lines and EMF lines are read in-process: this module installs the JSON
//! subscriber Lambda uses (edge::telemetry::json_subscriber) and an EMF sink, both process-wide,
//! so lines of other suites running meanwhile are captured too and are told apart by request id.

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

use integration_tests::{json_body, TestApp};
use serde_json::Value;

use crate::helpers::proposals::{etag_of, proposal_body};

const IGO: &str = "53012345";
const INSURER: &str = "3311";

/// The captured log lines (JSON, one per line) and EMF lines of this process.
struct Captured {
    logs: Arc<Mutex<Vec<u8>>>,
    metrics: Arc<Mutex<Vec<String>>>,
}

#[derive(Clone)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

impl Write for Buffer {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn captured() -> &'static Captured {
    static CAPTURED: OnceLock<Captured> = OnceLock::new();
    CAPTURED.get_or_init(|| {
        let logs = Arc::new(Mutex::new(Vec::new()));
        let writer = Buffer(logs.clone());
        // `storage=debug` adds the per-call `dynamodb` lines, so a request has several lines.
        let filter = edge::telemetry::filter(Some("info,storage=debug"));
        tracing::subscriber::set_global_default(edge::telemetry::json_subscriber(filter, move || writer.clone()))
            .expect("no other global subscriber (run this suite without TEST_LOG)");
        let metrics = Arc::new(Mutex::new(Vec::new()));
        let sink = metrics.clone();
        assert!(
            edge::metrics::set_sink(Box::new(move |line: &str| sink.lock().unwrap().push(line.to_owned()))),
            "the EMF sink is this module's"
        );
        Captured { logs, metrics }
    })
}

fn log_lines() -> Vec<Value> {
    let bytes = captured().logs.lock().unwrap().clone();
    String::from_utf8(bytes)
        .expect("log lines are UTF-8")
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("a log line is not JSON ({e}): {line}")))
        .collect()
}

/// The `request` span of a log line, if it has one.
fn request_span(line: &Value) -> Option<&Value> {
    line["spans"].as_array()?.iter().find(|span| span["name"] == "request")
}

/// The EMF documents that name `request_id`.
fn metrics_of(request_id: &str) -> Vec<Value> {
    let lines = captured().metrics.lock().unwrap().clone();
    lines
        .iter()
        .map(|line| serde_json::from_str::<Value>(line).expect("EMF lines are JSON"))
        .filter(|doc| doc["request_id"] == request_id)
        .collect()
}

fn request_id_of(response: &reqwest::Response) -> String {
    response.headers().get("x-request-id").expect("an x-request-id header").to_str().unwrap().to_owned()
}

#[tokio::test]
async fn one_request_id_names_the_answer_the_problem_and_every_log_line() {
    captured();
    let app = TestApp::spawn().await;
    let token = app.token("igo", IGO).await;
    // A well-formed id that does not exist: a 404 problem after one store read.
    let response = app.get("/v1/proposals/01JA0000000000000000000000").bearer_auth(&token).send().await.unwrap();
    assert_eq!(response.status(), 404);
    let id = request_id_of(&response);
    assert!(!id.is_empty());
    let problem = json_body(response).await;
    assert_eq!(problem["request_id"], id.as_str(), "the problem body names the request: {problem}");

    let lines = log_lines();
    let mentioning: Vec<&Value> = lines.iter().filter(|l| l.to_string().contains(&id)).collect();
    assert!(mentioning.len() >= 2, "the store call's line and the request line: {mentioning:#?}");
    for line in &mentioning {
        let span = request_span(line).unwrap_or_else(|| panic!("a line of the request outside its span: {line}"));
        assert_eq!(span["request_id"], id.as_str(), "{line}");
        assert_eq!(span["route"], "GET /v1/proposals/{id}", "{line}");
        assert_eq!((span["role"].as_str(), span["org"].as_str()), (Some("igo"), Some(IGO)), "{line}");
    }
    let last = mentioning.iter().find(|l| l["message"] == "request").expect("the request's own line");
    assert_eq!(last["status"], 404);
    assert!(last["latency_ms"].as_f64().is_some_and(|ms| ms > 0.0), "{last}");
    assert!(
        mentioning.iter().any(|l| l["spans"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["name"] == "dynamodb" && s["operation"] == "GetItem")),
        "the GetItem has its span: {mentioning:#?}"
    );

    // Every answer carries an id, a success too, and ids differ per request.
    let ok = app.get("/openapi.json").send().await.unwrap();
    assert_eq!(ok.status(), 200);
    assert_ne!(request_id_of(&ok), id);

    // No token (nor any bearer credential) in any line this process logged, from any suite.
    let all = String::from_utf8(captured().logs.lock().unwrap().clone()).unwrap();
    assert!(!all.contains(&token), "a token was logged");
    let signature = token.rsplit('.').next().unwrap();
    assert!(!all.contains(signature), "a token signature was logged");
    assert!(!all.to_ascii_lowercase().contains("bearer "), "an authorization header was logged");
}

#[tokio::test]
async fn a_known_sequence_of_requests_gives_known_metrics() {
    captured();
    let app = TestApp::spawn().await;
    let mut ids = Vec::new();

    // 1. Create a proposal as a draft (201), 2. submit it (200: ProposalsSubmitted).
    let created = app
        .as_caller(app.post("/v1/proposals"), "igo", IGO)
        .await
        .json(&proposal_body(IGO, INSURER))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    ids.push(request_id_of(&created));
    let etag = etag_of(&created);
    let proposal = json_body(created).await["id"].as_str().unwrap().to_owned();
    let submitted = app
        .as_caller(app.post(&format!("/v1/proposals/{proposal}/transitions")), "igo", IGO)
        .await
        .header("if-match", etag)
        .json(&serde_json::json!({"action": "submit"}))
        .send()
        .await
        .unwrap();
    assert_eq!(submitted.status(), 200);
    ids.push(request_id_of(&submitted));
    // 3. A malformed id (422, refused before any store call), 4. an unknown proposal (404).
    let malformed = app.as_caller(app.get("/v1/proposals/not-an-id"), "igo", IGO).await.send().await.unwrap();
    assert_eq!(malformed.status(), 422);
    ids.push(request_id_of(&malformed));
    let unknown =
        app.as_caller(app.get("/v1/proposals/01JA0000000000000000000000"), "igo", IGO).await.send().await.unwrap();
    assert_eq!(unknown.status(), 404);
    ids.push(request_id_of(&unknown));

    let docs: Vec<Vec<Value>> = ids.iter().map(|id| metrics_of(id)).collect();
    for doc in docs.iter().flatten() {
        assert_eq!(edge::metrics::validate(doc), Ok(()), "{doc}");
    }
    // One request document each, with the route template as dimension, never the raw path.
    let request_doc = |i: usize| -> &Value {
        let mine: Vec<&Value> = docs[i].iter().filter(|d| d.get("Requests").is_some()).collect();
        assert_eq!(mine.len(), 1, "request {i}: {:#?}", docs[i]);
        mine[0]
    };
    let sum = |metric: &str| -> i64 { (0..ids.len()).map(|i| request_doc(i)[metric].as_i64().unwrap_or(0)).sum() };
    assert_eq!(sum("Requests"), 4);
    assert_eq!(sum("4xx"), 2);
    assert_eq!(sum("5xx"), 0);
    assert_eq!(sum("ProposalsSubmitted"), 1);
    assert_eq!(request_doc(0)["Route"], "POST /v1/proposals");
    assert_eq!(request_doc(1)["Route"], "POST /v1/proposals/{id}/transitions");
    assert_eq!(request_doc(3)["Route"], "GET /v1/proposals/{id}");
    assert!(request_doc(0).get("ProposalsSubmitted").is_none(), "a draft is not a submission");

    // Store documents: the create is one transaction, the 422 touches no table, the 404 reads once.
    let store_doc = |i: usize, operation: &str| -> Option<&Value> {
        docs[i].iter().find(|d| d.get("Operation").is_some_and(|o| o == operation))
    };
    let create_tx = store_doc(0, "TransactWriteItems").expect("the create's transaction");
    assert_eq!(create_tx["StoreCalls"], 1);
    assert!(docs[2].iter().all(|d| d.get("Operation").is_none()), "422 before any store call: {:#?}", docs[2]);
    let read = store_doc(3, "GetItem").expect("the 404's read");
    assert!(read["StoreCalls"].as_i64().unwrap() >= 1);
    assert_eq!((read["StoreErrors"].clone(), read["StoreThrottles"].clone()), (Value::from(0), Value::from(0)));
    // What DynamoDB Local reports for capacity (see BENCHMARKS.md): printed for the record.
    println!("capacity: create {} WCU, 404 read {} RCU", create_tx["WriteCapacityUnits"], read["ReadCapacityUnits"]);
}

/// The capacity units of one request, from its EMF store documents: (calls, RCU, WCU).
fn capacity_of(request_id: &str) -> (i64, f64, f64) {
    metrics_of(request_id).iter().filter(|d| d.get("Operation").is_some()).fold((0, 0.0, 0.0), |(c, r, w), d| {
        (
            c + d["StoreCalls"].as_i64().unwrap_or(0),
            r + d["ReadCapacityUnits"].as_f64().unwrap_or(0.0),
            w + d["WriteCapacityUnits"].as_f64().unwrap_or(0.0),
        )
    })
}

/// On-demand prices (USD per million request units, us-east-1) used for BENCHMARKS.md's table.
const USD_PER_MILLION_RRU: f64 = 0.125;
const USD_PER_MILLION_WRU: f64 = 0.625;

/// Cost per operation, measured: each operation once against DynamoDB Local, its capacity units
/// as ReturnConsumedCapacity reported them (through the EMF documents), printed as the table in
/// BENCHMARKS.md. Run with `-- --nocapture` to see it.
#[tokio::test]
async fn capacity_units_per_operation() {
    captured();
    let app = TestApp::spawn_seeded().await;
    let mut rows: Vec<(String, String)> = Vec::new();
    let mut measure = |label: &str, response: &reqwest::Response| {
        assert!(response.status().is_success(), "{label}: {}", response.status());
        rows.push((label.to_owned(), request_id_of(response)));
    };
    // The quotes suite's small request (two providers, one prestatie).
    let quote_body = crate::quotes::small_request();
    let quote = app.as_caller(app.post("/v1/quotes"), "igo", IGO).await.json(&quote_body).send().await.unwrap();
    measure("POST /v1/quotes", &quote);
    let quote_id = json_body(quote).await["id"].as_str().unwrap().to_owned();
    let read = app.as_caller(app.get(&format!("/v1/quotes/{quote_id}")), "igo", IGO).await.send().await.unwrap();
    measure("GET /v1/quotes/{id}", &read);

    let body = proposal_body(IGO, INSURER);
    let created = app.as_caller(app.post("/v1/proposals"), "igo", IGO).await.json(&body).send().await.unwrap();
    measure("POST /v1/proposals (draft)", &created);
    let mut etag = etag_of(&created);
    let id = json_body(created).await["id"].as_str().unwrap().to_owned();
    let got = app.as_caller(app.get(&format!("/v1/proposals/{id}")), "igo", IGO).await.send().await.unwrap();
    measure("GET /v1/proposals/{id}", &got);
    let replaced = app
        .as_caller(app.put(&format!("/v1/proposals/{id}")), "igo", IGO)
        .await
        .header("if-match", &etag)
        .json(&crate::helpers::proposals::content_of(&body))
        .send()
        .await
        .unwrap();
    measure("PUT /v1/proposals/{id}", &replaced);
    etag = etag_of(&replaced);
    for (role, org, action) in [("igo", IGO, "submit"), ("insurer", INSURER, "start_review")] {
        let response = app
            .as_caller(app.post(&format!("/v1/proposals/{id}/transitions")), role, org)
            .await
            .header("if-match", &etag)
            .json(&serde_json::json!({ "action": action }))
            .send()
            .await
            .unwrap();
        measure(&format!("POST /v1/proposals/{{id}}/transitions ({action})"), &response);
        etag = etag_of(&response);
    }
    let list = app.as_caller(app.get("/v1/proposals?limit=20"), "igo", IGO).await.send().await.unwrap();
    measure("GET /v1/proposals (page of 1)", &list);
    let cold = app.get("/v1/themes").send().await.unwrap();
    measure("GET /v1/themes (edition not cached)", &cold);
    let warm = app.get("/v1/themes").send().await.unwrap();
    measure("GET /v1/themes (edition cached)", &warm);

    println!("| operation | store calls | RCU | WCU | USD per million requests |");
    println!("| --- | ---: | ---: | ---: | ---: |");
    let mut measured = Vec::new();
    for (label, request_id) in &rows {
        let (calls, rcu, wcu) = capacity_of(request_id);
        let usd = rcu * USD_PER_MILLION_RRU + wcu * USD_PER_MILLION_WRU;
        println!("| {label} | {calls} | {rcu} | {wcu} | {usd:.3} |");
        assert!(calls >= 1, "{label}: every operation here calls the store");
        measured.push((label.as_str(), calls, rcu, wcu));
    }
    let find = |label: &str| measured.iter().find(|m| m.0 == label).copied().unwrap();
    let (_, cold_calls, cold_rcu, _) = find("GET /v1/themes (edition not cached)");
    let (_, warm_calls, warm_rcu, _) = find("GET /v1/themes (edition cached)");
    assert!(warm_calls < cold_calls, "the cached edition saves its read: {cold_calls} → {warm_calls} calls");
    assert!(warm_rcu < cold_rcu, "the cached edition saves read units: {cold_rcu} → {warm_rcu}");
    // DynamoDB Local reports capacity: a draft's creation is a transaction of several items.
    let (_, _, create_rcu, create_wcu) = find("POST /v1/proposals (draft)");
    assert_eq!(create_rcu, 0.0);
    assert!(create_wcu >= 2.0, "a transaction of several items: {create_wcu} WCU");
}
