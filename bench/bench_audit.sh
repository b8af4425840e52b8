#!/bin/sh
# Audit benchmark (issue 12's figure): `cartel audit verify` on a register
# of AUDIT_PERSONS persons (default 1,000,000) with five events each: the
# creation event of each person from `cartel generate` + `import csv`,
# then four health changes per person, each with its own audit entry as
# `cartel event add` leaves them, written by bench/audit_bench (fast mode,
# see its opening comment). Prints the wall, user and system seconds and
# the peak memory of the verify (the goal: at most 30 s for 1,000,000
# persons and 5,000,000 events), with the load average before it.
#
#   BUILD=build-dir TOP=source-dir sh bench/bench_audit.sh
#
# Environment: AUDIT_PERSONS (even; 0 skips this benchmark),
# AUDIT_REPEATS (verify runs, default 1), AUDIT_CACHE (folder). The
# register is made once and kept in AUDIT_CACHE (default BUILD/bench-cache),
# named by the cartel version, a checksum of the schema migrations (the
# file format) and the size; delete it to make it again.
set -eu
BUILD=${BUILD:-build}
TOP=${TOP:-$(cd "$(dirname "$0")/.." && pwd)}
case "$BUILD" in /*) ;; *) BUILD="$TOP/$BUILD" ;; esac
CARTEL="$BUILD/cartel"
AB="$BUILD/audit_bench"
PERSONS=${AUDIT_PERSONS:-1000000}
REPEATS=${AUDIT_REPEATS:-1}
if [ "$PERSONS" -eq 0 ]; then
	echo "audit verify: skipped (AUDIT_PERSONS=0)"
	exit 0
fi
[ -x "$CARTEL" ] && [ -x "$AB" ] || { echo "bench_audit: build first ($CARTEL, $AB)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "bench_audit: /usr/bin/time missing (package time, scripts/deps.sh)" >&2; exit 1; }

version=$("$CARTEL" --version | tr -c 'A-Za-z0-9.\n' '_')
schema=$(cksum <"$TOP/src/lib/store/migrations.c" | cut -d' ' -f1)
CACHE=${AUDIT_CACHE:-$BUILD/bench-cache}
DB="$CACHE/audit-$version-$schema-$PERSONS.db"
T=$(mktemp -d "${TMPDIR:-/tmp}/cartel-bench-audit.XXXXXX")
trap 'rm -rf "$T"' EXIT

# Runs a command under /usr/bin/time; sets WALL, USER_S, SYS_S (s), RSS (KiB).
timed() {
	/usr/bin/time -f "%e %U %S %M" -o "$T/time.txt" "$@" >"$T/cmd.out" 2>"$T/cmd.err" || {
		echo "bench_audit: failed: $*" >&2
		cat "$T/cmd.out" "$T/cmd.err" >&2
		exit 1
	}
	read -r WALL USER_S SYS_S RSS <"$T/time.txt"
}

echo "audit verify ($(nproc) cores; $PERSONS persons, 5 events each, one audit entry per later event)"
if [ ! -f "$DB" ]; then
	mkdir -p "$CACHE"
	work="$CACHE/audit-making.db"
	rm -f "$work" "$work"-*
	timed "$CARTEL" generate --per-side $((PERSONS / 2)) --seed 1 --today 2025-06-30 -o "$T/persons.csv"
	"$CARTEL" --db "$work" init >/dev/null
	timed "$CARTEL" --db "$work" import csv "$T/persons.csv"
	grep -q "$PERSONS imported, 0 rejected" "$T/cmd.out" || {
		echo "bench_audit: import was not clean: $(cat "$T/cmd.out")" >&2
		exit 1
	}
	echo "  made: import $WALL s"
	timed "$AB" fast "$work" 4
	echo "  made: $(cat "$T/cmd.out")"
	for s in -wal -shm; do
		[ ! -f "$work$s" ] || mv "$work$s" "$DB$s"
	done
	mv "$work" "$DB"
fi
printf '%9s %9s %9s %8s %8s %8s %9s %s\n' \
	persons events entries "wall s" "user s" "sys s" "peak RSS" "load before"
i=0
while [ "$i" -lt "$REPEATS" ]; do
	i=$((i + 1))
	load=$(cut -d' ' -f1-3 /proc/loadavg)
	timed "$CARTEL" --db "$DB" audit verify
	# "the audit chain holds: E entries, V events, P persons, ..."
	set -- $(sed -n 's/^the audit chain holds: \([0-9]*\) entries, \([0-9]*\) events, \([0-9]*\) persons.*/\1 \2 \3/p' "$T/cmd.out")
	[ $# -eq 3 ] || { echo "bench_audit: verify said: $(cat "$T/cmd.out")" >&2; exit 1; }
	printf '%9d %9d %9d %8.2f %8.2f %8.2f %5.0f MiB %s\n' \
		"$3" "$2" "$1" "$WALL" "$USER_S" "$SYS_S" "$((RSS / 1024))" "$load"
done
echo "goal: at most 30 s of wall time for 1,000,000 persons and 5,000,000 events"
