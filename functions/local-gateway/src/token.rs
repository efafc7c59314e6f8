//! The local token endpoint (`POST /local/token`, never deployed): what an operator and an
//! identity provider do in AWS, in one step. It registers the principal in the table if it is
//! not yet (as `zorginkoop-admin register` does) and returns an access token from the local
//! issuer (as Cognito's token endpoint does for a client). `make token` and the scripts call it.

use serde::Deserialize;
use serde_json::json;

use domain::identity::Role;
use domain::principal::{Principal, PrincipalStatus};
use edge::ApiError;
use lambda_http::Body;
use storage::principals::PutMode;
use storage::{Store, StoreError};

use crate::issuer::{LocalIssuer, SigningAlg, TokenRequest};

/// What `make token` asks for.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LocalTokenRequest {
    pub role: String,
    pub org: String,
    /// The subject; default `local-<role>-<org>`.
    #[serde(default)]
    pub sub: Option<String>,
    #[serde(default)]
    pub display_name: Option<String>,
    /// Insurers: register as the insurer's signatory (default true, so a local insurer can do
    /// everything; pass false to try the colleague who may only review and counter).
    #[serde(default)]
    pub signatory: Option<bool>,
    /// Space-separated scopes; default the role's (`Scope::for_role`).
    #[serde(default)]
    pub scope: Option<String>,
    #[serde(default)]
    pub ttl_seconds: Option<i64>,
    /// `RS256` (default) or `ES256`.
    #[serde(default)]
    pub alg: Option<String>,
}

/// Registers (if needed) and mints; the answer is an OAuth token response plus the principal.
pub async fn issue(store: &Store, issuer: &LocalIssuer, body: &[u8]) -> lambda_http::Response<Body> {
    match issue_token(store, issuer, body).await {
        Ok(answer) => lambda_http::Response::builder()
            .status(200)
            .header(http::header::CONTENT_TYPE, "application/json")
            .header(http::header::CACHE_CONTROL, "no-store")
            .body(Body::Text(answer.to_string()))
            .expect("static headers"),
        Err(err) => err.into_response(),
    }
}

async fn issue_token(store: &Store, issuer: &LocalIssuer, body: &[u8]) -> Result<serde_json::Value, ApiError> {
    let request: LocalTokenRequest =
        serde_json::from_slice(body).map_err(|e| ApiError::BadRequest(format!("token request: {e}")))?;
    let role = Role::parse(&request.role)
        .ok_or_else(|| ApiError::BadRequest("role must be igo, insurer or publisher".into()))?;
    let alg = match request.alg.as_deref() {
        None => SigningAlg::Rs256,
        Some(name) => {
            SigningAlg::parse(name).ok_or_else(|| ApiError::BadRequest("alg must be RS256 or ES256".into()))?
        }
    };
    let ttl = request.ttl_seconds.unwrap_or(8 * 3600);
    if !(1..=24 * 3600).contains(&ttl) {
        return Err(ApiError::BadRequest("ttl_seconds must be 1 to 86400".into()));
    }
    let sub = request.sub.unwrap_or_else(|| format!("local-{}-{}", role.as_str(), request.org));
    let wanted = Principal {
        issuer: issuer.url.clone(),
        subject: sub.clone(),
        role,
        org: request.org.clone(),
        display_name: request.display_name.unwrap_or_else(|| sub.clone()),
        status: PrincipalStatus::Active,
        signatory: role == Role::Insurer && request.signatory.unwrap_or(true),
    };
    let principal = ensure_registered(store, wanted).await?;
    let mut token = TokenRequest::for_role(sub, role);
    if let Some(scope) = request.scope {
        token.scope = scope;
    }
    token.ttl_seconds = ttl;
    token.alg = alg;
    Ok(json!({
        "access_token": issuer.mint(&token),
        "token_type": "Bearer",
        "expires_in": ttl,
        "scope": token.scope,
        "principal": principal,
    }))
}

/// The registered principal for `wanted`'s (issuer, subject): registered now if it was not.
/// One that exists keeps its status and signatory flag (a suspended principal stays suspended:
/// its token is then refused, as in AWS); one registered with another role or organisation is
/// a 409, never silently re-pointed.
pub async fn ensure_registered(store: &Store, wanted: Principal) -> Result<Principal, ApiError> {
    wanted.validate()?;
    for _ in 0..2 {
        if let Some(existing) = storage::principals::get(store, &wanted.issuer, &wanted.subject).await? {
            if (existing.role, existing.org.as_str()) != (wanted.role, wanted.org.as_str()) {
                return Err(ApiError::Conflict(format!(
                    "subject {} is registered as {} of {}",
                    existing.subject,
                    existing.role.as_str(),
                    existing.org
                )));
            }
            return Ok(existing);
        }
        match storage::principals::put(store, &wanted, PutMode::Create).await {
            Ok(()) => return Ok(wanted),
            // Registered by a concurrent request between our read and write: read it.
            Err(StoreError::Conflict(_)) => continue,
            Err(err) => return Err(err.into()),
        }
    }
    Err(ApiError::Conflict("the principal changed while it was being registered; retry".into()))
}
