# PFIF 1.4 out and back (docs/pfif.md): every export passes the PFIF 1.4
# checker of tests/tools (required fields, formats, record ids, the 1.4
# namespace) and is recorded in the transfer log; no captive leaves
# without --include-captives; health, legal
# hold and notes only when named; the register's own export read back
# changes nothing, and read into a fresh register gives the same persons
# under the same ids; --since gives only what changed after a time.
set -u
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
export CARTEL_DB="$WORK/r.db" CARTEL_TODAY=2026-06-01
export CARTEL_NOW=2026-06-01T10:00:00Z
VALIDATE="$BUILD/pfif_validate"
fail() { echo "FAIL: $*"; exit 1; }
run() {
	want=$1; shift
	"$@" >"$WORK/out" 2>&1; got=$?
	[ "$got" = "$want" ] || { cat "$WORK/out"; fail "exit $got, not $want: $*"; }
}
expect() { grep -qF -- "$1" "${2:-$WORK/out}" || { cat "${2:-$WORK/out}"; fail "no '$1' in ${2:-output}"; }; }
absent() { ! grep -qF -- "$1" "$2" || fail "'$1' found in $2"; }
valid() { "$VALIDATE" "$1" >"$WORK/v" 2>&1 || { cat "$WORK/v"; fail "$1 is not valid PFIF 1.4"; }; }

run 0 "$CARTEL" init
cat >"$WORK/l.csv" <<'CSV'
id,family_name,given_name,patronymic,birth_date,sex,held_by,status,health,legal_hold,notes
M1,Kovalenko,Oleh,Ivanovych,1994-03,male,,reported_missing,,,last seen at the bridge
M2,Tkachenko & Sons,Anna <Ann>,,1981,female,,reported_missing,sick,,
C1,Melnyk,Petro,,1990-05-02,male,RU,confirmed_captive,seriously_wounded,proceedings,
R1,Boyko,Ivan,,1975,male,RU,repatriated,,,
CSV
run 0 "$CARTEL" import csv "$WORK/l.csv"

# The default export: the missing and the repatriated, not the captive.
run 0 "$CARTEL" export pfif -o "$WORK/a.xml"
expect "3 persons and 0 notes written; 1 persons in custody withheld"
valid "$WORK/a.xml"
expect 'xmlns:pfif="http://zesty.ca/pfif/1.4"' "$WORK/a.xml"
expect "<pfif:person_record_id>cartel.invalid/M1</pfif:person_record_id>" "$WORK/a.xml"
expect "<pfif:date_of_birth>1994-03</pfif:date_of_birth>" "$WORK/a.xml"
expect "<pfif:date_of_birth>1975</pfif:date_of_birth>" "$WORK/a.xml"
expect "<pfif:entry_date>2026-06-01T10:00:00Z</pfif:entry_date>" "$WORK/a.xml"
expect "<pfif:full_name>Oleh Ivanovych Kovalenko</pfif:full_name>" "$WORK/a.xml"
# XML escaping: the names come back as they were.
expect "<pfif:family_name>Tkachenko &amp; Sons</pfif:family_name>" "$WORK/a.xml"
expect "<pfif:given_name>Anna &lt;Ann&gt;</pfif:given_name>" "$WORK/a.xml"
absent "Melnyk" "$WORK/a.xml"
absent "sick" "$WORK/a.xml"
absent "bridge" "$WORK/a.xml"
absent "<pfif:description>" "$WORK/a.xml"

# The export is in the transfer log: kind, persons, to whom, the digest
# of the bytes written (docs/transfers.md).
run 0 "$CARTEL" export pfif -o "$WORK/t.xml" --to finder.example.org --by clerk
run 0 "$CARTEL" transfers
expect "pfif  clerk  3 persons  to finder.example.org"
expect "$(sha256sum "$WORK/t.xml" | cut -d' ' -f1)"

# Named, they leave; the captive only with --include-captives.
run 0 "$CARTEL" export pfif --with health,notes -o "$WORK/b.xml"
valid "$WORK/b.xml"
expect "health: sick" "$WORK/b.xml"
expect "notes: last seen at the bridge" "$WORK/b.xml"
absent "Melnyk" "$WORK/b.xml"
run 0 "$CARTEL" export pfif --include-captives --with legal_hold -o "$WORK/c.xml"
valid "$WORK/c.xml"
expect "<pfif:family_name>Melnyk</pfif:family_name>" "$WORK/c.xml"
expect "legal hold: proceedings" "$WORK/c.xml"
absent "seriously_wounded" "$WORK/c.xml"
run 2 "$CARTEL" export pfif --with blood_type
run 2 "$CARTEL" export csv --include-captives
run 1 "$CARTEL" export pfif --since yesterday
run 1 "$CARTEL" export pfif --domain 'bad domain/x'

# A change of status is a note; a later export --since the first one's
# newest entry_date holds only what changed after it.
export CARTEL_NOW=2026-06-02T09:30:00Z
run 0 "$CARTEL" event add M1 status deceased --by clerk --source icrc_visit --at 2026-05-30T00:00:00Z
run 0 "$CARTEL" export pfif --include-captives -o "$WORK/d.xml"
valid "$WORK/d.xml"
expect "<pfif:status>believed_dead</pfif:status>" "$WORK/d.xml"
expect "<pfif:source_date>2026-05-30T00:00:00Z</pfif:source_date>" "$WORK/d.xml"
expect "<pfif:entry_date>2026-06-02T09:30:00Z</pfif:entry_date>" "$WORK/d.xml"
run 0 "$CARTEL" export pfif --include-captives --since 2026-06-01T10:00:00Z -o "$WORK/e.xml"
valid "$WORK/e.xml"
expect "1 persons and 1 notes written" "$WORK/out"
expect "cartel.invalid/M1<" "$WORK/e.xml"
absent "cartel.invalid/M2<" "$WORK/e.xml"
run 0 "$CARTEL" export pfif --since 2026-06-02T09:30:00Z -o "$WORK/f.xml"
valid "$WORK/f.xml"
expect "0 persons and 0 notes written" "$WORK/out"

# The register's own export read back: the same persons, nothing new.
"$CARTEL" export csv >"$WORK/before.csv"
run 0 "$CARTEL" import pfif "$WORK/d.xml"
expect "0 persons added, 0 changed, 4 unchanged, 0 notes recorded, 0 rejected"
"$CARTEL" export csv >"$WORK/after.csv"
cmp -s "$WORK/before.csv" "$WORK/after.csv" || fail "reading the export back changed the register"
run 0 "$CARTEL" audit verify

# Into a fresh register: the same ids, names, sex, dates of birth and
# statuses; its own export is the same document, entry times apart.
export CARTEL_DB="$WORK/fresh.db"
run 0 "$CARTEL" init
run 0 "$CARTEL" import pfif "$WORK/d.xml"
expect "4 persons added"
expect "1 notes recorded"
"$CARTEL" export csv | cut -d, -f1,2,3,5,7 >"$WORK/fresh.csv"
cut -d, -f1,2,3,5,7 "$WORK/before.csv" >"$WORK/orig.csv"
cmp -s "$WORK/orig.csv" "$WORK/fresh.csv" || { diff "$WORK/orig.csv" "$WORK/fresh.csv"; fail "names, dates or sex differ after the round trip"; }
"$CARTEL" person show M1 >"$WORK/m1"
expect "deceased" "$WORK/m1"
run 0 "$CARTEL" export pfif --include-captives -o "$WORK/g.xml"
valid "$WORK/g.xml"
grep -v -e entry_date -e source_date -e 'Status in' "$WORK/d.xml" >"$WORK/d.cmp"
grep -v -e entry_date -e source_date -e 'Status in' "$WORK/g.xml" >"$WORK/g.cmp"
cmp -s "$WORK/d.cmp" "$WORK/g.cmp" || { diff "$WORK/d.cmp" "$WORK/g.cmp"; fail "the fresh register's export differs"; }
run 0 "$CARTEL" audit verify
echo ok
