//! The Lambda authorizer of the HTTP API: verifies the bearer token against the configured
//! issuer's JWKS (`verify`, `jwks`), resolves its (issuer, subject) in the principal registry
//! and answers API Gateway with the identity as context (`decision`). `lambda` adapts the
//! authorizer event; `bin/zorginkoop-admin.rs` is the operators' registry command.

pub mod decision;
pub mod jwks;
pub mod lambda;
pub mod verify;

// The authorizer's tests live in the library's own test binary: no extra integration-test
// binary to link (the workspace keeps to one, tests/tests/api).
#[cfg(test)]
mod tests;

pub use decision::{
    Authorizer, AuthorizerContext, CachedRegistry, Context, Decision, RefusalContext, Registry, SimpleResponse,
    StoreRegistry,
};
pub use jwks::{HttpsJwks, JwksError, JwksSource, StaticJwks};
pub use verify::{Refusal, RefusalAnswer, VerifiedToken, Verifier, VerifierConfig};
