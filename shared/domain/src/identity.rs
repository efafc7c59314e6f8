//! Who acts: a role and an organisation code. The domain decides what each may see and do;
//! how the caller was identified (token, authorizer) is the HTTP edge's business.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::codes::{AgbCode, UzoviCode};
use crate::error::DomainError;

/// The caller's role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// An integrale geboortezorgorganisatie; `org` is its AGB code.
    Igo,
    /// A health insurer; `org` is its UZOVI code.
    Insurer,
    /// Editor of the zorgkantoor themes table; `org` names the publishing organisation.
    Publisher,
}

impl Role {
    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "igo" => Some(Role::Igo),
            "insurer" => Some(Role::Insurer),
            "publisher" => Some(Role::Publisher),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Igo => "igo",
            Role::Insurer => "insurer",
            Role::Publisher => "publisher",
        }
    }
}

/// The caller's organisation, typed by role: an IGO's AGB code or an insurer's UZOVI code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Org {
    Igo(AgbCode),
    Insurer(UzoviCode),
    Publisher(String),
}

impl Org {
    /// Longest publisher name we accept: it is echoed into history entries and keys.
    pub const MAX_NAME_LEN: usize = 128;

    /// The organisation a `role` names with `code`: an IGO's 8-digit AGB code, an insurer's
    /// 4-digit UZOVI code, or a publisher's name. The one rule for every way a caller is
    /// identified (token claims today, the principal registry next); the error says why not.
    pub fn parse(role: Role, code: &str) -> Result<Org, String> {
        match role {
            Role::Igo => AgbCode::parse(code)
                .map(Org::Igo)
                .map_err(|_| "an igo's organisation must be an 8-digit AGB code".to_owned()),
            Role::Insurer => UzoviCode::parse(code)
                .map(Org::Insurer)
                .map_err(|_| "an insurer's organisation must be a 4-digit UZOVI code".to_owned()),
            // The org code is the tenant key (quotes are stored under it), so a publisher's
            // org must never read as an AGB or UZOVI code: it needs a character besides digits.
            Role::Publisher
                if !code.is_empty()
                    && code.len() <= Self::MAX_NAME_LEN
                    && !code.bytes().all(|b| b.is_ascii_digit())
                    && !code.chars().any(char::is_control) =>
            {
                Ok(Org::Publisher(code.to_owned()))
            }
            Role::Publisher => Err(format!(
                "a publisher's organisation is a name of at most {} bytes that is not all digits \
                 (those are AGB and UZOVI codes)",
                Self::MAX_NAME_LEN
            )),
        }
    }
}

/// An identified caller: the registered principal the authorizer resolved the token to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub sub: String,
    pub role: Role,
    pub org: Org,
    /// The principal's registered name (a person or a system), recorded in history.
    pub display_name: String,
    /// Insurers only: this principal may accept or reject proposals (the authorised signatory).
    pub signatory: bool,
}

impl Caller {
    /// A caller who is not a signatory, named by its subject (tests and tools).
    pub fn new(sub: impl Into<String>, role: Role, org: Org) -> Self {
        let sub = sub.into();
        Caller { display_name: sub.clone(), sub, role, org, signatory: false }
    }

    /// The org code as a plain string: the tenant key, unique across roles (AGB codes have 8
    /// digits, UZOVI codes 4, and a publisher's org is never all digits).
    pub fn org_code(&self) -> &str {
        match &self.org {
            Org::Igo(agb) => agb.as_str(),
            Org::Insurer(uzovi) => uzovi.as_str(),
            Org::Publisher(name) => name,
        }
    }

    /// Refuses a caller whose role is not among `allowed`.
    pub fn require_role(&self, allowed: &[Role]) -> Result<(), DomainError> {
        if allowed.contains(&self.role) {
            Ok(())
        } else {
            let names: Vec<_> = allowed.iter().map(|r| r.as_str()).collect();
            Err(DomainError::Forbidden(format!("this operation needs role {}", names.join(" or "))))
        }
    }

    /// The caller's AGB code when it is an IGO.
    pub fn require_igo(&self) -> Result<&AgbCode, DomainError> {
        match &self.org {
            Org::Igo(agb) => Ok(agb),
            _ => Err(DomainError::Forbidden("this operation needs role igo".into())),
        }
    }

    /// The caller's UZOVI code when it is an insurer.
    pub fn require_insurer(&self) -> Result<&UzoviCode, DomainError> {
        match &self.org {
            Org::Insurer(uzovi) => Ok(uzovi),
            _ => Err(DomainError::Forbidden("this operation needs role insurer".into())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_gate_operations() {
        let igo = Caller::new("u1", Role::Igo, Org::Igo(AgbCode::parse("53012345").unwrap()));
        assert!(igo.require_igo().is_ok());
        assert!(matches!(igo.require_insurer(), Err(DomainError::Forbidden(_))));
        assert!(igo.require_role(&[Role::Igo, Role::Insurer]).is_ok());
        let insurer = Caller::new("u2", Role::Insurer, Org::Insurer(UzoviCode::parse("3311").unwrap()));
        assert_eq!(insurer.org_code(), "3311");
        let Err(DomainError::Forbidden(reason)) = insurer.require_role(&[Role::Publisher]) else { panic!() };
        assert_eq!(reason, "this operation needs role publisher");
    }

    #[test]
    fn an_org_code_must_fit_its_role() {
        assert_eq!(Org::parse(Role::Igo, "53012345").unwrap(), Org::Igo(AgbCode::parse("53012345").unwrap()));
        assert_eq!(Org::parse(Role::Insurer, "3311").unwrap(), Org::Insurer(UzoviCode::parse("3311").unwrap()));
        assert_eq!(Org::parse(Role::Publisher, "CIZ-zorgkantoren").unwrap(), Org::Publisher("CIZ-zorgkantoren".into()));
        for (role, bad) in [
            (Role::Igo, "3311"),
            (Role::Insurer, "53012345"),
            // A publisher whose org reads as an IGO's or insurer's code would share its tenant key.
            (Role::Publisher, "53012345"),
            (Role::Publisher, "3311"),
            (Role::Publisher, ""),
            (Role::Publisher, "tab\tname"),
        ] {
            assert!(Org::parse(role, bad).is_err(), "{role:?} {bad:?}");
        }
        assert!(Org::parse(Role::Publisher, &"p".repeat(Org::MAX_NAME_LEN + 1)).is_err());
    }
}
