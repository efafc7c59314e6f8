//! What a function builds once at cold start and every handler borrows: the store and the
//! process-wide caches. Cheap to clone (the SDK client is an `Arc` inside).

use std::ops::Deref;

use storage::Store;

#[derive(Clone, Debug)]
pub struct AppContext {
    pub store: Store,
}

impl AppContext {
    /// Builds the context from the environment: the expensive part of a cold start.
    pub async fn from_env() -> Self {
        Self { store: Store::from_env().await }
    }

    pub fn new(store: Store) -> Self {
        Self { store }
    }
}

/// Handlers pass the context where storage wants the store: `store::get(&ctx, id)`.
impl Deref for AppContext {
    type Target = Store;

    fn deref(&self) -> &Store {
        &self.store
    }
}
