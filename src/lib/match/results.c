/*
 * The caller-owned results of <cartel/match.h>'s search and review: their
 * options' defaults and how they are freed. These are the matching
 * module's types; the store (search_store.c, match_store.c) only fills
 * them from rows.
 */
#include <stdlib.h>
#include <string.h>

#include <cartel/match.h>
#include <cartel/person.h>

void
cartel_search_opts_init(struct cartel_search_opts *so)
{
	memset(so, 0, sizeof *so);
	so->mode = CARTEL_SEARCH_AUTO;
}

void
cartel_search_hits_free(struct cartel_search_hit *h, size_t n)
{
	if (h == NULL)
		return;
	for (size_t i = 0; i < n; i++) {
		cartel_person_clear(&h[i].person);
		free(h[i].explanation);
		free(h[i].words);
		free(h[i].status_on);
	}
	free(h);
}

void
cartel_search_info_clear(struct cartel_search_info *info)
{
	if (info == NULL)
		return;
	free(info->note);
	memset(info, 0, sizeof *info);
}

void
cartel_review_items_free(struct cartel_review_item *it, size_t n)
{
	if (it == NULL)
		return;
	for (size_t i = 0; i < n; i++) {
		free(it[i].inquiry_id);
		free(it[i].person_id);
		free(it[i].band);
		free(it[i].state);
		free(it[i].explanation);
		free(it[i].found_at);
		free(it[i].decided_by);
		free(it[i].decided_at);
		free(it[i].reason);
		free(it[i].words);
		if (it[i].theirs != NULL)
			cartel_person_clear(it[i].theirs);
		if (it[i].ours != NULL)
			cartel_person_clear(it[i].ours);
		free(it[i].theirs);
		free(it[i].ours);
	}
	free(it);
}
