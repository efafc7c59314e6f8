//! Handlers of the proposals resource group (`/v1/proposals...`). Thin: parse and authorise,
//! call the domain (`shared::domain::proposal`), store through `shared::storage::proposals`,
//! and map the result to HTTP (ETags, If-Match, Idempotency-Key replay).

mod access;
mod idempotency;
mod write;

use http::{header, Method, StatusCode};
use serde::Serialize;
use shared::auth::Role;
use shared::domain::codes::{AgbCode, UzoviCode};
use shared::domain::proposal::{
    Actor, HistoryEntry, NewProposal, Proposal, ProposalContent, ProposalSummary, Status, TransitionRequest, YEARS,
};
use shared::http::{json, not_modified, not_modified_response, parse_json, required_if_match, version_etag, Query};
use shared::routing::{Access, ApiRequest, HandlerResult, Route, Router};
use shared::storage::proposals::{self as store, ListFilter, ListSide};
use shared::storage::quotes;
use shared::ApiError;
use utoipa::ToSchema;

use access::{caller, load_visible, CACHE_CONTROL};
use idempotency::{Answer, Idempotency};
use write::{write, Target};

/// The routes this function serves.
pub fn router() -> Router {
    Router::new(
        "proposals",
        vec![
            Route::new(Method::POST, "/v1/proposals", Access::Authenticated, |r| Box::pin(create_proposal(r))),
            Route::new(Method::GET, "/v1/proposals", Access::Authenticated, |r| Box::pin(list_proposals(r))),
            Route::new(Method::GET, "/v1/proposals/{id}", Access::Authenticated, |r| Box::pin(get_proposal(r))),
            Route::new(Method::PUT, "/v1/proposals/{id}", Access::Authenticated, |r| Box::pin(replace_proposal(r))),
            Route::new(Method::POST, "/v1/proposals/{id}/transitions", Access::Authenticated, |r| {
                Box::pin(transition_proposal(r))
            }),
            Route::new(Method::GET, "/v1/proposals/{id}/history", Access::Authenticated, |r| {
                Box::pin(proposal_history(r))
            }),
        ],
    )
}

/// Default and largest page size of the listing.
const DEFAULT_LIMIT: usize = 20;
const MAX_LIMIT: usize = 100;
/// Creates a proposal (IGO): a draft, or submitted at once with `"submit": true`.
#[utoipa::path(
    post,
    path = "/v1/proposals",
    operation_id = "createProposal",
    tag = "proposals",
    security(("bearer" = [])),
    params(
        ("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe: the same key with the same body replays the first answer; with another body it is a 422. Kept 24 hours."),
    ),
    request_body(content = NewProposal, description = "The proposal; `igo.agb` may be left out (the token's org is used) and must otherwise equal it.", example = json!({
        "igo": {"agb": "12345678", "name": "IGO Geboortezorg Regio Zuid"},
        "insurer": {"uzovi": "3311", "name": "Zilveren Kruis"},
        "period": {"year": 2026},
        "policy_route": "integrale_bekostiging",
        "lines": [
            {"prestatie": "geboortezorg_prenataal", "volume": 1200, "tariff": "1234.50"},
            {"prestatie": "geboortezorg_nataal", "volume": 1150, "tariff": "1650.00"},
            {"prestatie": "geboortezorg_postnataal", "volume": 1150, "tariff": "480.25"},
            {"prestatie": "kraamzorg_postnataal_per_uur", "volume": 55000, "tariff": "61.25"}
        ],
        "distribution_key": {"providers": [
            {"agb": "03000001", "name": "Verloskundigenpraktijk De Wieg", "kind": "verloskundigenpraktijk", "share": "35"},
            {"agb": "06000002", "name": "Ziekenhuis Zuid", "kind": "ziekenhuis", "share": "25"},
            {"agb": "06000003", "name": "MSB Gynaecologie Zuid", "kind": "msb-gynaecologie", "share": "15.5"},
            {"agb": "33000004", "name": "Kraamzorg Thuis", "kind": "kraamzorg", "share": "24.5"}
        ]},
        "care_shifts": [
            {"kind": "planned", "prestatie": "geboortezorg_nataal", "from": "ziekenhuis", "to": "verloskundigenpraktijk", "share": "5"}
        ],
        "attention_points": {
            "client_scope": "new_clients_only",
            "bundle_breakers": "Parallelle declaraties van mono-disciplinaire zorg worden uitgesloten.",
            "expensive_medicines": "Buiten de integrale tarieven, apart gedeclareerd.",
            "case_mix": "Geen differentiatie naar case-mix binnen de integrale bekostiging."
        },
        "submit": false
    })),
    responses(
        (status = 201, description = "Created; Location and ETag name it", body = Proposal,
            headers(("Location" = String, description = "The new proposal's URL"), ("ETag" = String, description = "Its version"))),
        (status = 400, description = "Malformed JSON", body = shared::Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing or invalid token", body = shared::Problem, content_type = "application/problem+json"),
        (status = 403, description = "The caller is not an IGO", body = shared::Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body over 256 KiB", body = shared::Problem, content_type = "application/problem+json"),
        (status = 415, description = "Body is not JSON", body = shared::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid proposal (the errors name the fields), a `from_quote` that is not one of your organisation's quotes or gives no valid lines (named `/from_quote`), or an Idempotency-Key reused with another body", body = shared::Problem, content_type = "application/problem+json"),
        (status = 503, description = "The store is unavailable; retry", body = shared::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn create_proposal(r: ApiRequest) -> HandlerResult {
    let claims = caller(&r)?;
    let igo = claims.require_igo()?;
    let new: NewProposal = parse_json(&r.req)?;
    let idempotency = Idempotency::of(&r, claims)?;
    // Only the caller's own quotes are looked up, so another organisation's is simply absent.
    let quote = match &new.from_quote {
        Some(id) => quotes::get_quote(&r.ctx, claims.org_code(), id).await?,
        None => None,
    };
    let make = || {
        let id = ulid::Ulid::new().to_string();
        Ok(Proposal::create(id, igo, new.clone(), quote.as_ref(), Actor::of(claims), chrono::Utc::now())?)
    };
    write(&r.ctx, claims, idempotency, Target::New(Box::new(make))).await
}

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
        (status = 401, description = "Missing or invalid token", body = shared::Problem, content_type = "application/problem+json"),
        (status = 403, description = "The caller is neither an IGO nor an insurer", body = shared::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid query parameter", body = shared::Problem, content_type = "application/problem+json"),
        (status = 503, description = "The store is unavailable; retry", body = shared::Problem, content_type = "application/problem+json"),
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
    shared::http::with_header(response, header::CACHE_CONTROL, CACHE_CONTROL)
}

/// Reads one proposal.
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
        (status = 401, description = "Missing or invalid token", body = shared::Problem, content_type = "application/problem+json"),
        (status = 403, description = "The caller is neither an IGO nor an insurer", body = shared::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such proposal of yours", body = shared::Problem, content_type = "application/problem+json"),
        (status = 503, description = "The store is unavailable; retry", body = shared::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_proposal(r: ApiRequest) -> HandlerResult {
    let claims = caller(&r)?;
    let proposal = load_visible(&r.ctx, claims, r.param("id")).await?;
    let etag = version_etag(proposal.version);
    if not_modified(&r.req, &etag) {
        return not_modified_response(&etag, Some(CACHE_CONTROL));
    }
    Answer::of(&proposal, StatusCode::OK)?.into_response()
}

/// Replaces the editable content (IGO; draft or countered).
#[utoipa::path(
    put,
    path = "/v1/proposals/{id}",
    operation_id = "replaceProposal",
    tag = "proposals",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "The proposal's id"),
        ("If-Match" = String, Header, description = "The ETag you last read (required)"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe (see createProposal)"),
    ),
    request_body(content = ProposalContent, example = json!({
        "period": {"start": "2026-01-01", "end": "2026-12-31"},
        "policy_route": "integrale_bekostiging",
        "lines": [
            {"prestatie": "geboortezorg_prenataal", "volume": 1250, "tariff": "1210.00"},
            {"prestatie": "kraamzorg_postnataal_per_uur", "volume": 56000, "tariff": "60.75"}
        ],
        "distribution_key": {"providers": [
            {"agb": "03000001", "name": "Verloskundigenpraktijk De Wieg", "kind": "verloskundigenpraktijk", "shares": [
                {"prestatie": "geboortezorg_prenataal", "share": "80"},
                {"prestatie": "kraamzorg_postnataal_per_uur", "share": "0"}]},
            {"agb": "33000004", "name": "Kraamzorg Thuis", "kind": "kraamzorg", "shares": [
                {"prestatie": "geboortezorg_prenataal", "share": "20"},
                {"prestatie": "kraamzorg_postnataal_per_uur", "share": "100"}]}
        ]},
        "attention_points": {"client_scope": "all_clients"}
    })),
    responses(
        (status = 200, description = "The new version", body = Proposal, headers(("ETag" = String, description = "Its version"))),
        (status = 400, description = "Malformed JSON", body = shared::Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing or invalid token", body = shared::Problem, content_type = "application/problem+json"),
        (status = 403, description = "The caller is not an IGO", body = shared::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such proposal of yours", body = shared::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The proposal is not a draft or countered", body = shared::Problem, content_type = "application/problem+json"),
        (status = 412, description = "If-Match is stale: the proposal changed", body = shared::Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body over 256 KiB", body = shared::Problem, content_type = "application/problem+json"),
        (status = 415, description = "Body is not JSON", body = shared::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid content (the errors name the fields)", body = shared::Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match is missing", body = shared::Problem, content_type = "application/problem+json"),
        (status = 503, description = "The store is unavailable; retry", body = shared::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn replace_proposal(r: ApiRequest) -> HandlerResult {
    let claims = caller(&r)?;
    claims.require_igo()?;
    let if_match = required_if_match(&r.req)?;
    let content: ProposalContent = parse_json(&r.req)?;
    let idempotency = Idempotency::of(&r, claims)?;
    let apply = |current: &Proposal| Ok(current.replace(content.clone(), Actor::of(claims), chrono::Utc::now())?);
    write(&r.ctx, claims, idempotency, Target::Existing { id: r.param("id"), if_match, apply: Box::new(apply) }).await
}

/// Moves a proposal through its lifecycle.
#[utoipa::path(
    post,
    path = "/v1/proposals/{id}/transitions",
    operation_id = "transitionProposal",
    tag = "proposals",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "The proposal's id"),
        ("If-Match" = String, Header, description = "The ETag you last read (required)"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe (see createProposal)"),
    ),
    request_body(content = TransitionRequest, description = "IGO: submit, withdraw. Insurer: start_review, accept, reject (reason required), counter (counter_lines required).", examples(
        ("counter" = (summary = "Insurer: counter a proposal under review with its own lines", value = json!({
            "action": "counter",
            "reason": "Het tarief prenataal ligt boven ons inkoopbeleid.",
            "counter_lines": [
                {"prestatie": "geboortezorg_prenataal", "volume": 1200, "tariff": "1180.00"},
                {"prestatie": "kraamzorg_postnataal_per_uur", "volume": 55000, "tariff": "60.00"}
            ]
        }))),
        ("submit" = (summary = "IGO: submit a draft, or a countered proposal after revising it", value = json!({"action": "submit"}))),
        ("start_review" = (summary = "Insurer: start reviewing a submitted proposal", value = json!({"action": "start_review"}))),
        ("accept" = (summary = "Insurer: accept a proposal under review", value = json!({"action": "accept"}))),
        ("reject" = (summary = "Insurer: reject a proposal under review (reason required)", value = json!({
            "action": "reject",
            "reason": "De verdeelsleutel ontbreekt voor kraamzorg."
        }))),
        ("withdraw" = (summary = "IGO: withdraw a proposal that is not yet decided", value = json!({"action": "withdraw", "reason": "Vervangen door een nieuw voorstel."})))
    )),
    responses(
        (status = 200, description = "The new version", body = Proposal, headers(("ETag" = String, description = "Its version"))),
        (status = 400, description = "Malformed JSON", body = shared::Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing or invalid token", body = shared::Problem, content_type = "application/problem+json"),
        (status = 403, description = "The caller is neither an IGO nor an insurer", body = shared::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such proposal of yours", body = shared::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The lifecycle or the caller's role does not allow this action now", body = shared::Problem, content_type = "application/problem+json"),
        (status = 412, description = "If-Match is stale: the proposal changed", body = shared::Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body over 256 KiB", body = shared::Problem, content_type = "application/problem+json"),
        (status = 415, description = "Body is not JSON", body = shared::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid request (unknown action, missing reason or counter lines...)", body = shared::Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match is missing", body = shared::Problem, content_type = "application/problem+json"),
        (status = 503, description = "The store is unavailable; retry", body = shared::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn transition_proposal(r: ApiRequest) -> HandlerResult {
    let claims = caller(&r)?;
    let if_match = required_if_match(&r.req)?;
    let request: TransitionRequest = parse_json(&r.req)?;
    let idempotency = Idempotency::of(&r, claims)?;
    let apply = |current: &Proposal| Ok(current.apply(request.clone(), Actor::of(claims), chrono::Utc::now())?);
    write(&r.ctx, claims, idempotency, Target::Existing { id: r.param("id"), if_match, apply: Box::new(apply) }).await
}

/// Everything that happened to a proposal.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProposalHistory {
    /// One entry per change, oldest first.
    pub entries: Vec<HistoryEntry>,
    /// The full content of each version, oldest first.
    pub versions: Vec<Proposal>,
}

/// The history entries and every version of a proposal.
#[utoipa::path(
    get,
    path = "/v1/proposals/{id}/history",
    operation_id = "getProposalHistory",
    tag = "proposals",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The proposal's id")),
    responses(
        (status = 200, description = "History entries and versions, oldest first", body = ProposalHistory),
        (status = 401, description = "Missing or invalid token", body = shared::Problem, content_type = "application/problem+json"),
        (status = 403, description = "The caller is neither an IGO nor an insurer", body = shared::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such proposal of yours", body = shared::Problem, content_type = "application/problem+json"),
        (status = 503, description = "The store is unavailable; retry", body = shared::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn proposal_history(r: ApiRequest) -> HandlerResult {
    let claims = caller(&r)?;
    let proposal = load_visible(&r.ctx, claims, r.param("id")).await?;
    let (entries, versions) = store::history(&r.ctx, &proposal.id).await?;
    let response = json(StatusCode::OK, &ProposalHistory { entries, versions })?;
    shared::http::with_header(response, header::CACHE_CONTROL, CACHE_CONTROL)
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(create_proposal, list_proposals, get_proposal, replace_proposal, transition_proposal, proposal_history),
    components(schemas(Proposal, ProposalSummary, ProposalList, ProposalHistory, NewProposal, ProposalContent, TransitionRequest)),
    tags((name = "proposals", description = "Contract proposals of an IGO to an insurer: register, negotiate, list, audit."))
)]
pub struct ApiDoc;
