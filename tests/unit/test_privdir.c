/* Unit tests for harness/privdir.c: the fifo directory is made 0700 or
 * refused (a symlink, a file, someone else's), and the sweep removes fifos
 * only, only in a real directory of ours. Files live in a fresh directory
 * under $TMPDIR. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "privdir.h"
#include "testutil.h"

typedef struct {
    char dir[256];
} fx_t;

static int setup(void **state)
{
    fx_t *fx = calloc(1, sizeof(*fx));

    if (fx == NULL || tu_mkdtemp(fx->dir, sizeof(fx->dir), "fs-privdir") != 0) {
        free(fx);
        return -1;
    }
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fx_t *fx = *state;

    tu_rmtree(fx->dir);
    free(fx);
    return 0;
}

static void sub(const fx_t *fx, const char *rel, char *buf, size_t len)
{
    snprintf(buf, len, "%s/%s", fx->dir, rel);
}

static mode_t mode_of(const char *p)
{
    struct stat st;

    assert_int_equal(lstat(p, &st), 0);
    return st.st_mode;
}

static int exists(const char *p)
{
    struct stat st;

    return lstat(p, &st) == 0;
}

static void test_make(void **state)
{
    fx_t *fx = *state;
    char p[400], q[400], err[512];
    mode_t old = umask(0);

    /* New: 0700 whatever the umask. */
    sub(fx, "fiu", p, sizeof(p));
    assert_int_equal(fs_privdir_make(p, err, sizeof(err)), 0);
    assert_true(S_ISDIR(mode_of(p)));
    assert_int_equal(mode_of(p) & 07777, 0700);
    assert_int_equal(fs_privdir_make(p, err, sizeof(err)), 0);

    /* An earlier run's, too open: made private again. */
    assert_int_equal(chmod(p, 0777), 0);
    assert_int_equal(fs_privdir_make(p, err, sizeof(err)), 0);
    assert_int_equal(mode_of(p) & 07777, 0700);
    umask(old);

    /* A symlink to a directory is refused, and the target left as it was. */
    sub(fx, "elsewhere", q, sizeof(q));
    assert_int_equal(mkdir(q, 0755), 0);
    sub(fx, "link", p, sizeof(p));
    assert_int_equal(symlink(q, p), 0);
    err[0] = '\0';
    assert_int_equal(fs_privdir_make(p, err, sizeof(err)), -ELOOP);
    assert_non_null(strstr(err, p));
    assert_non_null(strstr(err, "symbolic link"));
    assert_int_equal(mode_of(q) & 07777, 0755);

    /* A file in the way. */
    sub(fx, "plain", p, sizeof(p));
    close(open(p, O_WRONLY | O_CREAT, 0644));
    assert_int_equal(fs_privdir_make(p, err, sizeof(err)), -ENOTDIR);
    assert_non_null(strstr(err, p));

    /* A missing parent. */
    sub(fx, "no/fiu", p, sizeof(p));
    assert_int_equal(fs_privdir_make(p, err, sizeof(err)), -ENOENT);

    /* Someone else's (only root can make one to try). */
    if (geteuid() == 0) {
        sub(fx, "theirs", p, sizeof(p));
        assert_int_equal(mkdir(p, 0700), 0);
        assert_int_equal(chown(p, 65534, 65534), 0);
        err[0] = '\0';
        assert_int_equal(fs_privdir_make(p, err, sizeof(err)), -EPERM);
        assert_non_null(strstr(err, "owned by uid 65534"));
        assert_int_equal(fs_privdir_sweep(p), -EPERM);
    }
}

static void test_sweep(void **state)
{
    fx_t *fx = *state;
    char d[400], p[500], q[400], err[256];

    sub(fx, "fiu", d, sizeof(d));
    assert_int_equal(fs_privdir_make(d, err, sizeof(err)), 0);
    for (int i = 0; i < 3; i++) {
        snprintf(p, sizeof(p), "%s/proxy[%d]-%d.in", d, i, 100 + i);
        assert_int_equal(mkfifo(p, 0600), 0);
    }
    snprintf(p, sizeof(p), "%s/keep.txt", d);
    close(open(p, O_WRONLY | O_CREAT, 0644));

    /* Fifos go, anything else stays, and so does the directory then. */
    assert_int_equal(fs_privdir_sweep(d), 3);
    assert_true(exists(p));
    assert_true(exists(d));
    assert_int_equal(unlink(p), 0);
    snprintf(p, sizeof(p), "%s/botmod[0]-7.out", d);
    assert_int_equal(mkfifo(p, 0600), 0);
    assert_int_equal(fs_privdir_sweep(d), 1);
    assert_false(exists(d));
    assert_int_equal(fs_privdir_sweep(d), -ENOENT);

    /* Never through a symlink. */
    sub(fx, "elsewhere", q, sizeof(q));
    assert_int_equal(mkdir(q, 0700), 0);
    snprintf(p, sizeof(p), "%s/theirs.in", q);
    assert_int_equal(mkfifo(p, 0600), 0);
    assert_int_equal(symlink(q, d), 0);
    assert_true(fs_privdir_sweep(d) < 0);
    assert_true(exists(p));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_make, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sweep, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
