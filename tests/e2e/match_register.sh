#!/bin/sh
# The register side: search by a name typed in any script and order,
# inquiries matched as they arrive, potential matches confirmed or rejected
# with who and why, everything in the audit chain.
set -eu
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
DB="$T/reg.db"
export CARTEL_NOW=2026-01-02T03:04:05Z
"$CARTEL" --db "$DB" init > /dev/null
cat > "$T/persons.csv" <<'CSV'
id,family_name,given_name,patronymic,birth_date,birth_place,sex,held_by,status
UA-1,Ковальчук,Олександр,Петрович,1990-03-02,Житомир,male,RU,confirmed_captive
UA-2,Ковальчук,Олексій,Петрович,1992-07-15,Житомир,male,RU,confirmed_captive
UA-3,Гайдамака,Сергій,Юрійович,1975-12-01,Полтава,male,RU,confirmed_captive
UA-4,Мельник,Іван,,1970-05-05,,male,RU,confirmed_captive
CSV
"$CARTEL" --db "$DB" import csv "$T/persons.csv" > /dev/null

# Search: Latin, another order, a patronymic; the right man first.
"$CARTEL" --db "$DB" search Aleksandr Petrovich KOVALCHUK > "$T/s1"
sed -n 2p "$T/s1" | grep -q 'UA-1 .* match'
"$CARTEL" search --db "$DB" --json --born 1975-12-01 "Haidamaka Serhii" > "$T/s2"
grep -q '"id": "UA-3"' "$T/s2"
grep -q '"band": "match"' "$T/s2"
set +e
"$CARTEL" --db "$DB" search > /dev/null 2>&1; [ $? -eq 2 ] || exit 1
"$CARTEL" --db "$DB" search --born 1990-13-13 Ivan > /dev/null 2>&1; [ $? -eq 1 ] || exit 1
"$CARTEL" --db "$DB" search --born 1990-02-30 Ivan > /dev/null 2>&1; [ $? -eq 1 ] || exit 1
set -e
# Day and month typed the other way round: read swapped, and said so.
"$CARTEL" --db "$DB" search --born 1990-15-03 Kovalchuk Oleksandr > "$T/s3"
grep -q '^searched 4 persons, read as surname Kovalchuk, given name Oleksandr, born 1990-03-15 (day and month swapped)$' "$T/s3"
sed -n 2p "$T/s3" | grep -q 'UA-1 '

# An inquiry is matched as it arrives and kept for review.
"$CARTEL" --db "$DB" inquiry add --by hotline --name "Олександр Ковальчук" \
	--born 1990 --contact "mother" > "$T/i1"
grep -q '^INQ-000001 recorded' "$T/i1"
grep -q 'UA-1' "$T/i1"
"$CARTEL" --db "$DB" review list > "$T/r1"
grep -q '^INQ-000001 UA-1 .* pending' "$T/r1"
# Said in words under it, for a clerk: no bits.
grep -A1 '^INQ-000001 UA-1 ' "$T/r1" | grep -q '^      found by surname' ||
	{ echo "the match is not said in words: $(cat "$T/r1")"; exit 1; }
# A second inquiry with no match yet; a person arrives; match again.
"$CARTEL" --db "$DB" inquiry add --by hotline --family Бойко --given Андрій \
	--born 1988-02-02 > "$T/i2"
grep -q '^INQ-000002 recorded, 0 potential matches' "$T/i2"
printf 'id,family_name,given_name,birth_date,held_by\nUA-5,Бойко,Андрей,02.02.1988,RU\n' > "$T/more.csv"
"$CARTEL" --db "$DB" import csv "$T/more.csv" > /dev/null
"$CARTEL" --db "$DB" inquiry match --by bureau | grep -q '^1 new potential match'
"$CARTEL" --db "$DB" review list | grep -q '^INQ-000002 UA-5'

# Decisions need who and why; each is recorded and audited.
set +e
"$CARTEL" --db "$DB" review confirm INQ-000001 UA-1 --by clerk > /dev/null 2>&1
[ $? -eq 2 ] || { echo "confirm without --why accepted"; exit 1; }
"$CARTEL" --db "$DB" review confirm INQ-000009 UA-1 --by clerk --why x > /dev/null 2>&1
[ $? -eq 1 ] || { echo "unknown inquiry accepted"; exit 1; }
set -e
"$CARTEL" --db "$DB" review confirm INQ-000001 UA-1 --by clerk \
	--why "date and father agree" | grep -q 'confirmed'
"$CARTEL" --db "$DB" review reject INQ-000002 UA-5 --by clerk \
	--why "mother says he is not in RU custody" | grep -q 'rejected'
set +e
"$CARTEL" --db "$DB" review reject INQ-000001 UA-1 --by clerk --why again > /dev/null 2>&1
[ $? -eq 1 ] || { echo "second decision accepted"; exit 1; }
set -e
"$CARTEL" --db "$DB" review list | grep -q 'nothing to review'
"$CARTEL" --db "$DB" review list --all > "$T/all"
grep -q 'confirmed by clerk at 2026-01-02T03:04:05Z: date and father agree' "$T/all"
grep -q 'rejected by clerk' "$T/all"
# The confirmation is an event on the person; the chain holds.
"$CARTEL" --db "$DB" person show UA-1 | grep -q 'INQ-000001'
"$CARTEL" --db "$DB" audit verify > /dev/null
