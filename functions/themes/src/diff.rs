//! What changed between two published editions (`/v1/themes/diff`), per zorgkantoor and theme,
//! as JSON or CSV; the matching rule that says which points are the same lives in
//! `domain::themes` (diff).

use domain::themes::{edition_diff, EditionDiff, ThemeId, ZorgkantoorId};
use edge::query::parse_query;
use edge::routing::{ApiRequest, HandlerResult};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::cacheable::{negotiated, Freshness};
use crate::csv::{diff_csv, Export, ExportFormat};
use crate::editions::pinned_edition;

/// The two editions and the filters of a diff.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DiffQuery {
    /// The older published edition.
    #[param(example = "2023-07")]
    pub from: String,
    /// The newer published edition.
    #[param(example = "2024-01")]
    pub to: String,
    /// Only these themes (repeatable, or comma-separated).
    #[param(example = json!(["bekostiging-en-tarieven"]))]
    pub theme: Option<Vec<ThemeId>>,
    /// Only these zorgkantoren (repeatable, or comma-separated).
    #[param(example = json!(["cz"]))]
    pub zorgkantoor: Option<Vec<ZorgkantoorId>>,
    /// `json` (default), `csv` (RFC 4180) or `csv-excel` (UTF-8 with BOM, `;`-separated, for
    /// Dutch Excel); overrides `Accept`. CSV comes as an attachment.
    pub format: Option<ExportFormat>,
}

/// What changed from one published edition to another: per cell the points added, removed and
/// reworded (with their texts), and per zorgkantoor the tariff rules added, removed or changed
/// (with their numbers before and after).
///
/// A point is identified within its cell by its number in `from`. The same text (whitespace and
/// case aside) is the same point, wherever it moved; of the points left, the most similar pair
/// (Dice coefficient of their word sets, at least 0.5) is one point reworded (`changed`), and so
/// on; the rest are `removed` / `added`. A tariff rule of the same kind and condition is the
/// same rule. Both editions are named, so the answer never changes (`immutable`).
#[utoipa::path(
    get,
    path = "/v1/themes/diff",
    operation_id = "getThemesDiff",
    tag = "themes",
    params(DiffQuery),
    responses(
        (status = 200, description = "The differences (empty lists: none); `?format=csv` / `csv-excel` or `Accept: text/csv` give one row per point change and per tariff-rule number (from, to, zorgkantoor, theme, subject, change, from_point, to_point, field, before, after, kind) as an attachment",
            content((EditionDiff = "application/json"), (String = "text/csv", example = json!("from,to,zorgkantoor,theme,subject,change,from_point,to_point,field,before,after,kind\r\n2023-07,2024-01,cz,bekostiging-en-tarieven,tariff_rule,changed,1,1,percentage,95.5,96,guide_percentage\r\n"))),
            headers(("ETag" = String, description = "Content tag"), ("Cache-Control" = String, description = "`public, max-age=31536000, immutable`"), ("Vary" = String, description = "`Accept` unless `format` is given"), ("Content-Disposition" = String, description = "CSV only: `attachment; filename=...` naming the editions and filters"))),
        (status = 304, description = "The client's copy (If-None-Match) is current"),
        (status = 404, description = "`from` or `to` names no published edition", body = edge::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Missing or malformed edition, unknown theme, zorgkantoor, format or query parameter", body = edge::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_themes_diff(r: ApiRequest) -> HandlerResult {
    let q: DiffQuery = parse_query(&r.req)?;
    let from = pinned_edition(&r.ctx, &q.from, "/query/from").await?;
    let to = pinned_edition(&r.ctx, &q.to, "/query/to").await?;
    let themes = q.theme.unwrap_or_default();
    let zorgkantoren = q.zorgkantoor.unwrap_or_default();
    let diff = edition_diff(&from, &to, &themes, &zorgkantoren);
    let join = |parts: Vec<&'static str>| parts.join("_");
    let zk_part = join(zorgkantoren.iter().map(|z| z.as_str()).collect());
    let theme_part = join(themes.iter().map(|t| t.as_str()).collect());
    let export = Export::negotiate(&r, q.format, &["themes-diff", &q.from, &q.to, &zk_part, &theme_part]);
    negotiated(&r, &export, Freshness::Pinned, &diff, |variant| diff_csv(variant, &diff))
}
