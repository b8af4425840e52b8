#!/bin/sh
# A register written before the row ledger existed (tests/e2e/data/
# audit_register_v3.sql, made by the previous version) still verifies: its
# entries hash as they did, and opening it writable once brings its keys,
# rounds, check-offs and inquiries under the chain in one "ledger.start"
# entry, after which a row changed behind the register's back is found.
set -eu
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
DB="$T/r.db"
C="$CARTEL --db $DB"
fail() { echo "FAIL: $*" >&2; exit 1; }

sqlite3 "$DB" <"$TOP/tests/e2e/data/audit_register_v3.sql"
[ "$(sqlite3 "$DB" 'PRAGMA user_version')" = 3 ] || fail "fixture version"
N=$(sqlite3 "$DB" "SELECT count(*) FROM audit")
# The first writable open migrates it.
$C key list >/dev/null || fail "key list"
[ "$(sqlite3 "$DB" "SELECT count(*) FROM audit")" = $((N + 1)) ] ||
	fail "no ledger.start entry"
sqlite3 "$DB" "SELECT action FROM audit ORDER BY seq DESC LIMIT 1" |
	grep -qx "ledger.start" || fail "the last entry is not ledger.start"
$C audit verify >"$T/out" 2>&1 || fail "the old register: $(cat "$T/out")"
grep -q "$((N + 1)) entries" "$T/out" || fail "entries: $(cat "$T/out")"
ROWS=$(sqlite3 "$DB" "SELECT (SELECT count(*) FROM round_key_pin) +
	(SELECT count(*) FROM round_doc) + (SELECT count(*) FROM round_stage) +
	(SELECT count(*) FROM round_handover) +
	(SELECT count(*) FROM match_inquiry) +
	(SELECT count(*) FROM match_candidate)")
[ "$(sqlite3 "$DB" "SELECT count(*) FROM audit_rows")" = "$ROWS" ] ||
	fail "not every row recorded"
# Opening it again adds nothing.
$C key list >/dev/null
[ "$(sqlite3 "$DB" "SELECT count(*) FROM audit")" = $((N + 1)) ] ||
	fail "a second ledger.start"
# It works on as before, under the ledger.
$C handover check R-OLD UA-3 --as handed_over --by officer >/dev/null ||
	fail "check-off after the upgrade"
$C audit verify >/dev/null || fail "after a check-off"
# An inquiry written before inquiries had a life reads back (its state
# from its candidates: the only one was rejected, so it is open again)
# and closes, under the chain; its rejected man's changes call nobody.
$C inquiry show INQ-000001 >"$T/out" 2>&1 || fail "old inquiry: $(cat "$T/out")"
grep -q '^INQ-000001  open$' "$T/out" ||
	fail "old inquiry's state: $(cat "$T/out")"
$C event add UA-2 health sick --by delegate --source icrc_visit >/dev/null
$C inquiry callbacks | grep -q '^nobody to call back$' ||
	fail "a call-back on a rejected candidate"
$C inquiry close INQ-000001 --reason "answered" --by bureau >/dev/null ||
	fail "closing an old inquiry"
$C audit verify >/dev/null || fail "after the old inquiry's life"
# A check-off written before the upgrade, changed behind its back.
sqlite3 "$DB" "UPDATE round_handover SET outcome = 'received'
	WHERE person_id = 'UA-1'"
if $C audit verify >"$T/out" 2>&1; then
	fail "an old check-off changed behind the register's back verified"
fi
grep -qF "round_handover row (R-OLD, UA-1)" "$T/out" ||
	fail "verify: $(cat "$T/out")"
echo ok
