/*
 * The seal every signed document of cartel shares (round lists,
 * declarations): a manifest of per-field digests, the SHA-256 digest of the
 * canonical form (RFC 8785, jcs.c) and one Ed25519 signature per party. One
 * path for all of them, so that a rule about what is covered, or how a
 * signature is checked against the pinned key, holds for every document.
 *
 *   - the manifest maps each field (and each person entry, by id) to a
 *     short SHA-256 of its canonical form, so a changed field is named;
 *   - the digest is the SHA-256 of the canonical form of the document
 *     without `digest` and `signatures`;
 *   - each party's Ed25519 signature covers the canonical form of the
 *     document without `signatures` (so the digest and manifest too),
 *     under the key pinned for that party in the register.
 *
 * jansson ownership: nothing here keeps a reference to the documents it is
 * given; entries it makes are new references handed to the caller.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include <cartel/error.h>
#include <cartel/round.h>

#include "core/intl.h"
#include "core/why.h"
#include "round/jcs.h"
#include "round/round_int.h"

/* Manifest entries keep 128 bits of SHA-256: they locate a change; the
 * full digest and the signatures are what secure the document. */
#define MANIFEST_HEX 32

void
cartel__problem(struct cartel__problems *p, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = NULL;
	cartel__vwhy(&s, 0, fmt, ap);
	va_end(ap);
	if (s == NULL)
		return;
	char **v = realloc(p->v, (p->n + 1) * sizeof *v);
	if (v == NULL) {
		free(s);
		return;
	}
	p->v = v;
	p->v[p->n++] = s;
}


/* The canonical form of object `doc` without the named top-level
 * members. */
static int
canon_without(const json_t *doc, const char *const *drop, char **out,
	      size_t *len, char **why)
{
	return cartel__jcs_object(doc, drop, out, len, NULL, NULL, why);
}

static void
short_hex(const unsigned char *canon, size_t len, char out[MANIFEST_HEX + 1])
{
	unsigned char h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(h, canon, len);
	sodium_bin2hex(out, MANIFEST_HEX + 1, h, MANIFEST_HEX / 2);
}

static int
short_hash(const json_t *v, char out[MANIFEST_HEX + 1], char **why)
{
	char *canon;
	size_t len;
	int rc = cartel__jcs(v, &canon, &len, why);
	if (rc)
		return rc;
	short_hex((const unsigned char *)canon, len, out);
	free(canon);
	return 0;
}

/* The document's canonical text already written, with where each
 * top-level member lies in it; the manifest hashes a top-level value from
 * there instead of writing it again. */
struct known_text {
	const char *text;
	const struct cartel__jcs_member *m;
	size_t n;
};

static const struct cartel__jcs_member *
known_member(const struct known_text *k, const char *key)
{
	for (size_t i = 0; k != NULL && i < k->n; i++)
		if (strcmp(k->m[i].key, key) == 0)
			return &k->m[i];
	return NULL;
}

/* 1 when v is a non-empty array of objects that each have a string id:
 * a person list, whose entries the manifest covers one by one. */
static int
is_person_list(const json_t *v)
{
	if (!json_is_array(v) || json_array_size(v) == 0)
		return 0;
	for (size_t i = 0; i < json_array_size(v); i++)
		if (!json_is_string(
			    json_object_get(json_array_get(v, i), "id")))
			return 0;
	return 1;
}

static int
manifest_put(json_t *m, const char *path, const json_t *v, char **why)
{
	char h[MANIFEST_HEX + 1];
	int rc = short_hash(v, h, why);
	if (rc)
		return rc;
	return json_object_set_new(m, path, json_string(h)) ? CARTEL_ENOMEM
							     : 0;
}

static int
manifest_walk(json_t *m, const char *path, const json_t *v, int per_entry,
	      char **why)
{
	int rc = 0;
	if (json_is_object(v) && json_object_size(v) > 0) {
		const char *key;
		json_t *val;
		json_object_foreach((json_t *)v, key, val)
		{
			char *p = path[0] ? cartel__asprintf("%s.%s", path, key)
					  : cartel__strdup(key);
			if (p == NULL)
				return CARTEL_ENOMEM;
			rc = manifest_walk(m, p, val, per_entry, why);
			free(p);
			if (rc)
				return rc;
		}
		return 0;
	}
	if (per_entry && is_person_list(v)) {
		/* The list of ids in order covers membership and order; each
		 * entry then has its own line. */
		json_t *ids = json_array();
		if (ids == NULL)
			return CARTEL_ENOMEM;
		for (size_t i = 0; i < json_array_size(v); i++)
			json_array_append(ids, json_object_get(
						       json_array_get(v, i),
						       "id"));
		rc = manifest_put(m, path, ids, why);
		json_decref(ids);
		for (size_t i = 0; rc == 0 && i < json_array_size(v); i++) {
			json_t *e = json_array_get(v, i);
			char *p = cartel__asprintf(
				"%s[%s]", path,
				json_string_value(json_object_get(e, "id")));
			if (p == NULL)
				return CARTEL_ENOMEM;
			rc = manifest_put(m, p, e, why);
			free(p);
		}
		return rc;
	}
	return manifest_put(m, path, v, why);
}

static int
compute_manifest(const json_t *doc, int per_entry, const struct known_text *k,
		 json_t **out, char **why)
{
	*out = NULL;
	json_t *m = json_object();
	if (m == NULL)
		return CARTEL_ENOMEM;
	const char *key;
	json_t *val;
	int rc = 0;
	json_object_foreach((json_t *)doc, key, val)
	{
		if (strcmp(key, "manifest") == 0 ||
		    strcmp(key, "digest") == 0 ||
		    strcmp(key, "signatures") == 0)
			continue;
		const struct cartel__jcs_member *at = known_member(k, key);
		if (at != NULL && !(json_is_object(val) &&
				    json_object_size(val) > 0) &&
		    !(per_entry && is_person_list(val))) {
			/* A value the manifest hashes whole: its canonical
			 * form is its run of the document's. */
			char h[MANIFEST_HEX + 1];
			short_hex((const unsigned char *)k->text + at->value,
				  at->end - at->value, h);
			if (json_object_set_new(m, key, json_string(h)))
				rc = CARTEL_ENOMEM;
		} else {
			rc = manifest_walk(m, key, val, per_entry, why);
		}
		if (rc)
			break;
	}
	if (rc) {
		json_decref(m);
		return rc;
	}
	*out = m;
	return 0;
}

static const char *const drop_for_digest[] = {"digest", "signatures", NULL};
static const char *const drop_for_signing[] = {"signatures", NULL};

static int
compute_digest(const json_t *doc, char out[CARTEL_DIGEST_LEN], char **why)
{
	char *canon;
	size_t len;
	int rc = canon_without(doc, drop_for_digest, &canon, &len, why);
	if (rc)
		return rc;
	cartel__round_sha256(canon, len, out);
	free(canon);
	return 0;
}

int
cartel__seal_doc(json_t *doc, int per_entry, char **why)
{
	json_object_del(doc, "manifest");
	json_object_del(doc, "digest");
	json_t *m;
	int rc = compute_manifest(doc, per_entry, NULL, &m, why);
	if (rc)
		return rc;
	json_object_set_new(doc, "manifest", m);
	char d[CARTEL_DIGEST_LEN];
	rc = compute_digest(doc, d, why);
	if (rc)
		return rc;
	return json_object_set_new(doc, "digest", json_string(d))
		       ? CARTEL_ENOMEM
		       : 0;
}

int
cartel__round_seal(json_t *doc, char **why)
{
	return cartel__seal_doc(doc, 1, why);
}

/* Compares the recorded manifest with a recomputed one; each difference
 * becomes a problem naming the field. Returns the number found. */
static size_t
manifest_compare(const json_t *recorded, const json_t *fresh,
		 struct cartel__problems *pr)
{
	size_t before = pr->n;
	const char *key;
	json_t *val;
	json_object_foreach((json_t *)fresh, key, val)
	{
		json_t *r = json_object_get(recorded, key);
		if (r == NULL)
			cartel__problem(pr,
				"field '%s' is not in the manifest: it was "
				"added after the document was made",
				key);
		else if (!json_equal(r, val))
			cartel__problem(pr,
				"field '%s' does not match its manifest "
				"digest: it was changed after the document "
				"was made",
				key);
	}
	json_object_foreach((json_t *)recorded, key, val)
	{
		if (json_object_get(fresh, key) == NULL)
			cartel__problem(pr,
				"field '%s' is in the manifest but not in the "
				"document: it was removed",
				key);
	}
	return pr->n - before;
}

int
cartel__seal_check_manifest(const json_t *doc, int per_entry,
			    struct cartel__problems *pr, int *manifest_ok,
			    char **why)
{
	json_t *fresh;
	int rc = compute_manifest(doc, per_entry, NULL, &fresh, why);
	if (rc)
		return rc;
	*manifest_ok = manifest_compare(json_object_get(doc, "manifest"),
					fresh, pr) == 0;
	json_decref(fresh);
	return 0;
}

/* Compares the digest d computed with the one the document records. */
static void
digest_compare(const json_t *doc, const char d[CARTEL_DIGEST_LEN],
	       struct cartel__problems *pr, int *digest_ok)
{
	const char *recorded =
		json_string_value(json_object_get(doc, "digest"));
	if (recorded == NULL)
		recorded = "(none)";
	*digest_ok = strcmp(d, recorded) == 0;
	if (!*digest_ok)
		cartel__problem(pr,
				"field 'digest' does not hold: the document's "
				"canonical form hashes to %s, the document "
				"says %s",
				d, recorded);
}

int
cartel__seal_check_digest(const json_t *doc, struct cartel__problems *pr,
			  int *digest_ok, char **why)
{
	char d[CARTEL_DIGEST_LEN];
	int rc = compute_digest(doc, d, why);
	if (rc)
		return rc;
	digest_compare(doc, d, pr, digest_ok);
	return 0;
}

int
cartel__seal_check_canon(const json_t *doc, int per_entry,
			 struct cartel__problems *pr, int *manifest_ok,
			 int *digest_ok, char **canon, size_t *len, char **why)
{
	*canon = NULL;
	*len = 0;
	*manifest_ok = *digest_ok = 0;
	char *text;
	size_t n_text, n;
	struct cartel__jcs_member *m;
	int rc = cartel__jcs_object(doc, drop_for_signing, &text, &n_text, &m,
				    &n, why);
	if (rc)
		return rc;
	struct known_text k = {text, m, n};
	json_t *fresh;
	rc = compute_manifest(doc, per_entry, &k, &fresh, why);
	if (rc == 0) {
		*manifest_ok = manifest_compare(json_object_get(doc,
								"manifest"),
						fresh, pr) == 0;
		json_decref(fresh);
		/* The digest covers the same text without its own member. */
		struct cartel__jcs_piece piece[2] = {{text, n_text}, {"", 0}};
		for (size_t i = 0; i < n; i++)
			if (strcmp(m[i].key, "digest") == 0)
				cartel__jcs_cut(text, n_text, m, n, i, piece);
		crypto_hash_sha256_state st;
		unsigned char h[crypto_hash_sha256_BYTES];
		crypto_hash_sha256_init(&st);
		for (int i = 0; i < 2; i++)
			crypto_hash_sha256_update(
				&st, (const unsigned char *)piece[i].p,
				piece[i].n);
		crypto_hash_sha256_final(&st, h);
		char d[CARTEL_DIGEST_LEN];
		memcpy(d, "sha256:", 7);
		sodium_bin2hex(d + 7, sizeof d - 7, h, sizeof h);
		digest_compare(doc, d, pr, digest_ok);
	}
	free(m);
	if (rc) {
		free(text);
		return rc;
	}
	*canon = text;
	*len = n_text;
	return 0;
}

int
cartel__seal_check(const json_t *doc, struct cartel__problems *pr,
		   int *manifest_ok, int *digest_ok, char **why)
{
	int rc = cartel__seal_check_manifest(doc, 1, pr, manifest_ok, why);
	if (rc == 0)
		rc = cartel__seal_check_digest(doc, pr, digest_ok, why);
	return rc;
}

int
cartel__problems_why(struct cartel__problems *pr, char **why, const char *name)
{
	size_t total = strlen(name) + 256;
	for (size_t i = 0; i < pr->n; i++)
		total += strlen(pr->v[i]) + 8;
	char *s = malloc(total);
	if (s == NULL)
		return CARTEL_ETAMPER;
	size_t used = (size_t)snprintf(
		s, total,
		cartel_ngettext("%s does not verify (%zu problem):",
				"%s does not verify (%zu problems):", pr->n),
		name, pr->n);
	for (size_t i = 0; i < pr->n; i++)
		used += (size_t)snprintf(s + used, total - used, "\n  %s",
					 pr->v[i]);
	if (why) {
		free(*why);
		*why = s;
	} else {
		free(s);
	}
	return CARTEL_ETAMPER;
}

void
cartel__problems_free(struct cartel__problems *pr)
{
	for (size_t i = 0; i < pr->n; i++)
		free(pr->v[i]);
	free(pr->v);
	pr->v = NULL;
	pr->n = 0;
}

int
cartel__seal_canon(const json_t *doc, char **out, size_t *len, char **why)
{
	return canon_without(doc, drop_for_signing, out, len, why);
}

int
cartel__seal_signer(struct cartel_db *db, const struct cartel_key *key,
		    char **why)
{
	if (!key->has_secret)
		return cartel__why(why, CARTEL_EINVAL,
				   "the key of %s has no secret half: sign "
				   "with the .key file, not the .pub",
				   key->party);
	char fp[CARTEL_DIGEST_LEN];
	cartel_key_fingerprint(key->public_key, fp);
	unsigned char pinned[32];
	int rc = cartel_key_pinned(db, key->party, pinned, why);
	if (rc == CARTEL_ENOTFOUND)
		return cartel__why(why, CARTEL_ESTATE,
				   "no key is pinned for %s in this register; "
				   "pin this key first (cartel key import "
				   "%s.pub --party %s)",
				   key->party, key->party, key->party);
	if (rc)
		return rc;
	if (memcmp(pinned, key->public_key, 32) != 0) {
		char pfp[CARTEL_DIGEST_LEN];
		cartel_key_fingerprint(pinned, pfp);
		return cartel__why(why, CARTEL_ESTATE,
				   "this key of %s (%s) is not the one pinned "
				   "for %s (%s)",
				   key->party, fp, key->party, pfp);
	}
	return 0;
}

int
cartel__seal_signature(const json_t *doc, const struct cartel_key *key,
		       json_t **entry, char **why)
{
	*entry = NULL;
	char *canon;
	size_t len;
	int rc = canon_without(doc, drop_for_signing, &canon, &len, why);
	if (rc)
		return rc;
	unsigned char sig[crypto_sign_BYTES];
	crypto_sign_detached(sig, NULL, (const unsigned char *)canon, len,
			     key->secret_key);
	free(canon);
	char sig64[sodium_base64_ENCODED_LEN(crypto_sign_BYTES,
					     sodium_base64_VARIANT_ORIGINAL)];
	char pk64[sodium_base64_ENCODED_LEN(32,
					    sodium_base64_VARIANT_ORIGINAL)];
	char fp[CARTEL_DIGEST_LEN];
	cartel_key_fingerprint(key->public_key, fp);
	sodium_bin2base64(sig64, sizeof sig64, sig, sizeof sig,
			  sodium_base64_VARIANT_ORIGINAL);
	sodium_bin2base64(pk64, sizeof pk64, key->public_key, 32,
			  sodium_base64_VARIANT_ORIGINAL);
	json_t *e = json_object();
	if (e == NULL ||
	    json_object_set_new(e, "algorithm", json_string("ed25519")) ||
	    json_object_set_new(e, "public_key", json_string(pk64)) ||
	    json_object_set_new(e, "fingerprint", json_string(fp)) ||
	    json_object_set_new(e, "signature", json_string(sig64))) {
		json_decref(e);
		return CARTEL_ENOMEM;
	}
	*entry = e;
	return 0;
}

void
cartel__seal_verify_party(struct cartel_db *db, const json_t *doc,
			  const char *party, const char *canon, size_t len,
			  struct cartel_round_sig_status *s,
			  struct cartel__problems *pr)
{
	memset(s, 0, sizeof *s);
	snprintf(s->party, sizeof s->party, "%s", party);
	json_t *e = json_object_get(json_object_get(doc, "signatures"), party);
	unsigned char pinned[32];
	char *pin_why = NULL;
	int prc = db ? cartel_key_pinned(db, party, pinned, &pin_why)
		     : CARTEL_ENOTFOUND;
	s->pinned = prc == 0;
	if (prc != 0 && prc != CARTEL_ENOTFOUND) {
		/* A pin that does not hold against the audit chain (or
		 * cannot be read) vouches for nothing. */
		cartel__problem(pr, "signature of %s: %s", party,
				pin_why ? pin_why : cartel_strerror(prc));
		free(pin_why);
		return;
	}
	free(pin_why);
	if (e == NULL) {
		cartel__problem(pr, "signature of %s: missing", party);
		return;
	}
	s->present = 1;
	unsigned char pk[32], sig[crypto_sign_BYTES];
	size_t got = 0;
	const char *pk64 = json_string_value(json_object_get(e, "public_key"));
	const char *sig64 = json_string_value(json_object_get(e, "signature"));
	if (pk64 == NULL ||
	    sodium_base642bin(pk, sizeof pk, pk64, strlen(pk64), NULL, &got,
			      NULL, sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    got != sizeof pk) {
		cartel__problem(pr,
				"signature of %s: field "
				"'signatures.%s.public_key' is not a base64 "
				"Ed25519 key",
				party, party);
		return;
	}
	cartel_key_fingerprint(pk, s->fingerprint);
	if (sig64 == NULL ||
	    sodium_base642bin(sig, sizeof sig, sig64, strlen(sig64), NULL,
			      &got, NULL, sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    got != sizeof sig) {
		cartel__problem(pr,
				"signature of %s: field "
				"'signatures.%s.signature' is not a base64 "
				"Ed25519 signature",
				party, party);
		return;
	}
	if (prc != 0) {
		cartel__problem(pr,
				"signature of %s: no key is pinned for %s in "
				"this register (the document's key is %s; pin "
				"it with cartel key import)",
				party, party, s->fingerprint);
	} else if (memcmp(pinned, pk, 32) != 0) {
		char pfp[CARTEL_DIGEST_LEN];
		cartel_key_fingerprint(pinned, pfp);
		cartel__problem(pr,
				"signature of %s: made with key %s, but the "
				"key pinned for %s is %s",
				party, s->fingerprint, party, pfp);
	} else {
		s->key_is_pinned = 1;
	}
	s->valid = crypto_sign_verify_detached(
			   sig, (const unsigned char *)canon, len, pk) == 0;
	if (!s->valid)
		cartel__problem(pr,
				"signature of %s does not hold: the document "
				"was changed after %s signed it, or the "
				"signature was altered",
				party, party);
}
