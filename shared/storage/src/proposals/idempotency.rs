//! The stored answer of a proposal write that carried an `Idempotency-Key`: written in the
//! change's own transaction, read back to replay it. What a key means (scope, fingerprint,
//! replay rules) is the proposals function's `idempotency` module's business.

use serde::{Deserialize, Serialize};

use super::keys;
use crate::get_item;
use crate::{Store, StoreError};

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
pub(super) struct IdempotencyItem {
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

impl IdempotencyItem {
    /// The item that stores `record` under `pk`.
    pub(super) fn of(pk: &str, record: &IdempotencyRecord) -> Self {
        IdempotencyItem {
            pk: pk.to_owned(),
            sk: keys::IDEMPOTENCY_SK.into(),
            entity: "idempotency".into(),
            fingerprint: record.fingerprint.clone(),
            status: record.status,
            body: record.body.clone(),
            etag: record.etag.clone(),
            location: record.location.clone(),
            expires_at: record.expires_at,
        }
    }
}

pub use crate::keys::proposal::idempotency_pk;

/// The live idempotency record under `pk`, if any (expired records DynamoDB has not removed
/// yet count as absent).
pub async fn get_idempotency(store: &Store, pk: &str) -> Result<Option<IdempotencyRecord>, StoreError> {
    let Some(item): Option<IdempotencyItem> = get_item(store, pk.to_owned(), keys::IDEMPOTENCY_SK).await? else {
        return Ok(None);
    };
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
