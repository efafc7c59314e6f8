//! The domain's one error type. It says what went wrong in domain terms; the HTTP edge alone
//! decides which status and problem type each variant becomes.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// One invalid field: where (JSON pointer into the request body or a parameter) and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct FieldError {
    /// JSON pointer (RFC 6901) to the offending value, e.g. `/lines/2/tariff`; for query and
    /// path parameters `/query/<name>` or `/path/<name>`.
    pub pointer: String,
    pub detail: String,
}

impl FieldError {
    pub fn new(pointer: impl Into<String>, detail: impl Into<String>) -> Self {
        Self { pointer: pointer.into(), detail: detail.into() }
    }
}

/// Why the domain refuses a request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    /// Invalid input, each failure with its JSON pointer.
    #[error("invalid input ({} field(s))", .0.len())]
    Invalid(Vec<FieldError>),
    /// Valid input that the domain cannot work with (e.g. figures too large to compute exactly).
    #[error("unprocessable: {0}")]
    Unprocessable(String),
    /// The lifecycle does not allow it in the resource's current state.
    #[error("refused: {0}")]
    Refused(String),
    /// A per-organisation or per-proposal cap is reached (`limits`); retrying will not help until
    /// something is finished or withdrawn.
    #[error("limit reached: {0}")]
    LimitReached(String),
    /// The caller's role or organisation may not do this.
    #[error("forbidden: {0}")]
    Forbidden(String),
}

impl DomainError {
    /// A validation failure of one field.
    pub fn field(pointer: impl Into<String>, detail: impl Into<String>) -> Self {
        DomainError::Invalid(vec![FieldError::new(pointer, detail)])
    }
}
