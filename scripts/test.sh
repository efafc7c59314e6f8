#!/usr/bin/env bash
# `make test`: installs what is missing, checks formatting and lints, runs unit tests and the
# integration suites against one in-memory DynamoDB Local, then stops what it started.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
started=$(date +%s)

log "cargo fmt --check"
cargo fmt --all --check

log "cargo clippy (-D warnings)"
cargo clippy --workspace --all-targets --quiet -- -D warnings

ensure_dynamodb_local
DDB_PORT=$(free_port)
trap stop_dynamodb EXIT
start_dynamodb "$DDB_PORT" -inMemory
export DYNAMODB_ENDPOINT="http://127.0.0.1:$DDB_PORT"

log "cargo test (unit + integration)"
cargo_started=$(date +%s)
cargo test --workspace --quiet 2>&1 | tee "$LOCAL_DIR/cargo-test.log"
test_status=${PIPESTATUS[0]}
[ "$test_status" = 0 ] || exit "$test_status"
log "cargo test passed in $(( $(date +%s) - cargo_started )) s (build included)"

for extra in "$ROOT"/scripts/test.d/*.sh; do
  [ -e "$extra" ] || continue
  log "suite: $(basename "$extra")"
  suite_started=$(date +%s)
  bash "$extra"
  log "suite $(basename "$extra") passed in $(( $(date +%s) - suite_started )) s"
done

log "make test passed in $(( $(date +%s) - started )) s"
