//! Process configuration, read once from the environment at cold start.
//!
//! Lambda sets these in the SAM template; `make run` and the tests set them locally.

use std::env;

/// Settings every function needs.
#[derive(Debug, Clone)]
pub struct Config {
    /// The one DynamoDB table holding all state (`TABLE_NAME`).
    pub table_name: String,
    /// Endpoint override for DynamoDB Local (`DYNAMODB_ENDPOINT`); `None` in AWS.
    pub dynamodb_endpoint: Option<String>,
    /// AWS region (`AWS_REGION`), defaulted for local runs.
    pub region: String,
}

impl Config {
    pub const DEFAULT_TABLE_NAME: &'static str = "zorginkoop";
    pub const DEFAULT_REGION: &'static str = "eu-central-1";

    pub fn from_env() -> Self {
        Self {
            table_name: env::var("TABLE_NAME").unwrap_or_else(|_| Self::DEFAULT_TABLE_NAME.into()),
            dynamodb_endpoint: env::var("DYNAMODB_ENDPOINT").ok().filter(|s| !s.is_empty()),
            region: env::var("AWS_REGION").unwrap_or_else(|_| Self::DEFAULT_REGION.into()),
        }
    }
}
