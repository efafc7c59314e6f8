//! The principal registry: (issuer, subject) → [`Principal`], written by the operators' admin
//! command and read by the authorizer on every token it has not cached.
//!
//! Key layout (one item per principal, no index):
//! - `PK = "PRINCIPAL#<issuer>"`, `SK = "SUBJECT#<subject>"`: one partition per issuer, so an
//!   issuer's principals are listed with a Query (never a Scan) and a token resolves with one
//!   GetItem. The registry is small (organisations' staff and systems) and the authorizer's
//!   reads are cached twice (API Gateway's authorizer cache, the authorizer's own TTL cache),
//!   so one partition per issuer is far below a partition's read limit.
//! - attributes: the principal's fields by name (`issuer`, `subject`, `role`, `org`,
//!   `display_name`, `status`, `signatory`) and `updated_at` (RFC 3339), for operators.
//!
//! Storage does not validate: the admin command runs `Principal::validate` before it writes,
//! and the authorizer's `Principal::to_caller` refuses an entry that no longer fits a rule.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue};
use serde::{Deserialize, Serialize};

use crate::keys::principal as keys;
use crate::{get_item, mapping_error, store_error, Store, StoreError};
use domain::principal::{Principal, PrincipalStatus};

const ENTITY: &str = "principal";

#[derive(Serialize, Deserialize)]
struct PrincipalItem {
    #[serde(rename = "PK")]
    pk: String,
    #[serde(rename = "SK")]
    sk: String,
    entity: String,
    #[serde(flatten)]
    principal: Principal,
    updated_at: String,
}

/// Whether a put may create, replace, or must do exactly one of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PutMode {
    /// Register a new principal: [`StoreError::Conflict`] when (issuer, subject) exists.
    Create,
    /// Change a registered principal: [`StoreError::NotFound`] when it does not exist.
    Replace,
}

/// The item a put writes, as DynamoDB attributes (the admin command's `--dry-run` prints it).
pub fn to_item(principal: &Principal) -> Result<HashMap<String, AttributeValue>, StoreError> {
    let item = PrincipalItem {
        pk: keys::pk(&principal.issuer),
        sk: keys::sk(&principal.subject),
        entity: ENTITY.to_owned(),
        principal: principal.clone(),
        updated_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    };
    serde_dynamo::to_item(item).map_err(mapping_error)
}

fn from_item(item: HashMap<String, AttributeValue>) -> Result<Principal, StoreError> {
    serde_dynamo::from_item::<_, PrincipalItem>(item).map(|item| item.principal).map_err(mapping_error)
}

/// The principal the issuer's `subject` is, or `None` when it is not registered.
pub async fn get(store: &Store, issuer: &str, subject: &str) -> Result<Option<Principal>, StoreError> {
    let item: Option<PrincipalItem> = get_item(store, keys::pk(issuer), &keys::sk(subject)).await?;
    Ok(item.map(|item| item.principal))
}

/// Writes a principal, creating or replacing it as `mode` says; one conditional PutItem.
pub async fn put(store: &Store, principal: &Principal, mode: PutMode) -> Result<(), StoreError> {
    let condition = match mode {
        PutMode::Create => "attribute_not_exists(PK)",
        PutMode::Replace => "attribute_exists(PK)",
    };
    let result = crate::telemetry::observe(
        crate::telemetry::Operation::PutItem,
        store
            .dynamo
            .put_item()
            .table_name(&store.table)
            .set_item(Some(to_item(principal)?))
            .condition_expression(condition)
            .return_consumed_capacity(crate::telemetry::CAPACITY)
            .send(),
    )
    .await;
    match result {
        Ok(_) => Ok(()),
        Err(err) if err.as_service_error().is_some_and(|e| e.is_conditional_check_failed_exception()) => match mode {
            PutMode::Create => Err(StoreError::Conflict(format!(
                "principal {} of {} is registered already",
                principal.subject, principal.issuer
            ))),
            PutMode::Replace => Err(StoreError::NotFound),
        },
        Err(err) => Err(store_error(err)),
    }
}

/// Every principal of `issuer`, by subject: a Query of its partition, page after page.
pub async fn list_by_issuer(store: &Store, issuer: &str) -> Result<Vec<Principal>, StoreError> {
    let query = store
        .dynamo
        .query()
        .table_name(&store.table)
        .key_condition_expression("PK = :pk AND begins_with(SK, :sk)")
        .expression_attribute_values(":pk", AttributeValue::S(keys::pk(issuer)))
        .expression_attribute_values(":sk", AttributeValue::S(keys::SK_PREFIX.to_owned()))
        .consistent_read(true);
    crate::query_all(query).await?.into_iter().map(from_item).collect()
}

/// Suspends or re-activates a registered principal and returns it as it now is;
/// [`StoreError::NotFound`] when it is not registered (never creates one).
pub async fn set_status(
    store: &Store,
    issuer: &str,
    subject: &str,
    status: PrincipalStatus,
) -> Result<Principal, StoreError> {
    let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let result = crate::telemetry::observe(
        crate::telemetry::Operation::UpdateItem,
        store
            .dynamo
            .update_item()
            .table_name(&store.table)
            .set_key(Some(crate::keys::item_key(keys::pk(issuer), &keys::sk(subject))))
            .update_expression("SET #status = :status, updated_at = :now")
            .condition_expression("attribute_exists(PK)")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":status", AttributeValue::S(status.as_str().to_owned()))
            .expression_attribute_values(":now", AttributeValue::S(now))
            .return_values(ReturnValue::AllNew)
            .return_consumed_capacity(crate::telemetry::CAPACITY)
            .send(),
    )
    .await;
    match result {
        Ok(out) => from_item(out.attributes.unwrap_or_default()),
        Err(err) if err.as_service_error().is_some_and(|e| e.is_conditional_check_failed_exception()) => {
            Err(StoreError::NotFound)
        }
        Err(err) => Err(store_error(err)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::identity::Role;

    fn sample() -> Principal {
        Principal {
            issuer: "https://idp.example/tenant#a".into(),
            subject: "user-1".into(),
            role: Role::Insurer,
            org: "3311".into(),
            display_name: "A. Jansen".into(),
            status: PrincipalStatus::Active,
            signatory: true,
        }
    }

    #[test]
    fn a_principal_is_keyed_by_issuer_and_subject_and_reads_back_unchanged() {
        let item = to_item(&sample()).unwrap();
        assert_eq!(item["PK"], AttributeValue::S("PRINCIPAL#https://idp.example/tenant#a".into()));
        assert_eq!(item["SK"], AttributeValue::S("SUBJECT#user-1".into()));
        assert_eq!(item["entity"], AttributeValue::S("principal".into()));
        assert_eq!(item["role"], AttributeValue::S("insurer".into()));
        assert_eq!(item["status"], AttributeValue::S("active".into()));
        assert_eq!(item["signatory"], AttributeValue::Bool(true));
        assert!(item.contains_key("updated_at"));
        assert_eq!(from_item(item).unwrap(), sample());
    }

    #[test]
    fn an_item_without_signatory_reads_as_not_a_signatory() {
        let mut item = to_item(&sample()).unwrap();
        item.remove("signatory");
        assert!(!from_item(item).unwrap().signatory);
    }
}
