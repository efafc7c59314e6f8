//! Builds the OpenAPI document from the code: every function crate's `ApiDoc`, merged, plus
//! the API's info, servers, tags and the bearer security scheme.
//!
//! Rules that hold for every operation (public ones say so explicitly) are applied after the
//! merge, so operations added in any crate get them without per-operation code.

use utoipa::openapi::path::Operation;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::OpenApi as OpenApiDoc;
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
                        "JWT with claims `sub`, `role` (igo, insurer, publisher) and `org` (AGB or UZOVI code).",
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

#[derive(OpenApi)]
#[openapi(
    servers(
        (url = "/", description = "This API: the host that serves this document"),
        (url = "http://127.0.0.1:3000", description = "Local development (`make run`)")
    ),
    info(
        title = "Zorginkoop API",
        description = "Contract proposals for integral birth care, integral tariff quotes, and the zorgkantoren's Wlz contracting themes.",
        license(name = "EUPL-1.2", identifier = "EUPL-1.2")
    ),
    paths(crate::openapi_json, crate::docs_page, crate::dashboard_page, crate::me),
    components(schemas(edge::Problem, edge::FieldError)),
    modifiers(&BearerScheme),
    tags((name = "meta", description = "The API itself: who am I, its description."))
)]
struct RootDoc;

/// The whole API's OpenAPI document, as the code declares it.
pub fn generate() -> OpenApiDoc {
    let mut doc = RootDoc::openapi();
    doc.merge(proposals::ApiDoc::openapi());
    doc.merge(quotes::ApiDoc::openapi());
    doc.merge(themes::ApiDoc::openapi());
    ExplicitPublicSecurity.modify(&mut doc);
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
