#include "atomic.h"

#include <errno.h>
#include <fcntl.h>
#include <fiu.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

/* PATH.tmp.XXXXXX: mkstemp's six characters. fs_atomic_sweep() knows a
 * leftover by this name. */
#define FS_ATOMIC_TMP_SUFFIX ".tmp."
#define FS_ATOMIC_TMP_RANDOM 6

/* The directory part of path ("." for a bare name), or NULL on ENOMEM. */
static char *fs__atomic_dirname(const char *path)
{
    const char *slash = strrchr(path, '/');

    if (slash == NULL)
        return strdup(".");
    if (slash == path)
        return strdup("/");
    return strndup(path, (size_t)(slash - path));
}

int fs_fsync_dir(const char *dir, char *err, size_t errlen)
{
    int fd, rc = 0;

    if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
        rc = -errno;
        snprintf(err, errlen, "%s: %s", dir, strerror(-rc));
        return rc;
    }
    /* Test-only failure point (tests/unit/test_atomic.c): a directory
     * fsync is otherwise hard to make fail. */
    if (fiu_fail("harness/atomic/fsync_dir")) {
        rc = -EIO;
    } else if (fsync(fd) < 0) {
        rc = -errno;
    }
    /* EINVAL: a file system that cannot sync a directory (some FUSE and
     * network ones); the rename is as durable as it will get there. */
    if (rc == -EINVAL)
        rc = 0;
    if (rc < 0)
        snprintf(err, errlen, "%s: fsync of the directory: %s", dir, strerror(-rc));
    close(fd);
    return rc;
}

int fs_atomic_rename(const char *tmp, const char *path, char *err, size_t errlen)
{
    char *dir = NULL;
    int rc;

    if (rename(tmp, path) < 0) {
        rc = -errno;
        snprintf(err, errlen, "%s: %s", path, strerror(-rc));
        return rc;
    }
    /* The rename is only on disk once the directory is: without this a
     * crash soon after can bring back the old file, or none at all. */
    if ((dir = fs__atomic_dirname(path)) == NULL) {
        snprintf(err, errlen, "%s: %s", path, strerror(ENOMEM));
        return -ENOMEM;
    }
    rc = fs_fsync_dir(dir, NULL, 0);
    if (rc < 0)
        snprintf(err, errlen, "%s: in place, but the fsync of %s failed: %s", path, dir,
                 strerror(-rc));
    free(dir);
    return rc;
}

int fs_atomic_write(const char *path, const void *buf, size_t len, char *err, size_t errlen)
{
    char *tmp = NULL;
    const char *p = buf;
    int fd = -1, rc;

    if (asprintf(&tmp, "%s" FS_ATOMIC_TMP_SUFFIX "XXXXXX", path) < 0) {
        tmp = NULL;
        rc = -ENOMEM;
        goto fail;
    }
    fd = mkstemp(tmp);
    if (fd < 0) {
        rc = -errno;
        goto fail;
    }
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            rc = -errno;
            goto fail;
        }
        p += n;
        len -= (size_t)n;
    }
    /* mkstemp makes 0600; results are for everyone on the machine to read. */
    if (fchmod(fd, 0644) < 0) {
        rc = -errno;
        goto fail;
    }
    /* Test-only failure point, as in fs_fsync_dir(). */
    if (fiu_fail("harness/atomic/fsync")) {
        rc = -EIO;
        goto fail;
    }
    if (fsync(fd) < 0) {
        rc = -errno;
        goto fail;
    }
    if (close(fd) < 0) {
        fd = -1;
        rc = -errno;
        goto fail;
    }
    fd = -1;
    rc = fs_atomic_rename(tmp, path, err, errlen);
    /* After a failed rename the temporary goes; after a failed directory
     * fsync the new file stays in place, complete: the error says its
     * durability is unknown, not that it is missing. */
    if (rc < 0)
        unlink(tmp);
    free(tmp);
    return rc;

fail:
    snprintf(err, errlen, "%s: %s", path, strerror(-rc));
    if (fd >= 0)
        close(fd);
    if (tmp != NULL) {
        unlink(tmp);
        free(tmp);
    }
    return rc;
}

int fs_mkdirs(const char *dir, char *err, size_t errlen)
{
    struct stat st;
    char *copy;
    int rc = 0;

    if (dir[0] == '\0') {
        snprintf(err, errlen, "(empty directory name): %s", strerror(ENOENT));
        return -ENOENT;
    }
    if ((copy = strdup(dir)) == NULL) {
        snprintf(err, errlen, "%s: %s", dir, strerror(ENOMEM));
        return -ENOMEM;
    }
    for (char *s = copy + 1;; s++) {
        int end = *s == '\0';
        if (*s != '/' && !end)
            continue;
        *s = '\0';
        if (mkdir(copy, 0755) < 0 && errno != EEXIST) {
            rc = -errno;
            snprintf(err, errlen, "%s: %s", copy, strerror(errno));
            break;
        }
        if (end)
            break;
        *s = '/';
    }
    /* EEXIST also means "a file is in the way": say so now rather than
     * when the first file written under it fails. */
    if (rc == 0) {
        if (stat(dir, &st) < 0)
            rc = -errno;
        else if (!S_ISDIR(st.st_mode))
            rc = -ENOTDIR;
        if (rc < 0)
            snprintf(err, errlen, "%s: %s", dir, strerror(-rc));
    }
    free(copy);
    return rc;
}

/* NAME.tmp.XXXXXX, X from mkstemp's alphabet, NAME not empty. */
static int fs__atomic_is_temp(const char *name)
{
    size_t n = strlen(name), tail = sizeof(FS_ATOMIC_TMP_SUFFIX) - 1 + FS_ATOMIC_TMP_RANDOM;
    const char *x;

    if (n <= tail || strncmp(name + n - tail, FS_ATOMIC_TMP_SUFFIX, tail - FS_ATOMIC_TMP_RANDOM))
        return 0;
    x = name + n - FS_ATOMIC_TMP_RANDOM;
    for (int i = 0; i < FS_ATOMIC_TMP_RANDOM; i++)
        if (!((x[i] >= 'a' && x[i] <= 'z') || (x[i] >= 'A' && x[i] <= 'Z') ||
              (x[i] >= '0' && x[i] <= '9')))
            return 0;
    return 1;
}

/* dirfd is consumed. Symlinks are never followed, someone else's files
 * never touched. */
static int fs__atomic_sweep_fd(int dirfd, int depth)
{
    DIR *d = fdopendir(dirfd);
    struct dirent *de;
    int removed = 0;

    if (d == NULL) {
        close(dirfd);
        return 0;
    }
    while ((de = readdir(d)) != NULL) {
        struct stat st;

        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0 ||
            fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || st.st_uid != geteuid())
            continue;
        if (S_ISREG(st.st_mode) && fs__atomic_is_temp(de->d_name)) {
            removed += unlinkat(dirfd, de->d_name, 0) == 0;
        } else if (S_ISDIR(st.st_mode) && depth > 0) {
            int sub = openat(dirfd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            if (sub >= 0)
                removed += fs__atomic_sweep_fd(sub, depth - 1);
        }
    }
    closedir(d);
    return removed;
}

int fs_atomic_sweep(const char *dir, int depth)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

    if (fd < 0)
        return -errno;
    return fs__atomic_sweep_fd(fd, depth);
}
