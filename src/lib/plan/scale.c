/*
 * Rank scales: the built-in Dix-Hill table of 22 July 1862 and the mapping
 * from the rank text a register holds (Ukrainian, Russian, English) to the
 * 1862 classes; also ages and the policy's person filters.
 *
 * The 1862 cartel counted in privates and knew only the ranks of its day.
 * Ranks it did not have are put in the nearest class below the next one up:
 * lieutenant and colonel generals count as major generals (40), vice and
 * rear admirals as flag officers (40), the captains of the first, second
 * and third rank as navy captain, commander and lieutenant commander (15,
 * 10, 8), every grade of lieutenant as lieutenant (4), warrant officers
 * (прапорщик, мичман) as 3, sergeants, petty officers and corporals as
 * non-commissioned officers (2), and private soldiers, seamen, the Russian
 * ефрейтор and the Ukrainian старший солдат as privates (1). docs/policy.md
 * lists every text.
 */
#include <stdlib.h>
#include <string.h>

#include <unicode/uchar.h>
#include <unicode/ustring.h>

#include "core/why.h"
#include "plan/plan_int.h"

enum {
	DH_GENERAL_IN_CHIEF,
	DH_MAJOR_GENERAL,
	DH_BRIGADIER_GENERAL,
	DH_COLONEL,
	DH_LIEUTENANT_COLONEL,
	DH_MAJOR,
	DH_CAPTAIN,
	DH_LIEUTENANT,
	DH_WARRANT_OFFICER,
	DH_NCO,
	DH_PRIVATE,
	DH_N
};

static const struct {
	const char *name;
	long value;
} dix_hill_classes[DH_N] = {
	{"general_in_chief", 60},  {"major_general", 40},
	{"brigadier_general", 20}, {"colonel", 15},
	{"lieutenant_colonel", 10}, {"major", 8},
	{"captain", 6},            {"lieutenant", 4},
	{"warrant_officer", 3},    {"nco", 2},
	{"private", 1},
};

/* Rank texts as registers write them, already folded (lower case, single
 * spaces). */
static const struct {
	const char *text;
	int cls;
} dix_hill_ranks[] = {
	/* English */
	{"general", DH_GENERAL_IN_CHIEF},
	{"general of the army", DH_GENERAL_IN_CHIEF},
	{"general in chief", DH_GENERAL_IN_CHIEF},
	{"commanding general", DH_GENERAL_IN_CHIEF},
	{"marshal", DH_GENERAL_IN_CHIEF},
	{"admiral", DH_GENERAL_IN_CHIEF},
	{"fleet admiral", DH_GENERAL_IN_CHIEF},
	{"colonel general", DH_MAJOR_GENERAL},
	{"lieutenant general", DH_MAJOR_GENERAL},
	{"major general", DH_MAJOR_GENERAL},
	{"vice admiral", DH_MAJOR_GENERAL},
	{"rear admiral", DH_MAJOR_GENERAL},
	{"flag officer", DH_MAJOR_GENERAL},
	{"brigadier general", DH_BRIGADIER_GENERAL},
	{"brigadier", DH_BRIGADIER_GENERAL},
	{"commodore", DH_BRIGADIER_GENERAL},
	{"colonel", DH_COLONEL},
	{"col", DH_COLONEL},
	{"navy captain", DH_COLONEL},
	{"captain 1st rank", DH_COLONEL},
	{"lieutenant colonel", DH_LIEUTENANT_COLONEL},
	{"lt col", DH_LIEUTENANT_COLONEL},
	{"commander", DH_LIEUTENANT_COLONEL},
	{"captain 2nd rank", DH_LIEUTENANT_COLONEL},
	{"major", DH_MAJOR},
	{"maj", DH_MAJOR},
	{"lieutenant commander", DH_MAJOR},
	{"captain 3rd rank", DH_MAJOR},
	{"captain", DH_CAPTAIN},
	{"capt", DH_CAPTAIN},
	{"cpt", DH_CAPTAIN},
	{"captain lieutenant", DH_CAPTAIN},
	{"navy lieutenant", DH_CAPTAIN},
	{"lieutenant", DH_LIEUTENANT},
	{"lt", DH_LIEUTENANT},
	{"first lieutenant", DH_LIEUTENANT},
	{"second lieutenant", DH_LIEUTENANT},
	{"senior lieutenant", DH_LIEUTENANT},
	{"junior lieutenant", DH_LIEUTENANT},
	{"ensign", DH_LIEUTENANT},
	{"warrant officer", DH_WARRANT_OFFICER},
	{"senior warrant officer", DH_WARRANT_OFFICER},
	{"midshipman", DH_WARRANT_OFFICER},
	{"sergeant", DH_NCO},
	{"sgt", DH_NCO},
	{"junior sergeant", DH_NCO},
	{"senior sergeant", DH_NCO},
	{"staff sergeant", DH_NCO},
	{"master sergeant", DH_NCO},
	{"sergeant major", DH_NCO},
	{"corporal", DH_NCO},
	{"petty officer", DH_NCO},
	{"chief petty officer", DH_NCO},
	{"private", DH_PRIVATE},
	{"pvt", DH_PRIVATE},
	{"private first class", DH_PRIVATE},
	{"senior soldier", DH_PRIVATE},
	{"lance corporal", DH_PRIVATE},
	{"soldier", DH_PRIVATE},
	{"seaman", DH_PRIVATE},
	{"sailor", DH_PRIVATE},
	{"senior seaman", DH_PRIVATE},
	/* Ukrainian */
	{"генерал", DH_GENERAL_IN_CHIEF},
	{"генерал армії", DH_GENERAL_IN_CHIEF},
	{"адмірал", DH_GENERAL_IN_CHIEF},
	{"генерал-полковник", DH_MAJOR_GENERAL},
	{"генерал-лейтенант", DH_MAJOR_GENERAL},
	{"генерал-майор", DH_MAJOR_GENERAL},
	{"віце-адмірал", DH_MAJOR_GENERAL},
	{"контр-адмірал", DH_MAJOR_GENERAL},
	{"бригадний генерал", DH_BRIGADIER_GENERAL},
	{"коммодор", DH_BRIGADIER_GENERAL},
	{"полковник", DH_COLONEL},
	{"капітан 1 рангу", DH_COLONEL},
	{"капітан i рангу", DH_COLONEL},
	{"підполковник", DH_LIEUTENANT_COLONEL},
	{"капітан 2 рангу", DH_LIEUTENANT_COLONEL},
	{"майор", DH_MAJOR},
	{"капітан 3 рангу", DH_MAJOR},
	{"капітан", DH_CAPTAIN},
	{"капітан-лейтенант", DH_CAPTAIN},
	{"старший лейтенант", DH_LIEUTENANT},
	{"лейтенант", DH_LIEUTENANT},
	{"молодший лейтенант", DH_LIEUTENANT},
	{"прапорщик", DH_WARRANT_OFFICER},
	{"старший прапорщик", DH_WARRANT_OFFICER},
	{"мічман", DH_WARRANT_OFFICER},
	{"старший мічман", DH_WARRANT_OFFICER},
	{"сержант", DH_NCO},
	{"молодший сержант", DH_NCO},
	{"старший сержант", DH_NCO},
	{"головний сержант", DH_NCO},
	{"штаб-сержант", DH_NCO},
	{"майстер-сержант", DH_NCO},
	{"старший майстер-сержант", DH_NCO},
	{"головний майстер-сержант", DH_NCO},
	{"старшина", DH_NCO},
	{"старшина 1 статті", DH_NCO},
	{"старшина 2 статті", DH_NCO},
	{"головний старшина", DH_NCO},
	{"головний корабельний старшина", DH_NCO},
	{"рядовий", DH_PRIVATE},
	{"солдат", DH_PRIVATE},
	{"старший солдат", DH_PRIVATE},
	{"матрос", DH_PRIVATE},
	{"старший матрос", DH_PRIVATE},
	/* Russian (texts spelt as in Ukrainian are listed once, above) */
	{"генерал армии", DH_GENERAL_IN_CHIEF},
	{"маршал", DH_GENERAL_IN_CHIEF},
	{"маршал российской федерации", DH_GENERAL_IN_CHIEF},
	{"адмирал", DH_GENERAL_IN_CHIEF},
	{"адмирал флота", DH_GENERAL_IN_CHIEF},
	{"вице-адмирал", DH_MAJOR_GENERAL},
	{"контр-адмирал", DH_MAJOR_GENERAL},
	{"капитан 1 ранга", DH_COLONEL},
	{"подполковник", DH_LIEUTENANT_COLONEL},
	{"капитан 2 ранга", DH_LIEUTENANT_COLONEL},
	{"капитан 3 ранга", DH_MAJOR},
	{"капитан", DH_CAPTAIN},
	{"капитан-лейтенант", DH_CAPTAIN},
	{"младший лейтенант", DH_LIEUTENANT},
	{"мичман", DH_WARRANT_OFFICER},
	{"старший мичман", DH_WARRANT_OFFICER},
	{"младший сержант", DH_NCO},
	{"старшина 1 статьи", DH_NCO},
	{"старшина 2 статьи", DH_NCO},
	{"главный старшина", DH_NCO},
	{"главный корабельный старшина", DH_NCO},
	{"рядовой", DH_PRIVATE},
	{"ефрейтор", DH_PRIVATE},
};

/* Words around a rank that do not change its class. */
static const char *const fold_prefixes[] = {
	"гвардии ", "гв. ", "гвардії ",
};
static const char *const fold_suffixes[] = {
	" медицинской службы", " медичної служби", " юстиции", " юстиції",
	" запаса", " запасу", " в отставке", " у відставці", " (retired)",
	" retired", " (ret.)", " of the reserve",
};

static int
ends_with(const char *s, size_t len, const char *suf)
{
	size_t n = strlen(suf);
	return len >= n && memcmp(s + len - n, suf, n) == 0;
}

char *
cartel__plan_rank_fold(const char *rank)
{
	if (rank == NULL)
		return NULL;
	UErrorCode st = U_ZERO_ERROR;
	int32_t n16 = 0;
	u_strFromUTF8(NULL, 0, &n16, rank, -1, &st);
	if (st != U_BUFFER_OVERFLOW_ERROR && U_FAILURE(st))
		return NULL;
	st = U_ZERO_ERROR;
	UChar *src = malloc(((size_t)n16 + 1) * sizeof *src);
	/* Case folding never more than triples a string's length. */
	int32_t cap = n16 * 3 + 1;
	UChar *dst = malloc((size_t)cap * sizeof *dst);
	char *out = NULL;
	if (src == NULL || dst == NULL)
		goto done;
	u_strFromUTF8(src, n16 + 1, NULL, rank, -1, &st);
	if (U_FAILURE(st))
		goto done;
	int32_t nf = u_strFoldCase(dst, cap, src, n16, U_FOLD_CASE_DEFAULT,
				   &st);
	if (U_FAILURE(st))
		goto done;
	/* ё is written е in most lists; the table uses е. Dots of
	 * abbreviations ("lt.", "col.") go too. */
	int32_t w = 0;
	for (int32_t i = 0; i < nf; i++) {
		UChar c = dst[i];
		if (c == 0x0451)
			c = 0x0435;
		if (c == '.' && (i + 1 == nf || dst[i + 1] == ' '))
			continue;
		if (c == '\t' || c == 0x00A0 || c == '_')
			c = ' ';
		dst[w++] = c;
	}
	int32_t n8 = 0;
	st = U_ZERO_ERROR;
	u_strToUTF8(NULL, 0, &n8, dst, w, &st);
	if (st != U_BUFFER_OVERFLOW_ERROR && U_FAILURE(st))
		goto done;
	st = U_ZERO_ERROR;
	char *tmp = malloc((size_t)n8 + 1);
	if (tmp == NULL)
		goto done;
	u_strToUTF8(tmp, n8 + 1, NULL, dst, w, &st);
	if (U_FAILURE(st)) {
		free(tmp);
		goto done;
	}
	/* Collapse runs of spaces and trim. */
	size_t o = 0;
	for (size_t i = 0; tmp[i] != '\0'; i++) {
		if (tmp[i] == ' ' && (o == 0 || tmp[o - 1] == ' '))
			continue;
		tmp[o++] = tmp[i];
	}
	while (o > 0 && tmp[o - 1] == ' ')
		o--;
	tmp[o] = '\0';
	for (size_t k = 0; k < sizeof fold_prefixes / sizeof *fold_prefixes;
	     k++) {
		size_t pl = strlen(fold_prefixes[k]);
		if (strncmp(tmp, fold_prefixes[k], pl) == 0) {
			memmove(tmp, tmp + pl, o - pl + 1);
			o -= pl;
		}
	}
	for (size_t k = 0; k < sizeof fold_suffixes / sizeof *fold_suffixes;
	     k++) {
		if (ends_with(tmp, o, fold_suffixes[k])) {
			o -= strlen(fold_suffixes[k]);
			tmp[o] = '\0';
		}
	}
	out = tmp;
done:
	free(src);
	free(dst);
	return out;
}

static int
rank_cmp(const void *a, const void *b)
{
	const struct plan_rank *x = a, *y = b;
	return strcmp(x->text, y->text);
}

long
cartel__plan_scale_sort(struct plan_scale *s)
{
	qsort(s->ranks, s->n_ranks, sizeof *s->ranks, rank_cmp);
	for (size_t i = 1; i < s->n_ranks; i++)
		if (strcmp(s->ranks[i - 1].text, s->ranks[i].text) == 0)
			return (long)i;
	return -1;
}

void
cartel__plan_scale_free(struct plan_scale *s)
{
	if (s == NULL)
		return;
	free(s->name);
	for (size_t i = 0; i < s->n_classes; i++)
		free(s->classes[i].name);
	free(s->classes);
	for (size_t i = 0; i < s->n_ranks; i++)
		free(s->ranks[i].text);
	free(s->ranks);
	free(s);
}

struct plan_scale *
cartel__plan_scale_builtin(const char *name, const char **known)
{
	if (known != NULL)
		*known = "dix-hill";
	if (name == NULL || (strcmp(name, "dix-hill") != 0 &&
			     strcmp(name, "dix_hill") != 0))
		return NULL;
	size_t nr = sizeof dix_hill_ranks / sizeof *dix_hill_ranks;
	struct plan_scale *s = calloc(1, sizeof *s);
	if (s == NULL)
		return NULL;
	s->name = cartel__strdup("dix-hill");
	s->classes = calloc(DH_N, sizeof *s->classes);
	/* Each class name is also a rank text ("private", "nco"). */
	s->ranks = calloc(nr + DH_N, sizeof *s->ranks);
	if (s->name == NULL || s->classes == NULL || s->ranks == NULL)
		goto oom;
	for (int i = 0; i < DH_N; i++) {
		s->classes[i].name = cartel__strdup(dix_hill_classes[i].name);
		s->classes[i].value = dix_hill_classes[i].value;
		s->n_classes++;
		if (s->classes[i].name == NULL)
			goto oom;
	}
	for (size_t i = 0; i < nr; i++) {
		s->ranks[s->n_ranks].text =
			cartel__strdup(dix_hill_ranks[i].text);
		s->ranks[s->n_ranks].cls = dix_hill_ranks[i].cls;
		if (s->ranks[s->n_ranks++].text == NULL)
			goto oom;
	}
	for (int i = 0; i < DH_N; i++) {
		/* "general", "captain", "colonel", "major" and "lieutenant"
		 * are already rank texts of their own class. */
		int dup = 0;
		for (size_t k = 0; k < nr; k++)
			if (strcmp(dix_hill_ranks[k].text,
				   dix_hill_classes[i].name) == 0)
				dup = 1;
		if (dup)
			continue;
		s->ranks[s->n_ranks].text =
			cartel__strdup(dix_hill_classes[i].name);
		s->ranks[s->n_ranks].cls = i;
		if (s->ranks[s->n_ranks++].text == NULL)
			goto oom;
	}
	s->builtin_ranks = 1;
	if (cartel__plan_scale_sort(s) >= 0)
		goto oom; /* a text given twice: the table above is wrong */
	return s;
oom:
	cartel__plan_scale_free(s);
	return NULL;
}

int
cartel__plan_scale_lookup(const struct plan_scale *s, const char *rank)
{
	char *f = cartel__plan_rank_fold(rank);
	if (f == NULL)
		return -1;
	struct plan_rank key = {f, 0};
	const struct plan_rank *r =
		bsearch(&key, s->ranks, s->n_ranks, sizeof *s->ranks, rank_cmp);
	int cls = -1;
	if (r != NULL) {
		cls = r->cls;
	} else {
		/* A class name is a rank text of its own class. */
		for (size_t i = 0; i < s->n_classes; i++)
			if (strcmp(s->classes[i].name, f) == 0)
				cls = (int)i;
	}
	free(f);
	return cls;
}

int
cartel_scale_rank(const char *scale, const char *rank, long *value,
		  const char **cls)
{
	struct plan_scale *s = cartel__plan_scale_builtin(scale, NULL);
	if (s == NULL)
		return CARTEL_ENOTFOUND;
	int c = cartel__plan_scale_lookup(s, rank);
	cartel__plan_scale_free(s);
	if (c < 0)
		return CARTEL_ENOTFOUND;
	if (value != NULL)
		*value = dix_hill_classes[c].value;
	if (cls != NULL)
		*cls = dix_hill_classes[c].name;
	return 0;
}

int
cartel__plan_age(const struct cartel_date *birth,
                 const struct cartel_date *today)
{
	if (birth == NULL || !cartel_date_known(birth))
		return -1;
	int bm = birth->month > 0 ? birth->month : 1;
	int bd = birth->day > 0 ? birth->day : 1;
	int age = today->year - birth->year;
	if (today->month < bm || (today->month == bm && today->day < bd))
		age--;
	return age < 0 ? -1 : age;
}

int
cartel__plan_filter_match(const struct plan_filter *f,
                          const struct cartel_person *p,
                          const struct cartel_date *today)
{
	if (f->catch_all)
		return 1;
	if (f->cat_mask && !(f->cat_mask & (1u << p->category)))
		return 0;
	if (f->health_mask && !(f->health_mask & (1u << p->health)))
		return 0;
	if (f->sex_mask && !(f->sex_mask & (1u << p->sex)))
		return 0;
	if (f->age_under >= 0 || f->age_over >= 0 || f->age_from >= 0 ||
	    f->age_to >= 0) {
		int age = cartel__plan_age(&p->birth_date, today);
		if (age < 0)
			return 0;
		if (f->age_under >= 0 && !(age < f->age_under))
			return 0;
		if (f->age_over >= 0 && !(age > f->age_over))
			return 0;
		if (f->age_from >= 0 && age < f->age_from)
			return 0;
		if (f->age_to >= 0 && age > f->age_to)
			return 0;
	}
	if (f->held_days_over >= 0) {
		const struct cartel_date *since =
			cartel_date_known(&p->held_since) ? &p->held_since
							  : &p->captured_on;
		if (!cartel_date_known(since))
			return 0;
		long days = cartel_date_days(today) - cartel_date_days(since);
		if (days <= f->held_days_over)
			return 0;
	}
	return 1;
}
