/*
 * fairness: per-group rates of a label and a prediction, the group
 * fairness metrics of AIF360 and Fairlearn, and gates on them
 * (man1/fairness.1).
 *
 * A report filter: it reads the whole input in one pass, counting by
 * group, then writes the per-group table (CSV) or one JSON object, never
 * the data; the counts, metrics, gates and reports are libprep/fairness.c's.
 * Memory follows the number of groups. A gate that fails sets exit
 * status 1; the report is written anyway.
 *
 * Scale-out (man5/prep-partial.5): --partial writes the state of the
 * part's groups instead (libprep/fairness_state.c); --merge adds the
 * partials of all the parts up, in the parts' order, into the whole's
 * table, and finishes as one run over the whole input would.
 *
 * The other two modes, --population and --proxies, which look for the
 * sources of bias before a label is even there, are fairness_bias.c's;
 * their options are parsed here.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "fairness.h"
#include "fairness_bias.h"
#include "fairness_state.h"
#include "gate.h"
#include "json.h"
#include "text.h"

enum {
	OPT_POSITIVE = CLI_OPT_TOOL_BASE,
	OPT_PRIVILEGED,
	OPT_WEIGHT,
	OPT_MIN_DI,
	OPT_MAX_SPD,
	OPT_MAX_EOD,
	OPT_JSON,
	OPT_PARTIAL,
	OPT_MERGE,
	OPT_POPULATION,
	OPT_MIN_REPR,
	OPT_MAX_TVD,
	OPT_PROXIES,
	OPT_MAX_LEVELS,
	OPT_MAX_PROXY,
	OPT_CATEGORICAL,
};

/* What the options ask for. */
struct options {
	const char *groups, *label, *pred, *positive, *weight, *privileged;
	const char *min_di, *max_spd, *max_eod; /* the bounds as written */
	prep_fairness_gates gates;
	int json;
	int partial, merge;    /* --partial, --merge */
	struct bias_opts bias; /* --population, --proxies */
};

/* The run: the table, its group columns and their names. */
struct run {
	prep_fairness_params p;
	prep_fairness *f;      /* NULL: an input without columns */
	size_t *g, ng;	       /* the group columns */
	prep_field *names;     /* their names, for the report */
	char *names_text;      /* the numbers among them (-H) */
	prep_fairness_name pv; /* --privileged's readings */
};

struct cli cli;

static void
usage(void)
{
	printf(
	    "usage: fairness [-HhqVz] -g GROUPS -y LABEL [-p PRED] --positive V\n"
	    "                [--privileged G] [--weight COL] [--min-di X] [--max-spd X]\n"
	    "                [--max-eod X] [--json] [-d C] [-o FILE] [--allow-empty]\n"
	    "                [--crlf] [--lazy-quotes] [--max-field N] [--max-memory N]\n"
	    "                [--missing LIST] [--part I/N [--part-by COL]] [--partial]\n"
	    "                [--progress] [FILE...]\n"
	    "       fairness [-HhqVz] -g GROUPS -y LABEL [-p PRED] --positive V ...\n"
	    "                --merge PARTIAL...\n"
	    "       fairness [-HhqVz] -g GROUPS --population FILE\n"
	    "                [--min-representation R] [--max-tvd X] [--json] ... [FILE...]\n"
	    "       fairness [-HhqVz] -g PROTECTED --proxies[=COLS] [--categorical COLS]\n"
	    "                [--max-levels N] [--max-proxy X] [--json] ... [FILE...]\n"
	    "\n"
	    "Per-group rates of a label (and a prediction) as CSV, and group fairness\n"
	    "metrics on stderr; exit 1 when a gate fails. The data is not passed on.\n"
	    "With --population, the groups' shares against a population's; with\n"
	    "--proxies, how strongly each other column stands in for the -g columns.\n"
	    "\n"
	    "  -g, --group GROUPS    group columns (required); several: intersections\n"
	    "  -y, --label LABEL     true label column (required)\n"
	    "  -p, --prediction PRED predicted label column; without it, dataset metrics\n"
	    "      --positive V      value of a positive label and prediction (required)\n"
	    "      --privileged G    privileged group: its values in -g order, separated\n"
	    "                        by ':' or ','; without it, metrics over all groups\n"
	    "      --weight COL      weight of each row (default 1)\n"
	    "      --min-di X        fail when disparate_impact < X or NA\n"
	    "      --max-spd X       fail when |statistical_parity_difference| > X or NA\n"
	    "      --max-eod X       fail when |equal_opportunity_difference| > X or NA\n"
	    "                        (each gate allows 1e-12 of rounding)\n"
	    "      --json            one JSON object on stdout instead: metrics and groups\n"
	    "      --partial         write this part's state instead (prep-partial(5))\n"
	    "      --merge           the operands are the parts' partials: report on the\n"
	    "                        whole, as one run over it would\n"
	    "      --population FILE CSV of the -g columns and 'share': the population's\n"
	    "                        shares; report each group's against it\n"
	    "      --min-representation R\n"
	    "                        fail when a group's share over its population\n"
	    "                        share < R or NA\n"
	    "      --max-tvd X       fail when the total variation distance > X or NA\n"
	    "      --proxies[=COLS]  the association of each other column (or of COLS)\n"
	    "                        with the -g columns: Cramer's V, eta, NMI\n"
	    "      --categorical COLS  measure COLS as categories even if they are numbers\n"
	    "      --max-levels N    skip a column of more distinct values (default 1000)\n"
	    "      --max-proxy X     fail when the strongest column's strength > X or NA\n" CLI_HELP_IO
	    "  -q, --quiet         no metrics, warnings or gate messages on stderr\n" CLI_HELP_END
	    "\n"
	    "Exit status: 0 done (every gate passed), 1 a gate failed, 2 trouble.\n");
}

/* The names of the group columns; the numbers (-H) go in r->names_text. */
static void
group_names(struct run *r)
{
	enum { WIDTH = PREP_COLUMNS_LABEL_SIZE };
	size_t i;

	r->names = calloc(r->ng ? r->ng : 1, sizeof *r->names);
	r->names_text = malloc(r->ng ? r->ng * WIDTH : 1);
	if (r->names == NULL || r->names_text == NULL)
		cli_fatal(&cli, "out of memory");
	for (i = 0; i < r->ng; i++)
		r->names[i] =
		    cli_column_label(&cli, r->g[i], r->names_text + i * WIDTH);
}

/* --json: each group column's name must be a key of its own. */
static void
check_json_names(const struct run *r)
{
	size_t i, j;
	prep_status st = prep_fairness_json_names(r->names, r->ng, &i, &j);

	if (st == PREP_ERR_UTF8)
		cli_fatal(&cli,
			  "--json: the name of column %zu is not UTF-8 text",
			  r->g[i] + 1);
	if (st != PREP_OK && j == r->ng)
		cli_usage_error(
		    &cli,
		    "--json: group column '%.*s' has the name of a table column",
		    (int)r->names[i].len, r->names[i].data);
	if (st != PREP_OK)
		cli_usage_error(
		    &cli,
		    "--json: group columns %zu and %zu have the same name",
		    r->g[j] + 1, r->g[i] + 1);
}

/*
 * --json: the values of group id of f, as JSON strings, must be UTF-8;
 * checked when the group first appears, where the row's place is known:
 * 0, or -1 with *k the group column at fault.
 */
static int
json_values_ok(const prep_fairness *f, size_t id, size_t *k)
{
	return prep_fairness_json_group(f, id, k) == PREP_ERR_UTF8 ? -1 : 0;
}

/* The group --privileged names: the one reading of it the input has. */
static size_t
privileged_id(const struct run *r)
{
	size_t id = 0;
	prep_status st = r->f ? prep_fairness_name_find(r->f, &r->pv, &id)
			      : PREP_ERR_NOT_FOUND;

	if (st == PREP_ERR_ARG)
		cli_fatal(
		    &cli,
		    "--privileged: split at ':' and at ',' it names two different groups of the input");
	if (st == PREP_ERR_NOT_FOUND && r->ng > 1)
		cli_fatal(
		    &cli,
		    "--privileged: no such group in the input (values in -g order, separated by ':' or ',')");
	if (st == PREP_ERR_NOT_FOUND)
		cli_fatal(&cli, "--privileged: no such group in the input");
	if (st != PREP_OK)
		cli_fatal_status(&cli, st, "--privileged");
	return id;
}

/* One gate's option: its bound, as a number and as written. */
static void
gate_option(const char *opt, const char *arg, double hi, double *bound,
	    int *set, const char **text)
{
	*bound = cli_parse_real(&cli, opt, arg, 0, hi);
	*set = 1;
	*text = arg;
}

/*
 * The options of one mode given to another: the rates' with --population
 * or --proxies, theirs with each other or without their mode.
 */
static void
check_modes(const struct options *o)
{
	const struct bias_opts *b = &o->bias;
	const char *mode = b->population ? "--population" : "--proxies";
	const char *rates = o->label	    ? "-y"
			    : o->pred	    ? "-p"
			    : o->positive   ? "--positive"
			    : o->privileged ? "--privileged"
			    : o->weight	    ? "--weight"
			    : o->min_di	    ? "--min-di"
			    : o->max_spd    ? "--max-spd"
			    : o->max_eod    ? "--max-eod"
			    : o->partial    ? "--partial"
			    : o->merge	    ? "--merge"
					    : NULL;

	if (b->population && b->proxies)
		cli_usage_error(&cli,
				"--population and --proxies go one at a time");
	if ((b->population || b->proxies) && rates)
		cli_usage_error(&cli, "%s is not an option of %s", rates, mode);
	if (!b->population && (b->min_repr || b->max_tvd))
		cli_usage_error(&cli, "%s needs --population",
				b->min_repr ? "--min-representation"
					    : "--max-tvd");
	if (!b->proxies && (b->max_levels || b->max_proxy || b->categorical))
		cli_usage_error(&cli, "%s needs --proxies",
				b->max_levels  ? "--max-levels"
				: b->max_proxy ? "--max-proxy"
					       : "--categorical");
}

static void
parse_options(int argc, char **argv, struct options *o)
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
	    {"partial", no_argument, NULL, OPT_PARTIAL},
	    {"merge", no_argument, NULL, OPT_MERGE},
	    {"population", required_argument, NULL, OPT_POPULATION},
	    {"min-representation", required_argument, NULL, OPT_MIN_REPR},
	    {"max-tvd", required_argument, NULL, OPT_MAX_TVD},
	    {"proxies", optional_argument, NULL, OPT_PROXIES},
	    {"max-levels", required_argument, NULL, OPT_MAX_LEVELS},
	    {"max-proxy", required_argument, NULL, OPT_MAX_PROXY},
	    {"categorical", required_argument, NULL, OPT_CATEGORICAL},
	    {NULL, 0, NULL, 0},
	};
	struct bias_opts *b = &o->bias;
	prep_fairness_gates *g = &o->gates;
	int opt;

	memset(o, 0, sizeof *o);
	while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORTOPTS "g:y:p:",
				  longopts, NULL)) != -1) {
		switch (opt) {
		case 'g':
			o->groups = optarg;
			break;
		case 'y':
			o->label = optarg;
			break;
		case 'p':
			o->pred = optarg;
			break;
		case OPT_POSITIVE:
			o->positive = optarg;
			break;
		case OPT_PRIVILEGED:
			o->privileged = optarg;
			break;
		case OPT_WEIGHT:
			o->weight = optarg;
			break;
		case OPT_MIN_DI:
			gate_option("--min-di", optarg, 1e9, &g->min_di,
				    &g->min_di_set, &o->min_di);
			break;
		case OPT_MAX_SPD:
			gate_option("--max-spd", optarg, 1, &g->max_spd,
				    &g->max_spd_set, &o->max_spd);
			break;
		case OPT_MAX_EOD:
			gate_option("--max-eod", optarg, 1, &g->max_eod,
				    &g->max_eod_set, &o->max_eod);
			break;
		case OPT_JSON:
			o->json = 1;
			break;
		case OPT_PARTIAL:
			o->partial = 1;
			break;
		case OPT_MERGE:
			o->merge = 1;
			break;
		case OPT_POPULATION:
			b->population = optarg;
			break;
		case OPT_MIN_REPR:
			gate_option("--min-representation", optarg, 1e9,
				    &b->repr.min_ratio, &b->repr.min_ratio_set,
				    &b->min_repr);
			break;
		case OPT_MAX_TVD:
			gate_option("--max-tvd", optarg, 1, &b->repr.max_tvd,
				    &b->repr.max_tvd_set, &b->max_tvd);
			break;
		case OPT_PROXIES:
			b->proxies = 1;
			b->proxy_cols = optarg;
			break;
		case OPT_MAX_LEVELS:
			b->max_levels = (size_t)cli_parse_count(
			    &cli, "--max-levels", optarg, 1,
			    PREP_PROXIES_MAX_LEVELS);
			break;
		case OPT_CATEGORICAL:
			b->categorical = optarg;
			break;
		case OPT_MAX_PROXY:
			gate_option("--max-proxy", optarg, 1, &b->proxy.max,
				    &b->proxy.set, &b->max_proxy);
			break;
		default:
			if (!cli_common_option(&cli, opt, optarg))
				cli_usage_error(&cli, "unknown option");
		}
	}
	if (o->groups == NULL)
		cli_usage_error(&cli, "-g GROUPS is required");
	b->groups = o->groups;
	b->json = o->json;
	check_modes(o);
	if (b->population || b->proxies)
		return;
	if (o->label == NULL)
		cli_usage_error(&cli, "-y LABEL is required");
	if (o->positive == NULL)
		cli_usage_error(&cli, "--positive V is required");
	if (o->max_eod && o->pred == NULL)
		cli_usage_error(&cli, "--max-eod needs -p PRED");
	if (o->partial && o->merge)
		cli_usage_error(&cli, "--partial and --merge go one at a time");
}

/* A string option as given, or null. */
static json_t *
text_json(const char *s)
{
	return s ? prep_json_bytes(s, strlen(s)) : json_null();
}

/*
 * The options object of the partials (prep-partial(5), fairness(1)):
 * what shapes the groups' counts or the verdict, as given on the command
 * line.
 */
static json_t *
options_json(const struct options *o)
{
	json_t *j = json_object();
	int ok = 1;

	prep_json_set(j, "groups", text_json(o->groups), &ok);
	prep_json_set(j, "label", text_json(o->label), &ok);
	prep_json_set(j, "prediction", text_json(o->pred), &ok);
	prep_json_set(j, "positive", text_json(o->positive), &ok);
	prep_json_set(j, "privileged", text_json(o->privileged), &ok);
	prep_json_set(j, "weight", text_json(o->weight), &ok);
	prep_json_set(j, "min_di", text_json(o->min_di), &ok);
	prep_json_set(j, "max_spd", text_json(o->max_spd), &ok);
	prep_json_set(j, "max_eod", text_json(o->max_eod), &ok);
	prep_json_set(j, "json", json_boolean(o->json), &ok);
	prep_json_set(j, "header", json_boolean(cli.csv.has_header), &ok);
	if (!ok) {
		json_decref(j);
		cli_fatal(&cli, "out of memory");
	}
	return j;
}

/* --privileged, one value per -g column, into r->pv (usage error else). */
static void
parse_privileged(const struct options *o, struct run *r)
{
	prep_status st = o->privileged ? prep_fairness_name_parse(o->privileged,
								  r->ng, &r->pv)
				       : PREP_OK;

	if (st == PREP_ERR_VALUE)
		cli_usage_error(
		    &cli,
		    "--privileged needs %zu values, one per -g column, separated by ':' or ','",
		    r->ng);
	if (st != PREP_OK)
		cli_fatal(&cli, "out of memory");
}

/*
 * The columns the options name, and the table; an input without even a
 * header has no columns, and then no table and no groups.
 */
static void
open_table(const struct options *o, struct run *r)
{
	prep_fairness_params *p = &r->p;
	unsigned char *seen;
	size_t ncols, i;
	prep_status st;

	prep_reader_header(cli.reader, &ncols);
	if (ncols == 0)
		return;
	r->g = cli_columns(&cli, "-g", o->groups, &r->ng);
	seen = cli_column_counts(&cli, r->g, r->ng, ncols);
	for (i = 0; i < r->ng && seen[r->g[i]] < 2; i++)
		;
	free(seen);
	if (i < r->ng)
		cli_usage_error(&cli, "-g names column %zu twice", r->g[i] + 1);
	group_names(r);
	if (o->json)
		check_json_names(r);
	p->groups = r->g;
	p->ngroups = r->ng;
	p->label = cli_column(&cli, "-y", o->label);
	p->pred = o->pred ? (long)cli_column(&cli, "-p", o->pred) : -1;
	p->weight =
	    o->weight ? (long)cli_column(&cli, "--weight", o->weight) : -1;
	p->positive = o->positive;
	p->positive_len = strlen(o->positive);
	parse_privileged(o, r);
	if ((st = prep_fairness_new(p, &r->f)) != PREP_OK)
		cli_fatal_status(&cli, st, "groups");
}

/* One worker of the count (-j): its table, and a row it refused. */
struct worker {
	prep_fairness *f; /* -j 1: the run's; else this thread's */
	int threads;	  /* rows counted by place */
	int json;
	long weight;
	prep_status st;
	const char *why; /* the weight's fault */
	size_t k;	 /* --json: the group column that is no UTF-8 */
};

static prep_status
count_row(void *arg, const prep_field *row, size_t n, const prep_par_row *at,
	  prep_writer *out)
{
	struct worker *k = arg;
	size_t ngroups = prep_fairness_groups(k->f);
	long wc = k->weight;
	prep_status st;

	(void)n;
	(void)out;
	st = k->threads
		 ? prep_fairness_add_at(k->f, row, at->piece << 32 | at->index)
		 : prep_fairness_add(k->f, row);
	k->st = st;
	if (st == PREP_ERR_VALUE || st == PREP_ERR_RANGE)
		k->why =
		    st == PREP_ERR_RANGE ? "weight is negative or above 1e280"
		    : row[wc].len == 0	 ? "weight is empty"
		    : cli_is_missing(&cli, &row[wc]) ? "weight is missing"
						     : "weight is not a number";
	if (st != PREP_OK)
		return st;
	/* a group new to this table: its first appearance, if anywhere,
	 * is here (an earlier one would be new to the thread that saw it) */
	if (k->json && prep_fairness_groups(k->f) > ngroups &&
	    json_values_ok(k->f, ngroups, &k->k) != 0)
		return k->st = PREP_ERR_UTF8;
	return PREP_OK;
}

/* A row the table refused: say why, and where. */
static void __attribute__((noreturn))
row_error(const struct run *r, const struct worker *k, prep_where w)
{
	long wc = r->p.weight;
	char buf[PREP_COLUMNS_LABEL_SIZE];
	prep_field name;

	if (k->st == PREP_ERR_VALUE || k->st == PREP_ERR_RANGE) {
		name = cli_column_label(&cli, (size_t)wc, buf);
		cli_fatal_at(&cli, w, "field %ld (%.*s): %s", wc + 1,
			     (int)name.len, name.data, k->why);
	}
	if (k->st == PREP_ERR_UTF8)
		cli_fatal_at(
		    &cli, w,
		    "field %zu (%.*s): not UTF-8 text, which --json needs",
		    r->g[k->k] + 1, (int)r->names[k->k].len,
		    r->names[k->k].data);
	if (k->st == PREP_ERR_LIMIT)
		cli_fatal_at(&cli, w,
			     "more than %zu groups, or their values too long",
			     PREP_FAIRNESS_DEFAULT_MAX_GROUPS);
	cli_fatal_at(&cli, w, "%s", prep_strerror(k->st));
}

/*
 * Count every row into r->f; with threads, each into a table of its own,
 * the tables added up with the groups in order of first appearance.
 */
static void
count_rows(const struct options *o, struct run *r)
{
	prep_par_bases b;
	prep_par_job job = {
	    .row = count_row, .piece = prep_par_bases_note, .arg = &b};
	unsigned nt = cli.threads, t;
	struct worker *k = calloc(nt, sizeof *k);
	prep_fairness **parts = calloc(nt, sizeof(prep_fairness *));
	void **ctxs = calloc(nt, sizeof *ctxs);
	prep_par_result res;
	prep_status st;

	if (k == NULL || parts == NULL || ctxs == NULL)
		cli_fatal(&cli, "out of memory");
	if (r->f == NULL) { /* an input without columns: no rows */
		free(k);
		free(parts);
		free(ctxs);
		return;
	}
	memset(&b, 0, sizeof b);
	for (t = 0; t < nt; t++) {
		k[t].f = r->f;
		k[t].threads = nt > 1;
		k[t].json = o->json;
		k[t].weight = r->p.weight;
		if (nt > 1 && prep_fairness_new(&r->p, &k[t].f) != PREP_OK)
			cli_fatal(&cli, "out of memory");
		parts[t] = k[t].f;
		ctxs[t] = &k[t];
	}
	if (cli_run_rows(&cli, NULL, &job, ctxs, &res) != PREP_OK) {
		struct worker bad = k[res.worker];

		for (t = 0; nt > 1 && t < nt; t++)
			prep_fairness_free(parts[t]);
		free(k);
		free(parts);
		free(ctxs);
		prep_par_bases_free(&b);
		row_error(r, &bad, res.where);
	}
	if (nt > 1) {
		if (b.failed)
			cli_fatal(&cli, "out of memory");
		st = prep_fairness_merge_places(r->f, parts, nt, b.base, b.n);
		if (st == PREP_ERR_LIMIT)
			cli_fatal(&cli,
				  "more than %zu groups, or their values too "
				  "long",
				  PREP_FAIRNESS_DEFAULT_MAX_GROUPS);
		if (st != PREP_OK)
			cli_fatal_status(&cli, st, "groups");
		for (t = 0; t < nt; t++)
			prep_fairness_free(parts[t]);
	}
	prep_par_bases_free(&b);
	free(k);
	free(parts);
	free(ctxs);
	cli_progress_end(&cli);
}

/* The metrics; all NA without a table. */
static void
summarize(const struct options *o, const struct run *r,
	  prep_fairness_summary *s)
{
	long priv = -1;

	if (o->privileged)
		priv = (long)privileged_id(r);
	if (r->f == NULL) {
		s->disparate_impact = s->statistical_parity_difference = NAN;
		s->equal_opportunity_difference = NAN;
		s->average_odds_difference = NAN;
		s->equalized_odds_difference = NAN;
		return;
	}
	(void)prep_fairness_summarize(r->f, priv, s);
}

/* The table, or the JSON object, on the output. */
static void
write_report(const struct options *o, const struct run *r,
	     const prep_fairness_summary *s)
{
	size_t ncols;
	int header = cli.reader ? prep_reader_header(cli.reader, &ncols) != NULL
				: cli.csv.has_header;
	prep_status st = PREP_OK;

	cli_open_report(&cli);
	if (o->json)
		st = prep_fairness_report_json(r->f, r->names, s, &o->gates,
					       cli.writer);
	else if (r->f)
		st = prep_fairness_report_table(r->f, header ? r->names : NULL,
						cli.writer);
	if (st == PREP_ERR_NOMEM)
		cli_fatal(&cli, "out of memory");
	cli_write_check(&cli, st);
	cli_finish(&cli);
}

/*
 * One gate failed: its option and bound as written, the metric against
 * the bound (for the |...| <= X gates, the metric's magnitude).
 */
static void
print_failure(const char *opt, const char *text, double bound, const char *name,
	      double v, int at_most)
{
	char buf[64];

	if (isnan(v))
		cli_note(&cli, "%s %s failed: %s is NA", opt, text, name);
	else if (at_most)
		cli_note(
		    &cli, "%s %s failed: |%s| %s > %s", opt, text, name,
		    prep_gate_failing_text(fabs(v), bound, 1, buf, sizeof buf),
		    text);
	else
		cli_note(&cli, "%s %s failed: %s %s < %s", opt, text, name,
			 prep_gate_failing_text(v, bound, 0, buf, sizeof buf),
			 text);
}

/*
 * What goes to stderr once the output is in place: the metrics (unless
 * --json), warnings of a --positive that matched nothing, a line per
 * failed gate. Returns the failed gates.
 */
static unsigned
print_messages(const struct options *o, const struct run *r,
	       const prep_fairness_summary *s)
{
	const prep_fairness_gates *g = &o->gates;
	unsigned fail = prep_fairness_check(s, g);
	prep_fairness_rates total;

	if (!cli.quiet && !o->json)
		(void)prep_fairness_report_metrics(stderr, s, g);
	if (r->f && prep_fairness_groups(r->f)) {
		prep_fairness_total(r->f, &total);
		if (total.n_pos == 0)
			cli_warn(&cli, "no label is --positive");
		if (o->pred && total.n_sel == 0)
			cli_warn(&cli, "no prediction is --positive");
	}
	if (fail & PREP_FAIRNESS_FAIL_DI)
		print_failure("--min-di", o->min_di, g->min_di,
			      "disparate_impact", s->disparate_impact, 0);
	if (fail & PREP_FAIRNESS_FAIL_SPD)
		print_failure("--max-spd", o->max_spd, g->max_spd,
			      "statistical_parity_difference",
			      s->statistical_parity_difference, 1);
	if (fail & PREP_FAIRNESS_FAIL_EOD)
		print_failure("--max-eod", o->max_eod, g->max_eod,
			      "equal_opportunity_difference",
			      s->equal_opportunity_difference, 1);
	return fail;
}

/*
 * The name of group id in a check of the record, prefix first
 * (cli_audit_group). malloc'd.
 */
static char *
group_check_name(const struct run *r, const char *prefix, size_t id)
{
	prep_field *f = NULL;
	char *name;

	if (cli.audit_groups &&
	    ((f = calloc(r->ng ? r->ng : 1, sizeof *f)) == NULL ||
	     prep_fairness_group_values(r->f, id, f) != PREP_OK))
		cli_fatal(&cli, "out of memory");
	name = cli_audit_group(&cli, prefix, id, f, r->ng);
	free(f);
	return name;
}

/* A figure of group id in the record. */
static void
group_figure(const struct run *r, const char *prefix, size_t id, double v)
{
	char *name = group_check_name(r, prefix, id);

	cli_audit_figure(&cli, name, v);
	free(name);
}

/*
 * The record's checks: the five metrics, each a gate when its option was
 * given (passed: the verdict of prep_fairness_check), else a figure;
 * then n, base_rate and selection_rate (and tpr, fpr with -p) of each
 * group, in the table's order.
 */
static void
record_checks(const struct options *o, const struct run *r,
	      const prep_fairness_summary *s, unsigned fail)
{
	const prep_fairness_gates *g = &o->gates;
	prep_fairness_rates rt;
	size_t id, n = r->f ? prep_fairness_groups(r->f) : 0;

	if (!cli_audit_on(&cli))
		return;
	cli_audit_check(&cli, "disparate_impact", s->disparate_impact,
			g->min_di_set ? g->min_di : NAN,
			g->min_di_set ? !(fail & PREP_FAIRNESS_FAIL_DI) : -1);
	cli_audit_check(&cli, "statistical_parity_difference",
			s->statistical_parity_difference,
			g->max_spd_set ? g->max_spd : NAN,
			g->max_spd_set ? !(fail & PREP_FAIRNESS_FAIL_SPD) : -1);
	cli_audit_check(&cli, "equal_opportunity_difference",
			s->equal_opportunity_difference,
			g->max_eod_set ? g->max_eod : NAN,
			g->max_eod_set ? !(fail & PREP_FAIRNESS_FAIL_EOD) : -1);
	cli_audit_figure(&cli, "average_odds_difference",
			 s->average_odds_difference);
	cli_audit_figure(&cli, "equalized_odds_difference",
			 s->equalized_odds_difference);
	for (id = 0; id < n; id++) {
		if (prep_fairness_group_rates(r->f, id, &rt) != PREP_OK)
			continue;
		group_figure(r, "n:", id, (double)rt.n);
		group_figure(r, "base_rate:", id, rt.base_rate);
		group_figure(r, "selection_rate:", id, rt.selection_rate);
		if (o->pred) {
			group_figure(r, "tpr:", id, rt.tpr);
			group_figure(r, "fpr:", id, rt.fpr);
		}
	}
}

/*
 * --merge: the partials' tables added up, in the order of the parts, into
 * r's, the whole's; *in gets the input's delimiter and names (NULL names
 * when no part had columns).
 */
static void
merge_partials(const struct options *o, int nfiles, char **files, struct run *r,
	       prep_partial_input *in)
{
	json_t *opts = options_json(o);
	size_t n = (size_t)nfiles, i, *ord, first = 0;
	prep_partial *p = cli_partials_load(&cli, files, n, opts);
	prep_partial_input one;
	prep_fairness *t;
	const char *why;
	prep_status st;
	int delim = 0;

	json_decref(opts);
	memset(in, 0, sizeof *in);
	ord = cli_partials_order(&cli, p, n);
	for (i = 0; i < n; i++) {
		st = prep_fairness_from_state(
		    p[ord[i]].state, o->pred != NULL, o->weight != NULL,
		    o->positive, strlen(o->positive), 0, &t, &one, &why);
		if (st != PREP_OK)
			cli_partial_state_error(&cli, files[ord[i]], st, why);
		if (i == 0)
			delim = one.delim;
		if (t == NULL)
			continue; /* no columns, no rows */
		if (r->f == NULL) {
			r->f = t;
			*in = one;
			first = ord[i];
			continue;
		}
		if (!prep_partial_input_same(in, &one))
			cli_fatal(&cli,
				  "%s: made from input of other columns or "
				  "another delimiter than %s",
				  files[ord[i]], files[first]);
		st = prep_fairness_merge(r->f, t);
		if (st == PREP_ERR_LIMIT)
			cli_fatal(&cli,
				  "%s: more than %zu groups, or 2^53 rows, in "
				  "all",
				  files[ord[i]],
				  PREP_FAIRNESS_DEFAULT_MAX_GROUPS);
		if (st != PREP_OK)
			cli_fatal_status(&cli, st, files[ord[i]]);
		prep_fairness_free(t);
		prep_partial_input_free(&one);
	}
	cli_partials_free(p, n);
	free(ord);
	cli.csv.delim = r->f ? in->delim : delim; /* the reports' dialect */
	if (r->f == NULL)
		return;
	r->names = in->names;
	r->ng = in->nnames;
	if (o->json &&
	    prep_fairness_json_names(r->names, r->ng, &i, &first) != PREP_OK)
		cli_fatal(&cli, "--json: the names of the group columns can't "
				"be the keys of the report");
	for (i = 0; o->json && i < prep_fairness_groups(r->f); i++)
		if (prep_fairness_json_group(r->f, i, &first) != PREP_OK)
			cli_fatal(&cli, "--json: a group's value is not UTF-8 "
					"text");
	parse_privileged(o, r);
}

/* --partial: the state of the part's groups, as the output. */
static void
write_partial(const struct options *o, const struct run *r)
{
	prep_partial_input in;

	memset(&in, 0, sizeof in);
	in.delim = prep_reader_delim(cli.reader);
	in.names = r->f ? r->names : NULL;
	in.nnames = r->f ? r->ng : 0;
	cli_partial_write(&cli, options_json(o),
			  prep_fairness_state(r->f, &in));
}

int
main(int argc, char **argv)
{
	struct options o;
	struct run r;
	prep_fairness_summary sum;
	prep_partial_input merged;
	unsigned fail;

	memset(&r, 0, sizeof r);
	cli_init(&cli, "fairness", usage);
	parse_options(argc, argv, &o);
	if (o.bias.population)
		return run_population(&o.bias, argc - optind, argv + optind);
	if (o.bias.proxies)
		return run_proxies(&o.bias, argc - optind, argv + optind);
	memset(&merged, 0, sizeof merged);
	if (o.merge) {
		cli_merge_no_part(&cli);
		merge_partials(&o, argc - optind, argv + optind, &r, &merged);
	} else {
		cli_open_input(&cli, argc - optind, argv + optind);
		open_table(&o, &r);
		count_rows(&o, &r);
	}
	if (o.partial) {
		write_partial(&o, &r);
		fail = 0;
		goto out;
	}
	summarize(&o, &r, &sum);
	write_report(&o, &r, &sum);
	fail = print_messages(&o, &r, &sum);
	record_checks(&o, &r, &sum, fail);
out:
	prep_fairness_free(r.f);
	prep_fairness_name_free(&r.pv);
	if (!o.merge)
		free(r.names);
	free(r.names_text);
	free(r.g);
	prep_partial_input_free(&merged);
	return fail ? EXIT_CHECK_FAILED : 0;
}
