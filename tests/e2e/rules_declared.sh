#!/bin/sh
# Rounds between registers: each party's register and the mediator's. The
# mediator plans from the two held declarations; every person of the list
# is named by his holder's party and id. Each party signs in its own
# register, which checks what it gives against its own records and reports
# whom it receives but cannot map. The rules hold per declaration too: a
# man moved to the side that did not declare him, and a man no longer
# declared, are refused, each named with the rule.
set -eu
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
D="$TOP/tests/e2e/data"
UA="$CARTEL --db $T/ua.db"
RU="$CARTEL --db $T/ru.db"
M="$CARTEL --db $T/m.db"
fail() { echo "FAIL: $*" >&2; exit 1; }
says() {
	sf=$1
	shift
	for t in "$@"; do
		grep -qF -- "$t" "$sf" || fail "no '$t' in: $(cat "$sf")"
	done
}
H=id,family_name,given_name,birth_date,rank,service_number,held_by,depends_on,category,consent,status,captured_on
# UA holds four of RU's men under UA's ids; RU four of UA's under RU's.
cat >"$T/ua.csv" <<CSV
$H
UQ-1,Иванов,Николай,1999-01-05,рядовой,B200,UA,RU,military,willing,confirmed_captive,2023-01-20
UQ-2,Смирнов,Юрий,2001-11-11,рядовой,B201,UA,RU,military,willing,confirmed_captive,2023-02-21
UQ-3,Кузнецов,Алексей,1980,рядовой,B202,UA,RU,military,willing,confirmed_captive,2023-03-22
UQ-4,Попов,Андрей,1997,рядовой,B203,UA,RU,military,willing,confirmed_captive,2023-04-23
UZ-1,Коваленко,Олександр,1994-03-02,солдат,A100,RU,UA,military,not_asked,confirmed_captive,2023-01-10
UZ-2,Шевченко,Сергій,1990,солдат,A101,RU,UA,military,not_asked,confirmed_captive,2023-02-11
UZ-3,Бондаренко,Микола,1985-07-01,солдат,A102,RU,UA,military,not_asked,confirmed_captive,2023-03-12
UZ-4,Ткаченко,Андрій,2001-05-05,солдат,A103,RU,UA,military,not_asked,confirmed_captive,2023-04-13
CSV
cat >"$T/ru.csv" <<CSV
$H
RZ-1,Коваленко,Олександр,1994-03-02,солдат,A100,RU,UA,military,willing,confirmed_captive,2023-01-10
RZ-2,Шевченко,Сергій,1990,солдат,A101,RU,UA,military,willing,confirmed_captive,2023-02-11
RZ-3,Бондаренко,Микола,1985-07-01,солдат,A102,RU,UA,military,willing,confirmed_captive,2023-03-12
RZ-4,Ткаченко,Андрій,2001-05-05,солдат,A103,RU,UA,military,willing,confirmed_captive,2023-04-13
CSV
$UA init --party UA >/dev/null
$RU init --party RU >/dev/null
$M init --mediator "Test CTA" >/dev/null
$UA import csv "$T/ua.csv" >/dev/null
$RU import csv "$T/ru.csv" >/dev/null
mkdir "$T/ua" "$T/ru"
$UA key new --party UA -o "$T/ua" >/dev/null
$RU key new --party RU -o "$T/ru" >/dev/null
$M key import "$T/ua/UA.pub" --party UA >/dev/null
$M key import "$T/ru/RU.pub" --party RU >/dev/null
$UA declare held -o "$T/ua-held-1.json" --key "$T/ua/UA.key" >/dev/null
$RU declare held -o "$T/ru-held-1.json" --key "$T/ru/RU.key" >/dev/null
$M receive "$T/ua-held-1.json" >/dev/null
$M receive "$T/ru-held-1.json" >/dev/null

# The mediator plans from the declarations (1:1, two stages).
$M plan --policy "$D/round_policy.yaml" -o "$T/plan.json" >/dev/null
jq -e '.sides.UA.gives | length == 4' "$T/plan.json" >/dev/null ||
	fail "the plan at the mediator lists nobody UA declared"
jq -e '.sides.UA.gives | index("UA:UQ-1")' "$T/plan.json" >/dev/null ||
	fail "UA's man is not named UA:UQ-1 in the plan"
$M plan explain UA:UQ-1 --policy "$D/round_policy.yaml" >"$T/why"
says "$T/why" "Ukraine hands over"
$M round new --plan "$T/plan.json" --id R-M -o "$T/v1.json" >/dev/null
jq -e '[.sides.UA.gives[] | select(.holder == "UA" and .holder_id ==
	"UQ-1" and .id == "UA:UQ-1" and .service_number == "B200"
	and .receiver_id == null)] | length == 1' "$T/v1.json" >/dev/null ||
	fail "UQ-1 is not named by his holder's party and id"
jq -e '.owner == {"role": "mediator", "name": "Test CTA"}' "$T/v1.json" \
	>/dev/null || fail "the list does not say whose register made it"

# Each party signs in its own register: what it gives is checked against
# its records; whom it receives it cannot map yet (no link): reported.
$UA round sign "$T/v1.json" --key "$T/ua/UA.key" >"$T/out"
says "$T/out" "note: person RU:RZ-1, held by RU, cannot be mapped" \
	"signed round R-M version 1 as UA"
$RU round sign "$T/v1.json" --key "$T/ru/RU.key" >/dev/null
$M round verify "$T/v1.json" >/dev/null || fail "v1 at the mediator"
# Once UA has RU's declaration and its links, each man RU gives is mapped
# to UA's own record of him.
$UA key import "$T/ru/RU.pub" --party RU >/dev/null
$UA receive "$T/ru-held-1.json" >/dev/null
$UA links make RU:held register >/dev/null
cp "$T/v1.json" "$T/v1-ua.json"
$UA round sign "$T/v1-ua.json" --key "$T/ua/UA.key" >"$T/out"
grep -q "cannot be mapped" "$T/out" && fail "linked men unmapped: $(cat "$T/out")"

# UQ-2 refuses, as UA's register records after v1 was made: UA's own
# register refuses to sign it again; the mediator does not know.
$UA event add UQ-2 consent refuses --by "ICRC delegate" \
	--source icrc_visit >/dev/null
cp "$T/v1.json" "$T/v1-copy.json"
if $UA round sign "$T/v1-copy.json" --key "$T/ua/UA.key" \
	>/dev/null 2>"$T/err"; then
	fail "UA signed a list giving a man who refuses"
fi
says "$T/err" "rule 'refuses'" "person UA:UQ-2 refused repatriation"
cmp -s "$T/v1.json" "$T/v1-copy.json" || fail "a refused sign wrote"

# A man UA declared moved by hand to RU's list: not RU's to give.
jq '.sides.UA.gives -= ["UA:UQ-3"] | .sides.RU.gives += ["UA:UQ-3"]
	| del(.digest)' "$T/plan.json" >"$T/plan-x.json"
if $M round new --plan "$T/plan-x.json" -o "$T/x.json" \
	>/dev/null 2>"$T/err"; then
	fail "the mediator listed a man for the side that did not declare him"
fi
says "$T/err" "rule 'not_holder'" "person UA:UQ-3 is listed by RU" \
	"per the holder's declaration"

# UA releases UQ-4 and declares again; at the mediator he is no longer
# declared, and a list naming him is refused (new, amend, start).
$UA event add UQ-4 status released --by bureau \
	--source official_list >/dev/null
$UA declare held -o "$T/ua-held-2.json" --key "$T/ua/UA.key" >/dev/null
$M receive "$T/ua-held-2.json" >/dev/null
if $M round new --plan "$T/plan.json" -o "$T/x.json" >/dev/null \
	2>"$T/err"; then
	fail "the mediator listed a man no longer declared"
fi
says "$T/err" "rule 'not_in_custody'" "person UA:UQ-4 is no longer declared by UA"
if $M round amend "$T/v1.json" --remove UA:UQ-1 --remove RU:RZ-1 \
	--kind counter -o "$T/x.json" >/dev/null 2>"$T/err"; then
	fail "amend kept a man no longer declared"
fi
says "$T/err" "person UA:UQ-4 is no longer declared by UA"
# Amended without him (and one of RU's, for the balance), it goes.
$M round amend "$T/v1.json" --remove UA:UQ-4 --remove RU:RZ-4 \
	--kind agreed --policy "$D/round_policy.yaml" -o "$T/v2.json" \
	>"$T/out"
says "$T/out" "UA gives 4 -> 3" "balance: holds under the policy"
# The new plan leaves him out.
$M plan --policy "$D/round_policy.yaml" -o "$T/plan2.json" >/dev/null
jq -e '.sides.UA.gives | index("UA:UQ-4") == null' "$T/plan2.json" \
	>/dev/null || fail "the next plan lists a man no longer declared"
# v1, signed by both, is refused at the start at the mediator.
if $M handover start "$T/v1.json" --by mediator >/dev/null 2>"$T/err"; then
	fail "the mediator loaded a list with a man no longer declared"
fi
says "$T/err" "person UA:UQ-4 is no longer declared by UA"
$M audit verify >/dev/null || fail "mediator's audit chain"
$UA audit verify >/dev/null || fail "UA's audit chain"

# The declared persons decide what a list may hold: one set back to
# "declared" with the sqlite3 shell decides nothing.
sqlite3 "$T/m.db" "UPDATE declared_person SET status = 'declared'
	WHERE party = 'UA' AND their_id = 'UQ-4'"
if $M round new --plan "$T/plan.json" -o "$T/x.json" >/dev/null \
	2>"$T/err"; then
	fail "a declared person changed by hand let a list through"
fi
says "$T/err" "cannot be trusted"
[ ! -e "$T/x.json" ] || fail "a refused round new left a file"
echo ok
