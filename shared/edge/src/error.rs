//! The API's one error type and its RFC 9457 problem+json rendering. Every failure a handler
//! can meet becomes an `ApiError`; nothing else decides a status code for an error.

use http::StatusCode;
use lambda_http::{Body, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use domain::DomainError;
pub use domain::FieldError;
use storage::StoreError;

/// RFC 9457 problem details, served as `application/problem+json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"type": "urn:zorginkoop:problem:validation", "title": "Invalid request", "status": 422, "detail": "1 field is invalid", "errors": [{"pointer": "/lines/0/tariff", "detail": "at most 2 decimals"}]}))]
pub struct Problem {
    /// URI naming the problem type.
    #[serde(rename = "type")]
    pub problem_type: String,
    pub title: String,
    pub status: u16,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// The invalid fields, for validation problems.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// The id of the request that failed (also its `x-request-id` header): quote it when asking
    /// about the failure, and the operator finds its log lines and metrics by it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(example = "JmRN7gW7AMEEMcg=")]
    pub request_id: Option<String>,
}

pub const PROBLEM_CONTENT_TYPE: &str = "application/problem+json";

/// The detail of the 404 for a well-formed cursor that no page of this listing handed out.
pub const NOT_A_CURSOR: &str = "no such page: not a cursor of this listing; use next_cursor as given";

/// Every way a request can fail.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("malformed request: {0}")]
    BadRequest(String),
    #[error("authentication required")]
    Unauthorized,
    /// A genuine token that is not usable now (expired, not yet valid, another audience, not an
    /// access token): the client should fetch a new one.
    #[error("the token is not usable: {0}")]
    InvalidToken(String),
    #[error("forbidden: {0}")]
    Forbidden(String),
    #[error("not found")]
    NotFound,
    /// A well-formed reference to something that is not there (or not the caller's), saying
    /// which: a listing cursor, a `from_quote`.
    #[error("{0}")]
    NotFoundWhy(String),
    #[error("method not allowed")]
    MethodNotAllowed { allow: Vec<String> },
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("precondition failed: {0}")]
    PreconditionFailed(String),
    #[error("precondition required: {0}")]
    PreconditionRequired(String),
    #[error("payload too large (limit {limit} bytes)")]
    PayloadTooLarge { limit: usize },
    #[error("unsupported media type: {0}")]
    UnsupportedMediaType(String),
    #[error("not acceptable: {0}")]
    NotAcceptable(String),
    #[error("invalid request")]
    Validation(Vec<FieldError>),
    #[error("unprocessable: {0}")]
    Unprocessable(String),
    #[error("the data store is unavailable")]
    ServiceUnavailable,
    #[error("too many requests of your organisation; retry after {retry_after} s")]
    TooManyRequests { retry_after: u64 },
    /// A daily quota of the organisation is used up (quotes per day); `retry_after` runs to
    /// the next UTC midnight, when it resets.
    #[error("{detail}")]
    QuotaExceeded { detail: String, retry_after: u64 },
    /// A cap on what an organisation may hold is reached (open drafts, versions of a proposal):
    /// waiting does not help, finishing or withdrawing something does.
    #[error("{0}")]
    LimitReached(String),
    #[error("internal error: {0}")]
    Internal(String),
}

impl ApiError {
    pub fn internal(detail: impl Into<String>) -> Self {
        ApiError::Internal(detail.into())
    }

    /// A validation error on a single field.
    pub fn field(pointer: impl Into<String>, detail: impl Into<String>) -> Self {
        ApiError::Validation(vec![FieldError::new(pointer, detail)])
    }

    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized | ApiError::InvalidToken(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound | ApiError::NotFoundWhy(_) => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::PreconditionFailed(_) => StatusCode::PRECONDITION_FAILED,
            ApiError::PreconditionRequired(_) => StatusCode::PRECONDITION_REQUIRED,
            ApiError::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::NotAcceptable(_) => StatusCode::NOT_ACCEPTABLE,
            ApiError::Validation(_) | ApiError::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::ServiceUnavailable => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::TooManyRequests { .. } | ApiError::QuotaExceeded { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::LimitReached(_) => StatusCode::CONFLICT,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn slug(&self) -> &'static str {
        match self {
            ApiError::BadRequest(_) => "malformed-request",
            ApiError::Unauthorized => "unauthorized",
            ApiError::InvalidToken(_) => "invalid-token",
            ApiError::Forbidden(_) => "forbidden",
            ApiError::NotFound | ApiError::NotFoundWhy(_) => "not-found",
            ApiError::MethodNotAllowed { .. } => "method-not-allowed",
            ApiError::Conflict(_) => "conflict",
            ApiError::PreconditionFailed(_) => "precondition-failed",
            ApiError::PreconditionRequired(_) => "precondition-required",
            ApiError::PayloadTooLarge { .. } => "payload-too-large",
            ApiError::UnsupportedMediaType(_) => "unsupported-media-type",
            ApiError::NotAcceptable(_) => "not-acceptable",
            ApiError::Validation(_) => "validation",
            ApiError::Unprocessable(_) => "unprocessable",
            ApiError::ServiceUnavailable => "service-unavailable",
            ApiError::TooManyRequests { .. } => "too-many-requests",
            ApiError::QuotaExceeded { .. } => "quota-exceeded",
            ApiError::LimitReached(_) => "limit-reached",
            ApiError::Internal(_) => "internal",
        }
    }

    fn title(&self) -> &'static str {
        match self {
            ApiError::BadRequest(_) => "Malformed request",
            ApiError::Unauthorized => "Authentication required",
            ApiError::InvalidToken(_) => "Invalid token",
            ApiError::Forbidden(_) => "Forbidden",
            ApiError::NotFound | ApiError::NotFoundWhy(_) => "Not found",
            ApiError::MethodNotAllowed { .. } => "Method not allowed",
            ApiError::Conflict(_) => "Conflict",
            ApiError::PreconditionFailed(_) => "Precondition failed",
            ApiError::PreconditionRequired(_) => "Precondition required",
            ApiError::PayloadTooLarge { .. } => "Payload too large",
            ApiError::UnsupportedMediaType(_) => "Unsupported media type",
            ApiError::NotAcceptable(_) => "Not acceptable",
            ApiError::Validation(_) => "Invalid request",
            ApiError::Unprocessable(_) => "Unprocessable request",
            ApiError::ServiceUnavailable => "Service unavailable",
            ApiError::TooManyRequests { .. } => "Too many requests",
            ApiError::QuotaExceeded { .. } => "Quota exceeded",
            ApiError::LimitReached(_) => "Limit reached",
            ApiError::Internal(_) => "Internal error",
        }
    }

    /// The problem document. Internal details are logged, never shown to the caller.
    pub fn to_problem(&self) -> Problem {
        let detail = match self {
            ApiError::Internal(_) => Some("An unexpected error occurred; it has been logged.".to_owned()),
            ApiError::ServiceUnavailable => Some("The data store did not answer in time; retry later.".to_owned()),
            ApiError::Validation(errors) => Some(match errors.len() {
                1 => format!("{}: {}", errors[0].pointer, errors[0].detail),
                n => format!("{n} fields are invalid"),
            }),
            ApiError::NotFound => None,
            ApiError::Unauthorized => Some("A valid bearer token is required.".to_owned()),
            other => Some(other.to_string()),
        };
        Problem {
            problem_type: format!("urn:zorginkoop:problem:{}", self.slug()),
            title: self.title().to_owned(),
            status: self.status().as_u16(),
            detail,
            errors: match self {
                ApiError::Validation(errors) => errors.clone(),
                _ => Vec::new(),
            },
            request_id: None,
        }
    }

    /// Renders the error as a problem+json response, with the headers its status calls for.
    pub fn into_response(self) -> Response<Body> {
        if let ApiError::Internal(detail) = &self {
            tracing::error!(%detail, "internal error");
        }
        let problem = self.to_problem();
        let mut builder = Response::builder()
            .status(self.status())
            .header(http::header::CONTENT_TYPE, PROBLEM_CONTENT_TYPE)
            .header(http::header::CACHE_CONTROL, "no-store");
        match &self {
            ApiError::ServiceUnavailable => builder = builder.header(http::header::RETRY_AFTER, "1"),
            ApiError::TooManyRequests { retry_after } | ApiError::QuotaExceeded { retry_after, .. } => {
                builder = builder.header(http::header::RETRY_AFTER, retry_after.to_string())
            }
            ApiError::Unauthorized => builder = builder.header(http::header::WWW_AUTHENTICATE, "Bearer"),
            ApiError::InvalidToken(_) => {
                builder = builder.header(http::header::WWW_AUTHENTICATE, r#"Bearer error="invalid_token""#)
            }
            ApiError::MethodNotAllowed { allow } => builder = builder.header(http::header::ALLOW, allow.join(", ")),
            _ => {}
        }
        let body = serde_json::to_string(&problem).expect("a problem always serialises");
        builder.body(Body::Text(body)).expect("static headers are valid")
    }
}

/// Writes the request's id into a problem+json body (`request_id`), whoever built it: the
/// router calls this once on every answer, so no handler has to know the id.
pub fn stamp_request_id(response: &mut Response<Body>, request_id: &str) {
    let is_problem = response.headers().get(http::header::CONTENT_TYPE).is_some_and(|v| v == PROBLEM_CONTENT_TYPE);
    let Body::Text(text) = response.body() else { return };
    if !is_problem {
        return;
    }
    let Ok(mut problem) = serde_json::from_str::<Problem>(text) else { return };
    problem.request_id = Some(request_id.to_owned());
    if let Ok(body) = serde_json::to_string(&problem) {
        *response.body_mut() = Body::Text(body);
    }
}

/// Checks an identifier the client sent before it reaches a key (`domain::ids` holds the
/// rules): 422 at `pointer` when it is malformed.
pub fn check_id(kind: domain::ids::IdKind, pointer: &str, value: &str) -> Result<(), ApiError> {
    kind.check(pointer, value).map_err(|e| ApiError::Validation(vec![e]))
}

impl From<DomainError> for ApiError {
    fn from(err: DomainError) -> Self {
        match err {
            DomainError::Invalid(errors) => ApiError::Validation(errors),
            DomainError::Unprocessable(reason) => ApiError::Unprocessable(reason),
            DomainError::Refused(reason) => ApiError::Conflict(reason),
            DomainError::Forbidden(reason) => ApiError::Forbidden(reason),
            DomainError::LimitReached(reason) => ApiError::LimitReached(reason),
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::Unavailable => ApiError::ServiceUnavailable,
            StoreError::Conflict(reason) => ApiError::Conflict(reason),
            StoreError::NotFound => ApiError::NotFound,
            // Well-formed (else 422 before any read) but not one this listing handed out: like an
            // unknown id, a page that is not there.
            StoreError::InvalidCursor => ApiError::NotFoundWhy(NOT_A_CURSOR.to_owned()),
            StoreError::Internal(detail) => ApiError::Internal(detail),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_problem_names_fields() {
        let response = ApiError::field("/lines/0/tariff", "at most 2 decimals").into_response();
        assert_eq!(response.status(), 422);
        assert_eq!(response.headers()[http::header::CONTENT_TYPE], PROBLEM_CONTENT_TYPE);
        let Body::Text(text) = response.body() else { panic!("text body expected") };
        let problem: Problem = serde_json::from_str(text).unwrap();
        assert_eq!(problem.status, 422);
        assert_eq!(problem.problem_type, "urn:zorginkoop:problem:validation");
        assert_eq!(problem.errors, vec![FieldError::new("/lines/0/tariff", "at most 2 decimals")]);
    }

    #[test]
    fn the_request_id_is_stamped_into_problems_only() {
        let mut problem = ApiError::NotFound.into_response();
        stamp_request_id(&mut problem, "req-1");
        let Body::Text(text) = problem.body() else { panic!("text body expected") };
        let parsed: Problem = serde_json::from_str(text).unwrap();
        assert_eq!(parsed.request_id.as_deref(), Some("req-1"));
        assert_eq!(parsed.status, 404);
        let mut ok =
            Response::builder().header("content-type", "application/json").body(Body::Text("{}".into())).unwrap();
        stamp_request_id(&mut ok, "req-1");
        assert!(matches!(ok.body(), Body::Text(t) if t == "{}"));
    }

    #[test]
    fn internal_details_are_not_shown() {
        let problem = ApiError::internal("secret table layout").to_problem();
        assert_eq!(problem.status, 500);
        assert!(!problem.detail.unwrap().contains("secret"));
    }

    #[test]
    fn unavailable_store_says_when_to_retry() {
        let response = ApiError::ServiceUnavailable.into_response();
        assert_eq!(response.status(), 503);
        assert_eq!(response.headers()[http::header::RETRY_AFTER], "1");
    }

    #[test]
    fn caps_are_a_conflict_and_quotas_say_when_they_reset() {
        let limit = ApiError::from(DomainError::LimitReached("200 open drafts".into())).into_response();
        assert_eq!(limit.status(), 409);
        assert!(limit.headers().get(http::header::RETRY_AFTER).is_none(), "waiting does not lift a cap");
        let problem = ApiError::LimitReached("200 open drafts".into()).to_problem();
        assert_eq!(problem.problem_type, "urn:zorginkoop:problem:limit-reached");
        assert_eq!(problem.detail.as_deref(), Some("200 open drafts"));

        let quota = ApiError::QuotaExceeded { detail: "1000 quotes today".into(), retry_after: 3600 };
        assert_eq!(quota.to_problem().problem_type, "urn:zorginkoop:problem:quota-exceeded");
        let response = quota.into_response();
        assert_eq!(response.status(), 429);
        assert_eq!(response.headers()[http::header::RETRY_AFTER], "3600");
    }
}
