/*
 * cartel serve: the HTTP/JSON API of docs/api.md and the web app's static
 * files, on libmicrohttpd with a pool of worker threads.
 *
 * Each worker thread opens its own handle on the register the first time
 * it answers a request (one SQLite connection per thread: the register is
 * in WAL mode, so readers never wait behind a writer). Everything a route
 * does is one library call; this file parses the request, looks up the
 * session, and turns the library's answer or error into a response.
 *
 * Limits: a request line and its headers must fit in the connection's
 * memory pool (CONN_MEMORY; libmicrohttpd answers 414 or 431 past it),
 * bodies are at most BODY_MAX bytes (413) but for the routes of
 * body_limits (a round document, a list uploaded), a connection idle for
 * CONN_TIMEOUT_S seconds (--timeout) is closed (slow clients, slow-loris headers).
 * SIGTERM or SIGINT stops accepting, lets the requests in flight finish
 * (up to DRAIN_S seconds), then exits.
 *
 * The server's own log (standard error) names the route's pattern and the
 * status only: never a name, an id, a case code or an address.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <microhttpd.h>

#include <cartel/account.h>
#include <cartel/cartel.h>
#include <cartel/i18n.h>
#include <cartel/inquiry.h>
#include <cartel/json.h>
#include <cartel/limits.h>
#include <cartel/match.h>
#include <cartel/pfif.h>
#include <cartel/report.h>
#include <cartel/round.h>
#include <cartel/store.h>

#include "server.h"

#define BODY_MAX (64u << 10)
#define CONN_MEMORY (64u << 10)
#define CONN_TIMEOUT_S 15
#define DRAIN_S 20
#define MAX_THREADS 64
#define PAGE_MAX 200
#define PFIF_PAGE 100      /* persons in a page of the PFIF feed ... */
#define PFIF_PAGE_MAX 1000 /* ... and at most */
#define COOKIE "cartel_session"
#define ACCESS_FLUSH_MS 5
#define MAX_PROXIES 8
#define CASE_LIMIT 10      /* wrong case codes per address ... */
#define CASE_WINDOW_S 600  /* ... in ten minutes */

static const char csp[] =
	"default-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
	"form-action 'self'; object-src 'none'";

struct server {
	const char *db_path;
	char web_root[PATH_MAX];
	int have_web;
	int secure;
	long long idle_s;
	unsigned timeout_s;
	long login_limit; /* sign-in attempts a minute per address */
	struct cartel_limiter *login_addr; /* attempts per address */
	struct cartel_limiter *case_addr;  /* wrong case codes per address */
	atomic_int in_flight;
	/* The access log's queue: reads are logged in batches (docs/api.md,
	 * "The access log"). */
	struct cartel_access_batch *log;
	/* --trusted-proxy: peers whose X-Forwarded-For names the client. */
	struct sockaddr_storage proxy[MAX_PROXIES];
	int n_proxies;
	pthread_mutex_t mu;
	struct cartel_db *dbs[MAX_THREADS + 1];
	int n_dbs;
	/* The time requests are answered at, for sessions, locks and
	 * limits: the clock's, or fixed by server_test_init. */
	long long fixed_now;
};

static struct server S;
static _Thread_local struct cartel_db *t_db;

static long long
server_now(void)
{
	return S.fixed_now != 0 ? S.fixed_now : (long long)time(NULL);
}

/* One request: its body as it arrives. */
struct req {
	char *body;
	size_t len;
	size_t cap;	  /* bytes allocated at body */
	size_t max;	  /* the most of a body this request may send */
	int too_big;
	int answered; /* a response was queued before the body ended */
};

/* What a route answers. */
struct resp {
	int status;
	json_t *body;
	/* A body that is not JSON (a chart): malloc'd, sent as it is. */
	unsigned char *raw;
	size_t raw_len;
	const char *raw_type;
	char cookie[256];
	char link[512]; /* a Link header (the next page of a feed) */
	const char *retry_after;
	const char *route; /* the pattern, for the server's log */
};

static struct cartel_db *
worker_db(char **why)
{
	if (t_db != NULL)
		return t_db;
	struct cartel_db *db;
	int err = cartel_db_open(&db, S.db_path, 0, why);
	if (err != 0)
		return NULL;
	cartel_access_batch_use(db, S.log);
	pthread_mutex_lock(&S.mu);
	if (S.n_dbs < MAX_THREADS + 1) {
		S.dbs[S.n_dbs++] = db;
		t_db = db;
	}
	pthread_mutex_unlock(&S.mu);
	if (t_db == NULL)
		cartel_db_close(db);
	return t_db;
}

static void
set_error(struct resp *r, int status, const char *code, const char *detail)
{
	json_decref(r->body);
	r->status = status;
	r->body = json_pack("{s:s, s:s}", "error", code, "detail",
			    detail ? detail : code);
}

/* A library error as its HTTP status. */
static void
set_lib_error(struct resp *r, int err, char *why, int signed_in)
{
	int status;
	const char *code;
	switch (err) {
	case CARTEL_EINVAL:
	case CARTEL_EFORMAT:
	case CARTEL_ERANGE:
	case CARTEL_ESTATE:
		status = 422, code = "invalid";
		break;
	case CARTEL_EDENIED:
		status = signed_in ? 403 : 401;
		code = signed_in ? "forbidden" : "unauthorized";
		break;
	case CARTEL_ENOTFOUND:
		status = 404, code = "not_found";
		break;
	case CARTEL_ECONFLICT:
	case CARTEL_EEXIST:
		status = 409, code = "conflict";
		break;
	case CARTEL_ELIMIT:
		status = 429, code = "too_many_requests";
		r->retry_after = "900";
		break;
	case CARTEL_EBUSY:
		/* A long write (an import at the command line) holds the
		 * register past the busy timeout: try again shortly. */
		status = 503, code = "unavailable";
		r->retry_after = "5";
		free(why);
		why = NULL;
		break;
	default:
		status = 500, code = "internal";
		/* The register's own words stay out of the answer. */
		free(why);
		why = NULL;
		break;
	}
	set_error(r, status, code, why ? why : cartel_strerror(err));
	free(why);
}

static void
set_json(struct resp *r, int status, json_t *body)
{
	if (body == NULL) {
		set_error(r, 500, "internal", "out of memory");
		return;
	}
	json_decref(r->body);
	r->status = status;
	r->body = body;
}

/* 1 when sa is one of the --trusted-proxy addresses. */
static int
trusted_proxy(const struct sockaddr *sa)
{
	for (int i = 0; i < S.n_proxies; i++) {
		const struct sockaddr *p = (const struct sockaddr *)&S.proxy[i];
		if (p->sa_family != sa->sa_family)
			continue;
		if (sa->sa_family == AF_INET &&
		    memcmp(&((const struct sockaddr_in *)p)->sin_addr,
			   &((const struct sockaddr_in *)sa)->sin_addr,
			   sizeof(struct in_addr)) == 0)
			return 1;
		if (sa->sa_family == AF_INET6 &&
		    memcmp(&((const struct sockaddr_in6 *)p)->sin6_addr,
			   &((const struct sockaddr_in6 *)sa)->sin6_addr,
			   sizeof(struct in6_addr)) == 0)
			return 1;
	}
	return 0;
}

/* The last address of an X-Forwarded-For list, in canonical form, into
 * buf: the one the trusted proxy appended (those before it are whatever
 * the client sent). 0, or -1 when it is not an IP address. */
static int
forwarded_for(const char *xff, char *buf, size_t size)
{
	const char *last = strrchr(xff, ',');
	last = last ? last + 1 : xff;
	while (*last == ' ' || *last == '\t')
		last++;
	char a[INET6_ADDRSTRLEN];
	size_t n = strcspn(last, " \t");
	if (n == 0 || n >= sizeof a ||
	    last[n + strspn(last + n, " \t")] != '\0')
		return -1;
	memcpy(a, last, n);
	a[n] = '\0';
	unsigned char bin[sizeof(struct in6_addr)];
	if (inet_pton(AF_INET, a, bin) == 1)
		return inet_ntop(AF_INET, bin, buf, (socklen_t)size) ? 0 : -1;
	if (inet_pton(AF_INET6, a, bin) == 1)
		return inet_ntop(AF_INET6, bin, buf, (socklen_t)size) ? 0 : -1;
	return -1;
}

/* The client's address, for the access log and the limits: the peer's,
 * or, when the peer is a --trusted-proxy, the address its X-Forwarded-For
 * names (docs/deploy.md). */
static void
client_addr(struct MHD_Connection *c, char *buf, size_t size)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	snprintf(buf, size, "unknown");
	if (ci == NULL || ci->client_addr == NULL)
		return;
	const struct sockaddr *sa = ci->client_addr;
	if (S.n_proxies > 0 && trusted_proxy(sa)) {
		const char *xff = MHD_lookup_connection_value(
			c, MHD_HEADER_KIND, "X-Forwarded-For");
		if (xff != NULL && forwarded_for(xff, buf, size) == 0)
			return;
	}
	if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr,
			  buf, (socklen_t)size);
	else if (sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6,
			  &((const struct sockaddr_in6 *)sa)->sin6_addr, buf,
			  (socklen_t)size);
}

/* A paging parameter: 0 when absent; -1 when not a number in range. */
static long long
arg_num(struct MHD_Connection *c, const char *name, long long dflt,
	long long max)
{
	const char *s = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND,
						    name);
	if (s == NULL || s[0] == '\0')
		return dflt;
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < 0 || v > max)
		return -1;
	return v;
}

static int
paging(struct MHD_Connection *c, struct resp *r, long long *offset,
       long long *limit)
{
	*offset = arg_num(c, "offset", 0, 1000000000LL);
	*limit = arg_num(c, "limit", 50, PAGE_MAX);
	if (*offset < 0 || *limit < 1) {
		set_error(r, 400, "bad_request",
			  "offset is a whole number, limit one from 1 to 200");
		return -1;
	}
	return 0;
}

/* Pages a JSON array: {"items", "total", "offset", "limit"}; steals a. */
static json_t *
page(json_t *a, long long offset, long long limit)
{
	if (a == NULL)
		return NULL;
	json_t *items = json_array();
	size_t n = json_array_size(a);
	for (size_t i = (size_t)offset; i < n && i < (size_t)(offset + limit);
	     i++)
		json_array_append(items, json_array_get(a, i));
	json_decref(a);
	return json_pack("{s:o, s:I, s:I, s:I}", "items", items, "total",
			 (json_int_t)n, "offset", (json_int_t)offset, "limit",
			 (json_int_t)limit);
}

/* The body as a JSON object, or an error set on r. */
static json_t *
body_json(struct MHD_Connection *c, struct req *q, struct resp *r)
{
	const char *ct = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
						     "Content-Type");
	if (ct == NULL || strncasecmp(ct, "application/json", 16) != 0 ||
	    (ct[16] != '\0' && ct[16] != ';')) {
		set_error(r, 415, "unsupported_media_type",
			  "send the body as application/json");
		return NULL;
	}
	json_error_t je;
	json_t *v = json_loadb(q->body ? q->body : "", q->len,
			       JSON_REJECT_DUPLICATES, &je);
	if (v == NULL) {
		char d[256];
		snprintf(d, sizeof d, "the body is not JSON (line %d, column "
			 "%d): %.160s", je.line, je.column, je.text);
		set_error(r, 400, "bad_request", d);
		return NULL;
	}
	if (!json_is_object(v)) {
		json_decref(v);
		set_error(r, 422, "invalid", "the body must be a JSON object");
		return NULL;
	}
	return v;
}

/* The route table: what the server really has (compared with
 * docs/openapi.json by tests/e2e/serve_api.sh). */
static const char *const routes[][2] = {
	{"GET", "/healthz"},
	{"GET", "/api/i18n/{lang}"},
	{"POST", "/api/login"},
	{"POST", "/api/logout"},
	{"GET", "/api/session"},
	{"GET", "/api/persons"},
	{"POST", "/api/persons"},
	{"GET", "/api/persons/{id}"},
	{"POST", "/api/persons/{id}/events"},
	{"POST", "/api/inquiries"},
	{"GET", "/api/inquiries"},
	{"GET", "/api/inquiries/{id}"},
	{"POST", "/api/inquiries/{id}/callback-done"},
	{"GET", "/api/callbacks"},
	{"GET", "/api/review"},
	{"POST", "/api/review/{inquiry_id}/{person_id}"},
	{"GET", "/api/cases/{case_code}"},
	{"GET", "/api/stats"},
	{"GET", "/api/stats/charts/{chart}"},
	{"GET", "/api/access-log"},
	{"GET", "/api/audit/verify"},
	{"GET", "/api/rounds/{id}/handover"},
	{"POST", "/api/rounds/{id}/handover/{person_id}"},
	{"GET", "/api/policies"},
	{"POST", "/api/policies"},
	{"POST", "/api/plan"},
	{"GET", "/api/documents"},
	{"POST", "/api/documents"},
	{"GET", "/api/documents/{id}"},
	{"GET", "/api/documents/{id}/diff/{other}"},
	{"POST", "/api/inquiries/{id}/close"},
	{"GET", "/api/duplicates"},
	{"POST", "/api/merges"},
	{"POST", "/api/merges/{other}/undo"},
	{"POST", "/api/imports"},
	{"GET", "/api/imports/{id}"},
	{"GET", "/api/pfif"},
};
#define N_ROUTES (sizeof routes / sizeof routes[0])

/* Splits path into at most 5 segments; returns their number, -1 when
 * there are more or one is empty. */
static int
segments(const char *path, char seg[5][256])
{
	int n = 0;
	const char *p = path;
	while (*p == '/') {
		p++;
		const char *e = strchr(p, '/');
		size_t l = e ? (size_t)(e - p) : strlen(p);
		if (n == 5 || l == 0 || l >= 256)
			return -1;
		memcpy(seg[n], p, l);
		seg[n][l] = '\0';
		n++;
		p += l;
	}
	return *p == '\0' ? n : -1;
}

/* Index in routes of the route matching method and path (fills args), or
 * -1 (no such path) or -2 (the path exists with another method). */
static int
match_route(const char *method, const char *path, char args[2][256])
{
	char seg[5][256];
	int n = segments(path, seg);
	if (n < 0)
		return -1;
	int path_seen = 0;
	for (size_t i = 0; i < N_ROUTES; i++) {
		char rs[5][256];
		int rn = segments(routes[i][1], rs);
		if (rn != n)
			continue;
		int ok = 1, k = 0;
		for (int s = 0; s < n && ok; s++) {
			if (rs[s][0] == '{') {
				if (k < 2) {
					memcpy(args[k], seg[s], 256);
					k++;
				}
			} else if (strcmp(rs[s], seg[s]) != 0) {
				ok = 0;
			}
		}
		if (!ok)
			continue;
		path_seen = 1;
		if (strcmp(routes[i][0], method) == 0 ||
		    (strcmp(method, "HEAD") == 0 &&
		     strcmp(routes[i][0], "GET") == 0))
			return (int)i;
	}
	return path_seen ? -2 : -1;
}

/*
 * Request bodies larger than BODY_MAX, route by route (docs/limits.md):
 * every other route takes at most BODY_MAX. A larger limit is granted
 * only to a request of a signed-in session that sends its CSRF token, so
 * that no one without an account can make the server hold more than
 * BODY_MAX for him; any other request to these routes keeps BODY_MAX
 * (and is refused by the route as before).
 */
static const struct body_limit {
	const char *method;
	const char *route; /* a pattern of routes[] */
	size_t max;
} body_limits[] = {
	/* A round document of 10,438 persons is 5.6 MB as text. */
	{"POST", "/api/documents", CARTEL_LIMIT_HTTP_DOCUMENT},
	/* A list to import, CSV or XLSX. */
	{"POST", "/api/imports", CARTEL_LIMIT_HTTP_IMPORT},
};

/* Sets q->max for method and the URL's path, when its
 * headers have arrived: before any of the body is kept. */
static void
body_limit(struct MHD_Connection *c, const char *method, const char *url,
	   struct req *q)
{
	q->max = BODY_MAX;
	int ri = -1;
	for (size_t i = 0; i < sizeof body_limits / sizeof body_limits[0];
	     i++)
		if (strcmp(body_limits[i].method, method) == 0 &&
		    strncmp(url, "/api/", 5) == 0) {
			char args[2][256];
			ri = match_route(method, url, args);
			break;
		}
	const struct body_limit *bl = NULL;
	for (size_t i = 0; ri >= 0 && i < sizeof body_limits /
						  sizeof body_limits[0];
	     i++)
		if (strcmp(body_limits[i].method, routes[ri][0]) == 0 &&
		    strcmp(body_limits[i].route, routes[ri][1]) == 0)
			bl = &body_limits[i];
	if (bl == NULL)
		return;
	char *why = NULL, from[64];
	struct cartel_db *db = worker_db(&why);
	free(why);
	why = NULL;
	if (db == NULL)
		return;
	client_addr(c, from, sizeof from);
	struct cartel_session s;
	const char *sid = MHD_lookup_connection_value(c, MHD_COOKIE_KIND,
						      COOKIE);
	if (cartel_session_get(db, sid, (long long)time(NULL), S.idle_s, from,
			       &s, &why) != 0) {
		free(why);
		return;
	}
	if (cartel_session_csrf(&s, MHD_lookup_connection_value(
					    c, MHD_HEADER_KIND,
					    "X-CSRF-Token")) == 0) {
		q->max = bl->max;
	}
	cartel_session_clear(&s);
}

/* Imports (docs/api.md): the list is the body itself, a CSV or a
 * workbook, told apart by its Content-Type. */
static void
import_start(struct MHD_Connection *c, struct req *q, struct cartel_db *db,
	     const struct cartel_user *u, const char *from, struct resp *r,
	     json_t **out, int *status, int *err, char **why)
{
	static const char xlsx[] = "application/vnd.openxmlformats-"
				   "officedocument.spreadsheetml.sheet";
	const char *ct = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
						     "Content-Type");
	size_t n = ct ? strcspn(ct, "; ") : 0;
	enum cartel_import_format fmt;
	if (n == 8 && strncasecmp(ct, "text/csv", 8) == 0) {
		fmt = CARTEL_IMPORT_CSV;
	} else if (n == sizeof xlsx - 1 && strncasecmp(ct, xlsx, n) == 0) {
		fmt = CARTEL_IMPORT_XLSX;
	} else {
		set_error(r, 415, "unsupported_media_type",
			  "send the list as text/csv or as an XLSX workbook");
		return;
	}
	*err = cartel_account_import_start(
		db, S.db_path, u, fmt, q->body ? q->body : "", q->len,
		MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "name"),
		from, out, why);
	*status = 202;
}

/* Planning a round and the documents received (docs/api.md): each
 * route one library call, which checks the role and logs. Returns 1 when
 * route is one of these (*err, *out, *status set, or r->body when the
 * request itself was refused), else 0. */
static int
round_api(struct MHD_Connection *c, struct req *q, struct cartel_db *db,
	  const char *route, int post, char args[2][256],
	  const struct cartel_user *u, const char *from, struct resp *r,
	  json_t **out, int *status, int *err, char **why)
{
	long long off = 0, lim = 0;
	json_t *b = NULL;
	int listing = !post && (strcmp(route, "/api/policies") == 0 ||
				strcmp(route, "/api/documents") == 0);
	if (listing && paging(c, r, &off, &lim) != 0)
		return 1;
	if (post && (strcmp(route, "/api/policies") == 0 ||
	     strcmp(route, "/api/plan") == 0 ||
	     strcmp(route, "/api/documents") == 0) &&
	    (b = body_json(c, q, r)) == NULL)
		return 1;
	if (strcmp(route, "/api/policies") == 0 && post) {
		*err = cartel_account_policy_add(db, u, b, from, out, why);
		*status = 201;
	} else if (strcmp(route, "/api/policies") == 0) {
		*err = cartel_account_policies(db, u, off, lim, from, out, why);
	} else if (strcmp(route, "/api/plan") == 0) {
		*err = cartel_account_plan(db, u, b, from, out, why);
	} else if (strcmp(route, "/api/documents") == 0 && post) {
		*err = cartel_account_document_add(db, u, b, from, out, why);
		*status = 201;
	} else if (strcmp(route, "/api/documents") == 0) {
		const char *round = MHD_lookup_connection_value(
			c, MHD_GET_ARGUMENT_KIND, "round");
		*err = cartel_account_documents(db, u,
						round && round[0] ? round
								  : NULL,
						off, lim, from, out, why);
	} else if (strcmp(route, "/api/documents/{id}") == 0) {
		*err = cartel_account_document(db, u, args[0], from, out, why);
	} else if (strcmp(route, "/api/documents/{id}/diff/{other}") == 0) {
		*err = cartel_account_document_diff(db, u, args[0], args[1],
						    from, out, why);
	} else {
		return 0;
	}
	json_decref(b);
	return 1;
}

/* GET /api/pfif (docs/api.md): the PFIF 1.4 feed the caller's role may
 * publish, a page at a time by min_entry_date and skip. Returns 0 when
 * answered (r set), else the library's error with *why. */
static int
pfif_feed(struct MHD_Connection *c, struct cartel_db *db,
	  const struct cartel_user *u, const char *from, int head,
	  struct resp *r, char **why)
{
	struct cartel_pfif_opts o = {0};
	o.probe = head; /* HEAD: the headers only, no transfer */
	const char *v;
#define ARG(name) MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, name)
	long long skip = arg_num(c, "skip", 0, 1000000000LL);
	long long max = arg_num(c, "max_results", PFIF_PAGE, PFIF_PAGE_MAX);
	if (skip < 0 || max < 1) {
		set_error(r, 400, "bad_request",
			  "skip is a whole number, max_results one from 1 "
			  "to 1000");
		return 0;
	}
	o.skip = (size_t)skip;
	o.max_results = (size_t)max;
	if ((v = ARG("min_entry_date")) != NULL && v[0])
		o.min_entry_date = v;
	if ((v = ARG("domain")) != NULL && v[0])
		o.domain = v;
	if ((v = ARG("include_captives")) != NULL && v[0]) {
		if (strcmp(v, "1") != 0 && strcmp(v, "0") != 0) {
			set_error(r, 400, "bad_request",
				  "include_captives is 1 or 0");
			return 0;
		}
		o.include_captives = v[0] == '1';
	}
	if ((v = ARG("with")) != NULL && v[0]) {
		int err = cartel_pfif_with_parse(v, &o.with, why);
		if (err != 0)
			return err;
	}
	const char *to = ARG("to");
#undef ARG
	char *doc = NULL;
	size_t len = 0;
	struct cartel_pfif_counts n;
	int err = cartel_account_pfif(db, u, &o, to, from, &doc, &len, &n,
				      why);
	if (err != 0)
		return err;
	if (n.more) {
		/* The same question, from where this page ended. The
		 * domain was checked by the library (a host name). */
		char with[48] = "";
		static const char *const words[] = {"health", "legal_hold",
						    "notes"};
		for (int k = 0; k < 3; k++)
			if (o.with & (1u << k))
				snprintf(with + strlen(with),
					 sizeof with - strlen(with), "%s%s",
					 with[0] ? "," : "&with=", words[k]);
		int w = snprintf(r->link, sizeof r->link,
				 "</api/pfif?min_entry_date=%s&skip=%zu"
				 "&max_results=%lld%s%s%s%s>; rel=\"next\"",
				 n.next_min_entry_date, n.next_skip, max,
				 o.include_captives ? "&include_captives=1"
						    : "",
				 with, o.domain ? "&domain=" : "",
				 o.domain ? o.domain : "");
		if (w < 0 || (size_t)w >= sizeof r->link)
			r->link[0] = '\0';
	}
	r->status = 200;
	r->raw = (unsigned char *)doc;
	r->raw_len = len;
	r->raw_type = "application/xml; charset=utf-8";
	return 0;
}

/* The API: one route, one library call. */
static void
api(struct MHD_Connection *c, struct req *q, const char *method,
    const char *path, struct resp *r)
{
	char from[64], args[2][256];
	client_addr(c, from, sizeof from);
	int ri = match_route(method, path, args);
	if (ri == -1) {
		r->route = "(no route)";
		set_error(r, 404, "not_found", "no such route");
		return;
	}
	if (ri == -2) {
		r->route = "(wrong method)";
		set_error(r, 405, "method_not_allowed",
			  "this route does not take this method");
		return;
	}
	const char *route = routes[ri][1];
	r->route = route;
	char *why = NULL;
	struct cartel_db *db = worker_db(&why);
	if (db == NULL) {
		free(why);
		set_error(r, 503, "unavailable", "the register cannot be opened");
		return;
	}
	long long now = server_now();
	int post = strcmp(method, "POST") == 0;

	if (strcmp(route, "/healthz") == 0) {
		set_json(r, 200, json_pack("{s:b, s:i}", "ok", 1, "schema",
					   cartel_db_schema_version(db)));
		return;
	}
	if (strcmp(route, "/api/i18n/{lang}") == 0) {
		/* The page's texts, for everyone (the sign-in page needs
		 * them), in the language the path names. */
		json_t *out = NULL;
		int err = strlen(args[0]) == 2 && cartel_lang_known(args[0])
				  ? cartel_lang_set(args[0], &why)
				  : CARTEL_ENOTFOUND;
		if (err == 0)
			err = cartel_web_texts_json(&out, &why);
		if (err == CARTEL_ENOTFOUND && why == NULL)
			set_error(r, 404, "not_found",
				  "no such language: en, uk and ru are spoken");
		else if (err != 0)
			set_lib_error(r, err, why, 0);
		else
			set_json(r, 200, out);
		return;
	}
	if (strcmp(route, "/api/cases/{case_code}") == 0) {
		/* Families: no session; guessing is limited per address. */
		if (cartel_limiter_over(S.case_addr, from, now)) {
			r->retry_after = "600";
			set_error(r, 429, "too_many_requests",
				  "too many wrong case codes from this "
				  "address: try again later");
			return;
		}
		json_t *out;
		int err = cartel_case_status(db, args[0], from, &out, &why);
		if (err == CARTEL_ENOTFOUND)
			cartel_limiter_hit(S.case_addr, from, now);
		if (err != 0)
			set_lib_error(r, err, why, 0);
		else
			set_json(r, 200, out);
		return;
	}
	if (strcmp(route, "/api/login") == 0) {
		if (cartel_limiter_hit(S.login_addr, from, now)) {
			r->retry_after = "60";
			set_error(r, 429, "too_many_requests",
				  "too many sign-in attempts from this "
				  "address: wait a minute");
			return;
		}
		json_t *b = body_json(c, q, r);
		if (b == NULL)
			return;
		json_t *ju = json_object_get(b, "username");
		json_t *jp = json_object_get(b, "password");
		if (json_object_size(b) != 2 || !json_is_string(ju) ||
		    !json_is_string(jp)) {
			json_decref(b);
			set_error(r, 422, "invalid",
				  "send {\"username\", \"password\"}, both "
				  "strings");
			return;
		}
		struct cartel_session s;
		int err = cartel_login(db, json_string_value(ju),
				       json_string_value(jp),
				       json_string_length(jp), from, now, &s,
				       &why);
		json_decref(b);
		if (err != 0) {
			set_lib_error(r, err, why, 0);
			return;
		}
		snprintf(r->cookie, sizeof r->cookie,
			 COOKIE "=%s; Path=/; HttpOnly; SameSite=Strict%s",
			 s.id, S.secure ? "; Secure" : "");
		set_json(r, 200,
			 json_pack("{s:s, s:o, s:I}", "csrf_token", s.csrf,
				   "user", cartel_user_json(&s.user),
				   "idle_timeout_s", (json_int_t)S.idle_s));
		cartel_session_clear(&s);
		return;
	}
	if (strcmp(route, "/api/stats") == 0) {
		/* Public figures without a session; exact ones for a role
		 * that may read statistics. */
		const char *sid = MHD_lookup_connection_value(
			c, MHD_COOKIE_KIND, COOKIE);
		struct cartel_session s;
		int exact = 0;
		if (sid != NULL &&
		    cartel_session_get(db, sid, now, S.idle_s, from, &s,
				       NULL) == 0) {
			exact = cartel_may(&s.user, CARTEL_DO_STATS, NULL,
					   NULL) == 0;
			cartel_session_clear(&s);
		}
		struct cartel_stats st;
		int err = cartel_stats_get(db, &st, &why);
		if (err != 0) {
			set_lib_error(r, err, why, 0);
			return;
		}
		set_json(r, 200, cartel_stats_json(&st, !exact));
		cartel_stats_clear(&st);
		return;
	}

	if (strcmp(route, "/api/stats/charts/{chart}") == 0) {
		/* A chart of `cartel report`, drawn by the same library call:
		 * public figures unless the session may read statistics, as
		 * /api/stats. {chart} is NAME.svg or NAME.png. */
		const char *sid = MHD_lookup_connection_value(
			c, MHD_COOKIE_KIND, COOKIE);
		struct cartel_session s;
		int exact = 0;
		if (sid != NULL &&
		    cartel_session_get(db, sid, now, S.idle_s, from, &s,
				       NULL) == 0) {
			exact = cartel_may(&s.user, CARTEL_DO_STATS, NULL,
					   NULL) == 0;
			cartel_session_clear(&s);
		}
		char name[256];
		snprintf(name, sizeof name, "%s", args[0]);
		char *dot = strrchr(name, '.');
		enum cartel_chart_format fmt = CARTEL_CHART_SVG;
		if (dot != NULL && strcmp(dot, ".png") == 0)
			fmt = CARTEL_CHART_PNG;
		else if (dot == NULL || strcmp(dot, ".svg") != 0) {
			set_error(r, 404, "not_found",
				  "no such chart: NAME.svg or NAME.png");
			return;
		}
		*dot = '\0';
		enum cartel_chart ch;
		int err = cartel_chart_parse(name, &ch, &why);
		if (err == 0)
			err = cartel_chart_render(db, ch, fmt, !exact, &r->raw,
						  &r->raw_len, &why);
		if (err != 0) {
			set_lib_error(r, err, why, 0);
			return;
		}
		r->status = 200;
		r->raw_type = fmt == CARTEL_CHART_SVG ? "image/svg+xml"
						      : "image/png";
		return;
	}

	/* Every other route needs a session. */
	const char *sid = MHD_lookup_connection_value(c, MHD_COOKIE_KIND,
						      COOKIE);
	struct cartel_session s;
	int err = cartel_session_get(db, sid, now, S.idle_s, from, &s, &why);
	if (err != 0) {
		set_lib_error(r, err, why, 0);
		return;
	}
	const struct cartel_user *u = &s.user;
	if (post) {
		const char *tok = MHD_lookup_connection_value(
			c, MHD_HEADER_KIND, "X-CSRF-Token");
		if (cartel_session_csrf(&s, tok) != 0) {
			cartel_access_log(db, u, "csrf", route, 0, from, NULL);
			set_error(r, 403, "forbidden",
				  "the X-CSRF-Token header is missing or not "
				  "this session's");
			cartel_session_clear(&s);
			return;
		}
	}
	json_t *out = NULL, *b = NULL;
	err = 0;
	int status = 200;
	if (strcmp(route, "/api/logout") == 0) {
		err = cartel_logout(db, &s, from, &why);
		if (err == 0) {
			snprintf(r->cookie, sizeof r->cookie,
				 COOKIE "=; Path=/; HttpOnly; SameSite=Strict; "
					"Max-Age=0%s",
				 S.secure ? "; Secure" : "");
			out = json_pack("{s:b}", "ok", 1);
		}
	} else if (strcmp(route, "/api/session") == 0) {
		out = json_pack("{s:s, s:o, s:I}", "csrf_token", s.csrf, "user",
				cartel_user_json(u), "idle_timeout_s",
				(json_int_t)S.idle_s);
	} else if (strcmp(route, "/api/persons") == 0 && post) {
		if ((b = body_json(c, q, r)) == NULL) {
			cartel_session_clear(&s);
			return;
		}
		err = cartel_account_person_add(db, u, b, from, &out, &why);
		status = 201;
	} else if (strcmp(route, "/api/persons") == 0) {
		long long off, lim;
		if (paging(c, r, &off, &lim) != 0) {
			cartel_session_clear(&s);
			return;
		}
		err = cartel_account_search(
			db, u,
			MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND,
						    "q"),
			MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND,
						    "born"),
			off, lim, from, &out, &why);
	} else if (strcmp(route, "/api/persons/{id}") == 0) {
		err = cartel_account_person(db, u, args[0], from, &out, &why);
	} else if (strcmp(route, "/api/persons/{id}/events") == 0) {
		if ((b = body_json(c, q, r)) == NULL) {
			cartel_session_clear(&s);
			return;
		}
		err = cartel_account_event(db, u, args[0], b, from, &out, &why);
		status = 201;
		if (err == CARTEL_ECONFLICT) {
			set_error(r, 409, "conflict", why);
			json_object_set_new(r->body, "current", out);
			free(why);
			json_decref(b);
			cartel_session_clear(&s);
			return;
		}
	} else if (strcmp(route, "/api/inquiries") == 0 && post) {
		if ((b = body_json(c, q, r)) == NULL) {
			cartel_session_clear(&s);
			return;
		}
		err = cartel_account_inquiry(db, u, b, from, &out, &why);
		status = 201;
	} else if (strcmp(route, "/api/inquiries") == 0) {
		long long off, lim;
		if (paging(c, r, &off, &lim) != 0) {
			cartel_session_clear(&s);
			return;
		}
		const char *open = MHD_lookup_connection_value(
			c, MHD_GET_ARGUMENT_KIND, "open");
		err = cartel_allow(db, u, CARTEL_DO_INQUIRY_READ, NULL, from,
				   &why);
		struct cartel_inquiry *v = NULL;
		size_t n = 0;
		if (err == 0)
			err = cartel_inquiry_list(db, open && open[0] == '1',
						  NULL, &v, &n, &why);
		if (err == 0) {
			json_t *a = json_array();
			for (size_t i = 0; a && i < n; i++)
				json_array_append_new(a,
						      cartel_inquiry_json(&v[i]));
			out = page(a, off, lim);
			cartel_inquiries_free(v, n);
		}
	} else if (strcmp(route, "/api/inquiries/{id}") == 0) {
		err = cartel_allow(db, u, CARTEL_DO_INQUIRY_READ, args[0], from,
				   &why);
		struct cartel_inquiry iq;
		memset(&iq, 0, sizeof iq);
		if (err == 0)
			err = cartel_inquiry_get(db, args[0], &iq, &why);
		if (err == 0)
			out = cartel_inquiry_json(&iq);
		cartel_inquiry_clear(&iq);
	} else if (strcmp(route, "/api/inquiries/{id}/callback-done") == 0) {
		err = cartel_allow(db, u, CARTEL_DO_CALLBACK_DONE, args[0],
				   from, &why);
		size_t n = 0;
		if (err == 0)
			err = cartel_inquiry_callback_done(db, args[0], u->name,
							   &n, &why);
		if (err == 0)
			out = json_pack("{s:I}", "done", (json_int_t)n);
	} else if (strcmp(route, "/api/callbacks") == 0) {
		long long off, lim;
		if (paging(c, r, &off, &lim) != 0) {
			cartel_session_clear(&s);
			return;
		}
		const char *all = MHD_lookup_connection_value(
			c, MHD_GET_ARGUMENT_KIND, "all");
		err = cartel_allow(db, u, CARTEL_DO_CALLBACKS, NULL, from,
				   &why);
		struct cartel_callback *v = NULL;
		size_t n = 0;
		if (err == 0)
			err = cartel_inquiry_callbacks(db, all && all[0] == '1',
						       &v, &n, &why);
		if (err == 0) {
			json_t *a = json_array();
			for (size_t i = 0; a && i < n; i++)
				json_array_append_new(
					a, cartel_callback_json(&v[i]));
			out = page(a, off, lim);
			cartel_callbacks_free(v, n);
		}
	} else if (strcmp(route, "/api/review") == 0) {
		long long off, lim;
		if (paging(c, r, &off, &lim) != 0) {
			cartel_session_clear(&s);
			return;
		}
		const char *all = MHD_lookup_connection_value(
			c, MHD_GET_ARGUMENT_KIND, "all");
		err = cartel_allow(db, u, CARTEL_DO_REVIEW_READ, NULL, from,
				   &why);
		struct cartel_review_item *v = NULL;
		size_t n = 0;
		if (err == 0)
			err = cartel_review_list(db, all && all[0] == '1', &v,
						 &n, &why);
		if (err == 0 && (size_t)off < n) {
			/* The page's items in the reader's words; without
			 * them (the register busy) the engine's explanation
			 * still stands. */
			size_t k = n - (size_t)off;
			if ((long long)k > lim)
				k = (size_t)lim;
			char *w = NULL;
			(void)cartel_review_words(db, v + off, k, &w);
			free(w);
		}
		if (err == 0) {
			json_t *a = json_array();
			for (size_t i = 0; a && i < n; i++)
				json_array_append_new(
					a, cartel_review_item_json(&v[i]));
			out = page(a, off, lim);
			cartel_review_items_free(v, n);
		}
	} else if (strcmp(route, "/api/review/{inquiry_id}/{person_id}") ==
		   0) {
		if ((b = body_json(c, q, r)) == NULL) {
			cartel_session_clear(&s);
			return;
		}
		err = cartel_allow(db, u, CARTEL_DO_REVIEW_DECIDE, args[0],
				   from, &why);
		json_t *jd = json_object_get(b, "decision");
		json_t *jr = json_object_get(b, "reason");
		const char *d = json_string_value(jd);
		if (err == 0 &&
		    (json_object_size(b) != 2 || d == NULL ||
		     !json_is_string(jr) ||
		     (strcmp(d, "confirm") != 0 && strcmp(d, "reject") != 0))) {
			json_decref(b);
			set_error(r, 422, "invalid",
				  "send {\"decision\": \"confirm\" or "
				  "\"reject\", \"reason\": TEXT}");
			cartel_session_clear(&s);
			return;
		}
		if (err == 0)
			err = cartel_review_decide(db, args[0], args[1],
						   strcmp(d, "confirm") == 0,
						   u->name,
						   json_string_value(jr), &why);
		if (err == 0)
			out = json_pack("{s:s, s:s, s:s}", "inquiry_id",
					args[0], "person_id", args[1],
					"state",
					strcmp(d, "confirm") == 0 ? "confirmed"
								  : "rejected");
	} else if (strcmp(route, "/api/access-log") == 0) {
		long long off, lim;
		if (paging(c, r, &off, &lim) != 0) {
			cartel_session_clear(&s);
			return;
		}
		err = cartel_allow(db, u, CARTEL_DO_ACCESS_LOG, NULL, from,
				   &why);
		/* The admin reads every line queued so far, this one too. */
		if (err == 0)
			err = cartel_access_batch_flush(S.log, &why);
		if (err == 0)
			err = cartel_access_log_json(db, off, lim, &out, &why);
	} else if (strcmp(route, "/api/audit/verify") == 0) {
		err = cartel_allow(db, u, CARTEL_DO_AUDIT_VERIFY, NULL, from,
				   &why);
		if (err == 0)
			err = cartel_access_batch_flush(S.log, &why);
		struct cartel_audit_report rep;
		memset(&rep, 0, sizeof rep);
		int v = err == 0 ? cartel_audit_verify(db, NULL, &rep, &why) : 0;
		if (err == 0 && (v == 0 || v == CARTEL_ETAMPER)) {
			out = json_pack("{s:b, s:I, s:I, s:I, s:I, s:I, s:s, "
					"s:s?}",
					"ok", v == 0, "entries",
					(json_int_t)rep.n_entries, "events",
					(json_int_t)rep.n_events, "persons",
					(json_int_t)rep.n_persons, "rows",
					(json_int_t)rep.n_rows, "bad_entry",
					(json_int_t)rep.bad_entry, "head",
					rep.head, "detail", v ? why : NULL);
			free(why);
			why = NULL;
		} else if (err == 0) {
			err = v;
		}
	} else if (strcmp(route, "/api/rounds/{id}/handover") == 0) {
		err = cartel_allow(db, u, CARTEL_DO_ROUND_READ, args[0], from,
				   &why);
		struct cartel_handover_status st;
		if (err == 0 &&
		    (err = cartel_handover_status(db, args[0], &st, &why)) ==
			    0) {
			out = cartel_handover_status_json(&st);
			cartel_handover_status_clear(&st);
		}
	} else if (strcmp(route, "/api/rounds/{id}/handover/{person_id}") ==
		   0) {
		if ((b = body_json(c, q, r)) == NULL) {
			cartel_session_clear(&s);
			return;
		}
		err = cartel_account_checkoff(db, u, args[0], args[1], b, from,
					      &out, &why);
	} else if (strcmp(route, "/api/inquiries/{id}/close") == 0) {
		if ((b = body_json(c, q, r)) == NULL) {
			cartel_session_clear(&s);
			return;
		}
		err = cartel_account_inquiry_close(db, u, args[0], b, from,
						   &out, &why);
	} else if (strcmp(route, "/api/duplicates") == 0) {
		long long off, lim;
		if (paging(c, r, &off, &lim) != 0) {
			cartel_session_clear(&s);
			return;
		}
		err = cartel_account_duplicates(db, u, off, lim, from, &out,
						&why);
	} else if (strcmp(route, "/api/merges") == 0) {
		if ((b = body_json(c, q, r)) == NULL) {
			cartel_session_clear(&s);
			return;
		}
		err = cartel_account_merge(db, u, b, from, &out, &why);
		status = 201;
	} else if (strcmp(route, "/api/merges/{other}/undo") == 0) {
		if ((b = body_json(c, q, r)) == NULL) {
			cartel_session_clear(&s);
			return;
		}
		err = cartel_account_unmerge(db, u, args[0], b, from, &out,
					     &why);
	} else if (strcmp(route, "/api/imports") == 0) {
		import_start(c, q, db, u, from, r, &out, &status, &err, &why);
		if (out == NULL && err == 0) {
			cartel_session_clear(&s);
			return;
		}
	} else if (strcmp(route, "/api/imports/{id}") == 0) {
		err = cartel_account_import_status(u, args[0], &out, &why);
	} else if (strcmp(route, "/api/pfif") == 0) {
		err = pfif_feed(c, db, u, from, strcmp(method, "HEAD") == 0,
				r, &why);
		if (err == 0) {
			cartel_session_clear(&s);
			return;
		}
	} else if (round_api(c, q, db, route, post, args, u, from, r, &out,
			     &status, &err, &why)) {
		/* answered */
	} else {
		set_error(r, 404, "not_found", "no such route");
	}
	json_decref(b);
	if (err != 0)
		set_lib_error(r, err, why, 1);
	else if (out != NULL)
		set_json(r, status, out);
	else if (r->body == NULL)
		set_error(r, 500, "internal", "out of memory");
	cartel_session_clear(&s);
}

static void
security_headers(struct MHD_Response *resp)
{
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "Content-Security-Policy", csp);
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(resp, "Cross-Origin-Opener-Policy",
				"same-origin");
}

static enum MHD_Result
send_resp(struct MHD_Connection *c, const char *method, struct resp *r)
{
	char *text = NULL;
	size_t n = 0;
	if (r->raw != NULL && r->status == 200) {
		text = (char *)r->raw;
		n = r->raw_len;
	} else {
		free(r->raw);
		r->raw_type = NULL;
		text = r->body ? json_dumps(r->body, JSON_COMPACT) : NULL;
		if (text == NULL)
			text = strdup("{\"error\":\"internal\",\"detail\":"
				      "\"out of memory\"}");
		n = text ? strlen(text) : 0;
	}
	r->raw = NULL;
	struct MHD_Response *resp = MHD_create_response_from_buffer(
		n, text, MHD_RESPMEM_MUST_FREE);
	if (resp == NULL) {
		free(text);
		return MHD_NO;
	}
	(void)method;
	MHD_add_response_header(resp, "Content-Type",
				r->raw_type ? r->raw_type
					    : "application/json; charset=utf-8");
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	security_headers(resp);
	if (r->cookie[0])
		MHD_add_response_header(resp, "Set-Cookie", r->cookie);
	if (r->retry_after)
		MHD_add_response_header(resp, "Retry-After", r->retry_after);
	if (r->link[0] && r->raw_type != NULL)
		MHD_add_response_header(resp, "Link", r->link);
	if (r->status == 405)
		MHD_add_response_header(resp, "Allow", "GET, HEAD, POST");
	enum MHD_Result ret = MHD_queue_response(c, (unsigned)r->status, resp);
	MHD_destroy_response(resp);
	fprintf(stderr, "cartel serve: %s %s %d\n",
		strcmp(method, "POST") == 0 ? "POST" : "GET",
		r->route ? r->route : "-", r->status);
	json_decref(r->body);
	r->body = NULL;
	return ret;
}

static const char *
content_type(const char *path)
{
	static const char *const types[][2] = {
		{".html", "text/html; charset=utf-8"},
		{".css", "text/css; charset=utf-8"},
		{".js", "text/javascript; charset=utf-8"},
		{".mjs", "text/javascript; charset=utf-8"},
		{".json", "application/json; charset=utf-8"},
		{".svg", "image/svg+xml"},
		{".png", "image/png"},
		{".ico", "image/x-icon"},
		{".txt", "text/plain; charset=utf-8"},
		{".woff2", "font/woff2"},
		{".webmanifest", "application/manifest+json"},
	};
	const char *dot = strrchr(path, '.');
	const char *slash = strrchr(path, '/');
	if (dot != NULL && (slash == NULL || dot > slash))
		for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
			if (strcasecmp(dot, types[i][0]) == 0)
				return types[i][1];
	return "application/octet-stream";
}

/* 1 when the decoded URL path may name a file under the web folder: no
 * "." or ".." segment, no hidden file, no backslash. */
static int
safe_path(const char *url)
{
	if (url[0] != '/' || strlen(url) > 1024 || strchr(url, '\\'))
		return 0;
	for (const char *p = url; *p; p++)
		if (*p == '/' && p[1] == '.')
			return 0;
		else if ((unsigned char)*p < 0x20)
			return 0;
	return 1;
}

static enum MHD_Result
serve_static(struct MHD_Connection *c, const char *method, const char *url)
{
	struct resp r = {0};
	r.route = "(static)";
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
		set_error(&r, 405, "method_not_allowed",
			  "static files are read with GET");
		return send_resp(c, method, &r);
	}
	char path[PATH_MAX], real[PATH_MAX];
	int fd = -1;
	struct stat sb;
	if (S.have_web && safe_path(url) &&
	    snprintf(path, sizeof path, "%s%s%s", S.web_root, url,
		     url[strlen(url) - 1] == '/' ? "index.html" : "") <
		    (int)sizeof path &&
	    realpath(path, real) != NULL) {
		size_t rl = strlen(S.web_root);
		/* The file as resolved (symlinks followed) must still be
		 * under the web folder. */
		if (strncmp(real, S.web_root, rl) == 0 && real[rl] == '/' &&
		    stat(real, &sb) == 0 && S_ISREG(sb.st_mode))
			fd = open(real, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	}
	if (fd < 0 || fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		if (fd >= 0)
			close(fd);
		set_error(&r, 404, "not_found", "no such file");
		return send_resp(c, method, &r);
	}
	struct MHD_Response *resp =
		MHD_create_response_from_fd((uint64_t)sb.st_size, fd);
	if (resp == NULL) {
		close(fd);
		return MHD_NO;
	}
	const char *ct = content_type(real);
	MHD_add_response_header(resp, "Content-Type", ct);
	MHD_add_response_header(resp, "Cache-Control",
				strncmp(ct, "text/html", 9) == 0
					? "no-cache"
					: "public, max-age=3600");
	security_headers(resp);
	enum MHD_Result ret = MHD_queue_response(c, MHD_HTTP_OK, resp);
	MHD_destroy_response(resp);
	return ret;
}

/* The 413 of a body over its route's limit. */
static void
too_large(struct resp *r, const struct req *q)
{
	char d[128];
	if (q->max % (1u << 20) == 0)
		snprintf(d, sizeof d, "the body is over %zu MiB", q->max >> 20);
	else
		snprintf(d, sizeof d, "the body is over %zu KiB", q->max >> 10);
	set_error(r, 413, "too_large", d);
}

static enum MHD_Result
handle(void *cls, struct MHD_Connection *c, const char *url,
       const char *method, const char *version, const char *upload_data,
       size_t *upload_data_size, void **con_cls)
{
	(void)cls;
	(void)version;
	struct req *q = *con_cls;
	if (q == NULL) {
		if ((q = calloc(1, sizeof *q)) == NULL)
			return MHD_NO;
		*con_cls = q;
		atomic_fetch_add(&S.in_flight, 1);
		const char *cl = MHD_lookup_connection_value(
			c, MHD_HEADER_KIND, "Content-Length");
		body_limit(c, method, url, q);
		if (cl != NULL && strtoull(cl, NULL, 10) > q->max) {
			struct resp r = {0};
			r.route = "(too large)";
			too_large(&r, q);
			q->answered = 1;
			return send_resp(c, method, &r);
		}
		return MHD_YES;
	}
	if (*upload_data_size != 0) {
		size_t n = *upload_data_size;
		*upload_data_size = 0;
		if (q->answered || q->too_big)
			return MHD_YES;
		if (n > q->max - q->len) {
			q->too_big = 1;
			free(q->body);
			q->body = NULL;
			q->len = 0;
			q->cap = 0;
			return MHD_YES;
		}
		if (q->len + n + 1 > q->cap) {
			/* Doubling: a document of megabytes arrives in
			 * many pieces. */
			size_t cap = q->cap ? q->cap : 4096;
			while (cap < q->len + n + 1)
				cap *= 2;
			if (cap > q->max + 1)
				cap = q->max + 1;
			char *nb = realloc(q->body, cap);
			if (nb == NULL)
				return MHD_NO;
			q->body = nb;
			q->cap = cap;
		}
		memcpy(q->body + q->len, upload_data, n);
		q->len += n;
		q->body[q->len] = '\0';
		return MHD_YES;
	}
	if (q->answered)
		return MHD_YES;
	struct resp r = {0};
	if (q->too_big) {
		r.route = "(too large)";
		too_large(&r, q);
		return send_resp(c, method, &r);
	}
	if (strcmp(url, "/healthz") == 0 || strncmp(url, "/api/", 5) == 0 ||
	    strcmp(url, "/api") == 0) {
		/* Words in the reader's language: ?lang= (the web app's
		 * switch), else the browser's Accept-Language, else the
		 * process's. */
		const char *lang = MHD_lookup_connection_value(
			c, MHD_GET_ARGUMENT_KIND, "lang");
		if (lang == NULL || !cartel_lang_known(lang))
			lang = cartel_lang_from_accept(
				MHD_lookup_connection_value(
					c, MHD_HEADER_KIND, "Accept-Language"));
		if (lang != NULL)
			(void)cartel_lang_set(lang, NULL);
		api(c, q, method, url, &r);
		enum MHD_Result ret = send_resp(c, method, &r);
		(void)cartel_lang_set(NULL, NULL);
		return ret;
	}
	return serve_static(c, method, url);
}

static void
completed(void *cls, struct MHD_Connection *c, void **con_cls,
	  enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	(void)c;
	(void)toe;
	struct req *q = *con_cls;
	if (q == NULL)
		return;
	free(q->body);
	free(q);
	*con_cls = NULL;
	atomic_fetch_sub(&S.in_flight, 1);
}

/* The request path without a socket (server.h): what tests/fuzz/serve.c
 * drives. */
int
server_test_init(const char *db_path, const char *web)
{
	memset(&S, 0, sizeof S);
	S.db_path = db_path;
	S.idle_s = CARTEL_SESSION_IDLE_S;
	S.timeout_s = CONN_TIMEOUT_S;
	S.login_limit = 30;
	S.fixed_now = (long long)time(NULL);
	if (web != NULL && realpath(web, S.web_root) != NULL)
		S.have_web = 1;
	/* The peer is loopback, trusted, so X-Forwarded-For is read too. */
	struct sockaddr_in *lo = (struct sockaddr_in *)&S.proxy[0];
	lo->sin_family = AF_INET;
	lo->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	S.n_proxies = 1;
	pthread_mutex_init(&S.mu, NULL);
	S.login_addr = cartel_limiter_new((int)S.login_limit, 60);
	S.case_addr = cartel_limiter_new(CASE_LIMIT, CASE_WINDOW_S);
	if (S.login_addr == NULL || S.case_addr == NULL)
		return -1;
	return cartel_access_batch_start(db_path, 1, &S.log, NULL) == 0 ? 0
									: -1;
}

int
server_test_request(struct MHD_Connection *c, const char *method,
		    const char *url, const char *body, size_t len)
{
	void *q = NULL;
	size_t n = 0;
	/* As libmicrohttpd calls: headers, then the body, then its end. */
	enum MHD_Result r =
		handle(NULL, c, url, method, "HTTP/1.1", NULL, &n, &q);
	if (r == MHD_YES && len > 0) {
		n = len;
		r = handle(NULL, c, url, method, "HTTP/1.1", body, &n, &q);
	}
	if (r == MHD_YES) {
		n = 0;
		r = handle(NULL, c, url, method, "HTTP/1.1", NULL, &n, &q);
	}
	completed(NULL, c, &q, MHD_REQUEST_TERMINATED_COMPLETED_OK);
	return r == MHD_YES ? 0 : -1;
}

int
server_test_reset(const char *spent)
{
	int rc = cartel_access_batch_flush(S.log, NULL) == 0 ? 0 : -1;
	cartel_limiter_free(S.login_addr);
	cartel_limiter_free(S.case_addr);
	S.login_addr = cartel_limiter_new((int)S.login_limit, 60);
	S.case_addr = cartel_limiter_new(CASE_LIMIT, CASE_WINDOW_S);
	if (S.login_addr == NULL || S.case_addr == NULL)
		return -1;
	long long now = server_now();
	if (spent != NULL) {
		for (long i = 0; i <= S.login_limit; i++)
			(void)cartel_limiter_hit(S.login_addr, spent, now);
		for (int i = 0; i <= CASE_LIMIT; i++)
			(void)cartel_limiter_hit(S.case_addr, spent, now);
	}
	return rc;
}

void
server_test_end(void)
{
	cartel_import_jobs_wait();
	cartel_access_batch_stop(S.log, NULL);
	for (int i = 0; i < S.n_dbs; i++)
		cartel_db_close(S.dbs[i]);
	t_db = NULL;
	cartel_limiter_free(S.login_addr);
	cartel_limiter_free(S.case_addr);
	memset(&S, 0, sizeof S);
}

static int
usage(const char *fmt, const char *arg)
{
	fprintf(stderr, "cartel serve: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nusage: cartel serve [--db DB] [--listen ADDR:PORT] "
			"[--threads N] [--web DIR]\n"
			"                    [--secure-cookies] "
			"[--idle-timeout SECONDS] [--timeout SECONDS]\n"
			"                    [--login-limit N] "
			"[--trusted-proxy ADDR]... [--routes]\n");
	return 2;
}

int
server_main(int argc, char **argv, const char *db_path)
{
	const char *listen = "127.0.0.1:8080", *web = NULL;
	long threads = 4;
	memset(&S, 0, sizeof S);
	S.db_path = db_path;
	S.idle_s = CARTEL_SESSION_IDLE_S;
	S.timeout_s = CONN_TIMEOUT_S;
	S.login_limit = 30;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		int more = i + 1 < argc;
		char *end;
		if (strcmp(a, "--db") == 0 && more) {
			S.db_path = argv[++i];
		} else if (strcmp(a, "--listen") == 0 && more) {
			listen = argv[++i];
		} else if (strcmp(a, "--web") == 0 && more) {
			web = argv[++i];
		} else if (strcmp(a, "--threads") == 0 && more) {
			threads = strtol(argv[++i], &end, 10);
			if (*end != '\0' || threads < 1 || threads > MAX_THREADS)
				return usage("--threads takes 1 to 64, not "
					     "'%s'",
					     argv[i]);
		} else if (strcmp(a, "--idle-timeout") == 0 && more) {
			S.idle_s = strtol(argv[++i], &end, 10);
			if (*end != '\0' || S.idle_s < 1)
				return usage("--idle-timeout takes seconds, "
					     "not '%s'",
					     argv[i]);
		} else if (strcmp(a, "--timeout") == 0 && more) {
			long t = strtol(argv[++i], &end, 10);
			if (*end != '\0' || t < 1 || t > 3600)
				return usage("--timeout takes 1 to 3600 seconds, "
					     "not '%s'",
					     argv[i]);
			S.timeout_s = (unsigned)t;
		} else if (strcmp(a, "--login-limit") == 0 && more) {
			S.login_limit = strtol(argv[++i], &end, 10);
			if (*end != '\0' || S.login_limit < 1 ||
			    S.login_limit > 100000)
				return usage("--login-limit takes 1 to 100000 "
					     "attempts, not '%s'",
					     argv[i]);
		} else if (strcmp(a, "--trusted-proxy") == 0 && more) {
			const char *p = argv[++i];
			struct sockaddr_storage *ss = &S.proxy[S.n_proxies];
			if (S.n_proxies == MAX_PROXIES)
				return usage("--trusted-proxy: at most 8 "
					     "addresses, not '%s'",
					     p);
			memset(ss, 0, sizeof *ss);
			struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
			struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
			if (inet_pton(AF_INET, p, &s4->sin_addr) == 1)
				s4->sin_family = AF_INET;
			else if (inet_pton(AF_INET6, p, &s6->sin6_addr) == 1)
				s6->sin6_family = AF_INET6;
			else
				return usage("--trusted-proxy takes an IP "
					     "address, not '%s'",
					     p);
			S.n_proxies++;
		} else if (strcmp(a, "--secure-cookies") == 0) {
			S.secure = 1;
		} else if (strcmp(a, "--routes") == 0) {
			for (size_t k = 0; k < N_ROUTES; k++)
				printf("%s %s\n", routes[k][0], routes[k][1]);
			return 0;
		} else {
			return usage("unexpected argument '%s'", a);
		}
	}
	/* The address: IPv4 ADDR:PORT. */
	struct sockaddr_in sa;
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	char host[64];
	const char *colon = strrchr(listen, ':');
	char *end;
	long port = colon ? strtol(colon + 1, &end, 10) : -1;
	if (colon == NULL || (size_t)(colon - listen) >= sizeof host ||
	    *end != '\0' || port < 1 || port > 65535)
		return usage("--listen takes ADDR:PORT, not '%s'", listen);
	memcpy(host, listen, (size_t)(colon - listen));
	host[colon - listen] = '\0';
	if (inet_pton(AF_INET, host, &sa.sin_addr) != 1)
		return usage("--listen: '%s' is not an IPv4 address", host);
	sa.sin_port = htons((unsigned short)port);
	if (web == NULL && access("web", F_OK) == 0)
		web = "web";
	if (web != NULL) {
		if (realpath(web, S.web_root) == NULL) {
			fprintf(stderr, "cartel serve: the web folder cannot "
					"be opened\n");
			return 1;
		}
		S.have_web = 1;
	}
	/* The register must open before anything listens. */
	char *why = NULL;
	struct cartel_db *probe;
	int err = cartel_db_open(&probe, S.db_path, 0, &why);
	if (err != 0) {
		fprintf(stderr, "cartel serve: opening the register: %s\n",
			why ? why : cartel_strerror(err));
		free(why);
		return 1;
	}
	cartel_db_close(probe);
	err = cartel_access_batch_start(S.db_path, ACCESS_FLUSH_MS, &S.log,
					&why);
	if (err != 0) {
		fprintf(stderr, "cartel serve: starting the access log: %s\n",
			why ? why : cartel_strerror(err));
		free(why);
		return 1;
	}
	pthread_mutex_init(&S.mu, NULL);
	S.login_addr = cartel_limiter_new((int)S.login_limit, 60);
	S.case_addr = cartel_limiter_new(CASE_LIMIT, CASE_WINDOW_S);
	if (S.login_addr == NULL || S.case_addr == NULL) {
		fprintf(stderr, "cartel serve: out of memory\n");
		cartel_access_batch_stop(S.log, NULL);
		return 1;
	}
	/* SIGTERM and SIGINT are waited for by this thread alone. */
	sigset_t sigs;
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);
	struct MHD_Daemon *d = MHD_start_daemon(
		MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL,
		(unsigned short)port, NULL, NULL, handle, NULL,
		MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
		MHD_OPTION_THREAD_POOL_SIZE, (unsigned)threads,
		MHD_OPTION_CONNECTION_TIMEOUT, S.timeout_s,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONN_MEMORY,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned)1000,
		MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)200,
		MHD_OPTION_NOTIFY_COMPLETED, completed, NULL,
		MHD_OPTION_END);
	if (d == NULL) {
		fprintf(stderr, "cartel serve: cannot listen on %s\n", listen);
		cartel_access_batch_stop(S.log, NULL);
		return 1;
	}
	fprintf(stderr, "cartel serve: listening on %s\n", listen);
	fflush(stderr);
	int sig;
	sigwait(&sigs, &sig);
	/* Stop accepting; let the requests in flight end. */
	MHD_socket ls = MHD_quiesce_daemon(d);
	if (ls != MHD_INVALID_SOCKET)
		close(ls);
	/* A quarter of a second at least, for a request already sent on an
	 * open connection to be read and counted. */
	for (int i = 0; i < DRAIN_S * 20 &&
			(i < 5 || atomic_load(&S.in_flight) > 0);
	     i++)
		usleep(50000);
	MHD_stop_daemon(d);
	/* An import in the background ends before the register closes. */
	cartel_import_jobs_wait();
	/* Every read answered is logged before the process ends. */
	int rc = 0;
	if (cartel_access_batch_stop(S.log, &why) != 0) {
		fprintf(stderr, "cartel serve: %s\n", why ? why : "");
		free(why);
		rc = 1;
	}
	for (int i = 0; i < S.n_dbs; i++)
		cartel_db_close(S.dbs[i]);
	cartel_limiter_free(S.login_addr);
	cartel_limiter_free(S.case_addr);
	fprintf(stderr, "cartel serve: stopped\n");
	return rc;
}
