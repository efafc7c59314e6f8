//! What the suites share: proposal bodies and shortcuts, the resilience suites' checks, and the
//! lock that keeps heavy suites apart.

pub mod load;
pub mod proposals;
pub mod resilience;
