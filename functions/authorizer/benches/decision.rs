//! CPU of one authorizer decision, the work a warm authorizer Lambda does per request that API
//! Gateway has not cached: verify an RS256 or ES256 token against the cached key set, check its
//! claims and scope, resolve the principal. Targets (issue 17): under 0.1 ms with the principal
//! in the authorizer's cache; without it, one registry read (a store round trip, measured by
//! `make bench`) plus under 0.2 ms. `cargo bench -p authorizer --bench decision`.

use std::collections::HashMap;

use authorizer::{Authorizer, CachedRegistry, Decision, Registry, StaticJwks, Verifier, VerifierConfig};
use criterion::{criterion_group, criterion_main, Criterion};
use domain::identity::Role;
use domain::principal::{Principal, PrincipalStatus};
use jsonwebtoken::jwk::{Jwk, JwkSet};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::json;
use storage::StoreError;

const ISSUER: &str = "https://cognito-idp.eu-central-1.amazonaws.com/eu-central-1_BENCH";
const ROUTE: &str = "POST /v1/proposals/{id}/transitions";

/// The registry with no cache in front: an in-memory map, so the figure is the decision's own CPU
/// (in the Lambda, a GetItem round trip comes on top).
struct Uncached(HashMap<(String, String), Principal>);

impl Registry for Uncached {
    async fn principal(&self, issuer: &str, subject: &str, _now: i64) -> Result<Option<Principal>, StoreError> {
        Ok(self.0.get(&(issuer.to_owned(), subject.to_owned())).cloned())
    }
}

fn registry() -> Uncached {
    let principal = Principal {
        issuer: ISSUER.into(),
        subject: "insurer-signer".into(),
        role: Role::Insurer,
        org: "3311".into(),
        display_name: "Inkoop (systeem)".into(),
        status: PrincipalStatus::Active,
        signatory: true,
    };
    Uncached(HashMap::from([((ISSUER.to_owned(), "insurer-signer".to_owned()), principal)]))
}

fn keys() -> [(Algorithm, &'static str, EncodingKey); 2] {
    [
        (Algorithm::RS256, "rsa-1", EncodingKey::from_rsa_der(include_bytes!("../src/test_keys/rsa2048_pkcs1.der"))),
        (Algorithm::ES256, "ec-1", EncodingKey::from_ec_der(include_bytes!("../src/test_keys/p256_pkcs8.der"))),
    ]
}

fn decision(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
    let now = 1_800_000_000;
    let jwks = JwkSet {
        keys: keys()
            .iter()
            .map(|(alg, kid, key)| {
                let mut jwk = Jwk::from_encoding_key(key, *alg).unwrap();
                jwk.common.key_id = Some((*kid).to_owned());
                jwk
            })
            .collect(),
    };
    let claims = json!({"iss": ISSUER, "sub": "insurer-signer", "iat": now - 10, "exp": now + 3600,
        "token_use": "access", "scope": "zorginkoop/proposals zorginkoop/quotes"});
    let cached = Authorizer::new(
        Verifier::new(VerifierConfig::new(ISSUER), StaticJwks(jwks.clone())),
        CachedRegistry::new(registry(), 3600),
    );
    let uncached = Authorizer::new(Verifier::new(VerifierConfig::new(ISSUER), StaticJwks(jwks)), registry());
    for (alg, kid, key) in keys() {
        let mut header = Header::new(alg);
        header.kid = Some(kid.to_owned());
        let header_value = format!("Bearer {}", jsonwebtoken::encode(&header, &claims, &key).unwrap());
        // Warm: the key set fetched, the principal cached.
        let first = runtime.block_on(cached.decide(ROUTE, Some(&header_value), now)).unwrap();
        assert!(matches!(first, Decision::Allow(_)), "{first:?}");
        c.bench_function(&format!("decide {alg:?}, principal cached"), |b| {
            b.iter(|| runtime.block_on(cached.decide(ROUTE, Some(&header_value), now)).unwrap())
        });
        c.bench_function(&format!("decide {alg:?}, registry read (in memory)"), |b| {
            b.iter(|| runtime.block_on(uncached.decide(ROUTE, Some(&header_value), now)).unwrap())
        });
    }
}

criterion_group!(benches, decision);
criterion_main!(benches);
