#!/bin/sh
# The HTTP API of cartel serve (docs/api.md), driven by Node's own test
# runner and fetch against the real server on a loopback port: every
# route, every role, the forbidden cases, bad input, the static files,
# and the OpenAPI file against the routes the server has.
set -eu
command -v node >/dev/null 2>&1 || { echo "FAIL: node is not installed (scripts/deps.sh installs it)" >&2; exit 1; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
CARTEL_TEST_TMP=$T exec node --test --test-reporter=spec \
	"$TOP/tests/e2e/serve/api.test.mjs"
