/*
 * cartel serve: the HTTP front end (docs/api.md). It parses requests,
 * calls libcartel and sends back what the library returns; every rule and
 * every object's JSON is in the library.
 */
#ifndef CARTEL_SERVER_H
#define CARTEL_SERVER_H

#include <stddef.h>

/* Runs `cartel serve` with its arguments (argv[0] is "serve") on the
 * register at db_path; returns the process's exit status (0 after a
 * clean SIGTERM, 1 on failure, 2 on a usage error). */
int server_main(int argc, char **argv, const char *db_path);

/*
 * The request path without a socket, for tests/fuzz/serve.c: the fuzz
 * target brings its own libmicrohttpd functions (the connection's values,
 * the response) and answers requests through the same code as a
 * connection does, access log and all.
 *
 * server_test_init: the server's state for the register at db_path (web:
 * the static folder, or NULL); 0 or -1. Requests are then answered as at
 * the time of the call (sessions, account locks and limits), however long
 * a test runs. server_test_request: one request
 * (url: the decoded path, without its query; body: len bytes); 0, or -1
 * when the connection would be closed without an answer.
 * server_test_reset: what requests leave in the server's memory put back
 * as server_test_init made it, so that a request is answered the same
 * whatever came before it: the access log's queue committed (0, or -1
 * when it could not be), the limits on sign-ins and case codes emptied,
 * except that the address `spent` (when not NULL) has used up both.
 * server_test_end: the access log committed, the handles closed.
 */
struct MHD_Connection;
int server_test_init(const char *db_path, const char *web);
int server_test_request(struct MHD_Connection *c, const char *method,
			const char *url, const char *body, size_t len);
int server_test_reset(const char *spent);
void server_test_end(void);

#endif
