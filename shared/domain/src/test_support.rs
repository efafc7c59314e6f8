//! Test helpers: parse a JSON body the way the HTTP edge does (shape errors named by a JSON
//! pointer), so domain tests can state where a refused body fails without depending on HTTP.

use serde::de::DeserializeOwned;

use crate::error::DomainError;

/// Parses `body`; a shape error (unknown field, wrong type, bad code) becomes one field error.
pub fn parse<T: DeserializeOwned>(body: &serde_json::Value) -> Result<T, DomainError> {
    let text = body.to_string();
    let mut de = serde_json::Deserializer::from_str(&text);
    serde_path_to_error::deserialize(&mut de).map_err(|err| {
        let pointer: String = err
            .path()
            .iter()
            .map(|segment| match segment {
                serde_path_to_error::Segment::Seq { index } => format!("/{index}"),
                serde_path_to_error::Segment::Map { key } => format!("/{key}"),
                serde_path_to_error::Segment::Enum { variant } => format!("/{variant}"),
                serde_path_to_error::Segment::Unknown => String::new(),
            })
            .collect();
        DomainError::field(pointer, err.inner().to_string())
    })
}
