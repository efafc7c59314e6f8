//! `local-gateway`: runs the whole API on one local port, or asks a running one for a token.
//!
//! Usage:
//!   local-gateway serve [--init]      serve on 127.0.0.1:$PORT (3000); --init creates the table
//!                                     and seeds the themes edition first
//!   local-gateway token --role R --org O [--sub S] [--name N] [--no-signatory]
//!                       [--scope "S1 S2"] [--ttl SECONDS] [--alg RS256|ES256] [--api URL]
//!                                     registers the principal in the running gateway's table if
//!                                     needed and prints its access token (API_URL, or
//!                                     http://127.0.0.1:$PORT)

use edge::AppContext;
use local_gateway::{GatewaySettings, LocalIssuer, SigningKeys, TOKEN_PATH};
use serde_json::{json, Value};

fn flag(args: &[String], name: &str) -> Option<String> {
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned()
}

fn port() -> Result<u16, Box<dyn std::error::Error>> {
    Ok(std::env::var("PORT").ok().map(|p| p.parse()).transpose()?.unwrap_or(3000))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str).unwrap_or("serve") {
        "token" => token(&args).await,
        "serve" => serve(&args).await,
        other => Err(format!("unknown command {other:?}; use 'serve [--init]' or 'token --role R --org O'").into()),
    }
}

async fn token(args: &[String]) -> Result<(), Box<dyn std::error::Error>> {
    let role = flag(args, "--role").ok_or("--role is required (igo, insurer or publisher)")?;
    let org = flag(args, "--org").ok_or("--org is required (AGB code, UZOVI code or publisher name)")?;
    let api = match flag(args, "--api").or_else(|| std::env::var("API_URL").ok().filter(|u| !u.is_empty())) {
        Some(url) => url,
        None => format!("http://127.0.0.1:{}", port()?),
    };
    let mut request = json!({"role": role, "org": org});
    for (name, field) in [("--sub", "sub"), ("--name", "display_name"), ("--scope", "scope"), ("--alg", "alg")] {
        if let Some(value) = flag(args, name) {
            request[field] = json!(value);
        }
    }
    if let Some(ttl) = flag(args, "--ttl") {
        request["ttl_seconds"] = json!(ttl.parse::<i64>()?);
    }
    if args.iter().any(|a| a == "--no-signatory") {
        request["signatory"] = json!(false);
    }
    let url = format!("{}{TOKEN_PATH}", api.trim_end_matches('/'));
    let response = reqwest::Client::new()
        .post(&url)
        .json(&request)
        .send()
        .await
        .map_err(|e| format!("no local API at {api} ({e}); start it with `make run`"))?;
    let status = response.status();
    let body: Value = response.json().await?;
    match body["access_token"].as_str() {
        Some(token) if status.is_success() => {
            println!("{token}");
            Ok(())
        }
        _ => Err(format!("{url} answered {status}: {body}").into()),
    }
}

async fn serve(args: &[String]) -> Result<(), Box<dyn std::error::Error>> {
    edge::telemetry::init();
    let ctx = AppContext::from_env().await;
    if args.iter().any(|a| a == "--init") {
        let created = storage::table::ensure_table(&ctx.dynamo, &ctx.table).await?;
        tracing::info!(table = %ctx.table, created, "table ready");
        themes::seed(&ctx).await.map_err(|e| format!("seeding themes: {e}"))?;
    }
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port()?)).await?;
    let url = format!("http://{}", listener.local_addr()?);
    // A suspension shows within this many seconds (the Lambda's PRINCIPAL_CACHE_SECONDS).
    let principal_cache_seconds: i64 =
        std::env::var("PRINCIPAL_CACHE_SECONDS").ok().map(|s| s.parse()).transpose()?.unwrap_or(5);
    // The key pairs are made now, at start: tokens of an earlier run no longer verify.
    let settings = GatewaySettings {
        issuer: LocalIssuer::new(url.clone(), SigningKeys::shared()),
        registry: ctx.store.clone(),
        principal_cache_seconds,
    };
    println!("Zorginkoop API listening on {url}");
    println!("  spec: {url}/openapi.json   docs: {url}/docs");
    println!("  issuer: {url} (keys: {url}/.well-known/jwks.json)");
    println!("  token: make token ROLE=igo ORG=53012345   (roles: igo, insurer, publisher)");
    let server = local_gateway::serve(listener, ctx, settings);
    tokio::select! {
        result = server => result?,
        _ = tokio::signal::ctrl_c() => println!("stopping"),
    }
    Ok(())
}
