# PFIF feeds as they come (tests/data/pfif, docs/pfif.md): notes nested in
# a person and standing alone, the older first_name/last_name/home_zip in
# a 1.4 document, white space around every value, elements cartel does
# not know; a feed read twice adds nothing; bad records are reported by
# record index, PFIF field and rule, never quoting a value; with
# --all-or-nothing one bad record leaves the register as it was.
set -u
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
export CARTEL_DB="$WORK/r.db" CARTEL_TODAY=2026-06-01
DATA="$TOP/tests/data/pfif"
fail() { echo "FAIL: $*"; exit 1; }
run() {
	want=$1; shift
	"$@" >"$WORK/out" 2>&1; got=$?
	[ "$got" = "$want" ] || { cat "$WORK/out"; fail "exit $got, not $want: $*"; }
}
expect() { grep -qF -- "$1" "${2:-$WORK/out}" || { cat "${2:-$WORK/out}"; fail "no '$1' in ${2:-output}"; }; }
absent() { ! grep -qF -- "$1" "$2" || fail "'$1' found in $2"; }
field() { "$CARTEL" person show "$1" | awk -v f="$2" '$1 == f { $1 = ""; sub(/^ /, ""); print; exit }'; }
is() { got=$(field "$1" "$2"); [ "$got" = "$3" ] || fail "$1 $2 is '$got', not '$3'"; }

run 0 "$CARTEL" init

# Nested and standalone notes; an element of another namespace and an
# unknown PFIF element skipped.
run 0 "$CARTEL" import pfif "$DATA/nested_standalone.xml" --rejects "$WORK/rej.csv"
expect "4 records read, 2 persons added, 0 changed, 0 unchanged, 2 notes recorded, 0 rejected"
is finder.example.org/p1 family_name Petrenko
is finder.example.org/p1 given_name Andrii
is finder.example.org/p1 birth_date 1994-03
is finder.example.org/p1 source family_report
is finder.example.org/p2 status deceased
"$CARTEL" person show finder.example.org/p1 >"$WORK/p1"
expect "pfif_home_city" "$WORK/p1"
# Read twice: nothing added, no note recorded again.
"$CARTEL" export csv >"$WORK/once.csv"
run 0 "$CARTEL" import pfif "$DATA/nested_standalone.xml"
expect "0 persons added, 0 changed, 2 unchanged, 0 notes recorded, 0 rejected"
"$CARTEL" export csv >"$WORK/twice.csv"
cmp -s "$WORK/once.csv" "$WORK/twice.csv" || fail "the second reading changed the register"

# A note's own text leaves only when notes are named; its id and
# status are the ones it came with.
run 0 "$CARTEL" export pfif -o "$WORK/out.xml"
absent "Reported killed" "$WORK/out.xml"
expect "<pfif:note_record_id>finder.example.org/n2</pfif:note_record_id>" "$WORK/out.xml"
expect "<pfif:status>information_sought</pfif:status>" "$WORK/out.xml"
run 0 "$CARTEL" export pfif --with notes -o "$WORK/out.xml"
expect "<pfif:text>Reported killed near the front.</pfif:text>" "$WORK/out.xml"
"$BUILD/pfif_validate" "$WORK/out.xml" >/dev/null || fail "the export is not valid PFIF 1.4"
# From the standard input, too.
run 0 "$CARTEL" import pfif - <"$DATA/nested_standalone.xml"
expect "0 persons added"

# The older names, inside a 1.4 document with a default namespace.
run 0 "$CARTEL" import pfif "$DATA/old_names.xml"
is old.example.net/person.7 given_name Ivan
is old.example.net/person.7 family_name Bondar
is old.example.net/person.7 birth_date 1990-07-15
"$CARTEL" person show old.example.net/person.7 >"$WORK/p7"
expect "61000" "$WORK/p7"

# White space around values, inside ids, dates, enums and statuses.
run 0 "$CARTEL" import pfif "$DATA/whitespace.xml"
expect "2 records read, 1 persons added"
expect "1 notes recorded"
is ws.example.org/p-9 family_name Hnatiuk
is ws.example.org/p-9 sex female
is ws.example.org/p-9 birth_date 1979

# The records of this register's own domain are its own persons.
run 0 "$CARTEL" import pfif "$DATA/own_domain.xml" --domain ua.example.org
is UA-0001 family_name Savchenko
run 0 "$CARTEL" import pfif "$DATA/own_domain.xml" --domain ua.example.org
expect "0 persons added, 0 changed, 1 unchanged"

# Bad records: the good one in, the others reported by record and
# field, no name or text quoted.
"$CARTEL" export csv >"$WORK/b0.csv"
run 1 "$CARTEL" import pfif "$DATA/bad_records.xml" --all-or-nothing --rejects "$WORK/rej.csv"
expect "4 of 5 records rejected, nothing imported (all or nothing)"
"$CARTEL" export csv >"$WORK/b1.csv"
cmp -s "$WORK/b0.csv" "$WORK/b1.csv" || fail "--all-or-nothing changed the register"
run 1 "$CARTEL" import pfif "$DATA/bad_records.xml" --rejects "$WORK/rej.csv"
expect "5 records read, 1 persons added, 0 changed, 0 unchanged, 0 notes recorded, 4 rejected"
expect "2,person_record_id,not a record id of the form domain/local-id" "$WORK/rej.csv"
expect "3,date_of_birth," "$WORK/rej.csv"
expect "4,status," "$WORK/rej.csv"
expect "5,person_record_id,no such person" "$WORK/rej.csv"
absent "Secret" "$WORK/rej.csv"
absent "1990-13" "$WORK/rej.csv"
absent "believed_happy" "$WORK/rej.csv"
is good.example.org/1 family_name Melnyk

# More bad records, each by the PFIF rule it breaks: a note in a person
# naming another person, no name at all, a sex PFIF does not have, a
# note in a rejected person, a time not in PFIF's form, a birth date the
# register refuses (its rule, under PFIF's field name), notes outside a
# person without or with a bad person id, notes without or with a bad id.
# "other" is a sex PFIF has and the register does not: left unknown.
run 1 "$CARTEL" import pfif "$DATA/bad_records_2.xml" --rejects "$WORK/rej2.csv"
expect "13 records read, 1 persons added, 0 changed, 0 unchanged, 0 notes recorded, 12 rejected"
for want in \
	"2,person_record_id,not the record id of the person the note is in" \
	"3,full_name,required (or given_name and family_name)" \
	"4,sex,\"not one of female, male, other\"" \
	"5,person_record_id,the person record it is in was rejected" \
	"6,entry_date,not a time of the form YYYY-MM-DDTHH:MM:SSZ" \
	"7,date_of_birth,birth_date is in the future" \
	"8,person_record_id,required in a note outside a person" \
	"9,person_record_id,not a record id of the form domain/local-id" \
	"10,source_date,not a time of the form YYYY-MM-DDTHH:MM:SSZ" \
	"11,entry_date,not a time of the form YYYY-MM-DDTHH:MM:SSZ" \
	"12,note_record_id,required" \
	"13,note_record_id,not a record id of the form domain/local-id"; do
	expect "$want" "$WORK/rej2.csv"
done
absent "Secret" "$WORK/rej2.csv"
absent "2099" "$WORK/rej2.csv"
is second.example.org/1 sex unknown

# Options of the CSV import are refused for a feed.
run 2 "$CARTEL" import pfif "$DATA/old_names.xml" --delimiter tab
run 2 "$CARTEL" import csv "$WORK/once.csv" --domain x.org
run 0 "$CARTEL" audit verify
echo ok
