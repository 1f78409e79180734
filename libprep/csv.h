/*
 * csv.h: the streaming CSV reader and writer every filter stands on.
 *
 * The reader parses with libcsv and inflates gzip with zlib (detected by
 * its magic bytes, not the file's name). It keeps one record in memory at
 * a time, so memory is constant whatever the input size: each field is
 * capped at max_field bytes and each record at max_fields fields.
 * Several files are read as one stream; their headers must be identical.
 * Fields keep their exact bytes: no trimming, no type guessing.
 *
 * Every error carries its place: prep_reader_where() gives the file, the
 * physical line where the offending record starts, and the field number
 * when one is known. The reader never stores or reports a field's value.
 *
 * The writer quotes a field only when it must (delimiter, quote, CR, LF,
 * a leading or trailing space) and writes LF or CRLF line ends, plain or
 * gzip-compressed, to a file descriptor through one buffer.
 */
#ifndef PREP_CSV_H
#define PREP_CSV_H

#include <stdint.h>
#include <stddef.h>

#include "prep.h"

#define PREP_CSV_DEFAULT_MAX_FIELD ((size_t)1 << 20)
#define PREP_CSV_DEFAULT_MAX_FIELDS ((size_t)100000)

typedef struct prep_csv_options {
	int delim;	   /* delimiter byte; -1: by name or sniffed (below) */
	int has_header;	   /* the first record is a header (default 1) */
	int lazy_quotes;   /* accept stray quotes inside unquoted fields */
	size_t max_field;  /* bytes per field; 0: 1 MiB */
	size_t max_fields; /* fields per record; 0: 100000 */
	int ragged;	   /* records may differ from the header in length */
	int keep_blank;	   /* a blank line is a record of one empty field */
	int sha256;	   /* keep a SHA-256 of each file's bytes as read */
	/*
	 * Read only part part_i (1-based) of part_n of the input (part.h),
	 * part_i 0: all of it. The input must be one regular file, not
	 * gzip-compressed, and lazy_quotes off (else PREP_ERR_ARG). The
	 * header (or, without one, the first record, for the number of
	 * columns) is read from the start of the file as always; then the
	 * reader goes to the part's first record and stops after its last,
	 * so the records returned are those that begin in the part's byte
	 * range. A record before the range that a header-less reader read
	 * to count the columns is returned only by the part that holds it.
	 * Places (prep_reader_where) keep the file's own line numbers. With
	 * sha256, the digest is of the bytes the part read: those of the
	 * header record (or the first record) from offset 0, then those of
	 * the part's records; for part 1 of 1, the whole file's.
	 */
	unsigned long part_i, part_n;
	/*
	 * Parse every record with libcsv alone, byte by byte, without the
	 * reader's own split of well-formed lines: slower, and otherwise
	 * the same in every respect (records, errors and their places). The
	 * reference the unit tests hold the fast paths to; default 0.
	 */
	int libcsv_only;
} prep_csv_options;

/* Defaults: auto delimiter, header, strict quotes, 1 MiB fields. */
void prep_csv_options_init(prep_csv_options *o);

/*
 * Parse a delimiter argument: one byte, "tab" or "\t". Returns PREP_ERR_ARG
 * for anything else (quote, CR, LF and NUL are refused too).
 */
prep_status prep_csv_parse_delim(const char *arg, int *delim);

typedef struct prep_reader prep_reader;

/*
 * Open paths[0..npaths) as one stream (npaths 0, or a path "-": standard
 * input) and read the header (or, without one, the first record, to learn
 * the number of columns). On failure *out is still set when the error has
 * a place, so prep_reader_where() can name it; free it in any case.
 */
prep_status prep_reader_new(const prep_csv_options *o, const char *const *paths,
			    size_t npaths, prep_reader **out);
/* The same on an open descriptor (not closed by the reader); name is
 * the file name messages give. */
prep_status prep_reader_new_fd(const prep_csv_options *o, int fd,
			       const char *name, prep_reader **out);
void prep_reader_free(prep_reader *r);

/*
 * The next data record. Returns PREP_OK with *fields and *n set (valid until
 * the next call; each field NUL-terminated), PREP_END after the last one,
 * or an error whose place prep_reader_where() gives.
 */
prep_status prep_reader_next_row(prep_reader *r, const prep_field **fields,
				 size_t *n);

/*
 * With the sha256 option: the SHA-256 of the bytes read of input file i
 * (0-based in the order given; stdin or the descriptor is file 0), as
 * read (gzip compressed or not), once that file is closed: after the
 * reader moved past it or reached the end of the last file. PREP_ERR_ARG
 * without the option, for an i out of range or a file not yet read to
 * its end.
 */
prep_status prep_reader_sha256(const prep_reader *r, size_t i,
			       unsigned char digest[32]);

/*
 * Return only the records whose field col holds a value in part i
 * (1-based) of n by prep_part_of (part.h), a record too short to have
 * the field counting as one holding the empty value; the others are
 * read, counted by prep_reader_rows and in the sha256 digest, and
 * skipped. Call it after prep_reader_new, before the first record is
 * taken. PREP_ERR_ARG unless 1 <= i <= n.
 */
prep_status prep_reader_part_by(prep_reader *r, size_t col, unsigned long i,
				unsigned long n);

/*
 * Raw records, for reading one stream on several threads (par.h): the
 * reader hands out its input's bytes unparsed, and readers on other
 * threads parse pieces of them that begin and end at record boundaries.
 *
 * prep_reader_pending: a record was read at the open (a stream without
 * a header: its first record, read to count the columns); take it with
 * prep_reader_next_row before any raw bytes.
 *
 * prep_reader_raw: the next bytes of the input as the parser would see
 * them (inflated, the byte order mark dropped), from the first byte no
 * record or earlier call has taken, which is always between records:
 * raw->data[0..len), len > 0, valid until the next call, all of one
 * file (raw->file its name; raw->line the physical line of data[0]
 * on the first call of each file, the caller counts on from there).
 * When the current file has no byte left: len 0 and file_end 1; the
 * next call opens the next file, reads and checks its header as
 * prep_reader_next_row does, and goes on with its bytes. PREP_END once
 * every file is done; an error (I/O, gzip, a header that differs) has
 * its place in prep_reader_where. The sha256 option and --part's range
 * work as for records. Bytes taken raw are no records of this reader:
 * prep_reader_count_rows adds those another reader found in them.
 */
typedef struct prep_raw {
	const unsigned char *data;
	size_t len;
	const char *file;
	unsigned long line;
	int file_end;
} prep_raw;

int prep_reader_pending(const prep_reader *r);
prep_status prep_reader_raw(prep_reader *r, prep_raw *raw);
/*
 * prep_reader_raw, with the bytes read straight into the caller's
 * buf[0..cap) (cap > 0) where they can be: a file that is not gzip data,
 * past its start, once the bytes the reader holds are taken. Then
 * raw->data is buf and raw->len at most cap; otherwise they are
 * prep_reader_raw's (the reader's own bytes, of any length).
 */
prep_status prep_reader_raw_to(prep_reader *r, unsigned char *buf, size_t cap,
			       prep_raw *raw);
void prep_reader_count_rows(prep_reader *r, uint64_t rows);

/*
 * A reader of pieces of like's stream (like's options, delimiter,
 * columns and prep_reader_part_by part), for another thread. No header:
 * every record of a piece is data.
 */
prep_status prep_reader_new_piece(const prep_reader *like, prep_reader **out);
/*
 * Read data[0..len) next: whole records of the file named file, the
 * first beginning on physical line `line`, the last ending at len (a
 * line feed, or the file's end). The reader writes into data (NULs
 * after fields) and keeps pointers into it until the next call.
 * prep_reader_next_row then gives its records and PREP_END after the
 * last; prep_reader_rows counts those of this piece (part_by's skipped
 * records too). PREP_ERR_NOMEM when the parser can't be set up.
 */
prep_status prep_reader_piece(prep_reader *r, unsigned char *data, size_t len,
			      const char *file, unsigned long line);
/*
 * The most bytes one record of r's input may take (larger: the record
 * is refused by a cap, max_field or the reader's record limit): a
 * piece cut after that many bytes without a record boundary ends in an
 * error before its end.
 */
size_t prep_reader_record_max(const prep_reader *r);

/* The header's fields, or NULL without one; *n is the number of columns. */
const prep_field *prep_reader_header(const prep_reader *r, size_t *n);
size_t prep_reader_columns(const prep_reader *r);
/* Fields in the current (or offending) record. */
size_t prep_reader_record_fields(const prep_reader *r);
/*
 * How field i of the current record was written in the input: 0 not
 * quoted (so its bytes hold no delimiter, quote, CR or LF), 1 quoted, -1
 * not known (a part of a record the reader left to libcsv: one that
 * spans lines, holds a CR, or is malformed) or i out of range.
 */
int prep_reader_field_quoted(const prep_reader *r, size_t i);
/*
 * The current record's input bytes, without its line end, when the
 * reader took it whole from one line of its buffer (the common case: no
 * quoted line break, no CR but the line end's, no parse error): returns
 * 1 with *p and *len set, valid until the next record is read; else 0.
 * They are the bytes as read, quotes and all, after any gzip inflation
 * and byte order mark; their fields are those prep_reader_next_row gave.
 */
int prep_reader_record_raw(const prep_reader *r, const char **p, size_t *len);
/* The options in force (delimiter resolved, caps filled in). */
const prep_csv_options *prep_reader_options(const prep_reader *r);
int prep_reader_delim(const prep_reader *r);
/*
 * How the delimiter was chosen: given in the options; by the first file's
 * name (*.tsv, *.tsv.gz: tab); or sniffed from the first line (',' when it
 * holds one outside quotes, else the most frequent of tab, ';' and '|',
 * ties in that order, else ',').
 */
enum { PREP_DELIM_GIVEN, PREP_DELIM_BY_NAME, PREP_DELIM_SNIFFED };
int prep_reader_delim_how(const prep_reader *r);

/* Place of the current record or of the last error. */
prep_where prep_reader_where(const prep_reader *r);

/* Progress: bytes consumed from the files (compressed bytes for gzip),
 * their total size when every input is a regular file (else 0; with
 * part_i, the bytes of the header and of the part), and the number of
 * data records read so far (returned, or skipped by prep_reader_part_by). */
uint64_t prep_reader_bytes_read(const prep_reader *r);
uint64_t prep_reader_bytes_total(const prep_reader *r);
uint64_t prep_reader_rows(const prep_reader *r);

typedef struct prep_writer_options {
	int delim;	/* output delimiter */
	int crlf;	/* CRLF line ends instead of LF */
	int gzip;	/* gzip-compress the output */
	int gzip_level; /* 1..9; 0: 6 */
	int sha256;	/* keep a SHA-256 of the bytes written (after gzip) */
	int bytes;	/* bytes, not CSV: prep_writer_raw and
			   prep_writer_append copy them and apply none of the
			   output's rules (a first field like gzip data or a
			   byte order mark quoted, a header skipped) */
} prep_writer_options;

typedef struct prep_writer prep_writer;

/* A writer on fd (not closed by the writer). */
prep_status prep_writer_new(int fd, const prep_writer_options *o,
			    prep_writer **out);
/* Append one field to the current record. */
prep_status prep_writer_field(prep_writer *w, const char *data, size_t len);
/*
 * The same for a field the caller knows holds no delimiter (of this
 * writer), quote, CR or LF, such as one read unquoted with the same
 * delimiter: only the checks that remain are made (a space at either
 * end, the output's first bytes looking like gzip data or a byte order
 * mark), and the bytes written are those prep_writer_field would write.
 */
prep_status prep_writer_field_plain(prep_writer *w, const char *data,
				    size_t len);
/*
 * Append field i of r's current record unchanged, as prep_writer_field
 * would, through prep_writer_field_plain when r read it unquoted with
 * this writer's delimiter. PREP_ERR_ARG when the record has no field i.
 */
prep_status prep_writer_copy_field(prep_writer *w, const prep_reader *r,
				   size_t i);
/*
 * Append fields i..j-1 of r's current record unchanged: their stretch of
 * the record's input bytes at once when it is what prep_writer_field
 * would write of them (the same delimiter, each field quoted in the input
 * if and only if this writer quotes it, not the output's first field),
 * else one by one with prep_writer_copy_field. PREP_ERR_ARG unless
 * i <= j <= the record's fields.
 */
prep_status prep_writer_copy_fields(prep_writer *w, const prep_reader *r,
				    size_t i, size_t j);
/*
 * The bytes prep_writer_copy_fields(w, r, 0, all of them) would write at
 * a row's start, when they are the record's input bytes as they stand:
 * 1 with *p, *len set to them (no copy made); else 0, and the fields
 * must be written to learn their bytes.
 */
int prep_writer_fields_as_read(const prep_writer *w, const prep_reader *r,
			       const char **p, size_t *len);
/*
 * Write r's current record unchanged as a whole record (ending it), the
 * bytes prep_writer_row would write of its fields: its input bytes
 * (prep_reader_record_raw) copied at once when they are exactly that
 * (the same delimiter, every field quoted in the input if and only if
 * this writer quotes it, not the output's first record), else as
 * prep_writer_copy_fields does.
 */
prep_status prep_writer_copy_record(prep_writer *w, const prep_reader *r);
/* End the current record. */
prep_status prep_writer_end_row(prep_writer *w);
/* Append bytes that are already CSV of this writer's dialect. */
prep_status prep_writer_raw(prep_writer *w, const void *data, size_t len);
/*
 * Records written as raw bytes (that are records of this dialect, each
 * ending in a line end), for prep_writer_records to count them.
 */
void prep_writer_add(prep_writer *w, uint64_t records);
/*
 * Records written so far: ended by prep_writer_end_row (or
 * prep_writer_row) or counted by prep_writer_add; and the fields of the
 * first of them, 0 while there is none (raw bytes alone, a report, are
 * no records).
 */
uint64_t prep_writer_records(const prep_writer *w);
size_t prep_writer_columns(const prep_writer *w);
/*
 * Drop the first record written, whether it comes as fields or as raw
 * bytes (there, up to its first line feed outside quotes): the header,
 * in the output of every part but the first (--part), so that the parts'
 * outputs put end to end are the whole run's. It still gives
 * prep_writer_columns; it is no record, no byte written, and no first
 * field (which would be quoted if it began like gzip data or a byte order
 * mark: the whole output's first field is the header's). Call it before
 * anything is written (else PREP_ERR_ARG).
 */
prep_status prep_writer_skip_header(prep_writer *w);
/* 1 once prep_writer_skip_header's record was dropped. */
int prep_writer_skipped(const prep_writer *w);
/* Bytes of CSV written so far (before any gzip compression). */
uint64_t prep_writer_bytes(const prep_writer *w);
/*
 * A writer into memory with like's dialect (no gzip, no sha256), for a
 * piece of the output made on another thread: it never quotes a first
 * field for looking like gzip data or a byte order mark (the output's
 * own writer does that, in prep_writer_append). prep_writer_finish is
 * flushes it (before prep_writer_data or prep_writer_append);
 * prep_writer_reset empties it for the next piece.
 */
prep_status prep_writer_new_memory(const prep_writer *like, prep_writer **out);
void prep_writer_reset(prep_writer *w);
/* The bytes a memory writer holds. */
const char *prep_writer_data(const prep_writer *w, size_t *len);
/*
 * Append what the memory writer piece holds to w, as if its records had
 * been written to w one by one: the same bytes (a first field of the
 * whole output that looks like gzip data or a byte order mark quoted),
 * records and columns counted, prep_writer_skip_header applied. The
 * writes to w's descriptor end where one thread's would (a full buffer's
 * worth each), but a long piece's bytes are not copied into w's buffer to
 * make them: the buffer goes out with the bytes that fill it (writev),
 * then whole buffers' worth straight, and only the rest is copied.
 */
prep_status prep_writer_append(prep_writer *w, const prep_writer *piece);

/* Write a whole record. */
prep_status prep_writer_row(prep_writer *w, const prep_field *f, size_t n);
/*
 * Take the SHA-256 state of the bytes writer from wrote (it must be
 * finished) as w's, for w to write those very bytes next, with
 * prep_writer_raw, without hashing them a second time: a spool copied
 * out whole (spool.h) costs its output no pass of SHA-256. The caller
 * vouches that the bytes are the same. Both writers need the sha256
 * option, and w no gzip, no prep_writer_skip_header and no byte written
 * yet; else PREP_ERR_ARG and nothing changes (w then hashes what it
 * writes, as always).
 */
prep_status prep_writer_adopt_sha256(prep_writer *w, const prep_writer *from);
/* Flush the buffer and end the gzip stream; call once, before fsync. */
prep_status prep_writer_finish(prep_writer *w);
/* The SHA-256 of every byte written to fd, once, after finish; needs the
 * sha256 option (else PREP_ERR_ARG; also when fewer bytes were written
 * than an adopted SHA-256 covers). */
prep_status prep_writer_sha256(prep_writer *w, unsigned char digest[32]);
void prep_writer_free(prep_writer *w);

#endif
