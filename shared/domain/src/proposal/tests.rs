//! Unit and property tests of proposal validation, totals and changes.

use super::*;
use proptest::prelude::*;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use serde_json::{json, Value};

use crate::codes::UzoviCode;
use crate::money::ExactDecimal;
use crate::prestatie::{Prestatie, PrestatieCode, Unit};

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-03-01T10:00:00Z").unwrap().with_timezone(&Utc)
}

fn sample() -> Value {
    json!({
        "igo": {"agb": "53012345", "name": "IGO Zuid"},
        "insurer": {"uzovi": "3311", "name": "Zilveren Kruis"},
        "period": {"year": 2026},
        "policy_route": "integrale_bekostiging",
        "lines": [
            {"prestatie": "geboortezorg_prenataal", "volume": 120, "tariff": "1234.50"},
            {"prestatie": "kraamzorg_postnataal_per_uur", "volume": 4000, "tariff": "61.25"}
        ],
        "distribution_key": {"providers": [
            {"agb": "08000001", "name": "Verloskundigen Oost", "kind": "verloskundigenpraktijk", "share": "60"},
            {"agb": "33000002", "name": "Kraamzorg Oost", "kind": "kraamzorg", "share": "40"}
        ]},
        "care_shifts": [{"kind": "planned", "prestatie": "geboortezorg_nataal", "from": "ziekenhuis", "to": "verloskundigenpraktijk", "share": "5.5"}],
        "attention_points": {"client_scope": "new_clients_only", "notes": "start 1 januari"}
    })
}

fn igo() -> AgbCode {
    AgbCode::parse("53012345").unwrap()
}

/// An IGO user, or the insurer's signatory (who may do everything an insurer may).
fn actor(role: Role) -> Actor {
    let org = if role == Role::Igo { "53012345" } else { "3311" };
    Actor { sub: "u".into(), name: "U. Ser".into(), role, org: org.into(), signatory: role == Role::Insurer }
}

fn create(body: Value) -> Result<Change, DomainError> {
    let new: NewProposal = crate::test_support::parse(&body)?;
    Proposal::create("01TEST".into(), &igo(), new, None, actor(Role::Igo), now())
}

/// The pointers of a refused body.
fn pointers(body: Value) -> Vec<String> {
    match create(body) {
        Err(DomainError::Invalid(errors)) => errors.into_iter().map(|e| e.pointer).collect(),
        other => panic!("expected a validation failure, got {other:?}"),
    }
}

fn with(mut body: Value, pointer: &str, value: Value) -> Value {
    *body.pointer_mut(pointer).unwrap_or_else(|| panic!("{pointer}")) = value;
    body
}

#[test]
fn a_valid_proposal_gets_its_totals() {
    let change = create(sample()).unwrap();
    let p = &change.proposal;
    assert_eq!(p.status, Status::Draft);
    assert_eq!(p.version, 1);
    assert_eq!(p.year, 2026);
    assert_eq!(p.lines[0].amount.0, dec!(148140.00));
    assert_eq!(p.lines[1].unit, Unit::Hour);
    assert_eq!(p.lines[1].amount.0, dec!(245000.00));
    assert_eq!(p.totals.amount.0, dec!(393140.00));
    assert_eq!(p.totals.amount.to_string(), "393140.00");
    assert_eq!((p.totals.clients, p.totals.hours), (120, 4000));
    assert_eq!(change.entry.action, HistoryAction::Create);
    assert!(p.submitted_at.is_none());
}

#[test]
fn submit_at_once_and_agb_from_the_token() {
    let mut body = with(sample(), "/igo", json!({"name": "IGO Zuid"}));
    body["submit"] = json!(true);
    let p = create(body).unwrap().proposal;
    assert_eq!(p.status, Status::Submitted);
    assert_eq!(p.igo.agb, igo());
    assert_eq!(p.submitted_at, Some(now()));
}

#[test]
fn each_validation_rule_names_its_field() {
    let cases: Vec<(Value, &str)> = vec![
        (with(sample(), "/igo/agb", json!("53054321")), "/igo/agb"),
        (with(sample(), "/igo/name", json!("  ")), "/igo/name"),
        (with(sample(), "/insurer/name", json!("x".repeat(201))), "/insurer/name"),
        (with(sample(), "/period", json!({"year": 1999})), "/period/year"),
        (with(sample(), "/period", json!({})), "/period"),
        (with(sample(), "/period", json!({"year": 2026, "start": "2026-01-01"})), "/period"),
        (with(sample(), "/period", json!({"start": "2026-02-01", "end": "2026-01-01"})), "/period/end"),
        (with(sample(), "/lines", json!([])), "/lines"),
        (with(sample(), "/lines/1/prestatie", json!("geboortezorg_prenataal")), "/lines/1/prestatie"),
        (with(sample(), "/lines/0/volume", json!(10_000_001)), "/lines/0/volume"),
        (with(sample(), "/lines/0/tariff", json!("-1")), "/lines/0/tariff"),
        (with(sample(), "/lines/0/tariff", json!("1.005")), "/lines/0/tariff"),
        (with(sample(), "/lines/0/tariff", json!("1000000000")), "/lines/0/tariff"),
        (with(sample(), "/distribution_key/providers/1/share", json!("39.99")), "/distribution_key/providers"),
        (
            with(sample(), "/distribution_key/providers/1/share", json!("40.00001")),
            "/distribution_key/providers/1/share",
        ),
        (with(sample(), "/distribution_key/providers/1/share", json!("-40")), "/distribution_key/providers/1/share"),
        (with(sample(), "/distribution_key/providers/1/agb", json!("08000001")), "/distribution_key/providers/1/agb"),
        (with(sample(), "/distribution_key/providers", json!([])), "/distribution_key/providers"),
        (with(sample(), "/care_shifts/0/to", json!("ziekenhuis")), "/care_shifts/0/to"),
        (with(sample(), "/care_shifts/0/share", json!("100.5")), "/care_shifts/0/share"),
        (with(sample(), "/attention_points/notes", json!("x".repeat(4001))), "/attention_points/notes"),
    ];
    for (body, pointer) in cases {
        let got = pointers(body);
        assert!(got.contains(&pointer.to_owned()), "expected {pointer}, got {got:?}");
    }
}

#[test]
fn quote_reference_is_never_taken_from_the_client() {
    // Issue 21: quote_id is set only through from_quote; a client's own is refused, well formed or not.
    let mut body = sample();
    for bad in ["01JD3M5X8Q2W7R4T6Y9V1J0K3P", "", "a b", "x/y", &"q".repeat(65), "01JD3M5X8Q2W7R4T6Y9U1I0O3P"] {
        body["quote_id"] = json!(bad);
        assert_eq!(pointers(body.clone()), vec!["/quote_id"], "{bad:?}");
    }
}

#[test]
fn shares_per_prestatie_add_up_per_prestatie() {
    let key = json!({"providers": [
        {"agb": "08000001", "name": "A", "kind": "verloskundigenpraktijk", "shares": [
            {"prestatie": "geboortezorg_prenataal", "share": "70.5"},
            {"prestatie": "kraamzorg_postnataal_per_uur", "share": "0"}]},
        {"agb": "33000002", "name": "B", "kind": "kraamzorg", "shares": [
            {"prestatie": "geboortezorg_prenataal", "share": "29.5"},
            {"prestatie": "kraamzorg_postnataal_per_uur", "share": "100"}]}
    ]});
    assert!(create(with(sample(), "/distribution_key", key.clone())).is_ok());
    let short = with(
        with(sample(), "/distribution_key", key.clone()),
        "/distribution_key/providers/1/shares/0/share",
        json!("29.4"),
    );
    assert_eq!(pointers(short), vec!["/distribution_key/providers"]);
    let foreign = with(
        with(sample(), "/distribution_key", key.clone()),
        "/distribution_key/providers/0/shares/1/prestatie",
        json!("geboortezorg_nataal"),
    );
    assert!(pointers(foreign).contains(&"/distribution_key/providers/0/shares/1/prestatie".to_owned()));
    let mut mixed = with(sample(), "/distribution_key", key);
    mixed["distribution_key"]["providers"][0]["share"] = json!("50");
    assert_eq!(pointers(mixed), vec!["/distribution_key/providers"]);
}

#[test]
fn unknown_fields_and_wrong_types_are_refused_by_shape() {
    let mut body = sample();
    body["surprise"] = json!(1);
    assert!(pointers(body).iter().any(|p| p.is_empty() || p == "/surprise"));
    assert_eq!(pointers(with(sample(), "/lines/0/tariff", json!(12.5))), vec!["/lines/0/tariff"]);
    assert_eq!(pointers(with(sample(), "/insurer/uzovi", json!("331"))), vec!["/insurer/uzovi"]);
    assert_eq!(pointers(with(sample(), "/lines/0/volume", json!(-1))), vec!["/lines/0/volume"]);
}

fn content_of(body: &Value) -> ProposalContent {
    let new: NewProposal = serde_json::from_value(body.clone()).unwrap();
    new.into_parts(None).unwrap().content
}

#[test]
fn editing_makes_a_new_version_only_when_allowed() {
    let p = create(sample()).unwrap().proposal;
    let edited = with(sample(), "/lines/0/volume", json!(130));
    let change = p.replace(content_of(&edited), actor(Role::Igo), now()).unwrap();
    assert_eq!(change.proposal.version, 2);
    assert_eq!(change.proposal.totals.amount.0, dec!(160485.00) + dec!(245000.00));
    assert_eq!(change.entry.action, HistoryAction::Edit);
    assert_eq!(change.entry.from_status, Some(Status::Draft));
    assert!(matches!(p.replace(content_of(&edited), actor(Role::Insurer), now()), Err(DomainError::Refused(_))));
    let submitted = p.apply(transition_request("submit"), actor(Role::Igo), now()).unwrap().proposal;
    assert!(matches!(submitted.replace(content_of(&edited), actor(Role::Igo), now()), Err(DomainError::Refused(_))));
}

fn transition_request(action: &str) -> TransitionRequest {
    serde_json::from_value(json!({"action": action})).unwrap()
}

#[test]
fn transitions_check_reason_and_counter_lines() {
    let p = create(sample()).unwrap().proposal;
    let p = p.apply(transition_request("submit"), actor(Role::Igo), now()).unwrap().proposal;
    let p = p.apply(transition_request("start_review"), actor(Role::Insurer), now()).unwrap().proposal;
    assert_eq!((p.status, p.version), (Status::UnderReview, 3));
    let Err(DomainError::Invalid(errors)) = p.apply(transition_request("reject"), actor(Role::Insurer), now()) else {
        panic!("reason required")
    };
    assert_eq!(errors[0].pointer, "/reason");
    let Err(DomainError::Invalid(errors)) = p.apply(transition_request("counter"), actor(Role::Insurer), now()) else {
        panic!("counter lines required")
    };
    assert_eq!(errors[0].pointer, "/counter_lines");
    let accept_with_lines: TransitionRequest =
        serde_json::from_value(json!({"action": "accept", "counter_lines": []})).unwrap();
    assert!(matches!(p.apply(accept_with_lines, actor(Role::Insurer), now()), Err(DomainError::Invalid(_))));
    let counter: TransitionRequest = serde_json::from_value(json!({"action": "counter", "reason": "te hoog",
        "counter_lines": [{"prestatie": "geboortezorg_prenataal", "volume": 120, "tariff": "1100.00"}]}))
    .unwrap();
    let change = p.apply(counter, actor(Role::Insurer), now()).unwrap();
    let counter = change.proposal.counter.as_ref().unwrap();
    assert_eq!(counter.totals.amount.0, dec!(132000.00));
    assert_eq!(change.proposal.lines, p.lines, "the IGO's lines stay beside the counter");
    assert_eq!(change.entry.reason.as_deref(), Some("te hoog"));
    assert!(matches!(p.apply(transition_request("accept"), actor(Role::Igo), now()), Err(DomainError::Refused(_))));
}

#[test]
fn visibility_follows_the_tenant_rule() {
    use crate::identity::{Caller, Org};
    let claims = |role, org: Org| Caller::new("s", role, org);
    let draft = create(sample()).unwrap().proposal;
    let own_igo = claims(Role::Igo, Org::Igo(igo()));
    let other_igo = claims(Role::Igo, Org::Igo(AgbCode::parse("53054321").unwrap()));
    let insurer = claims(Role::Insurer, Org::Insurer(UzoviCode::parse("3311").unwrap()));
    let other_insurer = claims(Role::Insurer, Org::Insurer(UzoviCode::parse("7029").unwrap()));
    assert!(draft.visible_to(&own_igo));
    assert!(!draft.visible_to(&other_igo));
    assert!(!draft.visible_to(&insurer), "drafts stay with the IGO");
    let submitted = draft.apply(transition_request("submit"), actor(Role::Igo), now()).unwrap().proposal;
    assert!(submitted.visible_to(&insurer));
    assert!(!submitted.visible_to(&other_insurer));
    assert!(!submitted.visible_to(&claims(Role::Publisher, Org::Publisher("x".into()))));
}

fn line_strategy() -> impl Strategy<Value = LineInput> {
    (0usize..9, 0u64..=MAX_VOLUME, 0i64..100_000_000_000i64).prop_map(|(p, volume, cents)| LineInput {
        prestatie: Prestatie::ALL[p].into(),
        description: None,
        unit: None,
        volume,
        tariff: ExactDecimal(Decimal::new(cents, 2)),
    })
}

proptest! {
    /// Totals are exact: the sum of the line amounts, each volume × tariff to the cent.
    #[test]
    fn totals_are_exact_sums(lines in proptest::collection::vec(line_strategy(), 0..9)) {
        let priced = priced_lines(&lines);
        let t = totals(&priced);
        let mut expected = Decimal::ZERO;
        for (line, input) in priced.iter().zip(&lines) {
            prop_assert_eq!(line.amount.0, Decimal::from(input.volume) * input.tariff.0);
            prop_assert_eq!(line.amount.0.scale(), 2);
            expected += line.amount.0;
        }
        prop_assert_eq!(t.amount.0, expected);
        prop_assert_eq!(t.amount.0.scale(), 2);
        prop_assert_eq!(t.clients + t.hours, lines.iter().map(|l| l.volume).sum::<u64>());
    }

    /// The order of the lines does not change the totals.
    #[test]
    fn totals_ignore_line_order(mut lines in proptest::collection::vec(line_strategy(), 0..9)) {
        let before = totals(&priced_lines(&lines));
        lines.reverse();
        prop_assert_eq!(totals(&priced_lines(&lines)), before);
    }

    /// Per-provider shares are accepted exactly when they add up to 100 (half the cases are
    /// completed to 100 on purpose, so both outcomes are exercised).
    #[test]
    fn shares_must_add_up_to_exactly_100(
        mut shares in proptest::collection::vec(0u32..=400_000, 1..6),
        complete in any::<bool>(),
        nudge in 0u32..3,
    ) {
        let others: u32 = shares[1..].iter().sum();
        if complete && others <= 1_000_000 {
            // 1 ten-thousandth off (nudge 0 or 2) or exact (nudge 1).
            shares[0] = (1_000_000 - others + nudge).saturating_sub(1);
        }
        let providers: Vec<Value> = shares.iter().enumerate().map(|(i, s)| json!({
            "agb": format!("0100{i:04}"), "name": "P", "kind": "other",
            "share": Decimal::new(i64::from(*s), 4).to_string()
        })).collect();
        let sum: Decimal = shares.iter().map(|s| Decimal::new(i64::from(*s), 4)).sum();
        let in_range = shares.iter().all(|s| *s <= 1_000_000);
        let body = with(sample(), "/distribution_key/providers", Value::Array(providers));
        prop_assert_eq!(create(body).is_ok(), in_range && sum == Decimal::ONE_HUNDRED);
    }
}

/// The details of a refused body, by pointer.
fn details(body: Value) -> Vec<(String, String)> {
    match create(body) {
        Err(DomainError::Invalid(errors)) => errors.into_iter().map(|e| (e.pointer, e.detail)).collect(),
        other => panic!("expected a validation failure, got {other:?}"),
    }
}

fn with_removed_prestatie(year: i32) -> Value {
    let mut body = with(sample(), "/period", json!({"year": year}));
    body["lines"].as_array_mut().unwrap().push(json!(
        {"prestatie": "begeleiding_eindigend_voor_16_weken", "volume": 10, "tariff": "300.00"}
    ));
    body
}

#[test]
fn a_removed_prestatie_is_refused_in_2026_saying_why_and_from_when() {
    let errors = details(with_removed_prestatie(2026));
    assert_eq!(errors.len(), 1, "{errors:?}");
    let (pointer, detail) = &errors[0];
    assert_eq!(pointer, "/lines/2/prestatie");
    assert!(detail.contains("not an integral prestatie in 2026"), "{detail}");
    assert!(detail.contains("removed from 2023"), "{detail}");
    assert!(detail.contains("geboortezorg_prenataal"), "{detail}");
    // The same line under the 2022 experiment is one of its nine prestaties.
    let change = create(with_removed_prestatie(2022)).unwrap();
    assert_eq!(change.proposal.lines.len(), 3);
    // A date range must fit every year it covers: within 2022 the line is fine, a range into
    // 2023 is refused for its 2023 part (it used to be judged by its start year alone).
    let within = with(with_removed_prestatie(2026), "/period", json!({"start": "2022-01-01", "end": "2022-12-31"}));
    assert!(create(within).is_ok());
    let across = with(with_removed_prestatie(2026), "/period", json!({"start": "2022-07-01", "end": "2023-06-30"}));
    let errors = details(across);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].0, "/lines/2/prestatie");
    assert!(errors[0].1.contains("not an integral prestatie in 2023"), "{}", errors[0].1);
}

#[test]
fn care_shifts_and_bundle_breakers_follow_the_year() {
    let mut body = with(sample(), "/care_shifts/0/prestatie", json!("begeleiding_eindigend_voor_16_weken"));
    body["attention_points"]["bundle_breakers"] = json!("Geen integrale declaratie bij een derde aanbieder.");
    let errors = details(body.clone());
    let pointers: Vec<_> = errors.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(pointers, ["/care_shifts/0/prestatie", "/attention_points/bundle_breakers"]);
    assert!(errors[1].1.contains("does not apply in 2026 (from 2023"), "{}", errors[1].1);
    // Both are the experiment's own in 2022.
    assert!(create(with(body, "/period", json!({"year": 2022}))).is_ok());
}

#[test]
fn no_integral_prestaties_before_the_experiment() {
    let errors = details(with(sample(), "/period", json!({"year": 2016})));
    assert_eq!(errors[0].0, "/period/year");
    assert!(errors[0].1.contains("starts in 2017"), "{}", errors[0].1);
}

#[test]
fn the_innovation_route_is_not_bound_to_the_catalogue() {
    let mut body = with_removed_prestatie(2026);
    body["policy_route"] = json!("innovatie");
    body["attention_points"]["bundle_breakers"] = json!("Eigen afspraak over parallelle declaraties.");
    assert!(create(body).is_ok());
}

#[test]
fn counter_lines_follow_the_proposals_year() {
    let p = create(sample()).unwrap().proposal;
    let p = p.apply(transition_request("submit"), actor(Role::Igo), now()).unwrap().proposal;
    let p = p.apply(transition_request("start_review"), actor(Role::Insurer), now()).unwrap().proposal;
    let counter: TransitionRequest = serde_json::from_value(json!({"action": "counter",
        "counter_lines": [{"prestatie": "begeleiding_eindigend_voor_16_weken", "volume": 1, "tariff": "1.00"}]}))
    .unwrap();
    let Err(DomainError::Invalid(errors)) = p.apply(counter, actor(Role::Insurer), now()) else {
        panic!("a removed prestatie in a 2026 counter is refused")
    };
    assert_eq!(errors[0].pointer, "/counter_lines/0/prestatie");
}

#[test]
fn a_stored_proposal_of_an_earlier_year_reads_as_it_was() {
    // Stored as the API wrote it under the 2022 experiment: nine prestaties and bundle breakers.
    let mut body = with_removed_prestatie(2022);
    body["attention_points"]["bundle_breakers"] = json!("Uitgesloten.");
    let stored = serde_json::to_value(create(body).unwrap().proposal).unwrap();
    let read: Proposal = serde_json::from_value(stored.clone()).unwrap();
    assert_eq!(serde_json::to_value(read).unwrap(), stored);
}

fn innovation() -> Value {
    let mut body = with(sample(), "/policy_route", json!("innovatie"));
    body["lines"][1] = json!({"prestatie": "INNO-KRAAM-UUR", "description": "Kraamzorg thuis en in het geboortecentrum",
        "unit": "hour", "volume": 4000, "tariff": "61.25"});
    body
}

#[test]
fn the_innovation_route_takes_an_own_prestatie_with_its_description_and_unit() {
    let change = create(innovation()).unwrap();
    let line = &change.proposal.lines[1];
    assert_eq!(line.prestatie, PrestatieCode::Own("INNO-KRAAM-UUR".into()));
    assert_eq!(line.description.as_deref(), Some("Kraamzorg thuis en in het geboortecentrum"));
    assert_eq!(line.unit, Unit::Hour);
    assert_eq!((change.proposal.totals.clients, change.proposal.totals.hours), (120, 4000), "its unit counts");
    // Stored and read back as sent; an NZa line carries neither description nor unit input.
    let stored = serde_json::to_value(&change.proposal).unwrap();
    assert_eq!(stored["lines"][1]["prestatie"], "INNO-KRAAM-UUR");
    assert!(stored["lines"][0].get("description").is_none());
    let read: Proposal = serde_json::from_value(stored).unwrap();
    assert_eq!(read, change.proposal);
    // Shares per prestatie name the own code.
    let mut body = innovation();
    body["distribution_key"]["providers"][0]["share"] = Value::Null;
    body["distribution_key"]["providers"][1]["share"] = Value::Null;
    for (i, own) in [(0, "25"), (1, "75")] {
        let provider = &mut body["distribution_key"]["providers"][i];
        provider.as_object_mut().unwrap().remove("share");
        provider["shares"] = json!([{"prestatie": "geboortezorg_prenataal", "share": "50"}, {"prestatie": "INNO-KRAAM-UUR", "share": own}]);
    }
    assert!(create(body).is_ok());
}

#[test]
fn an_own_prestatie_is_validated_for_shape_only_and_only_on_the_innovation_route() {
    let mut body = innovation();
    body["lines"][1] = json!({"prestatie": "INNO KRAAM", "volume": 1, "tariff": "1.00"});
    body["lines"][0]["unit"] = json!("client");
    assert_eq!(
        pointers(body),
        ["/lines/0/unit", "/lines/1/prestatie", "/lines/1/description", "/lines/1/unit"],
        "a bad code, a missing description and unit; an NZa prestatie takes no unit"
    );
    let mut body = innovation();
    body["lines"][1]["description"] = json!(" ");
    assert_eq!(pointers(body), ["/lines/1/description"]);
    // The same own prestatie under the integral route: refused, naming the route it needs.
    let errors = details(with(innovation(), "/policy_route", json!("integrale_bekostiging")));
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].0, "/lines/1/prestatie");
    assert!(errors[0].1.contains("needs policy_route innovatie"), "{}", errors[0].1);
}

/// Issue 21: the insurer sees what was sent to it, never the IGO's unsent drafts or revisions.
#[test]
fn the_insurer_sees_only_what_was_sent_to_it() {
    use crate::identity::Org;
    let insurer = Caller::new("ins-user", Role::Insurer, Org::Insurer(UzoviCode::parse("3311").unwrap()));
    let igo_caller = Caller::new("igo-user", Role::Igo, Org::Igo(igo()));
    let act = |p: &Proposal, role: Role, action: Action| {
        let reason = (action == Action::Reject || action == Action::Withdraw).then(|| "r".to_owned());
        let counter_lines = (action == Action::Counter).then(|| {
            vec![crate::test_support::parse::<LineInput>(
                &json!({"prestatie": "geboortezorg_prenataal", "volume": 1, "tariff": "1.00"}),
            )
            .unwrap()]
        });
        p.apply(TransitionRequest { action, reason, counter_lines }, actor(role), now()).unwrap()
    };
    let edit = |p: &Proposal, tariff: &str| {
        let mut content = sample();
        content["lines"][0]["tariff"] = json!(tariff);
        let content: ProposalContent = crate::test_support::parse(&json!({
            "period": content["period"], "policy_route": content["policy_route"], "lines": content["lines"],
            "distribution_key": content["distribution_key"], "care_shifts": content["care_shifts"],
            "attention_points": content["attention_points"]
        }))
        .unwrap();
        p.replace(content, actor(Role::Igo), now()).unwrap()
    };

    // v1 draft at 1180.00, v2 edited: nothing is sent, the insurer sees nothing.
    let mut entries = Vec::new();
    let c = create(with(sample(), "/lines/0/tariff", json!("1180.00"))).unwrap();
    entries.push(c.entry.clone());
    let c = edit(&c.proposal, "1234.50");
    entries.push(c.entry.clone());
    assert_eq!(c.proposal.shown_to(&insurer), Shown::Nothing);
    assert_eq!(c.proposal.shown_to(&igo_caller), Shown::Current);
    // v3 submitted: from here on the insurer sees it, and it has version 3.
    let c = act(&c.proposal, Role::Igo, Action::Submit);
    entries.push(c.entry.clone());
    assert_eq!((c.proposal.shown_to(&insurer), c.proposal.sent_version), (Shown::Current, Some(3)));
    // v4 review, v5 counter: the insurer's own actions.
    let c = act(&c.proposal, Role::Insurer, Action::StartReview);
    entries.push(c.entry.clone());
    let c = act(&c.proposal, Role::Insurer, Action::Counter);
    entries.push(c.entry.clone());
    assert_eq!(c.proposal.shown_to(&insurer), Shown::Current);
    let v5 = c.proposal.clone();
    // v6, v7: the IGO revises; the insurer keeps seeing v5 until the IGO submits again.
    let c = edit(&c.proposal, "1200.00");
    entries.push(c.entry.clone());
    let c = edit(&c.proposal, "1190.00");
    entries.push(c.entry.clone());
    assert_eq!(c.proposal.shown_to(&insurer), Shown::Sent(5));
    assert_eq!(c.proposal.shown_to(&igo_caller), Shown::Current);
    let countered = c.proposal.clone();
    // v8 submitted again: the insurer sees the revision.
    let c = act(&countered, Role::Igo, Action::Submit);
    entries.push(c.entry.clone());
    assert_eq!(c.proposal.shown_to(&insurer), Shown::Current);

    // History: the insurer sees v3, v4, v5 and v8, with the IGO's subjects left out.
    let seen: Vec<_> = entries.iter().filter_map(|e| e.seen_by(Role::Insurer)).collect();
    assert_eq!(seen.iter().map(|e| e.version).collect::<Vec<_>>(), [3, 4, 5, 8]);
    assert!(seen.iter().all(|e| (e.actor.role == Role::Igo) == e.actor.sub.is_empty()));
    assert!(seen.iter().all(|e| (e.actor.role == Role::Igo) == e.actor.name.is_empty()));
    assert!(seen.iter().all(|e| !e.actor.org.is_empty()));
    let igo_seen: Vec<_> = entries.iter().filter_map(|e| e.seen_by(Role::Igo)).collect();
    assert_eq!(igo_seen.len(), entries.len());
    assert!(igo_seen.iter().all(|e| (e.actor.role == Role::Insurer) == e.actor.sub.is_empty()));

    // Withdrawn during a revision: the insurer learns of the withdrawal, not of the revision.
    let w = act(&countered, Role::Igo, Action::Withdraw);
    assert_eq!(w.proposal.shown_to(&insurer), Shown::Sent(5));
    let shown = w.proposal.as_sent(v5.clone());
    assert_eq!((shown.status, shown.version, &shown.lines), (Status::Withdrawn, 8, &v5.lines));
    assert_eq!(shown.lines[0].tariff.value(), dec!(1234.50));
    assert!(w.entry.seen_by(Role::Insurer).is_some());
}

/// Issue 21 item 3: a proposal's versions are capped; at the cap edits and counters are refused
/// (409 limit-reached at the edge) while the actions that end a negotiation still work.
#[test]
fn at_the_version_cap_edits_and_counters_are_refused_but_the_negotiation_can_end() {
    use crate::limits::MAX_VERSIONS_PER_PROPOSAL;
    let draft = create(sample()).unwrap().proposal;
    let at_cap = Proposal { version: MAX_VERSIONS_PER_PROPOSAL, ..draft.clone() };
    let below = Proposal { version: MAX_VERSIONS_PER_PROPOSAL - 1, ..draft };
    assert!(below.replace(content_of(&sample()), actor(Role::Igo), now()).is_ok());
    let refused = at_cap.replace(content_of(&sample()), actor(Role::Igo), now()).unwrap_err();
    assert!(matches!(&refused, DomainError::LimitReached(reason) if reason.contains("250 versions")), "{refused:?}");

    let submitted = at_cap.apply(transition_request("submit"), actor(Role::Igo), now()).unwrap().proposal;
    let reviewing = submitted.apply(transition_request("start_review"), actor(Role::Insurer), now()).unwrap().proposal;
    let counter: TransitionRequest = serde_json::from_value(json!({"action": "counter",
        "counter_lines": [{"prestatie": "geboortezorg_prenataal", "volume": 120, "tariff": "1100.00"}]}))
    .unwrap();
    assert!(matches!(reviewing.apply(counter, actor(Role::Insurer), now()), Err(DomainError::LimitReached(_))));
    let accepted = reviewing.apply(transition_request("accept"), actor(Role::Insurer), now()).unwrap();
    assert_eq!(accepted.proposal.status, Status::Accepted);
    let withdraw: TransitionRequest = serde_json::from_value(json!({"action": "withdraw"})).unwrap();
    assert!(submitted.apply(withdraw, actor(Role::Igo), now()).is_ok());
}

/// The open-drafts counter moves by what a change does to the draft status.
#[test]
fn open_draft_delta_counts_drafts_made_and_ended() {
    let draft = create(sample()).unwrap();
    assert_eq!(draft.open_draft_delta(), 1);
    let mut at_once = sample();
    at_once["submit"] = json!(true);
    assert_eq!(create(at_once).unwrap().open_draft_delta(), 0);
    let edit = draft.proposal.replace(content_of(&sample()), actor(Role::Igo), now()).unwrap();
    assert_eq!(edit.open_draft_delta(), 0);
    let submit = draft.proposal.apply(transition_request("submit"), actor(Role::Igo), now()).unwrap();
    assert_eq!(submit.open_draft_delta(), -1);
    let withdraw: TransitionRequest = serde_json::from_value(json!({"action": "withdraw"})).unwrap();
    assert_eq!(draft.proposal.apply(withdraw, actor(Role::Igo), now()).unwrap().open_draft_delta(), -1);
    let resubmit_path = submit.proposal.apply(transition_request("start_review"), actor(Role::Insurer), now());
    assert_eq!(resubmit_path.unwrap().open_draft_delta(), 0);
}

#[test]
fn only_a_signatory_accepts_or_rejects_while_colleagues_review_and_counter() {
    let colleague = Actor { signatory: false, ..actor(Role::Insurer) };
    let draft = create(sample()).unwrap().proposal;
    let submitted = draft.apply(transition_request("submit"), actor(Role::Igo), now()).unwrap().proposal;
    let in_review = submitted.apply(transition_request("start_review"), colleague.clone(), now()).unwrap().proposal;
    let counter: TransitionRequest = serde_json::from_value(json!({"action": "counter", "reason": "te hoog",
        "counter_lines": [{"prestatie": "geboortezorg_prenataal", "volume": 120, "tariff": "1100.00"}]}))
    .unwrap();
    assert!(in_review.apply(counter, colleague.clone(), now()).is_ok(), "a colleague may counter");
    for action in [Action::Accept, Action::Reject] {
        let mut decision = transition_request(action.as_str());
        decision.reason = Some("te hoog".into());
        match in_review.apply(decision.clone(), colleague.clone(), now()) {
            Err(DomainError::Forbidden(why)) => assert!(why.contains(action.as_str()), "{why}"),
            other => panic!("{action:?} by a non-signatory: {other:?}"),
        }
        let signed = in_review.apply(decision, actor(Role::Insurer), now()).unwrap();
        assert!(signed.entry.actor.signatory, "the history records that a signatory acted");
        assert_eq!(signed.entry.actor.name, "U. Ser");
    }
}
