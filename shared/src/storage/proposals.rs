//! Storage of proposals: key layout and queries (filled in by the proposals issue).
