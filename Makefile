# redis-chat: `make run` serves the chat on http://127.0.0.1:4000 with its own Redis;
# `make test` runs every test. Both install what a Debian-like machine lacks.

CARGO_TARGET_DIR ?= $(CURDIR)/target
export CARGO_TARGET_DIR
CLIENT_SOURCES := $(shell find client/src client/index.html client/package.json client/vite.config.ts -type f 2>/dev/null)

.PHONY: run test deps client openapi lint rust-test api-contract client-test e2e bench clean

run: deps client/dist/index.html
	cargo run --release --bin redis-chat

deps:
	@scripts/ensure-deps.sh run

client/node_modules: client/package-lock.json
	cd client && npm ci --no-audit --no-fund
	@touch client/node_modules

client/dist/index.html: client/node_modules $(CLIENT_SOURCES)
	cd client && npm run build

client: client/dist/index.html

openapi:
	cargo run -q --bin redis-chat -- openapi > openapi/openapi.json
	cd client && npm run gen:api

lint:
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets -- -D warnings

rust-test:
	cargo test --workspace

# schemathesis against a real instance: the server does exactly what openapi.json says.
api-contract:
	scripts/api-contract.sh

client-test: client/node_modules
	cd client && npm run typecheck && npm test && npm run check:api

e2e: client/dist/index.html
	cargo build --bin redis-chat
	cd client && npm run e2e

test:
	@scripts/ensure-deps.sh test
	$(MAKE) lint
	$(MAKE) rust-test
	$(MAKE) api-contract
	$(MAKE) client-test
	$(MAKE) e2e

bench:
	cargo build --release -p redis-chat -p loadgen --bin redis-chat --bin loadgen
	scripts/bench.sh

clean:
	cargo clean
	rm -rf client/dist client/node_modules data
