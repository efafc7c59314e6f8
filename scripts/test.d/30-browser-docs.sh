#!/usr/bin/env bash
# Browser test of the reference page: headless Debian Chromium, driven by playwright-core,
# opens /docs on the local API and checks it renders every operation with no console errors
# or CSP violations, and that the guide shows its lifecycle picture. Screenshots:
# tests/artifacts/docs.png and tests/artifacts/docs-lifecycle.png.
source "$(dirname "$0")/../lib.sh"
ensure_npm_packages
ensure_chromium
trap 'stop_local_api; stop_dynamodb' EXIT
start_local_api
mkdir -p "$ROOT/tests/artifacts"
node "$ROOT/tests/browser/docs.mjs" "$API_URL" "$ROOT/tests/artifacts/docs.png"
