//! The authorizer's decisions, end to end in-process: tokens signed with the test-only keys in
//! `src/test_keys/` (see its README), the key set served by `StaticJwks`, principals from an
//! in-memory registry. One test per refusal of issue 17's "How to check", and the accepted
//! tokens (RS256 and ES256) with the context they produce.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use crate::decision::Unavailable;
use crate::lambda::{handle_event, Settings};
use crate::{
    Authorizer, CachedRegistry, Decision, HttpsJwks, JwksError, JwksSource, Refusal, Registry, StaticJwks, Verifier,
    VerifierConfig,
};
use domain::identity::Role;
use domain::principal::{Principal, PrincipalStatus};
use jsonwebtoken::jwk::{Jwk, JwkSet};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{json, Value};
use storage::StoreError;

const ISSUER: &str = "https://cognito-idp.eu-central-1.amazonaws.com/eu-central-1_TEST";
const NOW: i64 = 1_800_000_000;
const PROPOSALS: &str = "POST /v1/proposals";

fn rsa_key() -> EncodingKey {
    EncodingKey::from_rsa_der(include_bytes!("test_keys/rsa2048_pkcs1.der"))
}

fn other_rsa_key() -> EncodingKey {
    EncodingKey::from_rsa_der(include_bytes!("test_keys/other_rsa2048_pkcs1.der"))
}

fn ec_key() -> EncodingKey {
    EncodingKey::from_ec_der(include_bytes!("test_keys/p256_pkcs8.der"))
}

fn jwk(key: &EncodingKey, alg: Algorithm, kid: &str) -> Jwk {
    let mut jwk = Jwk::from_encoding_key(key, alg).unwrap();
    jwk.common.key_id = Some(kid.to_owned());
    jwk
}

/// The issuer's published set: the RSA key as `rsa-1`, the P-256 key as `ec-1`.
fn key_set() -> JwkSet {
    JwkSet { keys: vec![jwk(&rsa_key(), Algorithm::RS256, "rsa-1"), jwk(&ec_key(), Algorithm::ES256, "ec-1")] }
}

fn sign(alg: Algorithm, kid: Option<&str>, key: &EncodingKey, claims: &Value) -> String {
    let mut header = Header::new(alg);
    header.kid = kid.map(str::to_owned);
    jsonwebtoken::encode(&header, claims, key).unwrap()
}

/// Claims of a valid token of `sub`, changed by `edit`.
fn claims(sub: &str, edit: impl FnOnce(&mut serde_json::Map<String, Value>)) -> Value {
    let mut claims = json!({
        "iss": ISSUER, "sub": sub, "iat": NOW - 10, "exp": NOW + 3600, "token_use": "access",
        "scope": "zorginkoop/proposals zorginkoop/quotes",
    });
    edit(claims.as_object_mut().unwrap());
    claims
}

fn rs256(claims: &Value) -> String {
    sign(Algorithm::RS256, Some("rsa-1"), &rsa_key(), claims)
}

fn principal(subject: &str, role: Role, org: &str, status: PrincipalStatus, signatory: bool) -> Principal {
    Principal {
        issuer: ISSUER.into(),
        subject: subject.into(),
        role,
        org: org.into(),
        display_name: format!("Principal {subject}"),
        status,
        signatory,
    }
}

/// An in-memory registry that counts its reads.
#[derive(Clone, Default)]
struct MemoryRegistry {
    principals: Arc<HashMap<(String, String), Principal>>,
    reads: Arc<AtomicU64>,
}

impl Registry for MemoryRegistry {
    async fn principal(&self, issuer: &str, subject: &str, _now: i64) -> Result<Option<Principal>, StoreError> {
        self.reads.fetch_add(1, Ordering::SeqCst);
        Ok(self.principals.get(&(issuer.to_owned(), subject.to_owned())).cloned())
    }
}

fn registry() -> MemoryRegistry {
    let entries = [
        principal("igo-user", Role::Igo, "53012345", PrincipalStatus::Active, false),
        principal("insurer-signer", Role::Insurer, "3311", PrincipalStatus::Active, true),
        principal("suspended-user", Role::Igo, "53012345", PrincipalStatus::Suspended, false),
        principal("publisher-app", Role::Publisher, "zorgkantoren-nl", PrincipalStatus::Active, false),
    ];
    let principals = entries.into_iter().map(|p| ((p.issuer.clone(), p.subject.clone()), p)).collect();
    MemoryRegistry { principals: Arc::new(principals), reads: Default::default() }
}

fn authorizer() -> Authorizer<StaticJwks, MemoryRegistry> {
    Authorizer::new(Verifier::new(VerifierConfig::new(ISSUER), StaticJwks(key_set())), registry())
}

async fn decide(route: &str, token: &str) -> Decision {
    authorizer().decide(route, Some(&format!("Bearer {token}")), NOW).await.unwrap()
}

async fn refusal(route: &str, token: &str) -> Refusal {
    match decide(route, token).await {
        Decision::Deny(refusal) => refusal,
        Decision::Allow(context) => panic!("allowed: {context:?}"),
    }
}

#[tokio::test]
async fn an_rs256_token_of_a_registered_igo_is_allowed_with_its_identity_as_context() {
    let Decision::Allow(context) = decide(PROPOSALS, &rs256(&claims("igo-user", |_| {}))).await else { panic!() };
    let response = serde_json::to_value(Decision::Allow(context).into_response()).unwrap();
    assert_eq!(
        response,
        json!({"isAuthorized": true, "context": {
            "sub": "igo-user", "iss": ISSUER, "role": "igo", "org": "53012345",
            "display_name": "Principal igo-user", "signatory": false,
            "scope": "zorginkoop/proposals zorginkoop/quotes",
        }})
    );
}

#[tokio::test]
async fn an_es256_token_of_an_insurer_signatory_is_allowed() {
    let token = sign(Algorithm::ES256, Some("ec-1"), &ec_key(), &claims("insurer-signer", |_| {}));
    let Decision::Allow(context) = decide("POST /v1/proposals/{id}/transitions", &token).await else { panic!() };
    assert_eq!((context.role, context.org.as_str(), context.signatory), ("insurer", "3311", true));
}

#[tokio::test]
async fn an_expired_token_is_refused_beyond_the_skew() {
    let token = rs256(&claims("igo-user", |c| {
        c.insert("exp".into(), json!(NOW - VerifierConfig::DEFAULT_SKEW_SECONDS - 1));
    }));
    assert_eq!(refusal(PROPOSALS, &token).await, Refusal::Expired);
    // Within the tolerated skew it still passes: clocks differ by a few seconds.
    let token = rs256(&claims("igo-user", |c| {
        c.insert("exp".into(), json!(NOW - 5));
    }));
    assert!(matches!(decide(PROPOSALS, &token).await, Decision::Allow(_)));
    let token = rs256(&claims("igo-user", |c| {
        c.remove("exp");
    }));
    assert_eq!(refusal(PROPOSALS, &token).await, Refusal::MissingClaim("exp"));
}

#[tokio::test]
async fn a_token_not_yet_valid_is_refused() {
    let token = rs256(&claims("igo-user", |c| {
        c.insert("nbf".into(), json!(NOW + 300));
    }));
    assert_eq!(refusal(PROPOSALS, &token).await, Refusal::NotYetValid);
    let token = rs256(&claims("igo-user", |c| {
        c.insert("iat".into(), json!(NOW + 300));
    }));
    assert_eq!(refusal(PROPOSALS, &token).await, Refusal::IssuedInFuture);
}

#[tokio::test]
async fn a_token_of_another_issuer_is_refused_even_one_differing_by_a_slash() {
    for iss in [format!("{ISSUER}/"), "https://evil.example".to_owned()] {
        let token = rs256(&claims("igo-user", |c| {
            c.insert("iss".into(), json!(iss));
        }));
        assert_eq!(refusal(PROPOSALS, &token).await, Refusal::WrongIssuer(iss.clone()));
    }
}

#[tokio::test]
async fn an_unsigned_token_alg_none_is_refused() {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","kid":"rsa-1","typ":"JWT"}"#);
    let payload = URL_SAFE_NO_PAD.encode(claims("igo-user", |_| {}).to_string());
    assert_eq!(refusal(PROPOSALS, &format!("{header}.{payload}.")).await, Refusal::Algorithm("none".into()));
}

#[tokio::test]
async fn hs256_signed_with_the_issuers_public_key_as_secret_is_refused() {
    // The classic key-confusion attack: the public key is public, so an HS256 token "signed"
    // with it would verify if the verifier let the token choose the algorithm.
    let public_pem = include_bytes!("test_keys/rsa2048_public.pem");
    let token =
        sign(Algorithm::HS256, Some("rsa-1"), &EncodingKey::from_secret(public_pem), &claims("igo-user", |_| {}));
    assert_eq!(refusal(PROPOSALS, &token).await, Refusal::Algorithm("HS256".into()));
    // Other algorithms than RS256 and ES256 are refused by name too.
    let token = sign(Algorithm::RS512, Some("rsa-1"), &rsa_key(), &claims("igo-user", |_| {}));
    assert_eq!(refusal(PROPOSALS, &token).await, Refusal::Algorithm("RS512".into()));
}

#[tokio::test]
async fn a_key_of_the_wrong_type_for_the_algorithm_is_refused() {
    // RS256 naming the issuer's EC key: the key must fit the algorithm we allow, not the token.
    let token = sign(Algorithm::RS256, Some("ec-1"), &rsa_key(), &claims("igo-user", |_| {}));
    assert!(matches!(refusal(PROPOSALS, &token).await, Refusal::Algorithm(_)));
}

#[tokio::test]
async fn an_unknown_or_missing_kid_is_refused() {
    let token = sign(Algorithm::RS256, Some("rotated-away"), &rsa_key(), &claims("igo-user", |_| {}));
    assert_eq!(refusal(PROPOSALS, &token).await, Refusal::UnknownKey("rotated-away".into()));
    let token = sign(Algorithm::RS256, None, &rsa_key(), &claims("igo-user", |_| {}));
    assert_eq!(refusal(PROPOSALS, &token).await, Refusal::NoKeyId);
}

#[tokio::test]
async fn a_signature_by_another_key_or_over_changed_claims_is_refused() {
    let token = sign(Algorithm::RS256, Some("rsa-1"), &other_rsa_key(), &claims("igo-user", |_| {}));
    assert_eq!(refusal(PROPOSALS, &token).await, Refusal::Signature);
    // Swap in the claims of another subject, keeping the signature.
    let genuine = rs256(&claims("igo-user", |_| {}));
    let forged_claims = rs256(&claims("insurer-signer", |_| {}));
    let parts: Vec<&str> = genuine.split('.').collect();
    let forged = format!("{}.{}.{}", parts[0], forged_claims.split('.').nth(1).unwrap(), parts[2]);
    assert_eq!(refusal(PROPOSALS, &forged).await, Refusal::Signature);
}

#[tokio::test]
async fn a_token_without_the_routes_scope_is_refused() {
    let quotes_only = rs256(&claims("igo-user", |c| {
        c.insert("scope".into(), json!("zorginkoop/quotes"));
    }));
    assert_eq!(refusal(PROPOSALS, &quotes_only).await, Refusal::MissingScope("zorginkoop/proposals"));
    assert!(matches!(decide("POST /v1/quotes", &quotes_only).await, Decision::Allow(_)));
    assert_eq!(
        refusal("PUT /v1/themes/editions/{edition}", &quotes_only).await,
        Refusal::MissingScope("zorginkoop/themes.publish")
    );
    // `scp` as a list (Entra ID, Okta) counts like `scope`.
    let scp = rs256(&claims("igo-user", |c| {
        c.remove("scope");
        c.insert("scp".into(), json!(["zorginkoop/proposals"]));
    }));
    assert!(matches!(decide(PROPOSALS, &scp).await, Decision::Allow(_)));
    // A scope that merely starts like the required one is not it.
    let prefix = rs256(&claims("igo-user", |c| {
        c.insert("scope".into(), json!("zorginkoop/proposals.read"));
    }));
    assert_eq!(refusal(PROPOSALS, &prefix).await, Refusal::MissingScope("zorginkoop/proposals"));
    // `GET /v1/me` needs a registered principal, no particular scope.
    let none = rs256(&claims("igo-user", |c| {
        c.remove("scope");
    }));
    assert!(matches!(decide("GET /v1/me", &none).await, Decision::Allow(_)));
}

#[tokio::test]
async fn a_cognito_id_token_is_not_an_access_token() {
    let token = rs256(&claims("igo-user", |c| {
        c.insert("token_use".into(), json!("id"));
    }));
    assert_eq!(refusal("GET /v1/me", &token).await, Refusal::NotAnAccessToken("id".into()));
}

#[tokio::test]
async fn an_unknown_principal_is_refused() {
    let token = rs256(&claims("nobody-registered", |_| {}));
    assert_eq!(refusal(PROPOSALS, &token).await, Refusal::UnknownPrincipal);
}

#[tokio::test]
async fn a_suspended_principal_is_refused() {
    let token = rs256(&claims("suspended-user", |_| {}));
    assert_eq!(refusal(PROPOSALS, &token).await, Refusal::SuspendedPrincipal);
}

#[tokio::test]
async fn role_and_org_claims_in_the_token_are_not_trusted() {
    // The token claims to be an insurer; the registry says igo-user is an IGO, and wins.
    let token = rs256(&claims("igo-user", |c| {
        c.insert("role".into(), json!("insurer"));
        c.insert("org".into(), json!("3311"));
    }));
    let Decision::Allow(context) = decide(PROPOSALS, &token).await else { panic!() };
    assert_eq!((context.role, context.org.as_str()), ("igo", "53012345"));
}

#[tokio::test]
async fn requests_without_a_bearer_token_or_to_unguarded_routes_are_refused() {
    let authorizer = authorizer();
    let token = rs256(&claims("igo-user", |_| {}));
    for header in [None, Some("".to_owned()), Some(format!("Basic {token}")), Some("Bearer ".into())] {
        let decision = authorizer.decide(PROPOSALS, header.as_deref(), NOW).await.unwrap();
        assert_eq!(decision, Decision::Deny(Refusal::NoToken), "{header:?}");
    }
    assert_eq!(refusal(PROPOSALS, "not-a-jwt").await, Refusal::Malformed);
    assert_eq!(refusal("GET /v1/prestaties", &token).await, Refusal::UnknownRoute("GET /v1/prestaties".into()));
    let denied = serde_json::to_value(Decision::Deny(Refusal::NoToken).into_response()).unwrap();
    assert_eq!(denied, json!({"isAuthorized": false}));
}

#[test]
fn refusals_of_genuine_tokens_pass_with_only_the_refusal_so_the_function_can_say_why() {
    // Unverifiable tokens stop at API Gateway, with no context at all.
    for refusal in [Refusal::Signature, Refusal::Algorithm("HS256".into()), Refusal::UnknownKey("k".into())] {
        let response = serde_json::to_value(Decision::Deny(refusal.clone()).into_response()).unwrap();
        assert_eq!(response, json!({"isAuthorized": false}), "{refusal:?}");
    }
    // Verified but unusable: 401 from the function; verified but not allowed: 403.
    for (refusal, status) in [
        (Refusal::Expired, 401),
        (Refusal::NotAnAccessToken("id".into()), 401),
        (Refusal::MissingScope("zorginkoop/quotes"), 403),
        (Refusal::UnknownPrincipal, 403),
        (Refusal::SuspendedPrincipal, 403),
    ] {
        let response = serde_json::to_value(Decision::Deny(refusal.clone()).into_response()).unwrap();
        assert_eq!(
            response,
            json!({"isAuthorized": true, "context": {"refused": refusal.to_string(), "refused_status": status}}),
        );
    }
}

struct DownJwks;

impl JwksSource for DownJwks {
    async fn fetch(&self) -> Result<JwkSet, JwksError> {
        Err(JwksError("connection refused".into()))
    }
}

#[tokio::test]
async fn an_unreachable_key_set_fails_the_authorizer_rather_than_deciding() {
    let authorizer = Authorizer::new(Verifier::new(VerifierConfig::new(ISSUER), DownJwks), registry());
    let token = rs256(&claims("igo-user", |_| {}));
    let result = authorizer.decide(PROPOSALS, Some(&format!("Bearer {token}")), NOW).await;
    assert!(matches!(result, Err(Unavailable::Jwks(_))), "{result:?}");
}

#[tokio::test]
async fn the_principal_cache_reads_the_registry_once_per_ttl() {
    let inner = registry();
    let cached = CachedRegistry::new(inner.clone(), 60);
    for now in [NOW, NOW + 30, NOW + 59] {
        assert!(cached.principal(ISSUER, "igo-user", now).await.unwrap().is_some());
        assert!(cached.principal(ISSUER, "ghost", now).await.unwrap().is_none());
    }
    assert_eq!(inner.reads.load(Ordering::SeqCst), 2, "one read per subject, misses included");
    assert!(cached.principal(ISSUER, "igo-user", NOW + 60).await.unwrap().is_some());
    assert_eq!(inner.reads.load(Ordering::SeqCst), 3, "expired entries are read again");
}

#[tokio::test]
async fn an_authorizer_event_is_answered_with_a_simple_response() {
    let token = sign(Algorithm::ES256, Some("ec-1"), &ec_key(), &claims("insurer-signer", |_| {}));
    // The shape API Gateway sends (payload format 2.0), trimmed to what the event type needs.
    let event = json!({
        "version": "2.0", "type": "REQUEST",
        "routeArn": "arn:aws:execute-api:eu-central-1:123456789012:abcdef123/$default/GET/v1/quotes/01J",
        "identitySource": [format!("Bearer {token}")],
        "routeKey": "GET /v1/quotes/{id}",
        "rawPath": "/v1/quotes/01J", "rawQueryString": "",
        "headers": {"authorization": format!("Bearer {token}"), "host": "api.example"},
        "requestContext": {
            "accountId": "123456789012", "apiId": "abcdef123", "domainName": "api.example",
            "domainPrefix": "api", "requestId": "id", "routeKey": "GET /v1/quotes/{id}", "stage": "$default",
            "time": "28/Nov/2026:11:00:00 +0000", "timeEpoch": 1_800_000_000_000_i64,
            "http": {"method": "GET", "path": "/v1/quotes/01J", "protocol": "HTTP/1.1",
                     "sourceIp": "192.0.2.1", "userAgent": "test"}
        }
    });
    let event = serde_json::from_value(event).unwrap();
    let response = handle_event(&authorizer(), &event, NOW).await.unwrap();
    let response = serde_json::to_value(response).unwrap();
    assert_eq!(response["isAuthorized"], true);
    assert_eq!(response["context"]["org"], "3311");
    assert_eq!(response["context"]["signatory"], true);
}

#[test]
fn settings_need_an_issuer_and_default_the_rest() {
    assert!(Settings::from_lookup(|_| None).is_err());
    let settings = Settings::from_lookup(|name| (name == "JWT_ISSUER").then(|| format!("{ISSUER}/"))).unwrap();
    assert_eq!(settings.jwks_url, format!("{ISSUER}/.well-known/jwks.json"));
    assert_eq!(settings.verifier.max_skew_seconds, VerifierConfig::DEFAULT_SKEW_SECONDS);
    assert_eq!(settings.principal_cache_seconds, Settings::DEFAULT_PRINCIPAL_CACHE_SECONDS);
    let bad = Settings::from_lookup(|name| match name {
        "JWT_ISSUER" => Some(ISSUER.into()),
        "JWT_MAX_SKEW_SECONDS" => Some("-1".into()),
        _ => None,
    });
    assert!(bad.is_err());
}

#[test]
fn the_key_set_url_must_be_https_except_on_this_machine() {
    assert!(HttpsJwks::new("https://cognito-idp.eu-central-1.amazonaws.com/pool/.well-known/jwks.json").is_ok());
    assert!(HttpsJwks::new("http://127.0.0.1:3000/.well-known/jwks.json").is_ok());
    assert!(HttpsJwks::new("http://localhost:3000/.well-known/jwks.json").is_ok());
    for refused in ["http://issuer.example.org/jwks.json", "http://127.0.0.2.example.org/jwks", "ftp://127.0.0.1/x"] {
        assert!(HttpsJwks::new(refused).is_err(), "{refused}");
    }
}
