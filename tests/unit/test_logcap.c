/* Unit tests for harness/logcap.c: the cap and the rotation (two files at
 * most, each within the cap, lines whole and in order across the two), a
 * line longer than the cap, an earlier log appended to, a rotation that
 * cannot rename (truncated in place), harness lines after an unfinished
 * one, and the pipe: read in the loop, drained on close. Files live in a
 * fresh directory under $TMPDIR. */
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
#include <uv.h>

#include "logcap.h"
#include "testutil.h"

#define CAP 4096

typedef struct {
    char dir[256], log[300], old[310];
} fx_t;

static int setup(void **state)
{
    fx_t *fx = calloc(1, sizeof(*fx));

    if (fx == NULL || tu_mkdtemp(fx->dir, sizeof(fx->dir), "fs-logcap") != 0) {
        free(fx);
        return -1;
    }
    snprintf(fx->log, sizeof(fx->log), "%s/p.log", fx->dir);
    snprintf(fx->old, sizeof(fx->old), "%s/p.log.1", fx->dir);
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

static long size_of(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

static void event(fs_logcap_t *lc, const char *ev, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    fs_logcap_event(lc, "info", ev, fmt, ap);
    va_end(ap);
}

/* The data lines' numbers ("line 0042 xxx...") in a file, checking that
 * every other line is a harness line; returns how many, first in *first. */
static int numbered(const char *path, int *first, int *last)
{
    char *text = tu_slurp(path, NULL), *save = NULL;
    int n = 0, prev = -1;

    assert_non_null(text);
    for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        int k;

        if (strncmp(l, "ts=", 3) == 0 && strstr(l, " svc=failsmall ") != NULL)
            continue;
        assert_int_equal(sscanf(l, "line %d", &k), 1);
        assert_int_equal(strlen(l), 99);
        if (prev >= 0)
            assert_int_equal(k, prev + 1);
        else
            *first = k;
        prev = k;
        n++;
    }
    *last = prev;
    free(text);
    return n;
}

static void test_rotate(void **state)
{
    fx_t *fx = *state;
    fs_logcap_t *lc = NULL;
    char line[128], *text;
    int first0, last0, first1, last1;

    assert_int_equal(fs_logcap_open(fx->log, "p", CAP, &lc), 0);
    for (int i = 0; i < 100; i++) {
        snprintf(line, sizeof(line), "line %04d %-89s\n", i, "x");
        assert_int_equal(strlen(line), 100);
        fs_logcap_write(lc, line, 100);
        assert_true(fs_logcap_size(lc) <= CAP);
    }
    event(lc, "exit", "status=%d", 0);
    assert_true(fs_logcap_rotations(lc) >= 2);
    fs_logcap_close(lc);

    assert_true(size_of(fx->log) <= CAP);
    assert_true(size_of(fx->old) <= CAP && size_of(fx->old) > CAP - 100);
    /* In order across the two files, nothing lost between them. */
    assert_true(numbered(fx->old, &first1, &last1) > 30);
    assert_true(numbered(fx->log, &first0, &last0) > 0);
    assert_int_equal(first0, last1 + 1);
    assert_int_equal(last0, 99);
    text = tu_slurp(fx->log, NULL);
    assert_non_null(text);
    assert_int_equal(strncmp(text, "ts=", 3), 0);
    assert_non_null(strstr(text, "level=warn event=log_rotated proc=p cap_bytes=4096 rotation="));
    assert_non_null(strstr(text, "previous=p.log.1\n"));
    assert_non_null(strstr(text, "event=exit proc=p status=0\n"));
    free(text);
}

/* A line longer than the cap is split (into a fresh file), not looped on. */
static void test_long_line(void **state)
{
    fx_t *fx = *state;
    fs_logcap_t *lc = NULL;
    size_t n = 3 * CAP;
    char *big = malloc(n);

    assert_non_null(big);
    memset(big, 'y', n);
    big[n - 1] = '\n';
    assert_int_equal(fs_logcap_open(fx->log, "p", CAP, &lc), 0);
    fs_logcap_write(lc, "short\n", 6);
    fs_logcap_write(lc, big, n);
    assert_true(fs_logcap_rotations(lc) >= 3);
    fs_logcap_close(lc);
    assert_true(size_of(fx->log) <= CAP && size_of(fx->log) > 0);
    assert_true(size_of(fx->old) <= CAP);
    free(big);
}

/* An earlier log counts against the cap; a harness line after a line left
 * unfinished starts a line of its own. */
static void test_existing(void **state)
{
    fx_t *fx = *state;
    fs_logcap_t *lc = NULL;
    char *text;
    int fd = open(fx->log, O_WRONLY | O_CREAT | O_TRUNC, 0644);

    assert_true(fd >= 0);
    assert_int_equal(write(fd, "earlier\nunfinished", 18), 18);
    close(fd);
    assert_int_equal(fs_logcap_open(fx->log, "p", CAP, &lc), 0);
    assert_int_equal(fs_logcap_size(lc), 18);
    event(lc, "start", "n=%d", 1);
    fs_logcap_write(lc, "half", 4);
    event(lc, "exit", "n=%d", 2);
    fs_logcap_close(lc);
    text = tu_slurp(fx->log, NULL);
    assert_non_null(text);
    assert_int_equal(strncmp(text, "earlier\nunfinished\nts=", 22), 0);
    assert_non_null(strstr(text, "event=start proc=p n=1\nhalf\nts="));
    assert_non_null(strstr(text, "event=exit proc=p n=2\n"));
    free(text);
}

/* NAME.log.1 cannot be replaced (a directory with something in it): the
 * log is truncated in place, and the cap still holds. */
static void test_rotate_fails(void **state)
{
    fx_t *fx = *state;
    fs_logcap_t *lc = NULL;
    char inner[400], line[128], *text;

    assert_int_equal(mkdir(fx->old, 0755), 0);
    snprintf(inner, sizeof(inner), "%s/keep", fx->old);
    close(open(inner, O_WRONLY | O_CREAT, 0644));
    assert_int_equal(fs_logcap_open(fx->log, "p", CAP, &lc), 0);
    for (int i = 0; i < 100; i++) {
        snprintf(line, sizeof(line), "line %04d %-89s\n", i, "x");
        fs_logcap_write(lc, line, 100);
    }
    assert_true(fs_logcap_rotations(lc) >= 2);
    fs_logcap_close(lc);
    assert_true(size_of(fx->log) <= CAP);
    text = tu_slurp(fx->log, NULL);
    assert_non_null(text);
    assert_non_null(strstr(text, "event=log_rotated proc=p cap_bytes=4096 rotation="));
    assert_non_null(strstr(text, "previous=none\n"));
    assert_non_null(strstr(text, "line 0099 "));
    free(text);
}

static void test_open_errors(void **state)
{
    fx_t *fx = *state;
    fs_logcap_t *lc = NULL;
    char p[400];

    assert_int_equal(fs_logcap_open(fx->log, "p", FS_LOGCAP_MIN_BYTES - 1, &lc), -EINVAL);
    assert_int_equal(fs_logcap_open(NULL, "p", 0, &lc), -EINVAL);
    snprintf(p, sizeof(p), "%s/missing/p.log", fx->dir);
    assert_int_equal(fs_logcap_open(p, "p", 0, &lc), -ENOENT);
    assert_null(lc);
    /* Without a file nothing happens, and nothing crashes. */
    fs_logcap_write(NULL, "x", 1);
    fs_logcap_close(NULL);
    assert_int_equal(fs_logcap_unpipe(NULL, NULL, NULL), 0);
}

static void closed_cb(void *data)
{
    (*(int *)data)++;
}

static void stop_cb(uv_timer_t *t)
{
    uv_stop(t->loop);
}

/* The pipe: read from the loop, then what is left drained on close. */
static void test_pipe(void **state)
{
    fx_t *fx = *state;
    fs_logcap_t *lc = NULL;
    uv_loop_t loop;
    uv_timer_t t;
    int fd = -1, fd2 = -1, closed = 0;
    char *text;

    assert_int_equal(uv_loop_init(&loop), 0);
    assert_int_equal(fs_logcap_open(fx->log, "p", 0, &lc), 0);
    assert_int_equal(fs_logcap_pipe(lc, &loop, &fd), 0);
    assert_true(fd > 2);
    assert_int_equal(fcntl(fd, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
    /* The writer's end blocks when full: the process waits, not fails. */
    assert_int_equal(fcntl(fd, F_GETFL) & O_NONBLOCK, 0);
    assert_int_equal(fs_logcap_pipe(lc, &loop, &fd2), -EBUSY);

    assert_int_equal(write(fd, "read in the loop\n", 17), 17);
    uv_timer_init(&loop, &t);
    uv_timer_start(&t, stop_cb, 50, 0);
    uv_run(&loop, UV_RUN_DEFAULT);
    assert_int_equal(fs_logcap_size(lc), 17);

    assert_int_equal(write(fd, "drained", 7), 7);
    close(fd);
    assert_int_equal(fs_logcap_unpipe(lc, closed_cb, &closed), 1);
    assert_int_equal(closed, 0); /* from the loop */
    event(lc, "exit", "n=%d", 1);
    assert_int_equal(fs_logcap_unpipe(lc, closed_cb, &closed), 0);
    uv_close((uv_handle_t *)&t, NULL);
    uv_run(&loop, UV_RUN_DEFAULT);
    assert_int_equal(closed, 1);
    assert_int_equal(uv_loop_close(&loop), 0);

    /* A new pipe once the old one is closed. */
    assert_int_equal(uv_loop_init(&loop), 0);
    assert_int_equal(fs_logcap_pipe(lc, &loop, &fd), 0);
    close(fd);
    assert_int_equal(fs_logcap_unpipe(lc, NULL, NULL), 1);
    uv_run(&loop, UV_RUN_DEFAULT);
    assert_int_equal(uv_loop_close(&loop), 0);
    fs_logcap_close(lc);

    text = tu_slurp(fx->log, NULL);
    assert_non_null(text);
    assert_int_equal(strncmp(text, "read in the loop\ndrained\nts=", 28), 0);
    assert_non_null(strstr(text, "event=exit proc=p n=1\n"));
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_rotate, setup, teardown),
        cmocka_unit_test_setup_teardown(test_long_line, setup, teardown),
        cmocka_unit_test_setup_teardown(test_existing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rotate_fails, setup, teardown),
        cmocka_unit_test_setup_teardown(test_open_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pipe, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
