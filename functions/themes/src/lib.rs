//! Handlers of the zorgkantoor themes resource group (`/v1/zorgkantoren`, `/v1/themes...`,
//! `/v1/wlz-tariff-quotes`).

use shared::routing::Router;
use shared::{ApiError, AppContext};

/// The routes this function serves.
pub fn router() -> Router {
    Router::new("themes", vec![])
}

/// Seeds the committed seed edition into the table unless it is there already; called by
/// `make run`'s set-up and by the tests.
pub async fn seed(_ctx: &AppContext) -> Result<(), ApiError> {
    // The themes issue stores the seed edition here.
    Ok(())
}

#[derive(utoipa::OpenApi)]
#[openapi()]
pub struct ApiDoc;
