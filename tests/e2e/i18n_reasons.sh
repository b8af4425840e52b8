#!/bin/sh
# The library's reasons in the language asked for: a bad import row's
# reject reason (a date that does not exist, a quote never closed), an
# event the register refuses, a round rule breached, a policy with an
# unknown key; each in Ukrainian with --lang uk, in Russian with --lang
# ru, and in English, as before, without --lang. Codes (field names,
# values, ids) stay as they are in every language.
. "$TOP/tests/e2e/data/rules_lib.sh"
unset LANGUAGE LC_ALL LC_MESSAGES
export LANG=C

# A list with a date that does not exist (row 3) and a quote never
# closed (row 4), imported in each language.
printf '%s\n' 'id,family_name,given_name,birth_date,held_by,depends_on' \
	'LX-1,Сидоренко,Іван,1990-01-01,UA,RU' \
	'LX-2,Гончаренко,Петро,2001-02-30,UA,RU' \
	'LX-3,"Кучер,Олег,1990-01-01,UA,RU' >"$T/bad.csv"
for l in en uk ru; do
	lang=
	[ "$l" = en ] || lang="--lang $l"
	# shellcheck disable=SC2086
	$CARTEL --db "$T/$l.db" init >/dev/null
	# shellcheck disable=SC2086
	if $CARTEL $lang --db "$T/$l.db" import csv "$T/bad.csv" \
		--rejects "$T/rej-$l.csv" >/dev/null 2>&1; then
		fail "import took a bad list ($l)"
	fi
done
says "$T/rej-en.csv" "3,birth_date,birth_date: is not a date: that month has no day 30" \
	"4,family_name,a quoted field is never closed"
says "$T/rej-uk.csv" "3,birth_date,birth_date: не є датою: у цьому місяці немає 30-го числа" \
	"4,family_name,поле в лапках не закрито"
says "$T/rej-ru.csv" "3,birth_date,birth_date: не является датой: в этом месяце нет 30-го числа" \
	"4,family_name,поле в кавычках не закрыто"

# An event with a value the register does not take.
ev() {
	# shellcheck disable=SC2086
	if $CARTEL $1 --db "$DB" event add RU-6 health dancing --by bureau \
		--source official_list >/dev/null 2>"$T/err"; then
		fail "the register took health 'dancing'"
	fi
}
ev ""
says "$T/err" "health: the value is not one of: "
ev "--lang uk"
says "$T/err" "health: значення не є одним із: " "good"
ev "--lang ru"
says "$T/err" "health: значение не является одним из: " "good"

# A plan that lists a man who refused repatriation (rule 'refuses').
plan_edit '.sides.UA.gives += ["RU-6"]' "$T/plan-x.json"
rn() {
	# shellcheck disable=SC2086
	if $CARTEL $1 --db "$DB" round new --plan "$T/plan-x.json" \
		--kind agreed --id R-X -o "$T/new.json" >/dev/null 2>"$T/err"; then
		fail "round new took a plan that breaks a rule"
	fi
}
rn ""
says "$T/err" "breaks the exchange rules" "rule 'refuses'" \
	"person RU-6 refused repatriation (consent refuses, per the register); nobody is repatriated against his will (GC III Art. 109)"
rn "--lang uk"
says "$T/err" "порушує правила обміну" "правило 'refuses'" \
	"особа RU-6 відмовилася від репатріації (згода refuses, за реєстром); нікого не репатріюють проти його волі (ЖК III, ст. 109)"
rn "--lang ru"
says "$T/err" "нарушает правила обмена" "правило 'refuses'" \
	"лицо RU-6 отказалось от репатриации (согласие refuses, по реестру); никого не репатриируют против его воли (ЖК III, ст. 109)"

# A policy with a key cartel does not know.
{
	cat "$D/round_policy.yaml"
	echo "tolerence: 2"
} >"$T/bad.yaml"
pl() {
	# shellcheck disable=SC2086
	if $CARTEL $1 --db "$DB" plan --policy "$T/bad.yaml" >/dev/null \
		2>"$T/err"; then
		fail "plan took a policy with an unknown key"
	fi
}
pl ""
says "$T/err" "key 'tolerence': unknown key (known: name,"
pl "--lang uk"
says "$T/err" "ключ 'tolerence': невідомий ключ (відомі: name,"
pl "--lang ru"
says "$T/err" "ключ 'tolerence': неизвестный ключ (известные: name,"
echo ok
