//! The store's side of `make bench`: seeds proposals quickly through the project's own domain
//! and storage code, and measures the raw DynamoDB round trips behind each benchmarked API
//! request (same client configuration as the functions), so the API's own overhead shows as
//! the difference between the two.
//!
//! Usage (with `DYNAMODB_ENDPOINT` and `TABLE_NAME` set):
//!   store-probe seed BODY.json COUNT [--igos N] [--concurrency C]
//!       COUNT proposals made with `Proposal::create`, as the items the API's transaction writes
//!       (`storage::proposals::new_proposal_items`), loaded with BatchWriteItem; N IGOs.
//!   store-probe measure OP [--id ID] [--org ORG] [--cursor CURSOR] [--concurrency C] [--seconds S] [--round R]
//!       OP: get-proposal | create-proposal | themes | put-quote | list-proposals; repeats the
//!       store calls one API request of that kind makes, with C in flight, for S seconds, and
//!       prints one JSON line (throughput, p50, p99, the probe's CPU time per request; R is
//!       echoed so `make bench` can tell its alternating rounds apart).

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use aws_sdk_dynamodb::types::{AttributeValue, Put, PutRequest, TransactWriteItem, WriteRequest};
use domain::codes::AgbCode;
use domain::identity::Role;
use domain::proposal::{Actor, NewProposal, Proposal};
use edge::AppContext;
use serde_json::json;
use storage::proposals::{self as store, ListFilter, ListQuery, ListSide};

type Item = HashMap<String, AttributeValue>;

fn flag<T: std::str::FromStr>(args: &[String], name: &str, default: T) -> T {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .map(|v| v.parse().unwrap_or_else(|_| panic!("{name}: not a valid value")))
        .unwrap_or(default)
}

fn text_flag(args: &[String], name: &str) -> Option<String> {
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned()
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * (sorted.len() as f64 - 1.0)).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let ctx = AppContext::from_env().await;
    match args.first().map(String::as_str) {
        Some("seed") => seed(&ctx, &args).await,
        Some("measure") => measure(ctx, &args).await,
        _ => {
            eprintln!("usage: store-probe seed BODY.json COUNT [--igos N] [--concurrency C]");
            eprintln!("       store-probe measure OP [--id ID] [--org ORG] [--concurrency C] [--seconds S]");
            std::process::exit(2);
        }
    }
}

/// Writes COUNT submitted proposals: each made by the API's own `Proposal::create` and turned
/// into the very items its transaction writes (`storage::proposals::new_proposal_items`), then
/// loaded with BatchWriteItem (25 items a call) instead of one transaction per proposal, so
/// 50,000 proposals (550,000 items) load in minutes rather than the ~11 minutes the API's
/// transactions take on DynamoDB Local.
async fn seed(ctx: &AppContext, args: &[String]) {
    let body: NewProposal =
        serde_json::from_str(&std::fs::read_to_string(&args[1]).expect("reading the body")).expect("a NewProposal");
    let count: usize = args[2].parse().expect("COUNT is a number");
    let igos: usize = flag(args, "--igos", 100);
    let concurrency: usize = flag(args, "--concurrency", 8);
    // Proposals per task round: 25 * 11 items would be 11 batches; build them in chunks.
    const PER_CHUNK: usize = 25;
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let (ctx, body, next) = (ctx.clone(), body.clone(), next.clone());
        tasks.push(tokio::spawn(async move {
            loop {
                let first = next.fetch_add(PER_CHUNK, Ordering::Relaxed);
                if first >= count {
                    return;
                }
                let mut items = Vec::new();
                for n in first..(first + PER_CHUNK).min(count) {
                    let agb = AgbCode::parse(&format!("{:08}", 20_000_000 + n % igos)).unwrap();
                    let mut new = body.clone();
                    new.igo.agb = Some(agb.clone());
                    let actor = Actor {
                        sub: "bench-seed".into(),
                        name: "bench seed".into(),
                        role: Role::Igo,
                        org: agb.to_string(),
                        signatory: false,
                    };
                    let change =
                        Proposal::create(ulid::Ulid::new().to_string(), &agb, new, None, actor, chrono::Utc::now())
                            .expect("the seed body is a valid proposal");
                    items.extend(store::new_proposal_items(&change).expect("building the items"));
                }
                for batch in items.chunks(25) {
                    write_batch(&ctx, batch.to_vec()).await;
                }
            }
        }));
    }
    for task in tasks {
        task.await.expect("seeding task");
    }
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "{}",
        json!({ "seeded": count, "seconds": (seconds * 10.0).round() / 10.0, "per_second": (count as f64 / seconds).round() })
    );
}

/// One BatchWriteItem of up to 25 puts, resending what the store left unprocessed.
async fn write_batch(ctx: &AppContext, items: Vec<Item>) {
    let mut requests: Vec<WriteRequest> = items
        .into_iter()
        .map(|item| {
            WriteRequest::builder().put_request(PutRequest::builder().set_item(Some(item)).build().unwrap()).build()
        })
        .collect();
    for attempt in 0u64..50 {
        match ctx.dynamo.batch_write_item().request_items(&ctx.table, requests.clone()).send().await {
            Ok(out) => {
                requests = out.unprocessed_items.and_then(|mut u| u.remove(&ctx.table)).unwrap_or_default();
                if requests.is_empty() {
                    return;
                }
            }
            Err(err) if attempt < 49 => eprintln!("store-probe seed: retrying a batch: {err:?}"),
            Err(err) => panic!("seeding: {err:?}"),
        }
        tokio::time::sleep(Duration::from_millis(20 * (attempt + 1))).await;
    }
    panic!("seeding: the store kept {} items unprocessed", requests.len());
}

fn s(value: &str) -> AttributeValue {
    AttributeValue::S(value.to_owned())
}

fn key(pk: &str, sk: &str) -> Item {
    HashMap::from([("PK".to_owned(), s(pk)), ("SK".to_owned(), s(sk))])
}

/// What one measured request needs, read once before the clock starts.
enum Op {
    /// GET /v1/proposals/{id}: one consistent GetItem of the current item.
    GetProposal { id: String },
    /// POST /v1/proposals with an Idempotency-Key: GetItem of the key's record (a miss), then
    /// one TransactWriteItems of the proposal's items (copied from a stored proposal under a
    /// fresh id) plus the idempotency record, with the API's conditions.
    CreateProposal { template: Vec<Item> },
    /// GET /v1/themes of a warm function: GetItem of the latest pointer (the published edition
    /// it names is already parsed in the function's memory).
    Themes,
    /// POST /v1/quotes: one conditional PutItem of a quote item (copied under a fresh id).
    PutQuote { template: Item },
    /// GET /v1/proposals as an insurer (limit 20), first page or the page after `--cursor`: the
    /// API's own Query (`ListQuery`) of 21 list entries.
    ListProposals { query: ListQuery },
}

async fn prepare(ctx: &AppContext, args: &[String]) -> Op {
    let id = text_flag(args, "--id");
    let org = text_flag(args, "--org");
    match args[1].as_str() {
        "get-proposal" => Op::GetProposal { id: id.expect("--id of a stored proposal") },
        "create-proposal" => {
            let id = id.expect("--id of a stored proposal (its items are the template)");
            let out = ctx
                .dynamo
                .query()
                .table_name(&ctx.table)
                .key_condition_expression("PK = :pk")
                .expression_attribute_values(":pk", s(&format!("PROPOSAL#{id}")))
                .send()
                .await
                .expect("reading the template proposal");
            let template = out.items.unwrap_or_default();
            assert!(template.len() >= 11, "a created proposal has 11 items, found {}", template.len());
            // One proposal's creation: current, version 1, history 1, 8 list entries.
            let template = template
                .into_iter()
                .filter(|item| {
                    let sk = item["SK"].as_s().unwrap();
                    !(sk.starts_with("VERSION#") || sk.starts_with("HISTORY#")) || sk.ends_with("0000000001")
                })
                .collect();
            Op::CreateProposal { template }
        }
        "themes" => Op::Themes,
        "put-quote" => {
            let org = org.expect("--org owning a stored quote");
            let out = ctx
                .dynamo
                .query()
                .table_name(&ctx.table)
                .key_condition_expression("PK = :pk AND begins_with(SK, :q)")
                .expression_attribute_values(":pk", s(&format!("ORG#{org}")))
                .expression_attribute_values(":q", s("QUOTE#"))
                .limit(1)
                .send()
                .await
                .expect("reading the template quote");
            Op::PutQuote { template: out.items.unwrap_or_default().pop().expect("a stored quote of --org") }
        }
        "list-proposals" => {
            let org = org.expect("--org: the insurer's UZOVI code");
            let cursor = text_flag(args, "--cursor");
            let query = ListQuery::new(&ListSide::Insurer(org), &ListFilter::default(), cursor.as_deref())
                .expect("--cursor: a next_cursor of this insurer's listing");
            Op::ListProposals { query }
        }
        other => panic!("unknown OP {other:?}"),
    }
}

/// Re-keys a template proposal's items to a new id (keys, GSI sort keys, the id inside).
fn rekey(template: &[Item], id: &str, table: &str) -> Vec<TransactWriteItem> {
    let pk = format!("PROPOSAL#{id}");
    let mut puts: Vec<TransactWriteItem> = template
        .iter()
        .map(|item| {
            let mut item = item.clone();
            item.insert("PK".into(), s(&pk));
            for gsi in ["GSI1SK", "GSI2SK"] {
                if item.contains_key(gsi) {
                    item.insert(gsi.into(), s(id));
                }
            }
            // The catch-up entries sort by `{updated_at}#{id}` (storage::proposals::list).
            if let Some(position) = item.get("GSI3SK").and_then(|v| v.as_s().ok()).cloned() {
                let at = position.split_once('#').map_or(position.as_str(), |(at, _)| at);
                item.insert("GSI3SK".into(), s(&format!("{at}#{id}")));
            }
            let sk = item["SK"].as_s().unwrap().clone();
            let mut put = Put::builder().table_name(table).set_item(Some(item));
            if sk == "CURRENT" || sk.starts_with("VERSION#") || sk.starts_with("HISTORY#") {
                put = put.condition_expression("attribute_not_exists(PK)");
            }
            TransactWriteItem::builder().put(put.build().unwrap()).build()
        })
        .collect();
    let body = template.iter().find(|i| i["SK"].as_s().is_ok_and(|s| s == "CURRENT")).map(|i| format!("{:?}", i));
    let mut record = key(&format!("IDEMPOTENCY#igo#53012345#{id}"), "IDEMPOTENCY");
    record.insert("entity".into(), s("idempotency"));
    record.insert("fingerprint".into(), s("bench-fingerprint-0000000000000000000000000"));
    record.insert("status".into(), AttributeValue::N("201".into()));
    record.insert("body".into(), s(&body.unwrap_or_default()));
    record.insert("expires_at".into(), AttributeValue::N((chrono::Utc::now().timestamp() + 86_400).to_string()));
    let put = Put::builder()
        .table_name(table)
        .set_item(Some(record))
        .condition_expression("attribute_not_exists(PK) OR #expires < :now")
        .expression_attribute_names("#expires", "expires_at")
        .expression_attribute_values(":now", AttributeValue::N(chrono::Utc::now().timestamp().to_string()))
        .build()
        .unwrap();
    puts.push(TransactWriteItem::builder().put(put).build());
    puts
}

async fn once(ctx: &AppContext, op: &Op) -> Result<(), String> {
    let dynamo = &ctx.dynamo;
    let err = |e: &dyn std::fmt::Debug| format!("{e:?}");
    match op {
        Op::GetProposal { id } => {
            let out = dynamo
                .get_item()
                .table_name(&ctx.table)
                .set_key(Some(key(&format!("PROPOSAL#{id}"), "CURRENT")))
                .consistent_read(true)
                .send()
                .await
                .map_err(|e| err(&e))?;
            out.item.map(|_| ()).ok_or_else(|| "proposal not found".into())
        }
        Op::CreateProposal { template } => {
            let id = ulid::Ulid::new().to_string();
            dynamo
                .get_item()
                .table_name(&ctx.table)
                .set_key(Some(key(&format!("IDEMPOTENCY#igo#53012345#{id}"), "IDEMPOTENCY")))
                .consistent_read(true)
                .send()
                .await
                .map_err(|e| err(&e))?;
            let items = rekey(template, &id, &ctx.table);
            dynamo.transact_write_items().set_transact_items(Some(items)).send().await.map_err(|e| err(&e))?;
            Ok(())
        }
        Op::Themes => {
            dynamo
                .get_item()
                .table_name(&ctx.table)
                .set_key(Some(key("THEMES#LATEST", "POINTER")))
                .consistent_read(true)
                .send()
                .await
                .map_err(|e| err(&e))?
                .item
                .ok_or("no published themes edition")?;
            Ok(())
        }
        Op::PutQuote { template } => {
            let mut item = template.clone();
            item.insert("SK".into(), s(&format!("QUOTE#{}", ulid::Ulid::new())));
            dynamo
                .put_item()
                .table_name(&ctx.table)
                .set_item(Some(item))
                .condition_expression("attribute_not_exists(PK)")
                .send()
                .await
                .map_err(|e| err(&e))?;
            Ok(())
        }
        Op::ListProposals { query } => {
            query.request(ctx, 21, None).send().await.map_err(|e| err(&e))?;
            Ok(())
        }
    }
}

/// This process's CPU time so far (user + system, from /proc/self/stat), so the probe's own
/// cost per request (SDK client, HTTP) can be set beside the API process's.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name's closing parenthesis: state is the first, utime the 12th.
    let fields: Vec<&str> =
        stat.rsplit_once(')').map(|(_, rest)| rest.split_whitespace().collect()).unwrap_or_default();
    let ticks: f64 = fields.get(11..13).map(|t| t.iter().filter_map(|v| v.parse::<f64>().ok()).sum()).unwrap_or(0.0);
    static HZ: std::sync::OnceLock<f64> = std::sync::OnceLock::new();
    let hz = HZ.get_or_init(|| {
        std::process::Command::new("getconf")
            .arg("CLK_TCK")
            .output()
            .ok()
            .and_then(|o| String::from_utf8(o.stdout).ok()?.trim().parse().ok())
            .unwrap_or(100.0)
    });
    ticks / hz
}

/// Runs OP with C requests in flight for S seconds; one JSON line with the figures.
async fn measure(ctx: AppContext, args: &[String]) {
    let concurrency: usize = flag(args, "--concurrency", 1);
    let seconds: f64 = flag(args, "--seconds", 10.0);
    let op = Arc::new(prepare(&ctx, args).await);
    // Warm the connection pool as wrk's first requests warm the API's.
    for _ in 0..concurrency.max(5) {
        once(&ctx, &op).await.unwrap_or_else(|e| panic!("{}: {e}", args[1]));
    }
    let deadline = Instant::now() + Duration::from_secs_f64(seconds);
    let cpu_before = cpu_seconds();
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let (ctx, op) = (ctx.clone(), op.clone());
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut errors = 0usize;
            while Instant::now() < deadline {
                let sent = Instant::now();
                match once(&ctx, &op).await {
                    Ok(()) => latencies.push(sent.elapsed()),
                    Err(e) => {
                        errors += 1;
                        if errors == 1 {
                            eprintln!("store-probe: {e}");
                        }
                    }
                }
            }
            (latencies, errors)
        }));
    }
    let mut latencies = Vec::new();
    let mut errors = 0;
    for task in tasks {
        let (l, e) = task.await.expect("probe task");
        latencies.extend(l);
        errors += e;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let cpu = cpu_seconds() - cpu_before;
    latencies.sort();
    let ms = |d: Duration| (d.as_secs_f64() * 1e5).round() / 100.0;
    println!(
        "{}",
        json!({
            "op": args[1], "concurrency": concurrency, "requests": latencies.len(), "errors": errors,
            "rps": (latencies.len() as f64 / elapsed).round(),
            "p50_ms": ms(percentile(&latencies, 50.0)), "p99_ms": ms(percentile(&latencies, 99.0)),
            "cpu_ms_per_request": (cpu * 1e6 / latencies.len().max(1) as f64).round() / 1000.0,
            "round": flag(args, "--round", 1u32),
        })
    );
}
