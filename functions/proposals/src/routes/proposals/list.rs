//! `GET /v1/proposals`: one page of the caller's side of the proposals. Filters are checked
//! strictly (an unknown or misplaced one is a 422) so a typo never passes for an unfiltered page.

use domain::codes::{AgbCode, UzoviCode};
use domain::identity::Role;
use domain::proposal::{ProposalSummary, Status, YEARS};
use edge::http::{json, Query};
use edge::routing::{ApiRequest, HandlerResult};
use edge::ApiError;
use http::{header, StatusCode};
use serde::Serialize;
use storage::proposals::{self as store, ListFilter, ListSide};
use utoipa::ToSchema;

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

/// Lists the caller's proposals: an IGO its own, an insurer those submitted to it.
#[utoipa::path(
    get,
    path = "/v1/proposals",
    operation_id = "listProposals",
    tag = "proposals",
    security(("bearer" = [])),
    params(
        ("status" = Option<Status>, Query, description = "Only proposals in this status"),
        ("year" = Option<i32>, Query, description = "Only proposals for this contract year (2000-2100)"),
        ("igo" = Option<String>, Query, description = "Insurers only: only proposals of this IGO (AGB code)"),
        ("insurer" = Option<String>, Query, description = "IGOs only: only proposals to this insurer (UZOVI code)"),
        ("limit" = Option<usize>, Query, description = "Page size, 1-100 (default 20)"),
        ("cursor" = Option<String>, Query, description = "The `next_cursor` of the previous page"),
    ),
    responses(
        (status = 200, description = "A page of proposals, newest first", body = ProposalList),
        (status = 403, description = "The caller is neither an IGO nor an insurer", body = edge::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid query parameter", body = edge::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_proposals(r: ApiRequest) -> HandlerResult {
    let claims = caller(&r)?;
    let query = Query::of(&r.req);
    query.only(&["status", "year", "igo", "insurer", "limit", "cursor"])?;
    let status = match query.first("status") {
        None => None,
        Some(raw) => Some(Status::parse(raw).ok_or_else(|| {
            ApiError::field(
                "/query/status",
                "must be one of draft, submitted, under_review, accepted, rejected, countered, withdrawn",
            )
        })?),
    };
    let year: Option<i32> = query.parse("year", "a year from 2000 to 2100")?;
    if year.is_some_and(|y| !YEARS.contains(&y)) {
        return Err(ApiError::field("/query/year", "must be a year from 2000 to 2100"));
    }
    let limit: usize = query.parse("limit", "a whole number from 1 to 100")?.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(ApiError::field("/query/limit", "must be a whole number from 1 to 100"));
    }
    let (side, counterparty) = match claims.role {
        Role::Igo => {
            if query.first("igo").is_some() {
                return Err(ApiError::field("/query/igo", "an IGO lists only its own proposals; filter by insurer"));
            }
            let insurer = query
                .first("insurer")
                .map(|u| UzoviCode::parse(u).map_err(|e| ApiError::field("/query/insurer", e)))
                .transpose()?;
            (ListSide::Igo(claims.org_code().to_owned()), insurer.map(|u| u.to_string()))
        }
        _ => {
            if query.first("insurer").is_some() {
                return Err(ApiError::field(
                    "/query/insurer",
                    "an insurer lists only its own proposals; filter by igo",
                ));
            }
            let igo = query
                .first("igo")
                .map(|a| AgbCode::parse(a).map_err(|e| ApiError::field("/query/igo", e)))
                .transpose()?;
            (ListSide::Insurer(claims.org_code().to_owned()), igo.map(|a| a.to_string()))
        }
    };
    let filter = ListFilter { status, year, counterparty };
    let page = store::list(&r.ctx, &side, &filter, limit, query.first("cursor")).await?;
    let response = json(StatusCode::OK, &ProposalList { items: page.items, next_cursor: page.next_cursor })?;
    edge::http::with_header(response, header::CACHE_CONTROL, CACHE_CONTROL)
}
