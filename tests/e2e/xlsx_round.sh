#!/bin/sh
# A loaded round's lists as a workbook (`cartel export xlsx --round ID`):
# read back with the project's own workbook reader (tests/tools/xlsx_cat),
# each list is a sheet holding each person in the list's order with his
# stage, only the fields both parties agreed to print, and his handover
# status as the register has it now; birth dates are date cells, the header
# is frozen with a filter, a formula-like name is a string, never a
# formula; the export is in the transfer log. A round not loaded, or one
# whose stored document was changed behind the register's back, writes
# nothing.
set -eu
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
D="$TOP/tests/e2e/data"
X="$BUILD/xlsx_cat"
fail() { echo "FAIL: $*" >&2; exit 1; }
export CARTEL_NOW=2026-01-02T03:04:05Z
DB="$T/r.db"
C="$CARTEL --db $DB"
$C init >/dev/null
$C import csv "$D/round_persons.csv" >/dev/null
$C event add RU-4 family_name '=SUM(A1:A9)' --by clerk --source icrc_visit \
	>/dev/null
$C plan --policy "$D/round_policy.yaml" -o "$T/plan.json" >/dev/null
$C key new --party UA -o "$T" >/dev/null
$C key new --party RU -o "$T" >/dev/null
$C round new --plan "$T/plan.json" --kind agreed --id R-X \
	--print-fields holder_id,family_name,given_name,birth_date \
	-o "$T/r.json" >/dev/null
$C round sign "$T/r.json" --key "$T/UA.key" >/dev/null
$C round sign "$T/r.json" --key "$T/RU.key" >/dev/null

# Not loaded yet: refused, no file.
if $C export xlsx --round R-X -o "$T/early.xlsx" 2>"$T/err"; then
	fail "a round not loaded was exported"
fi
grep -q "not loaded" "$T/err" || fail "message: $(cat "$T/err")"
[ ! -e "$T/early.xlsx" ] || fail "a file was left"

$C handover start "$T/r.json" --by mediator >/dev/null
$C handover check R-X UA-1 --as received --by "officer A" >/dev/null
$C handover check R-X RU-2 --as refused --by "officer A" >/dev/null
$C export xlsx --round R-X -o "$T/lists.xlsx" --to ICRC --by clerk ||
	fail "export"

sheet() { "$X" "$T/lists.xlsx" "$1" 2>/dev/null || fail "no sheet '$1'"; }
sheet "UA gives" >"$T/ua.csv"
cat >"$T/want.csv" <<'CSV'
no,stage,holder_id,family_name,given_name,birth_date,status
1,1,RU-1,Иванов,Николай,1999-01-05,pending
2,1,RU-2,Смирнов,Юрий,2001-11-11,refused
3,2,RU-3,Кузнецов,Алексей,1980,pending
4,2,RU-4,=SUM(A1:A9),Андрей,1997,pending
CSV
cmp -s "$T/ua.csv" "$T/want.csv" || { diff "$T/want.csv" "$T/ua.csv" >&2;
	fail "UA's list"; }
sheet "RU gives" >"$T/ru.csv"
cat >"$T/want.csv" <<'CSV'
no,stage,holder_id,family_name,given_name,birth_date,status
1,1,UA-1,Коваленко,Олександр,1994-03-02,received
2,1,UA-2,Шевченко,Сергій,1990,pending
3,2,UA-3,Бондаренко,Микола,1985-07-01,pending
4,2,UA-4,Ткаченко,Андрій,2001-05-05,pending
CSV
cmp -s "$T/ru.csv" "$T/want.csv" || { diff "$T/want.csv" "$T/ru.csv" >&2;
	fail "RU's list"; }
[ "$(sheet "RU direct (Art. 110)")" = "no,stage,holder_id,family_name,given_name,birth_date,status
1,1,UA-9,Мельник,Юрій,1979-09-09,pending" ] || fail "direct repatriation"
sheet withheld | grep -q '^1,RU-5,Волков,Дмитрий,1992,UA,.*Art. 115.*,withheld$' ||
	fail "withheld: $(sheet withheld)"
# Only the agreed fields: no rank, no service number anywhere.
unzip -p "$T/lists.xlsx" 'xl/worksheets/*.xml' >"$T/cells.xml"
grep -q "Олександр" "$T/cells.xml" || fail "no names in the sheets"
grep -q "A100\|солдат\|service_number" "$T/cells.xml" &&
	fail "a field nobody agreed to print"

# As a spreadsheet shows it: a whole birth date is a number under a date
# format (1999-01-05 is serial 36165), a partial one a string; the header
# is frozen with a filter and repeated on printed pages; no formula.
unzip -p "$T/lists.xlsx" xl/worksheets/sheet1.xml >"$T/s1.xml"
grep -q '<c r="F2" s="[0-9]*"><v>36165</v></c>' "$T/s1.xml" ||
	fail "1999-01-05 is not a date cell"
grep -q '<c r="F4" t="inlineStr"><is><t>1980</t>' "$T/s1.xml" ||
	fail "1980 is not text"
grep -q '<pane ySplit="1"' "$T/s1.xml" || fail "header not frozen"
grep -q '<autoFilter ref="A1:G5"/>' "$T/s1.xml" || fail "no filter"
grep -q '<cols>' "$T/s1.xml" || fail "no column widths"
unzip -p "$T/lists.xlsx" xl/workbook.xml | grep -q "_xlnm.Print_Titles" ||
	fail "header not repeated on printed pages"
for s in 1 2 3 4; do
	unzip -p "$T/lists.xlsx" "xl/worksheets/sheet$s.xml" | grep -q '<f>' &&
		fail "a formula in sheet $s"
done

# The transfer log: kind xlsx, ten persons, to ICRC, the file's digest.
[ "$($C --json transfers | jq -r '.transfers[-1] | [.kind, .persons, .to,
	.by, .sha256] | join(" ")')" = "xlsx 10 ICRC clerk $(sha256sum \
	"$T/lists.xlsx" | cut -d' ' -f1)" ] || fail "transfer: $($C --json transfers)"

# --round is for workbooks.
rc=0
$C export csv --round R-X >/dev/null 2>&1 || rc=$?
[ "$rc" = 2 ] || fail "--round with csv: exit $rc"
# The stored document changed behind the register's back: refused.
sqlite3 "$DB" "UPDATE round_doc SET document = replace(document, 'Иванов',
	'Petrov') WHERE round_id = 'R-X'"
if $C export xlsx --round R-X -o "$T/forged.xlsx" 2>"$T/err"; then
	fail "a forged round was exported"
fi
grep -q "cannot be trusted" "$T/err" || fail "forgery: $(cat "$T/err")"
[ ! -e "$T/forged.xlsx" ] || fail "a forged file was left"
echo ok
