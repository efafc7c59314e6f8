//! The zorgkantoor themes resource group: public reads (`/v1/zorgkantoren`, `/v1/themes...`) and
//! the Wlz tariff comparison in function `themes`, read-only; the publisher's edition writes in
//! their own function with write access (`publisher`). Here: the public routes and the spec.

use domain::themes::EditionStatus;
use domain::themes::{change_summary, seed_edition};
use edge::routing::{Access, Route, Router};
use edge::{ApiError, AppContext};
use http::Method;
use storage::themes::{self as store, StoredEdition};

pub mod cacheable;
pub mod csv;
pub mod diff;
pub mod editions;
pub mod matrix;
pub mod publisher;
pub mod wlz_quotes;
pub mod zorgkantoren;

/// At the crate root too, for the local gateway, which serves both functions' routes.
pub use publisher::publisher_router;

/// The public routes (function `themes`, read-only table access); it knows the publisher's
/// methods on the paths they share, for a true `Allow`.
pub fn router() -> Router {
    public_routes().sharing_paths_with(&publisher::publisher_routes())
}

fn public_routes() -> Router {
    Router::new(
        "themes",
        vec![
            Route::new(Method::GET, "/v1/zorgkantoren", Access::Public, |r| {
                Box::pin(zorgkantoren::list_zorgkantoren(r))
            }),
            Route::new(Method::GET, "/v1/zorgkantoren/{id}", Access::Public, |r| {
                Box::pin(zorgkantoren::get_zorgkantoor(r))
            }),
            Route::new(Method::GET, "/v1/zorgkantoren/{id}/themes", Access::Public, |r| {
                Box::pin(matrix::get_zorgkantoor_themes(r))
            }),
            Route::new(Method::GET, "/v1/themes", Access::Public, |r| Box::pin(matrix::get_themes(r))),
            Route::new(Method::GET, "/v1/themes/diff", Access::Public, |r| Box::pin(diff::get_themes_diff(r))),
            Route::new(Method::GET, "/v1/themes/editions", Access::Public, |r| Box::pin(editions::list_editions(r))),
            Route::new(Method::GET, "/v1/themes/editions/{edition}", Access::Public, |r| {
                Box::pin(editions::get_edition(r))
            }),
            Route::new(Method::POST, "/v1/wlz-tariff-quotes", Access::Public, |r| {
                Box::pin(wlz_quotes::create_wlz_tariff_quote(r))
            }),
        ],
    )
}

/// Seeds the committed seed edition as a published edition unless it is there already;
/// called by `make run`'s set-up and by the tests. Idempotent.
pub async fn seed(ctx: &AppContext) -> Result<(), ApiError> {
    let doc = seed_edition();
    doc.validate()?;
    // Published "as of" the data's date, so the seed's bytes (and ETags) are the same everywhere.
    let published_at =
        doc.as_of.and_hms_opt(0, 0, 0).map(|t| t.and_utc()).ok_or_else(|| ApiError::internal("as_of"))?;
    let stored = StoredEdition::new(
        &doc,
        change_summary(None, &doc),
        EditionStatus::Published,
        published_at,
        Some(published_at),
    )?;
    store::insert_published_if_absent(ctx, stored).await?;
    Ok(())
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        zorgkantoren::list_zorgkantoren,
        zorgkantoren::get_zorgkantoor,
        matrix::get_zorgkantoor_themes,
        matrix::get_themes,
        diff::get_themes_diff,
        editions::list_editions,
        editions::get_edition,
        wlz_quotes::create_wlz_tariff_quote,
        publisher::put_edition,
        publisher::publish_edition
    ),
    // Referenced by the reads' `format` parameter, which (a query parameter) does not register it.
    components(schemas(csv::ExportFormat)),
    tags((name = "themes", description = "The zorgkantoren's Wlz contracting themes 2024-2026: the published table, its tariff rules, editions and a tariff comparison."))
)]
pub struct ApiDoc;
