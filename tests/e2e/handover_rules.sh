#!/bin/sh
# The register's own rules at the exchange point, through the real binary:
# a man who refuses at the point is recorded as refusing (who, where) and
# no later plan lists him until a new "willing"; a man who died after the
# round was agreed does not keep his stage from closing; a man repatriated
# in one round is not loaded into, nor checked off in, a second.
set -eu
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
D="$TOP/tests/e2e/data"
C="$CARTEL --db $T/r.db"
P="$D/round_policy.yaml"
fail() { echo "FAIL: $*" >&2; exit 1; }

$C init >/dev/null
$C import csv "$D/round_persons.csv" >/dev/null
$C key new --party UA -o "$T" >/dev/null
$C key new --party RU -o "$T" >/dev/null
$C event add UA-2 consent willing --by "ICRC delegate" \
	--source icrc_visit >/dev/null

agree() { # PLAN ID
	$C round new --plan "$1" --kind agreed --id "$2" -o "$T/$2.json" \
		>/dev/null
	$C round sign "$T/$2.json" --key "$T/UA.key" >/dev/null
	$C round sign "$T/$2.json" --key "$T/RU.key" >/dev/null
}

$C plan --policy "$P" -o "$T/plan1.json" >/dev/null
grep -q '"RU-2"' "$T/plan1.json" || fail "RU-2 not in the first plan"
grep -q '"UA-3"' "$T/plan1.json" || fail "UA-3 not in the first plan"
agree "$T/plan1.json" R-1
# A second round agreed on the same list before the first one runs.
agree "$T/plan1.json" R-2
$C handover start "$T/R-1.json" --by mediator >/dev/null

# UA-3 dies after the round was agreed; he cannot be checked off.
$C event add UA-3 status deceased --by bureau --source official_list \
	>/dev/null
if $C handover check R-1 UA-3 --as absent --by "officer A" 2>"$T/err"; then
	fail "a dead man was checked off"
fi
grep -q "UA-3 is deceased" "$T/err" || fail "no reason for UA-3"

# RU-2 refuses at the exchange point.
$C handover check R-1 RU-2 --as refused --by "officer A" \
	--where "Sumy crossing" --at 2026-05-16T10:30:00Z >/dev/null
$C person show RU-2 >"$T/show"
grep -q "^consent  *refuses$" "$T/show" || fail "refusal not recorded"
grep -q "^consent_by  *officer A$" "$T/show" || fail "consent_by"
grep -q "^consent_on  *2026-05-16$" "$T/show" || fail "consent_on"
grep -q "consent 'willing' -> 'refuses'" "$T/show" || fail "consent event"
grep -q "round R-1 .*refused at the point of exchange at Sumy crossing" \
	"$T/show" || fail "where the refusal was made is not recorded"

# Everyone else is handed over; both stages close, UA-3 closed out.
$C handover status R-1 --json | tr '{' '\n' |
	sed -n 's/.*"id":"\([^"]*\)".*"outcome":"pending".*/\1/p' \
	>"$T/pending"
while read -r id; do
	[ "$id" = UA-3 ] && continue
	$C handover check R-1 "$id" --as received --by "officer A" >/dev/null
done <"$T/pending"
$C handover stage R-1 1 --close --by "officer A" >/dev/null
$C handover stage R-1 2 --close --by "officer A" >/dev/null
$C handover status R-1 --json >"$T/st.json"
grep -q '"id":"UA-3"[^}]*"outcome":"deceased"' "$T/st.json" ||
	fail "UA-3 not closed out as deceased"
[ "$(grep -o '"closed":true' "$T/st.json" | wc -l)" -eq 2 ] ||
	fail "a stage did not close"
$C handover status R-1 | grep -q "closed_out" || fail "no closed_out column"

# The next plan does not offer RU-2 again...
$C plan --policy "$P" -o "$T/plan2.json" >/dev/null
tr -d ' \n' <"$T/plan2.json" >"$T/flat"
sed 's/"excluded".*//' "$T/flat" | grep -q '"RU-2"' &&
	fail "RU-2 offered again after refusing"
grep -q '"id":"RU-2","party":"UA","code":"refuses"' "$T/flat" ||
	fail "RU-2 not excluded as refusing"
$C plan explain RU-2 --policy "$P" >"$T/why" || true
grep -qi "refuse" "$T/why" || fail "plan explain does not say he refused"
# ...until a new "willing" is recorded.
$C event add RU-2 consent willing --by "ICRC delegate" \
	--source icrc_visit >/dev/null
$C plan explain RU-2 --policy "$P" >"$T/why" || true
grep -qi "refuse" "$T/why" && fail "still excluded after a new willing"

# The second round lists UA-1, repatriated in R-1 since it was signed.
if $C handover start "$T/R-2.json" --by mediator 2>"$T/err"; then
	fail "a round listing repatriated men was loaded"
fi
grep -q "was already repatriated through round R-1 .* cannot be listed again in round R-2" "$T/err" ||
	fail "the round that repatriated him is not named"
$C audit verify >/dev/null || fail "audit chain"
echo "ok"
