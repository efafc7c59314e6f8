//! What changed between any two editions, per zorgkantoor and theme: points added, removed or
//! reworded, and tariff rules whose numbers moved. What comparison dashboards show and export.
//!
//! Points carry no stored id (a publisher writes a cell as a list of texts), so identity within a
//! cell comes from a matching rule, applied per cell:
//! 1. a point whose text (whitespace-collapsed, case-folded) is in both editions is the same
//!    point, unchanged, wherever it moved; equal texts pair in order;
//! 2. of the points left, the pair with the highest word similarity is the same point,
//!    reworded (`changed`), then the next pair, as long as the similarity is at least
//!    [`REWORD_THRESHOLD`]; on a tie the pair closest in position wins;
//! 3. what is left in the older edition is `removed`, in the newer one `added`.
//!
//! Word similarity is the Dice coefficient of the two texts' sets of words (letters and digits,
//! case-folded): `2 |A ∩ B| / (|A| + |B|)`. A point's id within its cell is its number in the
//! `from` edition (`from_point`); a point new in `to` has only a `to_point`.
//!
//! Tariff rules are matched per zorgkantoor the same way: equal rules first; then a rule of the
//! same kind (and, where the kind has one, the same condition) is the same rule, `changed` when
//! its numbers, text or source differ; the rest are `added` / `removed`.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{Cell, EditionDocument, TariffRule, ThemeId, ZorgkantoorId};

/// The least word similarity (Dice, 0..1) at which two different texts count as one point
/// reworded rather than one removed and another added. One half: a changed number or a few
/// words keep a point; a point about something else does not.
pub const REWORD_THRESHOLD: f64 = 0.5;

/// What happened to a point or a tariff rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    Added,
    Removed,
    Changed,
}

impl Change {
    pub fn as_str(self) -> &'static str {
        match self {
            Change::Added => "added",
            Change::Removed => "removed",
            Change::Changed => "changed",
        }
    }
}

/// One point that differs: its numbers (1-based) in either edition and its texts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PointChange {
    pub change: Change,
    /// The point's number in the `from` edition, its id within the cell (`null`: added).
    pub from_point: Option<usize>,
    /// The point's number in the `to` edition (`null`: removed).
    pub to_point: Option<usize>,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// The points of one cell that differ between the editions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CellDiff {
    pub zorgkantoor: ZorgkantoorId,
    pub theme: ThemeId,
    pub points: Vec<PointChange>,
}

/// One number of a tariff rule before and after (`null`: the rule did not have it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct NumberChange {
    /// The rule's field, e.g. `percentage`, `points`, `max_percentage`.
    pub field: String,
    #[schema(value_type = Option<String>, example = "95.5")]
    pub before: Option<String>,
    #[schema(value_type = Option<String>, example = "96")]
    pub after: Option<String>,
}

/// One tariff rule that differs: its kind, the numbers that moved, and the rule on either side.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RuleChange {
    pub zorgkantoor: ZorgkantoorId,
    /// The rule's kind (`guide_percentage`, `surcharge`, ...).
    pub kind: String,
    pub change: Change,
    /// Only the numbers that differ (all of them for an added or removed rule).
    pub numbers: Vec<NumberChange>,
    pub before: Option<TariffRule>,
    pub after: Option<TariffRule>,
}

/// The differences between two editions, in theme order then column order, limited to the
/// chosen zorgkantoren and themes. Empty lists: nothing differs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct EditionDiff {
    pub from: String,
    pub to: String,
    pub cells: Vec<CellDiff>,
    pub tariff_rules: Vec<RuleChange>,
}

impl EditionDiff {
    pub fn is_empty(&self) -> bool {
        self.cells.is_empty() && self.tariff_rules.is_empty()
    }
}

/// The diff from `from` to `to`, for the zorgkantoren and themes chosen (empty: all). A tariff
/// rule belongs to the theme of the cell it is read from.
pub fn edition_diff(
    from: &EditionDocument,
    to: &EditionDocument,
    themes: &[ThemeId],
    zorgkantoren: &[ZorgkantoorId],
) -> EditionDiff {
    let theme_wanted = |t: ThemeId| themes.is_empty() || themes.contains(&t);
    let zk_wanted = |z: ZorgkantoorId| zorgkantoren.is_empty() || zorgkantoren.contains(&z);
    let mut cells = Vec::new();
    for theme in ThemeId::ALL.into_iter().filter(|t| theme_wanted(*t)) {
        for z in ZorgkantoorId::ALL.into_iter().filter(|z| zk_wanted(*z)) {
            let points =
                |doc: &EditionDocument| doc.cell(z, theme).map(|c: &Cell| c.points.clone()).unwrap_or_default();
            let changes = point_changes(&points(from), &points(to));
            if !changes.is_empty() {
                cells.push(CellDiff { zorgkantoor: z, theme, points: changes });
            }
        }
    }
    let mut tariff_rules = Vec::new();
    for z in ZorgkantoorId::ALL.into_iter().filter(|z| zk_wanted(*z)) {
        let rules = |doc: &EditionDocument| -> Vec<TariffRule> {
            doc.rules_of(z).filter(|r| theme_wanted(r.source.theme)).cloned().collect()
        };
        tariff_rules.extend(rule_changes(z, &rules(from), &rules(to)));
    }
    EditionDiff { from: from.edition.clone(), to: to.edition.clone(), cells, tariff_rules }
}

/// A text reduced to what the matching compares: whitespace collapsed, case folded.
fn normalised(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

fn words(text: &str) -> BTreeSet<String> {
    text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_lowercase).collect()
}

/// The Dice coefficient of two texts' word sets (1: the same words; 0: none in common).
pub fn word_similarity(a: &str, b: &str) -> f64 {
    let (a, b) = (words(a), words(b));
    if a.is_empty() && b.is_empty() {
        return 1.0;
    }
    let common = a.intersection(&b).count();
    2.0 * common as f64 / (a.len() + b.len()) as f64
}

/// The point changes of one cell, by the matching rule in the module text; in `to` order
/// (removed points after the point they followed in `from`, by their `from` number).
pub fn point_changes(before: &[String], after: &[String]) -> Vec<PointChange> {
    let mut before_matched: Vec<Option<usize>> = vec![None; before.len()];
    let mut after_matched: Vec<Option<usize>> = vec![None; after.len()];
    // 1. Equal texts, in order.
    for (i, old) in before.iter().enumerate() {
        let key = normalised(old);
        if let Some(j) = (0..after.len()).find(|&j| after_matched[j].is_none() && normalised(&after[j]) == key) {
            before_matched[i] = Some(j);
            after_matched[j] = Some(i);
        }
    }
    // 2. Rewordings: the most similar remaining pair first, ties by closeness in position.
    let mut candidates = Vec::new();
    for (i, old) in before.iter().enumerate().filter(|(i, _)| before_matched[*i].is_none()) {
        for (j, new) in after.iter().enumerate().filter(|(j, _)| after_matched[*j].is_none()) {
            let similarity = word_similarity(old, new);
            if similarity >= REWORD_THRESHOLD {
                candidates.push((similarity, i.abs_diff(j), i, j));
            }
        }
    }
    candidates.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)).then(a.3.cmp(&b.3)));
    let mut changes: Vec<(usize, usize, PointChange)> = Vec::new();
    for (_, _, i, j) in candidates {
        if before_matched[i].is_none() && after_matched[j].is_none() {
            before_matched[i] = Some(j);
            after_matched[j] = Some(i);
            changes.push((
                j,
                0,
                PointChange {
                    change: Change::Changed,
                    from_point: Some(i + 1),
                    to_point: Some(j + 1),
                    before: Some(before[i].clone()),
                    after: Some(after[j].clone()),
                },
            ));
        }
    }
    // 3. The rest.
    for (j, new) in after.iter().enumerate().filter(|(j, _)| after_matched[*j].is_none()) {
        changes.push((
            j,
            0,
            PointChange {
                change: Change::Added,
                from_point: None,
                to_point: Some(j + 1),
                before: None,
                after: Some(new.clone()),
            },
        ));
    }
    for (i, old) in before.iter().enumerate().filter(|(i, _)| before_matched[*i].is_none()) {
        // Placed after the last `to` point that comes from an earlier `from` point.
        let anchor = (0..i).rev().find_map(|k| before_matched[k]).map_or(0, |j| j + 1);
        changes.push((
            anchor,
            1 + i,
            PointChange {
                change: Change::Removed,
                from_point: Some(i + 1),
                to_point: None,
                before: Some(old.clone()),
                after: None,
            },
        ));
    }
    changes.sort_by_key(|(position, tiebreak, _)| (*position, *tiebreak));
    changes.into_iter().map(|(_, _, change)| change).collect()
}

/// The kind of a rule as its JSON names it, and its numbers by field name.
fn kind_and_numbers(rule: &TariffRule) -> (String, Vec<(String, String)>) {
    let value = serde_json::to_value(&rule.rule).unwrap_or_default();
    let kind = value["kind"].as_str().unwrap_or_default().to_owned();
    let mut numbers = Vec::new();
    if let Some(fields) = value.as_object() {
        for (name, v) in fields {
            // Exact decimals serialise as strings of digits; the other string fields are words.
            if let Some(s) = v.as_str().filter(|s| s.parse::<rust_decimal::Decimal>().is_ok()) {
                numbers.push((name.clone(), s.to_owned()));
            }
        }
    }
    (kind, numbers)
}

/// Whether two rules are the same rule (possibly with other numbers): same kind and, where the
/// kind has one, the same condition.
fn same_rule(a: &TariffRule, b: &TariffRule) -> bool {
    let (va, vb) =
        (serde_json::to_value(&a.rule).unwrap_or_default(), serde_json::to_value(&b.rule).unwrap_or_default());
    va["kind"] == vb["kind"] && va.get("condition") == vb.get("condition")
}

fn rule_changes(z: ZorgkantoorId, before: &[TariffRule], after: &[TariffRule]) -> Vec<RuleChange> {
    let mut before_used = vec![false; before.len()];
    let mut after_used = vec![false; after.len()];
    for (i, old) in before.iter().enumerate() {
        if let Some(j) = (0..after.len()).find(|&j| !after_used[j] && after[j] == *old) {
            before_used[i] = true;
            after_used[j] = true;
        }
    }
    let mut changes = Vec::new();
    for (i, old) in before.iter().enumerate() {
        if before_used[i] {
            continue;
        }
        if let Some(j) = (0..after.len()).find(|&j| !after_used[j] && same_rule(old, &after[j])) {
            before_used[i] = true;
            after_used[j] = true;
            let (kind, old_numbers) = kind_and_numbers(old);
            let (_, new_numbers) = kind_and_numbers(&after[j]);
            let mut numbers: Vec<NumberChange> = Vec::new();
            for (field, value) in &old_numbers {
                let new = new_numbers.iter().find(|(f, _)| f == field).map(|(_, v)| v.clone());
                if new.as_deref() != Some(value.as_str()) {
                    numbers.push(NumberChange { field: field.clone(), before: Some(value.clone()), after: new });
                }
            }
            for (field, value) in new_numbers.iter().filter(|(f, _)| !old_numbers.iter().any(|(o, _)| o == f)) {
                numbers.push(NumberChange { field: field.clone(), before: None, after: Some(value.clone()) });
            }
            changes.push(RuleChange {
                zorgkantoor: z,
                kind,
                change: Change::Changed,
                numbers,
                before: Some(old.clone()),
                after: Some(after[j].clone()),
            });
        }
    }
    let whole = |rule: &TariffRule, change: Change| {
        let (kind, numbers) = kind_and_numbers(rule);
        let numbers = numbers
            .into_iter()
            .map(|(field, v)| match change {
                Change::Removed => NumberChange { field, before: Some(v), after: None },
                _ => NumberChange { field, before: None, after: Some(v) },
            })
            .collect();
        let (before, after) = match change {
            Change::Removed => (Some(rule.clone()), None),
            _ => (None, Some(rule.clone())),
        };
        RuleChange { zorgkantoor: z, kind, change, numbers, before, after }
    };
    changes.extend(before.iter().zip(&before_used).filter(|(_, used)| !**used).map(|(r, _)| whole(r, Change::Removed)));
    changes.extend(after.iter().zip(&after_used).filter(|(_, used)| !**used).map(|(r, _)| whole(r, Change::Added)));
    changes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::themes::seed_edition;

    fn texts(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn an_edition_against_itself_is_empty() {
        let doc = seed_edition();
        assert!(edition_diff(&doc, &doc, &[], &[]).is_empty());
    }

    #[test]
    fn a_reworded_point_is_changed_and_a_moved_one_unchanged() {
        let before = texts(&[
            "Hanteert richttariefpercentage: max. 95,5% van NZa tarief.",
            "Opslag voor technologie: +0,1%",
            "Geen opslag voor nieuwe aanbieders.",
        ]);
        let after = texts(&[
            "Opslag voor technologie: +0,1%",
            "Hanteert richttariefpercentage: max. 96% van NZa tarief.",
            "Een heel ander punt over duurzaamheid en bouw.",
        ]);
        let changes = point_changes(&before, &after);
        assert_eq!(changes.len(), 3, "{changes:#?}");
        let changed = changes.iter().find(|c| c.change == Change::Changed).unwrap();
        assert_eq!((changed.from_point, changed.to_point), (Some(1), Some(2)));
        assert!(changed.after.as_deref().unwrap().contains("96%"));
        let added = changes.iter().find(|c| c.change == Change::Added).unwrap();
        assert_eq!(added.to_point, Some(3));
        let removed = changes.iter().find(|c| c.change == Change::Removed).unwrap();
        assert_eq!(removed.from_point, Some(3));
    }

    #[test]
    fn whitespace_and_case_do_not_count_as_changes() {
        assert!(point_changes(&texts(&["Een  Punt."]), &texts(&["een punt."])).is_empty());
    }

    #[test]
    fn the_most_similar_pair_wins() {
        let before = texts(&["opslag voor mpt groei", "opslag voor vpt plannen van aanbieder"]);
        let after = texts(&["opslag voor vpt plannen van de aanbieder"]);
        let changes = point_changes(&before, &after);
        let changed = changes.iter().find(|c| c.change == Change::Changed).unwrap();
        assert_eq!(changed.from_point, Some(2));
        assert!(changes.iter().any(|c| c.change == Change::Removed && c.from_point == Some(1)));
    }

    #[test]
    fn a_tariff_percentage_change_shows_both_numbers() {
        let from = seed_edition();
        let mut to = seed_edition();
        to.edition = "2024-01".into();
        let rule = to
            .tariff_rules
            .iter_mut()
            .find(|r| {
                r.zorgkantoor == ZorgkantoorId::Cz && matches!(r.rule, crate::themes::RuleKind::GuidePercentage { .. })
            })
            .unwrap();
        rule.rule = crate::themes::RuleKind::GuidePercentage { percentage: rust_decimal::Decimal::from(96).into() };
        let diff = edition_diff(&from, &to, &[], &[]);
        assert!(diff.cells.is_empty());
        assert_eq!(diff.tariff_rules.len(), 1);
        let change = &diff.tariff_rules[0];
        assert_eq!(
            (change.zorgkantoor, change.kind.as_str(), change.change),
            (ZorgkantoorId::Cz, "guide_percentage", Change::Changed)
        );
        assert_eq!(
            change.numbers,
            [NumberChange { field: "percentage".into(), before: Some("95.5".into()), after: Some("96".into()) }]
        );
        // Filtered to another zorgkantoor, or another theme, nothing is left.
        assert!(edition_diff(&from, &to, &[], &[ZorgkantoorId::Vgz]).is_empty());
        assert!(edition_diff(&from, &to, &[ThemeId::Kwaliteit], &[]).is_empty());
    }
}
