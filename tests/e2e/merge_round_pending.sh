#!/bin/sh
# A merge or an unmerge across a round not yet settled is refused, naming
# the id (and the round when it is loaded here), the register unchanged:
# a man proposed for exchange or on an agreed list (the round travelling
# between the parties, not loaded here), and a man listed in a loaded
# round whose stage is open. Settled (checked off, or off the list), both
# go through.
set -eu
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
D="$TOP/tests/e2e/data"
DB="$T/r.db"
C="$CARTEL --db $DB"
fail() { echo "FAIL: $*" >&2; exit 1; }
export CARTEL_NOW=2026-01-02T03:04:05Z
unset CARTEL_DB

$C init >/dev/null
$C import csv "$D/round_persons.csv" >/dev/null
# Second records of two men, from other lists, in no round.
for x in X-1 X-2 X-3; do
	$C person add id=$x family_name=Запасний given_name=Запис held_by=RU \
		depends_on=UA --by clerk --source family_report >/dev/null
done

head() { $C audit verify | sed -n 's/^head //p'; }
# refused WANT ARGS...: the command fails, says WANT, changes nothing.
refused() {
	want=$1
	shift
	h0=$(head)
	if $C "$@" >"$T/out" 2>"$T/err"; then
		fail "accepted: $*"
	fi
	grep -qF -- "$want" "$T/err" || fail "$*: $(cat "$T/err")"
	[ "$(head)" = "$h0" ] || fail "the register changed after: $*"
}

# Proposed for exchange: a proposal travelling, no round loaded here.
$C event add UA-4 status proposed --by bureau --source official_list \
	>/dev/null || fail "status proposed"
msg="UA-4 is proposed for exchange (status proposed) in a round not yet settled"
refused "$msg: merge after" merge UA-4 X-1 --by clerk --reason same
refused "$msg: merge after" merge X-1 UA-4 --by clerk --reason same
# On an agreed list.
$C event add UA-4 status agreed --by bureau --source official_list \
	>/dev/null || fail "status agreed"
refused "UA-4 is on an agreed exchange list (status agreed)" \
	merge X-1 UA-4 --by clerk --reason same
# Off the list again (the round fell through): the merge goes through.
$C event add UA-4 status confirmed_captive --by bureau \
	--source official_list >/dev/null || fail "back to captive"
$C merge UA-4 X-1 --by clerk --reason "one man" >/dev/null ||
	fail "merge once off the list"

# An unmerge across a proposal: refused the same way, naming KEEP.
$C event add UA-4 status proposed --by bureau --source official_list \
	>/dev/null
refused "UA-4 is proposed for exchange (status proposed) in a round not yet settled: unmerge after" \
	unmerge X-1 --by clerk --reason "two men"
$C event add UA-4 status confirmed_captive --by bureau \
	--source official_list >/dev/null
$C unmerge X-1 --by clerk --reason "two men" >/dev/null ||
	fail "unmerge once off the list"

# A loaded round with a stage open: merge X-2 into a listed man first,
# then load the round; the unmerge waits for his check-off.
$C plan --policy "$D/round_policy.yaml" -o "$T/plan.json" >/dev/null
$C key new --party UA -o "$T" >/dev/null
$C key new --party RU -o "$T" >/dev/null
$C round new --plan "$T/plan.json" --kind agreed --id R-P -o "$T/r.json" \
	>/dev/null
$C round sign "$T/r.json" --key "$T/UA.key" >/dev/null
$C round sign "$T/r.json" --key "$T/RU.key" >/dev/null
P=$(jq -r '[.. | objects | select(has("id") and (.id | test("^UA-")))
	| .id][0]' "$T/r.json")
[ -n "$P" ] && [ "$P" != null ] || fail "no UA man listed"
$C merge "$P" X-2 --by clerk --reason "one man" >/dev/null ||
	fail "merge before the round is loaded"
$C handover start "$T/r.json" >/dev/null || fail "handover start"
refused "$P is listed in round R-P with its handover pending: unmerge after the round's check-off" \
	unmerge X-2 --by clerk --reason "two men"
refused "$P is listed in round R-P with its handover pending: merge after" \
	merge "$P" X-3 --by clerk --reason same
$C person show X-2 | grep -q "X-2 was merged into $P" || fail "alias lost"
# Checked off, the round no longer waits on him.
consent=$(sqlite3 "$DB" "SELECT consent FROM persons WHERE id = '$P'")
if [ "$consent" = willing ]; then as=handed_over; else as=absent; fi
$C handover check R-P "$P" --as $as --by officer >/dev/null ||
	fail "check-off"
$C unmerge X-2 --by clerk --reason "two men" >"$T/out" ||
	fail "unmerge after the check-off: $(cat "$T/out")"
$C audit verify >/dev/null || fail "audit verify"
echo ok
