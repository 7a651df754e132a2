/* Unit tests for harness/atomic.c: whole-file replacement with no temporary
 * left behind, clean failures naming the path, the fsyncs of the file and of
 * its directory (made to fail through the module's libfiu points), mkdir -p.
 * Everything happens in a fresh directory under $TMPDIR (or /tmp), removed
 * afterwards. */
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
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
#include <fiu-control.h>
#include <fiu.h>

#include "atomic.h"
#include "testutil.h"

typedef struct {
    char dir[256];
} fx_t;

static int setup(void **state)
{
    fx_t *fx = calloc(1, sizeof(*fx));

    if (fx == NULL)
        return -1;
    if (tu_mkdtemp(fx->dir, sizeof(fx->dir), "fs-atomic") != 0) {
        free(fx);
        return -1;
    }
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fx_t *fx = *state;

    chmod(fx->dir, 0700);
    tu_rmtree(fx->dir);
    free(fx);
    return 0;
}

static void path(const fx_t *fx, const char *rel, char *buf, size_t len)
{
    snprintf(buf, len, "%s/%s", fx->dir, rel);
}

/* The whole file, NUL-terminated, or NULL when it cannot be read. */
static char *slurp(const char *p, size_t *len)
{
    FILE *f = fopen(p, "rb");
    char *buf = calloc(1, 65536);
    size_t n;

    if (f == NULL || buf == NULL) {
        if (f)
            fclose(f);
        free(buf);
        return NULL;
    }
    n = fread(buf, 1, 65535, f);
    fclose(f);
    *len = n;
    return buf;
}

static void test_write_and_replace(void **state)
{
    fx_t *fx = *state;
    char p[512], err[512] = "";
    char *got;
    size_t len = 0;
    struct stat st;
    int tmp;

    path(fx, "results.json", p, sizeof(p));
    assert_int_equal(fs_atomic_write(p, "{\"a\":1234567890}\n", 17, err, sizeof(err)), 0);
    got = slurp(p, &len);
    assert_non_null(got);
    assert_int_equal(len, 17);
    assert_string_equal(got, "{\"a\":1234567890}\n");
    free(got);
    assert_int_equal(stat(p, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0644);

    /* Shorter content replaces, not overwrites in place. */
    assert_int_equal(fs_atomic_write(p, "{}", 2, err, sizeof(err)), 0);
    got = slurp(p, &len);
    assert_non_null(got);
    assert_int_equal(len, 2);
    assert_string_equal(got, "{}");
    free(got);

    /* Empty is a file too; and bytes past a NUL are kept. */
    assert_int_equal(fs_atomic_write(p, "", 0, err, sizeof(err)), 0);
    assert_int_equal(stat(p, &st), 0);
    assert_int_equal(st.st_size, 0);
    assert_int_equal(fs_atomic_write(p, "a\0b", 3, err, sizeof(err)), 0);
    got = slurp(p, &len);
    assert_non_null(got);
    assert_int_equal(len, 3);
    assert_memory_equal(got, "a\0b", 3);
    free(got);

    assert_int_equal(tu_entries(fx->dir, &tmp), 1);
    assert_int_equal(tmp, 0);
}

static void test_large(void **state)
{
    fx_t *fx = *state;
    char p[512], err[256];
    size_t n = 8u << 20;
    char *buf = malloc(n);
    struct stat st;
    int tmp;

    assert_non_null(buf);
    for (size_t i = 0; i < n; i++)
        buf[i] = (char)('a' + i % 26);
    path(fx, "big", p, sizeof(p));
    assert_int_equal(fs_atomic_write(p, buf, n, err, sizeof(err)), 0);
    assert_int_equal(stat(p, &st), 0);
    assert_int_equal((size_t)st.st_size, n);
    free(buf);
    assert_int_equal(tu_entries(fx->dir, &tmp), 1);
    assert_int_equal(tmp, 0);
}

static void test_write_failures(void **state)
{
    fx_t *fx = *state;
    char p[512], file[512], err[512];
    int tmp;

    /* A missing directory. */
    path(fx, "nope/results.json", p, sizeof(p));
    err[0] = '\0';
    assert_int_equal(fs_atomic_write(p, "x", 1, err, sizeof(err)), -ENOENT);
    assert_non_null(strstr(err, p));
    assert_non_null(strstr(err, strerror(ENOENT)));

    /* A regular file where the directory should be (works as root too). */
    path(fx, "plain", file, sizeof(file));
    assert_int_equal(fs_atomic_write(file, "x", 1, err, sizeof(err)), 0);
    path(fx, "plain/results.json", p, sizeof(p));
    err[0] = '\0';
    assert_int_equal(fs_atomic_write(p, "x", 1, err, sizeof(err)), -ENOTDIR);
    assert_non_null(strstr(err, p));

    /* The target is a directory: the rename fails, the temporary goes. */
    path(fx, "adir", p, sizeof(p));
    assert_int_equal(mkdir(p, 0755), 0);
    err[0] = '\0';
    assert_true(fs_atomic_write(p, "x", 1, err, sizeof(err)) < 0);
    assert_non_null(strstr(err, p));

    /* A directory we may not write to (root may write anywhere). */
    if (geteuid() != 0) {
        path(fx, "ro", p, sizeof(p));
        assert_int_equal(mkdir(p, 0555), 0);
        path(fx, "ro/results.json", p, sizeof(p));
        err[0] = '\0';
        assert_int_equal(fs_atomic_write(p, "x", 1, err, sizeof(err)), -EACCES);
        assert_non_null(strstr(err, p));
    }

    /* No error message buffer at all is fine. */
    path(fx, "nope/results.json", p, sizeof(p));
    assert_int_equal(fs_atomic_write(p, "x", 1, NULL, 0), -ENOENT);

    assert_true(tu_entries(fx->dir, &tmp) >= 2);
    assert_int_equal(tmp, 0);
}

/* A failed fsync of the temporary file: the old file stays as it was, no
 * temporary is left, the error names the file. */
static void test_fsync_file_fails(void **state)
{
    fx_t *fx = *state;
    char p[512], err[512] = "";
    char *got;
    size_t len = 0;
    int tmp;

    path(fx, "results.json", p, sizeof(p));
    assert_int_equal(fs_atomic_write(p, "old", 3, err, sizeof(err)), 0);
    assert_int_equal(fiu_enable("harness/atomic/fsync", 1, NULL, 0), 0);
    assert_int_equal(fs_atomic_write(p, "new and longer", 14, err, sizeof(err)), -EIO);
    fiu_disable("harness/atomic/fsync");
    assert_non_null(strstr(err, p));
    assert_non_null(strstr(err, strerror(EIO)));
    got = slurp(p, &len);
    assert_non_null(got);
    assert_int_equal(len, 3);
    assert_string_equal(got, "old");
    free(got);
    assert_int_equal(tu_entries(fx->dir, &tmp), 1);
    assert_int_equal(tmp, 0);
}

/* The directory is fsynced after the rename (the point is reached, and its
 * failure is reported, naming both); the file is then already complete. */
static void test_fsync_dir_fails(void **state)
{
    fx_t *fx = *state;
    char p[512], err[512] = "";
    char *got;
    size_t len = 0;
    int tmp;

    path(fx, "report.html", p, sizeof(p));
    assert_int_equal(fs_atomic_write(p, "old", 3, err, sizeof(err)), 0);
    assert_int_equal(fiu_enable("harness/atomic/fsync_dir", 1, NULL, 0), 0);
    assert_int_equal(fs_atomic_write(p, "new and longer", 14, err, sizeof(err)), -EIO);
    fiu_disable("harness/atomic/fsync_dir");
    assert_non_null(strstr(err, p));
    assert_non_null(strstr(err, "fsync"));
    assert_non_null(strstr(err, strerror(EIO)));
    got = slurp(p, &len);
    assert_non_null(got);
    assert_int_equal(len, 14);
    assert_string_equal(got, "new and longer");
    free(got);
    assert_int_equal(tu_entries(fx->dir, &tmp), 1);
    assert_int_equal(tmp, 0);

    /* Every write syncs its directory: a one-time failure fails exactly
     * the next write and no other. */
    assert_int_equal(fiu_enable("harness/atomic/fsync_dir", 1, NULL, FIU_ONETIME), 0);
    assert_int_equal(fs_atomic_write(p, "a", 1, err, sizeof(err)), -EIO);
    assert_int_equal(fs_atomic_write(p, "b", 1, err, sizeof(err)), 0);
    fiu_disable("harness/atomic/fsync_dir");

    /* The helpers on their own. */
    err[0] = '\0';
    assert_int_equal(fs_fsync_dir(fx->dir, err, sizeof(err)), 0);
    path(fx, "missing", p, sizeof(p));
    assert_int_equal(fs_fsync_dir(p, err, sizeof(err)), -ENOENT);
    assert_non_null(strstr(err, p));
    path(fx, "report.html", p, sizeof(p));
    assert_int_equal(fs_fsync_dir(p, err, sizeof(err)), -ENOTDIR);
    path(fx, "nothing.tmp", p, sizeof(p));
    char q[512];
    path(fx, "renamed", q, sizeof(q));
    assert_int_equal(fs_atomic_rename(p, q, err, sizeof(err)), -ENOENT);
    assert_non_null(strstr(err, q));
}

/* A bare file name: its directory is ".". */
static void test_bare_name(void **state)
{
    fx_t *fx = *state;
    char cwd[512], err[256];
    struct stat st;

    assert_non_null(getcwd(cwd, sizeof(cwd)));
    assert_int_equal(chdir(fx->dir), 0);
    assert_int_equal(fs_atomic_write("bare.json", "{}", 2, err, sizeof(err)), 0);
    assert_int_equal(stat("bare.json", &st), 0);
    assert_int_equal(st.st_size, 2);
    assert_int_equal(chdir(cwd), 0);
}

static int is_dir(const char *p)
{
    struct stat st;

    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static void test_mkdirs(void **state)
{
    fx_t *fx = *state;
    char p[512], q[512], err[512];
    struct stat st;

    path(fx, "a/b/c/d", p, sizeof(p));
    assert_int_equal(fs_mkdirs(p, err, sizeof(err)), 0);
    assert_true(is_dir(p));
    assert_int_equal(stat(p, &st), 0);
    assert_int_equal(st.st_mode & 0700, 0700);
    /* Idempotent, for the leaf and for a parent. */
    assert_int_equal(fs_mkdirs(p, err, sizeof(err)), 0);
    path(fx, "a/b", q, sizeof(q));
    assert_int_equal(fs_mkdirs(q, err, sizeof(err)), 0);

    /* Trailing and doubled slashes. */
    path(fx, "t/u/", p, sizeof(p));
    assert_int_equal(fs_mkdirs(p, err, sizeof(err)), 0);
    path(fx, "t/u", q, sizeof(q));
    assert_true(is_dir(q));
    assert_int_equal(fs_mkdirs(p, err, sizeof(err)), 0);
    path(fx, "v//w///", p, sizeof(p));
    assert_int_equal(fs_mkdirs(p, err, sizeof(err)), 0);
    path(fx, "v/w", q, sizeof(q));
    assert_true(is_dir(q));

    /* The existing temp dir itself, and the root. */
    assert_int_equal(fs_mkdirs(fx->dir, err, sizeof(err)), 0);
    assert_int_equal(fs_mkdirs("/", err, sizeof(err)), 0);
}

static void test_mkdirs_failures(void **state)
{
    fx_t *fx = *state;
    char p[512], file[512], err[512];

    path(fx, "plain", file, sizeof(file));
    assert_int_equal(fs_atomic_write(file, "x", 1, err, sizeof(err)), 0);

    /* Under a regular file. */
    path(fx, "plain/sub/dir", p, sizeof(p));
    err[0] = '\0';
    assert_int_equal(fs_mkdirs(p, err, sizeof(err)), -ENOTDIR);
    assert_non_null(strstr(err, file));

    /* The leaf itself is a regular file: not a directory, whatever mkdir's
     * EEXIST said. */
    err[0] = '\0';
    assert_int_equal(fs_mkdirs(file, err, sizeof(err)), -ENOTDIR);
    assert_non_null(strstr(err, file));
    path(fx, "plain/", p, sizeof(p));
    assert_true(fs_mkdirs(p, err, sizeof(err)) < 0);

    /* An empty name. */
    err[0] = '\0';
    assert_int_equal(fs_mkdirs("", err, sizeof(err)), -ENOENT);
    assert_true(err[0] != '\0');

    if (geteuid() != 0) {
        path(fx, "ro", p, sizeof(p));
        assert_int_equal(mkdir(p, 0555), 0);
        path(fx, "ro/x/y", p, sizeof(p));
        assert_int_equal(fs_mkdirs(p, err, sizeof(err)), -EACCES);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_write_and_replace, setup, teardown),
        cmocka_unit_test_setup_teardown(test_large, setup, teardown),
        cmocka_unit_test_setup_teardown(test_write_failures, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fsync_file_fails, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fsync_dir_fails, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bare_name, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mkdirs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mkdirs_failures, setup, teardown),
    };

    fiu_init(0);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
