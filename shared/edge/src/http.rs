//! Request and response glue shared by every handler: JSON bodies in (size-limited, strict,
//! errors naming the field), JSON out, ETags and conditional requests. Query strings: `query`.

use http::{header, HeaderValue, StatusCode};
use lambda_http::{Body, Request, Response};
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::error::{ApiError, FieldError};

/// Largest request body a handler reads: 256 KiB. Larger bodies get 413.
pub const MAX_BODY_BYTES: usize = 256 * 1024;

/// Largest body of a proposal write (create, replace, transition): 64 KiB. A real proposal is a
/// few KiB (9 lines, a few dozen providers with per-prestatie shares, attention points); one
/// at the size limits of every field (100 providers, 4,000-character texts) does not fit, and
/// need not: the tighter limit bounds what one leaked token can make the table store per write.
pub const PROPOSAL_BODY_BYTES: usize = 64 * 1024;

/// The body limit of the operations under `path` (a request path or a spec path template):
/// the one place that says which operations take the tighter limit.
pub fn body_limit(path: &str) -> usize {
    if path.starts_with("/v1/proposals") {
        PROPOSAL_BODY_BYTES
    } else {
        MAX_BODY_BYTES
    }
}

/// Parses a JSON request body into `T`. Malformed JSON is a 400; a well-formed body of the
/// wrong shape (unknown field, wrong type, bad enum value, invalid code, an array where an
/// object belongs) is a 422 that names the field as a JSON pointer.
pub fn parse_json<T: DeserializeOwned + Serialize>(req: &Request) -> Result<T, ApiError> {
    let bytes: &[u8] = req.body().as_ref();
    let limit = body_limit(req.uri().path());
    if bytes.len() > limit {
        return Err(ApiError::PayloadTooLarge { limit });
    }
    if let Some(content_type) = req.headers().get(header::CONTENT_TYPE) {
        let essence = content_type.to_str().unwrap_or("").split(';').next().unwrap_or("").trim().to_ascii_lowercase();
        if essence != "application/json" && !essence.ends_with("+json") {
            return Err(ApiError::UnsupportedMediaType(format!("expected application/json, got {essence:?}")));
        }
    }
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::BadRequest("the request body is empty; a JSON object is expected".into()));
    }
    let text =
        std::str::from_utf8(bytes).map_err(|e| ApiError::BadRequest(format!("the body is not valid UTF-8: {e}")))?;
    parse_json_str(text)
}

/// The body-independent part of [`parse_json`], for tests and non-HTTP callers.
pub fn parse_json_str<T: DeserializeOwned + Serialize>(text: &str) -> Result<T, ApiError> {
    // Syntax first: a body that is not one well-formed JSON value is a 400 whatever its shape,
    // so a shape error (422) is only reported for JSON the client actually managed to send.
    serde_json::from_str::<serde::de::IgnoredAny>(text)
        .map_err(|e| ApiError::BadRequest(format!("malformed JSON: {e}")))?;
    let normalised = integral_numbers_as_integers(text);
    let text = normalised.as_deref().unwrap_or(text);
    let mut de = serde_json::Deserializer::from_str(text);
    let value: T = serde_path_to_error::deserialize(&mut de).map_err(|err| {
        let inner = err.inner();
        match inner.classify() {
            serde_json::error::Category::Data => ApiError::Validation(vec![FieldError::new(
                json_pointer(err.path()),
                strip_position(&inner.to_string()),
            )]),
            _ => ApiError::BadRequest(format!("malformed JSON: {inner}")),
        }
    })?;
    de.end().map_err(|e| ApiError::BadRequest(format!("malformed JSON: {e}")))?;
    refuse_positional_objects(text, &value)?;
    Ok(value)
}

/// JSON Schema's `integer` is any number with a zero fraction (`6418.0` is one), serde's `u64`
/// only digits without a fraction: a body with such a number is re-written with the integer
/// (`None` when it has none, the common case), so what the spec calls an integer is one here.
fn integral_numbers_as_integers(text: &str) -> Option<String> {
    fn fix(value: &mut serde_json::Value) -> bool {
        match value {
            serde_json::Value::Number(n) if n.is_f64() => {
                let f = n.as_f64().unwrap_or(f64::NAN);
                // Within 2^53, where a float holds every integer exactly.
                if f.fract() == 0.0 && f.abs() < 9_007_199_254_740_992.0 {
                    *value = serde_json::Value::from(f as i64);
                    return true;
                }
                false
            }
            serde_json::Value::Array(items) => items.iter_mut().fold(false, |changed, v| fix(v) | changed),
            serde_json::Value::Object(map) => map.values_mut().fold(false, |changed, v| fix(v) | changed),
            _ => false,
        }
    }
    // Cheap test first: no '.', 'e' or 'E' outside strings is the usual body.
    if !text.bytes().any(|b| matches!(b, b'.' | b'e' | b'E')) {
        return None;
    }
    let mut value: serde_json::Value = serde_json::from_str(text).ok()?;
    fix(&mut value).then(|| value.to_string())
}

/// serde lets a struct arrive as a JSON array of its fields in declaration order (so
/// `"surcharges": []` silently meant "all defaults"). Clients must name fields: an array where
/// the parsed value has an object is a 422 naming it.
fn refuse_positional_objects<T: Serialize>(text: &str, value: &T) -> Result<(), ApiError> {
    let (Ok(sent), Ok(understood)) = (serde_json::from_str(text), serde_json::to_value(value)) else {
        return Ok(());
    };
    match positional_object(&sent, &understood, String::new()) {
        None => Ok(()),
        Some(pointer) => Err(ApiError::field(pointer, "must be a JSON object with named fields, not an array")),
    }
}

/// The pointer of the first place where `sent` has an array and `understood` an object.
fn positional_object(sent: &serde_json::Value, understood: &serde_json::Value, pointer: String) -> Option<String> {
    use serde_json::Value;
    match (sent, understood) {
        (Value::Array(_), Value::Object(_)) => Some(pointer),
        (Value::Array(sent), Value::Array(understood)) => sent
            .iter()
            .zip(understood)
            .enumerate()
            .find_map(|(i, (s, u))| positional_object(s, u, format!("{pointer}/{i}"))),
        (Value::Object(sent), Value::Object(understood)) => sent.iter().find_map(|(key, s)| {
            let u = understood.get(key)?;
            positional_object(s, u, format!("{pointer}/{}", key.replace('~', "~0").replace('/', "~1")))
        }),
        _ => None,
    }
}

/// serde's messages end with "at line 1 column 42"; the pointer says where far better.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}

/// Converts serde_path_to_error's path into an RFC 6901 JSON pointer.
fn json_pointer(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut pointer = String::new();
    for segment in path.iter() {
        pointer.push('/');
        match segment {
            Segment::Seq { index } => pointer.push_str(&index.to_string()),
            Segment::Map { key } => pointer.push_str(&key.replace('~', "~0").replace('/', "~1")),
            Segment::Enum { variant } => pointer.push_str(variant),
            Segment::Unknown => pointer.push('?'),
        }
    }
    if pointer == "/?" {
        pointer.clear();
    }
    pointer
}

/// A JSON response with the given status.
pub fn json<T: Serialize>(status: StatusCode, body: &T) -> Result<Response<Body>, ApiError> {
    let text = serde_json::to_string(body).map_err(|e| ApiError::internal(format!("serialising response: {e}")))?;
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::Text(text))
        .map_err(|e| ApiError::internal(format!("building response: {e}")))
}

/// Adds a header to a built response; values we put here are always valid header text, but a
/// bad one becomes an internal error rather than a panic.
pub fn with_header(
    mut response: Response<Body>,
    name: header::HeaderName,
    value: &str,
) -> Result<Response<Body>, ApiError> {
    let value = HeaderValue::from_str(value).map_err(|e| ApiError::internal(format!("header {name}: {e}")))?;
    response.headers_mut().insert(name, value);
    Ok(response)
}

/// A strong ETag for a version number of a resource.
pub fn version_etag(version: u64) -> String {
    format!("\"{version}\"")
}

/// A strong ETag derived from content bytes (SHA-256, base64url, truncated).
pub fn content_etag(bytes: &[u8]) -> String {
    use base64::Engine;
    use sha2::Digest;
    let digest = sha2::Sha256::digest(bytes);
    format!("\"{}\"", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&digest[..16]))
}

/// Whether an `If-None-Match` / `If-Match` header value names `etag` (weak comparison for
/// If-None-Match, as RFC 9110 asks; `*` matches anything).
fn header_names_etag(value: &str, etag: &str) -> bool {
    let bare = etag.trim_start_matches("W/");
    value.split(',').map(str::trim).any(|candidate| candidate == "*" || candidate.trim_start_matches("W/") == bare)
}

/// True when the client's cached copy (If-None-Match) is current: answer 304.
pub fn not_modified(req: &Request, etag: &str) -> bool {
    req.headers()
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| header_names_etag(v, etag))
}

/// Headers every response carries, success or problem, of every function:
/// `X-Content-Type-Options: nosniff` (a browser never guesses another type than the one
/// declared). The router applies it to each response; nothing else sets it.
pub fn add_common_headers(response: &mut Response<Body>) {
    response.headers_mut().insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
}

/// `Cache-Control` of every confidential body (proposals, their history, quotes, `/v1/me`): no
/// cache may keep it, a browser's disk cache included (`private, no-cache` lets it keep the
/// body and only revalidate). Conditional requests (ETag, If-None-Match) still work.
pub const CONFIDENTIAL: &str = "no-store";

/// A response tagged with the hash of its exact bytes (ETag) and `cache_control`; for a GET or
/// HEAD whose client copy (If-None-Match) is current, the 304 instead. For content that is
/// served as stored, so equal bytes always mean an equal tag.
pub fn content_tagged(
    req: &Request,
    status: StatusCode,
    content_type: &str,
    body: String,
    cache_control: &str,
) -> Result<Response<Body>, ApiError> {
    let etag = content_etag(body.as_bytes());
    if matches!(*req.method(), http::Method::GET | http::Method::HEAD) && not_modified(req, &etag) {
        return not_modified_response(&etag, Some(cache_control));
    }
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, content_type)
        .header(header::ETAG, &etag)
        .header(header::CACHE_CONTROL, cache_control)
        .body(Body::Text(body))
        .map_err(|e| ApiError::internal(format!("building response: {e}")))
}

/// The 304 response for a current cached copy.
pub fn not_modified_response(etag: &str, cache_control: Option<&str>) -> Result<Response<Body>, ApiError> {
    let mut builder = Response::builder().status(StatusCode::NOT_MODIFIED).header(header::ETAG, etag);
    if let Some(cc) = cache_control {
        builder = builder.header(header::CACHE_CONTROL, cc);
    }
    builder.body(Body::Empty).map_err(|e| ApiError::internal(format!("building 304: {e}")))
}

/// The `If-Match` precondition a write requires: 428 when absent.
pub fn required_if_match(req: &Request) -> Result<String, ApiError> {
    let value = req
        .headers()
        .get(header::IF_MATCH)
        .ok_or_else(|| ApiError::PreconditionRequired("send If-Match with the ETag you last read".into()))?;
    value
        .to_str()
        .map(|s| s.trim().to_owned())
        .map_err(|_| ApiError::BadRequest("If-Match is not valid header text".into()))
}

/// Checks an `If-Match` value against the current ETag: 412 when stale.
pub fn check_if_match(if_match: &str, current_etag: &str) -> Result<(), ApiError> {
    if if_match.split(',').map(str::trim).any(|c| c == "*" || c == current_etag) {
        Ok(())
    } else {
        Err(ApiError::PreconditionFailed(format!("the resource changed; its current ETag is {current_etag}")))
    }
}

/// Whether the client prefers `mime` over JSON (simple Accept negotiation; q-values ignored
/// except q=0).
pub fn accepts(req: &Request, mime: &str) -> bool {
    req.headers().get_all(header::ACCEPT).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(',')).any(
        |part| {
            let mut pieces = part.split(';').map(str::trim);
            let media = pieces.next().unwrap_or("");
            let refused = pieces.any(|p| p.replace(' ', "") == "q=0");
            media.eq_ignore_ascii_case(mime) && !refused
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize, Serialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Body1 {
        lines: Vec<Line>,
    }
    #[derive(Debug, Deserialize, Serialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Line {
        volume: u32,
    }

    #[test]
    fn objects_sent_as_arrays_are_refused() {
        let err = parse_json_str::<Body1>(r#"{"lines":[{"volume":1},[2]]}"#).unwrap_err();
        let ApiError::Validation(errors) = err else { panic!("validation expected") };
        assert_eq!(errors[0].pointer, "/lines/1");
        let err = parse_json_str::<Body1>(r#"[[{"volume":1}]]"#).unwrap_err();
        let ApiError::Validation(errors) = err else { panic!("validation expected") };
        assert_eq!(errors[0].pointer, "");
        assert!(parse_json_str::<Body1>(r#"{"lines":[{"volume":1}]}"#).is_ok());
    }

    #[test]
    fn proposal_writes_take_the_tighter_body_limit() {
        let sized = |path: &str, bytes: usize| {
            let body = format!("{{\"lines\":[],\"pad\":\"{}\"}}", "x".repeat(bytes));
            let req = http::Request::builder().uri(path).body(Body::Text(body)).unwrap();
            parse_json::<Body1>(&req).unwrap_err()
        };
        for path in ["/v1/proposals", "/v1/proposals/01JDQ7Z3K8M4V6W9X2Y5A7B3C1/transitions"] {
            let err = sized(path, PROPOSAL_BODY_BYTES);
            assert!(matches!(err, ApiError::PayloadTooLarge { limit } if limit == PROPOSAL_BODY_BYTES), "{path}");
            // Just under the limit the body is read (and refused for its shape, not its size).
            assert_eq!(sized(path, PROPOSAL_BODY_BYTES - 100).status(), 422, "{path}");
        }
        assert_eq!(sized("/v1/quotes", PROPOSAL_BODY_BYTES).status(), 422, "quotes keep the general limit");
        assert!(
            matches!(sized("/v1/quotes", MAX_BODY_BYTES), ApiError::PayloadTooLarge { limit } if limit == MAX_BODY_BYTES)
        );
    }

    #[test]
    fn wrong_shapes_name_the_field() {
        let err = parse_json_str::<Body1>(r#"{"lines":[{"volume":1},{"volume":"x"}]}"#).unwrap_err();
        let ApiError::Validation(errors) = err else { panic!("validation expected") };
        assert_eq!(errors[0].pointer, "/lines/1/volume");
        let err = parse_json_str::<Body1>(r#"{"lines":[],"extra":1}"#).unwrap_err();
        assert_eq!(err.status(), 422);
    }

    #[test]
    fn malformed_json_is_bad_request() {
        for text in ["{", "{\"lines\": [}", "[] []", "{\"lines\":[]} x"] {
            assert_eq!(parse_json_str::<Body1>(text).unwrap_err().status(), 400, "{text}");
        }
        let deep = "[".repeat(10_000);
        assert_eq!(parse_json_str::<Body1>(&deep).unwrap_err().status(), 400);
    }

    #[test]
    fn integral_floats_are_integers_and_nothing_else_changes() {
        #[derive(serde::Deserialize, serde::Serialize)]
        struct Line {
            volume: u64,
            tariff: String,
        }
        let line: Line = parse_json_str(r#"{"volume": 6418.0, "tariff": "1.50"}"#).unwrap();
        assert_eq!((line.volume, line.tariff.as_str()), (6418, "1.50"));
        assert!(parse_json_str::<Line>(r#"{"volume": 6418.5, "tariff": "1.50"}"#).is_err());
        assert_eq!(integral_numbers_as_integers(r#"{"volume": 1, "tariff": "1.50"}"#), None);
    }

    #[test]
    fn etag_comparison() {
        assert!(header_names_etag("\"3\"", "\"3\""));
        assert!(header_names_etag("W/\"3\", \"4\"", "\"3\""));
        assert!(header_names_etag("*", "\"3\""));
        assert!(!header_names_etag("\"2\"", "\"3\""));
        assert!(check_if_match("\"2\"", "\"3\"").is_err());
    }
}
