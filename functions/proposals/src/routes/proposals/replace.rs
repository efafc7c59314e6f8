//! `PUT /v1/proposals/{id}`: an IGO replaces the editable content of a draft or countered
//! proposal; the domain decides what may change, the write engine commits it.

use domain::proposal::{Actor, Proposal, ProposalContent};
use edge::http::{parse_json, required_if_match};
use edge::routing::{ApiRequest, HandlerResult};

use crate::access::caller;
use crate::idempotency::Idempotency;
use crate::write::{write, Target};

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
            {"agb": "08000001", "name": "Verloskundigenpraktijk De Wieg", "kind": "verloskundigenpraktijk", "shares": [
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
        (status = 403, description = "The caller is not an IGO", body = edge::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such proposal of yours", body = edge::Problem, content_type = "application/problem+json"),
        (status = 409, description = "`conflict`: the proposal is not a draft or countered; or `limit-reached`: it has 250 versions, the most one proposal may have (it can still be submitted, accepted, rejected or withdrawn)", body = edge::Problem, content_type = "application/problem+json"),
        (status = 412, description = "If-Match is stale: the proposal changed", body = edge::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid content (the errors name the fields). Besides the schema, rules across fields: the period is a `year` or a `start` and an `end` (end not before start, at most 5 years); under `integrale_bekostiging` every line, care shift and attention point must exist in every year of the period (`GET /v1/prestaties`); an own prestatie code (innovation route only) needs `description` and `unit`, an NZa one refuses them; each prestatie once; distribution shares name prestaties of the lines and add up to exactly 100 (per prestatie when given per prestatie); `quote_id` is never taken from the client", body = edge::Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match is missing", body = edge::Problem, content_type = "application/problem+json"),
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
