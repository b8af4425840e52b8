#!/bin/sh
# The search index survives changes that cannot change what a search
# finds (a note, a status, a holder: what a server's clerks write all day),
# answering exactly as the register loaded whole does, with the record as
# it is now; a change to a name, a birth date or a correction rebuilds it.
set -eu
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
DB="$T/reg.db"
C="$CARTEL --db $DB"
$C init > /dev/null
"$CARTEL" generate --per-side 300 --seed 9 --today 2025-06-30 \
	-o "$T/gen.csv" 2> /dev/null
$C import csv "$T/gen.csv" > /dev/null
ID=$(sed -n 2p "$T/gen.csv" | cut -d, -f1)
set -- $(sed -n 2p "$T/gen.csv" | cut -d, -f2,3 | tr , ' ')
$C search "$@" > /dev/null 2> "$T/e0"
grep -q 'building the search index' "$T/e0"

# A note and a date of capture: no rebuild, the same answer as without
# the index, and the hit shows the record as it is now.
$C event add "$ID" notes "letter received" --by clerk \
	--source icrc_visit > /dev/null
$C event add "$ID" held_since 2025-01-02 --by clerk \
	--source icrc_visit > /dev/null
$C search --json "$@" > "$T/a1" 2> "$T/e1"
[ ! -s "$T/e1" ] || { cat "$T/e1"; exit 1; }
$C search --json --no-index "$@" > "$T/a2"
cmp "$T/a1" "$T/a2"
grep -q '"held_since": "2025-01-02"' "$T/a1"

# A new family name: rebuilt, and found under it.
$C event add "$ID" family_name Qwertyuk --by clerk \
	--source icrc_visit > /dev/null
$C search --json Qwertyuk "$2" > "$T/b1" 2> "$T/e2"
grep -q 'out of date' "$T/e2"
grep -q "\"id\": \"$ID\"" "$T/b1"

# A correction of that name: rebuilt again, found under the old one.
SEQ=$($C person show --json "$ID" | jq '[.events[] | select(.field == "family_name")] | last | .seq')
$C event correct "$SEQ" --by clerk --reason "typed on the wrong card" \
	--source icrc_visit > /dev/null
$C search --json "$@" > "$T/c1" 2> "$T/e3"
grep -q 'out of date' "$T/e3"
$C search --json --no-index "$@" > "$T/c2"
cmp "$T/c1" "$T/c2"
