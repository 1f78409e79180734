/*
 * cli_profile.c: what profile and drift share (cli.h, "Profiles"): the
 * options of a CSV's profile, profiling the operands, and reading and
 * writing profile documents.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cli.h"
#include "memcap.h"
#include "profile_par.h"

void
cli_profile_opts_init(struct cli_profile_opts *o)
{
	memset(o, 0, sizeof *o);
	o->seed = PREP_PROFILE_DEFAULT_SEED;
}

int
cli_profile_option(struct cli *c, struct cli_profile_opts *o, int opt,
		   const char *arg)
{
	switch (opt) {
	case 'g':
		o->groups = arg;
		return 1;
	case 'y':
		o->label = arg;
		return 1;
	case 'p':
		o->pred = arg;
		return 1;
	case CLI_OPT_POSITIVE:
		o->positive = arg;
		return 1;
	case CLI_OPT_COLUMNS:
		o->columns = arg;
		return 1;
	case CLI_OPT_MAX_DISTINCT:
		o->max_distinct = (size_t)cli_parse_count(
		    c, "--max-distinct", arg, 1, PREP_PROFILE_MAX_MAX_DISTINCT);
		return 1;
	case CLI_OPT_MAX_GROUPS:
		o->max_groups = (size_t)cli_parse_count(
		    c, "--max-groups", arg, 1, PREP_PROFILE_MAX_MAX_GROUPS);
		return 1;
	case CLI_OPT_KLL_K:
		o->kll_k = (uint32_t)cli_parse_count(
		    c, "--kll-k", arg, PREP_KLL_MIN_K, PREP_KLL_MAX_K);
		return 1;
	case CLI_OPT_SEED:
		o->seed = cli_parse_count(c, "--seed", arg, 0, INT64_MAX);
		return 1;
	default:
		return 0;
	}
}

void
cli_profile_check(struct cli *c, const struct cli_profile_opts *o)
{
	if (o->groups == NULL && (o->label || o->pred || o->positive))
		cli_usage_error(c, "-y, -p and --positive need -g");
	if (o->groups && (o->label == NULL || o->positive == NULL))
		cli_usage_error(c, "-g needs -y LABEL and --positive V");
}

void
cli_profile_fatal(struct cli *c, prep_status st)
{
	if (st == PREP_ERR_LIMIT)
		cli_fatal(c, "more groups than --max-groups");
	cli_fatal_status(c, st, "the profile");
}

/* A usage error when a list names a column twice. */
static void
twice(struct cli *c, const char *opt, const size_t *idx, size_t n, size_t ncols)
{
	unsigned char *k = cli_column_counts(c, idx, n, ncols);
	char num[PREP_COLUMNS_LABEL_SIZE];
	prep_field name;
	size_t i;

	for (i = 0; i < n; i++)
		if (k[idx[i]] > 1) {
			name = cli_column_label(c, idx[i], num);
			free(k);
			cli_usage_error(c, "%s names column '%.*s' twice", opt,
					(int)name.len, name.data);
		}
	free(k);
}

static int
col_cmp(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return (x > y) - (x < y);
}

/* A piece written: merge its profile, then --progress. */
struct piece_hook {
	struct cli *c;
	prep_par_job job;
};

static void
piece_written(void *arg, uint64_t piece, uint64_t rows)
{
	struct piece_hook *h = arg;
	struct cli *c = h->c;

	h->job.piece(h->job.arg, piece, rows);
	if (c->progress && prep_reader_rows(c->reader) >= c->next_tick) {
		c->next_tick = prep_reader_rows(c->reader) + 4096;
		if (cli_now() - c->last_report >= 1.0)
			cli_progress(c, 0);
	}
}

/*
 * Profile the records of c's reader piece by piece (profile_par.h), on
 * -j threads or one alike: through the engine on one thread too, so
 * that the pieces, and so the profile, are the same. With --lazy-quotes
 * no piece can be cut: the input is one piece, read on one thread.
 */
static prep_profile *
profile_rows(struct cli *c, const struct cli_profile_opts *o,
	     const prep_profile *like)
{
	struct piece_hook hook;
	prep_profile_par *pp;
	prep_par_job job;
	prep_par_result res;
	void *const *ctx;
	prep_profile *p;
	prep_where w;
	prep_status st;
	int ours;

	if ((st = prep_profile_par_new(like, c->threads, &pp)) != PREP_OK)
		cli_profile_fatal(c, st);
	prep_profile_par_job(pp, &hook.job, &ctx);
	if (prep_reader_options(c->reader)->lazy_quotes) {
		st = cli_run_rows(c, NULL, &hook.job, ctx, &res);
	} else {
		hook.c = c;
		job = hook.job;
		job.piece = piece_written;
		job.arg = &hook;
		c->run_ctx = ctx;
		st = prep_par_run(c->reader, NULL, c->threads, &job, ctx, &res);
	}
	st = prep_profile_par_end(pp, st, &res, &p, &w, &ours);
	prep_profile_par_free(pp);
	if (st == PREP_OK)
		return p;
	if (!ours && st == PREP_ERR_NOMEM)
		cli_fatal(c, "out of memory");
	if (!ours)
		cli_reader_fatal_at(c, st, res.where, res.fields);
	if (st == PREP_ERR_LIMIT && w.file != NULL)
		cli_fatal_at(c, w, "more than %zu groups (--max-groups)",
			     o->max_groups
				 ? o->max_groups
				 : (size_t)PREP_PROFILE_DEFAULT_MAX_GROUPS);
	if (st == PREP_ERR_RANGE && w.file != NULL)
		cli_fatal_at(c, w,
			     "numbers too far apart for a double's variance");
	cli_profile_fatal(c, st);
}

prep_profile *
cli_profile_csv(struct cli *c, const struct cli_profile_opts *o, int nfiles,
		char **files)
{
	prep_profile_params pp;
	prep_profile *like, *p;
	prep_status st;
	size_t ncols;

	cli_open_input(c, nfiles, files);
	memset(&pp, 0, sizeof pp);
	pp.names = prep_reader_header(c->reader, &ncols);
	pp.ncolumns = ncols;
	if (pp.names != NULL)
		cli_unique_names(c);
	if (o->columns) {
		/* in header order, whatever the order of the list */
		pp.cols = cli_columns(c, "--columns", o->columns, &pp.ncols);
		twice(c, "--columns", pp.cols, pp.ncols, ncols);
		qsort((size_t *)pp.cols, pp.ncols, sizeof *pp.cols, col_cmp);
	}
	if (o->groups) {
		pp.groups = cli_columns(c, "-g", o->groups, &pp.ngroups);
		twice(c, "-g", pp.groups, pp.ngroups, ncols);
		pp.label = cli_column(c, "-y", o->label);
		pp.pred = o->pred ? (long)cli_column(c, "-p", o->pred) : -1;
		pp.positive = o->positive;
		pp.positive_len = strlen(o->positive);
	}
	pp.missing = c->missing;
	pp.max_distinct = o->max_distinct;
	pp.max_groups = o->max_groups;
	pp.kll_k = o->kll_k;
	pp.seed = o->seed;
	st = prep_profile_new(&pp, &like);
	free((size_t *)pp.cols);
	free((size_t *)pp.groups);
	if (st != PREP_OK)
		cli_profile_fatal(c, st);
	p = profile_rows(c, o, like);
	prep_profile_free(like);
	cli_progress_end(c);
	cli_close_input(c);
	return p;
}

prep_profile *
cli_profile_load(struct cli *c, const char *path)
{
	prep_profile_error e;
	prep_profile *p;
	prep_status st;
	prep_buf b;

	cli_read_document(c, path, "profile", PREP_PROFILE_MAX_BYTES, &b);
	cli_audit_input_file(c, path);
	st = prep_profile_parse(b.data ? b.data : "", b.len, &p, &e);
	prep_buf_free(&b);
	if (st == PREP_OK)
		return p;
	if (st != PREP_ERR_VALUE && st != PREP_ERR_LIMIT)
		cli_fatal_status(c, st, path);
	cli_document_fatal(c, path, "profile", e.line, e.column, e.version,
			   PREP_PROFILE_VERSION, e.text);
}

int
cli_profile_is_partial(struct cli *c, const char *path)
{
	const json_t *f;
	struct stat sb;
	json_t *doc;
	prep_buf b;
	int is;

	/* --merge reads partials from files only (cli_partials_load) */
	if (strcmp(path, "-") == 0 || stat(path, &sb) != 0 ||
	    !S_ISREG(sb.st_mode))
		return 0;
	cli_read_document(c, path, "partial", PREP_PARTIAL_MAX_BYTES, &b);
	doc = json_loadb(b.data ? b.data : "", b.len, 0, NULL);
	prep_buf_free(&b);
	f = json_object_get(doc, "format");
	is = json_is_string(f) &&
	     strcmp(json_string_value(f), "prep-partial") == 0;
	json_decref(doc);
	return is;
}

int
cli_profile_is_json(struct cli *c, const char *path)
{
	struct stat sb;
	gzFile z;
	int ch, fd;

	/* a pipe can't be read twice: only regular files may be profiles */
	if (strcmp(path, "-") == 0 || stat(path, &sb) != 0 ||
	    !S_ISREG(sb.st_mode))
		return 0;
	if ((fd = open(path, O_RDONLY)) < 0)
		cli_fatal(c, "%s: %s", path, strerror(errno));
	if ((z = gzdopen(fd, "rb")) == NULL)
		cli_fatal(c, "out of memory");
	do
		ch = gzgetc(z);
	while (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r');
	(void)gzclose(z); /* read only */
	return ch == '{';
}

static prep_status
put_raw(void *ctx, const char *s, size_t n)
{
	return prep_writer_raw(ctx, s, n);
}

void
cli_profile_write(struct cli *c, const prep_profile *p)
{
	prep_status st;

	cli_open_report(c);
	st = prep_profile_write(p, put_raw, c->writer);
	if (st == PREP_ERR_NOMEM)
		cli_fatal(c, "out of memory");
	cli_write_check(c, st);
	cli_finish(c);
}
