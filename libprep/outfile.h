/*
 * outfile.h: atomic output files.
 *
 * An output file is a regular file made by prep. Output goes to a file
 * beside the target (same directory, so the final rename(2) is atomic):
 * an unnamed O_TMPFILE where the file system has them, given a name only
 * at commit, else a hidden ".NAME.XXXXXX" file made by mkstemp(3). It is
 * mode 0600 while it is written; at commit it gets its final mode, is
 * fsync'd and renamed over the target. Abort removes it, so a failed run
 * leaves the target as it was and nothing behind (a killed run: nothing
 * at all with O_TMPFILE).
 *
 * The final mode is 0666 less the umask for a new file or a file of
 * another user; a file the caller owns keeps its permission bits, less
 * the umask. Set-id and sticky bits are never kept.
 *
 * The target is never opened, so a FIFO or a device named like it is
 * never written to or waited on: an existing target that is not a
 * regular file or a symbolic link (which is replaced, not followed) is
 * refused with PREP_ERR_NOT_REGULAR. The exceptions are written in place:
 * NULL, "-" and "/dev/stdout" (the standard output), and the kernel's
 * sinks /dev/null and /dev/full (character devices 1:3 and 1:7).
 */
#ifndef PREP_OUTFILE_H
#define PREP_OUTFILE_H

#include "prep.h"

typedef struct prep_outfile prep_outfile;

prep_status prep_outfile_open(const char *path, prep_outfile **out);
int prep_outfile_fd(const prep_outfile *o);
/* 1 when writing in place (standard output, /dev/null, /dev/full). */
int prep_outfile_in_place(const prep_outfile *o);
/*
 * The name the file has while it is written, or will have between its
 * link and its rename at commit (O_TMPFILE); NULL when writing in place.
 * A signal handler may unlink(2) it.
 */
const char *prep_outfile_temp(const prep_outfile *o);
/* Make the final mode 0600 whatever the umask or an old file's mode
 * (data as sensitive as the raw input: man5/prep-partial.5). */
void prep_outfile_private(prep_outfile *o);
/* Final mode, fsync, rename over the target, fsync the directory; frees
 * o. */
prep_status prep_outfile_commit(prep_outfile *o);
/* Remove the temporary file; frees o. */
void prep_outfile_abort(prep_outfile *o);

/*
 * 1 when two output names would be one file: the same standard output,
 * the same existing file, or the same name in the same directory.
 */
int prep_outfile_same(const char *a, const char *b);

#endif
