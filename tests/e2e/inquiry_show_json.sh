#!/bin/sh
# `inquiry show ID --json` is the public array of the inquiry's potential
# matches, as it was before inquiries had a life of their own (scripts
# read it); the whole inquiry as one object is `--json --full`. Both
# shapes are held here key by key.
set -eu
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
C="$CARTEL --db $T/reg.db"
export CARTEL_NOW=2026-01-02T03:04:05Z
fail() { echo "inquiry_show_json: $*" >&2; exit 1; }
$C init >/dev/null
cat >"$T/p.csv" <<'CSV'
id,family_name,given_name,patronymic,birth_date,held_by,status,held_since
UA-1,Ковальчук,Олександр,Петрович,1990-03-02,RU,confirmed_captive,2024-03-10
UA-2,Ковальчук,Олексій,Петрович,1992-07-15,RU,confirmed_captive,2024-05-01
UA-3,Гайдамака,Сергій,Юрійович,1975-12-01,RU,confirmed_captive,
CSV
$C import csv "$T/p.csv" >/dev/null
$C inquiry add --by hotline --name "Ковальчук" --requester "Марія" \
	--relation mother >/dev/null
$C inquiry add --by hotline --name "Гайдамака Сергій" >/dev/null
$C review reject INQ-000001 UA-2 --by bureau --why "born in 1992" >/dev/null

# The array: one entry per potential match of this inquiry alone, decided
# ones too, with the keys it always had (the decision's null until made).
$C inquiry show INQ-000001 --json >"$T/a.json"
jq -e 'type == "array" and length == 2' "$T/a.json" >/dev/null ||
	fail "not the array of two: $(cat "$T/a.json")"
jq -e 'all(.[]; .inquiry_id == "INQ-000001")' "$T/a.json" >/dev/null ||
	fail "another inquiry's candidates: $(cat "$T/a.json")"
jq -e 'all(.[]; keys == ["band", "decided_at", "decided_by",
	"explanation", "inquiry_id", "person_id", "reason", "score",
	"state"])' "$T/a.json" >/dev/null || fail "keys: $(cat "$T/a.json")"
jq -e '[.[] | select(.person_id == "UA-1")][0] | .decided_by == null and
	.decided_at == null and .reason == null' "$T/a.json" >/dev/null ||
	fail "pending: $(cat "$T/a.json")"
jq -e '[.[] | select(.person_id == "UA-2")][0] | .state == "rejected" and
	.decided_by == "bureau" and .reason == "born in 1992"' "$T/a.json" \
	>/dev/null || fail "the decision: $(cat "$T/a.json")"
jq -e '[.[].score] == ([.[].score] | sort | reverse) and
	all(.[]; (.score | type) == "number" and
	(.band == "match" or .band == "review"))' "$T/a.json" >/dev/null ||
	fail "best first: $(cat "$T/a.json")"
# The same entries the list of every potential match holds.
$C inquiry show --json |
	jq -S '[.[] | select(.inquiry_id == "INQ-000001")]' >"$T/all.json"
jq -S . "$T/a.json" | cmp -s - "$T/all.json" ||
	fail "differs from inquiry show --json"

# The whole inquiry: --full.
$C inquiry show INQ-000001 --json --full >"$T/o.json"
jq -e 'type == "object" and .id == "INQ-000001" and
	.requester == "Марія" and .relation == "mother" and
	(.candidates | length) == 2 and (.history | length) >= 2' \
	"$T/o.json" >/dev/null || fail "--full: $(cat "$T/o.json")"
jq -e '.candidates[] | select(.person_id == "UA-1") |
	.status_text == "held by Russia since 2024-03"' "$T/o.json" >/dev/null ||
	fail "--full candidate: $(cat "$T/o.json")"

# Bad input: an unknown id is an error, not an empty array; --full
# elsewhere is a usage error.
if $C inquiry show INQ-000009 --json >"$T/out" 2>"$T/err"; then
	fail "an unknown inquiry answered: $(cat "$T/out")"
fi
grep -q "no inquiry 'INQ-000009'" "$T/err" || fail "$(cat "$T/err")"
[ -s "$T/out" ] && fail "printed for an unknown inquiry: $(cat "$T/out")"
set +e
$C inquiry list --full >/dev/null 2>"$T/err"
rc=$?
set -e
[ "$rc" -eq 2 ] || fail "inquiry list --full: exit $rc"
grep -q -- "--full is for 'inquiry show ID --json'" "$T/err" ||
	fail "$(cat "$T/err")"
echo ok
