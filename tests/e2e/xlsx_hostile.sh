#!/bin/sh
# Hostile workbooks are refused with a clear error and the register is
# left as it was: a zip bomb (honest about its size, and lying about it),
# an external entity (XXE), a billion laughs, a truncated zip, a file that
# is not a zip, data under an empty (merged) header cell, a sheet with no
# name column, no such sheet. (A sheet of a million rows: xlsx_million.sh.)
set -eu
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
D="$TOP/tests/e2e/data"
fail() { echo "FAIL: $*" >&2; exit 1; }
export CARTEL_NOW=2026-01-02T03:04:05Z
DB="$T/r.db"
C="$CARTEL --db $DB"
$C init >/dev/null
$C import csv "$D/round_persons.csv" >/dev/null
$C audit verify >/dev/null
before=$(sqlite3 "$DB" "SELECT max(seq) FROM audit")
sum() { sqlite3 "$DB" "SELECT count(*), max(seq) FROM audit;
	SELECT count(*) FROM persons"; }
S0=$(sum)

# refused FILE WORDS...: the import fails saying each of WORDS, and the
# register is unchanged.
refused() {
	f=$1
	shift
	if $C import xlsx "$f" "$@" >"$T/out" 2>"$T/err"; then
		fail "$f was imported"
	fi
	[ "$(sum)" = "$S0" ] || fail "$f changed the register"
}
says() {
	grep -qF -- "$1" "$T/err" || fail "no '$1' in: $(cat "$T/err")"
}

python3 "$D/xlsx_make.py" bomb "$T/bomb.xlsx"
[ "$(stat -c %s "$T/bomb.xlsx")" -lt 4000000 ] || fail "the bomb is big"
refused "$T/bomb.xlsx"
says "zip bomb"
python3 "$D/xlsx_make.py" bomb "$T/liar.xlsx" lie
refused "$T/liar.xlsx"
grep -q "zip bomb\|damaged" "$T/err" || fail "liar: $(cat "$T/err")"
python3 "$D/xlsx_make.py" xxe "$T/xxe.xlsx"
refused "$T/xxe.xlsx"
says "document type declaration"
grep -q "root:" "$T/err" "$T/out" && fail "an external entity was read"
python3 "$D/xlsx_make.py" laughs "$T/laughs.xlsx"
refused "$T/laughs.xlsx"
says "document type declaration"
python3 "$D/xlsx_make.py" sample "$T/ok.xlsx"
head -c 2000 "$T/ok.xlsx" >"$T/cut.xlsx"
refused "$T/cut.xlsx"
says "cut.xlsx"
refused "$D/round_persons.csv"
says "not a zip"
python3 "$D/xlsx_make.py" unnamed "$T/unnamed.xlsx"
refused "$T/unnamed.xlsx"
says "row 2, column 3"
grep -q "Тарас" "$T/err" && fail "a cell was quoted"
# A sheet with no name column: refused as the CSV is, not imported as
# persons without names.
python3 "$D/xlsx_make.py" nameless "$T/nameless.xlsx"
refused "$T/nameless.xlsx"
says "nameless.xlsx: no column of the header is a name"
says "these are fields: id, consent."
refused "$T/ok.xlsx" --sheet Nope
says "no sheet named"
refused "$T/missing.xlsx"
$C audit verify >/dev/null || fail "audit after the refusals"
[ "$(sqlite3 "$DB" "SELECT max(seq) FROM audit")" = "$before" ] ||
	fail "an audit entry was written"
echo ok
