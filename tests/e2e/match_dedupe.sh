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

# --pairs: per pair both ids, the cluster, the score and band, and each
# compared field's two values, how they compare and the bits it adds.
fail() { echo "FAIL: $*" >&2; exit 1; }
"$CARTEL" dedupe "$T/list.csv" --pairs -o "$T/pairs.csv" 2>/dev/null
head -1 "$T/pairs.csv" | grep -q '^a_id,b_id,cluster_id,score,band,family_name_a,family_name_b,family_name_how,family_name_bits,given_name_a,' ||
	fail "header: $(head -1 "$T/pairs.csv")"
grep -q '^A1,A5,A1,1\.0000,match,Шевченко,Schewtschenko,the same surname in either language (name table),+[0-9.]*,Тарас,Taras,via the name table,' \
	"$T/pairs.csv" || fail "A1-A5: $(cat "$T/pairs.csv")"
grep -q '^A2,A6,A2,.*,Львів,Львов,similar spelling,' "$T/pairs.csv" ||
	fail "A2-A6: $(cat "$T/pairs.csv")"
# The brother is a pair for review, with the evidence against: another
# given name, another birth date.
grep -q '^A1,A4,A1,0\.[0-9]*,review,.*,Тарас,Микола,different,-' \
	"$T/pairs.csv" || fail "A1-A4: $(cat "$T/pairs.csv")"
grep -q 'A4,A4\|^A1,A4,A4' "$T/pairs.csv" && fail "A4 joined a cluster"
# --json: the same pairs, as one document.
"$CARTEL" dedupe "$T/list.csv" --json >"$T/pairs.json" 2>/dev/null
jq -e '.records == 6 and .clusters == 3' "$T/pairs.json" >/dev/null ||
	fail "json counts"
jq -e '.pairs[] | select(.a == "A1" and .b == "A3") | .band == "match"
	and (.evidence[] | select(.field == "birth_date")
	| .a == "1984-03-09" and .b == "1984-03-09" and .how == "exact"
	and .bits > 0)' "$T/pairs.json" >/dev/null || fail "json A1-A3"
n_csv=$(($(wc -l <"$T/pairs.csv") - 1))
n_json=$(jq '.pairs | length' "$T/pairs.json")
[ "$n_csv" -eq "$n_json" ] || fail "csv $n_csv pairs, json $n_json"
