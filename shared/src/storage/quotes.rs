//! Storage of quotes: key layout and queries (filled in by the quotes issue).
