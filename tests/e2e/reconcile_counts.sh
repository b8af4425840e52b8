#!/bin/sh
# Two published counts of one handover: "you report 5, we count 3", and
# the two names only on their list, found by matching identities across
# spellings (Александр/Олександр, Сергей/Сергій), not by string equality.
set -eu
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
D="$TOP/tests/e2e/data"
fail() { echo "FAIL: $*" >&2; exit 1; }

$CARTEL reconcile counts "$D/round_count_theirs.csv" "$D/round_count_ours.csv" \
	-o "$T/out.csv" >"$T/out"
grep -q "you report 5, we count 3: 3 on both lists, 0 for review, 2 only on yours, 0 only on ours" \
	"$T/out" || fail "summary: $(cat "$T/out")"
grep -q "R4 " "$T/out" && grep -q "R5 " "$T/out" || fail "the two not listed"
grep -q "R1 " "$T/out" && fail "R1 is on both lists"
grep -q "^theirs,2,R1,UA-1," "$T/out.csv" || fail "CSV pair"
grep -q "^theirs,5,R4,,,only_theirs" "$T/out.csv" || fail "CSV only_theirs"
# A string comparison would find no name in common at all.
$CARTEL reconcile counts "$D/round_count_theirs.csv" \
	"$D/round_count_ours.csv" --json | grep -q '"both":3' || fail "JSON"
# The other way round.
$CARTEL reconcile counts "$D/round_count_ours.csv" \
	"$D/round_count_theirs.csv" | grep -q "0 only on yours, 2 only on ours" ||
	fail "reversed"
# A bad list is refused with its name.
printf 'id,family_name\nX,a\nX,b\n' >"$T/dup.csv"
if $CARTEL reconcile counts "$T/dup.csv" "$D/round_count_ours.csv" \
	2>"$T/err"; then
	fail "duplicate ids accepted"
fi
grep -q "dup.csv" "$T/err" || fail "no file named"
echo ok
