/*
 * spool.h: the first pass's copy of the input, for two-pass filters.
 *
 * A filter that must read all of its input before it writes anything
 * (a gate, or a table of counts the rows need) copies the records to a
 * spool as it reads them, and reads them back in its second pass. The
 * spool is an unlinked temporary file: made with O_TMPFILE where the file
 * system has it, else by mkstemp(3) and unlinked at once, mode 0600, so
 * it is gone with the process however it ends and no other user can open
 * it. Its records are written by a prep_writer in the output's dialect
 * (delimiter, line ends), so that the second pass can copy them out byte
 * for byte.
 *
 * Each record's offset and length are known as it is written
 * (prep_spool_last); with PREP_SPOOL_INDEX the spool keeps them all (8
 * bytes a record, charged to the memory budget of memcap.h), so that the
 * second pass can take records one by one from the mapped file without
 * parsing CSV again.
 *
 * Write, then prep_spool_finish, then read back in any of three ways: as
 * records through a CSV reader (prep_spool_reader), as raw bytes
 * (prep_spool_copy), or as a read-only map (prep_spool_map,
 * prep_spool_record). A failed write returns PREP_ERR_IO with errno set:
 * ENOSPC, EDQUOT or EFBIG mean the spool's directory is full.
 */
#ifndef PREP_SPOOL_H
#define PREP_SPOOL_H

#include <stdint.h>

#include "csv.h"
#include "prep.h"

/* Keep every record's offset: prep_spool_record then works. */
#define PREP_SPOOL_INDEX 1
/*
 * Hash the bytes as they are written (SHA-256, on digest.h's thread,
 * while the first pass parses): prep_spool_copy to a writer with the
 * sha256 option then hands it that hash instead of making it hash the
 * spool again after the first pass (prep_writer_adopt_sha256).
 */
#define PREP_SPOOL_SHA256 2

/*
 * Tagged records (prep_spool_put_tagged, prep_spool_next_tagged): the
 * spool's writer takes bytes, not CSV (prep_writer_options.bytes).
 */
#define PREP_SPOOL_TAGGED 4

typedef struct prep_spool prep_spool;

/* Where spools are made: $TMPDIR, or /tmp when it is unset or empty. */
const char *prep_spool_dir(void);

/*
 * A new, empty spool in prep_spool_dir(), written with wo's delimiter and
 * line ends (wo->gzip and wo->sha256 are ignored: see
 * PREP_SPOOL_SHA256). prefix names the temporary file for the moment
 * mkstemp needs a name. flags: 0 or PREP_SPOOL_INDEX and
 * PREP_SPOOL_SHA256 or'ed. PREP_ERR_IO (errno set) when no file can be made.
 */
prep_status prep_spool_new(const char *prefix, const prep_writer_options *wo,
			   int flags, prep_spool **out);

/* Append one record of n fields. */
prep_status prep_spool_row(prep_spool *s, const prep_field *f, size_t n);

/*
 * The spool's writer, for records written elsewhere (another thread's
 * output, par.h, appended with prep_writer_append): they count as its
 * records. NULL for a spool with PREP_SPOOL_INDEX, whose records must
 * come through prep_spool_row, or a finished one.
 */
prep_writer *prep_spool_writer(prep_spool *s);

/* The offset and length of the record written last (0, 0 before any). */
void prep_spool_last(const prep_spool *s, uint64_t *off, uint64_t *len);

/* Records and bytes written so far. */
uint64_t prep_spool_records(const prep_spool *s);
uint64_t prep_spool_bytes(const prep_spool *s);

/* End the writing: flush what is buffered. Reading needs this first. */
prep_status prep_spool_finish(prep_spool *s);

/*
 * A CSV reader over the spool from its start, named "spool" in messages,
 * with the options o except the delimiter (the spool's), lazy quotes
 * (off: the spool is what a writer made), sha256 (off: the spool is
 * not an input, and its digest would be one more pass over the data for
 * nothing) and part_i (off: the spool is read whole). Free it before the
 * spool.
 */
prep_status prep_spool_reader(prep_spool *s, const prep_csv_options *o,
			      prep_reader **out);

/* Every byte of the spool, as written, to w; with PREP_SPOOL_SHA256,
 * and w fit to adopt it, they are not hashed again. */
prep_status prep_spool_copy(prep_spool *s, prep_writer *w);

/*
 * The spool mapped read-only: *data (NULL when the spool is empty) and
 * *size, valid until prep_spool_free. Mapping twice gives the same map.
 */
prep_status prep_spool_map(prep_spool *s, const char **data, uint64_t *size);

/*
 * Record i (0-based, in the order written) from the map: *rec and *len
 * include its line end. Needs PREP_SPOOL_INDEX; PREP_ERR_ARG otherwise or
 * when i is past the last record.
 */
prep_status prep_spool_record(prep_spool *s, uint64_t i, const char **rec,
			      uint64_t *len);

/*
 * Tagged records, for a second pass that parses no CSV: each is the
 * fields of the current record of r as prep_writer_copy_fields writes
 * them in the spool's dialect (as the first fields of a record that goes
 * on: no line end), with two numbers of the caller's
 * (such as the record's class, and a value of its own). Held as tag, aux
 * and the record's length, each a varint (7 bits a byte, low first),
 * then the record's bytes.
 *
 * prep_spool_put_tagged writes one to w: the writer of a spool made with
 * PREP_SPOOL_TAGGED, or a memory writer made like it (a thread's, whose
 * output is appended to it with prep_writer_append). scratch is a memory
 * writer made like w, the caller's (one per thread), where the record is
 * written first to learn its length. A writer's status is returned.
 */
prep_status prep_spool_put_tagged(prep_writer *w, prep_writer *scratch,
				  const prep_reader *r, uint64_t tag,
				  uint64_t aux);

/*
 * The next tagged record, in the order written, after prep_spool_finish:
 * *rec and *len its bytes (less the line end), valid until the next
 * call. PREP_END after the last; PREP_ERR_IO (errno set) when reading
 * fails, PREP_ERR_VALUE when the bytes are not tagged records,
 * PREP_ERR_ARG for a spool not made with PREP_SPOOL_TAGGED.
 */
prep_status prep_spool_next_tagged(prep_spool *s, uint64_t *tag, uint64_t *aux,
				   const char **rec, size_t *len);

/* Close (and so delete) the spool; NULL is fine. */
void prep_spool_free(prep_spool *s);

#endif
