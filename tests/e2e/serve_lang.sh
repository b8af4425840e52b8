#!/bin/sh
# The library's reasons in the language each API request asks for
# (tests/e2e/serve/lang.test.mjs), driven by Node's own test runner
# against the real server on a loopback port.
set -eu
command -v node >/dev/null 2>&1 || { echo "FAIL: node is not installed (scripts/deps.sh installs it)" >&2; exit 1; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
CARTEL_TEST_TMP=$T exec node --test --test-reporter=spec \
	"$TOP/tests/e2e/serve/lang.test.mjs"
