/*
 * svg.h: charts and graphs as inline SVG 1.1 text, for the pages of
 * prep-report(1): a bar chart (one or more series over categories, with
 * an optional threshold mark per category), a line chart (series of
 * points over a numeric x axis, with an optional horizontal limit) and
 * a graph of boxes in columns joined by arrows (lineage).
 *
 * Everything is written into a prep_text: a capped buffer (buf.h) with
 * a sticky status, so a writer makes all its calls and looks at the
 * status once at the end. Every string that goes into the SVG (titles,
 * labels, links) is escaped for XML here; the caller passes plain text.
 * Numbers are written with printf's %g and %.1f in the C locale (the
 * tools never call setlocale), so the same data gives the same bytes.
 *
 * The charts draw no text of their own but axis ticks; what a chart
 * shows is said by its title, which is also its accessible name
 * (role="img" with aria-label), and by the caller's caption.
 */
#ifndef PREP_SVG_H
#define PREP_SVG_H

#include <stdarg.h>
#include <stddef.h>

#include "buf.h"
#include "prep.h"

/* A text being written: its bytes and the first failure (PREP_OK). */
typedef struct prep_text {
	prep_buf buf;
	prep_status st;
} prep_text;

/* An empty text of at most max bytes (0: buf.h's default cap). */
void prep_text_init(prep_text *t, size_t max);
void prep_text_free(prep_text *t);
/*
 * The text's bytes as a malloc'd copy with a NUL after them (free it) in
 * *out and *len, and the text freed: t's status, or PREP_ERR_NOMEM.
 */
prep_status prep_text_take(prep_text *t, char **out, size_t *len);
/* Append formatted text as it is (no escaping): markup of the caller. */
void prep_text_printf(prep_text *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void prep_text_put(prep_text *t, const char *s);
/*
 * Append s escaped for XML and HTML text and attribute values: & < > "
 * and ' become references; bytes that are not valid UTF-8 and control
 * characters other than tab and newline become U+FFFD.
 */
void prep_text_xml(prep_text *t, const char *s);
/*
 * Append s escaped for a Markdown table cell or the rest of a line
 * (CommonMark, GitHub's tables): \ ` * _ [ ] | > ~ are backslash-escaped
 * (emphasis, code, links, a cell's end, strike-through), '<' and '&'
 * written as references (inline HTML, entities), newlines and other
 * control characters become spaces, invalid UTF-8 U+FFFD. Not for the
 * inside of a code span, where a backslash is a backslash.
 */
void prep_text_md(prep_text *t, const char *s);
/* A number as the reports write it: %.6g, -0 as 0, NaN as "n/a". */
void prep_text_number(prep_text *t, double v);

/* The colours of the pages, for the charts and their legends. */
#define PREP_SVG_PASS "#1a9850"	  /* a check passed, a run completed */
#define PREP_SVG_FAIL "#d73027"	  /* a check failed, a run failed */
#define PREP_SVG_ABORT "#878787"  /* a run ended by a signal */
#define PREP_SVG_FIGURE "#4575b4" /* a figure, the first series */
#define PREP_SVG_SECOND "#f49a3a" /* the second series */

/* One series of a bar chart: values[i] of category i (NaN: no bar). */
typedef struct prep_svg_series {
	const char *name; /* in the legend when there are two or more */
	const char *color;
	const double *values;
} prep_svg_series;

typedef struct prep_svg_bars {
	const char *title;	       /* accessible name (required) */
	const char *const *categories; /* labels under the bars */
	size_t ncategories;	       /* 1 to PREP_SVG_MAX_CATEGORIES */
	const prep_svg_series *series;
	size_t nseries; /* 1 to 4 */
	/*
	 * Optional (NULL): per category a threshold, drawn as a black mark
	 * across its group of bars (NaN: none), and a verdict that colours
	 * the first series' bar PREP_SVG_FAIL (1) or PREP_SVG_PASS (0), or
	 * leaves the series' colour (-1).
	 */
	const double *thresholds;
	const int *failed;
} prep_svg_bars;

#define PREP_SVG_MAX_CATEGORIES 200

/*
 * The bar chart: a linear y axis from 0 (or from the least value when
 * one is negative) to a round number above the largest value or
 * threshold, ticked at five round steps. PREP_ERR_ARG for counts out of
 * range or a NULL title (nothing written).
 */
prep_status prep_svg_bar_chart(prep_text *t, const prep_svg_bars *c);

/* One line of a line chart: n points (x[i], y[i]), x ascending. */
typedef struct prep_svg_line {
	const char *name; /* in the legend */
	const char *color;
	const double *x, *y;
	size_t n;
	int step;	   /* drawn as a step function (a running total) */
	const int *failed; /* optional: a point marked as a failure (cross) */
} prep_svg_line;

typedef struct prep_svg_lines {
	const char *title;
	const prep_svg_line *lines;
	size_t nlines; /* 1 to 4 */
	double limit;  /* a dashed horizontal line at this y; NaN: none */
	const char *limit_label;
	const char *x_first, *x_last; /* labels of the x axis' ends */
} prep_svg_lines;

/* The line chart; PREP_ERR_ARG as for bars (and a line with no points). */
prep_status prep_svg_line_chart(prep_text *t, const prep_svg_lines *c);

/* A box of a graph, at column col and row row of the grid. */
typedef struct prep_svg_node {
	const char *label;    /* first line, bold */
	const char *sublabel; /* second line */
	const char *href;     /* a link of the page ("#run-..."); NULL: none */
	const char *color;    /* its border and the band on its left */
	size_t col, row;
} prep_svg_node;

/* An arrow from box from to box to, labelled (a short hash). */
typedef struct prep_svg_edge {
	size_t from, to;
	const char *label;
} prep_svg_edge;

/*
 * The arrow head the graphs use, defined once per page in an SVG of
 * no size: write it before the first graph.
 */
void prep_svg_defs(prep_text *t);

#define PREP_SVG_MAX_GRID 1000 /* most columns, most rows */

/*
 * The graph: boxes laid out on their grid, arrows from the right side of
 * one box to the left side of the other. PREP_ERR_ARG for an edge or a
 * grid place out of range.
 */
prep_status prep_svg_graph(prep_text *t, const char *title,
			   const prep_svg_node *nodes, size_t n,
			   const prep_svg_edge *edges, size_t m);

#endif
