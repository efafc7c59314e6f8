//! Every key the table holds, built in one place: the entity prefixes (`PROPOSAL#`, `ORG#`,
//! `THEMES#`, `PRINCIPAL#`, ...) and the key map of a GetItem or Update. A new entity adds its builders here,
//! so two entities can never pick the same prefix unnoticed.
//!
//! The layout of each entity (which item sits under which key, and why) is documented in its
//! own module: `proposals`, `quotes`, `themes`, `principals`, `events`.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;

use crate::table::TABLE;

/// The key map of one item (`PK`, `SK`), as GetItem, Update and Delete take it.
pub fn item_key(pk: String, sk: &str) -> HashMap<String, AttributeValue> {
    HashMap::from([
        (TABLE.partition_key.to_owned(), AttributeValue::S(pk)),
        (TABLE.sort_key.to_owned(), AttributeValue::S(sk.to_owned())),
    ])
}

/// The partition of everything one organisation owns outside its proposals: its quotes and its
/// counters (quotes per day, open drafts).
fn org_pk(org: &str) -> String {
    format!("ORG#{org}")
}

/// Proposals: one partition per proposal holding its current state, versions, history and
/// list entries; the list partitions of the GSIs; idempotency records of proposal writes.
pub mod proposal {
    pub const CURRENT_SK: &str = "CURRENT";
    pub const IDEMPOTENCY_SK: &str = "IDEMPOTENCY";

    pub fn pk(id: &str) -> String {
        format!("PROPOSAL#{id}")
    }

    /// Versions and history entries sort by number: zero-padded to 10 digits.
    pub fn version_sk(version: u64) -> String {
        format!("VERSION#{version:010}")
    }

    pub fn history_sk(version: u64) -> String {
        format!("HISTORY#{version:010}")
    }

    /// The list entry for one combination of filters (`mask` bits: status, year, counterparty).
    pub fn list_sk(mask: u8) -> String {
        format!("LIST#{mask}")
    }

    /// A GSI list partition: `side` is `IGO` or `INS`, `owner` the caller's code, and each
    /// filter its value or `*` when the listing does not filter on it.
    pub fn list_partition(
        side: &str,
        owner: &str,
        status: Option<&str>,
        year: Option<i32>,
        counterparty: Option<&str>,
    ) -> String {
        let year = year.map(|y| y.to_string());
        format!(
            "PLIST#{side}#{owner}#S#{}#Y#{}#C#{}",
            status.unwrap_or("*"),
            year.as_deref().unwrap_or("*"),
            counterparty.unwrap_or("*"),
        )
    }

    /// The catch-up entry of one side (`IGO` or `INS`) in the proposal's partition.
    pub fn updated_sk(side: &str) -> String {
        format!("UPDATED#{side}")
    }

    /// The GSI3 partition of a side's proposals ordered by their last change (`updated_since`);
    /// `PLIST#UPD#` keeps it among the proposal listings, apart from `PLIST#IGO#`/`PLIST#INS#`.
    pub fn updated_partition(side: &str, owner: &str) -> String {
        format!("PLIST#UPD#{side}#{owner}")
    }

    /// The counter of an IGO's proposals in status `draft` (cap: `domain::limits`).
    pub fn open_drafts_key(igo: &str) -> (String, &'static str) {
        (super::org_pk(igo), "COUNT#OPEN_DRAFTS")
    }

    /// Idempotency keys are scoped per role and organisation, so two callers can never replay
    /// each other's answers.
    pub fn idempotency_pk(role: &str, org: &str, key: &str) -> String {
        format!("IDEMPOTENCY#{role}#{org}#{key}")
    }
}

/// Quotes: one partition per owning organisation, one item per quote, and its counter of
/// quotes per UTC day.
pub mod quote {
    pub fn pk(owner_org: &str) -> String {
        super::org_pk(owner_org)
    }

    /// The counter of quotes `owner_org` computed on `day` (UTC).
    pub fn daily_count_key(owner_org: &str, day: chrono::NaiveDate) -> (String, String) {
        (super::org_pk(owner_org), format!("COUNT#QUOTES#{day}"))
    }

    pub fn sk(id: &str) -> String {
        format!("QUOTE#{id}")
    }
}

/// Per-organisation request counters: one item per organisation and second, expiring soon
/// after (TTL), so the limit is counted by the table itself across every warm function.
pub mod rate {
    pub const SK: &str = "COUNTER";

    pub fn pk(org: &str, second: i64) -> String {
        format!("RATE#{org}#{second}")
    }
}

/// The themes table: one item per edition, the editions' list partition, and the pointer to
/// the latest published edition.
pub mod themes {
    pub const EDITION_SK: &str = "EDITION";
    pub const EDITIONS_PARTITION: &str = "THEMES#EDITIONS";
    pub const LATEST_PK: &str = "THEMES#LATEST";
    pub const LATEST_SK: &str = "POINTER";

    pub fn edition_pk(edition: &str) -> String {
        format!("THEMES#EDITION#{edition}")
    }
}

/// Events (the outbox and the feeds, `storage::events`): one feed partition per organisation
/// (`EVENTS#IGO#{agb}`, `EVENTS#INS#{uzovi}`) and one public feed (`EVENTS#PUBLIC`), one item
/// per event sorted by its ULID; GSI3 holds the same feeds split by event type.
pub mod event {
    pub const PUBLIC_FEED: &str = "EVENTS#PUBLIC";

    /// The feed of one organisation: `side` is `IGO` or `INS` (as in the proposal lists).
    pub fn feed(side: &str, org: &str) -> String {
        format!("EVENTS#{side}#{org}")
    }

    /// A feed's events of one type (GSI3's partition key; the sort key is the event id).
    pub fn typed_feed(feed: &str, event_type: &str) -> String {
        format!("{feed}#T#{event_type}")
    }
}

/// The principal registry: one partition per token issuer, one item per subject.
pub mod principal {
    pub const SK_PREFIX: &str = "SUBJECT#";

    pub fn pk(issuer: &str) -> String {
        format!("PRINCIPAL#{issuer}")
    }

    pub fn sk(subject: &str) -> String {
        format!("{SK_PREFIX}{subject}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_of_different_entities_never_collide() {
        let pks = [
            proposal::pk("x"),
            proposal::idempotency_pk("igo", "1", "k"),
            quote::pk("x"),
            themes::edition_pk("x"),
            rate::pk("x", 1),
            principal::pk("x"),
            event::feed("IGO", "x"),
        ];
        for (i, a) in pks.iter().enumerate() {
            for b in &pks[i + 1..] {
                let (pa, pb) = (a.split('#').next().unwrap(), b.split('#').next().unwrap());
                assert!(pa != pb || a.split('#').nth(1) != b.split('#').nth(1), "{a} vs {b}");
            }
        }
        assert_eq!(proposal::version_sk(7), "VERSION#0000000007");
        assert_eq!(
            proposal::list_partition("IGO", "53012345", None, Some(2026), None),
            "PLIST#IGO#53012345#S#*#Y#2026#C#*"
        );
        assert_eq!(item_key("P".into(), "S").len(), 2);
        assert_eq!(
            event::typed_feed(&event::feed("INS", "3311"), "proposal.accepted"),
            "EVENTS#INS#3311#T#proposal.accepted"
        );
        assert!(event::PUBLIC_FEED.starts_with("EVENTS#"));
    }
}
