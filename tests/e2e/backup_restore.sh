# Backups taken while another process writes are consistent copies: each
# restores, verifies, and equals the register as it was at one commit (its
# events and audit entries are a prefix of the register's). An encrypted
# backup restores with its passphrase only; a damaged, tampered, foreign or
# cut backup is refused with the reason, and nothing is replaced.
set -u
WORK=$(mktemp -d)
trap 'touch "$WORK/stop" "$WORK/release"; wait; rm -rf "$WORK"' EXIT
export CARTEL_DB="$WORK/r.db"
fail() { echo "FAIL: $*"; exit 1; }
"$CARTEL" init >/dev/null || fail init
"$CARTEL" generate --per-side 1500 --seed 7 -o "$WORK/l.csv" || fail generate
"$CARTEL" import csv "$WORK/l.csv" >/dev/null || fail import
printf 'correct horse battery\n' >"$WORK/pw"

# A writer adds persons and events in a loop while the backups run.
(
	i=0
	while [ ! -e "$WORK/stop" ]; do
		i=$((i + 1))
		"$CARTEL" person add id=W-$i family_name=Writer$i held_by=UA \
			--by clerk --source official_list >/dev/null || exit 1
		"$CARTEL" event add W-$i health sick --by medic \
			--source icrc_visit >/dev/null || exit 1
	done
) &
writer=$!
# Let the writer start before the first copy.
n=0
while [ "$(sqlite3 -cmd ".timeout 5000" "$CARTEL_DB" "SELECT count(*) FROM persons WHERE id LIKE 'W-%'")" -lt 3 ]; do
	n=$((n + 1)); [ $n -lt 200 ] || fail "the writer never wrote"; sleep 0.1
done
for k in 1 2 3; do
	"$CARTEL" backup -o "$WORK/b$k.db" >/dev/null || fail "backup $k"
done
"$CARTEL" backup -o "$WORK/e.bak" --encrypt --passphrase-file "$WORK/pw" >/dev/null || fail "encrypted backup"
sleep 0.3
touch "$WORK/stop"
wait $writer || fail "the writer failed"
"$CARTEL" audit verify >/dev/null || fail "the register itself does not verify"

dump() { # the rows a copy must share with the register, in order
	sqlite3 "$1" "SELECT seq, person, field, coalesce(old_value,'~'), coalesce(new_value,'~'), at, audit FROM events ORDER BY seq" >"$2.ev"
	sqlite3 "$1" "SELECT seq, hash FROM audit ORDER BY seq" >"$2.au"
	sqlite3 "$1" "SELECT * FROM persons WHERE id NOT LIKE 'W-%' ORDER BY pk" >"$2.ps"
	sqlite3 "$1" "SELECT pk, id, family_name, held_by FROM persons WHERE id LIKE 'W-%' ORDER BY pk" >"$2.pw"
}
dump "$CARTEL_DB" "$WORK/src"
total=$(wc -l <"$WORK/src.au")
restore_and_compare() { # backup, name, extra restore args
	out="$WORK/$2.db"
	"$CARTEL" --db "$out" restore "$1" $3 >"$WORK/$2.out" 2>&1 || { cat "$WORK/$2.out"; fail "restore $2"; }
	"$CARTEL" --db "$out" audit verify >/dev/null || fail "$2 does not verify after restoring"
	dump "$out" "$WORK/$2"
	ne=$(wc -l <"$WORK/$2.ev"); na=$(wc -l <"$WORK/$2.au")
	[ "$na" -ge 1 ] || fail "$2 is empty"
	head -n "$ne" "$WORK/src.ev" | cmp -s - "$WORK/$2.ev" || fail "$2: events are not a prefix of the register's"
	head -n "$na" "$WORK/src.au" | cmp -s - "$WORK/$2.au" || fail "$2: audit entries are not a prefix of the register's"
	# The imported persons are as in the register; the writer's are a
	# prefix of the writer's.
	cmp -s "$WORK/src.ps" "$WORK/$2.ps" || fail "$2: imported persons differ"
	np=$(wc -l <"$WORK/$2.pw")
	head -n "$np" "$WORK/src.pw" | cmp -s - "$WORK/$2.pw" || fail "$2: the writer's persons are not a prefix"
	echo "$2: $na of $total audit entries, $np persons"
}
for k in 1 2 3; do
	restore_and_compare "$WORK/b$k.db" "r$k" ""
done
restore_and_compare "$WORK/e.bak" "re" "--passphrase-file $WORK/pw"
# Standard input works as well as a file.
"$CARTEL" --db "$WORK/stdin.db" restore "$WORK/e.bak" <"$WORK/pw" >/dev/null || fail "passphrase from standard input"
# The first copy was taken while the writer wrote.
[ "$(wc -l <"$WORK/r1.au")" -lt "$total" ] || fail "the writer wrote nothing after the first backup"

# The encrypted file carries no register bytes in the clear.
head -c 13 "$WORK/e.bak" | grep -q '^cartel-backup$' || fail "no format name"
grep -a -q "SQLite format 3" "$WORK/e.bak" && fail "plain SQLite inside the encrypted file"
grep -a -q "Writer1" "$WORK/e.bak" && fail "a name in the clear in the encrypted file"

# Refusals; the target register is never touched.
cp "$WORK/r1.db" "$WORK/keep.db"
sum() { sha256sum "$WORK/keep.db" | cut -c1-64; }
before=$(sum)
refuse() { # what, expected words, restore args...
	what=$1; words=$2; shift 2
	"$CARTEL" --db "$WORK/keep.db" restore "$@" --force >"$WORK/ref.out" 2>&1 && fail "$what: accepted"
	grep -q "$words" "$WORK/ref.out" || fail "$what: $(cat "$WORK/ref.out")"
	[ "$(sum)" = "$before" ] || fail "$what: the register was changed"
}
printf 'wrong horse battery\n' >"$WORK/bad"
refuse "wrong passphrase" "wrong passphrase" "$WORK/e.bak" --passphrase-file "$WORK/bad"
size=$(wc -c <"$WORK/e.bak")
head -c $((size - 100)) "$WORK/e.bak" >"$WORK/cut.bak"
refuse "cut encrypted backup" "damaged or was changed" "$WORK/cut.bak" --passphrase-file "$WORK/pw"
# Cut at a chunk's end (80-byte header, chunks of 65536 + 17 bytes).
head -c $((80 + 65553)) "$WORK/e.bak" >"$WORK/cut.bak"
refuse "encrypted backup cut between chunks" "cut short" "$WORK/cut.bak" --passphrase-file "$WORK/pw"
# Inverts every bit of the byte at an offset, so the file always changes
# (writing a fixed byte left it as it was when that byte was already there).
flip() {
	b=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
	printf "\\$(printf '%03o' $((255 - b)))" |
		dd of="$1" bs=1 seek="$2" conv=notrunc 2>/dev/null
}
cp "$WORK/e.bak" "$WORK/flip.bak"
flip "$WORK/flip.bak" 200000
refuse "changed encrypted backup" "damaged or was changed" "$WORK/flip.bak" --passphrase-file "$WORK/pw"
cp "$WORK/e.bak" "$WORK/hdr.bak"
flip "$WORK/hdr.bak" 39
refuse "changed header" "out of range\|wrong passphrase" "$WORK/hdr.bak" --passphrase-file "$WORK/pw"
cp "$WORK/b1.db" "$WORK/tamper.db"
sqlite3 "$WORK/tamper.db" "UPDATE persons SET health = 'good' WHERE id = 'W-1'" || fail "sqlite3"
refuse "tampered backup" "audit chain does not hold" "$WORK/tamper.db"
cp "$WORK/b1.db" "$WORK/damaged.db"
printf 'garbage!garbage!' | dd of="$WORK/damaged.db" bs=1 seek=32768 conv=notrunc 2>/dev/null
refuse "damaged backup" "damaged\|does not hold\|malformed" "$WORK/damaged.db"
sqlite3 "$WORK/foreign.db" "CREATE TABLE t (x); INSERT INTO t VALUES (1)"
refuse "foreign database" "not a cartel register" "$WORK/foreign.db"
cp "$WORK/b1.db" "$WORK/newer.db"
sqlite3 "$WORK/newer.db" "PRAGMA user_version = 999"
refuse "a backup from a newer cartel" "newer cartel" "$WORK/newer.db"
printf 'id,name\n1,x\n' >"$WORK/junk.bak"
refuse "not a backup" "not a cartel backup" "$WORK/junk.bak"
"$CARTEL" --db "$WORK/keep.db" restore "$WORK/b2.db" >"$WORK/ref.out" 2>&1 && fail "replaced without --force"
grep -q "give --force" "$WORK/ref.out" || fail "no --force: $(cat "$WORK/ref.out")"
# A register open in another process is not replaced under it.
( printf 'SELECT count(*) FROM persons;\n.shell touch %s\n' "$WORK/held"
  while [ ! -e "$WORK/release" ]; do sleep 0.1; done ) | sqlite3 "$WORK/keep.db" >/dev/null &
holder=$!
n=0
while [ ! -e "$WORK/held" ]; do n=$((n + 1)); [ $n -lt 100 ] || fail "no holder"; sleep 0.1; done
sleep 0.5
refuse "register in use" "another process" "$WORK/b2.db"
touch "$WORK/release"
wait $holder
"$CARTEL" --db "$WORK/keep.db" restore "$WORK/b2.db" --force >/dev/null || fail "restore --force"
"$CARTEL" --db "$WORK/keep.db" audit verify >/dev/null || fail "keep.db after --force"

# A backup from an older schema is upgraded in the copy, then verified:
# made older by undoing migration 0400-retention, when it is the last one.
latest=$(sqlite3 "$CARTEL_DB" "PRAGMA user_version")
pos=$(grep -o '{"[0-9][0-9][0-9][0-9]-[a-z-]*"' "$TOP/src/lib/store/migrations.c" | grep -n '"0400-retention"' | cut -d: -f1)
if [ "$pos" = "$latest" ]; then
	cp "$WORK/b1.db" "$WORK/older.db"
	sqlite3 "$WORK/older.db" "DROP TABLE retention_rule; DROP TABLE event_redacted; PRAGMA user_version = $((latest - 1))"
	"$CARTEL" --db "$WORK/fromolder.db" --json restore "$WORK/older.db" >"$WORK/older.out" || fail "restoring an older schema: $(cat "$WORK/older.out")"
	grep -q "\"schema_version\": $((latest - 1))" "$WORK/older.out" || fail "older: $(cat "$WORK/older.out")"
	[ "$(sqlite3 "$WORK/fromolder.db" "PRAGMA user_version")" = "$latest" ] || fail "the older copy was not upgraded"
else
	echo "older-schema restore not checked: 0400-retention is migration $pos of $latest"
fi

# A symbolic link at -o is refused, as for every file cartel writes: never
# written through, never silently replaced.
printf 'precious\n' >"$WORK/precious"
ln -s "$WORK/precious" "$WORK/link.db"
"$CARTEL" backup -o "$WORK/link.db" >/dev/null 2>"$WORK/link.err" && fail "backup over a link was accepted"
grep -q "symbolic link" "$WORK/link.err" || fail "backup over a link: $(cat "$WORK/link.err")"
[ "$(cat "$WORK/precious")" = precious ] || fail "written through a symbolic link"
[ -L "$WORK/link.db" ] || fail "the link was replaced"
ls "$WORK"/link.db.* 2>/dev/null && fail "a temporary was left beside the link"
# Passphrases never on the command line; the register is not its own backup.
"$CARTEL" backup -o "$WORK/x.bak" --encrypt --passphrase=secret123 2>/dev/null && fail "passphrase on argv"
"$CARTEL" backup -o "$CARTEL_DB" 2>/dev/null && fail "backup over the register"
ls "$WORK" | grep -q '\.tmp-' && fail "temporary files left: $(ls "$WORK")"
echo ok
