//! Idempotency-Key: a retried write replays its first answer rather than writing twice. This
//! module owns the key's scope, the request fingerprint, the stored answer and its replay;
//! storage only reads the record item and puts it in the write's own transaction.

use base64::Engine;
use domain::identity::Caller;
use domain::ids::IdKind;
use domain::proposal::Proposal;
use edge::http::version_etag;
use edge::routing::{ApiRequest, HandlerResult};
use edge::{ApiError, AppContext};
use http::{header, StatusCode};
use lambda_http::{Body, Response};
use sha2::Digest;
use storage::proposals::{self as store, IdempotencyRecord};

use crate::access::CACHE_CONTROL;

/// How long an idempotency record replays its answer (the API documents 24 hours).
const TTL_SECONDS: i64 = 24 * 3600;

/// A finished answer about one proposal, kept verbatim for idempotent replays. Reads answer
/// through it too, so a replayed write and a plain read carry the same headers.
pub(crate) struct Answer {
    status: StatusCode,
    body: String,
    etag: String,
    location: Option<String>,
}

impl Answer {
    pub(crate) fn of(proposal: &Proposal, status: StatusCode) -> Result<Answer, ApiError> {
        let body = serde_json::to_string(proposal).map_err(|e| ApiError::internal(format!("serialising: {e}")))?;
        Ok(Answer {
            status,
            body,
            etag: version_etag(proposal.version),
            location: (status == StatusCode::CREATED).then(|| format!("/v1/proposals/{}", proposal.id)),
        })
    }

    fn from_record(record: &IdempotencyRecord) -> Result<Answer, ApiError> {
        Ok(Answer {
            status: StatusCode::from_u16(record.status)
                .map_err(|_| ApiError::internal("stored idempotent answer has a bad status"))?,
            body: record.body.clone(),
            etag: record.etag.clone().unwrap_or_default(),
            location: record.location.clone(),
        })
    }

    pub(crate) fn into_response(self) -> HandlerResult {
        let mut builder = Response::builder()
            .status(self.status)
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::CACHE_CONTROL, CACHE_CONTROL)
            .header(header::ETAG, &self.etag);
        if let Some(location) = &self.location {
            builder = builder.header(header::LOCATION, location);
        }
        builder.body(Body::Text(self.body)).map_err(|e| ApiError::internal(format!("building response: {e}")))
    }
}

/// An `Idempotency-Key` of a write: where its record lives and what request it stands for.
pub(crate) struct Idempotency {
    pk: String,
    fingerprint: String,
}

impl Idempotency {
    /// Reads the optional header; the key is scoped to the caller's role and organisation, so
    /// two callers can never replay each other's answers.
    pub(crate) fn of(r: &ApiRequest, claims: &Caller) -> Result<Option<Idempotency>, ApiError> {
        let Some(value) = r.req.headers().get("idempotency-key") else { return Ok(None) };
        // A value that is not even a string (obs-text) is checked as the empty key: refused.
        let key = value.to_str().unwrap_or("").trim();
        edge::error::check_id(IdKind::IdempotencyKey, "/header/Idempotency-Key", key)?;
        let body: serde_json::Value = serde_json::from_slice(r.req.body().as_ref())
            .map_err(|e| ApiError::BadRequest(format!("malformed JSON: {e}")))?;
        Ok(Some(Idempotency {
            pk: store::idempotency_pk(claims.role.as_str(), claims.org_code(), key),
            fingerprint: request_fingerprint(r.req.method().as_str(), r.req.uri().path(), &body),
        }))
    }

    /// The first answer again when this key has a live record; 422 when the key was used for
    /// another request; `None` when the key is new.
    pub(crate) async fn replay(&self, ctx: &AppContext) -> Result<Option<Response<Body>>, ApiError> {
        let Some(record) = store::get_idempotency(ctx, &self.pk).await? else { return Ok(None) };
        if record.fingerprint != self.fingerprint {
            return Err(ApiError::Unprocessable(
                "this Idempotency-Key was already used with a different request; use a new key".into(),
            ));
        }
        Answer::from_record(&record)?.into_response().map(Some)
    }

    /// The record that keeps `answer` for this key, with its partition key: the write puts it
    /// in the same transaction as the change, so a change never lands without it.
    pub(crate) fn record(&self, answer: &Answer) -> (&str, IdempotencyRecord) {
        let record = IdempotencyRecord {
            fingerprint: self.fingerprint.clone(),
            status: answer.status.as_u16(),
            body: answer.body.clone(),
            etag: Some(answer.etag.clone()),
            location: answer.location.clone(),
            expires_at: chrono::Utc::now().timestamp() + TTL_SECONDS,
        };
        (&self.pk, record)
    }
}

/// Fingerprint of a write request: SHA-256 over method, path and the body's canonical JSON
/// (object keys sorted, whitespace dropped), so a re-serialised identical body still matches.
fn request_fingerprint(method: &str, path: &str, body: &serde_json::Value) -> String {
    fn canonical(value: &serde_json::Value, out: &mut String) {
        match value {
            serde_json::Value::Object(map) => {
                let mut keys: Vec<_> = map.keys().collect();
                keys.sort();
                out.push('{');
                for (i, key) in keys.into_iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(&serde_json::Value::String(key.clone()).to_string());
                    out.push(':');
                    canonical(&map[key], out);
                }
                out.push('}');
            }
            serde_json::Value::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    canonical(item, out);
                }
                out.push(']');
            }
            scalar => out.push_str(&scalar.to_string()),
        }
    }
    let mut text = format!("{method} {path}\n");
    canonical(body, &mut text);
    let digest = sha2::Sha256::digest(text.as_bytes());
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(digest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_ignore_key_order_and_whitespace() {
        let a: serde_json::Value = serde_json::from_str(r#"{"a": 1, "b": {"c": [1, "x"], "d": null}}"#).unwrap();
        let b: serde_json::Value = serde_json::from_str(r#"{"b":{"d":null,"c":[1,"x"]},"a":1}"#).unwrap();
        let c: serde_json::Value = serde_json::from_str(r#"{"b":{"d":null,"c":["x",1]},"a":1}"#).unwrap();
        assert_eq!(request_fingerprint("POST", "/v1/proposals", &a), request_fingerprint("POST", "/v1/proposals", &b));
        assert_ne!(request_fingerprint("POST", "/v1/proposals", &a), request_fingerprint("POST", "/v1/proposals", &c));
        assert_ne!(request_fingerprint("POST", "/v1/proposals", &a), request_fingerprint("PUT", "/v1/proposals", &a));
    }
}
