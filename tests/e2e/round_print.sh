#!/bin/sh
# An agreed, signed list prints as a PDF for signing at the table: the
# Cyrillic names as written, every page numbered "of N" with its running
# total, the document's digest and both signing keys' fingerprints in the
# footer, only the fields the document names in print_fields. A list
# changed after signing, or one not agreed, is refused and no PDF is left.
set -eu
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
D="$TOP/tests/e2e/data"
C="$CARTEL --db $T/r.db"
fail() { echo "FAIL: $*" >&2; exit 1; }
command -v pdftotext >/dev/null || fail "pdftotext missing (scripts/deps.sh)"

# A small register: the round test's persons, and a generated one big
# enough for three pages.
$C init >/dev/null
$C import csv "$D/round_persons.csv" >/dev/null
$C plan --policy "$D/round_policy.yaml" -o "$T/plan.json" >/dev/null
$C key new --party UA -o "$T" >/dev/null
$C key new --party RU -o "$T" >/dev/null
$C round new --plan "$T/plan.json" --kind agreed --id R-T -o "$T/r.json" \
	>/dev/null
$C round sign "$T/r.json" --key "$T/UA.key" >/dev/null
$C round sign "$T/r.json" --key "$T/RU.key" >/dev/null

$C round print "$T/r.json" -o "$T/list.pdf" >"$T/out" || fail "print"
grep -q "1 page(s), 10 person(s)" "$T/out" || fail "summary: $(cat "$T/out")"
pdftotext -layout "$T/list.pdf" "$T/list.txt"
for name in Коваленко Олександр Іванович Волков Дмитрий Мельник; do
	grep -q "$name" "$T/list.txt" || fail "no $name in the PDF's text"
done
grep -q "Page 1 of 1. Persons on this page: 10. Running total: 10 of 10." \
	"$T/list.txt" || fail "no page line"
digest=$(jq -r .digest "$T/r.json")
grep -qF "$digest" "$T/list.txt" || fail "no digest $digest"
for p in UA RU; do
	fp=$(jq -r .fingerprint "$T/$p.pub")
	grep -qF "$fp" "$T/list.txt" || fail "no fingerprint of $p"
done
grep -q "Ukraine — Russia" "$T/list.txt" || fail "no parties in words"
# The print is audited, by digest, never by name.
sqlite3 "$T/r.db" "select detail from audit where action='round.print'" \
	>"$T/audit"
grep -q "pages=1 persons=10" "$T/audit" || fail "audit: $(cat "$T/audit")"
grep -q "Коваленко" "$T/audit" && fail "a name in the audit"

# The paper list leaves the register: the transfer log records it, with
# the PDF's own digest and the recipient.
$C round print "$T/r.json" -o "$T/to.pdf" --to "ICRC delegation" >/dev/null
$C transfers --json >"$T/tr.json" || fail "transfers"
[ "$(jq -r '[.transfers[] | select(.kind == "pdf")] | length' "$T/tr.json")" = 2 ] ||
	fail "pdf prints not in the transfer log: $(cat "$T/tr.json")"
want=$(sha256sum "$T/to.pdf" | cut -d' ' -f1)
jq -e --arg h "$want" '.transfers[] | select(.kind == "pdf" and
	.sha256 == $h and .persons == 10 and .to == "ICRC delegation")' \
	"$T/tr.json" >/dev/null || fail "no record of to.pdf: $(cat "$T/tr.json")"

# In Ukrainian: the parties and the page line in the catalogue's words.
$C --lang uk round print "$T/r.json" -o "$T/uk.pdf" >/dev/null
pdftotext -layout "$T/uk.pdf" "$T/uk.txt"
grep -q "Україна — Росія" "$T/uk.txt" || fail "no parties in Ukrainian"
grep -q "Сторінка 1 з 1" "$T/uk.txt" || fail "no page line in Ukrainian"

# Tampered: a name changed after both signed. Refused, nothing written.
sed 's/"Коваленко"/"Коваленко-Тарас"/' "$T/r.json" >"$T/bad.json"
if $C round print "$T/bad.json" -o "$T/bad.pdf" 2>"$T/err"; then
	fail "printed a tampered list"
fi
grep -q "does not verify" "$T/err" || fail "no reason: $(cat "$T/err")"
grep -q "Коваленко" "$T/err" && fail "a name in the message"
[ ! -e "$T/bad.pdf" ] || fail "a PDF of a tampered list was left"
[ "$($C transfers --json | jq '[.transfers[] | select(.kind == "pdf")] | length')" = 3 ] ||
	fail "a refused print was recorded as a transfer"
# A proposal verifies once signed, but is not the list to sign on paper.
$C round new --plan "$T/plan.json" --kind proposal --id R-P -o "$T/p.json" \
	>/dev/null
$C round sign "$T/p.json" --key "$T/UA.key" >/dev/null
$C round sign "$T/p.json" --key "$T/RU.key" >/dev/null
if $C round print "$T/p.json" -o "$T/p.pdf" 2>"$T/err"; then
	fail "printed a proposal"
fi
grep -q "only the agreed version" "$T/err" || fail "proposal: $(cat "$T/err")"
# Half-signed: one signature missing.
$C round new --plan "$T/plan.json" --kind agreed --id R-H -o "$T/h.json" \
	>/dev/null
$C round sign "$T/h.json" --key "$T/UA.key" >/dev/null
if $C round print "$T/h.json" -o "$T/h.pdf" 2>"$T/err"; then
	fail "printed a list one party did not sign"
fi
grep -q "signature of RU: missing" "$T/err" || fail "half: $(cat "$T/err")"

# The fields both sides agreed to print, and three pages.
$C --db "$T/g.db" init >/dev/null
$C generate --per-side 40 --today 2026-06-01 --seed 3 -o "$T/g.csv" \
	>/dev/null 2>&1
$C --db "$T/g.db" import csv "$T/g.csv" >/dev/null 2>&1
$C --db "$T/g.db" plan --policy "$TOP/examples/policies/one-for-one.yaml" \
	-o "$T/gp.json" >/dev/null
$C --db "$T/g.db" key import "$T/UA.pub" --party UA >/dev/null
$C --db "$T/g.db" key import "$T/RU.pub" --party RU >/dev/null
if $C --db "$T/g.db" round new --plan "$T/gp.json" --kind agreed \
	--print-fields family_name,shoe_size -o "$T/x.json" 2>"$T/err"; then
	fail "an unknown print field was taken"
fi
$C --db "$T/g.db" round new --plan "$T/gp.json" --kind agreed --id R-G \
	--print-fields family_name,given_name,birth_date -o "$T/g.json" >/dev/null
$C --db "$T/g.db" round sign "$T/g.json" --key "$T/UA.key" >/dev/null
$C --db "$T/g.db" round sign "$T/g.json" --key "$T/RU.key" >/dev/null
$C --db "$T/g.db" round print "$T/g.json" -o "$T/g.pdf" >/dev/null
n=$(jq '[.sides[].gives[], .direct_repatriation[][], .withheld[]] | length' \
	"$T/g.json")
pdftotext -layout "$T/g.pdf" "$T/g.txt"
pages=$(grep -c "^ *Page [0-9]* of " "$T/g.txt")
[ "$pages" -ge 2 ] || fail "expected several pages, got $pages"
i=1
while [ "$i" -le "$pages" ]; do
	grep -q "Page $i of $pages\\." "$T/g.txt" || fail "no page $i of $pages"
	i=$((i + 1))
done
grep -q "Running total: $n of $n\\." "$T/g.txt" || fail "last total not $n"
# Each page's total is the one before plus that page's persons.
grep -o "on this page: [0-9]*. Running total: [0-9]*" "$T/g.txt" |
	awk '{sum += $4; if ($7 + 0 != sum) bad = 1} END {exit bad}' ||
	fail "running totals do not add up"
grep -q "Family name" "$T/g.txt" || fail "no family name column"
grep -q "Service number" "$T/g.txt" && fail "a field not agreed was printed"
pdftoppm -r 30 -png -f 1 -l 1 "$T/g.pdf" "$T/pg" && [ -s "$T/pg-1.png" ] ||
	fail "pdftoppm could not render the list"
exit 0
