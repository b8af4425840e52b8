#!/bin/sh
# The server's tables (accounts, sessions, the access log, case codes)
# are under the audit chain's row ledger: a row changed, added or deleted
# with the sqlite3 shell makes `audit verify` fail naming it, and the
# server refuses to act on such a row (a user made admin behind its back
# cannot sign in; a session planted in the table opens nothing).
set -eu
T=$(mktemp -d)
PID=
trap '[ -n "$PID" ] && kill "$PID" 2>/dev/null; rm -rf "$T"' EXIT
DB="$T/r.db"
C="$CARTEL --db $DB"
fail() { echo "FAIL: $*" >&2; exit 1; }
PW='correct horse battery'

$C init >/dev/null
printf 'id,family_name,given_name,birth_date,held_by,depends_on,status\nUA-1,Шевченко,Сергій,1990-05-01,UA,RU,confirmed_captive\n' \
	> "$T/l.csv"
$C import csv "$T/l.csv" >/dev/null
echo "$PW" | $C user add hot --role hotline --by test >/dev/null
echo "$PW" | $C user add med --role mediator --by test >/dev/null

# A free loopback port: the kernel's pick, freed again.
PORT=$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
$CARTEL serve --db "$DB" --listen "127.0.0.1:$PORT" --web "$T" \
	2>"$T/serve.log" &
PID=$!
U="http://127.0.0.1:$PORT"
i=0
until curl -sf "$U/healthz" >/dev/null; do
	i=$((i + 1)); [ $i -lt 100 ] || fail "the server did not start"
	sleep 0.1
done
login() { # user jar
	curl -sf -c "$2" -H 'Content-Type: application/json' \
		-d "{\"username\":\"$1\",\"password\":\"$PW\"}" "$U/api/login"
}
TOK=$(login hot "$T/jar" | jq -r .csrf_token)
curl -sf -b "$T/jar" "$U/api/persons/UA-1" >/dev/null || fail "read"
CODE=$(curl -sf -b "$T/jar" -H "X-CSRF-Token: $TOK" \
	-H 'Content-Type: application/json' \
	-d '{"family_name":"Шевченко","requester":"mother"}' \
	"$U/api/inquiries" | jq -r .case_code)
curl -sf "$U/api/cases/$CODE" >/dev/null || fail "the case code"
kill -TERM "$PID"; wait "$PID" || fail "the server did not stop cleanly"
PID=

$C audit verify >"$T/out" || fail "the untouched register: $(cat "$T/out")"
for t in account_user account_session access_log case_code; do
	n=$(sqlite3 "$DB" "SELECT count(*) FROM $t")
	[ "$n" -gt 0 ] || fail "no $t rows to tamper with"
done

tampered() {
	rm -f "$T/t.db" "$T/t.db-wal" "$T/t.db-shm"
	cp "$DB" "$T/t.db"
	sqlite3 "$T/t.db" "$1" || fail "sql: $1"
	shift
	if $CARTEL --db "$T/t.db" audit verify >"$T/out" 2>"$T/err"; then
		fail "verified after: $*"
	fi
	for w in "$@"; do
		grep -qF -- "$w" "$T/err" || fail "no '$w' in: $(cat "$T/err")"
	done
}
CH="changed behind"
AD="added behind"
DE="deleted behind"
tampered "UPDATE account_user SET role = 'admin' WHERE name = 'hot'" \
	"account_user row (hot)" "$CH"
tampered "UPDATE account_user SET pw_hash = (SELECT pw_hash FROM
	account_user WHERE name = 'med') WHERE name = 'hot'" \
	"account_user row (hot)" "$CH"
tampered "INSERT INTO account_user SELECT 'eve', 'admin', NULL, pw_hash, 0,
	0, 0, created_at, created_by, NULL FROM account_user WHERE name = 'hot'" \
	"account_user row (eve)" "$AD"
tampered "UPDATE account_session SET seen_at = seen_at + 100000" \
	"account_session row" "$CH"
tampered "INSERT INTO account_session SELECT 'ab' || id_hash, user, csrf,
	created_at, seen_at FROM account_session" "account_session row" "$AD"
tampered "DELETE FROM access_log WHERE action = 'person.read'" \
	"access_log row" "$DE"
tampered "UPDATE access_log SET user = 'med' WHERE action = 'person.read'" \
	"access_log row" "$CH"
tampered "UPDATE case_code SET inquiry_id = 'INQ-000009'" "case_code row" "$CH"
tampered "DELETE FROM case_code" "case_code row" "$DE"

# The server acts on no row that does not hold: the hotline account made
# admin behind the register's back cannot sign in.
sqlite3 "$DB" "UPDATE account_user SET role = 'admin' WHERE name = 'hot'"
$CARTEL serve --db "$DB" --listen "127.0.0.1:$PORT" --web "$T" \
	2>>"$T/serve.log" &
PID=$!
i=0
until curl -sf "$U/healthz" >/dev/null; do
	i=$((i + 1)); [ $i -lt 100 ] || fail "the server did not restart"
	sleep 0.1
done
st=$(curl -s -o "$T/body" -w '%{http_code}' -H 'Content-Type: application/json' \
	-d "{\"username\":\"hot\",\"password\":\"$PW\"}" "$U/api/login")
[ "$st" = 500 ] || fail "login on a tampered account: $st $(cat "$T/body")"
st=$(curl -s -o "$T/body" -w '%{http_code}' "$U/api/access-log" -b "$T/jar")
[ "$st" -ge 400 ] || fail "a session of the tampered account: $st"
echo ok
