#!/usr/bin/env bash
# The docs page's vendored Redoc bundle is byte for byte the one the pinned npm package ships,
# so an upgrade happens only through package.json + scripts/vendor-assets.sh, never by hand.
source "$(dirname "$0")/../lib.sh"
ensure_npm_packages
cd "$ROOT"
status=0
while read -r vendored upstream; do
  if ! cmp -s "$vendored" "node_modules/$upstream"; then
    echo "ERROR: $vendored differs from node_modules/$upstream (pinned in package.json)." >&2
    echo "       Run scripts/vendor-assets.sh after changing the version, then commit." >&2
    status=1
  fi
done < <(grep -v '^#' scripts/vendored-assets.txt)
[ "$status" = 0 ] && log "vendored assets match node_modules ($(grep -cv '^#' scripts/vendored-assets.txt) files)"
exit "$status"
