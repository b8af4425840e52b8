#!/bin/sh
# The tables of the three-register protocol are covered by the audit
# chain: the owner, the declarations made, the declarations received, the
# declared persons and their recorded changes, each changed, added or
# deleted with the sqlite3 shell, make `audit verify` fail naming the table
# and the row; and the commands that rely on one refuse it.
set -eu
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
UA="$CARTEL --db $T/ua.db"
M="$CARTEL --db $T/med.db"

$UA init --party UA >/dev/null
$M init --mediator CTA >/dev/null
$CARTEL generate --per-side 60 --seed 3 --today 2026-06-30 -o "$T/g.csv"
$UA import csv "$T/g.csv" >/dev/null
$UA key new --party UA -o "$T" >/dev/null
$M key import "$T/UA.pub" --party UA >/dev/null
$UA declare held -o "$T/h1.json" --key "$T/UA.key" >/dev/null
ID=$(sqlite3 "$T/ua.db" "SELECT id FROM persons WHERE held_by = 'UA' AND
	status = 'confirmed_captive' ORDER BY id LIMIT 1")
$UA event add "$ID" rank капітан --by clerk --source capture_card >/dev/null
$UA declare held -o "$T/h2.json" --key "$T/UA.key" >/dev/null
$M receive "$T/h1.json" >/dev/null
$M receive "$T/h2.json" >/dev/null
for db in ua med; do
	$CARTEL --db "$T/$db.db" audit verify >/dev/null ||
		fail "the untouched $db register"
done
D2=$(sed -n 's/^ "digest": "\(.*\)".*/\1/p' "$T/h2.json")

# tampered DB SQL TEXT...: the SQL on a copy makes `audit verify` fail,
# saying each TEXT.
tampered() {
	src=$1
	rm -f "$T/t.db" "$T/t.db-wal" "$T/t.db-shm"
	cp "$src" "$T/t.db"
	sqlite3 "$T/t.db" "$2" || fail "sql: $2"
	shift 2
	if $CARTEL --db "$T/t.db" audit verify >"$T/out" 2>"$T/err"; then
		fail "verified after: $*"
	fi
	for w in "$@"; do
		grep -qF -- "$w" "$T/err" || fail "no '$w' in: $(cat "$T/err")"
	done
}
CH="changed behind"
AD="added behind"
DE="deleted behind"

tampered "$T/ua.db" "UPDATE register_owner SET name = 'RU'" \
	"register_owner row (1)" "$CH"
tampered "$T/ua.db" "DELETE FROM register_owner" "register_owner row (1)" "$DE"
tampered "$T/med.db" "UPDATE register_owner SET role = 'party', name = 'UA'" \
	"register_owner row (1)" "$CH"
tampered "$T/ua.db" "UPDATE declaration_made SET sequence = 1" \
	"declaration_made row (held)" "$CH"
tampered "$T/ua.db" "INSERT INTO declaration_made SELECT 'sought', sequence,
	digest, n_persons, made_at, made_by FROM declaration_made" \
	"declaration_made row (sought)" "$AD"
tampered "$T/med.db" "DELETE FROM declaration_received WHERE digest = '$D2'" \
	"declaration_received row (sha256:" "$DE"
tampered "$T/med.db" "UPDATE declaration_received SET sequence = 9 WHERE digest = '$D2'" \
	"declaration_received row" "$CH"
tampered "$T/med.db" "UPDATE declared_person SET status =
	'no_longer_declared' WHERE their_id = '$ID'" \
	"declared_person row (UA:held, $ID)" "$CH"
tampered "$T/med.db" "INSERT INTO declared_person SELECT party, kind,
	'UA-999999', fields, status, first_digest, last_digest FROM
	declared_person WHERE their_id = '$ID'" \
	"declared_person row (UA:held, UA-999999)" "$AD"
tampered "$T/med.db" "DELETE FROM declared_person WHERE their_id = '$ID'" \
	"declared_person row (UA:held, $ID)" "$DE"
tampered "$T/med.db" "UPDATE declared_change SET new_fields = '{}'" \
	"declared_change row (sha256:" "$CH"
tampered "$T/med.db" "DELETE FROM declared_change" \
	"declared_change row (sha256:" "$DE"

# Commands refuse what does not hold. An owner changed by hand decides
# nothing: stats and declare refuse.
cp "$T/ua.db" "$T/t.db"
sqlite3 "$T/t.db" "UPDATE register_owner SET name = 'RU'"
if $CARTEL --db "$T/t.db" stats >/dev/null 2>"$T/err"; then
	fail "stats with a forged owner"
fi
grep -q "the register's owner cannot be trusted" "$T/err" ||
	fail "stats: $(cat "$T/err")"
cp "$T/ua.db" "$T/t.db"
sqlite3 "$T/t.db" "DELETE FROM register_owner"
if $CARTEL --db "$T/t.db" owner >/dev/null 2>"$T/err"; then
	fail "owner shown after its row was deleted"
fi
grep -q "the register's owner cannot be trusted" "$T/err" ||
	fail "owner deleted: $(cat "$T/err")"
# A sequence set back by hand would let a declaration be replayed.
cp "$T/ua.db" "$T/t.db"
sqlite3 "$T/t.db" "UPDATE declaration_made SET sequence = 0"
if $CARTEL --db "$T/t.db" declare held -o "$T/h3.json" --key "$T/UA.key" \
	2>"$T/err"; then
	fail "declared with a forged sequence"
fi
grep -q "cannot be trusted" "$T/err" || fail "declare: $(cat "$T/err")"
[ -e "$T/h3.json" ] && fail "a refused declaration left a file"
cp "$T/ua.db" "$T/t.db"
sqlite3 "$T/t.db" "DELETE FROM declaration_made"
if $CARTEL --db "$T/t.db" declare held -o "$T/h3.json" --key "$T/UA.key" \
	2>"$T/err"; then
	fail "declared over a deleted sequence"
fi
grep -q "the declarations made cannot be trusted" "$T/err" ||
	fail "declare deleted: $(cat "$T/err")"
# A declared person changed by hand: the next declaration is refused.
$UA event add "$ID" rank майор --by clerk --source capture_card >/dev/null
$UA declare held -o "$T/h3.json" --key "$T/UA.key" >/dev/null
cp "$T/med.db" "$T/t.db"
sqlite3 "$T/t.db" "UPDATE declared_person SET fields = '{}' WHERE
	their_id = '$ID'"
if $CARTEL --db "$T/t.db" receive "$T/h3.json" 2>"$T/err"; then
	fail "received over a forged declared person"
fi
grep -q "a person declared earlier cannot be trusted" "$T/err" ||
	fail "receive: $(cat "$T/err")"
# The last received changed by hand (its number set back) is refused too.
cp "$T/med.db" "$T/t.db"
sqlite3 "$T/t.db" "UPDATE declaration_received SET sequence = 0 WHERE digest = '$D2'"
if $CARTEL --db "$T/t.db" receive "$T/h3.json" 2>"$T/err"; then
	fail "received over a forged sequence"
fi
grep -q "cannot be trusted" "$T/err" || fail "receive seq: $(cat "$T/err")"
# A received declaration deleted by hand would let it be replayed.
cp "$T/med.db" "$T/t.db"
sqlite3 "$T/t.db" "DELETE FROM declaration_received WHERE digest = '$D2'"
if $CARTEL --db "$T/t.db" receive "$T/h2.json" 2>"$T/err"; then
	fail "replayed over a deleted record"
fi
grep -q "declarations received cannot be trusted" "$T/err" ||
	fail "replay: $(cat "$T/err")"
echo ok
