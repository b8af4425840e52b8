/*
 * Helpers every command family shares: the options all commands take after
 * their name, opening the register, and who is recorded as the actor.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cartel/cartel.h>
#include <cartel/file.h>
#include <cartel/store.h>
#include <cartel/term.h>
#include <cartel/transfer.h>

#include "cli.h"

int
cli_common_opt(struct cli *cli, const char *cmd, int argc, char **argv, int *i)
{
	const char *a = argv[*i];
	if (strcmp(a, "--json") == 0) {
		cli->json = 1;
		return 1;
	}
	if (strcmp(a, "--quiet") == 0) {
		cli->quiet = 1;
		return 1;
	}
	if (strcmp(a, "--db") == 0) {
		if (*i + 1 >= argc)
			return cli_usage(cmd, "--db needs a path");
		cli->db_path = argv[++*i];
		return 1;
	}
	if (strncmp(a, "--db=", 5) == 0) {
		cli->db_path = a + 5;
		return 1;
	}
	return 0;
}

int
cli_open_db(struct cli *cli, unsigned flags, struct cartel_db **db)
{
	char *why = NULL;
	int err = cartel_db_open(db, cli->db_path, flags, &why);
	if (err != 0)
		return cli_error(err, why, "opening the register");
	return 0;
}

const char *
cli_actor(const char *by)
{
	if (by != NULL && by[0] != '\0')
		return by;
	const char *u = getenv("USER");
	return u != NULL && u[0] != '\0' ? u : "cartel";
}

const char *
cli_t(const char *s)
{
	/* A ring of escaped copies: each lives until 64 later calls, and
	 * the last ones until the process ends. */
	static char *ring[64];
	static unsigned next;
	unsigned k = next++ % 64;
	free(ring[k]);
	ring[k] = cartel_term_escape(s != NULL ? s : "");
	return ring[k] != NULL ? ring[k] : "?";
}

int
cli_out_open(struct cli_out *o, const char *path, unsigned flags)
{
	memset(o, 0, sizeof *o);
	int hash = (flags & CLI_OUT_HASH) != 0;
	flags &= ~CLI_OUT_HASH;
	char *why = NULL;
	int err = 0;
	if (path == NULL || strcmp(path, "-") == 0) {
		o->fp = stdout;
	} else {
		err = cartel_file_open(&o->f, path, flags, &why);
		if (err == 0 && (o->fp = cartel_file_fp(o->f)) == NULL) {
			cartel_file_abort(o->f);
			o->f = NULL;
			err = CARTEL_ENOMEM;
		}
		if (err != 0)
			return cli_error(err, why, "refused to write the file");
		o->path = path;
	}
	if (hash) {
		err = cartel_hash_out_open(&o->hash, o->fp);
		if (err != 0) {
			cartel_file_abort(o->f);
			o->f = NULL;
			o->fp = NULL;
			return cli_error(err, NULL, "refused to write the file");
		}
		o->fp = cartel_hash_out_fp(o->hash);
	}
	return 0;
}

int
cli_transfer(struct cartel_db *db, const char *kind, long long n_persons,
	     const char *to, const char *by, const char *file,
	     const char *sha256)
{
	struct cartel_transfer t = {kind,	 n_persons, to,
				    cli_actor(by), file,      sha256};
	char *why = NULL;
	int err = cartel_transfer_record(db, &t, &why);
	if (err != 0)
		return cli_error(err, why, "recording the transfer");
	return 0;
}

int
cli_out_close(struct cli_out *o, int ok)
{
	int rc = 0;
	if (o->hash != NULL) {
		/* The hashing stream first: its bytes reach the file (or
		 * stdout) before that is finished. */
		if (cartel_hash_out_close(o->hash, o->sha256) != 0 && ok) {
			ok = 0;
			rc = cli_fail("writing the file failed");
		}
		o->hash = NULL;
		if (o->f != NULL)
			o->fp = cartel_file_fp(o->f);
		else
			o->fp = stdout;
	}
	if (o->f == NULL) {
		if (o->fp != NULL && fflush(o->fp) != 0)
			rc = cli_fail("writing to the standard output failed");
		o->fp = NULL;
		return rc;
	}
	if (!ok) {
		cartel_file_abort(o->f);
	} else {
		char *why = NULL;
		int err = cartel_file_commit(o->f, &why);
		if (err != 0)
			rc = cli_error(err, why, "writing the file");
	}
	o->f = NULL;
	o->fp = NULL;
	return rc;
}

int
cli_delimiter(const char *v)
{
	if (strcmp(v, "tab") == 0 || strcmp(v, "\\t") == 0)
		return '\t';
	if (strcmp(v, "comma") == 0)
		return ',';
	if (strcmp(v, "semicolon") == 0)
		return ';';
	if (strcmp(v, "auto") == 0)
		return 0;
	if (v[0] != '\0' && v[1] == '\0')
		return (unsigned char)v[0];
	return -1;
}
