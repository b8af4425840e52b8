#!/bin/sh
# The whole exchange across three registers (UA, RU and the mediator), each
# with its own key pair and its own ids for the same men, from a generated
# population (CARTEL_E2E_PER_SIDE per side, 2000 by default as the issue
# asks: about 36 s of wall time on 2 shared cores under a load of 29, the
# check-off sheets run with --batch): declarations sent both ways and received,
# a superseding declaration, links made (one by hand, after a person
# looked), a plan at the mediator under a 1:1 policy with a
# direct-repatriation list, a counter-proposal by round amend, a
# counter-proposal adding a man who refused (refused by amend, and by sign
# when forced into a list by hand), both signatures, the handover in both
# registers with one refusal at the point and one absent man, both sheets
# reconciled at the mediator, and the man who refused absent from the
# next plan. audit verify holds in all three registers at the end.
set -eu
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
D="$TOP/tests/e2e/data"
N=${CARTEL_E2E_PER_SIDE:-2000}
UA="$CARTEL --db $T/ua.db"
RU="$CARTEL --db $T/ru.db"
M="$CARTEL --db $T/med.db"
P="$D/round_policy.yaml"
F=family_name,given_name,patronymic,birth_date,rank,service_number
F=$F,consent,direct_repatriation
fail() { echo "FAIL: $*" >&2; exit 1; }
says() {
	sf=$1
	shift
	for t in "$@"; do
		grep -qF -- "$t" "$sf" || fail "no '$t' in: $(head -c 2000 "$sf")"
	done
}

# -- Three registers, three key pairs; RU knows the same men by other ids
# (RZ-: held by UA, RQ-: held by RU), one written so differently that only
# a person can tell.
$CARTEL generate --per-side "$N" --seed 5 --today 2026-06-30 -o "$T/gen.csv"
# Nobody is on another round's list yet.
python3 - "$T/gen.csv" "$T/g.csv" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
for r in rows:
    if r["status"] in ("proposed", "agreed"):
        r["status"] = "confirmed_captive"
w = csv.DictWriter(open(sys.argv[2], "w", newline=""), rows[0].keys())
w.writeheader()
w.writerows(rows)
PY
# The man RU wrote otherwise: one UA holds, with a patronymic and a
# service number; RU has another given name and nothing else to go by.
odd=$(python3 - "$T/g.csv" <<'PY'
import csv, sys
for r in csv.DictReader(open(sys.argv[1], newline="")):
    if r["id"].startswith("UA-") and r["status"] == "confirmed_captive" \
            and r["patronymic"] and r["service_number"] and r["birth_date"]:
        print(r["id"])
        break
PY
)
odd_ru=$(echo "$odd" | sed 's/^UA-/RZ-/')
awk -F, -v odd="$odd_ru" 'BEGIN { OFS = "," }
	NR > 1 { sub(/^UA-/, "RZ-"); sub(/^RU-/, "RQ-") }
	NR > 1 && $1 == odd { $3 = "Олег"; $4 = ""; $5 = ""; $9 = "" }
	{ print }' "$T/g.csv" >"$T/ru.csv"
$UA init --party UA >/dev/null
$RU init --party RU >/dev/null
$M init --mediator "ICRC CTA" >/dev/null
$UA import csv "$T/g.csv" >/dev/null
$RU import csv "$T/ru.csv" >/dev/null
mkdir "$T/k"
$UA key new --party UA -o "$T/k" >/dev/null
$RU key new --party RU -o "$T/k" >/dev/null
$M key new --party CTA -o "$T/k" >/dev/null
for r in "$M" "$RU"; do $r key import "$T/k/UA.pub" --party UA >/dev/null; done
for r in "$M" "$UA"; do $r key import "$T/k/RU.pub" --party RU >/dev/null; done

# -- Declarations both ways, with consent and the Art. 110 determination.
for p in UA RU; do
	R="$CARTEL --db $T/$(echo $p | tr A-Z a-z).db"
	for kind in held sought; do
		$R declare $kind --fields "$F" -o "$T/$p-$kind-1.json" \
			--key "$T/k/$p.key" >/dev/null
		$M receive "$T/$p-$kind-1.json" --fields "$F" >/dev/null ||
			fail "mediator: $p $kind"
	done
done
$UA receive "$T/RU-held-1.json" --fields "$F" >/dev/null
$RU receive "$T/UA-held-1.json" --fields "$F" >/dev/null
# A superseding declaration: UA releases one man and declares again.
gone=$(python3 - "$T/g.csv" <<'PY'
import csv, sys
ids = [r["id"] for r in csv.DictReader(open(sys.argv[1], newline=""))
       if r["id"].startswith("UA-") and r["status"] == "confirmed_captive"]
print(ids[-1])
PY
)
$UA event add "$gone" status released --by bureau --source official_list \
	>/dev/null
$UA declare held --fields "$F" -o "$T/UA-held-2.json" --key "$T/k/UA.key" \
	>/dev/null
$M receive "$T/UA-held-2.json" --fields "$F" >"$T/out"
says "$T/out" "dropped 1" "dropped  $gone"
$RU receive "$T/UA-held-2.json" --fields "$F" >/dev/null

# -- Links: each party's records, and the mediator's sought against held.
$UA links make RU:held register >"$T/out"
says "$T/out" "0 unmatched"
$RU links make UA:held register >"$T/out"
says "$T/out" "1 unmatched" "unmatched $odd"
# RU's clerk looks at him and links him by hand.
$RU links confirm "UA:$odd" "$odd_ru" --by "RU clerk" \
	--why "same unit and capture date, by the family's letter" >/dev/null
$RU links list --party UA | grep -q "^UA:$odd -> $odd_ru  confirmed" ||
	fail "the link made by hand"
$M links make UA:sought RU:held >/dev/null
$M links make RU:sought UA:held >/dev/null

# -- The plan at the mediator (1:1), with the direct-repatriation list.
$M plan --policy "$P" -o "$T/plan.json" >/dev/null
jq -e '.sides.UA.gives | length > 2' "$T/plan.json" >/dev/null ||
	fail "UA gives nobody"
$M round new --plan "$T/plan.json" --id R-1 -o "$T/v1.json" >/dev/null
jq -e '[.direct_repatriation[] | length] | add > 0' "$T/v1.json" \
	>/dev/null || fail "no direct-repatriation list"
# The links give each receiving party's own id in the document.
jq -e '[.sides.RU.gives[] | select(.receiver_id != null)] | length > 0' \
	"$T/v1.json" >/dev/null || fail "no receiver_id from the links"

# -- A counter-proposal by amend: one of each side off.
ua_off=$(jq -r '.sides.UA.gives[-1].id' "$T/v1.json")
ru_off=$(jq -r '.sides.RU.gives[-1].id' "$T/v1.json")
$M round amend "$T/v1.json" --remove "$ua_off" --remove "$ru_off" \
	--kind counter --policy "$P" -o "$T/v2.json" >/dev/null ||
	fail "amend"
# A man who refuses, as UA's register records: UA's amend refuses to add
# him; forced into a list by hand, UA's register refuses to sign it.
refuser=$(jq -r '.sides.UA.gives[0].holder_id' "$T/v2.json")
$UA event add "$refuser" consent refuses --by "ICRC delegate" \
	--source icrc_visit >/dev/null
# (For the round itself he is taken off again, and a willing one kept.)
if $UA round amend "$T/v1.json" --add "UA:$refuser" --remove "$ru_off" \
	--kind counter -o "$T/x.json" >/dev/null 2>"$T/err"; then
	fail "amend added a man who refuses"
fi
says "$T/err" "rule 'refuses'"
if $UA round sign "$T/v2.json" -o "$T/x.json" --key "$T/k/UA.key" \
	>/dev/null 2>"$T/err"; then
	fail "UA signed a list giving a man who refuses"
fi
says "$T/err" "rule 'refuses'" "$refuser"
$UA event add "$refuser" consent willing --by "ICRC delegate" \
	--source icrc_visit >/dev/null

# -- Both signatures on the agreed version.
# (The parties agree on one pair fewer again.)
$M round amend "$T/v2.json" --kind agreed --policy "$P" -o "$T/v3.json" \
	--remove "$(jq -r '.sides.UA.gives[-1].id' "$T/v2.json")" \
	--remove "$(jq -r '.sides.RU.gives[-1].id' "$T/v2.json")" \
	>/dev/null || fail "agreed version"
$UA round sign "$T/v3.json" --key "$T/k/UA.key" >/dev/null ||
	fail "UA sign"
$RU round sign "$T/v3.json" --key "$T/k/RU.key" >/dev/null ||
	fail "RU sign"
$M round verify "$T/v3.json" >/dev/null || fail "verify at the mediator"

# -- The handover in both registers: one refuses at the point, one absent.
$UA handover start "$T/v3.json" --by "UA officer" >/dev/null ||
	fail "UA start"
$RU handover start "$T/v3.json" --by "RU officer" >/dev/null ||
	fail "RU start"
jq -r '(.sides.UA.gives + (.direct_repatriation.UA // []))[].holder_id' \
	"$T/v3.json" >"$T/ua.gives"
jq -r '(.sides.RU.gives + (.direct_repatriation.RU // []))[].holder_id' \
	"$T/v3.json" >"$T/ru.gives"
absent=$(sed -n 2p "$T/ua.gives")
# Each holder records its own men's consent (one import of events); the
# receiver records none.
for p in UA RU; do
	R="$CARTEL --db $T/$(echo $p | tr A-Z a-z).db"
	lower=$(echo $p | tr A-Z a-z)
	{
		echo "person_id,field,value"
		sed 's/$/,consent,willing/' "$T/$lower.gives"
	} >"$T/$p-consent.csv"
	$R event import "$T/$p-consent.csv" --by ICRC --source icrc_visit \
		>/dev/null || fail "$p consent"
	{
		echo "id,outcome"
		while read -r id; do
			if [ "$p" = UA ] && [ "$id" = "$refuser" ]; then
				echo "$id,refused"
			elif [ "$p" = UA ] && [ "$id" = "$absent" ]; then
				echo "$id,absent"
			else
				echo "$id,handed_over"
			fi
		done <"$T/$lower.gives"
	} >"$T/$p-gives.csv"
done
# The receivers check off by the holder's ids, off the agreed list. Each
# sheet is one list in one transaction (--batch).
sed 's/,handed_over$/,received/' "$T/UA-gives.csv" >"$T/RU-receives.csv"
sed 's/,handed_over$/,received/' "$T/RU-gives.csv" >"$T/UA-receives.csv"
$UA handover check R-1 --sheet "$T/UA-gives.csv" --batch --by "UA officer" \
	>"$T/out" || fail "UA gives: $(tail -3 "$T/out")"
$RU handover check R-1 --sheet "$T/RU-gives.csv" --batch --by "RU officer" \
	>/dev/null || fail "RU gives"
$RU handover check R-1 --sheet "$T/RU-receives.csv" --batch --by "RU officer" \
	>"$T/out" || fail "RU receives: $(tail -3 "$T/out")"
$UA handover check R-1 --sheet "$T/UA-receives.csv" --batch --by "UA officer" \
	>/dev/null || fail "UA receives"
$UA person show "$refuser" | grep -q "^consent  *refuses$" ||
	fail "the refusal at the point is not recorded"

# -- Both sheets, reconciled at the mediator.
$UA handover sheet R-1 -o "$T/ua-sheet.json" --key "$T/k/UA.key" >/dev/null
$RU handover sheet R-1 -o "$T/ru-sheet.json" --key "$T/k/RU.key" >/dev/null
$M --json reconcile sheets "$T/ua-sheet.json" "$T/ru-sheet.json" \
	>"$T/rec.json" || fail "reconcile sheets"
n_ua=$(wc -l <"$T/ua.gives")
n_ru=$(wc -l <"$T/ru.gives")
jq -e --argjson h $((n_ua - 2 + n_ru)) '.handed_over == $h and
	.received == $h and (.handed_over_not_received | length) == 0 and
	(.received_not_handed_over | length) == 0' "$T/rec.json" >/dev/null ||
	fail "the sheets do not agree: $(head -c 600 "$T/rec.json")"

# -- The man who refused is absent from the next plan: UA tells the
# mediator in its next declaration.
$UA declare held --fields "$F" -o "$T/UA-held-3.json" --key "$T/k/UA.key" \
	>/dev/null
$M receive "$T/UA-held-3.json" --fields "$F" >/dev/null
$M plan --policy "$P" -o "$T/plan2.json" >/dev/null
jq -e --arg r "UA:$refuser" '[.sides.UA.gives[] | select(. == $r)] |
	length == 0' "$T/plan2.json" >/dev/null ||
	fail "the man who refused is in the next plan"
jq -e --arg r "UA:$refuser" '[.excluded[] | select(.id == $r and
	.code == "refuses")] | length == 1' "$T/plan2.json" >/dev/null ||
	fail "the next plan does not say he refuses"

for db in ua ru med; do
	$CARTEL --db "$T/$db.db" audit verify >/dev/null || fail "audit $db"
done
echo "ok"
