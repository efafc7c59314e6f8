//! How every public read answers: content-tagged (ETag, 304), cacheable by what its URL pins,
//! and, where JSON and CSV share a URL, varying on `Accept`. One policy for all reads.
//!
//! - A URL that names its published edition(s) (`?edition=`, the diff's `from` and `to`) can
//!   never answer anything else: a published edition is immutable (writing one is a 409), so
//!   such answers are cached for a year and marked `immutable` (no revalidation on reload).
//! - A URL without one follows "latest", which moves when an edition is published: a short
//!   shared cache, then revalidation by ETag (a 304 costs no body).

use edge::http::{content_tagged, with_header};
use edge::routing::{ApiRequest, HandlerResult};
use edge::ApiError;
use http::{header, StatusCode};
use serde::Serialize;

use crate::csv::{CsvVariant, Export};

/// `Cache-Control` of an answer pinned to published editions.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// `Cache-Control` of an answer that follows the latest edition (or lists editions, drafts
/// included): a minute in any cache, then revalidation.
pub const LATEST: &str = "public, max-age=60, must-revalidate";

/// Whether the URL pins what it answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Freshness {
    /// Names published editions only: the answer never changes.
    Pinned,
    /// Follows the latest published edition, or drafts.
    Latest,
}

impl Freshness {
    /// Pinned when the read named its edition.
    pub fn of(edition: Option<&str>) -> Self {
        if edition.is_some() {
            Freshness::Pinned
        } else {
            Freshness::Latest
        }
    }

    fn cache_control(self) -> &'static str {
        match self {
            Freshness::Pinned => IMMUTABLE,
            Freshness::Latest => LATEST,
        }
    }
}

/// A cacheable response: ETag over the exact body, 304 when the client's copy is current.
/// `vary_accept`: the representation was chosen by the `Accept` header (no `?format=`), so
/// caches must key on it; said on the 304 too, as RFC 9110 asks.
pub(crate) fn cacheable(
    r: &ApiRequest,
    content_type: &str,
    body: String,
    freshness: Freshness,
    vary_accept: bool,
) -> HandlerResult {
    let response = content_tagged(&r.req, StatusCode::OK, content_type, body, freshness.cache_control())?;
    if vary_accept {
        with_header(response, header::VARY, "Accept")
    } else {
        Ok(response)
    }
}

fn to_json<T: Serialize>(body: &T) -> Result<String, ApiError> {
    serde_json::to_string(body).map_err(|e| ApiError::internal(format!("serialising: {e}")))
}

/// A read with JSON and CSV representations: `export` says which was asked for (by
/// `?format=` or by `Accept`); CSV comes as an attachment named by `export`'s filename.
pub(crate) fn negotiated<T: Serialize>(
    r: &ApiRequest,
    export: &Export,
    freshness: Freshness,
    json: &T,
    csv: impl FnOnce(CsvVariant) -> Result<String, ApiError>,
) -> HandlerResult {
    let vary_accept = !export.explicit;
    match export.variant {
        None => cacheable(r, "application/json", to_json(json)?, freshness, vary_accept),
        Some(variant) => {
            let response = cacheable(r, variant.content_type(), csv(variant)?, freshness, vary_accept)?;
            if response.status() == StatusCode::NOT_MODIFIED {
                return Ok(response);
            }
            with_header(response, header::CONTENT_DISPOSITION, &export.content_disposition(variant))
        }
    }
}
