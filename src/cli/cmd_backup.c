/*
 * cartel backup -o FILE [--encrypt] and cartel restore FILE [--force]:
 * a consistent copy of the register, optionally encrypted, and its
 * restoring after checks (docs/backup.md). Passphrases come from a file or
 * standard input, never from the command line, where other users of the
 * machine could read them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <jansson.h>
#include <sodium.h>

#include <cartel/backup.h>
#include <cartel/cartel.h>
#include <cartel/store.h>

#include "cli.h"

#define PASS_MAX 1024

/* Reads one line (without its line end) from fp into buf; returns its
 * length, or -1 when nothing could be read or it is too long. */
static long
read_line(FILE *fp, char *buf, size_t cap)
{
	if (fgets(buf, (int)cap, fp) == NULL)
		return -1;
	size_t n = strlen(buf);
	if (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	else if (!feof(fp))
		return -1; /* longer than the buffer */
	if (n > 0 && buf[n - 1] == '\r')
		buf[--n] = '\0';
	return (long)n;
}

/* From a terminal: asked without echo, twice when confirm. */
static long
read_tty(const char *cmd, int confirm, char *buf, size_t cap)
{
	struct termios old, quiet;
	int fd = fileno(stdin);
	if (tcgetattr(fd, &old) != 0)
		return -1;
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)ECHO;
	long n = -1;
	char *again = malloc(cap);
	if (again == NULL)
		return -1;
	fprintf(stderr, "cartel %s: passphrase: ", cmd);
	fflush(stderr);
	tcsetattr(fd, TCSAFLUSH, &quiet);
	n = read_line(stdin, buf, cap);
	fputc('\n', stderr);
	if (n >= 0 && confirm) {
		fprintf(stderr, "cartel %s: the same again: ", cmd);
		fflush(stderr);
		long m = read_line(stdin, again, cap);
		fputc('\n', stderr);
		if (m != n || memcmp(buf, again, (size_t)n) != 0) {
			fprintf(stderr, "cartel %s: the two passphrases "
					"differ\n", cmd);
			n = -2;
		}
	}
	tcsetattr(fd, TCSAFLUSH, &old);
	sodium_memzero(again, cap);
	free(again);
	return n;
}

/* The passphrase from --passphrase-file, else standard input. Returns its
 * length, or an exit code (negative of it) after printing why. */
static int
get_passphrase(const char *cmd, const char *file, int confirm, char *buf,
	       size_t cap, size_t *len)
{
	long n;
	if (file != NULL) {
		FILE *fp = fopen(file, "r");
		if (fp == NULL)
			return cli_fail("%s: %s", file, strerror(errno));
		n = read_line(fp, buf, cap);
		fclose(fp);
	} else if (isatty(fileno(stdin))) {
		n = read_tty(cmd, confirm, buf, cap);
		if (n == -2)
			return EXIT_FAIL;
	} else {
		n = read_line(stdin, buf, cap);
	}
	if (n < 0)
		return cli_fail("%s: no passphrase could be read (one line, "
				"at most %d bytes)",
				file != NULL ? file : "standard input",
				PASS_MAX - 2);
	*len = (size_t)n;
	return 0;
}

int
cmd_backup(struct cli *cli, int argc, char **argv)
{
	const char *out = NULL, *pass_file = NULL, *to = NULL, *by = NULL;
	int encrypt = 0;
	for (int i = 1; i < argc; i++) {
		int r = cli_common_opt(cli, "backup", argc, argv, &i);
		if (r == 1)
			continue;
		if (r != 0)
			return r;
		const char *a = argv[i];
		if (strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0) {
			if (i + 1 >= argc)
				return cli_usage("backup", "%s needs a file",
						 a);
			out = argv[++i];
		} else if ((strcmp(a, "--to") == 0 || strcmp(a, "--by") == 0) &&
			   i + 1 < argc) {
			if (a[2] == 't')
				to = argv[++i];
			else
				by = argv[++i];
		} else if (strcmp(a, "--encrypt") == 0) {
			encrypt = 1;
		} else if (strcmp(a, "--passphrase-file") == 0) {
			if (i + 1 >= argc)
				return cli_usage("backup",
						 "--passphrase-file needs a "
						 "file");
			pass_file = argv[++i];
		} else if (strncmp(a, "--passphrase", 12) == 0) {
			return cli_usage("backup",
					 "a passphrase is never taken on the "
					 "command line (use --passphrase-file "
					 "or standard input)");
		} else {
			return cli_usage("backup", "unexpected argument '%s'",
					 a);
		}
	}
	if (out == NULL)
		return cli_usage("backup", "-o FILE is required");
	if (pass_file != NULL && !encrypt)
		return cli_usage("backup",
				 "--passphrase-file goes with --encrypt");
	char pass[PASS_MAX];
	size_t pass_len = 0;
	if (encrypt) {
		int rc = get_passphrase("backup", pass_file, 1, pass,
					sizeof pass, &pass_len);
		if (rc != 0)
			return rc;
	}
	/* Read-write: the copy is recorded in the transfer log. */
	struct cartel_db *db;
	int rc = cli_open_db(cli, 0, &db);
	if (rc != 0) {
		sodium_memzero(pass, sizeof pass);
		return rc;
	}
	char *why = NULL;
	int err = cartel_backup(db, out, encrypt ? pass : NULL, pass_len,
				&why);
	sodium_memzero(pass, sizeof pass);
	struct cartel_stats st;
	memset(&st, 0, sizeof st);
	if (err == 0)
		err = cartel_stats_get(db, &st, &why);
	if (err != 0) {
		cartel_db_close(db);
		return cli_error(err, why, "backup");
	}
	rc = cli_transfer(db, "backup", st.persons, to, by, out, NULL);
	cartel_stats_clear(&st);
	cartel_db_close(db);
	if (rc != 0)
		return rc;
	if (cli->json) {
		json_t *o = json_pack("{s:s, s:b}", "backup", out, "encrypted",
				      encrypt);
		if (o != NULL) {
			json_dumpf(o, stdout, JSON_INDENT(2));
			fputc('\n', stdout);
			json_decref(o);
		}
	} else {
		printf("backup written to %s%s\n", out,
		       encrypt ? " (encrypted)" : "");
	}
	return EXIT_OK;
}

int
cmd_restore(struct cli *cli, int argc, char **argv)
{
	const char *file = NULL, *pass_file = NULL;
	unsigned flags = 0;
	for (int i = 1; i < argc; i++) {
		int r = cli_common_opt(cli, "restore", argc, argv, &i);
		if (r == 1)
			continue;
		if (r != 0)
			return r;
		const char *a = argv[i];
		if (strcmp(a, "--force") == 0) {
			flags |= CARTEL_RESTORE_FORCE;
		} else if (strcmp(a, "--passphrase-file") == 0) {
			if (i + 1 >= argc)
				return cli_usage("restore",
						 "--passphrase-file needs a "
						 "file");
			pass_file = argv[++i];
		} else if (strncmp(a, "--passphrase", 12) == 0) {
			return cli_usage("restore",
					 "a passphrase is never taken on the "
					 "command line (use --passphrase-file "
					 "or standard input)");
		} else if (a[0] == '-' && a[1] != '\0') {
			return cli_usage("restore", "unknown option '%s'", a);
		} else if (file == NULL) {
			file = a;
		} else {
			return cli_usage("restore", "unexpected argument '%s'",
					 a);
		}
	}
	if (file == NULL)
		return cli_usage("restore", "which backup? (cartel restore "
					    "FILE)");
	int encrypted = 0;
	char *why = NULL;
	int err = cartel_backup_probe(file, &encrypted, &why);
	if (err != 0)
		return cli_error(err, why, "restore");
	char pass[PASS_MAX];
	size_t pass_len = 0;
	if (encrypted) {
		int rc = get_passphrase("restore", pass_file, 0, pass,
					sizeof pass, &pass_len);
		if (rc != 0)
			return rc;
	}
	struct cartel_restore_report rep;
	err = cartel_restore(file, cli->db_path, encrypted ? pass : NULL,
			     pass_len, flags, &rep, &why);
	sodium_memzero(pass, sizeof pass);
	if (cli->json) {
		json_t *o = json_pack(
			"{s:b, s:s, s:s, s:b, s:i, s:I, s:I, s:I, s:s}", "ok",
			err == 0, "backup", file, "register", cli->db_path,
			"encrypted", rep.encrypted, "schema_version",
			rep.schema_version, "entries",
			(json_int_t)rep.audit.n_entries, "events",
			(json_int_t)rep.audit.n_events, "persons",
			(json_int_t)rep.audit.n_persons, "head", rep.audit.head);
		if (o != NULL && err != 0)
			json_object_set_new(
				o, "error",
				json_string(why ? why : cartel_strerror(err)));
		if (o != NULL) {
			json_dumpf(o, stdout,
				   JSON_INDENT(2) | JSON_PRESERVE_ORDER);
			fputc('\n', stdout);
			json_decref(o);
		}
	}
	if (err != 0)
		return cli_error(err, why, "restore (nothing was replaced)");
	if (!cli->json)
		printf("restored %s into %s: the audit chain holds: %lld "
		       "entries, %lld events, %lld persons checked\nhead %s\n",
		       file, cli->db_path, rep.audit.n_entries,
		       rep.audit.n_events, rep.audit.n_persons,
		       rep.audit.head[0] ? rep.audit.head : "(empty log)");
	return EXIT_OK;
}
