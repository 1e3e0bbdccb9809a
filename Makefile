# The two commands: `make demo` and `make test`. Both install what is missing, configure
# and build; a second run with everything present does no needless work.
BUILD := build
PYTHON := $(CURDIR)/.venv/bin/python
HETERO := $(BUILD)/bin/hetero
NODE_TESTS := $(BUILD)/onnx-node-tests/node
JOBS ?= $(shell nproc)

.PHONY: all deps configure build test demo clean format

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

test: build $(NODE_TESTS)
	cd $(BUILD) && ctest -j $(JOBS) --output-on-failure

demo: build
	@tools/demo.sh $(HETERO)

format:
	git ls-files '*.cc' '*.h' | xargs clang-format -i

clean:
	rm -rf $(BUILD)
