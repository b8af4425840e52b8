#!/bin/sh
# Files cannot be turned against the register: a symbolic link placed
# where cartel writes a file (a reject file beside a list, an export, a
# generated list, a key, the search index) is refused with a message, and
# the file it points at (a canary, the register itself) is left unchanged;
# the register and its audit chain hold.
set -eu
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
DB="$T/reg.db"
fail() { echo "FAIL: $*" >&2; exit 1; }
export CARTEL_NOW=2026-01-02T03:04:05Z
"$CARTEL" --db "$DB" init > /dev/null
printf 'a canary: nothing may write here\n' > "$T/canary"
cp "$T/canary" "$T/canary.orig"
cat > "$T/list.csv" <<'CSV'
id,family_name,given_name,birth_date,sex,held_by,status
RU-000001,Коваленко,Петро,1990-01-01,male,RU,confirmed_captive
RU-000002,Шевчук,Іван,1991-02-03,nonsense,RU,confirmed_captive
CSV
db_sum() { cksum < "$DB"; }

# The reject file beside the list is a link to the canary, then to the
# register: import refuses before it changes anything.
ln -s "$T/canary" "$T/list.csv.rejects.csv"
before=$(db_sum)
if "$CARTEL" --db "$DB" import csv "$T/list.csv" > "$T/o" 2> "$T/e"; then
	fail "import through a linked reject file succeeded"
fi
grep -q 'symbolic link' "$T/e" || fail "no word of the link: $(cat "$T/e")"
cmp "$T/canary" "$T/canary.orig" || fail "the canary was written"
[ -L "$T/list.csv.rejects.csv" ] || fail "the link was replaced"
[ "$(db_sum)" = "$before" ] || fail "the register changed"
rm "$T/list.csv.rejects.csv"
ln -s "$DB" "$T/list.csv.rejects.csv"
if "$CARTEL" --db "$DB" import csv "$T/list.csv" > /dev/null 2> "$T/e"; then
	fail "import through a link to the register succeeded"
fi
grep -q 'symbolic link' "$T/e"
"$CARTEL" --db "$DB" audit verify > /dev/null || fail "audit after link"
rm "$T/list.csv.rejects.csv"
# Without the link, the same import writes its reject file.
"$CARTEL" --db "$DB" import csv "$T/list.csv" > /dev/null 2>&1 || true
[ -f "$T/list.csv.rejects.csv" ] && [ ! -L "$T/list.csv.rejects.csv" ]
grep -q '^3,' "$T/list.csv.rejects.csv"
"$CARTEL" --db "$DB" audit verify > /dev/null

# An export, a generated list: refused, the canary unchanged, no
# temporary left behind.
ln -s "$T/canary" "$T/out.csv"
if "$CARTEL" --db "$DB" export csv -o "$T/out.csv" 2> "$T/e"; then
	fail "export through a link succeeded"
fi
grep -q 'symbolic link' "$T/e"
if "$CARTEL" generate --per-side 5 --seed 1 -o "$T/out.csv" 2> "$T/e"; then
	fail "generate through a link succeeded"
fi
grep -q 'symbolic link' "$T/e"
cmp "$T/canary" "$T/canary.orig"
[ -z "$(ls "$T" | grep tmp)" ] || fail "a temporary was left: $(ls "$T")"
# "-" is still the standard output, and a real file is replaced whole.
"$CARTEL" --db "$DB" export csv -o - | grep -q RU-000001
"$CARTEL" --db "$DB" export csv -o "$T/real.csv"
grep -q RU-000001 "$T/real.csv"

# Keys: a link named like the secret key is refused, never followed.
mkdir "$T/keys"
ln -s "$T/canary" "$T/keys/RU.key"
if "$CARTEL" --db "$DB" key new --party RU -o "$T/keys" > /dev/null 2> "$T/e"; then
	fail "key new through a link succeeded"
fi
cmp "$T/canary" "$T/canary.orig"
[ ! -e "$T/keys/RU.pub" ] || fail "half a key pair was left"

# The search index: a link in its place is not written through; the
# search still answers, from the register in memory, and says why.
ln -s "$T/canary" "$DB.search"
"$CARTEL" --db "$DB" search Коваленко Петро > "$T/s" 2> "$T/e"
grep -q 'RU-000001' "$T/s"
grep -q 'symbolic link' "$T/e"
cmp "$T/canary" "$T/canary.orig"
[ -L "$DB.search" ]
"$CARTEL" --db "$DB" audit verify > /dev/null

# Documents: a plan and a round document written to a link are refused;
# the round is not recorded in the register, the canary unchanged.
D="$TOP/tests/e2e/data"
R="$T/round.db"
"$CARTEL" --db "$R" init > /dev/null
"$CARTEL" --db "$R" import csv "$D/round_persons.csv" > /dev/null
ln -s "$T/canary" "$T/plan.json"
if "$CARTEL" --db "$R" plan --policy "$D/round_policy.yaml" \
	-o "$T/plan.json" > /dev/null 2> "$T/e"; then
	fail "plan -o through a link succeeded"
fi
grep -q 'symbolic link' "$T/e"
rm "$T/plan.json"
"$CARTEL" --db "$R" plan --policy "$D/round_policy.yaml" \
	-o "$T/plan.json" > /dev/null
ln -s "$R" "$T/round.json"
before=$(cksum < "$R")
if "$CARTEL" --db "$R" round new --plan "$T/plan.json" --id R-LINK \
	-o "$T/round.json" > /dev/null 2> "$T/e"; then
	fail "round new through a link to the register succeeded"
fi
grep -q 'symbolic link' "$T/e"
[ "$(cksum < "$R")" = "$before" ] || fail "the register changed"
cmp "$T/canary" "$T/canary.orig"
"$CARTEL" --db "$R" audit verify > /dev/null
echo ok
