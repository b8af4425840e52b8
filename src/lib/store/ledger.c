/*
 * The row ledger: how the tables that are neither persons nor events come
 * under the audit chain (migration "0300-audit-rows").
 *
 * Persons and events are covered by the chain through the events (their
 * digests are hashed into each entry, and the persons rebuilt from them).
 * The other tables that decide what cartel shows or does (pinned keys,
 * round documents, stages, check-offs, inquiries, potential matches) are
 * covered row by row: every write to one of their rows appends a ledger
 * record to audit_rows (the audit entry it belongs to, the table, the row's
 * key and the BLAKE2b digest of the row's whole content, or NULL for a
 * deleted row), and the entry's hash covers the records it wrote as it
 * covers its events. `audit verify` then checks the records against the
 * chain, and every table against its records: a row changed, added or
 * deleted with the sqlite3 shell has no record to match.
 *
 * To cover a new table:
 *   1. add its name to enum cartel__ledger_table (store_int.h), before
 *      CARTEL__LT_N;
 *   2. add one LEDGER_TABLE line to `tables` below: its name, its key as
 *      one or two text expressions, every column of the row, and the WHERE
 *      clause that finds one row from its key texts ?1 and ?2 (through the
 *      table's own key, so that it uses the index);
 *   3. after every INSERT, UPDATE or DELETE of one of its rows, call
 *      cartel__ledger_touch(db, CARTEL__LT_..., k1, k2, why) in the same
 *      transaction, before the cartel_audit_append that records the change;
 *   4. where a command acts on a row it read, call cartel__ledger_check_row
 *      first and refuse what does not hold.
 * Existing rows of a table added to the registry later need a migration
 * whose `after` step records them (as cartel__ledger_start does).
 *
 * Columns added to a covered table later (ALTER TABLE ADD COLUMN, no
 * default) go in the LEDGER_TABLE_LATER line's `later` list: each is
 * hashed with its position only when it holds a value, so the rows
 * written before it came keep their recorded digests, while a value put
 * into it, changed or removed behind the register's back still shows.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cartel/error.h>
#include <cartel/store.h>

#include "core/why.h"
#include "store/store_int.h"

/* One covered table: the row found by its key texts ?1 and ?2, and every
 * row in key order; both select the key texts k1, k2 first, then every
 * column of the row (what the digest covers). */
struct ledger_table {
	const char *name;
	const char *one;
	const char *all;
	/* Every row without the later columns, for a file older than them
	 * (cartel__ledger_start on a file before "0300-audit-rows"). */
	const char *all_first;
	int n_first; /* columns before the later ones; 0: none later */
};

/* The key expressions are cast to text so that both sides of the
 * verification's merge sort alike (binary order of the key texts). */
#define LEDGER_TABLE(name, k1, k2, cols, where)                                \
	{name, "SELECT " k1 ", " k2 ", " cols " FROM " name " WHERE " where,   \
	 "SELECT " k1 ", " k2 ", " cols " FROM " name " ORDER BY 1, 2", NULL, 0}
#define LEDGER_TABLE_LATER(name, k1, k2, cols, n_cols, later, where)           \
	{name,                                                                 \
	 "SELECT " k1 ", " k2 ", " cols ", " later " FROM " name               \
	 " WHERE " where,                                                      \
	 "SELECT " k1 ", " k2 ", " cols ", " later " FROM " name               \
	 " ORDER BY 1, 2",                                                     \
	 "SELECT " k1 ", " k2 ", " cols " FROM " name " ORDER BY 1, 2", n_cols}

static const struct ledger_table tables[CARTEL__LT_N] = {
	[CARTEL__LT_KEY_PIN] = LEDGER_TABLE(
		"round_key_pin", "CAST(seq AS TEXT)", "''",
		"seq, party, public_key, fingerprint, pinned_at, pinned_by, "
		"replaced_at",
		"seq = CAST(?1 AS INTEGER)"),
	[CARTEL__LT_ROUND_DOC] = LEDGER_TABLE(
		"round_doc", "CAST(round_id AS TEXT)", "''",
		"round_id, version, digest, document, started_at, started_by",
		"round_id = ?1"),
	[CARTEL__LT_ROUND_STAGE] = LEDGER_TABLE(
		"round_stage", "CAST(round_id AS TEXT)", "CAST(stage AS TEXT)",
		"round_id, stage, closed_at, closed_by",
		"round_id = ?1 AND stage = CAST(?2 AS INTEGER)"),
	[CARTEL__LT_HANDOVER] = LEDGER_TABLE_LATER(
		"round_handover", "CAST(round_id AS TEXT)",
		"CAST(person_id AS TEXT)",
		"round_id, person_id, ord, side, stage, direct, outcome, "
		"checked_at, checked_by",
		9, "holder_id", "round_id = ?1 AND person_id = ?2"),
	[CARTEL__LT_INQUIRY] = LEDGER_TABLE_LATER(
		"match_inquiry", "CAST(id AS TEXT)", "''",
		"id, created_at, created_by, family_name, given_name, "
		"patronymic, birth_date, birth_place, service_number, contact, "
		"status",
		11,
		"requester, relation, typed, unit, last_seen_place, "
		"last_seen_on, state, closed_at, closed_by, closed_reason",
		"id = ?1"),
	[CARTEL__LT_CANDIDATE] = LEDGER_TABLE(
		"match_candidate", "CAST(inquiry_id AS TEXT)",
		"CAST(person_id AS TEXT)",
		"inquiry_id, person_id, score, band, explanation, found_at, "
		"state, decided_by, decided_at, reason",
		"inquiry_id = ?1 AND person_id = ?2"),
	[CARTEL__LT_RETENTION] = LEDGER_TABLE(
		"retention_rule", "CAST(status AS TEXT)", "''",
		"status, period, set_at, set_by", "status = ?1"),
	[CARTEL__LT_OWNER] = LEDGER_TABLE(
		"register_owner", "CAST(id AS TEXT)", "''",
		"id, role, name, set_at, set_by", "id = CAST(?1 AS INTEGER)"),
	[CARTEL__LT_DECL_MADE] = LEDGER_TABLE(
		"declaration_made", "CAST(kind AS TEXT)", "''",
		"kind, sequence, digest, n_persons, made_at, made_by",
		"kind = ?1"),
	[CARTEL__LT_DECL_RECEIVED] = LEDGER_TABLE(
		"declaration_received", "CAST(digest AS TEXT)", "''",
		"digest, party, kind, sequence, as_of, n_persons, received_at, "
		"received_by",
		"digest = ?1"),
	/* Three columns of key: party and kind travel as one "PARTY:kind"
	 * text (a party code has no ':'), split again to use the key. */
	[CARTEL__LT_DECL_PERSON] = LEDGER_TABLE(
		"declared_person", "CAST(party || ':' || kind AS TEXT)",
		"CAST(their_id AS TEXT)",
		"party, kind, their_id, fields, status, first_digest, "
		"last_digest",
		"party = substr(?1, 1, instr(?1, ':') - 1) AND "
		"kind = substr(?1, instr(?1, ':') + 1) AND their_id = ?2"),
	[CARTEL__LT_DECL_CHANGE] = LEDGER_TABLE(
		"declared_change", "CAST(digest AS TEXT)",
		"CAST(their_id AS TEXT)",
		"digest, their_id, change, old_fields, new_fields",
		"digest = ?1 AND their_id = ?2"),
	[CARTEL__LT_INQUIRY_HISTORY] = LEDGER_TABLE(
		"inquiry_history", "CAST(seq AS TEXT)", "''",
		"seq, inquiry_id, at, actor, what, person_id, detail",
		"seq = CAST(?1 AS INTEGER)"),
	[CARTEL__LT_CALLBACK] = LEDGER_TABLE(
		"inquiry_callback", "CAST(seq AS TEXT)", "''",
		"seq, inquiry_id, person_id, event_seq, queued_at, done_at, "
		"done_by",
		"seq = CAST(?1 AS INTEGER)"),
	[CARTEL__LT_MERGE] = LEDGER_TABLE(
		"person_merge", "CAST(seq AS TEXT)", "''",
		"seq, keep_id, other_id, merged_at, merged_by, reason, "
		"n_conflicts, unmerged_at, unmerged_by, unmerge_reason",
		"seq = CAST(?1 AS INTEGER)"),
	/* Two keys of two columns each: "PARTY:ID" (a party code has no
	 * ':'; our_party is '' for the register's own persons). */
	[CARTEL__LT_LINK] = LEDGER_TABLE(
		"identity_link", "CAST(their_party || ':' || their_id AS TEXT)",
		"CAST(our_party || ':' || our_id AS TEXT)",
		"their_party, their_id, our_party, our_id, their_kind, "
		"our_kind, state, probability, explanation, made_at, made_by, "
		"decided_at, decided_by, reason",
		"their_party = substr(?1, 1, instr(?1, ':') - 1) AND "
		"their_id = substr(?1, instr(?1, ':') + 1) AND "
		"our_party = substr(?2, 1, instr(?2, ':') - 1) AND "
		"our_id = substr(?2, instr(?2, ':') + 1)"),
	[CARTEL__LT_SHEET] = LEDGER_TABLE(
		"handover_sheet", "CAST(digest AS TEXT)", "CAST(role AS TEXT)",
		"digest, role, round_id, party, sequence, n_persons, at, by",
		"digest = ?1 AND role = ?2"),
	[CARTEL__LT_USER] = LEDGER_TABLE(
		"account_user", "CAST(name AS TEXT)", "''",
		"name, role, party, pw_hash, disabled, failures, "
		"locked_until, created_at, created_by, changed_at",
		"name = ?1"),
	[CARTEL__LT_SESSION] = LEDGER_TABLE(
		"account_session", "CAST(id_hash AS TEXT)", "''",
		"id_hash, user, csrf, created_at, seen_at", "id_hash = ?1"),
	[CARTEL__LT_ACCESS] = LEDGER_TABLE(
		"access_log", "CAST(seq AS TEXT)", "''",
		"seq, at, user, role, action, subject, decision, address",
		"seq = CAST(?1 AS INTEGER)"),
	[CARTEL__LT_CASE_CODE] = LEDGER_TABLE(
		"case_code", "CAST(hash AS TEXT)", "''",
		"hash, inquiry_id, created_at", "hash = ?1"),
	[CARTEL__LT_TRANSFER] = LEDGER_TABLE(
		"transfer_log", "CAST(seq AS TEXT)", "''",
		"seq, at, by, kind, n_persons, recipient, file, sha256",
		"seq = CAST(?1 AS INTEGER)"),
	[CARTEL__LT_RECEIVED] = LEDGER_TABLE(
		"round_received", "CAST(seq AS TEXT)", "''",
		"seq, round_id, version, kind, digest, parties, signed_by, "
		"document, received_at, received_by",
		"seq = CAST(?1 AS INTEGER)"),
	[CARTEL__LT_POLICY] = LEDGER_TABLE(
		"plan_policy", "CAST(name AS TEXT)", "''",
		"name, digest, yaml, added_at, added_by", "name = ?1"),
};

const char *
cartel__ledger_name(int t)
{
	return t >= 0 && t < CARTEL__LT_N ? tables[t].name : "?";
}

/*
 * The digest of a row of table t: the table's name, then each column as a
 * type tag and its value with its byte length (integers in decimal, reals
 * as their 8 IEEE bytes, big-endian), so that a value rewritten to another
 * type or spelling digests differently. A row's columns are fed one by one
 * (col_digest), from the row read back (row_digest) or from the text
 * values just written (cartel__ledger_touch_text), through a small buffer:
 * a row is a few dozen short pieces (tags, lengths, values), and the hash
 * is updated once per buffer instead of once per piece.
 */
struct row_hash {
	crypto_generichash_state h;
	size_t n;
	unsigned char buf[512];
};

static void
rh_put(struct row_hash *r, const void *p, size_t n)
{
	if (r->n + n > sizeof r->buf) {
		crypto_generichash_update(&r->h, r->buf, r->n);
		r->n = 0;
		if (n >= sizeof r->buf) {
			crypto_generichash_update(&r->h, p, n);
			return;
		}
	}
	memcpy(r->buf + r->n, p, n);
	r->n += n;
}

/* A value as cartel__enc_b2 feeds it: its length, then its bytes. */
static void
rh_val(struct row_hash *r, struct cartel__val v)
{
	unsigned char len[4];
	cartel__enc_len4(len, v);
	rh_put(r, len, 4);
	if (v.p != NULL)
		rh_put(r, v.p, v.n);
}

static void
digest_begin(int t, struct row_hash *r)
{
	crypto_generichash_init(&r->h, NULL, 0, CARTEL__DIGEST_BYTES);
	r->n = 0;
	struct cartel__val name = {tables[t].name, strlen(tables[t].name)};
	rh_val(r, name);
}

static void
digest_end(struct row_hash *r, unsigned char out[CARTEL__DIGEST_BYTES])
{
	crypto_generichash_update(&r->h, r->buf, r->n);
	crypto_generichash_final(&r->h, out, CARTEL__DIGEST_BYTES);
}

/* Column i (from 0) of table t's row, of SQLite type `type`, whose value
 * is v (for SQLITE_FLOAT, its 8 bytes big-endian). */
static void
col_digest(int t, struct row_hash *r, int i, int type, struct cartel__val v)
{
	if (tables[t].n_first > 0 && i >= tables[t].n_first) {
		/* A later column: nothing while it is empty, else its
		 * position, then as any other. */
		if (type == SQLITE_NULL)
			return;
		unsigned char mark[2] = {0xff,
					 (unsigned char)(i - tables[t].n_first)};
		rh_put(r, mark, 2);
	}
	unsigned char tag = (unsigned char)type;
	rh_put(r, &tag, 1);
	rh_val(r, v);
}

/* The digest of the row under statement st (columns 2 on). */
static void
row_digest(int t, sqlite3_stmt *st, unsigned char out[CARTEL__DIGEST_BYTES])
{
	struct row_hash h;
	digest_begin(t, &h);
	int n = sqlite3_column_count(st);
	for (int i = 2; i < n; i++) {
		int type = sqlite3_column_type(st, i);
		if (type == SQLITE_FLOAT) {
			double d = sqlite3_column_double(st, i);
			uint64_t u;
			unsigned char b[8];
			memcpy(&u, &d, sizeof u);
			for (int k = 0; k < 8; k++)
				b[k] = (unsigned char)(u >> (56 - 8 * k));
			struct cartel__val v = {b, 8};
			col_digest(t, &h, i - 2, type, v);
		} else {
			/* Integers read as text give their decimal form. */
			col_digest(t, &h, i - 2, type, cartel__col_val(st, i));
		}
	}
	digest_end(&h, out);
}

/* The cached statement that reads one row of table t, with its key bound;
 * NULL and *why on failure. */
static sqlite3_stmt *
one_row(struct cartel_db *db, int t, const char *k1, const char *k2,
	char **why)
{
	sqlite3_stmt *st =
		cartel__db_stmt(db, CARTEL__ST_LEDGER_ROW + t, tables[t].one, why);
	if (st == NULL)
		return NULL;
	sqlite3_bind_text(st, 1, k1, -1, SQLITE_TRANSIENT);
	if (sqlite3_bind_parameter_count(st) >= 2)
		sqlite3_bind_text(st, 2, k2 != NULL ? k2 : "", -1,
				  SQLITE_TRANSIENT);
	return st;
}

void
cartel__ledger_pending_clear(struct cartel__ledger_pending *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->v[i].k1);
	free(p->v);
	p->v = NULL;
	p->n = p->cap = 0;
}

static int
pending_push(struct cartel__ledger_pending *p, int t, const void *k1,
	     size_t n1, const void *k2, size_t n2, const unsigned char *digest)
{
	if (p->n == p->cap) {
		size_t cap = p->cap ? 2 * p->cap : 8;
		struct cartel__ledger_rec *v = realloc(p->v, cap * sizeof *v);
		if (v == NULL)
			return CARTEL_ENOMEM;
		p->v = v;
		p->cap = cap;
	}
	struct cartel__ledger_rec *r = &p->v[p->n];
	r->table = t;
	/* Both keys in one block: k2 follows k1's NUL; k1 owns it. */
	r->k1 = malloc(n1 + n2 + 2);
	if (r->k1 == NULL)
		return CARTEL_ENOMEM;
	r->k2 = r->k1 + n1 + 1;
	memcpy(r->k1, k1, n1);
	r->k1[n1] = '\0';
	memcpy(r->k2, k2, n2);
	r->k2[n2] = '\0';
	r->deleted = digest == NULL;
	if (digest != NULL)
		memcpy(r->digest, digest, CARTEL__DIGEST_BYTES);
	p->n++;
	return 0;
}

int
cartel__ledger_touch(struct cartel_db *db, int t, const char *k1,
		     const char *k2, char **why)
{
	if (t < 0 || t >= CARTEL__LT_N || k1 == NULL)
		return cartel__why(why, CARTEL_EINVAL, "bad ledger table");
	if (!cartel__db_in_write(db))
		return cartel__why(why, CARTEL_ESTATE,
				   "%s row written outside a transaction",
				   tables[t].name);
	if (k2 == NULL)
		k2 = "";
	sqlite3_stmt *st = one_row(db, t, k1, k2, why);
	if (st == NULL)
		return CARTEL_EDB;
	unsigned char d[CARTEL__DIGEST_BYTES];
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		row_digest(t, st, d);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return cartel__db_err(db, rc, "recording a row in the ledger",
				      why);
	int err = pending_push(cartel__db_ledger(db), t, k1, strlen(k1), k2,
			       strlen(k2), rc == SQLITE_ROW ? d : NULL);
	return err != 0 ? cartel__why(why, err, "out of memory") : 0;
}

int
cartel__ledger_touch_text(struct cartel_db *db, int t, const char *k1,
			  const char *k2, const char *const *cols, int n_cols,
			  char **why)
{
	if (t < 0 || t >= CARTEL__LT_N || k1 == NULL || n_cols < 1)
		return cartel__why(why, CARTEL_EINVAL, "bad ledger table");
	if (!cartel__db_in_write(db))
		return cartel__why(why, CARTEL_ESTATE,
				   "%s row written outside a transaction",
				   tables[t].name);
	if (k2 == NULL)
		k2 = "";
	struct row_hash h;
	unsigned char d[CARTEL__DIGEST_BYTES];
	digest_begin(t, &h);
	for (int i = 0; i < n_cols; i++) {
		struct cartel__val v = {cols[i], cols[i] ? strlen(cols[i]) : 0};
		col_digest(t, &h, i, cols[i] ? SQLITE_TEXT : SQLITE_NULL, v);
	}
	digest_end(&h, d);
	int err = pending_push(cartel__db_ledger(db), t, k1, strlen(k1), k2,
			       strlen(k2), d);
	return err != 0 ? cartel__why(why, err, "out of memory") : 0;
}

/* "INSERT INTO audit_rows (...) VALUES (...), ..." with k rows of
 * parameters, into buf (at least 64 + 24 * k bytes). */
static void
ledger_insert_sql(char *buf, size_t size, size_t k)
{
	size_t at = (size_t)snprintf(buf, size,
				     "INSERT INTO audit_rows (seq, audit, tbl,"
				     " k1, k2, digest) VALUES ");
	for (size_t j = 0; j < k && at < size; j++)
		at += (size_t)snprintf(buf + at, size - at, "%s(?,?,?,?,?,?)",
				       j ? "," : "");
}

int
cartel__ledger_claim(struct cartel_db *db, long long seq,
		     crypto_hash_sha256_state *hs, long long *n, char **why)
{
	struct cartel__ledger_pending *p = cartel__db_ledger(db);
	*n = 0;
	/* Each record's number is given, the next after the last: the
	 * number SQLite would choose, known before the row is written, so
	 * that many rows go in one statement. */
	long long next = 1;
	sqlite3_stmt *st = cartel__db_stmt(
		db, CARTEL__ST_LEDGER_MAX,
		"SELECT coalesce(max(seq), 0) + 1 FROM audit_rows", why);
	if (st == NULL)
		return CARTEL_EDB;
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		next = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW)
		return cartel__db_err(db, rc, "reading the row ledger", why);
	int err = 0;
	for (size_t i = 0; err == 0 && i < p->n;) {
		size_t k = p->n - i >= CARTEL__LEDGER_BATCH ? CARTEL__LEDGER_BATCH
							   : 1;
		char sql[64 + 24 * CARTEL__LEDGER_BATCH];
		ledger_insert_sql(sql, sizeof sql, k);
		st = cartel__db_stmt(db,
				     k > 1 ? CARTEL__ST_LEDGER_INSERT_N
					   : CARTEL__ST_LEDGER_INSERT,
				     sql, why);
		if (st == NULL) {
			err = CARTEL_EDB;
			break;
		}
		for (size_t j = 0; j < k; j++) {
			const struct cartel__ledger_rec *r = &p->v[i + j];
			int b = (int)j * 6;
			sqlite3_bind_int64(st, b + 1, next + (long long)j);
			sqlite3_bind_int64(st, b + 2, seq);
			sqlite3_bind_text(st, b + 3, tables[r->table].name, -1,
					  SQLITE_STATIC);
			sqlite3_bind_text(st, b + 4, r->k1, -1, SQLITE_STATIC);
			sqlite3_bind_text(st, b + 5, r->k2, -1, SQLITE_STATIC);
			if (r->deleted)
				sqlite3_bind_null(st, b + 6);
			else
				sqlite3_bind_blob(st, b + 6, r->digest,
						  CARTEL__DIGEST_BYTES,
						  SQLITE_STATIC);
		}
		rc = sqlite3_step(st);
		sqlite3_reset(st);
		if (rc != SQLITE_DONE) {
			err = cartel__db_err(db, rc, "writing the row ledger",
					     why);
			break;
		}
		for (size_t j = 0; j < k; j++, i++, next++) {
			const struct cartel__ledger_rec *r = &p->v[i];
			const char *name = tables[r->table].name;
			struct cartel__val vt = {name, strlen(name)};
			struct cartel__val v1 = {r->k1, strlen(r->k1)};
			struct cartel__val v2 = {r->k2, strlen(r->k2)};
			struct cartel__val vd = {
				r->deleted ? NULL : r->digest,
				r->deleted ? 0 : CARTEL__DIGEST_BYTES};
			cartel__ledger_hash(hs, next, seq, vt, v1, v2, vd);
			(*n)++;
		}
	}
	cartel__ledger_pending_clear(p);
	return err;
}

int
cartel__ledger_start(struct cartel_db *db, char **why)
{
	sqlite3 *sql = cartel__db_sqlite(db);
	struct cartel__ledger_pending *p = cartel__db_ledger(db);
	long long n_rows = 0;
	int err = 0;
	for (int t = 0; err == 0 && t < CARTEL__LT_N; t++) {
		/* A table a later migration makes does not exist yet when
		 * an old file is brought under the ledger; it starts empty
		 * and every write to it is recorded from its first. */
		if (sqlite3_table_column_metadata(sql, NULL, tables[t].name,
						  NULL, NULL, NULL, NULL, NULL,
						  NULL) != SQLITE_OK)
			continue;
		sqlite3_stmt *st;
		int rc = sqlite3_prepare_v2(sql, tables[t].all, -1, &st, NULL);
		/* A table whose later columns a later migration adds: its
		 * rows as they are, which digest as they will with those
		 * columns empty. */
		if (rc != SQLITE_OK && tables[t].all_first != NULL)
			rc = sqlite3_prepare_v2(sql, tables[t].all_first, -1,
						&st, NULL);
		if (rc != SQLITE_OK)
			return cartel__db_err(db, rc, "starting the row ledger",
					      why);
		while (err == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
			unsigned char d[CARTEL__DIGEST_BYTES];
			row_digest(t, st, d);
			struct cartel__val k1 = cartel__col_val(st, 0);
			struct cartel__val k2 = cartel__col_val(st, 1);
			err = pending_push(p, t, k1.p ? k1.p : "", k1.n,
					   k2.p ? k2.p : "", k2.n, d);
			n_rows++;
		}
		if (err == 0 && rc != SQLITE_DONE)
			err = cartel__db_err(db, rc, "starting the row ledger",
					     why);
		sqlite3_finalize(st);
	}
	if (err == 0 && n_rows > 0) {
		char detail[96];
		snprintf(detail, sizeof detail,
			 "%lld rows of keys, rounds and inquiries brought "
			 "under the audit chain",
			 n_rows);
		err = cartel_audit_append(db, "cartel", "ledger.start", NULL,
					  detail, why);
	}
	cartel__ledger_pending_clear(p);
	return err;
}

/* Binary order of two keys, as SQLite's BINARY collation sorts them. */
static int
val_cmp(struct cartel__val a, struct cartel__val b)
{
	size_t n = a.n < b.n ? a.n : b.n;
	int c = n > 0 ? memcmp(a.p, b.p, n) : 0;
	if (c != 0)
		return c;
	return a.n < b.n ? -1 : a.n > b.n;
}

/* A key, for messages: at most 64 bytes of each part, without control
 * characters. */
static void
key_text(char *out, size_t size, struct cartel__val k1, struct cartel__val k2)
{
	size_t o = 0;
	const struct cartel__val parts[2] = {k1, k2};
	for (int i = 0; i < 2 && o + 1 < size; i++) {
		if (i == 1) {
			if (k2.n == 0)
				break;
			if (o + 3 >= size)
				break;
			out[o++] = ',';
			out[o++] = ' ';
		}
		const unsigned char *s = parts[i].p;
		for (size_t k = 0; k < parts[i].n && k < 64 && o + 1 < size;
		     k++)
			out[o++] = s[k] < 0x20 || s[k] == 0x7f ? '?' : (char)s[k];
	}
	out[o] = '\0';
}

static int
row_tamper(int t, struct cartel__val k1, struct cartel__val k2,
	   const char *what, char **why)
{
	char key[160];
	key_text(key, sizeof key, k1, k2);
	return cartel__why(why, CARTEL_ETAMPER,
			   "%s row (%s) does not hold: %s", tables[t].name,
			   key, what);
}

/* The latest ledger record of one key, read from a statement ordered by
 * k1, k2, seq; the key is copied, since stepping invalidates it. */
struct group {
	int have;
	char *k1, *k2;
	size_t n1, n2;
	int deleted;
	unsigned char digest[CARTEL__DIGEST_BYTES];
};

static int
group_next(struct cartel_db *db, sqlite3_stmt *lr, int *lrc, struct group *g,
	   char **why)
{
	free(g->k1);
	free(g->k2);
	memset(g, 0, sizeof *g);
	if (*lrc != SQLITE_ROW)
		return *lrc == SQLITE_DONE
			       ? 0
			       : cartel__db_err(db, *lrc,
						"reading the row ledger", why);
	struct cartel__val k1 = cartel__col_val(lr, 0);
	struct cartel__val k2 = cartel__col_val(lr, 1);
	g->k1 = malloc(k1.n + 1);
	g->k2 = malloc(k2.n + 1);
	if (g->k1 == NULL || g->k2 == NULL)
		return cartel__why(why, CARTEL_ENOMEM, "out of memory");
	if (k1.n)
		memcpy(g->k1, k1.p, k1.n);
	if (k2.n)
		memcpy(g->k2, k2.p, k2.n);
	g->n1 = k1.n;
	g->n2 = k2.n;
	g->have = 1;
	for (;;) {
		struct cartel__val d = cartel__col_val(lr, 2);
		g->deleted = d.p == NULL;
		if (d.p != NULL && d.n == CARTEL__DIGEST_BYTES)
			memcpy(g->digest, d.p, CARTEL__DIGEST_BYTES);
		else if (d.p != NULL)
			memset(g->digest, 0, CARTEL__DIGEST_BYTES);
		*lrc = sqlite3_step(lr);
		if (*lrc != SQLITE_ROW)
			break;
		struct cartel__val a = {g->k1, g->n1}, b = {g->k2, g->n2};
		if (val_cmp(cartel__col_val(lr, 0), a) != 0 ||
		    val_cmp(cartel__col_val(lr, 1), b) != 0)
			break;
	}
	if (*lrc != SQLITE_ROW && *lrc != SQLITE_DONE)
		return cartel__db_err(db, *lrc, "reading the row ledger", why);
	return 0;
}

/* One table against its latest ledger records, both in key order. */
static int
verify_table(struct cartel_db *db, int t, long long *n_rows, char **why)
{
	sqlite3 *sql = cartel__db_sqlite(db);
	sqlite3_stmt *tr = NULL, *lr = NULL;
	struct group g = {0};
	int err = 0;
	int rc = sqlite3_prepare_v2(sql, tables[t].all, -1, &tr, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(sql,
					"SELECT k1, k2, digest FROM audit_rows "
					"WHERE tbl = ?1 ORDER BY k1, k2, seq",
					-1, &lr, NULL);
	if (rc != SQLITE_OK) {
		err = cartel__db_err(db, rc, "reading the row ledger", why);
		goto done;
	}
	sqlite3_bind_text(lr, 1, tables[t].name, -1, SQLITE_STATIC);
	int lrc = sqlite3_step(lr);
	err = group_next(db, lr, &lrc, &g, why);
	int trc;
	while (err == 0) {
		trc = sqlite3_step(tr);
		if (trc != SQLITE_ROW)
			break;
		struct cartel__val k1 = cartel__col_val(tr, 0);
		struct cartel__val k2 = cartel__col_val(tr, 1);
		/* Keys recorded before this row: they must be deleted. */
		int c = -1;
		while (err == 0 && g.have) {
			struct cartel__val a = {g.k1, g.n1}, b = {g.k2, g.n2};
			c = val_cmp(a, k1);
			if (c == 0)
				c = val_cmp(b, k2);
			if (c >= 0)
				break;
			if (!g.deleted) {
				err = row_tamper(t, a, b,
						 "it was deleted behind the "
						 "register's back",
						 why);
				break;
			}
			err = group_next(db, lr, &lrc, &g, why);
		}
		if (err != 0)
			break;
		if (!g.have || c > 0 || g.deleted) {
			err = row_tamper(t, k1, k2,
					 "it was added behind the register's "
					 "back (the audit chain has no record "
					 "of it)",
					 why);
			break;
		}
		unsigned char d[CARTEL__DIGEST_BYTES];
		row_digest(t, tr, d);
		if (memcmp(d, g.digest, CARTEL__DIGEST_BYTES) != 0) {
			err = row_tamper(t, k1, k2,
					 "it differs from what the audit chain "
					 "recorded (changed behind the "
					 "register's back)",
					 why);
			break;
		}
		(*n_rows)++;
		err = group_next(db, lr, &lrc, &g, why);
	}
	if (err == 0 && trc != SQLITE_DONE)
		err = cartel__db_err(db, trc, "reading a covered table", why);
	/* Keys recorded after the table's last row. */
	while (err == 0 && g.have) {
		struct cartel__val a = {g.k1, g.n1}, b = {g.k2, g.n2};
		if (!g.deleted)
			err = row_tamper(t, a, b,
					 "it was deleted behind the register's "
					 "back",
					 why);
		else
			err = group_next(db, lr, &lrc, &g, why);
	}
done:
	free(g.k1);
	free(g.k2);
	sqlite3_finalize(tr);
	sqlite3_finalize(lr);
	return err;
}

int
cartel__ledger_verify_table(struct cartel_db *db, int t, char **why)
{
	if (t < 0 || t >= CARTEL__LT_N)
		return cartel__why(why, CARTEL_EINVAL, "bad ledger table");
	long long n = 0;
	return verify_table(db, t, &n, why);
}

int
cartel__ledger_verify(struct cartel_db *db, long long *n_rows, char **why)
{
	*n_rows = 0;
	int err = 0;
	for (int t = 0; err == 0 && t < CARTEL__LT_N; t++)
		err = verify_table(db, t, n_rows, why);
	return err;
}

/*
 * Whether audit entry `seq` holds on its own: its ledger records hash to
 * its rows_hash, its content to its hash, and the next entry (or the head)
 * links to it. A forged ledger record for a row cannot pass this without
 * rewriting the entry, which breaks the link. The last few entries that
 * held are remembered on the handle with their hashes, since a listing
 * checks many rows recorded by one large entry (handover.start) between
 * rows of small ones (handover.check).
 */
static int
entry_holds(struct cartel_db *db, long long seq, char **why)
{
	sqlite3 *sql = cartel__db_sqlite(db);
	struct cartel__ledger_pending *p = cartel__db_ledger(db);
	sqlite3_stmt *au, *lr = NULL, *nx = NULL;
	int err = 0, ok = 0, rc;
	au = cartel__db_stmt(
		db, CARTEL__ST_LEDGER_ENTRY,
		"SELECT seq, at, actor, action, subject, detail, n_events, "
		"events_hash, prev, hash, n_rows, rows_hash FROM audit "
		"WHERE seq = ?1",
		why);
	if (au == NULL)
		return CARTEL_EDB;
	sqlite3_bind_int64(au, 1, seq);
	if (sqlite3_step(au) != SQLITE_ROW)
		goto done;
	struct cartel__val stored = cartel__col_val(au, 9);
	if (stored.p == NULL || stored.n != 64)
		goto done;
	size_t oldest = 0;
	p->n_checks++;
	for (size_t i = 0; i < sizeof p->checked / sizeof p->checked[0]; i++) {
		if (p->checked[i].seq == seq &&
		    memcmp(p->checked[i].hash, stored.p, 64) == 0) {
			p->checked[i].used = p->n_checks;
			ok = 1;
			goto done;
		}
		if (p->checked[i].used < p->checked[oldest].used)
			oldest = i;
	}
	rc = sqlite3_prepare_v2(sql,
				"SELECT seq, audit, tbl, k1, k2, digest "
				"FROM audit_rows WHERE audit = ?1 "
				"ORDER BY seq",
				-1, &lr, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(
			sql,
			"SELECT prev FROM audit WHERE seq = ?1 + 1 "
			"UNION ALL SELECT hash FROM audit_head WHERE seq = ?1 "
			"AND NOT EXISTS (SELECT 1 FROM audit WHERE seq = ?1 + 1)",
			-1, &nx, NULL);
	if (rc != SQLITE_OK) {
		err = cartel__db_err(db, rc, "reading the audit log", why);
		goto done;
	}
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
	char hash[65];
	cartel__entry_hash(&e, hash);
	if (memcmp(hash, stored.p, 64) != 0 || e.rows_hash.p == NULL ||
	    e.rows_hash.n != 64)
		goto done;
	crypto_hash_sha256_state hs;
	crypto_hash_sha256_init(&hs);
	long long n = 0;
	sqlite3_bind_int64(lr, 1, seq);
	while ((rc = sqlite3_step(lr)) == SQLITE_ROW) {
		cartel__ledger_hash(&hs, sqlite3_column_int64(lr, 0),
				    sqlite3_column_int64(lr, 1),
				    cartel__col_val(lr, 2),
				    cartel__col_val(lr, 3),
				    cartel__col_val(lr, 4),
				    cartel__col_val(lr, 5));
		n++;
	}
	if (rc != SQLITE_DONE) {
		err = cartel__db_err(db, rc, "reading the row ledger", why);
		goto done;
	}
	unsigned char h[crypto_hash_sha256_BYTES];
	char rows_hex[65];
	crypto_hash_sha256_final(&hs, h);
	sodium_bin2hex(rows_hex, sizeof rows_hex, h, sizeof h);
	if (n != e.n_rows || memcmp(rows_hex, e.rows_hash.p, 64) != 0)
		goto done;
	sqlite3_bind_int64(nx, 1, seq);
	if (sqlite3_step(nx) != SQLITE_ROW)
		goto done;
	struct cartel__val link = cartel__col_val(nx, 0);
	if (link.p == NULL || link.n != 64 || memcmp(link.p, hash, 64) != 0)
		goto done;
	ok = 1;
	p->checked[oldest].seq = seq;
	p->checked[oldest].used = p->n_checks;
	memcpy(p->checked[oldest].hash, hash, 64);
done:
	sqlite3_reset(au);
	sqlite3_finalize(lr);
	sqlite3_finalize(nx);
	if (err != 0)
		return err;
	return ok ? 0 : CARTEL_ETAMPER;
}

static int check_row(struct cartel_db *db, int t, const char *k1,
		     const char *k2, char **why);

int
cartel__ledger_check_row(struct cartel_db *db, int t, const char *k1,
			 const char *k2, char **why)
{
	/* The row and its ledger record from one snapshot, so that a writer
	 * committing in between is not taken for tampering. */
	sqlite3 *sql = cartel__db_sqlite(db);
	int own = sqlite3_get_autocommit(sql);
	if (own && sqlite3_exec(sql, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		own = 0;
	int err = check_row(db, t, k1, k2, why);
	if (own)
		sqlite3_exec(sql, "COMMIT", NULL, NULL, NULL);
	return err;
}

static int
check_row(struct cartel_db *db, int t, const char *k1, const char *k2,
	  char **why)
{
	if (t < 0 || t >= CARTEL__LT_N || k1 == NULL)
		return cartel__why(why, CARTEL_EINVAL, "bad ledger table");
	if (k2 == NULL)
		k2 = "";
	struct cartel__val v1 = {k1, strlen(k1)}, v2 = {k2, strlen(k2)};
	sqlite3_stmt *st = one_row(db, t, k1, k2, why);
	if (st == NULL)
		return CARTEL_EDB;
	unsigned char d[CARTEL__DIGEST_BYTES];
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		row_digest(t, st, d);
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return cartel__why(why, CARTEL_ENOTFOUND, "no %s row",
				   tables[t].name);
	if (rc != SQLITE_ROW)
		return cartel__db_err(db, rc, "reading a row", why);
	st = cartel__db_stmt(db, CARTEL__ST_LEDGER_LATEST,
			     "SELECT audit, digest FROM audit_rows WHERE "
			     "tbl = ?1 AND k1 = ?2 AND k2 = ?3 "
			     "ORDER BY seq DESC LIMIT 1",
			     why);
	if (st == NULL)
		return CARTEL_EDB;
	sqlite3_bind_text(st, 1, tables[t].name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, k1, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, k2, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	long long audit = 0;
	int same = 0;
	if (rc == SQLITE_ROW) {
		audit = sqlite3_column_int64(st, 0);
		struct cartel__val rec = cartel__col_val(st, 1);
		same = rec.p != NULL && rec.n == CARTEL__DIGEST_BYTES &&
		       memcmp(rec.p, d, CARTEL__DIGEST_BYTES) == 0;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return cartel__db_err(db, rc, "reading the row ledger", why);
	if (!same)
		return row_tamper(t, v1, v2,
				  rc == SQLITE_DONE
					  ? "the audit chain has no record of it "
					    "(added behind the register's back; "
					    "run cartel audit verify)"
					  : "it differs from what the audit "
					    "chain recorded (changed behind the "
					    "register's back; run cartel audit "
					    "verify)",
				  why);
	int err = entry_holds(db, audit, why);
	if (err == CARTEL_ETAMPER)
		return row_tamper(t, v1, v2,
				  "its record in the audit chain does not hold "
				  "(run cartel audit verify)",
				  why);
	return err;
}
