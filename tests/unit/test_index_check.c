/*
 * The search index file is checked, not trusted: a saved file agrees with
 * the persons it was built from, a record compared with another person
 * (ids swapped, a name changed in the register) does not, and a byte
 * changed anywhere in the body fails the file's digest.
 */
#define _GNU_SOURCE /* memmem */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <cartel/date.h>
#include <cartel/error.h>
#include <cartel/match.h>
#include <cartel/person.h>

static struct cartel_person
person(const char *id, const char *fam, const char *giv, const char *born)
{
	struct cartel_person p;
	memset(&p, 0, sizeof p);
	p.id = (char *)id;
	p.family_name = (char *)fam;
	p.given_name = (char *)giv;
	assert_int_equal(cartel_date_parse(born, &p.birth_date, NULL), 0);
	return p;
}

static void
test_agrees_and_digest(void **state)
{
	(void)state;
	struct cartel_person reg[] = {
		person("UA-000001", "Ковальчук", "Олександр", "1990-03-02"),
		person("UA-000002", "Гайдамака", "Сергій", "1975-12-01"),
		person("RU-000003", "Иванов", "Денис", "1988-05-05"),
	};
	char path[] = "/tmp/cartel-ixcheck-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	struct cartel_match_index *built, *ix;
	assert_int_equal(cartel_match_index_build(&built, reg, 3, NULL, NULL),
			 0);
	/* Built in memory: nothing to check. */
	assert_int_equal(cartel_match_index_agrees(built, 0, &reg[1]), 1);
	assert_int_equal(cartel_match_index_save(built, path, "state 1", NULL),
			 0);
	cartel_match_index_free(built);
	assert_int_equal(cartel_match_index_open(&ix, path, "state 1", NULL,
						 NULL),
			 0);
	assert_int_equal(cartel_match_index_verify(ix, NULL), 0);
	for (size_t i = 0; i < 3; i++)
		assert_int_equal(cartel_match_index_agrees(ix, i, &reg[i]), 1);
	/* Another man's row for this record: the ids were swapped. */
	assert_int_equal(cartel_match_index_agrees(ix, 0, &reg[1]), 0);
	/* The same id, but the register now holds another name or date. */
	struct cartel_person moved = reg[2];
	moved.given_name = (char *)"Дмитрий";
	assert_int_equal(cartel_match_index_agrees(ix, 2, &moved), 0);
	moved = reg[2];
	assert_int_equal(cartel_date_parse("1988-05-06", &moved.birth_date,
					   NULL),
			 0);
	assert_int_equal(cartel_match_index_agrees(ix, 2, &moved), 0);
	assert_int_equal(cartel_match_index_agrees(ix, 3, &reg[0]), 0);
	cartel_match_index_free(ix);

	/* One byte of the last section (the ids) changed: the header still
	 * holds, the digest does not. */
	FILE *fp = fopen(path, "r+b");
	assert_non_null(fp);
	assert_int_equal(fseek(fp, 0, SEEK_END), 0);
	long size = ftell(fp);
	assert_true(size > 0);
	char *buf = malloc((size_t)size);
	assert_non_null(buf);
	rewind(fp);
	assert_int_equal(fread(buf, 1, (size_t)size, fp), (size_t)size);
	char *at = memmem(buf, (size_t)size, "RU-000003", 9);
	assert_non_null(at);
	at[0] = 'U';
	at[1] = 'A';
	rewind(fp);
	assert_int_equal(fwrite(buf, 1, (size_t)size, fp), (size_t)size);
	fclose(fp);
	free(buf);
	assert_int_equal(cartel_match_index_open(&ix, path, "state 1", NULL,
						 NULL),
			 0);
	char *why = NULL;
	assert_int_equal(cartel_match_index_verify(ix, &why), CARTEL_EFORMAT);
	assert_non_null(strstr(why, "digest"));
	free(why);
	assert_int_equal(cartel_match_index_agrees(ix, 2, &reg[2]), 0);
	cartel_match_index_free(ix);
	/* Another register state: refused before any of it is read. */
	assert_int_equal(cartel_match_index_open(&ix, path, "state 2", NULL,
						 NULL),
			 CARTEL_ESTATE);
	unlink(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_agrees_and_digest),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
