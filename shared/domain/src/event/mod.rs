//! Thin events ("informatiearm" notifications): what changed, not its content. Every proposal
//! change and every published themes edition yields one event, written in the change's own
//! transaction (storage's outbox); the receiver fetches the resource with its own token.
//!
//! Pure rules: which type a change is, who it concerns, which version each party is told. Ids
//! and clocks come from the caller.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::identity::Role;
use crate::proposal::{Change, HistoryAction, Proposal, Status};

/// How long an event stays in the feed: DynamoDB's TTL removes it after this.
pub const RETENTION_DAYS: i64 = 30;

/// What happened. The wire name is `<resource>.<what>` (e.g. `proposal.countered`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
pub enum EventType {
    /// A proposal was created (as a draft, or submitted at once: then the insurer is told too).
    #[serde(rename = "proposal.created")]
    ProposalCreated,
    /// The IGO submitted a draft, or a revised countered proposal, to the insurer.
    #[serde(rename = "proposal.submitted")]
    ProposalSubmitted,
    /// The insurer started reviewing a submitted proposal.
    #[serde(rename = "proposal.review_started")]
    ProposalReviewStarted,
    /// The insurer answered with its own lines.
    #[serde(rename = "proposal.countered")]
    ProposalCountered,
    /// The IGO changed the content (of a draft, or of a countered proposal); the IGO's alone.
    #[serde(rename = "proposal.revised")]
    ProposalRevised,
    /// The insurer accepted the proposal.
    #[serde(rename = "proposal.accepted")]
    ProposalAccepted,
    /// The insurer rejected the proposal.
    #[serde(rename = "proposal.rejected")]
    ProposalRejected,
    /// The IGO withdrew the proposal.
    #[serde(rename = "proposal.withdrawn")]
    ProposalWithdrawn,
    /// A themes edition was published: public, in every organisation's feed.
    #[serde(rename = "themes_edition.published")]
    ThemesEditionPublished,
}

impl EventType {
    pub const ALL: [EventType; 9] = [
        EventType::ProposalCreated,
        EventType::ProposalSubmitted,
        EventType::ProposalReviewStarted,
        EventType::ProposalCountered,
        EventType::ProposalRevised,
        EventType::ProposalAccepted,
        EventType::ProposalRejected,
        EventType::ProposalWithdrawn,
        EventType::ThemesEditionPublished,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EventType::ProposalCreated => "proposal.created",
            EventType::ProposalSubmitted => "proposal.submitted",
            EventType::ProposalReviewStarted => "proposal.review_started",
            EventType::ProposalCountered => "proposal.countered",
            EventType::ProposalRevised => "proposal.revised",
            EventType::ProposalAccepted => "proposal.accepted",
            EventType::ProposalRejected => "proposal.rejected",
            EventType::ProposalWithdrawn => "proposal.withdrawn",
            EventType::ThemesEditionPublished => "themes_edition.published",
        }
    }

    pub fn parse(s: &str) -> Option<EventType> {
        EventType::ALL.into_iter().find(|t| t.as_str() == s)
    }

    /// Public events concern everyone: they sit in one public feed, not in an organisation's.
    pub fn is_public(self) -> bool {
        self == EventType::ThemesEditionPublished
    }

    /// The type of a proposal change, from what its history entry records.
    pub fn of_proposal_change(action: HistoryAction) -> EventType {
        match action {
            HistoryAction::Create => EventType::ProposalCreated,
            HistoryAction::Edit => EventType::ProposalRevised,
            HistoryAction::Submit => EventType::ProposalSubmitted,
            HistoryAction::StartReview => EventType::ProposalReviewStarted,
            HistoryAction::Counter => EventType::ProposalCountered,
            HistoryAction::Accept => EventType::ProposalAccepted,
            HistoryAction::Reject => EventType::ProposalRejected,
            HistoryAction::Withdraw => EventType::ProposalWithdrawn,
        }
    }
}

/// Which kind of resource an event is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ResourceKind {
    Proposal,
    ThemesEdition,
}

/// The resource an event is about: where to fetch it and which version the change made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct EventResource {
    pub kind: ResourceKind,
    /// The proposal's ULID or the edition id.
    #[schema(example = "01JD3M5X8Q2W7R4T6Y9U1I0O3P")]
    pub id: String,
    /// Where to fetch it (with the receiver's own token for a proposal).
    #[schema(example = "/v1/proposals/01JD3M5X8Q2W7R4T6Y9U1I0O3P")]
    pub href: String,
    /// A proposal's version after the change, as this receiver is shown it (its ETag is this
    /// number in quotes); absent for an edition (published editions never change).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(example = 4)]
    pub version: Option<u64>,
    /// The ETag a GET of `href` answers with for this receiver (`"4"`), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(example = "\"4\"")]
    pub etag: Option<String>,
}

/// An organisation an event concerns.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
pub struct EventOrganisation {
    pub role: Role,
    /// AGB code (igo) or UZOVI code (insurer).
    #[schema(example = "53012345")]
    pub org: String,
}

/// One event as a feed shows it. Thin by design: no content of the resource.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Event {
    /// Stable and unique (ULID): the same event has the same id in every feed and on every
    /// delivery, so a receiver can drop duplicates.
    #[schema(example = "01JD3M9Z2B4C6D8E0F1G3H5J7K")]
    pub id: String,
    #[serde(rename = "type")]
    pub event_type: EventType,
    /// When the change was made.
    pub time: DateTime<Utc>,
    pub resource: EventResource,
    /// The organisations the event is addressed to (empty for a public event).
    pub organisations: Vec<EventOrganisation>,
    /// Whether every caller's feed shows it (a published themes edition).
    pub public: bool,
}

/// An event and the feed it is written to: one copy per organisation it concerns (each told the
/// version it is shown), or one public copy. All copies share the event id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Addressed {
    /// `None`: the public feed.
    pub recipient: Option<EventOrganisation>,
    pub event: Event,
}

/// ETag of a proposal version: the number in quotes (as the HTTP edge sends it).
fn version_etag(version: u64) -> String {
    format!("\"{version}\"")
}

impl Proposal {
    /// The version the insurer is shown (the number in its ETag); `None` while the proposal is
    /// not sent to it. Mirrors `shown_version_to` for the insurer the proposal is addressed to.
    pub fn version_shown_to_insurer(&self) -> Option<u64> {
        let sent = self.sent_version()?;
        Some(if sent != self.version && self.status != Status::Withdrawn { sent } else { self.version })
    }
}

/// Whether a proposal change concerns the insurer: only changes on content sent to it (never
/// a draft's creation, an edit, or the withdrawal of a never-submitted draft). The same rule
/// as the history an insurer sees (`HistoryEntry::reaches_insurer`).
fn reaches_insurer(change: &Change) -> bool {
    change.proposal.submitted_at.is_some() && change.entry.reaches_insurer()
}

/// The events of one proposal change, one per organisation it concerns: the IGO always, the
/// insurer when the change reaches it (see `reaches_insurer`).
pub fn proposal_events(id: &str, change: &Change) -> Vec<Addressed> {
    let proposal = &change.proposal;
    let igo = EventOrganisation { role: Role::Igo, org: proposal.igo.agb.to_string() };
    let insurer = EventOrganisation { role: Role::Insurer, org: proposal.insurer.uzovi.to_string() };
    let insurer_version = reaches_insurer(change).then(|| proposal.version_shown_to_insurer()).flatten();
    let mut organisations = vec![igo.clone()];
    if insurer_version.is_some() {
        organisations.push(insurer.clone());
    }
    let event = |version: u64| Event {
        id: id.to_owned(),
        event_type: EventType::of_proposal_change(change.entry.action),
        time: change.entry.at,
        resource: EventResource {
            kind: ResourceKind::Proposal,
            id: proposal.id.clone(),
            href: format!("/v1/proposals/{}", proposal.id),
            version: Some(version),
            etag: Some(version_etag(version)),
        },
        organisations: organisations.clone(),
        public: false,
    };
    let mut out = vec![Addressed { recipient: Some(igo), event: event(proposal.version) }];
    if let Some(version) = insurer_version {
        out.push(Addressed { recipient: Some(insurer), event: event(version) });
    }
    out
}

/// The public event of a published themes edition.
pub fn edition_published(id: &str, edition: &str, at: DateTime<Utc>) -> Addressed {
    Addressed {
        recipient: None,
        event: Event {
            id: id.to_owned(),
            event_type: EventType::ThemesEditionPublished,
            time: at,
            resource: EventResource {
                kind: ResourceKind::ThemesEdition,
                id: edition.to_owned(),
                href: format!("/v1/themes/editions/{edition}"),
                version: None,
                etag: None,
            },
            organisations: Vec::new(),
            public: true,
        },
    }
}

#[cfg(test)]
mod tests;
