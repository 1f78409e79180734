/*
 * cli_progress.c: --progress, the reading's progress on stderr (see
 * cli.h).
 */
#include <stdio.h>
#include <time.h>

#include "cli.h"

double
cli_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
human_bytes(char *buf, size_t n, uint64_t b)
{
	snprintf(buf, n, "%.1f MiB", (double)b / 1048576.0);
}

void
cli_progress(struct cli *c, int final)
{
	double t = cli_now(), dt = t - c->start;
	uint64_t rows = prep_reader_rows(c->reader);
	uint64_t rd = prep_reader_bytes_read(c->reader);
	uint64_t total = prep_reader_bytes_total(c->reader);
	char a[32], b[32];

	human_bytes(a, sizeof a, rd);
	if (total) {
		human_bytes(b, sizeof b, total);
		fprintf(
		    stderr, "\r%s: %s of %s (%.0f%%), %llu rows, %.0f rows/s",
		    c->prog, a, b, 100.0 * (double)rd / (double)total,
		    (unsigned long long)rows, dt > 0 ? (double)rows / dt : 0.0);
	} else {
		fprintf(stderr, "\r%s: %s, %llu rows, %.0f rows/s", c->prog, a,
			(unsigned long long)rows,
			dt > 0 ? (double)rows / dt : 0.0);
	}
	if (final)
		fputc('\n', stderr);
	c->last_report = t;
}

void
cli_progress_end(struct cli *c)
{
	if (c->progress && c->reader && !c->progress_ended)
		cli_progress(c, 1);
	c->progress_ended = 1;
}
