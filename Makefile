# The top-level entry points. CMake does the building; this file only names
# the jobs. BUILD selects the build folder, so that several builds (say, an
# ASan one) can live side by side.
BUILD ?= build
PREFIX ?= /usr/local
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_FLAGS ?=
# make fuzz: seconds per target, and how many targets run at once.
FUZZ_SECONDS ?= 60
FUZZ_JOBS ?= 1
FUZZ_TARGETS ?=

.PHONY: all deps configure check stress demo bench install clean asan fuzz coverage po-update

all: configure
	cmake --build $(BUILD) -j $(JOBS)

deps:
	@sh scripts/deps.sh

configure: deps
	@test -f $(BUILD)/CMakeCache.txt || \
	  cmake -S . -B $(BUILD) -DCMAKE_INSTALL_PREFIX=$(PREFIX) $(CMAKE_FLAGS)

check: all
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

# The long fault runs: 50 kills of a 100,000-row import and of a
# 2,000-person handover sheet (make check runs shorter ones), then the
# fault-injection loops. Several minutes on two cores.
# Run outside ctest, whose per-test limit is for the short versions.
STRESS_ENV = CARTEL=$(abspath $(BUILD))/cartel CARTEL_DATA=$(CURDIR)/data \
  TOP=$(CURDIR) BUILD=$(abspath $(BUILD)) CARTEL_STRESS=1
stress: all
	$(STRESS_ENV) sh tests/e2e/import_killed.sh
	$(STRESS_ENV) sh tests/e2e/handover_killed.sh
	CARTEL_FAULTS_VERBOSE=1 $(BUILD)/test_faults

demo: all
	$(BUILD)/cartel --db $(BUILD)/demo.db demo

bench: all
	sh bench/run.sh $(BUILD)

# The install prefix is compiled in (where the name tables are found), so
# installing reconfigures the build for PREFIX first.
install: deps
	cmake -S . -B $(BUILD) -DCMAKE_INSTALL_PREFIX=$(PREFIX) $(CMAKE_FLAGS)
	cmake --build $(BUILD) -j $(JOBS)
	cmake --install $(BUILD)

asan:
	$(MAKE) BUILD=build-asan CMAKE_FLAGS="-DCARTEL_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug" check

# The libFuzzer targets of tests/fuzz, built with clang, ASan and UBSan in
# build-fuzz, each run for FUZZ_SECONDS (docs/fuzzing.md).
fuzz: deps
	@test -f build-fuzz/CMakeCache.txt || \
	  CC=clang cmake -S . -B build-fuzz -DCARTEL_FUZZ=ON \
	    -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_FLAGS)
	cmake --build build-fuzz --target fuzz_targets -j $(JOBS)
	sh scripts/fuzz.sh build-fuzz $(FUZZ_SECONDS) $(FUZZ_JOBS) $(FUZZ_TARGETS)

# Line and branch coverage of src/lib, per module, from the whole test suite
# in its own build folder; fails when a figure falls under its threshold
# (docs/coverage.md). Not part of `make check`.
coverage:
	$(MAKE) BUILD=build-cov CMAKE_FLAGS="-DCARTEL_COVERAGE=ON -DCMAKE_BUILD_TYPE=Debug" all
	sh scripts/coverage.sh build-cov

# po/cartel.pot extracted afresh from the sources and merged into the
# catalogues of po/ (docs/i18n.md).
po-update:
	sh scripts/po-update.sh .

clean:
	rm -rf $(BUILD) build-asan build-fuzz build-cov
