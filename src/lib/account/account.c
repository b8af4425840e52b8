/*
 * Accounts and sessions (<cartel/account.h>): users with argon2id
 * password hashes, sessions whose ids are kept only as their SHA-256, the
 * lock after repeated failures, and the access log. The rows are in
 * src/lib/store/account_store.c; here are the rules.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include <cartel/account.h>
#include <cartel/csv.h>
#include <cartel/error.h>
#include <cartel/register.h>

#include "account/account_int.h"
#include "core/why.h"
#include "store/account_rows.h"

static const char *const role_names[] = {"admin", "registrar", "mediator",
					 "hotline"};

const char *
cartel_role_name(enum cartel_role r)
{
	return (unsigned)r < 4 ? role_names[r] : "";
}

int
cartel_role_parse(const char *text, enum cartel_role *r, char **why)
{
	for (int i = 0; text != NULL && i < 4; i++)
		if (strcmp(text, role_names[i]) == 0) {
			*r = (enum cartel_role)i;
			return 0;
		}
	return cartel__why(why, CARTEL_EINVAL,
			   "the role is one of admin, registrar, mediator, "
			   "hotline");
}

void
cartel_user_clear(struct cartel_user *u)
{
	free(u->name);
	free(u->party);
	free(u->created_at);
	free(u->created_by);
	memset(u, 0, sizeof *u);
}

void
cartel_users_free(struct cartel_user *v, size_t n)
{
	for (size_t i = 0; v != NULL && i < n; i++)
		cartel_user_clear(&v[i]);
	free(v);
}

json_t *
cartel_user_json(const struct cartel_user *u)
{
	return json_pack("{s:s, s:s, s:s?, s:b, s:s?, s:s?}", "name", u->name,
			 "role", cartel_role_name(u->role), "party", u->party,
			 "disabled", u->disabled, "created_at", u->created_at,
			 "created_by", u->created_by);
}

/* A user row into the public form; takes the strings it needs. */
static int
user_from_row(struct cartel__user_row *r, struct cartel_user *u, char **why)
{
	memset(u, 0, sizeof *u);
	if (cartel_role_parse(r->role, &u->role, why) != 0)
		return cartel__why(why, CARTEL_ETAMPER,
				   "a user's role is not one of the roles");
	u->name = r->name;
	u->party = r->party;
	u->created_at = r->created_at;
	u->created_by = r->created_by;
	r->name = r->party = r->created_at = r->created_by = NULL;
	u->disabled = r->disabled;
	u->locked_until = r->locked_until;
	return 0;
}

int
cartel__account_user(struct cartel_db *db, const char *name,
		     struct cartel_user *u, char **pw_hash, int *failures,
		     char **why)
{
	struct cartel__user_row r;
	int err = cartel__user_get(db, name, &r, why);
	if (err != 0)
		return err;
	err = user_from_row(&r, u, why);
	if (err == 0 && pw_hash != NULL) {
		*pw_hash = r.pw_hash;
		r.pw_hash = NULL;
	}
	if (err == 0 && failures != NULL)
		*failures = r.failures;
	cartel__user_row_clear(&r);
	return err;
}

int
cartel_password_check(const char *pw, size_t len, char **why)
{
	if (pw == NULL || len > CARTEL_PASSWORD_MAX)
		return cartel__why(why, CARTEL_EINVAL,
				   "a password is at most %u bytes",
				   CARTEL_PASSWORD_MAX);
	if (memchr(pw, '\0', len) != NULL || !cartel_utf8_valid(pw, len))
		return cartel__why(why, CARTEL_EINVAL,
				   "a password is UTF-8 text");
	size_t chars = 0;
	for (size_t i = 0; i < len; i++)
		if (((unsigned char)pw[i] & 0xC0) != 0x80)
			chars++;
	if (chars < CARTEL_PASSWORD_MIN)
		return cartel__why(why, CARTEL_EINVAL,
				   "a password has at least %d characters",
				   CARTEL_PASSWORD_MIN);
	return 0;
}

static int
name_check(const char *name, char **why)
{
	size_t n = name ? strlen(name) : 0;
	if (n == 0 || n > CARTEL_USER_NAME_MAX)
		return cartel__why(why, CARTEL_EINVAL,
				   "a user name has 1 to %d characters",
				   CARTEL_USER_NAME_MAX);
	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '-'))
			return cartel__why(why, CARTEL_EINVAL,
					   "a user name is made of a-z, 0-9, "
					   "'.', '_' and '-'");
	}
	return 0;
}

/* The cost of the password hashes made from now on: libsodium's
 * interactive cost, unless a test lowered it (cartel__account_hash_cost;
 * nothing else sets these). */
static unsigned long long hash_ops = crypto_pwhash_OPSLIMIT_INTERACTIVE;
static size_t hash_mem = crypto_pwhash_MEMLIMIT_INTERACTIVE;

void
cartel__account_hash_cost(unsigned long long ops, size_t mem)
{
	hash_ops = ops < crypto_pwhash_OPSLIMIT_MIN ? crypto_pwhash_OPSLIMIT_MIN
						    : ops;
	hash_mem = mem < crypto_pwhash_MEMLIMIT_MIN ? crypto_pwhash_MEMLIMIT_MIN
						    : mem;
}

static int
hash_password(const char *pw, size_t len, char out[crypto_pwhash_STRBYTES],
	      char **why)
{
	if (sodium_init() < 0)
		return cartel__why(why, CARTEL_EIO,
				   "the cryptographic library did not start");
	if (crypto_pwhash_str_alg(out, pw, len, hash_ops, hash_mem,
				  crypto_pwhash_ALG_ARGON2ID13) != 0)
		return cartel__why(why, CARTEL_ENOMEM,
				   "out of memory hashing a password");
	return 0;
}

int
cartel_user_add(struct cartel_db *db, const char *name, enum cartel_role role,
		const char *party, const char *pw, size_t pw_len,
		const char *actor, char **why)
{
	int err = name_check(name, why);
	if (err != 0)
		return err;
	if (role == CARTEL_ROLE_REGISTRAR) {
		if (party == NULL)
			return cartel__why(why, CARTEL_EINVAL,
					   "a registrar needs --party");
		if ((err = cartel_party_check(party, why)) != 0)
			return err;
	} else if (party != NULL) {
		return cartel__why(why, CARTEL_EINVAL,
				   "only a registrar has a party");
	}
	if ((err = cartel_password_check(pw, pw_len, why)) != 0)
		return err;
	if (actor == NULL || actor[0] == '\0')
		return cartel__why(why, CARTEL_EINVAL, "who adds the user?");
	char hash[crypto_pwhash_STRBYTES];
	if ((err = hash_password(pw, pw_len, hash, why)) != 0)
		return err;
	char now[32];
	cartel__account_now(now, sizeof now);
	struct cartel__user_row r = {
		.name = (char *)name,
		.role = (char *)cartel_role_name(role),
		.party = (char *)party,
		.pw_hash = hash,
		.created_at = now,
		.created_by = (char *)actor,
	};
	if ((err = cartel_db_begin(db, why)) != 0)
		return err;
	err = cartel__user_insert(db, &r, why);
	if (err == CARTEL_EEXIST)
		err = cartel__why(why, err, "user %s exists already", name);
	if (err == 0)
		err = cartel_audit_append(db, actor, "user.add", name,
					  cartel_role_name(role), why);
	if (err == 0)
		err = cartel_db_commit(db, why);
	if (err != 0)
		cartel_db_rollback(db);
	return err;
}

int
cartel_user_list(struct cartel_db *db, struct cartel_user **out, size_t *n,
		 char **why)
{
	*out = NULL;
	*n = 0;
	struct cartel__user_row *r;
	size_t k;
	int err = cartel__user_list(db, &r, &k, why);
	if (err != 0)
		return err;
	struct cartel_user *v = calloc(k ? k : 1, sizeof *v);
	if (v == NULL)
		err = cartel__why(why, CARTEL_ENOMEM, "out of memory");
	for (size_t i = 0; err == 0 && i < k; i++)
		err = user_from_row(&r[i], &v[i], why);
	for (size_t i = 0; i < k; i++)
		cartel__user_row_clear(&r[i]);
	free(r);
	if (err != 0) {
		cartel_users_free(v, k);
		return err;
	}
	*out = v;
	*n = k;
	return 0;
}

/* One change to a user and the end of its sessions, audited. */
static int
user_change(struct cartel_db *db, const char *name, const char *hash,
	    int disabled, const char *actor, const char *action, char **why)
{
	if (actor == NULL || actor[0] == '\0')
		return cartel__why(why, CARTEL_EINVAL, "who changes the user?");
	char now[32];
	cartel__account_now(now, sizeof now);
	int err = cartel_db_begin(db, why);
	if (err != 0)
		return err;
	struct cartel__user_row r;
	err = cartel__user_get(db, name, &r, why);
	if (err == 0)
		cartel__user_row_clear(&r);
	if (err == 0)
		err = cartel__user_update(db, name, hash, disabled,
					  hash ? 0 : -1, hash ? 0 : -1, now,
					  why);
	if (err == 0)
		err = cartel__session_delete(db, NULL, name, NULL, why);
	if (err == 0)
		err = cartel_audit_append(db, actor, action, name, NULL, why);
	if (err == 0)
		err = cartel_db_commit(db, why);
	if (err != 0)
		cartel_db_rollback(db);
	return err;
}

int
cartel_user_disable(struct cartel_db *db, const char *name, const char *actor,
		    char **why)
{
	return user_change(db, name, NULL, 1, actor, "user.disable", why);
}

int
cartel_user_password(struct cartel_db *db, const char *name, const char *pw,
		     size_t pw_len, const char *actor, char **why)
{
	int err = cartel_password_check(pw, pw_len, why);
	if (err != 0)
		return err;
	char hash[crypto_pwhash_STRBYTES];
	if ((err = hash_password(pw, pw_len, hash, why)) != 0)
		return err;
	return user_change(db, name, hash, -1, actor, "user.password", why);
}

void
cartel_session_clear(struct cartel_session *s)
{
	cartel_user_clear(&s->user);
	sodium_memzero(s->id, sizeof s->id);
	sodium_memzero(s->csrf, sizeof s->csrf);
}

/* 32 random bytes as unpadded base64url (43 characters). */
static void
random_token(char out[48])
{
	unsigned char b[32];
	randombytes_buf(b, sizeof b);
	sodium_bin2base64(out, 48, b, sizeof b,
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(b, sizeof b);
}

/* The SHA-256 of a session id in hex: what the table keeps, so that a
 * copy of the register opens no session. */
static void
id_hash(const char *id, char out[65])
{
	unsigned char h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(h, (const unsigned char *)id, strlen(id));
	sodium_bin2hex(out, 65, h, sizeof h);
}

/* Writes the log line and its audit entry, in one transaction. */
static int
log_alone(struct cartel_db *db, const struct cartel_user *u,
	  const char *action, const char *subject, int allowed,
	  const char *from, char **why)
{
	return cartel_access_log(db, u, action, subject, allowed, from, why);
}

/* A hash of no one's password, so that signing in as an unknown user
 * takes as long as with a wrong password: the time of an answer does not
 * tell which names are accounts. */
static char dummy_hash[crypto_pwhash_STRBYTES];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

static void
dummy_make(void)
{
	char pw[32];
	randombytes_buf(pw, sizeof pw);
	if (hash_password(pw, sizeof pw, dummy_hash, NULL) != 0)
		dummy_hash[0] = '\0';
}

int
cartel_login(struct cartel_db *db, const char *name, const char *pw,
	     size_t pw_len, const char *from, long long now,
	     struct cartel_session *out, char **why)
{
	memset(out, 0, sizeof *out);
	if (sodium_init() < 0)
		return cartel__why(why, CARTEL_EIO,
				   "the cryptographic library did not start");
	struct cartel_user u;
	char *hash = NULL;
	int failures = 0;
	int err = name_check(name, NULL) == 0 && pw != NULL &&
				  pw_len <= CARTEL_PASSWORD_MAX
			  ? cartel__account_user(db, name, &u, &hash,
						 &failures, why)
			  : CARTEL_ENOTFOUND;
	if (err == CARTEL_ENOTFOUND) {
		pthread_once(&dummy_once, dummy_make);
		if (dummy_hash[0] != '\0' && pw != NULL &&
		    pw_len <= CARTEL_PASSWORD_MAX &&
		    crypto_pwhash_str_verify(dummy_hash, pw, pw_len) == 0)
			pw_len = 0; /* cannot happen: no one knows it */
		int e = cartel_access_log(db, NULL, "login", "unknown user", 0,
					  from, why);
		if (e != 0)
			return e;
		return cartel__why(why, CARTEL_EDENIED,
				   "wrong user name or password");
	}
	if (err != 0)
		return err;
	if (u.locked_until > now) {
		free(hash);
		err = log_alone(db, &u, "login", "locked", 0, from, why);
		cartel_user_clear(&u);
		return err != 0 ? err
				: cartel__why(why, CARTEL_ELIMIT,
					      "too many failed sign-ins: the "
					      "account is locked for a while");
	}
	/* The hash is checked outside any transaction: it takes a tenth of
	 * a second, and writers must not wait on it. */
	int ok = crypto_pwhash_str_verify(hash, pw, pw_len) == 0;
	free(hash);
	if (ok && u.disabled)
		ok = 0;
	char now_s[32];
	cartel__account_now(now_s, sizeof now_s);
	if ((err = cartel_db_begin(db, why)) != 0) {
		cartel_user_clear(&u);
		return err;
	}
	if (!ok) {
		int locked = !u.disabled && failures + 1 >= CARTEL_LOGIN_FAILURES;
		err = cartel__user_update(db, u.name, NULL, -1,
					  locked ? 0 : failures + 1,
					  locked ? now + CARTEL_LOGIN_LOCK_S : -1,
					  now_s, why);
		if (err == 0)
			err = cartel_access_log(db, &u, "login",
						u.disabled ? "disabled"
						: locked   ? "locked now"
							   : "wrong password",
						0, from, why);
		if (err == 0)
			err = cartel_db_commit(db, why);
		if (err != 0)
			cartel_db_rollback(db);
		cartel_user_clear(&u);
		return err != 0 ? err
				: cartel__why(why, CARTEL_EDENIED,
					      "wrong user name or password");
	}
	random_token(out->id);
	random_token(out->csrf);
	char key[65];
	id_hash(out->id, key);
	if (failures != 0)
		err = cartel__user_update(db, u.name, NULL, -1, 0, 0, now_s,
					  why);
	if (err == 0)
		err = cartel__session_insert(db, key, u.name, out->csrf, now,
					     why);
	if (err == 0)
		err = cartel_access_log(db, &u, "login", NULL, 1, from, why);
	if (err == 0)
		err = cartel_db_commit(db, why);
	if (err != 0) {
		cartel_db_rollback(db);
		cartel_user_clear(&u);
		cartel_session_clear(out);
		return err;
	}
	out->user = u;
	return 0;
}

int
cartel_session_get(struct cartel_db *db, const char *id, long long now,
		   long long idle_s, const char *from,
		   struct cartel_session *out, char **why)
{
	memset(out, 0, sizeof *out);
	size_t n = id ? strlen(id) : 0;
	if (n == 0 || n >= sizeof out->id)
		return cartel__why(why, CARTEL_EDENIED, "not signed in");
	char key[65];
	id_hash(id, key);
	char *user = NULL, *csrf = NULL;
	long long seen = 0;
	int err = cartel__session_get(db, key, &user, &csrf, &seen, why);
	if (err == CARTEL_ENOTFOUND)
		return cartel__why(why, CARTEL_EDENIED, "not signed in");
	if (err != 0)
		return err;
	struct cartel_user u;
	err = cartel__account_user(db, user, &u, NULL, NULL, why);
	free(user);
	if (err != 0) {
		free(csrf);
		return err;
	}
	const char *end = u.disabled ? "account disabled"
			  : now - seen > idle_s ? "idle too long"
						: NULL;
	if (end != NULL) {
		free(csrf);
		err = cartel_db_begin(db, why);
		if (err == 0)
			err = cartel__session_delete(db, key, NULL, NULL, why);
		if (err == 0)
			err = cartel_access_log(db, &u, "session", end, 0, from,
						why);
		if (err == 0)
			err = cartel_db_commit(db, why);
		if (err != 0)
			cartel_db_rollback(db);
		cartel_user_clear(&u);
		return err != 0 ? err
				: cartel__why(why, CARTEL_EDENIED,
					      "the session has ended: sign in "
					      "again");
	}
	/* Kept alive at most once a minute: every write is an audit entry. */
	if (now - seen >= 60) {
		err = cartel_db_begin(db, why);
		if (err == 0)
			err = cartel__session_seen(db, key, now, why);
		if (err == 0)
			err = cartel_audit_append(db, u.name, "session.seen",
						  NULL, NULL, why);
		if (err == 0)
			err = cartel_db_commit(db, why);
		if (err != 0) {
			cartel_db_rollback(db);
			free(csrf);
			cartel_user_clear(&u);
			return err;
		}
	}
	memcpy(out->id, id, n + 1);
	snprintf(out->csrf, sizeof out->csrf, "%s", csrf);
	free(csrf);
	out->user = u;
	return 0;
}

int
cartel_session_csrf(const struct cartel_session *s, const char *token)
{
	size_t n = strlen(s->csrf);
	if (token == NULL || n == 0 || strlen(token) != n ||
	    sodium_memcmp(token, s->csrf, n) != 0)
		return CARTEL_EDENIED;
	return 0;
}

int
cartel_logout(struct cartel_db *db, const struct cartel_session *s,
	      const char *from, char **why)
{
	char key[65];
	id_hash(s->id, key);
	int err = cartel_db_begin(db, why);
	if (err == 0)
		err = cartel__session_delete(db, key, NULL, NULL, why);
	if (err == 0)
		err = cartel_access_log(db, &s->user, "logout", NULL, 1, from,
					why);
	if (err == 0)
		err = cartel_db_commit(db, why);
	if (err != 0)
		cartel_db_rollback(db);
	return err;
}

int
cartel_access_log(struct cartel_db *db, const struct cartel_user *u,
		  const char *action, const char *subject, int allowed,
		  const char *from, char **why)
{
	char now[32];
	cartel__account_now(now, sizeof now);
	const char *user = u ? u->name : "family";
	if (!cartel__db_in_txn(db) && cartel__access_batched(db))
		return cartel__access_enqueue(
			db, now, user, u ? cartel_role_name(u->role) : "family",
			action, subject, allowed ? "allowed" : "denied", from,
			why);
	int err = cartel_db_begin(db, why);
	if (err != 0)
		return err;
	err = cartel__access_insert(db, now, user,
				    u ? cartel_role_name(u->role) : "family",
				    action, subject,
				    allowed ? "allowed" : "denied", from, why);
	if (err == 0)
		err = cartel_audit_append(db, user, "access", subject, action,
					  why);
	if (err == 0)
		err = cartel_db_commit(db, why);
	if (err != 0)
		cartel_db_rollback(db);
	return err;
}

int
cartel_access_log_json(struct cartel_db *db, long long offset,
		       long long limit, json_t **out, char **why)
{
	*out = NULL;
	struct cartel__access_row *r;
	size_t n;
	long long total;
	int err = cartel__access_list(db, offset, limit, &r, &n, &total, why);
	if (err != 0)
		return err;
	json_t *items = json_array();
	for (size_t i = 0; items != NULL && i < n; i++)
		json_array_append_new(
			items,
			json_pack("{s:I, s:s?, s:s?, s:s?, s:s?, s:s?, s:s?, "
				  "s:s?}",
				  "seq", (json_int_t)r[i].seq, "at", r[i].at,
				  "user", r[i].user, "role", r[i].role,
				  "action", r[i].action, "subject",
				  r[i].subject, "decision", r[i].decision,
				  "address", r[i].address));
	cartel__access_rows_free(r, n);
	*out = json_pack("{s:o, s:I, s:I, s:I}", "items", items, "total",
			 (json_int_t)total, "offset", (json_int_t)offset,
			 "limit", (json_int_t)limit);
	return *out ? 0 : cartel__why(why, CARTEL_ENOMEM, "out of memory");
}
