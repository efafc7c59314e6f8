//! The HTTP handlers, one folder per resource and one file per operation, each next to the
//! `#[utoipa::path]` that documents it so code and contract change together.

pub(crate) mod events;
pub(crate) mod proposals;
