/*
 * dpnoise_partial.c: --partial and --merge of dpnoise's aggregate mode
 * (dpnoise(1), man5/prep-partial.5 "STATES").
 *
 * --partial reads its part of the input as aggregate mode does, bounds
 * the contributions, and writes the state (libprep/aggregate_partial.h:
 * per group the rows kept and the exact sum of their clamped values)
 * instead of a release: it draws no noise and charges no ledger. --merge
 * adds up the states of all the parts into the aggregation the whole
 * input would have built, and releases it as run_aggregate does: the
 * ledger charged once, here, the noise drawn once, here, from the same
 * generator, so that with the same --seed it writes what one run over
 * the whole input writes, byte for byte.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dpnoise_run.h"
#include "json.h"

static json_t *
text_or_null(const char *s)
{
	return s ? prep_json_bytes(s, strlen(s)) : json_null();
}

/*
 * The options object of a partial (man5/prep-partial.5, STATES, dpnoise):
 * what shapes the state or the release, as the command line gives it
 * (columns as given; numbers as prep_json_number writes them, which a
 * partial's text holds exactly); not -o, -q, --partial, --merge,
 * --audit, --progress, --ledger, --dataset, --budget.
 */
static json_t *
options_json(const struct opts *o)
{
	json_t *j = json_object();
	prep_bounds b;
	char d = (char)cli.csv.delim;
	int ok = j != NULL;

	prep_json_set(j, "kind", json_string(prep_agg_kind_name(o->kind)), &ok);
	prep_json_set(j, "column", text_or_null(o->col), &ok);
	prep_json_set(j, "by", text_or_null(o->by), &ok);
	prep_json_set(j, "keys", json_boolean(o->keys != NULL), &ok);
	prep_json_set(j, "delta",
		      o->delta > 0 ? prep_json_number(o->delta) : json_null(),
		      &ok);
	prep_json_set(j, "id", text_or_null(o->id), &ok);
	prep_json_set(j, "max_contrib", json_integer(o->max_contrib), &ok);
	if (o->agg_bounds) {
		parse_bounds(o->agg_bounds, &b);
		prep_json_set(j, "lo", prep_json_number(b.lo), &ok);
		prep_json_set(j, "hi", prep_json_number(b.hi), &ok);
		prep_json_set(j, "whole_bounds", json_boolean(b.integer), &ok);
	} else {
		prep_json_set(j, "lo", json_null(), &ok);
		prep_json_set(j, "hi", json_null(), &ok);
		prep_json_set(j, "whole_bounds", json_null(), &ok);
	}
	prep_json_set(j, "epsilon", prep_json_number(o->eps), &ok);
	prep_json_set(j, "digits",
		      o->digits >= 0 ? json_integer(o->digits) : json_null(),
		      &ok);
	prep_json_set(j, "seed",
		      o->seeded ? json_integer(o->seed) : json_null(), &ok);
	prep_json_set(j, "header", json_boolean(cli.csv.has_header), &ok);
	prep_json_set(j, "delimiter",
		      cli.csv.delim > 0 ? prep_json_bytes(&d, 1) : json_null(),
		      &ok);
	prep_json_set(j, "missing", prep_partial_missing(cli.missing), &ok);
	if (!ok) {
		json_decref(j);
		cli_fatal(&cli, "out of memory");
	}
	return j;
}

/*
 * --id bounds a person's rows only when they are all in the part: the
 * part must be chosen by the --id column (--part-by).
 */
static void
check_part_by(const struct opts *o)
{
	if (o->id == NULL)
		return;
	if (cli.part_by == NULL)
		cli_usage_error(&cli,
				"--partial with --id needs --part-by %s: "
				"every row of a person in one part",
				o->id);
	if (cli_column(&cli, "--part-by", cli.part_by) !=
	    cli_column(&cli, "--id", o->id))
		cli_usage_error(&cli, "--part-by must name the column of --id: "
				      "every row of a person in one part");
}

void
run_partial(const struct opts *o, prep_rng *rng)
{
	prep_agg *agg;
	prep_partial_input in;
	char(*numbers)[PREP_COLUMNS_LABEL_SIZE] = NULL;
	size_t *by = NULL, i;
	json_t *state;
	prep_status st;

	check_part_by(o);
	agg = aggregate_prepare(o, rng, NULL);
	aggregate_read(o, agg, rng);
	memset(&in, 0, sizeof in);
	in.delim = prep_reader_delim(cli.reader);
	if (o->by)
		by = cli_columns(&cli, "--by", o->by, &in.nnames);
	in.names = calloc(in.nnames ? in.nnames : 1, sizeof *in.names);
	numbers = calloc(in.nnames ? in.nnames : 1, sizeof *numbers);
	if (in.names == NULL || numbers == NULL)
		cli_fatal(&cli, "out of memory");
	for (i = 0; i < in.nnames; i++)
		in.names[i] = cli_column_label(&cli, by[i], numbers[i]);
	st = prep_agg_state(agg, &in, &state);
	if (st != PREP_OK)
		cli_fatal_status(&cli, st, "state");
	free(in.names);
	free(numbers);
	free(by);
	cli_partial_write(&cli, options_json(o), state);
	prep_agg_free(agg);
}

double
run_merge(const struct opts *o, prep_rng *rng, char **files, size_t n)
{
	json_t *options = options_json(o);
	prep_partial *p = cli_partials_load(&cli, files, n, options);
	prep_partial_input in, other;
	prep_agg *agg;
	char why[200];
	size_t i;
	prep_status st;

	json_decref(options);
	memset(&in, 0, sizeof in);
	for (i = 0; i < n; i++) {
		if (o->id && (p[i].part.i == 0 || p[i].part.by == NULL))
			cli_fatal(&cli,
				  "%s: made with --id but not with --part-by: "
				  "a person's rows may be in several parts",
				  files[i]);
		st = prep_agg_state_input(p[i].state, i ? &other : &in, why,
					  sizeof why);
		if (st != PREP_OK)
			cli_partial_state_error(&cli, files[i], st,
						st == PREP_ERR_VALUE ? why
								     : NULL);
		if (i && !prep_partial_input_same(&in, &other))
			cli_fatal(&cli,
				  "%s: made from an input of other columns "
				  "or delimiter than %s",
				  files[i], files[0]);
		if (i)
			prep_partial_input_free(&other);
	}
	if ((o->by != NULL) != (in.nnames > 0))
		cli_fatal(&cli, "%s: state: by does not match --by", files[0]);
	agg = aggregate_prepare(o, rng, &in);
	for (i = 0; i < n; i++) {
		st = prep_agg_state_add(agg, p[i].state, why, sizeof why);
		if (st != PREP_OK)
			cli_partial_state_error(
			    &cli, files[i], st,
			    st == PREP_ERR_VALUE   ? why
			    : st == PREP_ERR_LIMIT ? "too many groups"
			    : st == PREP_ERR_RANGE
				? "counts past 2^63 - 1 in all"
				: NULL);
	}
	/* the output in the input's delimiter, as the run over it writes */
	cli.csv.delim = in.delim;
	aggregate_release(o, agg, rng, in.names);
	prep_partial_input_free(&in);
	cli_partials_free(p, n);
	return o->eps;
}
