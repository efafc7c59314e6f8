//! Parsed documents of published editions, kept for a warm function's lifetime. Safe because a
//! published edition never changes (writing one is a 409): a cached copy cannot go stale.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

use domain::themes::EditionDocument;
use domain::themes::EditionStatus;
use edge::{ApiError, AppContext};
use storage::themes as store;

/// Published editions by (table name, edition id). A read then costs one small GetItem of the
/// latest-edition pointer, not that plus a 50 KB edition read and parse. Only published
/// editions enter, so the map is bounded by what was ever published (a few per year, ~0.2 MB
/// each parsed); drafts are always read from the table. The key includes the table name
/// because tests run many tables in one process.
#[derive(Default)]
pub struct PublishedEditions {
    docs: Mutex<HashMap<EditionKey, Arc<EditionDocument>>>,
}

/// (table name, edition id).
type EditionKey = (String, String);

impl PublishedEditions {
    pub fn new() -> Self {
        Self::default()
    }

    /// The published edition `id` of `ctx`'s table, from memory or else from the table;
    /// `None` when the table holds no published edition of that id (a draft, or nothing).
    pub async fn get_or_load(&self, ctx: &AppContext, id: &str) -> Result<Option<Arc<EditionDocument>>, ApiError> {
        let key = (ctx.table.clone(), id.to_owned());
        // Poisoning only says another holder panicked; every entry is a whole published edition,
        // so the map is still good to use.
        let cached = self.docs.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).get(&key).cloned();
        if let Some(doc) = cached {
            return Ok(Some(doc));
        }
        match store::get_edition(ctx, id).await? {
            Some(stored) if stored.status == EditionStatus::Published => {
                let doc = Arc::new(stored.document()?);
                self.docs.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).insert(key, doc.clone());
                Ok(Some(doc))
            }
            _ => Ok(None),
        }
    }
}

/// The process-wide cache the handlers use until the function's context owns one.
pub(crate) static PUBLISHED: LazyLock<PublishedEditions> = LazyLock::new(PublishedEditions::new);
