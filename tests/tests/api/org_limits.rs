//! Issue 21 item 3: per-organisation request limits the API enforces itself, counted in the
//! table (one counter item per organisation and second, with a TTL): an organisation over its
//! limit gets 429 with `Retry-After`; another organisation is not affected.

use crate::helpers::proposals::{IGO_A, IGO_B};
use integration_tests::{assert_problem, TestApp};

#[tokio::test]
async fn an_organisation_over_its_limit_gets_429_and_another_does_not() {
    let base = TestApp::spawn().await;
    let mut ctx = base.ctx.clone();
    ctx.rate_limit_per_second = Some(5);
    let app = TestApp::spawn_on(ctx).await;

    // Twenty requests of IGO A at once: within one second at most 5 get through.
    let sends: Vec<_> =
        (0..20).map(|_| tokio::spawn(app.as_caller(app.get("/v1/proposals"), "igo", IGO_A).send())).collect();
    let mut limited = Vec::new();
    let mut served = 0;
    for send in sends {
        let response = send.await.unwrap().unwrap();
        match response.status().as_u16() {
            200 => served += 1,
            429 => limited.push(response),
            other => panic!("unexpected status {other}"),
        }
    }
    assert!((1..=10).contains(&served), "served {served} (5 a second, the burst may span two seconds)");
    assert!(!limited.is_empty(), "some requests are limited");
    let first = limited.remove(0);
    let retry_after: u64 = first.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=2).contains(&retry_after));
    let problem = assert_problem(first, 429).await;
    assert_eq!(problem["type"], "urn:zorginkoop:problem:too-many-requests");

    // Another organisation, at the same moment, is served.
    let other = app.as_caller(app.get("/v1/proposals"), "igo", IGO_B).send().await.unwrap();
    assert_eq!(other.status(), 200);
}
