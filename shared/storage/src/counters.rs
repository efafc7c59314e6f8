//! Counters with a ceiling, kept as items of the table so every warm function (and every
//! concurrent request) counts against the same number: per-organisation requests per second,
//! quotes per day and open drafts. One conditional `ADD` either counts the request while the
//! count is below the limit or fails its condition, so two racing requests can never both take
//! the last unit.

use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::types::{AttributeValue, TransactWriteItem, Update};

use crate::keys::item_key;
use crate::table::TABLE;
use crate::{store_error, Store, StoreError};

/// Adds one while below `:limit` (a counter that does not exist yet counts as 0).
const BELOW_LIMIT: &str = "attribute_not_exists(#count) OR #count < :limit";

/// Counts one unit on the counter item (`pk`, `sk`): `true` while within `limit`, `false` once
/// the limit is reached (nothing is counted then). `expires_at` (Unix seconds) lets the table's
/// TTL remove counters of a past second or day.
pub async fn take(store: &Store, pk: String, sk: &str, limit: u32, expires_at: i64) -> Result<bool, StoreError> {
    let result = crate::telemetry::observe(
        crate::telemetry::Operation::UpdateItem,
        store
            .dynamo
            .update_item()
            .table_name(&store.table)
            .set_key(Some(item_key(pk, sk)))
            .update_expression("ADD #count :one SET #expires = :expires")
            .condition_expression(BELOW_LIMIT)
            .expression_attribute_names("#count", "count")
            .expression_attribute_names("#expires", TABLE.ttl_attribute)
            .expression_attribute_values(":one", AttributeValue::N("1".into()))
            .expression_attribute_values(":limit", AttributeValue::N(limit.to_string()))
            .expression_attribute_values(":expires", AttributeValue::N(expires_at.to_string()))
            .return_consumed_capacity(crate::telemetry::CAPACITY)
            .send(),
    )
    .await;
    match result {
        Ok(_) => Ok(true),
        Err(err) if matches!(err.as_service_error(), Some(UpdateItemError::ConditionalCheckFailedException(_))) => {
            Ok(false)
        }
        Err(err) => Err(store_error(err)),
    }
}

/// The same count as a member of a transaction (no expiry: the counter lives as long as what
/// it counts): `delta` +1 is conditional on `limit`, -1 (something counted ended) never fails.
/// The transaction fails with `ConditionalCheckFailed` on this item when the limit is reached.
pub(crate) fn in_transaction(
    store: &Store,
    pk: String,
    sk: &str,
    delta: i8,
    limit: u32,
) -> Result<TransactWriteItem, StoreError> {
    let mut update = Update::builder()
        .table_name(&store.table)
        .set_key(Some(item_key(pk, sk)))
        .update_expression("ADD #count :delta")
        .expression_attribute_names("#count", "count")
        .expression_attribute_values(":delta", AttributeValue::N(delta.to_string()));
    if delta > 0 {
        update = update
            .condition_expression(BELOW_LIMIT)
            .expression_attribute_values(":limit", AttributeValue::N(limit.to_string()));
    }
    let update = update.build().map_err(|e| StoreError::internal(format!("building counter update: {e}")))?;
    Ok(TransactWriteItem::builder().update(update).build())
}
