#!/bin/sh
# Matching benchmark (`make bench`): precision, recall, F1, wall time and
# peak memory of `cartel link` on generated corpora of 20,000 and
# 1,000,000 persons (bench/gen_corpus, seeds never used for tuning: see
# docs/matching.md), beside an exact-key join (family name, given name and
# birth date exactly as written: what a spreadsheet lookup finds); the
# blocking's recall and candidates per record; and search against a
# 1,000,000-person register: the query alone (match_bench) and the real
# `cartel search` command through the search index kept beside the
# register (median and p90 of 200 queries, the index's one-off build), and
# the same searches in one process with the register open (match_bench
# search-db: a request's cost without the command's start-up).
# Prints the truth whatever it is.
#
# Environment: BUILD (build folder), TOP (source root); MATCH_BENCH_SMALL=1
# skips the million-person runs; MATCH_BENCH_SEARCH_ONLY=1 runs only the
# `cartel search` one.
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

# Wall milliseconds of one command (output discarded), into $MS.
ms_of() {
	t0=$(date +%s%N)
	"$@" > /dev/null 2>&1
	t1=$(date +%s%N)
	MS=$(( (t1 - t0) / 1000000 ))
}

# The real `cartel search` command against a register imported from $1:
# the one-off build of the search index, then N queries (names of the
# register's own rows, every other one with its birth date) through the
# index, as a hotline operator runs them one by one; and a few through
# --no-index (the register loaded whole, as before the index).
bench_search_cmd() {
	csv=$1
	nq=$2
	db="$W/search.db"
	rm -f "$db" "$db".*
	"$CARTEL" --db "$db" init > /dev/null
	"$CARTEL" --db "$db" import csv "$csv" > /dev/null
	n=$(($(wc -l < "$csv") - 1))
	echo "  load before: $(cut -d' ' -f1-3 /proc/loadavg)"
	ms_of "$CARTEL" --db "$db" search --rebuild-index
	build_ms=$MS
	ix_mb=$(( $(stat -c %s "$db.search") / 1048576 ))
	db_mb=$(( $(stat -c %s "$db") / 1048576 ))
	step=$(( n / nq ))
	[ "$step" -ge 1 ] || step=1
	awk -F, -v step="$step" -v nq="$nq" \
		'NR > 1 && (NR - 2) % step == 0 && k < nq {
			k++
			born = (k % 2 == 0 && $5 != "") ? "--born " $5 : ""
			print born "\t" $2 " " $3
		}' "$csv" > "$W/queries"
	: > "$W/ms"
	while IFS='	' read -r born name; do
		# shellcheck disable=SC2086
		ms_of "$CARTEL" --db "$db" search $born $name
		echo "$MS" >> "$W/ms"
	done < "$W/queries"
	# The same work without a command's start-up: one process keeps the
	# register open and searches through the saved index (as a server).
	"$MB" search-db "$db" "$csv" 2000 | sed 's/^/  /'
	: > "$W/ms-old"
	head -n 3 "$W/queries" | while IFS='	' read -r born name; do
		# shellcheck disable=SC2086
		ms_of "$CARTEL" --db "$db" search --no-index $born $name
		echo "$MS" >> "$W/ms-old"
	done
	echo "  load after:  $(cut -d' ' -f1-3 /proc/loadavg)"
	sort -n "$W/ms" | awk -v n="$n" -v b="$build_ms" -v ix="$ix_mb" \
		-v db="$db_mb" '{ v[NR] = $1 } END {
		m = v[int((NR + 1) / 2)]; p = v[int(NR * 0.9 + 0.5)]
		printf "  %d persons: register %d MiB, search index %d MiB, built once in %.1f s\n", n, db, ix, b / 1000
		printf "  cartel search, %d queries through the index: median %d ms, p90 %d ms, max %d ms\n", NR, m, p, v[NR]
	}'
	sort -n "$W/ms-old" | awk '{ v[NR] = $1 } END {
		printf "  cartel search --no-index (the register loaded whole), %d queries: median %.1f s\n", NR, v[int((NR + 1) / 2)] / 1000
	}'
	rm -f "$db" "$db".*
}

if [ "${MATCH_BENCH_SEARCH_ONLY:-0}" = 1 ]; then
	echo
	echo "-- cartel search: 1,000,000-person register (cartel generate + import) --"
	"$CARTEL" generate --per-side 500000 --seed 7 -o "$W/reg.csv" 2> /dev/null
	bench_search_cmd "$W/reg.csv" 200
	exit 0
fi

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
	"$GEN" --n 1000000 --seed 303 --out "$d" > /dev/null
	echo
	echo "-- 1,000,000 persons, seed 303, 2 threads --"
	run_timed "$MB" link "$d" 2
	rm -rf "$d"

	# How the command's time grows with the lists (seed 303 throughout):
	# the whole command, reading and writing included.
	echo
	echo "-- cartel link: time by list size (seed 303, 2 threads) --"
	[ -n "$TIME" ] && for n in 20000 100000 300000 1000000; do
		d="$W/grow-$n"
		"$GEN" --n "$n" --seed 303 --out "$d" > /dev/null
		rows=$(($(wc -l < "$d/left.csv") - 1))
		"$TIME" -f '%e %M' -o "$W/time" "$CARTEL" link "$d/left.csv" \
			"$d/right.csv" -o "$d/out.csv" --threads 2 2> /dev/null
		read -r wall kib < "$W/time"
		awk -v n="$n" -v r="$rows" -v w="$wall" -v k="$kib" 'BEGIN {
			printf "  %8d persons (%7d rows a side): %6.2f s, %5.1f us a row, peak %d MiB\n", n, r, w, w * 1e6 / r, k / 1024 }'
		rm -rf "$d"
	done

	echo
	echo "-- search: 1,000,000-person register (cartel generate) --"
	"$CARTEL" generate --per-side 500000 --seed 7 -o "$W/reg.csv" 2> /dev/null
	run_timed "$MB" search "$W/reg.csv" 2000

	echo
	echo "-- cartel search: the same register imported (cartel import) --"
	bench_search_cmd "$W/reg.csv" 200
fi
