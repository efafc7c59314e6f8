//! The proposals Lambda function's routes and their OpenAPI document. Handlers live in
//! `routes/`, one file per operation; writes share one engine (`write`) and one Idempotency-Key
//! implementation (`idempotency`), so every write races and replays alike.

mod access;
mod idempotency;
mod routes;
mod write;

use domain::proposal::{NewProposal, Proposal, ProposalContent, ProposalSummary, TransitionRequest};
use edge::routing::{Access, Route, Router};
use http::Method;

use domain::event::{Event, EventOrganisation, EventResource, EventType, ResourceKind};
use routes::events::list::EventFeed;
use routes::proposals::history::ProposalHistory;
use routes::proposals::list::ProposalList;
use routes::proposals::{create, get, history, list, replace, transition};

/// The routes this function serves.
pub fn router() -> Router {
    Router::new(
        "proposals",
        vec![
            Route::new(Method::POST, "/v1/proposals", Access::Authenticated, |r| Box::pin(create::create_proposal(r))),
            Route::new(Method::GET, "/v1/proposals", Access::Authenticated, |r| Box::pin(list::list_proposals(r))),
            Route::new(Method::GET, "/v1/proposals/{id}", Access::Authenticated, |r| Box::pin(get::get_proposal(r))),
            Route::new(Method::PUT, "/v1/proposals/{id}", Access::Authenticated, |r| {
                Box::pin(replace::replace_proposal(r))
            }),
            Route::new(Method::POST, "/v1/proposals/{id}/transitions", Access::Authenticated, |r| {
                Box::pin(transition::transition_proposal(r))
            }),
            Route::new(Method::GET, "/v1/proposals/{id}/history", Access::Authenticated, |r| {
                Box::pin(history::proposal_history(r))
            }),
            Route::new(Method::GET, "/v1/proposals/{id}/versions/{version}", Access::Authenticated, |r| {
                Box::pin(history::proposal_version(r))
            }),
            Route::new(Method::GET, "/v1/events", Access::Authenticated, |r| {
                Box::pin(routes::events::list::list_events(r))
            }),
        ],
    )
}

/// The proposals part of the API's OpenAPI document (the docs crate merges every function's).
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        create::create_proposal,
        list::list_proposals,
        get::get_proposal,
        replace::replace_proposal,
        transition::transition_proposal,
        history::proposal_history,
        history::proposal_version,
        routes::events::list::list_events
    ),
    components(schemas(Proposal, ProposalSummary, ProposalList, ProposalHistory, NewProposal, ProposalContent, TransitionRequest, EventFeed, Event, EventType, EventResource, ResourceKind, EventOrganisation)),
    tags(
        (name = "proposals", description = "Contract proposals of an IGO to an insurer: register, negotiate, list, audit."),
        (name = "events", description = "What changed, as thin events (notify, then pull): every proposal change and every published themes edition, in the feed of each organisation it concerns, kept 30 days. Fetch the resource itself with your own token.")
    )
)]
pub struct ApiDoc;
