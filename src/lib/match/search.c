/*
 * Search in the register through the search index kept beside it
 * (REGISTER.search, written by <cartel/match.h>'s cartel_match_index_save).
 * A search reads the register's state stamp, maps the file when it was
 * built from that same state, gathers and scores the candidates from it,
 * and fetches only the persons it returns. When the file is missing, out
 * of date or damaged, the register is loaded whole, the index built and
 * saved for the next search (or, where the folder cannot be written, kept
 * in memory for this search only). The file is not trusted as read: every
 * person a search answers with is checked against the record of him that
 * was scored (cartel_match_index_agrees), and a file that does not agree
 * is rebuilt and the search asked again; with verify_index its whole
 * digest is checked when it is opened. Everything happens inside one read
 * transaction, so that the stamp, the loaded persons and the fetched rows
 * are one state of the register: a search never mixes two.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cartel/error.h>
#include <cartel/match.h>
#include <cartel/store.h>

#include "core/intl.h"
#include "core/why.h"
#include "match/match_int.h"
#include "store/match_rows.h"

char *
cartel_search_index_path(struct cartel_db *db)
{
	const char *p = cartel__db_path(db);
	if (p == NULL || p[0] == '\0' || strcmp(p, ":memory:") == 0)
		return NULL;
	return cartel__asprintf("%s.search", p);
}

/* The persons fetched for the results, in the order asked. */
struct fetched {
	struct cartel_db *db;
	struct cartel_person *p;
	size_t n, cap;
	/* The index the results come from: each person fetched is checked
	 * against the record of it that was scored. */
	const struct cartel_match_index *ix;
};

static int
fetch_person(void *ctx, size_t index, const char *id,
	     const struct cartel_person **out, char **why)
{
	struct fetched *f = ctx;
	*out = NULL;
	if (f->n == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 16;
		struct cartel_person *p = realloc(f->p, cap * sizeof *p);
		if (p == NULL)
			return cartel__why(why, CARTEL_ENOMEM, "out of memory");
		f->p = p;
		f->cap = cap;
	}
	int err = cartel_person_get(f->db, id, &f->p[f->n], why);
	if (err == CARTEL_ENOTFOUND)
		/* The index names a person the register does not hold: not
		 * the state it was built from after all. */
		return cartel__why(why, CARTEL_EFORMAT,
				   "the search index names a person the "
				   "register does not hold");
	if (err != 0)
		return err;
	/* The file is not trusted as read: the man answered with must be
	 * the one whose record was scored, as the register holds him now. */
	int agrees = cartel_match_index_agrees(f->ix, index, &f->p[f->n]);
	if (agrees != 1) {
		cartel_person_clear(&f->p[f->n]);
		if (agrees < 0)
			return cartel__why(why, CARTEL_ENOMEM,
					   "out of memory");
		return cartel__why(why, CARTEL_EFORMAT,
				   "the search index is damaged (it does not "
				   "hold what the register holds for a "
				   "person it names)");
	}
	*out = &f->p[f->n++];
	return 0;
}

static void
fetched_free(struct fetched *f)
{
	cartel_persons_free(f->p, f->n);
	memset(f, 0, sizeof *f);
}

/* Turns candidates into hits, moving the fetched persons in (and fetching
 * those not fetched yet: explanations off). */
static int
make_hits(struct fetched *f, struct cartel_match_candidate *c, size_t nc,
	  struct cartel_search_hit **out, char **why)
{
	struct cartel_search_hit *h = calloc(nc ? nc : 1, sizeof *h);
	if (h == NULL)
		return cartel__why(why, CARTEL_ENOMEM, "out of memory");
	int err = 0;
	size_t i = 0;
	for (; err == 0 && i < nc; i++) {
		size_t k = 0;
		while (k < f->n &&
		       (f->p[k].id == NULL || strcmp(f->p[k].id, c[i].id) != 0))
			k++;
		if (k == f->n) {
			const struct cartel_person *p;
			err = fetch_person(f, c[i].index, c[i].id, &p, why);
			if (err != 0)
				break;
		}
		/* Moved: the slot keeps nothing to free. */
		h[i].person = f->p[k];
		memset(&f->p[k], 0, sizeof f->p[k]);
		h[i].probability = c[i].probability;
		h[i].weight = c[i].weight;
		h[i].band = c[i].band;
		h[i].explanation = c[i].explanation;
		c[i].explanation = NULL;
		h[i].words = c[i].words;
		c[i].words = NULL;
		memcpy(h[i].fields, c[i].fields, sizeof h[i].fields);
		err = cartel__status_day(f->db, h[i].person.id,
					 &h[i].status_on, why);
	}
	if (err != 0) {
		cartel_search_hits_free(h, i);
		return err;
	}
	*out = h;
	return 0;
}

/* The index build's own progress, passed on as the later part of the
 * search's: every record the build counts comes after the persons read. */
struct relay {
	struct cartel__progress *pg;
	uint64_t offset;
};

static void
relay_progress(void *user, const struct cartel_progress *p)
{
	struct relay *r = user;
	cartel__progress_at(r->pg, r->offset + p->done);
}

/* Builds s->ix from the whole register (s->all), says why first
 * (so->on_build) and saves it to path unless path is NULL. A file that
 * cannot be saved is not an error: info->note says why. */
static int
build(struct cartel_db *db, struct cartel__search *s,
      const struct cartel_search_opts *so, const char *reason,
      struct cartel_search_info *info, char **why)
{
	int err = 0;
	size_t n = 0;
	if ((so->on_build != NULL && s->path != NULL) ||
	    so->progress != NULL) {
		if ((err = cartel__search_count(db, &n, why)) != 0)
			return err;
	}
	if (s->path != NULL && so->on_build != NULL)
		so->on_build(so->ctx, reason ? reason : "", n);
	cartel_match_index_free(s->ix);
	s->ix = NULL;
	/* Each person counted three times: read from the register, then
	 * normalised and put in the postings by the index build. */
	struct cartel__progress pg = {0};
	cartel__progress_begin(&pg, so->progress, so->progress_user,
			       "records", 3 * (uint64_t)n);
	if (s->all == NULL &&
	    (err = cartel__db_persons_pg(db, &s->all, &s->n_all, &pg,
					 why)) != 0)
		return err;
	info->n_persons = s->n_all;
	info->used_index = 0;
	struct cartel_match_opts mo;
	if (so->match != NULL)
		mo = *so->match;
	else
		cartel_match_opts_init(&mo);
	struct relay rl = {&pg, s->n_all};
	if (so->progress != NULL) {
		mo.progress = relay_progress;
		mo.progress_user = &rl;
	}
	err = cartel_match_index_build(&s->ix, s->all, s->n_all, &mo, why);
	if (err == 0 && s->path != NULL) {
		char *why_save = NULL;
		int e = cartel_match_index_save(s->ix, s->path, s->stamp,
						&why_save);
		if (e == 0) {
			info->built = 1;
		} else if (info->note == NULL) {
			/* Not fatal: this search goes on in memory. */
			info->note = cartel__asprintf(
				"%s; searched the register in memory",
				why_save ? why_save : cartel_strerror(e));
		}
		free(why_save);
	}
	if (err == 0)
		cartel__progress_end(&pg);
	return err;
}

static void
file_id(const char *path, struct cartel__file_id *f)
{
	struct stat st;
	memset(f, 0, sizeof *f);
	if (stat(path, &st) != 0)
		return;
	f->dev = (unsigned long long)st.st_dev;
	f->ino = (unsigned long long)st.st_ino;
	f->size = (unsigned long long)st.st_size;
	f->mtime_s = (long long)st.st_mtim.tv_sec;
	f->mtime_ns = (long long)st.st_mtim.tv_nsec;
	f->ctime_s = (long long)st.st_ctim.tv_sec;
	f->ctime_ns = (long long)st.st_ctim.tv_nsec;
	f->ok = 1;
}

int
cartel__search_begin(struct cartel_db *db, const struct cartel_search_opts *so,
		     struct cartel__search *s, struct cartel_search_info *info,
		     char **why)
{
	memset(s, 0, sizeof *s);
	memset(info, 0, sizeof *info);
	/* One read transaction (or the caller's): the stamp, the persons and
	 * the rows fetched are then one state of the register. */
	int err = cartel__db_read_begin(db, &s->own_txn, why);
	if (err != 0)
		return err;
	err = cartel__search_stamp(db, s->stamp, sizeof s->stamp, why);
	/* Inside a caller's write transaction the state may yet be rolled
	 * back: nothing is saved from it. */
	if (err == 0 && so->mode != CARTEL_SEARCH_MEMORY &&
	    !cartel__db_in_write(db)) {
		s->path = so->index_path ? cartel__strdup(so->index_path)
					 : cartel_search_index_path(db);
		if (s->path == NULL && so->index_path != NULL)
			err = cartel__why(why, CARTEL_ENOMEM, "out of memory");
	}
	char *reason = NULL;
	s->cacheable = s->path != NULL && so->match == NULL;
	if (s->cacheable)
		file_id(s->path, &s->file);
	struct cartel__search_cache *cache = cartel__db_search_cache(db);
	if (err == 0 && s->cacheable && so->mode == CARTEL_SEARCH_AUTO &&
	    cache->ix != NULL && strcmp(cache->path, s->path) == 0 &&
	    strcmp(cache->stamp, s->stamp) == 0 && s->file.ok &&
	    memcmp(&cache->file, &s->file, sizeof s->file) == 0) {
		/* Mapped by the last search, the register unchanged since:
		 * taken from the cache for the time of this search. */
		s->ix = cache->ix;
		cache->ix = NULL;
		info->n_persons = cartel_match_index_size(s->ix);
		info->used_index = 1;
		info->kept = 1;
	} else if (err == 0 && s->path != NULL &&
		   so->mode == CARTEL_SEARCH_AUTO) {
		char *why_open = NULL;
		int e = cartel_match_index_open(&s->ix, s->path, s->stamp,
						so->match, &why_open);
		if (e == 0 && so->verify_index &&
		    (e = cartel_match_index_verify(s->ix, &why_open)) != 0) {
			cartel_match_index_free(s->ix);
			s->ix = NULL;
		}
		if (e == 0) {
			info->n_persons = cartel_match_index_size(s->ix);
			info->used_index = 1;
		} else if (e == CARTEL_EFORMAT || e == CARTEL_ESTATE ||
			   e == CARTEL_ENOTFOUND || e == CARTEL_EIO) {
			reason = e == CARTEL_ENOTFOUND
					 ? cartel__strdup(_("no search index yet"))
					 : why_open;
			if (reason == why_open)
				why_open = NULL;
		} else {
			/* A name-table error or no memory: building would
			 * meet it too. */
			err = cartel__why(why, e, "%s",
					  why_open ? why_open : _("searching"));
		}
		free(why_open);
	} else if (err == 0 && s->path != NULL) {
		reason = cartel__strdup(_("a rebuild was asked for"));
	}
	if (err == 0 && s->ix == NULL)
		err = build(db, s, so, reason, info, why);
	free(reason);
	if (err != 0)
		cartel__search_end(db, s, err);
	return err;
}

int
cartel__search_query(struct cartel_db *db, struct cartel__search *s,
		     const struct cartel_search_opts *so,
		     struct cartel_search_info *info,
		     const struct cartel_person *q, size_t max_results,
		     int strict, struct cartel_search_hit **out, size_t *n_out,
		     char **why)
{
	*out = NULL;
	*n_out = 0;
	for (int attempt = 0;; attempt++) {
		struct fetched f = {db, NULL, 0, 0, s->ix};
		struct cartel_match_candidate *c = NULL;
		size_t nc = 0;
		char *why_q = NULL;
		int err = cartel_match_query_fetch(s->ix, q, max_results,
						   strict, fetch_person, &f,
						   &c, &nc, &why_q);
		if (err == 0)
			err = make_hits(&f, c, nc, out, &why_q);
		if (err == 0)
			*n_out = nc;
		cartel_match_candidates_free(c, nc);
		fetched_free(&f);
		/* A damaged file found only now, reading a record it holds:
		 * built again from the register, and asked again. */
		if (err == CARTEL_EFORMAT && attempt == 0 && s->all == NULL) {
			err = build(db, s, so, why_q, info, why);
			free(why_q);
			if (err != 0)
				return err;
			continue;
		}
		if (err != 0) {
			if (why != NULL && why_q != NULL) {
				free(*why);
				*why = why_q;
				why_q = NULL;
			}
		}
		free(why_q);
		return err;
	}
}

void
cartel__search_end(struct cartel_db *db, struct cartel__search *s, int err)
{
	/* An index mapped from its file (not one built from s->all, which
	 * borrows the persons freed below) is kept for the next search. */
	struct cartel__search_cache *cache = cartel__db_search_cache(db);
	if (err == 0 && s->cacheable && s->ix != NULL && s->all == NULL &&
	    s->file.ok && strlen(s->stamp) < sizeof cache->stamp) {
		char *path = cartel__strdup(s->path);
		if (path != NULL) {
			cartel_match_index_free(cache->ix);
			free(cache->path);
			cache->ix = s->ix;
			cache->path = path;
			memcpy(cache->stamp, s->stamp, sizeof cache->stamp);
			cache->file = s->file;
			s->ix = NULL;
		}
	}
	cartel_match_index_free(s->ix);
	cartel_persons_free(s->all, s->n_all);
	free(s->path);
	cartel__db_read_end(db, s->own_txn, err);
	memset(s, 0, sizeof *s);
}

int
cartel_search(struct cartel_db *db, const struct cartel_person *q,
	      size_t max_results, int strict,
	      const struct cartel_search_opts *so_in,
	      struct cartel_search_hit **out, size_t *n_out,
	      struct cartel_search_info *info, char **why)
{
	struct cartel_search_opts so;
	struct cartel_search_info dummy;
	if (so_in != NULL)
		so = *so_in;
	else
		cartel_search_opts_init(&so);
	if (info == NULL)
		info = &dummy;
	memset(info, 0, sizeof *info);
	if (out != NULL)
		*out = NULL;
	if (n_out != NULL)
		*n_out = 0;
	if (q != NULL && (out == NULL || n_out == NULL))
		return cartel__why(why, CARTEL_EINVAL,
				   "a search needs somewhere to put its hits");
	struct cartel__search s;
	int err = cartel__search_begin(db, &so, &s, info, why);
	if (err != 0) {
		if (info == &dummy)
			cartel_search_info_clear(&dummy);
		return err;
	}
	if (q != NULL)
		err = cartel__search_query(db, &s, &so, info, q, max_results,
					   strict, out, n_out, why);
	cartel__search_end(db, &s, err);
	if (info == &dummy)
		cartel_search_info_clear(&dummy);
	return err;
}

int
cartel_search_text(struct cartel_db *db, const struct cartel_query *query,
		   size_t max_results, int strict,
		   const struct cartel_search_opts *so_in,
		   struct cartel_search_hit **out, size_t *n_out,
		   size_t *reading, struct cartel_search_info *info, char **why)
{
	struct cartel_search_opts so;
	struct cartel_search_info dummy;
	if (so_in != NULL)
		so = *so_in;
	else
		cartel_search_opts_init(&so);
	if (info == NULL)
		info = &dummy;
	memset(info, 0, sizeof *info);
	*out = NULL;
	*n_out = 0;
	if (reading != NULL)
		*reading = 0;
	if (query == NULL || query->n_readings == 0)
		return cartel__why(why, CARTEL_EINVAL, "a search needs a name");
	struct cartel__search s;
	int err = cartel__search_begin(db, &so, &s, info, why);
	if (err != 0) {
		if (info == &dummy)
			cartel_search_info_clear(&dummy);
		return err;
	}
	size_t best = 0;
	char *why_c = NULL;
	/* A damaged file is found again, and rebuilt, by the query below;
	 * the reading is then the most plausible one. */
	err = cartel_match_query_choose(s.ix, query, &best, NULL, &why_c);
	free(why_c);
	if (err == CARTEL_EFORMAT)
		best = 0, err = 0;
	if (err == 0)
		err = cartel__search_query(db, &s, &so, info,
					   &query->readings[best].person,
					   max_results, strict, out, n_out,
					   why);
	else if (why != NULL)
		cartel__why(why, err, "out of memory");
	cartel__search_end(db, &s, err);
	if (reading != NULL && err == 0)
		*reading = best;
	if (info == &dummy)
		cartel_search_info_clear(&dummy);
	return err;
}
