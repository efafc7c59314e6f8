//! What a function builds once at cold start and every handler borrows: the store and the
//! caches that live as long as the warm function. Cheap to clone (`Arc`s inside).

use std::ops::Deref;
use std::sync::Arc;
use std::time::Duration;

/// The request budget where no invocation deadline is known.
pub const DEFAULT_REQUEST_BUDGET: Duration = Duration::from_millis(5500);

use domain::limits::Limits;
use storage::published_editions::PublishedEditions;
use storage::Store;

#[derive(Clone, Debug)]
pub struct AppContext {
    pub store: Store,
    /// Published themes editions of this store's table (they never change once published).
    pub editions: Arc<PublishedEditions>,
    /// How long a request may take where no Lambda invocation gives a deadline (the local
    /// gateway, tests): `REQUEST_BUDGET_MS`, else 5.5 s (the function's timeout is 6 s).
    pub request_budget: Duration,
    /// Requests per second one organisation may make (`RATE_LIMIT_PER_SECOND`); `None`: not
    /// limited (a function without table access, the local gateway unless configured).
    pub rate_limit_per_second: Option<u32>,
    /// Caps per organisation (`domain::limits`): `MAX_OPEN_DRAFTS`, `MAX_QUOTES_PER_DAY`, else
    /// the defaults.
    pub limits: Limits,
    /// How long a new event waits before the feed shows it (`EVENT_SETTLE_MS`, else
    /// `storage::events::DEFAULT_SETTLE`; why: `storage::events`).
    pub event_settle: Duration,
}

impl AppContext {
    /// Builds the context from the environment: the expensive part of a cold start.
    pub async fn from_env() -> Self {
        Self::new(Store::from_env().await)
    }

    pub fn new(store: Store) -> Self {
        let request_budget = std::env::var("REQUEST_BUDGET_MS")
            .ok()
            .and_then(|ms| ms.parse().ok())
            .map(Duration::from_millis)
            .unwrap_or(DEFAULT_REQUEST_BUDGET);
        let rate_limit_per_second = std::env::var("RATE_LIMIT_PER_SECOND").ok().and_then(|n| n.parse().ok());
        let number = |name: &str| std::env::var(name).ok().and_then(|n| n.parse().ok());
        let limits = Limits {
            open_drafts_per_igo: number("MAX_OPEN_DRAFTS").unwrap_or(Limits::DEFAULT.open_drafts_per_igo),
            quotes_per_day: number("MAX_QUOTES_PER_DAY").unwrap_or(Limits::DEFAULT.quotes_per_day),
        };
        let event_settle = std::env::var("EVENT_SETTLE_MS")
            .ok()
            .and_then(|ms| ms.parse().ok())
            .map(Duration::from_millis)
            .unwrap_or(storage::events::DEFAULT_SETTLE);
        Self { store, editions: Arc::default(), request_budget, rate_limit_per_second, limits, event_settle }
    }
}

/// Handlers pass the context where storage wants the store: `store::get(&ctx, id)`.
impl Deref for AppContext {
    type Target = Store;

    fn deref(&self) -> &Store {
        &self.store
    }
}
