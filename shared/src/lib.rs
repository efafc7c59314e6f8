//! The library every Zorginkoop API function shares: configuration, the DynamoDB table and
//! client, the problem+json error type, claims, request/response glue and the router.
//!
//! Domain logic lives in `domain` (pure, unit tested); storage in `storage`; everything that
//! knows about HTTP lives in `http`, `routing`, `auth` and `error`, so handlers in the
//! function crates stay thin: parse and authorise, call the domain, map the result.

pub mod auth;
pub mod config;
pub mod context;
pub mod domain;
pub mod error;
pub mod http;
pub mod money;
pub mod routing;
pub mod storage;
pub mod table;
pub mod telemetry;

pub use context::AppContext;
pub use error::{ApiError, FieldError, Problem};
