#!/usr/bin/env bash
# Extra suite of `make test`: the SAM template passes cfn-lint and `sam validate --lint`.
exec bash "$(dirname "$0")/../check-infra.sh"
