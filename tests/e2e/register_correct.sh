#!/bin/sh
# Corrections through the real binary: a man reported dead is found alive
# in captivity, a release entered against the wrong person is undone; both
# the wrong event and its correction are shown by `person show`, the audit
# chain holds, and every correction that cannot be made leaves the
# register exactly as it was.
set -eu
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
C="$CARTEL --db $T/r.db"
fail() { echo "FAIL: $*" >&2; exit 1; }
head_of() { $C audit verify | sed -n 's/^head //p'; }

$C init >/dev/null
$C import csv "$TOP/tests/e2e/data/round_persons.csv" >/dev/null

# Reported dead by his family; event add prints the event's number.
$C event add UA-1 status deceased --by bureau --source family_report \
	>"$T/out"
grep -q "^recorded: UA-1 status (event [0-9]*)$" "$T/out" ||
	fail "event add does not print the event number"
DEAD=$(sed -n 's/.*(event \([0-9]*\))$/\1/p' "$T/out")
$C person show UA-1 | grep -q "^  #$DEAD .*status 'confirmed_captive' -> 'deceased'" ||
	fail "person show does not list the event with its number"

# The lifecycle still refuses a plain change out of deceased.
if $C event add UA-1 status confirmed_captive --by bureau \
	--source icrc_visit 2>"$T/err"; then
	fail "a plain status change out of deceased was accepted"
fi
grep -q "cannot move from deceased" "$T/err" || fail "no lifecycle reason"

# Found alive: the correction restores the status he had.
$C event correct "$DEAD" --reason "seen alive at camp 5" \
	--source icrc_visit --by "ICRC delegate" >"$T/out"
FIX=$(sed -n 's/^event [0-9]* corrected by event \([0-9]*\)$/\1/p' "$T/out")
[ -n "$FIX" ] || fail "event correct did not say which event corrects"
$C person show UA-1 >"$T/show"
grep -q "^status  *confirmed_captive$" "$T/show" || fail "status not restored"
grep -q "^  #$DEAD .*'confirmed_captive' -> 'deceased'$" "$T/show" ||
	fail "the wrong event left the history"
grep -q "CORRECTED by event $FIX: seen alive at camp 5" "$T/show" ||
	fail "the wrong event is not marked corrected"
grep -q "^  #$FIX .*by ICRC delegate, icrc_visit.*correction: status 'deceased' -> 'confirmed_captive'" \
	"$T/show" || fail "the correction is not shown"
grep -q "corrects event $DEAD: seen alive at camp 5" "$T/show" ||
	fail "the correction does not name the event it corrects"
$C person show UA-1 --json >"$T/show.json"
grep -q "\"corrected_by\": $FIX" "$T/show.json" || fail "json corrected_by"
grep -q "\"corrects\": $DEAD" "$T/show.json" || fail "json corrects"
$C audit verify >/dev/null || fail "audit after a correction"

# A release entered against the wrong man.
$C event add RU-2 status released --by clerk --source official_list \
	>"$T/out"
REL=$(sed -n 's/.*(event \([0-9]*\))$/\1/p' "$T/out")
$C event correct "$REL" --reason "meant RU-3" --source official_list \
	--by clerk >/dev/null
$C person show RU-2 | grep -q "^status  *confirmed_captive$" ||
	fail "the wrong release is not undone"
$C audit verify >/dev/null || fail "audit after the release correction"

# What cannot be corrected: a clear error, nothing written.
H=$(head_of)
try() {
	if $C event correct "$@" --source icrc_visit --by x 2>"$T/err"; then
		fail "event correct $1 was accepted"
	fi
	[ "$(head_of)" = "$H" ] || fail "event correct $1 changed the register"
}
try "$DEAD" --reason again
grep -q "event $DEAD was already corrected by event $FIX" "$T/err" ||
	fail "correcting twice: no reason"
try "$FIX" --reason undo
grep -q "event $FIX is itself a correction (of event $DEAD)" "$T/err" ||
	fail "correcting a correction: no reason"
try 99999 --reason x
grep -q "there is no event 99999" "$T/err" || fail "unknown id: no reason"
try 1 --reason x
grep -q "created person" "$T/err" || fail "creation: no reason"
# A later event changed the field again: named.
$C event add UA-4 consent refuses --by x --source icrc_visit >"$T/out"
E1=$(sed -n 's/.*(event \([0-9]*\))$/\1/p' "$T/out")
$C event add UA-4 consent willing --by x --source icrc_visit >"$T/out"
E2=$(sed -n 's/.*(event \([0-9]*\))$/\1/p' "$T/out")
H=$(head_of)
try "$E1" --reason x
grep -q "event $E2 changed consent of person UA-4 again after event $E1" \
	"$T/err" || fail "later event not named"
# Usage errors: no reason, not a number.
set +e
$C event correct "$E2" --source icrc_visit --by x 2>/dev/null
[ $? -eq 2 ] || fail "a correction without a reason is not a usage error"
$C event correct abc --reason x --source icrc_visit 2>/dev/null
[ $? -eq 2 ] || fail "a non-number is not a usage error"
set -e
[ "$(head_of)" = "$H" ] || fail "a refused correction changed the register"

# The link from a correction to the event it corrects is covered by the
# audit chain: pointed elsewhere behind the register's back, it is found.
cp "$T/r.db" "$T/t.db"
sqlite3 "$T/t.db" \
	"UPDATE events SET field = 'correct:$REL:status' WHERE seq = $FIX"
if $CARTEL --db "$T/t.db" audit verify >"$T/out" 2>&1; then
	fail "a rewritten correction verified"
fi
grep -q "does not hold" "$T/out" || fail "tamper: no reason"
echo "ok"
