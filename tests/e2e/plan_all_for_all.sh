# cartel plan with the June 2025 all-for-all example (the seriously
# wounded and sick, ages 18-25): everyone eligible in the categories on
# both sides, no balance.
. "$TOP/tests/e2e/data/plan_lib.sh"
load_small
P=$POL/all-for-all-wounded-and-young.yaml
run 0 "$CARTEL" --db "$DB" plan --policy "$P"
expect "All for all" "$WORK/out"
expect "gives (persons)                             1          1" "$WORK/out"
explain ua-02 "$P" "in the proposed round (all for all), side UA gives, 1st of 1"
explain ru-02 "$P" "category 'sick'"
explain ua-01 "$P" "not in the categories of this deal"
explain ua-05 "$P" "direct repatriation (Art. 110)"
run 0 "$CARTEL" --db "$DB" plan --policy "$P" --json
expect '"mode": "all_for_all"' "$WORK/out"
expect '"ratio": null' "$WORK/out"
expect '"not_in_categories": ' "$WORK/out"
echo ok
