#!/bin/sh
# The exchange planner's figures (issue 4): 100,000 captives held by each
# side; a 1:1 plan in at most 1 s, a plan under a rank scale in at most
# 10 s, proven optimal or with its gap.
#
# Part 1 plans in memory (bench/plan_bench.c): "plan s" is
# cartel_plan_make (rules, priorities, the integer programme, stages),
# "document s" the plan document with its SHA-256 digest.
# Part 2 runs the real command on a generated register of the same size:
# loading 200,000 persons from SQLite, planning, the document, the audit
# entry.
set -eu
BUILD=${BUILD:-build}
TOP=${TOP:-$(cd "$(dirname "$0")/.." && pwd)}
PER_SIDE=${PLAN_BENCH_PER_SIDE:-100000}
export CARTEL_TODAY=2026-06-01
unset CARTEL_DB

echo "== exchange planner, $PER_SIDE held by each side, $(nproc) cores =="
"$BUILD/plan_bench" "$PER_SIDE" 3

WORK=$(mktemp -d "${TMPDIR:-/tmp}/cartel-bench-plan.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
"$BUILD/cartel" generate --per-side "$PER_SIDE" -o "$WORK/gen.csv" >/dev/null
"$BUILD/cartel" --db "$WORK/r.db" init >/dev/null
"$BUILD/cartel" --db "$WORK/r.db" import csv "$WORK/gen.csv" >/dev/null

echo
echo "cartel plan on a register of $((2 * PER_SIDE)) generated persons, $(nproc) cores"
printf '%-30s %-8s %8s %9s %9s %8s\n' policy output "wall s" \
	"UA gives" "RU gives" optimal
for p in one-for-one istanbul-1000-for-1000 dix-hill all-for-all-wounded-and-young; do
	for mode in summary json; do
		flag=""
		[ "$mode" = json ] && flag=--json
		t0=$(date +%s%N)
		"$BUILD/cartel" --db "$WORK/r.db" plan \
			--policy "$TOP/examples/policies/$p.yaml" $flag \
			>"$WORK/out"
		t1=$(date +%s%N)
		wall=$(awk "BEGIN { printf \"%.2f\", ($t1 - $t0) / 1e9 }")
		if [ "$mode" = summary ]; then
			gives=$(sed -n 's/^gives (persons) *//p' "$WORK/out")
			opt=$(grep -q 'proven optimal' "$WORK/out" && echo yes || echo no)
		fi
		printf '%-30s %-8s %8s %9s %9s %8s\n' "$p" "$mode" "$wall" \
			$gives "$opt"
	done
done
