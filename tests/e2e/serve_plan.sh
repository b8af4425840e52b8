#!/bin/sh
# Planning a round and the documents received, through the API of cartel
# serve: plans, policies, documents, verification, comparison and the
# check-off by party (tests/e2e/serve/plan.test.mjs).
set -eu
command -v node >/dev/null 2>&1 || { echo "FAIL: node is not installed (scripts/deps.sh installs it)" >&2; exit 1; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
CARTEL_TEST_TMP=$T exec node --test --test-reporter=spec \
	"$TOP/tests/e2e/serve/plan.test.mjs"
