#!/bin/sh
# gen_corpus writes two lists of the same people and the truth: the same
# seed gives the same bytes, the truth names rows of both lists one to one,
# both lists are valid import CSV (they import with zero rejects), and bad
# options are refused.
set -eu
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
G="$BUILD/gen_corpus"
[ -x "$G" ] || fail "no $G"

"$G" --n 1500 --seed 4 --today 2025-06-30 --out "$T/a"
"$G" --n 1500 --seed 4 --today 2025-06-30 --out "$T/b"
for f in left.csv right.csv truth.csv; do
	cmp -s "$T/a/$f" "$T/b/$f" || fail "$f differs for the same seed"
done
"$G" --n 1500 --seed 5 --today 2025-06-30 --out "$T/c"
cmp -s "$T/a/left.csv" "$T/c/left.csv" && fail "seeds 4 and 5 gave the same list"

head -1 "$T/a/left.csv" | grep -q '^id,family_name,given_name,patronymic,birth_date,birth_place' \
	|| fail "left.csv header"
[ "$(head -1 "$T/a/truth.csv")" = "left_id,right_id" ] || fail "truth header"
nl=$(($(wc -l <"$T/a/left.csv") - 1))
nr=$(($(wc -l <"$T/a/right.csv") - 1))
nt=$(($(wc -l <"$T/a/truth.csv") - 1))
[ "$nt" -gt 1000 ] && [ "$nt" -lt "$nl" ] && [ "$nt" -lt "$nr" ] \
	|| fail "implausible sizes: left $nl, right $nr, truth $nt"
# One to one, and every id exists.
[ "$(cut -d, -f1 "$T/a/truth.csv" | sort | uniq -d | wc -l)" -eq 0 ] || fail "left id twice in truth"
[ "$(cut -d, -f2 "$T/a/truth.csv" | sort | uniq -d | wc -l)" -eq 0 ] || fail "right id twice in truth"
tail -n +2 "$T/a/truth.csv" | cut -d, -f1 | sort >"$T/tl"
tail -n +2 "$T/a/left.csv" | cut -d, -f1 | sort >"$T/ll"
[ "$(comm -23 "$T/tl" "$T/ll" | wc -l)" -eq 0 ] || fail "truth names unknown left ids"

# Both lists are valid import CSV.
for side in left right; do
	$CARTEL --db "$T/$side.db" init >/dev/null
	$CARTEL --db "$T/$side.db" import csv "$T/a/$side.csv" \
		--rejects "$T/$side.rej" >"$T/$side.out" || fail "$side import failed"
	grep -q " 0 rejected" "$T/$side.out" || fail "$side: $(cat "$T/$side.out"); $(head -3 "$T/$side.rej")"
done

# Latin spellings and capitals are there.
grep -q '^R[0-9]*,[A-Z][a-z]' "$T/a/right.csv" || fail "no Latin names in right.csv"
grep -qF 'ОВИЧ,' "$T/a/left.csv" || fail "no capitals in left.csv"

set +e
"$G" --typo 2 --out "$T/x" >/dev/null 2>&1; rc=$?
[ "$rc" -eq 2 ] || fail "--typo 2 gave $rc"
"$G" --n 0 --out "$T/x" >/dev/null 2>&1; rc=$?
[ "$rc" -eq 2 ] || fail "--n 0 gave $rc"
"$G" --bogus 1 >/dev/null 2>&1; rc=$?
[ "$rc" -eq 2 ] || fail "--bogus gave $rc"
set -e
echo ok
