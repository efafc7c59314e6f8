#!/usr/bin/env bash
# Bounded Schemathesis run for `make test`: every operation of the committed spec, all checks
# and all phases (examples, coverage, fuzzing, stateful), with each role's token and without
# one; any finding fails. At 20 examples per operation and phase it generated ~12,900 cases
# (about 3,200 per caller: ~2,700 coverage, ~400 fuzzing, ~130 stateful, ~35 examples) in
# 2 minutes 40 here; the figures per caller and phase close its output. `make fuzz` runs the
# large one.
exec bash "$(dirname "$0")/../fuzz.sh" "${FUZZ_TEST_EXAMPLES:-20}"
