//! Who may see a proposal: shared by every handler and the write engine, so a read and a write
//! can never disagree on it.

use domain::identity::{Caller, Role};
use domain::ids::IdKind;
use domain::proposal::Proposal;
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
