//! Storage of proposals: key layout, the one-transaction write of a change, and the listings.
//!
//! Key layout (all keys are strings; `{v}` is the version zero-padded to 10 digits):
//!
//! | item              | PK                                  | SK               | GSI keys |
//! |-------------------|-------------------------------------|------------------|----------|
//! | current state     | `PROPOSAL#{id}`                     | `CURRENT`        | none     |
//! | version snapshot  | `PROPOSAL#{id}`                     | `VERSION#{v}`    | none     |
//! | history entry     | `PROPOSAL#{id}`                     | `HISTORY#{v}`    | none     |
//! | list entry (×8)   | `PROPOSAL#{id}`                     | `LIST#{mask}`    | GSI1 (IGO), GSI2 (insurer) |
//! | idempotency       | `IDEMPOTENCY#{role}#{org}#{key}`    | `IDEMPOTENCY`    | none; TTL `expires_at` |
//!
//! Listings are Queries on one exact GSI partition, newest first (the sort key is the ULID id),
//! never a Scan and never a FilterExpression, so a page costs the same whatever the table holds
//! and however rare the filter. Each proposal keeps 8 small list entries, one per combination
//! of the filters status, year and counterparty (`mask` bits 1, 2, 4); each entry carries the
//! proposal's summary and, in its GSI partition keys, the filter values its mask selects
//! (`*` for the others):
//!
//! - GSI1PK `PLIST#IGO#{agb}#S#{status|*}#Y#{year|*}#C#{uzovi|*}`, GSI1SK `{id}`
//! - GSI2PK `PLIST#INS#{uzovi}#S#{status|*}#Y#{year|*}#C#{agb|*}`, GSI2SK `{id}`; left out
//!   (sparse) until the proposal is first submitted, so an insurer never lists drafts.
//!
//! Every change rewrites the current item (condition: the version it read, or absent for a new
//! proposal), adds the version snapshot and history entry (condition: absent), rewrites the 8
//! list entries (their GSI keys follow the new status), and writes the idempotency record if
//! the request carried a key (condition: absent or expired), all in one TransactWriteItems: a
//! concurrent writer cannot lose an update and a crash cannot leave half a change.

use std::collections::HashMap;

use aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{AttributeValue, Put, TransactWriteItem};
use base64::Engine;
use serde::{Deserialize, Serialize};
use sha2::Digest;

use crate::keys::{item_key, proposal as keys};
use crate::table::{GSI1, GSI2, TABLE};
use crate::Store;
use crate::StoreError;
use crate::{mapping_error, store_error};
use domain::proposal::{Change, HistoryEntry, Proposal, ProposalSummary, Status};

#[derive(Serialize, Deserialize)]
struct CurrentItem {
    #[serde(rename = "PK")]
    pk: String,
    #[serde(rename = "SK")]
    sk: String,
    entity: String,
    /// Top-level copy of the proposal's version: the write condition compares it.
    version: u64,
    proposal: Proposal,
}

#[derive(Serialize, Deserialize)]
struct VersionItem {
    #[serde(rename = "PK")]
    pk: String,
    #[serde(rename = "SK")]
    sk: String,
    entity: String,
    version: u64,
    proposal: Proposal,
}

#[derive(Serialize, Deserialize)]
struct HistoryItem {
    #[serde(rename = "PK")]
    pk: String,
    #[serde(rename = "SK")]
    sk: String,
    entity: String,
    entry: HistoryEntry,
}

#[derive(Serialize, Deserialize)]
struct ListItem {
    #[serde(rename = "PK")]
    pk: String,
    #[serde(rename = "SK")]
    sk: String,
    entity: String,
    #[serde(rename = "GSI1PK")]
    gsi1pk: String,
    #[serde(rename = "GSI1SK")]
    gsi1sk: String,
    #[serde(rename = "GSI2PK", default, skip_serializing_if = "Option::is_none")]
    gsi2pk: Option<String>,
    #[serde(rename = "GSI2SK", default, skip_serializing_if = "Option::is_none")]
    gsi2sk: Option<String>,
    summary: ProposalSummary,
}

/// A stored answer to a write that carried an `Idempotency-Key`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IdempotencyRecord {
    /// Hash of the request (method, path, canonical body): the same key with another request
    /// is refused.
    pub fingerprint: String,
    pub status: u16,
    pub body: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub etag: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// Epoch seconds; DynamoDB's TTL removes the record after this.
    pub expires_at: i64,
}

#[derive(Serialize, Deserialize)]
struct IdempotencyItem {
    #[serde(rename = "PK")]
    pk: String,
    #[serde(rename = "SK")]
    sk: String,
    entity: String,
    fingerprint: String,
    status: u16,
    body: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    etag: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    location: Option<String>,
    /// Top level, under the table's TTL attribute name.
    expires_at: i64,
}

pub use crate::keys::proposal::idempotency_pk;

/// Which side's list a caller reads, and the filters it gives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListSide {
    /// An IGO's proposals (its AGB code); counterparty filter: the insurer's UZOVI code.
    Igo(String),
    /// An insurer's proposals (its UZOVI code); counterparty filter: the IGO's AGB code.
    Insurer(String),
}

/// The filters of a listing; each combination is its own GSI partition.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListFilter {
    pub status: Option<Status>,
    pub year: Option<i32>,
    pub counterparty: Option<String>,
}

/// The partition key of one list partition.
fn list_partition(side: &str, owner: &str, filter: &ListFilter) -> String {
    keys::list_partition(side, owner, filter.status.map(Status::as_str), filter.year, filter.counterparty.as_deref())
}

/// The 8 list entries of a proposal, one per filter combination.
fn list_items(proposal: &Proposal) -> Vec<ListItem> {
    let pk = keys::pk(&proposal.id);
    (0u8..8)
        .map(|mask| {
            let pick = |bit: u8| mask & bit != 0;
            let igo_filter = ListFilter {
                status: pick(1).then_some(proposal.status),
                year: pick(2).then_some(proposal.year),
                counterparty: pick(4).then(|| proposal.insurer.uzovi.to_string()),
            };
            let insurer_filter =
                ListFilter { counterparty: pick(4).then(|| proposal.igo.agb.to_string()), ..igo_filter.clone() };
            let insurer_sees = proposal.submitted_at.is_some();
            ListItem {
                pk: pk.clone(),
                sk: keys::list_sk(mask),
                entity: "proposal_list".into(),
                gsi1pk: list_partition("IGO", proposal.igo.agb.as_str(), &igo_filter),
                gsi1sk: proposal.id.clone(),
                gsi2pk: insurer_sees.then(|| list_partition("INS", proposal.insurer.uzovi.as_str(), &insurer_filter)),
                gsi2sk: insurer_sees.then(|| proposal.id.clone()),
                summary: proposal.summary(),
            }
        })
        .collect()
}

/// Why a change was not written.
#[derive(Debug)]
pub enum CommitError {
    /// The current item is not at the version the change was made from (another writer won).
    VersionConflict,
    /// Another request with the same idempotency key was recorded first.
    IdempotencyTaken,
    /// A concurrent transaction touched the same items; nothing was written; try again.
    Busy,
    Store(StoreError),
}

/// A condition on a put: expression, names and values.
#[derive(Default)]
struct Condition {
    expression: &'static str,
    names: Vec<(&'static str, &'static str)>,
    values: Vec<(&'static str, AttributeValue)>,
}

/// The item must not exist yet (new proposals, snapshots, history entries are immutable).
fn absent() -> Option<Condition> {
    Some(Condition { expression: "attribute_not_exists(PK)", ..Default::default() })
}

type Item = HashMap<String, AttributeValue>;

fn to_item<T: Serialize>(item: &T) -> Result<Item, StoreError> {
    serde_dynamo::to_item(item).map_err(mapping_error)
}

fn put(store: &Store, item: Item, condition: Option<Condition>) -> Result<TransactWriteItem, StoreError> {
    let mut builder = Put::builder().table_name(&store.table).set_item(Some(item));
    if let Some(condition) = condition {
        builder = builder.condition_expression(condition.expression);
        for (name, attribute) in condition.names {
            builder = builder.expression_attribute_names(name, attribute);
        }
        for (name, value) in condition.values {
            builder = builder.expression_attribute_values(name, value);
        }
    }
    let put = builder.build().map_err(|e| StoreError::internal(format!("building put: {e}")))?;
    Ok(TransactWriteItem::builder().put(put).build())
}

/// The items one change writes (current, version snapshot, history entry, 8 list entries),
/// each with the condition its put carries in the transaction.
fn change_items(change: &Change, expected_version: Option<u64>) -> Result<Vec<(Item, Option<Condition>)>, StoreError> {
    let proposal = &change.proposal;
    let pk = keys::pk(&proposal.id);
    let current = CurrentItem {
        pk: pk.clone(),
        sk: keys::CURRENT_SK.into(),
        entity: "proposal".into(),
        version: proposal.version,
        proposal: proposal.clone(),
    };
    let condition = match expected_version {
        None => absent(),
        Some(version) => Some(Condition {
            expression: "#version = :expected",
            names: vec![("#version", "version")],
            values: vec![(":expected", AttributeValue::N(version.to_string()))],
        }),
    };
    let snapshot = VersionItem {
        pk: pk.clone(),
        sk: keys::version_sk(proposal.version),
        entity: "proposal_version".into(),
        version: proposal.version,
        proposal: proposal.clone(),
    };
    let history = HistoryItem {
        pk,
        sk: keys::history_sk(proposal.version),
        entity: "proposal_history".into(),
        entry: change.entry.clone(),
    };
    let mut items =
        vec![(to_item(&current)?, condition), (to_item(&snapshot)?, absent()), (to_item(&history)?, absent())];
    for entry in list_items(proposal) {
        items.push((to_item(&entry)?, None));
    }
    Ok(items)
}

/// The items of a new proposal exactly as `commit` writes them, without the transaction: for
/// bulk loading benchmark data (`store-probe seed`) with BatchWriteItem. The API never uses it.
pub fn new_proposal_items(change: &Change) -> Result<Vec<Item>, StoreError> {
    Ok(change_items(change, None)?.into_iter().map(|(item, _)| item).collect())
}

/// Writes one change (and the idempotency record, when given) in one transaction.
/// `expected_version` is the version the change was made from; `None` for a new proposal.
pub async fn commit(
    store: &Store,
    change: &Change,
    expected_version: Option<u64>,
    idempotency: Option<(&str, &IdempotencyRecord)>,
) -> Result<(), CommitError> {
    let build = || -> Result<Vec<TransactWriteItem>, StoreError> {
        let mut puts = Vec::with_capacity(12);
        for (item, condition) in change_items(change, expected_version)? {
            puts.push(put(store, item, condition)?);
        }
        if let Some((pk, record)) = idempotency {
            let item = IdempotencyItem {
                pk: pk.to_owned(),
                sk: keys::IDEMPOTENCY_SK.into(),
                entity: "idempotency".into(),
                fingerprint: record.fingerprint.clone(),
                status: record.status,
                body: record.body.clone(),
                etag: record.etag.clone(),
                location: record.location.clone(),
                expires_at: record.expires_at,
            };
            let now = chrono::Utc::now().timestamp();
            puts.push(put(
                store,
                to_item(&item)?,
                Some(Condition {
                    expression: "attribute_not_exists(PK) OR #expires < :now",
                    names: vec![("#expires", TABLE.ttl_attribute)],
                    values: vec![(":now", AttributeValue::N(now.to_string()))],
                }),
            )?);
        }
        Ok(puts)
    };
    let items = build().map_err(CommitError::Store)?;
    let idempotency_index = idempotency.map(|_| items.len() - 1);
    let result = store.dynamo.transact_write_items().set_transact_items(Some(items)).send().await;
    let Err(err) = result else { return Ok(()) };
    if let Some(TransactWriteItemsError::TransactionCanceledException(cancelled)) = err.as_service_error() {
        let reasons = cancelled.cancellation_reasons();
        let code = |i: usize| reasons.get(i).and_then(|r| r.code()).unwrap_or("None");
        if idempotency_index.is_some_and(|i| code(i) == "ConditionalCheckFailed") {
            return Err(CommitError::IdempotencyTaken);
        }
        if code(0) == "ConditionalCheckFailed" {
            return Err(CommitError::VersionConflict);
        }
        if reasons.iter().any(|r| r.code() == Some("TransactionConflict")) || reasons.is_empty() {
            return Err(CommitError::Busy);
        }
        return Err(CommitError::Store(StoreError::internal(format!("transaction cancelled: {reasons:?}"))));
    }
    if err.as_service_error().is_some_and(|e| e.meta().code() == Some("TransactionConflictException")) {
        return Err(CommitError::Busy);
    }
    Err(CommitError::Store(store_error(err)))
}

/// The current state of a proposal (strongly consistent), if it exists.
pub async fn get(store: &Store, id: &str) -> Result<Option<Proposal>, StoreError> {
    let output = store
        .dynamo
        .get_item()
        .table_name(&store.table)
        .set_key(Some(item_key(keys::pk(id), keys::CURRENT_SK)))
        .consistent_read(true)
        .send()
        .await
        .map_err(store_error)?;
    match output.item {
        None => Ok(None),
        Some(item) => {
            let current: CurrentItem = serde_dynamo::from_item(item).map_err(mapping_error)?;
            Ok(Some(current.proposal))
        }
    }
}

/// The live idempotency record under `pk`, if any (expired records DynamoDB has not removed
/// yet count as absent).
pub async fn get_idempotency(store: &Store, pk: &str) -> Result<Option<IdempotencyRecord>, StoreError> {
    let output = store
        .dynamo
        .get_item()
        .table_name(&store.table)
        .set_key(Some(item_key(pk.to_owned(), keys::IDEMPOTENCY_SK)))
        .consistent_read(true)
        .send()
        .await
        .map_err(store_error)?;
    let Some(item) = output.item else { return Ok(None) };
    let item: IdempotencyItem = serde_dynamo::from_item(item).map_err(mapping_error)?;
    let record = IdempotencyRecord {
        fingerprint: item.fingerprint,
        status: item.status,
        body: item.body,
        etag: item.etag,
        location: item.location,
        expires_at: item.expires_at,
    };
    Ok((record.expires_at >= chrono::Utc::now().timestamp()).then_some(record))
}

/// Every item of one proposal whose sort key starts with `prefix`, in version order.
async fn query_prefix<T: serde::de::DeserializeOwned>(
    store: &Store,
    id: &str,
    prefix: &str,
) -> Result<Vec<T>, StoreError> {
    let mut out = Vec::new();
    let mut start = None;
    loop {
        let page = store
            .dynamo
            .query()
            .table_name(&store.table)
            .key_condition_expression("PK = :pk AND begins_with(SK, :prefix)")
            .expression_attribute_values(":pk", AttributeValue::S(keys::pk(id)))
            .expression_attribute_values(":prefix", AttributeValue::S(prefix.to_owned()))
            .consistent_read(true)
            .set_exclusive_start_key(start)
            .send()
            .await
            .map_err(store_error)?;
        for item in page.items.unwrap_or_default() {
            out.push(serde_dynamo::from_item(item).map_err(mapping_error)?);
        }
        start = page.last_evaluated_key;
        if start.is_none() {
            return Ok(out);
        }
    }
}

/// The history entries and version snapshots of a proposal, oldest first.
pub async fn history(store: &Store, id: &str) -> Result<(Vec<HistoryEntry>, Vec<Proposal>), StoreError> {
    let entries: Vec<HistoryItem> = query_prefix(store, id, "HISTORY#").await?;
    let versions: Vec<VersionItem> = query_prefix(store, id, "VERSION#").await?;
    Ok((entries.into_iter().map(|i| i.entry).collect(), versions.into_iter().map(|v| v.proposal).collect()))
}

/// One page of a listing and the cursor of the next, if there is one.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    pub items: Vec<ProposalSummary>,
    pub next_cursor: Option<String>,
}

/// A cursor is the last id of a page plus a tag of the partition it belongs to, so a cursor
/// replayed with other filters is refused rather than silently skipping items.
fn partition_tag(partition: &str) -> String {
    let digest = sha2::Sha256::digest(partition.as_bytes());
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&digest[..6])
}

fn encode_cursor(partition: &str, id: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("{id}.{}", partition_tag(partition)))
}

fn decode_cursor(partition: &str, cursor: &str) -> Result<String, StoreError> {
    let invalid = || StoreError::InvalidCursor;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(cursor).map_err(|_| invalid())?;
    let text = String::from_utf8(bytes).map_err(|_| invalid())?;
    let (id, tag) = text.split_once('.').ok_or_else(invalid)?;
    if tag != partition_tag(partition) || ulid::Ulid::from_string(id).is_err() {
        return Err(invalid());
    }
    Ok(id.to_owned())
}

/// The Query behind one listing page: which GSI partition, and where the page starts.
/// `list` sends it; `store-probe` sends the same request raw, to compare with the API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListQuery {
    index: crate::table::IndexDefinition,
    partition: String,
    /// The id after which the page starts (from the cursor), newest first.
    after: Option<String>,
}

impl ListQuery {
    /// Resolves a side, its filters and an optional cursor (422 for a cursor of another listing).
    pub fn new(side: &ListSide, filter: &ListFilter, cursor: Option<&str>) -> Result<Self, StoreError> {
        let (index, partition) = match side {
            ListSide::Igo(agb) => (GSI1, list_partition("IGO", agb, filter)),
            ListSide::Insurer(uzovi) => (GSI2, list_partition("INS", uzovi, filter)),
        };
        let after = cursor.map(|c| decode_cursor(&partition, c)).transpose()?;
        Ok(ListQuery { index, partition, after })
    }

    /// The Query of at most `limit` list entries, newest first. The cursor's id is a bound in
    /// the key condition (`sort key < id`: ids are unique in a partition, so this is exactly
    /// "after the cursor"), not an ExclusiveStartKey: both cost one page on DynamoDB, but
    /// DynamoDB Local walks the partition up to an ExclusiveStartKey, which made a page deep
    /// in 10,000 proposals 2-3x slower than the first (measured, BENCHMARKS.md). `start` is a
    /// LastEvaluatedKey, for the rare page the store cut short.
    pub fn request(&self, store: &Store, limit: usize, start: Option<Item>) -> QueryFluentBuilder {
        let query = store
            .dynamo
            .query()
            .table_name(&store.table)
            .index_name(self.index.name)
            .expression_attribute_names("#pk", self.index.partition_key)
            .expression_attribute_values(":pk", AttributeValue::S(self.partition.clone()))
            .scan_index_forward(false)
            .limit(limit as i32)
            .set_exclusive_start_key(start);
        match &self.after {
            None => query.key_condition_expression("#pk = :pk"),
            Some(id) => query
                .key_condition_expression("#pk = :pk AND #sk < :after")
                .expression_attribute_names("#sk", self.index.sort_key)
                .expression_attribute_values(":after", AttributeValue::S(id.clone())),
        }
    }
}

/// One page of a side's proposals with `filter`, newest first: a Query on one GSI partition.
pub async fn list(
    store: &Store,
    side: &ListSide,
    filter: &ListFilter,
    limit: usize,
    cursor: Option<&str>,
) -> Result<Page, StoreError> {
    let query = ListQuery::new(side, filter, cursor)?;
    // One item more than asked tells whether another page exists, without an empty last page.
    let want = limit + 1;
    let mut items: Vec<ProposalSummary> = Vec::with_capacity(want);
    let mut start = None;
    loop {
        let page = query.request(store, want - items.len(), start).send().await.map_err(store_error)?;
        for item in page.items.unwrap_or_default() {
            let entry: ListItem = serde_dynamo::from_item(item).map_err(mapping_error)?;
            items.push(entry.summary);
        }
        start = page.last_evaluated_key;
        if items.len() >= want || start.is_none() {
            break;
        }
    }
    let next_cursor = if items.len() > limit {
        items.truncate(limit);
        items.last().map(|last| encode_cursor(&query.partition, &last.id))
    } else {
        None
    };
    Ok(Page { items, next_cursor })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_belong_to_their_partition() {
        let p1 = list_partition("IGO", "12345678", &ListFilter::default());
        let p2 = list_partition("IGO", "12345678", &ListFilter { year: Some(2026), ..Default::default() });
        let id = ulid::Ulid::new().to_string();
        let cursor = encode_cursor(&p1, &id);
        assert_eq!(decode_cursor(&p1, &cursor).unwrap(), id);
        assert_eq!(decode_cursor(&p2, &cursor).unwrap_err(), StoreError::InvalidCursor);
        assert_eq!(decode_cursor(&p1, "garbage!").unwrap_err(), StoreError::InvalidCursor);
        assert_eq!(decode_cursor(&p1, &encode_cursor(&p1, "not-a-ulid")).unwrap_err(), StoreError::InvalidCursor);
    }

    #[test]
    fn partitions_name_every_filter() {
        let filter =
            ListFilter { status: Some(Status::UnderReview), year: Some(2026), counterparty: Some("3311".into()) };
        assert_eq!(list_partition("IGO", "12345678", &filter), "PLIST#IGO#12345678#S#under_review#Y#2026#C#3311");
        assert_eq!(list_partition("INS", "3311", &ListFilter::default()), "PLIST#INS#3311#S#*#Y#*#C#*");
    }
}
