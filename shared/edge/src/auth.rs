//! Who is calling: the verified JWT claims, read only from where API Gateway's JWT authorizer
//! puts them (`requestContext.authorizer.jwt.claims`), never from a header, and turned into the
//! domain's [`Caller`]. The local gateway puts them in the same place, so this code cannot tell
//! the two apart.

use domain::identity::{Caller, Org, Role};
use lambda_http::request::RequestContext;
use lambda_http::{Request, RequestExt};

use crate::error::ApiError;

/// Longest `sub` we accept; it is echoed into history entries.
const MAX_CLAIM_LEN: usize = 128;

/// Builds the caller from the authorizer's claim map (claim name → value). A token whose role is unknown, or whose
/// `org` is missing or not the right code for its role, is refused (403): the token is
/// genuine but does not identify a caller we can serve.
pub fn caller_from_claims(get: impl Fn(&str) -> Option<String>) -> Result<Caller, ApiError> {
    let sub = get("sub").filter(|s| !s.is_empty() && s.len() <= MAX_CLAIM_LEN);
    let Some(sub) = sub else {
        return Err(ApiError::Forbidden("the token has no usable 'sub' claim".into()));
    };
    let role = get("role")
        .as_deref()
        .and_then(Role::parse)
        .ok_or_else(|| ApiError::Forbidden("the token's 'role' claim must be igo, insurer or publisher".into()))?;
    let org = get("org").ok_or_else(|| ApiError::Forbidden("the token has no 'org' claim".into()))?;
    let org = Org::parse(role, &org).map_err(|why| ApiError::Forbidden(format!("the token's 'org' claim: {why}")))?;
    Ok(Caller { sub, role, org })
}

/// The caller of a request, from its verified claims; 401 when the request carries none.
pub fn caller_of(req: &Request) -> Result<Caller, ApiError> {
    let claims = match req.request_context_ref() {
        Some(RequestContext::ApiGatewayV2(ctx)) => {
            ctx.authorizer.as_ref().and_then(|a| a.jwt.as_ref()).map(|j| &j.claims)
        }
        _ => None,
    };
    let Some(claims) = claims.filter(|c| !c.is_empty()) else {
        return Err(ApiError::Unauthorized);
    };
    caller_from_claims(|name| claims.get(name).cloned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn claims(pairs: &[(&str, &str)]) -> Result<Caller, ApiError> {
        let map: HashMap<String, String> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        caller_from_claims(|k| map.get(k).cloned())
    }

    #[test]
    fn igo_and_insurer_claims_are_typed() {
        let igo = claims(&[("sub", "u1"), ("role", "igo"), ("org", "53012345")]).unwrap();
        assert_eq!(igo.role, Role::Igo);
        assert!(igo.require_igo().is_ok());
        assert!(igo.require_insurer().is_err());
        let insurer = claims(&[("sub", "u2"), ("role", "insurer"), ("org", "3311")]).unwrap();
        assert_eq!(insurer.org_code(), "3311");
    }

    #[test]
    fn mismatched_or_unknown_claims_are_forbidden() {
        for bad in [
            vec![("sub", "u"), ("role", "igo"), ("org", "3311")],
            vec![("sub", "u"), ("role", "insurer"), ("org", "53012345")],
            vec![("sub", "u"), ("role", "admin"), ("org", "53012345")],
            vec![("sub", "u"), ("role", "igo")],
            vec![("role", "igo"), ("org", "53012345")],
            // A publisher whose org reads as an IGO's or insurer's code would share its tenant key.
            vec![("sub", "u"), ("role", "publisher"), ("org", "53012345")],
            vec![("sub", "u"), ("role", "publisher"), ("org", "3311")],
            vec![("sub", "u"), ("role", "publisher"), ("org", "")],
        ] {
            let err = claims(&bad).unwrap_err();
            assert_eq!(err.status(), 403, "{bad:?}");
        }
    }

    #[test]
    fn request_without_authorizer_claims_is_unauthorized() {
        let req = Request::default();
        assert_eq!(caller_of(&req).unwrap_err().status(), 401);
    }
}
