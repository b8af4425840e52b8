# cartel plan under the Dix-Hill rank scale: values balance exactly, the
# colonel (15) cannot be matched by the other side's men and says so.
. "$TOP/tests/e2e/data/plan_lib.sh"
load_small
P=$POL/dix-hill.yaml
run 0 "$CARTEL" --db "$DB" plan --policy "$P"
expect "value on the scale                          9          9" "$WORK/out"
expect "gives (persons)                             5          5" "$WORK/out"
expect "proven optimal" "$WORK/out"
explain ua-10 "$P" "side RU gives 8 in value besides civilians, so the balance (ratio 1:1, scale dix-hill) lets side UA give 8 (his worth on the scale is 15)"
explain ua-03 "$P" "stage 2 of 2"
run 0 "$CARTEL" --db "$DB" plan --policy "$P" --json
expect '"scale": "dix-hill"' "$WORK/out"
expect '"rank_class": "lieutenant"' "$WORK/out"
expect '"rank_class": "civilian"' "$WORK/out"
expect '"optimal": true' "$WORK/out"
expect '"gap": 0' "$WORK/out"
echo ok
