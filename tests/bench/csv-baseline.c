/*
 * csv-baseline.c: the floor that anonymize's speed is measured against.
 *
 *	csv-baseline FILE
 *
 * Parses FILE ("-": standard input) with libcsv exactly as prep's reader
 * configures it (strict quotes, an unclosed quote at the end is an error,
 * no trimming of spaces) and does nothing with the fields but count them.
 * Reads with read(2) in 64 KiB chunks. Prints "RECORDS FIELDS" (the header
 * counts as a record) and exits 0, or prints the libcsv error and exits 2.
 * A filter that parses, transforms and writes CSV can't beat this loop;
 * tests/bench/run.sh checks that anonymize stays within 2x of it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <csv.h>

struct counts {
	unsigned long long records;
	unsigned long long fields;
};

static void
on_field(void *data, size_t len, void *arg)
{
	struct counts *c = arg;

	(void)data;
	(void)len;
	c->fields++;
}

static void
on_record(int term, void *arg)
{
	struct counts *c = arg;

	(void)term;
	c->records++;
}

/* libcsv trims spaces and tabs around unquoted fields unless told not to. */
static int
no_space(unsigned char ch)
{
	(void)ch;
	return 0;
}

int
main(int argc, char *argv[])
{
	static char buf[64 * 1024];
	struct csv_parser p;
	struct counts c = {0, 0};
	const char *err = NULL;
	ssize_t n;
	int fd;

	if (argc != 2) {
		fprintf(stderr, "usage: csv-baseline FILE\n");
		return 2;
	}
	if (strcmp(argv[1], "-") == 0)
		fd = STDIN_FILENO;
	else if ((fd = open(argv[1], O_RDONLY)) == -1) {
		fprintf(stderr, "csv-baseline: %s: %s\n", argv[1],
			strerror(errno));
		return 2;
	}
	if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI) != 0) {
		fprintf(stderr, "csv-baseline: csv_init failed\n");
		return 2;
	}
	csv_set_space_func(&p, no_space);
	for (;;) {
		n = read(fd, buf, sizeof(buf));
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			err = strerror(errno);
			break;
		}
		if (n == 0) {
			if (csv_fini(&p, on_field, on_record, &c) != 0)
				err = csv_strerror(csv_error(&p));
			break;
		}
		if (csv_parse(&p, buf, (size_t)n, on_field, on_record, &c) !=
		    (size_t)n) {
			err = csv_strerror(csv_error(&p));
			break;
		}
	}
	csv_free(&p);
	if (fd != STDIN_FILENO)
		close(fd);
	if (err != NULL) {
		fprintf(stderr, "csv-baseline: %s: %s\n", argv[1], err);
		return 2;
	}
	printf("%llu %llu\n", c.records, c.fields);
	return 0;
}
