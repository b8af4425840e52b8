#!/bin/sh
# Three registers (UA, RU and the mediator), each on its own: whose
# register each is, declarations sent both ways and received, a
# superseding declaration that adds, drops and changes persons, and every
# bad declaration refused with its reason and the register left as it was.
# `audit verify` holds in all three at the end.
set -eu
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
UA="$CARTEL --db $T/ua.db"
RU="$CARTEL --db $T/ru.db"
M="$CARTEL --db $T/med.db"
fail() { echo "FAIL: $*" >&2; exit 1; }
q() { sqlite3 "$1" "$2"; }

# -- Whose register this is.
$UA init --party UA | grep -q "Owner: party UA" || fail "init --party"
$RU init --party RU >/dev/null
$M init --mediator "ICRC CTA" >/dev/null
$UA owner | grep -q "^Owner: party UA$" || fail "owner show"
$M owner --json | grep -q '"role": "mediator"' || fail "owner --json"
if $UA owner set --party RU 2>"$T/err"; then fail "owner set twice"; fi
grep -q "already belongs to party UA" "$T/err" || fail "owner: $(cat "$T/err")"
if $UA init --party RU 2>"$T/err"; then fail "init with another owner"; fi
$UA init --party UA >/dev/null || fail "init with the same owner again"
$CARTEL --db "$T/plain.db" init >/dev/null
$CARTEL --db "$T/plain.db" owner | grep -q "none" || fail "no owner"
$CARTEL --db "$T/plain.db" owner set --mediator "Swiss FDFA" >/dev/null
$CARTEL --db "$T/plain.db" owner | grep -q "mediator Swiss FDFA" ||
	fail "owner set on an existing register"
$M stats | grep -q "^Owner: mediator ICRC CTA" || fail "stats text: owner"
$M stats --json | grep -q '"name": "ICRC CTA"' || fail "stats json: owner"
$CARTEL --db "$T/x.db" init --mediator 'bad;name' 2>/dev/null &&
	fail "a mediator name with ';'"

# -- Each party's register knows both sides' persons as it has them.
$CARTEL generate --per-side 1000 --seed 7 --today 2026-06-30 -o "$T/g.csv"
$UA import csv "$T/g.csv" >/dev/null
$RU import csv "$T/g.csv" >/dev/null
mkdir "$T/k"
$UA key new --party UA -o "$T/k" >/dev/null
$RU key new --party RU -o "$T/k" >/dev/null
for r in "$M" "$RU"; do $r key import "$T/k/UA.pub" --party UA >/dev/null; done
for r in "$M" "$UA"; do $r key import "$T/k/RU.pub" --party RU >/dev/null; done

# -- Declarations.
$UA declare held -o "$T/ua-held-1.json" --key "$T/k/UA.key" \
	--as-of 2026-06-30 >"$T/out" || fail "declare held: $(cat "$T/out")"
grep -q "held declaration number 1" "$T/out" || fail "sequence 1"
want=$(q "$T/ua.db" "SELECT count(*) FROM persons WHERE held_by = 'UA'
	AND status IN ('confirmed_captive', 'proposed', 'agreed')")
got=$(grep -c '"id":' "$T/ua-held-1.json")
[ "$got" -eq "$want" ] || fail "held: $got persons, the register holds $want"
grep -q "$want persons" "$T/out" || fail "declare: count"
# Only the chosen fields: never health, notes, legal hold.
grep -q '"health"\|"notes"\|"legal_hold"\|"held_by"' "$T/ua-held-1.json" &&
	fail "a declaration carries a field nobody chose"
grep -q '"service_number"' "$T/ua-held-1.json" || fail "default fields"
grep -q '"format": "cartel-declaration/1"' "$T/ua-held-1.json" ||
	fail "format"
$UA declare sought -o "$T/ua-sought-1.json" --key "$T/k/UA.key" >/dev/null
want=$(q "$T/ua.db" "SELECT count(*) FROM persons WHERE depends_on = 'UA'
	AND (status = 'reported_missing' OR (held_by = 'RU' AND status IN
	('confirmed_captive', 'proposed', 'agreed')))")
got=$(grep -c '"id":' "$T/ua-sought-1.json")
[ "$got" -eq "$want" ] || fail "sought: $got persons, want $want"
$RU declare held -o "$T/ru-held-1.json" --key "$T/k/RU.key" >/dev/null
$RU declare sought -o "$T/ru-sought-1.json" --key "$T/k/RU.key" >/dev/null
# Declaring where it makes no sense.
if $M declare held -o "$T/no.json" --key "$T/k/UA.key" 2>"$T/err"; then
	fail "the mediator declared"
fi
grep -q "party's own register" "$T/err" || fail "mediator: $(cat "$T/err")"
if $UA declare held -o "$T/no.json" --key "$T/k/RU.key" 2>"$T/err"; then
	fail "UA declared with RU's key"
fi
grep -q "the key is RU's, but this register is UA's" "$T/err" ||
	fail "wrong key: $(cat "$T/err")"
[ -e "$T/no.json" ] && fail "a refused declaration left a file"

# -- Receiving, both ways.
$M receive "$T/ua-held-1.json" >"$T/out" || fail "receive: $(cat "$T/out")"
n=$(grep -c '"id":' "$T/ua-held-1.json")
grep -q "added $n, dropped 0" "$T/out" || fail "receive: $(head -3 "$T/out")"
$M receive "$T/ua-sought-1.json" >/dev/null
$M receive "$T/ru-held-1.json" >/dev/null
$M receive "$T/ru-sought-1.json" >/dev/null
$RU receive "$T/ua-held-1.json" >/dev/null || fail "RU receives UA's list"
$UA receive "$T/ru-held-1.json" >/dev/null || fail "UA receives RU's list"
got=$(q "$T/med.db" "SELECT count(*) FROM declared_person WHERE party = 'UA'
	AND kind = 'held' AND status = 'declared'")
[ "$got" -eq "$n" ] || fail "mediator: $got declared by UA, want $n"
# The sender's own id is kept.
first=$(sed -n 's/.*"id": "\(.*\)".*/\1/p' "$T/ua-held-1.json" | head -1)
[ "$(q "$T/med.db" "SELECT first_digest FROM declared_person WHERE
	their_id = '$first' AND kind = 'held'")" = \
  "$(sed -n 's/^ "digest": "\(.*\)".*/\1/p' "$T/ua-held-1.json")" ] ||
	fail "the declared person does not name its declaration"
if $UA receive "$T/ua-held-1.json" 2>"$T/err"; then
	fail "UA received its own declaration"
fi
grep -q "own declaration" "$T/err" || fail "own: $(cat "$T/err")"

# A register as it stands: its audit head and its declared persons.
state() {
	echo "$($CARTEL --db "$1" audit verify | sed -n 's/^head //p')" \
		"$(q "$1" "SELECT count(*), group_concat(status) FROM
		declared_person")"
}
# refused FILE REASON [DB]: receive refuses FILE naming REASON, and the
# register is as it was.
refused() {
	db=${3:-$T/med.db}
	before=$(state "$db")
	if $CARTEL --db "$db" receive "$1" >"$T/out" 2>"$T/err"; then
		fail "received $1"
	fi
	grep -qF -- "$2" "$T/err" || fail "$1: no '$2' in: $(cat "$T/err")"
	[ "$(state "$db")" = "$before" ] || fail "$1 changed the register"
}

# -- Bad declarations.
refused "$T/ua-held-1.json" "received already"
# Unpinned key: a register that never pinned UA's.
$CARTEL --db "$T/m2.db" init --mediator Other >/dev/null
refused "$T/ua-held-1.json" "no key is pinned for UA" "$T/m2.db"
# Another key claiming to be UA's: a register of its own with a key of its
# own, declaring as UA.
mkdir "$T/rogue"
R="$CARTEL --db $T/rogue.db"
$R init --party UA >/dev/null
$R import csv "$T/g.csv" >/dev/null
$R key new --party UA -o "$T/rogue" >/dev/null
$R declare held -o "$T/rogue-held.json" --key "$T/rogue/UA.key" >/dev/null
pinned=$(sed -n 's/.*"fingerprint": "\(.*\)".*/\1/p' "$T/k/UA.pub")
refused "$T/rogue-held.json" "but the key pinned for UA is $pinned"
# The wrong party's key: RU's key pair relabelled as UA's signs a
# declaration of UA.
mkdir "$T/wrong"
sed 's/"party": "RU"/"party": "UA"/' "$T/k/RU.key" >"$T/wrong/UA.key"
sed 's/"party": "RU"/"party": "UA"/' "$T/k/RU.pub" >"$T/wrong/UA.pub"
chmod 600 "$T/wrong/UA.key"
W="$CARTEL --db $T/wrong.db"
$W init --party UA >/dev/null
$W import csv "$T/g.csv" >/dev/null
$W key import "$T/wrong/UA.pub" --party UA >/dev/null
$W declare held -o "$T/wrong-held.json" --key "$T/wrong/UA.key" >/dev/null
rufp=$(sed -n 's/.*"fingerprint": "\(.*\)".*/\1/p' "$T/k/RU.pub")
refused "$T/wrong-held.json" "made with key $rufp, but the key pinned for UA"
# A signature filed under the other party's name.
sed 's/^  "UA": {$/  "RU": {/' "$T/ua-held-1.json" >"$T/relabel.json"
grep -q '"RU": {' "$T/relabel.json" || fail "relabel: no change made"
refused "$T/relabel.json" "declares party UA but is signed by RU"
# Truncated.
head -c 20000 "$T/ru-sought-1.json" >"$T/cut.json"
refused "$T/cut.json" "not whole JSON"
# A person twice.
python3 - "$T/ru-sought-1.json" "$T/twice.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
d["persons"].append(d["persons"][0])
json.dump(d, open(sys.argv[2], "w"))
EOF
refused "$T/twice.json" "is listed twice"
# A field the declaration does not list, added by hand.
python3 - "$T/ru-sought-1.json" "$T/extra.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
d["persons"][1]["notes"] = "added by hand"
json.dump(d, open(sys.argv[2], "w"))
EOF
refused "$T/extra.json" "carries field 'notes'"
# A field the receiver did not ask for, declared and signed properly.
$RU declare sought -o "$T/ru-sought-health.json" --key "$T/k/RU.key" \
	--fields family_name,given_name,health >/dev/null
refused "$T/ru-sought-health.json" "field 'health' was not asked for"
# ... which the receiver may accept on purpose.
$CARTEL --db "$T/m2.db" key import "$T/k/RU.pub" --party RU >/dev/null
$CARTEL --db "$T/m2.db" receive "$T/ru-sought-health.json" \
	--fields family_name,given_name,health >/dev/null ||
	fail "a field asked for was refused"
# A field changed after signing.
sed '0,/"rank": "[^"]*"/s//"rank": "general"/' "$T/ru-held-1.json" \
	>"$T/edited.json"
cmp -s "$T/edited.json" "$T/ru-held-1.json" && fail "edit: no change made"
# (a first declaration of its kind is not received yet at m2)
refused "$T/edited.json" "does not match its manifest digest" "$T/m2.db"
# The digest changed by hand, everything else as signed: the manifest
# holds, the digest recomputed from the canonical form does not.
python3 - "$T/ru-held-1.json" "$T/redigest.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
d["digest"] = "sha256:" + ("0" * 64 if d["digest"][7] != "0" else "1" * 64)
json.dump(d, open(sys.argv[2], "w"))
EOF
refused "$T/redigest.json" "field 'digest' does not hold" "$T/m2.db"
grep -q "does not match its manifest" "$T/err" &&
	fail "a changed digest was reported as a changed field"
# 1 GB.
truncate -s 1G "$T/big.json"
refused "$T/big.json" "larger than a declaration may be"

# -- A superseding declaration: one whose detaining power is no longer
# known (dropped), one promoted (changed), one new captive (added).
gone=$(q "$T/ua.db" "SELECT id FROM persons WHERE held_by = 'UA' AND status =
	'confirmed_captive' ORDER BY id LIMIT 1")
changed=$(q "$T/ua.db" "SELECT id FROM persons WHERE held_by = 'UA' AND
	status = 'confirmed_captive' ORDER BY id LIMIT 1 OFFSET 1")
$UA event add "$gone" held_by "" --by clerk --source official_list \
	>/dev/null
$UA event add "$changed" rank "молодший сержант" --by clerk \
	--source capture_card >/dev/null
$UA person add id=UA-NEW-1 family_name=Новий given_name=Іван held_by=UA \
	depends_on=RU status=confirmed_captive --by clerk \
	--source capture_card >/dev/null
# Number 2 goes astray; number 3 supersedes number 1.
$UA declare held -o "$T/ua-held-2.json" --key "$T/k/UA.key" >/dev/null
$UA declare held -o "$T/ua-held-3.json" --key "$T/k/UA.key" >"$T/out"
grep -q "number 3" "$T/out" || fail "sequence 3: $(cat "$T/out")"
$M receive "$T/ua-held-3.json" >"$T/out" || fail "supersede: $(cat "$T/out")"
grep -q "added 1, dropped 1, changed 1, returned 0" "$T/out" ||
	fail "the difference: $(head -3 "$T/out")"
grep -q "supersedes sha256:" "$T/out" || fail "no superseded digest"
grep -q "^  added    UA-NEW-1$" "$T/out" || fail "added id"
grep -q "^  dropped  $gone$" "$T/out" || fail "dropped id"
grep -q "^  changed  $changed$" "$T/out" || fail "changed id"
d3=$(sed -n 's/^ "digest": "\(.*\)".*/\1/p' "$T/ua-held-3.json")
[ "$(q "$T/med.db" "SELECT status || ' ' || last_digest FROM declared_person
	WHERE their_id = '$gone' AND kind = 'held'")" = \
  "no_longer_declared $d3" ] || fail "dropped: not marked with its digest"
[ "$(q "$T/med.db" "SELECT change FROM declared_change WHERE
	their_id = '$changed' AND digest = '$d3'")" = changed ] ||
	fail "the change is not recorded"
q "$T/med.db" "SELECT new_fields FROM declared_change WHERE
	their_id = '$changed'" | grep -q "молодший сержант" ||
	fail "the changed field is not recorded"
# The older one, received late, is refused; so is the same kind replayed.
refused "$T/ua-held-2.json" "number 2, but number 3 was received already"
refused "$T/ua-held-3.json" "received already"
# RU receives the same in --json, built by the library.
$RU receive "$T/ua-held-3.json" --json >"$T/diff.json"
python3 - "$T/diff.json" "$gone" "$changed" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["added"] == 1 and d["dropped"] == 1 and d["changed"] == 1, d
by = {c["id"]: c for c in d["changes"]}
assert by["UA-NEW-1"]["change"] == "added"
assert by[sys.argv[2]]["change"] == "dropped" and by[sys.argv[2]]["new"] is None
assert by[sys.argv[3]]["fields"] == ["rank"], by[sys.argv[3]]
assert by[sys.argv[3]]["new"]["rank"] == "молодший сержант"
EOF
# The dropped man returns in a later declaration.
$UA event add "$gone" held_by UA --by clerk --source official_list >/dev/null
$UA declare held -o "$T/ua-held-4.json" --key "$T/k/UA.key" >/dev/null
$M receive "$T/ua-held-4.json" >"$T/out"
grep -q "added 0, dropped 0, changed 0, returned 1" "$T/out" ||
	fail "a returned person: $(head -3 "$T/out")"
[ "$(q "$T/med.db" "SELECT status FROM declared_person WHERE
	their_id = '$gone' AND kind = 'held'")" = declared ] ||
	fail "returned: still marked no longer declared"

for db in ua ru med m2; do
	$CARTEL --db "$T/$db.db" audit verify >/dev/null ||
		fail "audit verify in $db"
done
echo "ok"
