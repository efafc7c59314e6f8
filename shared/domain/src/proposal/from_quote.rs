//! A new proposal filled from a stored quote (`"from_quote": "<id>"`): the rules that turn a
//! quote's figures into proposal lines and a distribution key. Pure; the handler loads the quote.
//!
//! - Lines: the quote's prestaties with a volume above 0, in the quote's order, each with the
//!   quote's integral tariff. A proposal volume is a whole number, so a fractional quote volume
//!   (kraamzorg hours such as 23500.5) is refused, never rounded; so is a prestatie the quote
//!   prices at 0.00 (volume but no cost build-up), which has no tariff to propose.
//! - Distribution key: `fixed_shares` quotes give one share per provider, the quote's own
//!   percentages (0 for a provider without one). `cost_based` quotes give shares per prestatie:
//!   each provider's part of the prestatie's row of the quote's matrix, less the IGO's retained
//!   surcharges, as percentages with the proposal's 4 decimals, adding up to exactly 100 by the
//!   largest-remainder rule (`money::allocate_percentages`).
//! - Every failure is named by `/from_quote`, since the caller did not send these fields.

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;

use super::{DistributionKey, LineInput, MemberProvider, PrestatieShare, SHARE_DECIMALS};
use crate::error::FieldError;
use crate::money::{allocate_percentages, ExactDecimal};
use crate::quote::{DistributionMethod, MatrixRow, Quote};
use crate::validation::Errors;

/// The pointer every failure of a quote-filled proposal is named by.
pub const FROM_QUOTE: &str = "/from_quote";

fn refuse(errors: &mut Errors, detail: String) {
    errors.push(FROM_QUOTE, detail);
}

/// A whole, non-negative volume as a proposal takes it; `None` for a fraction.
fn whole(volume: Decimal) -> Option<u64> {
    let volume = volume.normalize();
    (volume.scale() == 0).then(|| volume.to_u64()).flatten()
}

/// The lines and distribution key a quote gives, or every reason it cannot give them.
pub fn lines_and_key(quote: &Quote) -> Result<(Vec<LineInput>, DistributionKey), Vec<FieldError>> {
    let mut errors = Errors::new();
    let mut lines = Vec::new();
    let mut rows: Vec<&MatrixRow> = Vec::new();
    for (p, line) in quote.result.prestaties.iter().enumerate() {
        let volume = line.volume.value();
        if volume <= Decimal::ZERO {
            continue;
        }
        let name = line.prestatie.label();
        let Some(volume) = whole(volume) else {
            refuse(
                &mut errors,
                format!(
                    "the quote's volume of {name} (its /prestaties/{p}/volume) is {}, not a whole number; a proposal \
                     volume is whole: quote whole hours, or send lines and distribution_key yourself with quote_id",
                    line.volume
                ),
            );
            continue;
        };
        if line.tariff.value().is_zero() {
            refuse(
                &mut errors,
                format!(
                    "the quote prices {name} (its /prestaties/{p}) at 0.00: it has volume but no cost build-up, so \
                     there is no tariff to propose"
                ),
            );
            continue;
        }
        match quote.result.matrix.iter().find(|row| row.prestatie == line.prestatie) {
            Some(row) => rows.push(row),
            None => refuse(&mut errors, format!("the quote has no matrix row for {name}")),
        }
        lines.push(LineInput {
            prestatie: line.prestatie.clone(),
            description: line.description.clone(),
            // An own prestatie keeps its unit; an NZa prestatie's is the catalogue's.
            unit: line.prestatie.nza().is_none().then_some(line.unit),
            volume,
            tariff: line.tariff,
        });
    }
    if lines.is_empty() && errors.is_empty() {
        refuse(&mut errors, "the quote has no prestatie with a volume above 0: nothing to propose".to_owned());
    }
    if !errors.is_empty() {
        return Err(errors.into_vec());
    }

    let providers = &quote.input.providers;
    let mut members: Vec<MemberProvider> = providers
        .iter()
        .map(|p| MemberProvider {
            agb: p.agb.clone(),
            name: p.name.clone(),
            kind: p.kind,
            share: None,
            shares: Vec::with_capacity(rows.len()),
        })
        .collect();
    match quote.input.distribution.method {
        DistributionMethod::FixedShares => {
            for member in &mut members {
                let given = quote.input.distribution.shares.iter().find(|s| s.provider == member.agb);
                let share = given.map_or(Decimal::ZERO, |s| s.percentage.value()).normalize();
                member.share = Some(ExactDecimal(share));
            }
        }
        DistributionMethod::CostBased => {
            for row in rows {
                // Each provider's cell, in the quote's provider order (0 when it has none).
                let weights: Vec<Decimal> = members
                    .iter()
                    .map(|m| row.providers.iter().find(|c| c.provider == m.agb).map_or(Decimal::ZERO, |c| c.amount.0))
                    .collect();
                match allocate_percentages(&weights, SHARE_DECIMALS) {
                    Ok(shares) => {
                        for (member, share) in members.iter_mut().zip(shares) {
                            member.shares.push(PrestatieShare {
                                prestatie: row.prestatie.clone(),
                                share: ExactDecimal(share.normalize()),
                            });
                        }
                    }
                    Err(_) => refuse(
                        &mut errors,
                        format!(
                            "the quote gives the providers nothing of {} (all goes to the IGO's surcharges), so it \
                             gives no distribution key for it",
                            row.prestatie.label()
                        ),
                    ),
                }
            }
        }
    }
    if errors.is_empty() {
        Ok((lines, DistributionKey { providers: members }))
    } else {
        Err(errors.into_vec())
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};

    use super::*;
    use crate::codes::AgbCode;
    use crate::identity::Role;
    use crate::prestatie::{Prestatie, ProviderKind};
    use crate::proposal::{Actor, DomainError, NewProposal, Period, Proposal};
    use crate::quote::{quote as compute_quote, QuoteRequest};

    const H: &str = "06111111"; // hospital
    const M: &str = "08222222"; // midwives' practice
    const K: &str = "33333333"; // kraamzorg
    const IGO: &str = "53012345";
    const QUOTE_ID: &str = "01JDQ7Z3K8M4V6W9X2Y5A7B3C1";

    /// A quote of the IGO: prenatal care from the hand-computed quote case (row H 70.00,
    /// M 864.16 of 974.61), kraamzorg in whole hours, and natal care without volume.
    fn quote_body() -> Value {
        json!({
            "period": 2027,
            "providers": [
                {"agb": H, "name": "Ziekenhuis Noord", "kind": "ziekenhuis"},
                {"agb": M, "name": "Verloskundigen De Wieg", "kind": "verloskundigenpraktijk"},
                {"agb": K, "name": "Kraamzorg Thuis", "kind": "kraamzorg"}
            ],
            "prestaties": [
                {"prestatie": "geboortezorg_prenataal", "volume": "7", "components": [
                    {"provider": M, "amount_per_unit": "123.45"}, {"provider": H, "amount_per_unit": "10.00"}]},
                {"prestatie": "geboortezorg_nataal", "volume": "0", "components": [
                    {"provider": H, "amount_per_unit": "900.00"}]},
                {"prestatie": "kraamzorg_postnataal_per_uur", "volume": "250.00", "components": [
                    {"provider": K, "amount_per_unit": "50.00"}]}
            ],
            "surcharges": {"organisation_costs": "3.33", "risk_reserve": "1.00"},
            "distribution": {"method": "cost_based"}
        })
    }

    fn quote_of(body: Value) -> Quote {
        let input: QuoteRequest = serde_json::from_value(body).expect("a well-formed quote request");
        let result = compute_quote(&input).expect("a valid quote request");
        Quote { id: QUOTE_ID.into(), owner_org: IGO.into(), created_at: chrono::Utc::now(), input, result }
    }

    fn details(errors: &[FieldError]) -> Vec<(&str, &str)> {
        errors.iter().map(|e| (e.pointer.as_str(), e.detail.as_str())).collect()
    }

    #[test]
    fn cost_based_quote_gives_its_tariffs_and_matrix_shares_per_prestatie() {
        let quote = quote_of(quote_body());
        let (lines, key) = lines_and_key(&quote).unwrap();
        let lines: Vec<_> =
            lines.iter().map(|l| (l.prestatie.nza().unwrap(), l.volume, l.tariff.to_string())).collect();
        // Natal care has no volume: no line. Kraamzorg 50.00 x 1.0433 = 52.165 → 52.17 (half up).
        assert_eq!(
            lines,
            [
                (Prestatie::GeboortezorgPrenataal, 7, "139.23".to_owned()),
                (Prestatie::KraamzorgPostnataalPerUur, 250, "52.17".to_owned())
            ]
        );
        // Prenatal providers' part 934.16: H 70.00 → 7.49336..%, M 864.16 → 92.50663..%; in
        // units of 0.0001% the floors leave one unit, which goes to H (remainder .63 > .37).
        let shares: Vec<Vec<String>> =
            key.providers.iter().map(|p| p.shares.iter().map(|s| s.share.to_string()).collect()).collect();
        assert_eq!(shares, [vec!["7.4934", "0"], vec!["92.5066", "0"], vec!["0", "100"]]);
        assert!(key.providers.iter().all(|p| p.share.is_none()));
        assert!(key.providers[0].shares.iter().map(|s| s.prestatie.nza().unwrap()).eq(lines.iter().map(|l| l.0)));
        let names: Vec<_> = key.providers.iter().map(|p| (p.agb.as_str(), p.name.as_str(), p.kind)).collect();
        assert_eq!(names[1], (M, "Verloskundigen De Wieg", ProviderKind::Verloskundigenpraktijk));
    }

    #[test]
    fn fixed_shares_quote_gives_one_share_per_provider() {
        let mut body = quote_body();
        body["distribution"] = json!({"method": "fixed_shares", "shares": [{"provider": M, "percentage": "62.50"}, {"provider": K, "percentage": "37.5"}]});
        let (_, key) = lines_and_key(&quote_of(body)).unwrap();
        let shares: Vec<_> = key.providers.iter().map(|p| p.share.map(|s| s.to_string())).collect();
        assert_eq!(shares, [Some("0".to_owned()), Some("62.5".to_owned()), Some("37.5".to_owned())]);
        assert!(key.providers.iter().all(|p| p.shares.is_empty()));
    }

    #[test]
    fn fractional_volumes_zero_tariffs_and_empty_quotes_are_refused() {
        let mut body = quote_body();
        body["prestaties"][2]["volume"] = json!("250.5");
        let errors = lines_and_key(&quote_of(body)).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].pointer, "/from_quote");
        assert!(errors[0].detail.contains("Kraamzorg postnataal per uur (its /prestaties/2/volume) is 250.5"));

        let mut body = quote_body();
        body["prestaties"][0]["components"] = json!([]);
        let errors = lines_and_key(&quote_of(body)).unwrap_err();
        assert!(details(&errors)[0].1.contains("prices Geboortezorg prenataal (its /prestaties/0) at 0.00"));

        let mut body = quote_body();
        body["prestaties"][0]["volume"] = json!("0");
        body["prestaties"][2]["volume"] = json!("0");
        let errors = lines_and_key(&quote_of(body)).unwrap_err();
        assert_eq!(
            details(&errors),
            [("/from_quote", "the quote has no prestatie with a volume above 0: nothing to propose")]
        );
    }

    #[test]
    fn whole_volumes_may_be_written_with_decimals() {
        assert_eq!(whole(Decimal::new(25000, 2)), Some(250));
        assert_eq!(whole(Decimal::new(25050, 2)), None);
        assert_eq!(whole(Decimal::ZERO), Some(0));
    }

    // Through `Proposal::create`: the request rules around `from_quote`.

    fn request(extra: Value) -> NewProposal {
        let mut body = json!({
            "igo": {"name": "IGO Noord"},
            "insurer": {"uzovi": "3311", "name": "Zilveren Kruis"},
            "policy_route": "integrale_bekostiging",
            "attention_points": {"client_scope": "all_clients"},
            "from_quote": QUOTE_ID
        });
        for (field, value) in extra.as_object().unwrap() {
            body[field] = value.clone();
        }
        serde_json::from_value(body).unwrap()
    }

    fn create(new: NewProposal, quote: Option<&Quote>) -> Result<Proposal, Vec<FieldError>> {
        let actor = Actor { sub: "u".into(), name: "U".into(), role: Role::Igo, org: IGO.into(), signatory: false };
        let igo = AgbCode::parse(IGO).unwrap();
        match Proposal::create("01TEST".into(), &igo, new, quote, actor, chrono::Utc::now()) {
            Ok(change) => Ok(change.proposal),
            Err(DomainError::Invalid(errors)) => Err(errors),
            Err(other) => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_proposal_from_a_quote_takes_its_lines_key_year_and_id() {
        let quote = quote_of(quote_body());
        let proposal = create(request(json!({})), Some(&quote)).unwrap();
        assert_eq!(proposal.period, Period { year: Some(2027), start: None, end: None });
        assert_eq!(proposal.year, 2027);
        assert_eq!(proposal.quote_id.as_deref(), Some(QUOTE_ID));
        let lines: Vec<_> =
            proposal.lines.iter().map(|l| (l.volume, l.tariff.to_string(), l.amount.to_string())).collect();
        assert_eq!(lines, [(7, "139.23".into(), "974.61".into()), (250, "52.17".into(), "13042.50".into())]);
        assert_eq!(proposal.totals.amount.to_string(), "14017.11");
        assert_eq!(proposal.distribution_key, lines_and_key(&quote).unwrap().1);

        // A period inside the quote's year is kept.
        let dates = json!({"period": {"start": "2027-03-01", "end": "2027-12-31"}});
        assert_eq!(create(request(dates), Some(&quote)).unwrap().period.start.unwrap().to_string(), "2027-03-01");
    }

    #[test]
    fn from_quote_refuses_conflicts_other_years_and_unknown_quotes_alike() {
        let quote = quote_of(quote_body());
        let conflict = json!({
            "lines": [{"prestatie": "geboortezorg_prenataal", "volume": 1, "tariff": "1.00"}],
            "distribution_key": {"providers": []},
            "quote_id": QUOTE_ID
        });
        let errors = create(request(conflict), Some(&quote)).unwrap_err();
        let pointers: Vec<_> = errors.iter().map(|e| e.pointer.as_str()).collect();
        assert_eq!(pointers, ["/lines", "/distribution_key", "/quote_id"]);
        assert!(errors[0].detail.contains("leave this out when from_quote is given"));

        let errors = create(request(json!({"period": {"year": 2026}})), Some(&quote)).unwrap_err();
        assert_eq!(details(&errors), [("/period/year", "must lie in the quote's year 2027")]);

        // Missing, another organisation's, or another id: one and the same answer.
        let unknown = [("/from_quote", "your organisation has no quote with this id")];
        assert_eq!(details(&create(request(json!({})), None).unwrap_err()), unknown);
        let foreign = Quote { owner_org: "53054321".into(), ..quote.clone() };
        assert_eq!(details(&create(request(json!({})), Some(&foreign)).unwrap_err()), unknown);
        let other_id = Quote { id: "01JDQ7Z3K8M4V6W9X2Y5A7B3C2".into(), ..quote.clone() };
        assert_eq!(details(&create(request(json!({})), Some(&other_id)).unwrap_err()), unknown);
        let malformed = create(request(json!({"from_quote": "no such/id"})), None).unwrap_err();
        assert_eq!(details(&malformed), [("/from_quote", crate::ids::IdKind::Ulid.rule())]);
    }

    #[test]
    fn without_from_quote_lines_key_and_period_are_required() {
        let mut new = request(json!({}));
        new.from_quote = None;
        let errors = create(new, None).unwrap_err();
        let pointers: Vec<_> = errors.iter().map(|e| e.pointer.as_str()).collect();
        assert_eq!(pointers, ["/period", "/lines", "/distribution_key"]);
    }

    #[test]
    fn proposal_rules_the_quote_breaks_are_named_by_from_quote() {
        // A quote allows a control character in a provider name; a proposal does not.
        let mut body = quote_body();
        body["providers"][0]["name"] = json!("Ziekenhuis\u{7}Noord");
        let errors = create(request(json!({})), Some(&quote_of(body))).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].pointer, "/from_quote");
        assert!(errors[0].detail.contains("/distribution_key/providers/0/name fails"), "{}", errors[0].detail);
    }

    proptest::proptest! {
        /// For any cost-based quote with whole volumes and a cost build-up, the key is valid:
        /// every line's shares are percentages with at most 4 decimals adding up to exactly 100.
        #[test]
        fn cost_based_keys_always_add_up_to_100(
            volumes in proptest::collection::vec(1u32..5_000, 1..=8),
            amounts in proptest::collection::vec(proptest::collection::vec(proptest::option::of(1i64..200_000), 3), 8),
            surcharge in 0i64..2_000,
        ) {
            let prestaties: Vec<Value> = volumes.iter().zip(&amounts).enumerate().map(|(p, (volume, row))| {
                let agbs = [H, M, K];
                let mut components: Vec<Value> = row.iter().zip(agbs).filter_map(|(a, agb)| a.map(|a| {
                    json!({"provider": agb, "amount_per_unit": Decimal::new(a, 2).to_string()})
                })).collect();
                if components.is_empty() {
                    components.push(json!({"provider": H, "amount_per_unit": "1.00"}));
                }
                json!({"prestatie": crate::catalogue::catalogue().regulation(2027).unwrap().prestaties[p].prestatie, "volume": volume.to_string(), "components": components})
            }).collect();
            let mut body = quote_body();
            body["prestaties"] = json!(prestaties);
            body["surcharges"] = json!({"risk_reserve": Decimal::new(surcharge, 2).to_string()});
            let quote = quote_of(body);
            let proposal = create(request(json!({})), Some(&quote)).map_err(|e| proptest::test_runner::TestCaseError::fail(format!("{e:?}")))?;
            proptest::prop_assert_eq!(proposal.lines.len(), volumes.len());
            for line in &proposal.lines {
                let sum: Decimal = proposal.distribution_key.providers.iter()
                    .flat_map(|p| p.shares.iter().filter(|s| s.prestatie == line.prestatie))
                    .map(|s| s.share.value()).sum();
                proptest::prop_assert_eq!(sum, Decimal::ONE_HUNDRED);
            }
        }
    }
}
