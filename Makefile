# The front door: every target installs what is missing first, so a fresh Debian 12 machine needs
# nothing but `make run` and `make test`.
BUILD_DIR ?= build
ASAN_DIR ?= build-asan
JOBS ?= $(shell nproc)
LISTEN ?= 127.0.0.1:8080
DATA ?= data
CMAKE_FLAGS ?=
# `make fuzz`: clang build dir, seconds per target, targets run at once.
FUZZ_DIR ?= build-fuzz
FUZZ_SECONDS ?= 300
FUZZ_JOBS ?= $(JOBS)
FUZZ_CXX ?= clang++-16

.PHONY: all deps bench-deps build run test test-asan bench bench-quick fuzz install format clean

all: build

deps:
	@scripts/install-deps.sh

# The benchmark's peers (nginx, wrk, curl, aiohttp, gnuplot, Node): only `make bench` needs them.
bench-deps: deps
	@scripts/install-deps.sh bench

$(BUILD_DIR)/build.ninja: | deps
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS)

build: deps $(BUILD_DIR)/build.ninja
	cmake --build $(BUILD_DIR) -j $(JOBS)

run: build
	$(BUILD_DIR)/bin/asyncscrape-server --listen $(LISTEN) --data $(DATA)

test: build
	ctest --test-dir $(BUILD_DIR) --output-on-failure -j $(JOBS)

test-asan: deps
	cmake -S . -B $(ASAN_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DASYNCSCRAPE_SANITIZE=ON $(CMAKE_FLAGS)
	cmake --build $(ASAN_DIR) -j $(JOBS)
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  ctest --test-dir $(ASAN_DIR) --output-on-failure -j $(JOBS)

# The benchmark harness (bench/driver.py, docs/benchmarks.md): every workload beside its peers on
# loopback, medians of 3, results in bench/results/. Measurements: targets are reported, never
# asserted. `bench-quick` is the small version CI runs so that the harness never rots.
# BENCH_FLAGS passes more, e.g. BENCH_FLAGS='--only fanout,api'.
BENCH_FLAGS ?=
bench: build bench-deps
	/usr/bin/python3 bench/driver.py --build $(BUILD_DIR) $(BENCH_FLAGS)

bench-quick: build bench-deps
	/usr/bin/python3 bench/driver.py --quick --reps 3 --build $(BUILD_DIR) $(BENCH_FLAGS)

# libFuzzer targets of tests/fuzz/ (clang, ASan, UBSan), each run for FUZZ_SECONDS on a scratch
# copy of its seed corpus; fails on any finding (tests/fuzz/run.sh says where the input is).
fuzz: deps
	cmake -S . -B $(FUZZ_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_COMPILER=$(FUZZ_CXX) \
	  -DASYNCSCRAPE_FUZZ=ON -DASYNCSCRAPE_BUILD_TESTS=OFF -DASYNCSCRAPE_BUILD_BENCH=OFF $(CMAKE_FLAGS)
	cmake --build $(FUZZ_DIR) --target asyncscrape_fuzz -j $(JOBS)
	tests/fuzz/run.sh $(FUZZ_DIR) $(FUZZ_SECONDS) $(FUZZ_JOBS)

# PREFIX=/usr/local make install
install: build
	cmake --install $(BUILD_DIR) $(if $(PREFIX),--prefix $(PREFIX))

format:
	find lib app bench tests examples -name '*.cpp' -o -name '*.hpp' | xargs clang-format -i

clean:
	rm -rf $(BUILD_DIR) $(ASAN_DIR) $(FUZZ_DIR)
