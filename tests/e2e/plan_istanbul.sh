# cartel plan with the Istanbul 1000-for-1000 example: stages of 390, 307
# and 303 in proportion, only the convicted withheld.
. "$TOP/tests/e2e/data/plan_lib.sh"
load_small
P=$POL/istanbul-1000-for-1000.yaml
run 0 "$CARTEL" --db "$DB" plan --policy "$P"
expect "Stages (UA / RU):  1: 1/1  2: 2/2  3: 2/2" "$WORK/out"
expect "withheld (Arts. 115, 119)                   1          0" "$WORK/out"
# Under this deal a man under proceedings is not withheld.
run 0 "$CARTEL" --db "$DB" plan explain ua-06 --policy "$P"
reject "withheld" "$WORK/out"
explain ua-04 "$P" "side UA gives, 1st of 5, category 'civilians', stage 1 of 3"
run 0 "$CARTEL" --db "$DB" plan --policy "$P" --json
expect '"max_per_side": 1000' "$WORK/out"
expect '"stage": 3' "$WORK/out"
echo ok
