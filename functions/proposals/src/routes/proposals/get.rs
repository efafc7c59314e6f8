//! `GET /v1/proposals/{id}`: one proposal, with a 304 for a copy that is still current.

use domain::proposal::Proposal;
use edge::http::{not_modified, not_modified_response, version_etag};
use edge::routing::{ApiRequest, HandlerResult};
use http::StatusCode;

use crate::access::{caller, load_shown, CACHE_CONTROL};
use crate::idempotency::Answer;

/// Reads one proposal: the IGO its current state; the insurer what was sent to it (while the
/// IGO revises a countered proposal, the version it received, until the IGO submits again).
#[utoipa::path(
    get,
    path = "/v1/proposals/{id}",
    operation_id = "getProposal",
    tag = "proposals",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "The proposal's id"),
        ("If-None-Match" = Option<String>, Header, description = "The ETag you hold: 304 when it is current"),
    ),
    responses(
        (status = 200, description = "The proposal", body = Proposal, headers(("ETag" = String, description = "Its version"))),
        (status = 304, description = "Your copy is current"),
        (status = 403, description = "The caller is neither an IGO nor an insurer", body = edge::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such proposal of yours", body = edge::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_proposal(r: ApiRequest) -> HandlerResult {
    let claims = caller(&r)?;
    let proposal = load_shown(&r.ctx, claims, r.param("id")).await?;
    let etag = version_etag(proposal.version);
    if not_modified(&r.req, &etag) {
        return not_modified_response(&etag, Some(CACHE_CONTROL));
    }
    Answer::of(&proposal, StatusCode::OK)?.into_response()
}
