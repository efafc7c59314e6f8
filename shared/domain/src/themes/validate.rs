//! Validation of a draft edition: every problem at once, each named by a JSON pointer into the
//! document, so a publisher can fix them all before the edition is stored.

use std::collections::{BTreeMap, BTreeSet};

use rust_decimal::Decimal;

use super::tariff_rules::rule_numbers;
use super::{EditionDocument, ThemeId, MAX_LABEL_CHARS, MAX_POINTS_PER_CELL, MAX_TARIFF_RULES, MAX_TEXT_CHARS};
use crate::error::DomainError;
use crate::validation::Errors;

/// Whether an edition id is well formed.
pub fn valid_edition_id(id: &str) -> bool {
    crate::ids::IdKind::Edition.accepts(id)
}

impl EditionDocument {
    /// Validates a draft: the 7 themes, known and unique zorgkantoren, unique cells of listed
    /// zorgkantoren, bounded texts, and tariff rules whose quote is in the cell point they name.
    pub fn validate(&self) -> Result<(), DomainError> {
        let mut c = Errors::new();
        if !valid_edition_id(&self.edition) {
            c.push(
                "/edition",
                "1-40 characters: lowercase letters, digits, '.' and '-', starting with a letter or digit",
            );
        }
        c.text("/title", &self.title, MAX_LABEL_CHARS);
        if self.period.from > self.period.to {
            c.push("/period", "from must not be after to");
        }
        let ctx = &self.national_context;
        if ctx.guide_tariff_percentage.value() <= Decimal::ZERO
            || ctx.guide_tariff_percentage.value() > Decimal::ONE_HUNDRED
        {
            c.push("/national_context/guide_tariff_percentage", "must be above 0 and at most 100");
        }
        c.text("/national_context/guide_tariff_scope", &ctx.guide_tariff_scope, MAX_TEXT_CHARS);
        if ctx.sources.len() > 50 {
            c.push("/national_context/sources", "at most 50 sources");
        }
        for (i, s) in ctx.sources.iter().enumerate() {
            c.text(format!("/national_context/sources/{i}"), s, MAX_LABEL_CHARS);
        }
        if ctx.procurement_process.len() > 50 {
            c.push("/national_context/procurement_process", "at most 50 steps");
        }
        for (i, s) in ctx.procurement_process.iter().enumerate() {
            c.text(format!("/national_context/procurement_process/{i}/title"), &s.title, MAX_LABEL_CHARS);
            c.text(format!("/national_context/procurement_process/{i}/text"), &s.text, MAX_TEXT_CHARS);
        }
        // The 7 themes, each once, in the table's order.
        let ids: Vec<ThemeId> = self.themes.iter().map(|t| t.id).collect();
        if ids != ThemeId::ALL {
            c.push("/themes", "must list the 7 themes once each, in order: algemeen, kwaliteit, behandeling-en-mgz, bekostiging-en-tarieven, duurzaamheid, technologie, overig");
        }
        for (i, t) in self.themes.iter().enumerate() {
            c.text(format!("/themes/{i}/name"), &t.name, MAX_LABEL_CHARS);
        }
        let mut listed = BTreeSet::new();
        if self.zorgkantoren.is_empty() {
            c.push("/zorgkantoren", "must list at least one zorgkantoor");
        }
        for (i, z) in self.zorgkantoren.iter().enumerate() {
            if !listed.insert(z.id) {
                c.push(format!("/zorgkantoren/{i}/id"), "listed twice");
            }
            c.text(format!("/zorgkantoren/{i}/name"), &z.name, MAX_LABEL_CHARS);
            c.text(format!("/zorgkantoren/{i}/source_document"), &z.source_document, MAX_LABEL_CHARS);
            if let Some(url) = &z.source_url {
                c.text(format!("/zorgkantoren/{i}/source_url"), url, MAX_LABEL_CHARS);
                if !valid_source_url(url) {
                    c.push(format!("/zorgkantoren/{i}/source_url"), "an https:// address without spaces");
                }
            }
        }
        let mut seen = BTreeMap::new();
        if self.cells.len() > 49 {
            c.push("/cells", "at most 49 cells (7 zorgkantoren x 7 themes)");
        }
        for (i, cell) in self.cells.iter().enumerate() {
            if !listed.contains(&cell.zorgkantoor) {
                c.push(format!("/cells/{i}/zorgkantoor"), "not listed in /zorgkantoren");
            }
            if seen.insert((cell.zorgkantoor, cell.theme), i).is_some() {
                c.push(format!("/cells/{i}"), "a second cell for this zorgkantoor and theme");
            }
            if cell.points.len() > MAX_POINTS_PER_CELL {
                c.push(format!("/cells/{i}/points"), format!("at most {MAX_POINTS_PER_CELL} points"));
            }
            for (j, p) in cell.points.iter().enumerate() {
                c.text(format!("/cells/{i}/points/{j}"), p, MAX_TEXT_CHARS);
            }
            if let Some(note) = &cell.note {
                c.text(format!("/cells/{i}/note"), note, MAX_TEXT_CHARS);
            }
        }
        if self.tariff_rules.len() > MAX_TARIFF_RULES {
            c.push("/tariff_rules", format!("at most {MAX_TARIFF_RULES} rules"));
        }
        for (i, rule) in self.tariff_rules.iter().enumerate() {
            let at = format!("/tariff_rules/{i}");
            if !listed.contains(&rule.zorgkantoor) {
                c.push(format!("{at}/zorgkantoor"), "not listed in /zorgkantoren");
            }
            match seen.get(&(rule.zorgkantoor, rule.source.theme)).map(|&k| &self.cells[k]) {
                None => c.push(format!("{at}/source/theme"), "this zorgkantoor has no cell for the theme"),
                Some(cell) => match rule.source.point.checked_sub(1).and_then(|k| cell.points.get(k)) {
                    None => c.push(format!("{at}/source/point"), "no such point (1-based) in the cell"),
                    Some(text) if !text.contains(&rule.source.quote) => {
                        c.push(format!("{at}/source/quote"), "must be a verbatim part of the point's text")
                    }
                    Some(_) => {}
                },
            }
            c.text(format!("{at}/source/quote"), &rule.source.quote, MAX_TEXT_CHARS);
            if let Some(note) = &rule.note {
                c.text(format!("{at}/note"), note, MAX_TEXT_CHARS);
            }
            if let Some(applies) = &rule.applies_to {
                c.text(format!("{at}/applies_to"), applies, MAX_LABEL_CHARS);
            }
            rule_numbers(&mut c, &at, &rule.rule);
        }
        c.finish()
    }
}

/// A source address a reader can open: `https://`, a host, and no whitespace or quotes.
fn valid_source_url(url: &str) -> bool {
    url.strip_prefix("https://").is_some_and(|rest| {
        let host = rest.split('/').next().unwrap_or_default();
        host.contains('.')
            && !url.chars().any(|c| c.is_whitespace() || c.is_control() || c == '"' || c == '<' || c == '>')
    })
}
