/*
 * Error codes shared by every libcartel function.
 *
 * Functions return int: 0 on success, a negative enum cartel_err on failure.
 * Where a user needs detail to act on ("row 17: birth_date 2023-02-30 is not
 * a date"), a function takes a `char **why` out-parameter: on failure it may
 * set *why to a malloc'd message the caller frees with free(); on success it
 * leaves *why untouched. `why` may be NULL when the caller does not care.
 *
 * Messages never carry a captive's name or other identifying data: they name
 * files, rows, columns, record ids and reasons only.
 */
#ifndef CARTEL_ERROR_H
#define CARTEL_ERROR_H

#ifdef __cplusplus
extern "C" {
#endif

enum cartel_err {
	CARTEL_OK = 0,
	CARTEL_ENOMEM = -1,   /* out of memory */
	CARTEL_EINVAL = -2,   /* invalid argument or value */
	CARTEL_EIO = -3,      /* reading or writing a file failed */
	CARTEL_EDB = -4,      /* the database reported an error */
	CARTEL_ENOTFOUND = -5, /* no such record, key or file */
	CARTEL_EEXIST = -6,   /* the record already exists */
	CARTEL_ETAMPER = -7,  /* an audit chain or signature does not hold */
	CARTEL_EBUSY = -8,    /* the database stayed locked past the timeout */
	CARTEL_EFORMAT = -9,  /* malformed input (CSV, JSON, YAML, UTF-8) */
	CARTEL_ERANGE = -10,  /* a value or size is past its limit */
	CARTEL_ESTATE = -11,  /* not allowed in the current state */
	CARTEL_EREADONLY = -12, /* the database or file is read-only */
	CARTEL_EFULL = -13,   /* the disk or database is full */
	CARTEL_EVERSION = -14, /* the database schema is newer than this build */
	CARTEL_EDENIED = -15, /* not signed in, or the role may not do this */
	CARTEL_ECONFLICT = -16, /* changed meanwhile: the version is stale */
	CARTEL_ELIMIT = -17   /* too many attempts: wait and try again */
};

/* Returns a static sentence for an error code, in the calling thread's
 * language (<cartel/i18n.h>); never NULL. */
const char *cartel_strerror(int err);

#ifdef __cplusplus
}
#endif
#endif
