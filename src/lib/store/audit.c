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
 * An entry that wrote row ledger records (ledger.c: keys, rounds,
 * check-offs, inquiries, ...) also covers their number and SHA-256; other
 * entries hash as they did before the ledger existed.
 *
 * Encoding for hashing: each value as a 4-byte big-endian length and its
 * bytes, NULL as the length 0xFFFFFFFF; numbers as decimal text. The
 * length is the value's byte length as stored (sqlite3_column_bytes when
 * verifying), never strlen, so a NUL inside a value changes the hash; the
 * values cartel writes hold no NUL, so their digests are those the chain
 * always had. The encoding is unambiguous, so no two different rows hash
 * alike by concatenation.
 *
 * An event row enters its entry's SHA-256 of events as its
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

#include "core/intl.h"
#include "core/why.h"
#include "store/store_cols.h"
#include "store/store_int.h"

#define GENESIS                                                                \
	"0000000000000000000000000000000000000000000000000000000000000000"

void
cartel__enc_len4(unsigned char out[4], struct cartel__val v)
{
	uint32_t n = v.p == NULL ? 0xFFFFFFFFu : (uint32_t)v.n;
	out[0] = (unsigned char)(n >> 24);
	out[1] = (unsigned char)(n >> 16);
	out[2] = (unsigned char)(n >> 8);
	out[3] = (unsigned char)n;
}

void
cartel__enc_sha(crypto_hash_sha256_state *st, struct cartel__val v)
{
	unsigned char len[4];
	cartel__enc_len4(len, v);
	crypto_hash_sha256_update(st, len, 4);
	if (v.p != NULL)
		crypto_hash_sha256_update(st, v.p, v.n);
}

void
cartel__enc_b2(crypto_generichash_state *st, struct cartel__val v)
{
	unsigned char len[4];
	cartel__enc_len4(len, v);
	crypto_generichash_update(st, len, 4);
	if (v.p != NULL)
		crypto_generichash_update(st, v.p, v.n);
}

/* A C string as a value. Cartel's own strings hold no NUL, so their
 * strlen is their byte length as SQLite stores them. */
static struct cartel__val
cstr(const char *s)
{
	struct cartel__val v = {s, s != NULL ? strlen(s) : 0};
	return v;
}

struct cartel__val
cartel__col_val(sqlite3_stmt *st, int i)
{
	struct cartel__val v = {NULL, 0};
	switch (sqlite3_column_type(st, i)) {
	case SQLITE_NULL:
		break;
	case SQLITE_BLOB:
		v.p = sqlite3_column_blob(st, i);
		v.n = (size_t)sqlite3_column_bytes(st, i);
		if (v.p == NULL)
			v.p = "";
		break;
	default:
		/* Text first, then its length in bytes (SQLite's order). */
		v.p = sqlite3_column_text(st, i);
		v.n = (size_t)sqlite3_column_bytes(st, i);
		if (v.p == NULL)
			v.p = "";
		break;
	}
	return v;
}

static void
enc(crypto_hash_sha256_state *st, const char *s)
{
	cartel__enc_sha(st, cstr(s));
}

/* The decimal form of v into buf (24 bytes); returns where it starts. */
static const char *
decimal(char buf[24], long long v)
{
	size_t k = 23;
	unsigned long long u =
		v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
	buf[k] = '\0';
	do {
		buf[--k] = (char)('0' + u % 10);
		u /= 10;
	} while (u > 0);
	if (v < 0)
		buf[--k] = '-';
	return buf + k;
}

static void
enc_int(crypto_hash_sha256_state *st, long long v)
{
	/* Decimal by hand: this runs twice for every imported row. */
	char buf[24];
	enc(st, decimal(buf, v));
}

static void
hex(const unsigned char *h, char out[65])
{
	sodium_bin2hex(out, 65, h, crypto_hash_sha256_BYTES);
}

/* The content digest of an event from its nine values (person id, field,
 * old and new value, actor, time, source, reference, note). */
static void
event_digest_vals(const struct cartel__val v[9],
		  unsigned char out[CARTEL__DIGEST_BYTES])
{
	/* BLAKE2b-256: several times quicker than SHA-256 in software,
	 * and this runs once for every row of an import. The entry that
	 * covers the row hashes the digest again with SHA-256. */
	crypto_generichash_state st;
	crypto_generichash_init(&st, NULL, 0, CARTEL__DIGEST_BYTES);
	for (int i = 0; i < 9; i++)
		cartel__enc_b2(&st, v[i]);
	crypto_generichash_final(&st, out, CARTEL__DIGEST_BYTES);
}

void
cartel__event_digest(const struct cartel__event_row *ev,
		     unsigned char out[CARTEL__DIGEST_BYTES])
{
	struct cartel__val v[9] = {
		cstr(ev->person_id), cstr(ev->field),  cstr(ev->old_value),
		cstr(ev->new_value), cstr(ev->actor),  cstr(ev->at),
		cstr(ev->source),    cstr(ev->source_ref), cstr(ev->note)};
	event_digest_vals(v, out);
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

void
cartel__ledger_hash(crypto_hash_sha256_state *st, long long seq,
		    long long audit, struct cartel__val tbl,
		    struct cartel__val k1, struct cartel__val k2,
		    struct cartel__val digest)
{
	/* The same bytes as enc_int and cartel__enc_sha one by one, put
	 * together first: one update per record (a declaration received
	 * hashes one record per person). */
	char b1[24], b2[24];
	struct cartel__val v[6] = {{decimal(b1, seq), 0},
				   {decimal(b2, audit), 0},
				   tbl,
				   k1,
				   k2,
				   digest};
	v[0].n = strlen(v[0].p);
	v[1].n = strlen(v[1].p);
	unsigned char buf[640];
	size_t used = 0;
	for (int i = 0; i < 6; i++) {
		if (used + 4 + v[i].n > sizeof buf) {
			crypto_hash_sha256_update(st, buf, used);
			used = 0;
		}
		cartel__enc_len4(buf + used, v[i]);
		used += 4;
		if (v[i].p == NULL)
			continue;
		if (v[i].n > sizeof buf - used) {
			crypto_hash_sha256_update(st, buf, used);
			crypto_hash_sha256_update(st, v[i].p, v[i].n);
			used = 0;
		} else {
			memcpy(buf + used, v[i].p, v[i].n);
			used += v[i].n;
		}
	}
	crypto_hash_sha256_update(st, buf, used);
}

void
cartel__entry_hash(const struct cartel__entry *e, char out[65])
{
	crypto_hash_sha256_state st;
	unsigned char h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256_init(&st);
	cartel__enc_sha(&st, e->prev);
	enc_int(&st, e->seq);
	cartel__enc_sha(&st, e->at);
	cartel__enc_sha(&st, e->actor);
	cartel__enc_sha(&st, e->action);
	cartel__enc_sha(&st, e->subject);
	cartel__enc_sha(&st, e->detail);
	enc_int(&st, e->n_events);
	cartel__enc_sha(&st, e->events_hash);
	/* Entries without ledger rows (all those written before the ledger
	 * existed) hash exactly as before. */
	if (e->rows_hash.p != NULL) {
		enc_int(&st, e->n_rows);
		cartel__enc_sha(&st, e->rows_hash);
	}
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
	long long last = 0;
	int err = last_entry(db, &last, hash, why);
	if (err == 0)
		*seq = last + 1;
	return err;
}

/* Appends entry seq; with claim, it also covers the ledger records waiting
 * on the handle (cartel__ledger_touch). */
static int
audit_close(struct cartel_db *db, long long seq, const char *actor,
	    const char *action, const char *subject, const char *detail,
	    long long n_events, crypto_hash_sha256_state *events, int claim,
	    char **why)
{
	if (!cartel__db_in_write(db))
		return cartel__why(why, CARTEL_ESTATE,
				   "audit entry outside a transaction");
	long long last = 0;
	char prev[65], events_hex[65], rows_hex[65], hash[65], now[32];
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
	long long n_rows = 0;
	if (claim && cartel__db_ledger(db)->n > 0) {
		crypto_hash_sha256_state rows;
		crypto_hash_sha256_init(&rows);
		err = cartel__ledger_claim(db, seq, &rows, &n_rows, why);
		if (err != 0)
			return err;
		crypto_hash_sha256_final(&rows, h);
		hex(h, rows_hex);
	}
	struct cartel__entry e = {seq,
				  cstr(cartel__now(now, sizeof now)),
				  cstr(actor != NULL ? actor : ""),
				  cstr(action != NULL ? action : ""),
				  cstr(subject),
				  cstr(detail),
				  n_events,
				  cstr(events_hex),
				  cstr(prev),
				  n_rows,
				  cstr(n_rows > 0 ? rows_hex : NULL)};
	cartel__entry_hash(&e, hash);

	sqlite3_stmt *st = cartel__db_stmt(
		db, CARTEL__ST_AUDIT_INSERT,
		"INSERT INTO audit (seq, at, actor, action, subject, detail, "
		"n_events, events_hash, prev, hash, n_rows, rows_hash) "
		"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
		why);
	if (st == NULL)
		return CARTEL_EDB;
	sqlite3_bind_int64(st, 1, e.seq);
	sqlite3_bind_text(st, 2, e.at.p, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, e.actor.p, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, e.action.p, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, e.subject.p, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, e.detail.p, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 7, e.n_events);
	sqlite3_bind_text(st, 8, events_hex, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 9, prev, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 10, hash, -1, SQLITE_STATIC);
	if (n_rows > 0) {
		sqlite3_bind_int64(st, 11, n_rows);
		sqlite3_bind_text(st, 12, rows_hex, -1, SQLITE_STATIC);
	} else {
		sqlite3_bind_null(st, 11);
		sqlite3_bind_null(st, 12);
	}
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
cartel__audit_close(struct cartel_db *db, long long seq, const char *actor,
		    const char *action, const char *subject, const char *detail,
		    long long n_events, crypto_hash_sha256_state *events,
		    char **why)
{
	/* Person and event entries leave the ledger records to the module's
	 * own entry, written after them in the same transaction. The
	 * call-backs their events made due get an entry of their own. */
	int err = audit_close(db, seq, actor, action, subject, detail,
			      n_events, events, 0, why);
	if (err == 0 && cartel__db_due(db)->n > 0)
		err = cartel__inquiry_flush(db, actor, why);
	return err;
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
		err = audit_close(db, seq, actor, action, subject, detail, 0,
				  NULL, 1, why);
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

/* One event row as read for verification: its seq and entry, and the
 * digest of its content made from the stored bytes. */
struct ev_read {
	long long seq, audit;
	int bad_type; /* a value stored as something other than text */
	unsigned char digest[CARTEL__DIGEST_BYTES];
};

/* Reads the next event row of `ev`; returns 1, 0 at the end, or an error. */
static int
next_event(struct cartel_db *db, sqlite3_stmt *ev, struct ev_read *row,
	   char **why)
{
	int rc = sqlite3_step(ev);
	if (rc == SQLITE_DONE)
		return 0;
	if (rc != SQLITE_ROW)
		return cartel__db_err(db, rc, "reading events", why);
	row->seq = sqlite3_column_int64(ev, 0);
	row->audit = sqlite3_column_int64(ev, 10);
	row->bad_type = 0;
	struct cartel__val v[9];
	for (int i = 0; i < 9; i++) {
		int t = sqlite3_column_type(ev, i + 1);
		if (t != SQLITE_TEXT && t != SQLITE_NULL)
			row->bad_type = 1;
		v[i] = cartel__col_val(ev, i + 1);
	}
	/* A row a purge redacted enters its entry's hash through the digest
	 * of its original content, kept beside it (retention.c checks what
	 * is left of the row and that the mark belongs to a purge). */
	if (sqlite3_column_type(ev, 11) == SQLITE_BLOB &&
	    sqlite3_column_bytes(ev, 11) == CARTEL__DIGEST_BYTES)
		memcpy(row->digest, sqlite3_column_blob(ev, 11),
		       CARTEL__DIGEST_BYTES);
	else
		event_digest_vals(v, row->digest);
	return 1;
}

/* One ledger record as read for verification. */
struct led_read {
	long long seq, audit;
};

/* Reads the next ledger record of `lr` and hashes it into *st when st is
 * not NULL; returns 1, 0 at the end, or an error. The record is hashed
 * from the statement before the next step, while its values are valid. */
static int
next_ledger(struct cartel_db *db, sqlite3_stmt *lr, struct led_read *row,
	    char **why)
{
	int rc = sqlite3_step(lr);
	if (rc == SQLITE_DONE)
		return 0;
	if (rc != SQLITE_ROW)
		return cartel__db_err(db, rc, "reading the row ledger", why);
	row->seq = sqlite3_column_int64(lr, 0);
	row->audit = sqlite3_column_int64(lr, 1);
	return 1;
}

static void
hash_ledger(crypto_hash_sha256_state *st, sqlite3_stmt *lr)
{
	cartel__ledger_hash(st, sqlite3_column_int64(lr, 0),
			    sqlite3_column_int64(lr, 1),
			    cartel__col_val(lr, 2), cartel__col_val(lr, 3),
			    cartel__col_val(lr, 4), cartel__col_val(lr, 5));
}

/* Walks the rows of one stream (events or ledger records) that entry seq
 * covers; a row that claims an earlier entry was written after it. */
static int
misplaced(struct cartel_audit_report *rep, const char *what, long long row,
	  long long claims, long long seq, char **why)
{
	char *msg = cartel__asprintf(_("%s %lld claims it but was written "
				     "after entry %lld"),
				     what, row, seq - 1);
	int err = tamper(rep, claims, why,
			 msg != NULL ? msg : _("a row is out of place"));
	free(msg);
	return err;
}

/* The chain, and the event rows and ledger records against the entries
 * that cover them. */
static int
verify_chain(struct cartel_db *db, struct cartel_audit_report *rep, char **why)
{
	sqlite3 *sql = cartel__db_sqlite(db);
	sqlite3_stmt *au = NULL, *ev = NULL, *hd = NULL, *lr = NULL;
	int err = 0, rc;
	rc = sqlite3_prepare_v2(sql,
				"SELECT seq, at, actor, action, subject, "
				"detail, n_events, events_hash, prev, hash, "
				"n_rows, rows_hash FROM audit ORDER BY seq",
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
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(sql,
					"SELECT seq, audit, tbl, k1, k2, digest "
					"FROM audit_rows ORDER BY seq",
					-1, &lr, NULL);
	if (rc != SQLITE_OK) {
		err = cartel__db_err(db, rc, "reading the audit log", why);
		goto done;
	}
	char prev[65] = GENESIS, hash[65];
	long long expect = 1;
	struct ev_read row;
	struct led_read led;
	int have = next_event(db, ev, &row, why);
	int have_led = have < 0 ? have : next_ledger(db, lr, &led, why);
	if (have < 0 || have_led < 0) {
		err = have < 0 ? have : have_led;
		goto done;
	}
	while ((rc = sqlite3_step(au)) == SQLITE_ROW) {
		struct cartel__entry e = {sqlite3_column_int64(au, 0),
					  cartel__col_val(au, 1),
					  cartel__col_val(au, 2),
					  cartel__col_val(au, 3),
					  cartel__col_val(au, 4),
					  cartel__col_val(au, 5),
					  sqlite3_column_int64(au, 6),
					  cartel__col_val(au, 7),
					  cartel__col_val(au, 8),
					  sqlite3_column_int64(au, 10),
					  cartel__col_val(au, 11)};
		struct cartel__val stored = cartel__col_val(au, 9);
		rep->n_entries++;
		if (e.seq != expect) {
			/* A gap: entry expect was deleted (or the chain
			 * starts late). */
			err = tamper(rep, expect, why,
				     "it is missing from the chain");
			goto done;
		}
		if (e.prev.p == NULL || e.prev.n != 64 ||
		    memcmp(e.prev.p, prev, 64) != 0) {
			err = tamper(rep, e.seq, why,
				     "its link to the previous entry is "
				     "broken");
			goto done;
		}
		cartel__entry_hash(&e, hash);
		if (stored.p == NULL || stored.n != 64 ||
		    memcmp(stored.p, hash, 64) != 0) {
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
				err = misplaced(rep, _("event"), row.seq,
						row.audit, e.seq, why);
				goto done;
			}
			if (row.bad_type) {
				char *msg = cartel__asprintf(
					_("event %lld holds a value that is not "
					"text"),
					row.seq);
				err = tamper(rep, e.seq, why,
					     msg != NULL ? msg
							 : _("a value is not text"));
				free(msg);
				goto done;
			}
			cartel__event_hash_digest(&st, row.seq, row.audit,
						  row.digest);
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
		if (n != e.n_events || e.events_hash.p == NULL ||
		    e.events_hash.n != 64 ||
		    memcmp(events_hex, e.events_hash.p, 64) != 0) {
			char *msg = cartel__asprintf(
				_("the %lld event rows it covers do not match "
				"(found %lld, changed, added or deleted)"),
				e.n_events, n);
			err = tamper(rep, e.seq, why,
				     msg != NULL ? msg : _("its events differ"));
			free(msg);
			goto done;
		}
		/* The ledger records this entry covers. */
		crypto_hash_sha256_init(&st);
		n = 0;
		while (have_led == 1 && led.audit <= e.seq) {
			if (led.audit < e.seq) {
				err = misplaced(rep, _("row ledger record"),
						led.seq, led.audit, e.seq, why);
				goto done;
			}
			hash_ledger(&st, lr);
			n++;
			have_led = next_ledger(db, lr, &led, why);
			if (have_led < 0) {
				err = have_led;
				goto done;
			}
		}
		crypto_hash_sha256_final(&st, h);
		hex(h, events_hex);
		int rows_ok = e.rows_hash.p == NULL
				      ? n == 0
				      : n == e.n_rows && e.rows_hash.n == 64 &&
						memcmp(events_hex,
						       e.rows_hash.p, 64) == 0;
		if (!rows_ok) {
			char *msg = cartel__asprintf(
				_("the %lld row ledger records it covers do not "
				"match (found %lld, changed, added or deleted)"),
				e.rows_hash.p != NULL ? e.n_rows : 0, n);
			err = tamper(rep, e.seq, why,
				     msg != NULL ? msg
						 : _("its ledger records differ"));
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
	if (have == 1 || have_led == 1) {
		char *msg = cartel__asprintf(
			_("%s %lld claims entry %lld, which does not exist"),
			have == 1 ? _("event") : _("row ledger record"),
			have == 1 ? row.seq : led.seq,
			have == 1 ? row.audit : led.audit);
		err = tamper(rep, expect, why,
			     msg != NULL ? msg : _("rows past the chain's end"));
		free(msg);
		goto done;
	}
	/* The head must be the last entry; an empty log has no head. */
	rc = sqlite3_step(hd);
	long long last = expect - 1;
	if (rc == SQLITE_ROW) {
		long long head_seq = sqlite3_column_int64(hd, 0);
		struct cartel__val head_hash = cartel__col_val(hd, 1);
		if (head_seq != last || last == 0 || head_hash.p == NULL ||
		    head_hash.n != 64 || memcmp(head_hash.p, prev, 64) != 0) {
			char *msg = cartel__asprintf(
				_("the chain's head names entry %lld, but the "
				"log ends at entry %lld (entries deleted from "
				"the end, or the head changed)"),
				head_seq, last);
			err = tamper(rep, last + 1, why,
				     msg != NULL ? msg : _("head mismatch"));
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
	sqlite3_finalize(lr);
	return err;
}

/*
 * The stored persons row against the person rebuilt from its events, field
 * by field as stored bytes: each column must hold exactly the text cartel
 * writes for the rebuilt value (a status in lower case, a date as
 * YYYY-MM-DD, NULL when unknown), so that a value rewritten to an
 * equivalent spelling, or with a NUL byte inside, is seen as well as a
 * changed one. Returns the index of the first field that differs, or -1.
 */
static int
stored_differs(sqlite3_stmt *ps, int col0, const struct cartel_person *built)
{
	size_t n;
	const struct cartel_field *f = cartel_fields(&n);
	char buf[CARTEL_FIELD_TEXT_MAX];
	for (size_t i = 0; i < n; i++) {
		int c = col0 + (int)i;
		int type = sqlite3_column_type(ps, c);
		const char *canon =
			cartel_person_field_text(built, &f[i], buf, sizeof buf);
		if (type == SQLITE_NULL) {
			if (canon[0] != '\0')
				return (int)i;
			continue;
		}
		struct cartel__val v = cartel__col_val(ps, c);
		if (type != SQLITE_TEXT || v.n != strlen(canon) ||
		    memcmp(v.p, canon, v.n) != 0)
			return (int)i;
	}
	return -1;
}

/* Whether stored field i, read as cartel reads it, means what the rebuilt
 * person holds: then only its spelling was changed. */
static int
spelled_alike(sqlite3_stmt *ps, int col0, int i,
	      const struct cartel_person *built)
{
	size_t n;
	const struct cartel_field *f = &cartel_fields(&n)[i];
	struct cartel_person p = {0};
	char a[CARTEL_FIELD_TEXT_MAX], b[CARTEL_FIELD_TEXT_MAX];
	int alike = cartel_person_set_field(&p, f, col(ps, col0 + i), NULL) ==
			    0 &&
		    strcmp(cartel_person_field_text(&p, f, a, sizeof a),
			   cartel_person_field_text(built, f, b, sizeof b)) ==
			    0;
	cartel_person_clear(&p);
	return alike;
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
		struct cartel_person built = {0};
		char *inner = NULL;
		const char *id = col(ps, 1);
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
		free(inner);
		char what[160] = "";
		if (n_ev == 0) {
			snprintf(what, sizeof what,
				 "it has no events (added behind the "
				 "register's back)");
		} else if (err != 0) {
			err = 0;
			snprintf(what, sizeof what,
				 "the stored state differs from what its "
				 "events say");
		} else {
			int bad = stored_differs(ps, 1, &built);
			size_t n_f;
			if (bad >= 0 && spelled_alike(ps, 1, bad, &built))
				snprintf(what, sizeof what,
					 "its %s is not stored in its one "
					 "canonical form (rewritten behind the "
					 "register's back)",
					 cartel_fields(&n_f)[bad].name);
			else if (bad >= 0)
				snprintf(what, sizeof what,
					 "the stored state differs from what "
					 "its events say (%s)",
					 cartel_fields(&n_f)[bad].name);
		}
		/* The extra attributes: a text key and a non-empty text value
		 * without NUL bytes each, as rebuilt, and no others. */
		while (at_rc == SQLITE_ROW && sqlite3_column_int64(at, 0) < pk)
			at_rc = sqlite3_step(at);
		size_t n_attrs = 0;
		while (at_rc == SQLITE_ROW &&
		       sqlite3_column_int64(at, 0) == pk) {
			struct cartel__val k = cartel__col_val(at, 1);
			struct cartel__val v = cartel__col_val(at, 2);
			const char *want = NULL;
			if (sqlite3_column_type(at, 1) == SQLITE_TEXT &&
			    memchr(k.p, '\0', k.n) == NULL)
				want = cartel_person_attr(&built, k.p);
			if (what[0] == '\0' &&
			    (want == NULL ||
			     sqlite3_column_type(at, 2) != SQLITE_TEXT ||
			     v.n != strlen(want) || memcmp(v.p, want, v.n)))
				snprintf(what, sizeof what,
					 "an extra attribute differs from "
					 "what its events say");
			n_attrs++;
			at_rc = sqlite3_step(at);
		}
		if (what[0] == '\0' && n_attrs != built.n_extra)
			snprintf(what, sizeof what,
				 "an extra attribute differs from what its "
				 "events say");
		cartel_person_clear(&built);
		if (what[0] != '\0') {
			err = cartel__why(why, CARTEL_ETAMPER,
					  "person %s does not hold: %s",
					  id ? id : "?", what);
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
	if (err == 0)
		err = cartel__ledger_verify(db, &rep->n_rows, why);
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
