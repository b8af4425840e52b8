#!/bin/sh
# Keys and pins: a list signed with a key the register has not pinned does
# not verify, nor one signed with a key other than the pinned one; a
# second key for a pinned party is refused unless replaced on purpose;
# a secret key file is written 0600 and never printed.
set -eu
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
D="$TOP/tests/e2e/data"
UA="$CARTEL --db $T/ua.db"
M="$CARTEL --db $T/mediator.db"
fail() { echo "FAIL: $*" >&2; exit 1; }

$UA init >/dev/null
$M init >/dev/null
$UA import csv "$D/round_persons.csv" >/dev/null
$UA plan --policy "$D/round_policy.yaml" -o "$T/plan.json" >/dev/null
mkdir "$T/ua" "$T/ru" "$T/ru2"
$UA key new --party UA -o "$T/ua" >/dev/null
$UA key new --party RU -o "$T/ru" --no-pin >/dev/null
# The fingerprint RU reads out over the phone must be the file's.
fp=$(sed -n 's/.*"fingerprint": "\(.*\)".*/\1/p' "$T/ru/RU.pub")
if $UA key import "$T/ru/RU.pub" --party RU \
	--fingerprint sha256:0000000000000000000000000000000000000000000000000000000000000000 \
	2>"$T/err"; then
	fail "a key with another fingerprint was pinned"
fi
grep -q "not the sha256:0000" "$T/err" || fail "fingerprint: no reason"
$UA key list | grep -q "^RU " && fail "RU pinned after a refused import"
$UA key import "$T/ru/RU.pub" --party RU --fingerprint "$fp" >/dev/null
$UA round new --plan "$T/plan.json" --kind agreed --id R-K -o "$T/r.json" \
	>/dev/null
$UA round sign "$T/r.json" --key "$T/ua/UA.key" >/dev/null
$UA round sign "$T/r.json" --key "$T/ru/RU.key" >/dev/null
$UA round verify "$T/r.json" >/dev/null || fail "pinned on UA's side"

# The mediator has pinned only UA: RU's signature is not accepted.
$M key import "$T/ua/UA.pub" --party UA >/dev/null
if $M round verify "$T/r.json" >/dev/null 2>"$T/err"; then
	fail "verified with RU unpinned"
fi
grep -q "signature of RU: no key is pinned for RU" "$T/err" ||
	fail "unpinned key not named: $(cat "$T/err")"
$M round verify "$T/r.json" --json 2>/dev/null >"$T/v.json" || :
grep -q '"pinned":false' "$T/v.json" || fail "--json: RU not shown unpinned"
grep -q '"ok":false' "$T/v.json" || fail "--json: ok"
# The mediator pins some other key for RU: refused as not the pinned key.
$UA key new --party RU -o "$T/ru2" --no-pin >/dev/null
$M key import "$T/ru2/RU.pub" --party RU >/dev/null
if $M round verify "$T/r.json" >/dev/null 2>"$T/err"; then
	fail "verified with the wrong key pinned"
fi
grep -q "signature of RU: made with key sha256:.*, but the key pinned for RU is" \
	"$T/err" || fail "wrong key not named: $(cat "$T/err")"
# A second, different key for RU is refused without --replace...
if $M key import "$T/ru/RU.pub" --party RU 2>"$T/err"; then
	fail "a second key replaced the pin silently"
fi
grep -q "already has a pinned key" "$T/err" || fail "no reason"
# ...and taken with it; then the list verifies.
$M key import "$T/ru/RU.pub" --party RU --replace >/dev/null
$M round verify "$T/r.json" >/dev/null || fail "after the replacement"
$M key list | grep -q "(replaced)" || fail "old pin not kept"
# Importing a key under another party's code is refused.
if $M key import "$T/ru/RU.pub" --party UA 2>/dev/null; then
	fail "RU's key pinned as UA"
fi
# Signing in a register where another key is pinned for the party.
if $M round sign "$T/r.json" --key "$T/ru2/RU.key" -o "$T/x.json" \
	2>"$T/err"; then
	fail "signed with a key that is not the pinned one"
fi
grep -q "is not the one pinned" "$T/err" || fail "sign: no reason"
[ -e "$T/x.json" ] && fail "a refused signature left a file"
# key new never overwrites.
if $UA key new --party UA -o "$T/ua" 2>/dev/null; then
	fail "key new overwrote a key"
fi
echo ok
