//! `GET /v1/proposals/{id}/history`: the audit trail of a proposal, every change and version.

use domain::proposal::{history_seen_by, HistoryEntry, Proposal};
use edge::http::json;
use edge::routing::{ApiRequest, HandlerResult};
use http::{header, StatusCode};
use serde::Serialize;
use storage::proposals as store;
use utoipa::ToSchema;

use crate::access::{caller, load_visible, CACHE_CONTROL};

/// Everything that happened to a proposal.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProposalHistory {
    /// One entry per change the caller may see, oldest first (the insurer: from the first
    /// submission on, without the IGO's unsent edits).
    pub entries: Vec<HistoryEntry>,
    /// The full content of each of those versions, oldest first.
    pub versions: Vec<Proposal>,
}

/// The history entries and versions of a proposal the caller may see: the IGO all of them;
/// the insurer those from the first submission on, without the IGO's unsent edits. The other
/// party's actor subjects are left out (organisation and role are shown).
#[utoipa::path(
    get,
    path = "/v1/proposals/{id}/history",
    operation_id = "getProposalHistory",
    tag = "proposals",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The proposal's id")),
    responses(
        (status = 200, description = "History entries and versions, oldest first", body = ProposalHistory),
        (status = 403, description = "The caller is neither an IGO nor an insurer", body = edge::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such proposal of yours", body = edge::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn proposal_history(r: ApiRequest) -> HandlerResult {
    let claims = caller(&r)?;
    let proposal = load_visible(&r.ctx, claims, r.param("id")).await?;
    let (entries, versions) = store::history(&r.ctx, &proposal.id).await?;
    let (entries, versions) = history_seen_by(claims.role, entries, versions);
    let response = json(StatusCode::OK, &ProposalHistory { entries, versions })?;
    edge::http::with_header(response, header::CACHE_CONTROL, CACHE_CONTROL)
}
