#!/bin/sh
# Long work shows its progress: import (and --update), event import, link,
# dedupe, building the search index and receiving a declaration write one updating line on standard
# error when it is a terminal ("import: 400 of 400 rows (100%), done in
# ..."), nothing at all when it is not (a file, a pipe, a log), and nothing
# under --quiet. The terminal is a pseudo-terminal made by script(1).
set -eu
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
unset CARTEL_DB
C="$CARTEL --db $T/r.db"

# on_tty OUT CMD...: runs CMD with stdout and stderr on a pseudo-terminal,
# what it showed (carriage returns made newlines) into OUT.
on_tty() {
	out=$1
	shift
	script -qec "$*" /dev/null </dev/null >"$T/raw" ||
		fail "under a terminal: $*: $(cat "$T/raw")"
	tr '\r' '\n' <"$T/raw" >"$out"
}

$CARTEL generate --per-side 200 --seed 3 --today 2026-06-30 -o "$T/g.csv"
$C init >/dev/null

# Not a terminal: stderr stays empty, stdout says what it always said.
$C import csv "$T/g.csv" >"$T/out" 2>"$T/err" || fail "import: $(cat "$T/err")"
[ -s "$T/err" ] && fail "import wrote to a non-terminal stderr: $(cat "$T/err")"
grep -q "400 rows read, 400 imported, 0 rejected" "$T/out" ||
	fail "import said: $(cat "$T/out")"

# A terminal: the line, ending at the whole.
$CARTEL --db "$T/t.db" init >/dev/null
on_tty "$T/tty" "$CARTEL --db $T/t.db import csv $T/g.csv"
grep -q '^.*import: 0 of 400 rows (0%)' "$T/tty" ||
	fail "no first progress line: $(cat "$T/tty")"
grep -q 'import: 400 of 400 rows (100%), done in ' "$T/tty" ||
	fail "no progress line: $(cat "$T/tty")"
grep -q '400 rows read, 400 imported' "$T/tty" || fail "$(cat "$T/tty")"
# Each update goes back to the line's start and clears it.
grep -q "$(printf '\033')\[Kimport: " "$T/raw" || fail "not written over"

# An update file and a file of events: the same line, over their rows.
on_tty "$T/tty" "$CARTEL --db $T/t.db import csv $T/g.csv --update"
grep -q 'import: 400 of 400 rows (100%), done in ' "$T/tty" ||
	fail "import --update: $(cat "$T/tty")"
{
	echo "person_id,field,value,source,by"
	cut -d, -f1 "$T/g.csv" | sed 1d | head -50 |
		sed 's/$/,health,sick,icrc_visit,medic/'
} >"$T/ev.csv"
on_tty "$T/tty" "$CARTEL --db $T/t.db event import $T/ev.csv"
grep -q 'event import: 50 of 50 rows (100%), done in ' "$T/tty" ||
	fail "event import: $(cat "$T/tty")"
$CARTEL --db "$T/t.db" event import "$T/ev.csv" >"$T/out" 2>"$T/err" || true
grep -q "event import: \|$(printf '\033')" "$T/err" &&
	fail "event import wrote a progress line: $(cat "$T/err")"

# --quiet, after the command or before it: no line, the result as before.
$CARTEL --db "$T/q.db" init >/dev/null
on_tty "$T/tty" "$CARTEL --db $T/q.db import csv $T/g.csv --quiet"
grep -q 'import:' "$T/tty" && fail "--quiet showed: $(cat "$T/tty")"
grep -q '400 rows read, 400 imported' "$T/tty" || fail "$(cat "$T/tty")"
$CARTEL --db "$T/q2.db" init >/dev/null
on_tty "$T/tty" "$CARTEL --quiet --db $T/q2.db import csv $T/g.csv"
grep -q 'import:' "$T/tty" && fail "--quiet showed: $(cat "$T/tty")"

# Stdout on a terminal, stderr not: still nothing.
on_tty "$T/tty" "$CARTEL --db $T/t.db dedupe --register -o $T/d.csv 2>$T/err"
grep -q "dedupe: \|$(printf '\033')" "$T/err" &&
	fail "dedupe wrote a progress line to a non-terminal stderr"
grep -q "records in .* clusters" "$T/err" || fail "dedupe: $(cat "$T/err")"

# dedupe, link, the search index: the same line, their own unit.
on_tty "$T/tty" "$CARTEL --db $T/t.db dedupe --register -o $T/d.csv"
grep -q 'dedupe: 800 of 800 records (100%), done in ' "$T/tty" ||
	fail "dedupe: $(cat "$T/tty")"
head -201 "$T/g.csv" >"$T/a.csv"
on_tty "$T/tty" "$CARTEL link $T/a.csv $T/g.csv -o $T/l.csv"
grep -q 'link: 800 of 800 records (100%), done in ' "$T/tty" ||
	fail "link: $(cat "$T/tty")"
on_tty "$T/tty" "$CARTEL link $T/a.csv $T/g.csv -o $T/l.csv --quiet"
grep -q 'link:' "$T/tty" && fail "link --quiet: $(cat "$T/tty")"
on_tty "$T/tty" "$CARTEL --db $T/t.db search --rebuild-index"
grep -q 'search index: 1,200 of 1,200 records (100%), done in ' "$T/tty" ||
	fail "search index: $(cat "$T/tty")"
$CARTEL --db "$T/t.db" search --rebuild-index >"$T/out" 2>"$T/err"
grep -q 'search index:' "$T/err" && fail "search wrote a progress line"

# receive: the persons of a declaration.
$CARTEL --db "$T/ua.db" init --party UA >/dev/null
$CARTEL --db "$T/ua.db" import csv "$T/g.csv" >/dev/null
$CARTEL --db "$T/m.db" init --mediator "ICRC CTA" >/dev/null
mkdir "$T/k"
$CARTEL --db "$T/ua.db" key new --party UA -o "$T/k" >/dev/null
$CARTEL --db "$T/m.db" key import "$T/k/UA.pub" --party UA >/dev/null
$CARTEL --db "$T/ua.db" declare held -o "$T/h.json" --key "$T/k/UA.key" \
	--as-of 2026-06-30 >/dev/null
n=$(grep -c '"id":' "$T/h.json")
on_tty "$T/tty" "$CARTEL --db $T/m.db receive $T/h.json"
grep -q "receive: $n of $n persons (100%), done in " "$T/tty" ||
	fail "receive: $(cat "$T/tty")"

# --quiet takes the line away from each of them, and leaves what each
# prints on standard output as it was.
$CARTEL --db "$T/m2.db" init --mediator "ICRC CTA" >/dev/null
$CARTEL --db "$T/m2.db" key import "$T/k/UA.pub" --party UA >/dev/null
on_tty "$T/tty" "$CARTEL --db $T/m2.db receive $T/h.json --quiet"
grep -q 'receive:' "$T/tty" && fail "receive --quiet: $(cat "$T/tty")"
grep -q "$n" "$T/tty" || fail "receive --quiet said: $(cat "$T/tty")"
on_tty "$T/tty" "$CARTEL --db $T/t.db event import $T/ev.csv --quiet"
grep -q 'event import:' "$T/tty" && fail "event import --quiet: $(cat "$T/tty")"
grep -q '50 events recorded' "$T/tty" || fail "event import --quiet said: $(cat "$T/tty")"
on_tty "$T/tty" "$CARTEL --db $T/t.db dedupe --register -o $T/d.csv --quiet"
grep -q 'dedupe:' "$T/tty" && fail "dedupe --quiet: $(cat "$T/tty")"
grep -q "records in .* clusters" "$T/tty" || fail "dedupe --quiet said: $(cat "$T/tty")"
on_tty "$T/tty" "$CARTEL --db $T/t.db search --rebuild-index --quiet"
grep -q 'search index:' "$T/tty" && fail "search --quiet: $(cat "$T/tty")"
echo ok
