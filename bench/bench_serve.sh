#!/bin/sh
# cartel serve under load (`make bench`), with wrk and nginx from Debian,
# against a generated register of SERVE_PERSONS persons (default 20,000;
# the issue's figures are for 1,000,000: SERVE_PERSONS=1000000):
#
#   - case-status lookups (a family's page: GET /api/cases/CODE, no
#     session), and beside them what nginx serves for a static file of the
#     same size on the same machine (the ceiling), and the ratio;
#   - searches through the API (GET /api/persons?q=..., a hotline
#     session), 16 clients;
#   - healthz (no register work);
#   - SERVE_CLIENTS clients (default 200) for SERVE_MIX_SECONDS (default 60)
#     mixing searches, reads and event writes (tests/e2e/serve/mixed_load.mjs):
#     errors, then after the server stops, every acknowledged write looked
#     for in the register, and `cartel audit verify`.
#
# wrk runs SERVE_SECONDS seconds each (default 10) with 2 threads; the
# server has SERVE_THREADS worker threads (default 2). The register is
# built once with `cartel generate` and kept under the build folder
# (BUILD/bench-serve/N); each run works on a copy. The load average is
# printed beside each figure: other work on the machine moves them.
set -eu
BUILD=${BUILD:-build}
TOP=${TOP:-$(cd "$(dirname "$0")/.." && pwd)}
case $BUILD in /*) ;; *) BUILD="$TOP/$BUILD" ;; esac
export CARTEL_DATA="${CARTEL_DATA:-$TOP/data}"
N=${SERVE_PERSONS:-20000}
SECS=${SERVE_SECONDS:-10}
MIX_SECS=${SERVE_MIX_SECONDS:-60}
CLIENTS=${SERVE_CLIENTS:-200}
THREADS=${SERVE_THREADS:-2}
echo "== cartel serve: case lookups, API search, mixed load ($N persons, ${SECS}s each, $THREADS threads) =="
if ! command -v wrk >/dev/null 2>&1; then
	echo "wrk is not installed (scripts/deps.sh): skipped"
	exit 0
fi
CARTEL="$BUILD/cartel"

# The register, built once.
CACHE="$BUILD/bench-serve/$N"
if [ ! -f "$CACHE/register.db.search" ]; then
	echo "(building the register of $N persons once, in $CACHE)"
	rm -rf "$CACHE.tmp"
	mkdir -p "$CACHE.tmp"
	B="$CARTEL --db $CACHE.tmp/register.db"
	$B init >/dev/null
	$B generate --per-side $((N / 2)) --today 2026-06-01 \
		-o "$CACHE.tmp/list.csv" >/dev/null 2>&1
	$B import csv "$CACHE.tmp/list.csv" >/dev/null
	$B search --rebuild-index >/dev/null 2>&1
	rm -rf "$CACHE"
	mv "$CACHE.tmp" "$CACHE"
fi

# A register kept from an older build: its schema brought up to date and
# its search index rebuilt here if it is out of date, not by the first
# search under load.
$CARTEL --db "$CACHE/register.db" user list >/dev/null
$CARTEL --db "$CACHE/register.db" search "$(sed -n '2p' "$CACHE/list.csv" |
	cut -d, -f2)" >/dev/null 2>&1

W=$(mktemp -d "${TMPDIR:-/tmp}/cartel-bench-serve.XXXXXX")
PID=
NGINX=
trap '[ -n "$PID" ] && kill "$PID" 2>/dev/null; [ -n "$NGINX" ] && kill "$NGINX" 2>/dev/null; rm -rf "$W"' EXIT
cp "$CACHE/register.db" "$CACHE/register.db.search" "$W/"
C="$CARTEL --db $W/register.db"
PW="a long bench passphrase"
echo "$PW" | $C user add bench --role hotline --by bench >/dev/null
echo "$PW" | $C user add bench-ua --role registrar --party UA --by bench >/dev/null
PORT=$(( 20000 + $$ % 20000 ))
$CARTEL --db "$W/register.db" serve --listen "127.0.0.1:$PORT" \
	--threads "$THREADS" --web "$W" --login-limit 1000 2>"$W/serve.log" &
PID=$!
U="http://127.0.0.1:$PORT"
i=0
until curl -sf "$U/healthz" >/dev/null; do
	i=$((i + 1)); [ $i -lt 300 ] || { echo "the server did not start"; exit 1; }
	sleep 0.1
done
curl -sf -c "$W/jar" -H 'Content-Type: application/json' \
	-d "{\"username\":\"bench\",\"password\":\"$PW\"}" \
	"$U/api/login" > "$W/login.json"
TOK=$(jq -r .csrf_token "$W/login.json")
SID=$(awk '$6 == "cartel_session" { print $7 }' "$W/jar")
NAME=$(sed -n '2p' "$CACHE/list.csv" | cut -d, -f2,3 | tr , ' ')
CODE=$(curl -sf -b "$W/jar" -H "X-CSRF-Token: $TOK" \
	-H 'Content-Type: application/json' \
	-d "{\"family_name\":\"$(echo "$NAME" | cut -d' ' -f1)\",\"requester\":\"bench\"}" \
	"$U/api/inquiries" | jq -r .case_code)
Q=$(printf '%s' "$NAME" | jq -sRr @uri)

load() { cut -d' ' -f1 /proc/loadavg; }

# One wrk run: label, connections, then wrk's own arguments. Leaves the
# requests/s in $rps.
run() {
	label=$1; conns=$2; shift 2
	wrk -t2 -c"$conns" -d"${SECS}s" --latency "$@" > "$W/wrk.out" 2>&1 || true
	rps=$(awk '/^Requests\/sec/ { print $2 }' "$W/wrk.out")
	p50=$(awk '$1 == "50%" { print $2 }' "$W/wrk.out")
	p99=$(awk '$1 == "99%" { print $2 }' "$W/wrk.out")
	errs=$(awk '/Non-2xx|Socket errors/ { print }' "$W/wrk.out" | tr '\n' ' ')
	printf '%-36s %5s %10s %10s %10s %6s  %s\n' "$label" "$conns" \
		"${rps:-?}" "${p50:-?}" "${p99:-?}" "$(load)" "${errs:-}"
}
printf '%-36s %5s %10s %10s %10s %6s\n' "what" "conns" "req/s" "median" \
	"p99" "load"
run "case status (family, no session)" 16 "$U/api/cases/$CODE"
case_rps=${rps:-0}

# The ceiling: Debian's nginx on loopback, its own temporary config, a
# static file of the case answer's size, the same 2 wrk threads.
if command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]; then
	NX=$(command -v nginx || echo /usr/sbin/nginx)
	mkdir -p "$W/www" "$W/nginx"
	# nginx's workers run as another user: they must reach the file.
	chmod 755 "$W" "$W/www"
	curl -sf "$U/api/cases/$CODE" > "$W/www/case.json"
	NPORT=$((PORT + 1))
	cat > "$W/nginx/nginx.conf" <<EOF
worker_processes $THREADS;
daemon off;
pid $W/nginx/nginx.pid;
error_log $W/nginx/error.log;
events { worker_connections 1024; }
http {
	access_log $W/nginx/access.log;
	client_body_temp_path $W/nginx/body;
	proxy_temp_path $W/nginx/proxy;
	fastcgi_temp_path $W/nginx/fastcgi;
	uwsgi_temp_path $W/nginx/uwsgi;
	scgi_temp_path $W/nginx/scgi;
	default_type application/json;
	server {
		listen 127.0.0.1:$NPORT;
		root $W/www;
	}
}
EOF
	"$NX" -p "$W/nginx" -c "$W/nginx/nginx.conf" 2>/dev/null &
	NGINX=$!
	i=0
	until curl -sf "http://127.0.0.1:$NPORT/case.json" >/dev/null; do
		i=$((i + 1)); [ $i -lt 100 ] || break
		sleep 0.1
	done
	run "nginx, static file of the same size" 16 \
		"http://127.0.0.1:$NPORT/case.json"
	kill "$NGINX" 2>/dev/null; wait "$NGINX" 2>/dev/null || true
	NGINX=
	printf '%-36s %s bytes, cartel at %s of nginx\n' "  (the ceiling)" \
		"$(wc -c < "$W/www/case.json")" \
		"$(awk -v a="$case_rps" -v b="${rps:-0}" \
			'BEGIN { if (b > 0) printf "%.2f", a / b; else print "?" }')"
else
	echo "(nginx is not installed (scripts/deps.sh): no ceiling)"
fi
run "search through the API (hotline)" 16 -H "Cookie: cartel_session=$SID" \
	"$U/api/persons?q=$Q&limit=10"
run "healthz (no register work)" 16 "$U/healthz"

# Mixed load: searches, reads and event writes by many clients at once.
# Writes go to persons UA holds, by a registrar of UA.
if command -v node >/dev/null 2>&1; then
	WRITE=$(awk -F, 'NR > 1 && $12 == "UA" { print $1 }' "$CACHE/list.csv" |
		head -50 | paste -sd, -)
	READ=$(awk -F, 'NR > 1 && NR % 997 == 0 { print $1 }' "$CACHE/list.csv" |
		head -200 | paste -sd, -)
	set -- $(sed -n '3p;500p;9000p' "$CACHE/list.csv" | cut -d, -f2,3 | tr ',' '_')
	node "$TOP/tests/e2e/serve/mixed_load.mjs" run --base "$U" \
		--clients "$CLIENTS" --seconds "$MIX_SECS" --hotline bench \
		--registrar bench-ua --password "$PW" --write "$WRITE" \
		--read "$READ" --query "$NAME" --query "$(echo "${1:-$NAME}" | tr _ ' ')" \
		--query "$(echo "${2:-$NAME}" | tr _ ' ')" --out "$W/acked.json" \
		> "$W/mix.json" || true
	printf '%-36s %5s %10s %10s %10s %6s  %s\n' \
		"mixed: search, read, write (${MIX_SECS}s)" "$CLIENTS" \
		"$(jq -r --arg s "$MIX_SECS" '(.requests / ($s | tonumber)) | floor' "$W/mix.json" 2>/dev/null || echo '?')" \
		"$(jq -r '"\(.median_ms)ms"' "$W/mix.json" 2>/dev/null || echo '?')" \
		"$(jq -r '"\(.p99_ms)ms"' "$W/mix.json" 2>/dev/null || echo '?')" \
		"$(load)" \
		"$(jq -r '"errors \(.errors), writes \(.writes), \(.by_kind)"' "$W/mix.json" 2>/dev/null || cat "$W/mix.json")"
fi
kill -TERM "$PID"; wait "$PID" || echo "the server did not stop cleanly"
PID=
if [ -f "$W/acked.json" ]; then
	node "$TOP/tests/e2e/serve/mixed_load.mjs" verify --cartel "$CARTEL" \
		--db "$W/register.db" --acked "$W/acked.json" |
		jq -r '"acknowledged writes found in the register: \(.found) of \(.acknowledged) (missing \(.missing))"' ||
		echo "ACKNOWLEDGED WRITES MISSING"
fi
if $C audit verify >/dev/null 2>&1; then
	echo "audit verify holds after the run"
else
	echo "AUDIT VERIFY FAILS after the run"
fi
