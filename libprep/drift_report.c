/*
 * drift_report.c: drift(1)'s table and --json report (drift.h).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "drift.h"
#include "json.h"
#include "strset.h"

static json_t *
name_json(const char *s, size_t n)
{
	return prep_json_bytes(s, n);
}

static json_t *
rates_json(const prep_fairness_rates *r, int present, int has_pred, int *ok)
{
	json_t *o;

	if (!present)
		return json_null();
	o = json_object();
	prep_json_set(o, "n", json_integer((json_int_t)r->n), ok);
	prep_json_set(o, "base_rate", prep_json_number(r->base_rate), ok);
	prep_json_set(o, "selection_rate", prep_json_number(r->selection_rate),
		      ok);
	if (has_pred) {
		prep_json_set(o, "tpr", prep_json_number(r->tpr), ok);
		prep_json_set(o, "fpr", prep_json_number(r->fpr), ok);
	}
	return o;
}

static json_t *
then_now(double a, double b, int *ok)
{
	json_t *o = json_object();

	prep_json_set(o, "reference", prep_json_number(a), ok);
	prep_json_set(o, "current", prep_json_number(b), ok);
	return o;
}

static json_t *
groups_json(const prep_drift_result *r, int *ok)
{
	json_t *a = json_array(), *o, *g;
	const prep_drift_group *d;
	const unsigned char *q;
	prep_field f;
	size_t i, j;

	for (i = 0; i < r->ngroups; i++) {
		d = &r->groups[i];
		o = json_object();
		g = json_array();
		q = (const unsigned char *)d->key.data;
		for (j = 0; j < r->ngroup_names; j++) {
			f = prep_tuple_next(&q);
			prep_json_append(g, name_json(f.data, f.len), ok);
		}
		prep_json_set(o, "group", g, ok);
		prep_json_set(
		    o, "reference",
		    rates_json(&d->reference, d->in_reference, r->has_pred, ok),
		    ok);
		prep_json_set(
		    o, "current",
		    rates_json(&d->current, d->in_current, r->has_pred, ok),
		    ok);
		prep_json_append(a, o, ok);
	}
	return a;
}

static json_t *
column_json(const prep_drift_column *d, int *ok)
{
	json_t *o = json_object();

	prep_json_set(o, "column", name_json(d->name, d->name_len), ok);
	prep_json_set(o, "kind",
		      json_string(d->numeric ? "numeric" : "categorical"), ok);
	prep_json_set(o, "method",
		      json_string(prep_drift_method_names[d->method]), ok);
	prep_json_set(o, "statistic", prep_json_number(d->statistic), ok);
	prep_json_set(o, "error", prep_json_number(d->error), ok);
	prep_json_set(o, "threshold", prep_json_number(d->threshold), ok);
	prep_json_set(o, "drifted", json_boolean(d->drifted), ok);
	prep_json_set(o, "key", json_boolean(d->key), ok);
	if (d->method == PREP_DRIFT_KS)
		prep_json_set(o, "ks_d", prep_json_number(d->ks_d), ok);
	prep_json_set(o, "missing_rate_reference",
		      prep_json_number(d->missing_reference), ok);
	prep_json_set(o, "missing_rate_current",
		      prep_json_number(d->missing_current), ok);
	prep_json_set(o, "unseen_values", json_integer((json_int_t)d->unseen),
		      ok);
	prep_json_set(o, "type_reference",
		      json_string(prep_profile_type_names[d->type_reference]),
		      ok);
	prep_json_set(o, "type_current",
		      json_string(prep_profile_type_names[d->type_current]),
		      ok);
	prep_json_set(o, "type_changed", json_boolean(d->type_changed), ok);
	return o;
}

static json_t *
names_json(const prep_profile_column *const *c, size_t n, int *ok)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < n; i++)
		prep_json_append(a, name_json(c[i]->name, c[i]->name_len), ok);
	return a;
}

json_t *
prep_drift_to_json(const prep_drift_result *r, const prep_drift_options *o)
{
	json_t *j = json_object(), *a = json_array(), *b;
	int ok = j != NULL && a != NULL;
	size_t i;

	prep_json_set(j, "drift", json_boolean(r->drift), &ok);
	prep_json_set(j, "drifted_share", prep_json_number(r->drifted_share),
		      &ok);
	prep_json_set(j, "drift_share", prep_json_number(o->drift_share), &ok);
	prep_json_set(j, "drifted_columns",
		      json_integer((json_int_t)r->ndrifted), &ok);
	prep_json_set(j, "compared_columns",
		      json_integer((json_int_t)r->ncolumns), &ok);
	for (i = 0; i < r->ncolumns; i++)
		prep_json_append(a, column_json(&r->columns[i], &ok), &ok);
	prep_json_set(j, "columns", a, &ok);
	prep_json_set(j, "added_columns", names_json(r->added, r->nadded, &ok),
		      &ok);
	prep_json_set(j, "removed_columns",
		      names_json(r->removed, r->nremoved, &ok), &ok);
	if (r->bias) {
		prep_json_set(j, "groups", groups_json(r, &ok), &ok);
		b = json_object();
		prep_json_set(b, "disparate_impact",
			      then_now(r->bias_reference.disparate_impact,
				       r->bias_current.disparate_impact, &ok),
			      &ok);
		prep_json_set(
		    b, "statistical_parity_difference",
		    then_now(r->bias_reference.statistical_parity_difference,
			     r->bias_current.statistical_parity_difference,
			     &ok),
		    &ok);
		if (o->max_di_drop_set)
			prep_json_set(b, "max_di_drop_passed",
				      json_boolean(!(r->bias_failed &
						     PREP_DRIFT_FAIL_DI)),
				      &ok);
		if (o->max_spd_change_set)
			prep_json_set(b, "max_spd_change_passed",
				      json_boolean(!(r->bias_failed &
						     PREP_DRIFT_FAIL_SPD)),
				      &ok);
		prep_json_set(j, "bias", b, &ok);
	}
	if (!ok) {
		json_decref(j);
		return NULL;
	}
	return j;
}

/* A figure of the table: 6 significant digits, NA for none. */
static prep_status
figure(prep_writer *w, double v)
{
	char buf[32];
	int n;

	if (isnan(v))
		return prep_writer_field(w, "NA", 2);
	n = snprintf(buf, sizeof buf, "%.6g", v);
	return prep_writer_field(w, buf, (size_t)n);
}

prep_status
prep_drift_table(const prep_drift_result *r, prep_writer *w)
{
	static const char *const head[] = {"column",	"kind",	 "method",
					   "statistic", "error", "threshold",
					   "drifted"};
	const prep_drift_column *d;
	const char *s;
	prep_status st = PREP_OK;
	size_t i;

	for (i = 0; st == PREP_OK && i < sizeof head / sizeof *head; i++)
		st = prep_writer_field(w, head[i], strlen(head[i]));
	if (st == PREP_OK)
		st = prep_writer_end_row(w);
	for (i = 0; st == PREP_OK && i < r->ncolumns; i++) {
		d = &r->columns[i];
		st = prep_writer_field(w, d->name, d->name_len);
		s = d->numeric ? "numeric" : "categorical";
		if (st == PREP_OK)
			st = prep_writer_field(w, s, strlen(s));
		s = prep_drift_method_names[d->method];
		if (st == PREP_OK)
			st = prep_writer_field(w, s, strlen(s));
		if (st == PREP_OK)
			st = figure(w, d->statistic);
		if (st == PREP_OK)
			st = figure(w, d->error);
		if (st == PREP_OK)
			st = figure(w, d->threshold);
		s = d->drifted ? "yes" : "no";
		if (st == PREP_OK)
			st = prep_writer_field(w, s, strlen(s));
		if (st == PREP_OK)
			st = prep_writer_end_row(w);
	}
	return st;
}
