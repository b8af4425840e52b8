# The register by hand: init, person add/show/list, event add with the
# lifecycle enforced, stats, exports, exit codes.
set -u
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
export CARTEL_DB="$WORK/r.db" CARTEL_TODAY=2025-06-15
fail() { echo "FAIL: $*"; exit 1; }
# run CODE CMD...: runs CMD, output in $WORK/out, and checks its exit code.
run() {
	want=$1; shift
	"$@" >"$WORK/out" 2>&1; got=$?
	[ "$got" = "$want" ] || { cat "$WORK/out"; fail "exit $got, not $want: $*"; }
}
expect() { grep -qF -- "$1" "$WORK/out" || { cat "$WORK/out"; fail "no '$1'"; }; }

run 1 "$CARTEL" stats
expect "cartel init"
run 0 "$CARTEL" init
expect "created the register"
run 0 "$CARTEL" init
expect "already holds a register"

run 0 "$CARTEL" person add id=UA-1 family_name=Melnyk given_name=Ivan \
	birth_date=1990-04 held_by=RU captured_on=2024-01-10 health=good \
	category=military tattoo=anchor --by clerk --source capture_card
expect "UA-1"
run 0 "$CARTEL" person add held_by=RU --by clerk --source official_list
ID2=$(cat "$WORK/out")
[ -n "$ID2" ] || fail "no id assigned"
run 1 "$CARTEL" person add id=UA-1 --by clerk --source official_list
expect "already in the register"
run 1 "$CARTEL" person add birth_date=2030 --by clerk --source official_list
expect "future"
run 2 "$CARTEL" person add family_name=X
expect "--by"
run 2 "$CARTEL" person add sex=maybe --by c --source official_list
expect "sex"

run 0 "$CARTEL" event add UA-1 health seriously_wounded --by medic \
	--source icrc_visit --note "visit 12"
run 0 "$CARTEL" event add UA-1 direct_repatriation yes --by board \
	--source official_list
run 0 "$CARTEL" event add UA-1 status proposed --by desk --source official_list
run 1 "$CARTEL" event add UA-1 status repatriated --by desk --source official_list
expect "cannot move from proposed to repatriated"
run 0 "$CARTEL" event add UA-1 status agreed --by desk --source official_list
run 0 "$CARTEL" event add UA-1 status repatriated --by desk --source official_list
run 1 "$CARTEL" event add UA-1 status confirmed_captive --by desk \
	--source official_list
expect "cannot move from repatriated to confirmed_captive"
run 1 "$CARTEL" event add UA-1 captured_on 2023-02-30 --by desk \
	--source official_list
expect "no day 30"
run 1 "$CARTEL" event add NOPE health good --by d --source official_list
expect "no person with id NOPE"
run 2 "$CARTEL" event add UA-1 health good
run 2 "$CARTEL" event add UA-1 health good --by d --source rumour

run 0 "$CARTEL" person show UA-1
expect "status               repatriated"
expect "tattoo               anchor (extra)"
expect "health 'good' -> 'seriously_wounded'"
expect "note: visit 12"
run 0 "$CARTEL" --json person show UA-1
expect '"field": "status"'
run 1 "$CARTEL" person show NOPE

run 0 "$CARTEL" person list
expect "(2 persons)"
run 0 "$CARTEL" person list --status repatriated --json
expect '"id":"UA-1"'
grep -q "$ID2" "$WORK/out" && fail "filter let $ID2 through"

run 0 "$CARTEL" stats
expect "HELD NOW                                1"
expect "    repatriated                           1"
grep -q "Melnyk" "$WORK/out" && fail "stats print a name"
run 0 "$CARTEL" stats --json
expect '"held": 1'
run 0 "$CARTEL" export json -o "$WORK/all.json"
grep -q '"tattoo":"anchor"' "$WORK/all.json" || fail "json export lacks extras"
run 0 "$CARTEL" audit verify
# The export's record in the transfer log is the eighth entry.
expect "the audit chain holds: 8 entries, 7 events, 2 persons, 1 other rows"
run 2 "$CARTEL" export xml
run 2 "$CARTEL" person frob
run 0 "$CARTEL" help event
expect "attr:NAME"
run 0 "$CARTEL" --help
expect "audit"
echo ok
