//! The typed tariff rules of the 'Bekostiging en tarieven' row: what a rule says, the cell text it
//! is read from, and the bounds its numbers must keep.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{ThemeId, ZorgkantoorId, MAX_TEXT_CHARS};
use crate::money::ExactDecimal;
use crate::validation::Errors;

/// Where a tariff rule comes from: a point (1-based) of a cell and a verbatim quote of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SourceRef {
    pub theme: ThemeId,
    pub point: usize,
    pub quote: String,
}

/// A provider circumstance a tariff rule can depend on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Condition {
    NewProvider,
    EssentialFacility,
    ProvenLabourSavingTechnology,
    RegionalVvTableCommitment,
    MptGrowth,
    VptSpecificPlans,
    MptSpecificPlans,
    MovementsAndGoals,
    FreeProposal,
    EmployerSurcharge,
}

/// The other surcharges a provider profile can claim (beyond the three named flags).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Surcharge {
    /// Commitment to the regional V&V tables.
    RegionalVvTableCommitment,
    /// Surcharge on MPT to stimulate its growth.
    MptGrowth,
    /// VPT surcharge based on specific plans.
    VptSpecificPlans,
    /// MPT surcharge based on specific plans.
    MptSpecificPlans,
    /// Surcharge for movements and goals.
    MovementsAndGoals,
    /// A free proposal instead of a fixed surcharge.
    FreeProposal,
    /// Multi-year employer surcharge (werkgeversopslag).
    EmployerSurcharge,
}

impl From<Surcharge> for Condition {
    fn from(s: Surcharge) -> Condition {
        match s {
            Surcharge::RegionalVvTableCommitment => Condition::RegionalVvTableCommitment,
            Surcharge::MptGrowth => Condition::MptGrowth,
            Surcharge::VptSpecificPlans => Condition::VptSpecificPlans,
            Surcharge::MptSpecificPlans => Condition::MptSpecificPlans,
            Surcharge::MovementsAndGoals => Condition::MovementsAndGoals,
            Surcharge::FreeProposal => Condition::FreeProposal,
            Surcharge::EmployerSurcharge => Condition::EmployerSurcharge,
        }
    }
}

/// Which way a rule without a number moves the tariff.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Up,
    Down,
    /// No effect on the percentage (e.g. a budget rule).
    None,
}

/// What a tariff rule says. Percentages are % of the NZa maximum tariff; points are
/// percentage points.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum RuleKind {
    /// The guide percentage this zorgkantoor starts from.
    GuidePercentage {
        #[schema(value_type = String)]
        percentage: ExactDecimal,
    },
    /// New providers get the guide minus `points`.
    NewProviderReduction {
        #[schema(value_type = String)]
        points: ExactDecimal,
    },
    /// New providers get this percentage.
    NewProviderPercentage {
        #[schema(value_type = String)]
        percentage: ExactDecimal,
    },
    /// Providers meeting `condition` get this percentage instead of the guide.
    RolePercentage {
        condition: Condition,
        #[schema(value_type = String)]
        percentage: ExactDecimal,
    },
    /// Providers meeting `condition` get `points` on top; `discretionary`: possible, not certain.
    Surcharge {
        condition: Condition,
        #[schema(value_type = String)]
        points: ExactDecimal,
        discretionary: bool,
    },
    /// The agreed percentage may differ from the guide by up to these points either way.
    DifferentiationRange {
        #[schema(value_type = String)]
        below_points: ExactDecimal,
        #[schema(value_type = String)]
        above_points: ExactDecimal,
    },
    /// Existing providers: a monitor moves last year's percentage by up to these points.
    MonitorRange {
        #[schema(value_type = String)]
        below_points: ExactDecimal,
        #[schema(value_type = String)]
        above_points: ExactDecimal,
    },
    /// No percentage above this.
    Cap {
        #[schema(value_type = String)]
        max_percentage: ExactDecimal,
    },
    /// A rule the source gives no number for (condition `null`: it depends on things no
    /// profile states; reported as a caveat).
    Open {
        #[serde(default)]
        condition: Option<Condition>,
        direction: Direction,
        description: String,
    },
}

/// A typed tariff rule of one zorgkantoor, with a pointer back to the cell text it comes from.
/// Its OpenAPI schema is written by hand (`schema.rs`), not derived.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TariffRule {
    pub zorgkantoor: ZorgkantoorId,
    #[serde(flatten)]
    pub rule: RuleKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub applies_to: Option<String>,
    pub source: SourceRef,
    #[serde(default)]
    pub note: Option<String>,
}

/// Checks the numbers of one rule at `at` (its JSON pointer): percentages above 0 and at most
/// 100, points from 0 to 100, and the length of an open rule's description.
pub(super) fn rule_numbers(c: &mut Errors, at: &str, rule: &RuleKind) {
    let pct = |c: &mut Errors, name: &str, v: ExactDecimal| {
        if v.value() <= Decimal::ZERO || v.value() > Decimal::ONE_HUNDRED {
            c.push(format!("{at}/{name}"), "a percentage above 0 and at most 100");
        }
    };
    let pts = |c: &mut Errors, name: &str, v: ExactDecimal| {
        if v.value() < Decimal::ZERO || v.value() > Decimal::ONE_HUNDRED {
            c.push(format!("{at}/{name}"), "percentage points between 0 and 100 (the kind gives the sign)");
        }
    };
    match rule {
        RuleKind::GuidePercentage { percentage }
        | RuleKind::NewProviderPercentage { percentage }
        | RuleKind::RolePercentage { percentage, .. } => pct(c, "percentage", *percentage),
        RuleKind::Cap { max_percentage } => pct(c, "max_percentage", *max_percentage),
        RuleKind::NewProviderReduction { points } | RuleKind::Surcharge { points, .. } => pts(c, "points", *points),
        RuleKind::DifferentiationRange { below_points, above_points }
        | RuleKind::MonitorRange { below_points, above_points } => {
            pts(c, "below_points", *below_points);
            pts(c, "above_points", *above_points);
        }
        RuleKind::Open { description, .. } => c.text(format!("{at}/description"), description, MAX_TEXT_CHARS),
    }
}
