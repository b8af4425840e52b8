/*
 * The charts (<cartel/report.h>, docs/report.md): each is a table of
 * counts (groups along the x axis, one series per party or one series
 * alone) gathered from the store or the statistics, then drawn as grouped
 * bars by cairo on an SVG or image surface, its words set by pango.
 *
 * Suppression happens once, when the table is filled: a suppressed count
 * is kept as -1 and from then on is no bar, no share of the scale, and the
 * words "fewer than 5", in the picture and in the description alike.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cairo-svg.h>
#include <cairo.h>
#include <jansson.h>
#include <pango/pangocairo.h>

#include <cartel/date.h>
#include <cartel/error.h>
#include <cartel/file.h>
#include <cartel/i18n.h>
#include <cartel/inquiry.h>
#include <cartel/person.h>
#include <cartel/report.h>
#include <cartel/store.h>

#include "core/intl.h"
#include "core/text_lock.h"
#include "core/why.h"
#include "store/report_rows.h"

#define CHART_W 800
#define CHART_H 450
#define FONT "DejaVu Sans"
/* A chart's picture stays well under this. */
#define CHART_MAX ((size_t)16 << 20)
/* Months of the chart of the held over time, and rounds shown. */
#define HELD_MONTHS 24
#define ROUNDS_SHOWN 20
#define SERIES_MAX 8

/*
 * Under AddressSanitizer: fontconfig, loaded by pango for the printed list
 * and the charts, keeps its configuration and font patterns for the life
 * of the process and frees them never; LeakSanitizer would report them at
 * exit of every program that drew text. They are fontconfig's, not
 * cartel's, so they are left out of the leak report (the sanitizer's own
 * hook; this object is in every program that can draw). Leaks of
 * cartel's own are reported as before.
 */
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CARTEL_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(CARTEL_ASAN)
const char *__lsan_default_suppressions(void);
const char *
__lsan_default_suppressions(void)
{
	return "leak:libfontconfig.so\n";
}
#endif

static const char *const chart_names[CARTEL_CHART_N] = {
	"held", "rounds", "time-held", "awaiting", "inquiries"};

static const char *const chart_titles[CARTEL_CHART_N] = {
	N_("Held by each side over time"),
	N_("Rounds and their sizes"),
	N_("Time in captivity"),
	N_("Categories awaiting exchange"),
	N_("Inquiries matched and unmatched"),
};

const char *
cartel_chart_name(enum cartel_chart c)
{
	return (unsigned)c < CARTEL_CHART_N ? chart_names[c] : "";
}

const char *
cartel_chart_title(enum cartel_chart c)
{
	return (unsigned)c < CARTEL_CHART_N ? _(chart_titles[c]) : "";
}

int
cartel_chart_parse(const char *name, enum cartel_chart *c, char **why)
{
	for (int i = 0; name != NULL && i < CARTEL_CHART_N; i++)
		if (strcmp(name, chart_names[i]) == 0) {
			*c = (enum cartel_chart)i;
			return 0;
		}
	return cartel__why(why, CARTEL_ENOTFOUND,
			   "no such chart: the charts are held, rounds, "
			   "time-held, awaiting and inquiries");
}

/* A table of counts: v[g * n_series + s]; -1 is a suppressed count. */
struct chart {
	const char *title;
	const char *y_label;
	char **groups;
	size_t n_groups;
	char *series[SERIES_MAX];
	char series_code[SERIES_MAX][16];
	size_t n_series;
	long *v;
	int pub;
};

static void
chart_clear(struct chart *ch)
{
	for (size_t i = 0; i < ch->n_groups; i++)
		free(ch->groups[i]);
	free(ch->groups);
	for (size_t i = 0; i < ch->n_series; i++)
		free(ch->series[i]);
	free(ch->v);
}

/* The index of the series of party code (added when new; the label is the
 * party's name in words, or "holder unknown"); -1 past SERIES_MAX. */
static int
series_of(struct chart *ch, const char *code)
{
	for (size_t i = 0; i < ch->n_series; i++)
		if (strcmp(ch->series_code[i], code) == 0)
			return (int)i;
	if (ch->n_series == SERIES_MAX)
		return -1;
	snprintf(ch->series_code[ch->n_series],
		 sizeof ch->series_code[ch->n_series], "%s", code);
	ch->series[ch->n_series] =
		cartel__strdup(code[0] ? cartel_party_name(code)
				       : _("holder unknown"));
	if (ch->series[ch->n_series] == NULL)
		return -1;
	return (int)ch->n_series++;
}

static int
alloc_groups(struct chart *ch, size_t n)
{
	ch->groups = calloc(n ? n : 1, sizeof *ch->groups);
	ch->n_groups = 0;
	return ch->groups == NULL ? CARTEL_ENOMEM : 0;
}

static int
add_group(struct chart *ch, const char *label)
{
	if ((ch->groups[ch->n_groups] = cartel__strdup(label)) == NULL)
		return CARTEL_ENOMEM;
	ch->n_groups++;
	return 0;
}

/* The values' table once groups and series are known. */
static int
alloc_values(struct chart *ch)
{
	size_t n = ch->n_groups * (ch->n_series ? ch->n_series : 1);
	ch->v = calloc(n ? n : 1, sizeof *ch->v);
	return ch->v == NULL ? CARTEL_ENOMEM : 0;
}

/* Applies the rule of public figures to every count, once. */
static void
suppress(struct chart *ch)
{
	size_t n = ch->n_groups * ch->n_series;
	for (size_t i = 0; i < n; i++)
		if (cartel_stats_suppressed(ch->v[i], ch->pub))
			ch->v[i] = -1;
}

/* ---- Gathering the counts ----------------------------------------- */

static int
gather_stats(struct cartel_db *db, struct chart *ch, enum cartel_chart c,
	     char **why)
{
	struct cartel_stats st;
	int rc = cartel_stats_get(db, &st, why);
	if (rc)
		return rc;
	for (size_t p = 0; p < st.n_parties; p++)
		if (series_of(ch, st.parties[p].party) < 0) {
			cartel_stats_clear(&st);
			return cartel__why(why, CARTEL_ERANGE,
					   "more than %d holders to chart",
					   SERIES_MAX);
		}
	static const char *const held_labels[CARTEL_HELD_N] = {
		N_("under 3 months"), N_("3 to 6 months"),
		N_("6 to 12 months"), N_("12 to 24 months"),
		N_("24 months or more"), N_("not known")};
	size_t ng = c == CARTEL_CHART_TIME_HELD ? CARTEL_HELD_N
						: CARTEL_CAT_CHAPLAIN + 1;
	if ((rc = alloc_groups(ch, ng)) != 0)
		goto out;
	for (size_t g = 0; g < ng && rc == 0; g++)
		rc = add_group(ch, c == CARTEL_CHART_TIME_HELD
					   ? _(held_labels[g])
					   : cartel_enum_text(CARTEL_ENUM_CATEGORY,
							      (int)g));
	if (rc || (rc = alloc_values(ch)) != 0)
		goto out;
	for (size_t p = 0; p < st.n_parties; p++) {
		int s = series_of(ch, st.parties[p].party);
		for (size_t g = 0; g < ng; g++)
			ch->v[g * ch->n_series + (size_t)s] =
				c == CARTEL_CHART_TIME_HELD
					? st.parties[p].by_held[g]
					: st.parties[p].by_category[g];
	}
out:
	cartel_stats_clear(&st);
	if (rc == CARTEL_ENOMEM)
		cartel__why(why, rc, "out of memory");
	return rc;
}

/* The last day of month m (1..12) of year y. */
static int
month_end(int y, int m)
{
	static const int days[12] = {31, 28, 31, 30, 31, 30,
				     31, 31, 30, 31, 30, 31};
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return days[m - 1];
}

static int
gather_held(struct cartel_db *db, struct chart *ch, char **why)
{
	struct cartel_date today = cartel_date_today();
	char *first = NULL;
	int rc = cartel__report_first_held(db, &first, why);
	if (rc)
		return rc;
	/* From the first month anyone was held, at most HELD_MONTHS back. */
	int y = today.year, m = today.month;
	int n = 1;
	int fy = 0, fm = 1;
	if (first != NULL && strlen(first) >= 4) {
		fy = (int)strtol(first, NULL, 10);
		if (strlen(first) >= 7)
			fm = (int)strtol(first + 5, NULL, 10);
		if (fm < 1 || fm > 12)
			fm = 1;
		long months = (long)(y - fy) * 12 + (m - fm) + 1;
		n = months < 1 ? 1 : months > HELD_MONTHS ? HELD_MONTHS
							  : (int)months;
	}
	free(first);
	if ((rc = alloc_groups(ch, (size_t)n)) != 0)
		return cartel__why(why, rc, "out of memory");
	/* Counts per month per party, gathered before the series are known:
	 * kept in a scratch table of SERIES_MAX columns. */
	long *scratch = calloc((size_t)n * SERIES_MAX, sizeof *scratch);
	if (scratch == NULL)
		return cartel__why(why, CARTEL_ENOMEM, "out of memory");
	int my = y, mm = m - (n - 1);
	while (mm < 1) {
		mm += 12;
		my--;
	}
	for (int i = 0; i < n && rc == 0; i++) {
		char date[48], label[32];
		int d = month_end(my, mm);
		if (my == today.year && mm == today.month)
			d = today.day ? today.day : d;
		snprintf(date, sizeof date, "%04d-%02d-%02d", my, mm, d);
		snprintf(label, sizeof label, "%04d-%02d", my, mm);
		if ((rc = add_group(ch, label)) != 0) {
			cartel__why(why, rc, "out of memory");
			break;
		}
		struct cartel__party_count *pc = NULL;
		size_t npc = 0;
		if ((rc = cartel__report_held_at(db, date, &pc, &npc, why)) != 0)
			break;
		for (size_t k = 0; k < npc; k++) {
			int s = series_of(ch, pc[k].party);
			if (s < 0) {
				rc = cartel__why(why, CARTEL_ERANGE,
						 "more than %d holders to chart",
						 SERIES_MAX);
				break;
			}
			scratch[(size_t)i * SERIES_MAX + (size_t)s] = pc[k].n;
		}
		free(pc);
		if (++mm > 12) {
			mm = 1;
			my++;
		}
	}
	if (rc == 0 && (rc = alloc_values(ch)) != 0)
		cartel__why(why, rc, "out of memory");
	for (size_t g = 0; rc == 0 && g < ch->n_groups; g++)
		for (size_t s = 0; s < ch->n_series; s++)
			ch->v[g * ch->n_series + s] = scratch[g * SERIES_MAX + s];
	free(scratch);
	return rc;
}

static int
gather_rounds(struct cartel_db *db, struct chart *ch, char **why)
{
	struct cartel__round_row *rows = NULL;
	size_t n = 0;
	int rc = cartel__report_rounds(db, &rows, &n, why);
	if (rc)
		return rc;
	size_t from = n > ROUNDS_SHOWN ? n - ROUNDS_SHOWN : 0;
	json_t **docs = calloc(n ? n : 1, sizeof *docs);
	if (docs == NULL || (rc = alloc_groups(ch, n - from)) != 0) {
		rc = cartel__why(why, CARTEL_ENOMEM, "out of memory");
		goto out;
	}
	/* The parties first (the series), then the sizes. */
	for (size_t i = from; i < n && rc == 0; i++) {
		docs[i] = json_loads(rows[i].document, 0, NULL);
		const json_t *parties = json_object_get(docs[i], "parties");
		for (size_t k = 0; k < json_array_size(parties); k++) {
			const char *p =
				json_string_value(json_array_get(parties, k));
			if (p != NULL && series_of(ch, p) < 0)
				rc = cartel__why(why, CARTEL_ERANGE,
						 "more than %d parties to chart",
						 SERIES_MAX);
		}
		if (rc == 0 && (rc = add_group(ch, rows[i].round_id)) != 0)
			cartel__why(why, rc, "out of memory");
	}
	if (rc == 0 && (rc = alloc_values(ch)) != 0)
		cartel__why(why, rc, "out of memory");
	for (size_t i = from; rc == 0 && i < n; i++) {
		const json_t *sides = json_object_get(docs[i], "sides");
		const json_t *direct =
			json_object_get(docs[i], "direct_repatriation");
		for (size_t s = 0; s < ch->n_series; s++) {
			const char *p = ch->series_code[s];
			ch->v[(i - from) * ch->n_series + s] = (long)(
				json_array_size(json_object_get(
					json_object_get(sides, p), "gives")) +
				json_array_size(json_object_get(direct, p)));
		}
	}
out:
	for (size_t i = 0; docs != NULL && i < n; i++)
		json_decref(docs[i]);
	free(docs);
	cartel__round_rows_free(rows, n);
	return rc;
}

static int
gather_inquiries(struct cartel_db *db, struct chart *ch, char **why)
{
	long counts[4];
	int rc = cartel__report_inquiries(db, counts, why);
	if (rc)
		return rc;
	snprintf(ch->series_code[0], sizeof ch->series_code[0], "inquiries");
	ch->series[0] = cartel__strdup(_("inquiries"));
	if (ch->series[0] == NULL)
		return cartel__why(why, CARTEL_ENOMEM, "out of memory");
	ch->n_series = 1;
	if ((rc = alloc_groups(ch, 4)) != 0)
		return cartel__why(why, rc, "out of memory");
	for (int i = 0; i < 4; i++)
		if ((rc = add_group(ch, cartel_inquiry_state_text(
						(enum cartel_inquiry_state)i))) !=
		    0)
			return cartel__why(why, rc, "out of memory");
	if ((rc = alloc_values(ch)) != 0)
		return cartel__why(why, rc, "out of memory");
	for (int i = 0; i < 4; i++)
		ch->v[i] = counts[i];
	return 0;
}

static int
gather(struct cartel_db *db, enum cartel_chart c, struct chart *ch,
       char **why)
{
	ch->title = cartel_chart_title(c);
	ch->y_label = _("persons");
	switch (c) {
	case CARTEL_CHART_HELD:
		return gather_held(db, ch, why);
	case CARTEL_CHART_ROUNDS:
		return gather_rounds(db, ch, why);
	case CARTEL_CHART_TIME_HELD:
	case CARTEL_CHART_AWAITING:
		return gather_stats(db, ch, c, why);
	case CARTEL_CHART_INQUIRIES:
		ch->y_label = _("inquiries");
		return gather_inquiries(db, ch, why);
	default:
		return cartel__why(why, CARTEL_EINVAL, "no such chart");
	}
}

/* ---- Drawing ------------------------------------------------------ */

static const double palette[SERIES_MAX][3] = {
	{0.12, 0.38, 0.66}, {0.85, 0.45, 0.10}, {0.30, 0.60, 0.30},
	{0.55, 0.35, 0.65}, {0.60, 0.60, 0.60}, {0.75, 0.25, 0.30},
	{0.20, 0.60, 0.65}, {0.70, 0.65, 0.20}};

/* Sets text with its top left (or, with align 1, its top centre; 2, its
 * top right) at (x, y); returns its width in points. */
static double
text_at(cairo_t *cr, PangoLayout *pl, double x, double y, double size,
	int bold, int align, const char *text)
{
	PangoFontDescription *fd = pango_font_description_from_string(FONT);
	pango_font_description_set_absolute_size(fd, size * PANGO_SCALE);
	pango_font_description_set_weight(fd, bold ? PANGO_WEIGHT_BOLD
						   : PANGO_WEIGHT_NORMAL);
	pango_layout_set_font_description(pl, fd);
	pango_font_description_free(fd);
	pango_layout_set_width(pl, -1);
	pango_layout_set_text(pl, text, -1);
	int w, h;
	pango_layout_get_size(pl, &w, &h);
	double tw = (double)w / PANGO_SCALE;
	cairo_move_to(cr, x - (align == 1 ? tw / 2 : align == 2 ? tw : 0), y);
	pango_cairo_show_layout(cr, pl);
	return tw;
}

/* A round number at or above v for the top of the scale. */
static long
nice_max(long v)
{
	if (v < 5)
		return 5;
	long step = 1;
	while (step * 10 < v)
		step *= 10;
	for (long k = 1; k <= 10; k++)
		if (step * k >= v)
			return step * k;
	return step * 10;
}

static void
draw(cairo_t *cr, const struct chart *ch)
{
	PangoLayout *pl = pango_cairo_create_layout(cr);
	cairo_set_source_rgb(cr, 1, 1, 1);
	cairo_paint(cr);
	cairo_set_source_rgb(cr, 0, 0, 0);
	text_at(cr, pl, 20, 14, 16, 1, 0, ch->title);

	/* The legend, under the title. */
	double lx = 20;
	for (size_t s = 0; s < ch->n_series && ch->n_series > 1; s++) {
		cairo_set_source_rgb(cr, palette[s][0], palette[s][1],
				     palette[s][2]);
		cairo_rectangle(cr, lx, 44, 10, 10);
		cairo_fill(cr);
		cairo_set_source_rgb(cr, 0, 0, 0);
		lx += 14 + text_at(cr, pl, lx + 14, 41, 11, 0, 0,
				   ch->series[s]) + 16;
	}

	const double left = 70, right = CHART_W - 20, top = 72;
	int rotate = ch->n_groups > 8;
	const double bottom = CHART_H - (rotate ? 80 : 40);
	long vmax = 0;
	for (size_t i = 0; i < ch->n_groups * ch->n_series; i++)
		if (ch->v[i] > vmax)
			vmax = ch->v[i];
	long top_v = nice_max(vmax);

	/* The scale: five steps, with lines across. */
	char buf[64];
	cairo_set_line_width(cr, 0.5);
	for (int k = 0; k <= 5; k++) {
		double y = bottom - (bottom - top) * k / 5.0;
		cairo_set_source_rgb(cr, 0.85, 0.85, 0.85);
		cairo_move_to(cr, left, y);
		cairo_line_to(cr, right, y);
		cairo_stroke(cr);
		cairo_set_source_rgb(cr, 0, 0, 0);
		snprintf(buf, sizeof buf, "%ld", top_v * k / 5);
		text_at(cr, pl, left - 6, y - 7, 10, 0, 2, buf);
	}
	cairo_save(cr);
	cairo_move_to(cr, 16, (top + bottom) / 2);
	cairo_rotate(cr, -G_PI / 2);
	pango_cairo_update_layout(cr, pl);
	{
		PangoFontDescription *fd =
			pango_font_description_from_string(FONT);
		pango_font_description_set_absolute_size(fd, 11 * PANGO_SCALE);
		pango_layout_set_font_description(pl, fd);
		pango_font_description_free(fd);
		pango_layout_set_text(pl, ch->y_label, -1);
		int w, h;
		pango_layout_get_size(pl, &w, &h);
		cairo_rel_move_to(cr, -(double)w / PANGO_SCALE / 2, 0);
		pango_cairo_show_layout(cr, pl);
	}
	cairo_restore(cr);
	pango_cairo_update_layout(cr, pl);

	if (ch->n_groups == 0) {
		text_at(cr, pl, (left + right) / 2, (top + bottom) / 2, 12, 0,
			1, _("nothing to show yet"));
		g_object_unref(pl);
		return;
	}
	double gw = (right - left) / (double)ch->n_groups;
	double bw = gw * 0.8 / (double)(ch->n_series ? ch->n_series : 1);
	int labels = ch->n_groups * ch->n_series <= 24;
	for (size_t g = 0; g < ch->n_groups; g++) {
		double gx = left + gw * (double)g + gw * 0.1;
		for (size_t s = 0; s < ch->n_series; s++) {
			long v = ch->v[g * ch->n_series + s];
			double x = gx + bw * (double)s;
			if (v < 0) {
				/* Suppressed: no bar, the words instead. */
				cairo_save(cr);
				cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
				cairo_move_to(cr, x + bw / 2 - 5, bottom - 4);
				cairo_rotate(cr, -G_PI / 2);
				pango_cairo_update_layout(cr, pl);
				PangoFontDescription *fd =
					pango_font_description_from_string(
						FONT);
				pango_font_description_set_absolute_size(
					fd, 8 * PANGO_SCALE);
				pango_layout_set_font_description(pl, fd);
				pango_font_description_free(fd);
				pango_layout_set_text(pl, _("fewer than 5"),
						      -1);
				pango_cairo_show_layout(cr, pl);
				cairo_restore(cr);
				pango_cairo_update_layout(cr, pl);
				continue;
			}
			double h = (bottom - top) * (double)v / (double)top_v;
			cairo_set_source_rgb(cr, palette[s][0], palette[s][1],
					     palette[s][2]);
			cairo_rectangle(cr, x, bottom - h, bw * 0.92, h);
			cairo_fill(cr);
			if (labels && v > 0) {
				cairo_set_source_rgb(cr, 0, 0, 0);
				snprintf(buf, sizeof buf, "%ld", v);
				text_at(cr, pl, x + bw * 0.46, bottom - h - 14,
					9, 0, 1, buf);
			}
		}
		cairo_set_source_rgb(cr, 0, 0, 0);
		if (rotate) {
			cairo_save(cr);
			cairo_move_to(cr, gx + gw * 0.4 - 6, bottom + 4);
			cairo_rotate(cr, G_PI / 4);
			pango_cairo_update_layout(cr, pl);
			PangoFontDescription *fd =
				pango_font_description_from_string(FONT);
			pango_font_description_set_absolute_size(
				fd, 9 * PANGO_SCALE);
			pango_layout_set_font_description(pl, fd);
			pango_font_description_free(fd);
			pango_layout_set_width(pl, -1);
			pango_layout_set_text(pl, ch->groups[g], -1);
			pango_cairo_show_layout(cr, pl);
			cairo_restore(cr);
			pango_cairo_update_layout(cr, pl);
		} else {
			PangoFontDescription *fd =
				pango_font_description_from_string(FONT);
			pango_font_description_set_absolute_size(
				fd, 10 * PANGO_SCALE);
			pango_layout_set_font_description(pl, fd);
			pango_font_description_free(fd);
			pango_layout_set_width(pl, (int)(gw * PANGO_SCALE));
			pango_layout_set_alignment(pl, PANGO_ALIGN_CENTER);
			pango_layout_set_wrap(pl, PANGO_WRAP_WORD);
			pango_layout_set_text(pl, ch->groups[g], -1);
			cairo_move_to(cr, left + gw * (double)g, bottom + 4);
			pango_cairo_show_layout(cr, pl);
			pango_layout_set_alignment(pl, PANGO_ALIGN_LEFT);
		}
	}
	cairo_set_line_width(cr, 1);
	cairo_move_to(cr, left, bottom);
	cairo_line_to(cr, right, bottom);
	cairo_stroke(cr);
	g_object_unref(pl);
}

/* ---- Output ------------------------------------------------------- */

struct sink {
	unsigned char *buf;
	size_t len, cap;
	int failed;
};

static int
sink_put(struct sink *s, const void *data, size_t n)
{
	if (s->failed || n > CHART_MAX - s->len) {
		s->failed = 1;
		return -1;
	}
	if (s->len + n + 1 > s->cap) {
		size_t ncap = s->cap ? s->cap : 16384;
		while (ncap < s->len + n + 1)
			ncap *= 2;
		unsigned char *p = realloc(s->buf, ncap);
		if (p == NULL) {
			s->failed = 1;
			return -1;
		}
		s->buf = p;
		s->cap = ncap;
	}
	memcpy(s->buf + s->len, data, n);
	s->len += n;
	return 0;
}

static cairo_status_t
sink_write(void *closure, const unsigned char *data, unsigned int n)
{
	return sink_put(closure, data, n) ? CAIRO_STATUS_WRITE_ERROR
					  : CAIRO_STATUS_SUCCESS;
}

/* Text escaped for XML character data. */
static void
sink_xml(struct sink *s, const char *t)
{
	for (; *t; t++) {
		switch (*t) {
		case '<': sink_put(s, "&lt;", 4); break;
		case '>': sink_put(s, "&gt;", 4); break;
		case '&': sink_put(s, "&amp;", 5); break;
		default: sink_put(s, t, 1);
		}
	}
}

/* "Ukraine, 2025-03: 120; Russia, 2025-03: fewer than 5; ...": the counts
 * as published, for the SVG's <desc>. */
static void
describe(struct sink *s, const struct chart *ch)
{
	char buf[64];
	int first = 1;
	for (size_t g = 0; g < ch->n_groups; g++)
		for (size_t k = 0; k < ch->n_series; k++) {
			long v = ch->v[g * ch->n_series + k];
			if (!first)
				sink_put(s, "; ", 2);
			first = 0;
			if (ch->n_series > 1) {
				sink_xml(s, ch->series[k]);
				sink_put(s, ", ", 2);
			}
			sink_xml(s, ch->groups[g]);
			sink_put(s, ": ", 2);
			if (v < 0) {
				sink_xml(s, _("fewer than 5"));
			} else {
				snprintf(buf, sizeof buf, "%ld", v);
				sink_xml(s, buf);
			}
		}
	if (first)
		sink_xml(s, _("nothing to show yet"));
}

int
cartel_chart_render(struct cartel_db *db, enum cartel_chart c,
		    enum cartel_chart_format fmt, int public_figures,
		    unsigned char **out, size_t *len, char **why)
{
	*out = NULL;
	*len = 0;
	if ((unsigned)c >= CARTEL_CHART_N ||
	    (fmt != CARTEL_CHART_SVG && fmt != CARTEL_CHART_PNG))
		return cartel__why(why, CARTEL_EINVAL, "no such chart");
	struct chart ch;
	memset(&ch, 0, sizeof ch);
	ch.pub = public_figures;
	int rc = gather(db, c, &ch, why);
	if (rc) {
		chart_clear(&ch);
		return rc;
	}
	suppress(&ch);

	struct sink pic = {0};
	cartel__text_lock();
	cairo_surface_t *surf =
		fmt == CARTEL_CHART_SVG
			? cairo_svg_surface_create_for_stream(
				  sink_write, &pic, CHART_W, CHART_H)
			: cairo_image_surface_create(CAIRO_FORMAT_RGB24,
						     CHART_W, CHART_H);
	cairo_t *cr = cairo_create(surf);
	draw(cr, &ch);
	cairo_destroy(cr);
	if (fmt == CARTEL_CHART_PNG) {
		cairo_surface_flush(surf);
		cairo_surface_write_to_png_stream(surf, sink_write, &pic);
	}
	cairo_surface_finish(surf);
	cairo_status_t cst = cairo_surface_status(surf);
	cairo_surface_destroy(surf);
	cartel__text_unlock();
	if (cst != CAIRO_STATUS_SUCCESS || pic.failed) {
		chart_clear(&ch);
		free(pic.buf);
		return cartel__why(why, CARTEL_ENOMEM, "drawing the chart: %s",
				   cairo_status_to_string(cst));
	}
	if (fmt == CARTEL_CHART_PNG) {
		chart_clear(&ch);
		*out = pic.buf;
		*len = pic.len;
		return 0;
	}
	/* The SVG with its title and description, which is what a screen
	 * reader says: put right after the opening <svg ...> tag. */
	struct sink svg = {0};
	/* NUL-terminated for strstr; a buffer that could not take the NUL
	 * is not read past its end. */
	if (sink_put(&pic, "", 1) != 0) {
		chart_clear(&ch);
		free(pic.buf);
		return cartel__why(why, CARTEL_ENOMEM, "out of memory");
	}
	const char *open = strstr((const char *)pic.buf, "<svg");
	const char *gt = open ? strchr(open, '>') : NULL;
	if (gt == NULL) {
		chart_clear(&ch);
		free(pic.buf);
		return cartel__why(why, CARTEL_EFORMAT,
				   "drawing the chart: no <svg> element");
	}
	size_t head = (size_t)(gt + 1 - (const char *)pic.buf);
	sink_put(&svg, pic.buf, head);
	sink_put(&svg, "\n<title>", 8);
	sink_xml(&svg, ch.title);
	sink_put(&svg, "</title>\n<desc>", 15);
	describe(&svg, &ch);
	sink_put(&svg, "</desc>", 7);
	sink_put(&svg, pic.buf + head, pic.len - 1 - head);
	free(pic.buf);
	chart_clear(&ch);
	if (svg.failed) {
		free(svg.buf);
		return cartel__why(why, CARTEL_ENOMEM, "out of memory");
	}
	*out = svg.buf;
	*len = svg.len;
	return 0;
}

int
cartel_report_write(struct cartel_db *db, const char *dir,
		    int public_figures, size_t *n_files, char **why)
{
	if (n_files)
		*n_files = 0;
	if (mkdir(dir, 0755) != 0 && errno != EEXIST)
		return cartel__why(why, CARTEL_EIO, "%s: cannot make the folder: %s",
				   dir, strerror(errno));
	struct stat sb;
	if (lstat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
		return cartel__why(why, CARTEL_ESTATE, "%s: not a folder", dir);
	for (int c = 0; c < CARTEL_CHART_N; c++)
		for (int f = 0; f < 2; f++) {
			unsigned char *buf = NULL;
			size_t len = 0;
			int rc = cartel_chart_render(
				db, (enum cartel_chart)c,
				(enum cartel_chart_format)f, public_figures,
				&buf, &len, why);
			if (rc)
				return rc;
			char *path = cartel__asprintf(
				"%s/%s.%s", dir, chart_names[c],
				f == CARTEL_CHART_SVG ? "svg" : "png");
			if (path == NULL) {
				free(buf);
				return cartel__why(why, CARTEL_ENOMEM,
						   "out of memory");
			}
			rc = cartel_file_put(path, buf, len, 0, why);
			free(path);
			free(buf);
			if (rc)
				return rc;
			if (n_files)
				(*n_files)++;
		}
	return 0;
}
