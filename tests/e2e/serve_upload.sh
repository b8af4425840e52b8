#!/bin/sh
# A round document of 10,000 persons uploaded through the API, and the
# limits of request bodies route by route (tests/e2e/serve/upload.test.mjs,
# docs/limits.md).
set -eu
command -v node >/dev/null 2>&1 || { echo "FAIL: node is not installed (scripts/deps.sh installs it)" >&2; exit 1; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
CARTEL_TEST_TMP=$T exec node --test --test-reporter=spec \
	"$TOP/tests/e2e/serve/upload.test.mjs"
