#!/bin/sh
# Workbooks another program wrote: LibreOffice Calc's own .xlsx files
# (tests/data/libreoffice, made by its make.sh; VERSION names the
# LibreOffice that wrote them), one converted from a CSV list, one from a
# sheet with a merged header cell, Ukrainian headers, dates shown
# DD.MM.YYYY and empty and formatted rows. Each imports as the clerk sees
# it: every person, every name to the letter, every date from the serial
# numbers LibreOffice wrote (1900 system, 61 for 1900-03-01 past the
# phantom 1900-02-29), nothing rejected.
set -eu
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
L="$TOP/tests/data/libreoffice"
fail() { echo "FAIL: $*" >&2; exit 1; }
export CARTEL_NOW=2026-01-02T03:04:05Z
C="$CARTEL --db $T/r.db"
$C init >/dev/null

grep -q '^LibreOffice ' "$L/VERSION" || fail "no VERSION note"
# What the files hold, as LibreOffice wrote them: dates as serial numbers
# under a date format of its own, the merged header cell, the empty row.
unzip -p "$L/list_csv.xlsx" xl/worksheets/sheet1.xml >"$T/csv.xml"
grep -q '<c r="E2" s="1" t="n"><v>33010</v></c>' "$T/csv.xml" ||
	fail "list_csv.xlsx: 1990-05-17 is not serial 33010"
grep -q '<row r="5"' "$T/csv.xml" && ! grep -q '<row r="4"' "$T/csv.xml" ||
	fail "list_csv.xlsx: no empty row 4"
unzip -p "$L/list_fods.xlsx" xl/worksheets/sheet1.xml >"$T/fods.xml"
grep -q '<mergeCell ref="B1:C1"/>' "$T/fods.xml" || fail "no merged header"
grep -q '<v>61</v>' "$T/fods.xml" || fail "1900-03-01 is not serial 61"
unzip -p "$L/list_fods.xlsx" xl/styles.xml | grep -q 'formatCode="dd\\.mm\\.yyyy"' ||
	fail "no DD.MM.YYYY format"

# From the CSV: four persons; the empty row is skipped, not rejected.
$C import xlsx "$L/list_csv.xlsx" --rejects "$T/rej1.csv" >"$T/out" ||
	fail "list_csv.xlsx: $(cat "$T/out")"
grep -q "4 rows read, 4 imported, 0 rejected" "$T/out" ||
	fail "list_csv.xlsx: $(cat "$T/out")"
# From the flat ODF sheet, its sheet named in Ukrainian.
$C import xlsx "$L/list_fods.xlsx" --sheet "Полонені" \
	--rejects "$T/rej2.csv" >"$T/out" || fail "list_fods.xlsx: $(cat "$T/out")"
grep -q "2 rows read, 2 imported, 0 rejected" "$T/out" ||
	fail "list_fods.xlsx: $(cat "$T/out")"

# Each person as the list gives him: id, names, dates, status, holder.
$C export csv -o "$T/all.csv" >/dev/null
cut -d, -f1-5,12,14 "$T/all.csv" >"$T/got.csv"
cat >"$T/want.csv" <<'CSV'
id,family_name,given_name,patronymic,birth_date,held_by,captured_on
LO-1,Коваленко,Олександр,Петрович,1990-05-17,RU,2024-02-29
LO-11,Коваленко,Олександр,Петрович,1990-05-17,RU,2024-02-29
LO-12,Ґудзь-Їжакевич,Євгенія,,1900-03-01,RU,2023-01-01
LO-2,Шевчук,Ярослава,Іванівна,1985-12-01,RU,2023-07-04
LO-3,Иванов,Пётр,Сергеевич,1979-01-31,UA,2024-11-30
LO-4,Ґудзь,Євген,,2001-09-09,,
CSV
cmp -s "$T/got.csv" "$T/want.csv" || { diff "$T/want.csv" "$T/got.csv" >&2;
	fail "the persons are not as the lists give them"; }
[ "$($C person show LO-4 --json | jq -r .person.status)" = reported_missing ] ||
	fail "LO-4's status"
[ "$($C person show LO-3 --json | jq -r .person.status)" = confirmed_captive ] ||
	fail "LO-3's status"
$C audit verify >/dev/null || fail "audit"
echo ok
