/*
 * recode_report.c: the report of a recoding (kanon -r, -v, --json and its
 * summary line; see recode.h).
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "recode.h"

/* Does an argument need single quotes for a POSIX shell? */
static int
needs_quotes(const char *s, size_t n)
{
	size_t i;

	if (n == 0)
		return 1;
	for (i = 0; i < n; i++)
		if (!strchr(
			"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
			"0123456789_./:=+,@%-",
			s[i]) ||
		    s[i] == '\0')
			return 1;
	return 0;
}

/* Append s[0..n) to b, single-quoted when a shell needs it. */
static prep_status
shell_word(prep_buf *b, const char *s, size_t n)
{
	prep_status st = PREP_OK;
	size_t i;

	if (!needs_quotes(s, n))
		return prep_buf_append(b, s, n);
	st = prep_buf_append_byte(b, '\'');
	for (i = 0; i < n && st == PREP_OK; i++)
		st = s[i] == '\'' ? prep_buf_append_str(b, "'\\''")
				  : prep_buf_append_byte(b, s[i]);
	if (st == PREP_OK)
		st = prep_buf_append_byte(b, '\'');
	return st;
}

prep_status
prep_recode_anonymize_args(const prep_recode_report *rep, prep_buf *out)
{
	const prep_recode_input *in = rep->in;
	char level[32];
	prep_buf w;
	size_t j;
	prep_status st = PREP_OK;

	prep_buf_reset(out);
	if (rep->r->levels == NULL || rep->hier_path == NULL)
		return PREP_OK;
	prep_buf_init(&w, 0);
	for (j = 0; j < in->nqi && st == PREP_OK; j++) {
		const char *path = rep->hier_path[j];

		if (rep->r->levels[j] == 0 || path == NULL)
			continue;
		(void)snprintf(level, sizeof level, ":%zu", rep->r->levels[j]);
		prep_buf_reset(&w);
		st = prep_buf_append(&w, in->qi[j].name.data,
				     in->qi[j].name.len);
		if (st == PREP_OK)
			st = prep_buf_append_str(&w, ":hierarchy:");
		if (st == PREP_OK)
			st = prep_buf_append_str(&w, path);
		if (st == PREP_OK)
			st = prep_buf_append_str(&w, level);
		if (st == PREP_OK && out->len)
			st = prep_buf_append_byte(out, ' ');
		if (st == PREP_OK)
			st = prep_buf_append_str(out, "-a ");
		if (st == PREP_OK)
			st = shell_word(out, w.data, w.len);
	}
	prep_buf_free(&w);
	if (st == PREP_OK)
		st = prep_buf_append_byte(out, '\0');
	if (st == PREP_OK)
		out->len--; /* NUL-terminated, not counted */
	return st;
}

prep_status
prep_recode_report_text(FILE *f, const prep_recode_report *rep)
{
	const prep_recode_input *in = rep->in;
	const prep_recode_figures *g = rep->f;
	prep_buf args;
	size_t j;
	prep_status st;

	(void)fprintf(f, "method: %s\n", rep->method);
	(void)fprintf(f, "metric: %s\n", prep_recode_metric_name(rep->metric));
	if (rep->r->levels) {
		(void)fputs("levels:", f);
		for (j = 0; j < in->nqi; j++)
			(void)fprintf(f, " %.*s=%zu", (int)in->qi[j].name.len,
				      in->qi[j].name.data, rep->r->levels[j]);
		(void)fputc('\n', f);
	}
	(void)fprintf(f, "rows: %llu\n", (unsigned long long)g->rows);
	(void)fprintf(f, "classes: %llu\n", (unsigned long long)g->classes);
	(void)fprintf(f, "min_class_size: %llu\n",
		      (unsigned long long)g->min_class_size);
	(void)fprintf(f, "suppressed_rows: %llu\n",
		      (unsigned long long)g->suppressed_rows);
	(void)fprintf(f, "dm: %llu\n", (unsigned long long)g->dm);
	(void)fprintf(f, "aecs: %.10g\n", g->aecs);
	(void)fprintf(f, "gcp: %.10g\n", g->gcp);
	(void)fprintf(f, "loss: %.10g\n", g->loss);
	(void)fprintf(f, "nodes_checked: %llu\n",
		      (unsigned long long)rep->r->nodes_checked);
	(void)fprintf(f, "seconds: %.3f\n", rep->seconds);
	(void)fprintf(f, "satisfied: %s\n", rep->satisfied ? "yes" : "no");
	prep_buf_init(&args, 0);
	st = prep_recode_anonymize_args(rep, &args);
	if (st == PREP_OK && rep->satisfied && rep->r->levels)
		(void)fprintf(f, "anonymize: %s\n", args.len ? args.data : "");
	prep_buf_free(&args);
	if (st != PREP_OK)
		return st;
	return ferror(f) ? PREP_ERR_IO : PREP_OK;
}

prep_status
prep_recode_report_json(FILE *f, const prep_recode_report *rep)
{
	const prep_recode_input *in = rep->in;
	const prep_recode_figures *g = rep->f;
	json_t *o = json_object(), *lv;
	prep_buf args;
	char *text;
	int ok = o != NULL;
	size_t j;
	prep_status st;

	prep_json_set(o, "method", json_string(rep->method), &ok);
	prep_json_set(o, "metric",
		      json_string(prep_recode_metric_name(rep->metric)), &ok);
	if (rep->r->levels) {
		lv = json_object();
		for (j = 0; j < in->nqi; j++)
			prep_json_setn(
			    lv, in->qi[j].name.data, in->qi[j].name.len,
			    prep_json_number((double)rep->r->levels[j]), &ok);
		prep_json_set(o, "levels", lv, &ok);
	}
	prep_json_set(o, "rows", prep_json_number((double)g->rows), &ok);
	prep_json_set(o, "classes", prep_json_number((double)g->classes), &ok);
	prep_json_set(o, "min_class_size",
		      prep_json_number((double)g->min_class_size), &ok);
	prep_json_set(o, "suppressed_rows",
		      prep_json_number((double)g->suppressed_rows), &ok);
	prep_json_set(o, "dm", prep_json_number((double)g->dm), &ok);
	prep_json_set(o, "aecs", prep_json_number(g->aecs), &ok);
	prep_json_set(o, "gcp", prep_json_number(g->gcp), &ok);
	prep_json_set(o, "loss", prep_json_number(g->loss), &ok);
	prep_json_set(o, "nodes_checked",
		      prep_json_number((double)rep->r->nodes_checked), &ok);
	prep_json_set(o, "seconds", prep_json_number(rep->seconds), &ok);
	prep_json_set(o, "satisfied", json_boolean(rep->satisfied), &ok);
	prep_buf_init(&args, 0);
	st = prep_recode_anonymize_args(rep, &args);
	if (st == PREP_OK && rep->satisfied && rep->r->levels)
		prep_json_set(
		    o, "anonymize",
		    prep_json_string(args.len ? args.data : "", args.len), &ok);
	prep_buf_free(&args);
	if (st != PREP_OK) {
		json_decref(o);
		return st;
	}
	if ((st = prep_json_text(o, ok, &text)) != PREP_OK)
		return st;
	(void)fputs(text, f);
	free(text);
	return ferror(f) ? PREP_ERR_IO : PREP_OK;
}

prep_status
prep_recode_report_summary(const prep_recode_report *rep, char *buf,
			   size_t size)
{
	const prep_recode_figures *g = rep->f;
	const prep_recode_input *in = rep->in;
	size_t off = 0, j;
	int n;

#define PUT(...)                                                               \
	do {                                                                   \
		n = snprintf(buf + off, size - off, __VA_ARGS__);              \
		if (n < 0 || (size_t)n >= size - off)                          \
			return PREP_ERR_RANGE;                                 \
		off += (size_t)n;                                              \
	} while (0)
	if (size == 0)
		return PREP_ERR_RANGE;
	buf[0] = '\0';
	PUT("%s", rep->satisfied ? "" : "no solution: ");
	PUT("%s", rep->method);
	if (rep->r->levels) {
		PUT(" levels");
		for (j = 0; j < in->nqi; j++)
			PUT("%s%.*s=%zu", j ? "," : " ",
			    (int)in->qi[j].name.len, in->qi[j].name.data,
			    rep->r->levels[j]);
	}
	PUT(": %llu row%s in %llu class%s (smallest %llu, k=%llu), "
	    "%llu suppressed; %s %.6g",
	    (unsigned long long)g->rows, g->rows == 1 ? "" : "s",
	    (unsigned long long)g->classes, g->classes == 1 ? "" : "es",
	    (unsigned long long)g->min_class_size,
	    (unsigned long long)in->params.k,
	    (unsigned long long)g->suppressed_rows,
	    prep_recode_metric_name(rep->metric),
	    prep_recode_figure(g, rep->metric));
#undef PUT
	return PREP_OK;
}
