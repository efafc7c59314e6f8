//! Builds the OpenAPI document from the code: every function crate's `ApiDoc`, merged, plus
//! the API's info, servers, tags and the bearer security scheme.
//!
//! Rules that hold for every operation (public ones say so explicitly) are applied after the
//! merge, so operations added in any crate get them without per-operation code.

use domain::ids::IdKind;
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::OpenApi as OpenApiDoc;
use utoipa::openapi::{RefOr, Schema};
use utoipa::{Modify, OpenApi};

struct BearerScheme;

impl Modify for BearerScheme {
    fn modify(&self, openapi: &mut OpenApiDoc) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some(
                        "An OAuth 2 access token (JWT, RS256 or ES256) of the configured issuer, carrying the route's \
                         scope (`zorginkoop/proposals`, `zorginkoop/quotes` or `zorginkoop/themes.publish`). \
                         Its issuer and subject must be a registered, active principal: the registry, not \
                         the token, gives the role, organisation and signatory status.",
                    ))
                    .build(),
            ),
        );
    }
}

/// Public operations declare an explicit empty `security` (no credentials needed) instead of
/// leaving it out, so readers and linters (`security-defined`) see a decision, not an omission.
/// Protected operations keep the `bearer` requirement their `#[utoipa::path]` declares.
struct ExplicitPublicSecurity;

impl Modify for ExplicitPublicSecurity {
    fn modify(&self, openapi: &mut OpenApiDoc) {
        for operation in operations_mut(openapi) {
            operation.security.get_or_insert_with(Vec::new);
        }
    }
}

/// Every operation of the document, for the passes that hold for all of them.
pub(crate) fn operations_mut(openapi: &mut OpenApiDoc) -> impl Iterator<Item = &mut Operation> {
    path_operations_mut(openapi).map(|(_, operation)| operation)
}

/// Every operation of the spec with its path template.
pub(crate) fn path_operations_mut(openapi: &mut OpenApiDoc) -> impl Iterator<Item = (&str, &mut Operation)> {
    openapi.paths.paths.iter_mut().flat_map(|(path, item)| {
        [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
            &mut item.head,
            &mut item.options,
            &mut item.trace,
        ]
        .into_iter()
        .flatten()
        .map(move |operation| (path.as_str(), operation))
    })
}

/// Declares the identifier rules the handlers enforce (`domain::ids`) as `pattern`s, on every
/// path, query and header parameter and request field that is an identifier, so a schema-valid
/// request is never refused as malformed (422); a well-formed unknown one is a 404.
struct DeclaredIdentifiers;

/// The identifier kind of a parameter (in, name), by the path it is on.
fn parameter_kind(path: &str, location: &ParameterIn, name: &str) -> Option<IdKind> {
    match (location, name) {
        // A zorgkantoor's id is an enum of slugs already.
        (ParameterIn::Path, "id") if path.starts_with("/v1/zorgkantoren") => None,
        (ParameterIn::Path, "id") => Some(IdKind::Ulid),
        (ParameterIn::Path | ParameterIn::Query, "edition") => Some(IdKind::Edition),
        (ParameterIn::Query, "from" | "to") if path == "/v1/themes/diff" => Some(IdKind::Edition),
        (ParameterIn::Query, "cursor") => Some(IdKind::Cursor),
        (ParameterIn::Query, "after") if path == "/v1/events" => Some(IdKind::Cursor),
        (ParameterIn::Header, "Idempotency-Key") => Some(IdKind::IdempotencyKey),
        _ => None,
    }
}

/// Request fields that are identifiers: (schema, property, kind).
const IDENTIFIER_FIELDS: [(&str, &str, IdKind); 3] = [
    ("NewProposal", "from_quote", IdKind::Ulid),
    ("EditionDocument", "edition", IdKind::Edition),
    ("WlzTariffQuoteRequest", "edition", IdKind::Edition),
];

/// Value rules of request fields that a `pattern` can state exactly as the handlers check them
/// (`domain::money::ExactDecimal` strings: at most 20 integer and 8 decimal digits).
fn value_rules() -> Vec<(&'static str, &'static str, String)> {
    vec![
        // `domain::themes::validate_comparison`: above 0, at most 2 decimals.
        ("WlzTariffQuoteRequest", "nza_max_tariff", positive_decimal_pattern(2)),
        // `domain::themes::validate_comparison`: above 0 and at most 100.
        ("ProviderProfile", "previous_percentage", percentage_pattern()),
        // `domain::quote::validate`: 1 to 200 characters once trimmed (its length is declared too).
        ("ProviderInput", "name", r"^\s*\S[\s\S]*$".to_owned()),
    ]
}

/// Alternatives for at most `n` digits that are not all zeros (a regex cannot count otherwise).
fn nonzero_digits(n: usize) -> String {
    (0..n).map(|zeros| format!("0{{{zeros}}}[1-9][0-9]{{0,{}}}", n - 1 - zeros)).collect::<Vec<_>>().join("|")
}

/// A decimal string above 0 with at most 20 integer digits and `decimals` decimals.
fn positive_decimal_pattern(decimals: usize) -> String {
    format!("^(({})(\\.[0-9]{{1,{decimals}}})?|0{{1,20}}\\.({}))$", nonzero_digits(20), nonzero_digits(decimals))
}

/// A decimal string above 0 and at most 100 (8 decimals at most).
fn percentage_pattern() -> String {
    format!(
        "^((0{{0,19}}[1-9]|0{{0,18}}[1-9][0-9])(\\.[0-9]{{1,8}})?|0{{0,17}}100(\\.0{{1,8}})?|0{{1,20}}\\.({}))$",
        nonzero_digits(8)
    )
}

/// `If-Match`: `*` or a list of entity tags (RFC 9110 13.1.1); anything else cannot match.
pub const IF_MATCH_PATTERN: &str = r#"^(\*|(W/)?"[!#-~]*"( *, *(W/)?"[!#-~]*")*)$"#;

fn declare_pattern(schema: &mut RefOr<Schema>, pattern: &str) {
    match schema {
        RefOr::T(Schema::Object(object)) => object.pattern = Some(pattern.to_owned()),
        other => panic!("a pattern needs an inline string schema, not {}", serde_json::to_string(other).unwrap()),
    }
}

impl Modify for DeclaredIdentifiers {
    fn modify(&self, openapi: &mut OpenApiDoc) {
        for (path, item) in openapi.paths.paths.iter_mut() {
            let operations = [&mut item.get, &mut item.put, &mut item.post, &mut item.delete, &mut item.patch];
            for operation in operations.into_iter().flatten() {
                for parameter in operation.parameters.iter_mut().flatten() {
                    let RefOr::T(parameter) = parameter else { continue };
                    let pattern = match parameter_kind(path, &parameter.parameter_in, &parameter.name) {
                        Some(kind) => kind.pattern(),
                        None if parameter.name == "If-Match" => IF_MATCH_PATTERN,
                        None => continue,
                    };
                    if let Some(schema) = parameter.schema.as_mut() {
                        declare_pattern(schema, pattern);
                    }
                }
            }
        }
        let Some(components) = openapi.components.as_mut() else { return };
        let identifiers =
            IDENTIFIER_FIELDS.iter().map(|(schema, property, kind)| (*schema, *property, kind.pattern().to_owned()));
        for (schema, property, pattern) in identifiers.chain(value_rules()) {
            let Some(RefOr::T(Schema::Object(object))) = components.schemas.get_mut(schema) else {
                panic!("{schema} is no longer an object schema: update IDENTIFIER_FIELDS / value_rules")
            };
            let field = object.properties.get_mut(property).unwrap_or_else(|| panic!("{schema}.{property} is gone"));
            declare_pattern(field, &pattern);
        }
        if let Some(RefOr::T(Schema::Object(provider))) = components.schemas.get_mut("ProviderInput") {
            if let Some(RefOr::T(Schema::Object(name))) = provider.properties.get_mut("name") {
                (name.min_length, name.max_length) = (Some(1), Some(200));
            }
        }
    }
}

#[derive(OpenApi)]
#[openapi(
    servers(
        (url = "/", description = "This API: the host that serves this document"),
        (url = "http://127.0.0.1:3000", description = "Local development (`make run`)")
    ),
    info(
        title = "Zorginkoop API",
        description = "Replaced by the guide (guide.md) in generate().",
        license(name = "EUPL-1.2", identifier = "EUPL-1.2")
    ),
    paths(crate::openapi_json, crate::docs_page, crate::dashboard_page, crate::lifecycle_svg, crate::me),
    components(schemas(edge::Problem, edge::FieldError)),
    modifiers(&BearerScheme),
    tags((name = "meta", description = "The API itself: who am I, its description."))
)]
struct RootDoc;

/// The getting-started guide: the spec's top-level description (Markdown).
pub const GUIDE: &str = include_str!("guide.md");

/// The whole API's OpenAPI document, as the code declares it.
pub fn generate() -> OpenApiDoc {
    let mut doc = RootDoc::openapi();
    // The top-level description is the guide Redoc shows first on /docs.
    doc.info.description = Some(GUIDE.to_owned());
    doc.merge(proposals::ApiDoc::openapi());
    doc.merge(quotes::ApiDoc::openapi());
    doc.merge(themes::ApiDoc::openapi());
    ExplicitPublicSecurity.modify(&mut doc);
    DeclaredIdentifiers.modify(&mut doc);
    crate::problems::add_shared_problems(&mut doc);
    doc
}

/// The document as committed: pretty JSON with a trailing newline.
pub fn generate_json() -> String {
    let mut text = generate().to_pretty_json().expect("the OpenAPI document serialises");
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    fn committed_path() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../openapi/openapi.json")
    }

    /// The committed spec is what the code generates. `make openapi` (UPDATE_OPENAPI=1)
    /// rewrites it; CI never does, so drift fails the build.
    #[test]
    fn value_patterns_say_what_the_domain_checks() {
        use rust_decimal::Decimal;
        let tariff = regex::Regex::new(&super::positive_decimal_pattern(2)).unwrap();
        let percentage = regex::Regex::new(&super::percentage_pattern()).unwrap();
        let exact = |s: &str| domain::money::ExactDecimal::parse(s).is_ok();
        let samples = [
            "0",
            "0.00",
            "0.01",
            "0.1",
            "00.10",
            "1",
            "1.5",
            "1.50",
            "1.505",
            "250.00",
            "99.99999999",
            "100",
            "100.00",
            "100.01",
            "101",
            "0.000000001",
            "0.00000001",
            "-1",
            "1e3",
            "",
            ".5",
            "5.",
            "12345678901234567890",
            "123456789012345678901",
            "00000000000000000001.5",
        ];
        for s in samples {
            let value = exact(s).then(|| s.parse::<Decimal>().unwrap());
            let positive_cents = value.is_some_and(|v| v > Decimal::ZERO && v.scale() <= 2);
            assert_eq!(tariff.is_match(s), positive_cents, "tariff {s:?}");
            let in_range = value.is_some_and(|v| v > Decimal::ZERO && v <= Decimal::ONE_HUNDRED);
            assert_eq!(percentage.is_match(s), in_range, "percentage {s:?}");
        }
    }

    /// The guide's table names every problem type the API can answer with.
    #[test]
    fn the_guide_lists_every_problem_type() {
        use edge::ApiError;
        let every = [
            ApiError::BadRequest(String::new()),
            ApiError::Unauthorized,
            ApiError::Forbidden(String::new()),
            ApiError::NotFound,
            ApiError::MethodNotAllowed { allow: vec![] },
            ApiError::Conflict(String::new()),
            ApiError::PreconditionFailed(String::new()),
            ApiError::PreconditionRequired(String::new()),
            ApiError::PayloadTooLarge { limit: 1 },
            ApiError::UnsupportedMediaType(String::new()),
            ApiError::NotAcceptable(String::new()),
            ApiError::Validation(vec![]),
            ApiError::Unprocessable(String::new()),
            ApiError::ServiceUnavailable,
            ApiError::TooManyRequests { retry_after: 1 },
            ApiError::QuotaExceeded { detail: String::new(), retry_after: 1 },
            ApiError::LimitReached(String::new()),
            ApiError::NotFoundWhy(String::new()),
            ApiError::internal("x"),
            ApiError::InvalidToken(String::new()),
        ];
        // No wildcard: a new ApiError variant does not compile here, and the set check below
        // fails until `every` holds one of each.
        let variant = |err: &ApiError| match err {
            ApiError::BadRequest(_) => 0,
            ApiError::Unauthorized => 1,
            ApiError::Forbidden(_) => 2,
            ApiError::NotFound => 3,
            ApiError::NotFoundWhy(_) => 4,
            ApiError::MethodNotAllowed { .. } => 5,
            ApiError::Conflict(_) => 6,
            ApiError::PreconditionFailed(_) => 7,
            ApiError::PreconditionRequired(_) => 8,
            ApiError::PayloadTooLarge { .. } => 9,
            ApiError::UnsupportedMediaType(_) => 10,
            ApiError::NotAcceptable(_) => 11,
            ApiError::Validation(_) => 12,
            ApiError::Unprocessable(_) => 13,
            ApiError::ServiceUnavailable => 14,
            ApiError::TooManyRequests { .. } => 15,
            ApiError::QuotaExceeded { .. } => 16,
            ApiError::LimitReached(_) => 17,
            ApiError::Internal(_) => 18,
            ApiError::InvalidToken(_) => 19,
        };
        let listed: std::collections::BTreeSet<usize> = every.iter().map(variant).collect();
        assert_eq!(listed, (0..=19).collect(), "`every` holds one of each ApiError variant");
        for err in every {
            let problem = err.to_problem();
            let row = format!("| `{}` | {} |", problem.problem_type, problem.status);
            assert!(super::GUIDE.contains(&row), "the guide lacks {row}");
        }
        assert!(super::GUIDE.contains("](docs/lifecycle.svg)"), "the guide shows the lifecycle picture");
    }

    #[test]
    fn spec_is_committed() {
        let generated = super::generate_json();
        if std::env::var_os("UPDATE_OPENAPI").is_some() {
            std::fs::write(committed_path(), &generated).expect("writing openapi/openapi.json");
            return;
        }
        let committed = std::fs::read_to_string(committed_path()).expect("reading openapi/openapi.json");
        assert!(
            committed == generated,
            "openapi/openapi.json differs from the code's spec; run `make openapi` and commit the result"
        );
    }

    /// Every operation states its security: `bearer`, or an explicit empty list when public.
    /// The operations state the limits in words (utoipa takes literal text); this keeps the
    /// words equal to the numbers the code enforces.
    #[test]
    fn documented_limits_are_the_enforced_ones() {
        let spec = super::generate_json();
        let limits = domain::limits::Limits::DEFAULT;
        for said in [
            format!("kept {} days", domain::quote::RETENTION_DAYS),
            format!("expire after {} days", domain::quote::RETENTION_DAYS),
            format!("{} quotes per UTC day", edge_thousands(limits.quotes_per_day)),
            format!("({} by default)", limits.open_drafts_per_igo),
            format!("{} versions", domain::limits::MAX_VERSIONS_PER_PROPOSAL),
            format!("at most {} KiB", edge::http::PROPOSAL_BODY_BYTES / 1024),
            format!("Body larger than {} KiB", edge::http::PROPOSAL_BODY_BYTES / 1024),
        ] {
            assert!(spec.contains(&said), "the spec should say {said:?}");
        }
    }

    /// Issue 15 item 4: every AGB code in the spec's examples has the zorgsoort its kind of
    /// provider usually has (the IGO's is 53), and the examples agree with each other.
    #[test]
    fn example_agb_codes_have_the_zorgsoort_of_their_kind() {
        use domain::prestatie::{ProviderKind, IGO_AGB_ZORGSOORT};
        fn walk(value: &serde_json::Value, parent: &str, seen: &mut Vec<(String, String)>) {
            match value {
                serde_json::Value::Object(map) => {
                    if let Some(agb) = map.get("agb").and_then(|a| a.as_str()) {
                        let kind = map.get("kind").and_then(|k| k.as_str()).unwrap_or(parent);
                        seen.push((agb.to_owned(), kind.to_owned()));
                    }
                    for (key, child) in map {
                        walk(child, key, seen);
                    }
                }
                serde_json::Value::Array(items) => items.iter().for_each(|item| walk(item, parent, seen)),
                _ => {}
            }
        }
        let spec: serde_json::Value = serde_json::from_str(&super::generate_json()).unwrap();
        let mut seen = Vec::new();
        walk(&spec, "", &mut seen);
        assert!(seen.len() >= 10, "the examples' AGB codes were found: {seen:?}");
        let mut names = std::collections::BTreeMap::new();
        for (agb, kind) in &seen {
            let expected = match kind.as_str() {
                "igo" => Some(IGO_AGB_ZORGSOORT),
                kind => serde_json::from_value::<ProviderKind>(serde_json::json!(kind))
                    .ok()
                    .and_then(|k| k.usual_agb_zorgsoort()),
            };
            if let Some(prefix) = expected {
                assert!(agb.starts_with(prefix), "{agb} ({kind}) should start with {prefix}");
            }
            assert_eq!(names.entry(agb.clone()).or_insert(kind.clone()), kind, "{agb} names one kind");
        }
    }

    fn edge_thousands(n: u32) -> String {
        match n {
            1_000.. => format!("{},{:03}", n / 1000, n % 1000),
            _ => n.to_string(),
        }
    }

    #[test]
    fn every_operation_states_its_security() {
        let doc = super::generate();
        for (path, item) in &doc.paths.paths {
            let ops = [&item.get, &item.put, &item.post, &item.delete, &item.patch];
            for op in ops.into_iter().flatten() {
                let security = op.security.as_ref().unwrap_or_else(|| panic!("{path} has no security"));
                let json = serde_json::to_value(security).unwrap();
                assert!(
                    json == serde_json::json!([]) || json == serde_json::json!([{ "bearer": [] }]),
                    "{path}: unexpected security {json}"
                );
            }
        }
    }

    /// Merging keeps only one of two schemas with the same name, so two Rust types that both
    /// call themselves e.g. `CareShift` would silently document one shape for both. Every
    /// name shared by the crates' documents must describe the same schema.
    #[test]
    fn no_two_types_share_a_schema_name() {
        use utoipa::OpenApi;
        let docs = [
            ("docs", super::RootDoc::openapi()),
            ("proposals", proposals::ApiDoc::openapi()),
            ("quotes", quotes::ApiDoc::openapi()),
            ("themes", themes::ApiDoc::openapi()),
        ];
        let mut seen: std::collections::BTreeMap<String, (&str, serde_json::Value)> = Default::default();
        for (crate_name, doc) in &docs {
            let Some(components) = &doc.components else { continue };
            for (name, schema) in &components.schemas {
                let schema = serde_json::to_value(schema).unwrap();
                match seen.get(name) {
                    Some((other, first)) => assert!(
                        *first == schema,
                        "schema {name} of {crate_name} differs from {other}'s: give one a `#[schema(as = ...)]` name"
                    ),
                    None => {
                        seen.insert(name.clone(), (crate_name, schema));
                    }
                }
            }
        }
    }

    #[test]
    fn every_operation_has_an_operation_id_and_tag() {
        let doc = super::generate();
        for (path, item) in &doc.paths.paths {
            let ops = [&item.get, &item.put, &item.post, &item.delete, &item.patch];
            for op in ops.into_iter().flatten() {
                assert!(op.operation_id.as_deref().is_some_and(|id| !id.is_empty()), "{path} lacks an operationId");
                assert!(op.tags.as_ref().is_some_and(|t| !t.is_empty()), "{path} lacks a tag");
            }
        }
    }
}
