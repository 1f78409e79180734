/*
 * ledger.h: the privacy budget ledger (man5/prep-ledger.5).
 *
 * An append-only text file, one line per release. The first line of a
 * dataset records its budget; a charge that would take the dataset's total
 * epsilon past it, or that names a different budget, is refused and leaves
 * the file unchanged. A charge holds an exclusive flock(2) on the file
 * from reading it to the fsync of the appended line, so concurrent runs
 * are serialized and can't overspend together; the line is on disk before
 * the function returns, so the caller may then release noisy values.
 */
#ifndef PREP_LEDGER_H
#define PREP_LEDGER_H

#include "prep.h"

/*
 * dataset: 1 to 128 bytes of [A-Za-z0-9._:/@+-]; tool: 1 to 64 bytes of
 * [A-Za-z0-9._+-]; budget and epsilon finite and > 0, delta finite and
 * >= 0; args any C string (NULL: empty), written escaped, at most about
 * 1 MiB. Anything else: PREP_ERR_ARG, before the file is touched.
 */
typedef struct prep_ledger_charge {
	const char *dataset; /* name: printable, no spaces */
	double budget;	     /* total epsilon allowed, > 0 */
	double epsilon;	     /* this release, > 0 */
	double delta;	     /* this release, >= 0 */
	const char *tool;    /* e.g. "dpnoise" */
	const char *args;    /* the command line, as one string */
	int seeded;	     /* noise from --seed: not private */
} prep_ledger_charge;

typedef struct prep_ledger_state {
	double budget; /* the dataset's recorded budget (0: unknown) */
	double spent;  /* epsilon charged before this call */
	double delta_spent;
	unsigned long entries; /* lines of this dataset */
	unsigned long seeded;  /* of which marked seeded=1 */
} prep_ledger_state;

/*
 * Charge c to the ledger at path (created 0600 if missing). PREP_OK: the
 * line is durable. PREP_ERR_BUDGET: spent + epsilon > budget (beyond a
 * relative 1e-9). PREP_ERR_BUDGET_CHANGED: the dataset is known with
 * another budget. PREP_ERR_VALUE: the file is not a ledger (*where names
 * the line). PREP_ERR_IO: errno tells. *st (may be NULL) is the state
 * before the charge in every case where the file could be read. A seeded
 * charge (c->seeded non-zero: noise from a known seed, not private) is
 * marked seeded=1 in its entry and counts against the budget like any
 * other; entries without the mark (older ones too) are not seeded.
 *
 * Also: PREP_ERR_ARG (see above; and a NULL or empty path), PREP_ERR_LIMIT
 * (a ledger over 64 MiB), PREP_ERR_VALUE with where->line 0 (path is not
 * a regular file). where (may be NULL) gets file = path and, for
 * PREP_ERR_VALUE, the 1-based line and field (1 time ... 7 args, 8
 * seeded; 0 when the whole line is wrong; PREP_LEDGER_UNENDED, below).
 * Every status but PREP_OK leaves the file as it was, byte for byte (a
 * refused first charge does not leave an empty file behind), except an
 * I/O error after the write, where the line may stay (over-counting).
 *
 * A last line without a newline counts when it is a whole entry (the next
 * charge ends it with a newline). It is a torn line, ignored and cut off
 * by the next PREP_OK charge, only when it is a strict beginning of what a
 * charge writes: on line 1, of "# prep ledger v1"; on a later line, of an
 * entry with single spaces between its fields, numbers as this module
 * writes them and args cut before its closing quote. Any other last line
 * without a newline, a comment or blanks included, is PREP_ERR_VALUE with
 * field PREP_LEDGER_UNENDED: it is never ignored nor removed.
 * Numbers are read and written in the C locale whatever the caller's.
 */
#define PREP_LEDGER_UNENDED 9 /* where->field: see above */

prep_status prep_ledger_charge_run(const char *path,
				   const prep_ledger_charge *c,
				   prep_ledger_state *st, prep_where *where);

/*
 * Read-only: the state of dataset in the ledger at path (shared lock). A
 * missing file is PREP_OK with an all-zero state (and is not created);
 * other statuses as for a charge.
 */
prep_status prep_ledger_query(const char *path, const char *dataset,
			      prep_ledger_state *st, prep_where *where);

/*
 * One entry of a ledger, as prep_ledger_scan reads it: time (20
 * characters and a NUL), dataset and tool (bytes in the text, not
 * NUL-terminated), the numbers, and its 1-based line.
 */
typedef struct prep_ledger_entry {
	char time[21];
	const char *dataset, *tool;
	size_t dataset_len, tool_len;
	double budget, epsilon, delta;
	int seeded;
	unsigned long line;
} prep_ledger_entry;

/* Called for each entry; non-zero stops the scan (PREP_ERR_ARG). */
typedef int (*prep_ledger_visit)(void *ctx, const prep_ledger_entry *e);

/*
 * Read the ledger text[0..len) as a charge reads it (a torn last line
 * counts for nothing) and call visit for each entry in file order.
 * PREP_ERR_VALUE with *where (line, field) as for a charge.
 */
prep_status prep_ledger_scan(const char *text, size_t len,
			     prep_ledger_visit visit, void *ctx,
			     prep_where *where);

/*
 * A run's command line as the args of a charge: argv[0..argc) joined by
 * single spaces, as given (the ledger escapes what needs it when it
 * writes the line). *out is malloc'd; PREP_ERR_NOMEM.
 */
prep_status prep_ledger_args(int argc, char *const *argv, char **out);

/* What a failed ledger call means for the run (prep_ledger_fault_text). */
typedef enum prep_ledger_fault {
	PREP_LEDGER_TROUBLE,   /* any other failure: I/O, memory, ... */
	PREP_LEDGER_REFUSED,   /* the budget refused the charge */
	PREP_LEDGER_NOT_LEDGER /* the file at *where is not a ledger */
} prep_ledger_fault;

/*
 * The message on a status s (not PREP_OK) of prep_ledger_query or
 * prep_ledger_charge_run, for a run that charges c->epsilon (0 for a
 * query) to c->dataset with budget c->budget, given the state *st and
 * the place *where the call returned, into buf (n bytes, cut short if
 * need be; PREP_LEDGER_TEXT_SIZE suffice, as a charge is refused only
 * under a valid name). Numbers in "%g". Returns:
 * - PREP_LEDGER_REFUSED for PREP_ERR_BUDGET, "dataset D: budget B
 *   exhausted (spent S, this run E)" (S: st->spent), and for
 *   PREP_ERR_BUDGET_CHANGED, "dataset D has budget R, not B" (R:
 *   st->budget, the one on record);
 * - PREP_LEDGER_NOT_LEDGER for PREP_ERR_VALUE, what is wrong with the
 *   file at *where: "not a regular file" (where->line 0), "not a ledger
 *   line (a last line without a newline must be a whole entry)" (field
 *   PREP_LEDGER_UNENDED) or "not a ledger line";
 * - PREP_LEDGER_TROUBLE for any other status, with prep_strerror(s).
 */
#define PREP_LEDGER_TEXT_SIZE 256
prep_ledger_fault prep_ledger_fault_text(prep_status s,
					 const prep_ledger_charge *c,
					 const prep_ledger_state *st,
					 const prep_where *where, char *buf,
					 size_t n);

#endif
