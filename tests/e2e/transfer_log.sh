#!/bin/sh
# The transfer log: every file with persons in it that leaves the register
# (an export, a round document, a declaration, a handover sheet, a backup)
# is recorded with who sent it, to whom, how many persons and the SHA-256
# of the bytes written; `cartel transfers` lists them, and a record
# changed, added or deleted with the sqlite3 shell makes `audit verify`
# and `cartel transfers` fail. `export csv --for-spreadsheet` defuses
# formula-like cells; the default export stays a byte-exact round trip.
set -eu
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
D="$TOP/tests/e2e/data"
DB="$T/r.db"
C="$CARTEL --db $DB"
fail() { echo "FAIL: $*" >&2; exit 1; }
export CARTEL_NOW=2026-01-02T03:04:05Z

$C init >/dev/null
$C import csv "$D/round_persons.csv" >/dev/null
N=$(sqlite3 "$DB" "SELECT count(*) FROM persons")
[ "$(sqlite3 "$DB" "SELECT count(*) FROM transfer_log")" = 0 ] ||
	fail "a fresh register has transfers"
$C transfers | grep -q "no transfers" || fail "empty log not said"

# An export to a file: the digest is the file's.
$C export csv -o "$T/a.csv" --to "ICRC Central Tracing Agency" --by clerk \
	>/dev/null || fail "export"
SUM=$(sha256sum "$T/a.csv" | cut -d' ' -f1)
$C --json transfers >"$T/t.json"
[ "$(jq -r '.transfers[0].sha256' "$T/t.json")" = "$SUM" ] ||
	fail "digest $(jq -r '.transfers[0].sha256' "$T/t.json") != $SUM"
[ "$(jq -r '.transfers[0].persons' "$T/t.json")" = "$N" ] ||
	fail "persons: $(cat "$T/t.json")"
[ "$(jq -r '.transfers[0].to' "$T/t.json")" = \
	"ICRC Central Tracing Agency" ] || fail "to: $(cat "$T/t.json")"
[ "$(jq -r '.transfers[0].by' "$T/t.json")" = clerk ] || fail "by"
[ "$(jq -r '.transfers[0].kind' "$T/t.json")" = csv ] || fail "kind"
[ "$(jq -r '.transfers[0].at' "$T/t.json")" = "$CARTEL_NOW" ] || fail "at"
# To standard output: the digest of what went out.
SUM2=$($C export json --by clerk | sha256sum | cut -d' ' -f1)
[ "$($C --json transfers | jq -r '.transfers[1].sha256')" = "$SUM2" ] ||
	fail "stdout digest"
[ "$($C --json transfers | jq -r '.transfers[1].file')" = null ] ||
	fail "stdout has a file"

# The default CSV is a byte-exact round trip; a formula-like cell stays
# as it is there, and is defused for a spreadsheet.
$C person add id=UA-900 family_name=@SUM given_name="=1+2" \
	status=confirmed_captive --by clerk --source icrc_visit >/dev/null ||
	fail "person add"
$C export csv -o "$T/plain.csv" >/dev/null
grep -q '^UA-900,@SUM,=1+2,' "$T/plain.csv" ||
	fail "the default export changed a cell: $(grep UA-900 "$T/plain.csv")"
$C export csv --for-spreadsheet -o "$T/sheet.csv" >/dev/null
grep -q "^UA-900,'@SUM,'=1+2," "$T/sheet.csv" ||
	fail "not defused: $(grep UA-900 "$T/sheet.csv")"
$CARTEL --db "$T/b.db" init >/dev/null
$CARTEL --db "$T/b.db" import csv "$T/plain.csv" >/dev/null ||
	fail "re-import"
$CARTEL --db "$T/b.db" export csv -o "$T/again.csv" >/dev/null
cmp -s "$T/plain.csv" "$T/again.csv" || fail "the round trip is not exact"

# Rounds, declarations and backups are recorded too (handover sheets:
# tests/e2e/handover_two_registers.sh).
$C plan --policy "$D/round_policy.yaml" -o "$T/plan.json" >/dev/null
$C key new --party UA -o "$T" >/dev/null
$C key new --party RU -o "$T" >/dev/null
$C round new --plan "$T/plan.json" --kind agreed --id R-T -o "$T/r.json" \
	--to "RU delegation" >/dev/null || fail "round new"
$C round sign "$T/r.json" --key "$T/UA.key" >/dev/null || fail "sign"
$C round sign "$T/r.json" --key "$T/RU.key" >/dev/null || fail "sign"
RSUM=$(sha256sum "$T/r.json" | cut -d' ' -f1)
# A declaration is made in a party's own register.
DC="$CARTEL --db $T/ua.db"
$DC init --party UA >/dev/null
$DC import csv "$D/round_persons.csv" >/dev/null
$DC key import "$T/UA.pub" --party UA >/dev/null
$DC declare held -o "$T/held.json" --key "$T/UA.key" --to ICRC >/dev/null ||
	fail "declare"
[ "$($DC --json transfers | jq -r '.transfers[0].kind + " " +
	.transfers[0].to + " " + .transfers[0].sha256')" = \
	"declaration ICRC $(sha256sum "$T/held.json" | cut -d' ' -f1)" ] ||
	fail "declaration: $($DC --json transfers)"
$C handover start "$T/r.json" >/dev/null || fail "handover start"
$C backup -o "$T/copy.db" --to "archive" >/dev/null || fail "backup"
$C --json transfers >"$T/t.json"
for k in round backup; do
	jq -e --arg k "$k" '[.transfers[] | select(.kind == $k)] | length > 0' \
		"$T/t.json" >/dev/null || fail "no $k transfer: $(cat "$T/t.json")"
done
[ "$(jq -r '[.transfers[] | select(.kind == "round")] | last | .sha256' \
	"$T/t.json")" = "$RSUM" ] || fail "the last round's digest"
[ "$(jq -r '[.transfers[] | select(.kind == "round")][0].to' \
	"$T/t.json")" = "RU delegation" ] || fail "round --to"
$C transfers | grep -q "  backup  " || fail "text listing"
$C audit verify >"$T/out" || fail "verify: $(cat "$T/out")"

# Tampering: a record changed, added or deleted behind the register's back.
tampered() {
	rm -f "$T/t.db" "$T/t.db-wal" "$T/t.db-shm"
	cp "$DB" "$T/t.db"
	sqlite3 "$T/t.db" "$1" || fail "sql: $1"
	if $CARTEL --db "$T/t.db" audit verify >"$T/out" 2>"$T/err"; then
		fail "verified after: $1"
	fi
	grep -qF -- "$2" "$T/err" || fail "no '$2' in: $(cat "$T/err")"
	grep -qF -- "$3" "$T/err" || fail "no '$3' in: $(cat "$T/err")"
	if $CARTEL --db "$T/t.db" transfers >"$T/out" 2>"$T/err"; then
		fail "transfers listed after: $1"
	fi
	grep -qF -- "transfer_log" "$T/err" || fail "transfers: $(cat "$T/err")"
}
tampered "UPDATE transfer_log SET recipient = 'nobody' WHERE seq = 1" \
	"transfer_log row (1)" "changed behind"
tampered "UPDATE transfer_log SET n_persons = 1 WHERE seq = 2" \
	"transfer_log row (2)" "changed behind"
tampered "INSERT INTO transfer_log (seq, at, by, kind, n_persons)
	VALUES (99, 'x', 'x', 'csv', 1)" "transfer_log row (99)" "added behind"
tampered "DELETE FROM transfer_log WHERE seq = 1" "transfer_log row (1)" \
	"deleted behind"

# A recipient with a control character is refused, and nothing leaves.
if $C export csv -o "$T/bad.csv" --to "$(printf 'a\033b')" \
	>/dev/null 2>"$T/err"; then
	fail "a control character in --to was taken"
fi
[ ! -e "$T/bad.csv" ] || fail "the refused export left its file"
echo ok
