//! The proposal lifecycle as one pure function over (status, action, role): which transitions
//! exist and who may take them. Handlers and storage never decide this themselves.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::identity::Role;

/// Where a proposal is in its lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Being written by the IGO; the insurer does not see it yet.
    Draft,
    /// Sent to the insurer, waiting for review.
    Submitted,
    /// The insurer is reviewing it.
    UnderReview,
    /// Final: the insurer accepted it.
    Accepted,
    /// Final: the insurer rejected it (with a reason).
    Rejected,
    /// The insurer proposed other lines; the IGO may revise and submit again.
    Countered,
    /// Final: the IGO withdrew it.
    Withdrawn,
}

impl Status {
    pub const ALL: [Status; 7] = [
        Status::Draft,
        Status::Submitted,
        Status::UnderReview,
        Status::Accepted,
        Status::Rejected,
        Status::Countered,
        Status::Withdrawn,
    ];

    /// accepted, rejected and withdrawn are final: nothing changes them any more.
    pub fn is_final(self) -> bool {
        matches!(self, Status::Accepted | Status::Rejected | Status::Withdrawn)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::Submitted => "submitted",
            Status::UnderReview => "under_review",
            Status::Accepted => "accepted",
            Status::Rejected => "rejected",
            Status::Countered => "countered",
            Status::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|status| status.as_str() == s)
    }
}

/// A lifecycle action requested through `POST /v1/proposals/{id}/transitions`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// IGO: send a draft or a revised countered proposal to the insurer.
    Submit,
    /// IGO: withdraw (from draft, submitted, under_review or countered).
    Withdraw,
    /// Insurer: start reviewing a submitted proposal.
    StartReview,
    /// Insurer: accept the proposal under review.
    Accept,
    /// Insurer: reject the proposal under review (reason required).
    Reject,
    /// Insurer: answer with its own lines (counter_lines required).
    Counter,
}

impl Action {
    pub const ALL: [Action; 6] =
        [Action::Submit, Action::Withdraw, Action::StartReview, Action::Accept, Action::Reject, Action::Counter];

    /// A verdict on the content the insurer reviewed (accept, reject): it must name that
    /// version, never "whatever is current".
    pub fn is_decision(self) -> bool {
        matches!(self, Action::Accept | Action::Reject)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Action::Submit => "submit",
            Action::Withdraw => "withdraw",
            Action::StartReview => "start_review",
            Action::Accept => "accept",
            Action::Reject => "reject",
            Action::Counter => "counter",
        }
    }

    /// The only role that may take this action.
    pub fn role(self) -> Role {
        match self {
            Action::Submit | Action::Withdraw => Role::Igo,
            Action::StartReview | Action::Accept | Action::Reject | Action::Counter => Role::Insurer,
        }
    }
}

/// Why a transition is refused (the API answers 409 with this text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransitionError {
    /// The action belongs to the other party.
    WrongRole { action: Action, role: Role },
    /// The action does not leave this status.
    NotFromStatus { action: Action, status: Status },
}

impl std::fmt::Display for TransitionError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TransitionError::WrongRole { action, role } => write!(
                f,
                "a caller with role {} may not {}; only role {} may",
                role.as_str(),
                action.as_str(),
                action.role().as_str()
            ),
            TransitionError::NotFromStatus { action, status } => {
                write!(f, "a proposal in status {} cannot {}", status.as_str(), action.as_str())
            }
        }
    }
}

/// The lifecycle: the status `action` by `role` leads to from `status`, or why not.
///
/// draft → submitted → under_review → accepted | rejected | countered; countered → submitted
/// (after the IGO revised it); withdrawn from draft, submitted, under_review or countered.
pub fn transition(status: Status, action: Action, role: Role) -> Result<Status, TransitionError> {
    if action.role() != role {
        return Err(TransitionError::WrongRole { action, role });
    }
    let next = match (status, action) {
        (Status::Draft | Status::Countered, Action::Submit) => Status::Submitted,
        (Status::Draft | Status::Submitted | Status::UnderReview | Status::Countered, Action::Withdraw) => {
            Status::Withdrawn
        }
        (Status::Submitted, Action::StartReview) => Status::UnderReview,
        (Status::UnderReview, Action::Accept) => Status::Accepted,
        (Status::UnderReview, Action::Reject) => Status::Rejected,
        (Status::UnderReview, Action::Counter) => Status::Countered,
        _ => return Err(TransitionError::NotFromStatus { action, status }),
    };
    Ok(next)
}

/// Every transition [`transition`] allows, as (from, action, to), in `Status::ALL` then
/// `Action::ALL` order: the table the docs draw the lifecycle picture from, so the picture is
/// this function's and cannot drift from it.
pub fn transitions() -> Vec<(Status, Action, Status)> {
    let mut edges = Vec::new();
    for status in Status::ALL {
        for action in Action::ALL {
            if let Ok(next) = transition(status, action, action.role()) {
                edges.push((status, action, next));
            }
        }
    }
    edges
}

/// Whether `role` may replace the editable content in `status`: only the IGO, while the
/// proposal is a draft or countered.
pub fn may_edit(status: Status, role: Role) -> Result<(), String> {
    match (role, status) {
        (Role::Igo, Status::Draft | Status::Countered) => Ok(()),
        (Role::Igo, status) => Err(format!(
            "a proposal in status {} cannot be edited; only draft and countered proposals can",
            status.as_str()
        )),
        (role, _) => Err(format!("a caller with role {} may not edit a proposal", role.as_str())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const ROLES: [Role; 3] = [Role::Igo, Role::Insurer, Role::Publisher];

    /// The complete table of allowed transitions; everything else is refused.
    const ALLOWED: [(Status, Action, Role, Status); 10] = [
        (Status::Draft, Action::Submit, Role::Igo, Status::Submitted),
        (Status::Countered, Action::Submit, Role::Igo, Status::Submitted),
        (Status::Draft, Action::Withdraw, Role::Igo, Status::Withdrawn),
        (Status::Submitted, Action::Withdraw, Role::Igo, Status::Withdrawn),
        (Status::UnderReview, Action::Withdraw, Role::Igo, Status::Withdrawn),
        (Status::Countered, Action::Withdraw, Role::Igo, Status::Withdrawn),
        (Status::Submitted, Action::StartReview, Role::Insurer, Status::UnderReview),
        (Status::UnderReview, Action::Accept, Role::Insurer, Status::Accepted),
        (Status::UnderReview, Action::Reject, Role::Insurer, Status::Rejected),
        (Status::UnderReview, Action::Counter, Role::Insurer, Status::Countered),
    ];

    #[test]
    fn the_drawn_table_is_the_allowed_one() {
        let drawn: Vec<_> = transitions().into_iter().map(|(s, a, n)| (s, a, a.role(), n)).collect();
        assert_eq!(drawn.len(), ALLOWED.len());
        assert!(ALLOWED.iter().all(|t| drawn.contains(t)));
    }

    #[test]
    fn exactly_the_documented_transitions_are_allowed() {
        let mut allowed = 0;
        for status in Status::ALL {
            for action in Action::ALL {
                for role in ROLES {
                    let expected = ALLOWED.iter().find(|(s, a, r, _)| *s == status && *a == action && *r == role);
                    match (transition(status, action, role), expected) {
                        (Ok(next), Some((_, _, _, want))) => {
                            assert_eq!(next, *want, "{status:?} {action:?} {role:?}");
                            allowed += 1;
                        }
                        (Err(_), None) => {}
                        (got, want) => panic!("{status:?} {action:?} {role:?}: got {got:?}, table says {want:?}"),
                    }
                }
            }
        }
        assert_eq!(allowed, ALLOWED.len());
    }

    #[test]
    fn refusals_say_why() {
        assert_eq!(
            transition(Status::UnderReview, Action::Accept, Role::Igo),
            Err(TransitionError::WrongRole { action: Action::Accept, role: Role::Igo })
        );
        let err = transition(Status::Accepted, Action::Withdraw, Role::Igo).unwrap_err();
        assert_eq!(err.to_string(), "a proposal in status accepted cannot withdraw");
    }

    #[test]
    fn editing_is_for_the_igo_in_draft_or_countered() {
        for status in Status::ALL {
            for role in ROLES {
                let ok = role == Role::Igo && matches!(status, Status::Draft | Status::Countered);
                assert_eq!(may_edit(status, role).is_ok(), ok, "{status:?} {role:?}");
            }
        }
    }

    #[test]
    fn status_names_round_trip() {
        for status in Status::ALL {
            assert_eq!(Status::parse(status.as_str()), Some(status));
            assert_eq!(serde_json::to_string(&status).unwrap(), format!("\"{}\"", status.as_str()));
        }
        for action in Action::ALL {
            assert_eq!(serde_json::to_string(&action).unwrap(), format!("\"{}\"", action.as_str()));
        }
    }

    fn any_status() -> impl Strategy<Value = Status> {
        proptest::sample::select(Status::ALL.to_vec())
    }
    fn any_action() -> impl Strategy<Value = Action> {
        proptest::sample::select(Action::ALL.to_vec())
    }
    fn any_role() -> impl Strategy<Value = Role> {
        proptest::sample::select(ROLES.to_vec())
    }

    proptest! {
        /// Final statuses never change, whatever anyone does.
        #[test]
        fn final_statuses_are_final(status in any_status(), action in any_action(), role in any_role()) {
            if status.is_final() {
                prop_assert!(transition(status, action, role).is_err());
            }
        }

        /// A publisher takes no action; each action belongs to exactly one role.
        #[test]
        fn only_the_owning_role_acts(status in any_status(), action in any_action(), role in any_role()) {
            if transition(status, action, role).is_ok() {
                prop_assert_eq!(role, action.role());
                prop_assert_ne!(role, Role::Publisher);
            }
        }

        /// No transition leads back to draft, and none leaves a status unchanged.
        #[test]
        fn transitions_move_forward(status in any_status(), action in any_action(), role in any_role()) {
            if let Ok(next) = transition(status, action, role) {
                prop_assert_ne!(next, Status::Draft);
                prop_assert_ne!(next, status);
            }
        }

        /// Any sequence of actions, taken by whichever role may, stays inside the lifecycle and
        /// ends once a final status is reached.
        #[test]
        fn random_walks_respect_the_lifecycle(actions in proptest::collection::vec(any_action(), 0..40)) {
            let mut status = Status::Draft;
            for action in actions {
                match transition(status, action, action.role()) {
                    Ok(next) => {
                        prop_assert!(!status.is_final());
                        status = next;
                    }
                    Err(TransitionError::NotFromStatus { .. }) => {}
                    Err(other) => prop_assert!(false, "unexpected {:?}", other),
                }
            }
        }
    }
}
