#!/bin/sh
# A merge is refused for a man listed in a loaded round whose handover of
# him is pending (naming the round and the id, the register unchanged), and
# allowed once his check-off is done. The merge record is covered by the row
# ledger: changed, added or deleted with the sqlite3 shell, `audit verify`
# fails naming person_merge and the row, and the alias it makes is refused,
# not followed.
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
$C plan --policy "$D/round_policy.yaml" -o "$T/plan.json" >/dev/null
$C key new --party UA -o "$T" >/dev/null
$C key new --party RU -o "$T" >/dev/null
$C round new --plan "$T/plan.json" --kind agreed --id R-T -o "$T/r.json" \
	>/dev/null
$C round sign "$T/r.json" --key "$T/UA.key" >/dev/null
$C round sign "$T/r.json" --key "$T/RU.key" >/dev/null
$C handover start "$T/r.json" >/dev/null || fail "handover start"
P1=$(sqlite3 "$DB" "SELECT person_id FROM round_handover r JOIN persons p
	ON p.id = r.person_id WHERE p.consent = 'willing' ORDER BY ord LIMIT 1")
[ -n "$P1" ] || fail "no one listed"
# A second record of P1, from another list, in no round.
$C person add id=X-1 family_name=Запасний given_name=Запис held_by=RU \
	depends_on=UA --by clerk --source family_report >/dev/null

# Across a pending round: refused either way round, nothing written.
head0=$($C audit verify | sed -n 's/^head //p')
for args in "$P1 X-1" "X-1 $P1"; do
	# shellcheck disable=SC2086
	if $C merge $args --by clerk --reason same >"$T/out" 2>"$T/err"; then
		fail "merged across a pending round: $args"
	fi
	grep -qF "$P1 is listed in round R-T with its handover pending" \
		"$T/err" || fail "$(cat "$T/err")"
	h=$($C audit verify | sed -n 's/^head //p')
	[ "$h" = "$head0" ] || fail "the register changed: $args"
done
# Checked off, the round no longer waits on him.
$C handover check R-T "$P1" --as handed_over --by officer >/dev/null ||
	fail "check-off"
$C merge "$P1" X-1 --by clerk --reason "same man" >/dev/null ||
	fail "merge after the check-off"
$C audit verify >"$T/out" || fail "verify: $(cat "$T/out")"
$C person show X-1 | grep -q "X-1 was merged into $P1" || fail "no alias"

tampered() {
	rm -f "$T/t.db" "$T/t.db-wal" "$T/t.db-shm"
	cp "$DB" "$T/t.db"
	sqlite3 "$T/t.db" "$1" || fail "sql: $1"
	shift
	if $CARTEL --db "$T/t.db" audit verify >"$T/out" 2>"$T/err"; then
		fail "verified after: $*"
	fi
	for w in "$@"; do
		grep -qF -- "$w" "$T/err" ||
			fail "no '$w' in: $(cat "$T/err")"
	done
}
tampered "UPDATE person_merge SET keep_id = 'UA-2'" \
	"person_merge row (1)" "changed behind"
tampered "UPDATE person_merge SET unmerged_at = 'now', unmerged_by = 'x',
	unmerge_reason = 'y'" "person_merge row (1)" "changed behind"
tampered "INSERT INTO person_merge (keep_id, other_id, merged_at, merged_by,
	reason, n_conflicts) VALUES ('UA-3', 'UA-4', 'now', 'x', 'y', 0)" \
	"person_merge row (2)" "added behind"
tampered "DELETE FROM person_merge" "person_merge row (1)" "deleted behind"

# The alias of a rewritten merge row is refused, not followed.
cp "$DB" "$T/t.db"
sqlite3 "$T/t.db" "UPDATE person_merge SET keep_id = 'UA-2'"
if $CARTEL --db "$T/t.db" person show X-1 >"$T/out" 2>"$T/err"; then
	fail "followed a rewritten merge: $(cat "$T/out")"
fi
grep -q "merge record 1 cannot be trusted" "$T/err" || fail "$(cat "$T/err")"
if $CARTEL --db "$T/t.db" event add X-1 health sick --by m \
	--source icrc_visit >/dev/null 2>&1; then
	fail "an event went through a rewritten merge"
fi
echo ok
