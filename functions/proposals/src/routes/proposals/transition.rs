//! `POST /v1/proposals/{id}/transitions`: either party moves a proposal through its lifecycle;
//! the domain decides which actions the caller's role may take now.

use domain::proposal::{Actor, Proposal, TransitionRequest};
use edge::http::{parse_json, required_if_match};
use edge::routing::{ApiRequest, HandlerResult};
use edge::ApiError;

use crate::access::caller;
use crate::idempotency::Idempotency;
use crate::write::{write, Target};

/// Moves a proposal through its lifecycle.
#[utoipa::path(
    post,
    path = "/v1/proposals/{id}/transitions",
    operation_id = "transitionProposal",
    tag = "proposals",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "The proposal's id"),
        ("If-Match" = String, Header, description = "The ETag you last read (required; `*` is refused for accept and reject)"),
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
        (status = 403, description = "The caller is neither an IGO nor an insurer", body = edge::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such proposal of yours", body = edge::Problem, content_type = "application/problem+json"),
        (status = 409, description = "`conflict`: the lifecycle or the caller's role does not allow this action now; or `limit-reached`: a counter on a proposal that has 250 versions, the most one proposal may have (accept, reject and withdraw still work)", body = edge::Problem, content_type = "application/problem+json"),
        (status = 412, description = "If-Match is stale: the proposal changed", body = edge::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid request (the errors name the fields). Besides the schema, rules across fields: `reason` is required to reject; `counter_lines` are required to counter and refused with any other action; counter lines follow the proposal's route and the prestaties of every year of its period, each prestatie once", body = edge::Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match is missing, or is `*` on accept or reject (a decision is bound to the ETag of the version reviewed)", body = edge::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn transition_proposal(r: ApiRequest) -> HandlerResult {
    let claims = caller(&r)?;
    let if_match = required_if_match(&r.req)?;
    let request: TransitionRequest = parse_json(&r.req)?;
    let idempotency = Idempotency::of(&r, claims)?;
    // Checked once the proposal is found (a stranger gets its 404 first).
    let star = if_match.split(',').any(|tag| tag.trim() == "*");
    let apply = |current: &Proposal| {
        if star && request.action.is_decision() {
            return Err(ApiError::PreconditionRequired(
                "accept and reject are bound to the version you reviewed: send its ETag in If-Match, not *".into(),
            ));
        }
        Ok(current.apply(request.clone(), Actor::of(claims), chrono::Utc::now())?)
    };
    write(&r.ctx, claims, idempotency, Target::Existing { id: r.param("id"), if_match, apply: Box::new(apply) }).await
}
