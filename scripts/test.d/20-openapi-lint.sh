#!/usr/bin/env bash
# Lints the committed OpenAPI document with Redocly CLI (pinned in package.json, rules in
# redocly.yaml). Errors fail `make test`; warnings are printed.
source "$(dirname "$0")/../lib.sh"
ensure_npm_packages
cd "$ROOT"
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true NO_UPDATE_NOTIFIER=1
node_modules/.bin/redocly lint --config redocly.yaml --format stylish openapi/openapi.json
