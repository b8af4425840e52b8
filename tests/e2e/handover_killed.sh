#!/bin/sh
# A stage's sheet killed (SIGKILL) at random points, again and again, each
# time run again from the top: after every kill the check-offs recorded
# match their audit entries and their status events one for one, nobody is
# repatriated twice, the chain holds; and the last run completes the
# stage with every person checked off exactly once.
#
# `make check` runs 25 kills on a round of 600 persons (10 under ASan);
# `make stress` (CARTEL_STRESS=1) runs 50 kills on a round of 2,000.
# CARTEL_KILLS, CARTEL_KILL_PERSONS (per side) and CARTEL_KILL_SEED
# override them.
set -u
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
if [ "${CARTEL_STRESS:-0}" = 1 ]; then
	PER_SIDE=${CARTEL_KILL_PERSONS:-1000}
	KILLS=${CARTEL_KILLS:-50}
else
	PER_SIDE=${CARTEL_KILL_PERSONS:-300}
	KILLS=${CARTEL_KILLS:-25}
	# Under ASan (make asan), fewer: the point there is memory errors.
	if ldd "$CARTEL" 2>/dev/null | grep -q libasan; then
		KILLS=${CARTEL_KILLS:-10}
	fi
fi
SEED=${CARTEL_KILL_SEED:-$$}
N=$((PER_SIDE * 2))
C="$CARTEL --db $T/r.db"
fail() { echo "FAIL (seed $SEED): $*" >&2; exit 1; }
q() { sqlite3 "$T/r.db" "$1"; }
ulimit -c 0 2>/dev/null || :

# PER_SIDE captives on each side, all willing to go home, all on one
# stage of one agreed round.
awk -v n="$PER_SIDE" 'BEGIN {
	print "id,family_name,given_name,held_by,depends_on,category,consent,status";
	for (i = 1; i <= n; i++) {
		printf "UA-%d,Family%d,Given%d,RU,UA,military,willing,confirmed_captive\n", i, i, i;
		printf "RU-%d,Family%d,Given%d,UA,RU,military,willing,confirmed_captive\n", i, i, i;
	}
}' >"$T/persons.csv"
awk -v n="$PER_SIDE" 'function list(p,   i, s) {
		for (i = 1; i <= n; i++)
			s = s (i > 1 ? "," : "") "\"" p "-" i "\"";
		return s;
	}
	BEGIN {
	printf "{\"parties\":[\"UA\",\"RU\"],\"stages\":1,\"sides\":{";
	printf "\"UA\":{\"gives\":[%s],\"value\":%d},", list("RU"), n;
	printf "\"RU\":{\"gives\":[%s],\"value\":%d}},", list("UA"), n;
	printf "\"direct_repatriation\":{\"UA\":[],\"RU\":[]},";
	printf "\"withheld\":[],\"excluded\":[],\"optimal\":true}\n";
}' >"$T/plan.json"
awk -v n="$PER_SIDE" 'BEGIN {
	print "person_id,outcome,by";
	for (i = 1; i <= n; i++) {
		printf "UA-%d,received,officer A\n", i;
		printf "RU-%d,handed_over,officer A\n", i;
	}
}' >"$T/sheet.csv"

$C init >/dev/null || fail init
$C import csv "$T/persons.csv" >/dev/null || fail import
$C key new --party UA -o "$T" >/dev/null || fail key
$C key new --party RU -o "$T" >/dev/null || fail key
$C round new --plan "$T/plan.json" --kind agreed --id R-KILL \
	-o "$T/r.json" >/dev/null || fail "round new"
$C round sign "$T/r.json" --key "$T/UA.key" >/dev/null || fail sign
$C round sign "$T/r.json" --key "$T/RU.key" >/dev/null || fail sign
$C handover start "$T/r.json" --by mediator >/dev/null || fail "handover start"
rm -f "$T"/r.db-*
cp "$T/r.db" "$T/base.db"

now_ms() { date +%s%3N; }
done_count() { q "select count(*) from round_handover where outcome <> 'pending'"; }
# After a kill: every check-off has its audit entry and its one status
# event, and nobody has two.
check_whole() {
	$C audit verify >"$T/out" 2>&1 || { cat "$T/out" >&2; fail "verify after $1"; }
	d=$(done_count)
	a=$(q "select count(*) from audit where action = 'handover.check'")
	e=$(q "select count(*) from events where field = 'status'
	       and new_value = 'repatriated'")
	twice=$(q "select count(*) from (select person from events
	       where field = 'status' and new_value = 'repatriated'
	       group by person having count(*) > 1)")
	[ "$d" = "$a" ] || fail "$1: $d check-offs but $a audit entries"
	[ "$d" = "$e" ] || fail "$1: $d check-offs but $e repatriations"
	[ "$twice" = 0 ] || fail "$1: $twice persons repatriated twice"
}

# How long the whole sheet takes here, to spread the kills over it.
t0=$(now_ms)
$C handover check R-KILL --sheet "$T/sheet.csv" --by x >/dev/null || fail "whole sheet"
FULL_MS=$(($(now_ms) - t0))
[ "$(done_count)" = "$N" ] || fail "the whole sheet left some pending"
rm -f "$T"/r.db*
cp "$T/base.db" "$T/r.db"

# Each run is killed after a random share of the time the sheet needs
# spread over the kills, so that together they get most of the way.
i=1
last=0
while [ "$i" -le "$KILLS" ]; do
	delay=$(awk -v s="$SEED" -v i="$i" -v ms="$FULL_MS" -v k="$KILLS" \
		'BEGIN { srand(s * 1000 + i); printf "%.3f", 0.05 + rand() * 1.6 * ms / k / 1000 }')
	$C handover check R-KILL --sheet "$T/sheet.csv" --by x >/dev/null 2>&1 &
	pid=$!
	sleep "$delay"
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	check_whole "kill $i at ${delay}s"
	d=$(done_count)
	[ "$d" -ge "$last" ] || fail "kill $i: check-offs went from $last to $d"
	last=$d
	i=$((i + 1))
done
# Resume: the sheet once more, to the end.
$C handover check R-KILL --sheet "$T/sheet.csv" --by x >"$T/out" || fail "resume"
grep -q "already recorded $last," "$T/out" || fail "resume: $(cat "$T/out")"
check_whole "the resumed sheet"
[ "$(done_count)" = "$N" ] || fail "someone left pending"
[ "$(q "select count(*) from events where field = 'status'
	and new_value = 'repatriated'")" = "$N" ] || fail "repatriations lost"
$C handover check R-KILL --sheet "$T/sheet.csv" --by x | grep -q \
	"checked off 0, already recorded $N" || fail "a run after the end"
$C handover stage R-KILL 1 --close --by "officer A" >/dev/null || fail close
$C audit verify >/dev/null || fail "audit chain at the end"
echo "ok: $KILLS kills of a $N-person sheet (${FULL_MS} ms whole), $last checked off by the kills"
