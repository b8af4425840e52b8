/*
 * The hash-chained audit log, and its verification.
 *
 * Each entry's hash is the SHA-256 of the previous entry's hash followed by
 * the entry's own content (sequence number, time, actor, action, subject,
 * detail, and the number and SHA-256 of the event rows it covers). Every
 * event row names the entry that covers it, and rows are written before
 * their entry, so a batch of imported rows costs one entry, not one per
 * row. The chain's last link is also kept in audit_head, so that removing
 * the last entry leaves a head pointing at nothing.
 *
 * Encoding for hashing: each value as a 4-byte big-endian length and its
 * bytes, NULL as the length 0xFFFFFFFF; numbers as decimal text. The
 * encoding is unambiguous, so no two different rows hash alike by
 * concatenation. An event row enters its entry's SHA-256 of events as its
 * seq, its entry's seq and the BLAKE2b-256 digest of its content (person
 * id, field, values, actor, time, source, reference, note): the content's
 * digest depends on nothing the database assigns, so the import's reader
 * thread computes it while the writer writes.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cartel/error.h>
#include <cartel/register.h>
#include <cartel/store.h>

#include "core/why.h"
#include "store/store_cols.h"
#include "store/store_int.h"

#define GENESIS                                                                \
	"0000000000000000000000000000000000000000000000000000000000000000"

static void
enc(crypto_hash_sha256_state *st, const char *s)
{
	unsigned char len[4];
	uint32_t n = s == NULL ? 0xFFFFFFFFu : (uint32_t)strlen(s);
	len[0] = (unsigned char)(n >> 24);
	len[1] = (unsigned char)(n >> 16);
	len[2] = (unsigned char)(n >> 8);
	len[3] = (unsigned char)n;
	crypto_hash_sha256_update(st, len, 4);
	if (s != NULL)
		crypto_hash_sha256_update(st, (const unsigned char *)s, n);
}

static void
enc_int(crypto_hash_sha256_state *st, long long v)
{
	/* Decimal by hand: this runs twice for every imported row. */
	char buf[24];
	size_t k = sizeof buf - 1;
	unsigned long long u =
		v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
	buf[k] = '\0';
	do {
		buf[--k] = (char)('0' + u % 10);
		u /= 10;
	} while (u > 0);
	if (v < 0)
		buf[--k] = '-';
	enc(st, buf + k);
}

static void
hex(const unsigned char *h, char out[65])
{
	sodium_bin2hex(out, 65, h, crypto_hash_sha256_BYTES);
}

/* As enc(), into a BLAKE2b state. */
static void
enc_b2(crypto_generichash_state *st, const char *s)
{
	unsigned char len[4];
	uint32_t n = s == NULL ? 0xFFFFFFFFu : (uint32_t)strlen(s);
	len[0] = (unsigned char)(n >> 24);
	len[1] = (unsigned char)(n >> 16);
	len[2] = (unsigned char)(n >> 8);
	len[3] = (unsigned char)n;
	crypto_generichash_update(st, len, 4);
	if (s != NULL)
		crypto_generichash_update(st, (const unsigned char *)s, n);
}

void
cartel__event_digest(const struct cartel__event_row *ev,
		     unsigned char out[CARTEL__DIGEST_BYTES])
{
	/* BLAKE2b-256: several times quicker than SHA-256 in software,
	 * and this runs once for every row of an import. The entry that
	 * covers the row hashes the digest again with SHA-256. */
	crypto_generichash_state st;
	crypto_generichash_init(&st, NULL, 0, CARTEL__DIGEST_BYTES);
	enc_b2(&st, ev->person_id);
	enc_b2(&st, ev->field);
	enc_b2(&st, ev->old_value);
	enc_b2(&st, ev->new_value);
	enc_b2(&st, ev->actor);
	enc_b2(&st, ev->at);
	enc_b2(&st, ev->source);
	enc_b2(&st, ev->source_ref);
	enc_b2(&st, ev->note);
	crypto_generichash_final(&st, out, CARTEL__DIGEST_BYTES);
}

void
cartel__event_hash_digest(crypto_hash_sha256_state *st, long long seq,
			  long long audit,
			  const unsigned char digest[CARTEL__DIGEST_BYTES])
{
	enc_int(st, seq);
	enc_int(st, audit);
	crypto_hash_sha256_update(st, digest, CARTEL__DIGEST_BYTES);
}

void
cartel__event_hash(crypto_hash_sha256_state *st,
		   const struct cartel__event_row *ev)
{
	unsigned char d[CARTEL__DIGEST_BYTES];
	cartel__event_digest(ev, d);
	cartel__event_hash_digest(st, ev->seq, ev->audit, d);
}

struct entry {
	long long seq;
	const char *at, *actor, *action, *subject, *detail;
	long long n_events;
	const char *events_hash, *prev;
};

static void
entry_hash(const struct entry *e, char out[65])
{
	crypto_hash_sha256_state st;
	unsigned char h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256_init(&st);
	enc(&st, e->prev);
	enc_int(&st, e->seq);
	enc(&st, e->at);
	enc(&st, e->actor);
	enc(&st, e->action);
	enc(&st, e->subject);
	enc(&st, e->detail);
	enc_int(&st, e->n_events);
	enc(&st, e->events_hash);
	crypto_hash_sha256_final(&st, h);
	hex(h, out);
}

/* The last entry's seq and hash (0 and the genesis hash when none). */
static int
last_entry(struct cartel_db *db, long long *seq, char hash[65], char **why)
{
	sqlite3_stmt *st = cartel__db_stmt(
		db, CARTEL__ST_AUDIT_LAST,
		"SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1", why);
	if (st == NULL)
		return CARTEL_EDB;
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*seq = sqlite3_column_int64(st, 0);
		const char *h = (const char *)sqlite3_column_text(st, 1);
		snprintf(hash, 65, "%s", h != NULL ? h : "");
		sqlite3_reset(st);
		return 0;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return cartel__db_err(db, rc, "reading the audit log", why);
	*seq = 0;
	memcpy(hash, GENESIS, 65);
	return 0;
}

int
cartel__audit_next(struct cartel_db *db, long long *seq, char **why)
{
	char hash[65];
	long long last;
	int err = last_entry(db, &last, hash, why);
	if (err == 0)
		*seq = last + 1;
	return err;
}

int
cartel__audit_close(struct cartel_db *db, long long seq, const char *actor,
		    const char *action, const char *subject, const char *detail,
		    long long n_events, crypto_hash_sha256_state *events,
		    char **why)
{
	if (!cartel__db_in_write(db))
		return cartel__why(why, CARTEL_ESTATE,
				   "audit entry outside a transaction");
	long long last;
	char prev[65], events_hex[65], hash[65], now[32];
	int err = last_entry(db, &last, prev, why);
	if (err != 0)
		return err;
	if (seq != last + 1)
		return cartel__why(why, CARTEL_ESTATE,
				   "audit entry %lld written out of order "
				   "(last is %lld)",
				   seq, last);
	unsigned char h[crypto_hash_sha256_BYTES];
	if (events != NULL) {
		crypto_hash_sha256_final(events, h);
	} else {
		crypto_hash_sha256_state empty;
		crypto_hash_sha256_init(&empty);
		crypto_hash_sha256_final(&empty, h);
	}
	hex(h, events_hex);
	struct entry e = {seq,
			  cartel__now(now, sizeof now),
			  actor != NULL ? actor : "",
			  action != NULL ? action : "",
			  subject,
			  detail,
			  n_events,
			  events_hex,
			  prev};
	entry_hash(&e, hash);

	sqlite3_stmt *st = cartel__db_stmt(
		db, CARTEL__ST_AUDIT_INSERT,
		"INSERT INTO audit (seq, at, actor, action, subject, detail, "
		"n_events, events_hash, prev, hash) "
		"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
		why);
	if (st == NULL)
		return CARTEL_EDB;
	sqlite3_bind_int64(st, 1, e.seq);
	sqlite3_bind_text(st, 2, e.at, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, e.actor, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, e.action, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, e.subject, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, e.detail, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 7, e.n_events);
	sqlite3_bind_text(st, 8, e.events_hash, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 9, e.prev, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 10, hash, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return cartel__db_err(db, rc, "appending to the audit log",
				      why);
	st = cartel__db_stmt(db, CARTEL__ST_HEAD_SET,
			     "INSERT INTO audit_head (one, seq, hash) "
			     "VALUES (1, ?1, ?2) ON CONFLICT (one) DO UPDATE "
			     "SET seq = excluded.seq, hash = excluded.hash",
			     why);
	if (st == NULL)
		return CARTEL_EDB;
	sqlite3_bind_int64(st, 1, e.seq);
	sqlite3_bind_text(st, 2, hash, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return cartel__db_err(db, rc, "moving the audit head", why);
	return 0;
}

int
cartel_audit_append(struct cartel_db *db, const char *actor, const char *action,
		    const char *subject, const char *detail, char **why)
{
	if (actor == NULL || actor[0] == '\0' || action == NULL ||
	    action[0] == '\0')
		return cartel__why(why, CARTEL_EINVAL,
				   "an audit entry needs an actor and an "
				   "action");
	int own;
	int err = cartel__db_write_begin(db, &own, why);
	if (err != 0)
		return err;
	long long seq;
	err = cartel__audit_next(db, &seq, why);
	if (err == 0)
		err = cartel__audit_close(db, seq, actor, action, subject,
					  detail, 0, NULL, why);
	return cartel__db_write_end(db, own, err, why);
}

/* Verification. */

static const char *
col(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

static int
tamper(struct cartel_audit_report *rep, long long seq, char **why,
       const char *detail)
{
	if (rep->bad_entry == 0)
		rep->bad_entry = seq;
	return cartel__why(why, CARTEL_ETAMPER,
			   "audit entry %lld does not hold: %s", seq, detail);
}

/* Reads the next event row of `ev` into *row (with the person's id);
 * returns 1, 0 at the end, or an error. */
static int
next_event(struct cartel_db *db, sqlite3_stmt *ev,
	   struct cartel__event_row *row, char **why)
{
	int rc = sqlite3_step(ev);
	if (rc == SQLITE_DONE)
		return 0;
	if (rc != SQLITE_ROW)
		return cartel__db_err(db, rc, "reading events", why);
	row->seq = sqlite3_column_int64(ev, 0);
	row->person_id = col(ev, 1);
	row->field = col(ev, 2);
	row->old_value = col(ev, 3);
	row->new_value = col(ev, 4);
	row->actor = col(ev, 5);
	row->at = col(ev, 6);
	row->source = col(ev, 7);
	row->source_ref = col(ev, 8);
	row->note = col(ev, 9);
	row->audit = sqlite3_column_int64(ev, 10);
	return 1;
}

/* Feeds the current row of `ev` (read by next_event) into *st: from its
 * content, or, for a row a purge redacted, from the digest of its original
 * content kept beside it (retention.c checks what is left of the row). */
static void
event_hash_kept(sqlite3_stmt *ev, crypto_hash_sha256_state *st,
		const struct cartel__event_row *row)
{
	if (sqlite3_column_type(ev, 11) == SQLITE_BLOB &&
	    sqlite3_column_bytes(ev, 11) == CARTEL__DIGEST_BYTES)
		cartel__event_hash_digest(st, row->seq, row->audit,
					  sqlite3_column_blob(ev, 11));
	else
		cartel__event_hash(st, row);
}

/* The chain, and the event rows against the entries that cover them. */
static int
verify_chain(struct cartel_db *db, struct cartel_audit_report *rep, char **why)
{
	sqlite3 *sql = cartel__db_sqlite(db);
	sqlite3_stmt *au = NULL, *ev = NULL, *hd = NULL;
	int err = 0, rc;
	rc = sqlite3_prepare_v2(sql,
				"SELECT seq, at, actor, action, subject, "
				"detail, n_events, events_hash, prev, hash "
				"FROM audit ORDER BY seq",
				-1, &au, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(
			sql,
			"SELECT e.seq, p.id, e.field, e.old_value, "
			"e.new_value, e.actor, e.at, e.source, e.source_ref, "
			"e.note, e.audit, r.digest FROM events e "
			"LEFT JOIN persons p ON p.pk = e.person "
			"LEFT JOIN event_redacted r ON r.seq = e.seq "
			"ORDER BY e.seq",
			-1, &ev, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(sql,
					"SELECT seq, hash FROM audit_head "
					"WHERE one = 1",
					-1, &hd, NULL);
	if (rc != SQLITE_OK) {
		err = cartel__db_err(db, rc, "reading the audit log", why);
		goto done;
	}
	char prev[65] = GENESIS, hash[65];
	long long expect = 1;
	struct cartel__event_row row;
	int have = next_event(db, ev, &row, why);
	if (have < 0) {
		err = have;
		goto done;
	}
	while ((rc = sqlite3_step(au)) == SQLITE_ROW) {
		struct entry e = {sqlite3_column_int64(au, 0),
				  col(au, 1),
				  col(au, 2),
				  col(au, 3),
				  col(au, 4),
				  col(au, 5),
				  sqlite3_column_int64(au, 6),
				  col(au, 7),
				  col(au, 8)};
		const char *stored = col(au, 9);
		rep->n_entries++;
		if (e.seq != expect) {
			/* A gap: entry expect was deleted (or the chain
			 * starts late). */
			err = tamper(rep, expect, why,
				     "it is missing from the chain");
			goto done;
		}
		if (e.prev == NULL || strcmp(e.prev, prev) != 0) {
			err = tamper(rep, e.seq, why,
				     "its link to the previous entry is "
				     "broken");
			goto done;
		}
		entry_hash(&e, hash);
		if (stored == NULL || strcmp(stored, hash) != 0) {
			err = tamper(rep, e.seq, why,
				     "its content does not match its hash");
			goto done;
		}
		/* The event rows this entry covers. */
		crypto_hash_sha256_state st;
		crypto_hash_sha256_init(&st);
		long long n = 0;
		while (have == 1 && row.audit <= e.seq) {
			if (row.audit < e.seq) {
				/* An event added later that claims an
				 * earlier entry: that entry is the one
				 * that does not hold. */
				char *msg = cartel__asprintf(
					"event %lld claims it but was written "
					"after entry %lld",
					row.seq, e.seq - 1);
				err = tamper(rep, row.audit, why,
					     msg != NULL ? msg
							 : "an event is "
							   "out of place");
				free(msg);
				goto done;
			}
			event_hash_kept(ev, &st, &row);
			n++;
			rep->n_events++;
			have = next_event(db, ev, &row, why);
			if (have < 0) {
				err = have;
				goto done;
			}
		}
		unsigned char h[crypto_hash_sha256_BYTES];
		char events_hex[65];
		crypto_hash_sha256_final(&st, h);
		hex(h, events_hex);
		if (n != e.n_events || e.events_hash == NULL ||
		    strcmp(events_hex, e.events_hash) != 0) {
			char *msg = cartel__asprintf(
				"the %lld event rows it covers do not match "
				"(found %lld, changed, added or deleted)",
				e.n_events, n);
			err = tamper(rep, e.seq, why,
				     msg != NULL ? msg : "its events differ");
			free(msg);
			goto done;
		}
		memcpy(prev, hash, 65);
		expect++;
	}
	if (rc != SQLITE_DONE) {
		err = cartel__db_err(db, rc, "reading the audit log", why);
		goto done;
	}
	if (have == 1) {
		char *msg = cartel__asprintf(
			"event %lld claims entry %lld, which does not exist",
			row.seq, row.audit);
		err = tamper(rep, expect, why,
			     msg != NULL ? msg : "events past the chain's end");
		free(msg);
		goto done;
	}
	/* The head must be the last entry; an empty log has no head. */
	rc = sqlite3_step(hd);
	long long last = expect - 1;
	if (rc == SQLITE_ROW) {
		long long head_seq = sqlite3_column_int64(hd, 0);
		const char *head_hash = col(hd, 1);
		if (head_seq != last || last == 0 || head_hash == NULL ||
		    strcmp(head_hash, prev) != 0) {
			char *msg = cartel__asprintf(
				"the chain's head names entry %lld, but the "
				"log ends at entry %lld (entries deleted from "
				"the end, or the head changed)",
				head_seq, last);
			err = tamper(rep, last + 1, why,
				     msg != NULL ? msg : "head mismatch");
			free(msg);
			goto done;
		}
	} else if (rc == SQLITE_DONE) {
		if (last != 0) {
			err = tamper(rep, last, why,
				     "the chain's head is missing");
			goto done;
		}
	} else {
		err = cartel__db_err(db, rc, "reading the audit head", why);
		goto done;
	}
	snprintf(rep->head, sizeof rep->head, "%s", last ? prev : "");
done:
	sqlite3_finalize(au);
	sqlite3_finalize(ev);
	sqlite3_finalize(hd);
	return err;
}

/* The stored current state against the state rebuilt from the events,
 * person by person, streaming in persons-key order. */
static int
verify_state(struct cartel_db *db, struct cartel_audit_report *rep, char **why)
{
	sqlite3 *sql = cartel__db_sqlite(db);
	sqlite3_stmt *ps = NULL, *ev = NULL, *at = NULL;
	int err = 0, rc;
	rc = sqlite3_prepare_v2(sql,
				"SELECT pk, " CARTEL__PERSON_COLS
				" FROM persons ORDER BY pk",
				-1, &ps, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(sql,
					"SELECT person, field, new_value, "
					"source FROM events "
					"ORDER BY person, seq",
					-1, &ev, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(sql,
					"SELECT person, key, value FROM "
					"person_attrs ORDER BY person, key",
					-1, &at, NULL);
	if (rc != SQLITE_OK) {
		err = cartel__db_err(db, rc, "reading persons", why);
		goto done;
	}
	int ev_rc = sqlite3_step(ev), at_rc = sqlite3_step(at);
	while ((rc = sqlite3_step(ps)) == SQLITE_ROW) {
		long long pk = sqlite3_column_int64(ps, 0);
		struct cartel_person stored = {0}, built = {0};
		char *inner = NULL;
		err = cartel__person_from_row(ps, 1, &stored, &inner);
		const char *id = col(ps, 1);
		if (err != 0) {
			err = cartel__why(why, CARTEL_ETAMPER,
					  "person %s does not hold: stored "
					  "state unreadable (%s)",
					  id ? id : "?", inner ? inner : "");
			free(inner);
			goto done;
		}
		while (at_rc == SQLITE_ROW && sqlite3_column_int64(at, 0) < pk)
			at_rc = sqlite3_step(at);
		while (at_rc == SQLITE_ROW &&
		       sqlite3_column_int64(at, 0) == pk) {
			cartel_person_set_attr(&stored, col(at, 1), col(at, 2));
			at_rc = sqlite3_step(at);
		}
		while (ev_rc == SQLITE_ROW && sqlite3_column_int64(ev, 0) < pk)
			ev_rc = sqlite3_step(ev);
		long long n_ev = 0;
		while (err == 0 && ev_rc == SQLITE_ROW &&
		       sqlite3_column_int64(ev, 0) == pk) {
			const char *field = col(ev, 1);
			const char *value = col(ev, 2);
			if (field != NULL && strcmp(field, "*") == 0)
				err = cartel__person_apply_created(
					&built, value, &inner);
			else
				err = cartel__person_apply(&built, field, value,
							   &inner);
			/* The stored source is that of the newest claim. */
			if (err == 0 && field != NULL && strcmp(field, "*"))
				err = cartel__person_apply(&built, "source",
							   col(ev, 3), &inner);
			n_ev++;
			ev_rc = sqlite3_step(ev);
		}
		int same = err == 0 && n_ev > 0 &&
			   cartel_person_equal(&stored, &built);
		cartel_person_clear(&stored);
		cartel_person_clear(&built);
		free(inner);
		if (!same) {
			err = cartel__why(
				why, CARTEL_ETAMPER,
				"person %s does not hold: %s", id ? id : "?",
				n_ev == 0 ? "it has no events (added "
					    "behind the register's "
					    "back)"
					  : "the stored state differs "
					    "from what its events say");
			goto done;
		}
		rep->n_persons++;
	}
	if (rc != SQLITE_DONE)
		err = cartel__db_err(db, rc, "reading persons", why);
done:
	sqlite3_finalize(ps);
	sqlite3_finalize(ev);
	sqlite3_finalize(at);
	return err;
}

int
cartel_audit_verify(struct cartel_db *db, const char *expect_head,
		    struct cartel_audit_report *rep, char **why)
{
	memset(rep, 0, sizeof(*rep));
	/* One read transaction, so that the walk sees one snapshot even
	 * while a writer commits. */
	int own = !cartel__db_in_write(db);
	sqlite3 *sql = cartel__db_sqlite(db);
	if (own) {
		int rc = sqlite3_exec(sql, "BEGIN", NULL, NULL, NULL);
		if (rc != SQLITE_OK)
			return cartel__db_err(db, rc, "starting a read", why);
	}
	int err = verify_chain(db, rep, why);
	if (err == 0)
		err = cartel__redaction_verify(db, why);
	if (err == 0)
		err = verify_state(db, rep, why);
	if (err == 0 && expect_head != NULL &&
	    strcmp(expect_head, rep->head) != 0)
		err = cartel__why(why, CARTEL_ETAMPER,
				  "the chain's head is %s, not the expected "
				  "%.64s (entries removed from the end or the "
				  "log replaced)",
				  rep->head[0] ? rep->head : "(empty)",
				  expect_head);
	if (own)
		sqlite3_exec(sql, "COMMIT", NULL, NULL, NULL);
	return err;
}
