//! Proposals under concurrency: racing writers with one If-Match, racing retries with one
//! Idempotency-Key. (Paging at volume, proposals_pagination, seeds 1,000 proposals; its load never
//! overlaps these races: each race holds `helpers::load::race`, the pagination suite holds
//! `helpers::load::heavy`.)

use std::sync::Arc;

use crate::helpers::load;
use crate::helpers::proposals::*;
use integration_tests::{json_body, TestApp};
use serde_json::json;
use tokio::task::JoinSet;

#[tokio::test]
async fn twenty_parallel_puts_with_one_if_match_have_one_winner() {
    let _load = load::race().await;
    let app = Arc::new(TestApp::spawn().await);
    let body = proposal_body(IGO_A, INSURER_X);
    let (id, etag, _) = create(&app, IGO_A, &body).await;
    let mut tasks = JoinSet::new();
    for n in 0..20u64 {
        let (app, id, etag) = (app.clone(), id.clone(), etag.clone());
        let mut content = content_of(&body);
        content["lines"][0]["volume"] = json!(1000 + n);
        tasks.spawn(async move {
            let response = app
                .as_caller(app.put(&format!("/v1/proposals/{id}")), "igo", IGO_A)
                .await
                .header("if-match", etag)
                .json(&content)
                .send()
                .await
                .unwrap();
            let status = response.status().as_u16();
            (n, status, json_body(response).await)
        });
    }
    let results = tasks.join_all().await;
    let winners: Vec<_> = results.iter().filter(|(_, status, _)| *status == 200).collect();
    let losers = results.iter().filter(|(_, status, _)| *status == 412).count();
    assert_eq!(winners.len(), 1, "exactly one PUT wins: {:?}", results.iter().map(|r| r.1).collect::<Vec<_>>());
    assert_eq!(losers, 19, "every other PUT is told it is stale");
    let (winner, _, answer) = winners[0];
    assert_eq!(answer["version"], 2);
    let stored = json_body(get(&app, "igo", IGO_A, &id).await).await;
    assert_eq!(stored["version"], 2);
    assert_eq!(stored["lines"][0]["volume"], 1000 + winner, "the stored content is the winner's");
    assert_eq!(&stored, answer);
    let history =
        app.as_caller(app.get(&format!("/v1/proposals/{id}/history")), "igo", IGO_A).await.send().await.unwrap();
    let history = json_body(history).await;
    assert_eq!(history["entries"].as_array().unwrap().len(), 2, "one edit recorded");
    assert_eq!(history["versions"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn twenty_parallel_posts_with_one_idempotency_key_make_one_proposal() {
    let _load = load::race().await;
    let app = Arc::new(TestApp::spawn().await);
    let body = proposal_body(IGO_A, INSURER_X);
    let mut tasks = JoinSet::new();
    for _ in 0..20 {
        let (app, body) = (app.clone(), body.clone());
        tasks.spawn(async move {
            let response = app
                .as_caller(app.post("/v1/proposals"), "igo", IGO_A)
                .await
                .header("idempotency-key", "0f4f3c1e-2d7a-4c55-9d1b-6a1c2b3d4e5f")
                .json(&body)
                .send()
                .await
                .unwrap();
            let status = response.status().as_u16();
            let location = response.headers().get("location").map(|v| v.to_str().unwrap().to_owned());
            let etag = response.headers().get("etag").map(|v| v.to_str().unwrap().to_owned());
            (status, location, etag, response.text().await.unwrap())
        });
    }
    let answers = tasks.join_all().await;
    let first = &answers[0];
    assert_eq!(first.0, 201, "{}", first.3);
    for answer in &answers {
        assert_eq!(answer, first, "every retry gets the identical answer");
    }
    let list = app.as_caller(app.get("/v1/proposals"), "igo", IGO_A).await.send().await.unwrap();
    let items = json_body(list).await["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), 1, "one proposal");
    assert_eq!(Some(format!("/v1/proposals/{}", items[0]["id"].as_str().unwrap())), first.1);
}
