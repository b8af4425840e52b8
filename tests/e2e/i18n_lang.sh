#!/bin/sh
# What a user reads, in the language asked for: --lang uk / ru, and the
# locale (LANG, LANGUAGE) when --lang is not given. Explanations, the
# statistics' labels, a search answer, error and usage messages; English
# by default; and the civilians-for-civilians explanation names the limit
# that binds (the other side's civilians), in every language.
set -eu
: "${CARTEL:?the cartel binary}"
T=$(mktemp -d "${TMPDIR:-/tmp}/cartel-lang.XXXXXX")
trap 'rm -rf "$T"' EXIT
export CARTEL_TODAY=2026-06-01
unset CARTEL_DB LANGUAGE LC_ALL LC_MESSAGES
export LANG=C
DB=$T/r.db
fail() {
	echo "FAIL: $*" >&2
	exit 1
}
# has FILE TEXT: FILE holds TEXT.
has() {
	grep -F -- "$2" "$1" >/dev/null || {
		cat "$1" >&2
		fail "expected '$2' in $1"
	}
}
C="$CARTEL --db $DB"

# UA holds 2 civilians and 3 soldiers; RU holds 5 civilians and 3
# soldiers. Civilians go only for civilians: RU can give only 2 of its 5.
cat >"$T/list.csv" <<'CSV'
id,family_name,given_name,patronymic,birth_date,sex,rank,category,depends_on,held_by,captured_on,health,direct_repatriation,consent,legal_hold,status,source
ua-1,Петров,Иван,Сергеевич,1980-05-01,m,рядовой,military,RU,UA,2022-03-01,good,no,willing,none,confirmed_captive,official_list
ua-2,Соколов,Павел,Ильич,1981-02-01,m,сержант,military,RU,UA,2022-05-01,good,no,willing,none,confirmed_captive,official_list
ua-3,Орлов,Дмитрий,Олегович,1985-07-12,m,рядовой,military,RU,UA,2023-01-10,good,no,willing,none,confirmed_captive,official_list
ua-4,Белова,Анна,Петровна,1970-11-03,f,,civilian,RU,UA,2022-04-01,good,no,willing,none,confirmed_captive,official_list
ua-5,Белов,Олег,Петрович,1968-11-03,m,,civilian,RU,UA,2022-04-02,good,no,willing,none,confirmed_captive,official_list
ru-1,Коваленко,Олександр,Іванович,1990-03-15,m,солдат,military,UA,RU,2024-03-02,good,no,willing,none,confirmed_captive,official_list
ru-2,Шевченко,Максим,Петрович,1979-01-01,m,солдат,military,UA,RU,2022-03-02,good,no,willing,none,confirmed_captive,official_list
ru-3,Бондаренко,Петро,Іванович,1978-01-01,m,солдат,military,UA,RU,2022-03-03,good,no,willing,none,confirmed_captive,official_list
ru-4,Ткаченко,Марія,Іванівна,1960-01-01,f,,civilian,UA,RU,2022-03-01,good,no,willing,none,confirmed_captive,official_list
ru-5,Кравченко,Ольга,Петрівна,1961-01-01,f,,civilian,UA,RU,2022-03-02,good,no,willing,none,confirmed_captive,official_list
ru-6,Олійник,Ірина,Іванівна,1962-01-01,f,,civilian,UA,RU,2022-03-03,good,no,willing,none,confirmed_captive,official_list
ru-7,Мельник,Галина,Петрівна,1963-01-01,f,,civilian,UA,RU,2022-03-04,good,no,willing,none,confirmed_captive,official_list
ru-8,Лисенко,Надія,Іванівна,1964-01-01,f,,civilian,UA,RU,2022-03-05,good,no,willing,none,confirmed_captive,official_list
CSV
$C init >/dev/null
$C import csv "$T/list.csv" >/dev/null
POL=$TOP/examples/policies/one-for-one.yaml

# The civilian left out says which limit binds: UA's civilians.
$C plan explain ru-8 --policy "$POL" --verbose >"$T/en"
has "$T/en" "ru-8: not in this round: 5th in line in the group 'civilian'; civilians are exchanged only for civilians, and Ukraine has only 2 civilians to give, so Russia hands over 2 civilians"
has "$T/en" "side UA has only 2 civilians to give, so the balance (ratio 1:1) lets side RU give 2 civilians"
$C --lang uk plan explain ru-8 --policy "$POL" >"$T/uk"
has "$T/uk" "ru-8: не в цьому раунді: 5-й у черзі в групі «civilian»; цивільних обмінюють лише на цивільних, а Україна може передати лише 2 цивільні особи, тож Росія передає 2 цивільні особи"
$C --lang ru plan explain ru-8 --policy "$POL" >"$T/ru"
has "$T/ru" "гражданских обменивают только на гражданских, а Украина может передать лишь 2 гражданских лица, поэтому Россия передаёт 2 гражданских лица"

# A man on the list: party names, ordinals as people say them.
$C --lang ru plan explain ua-1 --policy "$POL" >"$T/ru1"
has "$T/ru1" "ua-1: в предложенном раунде: Украина передаёт 5 человек, этот человек — 3-й в списке (группа «longest held»)"
$C --lang uk plan explain ua-1 --policy "$POL" >"$T/uk1"
has "$T/uk1" "ua-1: у запропонованому раунді: Україна передає 5 осіб, ця особа — 3-й номер у списку (група «longest held»)"
# The JSON keeps its shape and English reason, and carries the words.
$C --lang uk plan explain ru-8 --policy "$POL" --json >"$T/j"
has "$T/j" '"reason": "not in this round: in category'
has "$T/j" '"words": "не в цьому раунді'

# The locale when --lang is not given; --lang wins over it.
LANG=uk_UA.UTF-8 $C stats >"$T/s_uk"
has "$T/s_uk" "Власник: немає (спільний робочий реєстр)"
has "$T/s_uk" "УТРИМУЮТЬСЯ ЗАРАЗ"
has "$T/s_uk" "Реєстр: 13 осіб, станом на 2026-06-01"
has "$T/s_uk" "тяжкопоранені"
LANGUAGE=ru $C stats >"$T/s_ru"
has "$T/s_ru" "УДЕРЖИВАЮТСЯ СЕЙЧАС"
has "$T/s_ru" "тяжелораненые"
LC_ALL=ru_RU.UTF-8 $C --lang uk stats >"$T/s_both"
has "$T/s_both" "за станом здоров'я"
$C stats >"$T/s_en"
has "$T/s_en" "HELD NOW"
has "$T/s_en" "seriously wounded"

# A family's search answer: no scores in the words, the holder by name.
$C --lang uk search --born 1990 Коваленко Александр >"$T/q_uk" 2>/dev/null
has "$T/q_uk" "пошук серед 13 осіб, прочитано як прізвище Коваленко, ім'я Александр, дата народження 1990"
has "$T/q_uk" "    утримує Росія"
has "$T/q_uk" "знайдено за прізвищем, ім'ям і роком народження; ім'я записано по-різному: Александр і Олександр — це те саме ім'я"
if grep -q "bits" "$T/q_uk"; then fail "bits in a family's answer"; fi
$C --lang uk search --verbose --born 1990 Коваленко Александр >"$T/q_v" 2>/dev/null
has "$T/q_v" "bits with the prior"
LANG=ru_RU.UTF-8 $C search --json --born 1990 Коваленко Александр >"$T/q_j" 2>/dev/null
has "$T/q_j" '"words": "найдено по фамилии, имени и году рождения; имя записано по-разному: Александр и Олександр — это одно и то же имя"'
has "$T/q_j" '"status_text": "удерживает Россия"'

# Errors and usage messages.
if $C --lang uk person show nobody >/dev/null 2>"$T/e1"; then
	fail "person show nobody succeeded"
fi
has "$T/e1" "cartel: показ особи:"
set +e
LANG=ru_RU.UTF-8 $C search >/dev/null 2>"$T/e2"
rc=$?
set -e
[ "$rc" -eq 2 ] || fail "search without a name exited $rc"
has "$T/e2" "cartel search: нужно имя"
has "$T/e2" "(см. 'cartel help search')"
set +e
$C --lang de stats >/dev/null 2>"$T/e3"
rc=$?
set -e
[ "$rc" -eq 2 ] || fail "--lang de exited $rc"
has "$T/e3" "no language 'de': cartel speaks en, uk and ru"
LANG=uk_UA.UTF-8 $CARTEL nosuch 2>"$T/e4" || true
has "$T/e4" "немає команди 'nosuch'"
echo ok
