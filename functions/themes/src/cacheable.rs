//! How every public read answers: content-tagged (ETag, 304) and briefly cacheable, one policy
//! for all of them so JSON and CSV copies revalidate alike.

use edge::http::{content_tagged, with_header};
use edge::routing::{ApiRequest, HandlerResult};
use edge::ApiError;
use http::{header, StatusCode};
use serde::Serialize;

/// Public reads change only when an edition is published or a draft rewritten: a short
/// shared cache plus ETag revalidation.
const CACHE_CONTROL: &str = "public, max-age=60, must-revalidate";

/// A cacheable response: ETag over the exact body, 304 when the client's copy is current; JSON
/// and CSV share URLs, so caches must key on Accept.
pub(crate) fn cacheable(r: &ApiRequest, content_type: &str, body: String) -> HandlerResult {
    let response = content_tagged(&r.req, StatusCode::OK, content_type, body, CACHE_CONTROL)?;
    if response.status() == StatusCode::NOT_MODIFIED {
        return Ok(response);
    }
    with_header(response, header::VARY, "Accept")
}

pub(crate) fn cacheable_json<T: Serialize>(r: &ApiRequest, body: &T) -> HandlerResult {
    let text = serde_json::to_string(body).map_err(|e| ApiError::internal(format!("serialising: {e}")))?;
    cacheable(r, "application/json", text)
}
