/* Result files are written whole or not at all: a reader (CI, a report
 * rebuild, a person with Ctrl-C) never sees half a file, and once a write
 * returned 0 the file survives a crash of the machine. */
#ifndef FS_ATOMIC_H
#define FS_ATOMIC_H

#include <stddef.h>

/* Writes buf to a temporary file beside path, fsyncs it, renames it over
 * path and fsyncs the directory. Returns 0 or a negative errno code with
 * err naming the file. On an error no temporary file is left; path is
 * either untouched or, when only the directory fsync failed (err says
 * so), already the complete new file. */
int fs_atomic_write(const char *path, const void *buf, size_t len, char *err, size_t errlen);

/* rename(tmp, path), then fsync of path's directory: for a file someone
 * else wrote completely (and fsynced) under a temporary name. Returns 0 or
 * a negative errno code with err naming the path or the directory. */
int fs_atomic_rename(const char *tmp, const char *path, char *err, size_t errlen);

/* fsync of a directory, so that renames and creations in it are on disk.
 * A file system that cannot sync directories (EINVAL) counts as done.
 * Returns 0 or a negative errno code with err naming dir. */
int fs_fsync_dir(const char *dir, char *err, size_t errlen);

/* Removes the temporary files fs_atomic_write() leaves when the process
 * dies between creating and renaming one (PATH.tmp.XXXXXX, regular files
 * of ours), in dir and its subdirectories down to depth levels; symlinks
 * are not followed. Returns how many went, or a negative errno code when
 * dir cannot be opened. */
int fs_atomic_sweep(const char *dir, int depth);

/* mkdir -p: creates dir and its parents (0755). Returns 0 or -errno. */
int fs_mkdirs(const char *dir, char *err, size_t errlen);

#endif
