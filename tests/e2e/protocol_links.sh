#!/bin/sh
# Identity links between separate registers: RU's register links UA's held
# declaration (RU's own soldiers, named by UA's ids) with its own records
# (other ids, some written differently); sure pairs are linked, a probable
# one goes to the review queue and is decided there, one man nobody
# matches is listed with his nearest candidates; a person confirms and
# revokes links, and links by hand; the lookups the handover uses follow;
# at the mediator, UA's sought declaration is linked with RU's held one.
# Every link is under the audit chain: changed, added or deleted with the
# sqlite3 shell, `audit verify` fails and the link is not used.
set -eu
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
UA="$CARTEL --db $T/ua.db"
RU="$CARTEL --db $T/ru.db"
M="$CARTEL --db $T/med.db"

$CARTEL generate --per-side 300 --seed 7 --today 2026-06-30 -o "$T/g.csv"
# RU's register has the same men under its own ids (RZ-: held by UA, RQ-:
# held by RU), one written with another given name and birth date, one
# entered so differently that nobody can say he is the same man.
awk -F, 'BEGIN { OFS = "," }
	NR > 1 { sub(/^UA-/, "RZ-"); sub(/^RU-/, "RQ-") }
	NR > 1 && $1 == "RZ-000004" { $2 = "Коваленко"; $3 = "Петро";
		$4 = "Іванович"; $5 = "1990-01-01"; $9 = "" }
	NR > 1 && $1 == "RZ-000005" { $3 = "Олег"; $5 = "1982-06-18"; $9 = "" }
	{ print }' "$T/g.csv" >"$T/ru.csv"
$UA init --party UA >/dev/null
$RU init --party RU >/dev/null
$M init --mediator CTA >/dev/null
$UA import csv "$T/g.csv" >/dev/null
$RU import csv "$T/ru.csv" >/dev/null
mkdir "$T/k"
$UA key new --party UA -o "$T/k" >/dev/null
$RU key new --party RU -o "$T/k" >/dev/null
for r in "$M" "$RU"; do $r key import "$T/k/UA.pub" --party UA >/dev/null; done
$M key import "$T/k/RU.pub" --party RU >/dev/null
$UA declare held -o "$T/ua-held.json" --key "$T/k/UA.key" >/dev/null
$UA declare sought -o "$T/ua-sought.json" --key "$T/k/UA.key" >/dev/null
$RU declare held -o "$T/ru-held.json" --key "$T/k/RU.key" >/dev/null

# -- Linking before anything was received, or the wrong way round.
if $RU links make UA:held register 2>"$T/err"; then fail "linked nothing"; fi
grep -q "no held declaration of UA was received" "$T/err" ||
	fail "not received: $(cat "$T/err")"
if $RU links make RU:held register 2>"$T/err"; then fail "own party"; fi
grep -q "this is RU's register" "$T/err" || fail "own: $(cat "$T/err")"
if $RU links make register UA:held 2>"$T/err"; then fail "register first"; fi

# -- RU links UA's held declaration with its own register.
$RU receive "$T/ua-held.json" >/dev/null
n=$(grep -c '"id":' "$T/ua-held.json")
$RU links make UA:held register --by "RU bureau" >"$T/out" ||
	fail "links make: $(cat "$T/out")"
grep -q "^linked UA:held ($n persons) with register (600): $((n - 2)) linked, 1 for review, 1 unmatched, 0 kept" \
	"$T/out" || fail "make: $(head -1 "$T/out")"
grep -q "review    UA-000005 -> RZ-000005" "$T/out" || fail "review row"
grep -q "unmatched UA-000004" "$T/out" || fail "unmatched row"
[ "$($RU links list | grep -c ' linked ')" -eq $((n - 2)) ] ||
	fail "list: linked count"
$RU links list | grep -q "^UA:UA-000001 -> RZ-000001  linked" ||
	fail "a sure pair is not linked to RU's own id"
$RU --json links make UA:held register >"$T/j" || fail "make again"
grep -q '"kept": '"$((n - 1))" "$T/j" || fail "a second make keeps: $(head -9 "$T/j")"
grep -q '"linked": 0' "$T/j" || fail "a second make made links again"

# -- The probable pair is in the review queue; confirming there confirms
# the link.
$RU review list >"$T/rl"
grep -q "^link:UA:UA-000005 RZ-000005 .* pending" "$T/rl" ||
	fail "the probable link is not in the review queue"
# Under it, how the two agree in words: RZ-000005 has another given name.
grep -A1 "^link:UA:UA-000005 " "$T/rl" |
	grep -q "^      found by surname.*; the given name differs: " ||
	fail "the link is not said in words: $(cat "$T/rl")"
$RU review confirm link:UA:UA-000005 RZ-000005 --by "clerk A" \
	--why "same unit and capture date" >/dev/null
$RU links list | grep -q "^UA:UA-000005 -> RZ-000005  confirmed .* by clerk A" ||
	fail "review confirm did not confirm the link"
$RU review list | grep -q "link:" && fail "a decided link stays in the queue"

# -- A person revokes a link; the engine does not make it again; a person
# links by hand.
$RU links revoke UA:UA-000001 RZ-000001 --by "clerk B" --why "brothers" \
	>/dev/null
$RU links list | grep -q "^UA:UA-000001 -> RZ-000001  revoked" ||
	fail "revoke"
$RU links make UA:held register >"$T/out"
grep -q "unmatched UA-000001 .*nearest: RZ-000001" "$T/out" ||
	fail "a revoked pair was made again: $(grep UA-000001 "$T/out")"
if $RU links confirm UA:UA-000004 RZ-000002 --by x 2>"$T/err"; then
	fail "a second active link of RZ-000002"
fi
grep -q "revoke that link first" "$T/err" || fail "two links: $(cat "$T/err")"
$RU links confirm UA:UA-000004 RZ-000004 --by "clerk B" >/dev/null ||
	fail "link by hand"
if $RU links revoke UA:UA-000004 RZ-000004 --by x 2>/dev/null; then
	fail "revoke without a reason"
fi
if $RU links confirm UA:UA-999999 RZ-000004 --by x 2>"$T/err"; then
	fail "a link to a person nobody declared"
fi

# -- The lookups: what the handover translates ids with (links list
# --json is the library's own form).
$RU --json links list --party UA >"$T/l.json"
grep -q '"their_id": "UA-000004"' "$T/l.json" || fail "list --json"
grep -q '"state": "revoked"' "$T/l.json" || fail "list --json: states"

# -- At the mediator: UA's sought against RU's held.
$M receive "$T/ua-sought.json" >/dev/null
$M receive "$T/ru-held.json" >/dev/null
$M links make UA:sought RU:held >"$T/out" || fail "mediator: $(cat "$T/out")"
held_n=$(grep -c '"id":' "$T/ru-held.json")
grep -q "with RU:held ($held_n): $held_n linked" "$T/out" ||
	fail "mediator: $(head -1 "$T/out")"
$M links list | grep -q "^UA:RU-000001 -> RU:RQ-000001  linked" ||
	fail "mediator: UA's id not linked with RU's"
$M links revoke UA:RU-000001 RU:RQ-000001 --by m --why test >/dev/null ||
	fail "mediator revoke by PARTY:ID"
if $M links make UA:sought UA:held 2>/dev/null; then fail "same party"; fi

for db in ua ru med; do
	$CARTEL --db "$T/$db.db" audit verify >/dev/null || fail "audit $db"
done

# -- Tampering: each link is a row of the ledger.
tampered() {
	rm -f "$T/t.db" "$T/t.db-wal" "$T/t.db-shm"
	cp "$T/ru.db" "$T/t.db"
	sqlite3 "$T/t.db" "$1" || fail "sql: $1"
	if $CARTEL --db "$T/t.db" audit verify >"$T/out" 2>"$T/err"; then
		fail "verified after: $1"
	fi
	grep -qF "identity_link row" "$T/err" || fail "no row named: $(cat "$T/err")"
	grep -qF "$2" "$T/err" || fail "no '$2' in: $(cat "$T/err")"
}
tampered "UPDATE identity_link SET our_id = 'RZ-000003' WHERE
	their_id = 'UA-000002'" "does not hold"
tampered "UPDATE identity_link SET state = 'confirmed' WHERE
	their_id = 'UA-000001'" "changed behind"
tampered "DELETE FROM identity_link WHERE their_id = 'UA-000002'" \
	"deleted behind"
# And the link is not used: a revoked link set back to linked by hand.
cp "$T/ru.db" "$T/t.db"
sqlite3 "$T/t.db" "UPDATE identity_link SET state = 'linked' WHERE
	their_id = 'UA-000001'"
if $CARTEL --db "$T/t.db" links list >/dev/null 2>"$T/err"; then
	fail "a tampered link was listed"
fi
grep -q "cannot be trusted" "$T/err" || fail "tampered: $(cat "$T/err")"
echo "ok"
