/*
 * What the command's parts share: global options and the command table.
 * Each command family lives in its own cmd_*.c and only parses arguments,
 * calls libcartel and prints.
 */
#ifndef CARTEL_CLI_H
#define CARTEL_CLI_H

#include <stdio.h>

#include <cartel/progress.h>
#include <cartel/i18n.h>

/* The words people read are marked for translation (docs/i18n.md): _()
 * translates into the language chosen by --lang or the locale, N_() only
 * marks. cli_fail, cli_usage and cli_error translate their message
 * themselves: their callers pass the English. */
#define _(s) cartel_gettext(s)
#define N_(s) (s)

/* Exit codes (documented in docs/cartel.1). */
enum {
	EXIT_OK = 0,
	EXIT_FAIL = 1,
	EXIT_USAGE = 2,
};

struct cli {
	const char *db_path; /* --db, CARTEL_DB, or ./cartel.db */
	int json;            /* --json given before the command */
	const char *prog;    /* argv[0] */
	int quiet;           /* --quiet: no progress line */
};

/* A command: argv[0] is the command's own name; returns an exit code. */
typedef int (*cli_fn)(struct cli *cli, int argc, char **argv);

struct cli_command {
	const char *name;
	cli_fn fn;
	const char *summary; /* one line for `cartel --help` */
	const char *usage;   /* full text for `cartel help NAME` */
};

/* Prints "cartel: " and the message (translated) to stderr; returns
 * EXIT_FAIL. */
int cli_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Prints a usage error (translated) and a pointer to `cartel help NAME`;
 * returns EXIT_USAGE. */
int cli_usage(const char *name, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Prints what was being done (`doing`, translated), err's words and, when
 * why is set, the detail; frees why. Returns EXIT_FAIL. */
int cli_error(int err, char *why, const char *doing);

/*
 * A stored value (an id, a name, a place, a note) made safe to print on a
 * terminal: control characters, C1 controls and bytes that are not UTF-8
 * escaped (<cartel/term.h>). The string returned stays valid for the next
 * 64 calls, long enough for the arguments of one printf; NULL gives "".
 * Every human-readable line that shows a value read from a list or the
 * register passes it through here; CSV and JSON outputs do not (they quote
 * and escape by their own rules, and are data, not text for a terminal).
 */
const char *cli_t(const char *s);

/* The byte a --delimiter value names: "," ";" "tab" (or a tab, "\t"),
 * "comma", "semicolon", one other character as itself, "auto" 0 (chosen
 * from the header); -1 when it names none. */
int cli_delimiter(const char *v);

/* A file the command writes, or stdout for "-" (or NULL). A file is
 * written through <cartel/file.h>: a temporary beside it, renamed over it
 * when complete, never through a symbolic link. */
struct cartel_file;
struct cartel_hash_out;
struct cartel_db;
struct cli_out {
	const char *path; /* NULL: stdout */
	struct cartel_file *f;
	FILE *fp;
	struct cartel_hash_out *hash; /* with CLI_OUT_HASH */
	char sha256[65]; /* with CLI_OUT_HASH, after a close that kept it */
};

/* A flag of cli_out_open beside cartel_file_open's: the SHA-256 of what
 * is written is kept (o->sha256), for the transfer log. */
#define CLI_OUT_HASH 0x100u

/* Starts writing path with cartel_file_open's flags; prints why and
 * returns EXIT_FAIL on failure, else 0 with o->fp ready. */
int cli_out_open(struct cli_out *o, const char *path, unsigned flags);

/* Finishes: when ok, the file is put in place (stdout is flushed);
 * otherwise it is abandoned and the target left as it was. Returns 0, or
 * EXIT_FAIL after printing why. Closing twice is harmless. */
int cli_out_close(struct cli_out *o, int ok);

/*
 * Records in the transfer log (<cartel/transfer.h>) that a file of `kind`
 * holding n_persons left for `to` (NULL: not said), sent by `by` (--by or
 * the login name); sha256 NULL reads a regular file back. Prints why and
 * returns EXIT_FAIL on failure, else 0.
 */
int cli_transfer(struct cartel_db *db, const char *kind, long long n_persons,
		 const char *to, const char *by, const char *file,
		 const char *sha256);

/* Commands, one family per file. */
/* Reads a plan or round file of at most CARTEL_LIMIT_ROUND_DOC bytes into
 * a malloc'd NUL-terminated buffer; NULL when it cannot. */
char *cli_read_plan(const char *path, size_t *len);

int cmd_init(struct cli *, int, char **);
int cmd_import(struct cli *, int, char **);
int cmd_export(struct cli *, int, char **);
int cmd_person(struct cli *, int, char **);
int cmd_event(struct cli *, int, char **);
int cmd_event_import(struct cli *, int, char **);
int cmd_audit(struct cli *, int, char **);
int cmd_stats(struct cli *, int, char **);
int cmd_demo(struct cli *, int, char **);
int cmd_generate(struct cli *, int, char **);
int cmd_plan(struct cli *, int, char **);
int cmd_key(struct cli *, int, char **);
int cmd_round(struct cli *, int, char **);
int cmd_handover(struct cli *, int, char **);
int cmd_reconcile(struct cli *, int, char **);
int cmd_link(struct cli *, int, char **);
int cmd_dedupe(struct cli *, int, char **);
int cmd_merge(struct cli *, int, char **);
int cmd_unmerge(struct cli *, int, char **);
int cmd_search(struct cli *, int, char **);
int cmd_inquiry(struct cli *, int, char **);
int cmd_review(struct cli *, int, char **);
int cmd_user(struct cli *, int, char **);
int cmd_serve(struct cli *, int, char **);

/* The server (src/server/server.c, its header server.h): runs `cartel
 * serve` with argv[0] "serve"; returns the exit status. */
int server_main(int argc, char **argv, const char *db_path);
int cmd_backup(struct cli *, int, char **);
int cmd_restore(struct cli *, int, char **);
int cmd_retention(struct cli *, int, char **);
int cmd_purge(struct cli *, int, char **);
int cmd_owner(struct cli *, int, char **);
int cmd_party(struct cli *, int, char **);
int cmd_declare(struct cli *, int, char **);
int cmd_receive(struct cli *, int, char **);
int cmd_links(struct cli *, int, char **);
int cmd_transfers(struct cli *, int, char **);

/* Shared by the register's commands (defined in cmd_init.c). */
struct cartel_db;

/*
 * Takes an option every command accepts after its name (--json, --quiet,
 * --db PATH, --db=PATH) at argv[*i]: returns 1 when it took one (advancing *i past
 * its value), 0 when argv[*i] is not one, or EXIT_USAGE (after printing)
 * when --db lacks its path.
 */
int cli_common_opt(struct cli *cli, const char *cmd, int argc, char **argv,
		   int *i);

/*
 * The progress line of long work (progress.c): one line on stderr, written
 * over as the library reports (<cartel/progress.h>), "import: 12,000 of
 * 40,000 rows (30%), 8,100 rows/s, 3 s left", ended with a newline when the
 * work is done. Only when stderr is a terminal and --quiet was not given:
 * cli_progress then returns the callback to give the library, else NULL
 * (and nothing is ever printed). `label` names the work and must outlive
 * it; *pl is the line's state, cleared by cli_progress.
 */
struct cli_progress {
	const char *label;
	int shown; /* a line is on the screen, not yet ended */
};
cartel_progress_fn cli_progress(const struct cli *cli, struct cli_progress *pl,
				const char *label);
/* Ends a line left open by work that failed (no last call came), so that
 * the error is printed on a line of its own. */
void cli_progress_done(struct cli_progress *pl);

/* Opens the register at cli->db_path with cartel_db_open flags; on failure
 * prints why and returns EXIT_FAIL, else 0. */
int cli_open_db(struct cli *cli, unsigned flags, struct cartel_db **db);

/* Who a change is recorded as made by: `by` (--by) when given, else the
 * login name ($USER), else "cartel". */
const char *cli_actor(const char *by);

/* Prints the register's statistics (a table, or JSON with cli->json) to
 * stdout; `cartel stats` and `cartel demo` both use it. Returns an exit
 * code. */
int cli_stats_print(struct cli *cli, struct cartel_db *db);

/* The register's owner (cmd_protocol.c), as `owner` and `stats` show it:
 * a line of text, or a JSON object (null for none; a new reference). */
struct cartel_owner;
void cli_owner_print(const struct cartel_owner *o);
struct json_t;
struct json_t *cli_owner_json(const struct cartel_owner *o);

/* Sets the owner (one of party, mediator); prints why and returns
 * EXIT_FAIL on failure, else 0. */
int cli_owner_set(struct cli *cli, struct cartel_db *db, const char *party,
		  const char *mediator, const char *by);

#endif
