//! The router: each function crate declares its routes once (method, path template, access,
//! handler); the same table dispatches inside the Lambda, serves the local gateway, and is
//! compared with the OpenAPI spec and the SAM template by the parity tests.
//!
//! Dispatch matches on the request path itself rather than API Gateway's `routeKey`, so a
//! handler behaves the same behind API Gateway, `cargo lambda watch` and the local gateway.

use std::collections::HashMap;
use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

use http::Method;
use lambda_http::{Body, Request, RequestExt, Response};

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
}

impl Router {
    pub fn new(function: &'static str, routes: Vec<Route>) -> Self {
        Self { function, routes }
    }

    /// Finds the route for a request: 404 when no template matches the path, 405 when one
    /// does but not for this method.
    pub fn find(&self, method: &Method, path: &str) -> Result<(&Route, HashMap<String, String>), ApiError> {
        let mut allowed = Vec::new();
        for route in &self.routes {
            if let Some(params) = route.matches(path) {
                if route.method == *method {
                    return Ok((route, params));
                }
                allowed.push(route.method.to_string());
            }
        }
        if allowed.is_empty() {
            Err(ApiError::NotFound)
        } else {
            Err(ApiError::MethodNotAllowed { allow: allowed })
        }
    }

    /// Whether this router serves `path` at all (any method): the gateway's dispatch.
    pub fn serves_path(&self, path: &str) -> bool {
        self.routes.iter().any(|r| r.matches(path).is_some())
    }

    /// Serves one request; every failure becomes a problem+json response here.
    pub async fn handle(&self, ctx: Arc<AppContext>, req: Request) -> Response<Body> {
        let started = Instant::now();
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
                tracing::warn!(function = self.function, %method, %path, ?budget, "request deadline passed");
                ApiError::ServiceUnavailable.into_response()
            }
        };
        crate::http::add_common_headers(&mut response);
        tracing::info!(
            function = self.function,
            %method,
            %path,
            status = response.status().as_u16(),
            micros = started.elapsed().as_micros() as u64,
            "request"
        );
        response
    }

    async fn dispatch(&self, ctx: Arc<AppContext>, req: Request) -> HandlerResult {
        let (route, params) = self.find(req.method(), req.uri().path())?;
        let caller = match route.access {
            Access::Authenticated => Some(caller_of(&req)?),
            // A public route ignores a missing or unusable token.
            Access::Public => caller_of(&req).ok(),
        };
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
        assert_eq!(allow, vec!["GET", "PUT"]);
    }
}
