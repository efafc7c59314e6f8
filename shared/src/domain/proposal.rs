//! Domain of proposal (filled in by its issue).
