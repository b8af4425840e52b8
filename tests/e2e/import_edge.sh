# Edge files: an empty file, a header alone, a BOM with CRLF line ends and
# quoted newlines, invalid UTF-8, a 10 MB field, unknown columns, a full
# database and a read-only one. Never a crash, never half a file.
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
persons() { "$CARTEL" person list | tail -1; }

run 0 "$CARTEL" init
: >"$WORK/empty.csv"
run 1 "$CARTEL" import csv "$WORK/empty.csv"
expect "the file is empty"
printf 'id,family_name,held_by\n' >"$WORK/header.csv"
run 0 "$CARTEL" import csv "$WORK/header.csv"
expect "0 rows read, 0 imported, 0 rejected"

printf '\357\273\277ID,Family_Name,NOTES,Scar\r\nC1,"Smith, Jr.","two\r\nlines",left\r\nC2,Doe,,\r\n' >"$WORK/bom.csv"
run 0 "$CARTEL" import csv "$WORK/bom.csv"
expect "2 rows read, 2 imported, 0 rejected"
expect "columns kept as extra attributes: scar"
run 0 "$CARTEL" person show C1
expect "family_name          Smith, Jr."
expect "scar                 left (extra)"

printf 'id,family_name\nD1,\377\376\nD2,ok\n' >"$WORK/utf8.csv"
run 1 "$CARTEL" import csv "$WORK/utf8.csv"
expect "1 imported, 1 rejected"
expect "2,family_name," "$WORK/utf8.csv.rejects.csv"
expect "UTF-8" "$WORK/utf8.csv.rejects.csv"

# A 10 MB field: rejected as too long, the row after it still read.
{ printf 'id,family_name,notes\nE1,Tkach,'; head -c 10485760 /dev/zero | tr '\0' 'n'; printf '\nE2,Tkach,fine\n'; } >"$WORK/big.csv"
run 1 "$CARTEL" import csv "$WORK/big.csv"
expect "2 rows read, 1 imported, 1 rejected"
expect "2,notes,the field is longer than" "$WORK/big.csv.rejects.csv"
run 0 "$CARTEL" person show E2

# A full database (capped at its current size): nothing of the file goes
# in, the register still verifies.
before=$(persons)
i=0; printf 'id,family_name,notes\n' >"$WORK/many.csv"
while [ $i -lt 3000 ]; do
	printf 'F%d,Tkach,%0200d\n' $i $i >>"$WORK/many.csv"; i=$((i + 1))
done
pages=$(sqlite3 "$WORK/r.db" 'PRAGMA page_count')
CARTEL_DB_MAX_PAGES=$pages "$CARTEL" import csv "$WORK/many.csv" >"$WORK/out" 2>&1
[ $? = 1 ] || fail "import into a full database did not fail"
expect "full"
[ "$(persons)" = "$before" ] || fail "a full database took part of a file"
run 0 "$CARTEL" audit verify

# A read-only register: as root, file modes do not stop writes, so run
# the command as an unprivileged user when we are root.
chmod 0755 "$WORK"
chmod 0444 "$WORK/r.db"
rm -f "$WORK/r.db-wal" "$WORK/r.db-shm"
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	chmod 0777 "$WORK"; chmod 0444 "$WORK/r.db"
	AS="setpriv --reuid=65534 --regid=65534 --clear-groups"
else
	AS=""
fi
cp "$WORK/header.csv" "$WORK/ro.csv"; printf 'G1,X,RU\n' >>"$WORK/ro.csv"
chmod 0644 "$WORK/ro.csv"
$AS "$CARTEL" --db "$WORK/r.db" import csv "$WORK/ro.csv" --rejects /dev/null >"$WORK/out" 2>&1
code=$?
[ $code = 1 ] || { cat "$WORK/out"; fail "read-only import exit $code"; }
expect "read-only"
chmod 0644 "$WORK/r.db"
"$CARTEL" person show G1 >/dev/null 2>&1 && fail "a read-only register took a row"
run 0 "$CARTEL" audit verify
echo ok
