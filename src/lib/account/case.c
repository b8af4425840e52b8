/*
 * The families' case codes, and what a case code shows: that one case's
 * status in plain words, and nothing else (no evidence, no other person,
 * no candidate that was not confirmed). A code is 100 bits from the
 * system's random source, written in Crockford's base 32 (no I, L, O, U:
 * nothing to confuse over the phone) in five groups of four; the register
 * keeps only its SHA-256.
 *
 * Also the limiter the server uses against guessing codes and passwords.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include <cartel/account.h>
#include <cartel/error.h>
#include <cartel/inquiry.h>

#include "core/intl.h"
#include "core/why.h"
#include "store/account_rows.h"

static const char b32[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

#define CODE_CHARS 20

static void
code_hash(const char canon[CODE_CHARS], char out[65])
{
	unsigned char h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(h, (const unsigned char *)canon, CODE_CHARS);
	sodium_bin2hex(out, 65, h, sizeof h);
}

int
cartel_case_code_new(struct cartel_db *db, const char *inquiry_id,
		     char code[CARTEL_CASE_CODE_SIZE], char **why)
{
	if (sodium_init() < 0)
		return cartel__why(why, CARTEL_EIO,
				   "the cryptographic library did not start");
	unsigned char r[13]; /* 104 bits; 100 are used */
	randombytes_buf(r, sizeof r);
	char canon[CODE_CHARS];
	for (int i = 0; i < CODE_CHARS; i++) {
		int bit = i * 5, v = 0;
		for (int k = 0; k < 5; k++, bit++)
			v = v << 1 | ((r[bit / 8] >> (7 - bit % 8)) & 1);
		canon[i] = b32[v];
	}
	sodium_memzero(r, sizeof r);
	size_t o = 0;
	for (int i = 0; i < CODE_CHARS; i++) {
		if (i > 0 && i % 4 == 0)
			code[o++] = '-';
		code[o++] = canon[i];
	}
	code[o] = '\0';
	char hash[65], now[32];
	code_hash(canon, hash);
	cartel__account_now(now, sizeof now);
	int err = cartel_db_begin(db, why);
	if (err != 0)
		return err;
	err = cartel__case_code_insert(db, hash, inquiry_id, now, why);
	if (err == 0)
		err = cartel_audit_append(db, "hotline", "case.code", inquiry_id,
					  NULL, why);
	if (err == 0)
		err = cartel_db_commit(db, why);
	if (err != 0)
		cartel_db_rollback(db);
	return err;
}

/* The code as typed into its 20 canonical characters; -1 when it cannot
 * be a code. */
static int
canonical(const char *code, char canon[CODE_CHARS])
{
	int n = 0;
	for (const char *c = code; *c; c++) {
		char ch = *c;
		if (ch == '-' || ch == ' ')
			continue;
		if (ch >= 'a' && ch <= 'z')
			ch = (char)(ch - 'a' + 'A');
		if (ch == 'I' || ch == 'L')
			ch = '1';
		else if (ch == 'O')
			ch = '0';
		if (strchr(b32, ch) == NULL || ch == '\0' || n == CODE_CHARS)
			return -1;
		canon[n++] = ch;
	}
	return n == CODE_CHARS ? 0 : -1;
}

static const char warning[] =
	N_("A place on an exchange list is never sold. No one can add a name "
	"to a list for money: anyone who asks for payment is a fraud. "
	"Report it to the hotline.");

/* The day (YYYY-MM-DD) the person's status last changed, into day. */
static void
status_day(struct cartel_db *db, const char *id, char day[11])
{
	struct cartel_event *ev = NULL;
	size_t n = 0;
	day[0] = '\0';
	if (cartel_person_events(db, id, &ev, &n, NULL) != 0)
		return;
	for (size_t i = 0; i < n; i++) {
		const char *field;
		cartel_event_corrects(&ev[i], &field);
		if ((strcmp(field, "status") == 0 ||
		     strcmp(ev[i].field, "*") == 0) &&
		    ev[i].prov.at != NULL)
			snprintf(day, 11, "%.10s", ev[i].prov.at);
	}
	cartel_events_free(ev, n);
}

/* What the family reads about the confirmed person p. */
static json_t *
person_status(struct cartel_db *db, const char *case_id,
	      const struct cartel_person *p)
{
	char since[16] = "", day[11], text[256];
	const char *status;
	status_day(db, p->id, day);
	switch (p->status) {
	case CARTEL_STATUS_REPORTED_MISSING:
		status = "reported_missing";
		snprintf(text, sizeof text,
			 "%s", _("Reported missing. There is no confirmation "
				 "yet that he is held."));
		break;
	case CARTEL_STATUS_CONFIRMED_CAPTIVE:
	case CARTEL_STATUS_PROPOSED:
		status = "held";
		if (p->held_since.year)
			cartel_date_format(&p->held_since, since, sizeof since);
		snprintf(text, sizeof text, _("Confirmed held since %s."),
			 since[0] ? since : _("a date not known"));
		break;
	case CARTEL_STATUS_AGREED:
		status = "on_list";
		snprintf(since, sizeof since, "%s", day);
		snprintf(text, sizeof text, _("On the list agreed on %s."),
			 day[0] ? day : _("a date not known"));
		break;
	case CARTEL_STATUS_REPATRIATED:
		status = "handed_over";
		snprintf(since, sizeof since, "%s", day);
		snprintf(text, sizeof text, _("Handed over on %s."),
			 day[0] ? day : _("a date not known"));
		break;
	case CARTEL_STATUS_RELEASED:
		status = "released";
		snprintf(since, sizeof since, "%s", day);
		snprintf(text, sizeof text, _("Released on %s."),
			 day[0] ? day : _("a date not known"));
		break;
	default:
		/* Death, transfer, escape: news a person must give. */
		status = "contact_hotline";
		snprintf(text, sizeof text, "%s",
			 _("There is news on this case that we want to give "
			   "you in person. Please call the hotline."));
		break;
	}
	return json_pack("{s:s, s:s, s:s?, s:s, s:s}", "case", case_id,
			 "status", status, "since", since[0] ? since : NULL,
			 "text", text, "warning", _(warning));
}

int
cartel_case_status(struct cartel_db *db, const char *code, const char *from,
		   json_t **out, char **why)
{
	*out = NULL;
	char canon[CODE_CHARS], hash[65];
	char *inq = NULL;
	int err = CARTEL_ENOTFOUND;
	if (code != NULL && strlen(code) < 64 && canonical(code, canon) == 0) {
		code_hash(canon, hash);
		err = cartel__case_code_find(db, hash, &inq, why);
	}
	if (err == CARTEL_ENOTFOUND) {
		int e = cartel_access_log(db, NULL, "case.read", "unknown code",
					  0, from, why);
		return e != 0 ? e
			      : cartel__why(why, CARTEL_ENOTFOUND,
					    "no case has this code: check it "
					    "and try again");
	}
	if (err != 0)
		return err;
	/* The inquiry's state and its confirmed person only: the page reads
	 * nothing else of it, and a request a family may make many times a
	 * second should not load every candidate's record. */
	int state = 0;
	char *confirmed = NULL;
	err = cartel__case_inquiry(db, inq, &state, &confirmed, why);
	if (err == 0 && confirmed != NULL) {
		struct cartel_person p;
		err = cartel_person_get(db, confirmed, &p, why);
		if (err == 0) {
			*out = person_status(db, inq, &p);
			cartel_person_clear(&p);
		}
	} else if (err == 0) {
		int closed = state == CARTEL_INQUIRY_CLOSED;
		*out = json_pack(
			"{s:s, s:s, s:s, s:s}", "case", inq, "status",
			closed ? "closed" : "searching", "text",
			closed ? _("This case is closed. Call the hotline to "
				   "ask why or to open it again.")
			       : _("We are looking. We will call you when we "
				   "know more."),
			"warning", _(warning));
	}
	if (err == 0 && *out == NULL)
		err = cartel__why(why, CARTEL_ENOMEM, "out of memory");
	/* Logged whatever came of it. */
	int e = cartel_access_log(db, NULL, "case.read", inq, err == 0, from,
				  err == 0 ? why : NULL);
	if (err == 0)
		err = e;
	if (err != 0) {
		json_decref(*out);
		*out = NULL;
	}
	free(confirmed);
	free(inq);
	return err;
}

/* The limiter: a small open-addressed table of keys (hashed), each with
 * its attempts' count in the current window. When the table is full the
 * oldest window is reused, which can only forget attempts of a key long
 * idle. */
#define LIMITER_SLOTS 4096

struct limiter_slot {
	unsigned char key[16];
	long long window_start;
	int count;
	int used;
};

struct cartel_limiter {
	pthread_mutex_t mu;
	int max;
	long long window_s;
	struct limiter_slot slot[LIMITER_SLOTS];
};

struct cartel_limiter *
cartel_limiter_new(int max, long long window_s)
{
	struct cartel_limiter *l = calloc(1, sizeof *l);
	if (l == NULL)
		return NULL;
	if (pthread_mutex_init(&l->mu, NULL) != 0) {
		free(l);
		return NULL;
	}
	l->max = max;
	l->window_s = window_s;
	return l;
}

void
cartel_limiter_free(struct cartel_limiter *l)
{
	if (l == NULL)
		return;
	pthread_mutex_destroy(&l->mu);
	free(l);
}

static struct limiter_slot *
find(struct cartel_limiter *l, const char *key, long long now)
{
	unsigned char h[16];
	crypto_generichash(h, sizeof h, (const unsigned char *)key,
			   strlen(key), NULL, 0);
	size_t at = ((size_t)h[0] | (size_t)h[1] << 8) % LIMITER_SLOTS;
	struct limiter_slot *oldest = NULL;
	for (size_t i = 0; i < 16; i++) {
		struct limiter_slot *s = &l->slot[(at + i) % LIMITER_SLOTS];
		if (s->used && memcmp(s->key, h, sizeof h) == 0)
			return s;
		if (!s->used || s->window_start + l->window_s <= now ||
		    oldest == NULL || s->window_start < oldest->window_start)
			oldest = s;
		if (!s->used)
			break;
	}
	memcpy(oldest->key, h, sizeof h);
	oldest->used = 1;
	oldest->count = 0;
	oldest->window_start = now;
	return oldest;
}

int
cartel_limiter_hit(struct cartel_limiter *l, const char *key, long long now)
{
	pthread_mutex_lock(&l->mu);
	struct limiter_slot *s = find(l, key, now);
	if (s->window_start + l->window_s <= now) {
		s->window_start = now;
		s->count = 0;
	}
	int over = ++s->count > l->max;
	pthread_mutex_unlock(&l->mu);
	return over;
}

int
cartel_limiter_over(struct cartel_limiter *l, const char *key, long long now)
{
	pthread_mutex_lock(&l->mu);
	struct limiter_slot *s = find(l, key, now);
	int over = s->window_start + l->window_s > now && s->count >= l->max;
	pthread_mutex_unlock(&l->mu);
	return over;
}
