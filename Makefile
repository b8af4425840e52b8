# The top-level entry points. CMake does the building; this file only names
# the jobs. BUILD selects the build folder, so that several builds (say, an
# ASan one) can live side by side.
BUILD ?= build
PREFIX ?= /usr/local
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_FLAGS ?=

.PHONY: all deps configure check demo bench install clean asan coverage

all: configure
	cmake --build $(BUILD) -j $(JOBS)

deps:
	@sh scripts/deps.sh

configure: deps
	@test -f $(BUILD)/CMakeCache.txt || \
	  cmake -S . -B $(BUILD) -DCMAKE_INSTALL_PREFIX=$(PREFIX) $(CMAKE_FLAGS)

check: all
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

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

# Line and branch coverage of src/lib, per module, from the whole test suite
# in its own build folder; fails when a figure falls under its threshold
# (docs/coverage.md). Not part of `make check`.
coverage:
	$(MAKE) BUILD=build-cov CMAKE_FLAGS="-DCARTEL_COVERAGE=ON -DCMAKE_BUILD_TYPE=Debug" all
	sh scripts/coverage.sh build-cov

clean:
	rm -rf $(BUILD) build-asan build-cov
