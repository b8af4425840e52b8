# import csv --update: a corrected list applied as events on the persons it
# names (only changed cells; empty cells change nothing); unknown ids
# rejected, or added with --add-new; a row goes whole or not at all; the
# same file applied twice changes nothing the second time; an id that
# cannot be matched, a second id column, and --all-or-nothing leave the
# register as it was.
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
events() { "$CARTEL" person show "$1" | sed -n 's/^history (\([0-9]*\) events.*/\1/p'; }
snap() { "$CARTEL" export csv >"$WORK/$1.csv"; }
same() { cmp -s "$WORK/$1.csv" "$WORK/$2.csv" || fail "register changed: $3"; }

run 0 "$CARTEL" init
printf 'id,family_name,given_name,held_by,health,consent,scar\n' >"$WORK/l.csv"
printf 'A1,Melnyk,Petro,RU,good,not_asked,\n' >>"$WORK/l.csv"
printf 'A2,Boyko,Ivan,RU,sick,not_asked,left arm\n' >>"$WORK/l.csv"
printf 'A3,Koval,Oleh,RU,good,willing,\n' >>"$WORK/l.csv"
run 0 "$CARTEL" import csv "$WORK/l.csv"

# A corrected file in Ukrainian, semicolons: A1's consent and health
# change, A2's consent and scar; A3 is as he was; the empty cells of
# A3 change nothing; A9 is unknown.
printf 'id;Згода;Стан здоров'"'"'я;scar;Прізвище\n' >"$WORK/fix.csv"
printf 'A1;згоден;хворий;;Melnyk\n' >>"$WORK/fix.csv"
printf 'A2;відмовляється;;right arm;\n' >>"$WORK/fix.csv"
printf 'A3;;;;Koval\n' >>"$WORK/fix.csv"
printf 'A9;згоден;;;Nobody\n' >>"$WORK/fix.csv"
run 1 "$CARTEL" import csv "$WORK/fix.csv" --update --rejects "$WORK/rej.csv"
expect "4 rows read, 2 persons changed (4 events), 1 unchanged, 0 added, 1 rejected"
expect "5,id,id A9 is not in the register (give --add-new to add it)" "$WORK/rej.csv"
is A1 consent willing
is A1 health sick
is A1 family_name Melnyk
is A2 consent refuses
is A2 health sick
is A3 consent willing
"$CARTEL" person show A2 | grep -q "right arm" || fail "A2's scar not updated"
[ "$(events A1)" = 3 ] || fail "A1 has $(events A1) events, not 3"
[ "$(events A3)" = 1 ] || fail "A3 changed by an unchanged row"
"$CARTEL" person list | grep -q Nobody && fail "an unknown id was added"

# The same file again changes nothing.
snap first
run 1 "$CARTEL" import csv "$WORK/fix.csv" --update --rejects "$WORK/rej.csv"
expect "0 persons changed (0 events), 3 unchanged, 0 added, 1 rejected"
snap second
same first second "applying the same file twice"
[ "$(events A1)" = 3 ] || fail "the second application recorded events"

# --add-new adds the unknown id as a new person.
run 0 "$CARTEL" import csv "$WORK/fix.csv" --update --add-new
expect "3 unchanged, 1 added, 0 rejected"
is A9 family_name Nobody
is A9 consent willing
run 2 "$CARTEL" import csv "$WORK/fix.csv" --add-new
expect "--add-new goes with --update"

# A row goes whole or not at all: A1's health changes, but his status
# cannot move back to reported_missing; nothing of the row is written.
snap before
printf 'id,health,status\nA1,good,reported_missing\nA2,good,\n' >"$WORK/bad.csv"
run 1 "$CARTEL" import csv "$WORK/bad.csv" --update --rejects "$WORK/rej.csv"
expect "1 persons changed (1 events), 0 unchanged, 0 added, 1 rejected"
expect "2,status," "$WORK/rej.csv"
is A1 health sick
is A2 health good
# --all-or-nothing: nothing at all.
snap before
printf 'id,health\nA1,good\nA3,Melnyk Petro\n' >"$WORK/aon.csv"
run 1 "$CARTEL" import csv "$WORK/aon.csv" --update --all-or-nothing --rejects "$WORK/rej.csv"
expect "nothing changed (all or nothing)"
expect "3,health," "$WORK/rej.csv"
grep -q "Melnyk" "$WORK/rej.csv" && fail "the reject report quotes a cell"
snap after
same before after "--all-or-nothing"

# An update names persons by id: a file without one, a second id column
# (an update that would change an id), and an empty id are refused.
printf 'family_name,health\nMelnyk,good\n' >"$WORK/noidcol.csv"
run 1 "$CARTEL" import csv "$WORK/noidcol.csv" --update
expect "an update needs an id column"
printf 'id,Ідентифікатор,health\nA1,A7,good\n' >"$WORK/ids.csv"
run 1 "$CARTEL" import csv "$WORK/ids.csv" --update
expect "both fill the field id"
printf 'id,health\n,good\n' >"$WORK/noid.csv"
run 1 "$CARTEL" import csv "$WORK/noid.csv" --update --rejects "$WORK/rej.csv"
expect "2,id,the row has no id" "$WORK/rej.csv"
snap after
same before after "refused updates"

run 0 "$CARTEL" audit verify
echo "ok"
