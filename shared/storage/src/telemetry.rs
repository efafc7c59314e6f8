//! What each DynamoDB call cost and how it ended: a tracing span per call (operation, consumed
//! capacity units) and a per-request tally that the edge turns into metrics. Every data call
//! asks for `ReturnConsumedCapacity: TOTAL` and goes through [`observe`].

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::future::Future;

use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::types::{ConsumedCapacity, ReturnConsumedCapacity};
use tracing::Instrument;

/// What every data call asks DynamoDB to report.
pub(crate) const CAPACITY: ReturnConsumedCapacity = ReturnConsumedCapacity::Total;

/// The DynamoDB operations we call, by their API names (the metrics' `Operation` dimension).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Operation {
    GetItem,
    Query,
    PutItem,
    UpdateItem,
    TransactWriteItems,
}

impl Operation {
    pub fn as_str(self) -> &'static str {
        match self {
            Operation::GetItem => "GetItem",
            Operation::Query => "Query",
            Operation::PutItem => "PutItem",
            Operation::UpdateItem => "UpdateItem",
            Operation::TransactWriteItems => "TransactWriteItems",
        }
    }

    /// Whether the call is billed in read units (else write units). TOTAL reports one
    /// `CapacityUnits` figure; the operation says which kind it is.
    pub fn reads(self) -> bool {
        matches!(self, Operation::GetItem | Operation::Query)
    }
}

/// One operation's calls within a request.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct OperationStats {
    pub calls: u32,
    pub read_units: f64,
    pub write_units: f64,
    /// Failed calls other than throttling and condition checks (those are answers, not faults).
    pub errors: u32,
    pub throttles: u32,
}

/// The store calls of one request, by operation.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Tally {
    pub operations: BTreeMap<Operation, OperationStats>,
}

tokio::task_local! {
    static TALLY: RefCell<Tally>;
}

/// Runs `fut` (one request) and returns what its store calls cost. Calls made outside such a
/// scope (cold-start seeding, the publisher binary) are traced but not tallied.
pub async fn tallied<F: Future>(fut: F) -> (F::Output, Tally) {
    TALLY
        .scope(RefCell::new(Tally::default()), async move {
            let output = fut.await;
            (output, TALLY.with(|t| t.take()))
        })
        .await
}

/// The capacity a call's answer reports (TOTAL: `CapacityUnits` per table).
pub(crate) trait Consumed {
    fn capacity_units(&self) -> f64;
}

fn units<'a>(consumed: impl IntoIterator<Item = &'a ConsumedCapacity>) -> f64 {
    consumed.into_iter().filter_map(|c| c.capacity_units()).sum()
}

macro_rules! consumed_one {
    ($($output:ty),*) => {$(
        impl Consumed for $output {
            fn capacity_units(&self) -> f64 {
                units(self.consumed_capacity())
            }
        }
    )*};
}
consumed_one!(
    aws_sdk_dynamodb::operation::get_item::GetItemOutput,
    aws_sdk_dynamodb::operation::put_item::PutItemOutput,
    aws_sdk_dynamodb::operation::update_item::UpdateItemOutput,
    aws_sdk_dynamodb::operation::query::QueryOutput
);

impl Consumed for aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsOutput {
    fn capacity_units(&self) -> f64 {
        units(self.consumed_capacity())
    }
}

/// How a failed call counts: a throttle, an expected answer (a condition that did not hold), or
/// a fault.
fn failure_kind<E: ProvideErrorMetadata, R>(err: &SdkError<E, R>) -> Option<bool> {
    let code = err.as_service_error().and_then(|e| e.code());
    match code {
        Some(c) if crate::THROTTLING_CODES.contains(&c) => Some(true),
        Some("ConditionalCheckFailedException" | "TransactionCanceledException" | "TransactionConflictException") => {
            None
        }
        _ => Some(false),
    }
}

/// Runs one DynamoDB call in a `dynamodb` span naming its operation, records the capacity it
/// consumed (span field and debug event) and adds it to the request's tally.
pub(crate) async fn observe<T: Consumed, E: ProvideErrorMetadata, R>(
    operation: Operation,
    call: impl Future<Output = Result<T, SdkError<E, R>>>,
) -> Result<T, SdkError<E, R>> {
    let span = tracing::debug_span!("dynamodb", operation = operation.as_str(), capacity_units = tracing::field::Empty);
    let result = call.instrument(span.clone()).await;
    let consumed = result.as_ref().map(Consumed::capacity_units).unwrap_or(0.0);
    span.record("capacity_units", consumed);
    let _ = TALLY.try_with(|tally| {
        let mut tally = tally.borrow_mut();
        let stats = tally.operations.entry(operation).or_default();
        stats.calls += 1;
        if operation.reads() {
            stats.read_units += consumed;
        } else {
            stats.write_units += consumed;
        }
        if let Err(err) = &result {
            match failure_kind(err) {
                Some(true) => stats.throttles += 1,
                Some(false) => stats.errors += 1,
                None => {}
            }
        }
    });
    span.in_scope(|| {
        tracing::debug!(operation = operation.as_str(), capacity_units = consumed, ok = result.is_ok(), "dynamodb call")
    });
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_scope_tallies_units_by_operation_and_counts_throttles_apart_from_faults() {
        use aws_sdk_dynamodb::operation::get_item::{GetItemError, GetItemOutput};
        use aws_sdk_dynamodb::types::error::ProvisionedThroughputExceededException;
        type Answer = Result<GetItemOutput, SdkError<GetItemError, ()>>;
        let answered = || async {
            Ok(GetItemOutput::builder()
                .consumed_capacity(ConsumedCapacity::builder().table_name("t").capacity_units(0.5).build())
                .build()) as Answer
        };
        let throttled = || async {
            let err = ProvisionedThroughputExceededException::builder()
                .message("slow down")
                .meta(
                    aws_sdk_dynamodb::error::ErrorMetadata::builder()
                        .code("ProvisionedThroughputExceededException")
                        .build(),
                )
                .build();
            Err(SdkError::service_error(GetItemError::ProvisionedThroughputExceededException(err), ())) as Answer
        };
        let ((), tally) = tallied(async {
            observe(Operation::GetItem, answered()).await.unwrap();
            observe(Operation::GetItem, answered()).await.unwrap();
            observe(Operation::GetItem, throttled()).await.unwrap_err();
        })
        .await;
        let stats = &tally.operations[&Operation::GetItem];
        assert_eq!((stats.calls, stats.read_units, stats.write_units), (3, 1.0, 0.0));
        assert_eq!((stats.throttles, stats.errors), (1, 0));
        // Outside a scope nothing is tallied and nothing fails.
        observe(Operation::GetItem, answered()).await.unwrap();
    }
}
