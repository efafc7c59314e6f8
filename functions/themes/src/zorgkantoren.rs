//! The zorgkantoren of a published edition (`/v1/zorgkantoren...`): the table's columns, each
//! with its source document and tariff rules.

use domain::codes::UzoviCode;
use domain::ids::IdKind;
use domain::themes::{TariffRule, Zorgkantoor, ZorgkantoorId};
use edge::query::parse_query;
use edge::routing::{ApiRequest, HandlerResult};
use edge::ApiError;
use serde::Serialize;
use utoipa::ToSchema;

use crate::cacheable::{negotiated, Freshness};
use crate::csv::{rules_csv, write_csv, Export};
use crate::editions::{published_edition, EditionQuery};

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
    /// The UZOVI code where the source gives one.
    pub uzovi: Option<UzoviCode>,
    pub source_document: String,
    /// The source document's address, where the source gives it.
    pub source_url: Option<String>,
    pub tariff_rules: Vec<TariffRule>,
}

/// The `{id}` path parameter: a malformed slug is a 422, an unknown well-formed one a 404, like
/// any unknown resource.
pub(crate) fn zorgkantoor_param(r: &ApiRequest) -> Result<ZorgkantoorId, ApiError> {
    ZorgkantoorId::parse(r.id_param("id", IdKind::Slug)?).ok_or(ApiError::NotFound)
}

/// The zorgkantoren of the latest published edition (or `edition`).
#[utoipa::path(
    get,
    path = "/v1/zorgkantoren",
    operation_id = "listZorgkantoren",
    tag = "themes",
    params(EditionQuery),
    responses(
        (status = 200, description = "The zorgkantoren, in the table's column order; `?format=csv` / `csv-excel` or `Accept: text/csv` give one row per zorgkantoor (edition, id, name, uzovi, source_document, source_url) as an attachment",
            content((ZorgkantoorList = "application/json"), (String = "text/csv", example = json!("edition,id,name,uzovi,source_document,source_url\r\n2023-07,cz,CZ,,Downloads zorginkoop 2024 sector Verpleging & Verzorging - CZ zorgkantoor (cz-zorgkantoor.nl),https://www.cz-zorgkantoor.nl/zorgaanbieder/zorginkoop/downloads/downloads-sector-verpleging-en-verzorging\r\n"))),
            headers(("ETag" = String, description = "Content tag"), ("Cache-Control" = String, description = "`public, max-age=31536000, immutable` when `edition` is named, else `public, max-age=60, must-revalidate`"), ("Vary" = String, description = "`Accept` unless `format` is given"), ("Content-Disposition" = String, description = "CSV only: `attachment; filename=...` naming the edition"))),
        (status = 304, description = "The client's copy (If-None-Match) is current"),
        (status = 404, description = "Nothing is published yet, or no published edition `edition`", body = edge::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown query parameter or malformed edition", body = edge::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_zorgkantoren(r: ApiRequest) -> HandlerResult {
    let q: EditionQuery = parse_query(&r.req)?;
    let doc = published_edition(&r.ctx, q.edition.as_deref(), "/query/edition").await?;
    let list = ZorgkantoorList { edition: doc.edition.clone(), zorgkantoren: doc.zorgkantoren.clone() };
    let export = Export::negotiate(&r, q.format, &["zorgkantoren", &doc.edition]);
    negotiated(&r, &export, Freshness::of(q.edition.as_deref()), &list, |variant| {
        let rows = list.zorgkantoren.iter().map(|z| {
            vec![
                list.edition.clone(),
                z.id.as_str().to_owned(),
                z.name.clone(),
                z.uzovi.as_ref().map(|u| u.as_str().to_owned()).unwrap_or_default(),
                z.source_document.clone(),
                z.source_url.clone().unwrap_or_default(),
            ]
        });
        write_csv(variant, &["edition", "id", "name", "uzovi", "source_document", "source_url"], rows)
    })
}

/// One zorgkantoor, with its source document and tariff rules.
#[utoipa::path(
    get,
    path = "/v1/zorgkantoren/{id}",
    operation_id = "getZorgkantoor",
    tag = "themes",
    params(("id" = ZorgkantoorId, Path, description = "The zorgkantoor's slug", example = "cz"), EditionQuery),
    responses(
        (status = 200, description = "The zorgkantoor; `?format=csv` / `csv-excel` or `Accept: text/csv` give its tariff rules, one row each (edition, zorgkantoor, kind, condition, percentage, points, below_points, above_points, max_percentage, discretionary, direction, description, applies_to, source_theme, source_point, source_quote, note) as an attachment",
            content((ZorgkantoorView = "application/json"), (String = "text/csv", example = json!("edition,zorgkantoor,kind,condition,percentage,points,below_points,above_points,max_percentage,discretionary,direction,description,applies_to,source_theme,source_point,source_quote,note\r\n2023-07,cz,guide_percentage,,95.5,,,,,,,,V&V,bekostiging-en-tarieven,1,\"max. 95,5% van NZa tarief\",\r\n"))),
            headers(("ETag" = String, description = "Content tag"), ("Cache-Control" = String, description = "`public, max-age=31536000, immutable` when `edition` is named, else `public, max-age=60, must-revalidate`"), ("Vary" = String, description = "`Accept` unless `format` is given"), ("Content-Disposition" = String, description = "CSV only: `attachment; filename=...` naming the edition"))),
        (status = 304, description = "The client's copy (If-None-Match) is current"),
        (status = 404, description = "Unknown zorgkantoor, or no published edition `edition`", body = edge::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown query parameter or malformed edition", body = edge::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_zorgkantoor(r: ApiRequest) -> HandlerResult {
    let id = zorgkantoor_param(&r)?;
    let q: EditionQuery = parse_query(&r.req)?;
    let doc = published_edition(&r.ctx, q.edition.as_deref(), "/query/edition").await?;
    let z = doc.zorgkantoor(id).cloned().ok_or(ApiError::NotFound)?;
    let rules = doc.rules_of(id).cloned().collect();
    let view = ZorgkantoorView {
        edition: doc.edition.clone(),
        id: z.id,
        name: z.name,
        uzovi: z.uzovi,
        source_document: z.source_document,
        source_url: z.source_url,
        tariff_rules: rules,
    };
    let export = Export::negotiate(&r, q.format, &["tariff-rules", &doc.edition, id.as_str()]);
    negotiated(&r, &export, Freshness::of(q.edition.as_deref()), &view, |variant| {
        rules_csv(variant, &view.edition, &view.tariff_rules)
    })
}
