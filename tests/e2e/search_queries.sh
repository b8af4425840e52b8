#!/bin/sh
# Names typed the way people type them (tests/data/hard_queries.tsv): a
# surname ending like a patronymic (Ляхович, Мартинович), a feminine form,
# Latin spellings, initials, a diminutive, the patronymic left out, day and
# month swapped. Against the demo register of 20,000 persons and the
# persons and namesakes of tests/data/query_persons.csv, the person sought
# must come first for at least 95% of the table; the misses are named.
set -eu
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
DB="$T/reg.db"
"$CARTEL" --db "$DB" demo --seed 0 --today 2026-12-01 > /dev/null 2>&1
"$CARTEL" --db "$DB" import csv "$TOP/tests/data/query_persons.csv" > /dev/null
"$CARTEL" --db "$DB" search --rebuild-index > /dev/null 2>&1

n=0
ok=0
TAB=$(printf '\t')
while IFS="$TAB" read -r text born want; do
	case $text in '#'*|'') continue ;; esac
	n=$((n + 1))
	if [ "$born" = - ]; then
		"$CARTEL" --db "$DB" search --json --limit 3 "$text" > "$T/out" 2> /dev/null || true
	else
		"$CARTEL" --db "$DB" search --json --limit 3 --born "$born" "$text" > "$T/out" 2> /dev/null || true
	fi
	got=$(sed -n 's/^    "id": "\(.*\)",$/\1/p' "$T/out" | head -1)
	if [ "$got" = "$want" ]; then
		ok=$((ok + 1))
	else
		echo "miss: '$text' born $born: want $want, first ${got:-nothing}"
	fi
done < "$TOP/tests/data/hard_queries.tsv"
echo "hard queries: $ok of $n with the right person first"
[ "$n" -ge 60 ]
[ $((ok * 100)) -ge $((n * 95)) ]

# The misses of the demo register, each on its own: the reading is said.
"$CARTEL" --db "$DB" search "Ляхович Василий" > "$T/s1"
grep -q '^searched 20078 persons, read as surname Ляхович, given name Василий$' "$T/s1"
sed -n 2p "$T/s1" | grep -q '^ 1\. RU-000944 '
"$CARTEL" --db "$DB" search --born 1988 "Кузьмин Денис Иванович" > "$T/s2"
sed -n 2p "$T/s2" | grep -q '^ 1\. RU-003638 '
# Where the person stands, in words, in the text and in --json.
sed -n 3p "$T/s1" | grep -q '^    held by Russia since 20[0-9][0-9]-[0-9][0-9]$'
"$CARTEL" --db "$DB" search --json "Маша Петрова" --born 1990 > "$T/j1"
grep -q '"status": "reported_missing"' "$T/j1"
grep -q '"status_text": "reported missing"' "$T/j1"
"$CARTEL" --db "$DB" search --json "Мартинович Олег" > "$T/j2"
grep -q '"held_by": "RU"' "$T/j2"
grep -q '"held_since": "2024-03-02"' "$T/j2"
grep -q '"status_text": "held by Russia since 2024-03"' "$T/j2"
grep -q '"read_as": "surname Мартинович, given name Олег"' "$T/j2"
# A status changed by an event says since when.
"$CARTEL" --db "$DB" event add QT-001 status repatriated \
	--by registrar --source official_list --at 2025-01-10T09:00:00Z > /dev/null
"$CARTEL" --db "$DB" search "Мартинович Олег" > "$T/s3"
sed -n 3p "$T/s3" | grep -q '^    repatriated on 2025-01-10$'

# An inquiry by a name typed in one line finds the man.
"$CARTEL" --db "$DB" inquiry add --by hotline --name "Кузьмин Денис" > "$T/i1"
grep -q '^read as surname Кузьмин, given name Денис$' "$T/i1"
grep -q '^INQ-000001 recorded, [1-9][0-9]* potential match' "$T/i1"
grep -q 'RU-003638' "$T/i1"
