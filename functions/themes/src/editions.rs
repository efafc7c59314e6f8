//! The editions resource (`/v1/themes/editions...`), and which published edition a public read
//! gets; the publisher's writes answer with the same views.

use std::sync::Arc;

use domain::ids::IdKind;
use domain::themes::EditionStatus;
use domain::themes::{ChangeSummary, EditionDocument};
use edge::error::check_id;
use edge::query::parse_query;
use edge::routing::{ApiRequest, HandlerResult};
use edge::{ApiError, AppContext};
use serde::{Deserialize, Serialize};
use storage::themes::{self as store, StoredEdition};
use utoipa::{IntoParams, ToSchema};

use crate::cacheable::{negotiated, Freshness};
use crate::csv::{cells_csv, editions_csv, Export, ExportFormat};
use crate::matrix::ordered_cells;

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

/// Query parameters of a read of one edition: which edition, and as what.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct EditionQuery {
    /// A published edition (default: the latest published). Naming it makes the answer
    /// cacheable for good (`immutable`).
    #[param(example = "2023-07")]
    pub edition: Option<String>,
    /// `json` (default), `csv` (RFC 4180) or `csv-excel` (UTF-8 with BOM, `;`-separated, for
    /// Dutch Excel); overrides `Accept`. CSV comes as an attachment.
    pub format: Option<ExportFormat>,
}

/// The query of the editions resource: only the representation.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct FormatQuery {
    /// `json` (default), `csv` (RFC 4180) or `csv-excel` (UTF-8 with BOM, `;`-separated, for
    /// Dutch Excel); overrides `Accept`. CSV comes as an attachment.
    pub format: Option<ExportFormat>,
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

/// A published edition a read names (`pointer` says where): a malformed id is a 422 there, a
/// well-formed id that names no published edition (unknown, or a draft) a 404, like any
/// unknown resource.
pub(crate) async fn pinned_edition(
    ctx: &AppContext,
    id: &str,
    pointer: &str,
) -> Result<Arc<EditionDocument>, ApiError> {
    check_id(IdKind::Edition, pointer, id)?;
    ctx.editions.get_or_load(ctx, id).await?.ok_or(ApiError::NotFound)
}

/// Every edition with its status, publication time and change summary.
#[utoipa::path(
    get,
    path = "/v1/themes/editions",
    operation_id = "listThemeEditions",
    tag = "themes",
    params(FormatQuery),
    responses(
        (status = 200, description = "The editions; `?format=csv` / `csv-excel` or `Accept: text/csv` give one row per edition (edition, title, status, published_at, updated_at, latest, against, cells_added, cells_removed, cells_changed, tariff_rules_changed; the cell columns count cells) as an attachment",
            content((EditionList = "application/json"), (String = "text/csv", example = json!("edition,title,status,published_at,updated_at,latest,against,cells_added,cells_removed,cells_changed,tariff_rules_changed\r\n2023-07,Tabel thema's in contractering langdurige zorg 2024 - 2026,published,2023-07-01T00:00:00Z,2023-07-01T00:00:00Z,true,,48,0,0,true\r\n"))),
            headers(("ETag" = String, description = "Content tag"), ("Cache-Control" = String, description = "`public, max-age=60, must-revalidate`: the listing and `latest` change on publication"), ("Vary" = String, description = "`Accept` unless `format` is given"), ("Content-Disposition" = String, description = "CSV only: `attachment; filename=...`"))),
        (status = 304, description = "The client's copy (If-None-Match) is current"),
        (status = 422, description = "Unknown query parameter", body = edge::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_editions(r: ApiRequest) -> HandlerResult {
    let q: FormatQuery = parse_query(&r.req)?;
    let latest = store::latest_published_id(&r.ctx).await?;
    let editions = store::list_editions(&r.ctx).await?;
    let editions = editions.iter().map(|e| EditionSummary::of(e, latest.as_deref())).collect();
    let list = EditionList { latest_published: latest, editions };
    let export = Export::negotiate(&r, q.format, &["theme-editions"]);
    negotiated(&r, &export, Freshness::Latest, &list, |variant| editions_csv(variant, &list.editions))
}

/// One edition (draft or published) with its document and what changed against the edition
/// it was based on.
#[utoipa::path(
    get,
    path = "/v1/themes/editions/{edition}",
    operation_id = "getThemeEdition",
    tag = "themes",
    params(("edition" = String, Path, description = "The edition id", example = "2023-07"), FormatQuery),
    responses(
        (status = 200, description = "The edition; `?format=csv` / `csv-excel` or `Accept: text/csv` give its cells, one row per point (edition, zorgkantoor, theme, point, text), as an attachment",
            content((EditionView = "application/json"), (String = "text/csv", example = json!("edition,zorgkantoor,theme,point,text\r\n2023-07,zilveren-kruis,algemeen,1,Vier inkoopdoelen:\r\n"))),
            headers(("ETag" = String, description = "Content tag"), ("Cache-Control" = String, description = "`public, max-age=60, must-revalidate`: the listing and `latest` change on publication"), ("Vary" = String, description = "`Accept` unless `format` is given"), ("Content-Disposition" = String, description = "CSV only: `attachment; filename=...`"))),
        (status = 304, description = "The client's copy (If-None-Match) is current"),
        (status = 404, description = "Unknown edition", body = edge::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Malformed edition id or unknown query parameter", body = edge::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_edition(r: ApiRequest) -> HandlerResult {
    let id = edition_param(&r)?;
    let q: FormatQuery = parse_query(&r.req)?;
    let stored = store::get_edition(&r.ctx, &id).await?.ok_or(ApiError::NotFound)?;
    let latest = store::latest_published_id(&r.ctx).await?;
    let view = EditionView { summary: EditionSummary::of(&stored, latest.as_deref()), document: stored.document()? };
    let export = Export::negotiate(&r, q.format, &["themes", &id]);
    // Not pinned even when published: the view says whether the edition is the latest (and a
    // draft may be rewritten).
    negotiated(&r, &export, Freshness::Latest, &view, |variant| {
        let doc = &view.document;
        cells_csv(variant, &doc.edition, &ordered_cells(doc, &[], &[]))
    })
}
