#!/usr/bin/env bash
# Schemathesis against the local API and the committed openapi/openapi.json with ALL its checks
# and all its phases (examples, coverage, fuzzing, stateful), once per role token (igo,
# insurer, publisher) and once without a token; fails on any finding. What the spec documents
# beyond JSON Schema (business refusals, cross-field rules) is in scripts/schemathesis.toml, the
# Idempotency-Key protocol in scripts/schemathesis_hooks.py; both say why.
# Usage: scripts/fuzz.sh [MAX_EXAMPLES]   at most MAX_EXAMPLES generated cases per operation and
#   phase (default 10). `make test` runs a bounded run (scripts/test.d/50-schemathesis.sh),
#   `make fuzz` a larger one. FUZZ_SEED fixes the generator's seed (default: fixed, so a
#   failure is reproducible; set FUZZ_SEED=random for a new one). Reports: .local/schemathesis/
#   (a JUnit XML and the full log per caller and phase; the closing lines give the cases per
#   caller and phase).
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
REQS="$ROOT/scripts/requirements-fuzz.txt"
MAX_EXAMPLES=${1:-10}
SEED=${FUZZ_SEED:-20261123}
REPORTS="$LOCAL_DIR/schemathesis"

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
summary=()
for caller in "igo 53012345" "insurer 3311" "publisher zorginkoop-redactie" "anonymous -"; do
  set -- $caller
  # The token goes to Schemathesis as the spec's `bearer` scheme (not as a fixed header), so
  # the cases that leave out Authorization really send none; the anonymous run has no scheme.
  config="$REPORTS/$1.toml"
  cp "$ROOT/scripts/schemathesis.toml" "$config"
  if [ "$1" != anonymous ]; then
    FUZZ_TOKEN=$("$TARGET_DIR/debug/local-gateway" token --api "$API_URL" --role "$1" --org "$2")
    export FUZZ_TOKEN
    printf '\n[auth.openapi.bearer]\nbearer = "${FUZZ_TOKEN}"\n' >>"$config"
  fi
  # One run per phase, so the figures say how many cases each phase generated.
  for phase in examples coverage fuzzing stateful; do
    log "schemathesis as $1 $2, phase $phase: all checks (at most $MAX_EXAMPLES cases per operation)"
    # Proposals and quotes the generated requests create stay in this run's own table. Run from
    # .local, so Schemathesis keeps its cache of past failures (replayed first) there. One
    # worker: with two, Python 3.11.7's ast.parse (used by Hypothesis in worker threads) failed
    # once with "AST constructor recursion depth mismatch", a tool error that is not the API's.
    rc=0
    (cd "$LOCAL_DIR" && NO_COLOR=1 SCHEMATHESIS_HOOKS=schemathesis_hooks PYTHONPATH="$ROOT/scripts" \
      "$VENV/bin/schemathesis" --config-file "$config" \
      run "$ROOT/openapi/openapi.json" --url "$API_URL" \
      --checks all --phases "$phase" \
      --max-examples "$MAX_EXAMPLES" "${seed_args[@]}" --workers 1 --no-shrink \
      --request-timeout 30 --suppress-health-check all --warnings off \
      --report junit --report-junit-path "$REPORTS/$1-$phase.xml") \
      >"$REPORTS/$1-$phase.log" 2>&1 || rc=$?
    figures=$(grep -E ' generated, |No test cases' "$REPORTS/$1-$phase.log" | tail -n 1 | sed 's/^ *//')
    summary+=("$(printf '%-10s %-9s %s' "$1" "$phase" "${figures:-no figures} (exit $rc)")")
    if [ "$rc" != 0 ]; then
      status=1
      grep -E '^_{5,} |^- ST|^\[[0-9]{3}\]|^    curl' "$REPORTS/$1-$phase.log" | head -n 60 >&2 || true
    fi
  done
done
log "schemathesis: $(( $(date +%s) - started )) s, seed $SEED, reports in $REPORTS"
printf '    %s\n' "${summary[@]}" >&2
exit "$status"
