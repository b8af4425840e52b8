/*
 * Fuzzes cartel serve's request path (src/server/server.c) without a
 * socket: the route, the query string, the headers and the body of one
 * request go through the same dispatcher as a connection's, against a
 * small register on disk with three signed-in accounts. This file brings
 * its own libmicrohttpd: the connection's values come from the input, and
 * the response is caught instead of sent.
 *
 * An input is the request as text:
 *
 *     METHOD /path?query
 *     Header: value
 *     ...
 *     (an empty line)
 *     the body
 *
 * A header "Session: hot" (or "reg", "root") is not sent: it stands for
 * the session cookie and the CSRF token of that account, so that inputs
 * reach the routes behind a sign-in.
 *
 * Invariants: every request gets exactly one answer, with a status the API
 * uses, never 500; an API answer is a JSON object, and an error is
 * {"error", "detail"}; no header holds a line break; the access log
 * commits what the request logged.
 *
 * Every input meets the same register and the same server: after each
 * request the server's memory is put back (server_test_reset) and, when
 * the request changed the register, the register is copied back from the
 * template taken once it was made (SQLite's backup API, through a handle
 * of this file's own). An input found to crash crashes alone, whatever
 * ran before it, and the register never grows. Besides the three
 * signed-in accounts, the template has an account one wrong password from
 * its lock ("tired"), a locked one ("gone") and a disabled one ("off"),
 * and the address SPENT has used up its sign-in and case-code attempts,
 * so that every refusal is reached by one request. The accounts' password
 * hashes are made at libsodium's lowest cost (the argon2id of a sign-in
 * is otherwise a tenth of a second and 64 MiB).
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <microhttpd.h>
#include <sodium.h>
#include <sqlite3.h>

#include <cartel/account.h>
#include <cartel/error.h>
#include <cartel/store.h>

#include "../../src/server/server.h"
#include "account/account_int.h"
#include "fuzz.h"

#define MAX_VALUES 32
#define PASSWORD "a fuzzing passphrase"
#define SPENT "192.0.2.99"

struct kv {
	char *k, *v;
};

struct MHD_Connection {
	struct kv headers[MAX_VALUES], args[MAX_VALUES], cookies[MAX_VALUES];
	int n_headers, n_args, n_cookies;
	int answers;
	unsigned status;
	char *body;
	size_t body_len;
	int json;
};

struct MHD_Response {
	char *buf;
	size_t len;
	int fd;
	int json;
};

static char dir[64];
static char db_path[96];
/* The register as made (in memory), and a handle on the register the
 * server uses, to copy it back through. */
static sqlite3 *template_db, *live_db;
static sqlite3_stmt *data_version;
static long long live_version;
static int schema_version;
static struct {
	const char *name;
	char cookie[128];
	char csrf[64];
} sessions[] = {{"hot", "", ""}, {"reg", "", ""}, {"root", "", ""}};

/* ---- The libmicrohttpd this target links instead of the real one ---- */

static const char *
find(const struct kv *v, int n, const char *key, int nocase)
{
	for (int i = 0; i < n; i++)
		if (nocase ? strcasecmp(v[i].k, key) == 0
		           : strcmp(v[i].k, key) == 0)
			return v[i].v;
	return NULL;
}

const char *
MHD_lookup_connection_value(struct MHD_Connection *c, enum MHD_ValueKind kind,
                            const char *key)
{
	if (key == NULL)
		return NULL;
	switch (kind) {
	case MHD_HEADER_KIND:
		return find(c->headers, c->n_headers, key, 1);
	case MHD_GET_ARGUMENT_KIND:
		return find(c->args, c->n_args, key, 0);
	case MHD_COOKIE_KIND:
		return find(c->cookies, c->n_cookies, key, 0);
	default:
		return NULL;
	}
}

const union MHD_ConnectionInfo *
MHD_get_connection_info(struct MHD_Connection *c,
                        enum MHD_ConnectionInfoType type, ...)
{
	static struct sockaddr_in peer;
	static union MHD_ConnectionInfo info;
	(void)c;
	if (type != MHD_CONNECTION_INFO_CLIENT_ADDRESS)
		return NULL;
	peer.sin_family = AF_INET;
	peer.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	info.client_addr = (struct sockaddr *)&peer;
	return &info;
}

struct MHD_Response *
MHD_create_response_from_buffer(size_t size, void *buffer,
                                enum MHD_ResponseMemoryMode mode)
{
	struct MHD_Response *r = calloc(1, sizeof *r);
	FUZZ_CHECK(r != NULL);
	r->fd = -1;
	r->buf = malloc(size + 1);
	FUZZ_CHECK(r->buf != NULL);
	memcpy(r->buf, buffer, size);
	r->buf[size] = '\0';
	r->len = size;
	if (mode == MHD_RESPMEM_MUST_FREE)
		free(buffer);
	return r;
}

struct MHD_Response *
MHD_create_response_from_fd(size_t size, int fd)
{
	(void)size;
	struct MHD_Response *r = calloc(1, sizeof *r);
	FUZZ_CHECK(r != NULL);
	r->fd = fd;
	return r;
}

enum MHD_Result
MHD_add_response_header(struct MHD_Response *r, const char *header,
                        const char *content)
{
	FUZZ_CHECK(strpbrk(header, "\r\n") == NULL);
	FUZZ_CHECK(strpbrk(content, "\r\n") == NULL);
	if (strcasecmp(header, "Content-Type") == 0 &&
	    strncmp(content, "application/json", 16) == 0)
		r->json = 1;
	return MHD_YES;
}

enum MHD_Result
MHD_queue_response(struct MHD_Connection *c, unsigned int status,
                   struct MHD_Response *r)
{
	c->answers++;
	c->status = status;
	free(c->body);
	c->body = r->buf ? strdup(r->buf) : NULL;
	c->body_len = r->buf ? r->len : 0;
	c->json = r->json;
	return MHD_YES;
}

void
MHD_destroy_response(struct MHD_Response *r)
{
	if (r->fd >= 0)
		close(r->fd);
	free(r->buf);
	free(r);
}

struct MHD_Daemon *
MHD_start_daemon(unsigned int flags, uint16_t port,
                 MHD_AcceptPolicyCallback apc, void *apc_cls,
                 MHD_AccessHandlerCallback dh, void *dh_cls, ...)
{
	(void)flags, (void)port, (void)apc, (void)apc_cls, (void)dh,
	    (void)dh_cls;
	return NULL;
}

MHD_socket
MHD_quiesce_daemon(struct MHD_Daemon *d)
{
	(void)d;
	return MHD_INVALID_SOCKET;
}

void
MHD_stop_daemon(struct MHD_Daemon *d)
{
	(void)d;
}

/* ---- The register and the requests ---- */

static const char persons_csv[] =
    "id,family_name,given_name,patronymic,birth_date,depends_on,held_by,"
    "status,held_since\n"
    "UA-1,Шевченко,Сергій,Петрович,1990-05-01,RU,UA,confirmed_captive,"
    "2024-03-01\n"
    "RU-1,Коваленко,Андрій,Іванович,1985-02-02,UA,RU,confirmed_captive,"
    "2023-11-01\n"
    "UA-M1,Бондаренко,Олег,Миколайович,1995-07-07,UA,,reported_missing,"
    "\n";

static void
setup_register(void)
{
	char *why = NULL;
	struct cartel_db *db;
	/* In memory when /dev/shm is there: a commit's sync then costs
	 * nothing, on a shared machine's disk it waits. */
	snprintf(dir, sizeof dir, "%s/cartel-fuzz-serve.XXXXXX",
	         access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
	FUZZ_CHECK(mkdtemp(dir) != NULL);
	snprintf(db_path, sizeof db_path, "%s/r.db", dir);
	cartel__account_hash_cost(crypto_pwhash_OPSLIMIT_MIN,
	                          crypto_pwhash_MEMLIMIT_MIN);
	if (cartel_db_open(&db, db_path, CARTEL_DB_CREATE, &why) != 0) {
		fprintf(stderr, "cannot create the register: %s\n",
		        why ? why : "");
		abort();
	}
	FILE *fp = fmemopen((void *)persons_csv, sizeof persons_csv - 1, "r");
	FUZZ_CHECK(fp != NULL);
	struct cartel_import_opts opts;
	memset(&opts, 0, sizeof opts);
	opts.all_or_nothing = 1;
	opts.actor = "fuzz";
	struct cartel_import_result res;
	memset(&res, 0, sizeof res);
	FUZZ_CHECK(
	    cartel_import_csv(db, fp, "persons.csv", &opts, &res, &why) == 0);
	cartel_import_result_clear(&res);
	fclose(fp);
	static const struct {
		const char *name;
		enum cartel_role role;
		const char *party;
	} users[] = {{"hot", CARTEL_ROLE_HOTLINE, NULL},
	             {"reg", CARTEL_ROLE_REGISTRAR, "UA"},
	             {"root", CARTEL_ROLE_ADMIN, NULL}};
	for (size_t i = 0; i < 3; i++) {
		FUZZ_CHECK(cartel_user_add(
		               db, users[i].name, users[i].role, users[i].party,
		               PASSWORD, strlen(PASSWORD), "fuzz", &why) == 0);
		struct cartel_session s;
		FUZZ_CHECK(cartel_login(db, users[i].name, PASSWORD,
		                        strlen(PASSWORD), "127.0.0.1",
		                        (long long)time(NULL), &s, &why) == 0);
		snprintf(sessions[i].cookie, sizeof sessions[i].cookie, "%s",
		         s.id);
		snprintf(sessions[i].csrf, sizeof sessions[i].csrf, "%s",
		         s.csrf);
		cartel_session_clear(&s);
	}
	/* One wrong password from its lock, locked, disabled. */
	static const struct {
		const char *name;
		int failures;
	} others[] = {{"tired", CARTEL_LOGIN_FAILURES - 1},
	              {"gone", CARTEL_LOGIN_FAILURES},
	              {"off", 0}};
	for (size_t i = 0; i < 3; i++) {
		FUZZ_CHECK(cartel_user_add(db, others[i].name,
		                           CARTEL_ROLE_HOTLINE, NULL, PASSWORD,
		                           strlen(PASSWORD), "fuzz",
		                           &why) == 0);
		for (int k = 0; k < others[i].failures; k++) {
			struct cartel_session s;
			FUZZ_CHECK(cartel_login(db, others[i].name, "wrong", 5,
			                        "127.0.0.1",
			                        (long long)time(NULL), &s,
			                        &why) == CARTEL_EDENIED);
			free(why);
			why = NULL;
		}
	}
	FUZZ_CHECK(cartel_user_disable(db, "off", "fuzz", &why) == 0);
	cartel_db_close(db);

	/* The template, and the handle that copies it back. */
	FUZZ_CHECK(sqlite3_open_v2(db_path, &live_db, SQLITE_OPEN_READWRITE,
	                           NULL) == SQLITE_OK);
	sqlite3_busy_timeout(live_db, 10000);
	FUZZ_CHECK(sqlite3_open(":memory:", &template_db) == SQLITE_OK);
	sqlite3_backup *b =
	    sqlite3_backup_init(template_db, "main", live_db, "main");
	FUZZ_CHECK(b != NULL);
	FUZZ_CHECK(sqlite3_backup_step(b, -1) == SQLITE_DONE);
	FUZZ_CHECK(sqlite3_backup_finish(b) == SQLITE_OK);
	FUZZ_CHECK(sqlite3_prepare_v2(live_db, "PRAGMA data_version", -1,
	                              &data_version, NULL) == SQLITE_OK);
	sqlite3_stmt *st;
	FUZZ_CHECK(sqlite3_prepare_v2(live_db, "PRAGMA schema_version", -1,
	                              &st, NULL) == SQLITE_OK);
	FUZZ_CHECK(sqlite3_step(st) == SQLITE_ROW);
	schema_version = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
}

/* The register's data_version as live_db sees it: it changes when
 * another handle (the server's, the access log's) commits. */
static long long
live_data_version(void)
{
	FUZZ_CHECK(sqlite3_step(data_version) == SQLITE_ROW);
	long long v = sqlite3_column_int64(data_version, 0);
	sqlite3_reset(data_version);
	return v;
}

/* The register as the template has it, when a request changed it. */
static void
restore_register(void)
{
	long long v = live_data_version();
	if (v == live_version)
		return;
	sqlite3_backup *b =
	    sqlite3_backup_init(live_db, "main", template_db, "main");
	FUZZ_CHECK(b != NULL);
	int rc = sqlite3_backup_step(b, -1);
	if (rc != SQLITE_DONE)
		fprintf(stderr, "restoring the register: %s\n",
		        sqlite3_errmsg(live_db));
	FUZZ_CHECK(rc == SQLITE_DONE);
	FUZZ_CHECK(sqlite3_backup_finish(b) == SQLITE_OK);
	/* The copy raised the schema's version, which would make every
	 * handle read the schema again and prepare its statements anew: the
	 * schema is the template's, so its version is too. (A handle that
	 * saw a schema changed by the request sees the version change.) */
	char sql[64];
	snprintf(sql, sizeof sql, "PRAGMA schema_version = %d",
	         schema_version);
	FUZZ_CHECK(sqlite3_exec(live_db, sql, NULL, NULL, NULL) == SQLITE_OK);
	live_version = live_data_version();
}

static void
cleanup(void)
{
	server_test_end();
	sqlite3_finalize(data_version);
	sqlite3_close(live_db);
	sqlite3_close(template_db);
	char path[128];
	static const char *const files[] = {"r.db", "r.db-wal", "r.db-shm",
	                                    "r.db.search"};
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		snprintf(path, sizeof path, "%s/%s", dir, files[i]);
		unlink(path);
	}
	rmdir(dir);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	setenv("CARTEL_TODAY", "2026-12-01", 1);
	setup_register();
	FUZZ_CHECK(server_test_init(db_path, NULL) == 0);
	FUZZ_CHECK(server_test_reset(SPENT) == 0);
	live_version = live_data_version();
	atexit(cleanup);
	return 0;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decodes %XX (and '+' for a space in a query) in place, as
 * libmicrohttpd does before the server sees a value. */
static void
unescape(char *s, int plus)
{
	char *o = s;
	for (char *p = s; *p; p++) {
		int h, l;
		if (*p == '%' && (h = hexval(p[1])) >= 0 &&
		    (l = hexval(p[2])) >= 0) {
			*o++ = (char)(h * 16 + l);
			p += 2;
		} else {
			*o++ = plus && *p == '+' ? ' ' : *p;
		}
	}
	*o = '\0';
}

static void
add(struct kv *v, int *n, char *k, char *val)
{
	if (*n < MAX_VALUES) {
		v[*n].k = k;
		v[*n].v = val;
		(*n)++;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 70000)
		return 0;
	char *text = fuzz_cstr(data, size);
	if (text == NULL)
		return 0;
	struct MHD_Connection c;
	memset(&c, 0, sizeof c);
	/* The body: after the first empty line (its length is the input's,
	 * NULs included). */
	char *body = strstr(text, "\n\n");
	size_t body_len = 0;
	if (body != NULL) {
		*body = '\0';
		body += 2;
		body_len = size - (size_t)(body - text);
	}
	char *line_end = strchr(text, '\n');
	if (line_end != NULL)
		*line_end = '\0';
	char *method = text, *url = strchr(text, ' ');
	if (url == NULL || url == text) {
		free(text);
		return 0;
	}
	*url++ = '\0';
	char *query = strchr(url, '?');
	if (query != NULL) {
		*query++ = '\0';
		for (char *p = query; p != NULL && *p;) {
			char *amp = strchr(p, '&');
			if (amp != NULL)
				*amp = '\0';
			char *eq = strchr(p, '=');
			if (eq != NULL)
				*eq++ = '\0';
			unescape(p, 1);
			if (eq != NULL)
				unescape(eq, 1);
			add(c.args, &c.n_args, p, eq ? eq : (char *)"");
			p = amp ? amp + 1 : NULL;
		}
	}
	unescape(url, 0);
	char session_cookie[160] = "";
	for (char *p = line_end ? line_end + 1 : NULL; p != NULL && *p;) {
		char *nl = strchr(p, '\n');
		if (nl != NULL)
			*nl = '\0';
		char *colon = strchr(p, ':');
		if (colon != NULL) {
			*colon = '\0';
			char *v = colon + 1;
			while (*v == ' ')
				v++;
			if (strcasecmp(p, "Session") == 0) {
				for (size_t i = 0; i < 3; i++)
					if (strcmp(v, sessions[i].name) == 0) {
						snprintf(session_cookie,
						         sizeof session_cookie,
						         "%s",
						         sessions[i].cookie);
						add(c.headers, &c.n_headers,
						    (char *)"X-CSRF-Token",
						    sessions[i].csrf);
					}
			} else if (strcasecmp(p, "Cookie") == 0) {
				/* name=value; name=value */
				for (char *q = v; q != NULL && *q;) {
					char *semi = strchr(q, ';');
					if (semi != NULL)
						*semi = '\0';
					while (*q == ' ')
						q++;
					char *eq = strchr(q, '=');
					if (eq != NULL) {
						*eq = '\0';
						add(c.cookies, &c.n_cookies, q,
						    eq + 1);
					}
					q = semi ? semi + 1 : NULL;
				}
			} else {
				add(c.headers, &c.n_headers, p, v);
			}
		}
		p = nl ? nl + 1 : NULL;
	}
	if (session_cookie[0])
		add(c.cookies, &c.n_cookies, (char *)"cartel_session",
		    session_cookie);
	if (body_len > 0 &&
	    find(c.headers, c.n_headers, "Content-Length", 1) == NULL) {
		static char cl[32];
		snprintf(cl, sizeof cl, "%zu", body_len);
		add(c.headers, &c.n_headers, (char *)"Content-Length", cl);
	}

	int rc = server_test_request(&c, method, url, body, body_len);
	FUZZ_CHECK(rc == 0);
	FUZZ_CHECK(c.answers == 1);
	static const unsigned statuses[] = {200, 201, 400, 401, 403, 404, 405,
	                                    409, 413, 415, 422, 429, 503};
	int known = 0;
	for (size_t i = 0; i < sizeof statuses / sizeof statuses[0]; i++)
		known |= c.status == statuses[i];
	if (!known || c.status == 500)
		fprintf(stderr, "status %u: %.300s\n", c.status,
		        c.body ? c.body : "");
	FUZZ_CHECK(known);
	if (c.json) {
		json_error_t je;
		json_t *j =
		    json_loadb(c.body ? c.body : "", c.body_len, 0, &je);
		FUZZ_CHECK(json_is_object(j));
		if (c.status >= 400) {
			FUZZ_CHECK(json_is_string(json_object_get(j, "error")));
			FUZZ_CHECK(
			    json_is_string(json_object_get(j, "detail")));
		}
		json_decref(j);
	}
	free(c.body);
	free(text);
	/* What the request logged is committed; then the next input meets
	 * the server and the register as the first did. */
	FUZZ_CHECK(server_test_reset(SPENT) == 0);
	restore_register();
	return 0;
}
