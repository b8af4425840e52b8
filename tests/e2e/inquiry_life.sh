#!/bin/sh
# An inquiry's life, as a hotline and a bureau live it: intake with who
# asked and how to call them back, candidates found, one confirmed (the
# others closed with it), an event on the man puts the family on the
# call-back list in plain words, the call is made, the inquiry is closed
# and closing it again is refused with the register unchanged. Two
# inquiries about one man both stay. The new tables are under the audit
# chain.
set -eu
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
DB="$T/reg.db"
C="$CARTEL --db $DB"
export CARTEL_NOW=2026-01-02T03:04:05Z
fail() { echo "inquiry_life: $*" >&2; exit 1; }
$C init > /dev/null
cat > "$T/p.csv" <<'CSV'
id,family_name,given_name,patronymic,birth_date,held_by,status,held_since
UA-1,Ковальчук,Олександр,Петрович,1990-03-02,RU,confirmed_captive,2024-03-10
UA-2,Ковальчук,Олексій,Петрович,1992-07-15,RU,confirmed_captive,2024-05-01
UA-3,Гайдамака,Сергій,Юрійович,1975-12-01,RU,confirmed_captive,
CSV
$C import csv "$T/p.csv" > /dev/null

# Intake: who asked, how to reach them, what they said.
$C inquiry add --by hotline --name "Ковальчук" --requester "Ковальчук Марія" \
	--relation mother --contact "+380 50 000 0001" --unit "93 ОМБр" \
	--last-seen-place "Бахмут" --last-seen-on 2023-05-01 > "$T/a1"
grep -q '^INQ-000001 recorded, 2 potential matches' "$T/a1" ||
	fail "intake: $(cat "$T/a1")"
$C inquiry show INQ-000001 > "$T/s1"
for w in 'INQ-000001  candidate found' \
	'asked by Ковальчук Марія (mother), contact +380 50 000 0001' \
	'unit 93 ОМБр' 'last seen: Бахмут on 2023-05-01' \
	'UA-1 .* pending   held by Russia since 2024-03' \
	'hotline: recorded' 'hotline: candidates found'; do
	grep -q "$w" "$T/s1" || fail "show lacks '$w': $(cat "$T/s1")"
done
$C inquiry show INQ-000001 --json --full > "$T/s1.json"
python3 - "$T/s1.json" <<'PY' || fail "show --json"
import json, sys
q = json.load(open(sys.argv[1]))
assert q["state"] == "candidate_found", q["state"]
assert q["requester"] == "Ковальчук Марія" and q["relation"] == "mother"
assert q["said"]["unit"] == "93 ОМБр" and q["said"]["typed"] == "Ковальчук"
assert q["said"]["last_seen_on"] == "2023-05-01"
c = {x["person_id"]: x for x in q["candidates"]}
assert c["UA-1"]["status_text"] == "held by Russia since 2024-03", c["UA-1"]
assert c["UA-1"]["held_by"] == "RU" and c["UA-1"]["status"] == "confirmed_captive"
assert [h["what"] for h in q["history"]] == ["recorded", "candidates found"]
PY

# A second inquiry about the same man, from his wife: both stay.
$C inquiry add --by hotline --name "Олександр Ковальчук" --born 1990 \
	--requester "Ковальчук Олена" --relation wife \
	--contact "+380 50 000 0002" > "$T/a2"
grep -q '^INQ-000002 recorded' "$T/a2" || fail "second intake"
$C inquiry list > "$T/l1"
[ "$(grep -c '^INQ-00000[12]  candidate found' "$T/l1")" -eq 2 ] ||
	fail "two inquiries about one man: $(cat "$T/l1")"

# Confirming one candidate closes the inquiry's others.
$C review confirm INQ-000001 UA-1 --by bureau --why "birth date and unit agree" \
	> /dev/null
$C inquiry show INQ-000001 > "$T/s2"
grep -q '^INQ-000001  confirmed$' "$T/s2" || fail "not confirmed"
grep -q 'UA-2 .* rejected ' "$T/s2" || fail "other candidate left pending"
grep -q 'rejected by bureau at .*: another candidate confirmed' "$T/s2" ||
	fail "no reason on the closed candidate: $(cat "$T/s2")"
$C review list | grep -q 'INQ-000001' && fail "INQ-000001 still in review"
# The wife's inquiry is untouched and can be confirmed too: the person
# keeps both inquiries, the first is not overwritten.
$C review confirm INQ-000002 UA-1 --by bureau --why "wife recognises him" \
	> /dev/null
$C person show UA-1 | grep -q '^inquiry  *INQ-000001, INQ-000002' ||
	fail "the second confirmation replaced the first: $($C person show UA-1)"
# The confirmations themselves are news for each family.
$C inquiry callbacks > "$T/c0"
grep -q 'confirmed as the person asked about: held by Russia since 2024-03' \
	"$T/c0" || fail "confirmation not on the call-back list: $(cat "$T/c0")"
$C inquiry callbacks done INQ-000001 --by operator > /dev/null
$C inquiry callbacks done INQ-000002 --by operator > /dev/null
$C inquiry callbacks | grep -q '^nobody to call back$' || fail "still due"

# An event on the man: both families are to be called, in plain words.
$C event add UA-1 status repatriated --by "exchange point" \
	--source official_list > /dev/null
$C inquiry callbacks > "$T/c1"
grep -q '^INQ-000001  call Ковальчук Марія (mother), contact +380 50 000 0001$' \
	"$T/c1" || fail "whom to call: $(cat "$T/c1")"
grep -q '^INQ-000002  call Ковальчук Олена (wife)' "$T/c1" ||
	fail "the wife is not to be called"
grep -q 'UA-1: status changed: now repatriated on 2026-01-02' "$T/c1" ||
	fail "the change in words: $(cat "$T/c1")"
grep -q 'status.*->' "$T/c1" && fail "a raw field dump"
# An event on a rejected candidate calls nobody.
$C event add UA-2 health sick --by delegate --source icrc_visit > /dev/null
$C inquiry callbacks --json > "$T/c1.json"
python3 - "$T/c1.json" <<'PY' || fail "callbacks --json"
import json, sys
v = json.load(open(sys.argv[1]))
assert [c["inquiry_id"] for c in v] == ["INQ-000001", "INQ-000002"], v
c = v[0]
assert c["requester"] == "Ковальчук Марія" and c["contact"] == "+380 50 000 0001"
assert len(c["changes"]) == 1, c
x = c["changes"][0]
assert x["person_id"] == "UA-1" and x["confirmed_match"] is True
assert x["change"] == "status changed: now repatriated on 2026-01-02", x
PY
$C inquiry callbacks done INQ-000001 --by operator | \
	grep -q '^INQ-000001 called back (1 change)$' || fail "callbacks done"
if $C inquiry callbacks done INQ-000001 --by operator > /dev/null 2> "$T/e"
then fail "a second call-back on nothing due was accepted"; fi
grep -q 'INQ-000001 has no call-back due' "$T/e" || fail "$(cat "$T/e")"
$C inquiry callbacks | grep -q '^INQ-000001' && fail "done, still listed"

# Closing; closing twice is a clear error and writes nothing.
$C inquiry close INQ-000001 --reason "he is home" --by bureau |
	grep -q '^INQ-000001 closed$' || fail "close"
$C inquiry show INQ-000001 > "$T/s3"
grep -q '^INQ-000001  closed$' "$T/s3" || fail "state after close"
grep -q 'closed 2026-01-02T03:04:05Z by bureau: he is home' "$T/s3" ||
	fail "close reason: $(cat "$T/s3")"
N_AUDIT=$(sqlite3 "$DB" "SELECT count(*) FROM audit")
SUM=$(sqlite3 "$DB" "SELECT group_concat(id || state || closed_by || closed_reason) FROM match_inquiry")
set +e
$C inquiry close INQ-000001 --reason "again" --by clerk > /dev/null 2> "$T/e"
rc=$?
set -e
[ "$rc" -eq 1 ] || fail "closing twice exited $rc"
grep -q 'inquiry INQ-000001 is already closed (on 2026-01-02 by bureau)' \
	"$T/e" || fail "closing twice: $(cat "$T/e")"
[ "$(sqlite3 "$DB" "SELECT count(*) FROM audit")" = "$N_AUDIT" ] ||
	fail "closing twice wrote an audit entry"
[ "$(sqlite3 "$DB" "SELECT group_concat(id || state || closed_by || closed_reason) FROM match_inquiry")" = "$SUM" ] ||
	fail "closing twice changed the inquiry"
set +e
$C inquiry close INQ-000009 --reason x --by clerk > /dev/null 2> "$T/e"
rc=$?
$C inquiry close INQ-000002 --by clerk > /dev/null 2>&1
rc2=$?
set -e
[ "$rc" -eq 1 ] && grep -q "no inquiry 'INQ-000009'" "$T/e" ||
	fail "unknown inquiry: $rc $(cat "$T/e")"
[ "$rc2" -eq 2 ] || fail "close without --reason exited $rc2"
# A closed inquiry's family is not called about later changes.
$C event add UA-1 health good --by delegate --source icrc_visit > /dev/null
$C inquiry callbacks --json | python3 -c '
import json, sys
v = json.load(sys.stdin)
assert [c["inquiry_id"] for c in v] == ["INQ-000002"], v
assert len(v[0]["changes"]) == 2, v' || fail "a closed inquiry was called"
$C inquiry list --open | grep -q '^no inquiries$' || fail "list --open"
$C inquiry list --since 2026-01-02 | grep -c '^INQ' | grep -q '^2$' ||
	fail "list --since"
$C inquiry list --since 2026-01-03 | grep -q '^no inquiries$' ||
	fail "list --since a later day"
# The history of the inquiry, every change with who and when.
$C inquiry show INQ-000001 --json --full | python3 -c '
import json, sys
q = json.load(sys.stdin)
w = [h["what"] for h in q["history"]]
assert w == ["recorded", "candidates found", "call-back due", "confirmed",
    "candidate closed", "called back", "call-back due", "called back",
    "closed"], w
assert all(h["at"] and h["by"] for h in q["history"])' ||
	fail "history: $($C inquiry show INQ-000001)"
$C audit verify > /dev/null || fail "audit verify"
echo ok
