//! What a function builds once at cold start and every handler borrows: the store and the
//! caches that live as long as the warm function. Cheap to clone (`Arc`s inside).

use std::ops::Deref;
use std::sync::Arc;

use storage::published_editions::PublishedEditions;
use storage::Store;

#[derive(Clone, Debug)]
pub struct AppContext {
    pub store: Store,
    /// Published themes editions of this store's table (they never change once published).
    pub editions: Arc<PublishedEditions>,
}

impl AppContext {
    /// Builds the context from the environment: the expensive part of a cold start.
    pub async fn from_env() -> Self {
        Self::new(Store::from_env().await)
    }

    pub fn new(store: Store) -> Self {
        Self { store, editions: Arc::default() }
    }
}

/// Handlers pass the context where storage wants the store: `store::get(&ctx, id)`.
impl Deref for AppContext {
    type Target = Store;

    fn deref(&self) -> &Store {
        &self.store
    }
}
