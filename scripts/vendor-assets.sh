#!/usr/bin/env bash
# Copies the vendored front-end assets (scripts/vendored-assets.txt) from node_modules after a
# deliberate version change in package.json: `npm install --save-exact redoc@X`, then this.
source "$(dirname "$0")/lib.sh"
ensure_npm_packages
cd "$ROOT"
grep -v '^#' scripts/vendored-assets.txt | while read -r vendored upstream; do
  cp "node_modules/$upstream" "$vendored"
  log "vendored $upstream -> $vendored"
done
