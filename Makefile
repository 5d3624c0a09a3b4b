# Outrigger — the two commands a new user needs are `make run` and `make test`.
SHELL := /bin/bash
export PATH := $(PATH):/opt/swift/usr/bin

SWIFT_BUILD_FLAGS ?=
BIN := .build/debug/outrigger
APP_PORT ?= 3000
HTTP_PORT ?= 3500
COMPONENT ?=
CHAOS_ARGS ?=

.DEFAULT_GOAL := help

.PHONY: help deps build release run test unit conformance fuzz bench profile chaos startup-order brokers-up brokers-down brokers-status proto clean

help: ## Show this help
	@echo "Outrigger — a Dapr-compatible sidecar for pub/sub and bindings"
	@echo
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-15s %s\n", $$1, $$2}'
	@echo
	@echo "Variables: APP_PORT=$(APP_PORT) HTTP_PORT=$(HTTP_PORT) COMPONENT=<type> (for conformance) CHAOS_ARGS=<flags> (for chaos)"
	@echo "           FUZZ_SECONDS=60 FUZZ_TIMEOUT=10 FUZZ_TARGETS='FuzzCloudEvent ...' (for fuzz)"

deps: ## Install the Debian packages the build needs (only missing ones)
	@scripts/deps.sh build

build: deps ## Build the outrigger binary (debug)
	swift build $(SWIFT_BUILD_FLAGS)

release: deps ## Build the release binary as benchmarked, into .build/packed/release/ (first time ~20 min)
	@scripts/release-build.sh outrigger

run: build ## Build, then run the sidecar with ./components and the sample app in examples/orders
	$(BIN) run --app-id orders --app-port $(APP_PORT) --dapr-http-port $(HTTP_PORT) \
		--resources-path ./components -- python3 examples/orders/app.py

test: ## Install test needs, start the real brokers, run unit, end-to-end and conformance tests
	@scripts/deps.sh test
	@scripts/test.sh

unit: deps ## Run the unit and end-to-end tests only (no brokers)
	swift build --build-tests $(SWIFT_BUILD_FLAGS)
	swift test --skip-build $(SWIFT_BUILD_FLAGS) --skip ConformanceTests

conformance: deps ## Run the conformance suite (COMPONENT=pubsub.redis to run one component)
	@scripts/conformance.sh $(COMPONENT)

fuzz: ## Fuzz the CloudEvents codec, resource YAML, routing rules and bulk-publish body (FUZZ_SECONDS=60 each)
	@scripts/fuzz.sh

bench: ## Run the benchmarks (release build; baselines measured in the same run)
	@scripts/deps.sh bench
	@bench/run.sh

profile: ## perf flame graphs of the publish, delivery and gRPC publish paths under load, into docs/perf/ (BIN= and PROFILE_NAME= for another build)
	@scripts/deps.sh bench
	@bench/profile.sh

chaos: ## Fault run of the at-least-once promise per broker (release build; CHAOS_ARGS="--events 2000 --brokers redis --seeds 1")
	@scripts/deps.sh chaos
	swift build -c release --product outrigger
	swift build -c release --product outrigger-chaos
	.build/release/outrigger-chaos $(CHAOS_ARGS)

brokers-up: ## Start the real brokers natively (Redis, RabbitMQ, Mosquitto, NATS, PostgreSQL, Kafka mock, HTTP echo, SMTP sink)
	@conformance/brokers.sh up

brokers-down: ## Stop the brokers brokers-up started
	@conformance/brokers.sh down

brokers-status: ## Show which brokers are up
	@conformance/brokers.sh status

startup-order: ## Regenerate scripts/startup-order.txt, the functions the release link puts first (a valgrind run of the sidecar)
	@scripts/deps.sh startup-order
	@scripts/startup-order.sh

proto: ## Regenerate Sources/DaprProto from the Dapr .proto files (output is committed)
	@bash proto/generate.sh

clean: ## Remove build output
	swift package clean
