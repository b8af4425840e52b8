# cartel plan with the one-for-one example on a small register: the rules
# of GC III Arts. 109-119, the balance, civilians for civilians, the
# reasons, the JSON contract and the audit entry.
. "$TOP/tests/e2e/data/plan_lib.sh"
load_small
P=$POL/one-for-one.yaml

run 0 "$CARTEL" --db "$DB" plan --policy "$P"
expect "gives (persons)                             5          5" "$WORK/out"
expect "direct repatriation (Art. 110)              1          1" "$WORK/out"
expect "withheld (Arts. 115, 119)                   2          0" "$WORK/out"
# Unasked consents: ua-03 on UA's list; ru-08 among RU's direct repatriations.
grep -A2 '^gives (persons)' "$WORK/out" | grep -F "  of whom consent not yet asked             1          0" >/dev/null ||
	fail "listed persons without consent not counted"
grep -A1 '^direct repatriation' "$WORK/out" | grep -F "  of whom consent not yet asked             0          1" >/dev/null ||
	fail "direct repatriations without consent not counted"
expect "proven optimal" "$WORK/out"
reject "Petrov" "$WORK/out"

run 0 "$CARTEL" --db "$DB" plan --policy "$P" --json
J=$WORK/plan.json
cp "$WORK/out" "$J"
for key in '"format": "cartel-plan/1"' '"gives": [' '"value": 5' \
	'"direct_repatriation": {' '"withheld": [' '"excluded": [' \
	'"optimal": true' '"consent_not_asked": [' '"stages": [' \
	'"digest": "' '"handover_ready": false' '"told_to": "RU"' \
	'"code": "refuses"' '"code": "deceased"' '"code": "not_confirmed"' \
	'"code": "repatriated"' '"code": "balance"' '"code": "proceedings"'; do
	expect "$key" "$J"
done
# The withheld are named for the other party (Arts. 115, 119); nobody else.
expect '"name": "Morozov Kirill Andreevich"' "$J"
expect '"name": "Kozlov Anton Viktorovich"' "$J"
reject "Petrov" "$J"
reject "Tkachenko" "$J"

# Places: priorities in order, ties by longest held.
explain ua-02 "$P" "side UA gives, 1st of 5, category 'under 25'"
explain ua-04 "$P" "side UA gives, 2nd of 5, category 'civilian'"
explain ua-10 "$P" "side UA gives, 3rd of 5, category 'longest held'"
explain ua-03 "$P" "5th of 5, category 'longest held'; consent not yet asked"
explain ua-11 "$P" "not in this round: in category 'longest held', 4th of 4 on side UA"
explain ru-05 "$P" "in category 'civilian', 2nd of 2 on side RU"
explain ua-05 "$P" "direct repatriation (Art. 110)"
explain ru-08 "$P" "outside the balance; consent not yet asked"
explain ua-06 "$P" "withheld: under criminal proceedings (Art. 115); the other party (RU) is told his name"
explain ua-09 "$P" "withheld: convicted, serving a sentence (Art. 119)"
explain ua-08 "$P" "refused repatriation (Art. 109)"
explain ua-07 "$P" "deceased"
explain ru-06 "$P" "already repatriated"
explain ru-07 "$P" "not confirmed as held"

run 0 "$CARTEL" --db "$DB" --json plan explain ua-11 --policy "$P"
expect '"code": "balance"' "$WORK/out"
expect '"tier_position": 4' "$WORK/out"

# An unknown person: a clear failure, not a plan.
run 1 "$CARTEL" --db "$DB" plan explain nobody-here --policy "$P"
expect "nobody-here" "$WORK/err"

# Same register, same policy: the same plan, byte for byte.
run 0 "$CARTEL" --db "$DB" plan --policy "$P" --json
cmp -s "$WORK/out" "$J" || fail "a second plan differs from the first"

# -o writes the document.
run 0 "$CARTEL" --db "$DB" plan --policy "$P" -o "$WORK/o.json"
cmp -s "$WORK/o.json" "$J" || fail "-o wrote a different document"

# Every computation is in the audit chain, with both digests.
digest=$(sed -n 's/^  "digest": "\([0-9a-f]*\)",*$/\1/p' "$J")
[ -n "$digest" ] || fail "no plan digest"
n=$(sqlite3 "$DB" "select count(*) from audit where action = 'plan' and detail like '%plan sha256:$digest%' and detail like '%policy sha256:%'")
[ "$n" -ge 3 ] || fail "expected the plan in the audit chain, found $n entries"
n=$(sqlite3 "$DB" "select count(*) from audit where action = 'plan.explain' and subject = 'ua-11'")
[ "$n" -ge 1 ] || fail "explain not audited"
run 0 "$CARTEL" --db "$DB" audit verify
echo ok
