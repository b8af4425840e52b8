/*
 * Identity links between registers (docs/protocol.md, <cartel/links.h>):
 * the persons of a received declaration, named by their declaring party's
 * ids, linked to the register's own persons or, at the mediator, to the
 * persons of another party's declaration.
 *
 * The matching is the matching engine's, the same model `cartel link`
 * uses: one call links the two lists one to one (pairs in the match band
 * are recorded as links, pairs in the review band as pending links that
 * `cartel review` serves), and a second call, over the persons left
 * unmatched only, finds their nearest candidates. Every row is written
 * with a row-ledger record in one transaction with one audit entry.
 *
 * jansson ownership: documents built here are owned by the function that
 * made them and decref'd before it returns.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include <cartel/declaration.h>
#include <cartel/error.h>
#include <cartel/links.h>
#include <cartel/match.h>
#include <cartel/register.h>
#include <cartel/round.h>
#include <cartel/store.h>

#include "core/why.h"
#include "round/round_int.h"

/* The nearest few candidates of a person nobody matched. */
#define N_NEAREST 3
#define NEAR_P 0.01

static const char *const state_names[] = {"linked", "pending", "confirmed",
					  "revoked"};
static const char *const verdict_names[] = {"linked", "review", "unmatched",
					    "kept"};

const char *
cartel_link_state_name(enum cartel_link_state s)
{
	return (unsigned)s < 4 ? state_names[s] : "";
}

const char *
cartel_link_verdict_name(enum cartel_link_verdict v)
{
	return (unsigned)v < 4 ? verdict_names[v] : "";
}

static int
active(enum cartel_link_state s)
{
	return s == CARTEL_LINK_LINKED || s == CARTEL_LINK_CONFIRMED;
}

void
cartel_link_clear(struct cartel_link *l)
{
	free(l->their_id);
	free(l->our_id);
	free(l->explanation);
	free(l->made_at);
	free(l->made_by);
	free(l->decided_at);
	free(l->decided_by);
	free(l->reason);
	memset(l, 0, sizeof *l);
}

void
cartel_links_free(struct cartel_link *v, size_t n)
{
	for (size_t i = 0; v != NULL && i < n; i++)
		cartel_link_clear(&v[i]);
	free(v);
}

int
cartel_link_side_parse(const char *text, struct cartel_link_side *side,
		       char *buf, char **why)
{
	memset(side, 0, sizeof *side);
	buf[0] = '\0';
	if (text != NULL && strcmp(text, "register") == 0)
		return 0;
	const char *colon = text ? strchr(text, ':') : NULL;
	size_t n = colon ? (size_t)(colon - text) : 0;
	if (colon == NULL || n == 0 || n >= CARTEL_PARTY_MAX)
		goto bad;
	memcpy(buf, text, n);
	buf[n] = '\0';
	if (!cartel_party_valid(buf) ||
	    cartel_decl_kind_parse(colon + 1, &side->kind, NULL) != 0)
		goto bad;
	side->party = buf;
	return 0;
bad:
	buf[0] = '\0';
	return cartel__why(why, CARTEL_EINVAL,
			   "'%.40s' is not a side to link: PARTY:held, "
			   "PARTY:sought (a declaration received from PARTY) "
			   "or register (this register's own persons)",
			   text ? text : "");
}

static int
is_register(const struct cartel_link_side *s)
{
	return s->party == NULL || s->party[0] == '\0';
}

static void
side_name(const struct cartel_link_side *s, char *out, size_t size)
{
	if (is_register(s))
		snprintf(out, size, "register");
	else
		snprintf(out, size, "%s:%s", s->party,
			 cartel_decl_kind_name(s->kind));
}

/* ---- The persons of a side ---- */

/* A declared person's fields (canonical JSON) into a person to match. */
static int
person_from_fields(struct cartel_person *p, const char *id,
		   const char *fields)
{
	memset(p, 0, sizeof *p);
	p->id = cartel__strdup(id);
	if (p->id == NULL)
		return CARTEL_ENOMEM;
	json_t *o = json_loads(fields, 0, NULL);
	if (!json_is_object(o)) {
		json_decref(o);
		return 0; /* nothing to match on but the id */
	}
	const char *k;
	json_t *v;
	int rc = 0;
	json_object_foreach(o, k, v)
	{
		const struct cartel_field *f = cartel_field_find(k);
		if (f == NULL || !json_is_string(v))
			continue;
		/* A value the register would refuse (a date that is no date)
		 * is left unknown: the engine matches on the rest. */
		char *w = NULL;
		rc = cartel_person_set_field(p, f, json_string_value(v), &w);
		free(w);
		if (rc == CARTEL_ENOMEM)
			break;
		rc = 0;
	}
	json_decref(o);
	return rc;
}

int
cartel_link_person(struct cartel_db *db, const char *party, const char *id,
		   struct cartel_person *out, char **why)
{
	memset(out, 0, sizeof *out);
	if (party == NULL || party[0] == '\0')
		return cartel_person_get(db, id, out, why);
	char kind[8] = "";
	char *fields = NULL;
	int rc = cartel__decl_person_fields(db, party, id, kind, &fields, why);
	if (rc == 0)
		rc = person_from_fields(out, id, fields);
	free(fields);
	if (rc == CARTEL_ENOMEM)
		rc = cartel__why(why, rc, "out of memory");
	if (rc != 0)
		cartel_person_clear(out);
	return rc;
}

/* The persons of a side: the register's own, or those a received
 * declaration still declares. Free with cartel_persons_free. */
static int
side_load(struct cartel_db *db, const struct cartel_link_side *s,
	  struct cartel_person **out, size_t *n, char **why)
{
	*out = NULL;
	*n = 0;
	if (is_register(s))
		return cartel__round_persons_brief(db, out, n, why);
	const char *kind = cartel_decl_kind_name(s->kind);
	long last = 0;
	char digest[CARTEL_DIGEST_LEN];
	int rc = cartel__decl_received_last(db, s->party, kind, &last, digest,
					    why);
	if (rc)
		return rc;
	if (last == 0)
		return cartel__why(why, CARTEL_ENOTFOUND,
				   "no %s declaration of %s was received in "
				   "this register (cartel receive FILE)",
				   kind, s->party);
	json_t *m = NULL;
	rc = cartel__decl_persons_load(db, s->party, kind, &m, why);
	if (rc)
		return rc;
	struct cartel_person *v = calloc(json_object_size(m) + 1, sizeof *v);
	size_t len = 0;
	if (v == NULL)
		rc = CARTEL_ENOMEM;
	const char *id;
	json_t *e;
	json_object_foreach(m, id, e)
	{
		if (rc)
			break;
		const char *status = json_string_value(json_array_get(e, 0));
		if (status == NULL || strcmp(status, "declared") != 0)
			continue;
		rc = person_from_fields(&v[len], id,
					json_string_value(json_array_get(e, 1)));
		len++;
	}
	json_decref(m);
	if (rc) {
		cartel_persons_free(v, len);
		return rc;
	}
	*out = v;
	*n = len;
	return 0;
}

/* ---- Making links ---- */

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A sorted set of ids (borrowed strings). */
struct idset {
	const char **v;
	size_t n, cap;
};

static int
idset_add(struct idset *s, const char *id)
{
	if (s->n == s->cap) {
		size_t nc = s->cap ? 2 * s->cap : 64;
		const char **nv = realloc(s->v, nc * sizeof *nv);
		if (nv == NULL)
			return CARTEL_ENOMEM;
		s->v = nv;
		s->cap = nc;
	}
	s->v[s->n++] = id;
	return 0;
}

static void
idset_sort(struct idset *s)
{
	if (s->n > 1)
		qsort(s->v, s->n, sizeof *s->v, cmp_str);
}

static int
idset_has(const struct idset *s, const char *id)
{
	return s->n > 0 &&
	       bsearch(&id, s->v, s->n, sizeof *s->v, cmp_str) != NULL;
}

/* The revoked pairs, as "their\x1four" strings, sorted. */
static char *
pair_key(const char *a, const char *b)
{
	return cartel__asprintf("%s\x1f%s", a, b);
}

static int
row_cmp(const void *a, const void *b)
{
	const struct cartel_link_row *x = a, *y = b;
	return strcmp(x->their_id, y->their_id);
}

static struct cartel_link_row *
row_add(struct cartel_links_result *res, size_t *cap, const char *their_id,
	enum cartel_link_verdict v, const char *our_id, double p,
	const char *explanation)
{
	if (res->n_rows == *cap) {
		size_t nc = *cap ? 2 * *cap : 64;
		struct cartel_link_row *nv =
			realloc(res->rows, nc * sizeof *nv);
		if (nv == NULL)
			return NULL;
		res->rows = nv;
		*cap = nc;
	}
	struct cartel_link_row *r = &res->rows[res->n_rows];
	memset(r, 0, sizeof *r);
	r->their_id = cartel__strdup(their_id);
	r->verdict = v;
	r->our_id = cartel__strdup(our_id);
	r->probability = p;
	r->explanation = cartel__strdup(explanation);
	res->n_rows++;
	if (r->their_id == NULL || (our_id && r->our_id == NULL) ||
	    (explanation && r->explanation == NULL))
		return NULL;
	switch (v) {
	case CARTEL_LINK_MADE:
		res->n_made++;
		break;
	case CARTEL_LINK_REVIEW:
		res->n_review++;
		break;
	case CARTEL_LINK_UNMATCHED:
		res->n_unmatched++;
		break;
	case CARTEL_LINK_KEPT:
		res->n_kept++;
		break;
	}
	return r;
}

/* The nearest candidates of the unmatched persons: every pair of the
 * engine down to NEAR_P, the best few per person. The engine runs on the
 * same two lists as the linking did, so that its model (fitted on them)
 * gives the same probabilities; row_of[i] is the row of left person i
 * when he is unmatched, else (size_t)-1. */
static int
nearest(const struct cartel_person *left, size_t n_left,
	const struct cartel_person *right, size_t n_right,
	const struct cartel_match_opts *base, struct cartel_links_result *res,
	const size_t *row_of, size_t n_unmatched, char **why)
{
	if (n_unmatched == 0 || n_right == 0)
		return 0;
	struct cartel_match_opts o = *base;
	o.one_to_one = 0;
	o.explain = 0;
	o.review = NEAR_P;
	if (o.threshold < o.review)
		o.threshold = o.review;
	struct cartel_match_pair *pairs = NULL;
	size_t np = 0;
	int rc = cartel_match_link(left, n_left, right, n_right, &o, &pairs,
				   &np, NULL, why);
	if (rc)
		return rc;
	for (size_t i = 0; i < np && rc == 0; i++) {
		if (row_of[pairs[i].left] == (size_t)-1)
			continue;
		struct cartel_link_row *r = &res->rows[row_of[pairs[i].left]];
		size_t k = r->n_cands;
		if (k == N_NEAREST &&
		    r->cands[k - 1].probability >= pairs[i].probability)
			continue;
		if (k < N_NEAREST) {
			struct cartel_link_candidate *nv = realloc(
				r->cands, (k + 1) * sizeof *nv);
			if (nv == NULL) {
				rc = CARTEL_ENOMEM;
				break;
			}
			r->cands = nv;
			r->n_cands = ++k;
			r->cands[k - 1].our_id = NULL;
		} else {
			free(r->cands[k - 1].our_id);
		}
		/* Insert in order, best first. */
		size_t at = k - 1;
		while (at > 0 &&
		       r->cands[at - 1].probability < pairs[i].probability) {
			r->cands[at] = r->cands[at - 1];
			at--;
		}
		r->cands[at].our_id = cartel__strdup(pairs[i].right_id);
		r->cands[at].probability = pairs[i].probability;
		if (r->cands[at].our_id == NULL)
			rc = CARTEL_ENOMEM;
	}
	cartel_match_pairs_free(pairs, np);
	return rc;
}

int
cartel_links_make(struct cartel_db *db, const struct cartel_link_side *theirs,
		  const struct cartel_link_side *ours,
		  const struct cartel_match_opts *opts, const char *actor,
		  struct cartel_links_result *res, char **why)
{
	memset(res, 0, sizeof *res);
	if (actor == NULL || actor[0] == '\0')
		return cartel__why(why, CARTEL_EINVAL, "no actor given");
	if (is_register(theirs))
		return cartel__why(why, CARTEL_EINVAL,
				   "the first side is a declaration received "
				   "from another party (PARTY:held or "
				   "PARTY:sought), not the register");
	if (!is_register(ours) && strcmp(ours->party, theirs->party) == 0)
		return cartel__why(why, CARTEL_EINVAL,
				   "both sides are %s's: a party's persons are "
				   "linked with another's, or with the "
				   "register's",
				   theirs->party);
	struct cartel_match_opts mo;
	if (opts)
		mo = *opts;
	else
		cartel_match_opts_init(&mo);
	mo.one_to_one = 1;
	mo.explain = 1;
	side_name(theirs, res->theirs, sizeof res->theirs);
	side_name(ours, res->ours, sizeof res->ours);
	const char *our_party = is_register(ours) ? "" : ours->party;
	const char *their_kind = cartel_decl_kind_name(theirs->kind);
	const char *our_kind =
		is_register(ours) ? "" : cartel_decl_kind_name(ours->kind);

	struct cartel_person *tp = NULL, *op = NULL, *left = NULL,
			     *right = NULL;
	size_t n_tp = 0, n_op = 0, n_left = 0, n_right = 0;
	struct cartel_link *old = NULL;
	size_t n_old = 0;
	struct idset their_taken = {0}, our_taken = {0}, revoked = {0};
	char **revoked_keys = NULL;
	struct cartel_match_pair *pairs = NULL;
	size_t n_pairs = 0, cap = 0;
	int in_txn = 0;

	struct cartel_owner owner;
	int rc = cartel__owner_get(db, &owner, why);
	if (rc)
		return rc;
	if (owner.role == CARTEL_OWNER_PARTY &&
	    strcmp(owner.name, theirs->party) == 0)
		return cartel__why(why, CARTEL_ESTATE,
				   "this is %s's register: its own persons are "
				   "not linked as another party's",
				   theirs->party);
	rc = cartel_db_begin(db, why);
	if (rc)
		return rc;
	in_txn = 1;
	rc = side_load(db, theirs, &tp, &n_tp, why);
	if (rc == 0)
		rc = side_load(db, ours, &op, &n_op, why);
	if (rc == 0)
		rc = cartel__link_list(db, theirs->party, our_party, &old,
				       &n_old, why);
	if (rc)
		goto out;
	res->n_theirs = n_tp;
	res->n_ours = n_op;
	revoked_keys = calloc(n_old + 1, sizeof *revoked_keys);
	if (revoked_keys == NULL) {
		rc = CARTEL_ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < n_old && rc == 0; i++) {
		if (old[i].state == CARTEL_LINK_REVOKED) {
			revoked_keys[i] =
				pair_key(old[i].their_id, old[i].our_id);
			rc = revoked_keys[i]
				     ? idset_add(&revoked, revoked_keys[i])
				     : CARTEL_ENOMEM;
			continue;
		}
		rc = idset_add(&their_taken, old[i].their_id);
		if (rc == 0)
			rc = idset_add(&our_taken, old[i].our_id);
	}
	if (rc)
		goto out;
	idset_sort(&their_taken);
	idset_sort(&our_taken);
	idset_sort(&revoked);
	/* Only the persons not linked yet are matched; those are views
	 * into tp and op (no copy: the arrays of persons are moved). */
	left = calloc(n_tp + 1, sizeof *left);
	right = calloc(n_op + 1, sizeof *right);
	if (left == NULL || right == NULL) {
		rc = CARTEL_ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < n_tp; i++)
		if (!idset_has(&their_taken, tp[i].id))
			left[n_left++] = tp[i];
	for (size_t i = 0; i < n_op; i++)
		if (!idset_has(&our_taken, op[i].id))
			right[n_right++] = op[i];
	if (n_left > 0 && n_right > 0)
		rc = cartel_match_link(left, n_left, right, n_right, &mo,
				       &pairs, &n_pairs, NULL, why);
	if (rc)
		goto out;

	char now[32];
	cartel__round_now(now);
	/* Who the engine paired, by left position. */
	size_t *pair_of = malloc((n_left + 1) * sizeof *pair_of);
	if (pair_of == NULL) {
		rc = CARTEL_ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < n_left; i++)
		pair_of[i] = (size_t)-1;
	for (size_t i = 0; i < n_pairs; i++) {
		char *k = pair_key(pairs[i].left_id, pairs[i].right_id);
		if (k == NULL) {
			rc = CARTEL_ENOMEM;
			break;
		}
		/* A person said no to this pair: the engine does not make
		 * it again. */
		if (!idset_has(&revoked, k))
			pair_of[pairs[i].left] = i;
		free(k);
	}
	for (size_t i = 0; rc == 0 && i < n_left; i++) {
		size_t pi = pair_of[i];
		if (pi == (size_t)-1)
			continue;
		const struct cartel_match_pair *p = &pairs[pi];
		int sure = p->band == CARTEL_BAND_MATCH;
		struct cartel_link l;
		memset(&l, 0, sizeof l);
		snprintf(l.their_party, sizeof l.their_party, "%s",
			 theirs->party);
		l.their_id = (char *)p->left_id;
		snprintf(l.their_kind, sizeof l.their_kind, "%s", their_kind);
		snprintf(l.our_party, sizeof l.our_party, "%s", our_party);
		l.our_id = (char *)p->right_id;
		snprintf(l.our_kind, sizeof l.our_kind, "%s", our_kind);
		l.state = sure ? CARTEL_LINK_LINKED : CARTEL_LINK_PENDING;
		l.probability = p->probability;
		l.explanation = p->explanation;
		l.made_at = now;
		l.made_by = (char *)actor;
		rc = cartel__link_put(db, &l, why);
		if (rc == 0 &&
		    row_add(res, &cap, p->left_id,
			    sure ? CARTEL_LINK_MADE : CARTEL_LINK_REVIEW,
			    p->right_id, p->probability,
			    p->explanation) == NULL)
			rc = CARTEL_ENOMEM;
	}
	/* The persons of this declaration linked before (a link of the
	 * party's other declaration is no row of this one). */
	for (size_t i = 0; rc == 0 && i < n_old; i++)
		if (old[i].state != CARTEL_LINK_REVOKED &&
		    strcmp(old[i].their_kind, their_kind) == 0 &&
		    row_add(res, &cap, old[i].their_id, CARTEL_LINK_KEPT,
			    old[i].our_id, old[i].probability,
			    NULL) == NULL)
			rc = CARTEL_ENOMEM;
	/* The unmatched, each with the row nearest() fills. */
	size_t n_un = 0;
	for (size_t i = 0; rc == 0 && i < n_left; i++) {
		if (pair_of[i] != (size_t)-1) {
			pair_of[i] = (size_t)-1;
			continue;
		}
		pair_of[i] = res->n_rows;
		n_un++;
		if (row_add(res, &cap, left[i].id, CARTEL_LINK_UNMATCHED,
			    NULL, 0, NULL) == NULL)
			rc = CARTEL_ENOMEM;
	}
	if (rc == 0)
		rc = nearest(left, n_left, right, n_right, &mo, res, pair_of,
			     n_un, why);
	free(pair_of);
	if (rc)
		goto out;
	if (res->n_rows > 1)
		qsort(res->rows, res->n_rows, sizeof *res->rows, row_cmp);
	char *detail = cartel__asprintf(
		"theirs=%s ours=%s persons=%zu against=%zu linked=%zu "
		"review=%zu unmatched=%zu kept=%zu",
		res->theirs, res->ours, res->n_theirs, res->n_ours,
		res->n_made, res->n_review, res->n_unmatched, res->n_kept);
	rc = detail ? cartel_audit_append(db, actor, "links.make",
					  res->theirs, detail, why)
		    : CARTEL_ENOMEM;
	free(detail);
	if (rc == 0) {
		rc = cartel_db_commit(db, why);
		in_txn = 0;
	}
out:
	if (in_txn)
		cartel_db_rollback(db);
	cartel_match_pairs_free(pairs, n_pairs);
	free(left);
	free(right);
	cartel_persons_free(tp, n_tp);
	cartel_persons_free(op, n_op);
	for (size_t i = 0; revoked_keys != NULL && i < n_old; i++)
		free(revoked_keys[i]);
	free(revoked_keys);
	cartel_links_free(old, n_old);
	free(their_taken.v);
	free(our_taken.v);
	free(revoked.v);
	if (rc)
		cartel_links_result_clear(res);
	return rc;
}

void
cartel_links_result_clear(struct cartel_links_result *res)
{
	for (size_t i = 0; i < res->n_rows; i++) {
		struct cartel_link_row *r = &res->rows[i];
		free(r->their_id);
		free(r->our_id);
		free(r->explanation);
		for (size_t k = 0; k < r->n_cands; k++)
			free(r->cands[k].our_id);
		free(r->cands);
	}
	free(res->rows);
	memset(res, 0, sizeof *res);
}

int
cartel_links_result_json(const struct cartel_links_result *res, char **out,
			 char **why)
{
	(void)why;
	*out = NULL;
	json_t *rows = json_array();
	json_t *o = json_pack(
		"{s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:I}", "theirs",
		res->theirs, "ours", res->ours, "persons",
		(json_int_t)res->n_theirs, "against", (json_int_t)res->n_ours,
		"linked", (json_int_t)res->n_made, "review",
		(json_int_t)res->n_review, "unmatched",
		(json_int_t)res->n_unmatched, "kept", (json_int_t)res->n_kept);
	if (o == NULL || rows == NULL) {
		json_decref(o);
		json_decref(rows);
		return CARTEL_ENOMEM;
	}
	json_object_set_new(o, "rows", rows);
	for (size_t i = 0; i < res->n_rows; i++) {
		const struct cartel_link_row *r = &res->rows[i];
		json_t *c = json_array();
		for (size_t k = 0; c && k < r->n_cands; k++)
			json_array_append_new(
				c, json_pack("{s:s, s:f}", "our_id",
					     r->cands[k].our_id, "probability",
					     r->cands[k].probability));
		json_t *e = json_pack(
			"{s:s, s:s, s:s?, s:f, s:s?, s:o}", "their_id",
			r->their_id, "verdict",
			cartel_link_verdict_name(r->verdict), "our_id",
			r->our_id, "probability", r->probability,
			"explanation", r->explanation, "candidates",
			c ? c : json_array());
		if (e == NULL || json_array_append_new(rows, e)) {
			json_decref(o);
			return CARTEL_ENOMEM;
		}
	}
	*out = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(o);
	return *out ? 0 : CARTEL_ENOMEM;
}

/* ---- Listing ---- */

int
cartel_links_list(struct cartel_db *db, const char *their_party,
		  struct cartel_link **out, size_t *n, char **why)
{
	return cartel__link_list(db, their_party, NULL, out, n, why);
}

int
cartel_links_json(const struct cartel_link *v, size_t n, char **out,
		  char **why)
{
	(void)why;
	*out = NULL;
	json_t *a = json_array();
	if (a == NULL)
		return CARTEL_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		const struct cartel_link *l = &v[i];
		json_t *e = json_pack(
			"{s:s, s:s, s:s, s:s?, s:s, s:s?, s:s, s:f, s:s?, "
			"s:s?, s:s?, s:s?, s:s?, s:s?}",
			"their_party", l->their_party, "their_id", l->their_id,
			"their_kind", l->their_kind, "our_party",
			l->our_party[0] ? l->our_party : NULL, "our_id",
			l->our_id, "our_kind",
			l->our_kind[0] ? l->our_kind : NULL, "state",
			cartel_link_state_name(l->state), "probability",
			l->probability, "explanation", l->explanation,
			"made_at", l->made_at, "made_by", l->made_by,
			"decided_at", l->decided_at, "decided_by",
			l->decided_by, "reason", l->reason);
		if (e == NULL || json_array_append_new(a, e)) {
			json_decref(a);
			return CARTEL_ENOMEM;
		}
	}
	*out = json_dumps(a, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(a);
	return *out ? 0 : CARTEL_ENOMEM;
}

/* ---- Deciding ---- */

/* 1 when link l is the one `our` names: an id of the register's, or
 * "PARTY:ID" of a declaration's. */
static int
names_ours(const struct cartel_link *l, const char *our)
{
	if (l->our_party[0] == '\0')
		return strcmp(l->our_id, our) == 0;
	size_t n = strlen(l->our_party);
	return strncmp(our, l->our_party, n) == 0 && our[n] == ':' &&
	       strcmp(our + n + 1, l->our_id) == 0;
}

/* The new link a person makes by hand, when none is recorded: `our` is a
 * declared person (PARTY:ID) or one of the register's. */
static int
link_by_hand(struct cartel_db *db, const char *their_party,
	     const char *their_id, const char *our, struct cartel_link *l,
	     char **why)
{
	memset(l, 0, sizeof *l);
	char *fields = NULL;
	int rc = cartel__decl_person_fields(db, their_party, their_id,
					    l->their_kind, &fields, why);
	free(fields);
	if (rc)
		return rc;
	snprintf(l->their_party, sizeof l->their_party, "%s", their_party);
	l->their_id = cartel__strdup(their_id);
	const char *colon = strchr(our, ':');
	char party[CARTEL_PARTY_MAX] = "";
	if (colon != NULL && (size_t)(colon - our) < sizeof party) {
		memcpy(party, our, (size_t)(colon - our));
		party[colon - our] = '\0';
	}
	if (cartel_party_valid(party)) {
		char *w = NULL;
		rc = cartel__decl_person_fields(db, party, colon + 1,
						l->our_kind, &fields, &w);
		free(fields);
		if (rc == 0) {
			free(w);
			snprintf(l->our_party, sizeof l->our_party, "%s",
				 party);
			l->our_id = cartel__strdup(colon + 1);
			return l->their_id && l->our_id ? 0 : CARTEL_ENOMEM;
		}
		if (rc != CARTEL_ENOTFOUND) {
			if (why) {
				free(*why);
				*why = w;
			} else {
				free(w);
			}
			return rc;
		}
		free(w);
	}
	enum cartel_status st;
	enum cartel_consent consent;
	rc = cartel__round_person_state(db, our, &st, &consent, NULL);
	if (rc == CARTEL_ENOTFOUND)
		return cartel__why(why, CARTEL_ENOTFOUND,
				   "%.64s is neither a person of this register "
				   "nor a person a received declaration "
				   "declares (PARTY:ID)",
				   our);
	if (rc)
		return cartel__why(why, rc, "reading person %.64s failed",
				   our);
	l->our_id = cartel__strdup(our);
	return l->their_id && l->our_id ? 0 : CARTEL_ENOMEM;
}

/* Sets the decision on link l and writes it. */
static int
decide_put(struct cartel_db *db, struct cartel_link *l,
	   enum cartel_link_state to, const char *actor, const char *at,
	   const char *reason, char **why)
{
	free(l->decided_at);
	free(l->decided_by);
	free(l->reason);
	l->state = to;
	l->decided_at = cartel__strdup(at);
	l->decided_by = cartel__strdup(actor);
	l->reason = cartel__strdup(reason);
	if (l->decided_at == NULL || l->decided_by == NULL ||
	    (reason && l->reason == NULL))
		return CARTEL_ENOMEM;
	return cartel__link_put(db, l, why);
}

/* On confirming l: other links of the same persons across the same two
 * sides. An active one refuses; a pending one is closed as revoked. */
static int
others_give_way(struct cartel_db *db, const struct cartel_link *l,
		const char *actor, const char *at, char **why)
{
	struct cartel_link *v = NULL, *w = NULL;
	size_t n = 0, m = 0;
	static const char closed[] = "another link confirmed";
	int rc = cartel__link_of_theirs(db, l->their_party, l->their_id,
					l->our_party, &v, &n, why);
	if (rc == 0)
		rc = cartel__link_of_ours(db, l->our_party, l->our_id,
					  l->their_party, &w, &m, why);
	for (int pass = 0; rc == 0 && pass < 2; pass++) {
		struct cartel_link *x = pass ? w : v;
		size_t nx = pass ? m : n;
		for (size_t i = 0; rc == 0 && i < nx; i++) {
			if (strcmp(x[i].their_id, l->their_id) == 0 &&
			    strcmp(x[i].our_id, l->our_id) == 0)
				continue;
			if (active(x[i].state))
				rc = cartel__why(
					why, CARTEL_ESTATE,
					"%s:%s is linked to %s%s%s already, "
					"and %s%s%s to %s:%s: revoke that "
					"link first (cartel links revoke)",
					x[i].their_party, x[i].their_id,
					x[i].our_party,
					x[i].our_party[0] ? ":" : "",
					x[i].our_id, l->our_party,
					l->our_party[0] ? ":" : "",
					l->our_id, l->their_party,
					l->their_id);
			else if (x[i].state == CARTEL_LINK_PENDING)
				rc = decide_put(db, &x[i],
						CARTEL_LINK_REVOKED, actor, at,
						closed, why);
		}
	}
	cartel_links_free(v, n);
	cartel_links_free(w, m);
	return rc;
}

int
cartel_link_decide(struct cartel_db *db, const char *their_party,
		   const char *their_id, const char *our, int confirm,
		   const char *actor, const char *reason, char **why)
{
	if (actor == NULL || actor[0] == '\0')
		return cartel__why(why, CARTEL_EINVAL,
				   "a decision on a link names who makes it "
				   "(--by)");
	if (!confirm && (reason == NULL || reason[0] == '\0'))
		return cartel__why(why, CARTEL_EINVAL,
				   "revoking a link needs its reason (--why)");
	if (!cartel_party_valid(their_party) || their_id == NULL ||
	    their_id[0] == '\0' || our == NULL || our[0] == '\0')
		return cartel__why(why, CARTEL_EINVAL,
				   "a link is named by THEIR_PARTY:THEIR_ID "
				   "and OUR_ID");
	char now[32];
	cartel__round_now(now);
	struct cartel_link *v = NULL;
	size_t n = 0;
	struct cartel_link l;
	memset(&l, 0, sizeof l);
	int found = 0;
	int rc = cartel_db_begin(db, why);
	if (rc)
		return rc;
	rc = cartel__link_of_theirs(db, their_party, their_id, NULL, &v, &n,
				    why);
	for (size_t i = 0; rc == 0 && i < n && !found; i++)
		if (names_ours(&v[i], our)) {
			l = v[i];
			memset(&v[i], 0, sizeof v[i]);
			found = 1;
		}
	enum cartel_link_state was = l.state;
	if (rc == 0 && !found) {
		if (!confirm)
			rc = cartel__why(why, CARTEL_ENOTFOUND,
					 "no link of %s:%.64s to %.64s is "
					 "recorded",
					 their_party, their_id, our);
		else
			rc = link_by_hand(db, their_party, their_id, our, &l,
					  why);
		if (rc == 0) {
			l.state = CARTEL_LINK_PENDING;
			l.probability = 1;
			l.made_at = cartel__strdup(now);
			l.made_by = cartel__strdup(actor);
			if (l.made_at == NULL || l.made_by == NULL)
				rc = CARTEL_ENOMEM;
			was = CARTEL_LINK_PENDING;
		}
	}
	enum cartel_link_state to =
		confirm ? CARTEL_LINK_CONFIRMED : CARTEL_LINK_REVOKED;
	if (rc == 0 && found && l.state == to)
		rc = cartel__why(why, CARTEL_ESTATE,
				 "the link of %s:%.64s to %.64s is already %s",
				 their_party, their_id, our,
				 cartel_link_state_name(to));
	if (rc == 0 && confirm)
		rc = others_give_way(db, &l, actor, now, why);
	if (rc == 0)
		rc = decide_put(db, &l, to, actor, now, reason, why);
	if (rc == 0) {
		char *subject = cartel__asprintf("%s:%s", their_party,
						 their_id);
		char *detail = cartel__asprintf(
			"our=%s%s%s state=%s->%s%s%s%s", l.our_party,
			l.our_party[0] ? ":" : "", l.our_id,
			found ? cartel_link_state_name(was) : "none",
			cartel_link_state_name(to), reason ? " reason=" : "",
			reason ? reason : "", found ? "" : " by_hand=1");
		rc = subject && detail
			     ? cartel_audit_append(db, actor,
						   confirm ? "link.confirm"
							   : "link.revoke",
						   subject, detail, why)
			     : CARTEL_ENOMEM;
		free(subject);
		free(detail);
	}
	if (rc == 0)
		rc = cartel_db_commit(db, why);
	if (rc)
		cartel_db_rollback(db);
	cartel_link_clear(&l);
	cartel_links_free(v, n);
	return rc;
}

/* ---- Lookups ---- */

int
cartel_link_ours(struct cartel_db *db, const char *their_party,
		 const char *their_id, const char *our_party, char **out,
		 char **why)
{
	*out = NULL;
	struct cartel_link *v = NULL;
	size_t n = 0;
	int rc = cartel__link_of_theirs(db, their_party, their_id,
					our_party ? our_party : "", &v, &n,
					why);
	for (size_t i = 0; rc == 0 && i < n && *out == NULL; i++)
		if (active(v[i].state)) {
			*out = v[i].our_id;
			v[i].our_id = NULL;
		}
	cartel_links_free(v, n);
	/* No link is an answer, not a failure: no message. */
	if (rc == 0 && *out == NULL)
		rc = CARTEL_ENOTFOUND;
	return rc;
}

int
cartel_link_theirs(struct cartel_db *db, const char *their_party,
		   const char *our_party, const char *our_id, char **out,
		   char **why)
{
	*out = NULL;
	struct cartel_link *v = NULL;
	size_t n = 0;
	int rc = cartel__link_of_ours(db, our_party ? our_party : "", our_id,
				      their_party, &v, &n, why);
	for (size_t i = 0; rc == 0 && i < n && *out == NULL; i++)
		if (active(v[i].state)) {
			*out = v[i].their_id;
			v[i].their_id = NULL;
		}
	cartel_links_free(v, n);
	/* No link is an answer, not a failure: no message. */
	if (rc == 0 && *out == NULL)
		rc = CARTEL_ENOTFOUND;
	return rc;
}
