//! The authorizer Lambda: builds the verifier (issuer, JWKS over HTTPS) and the cached registry
//! once per cold start, then decides each authorizer event (`authorizer::lambda`).

use authorizer::lambda::{handle_event, Settings};
use authorizer::{Authorizer, CachedRegistry, HttpsJwks, StoreRegistry, Verifier};
use aws_lambda_events::apigw::ApiGatewayV2CustomAuthorizerV2Request;
use lambda_runtime::{service_fn, LambdaEvent};

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    edge::telemetry::init();
    let settings = Settings::from_env()?;
    let jwks = HttpsJwks::new(&settings.jwks_url)?;
    let store = Box::pin(storage::Store::from_env()).await;
    let authorizer = Authorizer::new(
        Verifier::new(settings.verifier, jwks),
        CachedRegistry::new(StoreRegistry(store), settings.principal_cache_seconds),
    );
    // Lives as long as the process: every invocation of this sandbox shares it (and its caches).
    let authorizer: &'static _ = Box::leak(Box::new(authorizer));
    // Boxed: the runtime's nested futures are too deep to lay out inline in `main`'s own.
    Box::pin(lambda_runtime::run(service_fn(
        move |event: LambdaEvent<ApiGatewayV2CustomAuthorizerV2Request>| async move {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs() as i64)
                .unwrap_or_default();
            handle_event(authorizer, &event.payload, now).await.map_err(|unavailable| unavailable.to_string())
        },
    )))
    .await
}
