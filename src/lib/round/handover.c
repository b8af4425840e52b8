/*
 * The handover: an agreed, verified list document loaded into the register
 * and run stage by stage at the exchange point.
 *
 * Each check-off is one transaction holding the check-off row, the
 * person's status event (which carries its own audit entry) and an audit
 * entry for the check-off. So a crash loses at most the check-off being
 * written, never half of one, and a stage resumes where it stopped:
 * checking a person again with the outcome already recorded changes
 * nothing, so replaying a stage's sheet neither loses nor doubles a name.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cartel/declaration.h>
#include <cartel/error.h>
#include <cartel/links.h>
#include <cartel/round.h>
#include <cartel/store.h>

#include "core/intl.h"
#include "core/why.h"
#include "round/round_int.h"

static const char *outcome_names[CARTEL_HANDOVER_N] = {
	"pending", "handed_over", "received", "refused",
	"absent",  "deceased",    "released", "withdrawn"};

const char *
cartel_handover_outcome_name(enum cartel_handover_outcome o)
{
	return (unsigned)o < CARTEL_HANDOVER_N ? outcome_names[o] : "";
}

int
cartel_handover_outcome_parse(const char *s, enum cartel_handover_outcome *o,
			      char **why)
{
	for (int i = 0; i < CARTEL_HANDOVER_N; i++)
		if (s != NULL && strcmp(s, outcome_names[i]) == 0) {
			*o = (enum cartel_handover_outcome)i;
			return 0;
		}
	return cartel__why(why, CARTEL_EINVAL,
			   "outcome '%.20s' is not one of: handed_over, "
			   "received, refused, absent",
			   s ? s : "");
}

/* 1 for "YYYY-MM-DDTHH:MM:SSZ" with a real date and time. */
static int
time_valid(const char *s)
{
	static const char shape[] = "dddd-dd-ddTdd:dd:ddZ";
	if (strlen(s) != sizeof shape - 1)
		return 0;
	for (size_t i = 0; shape[i]; i++)
		if (shape[i] == 'd' ? !(s[i] >= '0' && s[i] <= '9')
				    : s[i] != shape[i])
			return 0;
	char date[11];
	memcpy(date, s, 10);
	date[10] = '\0';
	struct cartel_date d;
	if (cartel_date_parse(date, &d, NULL) != 0)
		return 0;
	int hh = (s[11] - '0') * 10 + (s[12] - '0');
	int mm = (s[14] - '0') * 10 + (s[15] - '0');
	int ss = (s[17] - '0') * 10 + (s[18] - '0');
	return hh < 24 && mm < 60 && ss < 61;
}

static int
field_event(struct cartel_db *db, const char *person_id, const char *field,
	    const char *to, const char *actor, const char *ref, const char *at,
	    char **why)
{
	struct cartel_event ev;
	memset(&ev, 0, sizeof ev);
	ev.person_id = person_id;
	ev.field = field;
	ev.new_value = to;
	ev.prov.actor = actor;
	/* A list both parties signed is the most reliable source there is. */
	ev.prov.source = CARTEL_SRC_OFFICIAL_LIST;
	ev.prov.source_ref = ref;
	ev.prov.at = at;
	return cartel_event_add(db, &ev, why);
}

static int
status_event(struct cartel_db *db, const char *person_id, const char *to,
	     const char *actor, const char *ref, const char *at, char **why)
{
	return field_event(db, person_id, "status", to, actor, ref, at, why);
}

/* Why person_id, in status st, cannot be checked off in round_id: a
 * repatriated person names the round that sent him home. */
static int
not_agreed(struct cartel_db *db, const char *round_id, const char *person_id,
	   enum cartel_status st, int stage, int loading, char **why)
{
	if (st == CARTEL_STATUS_REPATRIATED) {
		char *other = NULL, *at = NULL;
		int rc = cartel__round_ho_repatriated(db, person_id, round_id,
						      &other, &at, why);
		if (rc)
			return rc;
		/* Whole sentences for each case, so that each language can
		 * say them its own way. */
		if (other != NULL && loading)
			rc = cartel__why(why, CARTEL_ESTATE,
					 "person %s was already repatriated "
					 "through round %s (checked off at "
					 "%s) and cannot be listed again in "
					 "round %s",
					 person_id, other, at ? at : "?",
					 round_id);
		else if (other != NULL)
			rc = cartel__why(why, CARTEL_ESTATE,
					 "person %s was already repatriated "
					 "through round %s (checked off at "
					 "%s) and cannot be checked off again "
					 "in round %s",
					 person_id, other, at ? at : "?",
					 round_id);
		else if (loading)
			rc = cartel__why(why, CARTEL_ESTATE,
					 "person %s is already repatriated and "
					 "cannot be listed in round %s",
					 person_id, round_id);
		else
			rc = cartel__why(why, CARTEL_ESTATE,
					 "person %s is already repatriated and "
					 "cannot be checked off in round %s",
					 person_id, round_id);
		free(other);
		free(at);
		return rc;
	}
	return cartel__why(why, CARTEL_ESTATE,
			   "person %s is %s, no longer agreed, and cannot be "
			   "checked off in round %s; closing stage %d closes "
			   "the person out",
			   person_id,
			   cartel_enum_name(CARTEL_ENUM_STATUS, (int)st),
			   round_id, stage);
}

/* A refusal at the point of exchange, recorded as what it is: the
 * person's answer to whether he wants to go back (Art. 109(3)). */
static int
refusal_events(struct cartel_db *db, const struct cartel_checkoff *c,
	       const char *at, int version, int stage, char **why)
{
	char day[11];
	memcpy(day, at, 10);
	day[10] = '\0';
	char *where = cartel__asprintf(
		"round %s v%d stage %d: refused at the point of exchange%s%s",
		c->round_id, version, stage,
		c->where != NULL && c->where[0] ? " at " : "",
		c->where != NULL ? c->where : "");
	if (where == NULL)
		return CARTEL_ENOMEM;
	int rc = field_event(db, c->person_id, "consent", "refuses", c->by,
			     where, at, why);
	if (rc == 0)
		rc = field_event(db, c->person_id, "consent_by", c->by, c->by,
				 where, at, why);
	if (rc == 0)
		rc = field_event(db, c->person_id, "consent_on", day, c->by,
				 where, at, why);
	free(where);
	return rc;
}

/*
 * A person agreed in a new round leaves the older rounds that still list
 * him as pending: he left "agreed" since (struck off, back to captive), so
 * those rows are stale, and left pending they would let him be checked off
 * in a round he is no longer on. Each is closed out as withdrawn, with an
 * audit entry naming the round that now lists him.
 */
static int
withdraw_elsewhere(struct cartel_db *db, const char *round_id,
		   const char *person_id, const char *actor, char **why)
{
	char **rounds = NULL;
	size_t n = 0;
	int rc = cartel__round_ho_pending_in(db, person_id, round_id, &rounds,
					     &n, why);
	char now[32];
	cartel__round_now(now);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		rc = cartel__round_ho_set(
			db, rounds[i], person_id,
			cartel_handover_outcome_name(CARTEL_HANDOVER_WITHDRAWN),
			now, actor, why);
		char *detail =
			rc ? NULL
			   : cartel__asprintf("person=%s outcome=withdrawn "
					      "listed_in=%s at=%s",
					      person_id, round_id, now);
		if (rc == 0 && detail == NULL)
			rc = CARTEL_ENOMEM;
		if (rc == 0)
			rc = cartel_audit_append(db, actor,
						 "handover.close_out",
						 rounds[i], detail, why);
		free(detail);
	}
	for (size_t i = 0; i < n; i++)
		free(rounds[i]);
	free(rounds);
	return rc;
}

/* The persons pending in other loaded rounds, sorted (usually none). */
struct pending_set {
	char **ids;
	size_t n;
};

static int
cmp_id(const void *key, const void *elem)
{
	return strcmp((const char *)key, *(char *const *)elem);
}

static int
pending_elsewhere(const struct pending_set *ps, const char *id)
{
	return ps->n > 0 &&
	       bsearch(id, ps->ids, ps->n, sizeof *ps->ids, cmp_id) != NULL;
}

/* The id a party's register knows a listed person by: his holder's own
 * id (`holder_id`, a list made at the mediator names him "PARTY:ID"),
 * else the document's id. */
static const char *
entry_holder_id(const json_t *e, int party_reg)
{
	const char *hid = json_string_value(json_object_get(e, "holder_id"));
	if (party_reg && hid != NULL)
		return hid;
	return json_string_value(json_object_get(e, "id"));
}

/* Lists one document list into the handover and moves each person to
 * "agreed". */
static int
load_list(struct cartel_db *db, const struct cartel_round *r,
	  const json_t *list, const char *side, int direct, long *ord,
	  const char *actor, const char *ref, const struct pending_set *ps,
	  const json_t *map, int party_reg, char **why)
{
	const char *round_id = cartel_round_id(r);
	for (size_t i = 0; i < json_array_size(list); i++) {
		json_t *e = json_array_get(list, i);
		const char *holder_id = entry_holder_id(e, party_reg);
		/* A person the other party gives is this register's person
		 * its identity link names. */
		const char *id = holder_id;
		if (map != NULL)
			id = json_string_value(json_object_get(map, holder_id));
		if (id == NULL)
			return cartel__why(why, CARTEL_ENOTFOUND,
					   "person %s of %s is linked to "
					   "nobody in this register",
					   holder_id, side);
		int stage = (int)json_integer_value(json_object_get(e,
								   "stage"));
		struct cartel_person p;
		memset(&p, 0, sizeof p);
		char *w = NULL;
		int rc = cartel_person_get(db, id, &p, &w);
		if (rc) {
			free(w);
			if (rc == CARTEL_ENOTFOUND)
				return cartel__why(
					why, CARTEL_ENOTFOUND,
					"person %s is on the agreed list but "
					"not in this register; import them "
					"before the handover starts",
					id);
			return cartel__why(why, rc,
					   "reading person %s failed", id);
		}
		enum cartel_status st = p.status;
		cartel_person_clear(&p);
		if (st != CARTEL_STATUS_PROPOSED &&
		    cartel_status_can_move(st, CARTEL_STATUS_PROPOSED)) {
			rc = status_event(db, id, "proposed", actor, ref, NULL,
					  why);
			if (rc)
				return rc;
			st = CARTEL_STATUS_PROPOSED;
		}
		if (st == CARTEL_STATUS_REPATRIATED)
			return not_agreed(db, round_id, id, st, stage, 1,
					  why);
		if (!cartel_status_can_move(st, CARTEL_STATUS_AGREED))
			return cartel__why(
				why, CARTEL_ESTATE,
				"person %s: status %s cannot move to agreed; "
				"the list needs a new version without them",
				id, cartel_enum_name(CARTEL_ENUM_STATUS,
						     (int)st));
		if (pending_elsewhere(ps, id)) {
			rc = withdraw_elsewhere(db, round_id, id, actor, why);
			if (rc)
				return rc;
		}
		rc = status_event(db, id, "agreed", actor, ref, NULL, why);
		if (rc)
			return rc;
		rc = cartel__round_ho_put(db, round_id, id, (*ord)++, side,
					  stage, direct, why);
		if (rc == 0 && map != NULL)
			rc = cartel__round_ho_holder(db, round_id, id,
						     holder_id, why);
		if (rc)
			return rc;
	}
	return 0;
}

/*
 * In a party's register, the persons the other party gives are named by
 * the other party's ids: each is mapped through the identity links to
 * this register's own person, into *map (their id -> our id), or the
 * round is refused naming those linked to nobody (*map NULL when the
 * register is no party's: ids are the register's own).
 */
static int
map_other_side(struct cartel_db *db, const struct cartel_round *r,
	       const char **own_party, json_t **map, char **why)
{
	*map = NULL;
	*own_party = NULL;
	struct cartel_owner o;
	int rc = cartel__owner_get(db, &o, why);
	if (rc || o.role != CARTEL_OWNER_PARTY)
		return rc;
	int mine = -1;
	for (int i = 0; i < 2; i++)
		if (strcmp(cartel_round_party(r, i), o.name) == 0)
			mine = i;
	if (mine < 0)
		return cartel__why(why, CARTEL_ESTATE,
				   "this is %s's register, and round %s is "
				   "between %s and %s: a party hands over "
				   "only rounds it is party to",
				   o.name, cartel_round_id(r),
				   cartel_round_party(r, 0),
				   cartel_round_party(r, 1));
	*own_party = cartel_round_party(r, mine);
	const char *other = cartel_round_party(r, 1 - mine);
	json_t *m = json_object();
	if (m == NULL)
		return CARTEL_ENOMEM;
	const json_t *lists[2] = {
		json_object_get(json_object_get(json_object_get(r->doc,
								"sides"),
						other),
				"gives"),
		json_object_get(json_object_get(r->doc, "direct_repatriation"),
				other)};
	size_t n_unmapped = 0;
	char shown[512] = "";
	size_t used = 0;
	for (int l = 0; rc == 0 && l < 2; l++)
		for (size_t i = 0; rc == 0 && i < json_array_size(lists[l]);
		     i++) {
			const char *id =
				entry_holder_id(json_array_get(lists[l], i), 1);
			char *ours = NULL;
			char *w = NULL;
			rc = cartel_link_ours(db, other, id, "", &ours, &w);
			if (rc == CARTEL_ENOTFOUND) {
				rc = 0;
				if (n_unmapped++ < 10 && used < sizeof shown)
					used += (size_t)snprintf(
						shown + used,
						sizeof shown - used, "%s%s",
						used ? ", " : "", id);
			} else if (rc == 0 &&
				   json_object_set_new(m, id,
						       json_string(ours))) {
				rc = CARTEL_ENOMEM;
			} else if (rc && why) {
				free(*why);
				*why = w;
				w = NULL;
			}
			free(w);
			free(ours);
		}
	if (rc == 0 && n_unmapped > 0)
		rc = cartel__why(why, CARTEL_ENOTFOUND,
				 cartel_ngettext(
					 "round %s: %zu person %s gives is "
					 "linked to nobody in this register "
					 "(%s%s); link them first (cartel "
					 "links make %s:held register, or "
					 "cartel links confirm)",
					 "round %s: %zu persons %s gives are "
					 "linked to nobody in this register "
					 "(%s%s); link them first (cartel "
					 "links make %s:held register, or "
					 "cartel links confirm)",
					 n_unmapped),
				 cartel_round_id(r), n_unmapped, other,
				 shown, n_unmapped > 10 ? ", ..." : "",
				 other);
	if (rc) {
		json_decref(m);
		return rc;
	}
	*map = m;
	return 0;
}

int
cartel_handover_start(struct cartel_db *db, const struct cartel_round *r,
		      const char *actor, char **why)
{
	return cartel_handover_start_checked(db, r, NULL, actor, why);
}

int
cartel_handover_start_checked(struct cartel_db *db,
			      const struct cartel_round *r,
			      const struct cartel_round_rules_opts *ropts,
			      const char *actor, char **why)
{
	return cartel_handover_start_rules(db, r, ropts, NULL, actor, why);
}

int
cartel_handover_start_rules(struct cartel_db *db, const struct cartel_round *r,
			    const struct cartel_round_rules_opts *ropts,
			    struct cartel_round_rules *found, const char *actor,
			    char **why)
{
	if (found != NULL)
		memset(found, 0, sizeof *found);
	if (actor == NULL || actor[0] == '\0')
		return cartel__why(why, CARTEL_EINVAL, "no actor given");
	struct cartel_round_check chk;
	int rc = cartel_round_verify(db, r, &chk, why);
	cartel_round_check_clear(&chk);
	if (rc)
		return rc;
	/* Both signatures hold; the list must still keep the rules against
	 * what this register knows now (a man may have died, refused or
	 * been repatriated since it was signed). */
	struct cartel_round_rules_opts ro;
	memset(&ro, 0, sizeof ro);
	if (ropts != NULL)
		ro = *ropts;
	ro.received_unknown_ok = 1;
	struct cartel_round_rules rules;
	rc = cartel_round_rules_check(db, r, &ro, &rules, why);
	if (rc && rules.n_broken > 0 && found != NULL)
		*found = rules;
	else
		cartel_round_rules_clear(&rules);
	if (rc)
		return rc;
	if (cartel_round_kind(r) != CARTEL_ROUND_AGREED)
		return cartel__why(why, CARTEL_ESTATE,
				   "round %s version %d is a %s, not an agreed "
				   "list: only an agreed list is handed over",
				   cartel_round_id(r), cartel_round_version(r),
				   cartel_round_kind_name(cartel_round_kind(r)));
	char *canon = NULL;
	size_t len;
	rc = cartel_round_canonical(r, &canon, &len, why);
	if (rc)
		return rc;
	char *ref = cartel__asprintf("round %s v%d %s", cartel_round_id(r),
				     cartel_round_version(r),
				     cartel_round_digest(r));
	if (ref == NULL) {
		free(canon);
		return CARTEL_ENOMEM;
	}
	char now[32];
	cartel__round_now(now);
	rc = cartel_db_begin(db, why);
	if (rc)
		goto out;
	const char *round_id = cartel_round_id(r);
	rc = cartel__round_doc_put(db, round_id, cartel_round_version(r),
				   cartel_round_digest(r), canon, now, actor,
				   why);
	long stages = (long)json_integer_value(json_object_get(r->doc,
							       "stages"));
	for (long s = 1; rc == 0 && s <= stages; s++)
		rc = cartel__round_stage_put(db, round_id, (int)s, why);
	struct pending_set ps = {NULL, 0};
	if (rc == 0)
		rc = cartel__round_ho_pending_ids(db, round_id, &ps.ids, &ps.n,
						  why);
	long ord = 0;
	const char *own_party = NULL;
	json_t *map = NULL;
	if (rc == 0)
		rc = map_other_side(db, r, &own_party, &map, why);
	for (int i = 0; rc == 0 && i < 2; i++) {
		const char *party = cartel_round_party(r, i);
		const json_t *m = own_party != NULL &&
					  strcmp(party, own_party) != 0
				  ? map
				  : NULL;
		json_t *gives = json_object_get(
			json_object_get(json_object_get(r->doc, "sides"),
					party),
			"gives");
		rc = load_list(db, r, gives, party, 0, &ord, actor, ref, &ps,
			       m, own_party != NULL, why);
		if (rc == 0)
			rc = load_list(
				db, r,
				json_object_get(json_object_get(
							r->doc,
							"direct_repatriation"),
						party),
				party, 1, &ord, actor, ref, &ps, m,
				own_party != NULL, why);
	}
	json_decref(map);
	for (size_t i = 0; i < ps.n; i++)
		free(ps.ids[i]);
	free(ps.ids);
	if (rc == 0) {
		char *detail = cartel__asprintf(
			"version=%d digest=%s persons=%ld stages=%ld",
			cartel_round_version(r), cartel_round_digest(r), ord,
			stages);
		rc = detail ? cartel_audit_append(db, actor, "handover.start",
						  round_id, detail, why)
			    : CARTEL_ENOMEM;
		free(detail);
	}
	if (rc == 0)
		rc = cartel_db_commit(db, why);
	if (rc)
		cartel_db_rollback(db);
out:
	free(canon);
	free(ref);
	return rc;
}

/*
 * What a command's check-offs share, read and verified once: the round's
 * document (its row hashed against the audit chain, which for a round of
 * thousands is the costly part of a check-off), the register's owner and
 * the last stage found open. Reset (memset 0) for each transaction: a
 * rolled-back transaction may have undone what it holds.
 */
struct check_ctx {
	char round_id[128];
	int have_doc;
	int version;
	char digest[CARTEL_DIGEST_LEN];
	int have_owner;
	struct cartel_owner owner;
	int open_stage; /* a stage found open; 0: none yet */
};

static int
check_in(struct cartel_db *db, const struct cartel_checkoff *c,
	 int *already, struct check_ctx *cx, char **why);

int
cartel_handover_check(struct cartel_db *db, const struct cartel_checkoff *c,
		      int *already, char **why)
{
	struct check_ctx cx;
	memset(&cx, 0, sizeof cx);
	int rc = cartel_db_begin(db, why);
	if (rc)
		return rc;
	rc = check_in(db, c, already, &cx, why);
	/* Nothing written for a check-off already recorded: commit (not
	 * roll back) all the same, so a caller's enclosing transaction stays
	 * open. */
	if (rc == 0)
		rc = cartel_db_commit(db, why);
	if (rc)
		cartel_db_rollback(db);
	return rc;
}

/* An error of the register itself rather than of one person's check-off:
 * it ends a list. */
static int
register_failed(int e)
{
	return e == CARTEL_EDB || e == CARTEL_ENOMEM || e == CARTEL_EIO ||
	       e == CARTEL_ETAMPER || e == CARTEL_EBUSY || e == CARTEL_EFULL ||
	       e == CARTEL_EREADONLY;
}

int
cartel_handover_check_list(struct cartel_db *db,
			   const struct cartel_checkoff *v, size_t n,
			   struct cartel_checkoff_result *res, char **why)
{
	memset(res, 0, n * sizeof *res);
	struct check_ctx cx;
	memset(&cx, 0, sizeof cx);
	int rc = cartel_db_begin(db, why);
	if (rc)
		return rc;
	for (size_t i = 0; rc == 0 && i < n; i++) {
		rc = cartel__round_savepoint(db, 0, why);
		if (rc)
			break;
		int e = check_in(db, &v[i], &res[i].already, &cx,
				 &res[i].why);
		if (e == 0) {
			rc = cartel__round_savepoint(db, 1, why);
			continue;
		}
		res[i].rc = e;
		res[i].already = 0;
		rc = cartel__round_savepoint(db, 2, why);
		/* A refused person is reported and the list goes on; a
		 * failing register stops it. */
		if (rc == 0 && register_failed(e)) {
			rc = e;
			if (why != NULL && res[i].why != NULL) {
				free(*why);
				*why = res[i].why;
				res[i].why = NULL;
			}
		}
	}
	if (rc == 0)
		rc = cartel_db_commit(db, why);
	if (rc) {
		cartel_db_rollback(db);
		for (size_t i = 0; i < n; i++) {
			free(res[i].why);
			res[i].why = NULL;
			res[i].rc = 0;
			res[i].already = 0;
		}
	}
	return rc;
}

void
cartel_checkoff_results_clear(struct cartel_checkoff_result *res, size_t n)
{
	for (size_t i = 0; res != NULL && i < n; i++) {
		free(res[i].why);
		res[i].why = NULL;
	}
}

static int
check_in(struct cartel_db *db, const struct cartel_checkoff *c,
	 int *already, struct check_ctx *cx, char **why)
{
	if (already)
		*already = 0;
	if (c->outcome == CARTEL_HANDOVER_PENDING ||
	    (unsigned)c->outcome > CARTEL_HANDOVER_ABSENT)
		return cartel__why(why, CARTEL_EINVAL,
				   "a check-off is handed_over, received, "
				   "refused or absent (deceased, released and "
				   "withdrawn are recorded when the stage "
				   "closes)");
	if (c->by == NULL || c->by[0] == '\0')
		return cartel__why(why, CARTEL_EINVAL,
				   "a check-off names who checked (--by)");
	char at[32];
	if (c->at != NULL && c->at[0] != '\0') {
		if (!time_valid(c->at))
			return cartel__why(why, CARTEL_EINVAL,
					   "time '%.40s' is not "
					   "YYYY-MM-DDTHH:MM:SSZ (UTC)",
					   c->at);
		snprintf(at, sizeof at, "%s", c->at);
	} else {
		cartel__round_now(at);
	}
	int version = 0;
	char digest[CARTEL_DIGEST_LEN];
	struct cartel_handover_person hp;
	memset(&hp, 0, sizeof hp);
	char *ref = NULL, *detail = NULL, *mapped = NULL;
	struct cartel_checkoff mine;
	int rc = 0;
	if (!cx->have_doc || strcmp(cx->round_id, c->round_id) != 0) {
		cx->have_doc = 0;
		cx->open_stage = 0;
		rc = cartel__round_doc_get(db, c->round_id, &cx->version,
					   cx->digest, NULL, why);
		if (rc)
			goto fail;
		if (strlen(c->round_id) < sizeof cx->round_id) {
			snprintf(cx->round_id, sizeof cx->round_id, "%s",
				 c->round_id);
			cx->have_doc = 1;
		}
	}
	version = cx->version;
	memcpy(digest, cx->digest, sizeof digest);
	rc = cartel__round_ho_get(db, c->round_id, c->person_id, &hp, why);
	if (rc == CARTEL_ENOTFOUND) {
		/* At the exchange point the receiving side reads the agreed
		 * list, whose ids are the holder's: a person the other party
		 * gives is found under that id too. */
		int r2 = cartel__round_ho_by_holder(db, c->round_id,
						    c->person_id, &mapped,
						    NULL);
		if (r2 == 0) {
			if (why != NULL) {
				free(*why);
				*why = NULL;
			}
			mine = *c;
			mine.person_id = mapped;
			c = &mine;
			rc = cartel__round_ho_get(db, c->round_id,
						  c->person_id, &hp, why);
		} else if (r2 != CARTEL_ENOTFOUND) {
			rc = r2;
		}
	}
	if (rc)
		goto fail;
	if (hp.outcome != CARTEL_HANDOVER_PENDING) {
		if (hp.outcome == c->outcome) {
			/* Already done: a resumed stage replays its sheet. */
			if (already)
				*already = 1;
			cartel__round_ho_person_clear(&hp);
			free(mapped);
			return 0;
		}
		rc = cartel__why(why, CARTEL_ESTATE,
				 "person %s was already checked off as %s at "
				 "%s by %s",
				 c->person_id,
				 cartel_handover_outcome_name(hp.outcome),
				 hp.checked_at ? hp.checked_at : "?",
				 hp.checked_by ? hp.checked_by : "?");
		goto fail;
	}
	int closed = 0;
	if (cx->open_stage != hp.stage || hp.stage == 0) {
		rc = cartel__round_stage_get(db, c->round_id, hp.stage, &closed,
					     why);
		if (rc)
			goto fail;
		if (!closed)
			cx->open_stage = hp.stage;
	}
	if (closed) {
		rc = cartel__why(why, CARTEL_ESTATE,
				 "person %s is in stage %d, which is closed",
				 c->person_id, hp.stage);
		goto fail;
	}
	int handing = c->outcome == CARTEL_HANDOVER_HANDED_OVER ||
		      c->outcome == CARTEL_HANDOVER_RECEIVED;
	/* In a party's register each side checks off its own part: the
	 * party hands over the persons it gives, and receives the persons
	 * the other party gives (its own people, found through the links).
	 * The consent gate is the holding side's: the receiving side takes
	 * whoever is brought to it. */
	int receiving = 0;
	if (!cx->have_owner) {
		rc = cartel__owner_get(db, &cx->owner, why);
		if (rc)
			goto fail;
		cx->have_owner = 1;
	}
	const struct cartel_owner owner = cx->owner;
	if (owner.role == CARTEL_OWNER_PARTY) {
		receiving = strcmp(hp.side, owner.name) != 0;
		if (receiving && c->outcome == CARTEL_HANDOVER_HANDED_OVER)
			rc = cartel__why(
				why, CARTEL_ESTATE,
				"person %s is given by %s: in %s's register "
				"he is checked off as received, refused or "
				"absent",
				c->person_id, hp.side, owner.name);
		else if (!receiving && c->outcome == CARTEL_HANDOVER_RECEIVED)
			rc = cartel__why(
				why, CARTEL_ESTATE,
				"person %s is given by %s, whose register "
				"this is: he is checked off as handed_over, "
				"refused or absent",
				c->person_id, hp.side);
		if (rc)
			goto fail;
	}
	enum cartel_consent consent = CARTEL_CONSENT_NOT_ASKED;
	enum cartel_status status = CARTEL_STATUS_AGREED;
	rc = cartel__round_person_state(db, c->person_id, &status, &consent,
					why);
	if (rc)
		goto fail;
	/* Only an agreed person is checked off: one already repatriated
	 * (through another round listing him too) is not sent twice. */
	if (status != CARTEL_STATUS_AGREED) {
		rc = not_agreed(db, c->round_id, c->person_id, status,
				hp.stage, 0, why);
		goto fail;
	}
	if (handing && !receiving) {
		/* Art. 109(3): nobody goes back against his will. */
		if (consent != CARTEL_CONSENT_WILLING) {
			rc = cartel__why(
				why, CARTEL_ESTATE,
				"person %s cannot be checked off as %s: "
				"their recorded consent is '%s', not "
				"'willing'. Record the interview first (cartel "
				"event add %s consent willing --by WHO "
				"--source icrc_visit), or check them off as "
				"refused",
				c->person_id,
				cartel_handover_outcome_name(c->outcome),
				cartel_enum_name(CARTEL_ENUM_CONSENT,
						 (int)consent),
				c->person_id);
			goto fail;
		}
	}
	rc = cartel__round_ho_set(db, c->round_id, c->person_id,
				  cartel_handover_outcome_name(c->outcome), at,
				  c->by, why);
	if (rc)
		goto fail;
	ref = cartel__asprintf("round %s v%d stage %d: %s", c->round_id,
			       version, hp.stage,
			       cartel_handover_outcome_name(c->outcome));
	if (ref == NULL) {
		rc = CARTEL_ENOMEM;
		goto fail;
	}
	rc = status_event(db, c->person_id,
			  handing ? "repatriated" : "confirmed_captive", c->by,
			  ref, at, why);
	if (rc == 0 && c->outcome == CARTEL_HANDOVER_REFUSED)
		rc = refusal_events(db, c, at, version, hp.stage, why);
	if (rc)
		goto fail;
	detail = cartel__asprintf("person=%s outcome=%s stage=%d at=%s "
				  "by=%s%s%s",
				  c->person_id,
				  cartel_handover_outcome_name(c->outcome),
				  hp.stage, at, c->by,
				  c->where != NULL && c->where[0] ? " where="
								  : "",
				  c->where != NULL ? c->where : "");
	if (detail == NULL) {
		rc = CARTEL_ENOMEM;
		goto fail;
	}
	rc = cartel_audit_append(db, c->by, "handover.check", c->round_id,
				 detail, why);
	if (rc)
		goto fail;
	free(ref);
	free(detail);
	free(mapped);
	cartel__round_ho_person_clear(&hp);
	return 0;
fail:
	/* The caller rolls back (the whole transaction, or this person's
	 * savepoint). */
	free(ref);
	free(detail);
	free(mapped);
	cartel__round_ho_person_clear(&hp);
	return rc;
}

int
cartel_handover_status(struct cartel_db *db, const char *round_id,
		       struct cartel_handover_status *st, char **why)
{
	memset(st, 0, sizeof *st);
	int rc = cartel__round_doc_get(db, round_id, &st->version, st->digest,
				       &st->started_at, why);
	if (rc)
		return rc;
	st->round_id = strdup(round_id);
	if (st->round_id == NULL) {
		cartel_handover_status_clear(st);
		return CARTEL_ENOMEM;
	}
	rc = cartel__round_stage_list(db, round_id, &st->stages, &st->n_stages,
				      why);
	if (rc == 0)
		rc = cartel__round_ho_list(db, round_id, 0, &st->persons,
					   &st->n_persons, why);
	if (rc) {
		cartel_handover_status_clear(st);
		return rc;
	}
	for (size_t i = 0; i < st->n_persons; i++) {
		struct cartel_handover_person *p = &st->persons[i];
		for (size_t k = 0; k < st->n_stages; k++)
			if (st->stages[k].stage == p->stage) {
				st->stages[k].n_listed++;
				st->stages[k].n[p->outcome]++;
			}
	}
	return 0;
}

int
cartel_round_loaded(struct cartel_db *db, const char *round_id,
		    struct cartel_round **out, char **why)
{
	*out = NULL;
	char *text = NULL;
	int rc = cartel__round_doc_text(db, round_id, &text, why);
	if (rc == 0)
		rc = cartel_round_parse(out, text, strlen(text), round_id, why);
	free(text);
	return rc;
}

void
cartel_handover_status_clear(struct cartel_handover_status *st)
{
	free(st->round_id);
	free(st->started_at);
	for (size_t i = 0; i < st->n_stages; i++) {
		free(st->stages[i].closed_at);
		free(st->stages[i].closed_by);
	}
	free(st->stages);
	for (size_t i = 0; i < st->n_persons; i++)
		cartel__round_ho_person_clear(&st->persons[i]);
	free(st->persons);
	memset(st, 0, sizeof *st);
}

static int
person_status(struct cartel_db *db, const char *id, enum cartel_status *st,
	      char **why)
{
	enum cartel_consent consent;
	return cartel__round_person_state(db, id, st, &consent, why);
}

/* A pending person who is no longer agreed leaves the stage with what
 * became of him; his status already says it, so no event is written. */
static int
close_out(struct cartel_db *db, const char *round_id,
	  const struct cartel_handover_person *hp, enum cartel_status st,
	  const char *by, const char *at, char **why)
{
	enum cartel_handover_outcome o =
		st == CARTEL_STATUS_DECEASED   ? CARTEL_HANDOVER_DECEASED
		: st == CARTEL_STATUS_RELEASED ? CARTEL_HANDOVER_RELEASED
					       : CARTEL_HANDOVER_WITHDRAWN;
	int rc = cartel__round_ho_set(db, round_id, hp->id,
				      cartel_handover_outcome_name(o), at, by,
				      why);
	if (rc)
		return rc;
	char *detail = cartel__asprintf(
		"person=%s outcome=%s status=%s stage=%d at=%s by=%s", hp->id,
		cartel_handover_outcome_name(o),
		cartel_enum_name(CARTEL_ENUM_STATUS, (int)st), hp->stage, at,
		by);
	if (detail == NULL)
		return CARTEL_ENOMEM;
	rc = cartel_audit_append(db, by, "handover.close_out", round_id,
				 detail, why);
	free(detail);
	return rc;
}

int
cartel_handover_close_stage(struct cartel_db *db, const char *round_id,
			    int stage, const char *by, int mark_absent,
			    char **why)
{
	if (by == NULL || by[0] == '\0')
		return cartel__why(why, CARTEL_EINVAL,
				   "closing a stage names who closed it");
	struct cartel_handover_person *ps = NULL;
	size_t n = 0;
	char now[32];
	cartel__round_now(now);
	int rc = cartel_db_begin(db, why);
	if (rc)
		return rc;
	int closed = 0;
	/* The document is verified once here, not again for each person
	 * marked absent. */
	struct check_ctx cx;
	memset(&cx, 0, sizeof cx);
	rc = cartel__round_doc_get(db, round_id, &cx.version, cx.digest, NULL,
				   why);
	if (rc == 0 && strlen(round_id) < sizeof cx.round_id) {
		snprintf(cx.round_id, sizeof cx.round_id, "%s", round_id);
		cx.have_doc = 1;
	}
	if (rc == 0)
		rc = cartel__round_stage_get(db, round_id, stage, &closed, why);
	if (rc == 0 && !closed)
		cx.open_stage = stage;
	if (rc == 0 && closed)
		rc = cartel__why(why, CARTEL_ESTATE,
				 "stage %d of round %s is already closed",
				 stage, round_id);
	if (rc == 0)
		rc = cartel__round_ho_list(db, round_id, stage, &ps, &n, why);
	size_t pending = 0, absent = 0, closed_out = 0;
	for (size_t i = 0; rc == 0 && i < n; i++) {
		if (ps[i].outcome != CARTEL_HANDOVER_PENDING)
			continue;
		enum cartel_status st = CARTEL_STATUS_AGREED;
		rc = person_status(db, ps[i].id, &st, why);
		if (rc == 0 && st != CARTEL_STATUS_AGREED) {
			rc = close_out(db, round_id, &ps[i], st, by, now, why);
			closed_out++;
			continue;
		}
		pending++;
		if (rc || !mark_absent)
			continue;
		struct cartel_checkoff c = {round_id, ps[i].id,
					    CARTEL_HANDOVER_ABSENT, by, now,
					    NULL};
		rc = check_in(db, &c, NULL, &cx, why);
		absent++;
	}
	if (rc == 0 && pending > 0 && !mark_absent)
		rc = cartel__why(why, CARTEL_ESTATE,
				 cartel_ngettext(
					 "stage %d of round %s still has %zu "
					 "person pending; check them off, or "
					 "close with --mark-absent to record "
					 "them absent",
					 "stage %d of round %s still has %zu "
					 "persons pending; check them off, or "
					 "close with --mark-absent to record "
					 "them absent",
					 pending),
				 stage, round_id, pending);
	if (rc == 0)
		rc = cartel__round_stage_close(db, round_id, stage, now, by,
					       why);
	if (rc == 0) {
		char *detail = cartel__asprintf(
			"stage=%d persons=%zu marked_absent=%zu closed_out=%zu "
			"at=%s",
			stage, n, absent, closed_out, now);
		rc = detail ? cartel_audit_append(db, by, "handover.close",
						  round_id, detail, why)
			    : CARTEL_ENOMEM;
		free(detail);
	}
	if (rc == 0)
		rc = cartel_db_commit(db, why);
	if (rc)
		cartel_db_rollback(db);
	for (size_t i = 0; i < n; i++)
		cartel__round_ho_person_clear(&ps[i]);
	free(ps);
	return rc;
}
