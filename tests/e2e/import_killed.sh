# An import killed mid-write (SIGKILL) leaves all of the file or none of
# it, and a register whose audit chain holds; the next command recovers
# the journal and works normally.
set -u
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
export CARTEL_DB="$WORK/r.db"
fail() { echo "FAIL: $*"; exit 1; }
"$CARTEL" init >/dev/null || fail init
"$CARTEL" person add id=K-0 held_by=UA --by clerk --source official_list >/dev/null || fail add
awk 'BEGIN { print "id,family_name,given_name,held_by,notes";
	for (i = 1; i <= 60000; i++)
		printf "K-%d,Family%d,Given%d,RU,%s\n", i, i, i,
			"a note long enough to make the rows take some room";
}' >"$WORK/big.csv"
for delay in 0.2 0.5; do
	"$CARTEL" import csv "$WORK/big.csv" >/dev/null 2>&1 &
	pid=$!
	sleep $delay
	kill -9 $pid 2>/dev/null
	wait $pid 2>/dev/null
	n=$("$CARTEL" person list | tail -1)
	case "$n" in
	"(1 persons)" | "(60001 persons)") ;;
	*) fail "after a kill at ${delay}s: $n" ;;
	esac
	"$CARTEL" audit verify >"$WORK/out" 2>&1 || { cat "$WORK/out"; fail "verify after a kill"; }
	[ "$n" = "(60001 persons)" ] && break
done
# The register still takes writes.
"$CARTEL" event add K-0 health sick --by medic --source icrc_visit >/dev/null || fail "write after a kill"
"$CARTEL" audit verify >/dev/null || fail "verify at the end"
echo ok
