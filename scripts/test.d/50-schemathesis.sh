#!/usr/bin/env bash
# Bounded Schemathesis run for `make test`: every operation of the committed spec, all checks
# and all phases (examples, coverage, fuzzing, stateful), with each role's token and without
# one; any finding fails. At 10 examples per operation and phase it generated ~11,000 cases in
# about 3 minutes here (figures per caller and phase in its output). `make fuzz` runs the large one.
exec bash "$(dirname "$0")/../fuzz.sh" "${FUZZ_TEST_EXAMPLES:-10}"
