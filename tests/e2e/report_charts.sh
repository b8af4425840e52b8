#!/bin/sh
# cartel report writes each chart as SVG and PNG: the files are there and
# whole (an SVG document with its title and description, a PNG image), a
# loaded round shows in the rounds chart, --public shows no count from 1
# to 4 (said "fewer than 5"), and --lang uk titles and labels the charts in
# Ukrainian.
set -eu
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
D="$TOP/tests/e2e/data"
C="$CARTEL --db $T/r.db"
export CARTEL_TODAY=2026-06-01
fail() { echo "FAIL: $*" >&2; exit 1; }

$C init >/dev/null
$C import csv "$D/round_persons.csv" >/dev/null
$C plan --policy "$D/round_policy.yaml" -o "$T/plan.json" >/dev/null
$C key new --party UA -o "$T" >/dev/null
$C key new --party RU -o "$T" >/dev/null
$C round new --plan "$T/plan.json" --kind agreed --id R-T -o "$T/r.json" \
	>/dev/null
$C round sign "$T/r.json" --key "$T/UA.key" >/dev/null
$C round sign "$T/r.json" --key "$T/RU.key" >/dev/null
$C handover start "$T/r.json" >/dev/null
$C inquiry add --name "Коваленко Олександр" --requester mother \
	--by hotline >/dev/null

# desc FILE: the counts the SVG describes, one "label: value" a line.
desc() {
	sed -n 's/.*<desc>\(.*\)<\/desc>.*/\1/p' "$1" | sed 's/; /\n/g'
}

$C report -o "$T/all" >"$T/out" || fail "report"
for c in held rounds time-held awaiting inquiries; do
	svg="$T/all/$c.svg"
	png="$T/all/$c.png"
	[ -s "$svg" ] && [ -s "$png" ] || fail "$c: a file is missing"
	head -c 5 "$svg" | grep -q '<?xml' || fail "$c.svg: not XML"
	grep -q '<svg xmlns="http://www.w3.org/2000/svg"' "$svg" ||
		fail "$c.svg: no svg element"
	tail -c 10 "$svg" | grep -q '</svg>' || fail "$c.svg: cut short"
	grep -q "<title>.*</title>" "$svg" || fail "$c.svg: no title"
	[ "$(od -An -tx1 -N8 "$png" | tr -d ' \n')" = 89504e470d0a1a0a ] ||
		fail "$c.png: not a PNG"
	grep -q "$c.svg" "$T/out" || fail "$c not listed"
done
desc "$T/all/rounds.svg" | grep -q "R-T: 5" || fail "round R-T not charted"
desc "$T/all/inquiries.svg" | grep -q "candidate found: 1" ||
	fail "the matched inquiry not charted: $(desc "$T/all/inquiries.svg")"
# Without --public the small counts are exact (so the check below can fail).
small=0
for f in "$T"/all/*.svg; do
	if desc "$f" | grep -Eq ': [1-4]$'; then small=1; fi
done
[ "$small" = 1 ] || fail "no small count to suppress in this register"

$C report --public -o "$T/pub" >/dev/null || fail "report --public"
for f in "$T"/pub/*.svg; do
	if desc "$f" | grep -E ': [1-4]$'; then
		fail "$(basename "$f"): a count below 5 in public figures"
	fi
done
desc "$T/pub/inquiries.svg" | grep -q "candidate found: fewer than 5" ||
	fail "no 'fewer than 5' in public figures"
# The public and exact charts of the same register are not the same
# pictures (the small bars are gone).
cmp -s "$T/all/inquiries.png" "$T/pub/inquiries.png" &&
	fail "the public chart still draws the small counts"

$C --lang uk report --public -o "$T/uk" >/dev/null || fail "report uk"
grep -q "<title>Час у полоні</title>" "$T/uk/time-held.svg" ||
	fail "no Ukrainian title"
desc "$T/uk/time-held.svg" | grep -q "Україна, 24 місяці й більше: 5" ||
	fail "no Ukrainian label: $(desc "$T/uk/time-held.svg" | head -3)"
desc "$T/uk/inquiries.svg" | grep -q "менше 5" ||
	fail "no 'fewer than 5' in Ukrainian"

# A file in the way of the folder is refused.
: >"$T/afile"
if $C report -o "$T/afile" 2>"$T/err"; then
	fail "wrote into a file as if a folder"
fi
grep -q "not a folder" "$T/err" || fail "no reason: $(cat "$T/err")"
exit 0
