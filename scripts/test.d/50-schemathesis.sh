#!/usr/bin/env bash
# Bounded Schemathesis run for `make test` (a few minutes): every operation of the committed
# spec with each role's token; no 5xx and no response that breaks the spec. `make fuzz` runs
# the large one.
exec bash "$(dirname "$0")/../fuzz.sh" "${FUZZ_TEST_EXAMPLES:-10}"
