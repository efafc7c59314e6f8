//! The foundation's promises: a token is required where the spec says so (the authorizer's
//! own cases are in `authorizer`), problem+json errors, and
//! the parity between the code and `infra/template.yaml` (table design and routes) and the spec.

use std::collections::BTreeSet;

use integration_tests::{assert_problem, json_body, TestApp};
use serde_yaml::Value as Yaml;

#[tokio::test]
async fn protected_route_without_token_is_401_problem() {
    let app = TestApp::spawn().await;
    let response = app.get("/v1/me").send().await.unwrap();
    let www = response.headers().get("www-authenticate").map(|v| v.to_str().unwrap().to_owned());
    let problem = assert_problem(response, 401).await;
    assert_eq!(www.as_deref(), Some("Bearer"));
    assert!(problem["detail"].as_str().unwrap().to_lowercase().contains("token"), "{problem}");
}

#[tokio::test]
async fn valid_token_reaches_the_handler_with_its_claims() {
    let app = TestApp::spawn().await;
    let response = app.as_caller(app.get("/v1/me"), "insurer", "3311").await.send().await.unwrap();
    assert_eq!(response.status(), 200);
    let me = json_body(response).await;
    assert_eq!(me["role"], "insurer");
    assert_eq!(me["org"], "3311");
    assert_eq!(me["sub"], "user-insurer-3311");
    assert_eq!(me["display_name"], "Test user-insurer-3311");
    assert_eq!(me["signatory"], true);
}

#[tokio::test]
async fn unknown_path_and_wrong_method_are_problems() {
    let app = TestApp::spawn().await;
    let response = app.get("/v1/nothing-here").send().await.unwrap();
    let problem = assert_problem(response, 404).await;
    assert_eq!(problem["type"], "urn:zorginkoop:problem:not-found");

    let response = app.delete("/v1/me").send().await.unwrap();
    let allow = response.headers().get("allow").map(|v| v.to_str().unwrap().to_owned());
    assert_problem(response, 405).await;
    assert_eq!(allow.as_deref(), Some("GET, HEAD, OPTIONS"));
}

#[tokio::test]
async fn openapi_document_is_served_publicly() {
    let app = TestApp::spawn().await;
    let response = app.get("/openapi.json").send().await.unwrap();
    assert_eq!(response.status(), 200);
    let doc = json_body(response).await;
    assert_eq!(doc["info"]["title"], "Zorginkoop API");
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
}

// ---- parity with infra/template.yaml ------------------------------------------------------

fn template() -> Yaml {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../infra/template.yaml");
    let text = std::fs::read_to_string(path).expect("reading infra/template.yaml");
    serde_yaml::from_str(&text).expect("infra/template.yaml is YAML")
}

fn str_of(value: &Yaml) -> String {
    value.as_str().unwrap_or_else(|| panic!("expected a string, got {value:?}")).to_owned()
}

#[test]
fn table_definition_matches_template() {
    let template = template();
    let table = &template["Resources"]["Table"]["Properties"];
    let def = storage::table::TABLE;

    let key_schema = |schema: &Yaml| -> (String, String) {
        let elems = schema.as_sequence().expect("KeySchema is a list");
        assert_eq!(elems.len(), 2, "hash and range key");
        let find = |kind: &str| {
            elems.iter().find(|e| e["KeyType"] == kind).map(|e| str_of(&e["AttributeName"])).expect("key present")
        };
        (find("HASH"), find("RANGE"))
    };

    assert_eq!(key_schema(&table["KeySchema"]), (def.partition_key.to_owned(), def.sort_key.to_owned()));

    let attributes: BTreeSet<(String, String)> = table["AttributeDefinitions"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|a| (str_of(&a["AttributeName"]), str_of(&a["AttributeType"])))
        .collect();
    let expected: BTreeSet<(String, String)> =
        def.key_attributes().into_iter().map(|name| (name.to_owned(), "S".to_owned())).collect();
    assert_eq!(attributes, expected, "AttributeDefinitions");

    let indexes: Vec<(String, (String, String), String)> = table["GlobalSecondaryIndexes"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|i| (str_of(&i["IndexName"]), key_schema(&i["KeySchema"]), str_of(&i["Projection"]["ProjectionType"])))
        .collect();
    let expected: Vec<_> = def
        .indexes
        .iter()
        .map(|i| (i.name.to_owned(), (i.partition_key.to_owned(), i.sort_key.to_owned()), "ALL".to_owned()))
        .collect();
    assert_eq!(indexes, expected, "GlobalSecondaryIndexes");

    assert_eq!(str_of(&table["TimeToLiveSpecification"]["AttributeName"]), def.ttl_attribute);
    assert_eq!(table["BillingMode"], "PAY_PER_REQUEST");
}

/// (method, path, function logical id, public) for every HttpApi event in the template.
fn template_routes() -> BTreeSet<(String, String, String, bool)> {
    let template = template();
    let mut routes = BTreeSet::new();
    for (logical_id, resource) in template["Resources"].as_mapping().unwrap() {
        if resource["Type"] != "AWS::Serverless::Function" {
            continue;
        }
        let Some(events) = resource["Properties"]["Events"].as_mapping() else { continue };
        for event in events.values() {
            assert_eq!(event["Type"], "HttpApi", "{logical_id:?}: only HttpApi events");
            let props = &event["Properties"];
            let public = match &props["Auth"]["Authorizer"] {
                Yaml::Null => false,
                authorizer => str_of(authorizer) == "NONE",
            };
            routes.insert((str_of(&props["Method"]), str_of(&props["Path"]), str_of(logical_id), public));
        }
    }
    routes
}

/// `themes-publisher` is served by `ThemesPublisherFunction`.
fn logical_id(function: &str) -> String {
    let pascal: String = function
        .split('-')
        .map(|part| {
            let mut chars = part.chars();
            chars.next().map(|c| c.to_ascii_uppercase().to_string() + chars.as_str()).unwrap_or_default()
        })
        .collect();
    format!("{pascal}Function")
}

/// The template routes each function's [`edge::routing::Router::gateway_routes`]: its own
/// routes, HEAD beside each GET, and `ANY` (public) where it answers a path's other methods.
#[test]
fn gateway_routes_match_template_routes() {
    let gateway: BTreeSet<(String, String, String, bool)> = local_gateway::all_routers()
        .into_iter()
        .flat_map(|router| {
            let function = logical_id(router.function);
            router.gateway_routes().into_iter().map(move |r| {
                (r.method, r.path.to_owned(), function.clone(), r.access == edge::routing::AccessKind::Public)
            })
        })
        .collect();
    let template = template_routes();
    let only_code: Vec<_> = gateway.difference(&template).collect();
    let only_template: Vec<_> = template.difference(&gateway).collect();
    assert!(
        only_code.is_empty() && only_template.is_empty(),
        "routes differ (method, path, function, public)\nonly in code: {only_code:#?}\nonly in template: {only_template:#?}"
    );
}

#[test]
fn spec_paths_match_gateway_routes() {
    let spec: serde_json::Value = serde_json::from_str(&docs::spec::generate_json()).unwrap();
    let mut in_spec = BTreeSet::new();
    let mut public_in_spec = BTreeSet::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            if !["get", "put", "post", "delete", "patch"].contains(&method.as_str()) {
                continue;
            }
            let key = (method.to_uppercase(), path.clone());
            // Public operations carry an explicit empty `security` list (see docs::spec).
            if op.get("security").is_none_or(|s| s.as_array().is_some_and(|a| a.is_empty())) {
                public_in_spec.insert(key.clone());
            }
            in_spec.insert(key);
        }
    }
    let routes = local_gateway::route_table();
    let in_code: BTreeSet<(String, String)> = routes.iter().map(|(m, p, _)| (m.clone(), p.clone())).collect();
    assert_eq!(in_spec, in_code, "spec paths vs gateway routes");

    let public_in_code: BTreeSet<(String, String)> = local_gateway::all_routers()
        .into_iter()
        .flat_map(|r| r.routes)
        .filter(|r| r.access == edge::routing::Access::Public)
        .map(|r| (r.method.to_string(), r.path.to_owned()))
        .collect();
    assert_eq!(public_in_spec, public_in_code, "operations without bearer security vs public routes");
}
