/*
 * The planner: persons and a policy in, a proposed round out.
 *
 * Order of work. (1) Each person is sorted into what no policy overrides
 * (GC III Arts. 109-119): out of custody, refused, on an agreed list,
 * withheld under a hold the deal names, or designated for direct
 * repatriation. (2) The rest are filtered by the deal's categories and,
 * under a rank scale, valued. (3) The eligible are queued per side by
 * priority tier, then the persons the receiving party seeks (its sought
 * declaration, when the policy's sought_first holds), then longest held,
 * then id. (4) The balance picks how many of each group go (solve.c); each
 * group gives those sought, then its longest held. (5) Lists
 * are split into stages, and every person gets a reason in words.
 *
 * Determinism: persons are first sorted by id, and every later order is a
 * total order ending in the id, so the plan does not depend on the order
 * the register returned them in. The solver is deterministic for the same
 * programme; only a time limit that runs out can make two machines differ,
 * and then the plan says it is not proven optimal.
 */
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/intl.h"
#include "core/why.h"
#include "plan/plan_int.h"

static int
cmp_str_idx(const void *a, const void *b, void *ctx)
{
	const struct cartel_person *p = ctx;
	const size_t *x = a, *y = b;
	const char *ia = p[*x].id ? p[*x].id : "";
	const char *ib = p[*y].id ? p[*y].id : "";
	return strcmp(ia, ib);
}

/* qsort_r is not in C17; a file-scope context keeps the sorts simple. The
 * planner is not re-entrant across threads because of it, so each sort
 * holds the context only for the duration of the call, under a lock. */
static pthread_mutex_t sort_lock = PTHREAD_MUTEX_INITIALIZER;
static const void *sort_ctx;

static int
cmp_person_id(const void *a, const void *b)
{
	return cmp_str_idx(a, b, (void *)sort_ctx);
}

static int
cmp_queue(const void *a, const void *b)
{
	const struct plan_entry *e = sort_ctx;
	const struct plan_entry *x = &e[*(const size_t *)a];
	const struct plan_entry *y = &e[*(const size_t *)b];
	if (x->side != y->side)
		return x->side < y->side ? -1 : 1;
	if (x->tier != y->tier)
		return x->tier < y->tier ? -1 : 1;
	/* Within a priority, those the receiving party seeks first. */
	if (x->ahead != y->ahead)
		return x->ahead ? -1 : 1;
	if (x->held_key != y->held_key)
		return x->held_key < y->held_key ? -1 : 1;
	return strcmp(x->id, y->id);
}

static int
cmp_group(const void *a, const void *b)
{
	const struct plan_entry *e = sort_ctx;
	const struct plan_entry *x = &e[*(const size_t *)a];
	const struct plan_entry *y = &e[*(const size_t *)b];
	if (x->side != y->side)
		return x->side < y->side ? -1 : 1;
	if (x->pool != y->pool)
		return x->pool < y->pool ? -1 : 1;
	if (x->tier != y->tier)
		return x->tier < y->tier ? -1 : 1;
	if (x->cls != y->cls)
		return x->cls < y->cls ? -1 : 1;
	/* Each group gives first those the receiving party seeks. */
	if (x->ahead != y->ahead)
		return x->ahead ? -1 : 1;
	if (x->held_key != y->held_key)
		return x->held_key < y->held_key ? -1 : 1;
	return strcmp(x->id, y->id);
}

static void
sort_with(void *base, size_t n, size_t size, const void *ctx,
	  int (*cmp)(const void *, const void *))
{
	pthread_mutex_lock(&sort_lock);
	sort_ctx = ctx;
	qsort(base, n, size, cmp);
	sort_ctx = NULL;
	pthread_mutex_unlock(&sort_lock);
}

static char *
full_name(const struct cartel_person *p)
{
	const char *parts[3] = {p->family_name, p->given_name, p->patronymic};
	size_t len = 1;
	for (int i = 0; i < 3; i++)
		if (parts[i] != NULL)
			len += strlen(parts[i]) + 1;
	char *s = malloc(len);
	if (s == NULL)
		return NULL;
	s[0] = '\0';
	size_t o = 0;
	for (int i = 0; i < 3; i++) {
		if (parts[i] == NULL || parts[i][0] == '\0')
			continue;
		o += (size_t)snprintf(s + o, len - o, "%s%s", o ? " " : "",
				      parts[i]);
	}
	return s;
}

/*
 * A register holds a few dozen distinct rank texts among 200,000 persons;
 * folding each through ICU costs more than the rest of the planning, so
 * the class of each text is remembered for the duration of one plan.
 */
#define RANK_MEMO 1024

struct rank_memo {
	const char *text[RANK_MEMO]; /* the persons' own strings */
	int cls[RANK_MEMO];
};

static int
rank_class(struct cartel_plan *plan, const char *rank)
{
	struct rank_memo *m = plan->memo;
	if (m == NULL)
		return cartel__plan_scale_lookup(plan->pol->scale, rank);
	unsigned long h = 5381;
	for (const unsigned char *c = (const unsigned char *)rank; *c; c++)
		h = h * 33 + *c;
	for (unsigned k = 0; k < 8; k++) {
		size_t slot = (h + k) % RANK_MEMO;
		if (m->text[slot] == NULL) {
			m->text[slot] = rank;
			m->cls[slot] =
			    cartel__plan_scale_lookup(plan->pol->scale, rank);
			return m->cls[slot];
		}
		if (strcmp(m->text[slot], rank) == 0)
			return m->cls[slot];
	}
	return cartel__plan_scale_lookup(plan->pol->scale, rank);
}

/* Step 1 and 2: what no policy overrides, then the deal's filters. */
static int
classify(struct cartel_plan *plan, struct plan_entry *e,
	 const struct cartel_person *p, char **arena)
{
	const struct cartel_policy *pol = plan->pol;
	e->side = -1;
	e->tier = -1;
	e->cls = -1;
	e->value = 1;
	e->category = p->category;
	if (p->held_by != NULL && p->held_by[0] != '\0') {
		for (int s = 0; s < 2; s++)
			if (strcmp(p->held_by, pol->parties[s]) == 0)
				e->side = s;
		if (e->side >= 0) {
			e->party = pol->parties[e->side];
		} else {
			size_t len = strlen(p->held_by) + 1;
			memcpy(*arena, p->held_by, len);
			e->party = *arena;
			*arena += len;
		}
	}
	const struct cartel_date *since = cartel_date_known(&p->held_since)
						  ? &p->held_since
						  : &p->captured_on;
	e->held_key = cartel_date_known(since) ? cartel_date_days(since)
					       : LONG_MAX;
	switch (p->status) {
	case CARTEL_STATUS_DECEASED:
		e->code = PC_DECEASED;
		return 0;
	case CARTEL_STATUS_RELEASED:
		e->code = PC_RELEASED;
		return 0;
	case CARTEL_STATUS_REPATRIATED:
		e->code = PC_REPATRIATED;
		return 0;
	case CARTEL_STATUS_ESCAPED:
		e->code = PC_ESCAPED;
		return 0;
	case CARTEL_STATUS_TRANSFERRED:
		e->code = PC_TRANSFERRED;
		return 0;
	case CARTEL_STATUS_REPORTED_MISSING:
		e->code = PC_NOT_CONFIRMED;
		return 0;
	default:
		break;
	}
	if (e->side < 0) {
		e->code = PC_NOT_HELD;
		return 0;
	}
	if (p->status == CARTEL_STATUS_AGREED) {
		e->code = PC_AGREED;
		return 0;
	}
	/* Art. 109(3): a recorded refusal keeps him off every list, the
	 * direct-repatriation list included. */
	if (p->consent == CARTEL_CONSENT_REFUSES) {
		e->code = PC_REFUSES;
		return 0;
	}
	/* Repatriated only with a recorded "willing": a man asked who has
	 * not answered is flagged for the delegates as one never asked is,
	 * and the explanation says which of the two he is. */
	e->consent_not_asked = p->consent == CARTEL_CONSENT_NOT_ASKED;
	e->consent_undecided = p->consent == CARTEL_CONSENT_UNDECIDED;
	/* Art. 115: those held for proceedings or a sentence may benefit
	 * from repatriation only if the detaining power consents; a deal
	 * that names the hold in `withhold` says it does not, so the hold
	 * comes before Art. 110 (and the entry says he was designated). */
	if (p->legal_hold != CARTEL_HOLD_NONE &&
	    (pol->withhold_mask & (1u << p->legal_hold))) {
		e->code = PC_WITHHELD;
		e->hold = p->legal_hold;
		e->direct_too =
			p->direct_repatriation == CARTEL_DIRECT_YES;
		e->name = full_name(p);
		e->rank = cartel__strdup(p->rank);
		e->birth_date = p->birth_date;
		if (e->name == NULL || (p->rank != NULL && e->rank == NULL))
			return CARTEL_ENOMEM;
		return 0;
	}
	if (p->direct_repatriation == CARTEL_DIRECT_YES) {
		e->code = PC_DIRECT;
		return 0;
	}
	if (pol->categories != NULL) {
		int in = 0;
		for (size_t i = 0; i < pol->n_categories && !in; i++)
			in = cartel__plan_filter_match(&pol->categories[i], p,
			                               &plan->today);
		if (!in) {
			e->code = PC_NOT_IN_CATEGORIES;
			return 0;
		}
	}
	e->pool = pol->civilians_for_civilians &&
		  p->category == CARTEL_CAT_CIVILIAN;
	if (pol->scale != NULL) {
		if (p->category == CARTEL_CAT_CIVILIAN) {
			/* Civilians hold no rank: one head, one unit. */
			e->cls = -2;
			e->value = 1;
		} else if (p->rank == NULL || p->rank[0] == '\0') {
			if (pol->unranked < 0) {
				e->code = PC_NO_RANK;
				return 0;
			}
			e->cls = pol->unranked;
			e->value = pol->scale->classes[e->cls].value;
		} else {
			e->cls = rank_class(plan, p->rank);
			if (e->cls < 0) {
				e->code = PC_RANK_NOT_ON_SCALE;
				e->rank = cartel__strdup(p->rank);
				return e->rank == NULL ? CARTEL_ENOMEM : 0;
			}
			e->value = pol->scale->classes[e->cls].value;
		}
	}
	e->tier = (int)pol->n_priorities;
	for (size_t i = 0; i < pol->n_priorities; i++) {
		if (cartel__plan_filter_match(&pol->priorities[i], p,
		                              &plan->today)) {
			e->tier = (int)i;
			break;
		}
	}
	e->code = PC_ELIGIBLE;
	return 0;
}

static void
set_reason(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
set_reason(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int w = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	if (w < 0 || (size_t)w < size)
		return;
	/* Cut short: drop a character the cut split, so that the words
	 * stay valid UTF-8 (the JSON library refuses anything else). */
	size_t len = strlen(buf), i = len;
	while (i > 0 && ((unsigned char)buf[i - 1] & 0xC0) == 0x80)
		i--;
	if (i == 0)
		return;
	unsigned char lead = (unsigned char)buf[i - 1];
	size_t need = lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3
								: 2;
	if (len - (i - 1) < need)
		buf[i - 1] = '\0';
}

void
cartel__plan_reason(const struct cartel_plan *plan, const struct plan_entry *e,
                    char *buf, size_t size)
{
	const struct cartel_policy *pol = plan->pol;
	char o1[24];
	const char *label =
	    e->tier >= 0 ? cartel__plan_tier_label(plan, e->tier) : "";
	const char *other = e->side >= 0 ? pol->parties[1 - e->side] : "";
	const char *not_asked =
		e->consent_not_asked
			? "; consent not yet asked: not handed over until a "
			  "recorded 'willing'"
		: e->consent_undecided
			? "; asked about repatriation and has not answered "
			  "yet: not handed over until a recorded 'willing'"
			: "";
	switch (e->code) {
	case PC_LISTED: {
		char st[48] = "";
		if (pol->n_stages > 1)
			snprintf(st, sizeof st, ", stage %d of %d", e->stage,
				 pol->n_stages);
		set_reason(buf, size,
		           "in the proposed round%s, side %s gives, %s of %zu, "
		           "category '%s'%s%s",
		           pol->mode == PLAN_MODE_ALL_FOR_ALL ? " (all for all)"
		                                              : "",
		           pol->parties[e->side],
		           cartel__plan_ordinal(e->pos, o1, sizeof o1),
		           plan->side[e->side].n_list, label, st, not_asked);
		return;
	}
	case PC_DIRECT:
		set_reason(buf, size,
			   "direct repatriation (Art. 110): repatriated by "
			   "side %s regardless of number or rank, outside the "
			   "balance%s",
			   pol->parties[e->side], not_asked);
		return;
	case PC_WITHHELD:
		set_reason(buf, size,
			   "withheld: %s (Art. %s); the other party (%s) is "
			   "told his name%s",
			   e->hold == CARTEL_HOLD_PROCEEDINGS
				   ? "under criminal proceedings"
				   : "convicted, serving a sentence",
			   e->hold == CARTEL_HOLD_PROCEEDINGS ? "115" : "119",
			   other,
			   e->direct_too
				   ? "; designated for direct repatriation "
				     "(Art. 110), held back under Art. 115"
				   : "");
		return;
	case PC_DECEASED:
		set_reason(buf, size, "deceased: never listed");
		return;
	case PC_RELEASED:
		set_reason(buf, size, "released: no longer held");
		return;
	case PC_REPATRIATED:
		set_reason(buf, size, "already repatriated");
		return;
	case PC_ESCAPED:
		set_reason(buf, size, "escaped: no longer held");
		return;
	case PC_TRANSFERRED:
		set_reason(buf, size,
			   "transferred to another power: no longer held by "
			   "this party");
		return;
	case PC_NOT_CONFIRMED:
		set_reason(buf, size,
			   "reported missing, not confirmed as held: only "
			   "confirmed captives are listed");
		return;
	case PC_NOT_HELD:
		set_reason(buf, size,
			   "not held by either party of the round (%s, %s)",
			   pol->parties[0], pol->parties[1]);
		return;
	case PC_AGREED:
		set_reason(buf, size,
			   "already on an agreed list awaiting handover");
		return;
	case PC_REFUSES:
		set_reason(buf, size,
			   "refused repatriation (Art. 109): never listed "
			   "against his will");
		return;
	case PC_NOT_IN_CATEGORIES:
		set_reason(buf, size, "not in the categories of this deal");
		return;
	case PC_NO_RANK:
		set_reason(buf, size,
			   "no rank recorded, and the policy gives no value "
			   "to the unranked on scale '%s' (see 'unranked')",
			   pol->scale->name);
		return;
	case PC_RANK_NOT_ON_SCALE:
		set_reason(buf, size, "rank '%s' is not on scale '%s'",
			   e->rank ? e->rank : "", pol->scale->name);
		return;
	case PC_OVER_CAP:
		set_reason(
		    buf, size,
		    "not in this round: in category '%s', %s of %zu on "
		    "side %s; the cap is %ld",
		    label, cartel__plan_ordinal(e->tier_pos, o1, sizeof o1),
		    e->tier_size, pol->parties[e->side], pol->max_per_side);
		return;
	case PC_BALANCE: {
		char worth[64] = "";
		if (pol->scale != NULL)
			snprintf(worth, sizeof worth,
				 " (his worth on the scale is %ld)", e->value);
		const struct plan_side *os = &plan->side[1 - e->side];
		if (pol->civilians_for_civilians && e->pool == 1) {
			/* Civilians go only for civilians: the other side's
			 * civilians bind, not its whole list. */
			set_reason(
			    buf, size,
			    "not in this round: in category '%s', %s of %zu "
			    "on side %s; civilians are exchanged only for "
			    "civilians, and side %s %s %zu civilians%s, so "
			    "the balance (ratio %ld:%ld) lets side %s give "
			    "%zu civilians",
			    label,
			    cartel__plan_ordinal(e->tier_pos, o1, sizeof o1),
			    e->tier_size, pol->parties[e->side], other,
			    os->pool_listed[1] == os->pool_eligible[1]
				    ? "has only"
				    : "gives",
			    os->pool_listed[1],
			    os->pool_listed[1] == os->pool_eligible[1]
				    ? " to give"
				    : "",
			    pol->ratio[0], pol->ratio[1],
			    pol->parties[e->side],
			    plan->side[e->side].pool_listed[1]);
			return;
		}
		/* Under civilians for civilians, the others balance among
		 * themselves: the civilians are left out of both values. */
		int cfc = pol->civilians_for_civilians;
		set_reason(
		    buf, size,
		    "not in this round: in category '%s', %s of %zu on "
		    "side %s; side %s gives %ld %s%s, so the balance "
		    "(ratio %ld:%ld%s%s) lets side %s give %ld%s",
		    label, cartel__plan_ordinal(e->tier_pos, o1, sizeof o1),
		    e->tier_size, pol->parties[e->side], other,
		    cfc ? os->pool_value[0] : os->value,
		    pol->scale ? "in value" : "persons",
		    cfc ? " besides civilians" : "", pol->ratio[0],
		    pol->ratio[1], pol->scale ? ", scale " : "",
		    pol->scale ? pol->scale->name : "", pol->parties[e->side],
		    cfc ? plan->side[e->side].pool_value[0]
			: plan->side[e->side].value,
		    worth);
		return;
	}
	default:
		set_reason(buf, size, "eligible");
		return;
	}
}

/* "300 persons", handed over (Ukrainian and Russian decline the noun
 * by the number). */
static const char *
persons_given(long n, char *buf, size_t size)
{
	snprintf(buf, size,
		 cartel_ngettext("%ld person", "%ld persons", (unsigned long)n),
		 n);
	return buf;
}

void
cartel__plan_words(const struct cartel_plan *plan, const struct plan_entry *e,
		   char *buf, size_t size)
{
	const struct cartel_policy *pol = plan->pol;
	char ord[24], n1[64], n2[64], tail[256] = "";
	const char *label =
	    e->tier >= 0 ? cartel__plan_tier_label(plan, e->tier) : "";
	const char *own = e->side >= 0 ? cartel_party_name(pol->parties[e->side])
				       : "";
	const char *other =
	    e->side >= 0 ? cartel_party_name(pol->parties[1 - e->side]) : "";
	if ((e->code == PC_LISTED || e->code == PC_DIRECT) &&
	    (e->consent_not_asked || e->consent_undecided))
		snprintf(tail, sizeof tail, "%s",
			 e->consent_not_asked
				 ? _("; nobody has yet asked whether this "
				     "person wants to go home, and no one is "
				     "handed over before saying yes")
				 : _("; asked whether to go home, this person "
				     "has not answered yet, and no one is "
				     "handed over before saying yes"));
	switch (e->code) {
	case PC_LISTED: {
		const struct plan_side *sd = &plan->side[e->side];
		char st[64] = "";
		if (pol->n_stages > 1)
			snprintf(st, sizeof st, _(" (stage %d of %d)"),
				 e->stage, pol->n_stages);
		set_reason(buf, size,
			   pol->mode == PLAN_MODE_ALL_FOR_ALL
				   ? _("in the proposed round, all for "
				       "all%1$s: %2$s hands over %3$s, and "
				       "this person is %4$s on its list "
				       "(group '%5$s')%6$s")
				   : _("in the proposed round%1$s: %2$s hands "
				       "over %3$s, and this person is %4$s on "
				       "its list (group '%5$s')%6$s"),
			   st, own,
			   persons_given((long)sd->n_list, n1, sizeof n1),
			   cartel_ordinal(e->pos, ord, sizeof ord), label,
			   tail);
		return;
	}
	case PC_DIRECT:
		set_reason(buf, size,
			   _("to be sent home as seriously wounded or sick "
			     "(Art. 110): %1$s repatriates this person "
			     "whatever the numbers or rank, outside the "
			     "exchange count%2$s"),
			   own, tail);
		return;
	case PC_WITHHELD:
		set_reason(buf, size,
			   e->hold == CARTEL_HOLD_PROCEEDINGS
				   ? _("held back: under criminal "
				       "proceedings (Art. 115); %1$s is told "
				       "the name%2$s")
				   : _("held back: serving a sentence (Art. "
				       "119); %1$s is told the name%2$s"),
			   other,
			   e->direct_too
				   ? _("; also designated to be sent home "
				       "as seriously wounded or sick (Art. "
				       "110), which waits for the case to end")
				   : "");
		return;
	case PC_DECEASED:
		set_reason(buf, size, "%s",
			   _("recorded as deceased: not put on any list"));
		return;
	case PC_RELEASED:
		set_reason(buf, size, "%s",
			   _("released: no longer held"));
		return;
	case PC_REPATRIATED:
		set_reason(buf, size, "%s", _("already home (repatriated)"));
		return;
	case PC_ESCAPED:
		set_reason(buf, size, "%s", _("escaped: no longer held"));
		return;
	case PC_TRANSFERRED:
		set_reason(buf, size, "%s",
			   _("transferred to another state: no longer held "
			     "by this party"));
		return;
	case PC_NOT_CONFIRMED:
		set_reason(buf, size, "%s",
			   _("reported missing and not confirmed as held: "
			     "only confirmed captives are put on a list"));
		return;
	case PC_NOT_HELD:
		set_reason(buf, size,
			   _("held by neither party of this round (%1$s, "
			     "%2$s)"),
			   cartel_party_name(pol->parties[0]),
			   cartel_party_name(pol->parties[1]));
		return;
	case PC_AGREED:
		set_reason(buf, size, "%s",
			   _("already on an agreed list, waiting for the "
			     "handover"));
		return;
	case PC_REFUSES:
		set_reason(buf, size, "%s",
			   _("refused to be repatriated (Art. 109): nobody "
			     "is put on a list against their will"));
		return;
	case PC_NOT_IN_CATEGORIES:
		set_reason(buf, size, "%s",
			   _("not in the groups this deal covers"));
		return;
	case PC_NO_RANK:
		set_reason(buf, size,
			   _("no rank is recorded, and the deal's rank scale "
			     "'%s' counts nobody without one"),
			   pol->scale->name);
		return;
	case PC_RANK_NOT_ON_SCALE:
		set_reason(buf, size,
			   _("the rank '%1$s' is not on the deal's rank "
			     "scale '%2$s'"),
			   e->rank ? e->rank : "", pol->scale->name);
		return;
	case PC_OVER_CAP:
		set_reason(buf, size,
			   _("not in this round: %1$s in line in the group "
			     "'%2$s'; the deal covers %3$s from each side, "
			     "and %4$s's list is full"),
			   cartel_ordinal(e->tier_pos, ord, sizeof ord),
			   label,
			   persons_given(pol->max_per_side, n1, sizeof n1),
			   own);
		return;
	case PC_BALANCE: {
		const struct plan_side *ms = &plan->side[e->side];
		const struct plan_side *os = &plan->side[1 - e->side];
		cartel_ordinal(e->tier_pos, ord, sizeof ord);
		if (pol->civilians_for_civilians && e->pool == 1) {
			/* Civilians go only for civilians: the other
			 * side's civilians are the limit. */
			int only = os->pool_listed[1] == os->pool_eligible[1];
			snprintf(n1, sizeof n1,
				 cartel_ngettext("%zu civilian",
						 "%zu civilians",
						 os->pool_listed[1]),
				 os->pool_listed[1]);
			snprintf(n2, sizeof n2,
				 cartel_ngettext("%zu civilian",
						 "%zu civilians",
						 ms->pool_listed[1]),
				 ms->pool_listed[1]);
			set_reason(
			    buf, size,
			    only ? _("not in this round: %1$s in line in the "
				     "group '%2$s'; civilians are exchanged "
				     "only for civilians, and %3$s has only "
				     "%4$s to give, so %5$s hands over %6$s")
				 : _("not in this round: %1$s in line in the "
				     "group '%2$s'; civilians are exchanged "
				     "only for civilians, and %3$s hands over "
				     "%4$s, so %5$s hands over %6$s"),
			    ord, label, other, n1, own, n2);
			return;
		}
		int cfc = pol->civilians_for_civilians;
		long ov = cfc ? os->pool_value[0] : os->value;
		long mv = cfc ? ms->pool_value[0] : ms->value;
		/* Under civilians for civilians the figures leave the
		 * civilians out, and say so. */
		if (pol->scale != NULL) {
			set_reason(
			    buf, size,
			    cfc ? _("not in this round: %1$s in line in the "
				    "group '%2$s'; not counting civilians, on "
				    "the deal's rank scale %3$s hands over "
				    "%4$ld, so the balance (%5$ld for %6$ld) "
				    "lets %7$s hand over %8$ld, and this "
				    "person's rank counts %9$ld")
				: _("not in this round: %1$s in line in the "
				    "group '%2$s'; on the deal's rank scale "
				    "%3$s hands over %4$ld, so the balance "
				    "(%5$ld for %6$ld) lets %7$s hand over "
				    "%8$ld, and this person's rank counts "
				    "%9$ld"),
			    ord, label, other, ov, pol->ratio[0],
			    pol->ratio[1], own, mv, e->value);
			return;
		}
		set_reason(buf, size,
			   cfc ? _("not in this round: %1$s in line in the "
				   "group '%2$s'; not counting civilians, %3$s "
				   "hands over %4$s, so the balance (%5$ld for "
				   "%6$ld) lets %7$s hand over %8$s")
			       : _("not in this round: %1$s in line in the "
				   "group '%2$s'; %3$s hands over %4$s, so the "
				   "balance (%5$ld for %6$ld) lets %7$s hand "
				   "over %8$s"),
			   ord, label, other, persons_given(ov, n1, sizeof n1),
			   pol->ratio[0], pol->ratio[1], own,
			   persons_given(mv, n2, sizeof n2));
		return;
	}
	default:
		set_reason(buf, size, "%s", _("eligible"));
		return;
	}
}

static void
side_free(struct plan_side *s)
{
	free(s->list);
	free(s->gives);
	free(s->direct);
	free(s->stage_end);
	free(s->stage_value);
}

void
cartel_plan_free(struct cartel_plan *plan)
{
	if (plan == NULL)
		return;
	for (size_t i = 0; i < plan->n; i++) {
		free(plan->e[i].name);
		free(plan->e[i].rank);
	}
	free(plan->e);
	free(plan->arena);
	free(plan->memo);
	side_free(&plan->side[0]);
	side_free(&plan->side[1]);
	cartel__plan_solve_clear(&plan->solve);
	json_decref(plan->doc);
	free(plan);
}

/* Step 4: groups, the balance, and each group's longest held. */
static int
balance(struct cartel_plan *plan, size_t *elig, size_t n_elig,
	int time_limit_ms, char **why)
{
	struct plan_entry *e = plan->e;
	const struct cartel_policy *pol = plan->pol;
	if (pol->mode == PLAN_MODE_ALL_FOR_ALL) {
		for (size_t i = 0; i < n_elig; i++)
			e[elig[i]].code = PC_LISTED;
		snprintf(plan->solve.status, sizeof plan->solve.status,
			 "all for all: no balance");
		plan->solve.optimal = 1;
		return 0;
	}
	size_t *by_group = malloc((n_elig + 1) * sizeof *by_group);
	struct plan_group *groups = calloc(n_elig + 1, sizeof *groups);
	size_t *start = malloc((n_elig + 1) * sizeof *start);
	if (by_group == NULL || groups == NULL || start == NULL) {
		free(by_group);
		free(groups);
		free(start);
		return CARTEL_ENOMEM;
	}
	memcpy(by_group, elig, n_elig * sizeof *elig);
	sort_with(by_group, n_elig, sizeof *by_group, e, cmp_group);
	size_t n_groups = 0;
	for (size_t i = 0; i < n_elig; i++) {
		const struct plan_entry *x = &e[by_group[i]];
		struct plan_group *g = n_groups ? &groups[n_groups - 1] : NULL;
		if (g == NULL || i == 0 ||
		    e[by_group[i - 1]].side != x->side ||
		    e[by_group[i - 1]].pool != x->pool ||
		    e[by_group[i - 1]].tier != x->tier ||
		    e[by_group[i - 1]].cls != x->cls) {
			g = &groups[n_groups];
			start[n_groups++] = i;
			g->side = x->side;
			g->pool = x->pool;
			g->tier = x->tier;
			g->value = x->value;
		}
		g->n++;
	}
	int rc = cartel__plan_solve(groups, n_groups, plan->n_tiers, pol,
	                            time_limit_ms, &plan->solve, why);
	if (rc == 0) {
		for (size_t g = 0; g < n_groups; g++)
			for (long k = 0; k < groups[g].take; k++)
				e[by_group[start[g] + (size_t)k]].code =
					PC_LISTED;
	}
	free(by_group);
	free(groups);
	free(start);
	return rc;
}

/* Step 5: lists, positions, stages, reasons. */
static int
lay_out(struct cartel_plan *plan, size_t *elig, size_t n_elig)
{
	struct plan_entry *e = plan->e;
	const struct cartel_policy *pol = plan->pol;
	/* elig is in queue order: side, tier, sought, longest held, id. */
	for (size_t i = 0; i < n_elig;) {
		size_t j = i;
		while (j < n_elig && e[elig[j]].side == e[elig[i]].side &&
		       e[elig[j]].tier == e[elig[i]].tier)
			j++;
		for (size_t k = i; k < j; k++) {
			e[elig[k]].tier_pos = k - i + 1;
			e[elig[k]].tier_size = j - i;
		}
		i = j;
	}
	for (int s = 0; s < 2; s++) {
		struct plan_side *sd = &plan->side[s];
		sd->list = malloc((n_elig + 1) * sizeof *sd->list);
		sd->gives = malloc((n_elig + 1) * sizeof *sd->gives);
		sd->stage_end = calloc((size_t)pol->n_stages,
				       sizeof *sd->stage_end);
		sd->stage_value = calloc((size_t)pol->n_stages,
					 sizeof *sd->stage_value);
		if (sd->list == NULL || sd->gives == NULL ||
		    sd->stage_end == NULL || sd->stage_value == NULL)
			return CARTEL_ENOMEM;
	}
	for (size_t i = 0; i < n_elig; i++) {
		struct plan_entry *x = &e[elig[i]];
		struct plan_side *sd = &plan->side[x->side];
		sd->eligible++;
		sd->pool_eligible[x->pool]++;
		if (x->code != PC_LISTED)
			continue;
		sd->pool_listed[x->pool]++;
		sd->pool_value[x->pool] += x->value;
		sd->list[sd->n_list] = elig[i];
		sd->gives[sd->n_list++] = x->id;
		x->pos = sd->n_list;
		sd->value += x->value;
		if (x->category == CARTEL_CAT_CIVILIAN)
			sd->n_civilians++;
	}
	/* Stages: each side's list in priority order, cut at the same
	 * proportions (the policy's sizes, or even shares). */
	long total = 0;
	for (int k = 0; k < pol->n_stages; k++)
		total += pol->stage_sizes ? pol->stage_sizes[k] : 1;
	for (int s = 0; s < 2; s++) {
		struct plan_side *sd = &plan->side[s];
		long cum = 0;
		size_t from = 0;
		for (int k = 0; k < pol->n_stages; k++) {
			cum += pol->stage_sizes ? pol->stage_sizes[k] : 1;
			size_t end = k + 1 == pol->n_stages
					     ? sd->n_list
					     : (size_t)((unsigned long long)
								sd->n_list *
							(unsigned long long)cum /
							(unsigned long long)
								total);
			sd->stage_end[k] = end;
			for (size_t i = from; i < end; i++) {
				e[sd->list[i]].stage = k + 1;
				sd->stage_value[k] += e[sd->list[i]].value;
			}
			from = end;
		}
	}
	/* Why the others stay: the cap when the side's list reached it and
	 * holds nobody of a later priority than his (else a later-priority
	 * man went in his stead, and that is the balance's doing), or the
	 * balance with the other side. */
	int last_tier[2] = {-1, -1};
	for (size_t i = 0; i < n_elig; i++) {
		const struct plan_entry *x = &e[elig[i]];
		if (x->code == PC_LISTED && x->tier > last_tier[x->side])
			last_tier[x->side] = x->tier;
	}
	for (size_t i = 0; i < n_elig; i++) {
		struct plan_entry *x = &e[elig[i]];
		if (x->code == PC_LISTED)
			continue;
		int full = pol->max_per_side > 0 &&
			   plan->side[x->side].n_list >=
				   (size_t)pol->max_per_side;
		x->code = full && last_tier[x->side] <= x->tier ? PC_OVER_CAP
								: PC_BALANCE;
	}
	for (size_t i = 0; i < plan->n; i++) {
		struct plan_entry *x = &e[i];
		if (x->code == PC_DIRECT) {
			struct plan_side *sd = &plan->side[x->side];
			if (sd->direct == NULL) {
				sd->direct = malloc(plan->n *
						    sizeof *sd->direct);
				if (sd->direct == NULL)
					return CARTEL_ENOMEM;
			}
			sd->direct[sd->n_direct++] = i;
		}
	}
	return 0;
}

static int
cmp_sought(const void *key, const void *elem)
{
	return strcmp((const char *)key, *(const char *const *)elem);
}

int
cartel_plan_make(struct cartel_plan **out, const struct cartel_policy *pol,
		 const struct cartel_person *persons, size_t n,
		 const struct cartel_plan_opts *opts, char **why)
{
	return cartel_plan_make_sought(out, pol, persons, n, NULL, 0, opts,
				       why);
}

int
cartel_plan_make_sought(struct cartel_plan **out,
			const struct cartel_policy *pol,
			const struct cartel_person *persons, size_t n,
			const char *const *sought, size_t n_sought,
			const struct cartel_plan_opts *opts, char **why)
{
	*out = NULL;
	struct cartel_plan *plan = calloc(1, sizeof *plan);
	if (plan == NULL)
		return CARTEL_ENOMEM;
	plan->pol = pol;
	plan->today = opts != NULL && opts->today.year != 0
			      ? opts->today
			      : cartel_date_today();
	if (plan->today.month == 0)
		plan->today.month = 1;
	if (plan->today.day == 0)
		plan->today.day = 1;
	int time_limit = opts != NULL && opts->time_limit_ms > 0
				 ? opts->time_limit_ms
				 : CARTEL_PLAN_TIME_LIMIT_MS;
	plan->n_tiers = (int)pol->n_priorities;
	if (pol->n_priorities == 0 ||
	    !pol->priorities[pol->n_priorities - 1].catch_all)
		plan->n_tiers++;
	int rc = 0;
	size_t *idx = malloc((n + 1) * sizeof *idx);
	size_t *elig = malloc((n + 1) * sizeof *elig);
	plan->e = calloc(n + 1, sizeof *plan->e);
	if (idx == NULL || elig == NULL || plan->e == NULL) {
		rc = CARTEL_ENOMEM;
		goto done;
	}
	for (size_t i = 0; i < n; i++) {
		if (persons[i].id == NULL || persons[i].id[0] == '\0') {
			rc = cartel__why(why, CARTEL_EINVAL,
					 "person %zu of %zu has no id", i + 1,
					 n);
			goto done;
		}
		idx[i] = i;
	}
	sort_with(idx, n, sizeof *idx, persons, cmp_person_id);
	for (size_t i = 1; i < n; i++) {
		if (strcmp(persons[idx[i - 1]].id, persons[idx[i]].id) == 0) {
			rc = cartel__why(why, CARTEL_EINVAL,
					 "id %.80s is given to two persons",
					 persons[idx[i]].id);
			goto done;
		}
	}
	/* One block for every id and third-party code: 200,000 small
	 * allocations cost more than the rest of the planning. */
	size_t bytes = 1;
	for (size_t i = 0; i < n; i++)
		bytes += strlen(persons[i].id) + 1 +
			 (persons[i].held_by ? strlen(persons[i].held_by) + 1
					     : 0);
	plan->arena = malloc(bytes);
	if (plan->arena == NULL) {
		rc = CARTEL_ENOMEM;
		goto done;
	}
	char *cur = plan->arena;
	size_t n_elig = 0;
	/* Without memory for the memo, every lookup folds afresh. */
	if (pol->scale != NULL)
		plan->memo = calloc(1, sizeof *plan->memo);
	for (size_t i = 0; i < n; i++) {
		struct plan_entry *e = &plan->e[i];
		plan->n++;
		size_t len = strlen(persons[idx[i]].id) + 1;
		memcpy(cur, persons[idx[i]].id, len);
		e->id = cur;
		cur += len;
		if ((rc = classify(plan, e, &persons[idx[i]], &cur)) != 0)
			goto done;
		e->sought = n_sought > 0 &&
			    bsearch(e->id, sought, n_sought, sizeof *sought,
				    cmp_sought) != NULL;
		e->ahead = e->sought && pol->sought_first;
		if (e->code == PC_ELIGIBLE)
			elig[n_elig++] = i;
	}
	free(plan->memo); /* it points into the persons */
	plan->memo = NULL;
	sort_with(elig, n_elig, sizeof *elig, plan->e, cmp_queue);
	if ((rc = balance(plan, elig, n_elig, time_limit, why)) != 0)
		goto done;
	if ((rc = lay_out(plan, elig, n_elig)) != 0)
		goto done;
done:
	cartel__plan_solver_release();
	free(idx);
	free(elig);
	if (rc != 0) {
		cartel_plan_free(plan);
		return rc;
	}
	*out = plan;
	return 0;
}

static const struct plan_entry *
find_entry(const struct cartel_plan *plan, const char *id)
{
	size_t lo = 0, hi = plan->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(plan->e[mid].id, id);
		if (c == 0)
			return &plan->e[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

int
cartel_plan_place(const struct cartel_plan *plan, const char *id,
		  struct cartel_plan_place *place)
{
	const struct plan_entry *e = id ? find_entry(plan, id) : NULL;
	if (e == NULL)
		return CARTEL_ENOTFOUND;
	memset(place, 0, sizeof *place);
	place->code = e->code == PC_WITHHELD ? "withheld"
	                                     : cartel__plan_code_name(e->code);
	cartel__plan_reason(plan, e, place->reason, sizeof place->reason);
	place->party = e->party;
	place->tier = e->tier;
	place->tier_label =
	    e->tier >= 0 ? cartel__plan_tier_label(plan, e->tier) : NULL;
	place->tier_position = e->tier_pos;
	place->tier_size = e->tier_size;
	place->position = e->pos;
	place->list_size = e->side >= 0 ? plan->side[e->side].n_list : 0;
	place->stage = e->stage;
	place->value = e->value;
	place->consent_not_asked =
		(e->code == PC_LISTED || e->code == PC_DIRECT) &&
		e->consent_not_asked;
	place->consent_undecided =
		(e->code == PC_LISTED || e->code == PC_DIRECT) &&
		e->consent_undecided;
	cartel__plan_words(plan, e, place->words, sizeof place->words);
	return 0;
}

int
cartel_plan_explain(const struct cartel_plan *plan, const char *id,
		    char **out, char **why)
{
	*out = NULL;
	const struct plan_entry *e = id ? find_entry(plan, id) : NULL;
	if (e == NULL)
		return cartel__why(why, CARTEL_ENOTFOUND,
				   "no person with id %.80s in the register",
				   id ? id : "");
	char words[CARTEL_PLAN_REASON_MAX];
	cartel__plan_words(plan, e, words, sizeof words);
	/* Whether the party he would go to seeks him, and what that did to
	 * his place. */
	char sought[CARTEL_PLAN_REASON_MAX] = "";
	const char *to = e->side == 0 || e->side == 1
				 ? cartel_party_name(
					   plan->pol->parties[1 - e->side])
				 : NULL;
	if (e->sought && to != NULL && e->ahead)
		snprintf(sought, sizeof sought,
			 _("%s seeks him (its sought declaration names him, "
			   "through the identity links): within his group he "
			   "goes ahead of those it does not seek"),
			 to);
	else if (e->sought && to != NULL)
		snprintf(sought, sizeof sought,
			 _("%s seeks him (its sought declaration names him, "
			   "through the identity links); this deal does not "
			   "put the sought first (sought_first: false)"),
			 to);
	*out = sought[0] ? cartel__asprintf("%s: %s. %s", e->id, words, sought)
			 : cartel__asprintf("%s: %s", e->id, words);
	return *out == NULL ? CARTEL_ENOMEM : 0;
}

static int
side_of(const struct cartel_plan *plan, const char *party)
{
	for (int s = 0; s < 2; s++)
		if (party != NULL && strcmp(plan->pol->parties[s], party) == 0)
			return s;
	return -1;
}

const char *const *
cartel_plan_gives(const struct cartel_plan *plan, const char *party,
		  size_t *n)
{
	int s = side_of(plan, party);
	*n = s >= 0 ? plan->side[s].n_list : 0;
	return s >= 0 ? plan->side[s].gives : NULL;
}

const char *
cartel_plan_party(const struct cartel_plan *plan, int i)
{
	return plan->pol->parties[i ? 1 : 0];
}

long
cartel_plan_value(const struct cartel_plan *plan, const char *party)
{
	int s = side_of(plan, party);
	return s >= 0 ? plan->side[s].value : 0;
}

int
cartel_plan_optimal(const struct cartel_plan *plan, double *gap)
{
	if (gap != NULL)
		*gap = plan->solve.optimal ? 0.0 : plan->solve.gap;
	return plan->solve.optimal;
}

const char *
cartel_plan_digest(const struct cartel_plan *plan)
{
	/* Computed on first use: the document costs as much to build as
	 * the plan itself, and a caller that only asks for places needs
	 * neither. The cache is the one thing a const plan changes. */
	if (cartel__plan_ensure_document(plan) != 0)
		return "";
	return plan->digest;
}
