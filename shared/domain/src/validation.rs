//! The one validation toolkit: accumulate every failure of a request, each under its JSON
//! pointer, so a client can fix them all in one go; and the text and number rules that
//! proposals, quotes and themes share, written once so the three cannot drift apart.

use rust_decimal::Decimal;

use crate::error::{DomainError, FieldError};
use crate::money::ExactDecimal;

/// Where a failure is. Hot paths (a quote checks hundreds of figures) pass a closure, so the
/// pointer string is only built when the value is refused.
pub trait Pointer {
    fn into_pointer(self) -> String;
}

impl Pointer for &str {
    fn into_pointer(self) -> String {
        self.to_owned()
    }
}

impl Pointer for &String {
    fn into_pointer(self) -> String {
        self.clone()
    }
}

impl Pointer for String {
    fn into_pointer(self) -> String {
        self
    }
}

impl<F: FnOnce() -> String> Pointer for F {
    fn into_pointer(self) -> String {
        self()
    }
}

/// The failures found so far.
#[derive(Debug, Default)]
pub struct Errors(Vec<FieldError>);

impl Errors {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&mut self, pointer: impl Pointer, detail: impl Into<String>) {
        self.0.push(FieldError::new(pointer.into_pointer(), detail));
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// How many failures so far: a check compares counts to see whether its own parts passed.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Adds failures found by another check (e.g. a nested document's own validation).
    pub fn extend(&mut self, errors: impl IntoIterator<Item = FieldError>) {
        self.0.extend(errors);
    }

    /// A required text: not blank, at most `max` characters, and no control characters other
    /// than line breaks and tabs (they corrupt CSV exports and log lines, and no real text
    /// needs them). Every free text of every resource goes through this one rule.
    pub fn text(&mut self, pointer: impl Pointer, text: &str, max: usize) {
        if text.trim().is_empty() {
            self.push(pointer, "must not be empty");
        } else if text.chars().count() > max {
            self.push(pointer, format!("at most {max} characters"));
        } else if text.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\t' | '\r')) {
            self.push(pointer, "must not contain control characters");
        }
    }

    /// An optional text: when present, the same rule as [`Errors::text`].
    pub fn optional_text(&mut self, pointer: impl Pointer, text: Option<&str>, max: usize) {
        if let Some(text) = text {
            self.text(pointer, text, max);
        }
    }

    /// An amount of euros: not negative, whole cents, not above `max`.
    pub fn money(&mut self, pointer: impl Pointer, value: ExactDecimal, max: Decimal) {
        let value = value.value();
        if value.is_sign_negative() && !value.is_zero() {
            self.push(pointer, "must not be negative");
        } else if decimals(value) > 2 {
            self.push(pointer, "money has at most 2 decimals (whole cents)");
        } else if value > max {
            self.push(pointer, format!("at most {max}"));
        }
    }

    /// A percentage from 0 to `max` with at most `max_decimals` decimals; true when valid.
    pub fn percentage(&mut self, pointer: impl Pointer, value: ExactDecimal, max: Decimal, max_decimals: u32) -> bool {
        let value = value.value();
        let ok = value >= Decimal::ZERO && value <= max && decimals(value) <= max_decimals;
        if !ok {
            self.push(pointer, format!("must be a percentage from 0 to {max} with at most {max_decimals} decimals"));
        }
        ok
    }

    /// The failures, as a list (for checks that are part of a larger one).
    pub fn into_vec(self) -> Vec<FieldError> {
        self.0
    }

    /// `Ok` when nothing failed, else [`DomainError::Invalid`] with every failure.
    pub fn finish(self) -> Result<(), DomainError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(DomainError::Invalid(self.0))
        }
    }
}

/// Significant decimals of a value (`1.50` has 1, `2` has 0).
pub fn decimals(value: Decimal) -> u32 {
    if value.scale() == 0 {
        0
    } else {
        value.normalize().scale()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn one(check: impl FnOnce(&mut Errors)) -> Vec<FieldError> {
        let mut errors = Errors::new();
        check(&mut errors);
        errors.into_vec()
    }

    #[test]
    fn text_rules_are_the_same_for_every_caller() {
        assert!(one(|e| e.text("/a", "fine\nwith a break\tand a tab", 40)).is_empty());
        assert_eq!(one(|e| e.text("/a", "  ", 40))[0].detail, "must not be empty");
        assert_eq!(one(|e| e.text("/a", "abcdef", 5))[0].detail, "at most 5 characters");
        assert_eq!(one(|e| e.text("/a", "bell\u{7}", 40))[0].detail, "must not contain control characters");
        assert_eq!(one(|e| e.text(|| "/lazy".to_string(), "", 40))[0].pointer, "/lazy");
        assert!(one(|e| e.optional_text("/a", None, 1)).is_empty());
    }

    #[test]
    fn money_and_percentages() {
        let d = |s: &str| ExactDecimal::from(Decimal::from_str(s).unwrap());
        let max = Decimal::from(1000);
        assert!(one(|e| e.money("/m", d("999.99"), max)).is_empty());
        assert_eq!(one(|e| e.money("/m", d("-0.01"), max))[0].detail, "must not be negative");
        assert_eq!(one(|e| e.money("/m", d("1.005"), max))[0].detail, "money has at most 2 decimals (whole cents)");
        assert_eq!(one(|e| e.money("/m", d("1000.01"), max))[0].detail, "at most 1000");
        assert!(one(|e| assert!(e.percentage("/p", d("12.50"), Decimal::ONE_HUNDRED, 2))).is_empty());
        assert_eq!(one(|e| assert!(!e.percentage("/p", d("100.01"), Decimal::ONE_HUNDRED, 2))).len(), 1);
        assert_eq!(decimals(Decimal::from_str("1.50").unwrap()), 1);
        assert_eq!(decimals(Decimal::from_str("2").unwrap()), 0);
    }

    #[test]
    fn finish_reports_every_failure() {
        let mut errors = Errors::new();
        errors.push("/a", "x");
        errors.push("/b", "y");
        assert_eq!(
            errors.finish(),
            Err(DomainError::Invalid(vec![FieldError::new("/a", "x"), FieldError::new("/b", "y")]))
        );
        assert_eq!(Errors::new().finish(), Ok(()));
    }
}
