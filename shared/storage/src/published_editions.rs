//! Parsed documents of published editions, kept for a warm function's lifetime. Safe because a
//! published edition never changes (writing one is a 409): a cached copy cannot go stale.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use domain::themes::{EditionDocument, EditionStatus};

use crate::{themes, Store, StoreError};

/// Published editions of one table by edition id. A read then costs one small GetItem of the
/// latest-edition pointer, not that plus a 50 KB edition read and parse. Only published
/// editions enter, so the map is bounded by what was ever published (a few per year, ~0.2 MB
/// each parsed); drafts are always read from the table. One cache belongs to one store (the
/// function's context owns both), so two tables never share entries.
#[derive(Debug, Default)]
pub struct PublishedEditions {
    docs: Mutex<HashMap<String, Arc<EditionDocument>>>,
}

impl PublishedEditions {
    pub fn new() -> Self {
        Self::default()
    }

    /// The published edition `id` of `store`'s table, from memory or else from the table;
    /// `None` when the table holds no published edition of that id (a draft, or nothing).
    pub async fn get_or_load(&self, store: &Store, id: &str) -> Result<Option<Arc<EditionDocument>>, StoreError> {
        // Poisoning only says another holder panicked; every entry is a whole published edition,
        // so the map is still good to use.
        let cached = self.docs.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).get(id).cloned();
        if let Some(doc) = cached {
            return Ok(Some(doc));
        }
        match themes::get_edition(store, id).await? {
            Some(stored) if stored.status == EditionStatus::Published => {
                let doc = Arc::new(stored.document()?);
                self.docs.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).insert(id.to_owned(), doc.clone());
                Ok(Some(doc))
            }
            _ => Ok(None),
        }
    }
}
