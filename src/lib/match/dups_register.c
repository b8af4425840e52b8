/*
 * The register's duplicate pairs for a process that keeps the register
 * open (the server's duplicates screen): the deduplication of the whole
 * register is worked out again only when a field it reads has changed.
 * Whether one has is the search index's state stamp (store/match_rows.h):
 * the persons added, the last change to a compared field, a merge, an
 * unmerge or a correction. The stamp and the persons it was worked out
 * from are read in one read transaction, so the copy kept is of one state.
 * One answer is kept per process, for the register it was worked out
 * for.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cartel/error.h>
#include <cartel/match.h>
#include <cartel/store.h>

#include "core/why.h"
#include "store/match_rows.h"

/* The pairs of the persons as read now, as cartel_match_dups_json writes
 * them. */
static int
work_out(struct cartel_db *db, char **out, char **why)
{
	struct cartel_person *p = NULL;
	size_t n = 0;
	int err = cartel_db_persons(db, &p, &n, why);
	if (err != 0)
		return err;
	size_t *cluster = malloc((n ? n : 1) * sizeof *cluster);
	struct cartel_match_opts opts;
	cartel_match_opts_init(&opts);
	struct cartel_match_dup *d = NULL;
	size_t n_d = 0;
	if (cluster == NULL)
		err = cartel__why(why, CARTEL_ENOMEM, "out of memory");
	if (err == 0)
		err = cartel_match_dedupe_pairs(p, n, &opts, cluster, &d, &n_d,
						NULL, why);
	if (err == 0 && (*out = cartel_match_dups_json(p, n, cluster, d,
							n_d)) == NULL)
		err = cartel__why(why, CARTEL_ENOMEM, "out of memory");
	cartel_match_dups_free(d, n_d);
	free(cluster);
	cartel_persons_free(p, n);
	return err;
}

/* The last answer, for any handle on the same register file: a server's
 * worker threads each hold their own handle. */
static struct {
	pthread_mutex_t mu;
	char *path;
	char stamp[128];
	char *json;
} kept = {PTHREAD_MUTEX_INITIALIZER, NULL, "", NULL};

/* The kept answer for path at stamp, copied, or NULL (none, or no
 * memory: then worked out again). */
static char *
kept_get(const char *path, const char *stamp)
{
	char *out = NULL;
	pthread_mutex_lock(&kept.mu);
	if (kept.json != NULL && strcmp(kept.path, path) == 0 &&
	    strcmp(kept.stamp, stamp) == 0)
		out = cartel__strdup(kept.json);
	pthread_mutex_unlock(&kept.mu);
	return out;
}

static void
kept_put(const char *path, const char *stamp, const char *json)
{
	char *p = cartel__strdup(path), *j = cartel__strdup(json);
	if (p == NULL || j == NULL) {
		free(p);
		free(j);
		return;
	}
	pthread_mutex_lock(&kept.mu);
	free(kept.path);
	free(kept.json);
	kept.path = p;
	kept.json = j;
	snprintf(kept.stamp, sizeof kept.stamp, "%s", stamp);
	pthread_mutex_unlock(&kept.mu);
}

int
cartel_register_dups_json(struct cartel_db *db, char **out, char **why)
{
	*out = NULL;
	int own = 0;
	int err = cartel__db_read_begin(db, &own, why);
	if (err != 0)
		return err;
	char stamp[128];
	err = cartel__search_stamp(db, stamp, sizeof stamp, why);
	/* A caller's write transaction may yet be rolled back: what is
	 * worked out inside one is not kept. A register in memory has no
	 * name to keep it under. */
	const char *path = cartel__db_path(db);
	int keep = err == 0 && !cartel__db_in_write(db) && path != NULL &&
		   path[0] != '\0' && strcmp(path, ":memory:") != 0 &&
		   strlen(stamp) + 1 < sizeof stamp;
	if (keep)
		*out = kept_get(path, stamp);
	if (err == 0 && *out == NULL) {
		err = work_out(db, out, why);
		if (err == 0 && keep)
			kept_put(path, stamp, *out);
	}
	cartel__db_read_end(db, own, err);
	if (err != 0) {
		free(*out);
		*out = NULL;
	}
	return err;
}
