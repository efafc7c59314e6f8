//! Per-organisation request counting: one conditional UpdateItem per request on the counter
//! item of the organisation's current second (`RATE#{org}#{second}`): it adds one while the
//! count is below the limit, and fails its condition once the limit is reached. The item
//! expires through the table's TTL a minute later (DynamoDB deletes expired items within
//! days; they are tiny and never read after their second).

use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::types::AttributeValue;

use crate::keys::{item_key, rate};
use crate::table::TABLE;
use crate::{store_error, Store, StoreError};

/// How long a counter item lives after its second (TTL).
const COUNTER_TTL_SECONDS: i64 = 60;

/// Counts one request of `org` in `second` (Unix seconds): `true` while within `limit`
/// requests, `false` once the limit is reached (the request is not counted then).
pub async fn take(store: &Store, org: &str, second: i64, limit: u32) -> Result<bool, StoreError> {
    let result = store
        .dynamo
        .update_item()
        .table_name(&store.table)
        .set_key(Some(item_key(rate::pk(org, second), rate::SK)))
        .update_expression("ADD #count :one SET #expires = :expires")
        .condition_expression("attribute_not_exists(#count) OR #count < :limit")
        .expression_attribute_names("#count", "count")
        .expression_attribute_names("#expires", TABLE.ttl_attribute)
        .expression_attribute_values(":one", AttributeValue::N("1".into()))
        .expression_attribute_values(":limit", AttributeValue::N(limit.to_string()))
        .expression_attribute_values(":expires", AttributeValue::N((second + COUNTER_TTL_SECONDS).to_string()))
        .send()
        .await;
    match result {
        Ok(_) => Ok(true),
        Err(err) if matches!(err.as_service_error(), Some(UpdateItemError::ConditionalCheckFailedException(_))) => {
            Ok(false)
        }
        Err(err) => Err(store_error(err)),
    }
}
