# Retention and purge: cases past their retention date lose their personal
# data (from the state, the events, the file's bytes and the WAL), the
# counts and the audit chain still hold, the audit names ids and dates
# only, and a redacted row changed afterwards is still found.
set -u
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
export CARTEL_DB="$WORK/r.db"
fail() { echo "FAIL: $*"; exit 1; }
"$CARTEL" init >/dev/null || fail init
cat >"$WORK/l.csv" <<'CSV'
id,family_name,given_name,patronymic,birth_date,service_number,held_by,status,legal_hold,notes,phone
A-1,Гнатюкевич,Тарасій,Остапович,1990-03-09,ЗСУ-111111,RU,confirmed_captive,,примітка-один,+380111111
A-2,Франківський,Іванко,Якович,1985-08-27,ЗСУ-222222,RU,confirmed_captive,,примітка-два,+380222222
A-3,Косачівна,Лариса,Петрівна,1991-02-25,ЗСУ-333333,RU,confirmed_captive,proceedings,,
A-4,Стефаниченко,Василько,Семенович,1971-05-14,ЗСУ-444444,RU,confirmed_captive,,,
B-1,Залишенко,Богдан,Іванович,1993-01-01,ЗСУ-555555,RU,confirmed_captive,,,
CSV
"$CARTEL" import csv "$WORK/l.csv" >/dev/null || fail import
ev() { # person field value time [note]
	CARTEL_NOW=$4 "$CARTEL" event add "$1" "$2" "$3" --by clerk --source official_list ${5:+--note "$5"} >/dev/null || fail "event $1 $2"
}
ev A-1 status repatriated 2025-01-10T10:00:00Z "бачив Гнатюкевич-батько"
ev A-1 father_name Остап 2025-02-01T10:00:00Z
ev A-1 attr:phone +380999999 2025-02-02T10:00:00Z
ev A-2 status released 2025-03-01T10:00:00Z
ev A-3 status released 2024-01-01T10:00:00Z
ev A-4 status deceased 2025-01-01T10:00:00Z
ev B-1 status repatriated 2026-05-01T10:00:00Z

# Rules; bad ones refused.
"$CARTEL" retention set confirmed_captive 1y 2>/dev/null && fail "a rule for an open status"
"$CARTEL" retention set repatriated soon 2>/dev/null && fail "a period that is not one"
"$CARTEL" retention set repatriated,released "1 year" --by dpo >/dev/null || fail "retention set"
"$CARTEL" retention set deceased 5y --by dpo >/dev/null || fail "retention set deceased"
"$CARTEL" retention show --today 2026-06-01 >"$WORK/show" || fail "retention show"
grep -q "A-1 .*due since 2026-01-10" "$WORK/show" || fail "A-1's retention date: $(cat "$WORK/show")"
grep -q "A-3 .*kept (legal hold)" "$WORK/show" || fail "legal hold: $(cat "$WORK/show")"
grep -q "A-4 .*kept until 2030-01-01" "$WORK/show" || fail "deceased 5y: $(cat "$WORK/show")"
grep -q "B-1 .*kept until 2027-05-01" "$WORK/show" || fail "B-1: $(cat "$WORK/show")"

# A search index holding the names, and the figures before.
"$CARTEL" search Гнатюкевич >/dev/null 2>&1 || fail "search"
[ -e "$CARTEL_DB.search" ] || fail "no search index to remove"
"$CARTEL" stats --json >"$WORK/stats.before" || fail stats
entries() { sqlite3 "$CARTEL_DB" "SELECT count(*) FROM audit"; }
n0=$(entries)

"$CARTEL" purge --due --dry-run --today 2026-06-01 >"$WORK/dry" || fail "dry run"
[ "$(grep -c '^due' "$WORK/dry")" = 2 ] || fail "dry run lists: $(cat "$WORK/dry")"
grep -q "^due A-1 " "$WORK/dry" && grep -q "^due A-2 " "$WORK/dry" || fail "dry run: $(cat "$WORK/dry")"
[ "$(entries)" = "$n0" ] || fail "a dry run wrote"
sqlite3 "$CARTEL_DB" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
grep -a -q "Гнатюкевич" "$CARTEL_DB" || fail "the name is not in the file before the purge (the grep below proves nothing)"

"$CARTEL" purge --due --today 2026-06-01 --by dpo >"$WORK/purge" || { cat "$WORK/purge"; fail purge; }
grep -q "2 persons redacted" "$WORK/purge" || fail "purge: $(cat "$WORK/purge")"
"$CARTEL" audit verify >"$WORK/v" || { cat "$WORK/v"; fail "audit verify after the purge"; }
"$CARTEL" stats --json >"$WORK/stats.after" || fail stats
cmp -s "$WORK/stats.before" "$WORK/stats.after" || fail "stats changed: $(diff "$WORK/stats.before" "$WORK/stats.after")"
[ -e "$CARTEL_DB.search" ] && fail "the search index with the names is still there"

# The erased values are gone from the file and the WAL, byte for byte; the
# others are still there.
for gone in Гнатюкевич Тарасій Остапович 1990-03-09 ЗСУ-111111 примітка-один +380111111 +380999999 "бачив" Франківський ЗСУ-222222 +380222222; do
	for f in "$CARTEL_DB" "$CARTEL_DB-wal"; do
		[ -e "$f" ] || continue
		grep -a -q -- "$gone" "$f" && fail "'$gone' is still in $(basename "$f")"
	done
done
for kept in Косачівна Стефаниченко Залишенко; do
	grep -a -q "$kept" "$CARTEL_DB" || fail "'$kept' (not due) was erased"
done
"$CARTEL" person show A-1 >"$WORK/a1" || fail "person show"
grep -q "status *repatriated" "$WORK/a1" || fail "status lost: $(cat "$WORK/a1")"
grep -q "held_by *RU" "$WORK/a1" || fail "held_by lost"
grep -q "^family_name\|^service_number\|^notes\|^phone" "$WORK/a1" && fail "A-1 keeps data: $(cat "$WORK/a1")"
"$CARTEL" person show A-3 | grep -q "Косачівна" || fail "A-3 (legal hold) redacted"

# The purge's audit entry: ids and dates, never a name.
sqlite3 "$CARTEL_DB" "SELECT detail FROM audit WHERE action = 'purge'" >"$WORK/detail"
grep -q "A-1 (repatriated 2025-01-10, due 2026-01-10)" "$WORK/detail" || fail "detail: $(cat "$WORK/detail")"
grep -q "Гнатюкевич\|Франківський" "$WORK/detail" && fail "a name in the audit"

# A second purge finds nothing; a later change to a purged case is
# purged in turn.
"$CARTEL" purge --due --today 2026-06-01 | grep -q "nothing due" || fail "purged twice"
ev A-1 notes "ще-одна-примітка" 2026-06-02T10:00:00Z
"$CARTEL" purge --due --today 2026-06-03 >"$WORK/p2" || fail "second purge"
grep -q "redacted A-1 " "$WORK/p2" || fail "second purge: $(cat "$WORK/p2")"
"$CARTEL" audit verify >/dev/null || fail "verify after the second purge"
grep -a -q "ще-одна-примітка" "$CARTEL_DB" && fail "the later note is still in the file"
"$CARTEL" search Гнатюкевич 2>/dev/null | grep -q "A-1" && fail "search still finds the purged name"

# Tampering with redacted rows is found.
tamper() { # what, sql, expected words
	cp "$CARTEL_DB" "$WORK/t.db"
	sqlite3 "$WORK/t.db" "$2" || fail "sqlite3: $2"
	"$CARTEL" --db "$WORK/t.db" audit verify >"$WORK/t.out" 2>&1 && fail "$1: not found"
	grep -q "$3" "$WORK/t.out" || fail "$1: $(cat "$WORK/t.out")"
}
s1=$(sqlite3 "$CARTEL_DB" "SELECT e.seq FROM events e JOIN persons p ON p.pk = e.person WHERE p.id = 'A-1' AND e.field = 'father_name'")
screate=$(sqlite3 "$CARTEL_DB" "SELECT e.seq FROM events e JOIN persons p ON p.pk = e.person WHERE p.id = 'A-1' AND e.field = '*'")
sfree=$(sqlite3 "$CARTEL_DB" "SELECT e.seq FROM events e JOIN persons p ON p.pk = e.person WHERE p.id = 'B-1' AND e.field = '*'")
purge=$(sqlite3 "$CARTEL_DB" "SELECT min(seq) FROM audit WHERE action = 'purge'")
tamper "a value put back" "UPDATE events SET new_value = 'Остап' WHERE seq = $s1" "redacted were changed"
tamper "a kept date moved" "UPDATE events SET at = '2020-01-01T00:00:00Z' WHERE seq = $s1" "redacted were changed"
tamper "a kept digest changed" "UPDATE event_redacted SET digest = randomblob(32) WHERE seq = $screate" "does not hold"
tamper "a mark removed" "DELETE FROM event_redacted WHERE seq = $s1" "does not hold"
tamper "a mark added" "INSERT INTO event_redacted SELECT $sfree, digest, $purge FROM event_redacted WHERE seq = $s1" "does not hold"
tamper "a mark from no purge" "INSERT INTO event_redacted SELECT $sfree, digest, 1 FROM event_redacted WHERE seq = $s1" "does not hold"
tamper "the state put back" "UPDATE persons SET family_name = 'Гнатюкевич' WHERE id = 'A-1'" "person A-1 does not hold"
tamper "the purge entry changed" "UPDATE audit SET detail = replace(detail, 'A-2', 'A-9') WHERE action = 'purge'" "does not hold"

# A backup of the purged register holds no erased name either.
"$CARTEL" backup -o "$WORK/b.db" >/dev/null || fail backup
grep -a -q "Гнатюкевич" "$WORK/b.db" && fail "the backup holds a purged name"
echo ok
