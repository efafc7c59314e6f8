//! The router: each function crate declares its routes once (method, path template, access,
//! handler); the same table dispatches inside the Lambda, serves the local gateway, and is
//! compared with the OpenAPI spec and the SAM template by the parity tests.
//!
//! Dispatch matches on the request path itself rather than API Gateway's `routeKey`, so a
//! handler behaves the same behind API Gateway, `cargo lambda watch` and the local gateway.
//!
//! HEAD and OPTIONS are answered here for every path, not per handler (RFC 9110): HEAD runs the
//! GET handler and drops the body (same status and headers), OPTIONS answers 204 with the
//! path's `Allow`. A path may be split over two functions (themes reads, the publisher's
//! writes): each is told the other's methods ([`Router::sharing_paths_with`]), so both give the
//! same, true `Allow`.

use std::collections::HashMap;
use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

use http::Method;
use lambda_http::request::RequestContext;
use lambda_http::{Body, Request, RequestExt, Response};
use tracing::Instrument;

use domain::identity::Caller;

use crate::auth::caller_of;
use crate::context::AppContext;
use crate::error::ApiError;

pub type HandlerResult = Result<Response<Body>, ApiError>;
pub type HandlerFuture = Pin<Box<dyn Future<Output = HandlerResult> + Send>>;
/// A handler: a plain async function over the request, boxed so routes fit in one table.
pub type Handler = fn(ApiRequest) -> HandlerFuture;

/// Whether a route needs a verified token (API Gateway's JWT authorizer guards it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Public,
    Authenticated,
}

/// One operation: `POST /v1/proposals/{id}/transitions` and who may call it.
#[derive(Clone)]
pub struct Route {
    pub method: Method,
    /// Path template with `{name}` segments, exactly as in the OpenAPI spec and SAM template.
    pub path: &'static str,
    pub access: Access,
    pub handler: Handler,
}

impl std::fmt::Debug for Route {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Route")
            .field("method", &self.method)
            .field("path", &self.path)
            .field("access", &self.access)
            .finish()
    }
}

impl Route {
    pub fn new(method: Method, path: &'static str, access: Access, handler: Handler) -> Self {
        Self { method, path, access, handler }
    }

    /// Matches a concrete path against the template, returning the path parameters.
    fn matches(&self, path: &str) -> Option<HashMap<String, String>> {
        let mut params = HashMap::new();
        let mut template = self.path.split('/');
        let mut actual = path.split('/');
        loop {
            match (template.next(), actual.next()) {
                (None, None) => return Some(params),
                (Some(t), Some(a)) if t.starts_with('{') && t.ends_with('}') => {
                    if a.is_empty() {
                        return None;
                    }
                    params.insert(t[1..t.len() - 1].to_owned(), a.to_owned());
                }
                (Some(t), Some(a)) if t == a => {}
                _ => return None,
            }
        }
    }
}

/// A request as handlers see it: the Lambda request, the path parameters, the identified
/// caller (present on authenticated routes) and the shared context.
pub struct ApiRequest {
    pub ctx: Arc<AppContext>,
    pub req: Request,
    params: HashMap<String, String>,
    caller: Option<Caller>,
}

impl ApiRequest {
    /// A path parameter the route template declares.
    pub fn param(&self, name: &str) -> &str {
        self.params.get(name).map(String::as_str).unwrap_or_default()
    }

    /// A path parameter that is an identifier of `kind`: 422 at `/path/<name>` when malformed
    /// (nothing is looked up), so only a well-formed unknown id can be a 404.
    pub fn id_param(&self, name: &str, kind: domain::ids::IdKind) -> Result<&str, ApiError> {
        let value = self.param(name);
        crate::error::check_id(kind, &format!("/path/{name}"), value)?;
        Ok(value)
    }

    /// The identified caller; 401 on a route that carries none.
    pub fn caller(&self) -> Result<&Caller, ApiError> {
        self.caller.as_ref().ok_or(ApiError::Unauthorized)
    }
}

/// The routes of one function (resource group).
pub struct Router {
    /// The function's name, as in the SAM template's logical id (`ProposalsFunction` → `proposals`).
    pub function: &'static str,
    pub routes: Vec<Route>,
    /// Methods another function serves on this router's paths (method, path template): part of
    /// their `Allow`, never dispatched here.
    pub elsewhere: Vec<(Method, &'static str)>,
}

/// A route of the HTTP API in front of a router (API Gateway, the SAM template): its own
/// routes, HEAD beside every GET, and `ANY` on each path it answers the other methods of.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct GatewayRoute {
    /// `GET`, `HEAD`, ..., or `ANY` (OPTIONS and the 405s of methods no function serves).
    pub method: String,
    pub path: &'static str,
    pub access: AccessKind,
}

/// [`Access`] with an order, for sets of gateway routes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum AccessKind {
    Public,
    Authenticated,
}

impl From<Access> for AccessKind {
    fn from(access: Access) -> Self {
        match access {
            Access::Public => AccessKind::Public,
            Access::Authenticated => AccessKind::Authenticated,
        }
    }
}

impl Router {
    pub fn new(function: &'static str, routes: Vec<Route>) -> Self {
        Self { function, routes, elsewhere: Vec::new() }
    }

    /// Tells this router which methods `other` (another function) serves on the paths they
    /// share, so this router's `Allow` and OPTIONS name them too.
    pub fn sharing_paths_with(mut self, other: &Router) -> Self {
        for route in &other.routes {
            if self.routes.iter().any(|own| own.path == route.path) {
                self.elsewhere.push((route.method.clone(), route.path));
            }
        }
        self
    }

    /// Finds the route for a request: 404 when no template matches the path, 405 (with the
    /// path's `Allow`) when one does but not for this method. HEAD finds the GET route.
    pub fn find(&self, method: &Method, path: &str) -> Result<(&Route, HashMap<String, String>), ApiError> {
        let wanted = if method == Method::HEAD { &Method::GET } else { method };
        for route in &self.routes {
            if route.method == *wanted {
                if let Some(params) = route.matches(path) {
                    return Ok((route, params));
                }
            }
        }
        match self.allow(path) {
            None => Err(ApiError::NotFound),
            Some(allow) => Err(ApiError::MethodNotAllowed { allow }),
        }
    }

    /// The methods served on `path` by this function and those it shares the path with, HEAD
    /// and OPTIONS included, in order; `None` when this router does not serve the path.
    pub fn allow(&self, path: &str) -> Option<Vec<String>> {
        let own: Vec<&Route> = self.routes.iter().filter(|r| r.matches(path).is_some()).collect();
        if own.is_empty() {
            return None;
        }
        let elsewhere = self.elsewhere.iter().filter(|(_, p)| own.iter().any(|r| r.path == *p)).map(|(m, _)| m);
        let mut methods: Vec<String> = Vec::new();
        for method in own.iter().map(|r| &r.method).chain(elsewhere) {
            methods.push(method.to_string());
            if *method == Method::GET {
                methods.push(Method::HEAD.to_string());
            }
        }
        methods.push(Method::OPTIONS.to_string());
        methods.sort();
        methods.dedup();
        Some(methods)
    }

    /// Whether this router serves `path` at all (any method): the gateway's dispatch.
    pub fn serves_path(&self, path: &str) -> bool {
        self.routes.iter().any(|r| r.matches(path).is_some())
    }

    /// The HTTP API routes this function needs in front of it (the SAM template's events):
    /// each route; HEAD beside each GET, with the GET's access; and `ANY` (public: OPTIONS and
    /// 405s need no token) on each path whose GET is served here, or that has no GET at all
    /// and is served only here, so exactly one function answers a path's other methods.
    pub fn gateway_routes(&self) -> Vec<GatewayRoute> {
        let mut out = Vec::new();
        for route in &self.routes {
            out.push(GatewayRoute { method: route.method.to_string(), path: route.path, access: route.access.into() });
            if route.method == Method::GET {
                out.push(GatewayRoute { method: "HEAD".into(), path: route.path, access: route.access.into() });
            }
        }
        let mut paths: Vec<&'static str> = self.routes.iter().map(|r| r.path).collect();
        paths.sort();
        paths.dedup();
        for path in paths {
            let get_here = self.routes.iter().any(|r| r.path == path && r.method == Method::GET);
            let get_elsewhere = self.elsewhere.iter().any(|(m, p)| *p == path && *m == Method::GET);
            let shared = self.elsewhere.iter().any(|(_, p)| *p == path);
            if get_here || (!get_elsewhere && !shared) {
                out.push(GatewayRoute { method: "ANY".into(), path, access: AccessKind::Public });
            }
        }
        out.sort();
        out
    }

    /// Serves one request; every failure becomes a problem+json response here. The request
    /// runs in a `request` span carrying its ids (so every log line of it names them), answers
    /// with `x-request-id` (also in a problem body's `request_id`), and ends with one log line
    /// and its EMF metrics.
    pub async fn handle(&self, ctx: Arc<AppContext>, req: Request) -> Response<Body> {
        let started = Instant::now();
        let ids = RequestIds::of(&req);
        let span = tracing::info_span!(
            "request",
            request_id = %ids.request_id,
            lambda_request_id = ids.lambda_request_id.as_deref(),
            trace_id = ids.trace_id.as_deref(),
            function = self.function,
            route = tracing::field::Empty,
            role = tracing::field::Empty,
            org = tracing::field::Empty,
        );
        // Boxed: the nested scopes make a deep future type, and callers that await `handle`
        // inside their own async fns (the local gateway) must not have to lay it out.
        let work =
            Box::pin(storage::telemetry::tallied(crate::metrics::tallied(self.serve(ctx, req, &ids.request_id))));
        let ((mut response, request_tally), store_tally) = work.instrument(span.clone()).await;
        let status = response.status().as_u16();
        let latency_ms = started.elapsed().as_secs_f64() * 1000.0;
        span.in_scope(|| tracing::info!(status, latency_ms, "request"));
        let finished = crate::metrics::Finished {
            function: self.function,
            status,
            latency_ms,
            request_id: &ids.request_id,
            trace_id: ids.trace_id.as_deref(),
        };
        for document in crate::metrics::documents(&finished, &request_tally, &store_tally) {
            crate::metrics::emit(&document);
        }
        if let Ok(value) = http::HeaderValue::from_str(&ids.request_id) {
            response.headers_mut().insert(REQUEST_ID_HEADER, value);
        }
        response
    }

    /// The request's answer, within its deadline, with the common headers and, on a problem,
    /// the request id in the body.
    async fn serve(&self, ctx: Arc<AppContext>, req: Request, request_id: &str) -> Response<Body> {
        let method = req.method().clone();
        let path = req.uri().path().to_owned();
        let budget = request_budget(ctx.request_budget, &req);
        // Past the deadline the caller gets a 503 with Retry-After from us, not a gateway error
        // from a timed-out function: a write cut short either landed or not, and retrying with
        // its Idempotency-Key tells which.
        let mut response = match tokio::time::timeout(budget, self.dispatch(ctx, req)).await {
            Ok(Ok(response)) => response,
            Ok(Err(err)) => err.into_response(),
            Err(_) => {
                tracing::warn!(%method, %path, ?budget, "request deadline passed");
                ApiError::ServiceUnavailable.into_response()
            }
        };
        crate::error::stamp_request_id(&mut response, request_id);
        crate::http::add_common_headers(&mut response);
        if method == Method::HEAD {
            strip_body(&mut response);
        }
        response
    }

    async fn dispatch(&self, ctx: Arc<AppContext>, req: Request) -> HandlerResult {
        if req.method() == Method::OPTIONS {
            return self.options(req.uri().path());
        }
        let found = self.find(req.method(), req.uri().path());
        let span = tracing::Span::current();
        if let Ok((route, _)) = &found {
            // The template, never the concrete path: a bounded set of metric series.
            let route = format!("{} {}", req.method(), route.path);
            span.record("route", route.as_str());
            crate::metrics::set_route(route);
        }
        let (route, params) = found?;
        let caller = match route.access {
            Access::Authenticated => Some(caller_of(&req)?),
            // A public route ignores a missing or unusable token.
            Access::Public => caller_of(&req).ok(),
        };
        if let Some(caller) = &caller {
            // Who called, by role and organisation code: never a claim's or token's content.
            span.record("role", caller.role.as_str());
            span.record("org", caller.org_code());
        }
        if let (Some(limit), Some(caller), Access::Authenticated) = (ctx.rate_limit_per_second, &caller, route.access) {
            let now = chrono::Utc::now();
            if !storage::rate::take(&ctx, caller.org_code(), now.timestamp(), limit).await? {
                // The next second starts within a second.
                return Err(ApiError::TooManyRequests { retry_after: 1 });
            }
        }
        (route.handler)(ApiRequest { ctx, req, params, caller }).await
    }
}

impl Router {
    /// OPTIONS on a path: 204 with its `Allow`, no token needed (it says only what the spec
    /// says); 404 for a path no function serves.
    fn options(&self, path: &str) -> HandlerResult {
        let allow = self.allow(path).ok_or(ApiError::NotFound)?;
        Response::builder()
            .status(http::StatusCode::NO_CONTENT)
            .header(http::header::ALLOW, allow.join(", "))
            .body(Body::Empty)
            .map_err(|e| ApiError::internal(e.to_string()))
    }
}

/// The answer to a HEAD: the GET's status and headers without its body; `Content-Length` says
/// how long the body would have been (RFC 9110 9.3.2).
fn strip_body(response: &mut Response<Body>) {
    let length = match response.body() {
        Body::Empty => 0,
        Body::Text(text) => text.len(),
        Body::Binary(bytes) => bytes.len(),
        _ => 0,
    };
    if length > 0 && response.status() != http::StatusCode::NOT_MODIFIED {
        response.headers_mut().insert(http::header::CONTENT_LENGTH, http::HeaderValue::from(length));
    }
    *response.body_mut() = Body::Empty;
}

/// The response header that names the request (API Gateway's request id).
pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// The ids one request is known by: API Gateway's `requestContext.requestId` (what the access
/// log and the caller see), the Lambda invocation's id and the X-Ray trace id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestIds {
    pub request_id: String,
    pub lambda_request_id: Option<String>,
    pub trace_id: Option<String>,
}

impl RequestIds {
    /// Read from the request: the gateway's id, else the invocation's, else a fresh one (a
    /// direct invocation still gets an id to quote). The trace id comes from the invocation's
    /// `Lambda-Runtime-Trace-Id`, else `_X_AMZN_TRACE_ID` (which the runtime sets from it).
    pub fn of(req: &Request) -> Self {
        let gateway = match req.request_context_ref() {
            Some(RequestContext::ApiGatewayV2(ctx)) => ctx.request_id.clone(),
            _ => None,
        };
        let lambda = req.lambda_context_ref();
        let lambda_request_id = lambda.map(|l| l.request_id.clone()).filter(|id| !id.is_empty());
        let trace_id = lambda
            .and_then(|l| l.xray_trace_id.clone())
            .or_else(|| std::env::var("_X_AMZN_TRACE_ID").ok())
            .filter(|id| !id.is_empty());
        let request_id = gateway
            .filter(|id| !id.is_empty())
            .or_else(|| lambda_request_id.clone())
            .unwrap_or_else(|| ulid::Ulid::new().to_string());
        Self { request_id, lambda_request_id, trace_id }
    }
}

/// Time kept back from the invocation's deadline to answer and log before Lambda stops us.
const DEADLINE_MARGIN: Duration = Duration::from_millis(500);

/// How long this request may run: the Lambda invocation's remaining time less a margin, or,
/// outside Lambda (local gateway, tests), the context's budget.
fn request_budget(fallback: Duration, req: &Request) -> Duration {
    match req.lambda_context_ref() {
        Some(lambda) => {
            let now_ms = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_millis() as u64)
                .unwrap_or_default();
            Duration::from_millis(lambda.deadline.saturating_sub(now_ms)).saturating_sub(DEADLINE_MARGIN)
        }
        None => fallback,
    }
}

/// Runs a function's router in the Lambda runtime: the context is built once per cold start.
pub async fn run_lambda(router: Router) -> Result<(), lambda_http::Error> {
    crate::telemetry::init();
    let ctx = Arc::new(AppContext::from_env().await);
    let router: &'static Router = Box::leak(Box::new(router));
    lambda_http::run(lambda_http::service_fn(move |req: Request| {
        let ctx = ctx.clone();
        async move { Ok::<_, Infallible>(router.handle(ctx, req).await) }
    }))
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(_: ApiRequest) -> HandlerFuture {
        Box::pin(async { Ok(Response::new(Body::Empty)) })
    }

    fn router() -> Router {
        Router::new(
            "test",
            vec![
                Route::new(Method::GET, "/v1/proposals", Access::Authenticated, ok),
                Route::new(Method::GET, "/v1/proposals/{id}", Access::Authenticated, ok),
                Route::new(Method::PUT, "/v1/proposals/{id}", Access::Authenticated, ok),
                Route::new(Method::GET, "/v1/proposals/{id}/history", Access::Authenticated, ok),
            ],
        )
    }

    #[test]
    fn the_budget_is_the_invocations_remaining_time_less_a_margin() {
        let fallback = Duration::from_secs(7);
        assert_eq!(request_budget(fallback, &Request::default()), fallback);
        let now_ms = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as u64;
        let mut lambda = lambda_http::Context::default();
        lambda.deadline = now_ms + 3000;
        let budget = request_budget(fallback, &Request::default().with_lambda_context(lambda));
        assert!(budget <= Duration::from_millis(2500) && budget >= Duration::from_millis(2300), "{budget:?}");
        let mut late = lambda_http::Context::default();
        late.deadline = now_ms.saturating_sub(10);
        assert_eq!(request_budget(fallback, &Request::default().with_lambda_context(late)), Duration::ZERO);
    }

    #[test]
    fn the_request_id_is_the_gateways_else_the_invocations_else_a_fresh_one() {
        let event = r#"{"version":"2.0","routeKey":"$default","rawPath":"/v1/x","rawQueryString":"",
            "headers":{},"isBase64Encoded":false,"requestContext":{"accountId":"a","apiId":"b",
            "domainName":"d","domainPrefix":"d","http":{"method":"GET","path":"/v1/x","protocol":"HTTP/1.1",
            "sourceIp":"127.0.0.1","userAgent":"t"},"requestId":"JmRN7gW7AMEEMcg=","routeKey":"$default",
            "stage":"$default","time":"28/Nov/2026:14:00:00 +0000","timeEpoch":0}}"#;
        let mut lambda = lambda_http::Context::default();
        lambda.request_id = "5d1c6f0e-lambda".into();
        lambda.xray_trace_id = Some("Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1".into());
        let req = lambda_http::request::from_str(event).unwrap().with_lambda_context(lambda.clone());
        let ids = RequestIds::of(&req);
        assert_eq!(ids.request_id, "JmRN7gW7AMEEMcg=");
        assert_eq!(ids.lambda_request_id.as_deref(), Some("5d1c6f0e-lambda"));
        assert_eq!(ids.trace_id.as_deref(), Some("Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1"));
        let direct = RequestIds::of(&Request::default().with_lambda_context(lambda));
        assert_eq!(direct.request_id, "5d1c6f0e-lambda");
        let first = RequestIds::of(&Request::default());
        assert_eq!(first.request_id.len(), 26, "a ULID");
        assert_ne!(first.request_id, RequestIds::of(&Request::default()).request_id);
    }

    #[test]
    fn templates_capture_parameters() {
        let router = router();
        let (route, params) = router.find(&Method::GET, "/v1/proposals/01ABC/history").unwrap();
        assert_eq!(route.path, "/v1/proposals/{id}/history");
        assert_eq!(params["id"], "01ABC");
    }

    #[test]
    fn unknown_path_is_404_and_wrong_method_405() {
        let router = router();
        assert_eq!(router.find(&Method::GET, "/v1/nothing").unwrap_err().status(), 404);
        assert_eq!(router.find(&Method::GET, "/v1/proposals/").unwrap_err().status(), 404);
        let err = router.find(&Method::DELETE, "/v1/proposals/x").unwrap_err();
        assert_eq!(err.status(), 405);
        let ApiError::MethodNotAllowed { allow } = err else { unreachable!() };
        assert_eq!(allow, vec!["GET", "HEAD", "OPTIONS", "PUT"]);
    }

    #[test]
    fn head_finds_the_get_route() {
        let router = router();
        let (route, _) = router.find(&Method::HEAD, "/v1/proposals/x").unwrap();
        assert_eq!((route.method.clone(), route.path), (Method::GET, "/v1/proposals/{id}"));
    }

    fn writes() -> Router {
        Router::new(
            "writes",
            vec![
                Route::new(Method::PUT, "/v1/editions/{e}", Access::Authenticated, ok),
                Route::new(Method::POST, "/v1/editions/{e}/publish", Access::Authenticated, ok),
            ],
        )
    }

    fn reads() -> Router {
        Router::new("reads", vec![Route::new(Method::GET, "/v1/editions/{e}", Access::Public, ok)])
    }

    #[test]
    fn a_path_split_over_two_functions_has_one_allow_in_both() {
        let reads = reads().sharing_paths_with(&writes());
        let writes = writes().sharing_paths_with(&reads);
        let both = Some(vec!["GET".to_owned(), "HEAD".into(), "OPTIONS".into(), "PUT".into()]);
        assert_eq!(reads.allow("/v1/editions/2024"), both);
        assert_eq!(writes.allow("/v1/editions/2024"), both);
        assert_eq!(writes.allow("/v1/editions/2024/publish"), Some(vec!["OPTIONS".to_owned(), "POST".into()]));
        assert_eq!(reads.allow("/v1/editions/2024/publish"), None);
        let ApiError::MethodNotAllowed { allow } = reads.find(&Method::DELETE, "/v1/editions/x").unwrap_err() else {
            unreachable!()
        };
        assert_eq!(Some(allow), both);
    }

    #[test]
    fn exactly_one_function_answers_a_paths_other_methods() {
        let reads = reads().sharing_paths_with(&writes());
        let writes = writes().sharing_paths_with(&reads);
        let any = |r: &Router| -> Vec<&str> {
            r.gateway_routes().into_iter().filter(|g| g.method == "ANY").map(|g| g.path).collect()
        };
        assert_eq!(any(&reads), vec!["/v1/editions/{e}"]);
        assert_eq!(any(&writes), vec!["/v1/editions/{e}/publish"]);
        let heads: Vec<_> = reads.gateway_routes().into_iter().filter(|g| g.method == "HEAD").collect();
        assert_eq!(heads.len(), 1);
        assert_eq!(heads[0].access, AccessKind::Public);
    }

    #[test]
    fn head_keeps_the_headers_and_the_length_and_drops_the_body() {
        let mut response =
            Response::builder().status(200).header("etag", "\"1\"").body(Body::Text("abc".into())).unwrap();
        strip_body(&mut response);
        assert_eq!(response.headers()["content-length"], "3");
        assert_eq!(response.headers()["etag"], "\"1\"");
        assert!(matches!(response.body(), Body::Empty));
    }
}
