/*
 * reweight: append weights that make the label independent of the group
 * (Kamiran and Calders, "Data preprocessing techniques for classification
 * without discrimination", KAIS 33(1), 2012; man1/reweight.1).
 *
 * Two passes: the first counts every group x label cell
 * (libprep/weights.c) while it spools the data to an unlinked temporary
 * file in $TMPDIR; the second reads the spool back and writes every row
 * unchanged with its weight appended. Memory follows the cells, not the
 * rows; nothing is written before the whole input has been read.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "columns.h"
#include "weights.h"

enum {
	OPT_WEIGHT = CLI_OPT_TOOL_BASE,
	OPT_NAME,
};

static struct cli cli;

static void
usage(void)
{
	printf("usage: reweight -g GROUPS [-y LABEL] [--weight COL] [--name "
	       "NAME] [-v]\n"
	       "                [common options] [FILE...]\n"
	       "\n"
	       "Append a weight to every row that makes the label independent "
	       "of the\n"
	       "group: W = n_g*n_y/(n*n_gy) (Kamiran & Calders 2012); "
	       "without -y,\n"
	       "W = n/(G*n_g), which makes the groups weigh the same.\n"
	       "\n"
	       "  -g, --group GROUPS   group columns; several: their "
	       "intersections\n"
	       "  -y, --label LABEL    label column\n"
	       "      --weight COL     existing weights: multiplied, and "
	       "every count\n"
	       "                       a sum of them\n"
	       "      --name NAME      name of the new column (default "
	       "weight)\n"
	       "  -v, --report         the table of cells on stderr, as "
	       "CSV\n" CLI_COMMON_HELP "\nExit status: 0 done, 2 trouble.\n");
}

/* A count or weight of the report. */
static void
report_number(prep_writer *wr, double v)
{
	char buf[32];
	int k = snprintf(buf, sizeof buf, PREP_WEIGHTS_FORMAT, v);

	cli_write_check(&cli, prep_writer_field(wr, buf, (size_t)k));
}

/* A column's name for the report's header: the header's, or its number. */
static void
report_column(prep_writer *wr, const prep_field *h, size_t col)
{
	char buf[32];
	int k;

	if (h) {
		cli_write_check(&cli,
				prep_writer_field(wr, h[col].data, h[col].len));
		return;
	}
	k = snprintf(buf, sizeof buf, "%zu", col + 1);
	cli_write_check(&cli, prep_writer_field(wr, buf, (size_t)k));
}

/*
 * -v: every group x label cell as CSV on stderr, in the output's
 * dialect: groups in order of first appearance, labels within each too.
 */
static void
write_report(const prep_weights *tab, const size_t *grp, size_t ngrp,
	     long label)
{
	static const char *const names[] = {"n_g", "n_y", "n_gy", "weight"};
	prep_writer_options wo;
	prep_writer *wr;
	prep_weights_cell_info c;
	const prep_field *h = prep_reader_header(cli.reader, &(size_t){0});
	size_t g, y, i, nlabels = prep_weights_labels(tab);
	prep_field f;

	memset(&wo, 0, sizeof wo);
	wo.delim = prep_reader_delim(cli.reader);
	wo.crlf = cli.crlf;
	if (prep_writer_new(STDERR_FILENO, &wo, &wr) != PREP_OK)
		cli_fatal(&cli, "out of memory");
	for (i = 0; i < ngrp; i++)
		report_column(wr, h, grp[i]);
	if (label >= 0)
		report_column(wr, h, (size_t)label);
	for (i = 0; i < 4; i++)
		cli_write_check(
		    &cli, prep_writer_field(wr, names[i], strlen(names[i])));
	cli_write_check(&cli, prep_writer_end_row(wr));
	for (g = 0; g < prep_weights_groups(tab); g++) {
		for (y = 0; y < nlabels; y++) {
			if (prep_weights_cell(tab, g, y, &c) != PREP_OK)
				cli_fatal(&cli, "report: no such cell");
			for (i = 0; i < ngrp; i++) {
				f = prep_weights_group_field(tab, g, i);
				cli_write_check(
				    &cli, prep_writer_field(wr, f.data, f.len));
			}
			if (label >= 0) {
				f = prep_weights_label(tab, y);
				cli_write_check(
				    &cli, prep_writer_field(wr, f.data, f.len));
			}
			report_number(wr, c.n_g);
			report_number(wr, c.n_y);
			report_number(wr, c.n_gy);
			if (c.empty)
				cli_write_check(&cli,
						prep_writer_field(wr, "NA", 2));
			else
				report_number(wr, c.weight);
			cli_write_check(&cli, prep_writer_end_row(wr));
		}
	}
	cli_write_check(&cli, prep_writer_finish(wr));
	prep_writer_free(wr);
}

/* The second pass: the spool's rows, each with its weight appended. */
static void
write_weighted(prep_spool *spool, prep_weights *tab, const char *name)
{
	prep_reader *r = cli_spool_reader(&cli, spool);
	const prep_field *f;
	const char *text;
	size_t n, len, i;
	prep_status st;

	if ((f = prep_reader_header(r, &n)) != NULL) {
		for (i = 0; i < n; i++)
			cli_write_check(
			    &cli,
			    prep_writer_field(cli.writer, f[i].data, f[i].len));
		cli_write_check(
		    &cli, prep_writer_field(cli.writer, name, strlen(name)));
		cli_write_check(&cli, prep_writer_end_row(cli.writer));
	}
	while ((st = prep_reader_next_row(r, &f, &n)) == PREP_OK) {
		if (prep_weights_row(tab, f, NULL, &text, &len) != PREP_OK)
			cli_fatal(&cli, "spool: record of no known cell");
		for (i = 0; i < n; i++)
			cli_write_check(
			    &cli,
			    prep_writer_field(cli.writer, f[i].data, f[i].len));
		cli_write_check(&cli, prep_writer_field(cli.writer, text, len));
		cli_write_check(&cli, prep_writer_end_row(cli.writer));
	}
	if (st != PREP_END)
		cli_fatal_status(&cli, st, "spool");
	prep_reader_free(r);
}

/* Is list (indexes) holding col? */
static int
has_column(const size_t *list, size_t n, long col)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((long)list[i] == col)
			return 1;
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
	    CLI_COMMON_LONGOPTS,
	    {"group", required_argument, NULL, 'g'},
	    {"label", required_argument, NULL, 'y'},
	    {"weight", required_argument, NULL, OPT_WEIGHT},
	    {"name", required_argument, NULL, OPT_NAME},
	    {"report", no_argument, NULL, 'v'},
	    {NULL, 0, NULL, 0},
	};
	const char *groups = NULL, *label_arg = NULL, *weight_arg = NULL;
	const char *name = "weight";
	prep_weights *tab = NULL;
	prep_spool *spool;
	const prep_field *f, *header;
	size_t *grp, ngrp, n, ncols, i;
	long label = -1, weight = -1;
	int opt, report = 0;
	uint64_t empty;
	prep_status st;

	cli_init(&cli, "reweight", usage);
	while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORTOPTS "g:y:v",
				  longopts, NULL)) != -1) {
		switch (opt) {
		case 'g':
			groups = optarg;
			break;
		case 'y':
			label_arg = optarg;
			break;
		case OPT_WEIGHT:
			weight_arg = optarg;
			break;
		case OPT_NAME:
			name = optarg;
			break;
		case 'v':
			report = cli.verbose = 1;
			break;
		default:
			if (!cli_common_option(&cli, opt, optarg))
				cli_usage_error(&cli, "unknown option");
		}
	}
	if (groups == NULL)
		cli_usage_error(&cli, "-g GROUPS is required");
	if (*name == '\0')
		cli_usage_error(&cli, "--name must not be empty");

	cli_open_input(&cli, argc - optind, argv + optind);
	header = prep_reader_header(cli.reader, &ncols);
	if (ncols == 0) {
		/* an empty input: nothing to weigh, nothing to write */
		cli_open_output(&cli);
		cli_finish(&cli);
		return 0;
	}
	grp = cli_columns(&cli, "-g", groups, &ngrp);
	if (label_arg) {
		label = (long)cli_column(&cli, "-y", label_arg);
		if (has_column(grp, ngrp, label))
			cli_usage_error(&cli, "-y: the label is one of the "
					      "-g columns");
	}
	if (weight_arg) {
		weight = (long)cli_column(&cli, "--weight", weight_arg);
		if (has_column(grp, ngrp, weight) || weight == label)
			cli_usage_error(&cli, "--weight: the weight is a -g or "
					      "-y column");
	}
	for (i = 0; header && i < ncols; i++)
		if (header[i].len == strlen(name) &&
		    memcmp(header[i].data, name, header[i].len) == 0)
			cli_usage_error(&cli,
					"--name: the input has a column '%s' "
					"already",
					name);

	st = prep_weights_new(grp, ngrp, label, weight, 0, &tab);
	if (st != PREP_OK)
		cli_fatal_status(&cli, st, "weights");
	spool = cli_spool_new(&cli, 0);
	if (header)
		cli_spool_check(&cli, prep_spool_row(spool, header, ncols));

	while ((f = cli_next_row(&cli, &n)) != NULL) {
		st = prep_weights_add(tab, f);
		if (st == PREP_ERR_VALUE)
			cli_fatal_cell(&cli, (size_t)weight,
				       f[weight].len == 0 ? "weight is empty"
				       : cli_is_missing(&cli, &f[weight])
					   ? "weight is missing"
					   : "weight is not a finite number");
		if (st == PREP_ERR_RANGE)
			cli_fatal_cell(&cli, (size_t)weight,
				       "weight is negative");
		if (st == PREP_ERR_LIMIT)
			cli_fatal_at(&cli, prep_reader_where(cli.reader),
				     "more than %zu groups, labels or cells",
				     PREP_WEIGHTS_DEFAULT_MAX);
		if (st != PREP_OK)
			cli_fatal_status(&cli, st, "weights");
		cli_spool_check(&cli, prep_spool_row(spool, f, n));
	}
	cli_spool_check(&cli, prep_spool_finish(spool));
	cli_progress_end(&cli);

	st = prep_weights_finish(tab);
	if (st == PREP_ERR_VALUE)
		cli_fatal(&cli, "--weight: the weights sum to 0");
	if (st == PREP_ERR_RANGE)
		cli_fatal(&cli, "--weight: the sum of the weights overflows");
	if (st != PREP_OK)
		cli_fatal_status(&cli, st, "weights");
	if (report)
		write_report(tab, grp, ngrp, label);
	empty = prep_weights_empty_cells(tab);
	if (empty > 0)
		cli_warn(&cli, "%llu of %llu cells are empty: %s (see -v)",
			 (unsigned long long)empty,
			 (unsigned long long)prep_weights_groups(tab) *
			     prep_weights_labels(tab),
			 label >= 0 ? "their groups' label rates can't be "
				      "equalized"
				    : "their groups get no weight");

	cli_open_output(&cli);
	write_weighted(spool, tab, name);
	cli_finish(&cli);
	prep_spool_free(spool);
	prep_weights_free(tab);
	free(grp);
	return 0;
}
