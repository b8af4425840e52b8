/*
 * The person's enumerations as people say them ("seriously wounded",
 * "on an agreed list"), in the calling thread's language: the labels of
 * statistics and of anything else a person reads. The register's own
 * names (cartel_enum_name) stay what files and JSON carry.
 */
#include <string.h>

#include <cartel/person.h>

#include "core/intl.h"

struct word {
	enum cartel_enum_kind kind;
	const char *name; /* cartel_enum_name's */
	const char *text; /* marked in the context of its kind */
};

/* The context of each kind keeps "unknown" of health apart from
 * "unknown" of sex: the two may be said differently. */
static const char *const contexts[] = {
	[CARTEL_ENUM_SEX] = "sex",
	[CARTEL_ENUM_CATEGORY] = "category",
	[CARTEL_ENUM_HEALTH] = "health",
	[CARTEL_ENUM_CONSENT] = "consent",
	[CARTEL_ENUM_LEGAL_HOLD] = "legal hold",
	[CARTEL_ENUM_STATUS] = "status",
	[CARTEL_ENUM_SOURCE] = "source",
	[CARTEL_ENUM_DIRECT_REP] = "direct repatriation",
};

static const struct word words[] = {
	{CARTEL_ENUM_SEX, "unknown", NC_("sex", "unknown")},
	{CARTEL_ENUM_SEX, "male", NC_("sex", "male")},
	{CARTEL_ENUM_SEX, "female", NC_("sex", "female")},
	{CARTEL_ENUM_CATEGORY, "unknown", NC_("category", "unknown")},
	{CARTEL_ENUM_CATEGORY, "military", NC_("category", "military")},
	{CARTEL_ENUM_CATEGORY, "civilian", NC_("category", "civilians")},
	{CARTEL_ENUM_CATEGORY, "medical",
	 NC_("category", "medical personnel")},
	{CARTEL_ENUM_CATEGORY, "chaplain", NC_("category", "chaplains")},
	{CARTEL_ENUM_HEALTH, "unknown", NC_("health", "unknown")},
	{CARTEL_ENUM_HEALTH, "good", NC_("health", "good health")},
	{CARTEL_ENUM_HEALTH, "not_wounded", NC_("health", "not wounded")},
	{CARTEL_ENUM_HEALTH, "recovered", NC_("health", "recovered")},
	{CARTEL_ENUM_HEALTH, "convalescent", NC_("health", "convalescent")},
	{CARTEL_ENUM_HEALTH, "sick", NC_("health", "sick")},
	{CARTEL_ENUM_HEALTH, "slightly_wounded",
	 NC_("health", "slightly wounded")},
	{CARTEL_ENUM_HEALTH, "seriously_wounded",
	 NC_("health", "seriously wounded")},
	{CARTEL_ENUM_CONSENT, "not_asked", NC_("consent", "never asked")},
	{CARTEL_ENUM_CONSENT, "willing",
	 NC_("consent", "willing to go home")},
	{CARTEL_ENUM_CONSENT, "refuses",
	 NC_("consent", "refuses to go home")},
	{CARTEL_ENUM_CONSENT, "undecided",
	 NC_("consent", "asked, no answer yet")},
	{CARTEL_ENUM_LEGAL_HOLD, "none", NC_("legal hold", "none")},
	{CARTEL_ENUM_LEGAL_HOLD, "proceedings",
	 NC_("legal hold", "under criminal proceedings")},
	{CARTEL_ENUM_LEGAL_HOLD, "convicted",
	 NC_("legal hold", "convicted")},
	{CARTEL_ENUM_STATUS, "reported_missing",
	 NC_("status", "reported missing")},
	{CARTEL_ENUM_STATUS, "confirmed_captive",
	 NC_("status", "confirmed captive")},
	{CARTEL_ENUM_STATUS, "proposed",
	 NC_("status", "proposed for exchange")},
	{CARTEL_ENUM_STATUS, "agreed", NC_("status", "on an agreed list")},
	{CARTEL_ENUM_STATUS, "repatriated", NC_("status", "repatriated")},
	{CARTEL_ENUM_STATUS, "released", NC_("status", "released")},
	{CARTEL_ENUM_STATUS, "transferred",
	 NC_("status", "transferred to another power")},
	{CARTEL_ENUM_STATUS, "escaped", NC_("status", "escaped")},
	{CARTEL_ENUM_STATUS, "deceased", NC_("status", "deceased")},
	{CARTEL_ENUM_SOURCE, "official_list",
	 NC_("source", "official list")},
	{CARTEL_ENUM_SOURCE, "capture_card", NC_("source", "capture card")},
	{CARTEL_ENUM_SOURCE, "icrc_visit", NC_("source", "ICRC visit")},
	{CARTEL_ENUM_SOURCE, "counterpart_list",
	 NC_("source", "the other party's list")},
	{CARTEL_ENUM_SOURCE, "video_testimony",
	 NC_("source", "video or testimony")},
	{CARTEL_ENUM_SOURCE, "family_report",
	 NC_("source", "the family's report")},
	{CARTEL_ENUM_DIRECT_REP, "unknown",
	 NC_("direct repatriation", "not examined")},
	{CARTEL_ENUM_DIRECT_REP, "yes", NC_("direct repatriation", "yes")},
	{CARTEL_ENUM_DIRECT_REP, "no", NC_("direct repatriation", "no")},
};

const char *
cartel_enum_text(enum cartel_enum_kind k, int v)
{
	const char *name = cartel_enum_name(k, v);
	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
		if (words[i].kind == k && strcmp(words[i].name, name) == 0)
			return cartel_pgettext(contexts[k], words[i].text);
	/* A value added to the register before its words: its name. */
	return name;
}
