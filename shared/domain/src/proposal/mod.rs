//! Contract proposals of an IGO to one insurer: their content, its validation (every failure
//! names its field as a JSON pointer), the totals derived from the lines, and the changes a
//! proposal goes through (create, edit, lifecycle transitions), each producing a new version
//! and one history entry. Pure: the caller supplies ids, clock and actor.

mod from_quote;
pub mod state;

use std::collections::{BTreeMap, HashSet};

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::codes::{AgbCode, UzoviCode};
use crate::error::{DomainError, FieldError};
use crate::identity::{Caller, Role};
use crate::money::{cents, ExactDecimal};
use crate::prestatie::{Prestatie, ProviderKind, Unit};
use crate::quote::Quote;
use crate::validation::Errors;

pub use from_quote::FROM_QUOTE;
pub use state::{may_edit, transition, Action, Status, TransitionError};

/// Longest organisation or provider name.
pub const MAX_NAME_CHARS: usize = 200;
/// Longest free text (attention points, notes).
pub const MAX_TEXT_CHARS: usize = 4000;
/// Longest transition reason.
pub const MAX_REASON_CHARS: usize = 2000;
/// Most member providers in a distribution key.
pub const MAX_PROVIDERS: usize = 100;
/// Most care shifts in one proposal.
pub const MAX_CARE_SHIFTS: usize = 100;
/// Largest volume of one line (clients, or hours for kraamzorg).
pub const MAX_VOLUME: u64 = 10_000_000;
/// Longest quote reference.
pub const MAX_QUOTE_ID_CHARS: usize = 64;
/// Most decimals of a share of the distribution key, in percent.
pub const SHARE_DECIMALS: u32 = 4;
/// Contract years the API accepts.
pub const YEARS: std::ops::RangeInclusive<i32> = 2000..=2100;

/// Tariffs stay below one billion euros.
fn tariff_limit() -> Decimal {
    Decimal::from(1_000_000_000u64)
}

/// The NZa policy rule the contract falls under.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PolicyRoute {
    /// Beleidsregel integrale geboortezorg: the 9 integral prestaties.
    IntegraleBekostiging,
    /// Beleidsregel innovatie: an experiment outside the 9 prestaties.
    Innovatie,
}

/// The contract period: a calendar year, or a start and end date (inclusive).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"year": 2026}))]
pub struct Period {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 2000, maximum = 2100)]
    pub year: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<NaiveDate>,
}

impl Period {
    /// The contract year (the start date's year for a date range); the key of the year filter.
    pub fn contract_year(&self) -> i32 {
        self.year.or(self.start.map(|d| d.year())).unwrap_or_default()
    }

    fn validate(&self, errors: &mut Errors) {
        match (self.year, self.start, self.end) {
            (Some(year), None, None) => {
                if !YEARS.contains(&year) {
                    errors.push("/period/year", "must be a year from 2000 to 2100");
                }
            }
            (None, Some(start), Some(end)) => {
                if !YEARS.contains(&start.year()) {
                    errors.push("/period/start", "must lie in the years 2000 to 2100");
                }
                if end < start {
                    errors.push("/period/end", "must not lie before start");
                } else if (end - start).num_days() > 366 * 5 {
                    errors.push("/period/end", "a contract period spans at most 5 years");
                }
            }
            _ => errors.push("/period", "give either a year, or both a start and an end date"),
        }
    }
}

/// A proposed line as the IGO (or the insurer, in a counter) sends it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LineInput {
    pub prestatie: Prestatie,
    /// Number of clients, or hours for kraamzorg (0 to 10,000,000).
    #[schema(minimum = 0, maximum = 10_000_000)]
    pub volume: u64,
    /// Tariff per unit in euros (>= 0, at most 2 decimals, below 1,000,000,000).
    pub tariff: ExactDecimal,
}

/// A line of a proposal with its derived amount (volume × tariff, exact, in euros).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Line {
    pub prestatie: Prestatie,
    /// What one unit of volume is: a client, or an hour (kraamzorg).
    pub unit: Unit,
    pub volume: u64,
    pub tariff: ExactDecimal,
    /// volume × tariff, in euros with two decimals.
    pub amount: ExactDecimal,
}

/// Totals derived from the lines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Totals {
    /// Sum of the line amounts, in euros with two decimals.
    pub amount: ExactDecimal,
    /// Sum of the volumes of the per-client prestaties.
    pub clients: u64,
    /// Sum of the volumes of the per-hour prestaties (kraamzorg).
    pub hours: u64,
}

/// The exact amount of one line: volume × tariff, written with two decimals.
pub fn line_amount(volume: u64, tariff: Decimal) -> Decimal {
    cents(Decimal::from(volume) * tariff)
}

/// Lines with their amounts, from validated input.
pub fn priced_lines(lines: &[LineInput]) -> Vec<Line> {
    lines
        .iter()
        .map(|l| Line {
            prestatie: l.prestatie,
            unit: l.prestatie.unit(),
            volume: l.volume,
            tariff: l.tariff,
            amount: ExactDecimal(line_amount(l.volume, l.tariff.0)),
        })
        .collect()
}

/// The totals of priced lines. Exact: bounded volumes and tariffs keep every sum far inside
/// Decimal's 28 digits (9 lines × 10^7 × 10^9 < 10^17).
pub fn totals(lines: &[Line]) -> Totals {
    let mut amount = cents(Decimal::ZERO);
    let (mut clients, mut hours) = (0u64, 0u64);
    for line in lines {
        amount += line.amount.0;
        match line.unit {
            Unit::Client => clients += line.volume,
            Unit::Hour => hours += line.volume,
        }
    }
    Totals { amount: ExactDecimal(amount), clients, hours }
}

/// A member provider of the IGO and its share of the revenue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MemberProvider {
    pub agb: AgbCode,
    #[schema(max_length = 200)]
    pub name: String,
    pub kind: ProviderKind,
    /// One share of all revenue, in percent (when the key is per provider).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub share: Option<ExactDecimal>,
    /// Shares per prestatie, in percent (when the key is per prestatie).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub shares: Vec<PrestatieShare>,
}

/// A provider's share of one prestatie's revenue, in percent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PrestatieShare {
    pub prestatie: Prestatie,
    pub share: ExactDecimal,
}

/// The verdeelsleutel: how the IGO splits its revenue over its member providers. Either every
/// provider has one `share` (summing to exactly 100), or every provider has `shares` per
/// prestatie (for each prestatie of the lines, summing to exactly 100 over the providers).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DistributionKey {
    pub providers: Vec<MemberProvider>,
}

/// Whether a care shift is planned or has happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CareShiftKind {
    Planned,
    Realised,
}

/// A zorgverschuiving: part of a prestatie's care moving from one kind of provider to another.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CareShift {
    pub kind: CareShiftKind,
    pub prestatie: Prestatie,
    pub from: ProviderKind,
    pub to: ProviderKind,
    /// Share of the prestatie's care that shifts, in percent.
    pub share: ExactDecimal,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Which clients the integral contract covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ClientScope {
    NewClientsOnly,
    AllClients,
}

/// The financial risks and attention points the IGO settles before contracting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AttentionPoints {
    pub client_scope: ClientScope,
    /// Policy on bundle breakers and parallel billing (parallelliteit, bundelbrekers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bundle_breakers: Option<String>,
    /// How expensive medicines are handled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expensive_medicines: Option<String>,
    /// Case-mix (no differentiation within integral funding, achterstandstarieven).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case_mix: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
}

/// The content the IGO writes and may replace while the proposal is a draft or countered
/// (`PUT /v1/proposals/{id}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProposalContent {
    pub period: Period,
    pub policy_route: PolicyRoute,
    pub lines: Vec<LineInput>,
    pub distribution_key: DistributionKey,
    #[serde(default)]
    pub care_shifts: Vec<CareShift>,
    pub attention_points: AttentionPoints,
    /// Reference to the quote the lines came from, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 64, pattern = "^[A-Za-z0-9_-]{1,64}$")]
    pub quote_id: Option<String>,
}

/// The IGO as named in a new proposal: its AGB code must be the caller's own (it may be left
/// out; the token's org is used then).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IgoInput {
    #[serde(default)]
    pub agb: Option<AgbCode>,
    pub name: String,
}

/// The IGO of a proposal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Igo {
    pub agb: AgbCode,
    pub name: String,
}

/// The insurer a proposal is addressed to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Insurer {
    pub uzovi: UzoviCode,
    pub name: String,
}

/// `POST /v1/proposals`: a new proposal, kept as a draft or submitted at once.
///
/// Either send `period`, `lines` and `distribution_key` yourself, or name one of your
/// organisation's quotes in `from_quote` to fill them from it: the lines are the quote's
/// prestaties with a volume above 0 at the quote's integral tariffs (a fractional volume, or a
/// prestatie the quote prices at 0.00, is refused with 422 at `/from_quote`); the key is the
/// quote's fixed shares (one `share` per provider) for a `fixed_shares` quote, or, for a
/// `cost_based` quote, `shares` per prestatie: each provider's part of the prestatie's quote
/// matrix row less the IGO's retained surcharges, in percent with 4 decimals, adding up to
/// exactly 100 (largest remainder); `quote_id` is set to the quote and the period defaults to
/// the quote's year. With `from_quote`, sending `lines`, `distribution_key` or `quote_id` as
/// well is a 422 (edit the draft with PUT instead), and a period must be in the quote's year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewProposal {
    pub igo: IgoInput,
    pub insurer: Insurer,
    /// Required unless `from_quote` is given; then it defaults to the quote's year and must
    /// otherwise lie in it.
    #[serde(default)]
    pub period: Option<Period>,
    pub policy_route: PolicyRoute,
    /// Required unless `from_quote` is given; must be left out with it.
    #[serde(default)]
    pub lines: Option<Vec<LineInput>>,
    /// Required unless `from_quote` is given; must be left out with it.
    #[serde(default)]
    pub distribution_key: Option<DistributionKey>,
    #[serde(default)]
    pub care_shifts: Vec<CareShift>,
    pub attention_points: AttentionPoints,
    /// A reference to the quote behind the proposal, if any (set by `from_quote`; leave it out
    /// then).
    #[serde(default)]
    #[schema(max_length = 64, pattern = "^[A-Za-z0-9_-]{1,64}$")]
    pub quote_id: Option<String>,
    /// The id of one of your organisation's quotes to fill the lines, distribution key and
    /// period from. Not one of yours (or no such quote): 422 at `/from_quote`.
    #[serde(default)]
    #[schema(max_length = 64, pattern = "^[A-Za-z0-9_-]{1,64}$", example = "01JDQ7Z3K8M4V6W9X2Y5A7B3C1")]
    pub from_quote: Option<String>,
    /// Submit at once instead of keeping a draft.
    #[serde(default)]
    pub submit: bool,
}

/// `POST /v1/proposals/{id}/transitions`: a lifecycle action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransitionRequest {
    pub action: Action,
    /// Why; required to reject.
    #[serde(default)]
    pub reason: Option<String>,
    /// The insurer's proposed lines; required to counter, refused otherwise.
    #[serde(default)]
    pub counter_lines: Option<Vec<LineInput>>,
}

/// The insurer's counter proposal, kept beside the IGO's lines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Counter {
    pub lines: Vec<Line>,
    pub totals: Totals,
    /// The version the counter created.
    pub version: u64,
    pub at: DateTime<Utc>,
}

/// A contract proposal as stored and served.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Proposal {
    /// Server-made, sortable by creation time (ULID).
    #[schema(example = "01JD3M5X8Q2W7R4T6Y9U1I0O3P")]
    pub id: String,
    pub igo: Igo,
    pub insurer: Insurer,
    pub period: Period,
    /// The contract year (the period's year or its start date's year).
    pub year: i32,
    pub policy_route: PolicyRoute,
    pub lines: Vec<Line>,
    pub totals: Totals,
    pub distribution_key: DistributionKey,
    pub care_shifts: Vec<CareShift>,
    pub attention_points: AttentionPoints,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quote_id: Option<String>,
    /// The insurer's latest counter proposal, if it countered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub counter: Option<Counter>,
    pub status: Status,
    /// Grows by one with every change; the ETag is this number.
    pub version: u64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// When the IGO first submitted it: from then on the insurer can see it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub submitted_at: Option<DateTime<Utc>>,
}

/// A proposal as listed: everything but the lines, key and attention points.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ProposalSummary {
    pub id: String,
    pub igo: Igo,
    pub insurer: Insurer,
    pub period: Period,
    pub year: i32,
    pub policy_route: PolicyRoute,
    pub totals: Totals,
    pub status: Status,
    pub version: u64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// What a history entry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum HistoryAction {
    Create,
    Edit,
    Submit,
    Withdraw,
    StartReview,
    Accept,
    Reject,
    Counter,
}

impl From<Action> for HistoryAction {
    fn from(action: Action) -> Self {
        match action {
            Action::Submit => HistoryAction::Submit,
            Action::Withdraw => HistoryAction::Withdraw,
            Action::StartReview => HistoryAction::StartReview,
            Action::Accept => HistoryAction::Accept,
            Action::Reject => HistoryAction::Reject,
            Action::Counter => HistoryAction::Counter,
        }
    }
}

/// Who made a change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Actor {
    pub sub: String,
    pub role: Role,
    /// AGB code (igo) or UZOVI code (insurer).
    pub org: String,
}

impl Actor {
    pub fn of(caller: &Caller) -> Actor {
        Actor { sub: caller.sub.clone(), role: caller.role, org: caller.org_code().to_owned() }
    }
}

/// One immutable entry of a proposal's history: every change appends one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct HistoryEntry {
    /// The version this change created.
    pub version: u64,
    pub action: HistoryAction,
    /// The status before the change (absent for the creation).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_status: Option<Status>,
    /// The status after the change.
    pub status: Status,
    pub actor: Actor,
    pub at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// A change made to a proposal: the new current state and its history entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub proposal: Proposal,
    pub entry: HistoryEntry,
}

/// A percentage: 0 to 100 with at most 4 decimals.
fn check_percentage(pointer: &str, share: ExactDecimal, errors: &mut Errors) {
    let value = share.0;
    if value.is_sign_negative() && !value.is_zero() {
        errors.push(pointer, "must not be negative");
    } else if value > Decimal::ONE_HUNDRED {
        errors.push(pointer, "must not exceed 100");
    } else if value.normalize().scale() > SHARE_DECIMALS {
        errors.push(pointer, format!("at most {SHARE_DECIMALS} decimals"));
    }
}

/// Validates lines at `pointer` (`/lines` or `/counter_lines`): at least one, each prestatie
/// at most once, volumes and tariffs in range.
pub fn validate_lines(pointer: &str, lines: &[LineInput], errors: &mut Errors) {
    if lines.is_empty() {
        errors.push(pointer, "at least one line is required");
    }
    let mut seen = HashSet::new();
    for (i, line) in lines.iter().enumerate() {
        if !seen.insert(line.prestatie) {
            errors.push(format!("{pointer}/{i}/prestatie"), "each prestatie may appear only once");
        }
        if line.volume > MAX_VOLUME {
            errors.push(format!("{pointer}/{i}/volume"), "must be from 0 to 10000000");
        }
        let tariff = line.tariff.0;
        let at = format!("{pointer}/{i}/tariff");
        if tariff.is_sign_negative() && !tariff.is_zero() {
            errors.push(at, "must not be negative");
        } else if tariff >= tariff_limit() {
            errors.push(at, "must be below 1000000000");
        } else if tariff.normalize().scale() > 2 {
            errors.push(at, "at most 2 decimals");
        }
    }
}

fn validate_distribution_key(key: &DistributionKey, lines: &[LineInput], errors: &mut Errors) {
    let base = "/distribution_key/providers";
    if key.providers.is_empty() {
        errors.push(base, "at least one member provider is required");
        return;
    }
    if key.providers.len() > MAX_PROVIDERS {
        errors.push(base, format!("at most {MAX_PROVIDERS} member providers"));
        return;
    }
    let mut agbs = HashSet::new();
    for (i, provider) in key.providers.iter().enumerate() {
        if !agbs.insert(&provider.agb) {
            errors.push(format!("{base}/{i}/agb"), "each provider's AGB code may appear only once");
        }
        errors.text(format!("{base}/{i}/name"), &provider.name, MAX_NAME_CHARS);
    }
    let per_provider = key.providers.iter().all(|p| p.share.is_some() && p.shares.is_empty());
    let per_prestatie = key.providers.iter().all(|p| p.share.is_none() && !p.shares.is_empty());
    if per_provider {
        let mut sum = Decimal::ZERO;
        let before = errors.len();
        for (i, provider) in key.providers.iter().enumerate() {
            let share = provider.share.expect("per provider");
            check_percentage(&format!("{base}/{i}/share"), share, errors);
            sum += share.0;
        }
        if errors.len() == before && sum != Decimal::ONE_HUNDRED {
            errors.push(base, format!("the shares add up to {sum}; they must add up to exactly 100"));
        }
    } else if per_prestatie {
        let covered: HashSet<Prestatie> = lines.iter().map(|l| l.prestatie).collect();
        let mut sums: BTreeMap<Prestatie, Decimal> = BTreeMap::new();
        let before = errors.len();
        for (i, provider) in key.providers.iter().enumerate() {
            let mut seen = HashSet::new();
            for (j, share) in provider.shares.iter().enumerate() {
                let at = format!("{base}/{i}/shares/{j}");
                if !seen.insert(share.prestatie) {
                    errors.push(format!("{at}/prestatie"), "each prestatie may appear only once");
                } else if !covered.contains(&share.prestatie) {
                    errors.push(format!("{at}/prestatie"), "this prestatie is not among the lines");
                }
                check_percentage(&format!("{at}/share"), share.share, errors);
                *sums.entry(share.prestatie).or_default() += share.share.0;
            }
        }
        if errors.len() == before {
            let mut prestaties: Vec<_> = covered.into_iter().collect();
            prestaties.sort();
            for prestatie in prestaties {
                let sum = sums.get(&prestatie).copied().unwrap_or_default();
                if sum != Decimal::ONE_HUNDRED {
                    let name = serde_json::to_value(prestatie).ok().and_then(|v| v.as_str().map(str::to_owned));
                    errors.push(
                        base,
                        format!(
                            "the shares of {} add up to {sum}; they must add up to exactly 100",
                            name.unwrap_or_default()
                        ),
                    );
                }
            }
        }
    } else {
        errors.push(base, "give every provider either one 'share' (per provider) or 'shares' per prestatie, not a mix");
    }
}

fn validate_care_shifts(shifts: &[CareShift], errors: &mut Errors) {
    if shifts.len() > MAX_CARE_SHIFTS {
        errors.push("/care_shifts", format!("at most {MAX_CARE_SHIFTS} care shifts"));
        return;
    }
    for (i, shift) in shifts.iter().enumerate() {
        if shift.from == shift.to {
            errors.push(format!("/care_shifts/{i}/to"), "must differ from 'from'");
        }
        check_percentage(&format!("/care_shifts/{i}/share"), shift.share, errors);
        errors.optional_text(format!("/care_shifts/{i}/note"), shift.note.as_deref(), MAX_TEXT_CHARS);
    }
}

fn validate_quote_id(pointer: &str, quote_id: &Option<String>, errors: &mut Errors) {
    if let Some(id) = quote_id {
        let ok = !id.is_empty()
            && id.len() <= MAX_QUOTE_ID_CHARS
            && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !ok {
            errors.push(pointer, "must be 1 to 64 letters, digits, '-' or '_'");
        }
    }
}

impl ProposalContent {
    /// Every validation rule of the editable content; all failures at once.
    pub fn validate(&self, errors: &mut Errors) {
        self.period.validate(errors);
        validate_lines("/lines", &self.lines, errors);
        validate_distribution_key(&self.distribution_key, &self.lines, errors);
        validate_care_shifts(&self.care_shifts, errors);
        let points = &self.attention_points;
        errors.optional_text("/attention_points/bundle_breakers", points.bundle_breakers.as_deref(), MAX_TEXT_CHARS);
        errors.optional_text(
            "/attention_points/expensive_medicines",
            points.expensive_medicines.as_deref(),
            MAX_TEXT_CHARS,
        );
        errors.optional_text("/attention_points/case_mix", points.case_mix.as_deref(), MAX_TEXT_CHARS);
        errors.optional_text("/attention_points/notes", points.notes.as_deref(), MAX_TEXT_CHARS);
        validate_quote_id("/quote_id", &self.quote_id, errors);
    }
}

/// A new proposal's request taken apart: the parties, the editable content (filled from the
/// quote where `from_quote` asked for it) and the submit flag.
#[derive(Debug, Clone, PartialEq)]
pub struct NewParts {
    pub igo: IgoInput,
    pub insurer: Insurer,
    pub content: ProposalContent,
    pub submit: bool,
    /// Whether the lines and key came from a quote (their failures then name `/from_quote`).
    pub from_quote: bool,
}

const LEAVE_OUT: &str =
    "leave this out when from_quote is given: it is filled from the quote (edit the draft with PUT to change it)";

impl NewProposal {
    /// Splits the request into its parts. `quote` is the quote `from_quote` names, if the
    /// caller's organisation has it (`None` otherwise, which is refused without saying
    /// whether it exists). Fails on a missing required field, a field that conflicts with
    /// `from_quote`, or a quote that gives no valid lines and key; the content is validated
    /// afterwards.
    pub fn into_parts(self, quote: Option<&Quote>) -> Result<NewParts, Vec<FieldError>> {
        let NewProposal {
            igo,
            insurer,
            period,
            policy_route,
            lines,
            distribution_key,
            care_shifts,
            attention_points,
            quote_id,
            from_quote,
            submit,
        } = self;
        let mut errors = Errors::new();
        let (period, lines, distribution_key, quote_id) = match from_quote.as_deref() {
            None => match (period, lines, distribution_key) {
                (Some(period), Some(lines), Some(key)) => (period, lines, key, quote_id),
                (period, lines, key) => {
                    for (pointer, missing) in [
                        ("/period", period.is_none()),
                        ("/lines", lines.is_none()),
                        ("/distribution_key", key.is_none()),
                    ] {
                        if missing {
                            errors.push(pointer, "required (unless from_quote is given)");
                        }
                    }
                    return Err(errors.into_vec());
                }
            },
            Some(id) => {
                validate_quote_id(FROM_QUOTE, &from_quote, &mut errors);
                for (pointer, given) in [
                    ("/lines", lines.is_some()),
                    ("/distribution_key", distribution_key.is_some()),
                    ("/quote_id", quote_id.is_some()),
                ] {
                    if given {
                        errors.push(pointer, LEAVE_OUT);
                    }
                }
                // The same answer whether the quote does not exist or is another organisation's.
                let Some(quote) = quote.filter(|q| q.id == id) else {
                    if errors.is_empty() {
                        errors.push(FROM_QUOTE, "your organisation has no quote with this id");
                    }
                    return Err(errors.into_vec());
                };
                let year = i32::from(quote.input.period);
                if let Some(period) = &period {
                    if (period.year.is_some() || period.start.is_some()) && period.contract_year() != year {
                        let pointer = if period.year.is_some() { "/period/year" } else { "/period/start" };
                        errors.push(pointer, format!("must lie in the quote's year {year}"));
                    }
                }
                if !errors.is_empty() {
                    return Err(errors.into_vec());
                }
                let (lines, key) = from_quote::lines_and_key(quote)?;
                let period = period.unwrap_or(Period { year: Some(year), start: None, end: None });
                (period, lines, key, Some(quote.id.clone()))
            }
        };
        let content =
            ProposalContent { period, policy_route, lines, distribution_key, care_shifts, attention_points, quote_id };
        Ok(NewParts { igo, insurer, content, submit, from_quote: from_quote.is_some() })
    }
}

impl Proposal {
    /// A new proposal by the IGO `actor` (whose org is `igo_agb`): a draft, or submitted at once.
    ///
    /// `quote` is the quote the request's `from_quote` names, as the handler found it among
    /// the caller's organisation's quotes (`None` when it has no such quote).
    pub fn create(
        id: String,
        igo_agb: &AgbCode,
        new: NewProposal,
        quote: Option<&Quote>,
        actor: Actor,
        now: DateTime<Utc>,
    ) -> Result<Change, DomainError> {
        let quote = quote.filter(|q| q.owner_org == igo_agb.as_str());
        let NewParts { igo, insurer, content, submit, from_quote } =
            new.into_parts(quote).map_err(DomainError::Invalid)?;
        let mut errors = Errors::new();
        if let Some(agb) = &igo.agb {
            if agb != igo_agb {
                errors.push("/igo/agb", "must be your own AGB code (the token's org)");
            }
        }
        errors.text("/igo/name", &igo.name, MAX_NAME_CHARS);
        errors.text("/insurer/name", &insurer.name, MAX_NAME_CHARS);
        let mut content_errors = Errors::new();
        content.validate(&mut content_errors);
        let mut content_errors = content_errors.into_vec();
        if from_quote {
            // The caller did not send the lines and key: name the quote, keep the detail.
            for error in &mut content_errors {
                if error.pointer.starts_with("/lines") || error.pointer.starts_with("/distribution_key") {
                    error.detail = format!("filled from the quote, {} fails: {}", error.pointer, error.detail);
                    error.pointer = FROM_QUOTE.to_owned();
                }
            }
        }
        errors.extend(content_errors);
        errors.finish()?;
        let status = if submit { Status::Submitted } else { Status::Draft };
        let lines = priced_lines(&content.lines);
        let proposal = Proposal {
            id,
            igo: Igo { agb: igo_agb.clone(), name: igo.name },
            insurer,
            year: content.period.contract_year(),
            period: content.period,
            policy_route: content.policy_route,
            totals: totals(&lines),
            lines,
            distribution_key: content.distribution_key,
            care_shifts: content.care_shifts,
            attention_points: content.attention_points,
            quote_id: content.quote_id,
            counter: None,
            status,
            version: 1,
            created_at: now,
            updated_at: now,
            submitted_at: submit.then_some(now),
        };
        let entry = HistoryEntry {
            version: 1,
            action: HistoryAction::Create,
            from_status: None,
            status,
            actor,
            at: now,
            reason: None,
        };
        Ok(Change { proposal, entry })
    }

    /// Replaces the editable content (IGO, while draft or countered).
    pub fn replace(&self, content: ProposalContent, actor: Actor, now: DateTime<Utc>) -> Result<Change, DomainError> {
        may_edit(self.status, actor.role).map_err(DomainError::Refused)?;
        let mut errors = Errors::new();
        content.validate(&mut errors);
        errors.finish()?;
        let lines = priced_lines(&content.lines);
        let proposal = Proposal {
            year: content.period.contract_year(),
            period: content.period,
            policy_route: content.policy_route,
            totals: totals(&lines),
            lines,
            distribution_key: content.distribution_key,
            care_shifts: content.care_shifts,
            attention_points: content.attention_points,
            quote_id: content.quote_id,
            version: self.version + 1,
            updated_at: now,
            ..self.clone()
        };
        Ok(self.change(proposal, HistoryAction::Edit, actor, now, None))
    }

    /// Applies a lifecycle action by `actor`.
    pub fn apply(&self, request: TransitionRequest, actor: Actor, now: DateTime<Utc>) -> Result<Change, DomainError> {
        let next =
            transition(self.status, request.action, actor.role).map_err(|e| DomainError::Refused(e.to_string()))?;
        let mut errors = Errors::new();
        errors.optional_text("/reason", request.reason.as_deref(), MAX_REASON_CHARS);
        if request.action == Action::Reject && request.reason.is_none() {
            errors.push("/reason", "a reason is required to reject");
        }
        match (&request.counter_lines, request.action) {
            (Some(lines), Action::Counter) => validate_lines("/counter_lines", lines, &mut errors),
            (None, Action::Counter) => errors.push("/counter_lines", "counter_lines are required to counter"),
            (Some(_), _) => errors.push("/counter_lines", "counter_lines belong only to 'counter'"),
            (None, _) => {}
        }
        errors.finish()?;
        let version = self.version + 1;
        let mut proposal = Proposal { status: next, version, updated_at: now, ..self.clone() };
        if let Some(lines) = &request.counter_lines {
            let lines = priced_lines(lines);
            proposal.counter = Some(Counter { totals: totals(&lines), lines, version, at: now });
        }
        if next == Status::Submitted && proposal.submitted_at.is_none() {
            proposal.submitted_at = Some(now);
        }
        Ok(self.change(proposal, request.action.into(), actor, now, request.reason))
    }

    fn change(
        &self,
        proposal: Proposal,
        action: HistoryAction,
        actor: Actor,
        now: DateTime<Utc>,
        reason: Option<String>,
    ) -> Change {
        let entry = HistoryEntry {
            version: proposal.version,
            action,
            from_status: Some(self.status),
            status: proposal.status,
            actor,
            at: now,
            reason,
        };
        Change { proposal, entry }
    }

    /// Whether the caller's organisation may see this proposal at all: the IGO its own; the
    /// insurer those addressed to it once submitted (a draft is the IGO's unfinished work).
    pub fn visible_to(&self, caller: &Caller) -> bool {
        match caller.role {
            Role::Igo => self.igo.agb.as_str() == caller.org_code(),
            Role::Insurer => self.insurer.uzovi.as_str() == caller.org_code() && self.submitted_at.is_some(),
            Role::Publisher => false,
        }
    }

    pub fn summary(&self) -> ProposalSummary {
        ProposalSummary {
            id: self.id.clone(),
            igo: self.igo.clone(),
            insurer: self.insurer.clone(),
            period: self.period.clone(),
            year: self.year,
            policy_route: self.policy_route,
            totals: self.totals.clone(),
            status: self.status,
            version: self.version,
            created_at: self.created_at,
            updated_at: self.updated_at,
        }
    }
}

#[cfg(test)]
mod tests;
