#!/usr/bin/env bash
# Schemathesis against the local API and the committed openapi/openapi.json, once per role
# token (igo, insurer, publisher; public operations are covered by every run): no 5xx, and
# every response conforms to the spec (status code, content type, body schema).
# Usage: scripts/fuzz.sh [MAX_EXAMPLES]   at most MAX_EXAMPLES generated cases per operation and
#   phase (default 10). `make test` runs a bounded run (scripts/test.d/50-schemathesis.sh),
#   `make fuzz` a larger one. FUZZ_SEED fixes the generator's seed (default: fixed, so a
#   failure is reproducible; set FUZZ_SEED=random for a new one). Reports: .local/schemathesis/.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
REQS="$ROOT/scripts/requirements-fuzz.txt"
MAX_EXAMPLES=${1:-10}
SEED=${FUZZ_SEED:-20261123}
REPORTS="$LOCAL_DIR/schemathesis"
CHECKS=not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance

# Schemathesis, pinned, in the project's git-ignored virtualenv; reinstalled when the pin changes.
ensure_fuzz_tools() {
  ensure_venv
  local stamp="$VENV/.requirements-fuzz.sha256" want
  want=$(sha256sum "$REQS" | cut -d' ' -f1)
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    log "installing schemathesis into .venv ($REQS)"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check -r "$REQS"
    echo "$want" >"$stamp"
  fi
}

ensure_fuzz_tools
trap 'stop_local_api; stop_dynamodb' EXIT
start_local_api
mkdir -p "$REPORTS"
started=$(date +%s)
seed_args=(--seed "$SEED")
[ "$SEED" = random ] && seed_args=()

status=0
for caller in "igo 53012345" "insurer 3311" "publisher zorginkoop-redactie"; do
  set -- $caller
  token=$("$TARGET_DIR/debug/local-gateway" token --role "$1" --org "$2")
  log "schemathesis as $1 $2 (at most $MAX_EXAMPLES cases per operation and phase)"
  # Proposals and quotes the generated requests create stay in this run's own table. Run from
  # .local, so Schemathesis keeps its cache of past failures (replayed first) there. One worker:
  # with two, Python 3.11.7's ast.parse (used by Hypothesis in worker threads) failed once with
  # "AST constructor recursion depth mismatch", a tool error that is not the API's.
  (cd "$LOCAL_DIR" && NO_COLOR=1 "$VENV/bin/schemathesis" run "$ROOT/openapi/openapi.json" --url "$API_URL" \
    --header "Authorization: Bearer $token" \
    --checks "$CHECKS" --phases examples,coverage,fuzzing \
    --max-examples "$MAX_EXAMPLES" "${seed_args[@]}" --workers 1 --no-shrink \
    --request-timeout 30 --suppress-health-check all --warnings off \
    --report junit --report-junit-path "$REPORTS/$1.xml") \
    2>&1 | tee "$REPORTS/$1.log" | grep -Ev '^\s*$' | tail -n 25 || true
  [ "${PIPESTATUS[0]}" = 0 ] || status=1
done
log "schemathesis: $(( $(date +%s) - started )) s, seed $SEED; reports in $REPORTS"
exit "$status"
