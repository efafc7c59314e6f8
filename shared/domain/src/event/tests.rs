//! Unit tests of the event rules: one event per change, addressed to the right parties, with
//! the version each is shown, and nothing confidential.

use chrono::{DateTime, Utc};
use serde_json::json;

use super::*;
use crate::codes::AgbCode;
use crate::proposal::{Actor, NewProposal, TransitionRequest};

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-03-01T10:00:00Z").unwrap().with_timezone(&Utc)
}

fn body(submit: bool) -> serde_json::Value {
    json!({
        "igo": {"agb": "53012345", "name": "IGO Zuid"},
        "insurer": {"uzovi": "3311", "name": "Zilveren Kruis"},
        "period": {"year": 2026},
        "policy_route": "integrale_bekostiging",
        "lines": [{"prestatie": "geboortezorg_prenataal", "volume": 120, "tariff": "1234.50"}],
        "distribution_key": {"providers": [
            {"agb": "08000001", "name": "Verloskundigen Oost", "kind": "verloskundigenpraktijk", "share": "100"}
        ]},
        "care_shifts": [],
        "attention_points": {"client_scope": "new_clients_only", "notes": "vertrouwelijk"},
        "submit": submit
    })
}

fn actor(role: Role) -> Actor {
    let org = if role == Role::Igo { "53012345" } else { "3311" };
    Actor { sub: "u".into(), name: "U".into(), role, org: org.into(), signatory: role == Role::Insurer }
}

fn create(submit: bool) -> Change {
    let new: NewProposal = serde_json::from_value(body(submit)).unwrap();
    Proposal::create("01TEST".into(), &AgbCode::parse("53012345").unwrap(), new, None, actor(Role::Igo), now()).unwrap()
}

fn act(p: &Proposal, action: &str, role: Role) -> Change {
    let mut request = json!({"action": action});
    if action == "counter" {
        request["counter_lines"] = json!([{"prestatie": "geboortezorg_prenataal", "volume": 120, "tariff": "1100.00"}]);
    }
    if action == "reject" {
        request["reason"] = json!("te hoog");
    }
    let request: TransitionRequest = serde_json::from_value(request).unwrap();
    p.apply(request, actor(role), now()).unwrap()
}

fn edit(p: &Proposal) -> Change {
    let new: NewProposal = serde_json::from_value(body(false)).unwrap();
    let content = new.into_parts(None).unwrap().content;
    p.replace(content, actor(Role::Igo), now()).unwrap()
}

/// (recipient role, type, version) of each copy.
fn copies(change: &Change) -> Vec<(Role, &'static str, Option<u64>)> {
    proposal_events("01EVENT", change)
        .into_iter()
        .map(|a| (a.recipient.unwrap().role, a.event.event_type.as_str(), a.event.resource.version))
        .collect()
}

#[test]
fn type_names_round_trip_and_only_editions_are_public() {
    for t in EventType::ALL {
        assert_eq!(EventType::parse(t.as_str()), Some(t));
        assert_eq!(serde_json::to_value(t).unwrap(), json!(t.as_str()));
        assert_eq!(t.is_public(), t == EventType::ThemesEditionPublished);
    }
    assert_eq!(EventType::parse("proposal.nope"), None);
}

#[test]
fn a_negotiation_tells_each_party_what_reaches_it() {
    let draft = create(false);
    assert_eq!(copies(&draft), [(Role::Igo, "proposal.created", Some(1))], "a draft is the IGO's alone");
    let edited = edit(&draft.proposal);
    assert_eq!(copies(&edited), [(Role::Igo, "proposal.revised", Some(2))]);
    let submitted = act(&edited.proposal, "submit", Role::Igo);
    assert_eq!(
        copies(&submitted),
        [(Role::Igo, "proposal.submitted", Some(3)), (Role::Insurer, "proposal.submitted", Some(3))]
    );
    let review = act(&submitted.proposal, "start_review", Role::Insurer);
    let countered = act(&review.proposal, "counter", Role::Insurer);
    assert_eq!(copies(&countered)[1], (Role::Insurer, "proposal.countered", Some(5)));
    // The IGO's revision of a countered proposal is its own; the insurer keeps version 5.
    let revised = edit(&countered.proposal);
    assert_eq!(copies(&revised), [(Role::Igo, "proposal.revised", Some(6))]);
    let resubmitted = act(&revised.proposal, "submit", Role::Igo);
    assert_eq!(copies(&resubmitted)[1], (Role::Insurer, "proposal.submitted", Some(7)));
    let review = act(&resubmitted.proposal, "start_review", Role::Insurer);
    let accepted = act(&review.proposal, "accept", Role::Insurer);
    assert_eq!(
        copies(&accepted),
        [(Role::Igo, "proposal.accepted", Some(9)), (Role::Insurer, "proposal.accepted", Some(9))]
    );
}

#[test]
fn submitted_at_once_reaches_the_insurer_and_withdrawals_follow_what_it_was_sent() {
    let created = create(true);
    assert_eq!(
        copies(&created),
        [(Role::Igo, "proposal.created", Some(1)), (Role::Insurer, "proposal.created", Some(1))]
    );
    // A never-submitted draft withdrawn: the insurer never knew of it.
    let withdrawn = act(&create(false).proposal, "withdraw", Role::Igo);
    assert_eq!(copies(&withdrawn), [(Role::Igo, "proposal.withdrawn", Some(2))]);
    // Withdrawn while an unsent revision exists: the insurer is told (and shown) the withdrawal.
    let p = act(&created.proposal, "start_review", Role::Insurer).proposal;
    let p = act(&p, "counter", Role::Insurer).proposal;
    let p = edit(&p).proposal;
    let withdrawn = act(&p, "withdraw", Role::Igo);
    assert_eq!(copies(&withdrawn)[1], (Role::Insurer, "proposal.withdrawn", Some(5)));
    let rejected = act(&act(&created.proposal, "start_review", Role::Insurer).proposal, "reject", Role::Insurer);
    assert_eq!(copies(&rejected)[1].1, "proposal.rejected");
}

#[test]
fn events_are_thin_and_share_one_id() {
    let change = act(&create(false).proposal, "submit", Role::Igo);
    let events = proposal_events("01EVENT", &change);
    let text = serde_json::to_string(&events.iter().map(|a| &a.event).collect::<Vec<_>>()).unwrap();
    for secret in ["vertrouwelijk", "1234.50", "Verloskundigen", "IGO Zuid", "Zilveren"] {
        assert!(!text.contains(secret), "{secret} leaked: {text}");
    }
    assert!(events.iter().all(|a| a.event.id == "01EVENT" && !a.event.public));
    let event = &events[0].event;
    assert_eq!(event.resource.href, "/v1/proposals/01TEST");
    assert_eq!(event.resource.etag.as_deref(), Some("\"2\""));
    assert_eq!(event.organisations.len(), 2);
    assert_eq!(serde_json::to_value(event).unwrap()["type"], json!("proposal.submitted"));
}

#[test]
fn an_edition_event_is_public_and_addressed_to_no_one() {
    let event = edition_published("01EVENT", "2026-02", now());
    assert!(event.recipient.is_none() && event.event.public && event.event.organisations.is_empty());
    assert_eq!(event.event.resource.href, "/v1/themes/editions/2026-02");
    assert_eq!(event.event.resource.kind, ResourceKind::ThemesEdition);
}
