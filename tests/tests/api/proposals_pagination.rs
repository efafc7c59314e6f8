//! Proposals at volume: paging through 1,000 proposals of one insurer, every one exactly once
//! and in order. Once a binary of its own, so that the seeding load did not overlap other suites'
//! races; now it holds `helpers::load::heavy` for the whole test, which keeps the races of
//! proposals_concurrency (and the fault suite) out while it runs.

use std::collections::HashSet;
use std::sync::Arc;

use crate::helpers::load;
use crate::helpers::proposals::*;
use integration_tests::{json_body, TestApp};
use serde_json::json;
use tokio::task::JoinSet;

/// Seeds 1,000 submitted proposals to insurer X from three IGOs through the API (8 at a
/// time), then pages through the insurer's listing.
#[tokio::test]
async fn pagination_over_1000_proposals_returns_each_once_in_order() {
    let _load = load::heavy().await;
    let app = Arc::new(TestApp::spawn().await);
    let igos = [IGO_A, IGO_B, "11223344"];
    let semaphore = Arc::new(tokio::sync::Semaphore::new(8));
    let mut tasks = JoinSet::new();
    for n in 0..1000usize {
        let (app, semaphore) = (app.clone(), semaphore.clone());
        let igo = igos[n % igos.len()];
        tasks.spawn(async move {
            let _permit = semaphore.acquire_owned().await.unwrap();
            let mut body = proposal_body(igo, INSURER_X);
            body["submit"] = json!(true);
            body["period"] = json!({"year": 2026 + (n % 2) as i32});
            // 503 says "retry"; a loaded test machine may make DynamoDB Local time out. The
            // Idempotency-Key makes the retry safe even if the first attempt did land.
            for _ in 0..10 {
                let request = app
                    .as_caller(app.post("/v1/proposals"), "igo", igo)
                    .await
                    .header("idempotency-key", format!("seed-{n}"));
                let response = request.json(&body).send().await.unwrap();
                match response.status().as_u16() {
                    201 => return json_body(response).await["id"].as_str().unwrap().to_owned(),
                    503 => tokio::time::sleep(std::time::Duration::from_millis(200)).await,
                    other => panic!("create: {other} {}", json_body(response).await),
                }
            }
            panic!("the store kept answering 503");
        });
    }
    let created: HashSet<String> = tasks.join_all().await.into_iter().collect();
    assert_eq!(created.len(), 1000);
    // A proposal to another insurer must never show up.
    let mut other = proposal_body(IGO_A, INSURER_Y);
    other["submit"] = json!(true);
    create(&app, IGO_A, &other).await;

    for limit in [100usize, 37] {
        let mut seen = Vec::new();
        let mut cursor: Option<String> = None;
        let mut pages = 0;
        loop {
            let mut path = format!("/v1/proposals?limit={limit}");
            if let Some(cursor) = &cursor {
                path.push_str(&format!("&cursor={cursor}"));
            }
            let response = app.as_caller(app.get(&path), "insurer", INSURER_X).await.send().await.unwrap();
            assert_eq!(response.status(), 200);
            let page = json_body(response).await;
            let items = page["items"].as_array().unwrap();
            assert!(items.len() <= limit);
            seen.extend(items.iter().map(|p| p["id"].as_str().unwrap().to_owned()));
            pages += 1;
            match page["next_cursor"].as_str() {
                Some(next) => {
                    assert_eq!(items.len(), limit, "only the last page is short");
                    cursor = Some(next.to_owned());
                }
                None => break,
            }
        }
        assert_eq!(pages, 1000usize.div_ceil(limit), "no empty trailing page");
        assert_eq!(seen.len(), 1000, "limit {limit}: every proposal");
        assert_eq!(seen.iter().cloned().collect::<HashSet<_>>(), created, "limit {limit}: each exactly once");
        let mut newest_first = seen.clone();
        newest_first.sort();
        newest_first.reverse();
        assert_eq!(seen, newest_first, "limit {limit}: newest first");
    }

    // A filtered listing pages the same way over its own partition.
    let mut seen = 0;
    let mut cursor: Option<String> = None;
    loop {
        let mut path = format!("/v1/proposals?limit=100&year=2027&igo={IGO_B}");
        if let Some(cursor) = &cursor {
            path.push_str(&format!("&cursor={cursor}"));
        }
        let page = json_body(app.as_caller(app.get(&path), "insurer", INSURER_X).await.send().await.unwrap()).await;
        for item in page["items"].as_array().unwrap() {
            assert_eq!(item["year"], 2027);
            assert_eq!(item["igo"]["agb"], IGO_B);
            seen += 1;
        }
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    let expected = (0..1000usize).filter(|n| n % 3 == 1 && n % 2 == 1).count();
    assert_eq!(seen, expected);
}
