#include "atomic.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int fs_atomic_write(const char *path, const void *buf, size_t len, char *err, size_t errlen)
{
    char *tmp = NULL;
    const char *p = buf;
    int fd = -1, rc;

    if (asprintf(&tmp, "%s.tmp.XXXXXX", path) < 0) {
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
    if (fchmod(fd, 0644) < 0 || fsync(fd) < 0) {
        rc = -errno;
        goto fail;
    }
    if (close(fd) < 0) {
        fd = -1;
        rc = -errno;
        goto fail;
    }
    fd = -1;
    if (rename(tmp, path) < 0) {
        rc = -errno;
        goto fail;
    }
    free(tmp);
    return 0;

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
