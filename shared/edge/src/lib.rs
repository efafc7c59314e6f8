//! The HTTP edge every Zorginkoop function shares: the router, caller identification,
//! problem+json errors, request/response glue and process set-up (context, telemetry).
//!
//! Imports run one way: this crate calls the domain and storage crates and maps their errors
//! to HTTP; neither of them knows this crate exists. Handlers in the function crates stay thin:
//! parse and authorise, call the domain, store, map the result.

pub mod auth;
pub mod context;
pub mod error;
pub mod http;
pub mod metrics;
pub mod query;
pub mod routing;
pub mod telemetry;

pub use context::AppContext;
pub use error::{ApiError, FieldError, Problem};
