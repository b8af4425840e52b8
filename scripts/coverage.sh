#!/bin/sh
# Runs the whole test suite in a coverage build and prints the line and
# branch coverage of libcartel (src/lib), per module and overall, then fails
# when a figure falls under its threshold. `make coverage` builds the folder
# first; see docs/coverage.md for the thresholds and why gcovr is run the way
# it is.
set -eu

BUILD=${1:-build-cov}
TOP=$(cd "$(dirname "$0")/.." && pwd)
JOBS=${JOBS:-2}

if ! command -v gcovr >/dev/null 2>&1; then
	echo "coverage: gcovr is missing (make deps installs it)" >&2
	exit 1
fi
if [ ! -f "$BUILD/CMakeCache.txt" ] ||
	! grep -q '^CARTEL_COVERAGE:BOOL=ON' "$BUILD/CMakeCache.txt"; then
	echo "coverage: $BUILD is not a coverage build (run make coverage)" >&2
	exit 1
fi

# Counters from an earlier run would add to this one.
find "$BUILD" -name '*.gcda' -exec rm -f {} +

# A failing test still leaves its counters; the figures are printed either
# way, and the failure is reported after them.
tests_rc=0
(cd "$BUILD" && ctest --output-on-failure -j "$JOBS") || tests_rc=$?

summary="$BUILD/coverage.json"
# Library only: tests, benchmarks and the command are not counted.
# --exclude-unreachable-branches drops the branches gcc attaches to lines
# with no code of their own (a closing brace, a bare `else`), which no test
# can take; --exclude-throw-branches is not used, C has no exceptions.
# gcov leaves its working files in the current folder, hence the cd.
(cd "$BUILD" && gcovr --root "$TOP" --filter "$TOP/src/lib/" \
	--exclude-unreachable-branches \
	--json-summary coverage.json -j "$JOBS" .) >/dev/null

cov_rc=0
python3 "$TOP/scripts/coverage.py" "$summary" || cov_rc=$?

if [ "$tests_rc" -ne 0 ]; then
	echo "coverage: the test suite failed (ctest exit $tests_rc)" >&2
	exit "$tests_rc"
fi
exit "$cov_rc"
