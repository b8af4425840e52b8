#!/bin/sh
# A purge of a kept record erases the merged record's values that its
# conflict events carry, as it erases the record's own: a merge must not
# keep personal data past retention in the kept record's history.
set -eu
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
export CARTEL_DB="$T/r.db"
fail() { echo "FAIL: $*" >&2; exit 1; }
"$CARTEL" init >/dev/null
cat >"$T/l.csv" <<'CSV'
id,family_name,given_name,birth_date,service_number,held_by,status
A-1,Гнатюкевич,Тарасій,1990-03-09,,RU,confirmed_captive
A-9,Гнатюкевич,Тарасій,1990-03-09,ЗСУ-987654,RU,confirmed_captive
CSV
"$CARTEL" import csv "$T/l.csv" >/dev/null
"$CARTEL" merge A-1 A-9 --by clerk --reason "one man" >/dev/null
CARTEL_NOW=2025-01-10T10:00:00Z "$CARTEL" event add A-1 status repatriated \
	--by clerk --source official_list >/dev/null
"$CARTEL" retention set repatriated 1y --by dpo >/dev/null
q() { sqlite3 "$CARTEL_DB" "SELECT count(*) FROM events e JOIN persons p
	ON p.pk = e.person WHERE p.id = 'A-1' AND e.field =
	'conflict:service_number' AND e.new_value = 'ЗСУ-987654'"; }
[ "$(q)" = 1 ] || fail "no conflict event to purge (the test proves nothing)"
"$CARTEL" purge --due --today 2026-06-01 --by dpo >"$T/out" ||
	fail "purge: $(cat "$T/out")"
grep -q "redacted A-1 " "$T/out" || fail "purge: $(cat "$T/out")"
[ "$(q)" = 0 ] || fail "the conflict event keeps the merged record's number"
"$CARTEL" audit verify >/dev/null || fail "audit verify after the purge"
echo ok
