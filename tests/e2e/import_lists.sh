# Lists as they arrive (docs/import.md): a semicolon file saved by Excel in
# Windows-1251 with Ukrainian headers, a UTF-16 file with Russian headers
# and values, one without a byte-order mark, a tab file, Russian headers
# and values in UTF-8. Each imports with names and canonical values; a file
# in another encoding without --encoding, a file with no name column (also
# a partial list of ids and consent, which --update applies), a
# header that fills one field twice and a file that does not convert are
# refused, naming the reason, with the register as it was.
set -u
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
export CARTEL_DB="$WORK/r.db" CARTEL_TODAY=2026-06-01
L="$TOP/tests/data/lists"
fail() { echo "FAIL: $*"; exit 1; }
run() {
	want=$1; shift
	"$@" >"$WORK/out" 2>&1; got=$?
	[ "$got" = "$want" ] || { cat "$WORK/out"; fail "exit $got, not $want: $*"; }
}
expect() { grep -qF -- "$1" "${2:-$WORK/out}" || { cat "${2:-$WORK/out}"; fail "no '$1'"; }; }
unchanged() {
	"$CARTEL" export csv >"$WORK/now.csv" || fail "export"
	cmp -s "$WORK/before.csv" "$WORK/now.csv" || fail "register changed: $*"
}
# A person's field as person show prints it.
field() { "$CARTEL" person show "$1" | awk -v f="$2" '$1 == f { $1 = ""; sub(/^ /, ""); print; exit }'; }
is() { got=$(field "$1" "$2"); [ "$got" = "$3" ] || fail "$1 $2 is '$got', not '$3'"; }

run 0 "$CARTEL" init
"$CARTEL" export csv >"$WORK/before.csv"

# Windows-1251 without --encoding: refused, naming the encoding.
run 1 "$CARTEL" import csv "$L/excel_ua_1251.csv" --rejects "$WORK/rej.csv"
expect "not UTF-8: it looks like windows-1251; read it with --encoding windows-1251"
unchanged "a Windows-1251 file read as UTF-8"
# UTF-16 with and without a byte-order mark, without --encoding.
run 1 "$CARTEL" import csv "$L/excel_ru_utf16.txt" --rejects "$WORK/rej.csv"
expect "byte-order mark of UTF-16; read it with --encoding UTF-16"
run 1 "$CARTEL" import csv "$L/ru_utf16_nobom.csv" --rejects "$WORK/rej.csv"
expect "it looks like UTF-16LE"
unchanged "UTF-16 read as UTF-8"
# An encoding ICU does not know.
run 1 "$CARTEL" import csv "$L/excel_ua_1251.csv" --encoding klingon-8
expect "unknown encoding 'klingon-8'"

# The Excel file: semicolons sniffed, headers in Ukrainian (ПРІЗВИЩЕ in
# capitals, Ім’я with a typographic apostrophe), values in Ukrainian.
run 0 "$CARTEL" import csv "$L/excel_ua_1251.csv" --encoding windows-1251
expect "4 rows read, 4 imported, 0 rejected"
is UA-0101 family_name "Ляхович"
is UA-0101 given_name "Василь"
is UA-0101 patronymic "Петрович"
is UA-0101 birth_date 1988-02-14
is UA-0101 sex male
is UA-0101 rank "солдат"
is UA-0101 held_by RU
is UA-0101 category military
is UA-0101 health slightly_wounded
is UA-0101 consent willing
is UA-0101 status confirmed_captive
is UA-0102 sex female
is UA-0102 birth_date 1979-06
is UA-0102 category civilian
is UA-0102 consent undecided
is UA-0103 unit "А 0002; 3 рота"
is UA-0103 consent refuses
is UA-0103 health seriously_wounded
is UA-0104 consent not_asked
# Cyrillic read right: the search finds him by name.
run 0 "$CARTEL" search --born 1988 "Ляхович Василь"
expect "UA-0101"

# Excel's "Unicode text": UTF-16LE with a byte-order mark, tabs, Russian.
run 0 "$CARTEL" import csv "$L/excel_ru_utf16.txt" --encoding UTF-16
expect "3 rows read, 3 imported, 0 rejected"
is RU-0201 family_name "Кузьмин"
is RU-0201 patronymic "Иванович"
is RU-0201 health not_wounded
is RU-0201 consent willing
is RU-0201 notes "передан МККК"
is RU-0202 sex female
is RU-0202 consent refuses
is RU-0202 birth_date 1990-02-01
is RU-0203 consent undecided
is RU-0203 health seriously_wounded
# UTF-16 without a byte-order mark: its byte order from its NULs.
run 0 "$CARTEL" import csv "$L/ru_utf16_nobom.csv" --encoding UTF-16
expect "2 rows read, 2 imported"
is RU-0301 family_name "Смирнов"
is RU-0302 sex female
# A tab file with a UTF-8 byte-order mark.
run 0 "$CARTEL" import csv "$L/tab.tsv"
expect "2 rows read, 2 imported"
is T-2 given_name Iryna
is T-2 consent undecided
# Russian headers and values in UTF-8, commas; ids assigned.
run 0 "$CARTEL" import csv "$L/ru_headers.csv"
expect "2 rows read, 2 imported"
run 0 "$CARTEL" search --born 1970 "Петрова Ольга"
expect "Петрова"
"$CARTEL" person list >"$WORK/list"
grep -q "Ляхович" "$WORK/list" || fail "Ляхович not listed"
"$CARTEL" export csv >"$WORK/before.csv"
grep -q ",reported_missing," "$WORK/before.csv" || fail "пропавший без вести not read"

# --delimiter overrides the sniffing: told commas, the Excel file's one
# column is no name, and nothing is imported.
run 1 "$CARTEL" import csv "$L/excel_ua_1251.csv" --encoding windows-1251 --delimiter ,
expect "no column of the header is a name"
expect "read as 1 column(s) separated by comma"
# A Cyrillic header the table lacks is named.
printf 'Прізвище,Номер у списку\nКоваленко,1\n' >"$WORK/unknown.csv"
run 1 "$CARTEL" import csv "$WORK/unknown.csv"
expect "column 2: 'Номер у списку' is neither a column name cartel knows"
run 1 "$CARTEL" import csv "$L/tab.tsv" --delimiter ";"
expect "no column of the header is a name"
expect "separated by semicolon"
run 2 "$CARTEL" import csv "$L/tab.tsv" --delimiter ab
unchanged "--delimiter"

# No name column: refused (it imported nameless persons with exit 0).
run 1 "$CARTEL" import csv "$L/nameless.csv"
expect "no column of the header is a name"
expect "Nothing was imported"
unchanged "a file without a name column"
# A partial list (ids and consent, semicolons, Ukrainian headers) is no
# list of persons: refused, naming the fields it fills and --update
# (it imported two persons without names with exit 0).
run 1 "$CARTEL" import csv "$L/partial_consent.csv"
expect "partial_consent.csv: no column of the header is a name (family_name, given_name, patronymic"
expect "read as 2 column(s) separated by semicolon, of which these are fields: id, consent."
expect "give --update"
unchanged "a partial list without --update"
printf 'id,notes\nUA-0199,x\n' | "$CARTEL" import csv - >"$WORK/out" 2>&1 &&
	fail "a list of ids and notes from standard input was imported"
expect "stdin: no column of the header is a name"
unchanged "a list without names from standard input"
# Two columns for one field: refused naming both.
run 1 "$CARTEL" import csv "$L/two_columns.csv"
expect "columns 2 ('Прізвище') and 3 ('family_name') both fill the field family_name"
unchanged "two columns for one field"

# Bytes the named encoding does not have: an unpaired UTF-16 surrogate
# on the third row. The file is refused whole, naming the row.
printf '\377\376' >"$WORK/bad16.csv"
printf 'id,family_name\nB-1,Ok\nB-2,' | iconv -f utf-8 -t utf-16le >>"$WORK/bad16.csv"
printf '\000\330A\000\n\000' >>"$WORK/bad16.csv"
run 1 "$CARTEL" import csv "$WORK/bad16.csv" --encoding UTF-16
expect "row 3 (line 3): the bytes there are not UTF-16"
unchanged "a file that does not convert"
"$CARTEL" person show B-1 >/dev/null 2>&1 && fail "B-1 imported from a file that did not convert"

# The same partial list as an update: the persons it names by id change.
run 0 "$CARTEL" import csv "$L/partial_consent.csv" --update
expect "2 rows read, 2 persons changed (2 events)"
is UA-0101 consent undecided
is UA-0103 consent willing

run 0 "$CARTEL" audit verify
echo "ok"
