#!/bin/sh
# Two records of one man: before a merge the search splits its probability
# between them and an all-for-all plan lists him twice; merged, the search
# answers one candidate with the whole probability, the plan and the
# statistics count him once, and the merged id is an alias (person show,
# event add). Unmerged, the register reads exactly as before the merge:
# state, events (but for the merge's own records), search, plan, stats and
# export. Audit verify holds throughout.
set -eu
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
DB="$T/r.db"
C="$CARTEL --db $DB"
POL="$TOP/examples/policies/all-for-all-wounded-and-young.yaml"
fail() { echo "FAIL: $*" >&2; exit 1; }
export CARTEL_TODAY=2026-06-01 CARTEL_NOW=2026-06-01T10:00:00Z
unset CARTEL_DB

# The small plan register, and a second record of ua-02 (Sokolov Pavel
# Ilyich, sergeant) written from another list as a private, with a number.
cp "$TOP/tests/e2e/data/plan_small.csv" "$T/l.csv"
grep '^ua-02,' "$T/l.csv" | sed 's/^ua-02,/ua-12,/; s/сержант/рядовой/' \
	>>"$T/l.csv"
$C init >/dev/null
$C import csv "$T/l.csv" >/dev/null
$C event add ua-12 service_number 7731 --by clerk --source icrc_visit \
	>/dev/null

# snap NAME: everything a user reads about the register, into $T/NAME.*
snap() {
	$C person show ua-02 --json | jq -S '.person' >"$T/$1.keep"
	$C person show ua-12 --json | jq -S '.person' >"$T/$1.other"
	# The events, without the records of a merge and its undoing.
	for id in ua-02 ua-12; do
		$C person show $id --json | jq -c '.events[] |
			select(.field | test("^(merged_|unmerged_|conflict:)")
			| not)'
	done >"$T/$1.events"
	$C search Sokolov Pavel 2>/dev/null >"$T/$1.search"
	$C plan --policy "$POL" --json | jq -S . \
		>"$T/$1.plan"
	$C stats --json >"$T/$1.stats"
	$C export csv -o "$T/$1.csv" >/dev/null
	$C audit verify >/dev/null || fail "audit verify ($1)"
}
snap before

# Before: one man, two records, a split answer, listed twice.
grep -q 'ua-02 .*0\.4' "$T/before.search" ||
	fail "expected a split search: $(cat "$T/before.search")"
grep -q 'ua-12 ' "$T/before.search" || fail "ua-12 not found before"
n=$(jq '[.. | objects | select(.id? == "ua-02" or .id? == "ua-12")]
	| length' "$T/before.plan")
[ "$n" -ge 2 ] || fail "the plan listed the man $n times before"

# dedupe finds them in the register, with the evidence to decide on.
$C dedupe --register --pairs 2>/dev/null >"$T/dups"
grep -q '^ua-02,ua-12,ua-02,[01]\.[0-9]*,match,Sokolov,Sokolov,identical,' \
	"$T/dups" || fail "dedupe --register: $(cat "$T/dups")"

$C merge ua-02 ua-12 --by clerk --reason "one man, two lists" >"$T/out" ||
	fail "merge: $(cat "$T/out")"
grep -q "2 values to settle" "$T/out" || fail "merge said: $(cat "$T/out")"
$C audit verify >/dev/null || fail "audit verify after the merge"

# One candidate, with the whole probability.
$C search Sokolov Pavel 2>/dev/null >"$T/out"
grep -q 'ua-12' "$T/out" && fail "the merged record answered: $(cat "$T/out")"
grep -q 'ua-02 .*0\.99' "$T/out" ||
	fail "expected one clear answer: $(cat "$T/out")"
# The plan lists him once; the statistics count him once.
$C plan --policy "$POL" --json >"$T/plan"
n=$(jq '[.. | objects | select(.id? == "ua-02" or .id? == "ua-12")]
	| length' "$T/plan")
m=$(jq '[.. | objects | select(.id? == "ua-02" or .id? == "ua-12")]
	| length' "$T/before.plan")
[ "$n" -eq $((m / 2)) ] || fail "the plan lists him $n times (before: $m)"
$C plan --policy "$POL" | grep -q 'gives (persons) *1 *1' ||
	fail "plan: $($C plan --policy "$POL")"
b=$(jq '.persons' "$T/before.stats")
a=$($C stats --json | jq '.persons')
[ "$a" -eq $((b - 1)) ] || fail "stats count $a persons, before $b"
$C person list | grep -q '^ua-12' && fail "person list shows ua-12"
$C dedupe --register --pairs 2>/dev/null | grep -q 'ua-12' &&
	fail "dedupe still offers the merged record"
# The alias: person show ua-12 shows ua-02 and says so.
$C person show ua-12 >"$T/out"
grep -q 'ua-12 was merged into ua-02' "$T/out" || fail "$(cat "$T/out")"
grep -q '^id  *ua-02' "$T/out" || fail "$(cat "$T/out")"
grep -q "conflict:rank 'сержант' -> 'рядовой'" "$T/out" || fail "no conflict"
grep -q "conflict:service_number '' -> '7731'" "$T/out" ||
	fail "no conflict for the number"
grep -q 'history of ua-12' "$T/out" || fail "ua-12's history not shown"
$C plan explain ua-12 --policy "$POL" >"$T/out" || fail "plan explain alias"
grep -q 'ua-02' "$T/out" || fail "plan explain: $(cat "$T/out")"
# An event on the alias is one on the record kept.
$C event add ua-12 health sick --by medic --source official_list >"$T/out"
grep -q 'recorded: ua-02 health (event [0-9]*; ua-12 is merged into ua-02)' "$T/out" ||
	fail "event add on the alias said: $(cat "$T/out")"
$C person show ua-02 --json | jq -e '.person.health == "sick"' >/dev/null ||
	fail "event add on the alias did not reach ua-02"
$C event add ua-02 health good --by medic --source official_list >/dev/null
$C audit verify >/dev/null || fail "audit verify with the alias used"

# Bad inputs: each a clear error naming the id, the register unchanged.
head0=$($C audit verify | sed -n 's/^head //p')
refused() {
	want=$1
	shift
	if $C "$@" >"$T/out" 2>"$T/err"; then
		fail "accepted: $*"
	fi
	grep -qF -- "$want" "$T/err" || fail "$*: $(cat "$T/err")"
	h=$($C audit verify | sed -n 's/^head //p')
	[ "$h" = "$head0" ] || fail "the register changed after: $*"
}
refused "ua-03 cannot be merged into itself" \
	merge ua-03 ua-03 --by clerk --reason x
refused "ua-12 is itself merged into ua-02" \
	merge ua-12 ua-03 --by clerk --reason x
refused "ua-12 is already merged into ua-02" \
	merge ua-03 ua-12 --by clerk --reason x
refused "ua-02 has record ua-12 merged into it" \
	merge ua-03 ua-02 --by clerk --reason x
refused "no person with id ua-99" merge ua-99 ua-03 --by clerk --reason x
refused "no person with id ua-99" merge ua-03 ua-99 --by clerk --reason x
refused "ua-03 is not merged" unmerge ua-03 --by clerk --reason x
refused "no person with id ua-99" unmerge ua-99 --by clerk --reason x
refused "needs --reason" merge ua-03 ua-04 --by clerk
refused "needs --by" unmerge ua-12 --reason x

$C unmerge ua-12 --by clerk --reason "two men after all" >"$T/out" ||
	fail "unmerge: $(cat "$T/out")"
grep -q 'unmerged: ua-12 from ua-02' "$T/out" || fail "$(cat "$T/out")"
snap after
# The health event given and taken back above is the one difference in
# the events; everything else reads as before the merge.
grep -v '"health"' "$T/after.events" >"$T/after.ev2"
grep -v '"health"' "$T/before.events" >"$T/before.ev2"
for f in keep other ev2 search plan stats csv; do
	cmp -s "$T/before.$f" "$T/after.$f" ||
		fail "$f differs after unmerge: $(diff "$T/before.$f" \
			"$T/after.$f" | head -20)"
done
# The merge and its undoing stay in both histories.
$C person show ua-12 --json | jq -e '[.events[].field] |
	index("merged_into") and index("unmerged_from")' >/dev/null ||
	fail "ua-12's history lost the merge"
$C person show ua-12 | grep -q 'was merged' && fail "still an alias"
# And once unmerged, the record can be merged again.
$C merge ua-02 ua-12 --by clerk --reason again >/dev/null || fail "re-merge"
$C audit verify >/dev/null || fail "audit verify after the second merge"
echo ok
