//! `local-gateway`: runs the whole API on one local port, or prints a local token.
//!
//! Usage:
//!   local-gateway serve [--init]      serve on 127.0.0.1:$PORT (3000); --init creates the table
//!                                     and seeds the themes edition first
//!   local-gateway token --role R --org O [--sub S] [--ttl SECONDS]

use edge::AppContext;
use local_gateway::{jwt, mint_token, JwtVerifier, TokenClaims};

fn secret() -> String {
    std::env::var("LOCAL_JWT_SECRET").ok().filter(|s| !s.is_empty()).unwrap_or_else(|| jwt::DEFAULT_SECRET.into())
}

fn flag(args: &[String], name: &str) -> Option<String> {
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned()
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str).unwrap_or("serve") {
        "token" => {
            let role = flag(&args, "--role").ok_or("--role is required (igo, insurer or publisher)")?;
            let org = flag(&args, "--org");
            let sub = flag(&args, "--sub").unwrap_or_else(|| format!("local-{role}"));
            let ttl: i64 = flag(&args, "--ttl").map(|t| t.parse()).transpose()?.unwrap_or(8 * 3600);
            println!("{}", mint_token(&secret(), &TokenClaims::new(&sub, &role, org.as_deref(), ttl)));
            Ok(())
        }
        "serve" => {
            edge::telemetry::init();
            let ctx = AppContext::from_env().await;
            if args.iter().any(|a| a == "--init") {
                let created = storage::table::ensure_table(&ctx.dynamo, &ctx.table).await?;
                tracing::info!(table = %ctx.table, created, "table ready");
                themes::seed(&ctx).await.map_err(|e| format!("seeding themes: {e}"))?;
            }
            let port: u16 = std::env::var("PORT").ok().map(|p| p.parse()).transpose()?.unwrap_or(3000);
            let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
            let url = format!("http://{}", listener.local_addr()?);
            println!("Zorginkoop API listening on {url}");
            println!("  spec: {url}/openapi.json   docs: {url}/docs");
            println!("  token: make token ROLE=igo ORG=53012345   (roles: igo, insurer, publisher)");
            let server = local_gateway::serve(listener, ctx, JwtVerifier::new(&secret()));
            tokio::select! {
                result = server => result?,
                _ = tokio::signal::ctrl_c() => println!("stopping"),
            }
            Ok(())
        }
        other => Err(format!("unknown command {other:?}; use 'serve [--init]' or 'token --role R --org O'").into()),
    }
}
