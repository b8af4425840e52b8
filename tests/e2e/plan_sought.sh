#!/bin/sh
# Each side's sought declaration feeds the plan's priorities. At the
# mediator, UA's held declaration lists two RU soldiers; RU's sought
# declaration names only the one held for the shorter time (under RU's own
# id). Linked through `links make RU:sought UA:held`, he goes ahead of the
# longest held within the priority: with one place per side, the plan
# gives him; `plan explain` says why; the policy's `sought_first: false`
# gives the longest held again.
set -eu
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
UA="$CARTEL --db $T/ua.db"
RU="$CARTEL --db $T/ru.db"
M="$CARTEL --db $T/med.db"
export CARTEL_TODAY=2026-06-30
H=id,family_name,given_name,patronymic,birth_date,rank,service_number,held_by,depends_on,category,health,direct_repatriation,consent,status,captured_on
cat >"$T/ua.csv" <<CSV
$H
RU-1,Иванов,Николай,Петрович,1999-01-05,рядовой,B200,UA,RU,military,good,no,willing,confirmed_captive,2022-01-10
RU-2,Смирнов,Юрий,Ильич,2001-11-11,рядовой,B201,UA,RU,military,good,no,willing,confirmed_captive,2023-06-21
CSV
cat >"$T/ru.csv" <<CSV
$H
UA-1,Коваленко,Олександр,Іванович,1994-03-02,солдат,A100,RU,UA,military,good,no,willing,confirmed_captive,2022-02-10
UA-2,Шевченко,Сергій,Петрович,1990-02-02,солдат,A101,RU,UA,military,good,no,willing,confirmed_captive,2023-02-11
RQ-2,Смирнов,Юрий,Ильич,2001-11-11,рядовой,B201,UA,RU,military,good,no,willing,confirmed_captive,2023-06-21
CSV
cat >"$T/policy.yaml" <<'YAML'
parties: [UA, RU]
mode: balanced
ratio: "1:1"
max_per_side: 1
priorities:
  - longest_held
YAML
$UA init --party UA >/dev/null
$RU init --party RU >/dev/null
$M init --mediator CTA >/dev/null
$UA import csv "$T/ua.csv" >/dev/null
$RU import csv "$T/ru.csv" >/dev/null
mkdir "$T/k"
$UA key new --party UA -o "$T/k" >/dev/null
$RU key new --party RU -o "$T/k" >/dev/null
$M key import "$T/k/UA.pub" --party UA >/dev/null
$M key import "$T/k/RU.pub" --party RU >/dev/null
$UA declare held -o "$T/ua-held.json" --key "$T/k/UA.key" >/dev/null
$RU declare held -o "$T/ru-held.json" --key "$T/k/RU.key" >/dev/null
$RU declare sought -o "$T/ru-sought.json" --key "$T/k/RU.key" >/dev/null
grep -q '"RQ-2"' "$T/ru-sought.json" || fail "RU does not seek RQ-2"
grep -q '"RU-1"\|"RQ-1"' "$T/ru-sought.json" && fail "RU seeks a man it does not know"
for f in ua-held ru-held ru-sought; do $M receive "$T/$f.json" >/dev/null; done

# Before any link, the longest held goes.
$M plan --policy "$T/policy.yaml" -o "$T/p0.json" >/dev/null
jq -e '.sides.UA.gives == ["UA:RU-1"]' "$T/p0.json" >/dev/null ||
	fail "without a link: $(jq -c .sides.UA.gives "$T/p0.json")"

$M links make RU:sought UA:held --by clerk >"$T/out"
grep -q "1 linked" "$T/out" || fail "links: $(head -1 "$T/out")"
$M plan --policy "$T/policy.yaml" -o "$T/p1.json" >/dev/null
jq -e '.sides.UA.gives == ["UA:RU-2"] and (.sides.RU.gives | length) == 1' \
	"$T/p1.json" >/dev/null ||
	fail "the sought man does not go first: $(jq -c .sides "$T/p1.json")"
$M plan explain UA:RU-2 --policy "$T/policy.yaml" >"$T/why"
grep -q "Russia seeks him (its sought declaration names him, through the identity links): within his group he goes ahead of those it does not seek" \
	"$T/why" || fail "explain: $(cat "$T/why")"
$M --lang uk plan explain UA:RU-2 --policy "$T/policy.yaml" >"$T/why-uk"
grep -q "розшуку" "$T/why-uk" || fail "explain in Ukrainian: $(cat "$T/why-uk")"
$M plan explain UA:RU-1 --policy "$T/policy.yaml" >"$T/why1"
grep -q "seeks him" "$T/why1" && fail "RU-1 is not sought: $(cat "$T/why1")"

# The deal may say otherwise.
printf 'sought_first: false\n' >>"$T/policy.yaml"
$M plan --policy "$T/policy.yaml" -o "$T/p2.json" >/dev/null
jq -e '.sides.UA.gives == ["UA:RU-1"]' "$T/p2.json" >/dev/null ||
	fail "sought_first: false: $(jq -c .sides.UA.gives "$T/p2.json")"
$M plan explain UA:RU-2 --policy "$T/policy.yaml" >"$T/why"
grep -q "this deal does not put the sought first (sought_first: false)" \
	"$T/why" || fail "explain, off: $(cat "$T/why")"
printf 'sought_first: maybe\n' >"$T/bad.yaml"
cat "$T/policy.yaml" | grep -v sought_first >>"$T/bad.yaml"
if $M plan --policy "$T/bad.yaml" >/dev/null 2>"$T/err"; then
	fail "sought_first: maybe was taken"
fi
grep -q "sought_first" "$T/err" || fail "bad value: $(cat "$T/err")"
$M audit verify >/dev/null || fail "audit chain"
echo ok
