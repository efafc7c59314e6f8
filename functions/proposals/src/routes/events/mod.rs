//! The operations on `/v1/events`: the pull side of notify-then-pull. The proposals function
//! serves them because nearly every event is a proposal change of the caller's organisation
//! (the same tenant rule, the same table grants); the feed only reads, the changes' own
//! transactions write it (`storage::events`).

pub(crate) mod list;
