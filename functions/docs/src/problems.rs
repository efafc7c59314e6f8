//! The problem responses that follow from what an operation is, added to every operation in
//! one pass over the merged spec instead of being copied into each `#[utoipa::path]`: a copy
//! per operation drifted into three wordings of "body too large" and two of "store
//! unavailable". Operation-specific problems (404, 409, 412, 428, a 403 naming the role it
//! needs, a 422 saying what is validated) stay with their operation.

use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::{ContentBuilder, OpenApi, Ref, RefOr, Response, ResponseBuilder};

use edge::error::PROBLEM_CONTENT_TYPE;
use edge::http::body_limit;

/// What an operation is, as far as its shared problems go.
struct Kind {
    /// It needs a bearer token.
    secured: bool,
    /// It reads a JSON request body.
    has_body: bool,
    /// The largest body it reads (`edge::http::body_limit` of its path).
    body_limit: usize,
    /// It reads or writes the table (every operation but the API's own description and `me`).
    uses_store: bool,
    /// It takes path or query parameters (identifiers among them, checked before any read).
    has_params: bool,
}

impl Kind {
    fn of(path: &str, operation: &Operation) -> Kind {
        let tags = operation.tags.as_deref().unwrap_or_default();
        Kind {
            secured: operation.security.as_ref().is_some_and(|s| !s.is_empty()),
            has_body: operation.request_body.is_some(),
            body_limit: body_limit(path),
            uses_store: !tags.iter().any(|t| t == "meta"),
            has_params: operation.parameters.as_ref().is_some_and(|params| {
                params.iter().any(
                    |p| matches!(p, RefOr::T(p) if matches!(p.parameter_in, ParameterIn::Path | ParameterIn::Query)),
                )
            }),
        }
    }
}

/// Problem responses by status code.
type Problems = Vec<(&'static str, Response)>;

fn problem(description: &str) -> ResponseBuilder {
    ResponseBuilder::new()
        .description(description)
        .content(PROBLEM_CONTENT_TYPE, ContentBuilder::new().schema(Some(Ref::from_schema_name("Problem"))).build())
}

fn with_header(builder: ResponseBuilder, name: &str, description: &str) -> Response {
    let header = HeaderBuilder::new()
        .schema(Some(ObjectBuilder::new().schema_type(Type::String)))
        .description(Some(description));
    builder.header(name, header.build()).build()
}

/// The shared problems of an operation of this kind: (status, response). The first group
/// always replaces what an operation says (one wording each); the second is added where the
/// operation does not say something more precise.
fn shared_problems(kind: &Kind) -> (Problems, Problems) {
    let mut always = Vec::new();
    let mut unless_stated = Vec::new();
    if kind.has_body {
        always.push(("400", problem("Malformed JSON: the body is not one well-formed JSON value").build()));
        always.push(("413", problem(&format!("Body larger than {} KiB", kind.body_limit / 1024)).build()));
        always.push(("415", problem("Body is not JSON (send `Content-Type: application/json`)").build()));
        unless_stated.push((
            "422",
            problem("Invalid request; `errors` names every invalid field by JSON pointer. Nothing is stored.").build(),
        ));
    }
    if kind.has_params {
        unless_stated.push((
            "422",
            problem(
                "Invalid path or query parameter, named by `errors` (`/path/<name>`, `/query/<name>`): an \
                 identifier of the wrong length or alphabet is refused before anything is looked up",
            )
            .build(),
        ));
    }
    if kind.secured {
        always.push((
            "401",
            with_header(
                problem(
                    "No bearer token (`unauthorized`), or a genuine token that is not usable now: expired, not yet \
                     valid, another issuer or audience, an ID token (`invalid-token`, saying why)",
                ),
                "WWW-Authenticate",
                "`Bearer`, or `Bearer error=\"invalid_token\"`: fetch a new access token",
            ),
        ));
        unless_stated.push((
            "403",
            problem(
                "Refused, saying why: the token lacks this operation's scope, its principal is not registered or is \
                 suspended, or the caller's role or organisation may not use this operation. A header that is no \
                 bearer JWT of the issuer is refused with a 403 too (in AWS by API Gateway, with its own body)",
            )
            .build(),
        ));
    }
    if kind.secured && kind.uses_store {
        unless_stated.push((
            "429",
            with_header(
                problem("The caller's organisation made more requests this second than its limit; retry after `Retry-After` seconds (other organisations are not affected)"),
                "Retry-After",
                "Seconds to wait before retrying",
            ),
        ));
    }
    if kind.uses_store {
        always.push((
            "503",
            with_header(
                problem("The data store is unavailable; retry after `Retry-After` seconds"),
                "Retry-After",
                "Seconds to wait before retrying",
            ),
        ));
    }
    (always, unless_stated)
}

/// Adds the shared problems to every operation (responses are a sorted map: status order).
pub fn add_shared_problems(openapi: &mut OpenApi) {
    for (path, operation) in crate::spec::path_operations_mut(openapi) {
        let (always, unless_stated) = shared_problems(&Kind::of(path, operation));
        let responses = &mut operation.responses.responses;
        for (status, response) in always {
            responses.insert(status.to_owned(), RefOr::T(response));
        }
        for (status, response) in unless_stated {
            responses.entry(status.to_owned()).or_insert(RefOr::T(response));
        }
    }
}
