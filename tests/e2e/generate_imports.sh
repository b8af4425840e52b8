#!/bin/sh
# cartel generate writes the import CSV; every row imports with zero
# rejects, the same seed gives the same bytes, and a failed write leaves no
# half file behind.
set -eu
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

$CARTEL generate --per-side 400 --seed 21 -o "$T/a.csv"
$CARTEL generate --per-side 400 --seed 21 >"$T/b.csv"
cmp -s "$T/a.csv" "$T/b.csv" || fail "same seed, different bytes"
$CARTEL generate --per-side 400 --seed 22 >"$T/c.csv"
cmp -s "$T/a.csv" "$T/c.csv" && fail "different seeds, same bytes"
[ "$(wc -l <"$T/a.csv")" -eq 801 ] || fail "not 800 rows"
head -1 "$T/a.csv" | grep -q '^id,family_name,given_name,patronymic,birth_date' \
	|| fail "not the import header"

$CARTEL --db "$T/r.db" init >/dev/null
$CARTEL --db "$T/r.db" import csv "$T/a.csv" --all-or-nothing \
	>"$T/out.txt" || fail "import failed: $(cat "$T/out.txt")"
grep -q "800 rows read, 800 imported, 0 rejected" "$T/out.txt" \
	|| fail "not a clean import: $(cat "$T/out.txt")"
[ ! -e "$T/a.csv.rejects.csv" ] || fail "a reject file was written"
grep -q "extra attributes" "$T/out.txt" && fail "unknown columns reported"
$CARTEL --db "$T/r.db" audit verify >/dev/null || fail "audit chain broken"

# Both clerks' languages are present: Russian spelling in RU's rows,
# Ukrainian in UA's.
grep '^RU-' "$T/a.csv" | grep -q 'вич,' || fail "no Russian patronymics"
grep '^UA-' "$T/a.csv" | grep -q 'ович,' || fail "no patronymics at UA"
if grep '^RU-' "$T/a.csv" | cut -d, -f2-4 | grep -q '[іїєґІЇЄҐ]'; then
	fail "Ukrainian letters in the Russian register"
fi

# Bad usage exits 2; an unwritable target exits 1 and leaves nothing.
set +e
$CARTEL generate --per-side x >/dev/null 2>&1; rc=$?
[ "$rc" -eq 2 ] || fail "--per-side x gave $rc"
$CARTEL generate --bogus >/dev/null 2>&1; rc=$?
[ "$rc" -eq 2 ] || fail "--bogus gave $rc"
$CARTEL generate -o "$T/nodir/x.csv" >/dev/null 2>&1; rc=$?
[ "$rc" -eq 1 ] || fail "unwritable -o gave $rc"
set -e
[ ! -e "$T/nodir" ] || fail "something was written"
echo "ok"
