/*
 * Handover sheets (<cartel/sheet.h>, docs/protocol.md): a party's signed
 * record of what it checked off in a round, and the mediator's comparison
 * of the two parties' sheets.
 *
 * A sheet is sealed and signed as every document is (seal.c), with one
 * manifest line for its persons (it is taken or refused whole). Reading
 * one checks everything before anything is written; the sheets reconciled
 * are recorded by digest under the row ledger, so that an older sheet of
 * a party for a round is refused once a newer one was reconciled.
 *
 * jansson ownership: documents built or read here are owned by the
 * function that made them and decref'd before it returns.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include <cartel/declaration.h>
#include <cartel/error.h>
#include <cartel/file.h>
#include <cartel/round.h>
#include <cartel/sheet.h>
#include <cartel/store.h>

#include "core/why.h"
#include "round/round_int.h"

#define SHEET_FORMAT "cartel-handover-sheet/1"
#define SHEET_ID_MAX 200

/* ---- Writing a sheet ---- */

static int
person_cmp(const void *a, const void *b)
{
	const json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	int c = strcmp(json_string_value(json_object_get(x, "side")),
		       json_string_value(json_object_get(y, "side")));
	if (c)
		return c;
	return strcmp(json_string_value(json_object_get(x, "id")),
		      json_string_value(json_object_get(y, "id")));
}

/* The round's check-offs as the sheet's persons, by side then id. */
static int
sheet_persons(const struct cartel_handover_person *ps, size_t n,
	      json_t **out)
{
	*out = NULL;
	json_t **v = calloc(n + 1, sizeof *v);
	if (v == NULL)
		return CARTEL_ENOMEM;
	int rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++) {
		const struct cartel_handover_person *p = &ps[i];
		v[i] = json_pack(
			"{s:s, s:s, s:i, s:b, s:s, s:s?}", "id",
			p->holder_id ? p->holder_id : p->id, "side", p->side,
			"stage", p->stage, "direct", p->direct, "outcome",
			cartel_handover_outcome_name(p->outcome), "at",
			p->checked_at);
		if (v[i] == NULL)
			rc = CARTEL_ENOMEM;
	}
	json_t *a = rc ? NULL : json_array();
	if (rc == 0 && a == NULL)
		rc = CARTEL_ENOMEM;
	if (rc == 0 && n > 1)
		qsort(v, n, sizeof *v, person_cmp);
	for (size_t i = 0; i < n; i++) {
		if (rc == 0 && json_array_append_new(a, v[i]))
			rc = CARTEL_ENOMEM;
		else if (rc)
			json_decref(v[i]);
	}
	free(v);
	if (rc) {
		json_decref(a);
		return rc;
	}
	*out = a;
	return 0;
}

int
cartel_handover_sheet(struct cartel_db *db, const char *round_id,
		      const struct cartel_key *key, const char *actor,
		      const char *path, struct cartel_sheet_made *res,
		      char **why)
{
	memset(res, 0, sizeof *res);
	if (actor == NULL || actor[0] == '\0' || key == NULL)
		return cartel__why(why, CARTEL_EINVAL,
				   "no actor or key given");
	struct cartel_owner owner;
	int rc = cartel__owner_get(db, &owner, why);
	if (rc)
		return rc;
	if (owner.role != CARTEL_OWNER_PARTY)
		return owner.role == CARTEL_OWNER_MEDIATOR
			       ? cartel__why(why, CARTEL_ESTATE,
					     "a handover sheet is written by "
					     "a party's own register, and "
					     "this one is the mediator's")
			       : cartel__why(why, CARTEL_ESTATE,
					     "a handover sheet is written by "
					     "a party's own register, and "
					     "this one has no owner");
	if (strcmp(key->party, owner.name) != 0)
		return cartel__why(why, CARTEL_ESTATE,
				   "the key is %s's, but this register is %s's",
				   key->party, owner.name);
	rc = cartel__seal_signer(db, key, why);
	if (rc == 0)
		rc = cartel_file_check(path, 0, why);
	if (rc)
		return rc;
	struct cartel_handover_person *ps = NULL;
	size_t n = 0;
	json_t *doc = NULL;
	struct cartel_file *file = NULL;
	char *text = NULL;
	int version = 0;
	char rdigest[CARTEL_DIGEST_LEN];
	rc = cartel_db_begin(db, why);
	if (rc)
		return rc;
	int in_txn = 1;
	rc = cartel__round_doc_get(db, round_id, &version, rdigest, NULL, why);
	if (rc)
		goto out;
	rc = cartel__round_ho_list(db, round_id, 0, &ps, &n, why);
	json_t *persons = NULL;
	if (rc == 0)
		rc = sheet_persons(ps, n, &persons);
	if (rc)
		goto out;
	long last = 0;
	char ldigest[CARTEL_DIGEST_LEN];
	rc = cartel__sheet_last(db, "made", round_id, owner.name, &last,
				ldigest, why);
	if (rc) {
		json_decref(persons);
		goto out;
	}
	char now[32];
	cartel__round_now(now);
	doc = json_pack("{s:s, s:s, s:i, s:s, s:s, s:{s:s, s:s}, s:I, s:s, "
			"s:o}",
			"format", SHEET_FORMAT, "round_id", round_id,
			"version", version, "round_digest", rdigest, "party",
			owner.name, "owner", "role", "party", "name",
			owner.name, "sequence", (json_int_t)(last + 1),
			"created", now, "persons", persons);
	if (doc == NULL) {
		rc = CARTEL_ENOMEM;
		goto out;
	}
	rc = cartel__seal_doc(doc, 0, why);
	json_t *entry = NULL;
	if (rc == 0)
		rc = cartel__seal_signature(doc, key, &entry, why);
	if (rc)
		goto out;
	json_object_set_new(doc, "signatures",
			    json_pack("{s:o}", owner.name, entry));
	const char *digest = json_string_value(json_object_get(doc, "digest"));
	res->sequence = last + 1;
	res->n_persons = n;
	snprintf(res->digest, sizeof res->digest, "%s", digest);
	rc = cartel__sheet_put(db, digest, "made", round_id, owner.name,
			       res->sequence, (long)n, now, actor, why);
	if (rc)
		goto out;
	char *detail = cartel__asprintf("party=%s sequence=%ld persons=%zu "
					"round_digest=%s digest=%s",
					owner.name, res->sequence, n, rdigest,
					digest);
	rc = detail ? cartel_audit_append(db, actor, "handover.sheet",
					  round_id, detail, why)
		    : CARTEL_ENOMEM;
	free(detail);
	if (rc)
		goto out;
	/* Written whole beside its target first; put in place only once the
	 * register has recorded the number. */
	text = json_dumps(doc, JSON_INDENT(1) | JSON_SORT_KEYS);
	if (text == NULL) {
		rc = CARTEL_ENOMEM;
		goto out;
	}
	rc = cartel_file_open(&file, path, 0, why);
	if (rc == 0)
		rc = cartel_file_write(file, text, strlen(text), why);
	if (rc == 0)
		rc = cartel_file_write(file, "\n", 1, why);
	if (rc)
		goto out;
	rc = cartel_db_commit(db, why);
	in_txn = 0;
	if (rc == 0) {
		rc = cartel_file_commit(file, why);
		file = NULL;
	}
out:
	if (in_txn)
		cartel_db_rollback(db);
	cartel_file_abort(file);
	free(text);
	json_decref(doc);
	for (size_t i = 0; i < n; i++)
		cartel__round_ho_person_clear(&ps[i]);
	free(ps);
	if (rc)
		memset(res, 0, sizeof *res);
	return rc;
}

/* ---- Reading a sheet ---- */

static int
bad(char **why, const char *name, const char *field, const char *what)
{
	return cartel__why(why, CARTEL_EFORMAT, "%s: field '%s': %s", name,
			   field, what);
}

static int
id_valid(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (n == 0 || n > SHEET_ID_MAX)
		return 0;
	for (const unsigned char *c = (const unsigned char *)s; *c; c++)
		if (*c < 0x20 || *c == 0x7f)
			return 0;
	return 1;
}

static int
key_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The sheet's shape and content: everything but the seal. Each person
 * once, by (side, id). */
static int
check_shape(const char *name, const json_t *d, char **why)
{
	if (!json_is_object(d))
		return cartel__why(why, CARTEL_EFORMAT,
				   "%s: not a handover sheet (expected a JSON "
				   "object)",
				   name);
	const char *format = json_string_value(json_object_get(d, "format"));
	if (format == NULL || strcmp(format, SHEET_FORMAT) != 0)
		return bad(why, name, "format",
			   "expected \"" SHEET_FORMAT "\"");
	const char *round_id =
		json_string_value(json_object_get(d, "round_id"));
	if (!id_valid(round_id))
		return bad(why, name, "round_id", "expected a round id");
	if (!json_is_integer(json_object_get(d, "version")) ||
	    json_integer_value(json_object_get(d, "version")) < 1)
		return bad(why, name, "version",
			   "expected a positive integer");
	const char *rd = json_string_value(json_object_get(d, "round_digest"));
	if (rd == NULL || strncmp(rd, "sha256:", 7) != 0 ||
	    strlen(rd) != CARTEL_DIGEST_LEN - 1)
		return bad(why, name, "round_digest",
			   "expected the agreed list's digest");
	const char *party = json_string_value(json_object_get(d, "party"));
	if (!cartel_party_valid(party))
		return bad(why, name, "party", "expected a party code");
	json_t *owner = json_object_get(d, "owner");
	const char *on = json_string_value(json_object_get(owner, "name"));
	const char *orole = json_string_value(json_object_get(owner, "role"));
	if (on == NULL || orole == NULL || strcmp(orole, "party") != 0 ||
	    strcmp(on, party) != 0)
		return bad(why, name, "owner",
			   "expected {\"role\": \"party\", \"name\": the "
			   "sheet's party}");
	if (!json_is_integer(json_object_get(d, "sequence")) ||
	    json_integer_value(json_object_get(d, "sequence")) < 1)
		return bad(why, name, "sequence",
			   "expected a positive integer");
	if (!json_is_string(json_object_get(d, "created")))
		return bad(why, name, "created", "expected a string");
	if (!json_is_string(json_object_get(d, "digest")))
		return bad(why, name, "digest", "expected a string");
	if (!json_is_object(json_object_get(d, "manifest")))
		return bad(why, name, "manifest", "expected an object");
	json_t *ps = json_object_get(d, "persons");
	if (!json_is_array(ps))
		return bad(why, name, "persons", "expected an array");
	size_t n = json_array_size(ps);
	char **keys = calloc(n + 1, sizeof *keys);
	if (keys == NULL)
		return CARTEL_ENOMEM;
	int rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++) {
		json_t *e = json_array_get(ps, i);
		const char *id = json_string_value(json_object_get(e, "id"));
		const char *side =
			json_string_value(json_object_get(e, "side"));
		enum cartel_handover_outcome o;
		if (!json_is_object(e) || !id_valid(id) ||
		    !cartel_party_valid(side) ||
		    !json_is_integer(json_object_get(e, "stage")) ||
		    cartel_handover_outcome_parse(
			    json_string_value(json_object_get(e, "outcome")),
			    &o, NULL) != 0)
			rc = cartel__why(why, CARTEL_EFORMAT,
					 "%s: field 'persons': entry %zu is "
					 "not {id, side, stage, outcome}",
					 name, i + 1);
		else if ((keys[i] = cartel__asprintf("%s\x1f%s", side, id)) ==
			 NULL)
			rc = CARTEL_ENOMEM;
	}
	if (rc == 0 && n > 1) {
		qsort(keys, n, sizeof *keys, key_cmp);
		for (size_t i = 1; i < n && rc == 0; i++)
			if (strcmp(keys[i - 1], keys[i]) == 0) {
				char *sep = strchr(keys[i], '\x1f');
				*sep = '\0';
				rc = cartel__why(why, CARTEL_EFORMAT,
						 "%s: person %s given by %s is "
						 "listed twice",
						 name, sep + 1, keys[i]);
			}
	}
	for (size_t i = 0; i < n; i++)
		free(keys[i]);
	free(keys);
	if (rc)
		return rc;
	json_t *sigs = json_object_get(d, "signatures");
	if (!json_is_object(sigs) || json_object_size(sigs) == 0)
		return cartel__why(why, CARTEL_ETAMPER,
				   "%s is not signed (no 'signatures')", name);
	if (json_object_size(sigs) != 1 ||
	    json_object_get(sigs, party) == NULL) {
		const char *signer = "";
		json_t *val;
		json_object_foreach(sigs, signer, val)
		{
			if (strcmp(signer, party) != 0)
				break;
		}
		return cartel__why(why, CARTEL_ETAMPER,
				   "%s is %s's sheet but is signed by %.20s: a "
				   "sheet is signed by its party alone",
				   name, party, signer);
	}
	return 0;
}

/* Reads and checks one sheet whole: shape, seal and signature. */
static int
sheet_read(struct cartel_db *db, const char *path, json_t **out, char **why)
{
	*out = NULL;
	struct stat sb;
	if (stat(path, &sb) == 0 && S_ISREG(sb.st_mode) &&
	    (unsigned long long)sb.st_size > CARTEL_DECL_FILE_MAX)
		return cartel__why(why, CARTEL_ERANGE,
				   "%s: %llu bytes, larger than a sheet may be "
				   "(%u bytes); nothing was read",
				   path, (unsigned long long)sb.st_size,
				   CARTEL_DECL_FILE_MAX);
	char *text = NULL;
	size_t len = 0;
	int rc = cartel__round_slurp(path, CARTEL_DECL_FILE_MAX, &text, &len,
				     why);
	if (rc)
		return rc;
	json_error_t jerr;
	json_t *doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	free(text);
	if (doc == NULL)
		return cartel__why(why, CARTEL_EFORMAT,
				   "%s: not whole JSON (cut short, or not a "
				   "sheet): line %d column %d: %s",
				   path, jerr.line, jerr.column, jerr.text);
	rc = check_shape(path, doc, why);
	struct cartel__problems pr = {NULL, 0};
	int mok = 0, dok = 0;
	if (rc == 0)
		rc = cartel__seal_check_manifest(doc, 0, &pr, &mok, why);
	if (rc == 0)
		rc = cartel__seal_check_digest(doc, &pr, &dok, why);
	char *canon = NULL;
	size_t clen = 0;
	if (rc == 0)
		rc = cartel__seal_canon(doc, &canon, &clen, why);
	if (rc == 0) {
		struct cartel_round_sig_status st;
		cartel__seal_verify_party(
			db, doc, json_string_value(json_object_get(doc, "party")),
			canon, clen, &st, &pr);
		if (pr.n > 0)
			rc = cartel__problems_why(&pr, why, path);
	}
	free(canon);
	cartel__problems_free(&pr);
	if (rc) {
		json_decref(doc);
		return rc;
	}
	*out = doc;
	return 0;
}

/* ---- Reconciling two sheets ---- */

static int
gap_add(struct cartel_sheet_gap **v, size_t *n, const char *id,
	const char *side, int stage, const char *giver, const char *receiver)
{
	struct cartel_sheet_gap *nv = realloc(*v, (*n + 1) * sizeof *nv);
	if (nv == NULL)
		return CARTEL_ENOMEM;
	*v = nv;
	struct cartel_sheet_gap *g = &nv[(*n)++];
	memset(g, 0, sizeof *g);
	g->id = cartel__strdup(id);
	snprintf(g->side, sizeof g->side, "%s", side);
	g->stage = stage;
	snprintf(g->giver, sizeof g->giver, "%s", giver);
	snprintf(g->receiver, sizeof g->receiver, "%s", receiver);
	return g->id ? 0 : CARTEL_ENOMEM;
}

/* side + "\x1f" + id -> the person's entry, for one sheet. */
static json_t *
index_persons(const json_t *doc)
{
	json_t *m = json_object();
	json_t *ps = json_object_get(doc, "persons");
	for (size_t i = 0; m && i < json_array_size(ps); i++) {
		json_t *e = json_array_get(ps, i);
		char *k = cartel__asprintf(
			"%s\x1f%s",
			json_string_value(json_object_get(e, "side")),
			json_string_value(json_object_get(e, "id")));
		if (k == NULL || json_object_set(m, k, e)) {
			free(k);
			json_decref(m);
			return NULL;
		}
		free(k);
	}
	return m;
}

static const char *
outcome_of(const json_t *e)
{
	const char *o = json_string_value(json_object_get(e, "outcome"));
	return o ? o : "missing";
}

int
cartel_reconcile_sheets(struct cartel_db *db, const char *path_a,
			const char *path_b, const char *actor,
			struct cartel_sheet_reconcile *res, char **why)
{
	memset(res, 0, sizeof *res);
	if (actor == NULL || actor[0] == '\0')
		return cartel__why(why, CARTEL_EINVAL, "no actor given");
	json_t *d[2] = {NULL, NULL}, *ix[2] = {NULL, NULL};
	const char *paths[2] = {path_a, path_b};
	int rc = 0, in_txn = 0;
	for (int i = 0; i < 2 && rc == 0; i++)
		rc = sheet_read(db, paths[i], &d[i], why);
	if (rc)
		goto out;
	for (int i = 0; i < 2; i++) {
		snprintf(res->party[i], sizeof res->party[i], "%s",
			 json_string_value(json_object_get(d[i], "party")));
		snprintf(res->digest[i], sizeof res->digest[i], "%s",
			 json_string_value(json_object_get(d[i], "digest")));
		res->sequence[i] = (long)json_integer_value(
			json_object_get(d[i], "sequence"));
	}
	snprintf(res->round_id, sizeof res->round_id, "%s",
		 json_string_value(json_object_get(d[0], "round_id")));
	snprintf(res->round_digest, sizeof res->round_digest, "%s",
		 json_string_value(json_object_get(d[0], "round_digest")));
	if (strcmp(res->party[0], res->party[1]) == 0) {
		rc = cartel__why(why, CARTEL_EINVAL,
				 "both sheets are %s's: reconcile one sheet "
				 "of each party",
				 res->party[0]);
		goto out;
	}
	if (strcmp(res->round_id, json_string_value(json_object_get(
					  d[1], "round_id"))) != 0 ||
	    strcmp(res->round_digest,
		   json_string_value(json_object_get(d[1], "round_digest"))) !=
		    0) {
		rc = cartel__why(why, CARTEL_EINVAL,
				 "%s is of round %s (agreed list %s), %s of "
				 "round %s (%s): the sheets are not of one "
				 "agreed round",
				 path_a, res->round_id, res->round_digest,
				 path_b,
				 json_string_value(
					 json_object_get(d[1], "round_id")),
				 json_string_value(json_object_get(
					 d[1], "round_digest")));
		goto out;
	}
	for (int i = 0; i < 2 && rc == 0; i++) {
		json_t *ps = json_object_get(d[i], "persons");
		for (size_t k = 0; k < json_array_size(ps) && rc == 0; k++) {
			const char *side = json_string_value(json_object_get(
				json_array_get(ps, k), "side"));
			if (strcmp(side, res->party[0]) != 0 &&
			    strcmp(side, res->party[1]) != 0)
				rc = cartel__why(
					why, CARTEL_EFORMAT,
					"%s: person %s is given by %s, who is "
					"neither %s nor %s",
					paths[i],
					json_string_value(json_object_get(
						json_array_get(ps, k), "id")),
					side, res->party[0], res->party[1]);
		}
	}
	if (rc)
		goto out;
	/* Replays: a sheet older than the newest of its party's for this
	 * round reconciled here before. */
	rc = cartel_db_begin(db, why);
	if (rc)
		goto out;
	in_txn = 1;
	int known[2] = {0, 0};
	for (int i = 0; i < 2 && rc == 0; i++) {
		rc = cartel__sheet_has(db, res->digest[i], "reconciled",
				       &known[i], why);
		long last = 0;
		char ld[CARTEL_DIGEST_LEN];
		if (rc == 0)
			rc = cartel__sheet_last(db, "reconciled", res->round_id,
						res->party[i], &last, ld, why);
		/* The newest reconciled may be read again; anything older,
		 * or another sheet under its number, is a replay. */
		if (rc == 0 && (res->sequence[i] < last ||
				(res->sequence[i] == last &&
				 strcmp(ld, res->digest[i]) != 0)))
			rc = cartel__why(why, CARTEL_EEXIST,
					 "%s is %s's sheet number %ld of round "
					 "%s, but number %ld was reconciled "
					 "already: an older or replayed sheet "
					 "is refused",
					 paths[i], res->party[i],
					 res->sequence[i], res->round_id, last);
	}
	if (rc)
		goto out;
	for (int i = 0; i < 2; i++) {
		ix[i] = index_persons(d[i]);
		if (ix[i] == NULL) {
			rc = CARTEL_ENOMEM;
			goto out;
		}
	}
	/* Every person of either sheet, by who gives him. */
	json_t *all = json_object();
	if (all == NULL) {
		rc = CARTEL_ENOMEM;
		goto out;
	}
	json_object_update(all, ix[0]);
	json_object_update_missing(all, ix[1]);
	const char **keys = calloc(json_object_size(all) + 1, sizeof *keys);
	size_t nk = 0;
	const char *k;
	json_t *e;
	if (keys == NULL)
		rc = CARTEL_ENOMEM;
	json_object_foreach(all, k, e)
	{
		if (keys != NULL)
			keys[nk++] = k;
	}
	if (rc == 0 && nk > 1)
		qsort(keys, nk, sizeof *keys, key_cmp);
	res->n_persons = nk;
	for (size_t i = 0; i < nk && rc == 0; i++) {
		json_t *any = json_object_get(all, keys[i]);
		const char *side =
			json_string_value(json_object_get(any, "side"));
		const char *id = json_string_value(json_object_get(any, "id"));
		int stage = (int)json_integer_value(
			json_object_get(any, "stage"));
		int giver = strcmp(side, res->party[0]) == 0 ? 0 : 1;
		const char *go = outcome_of(json_object_get(ix[giver], keys[i]));
		const char *ro =
			outcome_of(json_object_get(ix[1 - giver], keys[i]));
		int handed = strcmp(go, "handed_over") == 0;
		int received = strcmp(ro, "received") == 0;
		res->n_handed_over += (size_t)handed;
		res->n_received += (size_t)received;
		if (handed && !received)
			rc = gap_add(&res->not_received, &res->n_not_received,
				     id, side, stage, go, ro);
		else if (received && !handed)
			rc = gap_add(&res->not_handed, &res->n_not_handed, id,
				     side, stage, go, ro);
	}
	free(keys);
	json_decref(all);
	char now[32];
	cartel__round_now(now);
	for (int i = 0; i < 2 && rc == 0; i++)
		if (!known[i])
			rc = cartel__sheet_put(
				db, res->digest[i], "reconciled", res->round_id,
				res->party[i], res->sequence[i],
				(long)json_array_size(
					json_object_get(d[i], "persons")),
				now, actor, why);
	if (rc == 0) {
		char *detail = cartel__asprintf(
			"sheets=%s:%ld:%s,%s:%ld:%s persons=%zu "
			"handed_over=%zu received=%zu not_received=%zu "
			"not_handed_over=%zu",
			res->party[0], res->sequence[0], res->digest[0],
			res->party[1], res->sequence[1], res->digest[1],
			res->n_persons, res->n_handed_over, res->n_received,
			res->n_not_received, res->n_not_handed);
		rc = detail ? cartel_audit_append(db, actor,
						  "reconcile.sheets",
						  res->round_id, detail, why)
			    : CARTEL_ENOMEM;
		free(detail);
	}
	if (rc == 0) {
		rc = cartel_db_commit(db, why);
		in_txn = 0;
	}
out:
	if (in_txn)
		cartel_db_rollback(db);
	for (int i = 0; i < 2; i++) {
		json_decref(d[i]);
		json_decref(ix[i]);
	}
	if (rc)
		cartel_sheet_reconcile_clear(res);
	return rc;
}

void
cartel_sheet_reconcile_clear(struct cartel_sheet_reconcile *res)
{
	for (size_t i = 0; i < res->n_not_received; i++)
		free(res->not_received[i].id);
	for (size_t i = 0; i < res->n_not_handed; i++)
		free(res->not_handed[i].id);
	free(res->not_received);
	free(res->not_handed);
	memset(res, 0, sizeof *res);
}

static json_t *
gaps_json(const struct cartel_sheet_gap *g, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; a && i < n; i++)
		json_array_append_new(
			a, json_pack("{s:s, s:s, s:i, s:s, s:s}", "id", g[i].id,
				     "side", g[i].side, "stage", g[i].stage,
				     "giver", g[i].giver, "receiver",
				     g[i].receiver));
	return a;
}

int
cartel_sheet_reconcile_json(const struct cartel_sheet_reconcile *res,
			    char **out, char **why)
{
	(void)why;
	*out = NULL;
	json_t *o = json_pack(
		"{s:s, s:s, s:[{s:s, s:I, s:s}, {s:s, s:I, s:s}], s:I, s:I, "
		"s:I, s:o, s:o}",
		"round_id", res->round_id, "round_digest", res->round_digest,
		"sheets", "party", res->party[0], "sequence",
		(json_int_t)res->sequence[0], "digest", res->digest[0],
		"party", res->party[1], "sequence",
		(json_int_t)res->sequence[1], "digest", res->digest[1],
		"persons", (json_int_t)res->n_persons, "handed_over",
		(json_int_t)res->n_handed_over, "received",
		(json_int_t)res->n_received, "handed_over_not_received",
		gaps_json(res->not_received, res->n_not_received),
		"received_not_handed_over",
		gaps_json(res->not_handed, res->n_not_handed));
	if (o == NULL)
		return CARTEL_ENOMEM;
	*out = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(o);
	return *out ? 0 : CARTEL_ENOMEM;
}
