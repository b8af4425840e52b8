#!/bin/sh
# cartel demo builds a register from the generator and prints what a
# mediator reads first: both sides' counts, never a name (GC III Art. 13).
# A second run replaces the demo register; a file that is not a demo
# register is never overwritten.
set -eu
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

$CARTEL --db "$T/demo.db" demo --per-side 500 --seed 3 --today 2025-06-30 \
	>"$T/out.txt" 2>"$T/err.txt" || fail "demo failed: $(cat "$T/err.txt")"
cat "$T/out.txt"

grep -q "1000 captives" "$T/out.txt" || fail "no total of 1000 captives"
grep -Eq "held by +RU +UA" "$T/out.txt" || fail "both sides not listed"
# Each side holds about 500 less the reported missing (about a fifth).
line=$(grep "HELD NOW" "$T/out.txt") || fail "no HELD NOW line"
set -- $line
[ "$#" -eq 4 ] || fail "HELD NOW should give two counts: $line"
for n in "$3" "$4"; do
	[ "$n" -ge 300 ] && [ "$n" -le 480 ] || fail "implausible count $n"
done
grep -q "seriously wounded" "$T/out.txt" || fail "no health breakdown"
grep -q "awaiting direct repatriation\|awaiting direct\|direct repatriation" \
	"$T/out.txt" || fail "no direct repatriation line"
grep -q "consent never asked" "$T/out.txt" || fail "no consent line"
grep -Eq "^time: [0-9.]+ s" "$T/out.txt" || fail "no timing line"

# The register holds every generated row.
n=$($CARTEL --db "$T/demo.db" export csv | wc -l)
[ "$n" -eq 1001 ] || fail "register holds $((n - 1)) persons, not 1000"

# No name of a captive in what the mediator reads: compare with the very
# rows the demo generated.
$CARTEL generate --per-side 500 --seed 3 --today 2025-06-30 -o "$T/gen.csv"
cut -d, -f2,3 "$T/gen.csv" | tail -n +2 | tr ',' '\n' | sort -u \
	| grep -v '^$' >"$T/names.txt"
[ "$(wc -l <"$T/names.txt")" -gt 100 ] || fail "too few names to check"
if grep -F -w -f "$T/names.txt" "$T/out.txt" >"$T/leak.txt"; then
	fail "names printed: $(head -3 "$T/leak.txt")"
fi

# A second run replaces the demo register.
$CARTEL --db "$T/demo.db" demo --per-side 20 --seed 4 >/dev/null \
	|| fail "second demo run failed"
n=$($CARTEL --db "$T/demo.db" export csv | wc -l)
[ "$n" -eq 41 ] || fail "second run left $((n - 1)) persons, not 40"

# A file that is not a cartel register is refused and left as it was.
echo "precious" >"$T/notes.txt"
if $CARTEL --db "$T/notes.txt" demo --per-side 5 2>"$T/err.txt"; then
	fail "demo overwrote a plain file"
fi
grep -q "not a cartel register" "$T/err.txt" || fail "no reason given"
[ "$(cat "$T/notes.txt")" = "precious" ] || fail "plain file changed"

# A real register (not made by the demo) is refused too.
$CARTEL --db "$T/real.db" init >/dev/null
$CARTEL generate --per-side 2 --seed 1 -o "$T/two.csv"
$CARTEL --db "$T/real.db" import csv "$T/two.csv" >/dev/null
if $CARTEL --db "$T/real.db" demo --per-side 5 2>"$T/err.txt"; then
	fail "demo replaced a real register"
fi
grep -q "not made by 'cartel demo'" "$T/err.txt" || fail "no reason given"
n=$($CARTEL --db "$T/real.db" export csv | wc -l)
[ "$n" -eq 5 ] || fail "real register changed"

# Usage errors exit 2.
set +e
$CARTEL --db "$T/x.db" demo --per-side 0 2>/dev/null; rc=$?
set -e
[ "$rc" -eq 2 ] || fail "--per-side 0 gave exit $rc, not 2"
echo "ok"
