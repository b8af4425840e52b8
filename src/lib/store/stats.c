/*
 * What a mediator reads first: per detaining party, how many are held and
 * how (category, health, time held, awaiting direct repatriation, consent
 * never asked, legal holds, statuses). Aggregates only, never a name
 * (GC III Art. 13).
 *
 * One pass over the columns that matter, aggregated here rather than in
 * SQL because time held depends on partial dates.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cartel/error.h>
#include <cartel/register.h>
#include <cartel/store.h>

#include "core/why.h"
#include "store/store_int.h"

/* Months between two dates, counting a partial date from its first day. */
static long
months_between(const struct cartel_date *from, const struct cartel_date *to)
{
	int fm = from->month ? from->month : 1, fd = from->day ? from->day : 1;
	long m = (long)(to->year - from->year) * 12 + (to->month - fm);
	if (to->day < fd)
		m--;
	return m;
}

static enum cartel_held_bucket
bucket(const struct cartel_date *since, const struct cartel_date *today)
{
	if (!cartel_date_known(since))
		return CARTEL_HELD_UNKNOWN;
	long m = months_between(since, today);
	if (m < 3)
		return CARTEL_HELD_LT3M;
	if (m < 6)
		return CARTEL_HELD_3_6M;
	if (m < 12)
		return CARTEL_HELD_6_12M;
	if (m < 24)
		return CARTEL_HELD_12_24M;
	return CARTEL_HELD_GT24M;
}

static int
party_cmp(const void *a, const void *b)
{
	const struct cartel_stats_party *x = a, *y = b;
	/* Unknown party last. */
	if (x->party[0] == '\0' || y->party[0] == '\0')
		return (x->party[0] == '\0') - (y->party[0] == '\0');
	return strcmp(x->party, y->party);
}

static int
parse_enum(enum cartel_enum_kind k, const unsigned char *text, int fallback)
{
	int v;
	if (text == NULL || cartel_enum_parse(k, (const char *)text, &v, NULL))
		return fallback;
	return v;
}

int
cartel_stats_get(struct cartel_db *db, struct cartel_stats *st, char **why)
{
	memset(st, 0, sizeof(*st));
	st->today = cartel_date_today();
	sqlite3_stmt *q;
	int rc = sqlite3_prepare_v2(
		cartel__db_sqlite(db),
		"SELECT coalesce(held_by, ''), status, category, health, "
		"direct_repatriation, consent, legal_hold, held_since, "
		"captured_on FROM persons WHERE " CARTEL__NOT_MERGED(
			"id") " ORDER BY held_by",
		-1, &q, NULL);
	if (rc != SQLITE_OK)
		return cartel__db_err(db, rc, "reading persons", why);
	size_t cap = 0;
	int err = 0;
	struct cartel_stats_party *cur = NULL;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		const char *party = (const char *)sqlite3_column_text(q, 0);
		/* A held_by that is not a party code (free text recorded
		 * before codes were checked) counts as unknown: a column
		 * header is never a person's words, nor cut inside a
		 * character. */
		if (party == NULL || cartel_party_check(party, NULL) != 0)
			party = "";
		cur = NULL;
		for (size_t k = 0; k < st->n_parties; k++)
			if (strcmp(st->parties[k].party, party) == 0)
				cur = &st->parties[k];
		if (cur == NULL) {
			if (st->n_parties == cap) {
				size_t ncap = cap ? cap * 2 : 8;
				struct cartel_stats_party *g =
					realloc(st->parties, ncap * sizeof(*g));
				if (g == NULL) {
					err = cartel__why(why, CARTEL_ENOMEM,
							  "out of memory");
					break;
				}
				st->parties = g;
				cap = ncap;
			}
			cur = &st->parties[st->n_parties++];
			memset(cur, 0, sizeof(*cur));
			snprintf(cur->party, sizeof cur->party, "%s", party);
		}
		st->persons++;
		int status = parse_enum(CARTEL_ENUM_STATUS,
					sqlite3_column_text(q, 1), 0);
		cur->by_status[status]++;
		if (status != CARTEL_STATUS_CONFIRMED_CAPTIVE &&
		    status != CARTEL_STATUS_PROPOSED &&
		    status != CARTEL_STATUS_AGREED)
			continue;
		cur->held++;
		cur->by_category[parse_enum(CARTEL_ENUM_CATEGORY,
					    sqlite3_column_text(q, 2), 0)]++;
		cur->by_health[parse_enum(CARTEL_ENUM_HEALTH,
					  sqlite3_column_text(q, 3), 0)]++;
		if (parse_enum(CARTEL_ENUM_DIRECT_REP,
			       sqlite3_column_text(q, 4),
			       0) == CARTEL_DIRECT_YES)
			cur->await_direct++;
		int consent = parse_enum(CARTEL_ENUM_CONSENT,
					 sqlite3_column_text(q, 5), 0);
		if (consent == CARTEL_CONSENT_NOT_ASKED)
			cur->consent_not_asked++;
		else if (consent == CARTEL_CONSENT_UNDECIDED)
			cur->consent_undecided++;
		cur->by_hold[parse_enum(CARTEL_ENUM_LEGAL_HOLD,
					sqlite3_column_text(q, 6), 0)]++;
		struct cartel_date since = {0, 0, 0};
		const char *hs = (const char *)sqlite3_column_text(q, 7);
		const char *co = (const char *)sqlite3_column_text(q, 8);
		if (hs == NULL || cartel_date_parse(hs, &since, NULL) != 0 ||
		    !cartel_date_known(&since))
			if (co == NULL ||
			    cartel_date_parse(co, &since, NULL) != 0)
				memset(&since, 0, sizeof since);
		cur->by_held[bucket(&since, &st->today)]++;
	}
	if (err == 0 && rc != SQLITE_DONE)
		err = cartel__db_err(db, rc, "reading persons", why);
	sqlite3_finalize(q);
	if (err != 0) {
		cartel_stats_clear(st);
		return err;
	}
	/* An empty register has no array to sort (qsort wants one). */
	if (st->n_parties > 1)
		qsort(st->parties, st->n_parties, sizeof(*st->parties),
		      party_cmp);
	return 0;
}

void
cartel_stats_clear(struct cartel_stats *st)
{
	free(st->parties);
	memset(st, 0, sizeof(*st));
}

int
cartel_stats_suppressed(long n, int public_figures)
{
	return public_figures && n > 0 && n < 5;
}
