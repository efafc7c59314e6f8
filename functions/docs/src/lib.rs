//! The docs resource group: the committed OpenAPI document (`/openapi.json`), the interactive
//! reference page (`/docs`), and `/v1/me`, which tells a caller what its token says.
//!
//! The served document is the committed `openapi/openapi.json`, embedded at build time; the
//! drift test proves it equals what [`spec::generate`] builds from the code.

pub mod dashboard;
pub mod lifecycle;
pub mod page;
pub mod problems;
pub mod spec;

use domain::identity::Role;
use edge::http::json;
use edge::routing::{Access, ApiRequest, Route, Router};
use http::StatusCode;
use serde::Serialize;
use utoipa::ToSchema;

/// The committed OpenAPI document.
pub const OPENAPI_JSON: &str = include_str!("../../../openapi/openapi.json");

/// The routes this function serves.
pub fn router() -> Router {
    use http::Method;
    Router::new(
        "docs",
        vec![
            Route::new(Method::GET, "/openapi.json", Access::Public, |r| Box::pin(openapi_json(r))),
            Route::new(Method::GET, "/docs", Access::Public, |r| Box::pin(docs_page(r))),
            Route::new(Method::GET, "/dashboard", Access::Public, |r| Box::pin(dashboard_page(r))),
            Route::new(Method::GET, "/docs/lifecycle.svg", Access::Public, |r| Box::pin(lifecycle_svg(r))),
            Route::new(Method::GET, "/v1/me", Access::Authenticated, |r| Box::pin(me(r))),
        ],
    )
}

/// The OpenAPI document of this API (the committed `openapi/openapi.json`).
#[utoipa::path(
    get,
    path = "/openapi.json",
    operation_id = "getOpenApiDocument",
    tag = "meta",
    responses((status = 200, description = "The OpenAPI 3.1 document", content_type = "application/json", body = Object))
)]
pub async fn openapi_json(_: ApiRequest) -> edge::routing::HandlerResult {
    lambda_http::Response::builder()
        .status(StatusCode::OK)
        .header(http::header::CONTENT_TYPE, "application/json")
        .header(http::header::CACHE_CONTROL, "public, max-age=300")
        .body(lambda_http::Body::Text(OPENAPI_JSON.to_owned()))
        .map_err(|e| edge::ApiError::internal(e.to_string()))
}

/// The interactive API reference page.
///
/// A self-contained HTML page (Redoc, inlined) that renders `/openapi.json`. It loads nothing
/// from other origins and is served with a strict Content-Security-Policy that allows only its
/// own, hashed script.
#[utoipa::path(
    get,
    path = "/docs",
    operation_id = "getDocsPage",
    tag = "meta",
    responses((status = 200, description = "The reference page (HTML) for this API", content_type = "text/html", body = String))
)]
pub async fn docs_page(_: ApiRequest) -> edge::routing::HandlerResult {
    html_page(&page::PAGE)
}

/// The comparison dashboard.
///
/// A self-contained HTML page for comparison dashboards: the zorgkantoren side by side per
/// theme, their tariff rules, the changes between two published editions highlighted, and CSV
/// downloads. It reads only this API's public themes reads, loads nothing from other origins
/// and is served with a strict Content-Security-Policy (its own script and styles, by hash).
#[utoipa::path(
    get,
    path = "/dashboard",
    operation_id = "getDashboardPage",
    tag = "meta",
    responses((status = 200, description = "The comparison dashboard (HTML)", content_type = "text/html", body = String))
)]
pub async fn dashboard_page(_: ApiRequest) -> edge::routing::HandlerResult {
    html_page(&dashboard::PAGE)
}

/// A self-contained HTML page with its own Content-Security-Policy (`/docs`, `/dashboard`).
fn html_page(page: &page::DocsPage) -> edge::routing::HandlerResult {
    lambda_http::Response::builder()
        .status(StatusCode::OK)
        .header(http::header::CONTENT_TYPE, "text/html; charset=utf-8")
        .header(http::header::CONTENT_SECURITY_POLICY, page.csp.as_str())
        .header(http::header::REFERRER_POLICY, "no-referrer")
        .header(http::header::CACHE_CONTROL, "public, max-age=300")
        .body(lambda_http::Body::Text(page.html.clone()))
        .map_err(|e| edge::ApiError::internal(e.to_string()))
}

/// The proposal lifecycle as a picture (SVG), drawn from the state machine's own transition
/// table; the guide on `/docs` shows it.
#[utoipa::path(
    get,
    path = "/docs/lifecycle.svg",
    operation_id = "getLifecyclePicture",
    tag = "meta",
    responses((status = 200, description = "The proposal lifecycle: statuses and the transitions between them, by role", content_type = "image/svg+xml", body = String))
)]
pub async fn lifecycle_svg(r: ApiRequest) -> edge::routing::HandlerResult {
    static SVG: std::sync::LazyLock<String> = std::sync::LazyLock::new(lifecycle::svg);
    edge::http::content_tagged(&r.req, StatusCode::OK, "image/svg+xml", SVG.clone(), "public, max-age=300")
}

/// The registered principal the caller's token resolved to.
#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    /// The token's subject (for Cognito client-credentials tokens: the app client id).
    pub sub: String,
    pub role: Role,
    /// AGB code (igo), UZOVI code (insurer) or organisation name (publisher).
    pub org: String,
    /// The name the principal is registered under; history entries record it.
    pub display_name: String,
    /// Insurers: whether this principal may accept or reject proposals.
    pub signatory: bool,
}

/// The caller's identity as the API sees it: the principal registry's entry for the token's
/// issuer and subject (role and organisation never come from the token itself).
#[utoipa::path(
    get,
    path = "/v1/me",
    operation_id = "getMe",
    tag = "meta",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The caller's registered principal", body = Me),
    )
)]
pub async fn me(r: ApiRequest) -> edge::routing::HandlerResult {
    let caller = r.caller()?;
    let me = Me {
        sub: caller.sub.clone(),
        role: caller.role,
        org: caller.org_code().to_owned(),
        display_name: caller.display_name.clone(),
        signatory: caller.signatory,
    };
    edge::http::with_header(json(StatusCode::OK, &me)?, http::header::CACHE_CONTROL, edge::http::CONFIDENTIAL)
}
