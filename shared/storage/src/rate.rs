//! Per-organisation request counting: one counter item per organisation and second
//! (`RATE#{org}#{second}`, see `counters`) that refuses the request once the limit is reached.
//! The item expires through the table's TTL a minute later (DynamoDB deletes expired items
//! within days; they are tiny and never read after their second).

use crate::keys::rate;
use crate::{counters, Store, StoreError};

/// How long a counter item lives after its second (TTL).
const COUNTER_TTL_SECONDS: i64 = 60;

/// Counts one request of `org` in `second` (Unix seconds): `true` while within `limit`
/// requests, `false` once the limit is reached (the request is not counted then).
pub async fn take(store: &Store, org: &str, second: i64, limit: u32) -> Result<bool, StoreError> {
    counters::take(store, rate::pk(org, second), rate::SK, limit, second + COUNTER_TTL_SECONDS).await
}
