#!/bin/sh
# cartel serve under 50 clients at once mixing searches, reads and event
# writes (tests/e2e/serve/load.test.mjs): no error, no lost write, every
# read logged, the audit chain holding. The full-size run (200 clients,
# 60 s, a million persons) is in bench/bench_serve.sh.
set -eu
command -v node >/dev/null 2>&1 || { echo "FAIL: node is not installed (scripts/deps.sh installs it)" >&2; exit 1; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
CARTEL_TEST_TMP=$T exec node --test --test-reporter=spec \
	"$TOP/tests/e2e/serve/load.test.mjs"
