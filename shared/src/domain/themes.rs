//! Domain of themes (filled in by its issue).
