//! The operations on `/v1/proposals...`. Thin on purpose: parse and authorise, let the domain
//! decide, and hand writes to the write engine so they all behave alike.

pub(crate) mod create;
pub(crate) mod get;
pub(crate) mod history;
pub(crate) mod list;
pub(crate) mod replace;
pub(crate) mod transition;
