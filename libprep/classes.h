/*
 * classes.h: equivalence classes of quasi-identifiers.
 *
 * A class is a distinct tuple of the quasi-identifier fields of a row,
 * compared byte for byte (an empty value is a value). The table keeps one
 * entry per class (its key bytes and row count) and, when asked for, the
 * count of each distinct sensitive value within each class, so memory
 * follows the number of classes and of (class, sensitive value) pairs,
 * never the number of rows. Class ids are dense, 0 .. count-1, in order of
 * first appearance. (classes_state.h writes a table as a partial's state,
 * adds states up, and copies a table into an order of its own.)
 */
#ifndef PREP_CLASSES_H
#define PREP_CLASSES_H

#include <stdint.h>
#include <stddef.h>

#include "buf.h"
#include "prep.h"

/* strset.h's (the key's hash, and where its lookup stands). */
struct prep_strset_pos;

#define PREP_CLASSES_DEFAULT_MAX ((size_t)10000000)

typedef struct prep_classes prep_classes;

/* One sensitive value's count within a class. */
typedef struct prep_class_count {
	size_t value; /* id of the sensitive value, see prep_classes_value */
	uint64_t count;
} prep_class_count;

/*
 * A table for rows whose quasi-identifiers are the fields qi[0..nqi) of
 * each row. sensitive: index of the sensitive column, or -1 for none.
 * max_classes (0: the default) caps classes and distinct sensitive values
 * each; past it prep_classes_add fails with PREP_ERR_LIMIT.
 */
prep_status prep_classes_new(const size_t *qi, size_t nqi, long sensitive,
			     size_t max_classes, prep_classes **out);
void prep_classes_free(prep_classes *c);

/* Count one row; *id (may be NULL) gets its class. */
prep_status prep_classes_add(prep_classes *c, const prep_field *row,
			     size_t *id);
/*
 * A row counted in two steps, for a table filled on one thread from rows
 * read on others (par.h's ordered stage): prep_classes_encode appends the
 * key of row's quasi-identifiers to out, and reads nothing of c but its
 * columns (any thread, any number at once); prep_classes_add_encoded
 * counts a key so made, with the row's sensitive value (NULL, and only
 * NULL, without a sensitive column), as prep_classes_add counts the row.
 * PREP_ERR_LIMIT for a key past PREP_BUF_DEFAULT_MAX (out as it was).
 */
prep_status prep_classes_encode(const prep_classes *c, const prep_field *row,
				prep_buf *out);
prep_status prep_classes_add_encoded(prep_classes *c, const void *key,
				     size_t len, const prep_field *value,
				     size_t *id);
/*
 * The same for a loop over many encoded keys: prep_classes_encode_at
 * also fills *pos with the key's hash (strset.h's fast hash: any thread,
 * while another adds to c), and prep_classes_prefetch, some keys ahead
 * of their prep_classes_add_encoded_at with that pos, asks for where
 * the lookup begins, so that the loads of several lookups overlap.
 */
prep_status prep_classes_encode_at(const prep_classes *c, const prep_field *row,
				   prep_buf *out, struct prep_strset_pos *pos);
void prep_classes_prefetch(const prep_classes *c,
			   const struct prep_strset_pos *pos);
prep_status prep_classes_add_encoded_at(prep_classes *c, const void *key,
					size_t len, struct prep_strset_pos *pos,
					const prep_field *value, size_t *id);

/*
 * The class of a row already counted, or PREP_ERR_NOT_FOUND. The table
 * is const to the caller, but a find encodes the key in the table's own
 * buffer: one thread at a time.
 */
prep_status prep_classes_find(const prep_classes *c, const prep_field *row,
			      size_t *id);

/*
 * Count n >= 1 rows of the class whose quasi-identifier values are
 * key[0..nqi), with sensitive value *value (NULL, and only NULL, without
 * a sensitive column): a class's counts as a state (or another table)
 * holds them. PREP_ERR_ARG for n 0 or a value given or missing wrongly,
 * PREP_ERR_RANGE when a count would pass 2^64 - 1, else as
 * prep_classes_add.
 */
prep_status prep_classes_add_key(prep_classes *c, const prep_field *key,
				 const prep_field *value, uint64_t n,
				 size_t *id);
/* The class of the quasi-identifier values key[0..nqi), or
 * PREP_ERR_NOT_FOUND. */
prep_status prep_classes_find_key(const prep_classes *c, const prep_field *key,
				  size_t *id);

/*
 * The quasi-identifier values of class id into fields[0..nqi): borrowed
 * from c, valid until the next prep_classes_add (not NUL-terminated).
 */
void prep_classes_key(const prep_classes *c, size_t id, prep_field *fields);

/*
 * The key of class id as the table holds it: its values in the tuple
 * encoding of strset.h (prep_tuple_next reads them back). Borrowed.
 */
prep_field prep_classes_key_bytes(const prep_classes *c, size_t id);

/*
 * The layout the table was made with: the quasi-identifiers' fields
 * (prep_classes_nqi of them), the sensitive field (-1: none), the cap.
 */
size_t prep_classes_nqi(const prep_classes *c);
const size_t *prep_classes_qi(const prep_classes *c);
long prep_classes_sensitive(const prep_classes *c);
size_t prep_classes_max(const prep_classes *c);
size_t prep_classes_count(const prep_classes *c);
uint64_t prep_classes_rows(const prep_classes *c);
uint64_t prep_classes_size(const prep_classes *c, size_t id);

/* Was the table made with a sensitive column? */
int prep_classes_has_sensitive(const prep_classes *c);

/* Distinct sensitive values seen, and the bytes of value id v. */
size_t prep_classes_values(const prep_classes *c);
prep_field prep_classes_value(const prep_classes *c, size_t v);

/*
 * The sensitive values of class id with their counts, by value id.
 * Valid until the next prep_classes_add. Empty without a sensitive
 * column.
 */
prep_status prep_classes_dist(prep_classes *c, size_t id,
			      const prep_class_count **counts, size_t *n);

/*
 * A class as users name it on the command line (fairness --privileged,
 * oversample --target): the values of its n key columns in order,
 * separated by sep (':' in both; fairness takes ',' too). The first n-1
 * seps split, so only the last value can hold sep; values[0..n) point
 * into text[0..len). PREP_ERR_VALUE when text holds fewer than n-1 seps
 * (n 1: the whole text is the value).
 */
prep_status prep_classes_split_name(const char *text, size_t len, char sep,
				    prep_field *values, size_t n);

#endif
