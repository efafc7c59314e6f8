#!/usr/bin/env bash
# Browser test of the comparison dashboard: headless Debian Chromium, driven by playwright-core,
# publishes a test edition (one tariff change) on a local API, opens /dashboard and checks that
# it loads with no console errors, CSP violations or requests to another origin, within the
# size and first-render budgets, shows all 7 zorgkantoren, follows a theme switch, highlights
# the test edition's change, and has no serious axe-core violations.
# Screenshot: tests/artifacts/dashboard.png.
source "$(dirname "$0")/../lib.sh"
ensure_npm_packages
ensure_chromium
trap 'stop_local_api; stop_dynamodb' EXIT
start_local_api
mkdir -p "$ROOT/tests/artifacts"
PUBLISHER_TOKEN=$("$TARGET_DIR/debug/local-gateway" token --api "$API_URL" --role publisher --org zorginkoop-redactie --ttl 600) \
  node "$ROOT/tests/browser/dashboard.mjs" "$API_URL" "$ROOT/tests/artifacts/dashboard.png"
