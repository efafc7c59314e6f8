//! The themes matrix of a published edition (`/v1/themes`) and one zorgkantoor's column of it
//! (`/v1/zorgkantoren/{id}/themes`), as JSON or, for spreadsheets, CSV.

use domain::themes::{Cell, EditionDocument, Theme, ThemeId, Zorgkantoor, ZorgkantoorId};
use edge::query::parse_query;
use edge::routing::{ApiRequest, HandlerResult};
use edge::ApiError;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::cacheable::{negotiated, Freshness};
use crate::csv::{cells_csv, Export, ExportFormat};
use crate::editions::{published_edition, EditionQuery};
use crate::zorgkantoren::zorgkantoor_param;

/// The matrix (or a filtered part of it) of an edition.
#[derive(Debug, Serialize, ToSchema)]
pub struct ThemesMatrix {
    pub edition: String,
    pub title: String,
    pub period: domain::themes::Period,
    pub as_of: chrono::NaiveDate,
    pub themes: Vec<Theme>,
    pub zorgkantoren: Vec<Zorgkantoor>,
    /// Cells in theme order, then column order.
    pub cells: Vec<Cell>,
}

/// Filters of the matrix.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ThemesQuery {
    /// Only these themes (repeatable, or comma-separated).
    #[param(example = json!(["bekostiging-en-tarieven", "technologie"]))]
    pub theme: Option<Vec<ThemeId>>,
    /// Only these zorgkantoren (repeatable, or comma-separated).
    #[param(example = json!(["cz", "zilveren-kruis"]))]
    pub zorgkantoor: Option<Vec<ZorgkantoorId>>,
    /// A published edition (default: the latest published). Naming it makes the answer
    /// cacheable for good (`immutable`).
    #[param(example = "2023-07")]
    pub edition: Option<String>,
    /// `json` (default), `csv` (RFC 4180) or `csv-excel` (UTF-8 with BOM, `;`-separated, for
    /// Dutch Excel); overrides `Accept`. CSV comes as an attachment.
    pub format: Option<ExportFormat>,
}

/// Cells in theme order, then column order, keeping only the chosen themes and zorgkantoren.
pub(crate) fn ordered_cells(doc: &EditionDocument, themes: &[ThemeId], zorgkantoren: &[ZorgkantoorId]) -> Vec<Cell> {
    let mut cells = Vec::new();
    for theme in ThemeId::ALL {
        if !themes.is_empty() && !themes.contains(&theme) {
            continue;
        }
        for z in &doc.zorgkantoren {
            if !zorgkantoren.is_empty() && !zorgkantoren.contains(&z.id) {
                continue;
            }
            if let Some(cell) = doc.cell(z.id, theme) {
                cells.push(cell.clone());
            }
        }
    }
    cells
}

/// The matrix as JSON, or as CSV when the client asks for it (`export`).
fn matrix_response(
    r: &ApiRequest,
    doc: &EditionDocument,
    export: &Export,
    freshness: Freshness,
    view: (Vec<Theme>, Vec<Cell>, Vec<Zorgkantoor>),
) -> HandlerResult {
    let (themes, cells, zorgkantoren) = view;
    let matrix = ThemesMatrix {
        edition: doc.edition.clone(),
        title: doc.title.clone(),
        period: doc.period,
        as_of: doc.as_of,
        themes,
        zorgkantoren,
        cells,
    };
    negotiated(r, export, freshness, &matrix, |variant| cells_csv(variant, &doc.edition, &matrix.cells))
}

/// The slugs of a filter, comma-joined, for a filename.
fn filter_part<T>(values: &[T], slug: impl Fn(&T) -> &'static str) -> String {
    values.iter().map(slug).collect::<Vec<_>>().join("_")
}

/// One column of the table: a zorgkantoor's cells on every theme.
#[utoipa::path(
    get,
    path = "/v1/zorgkantoren/{id}/themes",
    operation_id = "getZorgkantoorThemes",
    tag = "themes",
    params(("id" = ZorgkantoorId, Path, description = "The zorgkantoor's slug", example = "zorg-en-zekerheid"), EditionQuery),
    responses(
        (status = 200, description = "The column; `?format=csv` / `csv-excel` or `Accept: text/csv` give one row per point (edition, zorgkantoor, theme, point, text) as an attachment",
            content((ThemesMatrix = "application/json"), (String = "text/csv", example = json!("edition,zorgkantoor,theme,point,text\r\n2023-07,zorg-en-zekerheid,algemeen,1,Essentieel is samenwerking in de hele keten en over de zorgdomeinen heen.\r\n"))),
            headers(("ETag" = String, description = "Content tag"), ("Cache-Control" = String, description = "`public, max-age=31536000, immutable` when `edition` is named, else `public, max-age=60, must-revalidate`"), ("Vary" = String, description = "`Accept` unless `format` is given"), ("Content-Disposition" = String, description = "CSV only: `attachment; filename=...` naming edition and filters"))),
        (status = 304, description = "The client's copy (If-None-Match) is current"),
        (status = 404, description = "Unknown zorgkantoor, or no published edition `edition`", body = edge::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown query parameter or malformed edition", body = edge::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_zorgkantoor_themes(r: ApiRequest) -> HandlerResult {
    let id = zorgkantoor_param(&r)?;
    let q: EditionQuery = parse_query(&r.req)?;
    let doc = published_edition(&r.ctx, q.edition.as_deref(), "/query/edition").await?;
    let z = doc.zorgkantoor(id).cloned().ok_or(ApiError::NotFound)?;
    let cells = ordered_cells(&doc, &[], &[id]);
    let export = Export::negotiate(&r, q.format, &["themes", &doc.edition, id.as_str()]);
    let freshness = Freshness::of(q.edition.as_deref());
    matrix_response(&r, &doc, &export, freshness, (doc.themes.clone(), cells, vec![z]))
}

/// The themes matrix of the latest published edition, filtered by theme and zorgkantoor.
#[utoipa::path(
    get,
    path = "/v1/themes",
    operation_id = "getThemes",
    tag = "themes",
    params(ThemesQuery),
    responses(
        (status = 200, description = "The matrix; `?format=csv` / `csv-excel` or `Accept: text/csv` give one row per point (edition, zorgkantoor, theme, point, text) as an attachment",
            content((ThemesMatrix = "application/json"), (String = "text/csv", example = json!("edition,zorgkantoor,theme,point,text\r\n2023-07,cz,bekostiging-en-tarieven,3,\"Opslag voor gebruik van bewezen effectieve arbeidsbesparende technologie: +0,1%\"\r\n"))),
            headers(("ETag" = String, description = "Content tag"), ("Cache-Control" = String, description = "`public, max-age=31536000, immutable` when `edition` is named, else `public, max-age=60, must-revalidate`"), ("Vary" = String, description = "`Accept` unless `format` is given"), ("Content-Disposition" = String, description = "CSV only: `attachment; filename=...` naming edition and filters"))),
        (status = 304, description = "The client's copy (If-None-Match) is current"),
        (status = 404, description = "Nothing is published yet, or no published edition `edition`", body = edge::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown theme, zorgkantoor or query parameter, or malformed edition", body = edge::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_themes(r: ApiRequest) -> HandlerResult {
    let q: ThemesQuery = parse_query(&r.req)?;
    let themes = q.theme.unwrap_or_default();
    let zorgkantoren = q.zorgkantoor.unwrap_or_default();
    let doc = published_edition(&r.ctx, q.edition.as_deref(), "/query/edition").await?;
    let cells = ordered_cells(&doc, &themes, &zorgkantoren);
    let columns =
        doc.zorgkantoren.iter().filter(|z| zorgkantoren.is_empty() || zorgkantoren.contains(&z.id)).cloned().collect();
    let rows = doc.themes.iter().filter(|t| themes.is_empty() || themes.contains(&t.id)).cloned().collect();
    let (theme_part, zk_part) = (filter_part(&themes, |t| t.as_str()), filter_part(&zorgkantoren, |z| z.as_str()));
    let export = Export::negotiate(&r, q.format, &["themes", &doc.edition, &zk_part, &theme_part]);
    let freshness = Freshness::of(q.edition.as_deref());
    matrix_response(&r, &doc, &export, freshness, (rows, cells, columns))
}
