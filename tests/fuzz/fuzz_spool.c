/*
 * fuzz_spool.c: libFuzzer harness of the spool's tagged records
 * (spool.h: prep_spool_put_tagged, prep_spool_next_tagged).
 *
 * Two uses of the input:
 *  - as the bytes of a tagged spool, read back: every record returned
 *    lies within those bytes, in order, and the reading ends in PREP_END
 *    exactly when the bytes are whole records, else PREP_ERR_VALUE;
 *  - as a CSV file: each record read is put tagged (its number as tag,
 *    the number's square as aux), and read back in order: the numbers,
 *    and the bytes prep_writer_copy_fields writes of its fields.
 * Else abort(). Work is bounded: at most 4,000 records.
 */
#include "fuzz_common.h"

#include "csv.h"
#include "spool.h"

#define MAX_RECORDS 4000

/* The input as a spool's bytes: what comes back lies within them. */
static void
read_bytes(const uint8_t *data, size_t size)
{
	prep_writer_options wo = {.delim = ','};
	prep_spool *s;
	uint64_t tag, aux, total = 0;
	const char *rec;
	size_t len, n = 0;
	prep_status st;

	if (prep_spool_new("fuzz", &wo, PREP_SPOOL_TAGGED, &s) != PREP_OK)
		return;
	if (prep_writer_raw(prep_spool_writer(s), data, size) != PREP_OK ||
	    prep_spool_finish(s) != PREP_OK) {
		prep_spool_free(s);
		return;
	}
	while ((st = prep_spool_next_tagged(s, &tag, &aux, &rec, &len)) ==
	       PREP_OK) {
		/* the bytes are somewhere in the input, after a header of
		 * three varints of 1 to 10 bytes each */
		if (len > size - total || n++ > size)
			abort();
		total += len + 3;
		if (total > size)
			abort();
	}
	if (st != PREP_END && st != PREP_ERR_VALUE)
		abort();
	if (st == PREP_END && size == 0 && n != 0)
		abort();
	prep_spool_free(s);
}

/* The input as CSV: its records put tagged and read back. */
static void
round_trip(const uint8_t *data, size_t size)
{
	prep_csv_options o;
	prep_writer_options wo = {.delim = ','};
	prep_reader *r = NULL, *r2 = NULL;
	prep_spool *s = NULL;
	prep_writer *scratch = NULL, *ref = NULL;
	const prep_field *f;
	const char *rec, *want;
	size_t n, len, wlen;
	uint64_t i, k, tag, aux;
	int fd = fuzz_memfd(data, size), fd2 = fuzz_memfd(data, size);

	prep_csv_options_init(&o);
	o.delim = ',';
	o.has_header = 0;
	o.ragged = 1;
	if (fd < 0 || fd2 < 0 || prep_reader_new_fd(&o, fd, "fuzz", &r) ||
	    prep_reader_new_fd(&o, fd2, "fuzz", &r2) ||
	    prep_spool_new("fuzz", &wo, PREP_SPOOL_TAGGED, &s) ||
	    prep_writer_new_memory(prep_spool_writer(s), &scratch) ||
	    prep_writer_new_memory(prep_spool_writer(s), &ref))
		goto done;
	for (i = 0;
	     i < MAX_RECORDS && prep_reader_next_row(r, &f, &n) == PREP_OK; i++)
		if (prep_spool_put_tagged(prep_spool_writer(s), scratch, r, i,
					  i * i) != PREP_OK)
			goto done;
	if (prep_spool_finish(s) != PREP_OK)
		goto done;
	for (k = 0; k < i; k++) {
		if (prep_reader_next_row(r2, &f, &n) != PREP_OK)
			abort(); /* the same file reads the same */
		prep_writer_reset(ref);
		if (prep_writer_copy_fields(ref, r2, 0, n) != PREP_OK ||
		    prep_writer_finish(ref) != PREP_OK)
			goto done;
		want = prep_writer_data(ref, &wlen);
		if (prep_spool_next_tagged(s, &tag, &aux, &rec, &len) !=
			PREP_OK ||
		    tag != k || aux != k * k || len != wlen ||
		    memcmp(rec, want, len) != 0)
			abort();
	}
	if (prep_spool_next_tagged(s, &tag, &aux, &rec, &len) != PREP_END)
		abort();
done:
	prep_writer_free(scratch);
	prep_writer_free(ref);
	prep_spool_free(s);
	prep_reader_free(r);
	prep_reader_free(r2);
	if (fd >= 0)
		close(fd);
	if (fd2 >= 0)
		close(fd2);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	read_bytes(data, size);
	round_trip(data, size);
	return 0;
}
