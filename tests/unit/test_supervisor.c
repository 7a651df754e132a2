/* The supervisor and fs-exec against real processes: fs-origin readiness,
 * crash restarts with backoff and a crash-loop event, SIGTERM then SIGKILL
 * on stop, signals to the current incarnation only, the extra environment,
 * the log file, the emergency kill, and PR_SET_PDEATHSIG when the
 * supervising process is SIGKILLed. fs-exec comes from $FS_EXEC, else
 * $FS_BUILD/fs-exec, else next to this binary's build dir; tests skip when
 * it has not been built. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <uv.h>

#include "logcap.h"
#include "privdir.h"
#include "supervisor.h"
#include "testutil.h"

#define MAX_EVENTS 256

static char exec_path[PATH_MAX];
static char origin_path[PATH_MAX];

typedef struct {
    fs_sup_event_type_t type;
    char name[32];
    int pid;
    int64_t exit_status;
    int term_signal;
    char signame[16];
    unsigned attempt, restarts;
    uint64_t backoff_ms, t_ms;
} rec_t;

typedef struct ctx_s ctx_t;
typedef int (*pred_fn)(ctx_t *c);

struct ctx_s {
    uv_loop_t loop;
    fs_sup_t *sup;
    uint64_t t0;
    rec_t ev[MAX_EVENTS];
    int nev;
    int ready_calls, ready_status;
    char ready_err[384];
    int done;
    uint64_t done_ms;
    char dir[64];
    uv_timer_t poll;
    pred_fn pred;
    uint64_t deadline;
    int pred_ok;
    int notify_fd; /* pdeathsig child: where to write the pid */
    const char *wait_log;
    const char *wait_text;
};

static uint64_t now_ms(void)
{
    return uv_hrtime() / 1000000u;
}

static void find_binary(char *out, size_t len, const char *argv0, const char *env, const char *name)
{
    const char *v = env ? getenv(env) : NULL;
    const char *build = getenv("FS_BUILD");
    char dir[PATH_MAX];

    if (v != NULL && *v) {
        snprintf(out, len, "%s", v);
        return;
    }
    if (build != NULL && *build) {
        snprintf(out, len, "%s/%s", build, name);
        return;
    }
    /* The Makefile puts this binary in $(BUILD)/tests/. */
    snprintf(dir, sizeof(dir), "%s", argv0);
    char *slash = strrchr(dir, '/');
    if (slash != NULL) {
        *slash = '\0';
        int n = snprintf(out, len, "%s/../%s", dir, name);

        if (n > 0 && (size_t)n < len && access(out, X_OK) == 0)
            return;
    }
    snprintf(out, len, "build/%s", name);
}

static void event_cb(fs_sup_t *sup, const fs_sup_event_t *ev, void *data)
{
    ctx_t *c = data;
    rec_t *r;

    (void)sup;
    assert_non_null(ev->detail);
    assert_string_equal(ev->name, fs_proc_name(ev->proc));
    if (c->notify_fd >= 0 && ev->type == FS_SUP_EV_STARTED) {
        if (write(c->notify_fd, &ev->pid, sizeof(ev->pid)) < 0)
            _exit(3);
    }
    if (c->nev >= MAX_EVENTS)
        return;
    r = &c->ev[c->nev++];
    r->type = ev->type;
    snprintf(r->name, sizeof(r->name), "%s", ev->name);
    r->pid = ev->pid;
    r->exit_status = ev->exit_status;
    r->term_signal = ev->term_signal;
    snprintf(r->signame, sizeof(r->signame), "%s", ev->signame ? ev->signame : "");
    r->attempt = ev->attempt;
    r->restarts = ev->restarts;
    r->backoff_ms = ev->backoff_ms;
    r->t_ms = now_ms() - c->t0;
}

static void ready_cb(fs_sup_t *sup, int status, const char *err, void *data)
{
    ctx_t *c = data;

    (void)sup;
    c->ready_calls++;
    c->ready_status = status;
    snprintf(c->ready_err, sizeof(c->ready_err), "%s", err ? err : "");
}

static void done_cb(fs_sup_t *sup, void *data)
{
    ctx_t *c = data;

    (void)sup;
    c->done++;
    c->done_ms = now_ms() - c->t0;
}

static void poll_cb(uv_timer_t *t)
{
    ctx_t *c = t->data;

    if (c->pred(c)) {
        c->pred_ok = 1;
        uv_stop(&c->loop);
    } else if (now_ms() > c->deadline) {
        uv_stop(&c->loop);
    }
}

static int run_until(ctx_t *c, pred_fn pred, uint64_t timeout_ms)
{
    c->pred = pred;
    c->pred_ok = 0;
    c->deadline = now_ms() + timeout_ms;
    uv_timer_init(&c->loop, &c->poll);
    c->poll.data = c;
    uv_timer_start(&c->poll, poll_cb, 0, 5);
    uv_run(&c->loop, UV_RUN_DEFAULT);
    uv_close((uv_handle_t *)&c->poll, NULL);
    uv_run(&c->loop, UV_RUN_NOWAIT);
    return c->pred_ok;
}

static int count_events(const ctx_t *c, fs_sup_event_type_t type, const char *name)
{
    int n = 0;

    for (int i = 0; i < c->nev; i++) {
        if (c->ev[i].type == type && (name == NULL || strcmp(c->ev[i].name, name) == 0))
            n++;
    }
    return n;
}

/* The k-th (0-based) event of type for name, or NULL. */
static const rec_t *nth_event(const ctx_t *c, fs_sup_event_type_t type, const char *name, int k)
{
    for (int i = 0; i < c->nev; i++) {
        if (c->ev[i].type == type && strcmp(c->ev[i].name, name) == 0 && k-- == 0)
            return &c->ev[i];
    }
    return NULL;
}

static int pred_ready(ctx_t *c)
{
    return c->ready_calls > 0;
}

static int pred_done(ctx_t *c)
{
    return c->done > 0;
}

static int pred_log_has(ctx_t *c);

static int read_file(const char *path, char *buf, size_t len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    ssize_t n;

    buf[0] = '\0';
    if (fd < 0)
        return -errno;
    n = read(fd, buf, len - 1);
    close(fd);
    if (n < 0)
        return -errno;
    buf[n] = '\0';
    return (int)n;
}

static int pred_log_has(ctx_t *c)
{
    char buf[8192];

    read_file(c->wait_log, buf, sizeof(buf));
    return strstr(buf, c->wait_text) != NULL;
}

static int count_substr(const char *s, const char *needle)
{
    int n = 0;

    while ((s = strstr(s, needle)) != NULL) {
        n++;
        s += strlen(needle);
    }
    return n;
}

static int ctx_setup(ctx_t *c)
{
    if (access(exec_path, X_OK) != 0)
        return -1;
    memset(c, 0, sizeof(*c));
    c->notify_fd = -1;
    c->t0 = now_ms();
    snprintf(c->dir, sizeof(c->dir), "/tmp/fs-sup-XXXXXX");
    assert_non_null(mkdtemp(c->dir));
    assert_int_equal(uv_loop_init(&c->loop), 0);
    assert_int_equal(fs_sup_new(&c->loop, exec_path, event_cb, c, &c->sup), 0);
    return 0;
}

static void log_path(const ctx_t *c, const char *name, char *out, size_t len)
{
    snprintf(out, len, "%s/%s.log", c->dir, name);
}

/* Stops (unless stopped), waits for done, frees the supervisor, and checks
 * the loop is empty. */
static void ctx_finish(ctx_t *c, int stop)
{
    if (stop)
        assert_int_equal(fs_sup_stop(c->sup, done_cb), 0);
    assert_true(run_until(c, pred_done, 5000));
    assert_int_equal(c->done, 1);
    fs_sup_free(c->sup);
    uv_run(&c->loop, UV_RUN_DEFAULT);
    assert_int_equal(uv_loop_close(&c->loop), 0);
}

/* Removes the test's log directory and frees c. */
static void ctx_free(ctx_t *c)
{
    char cmd[128];

    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", c->dir);
    assert_int_equal(system(cmd), 0);
    free(c);
}

static int free_port(void)
{
    uv_loop_t loop;
    uv_tcp_t tcp;
    struct sockaddr_in sin;
    struct sockaddr_storage ss;
    int len = sizeof(ss);

    assert_int_equal(uv_loop_init(&loop), 0);
    assert_int_equal(uv_tcp_init(&loop, &tcp), 0);
    assert_int_equal(uv_ip4_addr("127.0.0.1", 0, &sin), 0);
    assert_int_equal(uv_tcp_bind(&tcp, (const struct sockaddr *)&sin, 0), 0);
    assert_int_equal(uv_tcp_getsockname(&tcp, (struct sockaddr *)&ss, &len), 0);
    uv_close((uv_handle_t *)&tcp, NULL);
    uv_run(&loop, UV_RUN_DEFAULT);
    assert_int_equal(uv_loop_close(&loop), 0);
    return ntohs(((struct sockaddr_in *)&ss)->sin_port);
}

/* Gone or a zombie: either way it no longer runs. */
static int pid_gone(int pid)
{
    char path[64], buf[512];
    const char *paren;

    snprintf(path, sizeof(path), "/proc/%d/stat", pid);
    if (read_file(path, buf, sizeof(buf)) <= 0)
        return 1;
    paren = strrchr(buf, ')');
    return paren == NULL || paren[1] == '\0' || paren[2] == 'Z' || paren[2] == 'X';
}

/* ---- tests ---- */

static void test_origin_ready_and_stop(void **state)
{
    ctx_t *c = malloc(sizeof(*c));
    char listen[64], logp[128], buf[8192];
    struct sockaddr_in health;
    fs_proc_t *p = NULL;
    int port;

    (void)state;
    if (ctx_setup(c) < 0 || access(origin_path, X_OK) != 0) {
        free(c);
        skip();
    }
    port = free_port();
    snprintf(listen, sizeof(listen), "127.0.0.1:%d", port);
    assert_int_equal(uv_ip4_addr("127.0.0.1", port, &health), 0);
    log_path(c, "origin", logp, sizeof(logp));
    const char *const argv[] = {"fs-origin", "--listen", listen, NULL};
    fs_proc_config_t cfg = {.name = "origin[0]",
                            .file = origin_path,
                            .argv = argv,
                            .log_path = logp,
                            .health = (const struct sockaddr *)&health};
    assert_int_equal(fs_sup_add(c->sup, &cfg, &p), 0);
    assert_int_equal(fs_sup_add(c->sup, &cfg, NULL), -EEXIST);
    assert_ptr_equal(fs_sup_find(c->sup, "origin[0]"), p);
    assert_null(fs_sup_find(c->sup, "origin[1]"));
    assert_int_equal(fs_sup_start(c->sup, 5000, ready_cb), 0);
    assert_int_equal(fs_sup_start(c->sup, 5000, ready_cb), -EALREADY);
    assert_int_equal(fs_sup_add(c->sup, &cfg, NULL), -EBUSY);

    assert_true(run_until(c, pred_ready, 6000));
    assert_int_equal(c->ready_calls, 1);
    assert_int_equal(c->ready_status, 0);
    assert_int_equal(fs_proc_ready(p), 1);
    assert_int_equal(fs_proc_running(p), 1);
    assert_true(fs_proc_pid(p) > 0);
    assert_int_equal(count_events(c, FS_SUP_EV_STARTED, "origin[0]"), 1);
    assert_int_equal(count_events(c, FS_SUP_EV_READY, "origin[0]"), 1);
    assert_int_equal(nth_event(c, FS_SUP_EV_READY, "origin[0]", 0)->pid, fs_proc_pid(p));

    /* fs-origin drains and exits 0 on SIGTERM: no grace period needed. */
    uint64_t t_stop = now_ms() - c->t0;
    ctx_finish(c, 1);
    const rec_t *ex = nth_event(c, FS_SUP_EV_EXITED, "origin[0]", 0);
    assert_non_null(ex);
    assert_int_equal(ex->term_signal, 0);
    assert_int_equal(ex->exit_status, 0);
    assert_true(c->done_ms - t_stop < 1500);
    assert_int_equal(count_events(c, FS_SUP_EV_RESTARTING, NULL), 0);

    assert_true(read_file(logp, buf, sizeof(buf)) > 0);
    assert_non_null(strstr(buf, "svc=failsmall level=info event=start proc=origin[0]"));
    assert_non_null(strstr(buf, "event=exit proc=origin[0]"));
    assert_non_null(strstr(buf, "svc=origin")); /* the child's own stderr */
    ctx_free(c);
}

static void test_ready_timeout_names_process(void **state)
{
    ctx_t *c = malloc(sizeof(*c));
    struct sockaddr_in health;

    (void)state;
    if (ctx_setup(c) < 0) {
        free(c);
        skip();
    }
    assert_int_equal(uv_ip4_addr("127.0.0.1", free_port(), &health), 0);
    const char *const argv[] = {"sleep", "30", NULL};
    fs_proc_config_t quick = {.name = "quick", .file = "/bin/sleep", .argv = argv};
    fs_proc_config_t deaf = {.name = "botmod[3]",
                             .file = "/bin/sleep",
                             .argv = argv,
                             .health = (const struct sockaddr *)&health};
    assert_int_equal(fs_sup_add(c->sup, &quick, NULL), 0);
    assert_int_equal(fs_sup_add(c->sup, &deaf, NULL), 0);
    assert_int_equal(fs_sup_start(c->sup, 300, ready_cb), 0);
    assert_true(run_until(c, pred_ready, 3000));
    assert_int_equal(c->ready_status, -ETIMEDOUT);
    assert_non_null(strstr(c->ready_err, "botmod[3] not ready after 300 ms"));
    assert_non_null(strstr(c->ready_err, "Connection refused"));
    assert_int_equal(count_events(c, FS_SUP_EV_READY, "quick"), 1);
    assert_int_equal(count_events(c, FS_SUP_EV_READY, "botmod[3]"), 0);
    ctx_finish(c, 1);
    assert_int_equal(c->ready_calls, 1);
    assert_string_equal(nth_event(c, FS_SUP_EV_EXITED, "quick", 0)->signame, "SIGTERM");
    ctx_free(c);
}

static int pred_four_restarts(ctx_t *c)
{
    return count_events(c, FS_SUP_EV_RESTARTING, "crasher") >= 4 &&
           count_events(c, FS_SUP_EV_RESTARTING, "segv") >= 2;
}

static void test_crash_restart_backoff_loop(void **state)
{
    ctx_t *c = malloc(sizeof(*c));
    char logp[128], buf[16384];
    fs_proc_t *crasher = NULL;

    (void)state;
    if (ctx_setup(c) < 0) {
        free(c);
        skip();
    }
    log_path(c, "crasher", logp, sizeof(logp));
    const char *const crash_argv[] = {"sh", "-c", "echo boom >&2; exit 3", NULL};
    const char *const segv_argv[] = {"sh", "-c", "kill -SEGV $$", NULL};
    fs_proc_config_t crash = {
        .name = "crasher", .file = "/bin/sh", .argv = crash_argv, .log_path = logp};
    fs_proc_config_t segv = {.name = "segv", .file = "/bin/sh", .argv = segv_argv};
    assert_int_equal(fs_sup_add(c->sup, &crash, &crasher), 0);
    assert_int_equal(fs_sup_add(c->sup, &segv, NULL), 0);
    assert_int_equal(fs_sup_start(c->sup, 0, ready_cb), 0);
    assert_true(run_until(c, pred_four_restarts, 5000));

    /* Backoff doubles from 100 ms; the restarts really wait for it. */
    for (int k = 0; k < 4; k++) {
        const rec_t *r = nth_event(c, FS_SUP_EV_RESTARTING, "crasher", k);
        const rec_t *ex = nth_event(c, FS_SUP_EV_EXITED, "crasher", k);

        assert_non_null(ex);
        assert_int_equal(ex->exit_status, 3);
        assert_int_equal(ex->term_signal, 0);
        assert_int_equal(r->attempt, k + 1);
        assert_int_equal(r->backoff_ms, 100u << k);
    }
    for (int k = 0; k < 3; k++) {
        const rec_t *a = nth_event(c, FS_SUP_EV_STARTED, "crasher", k);
        const rec_t *b = nth_event(c, FS_SUP_EV_STARTED, "crasher", k + 1);

        assert_non_null(b);
        assert_true(b->t_ms - a->t_ms >= (100u << k) - 10);
    }
    /* Exactly one crash-loop event, at the third restart, and restarts go on. */
    assert_int_equal(count_events(c, FS_SUP_EV_CRASH_LOOP, "crasher"), 1);
    for (int i = 0, restarts = 0; i < c->nev; i++) {
        if (strcmp(c->ev[i].name, "crasher") != 0)
            continue;
        if (c->ev[i].type == FS_SUP_EV_RESTARTING)
            restarts++;
        if (c->ev[i].type == FS_SUP_EV_CRASH_LOOP) {
            assert_int_equal(restarts, 3);
            assert_int_equal(c->ev[i].restarts, 3);
        }
    }
    assert_true(fs_proc_restarts(crasher) >= 3);
    assert_string_equal(nth_event(c, FS_SUP_EV_EXITED, "segv", 0)->signame, "SIGSEGV");
    assert_int_equal(nth_event(c, FS_SUP_EV_EXITED, "segv", 1)->term_signal, SIGSEGV);

    ctx_finish(c, 1);
    assert_int_equal(c->ready_calls, 1);
    assert_true(read_file(logp, buf, sizeof(buf)) > 0);
    assert_true(count_substr(buf, "boom\n") >= 4);
    assert_true(count_substr(buf, "event=restart proc=crasher") >= 4);
    assert_int_equal(count_substr(buf, "event=crash_loop proc=crasher"), 1);
    ctx_free(c);
}

static void test_stop_term_then_kill(void **state)
{
    ctx_t *c = malloc(sizeof(*c));
    char logp[128];

    (void)state;
    if (ctx_setup(c) < 0) {
        free(c);
        skip();
    }
    log_path(c, "stubborn", logp, sizeof(logp));
    const char *const sleep_argv[] = {"sleep", "30", NULL};
    const char *const stub_argv[] = {"sh", "-c", "trap '' TERM; echo armed; sleep 30", NULL};
    fs_proc_config_t sleeper = {.name = "sleeper", .file = "/bin/sleep", .argv = sleep_argv};
    fs_proc_config_t stubborn = {
        .name = "stubborn", .file = "/bin/sh", .argv = stub_argv, .log_path = logp};
    assert_int_equal(fs_sup_add(c->sup, &sleeper, NULL), 0);
    assert_int_equal(fs_sup_add(c->sup, &stubborn, NULL), 0);
    assert_int_equal(fs_sup_start(c->sup, 2000, ready_cb), 0);
    assert_true(run_until(c, pred_ready, 3000));
    assert_int_equal(c->ready_status, 0);
    c->wait_log = logp;
    c->wait_text = "armed";
    assert_true(run_until(c, pred_log_has, 3000));

    uint64_t t_stop = now_ms() - c->t0;
    assert_int_equal(fs_sup_stop(c->sup, done_cb), 0);
    assert_int_equal(fs_sup_stop(c->sup, done_cb), -EALREADY);
    ctx_finish(c, 0);
    const rec_t *s = nth_event(c, FS_SUP_EV_EXITED, "sleeper", 0);
    const rec_t *k = nth_event(c, FS_SUP_EV_EXITED, "stubborn", 0);
    assert_non_null(s);
    assert_non_null(k);
    assert_string_equal(s->signame, "SIGTERM");
    assert_true(s->t_ms - t_stop < 500);
    assert_string_equal(k->signame, "SIGKILL");
    assert_true(k->t_ms - t_stop >= FS_SUP_STOP_GRACE_MS - 50);
    assert_true(k->t_ms - t_stop < FS_SUP_STOP_GRACE_MS + 1000);
    assert_true(c->done_ms >= k->t_ms);
    assert_int_equal(count_events(c, FS_SUP_EV_RESTARTING, NULL), 0);
    ctx_free(c);
}

static int pred_victim_exits_1(ctx_t *c)
{
    return count_events(c, FS_SUP_EV_EXITED, "victim") >= 1;
}

static int pred_victim_started_2(ctx_t *c)
{
    return count_events(c, FS_SUP_EV_STARTED, "victim") >= 2;
}

static int pred_victim_exits_2(ctx_t *c)
{
    return count_events(c, FS_SUP_EV_EXITED, "victim") >= 2;
}

static int pred_victim_started_3(ctx_t *c)
{
    return count_events(c, FS_SUP_EV_STARTED, "victim") >= 3;
}

static void test_signal_and_restart_switch(void **state)
{
    ctx_t *c = malloc(sizeof(*c));
    fs_proc_t *v = NULL, *w = NULL;
    int pid1, other;

    (void)state;
    if (ctx_setup(c) < 0) {
        free(c);
        skip();
    }
    const char *const argv[] = {"sleep", "30", NULL};
    fs_proc_config_t victim = {.name = "victim", .file = "/bin/sleep", .argv = argv};
    fs_proc_config_t witness = {.name = "witness", .file = "/bin/sleep", .argv = argv};
    fs_proc_config_t missing = {.name = "missing", .file = "/nonexistent/fs-nothing"};
    assert_int_equal(fs_sup_add(c->sup, &missing, NULL), -ENOENT);
    assert_int_equal(fs_sup_add(c->sup, &victim, &v), 0);
    assert_int_equal(fs_sup_add(c->sup, &witness, &w), 0);
    assert_ptr_equal(fs_sup_next(c->sup, NULL), v);
    assert_ptr_equal(fs_sup_next(c->sup, v), w);
    assert_null(fs_sup_next(c->sup, w));
    assert_int_equal(fs_proc_signal(v, SIGTERM), -ESRCH); /* not started yet */
    assert_int_equal(fs_sup_start(c->sup, 2000, ready_cb), 0);
    assert_true(run_until(c, pred_ready, 3000));
    assert_int_equal(c->ready_status, 0);
    pid1 = fs_proc_pid(v);
    other = fs_proc_pid(w);

    /* Restart off: the exit is final, and nothing else gets signalled. */
    fs_proc_set_restart(v, 0);
    assert_int_equal(fs_proc_signal(v, SIGUSR1), 0);
    assert_true(run_until(c, pred_victim_exits_1, 2000));
    assert_string_equal(nth_event(c, FS_SUP_EV_EXITED, "victim", 0)->signame, "SIGUSR1");
    assert_int_equal(nth_event(c, FS_SUP_EV_EXITED, "victim", 0)->pid, pid1);
    assert_int_equal(fs_proc_running(v), 0);
    assert_int_equal(fs_proc_pid(v), 0);
    assert_int_equal(fs_proc_signal(v, SIGTERM), -ESRCH);
    assert_int_equal(fs_proc_running(w), 1);
    assert_int_equal(fs_proc_pid(w), other);
    assert_int_equal(kill(other, 0), 0);
    assert_false(run_until(c, pred_victim_started_2, 300));
    assert_int_equal(count_events(c, FS_SUP_EV_RESTARTING, "victim"), 0);

    /* Restart on again: a process that is down comes back. */
    fs_proc_set_restart(v, 1);
    assert_true(run_until(c, pred_victim_started_2, 2000));
    assert_int_equal(fs_proc_restarts(v), 1);
    assert_int_equal(fs_proc_running(v), 1);
    assert_true(fs_proc_pid(v) > 0);
    assert_int_not_equal(fs_proc_pid(v), pid1);

    /* An exit while a restart is cancelled before it happens. */
    assert_int_equal(fs_proc_signal(v, SIGKILL), 0);
    assert_true(run_until(c, pred_victim_exits_2, 2000));
    assert_int_equal(count_events(c, FS_SUP_EV_RESTARTING, "victim"), 2);
    fs_proc_set_restart(v, 0);
    assert_false(run_until(c, pred_victim_started_3, 400));
    ctx_finish(c, 1);
    assert_int_equal(count_events(c, FS_SUP_EV_STARTED, "victim"), 2);
    assert_string_equal(nth_event(c, FS_SUP_EV_EXITED, "witness", 0)->signame, "SIGTERM");
    ctx_free(c);
}

static int pred_two_exits(ctx_t *c)
{
    return count_events(c, FS_SUP_EV_EXITED, NULL) >= 2;
}

static void test_kill_all(void **state)
{
    ctx_t *c = malloc(sizeof(*c));
    fs_proc_t *a = NULL, *b = NULL;
    int pa, pb;

    (void)state;
    if (ctx_setup(c) < 0) {
        free(c);
        skip();
    }
    const char *const argv[] = {"sleep", "30", NULL};
    fs_proc_config_t ca = {.name = "a", .file = "/bin/sleep", .argv = argv, .no_restart = 1};
    fs_proc_config_t cb = {.name = "b", .file = "/bin/sleep", .argv = argv, .no_restart = 1};
    assert_int_equal(fs_sup_add(c->sup, &ca, &a), 0);
    assert_int_equal(fs_sup_add(c->sup, &cb, &b), 0);
    assert_int_equal(fs_sup_start(c->sup, 2000, ready_cb), 0);
    assert_true(run_until(c, pred_ready, 3000));
    pa = fs_proc_pid(a);
    pb = fs_proc_pid(b);
    fs_sup_kill_all(c->sup);
    assert_true(run_until(c, pred_two_exits, 2000));
    assert_string_equal(nth_event(c, FS_SUP_EV_EXITED, "a", 0)->signame, "SIGKILL");
    assert_string_equal(nth_event(c, FS_SUP_EV_EXITED, "b", 0)->signame, "SIGKILL");
    assert_true(pid_gone(pa));
    assert_true(pid_gone(pb));
    ctx_finish(c, 1);
    assert_int_equal(count_events(c, FS_SUP_EV_RESTARTING, NULL), 0);
    ctx_free(c);
}

static int pred_env_exited(ctx_t *c)
{
    return count_events(c, FS_SUP_EV_EXITED, "envy") >= 1;
}

static void test_env_and_log(void **state)
{
    ctx_t *c = malloc(sizeof(*c));
    char logp[128], buf[8192];

    (void)state;
    if (ctx_setup(c) < 0) {
        free(c);
        skip();
    }
    assert_int_equal(setenv("FS_SUP_TEST_OVR", "harness", 1), 0);
    unsetenv("FS_SUP_TEST_VAR");
    log_path(c, "envy", logp, sizeof(logp));
    /* A log that already exists is appended to, never truncated. */
    int fd = open(logp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "earlier\n", 8), 8);
    close(fd);
    const char *const argv[] = {
        "sh", "-c",
        "echo \"v=$FS_SUP_TEST_VAR o=$FS_SUP_TEST_OVR p=[$FS_EXEC_PARENT]\"; "
        "echo to-stderr >&2; echo \"core=$(ulimit -c)\"; exit 0",
        NULL};
    const char *const env[] = {"FS_SUP_TEST_VAR=hello world", "FS_SUP_TEST_OVR=child", NULL};
    const char *const bad_env[] = {"NOEQUALS", NULL};
    fs_proc_config_t cfg = {.name = "envy",
                            .file = "/bin/sh",
                            .argv = argv,
                            .env = env,
                            .log_path = logp,
                            .no_restart = 1};
    fs_proc_config_t bad = {.name = "bad", .file = "/bin/sh", .env = bad_env};
    assert_int_equal(fs_sup_add(c->sup, &bad, NULL), -EINVAL);
    assert_int_equal(fs_sup_add(c->sup, &cfg, NULL), 0);
    assert_int_equal(fs_sup_start(c->sup, 2000, ready_cb), 0);
    assert_true(run_until(c, pred_env_exited, 3000));
    ctx_finish(c, 1);

    assert_true(read_file(logp, buf, sizeof(buf)) > 0);
    assert_int_equal(strncmp(buf, "earlier\n", 8), 0);
    assert_non_null(strstr(buf, "v=hello world o=child p=[]\n"));
    assert_non_null(strstr(buf, "to-stderr\n"));
    assert_non_null(strstr(buf, "core=0\n"));
    assert_non_null(strstr(buf, "event=start proc=envy incarnation=1 file=/bin/sh"));
    assert_non_null(strstr(buf, "event=exit proc=envy"));
    /* Never applied to the harness itself. */
    assert_null(getenv("FS_SUP_TEST_VAR"));
    assert_string_equal(getenv("FS_SUP_TEST_OVR"), "harness");
    unsetenv("FS_SUP_TEST_OVR");
    ctx_free(c);
}

/* The supervising process dies by SIGKILL (no cleanup can run): its
 * children must die with it through PR_SET_PDEATHSIG. */
static int pred_env_exited_holder(ctx_t *c)
{
    return count_events(c, FS_SUP_EV_EXITED, "holder") >= 1;
}

/* The lifeline: every process holds it as fd 3 (and nothing else of ours
 * leaks: fd 4 is closed), so its read end sees EOF only once the last
 * process has exited. */
static void test_lifeline(void **state)
{
    ctx_t *c = malloc(sizeof(*c));
    int life[2];
    char logp[128], buf[4096], byte;
    struct pollfd p;

    (void)state;
    if (ctx_setup(c) < 0) {
        free(c);
        skip();
    }
    assert_int_equal(pipe2(life, O_CLOEXEC), 0);
    assert_int_equal(fs_sup_set_lifeline(c->sup, life[1]), 0);
    log_path(c, "holder", logp, sizeof(logp));
    const char *const argv[] = {
        "sh", "-c",
        "[ -e /proc/self/fd/3 ] && echo fd3=open; [ -e /proc/self/fd/4 ] || echo fd4=closed; "
        "sleep 0.3",
        NULL};
    fs_proc_config_t cfg = {
        .name = "holder", .file = "/bin/sh", .argv = argv, .log_path = logp, .no_restart = 1};
    assert_int_equal(fs_sup_add(c->sup, &cfg, NULL), 0);
    assert_int_equal(fs_sup_start(c->sup, 2000, ready_cb), 0);
    assert_int_equal(fs_sup_set_lifeline(c->sup, life[1]), -EBUSY);
    close(life[1]); /* ours; the process has its own now */
    assert_true(run_until(c, pred_ready, 2000));
    p = (struct pollfd){.fd = life[0], .events = POLLIN};
    assert_int_equal(poll(&p, 1, 100), 0); /* held while it runs */
    assert_true(run_until(c, pred_env_exited_holder, 3000));
    assert_int_equal(poll(&p, 1, 1000), 1);
    assert_int_equal(read(life[0], &byte, 1), 0); /* EOF: the holder is gone */
    close(life[0]);
    ctx_finish(c, 1);
    assert_true(read_file(logp, buf, sizeof(buf)) > 0);
    assert_non_null(strstr(buf, "fd3=open\n"));
    assert_non_null(strstr(buf, "fd4=closed\n"));
    ctx_free(c);
}

static void test_pdeathsig(void **state)
{
    int fds[2], pid = 0, status;
    pid_t child;
    struct pollfd pfd;

    (void)state;
    if (access(exec_path, X_OK) != 0)
        skip();
    assert_int_equal(pipe(fds), 0);
    child = fork();
    assert_true(child >= 0);
    if (child == 0) {
        ctx_t *c = calloc(1, sizeof(*c));
        const char *const argv[] = {"sleep", "30", NULL};
        fs_proc_config_t cfg = {.name = "orphan", .file = "/bin/sleep", .argv = argv};

        close(fds[0]);
        prctl(PR_SET_PDEATHSIG, SIGKILL); /* should this test die */
        if (c == NULL || uv_loop_init(&c->loop) != 0)
            _exit(2);
        c->notify_fd = fds[1];
        if (fs_sup_new(&c->loop, exec_path, event_cb, c, &c->sup) != 0 ||
            fs_sup_add(c->sup, &cfg, NULL) != 0 || fs_sup_start(c->sup, 0, ready_cb) != 0)
            _exit(2);
        uv_run(&c->loop, UV_RUN_DEFAULT);
        _exit(1);
    }
    close(fds[1]);
    pfd.fd = fds[0];
    pfd.events = POLLIN;
    assert_int_equal(poll(&pfd, 1, 5000), 1);
    assert_int_equal(read(fds[0], &pid, sizeof(pid)), (ssize_t)sizeof(pid));
    close(fds[0]);
    assert_true(pid > 0);
    assert_false(pid_gone(pid));

    assert_int_equal(kill(child, SIGKILL), 0);
    assert_int_equal(waitpid(child, &status, 0), child);
    assert_true(WIFSIGNALED(status));
    int gone = 0;
    for (int i = 0; i < 100 && !gone; i++) {
        gone = pid_gone(pid);
        if (!gone)
            usleep(10000);
    }
    if (!gone)
        kill(pid, SIGKILL);
    assert_true(gone);
}

/* Runs fs-exec with args and env; returns the wait status and what it
 * wrote on stdout and stderr. */
static int run_exec(const char *const *args, char *const *envp, char *out, size_t outlen)
{
    int fds[2], status = 0;
    size_t n = 0;
    pid_t pid;
    ssize_t r;

    assert_int_equal(pipe(fds), 0);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        struct rlimit rl;

        /* Make --no-core observable where the hard limit allows. */
        if (getrlimit(RLIMIT_CORE, &rl) == 0 && rl.rlim_max > 0) {
            rl.rlim_cur = rl.rlim_max;
            setrlimit(RLIMIT_CORE, &rl);
        }
        dup2(fds[1], 1);
        dup2(fds[1], 2);
        close(fds[0]);
        close(fds[1]);
        if (envp)
            execve(exec_path, (char *const *)args, envp);
        else
            execv(exec_path, (char *const *)args);
        _exit(99);
    }
    close(fds[1]);
    while (n + 1 < outlen && (r = read(fds[0], out + n, outlen - n - 1)) > 0)
        n += (size_t)r;
    out[n] = '\0';
    close(fds[0]);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    return status;
}

static void test_fs_exec(void **state)
{
    char me[24], envp_parent[48], out[1024];
    int st;

    (void)state;
    if (access(exec_path, X_OK) != 0)
        skip();
    snprintf(me, sizeof(me), "%d", (int)getpid());

    const char *ok[] = {"fs-exec",
                        "--pdeathsig",
                        "--no-core",
                        "--parent",
                        me,
                        "--",
                        "/bin/sh",
                        "-c",
                        "echo ran core=$(ulimit -c); exit 7",
                        NULL};
    st = run_exec(ok, NULL, out, sizeof(out));
    assert_true(WIFEXITED(st));
    assert_int_equal(WEXITSTATUS(st), 7);
    assert_string_equal(out, "ran core=0\n");

    /* The parent is not who we were told: it died before prctl. */
    const char *orphan[] = {"fs-exec", "--pdeathsig", "--parent", "1", "--",
                            "/bin/sh", "-c",          "echo ran", NULL};
    st = run_exec(orphan, NULL, out, sizeof(out));
    assert_int_equal(WEXITSTATUS(st), 127);
    assert_null(strstr(out, "ran"));
    assert_non_null(strstr(out, "parent is gone"));

    /* Same through the environment, which the program never sees. */
    char *envp_bad[] = {"FS_EXEC_PARENT=1", NULL};
    const char *viaenv[] = {"fs-exec", "--pdeathsig", "--", "/bin/sh", "-c", "echo ran", NULL};
    st = run_exec(viaenv, envp_bad, out, sizeof(out));
    assert_int_equal(WEXITSTATUS(st), 127);
    assert_null(strstr(out, "ran"));
    snprintf(envp_parent, sizeof(envp_parent), "FS_EXEC_PARENT=%s", me);
    char *envp_good[] = {envp_parent, NULL};
    const char *leak[] = {
        "fs-exec", "--pdeathsig", "--", "/bin/sh", "-c", "echo \"[$FS_EXEC_PARENT]\"", NULL};
    st = run_exec(leak, envp_good, out, sizeof(out));
    assert_int_equal(WEXITSTATUS(st), 0);
    assert_string_equal(out, "[]\n");

    const char *missing[] = {"fs-exec", "--", "/nonexistent/prog", NULL};
    st = run_exec(missing, NULL, out, sizeof(out));
    assert_int_equal(WEXITSTATUS(st), 127);
    assert_non_null(strstr(out, "/nonexistent/prog"));

    /* --umask: what the program starts with. */
    const char *mask[] = {"fs-exec", "--umask", "027", "--", "/bin/sh", "-c", "umask", NULL};
    st = run_exec(mask, NULL, out, sizeof(out));
    assert_int_equal(WEXITSTATUS(st), 0);
    assert_string_equal(out, "0027\n");
    const char *badmask[] = {"fs-exec", "--umask", "8", "--", "/bin/true", NULL};
    st = run_exec(badmask, NULL, out, sizeof(out));
    assert_int_equal(WEXITSTATUS(st), 127);
    assert_non_null(strstr(out, "--umask: expected an octal mode"));
    const char *bigmask[] = {"fs-exec", "--umask", "01000", "--", "/bin/true", NULL};
    assert_int_equal(WEXITSTATUS(run_exec(bigmask, NULL, out, sizeof(out))), 127);
    const char *nomask[] = {"fs-exec", "--umask", NULL};
    assert_int_equal(WEXITSTATUS(run_exec(nomask, NULL, out, sizeof(out))), 127);

    const char *unknown[] = {"fs-exec", "--bogus", "--", "/bin/true", NULL};
    assert_int_equal(WEXITSTATUS(run_exec(unknown, NULL, out, sizeof(out))), 127);
    const char *badpid[] = {"fs-exec", "--parent", "12x", "--", "/bin/true", NULL};
    assert_int_equal(WEXITSTATUS(run_exec(badpid, NULL, out, sizeof(out))), 127);
    const char *none[] = {"fs-exec", "--no-core", "--", NULL};
    assert_int_equal(WEXITSTATUS(run_exec(none, NULL, out, sizeof(out))), 127);
}

/* ---- libfiu's control fifos ---- */

static int pred_ready_twice(ctx_t *c)
{
    return count_events(c, FS_SUP_EV_READY, "origin[0]") >= 2;
}

/* The fifo pair of incarnation pid: both 0600 fifos of ours, or both
 * missing (returns 0 / -1; fails the test on anything in between). */
static int fifo_pair(const char *base, int pid)
{
    char p[300];
    struct stat st;
    int found = 0;

    for (int k = 0; k < 2; k++) {
        snprintf(p, sizeof(p), "%s-%d.%s", base, pid, k ? "out" : "in");
        if (lstat(p, &st) != 0)
            continue;
        assert_true(S_ISFIFO(st.st_mode));
        assert_int_equal(st.st_mode & 07777, 0600);
        assert_int_equal(st.st_uid, geteuid());
        found++;
    }
    assert_true(found == 0 || found == 2);
    return found == 2 ? 0 : -1;
}

/* The umask fs-exec gave a running process, from /proc. */
static unsigned proc_umask(int pid)
{
    char path[64], buf[4096];
    const char *u;

    snprintf(path, sizeof(path), "/proc/%d/status", pid);
    assert_true(read_file(path, buf, sizeof(buf)) > 0);
    u = strstr(buf, "Umask:");
    assert_non_null(u);
    return (unsigned)strtoul(u + 6, NULL, 8);
}

/* fs-origin with --fiu-fifo in the private directory, as a run starts it:
 * the directory 0700, the fifos 0600 and ours, the process's umask 077; a
 * SIGKILLed incarnation leaves its fifos (libfiu removes them only at
 * exit()), the sweep after the stop leaves none, nor the directory. */
static void test_fiu_fifos(void **state)
{
    ctx_t *c = malloc(sizeof(*c));
    char listen[64], dir[128], base[160], err[256];
    struct sockaddr_in health;
    struct stat st;
    fs_proc_t *p = NULL;
    int port, pid1, pid2;
    mode_t old = umask(022);

    (void)state;
    if (ctx_setup(c) < 0 || access(origin_path, X_OK) != 0) {
        free(c);
        umask(old);
        skip();
    }
    snprintf(dir, sizeof(dir), "%s/fiu", c->dir);
    assert_int_equal(fs_privdir_make(dir, err, sizeof(err)), 0);
    assert_int_equal(lstat(dir, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    assert_int_equal(st.st_mode & 07777, 0700);
    snprintf(base, sizeof(base), "%s/origin[0]", dir);
    port = free_port();
    snprintf(listen, sizeof(listen), "127.0.0.1:%d", port);
    assert_int_equal(uv_ip4_addr("127.0.0.1", port, &health), 0);
    const char *const argv[] = {"fs-origin", "--listen", listen, "--fiu-fifo", base, NULL};
    fs_proc_config_t cfg = {.name = "origin[0]",
                            .file = origin_path,
                            .argv = argv,
                            .health = (const struct sockaddr *)&health,
                            .backoff_initial_ms = 50};
    assert_int_equal(fs_sup_add(c->sup, &cfg, &p), 0);
    assert_int_equal(fs_sup_start(c->sup, 5000, ready_cb), 0);
    assert_true(run_until(c, pred_ready, 6000));
    assert_int_equal(c->ready_status, 0);
    pid1 = fs_proc_pid(p);
    assert_int_equal(proc_umask(pid1), 077);
    assert_int_equal(fifo_pair(base, pid1), 0);

    assert_int_equal(fs_proc_signal(p, SIGKILL), 0);
    assert_true(run_until(c, pred_ready_twice, 6000));
    pid2 = fs_proc_pid(p);
    assert_true(pid2 != pid1);
    assert_int_equal(fifo_pair(base, pid2), 0);
    assert_int_equal(fifo_pair(base, pid1), 0); /* nobody removed them */
    ctx_finish(c, 1);

    assert_true(fs_privdir_sweep(dir) >= 2);
    assert_int_equal(fifo_pair(base, pid1), -1);
    assert_int_equal(fifo_pair(base, pid2), -1);
    assert_int_equal(lstat(dir, &st), -1);
    umask(old);
    ctx_free(c);
}

/* ---- a process flooding its output ---- */

#define FLOOD_CAP  (1u << 20)
#define FLOOD_LINE "flood-0123456789abcdefghijklmnopqrstuvwxyz"
#define FLOOD_MS   2000
#define TICK_MS    10

typedef struct {
    uv_timer_t timer;
    uint64_t last, max_gap;
    unsigned ticks;
} tick_t;

static void tick_cb(uv_timer_t *t)
{
    tick_t *k = t->data;
    uint64_t now = now_ms();

    if (k->last && now - k->last > k->max_gap)
        k->max_gap = now - k->last;
    k->last = now;
    k->ticks++;
}

static uint64_t flood_until;

static int pred_flood_over(ctx_t *c)
{
    (void)c;
    return now_ms() >= flood_until;
}

static long rss_kb(void)
{
    char buf[4096];
    const char *v;

    assert_true(read_file("/proc/self/status", buf, sizeof(buf)) > 0);
    v = strstr(buf, "VmRSS:");
    assert_non_null(v);
    return strtol(v + 6, NULL, 10);
}

static long file_size(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

/* Every line of the file whole: the flood's own line or a harness line,
 * never two glued together or one cut short. Returns the flood lines. */
static long check_lines(const char *path)
{
    char *text = NULL, *line, *save = NULL;
    long flood = 0, n = 0;
    size_t len = 0;
    FILE *f = fopen(path, "rb");

    assert_non_null(f);
    text = malloc(FLOOD_CAP + 1);
    assert_non_null(text);
    len = fread(text, 1, FLOOD_CAP, f);
    fclose(f);
    text[len] = '\0';
    assert_true(len > 0);
    assert_int_equal(text[len - 1], '\n');
    for (line = strtok_r(text, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
        n++;
        if (strcmp(line, FLOOD_LINE) == 0)
            flood++;
        else if (strncmp(line, "ts=", 3) != 0 || strstr(line, " svc=failsmall ") == NULL)
            fail_msg("%s line %ld: '%.80s'", path, n, line);
    }
    free(text);
    return flood;
}

/* A process writes to stderr as fast as it can, beside one stopped with
 * SIGSTOP (a hang) and one that crashes over and over: the harness's loop
 * keeps its timers, its memory stays flat, the flood's log stays within its
 * cap and rotates, lines whole, and everything stops promptly. */
static void test_log_flood(void **state)
{
    ctx_t *c = malloc(sizeof(*c));
    char logp[128], old[140], crashp[128], *text;
    fs_proc_t *flood = NULL, *hung = NULL;
    tick_t tick = {.max_gap = 0};
    long rss0, rss1;

    (void)state;
    if (ctx_setup(c) < 0) {
        free(c);
        skip();
    }
    log_path(c, "flood", logp, sizeof(logp));
    snprintf(old, sizeof(old), "%s.1", logp);
    log_path(c, "crasher", crashp, sizeof(crashp));
    const char *const flood_argv[] = {"sh", "-c", "exec yes '" FLOOD_LINE "' >&2", NULL};
    const char *const hung_argv[] = {"sleep", "30", NULL};
    const char *const crash_argv[] = {"sh", "-c", "echo crashing; kill -SEGV $$", NULL};
    fs_proc_config_t cf = {.name = "flood",
                           .file = "/bin/sh",
                           .argv = flood_argv,
                           .log_path = logp,
                           .log_cap_bytes = FLOOD_CAP,
                           .no_restart = 1};
    fs_proc_config_t ch = {
        .name = "hung", .file = "/bin/sleep", .argv = hung_argv, .no_restart = 1};
    fs_proc_config_t cc = {.name = "crasher",
                           .file = "/bin/sh",
                           .argv = crash_argv,
                           .log_path = crashp,
                           .backoff_initial_ms = 50,
                           .backoff_max_ms = 50};
    fs_proc_config_t tiny = {
        .name = "tiny", .file = "/bin/true", .log_path = logp, .log_cap_bytes = 100};
    assert_int_equal(fs_sup_add(c->sup, &tiny, NULL), -EINVAL);
    assert_int_equal(fs_sup_add(c->sup, &cf, &flood), 0);
    assert_int_equal(fs_sup_add(c->sup, &ch, &hung), 0);
    assert_int_equal(fs_sup_add(c->sup, &cc, NULL), 0);

    rss0 = rss_kb();
    assert_int_equal(uv_timer_init(&c->loop, &tick.timer), 0);
    tick.timer.data = &tick;
    assert_int_equal(uv_timer_start(&tick.timer, tick_cb, TICK_MS, TICK_MS), 0);
    assert_int_equal(fs_sup_start(c->sup, 2000, ready_cb), 0);
    assert_true(run_until(c, pred_ready, 3000));
    assert_int_equal(c->ready_status, 0);
    assert_int_equal(fs_proc_signal(hung, SIGSTOP), 0);

    flood_until = now_ms() + FLOOD_MS;
    run_until(c, pred_flood_over, FLOOD_MS + 1000);
    rss1 = rss_kb();
    assert_true(fs_proc_running(flood));
    assert_true(fs_proc_running(hung));

    uint64_t t_stop = now_ms() - c->t0;
    uv_timer_stop(&tick.timer);
    uv_close((uv_handle_t *)&tick.timer, NULL);
    ctx_finish(c, 1);
    print_message("flood: %u ticks, max gap %llu ms, rss %ld -> %ld kB, %ld + %ld bytes, "
                  "stop %llu ms\n",
                  tick.ticks, (unsigned long long)tick.max_gap, rss0, rss1, file_size(logp),
                  file_size(old), (unsigned long long)(c->done_ms - t_stop));

    /* The loop kept its timers: no tick waited for the flood. */
    assert_true(tick.ticks >= FLOOD_MS / TICK_MS / 4);
    assert_true(tick.max_gap < 750);
    /* No buffering of what the process wrote. */
    assert_true(rss1 - rss0 < 16 * 1024);
    /* The hang and the flood stop on SIGTERM (SIGCONT first for the hang):
     * well before the SIGKILL grace. */
    assert_true(c->done_ms - t_stop < FS_SUP_STOP_GRACE_MS);
    assert_string_equal(nth_event(c, FS_SUP_EV_EXITED, "hung", 0)->signame, "SIGTERM");
    assert_string_equal(nth_event(c, FS_SUP_EV_EXITED, "flood", 0)->signame, "SIGTERM");
    assert_true(count_events(c, FS_SUP_EV_EXITED, "crasher") >= 3);

    /* Two files at most, each within the cap and nearly full, whole lines;
     * the current one starts with the rotation. */
    assert_true(file_size(logp) > 0 && file_size(logp) <= (long)FLOOD_CAP);
    assert_true(file_size(old) > (long)FLOOD_CAP - 4096 && file_size(old) <= (long)FLOOD_CAP);
    assert_true(check_lines(old) > 10000);
    check_lines(logp);
    text = tu_slurp(logp, NULL);
    assert_non_null(text);
    assert_int_equal(strncmp(text, "ts=", 3), 0);
    assert_non_null(strstr(strtok(text, "\n"), " event=log_rotated proc=flood cap_bytes=1048576 "
                                               "rotation="));
    free(text);
    text = tu_slurp(logp, NULL);
    assert_non_null(strstr(text, "event=exit proc=flood"));
    free(text);
    text = tu_slurp(crashp, NULL);
    assert_non_null(text);
    assert_true(count_substr(text, "\ncrashing\n") >= 3);
    free(text);
    ctx_free(c);
}

static void test_stop_without_start(void **state)
{
    ctx_t *c = malloc(sizeof(*c));

    (void)state;
    if (ctx_setup(c) < 0) {
        free(c);
        skip();
    }
    fs_proc_config_t cfg = {.name = "never", .file = "/bin/true"};
    struct sockaddr_in far;
    assert_int_equal(uv_ip4_addr("10.0.0.1", 80, &far), 0);
    fs_proc_config_t remote = {
        .name = "remote", .file = "/bin/true", .health = (const struct sockaddr *)&far};
    /* Health probes go to loopback only. */
    assert_int_equal(fs_sup_add(c->sup, &remote, NULL), -EADDRNOTAVAIL);
    assert_int_equal(fs_sup_add(c->sup, &cfg, NULL), 0);
    assert_int_equal(fs_sup_stop(c->sup, done_cb), 0);
    assert_int_equal(c->done, 0); /* from the loop, never from inside stop */
    assert_int_equal(fs_sup_start(c->sup, 100, ready_cb), -EALREADY);
    ctx_finish(c, 0);
    assert_int_equal(c->nev, 0);
    assert_int_equal(c->ready_calls, 0);
    ctx_free(c);

    fs_sup_t *sup = NULL;
    uv_loop_t loop;
    assert_int_equal(uv_loop_init(&loop), 0);
    assert_int_equal(fs_sup_new(&loop, "/nonexistent/fs-exec", NULL, NULL, &sup), -ENOENT);
    assert_int_equal(fs_sup_new(&loop, NULL, NULL, NULL, &sup), -EINVAL);
    assert_int_equal(uv_loop_close(&loop), 0);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fs_exec),
        cmocka_unit_test(test_stop_without_start),
        cmocka_unit_test(test_origin_ready_and_stop),
        cmocka_unit_test(test_ready_timeout_names_process),
        cmocka_unit_test(test_crash_restart_backoff_loop),
        cmocka_unit_test(test_stop_term_then_kill),
        cmocka_unit_test(test_signal_and_restart_switch),
        cmocka_unit_test(test_kill_all),
        cmocka_unit_test(test_lifeline),
        cmocka_unit_test(test_env_and_log),
        cmocka_unit_test(test_pdeathsig),
        cmocka_unit_test(test_log_flood),
        cmocka_unit_test(test_fiu_fifos),
    };

    (void)argc;
    find_binary(exec_path, sizeof(exec_path), argv[0], "FS_EXEC", "fs-exec");
    find_binary(origin_path, sizeof(origin_path), argv[0], NULL, "fs-origin");
    signal(SIGPIPE, SIG_IGN);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
