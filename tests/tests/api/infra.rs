//! `infra/template.yaml` as deployed: least privilege of every function's IAM statements (a small
//! checker, itself shown to catch each kind of violation) and the Lambda, log and table settings.
//! The table's key design is checked against the code in `foundation.rs`, not here.

use std::collections::BTreeSet;

use serde_yaml::Value as Yaml;

/// Item-level data actions a function may be granted. Anything else (table management, Scan,
/// PartiQL, wildcards) is refused: listings Query key and index designs, never Scan.
const DATA_ACTIONS: &[&str] = &[
    "dynamodb:GetItem",
    "dynamodb:BatchGetItem",
    "dynamodb:Query",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:BatchWriteItem",
    "dynamodb:ConditionCheckItem",
];

/// The only actions that mean anything on an index ARN.
const INDEX_ACTIONS: &[&str] = &["dynamodb:Query"];

/// Functions that serve public reads and must never write.
const READ_ONLY_FUNCTIONS: &[&str] = &["ThemesFunction", "AuthorizerFunction"];
const READ_ACTIONS: &[&str] = &["dynamodb:GetItem", "dynamodb:Query", "dynamodb:BatchGetItem"];

/// Functions that must not touch the table at all.
const NO_TABLE_FUNCTIONS: &[&str] = &["DocsFunction"];

fn template() -> Yaml {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../infra/template.yaml");
    let text = std::fs::read_to_string(path).expect("reading infra/template.yaml");
    serde_yaml::from_str(&text).expect("infra/template.yaml is YAML")
}

/// Logical ids and definitions of the template's resources of one type.
fn resources_of_type<'a>(template: &'a Yaml, kind: &str) -> Vec<(String, &'a Yaml)> {
    template["Resources"]
        .as_mapping()
        .expect("Resources is a mapping")
        .iter()
        .filter(|(_, resource)| resource["Type"] == kind)
        .map(|(id, resource)| (id.as_str().expect("logical ids are strings").to_owned(), resource))
        .collect()
}

/// A string or a list of strings (IAM's `Action` and `Resource` take both); other shapes are
/// returned as their YAML text so the checker can report them.
fn one_or_many(value: &Yaml) -> Vec<Yaml> {
    match value {
        Yaml::Sequence(items) => items.clone(),
        Yaml::Null => Vec::new(),
        other => vec![other.clone()],
    }
}

fn describe(value: &Yaml) -> String {
    serde_yaml::to_string(value).unwrap_or_default().trim().replace('\n', " ")
}

/// What an IAM resource in the template points at.
#[derive(Debug, PartialEq, Eq)]
enum Target {
    Table,
    /// `${Table.Arn}/index/NAME`; `*` stands for every index of that table.
    Index(String),
    Other(String),
}

/// Recognises `!GetAtt T.Arn`, `!Sub '${T.Arn}'` and `!Sub '${T.Arn}/index/NAME'` (short or
/// long `Fn::` form) where `T` is the table's logical id; everything else is `Other`.
fn target(resource: &Yaml, table_id: &str) -> Target {
    let table_arn = format!("{table_id}.Arn");
    let (function, argument) = match resource {
        Yaml::Tagged(tagged) => (tagged.tag.to_string().trim_start_matches('!').to_owned(), tagged.value.clone()),
        Yaml::Mapping(map) if map.len() == 1 => {
            let (key, value) = map.iter().next().expect("one entry");
            let key = key.as_str().unwrap_or_default();
            (key.strip_prefix("Fn::").unwrap_or(key).to_owned(), value.clone())
        }
        other => return Target::Other(describe(other)),
    };
    match (function.as_str(), &argument) {
        ("GetAtt", Yaml::String(s)) if *s == table_arn => Target::Table,
        ("GetAtt", Yaml::Sequence(parts)) if parts.len() == 2 && parts[0] == table_id && parts[1] == "Arn" => {
            Target::Table
        }
        ("Sub", Yaml::String(s)) => {
            let prefix = format!("${{{table_arn}}}");
            match s.strip_prefix(&prefix) {
                Some("") => Target::Table,
                Some(rest) => match rest.strip_prefix("/index/") {
                    Some(index) if !index.is_empty() && !index.contains('/') => Target::Index(index.to_owned()),
                    _ => Target::Other(describe(resource)),
                },
                None => Target::Other(describe(resource)),
            }
        }
        _ => Target::Other(describe(resource)),
    }
}

/// Every way the template's function policies break least privilege, one line per finding
/// (`Function: what`). Empty means the rule holds.
fn policy_violations(template: &Yaml) -> Vec<String> {
    let tables = resources_of_type(template, "AWS::DynamoDB::Table");
    assert_eq!(tables.len(), 1, "one table");
    let table_id = tables[0].0.as_str();
    let index_names: BTreeSet<&str> = storage::table::TABLE.indexes.iter().map(|i| i.name).collect();

    let mut found = Vec::new();
    for (function, resource) in resources_of_type(template, "AWS::Serverless::Function") {
        let mut report = |what: String| found.push(format!("{function}: {what}"));
        let read_only = READ_ONLY_FUNCTIONS.contains(&function.as_str());
        let no_table = NO_TABLE_FUNCTIONS.contains(&function.as_str());
        if resource["Properties"]["Role"] != Yaml::Null {
            report("a Role of its own bypasses the checked Policies".into());
        }
        for policy in one_or_many(&resource["Properties"]["Policies"]) {
            let Some(statements) = policy.get("Statement") else {
                // A managed policy name/ARN or a SAM policy template (DynamoDBCrudPolicy grants
                // Scan, DeleteItem and more on the whole table): not verifiable, so refused.
                report(format!("policy {} is not an inline statement list", describe(&policy)));
                continue;
            };
            for statement in one_or_many(statements) {
                for inverted in ["NotAction", "NotResource", "NotPrincipal"] {
                    if statement.get(inverted).is_some() {
                        report(format!("statement uses {inverted}"));
                    }
                }
                if statement["Effect"] != "Allow" {
                    continue; // a Deny only narrows
                }
                if no_table {
                    report(format!("has no business with the table but is granted {}", describe(&statement)));
                    continue;
                }
                let actions: Vec<String> = one_or_many(&statement["Action"])
                    .iter()
                    .map(|a| a.as_str().map_or_else(|| describe(a), str::to_owned))
                    .collect();
                let targets: Vec<Target> =
                    one_or_many(&statement["Resource"]).iter().map(|r| target(r, table_id)).collect();
                if actions.is_empty() {
                    report("statement without Action".into());
                }
                if targets.is_empty() {
                    report("statement without Resource".into());
                }
                for action in &actions {
                    if action.contains('*') {
                        report(format!("grants wildcard action {action}"));
                    } else if action.starts_with("dynamodb:Transact") {
                        report(format!(
                            "{action} is not an IAM action: IAM checks each Put/Update/Delete/ConditionCheck inside a transaction"
                        ));
                    } else if !DATA_ACTIONS.contains(&action.as_str()) {
                        report(format!("grants {action}, not an item-level DynamoDB data action"));
                    }
                    if read_only && !READ_ACTIONS.contains(&action.as_str()) {
                        report(format!("is read-only but is granted {action}"));
                    }
                }
                for target in &targets {
                    match target {
                        Target::Table => {}
                        Target::Index(name) => {
                            if name != "*" && !index_names.contains(name.as_str()) {
                                report(format!("names index {name}, which the table does not have"));
                            }
                            for action in actions.iter().filter(|a| !INDEX_ACTIONS.contains(&a.as_str())) {
                                report(format!("grants {action} on an index, where only Query applies"));
                            }
                        }
                        Target::Other(what) => {
                            report(format!("grants on {what}: only the table ARN and its index ARNs are allowed"))
                        }
                    }
                }
            }
        }
    }
    found
}

/// (function, action) pairs the template grants on the table or its indexes.
fn grants(template: &Yaml) -> BTreeSet<(String, String)> {
    let mut grants = BTreeSet::new();
    for (function, resource) in resources_of_type(template, "AWS::Serverless::Function") {
        for policy in one_or_many(&resource["Properties"]["Policies"]) {
            for statement in one_or_many(&policy["Statement"]) {
                for action in one_or_many(&statement["Action"]) {
                    grants.insert((function.clone(), action.as_str().unwrap_or_default().to_owned()));
                }
            }
        }
    }
    grants
}

#[test]
fn every_function_policy_is_least_privilege() {
    let template = template();
    let violations = policy_violations(&template);
    assert!(violations.is_empty(), "least-privilege violations:\n{}", violations.join("\n"));

    // Not vacuous: the checker saw the functions and their grants.
    let functions: BTreeSet<String> =
        resources_of_type(&template, "AWS::Serverless::Function").into_iter().map(|(id, _)| id).collect();
    for expected in ["ProposalsFunction", "QuotesFunction", "ThemesFunction", "DocsFunction"] {
        assert!(functions.contains(expected), "{expected} is in the template");
    }
    let grants = grants(&template);
    assert!(grants.contains(&("ProposalsFunction".into(), "dynamodb:PutItem".into())), "{grants:?}");
    assert!(grants.contains(&("ThemesFunction".into(), "dynamodb:Query".into())), "{grants:?}");
    assert!(!grants.iter().any(|(function, _)| function == "DocsFunction"), "docs has no table access");
}

/// A copy of the template with one YAML snippet put at `path` (mapping keys or list indexes).
fn with(template: &Yaml, path: &[&str], snippet: &str) -> Yaml {
    let mut copy = template.clone();
    let mut at = &mut copy;
    for step in path {
        at = match step.parse::<usize>() {
            Ok(index) => &mut at[index],
            Err(_) => &mut at[*step],
        };
    }
    *at = serde_yaml::from_str(snippet).expect("snippet is YAML");
    copy
}

/// The checker fails the template for each kind of violation (so the test above can fail).
#[test]
fn checker_reports_each_kind_of_violation() {
    let template = template();
    let proposals_statement = ["Resources", "ProposalsFunction", "Properties", "Policies", "0", "Statement", "0"];
    let cases: Vec<(&str, Yaml, &str)> = vec![
        (
            "dynamodb:* action",
            with(&template, &[&proposals_statement[..], &["Action"]].concat(), "[dynamodb:GetItem, 'dynamodb:*']"),
            "ProposalsFunction: grants wildcard action dynamodb:*",
        ),
        (
            "* action",
            with(&template, &[&proposals_statement[..], &["Action"]].concat(), "'*'"),
            "ProposalsFunction: grants wildcard action *",
        ),
        (
            "Resource: '*'",
            with(&template, &[&proposals_statement[..], &["Resource"]].concat(), "'*'"),
            "ProposalsFunction: grants on '*'",
        ),
        (
            "another table's ARN",
            with(
                &template,
                &[&proposals_statement[..], &["Resource"]].concat(),
                "[!GetAtt Table.Arn, 'arn:aws:dynamodb:eu-central-1:530123459012:table/other']",
            ),
            "ProposalsFunction: grants on arn:aws:dynamodb:eu-central-1:530123459012:table/other",
        ),
        (
            "every table's indexes",
            with(
                &template,
                &[&proposals_statement[..], &["Resource"]].concat(),
                "!Sub 'arn:aws:dynamodb:*:*:table/*/index/*'",
            ),
            "ProposalsFunction: grants on !Sub",
        ),
        (
            "Scan",
            with(&template, &[&proposals_statement[..], &["Action"]].concat(), "dynamodb:Scan"),
            "ProposalsFunction: grants dynamodb:Scan, not an item-level",
        ),
        (
            "write on the read-only themes function",
            with(
                &template,
                &["Resources", "ThemesFunction", "Properties", "Policies", "0", "Statement", "0", "Action"],
                "[dynamodb:GetItem, dynamodb:PutItem]",
            ),
            "ThemesFunction: is read-only but is granted dynamodb:PutItem",
        ),
        (
            "table access for docs",
            with(
                &template,
                &["Resources", "DocsFunction", "Properties", "Policies"],
                "[{Statement: [{Effect: Allow, Action: dynamodb:GetItem, Resource: !GetAtt Table.Arn}]}]",
            ),
            "DocsFunction: has no business with the table",
        ),
        (
            "SAM policy template",
            with(
                &template,
                &["Resources", "QuotesFunction", "Properties", "Policies"],
                "[{DynamoDBCrudPolicy: {TableName: !Ref Table}}]",
            ),
            "QuotesFunction: policy DynamoDBCrudPolicy",
        ),
        (
            "write on an index",
            with(
                &template,
                &[&proposals_statement[..], &["Resource"]].concat(),
                "[!GetAtt Table.Arn, !Sub '${Table.Arn}/index/GSI1']",
            ),
            "ProposalsFunction: grants dynamodb:PutItem on an index",
        ),
        (
            "unknown index",
            with(
                &template,
                &["Resources", "ProposalsFunction", "Properties", "Policies", "0", "Statement", "1", "Resource"],
                "!Sub '${Table.Arn}/index/GSI9'",
            ),
            "ProposalsFunction: names index GSI9",
        ),
        (
            "NotResource",
            with(&template, &[&proposals_statement[..], &["NotResource"]].concat(), "!GetAtt Table.Arn"),
            "ProposalsFunction: statement uses NotResource",
        ),
    ];
    for (case, broken, expected) in cases {
        let violations = policy_violations(&broken);
        assert!(
            violations.iter().any(|v| v.starts_with(expected)),
            "{case}: expected a finding starting with {expected:?}, got {violations:#?}"
        );
    }
}

/// A function property, falling back to `Globals.Function`.
fn effective<'a>(template: &'a Yaml, function: &'a Yaml, key: &str) -> &'a Yaml {
    match &function["Properties"][key] {
        Yaml::Null => &template["Globals"]["Function"][key],
        value => value,
    }
}

fn is_ref(value: &Yaml, target: &str) -> bool {
    matches!(value, Yaml::Tagged(t) if t.tag == "Ref" && t.value == target)
}

#[test]
fn functions_logs_and_table_have_the_deployed_settings() {
    let template = template();
    let functions = resources_of_type(&template, "AWS::Serverless::Function");
    for (id, function) in &functions {
        assert_eq!(*effective(&template, function, "Runtime"), "provided.al2023", "{id}");
        assert_eq!(
            effective(&template, function, "Architectures"),
            &serde_yaml::from_str::<Yaml>("[arm64]").unwrap(),
            "{id}"
        );
        assert_eq!(*effective(&template, function, "Handler"), "bootstrap", "{id}");
        assert_eq!(function["Metadata"]["BuildMethod"], "rust-cargolambda", "{id}");
        assert!(function["Metadata"]["BuildProperties"]["Binary"].as_str().is_some(), "{id}: binary named");
        let memory = effective(&template, function, "MemorySize").as_u64().expect("MemorySize");
        assert!((128..=256).contains(&memory), "{id}: memory {memory} MB");
        let timeout = effective(&template, function, "Timeout").as_u64().expect("Timeout");
        assert!((1..=10).contains(&timeout), "{id}: timeout {timeout} s");
        // SAM merges a function's environment variables over the global ones, name by name.
        let env = |name: &str| match &function["Properties"]["Environment"]["Variables"][name] {
            Yaml::Null => &template["Globals"]["Function"]["Environment"]["Variables"][name],
            value => value,
        };
        assert!(is_ref(env("TABLE_NAME"), "Table"), "{id}: TABLE_NAME = !Ref Table");
        assert!(is_ref(env("LOG_LEVEL"), "LogLevel"), "{id}: LOG_LEVEL = !Ref LogLevel");
        // Functions with authenticated routes and the table limit each organisation's requests.
        if ["ProposalsFunction", "QuotesFunction", "ThemesPublisherFunction"].contains(&id.as_str()) {
            assert!(is_ref(env("RATE_LIMIT_PER_SECOND"), "OrgRequestsPerSecond"), "{id}: RATE_LIMIT_PER_SECOND");
        }

        // Logs go to a log group of the stack's own, with a retention.
        let group = &function["Properties"]["LoggingConfig"]["LogGroup"];
        let Yaml::Tagged(group) = group else { panic!("{id}: LoggingConfig.LogGroup is a !Ref") };
        let group = &template["Resources"][group.value.as_str().expect("log group id")];
        assert_eq!(group["Type"], "AWS::Logs::LogGroup", "{id}");
        assert!(is_ref(&group["Properties"]["RetentionInDays"], "LogRetentionDays"), "{id}: retention");
    }
    assert!(functions.len() >= 4, "one function per resource group");

    let api = &template["Resources"]["HttpApi"]["Properties"];
    assert!(is_ref(&api["CorsConfiguration"]["AllowOrigins"], "CorsAllowedOrigins"));
    assert!(is_ref(&api["DefaultRouteSettings"]["ThrottlingRateLimit"], "ThrottlingRateLimit"));
    assert!(is_ref(&api["DefaultRouteSettings"]["ThrottlingBurstLimit"], "ThrottlingBurstLimit"));
    let format = api["AccessLogSettings"]["Format"].as_str().expect("access log format");
    let fields: serde_json::Value = serde_json::from_str(format).expect("access log format is JSON");
    assert!(fields.get("requestId").is_some() && fields.get("status").is_some(), "{fields}");
    // The access log names the principal the authorizer resolved (never the token).
    assert_eq!(fields["sub"], "$context.authorizer.sub");
    assert_eq!(fields["org"], "$context.authorizer.org");

    let table = &template["Resources"]["Table"];
    assert_eq!(table["DeletionPolicy"], "Retain");
    let props = &table["Properties"];
    assert_eq!(props["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"], true);
    assert_eq!(props["SSESpecification"]["SSEEnabled"], true);
    assert_eq!(props["TimeToLiveSpecification"]["Enabled"], true);
    let protection: Yaml = serde_yaml::from_str("!If [IsProd, true, false]").unwrap();
    assert_eq!(props["DeletionProtectionEnabled"], protection, "deletion protection in prod");
    assert_eq!(template["Conditions"]["IsProd"], serde_yaml::from_str::<Yaml>("!Equals [!Ref Stage, prod]").unwrap());

    for output in ["ApiUrl", "TableName"] {
        assert!(template["Outputs"][output]["Value"] != Yaml::Null, "output {output}");
    }
}

/// The partition-key prefix (`PROPOSAL#*`) of a key the storage crate builds: the first segment.
fn prefix(key: &str) -> String {
    format!("{}#*", key.split('#').next().unwrap())
}

/// The `dynamodb:LeadingKeys` patterns of one function's statements, per statement Sid; a
/// statement with a table or index action and no such condition is reported as `None`.
fn leading_keys(template: &Yaml, function: &str) -> Vec<(String, Option<BTreeSet<String>>)> {
    let resource = &template["Resources"][function];
    let mut out = Vec::new();
    for policy in one_or_many(&resource["Properties"]["Policies"]) {
        for statement in one_or_many(&policy["Statement"]) {
            let sid = statement["Sid"].as_str().unwrap_or("?").to_owned();
            let condition = &statement["Condition"]["ForAllValues:StringLike"]["dynamodb:LeadingKeys"];
            let keys = (!condition.is_null())
                .then(|| one_or_many(condition).iter().map(|k| k.as_str().unwrap_or_default().to_owned()).collect());
            out.push((sid, keys));
        }
    }
    out
}

/// Issue 21: each function may touch only its own partitions (`dynamodb:LeadingKeys` on the
/// prefixes `storage::keys` builds), so the public themes function cannot read proposals,
/// quotes or idempotency records, and the quotes function cannot read proposals.
#[test]
fn each_function_touches_only_its_partition_prefixes() {
    use storage::keys;
    let template = template();
    let proposal = prefix(&keys::proposal::pk("x"));
    let idempotency = prefix(&keys::proposal::idempotency_pk("igo", "1", "k"));
    let list = prefix(&keys::proposal::list_partition("IGO", "1", None, None, None));
    let quote = prefix(&keys::quote::pk("1"));
    let themes = prefix(keys::themes::LATEST_PK);
    let principal = prefix(&keys::principal::pk("https://issuer"));
    // Functions with authenticated routes count their callers' requests (per-organisation limits).
    let rate = prefix(&keys::rate::pk("1", 0));
    assert_eq!(themes, prefix(&keys::themes::edition_pk("x")));
    assert_eq!(themes, prefix(keys::themes::EDITIONS_PARTITION));
    // Issue 18: proposals write the organisations' feeds and read any feed (the public one too);
    // the publisher writes only the public feed.
    let feeds = prefix(&keys::event::feed("IGO", "1"));
    let own_feed = |side: &str| format!("{}*", keys::event::feed(side, ""));
    let (igo_feeds, insurer_feeds) = (own_feed("IGO"), own_feed("INS"));
    let public_feed = keys::event::PUBLIC_FEED.to_owned();
    let set = |items: &[&String]| items.iter().map(|s| s.to_string()).collect::<BTreeSet<String>>();
    let expected: [(&str, BTreeSet<String>); 5] = [
        // Proposals read the caller's quote for `from_quote`.
        (
            "ProposalsFunction",
            set(&[&proposal, &idempotency, &list, &quote, &rate, &feeds, &igo_feeds, &insurer_feeds]),
        ),
        ("QuotesFunction", set(&[&quote, &rate])),
        ("ThemesFunction", set(&[&themes])),
        ("ThemesPublisherFunction", set(&[&themes, &rate, &public_feed])),
        // The authorizer reads principal registry entries, nothing else.
        ("AuthorizerFunction", set(&[&principal])),
    ];
    for (function, allowed) in expected {
        let statements = leading_keys(&template, function);
        assert!(!statements.is_empty(), "{function} has statements");
        let mut granted = BTreeSet::new();
        for (sid, keys) in statements {
            let keys = keys.unwrap_or_else(|| panic!("{function} {sid}: no dynamodb:LeadingKeys condition"));
            assert!(keys.is_subset(&allowed), "{function} {sid}: {keys:?} beyond {allowed:?}");
            granted.extend(keys);
        }
        assert_eq!(granted, allowed, "{function}: the prefixes it needs");
    }
    for forbidden in [&proposal, &idempotency, &list, &quote, &rate, &feeds] {
        let themes_keys: Vec<_> = leading_keys(&template, "ThemesFunction");
        assert!(!themes_keys.iter().any(|(_, k)| k.as_ref().is_some_and(|k| k.contains(forbidden))), "{forbidden}");
    }
}

/// Issue 21 item 3: every write route (each POST/PUT event of every function) has its own,
/// lower throttle than the default route settings.
#[test]
fn write_routes_have_the_lower_write_throttle() {
    let template = template();
    let api = &template["Resources"]["HttpApi"]["Properties"];
    let settings = &api["RouteSettings"];
    let mut writes = Vec::new();
    for (_, function) in resources_of_type(&template, "AWS::Serverless::Function") {
        for (_, event) in function["Properties"]["Events"].as_mapping().into_iter().flatten() {
            let method = event["Properties"]["Method"].as_str().unwrap_or_default();
            if event["Type"] == "HttpApi" && matches!(method, "POST" | "PUT" | "PATCH" | "DELETE") {
                writes.push(format!("{method} {}", event["Properties"]["Path"].as_str().unwrap()));
            }
        }
    }
    assert!(writes.len() >= 6, "the write routes were found: {writes:?}");
    for route in &writes {
        let route_settings = &settings[route.as_str()];
        assert!(is_ref(&route_settings["ThrottlingRateLimit"], "WriteThrottlingRateLimit"), "{route}");
        assert!(is_ref(&route_settings["ThrottlingBurstLimit"], "WriteThrottlingBurstLimit"), "{route}");
    }
    let listed = settings.as_mapping().map(|m| m.len()).unwrap_or_default();
    assert_eq!(listed, writes.len(), "RouteSettings names only existing write routes");
    let default = |name: &str| template["Parameters"][name]["Default"].as_u64().unwrap();
    assert!(default("WriteThrottlingRateLimit") < default("ThrottlingRateLimit"));
    assert!(default("WriteThrottlingBurstLimit") < default("ThrottlingBurstLimit"));
}

/// Issue 21 item 3: the optional AWS WAF web ACL. HTTP APIs cannot carry one, so the parameter
/// puts a CloudFront distribution with it in front of the API; infra/waf.yaml (us-east-1) makes
/// the web ACL with a rate-based rule per client IP. Both files are cfn-lint clean (check-infra).
#[test]
fn an_optional_waf_web_acl_fronts_the_api_through_cloudfront() {
    let template = template();
    let parameter = &template["Parameters"]["WafWebAclArn"];
    assert_eq!(parameter["Default"], "", "off by default");
    let pattern = waf_arn_pattern_is_strict(parameter["AllowedPattern"].as_str().unwrap());
    assert!(pattern, "the pattern admits only empty or a CLOUDFRONT-scope web ACL ARN");
    let distribution = &template["Resources"]["ProtectedApiDistribution"];
    assert_eq!(distribution["Type"], "AWS::CloudFront::Distribution");
    assert_eq!(distribution["Condition"], "HasWaf");
    let config = &distribution["Properties"]["DistributionConfig"];
    assert!(is_ref(&config["WebACLId"], "WafWebAclArn"));
    // The themes CDN, when on, is a second entry point: it carries the same web ACL.
    let themes = &template["Resources"]["ThemesDistribution"]["Properties"]["DistributionConfig"]["WebACLId"];
    let themes = serde_yaml::to_string(themes).unwrap();
    assert!(themes.contains("HasWaf") && themes.contains("WafWebAclArn"), "{themes}");
    let methods = one_or_many(&config["DefaultCacheBehavior"]["AllowedMethods"]);
    for method in ["GET", "POST", "PUT", "OPTIONS"] {
        assert!(methods.iter().any(|m| m == method), "{method} passes through");
    }

    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../infra/waf.yaml");
    let waf: Yaml = serde_yaml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let acl = &waf["Resources"]["WebAcl"];
    assert_eq!(acl["Type"], "AWS::WAFv2::WebACL");
    assert_eq!(acl["Properties"]["Scope"], "CLOUDFRONT");
    let rules = one_or_many(&acl["Properties"]["Rules"]);
    let rate = rules.iter().find(|r| !r["Statement"]["RateBasedStatement"].is_null()).expect("a rate-based rule");
    let statement = &rate["Statement"]["RateBasedStatement"];
    assert_eq!(statement["AggregateKeyType"], "IP");
    assert!(is_ref(&statement["Limit"], "RequestsPerFiveMinutes"));
    assert_eq!(rate["Action"]["Block"]["CustomResponse"]["ResponseCode"], 429);
}

/// The ARN pattern in the template, checked on examples without a regex engine: it must be
/// anchored, allow empty, and name the us-east-1 global (CLOUDFRONT) scope.
fn waf_arn_pattern_is_strict(pattern: &str) -> bool {
    pattern.starts_with("^$|^arn:aws:wafv2:us-east-1:") && pattern.contains(":global/webacl/") && pattern.ends_with('$')
}

/// Issue 21 item 3: the caps are stack parameters wired to the functions that enforce them.
#[test]
fn caps_are_stack_parameters_of_the_functions_that_enforce_them() {
    let template = template();
    let env = |function: &str, name: &str| {
        template["Resources"][function]["Properties"]["Environment"]["Variables"][name].clone()
    };
    assert!(is_ref(&env("ProposalsFunction", "MAX_OPEN_DRAFTS"), "MaxOpenDraftsPerIgo"));
    assert!(is_ref(&env("QuotesFunction", "MAX_QUOTES_PER_DAY"), "MaxQuotesPerDay"));
    let limits = domain::limits::Limits::DEFAULT;
    assert_eq!(
        template["Parameters"]["MaxOpenDraftsPerIgo"]["Default"].as_u64(),
        Some(limits.open_drafts_per_igo.into())
    );
    assert_eq!(template["Parameters"]["MaxQuotesPerDay"]["Default"].as_u64(), Some(limits.quotes_per_day.into()));
}

/// Issue 17: the Lambda authorizer guards exactly the routes `domain::principal` gives a
/// requirement (every other route is `Authorizer: NONE`), its decisions are cached per token and
/// route, it runs with the issuer the identity-provider parameter picks, and the embedded
/// Cognito resource server offers exactly the API's scopes.
#[test]
fn the_lambda_authorizer_guards_exactly_the_routes_that_need_a_principal() {
    use domain::principal::{route_requirement, Scope};
    let template = template();
    let api = &template["Resources"]["HttpApi"]["Properties"];
    let name = api["Auth"]["DefaultAuthorizer"].as_str().expect("a default authorizer");
    let authorizer = &api["Auth"]["Authorizers"][name];
    assert_eq!(authorizer["FunctionArn"], serde_yaml::from_str::<Yaml>("!GetAtt AuthorizerFunction.Arn").unwrap());
    assert_eq!(authorizer["AuthorizerPayloadFormatVersion"], "2.0");
    assert_eq!(authorizer["EnableSimpleResponses"], true);
    assert_eq!(authorizer["Identity"]["Headers"], serde_yaml::from_str::<Yaml>("[Authorization]").unwrap());
    // Scopes differ per route, so a decision cached for one route must not answer another.
    assert_eq!(authorizer["Identity"]["Context"], serde_yaml::from_str::<Yaml>("[routeKey]").unwrap());
    assert!(is_ref(&authorizer["Identity"]["ReauthorizeEvery"], "AuthorizerCacheSeconds"));

    let mut guarded = 0;
    for (id, function) in resources_of_type(&template, "AWS::Serverless::Function") {
        let Some(events) = function["Properties"]["Events"].as_mapping() else { continue };
        for (event, spec) in events {
            let props = &spec["Properties"];
            let route_key = format!("{} {}", str_of(&props["Method"]), str_of(&props["Path"]));
            let public = props["Auth"]["Authorizer"] == "NONE";
            let needs_principal = route_requirement(&route_key).is_some();
            assert_eq!(!public, needs_principal, "{id} {event:?}: {route_key} public={public}");
            guarded += usize::from(needs_principal);
        }
    }
    assert!(guarded >= 10, "the authenticated routes were found ({guarded})");

    let function = &template["Resources"]["AuthorizerFunction"];
    assert_eq!(function["Metadata"]["BuildProperties"]["Binary"], "authorizer");
    let env = &function["Properties"]["Environment"]["Variables"];
    let issuer: Yaml = serde_yaml::from_str(
        "!If [UseCognito, !Sub 'https://cognito-idp.${AWS::Region}.amazonaws.com/${UserPool}', !Ref ExternalIssuer]",
    )
    .unwrap();
    assert_eq!(env["JWT_ISSUER"], issuer);
    assert!(is_ref(&env["PRINCIPAL_CACHE_SECONDS"], "PrincipalCacheSeconds"));
    assert_eq!(template["Parameters"]["IdentityProvider"]["Default"], "cognito");

    let server = &template["Resources"]["UserPoolResourceServer"];
    assert_eq!(server["Condition"], "UseCognito");
    let identifier = str_of(&server["Properties"]["Identifier"]);
    let offered: BTreeSet<String> = one_or_many(&server["Properties"]["Scopes"])
        .iter()
        .map(|scope| format!("{identifier}/{}", str_of(&scope["ScopeName"])))
        .collect();
    let api_scopes: BTreeSet<String> = Scope::ALL.iter().map(|s| s.as_str().to_owned()).collect();
    assert_eq!(offered, api_scopes);
    assert_eq!(template["Resources"]["UserPoolDomain"]["Condition"], "UseCognito");
    assert!(template["Outputs"]["TokenEndpoint"]["Value"] != Yaml::Null);
}

/// Issue 17 item 6: mutual TLS is a parameter, off by default; when on, a custom domain with a
/// truststore serves the API and the execute-api endpoint (which would bypass it) is off.
#[test]
fn mutual_tls_is_an_optional_custom_domain_that_closes_the_default_endpoint() {
    let template = template();
    assert_eq!(template["Parameters"]["MtlsDomainName"]["Default"], "");
    let domain = &template["Resources"]["MtlsDomain"];
    assert_eq!(domain["Condition"], "UseMtls");
    assert!(is_ref(&domain["Properties"]["MutualTlsAuthentication"]["TruststoreUri"], "MtlsTruststoreUri"));
    assert_eq!(template["Resources"]["MtlsApiMapping"]["Condition"], "UseMtls");
    let closed: Yaml = serde_yaml::from_str("!If [UseMtls, true, false]").unwrap();
    assert_eq!(template["Resources"]["HttpApi"]["Properties"]["DisableExecuteApiEndpoint"], closed);
    assert!(template["Rules"]["MutualTlsIsComplete"] != Yaml::Null, "mTLS parameters are asserted together");
}

fn str_of(value: &Yaml) -> String {
    value.as_str().unwrap_or_else(|| panic!("expected a string, got {value:?}")).to_owned()
}

/// Issue 19: X-Ray on every function, an access log that names the request and the caller, and
/// the alarms an operator needs, each notifying the one topic; a dashboard of the same metrics.
#[test]
fn tracing_alarms_and_log_formats_are_in_place() {
    let template = template();
    // Active tracing on every function (Globals or the function itself).
    for (id, function) in resources_of_type(&template, "AWS::Serverless::Function") {
        assert_eq!(*effective(&template, function, "Tracing"), "Active", "{id}: X-Ray active tracing");
    }
    // The EMF namespace the dashboard searches is the one the functions write to.
    let namespace = &template["Globals"]["Function"]["Environment"]["Variables"]["METRICS_NAMESPACE"];
    assert!(
        matches!(namespace, Yaml::Tagged(t) if t.tag == "Sub" && t.value == "Zorginkoop/${Stage}"),
        "METRICS_NAMESPACE: {}",
        describe(namespace)
    );

    // The access log: the gateway's request id (what x-request-id echoes), the Lambda request
    // id, and the caller as the Lambda authorizer's context names it (never a token).
    let api = &template["Resources"]["HttpApi"]["Properties"];
    let format = api["AccessLogSettings"]["Format"].as_str().expect("access log format");
    let fields: serde_json::Value = serde_json::from_str(format).expect("access log format is JSON");
    for (field, variable) in [
        ("requestId", "$context.requestId"),
        ("lambdaRequestId", "$context.awsEndpointRequestId"),
        ("sub", "$context.authorizer.sub"),
        ("org", "$context.authorizer.org"),
        ("status", "$context.status"),
        ("latencyMs", "$context.responseLatency"),
    ] {
        assert_eq!(fields[field], variable, "access log field {field}");
    }
    assert!(!format.contains("header.Authorization") && !format.contains("authorization"), "no token in the log");

    // Alarms: each notifies AlarmTopic; together they cover the issue's list.
    let alarms = resources_of_type(&template, "AWS::CloudWatch::Alarm");
    let mut watched: BTreeSet<String> = BTreeSet::new();
    for (id, alarm) in &alarms {
        let props = &alarm["Properties"];
        assert!(
            one_or_many(&props["AlarmActions"]).iter().any(|a| is_ref(a, "AlarmTopic")),
            "{id}: notifies AlarmTopic"
        );
        assert_eq!(props["TreatMissingData"], "notBreaching", "{id}");
        let mut metrics = vec![(props["Namespace"].clone(), props["MetricName"].clone())];
        for query in one_or_many(&props["Metrics"]) {
            let metric = &query["MetricStat"]["Metric"];
            metrics.push((metric["Namespace"].clone(), metric["MetricName"].clone()));
        }
        for (namespace, name) in metrics {
            if let (Some(namespace), Some(name)) = (namespace.as_str(), name.as_str()) {
                watched.insert(format!("{namespace}/{name}"));
            }
        }
    }
    for metric in [
        "AWS/ApiGateway/5xx",
        "AWS/Lambda/Duration",
        "AWS/Lambda/Errors",
        "AWS/Lambda/Throttles",
        "AWS/DynamoDB/ReadThrottleEvents",
        "AWS/DynamoDB/WriteThrottleEvents",
        "AWS/DynamoDB/SystemErrors",
    ] {
        assert!(watched.contains(metric), "an alarm on {metric}: {watched:?}");
    }
    // Per function: p99 latency, errors and throttles.
    for (id, _) in resources_of_type(&template, "AWS::Serverless::Function") {
        for (metric, stat) in [("Duration", "ExtendedStatistic"), ("Errors", "Statistic"), ("Throttles", "Statistic")] {
            let found = alarms.iter().any(|(_, a)| {
                let p = &a["Properties"];
                p["MetricName"] == metric
                    && one_or_many(&p["Dimensions"]).iter().any(|d| is_ref(&d["Value"], &id))
                    && p[stat] != Yaml::Null
            });
            assert!(found, "{id}: an alarm on its {metric}");
        }
    }
    let p99 = alarms.iter().filter(|(_, a)| a["Properties"]["ExtendedStatistic"] == "p99").count();
    assert!(p99 >= 5, "p99 latency per function");

    // The topic and its optional e-mail subscription.
    assert_eq!(template["Resources"]["AlarmTopic"]["Type"], "AWS::SNS::Topic");
    let subscription = &template["Resources"]["AlarmEmailSubscription"];
    assert_eq!(subscription["Condition"], "HasAlarmEmail");
    assert!(is_ref(&subscription["Properties"]["Endpoint"], "AlarmEmail"));
    assert_eq!(template["Parameters"]["AlarmEmail"]["Default"], "");

    // The dashboard body is JSON once its ${...} references are filled in, and graphs the
    // alarmed metrics and the EMF ones.
    let dashboard = &template["Resources"]["OpsDashboard"];
    assert_eq!(dashboard["Type"], "AWS::CloudWatch::Dashboard");
    let Yaml::Tagged(body) = &dashboard["Properties"]["DashboardBody"] else { panic!("DashboardBody is a !Sub") };
    let text = body.value.as_str().expect("the body is one string");
    let filled = regex::Regex::new(r"\$\{[A-Za-z:]+\}").unwrap().replace_all(text, "x");
    let parsed: serde_json::Value = serde_json::from_str(&filled).expect("the dashboard body is JSON");
    let widgets = parsed["widgets"].as_array().expect("widgets");
    assert!(widgets.len() >= 8, "{} widgets", widgets.len());
    for metric in
        ["\"5xx\"", "\"Duration\"", "\"Errors\"", "\"Throttles\"", "ThrottleEvents", "SystemErrors", "Latency"]
    {
        assert!(text.contains(metric), "the dashboard graphs {metric}");
    }
    for emf in ["Zorginkoop/${Stage},Function,Route", "Zorginkoop/${Stage},Function,Operation"] {
        assert!(text.contains(emf), "the dashboard searches the EMF metrics {emf}");
    }
}
