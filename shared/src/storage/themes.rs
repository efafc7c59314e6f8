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
//!   `published_at`. Publishing flips the edition's status and moves the pointer in one
//!   transaction.

use aws_sdk_dynamodb::types::{AttributeValue, Put, TransactWriteItem, Update};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::context::AppContext;
use crate::domain::themes::{ChangeSummary, EditionDocument};
use crate::error::ApiError;
use crate::storage::{mapping_error, store_error};
use crate::table::GSI1;

const EDITIONS_PARTITION: &str = "THEMES#EDITIONS";
const LATEST_PK: &str = "THEMES#LATEST";
const LATEST_SK: &str = "POINTER";
const EDITION_SK: &str = "EDITION";

fn edition_pk(edition: &str) -> String {
    format!("THEMES#EDITION#{edition}")
}

/// Whether an edition can still change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EditionStatus {
    Draft,
    Published,
}

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
    ) -> Result<Self, ApiError> {
        let document =
            serde_json::to_string(doc).map_err(|e| ApiError::internal(format!("serialising edition: {e}")))?;
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
    pub fn document(&self) -> Result<EditionDocument, ApiError> {
        serde_json::from_str(&self.document).map_err(|e| ApiError::internal(format!("stored edition: {e}")))
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

fn key(pk: String, sk: &str) -> std::collections::HashMap<String, AttributeValue> {
    [("PK".to_owned(), AttributeValue::S(pk)), ("SK".to_owned(), AttributeValue::S(sk.to_owned()))].into()
}

/// One edition, or `None`.
pub async fn get_edition(ctx: &AppContext, edition: &str) -> Result<Option<StoredEdition>, ApiError> {
    let out = ctx
        .dynamo
        .get_item()
        .table_name(&ctx.table)
        .set_key(Some(key(edition_pk(edition), EDITION_SK)))
        .consistent_read(true)
        .send()
        .await
        .map_err(store_error)?;
    out.item.map(|item| serde_dynamo::from_item(item).map_err(mapping_error)).transpose()
}

/// The id of the latest published edition, or `None` before anything is published.
pub async fn latest_published_id(ctx: &AppContext) -> Result<Option<String>, ApiError> {
    let out = ctx
        .dynamo
        .get_item()
        .table_name(&ctx.table)
        .set_key(Some(key(LATEST_PK.into(), LATEST_SK)))
        .consistent_read(true)
        .send()
        .await
        .map_err(store_error)?;
    let pointer: Option<LatestPointer> =
        out.item.map(|item| serde_dynamo::from_item(item).map_err(mapping_error)).transpose()?;
    Ok(pointer.map(|p| p.edition))
}

/// The latest published edition.
pub async fn latest_published(ctx: &AppContext) -> Result<Option<StoredEdition>, ApiError> {
    match latest_published_id(ctx).await? {
        Some(id) => get_edition(ctx, &id).await,
        None => Ok(None),
    }
}

/// Every edition's metadata (documents excluded), in edition-id order.
pub async fn list_editions(ctx: &AppContext) -> Result<Vec<StoredEdition>, ApiError> {
    let mut editions = Vec::new();
    let mut start = None;
    loop {
        let out = ctx
            .dynamo
            .query()
            .table_name(&ctx.table)
            .index_name(GSI1.name)
            .key_condition_expression("#pk = :pk")
            .expression_attribute_names("#pk", GSI1.partition_key)
            .expression_attribute_values(":pk", AttributeValue::S(EDITIONS_PARTITION.into()))
            .set_exclusive_start_key(start)
            .send()
            .await
            .map_err(store_error)?;
        for item in out.items.unwrap_or_default() {
            editions.push(serde_dynamo::from_item(item).map_err(mapping_error)?);
        }
        match out.last_evaluated_key {
            Some(k) if !k.is_empty() => start = Some(k),
            _ => break,
        }
    }
    Ok(editions)
}

fn is_conditional_failure<E: std::fmt::Debug>(err: &aws_sdk_dynamodb::error::SdkError<E>) -> bool {
    format!("{err:?}").contains("ConditionalCheckFailed")
}

/// Writes a draft: creates it, or replaces a draft of the same id (keeping its created_at).
/// A published edition is never overwritten: 409.
pub async fn put_draft(ctx: &AppContext, mut edition: StoredEdition) -> Result<bool, ApiError> {
    let existing = get_edition(ctx, &edition.edition).await?;
    if let Some(old) = &existing {
        if old.status == EditionStatus::Published {
            return Err(published_conflict(&edition.edition));
        }
        edition.created_at = old.created_at;
    }
    let item = serde_dynamo::to_item(&edition).map_err(mapping_error)?;
    let result = ctx
        .dynamo
        .put_item()
        .table_name(&ctx.table)
        .set_item(Some(item))
        // Guards the race with a concurrent publish between our read and this write.
        .condition_expression("attribute_not_exists(PK) OR #status = :draft")
        .expression_attribute_names("#status", "status")
        .expression_attribute_values(":draft", AttributeValue::S("draft".into()))
        .send()
        .await;
    match result {
        Ok(_) => Ok(existing.is_none()),
        Err(err) if is_conditional_failure(&err) => Err(published_conflict(&edition.edition)),
        Err(err) => Err(store_error(err)),
    }
}

fn published_conflict(edition: &str) -> ApiError {
    ApiError::Conflict(format!("edition {edition} is published and can no longer change"))
}

/// Publishes a draft: flips its status and moves the latest-published pointer, atomically.
/// 404 for an unknown edition, 409 for one already published.
pub async fn publish(
    ctx: &AppContext,
    edition: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<StoredEdition, ApiError> {
    let Some(current) = get_edition(ctx, edition).await? else {
        return Err(ApiError::NotFound);
    };
    if current.status == EditionStatus::Published {
        return Err(published_conflict(edition));
    }
    let stamp = serde_dynamo::to_attribute_value::<_, AttributeValue>(now).map_err(mapping_error)?;
    let update = Update::builder()
        .table_name(&ctx.table)
        .set_key(Some(key(edition_pk(edition), EDITION_SK)))
        .update_expression("SET #status = :published, published_at = :now, updated_at = :now")
        .condition_expression("#status = :draft")
        .expression_attribute_names("#status", "status")
        .expression_attribute_values(":published", AttributeValue::S("published".into()))
        .expression_attribute_values(":draft", AttributeValue::S("draft".into()))
        .expression_attribute_values(":now", stamp)
        .build()
        .map_err(|e| ApiError::internal(format!("building update: {e}")))?;
    let pointer =
        LatestPointer { pk: LATEST_PK.into(), sk: LATEST_SK.into(), edition: edition.into(), published_at: now };
    let put = Put::builder()
        .table_name(&ctx.table)
        .set_item(Some(serde_dynamo::to_item(&pointer).map_err(mapping_error)?))
        .build()
        .map_err(|e| ApiError::internal(format!("building put: {e}")))?;
    let result = ctx
        .dynamo
        .transact_write_items()
        .transact_items(TransactWriteItem::builder().update(update).build())
        .transact_items(TransactWriteItem::builder().put(put).build())
        .send()
        .await;
    match result {
        Ok(_) => {}
        Err(err) if format!("{err:?}").contains("ConditionalCheckFailed") => return Err(published_conflict(edition)),
        Err(err) => return Err(store_error(err)),
    }
    get_edition(ctx, edition).await?.ok_or_else(|| ApiError::internal("published edition vanished"))
}

/// Stores an edition as published together with the pointer unless the edition exists
/// already (the seed: idempotent). Returns whether it was written.
pub async fn insert_published_if_absent(ctx: &AppContext, edition: StoredEdition) -> Result<bool, ApiError> {
    let published_at =
        edition.published_at.ok_or_else(|| ApiError::internal("a published edition needs published_at"))?;
    let put_edition = Put::builder()
        .table_name(&ctx.table)
        .set_item(Some(serde_dynamo::to_item(&edition).map_err(mapping_error)?))
        .condition_expression("attribute_not_exists(PK)")
        .build()
        .map_err(|e| ApiError::internal(format!("building put: {e}")))?;
    let pointer =
        LatestPointer { pk: LATEST_PK.into(), sk: LATEST_SK.into(), edition: edition.edition.clone(), published_at };
    // The pointer only moves to the seed when nothing else was published yet.
    let put_pointer = Put::builder()
        .table_name(&ctx.table)
        .set_item(Some(serde_dynamo::to_item(&pointer).map_err(mapping_error)?))
        .condition_expression("attribute_not_exists(PK)")
        .build()
        .map_err(|e| ApiError::internal(format!("building put: {e}")))?;
    let result = ctx
        .dynamo
        .transact_write_items()
        .transact_items(TransactWriteItem::builder().put(put_edition).build())
        .transact_items(TransactWriteItem::builder().put(put_pointer).build())
        .send()
        .await;
    match result {
        Ok(_) => Ok(true),
        Err(err) if format!("{err:?}").contains("ConditionalCheckFailed") => Ok(false),
        Err(err) => Err(store_error(err)),
    }
}
