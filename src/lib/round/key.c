/*
 * The parties' signing keys: Ed25519 through libsodium, kept in two small
 * JSON files per party (the secret one readable by its owner only), and
 * each party's public key pinned in the register by fingerprint, so that a
 * document signed with any other key fails verification.
 *
 * Also the helpers the other files of the module share: time stamps,
 * digests and whole-file reads (files are written through
 * <cartel/file.h>).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <sodium.h>

#include <cartel/error.h>
#include <cartel/file.h>
#include <cartel/limits.h>
#include <cartel/register.h>
#include <cartel/round.h>

#include "core/why.h"
#include "round/round_int.h"

#define KEY_FORMAT "cartel-key/1"
#define KEY_FILE_MAX CARTEL_LIMIT_KEY_FILE

int
cartel_party_valid(const char *s)
{
	/* The register's one rule for party codes (held_by, depends_on,
	 * a policy's and a round's parties). */
	return cartel_party_check(s, NULL) == 0;
}

void
cartel__round_now(char buf[32])
{
	const char *env = getenv("CARTEL_NOW");
	if (env != NULL && env[0] != '\0' && strlen(env) < 32) {
		snprintf(buf, 32, "%s", env);
		return;
	}
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void
cartel__round_sha256(const void *data, size_t len,
		     char out[CARTEL_DIGEST_LEN])
{
	unsigned char h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(h, data, len);
	memcpy(out, "sha256:", 7);
	sodium_bin2hex(out + 7, CARTEL_DIGEST_LEN - 7, h, sizeof h);
}

void
cartel_key_fingerprint(const unsigned char public_key[32],
		       char out[CARTEL_DIGEST_LEN])
{
	cartel__round_sha256(public_key, 32, out);
}

int
cartel__round_slurp(const char *path, size_t max, char **out, size_t *len,
		    char **why)
{
	*out = NULL;
	FILE *fp = fopen(path, "rb");
	if (fp == NULL)
		return cartel__why(why, errno == ENOENT ? CARTEL_ENOTFOUND
							: CARTEL_EIO,
				   "%s: %s", path, strerror(errno));
	size_t cap = 4096, n = 0;
	char *p = malloc(cap);
	int rc = 0;
	while (p != NULL) {
		if (n + 1 >= cap) {
			/* The buffer never grows past max + 2: one byte more
			 * than the limit tells a file that is too large. */
			if (n > max) {
				rc = cartel__why(why, CARTEL_ERANGE,
						 "%s: larger than %zu bytes",
						 path, max);
				break;
			}
			size_t ncap = cap * 2 < max + 2 ? cap * 2 : max + 2;
			char *q = realloc(p, ncap);
			if (q == NULL) {
				free(p);
				p = NULL;
				break;
			}
			p = q;
			cap = ncap;
		}
		size_t got = fread(p + n, 1, cap - n - 1, fp);
		n += got;
		if (got == 0) {
			if (ferror(fp))
				rc = cartel__why(why, CARTEL_EIO,
						 "%s: read failed", path);
			break;
		}
	}
	fclose(fp);
	if (p == NULL)
		return CARTEL_ENOMEM;
	if (rc == 0 && n > max)
		rc = cartel__why(why, CARTEL_ERANGE,
				 "%s: larger than %zu bytes", path, max);
	if (rc) {
		free(p);
		return rc;
	}
	p[n] = '\0';
	*out = p;
	if (len)
		*len = n;
	return 0;
}

static int
sodium_ready(char **why)
{
	if (sodium_init() < 0)
		return cartel__why(why, CARTEL_EINVAL,
				   "libsodium could not start");
	return 0;
}

int
cartel_key_generate(struct cartel_key *out, const char *party, char **why)
{
	memset(out, 0, sizeof *out);
	if (!cartel_party_valid(party))
		return cartel__why(why, CARTEL_EINVAL,
				   "party '%.20s' is not a party code (1-15 of "
				   "A-Z, 0-9, '-', '_')",
				   party ? party : "");
	int rc = sodium_ready(why);
	if (rc)
		return rc;
	snprintf(out->party, sizeof out->party, "%s", party);
	crypto_sign_keypair(out->public_key, out->secret_key);
	out->has_secret = 1;
	return 0;
}

void
cartel_key_wipe(struct cartel_key *k)
{
	sodium_memzero(k, sizeof *k);
}

int
cartel_key_save(const struct cartel_key *k, const char *dir,
		char **secret_path, char **public_path, char **why)
{
	if (!k->has_secret)
		return cartel__why(why, CARTEL_EINVAL,
				   "the key has no secret half to save");
	char *sp = cartel__asprintf("%s/%s.key", dir, k->party);
	char *pp = cartel__asprintf("%s/%s.pub", dir, k->party);
	if (sp == NULL || pp == NULL) {
		free(sp);
		free(pp);
		return CARTEL_ENOMEM;
	}
	int rc = 0;
	if (access(sp, F_OK) == 0 || access(pp, F_OK) == 0) {
		rc = cartel__why(why, CARTEL_EEXIST,
				 "%s or %s already exists; not overwritten",
				 sp, pp);
		goto out;
	}
	char pk64[sodium_base64_ENCODED_LEN(32,
					    sodium_base64_VARIANT_ORIGINAL)];
	char sk64[sodium_base64_ENCODED_LEN(64,
					    sodium_base64_VARIANT_ORIGINAL)];
	char fp[CARTEL_DIGEST_LEN];
	sodium_bin2base64(pk64, sizeof pk64, k->public_key, 32,
			  sodium_base64_VARIANT_ORIGINAL);
	sodium_bin2base64(sk64, sizeof sk64, k->secret_key, 64,
			  sodium_base64_VARIANT_ORIGINAL);
	cartel_key_fingerprint(k->public_key, fp);
	/* Written by hand rather than through jansson so that no copy of the
	 * secret outlives this function: both buffers are wiped below. */
	char text[1024];
	int n = snprintf(text, sizeof text,
			 "{\n  \"format\": \"" KEY_FORMAT "\",\n"
			 "  \"type\": \"ed25519-secret\",\n"
			 "  \"party\": \"%s\",\n"
			 "  \"fingerprint\": \"%s\",\n"
			 "  \"public_key\": \"%s\",\n"
			 "  \"secret_key\": \"%s\"\n}\n",
			 k->party, fp, pk64, sk64);
	rc = cartel_file_put(sp, text, (size_t)n,
			     CARTEL_FILE_PRIVATE | CARTEL_FILE_EXCL, why);
	sodium_memzero(text, sizeof text);
	sodium_memzero(sk64, sizeof sk64);
	if (rc)
		goto out;
	n = snprintf(text, sizeof text,
		     "{\n  \"format\": \"" KEY_FORMAT "\",\n"
		     "  \"type\": \"ed25519-public\",\n"
		     "  \"party\": \"%s\",\n"
		     "  \"fingerprint\": \"%s\",\n"
		     "  \"public_key\": \"%s\"\n}\n",
		     k->party, fp, pk64);
	rc = cartel_file_put(pp, text, (size_t)n, CARTEL_FILE_EXCL, why);
	if (rc) {
		unlink(sp);
		goto out;
	}
out:
	if (rc == 0 && secret_path) {
		*secret_path = sp;
		sp = NULL;
	}
	if (rc == 0 && public_path) {
		*public_path = pp;
		pp = NULL;
	}
	free(sp);
	free(pp);
	return rc;
}

static int
b64_field(json_t *o, const char *field, unsigned char *bin, size_t want,
	  const char *path, char **why)
{
	const char *s = json_string_value(json_object_get(o, field));
	size_t got = 0;
	if (s == NULL ||
	    sodium_base642bin(bin, want, s, strlen(s), NULL, &got, NULL,
			      sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    got != want)
		return cartel__why(why, CARTEL_EFORMAT,
				   "%s: field '%s' is not a base64 key of %zu "
				   "bytes",
				   path, field, want);
	return 0;
}

int
cartel_key_parse(struct cartel_key *out, const char *text, size_t len,
		 const char *path, char **why)
{
	memset(out, 0, sizeof *out);
	int rc = sodium_ready(why);
	if (rc)
		return rc;
	json_error_t jerr;
	json_t *o = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (o == NULL || !json_is_object(o)) {
		json_decref(o);
		return cartel__why(why, CARTEL_EFORMAT,
				   "%s: not a cartel key file", path);
	}
	const char *format = json_string_value(json_object_get(o, "format"));
	const char *type = json_string_value(json_object_get(o, "type"));
	const char *party = json_string_value(json_object_get(o, "party"));
	if (format == NULL || strcmp(format, KEY_FORMAT) != 0 ||
	    type == NULL) {
		rc = cartel__why(why, CARTEL_EFORMAT,
				 "%s: not a cartel key file (format must be "
				 "\"%s\")",
				 path, KEY_FORMAT);
		goto out;
	}
	if (!cartel_party_valid(party)) {
		rc = cartel__why(why, CARTEL_EFORMAT,
				 "%s: field 'party' is not a party code", path);
		goto out;
	}
	snprintf(out->party, sizeof out->party, "%s", party);
	rc = b64_field(o, "public_key", out->public_key, 32, path, why);
	if (rc)
		goto out;
	if (strcmp(type, "ed25519-secret") == 0) {
		rc = b64_field(o, "secret_key", out->secret_key, 64, path,
			       why);
		if (rc)
			goto out;
		/* libsodium's secret key is the seed and a copy of the
		 * public key: the public key is derived from the seed, so
		 * that a changed seed (which would sign what the public key
		 * never verifies) is caught here, not by the other party. */
		unsigned char seed[32], pk[32], sk[64];
		crypto_sign_ed25519_sk_to_seed(seed, out->secret_key);
		crypto_sign_seed_keypair(pk, sk, seed);
		sodium_memzero(seed, sizeof seed);
		sodium_memzero(sk, sizeof sk);
		if (sodium_memcmp(pk, out->public_key, 32) != 0 ||
		    sodium_memcmp(out->secret_key + 32, out->public_key,
				  32) != 0) {
			rc = cartel__why(why, CARTEL_ETAMPER,
					 "%s: the public key does not belong "
					 "to the secret key",
					 path);
			goto out;
		}
		out->has_secret = 1;
	} else if (strcmp(type, "ed25519-public") != 0) {
		rc = cartel__why(why, CARTEL_EFORMAT,
				 "%s: field 'type' must be ed25519-secret or "
				 "ed25519-public",
				 path);
	}
out:
	/* The secret passed through jansson's strings: wipe them too. */
	{
		json_t *s = json_object_get(o, "secret_key");
		if (json_is_string(s))
			sodium_memzero((char *)json_string_value(s),
				       json_string_length(s));
	}
	json_decref(o);
	if (rc)
		cartel_key_wipe(out);
	return rc;
}

int
cartel_key_load(struct cartel_key *out, const char *path, char **why)
{
	memset(out, 0, sizeof *out);
	int rc = sodium_ready(why);
	if (rc)
		return rc;
	char *text = NULL;
	size_t len = 0;
	rc = cartel__round_slurp(path, KEY_FILE_MAX, &text, &len, why);
	if (rc)
		return rc;
	/* A secret key file that others can read is refused before its
	 * secret is decoded. */
	struct stat sb;
	int open_to_others = stat(path, &sb) == 0 && (sb.st_mode & 077) != 0;
	rc = cartel_key_parse(out, text, len, path, why);
	sodium_memzero(text, len);
	free(text);
	if (rc == 0 && out->has_secret && open_to_others) {
		cartel_key_wipe(out);
		return cartel__why(why, CARTEL_ESTATE,
				   "%s: a secret key readable by others "
				   "(mode %04o); run chmod 600 on it",
				   path, (unsigned)(sb.st_mode & 0777));
	}
	return rc;
}

int
cartel_key_pin(struct cartel_db *db, const char *party,
	       const unsigned char public_key[32], int replace,
	       const char *actor, int *changed, char **why)
{
	if (changed)
		*changed = 0;
	if (!cartel_party_valid(party))
		return cartel__why(why, CARTEL_EINVAL,
				   "'%.20s' is not a party code", party);
	char fp[CARTEL_DIGEST_LEN], old_fp[CARTEL_DIGEST_LEN] = "";
	cartel_key_fingerprint(public_key, fp);
	int rc = cartel_db_begin(db, why);
	if (rc)
		return rc;
	unsigned char old[32];
	rc = cartel__round_pin_get(db, party, old, why);
	if (rc == 0) {
		if (memcmp(old, public_key, 32) == 0)
			return cartel_db_commit(db, why);
		cartel_key_fingerprint(old, old_fp);
		if (!replace) {
			cartel_db_rollback(db);
			return cartel__why(
				why, CARTEL_EEXIST,
				"party %s already has a pinned key (%s); this "
				"one is %s. A second key is refused unless you "
				"replace the pin on purpose (--replace)",
				party, old_fp, fp);
		}
	} else if (rc != CARTEL_ENOTFOUND) {
		cartel_db_rollback(db);
		return rc;
	}
	if (why && *why && rc == CARTEL_ENOTFOUND) {
		free(*why);
		*why = NULL;
	}
	char now[32];
	cartel__round_now(now);
	rc = cartel__round_pin_put(db, party, public_key, fp, now, actor, why);
	char *detail = NULL;
	if (rc == 0) {
		detail = old_fp[0] ? cartel__asprintf("party=%s key=%s "
						      "replaces=%s",
						      party, fp, old_fp)
				   : cartel__asprintf("party=%s key=%s", party,
						      fp);
		rc = detail ? cartel_audit_append(db, actor,
						  old_fp[0] ? "key.replace"
							    : "key.pin",
						  party, detail, why)
			    : CARTEL_ENOMEM;
	}
	free(detail);
	if (rc == 0)
		rc = cartel_db_commit(db, why);
	if (rc) {
		cartel_db_rollback(db);
		return rc;
	}
	if (changed)
		*changed = 1;
	return 0;
}

int
cartel_key_pinned(struct cartel_db *db, const char *party,
		  unsigned char public_key[32], char **why)
{
	return cartel__round_pin_get(db, party, public_key, why);
}

int
cartel_key_pins(struct cartel_db *db, struct cartel_key_pin **out, size_t *n,
		char **why)
{
	return cartel__round_pin_list(db, out, n, why);
}

void
cartel_key_pins_free(struct cartel_key_pin *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(p[i].pinned_at);
		free(p[i].pinned_by);
	}
	free(p);
}
