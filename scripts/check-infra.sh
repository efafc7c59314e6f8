#!/usr/bin/env bash
# `make check-infra` (and `make test` through scripts/test.d/10-infra.sh): cfn-lint and
# `sam validate --lint` on infra/template.yaml (cfn-lint also on infra/waf.yaml,
# the optional us-east-1 web ACL stack). Both run offline: no AWS account, no network.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
ensure_infra_tools

log "cfn-lint infra/template.yaml ($(cfn-lint --version))"
# Exit code is non-zero on errors and on warnings alike: both fail the check.
cfn-lint infra/template.yaml infra/waf.yaml

log "sam validate --lint ($(sam --version))"
# SAM wants a region to resolve pseudo parameters; lib.sh sets fake credentials, which --lint
# never uses (it lints locally with the bundled cfn-lint).
AWS_DEFAULT_REGION=${AWS_DEFAULT_REGION:-eu-central-1} sam validate --lint --template-file infra/template.yaml

log "infra template checks passed"
