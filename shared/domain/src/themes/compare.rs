//! The Wlz tariff comparison: what each zorgkantoor's rules give one provider profile, as an
//! exact percentage, a range, or a bound the source leaves open, with the rules that decided it.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{
    Condition, Confidence, Direction, EditionDocument, RuleKind, SourceRef, Surcharge, TariffRule, Zorgkantoor,
    ZorgkantoorId,
};
use crate::error::DomainError;
use crate::money::{cents, ExactDecimal};
use crate::validation::Errors;

/// A provider's profile for the comparison.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProviderProfile {
    /// A provider without a contract with the zorgkantoor so far.
    #[serde(default)]
    pub new_provider: bool,
    /// The provider has a role in essential facilities (coordination, acute care, ANW, treatment).
    #[serde(default)]
    pub essential_facility: bool,
    /// The provider uses proven labour-saving technology.
    #[serde(default)]
    pub proven_labour_saving_technology: bool,
    /// Other surcharges the provider qualifies for.
    #[serde(default)]
    pub surcharges: Vec<Surcharge>,
    /// The provider's tariff percentage of the previous year (2023), which a monitor rule
    /// moves; without it such a rule's outcome stays open.
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "95.5")]
    pub previous_percentage: Option<ExactDecimal>,
}

impl ProviderProfile {
    fn meets(&self, condition: Condition) -> bool {
        match condition {
            Condition::NewProvider => self.new_provider,
            Condition::EssentialFacility => self.essential_facility,
            Condition::ProvenLabourSavingTechnology => self.proven_labour_saving_technology,
            other => self.surcharges.iter().any(|s| Condition::from(*s) == other),
        }
    }
}

/// Whether the rules fix one percentage, a range, or leave (one end of) it open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Determination {
    Exact,
    Range,
    Open,
}

/// A rule that shaped a quote, with its effect and its source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AppliedRule {
    pub kind: String,
    /// What the rule did here, in plain words.
    pub effect: String,
    pub source: SourceRef,
    /// The confidence of the cell the rule comes from.
    pub confidence: Confidence,
}

/// One zorgkantoor's answer for a profile: a percentage (exact) or bounds (range / open; a
/// missing bound is one the source leaves open), and the amounts on the NZa tariff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ZorgkantoorQuote {
    pub zorgkantoor: ZorgkantoorId,
    pub name: String,
    pub determination: Determination,
    #[schema(value_type = Option<String>)]
    pub percentage: Option<Decimal>,
    #[schema(value_type = Option<String>)]
    pub amount: Option<Decimal>,
    #[schema(value_type = Option<String>)]
    pub min_percentage: Option<Decimal>,
    #[schema(value_type = Option<String>)]
    pub max_percentage: Option<Decimal>,
    #[schema(value_type = Option<String>)]
    pub min_amount: Option<Decimal>,
    #[schema(value_type = Option<String>)]
    pub max_amount: Option<Decimal>,
    pub applied_rules: Vec<AppliedRule>,
    /// Rules without a number that apply, or may apply, to this profile.
    pub caveats: Vec<AppliedRule>,
}

/// Bounds of a percentage while rules are applied; `None` is an open bound.
#[derive(Debug, Clone, Copy)]
struct Bounds {
    min: Option<Decimal>,
    max: Option<Decimal>,
}

impl Bounds {
    fn exact(v: Decimal) -> Self {
        Bounds { min: Some(v), max: Some(v) }
    }
    fn shift(self, below: Decimal, above: Decimal) -> Self {
        Bounds { min: self.min.map(|m| m - below), max: self.max.map(|m| m + above) }
    }
}

fn pct(d: Decimal) -> String {
    format!("{}%", d.normalize())
}

/// Checks a comparison's inputs before any rule is applied: a positive NZa maximum tariff in
/// whole cents, and a previous percentage (when given) above 0 and at most 100.
pub fn validate_comparison(nza_max_tariff: ExactDecimal, profile: &ProviderProfile) -> Result<(), DomainError> {
    let mut errors = Errors::new();
    let tariff = nza_max_tariff.value();
    if tariff <= Decimal::ZERO || tariff.scale() > 2 {
        errors.push("/nza_max_tariff", "a positive amount with at most 2 decimals");
    }
    if let Some(previous) = profile.previous_percentage {
        if previous.value() <= Decimal::ZERO || previous.value() > Decimal::ONE_HUNDRED {
            errors.push("/profile/previous_percentage", "a percentage above 0 and at most 100");
        }
    }
    errors.finish()
}

/// The tariff each zorgkantoor's rules give a provider with `profile`, on `nza_max_tariff`
/// (the NZa maximum tariff amount), side by side in the edition's column order.
pub fn compare_tariffs(
    doc: &EditionDocument,
    profile: &ProviderProfile,
    nza_max_tariff: Decimal,
) -> Vec<ZorgkantoorQuote> {
    doc.zorgkantoren.iter().map(|z| quote_for(doc, z, profile, nza_max_tariff)).collect()
}

fn quote_for(doc: &EditionDocument, z: &Zorgkantoor, profile: &ProviderProfile, tariff: Decimal) -> ZorgkantoorQuote {
    let confidence = |rule: &TariffRule| {
        doc.cell(rule.zorgkantoor, rule.source.theme).map(|c| c.confidence).unwrap_or(Confidence::Low)
    };
    let mut applied = Vec::new();
    let mut caveats = Vec::new();
    let note = |list: &mut Vec<AppliedRule>, rule: &TariffRule, kind: &str, effect: String| {
        list.push(AppliedRule { kind: kind.into(), effect, source: rule.source.clone(), confidence: confidence(rule) })
    };
    let rules: Vec<&TariffRule> = doc.rules_of(z.id).collect();

    // 1. The starting percentage: a role percentage, else the zorgkantoor's guide, else the
    //    national guide.
    let guide = rules.iter().find_map(|r| match &r.rule {
        RuleKind::GuidePercentage { percentage } => Some((*r, percentage.value())),
        _ => None,
    });
    let mut bounds = match guide {
        Some((rule, p)) => {
            note(&mut applied, rule, "guide_percentage", format!("starts from the guide percentage {}", pct(p)));
            Bounds::exact(p)
        }
        None => Bounds::exact(doc.national_context.guide_tariff_percentage.value()),
    };
    for rule in &rules {
        if let RuleKind::RolePercentage { condition, percentage } = &rule.rule {
            if profile.meets(*condition) {
                bounds = Bounds::exact(percentage.value());
                note(&mut applied, rule, "role_percentage", format!("{} for this role", pct(percentage.value())));
            }
        }
    }

    // 2. New providers, or the monitor for existing ones.
    if profile.new_provider {
        let fixed = rules.iter().find_map(|r| match &r.rule {
            RuleKind::NewProviderPercentage { percentage } => Some((*r, percentage.value())),
            _ => None,
        });
        let reduction = rules.iter().find_map(|r| match &r.rule {
            RuleKind::NewProviderReduction { points } => Some((*r, points.value())),
            _ => None,
        });
        if let Some((rule, p)) = fixed {
            bounds = Bounds::exact(p);
            note(&mut applied, rule, "new_provider_percentage", format!("new providers get {}", pct(p)));
        } else if let Some((rule, points)) = reduction {
            bounds = bounds.shift(points, -points);
            note(
                &mut applied,
                rule,
                "new_provider_reduction",
                format!("new providers: {} points lower", points.normalize()),
            );
        }
    } else {
        for rule in &rules {
            if let RuleKind::MonitorRange { below_points, above_points } = &rule.rule {
                match profile.previous_percentage {
                    Some(prev) => {
                        bounds = Bounds::exact(prev.value()).shift(below_points.value(), above_points.value());
                        note(
                            &mut applied,
                            rule,
                            "monitor_range",
                            format!(
                                "the monitor moves the previous {} by -{} to +{} points",
                                pct(prev.value()),
                                below_points.value().normalize(),
                                above_points.value().normalize()
                            ),
                        );
                    }
                    None => {
                        bounds = Bounds { min: None, max: None };
                        note(
                            &mut caveats,
                            rule,
                            "monitor_range",
                            "the monitor moves the provider's previous percentage; send previous_percentage to get the range".into(),
                        );
                    }
                }
            }
        }
    }

    // 3. Differentiation ranges and surcharges.
    for rule in &rules {
        match &rule.rule {
            RuleKind::DifferentiationRange { below_points, above_points } => {
                bounds = bounds.shift(below_points.value(), above_points.value());
                note(
                    &mut applied,
                    rule,
                    "differentiation_range",
                    format!(
                        "differentiation by -{} to +{} points",
                        below_points.value().normalize(),
                        above_points.value().normalize()
                    ),
                );
            }
            RuleKind::Surcharge { condition, points, discretionary } if profile.meets(*condition) => {
                let p = points.value();
                if *discretionary {
                    bounds = bounds.shift(Decimal::ZERO, p);
                    note(
                        &mut applied,
                        rule,
                        "surcharge",
                        format!("a possible surcharge of up to {} points", p.normalize()),
                    );
                } else {
                    bounds = bounds.shift(-p, p);
                    note(&mut applied, rule, "surcharge", format!("a surcharge of {} points", p.normalize()));
                }
            }
            _ => {}
        }
    }

    // 4. Rules without numbers: they open a bound (or are only reported).
    for rule in &rules {
        if let RuleKind::Open { condition, direction, description } = &rule.rule {
            match condition {
                Some(cond) if profile.meets(*cond) => {
                    // A stated new-provider percentage or reduction makes a vaguer rule moot.
                    let superseded = *cond == Condition::NewProvider
                        && rules.iter().any(|r| {
                            matches!(
                                r.rule,
                                RuleKind::NewProviderPercentage { .. } | RuleKind::NewProviderReduction { .. }
                            )
                        });
                    if superseded {
                        continue;
                    }
                    match direction {
                        Direction::Up => bounds.max = None,
                        Direction::Down => bounds.min = None,
                        Direction::None => {}
                    }
                    note(&mut caveats, rule, "open", description.clone());
                }
                Some(_) => {}
                None => note(&mut caveats, rule, "open", description.clone()),
            }
        }
    }

    // 5. Caps.
    for rule in &rules {
        if let RuleKind::Cap { max_percentage } = &rule.rule {
            let cap = max_percentage.value();
            let capped = bounds.max.is_none_or(|m| m > cap) || bounds.min.is_some_and(|m| m > cap);
            bounds.max = Some(bounds.max.map_or(cap, |m| m.min(cap)));
            bounds.min = bounds.min.map(|m| m.min(cap));
            if capped {
                note(&mut applied, rule, "cap", format!("capped at {}", pct(cap)));
            }
        }
    }

    let amount = |p: Decimal| cents(tariff * p / Decimal::ONE_HUNDRED);
    let determination = match (bounds.min, bounds.max) {
        (Some(a), Some(b)) if a == b => Determination::Exact,
        (Some(_), Some(_)) => Determination::Range,
        _ => Determination::Open,
    };
    let exact = (determination == Determination::Exact).then(|| bounds.min.unwrap_or_default());
    ZorgkantoorQuote {
        zorgkantoor: z.id,
        name: z.name.clone(),
        determination,
        percentage: exact.map(|p| p.normalize()),
        amount: exact.map(amount),
        min_percentage: bounds.min.map(|p| p.normalize()),
        max_percentage: bounds.max.map(|p| p.normalize()),
        min_amount: bounds.min.map(amount),
        max_amount: bounds.max.map(amount),
        applied_rules: applied,
        caveats,
    }
}
