#!/bin/sh
# Rule 'plan_digest': a plan whose digest does not match the plan file it
# names. A plan edited by hand without its digest made again is refused by
# round new; round sign and handover start given that plan file (--plan)
# refuse a list made from the true plan, and take it with the true plan.
. "$TOP/tests/e2e/data/rules_lib.sh"

jq '.optimal = false' "$T/plan.json" >"$T/plan-x.json"
refused_new "$T/plan-x.json" "rule 'plan_digest'" \
	"states digest $(jq -r .digest "$T/plan.json")" "changed after the plan"
# A plan of its own, whole, but not the one the list names.
plan_edit '.optimal = false' "$T/plan-y.json"
cp "$T/good.json" "$T/doc.json"
if $C round sign "$T/doc.json" --key "$T/UA.key" --plan "$T/plan-y.json" \
	>/dev/null 2>"$T/err"; then
	fail "signed a list against another plan"
fi
says "$T/err" "rule 'plan_digest'" \
	"the document names plan $(jq -r .digest "$T/plan.json")"
cmp -s "$T/doc.json" "$T/good.json" || fail "a refused sign changed the file"
$C round sign "$T/doc.json" --key "$T/UA.key" --plan "$T/plan.json" \
	>/dev/null || fail "the true plan was refused"
$C round sign "$T/doc.json" --key "$T/RU.key" >/dev/null
if $C handover start "$T/doc.json" --plan "$T/plan-x.json" \
	>/dev/null 2>"$T/err"; then
	fail "handover start took a list against an edited plan"
fi
says "$T/err" "rule 'plan_digest'"
[ "$(sqlite3 "$DB" 'SELECT count(*) FROM round_doc')" = 0 ] ||
	fail "a refused start loaded the round"
$C handover start "$T/doc.json" --plan "$T/plan.json" >/dev/null ||
	fail "the true plan was refused at the start"
echo ok
