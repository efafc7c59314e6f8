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
//! | catch-up (×1-2)   | `PROPOSAL#{id}`                     | `UPDATED#{IGO,INS}` | GSI3 `PLIST#UPD#{side}#{org}`, `{updated_at}#{id}` |
//! | idempotency       | `IDEMPOTENCY#{role}#{org}#{key}`    | `IDEMPOTENCY`    | none; TTL `expires_at` |
//! | event (×1-2)      | `EVENTS#IGO#{agb}`, `EVENTS#INS#{uzovi}` | `{event id}` | GSI3 (by type); TTL (`storage::events`) |
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
//! list entries (their GSI keys follow the new status), writes the change's event into the feed
//! of each organisation it concerns (the outbox, `domain::event::proposal_events`), and writes
//! the idempotency record if the request carried a key (condition: absent or expired), all in
//! one TransactWriteItems: a concurrent writer cannot lose an update, a crash cannot leave half
//! a change, and there is no change without its event nor an event without its change.

use std::collections::HashMap;

use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{AttributeValue, Put, TransactWriteItem};
use serde::{Deserialize, Serialize};

use crate::counters;
use crate::events;
use crate::get_item;
use crate::keys::proposal as keys;
use crate::table::TABLE;
use crate::Store;
use crate::StoreError;
use crate::{mapping_error, store_error};
use domain::event::proposal_events;
use domain::limits::Limits;
use domain::proposal::{Change, HistoryEntry, Proposal};

mod idempotency;
mod list;

use idempotency::IdempotencyItem;
pub use idempotency::{get_idempotency, idempotency_pk, IdempotencyRecord};
pub use list::{list, list_updated, ListFilter, ListQuery, ListSide, Page};
use list::{list_items, updated_items};

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

/// Why a change was not written.
#[derive(Debug)]
pub enum CommitError {
    /// The current item is not at the version the change was made from (another writer won).
    VersionConflict,
    /// Another request with the same idempotency key was recorded first.
    IdempotencyTaken,
    /// A concurrent transaction touched the same items; nothing was written; try again.
    Busy,
    /// A per-organisation cap (open drafts) would be exceeded; nothing was written.
    LimitReached(domain::DomainError),
    /// The quote the proposal is made from expired between reading and writing.
    QuoteGone,
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

pub(crate) type Item = HashMap<String, AttributeValue>;

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
fn change_items(
    change: &Change,
    expected_version: Option<u64>,
    insurer_view: Option<&Proposal>,
) -> Result<Vec<(Item, Option<Condition>)>, StoreError> {
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
    for entry in list_items(proposal, insurer_view.unwrap_or(proposal)) {
        items.push((to_item(&entry)?, None));
    }
    for entry in updated_items(proposal, insurer_view.unwrap_or(proposal)) {
        items.push((to_item(&entry)?, None));
    }
    Ok(items)
}

/// The items of a new proposal exactly as `commit` writes them (its events included), without
/// the transaction: for bulk loading benchmark data (`store-probe seed`) with BatchWriteItem.
/// The API never uses it.
pub fn new_proposal_items(change: &Change) -> Result<Vec<Item>, StoreError> {
    let mut items: Vec<Item> = change_items(change, None, None)?.into_iter().map(|(item, _)| item).collect();
    items.extend(events::items(&proposal_events(&events::new_id(), change))?);
    Ok(items)
}

/// Writes one change (and the idempotency record, when given) in one transaction.
/// `expected_version` is the version the change was made from; `None` for a new proposal.
/// `insurer_view` is what the insurer is shown when that is not the new state (the IGO revises
/// a countered proposal): its list entries follow it.
///
/// Two more items may join the transaction: the IGO's open-drafts counter when the change
/// creates or ends a draft (over `limits.open_drafts_per_igo` the whole change is refused), and,
/// for a proposal made from a quote, the quote itself, whose expiry is removed: a quote a
/// proposal refers to lives as long as the proposal.
pub async fn commit(
    store: &Store,
    change: &Change,
    expected_version: Option<u64>,
    insurer_view: Option<&Proposal>,
    idempotency: Option<(&str, &IdempotencyRecord)>,
    limits: &Limits,
) -> Result<(), CommitError> {
    let build = || -> Result<Vec<TransactWriteItem>, StoreError> {
        let mut puts = Vec::with_capacity(18);
        for (item, condition) in change_items(change, expected_version, insurer_view)? {
            puts.push(put(store, item, condition)?);
        }
        // The outbox: a fresh id per attempt (ids sort by when they were taken, see
        // `storage::events` on the settle); no condition, a ULID is never taken twice.
        for item in events::items(&proposal_events(&events::new_id(), change))? {
            puts.push(put(store, item, None)?);
        }
        let delta = change.open_draft_delta();
        if delta != 0 {
            let (pk, sk) = keys::open_drafts_key(change.proposal.igo.agb.as_str());
            puts.push(counters::in_transaction(store, pk, sk, delta, limits.open_drafts_per_igo)?);
        }
        if let Some(quote_id) = quote_to_keep(change) {
            puts.push(crate::quotes::keep_in_transaction(store, change.proposal.igo.agb.as_str(), quote_id)?);
        }
        if let Some((pk, record)) = idempotency {
            let item = IdempotencyItem::of(pk, record);
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
    // The positions of the optional members, in the order `build` adds them.
    let fixed = items.len() - usize::from(idempotency.is_some());
    let quote_index = quote_to_keep(change).map(|_| fixed - 1);
    let counter_index = (change.open_draft_delta() != 0).then(|| fixed - 1 - usize::from(quote_index.is_some()));
    let request = store
        .dynamo
        .transact_write_items()
        .set_transact_items(Some(items))
        .return_consumed_capacity(crate::telemetry::CAPACITY);
    let result = crate::telemetry::observe(crate::telemetry::Operation::TransactWriteItems, request.send()).await;
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
        if counter_index.is_some_and(|i| code(i) == "ConditionalCheckFailed") {
            return Err(CommitError::LimitReached(domain::limits::open_drafts_exhausted(limits)));
        }
        if quote_index.is_some_and(|i| code(i) == "ConditionalCheckFailed") {
            return Err(CommitError::QuoteGone);
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

/// The quote a change must keep from expiring: the one a new proposal was made from.
fn quote_to_keep(change: &Change) -> Option<&str> {
    (change.entry.from_status.is_none()).then_some(change.proposal.quote_id.as_deref()).flatten()
}

/// The current state of a proposal (strongly consistent), if it exists.
pub async fn get(store: &Store, id: &str) -> Result<Option<Proposal>, StoreError> {
    let item: Option<CurrentItem> = get_item(store, keys::pk(id), keys::CURRENT_SK).await?;
    Ok(item.map(|current| current.proposal))
}

/// The snapshot of one version of a proposal, if it exists.
pub async fn get_version(store: &Store, id: &str, version: u64) -> Result<Option<Proposal>, StoreError> {
    let item: Option<VersionItem> = get_item(store, keys::pk(id), &keys::version_sk(version)).await?;
    Ok(item.map(|snapshot| snapshot.proposal))
}

/// Items of one proposal with sort keys in `(from, to]`-style bounds: `prefix` items whose
/// sort key is above `after` (exclusive), at most `limit`, in version order.
async fn query_after<T: serde::de::DeserializeOwned>(
    store: &Store,
    id: &str,
    after: &str,
    upper: &str,
    limit: usize,
) -> Result<Vec<T>, StoreError> {
    let mut out = Vec::new();
    let mut start = None;
    loop {
        let page = crate::telemetry::observe(
            crate::telemetry::Operation::Query,
            store
                .dynamo
                .query()
                .table_name(&store.table)
                .key_condition_expression("PK = :pk AND SK BETWEEN :after AND :upper")
                .expression_attribute_values(":pk", AttributeValue::S(keys::pk(id)))
                .expression_attribute_values(":after", AttributeValue::S(after.to_owned()))
                .expression_attribute_values(":upper", AttributeValue::S(upper.to_owned()))
                .consistent_read(true)
                .limit((limit - out.len()) as i32)
                .set_exclusive_start_key(start)
                .return_consumed_capacity(crate::telemetry::CAPACITY)
                .send(),
        )
        .await
        .map_err(store_error)?;
        for item in page.items.unwrap_or_default() {
            out.push(serde_dynamo::from_item(item).map_err(mapping_error)?);
        }
        start = page.last_evaluated_key;
        if start.is_none() || out.len() >= limit {
            return Ok(out);
        }
    }
}

/// One page of a proposal's history, oldest first: the entries and snapshots of versions
/// `after + 1 ..= after + limit` (both bounded: a page never reads more than `limit` of each),
/// and whether later versions exist.
pub async fn history_page(
    store: &Store,
    id: &str,
    after: u64,
    limit: u64,
) -> Result<(Vec<HistoryEntry>, Vec<Proposal>, bool), StoreError> {
    let (first, last) = (after + 1, after + limit + 1);
    let entries: Vec<HistoryItem> =
        query_after(store, id, &keys::history_sk(first), &keys::history_sk(last), limit as usize + 1).await?;
    let more = entries.len() as u64 > limit;
    let entries: Vec<HistoryEntry> = entries.into_iter().take(limit as usize).map(|i| i.entry).collect();
    let upper = entries.last().map(|e| e.version).unwrap_or(first);
    let versions: Vec<VersionItem> =
        query_after(store, id, &keys::version_sk(first), &keys::version_sk(upper), limit as usize).await?;
    Ok((entries, versions.into_iter().map(|v| v.proposal).collect(), more))
}
