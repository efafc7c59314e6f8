//! What a client sends about a proposal: the content the IGO writes and may replace, the parties,
//! a new proposal's request (taken apart here, filled from a quote if it names one) and a
//! lifecycle action.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::from_quote;
use super::validate::validate_quote_id;

/// Why a client's `quote_id` is refused.
pub(super) const QUOTE_ID_FROM_QUOTE_ONLY: &str = "set by the server from from_quote, never by a client: leave it out";
use super::{Action, FROM_QUOTE};
use crate::codes::{AgbCode, UzoviCode};
use crate::error::FieldError;
use crate::money::ExactDecimal;
use crate::prestatie::{PrestatieCode, ProviderKind, Unit};
use crate::quote::Quote;
use crate::validation::Errors;

/// The NZa policy rule the contract falls under.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PolicyRoute {
    /// Beleidsregel integrale geboortezorg: the lines, care shifts and attention points must fit
    /// the NZa catalogue of the period's year (`GET /v1/prestaties?year=...`): 9 prestaties up
    /// to 2022, 8 from 2023.
    #[default]
    IntegraleBekostiging,
    /// Beleidsregel innovatie: an arrangement that does not fit the integral prestaties; not
    /// bound to the year's catalogue: a line may carry an own prestatie (code, description, unit).
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
}

/// A proposed line as the IGO (or the insurer, in a counter) sends it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LineInput {
    /// Under `integrale_bekostiging` one of the prestaties of every year the period covers (see
    /// `GET /v1/prestaties?year=...`): a prestatie a year no longer has, such as
    /// `begeleiding_eindigend_voor_16_weken` from 2023, is a 422 at `/lines/{i}/prestatie` saying
    /// why and from which year. Under `innovatie` also an own prestatie's code (with
    /// `description` and `unit`), validated for shape only.
    #[schema(example = "geboortezorg_prenataal")]
    pub prestatie: PrestatieCode,
    /// An own prestatie's description (innovation route only; required with an own code, refused
    /// with an NZa prestatie, whose name is the catalogue's). 1 to 200 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// An own prestatie's unit (innovation route only; required with an own code, refused with an
    /// NZa prestatie, whose unit is the catalogue's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<Unit>,
    /// Number of clients, or hours for kraamzorg (0 to 10,000,000).
    #[schema(minimum = 0, maximum = 10_000_000)]
    pub volume: u64,
    /// Tariff per unit in euros (>= 0, at most 2 decimals, below 1,000,000,000).
    pub tariff: ExactDecimal,
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
    /// A prestatie of the lines (an own code under the innovation route).
    pub prestatie: PrestatieCode,
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
    /// Under `integrale_bekostiging` a prestatie of the period's year; under `innovatie` also an
    /// own code.
    pub prestatie: PrestatieCode,
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
    /// Policy on bundle breakers and parallel billing (parallelliteit, bundelbrekers). Only where
    /// the year's regulation has the bundelbrekers rule (the 2017-2022 experiment): under
    /// `integrale_bekostiging` from 2023 sending it is a 422 at
    /// `/attention_points/bundle_breakers` (refused, not ignored, so nothing is stored that the
    /// contract does not mean). Proposals of earlier years keep it.
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
    /// Reference to the quote the lines came from, if any: set by the server from `from_quote`
    /// and kept through edits; a client's own is refused (422 at `/quote_id`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(read_only, min_length = 26, max_length = 26, pattern = "^[0-9A-HJKMNP-TV-Za-hjkmnp-tv-z]{26}$")]
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
    /// The reference to the quote behind the proposal: set by the server from `from_quote`,
    /// never taken from a client (sending it is a 422 at `/quote_id`).
    #[serde(default)]
    #[schema(read_only, min_length = 26, max_length = 26, pattern = "^[0-9A-HJKMNP-TV-Za-hjkmnp-tv-z]{26}$")]
    pub quote_id: Option<String>,
    /// The id of one of your organisation's quotes to fill the lines, distribution key and
    /// period from. Not one of yours (or no such quote): 422 at `/from_quote`.
    #[serde(default)]
    #[schema(
        min_length = 26,
        max_length = 26,
        pattern = "^[0-9A-HJKMNP-TV-Za-hjkmnp-tv-z]{26}$",
        example = "01JDQ7Z3K8M4V6W9X2Y5A7B3C1"
    )]
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
                (Some(period), Some(lines), Some(key)) => {
                    if quote_id.is_some() {
                        return Err(vec![FieldError::new("/quote_id", QUOTE_ID_FROM_QUOTE_ONLY)]);
                    }
                    (period, lines, key, None)
                }
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
