//! Every identifier a client sends that reaches a table key (path ids, `?edition=`, a body's
//! `edition`, `from_quote`/`quote_id`, `Idempotency-Key`, a listing cursor) is checked here, by
//! its kind, before it is looked up: length and alphabet. A malformed one is refused (422)
//! without a read; only a well-formed unknown one can be a 404. The bounds keep every key far
//! below DynamoDB's limits (2048 bytes for a partition key, 1024 for a sort key), so no value
//! of a client can make the store refuse a key and the API answer 500.

/// The kinds of identifier the API takes from clients.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdKind {
    /// Proposal and quote ids: a ULID, 26 characters of Crockford base32 (either case).
    Ulid,
    /// A themes edition: 1-40 lowercase letters, digits, '.' and '-', starting with a letter
    /// or digit.
    Edition,
    /// A zorgkantoor slug: 1-40 lowercase letters, digits and '-', starting with a letter or digit.
    Slug,
    /// An `Idempotency-Key`: 1-255 visible ASCII characters.
    IdempotencyKey,
    /// A listing cursor: 1-200 characters of unpadded base64url (as the API hands them out).
    Cursor,
}

pub const MAX_EDITION_CHARS: usize = 40;
pub const MAX_SLUG_CHARS: usize = 40;
pub const MAX_IDEMPOTENCY_KEY_CHARS: usize = 255;
pub const MAX_CURSOR_CHARS: usize = 200;
const ULID_CHARS: usize = 26;

impl IdKind {
    /// Whether `value` is a well-formed identifier of this kind.
    pub fn accepts(self, value: &str) -> bool {
        let within = |max: usize| !value.is_empty() && value.len() <= max;
        match self {
            IdKind::Ulid => {
                value.len() == ULID_CHARS
                    // The first character holds 3 bits: '0'..'7' (a larger one overflows 128 bits).
                    && value.as_bytes()[0] <= b'7'
                    && value.bytes().all(|b| {
                        let b = b.to_ascii_uppercase();
                        b.is_ascii_digit() || (b.is_ascii_uppercase() && !matches!(b, b'I' | b'L' | b'O' | b'U'))
                    })
            }
            IdKind::Edition => {
                within(MAX_EDITION_CHARS)
                    && value.as_bytes()[0].is_ascii_alphanumeric()
                    && value.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-')
            }
            IdKind::Slug => {
                within(MAX_SLUG_CHARS)
                    && value.as_bytes()[0].is_ascii_alphanumeric()
                    && value.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            }
            IdKind::IdempotencyKey => within(MAX_IDEMPOTENCY_KEY_CHARS) && value.bytes().all(|b| b.is_ascii_graphic()),
            IdKind::Cursor => {
                within(MAX_CURSOR_CHARS) && value.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            }
        }
    }

    /// The same rule as [`IdKind::accepts`], as an ECMA-262 regular expression for the spec's
    /// `pattern` (the OpenAPI pass declares it on every parameter and field of this kind), so a
    /// client knows what is refused before it sends it.
    pub fn pattern(self) -> &'static str {
        match self {
            IdKind::Ulid => "^[0-7][0-9A-HJKMNP-TV-Za-hjkmnp-tv-z]{25}$",
            IdKind::Edition => "^[a-z0-9][a-z0-9.-]{0,39}$",
            IdKind::Slug => "^[a-z0-9][a-z0-9-]{0,39}$",
            IdKind::IdempotencyKey => "^[!-~]{1,255}$",
            IdKind::Cursor => "^[A-Za-z0-9_-]{1,200}$",
        }
    }

    /// What a well-formed identifier of this kind looks like: the detail of the 422.
    pub fn rule(self) -> &'static str {
        match self {
            IdKind::Ulid => "must be a ULID: 26 characters of Crockford base32",
            IdKind::Edition => {
                "1-40 characters: lowercase letters, digits, '.' and '-', starting with a letter or digit"
            }
            IdKind::Slug => "1-40 characters: lowercase letters, digits and '-', starting with a letter or digit",
            IdKind::IdempotencyKey => "must be 1 to 255 visible ASCII characters (a UUID is a good key)",
            IdKind::Cursor => "not a cursor of this listing; use next_cursor as given",
        }
    }

    /// `Ok` for a well-formed identifier, else the field error at `pointer`.
    pub fn check(self, pointer: &str, value: &str) -> Result<(), crate::FieldError> {
        if self.accepts(value) {
            Ok(())
        } else {
            Err(crate::FieldError::new(pointer, self.rule()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::IdKind::*;

    #[test]
    fn ulids_in_either_case_and_nothing_else() {
        assert!(Ulid.accepts("01ARZ3NDEKTSV4RRFFQ69G5FAV"));
        assert!(Ulid.accepts("01arz3ndektsv4rrffq69g5fav"));
        for bad in ["", "01ARZ3NDEKTSV4RRFFQ69G5FA", "01ARZ3NDEKTSV4RRFFQ69G5FAVX", "81ARZ3NDEKTSV4RRFFQ69G5FAV"] {
            assert!(!Ulid.accepts(bad), "{bad}");
        }
        assert!(!Ulid.accepts("01ARZ3NDEKTSV4RRFFQ69G5FA!"));
        assert!(!Ulid.accepts("01ARZ3NDEKTSV4RRFFQ69G5FAU"), "U is not Crockford base32");
        assert!(!Ulid.accepts(&"0".repeat(5000)));
    }

    #[test]
    fn every_kind_is_bounded_and_refuses_key_separators_spaces_and_non_ascii() {
        for kind in [Ulid, Edition, Slug, IdempotencyKey, Cursor] {
            for bad in ["", "a b", "é", "\u{202e}x", "a\u{0}b"] {
                assert!(!kind.accepts(bad), "{kind:?} {bad:?}");
            }
            assert!(!kind.accepts(&"a".repeat(256)), "{kind:?} over-long");
            assert!(kind.check("/p", "a b").unwrap_err().pointer == "/p");
        }
        for kind in [Ulid, Edition, Slug, Cursor] {
            assert!(!kind.accepts("PROPOSAL#01ARZ3NDEKTSV4RRFFQ69G5FAV"), "{kind:?}");
        }
        assert!(Edition.accepts("2023-07") && !Edition.accepts("-x") && !Edition.accepts("UPPER"));
        assert!(Slug.accepts("zilveren-kruis") && !Slug.accepts("CZ") && !Slug.accepts("-cz"));
        assert!(IdempotencyKey.accepts("PROPOSAL#*") && IdempotencyKey.accepts(&"k".repeat(255)));
        assert!(Cursor.accepts("MDFBUlozLmFiYw") && !Cursor.accepts("a=b") && !Cursor.accepts(&"a".repeat(201)));
    }

    /// The spec's pattern and the check the handlers run agree, on well-formed values, near
    /// misses and generated strings alike.
    #[test]
    fn each_pattern_says_what_accepts_checks() {
        let samples = [
            "",
            "a",
            "A",
            "0",
            "-",
            ".",
            "_",
            "a b",
            "2023-07",
            "2024.01-b",
            "zilveren-kruis",
            "-cz",
            "CZ",
            "é",
            "01ARZ3NDEKTSV4RRFFQ69G5FAV",
            "01arz3ndektsv4rrffq69g5fav",
            "81ARZ3NDEKTSV4RRFFQ69G5FAV",
            "01ARZ3NDEKTSV4RRFFQ69G5FAU",
            "MDFBUlozLmFiYw",
            "a=b",
            "PROPOSAL#*",
            "a\nb",
            "abc\n",
        ];
        let long: Vec<String> = [25, 26, 27, 39, 40, 41, 200, 201, 255, 256].iter().map(|n| "a".repeat(*n)).collect();
        use proptest::strategy::{Strategy, ValueTree};
        let mut runner = proptest::test_runner::TestRunner::deterministic();
        let generated: Vec<String> =
            (0..2000).map(|_| "[0-9a-zA-Z._#= -]{0,30}".new_tree(&mut runner).unwrap().current()).collect();
        for kind in [Ulid, Edition, Slug, IdempotencyKey, Cursor] {
            let regex = regex::Regex::new(kind.pattern()).unwrap();
            for value in
                samples.iter().map(|s| s.to_string()).chain(long.iter().cloned()).chain(generated.iter().cloned())
            {
                // ECMA's `$` (what JSON Schema means) matches only at the very end; Rust's too.
                assert_eq!(regex.is_match(&value), kind.accepts(&value), "{kind:?} {value:?}");
            }
        }
    }
}
