//! The bad-input corpus, driven as data: every write endpoint gets its valid body mutated at
//! every field (index 0 of every array) into each hostile value of one table (wrong types,
//! huge and 300-digit numbers, NaN/Infinity, unknown enum values, SQL/NoSQL injection-like
//! strings), plus whole-body cases (malformed JSON, 10,000 levels of nesting, oversized
//! bodies, invalid UTF-8, wrong media types); every path and query parameter gets the hostile
//! strings too. Each must be answered by a 4xx problem+json and leave the table exactly as it
//! was. The one exception is free text (names, notes, reasons, theme points): there an
//! injection-like string is just text, so it may be accepted, and then it must be stored
//! verbatim, as data.

use crate::helpers::proposals::{content_of, create, proposal_body, step, IGO_A, INSURER_X};
use crate::helpers::resilience::{
    encode_segment, expect_client_problem, quote_body, snapshot, stored_text_contains, truncate, warm_up,
};
use integration_tests::{json_body, TestApp};
use serde_json::{json, Value};

const SEED: &str = include_str!("../../../shared/domain/data/themes/seed-edition.json");
/// Stands for the hostile value while the body is serialised; replaced by its raw JSON text.
const PLACEHOLDER: &str = "@@hostile-value@@";
const EDITION: &str = "2099-01";

/// A hostile value: a JSON value, or raw JSON text that serde_json cannot even represent
/// (1e400, NaN, a 300-digit number).
#[derive(Clone)]
enum Hostile {
    Json(Value),
    Raw(String),
}

impl Hostile {
    fn text(&self) -> String {
        match self {
            Hostile::Json(value) => value.to_string(),
            Hostile::Raw(raw) => raw.clone(),
        }
    }
}

/// The injection-like strings, also used as path and query parameters.
fn hostile_strings() -> Vec<String> {
    vec![
        "' OR 1=1 --".into(),
        "'; DROP TABLE proposals; --".into(),
        r#"{"$gt":""}"#.into(),
        r#"{"$ne":null}"#.into(),
        "#PK".into(),
        "PROPOSAL#".into(),
        "ORG#53012345".into(),
        "PK = :pk OR attribute_exists(PK)".into(),
        "../".into(),
        "../../etc/passwd".into(),
        "%00".into(),
        "a\u{0}b".into(),
        "<script>alert(1)</script>".into(),
        "${jndi:ldap://x}".into(),
        "NaN".into(),
        "Infinity".into(),
        "-Infinity".into(),
        "1e400".into(),
        "9".repeat(300),
        format!("0.{}", "3".repeat(300)),
        "no_such_enum_value".into(),
        String::new(),
        "x".repeat(5000),
    ]
}

/// The hostile values a field is replaced with: the strings above, wrong types, NoSQL
/// operator objects, and numbers no field accepts.
fn hostile_values() -> Vec<Hostile> {
    let mut values: Vec<Hostile> = hostile_strings().into_iter().map(|s| Hostile::Json(Value::String(s))).collect();
    values.extend(
        [json!(1), json!(true), json!([]), json!({}), json!({"$gt": ""}), json!({"$ne": null}), json!(["' OR 1=1 --"])]
            .map(Hostile::Json),
    );
    values.extend(
        [
            "1e400".to_owned(),
            "-1e400".to_owned(),
            "9".repeat(300),
            format!("0.{}", "1".repeat(300)),
            "18446744073709551616".to_owned(),
            "-1".to_owned(),
            "1.5".to_owned(),
            "NaN".to_owned(),
            "Infinity".to_owned(),
            "-Infinity".to_owned(),
        ]
        .map(Hostile::Raw),
    );
    values
}

/// Whole-body cases: (label, content type, body, the status it must get if one is certain).
fn body_cases(base: &Value) -> Vec<(String, &'static str, Vec<u8>, Option<u16>)> {
    let json_ct = "application/json";
    let base_text = base.to_string();
    let mut with_extra = base.clone();
    with_extra["$where"] = json!("sleep(1000)");
    let mut with_proto = base.clone();
    with_proto["__proto__"] = json!({"admin": true});
    let mut padded = base.clone();
    padded["padding"] = json!("x".repeat(300 * 1024));
    let mut cases: Vec<(String, &'static str, Vec<u8>, Option<u16>)> = vec![
        ("empty body".into(), json_ct, Vec::new(), Some(400)),
        ("whitespace body".into(), json_ct, b"   \n".to_vec(), Some(400)),
        ("open brace".into(), json_ct, b"{".to_vec(), Some(400)),
        ("missing value".into(), json_ct, br#"{"a":}"#.to_vec(), Some(400)),
        ("two documents".into(), json_ct, b"{} {}".to_vec(), Some(400)),
        ("trailing garbage".into(), json_ct, format!("{base_text} x").into_bytes(), Some(400)),
        ("truncated".into(), json_ct, base_text.as_bytes()[..base_text.len() / 2].to_vec(), Some(400)),
        ("single quotes".into(), json_ct, base_text.replace('"', "'").into_bytes(), Some(400)),
        ("bare NaN".into(), json_ct, b"NaN".to_vec(), Some(400)),
        ("10,000 open brackets".into(), json_ct, "[".repeat(10_000).into_bytes(), Some(400)),
        // Well-formed but deep: refused as malformed (400) or as the wrong shape (422).
        (
            "10,000 nested arrays".into(),
            json_ct,
            format!("{}{}", "[".repeat(10_000), "]".repeat(10_000)).into_bytes(),
            None,
        ),
        (
            "10,000 nested objects".into(),
            json_ct,
            format!("{}1{}", r#"{"a":"#.repeat(10_000), "}".repeat(10_000)).into_bytes(),
            None,
        ),
        ("a JSON string".into(), json_ct, br#""proposal""#.to_vec(), None),
        ("a JSON array".into(), json_ct, b"[]".to_vec(), None),
        ("JSON null".into(), json_ct, b"null".to_vec(), None),
        ("a JSON number".into(), json_ct, b"42".to_vec(), None),
        ("unknown field $where".into(), json_ct, with_extra.to_string().into_bytes(), Some(422)),
        ("unknown field __proto__".into(), json_ct, with_proto.to_string().into_bytes(), Some(422)),
        ("oversized (300 KiB)".into(), json_ct, padded.to_string().into_bytes(), Some(413)),
        ("oversized whitespace (1 MiB)".into(), json_ct, vec![b' '; 1024 * 1024], Some(413)),
        ("text/plain".into(), "text/plain", base_text.clone().into_bytes(), Some(415)),
        ("form encoded".into(), "application/x-www-form-urlencoded", b"a=1&b=2".to_vec(), Some(415)),
        ("xml".into(), "application/xml", b"<proposal/>".to_vec(), Some(415)),
    ];
    // Invalid UTF-8 inside a string of an otherwise valid body, and overlong/truncated sequences.
    for (label, bytes) in [
        ("invalid UTF-8 0xff 0xfe", &b"\xff\xfe"[..]),
        ("overlong UTF-8 slash", &b"\xc0\xaf"[..]),
        ("truncated UTF-8", &b"\xe2\x82"[..]),
        ("UTF-16 surrogate as UTF-8", &b"\xed\xa0\x80"[..]),
    ] {
        let text = first_string_pointer(base)
            .map(|pointer| {
                let mut doc = base.clone();
                *doc.pointer_mut(&pointer).unwrap() = Value::String(PLACEHOLDER.into());
                doc.to_string()
            })
            .unwrap_or_else(|| format!(r#"{{"a":"{PLACEHOLDER}"}}"#));
        let mut body = Vec::new();
        let (before, after) = text.split_once(PLACEHOLDER).unwrap();
        body.extend_from_slice(before.as_bytes());
        body.extend_from_slice(bytes);
        body.extend_from_slice(after.as_bytes());
        cases.push((label.into(), json_ct, body, Some(400)));
    }
    if let Some(pointer) = first_string_pointer(base) {
        let mut doc = base.clone();
        *doc.pointer_mut(&pointer).unwrap() = Value::String(PLACEHOLDER.into());
        let text = doc.to_string().replacen(PLACEHOLDER, "\\ud800", 1);
        cases.push(("lone surrogate escape".into(), json_ct, text.into_bytes(), None));
    }
    let mut bom = "\u{feff}".as_bytes().to_vec();
    bom.extend_from_slice(base_text.as_bytes());
    cases.push(("byte order mark".into(), json_ct, bom, Some(400)));
    cases
}

fn first_string_pointer(value: &Value) -> Option<String> {
    pointers(value).into_iter().find(|p| value.pointer(p).is_some_and(Value::is_string))
}

/// Every pointer below the root along index 0 of every array: containers and leaves.
fn pointers(value: &Value) -> Vec<String> {
    fn walk(value: &Value, pointer: String, out: &mut Vec<String>) {
        if !pointer.is_empty() {
            out.push(pointer.clone());
        }
        match value {
            Value::Array(items) => {
                if let Some(first) = items.first() {
                    walk(first, format!("{pointer}/0"), out);
                }
            }
            Value::Object(map) => {
                for (key, child) in map {
                    walk(child, format!("{pointer}/{}", key.replace('~', "~0").replace('/', "~1")), out);
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(value, String::new(), &mut out);
    out
}

/// The body with the value at `pointer` replaced by the hostile value's raw text.
fn mutate(base: &Value, pointer: &str, hostile: &Hostile) -> String {
    let mut doc = base.clone();
    *doc.pointer_mut(pointer).expect("pointer from the base") = Value::String(PLACEHOLDER.into());
    doc.to_string().replacen(&format!("\"{PLACEHOLDER}\""), &hostile.text(), 1)
}

/// The write endpoints under test.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Endpoint {
    CreateProposal,
    ReplaceProposal,
    TransitionProposal,
    CreateQuote,
    PutThemeEdition,
}

/// Where a case is sent: method, path, caller and If-Match.
struct Target {
    method: reqwest::Method,
    path: String,
    role: &'static str,
    org: &'static str,
    if_match: Option<&'static str>,
}

impl Endpoint {
    fn base(self) -> Value {
        match self {
            Endpoint::CreateProposal => proposal_body(IGO_A, INSURER_X),
            Endpoint::ReplaceProposal => content_of(&proposal_body(IGO_A, INSURER_X)),
            Endpoint::TransitionProposal => json!({
                "action": "counter",
                "reason": "Het tarief ligt boven ons inkoopbeleid.",
                "counter_lines": [{"prestatie": "geboortezorg_prenataal", "volume": 100, "tariff": "1100.00"}]
            }),
            Endpoint::CreateQuote => quote_body(),
            Endpoint::PutThemeEdition => {
                let mut doc: Value = serde_json::from_str(SEED).unwrap();
                doc["edition"] = EDITION.into();
                doc
            }
        }
    }

    /// Fields whose value is free text: an injection-like string there is just text.
    fn free_text(self) -> &'static [&'static str] {
        match self {
            Endpoint::CreateProposal | Endpoint::ReplaceProposal => {
                &["name", "notes", "note", "bundle_breakers", "expensive_medicines", "case_mix"]
            }
            Endpoint::TransitionProposal => &["reason"],
            Endpoint::CreateQuote => &["name"],
            Endpoint::PutThemeEdition => &[
                "title",
                "guide_tariff_scope",
                "sources",
                "text",
                "name",
                "source_document",
                "points",
                "note",
                "applies_to",
                "quote",
            ],
        }
    }

    /// A fresh target in the state the base body applies to.
    async fn target(self, app: &TestApp) -> Target {
        let target = |method, path: String, role, org, if_match| Target { method, path, role, org, if_match };
        match self {
            Endpoint::CreateProposal => target(reqwest::Method::POST, "/v1/proposals".into(), "igo", IGO_A, None),
            Endpoint::ReplaceProposal => {
                let (id, _, _) = create(app, IGO_A, &proposal_body(IGO_A, INSURER_X)).await;
                target(reqwest::Method::PUT, format!("/v1/proposals/{id}"), "igo", IGO_A, Some("*"))
            }
            Endpoint::TransitionProposal => {
                let mut body = proposal_body(IGO_A, INSURER_X);
                body["submit"] = json!(true);
                let (id, etag, _) = create(app, IGO_A, &body).await;
                step(app, "insurer", INSURER_X, &id, &etag, json!({"action": "start_review"})).await;
                target(
                    reqwest::Method::POST,
                    format!("/v1/proposals/{id}/transitions"),
                    "insurer",
                    INSURER_X,
                    Some("*"),
                )
            }
            Endpoint::CreateQuote => target(reqwest::Method::POST, "/v1/quotes".into(), "igo", IGO_A, None),
            Endpoint::PutThemeEdition => target(
                reqwest::Method::PUT,
                format!("/v1/themes/editions/{EDITION}"),
                "publisher",
                "zorginkoop-redactie",
                None,
            ),
        }
    }

    /// Whether an accepted write used up the target (a counter ends the review).
    fn consumes_target(self) -> bool {
        self == Endpoint::TransitionProposal
    }
}

async fn send(app: &TestApp, target: &Target, content_type: &str, body: Vec<u8>) -> reqwest::Response {
    let mut request = app
        .as_caller(app.client.request(target.method.clone(), app.url(&target.path)), target.role, target.org)
        .await
        .header("content-type", content_type)
        .body(body);
    if let Some(if_match) = target.if_match {
        request = request.header("if-match", if_match);
    }
    request.send().await.expect("sending a corpus case")
}

fn same_type(a: &Value, b: &Value) -> bool {
    std::mem::discriminant(a) == std::mem::discriminant(b)
}

fn is_free_text(endpoint: Endpoint, pointer: &str) -> bool {
    let field = pointer.rsplit('/').find(|segment| segment.parse::<usize>().is_err()).unwrap_or("");
    endpoint.free_text().contains(&field)
}

/// Runs the whole corpus against one endpoint; returns the number of cases sent.
async fn run_corpus(endpoint: Endpoint) -> usize {
    let app = TestApp::spawn().await;
    warm_up(&app).await;
    let base = endpoint.base();
    let mut target = endpoint.target(&app).await;

    // The base body itself is valid: every refusal below is the mutation's doing.
    let response = send(&app, &target, "application/json", base.to_string().into_bytes()).await;
    let status = response.status();
    assert!(status.is_success(), "{endpoint:?}: the base body is refused: {}", json_body(response).await);
    if endpoint.consumes_target() {
        target = endpoint.target(&app).await;
    }

    let mut failures = Vec::new();
    let mut sent = 0;
    let mut before = snapshot(&app).await;

    for (label, content_type, body, expected) in body_cases(&base) {
        sent += 1;
        let response = send(&app, &target, content_type, body).await;
        match expect_client_problem(response).await {
            Ok((status, _)) if expected.is_some_and(|e| e != status) => {
                failures.push(format!("{endpoint:?} [{label}]: status {status}, expected {expected:?}"))
            }
            Ok(_) => {}
            Err(what) => failures.push(format!("{endpoint:?} [{label}]: {what}")),
        }
        let after = snapshot(&app).await;
        if after != before {
            failures.push(format!("{endpoint:?} [{label}]: the table changed"));
            before = after;
        }
    }

    for pointer in pointers(&base) {
        for hostile in hostile_values() {
            sent += 1;
            let label = format!("{pointer} = {}", truncate(&hostile.text(), 40));
            let body = mutate(&base, &pointer, &hostile);
            let response = send(&app, &target, "application/json", body.into_bytes()).await;
            let status = response.status().as_u16();
            // A value of the field's own type may be valid (an empty list, a count of 1, free
            // text); any other must be refused.
            let original = base.pointer(&pointer).expect("pointer from the base");
            let may_pass = match &hostile {
                Hostile::Json(Value::String(_)) => is_free_text(endpoint, &pointer),
                Hostile::Json(value) => same_type(original, value),
                Hostile::Raw(_) => false,
            };
            match (status, may_pass) {
                (200..=299, true) => {
                    // Accepted as data: text is stored verbatim.
                    let _ = response.bytes().await;
                    if let Hostile::Json(Value::String(text)) = &hostile {
                        if !stored_text_contains(&app, text).await {
                            failures.push(format!("{endpoint:?} [{label}]: accepted but not stored verbatim"));
                        }
                    }
                    before = snapshot(&app).await;
                    if endpoint.consumes_target() {
                        target = endpoint.target(&app).await;
                        before = snapshot(&app).await;
                    }
                    continue;
                }
                _ => {
                    if let Err(what) = expect_client_problem(response).await {
                        failures.push(format!("{endpoint:?} [{label}]: {what}"));
                    }
                }
            }
            let after = snapshot(&app).await;
            if after != before {
                failures.push(format!("{endpoint:?} [{label}]: refused, yet the table changed"));
                before = after;
            }
        }
    }
    assert!(failures.is_empty(), "{} of {sent} cases failed:\n{}", failures.len(), failures.join("\n"));
    sent
}

#[tokio::test]
async fn create_proposal_refuses_the_corpus() {
    run_corpus(Endpoint::CreateProposal).await;
}

#[tokio::test]
async fn replace_proposal_refuses_the_corpus() {
    run_corpus(Endpoint::ReplaceProposal).await;
}

#[tokio::test]
async fn transition_proposal_refuses_the_corpus() {
    run_corpus(Endpoint::TransitionProposal).await;
}

#[tokio::test]
async fn create_quote_refuses_the_corpus() {
    run_corpus(Endpoint::CreateQuote).await;
}

#[tokio::test]
async fn put_theme_edition_refuses_the_corpus() {
    run_corpus(Endpoint::PutThemeEdition).await;
}

/// Every path parameter of every operation, and every query parameter of the listing, gets
/// each hostile string: 4xx problem+json, nothing stored, nothing of anyone's data shown.
#[tokio::test]
async fn hostile_path_and_query_parameters_are_refused() {
    let app = TestApp::spawn_seeded().await;
    warm_up(&app).await;
    let (existing, _, _) = create(&app, IGO_A, &proposal_body(IGO_A, INSURER_X)).await;
    let content = content_of(&proposal_body(IGO_A, INSURER_X));
    let mut edition_doc: Value = serde_json::from_str(SEED).unwrap();
    edition_doc["edition"] = EDITION.into();

    // (method, path template, caller, body, If-Match)
    type Operation = (reqwest::Method, &'static str, Option<(&'static str, &'static str)>, Option<Value>, bool);
    let publisher = Some(("publisher", "zorginkoop-redactie"));
    let igo = Some(("igo", IGO_A));
    let operations: Vec<Operation> = vec![
        (reqwest::Method::GET, "/v1/proposals/{}", igo, None, false),
        (reqwest::Method::PUT, "/v1/proposals/{}", igo, Some(content), true),
        (reqwest::Method::POST, "/v1/proposals/{}/transitions", igo, Some(json!({"action": "submit"})), true),
        (reqwest::Method::GET, "/v1/proposals/{}/history", igo, None, false),
        (reqwest::Method::GET, "/v1/quotes/{}", igo, None, false),
        (reqwest::Method::PUT, "/v1/themes/editions/{}", publisher, Some(edition_doc), false),
        (reqwest::Method::POST, "/v1/themes/editions/{}/publish", publisher, None, false),
        (reqwest::Method::GET, "/v1/themes/editions/{}", None, None, false),
        (reqwest::Method::GET, "/v1/zorgkantoren/{}", None, None, false),
        (reqwest::Method::GET, "/v1/zorgkantoren/{}/themes", None, None, false),
    ];
    let mut segments: Vec<String> = hostile_strings().iter().map(|s| encode_segment(s)).collect();
    // Some unencoded too: what a careless client sends.
    // ("%2e%2e" is left out: URL parsers, reqwest's too, read it as "..", a different path.)
    segments.extend(["%00", "..%2f..%2f", "%27%20OR%201=1%20--", "PROPOSAL%23"].map(String::from));
    segments.push(encode_segment(&existing.to_lowercase()));
    segments.push(encode_segment(&format!("{existing}#")));
    segments.push(encode_segment(&format!("PROPOSAL#{existing}")));

    let mut failures = Vec::new();
    let mut sent = 0;
    let before = snapshot(&app).await;
    for (method, template, caller, body, if_match) in &operations {
        for segment in &segments {
            sent += 1;
            let path = template.replace("{}", segment);
            let mut request = app.client.request(method.clone(), app.url(&path));
            if let Some((role, org)) = caller {
                request = app.as_caller(request, role, org).await;
            }
            if let Some(body) = body {
                request = request.json(body);
            }
            if *if_match {
                request = request.header("if-match", "*");
            }
            let response = request.send().await.expect("sending");
            match expect_client_problem(response).await {
                Ok((_, problem)) if problem.to_string().contains(&existing) => {
                    failures.push(format!("{method} {path}: the problem names an existing proposal"))
                }
                Ok(_) => {}
                Err(what) => failures.push(format!("{method} {}: {what}", truncate(&path, 80))),
            }
        }
    }

    // Query parameters of the listing.
    let queries = [
        ("status", "igo", IGO_A),
        ("year", "igo", IGO_A),
        ("insurer", "igo", IGO_A),
        ("igo", "insurer", INSURER_X),
        ("limit", "igo", IGO_A),
        ("cursor", "igo", IGO_A),
        ("$where", "igo", IGO_A),
    ];
    for (name, role, org) in queries {
        for value in hostile_strings() {
            sent += 1;
            let path = format!("/v1/proposals?{}={}", encode_segment(name), encode_segment(&value));
            let response = app.as_caller(app.get(&path), role, org).await.send().await.expect("sending");
            if let Err(what) = expect_client_problem(response).await {
                failures.push(format!("GET {}: {what}", truncate(&path, 80)));
            }
        }
    }
    if snapshot(&app).await != before {
        failures.push("the table changed".into());
    }
    assert!(failures.is_empty(), "{} of {sent} cases failed:\n{}", failures.len(), failures.join("\n"));
}

/// Over-long and odd identifiers: past DynamoDB's key limits (2048 bytes for a partition key,
/// 1024 for a sort key), one past a ULID's length, key separators, spaces, non-ASCII, a
/// right-to-left override, a wildcard. The first `UNIVERSALLY_MALFORMED` are malformed for
/// every kind of identifier, an Idempotency-Key (any visible ASCII) too.
fn hostile_identifiers() -> Vec<String> {
    vec![
        "x".repeat(5000),
        "0".repeat(2100),
        "a".repeat(1100),
        "a b".into(),
        "é".into(),
        "\u{202e}lppa".into(),
        "A".repeat(27),
        "01ARZ3NDEKTSV4RRFFQ69G5FA!".into(),
        "PROPOSAL#01ARZ3NDEKTSV4RRFFQ69G5FAV".into(),
        "ORG#53012345".into(),
        "*".into(),
        "-leading-dash".into(),
        "UPPER".into(),
    ]
}

const UNIVERSALLY_MALFORMED: usize = 6;

/// Whether a body field is an identifier: `id`, `*_id`, `from_quote` (a quote id), an edition, a cursor.
fn is_identifier_field(name: &str) -> bool {
    name == "id" || name.ends_with("_id") || name == "from_quote" || name == "edition" || name == "cursor"
}

/// Follows `$ref`s of the spec to the schema they name.
fn resolve<'a>(spec: &'a Value, mut schema: &'a Value) -> &'a Value {
    while let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        let name = reference.rsplit('/').next().unwrap();
        schema = &spec["components"]["schemas"][name];
    }
    schema
}

fn accepts_strings(schema: &Value) -> bool {
    match &schema["type"] {
        Value::String(t) => t == "string" || t == "array",
        Value::Array(types) => types.iter().any(|t| t == "string"),
        // An enum or a `$ref`: a string of the wire.
        _ => true,
    }
}

/// One case generated from the spec: the request with one identifier replaced.
struct IdCase {
    method: reqwest::Method,
    path: String,
    caller: Option<(&'static str, &'static str)>,
    body: Option<Value>,
    idempotency_key: Option<String>,
    label: String,
    /// The value matches the `pattern` the spec declares for it: a well-formed identifier that
    /// names nothing, so 404 (issue 16), not 422.
    well_formed: bool,
}

/// Every path, query, header and body identifier of every operation in the committed spec
/// gets every over-long and odd identifier: a 422 problem+json (never a 404 that looked the
/// value up, never a 500 from a key DynamoDB refuses), and nothing stored. A value that matches
/// the `pattern` the spec declares for the identifier (a cursor may well be `UPPER`) is a
/// well-formed one that names nothing: 404.
#[tokio::test]
async fn identifiers_generated_from_the_spec_are_refused() {
    let spec: Value = serde_json::from_str(include_str!("../../../openapi/openapi.json")).unwrap();
    let app = TestApp::spawn_seeded().await;
    warm_up(&app).await;
    // Path parameters other than the one under test name things that exist, so the case is
    // refused for the identifier and nothing else.
    let (proposal, _, _) = create(&app, IGO_A, &proposal_body(IGO_A, INSURER_X)).await;
    let quote = app.as_caller(app.post("/v1/quotes"), "igo", IGO_A).await.json(&quote_body()).send().await.unwrap();
    let quote = json_body(quote).await["id"].as_str().unwrap().to_owned();
    let existing = |template: &str| match template {
        t if t.starts_with("/v1/proposals") => proposal.clone(),
        t if t.starts_with("/v1/quotes") => quote.clone(),
        t if t.starts_with("/v1/zorgkantoren") => "cz".to_owned(),
        _ => "2023-07".to_owned(),
    };

    let mut cases = Vec::new();
    for (template, operations) in spec["paths"].as_object().unwrap() {
        for (method, op) in operations.as_object().unwrap() {
            let method: reqwest::Method = method.to_uppercase().parse().unwrap();
            let secured = op["security"].as_array().is_some_and(|s| !s.is_empty());
            let caller = match (secured, template.starts_with("/v1/themes")) {
                (false, _) => None,
                (true, true) => Some(("publisher", "zorginkoop-redactie")),
                (true, false) => Some(("igo", IGO_A)),
            };
            let body = op["requestBody"]["content"]["application/json"].as_object().map(|content| {
                content
                    .get("example")
                    .cloned()
                    .or_else(|| {
                        content["examples"].as_object().and_then(|e| e.values().next()).map(|e| e["value"].clone())
                    })
                    .unwrap_or_else(|| json!({}))
            });
            let params = op["parameters"].as_array().cloned().unwrap_or_default();
            // Every other path parameter keeps a harmless well-formed value.
            let fill = |path: &str| {
                params.iter().filter(|p| p["in"] == "path").fold(path.to_owned(), |path, p| {
                    path.replace(&format!("{{{}}}", p["name"].as_str().unwrap()), &existing(template))
                })
            };
            let case =
                |path: String, body: Option<Value>, key: Option<String>, label: String, value: &str, schema: &Value| {
                    let pattern = schema["pattern"].as_str();
                    IdCase {
                        method: method.clone(),
                        path,
                        caller,
                        body,
                        idempotency_key: key,
                        well_formed: pattern.is_some_and(|p| regex::Regex::new(p).unwrap().is_match(value)),
                        label,
                    }
                };
            for (i, value) in hostile_identifiers().into_iter().enumerate() {
                let shown = truncate(&value, 20);
                for p in &params {
                    let name = p["name"].as_str().unwrap();
                    match p["in"].as_str().unwrap() {
                        "path" => {
                            let path = fill(&template.replace(&format!("{{{name}}}"), &encode_segment(&value)));
                            cases.push(case(
                                path,
                                body.clone(),
                                None,
                                format!("{method} {template} path {name}={shown}"),
                                &value,
                                resolve(&spec, &p["schema"]),
                            ));
                        }
                        "query" if accepts_strings(resolve(&spec, &p["schema"])) => {
                            let path =
                                format!("{}?{}={}", fill(template), encode_segment(name), encode_segment(&value));
                            cases.push(case(
                                path,
                                body.clone(),
                                None,
                                format!("{method} {template} query {name}={shown}"),
                                &value,
                                resolve(&spec, &p["schema"]),
                            ));
                        }
                        "header" if name.eq_ignore_ascii_case("idempotency-key") && i < UNIVERSALLY_MALFORMED => {
                            let label = format!("{method} {template} header {name}={shown}");
                            let schema = resolve(&spec, &p["schema"]);
                            cases.push(case(fill(template), body.clone(), Some(value.clone()), label, &value, schema));
                        }
                        _ => {}
                    }
                }
                // Body identifiers: every top-level property named like an identifier, whether
                // or not the example sends it.
                if let Some(base) = &body {
                    let schema = resolve(&spec, &op["requestBody"]["content"]["application/json"]["schema"]);
                    let properties = schema["properties"].as_object().cloned().unwrap_or_default();
                    for (name, property) in &properties {
                        if !is_identifier_field(name) || !accepts_strings(resolve(&spec, property)) {
                            continue;
                        }
                        let mut doc = base.clone();
                        doc[name.as_str()] = Value::String(value.clone());
                        let label = format!("{method} {template} body /{name}={shown}");
                        cases.push(case(fill(template), Some(doc), None, label, &value, resolve(&spec, property)));
                    }
                }
            }
        }
    }
    // The generator saw what it should: path ids, ?edition=, ?cursor=, body edition and
    // quote ids, Idempotency-Key.
    for expected in [
        "GET /v1/proposals/{id} path id",
        "GET /v1/quotes/{id} path id",
        "GET /v1/themes query edition",
        "GET /v1/proposals query cursor",
        "POST /v1/wlz-tariff-quotes body /edition",
        "POST /v1/proposals body /from_quote",
        "PUT /v1/proposals/{id} body /quote_id",
        "POST /v1/proposals header Idempotency-Key",
    ] {
        assert!(cases.iter().any(|c| c.label.starts_with(expected)), "no case for {expected}");
    }

    let before = snapshot(&app).await;
    let mut failures = Vec::new();
    for case in &cases {
        let mut request = app.client.request(case.method.clone(), app.url(&case.path));
        if let Some((role, org)) = case.caller {
            request = app.as_caller(request, role, org).await;
        }
        if let Some(body) = &case.body {
            request = request.json(body);
        }
        if matches!(case.method, reqwest::Method::PUT) || case.path.ends_with("/transitions") {
            request = request.header("if-match", "\"1\"");
        }
        if let Some(key) = &case.idempotency_key {
            match reqwest::header::HeaderValue::from_bytes(key.as_bytes()) {
                Ok(value) => request = request.header("idempotency-key", value),
                Err(_) => continue,
            }
        }
        let response = request.send().await.expect("sending");
        match expect_client_problem(response).await {
            Ok((422, _)) if !case.well_formed => {}
            Ok((404, _)) if case.well_formed => {}
            Ok((status, problem)) => failures.push(format!("{}: {status} {problem}", case.label)),
            Err(what) => failures.push(format!("{}: {what}", case.label)),
        }
    }
    if snapshot(&app).await != before {
        failures.push("the table changed".into());
    }
    assert!(failures.is_empty(), "{} of {} cases failed:\n{}", failures.len(), cases.len(), failures.join("\n"));
}
