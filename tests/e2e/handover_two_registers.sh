#!/bin/sh
# The handover in two registers: an agreed round between UA and RU run in
# UA's register and in RU's, each with its own ids for the same men. Each
# party finds the persons the other gives through its identity links
# (refused while one is linked to nobody; at the point under either id),
# hands over its own (consent gate) and receives the other's (no consent
# gate: the receiving side need not copy the holder's consent records);
# one man refuses at the point, one is absent, and one RU says it handed
# over is not received by UA.
# Both parties write signed check-off sheets; the mediator reconciles them
# and lists who was handed over but not received, and the totals. Bad
# sheets (unpinned key, another party's key, replayed, cut short, a person
# twice) are refused with the reason and nothing written. A man
# repatriated in this round is not loaded into a second.
set -eu
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
D="$TOP/tests/e2e/data"
UA="$CARTEL --db $T/ua.db"
RU="$CARTEL --db $T/ru.db"
M="$CARTEL --db $T/med.db"
W="$CARTEL --db $T/work.db"
fail() { echo "FAIL: $*" >&2; exit 1; }
q() { sqlite3 "$1" "$2"; }

$CARTEL generate --per-side 40 --seed 11 --today 2026-06-30 -o "$T/g.csv"
awk -F, 'BEGIN { OFS = "," }
	NR > 1 { sub(/^UA-/, "RZ-"); sub(/^RU-/, "RQ-") } { print }' \
	"$T/g.csv" >"$T/ru.csv"
$UA init --party UA >/dev/null
$RU init --party RU >/dev/null
$M init --mediator CTA >/dev/null
$UA import csv "$T/g.csv" >/dev/null
$RU import csv "$T/ru.csv" >/dev/null
mkdir "$T/k"
$UA key new --party UA -o "$T/k" >/dev/null
$RU key new --party RU -o "$T/k" >/dev/null
$UA key import "$T/k/RU.pub" --party RU >/dev/null
$RU key import "$T/k/UA.pub" --party UA >/dev/null
$M key import "$T/k/UA.pub" --party UA >/dev/null
$M key import "$T/k/RU.pub" --party RU >/dev/null

# The agreed list, made in a working register holding each side's
# prisoners under their holder's ids (UA-: held by UA; RQ-: held by RU).
$W init >/dev/null
{ head -1 "$T/g.csv"; grep '^UA-' "$T/g.csv"; grep '^RQ-' "$T/ru.csv"; } \
	>"$T/work.csv"
$W import csv "$T/work.csv" >/dev/null
$W key import "$T/k/UA.pub" --party UA >/dev/null
$W key import "$T/k/RU.pub" --party RU >/dev/null
$W plan --policy "$D/round_policy.yaml" -o "$T/plan.json" >/dev/null
$W round new --plan "$T/plan.json" --kind agreed --id R-1 \
	-o "$T/R-1.json" >/dev/null
$UA round sign "$T/R-1.json" --key "$T/k/UA.key" >/dev/null
$RU round sign "$T/R-1.json" --key "$T/k/RU.key" >/dev/null
# Who each side gives, by the holder's ids.
python3 - "$T/R-1.json" "$T" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
for p in ("UA", "RU"):
    ids = [e["id"] for e in d["sides"][p]["gives"]] + \
          [e["id"] for e in d["direct_repatriation"].get(p, [])]
    open(sys.argv[2] + "/" + p + ".gives", "w").write("\n".join(ids) + "\n")
EOF
n_ua=$(wc -l <"$T/UA.gives")
n_ru=$(wc -l <"$T/RU.gives")
[ "$n_ua" -ge 4 ] && [ "$n_ru" -ge 4 ] || fail "a round too small: $n_ua/$n_ru"

# -- Each party receives the other's held declaration: it knows who the
# other side holds, but not yet who they are in its own records.
$UA declare held -o "$T/ua-held.json" --key "$T/k/UA.key" >/dev/null
$RU declare held -o "$T/ru-held.json" --key "$T/k/RU.key" >/dev/null
$UA receive "$T/ru-held.json" >/dev/null
$RU receive "$T/ua-held.json" >/dev/null
head_of() { $CARTEL --db "$1" audit verify | sed -n 's/^head //p'; }
before=$(head_of "$T/ua.db")
if $UA handover start "$T/R-1.json" --by "UA officer" 2>"$T/err"; then
	fail "a round loaded with persons linked to nobody"
fi
grep -q "round R-1: $n_ru persons RU gives are linked to nobody in this register" \
	"$T/err" || fail "unlinked: $(cat "$T/err")"
[ "$(head_of "$T/ua.db")" = "$before" ] || fail "a refused start wrote"

# -- Each party links the other's held declaration with its records.
$UA links make RU:held register >/dev/null
$RU links make UA:held register >/dev/null
$UA handover start "$T/R-1.json" --by "UA officer" >/dev/null ||
	fail "UA start: $(cat "$T/err")"
$RU handover start "$T/R-1.json" --by "RU officer" >/dev/null
# UA's own record of a man RU gives is agreed, under UA's own id.
first_ru=$(head -1 "$T/RU.gives")
ours=$(echo "$first_ru" | sed 's/^RQ-/RU-/')
$UA person show "$ours" | grep -q "^status  *agreed$" ||
	fail "UA's record $ours of $first_ru is not agreed"
$UA handover status R-1 --persons | grep -q "^  $ours  *RU  *stage [0-9].* ($first_ru)" ||
	fail "status does not show the holder's id beside UA's"

# -- The exchange. Consent is the holder's gate: each party records its
# own men's "willing"; the receiving side records nothing.
while read -r id; do
	$UA event add "$id" consent willing --by ICRC --source icrc_visit \
		>/dev/null
done <"$T/UA.gives"
while read -r id; do
	$RU event add "$id" consent willing --by ICRC --source icrc_visit \
		>/dev/null
done <"$T/RU.gives"
refuser=$(sed -n 1p "$T/UA.gives")
absent=$(sed -n 2p "$T/UA.gives")
lost=$(sed -n 2p "$T/RU.gives")
rz() { echo "$1" | sed 's/^UA-/RZ-/'; }
ru() { echo "$1" | sed 's/^RQ-/RU-/'; }
# The sides are kept apart.
if $UA handover check R-1 "$(ru "$first_ru")" --as handed_over --by o \
	2>"$T/err"; then
	fail "UA handed over a man RU gives"
fi
grep -q "given by RU: in UA's register he is checked off as received" \
	"$T/err" || fail "side: $(cat "$T/err")"
if $UA handover check R-1 "$absent" --as received --by o 2>/dev/null; then
	fail "UA received a man it gives"
fi
while read -r id; do
	if [ "$id" = "$refuser" ]; then
		$UA handover check R-1 "$id" --as refused --by "UA officer" \
			--where "Sumy crossing" >/dev/null
		$RU handover check R-1 "$(rz "$id")" --as refused \
			--by "RU officer" >/dev/null
	elif [ "$id" = "$absent" ]; then
		$UA handover check R-1 "$id" --as absent --by "UA officer" \
			>/dev/null
		$RU handover check R-1 "$(rz "$id")" --as absent \
			--by "RU officer" >/dev/null
	else
		$UA handover check R-1 "$id" --as handed_over \
			--by "UA officer" >/dev/null
		$RU handover check R-1 "$(rz "$id")" --as received \
			--by "RU officer" >/dev/null ||
			fail "RU could not receive $(rz "$id")"
	fi
done <"$T/UA.gives"
# RU's men come home to RU; UA receives those RU hands over, without any
# consent of theirs recorded in UA's register, except one it never sees.
[ "$(q "$T/ua.db" "SELECT consent FROM persons WHERE id = '$(ru "$first_ru")'")" != willing ] ||
	fail "the test needs UA's record without a recorded consent"
while read -r id; do
	$RU handover check R-1 "$id" --as handed_over --by "RU officer" \
		>/dev/null
	[ "$id" = "$lost" ] && continue
	# At the point UA reads RU's ids off the agreed list: either id will
	# do.
	if [ "$id" = "$first_ru" ]; then who=$(ru "$id"); else who=$id; fi
	$UA handover check R-1 "$who" --as received --by "UA officer" \
		>/dev/null || fail "UA could not receive $who"
done <"$T/RU.gives"
$UA person show "$(ru "$first_ru")" | grep -q "^status  *repatriated$" ||
	fail "received, not repatriated"
$UA person show "$refuser" | grep -q "^consent  *refuses$" ||
	fail "the refusal at the point is not his consent"

# -- The sheets, and the mediator's reconciliation.
$UA handover sheet R-1 -o "$T/ua-sheet.json" --key "$T/k/UA.key" \
	>"$T/out" || fail "UA sheet: $(cat "$T/out")"
grep -q "UA's sheet number 1 of round R-1, $((n_ua + n_ru)) persons" \
	"$T/out" || fail "sheet: $(cat "$T/out")"
# The sheet left the register: the transfer log has it, with its digest.
[ "$($UA --json transfers | jq -r '[.transfers[] |
	select(.kind == "handover-sheet")] | last | .sha256')" = \
	"$(sha256sum "$T/ua-sheet.json" | cut -d' ' -f1)" ] ||
	fail "the sheet is not in the transfer log"
grep -q '"format": "cartel-handover-sheet/1"' "$T/ua-sheet.json" ||
	fail "sheet format"
grep -q "\"id\": \"$first_ru\"" "$T/ua-sheet.json" ||
	fail "UA's sheet does not name RU's men by RU's ids"
grep -q "family_name\|given_name" "$T/ua-sheet.json" &&
	fail "a sheet carries names"
$RU handover sheet R-1 -o "$T/ru-sheet.json" --key "$T/k/RU.key" >/dev/null
if $M handover sheet R-1 -o "$T/m.json" --key "$T/k/UA.key" 2>/dev/null; then
	fail "the mediator wrote a sheet"
fi
$M reconcile sheets "$T/ua-sheet.json" "$T/ru-sheet.json" >"$T/rec" ||
	fail "reconcile: $(cat "$T/rec")"
handed=$((n_ua - 2 + n_ru))
received=$((n_ua - 2 + n_ru - 1))
grep -q "$((n_ua + n_ru)) persons: $handed handed over, $received received; 1 handed over but not received, 0 received but not handed over" \
	"$T/rec" || fail "totals: $(cat "$T/rec")"
grep -q "^  $lost  *given by RU .*handed_over / pending" "$T/rec" ||
	fail "the man not received is not named: $(cat "$T/rec")"
$M --json reconcile sheets "$T/ua-sheet.json" "$T/ru-sheet.json" >"$T/rec.json"
python3 - "$T/rec.json" "$lost" "$handed" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
assert r["handed_over"] == int(sys.argv[3]), r["handed_over"]
assert [g["id"] for g in r["handed_over_not_received"]] == [sys.argv[2]]
assert r["received_not_handed_over"] == []
EOF

# -- Bad sheets: refused with the reason, the mediator's register as it
# was.
state() { echo "$(head_of "$T/med.db") $(q "$T/med.db" "SELECT count(*) FROM handover_sheet")"; }
refused() { # REASON A B
	before=$(state)
	if $M reconcile sheets "$2" "$3" >"$T/out" 2>"$T/err"; then
		fail "reconciled: $1"
	fi
	grep -qF -- "$1" "$T/err" || fail "no '$1' in: $(cat "$T/err")"
	[ "$(state)" = "$before" ] || fail "a refused reconcile wrote: $1"
}
head -c 600 "$T/ua-sheet.json" >"$T/cut.json"
refused "not whole JSON (cut short" "$T/cut.json" "$T/ru-sheet.json"
refused "both sheets are UA's" "$T/ua-sheet.json" "$T/ua-sheet.json"
python3 - "$T/ua-sheet.json" "$T/twice.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
d["persons"].append(d["persons"][0])
json.dump(d, open(sys.argv[2], "w"))
EOF
refused "is listed twice" "$T/twice.json" "$T/ru-sheet.json"
python3 - "$T/ua-sheet.json" "$T/asru.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
d["party"] = "RU"; d["owner"]["name"] = "RU"
d["signatures"] = {"RU": d["signatures"]["UA"]}
json.dump(d, open(sys.argv[2], "w"))
EOF
refused "but the key pinned for RU is" "$T/asru.json" "$T/ua-sheet.json"
# Each field of UA's sheet taken out, of another type or out of its
# range: refused naming the field (or the signature), nothing recorded.
python3 - "$T/ua-sheet.json" "$T/shape" <<'EOF'
import copy, json, os, sys
base = json.load(open(sys.argv[1]))
out = sys.argv[2]
os.makedirs(out)
def person(k, v):
    def f(d):
        d["persons"][0][k] = v
    return f
def setf(k, v):
    def f(d):
        d[k] = v
    return f
def drop(k):
    def f(d):
        del d[k]
    return f
cases = [
    (setf("format", "cartel-handover-sheet/2"), "field 'format'"),
    (drop("format"), "field 'format'"),
    (setf("round_id", ""), "field 'round_id'"),
    (setf("round_id", "R\u00011"), "field 'round_id'"),
    (setf("round_id", "R" * 300), "field 'round_id'"),
    (setf("version", 0), "field 'version'"),
    (setf("version", "1"), "field 'version'"),
    (setf("round_digest", "md5:00"), "field 'round_digest'"),
    (drop("round_digest"), "field 'round_digest'"),
    (setf("party", "Ukraine"), "field 'party'"),
    (setf("owner", {"role": "mediator", "name": "UA"}), "field 'owner'"),
    (setf("owner", {"role": "party", "name": "RU"}), "field 'owner'"),
    (drop("owner"), "field 'owner'"),
    (setf("sequence", 0), "field 'sequence'"),
    (setf("sequence", 1.5), "field 'sequence'"),
    (setf("created", 5), "field 'created'"),
    (setf("digest", None), "field 'digest'"),
    (setf("manifest", []), "field 'manifest'"),
    (setf("persons", {}), "field 'persons'"),
    (lambda d: d["persons"].__setitem__(0, 5), "entry 1 is not"),
    (person("id", ""), "entry 1 is not"),
    (person("side", "Russia"), "entry 1 is not"),
    (person("stage", "1"), "entry 1 is not"),
    (person("outcome", "gone"), "entry 1 is not"),
    (drop("signatures"), "is not signed"),
    (setf("signatures", {}), "is not signed"),
    (lambda d: d["signatures"].update({"RU": d["signatures"]["UA"]}),
     "signed by RU: a sheet is signed by its party alone"),
]
with open(os.path.join(out, "list"), "w") as lst:
    for i, (change, says) in enumerate(cases):
        d = copy.deepcopy(base)
        change(d)
        path = os.path.join(out, "s%d.json" % i)
        json.dump(d, open(path, "w"))
        lst.write("%s\t%s\n" % (path, says))
    # Not an object at all.
    path = os.path.join(out, "array.json")
    json.dump([base], open(path, "w"))
    lst.write("%s\t%s\n" % (path, "not a handover sheet"))
EOF
tab=$(printf '\t')
while IFS="$tab" read -r file says; do
	refused "$says" "$file" "$T/ru-sheet.json"
done <"$T/shape/list"
[ "$(wc -l <"$T/shape/list")" -ge 28 ] || fail "the shape cases were not all made"
$CARTEL --db "$T/m2.db" init --mediator Other >/dev/null
$CARTEL --db "$T/m2.db" key import "$T/k/UA.pub" --party UA >/dev/null
if $CARTEL --db "$T/m2.db" reconcile sheets "$T/ua-sheet.json" \
	"$T/ru-sheet.json" 2>"$T/err"; then
	fail "a sheet signed by an unpinned key"
fi
grep -q "no key is pinned for RU in this register" "$T/err" ||
	fail "unpinned: $(cat "$T/err")"
# A newer sheet of UA is reconciled; the older one is then a replay.
$UA handover sheet R-1 -o "$T/ua-sheet-2.json" --key "$T/k/UA.key" \
	>/dev/null
$M reconcile sheets "$T/ru-sheet.json" "$T/ua-sheet-2.json" >/dev/null ||
	fail "the newer sheet"
refused "UA's sheet number 1 of round R-1, but number 2 was reconciled already" \
	"$T/ua-sheet.json" "$T/ru-sheet.json"

# -- A man repatriated in R-1 is not signed for, nor loaded into, a
# second round, in either register.
$W round new --plan "$T/plan.json" --kind agreed --id R-2 \
	-o "$T/R-2.json" >/dev/null
# UA's own register will not sign it: its records say he went home.
if $UA round sign "$T/R-2.json" --key "$T/k/UA.key" >/dev/null \
	2>"$T/err"; then
	fail "UA signed a round giving men it repatriated"
fi
grep -q "was already repatriated through round R-1" "$T/err" ||
	fail "R-2 sign: $(cat "$T/err")"
# Signed where nobody knows (the working register), it is still not
# loaded.
$W round sign "$T/R-2.json" --key "$T/k/UA.key" >/dev/null
$W round sign "$T/R-2.json" --key "$T/k/RU.key" >/dev/null
if $UA handover start "$T/R-2.json" --by "UA officer" 2>"$T/err"; then
	fail "a second round loaded repatriated men"
fi
grep -q "was already repatriated through round R-1" "$T/err" ||
	fail "R-2: $(cat "$T/err")"
for db in ua ru med; do
	$CARTEL --db "$T/$db.db" audit verify >/dev/null || fail "audit $db"
done
# The sheets recorded are under the ledger: one deleted by hand is found,
# and reconcile does not trust the table.
sqlite3 "$T/med.db" "DELETE FROM handover_sheet WHERE party = 'UA' AND
	sequence = 2"
if $M audit verify >/dev/null 2>"$T/err"; then fail "a deleted sheet row"; fi
grep -q "handover_sheet row" "$T/err" || fail "tamper: $(cat "$T/err")"
if $M reconcile sheets "$T/ua-sheet.json" "$T/ru-sheet.json" 2>"$T/err"; then
	fail "a replay let in after a sheet row was deleted"
fi
grep -q "cannot be trusted" "$T/err" || fail "tamper: $(cat "$T/err")"
echo "ok"
