//! Metrics as CloudWatch Embedded Metric Format (EMF) lines on stdout: CloudWatch Logs turns
//! each line into metrics, with no extra network call and nothing lost when Lambda freezes the
//! sandbox. Spec: https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
//!
//! Per request the router writes one document (dimensions `Function`, `Route`: count, latency,
//! 4xx, 5xx and the business counts handlers recorded) and one per DynamoDB operation the
//! request used (dimensions `Function`, `Operation`: calls, read/write capacity units, errors,
//! throttles). Dimension values are route templates and operation names, never raw paths, so
//! the number of metric series stays bounded.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::future::Future;
use std::sync::OnceLock;

use serde_json::{json, Map, Value};

/// The CloudWatch namespace of our metrics (`METRICS_NAMESPACE`, else this).
pub const DEFAULT_NAMESPACE: &str = "Zorginkoop";

/// The units we use (the spec lists CloudWatch's `StandardUnit` values).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Count,
    Milliseconds,
    None,
}

impl Unit {
    fn as_str(self) -> &'static str {
        match self {
            Unit::Count => "Count",
            Unit::Milliseconds => "Milliseconds",
            Unit::None => "None",
        }
    }
}

/// One EMF document: one metric directive (namespace, dimension sets, metric definitions) and
/// the root members holding dimension values, metric values and plain properties.
#[derive(Debug, Clone)]
pub struct Document {
    namespace: String,
    timestamp_ms: i64,
    dimension_sets: Vec<Vec<String>>,
    metrics: Vec<Value>,
    root: Map<String, Value>,
}

impl Document {
    pub fn new(namespace: impl Into<String>, timestamp_ms: i64) -> Self {
        Self {
            namespace: namespace.into(),
            timestamp_ms,
            dimension_sets: Vec::new(),
            metrics: Vec::new(),
            root: Map::new(),
        }
    }

    /// A dimension set (names of dimensions whose values the document carries).
    pub fn dimension_set(mut self, names: &[&str]) -> Self {
        self.dimension_sets.push(names.iter().map(|n| (*n).to_owned()).collect());
        self
    }

    /// A dimension's value (a root member; dimension values must be strings).
    pub fn dimension(mut self, name: &str, value: &str) -> Self {
        self.root.insert(name.to_owned(), Value::String(value.to_owned()));
        self
    }

    /// A metric at standard (60 s) resolution and its value.
    pub fn metric(mut self, name: &str, unit: Unit, value: f64) -> Self {
        self.metrics.push(json!({"Name": name, "Unit": unit.as_str(), "StorageResolution": 60}));
        self.root.insert(name.to_owned(), json_number(value));
        self
    }

    /// A member that is neither dimension nor metric: searchable in Logs Insights, free.
    pub fn property(mut self, name: &str, value: impl Into<Value>) -> Self {
        self.root.insert(name.to_owned(), value.into());
        self
    }

    pub fn to_value(&self) -> Value {
        let mut root = self.root.clone();
        root.insert(
            "_aws".into(),
            json!({
                "Timestamp": self.timestamp_ms,
                "CloudWatchMetrics": [{
                    "Namespace": self.namespace,
                    "Dimensions": self.dimension_sets,
                    "Metrics": self.metrics,
                }],
            }),
        );
        Value::Object(root)
    }

    /// The document as one log line.
    pub fn to_line(&self) -> String {
        self.to_value().to_string()
    }
}

/// Whole numbers as JSON integers (as the spec's examples write them), others as floats.
fn json_number(value: f64) -> Value {
    if value.fract() == 0.0 && value.abs() < 9.0e15 {
        Value::from(value as i64)
    } else {
        Value::from(value)
    }
}

/// Checks a document against the spec's structural rules: `_aws` with an integer `Timestamp`
/// and `CloudWatchMetrics` directives; each directive's `Namespace`, `Dimensions` (arrays of at
/// most 30 names, each a string member of the root) and `Metrics` (at most 100, each naming a
/// numeric root member, with a known `Unit` and a `StorageResolution` of 1 or 60).
pub fn validate(document: &Value) -> Result<(), String> {
    let root = document.as_object().ok_or("the root is not an object")?;
    let aws = root.get("_aws").and_then(Value::as_object).ok_or("no _aws object")?;
    aws.get("Timestamp").and_then(Value::as_i64).ok_or("_aws.Timestamp is not an integer")?;
    let directives = aws.get("CloudWatchMetrics").and_then(Value::as_array).ok_or("no CloudWatchMetrics array")?;
    for directive in directives {
        let namespace = directive.get("Namespace").and_then(Value::as_str).ok_or("a directive without Namespace")?;
        if namespace.is_empty() || namespace.len() > 1024 {
            return Err(format!("namespace {namespace:?} is empty or too long"));
        }
        let sets = directive.get("Dimensions").and_then(Value::as_array).ok_or("a directive without Dimensions")?;
        for set in sets {
            let names = set.as_array().ok_or("a dimension set is not an array")?;
            if names.len() > 30 {
                return Err("more than 30 dimensions in a set".into());
            }
            for name in names {
                let name = name.as_str().ok_or("a dimension name is not a string")?;
                if !root.get(name).is_some_and(Value::is_string) {
                    return Err(format!("dimension {name} has no string value in the root"));
                }
            }
        }
        let metrics = directive.get("Metrics").and_then(Value::as_array).ok_or("a directive without Metrics")?;
        if metrics.len() > 100 {
            return Err("more than 100 metrics in a directive".into());
        }
        for metric in metrics {
            let name = metric.get("Name").and_then(Value::as_str).ok_or("a metric without Name")?;
            if name.is_empty() || name.len() > 1024 {
                return Err(format!("metric name {name:?} is empty or too long"));
            }
            match root.get(name) {
                Some(Value::Number(_)) => {}
                Some(Value::Array(values)) if values.iter().all(Value::is_number) && values.len() <= 100 => {}
                _ => return Err(format!("metric {name} has no numeric value in the root")),
            }
            if let Some(unit) = metric.get("Unit") {
                let unit = unit.as_str().ok_or("a Unit is not a string")?;
                if !STANDARD_UNITS.contains(&unit) {
                    return Err(format!("unknown unit {unit}"));
                }
            }
            if let Some(resolution) = metric.get("StorageResolution") {
                if !matches!(resolution.as_i64(), Some(1 | 60)) {
                    return Err(format!("StorageResolution {resolution} is neither 1 nor 60"));
                }
            }
        }
    }
    Ok(())
}

/// CloudWatch's `StandardUnit` values, as the spec allows them in `Unit`.
const STANDARD_UNITS: &[&str] = &[
    "Seconds",
    "Microseconds",
    "Milliseconds",
    "Bytes",
    "Kilobytes",
    "Megabytes",
    "Gigabytes",
    "Terabytes",
    "Bits",
    "Kilobits",
    "Megabits",
    "Gigabits",
    "Terabits",
    "Percent",
    "Count",
    "Bytes/Second",
    "Kilobytes/Second",
    "Megabytes/Second",
    "Gigabytes/Second",
    "Terabytes/Second",
    "Bits/Second",
    "Kilobits/Second",
    "Megabits/Second",
    "Gigabits/Second",
    "Terabits/Second",
    "Count/Second",
    "None",
];

/// Where EMF lines go: stdout (Lambda ships it to CloudWatch Logs), unless a test installed a
/// sink to read them.
type Sink = Box<dyn Fn(&str) + Send + Sync>;
static SINK: OnceLock<Sink> = OnceLock::new();

/// Sends every later EMF line to `sink` instead of stdout (tests). Only the first call wins;
/// returns whether this one did.
pub fn set_sink(sink: Sink) -> bool {
    SINK.set(sink).is_ok()
}

pub(crate) fn emit(document: &Document) {
    let line = document.to_line();
    match SINK.get() {
        Some(sink) => sink(&line),
        None => println!("{line}"),
    }
}

pub(crate) fn namespace() -> &'static str {
    static NAMESPACE: OnceLock<String> = OnceLock::new();
    NAMESPACE.get_or_init(|| std::env::var("METRICS_NAMESPACE").unwrap_or_else(|_| DEFAULT_NAMESPACE.to_owned()))
}

/// Business events a handler reports; each becomes a count on its request's document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Business {
    ProposalsSubmitted,
    ProposalsAccepted,
    ProposalsRejected,
    QuotesComputed,
}

impl Business {
    pub fn as_str(self) -> &'static str {
        match self {
            Business::ProposalsSubmitted => "ProposalsSubmitted",
            Business::ProposalsAccepted => "ProposalsAccepted",
            Business::ProposalsRejected => "ProposalsRejected",
            Business::QuotesComputed => "QuotesComputed",
        }
    }
}

/// What a request's handlers reported, kept for the router to write at the end.
#[derive(Debug, Default)]
pub(crate) struct RequestTally {
    pub route: Option<String>,
    pub business: BTreeMap<Business, u32>,
}

tokio::task_local! {
    static REQUEST: RefCell<RequestTally>;
}

/// Counts a business event of the current request (a no-op outside a request).
pub fn count(event: Business) {
    let _ = REQUEST.try_with(|t| *t.borrow_mut().business.entry(event).or_default() += 1);
}

/// Names the route (method and template) the current request matched.
pub(crate) fn set_route(route: String) {
    let _ = REQUEST.try_with(|t| t.borrow_mut().route = Some(route));
}

/// Runs one request with a fresh tally and returns what it reported.
pub(crate) async fn tallied<F: Future>(fut: F) -> (F::Output, RequestTally) {
    REQUEST
        .scope(RefCell::new(RequestTally::default()), async move {
            let output = fut.await;
            (output, REQUEST.with(|t| t.take()))
        })
        .await
}

/// What the router knows of a finished request.
pub(crate) struct Finished<'a> {
    pub function: &'a str,
    pub status: u16,
    pub latency_ms: f64,
    pub request_id: &'a str,
    pub trace_id: Option<&'a str>,
}

/// The documents of one finished request: its own, then one per store operation it used.
pub(crate) fn documents(done: &Finished, request: &RequestTally, store: &storage::telemetry::Tally) -> Vec<Document> {
    let now = chrono::Utc::now().timestamp_millis();
    let route = request.route.as_deref().unwrap_or("unmatched");
    let with_ids = |mut doc: Document| {
        doc = doc.property("request_id", done.request_id);
        if let Some(trace) = done.trace_id {
            doc = doc.property("trace_id", trace);
        }
        doc
    };
    let mut main = Document::new(namespace(), now)
        .dimension_set(&["Function", "Route"])
        .dimension("Function", done.function)
        .dimension("Route", route)
        .metric("Requests", Unit::Count, 1.0)
        .metric("Latency", Unit::Milliseconds, done.latency_ms)
        .metric("4xx", Unit::Count, f64::from(u8::from((400..500).contains(&done.status))))
        .metric("5xx", Unit::Count, f64::from(u8::from(done.status >= 500)))
        .property("status", done.status);
    for (event, n) in &request.business {
        main = main.metric(event.as_str(), Unit::Count, f64::from(*n));
    }
    let mut out = vec![with_ids(main)];
    for (operation, stats) in &store.operations {
        let doc = Document::new(namespace(), now)
            .dimension_set(&["Function", "Operation"])
            .dimension("Function", done.function)
            .dimension("Operation", operation.as_str())
            .metric("StoreCalls", Unit::Count, f64::from(stats.calls))
            .metric("ReadCapacityUnits", Unit::Count, stats.read_units)
            .metric("WriteCapacityUnits", Unit::Count, stats.write_units)
            .metric("StoreErrors", Unit::Count, f64::from(stats.errors))
            .metric("StoreThrottles", Unit::Count, f64::from(stats.throttles))
            .property("Route", route);
        out.push(with_ids(doc));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example document of the EMF specification ("Embedded metric format document
    /// structure", the full example), as published.
    const SPEC_EXAMPLE: &str = r#"{
      "_aws": {
        "Timestamp": 1574109732004,
        "CloudWatchMetrics": [
          {
            "Namespace": "lambda-function-metrics",
            "Dimensions": [["functionVersion"]],
            "Metrics": [
              {
                "Name": "time",
                "Unit": "Milliseconds",
                "StorageResolution": 60
              }
            ]
          }
        ]
      },
      "functionVersion": "$LATEST",
      "time": 100,
      "requestId": "989ffbf8-9ace-4817-a57c-e4dd734019ee"
    }"#;

    #[test]
    fn the_builder_writes_the_specifications_example() {
        let ours = Document::new("lambda-function-metrics", 1574109732004)
            .dimension_set(&["functionVersion"])
            .dimension("functionVersion", "$LATEST")
            .metric("time", Unit::Milliseconds, 100.0)
            .property("requestId", "989ffbf8-9ace-4817-a57c-e4dd734019ee");
        let spec: Value = serde_json::from_str(SPEC_EXAMPLE).unwrap();
        assert_eq!(ours.to_value(), spec);
        assert_eq!(validate(&spec), Ok(()));
        // One line, as CloudWatch Logs needs it.
        assert!(!ours.to_line().contains('\n'));
    }

    #[test]
    fn the_validator_refuses_what_the_spec_forbids() {
        let spec: Value = serde_json::from_str(SPEC_EXAMPLE).unwrap();
        let broken = |edit: &dyn Fn(&mut Value)| {
            let mut doc = spec.clone();
            edit(&mut doc);
            validate(&doc)
        };
        assert!(broken(&|d| d["time"] = json!("100")).is_err(), "a metric value must be a number");
        assert!(broken(&|d| d["functionVersion"] = json!(1)).is_err(), "a dimension value must be a string");
        assert!(broken(&|d| d["_aws"]["Timestamp"] = json!("now")).is_err());
        assert!(broken(&|d| d["_aws"]["CloudWatchMetrics"][0]["Metrics"][0]["Unit"] = json!("Parsecs")).is_err());
        assert!(broken(&|d| {
            d.as_object_mut().unwrap().remove("_aws");
        })
        .is_err());
    }

    #[tokio::test]
    async fn a_request_writes_its_counts_and_one_document_per_store_operation() {
        let ((), tally) = tallied(async {
            set_route("POST /v1/quotes".into());
            count(Business::QuotesComputed);
        })
        .await;
        let mut store = storage::telemetry::Tally::default();
        store.operations.insert(
            storage::telemetry::Operation::PutItem,
            storage::telemetry::OperationStats { calls: 1, write_units: 2.0, ..Default::default() },
        );
        let done = Finished { function: "quotes", status: 201, latency_ms: 3.5, request_id: "r1", trace_id: None };
        let docs: Vec<Value> = documents(&done, &tally, &store).iter().map(Document::to_value).collect();
        assert_eq!(docs.len(), 2);
        for doc in &docs {
            assert_eq!(validate(doc), Ok(()), "{doc}");
            assert_eq!(doc["request_id"], "r1");
        }
        assert_eq!(docs[0]["Route"], "POST /v1/quotes");
        assert_eq!((docs[0]["Requests"].clone(), docs[0]["Latency"].clone()), (json!(1), json!(3.5)));
        assert_eq!((docs[0]["4xx"].clone(), docs[0]["5xx"].clone()), (json!(0), json!(0)));
        assert_eq!(docs[0]["QuotesComputed"], 1);
        assert_eq!((docs[1]["Operation"].clone(), docs[1]["WriteCapacityUnits"].clone()), (json!("PutItem"), json!(2)));
        // Outside a request, counting is a no-op rather than a panic.
        count(Business::QuotesComputed);
    }
}
