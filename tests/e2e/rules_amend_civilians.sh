#!/bin/sh
# round amend under civilians_for_civilians: the civilians are a pool of
# their own, held to the ratio apart from the others, as the planner holds
# them. A change that keeps the totals even but leaves one side giving
# more civilians than the other is refused, and amend says what it does to
# each pool; a change that keeps both pools even goes through and says so.
set -eu
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
C="$CARTEL --db $T/r.db"
fail() { echo "FAIL: $*" >&2; exit 1; }
says() {
	sf=$1
	shift
	for t in "$@"; do
		grep -qF -- "$t" "$sf" || fail "no '$t' in: $(cat "$sf")"
	done
}
export CARTEL_NOW=2026-06-01T10:00:00Z

# Each side holds two soldiers and two civilians of the other.
cat >"$T/p.csv" <<'CSV'
id,family_name,given_name,birth_date,rank,service_number,held_by,depends_on,category,health,direct_repatriation,consent,status,captured_on
UA-1,Коваленко,Олександр,1994-03-02,солдат,A100,RU,UA,military,good,no,willing,confirmed_captive,2023-01-10
UA-2,Шевченко,Сергій,1990-02-02,солдат,A101,RU,UA,military,good,no,willing,confirmed_captive,2023-02-11
UC-1,Мельник,Ганна,1970-03-03,,,RU,UA,civilian,good,no,willing,confirmed_captive,2023-03-12
UC-2,Бойко,Ірина,1965-04-04,,,RU,UA,civilian,good,no,willing,confirmed_captive,2023-04-13
RU-1,Иванов,Николай,1999-01-05,рядовой,B200,UA,RU,military,good,no,willing,confirmed_captive,2023-01-20
RU-2,Смирнов,Юрий,2001-11-11,рядовой,B201,UA,RU,military,good,no,willing,confirmed_captive,2023-02-21
RC-1,Петрова,Анна,1968-05-05,,,UA,RU,civilian,good,no,willing,confirmed_captive,2023-03-22
RC-2,Соколова,Мария,1972-06-06,,,UA,RU,civilian,good,no,willing,confirmed_captive,2023-04-23
CSV
cat >"$T/policy.yaml" <<'YAML'
parties: [UA, RU]
mode: balanced
ratio: "1:1"
civilians_for_civilians: true
priorities:
  - longest_held
YAML
$C init >/dev/null
$C import csv "$T/p.csv" >/dev/null
$C plan --policy "$T/policy.yaml" -o "$T/plan.json" >/dev/null
$C round new --plan "$T/plan.json" --id R-C -o "$T/v1.json" >/dev/null
[ "$(jq '.sides.UA.gives | length' "$T/v1.json")" = 4 ] ||
	fail "the plan does not list everyone: $(jq -c .sides "$T/v1.json")"

# Totals 3:3, but civilians 2:1 and soldiers 1:2: refused, each pool
# said (the old count, both pools together, took it).
if $C round amend "$T/v1.json" --remove RU:UC-1 --remove UA:RU-1 \
	--kind counter --policy "$T/policy.yaml" -o "$T/v2.json" \
	>/dev/null 2>"$T/err"; then
	fail "an amendment off the civilians' balance was taken"
fi
says "$T/err" "off the policy's balance" \
	"besides civilians, UA gives 1 and RU gives 2" \
	"civilians are exchanged only for civilians, and UA gives 2 civilians and RU gives 1" \
	"RU would give 1 civilian (was 2)" \
	"UA would give 3 (was 4)" "RU would give 3 (was 4)"
[ ! -e "$T/v2.json" ] || fail "a refused amend left a file"

# One civilian off each list: both pools even.
$C round amend "$T/v1.json" --remove RU:UC-1 --remove UA:RC-1 \
	--kind counter --policy "$T/policy.yaml" -o "$T/v2.json" >"$T/out"
says "$T/out" "UA gives 4 -> 3, value 4 -> 3" \
	"UA gives 1 civilian (was 2); besides civilians, value 2 (was 2)" \
	"RU gives 1 civilian (was 2); besides civilians, value 2 (was 2)" \
	"balance: holds under the policy, civilians balanced apart"
# And in JSON, the library's shape with both pools.
$C --json round amend "$T/v1.json" --remove RU:UC-2 --remove UA:RC-2 \
	--kind counter --policy "$T/policy.yaml" -o "$T/v2b.json" >"$T/j"
jq -e '.pools == 2 and .balanced == true and .verdict == null and
	(.sides | map(select(.civilians_before == 2 and .civilians_after == 1
	  and .value_besides_civilians_after == 2)) | length) == 2' "$T/j" \
	>/dev/null || fail "amend --json: $(cat "$T/j")"
# A civilian for a soldier: the totals even (2:2 after), the pools not.
if $C round amend "$T/v2.json" --remove UA:RU-1 --remove RU:UC-2 \
	--kind counter --policy "$T/policy.yaml" -o "$T/v3.json" \
	>/dev/null 2>"$T/err"; then
	fail "a civilian traded for a soldier was taken"
fi
says "$T/err" "off the policy's balance" "UA gives 1 civilian and RU gives 0"
# Civilians only, off by one: the civilians' pool alone is named.
if $C round amend "$T/v2.json" --remove RU:UC-2 --kind counter \
	--policy "$T/policy.yaml" -o "$T/v3.json" >/dev/null 2>"$T/err"; then
	fail "a civilian removed from one side only was taken"
fi
says "$T/err" "is off the policy's balance: civilians are exchanged only"
grep -q "besides civilians, UA" "$T/err" && fail "the soldiers' pool named"
$C audit verify >/dev/null || fail "audit chain"
echo ok
