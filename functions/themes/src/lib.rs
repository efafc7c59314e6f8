//! Handlers of the zorgkantoor themes resource group: public reads (`/v1/zorgkantoren`,
//! `/v1/themes...`), the Wlz tariff comparison (`/v1/wlz-tariff-quotes`), and, in a separate
//! function with write access, the publisher's edition writes.

use std::sync::Arc;

use http::{header, Method, StatusCode};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use shared::domain::themes::{
    change_summary, compare_tariffs, seed_edition, Cell, ChangeSummary, EditionDocument, ProviderProfile, TariffRule,
    Theme, ThemeId, Zorgkantoor, ZorgkantoorId, ZorgkantoorQuote,
};
use shared::http::{accepts, content_tagged, json, parse_json, with_header, Query};
use shared::money::ExactDecimal;
use shared::routing::{Access, ApiRequest, HandlerResult, Route, Router};
use shared::storage::themes::{self as store, EditionStatus, StoredEdition};
use shared::{ApiError, AppContext};
use utoipa::{IntoParams, ToSchema};

pub mod editions_cache;
pub mod publisher;

/// At the crate root too, for the local gateway, which serves both functions' routes.
pub use publisher::publisher_router;

/// Public reads change only when an edition is published or a draft rewritten: a short
/// shared cache plus ETag revalidation.
const CACHE_CONTROL: &str = "public, max-age=60, must-revalidate";
const CSV: &str = "text/csv";

/// The public routes (function `themes`, read-only table access).
pub fn router() -> Router {
    Router::new(
        "themes",
        vec![
            Route::new(Method::GET, "/v1/zorgkantoren", Access::Public, |r| Box::pin(list_zorgkantoren(r))),
            Route::new(Method::GET, "/v1/zorgkantoren/{id}", Access::Public, |r| Box::pin(get_zorgkantoor(r))),
            Route::new(Method::GET, "/v1/zorgkantoren/{id}/themes", Access::Public, |r| {
                Box::pin(get_zorgkantoor_themes(r))
            }),
            Route::new(Method::GET, "/v1/themes", Access::Public, |r| Box::pin(get_themes(r))),
            Route::new(Method::GET, "/v1/themes/editions", Access::Public, |r| Box::pin(list_editions(r))),
            Route::new(Method::GET, "/v1/themes/editions/{edition}", Access::Public, |r| Box::pin(get_edition(r))),
            Route::new(Method::POST, "/v1/wlz-tariff-quotes", Access::Public, |r| Box::pin(create_wlz_tariff_quote(r))),
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

// ---------------------------------------------------------------------------------------------
// Response bodies

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

/// The zorgkantoren of an edition.
#[derive(Debug, Serialize, ToSchema)]
pub struct ZorgkantoorList {
    pub edition: String,
    pub zorgkantoren: Vec<Zorgkantoor>,
}

/// One zorgkantoor with its tariff rules.
// Its fields are spelled out rather than a flattened `Zorgkantoor`: that schema forbids
// additional properties, so the spec's `allOf` of it and the other fields rejected every answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct ZorgkantoorView {
    pub edition: String,
    pub id: ZorgkantoorId,
    pub name: String,
    pub source_document: String,
    pub tariff_rules: Vec<TariffRule>,
}

/// The matrix (or a filtered part of it) of an edition.
#[derive(Debug, Serialize, ToSchema)]
pub struct ThemesMatrix {
    pub edition: String,
    pub title: String,
    pub period: shared::domain::themes::Period,
    pub as_of: chrono::NaiveDate,
    pub themes: Vec<Theme>,
    pub zorgkantoren: Vec<Zorgkantoor>,
    /// Cells in theme order, then column order.
    pub cells: Vec<Cell>,
}

/// A request for the Wlz tariff comparison.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = wlz_tariff_quote_example)]
pub struct WlzTariffQuoteRequest {
    /// The NZa maximum tariff amount (euros, a decimal string, at most 2 decimals).
    #[schema(value_type = String, example = "250.00")]
    pub nza_max_tariff: ExactDecimal,
    #[serde(default)]
    pub profile: ProviderProfile,
    /// Only these zorgkantoren (default: all of the edition).
    #[serde(default)]
    pub zorgkantoren: Vec<ZorgkantoorId>,
    /// The edition whose rules apply (default: the latest published).
    #[serde(default)]
    pub edition: Option<String>,
}

/// A valid comparison request (the OpenAPI example): an essential facility using proven
/// labour-saving technology, compared at three zorgkantoren.
pub fn wlz_tariff_quote_example() -> serde_json::Value {
    serde_json::json!({
        "nza_max_tariff": "250.00",
        "profile": {"new_provider": false, "essential_facility": true, "proven_labour_saving_technology": true, "surcharges": ["movements_and_goals"], "previous_percentage": "96.0"},
        "zorgkantoren": ["zilveren-kruis", "cz", "dsw"]
    })
}

/// Each zorgkantoor's tariff for the profile, side by side.
#[derive(Debug, Serialize, ToSchema)]
pub struct WlzTariffQuote {
    pub edition: String,
    #[schema(value_type = String)]
    pub nza_max_tariff: Decimal,
    /// The national guide percentage, for reference.
    #[schema(value_type = String)]
    pub national_guide_percentage: Decimal,
    pub profile: ProviderProfile,
    pub quotes: Vec<ZorgkantoorQuote>,
}

// ---------------------------------------------------------------------------------------------
// Helpers

/// A cacheable response: ETag over the exact body, 304 when the client's copy is current; JSON
/// and CSV share URLs, so caches must key on Accept.
fn cacheable(r: &ApiRequest, content_type: &str, body: String) -> HandlerResult {
    let response = content_tagged(&r.req, StatusCode::OK, content_type, body, CACHE_CONTROL)?;
    if response.status() == StatusCode::NOT_MODIFIED {
        return Ok(response);
    }
    with_header(response, header::VARY, "Accept")
}

fn cacheable_json<T: Serialize>(r: &ApiRequest, body: &T) -> HandlerResult {
    let text = serde_json::to_string(body).map_err(|e| ApiError::internal(format!("serialising: {e}")))?;
    cacheable(r, "application/json", text)
}

/// The published edition a read asks for (`requested`, refused at `pointer` when it is not a
/// published edition), else the latest. Drafts are only readable through
/// `/v1/themes/editions/{edition}`.
async fn published_edition(
    ctx: &AppContext,
    requested: Option<&str>,
    pointer: &str,
) -> Result<Arc<EditionDocument>, ApiError> {
    let id = match requested {
        Some(id) => id.to_owned(),
        None => store::latest_published_id(ctx).await?.ok_or(ApiError::NotFound)?,
    };
    match editions_cache::PUBLISHED.get_or_load(ctx, &id).await? {
        Some(doc) => Ok(doc),
        None if requested.is_some() => Err(ApiError::field(pointer, format!("no published edition {id:?}"))),
        None => Err(ApiError::NotFound),
    }
}

fn zorgkantoor_param(r: &ApiRequest) -> Result<ZorgkantoorId, ApiError> {
    ZorgkantoorId::parse(r.param("id")).ok_or(ApiError::NotFound)
}

pub(crate) fn edition_param(r: &ApiRequest) -> Result<String, ApiError> {
    let id = r.param("edition");
    if shared::domain::themes::valid_edition_id(id) {
        Ok(id.to_owned())
    } else {
        Err(ApiError::field("/path/edition", "1-40 characters: lowercase letters, digits, '.' and '-'"))
    }
}

fn parse_list<T>(q: &Query, name: &str, parse: fn(&str) -> Option<T>, what: &str) -> Result<Vec<T>, ApiError> {
    q.all(name)
        .into_iter()
        .map(|v| parse(v).ok_or_else(|| ApiError::field(format!("/query/{name}"), format!("{v:?} is not {what}"))))
        .collect()
}

const KNOWN_ZORGKANTOREN: &str =
    "a known zorgkantoor (zilveren-kruis, vgz, menzis, cz, salland, dsw, zorg-en-zekerheid)";
const KNOWN_THEMES: &str = "a known theme (algemeen, kwaliteit, behandeling-en-mgz, bekostiging-en-tarieven, duurzaamheid, technologie, overig)";

/// Cells in theme order, then column order, keeping only the chosen themes and zorgkantoren.
fn ordered_cells(doc: &EditionDocument, themes: &[ThemeId], zorgkantoren: &[ZorgkantoorId]) -> Vec<Cell> {
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

/// One CSV row per point: edition, zorgkantoor, theme, point number, text (RFC 4180 quoting).
pub fn cells_csv(edition: &str, cells: &[Cell]) -> Result<String, ApiError> {
    let mut writer = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(Vec::new());
    let fail = |e: csv::Error| ApiError::internal(format!("writing CSV: {e}"));
    writer.write_record(["edition", "zorgkantoor", "theme", "point", "text"]).map_err(fail)?;
    for cell in cells {
        for (i, text) in cell.points.iter().enumerate() {
            let number = (i + 1).to_string();
            writer
                .write_record([edition, cell.zorgkantoor.as_str(), cell.theme.as_str(), number.as_str(), text.as_str()])
                .map_err(fail)?;
        }
    }
    let bytes = writer.into_inner().map_err(|e| ApiError::internal(format!("writing CSV: {e}")))?;
    String::from_utf8(bytes).map_err(|e| ApiError::internal(format!("CSV is not UTF-8: {e}")))
}

/// The matrix as JSON, or as CSV when the client asks for it.
fn matrix_response(
    r: &ApiRequest,
    doc: &EditionDocument,
    themes: Vec<Theme>,
    cells: Vec<Cell>,
    zorgkantoren: Vec<Zorgkantoor>,
) -> HandlerResult {
    if accepts(&r.req, CSV) {
        return cacheable(r, "text/csv; charset=utf-8", cells_csv(&doc.edition, &cells)?);
    }
    cacheable_json(
        r,
        &ThemesMatrix {
            edition: doc.edition.clone(),
            title: doc.title.clone(),
            period: doc.period,
            as_of: doc.as_of,
            themes,
            zorgkantoren,
            cells,
        },
    )
}

// ---------------------------------------------------------------------------------------------
// Public reads

/// Query parameter picking an edition.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EditionQuery {
    /// A published edition (default: the latest published).
    #[param(example = "2023-07")]
    pub edition: Option<String>,
}

/// Filters of the matrix.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ThemesQuery {
    /// Only these themes (repeatable, or comma-separated).
    #[param(example = json!(["bekostiging-en-tarieven", "technologie"]))]
    pub theme: Option<Vec<ThemeId>>,
    /// Only these zorgkantoren (repeatable, or comma-separated).
    #[param(example = json!(["cz", "zilveren-kruis"]))]
    pub zorgkantoor: Option<Vec<ZorgkantoorId>>,
    /// A published edition (default: the latest published).
    #[param(example = "2023-07")]
    pub edition: Option<String>,
}

/// The zorgkantoren of the latest published edition (or `edition`).
#[utoipa::path(
    get,
    path = "/v1/zorgkantoren",
    operation_id = "listZorgkantoren",
    tag = "themes",
    params(EditionQuery),
    responses(
        (status = 200, description = "The zorgkantoren, in the table's column order", body = ZorgkantoorList,
            headers(("ETag" = String, description = "Content tag"), ("Cache-Control" = String))),
        (status = 304, description = "The client's copy (If-None-Match) is current"),
        (status = 404, description = "Nothing is published yet", body = shared::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown query parameter or edition", body = shared::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_zorgkantoren(r: ApiRequest) -> HandlerResult {
    let q = Query::of(&r.req);
    q.only(&["edition"])?;
    let doc = published_edition(&r.ctx, q.first("edition"), "/query/edition").await?;
    cacheable_json(&r, &ZorgkantoorList { edition: doc.edition.clone(), zorgkantoren: doc.zorgkantoren.clone() })
}

/// One zorgkantoor, with its source document and tariff rules.
#[utoipa::path(
    get,
    path = "/v1/zorgkantoren/{id}",
    operation_id = "getZorgkantoor",
    tag = "themes",
    params(("id" = ZorgkantoorId, Path, description = "The zorgkantoor's slug", example = "cz"), EditionQuery),
    responses(
        (status = 200, description = "The zorgkantoor", body = ZorgkantoorView,
            headers(("ETag" = String, description = "Content tag"), ("Cache-Control" = String))),
        (status = 304, description = "The client's copy (If-None-Match) is current"),
        (status = 404, description = "Unknown zorgkantoor", body = shared::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown query parameter or edition", body = shared::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_zorgkantoor(r: ApiRequest) -> HandlerResult {
    let id = zorgkantoor_param(&r)?;
    let q = Query::of(&r.req);
    q.only(&["edition"])?;
    let doc = published_edition(&r.ctx, q.first("edition"), "/query/edition").await?;
    let z = doc.zorgkantoor(id).cloned().ok_or(ApiError::NotFound)?;
    let rules = doc.rules_of(id).cloned().collect();
    let view = ZorgkantoorView {
        edition: doc.edition.clone(),
        id: z.id,
        name: z.name,
        source_document: z.source_document,
        tariff_rules: rules,
    };
    cacheable_json(&r, &view)
}

/// One column of the table: a zorgkantoor's cells on every theme.
#[utoipa::path(
    get,
    path = "/v1/zorgkantoren/{id}/themes",
    operation_id = "getZorgkantoorThemes",
    tag = "themes",
    params(("id" = ZorgkantoorId, Path, description = "The zorgkantoor's slug", example = "zorg-en-zekerheid"), EditionQuery),
    responses(
        (status = 200, description = "The column; `Accept: text/csv` gives one row per point (edition, zorgkantoor, theme, point, text)",
            content((ThemesMatrix = "application/json"), (String = "text/csv", example = json!("edition,zorgkantoor,theme,point,text\r\n2023-07,zorg-en-zekerheid,algemeen,1,Essentieel is samenwerking in de hele keten en over de zorgdomeinen heen.\r\n"))),
            headers(("ETag" = String, description = "Content tag"), ("Cache-Control" = String))),
        (status = 304, description = "The client's copy (If-None-Match) is current"),
        (status = 404, description = "Unknown zorgkantoor", body = shared::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown query parameter or edition", body = shared::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_zorgkantoor_themes(r: ApiRequest) -> HandlerResult {
    let id = zorgkantoor_param(&r)?;
    let q = Query::of(&r.req);
    q.only(&["edition"])?;
    let doc = published_edition(&r.ctx, q.first("edition"), "/query/edition").await?;
    let z = doc.zorgkantoor(id).cloned().ok_or(ApiError::NotFound)?;
    let cells = ordered_cells(&doc, &[], &[id]);
    matrix_response(&r, &doc, doc.themes.clone(), cells, vec![z])
}

/// The themes matrix of the latest published edition, filtered by theme and zorgkantoor.
#[utoipa::path(
    get,
    path = "/v1/themes",
    operation_id = "getThemes",
    tag = "themes",
    params(ThemesQuery),
    responses(
        (status = 200, description = "The matrix; `Accept: text/csv` gives one row per point (edition, zorgkantoor, theme, point, text)",
            content((ThemesMatrix = "application/json"), (String = "text/csv", example = json!("edition,zorgkantoor,theme,point,text\r\n2023-07,cz,bekostiging-en-tarieven,3,\"Opslag voor gebruik van bewezen effectieve arbeidsbesparende technologie: +0,1%\"\r\n"))),
            headers(("ETag" = String, description = "Content tag"), ("Cache-Control" = String))),
        (status = 304, description = "The client's copy (If-None-Match) is current"),
        (status = 404, description = "Nothing is published yet", body = shared::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown theme, zorgkantoor, edition or query parameter", body = shared::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_themes(r: ApiRequest) -> HandlerResult {
    let q = Query::of(&r.req);
    q.only(&["theme", "zorgkantoor", "edition"])?;
    let themes = parse_list(&q, "theme", ThemeId::parse, KNOWN_THEMES)?;
    let zorgkantoren = parse_list(&q, "zorgkantoor", ZorgkantoorId::parse, KNOWN_ZORGKANTOREN)?;
    let doc = published_edition(&r.ctx, q.first("edition"), "/query/edition").await?;
    let cells = ordered_cells(&doc, &themes, &zorgkantoren);
    let columns =
        doc.zorgkantoren.iter().filter(|z| zorgkantoren.is_empty() || zorgkantoren.contains(&z.id)).cloned().collect();
    let rows = doc.themes.iter().filter(|t| themes.is_empty() || themes.contains(&t.id)).cloned().collect();
    matrix_response(&r, &doc, rows, cells, columns)
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
        (status = 422, description = "Unknown query parameter", body = shared::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_editions(r: ApiRequest) -> HandlerResult {
    Query::of(&r.req).only(&[])?;
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
        (status = 404, description = "Unknown edition", body = shared::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Malformed edition id or unknown query parameter", body = shared::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_edition(r: ApiRequest) -> HandlerResult {
    let id = edition_param(&r)?;
    Query::of(&r.req).only(&[])?;
    let stored = store::get_edition(&r.ctx, &id).await?.ok_or(ApiError::NotFound)?;
    let latest = store::latest_published_id(&r.ctx).await?;
    let view = EditionView { summary: EditionSummary::of(&stored, latest.as_deref()), document: stored.document()? };
    cacheable_json(&r, &view)
}

/// The Wlz tariff each zorgkantoor's published rules give a provider profile, side by side:
/// an exact percentage and amount, or, where the source leaves it open (a monitor's outcome,
/// a differentiation range, a surcharge without a number), the range instead of a guess.
#[utoipa::path(
    post,
    path = "/v1/wlz-tariff-quotes",
    operation_id = "createWlzTariffQuote",
    tag = "themes",
    request_body(content = WlzTariffQuoteRequest, example = wlz_tariff_quote_example),
    responses(
        (status = 200, description = "The comparison, in the table's column order", body = WlzTariffQuote),
        (status = 400, description = "Malformed JSON", body = shared::Problem, content_type = "application/problem+json"),
        (status = 404, description = "Nothing is published yet", body = shared::Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body too large", body = shared::Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = shared::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid field (pointer names it)", body = shared::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn create_wlz_tariff_quote(r: ApiRequest) -> HandlerResult {
    let request: WlzTariffQuoteRequest = parse_json(&r.req)?;
    let tariff = request.nza_max_tariff.value();
    if tariff <= Decimal::ZERO || request.nza_max_tariff.scale() > 2 {
        return Err(ApiError::field("/nza_max_tariff", "a positive amount with at most 2 decimals"));
    }
    if let Some(prev) = request.profile.previous_percentage {
        if prev.value() <= Decimal::ZERO || prev.value() > Decimal::ONE_HUNDRED {
            return Err(ApiError::field("/profile/previous_percentage", "a percentage above 0 and at most 100"));
        }
    }
    let doc = published_edition(&r.ctx, request.edition.as_deref(), "/edition").await?;
    let mut quotes = compare_tariffs(&doc, &request.profile, tariff);
    if !request.zorgkantoren.is_empty() {
        quotes.retain(|q| request.zorgkantoren.contains(&q.zorgkantoor));
    }
    json(
        StatusCode::OK,
        &WlzTariffQuote {
            edition: doc.edition.clone(),
            nza_max_tariff: tariff,
            national_guide_percentage: doc.national_context.guide_tariff_percentage.value(),
            profile: request.profile,
            quotes,
        },
    )
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        list_zorgkantoren,
        get_zorgkantoor,
        get_zorgkantoor_themes,
        get_themes,
        list_editions,
        get_edition,
        create_wlz_tariff_quote,
        publisher::put_edition,
        publisher::publish_edition
    ),
    tags((name = "themes", description = "The zorgkantoren's Wlz contracting themes 2024-2026: the published table, its tariff rules, editions and a tariff comparison."))
)]
pub struct ApiDoc;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_fields_and_numbers_points() {
        let doc = seed_edition();
        let cells = ordered_cells(&doc, &[ThemeId::BekostigingEnTarieven], &[ZorgkantoorId::Cz]);
        let text = cells_csv("2023-07", &cells).unwrap();
        let lines: Vec<_> = text.split("\r\n").collect();
        assert_eq!(lines[0], "edition,zorgkantoor,theme,point,text");
        // A text with a comma is quoted.
        assert_eq!(
            lines[3],
            "2023-07,cz,bekostiging-en-tarieven,3,\"Opslag voor gebruik van bewezen effectieve arbeidsbesparende technologie: +0,1%\""
        );
        assert_eq!(lines.len(), 1 + 5 + 1, "header, five points, trailing empty");
        let quoted = cells_csv("e", &[Cell { points: vec!["say \"hi\"".into()], ..cells[0].clone() }]).unwrap();
        assert!(quoted.contains("\"say \"\"hi\"\"\""));
    }
}
