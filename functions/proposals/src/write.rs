//! The proposals write engine: load, check If-Match, apply a change, commit it in one
//! transaction, and retry with jittered exponential back-off when concurrent transactions on
//! the same items collide. Every write handler goes through it, so all writes race alike.

use std::time::Duration;

use domain::identity::{Caller, Role};
use domain::proposal::{Change, Proposal};
use edge::http::{check_if_match, version_etag};
use edge::routing::HandlerResult;
use edge::{ApiError, AppContext};
use http::StatusCode;
use storage::proposals::{self as store, CommitError};

use crate::access::load_visible;
use crate::idempotency::{Answer, Idempotency};

/// Attempts of a write that meets concurrent transactions on the same items, and the cap of
/// the back-off between them: together at most about 2 s of waiting, well inside the
/// function's 6 s timeout, yet enough for twenty racing writers on a slow store to settle.
const WRITE_ATTEMPTS: u32 = 10;
const MAX_BACKOFF_MS: u64 = 400;

type MakeChange<'a> = Box<dyn Fn() -> Result<Change, ApiError> + Send + Sync + 'a>;
type ApplyChange<'a> = Box<dyn Fn(&Proposal) -> Result<Change, ApiError> + Send + Sync + 'a>;

/// What a write changes: a new proposal, or an existing one the caller read at `if_match`.
pub(crate) enum Target<'a> {
    New(MakeChange<'a>),
    Existing { id: &'a str, if_match: String, apply: ApplyChange<'a> },
}

/// Performs a write: replays a recorded answer, else makes the change and commits it (with
/// its idempotency record) in one transaction. A write that meets a concurrent transaction is
/// made again from a fresh read, so it either lands or learns it is stale (412).
pub(crate) async fn write(
    ctx: &AppContext,
    claims: &Caller,
    idempotency: Option<Idempotency>,
    target: Target<'_>,
) -> HandlerResult {
    if let Some(idem) = &idempotency {
        if let Some(first) = idem.replay(ctx).await? {
            return Ok(first);
        }
    }
    for attempt in 0..WRITE_ATTEMPTS {
        let (change, expected, status) = match &target {
            Target::New(make) => (make()?, None, StatusCode::CREATED),
            Target::Existing { id, if_match, apply } => {
                let current = load_visible(ctx, claims, id).await?;
                // The caller's If-Match names the version it is shown (an insurer's may be older
                // than the current one while the IGO revises).
                let shown = current.shown_version_to(claims).ok_or(ApiError::NotFound)?;
                check_if_match(if_match, &version_etag(shown))?;
                (apply(&current)?, Some(current.version), StatusCode::OK)
            }
        };
        // What the insurer is shown after the change, when that is not the new state: its list
        // entries follow it. A caller's answer is what it is shown.
        let insurer_view = match change.proposal.sent_version() {
            Some(sent) if sent != change.proposal.version => Some(insurer_view(ctx, &change.proposal, sent).await?),
            _ => None,
        };
        let answer = match (claims.role, &insurer_view) {
            (Role::Insurer, Some(view)) => Answer::of(view, status)?,
            _ => Answer::of(&change.proposal, status)?,
        };
        let record = idempotency.as_ref().map(|idem| idem.record(&answer));
        let idempotency_record = record.as_ref().map(|(pk, r)| (*pk, r));
        let committed = store::commit(ctx, &change, expected, insurer_view.as_ref(), idempotency_record, &ctx.limits);
        match committed.await {
            Ok(()) => {
                count_outcome(&change);
                return answer.into_response();
            }
            Err(CommitError::VersionConflict) => {
                return Err(ApiError::PreconditionFailed(
                    "the proposal changed meanwhile; read it again and retry with its new ETag".into(),
                ))
            }
            Err(CommitError::IdempotencyTaken) => {
                // A concurrent request with the same key committed first: answer as it did (or
                // 422 for another request). Only a record that expired meanwhile is gone; then
                // this write tries again.
                let idem = idempotency.as_ref().expect("a record was written");
                if let Some(first) = idem.replay(ctx).await? {
                    return Ok(first);
                }
            }
            Err(CommitError::Busy) => {}
            Err(CommitError::LimitReached(refusal)) => return Err(refusal.into()),
            Err(CommitError::QuoteGone) => {
                // As for a quote that never was (404), with the reason.
                return Err(ApiError::NotFoundWhy("/from_quote: the quote expired meanwhile; compute it again".into()));
            }
            Err(CommitError::Store(err)) => return Err(err.into()),
        }
        tokio::time::sleep(backoff(attempt)).await;
    }
    Err(ApiError::ServiceUnavailable)
}

/// The business metrics of a committed change: proposals that reached submitted (by a submit
/// or created submitted at once), accepted or rejected.
fn count_outcome(change: &Change) {
    use domain::proposal::Status;
    use edge::metrics::{count, Business};
    if change.entry.from_status == Some(change.entry.status) {
        return;
    }
    match change.entry.status {
        Status::Submitted => count(Business::ProposalsSubmitted),
        Status::Accepted => count(Business::ProposalsAccepted),
        Status::Rejected => count(Business::ProposalsRejected),
        _ => {}
    }
}

/// The insurer's view of `proposal` whose content it has at version `sent`.
async fn insurer_view(ctx: &AppContext, proposal: &Proposal, sent: u64) -> Result<Proposal, ApiError> {
    let snapshot = store::get_version(ctx, &proposal.id, sent)
        .await?
        .ok_or_else(|| ApiError::internal(format!("version {sent} of a proposal is missing")))?;
    Ok(proposal.as_sent(snapshot))
}

/// Exponential back-off with "equal jitter" (half fixed, half random), so racing writers do
/// not collide again in lockstep and a busy store gets room to finish the winner.
fn backoff(attempt: u32) -> Duration {
    let cap = (10u64 << attempt.min(6)).min(MAX_BACKOFF_MS);
    let jitter = (ulid::Ulid::new().random() % u128::from(cap / 2 + 1)) as u64;
    Duration::from_millis(cap / 2 + jitter)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_stays_capped_and_bounds_the_total_wait() {
        let mut total = Duration::ZERO;
        for attempt in 0..WRITE_ATTEMPTS - 1 {
            let cap = Duration::from_millis((10u64 << attempt.min(6)).min(MAX_BACKOFF_MS));
            for _ in 0..50 {
                let wait = backoff(attempt);
                assert!(wait >= cap / 2 && wait <= cap, "attempt {attempt}: {wait:?} outside [{:?}, {cap:?}]", cap / 2);
            }
            total += cap;
        }
        assert!(total <= Duration::from_millis(2300), "worst-case wait {total:?}");
    }
}
