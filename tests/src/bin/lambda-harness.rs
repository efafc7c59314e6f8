//! Runs one function binary exactly as Lambda does, through an emulated Lambda Runtime API, to
//! measure what only a real function process shows: cold start (process spawn to first answer,
//! SDK set-up included), per-invocation latency with one request at a time (Lambda's model), and
//! the process's peak RSS (VmHWM).
//!
//! Usage: `lambda-harness BINARY EVENTS.json [INVOCATIONS]`, with `DYNAMODB_ENDPOINT` and
//! `TABLE_NAME` set for the child. EVENTS.json is an array of requests
//! `{method, path, route_key, path_parameters?, query?, authorizer?, body?, headers?}` (turned
//! into API Gateway HTTP events; `authorizer` is the Lambda authorizer's context), or
//! `{raw: <event>}` (sent as it is: the authorizer's own events), sent round-robin; the first one
//! measures the cold start. Prints one JSON object with the figures; an authorizer's answers
//! count as status 200 (allowed) or 403 (denied).

use std::collections::BTreeMap;
use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::{json, Value};
use tokio::sync::{mpsc, Mutex};

#[derive(Debug, Clone, Deserialize)]
struct Invocation {
    #[serde(default)]
    raw: Option<Value>,
    #[serde(default)]
    method: String,
    #[serde(default)]
    path: String,
    #[serde(default)]
    route_key: String,
    #[serde(default)]
    path_parameters: BTreeMap<String, String>,
    #[serde(default)]
    query: String,
    #[serde(default)]
    authorizer: Option<Value>,
    #[serde(default)]
    body: Option<Value>,
    #[serde(default)]
    headers: BTreeMap<String, String>,
}

/// What the emulated Runtime API hands out and collects.
struct RuntimeApi {
    next: Mutex<mpsc::Receiver<(String, Value)>>,
    done: mpsc::Sender<(String, Result<Value, String>)>,
}

fn api_gateway_event(inv: &Invocation, request_id: &str) -> Value {
    if let Some(raw) = &inv.raw {
        return raw.clone();
    }
    let mut headers = inv.headers.clone();
    headers.entry("host".into()).or_insert_with(|| "localhost".into());
    if inv.body.is_some() {
        headers.entry("content-type".into()).or_insert_with(|| "application/json".into());
    }
    let mut context = json!({
        "accountId": "bench", "apiId": "bench", "domainName": "localhost", "domainPrefix": "localhost",
        "http": { "method": inv.method, "path": inv.path, "protocol": "HTTP/1.1", "sourceIp": "127.0.0.1", "userAgent": "lambda-harness" },
        "requestId": request_id, "routeKey": inv.route_key, "stage": "$default",
        "time": "23/Nov/2026:12:00:00 +0000", "timeEpoch": 1795000000000u64,
    });
    if let Some(authorizer) = &inv.authorizer {
        context["authorizer"] = json!({ "lambda": authorizer });
    }
    let mut event = json!({
        "version": "2.0", "routeKey": inv.route_key, "rawPath": inv.path, "rawQueryString": inv.query,
        "headers": headers, "requestContext": context, "isBase64Encoded": false,
    });
    if !inv.path_parameters.is_empty() {
        event["pathParameters"] = json!(inv.path_parameters);
    }
    if let Some(body) = &inv.body {
        // A unique Idempotency-Key per POST would be the caller's job; bodies are sent as given.
        event["body"] = Value::String(body.to_string());
    }
    event
}

async fn next_invocation(State(api): State<Arc<RuntimeApi>>) -> impl IntoResponse {
    let Some((id, event)) = api.next.lock().await.recv().await else {
        // No more work: hold the function here until the harness kills it.
        std::future::pending::<()>().await;
        unreachable!()
    };
    let mut headers = HeaderMap::new();
    headers.insert("lambda-runtime-aws-request-id", HeaderValue::from_str(&id).unwrap());
    let deadline = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap() + Duration::from_secs(6);
    headers.insert("lambda-runtime-deadline-ms", HeaderValue::from(deadline.as_millis() as u64));
    headers.insert(
        "lambda-runtime-invoked-function-arn",
        HeaderValue::from_static("arn:aws:lambda:eu-central-1:000000000000:function:bench"),
    );
    headers.insert("lambda-runtime-trace-id", HeaderValue::from_static("Root=1-00000000-000000000000000000000000"));
    headers.insert("content-type", HeaderValue::from_static("application/json"));
    (StatusCode::OK, headers, event.to_string())
}

async fn invocation_response(
    State(api): State<Arc<RuntimeApi>>,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> StatusCode {
    let value = serde_json::from_slice(&body).map_err(|e| format!("response is not JSON: {e}"));
    let _ = api.done.send((id, value)).await;
    StatusCode::ACCEPTED
}

async fn invocation_error(
    State(api): State<Arc<RuntimeApi>>,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> StatusCode {
    let _ = api.done.send((id, Err(String::from_utf8_lossy(&body).into_owned()))).await;
    StatusCode::ACCEPTED
}

async fn init_error(body: axum::body::Bytes) -> StatusCode {
    eprintln!("init error: {}", String::from_utf8_lossy(&body));
    std::process::exit(3);
}

fn peak_rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status.lines().find(|l| l.starts_with("VmHWM:"))?.split_whitespace().nth(1)?.parse().ok()
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * (sorted.len() as f64 - 1.0)).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 3 {
        eprintln!("usage: lambda-harness BINARY EVENTS.json [INVOCATIONS]");
        std::process::exit(2);
    }
    let binary = &args[1];
    let invocations: Vec<Invocation> =
        serde_json::from_str(&std::fs::read_to_string(&args[2]).expect("reading events")).expect("events JSON");
    assert!(!invocations.is_empty(), "at least one event");
    let count: usize = args.get(3).map(|n| n.parse().expect("INVOCATIONS is a number")).unwrap_or(200);

    let (next_tx, next_rx) = mpsc::channel(1);
    let (done_tx, mut done_rx) = mpsc::channel(1);
    let api = Arc::new(RuntimeApi { next: Mutex::new(next_rx), done: done_tx });
    let app = axum::Router::new()
        .route("/2018-06-01/runtime/invocation/next", get(next_invocation))
        .route("/2018-06-01/runtime/invocation/{id}/response", post(invocation_response))
        .route("/2018-06-01/runtime/invocation/{id}/error", post(invocation_error))
        .route("/2018-06-01/runtime/init/error", post(init_error))
        .with_state(api);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let runtime_api = listener.local_addr().unwrap().to_string();
    tokio::spawn(async move { axum::serve(listener, app).await });

    let name = std::path::Path::new(binary).file_name().unwrap().to_string_lossy().into_owned();
    let started = Instant::now();
    let mut child = tokio::process::Command::new(binary)
        .env("AWS_LAMBDA_RUNTIME_API", &runtime_api)
        .env("AWS_LAMBDA_FUNCTION_NAME", &name)
        .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
        .env("AWS_LAMBDA_LOG_GROUP_NAME", format!("/bench/{name}"))
        .env("AWS_LAMBDA_LOG_STREAM_NAME", "bench")
        .env("LOG_LEVEL", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .expect("starting the function binary");
    let pid = child.id().expect("child pid");

    let mut statuses: BTreeMap<u64, usize> = BTreeMap::new();
    let mut latencies = Vec::with_capacity(count);
    let mut cold_start = Duration::ZERO;
    for i in 0..count.max(1) {
        let inv = &invocations[i % invocations.len()];
        let id = format!("bench-{i:08}");
        let sent = Instant::now();
        next_tx.send((id.clone(), api_gateway_event(inv, &id))).await.unwrap();
        let (got_id, result) = tokio::time::timeout(Duration::from_secs(30), done_rx.recv())
            .await
            .unwrap_or_else(|_| panic!("{name}: no answer to invocation {i} within 30 s"))
            .expect("runtime API open");
        assert_eq!(got_id, id);
        let elapsed = sent.elapsed();
        let response = result.unwrap_or_else(|e| panic!("{name}: invocation {i} failed: {e}"));
        let status = match response["isAuthorized"].as_bool() {
            Some(allowed) => {
                if allowed {
                    200
                } else {
                    403
                }
            }
            None => response["statusCode"].as_u64().unwrap_or(0),
        };
        *statuses.entry(status).or_default() += 1;
        if i == 0 {
            cold_start = started.elapsed();
            if status >= 500 {
                panic!("{name}: first invocation answered {status}: {response}");
            }
        } else {
            latencies.push(elapsed);
        }
    }
    let rss = peak_rss_kib(pid);
    let _ = child.kill().await;
    latencies.sort();
    let micros = |d: Duration| d.as_secs_f64() * 1e6;
    let report = json!({
        "function": name,
        "cold_start_ms": (cold_start.as_secs_f64() * 1e3 * 100.0).round() / 100.0,
        "warm_invocations": latencies.len(),
        "warm_p50_us": micros(percentile(&latencies, 50.0)).round(),
        "warm_p99_us": micros(percentile(&latencies, 99.0)).round(),
        "peak_rss_mib": rss.map(|kib| (kib as f64 / 1024.0 * 10.0).round() / 10.0),
        "statuses": statuses,
    });
    println!("{report}");
}
