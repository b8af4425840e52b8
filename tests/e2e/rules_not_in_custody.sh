#!/bin/sh
# Rule 'not_in_custody': a person deceased, released, repatriated or no
# longer declared. RU-7 died and RU-8 was released; a plan and a list
# edited by hand add both to UA's list. Every step refuses, naming each
# man, what became of him, and the rule. (A man repatriated by an earlier
# round: handover_rules.sh; one no longer declared: rules_declared.sh.)
. "$TOP/tests/e2e/data/rules_lib.sh"

plan_edit '.sides.UA.gives += ["RU-7", "RU-8"]' "$T/plan-x.json"
refused_new "$T/plan-x.json" "rule 'not_in_custody'" \
	"person RU-7 is deceased" "person RU-8 is released"
doc_edit '(.sides.UA.gives[] | select(.id == "RU-4")) as $m
	| .sides.UA.gives += [$m + {id: "RU-7", holder_id: "RU-7"},
	  $m + {id: "RU-8", holder_id: "RU-8"}]' "$T/doc-x.json"
refused_sign "$T/doc-x.json" "rule 'not_in_custody'" \
	"person RU-7 is deceased" "person RU-8 is released"
refused_start "$T/doc-x.json" "rule 'not_in_custody'" \
	"person RU-7 is deceased" "person RU-8 is released"
echo ok
