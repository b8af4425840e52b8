# cartel event import: many events in one transaction, each checked by the
# rule of event add (unknown person, unknown field, an id that would
# change, a bad value, a status against the lifecycle, a bad time); the
# reject report names row, column and rule, never the cell; with
# --all-or-nothing nothing is written; a header naming one column twice
# and a file that does not convert are refused whole; the audit chain
# holds.
set -u
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
export CARTEL_DB="$WORK/r.db" CARTEL_TODAY=2026-06-01
fail() { echo "FAIL: $*"; exit 1; }
run() {
	want=$1; shift
	"$@" >"$WORK/out" 2>&1; got=$?
	[ "$got" = "$want" ] || { cat "$WORK/out"; fail "exit $got, not $want: $*"; }
}
expect() { grep -qF -- "$1" "${2:-$WORK/out}" || { cat "${2:-$WORK/out}"; fail "no '$1'"; }; }
field() { "$CARTEL" person show "$1" | awk -v f="$2" '$1 == f { $1 = ""; sub(/^ /, ""); print; exit }'; }
is() { got=$(field "$1" "$2"); [ "$got" = "$3" ] || fail "$1 $2 is '$got', not '$3'"; }
snap() { "$CARTEL" export csv >"$WORK/$1.csv"; }

run 0 "$CARTEL" init
printf 'id,family_name,held_by\nA1,Melnyk,RU\nA2,Boyko,RU\nA3,Koval,RU\n' >"$WORK/l.csv"
run 0 "$CARTEL" import csv "$WORK/l.csv"
snap start

# The consent round of an ICRC visit, with one of every bad row.
cat >"$WORK/ev.csv" <<'CSV'
person_id,field,value,source,by,at,note
A1,consent,willing,icrc_visit,ICRC delegate,2026-05-02T10:00:00Z,asked in Olenivka
A2,Згода,відмовляється,icrc_visit,ICRC delegate,,
A3,health,sick,,,,
A9,consent,willing,icrc_visit,ICRC delegate,,
A1,id,Melnyk,icrc_visit,ICRC delegate,,
A1,favourite,x,icrc_visit,ICRC delegate,,
A2,health,Melnyk Petro,icrc_visit,ICRC delegate,,
A3,status,reported_missing,icrc_visit,ICRC delegate,,
A3,consent,willing,icrc_visit,ICRC delegate,yesterday,
A3,attr:scar,left arm,icrc_visit,ICRC delegate,,
CSV
# --all-or-nothing first: nothing at all, every bad row listed.
run 1 "$CARTEL" event import "$WORK/ev.csv" --all-or-nothing --by clerk --source official_list --rejects "$WORK/rej.csv"
expect "6 of 10 rows rejected, nothing recorded (all or nothing)"
snap aon
cmp -s "$WORK/start.csv" "$WORK/aon.csv" || fail "--all-or-nothing wrote"

run 1 "$CARTEL" event import "$WORK/ev.csv" --by clerk --source official_list --rejects "$WORK/rej.csv"
expect "10 rows read, 4 events recorded, 6 rejected"
R="$WORK/rej.csv"
expect "row,column,reason" "$R"
expect "5,person_id,no person with id A9" "$R"
expect "6,field,a person's id cannot change" "$R"
expect '7,field,"field: not a field of the register' "$R"
expect "8,value," "$R"
expect "9,value,person A3: status cannot move from confirmed_captive to reported_missing" "$R"
expect '10,at,"at: is not a UTC time' "$R"
grep -q "Melnyk" "$R" && fail "the reject report quotes a cell"
is A1 consent willing
is A2 consent refuses
is A3 health sick
"$CARTEL" person show A3 | grep -q "by clerk, official_list" || fail "--by/--source defaults not used"
"$CARTEL" person show A1 | grep -q "2026-05-02T10:00:00Z by ICRC delegate, icrc_visit" || fail "at/by/source not recorded"
"$CARTEL" person show A1 | grep -q "asked in Olenivka" || fail "note not recorded"
"$CARTEL" person show A3 | grep -q "left arm" || fail "attr:scar not recorded"

# Without defaults a row needs its by and source.
printf 'person_id,field,value\nA1,health,good\n' >"$WORK/nob.csv"
run 1 "$CARTEL" event import "$WORK/nob.csv" --rejects "$WORK/rej2.csv"
expect "2,source,the row has no 'source'" "$WORK/rej2.csv"
# A header that is not an event list.
run 1 "$CARTEL" event import "$WORK/l.csv"
expect "is not a column of an event list"
printf 'person_id,field\nA1,health\n' >"$WORK/nov.csv"
run 1 "$CARTEL" event import "$WORK/nov.csv"
expect "the header has no 'value' column"
# event add keeps the same rule for the time.
run 1 "$CARTEL" event add A1 health good --by x --source icrc_visit --at soon
expect "at: is not a UTC time"

# Semicolons and Windows-1251, as Excel saves it.
printf 'person_id;field;value;source;by\nA2;Стан здоров'"'"'я;важко поранений;icrc_visit;ICRC delegate\n' | iconv -f utf-8 -t cp1251 >"$WORK/ev1251.csv"
run 1 "$CARTEL" event import "$WORK/ev1251.csv"
expect "looks like windows-1251"
run 0 "$CARTEL" event import "$WORK/ev1251.csv" --encoding windows-1251
expect "1 rows read, 1 events recorded, 0 rejected"
is A2 health seriously_wounded

# A header that gives one column twice (person_id and its other name id;
# by and actor), and a file whose bytes the named encoding does not have
# (an unpaired UTF-16 surrogate on row 3): refused whole, naming the
# columns or the row, nothing recorded.
events() { sqlite3 "$CARTEL_DB" "SELECT count(*) FROM events; SELECT count(*) FROM audit"; }
snap before
n0=$(events)
printf 'person_id,field,value,id,source,by
A1,health,good,A1,icrc_visit,x
' >"$WORK/twoid.csv"
run 1 "$CARTEL" event import "$WORK/twoid.csv"
expect "twoid.csv: header: columns 1 and 4 both name 'person_id'; keep one of them"
printf 'person_id,field,value,source,by,actor
A1,health,good,icrc_visit,x,y
' >"$WORK/twoby.csv"
run 1 "$CARTEL" event import "$WORK/twoby.csv"
expect "columns 5 and 6 both name 'by'"
printf '\377\376' >"$WORK/bad16.csv"
printf 'person_id,field,value,source,by\nA1,health,good,icrc_visit,x\nA2,health,' | iconv -f utf-8 -t utf-16le >>"$WORK/bad16.csv"
printf '\000\330s\000\n\000' >>"$WORK/bad16.csv"
run 1 "$CARTEL" event import "$WORK/bad16.csv" --encoding UTF-16
expect "row 3 (line 3): the bytes there are not UTF-16"
# (An export is itself audited: counted before the snapshot.)
[ "$(events)" = "$n0" ] || fail "a refused event list recorded something"
snap after
cmp -s "$WORK/before.csv" "$WORK/after.csv" || fail "a refused event list changed a person"

run 0 "$CARTEL" audit verify
echo "ok"
