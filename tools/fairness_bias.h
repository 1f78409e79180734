/*
 * fairness_bias.h: what fairness.c (the options) and fairness_bias.c
 * (the two modes that look for sources of bias: --population and
 * --proxies) share.
 */
#ifndef FAIRNESS_BIAS_H
#define FAIRNESS_BIAS_H

#include <stddef.h>

#include "cli.h"
#include "fairness_proxies.h"
#include "fairness_repr.h"

/* The run's command line, messages, input and output. */
extern struct cli cli;

/* What the command line asks of the two modes. */
struct bias_opts {
	const char *groups;		/* -g */
	const char *population;		/* --population FILE, or NULL */
	int proxies;			/* --proxies */
	const char *proxy_cols;		/* --proxies=COLS; NULL: every other */
	const char *categorical;	/* --categorical COLS, or NULL */
	size_t max_levels;		/* --max-levels (0: the default) */
	prep_repr_gates repr;		/* --min-representation, --max-tvd */
	const char *min_repr, *max_tvd; /* ... as written */
	prep_proxies_gate proxy;	/* --max-proxy */
	const char *max_proxy;		/* ... as written */
	int json;
};

/*
 * --population and --proxies: from the operands to the finished report,
 * the messages and the audit record; each returns the exit status (0,
 * or 1 when a gate failed) and exits 2 itself on any error.
 */
int run_population(const struct bias_opts *o, int nfiles, char **files);
int run_proxies(const struct bias_opts *o, int nfiles, char **files);

#endif
