//! Who may see a proposal: shared by every handler and the write engine, so a read and a write
//! can never disagree on it.

use domain::identity::{Caller, Role};
use domain::ids::IdKind;
use domain::proposal::{Proposal, Shown};
use edge::routing::ApiRequest;
use edge::{ApiError, AppContext};
use storage::proposals as store;

/// Proposal representations are confidential: no cache may keep them.
pub(crate) const CACHE_CONTROL: &str = edge::http::CONFIDENTIAL;

/// Only IGOs and insurers deal with proposals; a publisher gets 403.
pub(crate) fn caller(r: &ApiRequest) -> Result<&Caller, ApiError> {
    let claims = r.caller()?;
    claims.require_role(&[Role::Igo, Role::Insurer])?;
    Ok(claims)
}

/// The proposal `id` if the caller may see it; 404 otherwise, whether it exists or not. A
/// malformed id (not a ULID) is a 422 at `/path/id`, refused without a read.
pub(crate) async fn load_visible(ctx: &AppContext, claims: &Caller, id: &str) -> Result<Proposal, ApiError> {
    edge::error::check_id(IdKind::Ulid, "/path/id", id)?;
    match store::get(ctx, id).await? {
        Some(proposal) if proposal.visible_to(claims) => Ok(proposal),
        _ => Err(ApiError::NotFound),
    }
}

/// The proposal `id` as the caller is shown it (`Proposal::shown_to`): the current state, or,
/// for an insurer while the IGO revises a countered proposal, the version it was sent.
pub(crate) async fn load_shown(ctx: &AppContext, claims: &Caller, id: &str) -> Result<Proposal, ApiError> {
    let current = load_visible(ctx, claims, id).await?;
    shown(ctx, claims, current).await
}

/// What `claims` is shown of `current`, reading the version it was sent when that is older.
pub(crate) async fn shown(ctx: &AppContext, claims: &Caller, current: Proposal) -> Result<Proposal, ApiError> {
    match current.shown_to(claims) {
        Shown::Current => Ok(current),
        Shown::Nothing => Err(ApiError::NotFound),
        Shown::Sent(version) => {
            let sent = store::get_version(ctx, &current.id, version)
                .await?
                .ok_or_else(|| ApiError::internal(format!("version {version} of a proposal is missing")))?;
            Ok(current.as_sent(sent))
        }
    }
}
