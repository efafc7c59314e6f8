//! `POST /v1/proposals`: an IGO registers a proposal, from scratch or from one of its quotes.

use domain::proposal::{Actor, NewProposal, Proposal};
use edge::http::parse_json;
use edge::routing::{ApiRequest, HandlerResult};
use edge::ApiError;
use storage::quotes;

use crate::access::caller;
use crate::idempotency::Idempotency;
use crate::write::{write, Target};

/// Creates a proposal (IGO): a draft, or submitted at once with `"submit": true`.
///
/// The body may be at most 64 KiB (a large real proposal is well under it). A proposal made
/// from a quote keeps that quote for as long as the proposal exists;
/// other quotes expire after 30 days.
#[utoipa::path(
    post,
    path = "/v1/proposals",
    operation_id = "createProposal",
    tag = "proposals",
    security(("bearer" = [])),
    params(
        ("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe: the same key with the same body replays the first answer; with another body it is a 422. Kept 24 hours."),
    ),
    request_body(content = NewProposal, description = "The proposal; `igo.agb` may be left out (the token's org is used) and must otherwise equal it.", examples(
        ("integrale_bekostiging" = (summary = "Integral route: the NZa prestaties of 2026", value = json!({
        "igo": {"agb": "53012345", "name": "IGO Geboortezorg Regio Zuid"},
        "insurer": {"uzovi": "3311", "name": "Zilveren Kruis"},
        "period": {"year": 2026},
        "policy_route": "integrale_bekostiging",
        "lines": [
            {"prestatie": "geboortezorg_prenataal", "volume": 1200, "tariff": "1234.50"},
            {"prestatie": "geboortezorg_nataal", "volume": 1150, "tariff": "1650.00"},
            {"prestatie": "geboortezorg_postnataal", "volume": 1150, "tariff": "480.25"},
            {"prestatie": "kraamzorg_postnataal_per_uur", "volume": 55000, "tariff": "61.25"}
        ],
        "distribution_key": {"providers": [
            {"agb": "08000001", "name": "Verloskundigenpraktijk De Wieg", "kind": "verloskundigenpraktijk", "share": "35"},
            {"agb": "06000002", "name": "Ziekenhuis Zuid", "kind": "ziekenhuis", "share": "25"},
            {"agb": "03000003", "name": "MSB Gynaecologie Zuid", "kind": "msb-gynaecologie", "share": "15.5"},
            {"agb": "33000004", "name": "Kraamzorg Thuis", "kind": "kraamzorg", "share": "24.5"}
        ]},
        "care_shifts": [
            {"kind": "planned", "prestatie": "geboortezorg_nataal", "from": "ziekenhuis", "to": "verloskundigenpraktijk", "share": "5"}
        ],
        "attention_points": {
            "client_scope": "new_clients_only",
            "expensive_medicines": "Buiten de integrale tarieven, apart gedeclareerd.",
            "case_mix": "Geen differentiatie naar case-mix binnen de integrale bekostiging."
        },
        "submit": false
    }))),
        ("innovatie" = (summary = "Innovation route: an own prestatie (code, description, unit) beside an NZa one", value = json!({
        "igo": {"agb": "53012345", "name": "IGO Geboortezorg Regio Zuid"},
        "insurer": {"uzovi": "3311", "name": "Zilveren Kruis"},
        "period": {"year": 2026},
        "policy_route": "innovatie",
        "lines": [
            {"prestatie": "INNO-CONT-01", "description": "Continuiteit van zorg: een vaste verloskundige en kraamverzorgende per client, zwangerschap tot kraambed", "unit": "client", "volume": 300, "tariff": "2450.00"},
            {"prestatie": "kraamzorg_postnataal_per_uur", "volume": 12000, "tariff": "61.25"}
        ],
        "distribution_key": {"providers": [
            {"agb": "08000001", "name": "Verloskundigenpraktijk De Wieg", "kind": "verloskundigenpraktijk", "shares": [
                {"prestatie": "INNO-CONT-01", "share": "70"}, {"prestatie": "kraamzorg_postnataal_per_uur", "share": "0"}]},
            {"agb": "33000004", "name": "Kraamzorg Thuis", "kind": "kraamzorg", "shares": [
                {"prestatie": "INNO-CONT-01", "share": "30"}, {"prestatie": "kraamzorg_postnataal_per_uur", "share": "100"}]}
        ]},
        "attention_points": {
            "client_scope": "new_clients_only",
            "notes": "Arrangement onder de beleidsregel innovatie; niet gebonden aan de integrale prestaties."
        },
        "submit": false
    })))
    )),
    responses(
        (status = 201, description = "Created; Location and ETag name it", body = Proposal,
            headers(("Location" = String, description = "The new proposal's URL"), ("ETag" = String, description = "Its version"))),
        (status = 403, description = "The caller is not an IGO", body = edge::Problem, content_type = "application/problem+json"),
        (status = 404, description = "`from_quote` is well-formed but not one of your organisation's quotes", body = edge::Problem, content_type = "application/problem+json"),
        (status = 409, description = "`limit-reached`: your organisation holds the most open drafts it may (200 by default); submit or withdraw one first. A proposal submitted at once (`submit: true`) is no draft", body = edge::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid proposal (the errors name the fields), a `from_quote` that gives no valid lines (named `/from_quote`), or an Idempotency-Key reused with another body. Besides the schema, rules across fields: a new proposal comes either from a quote (`from_quote`, without `lines` and `distribution_key`) or with its own lines; the period is a `year` or a `start` and an `end` (end not before start, at most 5 years); under `integrale_bekostiging` every line, care shift and attention point must exist in every year of the period (`GET /v1/prestaties`); an own prestatie code (innovation route only) needs `description` and `unit`, an NZa one refuses them; each prestatie once; distribution shares name prestaties of the lines and add up to exactly 100 (per prestatie when given per prestatie)", body = edge::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn create_proposal(r: ApiRequest) -> HandlerResult {
    let claims = caller(&r)?;
    let igo = claims.require_igo()?;
    let new: NewProposal = parse_json(&r.req)?;
    let idempotency = Idempotency::of(&r, claims)?;
    // Only the caller's own quotes are looked up, so another organisation's is simply absent.
    let quote = match &new.from_quote {
        Some(id) => {
            // Malformed: the domain's 422 at /from_quote. Well-formed but not one of the
            // caller's quotes: 404, as for any unknown id.
            let well_formed = domain::ids::IdKind::Ulid.accepts(id);
            let found = if well_formed { quotes::get_quote(&r.ctx, claims.org_code(), id).await? } else { None };
            if found.is_none() && well_formed {
                return Err(ApiError::NotFoundWhy("/from_quote: your organisation has no such quote".into()));
            }
            found
        }
        None => None,
    };
    let make = || {
        let id = ulid::Ulid::new().to_string();
        Ok(Proposal::create(id, igo, new.clone(), quote.as_ref(), Actor::of(claims), chrono::Utc::now())?)
    };
    write(&r.ctx, claims, idempotency, Target::New(Box::new(make))).await
}
