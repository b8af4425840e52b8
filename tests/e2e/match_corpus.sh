#!/bin/sh
# cartel link on a small generated corpus (bench/gen_corpus, 2,000 persons,
# a seed of its own): the output contract holds and the pairs agree with
# the truth well enough that a regression in normalisation, blocking or
# scoring shows (precision >= 0.98, recall >= 0.90 at this size; the
# benchmark measures the real figures on larger corpora).
set -eu
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
"$BUILD/gen_corpus" --n 2000 --seed 77 --out "$T" > /dev/null
"$CARTEL" link "$T/left.csv" "$T/right.csv" -o "$T/out.csv" \
	--review "$T/review.csv" 2> "$T/err"
head -1 "$T/out.csv" | grep -qx 'left_id,right_id,score,explanation'
# One-to-one: no id twice on either side.
[ -z "$(tail -n +2 "$T/out.csv" | cut -d, -f1 | sort | uniq -d)" ]
[ -z "$(tail -n +2 "$T/out.csv" | cut -d, -f2 | sort | uniq -d)" ]
tail -n +2 "$T/truth.csv" | sort > "$T/truth.s"
tail -n +2 "$T/out.csv" | cut -d, -f1,2 | sort > "$T/got.s"
tp=$(comm -12 "$T/truth.s" "$T/got.s" | wc -l)
got=$(wc -l < "$T/got.s")
want=$(wc -l < "$T/truth.s")
echo "pairs $got, true $want, right $tp"
awk -v tp="$tp" -v got="$got" -v want="$want" 'BEGIN {
	p = tp / got; r = tp / want
	printf "precision %.4f recall %.4f\n", p, r
	if (p < 0.98 || r < 0.90) exit 1
}'
# The same corpus deduplicated as one list: each true pair's two records
# are in one cluster far more often than not.
{ cat "$T/left.csv"; tail -n +2 "$T/right.csv"; } > "$T/both.csv"
"$CARTEL" dedupe "$T/both.csv" -o "$T/clusters.csv" 2> /dev/null
[ "$(wc -l < "$T/clusters.csv")" -eq "$(wc -l < "$T/both.csv")" ]
