//! Process configuration, read once from the environment at cold start.
//!
//! Lambda sets these in the SAM template; `make run` and the tests set them locally.

use std::env;
use std::time::Duration;

/// Settings every function needs.
#[derive(Debug, Clone)]
pub struct Config {
    /// The one DynamoDB table holding all state (`TABLE_NAME`).
    pub table_name: String,
    /// Endpoint override for DynamoDB Local (`DYNAMODB_ENDPOINT`); `None` in AWS.
    pub dynamodb_endpoint: Option<String>,
    /// AWS region (`AWS_REGION`), defaulted for local runs.
    pub region: String,
    /// How long the store may take before a request answers 503.
    pub store_timeouts: StoreTimeouts,
}

/// Time limits on DynamoDB calls. The defaults suit DynamoDB itself (single-digit ms answers):
/// a dead or stuck store turns into a 503 within seconds instead of a hung Lambda. An emulator
/// on a busy laptop or CI box can be far slower on its first requests, so local runs and the
/// tests may raise them (`DYNAMODB_ATTEMPT_TIMEOUT_MS`, `DYNAMODB_OPERATION_TIMEOUT_MS`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoreTimeouts {
    /// One HTTP attempt (the SDK retries a timed-out attempt).
    pub attempt: Duration,
    /// The whole call, retries included.
    pub operation: Duration,
}

impl StoreTimeouts {
    pub const AWS: StoreTimeouts = StoreTimeouts { attempt: Duration::from_secs(2), operation: Duration::from_secs(5) };
    /// For DynamoDB Local under CPU contention (a JVM warming up beside a compiler).
    pub const EMULATOR: StoreTimeouts =
        StoreTimeouts { attempt: Duration::from_secs(10), operation: Duration::from_secs(25) };

    fn from_env() -> Self {
        let millis = |name: &str| env::var(name).ok().and_then(|v| v.parse::<u64>().ok()).map(Duration::from_millis);
        Self {
            attempt: millis("DYNAMODB_ATTEMPT_TIMEOUT_MS").unwrap_or(Self::AWS.attempt),
            operation: millis("DYNAMODB_OPERATION_TIMEOUT_MS").unwrap_or(Self::AWS.operation),
        }
    }
}

impl Config {
    pub const DEFAULT_TABLE_NAME: &'static str = "zorginkoop";
    pub const DEFAULT_REGION: &'static str = "eu-central-1";

    pub fn from_env() -> Self {
        Self {
            table_name: env::var("TABLE_NAME").unwrap_or_else(|_| Self::DEFAULT_TABLE_NAME.into()),
            dynamodb_endpoint: env::var("DYNAMODB_ENDPOINT").ok().filter(|s| !s.is_empty()),
            region: env::var("AWS_REGION").unwrap_or_else(|_| Self::DEFAULT_REGION.into()),
            store_timeouts: StoreTimeouts::from_env(),
        }
    }
}
