//! The editions resource (`/v1/themes/editions...`), and which published edition a public read
//! gets; the publisher's writes answer with the same views.

use std::sync::Arc;

use domain::ids::IdKind;
use domain::themes::EditionStatus;
use domain::themes::{ChangeSummary, EditionDocument};
use edge::error::check_id;
use edge::query::{parse_query, NoParams};
use edge::routing::{ApiRequest, HandlerResult};
use edge::{ApiError, AppContext};
use serde::{Deserialize, Serialize};
use storage::themes::{self as store, StoredEdition};
use utoipa::{IntoParams, ToSchema};

use crate::cacheable::cacheable_json;

/// An edition's metadata and its change summary.
#[derive(Debug, Serialize, ToSchema)]
pub struct EditionSummary {
    pub edition: String,
    pub title: String,
    pub status: EditionStatus,
    pub published_at: Option<chrono::DateTime<chrono::Utc>>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
    /// Whether this is the latest published edition (the one reads default to).
    pub latest: bool,
    pub changes: ChangeSummary,
}

impl EditionSummary {
    pub(crate) fn of(e: &StoredEdition, latest: Option<&str>) -> Self {
        EditionSummary {
            edition: e.edition.clone(),
            title: e.title.clone(),
            status: e.status,
            published_at: e.published_at,
            updated_at: e.updated_at,
            latest: latest == Some(e.edition.as_str()),
            changes: e.summary.clone(),
        }
    }
}

/// The editions, oldest id first.
#[derive(Debug, Serialize, ToSchema)]
pub struct EditionList {
    pub latest_published: Option<String>,
    pub editions: Vec<EditionSummary>,
}

/// One edition: its metadata, change summary and full document.
#[derive(Debug, Serialize, ToSchema)]
pub struct EditionView {
    #[serde(flatten)]
    pub summary: EditionSummary,
    pub document: EditionDocument,
}

/// Query parameter picking an edition.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct EditionQuery {
    /// A published edition (default: the latest published).
    #[param(example = "2023-07")]
    pub edition: Option<String>,
}

/// The `{edition}` path parameter, refused (422 at `/path/edition`) unless a valid edition id.
pub(crate) fn edition_param(r: &ApiRequest) -> Result<String, ApiError> {
    Ok(r.id_param("edition", IdKind::Edition)?.to_owned())
}

/// The published edition a read asks for (`requested`: 422 at `pointer` when malformed, 404
/// when well-formed but not a published edition), else the latest. Drafts are only readable through
/// `/v1/themes/editions/{edition}`.
pub(crate) async fn published_edition(
    ctx: &AppContext,
    requested: Option<&str>,
    pointer: &str,
) -> Result<Arc<EditionDocument>, ApiError> {
    let id = match requested {
        Some(id) => {
            check_id(IdKind::Edition, pointer, id)?;
            id.to_owned()
        }
        None => store::latest_published_id(ctx).await?.ok_or(ApiError::NotFound)?,
    };
    match ctx.editions.get_or_load(ctx, &id).await? {
        Some(doc) => Ok(doc),
        None if requested.is_some() => Err(ApiError::NotFoundWhy(format!("{pointer}: no published edition {id:?}"))),
        None => Err(ApiError::NotFound),
    }
}

/// Every edition with its status, publication time and change summary.
#[utoipa::path(
    get,
    path = "/v1/themes/editions",
    operation_id = "listThemeEditions",
    tag = "themes",
    responses(
        (status = 200, description = "The editions", body = EditionList,
            headers(("ETag" = String, description = "Content tag"), ("Cache-Control" = String))),
        (status = 304, description = "The client's copy (If-None-Match) is current"),
        (status = 422, description = "Unknown query parameter", body = edge::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_editions(r: ApiRequest) -> HandlerResult {
    parse_query::<NoParams>(&r.req)?;
    let latest = store::latest_published_id(&r.ctx).await?;
    let editions = store::list_editions(&r.ctx).await?;
    let editions = editions.iter().map(|e| EditionSummary::of(e, latest.as_deref())).collect();
    cacheable_json(&r, &EditionList { latest_published: latest, editions })
}

/// One edition (draft or published) with its document and what changed against the edition
/// it was based on.
#[utoipa::path(
    get,
    path = "/v1/themes/editions/{edition}",
    operation_id = "getThemeEdition",
    tag = "themes",
    params(("edition" = String, Path, description = "The edition id", example = "2023-07")),
    responses(
        (status = 200, description = "The edition", body = EditionView,
            headers(("ETag" = String, description = "Content tag"), ("Cache-Control" = String))),
        (status = 304, description = "The client's copy (If-None-Match) is current"),
        (status = 404, description = "Unknown edition", body = edge::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Malformed edition id or unknown query parameter", body = edge::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_edition(r: ApiRequest) -> HandlerResult {
    let id = edition_param(&r)?;
    parse_query::<NoParams>(&r.req)?;
    let stored = store::get_edition(&r.ctx, &id).await?.ok_or(ApiError::NotFound)?;
    let latest = store::latest_published_id(&r.ctx).await?;
    let view = EditionView { summary: EditionSummary::of(&stored, latest.as_deref()), document: stored.document()? };
    cacheable_json(&r, &view)
}
