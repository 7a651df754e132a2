/* Result files are written whole or not at all: a reader (CI, a report
 * rebuild, a person with Ctrl-C) never sees half a file. */
#ifndef FS_ATOMIC_H
#define FS_ATOMIC_H

#include <stddef.h>

/* Writes buf to a temporary file beside path, fsyncs it and renames it over
 * path. Returns 0 or a negative errno code with err naming the file. */
int fs_atomic_write(const char *path, const void *buf, size_t len, char *err, size_t errlen);

/* mkdir -p: creates dir and its parents (0755). Returns 0 or -errno. */
int fs_mkdirs(const char *dir, char *err, size_t errlen);

#endif
