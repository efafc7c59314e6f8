//! The publisher's edition writes, served by their own Lambda function (`themes-publisher`) so
//! that only it holds write access to the table; the public `router()` never names them.

use domain::identity::Role;
use domain::themes::EditionStatus;
use domain::themes::{change_summary, EditionDocument};
use edge::http::{json, parse_json, with_header};
use edge::routing::{Access, ApiRequest, HandlerResult, Route, Router};
use edge::ApiError;
use http::{header, Method, StatusCode};
use storage::themes::{self as store, StoredEdition};

use crate::editions::{edition_param, EditionSummary, EditionView};

/// The publisher's routes (function `themes-publisher`, write access, role publisher); it
/// knows the public function's methods on the paths they share, for a true `Allow`.
pub fn publisher_router() -> Router {
    publisher_routes().sharing_paths_with(&crate::public_routes())
}

pub(crate) fn publisher_routes() -> Router {
    Router::new(
        "themes-publisher",
        vec![
            Route::new(Method::PUT, "/v1/themes/editions/{edition}", Access::Authenticated, |r| {
                Box::pin(put_edition(r))
            }),
            Route::new(Method::POST, "/v1/themes/editions/{edition}/publish", Access::Authenticated, |r| {
                Box::pin(publish_edition(r))
            }),
        ],
    )
}

/// Writes a draft edition (validated). A published edition is immutable: 409.
#[utoipa::path(
    put,
    path = "/v1/themes/editions/{edition}",
    operation_id = "putThemeEdition",
    tag = "themes",
    security(("bearer" = [])),
    params(("edition" = String, Path, description = "The edition id; must equal the body's `edition`", example = "2024-01")),
    request_body(content = EditionDocument, description = "The whole edition document; its `edition` must equal the path's.", example = domain::themes::example_edition),
    responses(
        (status = 200, description = "The draft was replaced", body = EditionView),
        (status = 201, description = "The draft was created", body = EditionView),
        (status = 403, description = "Not a publisher", body = edge::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The edition is published and immutable, or the body's `edition` is not the path's", body = edge::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid edition (pointer names the field). Besides the schema, rules across fields: the 7 themes once each, in the table's order; each zorgkantoor listed once; cells and tariff rules name listed zorgkantoren, one cell per zorgkantoor and theme; a tariff rule's source names an existing cell and point (1-based)", body = edge::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn put_edition(r: ApiRequest) -> HandlerResult {
    r.caller()?.require_role(&[Role::Publisher])?;
    let id = edition_param(&r)?;
    let doc: EditionDocument = parse_json(&r.req)?;
    // A malformed body edition is a 422 like any invalid field; a well-formed other one 409.
    edge::error::check_id(domain::ids::IdKind::Edition, "/edition", &doc.edition)?;
    if doc.edition != id {
        // A representation inconsistent with its target resource: 409 (RFC 9110 9.3.4).
        return Err(ApiError::Conflict(format!("/edition must equal the edition in the path ({id})")));
    }
    doc.validate()?;
    let base = match store::latest_published(&r.ctx).await? {
        Some(e) if e.edition != id => Some(e.document()?),
        _ => None,
    };
    let summary = change_summary(base.as_ref(), &doc);
    let now = chrono::Utc::now();
    let stored = StoredEdition::new(&doc, summary, EditionStatus::Draft, now, None)?;
    let created = store::put_draft(&r.ctx, stored).await?;
    let stored = store::get_edition(&r.ctx, &id).await?.ok_or_else(|| ApiError::internal("draft vanished"))?;
    let latest = store::latest_published_id(&r.ctx).await?;
    let view = EditionView { summary: EditionSummary::of(&stored, latest.as_deref()), document: stored.document()? };
    let response = json(if created { StatusCode::CREATED } else { StatusCode::OK }, &view)?;
    with_header(response, header::LOCATION, &format!("/v1/themes/editions/{id}"))
}

/// Publishes a draft edition: it becomes the latest published and immutable.
#[utoipa::path(
    post,
    path = "/v1/themes/editions/{edition}/publish",
    operation_id = "publishThemeEdition",
    tag = "themes",
    security(("bearer" = [])),
    params(("edition" = String, Path, description = "The draft edition id", example = "2024-01")),
    responses(
        (status = 200, description = "Published", body = EditionView),
        (status = 403, description = "Not a publisher", body = edge::Problem, content_type = "application/problem+json"),
        (status = 404, description = "Unknown edition", body = edge::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already published", body = edge::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Malformed edition id", body = edge::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn publish_edition(r: ApiRequest) -> HandlerResult {
    r.caller()?.require_role(&[Role::Publisher])?;
    let id = edition_param(&r)?;
    let stored = store::publish(&r.ctx, &id, chrono::Utc::now()).await?;
    let view = EditionView { summary: EditionSummary::of(&stored, Some(id.as_str())), document: stored.document()? };
    json(StatusCode::OK, &view)
}
