//! Query parameters into typed structs. The struct a handler parses is the one whose
//! `IntoParams` derive documents the operation's parameters, so what the spec promises and
//! what the handler reads cannot drift apart; `deny_unknown_fields` on it refuses a typo'd
//! parameter (which would otherwise silently list everything).
//!
//! A parameter may repeat (`?theme=a&theme=b`) or list values with commas (`?theme=a,b`)
//! where the field is a list; a scalar field takes exactly one value.

use std::fmt;

use lambda_http::{Request, RequestExt};
use serde::de::{self, DeserializeOwned, DeserializeSeed, IntoDeserializer, MapAccess, Visitor};

use crate::error::ApiError;

/// The query of an operation that takes no parameters: any parameter is refused.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoParams {}

/// Parses the request's query string into `T`; a failure is a 422 naming `/query/<name>`.
pub fn parse_query<T: DeserializeOwned>(req: &Request) -> Result<T, ApiError> {
    let mut params: Vec<(String, Vec<String>)> = Vec::new();
    if let Some(map) = req.query_string_parameters_ref() {
        for (name, _) in map.iter() {
            if params.iter().any(|(n, _)| n == name) {
                continue;
            }
            let values = map.all(name).unwrap_or_default().into_iter().map(str::to_owned).collect();
            params.push((name.to_owned(), values));
        }
    }
    // A stable order, so the first of several bad parameters is always the same one.
    params.sort_by(|a, b| a.0.cmp(&b.0));
    from_params(&params)
}

/// The parsing behind [`parse_query`], over (name, values) pairs.
pub fn from_params<T: DeserializeOwned>(params: &[(String, Vec<String>)]) -> Result<T, ApiError> {
    T::deserialize(Params { params, next: 0, current: None }).map_err(|e: QueryError| {
        let pointer = match &e.name {
            Some(name) => format!("/query/{name}"),
            None => "/query".to_owned(),
        };
        ApiError::field(pointer, e.message)
    })
}

/// A parameter that could not be read: which one, and why.
#[derive(Debug)]
struct QueryError {
    name: Option<String>,
    message: String,
}

impl fmt::Display for QueryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for QueryError {}

impl de::Error for QueryError {
    fn custom<M: fmt::Display>(msg: M) -> Self {
        QueryError { name: None, message: msg.to_string() }
    }

    fn unknown_field(field: &str, expected: &'static [&'static str]) -> Self {
        let known = if expected.is_empty() { "none".to_owned() } else { expected.join(", ") };
        QueryError { name: Some(field.to_owned()), message: format!("unknown query parameter; known: {known}") }
    }
}

/// The whole query string, as a map of parameters.
struct Params<'a> {
    params: &'a [(String, Vec<String>)],
    next: usize,
    current: Option<&'a (String, Vec<String>)>,
}

impl<'de> de::Deserializer<'de> for Params<'_> {
    type Error = QueryError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, QueryError> {
        visitor.visit_map(self)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf option unit
        unit_struct newtype_struct seq tuple tuple_struct map struct enum identifier ignored_any
    }
}

impl<'de> MapAccess<'de> for Params<'_> {
    type Error = QueryError;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, QueryError> {
        let Some(param) = self.params.get(self.next) else { return Ok(None) };
        self.next += 1;
        self.current = Some(param);
        seed.deserialize(param.0.as_str().into_deserializer()).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, QueryError> {
        let (name, values) = self.current.expect("serde asks for a value after its key");
        seed.deserialize(Value { values }).map_err(|mut e| {
            e.name.get_or_insert_with(|| name.clone());
            e
        })
    }
}

/// The values of one parameter.
struct Value<'a> {
    values: &'a [String],
}

impl Value<'_> {
    /// The one value of a scalar parameter.
    fn single(&self) -> Result<&str, QueryError> {
        match self.values {
            [one] => Ok(one.trim()),
            _ => Err(de::Error::custom("give this parameter once")),
        }
    }

    fn number<T: std::str::FromStr>(&self) -> Result<T, QueryError> {
        self.single()?.parse().map_err(|_| de::Error::custom("must be a whole number"))
    }
}

macro_rules! numbers {
    ($($method:ident => $visit:ident: $ty:ty),*) => {
        $(fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, QueryError> {
            visitor.$visit(self.number::<$ty>()?)
        })*
    };
}

impl<'de> de::Deserializer<'de> for Value<'_> {
    type Error = QueryError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, QueryError> {
        visitor.visit_str(self.single()?)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, QueryError> {
        visitor.visit_some(self)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, QueryError> {
        let items = self.values.iter().flat_map(|v| v.split(',')).map(str::trim).filter(|v| !v.is_empty());
        visitor.visit_seq(de::value::SeqDeserializer::new(items.map(|v| v.into_deserializer())))
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, QueryError> {
        visitor.visit_enum(self.single()?.into_deserializer())
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, QueryError> {
        match self.single()? {
            "true" => visitor.visit_bool(true),
            "false" => visitor.visit_bool(false),
            _ => Err(de::Error::custom("must be true or false")),
        }
    }

    numbers!(deserialize_i8 => visit_i8: i8, deserialize_i16 => visit_i16: i16, deserialize_i32 => visit_i32: i32,
        deserialize_i64 => visit_i64: i64, deserialize_u8 => visit_u8: u8, deserialize_u16 => visit_u16: u16,
        deserialize_u32 => visit_u32: u32, deserialize_u64 => visit_u64: u64);

    serde::forward_to_deserialize_any! {
        i128 u128 f32 f64 char str string bytes byte_buf unit unit_struct newtype_struct tuple
        tuple_struct map struct identifier ignored_any
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(rename_all = "snake_case")]
    enum Colour {
        Red,
        DarkBlue,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Filters {
        colour: Option<Vec<Colour>>,
        limit: Option<usize>,
        year: Option<i32>,
        shade: Option<Colour>,
        name: Option<String>,
    }

    fn parse(pairs: &[(&str, &[&str])]) -> Result<Filters, ApiError> {
        let params: Vec<(String, Vec<String>)> =
            pairs.iter().map(|(n, v)| (n.to_string(), v.iter().map(|s| s.to_string()).collect())).collect();
        from_params(&params)
    }

    fn pointer_and_detail(err: ApiError) -> (String, String) {
        let ApiError::Validation(errors) = err else { panic!("validation expected, got {err:?}") };
        (errors[0].pointer.clone(), errors[0].detail.clone())
    }

    #[test]
    fn typed_values_lists_and_defaults() {
        let f = parse(&[("colour", &["red,dark_blue", "red"]), ("limit", &["5"]), ("shade", &["red"])]).unwrap();
        assert_eq!(f.colour, Some(vec![Colour::Red, Colour::DarkBlue, Colour::Red]));
        assert_eq!(f.limit, Some(5));
        assert_eq!(f.shade, Some(Colour::Red));
        assert_eq!((f.year, f.name), (None, None));
        assert_eq!(parse(&[]).unwrap().colour, None);
    }

    #[test]
    fn failures_name_the_parameter() {
        let (pointer, detail) = pointer_and_detail(parse(&[("colur", &["red"])]).unwrap_err());
        assert_eq!(pointer, "/query/colur");
        assert!(detail.starts_with("unknown query parameter; known: colour, limit"), "{detail}");
        assert_eq!(pointer_and_detail(parse(&[("limit", &["x"])]).unwrap_err()).0, "/query/limit");
        assert_eq!(pointer_and_detail(parse(&[("limit", &["-1"])]).unwrap_err()).0, "/query/limit");
        assert_eq!(pointer_and_detail(parse(&[("year", &["1", "2"])]).unwrap_err()).1, "give this parameter once");
        assert_eq!(pointer_and_detail(parse(&[("colour", &["green"])]).unwrap_err()).0, "/query/colour");
        assert_eq!(pointer_and_detail(parse(&[("shade", &["green"])]).unwrap_err()).0, "/query/shade");
    }
}
