//! `GET /v1/proposals`: one page of the caller's side of the proposals. Filters are checked
//! strictly (an unknown or misplaced one is a 422) so a typo never passes for an unfiltered page.

use domain::codes::{AgbCode, UzoviCode};
use domain::identity::Role;
use domain::ids::IdKind;
use domain::proposal::{ProposalSummary, Status, YEARS};
use edge::http::json;
use edge::query::parse_query;
use edge::routing::{ApiRequest, HandlerResult};
use edge::ApiError;
use http::{header, StatusCode};
use serde::{Deserialize, Serialize};
use storage::proposals::{self as store, ListFilter, ListSide};
use utoipa::{IntoParams, ToSchema};

use crate::access::{caller, CACHE_CONTROL};

/// Default and largest page size of the listing.
const DEFAULT_LIMIT: usize = 20;
const MAX_LIMIT: usize = 100;

/// One page of the caller's proposals, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProposalList {
    pub items: Vec<ProposalSummary>,
    /// Pass as `cursor` for the next page; null on the last page.
    pub next_cursor: Option<String>,
}

/// Filters and paging of the listing: what the handler parses is what the spec documents.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListParams {
    /// Only proposals in this status
    pub status: Option<Status>,
    /// Only proposals for this contract year (2000-2100)
    #[param(minimum = 2000, maximum = 2100)]
    pub year: Option<i32>,
    /// Insurers: only proposals of this IGO (AGB code). An IGO may name only itself (another
    /// IGO is a 403)
    pub igo: Option<AgbCode>,
    /// IGOs: only proposals to this insurer (UZOVI code). An insurer may name only itself
    /// (another insurer is a 403)
    pub insurer: Option<UzoviCode>,
    /// Page size, 1-100 (default 20)
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<usize>,
    /// The `next_cursor` of the previous page
    pub cursor: Option<String>,
    /// Catch-up: only proposals changed after this time (RFC 3339), oldest change first, as
    /// the caller is shown them; combines with no other filter. Pair with `GET /v1/events`
    #[param(value_type = Option<String>, format = DateTime, example = "2026-03-01T10:00:00Z")]
    pub updated_since: Option<chrono::DateTime<chrono::Utc>>,
}

/// Lists the caller's proposals: an IGO its own, an insurer those submitted to it.
#[utoipa::path(
    get,
    path = "/v1/proposals",
    operation_id = "listProposals",
    tag = "proposals",
    security(("bearer" = [])),
    params(ListParams),
    responses(
        (status = 200, description = "A page of proposals, newest first (with `updated_since`: oldest change first)", body = ProposalList),
        (status = 403, description = "The caller is neither an IGO nor an insurer, or filters by another organisation on its own side", body = edge::Problem, content_type = "application/problem+json"),
        (status = 404, description = "`cursor` is well-formed but not one this listing handed out", body = edge::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid query parameter", body = edge::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_proposals(r: ApiRequest) -> HandlerResult {
    let claims = caller(&r)?;
    let query: ListParams = parse_query(&r.req)?;
    let ListParams { status, year, igo, insurer, limit, cursor, updated_since } = query;
    if year.is_some_and(|y| !YEARS.contains(&y)) {
        return Err(ApiError::field("/query/year", "must be a year from 2000 to 2100"));
    }
    let limit = limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(ApiError::field("/query/limit", "must be a whole number from 1 to 100"));
    }
    // Each side filters by the other. Its own side's filter may only name itself (a no-op): a
    // list of another organisation's proposals is not the caller's to see (403).
    let own = claims.org_code();
    let (side, counterparty) = match claims.role {
        Role::Igo if igo.as_ref().is_some_and(|a| a.to_string() != own) => {
            return Err(ApiError::Forbidden("an IGO lists only its own proposals; filter by insurer".into()))
        }
        Role::Igo => (ListSide::Igo(own.to_owned()), insurer.map(|u| u.to_string())),
        _ if insurer.as_ref().is_some_and(|u| u.to_string() != own) => {
            return Err(ApiError::Forbidden("an insurer lists only its own proposals; filter by igo".into()))
        }
        _ => (ListSide::Insurer(own.to_owned()), igo.map(|a| a.to_string())),
    };
    if let Some(cursor) = &cursor {
        edge::error::check_id(IdKind::Cursor, "/query/cursor", cursor)?;
    }
    let filter = ListFilter { status, year, counterparty };
    let page = match updated_since {
        // One catch-up partition per side: ordered by change, not by the list filters.
        Some(_) if filter != ListFilter::default() => {
            return Err(ApiError::field(
                "/query/updated_since",
                "combines with no other filter (status, year, igo, insurer)",
            ))
        }
        Some(since) => store::list_updated(&r.ctx, &side, since, limit, cursor.as_deref()).await?,
        None => store::list(&r.ctx, &side, &filter, limit, cursor.as_deref()).await?,
    };
    let response = json(StatusCode::OK, &ProposalList { items: page.items, next_cursor: page.next_cursor })?;
    edge::http::with_header(response, header::CACHE_CONTROL, CACHE_CONTROL)
}
