//! The local identity provider: an RSA and a P-256 key pair made at start, their public JWKS
//! (served by the gateway at `/.well-known/jwks.json`), and access tokens signed with them, shaped
//! like Cognito's client-credentials tokens (`sub`, `scope`, `token_use: access`, no role or
//! organisation: those come from the principal registry, as in AWS).
//!
//! Tokens are signed here with aws-lc-rs directly and verified by the authorizer with
//! jsonwebtoken, so the two sides of the local path are independent implementations of JWS.

use std::sync::{Arc, OnceLock};

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::{KeyPair as RsaKeyPair, KeySize};
use aws_lc_rs::signature::{EcdsaKeyPair, KeyPair, ECDSA_P256_SHA256_FIXED_SIGNING, RSA_PKCS1_SHA256};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use domain::identity::Role;
use domain::principal::Scope;
use jsonwebtoken::jwk::JwkSet;
use serde_json::{json, Value};

/// The two algorithms the authorizer accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SigningAlg {
    #[default]
    Rs256,
    Es256,
}

impl SigningAlg {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "RS256" => Some(SigningAlg::Rs256),
            "ES256" => Some(SigningAlg::Es256),
            _ => None,
        }
    }
}

/// The key pairs of one process: made once (RSA generation takes a moment), shared by every
/// issuer the process runs (the test harness starts many gateways).
pub struct SigningKeys {
    rsa: RsaKeyPair,
    rsa_kid: String,
    ec: EcdsaKeyPair,
    ec_kid: String,
}

impl SigningKeys {
    /// Fresh key pairs with random key ids.
    pub fn generate() -> Self {
        let rsa = RsaKeyPair::generate(KeySize::Rsa2048).expect("generating an RSA key pair");
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &SystemRandom::new())
            .expect("generating a P-256 key pair");
        let ec = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref()).expect("own P-256 key");
        let tag = ulid::Ulid::new().to_string().to_lowercase();
        Self { rsa, rsa_kid: format!("local-rs256-{tag}"), ec, ec_kid: format!("local-es256-{tag}") }
    }

    /// The process's key pairs, made on first use.
    pub fn shared() -> Arc<SigningKeys> {
        static KEYS: OnceLock<Arc<SigningKeys>> = OnceLock::new();
        KEYS.get_or_init(|| Arc::new(SigningKeys::generate())).clone()
    }

    /// The public keys as a JWKS document.
    pub fn jwks(&self) -> Value {
        let b64 = |bytes: &[u8]| URL_SAFE_NO_PAD.encode(bytes);
        let rsa = self.rsa.public_key();
        // An uncompressed P-256 point: 0x04, then x and y, 32 bytes each.
        let point = self.ec.public_key().as_ref();
        json!({"keys": [
            {"kty": "RSA", "use": "sig", "alg": "RS256", "kid": self.rsa_kid,
             "n": b64(rsa.modulus().big_endian_without_leading_zero()),
             "e": b64(rsa.exponent().big_endian_without_leading_zero())},
            {"kty": "EC", "use": "sig", "alg": "ES256", "kid": self.ec_kid, "crv": "P-256",
             "x": b64(&point[1..33]), "y": b64(&point[33..65])},
        ]})
    }

    /// The compact JWS of `claims`, signed with `alg`'s key.
    pub fn sign(&self, alg: SigningAlg, claims: &Value) -> String {
        let (alg_name, kid) = match alg {
            SigningAlg::Rs256 => ("RS256", &self.rsa_kid),
            SigningAlg::Es256 => ("ES256", &self.ec_kid),
        };
        let header = json!({"alg": alg_name, "typ": "JWT", "kid": kid});
        let signing_input =
            format!("{}.{}", URL_SAFE_NO_PAD.encode(header.to_string()), URL_SAFE_NO_PAD.encode(claims.to_string()));
        let signature = match alg {
            SigningAlg::Rs256 => {
                let mut signature = vec![0; self.rsa.public_modulus_len()];
                self.rsa
                    .sign(&RSA_PKCS1_SHA256, &SystemRandom::new(), signing_input.as_bytes(), &mut signature)
                    .expect("RSA signing");
                signature
            }
            SigningAlg::Es256 => {
                self.ec.sign(&SystemRandom::new(), signing_input.as_bytes()).expect("ECDSA signing").as_ref().to_vec()
            }
        };
        format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(signature))
    }
}

/// What a token is minted for.
#[derive(Debug, Clone)]
pub struct TokenRequest {
    pub sub: String,
    /// Space-separated scopes.
    pub scope: String,
    pub ttl_seconds: i64,
    pub alg: SigningAlg,
}

impl TokenRequest {
    /// A token for `sub` with the scopes an app client of `role` is given.
    pub fn for_role(sub: impl Into<String>, role: Role) -> Self {
        let scope = Scope::for_role(role).iter().map(|s| s.as_str()).collect::<Vec<_>>().join(" ");
        Self { sub: sub.into(), scope, ttl_seconds: 3600, alg: SigningAlg::Rs256 }
    }
}

/// The local issuer: its URL (the gateway's own base URL, the tokens' `iss`) and its keys.
#[derive(Clone)]
pub struct LocalIssuer {
    pub url: String,
    keys: Arc<SigningKeys>,
}

impl LocalIssuer {
    pub fn new(url: impl Into<String>, keys: Arc<SigningKeys>) -> Self {
        Self { url: url.into(), keys }
    }

    pub fn jwks(&self) -> Value {
        self.keys.jwks()
    }

    /// The key set the authorizer verifies with: the same document the gateway serves.
    pub fn jwk_set(&self) -> JwkSet {
        serde_json::from_value(self.jwks()).expect("our JWKS parses")
    }

    /// An access token as the issuer hands them out.
    pub fn mint(&self, request: &TokenRequest) -> String {
        let now = chrono::Utc::now().timestamp();
        let claims = json!({
            "iss": self.url,
            "sub": request.sub,
            "client_id": request.sub,
            "token_use": "access",
            "scope": request.scope,
            "iat": now,
            "nbf": now,
            "exp": now + request.ttl_seconds,
            "jti": ulid::Ulid::new().to_string(),
        });
        self.keys.sign(request.alg, &claims)
    }

    /// Signs arbitrary claims with the issuer's key (tests of refused tokens).
    pub fn sign(&self, alg: SigningAlg, claims: &Value) -> String {
        self.keys.sign(alg, claims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jsonwebtoken::{decode, decode_header, Algorithm, DecodingKey, Validation};

    #[test]
    fn tokens_verify_with_the_published_keys_under_both_algorithms() {
        let issuer = LocalIssuer::new("http://127.0.0.1:1", SigningKeys::shared());
        let set = issuer.jwk_set();
        for (alg, expected) in [(SigningAlg::Rs256, Algorithm::RS256), (SigningAlg::Es256, Algorithm::ES256)] {
            let mut request = TokenRequest::for_role("client-1", Role::Insurer);
            request.alg = alg;
            let token = issuer.mint(&request);
            let header = decode_header(&token).unwrap();
            assert_eq!(header.alg, expected);
            let jwk = set.find(header.kid.as_deref().unwrap()).expect("kid in the JWKS");
            let mut validation = Validation::new(expected);
            validation.set_issuer(&["http://127.0.0.1:1"]);
            let claims = decode::<Value>(&token, &DecodingKey::from_jwk(jwk).unwrap(), &validation).unwrap().claims;
            assert_eq!(claims["sub"], "client-1");
            assert_eq!(claims["scope"], "zorginkoop/proposals zorginkoop/quotes");
            assert!(claims.get("role").is_none() && claims.get("org").is_none());
        }
    }
}
