#!/usr/bin/env bash
# `make build-lambdas`: one arm64 `bootstrap.zip` per function of infra/template.yaml, built by
# cargo-lambda (zig links for aarch64 Linux, no Docker), then each zip's size, which must stay
# under 6 MB. The binaries come from the template (Metadata.BuildProperties.Binary), so a function
# added there without its binary fails here, by name.
#
# LAMBDA_BINARIES="proposals quotes" builds only that subset of the template's binaries.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

LIMIT_BYTES=6000000 # 6 MB, decimal: stricter than 6 MiB

ensure_infra_tools
ensure_lambda_target

declare -A function_of=()
template_list=$(template_binaries)
while read -r logical_id binary; do
  [ -n "$binary" ] && function_of[$binary]=$logical_id
done <<<"$template_list"
[ "${#function_of[@]}" -gt 0 ] || { echo "ERROR: no rust-cargolambda function in infra/template.yaml" >&2; exit 1; }

if [ -n "${LAMBDA_BINARIES:-}" ]; then
  read -r -a binaries <<<"${LAMBDA_BINARIES//,/ }"
  for binary in "${binaries[@]}"; do
    [ -n "${function_of[$binary]:-}" ] || { echo "ERROR: LAMBDA_BINARIES names '$binary', which no function of infra/template.yaml builds" >&2; exit 1; }
  done
else
  mapfile -t binaries < <(printf '%s\n' "${!function_of[@]}" | sort)
fi

available=$(workspace_binaries)
missing=0
for binary in "${binaries[@]}"; do
  if ! grep -qx -- "$binary" <<<"$available"; then
    echo "ERROR: ${function_of[$binary]} in infra/template.yaml builds binary '$binary', but no workspace package has a [[bin]] named '$binary'" >&2
    missing=1
  fi
done
[ "$missing" = 0 ] || exit 1

bin_args=()
for binary in "${binaries[@]}"; do bin_args+=(--bin "$binary"); done

log "cargo lambda build --release --arm64 --output-format zip ${bin_args[*]}"
started=$(date +%s)
cargo lambda build --release --arm64 --output-format zip "${bin_args[@]}"
elapsed=$(( $(date +%s) - started ))

# Each zip must hold one `bootstrap`, an aarch64 ELF executable (what provided.al2023 on arm64 runs).
report="$ROOT/target/lambda/build-report.txt"
{
  echo "# make build-lambdas, $(date -u +%Y-%m-%dT%H:%MZ), $(cargo lambda --version 2>/dev/null | head -1)"
  echo "# build time: ${elapsed} s for ${#binaries[@]} functions (release, fat LTO, arm64)"
} >"$report"
too_big=0
printf '%-28s %-18s %12s\n' function binary "zip bytes" >&2
for binary in "${binaries[@]}"; do
  zip="$ROOT/target/lambda/$binary/bootstrap.zip"
  [ -f "$zip" ] || { echo "ERROR: cargo lambda produced no $zip" >&2; exit 1; }
  "$VENV/bin/python" - "$zip" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    names = z.namelist()
    assert names == ["bootstrap"], f"{sys.argv[1]}: expected only bootstrap, found {names}"
    head = z.open("bootstrap").read(20)
    assert head[:4] == b"\x7fELF", f"{sys.argv[1]}: bootstrap is not an ELF file"
    assert int.from_bytes(head[18:20], "little") == 183, f"{sys.argv[1]}: bootstrap is not aarch64"
    assert z.getinfo("bootstrap").external_attr >> 16 & 0o111, f"{sys.argv[1]}: bootstrap is not executable"
PY
  bytes=$(stat -c %s "$zip")
  line=$(printf '%-28s %-18s %12s' "${function_of[$binary]}" "$binary" "$bytes")
  echo "$line" | tee -a "$report" >&2
  if [ "$bytes" -ge "$LIMIT_BYTES" ]; then
    echo "ERROR: $zip is $bytes bytes, not under $LIMIT_BYTES" >&2
    too_big=1
  fi
done
[ "$too_big" = 0 ] || exit 1
log "built ${#binaries[@]} zips in ${elapsed} s, each under $LIMIT_BYTES bytes (report: target/lambda/build-report.txt)"
