"""Schemathesis hooks for scripts/fuzz.sh (loaded through SCHEMATHESIS_HOOKS).

An Idempotency-Key names one request: the API answers the same key with another body with a
422, as the IETF idempotency-key draft says. Schemathesis draws keys from a tiny space ("0",
"00", ...), so unrelated generated requests would share keys and be refused for that protocol
rule, which no schema can state. Well-formed keys are therefore made unique per request;
malformed ones (the negative cases) are left as generated.
"""
import itertools
import os
import re

import schemathesis

WELL_FORMED = re.compile(r"[!-~]{1,255}")  # domain::ids::IdKind::IdempotencyKey
_next = itertools.count(1)


@schemathesis.hook
def before_call(context, case, kwargs):
    """Every phase (examples, coverage, fuzzing, stateful) passes here before its request."""
    headers = case.headers or {}
    for name in list(headers):
        value = headers[name]
        if name.lower() == "idempotency-key" and isinstance(value, str) and WELL_FORMED.fullmatch(value):
            headers[name] = f"fuzz-{os.getpid()}-{next(_next)}"
