#!/bin/sh
# Declaration benchmark (issue 8's figure): N persons held by UA, imported
# into UA's register by `cartel import csv` (validation, events, audit
# chain), declared by `cartel declare held` (sealed and signed) and received
# at the mediator's register by `cartel receive` (every check, then the
# declared persons with the row ledger), in the same run. Prints rows per
# second of import and receive and their ratio (the goal: receive at least
# half the rows per second of import).
#
#   BUILD=build-dir TOP=source-dir sh bench/bench_protocol.sh [N]
#
# Default N: 100000.
set -eu
BUILD=${BUILD:-build}
TOP=${TOP:-$(cd "$(dirname "$0")/.." && pwd)}
case "$BUILD" in /*) ;; *) BUILD="$TOP/$BUILD" ;; esac
CARTEL="$BUILD/cartel"
[ -x "$CARTEL" ] || { echo "bench_protocol: build first ($CARTEL missing)" >&2; exit 1; }
command -v python3 >/dev/null || { echo "bench_protocol: python3 missing" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "bench_protocol: /usr/bin/time missing (package time, scripts/deps.sh)" >&2; exit 1; }

N=${1:-100000}
T=$(mktemp -d "${TMPDIR:-/tmp}/cartel-bench-protocol.XXXXXX")
trap 'rm -rf "$T"' EXIT

# Runs a command under /usr/bin/time; sets WALL (s) and RSS (KiB).
timed() {
	/usr/bin/time -f "%e %M" -o "$T/time.txt" "$@" >"$T/cmd.out" 2>"$T/cmd.err" || {
		echo "bench_protocol: failed: $*" >&2
		cat "$T/cmd.err" >&2
		exit 1
	}
	read -r WALL RSS <"$T/time.txt"
}

# N generated persons, every one held by UA in custody (so that the
# declaration holds exactly the persons imported).
"$CARTEL" generate --per-side $(((N + 1) / 2)) --seed 1 --today 2025-06-30 -o "$T/gen.csv"
python3 - "$T/gen.csv" "$T/held.csv" "$N" <<'EOF'
import csv, sys
n = int(sys.argv[3])
with open(sys.argv[1], newline="") as f, open(sys.argv[2], "w", newline="") as g:
    r = csv.DictReader(f)
    w = csv.DictWriter(g, fieldnames=r.fieldnames)
    w.writeheader()
    for i, row in enumerate(r):
        if i >= n:
            break
        row["held_by"] = "UA"
        row["status"] = "confirmed_captive"
        w.writerow(row)
EOF

"$CARTEL" --db "$T/ua.db" init --party UA >/dev/null
"$CARTEL" --db "$T/med.db" init --mediator CTA >/dev/null
timed "$CARTEL" --db "$T/ua.db" import csv "$T/held.csv" --rejects "$T/rejects.csv"
import_s=$WALL
import_rss=$RSS
grep -q "$N imported, 0 rejected" "$T/cmd.out" || {
	echo "bench_protocol: import was not clean: $(cat "$T/cmd.out")" >&2
	exit 1
}
"$CARTEL" --db "$T/ua.db" key new --party UA -o "$T" >/dev/null
"$CARTEL" --db "$T/med.db" key import "$T/UA.pub" --party UA >/dev/null
timed "$CARTEL" --db "$T/ua.db" declare held -o "$T/held.json" --key "$T/UA.key"
declare_s=$WALL
grep -q "$N persons" "$T/cmd.out" || {
	echo "bench_protocol: declared: $(cat "$T/cmd.out")" >&2
	exit 1
}
mb=$(awk -v b="$(wc -c <"$T/held.json")" 'BEGIN { printf "%.1f", b / 1048576 }')
timed "$CARTEL" --db "$T/med.db" receive "$T/held.json"
receive_s=$WALL
receive_rss=$RSS
grep -q "added $N, dropped 0" "$T/cmd.out" || {
	echo "bench_protocol: received: $(head -3 "$T/cmd.out")" >&2
	exit 1
}
"$CARTEL" --db "$T/med.db" audit verify >/dev/null || {
	echo "bench_protocol: the mediator's audit chain does not hold" >&2
	exit 1
}

echo "a declaration of $N persons held ($(nproc) cores; import csv into the party's register vs receive at the mediator's)"
printf '%9s %8s %9s %11s %10s %10s %11s %6s %11s %11s\n' \
	persons "json MB" "import s" "import r/s" "declare s" "receive s" \
	"receive r/s" ratio "import RSS" "receive RSS"
awk -v n="$N" -v mb="$mb" -v i="$import_s" -v d="$declare_s" -v r="$receive_s" \
    -v ir="$import_rss" -v rr="$receive_rss" 'BEGIN {
	if (i <= 0) i = 0.01; if (r <= 0) r = 0.01;
	printf "%9d %8s %9.2f %11.0f %10.2f %10.2f %11.0f %6.2f %7.0f MiB %7.0f MiB\n",
		n, mb, i, n / i, d, r, n / r, (n / r) / (n / i), ir / 1024, rr / 1024
}'
echo "ratio = receive rows/s / import rows/s (the goal is at least 0.5)"
