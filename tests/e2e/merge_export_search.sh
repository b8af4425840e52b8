#!/bin/sh
# After a merge, what leaves the register and what a search answers count
# the man once (an inquiry that found both records says which is merged
# into which): `export csv` leaves the merged record out (its id is an
# alias, not a second person) and imports back into an empty register with
# one person per man; `search` and `search --json` show him once, with
# where he stands (status and holder) beside the score. Unmerged, he is
# exported and found as two records again. dedupe --pairs with no pairs
# still ends its header line.
set -eu
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
C="$CARTEL --db $T/r.db"
fail() { echo "FAIL: $*" >&2; exit 1; }
export CARTEL_TODAY=2026-06-01 CARTEL_NOW=2026-06-01T10:00:00Z
unset CARTEL_DB

cp "$TOP/tests/e2e/data/plan_small.csv" "$T/l.csv"
grep '^ua-02,' "$T/l.csv" | sed 's/^ua-02,/ua-12,/; s/сержант/рядовой/' \
	>>"$T/l.csv"
$C init >/dev/null
$C import csv "$T/l.csv" >/dev/null
n0=$($C stats --json | jq '.persons')

# A family asked before the merge: both records were found for it.
$C inquiry add --by hotline --name "Sokolov Pavel" >"$T/i"
grep -q 'INQ-000001 ua-12 ' "$T/i" || fail "inquiry: $(cat "$T/i")"

$C merge ua-02 ua-12 --by clerk --reason "one man, two lists" >/dev/null ||
	fail "merge"

# The inquiry's candidates: the merged record says whose it is now.
$C inquiry show INQ-000001 >"$T/is"
grep -q '^  ua-12 .* pending   merged into ua-02: held by ' "$T/is" ||
	fail "inquiry after the merge: $(cat "$T/is")"
grep -q '^  ua-02 .* pending   held by ' "$T/is" ||
	fail "inquiry after the merge: $(cat "$T/is")"
$C inquiry show INQ-000001 --json --full | jq -e '.candidates[] |
	select(.person_id == "ua-12") | .status_text |
	startswith("merged into ua-02: ")' >/dev/null || fail "--full"

# Export: one row per man, the alias left out.
$C export csv -o "$T/e.csv" >/dev/null
grep -q '^ua-12,' "$T/e.csv" && fail "the alias exported as a person"
[ "$(grep -c '^ua-02,' "$T/e.csv")" -eq 1 ] || fail "ua-02 not once"
rows=$(($(wc -l <"$T/e.csv") - 1))
[ "$rows" -eq $((n0 - 1)) ] || fail "exported $rows rows of $n0 - 1 men"
n1=$($C stats --json | jq '.persons')
[ "$rows" -eq "$n1" ] || fail "export $rows rows, stats count $n1"
$C export json -o "$T/e.json" >/dev/null
jq -e '[.[] | select(.id == "ua-12")] | length == 0' "$T/e.json" \
	>/dev/null || fail "the alias in export json"
# It imports back: every row, one person each, the man once.
$CARTEL --db "$T/b.db" init >/dev/null
$CARTEL --db "$T/b.db" import csv "$T/e.csv" >"$T/out" ||
	fail "export did not import back: $(cat "$T/out")"
grep -q "$rows rows read, $rows imported, 0 rejected" "$T/out" ||
	fail "import back: $(cat "$T/out")"
$CARTEL --db "$T/b.db" person show ua-12 >/dev/null 2>&1 &&
	fail "the alias came back as a person"
$CARTEL --db "$T/b.db" export csv -o "$T/e2.csv" >/dev/null
cmp -s "$T/e.csv" "$T/e2.csv" || fail "export, import, export differ"

# Search: one candidate, with where he stands, in text and JSON.
$C search Sokolov Pavel 2>/dev/null >"$T/s"
grep -q 'ua-12' "$T/s" && fail "the alias answered: $(cat "$T/s")"
[ "$(grep -c 'ua-02 ' "$T/s")" -eq 1 ] || fail "not once: $(cat "$T/s")"
held=$($C person show ua-02 --json | jq -r '.person.held_by')
sed -n '/ua-02 /{n;p;}' "$T/s" | grep -q "^    held by " ||
	fail "no status line: $(cat "$T/s")"
$C search --json Sokolov Pavel 2>/dev/null >"$T/j"
jq -e '[.[] | select(.id == "ua-12")] | length == 0' "$T/j" >/dev/null ||
	fail "the alias in --json"
jq -e --arg h "$held" '[.[] | select(.id == "ua-02")] | length == 1 and
	(.[0] | .held_by == $h and .status == "confirmed_captive" and
	 (.status_text | startswith("held by ")) and
	 (.score | type) == "number" and (.explanation | length) > 0)' \
	"$T/j" >/dev/null || fail "--json: $(cat "$T/j")"
# Proposed for exchange: said beside the holder.
$C event add ua-02 status proposed --by bureau --source official_list \
	>/dev/null
$C search --json Sokolov Pavel 2>/dev/null |
	jq -e '.[0].status_text | endswith("; proposed for exchange")' \
	>/dev/null || fail "proposed not said"
$C event add ua-02 status confirmed_captive --by bureau \
	--source official_list >/dev/null

# Unmerged: two records, exported and found as such.
$C unmerge ua-12 --by clerk --reason "two men" >/dev/null
$C export csv -o "$T/u.csv" >/dev/null
grep -q '^ua-12,' "$T/u.csv" || fail "ua-12 not exported after unmerge"
$C search Sokolov Pavel 2>/dev/null | grep -q 'ua-12 ' ||
	fail "ua-12 not found after unmerge"

# dedupe --pairs with no pairs: the header alone, a whole line.
printf 'id,family_name,given_name\nA1,Шевченко,Тарас\nA2,Мельник,Іван\n' \
	>"$T/np.csv"
$CARTEL dedupe "$T/np.csv" --pairs 2>/dev/null >"$T/p"
[ "$(wc -l <"$T/p")" -eq 1 ] || fail "pairs: $(cat "$T/p")"
[ "$(tail -c 1 "$T/p" | od -An -c | tr -d ' ')" = '\n' ] ||
	fail "the header line is not ended"
grep -q '^a_id,b_id,cluster_id,score,band,' "$T/p" || fail "header"
echo ok
