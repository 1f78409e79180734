/*
 * lattice.h: global recoding (kanon --method global): the full-domain
 * generalization, one hierarchy level per quasi-identifier for the whole
 * table, that passes every check with the least loss.
 *
 * The nodes of the lattice are the level vectors; a node is more general
 * than another when each of its levels is at least the other's. The
 * result is the exact optimum of the metric over the nodes that pass
 * after suppressing at most F of the rows (recode.h's rule); ties go to
 * the lowest sum of levels, then to the smallest level vector in QI
 * order.
 *
 * The search, after Flash (Kohlmayer, Prasser, Eckert, Kemper, Kuhn,
 * "Flash: efficient, stable and optimal k-anonymity", PASSAT 2012) and
 * Incognito (LeFevre, DeWitt, Ramakrishnan, SIGMOD 2005):
 * - When passing is monotone (k-anonymity and distinct l-diversity, with
 *   or without suppression; any check without suppression), every node's
 *   verdict is found first by binary searches along paths from the
 *   bottom up: a node that passes makes every more general node pass, a
 *   node that fails makes every more specific one fail, so only nodes
 *   near the border between the two have their classes counted.
 * - Then nodes are visited in order of a lower bound of the metric that
 *   grows with generalization, and the search stops once the bound is
 *   past the best found: for loss and gcp the bound is the value without
 *   suppression, known from per-level sums without counting classes (a
 *   suppressed row costs 1, at least what any generalization costs); for
 *   dm it is the sum of the squared class sizes of all classes,
 *   suppressed or not (n per suppressed row is at least its class's size);
 *   for aecs without suppression, aecs itself. Without suppression a
 *   passing node's loss and gcp are the bound itself.
 * - With suppression under k-anonymity and distinct l-diversity, a node
 *   suppresses at least the rows any more general node suppresses, and
 *   each costs n in dm and 1 instead of its share (NCP) in loss (gcp): a
 *   second bound, from the counted nodes above a node, skips it.
 * - A node's classes are counted by rolling up the class table of a more
 *   specific node already counted (a few are kept), or of the data's
 *   distinct tuples, never by reading rows again.
 */
#ifndef PREP_LATTICE_H
#define PREP_LATTICE_H

#include <stdint.h>

#include "recode.h"

#define PREP_LATTICE_MAX_NODES ((uint64_t)10000000)

typedef struct prep_lattice_options {
	prep_recode_metric metric;
	uint64_t max_nodes;   /* 0: PREP_LATTICE_MAX_NODES */
	const size_t *levels; /* apply this node (one level per QI) instead
				 of searching; NULL: search */
	int vectors; /* keep class labels as vectors even when they pack
			into one word (lattice.c): the same result, slower;
			for tests of both layouts */
} prep_lattice_options;

/*
 * The number of nodes of in's lattice into *nodes (saturating at
 * UINT64_MAX). PREP_ERR_ARG when a QI has no hierarchy.
 */
prep_status prep_lattice_nodes(const prep_recode_input *in, uint64_t *nodes);

/*
 * Search (or apply o->levels) and fill r with the chosen node's classes,
 * finished (prep_recode_finish): r->levels its levels, r->nodes_checked
 * the nodes whose classes were counted. *found is 0 when no node passes;
 * r then holds the most general node. Errors: PREP_ERR_ARG (a QI without
 * a hierarchy), PREP_ERR_RANGE (a level of o->levels past its QI's
 * hierarchy), PREP_ERR_LIMIT (more nodes than o->max_nodes),
 * PREP_ERR_NOMEM.
 */
prep_status prep_lattice_search(const prep_recode_input *in,
				const prep_lattice_options *o,
				prep_recode_result *r, int *found);

#endif
