/*
 * What the PFIF import (io/pfif.c) and export (io/pfif_export.c) share:
 * the note statuses, the shape of a time, and the record id namespace
 * (<cartel/pfif.h>).
 */
#ifndef CARTEL_IO_PFIF_INT_H
#define CARTEL_IO_PFIF_INT_H

#include <stddef.h>

#include <cartel/person.h>

enum cartel_pfif_status {
	CARTEL__PFIF_NONE = 0, /* no status given */
	CARTEL__PFIF_INFORMATION_SOUGHT,
	CARTEL__PFIF_IS_NOTE_AUTHOR,
	CARTEL__PFIF_BELIEVED_ALIVE,
	CARTEL__PFIF_BELIEVED_MISSING,
	CARTEL__PFIF_BELIEVED_DEAD,
};

/* The prefix of an event's ref that records the note it came from:
 * "pfif:STATUS:NOTE_RECORD_ID". */
#define CARTEL__PFIF_REF "pfif:"

/* The PFIF text of s ("" for none). Static. */
const char *cartel__pfif_status_name(enum cartel_pfif_status s);

/* Reads a PFIF status ("" reads as none); 0 or CARTEL_EINVAL. */
int cartel__pfif_status_parse(const char *s, enum cartel_pfif_status *out);

/* The note status a status of the register is published as. */
enum cartel_pfif_status cartel__pfif_status_of(enum cartel_status s);

/* 1 when s is a PFIF time, YYYY-MM-DDTHH:MM:SSZ, of a real day. */
int cartel__pfif_time_valid(const char *s);

/* The register's domain, checked: a host name of letters, digits, '-'
 * and '.'. NULL opts domain gives CARTEL_PFIF_DOMAIN. */
int cartel__pfif_domain(const char *given, const char **out, char **why);

#endif
