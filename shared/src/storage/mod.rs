//! DynamoDB access: the client set-up (timeouts chosen so a dead store answers 503 quickly
//! instead of hanging) and the mapping of SDK failures to API errors. Each entity's key
//! layout and queries live in its own submodule.

pub mod proposals;
pub mod quotes;
pub mod themes;

use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region};
use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::Client;

use crate::config::Config;
use crate::error::ApiError;

/// Builds the SDK client once per cold start. Locally (`DYNAMODB_ENDPOINT` set) it uses fixed
/// fake credentials, so every process sees the same DynamoDB Local database.
pub async fn dynamodb_client(config: &Config) -> Client {
    let timeouts = TimeoutConfig::builder()
        .connect_timeout(Duration::from_millis(500))
        .operation_attempt_timeout(config.store_timeouts.attempt)
        .operation_timeout(config.store_timeouts.operation)
        .build();
    // The SDK's default first back-off is 1 s; DynamoDB's own guidance starts near 50 ms.
    let retries = RetryConfig::standard().with_max_attempts(3).with_initial_backoff(Duration::from_millis(50));
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new(config.region.clone()))
        .timeout_config(timeouts)
        .retry_config(retries);
    if let Some(endpoint) = &config.dynamodb_endpoint {
        loader = loader
            .endpoint_url(endpoint)
            .credentials_provider(aws_sdk_dynamodb::config::Credentials::new("local", "local", None, None, "local"));
    }
    Client::new(&loader.load().await)
}

/// Maps an SDK failure that the caller did not handle itself: an unreachable, timed-out or
/// throttling store is a 503 the client may retry; anything else is an internal error.
pub fn store_error<E, R>(err: SdkError<E, R>) -> ApiError
where
    E: std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    match &err {
        SdkError::DispatchFailure(_) | SdkError::TimeoutError(_) => {
            tracing::warn!(error = ?err, "store unavailable");
            ApiError::ServiceUnavailable
        }
        SdkError::ServiceError(service) => {
            let text = format!("{:?}", service.err());
            if text.contains("Throttling")
                || text.contains("ProvisionedThroughputExceeded")
                || text.contains("RequestLimitExceeded")
            {
                tracing::warn!(error = %text, "store throttled");
                ApiError::ServiceUnavailable
            } else {
                ApiError::internal(format!("store error: {text}"))
            }
        }
        _ => ApiError::internal(format!("store error: {err:?}")),
    }
}

/// Maps an item (de)serialisation failure: stored data we cannot read is our bug.
pub fn mapping_error(err: serde_dynamo::Error) -> ApiError {
    ApiError::internal(format!("item mapping: {err}"))
}
