//! `GET /v1/proposals/{id}/history`: the audit trail of a proposal, a page at a time, oldest
//! first; `GET /v1/proposals/{id}/versions/{version}`: one version's snapshot on its own.

use base64::Engine;
use domain::ids::IdKind;
use domain::proposal::{history_seen_by, sent_versions_needed, HistoryEntry, Proposal};
use edge::error::check_id;
use edge::http::json;
use edge::query::parse_query;
use edge::routing::{ApiRequest, HandlerResult};
use edge::{ApiError, AppContext};
use http::{header, StatusCode};
use serde::{Deserialize, Serialize};
use storage::proposals as store;
use utoipa::{IntoParams, ToSchema};

use crate::access::{caller, load_visible, CACHE_CONTROL};

/// Default and largest page size of the history, in versions.
const DEFAULT_LIMIT: u64 = 20;
const MAX_LIMIT: u64 = 50;

/// One page of what happened to a proposal.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProposalHistory {
    /// One entry per change the caller may see, oldest first (the insurer: from the first
    /// submission on, without the IGO's unsent edits).
    pub entries: Vec<HistoryEntry>,
    /// The full content of each of those versions, oldest first.
    pub versions: Vec<Proposal>,
    /// Pass as `cursor` for the next (later) page; null on the last page.
    pub next_cursor: Option<String>,
}

/// Paging of the history.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct HistoryParams {
    /// Versions per page, 1-50 (default 20). A page holds at most this many entries and
    /// snapshots; an insurer's page may hold fewer (the IGO's unsent edits are left out).
    #[param(minimum = 1, maximum = 50)]
    pub limit: Option<u64>,
    /// The `next_cursor` of the previous page
    pub cursor: Option<String>,
}

fn encode_cursor(version: u64) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("v{version}"))
}

fn decode_cursor(cursor: &str) -> Result<u64, ApiError> {
    let invalid = || ApiError::NotFoundWhy(edge::error::NOT_A_CURSOR.to_owned());
    check_id(IdKind::Cursor, "/query/cursor", cursor)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(cursor).map_err(|_| invalid())?;
    let text = String::from_utf8(bytes).map_err(|_| invalid())?;
    text.strip_prefix('v').and_then(|v| v.parse().ok()).ok_or_else(invalid)
}

/// The entries and snapshots of versions after `after` (at most `limit`) as the caller may see
/// them, and whether later versions exist.
async fn page_seen(
    ctx: &AppContext,
    claims: &domain::identity::Caller,
    id: &str,
    after: u64,
    limit: u64,
) -> Result<(Vec<HistoryEntry>, Vec<Proposal>, bool), ApiError> {
    let (entries, versions, more) = store::history_page(ctx, id, after, limit).await?;
    let mut sent = Vec::new();
    for version in sent_versions_needed(claims.role, &versions) {
        sent.extend(store::get_version(ctx, id, version).await?);
    }
    let (entries, versions) =
        history_seen_by(claims.role, entries, versions, |v| sent.iter().find(|p| p.version == v).cloned());
    Ok((entries, versions, more))
}

/// A page of the history entries and versions of a proposal the caller may see, oldest first:
/// the IGO all of them; the insurer those from the first submission on, without the IGO's
/// unsent edits. The other party's actor subjects are left out (organisation and role are
/// shown).
#[utoipa::path(
    get,
    path = "/v1/proposals/{id}/history",
    operation_id = "getProposalHistory",
    tag = "proposals",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The proposal's id"), HistoryParams),
    responses(
        (status = 200, description = "A page of history entries and versions, oldest first; `next_cursor` continues with later versions", body = ProposalHistory),
        (status = 403, description = "The caller is neither an IGO nor an insurer", body = edge::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such proposal of yours, or `cursor` is well-formed but not one this history handed out", body = edge::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn proposal_history(r: ApiRequest) -> HandlerResult {
    let claims = caller(&r)?;
    let HistoryParams { limit, cursor } = parse_query(&r.req)?;
    let limit = limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(ApiError::field("/query/limit", "must be a whole number from 1 to 50"));
    }
    let after = cursor.as_deref().map(decode_cursor).transpose()?.unwrap_or(0);
    let proposal = load_visible(&r.ctx, claims, r.param("id")).await?;
    let (entries, versions, more) = page_seen(&r.ctx, claims, &proposal.id, after, limit).await?;
    let next_cursor = more.then(|| encode_cursor(after + limit));
    let response = json(StatusCode::OK, &ProposalHistory { entries, versions, next_cursor })?;
    edge::http::with_header(response, header::CACHE_CONTROL, CACHE_CONTROL)
}

/// One version's snapshot, as the caller may see it (an insurer: versions that reached it).
#[utoipa::path(
    get,
    path = "/v1/proposals/{id}/versions/{version}",
    operation_id = "getProposalVersion",
    tag = "proposals",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "The proposal's id"),
        ("version" = u64, Path, description = "The version number (its ETag without quotes)", minimum = 1, maximum = 9_999_999_999_u64),
    ),
    responses(
        (status = 200, description = "The proposal as it was at this version", body = Proposal),
        (status = 403, description = "The caller is neither an IGO nor an insurer", body = edge::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such proposal of yours, or no such version you may see", body = edge::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn proposal_version(r: ApiRequest) -> HandlerResult {
    let claims = caller(&r)?;
    let proposal = load_visible(&r.ctx, claims, r.param("id")).await?;
    let version: u64 = match r.param("version").parse() {
        Ok(v) if v >= 1 && r.param("version").len() <= 10 => v,
        _ => return Err(ApiError::field("/path/version", "must be a whole number from 1")),
    };
    if version > proposal.version {
        return Err(ApiError::NotFound);
    }
    let (_, versions, _) = page_seen(&r.ctx, claims, &proposal.id, version - 1, 1).await?;
    let snapshot = versions.into_iter().next().ok_or(ApiError::NotFound)?;
    let response = json(StatusCode::OK, &snapshot)?;
    edge::http::with_header(response, header::CACHE_CONTROL, CACHE_CONTROL)
}
