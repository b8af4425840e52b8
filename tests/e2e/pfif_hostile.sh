# Hostile PFIF documents are refused whole and leave the register as it
# was (docs/pfif.md, docs/limits.md): an external entity (XXE) is never
# fetched, a billion-laughs DTD is refused at its first entity
# declaration, a truncated document is not half read, a document over
# the size limit is refused before it is parsed, as are one nested too
# deep and one whose root is not <pfif>.
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
expect() { grep -qF -- "$1" "${2:-$WORK/out}" || { cat "${2:-$WORK/out}"; fail "no '$1' in ${2:-output}"; }; }
absent() { ! grep -qF -- "$1" "$2" || fail "'$1' found in $2"; }
HEAD='<?xml version="1.0" encoding="UTF-8"?>'
NS='xmlns:pfif="http://zesty.ca/pfif/1.4"'
person() {
	printf '<pfif:person><pfif:person_record_id>h.example.org/%s</pfif:person_record_id><pfif:full_name>%s</pfif:full_name></pfif:person>' "$1" "$2"
}

run 0 "$CARTEL" init
printf 'id,family_name,given_name\nA1,Melnyk,Petro\n' >"$WORK/l.csv"
run 0 "$CARTEL" import csv "$WORK/l.csv"
"$CARTEL" export csv >"$WORK/before.csv"
unchanged() {
	"$CARTEL" export csv >"$WORK/after.csv"
	cmp -s "$WORK/before.csv" "$WORK/after.csv" || fail "the register changed: $1"
	[ ! -e "$WORK/$1.rejects.csv" ] || fail "a reject file for $1"
}

# XXE: an external entity naming a local file; its content must appear
# nowhere, and the document is refused.
echo "SECRET-CONTENT-42" >"$WORK/secret.txt"
{ echo "$HEAD"; echo "<!DOCTYPE pfif:pfif [ <!ENTITY xxe SYSTEM \"file://$WORK/secret.txt\"> ]>"
  echo "<pfif:pfif $NS>"; person x1 '&xxe;'; echo '</pfif:pfif>'; } >"$WORK/xxe.xml"
run 1 "$CARTEL" import pfif "$WORK/xxe.xml"
expect "declares an entity"
expect "nothing was imported"
absent "SECRET-CONTENT" "$WORK/out"
unchanged xxe.xml

# A parameter entity fetching an external DTD.
{ echo "$HEAD"; echo "<!DOCTYPE pfif:pfif [ <!ENTITY % ext SYSTEM \"file://$WORK/secret.txt\"> %ext; ]>"
  echo "<pfif:pfif $NS>"; person x2 'A B'; echo '</pfif:pfif>'; } >"$WORK/param.xml"
run 1 "$CARTEL" import pfif "$WORK/param.xml"
absent "SECRET-CONTENT" "$WORK/out"
unchanged param.xml

# Billion laughs: ten levels of ten.
{ echo "$HEAD"; echo '<!DOCTYPE lolz ['; echo ' <!ENTITY lol "lol">'
  prev=lol
  for i in 1 2 3 4 5 6 7 8 9; do
	printf ' <!ENTITY lol%s "' "$i"
	for j in 1 2 3 4 5 6 7 8 9 10; do printf '&%s;' "$prev"; done
	echo '">'
	prev=lol$i
  done
  echo ']>'; echo "<pfif:pfif $NS>"; person x3 "&lol9;"; echo '</pfif:pfif>'; } >"$WORK/laughs.xml"
run 1 "$CARTEL" import pfif "$WORK/laughs.xml"
expect "declares an entity"
unchanged laughs.xml

# Truncated in the middle of a record: nothing of it, nor of the
# complete records before it, is written.
{ echo "$HEAD"; echo "<pfif:pfif $NS>"; person t1 'Ok Person'; person t2 'Two Person'
  printf '<pfif:person><pfif:person_record_id>h.example.org/t3</pfif:pers'; } >"$WORK/cut.xml"
run 1 "$CARTEL" import pfif "$WORK/cut.xml"
expect "line 3, column"
unchanged cut.xml

# Over the size limit (64 MiB): refused before parsing, in little time.
{ echo "$HEAD"; echo "<pfif:pfif $NS><!--"; head -c 68000000 /dev/zero | tr '\0' 'x'; echo '--></pfif:pfif>'; } >"$WORK/huge.xml"
run 1 "$CARTEL" import pfif "$WORK/huge.xml"
expect "larger than the limit of 64 MiB"
rm -f "$WORK/huge.xml"
unchanged huge.xml

# Nested too deep, inside an element cartel skips.
{ echo "$HEAD"; echo "<pfif:pfif $NS>"; i=0
  while [ $i -lt 100 ]; do printf '<x>'; i=$((i + 1)); done
  i=0; while [ $i -lt 100 ]; do printf '</x>'; i=$((i + 1)); done
  echo '</pfif:pfif>'; } >"$WORK/deep.xml"
run 1 "$CARTEL" import pfif "$WORK/deep.xml"
expect "nested deeper than 64"
unchanged deep.xml

# Not PFIF at all; not XML at all; empty.
printf '%s\n<feed xmlns="http://www.w3.org/2005/Atom"/>\n' "$HEAD" >"$WORK/atom.xml"
run 1 "$CARTEL" import pfif "$WORK/atom.xml"
expect "root element is not <pfif>"
unchanged atom.xml
cp "$WORK/l.csv" "$WORK/csv.xml"
run 1 "$CARTEL" import pfif "$WORK/csv.xml"
unchanged csv.xml
: >"$WORK/empty.xml"
run 1 "$CARTEL" import pfif "$WORK/empty.xml"
unchanged empty.xml
run 0 "$CARTEL" audit verify
echo ok
