/*
 * fairness: per-group rates of a label and a prediction, the group
 * fairness metrics of AIF360 and Fairlearn, and gates on them
 * (man1/fairness.1).
 *
 * A report filter: it reads the whole input in one pass, counting by
 * group (libprep/fairness.c), then writes the per-group table (CSV) or
 * one JSON object, never the data. Memory follows the number of groups.
 * A gate that fails sets exit status 1; the report is written anyway.
 */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classes.h"
#include "cli.h"
#include "columns.h"
#include "fairness.h"
#include "gate.h"
#include "text.h"

enum {
	OPT_POSITIVE = CLI_OPT_TOOL_BASE,
	OPT_PRIVILEGED,
	OPT_WEIGHT,
	OPT_MIN_DI,
	OPT_MAX_SPD,
	OPT_MAX_EOD,
	OPT_JSON,
};

/* The rate columns of the table, in order; the last three need -p. */
static const char *const rate_names[] = {
    "base_rate", "selection_rate", "tpr", "fpr", "precision",
};

static struct cli cli;

static void
usage(void)
{
	printf("usage: fairness -g GROUPS -y LABEL [-p PRED] --positive V "
	       "[--privileged G]\n"
	       "                [--weight COL] [--min-di X] [--max-spd X] "
	       "[--max-eod X]\n"
	       "                [--json] [common options] [FILE...]\n"
	       "\n"
	       "Per-group rates of a label (and a prediction) as CSV, and "
	       "group fairness\n"
	       "metrics on stderr; exit 1 when a gate fails. The data is not "
	       "passed on.\n"
	       "\n"
	       "  -g, --group GROUPS    group columns (required); several: "
	       "intersections\n"
	       "  -y, --label LABEL     true label column (required)\n"
	       "  -p, --prediction PRED predicted label column; without it, "
	       "dataset metrics\n"
	       "      --positive V      value of a positive label and "
	       "prediction (required)\n"
	       "      --privileged G    privileged group: its values in -g "
	       "order, separated\n"
	       "                        by ':' or ','; without it, metrics "
	       "over all groups\n"
	       "      --weight COL      weight of each row (default 1)\n"
	       "      --min-di X        fail when disparate_impact < X or "
	       "NA\n"
	       "      --max-spd X       fail when "
	       "|statistical_parity_difference| > X or NA\n"
	       "      --max-eod X       fail when "
	       "|equal_opportunity_difference| > X or NA\n"
	       "                        (each gate allows 1e-12 of rounding)\n"
	       "      --json            one JSON object on stdout instead: "
	       "metrics and groups\n" CLI_HELP_IO
	       "  -q, --quiet         no metrics, warnings or gate messages "
	       "on stderr\n" CLI_HELP_END
	       "\nExit status: 0 done (every gate passed), 1 a gate failed, "
	       "2 trouble.\n");
}

/* Column i's name: its header field, or its number with -H. */
static prep_field
column_name(size_t i, char *buf, size_t n)
{
	size_t ncols;
	const prep_field *h = prep_reader_header(cli.reader, &ncols);
	prep_field f;

	if (h)
		return h[i];
	snprintf(buf, n, "%zu", i + 1);
	f.data = buf;
	f.len = strlen(buf);
	return f;
}

static int
field_is(prep_field f, const char *s)
{
	return f.len == strlen(s) && memcmp(f.data, s, f.len) == 0;
}

/*
 * --json: a group column whose name is another's, or a key of the table
 * ("n", "base_rate", ...), would lose a value in the object of a group.
 */
static void
check_json_names(const size_t *g, size_t ng)
{
	char a[32], b[32];
	size_t i, j;

	for (i = 0; i < ng; i++) {
		prep_field x = column_name(g[i], a, sizeof a);
		size_t nchars;

		if (prep_utf8_count(x.data, x.len, &nchars) != PREP_OK ||
		    memchr(x.data, '\0', x.len) != NULL)
			cli_fatal(&cli,
				  "--json: the name of column %zu is not "
				  "UTF-8 text",
				  g[i] + 1);
		for (j = 0; j < sizeof rate_names / sizeof *rate_names; j++)
			if (field_is(x, rate_names[j]))
				cli_usage_error(
				    &cli,
				    "--json: group column '%s' "
				    "has the name of a table column",
				    rate_names[j]);
		if (field_is(x, "n"))
			cli_usage_error(&cli, "--json: group column 'n' has "
					      "the name of a table column");
		for (j = 0; j < i; j++) {
			prep_field y = column_name(g[j], b, sizeof b);

			if (x.len == y.len &&
			    memcmp(x.data, y.data, x.len) == 0)
				cli_usage_error(&cli,
						"--json: group columns %zu and "
						"%zu have the same name",
						g[j] + 1, g[i] + 1);
		}
	}
}

/*
 * --json: the values of a group, as JSON strings, must be UTF-8; check
 * them when the group first appears, where the row's place is known.
 */
static void
check_json_values(const prep_fairness *f, size_t id, const size_t *g, size_t ng)
{
	prep_field *v = calloc(ng, sizeof *v), name;
	char buf[32];
	size_t i, nchars;

	if (v == NULL)
		cli_fatal(&cli, "out of memory");
	prep_fairness_group_values(f, id, v);
	for (i = 0; i < ng; i++)
		if (prep_utf8_count(v[i].data, v[i].len, &nchars) != PREP_OK)
			break;
	free(v); /* before a fatal exit too: no leak */
	if (i < ng) {
		name = column_name(g[i], buf, sizeof buf);
		cli_fatal_at(&cli, prep_reader_where(cli.reader),
			     "field %zu (%.*s): not UTF-8 text, which --json "
			     "needs",
			     g[i] + 1, (int)name.len, name.data);
	}
}

/*
 * --privileged G, read both ways: with one group column G is its value as
 * it stands (':' and ',' and all); with several, their values in -g order
 * separated by ':' or by ',' (prep_classes_split_name). A G that splits
 * both ways keeps both readings and the input decides (privileged_id).
 */
struct privileged {
	prep_field *colon, *comma; /* the readings; NULL: G does not split */
};

static void
privileged_free(struct privileged *pv)
{
	free(pv->colon);
	free(pv->comma);
	pv->colon = pv->comma = NULL;
}

/* Read G in one way into *v, or free *v when it does not split so. */
static void
privileged_reading(const char *arg, char sep, size_t ng, prep_field **v)
{
	if (prep_classes_split_name(arg, strlen(arg), sep, *v, ng) != PREP_OK) {
		free(*v);
		*v = NULL;
	}
}

static void
parse_privileged(const char *arg, size_t ng, struct privileged *pv)
{
	pv->colon = calloc(ng, sizeof *pv->colon);
	pv->comma = calloc(ng, sizeof *pv->comma);
	if (pv->colon == NULL || pv->comma == NULL) {
		privileged_free(pv);
		cli_fatal(&cli, "out of memory");
	}
	if (ng == 1) {
		pv->comma[0].data = arg;
		pv->comma[0].len = strlen(arg);
		free(pv->colon);
		pv->colon = NULL;
		return;
	}
	privileged_reading(arg, ':', ng, &pv->colon);
	privileged_reading(arg, ',', ng, &pv->comma);
	if (pv->colon == NULL && pv->comma == NULL)
		cli_usage_error(&cli,
				"--privileged needs %zu values, one per -g "
				"column, separated by ':' or ','",
				ng);
}

/* The group --privileged names: the one reading of G the input has. */
static size_t
privileged_id(const prep_fairness *f, const struct privileged *pv, size_t ng)
{
	prep_status sa = PREP_ERR_NOT_FOUND, sb = PREP_ERR_NOT_FOUND;
	size_t a = 0, b = 0;

	if (f && pv->colon)
		sa = prep_fairness_find(f, pv->colon, &a);
	if (f && pv->comma)
		sb = prep_fairness_find(f, pv->comma, &b);
	if (sa != PREP_OK && sa != PREP_ERR_NOT_FOUND)
		cli_fatal_status(&cli, sa, "--privileged");
	if (sb != PREP_OK && sb != PREP_ERR_NOT_FOUND)
		cli_fatal_status(&cli, sb, "--privileged");
	if (sa == PREP_OK && sb == PREP_OK && a != b)
		cli_fatal(&cli, "--privileged: split at ':' and at ',' it names "
				"two different groups of the input");
	if (sa == PREP_OK)
		return a;
	if (sb == PREP_OK)
		return b;
	if (ng > 1)
		cli_fatal(&cli, "--privileged: no such group in the input "
				"(values in -g order, separated by ':' or "
				"',')");
	cli_fatal(&cli, "--privileged: no such group in the input");
}

/* A rate as the table writes it: 10 significant digits, or NA. */
static const char *
rate_text(double v, char *buf, size_t n)
{
	if (isnan(v))
		return "NA";
	snprintf(buf, n, "%.10g", v);
	return buf;
}

static void
put(const char *s, size_t len)
{
	cli_write_check(&cli, prep_writer_field(cli.writer, s, len));
}

static void
put_str(const char *s)
{
	put(s, strlen(s));
}

/* The rates of one group in table order; nrates 2 or 5. */
static void
rate_values(const prep_fairness_rates *r, double *v)
{
	v[0] = r->base_rate;
	v[1] = r->selection_rate;
	v[2] = r->tpr;
	v[3] = r->fpr;
	v[4] = r->precision;
}

static void
write_table(const prep_fairness *f, const size_t *g, size_t ng, size_t nrates)
{
	prep_field *values = calloc(ng ? ng : 1, sizeof *values);
	prep_fairness_rates r;
	char buf[64];
	double v[5];
	size_t id, i, ncols;

	if (values == NULL)
		cli_fatal(&cli, "out of memory");
	if (prep_reader_header(cli.reader, &ncols)) {
		for (i = 0; i < ng; i++) {
			prep_field h = column_name(g[i], buf, sizeof buf);

			put(h.data, h.len);
		}
		put_str("n");
		for (i = 0; i < nrates; i++)
			put_str(rate_names[i]);
		cli_write_check(&cli, prep_writer_end_row(cli.writer));
	}
	for (id = 0; f && id < prep_fairness_groups(f); id++) {
		prep_fairness_group_values(f, id, values);
		prep_fairness_group_rates(f, id, &r);
		for (i = 0; i < ng; i++)
			put(values[i].data, values[i].len);
		snprintf(buf, sizeof buf, "%llu", (unsigned long long)r.n);
		put_str(buf);
		rate_values(&r, v);
		for (i = 0; i < nrates; i++)
			put_str(rate_text(v[i], buf, sizeof buf));
		cli_write_check(&cli, prep_writer_end_row(cli.writer));
	}
	free(values);
}

/* A real as JSON: null for NA, a whole number as an integer. */
static json_t *
json_rate(double v)
{
	if (isnan(v))
		return json_null();
	if (v == floor(v) && fabs(v) < 9007199254740992.0)
		return json_integer((json_int_t)v);
	return json_real(v);
}

static void
set_new(json_t *o, const char *key, json_t *v)
{
	if (v == NULL || json_object_set_new(o, key, v) != 0)
		cli_fatal(&cli, "out of memory");
}

static void
write_json(const prep_fairness *f, const size_t *g, size_t ng, size_t nrates,
	   const prep_fairness_summary *s, int gated, int satisfied)
{
	json_t *o = json_object(), *groups = json_array(), *grp;
	prep_field *values = calloc(ng ? ng : 1, sizeof *values);
	prep_fairness_rates r;
	char buf[32], *key, *text;
	double v[5];
	size_t id, i;

	if (o == NULL || groups == NULL || values == NULL)
		cli_fatal(&cli, "out of memory");
	set_new(o, "disparate_impact", json_rate(s->disparate_impact));
	set_new(o, "statistical_parity_difference",
		json_rate(s->statistical_parity_difference));
	set_new(o, "equal_opportunity_difference",
		json_rate(s->equal_opportunity_difference));
	set_new(o, "average_odds_difference",
		json_rate(s->average_odds_difference));
	set_new(o, "equalized_odds_difference",
		json_rate(s->equalized_odds_difference));
	for (id = 0; f && id < prep_fairness_groups(f); id++) {
		if ((grp = json_object()) == NULL)
			cli_fatal(&cli, "out of memory");
		prep_fairness_group_values(f, id, values);
		prep_fairness_group_rates(f, id, &r);
		for (i = 0; i < ng; i++) {
			prep_field h = column_name(g[i], buf, sizeof buf);

			/* header names may hold a NUL; JSON keys may not */
			if ((key = strndup(h.data, h.len)) == NULL)
				cli_fatal(&cli, "out of memory");
			set_new(grp, key,
				json_stringn(values[i].data, values[i].len));
			free(key);
		}
		set_new(grp, "n", json_integer((json_int_t)r.n));
		rate_values(&r, v);
		for (i = 0; i < nrates; i++)
			set_new(grp, rate_names[i], json_rate(v[i]));
		if (json_array_append_new(groups, grp) != 0)
			cli_fatal(&cli, "out of memory");
	}
	set_new(o, "groups", groups);
	if (gated)
		set_new(o, "satisfied", json_boolean(satisfied));
	text = cli_json_text(&cli, o, JSON_REAL_PRECISION(15));
	cli_write_check(&cli, prep_writer_raw(cli.writer, text, strlen(text)));
	free(text);
	free(values);
}

static void
print_summary(const prep_fairness_summary *s, int gated, int satisfied)
{
	char buf[64];

	fprintf(stderr, "disparate_impact: %s\n",
		rate_text(s->disparate_impact, buf, sizeof buf));
	fprintf(stderr, "statistical_parity_difference: %s\n",
		rate_text(s->statistical_parity_difference, buf, sizeof buf));
	fprintf(stderr, "equal_opportunity_difference: %s\n",
		rate_text(s->equal_opportunity_difference, buf, sizeof buf));
	fprintf(stderr, "average_odds_difference: %s\n",
		rate_text(s->average_odds_difference, buf, sizeof buf));
	fprintf(stderr, "equalized_odds_difference: %s\n",
		rate_text(s->equalized_odds_difference, buf, sizeof buf));
	if (gated)
		fprintf(stderr, "satisfied: %s\n", satisfied ? "yes" : "no");
}

/*
 * A metric in a failed gate's message: with the table's 10 significant
 * digits, or as many more as it takes for the text to fail the gate too
 * (up to 17, which read back as the metric itself), so that a metric
 * just past its bound shows why: "0.99999999999 < 1", not "1 < 1".
 */
static const char *
failing_text(double v, double bound, int at_most, char *buf, size_t n)
{
	double back;
	int prec;

	for (prec = 10; prec < 17; prec++) {
		snprintf(buf, n, "%.*g", prec, v);
		back = strtod(buf, NULL);
		if (at_most ? !prep_gate_at_most(back, bound)
			    : !prep_gate_at_least(back, bound))
			return buf;
	}
	snprintf(buf, n, "%.17g", v);
	return buf;
}

/*
 * One gate failed: its option and bound as written, the metric against
 * the bound (for the |...| <= X gates, the metric's magnitude).
 */
static void
print_failure(const char *opt, const char *text, double bound,
	      const char *name, double v, int at_most)
{
	char buf[64];

	if (isnan(v))
		fprintf(stderr, "fairness: %s %s failed: %s is NA\n", opt, text,
			name);
	else if (at_most)
		fprintf(stderr, "fairness: %s %s failed: |%s| %s > %s\n", opt,
			text, name,
			failing_text(fabs(v), bound, 1, buf, sizeof buf), text);
	else
		fprintf(stderr, "fairness: %s %s failed: %s %s < %s\n", opt,
			text, name, failing_text(v, bound, 0, buf, sizeof buf),
			text);
}

/* One line per gate failed. */
static void
print_failures(unsigned fail, const prep_fairness_summary *s,
	       const prep_fairness_gates *g, const char *min_di,
	       const char *max_spd, const char *max_eod)
{
	if (fail & PREP_FAIRNESS_FAIL_DI)
		print_failure("--min-di", min_di, g->min_di,
			      "disparate_impact", s->disparate_impact, 0);
	if (fail & PREP_FAIRNESS_FAIL_SPD)
		print_failure("--max-spd", max_spd, g->max_spd,
			      "statistical_parity_difference",
			      s->statistical_parity_difference, 1);
	if (fail & PREP_FAIRNESS_FAIL_EOD)
		print_failure("--max-eod", max_eod, g->max_eod,
			      "equal_opportunity_difference",
			      s->equal_opportunity_difference, 1);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
	    CLI_COMMON_LONGOPTS,
	    {"group", required_argument, NULL, 'g'},
	    {"groups", required_argument, NULL, 'g'},
	    {"label", required_argument, NULL, 'y'},
	    {"prediction", required_argument, NULL, 'p'},
	    {"positive", required_argument, NULL, OPT_POSITIVE},
	    {"privileged", required_argument, NULL, OPT_PRIVILEGED},
	    {"weight", required_argument, NULL, OPT_WEIGHT},
	    {"min-di", required_argument, NULL, OPT_MIN_DI},
	    {"max-spd", required_argument, NULL, OPT_MAX_SPD},
	    {"max-eod", required_argument, NULL, OPT_MAX_EOD},
	    {"json", no_argument, NULL, OPT_JSON},
	    {NULL, 0, NULL, 0},
	};
	const char *groups = NULL, *label = NULL, *pred = NULL;
	const char *positive = NULL, *weight = NULL;
	const char *min_di = NULL, *max_spd = NULL, *max_eod = NULL;
	const char *privileged = NULL;
	char namebuf[32];
	struct privileged priv = {NULL, NULL};
	prep_fairness_params p;
	prep_fairness_gates gates;
	prep_fairness_summary sum;
	prep_fairness_rates total;
	prep_fairness *f = NULL;
	prep_field wname;
	const prep_field *row;
	size_t *g = NULL, ng = 0, ncols, n, i, nrates;
	size_t priv_id = 0, ngroups;
	int opt, json = 0, gated;
	unsigned fail;
	prep_status st;

	cli_init(&cli, "fairness", usage);
	memset(&gates, 0, sizeof gates);
	while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORTOPTS "g:y:p:",
				  longopts, NULL)) != -1) {
		switch (opt) {
		case 'g':
			groups = optarg;
			break;
		case 'y':
			label = optarg;
			break;
		case 'p':
			pred = optarg;
			break;
		case OPT_POSITIVE:
			positive = optarg;
			break;
		case OPT_PRIVILEGED:
			privileged = optarg;
			break;
		case OPT_WEIGHT:
			weight = optarg;
			break;
		case OPT_MIN_DI:
			gates.min_di =
			    cli_parse_real(&cli, "--min-di", optarg, 0, 1e9);
			gates.min_di_set = 1;
			min_di = optarg;
			break;
		case OPT_MAX_SPD:
			gates.max_spd =
			    cli_parse_real(&cli, "--max-spd", optarg, 0, 1);
			gates.max_spd_set = 1;
			max_spd = optarg;
			break;
		case OPT_MAX_EOD:
			gates.max_eod =
			    cli_parse_real(&cli, "--max-eod", optarg, 0, 1);
			gates.max_eod_set = 1;
			max_eod = optarg;
			break;
		case OPT_JSON:
			json = 1;
			break;
		default:
			if (!cli_common_option(&cli, opt, optarg))
				cli_usage_error(&cli, "unknown option");
		}
	}
	if (groups == NULL)
		cli_usage_error(&cli, "-g GROUPS is required");
	if (label == NULL)
		cli_usage_error(&cli, "-y LABEL is required");
	if (positive == NULL)
		cli_usage_error(&cli, "--positive V is required");
	if (max_eod && pred == NULL)
		cli_usage_error(&cli, "--max-eod needs -p PRED");
	gated = min_di || max_spd || max_eod;
	nrates = pred ? 5 : 2;

	cli_open_input(&cli, argc - optind, argv + optind);
	prep_reader_header(cli.reader, &ncols);
	memset(&p, 0, sizeof p);
	/* an input without even a header has no columns: no groups */
	if (ncols) {
		unsigned char *seen;

		g = cli_columns(&cli, "-g", groups, &ng);
		seen = cli_column_counts(&cli, g, ng, ncols);
		for (i = 0; i < ng && seen[g[i]] < 2; i++)
			;
		free(seen);
		if (i < ng)
			cli_usage_error(&cli, "-g names column %zu twice",
					g[i] + 1);
		if (json)
			check_json_names(g, ng);
		p.groups = g;
		p.ngroups = ng;
		p.label = (size_t)(long)cli_column(&cli, "-y", label);
		p.pred = pred ? (long)cli_column(&cli, "-p", pred) : -1;
		p.weight =
		    weight ? (long)cli_column(&cli, "--weight", weight) : -1;
		p.positive = positive;
		p.positive_len = strlen(positive);
		if (privileged)
			parse_privileged(privileged, ng, &priv);
		if ((st = prep_fairness_new(&p, &f)) != PREP_OK)
			cli_fatal_status(&cli, st, "groups");
	}
	while ((row = cli_next_row(&cli, &n)) != NULL) {
		if (f == NULL) /* not reached: a record gives columns */
			cli_fatal(&cli, "input without columns");
		ngroups = prep_fairness_groups(f);
		st = prep_fairness_add(f, row);
		if (st == PREP_OK) {
			if (json && prep_fairness_groups(f) > ngroups)
				check_json_values(f, ngroups, g, ng);
			continue;
		}
		if (st == PREP_ERR_VALUE || st == PREP_ERR_RANGE) {
			wname = column_name((size_t)p.weight, namebuf,
					    sizeof namebuf);
			cli_fatal_at(&cli, prep_reader_where(cli.reader),
				     "field %ld (%.*s): %s", p.weight + 1,
				     (int)wname.len, wname.data,
				     st == PREP_ERR_RANGE
					 ? "weight is negative or above 1e280"
				     : row[p.weight].len == 0
					 ? "weight is empty"
				     : cli_is_missing(&cli, &row[p.weight])
					 ? "weight is missing"
					 : "weight is not a number");
		}
		if (st == PREP_ERR_LIMIT)
			cli_fatal_at(&cli, prep_reader_where(cli.reader),
				     "more than %zu groups, or their values "
				     "too long",
				     PREP_FAIRNESS_DEFAULT_MAX_GROUPS);
		cli_fatal_at(&cli, prep_reader_where(cli.reader), "%s",
			     prep_strerror(st));
	}
	cli_progress_end(&cli);

	if (privileged)
		priv_id = privileged_id(f, &priv, ng);
	if (f) {
		prep_fairness_summarize(f, privileged ? (long)priv_id : -1,
					&sum);
	} else {
		sum.disparate_impact = sum.statistical_parity_difference = NAN;
		sum.equal_opportunity_difference = NAN;
		sum.average_odds_difference = NAN;
		sum.equalized_odds_difference = NAN;
	}
	fail = prep_fairness_check(&sum, &gates);

	cli_open_output(&cli);
	if (json)
		write_json(f, g, ng, nrates, &sum, gated, fail == 0);
	else if (ncols)
		write_table(f, g, ng, nrates);
	cli_finish(&cli);

	if (!cli.quiet) {
		if (!json)
			print_summary(&sum, gated, fail == 0);
		if (f && prep_fairness_groups(f)) {
			prep_fairness_total(f, &total);
			if (total.n_pos == 0)
				cli_warn(&cli, "no label is --positive");
			if (pred && total.n_sel == 0)
				cli_warn(&cli, "no prediction is --positive");
		}
		print_failures(fail, &sum, &gates, min_di, max_spd, max_eod);
	}
	prep_fairness_free(f);
	privileged_free(&priv);
	free(g);
	return fail ? EXIT_CHECK_FAILED : 0;
}
