# An export imports back unchanged: import, export, import into a fresh
# register, export again; the two exports are the same bytes.
set -u
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
export CARTEL_TODAY=2025-06-15
fail() { echo "FAIL: $*"; exit 1; }
cat >"$WORK/l.csv" <<'CSV'
service_number,ID,family_name,given_name,patronymic,birth_date,sex,rank,held_by,depends_on,category,captured_on,health,direct_repatriation,consent,legal_hold,status,source,notes,unit_colour,tattoo
12345,UA-1,Шевченко,Тарас,Григорович,1994-03-02,m,Sergeant,RU,UA,military,2023-05-01,good,no,not_asked,none,,capture_card,"note, with comma",blue,
,UA-2,Коваль,,,1980,f,,RU,UA,medical,2022-03,seriously_wounded,yes,willing,none,agreed,icrc_visit,"two
lines",,rose
,,,,,,,,RU,,,,,,,,,,,,
,RU-1,Иванов,Иван,Иванович,02.03.1999,male,рядовой,UA,RU,military,2024,sick,,refuses,proceedings,confirmed_captive,counterpart_list,"  spaced  ",,
CSV
"$CARTEL" --db "$WORK/a.db" init >/dev/null || fail init
"$CARTEL" --db "$WORK/a.db" import csv "$WORK/l.csv" >/dev/null || fail "first import"
"$CARTEL" --db "$WORK/a.db" event add UA-1 health sick --by m --source icrc_visit >/dev/null || fail event
"$CARTEL" --db "$WORK/a.db" export csv -o "$WORK/e1.csv" || fail "first export"
"$CARTEL" --db "$WORK/b.db" init >/dev/null || fail init
"$CARTEL" --db "$WORK/b.db" import csv "$WORK/e1.csv" --all-or-nothing >"$WORK/out" || { cat "$WORK/out"; fail "re-import"; }
grep -q "4 rows read, 4 imported, 0 rejected" "$WORK/out" || fail "not all rows back"
"$CARTEL" --db "$WORK/b.db" export csv >"$WORK/e2.csv" || fail "second export"
cmp "$WORK/e1.csv" "$WORK/e2.csv" || { diff "$WORK/e1.csv" "$WORK/e2.csv"; fail "exports differ"; }
head -1 "$WORK/e1.csv" | grep -q '^id,family_name,given_name,patronymic,birth_date,.*,tattoo,unit_colour$' ||
	fail "export header: $(head -1 "$WORK/e1.csv")"
grep -q '"  spaced  "' "$WORK/e1.csv" || fail "spaces not kept"
echo ok
