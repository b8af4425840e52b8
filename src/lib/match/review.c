/*
 * Inquiries, their matching and the review of what was found: what a
 * bureau does when a family asks after a man. An inquiry is recorded and
 * at once asked of the register through the search (search.c); what the
 * search finds is kept as potential matches, which a person confirms or
 * rejects; a confirmation is an event on the man found (the family is to
 * be called back with it) and closes the inquiry's other candidates. The
 * rows themselves are the store's (store/match_rows.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cartel/error.h>
#include <cartel/inquiry.h>
#include <cartel/limits.h>
#include <cartel/links.h>
#include <cartel/match.h>
#include <cartel/register.h>
#include <cartel/store.h>

#include "core/why.h"
#include "match/match_int.h"
#include "store/match_rows.h"

static int
has_name(const struct cartel_person *q)
{
	const char *f[] = {q->family_name, q->given_name, q->patronymic};
	for (size_t i = 0; i < 3; i++)
		if (f[i] != NULL && f[i][0] != '\0')
			return 1;
	return 0;
}

int
cartel_inquiry_add(struct cartel_db *db, const struct cartel_person *q,
		   const char *actor, const char *contact,
		   const struct cartel_match_opts *opts, char **out_id,
		   size_t *n_found, char **why)
{
	struct cartel_inquiry_request req;
	memset(&req, 0, sizeof req);
	req.sought = q;
	req.contact = contact;
	return cartel_inquiry_record(db, &req, actor, opts, out_id, n_found,
				     why);
}

int
cartel_inquiry_record(struct cartel_db *db,
		      const struct cartel_inquiry_request *req,
		      const char *actor, const struct cartel_match_opts *opts,
		      char **out_id, size_t *n_found, char **why)
{
	const struct cartel_person *q = req->sought;
	*out_id = NULL;
	if (n_found)
		*n_found = 0;
	if (actor == NULL || actor[0] == '\0')
		return cartel__why(why, CARTEL_EINVAL,
				   "an inquiry needs who records it (--by)");
	if (q == NULL || !has_name(q))
		return cartel__why(why, CARTEL_EINVAL,
				   "an inquiry needs a family, given name or "
				   "patronymic");
	/* What a caller says is kept as said, within a list field's limit;
	 * the messages name the field, never its value. */
	const struct {
		const char *name, *value;
	} said[] = {
		{"family name", q->family_name}, {"given name", q->given_name},
		{"patronymic", q->patronymic},   {"birth place", q->birth_place},
		{"service number", q->service_number}, {"unit", q->unit},
		{"requester", req->requester},   {"relation", req->relation},
		{"contact", req->contact},       {"typed name", req->typed},
		{"last seen place", req->last_seen_place},
	};
	for (size_t i = 0; i < sizeof said / sizeof said[0]; i++)
		if (said[i].value != NULL &&
		    strlen(said[i].value) > CARTEL_LIMIT_FIELD)
			return cartel__why(why, CARTEL_ERANGE,
					   "the inquiry's %s is longer than "
					   "%u bytes",
					   said[i].name, CARTEL_LIMIT_FIELD);
	struct cartel_date today = cartel_date_today();
	if (cartel_date_known(&req->last_seen_on) &&
	    cartel_date_known(&today) &&
	    cartel_date_days(&req->last_seen_on) >
		    cartel_date_days(&today) + CARTEL_LIMIT_FUTURE_DAYS)
		return cartel__why(why, CARTEL_EINVAL,
				   "the date last seen is in the future");
	int own;
	int err = cartel__db_write_begin(db, &own, why);
	if (err != 0)
		return err;
	char id[32];
	char now[32];
	cartel__now(now, sizeof now);
	err = cartel__inquiry_insert(db, req, actor, now, id, sizeof id, why);
	if (err == 0)
		err = cartel_audit_append(db, actor, "inquiry.add", id,
					  "inquiry recorded", why);
	err = cartel__db_write_end(db, own, err, why);
	if (err != 0)
		return err;
	*out_id = cartel__strdup(id);
	if (*out_id == NULL)
		return CARTEL_ENOMEM;
	/* Matched as it arrives. The inquiry stays recorded even when this
	 * fails; `cartel inquiry match` runs it again. */
	return cartel_inquiry_match(db, id, actor, opts, n_found, why);
}

int
cartel_inquiry_match(struct cartel_db *db, const char *id, const char *actor,
		     const struct cartel_match_opts *opts, size_t *n_found,
		     char **why)
{
	if (n_found)
		*n_found = 0;
	if (actor == NULL || actor[0] == '\0')
		return cartel__why(why, CARTEL_EINVAL,
				   "matching needs who runs it (--by)");
	struct cartel__inq *inqs;
	size_t n_inq;
	int err = cartel__inquiries_load(db, id, &inqs, &n_inq, why);
	if (err != 0)
		return err;
	if (n_inq == 0) {
		cartel__inquiries_free(inqs, n_inq);
		return 0;
	}
	/* Every inquiry asked of one state of the register, through the
	 * search index kept beside it (built first when out of date); then
	 * the potential matches kept, in one write transaction. */
	struct cartel_search_opts so;
	cartel_search_opts_init(&so);
	so.match = opts;
	struct cartel_search_info info;
	struct cartel__search srch;
	struct cartel_search_hit **hits = calloc(n_inq, sizeof *hits);
	size_t *n_hits = calloc(n_inq, sizeof *n_hits);
	if (hits == NULL || n_hits == NULL)
		err = cartel__why(why, CARTEL_ENOMEM, "out of memory");
	if (err == 0)
		err = cartel__search_begin(db, &so, &srch, &info, why);
	if (err == 0) {
		for (size_t i = 0; err == 0 && i < n_inq; i++)
			err = cartel__search_query(db, &srch, &so, &info,
						   &inqs[i].q, 20, 1, &hits[i],
						   &n_hits[i], why);
		cartel__search_end(db, &srch, err);
		cartel_search_info_clear(&info);
	}
	int own = 0;
	if (err == 0)
		err = cartel__db_write_begin(db, &own, why);
	size_t found = 0;
	char now[32];
	cartel__now(now, sizeof now);
	for (size_t i = 0; err == 0 && i < n_inq; i++) {
		size_t added = 0;
		err = cartel__candidates_keep(db, inqs[i].id, hits[i],
					      n_hits[i], now, &added, why);
		if (err == 0 && added > 0) {
			char detail[96];
			snprintf(detail, sizeof detail,
				 "%zu potential match%s kept for review",
				 added, added == 1 ? "" : "es");
			err = cartel__inquiry_set_state(db, inqs[i].id,
							"candidate_found", why);
			if (err == 0)
				err = cartel__inquiry_history(
					db, inqs[i].id, now, actor,
					"candidates found", NULL, detail, why);
			if (err == 0)
				err = cartel_audit_append(db, actor,
							  "inquiry.match",
							  inqs[i].id, detail,
							  why);
		}
		found += added;
	}
	if (own)
		err = cartel__db_write_end(db, own, err, why);
	for (size_t i = 0; hits != NULL && n_hits != NULL && i < n_inq; i++)
		cartel_search_hits_free(hits[i], n_hits[i]);
	free(hits);
	free(n_hits);
	cartel__inquiries_free(inqs, n_inq);
	if (err == 0 && n_found)
		*n_found = found;
	return err;
}

/* Splits "PARTY:REST" (a valid party code before the first colon) into
 * party and *rest; 0, with party "" and *rest = s, when s has none. */
static int
party_prefix(const char *s, char party[CARTEL_PARTY_MAX], const char **rest)
{
	const char *colon = strchr(s, ':');
	party[0] = '\0';
	*rest = s;
	if (colon == NULL || (size_t)(colon - s) >= CARTEL_PARTY_MAX)
		return 0;
	memcpy(party, s, (size_t)(colon - s));
	party[colon - s] = '\0';
	if (!cartel_party_valid(party)) {
		party[0] = '\0';
		return 0;
	}
	*rest = colon + 1;
	return 1;
}

/* The words and fields of a pending identity link: their person, as
 * declared, asked of an index of our one person, as the linking asked
 * it of the whole side. A link whose persons are gone keeps none. */
static int
link_words(struct cartel_db *db, struct cartel_review_item *it, char **why)
{
	char party[CARTEL_PARTY_MAX], ours_party[CARTEL_PARTY_MAX];
	const char *their_id, *ours_id;
	if (!party_prefix(it->inquiry_id + strlen(CARTEL_LINK_REVIEW_PREFIX),
			  party, &their_id))
		return 0;
	(void)party_prefix(it->person_id, ours_party, &ours_id);
	struct cartel_person *theirs = calloc(1, sizeof *theirs);
	struct cartel_person *ours = calloc(1, sizeof *ours);
	if (theirs == NULL || ours == NULL) {
		free(theirs);
		free(ours);
		return cartel__why(why, CARTEL_ENOMEM, "out of memory");
	}
	char *w = NULL;
	int err = cartel_link_person(db, party, their_id, theirs, &w);
	if (err == 0)
		err = cartel_link_person(db, ours_party, ours_id, ours, &w);
	struct cartel_match_index *ix = NULL;
	struct cartel_match_candidate *c = NULL;
	size_t nc = 0;
	struct cartel_match_opts o;
	cartel_match_opts_init(&o);
	o.n_threads = 1;
	o.em = 0;
	if (err == 0)
		err = cartel_match_index_build(&ix, ours, 1, &o, &w);
	if (err == 0)
		err = cartel_match_query(ix, theirs, 1, 0, &c, &nc, &w);
	if (err == 0 && nc == 1 && c[0].words != NULL) {
		it->words = c[0].words;
		c[0].words = NULL;
		memcpy(it->fields, c[0].fields, sizeof it->fields);
		it->theirs = theirs;
		theirs = NULL;
		if (ours_party[0] != '\0') {
			it->ours = ours;
			ours = NULL;
		}
	}
	cartel_match_candidates_free(c, nc);
	cartel_match_index_free(ix);
	if (theirs != NULL)
		cartel_person_clear(theirs);
	if (ours != NULL)
		cartel_person_clear(ours);
	free(theirs);
	free(ours);
	/* Gone since (a later declaration, a merge): no words, no error. */
	if (err == CARTEL_ENOTFOUND)
		err = 0;
	if (err != 0 && why != NULL && *why == NULL) {
		*why = w;
		w = NULL;
	}
	free(w);
	return err;
}

int
cartel_review_words(struct cartel_db *db, struct cartel_review_item *it,
		    size_t n, char **why)
{
	/* Every inquiry asked once, at its first item, of one state of the
	 * register (one search begun for all, as cartel_inquiry_match
	 * does). */
	struct cartel_search_opts so;
	cartel_search_opts_init(&so);
	struct cartel_search_info info;
	struct cartel__search srch;
	int err = 0, begun = 0;
	for (size_t i = 0; err == 0 && i < n; i++) {
		const char *inq = it[i].inquiry_id;
		size_t j = 0;
		while (j < i && strcmp(it[j].inquiry_id, inq) != 0)
			j++;
		if (j < i)
			continue;
		if (strncmp(inq, CARTEL_LINK_REVIEW_PREFIX,
			    strlen(CARTEL_LINK_REVIEW_PREFIX)) == 0) {
			for (j = i; err == 0 && j < n; j++)
				if (it[j].words == NULL &&
				    strcmp(it[j].inquiry_id, inq) == 0 &&
				    it[j].state != NULL &&
				    strcmp(it[j].state, "pending") == 0)
					err = link_words(db, &it[j], why);
			continue;
		}
		struct cartel__inq *inqs = NULL;
		size_t n_inq = 0;
		char *w = NULL;
		int e = cartel__inquiries_load(db, inq, &inqs, &n_inq, &w);
		free(w);
		if (e == CARTEL_ENOTFOUND || e == CARTEL_ESTATE)
			continue; /* no longer open: no words */
		if (e != 0) {
			err = cartel__why(why, e, "reading inquiry %s", inq);
			break;
		}
		struct cartel_search_hit *hits = NULL;
		size_t n_hits = 0;
		if (n_inq > 0 && !begun &&
		    (err = cartel__search_begin(db, &so, &srch, &info,
						why)) == 0)
			begun = 1;
		if (n_inq > 0 && err == 0)
			err = cartel__search_query(db, &srch, &so, &info,
						   &inqs[0].q, 20, 1, &hits,
						   &n_hits, why);
		for (size_t h = 0; err == 0 && h < n_hits; h++)
			for (j = i; err == 0 && j < n; j++) {
				struct cartel_review_item *x = &it[j];
				if (x->words != NULL || hits[h].words == NULL ||
				    strcmp(x->inquiry_id, inq) != 0 ||
				    strcmp(x->person_id, hits[h].person.id) != 0)
					continue;
				if ((x->words = cartel__strdup(
					     hits[h].words)) == NULL)
					err = cartel__why(why, CARTEL_ENOMEM,
							  "out of memory");
				else
					memcpy(x->fields, hits[h].fields,
					       sizeof x->fields);
			}
		cartel_search_hits_free(hits, n_hits);
		cartel__inquiries_free(inqs, n_inq);
	}
	if (begun) {
		cartel__search_end(db, &srch, err);
		cartel_search_info_clear(&info);
	}
	return err;
}

/* The identity links for a person to decide (<cartel/links.h>) join the
 * queue after the inquiries' matches: "link:PARTY:THEIR_ID" as the
 * inquiry, our id ("PARTY:ID" for a declared person) as the person. The
 * pending ones, and with all those a person decided. */
static int
review_links(struct cartel_db *db, int all, struct cartel_review_item **v,
	     size_t *n, char **why)
{
	struct cartel_link *l = NULL;
	size_t nl = 0;
	int err = cartel_links_list(db, NULL, &l, &nl, why);
	size_t cap = *n;
	for (size_t i = 0; err == 0 && i < nl; i++) {
		int pending = l[i].state == CARTEL_LINK_PENDING;
		if (!pending && !(all && l[i].decided_by != NULL))
			continue;
		if (*n == cap) {
			cap = cap ? 2 * cap : 16;
			struct cartel_review_item *nv =
				realloc(*v, cap * sizeof *nv);
			if (nv == NULL) {
				err = cartel__why(why, CARTEL_ENOMEM,
						  "out of memory");
				break;
			}
			*v = nv;
		}
		struct cartel_review_item *it = &(*v)[(*n)++];
		memset(it, 0, sizeof *it);
		it->inquiry_id = cartel__asprintf(
			CARTEL_LINK_REVIEW_PREFIX "%s:%s", l[i].their_party,
			l[i].their_id);
		it->person_id = cartel__asprintf(
			"%s%s%s", l[i].our_party, l[i].our_party[0] ? ":" : "",
			l[i].our_id);
		it->score = l[i].probability;
		it->band = cartel__strdup("review");
		it->state = cartel__strdup(
			pending ? "pending"
			: l[i].state == CARTEL_LINK_REVOKED ? "rejected"
							    : "confirmed");
		it->explanation = l[i].explanation;
		it->found_at = l[i].made_at;
		it->decided_by = l[i].decided_by;
		it->decided_at = l[i].decided_at;
		it->reason = l[i].reason;
		l[i].explanation = l[i].made_at = l[i].decided_by =
			l[i].decided_at = l[i].reason = NULL;
		if (it->inquiry_id == NULL || it->person_id == NULL ||
		    it->band == NULL || it->state == NULL)
			err = cartel__why(why, CARTEL_ENOMEM, "out of memory");
	}
	cartel_links_free(l, nl);
	return err;
}

int
cartel_review_list(struct cartel_db *db, int all,
		   struct cartel_review_item **out, size_t *n, char **why)
{
	int err = cartel__candidates_list(db, all, out, n, why);
	if (err == 0)
		err = review_links(db, all, out, n, why);
	if (err != 0) {
		cartel_review_items_free(*out, *n);
		*out = NULL;
		*n = 0;
	}
	return err;
}

/* The person's "inquiry" attribute with inquiry_id added: every inquiry
 * confirmed for him, so that a second one adds to the first instead of
 * replacing it. */
static char *
inquiry_attr(struct cartel_db *db, const char *person_id,
	     const char *inquiry_id, char **why)
{
	struct cartel_person p;
	memset(&p, 0, sizeof p);
	if (cartel_person_get(db, person_id, &p, why) != 0)
		return NULL;
	const char *old = cartel_person_attr(&p, "inquiry");
	char *v = old != NULL && old[0] != '\0'
			  ? cartel__asprintf("%s, %s", old, inquiry_id)
			  : cartel__strdup(inquiry_id);
	cartel_person_clear(&p);
	if (v == NULL)
		cartel__why(why, CARTEL_ENOMEM, "out of memory");
	return v;
}

int
cartel_review_decide(struct cartel_db *db, const char *inquiry_id,
		     const char *person_id, int confirm, const char *actor,
		     const char *reason, char **why)
{
	if (actor == NULL || actor[0] == '\0')
		return cartel__why(why, CARTEL_EINVAL,
				   "a decision needs who makes it (--by)");
	if (reason == NULL || reason[0] == '\0')
		return cartel__why(why, CARTEL_EINVAL,
				   "a decision needs its reason (--why)");
	/* An identity link in the queue is decided as a link: confirmed,
	 * or rejected, which revokes it. */
	size_t np = strlen(CARTEL_LINK_REVIEW_PREFIX);
	if (strncmp(inquiry_id, CARTEL_LINK_REVIEW_PREFIX, np) == 0) {
		char party[CARTEL_PARTY_MAX];
		const char *their_id;
		if (!party_prefix(inquiry_id + np, party, &their_id))
			return cartel__why(why, CARTEL_ENOTFOUND,
					   "'%.64s' names no identity link "
					   "(link:PARTY:THEIR_ID)",
					   inquiry_id);
		return cartel_link_decide(db, party, their_id, person_id,
					  confirm, actor, reason, why);
	}
	int own;
	int err = cartel__db_write_begin(db, &own, why);
	if (err != 0)
		return err;
	char *cs = NULL, *is = NULL;
	err = cartel__candidate_get(db, inquiry_id, person_id, &cs, &is, why);
	if (err == 0 && (cs == NULL || strcmp(cs, "pending") != 0))
		err = cartel__why(why, CARTEL_ESTATE,
				  "the match of person '%s' for inquiry '%s' "
				  "is already %s",
				  person_id, inquiry_id, cs ? cs : "decided");
	else if (err == 0 && confirm && is != NULL &&
		 (strcmp(is, "confirmed") == 0 || strcmp(is, "closed") == 0))
		err = cartel__why(why, CARTEL_ESTATE,
				  "inquiry '%s' is already %s: no other match "
				  "can be confirmed",
				  inquiry_id, is);
	free(cs);
	free(is);
	if (err == 0)
		err = cartel__candidate_held(db, inquiry_id, person_id, why);
	if (err == 0)
		err = cartel__inquiry_held(db, inquiry_id, why);
	char now[32];
	cartel__now(now, sizeof now);
	/* A confirmation is first an event on the person (the family is to
	 * be called back with it), then the inquiry's own rows. */
	if (err == 0 && confirm) {
		char *list = inquiry_attr(db, person_id, inquiry_id, why);
		if (list == NULL)
			err = CARTEL_ENOMEM;
		if (err == 0) {
			struct cartel_event ev = {0};
			ev.person_id = person_id;
			ev.field = "attr:inquiry";
			ev.new_value = list;
			ev.prov.actor = actor;
			ev.prov.source = CARTEL_SRC_FAMILY_REPORT;
			ev.prov.source_ref = inquiry_id;
			ev.prov.note = reason;
			err = cartel_event_add(db, &ev, why);
		}
		free(list);
	}
	if (err == 0)
		err = cartel__candidate_decide(db, inquiry_id, person_id,
				  confirm ? "confirmed" : "rejected", actor,
				  now, reason, why);
	if (err == 0)
		err = cartel__inquiry_history(db, inquiry_id, now, actor,
					      confirm ? "confirmed"
						      : "rejected",
					      person_id, reason, why);
	char **others = NULL;
	size_t n_others = 0;
	if (err == 0)
		err = cartel__candidates_others(db, inquiry_id, person_id, &others,
				    &n_others, why);
	if (err == 0 && confirm) {
		/* One man is found: the inquiry's other candidates are not
		 * him, and leave the review queue. */
		static const char closed[] = "another candidate confirmed";
		for (size_t i = 0; err == 0 && i < n_others; i++) {
			err = cartel__candidate_held(db, inquiry_id,
						     others[i], why);
			if (err == 0)
				err = cartel__candidate_decide(db, inquiry_id, others[i],
						  "rejected", actor, now,
						  closed, why);
			if (err == 0)
				err = cartel__inquiry_history(
					db, inquiry_id, now, actor,
					"candidate closed", others[i], closed,
					why);
		}
		if (err == 0)
			err = cartel__inquiry_set_state(db, inquiry_id,
							"confirmed", why);
	} else if (err == 0 && n_others == 0) {
		/* The last candidate rejected: the inquiry is open again,
		 * unless a match was confirmed or it was closed. */
		int waiting = 0;
		err = cartel__inquiry_waiting(db, inquiry_id, &waiting, why);
		if (err == 0 && waiting)
			err = cartel__inquiry_set_state(db, inquiry_id, "open",
							why);
	}
	for (size_t i = 0; i < n_others; i++)
		free(others[i]);
	free(others);
	if (err == 0) {
		char *subject = cartel__asprintf("%s/%s", inquiry_id,
						 person_id);
		err = subject ? cartel_audit_append(db, actor,
						    confirm ? "review.confirm"
							    : "review.reject",
						    subject, reason, why)
			      : CARTEL_ENOMEM;
		free(subject);
	}
	return cartel__db_write_end(db, own, err, why);
}
