#!/bin/sh
# The command's own printouts in the language asked for: `help import`,
# `person show`, `inquiry show`, a round's summary and `handover status`
# with --lang uk and --lang ru say their labels in Ukrainian and Russian,
# with none of the English labels left, and say them in English as
# before without --lang. The columns of handover status stay aligned in
# Cyrillic (display width, not bytes). What machines read does not
# change: --json keeps its keys and codes in every language.
set -eu
: "${CARTEL:?the cartel binary}"
: "${TOP:?the source tree}"
T=$(mktemp -d "${TMPDIR:-/tmp}/cartel-i18n-cli.XXXXXX")
trap 'rm -rf "$T"' EXIT
unset CARTEL_DB LANGUAGE LC_ALL LC_MESSAGES
export LANG=C
D="$TOP/tests/e2e/data"
C="$CARTEL --db $T/r.db"
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
# lacks FILE REGEX: no line of FILE matches REGEX (an English label).
lacks() {
	if grep -E -- "$2" "$1" >"$T/left"; then
		cat "$T/left" >&2
		fail "English left in $1: /$2/"
	fi
}

$C init >/dev/null
$C import csv "$D/round_persons.csv" >/dev/null
$C plan --policy "$D/round_policy.yaml" -o "$T/plan.json" >/dev/null
$C key new --party UA -o "$T" >/dev/null
$C key new --party RU -o "$T" >/dev/null
$C inquiry add --by оператор --family Петренко --given Остап \
	--requester "Петренко Ганна" --relation мати --contact 0501234567 \
	>"$T/inq"
INQ=$(head -1 "$T/inq" | cut -d' ' -f1)
[ -n "$INQ" ] || fail "no inquiry id in: $(cat "$T/inq")"

# One pass per language: the same commands, each output kept.
for l in en uk ru; do
	if [ $l = en ]; then L=""; else L="--lang $l"; fi
	# shellcheck disable=SC2086
	$CARTEL $L help import >"$T/help.$l"
	# shellcheck disable=SC2086
	$C $L person show UA-1 >"$T/person.$l"
	# shellcheck disable=SC2086
	$C $L inquiry show "$INQ" >"$T/inquiry.$l"
	# shellcheck disable=SC2086
	$C $L round new --plan "$T/plan.json" --kind agreed --id "R-$l" \
		-o "$T/r-$l.json" >"$T/round.$l"
done
# The round of the English pass goes to the handover.
$C round sign "$T/r-en.json" --key "$T/UA.key" >/dev/null
$C round sign "$T/r-en.json" --key "$T/RU.key" >/dev/null
$C handover start "$T/r-en.json" --by mediator >/dev/null
$C handover check R-en UA-1 --as received --by officer >/dev/null
$C handover status R-en >"$T/status.en"
$C --lang uk handover status R-en >"$T/status.uk"
$C --lang ru handover status R-en >"$T/status.ru"

# English, as it always was.
has "$T/help.en" "usage: cartel import csv FILE|- [--all-or-nothing]"
has "$T/help.en" "Reads the import CSV (docs/import.md)"
has "$T/person.en" "family_name          Коваленко"
has "$T/person.en" "status               confirmed_captive"
has "$T/person.en" "history (1 events, oldest first):"
has "$T/inquiry.en" "  asked by Петренко Ганна (мати), contact 0501234567"
has "$T/inquiry.en" "  sought:  Петренко Остап"
has "$T/inquiry.en" "candidates:"
has "$T/inquiry.en" "history:"
has "$T/round.en" "round R-en version 1 (agreed): "
has "$T/round.en" "persons on its lists, digest "
has "$T/status.en" \
	"  stage   listed  pending  handed_over  received  refused  absent closed_out  state"

# Ukrainian: the same things in Ukrainian, no English label left.
has "$T/help.uk" "використання: cartel import csv FILE|- [--all-or-nothing]"
has "$T/help.uk" "Читає CSV для імпорту (docs/import.md)"
lacks "$T/help.uk" "usage:|Reads the|Exit status|default"
has "$T/person.uk" "прізвище                 Коваленко"
has "$T/person.uk" "статус                   полон підтверджено"
has "$T/person.uk" "історія (1 подія, від найдавнішої):"
lacks "$T/person.uk" "family_name|given_name|birth_date|status|history|created|official_list| by "
has "$T/inquiry.uk" "  звернувся Петренко Ганна (мати), контакт: 0501234567"
has "$T/inquiry.uk" "  шукають: Петренко Остап"
has "$T/inquiry.uk" "кандидати:"
has "$T/inquiry.uk" "історія:"
lacks "$T/inquiry.uk" "asked by|contact|sought|recorded|candidates|none yet|history"
has "$T/round.uk" "раунд R-uk, версія 1 (погоджено): у списках "
lacks "$T/round.uk" "round|version|agreed|persons|digest|written|unsigned"
has "$T/status.uk" "раунд R-en, версія 1, завантажено "
has "$T/status.uk" "етап"
has "$T/status.uk" "прийнято"
lacks "$T/status.uk" "round|version|loaded|digest|stage|listed|pending|handed_over|received|closed_out|state|open"

# The command list of `cartel help`, each line in the language.
$CARTEL help >"$T/list.en"
has "$T/list.en" "  import     import a CSV or XLSX list, or a PFIF feed, of persons"
$CARTEL --lang uk help >"$T/list.uk"
has "$T/list.uk" "  import     імпортувати список осіб у CSV або XLSX чи стрічку PFIF"
$CARTEL --lang ru help >"$T/list.ru"
has "$T/list.ru" "  handover   провести согласованный раунд в пункте обмена"

# Russian.
has "$T/help.ru" "использование: cartel import csv FILE|- [--all-or-nothing]"
has "$T/help.ru" "Читает CSV для импорта (docs/import.md)"
lacks "$T/help.ru" "usage:|Reads the|Exit status|default"
has "$T/person.ru" "фамилия                      Коваленко"
has "$T/person.ru" "история (1 событие, от самого раннего):"
lacks "$T/person.ru" "family_name|given_name|birth_date|status|history|created|official_list| by "
has "$T/inquiry.ru" "  обратился Петренко Ганна (мати), контакт: 0501234567"
has "$T/inquiry.ru" "  ищут:    Петренко Остап"
lacks "$T/inquiry.ru" "asked by|contact|sought|recorded|candidates|none yet|history"
has "$T/round.ru" "раунд R-ru, версия 1 (согласовано): в списках "
lacks "$T/round.ru" "round|version|agreed|persons|digest|written|unsigned"
has "$T/status.ru" "раунд R-en, версия 1, загружен "
lacks "$T/status.ru" "round|version|loaded|digest|stage|listed|pending|handed_over|received|closed_out|state|open"

# The table of handover status keeps its columns in Cyrillic: each number
# ends where its heading ends, counted in characters, not bytes.
for l in en uk ru; do
	# One byte per character: UTF-8 continuation bytes dropped.
	LC_ALL=C tr -d '\200-\277' <"$T/status.$l" >"$T/status.$l.chars"
	awk -v f="$l" '
	function ends(s,    n, i, e) {
		# the column (in characters) where each word of s ends
		n = 0; e = ""
		for (i = 1; i <= length(s); i++)
			if (substr(s, i, 1) != " " &&
			    (i == length(s) || substr(s, i + 1, 1) == " "))
				e = e " " i
		return e
	}
	NR == 3 { head = ends($0) }
	NR == 4 { row = ends($0) }
	END {
		# The heading has one word more (the state), the row the
		# state and its date; compare the numeric columns.
		split(head, h, " "); split(row, r, " ")
		for (i = 2; i <= 8; i++)
			if (h[i] != r[i]) {
				print f ": column " i " ends at " r[i] \
				    ", its heading at " h[i]
				exit 1
			}
	}' "$T/status.$l.chars" || {
		cat "$T/status.$l" >&2
		fail "handover status columns misaligned in $l"
	}
done

# JSON is the same in every language: keys and codes, never words.
$C --json person show UA-1 >"$T/j.en"
$C --lang uk --json person show UA-1 >"$T/j.uk"
cmp -s "$T/j.en" "$T/j.uk" || fail "person show --json changed with --lang"
$C --lang ru --json handover status R-en | grep -q '"pending"' ||
	fail "handover status --json lost its codes under --lang ru"
echo "i18n cli: ok"
