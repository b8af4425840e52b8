#!/bin/sh
# cartel serve under load (`make bench`), with wrk: case-status lookups
# (a family's page: GET /api/cases/CODE, no session) and searches through
# the API (GET /api/persons?q=..., a hotline session) against a generated
# register of SERVE_PERSONS persons (default 20,000; the issue's figure is
# for 1,000,000: SERVE_PERSONS=1000000), SERVE_SECONDS seconds each
# (default 10), 2 worker threads. Prints requests/s, median and p99.
# Each answer writes its access-log line (a write transaction, flushed),
# which is what bounds these figures.
set -eu
BUILD=${BUILD:-build}
TOP=${TOP:-$(cd "$(dirname "$0")/.." && pwd)}
case $BUILD in /*) ;; *) BUILD="$TOP/$BUILD" ;; esac
export CARTEL_DATA="${CARTEL_DATA:-$TOP/data}"
N=${SERVE_PERSONS:-20000}
SECS=${SERVE_SECONDS:-10}
echo "== cartel serve: case lookups and API search ($N persons, ${SECS}s each) =="
if ! command -v wrk >/dev/null 2>&1; then
	echo "wrk is not installed (scripts/deps.sh): skipped"
	exit 0
fi
W=$(mktemp -d "${TMPDIR:-/tmp}/cartel-bench-serve.XXXXXX")
PID=
trap '[ -n "$PID" ] && kill "$PID" 2>/dev/null; rm -rf "$W"' EXIT
C="$BUILD/cartel --db $W/r.db"
$C init >/dev/null
$C generate --per-side $((N / 2)) --today 2026-06-01 -o "$W/l.csv" >/dev/null 2>&1
$C import csv "$W/l.csv" >/dev/null
$C search --rebuild-index >/dev/null 2>&1
echo "a long bench passphrase" | $C user add bench --role hotline --by bench >/dev/null
PORT=$(( 20000 + $$ % 20000 ))
$BUILD/cartel --db "$W/r.db" serve --listen "127.0.0.1:$PORT" --threads 2 \
	--web "$W" 2>/dev/null &
PID=$!
U="http://127.0.0.1:$PORT"
i=0
until curl -sf "$U/healthz" >/dev/null; do
	i=$((i + 1)); [ $i -lt 100 ] || { echo "the server did not start"; exit 1; }
	sleep 0.1
done
curl -sf -c "$W/jar" -H 'Content-Type: application/json' \
	-d '{"username":"bench","password":"a long bench passphrase"}' \
	"$U/api/login" > "$W/login.json"
TOK=$(jq -r .csrf_token "$W/login.json")
SID=$(awk '$6 == "cartel_session" { print $7 }' "$W/jar")
NAME=$(sed -n '2p' "$W/l.csv" | cut -d, -f2,3 | tr , ' ')
CODE=$(curl -sf -b "$W/jar" -H "X-CSRF-Token: $TOK" \
	-H 'Content-Type: application/json' \
	-d "{\"family_name\":\"$(echo "$NAME" | cut -d' ' -f1)\",\"requester\":\"bench\"}" \
	"$U/api/inquiries" | jq -r .case_code)
Q=$(printf '%s' "$NAME" | jq -sRr @uri)

# One wrk run: label, connections, then wrk's own arguments.
run() {
	label=$1; conns=$2; shift 2
	wrk -t2 -c"$conns" -d"${SECS}s" --latency "$@" > "$W/wrk.out" 2>&1 || true
	rps=$(awk '/^Requests\/sec/ { print $2 }' "$W/wrk.out")
	p50=$(awk '$1 == "50%" { print $2 }' "$W/wrk.out")
	p99=$(awk '$1 == "99%" { print $2 }' "$W/wrk.out")
	errs=$(awk '/Non-2xx|Socket errors/ { print }' "$W/wrk.out" | tr '\n' ' ')
	printf '%-34s %6s %10s %10s %10s  %s\n' "$label" "$conns" "${rps:-?}" \
		"${p50:-?}" "${p99:-?}" "${errs:-}"
}
printf '%-34s %6s %10s %10s %10s\n' "what" "conns" "req/s" "median" "p99"
run "case status (family, no session)" 16 "$U/api/cases/$CODE"
run "search through the API (hotline)" 16 -H "Cookie: cartel_session=$SID" \
	"$U/api/persons?q=$Q&limit=10"
run "healthz (no register work)" 16 "$U/healthz"
if command -v nginx >/dev/null 2>&1; then
	echo "(nginx ceiling: not measured by this script)"
fi
kill -TERM "$PID"; wait "$PID" || true
PID=
$C audit verify >/dev/null && echo "audit verify holds after the run"
