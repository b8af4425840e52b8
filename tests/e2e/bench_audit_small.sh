#!/bin/sh
# The audit benchmark at a small size: bench/bench_audit.sh makes a
# register of 200 persons with five events each (four written by
# bench/audit_bench's fast mode), `audit verify` holds on it and reports
# those counts, the register is kept for the next run, and a changed
# benchmark event is found by the verify: the figure times real checks.
set -eu
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
[ -x "$BUILD/audit_bench" ] || fail "audit_bench not built"
AUDIT_PERSONS=200 AUDIT_CACHE="$T/cache" sh "$TOP/bench/bench_audit.sh" > "$T/out"
grep -q "made: audit_bench: 800 events about 200 persons" "$T/out" ||
	fail "register not made: $(cat "$T/out")"
grep -Eq '^ +200 +1000 +801 ' "$T/out" || fail "counts: $(cat "$T/out")"
AUDIT_PERSONS=200 AUDIT_CACHE="$T/cache" sh "$TOP/bench/bench_audit.sh" > "$T/again"
grep -q "made:" "$T/again" && fail "register made twice"
grep -Eq '^ +200 +1000 +801 ' "$T/again" || fail "second run: $(cat "$T/again")"
db=$(ls "$T"/cache/audit-*-200.db)
"$CARTEL" --db "$db" audit verify > /dev/null || fail "verify does not hold"
sqlite3 "$db" "UPDATE events SET new_value = 'good' WHERE seq = (SELECT max(seq) FROM events WHERE actor = 'bench')"
if "$CARTEL" --db "$db" audit verify > "$T/v" 2>&1; then
	fail "a changed event passed verify"
fi
echo ok
