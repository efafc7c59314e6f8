//! The NZa prestatie catalogue of a contract year (`GET /v1/prestaties?year=...`): public,
//! read-only, from the domain's reviewed data (`domain::catalogue`). It changes only with a
//! deploy, so it is long cacheable, revalidated by ETag.

use domain::catalogue::{catalogue, YearCatalogue};
use edge::http::content_tagged;
use edge::query::parse_query;
use edge::routing::{ApiRequest, HandlerResult};
use edge::ApiError;
use http::StatusCode;
use serde::Deserialize;
use utoipa::IntoParams;

/// A day in shared caches; the ETag makes the revalidation after that cheap.
const CACHE_CONTROL: &str = "public, max-age=86400";

/// The contract year whose catalogue is asked for.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PrestatieQuery {
    /// The contract year (2017, the experiment's first year, to 2100).
    #[param(example = 2026, minimum = 2017, maximum = 2100)]
    pub year: i32,
}

/// The NZa integral birth-care prestaties of a contract year: their Dutch names, units, the
/// prestaties removed since an earlier year and which attention points apply, with the
/// regulation and its sources. Proposals (integral route) and quotes of that year are
/// validated against it.
#[utoipa::path(
    get,
    path = "/v1/prestaties",
    operation_id = "getPrestatieCatalogue",
    tag = "prestaties",
    params(PrestatieQuery),
    responses(
        (status = 200, description = "The catalogue of the year", body = YearCatalogue,
            headers(("ETag" = String, description = "Content tag"), ("Cache-Control" = String, description = "public, max-age=86400"))),
        (status = 304, description = "The client's copy (If-None-Match) is current"),
        (status = 422, description = "Missing or unknown query parameter, or a year without integral prestaties (before 2017)", body = edge::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_prestaties(r: ApiRequest) -> HandlerResult {
    let q: PrestatieQuery = parse_query(&r.req)?;
    if !(2000..=2100).contains(&q.year) {
        return Err(ApiError::field("/query/year", "must be a year from 2000 to 2100"));
    }
    let view = catalogue()
        .for_year(q.year)
        .ok_or_else(|| ApiError::field("/query/year", catalogue().no_regulation(q.year)))?;
    let body = serde_json::to_string(&view).map_err(|e| ApiError::internal(format!("serialising: {e}")))?;
    content_tagged(&r.req, StatusCode::OK, "application/json", body, CACHE_CONTROL)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_year_is_required_and_nothing_else_is_taken() {
        let year: PrestatieQuery = edge::query::from_params(&[("year".into(), vec!["2026".into()])]).unwrap();
        assert_eq!(year.year, 2026);
        assert!(edge::query::from_params::<PrestatieQuery>(&[]).is_err());
        let extra = [("year".into(), vec!["2026".into()]), ("route".into(), vec!["x".into()])];
        assert!(edge::query::from_params::<PrestatieQuery>(&extra).is_err());
    }

    #[test]
    fn the_example_is_the_2026_catalogue() {
        let example = YearCatalogue::example();
        assert_eq!(example.prestaties.len(), 8);
        assert_eq!(example.year, 2026);
    }
}
