//! Token verification: a bearer JWT signed by the configured issuer with one of its JWKS keys
//! (RS256 or ES256 only), its time claims within a bounded clock skew, and the scope the route
//! needs. Every refusal is a [`Refusal`] naming why, for the log; the caller sees only 403.

use std::collections::BTreeSet;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, Jwk, KeyAlgorithm};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;

use domain::principal::RouteRequirement;

use crate::jwks::{JwksError, JwksSource, KeyCache};

/// What the verifier is configured with (from the environment in the Lambda, by hand in tests).
#[derive(Debug, Clone)]
pub struct VerifierConfig {
    /// The only issuer accepted, compared exactly (no trailing-slash or case folding).
    pub issuer: String,
    /// When set, the token's `aud` (a string or a list) must contain it. Cognito access tokens
    /// carry no `aud` (they name the app client in `client_id`), so it is optional.
    pub audience: Option<String>,
    /// Clock skew tolerated on `exp`, `nbf` and `iat`, in seconds.
    pub max_skew_seconds: i64,
    /// A token signed with a `kid` the cached key set lacks refetches the JWKS (the issuer
    /// rotated its keys), but at most once per this many seconds, so a flood of tokens with
    /// made-up `kid`s cannot turn into a flood of JWKS requests.
    pub refetch_interval_seconds: i64,
}

impl VerifierConfig {
    pub const DEFAULT_SKEW_SECONDS: i64 = 60;
    pub const DEFAULT_REFETCH_SECONDS: i64 = 300;

    pub fn new(issuer: impl Into<String>) -> Self {
        Self {
            issuer: issuer.into(),
            audience: None,
            max_skew_seconds: Self::DEFAULT_SKEW_SECONDS,
            refetch_interval_seconds: Self::DEFAULT_REFETCH_SECONDS,
        }
    }
}

/// Why a token is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("no bearer token")]
    NoToken,
    #[error("not a JWT")]
    Malformed,
    /// `none`, HS256 and every algorithm besides RS256 and ES256, or a key of another type.
    #[error("algorithm {0} is not accepted")]
    Algorithm(String),
    #[error("the token names no key (kid)")]
    NoKeyId,
    #[error("the issuer has no key {0}")]
    UnknownKey(String),
    #[error("the signature does not verify")]
    Signature,
    #[error("issued by {0}, not by the configured issuer")]
    WrongIssuer(String),
    #[error("audience does not match")]
    WrongAudience,
    #[error("a required claim is missing: {0}")]
    MissingClaim(&'static str),
    #[error("expired")]
    Expired,
    #[error("not valid yet (nbf)")]
    NotYetValid,
    #[error("issued in the future (iat)")]
    IssuedInFuture,
    #[error("not an access token (token_use {0})")]
    NotAnAccessToken(String),
    #[error("the token lacks scope {0}")]
    MissingScope(&'static str),
    #[error("this route is not guarded by the authorizer: {0}")]
    UnknownRoute(String),
    #[error("no principal is registered for this subject")]
    UnknownPrincipal,
    #[error("the principal is suspended")]
    SuspendedPrincipal,
    #[error("the principal's registry entry is not usable: {0}")]
    UnusablePrincipal(String),
}

/// How a refusal reaches the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefusalAnswer {
    /// The token did not verify (no token, not a JWT, another algorithm or key, a bad
    /// signature) or the route is not one we guard: the authorizer denies and API Gateway
    /// answers 403 itself. Nothing from such a token reaches a function.
    Gateway,
    /// The issuer's signature verified but the token is not usable now (expired, not yet
    /// valid, another issuer or audience, not an access token): the function answers 401
    /// `invalid-token` naming why, so a client knows to fetch a new token.
    InvalidToken,
    /// A genuine, current token that may not make this request (a scope missing, the
    /// principal unknown, suspended or unusable): the function answers 403 naming why.
    Forbidden,
}

impl Refusal {
    /// Where this refusal is answered (see [`RefusalAnswer`]). An HTTP API cannot put a body
    /// on an authorizer's own 403, so refusals of genuine tokens pass with only the refusal in
    /// the context, and the function turns it into problem+json.
    pub fn answer(&self) -> RefusalAnswer {
        match self {
            Refusal::NoToken
            | Refusal::Malformed
            | Refusal::Algorithm(_)
            | Refusal::NoKeyId
            | Refusal::UnknownKey(_)
            | Refusal::Signature
            | Refusal::UnknownRoute(_) => RefusalAnswer::Gateway,
            Refusal::WrongIssuer(_)
            | Refusal::WrongAudience
            | Refusal::MissingClaim(_)
            | Refusal::Expired
            | Refusal::NotYetValid
            | Refusal::IssuedInFuture
            | Refusal::NotAnAccessToken(_) => RefusalAnswer::InvalidToken,
            Refusal::MissingScope(_)
            | Refusal::UnknownPrincipal
            | Refusal::SuspendedPrincipal
            | Refusal::UnusablePrincipal(_) => RefusalAnswer::Forbidden,
        }
    }
}

/// A verified token: whose it is and what it may do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedToken {
    pub issuer: String,
    pub subject: String,
    pub scopes: BTreeSet<String>,
}

/// The token header fields we read ourselves, before any key is chosen: `alg` as the text it
/// is, so that `none` or an unknown name is refused by name rather than by a parse error.
#[derive(Deserialize)]
struct RawHeader {
    alg: String,
    #[serde(default)]
    kid: Option<String>,
}

#[derive(Deserialize)]
struct Claims {
    #[serde(default)]
    iss: Option<String>,
    #[serde(default)]
    sub: Option<String>,
    #[serde(default)]
    aud: Option<OneOrMany>,
    #[serde(default)]
    exp: Option<i64>,
    #[serde(default)]
    nbf: Option<i64>,
    #[serde(default)]
    iat: Option<i64>,
    /// OAuth 2 `scope`: space-separated (Cognito access tokens).
    #[serde(default)]
    scope: Option<String>,
    /// `scp`: a list, or a space-separated string (Entra ID, Okta).
    #[serde(default)]
    scp: Option<OneOrMany>,
    /// Cognito marks its tokens `access` or `id`; an ID token is for the client, not for APIs.
    #[serde(default)]
    token_use: Option<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    fn into_vec(self) -> Vec<String> {
        match self {
            OneOrMany::One(s) => vec![s],
            OneOrMany::Many(v) => v,
        }
    }
}

/// Verifies tokens of one issuer against its key set, fetched through `S` and cached.
pub struct Verifier<S> {
    config: VerifierConfig,
    keys: KeyCache<S>,
}

impl<S: JwksSource> Verifier<S> {
    pub fn new(config: VerifierConfig, source: S) -> Self {
        let keys = KeyCache::new(source, config.refetch_interval_seconds);
        Self { config, keys }
    }

    pub fn config(&self) -> &VerifierConfig {
        &self.config
    }

    /// Verifies `token` at time `now` (Unix seconds) for a route needing `requirement`.
    /// `Err(Ok(refusal))` refuses the token; `Err(Err(_))` means the key set could not be
    /// fetched at all, which is not the caller's fault (the authorizer fails, never allows).
    pub async fn verify(
        &self,
        token: &str,
        requirement: RouteRequirement,
        now: i64,
    ) -> Result<VerifiedToken, Result<Refusal, JwksError>> {
        let header = read_header(token).map_err(Ok)?;
        let alg = match header.alg.as_str() {
            "RS256" => Algorithm::RS256,
            "ES256" => Algorithm::ES256,
            other => return Err(Ok(Refusal::Algorithm(other.to_owned()))),
        };
        let kid = header.kid.filter(|k| !k.is_empty()).ok_or(Ok(Refusal::NoKeyId))?;
        let jwk = self.keys.key(&kid, now).await.map_err(Err)?.ok_or_else(|| Ok(Refusal::UnknownKey(kid.clone())))?;
        let key = decoding_key(&jwk, alg).map_err(Ok)?;

        // The signature only: every claim is checked below, against our clock and our rules.
        let mut validation = Validation::new(alg);
        validation.required_spec_claims.clear();
        validation.validate_exp = false;
        validation.validate_nbf = false;
        validation.validate_aud = false;
        let claims = match jsonwebtoken::decode::<Claims>(token, &key, &validation) {
            Ok(data) => data.claims,
            Err(err) => {
                use jsonwebtoken::errors::ErrorKind;
                return Err(Ok(match err.kind() {
                    ErrorKind::InvalidSignature => Refusal::Signature,
                    ErrorKind::InvalidAlgorithm => Refusal::Algorithm(header.alg),
                    _ => Refusal::Malformed,
                }));
            }
        };
        self.check_claims(claims, requirement, now).map_err(Ok)
    }

    fn check_claims(&self, claims: Claims, requirement: RouteRequirement, now: i64) -> Result<VerifiedToken, Refusal> {
        let skew = self.config.max_skew_seconds;
        let iss = claims.iss.ok_or(Refusal::MissingClaim("iss"))?;
        if iss != self.config.issuer {
            return Err(Refusal::WrongIssuer(iss));
        }
        if let Some(audience) = &self.config.audience {
            let auds = claims.aud.map(OneOrMany::into_vec).unwrap_or_default();
            if !auds.iter().any(|a| a == audience) {
                return Err(Refusal::WrongAudience);
            }
        }
        let exp = claims.exp.ok_or(Refusal::MissingClaim("exp"))?;
        if now > exp.saturating_add(skew) {
            return Err(Refusal::Expired);
        }
        if claims.nbf.is_some_and(|nbf| now.saturating_add(skew) < nbf) {
            return Err(Refusal::NotYetValid);
        }
        let iat = claims.iat.ok_or(Refusal::MissingClaim("iat"))?;
        if iat > now.saturating_add(skew) {
            return Err(Refusal::IssuedInFuture);
        }
        if let Some(token_use) = claims.token_use.filter(|u| u != "access") {
            return Err(Refusal::NotAnAccessToken(token_use));
        }
        let subject = claims.sub.filter(|s| !s.is_empty()).ok_or(Refusal::MissingClaim("sub"))?;
        let mut scopes = BTreeSet::new();
        let lists = claims.scope.into_iter().chain(claims.scp.into_iter().flat_map(OneOrMany::into_vec));
        for list in lists {
            scopes.extend(list.split_ascii_whitespace().map(str::to_owned));
        }
        if let RouteRequirement::Scope(scope) = requirement {
            if !scopes.contains(scope.as_str()) {
                return Err(Refusal::MissingScope(scope.as_str()));
            }
        }
        Ok(VerifiedToken { issuer: iss, subject, scopes })
    }
}

fn read_header(token: &str) -> Result<RawHeader, Refusal> {
    let mut parts = token.split('.');
    let (Some(header), Some(_), Some(_), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
        return Err(Refusal::Malformed);
    };
    let bytes = URL_SAFE_NO_PAD.decode(header).map_err(|_| Refusal::Malformed)?;
    serde_json::from_slice(&bytes).map_err(|_| Refusal::Malformed)
}

/// The decoding key of `jwk` for `alg`, refusing a key of another type than the algorithm
/// needs (an RSA key for ES256, a P-384 key, a symmetric `oct` key, a key whose own `alg`
/// says otherwise): the algorithm is chosen by us, and the key must fit it.
fn decoding_key(jwk: &Jwk, alg: Algorithm) -> Result<DecodingKey, Refusal> {
    let fits = match (&jwk.algorithm, alg) {
        (AlgorithmParameters::RSA(_), Algorithm::RS256) => true,
        (AlgorithmParameters::EllipticCurve(ec), Algorithm::ES256) => ec.curve == EllipticCurve::P256,
        _ => false,
    };
    let own_alg_fits = match jwk.common.key_algorithm {
        None => true,
        Some(KeyAlgorithm::RS256) => alg == Algorithm::RS256,
        Some(KeyAlgorithm::ES256) => alg == Algorithm::ES256,
        Some(_) => false,
    };
    if !fits || !own_alg_fits {
        return Err(Refusal::Algorithm(format!("{alg:?} with this key")));
    }
    DecodingKey::from_jwk(jwk).map_err(|_| Refusal::UnknownKey(jwk.common.key_id.clone().unwrap_or_default()))
}

/// The token of an `Authorization: Bearer <jwt>` header value.
pub fn bearer_token(header: Option<&str>) -> Result<&str, Refusal> {
    let header = header.ok_or(Refusal::NoToken)?.trim();
    let (scheme, token) = header.split_once(' ').ok_or(Refusal::NoToken)?;
    if !scheme.eq_ignore_ascii_case("bearer") || token.trim().is_empty() {
        return Err(Refusal::NoToken);
    }
    Ok(token.trim())
}
