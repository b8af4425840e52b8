#!/bin/sh
# Event import benchmark (issue 9's figure): in the same run, `cartel
# import csv` of a generated list of N persons, then `cartel event import`
# of N events on those persons (one per person: consent, health or notes in
# turn, each checked by the rule of `event add`). Prints rows per second of
# both and their ratio; the goal is at least 0.5. The processor time
# (user + system) of each is printed too, and the ratio by it: on a
# machine others load, wall-clock time says more about them than about
# cartel.
#
#   BUILD=build-dir TOP=source-dir sh bench/bench_event_import.sh [ROWS...]
#
# Default size: 100000 rows.
set -eu
BUILD=${BUILD:-build}
TOP=${TOP:-$(cd "$(dirname "$0")/.." && pwd)}
case "$BUILD" in /*) ;; *) BUILD="$TOP/$BUILD" ;; esac
CARTEL="$BUILD/cartel"
[ -x "$CARTEL" ] || { echo "bench_event_import: build first ($CARTEL missing)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "bench_event_import: /usr/bin/time missing (package time, scripts/deps.sh)" >&2; exit 1; }

SIZES=${*:-100000}
T=$(mktemp -d "${TMPDIR:-/tmp}/cartel-bench-events.XXXXXX")
trap 'rm -rf "$T"' EXIT

timed() {
	/usr/bin/time -f "%e %M %U %S" -o "$T/time.txt" "$@" >"$T/cmd.out" 2>"$T/cmd.err" || {
		echo "bench_event_import: failed: $*" >&2
		cat "$T/cmd.err" "$T/cmd.out" >&2
		exit 1
	}
	read -r WALL RSS USR SYS <"$T/time.txt"
	CPU=$(awk -v u="$USR" -v s="$SYS" 'BEGIN { printf "%.2f", u + s }')
}

echo "event import vs import csv ($(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); both: validation, events, audit chain)"
printf '%9s %9s %11s %9s %11s %6s %8s %8s %9s %11s\n' \
	rows "import s" "import r/s" "events s" "events r/s" ratio \
	"imp cpu" "evt cpu" "cpu ratio" "events RSS"
for rows in $SIZES; do
	per_side=$((rows / 2))
	csv="$T/persons.csv"
	"$CARTEL" generate --per-side "$per_side" --seed 1 --today 2025-06-30 -o "$csv" >/dev/null
	n=$(($(wc -l <"$csv") - 1))
	rm -f "$T"/r.db*
	"$CARTEL" --db "$T/r.db" init >/dev/null
	timed "$CARTEL" --db "$T/r.db" import csv "$csv" --rejects "$T/rejects.csv"
	import_s=$WALL
	import_cpu=$CPU
	grep -q "$n imported, 0 rejected" "$T/cmd.out" || {
		echo "bench_event_import: import was not clean: $(cat "$T/cmd.out")" >&2
		exit 1
	}
	# One event per person, fields in turn; values every person may take.
	"$CARTEL" --db "$T/r.db" export csv | awk -F, 'NR > 1 {
		k = (NR % 3)
		if (k == 0) print $1 ",consent,undecided,icrc_visit,ICRC delegate,,visit " NR
		else if (k == 1) print $1 ",health,sick,icrc_visit,ICRC delegate,,visit " NR
		else print $1 ",notes,seen at the visit,icrc_visit,ICRC delegate,,visit " NR
	} BEGIN { print "person_id,field,value,source,by,at,note" }' >"$T/events.csv"
	m=$(($(wc -l <"$T/events.csv") - 1))
	timed "$CARTEL" --db "$T/r.db" event import "$T/events.csv" --rejects "$T/ev_rejects.csv"
	events_s=$WALL
	events_cpu=$CPU
	events_rss=$RSS
	grep -q "$m events recorded, 0 rejected" "$T/cmd.out" || {
		echo "bench_event_import: event import was not clean: $(cat "$T/cmd.out")" >&2
		exit 1
	}
	awk -v n="$n" -v m="$m" -v i="$import_s" -v e="$events_s" -v r="$events_rss" \
		-v ic="$import_cpu" -v ec="$events_cpu" 'BEGIN {
		if (i <= 0) i = 0.01; if (e <= 0) e = 0.01;
		if (ic <= 0) ic = 0.01; if (ec <= 0) ec = 0.01;
		printf "%9d %9.2f %11.0f %9.2f %11.0f %6.2f %8.2f %8.2f %9.2f %7.0f MiB\n",
			n, i, n / i, e, m / e, (m / e) / (n / i), ic, ec,
			(m / ec) / (n / ic), r / 1024
	}'
done
echo "ratio = event import rows/s / import csv rows/s, by wall-clock time (the goal is at least 0.5);"
echo "cpu ratio: the same by processor time (user + system); load average when it ended: $(cut -d' ' -f1-3 /proc/loadavg)"
