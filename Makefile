# Waggle: build, run, test and benchmark a node.
# Every target that compiles depends on `deps`, which installs only what is missing.

SWIFT       ?= swift
# One release configuration for the node, the tests and the benchmarks, so they share a build.
# -enable-testing keeps @testable imports working in release builds.
BUILD_FLAGS := -c release -Xswiftc -enable-testing
BIN_DIR      = $(shell $(SWIFT) build $(BUILD_FLAGS) --show-bin-path)
LOCAL_HOME  ?= .waggle-local
APT_PACKAGES := librocksdb-dev libsodium-dev pkg-config
PY_PACKAGES  := py_ecc mclbn256
SUDO         := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: all deps build run test bench sim fuzz fuzz-seeds fmt clean

all: build

deps:
	@missing=""; \
	for p in $(APT_PACKAGES); do \
	  dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "deps: installing$$missing"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi
	@scripts/python-deps.sh $(PY_PACKAGES)

build: deps
	$(SWIFT) build $(BUILD_FLAGS) --product waggle

run: build
	@if [ ! -f "$(LOCAL_HOME)/config/genesis.json" ]; then \
	  "$(BIN_DIR)/waggle" init --home "$(LOCAL_HOME)" --genesis Genesis/local.json \
	    --validator-key Genesis/local-validator-key.json --moniker local-validator; \
	fi
	"$(BIN_DIR)/waggle" start --home "$(LOCAL_HOME)"

test: deps
	$(SWIFT) build $(BUILD_FLAGS) --build-tests
	$(SWIFT) test $(BUILD_FLAGS) --skip-build

sim: deps
	$(SWIFT) build $(BUILD_FLAGS) --build-tests
	WAGGLE_SIM_SEEDS=$(or $(SEEDS),1000) WAGGLE_SIM_FIRST_SEED=$(or $(FIRST_SEED),1) \
	  WAGGLE_SIM_SCENARIO=$(or $(SCENARIO),random) WAGGLE_SIM_MUTATION=$(MUTATION) \
	  $(SWIFT) test $(BUILD_FLAGS) --skip-build --filter SimulatorSeedSweep

bench: deps
	$(SWIFT) build $(BUILD_FLAGS) --product waggle-bench
	"$(BIN_DIR)/waggle-bench"

# Coverage-guided fuzzing (Docs/FUZZING.md): every harness for FUZZ_SECONDS (default 60) from
# the committed seed corpus (Fuzz/corpus); FUZZ_TARGETS="a b" runs only those.
FUZZ_SECONDS ?= 60
FUZZ_BUILD   := WAGGLE_FUZZ=1 $(SWIFT) build --scratch-path .build/fuzz \
                -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library
fuzz: deps
	$(FUZZ_BUILD) --product waggle-fuzz
	FUZZ_SECONDS=$(FUZZ_SECONDS) scripts/fuzz.sh "$$($(FUZZ_BUILD) --show-bin-path)/waggle-fuzz" $(FUZZ_TARGETS)

# Rewrites the seed corpus from real encodings (after a harness is added or an encoding changes).
fuzz-seeds: deps
	$(FUZZ_BUILD) --product waggle-fuzz
	rm -rf Fuzz/corpus
	WAGGLE_FUZZ_WRITE_SEEDS=Fuzz/corpus "$$($(FUZZ_BUILD) --show-bin-path)/waggle-fuzz"

fmt:
	$(SWIFT) format --in-place --recursive Sources Tests Package.swift

clean:
	rm -rf .build
