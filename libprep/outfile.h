/*
 * outfile.h: atomic output files.
 *
 * Output goes to a temporary file beside the target (same directory, so the
 * final rename(2) is atomic), which is fsync'd and renamed over the target
 * only on commit. Abort removes it, so a failed run leaves the target as it
 * was and nothing behind. A target that exists and is not a regular file
 * (a device, a FIFO, /dev/stdout) is written in place: it can't be renamed
 * over. A NULL or "-" path means standard output.
 */
#ifndef PREP_OUTFILE_H
#define PREP_OUTFILE_H

#include "prep.h"

typedef struct prep_outfile prep_outfile;

prep_status prep_outfile_open(const char *path, prep_outfile **out);
int prep_outfile_fd(const prep_outfile *o);
/* The temporary file's path, or NULL when writing in place. */
const char *prep_outfile_temp(const prep_outfile *o);
/* fsync, rename over the target, fsync the directory; frees o. */
prep_status prep_outfile_commit(prep_outfile *o);
/* Remove the temporary file; frees o. */
void prep_outfile_abort(prep_outfile *o);

#endif
