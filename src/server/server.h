/*
 * cartel serve: the HTTP front end (docs/api.md). It parses requests,
 * calls libcartel and sends back what the library returns; every rule and
 * every object's JSON is in the library.
 */
#ifndef CARTEL_SERVER_H
#define CARTEL_SERVER_H

/* Runs `cartel serve` with its arguments (argv[0] is "serve") on the
 * register at db_path; returns the process's exit status (0 after a
 * clean SIGTERM, 1 on failure, 2 on a usage error). */
int server_main(int argc, char **argv, const char *db_path);

#endif
