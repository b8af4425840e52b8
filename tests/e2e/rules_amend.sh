#!/bin/sh
# round amend: a counter-proposal made from a list without editing JSON.
# Persons are named by their holder's party and id; the values and the
# balance are counted again and shown; the rules are checked again. A man
# who refused is refused by amend, and, forced into the file by hand, by
# round sign. round diff shows what changed, a changed top-level field
# (owner) included.
. "$TOP/tests/e2e/data/rules_lib.sh"
P="$D/round_policy.yaml"

# A counter-proposal: RU-4 and UA-4 off the lists, one each (1:1 holds).
$C round amend "$T/good.json" --remove UA:RU-4 --remove RU:UA-4 \
	--kind counter --policy "$P" -o "$T/v2.json" >"$T/out"
says "$T/out" "version 2 (counter) from version 1: 0 added, 2 removed" \
	"UA gives 4 -> 3, value 4 -> 3" "RU gives 4 -> 3, value 4 -> 3" \
	"balance: holds under the policy"
$C round verify "$T/v2.json" 2>"$T/err" >/dev/null || true
says "$T/err" "signature of UA: missing"
jq -e '.version == 2 and .kind == "counter" and .previous_digest ==
	$d' --arg d "$(jq -r .digest "$T/good.json")" "$T/v2.json" >/dev/null ||
	fail "v2 does not supersede v1"
$C round diff "$T/good.json" "$T/v2.json" >"$T/diff"
says "$T/diff" "- RU-4 removed from sides.UA.gives" \
	"- UA-4 removed from sides.RU.gives" "0 added, 2 removed, 0 changed"
# Both sign it; it is a list like any other.
$C round sign "$T/v2.json" --key "$T/UA.key" >/dev/null
$C round sign "$T/v2.json" --key "$T/RU.key" >/dev/null
$C round verify "$T/v2.json" >/dev/null || fail "the counter does not verify"

# One side only: off the policy's 1:1 balance, refused with the values.
if $C round amend "$T/v2.json" --remove UA:RU-3 --kind counter \
	--policy "$P" -o "$T/v3.json" >/dev/null 2>"$T/err"; then
	fail "an amendment off the balance was taken"
fi
says "$T/err" "off the policy's balance" "UA would give 2 (was 3)"
[ ! -e "$T/v3.json" ] || fail "a refused amend left a file"
# Without the policy it is counted by head and said so.
$C round amend "$T/v2.json" --remove UA:RU-3 --kind counter \
	-o "$T/v3.json" >"$T/out"
says "$T/out" "UA gives 3 -> 2, value 3 -> 2" "by head; no policy given"

# A man who refused repatriation: amend refuses, nothing is written.
if $C round amend "$T/v2.json" --add UA:RU-6 --remove UA:RU-3 \
	--kind counter -o "$T/v4.json" >/dev/null 2>"$T/err"; then
	fail "amend added a man who refused"
fi
says "$T/err" "rule 'refuses'" "person RU-6 refused repatriation"
[ ! -e "$T/v4.json" ] || fail "a refused amend left a file"
# Unknown or malformed references are refused too.
if $C round amend "$T/v2.json" --add UA:RU-404 --kind counter \
	-o "$T/v4.json" >/dev/null 2>"$T/err"; then
	fail "amend added a stranger"
fi
says "$T/err" "UA:RU-404: this register knows no person RU-404 held by UA"
if $C round amend "$T/v2.json" --remove RU-3 --kind counter \
	-o "$T/v4.json" >/dev/null 2>"$T/err"; then
	fail "amend took an id without its party"
fi
says "$T/err" "'RU-3' is not PARTY:ID"
# Forced into the file by hand (and sealed again), round sign refuses him.
jq '(.sides.UA.gives[0]) as $m | .version = 3 | .kind = "counter"
	| .previous_digest = .digest
	| .sides.UA.gives += [$m + {id: "RU-6", holder_id: "RU-6"}]' \
	"$T/v2.json" >"$T/forced0.json"
reseal "$T/forced0.json" "$T/forced.json"
refused_sign "$T/forced.json" "rule 'refuses'" \
	"person RU-6 refused repatriation"

# diff sees a changed top-level field it does not list itself.
jq '.owner = {"role": "party", "name": "RU"}' "$T/v3.json" >"$T/o0.json"
reseal "$T/o0.json" "$T/owner.json"
$C round diff "$T/v3.json" "$T/owner.json" >"$T/diff"
says "$T/diff" 'owner: null -> {"name":"RU","role":"party"}'
$C round diff "$T/v3.json" "$T/owner.json" --json >"$T/diff.json"
jq -e '.header | map(.field) | index("owner")' "$T/diff.json" >/dev/null ||
	fail "diff --json: no owner"
# And a list put in another order (the priority order is signed too).
jq '.sides.RU.gives |= reverse' "$T/v3.json" >"$T/r0.json"
reseal "$T/r0.json" "$T/order.json"
$C round diff "$T/v3.json" "$T/order.json" >"$T/diff"
says "$T/diff" "sides.RU.gives (order):"
$C audit verify >/dev/null || fail "audit chain"
echo ok
