//! The OpenAPI schema of a tariff rule, written by hand: the derived one (an `allOf` of a `oneOf`)
//! is valid but client generators cannot take it. It must live in this crate, beside the type:
//! Rust's orphan rule lets only the crate of the type or of the trait (utoipa) implement
//! `ToSchema` for `TariffRule`, so no HTTP crate can.

use utoipa::ToSchema;

use super::{RuleKind, SourceRef, TariffRule, ZorgkantoorId};

/// The fields every tariff rule has besides its kind's; only its schema is used.
#[derive(ToSchema)]
#[allow(dead_code)]
struct TariffRuleFields {
    zorgkantoor: ZorgkantoorId,
    #[serde(default)]
    applies_to: Option<String>,
    source: SourceRef,
    #[serde(default)]
    note: Option<String>,
}

/// A tariff rule's schema is one object per rule kind, each with the common fields, rather
/// than the derived `allOf` of the kinds' `oneOf` with those fields: same JSON, but client
/// generators (openapi-python-client) cannot take an `allOf` of a `oneOf` and dropped every
/// schema and operation that holds a tariff rule.
impl utoipa::PartialSchema for TariffRule {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{OneOfBuilder, Schema};
        use utoipa::openapi::RefOr;
        let (RefOr::T(Schema::Object(common)), RefOr::T(Schema::OneOf(kinds))) =
            (<TariffRuleFields as utoipa::PartialSchema>::schema(), <RuleKind as utoipa::PartialSchema>::schema())
        else {
            unreachable!("derived schemas of a struct and an internally tagged enum");
        };
        let mut one_of = OneOfBuilder::new().description(Some(
            "A typed tariff rule of one zorgkantoor (`kind` says which), with a pointer back to the cell text it comes from.",
        ));
        for kind in kinds.items {
            let RefOr::T(Schema::Object(mut variant)) = kind else { unreachable!("rule kinds are objects") };
            let own = std::mem::take(&mut variant.properties);
            let mut common_properties = common.properties.clone();
            if let Some(zorgkantoor) = common_properties.shift_remove("zorgkantoor") {
                variant.properties.insert("zorgkantoor".to_owned(), zorgkantoor);
            }
            variant.properties.extend(own);
            variant.properties.extend(common_properties);
            variant.required.extend(common.required.iter().cloned());
            one_of = one_of.item(Schema::Object(variant));
        }
        one_of.into()
    }
}

impl ToSchema for TariffRule {
    fn schemas(schemas: &mut Vec<(String, utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>)>) {
        <TariffRuleFields as ToSchema>::schemas(schemas);
        <RuleKind as ToSchema>::schemas(schemas);
    }
}
