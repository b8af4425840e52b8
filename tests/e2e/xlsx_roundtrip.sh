#!/bin/sh
# Workbooks in and out: the register exported as a workbook and imported
# into a fresh register gives the same register (the CSV exports of both
# are byte for byte the same); a clerk's workbook (a merged header, empty
# and formatted rows, dates as serial numbers in two formats and as text,
# shared, rich and inline strings, a formula, a formula-like name) imports
# as she sees it, with its bad row rejected under its sheet row number; a
# formula-like name is written back as a string, never a formula.
set -eu
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
D="$TOP/tests/e2e/data"
fail() { echo "FAIL: $*" >&2; exit 1; }
export CARTEL_NOW=2026-01-02T03:04:05Z
A="$CARTEL --db $T/a.db"
B="$CARTEL --db $T/b.db"

$A init >/dev/null
$A import csv "$D/round_persons.csv" >/dev/null
$A person add id=UA-900 family_name="=HYPERLINK(\"http://x\")" \
	given_name=@SUM status=confirmed_captive birth_date=1990-05 --by clerk \
	--source icrc_visit >/dev/null || fail "person add"
$A event add UA-900 attr:barracks 7 --by clerk --source icrc_visit \
	>/dev/null || fail "attr"
$A export xlsx -o "$T/reg.xlsx" --to "ICRC" >/dev/null || fail "export xlsx"
# A workbook: a zip with the sheet, a frozen header, no formula anywhere.
unzip -l "$T/reg.xlsx" | grep -q "xl/worksheets/sheet1.xml" || fail "parts"
unzip -p "$T/reg.xlsx" xl/worksheets/sheet1.xml >"$T/sheet.xml"
grep -q '<pane ySplit="1"' "$T/sheet.xml" || fail "header not frozen"
grep -q '<f>' "$T/sheet.xml" && fail "a formula in the workbook"
grep -q '<cols>' "$T/sheet.xml" || fail "no column widths"
grep -q 'HYPERLINK' "$T/sheet.xml" || fail "the formula-like name is lost"
# The transfer log has it, with the file's digest.
[ "$($A --json transfers | jq -r '.transfers[-1] | .kind + " " + .to +
	" " + .sha256')" = "xlsx ICRC $(sha256sum "$T/reg.xlsx" |
	cut -d' ' -f1)" ] || fail "transfer: $($A --json transfers)"

# Imported into a fresh register: the same register.
$B init >/dev/null
$B import xlsx "$T/reg.xlsx" >"$T/out" || fail "import: $(cat "$T/out")"
$A export csv -o "$T/a.csv" >/dev/null
$B export csv -o "$T/b.csv" >/dev/null
cmp -s "$T/a.csv" "$T/b.csv" || { diff "$T/a.csv" "$T/b.csv" | head >&2;
	fail "the round trip changed the register"; }

# A clerk's workbook.
python3 "$D/xlsx_make.py" sample "$T/clerk.xlsx"
C="$CARTEL --db $T/c.db"
$C init >/dev/null
if $C import xlsx "$T/clerk.xlsx" --rejects "$T/rej.csv" >"$T/out" 2>&1
then
	fail "a bad row was not reported"
fi
grep -q "3 imported, 1 rejected" "$T/out" || fail "counts: $(cat "$T/out")"
# The bad date is in the sheet's row 6 (rows 3, 4 are empty).
grep -q '^6,birth_date,' "$T/rej.csv" || fail "reject row: $(cat "$T/rej.csv")"
$C person show UA-1 --json >"$T/p1"
[ "$(jq -r .person.family_name "$T/p1")" = "Коваленко" ] || fail "rich text"
[ "$(jq -r .person.birth_date "$T/p1")" = "1990-05-17" ] || fail "serial date"
[ "$(jq -r .person.captured_on "$T/p1")" = "2024-02-29" ] || fail "custom date"
$C person show UA-2 --json >"$T/p2"
[ "$(jq -r .person.family_name "$T/p2")" = '=HYPERLINK("x")' ] ||
	fail "formula-like text: $(jq -r .person.family_name "$T/p2")"
[ "$(jq -r .person.given_name "$T/p2")" = "+380 Сергій" ] || fail "plus text"
[ "$(jq -r .person.birth_date "$T/p2")" = "1991-02-03" ] || fail "text date"
[ "$(jq -r .person.captured_on "$T/p2")" = "2023" ] || fail "formula value"
[ "$($C person show UA-4 --json | jq -r .person.birth_date)" = "1980-01-01" ] ||
	fail "date with a time"
# All or nothing: the bad row keeps everything out.
E="$CARTEL --db $T/e.db"
$E init >/dev/null
if $E import xlsx "$T/clerk.xlsx" --all-or-nothing --rejects "$T/r2.csv" \
	>/dev/null 2>&1; then
	fail "all or nothing took a file with a bad row"
fi
[ "$(sqlite3 "$T/e.db" "SELECT count(*) FROM persons")" = 0 ] ||
	fail "all or nothing wrote rows"
grep -q '^6,birth_date,' "$T/r2.csv" || fail "all-or-nothing report"
# A chosen sheet.
python3 "$D/xlsx_make.py" two_sheets "$T/two.xlsx"
$E import xlsx "$T/two.xlsx" --sheet Persons >/dev/null || fail "--sheet"
[ "$($E person show RU-7 --json | jq -r .person.family_name)" = "Иванов" ] ||
	fail "the sheet named"
# A reconciliation report as a workbook: the same table as its CSV, every
# cell a string, the header frozen.
R="$CARTEL --db $T/r.db"
$R init >/dev/null
$R import csv "$D/round_reconcile_register.csv" >/dev/null
$R reconcile "$D/round_reconcile_theirs.csv" --party RU --all \
	-o "$T/rec.csv" >/dev/null || fail "reconcile csv"
$R reconcile "$D/round_reconcile_theirs.csv" --party RU --all \
	-o "$T/rec.xlsx" >/dev/null || fail "reconcile xlsx"
unzip -p "$T/rec.xlsx" xl/worksheets/sheet1.xml >"$T/rec.xml"
grep -q '<pane ySplit="1"' "$T/rec.xml" || fail "report header not frozen"
grep -q '<f>' "$T/rec.xml" && fail "a formula in the report"
grep -q ' t="n"\|<c r="[A-Z]*[0-9]*"><v>' "$T/rec.xml" &&
	fail "a number cell in the report"
for v in their_id verdict T-3 ambiguous; do
	grep -q ">$v<" "$T/rec.xml" || fail "the report lacks $v"
done
[ "$(grep -o '<row ' "$T/rec.xml" | wc -l)" = "$(wc -l <"$T/rec.csv")" ] ||
	fail "the report's rows differ from its CSV"
echo ok
