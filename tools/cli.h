/*
 * cli.h: what every filter's front end shares.
 *
 * The common options of prep(7), Command line (parsed here, once),
 * messages in the form "TOOL: FILE:LINE: what is wrong" that never carry
 * a cell's value, exit codes, the input reader over the operands, the
 * atomic output and its clean-up on failure or on SIGINT/SIGTERM, and
 * --progress.
 */
#ifndef PREP_CLI_H
#define PREP_CLI_H

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdint.h>

#include "buf.h"
#include "classes.h"
#include "classes_state.h"
#include "columns.h"
#include "csv.h"
#include "kanon.h"
#include "keys.h"
#include "missing.h"
#include "outfile.h"
#include "par.h"
#include "partial.h"
#include "profile.h"
#include "spool.h"

#define EXIT_CHECK_FAILED 1
#define EXIT_TROUBLE 2

/* Codes of the long-only common options (above every short option). */
enum {
	CLI_OPT_CRLF = 0x1000,
	CLI_OPT_LAZY_QUOTES,
	CLI_OPT_MAX_FIELD,
	CLI_OPT_PROGRESS,
	CLI_OPT_ALLOW_EMPTY,
	CLI_OPT_MISSING,
	CLI_OPT_MAX_MEMORY,
	CLI_OPT_AUDIT,
	CLI_OPT_AUDIT_GROUPS,
	CLI_OPT_PART,
	CLI_OPT_PART_BY,
	CLI_OPT_LDIV = 0x1080, /* the privacy checks (cli_checks.c) */
	CLI_OPT_C,
	CLI_OPT_MAX_CLASSES,
	CLI_OPT_POSITIVE = 0x10c0, /* profiles (cli_profile.c) */
	CLI_OPT_COLUMNS,
	CLI_OPT_MAX_DISTINCT,
	CLI_OPT_KLL_K,
	CLI_OPT_SEED,
	CLI_OPT_MAX_GROUPS,
	CLI_OPT_TOOL_BASE = 0x1100 /* tools number their own from here */
};

/* Short options every filter takes; append a tool's own after them. */
#define CLI_COMMON_SHORTOPTS "hVo:zd:Hqj:"

/* The common long options, to be listed first in a tool's table. */
/* clang-format off */
#define CLI_COMMON_LONGOPTS                                                  \
	{"help", no_argument, NULL, 'h'},                                    \
	{"version", no_argument, NULL, 'V'},                                 \
	{"output", required_argument, NULL, 'o'},                            \
	{"gzip", no_argument, NULL, 'z'},                                    \
	{"delimiter", required_argument, NULL, 'd'},                         \
	{"no-header", no_argument, NULL, 'H'},                               \
	{"quiet", no_argument, NULL, 'q'},                                   \
	{"crlf", no_argument, NULL, CLI_OPT_CRLF},                           \
	{"lazy-quotes", no_argument, NULL, CLI_OPT_LAZY_QUOTES},             \
	{"max-field", required_argument, NULL, CLI_OPT_MAX_FIELD},           \
	{"max-memory", required_argument, NULL, CLI_OPT_MAX_MEMORY},         \
	{"progress", no_argument, NULL, CLI_OPT_PROGRESS},                   \
	{"allow-empty", no_argument, NULL, CLI_OPT_ALLOW_EMPTY},             \
	{"missing", required_argument, NULL, CLI_OPT_MISSING},               \
	{"audit", required_argument, NULL, CLI_OPT_AUDIT},                   \
	{"audit-groups", no_argument, NULL, CLI_OPT_AUDIT_GROUPS},          \
	{"part", required_argument, NULL, CLI_OPT_PART},                     \
	{"part-by", required_argument, NULL, CLI_OPT_PART_BY},              \
	{"threads", required_argument, NULL, 'j'}
/* clang-format on */

/*
 * Usage lines of the common options, for each tool's --help: CLI_HELP_IO,
 * then the -q line (kcheck, whose -q names columns, writes its own), then
 * CLI_HELP_END.
 */
#define CLI_HELP_IO                                                            \
	"  -o, --output FILE   write to FILE (atomically) instead of stdout\n" \
	"  -z, --gzip          gzip the output (also when FILE ends in .gz)\n" \
	"  -d, --delimiter C   field delimiter: one byte, or 'tab'\n"          \
	"  -H, --no-header     no header record; columns are numbered\n"       \
	"      --crlf          end output records with CRLF\n"                 \
	"      --lazy-quotes   accept quotes inside unquoted fields\n"         \
	"      --max-field N   longest field accepted, bytes (default 1 "      \
	"MiB)\n"                                                               \
	"      --max-memory N  bytes the in-memory tables may hold (default "  \
	"2G)\n"                                                                \
	"      --allow-empty   an empty input (no header) is not an error\n"   \
	"      --missing LIST  values that mean missing (default: the empty "  \
	"cell)\n"
#define CLI_HELP_QUIET "  -q, --quiet         no warnings\n"
#define CLI_HELP_END                                                               \
	"  -j, --threads N     N threads (also PREP_THREADS; 0: every CPU; "       \
	"default 1)\n"                                                             \
	"      --part I/N      read only part I of N of the file (bytes)\n"        \
	"      --part-by COL   with --part: the rows whose COL hashes to part I\n" \
	"      --audit FILE    append a record of the run to FILE (also "          \
	"PREP_AUDIT)\n"                                                            \
	"      --audit-groups  name groups by their values in the record\n"        \
	"      --progress      progress on stderr (also PREP_PROGRESS=1)\n"        \
	"  -h, --help          this help\n"                                        \
	"  -V, --version       version\n"
#define CLI_COMMON_HELP CLI_HELP_IO CLI_HELP_QUIET CLI_HELP_END

struct cli {
	const char *prog;
	void (*usage)(void); /* prints --help text on stdout */
	prep_csv_options csv;
	const char *output;
	int gzip;
	int crlf;
	int quiet;
	int progress;
	int verbose; /* -v: the tool says more (set by tools that have it) */
	int allow_empty;       /* --allow-empty */
	prep_missing *missing; /* --missing; NULL: the empty cell */
	int names_unique;      /* the header's names were found distinct */
	int sha256; /* the output's writer keeps a SHA-256 (validate) */
	unsigned char digest[32]; /* ... of the bytes written, by cli_finish */
	char *report_text;	  /* cli_report_begin's memory stream */
	size_t report_len;

	/* -j N, --threads N, PREP_THREADS (0 given: the online CPUs) */
	unsigned threads;
	/* the workers' contexts of the run in progress (cli_run_rows):
	 * what a failure that ends the run leaves is still reachable */
	void *const *run_ctx;
	/* --part I/N (part_i 0: the whole input) and --part-by COLUMN */
	unsigned long part_i, part_n;
	const char *part_by;
	/* the output is a report of the run (JSON, text, a table of
	 * figures), whole in every part: its header is never dropped */
	int report;

	const char *audit_path; /* --audit or PREP_AUDIT; NULL: none */
	int audit_groups;	/* --audit-groups: groups named by value */
	struct prep_audit *audit;
	const void *audited; /* the reader whose inputs are recorded */
	char **in_files;     /* the operands of cli_open_input */
	int in_n;

	prep_reader *reader;
	prep_outfile *out;
	prep_writer *writer;

	uint64_t next_tick;
	double start;
	double last_report;
	int progress_ended;
};

/*
 * Side output files beside the output (validate's rejects and manifest):
 * written to a temporary file and renamed into place by cli_side_commit,
 * removed, like the output's, on a failure or a signal.
 */
#define CLI_MAX_SIDES 3
/* 1 if a file name ends in .gz (its output is gzip-compressed). */
int cli_gz_name(const char *s);
/* 1 if the output is gzip-compressed (-z, or -o FILE.gz). */
int cli_output_gzip(const struct cli *c);
prep_outfile *cli_side_open(struct cli *c, const char *path);
void cli_side_commit(struct cli *c, prep_outfile *f, const char *path);
/* Remove a side file's temporary file: it is not put in place. */
void cli_side_abort(struct cli *c, prep_outfile *f);
/*
 * A usage error (exit 2) when PATH, the file of option OPT, is the file
 * of -o or of an earlier call (prep_outfile_same): one file can't be two
 * outputs. Call it after the options are parsed.
 */
void cli_output_distinct(struct cli *c, const char *opt, const char *path);

/*
 * A report as the data of -r: print it to the stream cli_report_begin
 * returns; cli_report_end writes it to the output (stdout or -o FILE,
 * atomically) and finishes the output (cli_finish).
 */
FILE *cli_report_begin(struct cli *c);
void cli_report_end(struct cli *c, FILE *f);

/* Name the tool, install signal handlers, read PREP_PROGRESS. */
void cli_init(struct cli *c, const char *prog, void (*usage)(void));

/* Handle one common option; 0 when opt is not one of them. */
int cli_common_option(struct cli *c, int opt, const char *arg);

/* Messages. Each exits 2 after removing any temporary output. */
void cli_usage_error(struct cli *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3), noreturn));
void cli_fatal(struct cli *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3), noreturn));
/* "TOOL: FILE:LINE: [field N (NAME): ]what"; w.line 0 omits the line. */
void cli_fatal_at(struct cli *c, prep_where w, const char *fmt, ...)
    __attribute__((format(printf, 3, 4), noreturn));
/*
 * "TOOL: FILE:LINE: field N (NAME): what" for column col of the current
 * record (NAME omitted without a header); exits 2.
 */
void cli_fatal_cell(struct cli *c, size_t col, const char *what)
    __attribute__((noreturn));
/* The same for the record at w. */
void cli_fatal_cell_at(struct cli *c, prep_where w, size_t col,
		       const char *what) __attribute__((noreturn));
void cli_warn(struct cli *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* A library status that ended the run: message and exit 2. */
void cli_fatal_status(struct cli *c, prep_status st, const char *what)
    __attribute__((noreturn));

/*
 * The operands a reader is about to open (for the audit record, which
 * names them, and asks the reader for their digests; and for --part,
 * cli_part_check): cli_open_input calls it; a tool that opens its reader
 * itself calls it first.
 */
void cli_input_operands(struct cli *c, int nfiles, char **files);
/*
 * Open the operands (none: stdin) as one CSV stream; exits 2 on error,
 * and on an empty input (no header, no record) unless --allow-empty.
 * Under -v, says which delimiter was chosen when it was not given and is
 * not a comma; warns when the header is one column that holds a tab, ';'
 * or '|' (the delimiter is probably wrong).
 */
void cli_open_input(struct cli *c, int nfiles, char **files);
/* What cli_open_input says of the delimiter, for a tool that opens its
 * reader itself (validate). */
void cli_check_delimiter(struct cli *c);

/* 1 when a cell is one of --missing's values (default: empty). */
static inline int
cli_is_missing(const struct cli *c, const prep_field *f)
{
	return prep_missing_is(c->missing, f->data, f->len);
}

/* Next record or NULL at the end; exits 2 with the place on error. */
const prep_field *cli_next_row(struct cli *c, size_t *n);
/* Exit 2 with the message of a reader status and its place. */
void cli_reader_fatal(struct cli *c, prep_status st) __attribute__((noreturn));
/* The same for a record at w with nf fields (another reader's). */
void cli_reader_fatal_at(struct cli *c, prep_status st, prep_where w, size_t nf)
    __attribute__((noreturn));
/*
 * Every record left, through job's row function on c->threads threads
 * (par.h; one without them: -j 1, or --lazy-quotes, whose quotes can't
 * be counted): ctx[0..threads) the workers' contexts, output to out (or
 * NULL). A reader's failure exits 2 as cli_next_row's; a row function's
 * (res->by_row), the output writer's (res->by_output) or the job's
 * ordered function's (res->by_ordered) is returned, with its place in
 * res, after the output before it. On one thread, a job with an ordered
 * function has its records' side buffer handed to ordered a batch of
 * records at a time, and before any failure is reported (par.h's
 * prep_par_sided).
 */
prep_status cli_run_rows(struct cli *c, prep_writer *out,
			 const prep_par_job *job, void *const *ctx,
			 prep_par_result *res);
/* Does cli_run_rows_of(c, r, ...) run on threads (par.h)? */
int cli_run_threaded(const struct cli *c, const prep_reader *r);
/* The same over the records of another reader (a spool's). */
prep_status cli_run_rows_of(struct cli *c, prep_reader *r, prep_writer *out,
			    const prep_par_job *job, void *const *ctx,
			    prep_par_result *res);
/* Parse a thread count (-j, PREP_THREADS: opt names it) into c->threads. */
void cli_threads(struct cli *c, const char *opt, const char *arg);

/* The final --progress line, once (cli_finish calls it too). */
void cli_progress_end(struct cli *c);

/*
 * Resolve a column list of option opt against the input's header; an
 * unknown column is a usage error naming it, the closest name and the
 * header's columns. The array is malloc'd.
 */
size_t *cli_columns(struct cli *c, const char *opt, const char *list,
		    size_t *n);

/*
 * How often each column 0..ncols-1 appears in idx[0..n) (0, 1, or 2 for
 * more), in one pass: for "named twice" checks of long column lists.
 * Free the result.
 */
unsigned char *cli_column_counts(struct cli *c, const size_t *idx, size_t n,
				 size_t ncols);
/*
 * Exit 2 naming the name and both fields when the header holds a
 * non-blank name twice: a column list that names columns must never
 * silently mean the first of several. cli_columns calls it whenever a
 * list names a column; columns given by number need no unique names.
 */
void cli_unique_names(struct cli *c);

/*
 * The message for an unknown column item[0..len) of what (an option or a
 * policy line) into buf: "WHAT: unknown column 'X' (did you mean 'Y'?);
 * the columns are: A, B, ..." (names of columns are not personal data;
 * a long header is cut short). With quote 0 the item is not shown (it
 * comes from a file, which may not be what it was given as): "WHAT:
 * unknown column (did you mean 'Y'?); ...".
 */
void cli_unknown_column_text(struct cli *c, char *buf, size_t n,
			     const char *what, const char *item, size_t len,
			     int quote);

/* The same for an option that names exactly one column. */
/*
 * Column col's name for a message or a report: its header field, or
 * without a header its 1-based number, written into number.
 */
prep_field cli_column_label(struct cli *c, size_t col,
			    char number[PREP_COLUMNS_LABEL_SIZE]);
size_t cli_column(struct cli *c, const char *opt, const char *name);

/*
 * Open -o (or stdout) and a writer with the input's delimiter. Under
 * --part I/N with I > 1, unless c->report is set, the writer drops the
 * header (cli_part_drops_header): the output is the input's rows, and
 * the parts' outputs end to end are the whole run's.
 */
void cli_open_output(struct cli *c);
/* The same for a report of the run (c->report): its header is written
 * in every part. */
void cli_open_report(struct cli *c);
/* 1 when the run's tables of rows carry no header: --part I/N, I > 1,
 * and an input with a header (a side output of rows, validate's
 * rejects, drops it with prep_writer_skip_header). */
int cli_part_drops_header(const struct cli *c);
/*
 * --part and --part-by (prep(7), Scale-out) for the operands given to
 * cli_input_operands: the refusals (usage errors: --part-by without
 * --part; --part on the standard input, on more than one file, on a file
 * that is not regular or is gzip-compressed, with --lazy-quotes) and the
 * reader's options. cli_input_operands calls it.
 */
void cli_part_check(struct cli *c, int nfiles, char **files);
/* --part-by's column on the open reader (a usage error naming an unknown
 * column); a no-op without --part-by or with no columns (an empty input).
 * cli_open_input calls it; a tool that opens its reader itself calls it
 * after. */
void cli_part_by_apply(struct cli *c);
/* Write failures end the run here (quietly for a closed pipe). */
void cli_write_check(struct cli *c, prep_status st);
/*
 * A message that is neither a warning nor an error, "TOOL: what" on
 * stderr (a gate's verdict, a count of what was done), unless -q.
 */
void cli_note(struct cli *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* The same whatever -q says: what an option such as -v asked for. */
void cli_info(struct cli *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* "TOOL: warning: what" on stderr, even under -q. */
void cli_warn_always(struct cli *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/*
 * "TOOL: what" on stderr, then exit 1 (a check failed: a privacy budget
 * refused) after removing any temporary output.
 */
void cli_check_failed(struct cli *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3), noreturn));
/* Flush, fsync, rename; free the reader; exits 2 on failure. */
void cli_finish(struct cli *c);

/*
 * A spool for two-pass filters (spool.h) in the output's dialect: the
 * input's delimiter, -o's line ends. flags as spool.h's; PREP_SPOOL_SHA256
 * (for a spool the filter will likely copy out whole with cli_spool_copy)
 * is dropped when the output is not hashed (no --audit, no manifest) or
 * compressed. Exits 2 when no spool can be made.
 */
prep_spool *cli_spool_new(struct cli *c, int flags);
/*
 * Exit 2 when a write to the spool failed: a full TMPDIR (ENOSPC, EDQUOT,
 * EFBIG) is named as such, "no space left in TMPDIR (DIR) for the spool".
 */
void cli_spool_check(struct cli *c, prep_status st);
/* End the spool's writing and copy it, as it is, to the output. */
void cli_spool_copy(struct cli *c, prep_spool *s);
/*
 * End the spool's writing and read it back as records, with the input's
 * options (its header, if it has one, is the spool's first record).
 */
prep_reader *cli_spool_reader(struct cli *c, prep_spool *s);

/*
 * The key of a filter that needs one, from the key file at path; source
 * says where path came from ("--key-file", "PREP_KEY_FILE") for the
 * message when path is not shown (prep_keys_path_shown). Before the file
 * is read the process is made non-dumpable and its core size limit 0,
 * so that neither a core dump nor a debugger of the same user can get
 * what is derived from the key, now or later in the run. Warns (unless
 * -q) of a key file that group or others may read or write, or that
 * another user owns; exits 2 on a key that can't be had (prep_keys_load).
 * Free the keys as soon as what uses them holds its own state.
 */
prep_keys *cli_load_key(struct cli *c, const char *path, const char *source);

/* A whole number from lo to hi for option opt (no sign), or a usage
 * error. */
uint64_t cli_parse_count(struct cli *c, const char *opt, const char *arg,
			 uint64_t lo, uint64_t hi);
/* A number from lo to hi for option opt, or a usage error. */
double cli_parse_real(struct cli *c, const char *opt, const char *arg,
		      double lo, double hi);

/*
 * Parse a size such as 1048576, 512K or 1M (K, M, G: units of 1024,
 * 1024^2, 1024^3 bytes), from 1 byte to 16G; 0 for anything else.
 */
int cli_parse_size(const char *s, size_t *v);
/* As cli_parse_size, up to max bytes. */
int cli_parse_size_max(const char *s, unsigned long long max, size_t *v);

/* --progress: the time now (monotonic, s), and the progress line (final:
 * ended by a newline). */
double cli_now(void);
void cli_progress(struct cli *c, int final);

/*
 * The privacy checks of kcheck and kanon (cli_checks.c): -q/--quasi QIS,
 * -k K, -s/--sensitive COL, -l L, --ldiv V, --c C, -t T, with kcheck's
 * definitions (kanon.h). "q:k:s:l:t:" go in the short options (-q takes
 * the columns; --quiet stays quiet), CLI_CHECK_LONGOPTS in the long ones,
 * CLI_HELP_CHECKS in --help.
 */
struct cli_checks {
	prep_kanon_params p;
	const char *qis;      /* -q, --quasi */
	const char *sens;     /* -s, or NULL */
	int c_given;	      /* --c */
	uint64_t max_classes; /* --max-classes */
};

/* clang-format off */
#define CLI_CHECK_LONGOPTS \
	{"quasi", required_argument, NULL, 'Q'}, \
	{"sensitive", required_argument, NULL, 's'}, \
	{"ldiv", required_argument, NULL, CLI_OPT_LDIV}, \
	{"c", required_argument, NULL, CLI_OPT_C}, \
	{"max-classes", required_argument, NULL, CLI_OPT_MAX_CLASSES}
/* clang-format on */

/* clang-format off */
#define CLI_HELP_CHECKS \
	"  -q, --quasi QIS      quasi-identifier columns (required; -q is not quiet)\n" \
	"  -k K                 smallest class allowed (default 2)\n" \
	"  -s, --sensitive COL  sensitive column, for -l and -t\n" \
	"  -l L                 l-diversity of COL in every class\n" \
	"      --ldiv VARIANT   distinct (default), entropy or recursive\n" \
	"      --c C            c of recursive (c,l)-diversity (default 1)\n" \
	"  -t T                 t-closeness: distance to the whole table <= T\n"
/* clang-format on */

/* Defaults: prep_kanon_params_init. */
void cli_checks_init(struct cli_checks *k);

/*
 * opt (with its argument) when it is one of the checks' options: 1, else
 * 0. -q with an argument that names an existing file is refused (the user
 * meant quiet); -q without one (--quiet) is left to the caller.
 */
int cli_check_option(struct cli *c, struct cli_checks *k, int opt,
		     const char *arg);

/* The rules between the checks' options (kcheck(1), OPTIONS). */
void cli_check_combinations(struct cli *c, const struct cli_checks *k);

/*
 * The quasi-identifiers' and the sensitive column's indexes in the open
 * input's header (*si -1 without -s): free *qi.
 */
/*
 * Every row of the open input into classes, and into spool (header
 * first) unless it is NULL, each row given to check(row, ctx, &col)
 * first when check is not NULL: it returns NULL, or what is wrong with
 * column col (exit 2 with the place); past --max-classes (max_classes),
 * the message and exit 2. The row function encodes the rows' keys
 * (prep_classes_encode_at) and par.h's ordered stage counts them in
 * input order (prep_classes_add_encoded_at, prefetching ahead), a piece
 * at a time on -j N threads, a batch of rows at a time on one: the same
 * ids, counts and failures whatever N. The spool is finished.
 */
void cli_classes_read(struct cli *c, prep_classes *classes,
		      uint64_t max_classes, prep_spool *spool,
		      const char *(*check)(const prep_field *row, void *ctx,
					   size_t *col),
		      void *ctx);

void cli_check_columns(struct cli *c, const struct cli_checks *k, size_t **qi,
		       size_t *nqi, long *si);

/*
 * The checks of report r (made with p) into the audit record (nothing
 * without --audit), in this order: the gates k (observed the smallest
 * class released, threshold p->k), l (l_min, p->l) only with -l, t
 * (t_max, p->t) only with -t, suppressed_share (suppressed rows over the
 * input's, p->max_suppress) only when suppress_gate is set; then the
 * figures rows, classes, violating_classes, suppressed_rows,
 * risk.prosecutor_max, risk.prosecutor_avg, risk.records_at_risk,
 * risk.sample_uniqueness and classes_of_size:S (prep_kanon_size_bins:
 * "1" .. "31", then "32-63", "64-127", ...). A gate passed as r judged
 * it, or failed whatever r says when no_solution is set (kanon found no
 * release: every gate failed, with the best figures known).
 */
void cli_checks_audit(struct cli *c, const prep_kanon_params *p,
		      const prep_kanon_report *r, int suppress_gate,
		      int no_solution);

/*
 * Partials of the checks (cli_checks.c; kcheck and kanon --levels:
 * --partial, --merge, --state, man5/prep-partial.5).
 */
/*
 * The options object of the checks as the command line gave them:
 * quasi and sensitive (the column lists as given, sensitive null without
 * -s), k, l, ldiv, c (null unless -l, c unless recursive), t (null
 * without -t), no_header (-H). The filter adds its own.
 */
json_t *cli_checks_options(struct cli *c, const struct cli_checks *k);
/*
 * The names of the input's columns qi[0 .. nqi) and si (-1: none), as
 * the header gives them (numbers under -H), for a state: malloc'd
 * copies (prep_classes_names_free); no names at all (qi NULL) for an
 * input without a header (--allow-empty).
 */
void cli_checks_names(struct cli *c, const size_t *qi, size_t nqi, long si,
		      prep_classes_names *names);
/* The same columns (1), or not (0); names of no header match any. */
int cli_checks_same_names(const prep_classes_names *a,
			  const prep_classes_names *b);
/*
 * The class table of the partials p[0 .. n) (files[i] their files) added
 * up, in canonical order (prep_classes_state_merge), their columns in
 * *names; exits 2 naming the file for a state that is not one, past
 * max_classes or the memory budget.
 */
prep_classes *cli_checks_merge(struct cli *c, const prep_partial *p,
			       char **files, size_t n, uint64_t max_classes,
			       prep_classes_names *names);
/*
 * --state FILE: the partial in path, made with options, which must be a
 * merged state (part 1/1, what --merge writes); exits 2 otherwise.
 */
prep_partial *cli_state_load(struct cli *c, const char *path,
			     const json_t *options);
/*
 * The state of classes (columns named by names) on the output as this
 * run's partial (its --part) or, with whole, as the partial of the whole
 * input (part 1/1, what --merge writes), and finish; takes options'
 * reference.
 */
void cli_state_write(struct cli *c, json_t *options, prep_classes *classes,
		     const prep_classes_names *names, int whole);

/*
 * Profiles (cli_profile.c): the options that say how a CSV is profiled,
 * shared by profile and drift; reading and writing profile documents.
 * "g:y:p:" go in the short options, CLI_PROFILE_LONGOPTS in the long ones,
 * CLI_HELP_PROFILE in --help.
 */
struct cli_profile_opts {
	const char *columns, *groups, *label, *pred, *positive;
	size_t max_distinct, max_groups;
	uint32_t kll_k;
	uint64_t seed;
};
/* clang-format off */
#define CLI_PROFILE_LONGOPTS                                                  \
	{"group", required_argument, NULL, 'g'},                              \
	{"label", required_argument, NULL, 'y'},                              \
	{"prediction", required_argument, NULL, 'p'},                         \
	{"positive", required_argument, NULL, CLI_OPT_POSITIVE},              \
	{"columns", required_argument, NULL, CLI_OPT_COLUMNS},                \
	{"max-distinct", required_argument, NULL, CLI_OPT_MAX_DISTINCT},      \
	{"kll-k", required_argument, NULL, CLI_OPT_KLL_K},                    \
	{"seed", required_argument, NULL, CLI_OPT_SEED},                      \
	{"max-groups", required_argument, NULL, CLI_OPT_MAX_GROUPS}
/* clang-format on */
#define CLI_HELP_PROFILE                                                        \
	"      --columns COLS    profile only these columns (default: all)\n"   \
	"  -g, --group GROUPS    count label and prediction by these columns\n" \
	"  -y, --label LABEL     label column (with -g)\n"                      \
	"  -p, --prediction PRED prediction column (with -g; optional)\n"       \
	"      --positive V      the positive label and prediction (with -g)\n" \
	"      --max-groups N    most groups counted (default 10000)\n"         \
	"      --max-distinct N  values counted exactly per column (default "   \
	"1000)\n"                                                               \
	"      --kll-k K         quantile sketch size (default 200: rank "      \
	"error 1.33%%)\n"                                                       \
	"      --seed N          seed of the sketches' coins (default 1)\n"

void cli_profile_opts_init(struct cli_profile_opts *o);
/* Handle one of the options above; 0 when opt is not one of them. */
int cli_profile_option(struct cli *c, struct cli_profile_opts *o, int opt,
		       const char *arg);
/* Usage errors of options that go together (-g needs -y and --positive). */
void cli_profile_check(struct cli *c, const struct cli_profile_opts *o);
/*
 * Profile the CSV operands (cli_open_input; none: stdin) as o says,
 * piece by piece on c->threads threads (profile_par.h: the same profile
 * whatever their number); exits 2 on any error, naming the place. The
 * reader is freed after.
 */
prep_profile *cli_profile_csv(struct cli *c, const struct cli_profile_opts *o,
			      int nfiles, char **files);
/*
 * The profile in file path ("-": stdin), plain or gzip; exits 2 naming
 * path (and line and column of a syntax error) for anything that is not
 * a profile of this version, never quoting the file.
 */
prep_profile *cli_profile_load(struct cli *c, const char *path);
/*
 * Is the file a profile: a regular file (plain or gzip) whose first
 * non-blank byte is '{'? Anything else, stdin ("-") and pipes included
 * (which can't be read twice), is CSV. Exits 2 when it can't be opened.
 */
int cli_profile_is_json(struct cli *c, const char *path);
/* 1 when path is a regular file that holds a partial (man5/prep-partial.5,
 * the JSON of any filter's, unchecked), 0 for anything else. */
int cli_profile_is_partial(struct cli *c, const char *path);
/* The profile as JSON on the output (-o, atomically), and finish. */
void cli_profile_write(struct cli *c, const prep_profile *p);

/*
 * Partials of whole-input filters (cli_partial.c, partial.h,
 * man5/prep-partial.5).
 */
/* Write this run's partial (options and state: their references are
 * taken; the part is --part's) to the output, the file -o names made
 * mode 0600, and finish. Exits 2 when it cannot be written. */
void cli_partial_write(struct cli *c, json_t *options, json_t *state);
/*
 * The partials in files[0 .. n) (--merge's operands), each read whole and
 * recorded as an input of the run: exits 2 naming the file (and the line
 * and column of a JSON error) for one that is not a partial of this
 * filter, of another version, fails its checksum, or does not merge with
 * the others or with options (this run's, as the filter would write them;
 * NULL: not compared). Free with cli_partials_free.
 */
prep_partial *cli_partials_load(struct cli *c, char **files, size_t n,
				const json_t *options);
void cli_partials_free(prep_partial *p, size_t n);
/* A usage error when --merge is given --part or --part-by (which split
 * CSV input; --merge reads partials). */
void cli_merge_no_part(struct cli *c);

/*
 * The whole of path ("-": stdin) into b (at most max bytes), gunzipped
 * when it is gzip; exits 2 naming path, and kind when it is too large.
 */
void cli_read_document(struct cli *c, const char *path, const char *kind,
		       size_t max, prep_buf *b);
/*
 * Exit 2 for a JSON document (a profile, a partial) that was refused:
 * "PATH:LINE:COLUMN: why" for a syntax error (line > 0), "PATH: a KIND of
 * version V; this PROG reads version CURRENT" for another version
 * (version >= 0), else "PATH: why".
 */
void cli_document_fatal(struct cli *c, const char *path, const char *kind,
			int line, int column, long long version, int current,
			const char *why) __attribute__((noreturn));
/*
 * The order in which to merge partials p[0 .. n) (cli_partials_load's):
 * those of --part by part, others in the order given, which is taken for
 * the order of the parts in the input. malloc'd.
 */
size_t *cli_partials_order(struct cli *c, const prep_partial *p, size_t n);
/*
 * Exit 2 for a partial's state that its filter's reader refused: path
 * and why (a phrase of the library's that quotes nothing of the state),
 * or the status's message.
 */
void cli_partial_state_error(struct cli *c, const char *path, prep_status st,
			     const char *why) __attribute__((noreturn));
/* Exit 2 with a profile library status's message. */
void cli_profile_fatal(struct cli *c, prep_status st) __attribute__((noreturn));

/*
 * The audit trail (cli_audit.c, prep-audit(5)): with --audit FILE or
 * PREP_AUDIT=FILE, one record of the run is appended to FILE when the
 * process exits, whatever its status: the command line, the datasets
 * read and written with their SHA-256, the exit status, the last
 * message as the reason, the filter's checks.
 */
/* Start recording to path (cli_init and --audit call it). */
void cli_audit_start(struct cli *c, const char *path);
/*
 * Prepare the record a signal would leave (ABORT, prep-audit(5)): again
 * whenever the record changes (cli.c and cli_input.c call it when inputs
 * open and close, and when the output opens and is committed).
 */
void cli_audit_arm(struct cli *c);
/* From a signal handler: append the record prepared, async-signal-safe. */
void cli_audit_signal(int sig);
/* The datasets the reader read (before it is freed). */
void cli_audit_inputs(struct cli *c);
/* Record the inputs (with --audit), free the reader, NULL it. */
void cli_close_input(struct cli *c);
/* A check of the filter, as prep_audit_check (a no-op without --audit). */
void cli_audit_check(struct cli *c, const char *name, double observed,
		     double threshold, int passed);
/* A figure: a number reported, not judged (threshold and passed null). */
void cli_audit_figure(struct cli *c, const char *name, double v);
/* The same with text values (NULL: null). */
void cli_audit_check_text(struct cli *c, const char *name, const char *observed,
			  const char *threshold, int passed);
/*
 * A file that shaped the run (a policy, a schema, a hierarchy; never a
 * key file), named by option, into the record with its SHA-256.
 */
void cli_audit_file(struct cli *c, const char *option, const char *path);
/* An input that is not a table (a profile) read whole from a file. */
void cli_audit_input_file(struct cli *c, const char *path);
/*
 * Is a record being made? Filters skip computing figures only the record
 * needs when it is not.
 */
int cli_audit_on(const struct cli *c);
/*
 * The name of the i-th group (from 0, in the order the filter reports
 * them) in a check's name, prefix then the group: with --audit-groups,
 * its values (the n fields of values, joined with ","), else "#" and
 * i + 1, since group values may be personal data (prep-audit(5),
 * "GROUPS"). malloc'd; exits 2 when out of memory.
 */
char *cli_audit_group(struct cli *c, const char *prefix, size_t i,
		      const prep_field *values, size_t n);
/* The last message printed, the record's reason (cli.c keeps it). */
void cli_audit_message(const char *fmt, va_list ap);

#endif
