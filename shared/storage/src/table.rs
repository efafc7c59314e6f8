//! The one DynamoDB table's physical design: key attributes, global secondary indexes and the
//! TTL attribute. This is the single source of truth: `make run` and the tests create the
//! table from it, and a test checks that `infra/template.yaml` declares exactly the same.
//!
//! Entities overload the generic key attributes (`PK`/`SK`, `GSInPK`/`GSInSK`); each storage
//! module (`storage::proposals`, `storage::quotes`, `storage::themes`) documents its key layout.

use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection, ProjectionType,
    ScalarAttributeType, TimeToLiveSpecification,
};
use aws_sdk_dynamodb::Client;

/// A global secondary index: its name and string key attributes; projection is always ALL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IndexDefinition {
    pub name: &'static str,
    pub partition_key: &'static str,
    pub sort_key: &'static str,
}

/// Key schema of the table. Every key attribute is a string (`S`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TableDefinition {
    pub partition_key: &'static str,
    pub sort_key: &'static str,
    pub indexes: &'static [IndexDefinition],
    /// Epoch-seconds attribute DynamoDB uses to expire items (idempotency records).
    pub ttl_attribute: &'static str,
}

pub const GSI1: IndexDefinition = IndexDefinition { name: "GSI1", partition_key: "GSI1PK", sort_key: "GSI1SK" };
pub const GSI2: IndexDefinition = IndexDefinition { name: "GSI2", partition_key: "GSI2PK", sort_key: "GSI2SK" };
pub const GSI3: IndexDefinition = IndexDefinition { name: "GSI3", partition_key: "GSI3PK", sort_key: "GSI3SK" };

pub const TABLE: TableDefinition =
    TableDefinition { partition_key: "PK", sort_key: "SK", indexes: &[GSI1, GSI2, GSI3], ttl_attribute: "expires_at" };

impl TableDefinition {
    /// All key attribute names (table and indexes), in declaration order.
    pub fn key_attributes(&self) -> Vec<&'static str> {
        let mut names = vec![self.partition_key, self.sort_key];
        for index in self.indexes {
            names.push(index.partition_key);
            names.push(index.sort_key);
        }
        names
    }
}

fn key(name: &str, key_type: KeyType) -> KeySchemaElement {
    KeySchemaElement::builder().attribute_name(name).key_type(key_type).build().expect("key schema has all fields")
}

/// Creates the table (on-demand) with every index, and enables TTL. Used by `make run`'s
/// set-up and by the test harness (one fresh table per test).
pub async fn create_table(client: &Client, table_name: &str) -> Result<(), aws_sdk_dynamodb::Error> {
    let def = TABLE;
    let mut request = client
        .create_table()
        .table_name(table_name)
        .billing_mode(BillingMode::PayPerRequest)
        .key_schema(key(def.partition_key, KeyType::Hash))
        .key_schema(key(def.sort_key, KeyType::Range));
    for name in def.key_attributes() {
        request = request.attribute_definitions(
            AttributeDefinition::builder()
                .attribute_name(name)
                .attribute_type(ScalarAttributeType::S)
                .build()
                .expect("attribute definition has all fields"),
        );
    }
    for index in def.indexes {
        request = request.global_secondary_indexes(
            GlobalSecondaryIndex::builder()
                .index_name(index.name)
                .key_schema(key(index.partition_key, KeyType::Hash))
                .key_schema(key(index.sort_key, KeyType::Range))
                .projection(Projection::builder().projection_type(ProjectionType::All).build())
                .build()
                .expect("index has all fields"),
        );
    }
    request.send().await?;
    client
        .update_time_to_live()
        .table_name(table_name)
        .time_to_live_specification(
            TimeToLiveSpecification::builder()
                .enabled(true)
                .attribute_name(def.ttl_attribute)
                .build()
                .expect("ttl spec has all fields"),
        )
        .send()
        .await?;
    Ok(())
}

/// Creates the table unless it exists already (`make run` restarts keep their data).
pub async fn ensure_table(client: &Client, table_name: &str) -> Result<bool, aws_sdk_dynamodb::Error> {
    match client.describe_table().table_name(table_name).send().await {
        Ok(_) => Ok(false),
        Err(err) if err.as_service_error().is_some_and(|e| e.is_resource_not_found_exception()) => {
            match create_table(client, table_name).await {
                Ok(()) => Ok(true),
                // Created meanwhile: by another process, or by the SDK's retry of a create whose
                // first answer was lost (DynamoDB Local answers slowly on a loaded machine).
                Err(aws_sdk_dynamodb::Error::ResourceInUseException(_)) => Ok(false),
                Err(err) => Err(err),
            }
        }
        Err(err) => Err(err.into()),
    }
}
