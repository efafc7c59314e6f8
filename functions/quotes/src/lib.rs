//! Handlers of the integral tariff quotes resource group (`/v1/quotes...`): thin glue between
//! HTTP and `domain::quote` (the figures) and `storage::quotes` (the store).

use domain::ids::IdKind;
use domain::quote::{self, Quote, QuoteRequest};
use edge::http::{content_tagged, parse_json, with_header};
use edge::routing::{Access, ApiRequest, HandlerResult, Route, Router};
use edge::ApiError;
use http::{header, Method, StatusCode};
use serde_json::{json, Value};
use storage::quotes as store;

pub mod prestaties;

/// Quotes are confidential: no cache may keep them (the ETag still answers If-None-Match).
const CACHE_CONTROL: &str = edge::http::CONFIDENTIAL;

/// The routes this function serves.
pub fn router() -> Router {
    Router::new(
        "quotes",
        vec![
            Route::new(Method::POST, "/v1/quotes", Access::Authenticated, |r| Box::pin(create_quote(r))),
            Route::new(Method::GET, "/v1/quotes/{id}", Access::Authenticated, |r| Box::pin(get_quote(r))),
            Route::new(Method::GET, "/v1/prestaties", Access::Public, |r| Box::pin(prestaties::get_prestaties(r))),
        ],
    )
}

/// Computes an integral tariff quote and stores it for the caller's organisation.
///
/// A quote is kept 30 days, then it is gone (404), unless a proposal is made
/// from it (`from_quote`): then it is kept as long as that proposal. One organisation may store
/// 1,000 quotes per UTC day (a deployment may set another number); beyond that the answer is
/// 429 `quota-exceeded` with `Retry-After` running to the next UTC midnight.
#[utoipa::path(
    post,
    path = "/v1/quotes",
    operation_id = "createQuote",
    tag = "quotes",
    security(("bearer" = [])),
    request_body(content = QuoteRequest, description = "Providers, volumes and cost build-up per prestatie, care shifts, surcharges, distribution method and rounding. Amounts and percentages are decimal strings.", examples(
        ("integrale_bekostiging" = (summary = "Integral route: the 8 NZa prestaties of 2027", value = json!(example_request()))),
        ("innovatie" = (summary = "Innovation route: an own prestatie (code, description, unit) beside an NZa one", value = json!(example_innovation_request()))),
    )),
    responses(
        (status = 201, description = "The computed quote, stored for the caller's organisation", body = Quote,
            headers(("Location" = String, description = "URL of the new quote"), ("ETag" = String, description = "Entity tag of the quote"))),
        (status = 422, description = "Invalid request; `errors` names every invalid field by JSON pointer. Nothing is stored. Besides the schema, rules across fields: cost components, care shifts and fixed shares name providers listed in `providers` (each provider once per prestatie); fixed shares add up to exactly 100; under `integrale_bekostiging` prestaties belong to the year's catalogue, an own prestatie code (innovation route only) needs `description` and `unit`; volumes of per-client prestaties are whole numbers; the care shifts away from one provider in one prestatie total at most 100", body = edge::Problem, content_type = "application/problem+json"),
        (status = 429, description = "`too-many-requests`: the organisation's requests per second are used up; or `quota-exceeded`: its quotes of today (UTC) are, until midnight. `Retry-After` says when to retry.", body = edge::Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u64, description = "Seconds until a retry can succeed"))),
    )
)]
pub async fn create_quote(r: ApiRequest) -> HandlerResult {
    let claims = r.caller()?;
    let request: QuoteRequest = parse_json(&r.req)?;
    let result = quote::quote(&request)?;
    // Only quotes that will be stored count; an invalid request costs nothing of the quota.
    let limit = r.ctx.limits.quotes_per_day;
    if let Some(retry_after) = store::count_one_today(&r.ctx, claims.org_code(), limit).await? {
        return Err(ApiError::QuotaExceeded {
            detail: format!("your organisation stored {limit} quotes today (UTC), the daily maximum"),
            retry_after,
        });
    }
    let quote = Quote {
        id: ulid::Ulid::new().to_string(),
        owner_org: claims.org_code().to_owned(),
        created_at: chrono::Utc::now(),
        input: request,
        result,
    };
    // Serialised once: the same bytes are stored, answered now and answered by every GET.
    let body = serde_json::to_string(&quote).map_err(|e| ApiError::internal(format!("serialising quote: {e}")))?;
    store::put_quote(&r.ctx, &quote, &body).await?;
    edge::metrics::count(edge::metrics::Business::QuotesComputed);
    let location = format!("/v1/quotes/{}", quote.id);
    let response = content_tagged(&r.req, StatusCode::CREATED, "application/json", body, CACHE_CONTROL)?;
    with_header(response, header::LOCATION, &location)
}

/// One of the caller's organisation's quotes. Another organisation's quote is not found.
#[utoipa::path(
    get,
    path = "/v1/quotes/{id}",
    operation_id = "getQuote",
    tag = "quotes",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "The quote's id (a ULID)"),
        ("If-None-Match" = Option<String>, Header, description = "ETag of a cached copy; 304 when it is current"),
    ),
    responses(
        (status = 200, description = "The quote", body = Quote, headers(("ETag" = String, description = "Entity tag of the quote"))),
        (status = 304, description = "The cached copy named by If-None-Match is current"),
        (status = 404, description = "No quote with this id for the caller's organisation", body = edge::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Malformed id (not a ULID), at `/path/id`", body = edge::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_quote(r: ApiRequest) -> HandlerResult {
    let claims = r.caller()?;
    let body = store::get_quote_json(&r.ctx, claims.org_code(), r.id_param("id", IdKind::Ulid)?)
        .await?
        .ok_or(ApiError::NotFound)?;
    // The stored bytes are the POST's answer, so the ETag is the POST's too.
    content_tagged(&r.req, StatusCode::OK, "application/json", body, CACHE_CONTROL)
}

/// A valid request: a VSV of a hospital, its gynaecologists, a midwives' practice and a
/// kraamzorg organisation, quoting the 8 prestaties of the 2027 catalogue with 10% of natal
/// care moving from the hospital to the midwives.
pub fn example_request() -> Value {
    // The member providers of the proposal examples (createProposal), with the same AGB codes.
    let (hospital, msb, midwives, kraamzorg) = ("06000002", "03000003", "08000001", "33000004");
    json!({
        "period": 2027,
        "providers": [
            {"agb": hospital, "name": "Ziekenhuis Zuid", "kind": "ziekenhuis", "baseline_revenue": "1450000.00"},
            {"agb": msb, "name": "MSB Gynaecologie Zuid", "kind": "msb-gynaecologie", "baseline_revenue": "610000.00"},
            {"agb": midwives, "name": "Verloskundigenpraktijk De Wieg", "kind": "verloskundigenpraktijk", "baseline_revenue": "820000.00"},
            {"agb": kraamzorg, "name": "Kraamzorg Thuis", "kind": "kraamzorg", "baseline_revenue": "1190000.00"}
        ],
        "prestaties": [
            {"prestatie": "geboortezorg_prenataal", "volume": "1000", "components": [
                {"provider": midwives, "amount_per_unit": "520.00"}, {"provider": hospital, "amount_per_unit": "85.00"}]},
            {"prestatie": "geboortezorg_prenataal_complex", "volume": "420", "components": [
                {"provider": hospital, "amount_per_unit": "640.00"}, {"provider": msb, "amount_per_unit": "310.00"},
                {"provider": midwives, "amount_per_unit": "150.00"}]},
            {"prestatie": "geboortezorg_nataal", "volume": "560", "components": [
                {"provider": midwives, "amount_per_unit": "450.00"}, {"provider": hospital, "amount_per_unit": "300.00"}]},
            {"prestatie": "geboortezorg_nataal_intramuraal_op_eigen_verzoek", "volume": "90", "components": [
                {"provider": hospital, "amount_per_unit": "480.00"}, {"provider": midwives, "amount_per_unit": "450.00"}]},
            {"prestatie": "geboortezorg_nataal_complex", "volume": "440", "components": [
                {"provider": hospital, "amount_per_unit": "1450.00"}, {"provider": msb, "amount_per_unit": "780.00"}]},
            {"prestatie": "geboortezorg_postnataal", "volume": "640", "components": [
                {"provider": midwives, "amount_per_unit": "210.00"}]},
            {"prestatie": "geboortezorg_postnataal_complex", "volume": "360", "components": [
                {"provider": hospital, "amount_per_unit": "390.00"}, {"provider": msb, "amount_per_unit": "140.00"},
                {"provider": midwives, "amount_per_unit": "90.00"}]},
            {"prestatie": "kraamzorg_postnataal_per_uur", "volume": "23500", "components": [
                {"provider": kraamzorg, "amount_per_unit": "49.85"}]}
        ],
        "care_shifts": [
            {"prestatie": "geboortezorg_nataal", "from": hospital, "to": midwives, "share": "10"}
        ],
        "surcharges": {"organisation_costs": "3.50", "risk_reserve": "1.50", "innovation_fund": "0.75"},
        "distribution": {"method": "cost_based"},
        "rounding": "half_up"
    })
}

/// The innovation-route example: the createProposal `innovatie` example's arrangement costed
/// (the same own prestatie and providers).
pub fn example_innovation_request() -> Value {
    let (midwives, kraamzorg) = ("08000001", "33000004");
    json!({
        "period": 2026,
        "policy_route": "innovatie",
        "providers": [
            {"agb": midwives, "name": "Verloskundigenpraktijk De Wieg", "kind": "verloskundigenpraktijk", "baseline_revenue": "610000.00"},
            {"agb": kraamzorg, "name": "Kraamzorg Thuis", "kind": "kraamzorg", "baseline_revenue": "640000.00"}
        ],
        "prestaties": [
            {"prestatie": "INNO-CONT-01", "description": "Continuiteit van zorg: een vaste verloskundige en kraamverzorgende per client, zwangerschap tot kraambed",
             "unit": "client", "volume": "300", "components": [
                {"provider": midwives, "amount_per_unit": "1650.00"}, {"provider": kraamzorg, "amount_per_unit": "700.00"}]},
            {"prestatie": "kraamzorg_postnataal_per_uur", "volume": "12000", "components": [
                {"provider": kraamzorg, "amount_per_unit": "49.85"}]}
        ],
        "surcharges": {"organisation_costs": "3.00", "risk_reserve": "1.00"},
        "distribution": {"method": "cost_based"}
    })
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(create_quote, get_quote, prestaties::get_prestaties),
    tags(
        (name = "quotes", description = "Integral tariff quotes: from a VSV's cost build-up to integral tariffs, the contract total and each provider's share."),
        (name = "prestaties", description = "The NZa integral birth-care prestaties per contract year (public): 9 under the 2017-2022 experiment (BR/REG-22100), 8 from 2023 under the regular policy rule.")
    )
)]
pub struct ApiDoc;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_example_is_a_valid_request() {
        let request: QuoteRequest = edge::http::parse_json_str(&example_request().to_string()).unwrap();
        let result = quote::quote(&request).unwrap();
        assert_eq!(result.prestaties.len(), 8);
        let request: QuoteRequest = edge::http::parse_json_str(&example_innovation_request().to_string()).unwrap();
        let result = quote::quote(&request).unwrap();
        assert_eq!(result.prestaties.len(), 2, "the own prestatie and kraamzorg");
    }
}
