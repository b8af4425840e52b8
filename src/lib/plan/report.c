/*
 * What a plan says to the world: the plan document (JSON, the contract of
 * docs/policy.md that the round module signs) and the mediator's summary.
 *
 * jansson ownership: every json_t built here is owned by the object it is
 * set into (json_object_set_new / json_array_append_new steal the
 * reference); cartel__plan_document returns the one reference to the root,
 * which the caller releases with json_decref. A failed allocation anywhere
 * makes the document NULL.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/intl.h"
#include "core/why.h"
#include "plan/plan_int.h"

static const char *const code_names[PC_N] = {
	[PC_LISTED] = "listed",
	[PC_DIRECT] = "direct_repatriation",
	[PC_WITHHELD] = "withheld",
	[PC_DECEASED] = "deceased",
	[PC_RELEASED] = "released",
	[PC_REPATRIATED] = "repatriated",
	[PC_ESCAPED] = "escaped",
	[PC_TRANSFERRED] = "transferred",
	[PC_NOT_CONFIRMED] = "not_confirmed",
	[PC_NOT_HELD] = "not_held_by_party",
	[PC_AGREED] = "on_agreed_list",
	[PC_REFUSES] = "refuses",
	[PC_NOT_IN_CATEGORIES] = "not_in_categories",
	[PC_NO_RANK] = "no_rank",
	[PC_RANK_NOT_ON_SCALE] = "rank_not_on_scale",
	[PC_OVER_CAP] = "over_cap",
	[PC_BALANCE] = "balance",
	[PC_ELIGIBLE] = "eligible",
};

const char *
cartel__plan_code_name(enum plan_code c)
{
	return c < PC_N ? code_names[c] : "";
}

const char *
cartel__plan_tier_label(const struct cartel_plan *plan, int t)
{
	if (t >= 0 && (size_t)t < plan->pol->n_priorities)
		return plan->pol->priorities[t].label;
	return "others";
}

const char *
cartel__plan_ordinal(size_t n, char *buf, size_t size)
{
	const char *suf = "th";
	if (n % 100 < 11 || n % 100 > 13) {
		if (n % 10 == 1)
			suf = "st";
		else if (n % 10 == 2)
			suf = "nd";
		else if (n % 10 == 3)
			suf = "rd";
	}
	snprintf(buf, size, "%zu%s", n, suf);
	return buf;
}

/* Builders that tolerate a NULL from a failed allocation: the first
 * failure marks the whole document failed. */
struct jb {
	int failed;
};

/* Keys are this file's literals or party codes, already valid UTF-8. */
static json_t *
put(struct jb *b, json_t *obj, const char *key, json_t *v)
{
	if (v == NULL || obj == NULL ||
	    json_object_set_new_nocheck(obj, key, v) != 0)
		b->failed = 1;
	return v;
}

static json_t *
push(struct jb *b, json_t *arr, json_t *v)
{
	if (v == NULL || arr == NULL || json_array_append_new(arr, v) != 0)
		b->failed = 1;
	return v;
}

static json_t *
jstr_or_null(const char *s)
{
	return s != NULL ? json_string(s) : json_null();
}

/* Ids and codes of the register, party codes and this file's words are
 * valid UTF-8 already (the register stores nothing else); skipping the
 * check matters at 200,000 entries. */
static json_t *
jstr_known(const char *s)
{
	return s != NULL ? json_string_nocheck(s) : json_null();
}

static json_t *
ids_of(struct jb *b, const struct cartel_plan *plan, const size_t *idx,
       size_t from, size_t to)
{
	json_t *a = json_array();
	/* Ids come from the register, which stores valid UTF-8 only. */
	for (size_t i = from; i < to; i++)
		push(b, a, json_string_nocheck(plan->e[idx[i]].id));
	if (a == NULL)
		b->failed = 1;
	return a;
}

static json_t *
person_obj(struct jb *b, const struct cartel_plan *plan,
	   const struct plan_entry *e)
{
	const struct cartel_policy *pol = plan->pol;
	json_t *o = json_object();
	put(b, o, "id", json_string_nocheck(e->id));
	put(b, o, "tier", json_integer(e->tier));
	put(b, o, "stage", json_integer(e->stage));
	put(b, o, "value", json_integer(e->value));
	if (pol->scale != NULL)
		put(b, o, "rank_class",
		    jstr_known(e->cls >= 0 ? pol->scale->classes[e->cls].name
					   : "civilian"));
	put(b, o, "civilian", json_boolean(e->category == CARTEL_CAT_CIVILIAN));
	put(b, o, "consent_not_asked", json_boolean(e->consent_not_asked));
	put(b, o, "consent_undecided", json_boolean(e->consent_undecided));
	put(b, o, "handover_ready",
	    json_boolean(!e->consent_not_asked && !e->consent_undecided));
	return o;
}

static int
hash_chunk(const char *buf, size_t size, void *data)
{
	crypto_hash_sha256_update(data, (const unsigned char *)buf, size);
	return 0;
}

json_t *
cartel__plan_document(const struct cartel_plan *plan)
{
	const struct cartel_policy *pol = plan->pol;
	struct jb b = {0};
	json_t *doc = json_object();
	char buf[64];
	put(&b, doc, "format", json_string("cartel-plan/1"));
	json_t *jp = put(&b, doc, "policy", json_object());
	put(&b, jp, "file", json_string(pol->file));
	put(&b, jp, "name", jstr_or_null(pol->title));
	put(&b, jp, "digest", json_string(pol->digest));
	put(&b, doc, "today",
	    json_string(cartel_date_format(&plan->today, buf, sizeof buf)));
	json_t *parties = put(&b, doc, "parties", json_array());
	push(&b, parties, json_string(pol->parties[0]));
	push(&b, parties, json_string(pol->parties[1]));
	int balanced = pol->mode == PLAN_MODE_BALANCED;
	put(&b, doc, "mode",
	    json_string(balanced ? "balanced" : "all_for_all"));
	snprintf(buf, sizeof buf, "%ld:%ld", pol->ratio[0], pol->ratio[1]);
	put(&b, doc, "ratio", balanced ? json_string(buf) : json_null());
	put(&b, doc, "scale",
	    pol->scale ? json_string(pol->scale->name) : json_null());
	put(&b, doc, "max_per_side",
	    pol->max_per_side ? json_integer(pol->max_per_side)
			      : json_null());
	put(&b, doc, "civilians_for_civilians",
	    json_boolean(pol->civilians_for_civilians));
	json_t *tiers = put(&b, doc, "tiers", json_array());
	for (int t = 0; t < plan->n_tiers; t++)
		push(&b, tiers, json_string(cartel__plan_tier_label(plan, t)));

	json_t *sides = put(&b, doc, "sides", json_object());
	json_t *direct = put(&b, doc, "direct_repatriation", json_object());
	json_t *cna = json_array(), *cnu = json_array();
	for (int s = 0; s < 2; s++) {
		const struct plan_side *sd = &plan->side[s];
		json_t *o = put(&b, sides, pol->parties[s], json_object());
		put(&b, o, "gives", ids_of(&b, plan, sd->list, 0, sd->n_list));
		put(&b, o, "value", json_integer(sd->value));
		put(&b, o, "count", json_integer((json_int_t)sd->n_list));
		put(&b, o, "civilians",
		    json_integer((json_int_t)sd->n_civilians));
		put(&b, o, "eligible", json_integer((json_int_t)sd->eligible));
		json_t *pl = put(&b, o, "persons", json_array());
		for (size_t i = 0; i < sd->n_list; i++) {
			const struct plan_entry *e = &plan->e[sd->list[i]];
			push(&b, pl, person_obj(&b, plan, e));
			if (e->consent_not_asked)
				push(&b, cna, jstr_known(e->id));
			if (e->consent_undecided)
				push(&b, cnu, jstr_known(e->id));
		}
		put(&b, direct, pol->parties[s],
		    ids_of(&b, plan, sd->direct, 0, sd->n_direct));
		for (size_t i = 0; i < sd->n_direct; i++) {
			const struct plan_entry *d = &plan->e[sd->direct[i]];
			if (d->consent_not_asked)
				push(&b, cna, jstr_known(d->id));
			if (d->consent_undecided)
				push(&b, cnu, jstr_known(d->id));
		}
	}
	json_t *withheld = put(&b, doc, "withheld", json_array());
	json_t *excluded = put(&b, doc, "excluded", json_array());
	size_t counts[PC_N] = {0};
	char why[CARTEL_PLAN_REASON_MAX];
	for (size_t i = 0; i < plan->n; i++) {
		const struct plan_entry *e = &plan->e[i];
		if (e->code == PC_LISTED || e->code == PC_DIRECT)
			continue;
		json_t *o = json_object();
		put(&b, o, "id", jstr_known(e->id));
		put(&b, o, "party", jstr_known(e->party));
		if (e->code == PC_WITHHELD) {
			put(&b, o, "code",
			    json_string(cartel_enum_name(
				    CARTEL_ENUM_LEGAL_HOLD, (int)e->hold)));
			cartel__plan_reason(plan, e, why, sizeof why);
			put(&b, o, "reason", json_string(why));
			put(&b, o, "told_to",
			    json_string(pol->parties[1 - e->side]));
			put(&b, o, "name", json_string(e->name));
			put(&b, o, "rank", jstr_or_null(e->rank));
			put(&b, o, "birth_date",
			    json_string(cartel_date_format(&e->birth_date,
							   buf, sizeof buf)));
			put(&b, o, "direct_repatriation",
			    json_boolean(e->direct_too));
			push(&b, withheld, o);
		} else {
			counts[e->code]++;
			put(&b, o, "code",
			    jstr_known(cartel__plan_code_name(e->code)));
			cartel__plan_reason(plan, e, why, sizeof why);
			put(&b, o, "reason", json_string(why));
			push(&b, excluded, o);
		}
	}
	json_t *xc = put(&b, doc, "excluded_counts", json_object());
	for (int c = 0; c < PC_N; c++)
		if (counts[c])
			put(&b, xc, cartel__plan_code_name((enum plan_code)c),
			    json_integer((json_int_t)counts[c]));
	json_t *flags = put(&b, doc, "flags", json_object());
	put(&b, flags, "consent_not_asked", cna);
	put(&b, flags, "consent_undecided", cnu);

	json_t *stages = put(&b, doc, "stages", json_array());
	for (int k = 0; k < pol->n_stages; k++) {
		json_t *st = push(&b, stages, json_object());
		put(&b, st, "stage", json_integer(k + 1));
		json_t *g = put(&b, st, "gives", json_object());
		json_t *v = put(&b, st, "value", json_object());
		for (int s = 0; s < 2; s++) {
			const struct plan_side *sd = &plan->side[s];
			size_t from = k ? sd->stage_end[k - 1] : 0;
			put(&b, g, pol->parties[s],
			    ids_of(&b, plan, sd->list, from,
				   sd->stage_end[k]));
			put(&b, v, pol->parties[s],
			    json_integer(sd->stage_value[k]));
		}
	}
	put(&b, doc, "optimal", json_boolean(plan->solve.optimal));
	put(&b, doc, "gap", json_real(plan->solve.optimal ? 0.0
							  : plan->solve.gap));
	json_t *sv = put(&b, doc, "solver", json_object());
	put(&b, sv, "status", json_string(plan->solve.status));
	json_t *steps = put(&b, sv, "steps", json_array());
	for (size_t i = 0; i < plan->solve.n_steps; i++) {
		const struct plan_solve_step *st = &plan->solve.steps[i];
		json_t *o = push(&b, steps, json_object());
		put(&b, o, "tier", json_integer(st->tier));
		put(&b, o, "taken", json_integer(st->objective));
		put(&b, o, "bound", json_real(st->bound));
		put(&b, o, "proven", json_boolean(st->proven));
	}
	if (b.failed) {
		json_decref(doc);
		return NULL;
	}
	return doc;
}

/*
 * The document is built once, on first need, and kept: its digest is the
 * SHA-256 of its compact form (keys in insertion order) without the digest
 * field, streamed into the hash; then the field is added. Building the
 * document for 200,000 persons costs several times the planning, so a
 * caller that asks only for places never pays for it. The cache is the one
 * thing a const plan changes (not thread-safe on one plan).
 */
int
cartel__plan_ensure_document(const struct cartel_plan *plan)
{
	struct cartel_plan *mut = (struct cartel_plan *)plan;
	if (mut->doc != NULL)
		return 0;
	json_t *doc = cartel__plan_document(plan);
	if (doc == NULL)
		return CARTEL_ENOMEM;
	crypto_hash_sha256_state hs;
	crypto_hash_sha256_init(&hs);
	if (json_dump_callback(doc, hash_chunk, &hs, JSON_COMPACT) != 0) {
		json_decref(doc);
		return CARTEL_ENOMEM;
	}
	unsigned char hash[crypto_hash_sha256_BYTES];
	crypto_hash_sha256_final(&hs, hash);
	sodium_bin2hex(mut->digest, sizeof mut->digest, hash, sizeof hash);
	if (json_object_set_new_nocheck(doc, "digest",
					json_string(mut->digest)) != 0) {
		json_decref(doc);
		mut->digest[0] = '\0';
		return CARTEL_ENOMEM;
	}
	mut->doc = doc;
	return 0;
}

int
cartel_plan_json(const struct cartel_plan *plan, int pretty, char **out,
		 char **why)
{
	*out = NULL;
	if (cartel__plan_ensure_document(plan) != 0)
		return cartel__why(why, CARTEL_ENOMEM,
				   "out of memory building the plan document");
	json_t *doc = plan->doc;
	/* Keys stay in the order they were set (jansson keeps insertion
	 * order), which is the order docs/policy.md describes. */
	*out = json_dumps(doc, pretty ? JSON_INDENT(2) : JSON_COMPACT);
	return *out == NULL ? CARTEL_ENOMEM : 0;
}

int
cartel_plan_write_json(const struct cartel_plan *plan, FILE *out, int pretty,
		       char **why)
{
	if (cartel__plan_ensure_document(plan) != 0)
		return cartel__why(why, CARTEL_ENOMEM,
				   "out of memory building the plan document");
	if (json_dumpf(plan->doc, out, pretty ? JSON_INDENT(2) : JSON_COMPACT) !=
		    0 ||
	    fputc('\n', out) == EOF || fflush(out) != 0 || ferror(out))
		return cartel__why(why, CARTEL_EIO,
				   "the plan document could not be written");
	return 0;
}

/* A growing text buffer for the summary. */
struct tb {
	char *s;
	size_t len, cap;
	int failed;
};

static void
tb_add(struct tb *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
tb_add(struct tb *t, const char *fmt, ...)
{
	if (t->failed)
		return;
	for (;;) {
		va_list ap;
		va_start(ap, fmt);
		int w = vsnprintf(t->s ? t->s + t->len : NULL,
				  t->s ? t->cap - t->len : 0, fmt, ap);
		va_end(ap);
		if (w < 0) {
			t->failed = 1;
			return;
		}
		if (t->s != NULL && (size_t)w < t->cap - t->len) {
			t->len += (size_t)w;
			return;
		}
		size_t ncap = (t->cap ? t->cap * 2 : 1024) + (size_t)w;
		char *ns = realloc(t->s, ncap);
		if (ns == NULL) {
			t->failed = 1;
			return;
		}
		t->s = ns;
		t->cap = ncap;
	}
}

/* One row of the summary's table: label padded to 34 characters (not
 * bytes: a Cyrillic letter is two bytes of UTF-8 and one column), then the
 * two sides' figures. */
static void
tb_row(struct tb *t, const char *label, long a, long b)
{
	int n = 0;
	for (const char *p = label; *p != '\0'; p++)
		n += ((unsigned char)*p & 0xC0) != 0x80;
	tb_add(t, "%s%*s %10ld %10ld\n", label, n < 34 ? 34 - n : 0, "", a,
	       b);
}

int
cartel_plan_summary(const struct cartel_plan *plan, char **out, char **why)
{
	const struct cartel_policy *pol = plan->pol;
	const char *A = pol->parties[0], *B = pol->parties[1];
	const struct plan_side *a = &plan->side[0], *b = &plan->side[1];
	struct tb t = {0};
	char buf[32];
	*out = NULL;
	tb_add(&t, _("Proposed round under policy %s%s%s%s (sha256 %.16s...)\n"),
	       pol->file, pol->title ? " ('" : "",
	       pol->title ? pol->title : "", pol->title ? "')" : "",
	       pol->digest);
	tb_add(&t, _("Date %s. "),
	       cartel_date_format(&plan->today, buf, sizeof buf));
	if (pol->mode == PLAN_MODE_ALL_FOR_ALL) {
		tb_add(&t, "%s",
		       _("All for all: everyone eligible, no balance.\n"));
	} else {
		tb_add(&t, _("Balanced %ld:%ld"), pol->ratio[0], pol->ratio[1]);
		if (pol->scale)
			tb_add(&t, _(" by scale '%s'"), pol->scale->name);
		else
			tb_add(&t, "%s", _(" by headcount"));
		if (pol->max_per_side)
			tb_add(&t, _(", at most %ld per side"),
			       pol->max_per_side);
		if (pol->civilians_for_civilians)
			tb_add(&t, "%s", _(", civilians for civilians"));
		tb_add(&t, ".\n");
	}
	tb_add(&t, "\n%-34s %10s %10s\n", "", A, B);
	tb_row(&t, _("gives (persons)"), (long)a->n_list, (long)b->n_list);
	size_t wh[2] = {0, 0}, cna[2] = {0, 0}, cnd[2] = {0, 0};
	size_t cua[2] = {0, 0}, cud[2] = {0, 0};
	size_t counts[PC_N] = {0};
	for (size_t i = 0; i < plan->n; i++) {
		const struct plan_entry *e = &plan->e[i];
		if (e->code == PC_WITHHELD)
			wh[e->side]++;
		if (e->code == PC_LISTED && e->consent_not_asked)
			cna[e->side]++;
		if (e->code == PC_DIRECT && e->consent_not_asked)
			cnd[e->side]++;
		if (e->code == PC_LISTED && e->consent_undecided)
			cua[e->side]++;
		if (e->code == PC_DIRECT && e->consent_undecided)
			cud[e->side]++;
		counts[e->code]++;
	}
	tb_row(&t, _("  of whom civilians"), (long)a->n_civilians,
	       (long)b->n_civilians);
	tb_row(&t, _("  of whom consent not yet asked"), (long)cna[0],
	       (long)cna[1]);
	tb_row(&t, _("  of whom asked, no answer yet"), (long)cua[0],
	       (long)cua[1]);
	tb_row(&t, pol->scale ? _("value on the scale") : _("value (headcount)"),
	       a->value, b->value);
	tb_row(&t, _("eligible under the deal"), (long)a->eligible,
	       (long)b->eligible);
	tb_row(&t, _("direct repatriation (Art. 110)"), (long)a->n_direct,
	       (long)b->n_direct);
	tb_row(&t, _("  of whom consent not yet asked"), (long)cnd[0],
	       (long)cnd[1]);
	tb_row(&t, _("  of whom asked, no answer yet"), (long)cud[0],
	       (long)cud[1]);
	tb_row(&t, _("withheld (Arts. 115, 119)"), (long)wh[0], (long)wh[1]);
	if (pol->n_stages > 1 || a->n_list + b->n_list > 0) {
		tb_add(&t, _("\nStages (%s / %s):"), A, B);
		for (int k = 0; k < pol->n_stages; k++) {
			size_t fa = k ? a->stage_end[k - 1] : 0;
			size_t fb = k ? b->stage_end[k - 1] : 0;
			tb_add(&t, "  %d: %zu/%zu", k + 1,
			       a->stage_end[k] - fa, b->stage_end[k] - fb);
		}
		tb_add(&t, "\n");
	}
	tb_add(&t, "%s", _("\nNot in this round, by reason:\n"));
	int any = 0;
	for (int c = PC_DECEASED; c < PC_ELIGIBLE; c++) {
		if (!counts[c])
			continue;
		any = 1;
		tb_add(&t, "  %-24s %zu\n",
		       cartel__plan_code_name((enum plan_code)c), counts[c]);
	}
	if (counts[PC_WITHHELD]) {
		any = 1;
		tb_add(&t, _("  %-24s %zu (names listed for the other party)\n"),
		       "withheld", counts[PC_WITHHELD]);
	}
	if (!any)
		tb_add(&t, "%s", _("  nobody\n"));
	if (plan->solve.optimal)
		tb_add(&t, _("\nBalance: proven optimal (%s).\n"),
		       plan->solve.status);
	else if (plan->solve.unmet)
		tb_add(&t,
		       pol->scale ? _("\nBalance: NOT met. The solver found no "
				      "list that meets the ratio %ld:%ld on "
				      "the scale exactly, so no one is "
				      "proposed (with these persons the ratio "
				      "may only be met by giving no one).\n")
				  : _("\nBalance: NOT met. The solver found no "
				      "list that meets the ratio %ld:%ld "
				      "exactly, so no one is proposed (with "
				      "these persons the ratio may only be met "
				      "by giving no one).\n"),
		       pol->ratio[0], pol->ratio[1]);
	else
		tb_add(&t, _("\nBalance: NOT proven optimal (%s); gap %.2f%%.\n"),
		       plan->solve.status, plan->solve.gap * 100.0);
	tb_add(&t, _("Plan digest: sha256 %s\n"), plan->digest);
	tb_add(&t, "%s",
	       _("Persons whose consent was never asked, or who were asked "
		 "and have not answered, may be proposed but are not "
		 "handed over until a recorded 'willing'.\n"));
	if (t.failed) {
		free(t.s);
		return cartel__why(why, CARTEL_ENOMEM,
				   "out of memory writing the summary");
	}
	*out = t.s;
	return 0;
}
