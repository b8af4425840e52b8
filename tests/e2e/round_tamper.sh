#!/bin/sh
# A signed, agreed list changed afterwards fails verification, and the
# failure names what no longer holds: a changed name names the person's
# entry, a moved stage the same, a struck name the list, an edited
# signature the party. Broken JSON names line and column. A tampered
# list is never loaded for handover, and nothing is half-written.
set -eu
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
D="$TOP/tests/e2e/data"
C="$CARTEL --db $T/r.db"
fail() { echo "FAIL: $*" >&2; exit 1; }

$C init >/dev/null
$C import csv "$D/round_persons.csv" >/dev/null
$C plan --policy "$D/round_policy.yaml" -o "$T/plan.json" >/dev/null
$C key new --party UA -o "$T" >/dev/null
$C key new --party RU -o "$T" >/dev/null
$C round new --plan "$T/plan.json" --kind agreed --id R-T -o "$T/r.json" \
	>/dev/null
$C round sign "$T/r.json" --key "$T/UA.key" >/dev/null
$C round sign "$T/r.json" --key "$T/RU.key" >/dev/null
$C round verify "$T/r.json" >/dev/null || fail "the good list"

# expect FILE TEXT...: verify fails (exit 1) and says each TEXT.
expect() {
	f=$1
	shift
	if $C round verify "$f" >"$T/out" 2>"$T/err"; then
		fail "$f verified"
	fi
	for t in "$@"; do
		grep -qF -- "$t" "$T/err" || fail "$f: no '$t' in: $(cat "$T/err")"
	done
}

# A family name changed (the file is indented: one field per line).
sed 's/"Коваленко"/"Коваленко-Тарас"/' "$T/r.json" >"$T/name.json"
expect "$T/name.json" "field 'sides.RU.gives[UA-1]' does not match" \
	"field 'digest' does not hold" "signature of UA does not hold" \
	"signature of RU does not hold"
# A service number changed.
sed 's/"B203"/"B999"/' "$T/r.json" >"$T/sn.json"
expect "$T/sn.json" "'sides.UA.gives[RU-4]'"
# A person struck from the list (RU-4's entry removed by id).
awk 'BEGIN{skip=0}
     /"id": "RU-4"/ {print "    \"id\": \"RU-4-struck\","; next} {print}' \
	"$T/r.json" >"$T/struck.json"
expect "$T/struck.json" "'sides.UA.gives'" "'sides.UA.gives[RU-4-struck]'" \
	"'sides.UA.gives[RU-4]' is in the manifest but not in the document"
# The number of stages changed.
sed 's/"stages": 2/"stages": 3/' "$T/r.json" >"$T/stages.json"
expect "$T/stages.json" "field 'stages' does not match"
# The round id changed.
sed 's/"round_id": "R-T"/"round_id": "R-X"/' "$T/r.json" >"$T/id.json"
expect "$T/id.json" "field 'round_id' does not match"
# A signature altered (one base64 letter).
awk '/"signature":/ && !done {sub(/": "./, "\": \"A"); if ($0 ~ /"A/) done=1} {print}' \
	"$T/r.json" >"$T/sig.json"
cmp -s "$T/r.json" "$T/sig.json" && fail "the signature edit did nothing"
expect "$T/sig.json" "does not hold"
# Broken JSON and a wrong type.
head -c 300 "$T/r.json" >"$T/cut.json"
expect "$T/cut.json" "not JSON: line"
sed 's/"version": 1/"version": "one"/' "$T/r.json" >"$T/type.json"
expect "$T/type.json" "field 'version': expected a positive integer"

# The tampered list is not loaded; the statuses do not move.
if $C handover start "$T/name.json" 2>"$T/err"; then
	fail "a tampered list was loaded"
fi
grep -q "does not verify" "$T/err" || fail "start: no reason"
$C person show UA-1 | grep -q "status *confirmed_captive" || fail "moved"
[ "$(sqlite3 "$T/r.db" "select count(*) from round_doc")" = 0 ] ||
	fail "half-loaded round"
# A failed sign leaves the file as it was.
cp "$T/name.json" "$T/name2.json"
if $C round sign "$T/name2.json" --key "$T/UA.key" 2>/dev/null; then
	fail "signed a tampered list"
fi
cmp -s "$T/name.json" "$T/name2.json" || fail "failed sign changed the file"
# And the good one still verifies and loads.
$C handover start "$T/r.json" >/dev/null || fail "good list refused"
$C audit verify >/dev/null || fail "audit chain"
echo ok
