# An empty register, and a party with nobody eligible, give plans with
# empty lists and reasons, not errors.
. "$TOP/tests/e2e/data/plan_lib.sh"
run 0 "$CARTEL" --db "$DB" init
run 0 "$CARTEL" --db "$DB" plan --policy "$POL/one-for-one.yaml"
expect "gives (persons)                             0          0" "$WORK/out"
expect "nobody" "$WORK/out"
run 0 "$CARTEL" --db "$DB" plan --policy "$POL/dix-hill.yaml" --json
expect '"gives": []' "$WORK/out"
expect '"optimal": true' "$WORK/out"

# RU holds two, both out of custody: UA's men stay, with the reason.
cat >"$WORK/one-sided.csv" <<'CSV'
id,family_name,held_by,category,rank,captured_on,consent,status
u1,Tkach,UA,military,private,2023-01-01,willing,confirmed_captive
u2,Bondar,UA,military,private,2023-02-01,willing,confirmed_captive
r1,Ivanov,RU,military,private,2023-01-01,willing,deceased
r2,Petrov,RU,military,private,2023-01-01,willing,released
CSV
run 0 "$CARTEL" --db "$DB" import csv "$WORK/one-sided.csv"
run 0 "$CARTEL" --db "$DB" plan --policy "$POL/one-for-one.yaml"
expect "gives (persons)                             0          0" "$WORK/out"
expect "eligible under the deal                     2          0" "$WORK/out"
explain u1 "$POL/one-for-one.yaml" "side RU gives 0 persons besides civilians, so the balance (ratio 1:1) lets side UA give 0"
explain r2 "$POL/one-for-one.yaml" "released: no longer held"
echo ok
