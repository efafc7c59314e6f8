//! What a function builds once at cold start and every handler borrows: the SDK client and
//! the table name. Cheap to clone (the SDK client is an `Arc` inside).

use crate::config::Config;
use crate::storage;

#[derive(Clone, Debug)]
pub struct AppContext {
    pub dynamo: aws_sdk_dynamodb::Client,
    pub table: String,
}

impl AppContext {
    /// Builds the context from the environment: the expensive part of a cold start.
    pub async fn from_env() -> Self {
        let config = Config::from_env();
        let dynamo = storage::dynamodb_client(&config).await;
        Self { dynamo, table: config.table_name }
    }

    pub fn new(dynamo: aws_sdk_dynamodb::Client, table: impl Into<String>) -> Self {
        Self { dynamo, table: table.into() }
    }
}
