//! Pure domain logic: no I/O, no HTTP. Everything here is unit tested on its own.

pub mod codes;
pub mod prestatie;
pub mod proposal;
pub mod quote;
pub mod themes;
