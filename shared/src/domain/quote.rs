//! Domain of quote (filled in by its issue).
