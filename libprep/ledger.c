/*
 * ledger.c: the privacy budget ledger of ledger.h (format in
 * man/man5/prep-ledger.5).
 *
 * A charge opens the file (creating it 0600), takes an exclusive flock(2),
 * makes sure the inode it locked is still the one at the path (a ledger
 * renamed or removed meanwhile would let two runs lock different files),
 * reads the whole file, totals the dataset and either refuses, leaving the
 * file as it was, or appends one line with a single write(2), fsyncs it
 * (and the directory when the file is new) and only then unlocks. A reader
 * takes a shared lock. Everything that depends on the lock being honoured
 * relies on every writer going through this code.
 *
 * Crash safety: a run killed at any moment leaves either no new bytes, or
 * a prefix of its line without the final newline (a torn append), or its
 * whole line. A last line without a newline that is a strict beginning of
 * what the writer writes (torn_line) never charged (the caller releases
 * only after the fsync): it is ignored, and the next charge cuts it off.
 * A last line without a newline that is a well-formed entry is counted
 * (and kept, the next charge first ends it with a newline): it may be a
 * hand-written line of an editor that ends files without one, and
 * counting it can only over-count. Any other last line without a newline
 * is an error like any malformed line: taking it for torn would ignore,
 * then delete, a hand-written charge. So the ledger never under-counts
 * what was released, and never removes anything but a torn line.
 *
 * A seeded charge (noise from a known seed, which is not private) is
 * marked "seeded=1" between tool and args, and is counted like any other:
 * what its release cost is unbounded, its epsilon is the least of it.
 *
 * Numbers are written as the shortest "%.*g" text that reads back as the
 * same double and are read with strtod(3), both in the C locale (uselocale
 * (3)) whatever the caller's locale, so totals are sums of exactly the
 * doubles that were charged (sequential composition: the epsilons of a
 * dataset add up; Dwork and Roth, "The Algorithmic Foundations of
 * Differential Privacy", 2014, theorem 3.16).
 */
#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "ledger.h"
#include "text.h"

#define LEDGER_MAX ((size_t)64 << 20)	  /* whole file */
#define LEDGER_LINE_MAX ((size_t)1 << 20) /* one appended line */
#define DATASET_MAX 128
#define TOOL_MAX 64
#define NUM_MAX 40 /* longest number token read */
#define OPEN_TRIES 100
#define HEADER "# prep ledger v1\n"
#define HEADER_PREFIX "# prep ledger "
#define REL_SLACK 1e-9 /* relative tolerance of the budget test */

/* Fields of an entry, numbered as in prep_where.field. */
enum {
	F_TIME = 1,
	F_DATASET,
	F_BUDGET,
	F_EPSILON,
	F_DELTA,
	F_TOOL,
	F_ARGS,
	F_SEEDED /* optional, between tool and args */
};

struct entry {
	const char *time; /* 20 bytes */
	const char *dataset, *tool;
	size_t dataset_len, tool_len;
	double budget, epsilon, delta;
	int seeded;
};

/* What a scan of the file found. */
struct scan {
	prep_ledger_state st; /* of the dataset asked for */
	size_t keep;	      /* bytes to keep: the part that counts */
	int tail_entry;	      /* the last line lacks '\n' but is an entry */
};

static int
is_blank(int c)
{
	return c == ' ' || c == '\t';
}

static int
is_name_char(int c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       prep_is_digit(c) || (c != '\0' && strchr("._:/@+-", c) != NULL);
}

static int
is_tool_char(int c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       prep_is_digit(c) || c == '.' || c == '_' || c == '-' || c == '+';
}

static int
is_hex(int c)
{
	return prep_is_digit(c) || (c >= 'a' && c <= 'f') ||
	       (c >= 'A' && c <= 'F');
}

static int
valid_name(const char *s, size_t len, size_t max, int (*ok)(int))
{
	size_t i;

	if (len == 0 || len > max)
		return 0;
	for (i = 0; i < len; i++)
		if (!ok((unsigned char)s[i]))
			return 0;
	return 1;
}

/* strtod of a whole token of number characters, in the C locale. */
static int
read_number(const char *p, size_t len, double *v)
{
	char tmp[NUM_MAX + 1];
	char *end;
	size_t i;

	if (len == 0 || len > NUM_MAX)
		return 0;
	for (i = 0; i < len; i++)
		if (!prep_is_digit((unsigned char)p[i]) &&
		    strchr(".eE+-", p[i]) == NULL)
			return 0;
	memcpy(tmp, p, len);
	tmp[len] = '\0';
	errno = 0;
	*v = strtod(tmp, &end);
	return end == tmp + len && errno != ERANGE && isfinite(*v);
}

/* The shortest "%.*g" text of v that reads back as v (C locale). */
static void
format_number(char *out, size_t size, double v)
{
	int prec;

	for (prec = 1; prec <= 17; prec++) {
		snprintf(out, size, "%.*g", prec, v);
		if (strtod(out, NULL) == v)
			return;
	}
}

/*
 * The word at *p (up to a blank or end) must be key followed by a value;
 * on success *val, *len is the value and *p is past it and the blanks after.
 */
static int
take_field(const char **p, const char *end, const char *key, const char **val,
	   size_t *len)
{
	size_t klen = strlen(key);
	const char *q = *p;

	if ((size_t)(end - q) < klen || memcmp(q, key, klen) != 0)
		return 0;
	q += klen;
	*val = q;
	while (q < end && !is_blank((unsigned char)*q))
		q++;
	*len = (size_t)(q - *val);
	while (q < end && is_blank((unsigned char)*q))
		q++;
	*p = q;
	return 1;
}

/* "YYYY-MM-DDTHH:MM:SSZ", each digit checked, ranges loosely. */
static int
valid_time(const char *s, size_t len)
{
	static const char shape[] = "dddd-dd-ddTdd:dd:ddZ";
	size_t i;

	if (len != sizeof(shape) - 1)
		return 0;
	for (i = 0; i < len; i++)
		if (shape[i] == 'd' ? !prep_is_digit((unsigned char)s[i])
				    : s[i] != shape[i])
			return 0;
	return 1;
}

/*
 * The quoted args value of [p, end): '"', bytes, '"', nothing after.
 * Inside: any byte but a control byte, '"' and '\\' raw; escapes \" \\
 * \n \t \r \xHH.
 */
static int
valid_args(const char *p, const char *end)
{
	if (p >= end || *p++ != '"')
		return 0;
	while (p < end && *p != '"') {
		unsigned char c = (unsigned char)*p++;

		if (c < 0x20 || c == 0x7f)
			return 0;
		if (c != '\\')
			continue;
		if (p >= end)
			return 0;
		c = (unsigned char)*p++;
		if (c == 'x') {
			if (end - p < 2 || !is_hex((unsigned char)p[0]) ||
			    !is_hex((unsigned char)p[1]))
				return 0;
			p += 2;
		} else if (strchr("\"\\ntr", c) == NULL || c == '\0') {
			return 0;
		}
	}
	return p < end && p + 1 == end; /* the closing quote ends the line */
}

/*
 * Parse the entry [p, end) (trailing blanks and CR already cut). Returns 0
 * or the number of the field that is wrong.
 */
static size_t
parse_entry(const char *p, const char *end, struct entry *e)
{
	const char *v;
	size_t len;

	len = 0;
	while (p + len < end && !is_blank((unsigned char)p[len]))
		len++;
	if (!valid_time(p, len))
		return F_TIME;
	e->time = p;
	p += len;
	while (p < end && is_blank((unsigned char)*p))
		p++;
	if (!take_field(&p, end, "dataset=", &v, &len) ||
	    !valid_name(v, len, DATASET_MAX, is_name_char))
		return F_DATASET;
	e->dataset = v;
	e->dataset_len = len;
	if (!take_field(&p, end, "budget=", &v, &len) ||
	    !read_number(v, len, &e->budget) || !(e->budget > 0))
		return F_BUDGET;
	if (!take_field(&p, end, "epsilon=", &v, &len) ||
	    !read_number(v, len, &e->epsilon) || !(e->epsilon > 0))
		return F_EPSILON;
	if (!take_field(&p, end, "delta=", &v, &len) ||
	    !read_number(v, len, &e->delta) || !(e->delta >= 0))
		return F_DELTA;
	if (!take_field(&p, end, "tool=", &v, &len) ||
	    !valid_name(v, len, TOOL_MAX, is_tool_char))
		return F_TOOL;
	e->tool = v;
	e->tool_len = len;
	/* Absent in entries of unseeded runs, and of older versions. */
	e->seeded = 0;
	if (take_field(&p, end, "seeded=", &v, &len)) {
		if (len != 1 || (*v != '0' && *v != '1'))
			return F_SEEDED;
		e->seeded = *v == '1';
	}
	if ((size_t)(end - p) < 5 || memcmp(p, "args=", 5) != 0 ||
	    !valid_args(p + 5, end))
		return F_ARGS;
	return 0;
}

/*
 * One line [p, end) without its '\n', numbered lineno. Returns 0, or 1 when
 * it is malformed (*field set), and sets *is_entry.
 */
static int
parse_line(const char *p, const char *end, unsigned long lineno,
	   struct entry *e, int *is_entry, size_t *field)
{
	*is_entry = 0;
	*field = 0;
	if (memchr(p, '\0', (size_t)(end - p)) != NULL)
		return 1;
	while (end > p && (is_blank((unsigned char)end[-1]) || end[-1] == '\r'))
		end--;
	while (p < end && is_blank((unsigned char)*p))
		p++;
	if (p == end)
		return 0;
	if (*p == '#') {
		/* A version line must say v1: a later format is not ours. */
		size_t hl = sizeof(HEADER_PREFIX) - 1;

		if (lineno == 1 && (size_t)(end - p) >= hl &&
		    memcmp(p, HEADER_PREFIX, hl) == 0 &&
		    !((size_t)(end - p) == hl + 2 &&
		      memcmp(p + hl, "v1", 2) == 0))
			return 1;
		return 0;
	}
	*field = parse_entry(p, end, e);
	if (*field != 0)
		return 1;
	*is_entry = 1;
	return 0;
}

static void
add_entry(struct scan *sc, const struct entry *e, const char *dataset,
	  size_t dlen)
{
	if (e->dataset_len != dlen || memcmp(e->dataset, dataset, dlen) != 0)
		return;
	if (sc->st.entries == 0)
		sc->st.budget = e->budget;
	sc->st.spent += e->epsilon;
	sc->st.delta_spent += e->delta;
	sc->st.entries++;
	sc->st.seeded += (unsigned long)e->seeded;
}

/*
 * What a charge writes, with one write(2), at the start of a line: on an
 * empty ledger HEADER then its entry, otherwise its entry (after a '\n'
 * that ends a last entry without one), and always a '\n' after the entry.
 * An entry as format_line writes it is
 *
 *	TIME " dataset=" NAME " budget=" NUM " epsilon=" NUM " delta=" NUM
 *	" tool=" TOOL [ " seeded=1" ] " args=" QUOTED
 *
 * with one space between fields and nothing around them: TIME
 * "dddd-dd-ddTdd:dd:ddZ", NAME 1 to 128 name bytes, TOOL 1 to 64 tool
 * bytes, NUM the shortest "%.*g" text of a double >= 0 (see writer_num),
 * QUOTED '"', bytes 0x20-0x7e but '"' and '\\' or 0x80-0xff, escapes \"
 * \\ \n \t \r \xhh (lowercase hex), '"'. So the last line that a run
 * killed in that write leaves without its newline, a torn line, is a
 * strict beginning of "# prep ledger v1" (line 1: the ledger was empty) or
 * of such an entry (any later line); its end can fall anywhere, even
 * inside a number. The cursor functions below tell whether [p, end) is
 * such a beginning: each returns M_BAD when a byte can't be the writer's,
 * M_MORE when the text ends before its part does (so all of it was a
 * beginning) and M_DONE when its part is whole and more text follows.
 */
enum { M_BAD, M_MORE, M_DONE };

struct cursor {
	const char *p, *end;
};

static int
writer_lit(struct cursor *c, const char *lit)
{
	size_t n = strlen(lit), have = (size_t)(c->end - c->p);

	if (memcmp(c->p, lit, have < n ? have : n) != 0)
		return M_BAD;
	if (have <= n) {
		c->p = c->end;
		return M_MORE;
	}
	c->p += n;
	return M_DONE;
}

static int
writer_time(struct cursor *c)
{
	static const char shape[] = "dddd-dd-ddTdd:dd:ddZ";
	size_t i;

	for (i = 0; i < sizeof(shape) - 1; i++, c->p++) {
		if (c->p == c->end)
			return M_MORE;
		if (shape[i] == 'd' ? !prep_is_digit((unsigned char)*c->p)
				    : *c->p != shape[i])
			return M_BAD;
	}
	return c->p == c->end ? M_MORE : M_DONE;
}

/* 1 to max bytes that ok() accepts, then the space of the next field. */
static int
writer_name(struct cursor *c, size_t max, int (*ok)(int))
{
	size_t n = 0;

	while (c->p < c->end && ok((unsigned char)*c->p)) {
		if (++n > max)
			return M_BAD;
		c->p++;
	}
	if (c->p == c->end)
		return M_MORE;
	return n > 0 && *c->p == ' ' ? M_DONE : M_BAD;
}

/*
 * A number as format_number writes a finite double >= 0 ("%.*g", C
 * locale): "0", or DIGITS [ "." DIGITS ] [ "e" SIGN 2*3DIGIT ] without a
 * leading zero before other integer digits, without a trailing zero in the
 * fraction and with one integer digit before an exponent; then the space
 * of the next field.
 */
static int
writer_num(struct cursor *c)
{
	enum { INT, DOT, FRAC, E, SIGN, EXP } state = INT;
	size_t ints = 0, exps = 0;
	const char *start = c->p;
	char first = *c->p, last = 0;

	for (; c->p < c->end && *c->p != ' '; c->p++) {
		char ch = *c->p;

		if ((size_t)(c->p - start) >= NUM_MAX)
			return M_BAD;
		if (state == INT && prep_is_digit((unsigned char)ch)) {
			if (ints == 1 && first == '0')
				return M_BAD;
			ints++;
		} else if (state == INT && ints > 0 && ch == '.') {
			state = DOT;
		} else if ((state == DOT || state == FRAC) &&
			   prep_is_digit((unsigned char)ch)) {
			state = FRAC;
		} else if ((state == INT || state == FRAC) && ints == 1 &&
			   ch == 'e' && first != '0' && last != '0') {
			state = E;
		} else if (state == E && (ch == '+' || ch == '-')) {
			state = SIGN;
		} else if ((state == SIGN || state == EXP) &&
			   prep_is_digit((unsigned char)ch) && exps < 3) {
			state = EXP;
			exps++;
		} else {
			return M_BAD;
		}
		last = ch;
	}
	if (c->p == c->end)
		return M_MORE;
	if (state == INT)
		return ints > 0 ? M_DONE : M_BAD;
	if (state == FRAC)
		return last != '0' ? M_DONE : M_BAD;
	return state == EXP && exps >= 2 ? M_DONE : M_BAD;
}

/*
 * The args value: '"' and what follows, short of the closing '"': a line
 * that has it is a whole entry, or has more than the writer wrote.
 */
static int
writer_quoted(struct cursor *c)
{
	int r = writer_lit(c, "\"");

	if (r != M_DONE)
		return r;
	while (c->p < c->end) {
		unsigned char ch = (unsigned char)*c->p++;

		if (ch < 0x20 || ch == 0x7f || ch == '"')
			return M_BAD;
		if (ch != '\\')
			continue;
		if (c->p == c->end)
			return M_MORE;
		ch = (unsigned char)*c->p++;
		if (ch == 'x') {
			int i;

			for (i = 0; i < 2; i++, c->p++) {
				if (c->p == c->end)
					return M_MORE;
				if (!prep_is_digit((unsigned char)*c->p) &&
				    !(*c->p >= 'a' && *c->p <= 'f'))
					return M_BAD;
			}
		} else if (ch == '\0' || strchr("\"\\ntr", ch) == NULL) {
			return M_BAD;
		}
	}
	return M_MORE;
}

/* Whether the last line [p, end), line lineno, without '\n', is torn. */
static int
torn_line(const char *p, const char *end, unsigned long lineno)
{
	struct cursor c = {p, end};
	int r;

	if (p == end || (size_t)(end - p) > LEDGER_LINE_MAX)
		return 0;
	if (lineno == 1)
		/* The ledger was empty: HEADER came first, then its '\n'. */
		return writer_lit(&c, "# prep ledger v1") == M_MORE;
	if ((r = writer_time(&c)) != M_DONE ||
	    (r = writer_lit(&c, " dataset=")) != M_DONE ||
	    (r = writer_name(&c, DATASET_MAX, is_name_char)) != M_DONE ||
	    (r = writer_lit(&c, " budget=")) != M_DONE ||
	    (r = writer_num(&c)) != M_DONE ||
	    (r = writer_lit(&c, " epsilon=")) != M_DONE ||
	    (r = writer_num(&c)) != M_DONE ||
	    (r = writer_lit(&c, " delta=")) != M_DONE ||
	    (r = writer_num(&c)) != M_DONE ||
	    (r = writer_lit(&c, " tool=")) != M_DONE ||
	    (r = writer_name(&c, TOOL_MAX, is_tool_char)) != M_DONE ||
	    (r = writer_lit(&c, " ")) != M_DONE ||
	    (*c.p == 's' && (r = writer_lit(&c, "seeded=1 ")) != M_DONE) ||
	    (r = writer_lit(&c, "args=")) != M_DONE)
		return r == M_MORE;
	return writer_quoted(&c) == M_MORE;
}

/* Total dataset over the ledger text [0, len). */
static prep_status
scan_ledger(const char *text, size_t len, const char *dataset, struct scan *sc,
	    prep_where *where)
{
	size_t dlen = strlen(dataset), off = 0;
	unsigned long lineno = 0;
	const char *end;
	struct entry e;
	int is_entry, bad;
	size_t field;

	memset(sc, 0, sizeof(*sc));
	while (off < len) {
		const char *p = text + off;
		const char *nl = memchr(p, '\n', len - off);

		lineno++;
		end = nl ? nl : text + len;
		bad = parse_line(p, end, lineno, &e, &is_entry, &field);
		if (nl == NULL && !(bad == 0 && is_entry)) {
			/*
			 * A last line without a newline that is not an entry:
			 * a torn line is ignored (its run released nothing),
			 * anything else is an error, even a comment.
			 */
			if (torn_line(p, end, lineno))
				break;
			bad = 1;
			field = PREP_LEDGER_UNENDED;
		}
		if (bad) {
			if (where) {
				where->line = lineno;
				where->field = field;
			}
			return PREP_ERR_VALUE;
		}
		if (is_entry)
			add_entry(sc, &e, dataset, dlen);
		if (nl == NULL) {
			/* A whole entry without its newline: it counts. */
			sc->tail_entry = 1;
			sc->keep = len;
			break;
		}
		off = (size_t)(nl - text) + 1;
		sc->keep = off;
	}
	return PREP_OK;
}

prep_status
prep_ledger_scan(const char *text, size_t len, prep_ledger_visit visit,
		 void *ctx, prep_where *where)
{
	size_t off = 0, field;
	unsigned long lineno = 0;
	prep_ledger_entry out;
	struct entry e;
	int is_entry, bad;

	while (off < len) {
		const char *p = text + off;
		const char *nl = memchr(p, '\n', len - off);
		const char *end = nl ? nl : text + len;

		lineno++;
		bad = parse_line(p, end, lineno, &e, &is_entry, &field);
		if (nl == NULL && !(bad == 0 && is_entry)) {
			if (torn_line(p, end, lineno))
				break; /* as a charge reads it: nothing */
			bad = 1;
			field = PREP_LEDGER_UNENDED;
		}
		if (bad) {
			if (where) {
				where->line = lineno;
				where->field = field;
			}
			return PREP_ERR_VALUE;
		}
		if (is_entry) {
			memcpy(out.time, e.time, 20);
			out.time[20] = '\0';
			out.dataset = e.dataset;
			out.dataset_len = e.dataset_len;
			out.tool = e.tool;
			out.tool_len = e.tool_len;
			out.budget = e.budget;
			out.epsilon = e.epsilon;
			out.delta = e.delta;
			out.seeded = e.seeded;
			out.line = lineno;
			if (visit(ctx, &out) != 0)
				return PREP_ERR_ARG;
		}
		if (nl == NULL)
			break;
		off = (size_t)(nl - text) + 1;
	}
	return PREP_OK;
}

/*
 * Open path and lock it (exclusive and creating it for a charge, shared
 * for a query), making sure the locked inode is still the one the path
 * names. *created: this call made the file.
 */
static prep_status
open_locked(const char *path, int exclusive, int *fdp, int *created)
{
	struct stat a, b;
	int fd, tries, e;

	for (tries = 0; tries < OPEN_TRIES; tries++) {
		*created = 0;
		/* O_NONBLOCK: never hang opening a FIFO; no effect on files. */
		if (exclusive) {
			fd = open(path,
				  O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC |
				      O_NOCTTY | O_NONBLOCK,
				  0600);
			if (fd >= 0) {
				*created = 1;
			} else if (errno == EEXIST) {
				fd = open(path, O_RDWR | O_CLOEXEC | O_NOCTTY |
						    O_NONBLOCK);
				if (fd < 0 && errno == ENOENT)
					continue; /* removed meanwhile */
			}
		} else {
			fd = open(path,
				  O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
		}
		if (fd < 0)
			return PREP_ERR_IO;
		if (fstat(fd, &a) != 0)
			goto fail;
		if (!S_ISREG(a.st_mode)) {
			close(fd);
			return PREP_ERR_VALUE;
		}
		while (flock(fd, exclusive ? LOCK_EX : LOCK_SH) != 0)
			if (errno != EINTR)
				goto fail;
		if (stat(path, &b) == 0) {
			if (b.st_dev == a.st_dev && b.st_ino == a.st_ino) {
				*fdp = fd;
				return PREP_OK;
			}
		} else if (errno != ENOENT) {
			goto fail;
		} else if (!exclusive) {
			goto fail; /* removed: a query finds no ledger */
		}
		close(fd); /* replaced or removed while we waited: again */
	}
	errno = EAGAIN;
	return PREP_ERR_IO;
fail:
	e = errno;
	close(fd);
	errno = e;
	return PREP_ERR_IO;
}

/* The whole file, into b (capped at LEDGER_MAX). */
static prep_status
read_all(int fd, prep_buf *b)
{
	struct stat sb;
	prep_status st;
	size_t room;
	ssize_t n;
	char probe;

	if (fstat(fd, &sb) != 0)
		return PREP_ERR_IO;
	if ((unsigned long long)sb.st_size > LEDGER_MAX)
		return PREP_ERR_LIMIT;
	if (lseek(fd, 0, SEEK_SET) < 0)
		return PREP_ERR_IO;
	for (;;) {
		room = LEDGER_MAX - b->len;
		if (room == 0) {
			/* At the cap: one more byte is too many. */
			do
				n = read(fd, &probe, 1);
			while (n < 0 && errno == EINTR);
			if (n < 0)
				return PREP_ERR_IO;
			return n == 0 ? PREP_OK : PREP_ERR_LIMIT;
		}
		if (room > 65536)
			room = 65536;
		st = prep_buf_reserve(b, room);
		if (st != PREP_OK)
			return st;
		n = read(fd, b->data + b->len, room);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return PREP_ERR_IO;
		if (n == 0)
			return PREP_OK;
		b->len += (size_t)n;
		b->data[b->len] = '\0';
	}
}

/* Append s with '"', '\\' and control bytes escaped, in quotes. */
static prep_status
append_quoted(prep_buf *b, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	prep_status st = prep_buf_append_byte(b, '"');
	char esc[4];

	for (; st == PREP_OK && *s; s++) {
		unsigned char c = (unsigned char)*s;

		esc[0] = '\\';
		if (c == '"' || c == '\\') {
			esc[1] = (char)c;
			st = prep_buf_append(b, esc, 2);
		} else if (c == '\n' || c == '\t' || c == '\r') {
			esc[1] = (char)(c == '\n'   ? 'n'
					: c == '\t' ? 't'
						    : 'r');
			st = prep_buf_append(b, esc, 2);
		} else if (c < 0x20 || c == 0x7f) {
			esc[1] = 'x';
			esc[2] = hex[c >> 4];
			esc[3] = hex[c & 15];
			st = prep_buf_append(b, esc, 4);
		} else {
			st = prep_buf_append_byte(b, (char)c);
		}
	}
	if (st == PREP_OK)
		st = prep_buf_append_byte(b, '"');
	return st;
}

/* The line of charge c, with its '\n', stamped now (UTC). */
static prep_status
format_line(prep_buf *b, const prep_ledger_charge *c)
{
	char stamp[32], budget[40], eps[40], delta[40];
	const char *part[13];
	time_t now = time(NULL);
	struct tm tm;
	prep_status st = PREP_OK;
	size_t i;

	if (now == (time_t)-1 || gmtime_r(&now, &tm) == NULL ||
	    tm.tm_year + 1900 < 0 || tm.tm_year + 1900 > 9999)
		return PREP_ERR_RANGE;
	if (strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm) != 20)
		return PREP_ERR_RANGE;
	format_number(budget, sizeof(budget), c->budget);
	format_number(eps, sizeof(eps), c->epsilon);
	/* -0 is accepted and is written "0", as a torn line's reader wants. */
	format_number(delta, sizeof(delta), c->delta == 0 ? 0.0 : c->delta);
	part[0] = stamp;
	part[1] = " dataset=";
	part[2] = c->dataset;
	part[3] = " budget=";
	part[4] = budget;
	part[5] = " epsilon=";
	part[6] = eps;
	part[7] = " delta=";
	part[8] = delta;
	part[9] = " tool=";
	part[10] = c->tool;
	part[11] = c->seeded ? " seeded=1" : "";
	part[12] = " args=";
	for (i = 0; st == PREP_OK && i < sizeof(part) / sizeof(part[0]); i++)
		st = prep_buf_append_str(b, part[i]);
	if (st == PREP_OK)
		st = append_quoted(b, c->args ? c->args : "");
	if (st == PREP_OK)
		st = prep_buf_append_byte(b, '\n');
	return st;
}

static int
valid_dataset(const char *dataset)
{
	return dataset != NULL &&
	       valid_name(dataset, strnlen(dataset, DATASET_MAX + 1),
			  DATASET_MAX, is_name_char);
}

static prep_status
check_charge(const prep_ledger_charge *c)
{
	if (c == NULL || !valid_dataset(c->dataset) || c->tool == NULL ||
	    !valid_name(c->tool, strnlen(c->tool, TOOL_MAX + 1), TOOL_MAX,
			is_tool_char))
		return PREP_ERR_ARG;
	if (!isfinite(c->budget) || !(c->budget > 0) || !isfinite(c->epsilon) ||
	    !(c->epsilon > 0) || !isfinite(c->delta) || !(c->delta >= 0))
		return PREP_ERR_ARG;
	return PREP_OK;
}

/* fsync the directory that holds path, so a new file's name is durable. */
static prep_status
sync_dir(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir;
	int fd, r, e;

	if (slash == NULL)
		dir = strdup(".");
	else if (slash == path)
		dir = strdup("/");
	else
		dir = strndup(path, (size_t)(slash - path));
	if (dir == NULL)
		return PREP_ERR_NOMEM;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	e = errno;
	free(dir);
	if (fd < 0) {
		errno = e;
		return PREP_ERR_IO;
	}
	r = fsync(fd);
	e = errno;
	close(fd);
	/* Some file systems can't sync a directory: nothing more to do. */
	if (r != 0 && e != EINVAL && e != EROFS) {
		errno = e;
		return PREP_ERR_IO;
	}
	return PREP_OK;
}

/*
 * Under the exclusive lock on fd: total, decide, and append. Leaves the
 * file unchanged unless it returns PREP_OK (or fails after the write, when
 * the line may stay: it then over-counts, never under-counts).
 */
static prep_status
charge_locked(int fd, int created, const char *path,
	      const prep_ledger_charge *c, prep_ledger_state *stp,
	      prep_where *where)
{
	struct scan sc;
	prep_buf text, line;
	prep_status st;
	off_t off;
	ssize_t n;
	int e, appended = 0;

	prep_buf_init(&text, LEDGER_MAX);
	prep_buf_init(&line, LEDGER_LINE_MAX + sizeof(HEADER));
	st = read_all(fd, &text);
	if (st == PREP_OK)
		st = scan_ledger(text.data ? text.data : "", text.len,
				 c->dataset, &sc, where);
	if (st != PREP_OK)
		goto out;
	if (stp)
		*stp = sc.st;
	if (sc.st.entries > 0 && sc.st.budget != c->budget) {
		st = PREP_ERR_BUDGET_CHANGED;
		goto out;
	}
	if (sc.st.spent + c->epsilon > c->budget * (1 + REL_SLACK)) {
		st = PREP_ERR_BUDGET;
		goto out;
	}
	if (sc.keep == 0)
		st = prep_buf_append_str(&line, HEADER);
	else if (sc.tail_entry)
		st = prep_buf_append_byte(&line, '\n');
	if (st == PREP_OK)
		st = format_line(&line, c);
	if (st != PREP_OK)
		goto out;
	st = PREP_ERR_IO;
	/* Cut a torn append off; then the line goes in with one write. */
	if (sc.keep < text.len && !sc.tail_entry &&
	    ftruncate(fd, (off_t)sc.keep) != 0)
		goto out;
	off = lseek(fd, 0, SEEK_END);
	if (off < 0)
		goto out;
	do
		n = write(fd, line.data, line.len);
	while (n < 0 && errno == EINTR);
	if (n < 0 || (size_t)n != line.len) {
		e = n < 0 ? errno : ENOSPC;
		if (ftruncate(fd, off) == 0)
			(void)fsync(fd);
		errno = e;
		goto out;
	}
	appended = 1;
	if (fsync(fd) != 0)
		goto out;
	st = created || sc.keep == 0 ? sync_dir(path) : PREP_OK;
out:
	e = errno;
	/*
	 * A refused first charge leaves no empty file behind. Safe under the
	 * lock: a run waiting on this inode sees it gone and starts over.
	 */
	if (st != PREP_OK && created && !appended && text.len == 0)
		(void)unlink(path);
	prep_buf_free(&text);
	prep_buf_free(&line);
	errno = e;
	return st;
}

/* Run with LC_NUMERIC = "C" for this thread; the caller's locale after. */
struct c_numeric {
	locale_t c, old;
};

static prep_status
c_numeric_enter(struct c_numeric *cn)
{
	cn->c = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
	if (cn->c == (locale_t)0)
		return PREP_ERR_NOMEM;
	cn->old = uselocale(cn->c);
	return PREP_OK;
}

static void
c_numeric_leave(struct c_numeric *cn)
{
	int e = errno;

	uselocale(cn->old);
	freelocale(cn->c);
	errno = e;
}

static void
where_init(prep_where *where, const char *path)
{
	if (where) {
		where->file = path;
		where->line = 0;
		where->field = 0;
	}
}

prep_status
prep_ledger_charge_run(const char *path, const prep_ledger_charge *c,
		       prep_ledger_state *st, prep_where *where)
{
	struct c_numeric cn;
	prep_status s;
	int fd, created, e;

	where_init(where, path);
	if (st)
		memset(st, 0, sizeof(*st));
	if (path == NULL || *path == '\0')
		return PREP_ERR_ARG;
	s = check_charge(c);
	if (s != PREP_OK)
		return s;
	s = c_numeric_enter(&cn);
	if (s != PREP_OK)
		return s;
	s = open_locked(path, 1, &fd, &created);
	if (s == PREP_OK) {
		s = charge_locked(fd, created, path, c, st, where);
		e = errno;
		close(fd); /* releases the lock, after the fsync */
		errno = e;
	}
	c_numeric_leave(&cn);
	return s;
}

prep_status
prep_ledger_query(const char *path, const char *dataset, prep_ledger_state *st,
		  prep_where *where)
{
	struct c_numeric cn;
	struct scan sc;
	prep_buf text;
	prep_status s;
	int fd, created, e;

	where_init(where, path);
	if (st)
		memset(st, 0, sizeof(*st));
	if (path == NULL || *path == '\0' || !valid_dataset(dataset))
		return PREP_ERR_ARG;
	s = c_numeric_enter(&cn);
	if (s != PREP_OK)
		return s;
	s = open_locked(path, 0, &fd, &created);
	if (s != PREP_OK) {
		c_numeric_leave(&cn);
		/* No ledger yet: the dataset is unknown, nothing spent. */
		return s == PREP_ERR_IO && errno == ENOENT ? PREP_OK : s;
	}
	prep_buf_init(&text, LEDGER_MAX);
	s = read_all(fd, &text);
	if (s == PREP_OK)
		s = scan_ledger(text.data ? text.data : "", text.len, dataset,
				&sc, where);
	if (s == PREP_OK && st)
		*st = sc.st;
	e = errno;
	prep_buf_free(&text);
	close(fd);
	c_numeric_leave(&cn);
	errno = e;
	return s;
}

prep_status
prep_ledger_args(int argc, char *const *argv, char **out)
{
	size_t n = 1, len = 0, k;
	int i;
	char *s;

	for (i = 0; i < argc; i++)
		n += strlen(argv[i]) + 1;
	if ((s = malloc(n)) == NULL)
		return PREP_ERR_NOMEM;
	for (i = 0; i < argc; i++) {
		if (i)
			s[len++] = ' ';
		k = strlen(argv[i]);
		memcpy(s + len, argv[i], k);
		len += k;
	}
	s[len] = '\0';
	*out = s;
	return PREP_OK;
}

prep_ledger_fault
prep_ledger_fault_text(prep_status s, const prep_ledger_charge *c,
		       const prep_ledger_state *st, const prep_where *where,
		       char *buf, size_t n)
{
	const char *what = "not a ledger line";

	switch (s) {
	case PREP_ERR_BUDGET:
		(void)snprintf(
		    buf, n,
		    "dataset %s: budget %g exhausted (spent %g, this run %g)",
		    c->dataset, c->budget, st->spent, c->epsilon);
		return PREP_LEDGER_REFUSED;
	case PREP_ERR_BUDGET_CHANGED:
		(void)snprintf(buf, n, "dataset %s has budget %g, not %g",
			       c->dataset, st->budget, c->budget);
		return PREP_LEDGER_REFUSED;
	case PREP_ERR_VALUE:
		if (where->line == 0)
			what = "not a regular file";
		else if (where->field == PREP_LEDGER_UNENDED)
			what =
			    "not a ledger line (a last line without a newline must be a whole entry)";
		(void)snprintf(buf, n, "%s", what);
		return PREP_LEDGER_NOT_LEDGER;
	default:
		(void)snprintf(buf, n, "%s", prep_strerror(s));
		return PREP_LEDGER_TROUBLE;
	}
}
