#!/bin/sh
# A whole round through the real binary, as two bureaus would run it:
# each party its own register and key, keys exchanged and pinned, a plan,
# a proposal both sign and verify, an agreed version that supersedes it,
# the diff between them, the handover loaded and checked off, and the
# statuses read back with `cartel person show`.
set -eu
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
D="$TOP/tests/e2e/data"
UA="$CARTEL --db $T/ua.db"
RU="$CARTEL --db $T/ru.db"
fail() { echo "FAIL: $*" >&2; exit 1; }

$UA init >/dev/null
$RU init >/dev/null
$UA import csv "$D/round_persons.csv" >/dev/null
$UA plan --policy "$D/round_policy.yaml" -o "$T/plan.json" >/dev/null

# Keys: each party makes its own and pins the other's public key.
$UA key new --party UA -o "$T" >"$T/ua-key.out"
mkdir "$T/ru"
$RU key new --party RU -o "$T/ru" >/dev/null
[ "$(stat -c %a "$T/UA.key")" = 600 ] || fail "secret key is not mode 0600"
grep -q secret_key "$T/ua-key.out" && fail "key new printed the secret"
grep -q "$(sed -n 's/.*"secret_key": "\(.*\)".*/\1/p' "$T/UA.key")" \
	"$T/ua-key.out" && fail "key new printed the secret"
$UA key import "$T/ru/RU.pub" --party RU >/dev/null
$RU key import "$T/UA.pub" --party UA >/dev/null
# A secret key is never imported as a pin.
if $RU key import "$T/ru/RU.key" --party RU 2>/dev/null; then
	fail "a secret key file was accepted as a pin"
fi

# A plan naming someone this register does not hold: refused, no file.
sed 's/"RU-1"/"RU-404"/' "$T/plan.json" >"$T/ghost.json"
if $UA round new --plan "$T/ghost.json" -o "$T/ghost-round.json" \
	2>"$T/err"; then
	fail "a plan with an unknown person made a round"
fi
grep -q "RU-404 is not in the register" "$T/err" || fail "ghost: no reason"
[ -e "$T/ghost-round.json" ] && fail "a failed round new left a file"
# Not a plan at all.
echo '{"sides": 3}' >"$T/notplan.json"
if $UA round new --plan "$T/notplan.json" -o "$T/x.json" 2>"$T/err"; then
	fail "not a plan"
fi
grep -q "notplan.json" "$T/err" || fail "notplan: no file named"

# Version 1: a proposal, signed by both, verified on both sides.
$UA round new --plan "$T/plan.json" --id R-TEST -o "$T/v1.json" >/dev/null
if $UA round verify "$T/v1.json" >/dev/null 2>"$T/err"; then
	fail "an unsigned proposal verified"
fi
grep -q "signature of UA: missing" "$T/err" || fail "missing signature not named"
$UA round sign "$T/v1.json" --key "$T/UA.key" >/dev/null
$RU round sign "$T/v1.json" --key "$T/ru/RU.key" >/dev/null
$UA round verify "$T/v1.json" | grep -q "^verified" || fail "v1 on UA"
$RU round verify "$T/v1.json" | grep -q "^verified" || fail "v1 on RU"
# Version 2: the agreed list, superseding v1; a person's service number
# was corrected in the register in between.
$UA event add UA-4 service_number A103-1 --by registrar \
	--source official_list >/dev/null
$UA round new --plan "$T/plan.json" --kind agreed --supersedes "$T/v1.json" \
	-o "$T/v2.json" >/dev/null
$UA round diff "$T/v1.json" "$T/v2.json" >"$T/diff"
grep -q 'kind: "proposal" -> "agreed"' "$T/diff" || fail "diff: kind"
grep -q 'version: 1 -> 2' "$T/diff" || fail "diff: version"
grep -q '~ UA-4 changed: service_number "A103" -> "A103-1"' "$T/diff" ||
	fail "diff: changed field"
grep -q '0 added, 0 removed, 1 changed' "$T/diff" || fail "diff: counts"
$UA round diff "$T/v1.json" "$T/v2.json" --json | grep -q '"changed":\[{' ||
	fail "diff --json"

# Not signed yet: the handover refuses it, and nothing is loaded.
if $UA handover start "$T/v2.json" 2>"$T/err"; then
	fail "an unsigned agreed list was loaded"
fi
grep -q "does not verify" "$T/err" || fail "start: no reason given"
$UA person show UA-1 | grep -q "status *confirmed_captive" ||
	fail "status moved on a refused start"
$UA round sign "$T/v2.json" --key "$T/UA.key" >/dev/null
$RU round sign "$T/v2.json" --key "$T/ru/RU.key" >/dev/null
$UA round verify "$T/v2.json" --json | grep -q '"ok":true' || fail "v2"

# The handover.
$UA handover start "$T/v2.json" --by mediator >/dev/null
$UA person show UA-1 | grep -q "status *agreed" || fail "UA-1 not agreed"
$UA person show UA-9 | grep -q "status *agreed" || fail "UA-9 (Art. 110)"
$UA person show RU-5 | grep -q "status *confirmed_captive" ||
	fail "the withheld RU-5 moved"
$UA handover status R-TEST --persons >"$T/st"
# Stage 1: UA-1 received, RU-1 handed over, RU-2 refused at the point.
$UA handover check R-TEST UA-1 --as received --by "officer A" >/dev/null
$UA handover check R-TEST RU-1 --as handed_over --by "officer A" >/dev/null
$UA handover check R-TEST RU-2 --as refused --by "officer A" >/dev/null
# UA-2 was never asked: no check-off as received.
if $UA handover check R-TEST UA-2 --as received --by "officer A" \
	2>"$T/err"; then
	fail "UA-2 handed over without consent"
fi
grep -q "not 'willing'" "$T/err" || fail "consent refusal not explained"
# After the interview, it goes through.
$UA event add UA-2 consent willing --by "ICRC delegate" \
	--source icrc_visit >/dev/null
$UA handover check R-TEST UA-2 --as received --by "officer A" >/dev/null
# The direct repatriation case (stage 1).
$UA handover check R-TEST UA-9 --as received --by "officer A" >/dev/null
$UA handover stage R-TEST 1 --close --by "officer A" >/dev/null
# Stage 2, still open.
$UA handover check R-TEST UA-3 --as received --by "officer B" >/dev/null
$UA handover check R-TEST RU-3 --as absent --by "officer B" >/dev/null

$UA person show UA-1 | grep -q "status *repatriated" || fail "UA-1"
$UA person show RU-1 | grep -q "status *repatriated" || fail "RU-1"
$UA person show RU-2 | grep -q "status *confirmed_captive" || fail "RU-2"
$UA person show RU-3 | grep -q "status *confirmed_captive" || fail "RU-3"
$UA person show UA-4 | grep -q "status *agreed" || fail "UA-4 pending"
$UA handover status R-TEST --json >"$T/st.json"
grep -q '"stage":1,"listed":5' "$T/st.json" ||
	grep -q '"listed":5' "$T/st.json" || fail "stage 1 count"
grep -q '"closed":true' "$T/st.json" || fail "stage 1 not closed"
$UA handover status R-TEST --persons | grep -q "UA-1 .*received at .* by officer A" ||
	fail "who and when not shown"
# Everything is in the audit chain, and it holds.
$UA audit verify >/dev/null || fail "audit chain"
echo "ok"
