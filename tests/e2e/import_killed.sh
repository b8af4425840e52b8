# An import killed (SIGKILL) at a random point, again and again: each time
# the register holds all of the file or none of it (the import is one
# transaction, docs/import.md), its audit chain holds, and running the
# import again completes it without doubling a row.
#
# `make check` runs 25 kills of a 20,000-row import (8 of 10,000 under
# ASan); `make stress` (CARTEL_STRESS=1) runs 50 kills of a 100,000-row
# import. CARTEL_KILL_ROWS, CARTEL_KILLS and CARTEL_KILL_SEED override the
# size, the count and the random points (the seed is printed on failure).
set -u
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
if [ "${CARTEL_STRESS:-0}" = 1 ]; then
	ROWS=${CARTEL_KILL_ROWS:-100000}
else
	ROWS=${CARTEL_KILL_ROWS:-20000}
fi
# Under ASan (make asan) the point is memory errors, and each run is five
# times slower: fewer kills of a smaller file.
asan=0
ldd "$CARTEL" 2>/dev/null | grep -q libasan && asan=1
if [ "${CARTEL_STRESS:-0}" = 1 ]; then
	KILLS=${CARTEL_KILLS:-50}
elif [ "$asan" = 1 ]; then
	ROWS=${CARTEL_KILL_ROWS:-10000}
	KILLS=${CARTEL_KILLS:-8}
else
	KILLS=${CARTEL_KILLS:-25}
fi
SEED=${CARTEL_KILL_SEED:-$$}
export CARTEL_DB="$WORK/r.db"
fail() { echo "FAIL (seed $SEED): $*"; exit 1; }
count() { sqlite3 "$CARTEL_DB" "$1"; }
ulimit -c 0 2>/dev/null || :

"$CARTEL" init >/dev/null || fail init
"$CARTEL" person add id=K-0 held_by=UA --by clerk --source official_list >/dev/null || fail add
cp "$WORK/r.db" "$WORK/base.db"
EVENTS0=$(count "select count(*) from events")
awk -v n="$ROWS" 'BEGIN { print "id,family_name,given_name,held_by,notes";
	for (i = 1; i <= n; i++)
		printf "K-%d,Family%d,Given%d,RU,%s\n", i, i, i,
			"a note long enough to make the rows take some room";
}' >"$WORK/big.csv"

now_ms() { date +%s%3N; }
fresh() {
	rm -f "$WORK"/r.db*
	cp "$WORK/base.db" "$WORK/r.db"
}
# Checks the register holds none or all of the file (and, unless $2 is
# "counts", that its chain holds); prints which.
check_all_or_none() {
	if [ "${2:-}" != counts ]; then
		"$CARTEL" audit verify >"$WORK/out" 2>&1 ||
			{ cat "$WORK/out"; fail "verify after kill $1"; }
	fi
	p=$(count "select count(*) from persons")
	e=$(count "select count(*) from events")
	if [ "$p" = 1 ] && [ "$e" = "$EVENTS0" ]; then
		echo none
	elif [ "$p" = $((ROWS + 1)) ] && [ "$e" = $((EVENTS0 + ROWS)) ]; then
		echo all
	else
		fail "kill $1: $p persons and $e events (neither none nor all)"
	fi
}

# How long a whole import takes here, to spread the kills over it.
fresh
t0=$(now_ms)
"$CARTEL" import csv "$WORK/big.csv" --rejects "$WORK/rej0.csv" >/dev/null || fail "a whole import"
FULL_MS=$(($(now_ms) - t0))
[ "$(check_all_or_none 0)" = all ] || fail "the whole import is not all in"

n_none=0 n_all=0
i=1
while [ "$i" -le "$KILLS" ]; do
	fresh
	# A point between the start and a little past the usual end.
	delay=$(awk -v s="$SEED" -v i="$i" -v ms="$FULL_MS" \
		'BEGIN { srand(s * 1000 + i); printf "%.3f", rand() * ms * 1.1 / 1000 }')
	"$CARTEL" import csv "$WORK/big.csv" --rejects "$WORK/rej$i.csv" >/dev/null 2>&1 &
	pid=$!
	sleep "$delay"
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	got=$(check_all_or_none "$i at ${delay}s") || { echo "$got"; exit 1; }
	case "$got" in
	none) n_none=$((n_none + 1)) ;;
	all) n_all=$((n_all + 1)) ;;
	esac
	# Running it again completes it, or (when all was in) adds nothing.
	"$CARTEL" import csv "$WORK/big.csv" --rejects "$WORK/rerun$i.csv" >/dev/null 2>&1
	[ "$(check_all_or_none "$i, re-run" counts)" = all ] || fail "re-run after kill $i"
	rm -f "$WORK/rej$i.csv" "$WORK/rerun$i.csv"
	i=$((i + 1))
done
# The register still takes writes.
"$CARTEL" event add K-0 health sick --by medic --source icrc_visit >/dev/null || fail "write after the kills"
"$CARTEL" audit verify >/dev/null || fail "verify at the end"
echo "ok: $KILLS kills of a $ROWS-row import (${FULL_MS} ms whole): none in $n_none times, all in $n_all times"
