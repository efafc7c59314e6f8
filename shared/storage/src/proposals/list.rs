//! Listings of proposals: the 8 list entries each proposal keeps (one per filter combination)
//! and the Query that reads one page of one GSI partition, with its opaque cursor.

use aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder;
use aws_sdk_dynamodb::types::AttributeValue;
use serde::{Deserialize, Serialize};

use super::{keys, Item};
use crate::table::{GSI1, GSI2, GSI3};
use crate::{mapping_error, store_error, Store, StoreError};
use domain::proposal::{Proposal, ProposalSummary, Status};

#[derive(Serialize, Deserialize)]
pub(super) struct ListItem {
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
    /// What the insurer's listing shows when it differs from `summary`: the version it was
    /// sent, while the IGO revises a countered proposal (issue 21).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    insurer_summary: Option<ProposalSummary>,
}

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

/// The 8 list entries of a proposal, one per filter combination. The insurer's GSI keys and
/// summary follow `insurer_view`, what the insurer is shown (`Proposal::shown_to`), so a
/// revision it was not sent moves none of its listings.
pub(super) fn list_items(proposal: &Proposal, insurer_view: &Proposal) -> Vec<ListItem> {
    let pk = keys::pk(&proposal.id);
    (0u8..8)
        .map(|mask| {
            let pick = |bit: u8| mask & bit != 0;
            let igo_filter = ListFilter {
                status: pick(1).then_some(proposal.status),
                year: pick(2).then_some(proposal.year),
                counterparty: pick(4).then(|| proposal.insurer.uzovi.to_string()),
            };
            let insurer_filter = ListFilter {
                status: pick(1).then_some(insurer_view.status),
                year: pick(2).then_some(insurer_view.year),
                counterparty: pick(4).then(|| proposal.igo.agb.to_string()),
            };
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
                insurer_summary: (insurer_view.version != proposal.version).then(|| insurer_view.summary()),
            }
        })
        .collect()
}

/// A side's catch-up entry (`updated_since`): the summary it is shown, in GSI3 partition
/// `PLIST#UPD#{side}#{owner}` under `{updated_at}#{id}`, so "changed after t" is one key range.
#[derive(Serialize, Deserialize)]
pub(super) struct UpdatedItem {
    #[serde(rename = "PK")]
    pk: String,
    #[serde(rename = "SK")]
    sk: String,
    entity: String,
    #[serde(rename = "GSI3PK")]
    gsi3pk: String,
    #[serde(rename = "GSI3SK")]
    gsi3sk: String,
    summary: ProposalSummary,
}

/// A catch-up sort key: the time with fixed digits (so text order is time order), then the id.
fn updated_position(at: chrono::DateTime<chrono::Utc>, id: &str) -> String {
    format!("{}#{id}", at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true))
}

/// The catch-up entries of a proposal: the IGO's, and the insurer's once it was submitted (its
/// time and summary follow what it is shown, so an unsent revision does not move it).
pub(super) fn updated_items(proposal: &Proposal, insurer_view: &Proposal) -> Vec<UpdatedItem> {
    let entry = |side: &str, owner: &str, shown: &Proposal| UpdatedItem {
        pk: keys::pk(&proposal.id),
        sk: keys::updated_sk(side),
        entity: "proposal_updated".into(),
        gsi3pk: keys::updated_partition(side, owner),
        gsi3sk: updated_position(shown.updated_at, &proposal.id),
        summary: shown.summary(),
    };
    let mut items = vec![entry("IGO", proposal.igo.agb.as_str(), proposal)];
    if proposal.submitted_at.is_some() {
        items.push(entry("INS", proposal.insurer.uzovi.as_str(), insurer_view));
    }
    items
}

/// One page of a side's proposals changed after `since`, oldest change first: a Query on
/// one GSI3 partition, bounded in its key condition (after `since`, or after the cursor).
pub async fn list_updated(
    store: &Store,
    side: &ListSide,
    since: chrono::DateTime<chrono::Utc>,
    limit: usize,
    cursor: Option<&str>,
) -> Result<Page, StoreError> {
    let partition = match side {
        ListSide::Igo(agb) => keys::updated_partition("IGO", agb),
        ListSide::Insurer(uzovi) => keys::updated_partition("INS", uzovi),
    };
    let valid = |position: &str| {
        position.split_once('#').is_some_and(|(at, id)| {
            chrono::DateTime::parse_from_rfc3339(at).is_ok() && ulid::Ulid::from_string(id).is_ok()
        })
    };
    // `~` sorts after every id character: "after since" excludes changes at exactly `since`.
    let low = match cursor {
        Some(cursor) => crate::cursor::decode_with(&partition, cursor, valid)?,
        None => format!("{}#~", since.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)),
    };
    let query = store
        .dynamo
        .query()
        .table_name(&store.table)
        .index_name(GSI3.name)
        .key_condition_expression("#pk = :pk AND #sk > :low")
        .expression_attribute_names("#pk", GSI3.partition_key)
        .expression_attribute_names("#sk", GSI3.sort_key)
        .expression_attribute_values(":pk", AttributeValue::S(partition.clone()))
        .expression_attribute_values(":low", AttributeValue::S(low))
        .scan_index_forward(true);
    // One item more than asked tells whether another page exists.
    let mut items = crate::query_up_to(query, limit + 1)
        .await?
        .into_iter()
        .map(|item| serde_dynamo::from_item::<_, UpdatedItem>(item).map(|entry| entry.summary).map_err(mapping_error))
        .collect::<Result<Vec<ProposalSummary>, StoreError>>()?;
    let next_cursor = if items.len() > limit {
        items.truncate(limit);
        items.last().map(|last| crate::cursor::encode(&partition, &updated_position(last.updated_at, &last.id)))
    } else {
        None
    };
    Ok(Page { items, next_cursor })
}

/// One page of a listing and the cursor of the next, if there is one.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    pub items: Vec<ProposalSummary>,
    pub next_cursor: Option<String>,
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
        let after = cursor.map(|c| crate::cursor::decode(&partition, c)).transpose()?;
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
        let request =
            query.request(store, want - items.len(), start).return_consumed_capacity(crate::telemetry::CAPACITY);
        let page =
            crate::telemetry::observe(crate::telemetry::Operation::Query, request.send()).await.map_err(store_error)?;
        for item in page.items.unwrap_or_default() {
            let entry: ListItem = serde_dynamo::from_item(item).map_err(mapping_error)?;
            items.push(match (side, entry.insurer_summary) {
                (ListSide::Insurer(_), Some(shown)) => shown,
                _ => entry.summary,
            });
        }
        start = page.last_evaluated_key;
        if items.len() >= want || start.is_none() {
            break;
        }
    }
    let next_cursor = if items.len() > limit {
        items.truncate(limit);
        items.last().map(|last| crate::cursor::encode(&query.partition, &last.id))
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
        let p1 = list_partition("IGO", "53012345", &ListFilter::default());
        let p2 = list_partition("IGO", "53012345", &ListFilter { year: Some(2026), ..Default::default() });
        let cursor = crate::cursor::encode(&p1, &ulid::Ulid::new().to_string());
        assert_eq!(
            ListQuery::new(
                &ListSide::Igo("53012345".into()),
                &ListFilter { year: Some(2026), ..Default::default() },
                Some(&cursor)
            )
            .unwrap_err(),
            StoreError::InvalidCursor
        );
        assert!(p1 != p2);
    }

    #[test]
    fn partitions_name_every_filter() {
        let filter =
            ListFilter { status: Some(Status::UnderReview), year: Some(2026), counterparty: Some("3311".into()) };
        assert_eq!(list_partition("IGO", "53012345", &filter), "PLIST#IGO#53012345#S#under_review#Y#2026#C#3311");
        assert_eq!(list_partition("INS", "3311", &ListFilter::default()), "PLIST#INS#3311#S#*#Y#*#C#*");
    }
}
