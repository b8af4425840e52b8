/*
 * The access log in batches (<cartel/account.h>, cartel_access_batch_*).
 *
 * A server logs every read of a person's record and every case a family
 * looks up. Written one transaction per read, the log is what bounds the
 * server: each commit waits for the disk, and the writers queue behind one
 * another on the register's write lock. Here the reads only queue their
 * lines in memory; one writer thread takes the whole queue every few
 * milliseconds and commits it in one transaction, each line with its
 * audit entry as before, so the chain covers every line.
 *
 * The queue is bounded: when the writer cannot commit (an import at the
 * command line holds the register), readers wait for room and are refused
 * after CARTEL_ACCESS_WAIT_MS, rather than read unlogged.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cartel/account.h>
#include <cartel/error.h>
#include <cartel/store.h>

#include "account/account_int.h"
#include "core/why.h"
#include "store/account_rows.h"

/* One line: its fields point into text, one allocation. */
struct line {
	const char *at, *user, *role, *action, *subject, *decision, *address;
	char text[];
};

struct cartel_access_batch {
	pthread_mutex_t mu;
	pthread_cond_t more; /* lines queued, or stop asked */
	pthread_cond_t done; /* lines committed (flushers, waiting readers) */
	pthread_t thread;
	struct cartel_db *db;
	int flush_ms;
	int stop;
	int flushers; /* callers of cartel_access_batch_flush waiting */
	struct line **q; /* queued, oldest first */
	size_t n, cap;
	unsigned long long queued;    /* lines ever queued */
	unsigned long long committed; /* lines ever committed */
	int last_err;                 /* the writer's last failure, or 0 */
	char *last_why;
};

static void
deadline_in(struct timespec *ts, long ms)
{
	clock_gettime(CLOCK_REALTIME, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

/* Writes lines v[0..n) with their audit entries in one transaction. */
static int
write_lines(struct cartel_db *db, struct line **v, size_t n, char **why)
{
	int err = cartel_db_begin(db, why);
	for (size_t i = 0; err == 0 && i < n; i++) {
		err = cartel__access_insert(
		    db, v[i]->at, v[i]->user, v[i]->role, v[i]->action,
		    v[i]->subject, v[i]->decision, v[i]->address, why);
		if (err == 0)
			err = cartel_audit_append(db, v[i]->user, "access",
			                          v[i]->subject, v[i]->action,
			                          why);
	}
	if (err == 0)
		err = cartel_db_commit(db, why);
	if (err != 0)
		cartel_db_rollback(db);
	return err;
}

static void *
writer(void *arg)
{
	struct cartel_access_batch *b = arg;
	struct line **v = NULL;
	size_t n = 0;
	pthread_mutex_lock(&b->mu);
	for (;;) {
		while (b->n == 0 && n == 0 && !b->stop)
			pthread_cond_wait(&b->more, &b->mu);
		if (b->n == 0 && n == 0 && b->stop)
			break;
		/* Take the queue (lines that failed before go first). */
		if (n == 0) {
			v = b->q;
			n = b->n;
			b->q = NULL;
			b->n = b->cap = 0;
		}
		int stopping = b->stop;
		pthread_mutex_unlock(&b->mu);

		char *why = NULL;
		int err = write_lines(b->db, v, n, &why);

		pthread_mutex_lock(&b->mu);
		if (err == 0) {
			for (size_t i = 0; i < n; i++)
				free(v[i]);
			free(v);
			b->committed += n;
			v = NULL;
			n = 0;
			free(why);
			b->last_err = 0;
		} else {
			free(b->last_why);
			b->last_why = why;
			b->last_err = err;
			if (stopping)
				break;
		}
		pthread_cond_broadcast(&b->done);
		/* Let the next batch gather (and a failed one wait before
		 * it is tried again), unless someone waits for a flush: the
		 * lines it waits for are written now. */
		struct timespec ts;
		deadline_in(&ts, err == 0 ? b->flush_ms : 100);
		while (!b->stop && !(err == 0 && b->flushers > 0) &&
		       pthread_cond_timedwait(&b->more, &b->mu, &ts) == 0)
			if (err == 0 && b->n >= CARTEL_ACCESS_QUEUE_MAX / 2)
				break;
	}
	/* Lines that could not be written at the stop are lost: say so. */
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
	for (size_t i = 0; i < b->n; i++)
		free(b->q[i]);
	b->n = 0;
	pthread_cond_broadcast(&b->done);
	pthread_mutex_unlock(&b->mu);
	return NULL;
}

int
cartel_access_batch_start(const char *db_path, int flush_ms,
                          struct cartel_access_batch **out, char **why)
{
	*out = NULL;
	if (flush_ms < 1 || flush_ms > 10000)
		return cartel__why(why, CARTEL_EINVAL,
		                   "the access log is flushed every 1 to 10000 "
		                   "ms");
	struct cartel_access_batch *b = calloc(1, sizeof *b);
	if (b == NULL)
		return cartel__why(why, CARTEL_ENOMEM, "out of memory");
	int err = cartel_db_open(&b->db, db_path, 0, why);
	if (err != 0) {
		free(b);
		return err;
	}
	b->flush_ms = flush_ms;
	pthread_mutex_init(&b->mu, NULL);
	pthread_cond_init(&b->more, NULL);
	pthread_cond_init(&b->done, NULL);
	if (pthread_create(&b->thread, NULL, writer, b) != 0) {
		cartel_db_close(b->db);
		pthread_mutex_destroy(&b->mu);
		pthread_cond_destroy(&b->more);
		pthread_cond_destroy(&b->done);
		free(b);
		return cartel__why(why, CARTEL_ENOMEM,
		                   "cannot start the access log's writer");
	}
	*out = b;
	return 0;
}

void
cartel_access_batch_use(struct cartel_db *db, struct cartel_access_batch *b)
{
	cartel__db_set_access_batch(db, b);
}

int
cartel__access_batched(struct cartel_db *db)
{
	return cartel__db_access_batch(db) != NULL;
}

static size_t
field_len(const char *s)
{
	return s ? strlen(s) + 1 : 0;
}

/* Appends s (may be NULL) at *p; returns where it went. */
static const char *
field_put(char **p, const char *s)
{
	if (s == NULL)
		return NULL;
	size_t n = strlen(s) + 1;
	memcpy(*p, s, n);
	const char *at = *p;
	*p += n;
	return at;
}

int
cartel__access_enqueue(struct cartel_db *db, const char *at, const char *user,
                       const char *role, const char *action,
                       const char *subject, const char *decision,
                       const char *address, char **why)
{
	struct cartel_access_batch *b = cartel__db_access_batch(db);
	size_t size = sizeof(struct line) + field_len(at) + field_len(user) +
	              field_len(role) + field_len(action) + field_len(subject) +
	              field_len(decision) + field_len(address);
	struct line *l = malloc(size);
	if (l == NULL)
		return cartel__why(why, CARTEL_ENOMEM, "out of memory");
	char *p = l->text;
	l->at = field_put(&p, at);
	l->user = field_put(&p, user);
	l->role = field_put(&p, role);
	l->action = field_put(&p, action);
	l->subject = field_put(&p, subject);
	l->decision = field_put(&p, decision);
	l->address = field_put(&p, address);

	pthread_mutex_lock(&b->mu);
	struct timespec ts;
	deadline_in(&ts, CARTEL_ACCESS_WAIT_MS);
	int timed_out = 0;
	while (!b->stop && !timed_out &&
	       b->queued - b->committed >= CARTEL_ACCESS_QUEUE_MAX)
		timed_out =
		    pthread_cond_timedwait(&b->done, &b->mu, &ts) == ETIMEDOUT;
	int err = 0;
	if (b->stop || timed_out) {
		err = CARTEL_EBUSY;
	} else if (b->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 256;
		struct line **q = realloc(b->q, cap * sizeof *q);
		if (q == NULL)
			err = CARTEL_ENOMEM;
		else
			b->q = q, b->cap = cap;
	}
	if (err == 0) {
		b->q[b->n++] = l;
		b->queued++;
		if (b->n == 1)
			pthread_cond_signal(&b->more);
	}
	pthread_mutex_unlock(&b->mu);
	if (err != 0) {
		free(l);
		return cartel__why(why, err,
		                   err == CARTEL_EBUSY
		                       ? "the access log cannot be written "
		                         "now: try again shortly"
		                       : "out of memory");
	}
	return 0;
}

int
cartel_access_batch_flush(struct cartel_access_batch *b, char **why)
{
	pthread_mutex_lock(&b->mu);
	unsigned long long want = b->queued;
	int err = 0;
	b->flushers++;
	pthread_cond_signal(&b->more);
	while (b->committed < want && err == 0 && !b->stop) {
		pthread_cond_wait(&b->done, &b->mu);
		if (b->committed < want && b->last_err != 0)
			err = b->last_err;
	}
	b->flushers--;
	if (b->committed < want && err == 0)
		err = CARTEL_EBUSY;
	if (err != 0)
		cartel__why(why, err, "writing the access log: %s",
		            b->last_why ? b->last_why : cartel_strerror(err));
	pthread_mutex_unlock(&b->mu);
	return err;
}

int
cartel_access_batch_stop(struct cartel_access_batch *b, char **why)
{
	if (b == NULL)
		return 0;
	pthread_mutex_lock(&b->mu);
	b->stop = 1;
	pthread_cond_broadcast(&b->more);
	pthread_cond_broadcast(&b->done);
	pthread_mutex_unlock(&b->mu);
	pthread_join(b->thread, NULL);
	int err = 0;
	if (b->committed < b->queued)
		err = cartel__why(why, b->last_err ? b->last_err : CARTEL_EIO,
		                  "%llu access log lines could not be written: "
		                  "%s",
		                  b->queued - b->committed,
		                  b->last_why ? b->last_why : "stopped");
	cartel_db_close(b->db);
	free(b->q);
	free(b->last_why);
	pthread_mutex_destroy(&b->mu);
	pthread_cond_destroy(&b->more);
	pthread_cond_destroy(&b->done);
	free(b);
	return err;
}
