//! Registered principals and route scopes: who a verified token's (issuer, subject) is for us
//! (role, organisation, status, may it sign), and which scope each authenticated route needs.
//! The authorizer decides with these; a token's own role/org claims are no longer trusted.

use serde::{Deserialize, Serialize};

use crate::error::DomainError;
use crate::identity::{Caller, Org, Role};
use crate::validation::Errors;

/// Whether a registered principal may call the API now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PrincipalStatus {
    Active,
    /// Kept in the registry (its history still names it) but refused by the authorizer.
    Suspended,
}

impl PrincipalStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            PrincipalStatus::Active => "active",
            PrincipalStatus::Suspended => "suspended",
        }
    }
}

/// One registry entry: the identity provider's (issuer, subject) mapped to our role and
/// organisation. Registered by an operator (`zorginkoop-admin`), read by the authorizer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Principal {
    /// The token issuer (`iss`), exactly as the tokens carry it.
    pub issuer: String,
    /// The subject (`sub`) the issuer gives this user or client.
    pub subject: String,
    pub role: Role,
    /// The organisation code for `role` (see [`Org::parse`]): AGB, UZOVI or publisher name.
    pub org: String,
    /// A person's or system's name as shown to operators and in authorizer context.
    pub display_name: String,
    pub status: PrincipalStatus,
    /// Insurers only: whether this principal may accept or reject proposals for its insurer.
    #[serde(default)]
    pub signatory: bool,
}

impl Principal {
    pub const MAX_ISSUER_LEN: usize = 512;
    pub const MAX_SUBJECT_LEN: usize = 128;
    pub const MAX_DISPLAY_NAME_LEN: usize = 200;

    /// Every rule an entry must satisfy, each failure under its field's pointer: non-blank
    /// issuer and subject without whitespace or control characters (they are key parts), an
    /// organisation code that fits the role, a display name, and `signatory` only for insurers.
    pub fn validate(&self) -> Result<(), DomainError> {
        let mut errors = Errors::new();
        key_part(&mut errors, "/issuer", &self.issuer, Self::MAX_ISSUER_LEN);
        key_part(&mut errors, "/subject", &self.subject, Self::MAX_SUBJECT_LEN);
        if let Err(why) = Org::parse(self.role, &self.org) {
            errors.push("/org", why);
        }
        errors.text("/display_name", &self.display_name, Self::MAX_DISPLAY_NAME_LEN);
        if self.signatory && self.role != Role::Insurer {
            errors.push("/signatory", "only an insurer's principal can be a signatory");
        }
        errors.finish()
    }

    pub fn is_active(&self) -> bool {
        self.status == PrincipalStatus::Active
    }

    /// The caller the handlers work with. Refuses (403) a suspended principal, and an entry
    /// whose organisation does not fit its role (stored before a rule changed).
    pub fn to_caller(&self) -> Result<Caller, DomainError> {
        if !self.is_active() {
            return Err(DomainError::Forbidden("this principal is suspended".into()));
        }
        let org = Org::parse(self.role, &self.org).map_err(DomainError::Forbidden)?;
        Ok(Caller {
            sub: self.subject.clone(),
            role: self.role,
            org,
            display_name: self.display_name.clone(),
            signatory: self.signatory,
        })
    }
}

fn key_part(errors: &mut Errors, pointer: &str, value: &str, max: usize) {
    if value.is_empty() {
        errors.push(pointer, "must not be empty");
    } else if value.len() > max {
        errors.push(pointer, format!("at most {max} bytes"));
    } else if value.chars().any(|c| c.is_whitespace() || c.is_control()) {
        errors.push(pointer, "must not contain spaces or control characters");
    }
}

/// An OAuth scope granting one route group. A token carries the scopes of its client (e.g. a
/// Cognito app client's allowed scopes); the authorizer refuses a route whose scope is missing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    /// Proposals: create, read, change, transition.
    Proposals,
    /// Quotes: compute and read integral tariff quotes.
    Quotes,
    /// Writing and publishing themes table editions.
    ThemesPublish,
}

impl Scope {
    pub const ALL: [Scope; 3] = [Scope::Proposals, Scope::Quotes, Scope::ThemesPublish];

    /// The scope as tokens carry it (resource server `zorginkoop`, then the group).
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Proposals => "zorginkoop/proposals",
            Scope::Quotes => "zorginkoop/quotes",
            Scope::ThemesPublish => "zorginkoop/themes.publish",
        }
    }

    pub fn parse(s: &str) -> Option<Scope> {
        Scope::ALL.into_iter().find(|scope| scope.as_str() == s)
    }

    /// The scopes a client of `role` is given (a Cognito app client, a local token): IGOs and
    /// insurers work with proposals and quotes, publishers with themes editions.
    pub fn for_role(role: Role) -> &'static [Scope] {
        match role {
            Role::Igo | Role::Insurer => &[Scope::Proposals, Scope::Quotes],
            Role::Publisher => &[Scope::ThemesPublish],
        }
    }
}

/// What an authenticated route asks of a token beyond being valid and naming an active principal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RouteRequirement {
    /// The token must carry this scope.
    Scope(Scope),
    /// Any registered, active principal (e.g. `GET /v1/me`, which says who the caller is).
    Principal,
}

/// The one mapping from an API Gateway route key (`"POST /v1/proposals"`,
/// `"PUT /v1/themes/editions/{edition}"`) to what the route requires. `None` for a route the
/// authorizer does not guard (public routes, `OPTIONS` preflights, `$default`, unknown keys):
/// the authorizer refuses those, since it is attached to authenticated routes only and a
/// request it cannot place must not pass.
pub fn route_requirement(route_key: &str) -> Option<RouteRequirement> {
    let (method, path) = route_key.split_once(' ')?;
    let under = |prefix: &str| path == prefix || path.strip_prefix(prefix).is_some_and(|rest| rest.starts_with('/'));
    let reads = matches!(method, "GET" | "HEAD");
    let writes = matches!(method, "POST" | "PUT" | "PATCH" | "DELETE");
    if !reads && !writes {
        return None;
    }
    if under("/v1/proposals") {
        Some(RouteRequirement::Scope(Scope::Proposals))
    } else if under("/v1/quotes") {
        Some(RouteRequirement::Scope(Scope::Quotes))
    } else if writes && under("/v1/themes/editions") {
        // Reading the themes table is public; writing and publishing an edition is not.
        Some(RouteRequirement::Scope(Scope::ThemesPublish))
    } else if reads && (path == "/v1/me" || path == "/v1/events") {
        // Who am I, and what changed for my organisation (thin events, the caller's own and the
        // public ones): any registered principal, whatever its role's scopes.
        Some(RouteRequirement::Principal)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn principal(role: Role, org: &str) -> Principal {
        Principal {
            issuer: "https://cognito-idp.eu-central-1.amazonaws.com/eu-central-1_abc".into(),
            subject: "7f1c2d3e-0000-4000-8000-000000000001".into(),
            role,
            org: org.into(),
            display_name: "J. de Vries".into(),
            status: PrincipalStatus::Active,
            signatory: false,
        }
    }

    fn pointers(p: &Principal) -> Vec<String> {
        match p.validate() {
            Ok(()) => vec![],
            Err(DomainError::Invalid(errors)) => errors.into_iter().map(|e| e.pointer).collect(),
            Err(other) => panic!("{other:?}"),
        }
    }

    #[test]
    fn valid_principals_of_each_role() {
        assert!(pointers(&principal(Role::Igo, "53012345")).is_empty());
        let mut insurer = principal(Role::Insurer, "3311");
        insurer.signatory = true;
        assert!(pointers(&insurer).is_empty());
        assert!(pointers(&principal(Role::Publisher, "zorgkantoren-nl")).is_empty());
    }

    #[test]
    fn every_invalid_field_is_named() {
        let mut p = principal(Role::Igo, "3311");
        p.issuer = String::new();
        p.subject = "has space".into();
        p.display_name = "  ".into();
        p.signatory = true;
        assert_eq!(pointers(&p), ["/issuer", "/subject", "/org", "/display_name", "/signatory"]);
        assert_eq!(pointers(&principal(Role::Insurer, "53012345")), ["/org"]);
        assert_eq!(pointers(&principal(Role::Publisher, "3311")), ["/org"]);
        let mut long = principal(Role::Igo, "53012345");
        long.subject = "s".repeat(Principal::MAX_SUBJECT_LEN + 1);
        assert_eq!(pointers(&long), ["/subject"]);
    }

    #[test]
    fn an_active_principal_becomes_its_caller_and_a_suspended_one_is_refused() {
        let mut p = principal(Role::Insurer, "3311");
        let caller = p.to_caller().unwrap();
        assert_eq!((caller.sub.as_str(), caller.role, caller.org_code()), (p.subject.as_str(), Role::Insurer, "3311"));
        assert!(caller.require_insurer().is_ok());
        p.status = PrincipalStatus::Suspended;
        assert!(matches!(p.to_caller(), Err(DomainError::Forbidden(_))));
        // An entry whose code no longer fits its role is refused rather than trusted.
        assert!(matches!(principal(Role::Igo, "3311").to_caller(), Err(DomainError::Forbidden(_))));
    }

    #[test]
    fn principals_travel_with_snake_case_names() {
        let p = principal(Role::Insurer, "3311");
        let json = serde_json::to_value(&p).unwrap();
        assert_eq!(json["role"], "insurer");
        assert_eq!(json["status"], "active");
        assert_eq!(json["signatory"], false);
        assert_eq!(serde_json::from_value::<Principal>(json).unwrap(), p);
    }

    #[test]
    fn scopes_round_trip() {
        for scope in Scope::ALL {
            assert_eq!(Scope::parse(scope.as_str()), Some(scope));
        }
        assert_eq!(Scope::ThemesPublish.as_str(), "zorginkoop/themes.publish");
        assert_eq!(Scope::parse("zorginkoop/admin"), None);
    }

    #[test]
    fn each_authenticated_route_needs_its_groups_scope() {
        use RouteRequirement::*;
        for (key, want) in [
            ("POST /v1/proposals", Some(Scope(super::Scope::Proposals))),
            ("GET /v1/proposals", Some(Scope(super::Scope::Proposals))),
            ("PUT /v1/proposals/{id}", Some(Scope(super::Scope::Proposals))),
            ("POST /v1/proposals/{id}/transitions", Some(Scope(super::Scope::Proposals))),
            ("GET /v1/proposals/{id}/versions/{version}", Some(Scope(super::Scope::Proposals))),
            ("HEAD /v1/proposals/{id}", Some(Scope(super::Scope::Proposals))),
            ("POST /v1/quotes", Some(Scope(super::Scope::Quotes))),
            ("GET /v1/quotes/{id}", Some(Scope(super::Scope::Quotes))),
            ("PUT /v1/themes/editions/{edition}", Some(Scope(super::Scope::ThemesPublish))),
            ("POST /v1/themes/editions/{edition}/publish", Some(Scope(super::Scope::ThemesPublish))),
            ("GET /v1/me", Some(Principal)),
            ("GET /v1/events", Some(Principal)),
            ("HEAD /v1/events", Some(Principal)),
            ("POST /v1/events", None),
            // Public reads, preflights and keys we do not know are not the authorizer's to pass.
            ("GET /v1/themes/editions/{edition}", None),
            ("GET /v1/prestaties", None),
            ("OPTIONS /v1/proposals", None),
            ("$default", None),
            ("POST /v1/proposalsx", None),
            ("GET /v1/quotesy/{id}", None),
        ] {
            assert_eq!(route_requirement(key), want, "{key}");
        }
    }
}
