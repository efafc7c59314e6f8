//! `GET /v1/events`: one page of the caller's organisation's event feed, oldest first, with the
//! public events (published themes editions) merged in. Thin events: the caller fetches what
//! changed with its own token.

use domain::event::{Event, EventOrganisation, EventType};
use domain::identity::Role;
use domain::ids::IdKind;
use edge::http::json;
use edge::query::parse_query;
use edge::routing::{ApiRequest, HandlerResult};
use edge::ApiError;
use http::{header, StatusCode};
use serde::{Deserialize, Serialize};
use storage::events::{self as store, FeedRequest};
use utoipa::{IntoParams, ToSchema};

use crate::access::CACHE_CONTROL;

/// Default and largest page size of the feed.
const DEFAULT_LIMIT: usize = 50;
const MAX_LIMIT: usize = 100;

/// One page of the caller's events, oldest first. Events are kept 30 days (then DynamoDB's TTL
/// removes them) and appear a few seconds after the change (the settle, so a cursor never
/// skips an event committed late).
#[derive(Debug, Serialize, ToSchema)]
pub struct EventFeed {
    pub items: Vec<Event>,
    /// Pass as `after` for the next page, and to poll for newer events; null only while the
    /// feed has shown nothing yet.
    pub next_cursor: Option<String>,
    /// More events are there now: fetch the next page at once (else poll later).
    pub has_more: bool,
}

/// Paging and filter of the feed: what the handler parses is what the spec documents.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct FeedParams {
    /// The `next_cursor` of the previous page: only events after it
    pub after: Option<String>,
    /// Page size, 1-100 (default 50)
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<usize>,
    /// Only events of these types (repeatable, or comma-separated)
    #[serde(rename = "type")]
    #[param(example = json!(["proposal.countered", "proposal.accepted"]))]
    pub types: Option<Vec<EventType>>,
}

/// Lists the caller's organisation's events: an IGO's about its own proposals, an insurer's
/// about those sent to it, and every published themes edition.
#[utoipa::path(
    get,
    path = "/v1/events",
    operation_id = "listEvents",
    tag = "events",
    security(("bearer" = [])),
    params(FeedParams),
    responses(
        (status = 200, description = "A page of events, oldest first", body = EventFeed),
        (status = 404, description = "`after` is well-formed but not a cursor of this caller's feed", body = edge::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid query parameter", body = edge::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_events(r: ApiRequest) -> HandlerResult {
    let claims = r.caller()?;
    let FeedParams { after, limit, types } = parse_query(&r.req)?;
    let limit = limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(ApiError::field("/query/limit", "must be a whole number from 1 to 100"));
    }
    if let Some(after) = &after {
        edge::error::check_id(IdKind::Cursor, "/query/after", after)?;
    }
    let mut types = types.unwrap_or_default();
    types.sort();
    types.dedup();
    // A publisher has no feed of its own: it sees the public events.
    let reader = match claims.role {
        Role::Igo | Role::Insurer => Some(EventOrganisation { role: claims.role, org: claims.org_code().to_owned() }),
        Role::Publisher => None,
    };
    let request = FeedRequest {
        reader: reader.as_ref(),
        types: &types,
        after: after.as_deref(),
        limit,
        now: chrono::Utc::now(),
        settle: r.ctx.event_settle,
    };
    let page = store::feed(&r.ctx, &request).await?;
    let feed = EventFeed { items: page.items, next_cursor: page.next_cursor, has_more: page.has_more };
    let response = json(StatusCode::OK, &feed)?;
    edge::http::with_header(response, header::CACHE_CONTROL, CACHE_CONTROL)
}
