/*
 * validate_partial.c: validate's partials (man1/validate.1, "Partials";
 * man5/prep-partial.5): the options that shape a part's state, the
 * state written by --partial, and --merge, which reads the parts' states
 * (libprep/validate_partial.c) and reports as one run over the whole
 * input.
 */
#include <stdlib.h>
#include <string.h>

#include "validate_run.h"

/* What --partial and --merge allow: no data, so no data's options. */
void
parse_partial_options(const struct opts *o)
{
	if (!o->partial && !o->merge)
		return;
	if (o->partial && o->merge)
		cli_usage_error(&cli, "--partial writes a part's state, "
				      "--merge reads them: not both");
	if (o->stream || o->rejects || o->manifest)
		cli_usage_error(&cli,
				"a partial holds no rows: no --stream, "
				"--rejects or --manifest with %s",
				o->partial ? "--partial" : "--merge");
	if (o->partial && o->report_only)
		cli_usage_error(&cli, "--partial writes the part's state, not "
				      "a report: no -r");
	if (o->partial && cli_output_gzip(&cli))
		cli_usage_error(&cli, "--merge reads a partial as it is: no -z "
				      "or -o FILE.gz with --partial");
	if (o->partial && cli.part_by)
		cli_usage_error(&cli,
				"--partial needs the rows in the order of "
				"the input: --part, not --part-by");
	if (o->merge && cli.output && !o->report_only)
		cli_usage_error(&cli, "--merge writes no data: -o needs -r");
	if (o->merge)
		cli_merge_no_part(&cli);
}

/* The options of this run that shape a part's state or the verdict, as
 * --partial writes them and --merge compares them; NULL: no memory. */
static json_t *
partial_options(const struct opts *o, const prep_schema *sch)
{
	prep_vstate_options vo;

	memset(&vo, 0, sizeof vo);
	vo.schema = sch;
	vo.pii = o->pii;
	vo.mostly = o->mostly;
	vo.max_errors = o->max_errors;
	vo.max_keys = sch ? prep_schema_max_keys(sch) : o->max_keys;
	vo.missing = cli.missing;
	vo.header = cli.csv.has_header;
	vo.allow_empty = cli.allow_empty;
	vo.lazy_quotes = cli.csv.lazy_quotes;
	vo.max_field = cli.csv.max_field ? cli.csv.max_field : (size_t)1 << 20;
	return prep_vstate_options_json(&vo);
}

/* --partial: the part's state on the output, instead of its report. */
void
write_state(const struct opts *o, const prep_schema *sch)
{
	json_t *state;

	cli_progress_end(&cli);
	validate_check(prep_vstate_report(run_vstate, run_report), "partial");
	if ((state = prep_vstate_to_json(run_vstate)) == NULL)
		cli_fatal(&cli, "out of memory");
	cli_partial_write(&cli, partial_options(o, sch), state);
}

/* --partial: the input (empty, or its header) into the part's state. */
void
state_input(prep_status st)
{
	size_t ncols = 0;
	const prep_field *h = prep_reader_header(cli.reader, &ncols);
	int empty = st == PREP_OK && prep_reader_columns(cli.reader) == 0;

	validate_check(prep_vstate_input(run_vstate, empty, empty ? NULL : h,
					 ncols,
					 prep_validator_ncols(run_validator),
					 prep_reader_where(cli.reader).file),
		       "partial");
}

/*
 * The states being merged: reachable from here until freed, so that a
 * refusal that ends the run leaves them held, not leaked (the sanitizer
 * builds' leak checker runs at exit), as cli_partial.c holds the
 * partials. Volatile: written only, they would be optimized away.
 */
static prep_vstate **volatile merging;

/*
 * --merge: the states of the partials in files[0 .. n), in the order of
 * their parts (or of the operands), merged into the whole run's report,
 * given as the run gives it; returns the verdict.
 */
int
merge_run(const struct opts *o, const prep_schema *sch, char **files, size_t n)
{
	json_t *options = partial_options(o, sch);
	prep_vstate **states;
	prep_partial *pt;
	const char *why;
	size_t *order, i, which;
	prep_status st;
	prep_where at;
	int pass;

	if (options == NULL)
		cli_fatal(&cli, "out of memory");
	pt = cli_partials_load(&cli, files, n, options);
	json_decref(options);
	order = cli_partials_order(&cli, pt, n);
	/* an array of pointers to states */
	/* NOLINTNEXTLINE(bugprone-sizeof-expression) */
	states = calloc(n + 1, sizeof *states);
	if (states == NULL)
		cli_fatal(&cli, "out of memory");
	merging = states;
	for (i = 0; i < n; i++) {
		why = NULL;
		st = prep_vstate_from_json(pt[order[i]].state, sch,
					   o->max_errors, &states[i], &why);
		if (st != PREP_OK)
			cli_partial_state_error(&cli, files[order[i]], st, why);
	}
	st = prep_vstate_merge(states, n, cli.allow_empty, run_validator,
			       run_report, &at, &which, &why);
	if (st == PREP_ERR_VALUE)
		cli_fatal(&cli, "%s: %s", files[order[which]], why);
	if (st == PREP_ERR_LIMIT)
		cli_fatal_at(&cli, at,
			     "more distinct values than --max-keys in unique "
			     "or primary-key fields");
	validate_check(st, "merge");
	pass = prep_vreport_passes(run_report, o->mostly);
	give_report(o, pass);
	for (i = 0; i < n; i++)
		prep_vstate_free(states[i]);
	free(states);
	merging = NULL;
	free(order);
	cli_partials_free(pt, n);
	return pass;
}
