//! Who is calling: the principal the Lambda authorizer resolved, read only from where API
//! Gateway puts the authorizer's context (`requestContext.authorizer.lambda`), never from a
//! header or a token claim, and turned into the domain's [`Caller`]. The local gateway runs the
//! same authorizer and puts its context in the same place, so this code cannot tell them apart.
//!
//! The authorizer lets a genuine but refused token through with only `refused` and
//! `refused_status` in the context (an HTTP API cannot put a body on an authorizer's 403);
//! that context names no principal, so no caller can be built from it and the refusal becomes a
//! 401 or 403 problem here.

use domain::identity::{Caller, Org, Role};
use lambda_http::request::RequestContext;
use lambda_http::{Request, RequestExt};
use serde_json::Value;

use crate::error::ApiError;

/// Longest `sub` and display name we accept; both are echoed into history entries.
const MAX_CONTEXT_LEN: usize = 200;

/// Builds the caller from the authorizer's context (name → value). A context without a usable
/// subject, role or organisation is refused (403): the authorizer only ever sends registered
/// principals, so anything else is a misconfiguration that must not pass.
pub fn caller_from_context(get: impl Fn(&str) -> Option<Value>) -> Result<Caller, ApiError> {
    let text = |name: &str| match get(name) {
        Some(Value::String(s)) => Some(s),
        _ => None,
    };
    if let Some(refused) = text("refused") {
        return Err(match get("refused_status").and_then(|v| v.as_u64()) {
            Some(401) => ApiError::InvalidToken(refused),
            _ => ApiError::Forbidden(refused),
        });
    }
    let sub = text("sub").filter(|s| !s.is_empty() && s.len() <= MAX_CONTEXT_LEN);
    let Some(sub) = sub else {
        return Err(ApiError::Forbidden("the authorizer named no principal".into()));
    };
    let role = text("role")
        .as_deref()
        .and_then(Role::parse)
        .ok_or_else(|| ApiError::Forbidden("the principal's role must be igo, insurer or publisher".into()))?;
    let org = text("org").ok_or_else(|| ApiError::Forbidden("the principal has no organisation".into()))?;
    let org =
        Org::parse(role, &org).map_err(|why| ApiError::Forbidden(format!("the principal's organisation: {why}")))?;
    let display_name = text("display_name").filter(|n| n.len() <= MAX_CONTEXT_LEN).unwrap_or_else(|| sub.clone());
    // A context value may arrive as a boolean or as its text, depending on who serialised it.
    let signatory = match get("signatory") {
        Some(Value::Bool(b)) => b,
        Some(Value::String(s)) => s == "true",
        _ => false,
    };
    Ok(Caller { sub, role, org, display_name, signatory: signatory && role == Role::Insurer })
}

/// The caller of a request, from its authorizer context; 401 when the request carries none.
pub fn caller_of(req: &Request) -> Result<Caller, ApiError> {
    let context = match req.request_context_ref() {
        Some(RequestContext::ApiGatewayV2(ctx)) => ctx.authorizer.as_ref().map(|a| &a.fields),
        _ => None,
    };
    let Some(context) = context.filter(|c| !c.is_empty()) else {
        return Err(ApiError::Unauthorized);
    };
    caller_from_context(|name| context.get(name).cloned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn context(value: Value) -> Result<Caller, ApiError> {
        let map = value.as_object().unwrap().clone();
        caller_from_context(|k| map.get(k).cloned())
    }

    #[test]
    fn the_authorizers_identity_becomes_the_caller() {
        let igo = context(json!({"sub": "u1", "role": "igo", "org": "53012345", "display_name": "IGO Zuid software",
            "signatory": false, "iss": "https://issuer", "scope": "zorginkoop/proposals"}))
        .unwrap();
        assert_eq!((igo.role, igo.org_code(), igo.display_name.as_str()), (Role::Igo, "53012345", "IGO Zuid software"));
        assert!(igo.require_igo().is_ok() && igo.require_insurer().is_err());
        let insurer =
            context(json!({"sub": "u2", "role": "insurer", "org": "3311", "display_name": "A", "signatory": true}))
                .unwrap();
        assert_eq!((insurer.org_code(), insurer.signatory), ("3311", true));
        // Only an insurer's principal signs, whatever the context says.
        let igo = context(json!({"sub": "u1", "role": "igo", "org": "53012345", "signatory": true})).unwrap();
        assert!(!igo.signatory);
    }

    #[test]
    fn a_refusal_is_answered_with_its_reason_and_status() {
        let expired = context(json!({"refused": "expired", "refused_status": 401})).unwrap_err();
        assert_eq!(expired.status(), 401);
        assert_eq!(expired.to_problem().detail.as_deref(), Some("the token is not usable: expired"));
        let suspended = context(json!({"refused": "the principal is suspended", "refused_status": 403})).unwrap_err();
        assert_eq!(suspended.status(), 403);
        // A refusal wins even beside identity fields (the authorizer never sends both).
        let both =
            context(json!({"refused": "x", "refused_status": 403, "sub": "u", "role": "igo", "org": "53012345"}));
        assert_eq!(both.unwrap_err().status(), 403);
    }

    #[test]
    fn an_unfit_context_is_forbidden() {
        for bad in [
            json!({"sub": "u", "role": "igo", "org": "3311"}),
            json!({"sub": "u", "role": "insurer", "org": "53012345"}),
            json!({"sub": "u", "role": "admin", "org": "53012345"}),
            json!({"sub": "u", "role": "igo"}),
            json!({"role": "igo", "org": "53012345"}),
            // A publisher whose org reads as an IGO's or insurer's code would share its tenant key.
            json!({"sub": "u", "role": "publisher", "org": "53012345"}),
            json!({"sub": "u", "role": "publisher", "org": ""}),
        ] {
            assert_eq!(context(bad.clone()).unwrap_err().status(), 403, "{bad}");
        }
    }

    #[test]
    fn request_without_authorizer_context_is_unauthorized() {
        let req = Request::default();
        assert_eq!(caller_of(&req).unwrap_err().status(), 401);
    }
}
