#!/bin/sh
# Rule 'not_holder': a person listed by a side that does not hold him.
# UA-2 is held by RU; a plan and a list edited by hand move him to UA's
# list. round new, round sign and handover start each refuse, naming him
# and the rule, and write nothing.
. "$TOP/tests/e2e/data/rules_lib.sh"

plan_edit '.sides.RU.gives -= ["UA-2"] | .sides.UA.gives += ["UA-2"]' \
	"$T/plan-x.json"
refused_new "$T/plan-x.json" "rule 'not_holder'" "person UA-2 is listed by UA"
doc_edit '(.sides.RU.gives[] | select(.id == "UA-2")) as $m
	| .sides.RU.gives -= [$m] | .sides.UA.gives += [$m]' "$T/doc-x.json"
refused_sign "$T/doc-x.json" "rule 'not_holder'" "person UA-2 is listed by UA"
refused_start "$T/doc-x.json" "rule 'not_holder'" "person UA-2 is listed by UA"
# The list as it was goes through.
$C round sign "$T/good.json" --key "$T/UA.key" >/dev/null ||
	fail "the good list was refused"
echo ok
