/*
 * An inquiry as a family and an operator read it: the change a call-back
 * is about, in plain words, and the JSON forms of an inquiry and of a
 * call-back that every front end prints (the CLI now, a server later).
 * The words of where a person stands come from cartel_search_status_text
 * (answer.c), so that a search and an inquiry say it alike.
 *
 * JSON ownership: each builder returns a new reference; the objects it
 * makes are handed to their parents with the _new setters, so that one
 * json_decref of the result frees all.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include <cartel/inquiry.h>
#include <cartel/match.h>
#include <cartel/register.h>

#include "core/intl.h"

/* Appends to buf at *used, keeping it NUL-terminated and within size. */
static void
put(char *buf, size_t size, size_t *used, const char *fmt, ...)
{
	if (*used + 1 >= size)
		return;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf + *used, size - *used, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	*used += (size_t)n;
	if (*used >= size)
		*used = size - 1;
}

/* An enum's stored name in words: underscores read as spaces. */
static void
put_words(char *buf, size_t size, size_t *used, const char *name)
{
	for (const char *s = name; s != NULL && *s != '\0'; s++)
		put(buf, size, used, "%c", *s == '_' ? ' ' : *s);
}

static const char *
consent_words(enum cartel_consent c)
{
	switch (c) {
	case CARTEL_CONSENT_WILLING: return _("wishes to go home");
	case CARTEL_CONSENT_REFUSES: return _("does not wish to go home");
	case CARTEL_CONSENT_UNDECIDED:
		return _("asked about going home, no answer yet");
	default: return _("not yet asked about going home");
	}
}

static const char *
hold_words(enum cartel_legal_hold h)
{
	switch (h) {
	case CARTEL_HOLD_PROCEEDINGS:
		return _("held back: judicial proceedings against him");
	case CARTEL_HOLD_CONVICTED: return _("held back: serving a sentence");
	default: return _("no longer held back by a court");
	}
}

static const char *
direct_words(enum cartel_direct_rep d)
{
	switch (d) {
	case CARTEL_DIRECT_YES:
		return _("found eligible for direct repatriation (wounded or "
			 "sick)");
	case CARTEL_DIRECT_NO:
		return _("not found eligible for direct repatriation");
	default: return _("direct repatriation not yet decided");
	}
}

char *
cartel_inquiry_change_text(const char *field, const char *new_value,
			   const struct cartel_person *after, const char *day,
			   char *buf, size_t size)
{
	size_t used = 0;
	if (size == 0)
		return buf;
	buf[0] = '\0';
	if (field == NULL)
		field = "";
	char st[256] = "";
	if (after != NULL)
		cartel_search_status_text(after, day, st, sizeof st);
	if (after == NULL) {
		put(buf, size, &used, "%s", _("his record was updated"));
	} else if (strcmp(field, "attr:inquiry") == 0) {
		put(buf, size, &used,
		    _("confirmed as the person asked about: %s"), st);
	} else if (strcmp(field, "status") == 0) {
		put(buf, size, &used, _("status changed: now %s"), st);
	} else if (strcmp(field, "held_by") == 0) {
		put(buf, size, &used, _("holder changed: now %s"), st);
	} else if (strcmp(field, "held_since") == 0) {
		put(buf, size, &used, _("date of custody recorded: %s"), st);
	} else if (strcmp(field, "health") == 0) {
		put(buf, size, &used, _("health recorded: %s"),
		    cartel_enum_text(CARTEL_ENUM_HEALTH, (int)after->health));
	} else if (strcmp(field, "consent") == 0) {
		put(buf, size, &used, _("consent recorded: %s"),
		    consent_words(after->consent));
	} else if (strcmp(field, "legal_hold") == 0) {
		put(buf, size, &used, "%s", hold_words(after->legal_hold));
	} else if (strcmp(field, "direct_repatriation") == 0) {
		put(buf, size, &used, "%s",
		    direct_words(after->direct_repatriation));
	} else if (strcmp(field, "internment_place") == 0 &&
		   new_value != NULL && new_value[0] != '\0') {
		put(buf, size, &used, _("place of internment recorded: %s"),
		    new_value);
	} else {
		/* Names, dates and the rest: what was corrected, not the
		 * value (the operator reads it in the record). */
		const char *label = strncmp(field, "attr:", 5) == 0
					    ? field + 5
					    : field;
		put(buf, size, &used, "%s", _("his record was updated ("));
		put_words(buf, size, &used, label);
		put(buf, size, &used, ")");
	}
	return buf;
}

/* Sets key to a string, or to null when s is NULL. */
static void
set_str(json_t *o, const char *key, const char *s)
{
	json_object_set_new(o, key, s != NULL ? json_string(s) : json_null());
}

static void
set_date(json_t *o, const char *key, const struct cartel_date *d)
{
	char b[16];
	set_str(o, key, d->year != 0 ? cartel_date_format(d, b, sizeof b)
				     : NULL);
}

json_t *
cartel_inquiry_json(const struct cartel_inquiry *q)
{
	json_t *o = json_object();
	if (o == NULL)
		return NULL;
	set_str(o, "id", q->id);
	set_str(o, "state", cartel_inquiry_state_name(q->state));
	set_str(o, "state_text", cartel_inquiry_state_text(q->state));
	set_str(o, "created_at", q->created_at);
	set_str(o, "created_by", q->created_by);
	set_str(o, "requester", q->requester);
	set_str(o, "relation", q->relation);
	set_str(o, "contact", q->contact);
	json_t *said = json_object();
	if (said != NULL) {
		set_str(said, "typed", q->typed);
		set_str(said, "family_name", q->family_name);
		set_str(said, "given_name", q->given_name);
		set_str(said, "patronymic", q->patronymic);
		set_date(said, "birth_date", &q->birth_date);
		set_str(said, "birth_place", q->birth_place);
		set_str(said, "service_number", q->service_number);
		set_str(said, "unit", q->unit);
		set_str(said, "last_seen_place", q->last_seen_place);
		set_date(said, "last_seen_on", &q->last_seen_on);
	}
	json_object_set_new(o, "said", said);
	json_t *closed = json_null();
	if (q->state == CARTEL_INQUIRY_CLOSED) {
		closed = json_object();
		if (closed != NULL) {
			set_str(closed, "at", q->closed_at);
			set_str(closed, "by", q->closed_by);
			set_str(closed, "reason", q->closed_reason);
		}
	}
	json_object_set_new(o, "closed", closed);
	json_object_set_new(o, "callbacks_due",
			    json_integer((json_int_t)q->n_callbacks_due));
	if (q->cand != NULL || q->history != NULL) {
		json_t *cands = json_array();
		for (size_t i = 0; cands != NULL && i < q->n_cand; i++) {
			const struct cartel_inquiry_candidate *c = &q->cand[i];
			json_t *x = json_object();
			if (x == NULL)
				continue;
			/* The keys of `review list --json`, then where the
			 * person stands. */
			set_str(x, "inquiry_id", q->id);
			set_str(x, "person_id", c->person_id);
			json_object_set_new(x, "score", json_real(c->score));
			set_str(x, "band", c->band);
			set_str(x, "state", c->state);
			set_str(x, "explanation", c->explanation);
			set_str(x, "decided_by", c->decided_by);
			set_str(x, "decided_at", c->decided_at);
			set_str(x, "reason", c->reason);
			set_str(x, "found_at", c->found_at);
			set_str(x, "status", c->status);
			set_str(x, "held_by", c->held_by);
			set_str(x, "status_text", c->status_text);
			json_array_append_new(cands, x);
		}
		json_object_set_new(o, "candidates", cands);
		json_t *hist = json_array();
		for (size_t i = 0; hist != NULL && i < q->n_history; i++) {
			const struct cartel_inquiry_change *h = &q->history[i];
			json_t *x = json_object();
			if (x == NULL)
				continue;
			json_object_set_new(x, "seq", json_integer(h->seq));
			set_str(x, "at", h->at);
			set_str(x, "by", h->actor);
			set_str(x, "what", h->what);
			set_str(x, "person_id", h->person_id);
			set_str(x, "detail", h->detail);
			json_array_append_new(hist, x);
		}
		json_object_set_new(o, "history", hist);
	}
	return o;
}

json_t *
cartel_callback_json(const struct cartel_callback *c)
{
	json_t *o = json_object();
	if (o == NULL)
		return NULL;
	set_str(o, "inquiry_id", c->inquiry_id);
	set_str(o, "requester", c->requester);
	set_str(o, "relation", c->relation);
	set_str(o, "contact", c->contact);
	set_str(o, "state", cartel_inquiry_state_name(c->state));
	json_t *ch = json_array();
	for (size_t i = 0; ch != NULL && i < c->n_changes; i++) {
		const struct cartel_callback_change *x = &c->changes[i];
		json_t *e = json_object();
		if (e == NULL)
			continue;
		json_object_set_new(e, "seq", json_integer(x->seq));
		set_str(e, "person_id", x->person_id);
		json_object_set_new(e, "event_seq",
				    json_integer(x->event_seq));
		set_str(e, "at", x->at);
		set_str(e, "change", x->text);
		json_object_set_new(e, "confirmed_match",
				    json_boolean(x->confirmed));
		set_str(e, "done_at", x->done_at);
		set_str(e, "done_by", x->done_by);
		json_array_append_new(ch, e);
	}
	json_object_set_new(o, "changes", ch);
	return o;
}
