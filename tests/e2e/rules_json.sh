#!/bin/sh
# Rule breaches with --json: round new, round amend, round sign and
# handover start each print, on standard output, {"ok": false, "error",
# "breaches": [...]} with one object per person and rule broken (the party
# whose list names him, his id, the rule's code, the sentence), exit 1,
# and write nothing. Two breaches in one list give two objects.
. "$TOP/tests/e2e/data/rules_lib.sh"

# check_breaches FILE PARTY ID RULE: FILE is the refusal, naming exactly
# the breach (PARTY, ID, RULE) among its breaches, with its sentence.
check_breaches() {
	jq -e --arg p "$2" --arg i "$3" --arg r "$4" '
	  .ok == false and (.error | type) == "string" and
	  (.breaches | map(select(.party == $p and .id == $i and
	    .rule == $r and .note == false and (.text | contains($i))))
	   | length) == 1' "$1" >/dev/null ||
		fail "no breach ($2, $3, $4) in: $(cat "$1")"
}

# round new: the plan adds RU-6 (refuses) to UA's list.
plan_edit '.sides.UA.gives += ["RU-6"]' "$T/plan-x.json"
if $C --json round new --plan "$T/plan-x.json" --kind agreed --id R-X \
	-o "$T/new.json" >"$T/out" 2>"$T/err"; then
	fail "round new took the plan"
fi
check_breaches "$T/out" UA RU-6 refuses
[ ! -e "$T/new.json" ] || fail "round new left a file"
says "$T/err" "rule 'refuses'"

# round sign: a list with RU-6 (refuses) and UA-2 moved to UA's list
# (not_holder): both breaches, each its own object.
doc_edit '(.sides.UA.gives[] | select(.id == "RU-4")) as $m
	| (.sides.RU.gives[] | select(.id == "UA-2")) as $u
	| .sides.RU.gives -= [$u]
	| .sides.UA.gives += [$m + {id: "RU-6", holder_id: "RU-6",
	  service_number: "B206"}, $u]' "$T/doc-x.json"
cp "$T/doc-x.json" "$T/before.json"
if $C --json round sign "$T/doc-x.json" --key "$T/UA.key" >"$T/out" \
	2>/dev/null; then
	fail "round sign signed the list"
fi
check_breaches "$T/out" UA RU-6 refuses
check_breaches "$T/out" UA UA-2 not_holder
[ "$(jq '.breaches | length' "$T/out")" = 2 ] ||
	fail "not two breaches: $(cat "$T/out")"
cmp -s "$T/doc-x.json" "$T/before.json" || fail "round sign changed the file"

# handover start: the same list, signed where nobody is known.
$X round sign "$T/doc-x.json" --key "$T/UA.key" >/dev/null
$X round sign "$T/doc-x.json" --key "$T/RU.key" >/dev/null
if $C --json handover start "$T/doc-x.json" --by mediator >"$T/out" \
	2>/dev/null; then
	fail "handover start loaded the list"
fi
check_breaches "$T/out" UA RU-6 refuses
[ "$(sqlite3 "$DB" 'SELECT count(*) FROM round_doc')" = 0 ] ||
	fail "a refused start loaded the round"

# round amend: adding RU-6.
if $C --json round amend "$T/good.json" --add UA:RU-6 --kind counter \
	-o "$T/v2.json" >"$T/out" 2>/dev/null; then
	fail "amend added a man who refused"
fi
check_breaches "$T/out" UA RU-6 refuses
[ ! -e "$T/v2.json" ] || fail "a refused amend left a file"

# Without --json nothing is printed on standard output.
if $C round sign "$T/doc-x.json" --key "$T/UA.key" >"$T/out" 2>/dev/null; then
	fail "round sign signed the list"
fi
[ ! -s "$T/out" ] || fail "text mode printed on stdout: $(cat "$T/out")"
echo ok
