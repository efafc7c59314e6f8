#!/usr/bin/env bash
# `make bench`: load, scale, cold-start and memory figures of the API against its own
# in-memory DynamoDB Local, with the store's own round trips measured beside them in the same
# run. Results go to .local/bench/<time>/ (raw JSON lines + summary.md); BENCHMARKS.md quotes them.
#
# Knobs (environment):
#   BENCH_SECONDS=10           duration of each load run (wrk and the store probe)
#   BENCH_CONNECTIONS="1 8"    connection counts of the load runs
#   BENCH_SCALE="1000 50000"   proposal counts of the listing and event-feed scale runs (ascending)
#   BENCH_INVOCATIONS=300      warm invocations per lambda-harness run (3 runs per function)
#   BENCH_PROFILE=bench-local  cargo profile of the measured binaries (see Cargo.toml; dev for
#                              a quick, unrepresentative run without the optimised build)
#   BENCH_PARTS="load lambda scale"  which parts to run
#   BENCH_ROUNDS=3             load runs per request and side; the sides alternate which goes
#                              first, and the summary takes the median (DynamoDB Local's JIT
#                              keeps getting faster during a run, so one API-then-store pair
#                              favoured whichever ran second by up to several ms)
#   BENCH_WARMUP=10            seconds of each request through the API before anything is measured
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

SECS=${BENCH_SECONDS:-10}
CONNECTIONS=${BENCH_CONNECTIONS:-"1 8"}
SCALE=${BENCH_SCALE:-"1000 50000"}
INVOCATIONS=${BENCH_INVOCATIONS:-300}
PROFILE=${BENCH_PROFILE:-bench-local}
PARTS=${BENCH_PARTS:-"load lambda scale"}
ROUNDS=${BENCH_ROUNDS:-3}
WARMUP=${BENCH_WARMUP:-10}
TICKS=$(getconf CLK_TCK)
part() { [[ " $PARTS " == *" $1 "* ]]; }
BIN="$TARGET_DIR/$([ "$PROFILE" = dev ] && echo debug || echo "$PROFILE")"
OUT="$LOCAL_DIR/bench/$(date -u +%Y%m%dT%H%M%SZ)"
RESULTS="$OUT/results.jsonl"
mkdir -p "$OUT"
started=$(date +%s)

IGO=53012345          # the IGO of the load runs
LOAD_INSURER=7029     # insurer of the proposals the load runs create
SCALE_INSURER=3311    # insurer whose listing the scale runs read (only seeded proposals)

ensure_wrk() {
  command -v wrk >/dev/null && return 0
  log "installing Debian's wrk (load tool)"
  apt_install wrk && command -v wrk >/dev/null && return 0
  echo "ERROR: wrk is needed: sudo apt-get install -y wrk" >&2
  exit 1
}

load() { cut -d' ' -f1-3 /proc/loadavg; }

# record KIND NAME JSON: appends one result line with the load average at that moment.
record() {
  python3 - "$1" "$2" "$3" "$(load)" >>"$RESULTS" <<'PY'
import json, sys
kind, name, raw, loadavg = sys.argv[1:5]
line = json.loads(raw)
line.update(kind=kind, name=name, loadavg=loadavg)
print(json.dumps(line))
PY
  log "$1 $2: $3 (load $(load))"
}

ensure_wrk
ensure_dynamodb_local

log "building the measured binaries (profile $PROFILE)"
cargo build -q --profile "$PROFILE" -p local-gateway -p proposals -p quotes -p themes -p docs -p authorizer \
  -p integration-tests --bins

{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "git: $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- . ':!BENCHMARKS.md' || echo ' (dirty)')"
  echo "nproc: $(nproc)"
  echo "cpu: $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)"
  echo "ram: $(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"
  echo "kernel: $(uname -r)"
  echo "rustc: $(rustc --version)"
  echo "wrk: $(wrk -v 2>&1 | head -n 1)"
  echo "java: $(java -version 2>&1 | head -n 1)"
  echo "profile: $PROFILE"
  echo "uptime at start: $(uptime)"
} | tee "$OUT/machine.txt" >&2

# ---- DynamoDB Local (in memory) and the API, both our own ---------------------------------
DDB_PORT=$(free_port)
API_PID=""
cleanup() {
  if [ -n "$API_PID" ] && kill -0 "$API_PID" 2>/dev/null; then kill "$API_PID"; wait "$API_PID" 2>/dev/null || true; fi
  stop_dynamodb
}
trap cleanup EXIT
# lib.sh waits 10 s for Java; a loaded machine may need longer, so keep waiting here.
if ! start_dynamodb "$DDB_PORT" -inMemory; then
  for _ in $(seq 1 600); do (exec 3<>"/dev/tcp/127.0.0.1/$DDB_PORT") 2>/dev/null && break; sleep 0.2; done
  (exec 3<>"/dev/tcp/127.0.0.1/$DDB_PORT") 2>/dev/null || { echo "ERROR: DynamoDB Local did not start" >&2; exit 1; }
fi
export DYNAMODB_ENDPOINT="http://127.0.0.1:$DDB_PORT"
export TABLE_NAME="bench-$$"
export LOG_LEVEL=warn RUST_LOG=warn

API_PORT=$(free_port)
API="http://127.0.0.1:$API_PORT"
PORT=$API_PORT "$BIN/local-gateway" serve --init >"$OUT/local-api.log" 2>&1 &
API_PID=$!
for _ in $(seq 1 300); do
  curl -fsS -o /dev/null "$API/openapi.json" 2>/dev/null && break
  kill -0 "$API_PID" 2>/dev/null || { cat "$OUT/local-api.log" >&2; echo "ERROR: the API exited" >&2; exit 1; }
  sleep 0.2
done
log "API on $API (pid $API_PID), table $TABLE_NAME"

token() { "$BIN/local-gateway" token --api "$API" --role "$1" --org "$2"; }
IGO_TOKEN=$(token igo $IGO)
INSURER_TOKEN=$(token insurer $SCALE_INSURER)

# ---- request bodies: the committed examples, so they stay valid as the API evolves ---------
python3 - "$ROOT" "$OUT" "$LOAD_INSURER" <<'PY'
import json, sys
root, out, insurer = sys.argv[1:4]
proposal = json.load(open(f"{root}/tests/bench/proposal.json"))
proposal["insurer"] = {"uzovi": insurer, "name": f"Verzekeraar {insurer}"}
json.dump(proposal, open(f"{out}/proposal-{insurer}.json", "w"))
spec = json.load(open(f"{root}/openapi/openapi.json"))
quote = spec["paths"]["/v1/quotes"]["post"]["requestBody"]["content"]["application/json"]["example"]
json.dump(quote, open(f"{out}/quote.json", "w"))
PY

post() { # post PATH TOKEN BODY_FILE -> response body on stdout (fails unless 201)
  curl -fsS -X POST "$API$1" -H "Authorization: Bearer $2" -H 'Content-Type: application/json' --data-binary "@$3"
}
PROPOSAL_ID=$(post /v1/proposals "$IGO_TOKEN" "$OUT/proposal-$LOAD_INSURER.json" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
QUOTE_ID=$(post /v1/quotes "$IGO_TOKEN" "$OUT/quote.json" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
LATEST=$(curl -fsS "$API/v1/themes/editions" | python3 -c 'import json,sys; print(json.load(sys.stdin)["latest_published"])')
curl -fsS "$API/v1/themes/editions/$LATEST" | python3 -c '
import json, sys
doc = json.load(sys.stdin)["document"]
doc["edition"] = "bench-draft"
json.dump(doc, open(sys.argv[1], "w"))' "$OUT/edition.json"
log "seeded: proposal $PROPOSAL_ID, quote $QUOTE_ID, themes edition $LATEST"

probe() { "$BIN/store-probe" "$@"; }

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# wrk_run NAME URL CONNS [env...]: one wrk run; the JSON line of tests/bench/wrk.lua plus the
# API process's CPU time per request (the local gateway: HTTP, JWT check, handler, SDK client).
wrk_run() {
  local name=$1 url=$2 conns=$3; shift 3
  local raw before after
  before=$(cpu_ticks "$API_PID")
  raw=$(env "$@" wrk -t 1 -c "$conns" -d "${SECS}s" --timeout 10s -s "$ROOT/tests/bench/wrk.lua" "$url" | tail -n 1)
  after=$(cpu_ticks "$API_PID")
  record api "$name c=$conns" "$(python3 -c '
import json, sys
d = json.loads(sys.argv[1])
d["concurrency"] = int(sys.argv[2])
d["round"] = int(sys.argv[5])
d["cpu_ms_per_request"] = round((int(sys.argv[3]) * 1000 / int(sys.argv[4])) / max(d["requests"], 1), 3)
print(json.dumps(d))' "$raw" "$conns" "$((after - before))" "$TICKS" "${ROUND:-1}")"
}

# store_run NAME CONNS OP [args...]: the store calls of one request kind (store-probe).
store_run() {
  local name=$1 conns=$2; shift 2
  record store "$name c=$conns" "$(probe measure "$@" --concurrency "$conns" --seconds "$SECS" --round "${ROUND:-1}")"
}

# warm_up URL [env...]: WARMUP seconds of one request through the API, not recorded.
warm_up() {
  local url=$1; shift
  env "$@" wrk -t 1 -c 4 -d "${WARMUP}s" --timeout 10s -s "$ROOT/tests/bench/wrk.lua" "$url" >/dev/null
}

# ---- 1. load: API vs the store's own round trips --------------------------------------------
# pair NAME CONNS URL [wrk env...] -- OP [probe args...]: the API run and the store run of one
# request kind; odd rounds measure the API first, even rounds the store first.
pair() {
  local name=$1 conns=$2 url=$3; shift 3
  local wrk_env=() probe_args=()
  while [ "$1" != "--" ]; do wrk_env+=("$1"); shift; done
  shift
  probe_args=("$@")
  if (( ROUND % 2 )); then
    wrk_run "$name" "$url" "$conns" "${wrk_env[@]}"
    store_run "$name" "$conns" "${probe_args[@]}"
  else
    store_run "$name" "$conns" "${probe_args[@]}"
    wrk_run "$name" "$url" "$conns" "${wrk_env[@]}"
  fi
}

POST_PROPOSAL_ENV=(WRK_METHOD=POST WRK_TOKEN="$IGO_TOKEN" WRK_BODY="$OUT/proposal-$LOAD_INSURER.json" WRK_IDEMPOTENT=1)
POST_QUOTE_ENV=(WRK_METHOD=POST WRK_TOKEN="$IGO_TOKEN" WRK_BODY="$OUT/quote.json")
if part load && (( WARMUP > 0 )); then
  log "warming up DynamoDB Local's JIT and the API: ${WARMUP} s per request"
  warm_up "$API/v1/proposals/$PROPOSAL_ID" WRK_TOKEN="$IGO_TOKEN"
  warm_up "$API/v1/proposals" "${POST_PROPOSAL_ENV[@]}"
  warm_up "$API/v1/themes"
  warm_up "$API/v1/quotes" "${POST_QUOTE_ENV[@]}"
fi
for c in $CONNECTIONS; do
  part load || break
  for ROUND in $(seq 1 "$ROUNDS"); do
    pair "GET proposal" "$c" "$API/v1/proposals/$PROPOSAL_ID" WRK_TOKEN="$IGO_TOKEN" -- get-proposal --id "$PROPOSAL_ID"
    pair "POST proposal" "$c" "$API/v1/proposals" "${POST_PROPOSAL_ENV[@]}" -- create-proposal --id "$PROPOSAL_ID"
    pair "GET themes" "$c" "$API/v1/themes" -- themes
    pair "POST quote" "$c" "$API/v1/quotes" "${POST_QUOTE_ENV[@]}" -- put-quote --org "$IGO"
    # The local gateway's own floor (HTTP, event JSON, JWT check, routing; no store call): work
    # that API Gateway and the Lambda runtime do in AWS, inside every API figure above.
    wrk_run "gateway floor (GET /v1/me)" "$API/v1/me" "$c" WRK_TOKEN="$IGO_TOKEN"
  done
done
ROUND=1
part load && record memory "local-gateway after the load runs" \
  "{\"peak_rss_mib\": $(awk '/VmHWM/ {printf "%.1f", $2 / 1024}' /proc/$API_PID/status)}"

# ---- 2. cold start and memory per function (emulated Lambda Runtime API) --------------------
python3 - "$ROOT/tests/bench/events" "$OUT" "$PROPOSAL_ID" "$QUOTE_ID" "$IGO_TOKEN" "$INSURER_TOKEN" <<'PY'
import json, os, sys
src, out, proposal_id, quote_id, igo_token, insurer_token = sys.argv[1:7]
def fill(value):
    if isinstance(value, str):
        if value.startswith("@"):
            return json.load(open(os.path.join(out, value[1:])))
        return (value.replace("{{proposal_id}}", proposal_id).replace("{{quote_id}}", quote_id)
                .replace("{{igo_token}}", igo_token).replace("{{insurer_token}}", insurer_token))
    if isinstance(value, list):
        return [fill(v) for v in value]
    if isinstance(value, dict):
        return {k: fill(v) for k, v in value.items()}
    return value
os.makedirs(f"{out}/events", exist_ok=True)
for name in os.listdir(src):
    json.dump(fill(json.load(open(os.path.join(src, name)))), open(f"{out}/events/{name}", "w"))
PY
for fn in proposals quotes themes themes-publisher docs authorizer; do
  part lambda || break
  for run in 1 2 3; do
    # The authorizer verifies the local gateway's tokens: its issuer and the JWKS it serves (over
    # loopback HTTP), its principals registered in this table by `token` above. Its cold start
    # includes fetching that key set and reading the registry.
    record lambda "$fn run $run" "$(JWT_ISSUER="$API" JWKS_URL="$API/.well-known/jwks.json" \
      "$BIN/lambda-harness" "$BIN/$fn" "$OUT/events/$fn.json" "$INVOCATIONS")"
  done
done

# ---- 3. scale: a listing page with N proposals in the insurer's partition -------------------
# deep_cursor SKIP: the cursor after SKIP proposals of the insurer's listing (walked 100 a page).
deep_cursor() {
  python3 - "$API" "$INSURER_TOKEN" "$1" <<'PY'
import json, sys, urllib.request
api, token, skip = sys.argv[1], sys.argv[2], int(sys.argv[3])
cursor, seen = None, 0
while seen < skip:
    url = f"{api}/v1/proposals?limit=100" + (f"&cursor={cursor}" if cursor else "")
    req = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    page = json.load(urllib.request.urlopen(req, timeout=30))
    seen += len(page["items"])
    cursor = page["next_cursor"]
    if not cursor:
        sys.exit(f"the listing ended after {seen} items")
print(cursor)
PY
}
# deep_feed_cursor SKIP: the event feed's cursor after SKIP of the insurer's events (100 a page;
# each seeded proposal, submitted at once, put one event in the insurer's feed: issue 18).
deep_feed_cursor() {
  python3 - "$API" "$INSURER_TOKEN" "$1" <<'PY'
import json, sys, urllib.request
api, token, skip = sys.argv[1], sys.argv[2], int(sys.argv[3])
cursor, seen = None, 0
while seen < skip:
    url = f"{api}/v1/events?limit=100" + (f"&after={cursor}" if cursor else "")
    req = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    page = json.load(urllib.request.urlopen(req, timeout=30))
    seen += len(page["items"])
    cursor = page["next_cursor"]
    if not page["has_more"]:
        sys.exit(f"the feed ended after {seen} events")
print(cursor)
PY
}
seeded=0
for n in $SCALE; do
  part scale || break
  log "seeding $((n - seeded)) proposals to insurer $SCALE_INSURER (total $n)"
  record seed "proposals to $n" "$(probe seed "$ROOT/tests/bench/proposal.json" $((n - seeded)) --igos 100 --concurrency 8)"
  seeded=$n
  cursor=$(deep_cursor $((n * 9 / 10)))
  wrk_run "list first page, $n proposals" "$API/v1/proposals" 1 WRK_TOKEN="$INSURER_TOKEN"
  wrk_run "list deep page (after $((n * 9 / 10))), $n proposals" "$API/v1/proposals?cursor=$cursor" 1 WRK_TOKEN="$INSURER_TOKEN"
  store_run "list first page, $n proposals" 1 list-proposals --org "$SCALE_INSURER"
  store_run "list deep page (after $((n * 9 / 10))), $n proposals" 1 list-proposals --org "$SCALE_INSURER" --cursor "$cursor"
  feed_cursor=$(deep_feed_cursor $((n * 9 / 10)))
  wrk_run "feed first page, $n events" "$API/v1/events?limit=50" 1 WRK_TOKEN="$INSURER_TOKEN"
  wrk_run "feed deep page (after $((n * 9 / 10))), $n events" "$API/v1/events?limit=50&after=$feed_cursor" 1 WRK_TOKEN="$INSURER_TOKEN"
done

# ---- summary ----------------------------------------------------------------------------------
python3 "$ROOT/scripts/bench-summary.py" "$RESULTS" "$OUT/machine.txt" >"$OUT/summary.md"
echo "uptime at end: $(uptime)" >>"$OUT/summary.md"
cat "$OUT/summary.md"
log "make bench finished in $(( $(date +%s) - started )) s; results in $OUT"
