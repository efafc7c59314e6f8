//! Events: the outbox items every change writes in its own transaction, and the feeds that
//! read them (Query only: never a Scan, never a FilterExpression).
//!
//! Key layout (`{id}` is the event's ULID; `{type}` its wire name, e.g. `proposal.countered`):
//!
//! | item                  | PK                                       | SK     | GSI3 |
//! |-----------------------|------------------------------------------|--------|------|
//! | an organisation's copy| `EVENTS#IGO#{agb}` / `EVENTS#INS#{uzovi}` | `{id}` | GSI3PK `{PK}#T#{type}`, GSI3SK `{id}` |
//! | a public event        | `EVENTS#PUBLIC`                          | `{id}` | the same |
//!
//! Attributes: `entity = "event"` and `event_type` at the top level (what a DynamoDB Streams
//! filter of a later webhook dispatcher matches on), `recipient` (role and org; absent on a
//! public event), `event` (the event exactly as the feed shows it) and `expires_at` (the
//! table's TTL attribute: 30 days after the event, `domain::event::RETENTION_DAYS`).
//!
//! A change that concerns two organisations writes one copy into each one's feed, with the
//! same id (each told the version it is shown). A published themes edition writes one public
//! copy, which every feed shows: a page reads the caller's partition and the public one (or,
//! filtered by type, their GSI3 partitions of those types) and merges them by id. Every read is
//! bounded in its key condition: ids after the cursor (not an ExclusiveStartKey, which DynamoDB
//! Local walks up to; see `proposals::list`), not older than the retention (so an expired item
//! TTL has not removed yet is never shown), and not newer than the settle bound (below).
//!
//! Settle: an event's id is taken just before its transaction is sent, so two concurrent
//! changes can commit in the other order than their ids. A reader whose cursor passed the later
//! id would never see the earlier one. The feed therefore shows only events older than
//! `settle` (by id time); a transaction commits or fails within the store's operation timeout,
//! so with a settle at least that long, a cursor never skips an event.

use std::time::Duration;

use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::keys::event as keys;
use crate::table::{GSI3, TABLE};
use crate::{mapping_error, Store, StoreError};
use domain::event::{Addressed, Event, EventOrganisation, EventType, RETENTION_DAYS};
use domain::identity::Role;

/// The default settle: longer than an event-writing call may take in AWS
/// (`StoreTimeouts::AWS.operation`, 5 s), with a margin.
pub const DEFAULT_SETTLE: Duration = Duration::from_secs(6);

#[derive(Debug, Serialize, Deserialize)]
struct EventItem {
    #[serde(rename = "PK")]
    pk: String,
    #[serde(rename = "SK")]
    sk: String,
    #[serde(rename = "GSI3PK")]
    gsi3pk: String,
    #[serde(rename = "GSI3SK")]
    gsi3sk: String,
    entity: String,
    event_type: EventType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    recipient: Option<EventOrganisation>,
    event: Event,
    expires_at: i64,
}

/// A fresh event id: a ULID, so ids sort by the time they were taken.
pub fn new_id() -> String {
    ulid::Ulid::new().to_string()
}

/// The feed partition of `recipient` (`None`: the public feed).
fn feed_partition(recipient: Option<&EventOrganisation>) -> String {
    match recipient {
        None => keys::PUBLIC_FEED.to_owned(),
        Some(org) => keys::feed(side(org.role), &org.org),
    }
}

/// The feed side of a role, as the proposal lists name it.
fn side(role: Role) -> &'static str {
    match role {
        Role::Igo => "IGO",
        Role::Insurer => "INS",
        Role::Publisher => "PUB",
    }
}

/// Epoch seconds at which an event with this id expires.
fn expiry(id: &str) -> Result<i64, StoreError> {
    let ulid = ulid::Ulid::from_string(id).map_err(|e| StoreError::internal(format!("event id {id}: {e}")))?;
    Ok((ulid.timestamp_ms() / 1000) as i64 + RETENTION_DAYS * 86_400)
}

/// The items of these events (one per copy), as a change's transaction writes them.
pub(crate) fn items(events: &[Addressed]) -> Result<Vec<crate::proposals::Item>, StoreError> {
    events
        .iter()
        .map(|addressed| {
            let pk = feed_partition(addressed.recipient.as_ref());
            let event = &addressed.event;
            let item = EventItem {
                gsi3pk: keys::typed_feed(&pk, event.event_type.as_str()),
                gsi3sk: event.id.clone(),
                pk,
                sk: event.id.clone(),
                entity: "event".into(),
                event_type: event.event_type,
                recipient: addressed.recipient.clone(),
                event: event.clone(),
                expires_at: expiry(&event.id)?,
            };
            serde_dynamo::to_item(&item).map_err(mapping_error)
        })
        .collect()
}

/// What one feed page asks for.
#[derive(Debug, Clone)]
pub struct FeedRequest<'a> {
    /// Whose feed (`None`: a caller with no feed of its own, e.g. a publisher: public only).
    pub reader: Option<&'a EventOrganisation>,
    /// Only these types (empty: all).
    pub types: &'a [EventType],
    /// The cursor of the previous page.
    pub after: Option<&'a str>,
    pub limit: usize,
    pub now: DateTime<Utc>,
    /// Events younger than this are not shown yet (see the module's "Settle").
    pub settle: Duration,
}

/// One page of a feed, oldest first.
#[derive(Debug, Clone, PartialEq)]
pub struct FeedPage {
    pub items: Vec<Event>,
    /// Where the next page starts: the last event shown, else the cursor given.
    pub next_cursor: Option<String>,
    /// Whether more events are there to read now (else: poll `next_cursor` later).
    pub has_more: bool,
}

/// The id bound of a time: the smallest (`low`) or largest ULID of that millisecond.
fn id_bound(at: DateTime<Utc>, low: bool) -> String {
    let ms = at.timestamp_millis().max(0) as u64;
    ulid::Ulid::from_parts(ms, if low { 0 } else { u128::MAX }).to_string()
}

/// The partitions a page reads: the reader's feed and the public one, or their typed
/// partitions (a public type only in the public feed, the others only in the reader's).
fn partitions(reader: Option<&EventOrganisation>, types: &[EventType]) -> Vec<(bool, String)> {
    let own = reader.map(|r| feed_partition(Some(r)));
    if types.is_empty() {
        return own.into_iter().chain([keys::PUBLIC_FEED.to_owned()]).map(|pk| (false, pk)).collect();
    }
    types
        .iter()
        .filter_map(|t| {
            let feed = if t.is_public() { Some(keys::PUBLIC_FEED.to_owned()) } else { own.clone() }?;
            Some((true, keys::typed_feed(&feed, t.as_str())))
        })
        .collect()
}

/// One page of the reader's feed (its own events and the public ones), oldest first.
pub async fn feed(store: &Store, request: &FeedRequest<'_>) -> Result<FeedPage, StoreError> {
    let scope = feed_partition(request.reader);
    let after = request.after.map(|c| crate::cursor::decode(&scope, c)).transpose()?;
    let oldest = id_bound(request.now - chrono::Duration::days(RETENTION_DAYS), true);
    // `{after}!` sorts right after `after` and before every longer-or-equal id above it (ULIDs
    // have one length): the key condition itself says "after the cursor".
    let low = match &after {
        Some(id) if *id >= oldest => format!("{id}!"),
        _ => oldest,
    };
    let settle = chrono::Duration::from_std(request.settle).unwrap_or_else(|_| chrono::Duration::zero());
    let high = id_bound(request.now - settle, false);
    let given = request.after.map(str::to_owned);
    if low > high {
        return Ok(FeedPage { items: Vec::new(), next_cursor: given, has_more: false });
    }
    let want = request.limit + 1;
    let mut events: Vec<Event> = Vec::new();
    for (typed, partition) in partitions(request.reader, request.types) {
        events.extend(read_partition(store, typed, &partition, &low, &high, want).await?);
    }
    events.sort_by(|a, b| a.id.cmp(&b.id));
    let has_more = events.len() > request.limit;
    events.truncate(request.limit);
    let next_cursor = events.last().map(|last| crate::cursor::encode(&scope, &last.id)).or(given);
    Ok(FeedPage { items: events, next_cursor, has_more })
}

/// At most `want` events of one partition with ids in `[low, high]`, oldest first.
async fn read_partition(
    store: &Store,
    typed: bool,
    partition: &str,
    low: &str,
    high: &str,
    want: usize,
) -> Result<Vec<Event>, StoreError> {
    let (pk, sk) = if typed { (GSI3.partition_key, GSI3.sort_key) } else { (TABLE.partition_key, TABLE.sort_key) };
    let mut query = store
        .dynamo
        .query()
        .table_name(&store.table)
        .key_condition_expression("#pk = :pk AND #sk BETWEEN :low AND :high")
        .expression_attribute_names("#pk", pk)
        .expression_attribute_names("#sk", sk)
        .expression_attribute_values(":pk", AttributeValue::S(partition.to_owned()))
        .expression_attribute_values(":low", AttributeValue::S(low.to_owned()))
        .expression_attribute_values(":high", AttributeValue::S(high.to_owned()))
        .scan_index_forward(true);
    query = if typed { query.index_name(GSI3.name) } else { query.consistent_read(true) };
    crate::query_up_to(query, want)
        .await?
        .into_iter()
        .map(|item| serde_dynamo::from_item::<_, EventItem>(item).map(|item| item.event).map_err(mapping_error))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn org(role: Role, code: &str) -> EventOrganisation {
        EventOrganisation { role, org: code.into() }
    }

    #[test]
    fn a_feed_reads_its_own_partition_and_the_public_one() {
        let igo = org(Role::Igo, "53012345");
        assert_eq!(
            partitions(Some(&igo), &[]),
            [(false, "EVENTS#IGO#53012345".to_owned()), (false, "EVENTS#PUBLIC".to_owned())]
        );
        assert_eq!(
            partitions(
                Some(&org(Role::Insurer, "3311")),
                &[EventType::ProposalAccepted, EventType::ThemesEditionPublished]
            ),
            [
                (true, "EVENTS#INS#3311#T#proposal.accepted".to_owned()),
                (true, "EVENTS#PUBLIC#T#themes_edition.published".to_owned())
            ]
        );
        assert_eq!(partitions(None, &[EventType::ProposalAccepted]), []);
        assert_eq!(partitions(None, &[]), [(false, "EVENTS#PUBLIC".to_owned())]);
    }

    #[test]
    fn bounds_sort_around_every_id_of_their_millisecond() {
        let at = Utc::now();
        let id = ulid::Ulid::from_parts(at.timestamp_millis() as u64, 12345).to_string();
        assert!(id_bound(at, true) < id && id < id_bound(at, false));
        assert!(
            format!("{id}!") > id
                && format!("{id}!") < ulid::Ulid::from_parts(at.timestamp_millis() as u64, 12346).to_string()
        );
        let expires = expiry(&id).unwrap();
        assert_eq!(expires, at.timestamp() + RETENTION_DAYS * 86_400);
    }
}
