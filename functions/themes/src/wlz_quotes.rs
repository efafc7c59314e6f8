//! The Wlz tariff comparison (`POST /v1/wlz-tariff-quotes`): each zorgkantoor's published rules
//! applied to one provider profile, side by side.

use domain::money::ExactDecimal;
use domain::themes::{compare_tariffs, validate_comparison, ProviderProfile, ZorgkantoorId, ZorgkantoorQuote};
use edge::http::{json, parse_json};
use edge::routing::{ApiRequest, HandlerResult};
use http::StatusCode;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::editions::published_edition;

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
        (status = 404, description = "Nothing is published yet, or no published edition `edition`", body = edge::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid field (pointer names it)", body = edge::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn create_wlz_tariff_quote(r: ApiRequest) -> HandlerResult {
    let request: WlzTariffQuoteRequest = parse_json(&r.req)?;
    validate_comparison(request.nza_max_tariff, &request.profile)?;
    let tariff = request.nza_max_tariff.value();
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
