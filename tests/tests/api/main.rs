//! The integration suites, as one test binary: every former `tests/tests/<suite>.rs` is a module
//! here, so a change links one binary instead of thirteen. Run one suite with
//! `cargo test -p integration-tests --test api <suite>::` (e.g. `faults::`).
//!
//! All suites are threads of one process now, and they share what a process has:
//! - one DynamoDB Local (`integration_tests::dynamodb_endpoint`: `DYNAMODB_ENDPOINT`, or one the
//!   harness starts once), with a fresh table per test, so tests never see each other's data;
//! - `faults` starts, stops and restarts its own DynamoDB Local and hands its endpoint to its own
//!   client explicitly; it changes nothing process-wide (no environment variable, no endpoint);
//! - the suites that used to rely on running in a process of their own (cargo runs test binaries
//!   one after another) say so through `helpers::load`: a heavy suite never overlaps another heavy
//!   suite or a race.

mod helpers;

mod authorizer;
mod bad_input;
mod deadline;
mod events;
mod faults;
mod foundation;
mod headers;
mod infra;
mod methods;
mod money_http;
mod observability;
mod openapi_examples;
mod org_limits;
mod prestaties;
mod principals;
mod proposal_from_quote;
mod proposals;
mod proposals_concurrency;
mod proposals_pagination;
mod quotes;
mod tenant_matrix;
mod themes;
mod themes_cdn;
mod themes_compare;
