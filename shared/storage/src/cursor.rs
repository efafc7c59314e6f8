//! Opaque listing cursors: the last id of a page (a ULID) plus a tag of the listing it belongs
//! to, base64url. A cursor replayed on another listing (other filters, another organisation's
//! feed) is refused rather than silently skipping items. The proposals list and the event feed
//! both use it.

use base64::Engine;
use sha2::Digest;

use crate::StoreError;

/// A short tag of the listing (`scope`: a partition key, or what names the listing).
fn tag(scope: &str) -> String {
    let digest = sha2::Sha256::digest(scope.as_bytes());
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&digest[..6])
}

pub(crate) fn encode(scope: &str, id: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("{id}.{}", tag(scope)))
}

/// The id a cursor of `scope` carries; [`StoreError::InvalidCursor`] for anything else.
pub(crate) fn decode(scope: &str, cursor: &str) -> Result<String, StoreError> {
    decode_with(scope, cursor, |id| ulid::Ulid::from_string(id).is_ok())
}

/// The position a cursor of `scope` carries, when `valid` accepts it (a sort key of the listing).
pub(crate) fn decode_with(scope: &str, cursor: &str, valid: impl Fn(&str) -> bool) -> Result<String, StoreError> {
    let invalid = || StoreError::InvalidCursor;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(cursor).map_err(|_| invalid())?;
    let text = String::from_utf8(bytes).map_err(|_| invalid())?;
    let (id, tag_text) = text.rsplit_once('.').ok_or_else(invalid)?;
    if tag_text != tag(scope) || !valid(id) {
        return Err(invalid());
    }
    Ok(id.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_belong_to_their_scope() {
        let id = ulid::Ulid::new().to_string();
        let cursor = encode("A", &id);
        assert_eq!(decode("A", &cursor).unwrap(), id);
        assert_eq!(decode("B", &cursor).unwrap_err(), StoreError::InvalidCursor);
        assert_eq!(decode("A", "garbage!").unwrap_err(), StoreError::InvalidCursor);
        assert_eq!(decode("A", &encode("A", "not-a-ulid")).unwrap_err(), StoreError::InvalidCursor);
    }
}
