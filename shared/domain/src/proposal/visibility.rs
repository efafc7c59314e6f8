//! What each party may see of a proposal. The IGO sees all of its own proposals. The insurer
//! sees what was sent to it: nothing before the first submission; from then on the versions the
//! IGO sent (a submission) and the ones its own actions made; while the proposal is `countered`,
//! the last version it received until the IGO submits again (the IGO's revision in progress is
//! the IGO's alone). History entries of unsent edits (a draft's creation, every edit) are the
//! IGO's alone, and the other party's actor subjects are not shown (organisation and role are).
//!
//! `Proposal::sent_version` records which version's content the insurer has; these functions
//! turn it into the view a caller gets, and storage keeps the insurer's list entries on it.

use super::{HistoryAction, HistoryEntry, Proposal, Status};
use crate::identity::{Caller, Role};

/// Which version of a proposal a caller is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shown {
    /// Nothing: not the caller's proposal, or not sent to it yet.
    Nothing,
    /// The current state.
    Current,
    /// The snapshot of this version: the IGO has changed the content since, unsent.
    Sent(u64),
}

impl HistoryEntry {
    /// Whether this change sent the IGO's content to the insurer, or was made on content the
    /// insurer already has: everything but a draft's creation and an edit.
    pub fn reaches_insurer(&self) -> bool {
        match self.action {
            HistoryAction::Edit => false,
            HistoryAction::Create => self.status != Status::Draft,
            _ => true,
        }
    }

    /// The entry as `viewer` may see it, or `None` when it is the other party's unsent work:
    /// the other party's actor subject is left out.
    pub fn seen_by(&self, viewer: Role) -> Option<HistoryEntry> {
        if viewer == Role::Insurer && !self.reaches_insurer() {
            return None;
        }
        let mut entry = self.clone();
        if entry.actor.role != viewer {
            entry.actor.sub = String::new();
            entry.actor.name = String::new();
        }
        Some(entry)
    }
}

impl Proposal {
    /// The version whose content the insurer has after this proposal's latest change, given
    /// the previous state (`None` for a new proposal) and the change's history entry.
    pub(super) fn next_sent_version(previous: Option<&Proposal>, entry: &HistoryEntry) -> Option<u64> {
        let before = previous.and_then(Proposal::sent_version);
        match entry.action {
            // A withdrawal sends nothing new: the insurer keeps what it had (and learns the status).
            HistoryAction::Withdraw if previous.is_some_and(|p| p.sent_version() != Some(p.version)) => before,
            _ if entry.reaches_insurer() => Some(entry.version),
            _ => before,
        }
    }

    /// The version whose content the insurer has; `None` before the first submission. (A
    /// proposal stored before this was recorded counts as sent in full once submitted.)
    pub fn sent_version(&self) -> Option<u64> {
        self.sent_version.or(self.submitted_at.map(|_| self.version))
    }

    /// Which version `caller` is shown.
    pub fn shown_to(&self, caller: &Caller) -> Shown {
        if !self.visible_to(caller) {
            return Shown::Nothing;
        }
        match (caller.role, self.sent_version()) {
            (Role::Insurer, Some(sent)) if sent != self.version => Shown::Sent(sent),
            (Role::Insurer, None) => Shown::Nothing,
            _ => Shown::Current,
        }
    }

    /// The version `caller` is shown (its ETag), `None` when it sees nothing.
    pub fn shown_version_to(&self, caller: &Caller) -> Option<u64> {
        match self.shown_to(caller) {
            Shown::Nothing => None,
            Shown::Sent(_) if self.status == Status::Withdrawn => Some(self.version),
            Shown::Sent(version) => Some(version),
            Shown::Current => Some(self.version),
        }
    }

    /// What the insurer sees, given the snapshot of the version it was sent (`sent`, the
    /// snapshot `shown_to` named): that content, and, once withdrawn, the withdrawal itself
    /// (status, version, time), so it learns the proposal ended without seeing the revision.
    pub fn as_sent(&self, sent: Proposal) -> Proposal {
        if self.status == Status::Withdrawn {
            Proposal { status: self.status, version: self.version, updated_at: self.updated_at, ..sent }
        } else {
            sent
        }
    }
}

/// A proposal's history as `viewer` may see it: the entries (oldest first) and the version
/// snapshots that go with them. The IGO gets all of it; the insurer the entries of what reached
/// it and their versions, where a withdrawal made during a revision shows the content it was
/// last sent (`sent` finds that snapshot: it may lie before this page). The other party's
/// actor subjects are left out either way.
pub fn history_seen_by(
    viewer: Role,
    entries: Vec<HistoryEntry>,
    versions: Vec<Proposal>,
    sent: impl Fn(u64) -> Option<Proposal>,
) -> (Vec<HistoryEntry>, Vec<Proposal>) {
    let mut seen_entries = Vec::with_capacity(entries.len());
    let mut seen_versions = Vec::with_capacity(versions.len());
    for entry in entries {
        let Some(seen) = entry.seen_by(viewer) else { continue };
        if let Some(snapshot) = versions.iter().find(|v| v.version == entry.version) {
            seen_versions.push(match (viewer, snapshot.sent_version) {
                (Role::Insurer, Some(sent_version)) if sent_version != snapshot.version => {
                    let sent =
                        versions.iter().find(|v| v.version == sent_version).cloned().or_else(|| sent(sent_version));
                    match sent {
                        Some(sent) => snapshot.as_sent(sent),
                        // The snapshot is missing: show nothing of the content rather than the revision.
                        None => continue,
                    }
                }
                _ => snapshot.clone(),
            });
        }
        seen_entries.push(seen);
    }
    (seen_entries, seen_versions)
}

/// Which versions a withdrawal in `versions` shows the insurer instead of its own content:
/// the snapshots `history_seen_by` will ask `sent` for, to read them beforehand.
pub fn sent_versions_needed(viewer: Role, versions: &[Proposal]) -> Vec<u64> {
    if viewer != Role::Insurer {
        return Vec::new();
    }
    let mut needed: Vec<u64> = versions
        .iter()
        .filter_map(|v| v.sent_version.filter(|sent| *sent != v.version))
        .filter(|sent| !versions.iter().any(|v| v.version == *sent))
        .collect();
    needed.dedup();
    needed
}
