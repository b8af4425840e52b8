/*
 * Unit tests for the PFIF reader (io/pfif_read.c) and the PFIF import and
 * export through the library (io/pfif.c, io/pfif_export.c): what a feed's
 * records read as, what is refused whole, and that the register's own
 * export reads back to the same persons.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <cartel/error.h>
#include <cartel/limits.h>
#include <cartel/pfif.h>
#include <cartel/register.h>
#include <cartel/store.h>

#define NS14 "xmlns=\"http://zesty.ca/pfif/1.4\""

static struct cartel_pfif_doc *
parse_ok(const char *xml)
{
	struct cartel_pfif_doc *doc = NULL;
	char *why = NULL;
	int rc = cartel_pfif_parse(xml, strlen(xml), &doc, &why);
	if (rc != 0)
		fprintf(stderr, "refused: %s\n", why);
	assert_int_equal(rc, 0);
	free(why);
	return doc;
}

static int
parse_err(const char *xml, size_t len, char **why)
{
	struct cartel_pfif_doc *doc = NULL;
	int rc = cartel_pfif_parse(xml, len, &doc, why);
	assert_null(doc);
	return rc;
}

static void
reads_old_names_and_trims(void **state)
{
	(void)state;
	struct cartel_pfif_doc *doc = parse_ok(
	    "<pfif " NS14 "><person>"
	    "<person_record_id>\n  a.org/1 \t</person_record_id>"
	    "<first_name> Ivan </first_name><last_name>Bondar</last_name>"
	    "<home_zip>61000</home_zip>"
	    "<given_name>Later</given_name>"
	    "</person></pfif>");
	assert_int_equal(doc->n_rec, 1);
	struct cartel_pfif_record *r = &doc->rec[0];
	assert_false(r->is_note);
	assert_string_equal(r->value[CARTEL_PFIF_PERSON_RECORD_ID], "a.org/1");
	/* The first of a field given twice is kept. */
	assert_string_equal(r->value[CARTEL_PFIF_GIVEN_NAME], "Ivan");
	assert_string_equal(r->value[CARTEL_PFIF_FAMILY_NAME], "Bondar");
	assert_string_equal(r->value[CARTEL_PFIF_HOME_POSTAL_CODE], "61000");
	assert_string_equal(doc->ns, "http://zesty.ca/pfif/1.4");
	cartel_pfif_doc_free(doc);
}

static void
reads_nested_and_standalone_notes(void **state)
{
	(void)state;
	struct cartel_pfif_doc *doc = parse_ok(
	    "<p:pfif xmlns:p=\"http://zesty.ca/pfif/1.3\" "
	    "xmlns:o=\"http://other.example/\">"
	    "<p:person><p:person_record_id>a.org/1</p:person_record_id>"
	    "<o:extra><p:full_name>not this</p:full_name></o:extra>"
	    "<p:full_name>A <![CDATA[B]]> &amp; C</p:full_name>"
	    "<p:note><p:note_record_id>a.org/n1</p:note_record_id>"
	    "<p:status>believed_alive</p:status></p:note>"
	    "<p:text>a person has no text</p:text>"
	    "</p:person>"
	    "<p:note><p:note_record_id>a.org/n2</p:note_record_id>"
	    "<p:person_record_id>a.org/1</p:person_record_id>"
	    "<p:text>t</p:text><p:full_name>a note has no name"
	    "</p:full_name></p:note>"
	    "<o:person><p:full_name>foreign</p:full_name></o:person>"
	    "</p:pfif>");
	assert_int_equal(doc->n_rec, 3);
	assert_string_equal(doc->rec[0].value[CARTEL_PFIF_FULL_NAME],
	                    "A B & C");
	assert_null(doc->rec[0].value[CARTEL_PFIF_TEXT]);
	assert_true(doc->rec[1].is_note);
	assert_int_equal(doc->rec[1].person, 1);
	assert_string_equal(doc->rec[1].value[CARTEL_PFIF_STATUS],
	                    "believed_alive");
	assert_true(doc->rec[2].is_note);
	assert_int_equal(doc->rec[2].person, 0);
	assert_null(doc->rec[2].value[CARTEL_PFIF_FULL_NAME]);
	cartel_pfif_doc_free(doc);
}

static void
refuses_entities_and_bad_documents(void **state)
{
	(void)state;
	char *why = NULL;
	const char *xxe =
	    "<!DOCTYPE pfif [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
	    "<pfif " NS14 "><person><full_name>&x;</full_name></person>"
	    "</pfif>";
	assert_int_equal(parse_err(xxe, strlen(xxe), &why), CARTEL_EFORMAT);
	assert_non_null(strstr(why, "declares an entity"));
	free(why);
	why = NULL;
	const char *laughs = "<!DOCTYPE pfif [<!ENTITY a \"aaaa\">"
	                     "<!ENTITY b \"&a;&a;&a;&a;\">]>"
	                     "<pfif " NS14 "><person><full_name>&b;"
	                     "</full_name></person></pfif>";
	assert_int_equal(parse_err(laughs, strlen(laughs), &why),
	                 CARTEL_EFORMAT);
	free(why);
	why = NULL;
	const char *atom = "<feed xmlns=\"http://www.w3.org/2005/Atom\"/>";
	assert_int_equal(parse_err(atom, strlen(atom), &why), CARTEL_EFORMAT);
	assert_non_null(strstr(why, "root element"));
	free(why);
	why = NULL;
	const char *cut = "<pfif " NS14 "><person><full_name>x";
	assert_int_equal(parse_err(cut, strlen(cut), &why), CARTEL_EFORMAT);
	free(why);
	why = NULL;
	assert_int_equal(parse_err("", 0, &why), CARTEL_EFORMAT);
	free(why);
	why = NULL;
	/* Over the size limit: refused before expat sees a byte. */
	assert_int_equal(
	    parse_err(cut, (size_t)CARTEL_LIMIT_PFIF_DOC + 1, &why),
	    CARTEL_ERANGE);
	free(why);
}

static void
flags_a_value_over_the_field_limit(void **state)
{
	(void)state;
	size_t big = CARTEL_LIMIT_FIELD + 10;
	const char *head = "<pfif " NS14 "><person><person_record_id>a.org/1"
	                   "</person_record_id><full_name>";
	const char *tail = "</full_name></person></pfif>";
	size_t n = strlen(head) + big + strlen(tail);
	char *xml = malloc(n + 1);
	assert_non_null(xml);
	memcpy(xml, head, strlen(head));
	memset(xml + strlen(head), 'x', big);
	memcpy(xml + strlen(head) + big, tail, strlen(tail) + 1);
	struct cartel_pfif_doc *doc = parse_ok(xml);
	assert_int_equal(doc->n_rec, 1);
	assert_null(doc->rec[0].value[CARTEL_PFIF_FULL_NAME]);
	assert_string_equal(doc->rec[0].bad_field, "full_name");
	cartel_pfif_doc_free(doc);
	free(xml);
}

static void
checks_record_ids(void **state)
{
	(void)state;
	assert_true(cartel_pfif_record_id_valid("example.org/p.1"));
	assert_true(cartel_pfif_record_id_valid("a/b/c"));
	assert_false(cartel_pfif_record_id_valid("nodomain"));
	assert_false(cartel_pfif_record_id_valid("/local"));
	assert_false(cartel_pfif_record_id_valid("domain/"));
	assert_false(cartel_pfif_record_id_valid("a b/c"));
	assert_false(cartel_pfif_record_id_valid(NULL));
}

/* The register's own export, read back into a fresh register, gives the
 * same persons; read into the first one, it changes nothing. */
static void
export_reads_back(void **state)
{
	(void)state;
	char dir[] = "/tmp/cartel_pfif_XXXXXX";
	assert_non_null(mkdtemp(dir));
	char a[64], b[64];
	snprintf(a, sizeof a, "%s/a.db", dir);
	snprintf(b, sizeof b, "%s/b.db", dir);
	struct cartel_db *db;
	char *why = NULL;
	assert_int_equal(cartel_db_open(&db, a, CARTEL_DB_CREATE, &why), 0);
	const char *csv = "id,family_name,given_name,birth_date,sex,status\n"
	                  "M1,Kovalenko,Oleh,1994-03,male,reported_missing\n"
	                  "C1,Melnyk,Petro,1990,male,confirmed_captive\n";
	FILE *in = fmemopen((void *)csv, strlen(csv), "r");
	struct cartel_import_result res = {0};
	assert_int_equal(cartel_import_csv(db, in, "l", NULL, &res, &why), 0);
	fclose(in);
	cartel_import_result_clear(&res);

	char *xml = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&xml, &len);
	struct cartel_pfif_counts c;
	assert_int_equal(cartel_export_pfif(db, out, NULL, &c, &why), 0);
	fclose(out);
	assert_int_equal(c.persons, 1);
	assert_int_equal(c.withheld, 1);
	assert_null(strstr(xml, "Melnyk"));
	assert_non_null(strstr(xml, "cartel.invalid/M1"));

	in = fmemopen(xml, len, "r");
	assert_int_equal(
	    cartel_import_pfif(db, in, "x", NULL, NULL, &res, &why), 0);
	fclose(in);
	assert_int_equal(res.imported, 0);
	assert_int_equal(res.updated, 0);
	assert_int_equal(res.rejected, 0);
	cartel_import_result_clear(&res);
	cartel_db_close(db);

	assert_int_equal(cartel_db_open(&db, b, CARTEL_DB_CREATE, &why), 0);
	in = fmemopen(xml, len, "r");
	assert_int_equal(
	    cartel_import_pfif(db, in, "x", NULL, NULL, &res, &why), 0);
	fclose(in);
	assert_int_equal(res.imported, 1);
	cartel_import_result_clear(&res);
	struct cartel_person p = {0};
	assert_int_equal(cartel_person_get(db, "M1", &p, &why), 0);
	assert_string_equal(p.family_name, "Kovalenko");
	assert_string_equal(p.given_name, "Oleh");
	assert_int_equal(p.birth_date.year, 1994);
	assert_int_equal(p.birth_date.month, 3);
	assert_int_equal(p.sex, CARTEL_SEX_MALE);
	cartel_person_clear(&p);
	cartel_db_close(db);
	free(xml);
	unlink(a);
	unlink(b);
	char cmd[96];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

/* Export of a register into memory with opts; returns the document. */
static char *
export_with(struct cartel_db *db, const struct cartel_pfif_opts *o,
            struct cartel_pfif_counts *c)
{
	char *xml = NULL, *why = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&xml, &len);
	assert_non_null(out);
	int rc = cartel_export_pfif(db, out, o, c, &why);
	if (rc != 0)
		fprintf(stderr, "export: %s\n", why);
	assert_int_equal(rc, 0);
	fclose(out);
	free(why);
	return xml;
}

/* A party's feed holds only the persons it holds or that depend on it;
 * pages by entry_date and skip give every person once, in order, however
 * many share one entry_date. */
static void
export_by_party_and_in_pages(void **state)
{
	(void)state;
	char dir[] = "/tmp/cartel_pfif_XXXXXX";
	assert_non_null(mkdtemp(dir));
	char a[64];
	snprintf(a, sizeof a, "%s/a.db", dir);
	struct cartel_db *db;
	char *why = NULL;
	assert_int_equal(cartel_db_open(&db, a, CARTEL_DB_CREATE, &why), 0);
	const char *csv =
	    "id,family_name,depends_on,held_by,status\n"
	    "M1,Kovalenko,UA,,reported_missing\n"
	    "M2,Ivanov,RU,,reported_missing\n"
	    "M3,Bondar,UA,,reported_missing\n"
	    "M4,Shevchuk,UA,,reported_missing\n"
	    "C1,Melnyk,RU,UA,confirmed_captive\n";
	FILE *in = fmemopen((void *)csv, strlen(csv), "r");
	struct cartel_import_result res = {0};
	assert_int_equal(cartel_import_csv(db, in, "l", NULL, &res, &why), 0);
	fclose(in);
	cartel_import_result_clear(&res);

	struct cartel_pfif_opts o = {0};
	struct cartel_pfif_counts c;
	o.party = "UA";
	char *xml = export_with(db, &o, &c);
	assert_int_equal(c.persons, 3);
	assert_int_equal(c.withheld, 1); /* C1, held by UA */
	assert_null(strstr(xml, "Ivanov"));
	assert_null(strstr(xml, "Melnyk"));
	free(xml);
	o.include_captives = 1;
	xml = export_with(db, &o, &c);
	assert_int_equal(c.persons, 4);
	assert_non_null(strstr(xml, "Melnyk"));
	assert_null(strstr(xml, "Ivanov"));
	free(xml);
	o.party = "U A";
	xml = NULL;
	FILE *out = open_memstream(&xml, &(size_t){0});
	assert_int_equal(cartel_export_pfif(db, out, &o, &c, &why),
	                 CARTEL_EINVAL);
	assert_non_null(strstr(why, "a party is a code"));
	free(why);
	why = NULL;
	fclose(out);
	free(xml);

	/* Every person, one a page. */
	memset(&o, 0, sizeof o);
	o.include_captives = 1;
	o.max_results = 1;
	char seen[5][8];
	size_t n_seen = 0;
	char min[24] = "";
	for (int page = 0; page < 10; page++) {
		o.min_entry_date = min[0] ? min : NULL;
		xml = export_with(db, &o, &c);
		assert_true(c.persons <= 1);
		const char *id = strstr(xml, "cartel.invalid/");
		if (c.persons == 1) {
			assert_non_null(id);
			assert_true(n_seen < 5);
			sscanf(id + 15, "%7[^<]", seen[n_seen++]);
		}
		free(xml);
		if (!c.more)
			break;
		snprintf(min, sizeof min, "%s", c.next_min_entry_date);
		o.skip = c.next_skip;
	}
	assert_int_equal(n_seen, 5);
	const char *all[] = {"C1", "M1", "M2", "M3", "M4"};
	for (size_t i = 0; i < 5; i++) {
		int once = 0;
		for (size_t k = 0; k < n_seen; k++)
			once += strcmp(seen[k], all[i]) == 0;
		assert_int_equal(once, 1);
	}
	/* Nobody is recorded after the year 2999. */
	memset(&o, 0, sizeof o);
	o.min_entry_date = "2999-01-01T00:00:00Z";
	xml = export_with(db, &o, &c);
	assert_int_equal(c.persons, 0);
	free(xml);
	cartel_db_close(db);
	char cmd[96];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(reads_old_names_and_trims),
	    cmocka_unit_test(reads_nested_and_standalone_notes),
	    cmocka_unit_test(refuses_entities_and_bad_documents),
	    cmocka_unit_test(flags_a_value_over_the_field_limit),
	    cmocka_unit_test(checks_record_ids),
	    cmocka_unit_test(export_reads_back),
	    cmocka_unit_test(export_by_party_and_in_pages),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
