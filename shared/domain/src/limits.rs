//! Per-organisation caps that keep one client (or one leaked token) from filling the table:
//! open drafts per IGO, versions per proposal, quotes per organisation per day. The numbers are
//! generous for real negotiations; reaching one is a clear refusal, never a silent drop.
//!
//! The counting itself happens where it can be exact under concurrency (a counter item updated
//! in the same DynamoDB transaction as the change it counts); the rules and defaults live here.

use crate::proposal::{Change, Status};

/// Versions one proposal may reach through edits and counters. A negotiation of many rounds
/// needs a few dozen; the cap bounds a proposal's partition (every version keeps a snapshot).
/// The actions that end a negotiation (accept, reject, withdraw) are never refused by it.
pub const MAX_VERSIONS_PER_PROPOSAL: u64 = 250;

/// Caps configured per deployment (defaults below; `MAX_OPEN_DRAFTS`, `MAX_QUOTES_PER_DAY`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Proposals in status `draft` one IGO may hold at once.
    pub open_drafts_per_igo: u32,
    /// Quotes one organisation may compute per UTC day.
    pub quotes_per_day: u32,
}

impl Limits {
    pub const DEFAULT: Limits = Limits { open_drafts_per_igo: 200, quotes_per_day: 1_000 };
}

impl Default for Limits {
    fn default() -> Self {
        Limits::DEFAULT
    }
}

impl Change {
    /// How this change moves the IGO's count of open drafts: +1 for a new draft, -1 when a
    /// draft is submitted or withdrawn, 0 otherwise.
    pub fn open_draft_delta(&self) -> i8 {
        let was = self.entry.from_status == Some(Status::Draft);
        let is = self.entry.status == Status::Draft;
        i8::from(is) - i8::from(was)
    }
}

/// The refusal when a proposal has no room for another version.
pub(crate) fn versions_exhausted() -> crate::DomainError {
    crate::DomainError::LimitReached(format!(
        "this proposal has reached {MAX_VERSIONS_PER_PROPOSAL} versions; it can still be accepted, rejected or \
         withdrawn, and a new proposal can continue the negotiation"
    ))
}

/// The refusal when an IGO holds its maximum of open drafts.
pub fn open_drafts_exhausted(limits: &Limits) -> crate::DomainError {
    crate::DomainError::LimitReached(format!(
        "your organisation holds {} open drafts, the maximum; submit or withdraw one first",
        limits.open_drafts_per_igo
    ))
}
