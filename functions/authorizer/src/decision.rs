//! The authorizer's decision: verify the token for the route, resolve (issuer, subject) in the
//! principal registry, refuse unknown and suspended principals, and hand the resolved identity
//! to the functions as authorizer context (HTTP API "simple response" shape).

use std::collections::HashMap;
use std::future::Future;

use serde::Serialize;

use domain::principal::{route_requirement, Principal};
use storage::{Store, StoreError};

use crate::jwks::{JwksError, JwksSource};
use crate::verify::{bearer_token, Refusal, RefusalAnswer, Verifier};

/// Where principals are looked up: the table, or a cache in front of it.
pub trait Registry: Send + Sync {
    /// The principal (issuer, subject) is, at `now` (Unix seconds; caches use it).
    fn principal(
        &self,
        issuer: &str,
        subject: &str,
        now: i64,
    ) -> impl Future<Output = Result<Option<Principal>, StoreError>> + Send;
}

/// The registry in the table (`storage::principals`).
pub struct StoreRegistry(pub Store);

impl Registry for StoreRegistry {
    async fn principal(&self, issuer: &str, subject: &str, _now: i64) -> Result<Option<Principal>, StoreError> {
        storage::principals::get(&self.0, issuer, subject).await
    }
}

/// A TTL cache in front of a registry, per warm Lambda: API Gateway caches decisions per token
/// already, and this saves the table read when one principal presents several tokens. Misses
/// are cached too (an unknown subject retried in a loop costs no reads); a suspension takes
/// effect within `ttl_seconds` (plus API Gateway's own result TTL).
pub struct CachedRegistry<R> {
    inner: R,
    ttl_seconds: i64,
    entries: std::sync::Mutex<HashMap<PrincipalKey, CachedLookup>>,
}

/// (issuer, subject).
type PrincipalKey = (String, String);
/// When the registry was read (Unix seconds) and what it answered.
type CachedLookup = (i64, Option<Principal>);

impl<R> CachedRegistry<R> {
    /// Entries kept at most; beyond that the cache starts over (the registry is small, so this
    /// only bounds memory against floods of made-up subjects with genuine tokens).
    const MAX_ENTRIES: usize = 10_000;

    pub fn new(inner: R, ttl_seconds: i64) -> Self {
        Self { inner, ttl_seconds, entries: Default::default() }
    }
}

impl<R: Registry> Registry for CachedRegistry<R> {
    async fn principal(&self, issuer: &str, subject: &str, now: i64) -> Result<Option<Principal>, StoreError> {
        let key = (issuer.to_owned(), subject.to_owned());
        {
            let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
            if let Some((at, principal)) = entries.get(&key) {
                if now - at < self.ttl_seconds {
                    return Ok(principal.clone());
                }
            }
        }
        let principal = self.inner.principal(issuer, subject, now).await?;
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= Self::MAX_ENTRIES {
            entries.clear();
        }
        entries.insert(key, (now, principal.clone()));
        Ok(principal)
    }
}

/// The identity the functions receive (`requestContext.authorizer.lambda` in their event).
/// HTTP API context values must be strings, numbers or booleans: no nesting. `edge::auth`
/// reads these names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuthorizerContext {
    pub sub: String,
    pub iss: String,
    pub role: &'static str,
    pub org: String,
    pub display_name: String,
    /// Insurers only: whether this principal may accept or reject proposals.
    pub signatory: bool,
    /// The token's scopes, space-separated (for logs and a later finer check).
    pub scope: String,
}

/// The context of a refused genuine token: only why, and the status the function answers
/// (401 or 403). It names no principal, so `edge::auth` can build no caller from it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RefusalContext {
    pub refused: String,
    pub refused_status: u16,
}

/// What the functions find in the authorizer context.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Context {
    Identity(AuthorizerContext),
    Refusal(RefusalContext),
}

/// The HTTP API REQUEST authorizer's simple response (payload format 2.0).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SimpleResponse {
    pub is_authorized: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub context: Option<Context>,
}

/// What the authorizer decided about one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// A verified token of an active principal with the route's scope.
    Allow(AuthorizerContext),
    /// A refusal; [`Refusal::answer`] says whether API Gateway or the function answers it.
    Deny(Refusal),
}

impl Decision {
    pub fn into_response(self) -> SimpleResponse {
        match self {
            Decision::Allow(context) => {
                SimpleResponse { is_authorized: true, context: Some(Context::Identity(context)) }
            }
            Decision::Deny(refusal) => {
                let status = match refusal.answer() {
                    RefusalAnswer::Gateway => return SimpleResponse { is_authorized: false, context: None },
                    RefusalAnswer::InvalidToken => 401,
                    RefusalAnswer::Forbidden => 403,
                };
                let context = RefusalContext { refused: refusal.to_string(), refused_status: status };
                SimpleResponse { is_authorized: true, context: Some(Context::Refusal(context)) }
            }
        }
    }
}

/// The authorizer could not decide: the key set or the registry is unreachable. The Lambda
/// then fails (API Gateway answers 500), so nothing unverified ever passes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Unavailable {
    #[error(transparent)]
    Jwks(#[from] JwksError),
    #[error("principal registry: {0}")]
    Registry(#[from] StoreError),
}

/// The authorizer: a verifier for the configured issuer and the principal registry.
pub struct Authorizer<S, R> {
    verifier: Verifier<S>,
    registry: R,
}

impl<S: JwksSource, R: Registry> Authorizer<S, R> {
    pub fn new(verifier: Verifier<S>, registry: R) -> Self {
        Self { verifier, registry }
    }

    pub fn verifier(&self) -> &Verifier<S> {
        &self.verifier
    }

    /// Decides a request to `route_key` ("POST /v1/proposals") carrying the `Authorization`
    /// header value `authorization`, at `now` (Unix seconds).
    pub async fn decide(
        &self,
        route_key: &str,
        authorization: Option<&str>,
        now: i64,
    ) -> Result<Decision, Unavailable> {
        let Some(requirement) = route_requirement(route_key) else {
            return Ok(Decision::Deny(Refusal::UnknownRoute(route_key.to_owned())));
        };
        let token = match bearer_token(authorization) {
            Ok(token) => token,
            Err(refusal) => return Ok(Decision::Deny(refusal)),
        };
        let verified = match self.verifier.verify(token, requirement, now).await {
            Ok(verified) => verified,
            Err(Ok(refusal)) => return Ok(Decision::Deny(refusal)),
            Err(Err(unavailable)) => return Err(unavailable.into()),
        };
        let Some(principal) = self.registry.principal(&verified.issuer, &verified.subject, now).await? else {
            return Ok(Decision::Deny(Refusal::UnknownPrincipal));
        };
        if !principal.is_active() {
            return Ok(Decision::Deny(Refusal::SuspendedPrincipal));
        }
        // The one check of the entry's role and organisation (`Principal::to_caller`), so the
        // context never carries an org the functions would refuse.
        let caller = match principal.to_caller() {
            Ok(caller) => caller,
            Err(err) => return Ok(Decision::Deny(Refusal::UnusablePrincipal(err.to_string()))),
        };
        Ok(Decision::Allow(AuthorizerContext {
            sub: caller.sub.clone(),
            iss: verified.issuer,
            role: caller.role.as_str(),
            org: caller.org_code().to_owned(),
            display_name: principal.display_name,
            signatory: principal.signatory,
            scope: verified.scopes.into_iter().collect::<Vec<_>>().join(" "),
        }))
    }
}
