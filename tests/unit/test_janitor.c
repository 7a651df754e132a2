/* Unit tests for harness/janitor.c: once the harness is gone, however it
 * went, the janitor waits for the fleet (its lifeline), removes the fifos
 * and the temporary files it was told about and nothing else, and exits;
 * it gives up waiting after FS_JANITOR_WAIT_MS; it shrugs off a ^C. The
 * "harness" here is a forked child that dies with _exit(), its "fleet" a
 * /bin/sleep that inherited the lifeline; this test process is their
 * subreaper, so it reaps them and the janitor itself. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "janitor.h"
#include "testutil.h"

typedef struct {
    char dir[256], fiu[300], out[300];
} fx_t;

static long long now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void touch(const fx_t *fx, const char *rel)
{
    char p[512];
    int fd;

    snprintf(p, sizeof(p), "%s/%s", fx->dir, rel);
    assert_true((fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600)) >= 0);
    assert_int_equal(write(fd, "x", 1), 1);
    close(fd);
}

static int exists(const fx_t *fx, const char *rel)
{
    char p[512];
    struct stat st;

    snprintf(p, sizeof(p), "%s/%s", fx->dir, rel);
    return lstat(p, &st) == 0;
}

static void mkdir_rel(const fx_t *fx, const char *rel)
{
    char p[512];

    snprintf(p, sizeof(p), "%s/%s", fx->dir, rel);
    assert_int_equal(mkdir(p, 0700), 0);
}

/* fiu/ with two fifos and a file; out/ with temporary files at depths 0,
 * 2 and 4, files that only look like them, and a symlink to a directory
 * that holds one. */
static int setup(void **state)
{
    fx_t *fx = calloc(1, sizeof(*fx));
    char p[512], link[512];

    if (fx == NULL || tu_mkdtemp(fx->dir, sizeof(fx->dir), "fs-janitor") != 0) {
        free(fx);
        return -1;
    }
    snprintf(fx->fiu, sizeof(fx->fiu), "%s/fiu", fx->dir);
    snprintf(fx->out, sizeof(fx->out), "%s/out", fx->dir);
    mkdir_rel(fx, "fiu");
    for (int i = 0; i < 2; i++) {
        snprintf(p, sizeof(p), "%s/botmod[%d]-123.in", fx->fiu, i);
        assert_int_equal(mkfifo(p, 0600), 0);
    }
    touch(fx, "fiu/notes.txt");
    mkdir_rel(fx, "out");
    mkdir_rel(fx, "out/a");
    mkdir_rel(fx, "out/a/b");
    mkdir_rel(fx, "out/a/b/c");
    mkdir_rel(fx, "out/a/b/c/d");
    mkdir_rel(fx, "elsewhere");
    touch(fx, "out/results.json");
    touch(fx, "out/results.json.tmp.AbC123");
    touch(fx, "out/a/b/report.html.tmp.zz09Zz");
    touch(fx, "out/a/b/c/d/deep.json.tmp.qqqqqq");
    touch(fx, "out/short.tmp.abc");
    touch(fx, "out/punct.tmp.ab-c12");
    touch(fx, "out/.tmp.abcdef");
    touch(fx, "elsewhere/x.json.tmp.aaaaaa");
    snprintf(p, sizeof(p), "%s/elsewhere", fx->dir);
    snprintf(link, sizeof(link), "%s/link", fx->out);
    assert_int_equal(symlink(p, link), 0);
    assert_int_equal(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
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

static void assert_untouched_lookalikes(const fx_t *fx)
{
    assert_true(exists(fx, "out/results.json"));
    assert_true(exists(fx, "out/a/b/c/d/deep.json.tmp.qqqqqq")); /* below depth 3 */
    assert_true(exists(fx, "out/short.tmp.abc"));
    assert_true(exists(fx, "out/punct.tmp.ab-c12"));
    assert_true(exists(fx, "out/.tmp.abcdef"));
    assert_true(exists(fx, "elsewhere/x.json.tmp.aaaaaa")); /* behind a symlink */
    assert_true(exists(fx, "fiu/notes.txt"));
}

/* Forks a harness that starts the janitor, tells it about fx, starts a
 * fleet of one (sleep fleet_s, holding the lifeline) and dies at once.
 * Returns after the harness is reaped; *janitor and *fleet are their pids. */
static void harness_dies(const fx_t *fx, const char *fleet_s, pid_t *janitor, pid_t *fleet)
{
    int report[2], status;
    pid_t harness, pids[2];

    assert_int_equal(pipe(report), 0);
    harness = fork();
    assert_true(harness >= 0);
    if (harness == 0) {
        fs_janitor_t *j;
        char err[256];

        close(report[0]);
        if (fs_janitor_start(&j, err, sizeof(err)) < 0 || fs_janitor_watch_fifos(j, fx->fiu) < 0 ||
            fs_janitor_watch_temps(j, fx->out, 3) < 0)
            _exit(1);
        pids[0] = (pid_t)fs_janitor_pid(j);
        if ((pids[1] = fork()) == 0) {
            /* As a fleet process gets it: a plain inherited fd, every
             * other pipe of the harness closed at exec. */
            if (dup2(fs_janitor_lifeline(j), 3) < 0)
                _exit(1);
            execl("/bin/sleep", "sleep", fleet_s, (char *)NULL);
            _exit(127);
        }
        if (write(report[1], pids, sizeof(pids)) != (ssize_t)sizeof(pids))
            _exit(1);
        _exit(0); /* as a SIGKILL would: nothing cleaned, nothing closed by hand */
    }
    close(report[1]);
    assert_int_equal(read(report[0], pids, sizeof(pids)), (ssize_t)sizeof(pids));
    close(report[0]);
    assert_int_equal(waitpid(harness, &status, 0), harness);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    *janitor = pids[0];
    *fleet = pids[1];
}

static void test_sweeps_once_the_fleet_is_gone(void **state)
{
    fx_t *fx = *state;
    pid_t janitor, fleet;
    long long t0, fleet_gone, janitor_gone;
    int status;

    harness_dies(fx, "0.4", &janitor, &fleet);
    t0 = now_ms();
    /* The harness is gone, the fleet is not: a fleet process could still
     * make a fifo, so nothing is swept yet. */
    usleep(150 * 1000);
    assert_true(exists(fx, "fiu/botmod[0]-123.in"));
    assert_true(exists(fx, "out/results.json.tmp.AbC123"));
    assert_int_equal(waitpid(fleet, &status, 0), fleet);
    fleet_gone = now_ms();
    assert_int_equal(waitpid(janitor, &status, 0), janitor);
    janitor_gone = now_ms();
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    assert_true(janitor_gone - fleet_gone < 300);
    assert_true(janitor_gone - t0 < 400 + FS_JANITOR_WAIT_MS);

    assert_false(exists(fx, "fiu/botmod[0]-123.in"));
    assert_false(exists(fx, "fiu/botmod[1]-123.in"));
    assert_false(exists(fx, "out/results.json.tmp.AbC123"));
    assert_false(exists(fx, "out/a/b/report.html.tmp.zz09Zz"));
    assert_untouched_lookalikes(fx);
}

static void test_gives_up_waiting_for_the_fleet(void **state)
{
    fx_t *fx = *state;
    pid_t janitor, fleet;
    long long t0, took;
    int status;

    harness_dies(fx, "30", &janitor, &fleet);
    t0 = now_ms();
    assert_int_equal(waitpid(janitor, &status, 0), janitor);
    took = now_ms() - t0;
    assert_true(took >= FS_JANITOR_WAIT_MS - 100);
    assert_true(took < FS_JANITOR_WAIT_MS + 400);
    assert_false(exists(fx, "fiu/botmod[0]-123.in"));
    assert_false(exists(fx, "out/results.json.tmp.AbC123"));
    assert_untouched_lookalikes(fx);
    /* Our own descendant, not reaped yet: its pid cannot be anyone else's. */
    kill(fleet, SIGKILL);
    assert_int_equal(waitpid(fleet, &status, 0), fleet);
}

/* The harness's normal end: close, the janitor sweeps and is reaped. A
 * ^C to the janitor, as a terminal sends its whole process group, is
 * ignored. */
static void test_close_reaps_and_ignores_sigint(void **state)
{
    fx_t *fx = *state;
    fs_janitor_t *j;
    char err[256];
    pid_t pid;

    assert_int_equal(fs_janitor_start(&j, err, sizeof(err)), 0);
    pid = (pid_t)fs_janitor_pid(j);
    assert_int_equal(fs_janitor_watch_temps(j, fx->out, 3), 0);
    assert_int_equal(kill(pid, SIGINT), 0);
    assert_int_equal(kill(pid, SIGTERM), 0);
    usleep(50 * 1000);
    assert_int_equal(waitpid(pid, NULL, WNOHANG), 0); /* still there */
    assert_true(exists(fx, "out/results.json.tmp.AbC123"));
    fs_janitor_close(j);
    assert_int_equal(waitpid(pid, NULL, WNOHANG), -1); /* reaped by close */
    assert_int_equal(errno, ECHILD);
    assert_false(exists(fx, "out/results.json.tmp.AbC123"));
    assert_true(exists(fx, "fiu/botmod[0]-123.in")); /* never named: left alone */
    assert_untouched_lookalikes(fx);
}

static void test_refuses_a_path_too_long(void **state)
{
    fs_janitor_t *j;
    char err[256], *path = malloc(5000);

    (void)state;
    assert_non_null(path);
    memset(path, 'a', 4999);
    path[4999] = '\0';
    assert_int_equal(fs_janitor_start(&j, err, sizeof(err)), 0);
    assert_int_equal(fs_janitor_watch_fifos(j, path), -ENAMETOOLONG);
    assert_int_equal(fs_janitor_watch_temps(j, path, 1), -ENAMETOOLONG);
    fs_janitor_close(j);
    free(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_sweeps_once_the_fleet_is_gone, setup, teardown),
        cmocka_unit_test_setup_teardown(test_gives_up_waiting_for_the_fleet, setup, teardown),
        cmocka_unit_test_setup_teardown(test_close_reaps_and_ignores_sigint, setup, teardown),
        cmocka_unit_test(test_refuses_a_path_too_long),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
