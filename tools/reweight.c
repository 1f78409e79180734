/*
 * reweight: append weights that make the label independent of the group
 * (Kamiran and Calders, "Data preprocessing techniques for classification
 * without discrimination", KAIS 33(1), 2012; reweight(1)).
 *
 * Two passes: the first counts every group x label cell
 * (libprep/weights.c, which also writes -v's table of the cells) while it
 * spools the data to an unlinked temporary file in $TMPDIR, each row as
 * the output holds it, tagged with its cell (spool.h); the second reads
 * the spool back and copies every row with its weight appended, parsing
 * no CSV. Memory follows the cells, not the rows; nothing is written
 * before the whole input has been read.
 *
 * Scale-out (man5/prep-partial.5): --partial writes the state of the
 * rows' cells instead (libprep/weights_state.c); --merge adds the
 * partials of all the parts up into the state of the whole, which it
 * writes, giving the verdict the whole run would; --state FILE takes
 * that state instead of counting, and weighs the rows of one part as the
 * whole run would have weighed them.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "json.h"
#include "weights.h"
#include "weights_state.h"

enum {
	OPT_WEIGHT = CLI_OPT_TOOL_BASE,
	OPT_NAME,
	OPT_PARTIAL,
	OPT_MERGE,
	OPT_STATE,
};

static struct cli cli;

/* clang-format off */
static void
usage(void)
{
	printf("usage: reweight [-HhqVvz] -g GROUPS [-y LABEL] [--weight COLUMN] [--name NAME]\n"
	       "                [--partial | --state STATE] [-d DELIM] [-o FILE] [--crlf]\n"
	       "                [--lazy-quotes] [--max-field SIZE] [--max-memory SIZE]\n"
	       "                [--part I/N [--part-by COL]] [--progress] [FILE...]\n"
	       "       reweight [-qv] -g GROUPS [-y LABEL] [--weight COLUMN] [-o FILE]\n"
	       "                --merge PARTIAL...\n"
	       "\n"
	       "Append a weight to every row that makes the label independent of the\n"
	       "group: W = n_g*n_y/(n*n_gy) (Kamiran & Calders 2012); without -y,\n"
	       "W = n/(G*n_g), which makes the groups weigh the same.\n"
	       "\n"
	       "  -g, --group GROUPS   group columns; several: their intersections\n"
	       "  -y, --label LABEL    label column\n"
	       "      --weight COLUMN  existing weights: multiplied, and every count\n"
	       "                       a sum of them\n"
	       "      --name NAME      name of the new column (default weight)\n"
	       "  -v, --report         the table of cells on stderr, as CSV\n"
	       "      --partial        write this part's state instead (prep-partial(5))\n"
	       "      --merge          the operands are the parts' partials: write the\n"
	       "                       state of the whole, with the whole run's verdict\n"
	       "      --state STATE    weigh by STATE, the whole's (from --merge)\n"
	       CLI_COMMON_HELP
	       "\n"
	       "Exit status: 0 done, 2 trouble.\n");
}
/* clang-format on */

/*
 * -v: the table of cells (prep_weights_report) as CSV on stderr, in the
 * output's dialect: delim, and the column names of header[0..ncols) (the
 * input's header, or a state's names; NULL: numbers).
 */
static void
write_report(const prep_weights *tab, int delim, const prep_field *h,
	     size_t ncols)
{
	prep_writer_options wo;
	prep_writer *wr;

	memset(&wo, 0, sizeof wo);
	wo.delim = delim;
	wo.crlf = cli.crlf;
	if (prep_writer_new(STDERR_FILENO, &wo, &wr) != PREP_OK)
		cli_fatal(&cli, "out of memory");
	cli_write_check(&cli, prep_weights_report(tab, h, ncols, wr));
	cli_write_check(&cli, prep_writer_finish(wr));
	prep_writer_free(wr);
}

/* The columns the options name, resolved against the input's header. */
struct columns {
	size_t *group, ngroup;
	long label;  /* -1: none */
	long weight; /* -1: none */
};

/*
 * One worker of a pass over the rows (-j): the table it counts into, or
 * the whole's it weighs by (only read); its key buffer and weight text;
 * what went wrong with a row.
 */
struct worker {
	prep_weights *tab;
	int threads; /* rows are counted by place (prep_weights_add_at) */
	unsigned index, nt;   /* this thread's number, of nt: in the tags */
	prep_writer *scratch; /* for prep_spool_put_tagged */
	long weight;
	prep_buf key;
	const char *why; /* a row refused: the message */
	long col;	 /* ... of this column, or -1 */
	prep_status st;
};

/* What is wrong with row f, refused with st: for row_fatal. */
static prep_status
refuse(struct worker *k, const prep_field *f, prep_status st)
{
	static char limit[96];

	k->st = st;
	k->col = -1;
	k->why = NULL;
	if (st == PREP_ERR_VALUE || st == PREP_ERR_RANGE) {
		k->col = k->weight;
		k->why = st == PREP_ERR_RANGE	 ? "weight is negative"
			 : f[k->weight].len == 0 ? "weight is empty"
			 : cli_is_missing(&cli, &f[k->weight])
			     ? "weight is missing"
			     : "weight is not a finite number";
	} else if (st == PREP_ERR_LIMIT) {
		(void)snprintf(limit, sizeof limit,
			       "more than %zu groups, labels or cells",
			       PREP_WEIGHTS_DEFAULT_MAX);
		k->why = limit;
	} else if (st == PREP_ERR_NOT_FOUND) {
		k->why = "a row whose group and label are not in the state: "
			 "it is not the state of this data";
	}
	return st;
}

/* A row refused for its weight, or past the caps: the message, exit 2. */
static void __attribute__((noreturn))
row_fatal(const struct worker *k, prep_where w)
{
	if (k->why && k->col >= 0)
		cli_fatal_cell_at(&cli, w, (size_t)k->col, k->why);
	if (k->why)
		cli_fatal_at(&cli, w, "%s", k->why);
	cli_fatal_status(&cli, k->st, "weights");
}

/*
 * The spool holds each row as a tagged record (spool.h), for the second
 * pass to copy without parsing: the tag is the row's cell, as tab * nt
 * + t for thread t of nt counting into a table of its own (ids mapped to
 * the whole's after the merge); aux is the row's own weight's bits less
 * those of 1, 0 for a row of weight 1 (every row without --weight).
 */
static uint64_t
bits_of(double v)
{
	uint64_t b;

	memcpy(&b, &v, sizeof b);
	return b;
}

static uint64_t
own_bits(double own)
{
	return bits_of(own) ^ bits_of(1.0);
}

static double
own_of(uint64_t aux)
{
	uint64_t b = aux ^ bits_of(1.0);
	double v;

	memcpy(&v, &b, sizeof v);
	return v;
}

static prep_status
spool_row(const struct worker *k, prep_writer *out, const prep_reader *r,
	  size_t cell, double own)
{
	return prep_spool_put_tagged(out, k->scratch, r,
				     (uint64_t)cell * k->nt + k->index,
				     own_bits(own));
}

/* The first pass: count the row, spool it. */
static prep_status
count_row(void *arg, const prep_field *f, size_t n, const prep_par_row *at,
	  prep_writer *out)
{
	struct worker *k = arg;
	size_t cell;
	double own;
	prep_status st =
	    prep_weights_add_cell(k->tab, f,
				  k->threads ? at->piece << 32 | at->index
					     : prep_weights_rows(k->tab) + 1,
				  &cell, &own);

	(void)n;
	if (st != PREP_OK)
		return refuse(k, f, st);
	return out ? spool_row(k, out, at->reader, cell, own) : PREP_OK;
}

/* The first pass of --state: the row must have a weight; spool it. */
static prep_status
check_row(void *arg, const prep_field *f, size_t n, const prep_par_row *at,
	  prep_writer *out)
{
	struct worker *k = arg;
	size_t cell;
	double own;
	prep_status st = prep_weights_row_cell(k->tab, f, &k->key, &cell, &own);

	(void)n;
	if (st != PREP_OK)
		return refuse(k, f, st);
	return spool_row(k, out, at->reader, cell, own);
}

/*
 * Workers for a pass: worker 0 counts into tab, the others into tables
 * of their own (parts) when count, else all read tab; with spool, each
 * has a scratch writer like the spool's.
 */
static struct worker *
workers_new(prep_weights *tab, const struct columns *c, int count,
	    prep_spool *spool, void ***ctxs)
{
	unsigned nt = cli.threads, t;
	struct worker *k = calloc(nt, sizeof *k);

	*ctxs = calloc(nt, sizeof **ctxs);
	if (k == NULL || *ctxs == NULL)
		cli_fatal(&cli, "out of memory");
	for (t = 0; t < nt; t++) {
		k[t].tab = tab;
		k[t].threads = count && c != NULL && nt > 1;
		k[t].index = k[t].threads ? t : 0;
		k[t].nt = k[t].threads ? nt : 1;
		k[t].weight = c ? c->weight : -1;
		prep_buf_init(&k[t].key, 0);
		if (k[t].threads && c != NULL &&
		    prep_weights_new(c->group, c->ngroup, c->label, c->weight,
				     0, &k[t].tab) != PREP_OK)
			cli_fatal(&cli, "out of memory");
		if (spool && prep_writer_new_memory(prep_spool_writer(spool),
						    &k[t].scratch) != PREP_OK)
			cli_fatal(&cli, "out of memory");
		(*ctxs)[t] = &k[t];
	}
	return k;
}

static void
workers_free(struct worker *k, void **ctxs)
{
	unsigned t;

	for (t = 0; t < cli.threads; t++) {
		if (k[t].threads)
			prep_weights_free(k[t].tab);
		prep_buf_free(&k[t].key);
		prep_writer_free(k[t].scratch);
	}
	free(k);
	free(ctxs);
}

/*
 * Run a first pass (job) over the input's rows, spooling them to out
 * (NULL: none); a refused row ends the run with its message.
 */
static void
run_pass(prep_writer *out, const prep_par_job *job, struct worker *k,
	 void **ctxs)
{
	prep_par_result res;

	if (cli_run_rows(&cli, out, job, ctxs, &res) != PREP_OK) {
		if (res.by_output || k[res.worker].st == PREP_OK) {
			/* the spool's writer */
			cli_spool_check(&cli, res.status);
			cli_write_check(&cli, res.status);
		}
		row_fatal(&k[res.worker], res.where);
	}
}

/*
 * What follows a row of cell with own weight own in the output: the
 * delimiter, the weight as prep_writer_field writes it, the line end;
 * in mw (a memory writer like the output), *p and *len its bytes.
 */
static void
weight_suffix(const prep_weights *tab, size_t cell, double own, prep_writer *mw,
	      const char **p, size_t *len)
{
	char buf[PREP_WEIGHTS_TEXT];
	const char *text;
	size_t tlen;

	if (prep_weights_cell_text(tab, cell, own, buf, NULL, &text, &tlen) !=
	    PREP_OK)
		cli_fatal(&cli, "spool: record of no known cell");
	prep_writer_reset(mw);
	/* a record of an empty field and the weight: the weight after a
	 * delimiter, quoted as a last field would be */
	cli_write_check(&cli, prep_writer_field(mw, "", 0));
	cli_write_check(&cli, prep_writer_field(mw, text, tlen));
	cli_write_check(&cli, prep_writer_end_row(mw));
	cli_write_check(&cli, prep_writer_finish(mw));
	*p = prep_writer_data(mw, len);
}

/*
 * The second pass: the header with the weight's name, then the spool's
 * rows, each copied as spooled with its weight appended; map[t] turns
 * thread t's cell ids into tab's (map NULL: the tags are tab's ids).
 * Without a weight column (weighted 0) a cell's suffix is the same for
 * all its rows, made once.
 */
static void
write_weighted(prep_spool *spool, prep_weights *tab, const char *name,
	       int weighted, size_t *const *map, unsigned nmap)
{
	size_t ncols, i, ncells = prep_weights_cells(tab), len, slen;
	const prep_field *h = prep_reader_header(cli.reader, &ncols);
	prep_writer *mw, *first;
	prep_buf cache;
	size_t *at = NULL;
	uint64_t tag, aux;
	const char *rec, *suffix;
	prep_status st;

	if (h) {
		for (i = 0; i < ncols; i++)
			cli_write_check(
			    &cli,
			    prep_writer_field(cli.writer, h[i].data, h[i].len));
		cli_write_check(
		    &cli, prep_writer_field(cli.writer, name, strlen(name)));
		cli_write_check(&cli, prep_writer_end_row(cli.writer));
	}
	if (prep_writer_new_memory(cli.writer, &mw) != PREP_OK ||
	    prep_writer_new_memory(cli.writer, &first) != PREP_OK ||
	    (at = calloc(ncells + 1, sizeof *at)) == NULL)
		cli_fatal(&cli, "out of memory");
	prep_buf_init(&cache, 0);
	for (i = 0; !weighted && i < ncells; i++) {
		weight_suffix(tab, i, 1.0, mw, &suffix, &slen);
		if (prep_buf_append(&cache, suffix, slen) != PREP_OK)
			cli_fatal(&cli, "out of memory");
		at[i + 1] = cache.len;
	}
	while ((st = prep_spool_next_tagged(spool, &tag, &aux, &rec, &len)) ==
	       PREP_OK) {
		size_t cell = map ? map[tag % nmap][tag / nmap] : (size_t)tag;

		if (cell >= ncells)
			cli_fatal(&cli, "spool: record of no known cell");
		if (weighted) {
			weight_suffix(tab, cell, own_of(aux), mw, &suffix,
				      &slen);
		} else {
			suffix = cache.data + at[cell];
			slen = at[cell + 1] - at[cell];
		}
		if (prep_writer_bytes(cli.writer) == 0) {
			/* the output's first record: through a memory
			 * writer, so that a first field like gzip data or a
			 * byte order mark is quoted as it would be */
			prep_writer_reset(first);
			cli_write_check(&cli, prep_writer_raw(first, rec, len));
			cli_write_check(&cli,
					prep_writer_raw(first, suffix, slen));
			cli_write_check(&cli, prep_writer_finish(first));
			cli_write_check(&cli,
					prep_writer_append(cli.writer, first));
		} else {
			cli_write_check(&cli,
					prep_writer_raw(cli.writer, rec, len));
			cli_write_check(
			    &cli, prep_writer_raw(cli.writer, suffix, slen));
		}
		prep_writer_add(cli.writer, 1);
	}
	if (st != PREP_END)
		cli_spool_check(&cli, st);
	prep_buf_free(&cache);
	free(at);
	prep_writer_free(mw);
	prep_writer_free(first);
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

/* The command line, as given. */
struct options {
	const char *groups; /* -g */
	const char *label;  /* -y, or NULL */
	const char *weight; /* --weight, or NULL */
	const char *name;   /* --name */
	int report;	    /* -v */
	int partial;	    /* --partial */
	int merge;	    /* --merge */
	const char *state;  /* --state, or NULL */
};

static void
parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
	    CLI_COMMON_LONGOPTS,
	    {"group", required_argument, NULL, 'g'},
	    {"label", required_argument, NULL, 'y'},
	    {"weight", required_argument, NULL, OPT_WEIGHT},
	    {"name", required_argument, NULL, OPT_NAME},
	    {"report", no_argument, NULL, 'v'},
	    {"partial", no_argument, NULL, OPT_PARTIAL},
	    {"merge", no_argument, NULL, OPT_MERGE},
	    {"state", required_argument, NULL, OPT_STATE},
	    {NULL, 0, NULL, 0},
	};
	int opt;

	memset(o, 0, sizeof *o);
	o->name = "weight";
	while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORTOPTS "g:y:v",
				  longopts, NULL)) != -1) {
		switch (opt) {
		case 'g':
			o->groups = optarg;
			break;
		case 'y':
			o->label = optarg;
			break;
		case OPT_WEIGHT:
			o->weight = optarg;
			break;
		case OPT_NAME:
			o->name = optarg;
			break;
		case 'v':
			o->report = cli.verbose = 1;
			break;
		case OPT_PARTIAL:
			o->partial = 1;
			break;
		case OPT_MERGE:
			o->merge = 1;
			break;
		case OPT_STATE:
			o->state = optarg;
			break;
		default:
			if (!cli_common_option(&cli, opt, optarg))
				cli_usage_error(&cli, "unknown option");
		}
	}
	if (o->groups == NULL)
		cli_usage_error(&cli, "-g GROUPS is required");
	if (*o->name == '\0')
		cli_usage_error(&cli, "--name must not be empty");
	if (o->partial + o->merge + (o->state != NULL) > 1)
		cli_usage_error(&cli, "--partial, --merge and --state go one "
				      "at a time");
	if (o->state && strcmp(o->state, "-") == 0)
		cli_usage_error(&cli, "--state reads a file, not the standard "
				      "input");
}

/*
 * The options object of the partials (prep-partial(5), reweight(1)):
 * what shapes the cells, as given on the command line.
 */
static json_t *
options_json(const struct options *o)
{
	json_t *j = json_object();
	int ok = 1;

	prep_json_set(j, "groups",
		      prep_json_bytes(o->groups, strlen(o->groups)), &ok);
	prep_json_set(j, "label",
		      o->label ? prep_json_bytes(o->label, strlen(o->label))
			       : json_null(),
		      &ok);
	prep_json_set(j, "weight",
		      o->weight ? prep_json_bytes(o->weight, strlen(o->weight))
				: json_null(),
		      &ok);
	prep_json_set(j, "header", json_boolean(cli.csv.has_header), &ok);
	if (!ok) {
		json_decref(j);
		cli_fatal(&cli, "out of memory");
	}
	return j;
}

static void
resolve_columns(const struct options *o, struct columns *c)
{
	size_t ncols, i;
	const prep_field *header = prep_reader_header(cli.reader, &ncols);

	c->group = cli_columns(&cli, "-g", o->groups, &c->ngroup);
	c->label = c->weight = -1;
	if (o->label) {
		c->label = (long)cli_column(&cli, "-y", o->label);
		if (has_column(c->group, c->ngroup, c->label))
			cli_usage_error(&cli, "-y: the label is one of the "
					      "-g columns");
	}
	if (o->weight) {
		c->weight = (long)cli_column(&cli, "--weight", o->weight);
		if (has_column(c->group, c->ngroup, c->weight) ||
		    c->weight == c->label)
			cli_usage_error(&cli, "--weight: the weight is a -g or "
					      "-y column");
	}
	for (i = 0; header && i < ncols; i++)
		if (header[i].len == strlen(o->name) &&
		    memcmp(header[i].data, o->name, header[i].len) == 0)
			cli_usage_error(&cli,
					"--name: the input has a column '%s' "
					"already",
					o->name);
}

/*
 * The input as a state names it: its delimiter, the names of the group
 * columns and of the label column (numbers with -H); in->text holds the
 * numbers, free it and in->names.
 */
static void
input_of(const struct columns *c, prep_partial_input *in)
{
	enum { WIDTH = PREP_COLUMNS_LABEL_SIZE };
	size_t i, n = c->ngroup + (c->label >= 0);

	memset(in, 0, sizeof *in);
	in->delim = prep_reader_delim(cli.reader);
	in->nnames = n;
	in->names = calloc(n, sizeof *in->names);
	in->text = malloc(n * WIDTH);
	if (in->names == NULL || in->text == NULL)
		cli_fatal(&cli, "out of memory");
	for (i = 0; i < n; i++)
		in->names[i] = cli_column_label(
		    &cli, i < c->ngroup ? c->group[i] : (size_t)c->label,
		    in->text + i * WIDTH);
}

/*
 * The first pass: count every row into tab and spool it unless spool is
 * NULL (--partial); a bad weight or too many cells ends the run. With
 * threads, each counts into a table of its own and the tables are added
 * up in order of first appearance; then the maps from each thread's
 * cell ids to tab's are returned (NULL on one thread), for
 * write_weighted.
 */
static size_t **
count_rows(prep_weights *tab, prep_spool *spool, const struct columns *c)
{
	prep_par_bases b;
	prep_par_job job = {
	    .row = count_row, .piece = prep_par_bases_note, .arg = &b};
	void **ctxs;
	struct worker *k = workers_new(tab, c, 1, spool, &ctxs);
	size_t **map = NULL;
	unsigned t;

	memset(&b, 0, sizeof b);
	run_pass(spool ? prep_spool_writer(spool) : NULL, &job, k, ctxs);
	if (cli.threads > 1) {
		prep_weights **parts =
		    malloc(cli.threads * sizeof(prep_weights *));
		prep_status st;

		map = spool ? calloc(cli.threads, sizeof *map) : NULL;
		if (parts == NULL || (spool && map == NULL))
			cli_fatal(&cli, "out of memory");
		for (t = 0; t < cli.threads; t++)
			parts[t] = k[t].tab;
		if (b.failed)
			cli_fatal(&cli, "out of memory");
		st = prep_weights_merge_places(tab, parts, cli.threads, b.base,
					       b.n);
		if (st == PREP_ERR_LIMIT)
			cli_fatal(&cli, "more than %zu groups, labels or cells",
				  PREP_WEIGHTS_DEFAULT_MAX);
		if (st != PREP_OK)
			cli_fatal_status(&cli, st, "weights");
		/* the spool's tags are the threads' cell ids */
		for (t = 0; map && t < cli.threads; t++) {
			size_t n = prep_weights_cells(parts[t]);

			if ((map[t] = malloc((n ? n : 1) * sizeof **map)) ==
				NULL ||
			    prep_weights_cell_map(tab, parts[t], map[t]) !=
				PREP_OK)
				cli_fatal(&cli, "out of memory");
		}
		free(parts);
	}
	workers_free(k, ctxs);
	prep_par_bases_free(&b);
	if (spool)
		cli_spool_check(&cli, prep_spool_finish(spool));
	cli_progress_end(&cli);
	return map;
}

/*
 * The first pass of --state: every row must have a weight in tab (a
 * finished table, the whole's) before any is written; spool them.
 */
static void
check_rows(prep_weights *tab, prep_spool *spool)
{
	static const prep_par_job job = {.row = check_row};
	void **ctxs;
	struct worker *k = workers_new(tab, NULL, 0, spool, &ctxs);

	run_pass(prep_spool_writer(spool), &job, k, ctxs);
	workers_free(k, ctxs);
	cli_spool_check(&cli, prep_spool_finish(spool));
	cli_progress_end(&cli);
}

/* The weights, once every row is counted. */
static void
finish_table(prep_weights *tab)
{
	prep_status st = prep_weights_finish(tab);

	if (st == PREP_ERR_VALUE)
		cli_fatal(&cli, "--weight: the weights sum to 0");
	if (st == PREP_ERR_RANGE)
		cli_fatal(&cli, "--weight: the sum of the weights overflows");
	if (st != PREP_OK)
		cli_fatal_status(&cli, st, "weights");
}

/* Cells without rows get no weight: say so, unless -q. */
static void
warn_empty_cells(const prep_weights *tab, long label)
{
	uint64_t empty = prep_weights_empty_cells(tab);

	if (empty > 0)
		cli_warn(&cli, "%llu of %llu cells are empty: %s (see -v)",
			 (unsigned long long)empty,
			 (unsigned long long)prep_weights_groups(tab) *
			     prep_weights_labels(tab),
			 label >= 0 ? "their groups' label rates can't be "
				      "equalized"
				    : "their groups get no weight");
}

/*
 * The record's checks: the cells of groups x labels and those without a
 * row, the smallest and largest weight of a cell that has one, then each
 * cell's weight, "weight:GROUP|LABEL" (without -y "weight:GROUP"), groups
 * and labels in -v's order; an empty cell's is null. tab NULL: an input
 * without columns, no cells.
 */
static void
record_checks(const prep_weights *tab, size_t ngroup, long label)
{
	size_t g, y, i, ng = tab ? prep_weights_groups(tab) : 0;
	size_t ny = tab ? prep_weights_labels(tab) : 0;
	prep_weights_cell_info cell;
	double lo = NAN, hi = NAN;
	prep_field *f, lab;
	char *gname, *name;

	if (!cli_audit_on(&cli))
		return;
	for (g = 0; g < ng; g++)
		for (y = 0; y < ny; y++)
			if (prep_weights_cell(tab, g, y, &cell) == PREP_OK &&
			    !cell.empty) {
				lo = isnan(lo) || cell.weight < lo ? cell.weight
								   : lo;
				hi = isnan(hi) || cell.weight > hi ? cell.weight
								   : hi;
			}
	cli_audit_figure(&cli, "cells", (double)ng * (double)ny);
	cli_audit_figure(&cli, "cells.empty",
			 tab ? (double)prep_weights_empty_cells(tab) : 0);
	cli_audit_figure(&cli, "weight.min", lo);
	cli_audit_figure(&cli, "weight.max", hi);
	if ((f = calloc(ngroup ? ngroup : 1, sizeof *f)) == NULL)
		cli_fatal(&cli, "out of memory");
	for (g = 0; g < ng; g++) {
		for (i = 0; i < ngroup; i++)
			f[i] = prep_weights_group_field(tab, g, i);
		gname = cli_audit_group(&cli, "weight:", g, f, ngroup);
		if (label >= 0) {
			/* "weight:GROUP|": the prefix of the label's name */
			name = malloc(strlen(gname) + 2);
			if (name == NULL)
				cli_fatal(&cli, "out of memory");
			strcat(strcpy(name, gname), "|");
			free(gname);
			gname = name;
		}
		for (y = 0; y < ny; y++) {
			lab = prep_weights_label(tab, y);
			name = label >= 0
				   ? cli_audit_group(&cli, gname, y, &lab, 1)
				   : gname;
			if (prep_weights_cell(tab, g, y, &cell) == PREP_OK)
				cli_audit_figure(
				    &cli, name, cell.empty ? NAN : cell.weight);
			if (name != gname)
				free(name);
		}
		free(gname);
	}
	free(f);
}

/*
 * The table of partial p (of file path): *in its input. NULL for an input
 * without columns.
 */
static prep_weights *
table_of(const struct options *o, const prep_partial *p, const char *path,
	 prep_partial_input *in)
{
	prep_weights *t;
	const char *why;
	prep_status st;

	st = prep_weights_from_state(p->state, o->label != NULL,
				     o->weight != NULL, 0, &t, in, &why);
	if (st != PREP_OK)
		cli_partial_state_error(&cli, path, st, why);
	return t;
}

/*
 * --merge: the partials' tables added up, in the order of the parts,
 * into the whole's; its verdict (the errors, -v's table and the warning
 * of the whole run) and its state, written as a partial of the whole.
 */
static int
merge_partials(const struct options *o, int nfiles, char **files)
{
	json_t *opts = options_json(o);
	size_t n = (size_t)nfiles, i, *ord, first = 0;
	prep_partial *p = cli_partials_load(&cli, files, n, opts);
	prep_weights *all = NULL, *t;
	prep_partial_input in_all, in;
	prep_status st;
	int delim = 0;

	memset(&in_all, 0, sizeof in_all);
	ord = cli_partials_order(&cli, p, n);
	for (i = 0; i < n; i++) {
		t = table_of(o, &p[ord[i]], files[ord[i]], &in);
		if (i == 0)
			delim = in.delim;
		if (t == NULL)
			continue; /* no columns, no rows */
		if (all == NULL) {
			all = t;
			in_all = in;
			first = ord[i];
			continue;
		}
		if (!prep_partial_input_same(&in_all, &in))
			cli_fatal(&cli,
				  "%s: made from input of other columns or "
				  "another delimiter than %s",
				  files[ord[i]], files[first]);
		st = prep_weights_merge(all, t);
		if (st == PREP_ERR_LIMIT)
			cli_fatal(&cli,
				  "%s: more than %zu groups, labels or cells, "
				  "or 2^53 rows, in all",
				  files[ord[i]], PREP_WEIGHTS_DEFAULT_MAX);
		if (st != PREP_OK)
			cli_fatal_status(&cli, st, files[ord[i]]);
		prep_weights_free(t);
		prep_partial_input_free(&in);
	}
	if (all == NULL)
		in_all.delim = delim;
	cli_partials_free(p, n);
	free(ord);
	if (all) {
		finish_table(all);
		if (o->report)
			write_report(all, in_all.delim, in_all.names,
				     in_all.nnames);
		warn_empty_cells(all, o->label ? 1 : -1);
	}
	/* a partial of the whole input, part 1 of 1 */
	cli.part_i = cli.part_n = 1;
	cli.part_by = NULL;
	cli_partial_write(&cli, opts, prep_weights_state(all, &in_all));
	record_checks(all, in_all.nnames - (o->label != NULL),
		      o->label ? 1 : -1);
	prep_weights_free(all);
	prep_partial_input_free(&in_all);
	return 0;
}

/*
 * --state: the whole's table, from the merged state in path, for rows
 * laid out as c says; the input's names must be the state's.
 */
static prep_weights *
state_table(const struct options *o, const char *path, const struct columns *c)
{
	json_t *opts = options_json(o);
	prep_partial *p = cli_partials_load(&cli, (char **)&path, 1, opts);
	prep_partial_input in, mine;
	prep_weights *tab;

	json_decref(opts);
	if (p[0].part.i != 1 || p[0].part.n != 1)
		cli_fatal(&cli,
			  "%s: not the state of a whole input (write it with "
			  "--merge)",
			  path);
	tab = table_of(o, &p[0], path, &in);
	cli_partials_free(p, 1);
	input_of(c, &mine);
	mine.delim = in.delim; /* the output's dialect is this input's */
	if (tab == NULL || !prep_partial_input_same(&in, &mine))
		cli_fatal(&cli, "%s: the state of an input of other columns",
			  path);
	if (prep_weights_set_columns(tab, c->group, c->ngroup, c->label,
				     c->weight) != PREP_OK)
		cli_fatal(&cli, "%s: the state of an input of other columns",
			  path);
	prep_partial_input_free(&in);
	prep_partial_input_free(&mine);
	return tab;
}

int
main(int argc, char **argv)
{
	struct options o;
	struct columns c;
	prep_partial_input in;
	prep_weights *tab = NULL;
	prep_spool *spool;
	size_t **map = NULL, ncols, i;
	const prep_field *h;
	prep_status st;

	cli_init(&cli, "reweight", usage);
	parse_options(argc, argv, &o);
	if (o.merge) {
		cli_merge_no_part(&cli);
		return merge_partials(&o, argc - optind, argv + optind);
	}
	cli_open_input(&cli, argc - optind, argv + optind);
	h = prep_reader_header(cli.reader, &ncols);
	if (ncols == 0) {
		/* an empty input: nothing to weigh, nothing to write */
		if (o.partial) {
			memset(&in, 0, sizeof in);
			in.delim = prep_reader_delim(cli.reader);
			cli_partial_write(&cli, options_json(&o),
					  prep_weights_state(NULL, &in));
			return 0;
		}
		cli_open_output(&cli);
		cli_finish(&cli);
		record_checks(NULL, 0, -1);
		return 0;
	}
	resolve_columns(&o, &c);
	if (o.state) {
		tab = state_table(&o, o.state, &c);
	} else {
		st = prep_weights_new(c.group, c.ngroup, c.label, c.weight, 0,
				      &tab);
		if (st != PREP_OK)
			cli_fatal_status(&cli, st, "weights");
	}
	if (o.partial) {
		count_rows(tab, NULL, &c);
		input_of(&c, &in);
		cli_partial_write(&cli, options_json(&o),
				  prep_weights_state(tab, &in));
		prep_partial_input_free(&in);
		prep_weights_free(tab);
		free(c.group);
		return 0;
	}
	spool = cli_spool_new(&cli, PREP_SPOOL_TAGGED);
	if (o.state) {
		/* the whole's weights, and its verdict, before this part's */
		finish_table(tab);
		if (o.report)
			write_report(tab, prep_reader_delim(cli.reader), h,
				     ncols);
		warn_empty_cells(tab, c.label);
		check_rows(tab, spool);
	} else {
		map = count_rows(tab, spool, &c);
		finish_table(tab);
		if (o.report)
			write_report(tab, prep_reader_delim(cli.reader), h,
				     ncols);
		warn_empty_cells(tab, c.label);
	}

	cli_open_output(&cli);
	write_weighted(spool, tab, o.name, o.weight != NULL, map, cli.threads);
	cli_finish(&cli);
	for (i = 0; map && i < cli.threads; i++)
		free(map[i]);
	free(map);
	record_checks(tab, c.ngroup, c.label);
	prep_spool_free(spool);
	prep_weights_free(tab);
	free(c.group);
	return 0;
}
