#!/bin/sh
# Every table that decides what cartel shows or does is covered by the
# audit chain: a row of pinned keys, round documents, stages, check-offs,
# inquiries or potential matches changed, added or deleted with the sqlite3
# shell makes `audit verify` fail naming the table and the row. A NUL
# inside a value, and a value rewritten to an equivalent spelling, are
# seen too. Commands that use a pin or a check-off refuse one that does not
# hold: a stranger's key put in place of a party's pin signs nothing.
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
$C plan --policy "$D/round_policy.yaml" -o "$T/plan.json" >/dev/null
$C key new --party UA -o "$T" >/dev/null
$C key new --party RU -o "$T" >/dev/null
$C round new --plan "$T/plan.json" --kind agreed --id R-T -o "$T/r.json" \
	>/dev/null
$C round sign "$T/r.json" --key "$T/UA.key" >/dev/null
$C round sign "$T/r.json" --key "$T/RU.key" >/dev/null
$C handover start "$T/r.json" >/dev/null || fail "handover start"
# One check-off done, the rest pending.
P1=$(sqlite3 "$DB" "SELECT person_id FROM round_handover r JOIN persons p
	ON p.id = r.person_id WHERE p.consent = 'willing' ORDER BY ord LIMIT 1")
P2=$(sqlite3 "$DB" "SELECT person_id FROM round_handover
	WHERE person_id <> '$P1' ORDER BY ord LIMIT 1")
$C handover check R-T "$P1" --as handed_over --by officer >/dev/null ||
	fail "check-off"
# Two inquiries with potential matches, one decided.
$C inquiry add --by hotline --family Коваленко --given Олександр \
	--born 1994 >/dev/null
$C inquiry add --by hotline --family Шевченко --given Сергій \
	--born 1990 >/dev/null
CAND=$(sqlite3 "$DB" "SELECT count(*) FROM match_candidate")
[ "$CAND" -ge 2 ] || fail "the inquiries found $CAND potential matches"
$C review reject INQ-000002 UA-2 --by clerk --why "not him" >/dev/null ||
	fail "review"
$C event add UA-3 attr:barracks 7 --by clerk --source icrc_visit >/dev/null
# An inquiry with a life: who asked, a change on its man due for a
# call-back.
$C inquiry add --by hotline --family Коваленко --given Олександр \
	--requester "Коваленко Ірина" --relation sister --contact "+380 1" \
	>/dev/null
PC=$(sqlite3 "$DB" "SELECT person_id FROM match_candidate
	WHERE inquiry_id = 'INQ-000003' AND state = 'pending' LIMIT 1")
[ -n "$PC" ] || fail "no candidate for the third inquiry"
$C event add "$PC" health sick --by clerk --source icrc_visit >/dev/null
HS=$(sqlite3 "$DB" "SELECT max(seq) FROM inquiry_history")
CB=$(sqlite3 "$DB" "SELECT max(seq) FROM inquiry_callback")
[ -n "$CB" ] || fail "no call-back due"
$C audit verify >"$T/out" || fail "the untouched register: $(cat "$T/out")"
for t in round_key_pin round_doc round_stage round_handover match_inquiry \
	match_candidate inquiry_history inquiry_callback; do
	n=$(sqlite3 "$DB" "SELECT count(*) FROM $t")
	[ "$n" -gt 0 ] || fail "no $t rows to tamper with"
done

# tampered SQL TEXT...: the SQL on a copy of the register makes
# `audit verify` fail, saying each TEXT.
tampered() {
	rm -f "$T/t.db" "$T/t.db-wal" "$T/t.db-shm"
	cp "$DB" "$T/t.db"
	sqlite3 "$T/t.db" "$1" || fail "sql: $1"
	shift
	if $CARTEL --db "$T/t.db" audit verify >"$T/out" 2>"$T/err"; then
		fail "verified after: $*"
	fi
	for w in "$@"; do
		grep -qF -- "$w" "$T/err" ||
			fail "no '$w' in: $(cat "$T/err")"
	done
}
CH="changed behind"
AD="added behind"
DE="deleted behind"

# Pinned keys.
tampered "UPDATE round_key_pin SET pinned_by = 'x' WHERE party = 'UA'" \
	"round_key_pin row (1)" "$CH"
tampered "INSERT INTO round_key_pin (seq, party, public_key, fingerprint,
	pinned_at, pinned_by, replaced_at) SELECT 9, 'XX', public_key,
	fingerprint, pinned_at, pinned_by, pinned_at FROM round_key_pin
	WHERE party = 'UA'" "round_key_pin row (9)" "$AD"
tampered "DELETE FROM round_key_pin WHERE party = 'RU'" \
	"round_key_pin row (2)" "$DE"
# Round documents.
tampered "UPDATE round_doc SET document = replace(document, 'UA-1', 'UA-9')" \
	"round_doc row (R-T)" "$CH"
tampered "INSERT INTO round_doc SELECT 'R-X', version, digest, document,
	started_at, started_by FROM round_doc" "round_doc row (R-X)" "$AD"
tampered "DELETE FROM round_handover; DELETE FROM round_stage;
	DELETE FROM round_doc" "round_doc row (R-T)" "$DE"
# Stages.
tampered "UPDATE round_stage SET closed_at = '2026-01-01T00:00:00Z',
	closed_by = 'x' WHERE stage = 1" "round_stage row (R-T, 1)" "$CH"
tampered "INSERT INTO round_stage (round_id, stage) VALUES ('R-T', 7)" \
	"round_stage row (R-T, 7)" "$AD"
tampered "DELETE FROM round_handover WHERE stage = 1;
	DELETE FROM round_stage WHERE stage = 1" "round_stage row (R-T, 1)" \
	"$DE"
# Check-offs: a pending one rewritten to received.
tampered "UPDATE round_handover SET outcome = 'received',
	checked_at = '2026-01-02T03:04:05Z', checked_by = 'officer'
	WHERE person_id = '$P2'" "round_handover row (R-T, $P2)" "$CH"
tampered "INSERT INTO round_handover (round_id, person_id, ord, side, stage,
	direct) VALUES ('R-T', 'UA-99', 99, 'UA', 1, 0)" \
	"round_handover row (R-T, UA-99)" "$AD"
tampered "DELETE FROM round_handover WHERE person_id = '$P1'" \
	"round_handover row (R-T, $P1)" "$DE"
# Inquiries.
tampered "UPDATE match_inquiry SET status = 'resolved'
	WHERE id = 'INQ-000002'" "match_inquiry row (INQ-000002)" "$CH"
tampered "INSERT INTO match_inquiry (id, created_at, created_by, family_name)
	VALUES ('INQ-000077', 'now', 'x', 'y')" \
	"match_inquiry row (INQ-000077)" "$AD"
tampered "DELETE FROM match_candidate WHERE inquiry_id = 'INQ-000001';
	DELETE FROM match_inquiry WHERE id = 'INQ-000001'" \
	"match_inquiry row (INQ-000001)" "$DE"
# Potential matches.
tampered "UPDATE match_candidate SET state = 'confirmed', decided_by = 'x'
	WHERE inquiry_id = 'INQ-000002' AND person_id = 'UA-2'" \
	"match_candidate row (INQ-000002, UA-2)" "$CH"
tampered "INSERT INTO match_candidate (inquiry_id, person_id, score, band,
	found_at) VALUES ('INQ-000001', 'UA-4', 0.99, 'match', 'now')" \
	"match_candidate row (INQ-000001, UA-4)" "$AD"
tampered "DELETE FROM match_candidate WHERE inquiry_id = 'INQ-000002'
	AND person_id = 'UA-2'" "match_candidate row (INQ-000002, UA-2)" "$DE"
# An inquiry's later columns: who asked, how to reach them, its state.
tampered "UPDATE match_inquiry SET contact = '+7 000'
	WHERE id = 'INQ-000003'" "match_inquiry row (INQ-000003)" "$CH"
tampered "UPDATE match_inquiry SET requester = NULL
	WHERE id = 'INQ-000003'" "match_inquiry row (INQ-000003)" "$CH"
tampered "UPDATE match_inquiry SET state = 'closed'
	WHERE id = 'INQ-000003'" "match_inquiry row (INQ-000003)" "$CH"
tampered "UPDATE match_inquiry SET relation = 'mother'
	WHERE id = 'INQ-000001'" "match_inquiry row (INQ-000001)" "$CH"
# Inquiry history.
tampered "UPDATE inquiry_history SET actor = 'x' WHERE seq = $HS" \
	"inquiry_history row ($HS)" "$CH"
tampered "INSERT INTO inquiry_history (seq, inquiry_id, at, actor, what)
	VALUES (999, 'INQ-000003', 'now', 'x', 'closed')" \
	"inquiry_history row (999)" "$AD"
tampered "DELETE FROM inquiry_history WHERE seq = 1" \
	"inquiry_history row (1)" "$DE"
# Call-backs: one marked done behind the register's back, one forged,
# one taken out.
tampered "UPDATE inquiry_callback SET done_at = 'now', done_by = 'x'
	WHERE seq = $CB" "inquiry_callback row ($CB)" "$CH"
tampered "INSERT INTO inquiry_callback (seq, inquiry_id, person_id,
	event_seq, queued_at) VALUES (999, 'INQ-000003', '$PC', 1, 'now')" \
	"inquiry_callback row (999)" "$AD"
tampered "DELETE FROM inquiry_callback WHERE seq = $CB" \
	"inquiry_callback row ($CB)" "$DE"
# The commands that read them refuse a row that does not hold.
cp "$DB" "$T/i.db"
sqlite3 "$T/i.db" "UPDATE inquiry_callback SET person_id = 'UA-9'
	WHERE seq = $CB"
if $CARTEL --db "$T/i.db" inquiry callbacks >"$T/out" 2>"$T/err"; then
	fail "the call-back list read a rewritten row"
fi
grep -qF "inquiry_callback row ($CB)" "$T/err" ||
	fail "callbacks: $(cat "$T/err")"
if $CARTEL --db "$T/i.db" inquiry callbacks done INQ-000003 --by x \
	>"$T/out" 2>"$T/err"; then
	fail "a rewritten call-back was marked done"
fi
cp "$DB" "$T/i.db"
sqlite3 "$T/i.db" "UPDATE inquiry_history SET detail = 'x' WHERE seq = $HS"
if $CARTEL --db "$T/i.db" inquiry show INQ-000003 >"$T/out" 2>"$T/err"; then
	fail "inquiry show read a rewritten history"
fi
grep -qF "inquiry_history row ($HS)" "$T/err" || fail "show: $(cat "$T/err")"
cp "$DB" "$T/i.db"
sqlite3 "$T/i.db" "UPDATE match_inquiry SET state = 'open'
	WHERE id = 'INQ-000003'"
if $CARTEL --db "$T/i.db" inquiry close INQ-000003 --reason x --by y \
	>"$T/out" 2>"$T/err"; then
	fail "an inquiry rewritten behind the register's back was closed"
fi
grep -qF "match_inquiry row (INQ-000003)" "$T/err" ||
	fail "close: $(cat "$T/err")"
# A score changed by the least amount a REAL can change.
tampered "UPDATE match_candidate SET score = score + 1e-12
	WHERE inquiry_id = 'INQ-000002' AND person_id = 'UA-2'" \
	"match_candidate row (INQ-000002, UA-2)" "$CH"
# A ledger record forged to match a changed row: its entry no longer holds.
tampered "UPDATE audit_rows SET digest = zeroblob(32) WHERE seq = 1" \
	"does not hold" "row ledger records"

# NUL bytes: hashing counts every byte of a value.
tampered "UPDATE audit SET detail = detail || char(0) || 'x' WHERE seq = 1" \
	"audit entry 1 does not hold"
tampered "UPDATE events SET note = coalesce(note, '') || char(0) || 'x'
	WHERE seq = 1" "audit entry 1 does not hold" "event rows"
tampered "UPDATE persons SET family_name = family_name || char(0) || 'x'
	WHERE id = 'UA-3'" "person UA-3" "canonical"
tampered "UPDATE round_handover SET checked_by = checked_by || char(0) || 'x'
	WHERE person_id = '$P1'" "round_handover row (R-T, $P1)" "$CH"

# Equivalent spellings: one spelling per enum, one date form.
tampered "UPDATE persons SET status = upper(status) WHERE id = 'UA-3'" \
	"person UA-3" "its status is not stored in its one canonical form"
tampered "UPDATE persons SET health = 'Good' WHERE id = 'UA-4'" \
	"person UA-4" "health"
tampered "UPDATE persons SET birth_date = '1994-3-2' WHERE id = 'UA-1'" \
	"person UA-1" "birth_date"
tampered "UPDATE persons SET birth_date = '02.03.1994' WHERE id = 'UA-1'" \
	"person UA-1" "birth_date"
tampered "UPDATE person_attrs SET value = value || char(0) || 'x'" \
	"person UA-3" "attribute"
tampered "UPDATE round_handover SET outcome = upper(outcome)
	WHERE person_id = '$P1'" "round_handover row (R-T, $P1)" "$CH"

# The commands that act on a check-off refuse one that does not hold.
cp "$DB" "$T/c.db"
sqlite3 "$T/c.db" "UPDATE round_handover SET outcome = 'received',
	checked_at = '2026-01-02T03:04:05Z', checked_by = 'officer'
	WHERE person_id = '$P2'"
if $CARTEL --db "$T/c.db" handover check R-T "$P2" --as received \
	--by officer >"$T/out" 2>"$T/err"; then
	fail "a check-off rewritten behind the register's back was taken"
fi
grep -qF "round_handover row (R-T, $P2)" "$T/err" ||
	fail "check: $(cat "$T/err")"
if $CARTEL --db "$T/c.db" handover status R-T >"$T/out" 2>"$T/err"; then
	fail "the status listed a rewritten check-off"
fi
grep -qF "check-off cannot be trusted" "$T/err" ||
	fail "status: $(cat "$T/err")"

# A stranger's key put in place of UA's pin: a document the stranger
# signed is refused, not reported as holding.
mkdir "$T/x"
$CARTEL --db "$T/x/x.db" init >/dev/null
$CARTEL --db "$T/x/x.db" key new --party UA -o "$T/x" >/dev/null
$C plan --policy "$D/round_policy.yaml" -o "$T/plan-s.json" >/dev/null
$C round new --plan "$T/plan-s.json" --kind agreed --id R-S -o "$T/s.json" \
	>/dev/null
$C round sign "$T/s.json" --key "$T/x/UA.key" >/dev/null 2>&1 || true
$CARTEL --db "$T/x/x.db" round sign "$T/s.json" --key "$T/x/UA.key" \
	>/dev/null 2>&1 || true
$C round sign "$T/s.json" --key "$T/RU.key" >/dev/null
if $C round verify "$T/s.json" >/dev/null 2>&1; then
	fail "a stranger's signature verified against the real pin"
fi
XK=$(sqlite3 "$T/x/x.db" "SELECT hex(public_key) FROM round_key_pin")
XF=$(sqlite3 "$T/x/x.db" "SELECT fingerprint FROM round_key_pin")
sqlite3 "$DB" "UPDATE round_key_pin SET public_key = X'$XK',
	fingerprint = '$XF' WHERE party = 'UA' AND replaced_at IS NULL"
if $C round verify "$T/s.json" >"$T/out" 2>"$T/err"; then
	fail "round verify trusted a swapped pin: $(cat "$T/out")"
fi
grep -q "both signatures hold" "$T/out" && fail "both signatures hold"
grep -qF "pinned key of party UA cannot be trusted" "$T/err" ||
	fail "round verify: $(cat "$T/err")"
if $C handover start "$T/s.json" >"$T/out" 2>"$T/err"; then
	fail "handover start loaded a list signed by a stranger"
fi
grep -qF "pinned key of party UA" "$T/err" ||
	fail "handover start: $(cat "$T/err")"
$C audit verify >/dev/null 2>"$T/err" && fail "audit verify: swapped pin"
grep -qF "round_key_pin row (1)" "$T/err" || fail "verify: $(cat "$T/err")"
echo ok
