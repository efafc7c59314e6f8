//! Handlers of the integral tariff quotes resource group (`/v1/quotes...`).

use shared::routing::Router;

/// The routes this function serves.
pub fn router() -> Router {
    Router::new("quotes", vec![])
}

#[derive(utoipa::OpenApi)]
#[openapi()]
pub struct ApiDoc;
