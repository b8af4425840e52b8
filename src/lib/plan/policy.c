/*
 * Policy files: the negotiated deal of an exchange round, in YAML, read
 * with libyaml's document API into a struct cartel_policy.
 *
 * The reader is strict on purpose. A mediator's typo ("max_per_sdie") that
 * was silently ignored would change who goes home, so every unknown key,
 * every value of the wrong type and every contradiction is an error that
 * names the file, the line and the key (docs/policy.md lists the keys).
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>
#include <yaml.h>

#include <cartel/limits.h>
#include <cartel/register.h>
#include <cartel/store.h>

#include "core/intl.h"
#include "core/why.h"
#include "plan/plan_int.h"

/* A policy is a page of text; more is a mistake (or an attack). */
#define POLICY_MAX_BYTES CARTEL_LIMIT_POLICY_DOC

struct pctx {
	const char *file;
	yaml_document_t *doc;
	char **why;
};

static unsigned long
line_of(const yaml_node_t *n)
{
	return n != NULL ? (unsigned long)n->start_mark.line + 1 : 1;
}

static int
perr(struct pctx *c, const yaml_node_t *n, const char *key, const char *fmt,
     ...) __attribute__((format(printf, 4, 5)));

static int
perr(struct pctx *c, const yaml_node_t *n, const char *key, const char *fmt,
     ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, _(fmt), ap);
	va_end(ap);
	return cartel__why(c->why, CARTEL_EINVAL, "%s line %lu, key '%s': %s",
			   c->file, line_of(n), key, msg);
}

static const char *
node_kind(const yaml_node_t *n)
{
	switch (n->type) {
	case YAML_SCALAR_NODE:
		return _("a single value");
	case YAML_SEQUENCE_NODE:
		return _("a list");
	case YAML_MAPPING_NODE:
		return _("a mapping");
	default:
		return _("empty");
	}
}

static const char *
sval(const yaml_node_t *n)
{
	return (const char *)n->data.scalar.value;
}

static int
is_plain(const yaml_node_t *n)
{
	return n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
}

static int
want_scalar(struct pctx *c, const yaml_node_t *n, const char *key)
{
	if (n->type != YAML_SCALAR_NODE)
		return perr(c, n, key, "expected a single value, found %s",
			    node_kind(n));
	return 0;
}

static int
want_text(struct pctx *c, const yaml_node_t *n, const char *key,
	  const char **out)
{
	int rc = want_scalar(c, n, key);
	if (rc != 0)
		return rc;
	if (sval(n)[0] == '\0')
		return perr(c, n, key, "is empty");
	*out = sval(n);
	return 0;
}

/* A plain whole number within [lo, hi]. */
static int
want_long(struct pctx *c, const yaml_node_t *n, const char *key, long lo,
	  long hi, const char *what, long *out)
{
	int rc = want_scalar(c, n, key);
	if (rc != 0)
		return rc;
	const char *s = sval(n);
	if (!is_plain(n))
		return perr(c, n, key, "expected a number, found the quoted "
				       "text \"%.40s\"", s);
	char *end = NULL;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (s[0] == '\0' || *end != '\0' || errno == ERANGE)
		return perr(c, n, key, "\"%.40s\" is not a whole number", s);
	if (v < lo || v > hi)
		return perr(c, n, key, "%ld is not %s", v, _(what));
	*out = v;
	return 0;
}

static int
want_bool(struct pctx *c, const yaml_node_t *n, const char *key, int *out)
{
	int rc = want_scalar(c, n, key);
	if (rc != 0)
		return rc;
	const char *s = sval(n);
	static const char *const yes[] = {"true", "yes", "on"};
	static const char *const no[] = {"false", "no", "off"};
	if (is_plain(n)) {
		for (size_t i = 0; i < 3; i++) {
			if (strcasecmp(s, yes[i]) == 0) {
				*out = 1;
				return 0;
			}
			if (strcasecmp(s, no[i]) == 0) {
				*out = 0;
				return 0;
			}
		}
	}
	return perr(c, n, key, "expected true or false, found \"%.40s\"", s);
}

/* Walks a mapping's pairs; rejects a key given twice. */
struct pair_iter {
	yaml_node_pair_t *p, *end;
};

static int
map_begin(struct pctx *c, const yaml_node_t *n, const char *key,
	  struct pair_iter *it)
{
	if (n->type != YAML_MAPPING_NODE)
		return perr(c, n, key, "expected a mapping of keys to values, "
				       "found %s", node_kind(n));
	it->p = n->data.mapping.pairs.start;
	it->end = n->data.mapping.pairs.top;
	for (yaml_node_pair_t *a = it->p; a < it->end; a++) {
		yaml_node_t *ka = yaml_document_get_node(c->doc, a->key);
		if (ka == NULL || ka->type != YAML_SCALAR_NODE)
			return perr(c, ka, key, "a key must be a plain word");
		for (yaml_node_pair_t *b = it->p; b < a; b++) {
			yaml_node_t *kb = yaml_document_get_node(c->doc,
								 b->key);
			if (strcmp(sval(ka), sval(kb)) == 0)
				return perr(c, ka, sval(ka),
					    "given twice (first on line %lu)",
					    line_of(kb));
		}
	}
	return 0;
}

static int
map_next(struct pctx *c, struct pair_iter *it, yaml_node_t **k,
	 yaml_node_t **v)
{
	if (it->p >= it->end)
		return 0;
	*k = yaml_document_get_node(c->doc, it->p->key);
	*v = yaml_document_get_node(c->doc, it->p->value);
	it->p++;
	return 1;
}

/* A single value or a list of values, each one of an enum's text forms,
 * into a bit mask. */
static int
want_enum_mask(struct pctx *c, yaml_node_t *n, const char *key,
	       enum cartel_enum_kind kind, unsigned *mask)
{
	yaml_node_item_t *it = NULL, *end = NULL;
	yaml_node_item_t one = 0;
	if (n->type == YAML_SEQUENCE_NODE) {
		it = n->data.sequence.items.start;
		end = n->data.sequence.items.top;
		if (it == end)
			return perr(c, n, key, "the list is empty");
	} else if (n->type == YAML_SCALAR_NODE) {
		one = (yaml_node_item_t)(n - c->doc->nodes.start) + 1;
		it = &one;
		end = it + 1;
	} else {
		return perr(c, n, key, "expected a value or a list, found %s",
			    node_kind(n));
	}
	for (; it < end; it++) {
		yaml_node_t *e = yaml_document_get_node(c->doc, *it);
		int rc = want_scalar(c, e, key);
		if (rc != 0)
			return rc;
		int v = 0;
		char *w = NULL;
		if (cartel_enum_parse(kind, sval(e), &v, &w) != 0) {
			rc = perr(c, e, key, "%s", w != NULL ? w : "unknown");
			free(w);
			return rc;
		}
		if (*mask & (1u << v))
			return perr(c, e, key, "'%s' is listed twice", sval(e));
		*mask |= 1u << v;
	}
	return 0;
}

static void
filter_init(struct plan_filter *f, int line)
{
	memset(f, 0, sizeof *f);
	f->age_under = f->age_over = f->age_from = f->age_to = -1;
	f->held_days_over = -1;
	f->line = line;
}

static int
add_label(struct plan_filter *f, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Builds the label words from the conditions, "; "-joined. */
static int
add_label(struct plan_filter *f, const char *fmt, ...)
{
	char part[160];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(part, sizeof part, fmt, ap);
	va_end(ap);
	char *n = f->label == NULL
			  ? cartel__strdup(part)
			  : cartel__asprintf("%s, %s", f->label, part);
	if (n == NULL)
		return CARTEL_ENOMEM;
	free(f->label);
	f->label = n;
	return 0;
}

static int
mask_label(struct plan_filter *f, enum cartel_enum_kind kind, unsigned mask,
	   const char *what)
{
	char buf[200] = "";
	size_t used = 0;
	for (int v = 0; v < 32; v++) {
		if (!(mask & (1u << v)))
			continue;
		int w = snprintf(buf + used, sizeof buf - used, "%s%s",
				 used ? " or " : "", cartel_enum_name(kind, v));
		if (w < 0 || (size_t)w >= sizeof buf - used)
			break;
		used += (size_t)w;
	}
	return what[0] ? add_label(f, "%s %s", what, buf)
		       : add_label(f, "%s", buf);
}

/* A priority item or a category: `longest_held` alone, or a mapping of
 * conditions that must all hold. */
static int
parse_filter(struct pctx *c, yaml_node_t *n, const char *key,
	     int allow_catch_all, struct plan_filter *f)
{
	filter_init(f, (int)line_of(n));
	if (n->type == YAML_SCALAR_NODE) {
		if (allow_catch_all && strcmp(sval(n), "longest_held") == 0) {
			f->catch_all = 1;
			f->label = cartel__strdup("longest held");
			return f->label == NULL ? CARTEL_ENOMEM : 0;
		}
		if (allow_catch_all)
			return perr(c, n, key,
				    "'%.40s' is not a condition (expected "
				    "'longest_held' or a mapping such as "
				    "'age_under: 25' or 'category: civilian')",
				    sval(n));
		return perr(c, n, key,
			    "'%.40s' is not a condition (expected a mapping "
			    "such as 'age_under: 25' or 'category: civilian')",
			    sval(n));
	}
	struct pair_iter it;
	int rc = map_begin(c, n, key, &it);
	if (rc != 0)
		return rc;
	yaml_node_t *k, *v;
	const char *label = NULL;
	int n_cond = 0;
	while (map_next(c, &it, &k, &v)) {
		const char *kk = sval(k);
		char path[96];
		snprintf(path, sizeof path, "%s.%s", key, kk);
		long num = 0;
		if (strcmp(kk, "label") == 0) {
			if ((rc = want_text(c, v, path, &label)) != 0)
				return rc;
			continue;
		}
		n_cond++;
		if (strcmp(kk, "age_under") == 0 ||
		    strcmp(kk, "age_over") == 0 ||
		    strcmp(kk, "age_from") == 0 || strcmp(kk, "age_to") == 0) {
			rc = want_long(c, v, path, 0, 150,
				       N_("an age between 0 and 150"), &num);
			if (rc != 0)
				return rc;
			if (kk[4] == 'u')
				f->age_under = (int)num;
			else if (kk[5] == 'v')
				f->age_over = (int)num;
			else if (kk[5] == 'r')
				f->age_from = (int)num;
			else
				f->age_to = (int)num;
		} else if (strcmp(kk, "held_days_over") == 0) {
			rc = want_long(c, v, path, 0, 100000,
				       N_("a number of days (0 or more)"), &num);
			f->held_days_over = num;
		} else if (strcmp(kk, "category") == 0) {
			rc = want_enum_mask(c, v, path, CARTEL_ENUM_CATEGORY,
					    &f->cat_mask);
		} else if (strcmp(kk, "health") == 0) {
			rc = want_enum_mask(c, v, path, CARTEL_ENUM_HEALTH,
					    &f->health_mask);
		} else if (strcmp(kk, "sex") == 0) {
			rc = want_enum_mask(c, v, path, CARTEL_ENUM_SEX,
					    &f->sex_mask);
		} else if (strcmp(kk, "longest_held") == 0) {
			return perr(c, k, path,
				    "'longest_held' stands alone as a list "
				    "item, not inside a condition");
		} else {
			return perr(c, k, path,
				    "unknown condition (known: age_under, "
				    "age_over, age_from, age_to, "
				    "held_days_over, category, health, sex, "
				    "label)");
		}
		if (rc != 0)
			return rc;
	}
	if (n_cond == 0)
		return perr(c, n, key, "has no condition");
	/* The age range must hold somebody. */
	int lo = 0, hi = 150;
	if (f->age_from >= 0 && f->age_from > lo)
		lo = f->age_from;
	if (f->age_over >= 0 && f->age_over + 1 > lo)
		lo = f->age_over + 1;
	if (f->age_to >= 0 && f->age_to < hi)
		hi = f->age_to;
	if (f->age_under >= 0 && f->age_under - 1 < hi)
		hi = f->age_under - 1;
	if (lo > hi)
		return perr(c, n, key,
			    "the age conditions contradict each other: no age "
			    "meets them all");
	/* The label: the policy's, or words made from the conditions. */
	if (label != NULL) {
		f->label = cartel__strdup(label);
		return f->label == NULL ? CARTEL_ENOMEM : 0;
	}
	if (f->cat_mask)
		rc = mask_label(f, CARTEL_ENUM_CATEGORY, f->cat_mask, "");
	if (rc == 0 && f->health_mask)
		rc = mask_label(f, CARTEL_ENUM_HEALTH, f->health_mask, "");
	if (rc == 0 && f->sex_mask)
		rc = mask_label(f, CARTEL_ENUM_SEX, f->sex_mask, "");
	if (rc == 0 && f->age_under >= 0)
		rc = add_label(f, "under %d", f->age_under);
	if (rc == 0 && f->age_over >= 0)
		rc = add_label(f, "over %d", f->age_over);
	if (rc == 0 && f->age_from >= 0 && f->age_to >= 0)
		rc = add_label(f, "aged %d-%d", f->age_from, f->age_to);
	else if (rc == 0 && f->age_from >= 0)
		rc = add_label(f, "aged %d or more", f->age_from);
	else if (rc == 0 && f->age_to >= 0)
		rc = add_label(f, "aged %d or less", f->age_to);
	if (rc == 0 && f->held_days_over >= 0)
		rc = add_label(f, "held over %ld days", f->held_days_over);
	return rc;
}

static int
parse_filters(struct pctx *c, yaml_node_t *n, const char *key,
	      int allow_catch_all, struct plan_filter **out, size_t *n_out)
{
	if (n->type != YAML_SEQUENCE_NODE)
		return perr(c, n, key, "expected a list, found %s",
			    node_kind(n));
	size_t cnt = (size_t)(n->data.sequence.items.top -
			      n->data.sequence.items.start);
	if (cnt == 0)
		return perr(c, n, key, "the list is empty");
	*out = calloc(cnt, sizeof **out);
	if (*out == NULL)
		return CARTEL_ENOMEM;
	for (size_t i = 0; i < cnt; i++) {
		yaml_node_t *e = yaml_document_get_node(
			c->doc, n->data.sequence.items.start[i]);
		char path[64];
		snprintf(path, sizeof path, "%s[%zu]", key, i + 1);
		int rc = parse_filter(c, e, path, allow_catch_all,
				      &(*out)[i]);
		(*n_out)++;
		if (rc != 0)
			return rc;
		if (i > 0 && (*out)[i - 1].catch_all)
			return perr(c, e, path,
				    "comes after 'longest_held', which "
				    "already takes everybody: 'longest_held' "
				    "must be the last priority");
	}
	return 0;
}

static int
parse_parties(struct pctx *c, yaml_node_t *n, struct cartel_policy *pol)
{
	if (n->type != YAML_SEQUENCE_NODE)
		return perr(c, n, "parties",
			    "expected a list of two party codes such as "
			    "[UA, RU], found %s", node_kind(n));
	size_t cnt = (size_t)(n->data.sequence.items.top -
			      n->data.sequence.items.start);
	if (cnt != 2)
		return perr(c, n, "parties",
			    "a round has two parties, %zu are listed", cnt);
	for (size_t i = 0; i < 2; i++) {
		yaml_node_t *e = yaml_document_get_node(
			c->doc, n->data.sequence.items.start[i]);
		const char *s = NULL;
		int rc = want_text(c, e, "parties", &s);
		if (rc != 0)
			return rc;
		/* The rule held_by is held to, so that a policy's party
		 * is one a person can be held by. */
		if (cartel_party_check(s, NULL) != 0)
			return perr(c, e, "parties",
				    "'%.40s' is not a party code (2 to 8 "
				    "capital letters A-Z or digits)", s);
		if (i == 1 && strcmp(s, pol->parties[0]) == 0)
			return perr(c, e, "parties",
				    "party '%s' is listed twice", s);
		pol->parties[i] = cartel__strdup(s);
		if (pol->parties[i] == NULL)
			return CARTEL_ENOMEM;
	}
	return 0;
}

static long
gcd(long a, long b)
{
	while (b != 0) {
		long t = a % b;
		a = b;
		b = t;
	}
	return a;
}

static int
parse_ratio(struct pctx *c, yaml_node_t *n, struct cartel_policy *pol)
{
	const char *s = NULL;
	int rc = want_text(c, n, "ratio", &s);
	if (rc != 0)
		return rc;
	char *end = NULL;
	errno = 0;
	long a = strtol(s, &end, 10);
	long b = 0;
	if (end != s && *end == ':') {
		const char *s2 = end + 1;
		b = strtol(s2, &end, 10);
		if (end == s2)
			b = 0;
	}
	if (errno != 0 || *end != '\0' || a <= 0 || b <= 0 || a > 1000000 ||
	    b > 1000000)
		return perr(c, n, "ratio",
			    "\"%.40s\" is not a ratio of two positive whole "
			    "numbers such as \"1:1\" or \"1:2\"", s);
	long g = gcd(a, b);
	pol->ratio[0] = a / g;
	pol->ratio[1] = b / g;
	return 0;
}

static int
parse_withhold(struct pctx *c, yaml_node_t *n, struct cartel_policy *pol)
{
	if (n->type != YAML_SEQUENCE_NODE)
		return perr(c, n, "withhold",
			    "expected a list such as [proceedings, "
			    "convicted], found %s", node_kind(n));
	for (yaml_node_item_t *it = n->data.sequence.items.start;
	     it < n->data.sequence.items.top; it++) {
		yaml_node_t *e = yaml_document_get_node(c->doc, *it);
		int rc = want_scalar(c, e, "withhold");
		if (rc != 0)
			return rc;
		int v = 0;
		if (cartel_enum_parse(CARTEL_ENUM_LEGAL_HOLD, sval(e), &v,
				      NULL) != 0 ||
		    v == CARTEL_HOLD_NONE)
			return perr(c, e, "withhold",
				    "'%.40s' is not a legal hold: Arts. 115 "
				    "and 119 let a party hold back only those "
				    "under criminal proceedings "
				    "('proceedings') or convicted "
				    "('convicted'); a disciplinary punishment "
				    "is no reason", sval(e));
		if (pol->withhold_mask & (1u << v))
			return perr(c, e, "withhold", "'%s' is listed twice",
				    sval(e));
		pol->withhold_mask |= 1u << v;
	}
	return 0;
}

static int
parse_stages(struct pctx *c, yaml_node_t *n, struct cartel_policy *pol)
{
	if (n->type == YAML_SCALAR_NODE) {
		long v = 0;
		int rc = want_long(c, n, "stages", 1, 1000,
				   N_("a number of stages from 1 to 1000"), &v);
		pol->n_stages = (int)v;
		return rc;
	}
	if (n->type != YAML_SEQUENCE_NODE)
		return perr(c, n, "stages",
			    "expected a number of stages or a list of stage "
			    "sizes, found %s", node_kind(n));
	size_t cnt = (size_t)(n->data.sequence.items.top -
			      n->data.sequence.items.start);
	if (cnt == 0 || cnt > 1000)
		return perr(c, n, "stages",
			    "a list of stage sizes needs 1 to 1000 sizes, "
			    "found %zu", cnt);
	pol->stage_sizes = calloc(cnt, sizeof *pol->stage_sizes);
	if (pol->stage_sizes == NULL)
		return CARTEL_ENOMEM;
	pol->n_stages = (int)cnt;
	for (size_t i = 0; i < cnt; i++) {
		yaml_node_t *e = yaml_document_get_node(
			c->doc, n->data.sequence.items.start[i]);
		char path[32];
		snprintf(path, sizeof path, "stages[%zu]", i + 1);
		int rc = want_long(c, e, path, 1, 10000000,
				   N_("a stage size of 1 or more"),
				   &pol->stage_sizes[i]);
		if (rc != 0)
			return rc;
	}
	return 0;
}

static int
class_index(const struct plan_scale *s, const char *name)
{
	for (size_t i = 0; i < s->n_classes; i++)
		if (strcmp(s->classes[i].name, name) == 0)
			return (int)i;
	return -1;
}

static int
parse_scale(struct pctx *c, yaml_node_t *n, struct cartel_policy *pol)
{
	if (n->type == YAML_SCALAR_NODE) {
		const char *known = NULL;
		pol->scale = cartel__plan_scale_builtin(sval(n), &known);
		if (pol->scale == NULL)
			return perr(c, n, "scale",
				    "'%.40s' is not a known scale (known: %s; "
				    "or give the table inline)", sval(n),
				    known);
		return 0;
	}
	struct pair_iter it;
	int rc = map_begin(c, n, "scale", &it);
	if (rc != 0)
		return rc;
	struct plan_scale *s = calloc(1, sizeof *s);
	if (s == NULL)
		return CARTEL_ENOMEM;
	pol->scale = s;
	yaml_node_t *k, *v, *values = NULL, *ranks = NULL;
	while (map_next(c, &it, &k, &v)) {
		const char *kk = sval(k);
		if (strcmp(kk, "name") == 0) {
			const char *t = NULL;
			if ((rc = want_text(c, v, "scale.name", &t)) != 0)
				return rc;
			s->name = cartel__strdup(t);
			if (s->name == NULL)
				return CARTEL_ENOMEM;
		} else if (strcmp(kk, "values") == 0) {
			values = v;
		} else if (strcmp(kk, "ranks") == 0) {
			ranks = v;
		} else {
			return perr(c, k, kk,
				    "unknown key of an inline scale (known: "
				    "name, values, ranks)");
		}
	}
	if (s->name == NULL && (s->name = cartel__strdup("inline")) == NULL)
		return CARTEL_ENOMEM;
	if (values == NULL)
		return perr(c, n, "scale.values",
			    "an inline scale needs 'values', a mapping of "
			    "rank classes to their worth");
	if ((rc = map_begin(c, values, "scale.values", &it)) != 0)
		return rc;
	size_t cnt = (size_t)(values->data.mapping.pairs.top -
			      values->data.mapping.pairs.start);
	if (cnt == 0)
		return perr(c, values, "scale.values", "the table is empty");
	s->classes = calloc(cnt, sizeof *s->classes);
	if (s->classes == NULL)
		return CARTEL_ENOMEM;
	while (map_next(c, &it, &k, &v)) {
		char path[96];
		snprintf(path, sizeof path, "scale.values.%.60s", sval(k));
		long val = 0;
		rc = want_long(c, v, path, 1, 1000000,
			       N_("a worth of 1 or more"), &val);
		if (rc != 0)
			return rc;
		char *name = cartel__plan_rank_fold(sval(k));
		if (name == NULL)
			return CARTEL_ENOMEM;
		s->classes[s->n_classes].name = name;
		s->classes[s->n_classes++].value = val;
		if (class_index(s, name) != (int)s->n_classes - 1)
			return perr(c, k, path,
				    "the class is given twice (its spellings "
				    "differ only in case or spaces)");
	}
	if (ranks != NULL) {
		if ((rc = map_begin(c, ranks, "scale.ranks", &it)) != 0)
			return rc;
		cnt = (size_t)(ranks->data.mapping.pairs.top -
			       ranks->data.mapping.pairs.start);
		s->ranks = calloc(cnt + 1, sizeof *s->ranks);
		if (s->ranks == NULL)
			return CARTEL_ENOMEM;
		while (map_next(c, &it, &k, &v)) {
			char path[96];
			snprintf(path, sizeof path, "scale.ranks.%.60s",
				 sval(k));
			if ((rc = want_scalar(c, v, path)) != 0)
				return rc;
			char *cls = cartel__plan_rank_fold(sval(v));
			if (cls == NULL)
				return CARTEL_ENOMEM;
			int ci = class_index(s, cls);
			free(cls);
			if (ci < 0)
				return perr(c, v, path,
					    "'%.40s' is not a class of "
					    "scale.values", sval(v));
			char *text = cartel__plan_rank_fold(sval(k));
			if (text == NULL)
				return CARTEL_ENOMEM;
			s->ranks[s->n_ranks].text = text;
			s->ranks[s->n_ranks++].cls = ci;
		}
		long dup = cartel__plan_scale_sort(s);
		if (dup >= 0)
			return perr(c, ranks, "scale.ranks",
				    "the rank '%.60s' is given twice "
				    "(spellings that differ only in case or "
				    "spaces are the same rank)",
				    s->ranks[dup].text);
	}
	return 0;
}

static int
parse_root(struct pctx *c, yaml_node_t *root, struct cartel_policy *pol)
{
	struct pair_iter it;
	int rc = map_begin(c, root, "(top)", &it);
	if (rc != 0)
		return rc;
	yaml_node_t *k, *v;
	yaml_node_t *at_mode = NULL, *at_ratio = NULL, *at_scale = NULL,
		    *at_cap = NULL, *at_tol = NULL, *at_unranked = NULL,
		    *at_stages = NULL, *at_c4c = NULL, *at_parties = NULL;
	const char *unranked = NULL;
	pol->mode = PLAN_MODE_BALANCED;
	pol->ratio[0] = pol->ratio[1] = 1;
	pol->unranked = -1;
	pol->n_stages = 1;
	/* The persons the receiving party seeks go first within their
	 * priority unless the deal says otherwise. */
	pol->sought_first = 1;
	while (map_next(c, &it, &k, &v)) {
		const char *kk = sval(k);
		if (strcmp(kk, "name") == 0) {
			const char *t = NULL;
			if ((rc = want_text(c, v, kk, &t)) != 0)
				return rc;
			if ((pol->title = cartel__strdup(t)) == NULL)
				return CARTEL_ENOMEM;
		} else if (strcmp(kk, "description") == 0) {
			rc = want_scalar(c, v, kk);
		} else if (strcmp(kk, "parties") == 0) {
			at_parties = v;
			rc = parse_parties(c, v, pol);
		} else if (strcmp(kk, "mode") == 0) {
			at_mode = v;
			if ((rc = want_scalar(c, v, kk)) != 0)
				return rc;
			if (strcmp(sval(v), "balanced") == 0)
				pol->mode = PLAN_MODE_BALANCED;
			else if (strcmp(sval(v), "all_for_all") == 0)
				pol->mode = PLAN_MODE_ALL_FOR_ALL;
			else
				return perr(c, v, kk,
					    "'%.40s' is not a mode (known: "
					    "balanced, all_for_all)", sval(v));
		} else if (strcmp(kk, "ratio") == 0) {
			at_ratio = v;
			rc = parse_ratio(c, v, pol);
		} else if (strcmp(kk, "scale") == 0) {
			at_scale = v;
			rc = parse_scale(c, v, pol);
		} else if (strcmp(kk, "tolerance") == 0) {
			at_tol = v;
			rc = want_long(c, v, kk, 0, 1000000,
				       N_("a scale value of 0 or more"),
				       &pol->tolerance);
		} else if (strcmp(kk, "unranked") == 0) {
			at_unranked = v;
			rc = want_text(c, v, kk, &unranked);
		} else if (strcmp(kk, "max_per_side") == 0) {
			at_cap = v;
			rc = want_long(c, v, kk, 1, 100000000,
				       N_("a positive whole number (the most "
					  "persons one side gives)"),
				       &pol->max_per_side);
		} else if (strcmp(kk, "priorities") == 0) {
			rc = parse_filters(c, v, kk, 1, &pol->priorities,
					   &pol->n_priorities);
		} else if (strcmp(kk, "categories") == 0) {
			rc = parse_filters(c, v, kk, 0, &pol->categories,
					   &pol->n_categories);
		} else if (strcmp(kk, "withhold") == 0) {
			rc = parse_withhold(c, v, pol);
		} else if (strcmp(kk, "civilians_for_civilians") == 0) {
			at_c4c = v;
			rc = want_bool(c, v, kk, &pol->civilians_for_civilians);
		} else if (strcmp(kk, "stages") == 0) {
			at_stages = v;
			rc = parse_stages(c, v, pol);
		} else if (strcmp(kk, "sought_first") == 0) {
			rc = want_bool(c, v, kk, &pol->sought_first);
		} else {
			return perr(c, k, kk,
				    "unknown key (known: name, description, "
				    "parties, mode, ratio, scale, tolerance, "
				    "unranked, max_per_side, priorities, "
				    "categories, withhold, "
				    "civilians_for_civilians, stages, "
				    "sought_first)");
		}
		if (rc != 0)
			return rc;
	}
	if (at_parties == NULL)
		return perr(c, root, "parties",
			    "is required: the two parties of the round, such "
			    "as [UA, RU]");
	/* Contradictions. */
	if (pol->mode == PLAN_MODE_ALL_FOR_ALL) {
		static const char *const names[] = {
			"ratio", "scale", "max_per_side", "tolerance",
			"unranked"};
		yaml_node_t *at[] = {at_ratio, at_scale, at_cap, at_tol,
				     at_unranked};
		for (size_t i = 0; i < 5; i++)
			if (at[i] != NULL)
				return perr(c, at[i], names[i],
					    "contradicts 'mode: all_for_all' "
					    "(line %lu): all for all has no "
					    "balance and no cap",
					    line_of(at_mode));
		if (pol->civilians_for_civilians)
			return perr(c, at_c4c, "civilians_for_civilians",
				    "contradicts 'mode: all_for_all' (line "
				    "%lu): there is no balance to keep",
				    line_of(at_mode));
	}
	if (pol->scale == NULL && at_tol != NULL)
		return perr(c, at_tol, "tolerance",
			    "needs a 'scale': without one the balance is by "
			    "headcount and exact");
	if (at_unranked != NULL) {
		if (pol->scale == NULL)
			return perr(c, at_unranked, "unranked",
				    "needs a 'scale': it names the class of "
				    "persons with no rank recorded");
		if (strcmp(unranked, "exclude") != 0) {
			char *f = cartel__plan_rank_fold(unranked);
			if (f == NULL)
				return CARTEL_ENOMEM;
			pol->unranked = class_index(pol->scale, f);
			free(f);
			if (pol->unranked < 0)
				return perr(c, at_unranked, "unranked",
					    "'%.40s' is not a class of scale "
					    "'%s' (or say 'exclude')",
					    unranked, pol->scale->name);
		}
	}
	if (pol->stage_sizes != NULL) {
		long sum = 0;
		for (int i = 0; i < pol->n_stages; i++)
			sum += pol->stage_sizes[i];
		if (pol->mode == PLAN_MODE_BALANCED) {
			if (pol->max_per_side == 0)
				pol->max_per_side = sum;
			else if (sum != pol->max_per_side)
				return perr(c, at_stages, "stages",
					    "the stage sizes add up to %ld "
					    "but max_per_side (line %lu) is "
					    "%ld", sum, line_of(at_cap),
					    pol->max_per_side);
		}
	}
	return 0;
}

void
cartel_policy_free(struct cartel_policy *pol)
{
	if (pol == NULL)
		return;
	free(pol->file);
	free(pol->title);
	free(pol->parties[0]);
	free(pol->parties[1]);
	cartel__plan_scale_free(pol->scale);
	for (size_t i = 0; i < pol->n_priorities; i++)
		free(pol->priorities[i].label);
	free(pol->priorities);
	for (size_t i = 0; i < pol->n_categories; i++)
		free(pol->categories[i].label);
	free(pol->categories);
	free(pol->stage_sizes);
	free(pol);
}

int
cartel_policy_parse(struct cartel_policy **out, const char *text, size_t len,
		    const char *name, char **why)
{
	*out = NULL;
	if (name == NULL)
		name = "policy";
	if (len > POLICY_MAX_BYTES)
		return cartel__why(why, CARTEL_ERANGE,
				   "%s: a policy of %zu bytes is past the limit "
				   "of %u", name, len, POLICY_MAX_BYTES);
	struct cartel_policy *pol = calloc(1, sizeof *pol);
	if (pol == NULL)
		return CARTEL_ENOMEM;
	pol->file = cartel__strdup(name);
	if (pol->file == NULL) {
		free(pol);
		return CARTEL_ENOMEM;
	}
	unsigned char hash[crypto_hash_sha256_BYTES];
	if (sodium_init() < 0) {
		cartel_policy_free(pol);
		return cartel__why(why, CARTEL_ENOMEM,
				   "libsodium could not start");
	}
	crypto_hash_sha256(hash, (const unsigned char *)text, len);
	sodium_bin2hex(pol->digest, sizeof pol->digest, hash, sizeof hash);

	yaml_parser_t parser;
	yaml_document_t doc;
	if (!yaml_parser_initialize(&parser)) {
		cartel_policy_free(pol);
		return CARTEL_ENOMEM;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)text,
				     len);
	int rc = 0;
	if (!yaml_parser_load(&parser, &doc)) {
		rc = cartel__why(why, CARTEL_EFORMAT,
				 "%s line %lu: not valid YAML: %s%s%s", name,
				 (unsigned long)parser.problem_mark.line + 1,
				 parser.problem ? parser.problem : "error",
				 parser.context ? " " : "",
				 parser.context ? parser.context : "");
		yaml_parser_delete(&parser);
		cartel_policy_free(pol);
		return rc;
	}
	struct pctx c = {name, &doc, why};
	yaml_node_t *root = yaml_document_get_root_node(&doc);
	if (root == NULL) {
		rc = cartel__why(why, CARTEL_EINVAL,
				 "%s line 1: the policy is empty (it needs at "
				 "least 'parties')", name);
	} else {
		rc = parse_root(&c, root, pol);
		if (rc == 0) {
			/* One document per file: a second would be a
			 * second deal. */
			yaml_document_t more;
			if (!yaml_parser_load(&parser, &more)) {
				rc = cartel__why(
					why, CARTEL_EFORMAT,
					"%s line %lu: not valid YAML: %s", name,
					(unsigned long)parser.problem_mark.line +
						1,
					parser.problem ? parser.problem
						       : "error");
			} else {
				yaml_node_t *r2 =
					yaml_document_get_root_node(&more);
				if (r2 != NULL)
					rc = cartel__why(
						why, CARTEL_EINVAL,
						"%s line %lu: a second "
						"document; a policy file holds "
						"one", name, line_of(r2));
				yaml_document_delete(&more);
			}
		}
	}
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	if (rc != 0) {
		cartel_policy_free(pol);
		return rc;
	}
	*out = pol;
	return 0;
}

int
cartel_policy_load(struct cartel_policy **out, const char *path, char **why)
{
	*out = NULL;
	FILE *fp = fopen(path, "rb");
	if (fp == NULL)
		return cartel__why(why,
				   errno == ENOENT ? CARTEL_ENOTFOUND
						   : CARTEL_EIO,
				   "%s: %s", path, strerror(errno));
	size_t cap = 4096, len = 0;
	char *buf = malloc(cap);
	int rc = 0;
	while (buf != NULL) {
		if (len == cap) {
			if (cap > POLICY_MAX_BYTES) {
				rc = cartel__why(why, CARTEL_ERANGE,
						 "%s: a policy is at most %u "
						 "bytes", path,
						 POLICY_MAX_BYTES);
				break;
			}
			char *nb = realloc(buf, cap * 2);
			if (nb == NULL) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = nb;
			cap *= 2;
		}
		size_t got = fread(buf + len, 1, cap - len, fp);
		len += got;
		if (got == 0) {
			if (ferror(fp))
				rc = cartel__why(why, CARTEL_EIO,
						 "%s: cannot be read", path);
			break;
		}
	}
	fclose(fp);
	if (buf == NULL)
		return CARTEL_ENOMEM;
	if (rc == 0)
		rc = cartel_policy_parse(out, buf, len, path, why);
	free(buf);
	return rc;
}

const char *
cartel_policy_digest(const struct cartel_policy *pol)
{
	return pol->digest;
}

/* ---- Values and balance of a list already made (round amend) ---- */

int
cartel_policy_person_value(const struct cartel_policy *pol,
			   const char *rank, int civilian, long *value,
			   char **why)
{
	*value = 1;
	if (pol->scale == NULL || civilian)
		return 0;
	int cls;
	if (rank == NULL || rank[0] == '\0') {
		if (pol->unranked < 0)
			return cartel__why(why, CARTEL_ENOTFOUND,
					   "no rank, and the policy gives the "
					   "unranked no value (see "
					   "'unranked')");
		cls = pol->unranked;
	} else {
		cls = cartel__plan_scale_lookup(pol->scale, rank);
		if (cls < 0)
			return cartel__why(why, CARTEL_ENOTFOUND,
					   "the rank is not on scale '%s'",
					   pol->scale->name);
	}
	*value = pol->scale->classes[cls].value;
	return 0;
}

int
cartel_policy_balance(const struct cartel_policy *pol, const char *party_a,
		      long value_a, const char *party_b, long value_b,
		      char **why)
{
	if (pol->mode == PLAN_MODE_ALL_FOR_ALL)
		return 0;
	long v0, v1;
	if (strcmp(party_a, pol->parties[0]) == 0 &&
	    strcmp(party_b, pol->parties[1]) == 0) {
		v0 = value_a;
		v1 = value_b;
	} else if (strcmp(party_a, pol->parties[1]) == 0 &&
		   strcmp(party_b, pol->parties[0]) == 0) {
		v0 = value_b;
		v1 = value_a;
	} else {
		return cartel__why(why, CARTEL_EINVAL,
				   "the policy is between %s and %s, the "
				   "round between %s and %s",
				   pol->parties[0], pol->parties[1], party_a,
				   party_b);
	}
	/* As the planner counts it: the ratio crossed, within the scale's
	 * tolerance (none for a headcount). */
	long long diff = (long long)pol->ratio[1] * v0 -
			 (long long)pol->ratio[0] * v1;
	long long tol = pol->scale != NULL ? pol->tolerance : 0;
	if (diff <= tol && diff >= -tol)
		return 0;
	return cartel__why(why, CARTEL_ESTATE,
			   "%s gives %ld and %s gives %ld, off the policy's "
			   "ratio %ld:%ld%s by %lld",
			   pol->parties[0], v0, pol->parties[1], v1,
			   pol->ratio[0], pol->ratio[1],
			   pol->scale != NULL ? _(" and tolerance") : "",
			   diff < 0 ? -diff : diff);
}

int
cartel_policy_civilians_apart(const struct cartel_policy *pol)
{
	return pol != NULL && pol->mode != PLAN_MODE_ALL_FOR_ALL &&
	       pol->civilians_for_civilians;
}

int
cartel_policy_balance_pools(const struct cartel_policy *pol,
			    const char *party_a, const long values_a[2],
			    const char *party_b, const long values_b[2],
			    char **why)
{
	if (!cartel_policy_civilians_apart(pol))
		return cartel_policy_balance(pol, party_a,
					     values_a[0] + values_a[1],
					     party_b,
					     values_b[0] + values_b[1], why);
	char *w = NULL;
	int rc = cartel_policy_balance(pol, party_a, values_a[0], party_b,
				       values_b[0], &w);
	if (rc && rc != CARTEL_ESTATE) {
		if (why != NULL) {
			free(*why);
			*why = w;
		} else {
			free(w);
		}
		return rc;
	}
	/* Civilians by head, exactly: no tolerance in a headcount pool. */
	long v0 = values_a[1], v1 = values_b[1];
	if (strcmp(party_a, pol->parties[0]) != 0) {
		v0 = values_b[1];
		v1 = values_a[1];
	}
	long long diff = (long long)pol->ratio[1] * v0 -
			 (long long)pol->ratio[0] * v1;
	if (rc == 0 && diff == 0)
		return 0;
	/* Each pool that is off, said. */
	char civ[256] = "";
	if (diff != 0)
		snprintf(civ, sizeof civ,
			 "civilians are exchanged only for civilians, and %s "
			 "gives %ld civilian%s and %s gives %ld, off the "
			 "policy's ratio %ld:%ld by %lld",
			 pol->parties[0], v0, v0 == 1 ? "" : "s",
			 pol->parties[1], v1, pol->ratio[0], pol->ratio[1],
			 diff < 0 ? -diff : diff);
	rc = cartel__why(why, CARTEL_ESTATE, "%s%s%s%s",
			 w ? "besides civilians, " : "", w ? w : "",
			 w && civ[0] ? "; " : "", civ);
	free(w);
	return rc;
}

int
cartel_policy_check_parties(const struct cartel_policy *pol,
			    struct cartel_db *db, char **why)
{
	for (int i = 0; i < 2; i++) {
		int err = cartel_party_known(db, pol->parties[i], why);
		if (err != 0)
			return cartel__why(why, err,
					   "the policy's party number %d: %s",
					   i + 1,
					   why != NULL && *why != NULL ? *why
								       : "");
	}
	return 0;
}
