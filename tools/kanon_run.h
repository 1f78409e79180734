/*
 * kanon_run.h: what the two halves of kanon share: the options as the
 * command line gave them (kanon.c), and the run that reads the input,
 * recodes it and writes the data and the report (kanon_run.c).
 */
#ifndef KANON_RUN_H
#define KANON_RUN_H

#include <stdint.h>

#include "classes.h"
#include "cli.h"
#include "hierarchy.h"
#include "recode.h"

#define MAX_HIERARCHIES 256

/* The run's command line, messages, input and output. */
extern struct cli cli;

/* One --hierarchy COL=FILE. */
struct hier {
	const char *col; /* NUL-terminated copy of COL */
	const char *path;
};

/* The command line, as given. */
struct options {
	struct cli_checks k; /* -q, -k, -s, -l, --ldiv, --c, -t */
	struct hier hier[MAX_HIERARCHIES];
	size_t nhier;
	const char *method; /* NULL: by the hierarchies */
	prep_recode_metric metric;
	const char *mark;   /* --mark-suppressed COL */
	const char *levels; /* --levels */
	uint64_t max_nodes;
	int max_suppress_given; /* --max-suppress: its share is a gate */
	int report_only, verbose, json;
	int partial, merge; /* --partial, --merge */
	const char *state;  /* --state FILE */
};

/* What the pass over the input leaves. */
struct input {
	prep_classes *classes;
	prep_spool *spool; /* the data, unless -r */
	size_t *qi, nqi;
	long mark; /* --mark-suppressed: -1, or the column (when it exists) */
	prep_hierarchy **hier;			 /* [j], NULL: none */
	const char **hier_path;			 /* [j] */
	prep_field *names;			 /* [j]: the QIs' names */
	char (*number)[PREP_COLUMNS_LABEL_SIZE]; /* [j]: names under -H */
	prep_recode_input *rin;
	const prep_classes_names *state_names; /* --merge: the columns */
};

/*
 * Open the input and find its QIs, sensitive column and hierarchies:
 * the sensitive column (-1: none), or -2 for an input without a header
 * (--allow-empty), of which nothing is found.
 */
long kanon_bind_input(const struct options *o, int nfiles, char **files,
		      struct input *in);
/* The tuples of the input, and the input spooled (unless -r). */
void kanon_read_input(const struct options *o, int nfiles, char **files,
		      struct input *in);
/* Room for in->nqi QIs' hierarchies, files, names (zeroed). */
void kanon_input_alloc(struct input *in);
/* COL=FILE's hierarchy, every level; exits 2 saying why not. */
prep_hierarchy *kanon_load_hierarchy(const char *path);
/* Is the recoding global (--method, or a hierarchy for every QI)? */
int kanon_global(const struct options *o, const struct input *in);
/* --levels as the lattice would take them, else a usage error. */
void kanon_check_levels(const struct options *o, const struct input *in);
/* The recoding's input: the tuples, encoded, with their hierarchies. */
void kanon_prepare(const struct options *o, struct input *in);
/* The recodings, each filling r finished; 1 when it passes. */
int kanon_run_global(const struct options *o, struct input *in,
		     prep_recode_result *r);
int kanon_run_local(struct input *in, prep_recode_result *r);
/* The data, QIs released; the report or summary as the options say. */
void kanon_write_data(const struct options *o, const struct input *in,
		      const prep_recode_result *r);
void kanon_report(const struct options *o, const prep_recode_report *rep);
/*
 * The checks in the audit record (nothing without --audit): kcheck's of
 * the release (cli_checks_audit; rep NULL: an empty input, nothing
 * recoded), then kanon's own: method, metric, level:COL (global), loss,
 * dm, aecs, gcp and nodes_checked, as the report gives them.
 */
void kanon_audit(const struct options *o, const struct input *in,
		 const prep_recode_report *rep);
/*
 * The recoding of in's tuples and what follows (start: when the run
 * began, for the report's seconds): the data when it passes (unless -r)
 * or, with state_options, the merged state whatever the verdict (unless
 * -r; its reference is taken), then the report or summary and the audit
 * record. 0 when it passes, else EXIT_CHECK_FAILED.
 */
int kanon_finish(const struct options *o, struct input *in, double start,
		 json_t *state_options);
void kanon_input_free(struct input *in);

/* Partials (kanon_partial.c): --partial, --merge, --state with --levels. */
void kanon_write_partial(const struct options *o, const struct input *in);
int kanon_merge(const struct options *o, int nfiles, char **files,
		double start);
int kanon_state(const struct options *o, int nfiles, char **files,
		double start);

#endif
