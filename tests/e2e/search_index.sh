#!/bin/sh
# Search through the index kept beside the register: built by the first
# search (one line on stderr), used by the next ones (none), the same
# answers as loading the register whole (--no-index), rebuilt after every
# change to the register (an event, an import), and a cut-short, empty or
# foreign file rebuilt with a clear message, never a crash.
set -eu
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
DB="$T/reg.db"
IX="$DB.search"
export CARTEL_NOW=2026-01-02T03:04:05Z
"$CARTEL" --db "$DB" init > /dev/null
# A register big enough for the model's frequencies to be counted.
"$CARTEL" generate --per-side 1500 --seed 4 --today 2025-06-30 \
	-o "$T/gen.csv" 2> /dev/null
"$CARTEL" --db "$DB" import csv "$T/gen.csv" > /dev/null
cat > "$T/more.csv" <<'CSV'
id,family_name,given_name,patronymic,birth_date,birth_place,sex,held_by,status
UA-900001,Гайдамака,Сергій,Юрійович,1975-12-01,Полтава,male,RU,confirmed_captive
CSV

# The first search builds the file, private as the register.
"$CARTEL" --db "$DB" search Іванов Денис > "$T/a1" 2> "$T/e1"
grep -q '^cartel: no search index yet; building the search index (3000 persons)...$' "$T/e1"
[ "$(wc -l < "$T/e1")" -eq 1 ]
[ -f "$IX" ]
[ "$(stat -c %a "$IX")" = 600 ]
grep -q '^searched 3000 persons, read as surname' "$T/a1"

# The next ones use it, silently, and answer as the whole register does.
"$CARTEL" --db "$DB" search Іванов Денис > "$T/a2" 2> "$T/e2"
[ ! -s "$T/e2" ]
cmp "$T/a1" "$T/a2"
"$CARTEL" --db "$DB" search --no-index Іванов Денис > "$T/a3" 2> "$T/e3"
[ ! -s "$T/e3" ]
cmp "$T/a1" "$T/a3"
for name in "Oleksandr Kovalchuk" "Мельник Иван" "SHEVCHENKO Taras" \
	"Гайдамака Сергій"; do
	"$CARTEL" --db "$DB" search --json --born 1990 $name > "$T/j1" 2> /dev/null
	"$CARTEL" --db "$DB" search --json --born 1990 --no-index $name > "$T/j2"
	cmp "$T/j1" "$T/j2"
done

# An import: the file is out of date, rebuilt, and the new man found.
"$CARTEL" --db "$DB" search --json Гайдамака Сергій Юрійович > "$T/b1"
if grep -q UA-900001 "$T/b1"; then exit 1; fi
"$CARTEL" --db "$DB" import csv "$T/more.csv" > /dev/null
"$CARTEL" --db "$DB" search --json Гайдамака Сергій Юрійович > "$T/b2" 2> "$T/e4"
grep -q 'out of date.*building the search index (3001 persons)' "$T/e4"
sed -n 3p "$T/b2" | grep -q '"id": "UA-900001"'

# An edit of one person: the next search sees it.
"$CARTEL" --db "$DB" event add UA-900001 family_name Qwertyuk \
	--by "ICRC delegate" --source icrc_visit > /dev/null
"$CARTEL" --db "$DB" search --json Qwertyuk Сергій > "$T/c1" 2> "$T/e5"
grep -q 'out of date' "$T/e5"
sed -n 3p "$T/c1" | grep -q '"id": "UA-900001"'
grep -q '"family_name": "Qwertyuk"' "$T/c1"
"$CARTEL" --db "$DB" search --json Qwertyuk Сергій > "$T/c2" 2> "$T/e6"
[ ! -s "$T/e6" ]
cmp "$T/c1" "$T/c2"

# Damage: cut short, empty, garbage, another kind of file. Each is said
# and rebuilt; the answer is the true one.
"$CARTEL" --db "$DB" search --no-index Іванов Денис > "$T/truth"
size=$(stat -c %s "$IX")
truncate -s $((size / 2)) "$IX"
"$CARTEL" --db "$DB" search Іванов Денис > "$T/d1" 2> "$T/e7"
grep -q 'is damaged (cut short); building the search index' "$T/e7"
cmp "$T/truth" "$T/d1"
: > "$IX"
"$CARTEL" --db "$DB" search Іванов Денис > "$T/d2" 2> "$T/e8"
grep -q 'is not a cartel search index; building' "$T/e8"
cmp "$T/truth" "$T/d2"
head -c 100000 /dev/urandom > "$IX"
"$CARTEL" --db "$DB" search Іванов Денис > "$T/d3" 2> "$T/e9"
grep -q 'is not a cartel search index; building' "$T/e9"
cmp "$T/truth" "$T/d3"
cp "$T/gen.csv" "$IX"
"$CARTEL" --db "$DB" search Іванов Денис > "$T/d4" 2> /dev/null
cmp "$T/truth" "$T/d4"
# The body scribbled over, header intact: no crash, an answer.
dd if=/dev/urandom of="$IX" bs=4096 seek=3 count=40 conv=notrunc 2> /dev/null
"$CARTEL" --db "$DB" search Іванов Денис > /dev/null 2> "$T/e12" || {
	cat "$T/e12" >&2
	exit 1
}

# Built on demand, with or without a name.
"$CARTEL" --db "$DB" search --rebuild-index > "$T/r1" 2> "$T/e10"
grep -q '^search index built (3001 persons)$' "$T/r1"
grep -q '^cartel: a rebuild was asked for; building the search index (3001 persons)...$' "$T/e10"
"$CARTEL" --db "$DB" search Іванов Денис > "$T/d5" 2> "$T/e11"
[ ! -s "$T/e11" ]
cmp "$T/truth" "$T/d5"

# An inquiry is matched through the same file, and recording it (no
# person changed) leaves the file up to date.
ino=$(stat -c %i "$IX")
"$CARTEL" --db "$DB" inquiry add --by hotline --name "Qwertyuk Сергій" \
	> "$T/i1" 2> "$T/e13"
grep -q 'UA-900001' "$T/i1"
[ ! -s "$T/e13" ]
[ "$(stat -c %i "$IX")" = "$ino" ]
"$CARTEL" --db "$DB" search Іванов Денис > "$T/d6" 2> "$T/e14"
[ ! -s "$T/e14" ]
cmp "$T/truth" "$T/d6"

# No stray temporary files beside the register.
[ "$(ls "$T" | grep -c 'reg.db.search.')" -eq 0 ]

# Usage.
set +e
"$CARTEL" --db "$DB" search --born 1990 --rebuild-index > /dev/null 2>&1
[ $? -eq 2 ] || exit 1
set -e
echo ok
