//! The zorgkantoren of a published edition (`/v1/zorgkantoren...`): the table's columns, each
//! with its source document and tariff rules.

use domain::ids::IdKind;
use domain::themes::{TariffRule, Zorgkantoor, ZorgkantoorId};
use edge::query::parse_query;
use edge::routing::{ApiRequest, HandlerResult};
use edge::ApiError;
use serde::Serialize;
use utoipa::ToSchema;

use crate::cacheable::cacheable_json;
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
    pub source_document: String,
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
        (status = 200, description = "The zorgkantoren, in the table's column order", body = ZorgkantoorList,
            headers(("ETag" = String, description = "Content tag"), ("Cache-Control" = String))),
        (status = 304, description = "The client's copy (If-None-Match) is current"),
        (status = 404, description = "Nothing is published yet, or no published edition `edition`", body = edge::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown query parameter or malformed edition", body = edge::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_zorgkantoren(r: ApiRequest) -> HandlerResult {
    let q: EditionQuery = parse_query(&r.req)?;
    let doc = published_edition(&r.ctx, q.edition.as_deref(), "/query/edition").await?;
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
        source_document: z.source_document,
        tariff_rules: rules,
    };
    cacheable_json(&r, &view)
}
