#!/bin/sh
# A stage's sheet cut short by a crash: the process is killed in the
# middle of a check-off (after its writes, before its commit), the sheet
# is run again, and every person is checked off exactly once: nothing
# lost, nothing doubled, the audit chain whole.
set -eu
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
D="$TOP/tests/e2e/data"
C="$CARTEL --db $T/r.db"
fail() { echo "FAIL: $*" >&2; exit 1; }
q() { sqlite3 "$T/r.db" "$1"; }

$C init >/dev/null
$C import csv "$D/round_persons.csv" >/dev/null
$C plan --policy "$D/round_policy.yaml" -o "$T/plan.json" >/dev/null
$C key new --party UA -o "$T" >/dev/null
$C key new --party RU -o "$T" >/dev/null
$C round new --plan "$T/plan.json" --kind agreed --id R-CRASH \
	-o "$T/r.json" >/dev/null
$C round sign "$T/r.json" --key "$T/UA.key" >/dev/null
$C round sign "$T/r.json" --key "$T/RU.key" >/dev/null
$C handover start "$T/r.json" --by mediator >/dev/null

# The sheet of the whole round (UA-2 was never asked: refused).
cat >"$T/sheet.csv" <<'CSV'
person_id,outcome,by
UA-1,received,officer A
RU-1,handed_over,officer A
UA-2,refused,officer A
RU-2,handed_over,officer A
UA-9,received,officer A
UA-3,received,officer B
RU-3,absent,officer B
UA-4,received,officer B
RU-4,handed_over,officer B
CSV

# Crash during the 5th check-off (no core file wanted).
ulimit -c 0 2>/dev/null || :
if CARTEL_TEST_CRASH_AFTER=4 $C handover check R-CRASH --sheet "$T/sheet.csv" \
	--by x >/dev/null 2>&1; then
	fail "the crash hook did not fire"
fi
[ "$(q "select count(*) from round_handover where outcome <> 'pending'")" = 4 ] ||
	fail "not exactly 4 check-offs survived the crash"
[ "$(q "select count(*) from audit where action = 'handover.check'")" = 4 ] ||
	fail "audit entries do not match the check-offs"
# The half-done 5th left no trace: UA-9 still agreed, no event.
$C person show UA-9 | grep -q "status *agreed" || fail "UA-9 half written"
$C audit verify >/dev/null || fail "audit chain broken by the crash"

# Resume: the same sheet again.
$C handover check R-CRASH --sheet "$T/sheet.csv" --by x >"$T/out"
grep -q "checked off 5, already recorded 4, refused 0" "$T/out" ||
	fail "resume: $(cat "$T/out")"
[ "$(q "select count(*) from round_handover where outcome = 'pending'")" = 0 ] ||
	fail "someone left pending"
[ "$(q "select count(*) from audit where action = 'handover.check'")" = 9 ] ||
	fail "check-offs doubled or lost in the audit"
for id in UA-1 RU-1 RU-2 UA-9 UA-3 UA-4 RU-4; do
	n=$(q "select count(*) from events e join persons p on p.pk = e.person
	       where p.id = '$id' and e.field = 'status'
	       and e.new_value = 'repatriated'")
	[ "$n" = 1 ] || fail "$id has $n repatriated events"
	$C person show "$id" | grep -q "status *repatriated" || fail "$id"
done
for id in UA-2 RU-3; do
	$C person show "$id" | grep -q "status *confirmed_captive" ||
		fail "$id should be back in captivity"
done
# Running it a third time changes nothing.
$C handover check R-CRASH --sheet "$T/sheet.csv" --by x | grep -q \
	"checked off 0, already recorded 9" || fail "third run"
# A sheet with bad rows: each named by row, the good ones still done.
cat >"$T/bad.csv" <<'CSV'
person_id,outcome
UA-1,returned
NOBODY,received
UA-1,absent
CSV
if $C handover check R-CRASH --sheet "$T/bad.csv" --by x >"$T/out" \
	2>"$T/err"; then
	fail "a bad sheet passed"
fi
grep -q "bad.csv row 2, person UA-1: outcome 'returned' is not one of" \
	"$T/err" || fail "bad outcome: $(cat "$T/err")"
grep -q "bad.csv row 3, person NOBODY: .*not on round R-CRASH" "$T/err" ||
	fail "unknown person"
grep -q "bad.csv row 4, person UA-1: .*already checked off as received" \
	"$T/err" || fail "second outcome"
grep -q "refused 3" "$T/out" || fail "count of refused rows"
printf 'who,what\nUA-1,received\n' >"$T/nohead.csv"
if $C handover check R-CRASH --sheet "$T/nohead.csv" --by x 2>"$T/err"; then
	fail "sheet without person_id"
fi
grep -q "needs a header with person_id and outcome" "$T/err" || fail "header"
$C handover stage R-CRASH 1 --close --by "officer A" >/dev/null
$C handover stage R-CRASH 2 --close --by "officer B" >/dev/null
$C audit verify >/dev/null || fail "audit chain"
echo ok
