# Zorginkoop API: the two commands (run, test) and the smaller steps they are made of.
# Every target installs what it needs (see scripts/lib.sh).

.PHONY: run test token openapi clients fmt lint build-lambdas check-infra sam-build bench fuzz

ROLE ?= igo
ORG ?= 53012345

## make run: DynamoDB Local + table + themes seed + the API on http://127.0.0.1:3000
run:
	@bash scripts/run-local.sh

## make test: fmt, clippy, unit and integration tests against DynamoDB Local
test:
	@bash scripts/test.sh

## make token ROLE=igo ORG=53012345: registers the principal in the running local API (make run) if
## needed and prints its access token (the gateway is the local issuer; PORT as for make run)
token:
	@cargo run -q -p local-gateway -- token --role $(ROLE) --org $(ORG)

## make openapi: regenerates openapi/openapi.json from the code
openapi:
	@UPDATE_OPENAPI=1 cargo test -q -p docs --lib spec_is_committed

## make clients: generates the Python and TypeScript clients from the spec, type-checks them and
## runs their scenarios against a local API (also run by make test: scripts/test.d/40-generated-clients.sh)
clients:
	@bash scripts/clients.sh

## make bench: load (wrk), scale, cold-start and memory figures against an own DynamoDB Local,
## with the store's own round trips beside them; results in .local/bench/ (see BENCHMARKS.md)
bench:
	@bash scripts/bench.sh

fmt:
	@cargo fmt --all

## make build-lambdas: arm64 bootstrap zips (cargo-lambda) for every function in infra/template.yaml, sizes checked < 6 MB
build-lambdas:
	@bash scripts/build-lambdas.sh

## make check-infra: cfn-lint and sam validate --lint on infra/template.yaml (part of make test)
check-infra:
	@bash scripts/check-infra.sh

## make sam-build: sam build (rust-cargolambda, no Docker) into .aws-sam/
sam-build:
	@bash scripts/sam.sh build --config-env $(or $(ENV),dev)

## make fuzz: Schemathesis against a local API with each role's token (>= 1,000 generated cases)
fuzz:
	@bash scripts/fuzz.sh $(or $(EXAMPLES),50)
