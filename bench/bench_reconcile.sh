#!/bin/sh
# Reconciliation benchmark (issue 4's figure: a 10,000-name counterpart
# list against a 100,000-person register in at most 2 s).
#
# The register is the detaining side's list of the matching corpus
# (bench/gen_corpus: the other language's spellings, DD.MM.YYYY, typos,
# namesakes, brothers and twins), imported as confirmed captives; the
# counterpart list is the families' list of the same corpus (own language,
# Latin spellings, diminutives), cut to the size asked. Times the whole
# `cartel reconcile` command (loading the register, building the index,
# one query per row, the report and its audit entry), and scores its
# "matched" verdicts against the corpus truth.
#
#   BUILD=build-dir TOP=source-dir sh bench/bench_reconcile.sh [REG:LIST ...]
#
# Default: 100000:10000.
set -eu
BUILD=${BUILD:-build}
TOP=${TOP:-$(cd "$(dirname "$0")/.." && pwd)}
case "$BUILD" in /*) ;; *) BUILD="$TOP/$BUILD" ;; esac
CARTEL="$BUILD/cartel"
GEN="$BUILD/gen_corpus"
[ -x "$CARTEL" ] && [ -x "$GEN" ] ||
	{ echo "bench_reconcile: build first ($CARTEL, $GEN)" >&2; exit 1; }
[ -x /usr/bin/time ] ||
	{ echo "bench_reconcile: /usr/bin/time missing (package time)" >&2; exit 1; }

SIZES=${*:-100000:10000}
T=$(mktemp -d "${TMPDIR:-/tmp}/cartel-bench-reconcile.XXXXXX")
trap 'rm -rf "$T"' EXIT

echo "reconcile a counterpart list against the register ($(nproc) cores)"
printf '%9s %7s %7s %7s %7s %8s %8s %8s %8s %9s %9s %7s\n' register list \
	wall_s cpu_s load_s match_s decide_s matched correct ambiguous \
	not_held RSS_MB
for size in $SIZES; do
	reg=${size%%:*}
	list=${size##*:}
	# The corpus drops some persons from one list or the other: ask for
	# enough that the register reaches its size.
	n=$((reg + reg / 6))
	rm -rf "$T/c" "$T"/r.db*
	mkdir "$T/c"
	"$GEN" --n "$n" --seed 11 --out "$T/c" >/dev/null
	# Held: the register's persons are confirmed captives.
	awk -v max="$reg" 'NR == 1 { print $0 ",status"; next }
		NR <= max + 1 { print $0 ",confirmed_captive" }' \
		"$T/c/left.csv" >"$T/register.csv"
	head -n $((list + 1)) "$T/c/right.csv" >"$T/list.csv"
	"$CARTEL" --db "$T/r.db" init >/dev/null
	# A few corpus rows carry impossible dates (a birth in the future)
	# that the register rejects: count what it took.
	"$CARTEL" --db "$T/r.db" import csv "$T/register.csv" \
		--rejects "$T/rejects.csv" >"$T/import.out" || :
	got_reg=$(sed -n 's/.* \([0-9]*\) imported.*/\1/p' "$T/import.out")
	[ -n "$got_reg" ] ||
		{ echo "bench_reconcile: import failed" >&2; exit 1; }
	got_list=$(($(wc -l <"$T/list.csv") - 1))
	/usr/bin/time -f "%e %M %U %S" -o "$T/time" "$CARTEL" --db "$T/r.db" \
		reconcile "$T/list.csv" --json -o "$T/out.csv" >"$T/out.json"
	read -r wall rss usr sys <"$T/time"
	cpu=$(awk -v u="$usr" -v s="$sys" 'BEGIN { print u + s }')
	secs=$(sed 's/.*"seconds":{"load":\([0-9.e-]*\),"match":\([0-9.e-]*\),"decide":\([0-9.e-]*\)}.*/\1 \2 \3/' \
		"$T/out.json")
	set -- $secs
	# Score the matched verdicts: (their id, our id) is a true pair?
	score=$(awk -F, 'NR == FNR { if (FNR > 1) truth[$2] = $1; next }
		FNR == 1 { next }
		$3 == "matched" { m++; if (truth[$2] == $4) ok++ }
		$3 == "ambiguous" { a++ }
		$3 == "not_held" { nh++ }
		END { printf "%d %d %d %d", m, ok, a, nh }' \
		"$T/c/truth.csv" "$T/out.csv")
	set -- "$1" "$2" "$3" $score
	printf '%9d %7d %7.2f %7.2f %7.2f %8.2f %8.2f %8d %8d %9d %9d %7.0f\n' \
		"$got_reg" "$got_list" "$wall" "$cpu" "$1" "$2" "$3" "$4" "$5" \
		"$6" "$7" "$(awk -v k="$rss" 'BEGIN { print k / 1024 }')"
done
echo "(wall: the whole command, process start and audit entry included;"
echo " cpu: user + system seconds of it, over all threads;"
echo " load: both lists read; match: the engine's link of the list with"
echo " the register, every pair kept; decide: verdicts and candidates;"
echo " correct: matched verdicts that are true pairs of the corpus)"
