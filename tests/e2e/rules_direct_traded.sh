#!/bin/sh
# Rule 'direct_traded': a person awaiting direct repatriation (GC III
# Art. 110) traded inside the balance. UA-9 is designated; a plan and a
# list edited by hand move him from RU's direct-repatriation list into
# RU's traded list. Every step refuses, naming him and the rule.
. "$TOP/tests/e2e/data/rules_lib.sh"

plan_edit '.direct_repatriation.RU -= ["UA-9"] | .sides.RU.gives += ["UA-9"]' \
	"$T/plan-x.json"
refused_new "$T/plan-x.json" "rule 'direct_traded'" \
	"person UA-9 awaits direct repatriation"
doc_edit '(.direct_repatriation.RU[0]) as $m
	| .direct_repatriation.RU = [] | .sides.RU.gives += [$m]' \
	"$T/doc-x.json"
refused_sign "$T/doc-x.json" "rule 'direct_traded'" \
	"person UA-9 awaits direct repatriation"
refused_start "$T/doc-x.json" "rule 'direct_traded'" \
	"person UA-9 awaits direct repatriation"
echo ok
