#include "privdir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int fs_privdir_make(const char *dir, char *err, size_t errlen)
{
    struct stat st;
    int fd, rc = 0;

    if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
        rc = -errno;
        snprintf(err, errlen, "%s: %s", dir, strerror(-rc));
        return rc;
    }
    /* Checked through the descriptor, not the name, so that nobody can
     * swap the directory between the check and the chmod. */
    if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
        rc = -errno;
        /* O_NOFOLLOW on a symlink: ELOOP, or ENOTDIR with O_DIRECTORY. */
        if (lstat(dir, &st) == 0 && S_ISLNK(st.st_mode))
            rc = -ELOOP;
        snprintf(err, errlen, "%s: %s", dir,
                 rc == -ELOOP ? "a symbolic link, not a private directory" : strerror(-rc));
        return rc;
    }
    if (fstat(fd, &st) < 0) {
        rc = -errno;
        snprintf(err, errlen, "%s: %s", dir, strerror(-rc));
    } else if (st.st_uid != geteuid()) {
        rc = -EPERM;
        snprintf(err, errlen, "%s: owned by uid %u, not by us (uid %u)", dir, (unsigned)st.st_uid,
                 (unsigned)geteuid());
    } else if ((st.st_mode & 07777) != 0700 && fchmod(fd, 0700) < 0) {
        rc = -errno;
        snprintf(err, errlen, "%s: chmod 0700: %s", dir, strerror(-rc));
    }
    close(fd);
    return rc;
}

int fs_privdir_sweep(const char *dir)
{
    struct dirent *e;
    struct stat st;
    int n = 0, others = 0, fd;
    DIR *d;

    /* Never through a symlink, never in someone else's directory: only
     * what this harness made is removed. */
    if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
        return -errno;
    if (fstat(fd, &st) < 0 || st.st_uid != geteuid() || (d = fdopendir(fd)) == NULL) {
        close(fd);
        return -EPERM;
    }
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISFIFO(st.st_mode) &&
            unlinkat(dirfd(d), e->d_name, 0) == 0)
            n++;
        else
            others++;
    }
    closedir(d);
    if (others == 0)
        rmdir(dir);
    return n;
}
