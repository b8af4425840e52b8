# Two imports and a stream of events at once, from three processes, on one
# register: all succeed (writers wait for each other instead of failing),
# nothing is lost, and the audit chain holds.
set -u
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
export CARTEL_DB="$WORK/r.db"
fail() { echo "FAIL: $*"; exit 1; }
"$CARTEL" init >/dev/null || fail init
for side in A B; do
	printf 'id,family_name,held_by,health\n' >"$WORK/$side.csv"
	i=0
	while [ $i -lt 3000 ]; do
		printf '%s-%d,Name%d,RU,good\n' $side $i $i >>"$WORK/$side.csv"
		i=$((i + 1))
	done
done
"$CARTEL" person add id=E-1 held_by=UA --by clerk --source official_list >/dev/null || fail "person add"
"$CARTEL" import csv "$WORK/A.csv" >"$WORK/a.out" 2>&1 &
pa=$!
"$CARTEL" import csv "$WORK/B.csv" >"$WORK/b.out" 2>&1 &
pb=$!
(
	for h in sick good sick good sick good sick good; do
		"$CARTEL" event add E-1 health $h --by medic --source icrc_visit >/dev/null || exit 1
	done
) &
pe=$!
wait $pa || { cat "$WORK/a.out"; fail "import A"; }
wait $pb || { cat "$WORK/b.out"; fail "import B"; }
wait $pe || fail "events"
grep -q "3000 imported, 0 rejected" "$WORK/a.out" || fail "A: $(cat "$WORK/a.out")"
grep -q "3000 imported, 0 rejected" "$WORK/b.out" || fail "B: $(cat "$WORK/b.out")"
"$CARTEL" person list | tail -1 | grep -q "(6001 persons)" || fail "count: $("$CARTEL" person list | tail -1)"
"$CARTEL" person show E-1 | grep -q "history (9 events" || fail "events lost"
"$CARTEL" audit verify >"$WORK/out" || { cat "$WORK/out"; fail verify; }
[ "$(sqlite3 "$CARTEL_DB" 'PRAGMA journal_mode')" = wal ] || fail "left out of WAL mode"
echo ok
