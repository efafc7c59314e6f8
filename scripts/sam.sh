#!/usr/bin/env bash
# Runs the project's pinned SAM CLI (from .venv, with cargo-lambda and zig beside it) from the
# repository root, with the caller's own AWS credentials: `scripts/sam.sh build --config-env dev`,
# `scripts/sam.sh deploy --config-env prod`.
saved_aws=$(declare -p AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_REGION AWS_EC2_METADATA_DISABLED 2>/dev/null || true)
source "$(dirname "$0")/lib.sh"
# lib.sh sets fake credentials for DynamoDB Local; a deploy needs the real ones (or a profile).
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_REGION AWS_EC2_METADATA_DISABLED
eval "$saved_aws"
cd "$ROOT"
ensure_infra_tools
ensure_lambda_target
exec sam "$@"
