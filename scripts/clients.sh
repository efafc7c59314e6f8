#!/usr/bin/env bash
# Generated clients, proven against the running API: generates a Python client
# (openapi-python-client) and a TypeScript client (@hey-api/openapi-ts) from the committed
# openapi/openapi.json, unmodified, into tests/clients/generated/ (git-ignored); type-checks
# both (mypy --strict, tsc --strict) together with their scenarios; then runs every scenario
# file against a local API:
#   tests/clients/python/scenarios/*.py       run with the generated package on PYTHONPATH
#   tests/clients/typescript/scenarios/*.ts   compiled by tsc, run with node
# Scenarios get API_URL and LOCAL_GATEWAY (mint a token: "$LOCAL_GATEWAY token --role R --org O").
# Usage: scripts/clients.sh [--no-run]   (--no-run: generate and type-check only)
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
CLIENTS="$ROOT/tests/clients"
GEN="$CLIENTS/generated"
VENV="$ROOT/.venv"
REQS="$CLIENTS/python/requirements.txt"

timed() { local t0; t0=$(date +%s); "$@"; log "$1: $(( $(date +%s) - t0 )) s"; }

# The pinned Python tools, in the project's git-ignored virtualenv; reinstalled when the pins change.
ensure_python_tools() {
  local stamp="$VENV/.clients-requirements.sha256" want
  want=$(sha256sum "$REQS" | cut -d' ' -f1)
  if [ -x "$VENV/bin/python" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then return 0; fi
  ensure_venv
  log "installing the Python client tools into .venv ($REQS)"
  "$VENV/bin/pip" install -q --disable-pip-version-check -r "$REQS"
  echo "$want" >"$stamp"
}

generate_python() {
  rm -rf "$GEN/python"
  mkdir -p "$GEN/python"
  # The generator's post hooks call ruff, which lives in the virtualenv.
  local out
  out=$(PATH="$VENV/bin:$PATH" "$VENV/bin/openapi-python-client" generate --path openapi/openapi.json \
    --config "$CLIENTS/python/config.yaml" --meta none --output-path "$GEN/python/zorginkoop_client" --overwrite 2>&1)
  # A warning means the generator left out a schema or an operation: the client would not be
  # the whole API, so it fails the suite.
  if grep -qi 'warning' <<<"$out"; then
    printf '%s\n' "$out" >&2
    echo "ERROR: openapi-python-client could not express part of the spec (warnings above)" >&2
    return 1
  fi
}

generate_typescript() {
  rm -rf "$GEN/typescript" "$GEN/ts-build"
  (cd "$CLIENTS/typescript" && "$ROOT/node_modules/.bin/openapi-ts" --silent -f openapi-ts.config.mjs)
}

check_python() {
  local scenarios=("$CLIENTS"/python/scenarios/*.py)
  [ -e "${scenarios[0]}" ] || scenarios=()
  (cd "$GEN/python" && "$VENV/bin/mypy" --strict --cache-dir "$GEN/.mypy_cache" zorginkoop_client "${scenarios[@]}")
}

check_typescript() {
  # Type-checks and compiles (strict) the client and the scenarios into generated/ts-build.
  "$ROOT/node_modules/.bin/tsc" -p "$CLIENTS/typescript/tsconfig.json"
}

run_scenarios() {
  local py=("$CLIENTS"/python/scenarios/*.py) ts=("$CLIENTS"/typescript/scenarios/*.ts) f
  [ -e "${py[0]}" ] || py=()
  [ -e "${ts[0]}" ] || ts=()
  if [ $(( ${#py[@]} + ${#ts[@]} )) = 0 ]; then log "no client scenarios yet"; return 0; fi
  trap 'stop_local_api; stop_dynamodb' EXIT
  start_local_api
  export API_URL LOCAL_GATEWAY="$TARGET_DIR/debug/local-gateway"
  for f in "${py[@]}"; do
    log "python scenario: $(basename "$f")"
    PYTHONPATH="$GEN/python" "$VENV/bin/python" "$f"
  done
  for f in "${ts[@]}"; do
    log "typescript scenario: $(basename "$f")"
    node "$GEN/ts-build/typescript/scenarios/$(basename "${f%.ts}").js"
  done
}

ensure_npm_packages
timed ensure_python_tools
timed generate_python
timed generate_typescript
timed check_python
timed check_typescript
[ "${1:-}" = "--no-run" ] || timed run_scenarios
log "generated clients: ok"
