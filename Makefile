# The two commands: `make demo` and `make test`. Both install what is missing, configure
# and build; a second run with everything present does no needless work.
BUILD := build
PYTHON := $(CURDIR)/.venv/bin/python
HETERO := $(BUILD)/bin/hetero
NODE_TESTS := $(BUILD)/onnx-node-tests/node
JOBS ?= $(shell nproc)

.PHONY: all deps configure build tsan tsan-build test demo clean format

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

# The scheduler's concurrency tests under ThreadSanitizer, against a oneTBB built with
# -fsanitize=thread (tools/setup/build_tsan_tbb.sh). `make test` builds them; ctest runs
# them in the main build as tsan_* (label tsan).
TSAN_TARGETS := scheduler_concurrency_test scheduler_features_test hetero_plugin_partial \
	hetero_plugin_opencl hetero_plugin_npu_sim

build-tsan/build.ninja:
	tools/setup/build_tsan_tbb.sh $(CURDIR)/build-tsan/tbb-tsan
	cmake --preset tsan -DHETERO_PYTHON=$(PYTHON)

tsan-build: deps build-tsan/build.ninja
	cmake --build build-tsan -j $(JOBS) --target $(TSAN_TARGETS)

tsan: tsan-build build
	cd $(BUILD) && ctest -L tsan --output-on-failure

test: build tsan-build $(NODE_TESTS)
	cd $(BUILD) && ctest -j $(JOBS) --output-on-failure

demo: build
	@tools/demo.sh $(HETERO)

format:
	git ls-files '*.cc' '*.h' | xargs clang-format -i

clean:
	rm -rf $(BUILD) build-tsan
