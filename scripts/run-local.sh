#!/usr/bin/env bash
# `make run`: installs what is missing, starts DynamoDB Local (data kept in .local/dynamodb),
# creates the table, seeds the themes edition and serves the API on 127.0.0.1:${PORT:-3000}.
# Ctrl-C stops everything it started.
source "$(dirname "$0")/lib.sh"

ensure_dynamodb_local
DDB_PORT=${DDB_PORT:-$(free_port)}
mkdir -p "$LOCAL_DIR/dynamodb"
trap stop_dynamodb EXIT
trap 'exit 130' INT TERM
start_dynamodb "$DDB_PORT" -dbPath "$LOCAL_DIR/dynamodb"

export DYNAMODB_ENDPOINT="http://127.0.0.1:$DDB_PORT"
export TABLE_NAME=${TABLE_NAME:-zorginkoop}
export PORT=${PORT:-3000}
cd "$ROOT"
cargo build -q -p local-gateway
"$TARGET_DIR/debug/local-gateway" serve --init
