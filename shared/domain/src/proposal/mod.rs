//! Contract proposals of an IGO to one insurer: their content, its validation (every failure
//! names its field as a JSON pointer), the totals derived from the lines, and the changes a
//! proposal goes through (create, edit, lifecycle transitions), each producing a new version
//! and one history entry. Pure: the caller supplies ids, clock and actor.
//!
//! `content` is what a client sends, `validate` checks it and `pricing` derives the amounts;
//! `state` holds the lifecycle rules and `from_quote` the filling from a quote. Every public item
//! is re-exported here: `domain::proposal::X` is the one path.

mod content;
mod from_quote;
mod pricing;
pub mod state;
mod validate;
mod visibility;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::codes::AgbCode;
use crate::error::DomainError;
use crate::identity::{Caller, Role};
use crate::quote::Quote;
use crate::validation::Errors;

pub use content::{
    AttentionPoints, CareShift, CareShiftKind, ClientScope, DistributionKey, Igo, IgoInput, Insurer, LineInput,
    MemberProvider, NewParts, NewProposal, Period, PolicyRoute, PrestatieShare, ProposalContent, TransitionRequest,
};
pub use from_quote::FROM_QUOTE;
pub use pricing::{line_amount, priced_lines, totals, Line, Totals};
pub use state::{may_edit, transition, Action, Status, TransitionError};
pub(crate) use validate::refusal;
pub use validate::{validate_lines, validate_lines_in_period};
pub use visibility::{history_seen_by, sent_versions_needed, Shown};

/// Longest organisation or provider name.
pub const MAX_NAME_CHARS: usize = 200;
/// Longest free text (attention points, notes).
pub const MAX_TEXT_CHARS: usize = 4000;
/// Longest transition reason.
pub const MAX_REASON_CHARS: usize = 2000;
/// Most member providers in a distribution key.
pub const MAX_PROVIDERS: usize = 100;
/// Most care shifts in one proposal.
pub const MAX_CARE_SHIFTS: usize = 100;
/// Largest volume of one line (clients, or hours for kraamzorg).
pub const MAX_VOLUME: u64 = 10_000_000;
/// Longest quote reference.
pub const MAX_QUOTE_ID_CHARS: usize = 64;
/// Most decimals of a share of the distribution key, in percent.
pub const SHARE_DECIMALS: u32 = 4;
/// Contract years the API accepts.
pub const YEARS: std::ops::RangeInclusive<i32> = 2000..=2100;

/// The insurer's counter proposal, kept beside the IGO's lines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Counter {
    pub lines: Vec<Line>,
    pub totals: Totals,
    /// The version the counter created.
    pub version: u64,
    pub at: DateTime<Utc>,
}

/// A contract proposal as stored and served.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Proposal {
    /// Server-made, sortable by creation time (ULID).
    #[schema(example = "01JD3M5X8Q2W7R4T6Y9U1I0O3P")]
    pub id: String,
    pub igo: Igo,
    pub insurer: Insurer,
    pub period: Period,
    /// The contract year (the period's year or its start date's year).
    pub year: i32,
    pub policy_route: PolicyRoute,
    pub lines: Vec<Line>,
    pub totals: Totals,
    pub distribution_key: DistributionKey,
    pub care_shifts: Vec<CareShift>,
    pub attention_points: AttentionPoints,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quote_id: Option<String>,
    /// The insurer's latest counter proposal, if it countered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub counter: Option<Counter>,
    pub status: Status,
    /// Grows by one with every change; the ETag is this number.
    pub version: u64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// When the IGO first submitted it: from then on the insurer can see it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub submitted_at: Option<DateTime<Utc>>,
    /// The version whose content the insurer has (the last one sent to it, or made by its own
    /// action); absent until the first submission. While the IGO revises a countered proposal
    /// the insurer is shown this version, until the IGO submits again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sent_version: Option<u64>,
}

/// A proposal as listed: everything but the lines, key and attention points.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ProposalSummary {
    pub id: String,
    pub igo: Igo,
    pub insurer: Insurer,
    pub period: Period,
    pub year: i32,
    pub policy_route: PolicyRoute,
    pub totals: Totals,
    pub status: Status,
    pub version: u64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// What a history entry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum HistoryAction {
    Create,
    Edit,
    Submit,
    Withdraw,
    StartReview,
    Accept,
    Reject,
    Counter,
}

impl From<Action> for HistoryAction {
    fn from(action: Action) -> Self {
        match action {
            Action::Submit => HistoryAction::Submit,
            Action::Withdraw => HistoryAction::Withdraw,
            Action::StartReview => HistoryAction::StartReview,
            Action::Accept => HistoryAction::Accept,
            Action::Reject => HistoryAction::Reject,
            Action::Counter => HistoryAction::Counter,
        }
    }
}

/// Who made a change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Actor {
    /// The registered principal's subject; shown only to its own party (the other sees
    /// organisation and role).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub sub: String,
    /// The registered principal's name (a person or a system); like `sub`, shown only to its own
    /// party.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    pub role: Role,
    /// AGB code (igo) or UZOVI code (insurer).
    pub org: String,
    /// Present (true) when the principal is its insurer's authorised signatory: accepting and
    /// rejecting need one.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub signatory: bool,
}

impl Actor {
    pub fn of(caller: &Caller) -> Actor {
        Actor {
            sub: caller.sub.clone(),
            name: caller.display_name.clone(),
            role: caller.role,
            org: caller.org_code().to_owned(),
            signatory: caller.signatory,
        }
    }
}

/// One immutable entry of a proposal's history: every change appends one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct HistoryEntry {
    /// The version this change created.
    pub version: u64,
    pub action: HistoryAction,
    /// The status before the change (absent for the creation).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_status: Option<Status>,
    /// The status after the change.
    pub status: Status,
    pub actor: Actor,
    pub at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// A change made to a proposal: the new current state and its history entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub proposal: Proposal,
    pub entry: HistoryEntry,
}

impl Proposal {
    /// A new proposal by the IGO `actor` (whose org is `igo_agb`): a draft, or submitted at once.
    ///
    /// `quote` is the quote the request's `from_quote` names, as the handler found it among
    /// the caller's organisation's quotes (`None` when it has no such quote).
    pub fn create(
        id: String,
        igo_agb: &AgbCode,
        new: NewProposal,
        quote: Option<&Quote>,
        actor: Actor,
        now: DateTime<Utc>,
    ) -> Result<Change, DomainError> {
        let quote = quote.filter(|q| q.owner_org == igo_agb.as_str());
        let NewParts { igo, insurer, content, submit, from_quote } =
            new.into_parts(quote).map_err(DomainError::Invalid)?;
        let mut errors = Errors::new();
        if let Some(agb) = &igo.agb {
            if agb != igo_agb {
                errors.push("/igo/agb", "must be your own AGB code (the token's org)");
            }
        }
        errors.text("/igo/name", &igo.name, MAX_NAME_CHARS);
        errors.text("/insurer/name", &insurer.name, MAX_NAME_CHARS);
        let mut content_errors = Errors::new();
        content.validate(&mut content_errors);
        let mut content_errors = content_errors.into_vec();
        if from_quote {
            // The caller did not send the lines and key: name the quote, keep the detail.
            for error in &mut content_errors {
                if error.pointer.starts_with("/lines") || error.pointer.starts_with("/distribution_key") {
                    error.detail = format!("filled from the quote, {} fails: {}", error.pointer, error.detail);
                    error.pointer = FROM_QUOTE.to_owned();
                }
            }
        }
        errors.extend(content_errors);
        errors.finish()?;
        let status = if submit { Status::Submitted } else { Status::Draft };
        let lines = priced_lines(&content.lines);
        let proposal = Proposal {
            id,
            igo: Igo { agb: igo_agb.clone(), name: igo.name },
            insurer,
            year: content.period.contract_year(),
            period: content.period,
            policy_route: content.policy_route,
            totals: totals(&lines),
            lines,
            distribution_key: content.distribution_key,
            care_shifts: content.care_shifts,
            attention_points: content.attention_points,
            quote_id: content.quote_id,
            counter: None,
            status,
            version: 1,
            created_at: now,
            updated_at: now,
            submitted_at: submit.then_some(now),
            sent_version: None,
        };
        let entry = HistoryEntry {
            version: 1,
            action: HistoryAction::Create,
            from_status: None,
            status,
            actor,
            at: now,
            reason: None,
        };
        let proposal = Proposal { sent_version: Proposal::next_sent_version(None, &entry), ..proposal };
        Ok(Change { proposal, entry })
    }

    /// Replaces the editable content (IGO, while draft or countered).
    pub fn replace(&self, content: ProposalContent, actor: Actor, now: DateTime<Utc>) -> Result<Change, DomainError> {
        may_edit(self.status, actor.role).map_err(DomainError::Refused)?;
        self.ensure_room_for_another_round()?;
        let mut errors = Errors::new();
        // The quote reference is the server's (from `from_quote`): kept, never taken from the client.
        let mut content = content;
        if content.quote_id.take().is_some() {
            errors.push("/quote_id", content::QUOTE_ID_FROM_QUOTE_ONLY);
        }
        content.validate(&mut errors);
        errors.finish()?;
        let lines = priced_lines(&content.lines);
        let proposal = Proposal {
            year: content.period.contract_year(),
            period: content.period,
            policy_route: content.policy_route,
            totals: totals(&lines),
            lines,
            distribution_key: content.distribution_key,
            care_shifts: content.care_shifts,
            attention_points: content.attention_points,
            quote_id: self.quote_id.clone(),
            version: self.version + 1,
            updated_at: now,
            ..self.clone()
        };
        Ok(self.change(proposal, HistoryAction::Edit, actor, now, None))
    }

    /// Applies a lifecycle action by `actor`.
    pub fn apply(&self, request: TransitionRequest, actor: Actor, now: DateTime<Utc>) -> Result<Change, DomainError> {
        let next =
            transition(self.status, request.action, actor.role).map_err(|e| DomainError::Refused(e.to_string()))?;
        if request.action.is_decision() && !actor.signatory {
            // In the Zorginkoopportaal too, only the insurer's authorised signatory accepts or
            // rejects a contract; colleagues may review and counter.
            return Err(DomainError::Forbidden(format!(
                "only a signatory of the insurer may {} a proposal; this principal may review and counter",
                request.action.as_str()
            )));
        }
        if request.action == Action::Counter {
            self.ensure_room_for_another_round()?;
        }
        let mut errors = Errors::new();
        errors.optional_text("/reason", request.reason.as_deref(), MAX_REASON_CHARS);
        if request.action == Action::Reject && request.reason.is_none() {
            errors.push("/reason", "a reason is required to reject");
        }
        match (&request.counter_lines, request.action) {
            (Some(lines), Action::Counter) => {
                validate_lines("/counter_lines", lines, &mut errors);
                validate_lines_in_period("/counter_lines", self.policy_route, self.period.years(), lines, &mut errors);
            }
            (None, Action::Counter) => errors.push("/counter_lines", "counter_lines are required to counter"),
            (Some(_), _) => errors.push("/counter_lines", "counter_lines belong only to 'counter'"),
            (None, _) => {}
        }
        errors.finish()?;
        let version = self.version + 1;
        let mut proposal = Proposal { status: next, version, updated_at: now, ..self.clone() };
        if let Some(lines) = &request.counter_lines {
            let lines = priced_lines(lines);
            proposal.counter = Some(Counter { totals: totals(&lines), lines, version, at: now });
        }
        if next == Status::Submitted && proposal.submitted_at.is_none() {
            proposal.submitted_at = Some(now);
        }
        Ok(self.change(proposal, request.action.into(), actor, now, request.reason))
    }

    /// Edits and counters are what make a negotiation go round; at the version cap they are
    /// refused, while submit, review, the decisions and withdrawal still end it properly.
    fn ensure_room_for_another_round(&self) -> Result<(), DomainError> {
        if self.version >= crate::limits::MAX_VERSIONS_PER_PROPOSAL {
            return Err(crate::limits::versions_exhausted());
        }
        Ok(())
    }

    fn change(
        &self,
        proposal: Proposal,
        action: HistoryAction,
        actor: Actor,
        now: DateTime<Utc>,
        reason: Option<String>,
    ) -> Change {
        let entry = HistoryEntry {
            version: proposal.version,
            action,
            from_status: Some(self.status),
            status: proposal.status,
            actor,
            at: now,
            reason,
        };
        let proposal = Proposal { sent_version: Proposal::next_sent_version(Some(self), &entry), ..proposal };
        Change { proposal, entry }
    }

    /// Whether the caller's organisation may see this proposal at all: the IGO its own; the
    /// insurer those addressed to it once submitted (a draft is the IGO's unfinished work).
    pub fn visible_to(&self, caller: &Caller) -> bool {
        match caller.role {
            Role::Igo => self.igo.agb.as_str() == caller.org_code(),
            Role::Insurer => self.insurer.uzovi.as_str() == caller.org_code() && self.submitted_at.is_some(),
            Role::Publisher => false,
        }
    }

    pub fn summary(&self) -> ProposalSummary {
        ProposalSummary {
            id: self.id.clone(),
            igo: self.igo.clone(),
            insurer: self.insurer.clone(),
            period: self.period.clone(),
            year: self.year,
            policy_route: self.policy_route,
            totals: self.totals.clone(),
            status: self.status,
            version: self.version,
            created_at: self.created_at,
            updated_at: self.updated_at,
        }
    }
}

#[cfg(test)]
mod tests;
