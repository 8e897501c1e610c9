# sparse_train: the two commands of the README.
#
#   make run    install missing Debian packages, configure, build, run the example
#   make check  same set-up, then every test tier; last line "N passed, N failed"
#   make bench  same set-up, then the benchmark suite (benchmarks/run.py, which
#               installs the peers); BENCH_ARGS passes options, e.g.
#               BENCH_ARGS="--quick" or BENCH_ARGS="--only bsr --threads 1"
#
# Variables: BUILD_DIR (default build), JOBS (default 2), BENCH_ARGS.

BUILD_DIR ?= build
JOBS ?= 2
LLVM_DIR := /usr/lib/llvm-22
PYTHON := /usr/bin/python3

# Debian packages the build and the tests need.
PACKAGES := cmake ninja-build g++ llvm-22-dev libmlir-22-dev mlir-22-tools \
            llvm-22-tools clang-22 lld-22 libomp-22-dev python3 python3-numpy \
            python3-pytest python3-dev pybind11-dev python3-sklearn libopenblas-dev

.PHONY: run check bench build configure deps clean

deps:
	@missing=$$(for p in $(PACKAGES); do \
	    dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; \
	  done); \
	if [ -n "$$missing" ]; then \
	  echo "Installing missing packages:" $$missing; \
	  SUDO=; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
	fi

$(BUILD_DIR)/build.ninja: | deps
	cmake -G Ninja -S . -B $(BUILD_DIR) \
	  -DCMAKE_BUILD_TYPE=Release \
	  -DMLIR_DIR=$(LLVM_DIR)/lib/cmake/mlir \
	  -DLLVM_EXTERNAL_LIT=$(LLVM_DIR)/bin/lit \
	  -DPython3_EXECUTABLE=$(PYTHON)

configure: deps $(BUILD_DIR)/build.ninja

build: configure
	ninja -C $(BUILD_DIR) -j $(JOBS)

run: build
	@$(PYTHON) examples/run.py --build-dir $(BUILD_DIR)

check: build
	@$(PYTHON) test/run_all.py --build-dir $(BUILD_DIR) --jobs $(JOBS)

bench: build
	@$(PYTHON) benchmarks/run.py --build-dir $(BUILD_DIR) $(BENCH_ARGS)

clean:
	rm -rf $(BUILD_DIR)
