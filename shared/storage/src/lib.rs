//! The one DynamoDB table: its design (`table`), the client and its time limits (`config`),
//! the key layout of every entity (`keys`), and one module per entity's reads and writes.
//!
//! Storage speaks domain types in and [`StoreError`] out; it knows nothing of HTTP. The edge
//! decides what a store failure means to a caller (503 with Retry-After, 409, ...).

pub mod config;
pub mod counters;
pub(crate) mod cursor;
pub mod events;
pub mod keys;
pub mod principals;
pub mod proposals;
pub mod published_editions;
pub mod quotes;
pub mod rate;
pub mod table;
pub mod telemetry;
pub mod themes;

use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region};
use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::Client;

use crate::config::Config;

/// The table a function works on: the SDK client (an `Arc` inside, cheap to clone) and the
/// table's name. Built once per cold start.
#[derive(Clone, Debug)]
pub struct Store {
    pub dynamo: Client,
    pub table: String,
}

impl Store {
    pub fn new(dynamo: Client, table: impl Into<String>) -> Self {
        Self { dynamo, table: table.into() }
    }

    /// The store the environment names (`TABLE_NAME`, `DYNAMODB_ENDPOINT`, ...): the expensive
    /// part of a cold start.
    pub async fn from_env() -> Self {
        let config = Config::from_env();
        let dynamo = dynamodb_client(&config).await;
        Self { dynamo, table: config.table_name }
    }
}

/// Why a store operation failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    /// Unreachable, timed out or throttling: nothing is known to be written; retry later.
    #[error("the store is unavailable")]
    Unavailable,
    /// A conditional write found the item in a state that forbids it.
    #[error("conflict: {0}")]
    Conflict(String),
    /// The item the operation needs does not exist.
    #[error("not found")]
    NotFound,
    /// A listing cursor that this listing did not hand out.
    #[error("not a cursor of this listing")]
    InvalidCursor,
    /// Anything else: a bug or an unexpected answer (logged, never shown).
    #[error("store error: {0}")]
    Internal(String),
}

impl StoreError {
    pub fn internal(detail: impl Into<String>) -> Self {
        StoreError::Internal(detail.into())
    }
}

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

/// Error codes DynamoDB answers when it sheds load: the request may be retried later.
pub(crate) const THROTTLING_CODES: [&str; 3] =
    ["ThrottlingException", "ProvisionedThroughputExceededException", "RequestLimitExceeded"];

/// Maps an SDK failure that the caller did not handle itself: an unreachable, timed-out or
/// throttling store is [`StoreError::Unavailable`]; anything else is internal. Decided on the
/// SDK's typed error kinds and the service's error code, never on formatted text.
pub fn store_error<E, R>(err: SdkError<E, R>) -> StoreError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    match &err {
        SdkError::DispatchFailure(_) | SdkError::TimeoutError(_) => {
            tracing::warn!(error = ?err, "store unavailable");
            StoreError::Unavailable
        }
        SdkError::ServiceError(service) if service.err().code().is_some_and(|c| THROTTLING_CODES.contains(&c)) => {
            tracing::warn!(code = service.err().code(), "store throttled");
            StoreError::Unavailable
        }
        SdkError::ServiceError(service) => StoreError::internal(format!(
            "store error: {} {}",
            service.err().code().unwrap_or("(no code)"),
            service.err().message().unwrap_or("")
        )),
        _ => StoreError::internal(format!("store error: {err:?}")),
    }
}

/// Whether a transaction was cancelled because a condition of one of its items failed.
pub(crate) fn transaction_condition_failed<R>(
    err: &SdkError<aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError, R>,
) -> bool {
    use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
    match err.as_service_error() {
        Some(TransactWriteItemsError::TransactionCanceledException(cancelled)) => {
            cancelled.cancellation_reasons().iter().any(|r| r.code() == Some("ConditionalCheckFailed"))
        }
        _ => false,
    }
}

/// Items one Query finds, in its order.
type QueryItems = Vec<std::collections::HashMap<String, aws_sdk_dynamodb::types::AttributeValue>>;

/// Every item a Query finds, page after page (the query's own `Limit`, if any, sizes the
/// pages). Each listing that must read a whole partition goes through here.
pub(crate) async fn query_all(
    query: aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder,
) -> Result<QueryItems, StoreError> {
    query_pages(query, None).await
}

/// The first `want` items a Query finds (fewer when the key range has fewer), asking each page
/// for just the items still missing: a feed or catch-up page reads no more than it returns.
pub(crate) async fn query_up_to(
    query: aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder,
    want: usize,
) -> Result<QueryItems, StoreError> {
    query_pages(query, Some(want)).await
}

async fn query_pages(
    query: aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder,
    want: Option<usize>,
) -> Result<QueryItems, StoreError> {
    let mut items = Vec::with_capacity(want.unwrap_or_default());
    let mut start = None;
    loop {
        let mut request = query.clone().set_exclusive_start_key(start).return_consumed_capacity(telemetry::CAPACITY);
        if let Some(want) = want {
            request = request.limit((want - items.len()) as i32);
        }
        let page = telemetry::observe(telemetry::Operation::Query, request.send()).await.map_err(store_error)?;
        items.extend(page.items.unwrap_or_default());
        start = page.last_evaluated_key.filter(|key| !key.is_empty());
        if start.is_none() || want.is_some_and(|want| items.len() >= want) {
            return Ok(items);
        }
    }
}

/// One item by key, strongly consistent (every read of ours follows its own writes), mapped to
/// `T`; `None` when absent. Every GetItem of every entity goes through here.
pub(crate) async fn get_item<T: serde::de::DeserializeOwned>(
    store: &Store,
    pk: String,
    sk: &str,
) -> Result<Option<T>, StoreError> {
    let output = crate::telemetry::observe(
        crate::telemetry::Operation::GetItem,
        store
            .dynamo
            .get_item()
            .table_name(&store.table)
            .set_key(Some(keys::item_key(pk, sk)))
            .consistent_read(true)
            .return_consumed_capacity(crate::telemetry::CAPACITY)
            .send(),
    )
    .await
    .map_err(store_error)?;
    output.item.map(|item| serde_dynamo::from_item(item).map_err(mapping_error)).transpose()
}

/// Maps an item (de)serialisation failure: stored data we cannot read is our bug.
pub fn mapping_error(err: serde_dynamo::Error) -> StoreError {
    StoreError::internal(format!("item mapping: {err}"))
}
