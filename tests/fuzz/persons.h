/*
 * A small register for the search targets: enough persons, in Cyrillic and
 * Latin letters, that a typed name has candidates to score against.
 */
#ifndef CARTEL_FUZZ_PERSONS_H
#define CARTEL_FUZZ_PERSONS_H

#include <cartel/match.h>
#include <cartel/person.h>

#include "fuzz.h"

static const char *const fuzz_names[][5] = {
	/* id, family, given, patronymic, born */
	{"UA-1", "Коваленко", "Олександр", "Іванович", "1994-03-02"},
	{"UA-2", "Шевченко", "Сергій", "Петрович", "1990"},
	{"UA-3", "Бондаренко", "Андрій", "Миколайович", "1987-11"},
	{"UA-4", "Ковальчук", "Олександр", "Петрович", "1999-07-15"},
	{"UA-5", "Ткаченко", "Роман", "", "2001-01-01"},
	{"UA-6", "Kovalenko", "Oleksandr", "Ivanovych", "1994-03-02"},
	{"RU-1", "Петров", "Иван", "Сергеевич", "1990-05-01"},
	{"RU-2", "Соколов", "Павел", "Ильич", "2003-02-01"},
	{"RU-3", "Орлов", "Дмитрий", "Олегович", "1985-07-12"},
	{"RU-4", "Белова", "Анна", "Петровна", "1970"},
	{"RU-5", "Иванов", "Денис", "", ""},
	{"RU-6", "Smith", "John", "", "1980"},
};
#define FUZZ_N_PERSONS (sizeof fuzz_names / sizeof fuzz_names[0])

/* Fills p[0..FUZZ_N_PERSONS) (the caller clears each); aborts on failure. */
static inline void
fuzz_persons(struct cartel_person *p)
{
	for (size_t i = 0; i < FUZZ_N_PERSONS; i++) {
		memset(&p[i], 0, sizeof p[i]);
		p[i].id = strdup(fuzz_names[i][0]);
		p[i].family_name = strdup(fuzz_names[i][1]);
		p[i].given_name = strdup(fuzz_names[i][2]);
		if (fuzz_names[i][3][0] != '\0')
			p[i].patronymic = strdup(fuzz_names[i][3]);
		FUZZ_CHECK(p[i].id && p[i].family_name && p[i].given_name);
		char *why = NULL;
		FUZZ_CHECK(cartel_date_parse(fuzz_names[i][4],
					     &p[i].birth_date, &why) == 0);
	}
}

#endif
