#!/usr/bin/env bash
# Extra suite of `make test`: the Python and TypeScript clients generated from the committed
# spec, unmodified, type-check (mypy --strict, tsc --strict) and run their scenarios (the
# proposal negotiation, the public themes dashboard) against a local API. scripts/clients.sh
# installs its tools itself: npm ci from package-lock.json, pip into .venv from
# tests/clients/python/requirements.txt.
exec bash "$(dirname "$0")/../clients.sh"
