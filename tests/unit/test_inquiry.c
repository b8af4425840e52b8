/*
 * Unit tests for an inquiry's life through the library (what a server
 * would call): intake with who asked, two inquiries about one man, a
 * confirmation closing the other candidates, events on the man putting
 * the inquiry on the call-back list (and events on others not), the words
 * of a change, the JSON forms, closing and closing twice.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include <cartel/cartel.h>
#include <cartel/inquiry.h>
#include <cartel/json.h>
#include <cartel/limits.h>
#include <cartel/match.h>
#include <cartel/register.h>
#include <cartel/store.h>

static const char persons_csv[] =
	"id,family_name,given_name,patronymic,birth_date,held_by,status,"
	"held_since\n"
	"UA-1,Ковальчук,Олександр,Петрович,1990-03-02,RU,confirmed_captive,"
	"2024-03-10\n"
	"UA-2,Ковальчук,Олексій,Петрович,1992-07-15,RU,confirmed_captive,\n"
	"UA-3,Гайдамака,Сергій,Юрійович,1975-12-01,RU,confirmed_captive,\n";

struct fx {
	char dir[64];
	char path[128];
	struct cartel_db *db;
};

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	if (f == NULL)
		return -1;
	snprintf(f->dir, sizeof f->dir, "/tmp/cartel-inquiry-XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	snprintf(f->path, sizeof f->path, "%s/r.db", f->dir);
	setenv("CARTEL_NOW", "2026-01-02T03:04:05Z", 1);
	char *why = NULL;
	if (cartel_db_open(&f->db, f->path, CARTEL_DB_CREATE, &why) != 0)
		return -1;
	FILE *in = fmemopen((void *)persons_csv, sizeof persons_csv - 1, "r");
	struct cartel_import_opts o;
	memset(&o, 0, sizeof o);
	struct cartel_import_result res;
	memset(&res, 0, sizeof res);
	int rc = cartel_import_csv(f->db, in, "p.csv", &o, &res, &why);
	fclose(in);
	cartel_import_result_clear(&res);
	if (rc != 0)
		return -1;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;
	cartel_db_close(f->db);
	char cmd[160];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
	int rc = system(cmd);
	free(f);
	return rc == 0 ? 0 : -1;
}

static char *
record(struct cartel_db *db, const char *family, const char *given,
       const char *requester, size_t *n_found)
{
	struct cartel_person q;
	memset(&q, 0, sizeof q);
	q.family_name = (char *)family;
	q.given_name = (char *)given;
	q.unit = (char *)"93 brigade";
	struct cartel_inquiry_request req;
	memset(&req, 0, sizeof req);
	req.sought = &q;
	req.requester = requester;
	req.relation = "mother";
	req.contact = "+380 50 000 0001";
	req.typed = "Ковальчук";
	req.last_seen_place = "Бахмут";
	req.last_seen_on = (struct cartel_date){2023, 5, 1};
	char *id = NULL, *why = NULL;
	int rc = cartel_inquiry_record(db, &req, "hotline", NULL, &id,
				       n_found, &why);
	if (rc != 0)
		fail_msg("record: %s", why ? why : "?");
	return id;
}

static int
event(struct cartel_db *db, const char *id, const char *field,
      const char *value)
{
	struct cartel_event ev;
	memset(&ev, 0, sizeof ev);
	ev.person_id = id;
	ev.field = field;
	ev.new_value = value;
	ev.prov.actor = "delegate";
	ev.prov.source = CARTEL_SRC_ICRC_VISIT;
	return cartel_event_add(db, &ev, NULL);
}

static size_t
due(struct cartel_db *db, const char *inquiry_id, char *text, size_t size)
{
	struct cartel_callback *v = NULL;
	size_t n = 0, count = 0;
	assert_int_equal(cartel_inquiry_callbacks(db, 0, &v, &n, NULL), 0);
	for (size_t i = 0; i < n; i++) {
		if (strcmp(v[i].inquiry_id, inquiry_id) != 0)
			continue;
		count = v[i].n_changes;
		if (text != NULL && count > 0)
			snprintf(text, size, "%s",
				 v[i].changes[count - 1].text);
	}
	cartel_callbacks_free(v, n);
	return count;
}

/* The words of each kept potential match, asked again of the register:
 * in plain words, for every item of an open inquiry, none for one closed,
 * and the JSON carries them only when filled. */
static void
review_words(void **state)
{
	struct fx *f = *state;
	size_t found = 0;
	char *a = record(f->db, "Kovalchuk", "Oleksandr", "mother", &found);
	assert_true(found >= 1);
	char *b = record(f->db, "Haidamaka", "Serhii", "brother", &found);
	assert_true(found >= 1);
	struct cartel_review_item *it = NULL;
	size_t n = 0;
	char *why = NULL;
	assert_int_equal(cartel_review_list(f->db, 0, &it, &n, &why), 0);
	assert_true(n >= 2);
	json_t *before = cartel_review_item_json(&it[0]);
	assert_null(json_object_get(before, "words"));
	json_decref(before);
	assert_int_equal(cartel_review_words(f->db, it, n, &why), 0);
	for (size_t i = 0; i < n; i++) {
		assert_non_null(it[i].words);
		assert_true(strncmp(it[i].words, "found by ", 9) == 0);
		assert_null(strstr(it[i].words, "bits"));
		/* Field by field too, each with how it agrees. */
		for (size_t k = 0; k < CARTEL_MATCH_N_EVIDENCE; k++) {
			assert_non_null(it[i].fields[k].field);
			assert_non_null(it[i].fields[k].how);
		}
		assert_string_equal(it[i].fields[0].field, "family_name");
		if (strcmp(it[i].person_id, "UA-3") == 0) {
			assert_non_null(strstr(it[i].words,
					       "surname and given name"));
			/* Haidamaka and Гайдамака: one surname, two
			 * scripts, for one man. */
			assert_true(it[i].fields[0].weight > 0);
			assert_string_not_equal(it[i].fields[0].how,
						"different");
			assert_string_equal(it[i].fields[3].how,
					    "missing on one side");
		}
	}
	json_t *o = cartel_review_item_json(&it[0]);
	assert_string_equal(json_string_value(json_object_get(o, "words")),
			    it[0].words);
	json_t *ev = json_object_get(o, "evidence");
	assert_int_equal(json_array_size(ev), CARTEL_MATCH_N_EVIDENCE);
	assert_string_equal(json_string_value(json_object_get(
				    json_array_get(ev, 1), "field")),
			    "given_name");
	assert_string_equal(json_string_value(json_object_get(
				    json_array_get(ev, 1), "how")),
			    it[0].fields[1].how);
	json_decref(o);
	cartel_review_items_free(it, n);

	/* Closed: its items keep no words; the other inquiry's still do. */
	assert_int_equal(cartel_inquiry_close(f->db, b, "found", "hotline",
					      &why),
			 0);
	assert_int_equal(cartel_review_list(f->db, 1, &it, &n, &why), 0);
	assert_int_equal(cartel_review_words(f->db, it, n, &why), 0);
	size_t with = 0;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(it[i].inquiry_id, b) == 0) {
			assert_null(it[i].words);
			assert_null(it[i].fields[0].field);
			json_t *c = cartel_review_item_json(&it[i]);
			assert_null(json_object_get(c, "evidence"));
			json_decref(c);
		} else
			with += it[i].words != NULL;
	}
	assert_true(with >= 1);
	cartel_review_items_free(it, n);
	free(a);
	free(b);
}

static void
life_of_an_inquiry(void **state)
{
	struct fx *f = *state;
	struct cartel_db *db = f->db;
	size_t found = 0;
	char *a = record(db, "Ковальчук", NULL, "Марія", &found);
	assert_string_equal(a, "INQ-000001");
	assert_int_equal(found, 2);
	/* The same words again: a new inquiry, never the first one. */
	char *b = record(db, "Ковальчук", NULL, "Олена", &found);
	assert_string_equal(b, "INQ-000002");

	struct cartel_inquiry q;
	assert_int_equal(cartel_inquiry_get(db, a, &q, NULL), 0);
	assert_int_equal(q.state, CARTEL_INQUIRY_CANDIDATE_FOUND);
	assert_string_equal(q.requester, "Марія");
	assert_string_equal(q.unit, "93 brigade");
	assert_int_equal(q.last_seen_on.year, 2023);
	assert_int_equal(q.n_cand, 2);
	assert_int_equal(q.n_history, 2);
	int seen = 0;
	for (size_t i = 0; i < q.n_cand; i++)
		if (strcmp(q.cand[i].person_id, "UA-1") == 0) {
			assert_string_equal(q.cand[i].status_text,
					    "held by Russia since 2024-03");
			seen = 1;
		}
	assert_true(seen);
	json_t *j = cartel_inquiry_json(&q);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "state")),
			    "candidate_found");
	json_t *said = json_object_get(j, "said");
	assert_string_equal(json_string_value(json_object_get(said,
							      "last_seen_on")),
			    "2023-05-01");
	assert_int_equal(json_array_size(json_object_get(j, "candidates")), 2);
	assert_true(json_is_null(json_object_get(j, "closed")));
	json_decref(j);
	cartel_inquiry_clear(&q);

	/* Nothing due yet; an event on a candidate makes both due. */
	assert_int_equal(due(db, a, NULL, 0), 0);
	assert_int_equal(event(db, "UA-3", "health", "sick"), 0);
	assert_int_equal(due(db, a, NULL, 0), 0);
	char text[320];
	assert_int_equal(event(db, "UA-1", "held_by", "BY"), 0);
	assert_int_equal(due(db, a, text, sizeof text), 1);
	assert_string_equal(text, "holder changed: now held by Belarus since "
				  "2024-03");
	assert_int_equal(due(db, b, NULL, 0), 1);

	/* Confirming UA-1 for the first closes its other candidate, and is
	 * news for that family only. */
	assert_int_equal(cartel_review_decide(db, a, "UA-1", 1, "bureau",
					      "unit agrees", NULL),
			 0);
	assert_int_equal(cartel_inquiry_get(db, a, &q, NULL), 0);
	assert_int_equal(q.state, CARTEL_INQUIRY_CONFIRMED);
	for (size_t i = 0; i < q.n_cand; i++)
		if (strcmp(q.cand[i].person_id, "UA-2") == 0) {
			assert_string_equal(q.cand[i].state, "rejected");
			assert_string_equal(q.cand[i].reason,
					    "another candidate confirmed");
		}
	cartel_inquiry_clear(&q);
	assert_int_equal(due(db, a, text, sizeof text), 2);
	assert_non_null(strstr(text, "confirmed as the person asked about"));
	assert_int_equal(due(db, b, NULL, 0), 1);
	/* An event on the rejected candidate calls nobody for the first. */
	assert_int_equal(event(db, "UA-2", "health", "sick"), 0);
	assert_int_equal(due(db, a, NULL, 0), 2);
	assert_int_equal(due(db, b, NULL, 0), 2);

	size_t n_done = 0;
	assert_int_equal(cartel_inquiry_callback_done(db, a, "operator",
						      &n_done, NULL),
			 0);
	assert_int_equal(n_done, 2);
	assert_int_equal(due(db, a, NULL, 0), 0);
	assert_int_equal(cartel_inquiry_callback_done(db, a, "operator",
						      &n_done, NULL),
			 CARTEL_ESTATE);

	/* Closed once; closing twice names the inquiry and writes nothing. */
	assert_int_equal(cartel_inquiry_close(db, b, "answered", "bureau",
					      NULL),
			 0);
	assert_int_equal(due(db, b, NULL, 0), 0);
	char *why = NULL;
	assert_int_equal(cartel_inquiry_close(db, b, "again", "clerk", &why),
			 CARTEL_ESTATE);
	assert_non_null(strstr(why, "INQ-000002 is already closed"));
	free(why);
	assert_int_equal(cartel_inquiry_get(db, b, &q, NULL), 0);
	assert_int_equal(q.state, CARTEL_INQUIRY_CLOSED);
	assert_string_equal(q.closed_by, "bureau");
	assert_string_equal(q.closed_reason, "answered");
	cartel_inquiry_clear(&q);

	struct cartel_inquiry *v = NULL;
	size_t n = 0;
	assert_int_equal(cartel_inquiry_list(db, 1, NULL, &v, &n, NULL), 0);
	assert_int_equal(n, 0);
	cartel_inquiries_free(v, n);
	assert_int_equal(cartel_inquiry_list(db, 0, "2026-01-02", &v, &n,
					     NULL),
			 0);
	assert_int_equal(n, 2);
	cartel_inquiries_free(v, n);
	assert_int_equal(cartel_inquiry_list(db, 0, "2026-13-02", &v, &n,
					     NULL),
			 CARTEL_ERANGE);
	assert_int_equal(cartel_inquiry_list(db, 0, "yesterday", &v, &n,
					     NULL),
			 CARTEL_EFORMAT);
	free(a);
	free(b);
}

/* What a caller says is checked before anything is written. */
static void
intake_refused(void **state)
{
	struct fx *f = *state;
	struct cartel_person q;
	memset(&q, 0, sizeof q);
	q.family_name = (char *)"Ковальчук";
	struct cartel_inquiry_request req;
	memset(&req, 0, sizeof req);
	req.sought = &q;
	size_t big = CARTEL_LIMIT_FIELD + 1;
	char *contact = malloc(big + 1);
	assert_non_null(contact);
	memset(contact, '7', big);
	contact[big] = '\0';
	req.contact = contact;
	char *id = NULL, *why = NULL;
	assert_int_equal(cartel_inquiry_record(f->db, &req, "hotline", NULL,
					       &id, NULL, &why),
			 CARTEL_ERANGE);
	assert_non_null(strstr(why, "contact is longer"));
	assert_null(strstr(why, "777"));
	free(why);
	why = NULL;
	free(contact);
	req.contact = NULL;
	req.last_seen_on = (struct cartel_date){2999, 1, 1};
	assert_int_equal(cartel_inquiry_record(f->db, &req, "hotline", NULL,
					       &id, NULL, &why),
			 CARTEL_EINVAL);
	assert_non_null(strstr(why, "in the future"));
	free(why);
	assert_null(id);
	struct cartel_inquiry *v = NULL;
	size_t n = 1;
	assert_int_equal(cartel_inquiry_list(f->db, 0, NULL, &v, &n, NULL), 0);
	assert_int_equal(n, 0);
	cartel_inquiries_free(v, n);
}

/* Closing and calling back: who, why and which are required, each named
 * in the reason; an inquiry not there is not found; a closed one is not
 * closed twice nor called back. */
static void
close_and_call_back_refused(void **state)
{
	struct fx *f = *state;
	struct cartel_person q;
	memset(&q, 0, sizeof q);
	q.family_name = (char *)"Ковальчук";
	struct cartel_inquiry_request req;
	memset(&req, 0, sizeof req);
	req.sought = &q;
	req.requester = "mother";
	char *id = NULL, *why = NULL;
	assert_int_equal(cartel_inquiry_record(f->db, &req, "hotline", NULL,
					       &id, NULL, &why),
			 0);
	static const struct {
		const char *id, *reason, *actor;
		int code;
		const char *says;
	} bad[] = {
		{NULL, "found", "hotline", CARTEL_EINVAL, "which inquiry"},
		{"", "found", "hotline", CARTEL_EINVAL, "which inquiry"},
		{"X", "found", "", CARTEL_EINVAL, "who closes it"},
		{"X", NULL, "hotline", CARTEL_EINVAL, "its reason"},
		{"INQ-999999", "found", "hotline", CARTEL_ENOTFOUND, ""},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		const char *qid = bad[i].id && strcmp(bad[i].id, "X") == 0
					  ? id
					  : bad[i].id;
		why = NULL;
		assert_int_equal(cartel_inquiry_close(f->db, qid, bad[i].reason,
						      bad[i].actor, &why),
				 bad[i].code);
		assert_non_null(why);
		assert_non_null(strstr(why, bad[i].says));
		free(why);
	}
	size_t big = CARTEL_LIMIT_FIELD + 1;
	char *reason = malloc(big + 1);
	assert_non_null(reason);
	memset(reason, 'r', big);
	reason[big] = '\0';
	why = NULL;
	assert_int_equal(cartel_inquiry_close(f->db, id, reason, "hotline",
					      &why),
			 CARTEL_ERANGE);
	assert_non_null(strstr(why, "longer than"));
	free(why);
	free(reason);
	size_t n_done = 7;
	assert_int_equal(cartel_inquiry_callback_done(f->db, NULL, "hotline",
						      &n_done, NULL),
			 CARTEL_EINVAL);
	assert_int_equal(n_done, 0);
	assert_int_equal(cartel_inquiry_callback_done(f->db, id, "", NULL,
						      NULL),
			 CARTEL_EINVAL);
	assert_int_equal(cartel_inquiry_callback_done(f->db, "INQ-999999",
						      "hotline", NULL, NULL),
			 CARTEL_ENOTFOUND);
	/* Closed once; the second time says when and by whom. */
	assert_int_equal(cartel_inquiry_close(f->db, id, "found him",
					      "hotline", NULL),
			 0);
	why = NULL;
	assert_int_equal(cartel_inquiry_close(f->db, id, "again", "hotline",
					      &why),
			 CARTEL_ESTATE);
	assert_non_null(strstr(why, "already closed"));
	assert_non_null(strstr(why, "by hotline"));
	free(why);
	why = NULL;
	assert_int_equal(cartel_inquiry_callback_done(f->db, id, "hotline",
						      NULL, &why),
			 CARTEL_ESTATE);
	free(why);
	assert_string_equal(cartel_inquiry_state_name(
				    (enum cartel_inquiry_state)9),
			    "open");
	free(id);
}

static void
change_words(void **state)
{
	(void)state;
	struct cartel_person p;
	memset(&p, 0, sizeof p);
	p.status = CARTEL_STATUS_REPATRIATED;
	char buf[256];
	assert_string_equal(cartel_inquiry_change_text("status", "repatriated",
						       &p, "2026-01-02", buf,
						       sizeof buf),
			    "status changed: now repatriated on 2026-01-02");
	p.consent = CARTEL_CONSENT_UNDECIDED;
	assert_string_equal(cartel_inquiry_change_text("consent", "undecided",
						       &p, NULL, buf,
						       sizeof buf),
			    "consent recorded: asked about going home, no "
			    "answer yet");
	/* A name corrected: what, never the value. */
	cartel_inquiry_change_text("family_name", "Коваленко", &p, NULL, buf,
				   sizeof buf);
	assert_string_equal(buf, "his record was updated (family name)");
	assert_string_equal(cartel_inquiry_change_text("status", NULL, NULL,
						       NULL, buf, sizeof buf),
			    "his record was updated");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(life_of_an_inquiry, setup,
						teardown),
		cmocka_unit_test_setup_teardown(intake_refused, setup,
						teardown),
		cmocka_unit_test_setup_teardown(close_and_call_back_refused,
						setup, teardown),
		cmocka_unit_test_setup_teardown(review_words, setup, teardown),
		cmocka_unit_test(change_words),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
