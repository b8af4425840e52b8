#!/bin/sh
# Consent "undecided" (asked, no answer yet): read by import and by events,
# counted apart in the statistics, and flagged by the planner like a
# consent never asked, with words that say he was asked.
set -eu
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
DB="$T/reg.db"
export CARTEL_NOW=2026-01-02T03:04:05Z CARTEL_TODAY=2026-01-02
fail() { echo "consent_undecided: $*" >&2; exit 1; }
"$CARTEL" --db "$DB" init > /dev/null
cat > "$T/p.csv" <<'CSV'
id,family_name,given_name,birth_date,held_by,status,category,captured_on,consent
UA-1,Бондар,Олег,1990-01-01,RU,confirmed_captive,military,2023-01-01,undecided
UA-2,Гнатюк,Ігор,1991-01-01,RU,confirmed_captive,military,2023-02-01,not_asked
UA-3,Левчук,Петро,1992-01-01,RU,confirmed_captive,military,2023-03-01,willing
RU-1,Смирнов,Иван,1990-01-01,UA,confirmed_captive,military,2023-01-01,willing
RU-2,Попов,Олег,1990-01-01,UA,confirmed_captive,military,2023-01-01,willing
RU-3,Козлов,Павел,1990-01-01,UA,confirmed_captive,military,2023-01-01,willing
CSV
"$CARTEL" --db "$DB" import csv "$T/p.csv" > "$T/imp"
grep -q '6 imported, 0 rejected' "$T/imp" || fail "undecided not imported"
"$CARTEL" --db "$DB" person show UA-1 | grep -q '^consent  *undecided$' ||
	fail "import did not keep undecided"
# An event records it too; a misspelling is still refused.
"$CARTEL" --db "$DB" event add UA-3 consent undecided --by "ICRC delegate" \
	--source icrc_visit > /dev/null
"$CARTEL" --db "$DB" person show UA-3 | grep -q '^consent  *undecided$' ||
	fail "event did not record undecided"
if "$CARTEL" --db "$DB" event add UA-3 consent undecied --by x \
	> /dev/null 2>&1; then fail "a misspelt consent was accepted"; fi

# Statistics: two asked without an answer, one never asked, under RU.
"$CARTEL" --db "$DB" stats > "$T/st"
grep -q 'consent asked, no answer yet  *2  *0' "$T/st" ||
	{ cat "$T/st"; fail "stats do not count undecided"; }
grep -q 'consent never asked  *1  *0' "$T/st" || fail "not_asked miscounted"
"$CARTEL" --db "$DB" stats --json > "$T/st.json"
grep -q '"consent_undecided": 2' "$T/st.json" || fail "no consent_undecided in JSON"

# The planner lists him, flags him apart, and says he was asked.
cat > "$T/pol.yaml" <<'YAML'
parties: [UA, RU]
ratio: "1:1"
YAML
"$CARTEL" --db "$DB" plan --policy "$T/pol.yaml" > "$T/plan"
grep -q 'of whom asked, no answer yet  *0  *2' "$T/plan" ||
	{ cat "$T/plan"; fail "plan summary does not count undecided"; }
"$CARTEL" --db "$DB" plan --policy "$T/pol.yaml" --json > "$T/plan.json"
python3 - "$T/plan.json" <<'PY' || fail "plan JSON flags wrong"
import json, sys
d = json.load(open(sys.argv[1]))
f = d["flags"]
assert sorted(f["consent_undecided"]) == ["UA-1", "UA-3"], f
assert f["consent_not_asked"] == ["UA-2"], f
for p in d["sides"]["UA"]["persons"]:
    if p["id"] in ("UA-1", "UA-3"):
        assert p["consent_undecided"] and not p["handover_ready"], p
PY
"$CARTEL" --db "$DB" plan explain UA-1 --policy "$T/pol.yaml" --verbose > "$T/ex"
grep -q 'asked about repatriation and has not answered yet' "$T/ex" ||
	{ cat "$T/ex"; fail "explanation does not say he was asked"; }
"$CARTEL" --db "$DB" plan explain UA-1 --policy "$T/pol.yaml" --json |
	grep -q '"consent_undecided": true' || fail "explain JSON lacks the flag"
"$CARTEL" --db "$DB" audit verify > /dev/null
