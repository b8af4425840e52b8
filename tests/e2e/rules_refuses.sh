#!/bin/sh
# Rule 'refuses': a person who refused repatriation (GC III Art. 109).
# RU-6's recorded consent is 'refuses'; a plan and a list edited by hand
# add him to UA's list (the list even calls him willing). round new, round
# sign and handover start each refuse, naming him and the rule.
. "$TOP/tests/e2e/data/rules_lib.sh"

plan_edit '.sides.UA.gives += ["RU-6"]' "$T/plan-x.json"
refused_new "$T/plan-x.json" "rule 'refuses'" "person RU-6 refused repatriation"
doc_edit '(.sides.UA.gives[] | select(.id == "RU-4")) as $m
	| .sides.UA.gives += [$m + {id: "RU-6", holder_id: "RU-6",
	  service_number: "B206"}]' "$T/doc-x.json"
refused_sign "$T/doc-x.json" "rule 'refuses'" "person RU-6 refused repatriation"
refused_start "$T/doc-x.json" "rule 'refuses'" "person RU-6 refused repatriation"
grep -q "rule 'not_holder'\|rule 'twice'\|rule 'not_in_custody'" "$T/err" &&
	fail "another rule was reported: $(cat "$T/err")"
echo ok
