# Bad policies name the line and the key; a missing policy or register is
# a clear failure; nothing is recorded for a plan that was not made.
. "$TOP/tests/e2e/data/plan_lib.sh"
load_small
before=$(sqlite3 "$DB" "select count(*) from audit")

bad() { # bad LINE KEY TEXT: the policy in $WORK/p.yaml fails so
	run 1 "$CARTEL" --db "$DB" plan --policy "$WORK/p.yaml"
	expect "p.yaml line $1, key '$2'" "$WORK/err"
	expect "$3" "$WORK/err"
}
printf 'parties: [UA, RU]\nmax_per_sdie: 300\n' >"$WORK/p.yaml"
bad 2 max_per_sdie "unknown key"
printf 'parties: [UA, RU]\nmode: all_for_all\nratio: "1:1"\n' >"$WORK/p.yaml"
bad 3 ratio "contradicts 'mode: all_for_all'"
printf 'parties: [UA, RU]\nmax_per_side: -3\n' >"$WORK/p.yaml"
bad 2 max_per_side "-3 is not a positive whole number"
printf 'parties: [UA, UA]\n' >"$WORK/p.yaml"
bad 1 parties "listed twice"
printf 'parties: [UA, RU]\nscale: napoleonic\n' >"$WORK/p.yaml"
bad 2 scale "not a known scale"
printf 'parties: [UA, RU]\n# a comment\nstages: 0\n' >"$WORK/p.yaml"
bad 3 stages "0 is not"
printf 'parties: [UA, RU]\nmax_per_side: many\n' >"$WORK/p.yaml"
bad 2 max_per_side "not a whole number"
printf 'parties: [UA, RU]\nwithhold: [disciplinary]\n' >"$WORK/p.yaml"
bad 2 withhold "disciplinary punishment is no reason"
printf 'parties: [UA, RU\n' >"$WORK/p.yaml"
run 1 "$CARTEL" --db "$DB" plan --policy "$WORK/p.yaml"
expect "not valid YAML" "$WORK/err"

run 1 "$CARTEL" --db "$DB" plan --policy "$WORK/none.yaml"
expect "none.yaml" "$WORK/err"
run 2 "$CARTEL" --db "$DB" plan
expect "--policy FILE is required" "$WORK/err"
run 2 "$CARTEL" --db "$DB" plan explain --policy "$POL/one-for-one.yaml"
run 2 "$CARTEL" --db "$DB" plan --policy "$POL/one-for-one.yaml" --time-limit x
run 1 "$CARTEL" --db "$WORK/absent.db" plan --policy "$POL/one-for-one.yaml"
[ ! -e "$WORK/absent.db" ] || fail "planning created a register"

after=$(sqlite3 "$DB" "select count(*) from audit")
[ "$before" = "$after" ] || fail "failed plans were audited ($before -> $after)"
echo ok
