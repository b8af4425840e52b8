#!/bin/sh
# Runs each fuzz target of a fuzz build (make fuzz) for a set time and
# prints what each did: executions per second, executions, seconds, the
# crashes found (inputs that crashed, leaked, hung or ran out of memory)
# and executions per second of processor time, with the load average at
# the end (on a shared machine the first rate falls with the load).
#
#   sh scripts/fuzz.sh BUILD SECONDS JOBS [TARGET...]
#
# Each target starts from its seed corpus (tests/fuzz/corpus/NAME) and
# keeps what it learns in BUILD/fuzz-work/NAME/corpus, so that the next run
# goes on from there; the seeds in the source tree are never written. A
# crash leaves its input in BUILD/fuzz-work/NAME/ (crash-*, leak-*,
# timeout-*, oom-*) and the run's log beside it; docs/fuzzing.md says how
# to add it to the corpus. JOBS targets run at once. Exits 1 when any
# target found a crash.
set -eu

BUILD=${1:?usage: fuzz.sh BUILD SECONDS JOBS [TARGET...]}
SECONDS_EACH=${2:-60}
JOBS=${3:-1}
if [ $# -ge 3 ]; then shift 3; else shift $#; fi
TOP=$(cd "$(dirname "$0")/.." && pwd)
WORK="$BUILD/fuzz-work"
mkdir -p "$WORK"

if [ $# -gt 0 ]; then
	TARGETS="$*"
else
	TARGETS=$(ls "$TOP/tests/fuzz"/*.c | sed 's|.*/||; s|\.c$||' |
		grep -v '^replay$')
fi

# One target: its run, its log, its line of figures in WORK/NAME/result.
run_one() {
	name=$1
	dir="$WORK/$name"
	mkdir -p "$dir/corpus"
	rm -f "$dir/result"
	# A target may need its name tables (CARTEL_DATA) and a fixed today.
	CARTEL_DATA="$TOP/data" CARTEL_TODAY=2026-12-01 \
	ASAN_OPTIONS=detect_leaks=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	/usr/bin/time -f '%U %S' -o "$dir/cpu" \
	"$BUILD/fuzz/fuzz_$name" \
		-max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="$dir/" \
		"$dir/corpus" "$TOP/tests/fuzz/corpus/$name" \
		>"$dir/log" 2>&1 || true
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/log")
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$dir/log")
	secs=$(sed -n 's/^stat::.*//; s/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$dir/log")
	crashes=$(find "$dir" -maxdepth 1 -type f \( -name 'crash-*' \
		-o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) |
		wc -l)
	if [ -z "$secs" ]; then
		# Stopped early (a crash): the last status line has the time.
		secs=$(grep -o 'secs: [0-9]*' "$dir/log" | tail -1 |
			sed 's/secs: //')
	fi
	# Executions per second of processor time: what the target costs,
	# whatever else the machine runs (the wall-clock rate falls with the
	# load average; this one does not).
	cpu=$(awk 'NF == 2 && $1 ~ /^[0-9.]+$/ { c = $1 + $2 } END { if (c > 0) print c }' "$dir/cpu" 2>/dev/null)
	per_cpu=$(awk -v e="${execs:-0}" -v c="${cpu:-0}" 'BEGIN { if (c > 0) printf "%d", e / c; else print "?" }')
	echo "$name ${rate:-?} ${execs:-?} ${secs:-?} $crashes $per_cpu" >"$dir/result"
}

if [ "$JOBS" -le 1 ]; then
	for t in $TARGETS; do
		echo "fuzzing $t for ${SECONDS_EACH}s..." >&2
		run_one "$t"
	done
else
	echo "fuzzing $(echo $TARGETS | wc -w) targets, $JOBS at a time, ${SECONDS_EACH}s each..." >&2
	export BUILD SECONDS_EACH TOP WORK
	# xargs runs this script's own run_one through a fresh shell.
	for t in $TARGETS; do echo "$t"; done |
		xargs -P "$JOBS" -I{} sh -c "$(sed -n '/^run_one() {/,/^}/p' "$0"); run_one {}"
fi

found=0
printf '%-14s %10s %12s %8s %8s %10s\n' target exec/s execs seconds crashes exec/cpu-s
echo "(load average $(cut -d' ' -f1-3 /proc/loadavg))"
for t in $TARGETS; do
	r="$WORK/$t/result"
	if [ ! -f "$r" ]; then
		printf '%-14s %10s %12s %8s %8s\n' "$t" - - - "did not run"
		found=1
		continue
	fi
	set -- $(cat "$r")
	printf '%-14s %10s %12s %8s %8s %10s\n' "$1" "$2" "$3" "$4" "$5" "${6:-?}"
	[ "$5" = 0 ] || found=1
done
if [ $found -ne 0 ]; then
	echo "crashes found: see $WORK/TARGET/ (docs/fuzzing.md)" >&2
	exit 1
fi
