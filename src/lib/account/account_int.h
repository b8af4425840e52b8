/*
 * What the files of the account module share.
 */
#ifndef CARTEL_ACCOUNT_INT_H
#define CARTEL_ACCOUNT_INT_H

#include <cartel/account.h>

/* User `name` into *u (clear it), with its password hash (malloc'd) and
 * its failures in a row when those are not NULL. CARTEL_ENOTFOUND when
 * there is none. */
int cartel__account_user(struct cartel_db *db, const char *name,
			 struct cartel_user *u, char **pw_hash, int *failures,
			 char **why);

#endif
