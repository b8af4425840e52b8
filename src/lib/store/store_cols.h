/*
 * The persons table's columns, in cartel_fields() order, as one SQL
 * fragment; written out rather than built at run time so that every
 * statement is a constant. test_store checks it against cartel_fields().
 */
#ifndef CARTEL_STORE_COLS_H
#define CARTEL_STORE_COLS_H

#define CARTEL__PERSON_COLS                                                   \
	"id, family_name, given_name, patronymic, birth_date, birth_place, "  \
	"sex, rank, service_number, unit, depends_on, held_by, category, "    \
	"captured_on, captured_at, internment_place, health, "                \
	"direct_repatriation, consent, legal_hold, status, source, notes, "   \
	"father_name, mother_maiden_name, inform_person, held_since, "        \
	"direct_rep_by, direct_rep_on, consent_by, consent_on"

#define CARTEL__PERSON_PARAMS                                                 \
	"?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, "  \
	"?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, "   \
	"?29, ?30, ?31"

#define CARTEL__PERSON_NCOLS 31

#endif
