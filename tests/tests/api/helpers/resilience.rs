//! Helpers the resilience suites share (bad input, tenant matrix, money through HTTP): a
//! fingerprint of everything stored, any-4xx problem checks, request bodies and URL encoding.

use std::collections::BTreeMap;

use aws_sdk_dynamodb::types::AttributeValue;
use integration_tests::{assert_problem, TestApp};
use serde_json::{json, Value};

/// Every item of the test's table, rendered in key order: two equal snapshots mean nothing
/// was written in between (every write of this API adds or rewrites an item, and items carry
/// versions and timestamps).
pub async fn snapshot(app: &TestApp) -> String {
    let mut items: BTreeMap<String, String> = BTreeMap::new();
    for item in all_items(app).await {
        let key = format!("{}|{}", text_of(item.get("PK")), text_of(item.get("SK")));
        // The harness registers each caller's principal on first use; the API never writes one.
        if key.starts_with("PRINCIPAL#") {
            continue;
        }
        items.insert(key, canonical_map(&item));
    }
    items.into_iter().map(|(k, v)| format!("{k} => {v}\n")).collect()
}

/// Every item of the test's table (consistent reads, all pages through the SDK's paginator).
async fn all_items(app: &TestApp) -> Vec<std::collections::HashMap<String, AttributeValue>> {
    app.ctx
        .dynamo
        .scan()
        .table_name(&app.ctx.table)
        .consistent_read(true)
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .expect("scanning the test table")
}

/// An item rendered with its maps in key order (the SDK's maps iterate in random order).
fn canonical_map(map: &std::collections::HashMap<String, AttributeValue>) -> String {
    let sorted: BTreeMap<_, _> = map.iter().collect();
    let fields: Vec<String> = sorted.into_iter().map(|(k, v)| format!("{k:?}: {}", canonical(v))).collect();
    format!("{{{}}}", fields.join(", "))
}

fn canonical(value: &AttributeValue) -> String {
    match value {
        AttributeValue::M(map) => canonical_map(map),
        AttributeValue::L(list) => format!("[{}]", list.iter().map(canonical).collect::<Vec<_>>().join(", ")),
        other => format!("{other:?}"),
    }
}

fn text_of(value: Option<&AttributeValue>) -> String {
    match value {
        Some(AttributeValue::S(s)) => s.clone(),
        Some(other) => format!("{other:?}"),
        None => String::new(),
    }
}

/// Whether some stored string attribute contains `needle` verbatim, or JSON-escaped where a
/// document is stored as JSON text.
pub async fn stored_text_contains(app: &TestApp, needle: &str) -> bool {
    let escaped = serde_json::to_string(needle).unwrap();
    let escaped = &escaped[1..escaped.len() - 1];
    snapshot_strings(app).await.iter().any(|s| s.contains(needle) || s.contains(escaped))
}

/// Waits until the API reaches the store: DynamoDB Local can answer its first requests after
/// a table is created slowly on a loaded machine (the API then rightly says 503).
pub async fn warm_up(app: &TestApp) {
    for _ in 0..120 {
        let response = app.as_caller(app.get("/v1/proposals"), "igo", "53012345").await.send().await.expect("warm-up");
        if response.status() != 503 {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
    panic!("the API did not reach DynamoDB Local within 30 s");
}

async fn snapshot_strings(app: &TestApp) -> Vec<String> {
    fn collect(value: &AttributeValue, out: &mut Vec<String>) {
        match value {
            AttributeValue::S(s) => out.push(s.clone()),
            AttributeValue::M(map) => map.values().for_each(|v| collect(v, out)),
            AttributeValue::L(list) => list.iter().for_each(|v| collect(v, out)),
            AttributeValue::Ss(list) => out.extend(list.iter().cloned()),
            _ => {}
        }
    }
    let mut out = Vec::new();
    for item in all_items(app).await {
        item.values().for_each(|v| collect(v, &mut out));
    }
    out
}

/// Checks a response is a 4xx problem+json (status, content type, shape) and returns its
/// status and body, or describes what it was instead.
pub async fn expect_client_problem(response: reqwest::Response) -> Result<(u16, Value), String> {
    let status = response.status().as_u16();
    if !(400..500).contains(&status) {
        let text = response.text().await.unwrap_or_default();
        return Err(format!("status {status}, body {}", truncate(&text, 300)));
    }
    let content_type = response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    if content_type != "application/problem+json" {
        return Err(format!("status {status} with content-type {content_type:?}"));
    }
    Ok((status, assert_problem(response, status).await))
}

pub fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_owned()
    } else {
        format!("{}…", text.chars().take(max).collect::<String>())
    }
}

/// Percent-encodes a path segment (everything but RFC 3986 unreserved characters), so a
/// hostile value reaches the router as one segment.
pub fn encode_segment(raw: &str) -> String {
    raw.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Every JSON pointer to a number found in `value`.
pub fn number_pointers(value: &Value) -> Vec<String> {
    fn walk(value: &Value, pointer: String, out: &mut Vec<String>) {
        match value {
            Value::Number(_) => out.push(pointer),
            Value::Array(items) => {
                items.iter().enumerate().for_each(|(i, v)| walk(v, format!("{pointer}/{i}"), out));
            }
            Value::Object(map) => map.iter().for_each(|(k, v)| walk(v, format!("{pointer}/{k}"), out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(value, String::new(), &mut out);
    out
}

/// A valid quote request: two providers, two prestaties.
pub fn quote_body() -> Value {
    json!({
        "period": 2027,
        "providers": [
            {"agb": "06111111", "name": "Ziekenhuis Noord", "kind": "ziekenhuis", "baseline_revenue": "100.00"},
            {"agb": "08222222", "name": "Verloskundigen De Wieg", "kind": "verloskundigenpraktijk", "baseline_revenue": "800.00"}
        ],
        "prestaties": [
            {"prestatie": "geboortezorg_prenataal", "volume": "7", "components": [
                {"provider": "08222222", "amount_per_unit": "123.45"}, {"provider": "06111111", "amount_per_unit": "10.00"}]},
            {"prestatie": "kraamzorg_postnataal_per_uur", "volume": "12.5", "components": [
                {"provider": "08222222", "amount_per_unit": "49.85"}]}
        ],
        "care_shifts": [
            {"prestatie": "geboortezorg_prenataal", "from": "06111111", "to": "08222222", "share": "10"}
        ],
        "surcharges": {"organisation_costs": "3.33", "risk_reserve": "1.00", "innovation_fund": "0.50"},
        "distribution": {"method": "fixed_shares", "shares": [
            {"provider": "06111111", "percentage": "40"}, {"provider": "08222222", "percentage": "60"}]},
        "rounding": "half_up"
    })
}

/// The keys of the items that differ between two snapshots (added, removed or changed).
pub fn changed_items(before: &str, after: &str) -> Vec<String> {
    let parse = |s: &str| -> BTreeMap<String, String> {
        s.lines().filter_map(|l| l.split_once(" => ")).map(|(k, v)| (k.to_owned(), v.to_owned())).collect()
    };
    let (before, after) = (parse(before), parse(after));
    let mut keys: Vec<String> = before.keys().chain(after.keys()).cloned().collect();
    keys.sort();
    keys.dedup();
    keys.into_iter().filter(|k| before.get(k) != after.get(k)).collect()
}

/// Fails with the changed keys when the table is no longer as it was.
pub async fn assert_unchanged(app: &TestApp, before: &str, what: &str) {
    let after = snapshot(app).await;
    let changed = changed_items(before, &after);
    assert!(changed.is_empty(), "{what}: the table changed at {changed:?}");
}
