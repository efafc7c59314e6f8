//! The authorizer's Lambda glue: its configuration from the environment (read once per cold
//! start) and one authorizer event (payload format 2.0) in, one simple response out.

use std::env;

use aws_lambda_events::apigw::ApiGatewayV2CustomAuthorizerV2Request;

use crate::decision::{Authorizer, Decision, Registry, SimpleResponse, Unavailable};
use crate::jwks::JwksSource;
use crate::verify::VerifierConfig;

/// Settings of the authorizer Lambda.
#[derive(Debug, Clone)]
pub struct Settings {
    pub verifier: VerifierConfig,
    /// The issuer's key set (`JWKS_URL`); defaults to `<issuer>/.well-known/jwks.json`
    /// (where Cognito user pools publish theirs).
    pub jwks_url: String,
    /// How long a warm authorizer trusts a registry read (`PRINCIPAL_CACHE_SECONDS`).
    pub principal_cache_seconds: i64,
}

impl Settings {
    pub const DEFAULT_PRINCIPAL_CACHE_SECONDS: i64 = 60;

    /// Reads `JWT_ISSUER` (required), `JWT_AUDIENCE`, `JWKS_URL`, `JWT_MAX_SKEW_SECONDS`,
    /// `JWKS_REFETCH_SECONDS` and `PRINCIPAL_CACHE_SECONDS`.
    pub fn from_env() -> Result<Self, String> {
        Self::from_lookup(|name| env::var(name).ok().filter(|v| !v.is_empty()))
    }

    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, String> {
        let issuer = get("JWT_ISSUER").ok_or("JWT_ISSUER is not set")?;
        let seconds = |name: &str, default: i64| -> Result<i64, String> {
            match get(name) {
                None => Ok(default),
                Some(v) => v.parse::<i64>().ok().filter(|n| *n >= 0).ok_or(format!("{name} must be whole seconds")),
            }
        };
        let mut verifier = VerifierConfig::new(issuer.clone());
        verifier.audience = get("JWT_AUDIENCE");
        verifier.max_skew_seconds = seconds("JWT_MAX_SKEW_SECONDS", VerifierConfig::DEFAULT_SKEW_SECONDS)?;
        verifier.refetch_interval_seconds = seconds("JWKS_REFETCH_SECONDS", VerifierConfig::DEFAULT_REFETCH_SECONDS)?;
        Ok(Self {
            verifier,
            jwks_url: get("JWKS_URL")
                .unwrap_or_else(|| format!("{}/.well-known/jwks.json", issuer.trim_end_matches('/'))),
            principal_cache_seconds: seconds("PRINCIPAL_CACHE_SECONDS", Self::DEFAULT_PRINCIPAL_CACHE_SECONDS)?,
        })
    }
}

/// Decides one authorizer event at `now` (Unix seconds). The token comes from the
/// `Authorization` header (the authorizer's identity source); a refusal is logged with its
/// reason (never the token) and answered `isAuthorized: false`, which API Gateway turns into 403.
pub async fn handle_event<S: JwksSource, R: Registry>(
    authorizer: &Authorizer<S, R>,
    event: &ApiGatewayV2CustomAuthorizerV2Request,
    now: i64,
) -> Result<SimpleResponse, Unavailable> {
    let route_key = event.route_key.as_deref().unwrap_or_default();
    let authorization = event.headers.get(http::header::AUTHORIZATION).and_then(|v| v.to_str().ok());
    let decision = authorizer.decide(route_key, authorization, now).await?;
    match &decision {
        Decision::Allow(context) => {
            tracing::info!(route = route_key, sub = %context.sub, role = context.role, org = %context.org, "allowed")
        }
        Decision::Deny(refusal) => tracing::info!(route = route_key, reason = %refusal, "refused"),
    }
    Ok(decision.into_response())
}
