# A list with every kind of bad row: the valid rows go in, the others are
# listed in the reject file with row, column and reason, the exit status
# says not everything went in; --all-or-nothing writes nothing at all.
set -u
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
export CARTEL_DB="$WORK/r.db" CARTEL_TODAY=2025-06-15
fail() { echo "FAIL: $*"; exit 1; }
run() {
	want=$1; shift
	"$@" >"$WORK/out" 2>&1; got=$?
	[ "$got" = "$want" ] || { cat "$WORK/out"; fail "exit $got, not $want: $*"; }
}
expect() { grep -qF -- "$1" "${2:-$WORK/out}" || { cat "${2:-$WORK/out}"; fail "no '$1'"; }; }

printf 'id,family_name,birth_date,captured_on,sex,category,health,consent,legal_hold,status,direct_repatriation\n' >"$WORK/l.csv"
printf 'A1,Melnyk,1990,2023-04,m,military,good,willing,none,,no\n' >>"$WORK/l.csv"
printf 'A2,Boyko,2023-02-30,,,,,,,,\n' >>"$WORK/l.csv"
printf 'A3,Bondar,2031-01-01,,,,,,,,\n' >>"$WORK/l.csv"
printf 'A4,Koval,1990-05-01,1989,,,,,,,\n' >>"$WORK/l.csv"
printf 'A5,Savchuk,,,x,,,,,,\n' >>"$WORK/l.csv"
printf 'A6,Rudenko,,,,general,,,,,\n' >>"$WORK/l.csv"
printf 'A7,Lysenko,,,,,,maybe,,,\n' >>"$WORK/l.csv"
printf 'A8,Moroz,,,,,,,pending,,\n' >>"$WORK/l.csv"
printf 'A9,Tkach,,,,,,,,lost,\n' >>"$WORK/l.csv"
printf 'A1,Dup,,,,,,,,,\n' >>"$WORK/l.csv"
printf 'A11,Short\n' >>"$WORK/l.csv"
printf 'A12,\303\050bad,,,,,,,,,\n' >>"$WORK/l.csv"
printf 'A13,Hnatyuk,13.05.1985,2024,f,medical,sick,not_asked,proceedings,captive,yes\n' >>"$WORK/l.csv"

run 0 "$CARTEL" init
run 1 "$CARTEL" --db "$WORK/r.db" import csv "$WORK/l.csv"
expect "13 rows read, 2 imported, 11 rejected"
R="$WORK/l.csv.rejects.csv"
[ -f "$R" ] || fail "no reject file"
expect "row,column,reason" "$R"
expect "3,birth_date," "$R"
expect "4,birth_date,birth_date is in the future" "$R"
expect "5,captured_on,captured_on is before birth_date" "$R"
expect "6,sex," "$R"
expect "7,category," "$R"
expect "8,consent," "$R"
expect "9,legal_hold," "$R"
expect "10,status," "$R"
expect "11,id,id A1 is already in the register or earlier in this file" "$R"
expect "12,,the row has 2 fields; the header has 11" "$R"
expect "13,family_name," "$R"
# No name of a captive in the reasons.
grep -q -e Boyko -e Bondar -e Dup "$R" && fail "a name leaked into the rejects"
run 0 "$CARTEL" person list
expect "(2 persons)"
run 0 "$CARTEL" audit verify

# The same file again, all or nothing: nothing more goes in, even the
# valid row A13 is not imported twice (it is a duplicate now anyway).
run 0 "$CARTEL" --db "$WORK/r2.db" init
run 1 "$CARTEL" --db "$WORK/r2.db" import csv "$WORK/l.csv" --all-or-nothing \
	--rejects "$WORK/rej2.csv"
expect "nothing imported"
expect "11,id," "$WORK/rej2.csv"
run 0 "$CARTEL" --db "$WORK/r2.db" person list
expect "(0 persons)"
run 0 "$CARTEL" --db "$WORK/r2.db" audit verify
expect "0 entries"

# Standard input, and a clean file leaves no reject file behind.
printf 'id,family_name,held_by\nB1,Bilyk,UA\nB2,Bondar,UA\n' | "$CARTEL" import csv - --json >"$WORK/out" 2>&1 ||
	fail "stdin import"
expect '"imported": 2'
[ -f import.rejects.csv ] && fail "a reject file for a clean import"
run 2 "$CARTEL" import ods "$WORK/l.csv"
# A CSV given as a workbook: refused as what it is (not a zip).
run 1 "$CARTEL" import xlsx "$WORK/l.csv"
expect "not a zip"
run 2 "$CARTEL" import csv
run 1 "$CARTEL" import csv "$WORK/missing.csv"
expect "cannot open"
echo ok
