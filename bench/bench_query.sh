#!/bin/sh
# Free-text search (`make bench`): the hard-query table of
# tests/data/hard_queries.tsv (names typed as people type them: surnames in
# -ович/-евич/-ин/-ина/-ова, Latin spellings, initials, diminutives, a
# patronymic left out, day and month swapped) against the demo register of
# 20,000 persons (seed 0, reference date 2026-12-01) and the persons and
# namesakes of tests/data/query_persons.csv: the share answered with the
# right person first and the median time per query, in one process with
# the register open and its search index built (match_bench queries).
# The median on a 1,000,000-person register is bench_match.sh's search
# figure (match_bench search: the same reading and choosing).
set -eu
BUILD=${BUILD:-build}
TOP=${TOP:-$(cd "$(dirname "$0")/.." && pwd)}
case $BUILD in /*) ;; *) BUILD="$TOP/$BUILD" ;; esac
export CARTEL_DATA="${CARTEL_DATA:-$TOP/data}"
W=$(mktemp -d "${TMPDIR:-/tmp}/cartel-bench-query.XXXXXX")
trap 'rm -rf "$W"' EXIT

echo "== free-text search: the hard-query table =="
"$BUILD/cartel" --db "$W/reg.db" demo --seed 0 --today 2026-12-01 > /dev/null 2>&1
"$BUILD/cartel" --db "$W/reg.db" import csv "$TOP/tests/data/query_persons.csv" > /dev/null
"$BUILD/cartel" --db "$W/reg.db" search --rebuild-index > /dev/null 2>&1
"$BUILD/match_bench" queries "$W/reg.db" "$TOP/tests/data/hard_queries.tsv"
