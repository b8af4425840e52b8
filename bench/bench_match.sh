#!/bin/sh
# Matching benchmark (`make bench`): precision, recall, F1, wall time and
# peak memory of `cartel link` on generated corpora of 20,000 and
# 1,000,000 persons (bench/gen_corpus, seeds never used for tuning: see
# docs/matching.md), beside an exact-key join (family name, given name and
# birth date exactly as written: what a spreadsheet lookup finds); the
# blocking's recall and candidates per record; and search against a
# 1,000,000-person register. Prints the truth whatever it is.
#
# Environment: BUILD (build folder), TOP (source root); MATCH_BENCH_SMALL=1
# skips the million-person runs.
set -eu
BUILD=${BUILD:-build}
TOP=${TOP:-$(cd "$(dirname "$0")/.." && pwd)}
case $BUILD in /*) ;; *) BUILD="$TOP/$BUILD" ;; esac
export CARTEL_DATA="${CARTEL_DATA:-$TOP/data}"
GEN="$BUILD/gen_corpus"
MB="$BUILD/match_bench"
CARTEL="$BUILD/cartel"
W=$(mktemp -d "${TMPDIR:-/tmp}/cartel-bench-match.XXXXXX")
trap 'rm -rf "$W"' EXIT
TIME=/usr/bin/time
[ -x "$TIME" ] || TIME=""

echo "== matching ($(nproc) cores) =="
echo
"$MB" translit

# peak KiB and wall seconds of a command, from GNU time when present
run_timed() {
	if [ -n "$TIME" ]; then
		"$TIME" -f '%e %M' -o "$W/time" "$@"
		read -r wall kib < "$W/time"
		echo "  command wall ${wall} s, peak $((kib / 1024)) MiB: $*" | sed "s|$W/||g"
	else
		"$@"
	fi
}

for seed in 202 203; do
	d="$W/c20k-$seed"
	"$GEN" --n 20000 --seed "$seed" --out "$d" > /dev/null
	echo
	echo "-- 20,000 persons, seed $seed, 2 threads --"
	"$MB" link "$d" 2
	# The command end to end: reading, linking, explanations, writing.
	run_timed "$CARTEL" link "$d/left.csv" "$d/right.csv" \
		-o "$d/out.csv" --review "$d/review.csv" --threads 2 2> /dev/null
done

if [ "${MATCH_BENCH_SMALL:-0}" != 1 ]; then
	d="$W/c1m"
	"$GEN" --n 1000000 --seed 301 --out "$d" > /dev/null
	echo
	echo "-- 1,000,000 persons, seed 301, 2 threads --"
	run_timed "$MB" link "$d" 2
	rm -rf "$d"

	echo
	echo "-- search: 1,000,000-person register (cartel generate) --"
	"$CARTEL" generate --per-side 500000 --seed 7 -o "$W/reg.csv" 2> /dev/null
	run_timed "$MB" search "$W/reg.csv" 2000
fi
