//! A local stand-in for API Gateway's HTTP API: it serves every function's routes on one port,
//! verifies bearer tokens like the JWT authorizer does (HS256 with a local secret instead of
//! the issuer's JWKS), and hands each function the same API Gateway v2 event it would get in
//! Lambda, parsed by `lambda_http` itself. Never deployed.

pub mod jwt;

use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{ConnectInfo, Request as AxumRequest, State};
use axum::response::{IntoResponse, Response as AxumResponse};
use edge::routing::{Access, Router};
use edge::{ApiError, AppContext};
use http::StatusCode;
use lambda_http::Body;
use serde_json::{json, Value};
use tokio::net::TcpListener;

pub use jwt::{mint_token, JwtVerifier, TokenClaims};

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

struct GatewayState {
    routers: Vec<Router>,
    ctx: Arc<AppContext>,
    verifier: JwtVerifier,
}

/// The gateway as an axum app (one fallback handler: routing is the functions' own).
pub fn app(ctx: AppContext, verifier: JwtVerifier) -> axum::Router {
    let state = Arc::new(GatewayState { routers: all_routers(), ctx: Arc::new(ctx), verifier });
    axum::Router::new().fallback(gateway).with_state(state)
}

/// Serves the gateway on a bound listener until the task is dropped.
pub async fn serve(listener: TcpListener, ctx: AppContext, verifier: JwtVerifier) -> std::io::Result<()> {
    axum::serve(listener, app(ctx, verifier).into_make_service_with_connect_info::<SocketAddr>()).await
}

async fn gateway(State(state): State<Arc<GatewayState>>, request: AxumRequest) -> AxumResponse {
    let (parts, body) = request.into_parts();
    let body = match axum::body::to_bytes(body, GATEWAY_MAX_BODY).await {
        Ok(bytes) => bytes,
        Err(_) => return to_axum(ApiError::PayloadTooLarge { limit: GATEWAY_MAX_BODY }.into_response()),
    };
    let path = parts.uri.path().to_owned();
    // Two functions may share a path with different methods (themes reads, themes-publisher
    // writes), as API Gateway routes by method and path: prefer the router with this method.
    let serving = state.routers.iter().find(|r| r.find(&parts.method, &path).is_ok());
    let Some(router) = serving.or_else(|| state.routers.iter().find(|r| r.serves_path(&path))) else {
        return to_axum(ApiError::NotFound.into_response());
    };
    let route = router.find(&parts.method, &path).ok();
    let mut claims = None;
    if let Some((route, _)) = &route {
        if route.access == Access::Authenticated {
            match state.verifier.verify_header(parts.headers.get(http::header::AUTHORIZATION)) {
                Ok(verified) => claims = Some(verified),
                Err(reason) => {
                    tracing::debug!(%reason, "token refused");
                    return to_axum(ApiError::Unauthorized.into_response());
                }
            }
        }
    }
    let route_key =
        route.as_ref().map(|(r, _)| format!("{} {}", r.method, r.path)).unwrap_or_else(|| "$default".into());
    let path_parameters = route.map(|(_, params)| params).unwrap_or_default();
    let source_ip = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_else(|| "127.0.0.1".into());
    let event = api_gateway_event(&parts, &body, &route_key, path_parameters, claims, &source_ip);
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

/// The API Gateway HTTP API (payload 2.0) event for a request, as Lambda would receive it.
fn api_gateway_event(
    parts: &http::request::Parts,
    body: &Bytes,
    route_key: &str,
    path_parameters: HashMap<String, String>,
    claims: Option<BTreeMap<String, String>>,
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
    if let Some(claims) = claims {
        context["authorizer"] = json!({ "jwt": { "claims": claims, "scopes": null } });
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
