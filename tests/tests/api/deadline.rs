//! Issue 21 item 5: every request has a deadline (the Lambda invocation's remaining time, less
//! a margin; `AppContext::request_budget` where there is no invocation), and a store slowed
//! past it gets a 503 with `Retry-After` before the deadline, never a hang. An idempotent retry
//! then tells the caller whether the write landed.

use std::time::{Duration, Instant};

use crate::helpers::proposals::{proposal_body, IGO_A};
use integration_tests::{assert_problem, TestApp};
use storage::config::{Config, StoreTimeouts};

/// A "store" that accepts connections and never answers: slower than any deadline.
async fn black_hole() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    format!("http://{address}")
}

#[tokio::test]
async fn a_store_slower_than_the_deadline_gets_503_with_retry_after_not_a_hang() {
    let config = Config {
        table_name: "deadline-test".into(),
        dynamodb_endpoint: Some(black_hole().await),
        region: "eu-central-1".into(),
        // The SDK would wait a minute: only the request's deadline can answer in time.
        store_timeouts: StoreTimeouts { attempt: Duration::from_secs(60), operation: Duration::from_secs(120) },
    };
    let dynamo = storage::dynamodb_client(&config).await;
    let mut ctx = edge::AppContext::new(storage::Store::new(dynamo, config.table_name.clone()));
    ctx.request_budget = Duration::from_millis(1500);
    // The authorizer is a Lambda of its own with its own client: only the functions' store stalls.
    let app = TestApp::spawn_with_registry(ctx, integration_tests::fresh_store().await).await;

    for request in [
        app.as_caller(app.post("/v1/proposals"), "igo", IGO_A).await.json(&proposal_body(IGO_A, "3311")),
        app.as_caller(app.get("/v1/proposals"), "igo", IGO_A).await,
        app.get("/v1/themes"),
    ] {
        let started = Instant::now();
        let response = request.timeout(Duration::from_secs(10)).send().await.expect("an answer before 10 s");
        let elapsed = started.elapsed();
        assert_eq!(response.headers().get("retry-after").and_then(|v| v.to_str().ok()), Some("1"));
        assert_problem(response, 503).await;
        assert!(elapsed < Duration::from_millis(3000), "answered after {elapsed:?}");
    }
}
