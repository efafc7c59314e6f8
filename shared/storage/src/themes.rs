//! Storage of themes-table editions and the latest-published pointer (reads: GetItem and
//! Query only, never Scan).
//!
//! Key layout:
//! - Edition: `PK = THEMES#EDITION#<edition>`, `SK = EDITION`; listed through
//!   `GSI1PK = THEMES#EDITIONS`, `GSI1SK = <edition>`. Attributes: `edition`, `status`
//!   (`draft` | `published`), `published_at`, `created_at`, `updated_at`, `summary` (the change
//!   summary against `summary.against`, computed when written: that edition is published and
//!   therefore immutable, so the summary stays true) and `document`, the edition document as
//!   one JSON string (about 50 KB, far below DynamoDB's 400 KB item limit; it is always read
//!   whole, and keeping it one string keeps its bytes, and so its ETag, stable).
//! - Latest published: `PK = THEMES#LATEST`, `SK = POINTER`, attribute `edition`,
//!   `published_at`. Publishing flips the edition's status, moves the pointer and writes the
//!   public `themes_edition.published` event (`storage::events`) in one transaction.

use aws_sdk_dynamodb::types::{AttributeValue, Put, TransactWriteItem, Update};
use serde::{Deserialize, Serialize};

use crate::get_item;
use crate::keys::item_key;
use crate::keys::themes::{edition_pk, EDITIONS_PARTITION, EDITION_SK, LATEST_PK, LATEST_SK};
use crate::table::GSI1;
use crate::Store;
use crate::StoreError;
use crate::{mapping_error, store_error, transaction_condition_failed};
use domain::themes::{ChangeSummary, EditionDocument, EditionStatus};

/// An edition as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredEdition {
    #[serde(rename = "PK")]
    pk: String,
    #[serde(rename = "SK")]
    sk: String,
    #[serde(rename = "GSI1PK")]
    gsi1pk: String,
    #[serde(rename = "GSI1SK")]
    gsi1sk: String,
    pub edition: String,
    pub status: EditionStatus,
    #[serde(default)]
    pub published_at: Option<chrono::DateTime<chrono::Utc>>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
    pub title: String,
    pub summary: ChangeSummary,
    /// The edition document as JSON.
    pub document: String,
}

impl StoredEdition {
    pub fn new(
        doc: &EditionDocument,
        summary: ChangeSummary,
        status: EditionStatus,
        now: chrono::DateTime<chrono::Utc>,
        published_at: Option<chrono::DateTime<chrono::Utc>>,
    ) -> Result<Self, StoreError> {
        let document =
            serde_json::to_string(doc).map_err(|e| StoreError::internal(format!("serialising edition: {e}")))?;
        Ok(StoredEdition {
            pk: edition_pk(&doc.edition),
            sk: EDITION_SK.into(),
            gsi1pk: EDITIONS_PARTITION.into(),
            gsi1sk: doc.edition.clone(),
            edition: doc.edition.clone(),
            status,
            published_at,
            created_at: now,
            updated_at: now,
            title: doc.title.clone(),
            summary,
            document,
        })
    }

    /// The edition document.
    pub fn document(&self) -> Result<EditionDocument, StoreError> {
        serde_json::from_str(&self.document).map_err(|e| StoreError::internal(format!("stored edition: {e}")))
    }
}

/// The latest-published pointer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct LatestPointer {
    #[serde(rename = "PK")]
    pk: String,
    #[serde(rename = "SK")]
    sk: String,
    edition: String,
    published_at: chrono::DateTime<chrono::Utc>,
}

/// One edition, or `None`.
pub async fn get_edition(store: &Store, edition: &str) -> Result<Option<StoredEdition>, StoreError> {
    get_item(store, edition_pk(edition), EDITION_SK).await
}

/// The id of the latest published edition, or `None` before anything is published.
pub async fn latest_published_id(store: &Store) -> Result<Option<String>, StoreError> {
    let pointer: Option<LatestPointer> = get_item(store, LATEST_PK.into(), LATEST_SK).await?;
    Ok(pointer.map(|p| p.edition))
}

/// The latest published edition.
pub async fn latest_published(store: &Store) -> Result<Option<StoredEdition>, StoreError> {
    match latest_published_id(store).await? {
        Some(id) => get_edition(store, &id).await,
        None => Ok(None),
    }
}

/// Every edition, in edition-id order. The items come whole, documents included (GSI1
/// projects every attribute): the listing shows only metadata, but a few editions a year at
/// ~50 KB each keep one page small, and one item shape keeps one mapping.
pub async fn list_editions(store: &Store) -> Result<Vec<StoredEdition>, StoreError> {
    let query = store
        .dynamo
        .query()
        .table_name(&store.table)
        .index_name(GSI1.name)
        .key_condition_expression("#pk = :pk")
        .expression_attribute_names("#pk", GSI1.partition_key)
        .expression_attribute_values(":pk", AttributeValue::S(EDITIONS_PARTITION.into()));
    crate::query_all(query)
        .await?
        .into_iter()
        .map(|item| serde_dynamo::from_item(item).map_err(mapping_error))
        .collect()
}

/// Writes a draft: creates it, or replaces a draft of the same id (keeping its created_at).
/// A published edition is never overwritten: 409.
pub async fn put_draft(store: &Store, mut edition: StoredEdition) -> Result<bool, StoreError> {
    let existing = get_edition(store, &edition.edition).await?;
    if let Some(old) = &existing {
        if old.status == EditionStatus::Published {
            return Err(published_conflict(&edition.edition));
        }
        edition.created_at = old.created_at;
    }
    let item = serde_dynamo::to_item(&edition).map_err(mapping_error)?;
    let result = crate::telemetry::observe(
        crate::telemetry::Operation::PutItem,
        store
            .dynamo
            .put_item()
            .table_name(&store.table)
            .set_item(Some(item))
            // Guards the race with a concurrent publish between our read and this write.
            .condition_expression("attribute_not_exists(PK) OR #status = :draft")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":draft", AttributeValue::S("draft".into()))
            .return_consumed_capacity(crate::telemetry::CAPACITY)
            .send(),
    )
    .await;
    match result {
        Ok(_) => Ok(existing.is_none()),
        Err(err) if err.as_service_error().is_some_and(|e| e.is_conditional_check_failed_exception()) => {
            Err(published_conflict(&edition.edition))
        }
        Err(err) => Err(store_error(err)),
    }
}

fn published_conflict(edition: &str) -> StoreError {
    StoreError::Conflict(format!("edition {edition} is published and can no longer change"))
}

/// Publishes a draft: flips its status and moves the latest-published pointer, atomically.
/// 404 for an unknown edition, 409 for one already published.
pub async fn publish(
    store: &Store,
    edition: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<StoredEdition, StoreError> {
    let Some(current) = get_edition(store, edition).await? else {
        return Err(StoreError::NotFound);
    };
    if current.status == EditionStatus::Published {
        return Err(published_conflict(edition));
    }
    let stamp = serde_dynamo::to_attribute_value::<_, AttributeValue>(now).map_err(mapping_error)?;
    let update = Update::builder()
        .table_name(&store.table)
        .set_key(Some(item_key(edition_pk(edition), EDITION_SK)))
        .update_expression("SET #status = :published, published_at = :now, updated_at = :now")
        .condition_expression("#status = :draft")
        .expression_attribute_names("#status", "status")
        .expression_attribute_values(":published", AttributeValue::S("published".into()))
        .expression_attribute_values(":draft", AttributeValue::S("draft".into()))
        .expression_attribute_values(":now", stamp)
        .build()
        .map_err(|e| StoreError::internal(format!("building update: {e}")))?;
    let pointer =
        LatestPointer { pk: LATEST_PK.into(), sk: LATEST_SK.into(), edition: edition.into(), published_at: now };
    let put = Put::builder()
        .table_name(&store.table)
        .set_item(Some(serde_dynamo::to_item(&pointer).map_err(mapping_error)?))
        .build()
        .map_err(|e| StoreError::internal(format!("building put: {e}")))?;
    let result = crate::telemetry::observe(
        crate::telemetry::Operation::TransactWriteItems,
        store
            .dynamo
            .transact_write_items()
            .transact_items(TransactWriteItem::builder().update(update).build())
            .transact_items(TransactWriteItem::builder().put(put).build())
            .transact_items(published_event(store, edition, now)?)
            .return_consumed_capacity(crate::telemetry::CAPACITY)
            .send(),
    )
    .await;
    match result {
        Ok(_) => {}
        Err(err) if transaction_condition_failed(&err) => return Err(published_conflict(edition)),
        Err(err) => return Err(store_error(err)),
    }
    get_edition(store, edition).await?.ok_or_else(|| StoreError::internal("published edition vanished"))
}

/// The public event of publishing `edition`, as a member of the publishing transaction (the
/// outbox: no published edition without its event).
fn published_event(
    store: &Store,
    edition: &str,
    at: chrono::DateTime<chrono::Utc>,
) -> Result<TransactWriteItem, StoreError> {
    let event = domain::event::edition_published(&crate::events::new_id(), edition, at);
    let item = crate::events::items(&[event])?.pop().ok_or_else(|| StoreError::internal("no event item"))?;
    let put = Put::builder()
        .table_name(&store.table)
        .set_item(Some(item))
        .build()
        .map_err(|e| StoreError::internal(format!("building put: {e}")))?;
    Ok(TransactWriteItem::builder().put(put).build())
}

/// Stores an edition as published together with the pointer unless the edition exists
/// already (the seed: idempotent), with its public event. Returns whether it was written.
pub async fn insert_published_if_absent(store: &Store, edition: StoredEdition) -> Result<bool, StoreError> {
    let published_at =
        edition.published_at.ok_or_else(|| StoreError::internal("a published edition needs published_at"))?;
    let put_edition = Put::builder()
        .table_name(&store.table)
        .set_item(Some(serde_dynamo::to_item(&edition).map_err(mapping_error)?))
        .condition_expression("attribute_not_exists(PK)")
        .build()
        .map_err(|e| StoreError::internal(format!("building put: {e}")))?;
    let pointer =
        LatestPointer { pk: LATEST_PK.into(), sk: LATEST_SK.into(), edition: edition.edition.clone(), published_at };
    // The pointer only moves to the seed when nothing else was published yet.
    let put_pointer = Put::builder()
        .table_name(&store.table)
        .set_item(Some(serde_dynamo::to_item(&pointer).map_err(mapping_error)?))
        .condition_expression("attribute_not_exists(PK)")
        .build()
        .map_err(|e| StoreError::internal(format!("building put: {e}")))?;
    let result = crate::telemetry::observe(
        crate::telemetry::Operation::TransactWriteItems,
        store
            .dynamo
            .transact_write_items()
            .transact_items(TransactWriteItem::builder().put(put_edition).build())
            .transact_items(TransactWriteItem::builder().put(put_pointer).build())
            .transact_items(published_event(store, &edition.edition, published_at)?)
            .return_consumed_capacity(crate::telemetry::CAPACITY)
            .send(),
    )
    .await;
    match result {
        Ok(_) => Ok(true),
        Err(err) if transaction_condition_failed(&err) => Ok(false),
        Err(err) => Err(store_error(err)),
    }
}
