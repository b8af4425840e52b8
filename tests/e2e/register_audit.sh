# The audit chain against changes made behind cartel's back with the
# sqlite3 shell: a changed event, a changed person, an inserted person, a
# deleted middle entry and a deleted last entry are each named.
set -u
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
command -v sqlite3 >/dev/null || fail "the sqlite3 shell is missing (scripts/deps.sh)"
DB="$WORK/r.db"
"$CARTEL" --db "$DB" init >/dev/null || fail init
printf 'id,family_name,held_by,health\nUA-1,Melnyk,RU,good\nUA-2,Boyko,RU,sick\n' >"$WORK/l.csv"
"$CARTEL" --db "$DB" import csv "$WORK/l.csv" >/dev/null || fail import
"$CARTEL" --db "$DB" event add UA-1 health sick --by m --source icrc_visit >/dev/null || fail event
"$CARTEL" --db "$DB" event add UA-2 consent willing --by m --source icrc_visit >/dev/null || fail event
"$CARTEL" --db "$DB" audit verify >"$WORK/out" || fail "clean register does not verify"
HEAD=$(sed -n 's/^head //p' "$WORK/out")
[ ${#HEAD} = 64 ] || fail "no head hash"
"$CARTEL" --db "$DB" audit verify --head "$HEAD" >/dev/null || fail "--head"
sqlite3 "$DB" 'PRAGMA wal_checkpoint(TRUNCATE)' >/dev/null

# check SQL WORDS: tamper a copy, verify must fail naming WORDS.
check() {
	cp "$DB" "$WORK/t.db"
	sqlite3 "$WORK/t.db" "$1" || fail "sql: $1"
	"$CARTEL" --db "$WORK/t.db" audit verify >"$WORK/out" 2>&1
	code=$?
	[ $code = 1 ] || { cat "$WORK/out"; fail "exit $code after: $1"; }
	grep -qF -- "$2" "$WORK/out" || { cat "$WORK/out"; fail "no '$2' after: $1"; }
	rm -f "$WORK/t.db" "$WORK/t.db-wal" "$WORK/t.db-shm"
}
check "UPDATE events SET new_value='good' WHERE field='health'" "audit entry 2 does not hold"
check "UPDATE persons SET health='good' WHERE id='UA-1'" "person UA-1 does not hold"
check "INSERT INTO persons(id) VALUES('FAKE')" "person FAKE does not hold"
check "DELETE FROM audit WHERE seq=2" "audit entry 2 does not hold: it is missing"
check "DELETE FROM audit WHERE seq=3" "audit entry 3 does not hold"
check "UPDATE audit SET detail='x' WHERE seq=1" "audit entry 1 does not hold"
check "DELETE FROM audit_head" "head"
# The last entry and all it covers, head and state moved back: only the
# head noted above tells.
cp "$DB" "$WORK/t.db"
sqlite3 "$WORK/t.db" "DELETE FROM audit WHERE seq=3; DELETE FROM events WHERE audit=3;
UPDATE persons SET consent='not_asked', source='official_list' WHERE id='UA-2';
UPDATE audit_head SET seq=2, hash=(SELECT hash FROM audit WHERE seq=2)" || fail sql
"$CARTEL" --db "$WORK/t.db" audit verify >/dev/null 2>&1 || fail "a consistent rollback should verify without --head"
"$CARTEL" --db "$WORK/t.db" audit verify --head "$HEAD" >"$WORK/out" 2>&1 && fail "--head did not catch the rollback"
grep -q "not the expected" "$WORK/out" || fail "--head message"
"$CARTEL" --db "$DB" --json audit verify >"$WORK/out" || fail json
grep -q '"ok": true' "$WORK/out" || fail "json ok"
echo ok
