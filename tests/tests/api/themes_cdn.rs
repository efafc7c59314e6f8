//! The optional CloudFront distribution in front of the public themes reads
//! (`infra/template.yaml`, parameter `ThemesCdn`): off by default, read-only, covering every
//! public read of the themes function, and keyed on what the API varies on.

use serde_yaml::Value as Yaml;

fn template() -> Yaml {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../infra/template.yaml");
    serde_yaml::from_str(&std::fs::read_to_string(path).expect("reading infra/template.yaml")).expect("YAML")
}

/// A CloudFront path pattern (`*` any run of characters) against a route path.
fn pattern_matches(pattern: &str, path: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == path,
        Some((prefix, rest)) => {
            path.starts_with(prefix)
                && (0..=path.len() - prefix.len()).any(|i| pattern_matches(rest, &path[prefix.len() + i..]))
        }
    }
}

fn strings(value: &Yaml) -> Vec<String> {
    value.as_sequence().map(|s| s.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect()).unwrap_or_default()
}

#[test]
fn the_cdn_is_optional_and_off_by_default() {
    let t = template();
    let parameter = &t["Parameters"]["ThemesCdn"];
    assert_eq!(parameter["Default"], "false");
    assert_eq!(strings(&parameter["AllowedValues"]), ["true", "false"]);
    // Every CloudFront resource and the output exist only under the condition.
    let resources = t["Resources"].as_mapping().unwrap();
    // (The WAF's distribution, `ProtectedApiDistribution`, has its own condition: infra.rs.)
    let cdn: Vec<_> = resources
        .iter()
        .filter(|(_, r)| r["Type"].as_str().is_some_and(|k| k.starts_with("AWS::CloudFront::")))
        .filter(|(id, _)| id.as_str() != Some("ProtectedApiDistribution"))
        .collect();
    assert_eq!(cdn.len(), 2, "a cache policy and a distribution");
    for (id, resource) in cdn {
        assert_eq!(resource["Condition"], "WithThemesCdn", "{id:?}");
    }
    assert_eq!(t["Outputs"]["ThemesCdnUrl"]["Condition"], "WithThemesCdn");
    // `!Equals [!Ref ThemesCdn, 'true']`, compared as text (the tags stay tags here).
    let condition = serde_yaml::to_string(&t["Conditions"]["WithThemesCdn"]).unwrap();
    assert!(condition.contains("ThemesCdn") && condition.contains("'true'"), "{condition}");
}

#[test]
fn the_cdn_caches_every_public_themes_read_as_the_api_says() {
    let t = template();
    let config = &t["Resources"]["ThemesDistribution"]["Properties"]["DistributionConfig"];
    // The origin is this stack's HTTP API (`!Sub` stays a YAML tag here, so compared as text).
    let origin = serde_yaml::to_string(&config["Origins"][0]["DomainName"]).unwrap();
    assert!(origin.contains("${HttpApi}.execute-api.${AWS::Region}"), "{origin}");
    let cached: Vec<(String, &Yaml)> = config["CacheBehaviors"]
        .as_sequence()
        .unwrap()
        .iter()
        .filter(|b| serde_yaml::to_string(&b["CachePolicyId"]).unwrap().contains("ThemesCachePolicy"))
        .map(|b| (b["PathPattern"].as_str().unwrap().to_owned(), b))
        .collect();
    // Read-only everywhere: no write ever reaches the API through the CDN.
    let behaviours = config["CacheBehaviors"].as_sequence().unwrap().iter().chain([&config["DefaultCacheBehavior"]]);
    for behaviour in behaviours {
        for method in strings(&behaviour["AllowedMethods"]) {
            assert!(["GET", "HEAD", "OPTIONS"].contains(&method.as_str()), "{method} allowed");
        }
    }
    // Every public GET of the themes function falls under a cached behaviour.
    let events = t["Resources"]["ThemesFunction"]["Properties"]["Events"].as_mapping().unwrap();
    let reads: Vec<String> = events
        .values()
        .filter(|e| e["Properties"]["Method"] == "GET")
        .map(|e| e["Properties"]["Path"].as_str().unwrap().to_owned())
        .collect();
    assert!(reads.len() >= 7, "{reads:?}");
    for path in &reads {
        assert!(cached.iter().any(|(pattern, _)| pattern_matches(pattern, path)), "{path} is not cached");
    }
    assert!(cached.iter().any(|(pattern, _)| pattern == "/dashboard"));

    // The policy keeps what the API allows and keys on what the API varies on.
    let policy = &t["Resources"]["ThemesCachePolicy"]["Properties"]["CachePolicyConfig"];
    assert_eq!(policy["MaxTTL"].as_u64(), Some(31_536_000), "an immutable answer may stay a year");
    assert_eq!(policy["DefaultTTL"].as_u64(), Some(0), "nothing the API did not mark cacheable");
    let key = &policy["ParametersInCacheKeyAndForwardedToOrigin"];
    assert_eq!(key["QueryStringsConfig"]["QueryStringBehavior"], "all", "edition, filters and format");
    assert!(strings(&key["HeadersConfig"]["Headers"]).contains(&"Accept".to_owned()), "Vary: Accept");
    assert_eq!(key["CookiesConfig"]["CookieBehavior"], "none");
}

#[test]
fn path_patterns_match_like_cloudfront() {
    assert!(pattern_matches("/v1/themes*", "/v1/themes"));
    assert!(pattern_matches("/v1/themes*", "/v1/themes/editions/{edition}"));
    assert!(!pattern_matches("/v1/themes*", "/v1/zorgkantoren"));
    assert!(pattern_matches("/dashboard", "/dashboard"));
    assert!(!pattern_matches("/dashboard", "/dashboards"));
}
