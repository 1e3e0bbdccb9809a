# The two commands: `make demo` and `make test`. Both install what is missing, configure
# and build; a second run with everything present does no needless work.
BUILD := build
PYTHON := $(CURDIR)/.venv/bin/python
HETERO := $(BUILD)/bin/hetero
NODE_TESTS := $(BUILD)/onnx-node-tests/node
JOBS ?= $(shell nproc)

.PHONY: all deps configure build tsan test demo clean format

all: build

deps:
	@tools/setup/install_deps.sh

$(BUILD)/build.ninja:
	cmake --preset default -DHETERO_PYTHON=$(PYTHON)

configure: deps $(BUILD)/build.ninja

build: configure
	cmake --build $(BUILD) -j $(JOBS)

$(NODE_TESTS):
	PYTHON=$(PYTHON) tests/onnx_node/fetch_node_tests.sh $(NODE_TESTS)

# The scheduler's concurrency tests under ThreadSanitizer. Not part of `make test` yet: Debian's libtbb is not instrumented, so TSan
# reports oneTBB's own work-stealing as races (docs/scheduler.md).
build-tsan/build.ninja:
	cmake --preset tsan -DHETERO_PYTHON=$(PYTHON)

tsan: deps build-tsan/build.ninja
	cmake --build build-tsan -j $(JOBS) --target scheduler_concurrency_test scheduler_features_test hetero_plugin_partial
	tests/scheduler/run_tsan.sh build-tsan/bin/scheduler_features_test
	tests/scheduler/run_tsan.sh build-tsan/bin/scheduler_concurrency_test

test: build $(NODE_TESTS)
	cd $(BUILD) && ctest -j $(JOBS) --output-on-failure

demo: build
	@tools/demo.sh $(HETERO)

format:
	git ls-files '*.cc' '*.h' | xargs clang-format -i

clean:
	rm -rf $(BUILD) build-tsan
