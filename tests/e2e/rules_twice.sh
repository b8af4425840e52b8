#!/bin/sh
# Rule 'twice': the same person twice. A plan edited by hand lists RU-1 on
# UA's traded list and on UA's direct-repatriation list; a list edited by
# hand does the same; and a plan lists one man under two records the
# register has merged into one. Every step refuses, naming him and the
# rule, and writes nothing.
. "$TOP/tests/e2e/data/rules_lib.sh"

plan_edit '.direct_repatriation.UA += ["RU-1"]' "$T/plan-x.json"
refused_new "$T/plan-x.json" "rule 'twice'" "person RU-1 is listed twice"
doc_edit '(.sides.UA.gives[] | select(.id == "RU-1")) as $m
	| .direct_repatriation.UA += [$m]' "$T/doc-x.json"
refused_sign "$T/doc-x.json" "rule 'twice'" "person RU-1 is listed twice"
cp "$T/doc-x.json" "$T/doc-y.json"
if $C handover start "$T/doc-y.json" --by mediator 2>"$T/err"; then
	fail "handover start took a man listed twice"
fi
says "$T/err" "rule 'twice'" "person RU-1 is listed twice"
[ "$(sqlite3 "$DB" 'SELECT count(*) FROM round_doc')" = 0 ] ||
	fail "a refused start loaded the round"
# One man, two records merged: listed under both ids, he is still one man.
$C merge RU-3 RU-4 --by registrar --reason "one man, two records" >/dev/null
plan_edit '.sides.UA.gives = ["RU-1", "RU-2", "RU-3", "RU-4"]' "$T/plan-m.json"
refused_new "$T/plan-m.json" "rule 'twice'" "is listed twice"
echo ok
