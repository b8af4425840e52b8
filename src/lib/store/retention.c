/*
 * Retention rules, the purge that redacts closed cases past their
 * retention date, and the check that keeps redacted rows honest
 * (<cartel/retention.h>, docs/backup.md).
 *
 * Redaction and the audit chain: an event row's entry hashes the BLAKE2b
 * digest of the row's content. A purge keeps that original digest in
 * event_redacted (seq, digest, purge) and erases the personal values from
 * the row; the chain's verification then uses the kept digest for that row.
 * What is left of the row is bound by the purge's own audit entry: its
 * detail ends with "redaction digest HEX", the SHA-256, over the purge's
 * event_redacted rows in seq order, of each row's seq, kept digest and
 * the digest of the row's content as redacted. A redacted row changed
 * afterwards, a digest changed, a mark added or removed: each breaks either
 * the original entry or the purge's.
 *
 * The current state is redacted the same way as the events, so rebuilding a
 * person from the redacted events gives the redacted state, and
 * verify_state needs nothing special.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cartel/error.h>
#include <cartel/register.h>
#include <cartel/retention.h>
#include <cartel/store.h>

#include "core/why.h"
#include "register/record.h"
#include "store/store_int.h"

#define DIGEST_MARK "redaction digest "

/* The personal data a purge erases: fields set to unknown in the state
 * and in every event. Extra attributes, and each event's source_ref and
 * note, are erased as well. */
static const char *const erased[] = {
	"family_name",   "given_name",       "patronymic",
	"father_name",   "mother_maiden_name", "birth_date",
	"birth_place",   "service_number",   "rank",
	"unit",          "inform_person",    "captured_at",
	"internment_place", "direct_rep_by", "consent_by",
	"notes",
};
#define N_ERASED (sizeof erased / sizeof erased[0])

/* The same columns of the persons table, as one constant statement. */
#define ERASE_STATE                                                        \
	"UPDATE persons SET family_name = NULL, given_name = NULL, "       \
	"patronymic = NULL, father_name = NULL, mother_maiden_name = NULL, " \
	"birth_date = NULL, birth_place = NULL, service_number = NULL, "   \
	"rank = NULL, unit = NULL, inform_person = NULL, captured_at = NULL, " \
	"internment_place = NULL, direct_rep_by = NULL, consent_by = NULL, " \
	"notes = NULL WHERE pk = ?1"

static int
is_erased(const char *field)
{
	if (field == NULL)
		return 0;
	/* A merge's conflict event holds the merged record's value of the
	 * field it names (merge_store.c). */
	if (strncmp(field, "conflict:", 9) == 0)
		field += 9;
	/* A correction carries the values of the field it restores. */
	field = cartel__event_base_field(field, NULL);
	if (strncmp(field, "attr:", 5) == 0)
		return 1;
	for (size_t i = 0; i < N_ERASED; i++)
		if (strcmp(field, erased[i]) == 0)
			return 1;
	return 0;
}

static int
closing_status(enum cartel_status s)
{
	return s == CARTEL_STATUS_REPATRIATED || s == CARTEL_STATUS_RELEASED ||
	       s == CARTEL_STATUS_DECEASED;
}

/* Reads "N years", "18m", "90 days", ... into *n and *unit (y, m, d). */
static int
period_parse(const char *text, int *n, char *unit)
{
	const char *s = text;
	while (*s == ' ')
		s++;
	if (*s < '0' || *s > '9')
		return -1;
	long v = 0;
	while (*s >= '0' && *s <= '9') {
		v = v * 10 + (*s - '0');
		if (v > 1000)
			return -1;
		s++;
	}
	while (*s == ' ')
		s++;
	static const struct {
		const char *word;
		char unit;
	} units[] = {{"y", 'y'},     {"year", 'y'},  {"years", 'y'},
		     {"m", 'm'},     {"month", 'm'}, {"months", 'm'},
		     {"d", 'd'},     {"day", 'd'},   {"days", 'd'}};
	size_t len = strlen(s);
	while (len > 0 && s[len - 1] == ' ')
		len--;
	for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
		if (strlen(units[i].word) == len &&
		    strncmp(s, units[i].word, len) == 0) {
			*n = (int)v;
			*unit = units[i].unit;
			return 0;
		}
	return -1;
}

static struct cartel_date
date_add(struct cartel_date d, int n, char unit)
{
	if (unit == 'y' || unit == 'm') {
		long months = (long)d.year * 12 + (d.month - 1) +
			      (unit == 'y' ? 12L * n : n);
		d.year = (int)(months / 12);
		d.month = (int)(months % 12) + 1;
		int last = cartel_days_in_month(d.year, d.month);
		if (d.day > last)
			d.day = last;
		return d;
	}
	struct tm t;
	memset(&t, 0, sizeof t);
	t.tm_year = d.year - 1900;
	t.tm_mon = d.month - 1;
	t.tm_mday = d.day + n;
	t.tm_hour = 12;
	time_t when = timegm(&t);
	struct tm out;
	gmtime_r(&when, &out);
	struct cartel_date r = {out.tm_year + 1900, out.tm_mon + 1,
				out.tm_mday};
	return r;
}

int
cartel_retention_set(struct cartel_db *db, enum cartel_status status,
		     const char *period, const char *actor, char **why)
{
	if (!closing_status(status))
		return cartel__why(why, CARTEL_EINVAL,
				   "a retention period is set for repatriated, "
				   "released or deceased, not %s",
				   cartel_enum_name(CARTEL_ENUM_STATUS,
						    (int)status));
	if (actor == NULL || actor[0] == '\0')
		return cartel__why(why, CARTEL_EINVAL,
				   "a retention rule needs an actor");
	int keep = period == NULL || strcmp(period, "never") == 0;
	int n = 0;
	char unit = 0, canon[16] = "never";
	if (!keep) {
		if (period_parse(period, &n, &unit) != 0)
			return cartel__why(why, CARTEL_EINVAL,
					   "'%.40s' is not a period (N years, "
					   "N months, N days, N up to 1000; "
					   "or never)",
					   period);
		snprintf(canon, sizeof canon, "%d%c", n, unit);
	}
	const char *st_name = cartel_enum_name(CARTEL_ENUM_STATUS, (int)status);
	int own;
	int err = cartel__db_write_begin(db, &own, why);
	if (err != 0)
		return err;
	sqlite3_stmt *st = NULL;
	char now[32];
	int rc = sqlite3_prepare_v2(
		cartel__db_sqlite(db),
		keep ? "DELETE FROM retention_rule WHERE status = ?1"
		     : "INSERT INTO retention_rule (status, period, set_at, "
		       "set_by) VALUES (?1, ?2, ?3, ?4) ON CONFLICT (status) "
		       "DO UPDATE SET period = excluded.period, "
		       "set_at = excluded.set_at, set_by = excluded.set_by",
		-1, &st, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_text(st, 1, st_name, -1, SQLITE_STATIC);
		if (!keep) {
			sqlite3_bind_text(st, 2, canon, -1, SQLITE_STATIC);
			sqlite3_bind_text(st, 3, cartel__now(now, sizeof now),
					  -1, SQLITE_STATIC);
			sqlite3_bind_text(st, 4, actor, -1, SQLITE_STATIC);
		}
		rc = sqlite3_step(st);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		err = cartel__db_err(db, rc, "setting a retention rule", why);
	if (err == 0)
		err = cartel__ledger_touch(db, CARTEL__LT_RETENTION, st_name,
					   NULL, why);
	if (err == 0) {
		char *detail = cartel__asprintf("%s: %s", st_name, canon);
		err = detail == NULL
			      ? cartel__why(why, CARTEL_ENOMEM, "out of memory")
			      : cartel_audit_append(db, actor, "retention",
						    NULL, detail, why);
		free(detail);
	}
	return cartel__db_write_end(db, own, err, why);
}

int
cartel_retention_rules(struct cartel_db *db,
		       struct cartel_retention_rule **out, size_t *n,
		       char **why)
{
	*out = NULL;
	*n = 0;
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(cartel__db_sqlite(db),
				    "SELECT status, period, set_at, set_by "
				    "FROM retention_rule ORDER BY status",
				    -1, &st, NULL);
	if (rc != SQLITE_OK)
		return cartel__db_err(db, rc, "reading retention rules", why);
	struct cartel_retention_rule *r = calloc(3, sizeof(*r));
	size_t k = 0;
	int err = r == NULL ? cartel__why(why, CARTEL_ENOMEM, "out of memory")
			    : 0;
	while (err == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW && k < 3) {
		int s = 0;
		cartel_enum_parse(CARTEL_ENUM_STATUS,
				  (const char *)sqlite3_column_text(st, 0), &s,
				  NULL);
		r[k].status = (enum cartel_status)s;
		snprintf(r[k].period, sizeof r[k].period, "%s",
			 (const char *)sqlite3_column_text(st, 1));
		snprintf(r[k].set_at, sizeof r[k].set_at, "%s",
			 (const char *)sqlite3_column_text(st, 2));
		snprintf(r[k].set_by, sizeof r[k].set_by, "%s",
			 (const char *)sqlite3_column_text(st, 3));
		k++;
	}
	if (err == 0 && rc != SQLITE_DONE && rc != SQLITE_ROW)
		err = cartel__db_err(db, rc, "reading retention rules", why);
	sqlite3_finalize(st);
	if (err != 0) {
		free(r);
		return err;
	}
	*out = r;
	*n = k;
	return 0;
}

void
cartel_retention_items_free(struct cartel_retention_item *items, size_t n)
{
	if (items == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		free(items[i].id);
	free(items);
}

/* A date from the first ten characters of an event time. */
static struct cartel_date
at_date(const char *at)
{
	struct cartel_date d = {0, 0, 0};
	char buf[11];
	if (at == NULL || strlen(at) < 10)
		return d;
	memcpy(buf, at, 10);
	buf[10] = '\0';
	if (cartel_date_parse(buf, &d, NULL) != 0 || d.day == 0)
		memset(&d, 0, sizeof d);
	return d;
}

/* The closed cases with their retention dates; when pks is not NULL, the
 * persons table key of each as well. */
static int
closed_cases(struct cartel_db *db, const struct cartel_date *today,
	     struct cartel_retention_item **out, long long **pks, size_t *n,
	     char **why)
{
	*out = NULL;
	*n = 0;
	if (pks != NULL)
		*pks = NULL;
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(
		cartel__db_sqlite(db),
		"SELECT p.pk, p.id, p.status, coalesce(p.legal_hold, 'none'), "
		" (SELECT min(e.at) FROM events e WHERE e.person = p.pk "
		"  AND e.field = 'status' AND e.new_value = p.status), "
		" (SELECT min(e.at) FROM events e WHERE e.person = p.pk), "
		" EXISTS (SELECT 1 FROM events e WHERE e.person = p.pk AND "
		"  NOT EXISTS (SELECT 1 FROM event_redacted r "
		"   WHERE r.seq = e.seq)), "
		" r.period "
		"FROM persons p LEFT JOIN retention_rule r "
		" ON r.status = p.status "
		"WHERE p.status IN ('repatriated', 'released', 'deceased') "
		"ORDER BY p.id",
		-1, &st, NULL);
	if (rc != SQLITE_OK)
		return cartel__db_err(db, rc, "reading closed cases", why);
	struct cartel_retention_item *items = NULL;
	long long *keys = NULL;
	size_t k = 0, cap = 0;
	int err = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (k == cap) {
			size_t ncap = cap ? cap * 2 : 64;
			struct cartel_retention_item *g =
				realloc(items, ncap * sizeof(*g));
			if (g != NULL)
				items = g;
			long long *h = realloc(keys, ncap * sizeof(*h));
			if (h != NULL)
				keys = h;
			if (g == NULL || h == NULL) {
				err = cartel__why(why, CARTEL_ENOMEM,
						  "out of memory");
				break;
			}
			cap = ncap;
		}
		struct cartel_retention_item *it = &items[k];
		memset(it, 0, sizeof(*it));
		keys[k] = sqlite3_column_int64(st, 0);
		it->id = cartel__strdup((const char *)sqlite3_column_text(st, 1));
		if (it->id == NULL) {
			err = cartel__why(why, CARTEL_ENOMEM, "out of memory");
			break;
		}
		k++;
		int s = 0;
		cartel_enum_parse(CARTEL_ENUM_STATUS,
				  (const char *)sqlite3_column_text(st, 2), &s,
				  NULL);
		it->status = (enum cartel_status)s;
		it->legal_hold = strcmp((const char *)sqlite3_column_text(st, 3),
					"none") != 0;
		const char *at = (const char *)sqlite3_column_text(st, 4);
		if (at == NULL)
			at = (const char *)sqlite3_column_text(st, 5);
		it->closed_on = at_date(at);
		it->redacted = sqlite3_column_int(st, 6) == 0;
		const char *period = (const char *)sqlite3_column_text(st, 7);
		int pn;
		char unit;
		if (period != NULL && !it->legal_hold &&
		    cartel_date_known(&it->closed_on) &&
		    period_parse(period, &pn, &unit) == 0)
			it->due_on = date_add(it->closed_on, pn, unit);
		it->due = !it->redacted && cartel_date_known(&it->due_on) &&
			  cartel_date_cmp(&it->due_on, today) <= 0;
	}
	if (err == 0 && rc != SQLITE_DONE)
		err = cartel__db_err(db, rc, "reading closed cases", why);
	sqlite3_finalize(st);
	if (err != 0) {
		cartel_retention_items_free(items, k);
		free(keys);
		return err;
	}
	*out = items;
	*n = k;
	if (pks != NULL)
		*pks = keys;
	else
		free(keys);
	return 0;
}

int
cartel_retention_list(struct cartel_db *db, const struct cartel_date *today,
		      struct cartel_retention_item **out, size_t *n,
		      char **why)
{
	return closed_cases(db, today, out, NULL, n, why);
}

void
cartel_purge_result_clear(struct cartel_purge_result *res)
{
	cartel_retention_items_free(res->items, res->n_items);
	memset(res, 0, sizeof(*res));
}

static void
put64(crypto_hash_sha256_state *h, long long v)
{
	unsigned char b[8];
	uint64_t u = (uint64_t)v;
	for (int i = 7; i >= 0; i--) {
		b[i] = (unsigned char)u;
		u >>= 8;
	}
	crypto_hash_sha256_update(h, b, sizeof b);
}

/*
 * The digest over the event rows purge `purge` redacted (see the top of
 * the file), as hex into out; *n_rows counts them. CARTEL_ETAMPER when a
 * marked row is gone or its kept digest is malformed.
 */
static int
redaction_digest(struct cartel_db *db, long long purge, char out[65],
		 long long *n_rows, char **why)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(
		cartel__db_sqlite(db),
		"SELECT r.seq, r.digest, e.seq IS NULL, p.id, e.field, "
		"e.old_value, e.new_value, e.actor, e.at, e.source, "
		"e.source_ref, e.note, e.audit "
		"FROM event_redacted r LEFT JOIN events e ON e.seq = r.seq "
		"LEFT JOIN persons p ON p.pk = e.person "
		"WHERE r.purge = ?1 ORDER BY r.seq",
		-1, &st, NULL);
	if (rc != SQLITE_OK)
		return cartel__db_err(db, rc, "reading redacted events", why);
	sqlite3_bind_int64(st, 1, purge);
	crypto_hash_sha256_state h;
	crypto_hash_sha256_init(&h);
	int err = 0;
	*n_rows = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		long long seq = sqlite3_column_int64(st, 0);
		const void *kept = sqlite3_column_blob(st, 1);
		if (sqlite3_column_int(st, 2) ||
		    sqlite3_column_bytes(st, 1) != CARTEL__DIGEST_BYTES ||
		    kept == NULL) {
			err = cartel__why(why, CARTEL_ETAMPER,
					  "audit entry %lld does not hold: "
					  "redacted event %lld is %s",
					  purge, seq,
					  sqlite3_column_int(st, 2)
						  ? "missing"
						  : "without its digest");
			break;
		}
		struct cartel__event_row row = {
			seq,
			(const char *)sqlite3_column_text(st, 3),
			(const char *)sqlite3_column_text(st, 4),
			(const char *)sqlite3_column_text(st, 5),
			(const char *)sqlite3_column_text(st, 6),
			(const char *)sqlite3_column_text(st, 7),
			(const char *)sqlite3_column_text(st, 8),
			(const char *)sqlite3_column_text(st, 9),
			(const char *)sqlite3_column_text(st, 10),
			(const char *)sqlite3_column_text(st, 11),
			sqlite3_column_int64(st, 12)};
		unsigned char now_d[CARTEL__DIGEST_BYTES];
		cartel__event_digest(&row, now_d);
		put64(&h, seq);
		put64(&h, row.audit);
		crypto_hash_sha256_update(&h, kept, CARTEL__DIGEST_BYTES);
		crypto_hash_sha256_update(&h, now_d, sizeof now_d);
		(*n_rows)++;
	}
	if (err == 0 && rc != SQLITE_DONE)
		err = cartel__db_err(db, rc, "reading redacted events", why);
	sqlite3_finalize(st);
	if (err == 0) {
		unsigned char d[crypto_hash_sha256_BYTES];
		crypto_hash_sha256_final(&h, d);
		sodium_bin2hex(out, 65, d, sizeof d);
	}
	return err;
}

int
cartel__redaction_verify(struct cartel_db *db, char **why)
{
	sqlite3 *sql = cartel__db_sqlite(db);
	sqlite3_stmt *st;
	/* Every mark belongs to a purge entry. */
	int rc = sqlite3_prepare_v2(
		sql,
		"SELECT r.seq, r.purge FROM event_redacted r "
		"WHERE NOT EXISTS (SELECT 1 FROM audit a WHERE a.seq = r.purge "
		" AND a.action = 'purge') ORDER BY r.seq LIMIT 1",
		-1, &st, NULL);
	if (rc != SQLITE_OK)
		return cartel__db_err(db, rc, "reading redacted events", why);
	rc = sqlite3_step(st);
	int err = 0;
	if (rc == SQLITE_ROW)
		err = cartel__why(why, CARTEL_ETAMPER,
				  "event %lld is marked redacted by entry "
				  "%lld, which is no purge (a mark added "
				  "behind the register's back)",
				  (long long)sqlite3_column_int64(st, 0),
				  (long long)sqlite3_column_int64(st, 1));
	else if (rc != SQLITE_DONE)
		err = cartel__db_err(db, rc, "reading redacted events", why);
	sqlite3_finalize(st);
	if (err != 0)
		return err;
	rc = sqlite3_prepare_v2(sql,
				"SELECT seq, detail FROM audit "
				"WHERE action = 'purge' ORDER BY seq",
				-1, &st, NULL);
	if (rc != SQLITE_OK)
		return cartel__db_err(db, rc, "reading the audit log", why);
	while (err == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		long long seq = sqlite3_column_int64(st, 0);
		const char *detail = (const char *)sqlite3_column_text(st, 1);
		const char *mark =
			detail != NULL ? strstr(detail, DIGEST_MARK) : NULL;
		char hex[65];
		long long n_rows;
		err = redaction_digest(db, seq, hex, &n_rows, why);
		if (err != 0)
			break;
		if (mark == NULL ||
		    strncmp(mark + strlen(DIGEST_MARK), hex, 64) != 0)
			err = cartel__why(why, CARTEL_ETAMPER,
					  "audit entry %lld does not hold: "
					  "the %lld event rows its purge "
					  "redacted were changed since",
					  seq, n_rows);
	}
	if (err == 0 && rc != SQLITE_DONE)
		err = cartel__db_err(db, rc, "reading the audit log", why);
	sqlite3_finalize(st);
	return err;
}

/* One event row as read for redacting. */
struct ev {
	long long seq, audit;
	char *field, *old_value, *new_value, *actor, *at, *source,
		*source_ref, *note;
};

static void
ev_clear(struct ev *e)
{
	free(e->field);
	free(e->old_value);
	free(e->new_value);
	free(e->actor);
	free(e->at);
	free(e->source);
	free(e->source_ref);
	free(e->note);
	memset(e, 0, sizeof(*e));
}

static char *
dup_col(sqlite3_stmt *st, int i, int *oom)
{
	const char *t = (const char *)sqlite3_column_text(st, i);
	if (t == NULL)
		return NULL;
	char *c = strdup(t);
	if (c == NULL)
		*oom = 1;
	return c;
}

/* A creation record with the personal data erased, into b. */
static int
redact_record(const char *rec, struct cartel__buf *b, char **why)
{
	struct cartel_person p = {0};
	int err = cartel__record_decode(&p, rec, why);
	for (size_t i = 0; err == 0 && i < N_ERASED; i++) {
		const struct cartel_field *f = cartel_field_find(erased[i]);
		err = f != NULL ? cartel_person_set_field(&p, f, NULL, why)
				: cartel__why(why, CARTEL_EINVAL,
					      "no field %s to erase", erased[i]);
	}
	for (size_t i = 0; i < p.n_extra; i++) {
		free(p.extra[i].key);
		free(p.extra[i].value);
	}
	free(p.extra);
	p.extra = NULL;
	p.n_extra = 0;
	if (err == 0 && cartel__record_encode(&p, b) != 0)
		err = cartel__why(why, CARTEL_ENOMEM, "out of memory");
	cartel_person_clear(&p);
	return err;
}

/* Redacts one person's events not redacted yet, and its current state. */
static int
redact_person(struct cartel_db *db, long long pk, const char *id,
	      long long purge, long long *n_events, char **why)
{
	sqlite3 *sql = cartel__db_sqlite(db);
	sqlite3_stmt *rd = NULL, *up = NULL, *mk = NULL;
	struct ev *evs = NULL;
	size_t n = 0, cap = 0;
	int err = 0, oom = 0;
	int rc = sqlite3_prepare_v2(
		sql,
		"SELECT seq, field, old_value, new_value, actor, at, source, "
		"source_ref, note, audit FROM events e WHERE person = ?1 AND "
		"NOT EXISTS (SELECT 1 FROM event_redacted r "
		"WHERE r.seq = e.seq) ORDER BY seq",
		-1, &rd, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(
			sql,
			"UPDATE events SET old_value = ?2, new_value = ?3, "
			"source_ref = NULL, note = NULL WHERE seq = ?1",
			-1, &up, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(sql,
					"INSERT INTO event_redacted (seq, "
					"digest, purge) VALUES (?1, ?2, ?3)",
					-1, &mk, NULL);
	if (rc != SQLITE_OK) {
		err = cartel__db_err(db, rc, "redacting events", why);
		goto done;
	}
	sqlite3_bind_int64(rd, 1, pk);
	while ((rc = sqlite3_step(rd)) == SQLITE_ROW) {
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 8;
			struct ev *g = realloc(evs, ncap * sizeof(*g));
			if (g == NULL) {
				oom = 1;
				break;
			}
			evs = g;
			cap = ncap;
		}
		struct ev *e = &evs[n++];
		e->seq = sqlite3_column_int64(rd, 0);
		e->field = dup_col(rd, 1, &oom);
		e->old_value = dup_col(rd, 2, &oom);
		e->new_value = dup_col(rd, 3, &oom);
		e->actor = dup_col(rd, 4, &oom);
		e->at = dup_col(rd, 5, &oom);
		e->source = dup_col(rd, 6, &oom);
		e->source_ref = dup_col(rd, 7, &oom);
		e->note = dup_col(rd, 8, &oom);
		e->audit = sqlite3_column_int64(rd, 9);
	}
	if (oom) {
		err = cartel__why(why, CARTEL_ENOMEM, "out of memory");
		goto done;
	}
	if (rc != SQLITE_DONE) {
		err = cartel__db_err(db, rc, "reading events", why);
		goto done;
	}
	struct cartel__buf rec = {0};
	for (size_t i = 0; err == 0 && i < n; i++) {
		struct ev *e = &evs[i];
		struct cartel__event_row row = {
			e->seq,    id,        e->field,  e->old_value,
			e->new_value, e->actor, e->at,   e->source,
			e->source_ref, e->note, e->audit};
		unsigned char d[CARTEL__DIGEST_BYTES];
		cartel__event_digest(&row, d);
		const char *old_v = e->old_value, *new_v = e->new_value;
		if (e->field != NULL && strcmp(e->field, "*") == 0) {
			err = redact_record(e->new_value != NULL ? e->new_value
								 : "",
					    &rec, why);
			new_v = rec.data;
		} else if (is_erased(e->field)) {
			old_v = NULL;
			new_v = NULL;
		}
		if (err != 0)
			break;
		sqlite3_reset(up);
		sqlite3_bind_int64(up, 1, e->seq);
		sqlite3_bind_text(up, 2, old_v, -1, SQLITE_STATIC);
		sqlite3_bind_text(up, 3, new_v, -1, SQLITE_STATIC);
		rc = sqlite3_step(up);
		if (rc == SQLITE_DONE) {
			sqlite3_reset(mk);
			sqlite3_bind_int64(mk, 1, e->seq);
			sqlite3_bind_blob(mk, 2, d, sizeof d, SQLITE_STATIC);
			sqlite3_bind_int64(mk, 3, purge);
			rc = sqlite3_step(mk);
		}
		if (rc != SQLITE_DONE)
			err = cartel__db_err(db, rc, "redacting events", why);
		else
			(*n_events)++;
	}
	cartel__buf_free(&rec);
	if (err != 0)
		goto done;
	sqlite3_finalize(up);
	up = NULL;
	rc = sqlite3_prepare_v2(sql, ERASE_STATE, -1, &up, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_int64(up, 1, pk);
		rc = sqlite3_step(up);
	}
	if (rc == SQLITE_DONE) {
		sqlite3_finalize(up);
		up = NULL;
		rc = sqlite3_prepare_v2(sql,
					"DELETE FROM person_attrs "
					"WHERE person = ?1",
					-1, &up, NULL);
		if (rc == SQLITE_OK) {
			sqlite3_bind_int64(up, 1, pk);
			rc = sqlite3_step(up);
		}
	}
	if (rc != SQLITE_DONE)
		err = cartel__db_err(db, rc, "redacting a person", why);
done:
	for (size_t i = 0; i < n; i++)
		ev_clear(&evs[i]);
	free(evs);
	sqlite3_finalize(rd);
	sqlite3_finalize(up);
	sqlite3_finalize(mk);
	return err;
}

/* Appends text to a growing string; returns 0 or -1. */
static int
append(char **s, size_t *len, size_t *cap, const char *t)
{
	size_t n = strlen(t);
	if (*len + n + 1 > *cap) {
		size_t ncap = (*cap ? *cap * 2 : 256) + n;
		char *g = realloc(*s, ncap);
		if (g == NULL)
			return -1;
		*s = g;
		*cap = ncap;
	}
	memcpy(*s + *len, t, n + 1);
	*len += n;
	return 0;
}

/* The purge entry's detail: what was redacted, ids and dates only. */
static char *
purge_detail(const struct cartel_purge_result *res,
	     const struct cartel_date *today, const char digest[65])
{
	char *s = NULL;
	size_t len = 0, cap = 0;
	char d1[16], d2[16], d3[16], line[256];
	snprintf(line, sizeof line,
		 "%zu persons redacted (%lld events) under the retention "
		 "rules, as of %s:",
		 res->n_items, res->n_events,
		 cartel_date_format(today, d3, sizeof d3));
	int bad = append(&s, &len, &cap, line);
	for (size_t i = 0; !bad && i < res->n_items; i++) {
		const struct cartel_retention_item *it = &res->items[i];
		snprintf(line, sizeof line, " %.64s (%s %s, due %s);", it->id,
			 cartel_enum_name(CARTEL_ENUM_STATUS, (int)it->status),
			 cartel_date_format(&it->closed_on, d1, sizeof d1),
			 cartel_date_format(&it->due_on, d2, sizeof d2));
		bad = append(&s, &len, &cap, line);
	}
	snprintf(line, sizeof line, " " DIGEST_MARK "%s", digest);
	if (!bad)
		bad = append(&s, &len, &cap, line);
	if (bad) {
		free(s);
		return NULL;
	}
	return s;
}

/* Empties the WAL (the pre-purge pages lie in it); 1 when it was. */
static int
clear_wal(struct cartel_db *db)
{
	sqlite3_stmt *st;
	int cleared = 0;
	if (sqlite3_prepare_v2(cartel__db_sqlite(db),
			       "PRAGMA wal_checkpoint(TRUNCATE)", -1, &st,
			       NULL) != SQLITE_OK)
		return 0;
	if (sqlite3_step(st) == SQLITE_ROW)
		cleared = sqlite3_column_int(st, 0) == 0;
	sqlite3_finalize(st);
	return cleared;
}

int
cartel_purge_due(struct cartel_db *db, const struct cartel_date *today,
		 int dry_run, const char *actor,
		 struct cartel_purge_result *res, char **why)
{
	memset(res, 0, sizeof(*res));
	if (actor == NULL || actor[0] == '\0')
		return cartel__why(why, CARTEL_EINVAL,
				   "a purge needs an actor");
	if (today == NULL || today->day == 0)
		return cartel__why(why, CARTEL_EINVAL,
				   "a purge needs a full date");
	if (cartel__db_in_write(db))
		return cartel__why(why, CARTEL_ESTATE,
				   "a purge runs in its own transaction");
	/* The search index holds the names a purge erases: its path is
	 * made before anything is redacted, so that a purge never succeeds
	 * without removing it. */
	char *ix = NULL;
	if (!dry_run && (ix = cartel__asprintf("%s.search",
					       cartel__db_path(db))) == NULL)
		return cartel__why(why, CARTEL_ENOMEM, "out of memory");
	sqlite3 *sql = cartel__db_sqlite(db);
	/* Freed and rewritten cells are overwritten with zeros, so the
	 * erased values leave the file, not only the rows. */
	if (!dry_run)
		sqlite3_exec(sql, "PRAGMA secure_delete = ON", NULL, NULL,
			     NULL);
	int own = 0;
	int err = dry_run ? 0 : cartel__db_write_begin(db, &own, why);
	struct cartel_retention_item *all = NULL;
	long long *pks = NULL;
	size_t n_all = 0;
	if (err == 0)
		err = closed_cases(db, today, &all, &pks, &n_all, why);
	size_t n_due = 0;
	for (size_t i = 0; err == 0 && i < n_all; i++)
		n_due += all[i].due != 0;
	if (err == 0 && n_due > 0) {
		res->items = calloc(n_due, sizeof(*res->items));
		if (res->items == NULL)
			err = cartel__why(why, CARTEL_ENOMEM, "out of memory");
	}
	long long seq = 0;
	if (err == 0 && !dry_run && n_due > 0)
		err = cartel__audit_next(db, &seq, why);
	for (size_t i = 0; err == 0 && i < n_all; i++) {
		if (!all[i].due)
			continue;
		if (!dry_run)
			err = redact_person(db, pks[i], all[i].id, seq,
					    &res->n_events, why);
		res->items[res->n_items++] = all[i];
		all[i].id = NULL; /* moved */
	}
	if (err == 0 && !dry_run && n_due > 0) {
		char hex[65];
		long long n_rows;
		err = redaction_digest(db, seq, hex, &n_rows, why);
		char *detail = err == 0 ? purge_detail(res, today, hex) : NULL;
		if (err == 0 && detail == NULL)
			err = cartel__why(why, CARTEL_ENOMEM, "out of memory");
		if (err == 0)
			err = cartel__audit_close(db, seq, actor, "purge", NULL,
						  detail, 0, NULL, why);
		free(detail);
		if (err == 0)
			res->audit_seq = seq;
	}
	cartel_retention_items_free(all, n_all);
	free(pks);
	if (!dry_run)
		err = cartel__db_write_end(db, own, err, why);
	if (!dry_run)
		sqlite3_exec(sql, "PRAGMA secure_delete = OFF", NULL, NULL,
			     NULL);
	if (err != 0) {
		res->audit_seq = 0;
		cartel_purge_result_clear(res);
		free(ix);
		return err;
	}
	if (!dry_run && n_due > 0) {
		res->wal_cleared = clear_wal(db);
		unlink(ix);
	}
	free(ix);
	return 0;
}
