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
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <cartel/date.h>
#include <cartel/error.h>
#include <cartel/match.h>
#include <cartel/person.h>

#include "match/match_int.h"

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

/* The file at path, read whole (malloc'd), and written back. */
static unsigned char *
slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	assert_non_null(fp);
	assert_int_equal(fseek(fp, 0, SEEK_END), 0);
	long size = ftell(fp);
	assert_true(size > 0);
	rewind(fp);
	unsigned char *b = malloc((size_t)size);
	assert_non_null(b);
	assert_int_equal(fread(b, 1, (size_t)size, fp), (size_t)size);
	fclose(fp);
	*len = (size_t)size;
	return b;
}

static void
spill(const char *path, const unsigned char *b, size_t len)
{
	FILE *fp = fopen(path, "wb");
	assert_non_null(fp);
	assert_int_equal(fwrite(b, 1, len, fp), len);
	assert_int_equal(fclose(fp), 0);
}

/* The header's own check made again, as a writer that means harm (or a
 * build of another machine) would: the header then holds, and only the
 * checks of its fields stand between the file and the search. The header
 * is head_size bytes (its field at offset 28) ending with the check. */
static void
recheck(unsigned char *b)
{
	uint32_t head_size;
	memcpy(&head_size, b + 28, sizeof head_size);
	uint64_t zero = 0, check;
	memcpy(b + head_size - 8, &zero, 8);
	check = cartel__match_hash(b, head_size, 0x1dfu);
	memcpy(b + head_size - 8, &check, 8);
}

/* Each field of the header changed, the header's check made to match:
 * the file is refused before any of it is read, with a reason. */
static void
test_header_fields(void **state)
{
	(void)state;
	struct cartel_person reg[] = {
		person("UA-000001", "Ковальчук", "Олександр", "1990-03-02"),
		person("RU-000003", "Иванов", "Денис", "1988-05-05"),
	};
	char path[] = "/tmp/cartel-ixcheck-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	struct cartel_match_index *built, *ix;
	assert_int_equal(cartel_match_index_build(&built, reg, 2, NULL, NULL),
			 0);
	assert_int_equal(cartel_match_index_save(built, path, "state 1", NULL),
			 0);
	cartel_match_index_free(built);
	size_t len;
	unsigned char *good = slurp(path, &len);
	static const struct {
		size_t at, width;
		uint64_t delta;
		const char *says;
	} change[] = {
		{8, 4, 1, "another build"},       /* version */
		{12, 4, 1, "another build"},      /* byte order */
		{16, 4, 8, "another build"},      /* record size */
		{20, 4, 4, "another build"},      /* posting size */
		{24, 4, 8, "another build"},      /* model size */
		{32, 8, 4096, "cut short"}, /* file size */
		{40, 8, 1ull << 40, "sections do not fit"}, /* persons */
		{48, 8, 1, "sections do not fit"},          /* mask */
		{56, 8, 1ull << 40, "sections do not fit"}, /* postings */
		{64, 8, 1, "sections do not fit"},          /* given names */
		{72, 8, 1, "name tables"},                  /* their digest */
	};
	for (size_t i = 0; i < sizeof change / sizeof change[0]; i++) {
		unsigned char *b = malloc(len);
		assert_non_null(b);
		memcpy(b, good, len);
		uint64_t v = 0;
		memcpy(&v, b + change[i].at, change[i].width);
		v += change[i].delta;
		memcpy(b + change[i].at, &v, change[i].width);
		recheck(b);
		spill(path, b, len);
		free(b);
		char *why = NULL;
		ix = NULL;
		int rc = cartel_match_index_open(&ix, path, "state 1", NULL,
						 &why);
		if (rc == 0 || ix != NULL || why == NULL)
			fail_msg("header field at %zu changed: opened (%d)",
				 change[i].at, rc);
		if (strstr(why, change[i].says) == NULL)
			fail_msg("header field at %zu: %s", change[i].at, why);
		free(why);
	}
	/* The check alone changed: the header does not hold. */
	unsigned char *b = malloc(len);
	assert_non_null(b);
	memcpy(b, good, len);
	b[100] ^= 1;
	spill(path, b, len);
	free(b);
	char *why = NULL;
	assert_true(cartel_match_index_open(&ix, path, "state 1", NULL,
					    &why) < 0);
	assert_non_null(strstr(why, "header does not hold"));
	free(why);
	/* Shorter than a header. */
	spill(path, good, 40);
	why = NULL;
	assert_true(cartel_match_index_open(&ix, path, "state 1", NULL,
					    &why) < 0);
	assert_non_null(why);
	free(why);
	/* The file as saved still opens. */
	spill(path, good, len);
	assert_int_equal(cartel_match_index_open(&ix, path, "state 1", NULL,
						 NULL),
			 0);
	assert_int_equal(cartel_match_index_verify(ix, NULL), 0);
	cartel_match_index_free(ix);
	free(good);
	unlink(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_agrees_and_digest),
		cmocka_unit_test(test_header_fields),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
