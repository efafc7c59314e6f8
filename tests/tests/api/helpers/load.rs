//! Which suites may overlap. libtest runs the tests of this one binary as threads, as many at a
//! time as there are cores; before, cargo ran each suite's binary after the other, and two suites
//! counted on that:
//! - `proposals_pagination` seeds 1,000 proposals through the API, eight writers at a time; it had
//!   a binary of its own so that this load never overlapped the races of `proposals_concurrency`
//!   (twenty writers on one item, exactly one winner), see commit c1274f3;
//! - `faults` stops and restarts its own DynamoDB Local under a write load and bounds how long
//!   answers take (from the production store time limits); it never shared the machine with
//!   another suite's load either.
//!
//! A heavy suite holds [`heavy`] for its whole run: no other heavy suite and no race runs
//! meanwhile. A race holds [`race`]: races may run beside each other (as they did within their
//! own binary) and beside the light suites, never beside a heavy one. The lock is fair (first
//! come, first served), so neither side starves. The other suites take nothing: each of their
//! tests works in a table of its own, and they already ran two at a time within their binaries.

use tokio::sync::{RwLock, RwLockReadGuard, RwLockWriteGuard};

static LOAD: RwLock<()> = RwLock::const_new(());

/// For a suite that loads the machine heavily, or whose assertions are time bounds: waits until
/// no other heavy suite and no race is running. Keep the guard for the whole test.
pub async fn heavy() -> RwLockWriteGuard<'static, ()> {
    LOAD.write().await
}

/// For a race whose outcome a heavy load could distort: waits while a heavy suite runs. Keep
/// the guard for the whole test.
pub async fn race() -> RwLockReadGuard<'static, ()> {
    LOAD.read().await
}
