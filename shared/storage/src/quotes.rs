//! Storage of quotes. Quotes are immutable once computed and owned by the organisation that
//! asked for them.
//!
//! Key layout (one item per quote, no index):
//! - `PK = "ORG#<owner org>"`, `SK = "QUOTE#<id>"` (id: a ULID, so one org's quotes sort by
//!   creation time);
//! - attribute `quote`: the whole [`Quote`] (input echo and figures) as the JSON text the API
//!   serves, written once when the quote is computed. A quote never changes, so GET answers
//!   these bytes as they are (and its ETag stays the POST's), without mapping a nested item
//!   back and forth; the figures inside are never queried by the store.
//!
//! - attribute `expires_at` (the table's TTL): `created_at` + `domain::quote::RETENTION_DAYS`;
//!   removed in the transaction that creates a proposal from the quote, which keeps it for good.
//!   DynamoDB deletes expired items within days, so reads treat a passed expiry as absent.
//! - the organisation's counter of quotes per UTC day (`COUNT#QUOTES#{day}`, `counters`), expiring
//!   two days later.
//!
//! The owner is part of the key, so a read by another organisation simply misses: no quote
//! leaks across tenants, and not even its existence.

use aws_sdk_dynamodb::types::AttributeValue;
use serde::{Deserialize, Serialize};

use crate::counters;
use crate::get_item;
use crate::keys::quote as keys;
use crate::Store;
use crate::StoreError;
use crate::{mapping_error, store_error};
use domain::quote::{Quote, RETENTION_DAYS};

const ENTITY: &str = "quote";

#[derive(Serialize, Deserialize)]
struct QuoteItem {
    #[serde(rename = "PK")]
    pk: String,
    #[serde(rename = "SK")]
    sk: String,
    entity: String,
    quote: StoredBody,
    /// Unix seconds after which the quote is gone (TTL); absent once a proposal refers to it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    expires_at: Option<i64>,
}

impl QuoteItem {
    fn expired(&self, now: i64) -> bool {
        self.expires_at.is_some_and(|at| at <= now)
    }
}

/// The `quote` attribute: the quote's JSON as served. Items written before this layout (only
/// local `make run` data in `.local/dynamodb`) hold the quote as a map; they are still read,
/// so an old local quote is served rather than failing with a 500.
#[derive(Serialize, Deserialize)]
#[serde(untagged)]
enum StoredBody {
    Json(String),
    Map(Box<Quote>),
}

impl StoredBody {
    fn into_json(self) -> Result<String, StoreError> {
        match self {
            StoredBody::Json(json) => Ok(json),
            StoredBody::Map(quote) => {
                serde_json::to_string(&quote).map_err(|e| StoreError::internal(format!("serialising quote: {e}")))
            }
        }
    }
}

/// Stores a new quote, `json` being its JSON as served. The id is fresh, so an existing item is
/// either this very quote (the SDK retried a put whose first answer was lost, e.g. under a
/// slow store: the write did land) or a bug, never an overwrite.
pub async fn put_quote(store: &Store, quote: &Quote, json: &str) -> Result<(), StoreError> {
    let item = QuoteItem {
        pk: keys::pk(&quote.owner_org),
        sk: keys::sk(&quote.id),
        entity: ENTITY.to_owned(),
        quote: StoredBody::Json(json.to_owned()),
        expires_at: Some((quote.created_at + chrono::Duration::days(RETENTION_DAYS)).timestamp()),
    };
    let item: std::collections::HashMap<String, AttributeValue> = serde_dynamo::to_item(item).map_err(mapping_error)?;
    let result = crate::telemetry::observe(
        crate::telemetry::Operation::PutItem,
        store
            .dynamo
            .put_item()
            .table_name(&store.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(PK)")
            .return_consumed_capacity(crate::telemetry::CAPACITY)
            .send(),
    )
    .await;
    match result {
        Ok(_) => Ok(()),
        Err(err) if err.as_service_error().is_some_and(|e| e.is_conditional_check_failed_exception()) => {
            match get_quote_json(store, &quote.owner_org, &quote.id).await? {
                Some(stored) if stored == json => Ok(()),
                _ => Err(StoreError::Conflict(format!("quote {} exists already", quote.id))),
            }
        }
        Err(err) => Err(store_error(err)),
    }
}

/// The JSON of quote `id` of `owner_org` as served, or `None` when that organisation has no
/// such quote (whether it does not exist or belongs to another organisation).
pub async fn get_quote_json(store: &Store, owner_org: &str, id: &str) -> Result<Option<String>, StoreError> {
    // Ids are ULIDs; anything else cannot name a quote, so do not ask the store.
    if ulid::Ulid::from_string(id).is_err() {
        return Ok(None);
    }
    let item: Option<QuoteItem> = get_item(store, keys::pk(owner_org), &keys::sk(id)).await?;
    let now = chrono::Utc::now().timestamp();
    item.filter(|item| !item.expired(now)).map(|item| item.quote.into_json()).transpose()
}

/// Counts one quote of `owner_org` today (UTC): `Ok(None)` while within `limit`, else the
/// seconds until the count resets (the next UTC midnight).
pub async fn count_one_today(store: &Store, owner_org: &str, limit: u32) -> Result<Option<u64>, StoreError> {
    let now = chrono::Utc::now();
    let tomorrow = (now.date_naive() + chrono::Days::new(1)).and_hms_opt(0, 0, 0).expect("midnight exists").and_utc();
    let (pk, sk) = keys::daily_count_key(owner_org, now.date_naive());
    let expires_at = tomorrow.timestamp() + 86_400;
    if counters::take(store, pk, &sk, limit, expires_at).await? {
        return Ok(None);
    }
    Ok(Some((tomorrow - now).num_seconds().max(1) as u64))
}

/// The transaction member that keeps quote `id` of `owner_org` for good (its expiry removed);
/// it fails its condition when the quote is gone or expired.
pub(crate) fn keep_in_transaction(
    store: &Store,
    owner_org: &str,
    id: &str,
) -> Result<aws_sdk_dynamodb::types::TransactWriteItem, StoreError> {
    let update = aws_sdk_dynamodb::types::Update::builder()
        .table_name(&store.table)
        .set_key(Some(crate::keys::item_key(keys::pk(owner_org), &keys::sk(id))))
        .update_expression("REMOVE #expires")
        .condition_expression("attribute_exists(PK) AND (attribute_not_exists(#expires) OR #expires > :now)")
        .expression_attribute_names("#expires", crate::table::TABLE.ttl_attribute)
        .expression_attribute_values(":now", AttributeValue::N(chrono::Utc::now().timestamp().to_string()))
        .build()
        .map_err(|e| StoreError::internal(format!("building quote update: {e}")))?;
    Ok(aws_sdk_dynamodb::types::TransactWriteItem::builder().update(update).build())
}

/// The quote `id` of `owner_org`, as for [`get_quote_json`]; used by proposals filled from a
/// quote.
pub async fn get_quote(store: &Store, owner_org: &str, id: &str) -> Result<Option<Quote>, StoreError> {
    get_quote_json(store, owner_org, id)
        .await?
        .map(|json| serde_json::from_str(&json).map_err(|e| StoreError::internal(format!("stored quote: {e}"))))
        .transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Quote {
        let request = serde_json::from_value(serde_json::json!({
            "period": 2027,
            "providers": [{"agb": "06111111", "name": "Ziekenhuis Noord", "kind": "ziekenhuis"}],
            "prestaties": [{"prestatie": "geboortezorg_nataal", "volume": "3",
                "components": [{"provider": "06111111", "amount_per_unit": "100.00"}]}],
            "distribution": {"method": "cost_based"}
        }))
        .unwrap();
        let result = domain::quote::quote(&request).unwrap();
        Quote {
            id: "01JDQ7Z3K8M4V6W9X2Y5A7B3C1".into(),
            owner_org: "53012345".into(),
            created_at: chrono::Utc::now(),
            input: request,
            result,
        }
    }

    fn stored(body: StoredBody) -> QuoteItem {
        let item = QuoteItem {
            pk: "ORG#53012345".into(),
            sk: "QUOTE#x".into(),
            entity: ENTITY.into(),
            quote: body,
            expires_at: Some(1),
        };
        let item: std::collections::HashMap<String, AttributeValue> = serde_dynamo::to_item(item).unwrap();
        serde_dynamo::from_item(item).unwrap()
    }

    #[test]
    fn the_served_json_is_stored_and_read_back_byte_for_byte() {
        let json = serde_json::to_string(&sample()).unwrap();
        assert_eq!(stored(StoredBody::Json(json.clone())).quote.into_json().unwrap(), json);
    }

    #[test]
    fn quotes_stored_as_a_map_by_the_earlier_layout_still_read() {
        let quote = sample();
        let json = stored(StoredBody::Map(Box::new(quote.clone()))).quote.into_json().unwrap();
        assert_eq!(serde_json::from_str::<Quote>(&json).unwrap(), quote);
    }
}
