//! The Zorginkoop domain: proposals and their lifecycle, integral tariff quotes, the zorgkantoor
//! themes table, prestaties, Dutch care codes and exact money. Pure: no I/O, no HTTP, no AWS.
//!
//! This is a crate of its own so the compiler, not a comment, keeps it that way: its manifest
//! depends on neither lambda_http, http nor the AWS SDK. The HTTP edge maps [`DomainError`] to
//! problem+json; storage maps domain types to items.

pub mod catalogue;
pub mod codes;
pub mod error;
pub mod event;
pub mod identity;
pub mod ids;
pub mod limits;
pub mod money;
pub mod prestatie;
pub mod principal;
pub mod proposal;
pub mod quote;
pub mod themes;
pub mod validation;

#[cfg(test)]
mod test_support;

pub use error::{DomainError, FieldError};
