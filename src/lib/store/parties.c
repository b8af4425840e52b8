/*
 * The parties a register knows: the codes a held_by, a depends_on or a
 * plan's sides may name. A register gets a list of parties when one is
 * added to it (cartel party add: an audit entry "party.add", so that the
 * chain covers it). Until then every well-formed code is taken, as it
 * always was. From then on a code is known when it is the register's
 * owner, a party whose public key is pinned, a party added, or a code a
 * person of the register is already held by or depends on; any other is
 * refused, so that a code mistyped in one list (UK for UA) does not
 * become a party of its own.
 *
 * Codes recorded before codes were checked (free text in held_by) are
 * never known: only a well-formed code counts.
 */
#include <stdlib.h>
#include <string.h>

#include <cartel/declaration.h>
#include <cartel/error.h>
#include <cartel/register.h>
#include <cartel/store.h>

#include "core/why.h"
#include "store/import_rows.h"
#include "store/round_rows.h"
#include "store/store_int.h"

static const char unknown_rule[] =
	"a party this register does not know (it knows its owner, the "
	"parties added or whose keys are pinned, and those its persons are "
	"held by or depend on): check the code, or add the party first "
	"(cartel party add)";

/* 1 into *listed when the register has a list of parties. */
static int
has_list(struct cartel_db *db, int *listed, char **why);

/* The owner's code into *code ("" when the register has none, or its
 * owner's name is not a party code). */
static int
owner_code(struct cartel_db *db, char *code, size_t size, char **why)
{
	struct cartel_owner o;
	code[0] = '\0';
	int err = cartel__owner_get(db, &o, why);
	if (err != 0)
		return err;
	if (o.role != CARTEL_OWNER_NONE && cartel_party_check(o.name, NULL) == 0)
		snprintf(code, size, "%s", o.name);
	return 0;
}

/* 1 into *found when the statement (with ?1 bound to code, or none) has a
 * row. */
static int
has_row(struct cartel_db *db, const char *q, const char *code, int *found,
	char **why)
{
	sqlite3_stmt *st;
	*found = 0;
	int err = cartel__db_prep(db, q, &st, "reading the parties", why);
	if (err != 0)
		return err;
	if (code != NULL)
		sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*found = 1;
	else if (rc != SQLITE_DONE)
		err = cartel__db_err(db, rc, "reading the parties", why);
	sqlite3_finalize(st);
	return err;
}

/* A well-formed code in SQL, as cartel_party_check has it. */
#define PARTY_SHAPE(c)                                                        \
	"(length(" c ") BETWEEN 2 AND 8 AND " c " NOT GLOB '*[^A-Z0-9]*')"

int
cartel_party_known(struct cartel_db *db, const char *code, char **why)
{
	int err = cartel_party_check(code, why);
	if (err != 0)
		return err;
	int found = 0;
	if ((err = has_list(db, &found, why)) != 0 || !found)
		return err;
	char owner[CARTEL_OWNER_NAME_MAX];
	if ((err = owner_code(db, owner, sizeof owner, why)) != 0)
		return err;
	if (strcmp(owner, code) == 0)
		return 0;
	err = has_row(db,
		      "SELECT 1 FROM round_key_pin WHERE party = ?1 "
		      "AND replaced_at IS NULL UNION ALL SELECT 1 FROM audit "
		      "WHERE action = 'party.add' AND subject = ?1",
		      code, &found, why);
	if (err == 0 && !found)
		err = has_row(db,
			      "SELECT 1 FROM persons WHERE held_by = ?1 "
			      "OR depends_on = ?1 LIMIT 1",
			      code, &found, why);
	if (err != 0 || found)
		return err;
	return cartel__why(why, CARTEL_EINVAL, "the code names %s",
			   unknown_rule);
}

static int
has_list(struct cartel_db *db, int *listed, char **why)
{
	return has_row(db,
		       "SELECT 1 FROM audit WHERE action = 'party.add' "
		       "LIMIT 1",
		       NULL, listed, why);
}

int
cartel__parties_load(struct cartel_db *db, struct cartel__parties *ps,
		     char **why)
{
	memset(ps, 0, sizeof *ps);
	int listed = 0;
	int err = has_list(db, &listed, why);
	if (err != 0)
		return err;
	if (!listed) {
		ps->open = 1;
		return 0;
	}
	char owner[CARTEL_OWNER_NAME_MAX];
	if ((err = owner_code(db, owner, sizeof owner, why)) != 0)
		return err;
	sqlite3_stmt *st;
	err = cartel__db_prep(
		db,
		"SELECT party FROM round_key_pin WHERE replaced_at IS NULL "
		"UNION SELECT subject FROM audit WHERE action = 'party.add' "
		"UNION SELECT held_by FROM persons WHERE " PARTY_SHAPE(
			"held_by") " UNION SELECT depends_on FROM persons "
				   "WHERE " PARTY_SHAPE("depends_on"),
		&st, "reading the parties", why);
	if (err != 0)
		return err;
	size_t cap = 0;
	int rc;
	while (err == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *c = (const char *)sqlite3_column_text(st, 0);
		if (c == NULL || cartel_party_check(c, NULL) != 0)
			continue;
		if (ps->n == cap) {
			size_t ncap = cap ? cap * 2 : 8;
			void *v = realloc(ps->code, ncap * sizeof *ps->code);
			if (v == NULL) {
				err = cartel__why(why, CARTEL_ENOMEM,
						  "out of memory");
				break;
			}
			ps->code = v;
			cap = ncap;
		}
		snprintf(ps->code[ps->n++], sizeof *ps->code, "%s", c);
	}
	if (err == 0 && rc != SQLITE_DONE)
		err = cartel__db_err(db, rc, "reading the parties", why);
	sqlite3_finalize(st);
	if (err == 0 && owner[0] != '\0' && !cartel__parties_has(ps, owner)) {
		void *v = realloc(ps->code, (ps->n + 1) * sizeof *ps->code);
		if (v == NULL) {
			err = cartel__why(why, CARTEL_ENOMEM, "out of memory");
		} else {
			ps->code = v;
			/* A code: at most CARTEL_LIMIT_PARTY_MAX bytes. */
			memcpy(ps->code[ps->n++], owner, strlen(owner) + 1);
		}
	}
	if (err != 0) {
		cartel__parties_free(ps);
		return err;
	}
	return 0;
}

int
cartel__parties_has(const struct cartel__parties *ps, const char *code)
{
	if (ps->open)
		return 1;
	for (size_t i = 0; i < ps->n; i++)
		if (strcmp(ps->code[i], code) == 0)
			return 1;
	return 0;
}

int
cartel__parties_check(const struct cartel__parties *ps,
		      const struct cartel_person *p, const char **field,
		      char **why)
{
	if (p->held_by != NULL && p->held_by[0] != '\0' &&
	    !cartel__parties_has(ps, p->held_by)) {
		*field = "held_by";
		return cartel__why(why, CARTEL_EINVAL, "held_by names %s",
				   unknown_rule);
	}
	if (p->depends_on != NULL && p->depends_on[0] != '\0' &&
	    !cartel__parties_has(ps, p->depends_on)) {
		*field = "depends_on";
		return cartel__why(why, CARTEL_EINVAL, "depends_on names %s",
				   unknown_rule);
	}
	return 0;
}

void
cartel__parties_free(struct cartel__parties *ps)
{
	free(ps->code);
	memset(ps, 0, sizeof *ps);
}

int
cartel_party_add(struct cartel_db *db, const char *code, const char *actor,
		 int *added, char **why)
{
	if (added != NULL)
		*added = 0;
	if (actor == NULL || actor[0] == '\0')
		return cartel__why(why, CARTEL_EINVAL,
				   "adding a party needs who does it (--by)");
	int err = cartel_party_check(code, why);
	if (err != 0)
		return err;
	int own;
	if ((err = cartel__db_write_begin(db, &own, why)) != 0)
		return err;
	int found = 0;
	err = has_row(db,
		      "SELECT 1 FROM audit WHERE action = 'party.add' AND "
		      "subject = ?1",
		      code, &found, why);
	if (err == 0 && !found)
		err = cartel_audit_append(db, actor, "party.add", code,
					  "a party the register knows", why);
	err = cartel__db_write_end(db, own, err, why);
	if (err == 0 && added != NULL)
		*added = !found;
	return err;
}
