#!/bin/sh
# Bad lists given to cartel link and dedupe: each is refused with a clear
# message naming the file, row and field (or treated as the issue says),
# never a crash, and no output file is left half-written.
set -u
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
ok=1
good="$T/good.csv"
printf 'id,family_name,given_name\nG1,Ковальчук,Олександр\n' > "$good"

# expect_fail NAME FILE PATTERN: link must exit 1, say PATTERN, write no OUT
expect_fail() {
	rm -f "$T/out.csv"
	"$CARTEL" link "$2" "$good" -o "$T/out.csv" > /dev/null 2> "$T/err"
	rc=$?
	if [ $rc -ne 1 ]; then echo "$1: exit $rc, wanted 1"; ok=0; fi
	if ! grep -q -- "$3" "$T/err"; then
		echo "$1: message lacks '$3':"; cat "$T/err"; ok=0
	fi
	if [ -e "$T/out.csv" ] || ls "$T"/out.csv.tmp* > /dev/null 2>&1; then
		echo "$1: output left behind"; ok=0
	fi
	"$CARTEL" dedupe "$2" > /dev/null 2>&1
	rc=$?
	if [ $rc -ne 1 ]; then echo "$1: dedupe exit $rc"; ok=0; fi
}

: > "$T/empty.csv"
expect_fail empty "$T/empty.csv" 'empty'
printf 'name,birth_date\nA,1990\n' > "$T/noid.csv"
expect_fail no-id "$T/noid.csv" "no 'id' column"
printf 'id,family_name\nA,Іванов\nB,Петров\nA,Сидоров\n' > "$T/dup.csv"
expect_fail duplicate "$T/dup.csv" 'row 4.*row 2'
printf 'id,family_name\nA,Іванов\nB,\377\376abc\n' > "$T/latin1.csv"
expect_fail non-utf8 "$T/latin1.csv" 'row 3.*column 2.*UTF-8'
printf 'id,family_name\nA,' > "$T/huge.csv"
head -c 104857600 /dev/zero | tr '\0' 'x' >> "$T/huge.csv"
printf '\n' >> "$T/huge.csv"
expect_fail huge-field "$T/huge.csv" 'row 2.*column 2.*longer than'
printf 'id,family_name\n,Іванов\n' > "$T/emptyid.csv"
expect_fail empty-id "$T/emptyid.csv" 'row 2.*id is empty'

# A header alone is an empty list: a header-only result, exit 0.
printf 'id,family_name,given_name\n' > "$T/header.csv"
"$CARTEL" link "$T/header.csv" "$good" -o "$T/out.csv" 2> "$T/err" || {
	echo "header alone: failed"; cat "$T/err"; ok=0; }
[ "$(cat "$T/out.csv")" = "left_id,right_id,score,explanation" ] || {
	echo "header alone: output"; cat "$T/out.csv"; ok=0; }
grep -q 'no records' "$T/err" || { echo "header alone: no note"; ok=0; }

# Names of punctuation only, mixed scripts in one word, right-to-left
# text and invisible marks: read, matched on what is left, no crash.
cat > "$T/odd.csv" <<'CSV'
id,family_name,given_name,patronymic,birth_date
O1,"---",...,'',1990-01-02
O2,KoвальчуK,Олександр,,1990-03-02
O3,כהן,דוד,,1980-05-05
O4,‏Ковальчук‎,‮Олександр‬,,1990-03-02
O5,"Ковальчук, Олександр",,,1990-03-02
O6,ԱՐԱՄ,Ἀλέξανδρος,,
CSV
cat > "$T/odd2.csv" <<'CSV'
id,family_name,given_name,birth_date
P1,Kovalchuk,Oleksandr,1990-03-02
P2,Kohen,David,1980-05-05
CSV
"$CARTEL" link "$T/odd.csv" "$T/odd2.csv" -o "$T/out.csv" --all 2> "$T/err"
rc=$?
if [ $rc -ne 0 ]; then echo "odd names: exit $rc"; cat "$T/err"; ok=0; fi
grep -q '^O2,P1,' "$T/out.csv" || { echo "mixed-script word not repaired"; cat "$T/out.csv"; ok=0; }
grep -q '^O4,P1,' "$T/out.csv" || { echo "bidirectional marks not ignored"; cat "$T/out.csv"; ok=0; }
grep -q '^O1,' "$T/out.csv" && { echo "punctuation-only name linked"; ok=0; }
"$CARTEL" dedupe "$T/odd.csv" -o "$T/dd.csv" 2> "$T/err" || { echo "dedupe odd: failed"; ok=0; }
[ "$(wc -l < "$T/dd.csv")" -eq 7 ] || { echo "dedupe odd: rows"; ok=0; }

# A file that does not exist.
"$CARTEL" link "$T/nope.csv" "$good" > /dev/null 2> "$T/err"
[ $? -eq 1 ] && grep -q 'nope.csv' "$T/err" || { echo "missing file"; ok=0; }

[ $ok -eq 1 ]
