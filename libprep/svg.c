/*
 * svg.c: bar charts, line charts and box graphs as SVG text (svg.h), and
 * the escaped text writer the report pages are made with.
 *
 * The charts are drawn here rather than by a plotting library: Debian's
 * C libraries that draw charts (libplot of plotutils, PLplot, cairo
 * with its own axes to write) bring a font and output stack to draw a
 * few rectangles, and their SVG has no accessible names and no links,
 * which a page that links every box to its run needs (prep-report(1),
 * "Why its own charts").
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "svg.h"

void
prep_text_init(prep_text *t, size_t max)
{
	prep_buf_init(&t->buf, max);
	t->st = PREP_OK;
}

void
prep_text_free(prep_text *t)
{
	prep_buf_free(&t->buf);
}

prep_status
prep_text_take(prep_text *t, char **out, size_t *len)
{
	prep_status st = t->st;

	*out = NULL;
	*len = 0;
	if (st == PREP_OK && (*out = malloc(t->buf.len + 1)) == NULL)
		st = PREP_ERR_NOMEM;
	if (st == PREP_OK) {
		if (t->buf.len)
			memcpy(*out, t->buf.data, t->buf.len);
		(*out)[t->buf.len] = '\0';
		*len = t->buf.len;
	}
	prep_text_free(t);
	return st;
}

static void
put_n(prep_text *t, const char *s, size_t n)
{
	if (t->st == PREP_OK)
		t->st = prep_buf_append(&t->buf, s, n);
}

void
prep_text_put(prep_text *t, const char *s)
{
	put_n(t, s, strlen(s));
}

void
prep_text_printf(prep_text *t, const char *fmt, ...)
{
	char small[512];
	va_list ap;
	int n;

	if (t->st != PREP_OK)
		return;
	va_start(ap, fmt);
	n = vsnprintf(small, sizeof small, fmt, ap);
	va_end(ap);
	if (n < 0) {
		t->st = PREP_ERR_ARG;
		return;
	}
	if ((size_t)n < sizeof small) {
		put_n(t, small, (size_t)n);
		return;
	}
	if ((t->st = prep_buf_reserve(&t->buf, (size_t)n)) != PREP_OK)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(t->buf.data + t->buf.len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	t->buf.len += (size_t)n;
}

/* Bytes of the valid UTF-8 sequence at s (RFC 3629), or 0. */
static size_t
utf8_len(const unsigned char *s)
{
	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		return (s[1] & 0xc0) == 0x80 ? 2 : 0;
	if (s[0] >= 0xe0 && s[0] <= 0xef) {
		if ((s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80)
			return 0;
		if ((s[0] == 0xe0 && s[1] < 0xa0) ||
		    (s[0] == 0xed && s[1] > 0x9f))
			return 0; /* overlong, or a surrogate */
		return 3;
	}
	if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		if ((s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80 ||
		    (s[3] & 0xc0) != 0x80)
			return 0;
		if ((s[0] == 0xf0 && s[1] < 0x90) ||
		    (s[0] == 0xf4 && s[1] > 0x8f))
			return 0;
		return 4;
	}
	return 0;
}

#define REPLACEMENT "\xef\xbf\xbd"

void
prep_text_xml(prep_text *t, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t k;

	while (*p) {
		switch (*p) {
		case '&':
			prep_text_put(t, "&amp;");
			break;
		case '<':
			prep_text_put(t, "&lt;");
			break;
		case '>':
			prep_text_put(t, "&gt;");
			break;
		case '"':
			prep_text_put(t, "&quot;");
			break;
		case '\'':
			prep_text_put(t, "&#39;");
			break;
		default:
			if ((*p < 0x20 && *p != '\t' && *p != '\n') ||
			    *p == 0x7f) {
				prep_text_put(t, REPLACEMENT);
				break;
			}
			if ((k = utf8_len(p)) == 0) {
				prep_text_put(t, REPLACEMENT);
				break;
			}
			put_n(t, (const char *)p, k);
			p += k;
			continue;
		}
		p++;
	}
}

void
prep_text_md(prep_text *t, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t k;

	while (*p) {
		if (*p == '<') {
			prep_text_put(t, "&lt;");
		} else if (*p == '&') {
			prep_text_put(t, "&amp;");
		} else if (*p < 0x20 || *p == 0x7f) {
			prep_text_put(t, " ");
		} else if (strchr("\\`*_[]|>~", *p) != NULL) {
			char e[2] = {'\\', (char)*p};

			put_n(t, e, 2);
		} else if ((k = utf8_len(p)) == 0) {
			prep_text_put(t, REPLACEMENT);
		} else {
			put_n(t, (const char *)p, k);
			p += k;
			continue;
		}
		p++;
	}
}

void
prep_text_number(prep_text *t, double v)
{
	if (isnan(v))
		prep_text_put(t, "n/a");
	else if (v == 0)
		prep_text_put(t, "0");
	else
		prep_text_printf(t, "%.6g", v);
}

/* ---- axes ---- */

/* A round step (1, 2 or 5 times a power of ten) that cuts span into
 * about five. */
static double
round_step(double span)
{
	double raw = span / 5, mag, f;

	if (!(raw > 0) || !isfinite(raw))
		return 1;
	mag = pow(10, floor(log10(raw)));
	f = raw / mag;
	return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * mag;
}

/* The axis [*lo, *hi] widened to multiples of a round step, in *step. */
static void
round_axis(double *lo, double *hi, double *step)
{
	if (!(*hi > *lo)) {
		*hi = *lo + 1;
		if (*lo > 0) {
			*hi = *lo * 2;
			*lo = 0;
		}
	}
	*step = round_step(*hi - *lo);
	*lo = floor(*lo / *step) * *step;
	*hi = ceil(*hi / *step) * *step;
}

/* A tick's label: %g of a value rounded to its step's precision. */
static void
tick_label(prep_text *t, double v, double step)
{
	if (fabs(v) < step * 1e-9)
		v = 0;
	prep_text_printf(t, "%g", v);
}

static void
svg_open(prep_text *t, const char *title, int w, int h)
{
	prep_text_printf(t,
			 "<svg xmlns=\"http://www.w3.org/2000/svg\" "
			 "width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
			 "role=\"img\" aria-label=\"",
			 w, h, w, h);
	prep_text_xml(t, title);
	prep_text_put(t, "\"><title>");
	prep_text_xml(t, title);
	prep_text_put(t, "</title>\n");
}

/* The y axis' grid lines and labels between plot rows top and bottom. */
static void
y_axis(prep_text *t, double lo, double hi, double step, double left,
       double right, double top, double bottom)
{
	int i, n = (int)floor((hi - lo) / step + 0.5);

	for (i = 0; i <= n && i < 50; i++) {
		double v = lo + i * step;
		double y = bottom - (v - lo) / (hi - lo) * (bottom - top);

		prep_text_printf(t,
				 "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
				 "y2=\"%.1f\" class=\"grid\"/>",
				 left, y, right, y);
		prep_text_printf(t,
				 "<text x=\"%.1f\" y=\"%.1f\" "
				 "text-anchor=\"end\" class=\"tick\">",
				 left - 4, y + 4);
		tick_label(t, v, step);
		prep_text_put(t, "</text>\n");
	}
	prep_text_printf(
	    t,
	    "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
	    "class=\"axis\"/>\n",
	    left, top, left, bottom);
}

static void
legend(prep_text *t, double x, double y, const char *name, const char *color)
{
	prep_text_printf(t,
			 "<rect x=\"%.1f\" y=\"%.1f\" width=\"10\" "
			 "height=\"10\" fill=\"",
			 x, y - 9);
	prep_text_xml(t, color);
	prep_text_printf(t, "\"/><text x=\"%.1f\" y=\"%.1f\" class=\"tick\">",
			 x + 14, y);
	prep_text_xml(t, name);
	prep_text_put(t, "</text>\n");
}

/* ---- bar charts ---- */

prep_status
prep_svg_bar_chart(prep_text *t, const prep_svg_bars *c)
{
	const double left = 56, top = 24, plot_h = 180;
	double lo = 0, hi = 0, step, group_w, bar_w, right, bottom, width;
	size_t i, s, longest = 0;
	int rotate, height;

	if (c == NULL || c->title == NULL || c->ncategories == 0 ||
	    c->ncategories > PREP_SVG_MAX_CATEGORIES || c->nseries == 0 ||
	    c->nseries > 4)
		return PREP_ERR_ARG;
	for (i = 0; i < c->ncategories; i++) {
		size_t len = strlen(c->categories[i]);

		longest = len > longest ? len : longest;
		for (s = 0; s < c->nseries; s++) {
			double v = c->series[s].values[i];

			if (isfinite(v)) {
				hi = v > hi ? v : hi;
				lo = v < lo ? v : lo;
			}
		}
		if (c->thresholds && isfinite(c->thresholds[i]))
			hi = c->thresholds[i] > hi ? c->thresholds[i] : hi;
	}
	round_axis(&lo, &hi, &step);
	group_w = c->ncategories <= 8 ? 64 : c->ncategories <= 24 ? 32 : 16;
	width = left + group_w * (double)c->ncategories + 24;
	if (width < 360)
		width = 360;
	right = width - 16;
	group_w = (right - left) / (double)c->ncategories;
	bar_w = group_w * 0.7 / (double)c->nseries;
	rotate = (double)longest * 7 > group_w;
	bottom = top + plot_h;
	height = (int)(bottom +
		       (rotate ? 12 + 6 * (double)(longest > 16 ? 16 : longest)
			       : 24));
	svg_open(t, c->title, (int)width, height);
	y_axis(t, lo, hi, step, left, right, top, bottom);
	for (i = 0; i < c->ncategories; i++) {
		double gx = left + group_w * (double)i + group_w * 0.15;
		double y0 = bottom - (0 - lo) / (hi - lo) * plot_h;
		double cx = left + group_w * ((double)i + 0.5);

		for (s = 0; s < c->nseries; s++) {
			double v = c->series[s].values[i], y;
			const char *color = c->series[s].color;

			if (!isfinite(v))
				continue;
			if (s == 0 && c->failed && c->failed[i] >= 0)
				color = c->failed[i] ? PREP_SVG_FAIL
						     : PREP_SVG_PASS;
			y = bottom - (v - lo) / (hi - lo) * plot_h;
			prep_text_printf(t,
					 "<rect x=\"%.1f\" y=\"%.1f\" "
					 "width=\"%.1f\" height=\"%.1f\" "
					 "fill=\"",
					 gx + bar_w * (double)s,
					 y < y0 ? y : y0, bar_w, fabs(y0 - y));
			prep_text_xml(t, color);
			prep_text_put(t, "\"><title>");
			prep_text_xml(t, c->categories[i]);
			if (c->nseries > 1) {
				prep_text_put(t, " (");
				prep_text_xml(t, c->series[s].name);
				prep_text_put(t, ")");
			}
			prep_text_put(t, ": ");
			prep_text_number(t, v);
			prep_text_put(t, "</title></rect>\n");
		}
		if (c->thresholds && isfinite(c->thresholds[i])) {
			double y = bottom -
				   (c->thresholds[i] - lo) / (hi - lo) * plot_h;

			prep_text_printf(t,
					 "<line x1=\"%.1f\" y1=\"%.1f\" "
					 "x2=\"%.1f\" y2=\"%.1f\" "
					 "class=\"limit\"/>\n",
					 gx - 3, y, gx + group_w * 0.7 + 3, y);
		}
		if (rotate)
			prep_text_printf(t,
					 "<text x=\"%.1f\" y=\"%.1f\" "
					 "transform=\"rotate(-45 %.1f %.1f)\" "
					 "text-anchor=\"end\" class=\"tick\">",
					 cx + 3, bottom + 12, cx + 3,
					 bottom + 12);
		else
			prep_text_printf(
			    t,
			    "<text x=\"%.1f\" y=\"%.1f\" "
			    "text-anchor=\"middle\" class=\"tick\">",
			    cx, bottom + 15);
		prep_text_xml(t, c->categories[i]);
		prep_text_put(t, "</text>\n");
	}
	prep_text_printf(
	    t,
	    "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
	    "class=\"axis\"/>\n",
	    left, bottom - (0 - lo) / (hi - lo) * plot_h, right,
	    bottom - (0 - lo) / (hi - lo) * plot_h);
	if (c->nseries > 1)
		for (s = 0; s < c->nseries; s++)
			legend(t, right - 110 * (double)(c->nseries - s), 14,
			       c->series[s].name, c->series[s].color);
	prep_text_put(t, "</svg>\n");
	return PREP_OK;
}

/* ---- line charts ---- */

prep_status
prep_svg_line_chart(prep_text *t, const prep_svg_lines *c)
{
	const double left = 56, top = 24, right = 624, bottom = 204;
	double xlo = INFINITY, xhi = -INFINITY, ylo = 0, yhi = 0, step, xs;
	size_t l, i;

	if (c == NULL || c->title == NULL || c->nlines == 0 || c->nlines > 4)
		return PREP_ERR_ARG;
	for (l = 0; l < c->nlines; l++) {
		if (c->lines[l].n == 0)
			return PREP_ERR_ARG;
		for (i = 0; i < c->lines[l].n; i++) {
			double x = c->lines[l].x[i], y = c->lines[l].y[i];

			if (isfinite(x)) {
				xlo = x < xlo ? x : xlo;
				xhi = x > xhi ? x : xhi;
			}
			if (isfinite(y))
				yhi = y > yhi ? y : yhi;
		}
	}
	if (isfinite(c->limit) && c->limit > yhi)
		yhi = c->limit;
	round_axis(&ylo, &yhi, &step);
	if (!(xhi > xlo)) { /* one instant: in the middle */
		xlo = isfinite(xlo) ? xlo - 1 : 0;
		xhi = xlo + 2;
	}
	xs = (right - left - 20) / (xhi - xlo);
	svg_open(t, c->title, 640, 236);
	y_axis(t, ylo, yhi, step, left, right, top, bottom);
	prep_text_printf(
	    t,
	    "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
	    "class=\"axis\"/>\n",
	    left, bottom, right, bottom);
	if (isfinite(c->limit)) {
		double y =
		    bottom - (c->limit - ylo) / (yhi - ylo) * (bottom - top);

		prep_text_printf(
		    t,
		    "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
		    "y2=\"%.1f\" stroke=\"%s\" "
		    "stroke-dasharray=\"6 4\" stroke-width=\"2\"/>",
		    left, y, right, y, PREP_SVG_FAIL);
		prep_text_printf(t,
				 "<text x=\"%.1f\" y=\"%.1f\" "
				 "text-anchor=\"end\" class=\"tick\">",
				 right, y - 4);
		prep_text_xml(t, c->limit_label ? c->limit_label : "");
		prep_text_put(t, "</text>\n");
	}
	for (l = 0; l < c->nlines; l++) {
		const prep_svg_line *ln = &c->lines[l];
		double px = 0, py = 0;

		prep_text_put(t, "<polyline fill=\"none\" stroke-width=\"2\" "
				 "stroke=\"");
		prep_text_xml(t, ln->color);
		prep_text_put(t, "\" points=\"");
		for (i = 0; i < ln->n; i++) {
			double x = left + 10 + (ln->x[i] - xlo) * xs;
			double y = bottom - (ln->y[i] - ylo) / (yhi - ylo) *
						(bottom - top);

			if (!isfinite(ln->x[i]) || !isfinite(ln->y[i]))
				continue;
			if (ln->step && i > 0)
				prep_text_printf(t, "%.1f,%.1f ", x, py);
			prep_text_printf(t, "%.1f,%.1f ", x, y);
			px = x;
			py = y;
		}
		(void)px;
		prep_text_put(t, "\"/>\n");
		for (i = 0; i < ln->n; i++) {
			double x = left + 10 + (ln->x[i] - xlo) * xs;
			double y = bottom - (ln->y[i] - ylo) / (yhi - ylo) *
						(bottom - top);

			if (!isfinite(ln->x[i]) || !isfinite(ln->y[i]))
				continue;
			if (ln->failed && ln->failed[i])
				prep_text_printf(
				    t,
				    "<path d=\"M%.1f %.1fl8 8m0 -8l-8 8\" "
				    "stroke=\"%s\" stroke-width=\"2\"/>\n",
				    x - 4, y - 4, PREP_SVG_FAIL);
			else {
				prep_text_printf(
				    t,
				    "<circle cx=\"%.1f\" cy=\"%.1f\" "
				    "r=\"4\" fill=\"",
				    x, y);
				prep_text_xml(t, ln->color);
				prep_text_put(t, "\"/>\n");
			}
		}
		legend(t, left + 12 + 150 * (double)l, 14,
		       ln->name ? ln->name : "", ln->color);
	}
	prep_text_printf(t, "<text x=\"%.1f\" y=\"%.1f\" class=\"tick\">", left,
			 bottom + 18);
	prep_text_xml(t, c->x_first ? c->x_first : "");
	prep_text_printf(t,
			 "</text><text x=\"%.1f\" y=\"%.1f\" "
			 "text-anchor=\"end\" class=\"tick\">",
			 right, bottom + 18);
	prep_text_xml(t, c->x_last ? c->x_last : "");
	prep_text_put(t, "</text>\n</svg>\n");
	return PREP_OK;
}

/* ---- graphs ---- */

void
prep_svg_defs(prep_text *t)
{
	prep_text_put(t, "<svg xmlns=\"http://www.w3.org/2000/svg\" "
			 "width=\"0\" height=\"0\" class=\"defs\" "
			 "aria-hidden=\"true\"><defs>"
			 "<marker id=\"prep-arrow\" viewBox=\"0 0 10 10\" "
			 "refX=\"10\" refY=\"5\" markerWidth=\"7\" "
			 "markerHeight=\"7\" orient=\"auto\">"
			 "<path d=\"M0,0 L10,5 L0,10 z\" fill=\"#444\"/>"
			 "</marker></defs></svg>\n");
}

#define BOX_W 150
#define BOX_H 44
#define GAP_X 70
#define GAP_Y 22
#define MARGIN 12

prep_status
prep_svg_graph(prep_text *t, const char *title, const prep_svg_node *nodes,
	       size_t n, const prep_svg_edge *edges, size_t m)
{
	size_t i, cols = 0, rows = 0;

	if (title == NULL || n == 0)
		return PREP_ERR_ARG;
	for (i = 0; i < n; i++) {
		if (nodes[i].col >= PREP_SVG_MAX_GRID ||
		    nodes[i].row >= PREP_SVG_MAX_GRID)
			return PREP_ERR_ARG;
		cols = nodes[i].col + 1 > cols ? nodes[i].col + 1 : cols;
		rows = nodes[i].row + 1 > rows ? nodes[i].row + 1 : rows;
	}
	for (i = 0; i < m; i++)
		if (edges[i].from >= n || edges[i].to >= n)
			return PREP_ERR_ARG;
	svg_open(
	    t, title,
	    (int)((size_t)2 * MARGIN + cols * (size_t)(BOX_W + GAP_X) - GAP_X),
	    (int)((size_t)2 * MARGIN + rows * (size_t)(BOX_H + GAP_Y) - GAP_Y));
	for (i = 0; i < m; i++) {
		const prep_svg_node *a = &nodes[edges[i].from];
		const prep_svg_node *b = &nodes[edges[i].to];
		double x1 = MARGIN + (double)a->col * (BOX_W + GAP_X) + BOX_W;
		double y1 =
		    MARGIN + (double)a->row * (BOX_H + GAP_Y) + BOX_H / 2.0;
		double x2 = MARGIN + (double)b->col * (BOX_W + GAP_X);
		double y2 =
		    MARGIN + (double)b->row * (BOX_H + GAP_Y) + BOX_H / 2.0;

		if (b->col <= a->col) { /* backwards: around below */
			x1 -= BOX_W / 2.0;
			y1 += BOX_H / 2.0;
			x2 += BOX_W / 2.0;
			y2 += BOX_H / 2.0;
		}
		prep_text_printf(t,
				 "<path d=\"M%.1f %.1f C%.1f %.1f %.1f %.1f "
				 "%.1f %.1f\" class=\"edge\" "
				 "marker-end=\"url(#prep-arrow)\"/>",
				 x1, y1, x1 + GAP_X / 2.0, y1, x2 - GAP_X / 2.0,
				 y2, x2, y2);
		if (edges[i].label) {
			prep_text_printf(t,
					 "<text x=\"%.1f\" y=\"%.1f\" "
					 "text-anchor=\"middle\" "
					 "class=\"hash\">",
					 (x1 + x2) / 2, (y1 + y2) / 2 - 4);
			prep_text_xml(t, edges[i].label);
			prep_text_put(t, "</text>");
		}
		prep_text_put(t, "\n");
	}
	for (i = 0; i < n; i++) {
		double x = MARGIN + (double)nodes[i].col * (BOX_W + GAP_X);
		double y = MARGIN + (double)nodes[i].row * (BOX_H + GAP_Y);

		if (nodes[i].href) {
			prep_text_put(t, "<a href=\"");
			prep_text_xml(t, nodes[i].href);
			prep_text_put(t, "\">");
		}
		prep_text_printf(t,
				 "<rect x=\"%.1f\" y=\"%.1f\" width=\"%d\" "
				 "height=\"%d\" rx=\"5\" class=\"box\" "
				 "stroke=\"",
				 x, y, BOX_W, BOX_H);
		prep_text_xml(t, nodes[i].color);
		prep_text_printf(t,
				 "\"/><rect x=\"%.1f\" y=\"%.1f\" width=\"6\" "
				 "height=\"%d\" fill=\"",
				 x, y, BOX_H);
		prep_text_xml(t, nodes[i].color);
		prep_text_printf(t,
				 "\"/><text x=\"%.1f\" y=\"%.1f\" "
				 "class=\"boxname\">",
				 x + 14, y + 18);
		prep_text_xml(t, nodes[i].label ? nodes[i].label : "");
		prep_text_printf(t,
				 "</text><text x=\"%.1f\" y=\"%.1f\" "
				 "class=\"tick\">",
				 x + 14, y + 35);
		prep_text_xml(t, nodes[i].sublabel ? nodes[i].sublabel : "");
		prep_text_put(t, "</text>");
		if (nodes[i].href)
			prep_text_put(t, "</a>");
		prep_text_put(t, "\n");
	}
	prep_text_put(t, "</svg>\n");
	return PREP_OK;
}
