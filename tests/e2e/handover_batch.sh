#!/bin/sh
# A sheet checked off as one list (--batch): one transaction for all its
# rows, the round's document verified once, each person under the same
# rules as one at a time. A refused row is reported with its row number
# and reason and leaves no trace; the good rows are kept; the audit chain
# holds; running the sheet again changes nothing. The sheet may come on
# standard input.
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
$C round new --plan "$T/plan.json" --kind agreed --id R-B \
	-o "$T/r.json" >/dev/null
$C round sign "$T/r.json" --key "$T/UA.key" >/dev/null
$C round sign "$T/r.json" --key "$T/RU.key" >/dev/null
$C handover start "$T/r.json" --by mediator >/dev/null
before=$(q "select count(*) from audit")

# UA-2 was never asked (handed_over refused by the consent gate), NOBODY
# is on no list, 'returned' is no outcome; the other six go through.
cat >"$T/sheet.csv" <<'CSV'
person_id,outcome,by
UA-1,received,officer A
RU-1,handed_over,officer A
UA-2,received,officer A
NOBODY,received,officer A
RU-2,returned,officer A
RU-2,handed_over,officer A
UA-3,received,officer B
RU-3,absent,officer B
UA-4,received,officer B
CSV
if $C handover check R-B --sheet "$T/sheet.csv" --batch --by x >"$T/out" \
	2>"$T/err"; then
	fail "a sheet with bad rows passed"
fi
grep -q "checked off 6, already recorded 0, refused 3" "$T/out" ||
	fail "counts: $(cat "$T/out")"
grep -q "sheet.csv row 4, person UA-2: .*consent is 'not_asked'" "$T/err" ||
	fail "consent gate: $(cat "$T/err")"
grep -q "sheet.csv row 5, person NOBODY: .*not on round R-B" "$T/err" ||
	fail "unknown person: $(cat "$T/err")"
grep -q "sheet.csv row 6, person RU-2: outcome 'returned' is not one of" \
	"$T/err" || fail "bad outcome: $(cat "$T/err")"
[ "$(q "select count(*) from round_handover where outcome <> 'pending'")" = 6 ] ||
	fail "not six check-offs kept"
[ "$(q "select count(*) from audit where action = 'handover.check'")" = 6 ] ||
	fail "audit entries do not match the check-offs"
# A refused row left nothing: UA-2 still agreed, no event of his.
$C person show UA-2 | grep -q "status *agreed" || fail "UA-2 half written"
$C person show RU-3 | grep -q "status *confirmed_captive" || fail "RU-3 absent"
$C person show UA-1 | grep -q "status *repatriated" || fail "UA-1 received"
$C audit verify >/dev/null || fail "audit chain"

# Again, from standard input: the six already recorded, nothing doubled.
if $C handover check R-B --sheet - --batch --by x <"$T/sheet.csv" \
	>"$T/out" 2>/dev/null; then
	fail "the bad rows passed the second time"
fi
grep -q "checked off 0, already recorded 6, refused 3" "$T/out" ||
	fail "again: $(cat "$T/out")"
[ "$(q "select count(*) from audit where action = 'handover.check'")" = 6 ] ||
	fail "check-offs doubled in the audit"
# --batch runs a sheet; alone it is a usage error.
if $C handover check R-B UA-9 --as received --batch --by x 2>"$T/err"; then
	fail "--batch without a sheet"
fi
grep -q "batch runs a sheet" "$T/err" || fail "usage: $(cat "$T/err")"
# The rest, closed with --mark-absent in one transaction.
$C handover stage R-B 1 --close --mark-absent --by "officer A" >/dev/null
$C handover stage R-B 2 --close --mark-absent --by "officer B" >/dev/null
[ "$(q "select count(*) from round_handover where outcome = 'pending'")" = 0 ] ||
	fail "someone left pending"
$C audit verify >/dev/null || fail "audit chain at the end"
[ "$(q "select count(*) from audit")" -gt "$before" ] || fail "no audit"
echo ok
