//! Handlers of the proposals resource group (`/v1/proposals...`). Thin: parse and authorise,
//! call the domain, map the result to HTTP.

use shared::routing::Router;

/// The routes this function serves.
pub fn router() -> Router {
    Router::new("proposals", vec![])
}

#[derive(utoipa::OpenApi)]
#[openapi()]
pub struct ApiDoc;
