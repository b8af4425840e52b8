#!/bin/sh
# Duplicates and merging, imports with their progress, and closing an
# inquiry, through the API of cartel serve: every route for every role,
# the library's refusals as 4xx JSON, the upload route's body limit
# (tests/e2e/serve/screens.test.mjs).
set -eu
command -v node >/dev/null 2>&1 || { echo "FAIL: node is not installed (scripts/deps.sh installs it)" >&2; exit 1; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
CARTEL_TEST_TMP=$T exec node --test --test-reporter=spec \
	"$TOP/tests/e2e/serve/screens.test.mjs"
