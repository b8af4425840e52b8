# Party codes are checked against the parties the register knows once it
# has a list of them (party add): the parties added, its owner, the parties
# whose keys are pinned, and those its persons are already held by or
# depend on (docs/limits.md). A code it does not know is refused at every
# entry (import, person add, event add, a plan's policy); the message names
# the row and the column and never quotes the value. A register without a
# list takes any well-formed code, as before; free text never.
set -u
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
export CARTEL_DB="$WORK/r.db" CARTEL_TODAY=2025-06-15
fail() { echo "FAIL: $*"; exit 1; }
run() {
	want=$1; shift
	"$@" >"$WORK/out" 2>&1; got=$?
	[ "$got" = "$want" ] || { cat "$WORK/out"; fail "exit $got, not $want: $*"; }
}
expect() { grep -qF -- "$1" "${2:-$WORK/out}" || { cat "${2:-$WORK/out}"; fail "no '$1'"; }; }
DATA=$TOP/tests/e2e/data
count() { "$CARTEL" person list | tail -1; }

printf 'id,family_name,held_by,depends_on,status\n' >"$WORK/a.csv"
printf 'A1,Melnyk,RU,UA,captive\n' >>"$WORK/a.csv"
printf 'A2,Boyko,UA,RU,captive\n' >>"$WORK/a.csv"
# A mistyped code (UK for UA), free text, an unknown depends_on.
printf 'id,family_name,held_by,depends_on,status\n' >"$WORK/b.csv"
printf 'B1,Koval,UK,UA,captive\n' >>"$WORK/b.csv"
printf 'B2,Savchuk,Camp Olenivka,UA,captive\n' >>"$WORK/b.csv"
printf 'B3,Rudenko,RU,XZ,captive\n' >>"$WORK/b.csv"
printf 'B4,Moroz,RU,UA,captive\n' >>"$WORK/b.csv"

# Without a list: any well-formed code, free text never.
run 0 "$CARTEL" --db "$WORK/open.db" init
run 1 "$CARTEL" --db "$WORK/open.db" import csv "$WORK/b.csv" --rejects "$WORK/open.rej"
expect "4 rows read, 3 imported, 1 rejected"
expect "3,held_by,\"a party is a code of 2 to 8 capital letters" "$WORK/open.rej"

# With a list: UA and RU added, both audited.
run 0 "$CARTEL" init
run 0 "$CARTEL" party add UA --by desk
expect "UA is now on the register's list of parties"
run 0 "$CARTEL" party add RU --by desk
run 0 "$CARTEL" party add RU --by desk
expect "was known already"
run 1 "$CARTEL" party add "Camp 4" --by desk
expect "a party is a code"
run 0 "$CARTEL" import csv "$WORK/a.csv"
expect "2 imported"
run 1 "$CARTEL" import csv "$WORK/b.csv" --rejects "$WORK/b.rej"
expect "4 rows read, 1 imported, 3 rejected"
expect "2,held_by,\"held_by names a party this register does not know" "$WORK/b.rej"
expect "3,held_by,\"a party is a code of 2 to 8 capital letters" "$WORK/b.rej"
expect "4,depends_on,\"depends_on names a party this register does not know" "$WORK/b.rej"
grep -q -e UK -e Olenivka -e XZ "$WORK/b.rej" && fail "a value was quoted"

# person add and event add hold the same rule; the register is unchanged.
run 1 "$CARTEL" person add id=C1 held_by=UK --by desk --source official_list
expect "held_by: the code names a party this register does not know"
run 1 "$CARTEL" event add A1 held_by UK --by desk --source official_list
expect "held_by: the code names a party this register does not know"
run 0 "$CARTEL" person show A1
expect "RU"
[ "$(count)" = "(3 persons)" ] || fail "the register changed: $(count)"

# A plan whose policy names a party the register does not know is refused.
sed 's/^parties: .*/parties: [UA, UK]/' "$DATA/round_policy.yaml" >"$WORK/p.yaml"
run 1 "$CARTEL" plan --policy "$WORK/p.yaml"
expect "the policy's party number 2: the code names a party this register does not know"
sed 's/^parties: .*/parties: [UA, RU]/' "$DATA/round_policy.yaml" >"$WORK/p.yaml"
run 0 "$CARTEL" plan --policy "$WORK/p.yaml"

# A party added (one persons are transferred to), a pinned key and the
# owner are known.
run 1 "$CARTEL" event add A2 held_by BY --by desk --source official_list
run 0 "$CARTEL" party add BY --by desk
run 0 "$CARTEL" event add A2 held_by BY --by desk --source official_list
mkdir "$WORK/k"
run 0 "$CARTEL" key new --party TR -o "$WORK/k"
run 0 "$CARTEL" event add A1 held_by TR --by desk --source official_list
run 0 "$CARTEL" person add id=C2 held_by=TR --by desk --source official_list
run 1 "$CARTEL" event add A2 depends_on GE --by desk --source official_list
run 0 "$CARTEL" init --party GE --by desk
run 0 "$CARTEL" event add A2 depends_on GE --by desk --source official_list
run 0 "$CARTEL" audit verify
n=$(sqlite3 "$CARTEL_DB" "SELECT count(*) FROM audit WHERE action = 'party.add'")
[ "$n" = 3 ] || fail "$n party.add entries in the audit, not 3 (UA, RU, BY)"
