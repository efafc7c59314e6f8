//! A local stand-in for API Gateway's HTTP API: it serves every function's routes on one port,
//! runs the same Lambda authorizer code as AWS (`authorizer::Authorizer`: JWKS-verified tokens,
//! route scopes, the principal registry in the table) against a local issuer it serves itself
//! (`issuer`, `token`), and hands each function the same API Gateway v2 event it would get in
//! Lambda, parsed by `lambda_http` itself. Never deployed.

pub mod issuer;
pub mod token;

use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::sync::Arc;

use authorizer::{Authorizer, CachedRegistry, StaticJwks, StoreRegistry, Verifier, VerifierConfig};
use axum::body::Bytes;
use axum::extract::{ConnectInfo, Request as AxumRequest, State};
use axum::response::{IntoResponse, Response as AxumResponse};
use edge::routing::{Access, Router};
use edge::{ApiError, AppContext};
use http::StatusCode;
use lambda_http::Body;
use serde_json::{json, Value};
use tokio::net::TcpListener;

pub use issuer::{LocalIssuer, SigningAlg, SigningKeys, TokenRequest};

/// The authorizer as the gateway runs it: the local issuer's key set, the registry in the table
/// behind the same TTL cache as in the Lambda.
pub type LocalAuthorizer = Authorizer<StaticJwks, CachedRegistry<StoreRegistry>>;

/// Paths the local issuer serves beside the API (not API routes: no spec, no template).
pub const JWKS_PATH: &str = "/.well-known/jwks.json";
pub const TOKEN_PATH: &str = "/local/token";

/// API Gateway's own limit on a request payload; the functions apply their tighter limits.
const GATEWAY_MAX_BODY: usize = 10 * 1024 * 1024;

/// Every function's router, in the order the gateway tries them.
pub fn all_routers() -> Vec<Router> {
    vec![proposals::router(), quotes::router(), themes::router(), themes::publisher_router(), docs::router()]
}

/// Every (method, path template, function) the gateway serves: compared with the SAM template
/// and the OpenAPI spec by the parity tests.
pub fn route_table() -> Vec<(String, String, &'static str)> {
    let mut routes: Vec<_> = all_routers()
        .into_iter()
        .flat_map(|router| {
            let function = router.function;
            router.routes.into_iter().map(move |r| (r.method.to_string(), r.path.to_owned(), function))
        })
        .collect();
    routes.sort();
    routes
}

/// How the gateway runs: its issuer, where its authorizer reads the principal registry, and
/// how long it trusts a read.
#[derive(Clone)]
pub struct GatewaySettings {
    pub issuer: LocalIssuer,
    /// The registry's table: the functions' own (`make run`, most tests). The authorizer is its
    /// own Lambda with its own client in AWS, so a test may give it another store than the
    /// functions' (the deadline test stalls only the functions' store).
    pub registry: storage::Store,
    /// `PRINCIPAL_CACHE_SECONDS` of the authorizer Lambda; a suspension takes effect within it.
    pub principal_cache_seconds: i64,
}

struct GatewayState {
    routers: Vec<Router>,
    ctx: Arc<AppContext>,
    issuer: LocalIssuer,
    registry: storage::Store,
    authorizer: LocalAuthorizer,
}

/// The gateway as an axum app (one fallback handler: routing is the functions' own).
pub fn app(ctx: AppContext, settings: GatewaySettings) -> axum::Router {
    let GatewaySettings { issuer, registry, principal_cache_seconds } = settings;
    let verifier = Verifier::new(VerifierConfig::new(issuer.url.clone()), StaticJwks(issuer.jwk_set()));
    let cached = CachedRegistry::new(StoreRegistry(registry.clone()), principal_cache_seconds);
    let authorizer = Authorizer::new(verifier, cached);
    let state = Arc::new(GatewayState { routers: all_routers(), ctx: Arc::new(ctx), issuer, registry, authorizer });
    axum::Router::new().fallback(gateway).with_state(state)
}

/// Serves the gateway on a bound listener until the task is dropped.
pub async fn serve(listener: TcpListener, ctx: AppContext, settings: GatewaySettings) -> std::io::Result<()> {
    axum::serve(listener, app(ctx, settings).into_make_service_with_connect_info::<SocketAddr>()).await
}

async fn gateway(State(state): State<Arc<GatewayState>>, request: AxumRequest) -> AxumResponse {
    let (parts, body) = request.into_parts();
    let body = match axum::body::to_bytes(body, GATEWAY_MAX_BODY).await {
        Ok(bytes) => bytes,
        Err(_) => return to_axum(ApiError::PayloadTooLarge { limit: GATEWAY_MAX_BODY }.into_response()),
    };
    let path = parts.uri.path().to_owned();
    match (&parts.method, path.as_str()) {
        (&http::Method::GET, JWKS_PATH) => return to_axum(jwks_response(&state.issuer)),
        (&http::Method::POST, TOKEN_PATH) => {
            return to_axum(token::issue(&state.registry, &state.issuer, &body).await);
        }
        _ => {}
    }
    // Two functions may share a path with different methods (themes reads, themes-publisher
    // writes), as API Gateway routes by method and path: prefer the router with this method.
    let serving = state.routers.iter().find(|r| r.find(&parts.method, &path).is_ok());
    let Some(router) = serving.or_else(|| state.routers.iter().find(|r| r.serves_path(&path))) else {
        return to_axum(ApiError::NotFound.into_response());
    };
    let route = router.find(&parts.method, &path).ok();
    let route_key =
        route.as_ref().map(|(r, _)| format!("{} {}", r.method, r.path)).unwrap_or_else(|| "$default".into());
    let mut authorizer_context = None;
    if route.as_ref().is_some_and(|(route, _)| route.access == Access::Authenticated) {
        match authorize(&state.authorizer, &route_key, parts.headers.get(http::header::AUTHORIZATION)).await {
            Ok(context) => authorizer_context = Some(context),
            Err(refused) => return to_axum(refused.into_response()),
        }
    }
    let path_parameters = route.map(|(_, params)| params).unwrap_or_default();
    let source_ip = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_else(|| "127.0.0.1".into());
    let event = api_gateway_event(&parts, &body, &route_key, path_parameters, authorizer_context, &source_ip);
    let request = match lambda_http::request::from_str(&event.to_string()) {
        Ok(request) => request,
        Err(err) => {
            return to_axum(
                ApiError::BadRequest(format!("the gateway could not map the request: {err}")).into_response(),
            )
        }
    };
    to_axum(router.handle(state.ctx.clone(), request).await)
}

/// What API Gateway does with a REQUEST authorizer whose identity source is the
/// `Authorization` header: no header, 401 without asking the authorizer; a denial, 403; an
/// allowed request goes on with the authorizer's context (which may carry a refusal the
/// function answers). The authorizer failing is a 500 from API Gateway; locally, where that
/// can only mean DynamoDB Local is down, it is the 503 the functions give for the same cause.
async fn authorize(
    authorizer: &LocalAuthorizer,
    route_key: &str,
    header: Option<&http::HeaderValue>,
) -> Result<Value, ApiError> {
    let Some(header) = header else {
        return Err(ApiError::Unauthorized);
    };
    let now = chrono::Utc::now().timestamp();
    let decision = match authorizer.decide(route_key, header.to_str().ok(), now).await {
        Ok(decision) => decision,
        Err(unavailable) => {
            tracing::warn!(%unavailable, "authorizer could not decide");
            return Err(ApiError::ServiceUnavailable);
        }
    };
    if let authorizer::Decision::Deny(refusal) = &decision {
        tracing::debug!(%refusal, route_key, "token refused");
    }
    let response = decision.into_response();
    if !response.is_authorized {
        return Err(ApiError::Forbidden("the token was refused".into()));
    }
    Ok(serde_json::to_value(response.context).expect("the context serialises"))
}

fn jwks_response(issuer: &LocalIssuer) -> lambda_http::Response<Body> {
    lambda_http::Response::builder()
        .status(200)
        .header(http::header::CONTENT_TYPE, "application/json")
        .body(Body::Text(issuer.jwks().to_string()))
        .expect("static headers")
}

/// The API Gateway HTTP API (payload 2.0) event for a request, as Lambda would receive it.
fn api_gateway_event(
    parts: &http::request::Parts,
    body: &Bytes,
    route_key: &str,
    path_parameters: HashMap<String, String>,
    authorizer_context: Option<Value>,
    source_ip: &str,
) -> Value {
    // API Gateway joins repeated headers with commas and lowercases their names.
    let mut headers: BTreeMap<String, String> = BTreeMap::new();
    for (name, value) in &parts.headers {
        let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
        headers
            .entry(name.as_str().to_owned())
            .and_modify(|v| {
                v.push(',');
                v.push_str(&value);
            })
            .or_insert(value);
    }
    let (body_value, is_base64) = match std::str::from_utf8(body) {
        _ if body.is_empty() => (Value::Null, false),
        Ok(text) => (Value::String(text.to_owned()), false),
        Err(_) => {
            use base64::Engine;
            (Value::String(base64::engine::general_purpose::STANDARD.encode(body)), true)
        }
    };
    let now = chrono::Utc::now();
    let mut context = json!({
        "accountId": "local",
        "apiId": "local",
        "domainName": "localhost",
        "domainPrefix": "localhost",
        "http": {
            "method": parts.method.as_str(),
            "path": parts.uri.path(),
            "protocol": "HTTP/1.1",
            "sourceIp": source_ip,
            "userAgent": headers.get("user-agent").cloned().unwrap_or_default(),
        },
        "requestId": ulid_like(),
        "routeKey": route_key,
        "stage": "$default",
        "time": now.format("%d/%b/%Y:%H:%M:%S %z").to_string(),
        "timeEpoch": now.timestamp_millis(),
    });
    if let Some(lambda) = authorizer_context {
        context["authorizer"] = json!({ "lambda": lambda });
    }
    let mut event = json!({
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": parts.uri.path(),
        "rawQueryString": parts.uri.query().unwrap_or(""),
        "headers": headers,
        "requestContext": context,
        "isBase64Encoded": is_base64,
    });
    if !path_parameters.is_empty() {
        event["pathParameters"] = json!(path_parameters);
    }
    if !body_value.is_null() {
        event["body"] = body_value;
    }
    event
}

fn ulid_like() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(1);
    format!("local-{:016x}", NEXT.fetch_add(1, Ordering::Relaxed))
}

fn to_axum(mut response: lambda_http::Response<Body>) -> AxumResponse {
    // The gateway's own answers (its 401, an unknown path) stand in for API Gateway's; the
    // router has already added these to a function's answers (inserting again is a no-op).
    edge::http::add_common_headers(&mut response);
    let (parts, body) = response.into_parts();
    let bytes = match body {
        Body::Empty => Bytes::new(),
        Body::Text(text) => Bytes::from(text),
        Body::Binary(bytes) => Bytes::from(bytes),
        _ => Bytes::new(),
    };
    let mut response = (parts.status, bytes).into_response();
    *response.headers_mut() = parts.headers;
    if parts.status == StatusCode::NOT_MODIFIED {
        response.headers_mut().remove(http::header::CONTENT_LENGTH);
    }
    response
}
