#!/bin/sh
# cartel dedupe: one list holding the same man three times (three hands,
# three scripts) and his brother; the output contract id,cluster_id.
set -eu
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cat > "$T/list.csv" <<'CSV'
id,family_name,given_name,patronymic,birth_date,birth_place
A1,Шевченко,Тарас,Григорович,1984-03-09,Київ
A2,Мельник,Іван,Петрович,1970-05-05,Львів
A3,SHEVCHENKO,TARAS,,09.03.1984,Kyiv
A4,Шевченко,Микола,Григорович,1986-01-20,Київ
A5,Schewtschenko,Taras,Hryhorowytsch,1984-03-09,Kiew
A6,Мельник,Иван,Петрович,1970-05-05,Львов
CSV
"$CARTEL" dedupe "$T/list.csv" -o "$T/out.csv" 2> "$T/err"
cat > "$T/want.csv" <<'CSV'
id,cluster_id
A1,A1
A2,A2
A3,A1
A4,A4
A5,A1
A6,A2
CSV
if ! cmp -s "$T/out.csv" "$T/want.csv"; then
	echo "dedupe gave:"; cat "$T/out.csv"; exit 1
fi
grep -q '6 records in 3 clusters' "$T/err"
