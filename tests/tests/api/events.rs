//! The event feed (issue 18): every proposal change and every published themes edition writes
//! a thin event in its own transaction; `GET /v1/events` shows each organisation its own, in
//! order, with the public edition events merged in; cursors, type filters and bad input; and
//! `GET /v1/proposals?updated_since=` for the catch-up.

use std::time::{Duration, Instant};

use crate::helpers::proposals::{content_of, create, proposal_body, step, IGO_A, IGO_B, INSURER_X, INSURER_Y};
use crate::helpers::resilience::{expect_client_problem, warm_up};
use integration_tests::{json_body, TestApp};
use serde_json::{json, Value};

const PUBLISHER: &str = "zorginkoop-redactie";

/// The API over a fresh table whose feed shows events at once (no settle): the suite checks
/// order and content, not timing; `the_feed_waits_for_the_settle` checks the settle itself.
/// (A second gateway over the first one's table: the harness builds the context.)
async fn spawn_without_settle(seeded: bool) -> TestApp {
    let first = if seeded { TestApp::spawn_seeded().await } else { TestApp::spawn().await };
    let mut ctx = first.ctx.clone();
    ctx.event_settle = Duration::ZERO;
    let app = TestApp::spawn_on(ctx).await;
    warm_up(&app).await;
    app
}

async fn feed(app: &TestApp, role: &str, org: &str, query: &str) -> Value {
    let response = app.as_caller(app.get(&format!("/v1/events{query}")), role, org).await.send().await.unwrap();
    assert_eq!(response.status(), 200, "{role} {org} /v1/events{query}");
    assert_eq!(response.headers()["cache-control"], "no-store", "the feed is confidential");
    json_body(response).await
}

/// Every event of a caller's feed, page by page with `limit`; checks `has_more` on the way.
async fn all_events(app: &TestApp, role: &str, org: &str, limit: usize, filter: &str) -> Vec<Value> {
    let mut out = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let query = match &after {
            Some(cursor) => format!("?limit={limit}{filter}&after={cursor}"),
            None => format!("?limit={limit}{filter}"),
        };
        let page = feed(app, role, org, &query).await;
        let items = page["items"].as_array().unwrap().clone();
        assert!(items.len() <= limit);
        out.extend(items.clone());
        if !page["has_more"].as_bool().unwrap() {
            return out;
        }
        assert_eq!(items.len(), limit, "a page before the last is full");
        after = Some(page["next_cursor"].as_str().expect("a cursor while there is more").to_owned());
    }
}

/// (type, resource id, version) of each event.
fn summary(events: &[Value]) -> Vec<(String, String, u64)> {
    events
        .iter()
        .map(|e| {
            (
                e["type"].as_str().unwrap().to_owned(),
                e["resource"]["id"].as_str().unwrap().to_owned(),
                e["resource"]["version"].as_u64().unwrap_or(0),
            )
        })
        .collect()
}

fn counter() -> Value {
    json!({"action": "counter", "reason": "Lager.", "counter_lines": [
        {"prestatie": "geboortezorg_prenataal", "volume": 120, "tariff": "1100.00"}]})
}

#[tokio::test]
async fn a_negotiation_yields_its_events_in_order_for_both_parties_and_none_for_others() {
    let app = spawn_without_settle(false).await;
    let body = proposal_body(IGO_A, INSURER_X);
    let (id, etag, _) = create(&app, IGO_A, &body).await;
    let edit = |etag: String| {
        let path = format!("/v1/proposals/{id}");
        let content = content_of(&body);
        let app = &app;
        async move {
            let request = app.as_caller(app.put(&path), "igo", IGO_A).await;
            let response = request.header("if-match", etag).json(&content).send().await.unwrap();
            assert_eq!(response.status(), 200);
            response.headers()["etag"].to_str().unwrap().to_owned()
        }
    };
    let etag = edit(etag).await;
    let etag = step(&app, "igo", IGO_A, &id, &etag, json!({"action": "submit"})).await;
    let etag = step(&app, "insurer", INSURER_X, &id, &etag, json!({"action": "start_review"})).await;
    let etag = step(&app, "insurer", INSURER_X, &id, &etag, counter()).await;
    let etag = edit(etag).await;
    let etag = step(&app, "igo", IGO_A, &id, &etag, json!({"action": "submit"})).await;
    let etag = step(&app, "insurer", INSURER_X, &id, &etag, json!({"action": "start_review"})).await;
    let final_etag = step(&app, "insurer", INSURER_X, &id, &etag, json!({"action": "accept"})).await;

    let at = |t: &str, v: u64| (format!("proposal.{t}"), id.clone(), v);
    let igo = all_events(&app, "igo", IGO_A, 4, "").await;
    assert_eq!(
        summary(&igo),
        vec![
            at("created", 1),
            at("revised", 2),
            at("submitted", 3),
            at("review_started", 4),
            at("countered", 5),
            at("revised", 6),
            at("submitted", 7),
            at("review_started", 8),
            at("accepted", 9),
        ]
    );
    // The insurer learns only what reaches it: no draft, no revision in progress.
    let insurer = all_events(&app, "insurer", INSURER_X, 2, "").await;
    assert_eq!(
        summary(&insurer),
        vec![
            at("submitted", 3),
            at("review_started", 4),
            at("countered", 5),
            at("submitted", 7),
            at("review_started", 8),
            at("accepted", 9),
        ]
    );
    // One change, one event id in both feeds; ids ascend; thin: nothing of the content.
    let ids = |events: &[Value]| events.iter().map(|e| e["id"].as_str().unwrap().to_owned()).collect::<Vec<_>>();
    let (igo_ids, insurer_ids) = (ids(&igo), ids(&insurer));
    assert!(igo_ids.windows(2).all(|w| w[0] < w[1]), "in order: {igo_ids:?}");
    for (i, n) in [2, 3, 4, 6, 7, 8].into_iter().enumerate() {
        assert_eq!(insurer_ids[i], igo_ids[n], "the same change has the same event id");
    }
    let text = serde_json::to_string(&igo).unwrap();
    for secret in ["1234.50", "Verloskundigen Oost", "IGO 53012345", "start 1 januari"] {
        assert!(!text.contains(secret), "an event shows {secret}");
    }
    let last = igo.last().unwrap();
    assert_eq!(last["resource"]["etag"], json!(final_etag), "the event names the ETag the change made");
    assert_eq!(last["organisations"], json!([{"role": "igo", "org": IGO_A}, {"role": "insurer", "org": INSURER_X}]));
    assert_eq!(last["public"], false);
    // The receiver fetches the resource with its own token.
    let href = last["resource"]["href"].as_str().unwrap();
    let response = app.as_caller(app.get(href), "insurer", INSURER_X).await.send().await.unwrap();
    assert_eq!((response.status().as_u16(), response.headers()["etag"].to_str().unwrap()), (200, final_etag.as_str()));

    // A type filter (repeatable or comma-separated) reads only those types, in order.
    let decisions = all_events(&app, "insurer", INSURER_X, 1, "&type=proposal.accepted,proposal.submitted").await;
    assert_eq!(summary(&decisions), vec![at("submitted", 3), at("submitted", 7), at("accepted", 9)]);
    let repeated = feed(&app, "igo", IGO_A, "?type=proposal.revised&type=proposal.created").await;
    assert_eq!(
        summary(repeated["items"].as_array().unwrap()),
        vec![at("created", 1), at("revised", 2), at("revised", 6)]
    );

    // Nobody else hears of it: another IGO, another insurer, a publisher (public events only).
    for (role, org) in [("igo", IGO_B), ("insurer", INSURER_Y), ("publisher", PUBLISHER)] {
        let page = feed(&app, role, org, "").await;
        assert_eq!(page["items"], json!([]), "{role} {org}");
        assert_eq!(page["next_cursor"], Value::Null);
        assert_eq!(page["has_more"], false);
    }

    // Polling from the end: nothing new, the cursor stays; a new change then shows after it.
    let end = feed(&app, "insurer", INSURER_X, "").await["next_cursor"].as_str().unwrap().to_owned();
    let polled = feed(&app, "insurer", INSURER_X, &format!("?after={end}")).await;
    assert_eq!((polled["items"].clone(), polled["next_cursor"].clone()), (json!([]), json!(end)));
    let mut submitted = proposal_body(IGO_A, INSURER_X);
    submitted["submit"] = json!(true);
    let (second, _, _) = create(&app, IGO_A, &submitted).await;
    let polled = feed(&app, "insurer", INSURER_X, &format!("?after={end}")).await;
    assert_eq!(summary(polled["items"].as_array().unwrap()), vec![("proposal.created".into(), second, 1)]);
}

#[tokio::test]
async fn edition_events_are_in_every_feed() {
    let app = spawn_without_settle(true).await;
    let mut doc: Value = serde_json::from_str(domain::themes::SEED_EDITION_JSON).unwrap();
    doc["edition"] = json!("2024-01");
    let response = app
        .as_caller(app.put("/v1/themes/editions/2024-01"), "publisher", PUBLISHER)
        .await
        .json(&doc)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201, "{}", json_body(response).await);
    // A draft is nobody's news yet.
    assert_eq!(feed(&app, "igo", IGO_B, "").await["items"].as_array().unwrap().len(), 1, "the seed's event only");
    let response = app
        .as_caller(app.post("/v1/themes/editions/2024-01/publish"), "publisher", PUBLISHER)
        .await
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let (own, _, _) = create(&app, IGO_A, &proposal_body(IGO_A, INSURER_X)).await;

    for (role, org) in [("igo", IGO_A), ("igo", IGO_B), ("insurer", INSURER_X), ("publisher", PUBLISHER)] {
        let public: Vec<(String, String, u64)> = summary(&all_events(&app, role, org, 1, "").await)
            .into_iter()
            .filter(|(t, _, _)| t == "themes_edition.published")
            .collect();
        let published = |e: &str| ("themes_edition.published".to_owned(), e.to_owned(), 0);
        assert_eq!(public, vec![published("2023-07"), published("2024-01")], "{role} {org}");
    }
    // Merged by id with the caller's own events: IGO A's proposal came after both editions.
    let igo = all_events(&app, "igo", IGO_A, 100, "").await;
    assert_eq!(summary(&igo).last().unwrap(), &("proposal.created".to_owned(), own, 1));
    let edition = &igo[1];
    assert_eq!(edition["public"], true);
    assert_eq!(edition["organisations"], json!([]));
    assert_eq!(edition["resource"]["href"], "/v1/themes/editions/2024-01");
    assert_eq!(app.get(edition["resource"]["href"].as_str().unwrap()).send().await.unwrap().status(), 200);
    // Filtered to the public type, an IGO's own events drop out.
    let only = feed(&app, "igo", IGO_A, "?type=themes_edition.published").await;
    assert_eq!(only["items"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn the_feed_waits_for_the_settle() {
    // The default context: events show only once older than the settle (storage::events).
    let app = TestApp::spawn().await;
    warm_up(&app).await;
    let settle = app.ctx.event_settle;
    assert_eq!(settle, storage::events::DEFAULT_SETTLE);
    let mut body = proposal_body(IGO_A, INSURER_X);
    body["submit"] = json!(true);
    let written = Instant::now();
    create(&app, IGO_A, &body).await;
    let page = feed(&app, "insurer", INSURER_X, "").await;
    if written.elapsed() < settle {
        assert_eq!(page["items"], json!([]), "not yet settled");
    }
    loop {
        let page = feed(&app, "insurer", INSURER_X, "").await;
        if !page["items"].as_array().unwrap().is_empty() {
            assert!(written.elapsed() >= settle - Duration::from_millis(50), "shown after {:?}", written.elapsed());
            break;
        }
        assert!(written.elapsed() < settle * 3, "the event never showed");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

#[tokio::test]
async fn bad_feed_queries_are_4xx_problems() {
    let app = spawn_without_settle(false).await;
    let mut body = proposal_body(IGO_A, INSURER_X);
    body["submit"] = json!(true);
    create(&app, IGO_A, &body).await;
    create(&app, IGO_A, &body).await;
    let cursor = feed(&app, "igo", IGO_A, "?limit=1").await["next_cursor"].as_str().unwrap().to_owned();
    for (role, org, query, status, pointer) in [
        ("igo", IGO_A, "?limit=0".to_owned(), 422, Some("/query/limit")),
        ("igo", IGO_A, "?limit=101".to_owned(), 422, Some("/query/limit")),
        ("igo", IGO_A, "?limit=ten".to_owned(), 422, Some("/query/limit")),
        ("igo", IGO_A, "?type=proposal.nope".to_owned(), 422, Some("/query/type")),
        ("igo", IGO_A, "?after=a=b".to_owned(), 422, Some("/query/after")),
        ("igo", IGO_A, "?cursor=x".to_owned(), 422, Some("/query/cursor")),
        ("igo", IGO_A, "?after=bm90LWEtY3Vyc29y".to_owned(), 404, None),
        // Another organisation's cursor is no key into this feed.
        ("insurer", INSURER_X, format!("?after={cursor}"), 404, None),
        ("igo", IGO_B, format!("?after={cursor}"), 404, None),
    ] {
        let response = app.as_caller(app.get(&format!("/v1/events{query}")), role, org).await.send().await.unwrap();
        let (got, problem) = expect_client_problem(response).await.unwrap_or_else(|e| panic!("{query}: {e}"));
        assert_eq!(got, status, "{role} {org} {query}: {problem}");
        if let Some(pointer) = pointer {
            assert!(problem.to_string().contains(pointer), "{query}: {problem}");
        }
    }
    let response = app.get("/v1/events").send().await.unwrap();
    assert_eq!(expect_client_problem(response).await.unwrap().0, 401);
}

#[tokio::test]
async fn updated_since_lists_what_changed_after_a_time_oldest_change_first() {
    let app = TestApp::spawn().await;
    warm_up(&app).await;
    let mut body = proposal_body(IGO_A, INSURER_X);
    body["submit"] = json!(true);
    let (first, first_etag, _) = create(&app, IGO_A, &body).await;
    let (second, _, _) = create(&app, IGO_A, &body).await;
    let (draft, _, _) = create(&app, IGO_A, &proposal_body(IGO_A, INSURER_X)).await;
    tokio::time::sleep(Duration::from_millis(20)).await;
    let since = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    tokio::time::sleep(Duration::from_millis(20)).await;
    let etag = step(&app, "insurer", INSURER_X, &first, &first_etag, json!({"action": "start_review"})).await;
    let (third, _, _) = create(&app, IGO_A, &body).await;
    step(&app, "insurer", INSURER_X, &first, &etag, counter()).await;

    let list = |role: &'static str, org: &'static str, query: String| {
        let app = &app;
        async move {
            let request = app.as_caller(app.get(&format!("/v1/proposals{query}")), role, org).await;
            let response = request.send().await.unwrap();
            assert_eq!(response.status(), 200, "{query}");
            json_body(response).await
        }
    };
    let ids = |page: &Value| -> Vec<String> {
        page["items"].as_array().unwrap().iter().map(|p| p["id"].as_str().unwrap().to_owned()).collect()
    };
    // Changed after `since`: the third (created), then the first (countered last).
    for (role, org) in [("igo", IGO_A), ("insurer", INSURER_X)] {
        let page = list(role, org, format!("?updated_since={since}")).await;
        assert_eq!(ids(&page), vec![third.clone(), first.clone()], "{role}");
        assert_eq!(page["items"][1]["status"], "countered");
        // Paged with a cursor, the same order.
        let one = list(role, org, format!("?updated_since={since}&limit=1")).await;
        assert_eq!(ids(&one), vec![third.clone()]);
        let cursor = one["next_cursor"].as_str().unwrap();
        let two = list(role, org, format!("?updated_since={since}&limit=1&cursor={cursor}")).await;
        assert_eq!((ids(&two), two["next_cursor"].clone()), (vec![first.clone()], Value::Null));
    }
    // From the beginning of time: all of the caller's, the insurer never the draft.
    let all = list("igo", IGO_A, "?updated_since=2000-01-01T00:00:00Z".into()).await;
    assert_eq!(ids(&all), vec![second.clone(), draft, third.clone(), first.clone()]);
    let all = list("insurer", INSURER_X, "?updated_since=2000-01-01T00:00:00Z".into()).await;
    assert_eq!(ids(&all), vec![second, third, first]);
    assert!(ids(&list("igo", IGO_B, format!("?updated_since={since}")).await).is_empty());
    for query in ["?updated_since=yesterday", "?updated_since=2026-01-01T00:00:00Z&status=draft"] {
        let response =
            app.as_caller(app.get(&format!("/v1/proposals{query}")), "igo", IGO_A).await.send().await.unwrap();
        let (status, problem) = expect_client_problem(response).await.unwrap();
        assert_eq!(status, 422, "{query}");
        assert!(problem.to_string().contains("/query/updated_since"), "{problem}");
    }
}
