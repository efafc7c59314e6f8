//! The store's side of `make bench`: seeds proposals quickly through the project's own domain
//! and storage code, and measures the raw DynamoDB round trips behind each benchmarked API
//! request (same client configuration as the functions), so the API's own overhead shows as
//! the difference between the two.
//!
//! Usage (with `DYNAMODB_ENDPOINT` and `TABLE_NAME` set):
//!   store-probe seed BODY.json COUNT [--igos N] [--concurrency C]
//!       COUNT proposals made with `Proposal::create` and written with `storage::proposals::commit`
//!       (the API's own transaction, so the items are real), spread over N IGOs.
//!   store-probe measure OP [--id ID] [--org ORG] [--concurrency C] [--seconds S]
//!       OP: get-proposal | create-proposal | themes | put-quote | list-proposals; repeats the
//!       store calls one API request of that kind makes, with C in flight, for S seconds, and
//!       prints one JSON line (throughput, p50, p99).

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use aws_sdk_dynamodb::types::{AttributeValue, Put, TransactWriteItem};
use serde_json::json;
use shared::auth::Role;
use shared::domain::codes::AgbCode;
use shared::domain::proposal::{Actor, NewProposal, Proposal};
use shared::storage::proposals::{self as store, CommitError};
use shared::AppContext;

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

/// Writes COUNT submitted proposals as the API would (same domain constructor, same
/// transaction), retrying a transaction that meets a busy store.
async fn seed(ctx: &AppContext, args: &[String]) {
    let body: NewProposal =
        serde_json::from_str(&std::fs::read_to_string(&args[1]).expect("reading the body")).expect("a NewProposal");
    let count: usize = args[2].parse().expect("COUNT is a number");
    let igos: usize = flag(args, "--igos", 100);
    let concurrency: usize = flag(args, "--concurrency", 16);
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let (ctx, body, next) = (ctx.clone(), body.clone(), next.clone());
        tasks.push(tokio::spawn(async move {
            loop {
                let n = next.fetch_add(1, Ordering::Relaxed);
                if n >= count {
                    return;
                }
                let agb = AgbCode::parse(&format!("{:08}", 20_000_000 + n % igos)).unwrap();
                let mut new = body.clone();
                new.igo.agb = Some(agb.clone());
                let actor = Actor { sub: "bench-seed".into(), role: Role::Igo, org: agb.to_string() };
                let change =
                    Proposal::create(ulid::Ulid::new().to_string(), &agb, new, None, actor, chrono::Utc::now())
                        .expect("the seed body is a valid proposal");
                let mut attempt = 0u64;
                loop {
                    match store::commit(&ctx, &change, None, None).await {
                        Ok(()) => break,
                        Err(CommitError::Busy) | Err(CommitError::Store(_)) if attempt < 20 => {
                            attempt += 1;
                            tokio::time::sleep(Duration::from_millis(20 * attempt)).await;
                        }
                        Err(err) => panic!("seeding proposal {n}: {err:?}"),
                    }
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
    /// GET /v1/themes: GetItem of the latest pointer, then GetItem of that edition.
    Themes,
    /// POST /v1/quotes: one conditional PutItem of a quote item (copied under a fresh id).
    PutQuote { template: Item },
    /// GET /v1/proposals as an insurer, first page (limit 20): one Query of 21 list entries.
    ListProposals { partition: String },
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
            Op::ListProposals { partition: format!("PLIST#INS#{org}#S#*#Y#*#C#*") }
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
            let sk = item["SK"].as_s().unwrap().clone();
            let mut put = Put::builder().table_name(table).set_item(Some(item));
            if sk == "CURRENT" || sk.starts_with("VERSION#") || sk.starts_with("HISTORY#") {
                put = put.condition_expression("attribute_not_exists(PK)");
            }
            TransactWriteItem::builder().put(put.build().unwrap()).build()
        })
        .collect();
    let body = template.iter().find(|i| i["SK"].as_s().is_ok_and(|s| s == "CURRENT")).map(|i| format!("{:?}", i));
    let mut record = key(&format!("IDEMPOTENCY#igo#12345678#{id}"), "IDEMPOTENCY");
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
                .set_key(Some(key(&format!("IDEMPOTENCY#igo#12345678#{id}"), "IDEMPOTENCY")))
                .consistent_read(true)
                .send()
                .await
                .map_err(|e| err(&e))?;
            let items = rekey(template, &id, &ctx.table);
            dynamo.transact_write_items().set_transact_items(Some(items)).send().await.map_err(|e| err(&e))?;
            Ok(())
        }
        Op::Themes => {
            let pointer = dynamo
                .get_item()
                .table_name(&ctx.table)
                .set_key(Some(key("THEMES#LATEST", "POINTER")))
                .consistent_read(true)
                .send()
                .await
                .map_err(|e| err(&e))?
                .item
                .ok_or("no published themes edition")?;
            let edition = pointer["edition"].as_s().map_err(|e| err(e))?;
            dynamo
                .get_item()
                .table_name(&ctx.table)
                .set_key(Some(key(&format!("THEMES#EDITION#{edition}"), "EDITION")))
                .consistent_read(true)
                .send()
                .await
                .map_err(|e| err(&e))?
                .item
                .ok_or("edition missing")?;
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
        Op::ListProposals { partition } => {
            dynamo
                .query()
                .table_name(&ctx.table)
                .index_name("GSI2")
                .key_condition_expression("#pk = :pk")
                .expression_attribute_names("#pk", "GSI2PK")
                .expression_attribute_values(":pk", s(partition))
                .scan_index_forward(false)
                .limit(21)
                .send()
                .await
                .map_err(|e| err(&e))?;
            Ok(())
        }
    }
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
    latencies.sort();
    let ms = |d: Duration| (d.as_secs_f64() * 1e5).round() / 100.0;
    println!(
        "{}",
        json!({
            "op": args[1], "concurrency": concurrency, "requests": latencies.len(), "errors": errors,
            "rps": (latencies.len() as f64 / elapsed).round(),
            "p50_ms": ms(percentile(&latencies, 50.0)), "p99_ms": ms(percentile(&latencies, 99.0)),
        })
    );
}
