#!/bin/sh
# The other side's requested list, written their way (Russian spellings of
# Ukrainian names, Latin, DD.MM.YYYY), reconciled against the register:
# matched, ambiguous (two brothers, no given name on their list), not held
# (unknown; repatriated; held by the other party). Bad lists are refused
# with file, row and reason.
set -eu
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
D="$TOP/tests/e2e/data"
C="$CARTEL --db $T/r.db"
fail() { echo "FAIL: $*" >&2; exit 1; }

$C init >/dev/null
$C import csv "$D/round_reconcile_register.csv" >/dev/null
$C reconcile "$D/round_reconcile_theirs.csv" --party RU --all \
	-o "$T/out.csv" >"$T/out"
grep -q "matched *2" "$T/out" || fail "matched count: $(cat "$T/out")"
grep -q "ambiguous *1" "$T/out" || fail "ambiguous count"
grep -q "not held *3" "$T/out" || fail "not held count"
grep -q "their id T-1: matched UA-1" "$T/out" || fail "T-1 (Russian spelling)"
grep -q "their id T-2: matched UA-2" "$T/out" || fail "T-2 (Latin)"
grep -q "their id T-3: ambiguous" "$T/out" || fail "T-3 brothers"
grep -q "^    UA-5 " "$T/out" && grep -q "^    UA-6 " "$T/out" ||
	fail "T-3: both brothers not listed as candidates"
grep -q "their id T-4: not held" "$T/out" || fail "T-4 unknown"
grep -q "their id T-5: not held: the same person as UA-7, whose status is repatriated" \
	"$T/out" || fail "T-5 repatriated"
grep -q "their id T-6: not held: the same person as RU-1.*held by UA" \
	"$T/out" || fail "T-6 held by the other side"
# Without --party, RU-1 counts as held (by anyone).
$C reconcile "$D/round_reconcile_theirs.csv" --all | grep -q \
	"their id T-6: matched RU-1" || fail "T-6 without --party"
# The CSV report.
head -1 "$T/out.csv" | grep -q "^row,their_id,verdict,our_id,probability,candidates,note" ||
	fail "CSV header"
grep -q "^4,T-3,ambiguous,," "$T/out.csv" || fail "CSV ambiguous row"
grep -q "^2,T-1,matched,UA-1," "$T/out.csv" || fail "CSV matched row"
# The table names our persons beside theirs: it is in the transfer log,
# with the digest of its bytes, the persons of ours it names (2 matched,
# 1 ambiguous row) and to whom it went when said.
$C --json transfers >"$T/tr.json"
[ "$(jq -r '.transfers | length' "$T/tr.json")" = 1 ] || fail "no transfer"
[ "$(jq -r '.transfers[0] | [.kind, .persons, .file] | join(" ")' "$T/tr.json")" = \
	"reconcile 3 $T/out.csv" ] || fail "transfer: $(cat "$T/tr.json")"
[ "$(jq -r '.transfers[0].sha256' "$T/tr.json")" = \
	"$(sha256sum "$T/out.csv" | cut -d' ' -f1)" ] || fail "transfer digest"
$C reconcile "$D/round_reconcile_theirs.csv" --party RU -o "$T/out2.csv" \
	--to "ICRC CTA" >/dev/null || fail "reconcile --to"
[ "$($C --json transfers | jq -r '.transfers[1].to')" = "ICRC CTA" ] ||
	fail "transfer recipient"
# Without -o nothing leaves, and --to alone is a mistake; a recipient that
# cannot be recorded leaves no table behind.
if $C reconcile "$D/round_reconcile_theirs.csv" --to X 2>"$T/err"; then
	fail "--to without -o accepted"
fi
grep -q -- "-o OUT.csv" "$T/err" || fail "--to alone: $(cat "$T/err")"
if $C reconcile counts "$T/out.csv" "$T/out.csv" -o "$T/c.csv" --to X \
	2>"$T/err"; then
	fail "--to with counts accepted"
fi
grep -q "take nothing from the register" "$T/err" || fail "counts --to: $(cat "$T/err")"
entries=$(sqlite3 "$T/r.db" "select count(*) from audit where action = 'reconcile'")
if $C reconcile "$D/round_reconcile_theirs.csv" -o "$T/bad.csv" \
	--to "$(printf 'a\tb')" >/dev/null 2>"$T/err"; then
	fail "a recipient with a tab accepted"
fi
[ ! -e "$T/bad.csv" ] || fail "a table left without its record"
[ "$(sqlite3 "$T/r.db" "select count(*) from audit where action = 'reconcile'")" = "$entries" ] ||
	fail "a refused table left its reconciliation entry"
[ "$($C --json transfers | jq -r '.transfers | length')" = 2 ] ||
	fail "transfers after the refusals"
# JSON.
$C reconcile "$D/round_reconcile_theirs.csv" --party RU --json >"$T/out.json"
grep -q '"matched":2,"ambiguous":1,"not_held":3' "$T/out.json" ||
	fail "JSON counts"
grep -q '"their_id":"T-3","verdict":"ambiguous"' "$T/out.json" ||
	fail "JSON row"
# It is in the audit chain.
[ "$(sqlite3 "$T/r.db" "select count(*) from audit where action = 'reconcile'")" -ge 3 ] ||
	fail "not audited"
$C audit verify >/dev/null || fail "audit chain"

# Bad lists: no id column, an empty file, invalid UTF-8.
printf 'family_name,given_name\nИванов,Иван\n' >"$T/noid.csv"
if $C reconcile "$T/noid.csv" 2>"$T/err"; then fail "no id column accepted"; fi
grep -q "noid.csv" "$T/err" || fail "no file named: $(cat "$T/err")"
: >"$T/empty.csv"
if $C reconcile "$T/empty.csv" 2>"$T/err"; then fail "empty file accepted"; fi
printf 'id,family_name\nX-1,\377\376bad\n' >"$T/utf.csv"
if $C reconcile "$T/utf.csv" 2>"$T/err"; then fail "invalid UTF-8 accepted"; fi
grep -q "utf.csv" "$T/err" || fail "UTF-8 error without the file name"
if $C reconcile "$T/missing.csv" 2>/dev/null; then fail "missing file"; fi
echo ok
