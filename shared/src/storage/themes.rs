//! Storage of themes: key layout and queries (filled in by the themes issue).
