//! The local JWT authorizer: HS256 tokens signed with `LOCAL_JWT_SECRET`, checked for
//! signature, expiry, issuer and audience, as API Gateway's JWT authorizer checks them
//! (there against the issuer's keys). Also mints tokens for `make token` and the tests.

use std::collections::BTreeMap;

use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Default local signing secret; documented in the README. Local use only.
pub const DEFAULT_SECRET: &str = "zorginkoop-local-dev-secret";
/// Issuer and audience the local authorizer expects (the SAM template takes the real ones as
/// parameters).
pub const ISSUER: &str = "zorginkoop-local";
pub const AUDIENCE: &str = "zorginkoop-api";

/// The claims a local token carries.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TokenClaims {
    pub sub: String,
    pub role: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub org: Option<String>,
    pub iss: String,
    pub aud: String,
    pub iat: i64,
    pub exp: i64,
}

impl TokenClaims {
    /// Claims for a caller, valid for `ttl_seconds` from now.
    pub fn new(sub: &str, role: &str, org: Option<&str>, ttl_seconds: i64) -> Self {
        let now = chrono::Utc::now().timestamp();
        Self {
            sub: sub.to_owned(),
            role: role.to_owned(),
            org: org.map(str::to_owned),
            iss: ISSUER.to_owned(),
            aud: AUDIENCE.to_owned(),
            iat: now,
            exp: now + ttl_seconds,
        }
    }
}

/// Signs claims with the local secret.
pub fn mint_token(secret: &str, claims: &TokenClaims) -> String {
    encode(&Header::new(Algorithm::HS256), claims, &EncodingKey::from_secret(secret.as_bytes()))
        .expect("HS256 signing cannot fail")
}

/// Verifies bearer tokens like the HTTP API JWT authorizer.
#[derive(Clone)]
pub struct JwtVerifier {
    key: DecodingKey,
    validation: Validation,
}

impl JwtVerifier {
    pub fn new(secret: &str) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.leeway = 0;
        Self { key: DecodingKey::from_secret(secret.as_bytes()), validation }
    }

    /// Verifies an `Authorization: Bearer <jwt>` header and returns the claims as API Gateway
    /// passes them on: every claim as a string.
    pub fn verify_header(&self, header: Option<&http::HeaderValue>) -> Result<BTreeMap<String, String>, String> {
        let header = header.ok_or("no Authorization header")?.to_str().map_err(|_| "unreadable header")?;
        let token = header
            .strip_prefix("Bearer ")
            .or_else(|| header.strip_prefix("bearer "))
            .ok_or("not a bearer token")?
            .trim();
        let data = decode::<BTreeMap<String, Value>>(token, &self.key, &self.validation).map_err(|e| e.to_string())?;
        Ok(data
            .claims
            .into_iter()
            .map(|(name, value)| {
                let text = match value {
                    Value::String(s) => s,
                    other => other.to_string(),
                };
                (name, text)
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(token: &str) -> http::HeaderValue {
        http::HeaderValue::from_str(&format!("Bearer {token}")).unwrap()
    }

    #[test]
    fn valid_token_yields_string_claims() {
        let verifier = JwtVerifier::new("s");
        let token = mint_token("s", &TokenClaims::new("u1", "igo", Some("53012345"), 60));
        let claims = verifier.verify_header(Some(&header(&token))).unwrap();
        assert_eq!(claims["role"], "igo");
        assert_eq!(claims["org"], "53012345");
        assert!(claims["exp"].parse::<i64>().is_ok());
    }

    #[test]
    fn expired_wrong_key_and_missing_are_refused() {
        let verifier = JwtVerifier::new("s");
        let expired = mint_token("s", &TokenClaims::new("u1", "igo", Some("53012345"), -10));
        assert!(verifier.verify_header(Some(&header(&expired))).is_err());
        let other_key = mint_token("other", &TokenClaims::new("u1", "igo", Some("53012345"), 60));
        assert!(verifier.verify_header(Some(&header(&other_key))).is_err());
        assert!(verifier.verify_header(None).is_err());
        assert!(verifier.verify_header(Some(&http::HeaderValue::from_static("Basic abc"))).is_err());
    }
}
