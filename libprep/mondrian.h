/*
 * mondrian.h: local recoding (kanon --method local): strict
 * multidimensional partitioning, after Mondrian (LeFevre, DeWitt,
 * Ramakrishnan, "Mondrian multidimensional k-anonymity", ICDE 2006).
 *
 * prep_mondrian partitions the input's tuples (recode.h; all the rows of
 * a tuple stay together, weighed by their count). It starts from one
 * partition holding every tuple and cuts a partition in two along one QI
 * when both sides pass every check the input's parameters ask for, as
 * kcheck judges a class (kanon.h's judge: at least k rows, l-diversity,
 * t-closeness against the sensitive values of the whole input). A
 * partition that no cut leaves with two passing sides is a class. Cuts
 * are strict: a value of the QI cut along goes wholly to one side.
 *
 * Where a QI may be cut. Each QI has an order of its values; a cut
 * puts a prefix of the partition's tuples in that order on the left:
 *
 *  - numeric (every value a number; so even when it has a hierarchy):
 *    numbers ascending; a cut falls between two different numbers and
 *    the values at most the cut go left. Released as "LO-HI", the data
 *    texts of the class's smallest and largest numbers (tight bounds of
 *    what the class holds, not the partition's region), or one text when
 *    they are equal.
 *
 *  - categorical with a hierarchy: the partition's node is the lowest
 *    label over all its values (the whole domain when even the top level
 *    has more than one of their labels). Its values are ordered depth
 *    first below the node: its children, most rows in the partition
 *    first, then within each child its own children the same way, down
 *    to the values (ties in the hierarchy's order: labels in file order,
 *    values by bytes). A cut falls between any two values of that order,
 *    so a side is some whole children of the node plus part of one more
 *    (see refinement 3). Released as the lowest label over all the
 *    class's values (at level 0 the value itself), with in->qi[j].share
 *    and .ncp of that level and label; "*" with share and NCP 1 when no
 *    label holds them all.
 *
 *  - categorical without a hierarchy: two orders, each tried: bytes
 *    ascending, which keeps values sharing a prefix (zip codes, ICD
 *    codes) together; and rows in the partition, most first (ties by
 *    bytes), which lets a frequent value stand alone (refinement 4).
 *    Released as the class's values in byte order joined by '|' (a
 *    value holding '|' makes that text ambiguous to a reader), or "*"
 *    when the class holds every value of the column and there is more
 *    than one; share = values / |D|, NCP = (values - 1) / (|D| - 1), 0
 *    when |D| = 1.
 *
 * Numeric shares (for loss): the column's data values inside LO..HI,
 * over |D| (prep_recode_domain: the hierarchy's rows when the QI has
 * one). The input does not say where a hierarchy's rows that are not in
 * the data fall, so with a hierarchy the share counts data values only.
 *
 * Which cut. Mondrian cuts the QI of widest normalized range at its
 * median. Instead every QI, every order of it and every cut is weighed
 * by the certainty penalty its two sides would release: rows times the
 * sum over QIs of the NCP of their tight release (recode.h's gcp). Of
 * the cuts both of whose sides pass, the two cheapest are looked ahead
 * (refinement 5) and the one whose sides, each cut once more the same
 * way, leave the least wins. Ties go to the cheaper cut, then to the QI
 * first in the input, the order first above, the cut first in that
 * order; nothing is random.
 *
 * Refinements, each measured on Adult (testdata/adult.csv, 30,162 rows,
 * 18,109 distinct tuples of the 8 QIs sex, age, race, marital-status,
 * education, native-country, workclass, occupation, each with its
 * hierarchy, age numeric; k = 10; gcp, no row suppressed):
 *
 *   0. Mondrian's choice: the widest QI (the NCP of the partition's
 *	release), the cut nearest its median row; a hierarchy node's
 *	children in two groups; tight releases:		10.14%
 *   1. every cut of every QI weighed by the NCP it leaves, the cheapest
 *	taken: the top-down greedy partitioning of Xu, Wang, Pei, Wang,
 *	Shi, Fu, "Utility-based anonymization using local recoding", KDD
 *	2006:							 8.87%
 *   2. a hierarchy node's children ordered by their rows, most first,
 *	so that a prefix cut lets the largest stand alone and a suffix
 *	the smallest (in file order instead, with 1:		10.46%)
 *   3. hierarchy cuts between any two values of the depth-first order,
 *	not only between children: a large child can give up part of its
 *	values when the rest of the node is too small to stand alone, and
 *	a side inside one child is released as that child or lower:
 *								 8.35%
 *   4. sets cut along both orders (Adult without the hierarchies of its
 *	7 categorical QIs, with 1-5: bytes alone 5.02%, both 4.13%)
 *   5. one-step lookahead between the two cheapest cuts, as in decision
 *	tree induction (Murthy, Salzberg, "Lookahead and pathology in
 *	decision tree induction", IJCAI 1995); it weighs each partition
 *	three times:						 8.09%
 *   6. classes whose released tuples are equal (two sides of a cut on a
 *	hierarchy may both release its node) are merged: the release is
 *	the same, and its classes are then those kcheck counts. A union
 *	of passing classes passes (sizes add; l-diversity is monotone,
 *	Machanavajjhala et al., ICDE 2006; the distances of t-closeness
 *	are convex in the class's distribution). None on Adult at k = 10.
 * For comparison: a public Python Mondrian (strict) reaches 11.24% on
 * this table, ARX 8.43%. The whole kanon run takes about 0.2 s.
 *
 * Cost: a partition of n tuples costs, per QI and order, a radix sort by
 * rank and two sweeps over its QIs with more than one value (hierarchy
 * nodes found by climbing labels), O(n (d + h)), h the largest height;
 * ranking by rows sorts the partition's distinct labels. The partitions
 * of one level of the partition tree are disjoint, so a level costs
 * O(ntuples d (d + h)) plus those sorts, three times with lookahead.
 * Memory: O(ntuples d) plus the QIs' values and labels; no recursion
 * (pending partitions wait on a stack of at most ntuples).
 *
 * prep_mondrian fills r, which need not be initialized (it calls
 * prep_recode_result_init itself, with the number of classes): class_of
 * for every tuple, classes numbered left side first; release, share and
 * ncp for every class and QI, the texts in r->text, each NUL-terminated.
 * r->levels stays NULL, r->nodes_checked 0. Sizes, suppression and
 * metrics are prep_recode_finish's and prep_recode_metrics'. Errors:
 * PREP_ERR_NOMEM; PREP_ERR_LIMIT with more than 2^32 - 1 tuples or past
 * r->text's cap; PREP_ERR_ARG and PREP_ERR_NOMEM from the judge. On
 * error r is freed (and empty).
 */
#ifndef PREP_MONDRIAN_H
#define PREP_MONDRIAN_H

#include "recode.h"

prep_status prep_mondrian(const prep_recode_input *in, prep_recode_result *r);

#endif
