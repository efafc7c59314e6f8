//! The issuer's signing keys: where they come from ([`JwksSource`]: HTTPS in the Lambda, an
//! in-process set in tests and the local gateway) and the cache in front ([`KeyCache`]), which
//! refetches on an unknown `kid` at most once per interval.

use std::future::Future;
use std::time::Duration;

use http_body_util::{BodyExt, Empty, Limited};
use jsonwebtoken::jwk::{Jwk, JwkSet};

/// Why the key set could not be had. Not the caller's fault: the authorizer fails (API
/// Gateway answers 500), it never allows a request it could not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("JWKS unavailable: {0}")]
pub struct JwksError(pub String);

/// Where the issuer's key set comes from.
pub trait JwksSource: Send + Sync {
    fn fetch(&self) -> impl Future<Output = Result<JwkSet, JwksError>> + Send;
}

/// A fixed key set, served in-process: for tests and for the local gateway, which signs its
/// own tokens.
#[derive(Debug, Clone, Default)]
pub struct StaticJwks(pub JwkSet);

impl JwksSource for StaticJwks {
    async fn fetch(&self) -> Result<JwkSet, JwksError> {
        Ok(self.0.clone())
    }
}

/// The issuer's published key set (`<issuer>/.well-known/jwks.json` for Cognito), over HTTPS.
pub struct HttpsJwks {
    url: http::Uri,
    client: hyper_util::client::legacy::Client<
        hyper_rustls::HttpsConnector<hyper_util::client::legacy::connect::HttpConnector>,
        Empty<bytes::Bytes>,
    >,
}

impl HttpsJwks {
    /// Largest key set we read: a JWKS of a few keys is a few KiB.
    const MAX_BYTES: usize = 64 * 1024;
    const TIMEOUT: Duration = Duration::from_secs(3);

    pub fn new(url: &str) -> Result<Self, JwksError> {
        let url: http::Uri = url.parse().map_err(|e| JwksError(format!("JWKS URL {url:?}: {e}")))?;
        // Plain HTTP only to this machine itself (the local gateway's issuer, the bench): a key
        // set fetched over the network without TLS could be swapped on the way.
        let loopback = matches!(url.host(), Some("127.0.0.1" | "localhost" | "[::1]"));
        let plain_allowed = url.scheme_str() == Some("http") && loopback;
        if url.scheme_str() != Some("https") && !plain_allowed {
            return Err(JwksError(format!("JWKS URL {url} must be https (http only on loopback)")));
        }
        let builder = hyper_rustls::HttpsConnectorBuilder::new()
            .with_native_roots()
            .map_err(|e| JwksError(format!("no root certificates: {e}")))?;
        let builder = if plain_allowed { builder.https_or_http() } else { builder.https_only() };
        let https = builder.enable_http1().build();
        let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new()).build(https);
        Ok(Self { url, client })
    }
}

impl JwksSource for HttpsJwks {
    async fn fetch(&self) -> Result<JwkSet, JwksError> {
        let fetch = async {
            let response = self.client.get(self.url.clone()).await.map_err(|e| JwksError(e.to_string()))?;
            if !response.status().is_success() {
                return Err(JwksError(format!("JWKS answered {}", response.status())));
            }
            let body = Limited::new(response.into_body(), Self::MAX_BYTES)
                .collect()
                .await
                .map_err(|e| JwksError(format!("reading JWKS: {e}")))?
                .to_bytes();
            serde_json::from_slice::<JwkSet>(&body).map_err(|e| JwksError(format!("not a JWKS: {e}")))
        };
        tokio::time::timeout(Self::TIMEOUT, fetch).await.map_err(|_| JwksError("JWKS request timed out".into()))?
    }
}

/// The key set as last fetched, refreshed when a token names a `kid` it lacks.
pub struct KeyCache<S> {
    source: S,
    refetch_interval: i64,
    state: tokio::sync::Mutex<State>,
}

#[derive(Default)]
struct State {
    keys: Option<JwkSet>,
    /// When the key set was last asked for (Unix seconds), successfully or not.
    last_attempt: Option<i64>,
    /// How many times the source was asked (for tests and logs).
    fetches: u64,
}

impl<S: JwksSource> KeyCache<S> {
    /// After a failed fetch with no key set at all, the next try waits this long, not the
    /// full refetch interval: a blip at cold start must not lock everyone out for minutes.
    const RETRY_WITHOUT_KEYS_SECONDS: i64 = 5;

    pub fn new(source: S, refetch_interval: i64) -> Self {
        Self { source, refetch_interval, state: tokio::sync::Mutex::new(State::default()) }
    }

    /// The key named `kid` at `now` (Unix seconds): from the cached set, else from a fresh
    /// fetch if the last one is at least the refetch interval ago; `Ok(None)` when the issuer
    /// has no such key (as far as we may ask). The lock is held across a fetch, so concurrent
    /// requests wait for one fetch instead of each starting their own.
    pub async fn key(&self, kid: &str, now: i64) -> Result<Option<Jwk>, JwksError> {
        let mut state = self.state.lock().await;
        if let Some(key) = state.keys.as_ref().and_then(|set| set.find(kid)) {
            return Ok(Some(key.clone()));
        }
        let wait = if state.keys.is_some() { self.refetch_interval } else { Self::RETRY_WITHOUT_KEYS_SECONDS };
        if state.last_attempt.is_some_and(|at| now - at < wait) {
            return match state.keys {
                Some(_) => Ok(None),
                None => Err(JwksError("no key set yet; retrying shortly".into())),
            };
        }
        state.last_attempt = Some(now);
        state.fetches += 1;
        match self.source.fetch().await {
            Ok(set) => state.keys = Some(set),
            // Keep the keys we have: the issuer's keys rarely change, and a token with a
            // known kid must keep working while the JWKS endpoint is down.
            Err(err) if state.keys.is_some() => {
                tracing::warn!(error = %err, "JWKS refetch failed; keeping the cached keys")
            }
            Err(err) => return Err(err),
        }
        Ok(state.keys.as_ref().and_then(|set| set.find(kid)).cloned())
    }

    /// How many times the key set was fetched so far.
    pub async fn fetches(&self) -> u64 {
        self.state.lock().await.fetches
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::Arc;

    /// A source that counts its fetches and serves whatever set it currently holds.
    #[derive(Clone, Default)]
    struct Counting {
        calls: Arc<AtomicU64>,
        set: Arc<std::sync::Mutex<JwkSet>>,
        fail: Arc<std::sync::atomic::AtomicBool>,
    }

    impl JwksSource for Counting {
        async fn fetch(&self) -> Result<JwkSet, JwksError> {
            self.calls.fetch_add(1, Ordering::SeqCst);
            if self.fail.load(Ordering::SeqCst) {
                return Err(JwksError("down".into()));
            }
            Ok(self.set.lock().unwrap().clone())
        }
    }

    fn set_with(kids: &[&str]) -> JwkSet {
        let keys = kids
            .iter()
            .map(|kid| {
                serde_json::from_value(serde_json::json!({"kty": "EC", "crv": "P-256", "kid": kid,
                    "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU", "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}))
                .unwrap()
            })
            .collect();
        JwkSet { keys }
    }

    #[tokio::test]
    async fn an_unknown_kid_refetches_at_most_once_per_interval() {
        let source = Counting::default();
        *source.set.lock().unwrap() = set_with(&["a"]);
        let cache = KeyCache::new(source.clone(), 300);
        assert!(cache.key("a", 1000).await.unwrap().is_some());
        assert!(cache.key("a", 1001).await.unwrap().is_some());
        assert_eq!(source.calls.load(Ordering::SeqCst), 1, "known kids are served from the cache");
        // An unknown kid right after the fetch: no new fetch for 300 s.
        assert!(cache.key("b", 1100).await.unwrap().is_none());
        assert!(cache.key("zz", 1299).await.unwrap().is_none());
        assert_eq!(source.calls.load(Ordering::SeqCst), 1);
        // The issuer rotates in "b"; after the interval one request refetches and finds it.
        *source.set.lock().unwrap() = set_with(&["a", "b"]);
        assert!(cache.key("b", 1300).await.unwrap().is_some());
        assert_eq!(cache.fetches().await, 2);
    }

    #[tokio::test]
    async fn a_failed_fetch_keeps_the_cached_keys_and_a_cold_failure_retries_soon() {
        let source = Counting::default();
        source.fail.store(true, Ordering::SeqCst);
        let cache = KeyCache::new(source.clone(), 300);
        assert!(cache.key("a", 1000).await.is_err());
        assert!(cache.key("a", 1002).await.is_err(), "within the retry pause");
        assert_eq!(source.calls.load(Ordering::SeqCst), 1);
        source.fail.store(false, Ordering::SeqCst);
        *source.set.lock().unwrap() = set_with(&["a"]);
        assert!(cache.key("a", 1005).await.unwrap().is_some());
        source.fail.store(true, Ordering::SeqCst);
        assert!(cache.key("b", 2000).await.unwrap().is_none(), "refetch failed: still just the old set");
        assert!(cache.key("a", 2001).await.unwrap().is_some());
    }

    #[test]
    fn only_https_urls_are_fetched() {
        assert!(HttpsJwks::new("http://idp.example/jwks.json").is_err());
        assert!(HttpsJwks::new("not a url").is_err());
    }
}
