/* The supervisor. Each process owns one uv_process_t, reused by every
 * incarnation: spawn, exit_cb, uv_close, and only in the close callback is
 * the handle free again for a restart. Readiness is one loop-wide poll timer
 * that probes every running, not-yet-ready process's /healthz. */
#include "supervisor.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fs_http.h"
#include "fs_log.h"
#include "logcap.h"

#define FS_SUP_RING 16 /* restart times kept for crash-loop detection */

#define FS_CONTAINER_OF(ptr, type, field) ((type *)((char *)(ptr)-offsetof(type, field)))

struct fs_proc_s {
    fs_sup_t *sup;
    fs_proc_t *next;
    char *name, *file;
    char **argv, **env;
    size_t argc, nenv;
    fs_logcap_t *log; /* NULL: no log */
    struct sockaddr_storage health;
    int has_health;
    fs_http_client_t *client;
    int restart;
    uint64_t backoff_initial, backoff_max, backoff_reset;

    uv_process_t handle;
    uv_timer_t restart_timer;
    /* Read by fs_sup_kill_all(), maybe from a signal handler. */
    volatile sig_atomic_t pid;
    int running;     /* spawned and not yet exited */
    int handle_open; /* uv_spawn called, close callback not yet run */
    int restart_pending;
    int ready, probing, last_probe;
    unsigned incarnation, probe_incarnation;
    unsigned restarts, attempt;
    uint64_t started_at;
    uint64_t ring[FS_SUP_RING];
    unsigned nring;
    int in_loop;
    char last_exit[64];
    void *data;
};

struct fs_sup_s {
    uv_loop_t *loop;
    char *wrapper;
    fs_sup_event_cb event_cb;
    void *data;
    /* Appended with one pointer store so fs_sup_kill_all() may walk it at
     * any moment. */
    fs_proc_t *volatile head;
    fs_proc_t *tail;
    int started, stopping, grace_closing;
    int lifeline;             /* fd every process inherits as its fd 3, or -1 */
    uint64_t stop_grace_ms;   /* SIGTERM to SIGKILL */
    unsigned open_handles;    /* every handle but grace_timer */
    fs_sup_ready_cb ready_cb; /* non-NULL while the answer is pending */
    uint64_t ready_timeout_ms;
    uv_timer_t health_timer, ready_timer, grace_timer;
    fs_sup_done_cb done_cb;
};

static const char *const fs_sup_event_names[] = {"started",      "ready",      "exited",
                                                 "spawn_failed", "restarting", "crash_loop"};

const char *fs_sup_event_name(fs_sup_event_type_t type)
{
    if ((unsigned)type >= sizeof(fs_sup_event_names) / sizeof(fs_sup_event_names[0]))
        return "unknown";
    return fs_sup_event_names[type];
}

static const char *fs_sup_signame(int sig, char *buf, size_t len)
{
    static const struct {
        int sig;
        const char *name;
    } names[] = {
        {SIGHUP, "SIGHUP"},   {SIGINT, "SIGINT"},   {SIGQUIT, "SIGQUIT"}, {SIGILL, "SIGILL"},
        {SIGTRAP, "SIGTRAP"}, {SIGABRT, "SIGABRT"}, {SIGBUS, "SIGBUS"},   {SIGFPE, "SIGFPE"},
        {SIGKILL, "SIGKILL"}, {SIGUSR1, "SIGUSR1"}, {SIGSEGV, "SIGSEGV"}, {SIGUSR2, "SIGUSR2"},
        {SIGPIPE, "SIGPIPE"}, {SIGALRM, "SIGALRM"}, {SIGTERM, "SIGTERM"}, {SIGCHLD, "SIGCHLD"},
        {SIGCONT, "SIGCONT"}, {SIGSTOP, "SIGSTOP"}, {SIGTSTP, "SIGTSTP"}, {SIGXCPU, "SIGXCPU"},
        {SIGXFSZ, "SIGXFSZ"}, {SIGSYS, "SIGSYS"},
    };

    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (names[i].sig == sig)
            return names[i].name;
    }
    snprintf(buf, len, "SIG%d", sig);
    return buf;
}

/* One logfmt line into the process's log. The child's output comes
 * through the harness too, so the two never interleave within a line. */
static void fs_proc_log(const fs_proc_t *p, const char *event, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void fs_proc_log(const fs_proc_t *p, const char *event, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    fs_logcap_event(p->log, "info", event, fmt, ap);
    va_end(ap);
}

static void fs_sup_emit(fs_proc_t *p, fs_sup_event_t *ev)
{
    ev->proc = p;
    ev->name = p->name;
    if (p->sup->event_cb)
        p->sup->event_cb(p->sup, ev, p->sup->data);
}

static void fs_sup_check_done(fs_sup_t *sup);
static void fs_proc_spawn(fs_proc_t *p);
static void fs_sup_check_ready(fs_sup_t *sup);

/* ---- restarts ---- */

static void fs_proc_restart_cb(uv_timer_t *t)
{
    fs_proc_t *p = FS_CONTAINER_OF(t, fs_proc_t, restart_timer);

    p->restart_pending = 0;
    if (p->sup->stopping || !p->restart)
        return;
    p->restarts++;
    fs_proc_spawn(p);
}

static void fs_proc_schedule_restart(fs_proc_t *p)
{
    uint64_t now = uv_now(p->sup->loop), backoff = p->backoff_initial;
    fs_sup_event_t ev = {.type = FS_SUP_EV_RESTARTING};
    char detail[256];
    unsigned recent = 0;

    p->attempt++;
    for (unsigned i = 1; i < p->attempt && backoff < p->backoff_max; i++)
        backoff *= 2;
    if (backoff > p->backoff_max)
        backoff = p->backoff_max;

    p->ring[p->nring++ % FS_SUP_RING] = now;
    for (unsigned i = 0; i < FS_SUP_RING && i < p->nring; i++) {
        if (now - p->ring[i] <= FS_SUP_LOOP_WINDOW_MS)
            recent++;
    }

    snprintf(detail, sizeof(detail), "%s restarting in %llu ms (attempt %u)", p->name,
             (unsigned long long)backoff, p->attempt);
    fs_proc_log(p, "restart", "attempt=%u backoff_ms=%llu", p->attempt,
                (unsigned long long)backoff);
    ev.attempt = p->attempt;
    ev.backoff_ms = backoff;
    ev.restarts = p->restarts;
    ev.detail = detail;
    p->restart_pending = 1;
    uv_timer_start(&p->restart_timer, fs_proc_restart_cb, backoff, 0);
    fs_sup_emit(p, &ev);

    if (recent < FS_SUP_LOOP_RESTARTS) {
        p->in_loop = 0;
    } else if (!p->in_loop && !p->sup->stopping) {
        fs_sup_event_t loop = {.type = FS_SUP_EV_CRASH_LOOP, .restarts = recent};

        p->in_loop = 1;
        snprintf(detail, sizeof(detail), "%s is crash looping: %u restarts within %d s", p->name,
                 recent, FS_SUP_LOOP_WINDOW_MS / 1000);
        fs_proc_log(p, "crash_loop", "restarts=%u window_ms=%d", recent, FS_SUP_LOOP_WINDOW_MS);
        loop.detail = detail;
        fs_sup_emit(p, &loop);
    }
}

/* The handle is free (or was never taken): what comes next. */
static void fs_proc_down(fs_proc_t *p)
{
    if (p->sup->stopping) {
        fs_sup_check_done(p->sup);
        return;
    }
    if (p->restart && !p->restart_pending)
        fs_proc_schedule_restart(p);
}

static void fs_proc_closed_cb(uv_handle_t *h)
{
    fs_proc_t *p = FS_CONTAINER_OF(h, fs_proc_t, handle);

    p->handle_open = 0;
    p->sup->open_handles--;
    fs_proc_down(p);
}

/* ---- spawn and exit ---- */

static void fs_proc_pipe_closed_cb(void *data)
{
    fs_proc_t *p = data;

    p->sup->open_handles--;
    fs_sup_check_done(p->sup);
}

static void fs_proc_unpipe(fs_proc_t *p)
{
    fs_logcap_unpipe(p->log, fs_proc_pipe_closed_cb, p);
}

static void fs_proc_exit_cb(uv_process_t *h, int64_t exit_status, int term_signal)
{
    fs_proc_t *p = FS_CONTAINER_OF(h, fs_proc_t, handle);
    fs_sup_event_t ev = {.type = FS_SUP_EV_EXITED, .pid = p->pid, .exit_status = exit_status};
    uint64_t uptime = uv_now(p->sup->loop) - p->started_at;
    char sigbuf[16], detail[256];
    int pid = p->pid;

    p->running = 0;
    p->pid = 0;
    p->ready = 0;
    /* The group outlives its leader only through stray children; they die
     * with it so that a restart never runs beside its predecessor's
     * leftovers. The group id cannot have been recycled while they live. */
    uv_kill(-pid, SIGKILL);
    /* What it wrote last comes before the harness's exit line. */
    fs_proc_unpipe(p);

    if (term_signal) {
        ev.term_signal = term_signal;
        ev.signame = fs_sup_signame(term_signal, sigbuf, sizeof(sigbuf));
        snprintf(p->last_exit, sizeof(p->last_exit), "%s", ev.signame);
    } else {
        snprintf(p->last_exit, sizeof(p->last_exit), "status %lld", (long long)exit_status);
    }
    snprintf(detail, sizeof(detail), "%s exited with %s after %llu ms", p->name, p->last_exit,
             (unsigned long long)uptime);
    fs_proc_log(p, "exit", "pid=%d status=%lld signal=%s uptime_ms=%llu", pid,
                (long long)exit_status, term_signal ? ev.signame : "none",
                (unsigned long long)uptime);
    if (uptime >= p->backoff_reset) {
        p->attempt = 0;
        p->in_loop = 0;
    }
    ev.uptime_ms = uptime;
    ev.restarts = p->restarts;
    ev.detail = detail;
    uv_close((uv_handle_t *)h, fs_proc_closed_cb);
    fs_sup_emit(p, &ev);
}

/* The harness's environment with p's entries replacing or added, or NULL
 * on ENOMEM. The strings are borrowed: uv_spawn copies them in the child. */
static char **fs_proc_build_env(const fs_proc_t *p)
{
    extern char **environ;
    size_t n = 0, k = 0;
    char **env;

    while (environ[n] != NULL)
        n++;
    env = malloc((n + p->nenv + 1) * sizeof(*env));
    if (env == NULL)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        size_t j;

        for (j = 0; j < p->nenv; j++) {
            size_t klen = (size_t)(strchr(p->env[j], '=') - p->env[j]) + 1;

            if (strncmp(environ[i], p->env[j], klen) == 0)
                break;
        }
        if (j == p->nenv)
            env[k++] = environ[i];
    }
    for (size_t j = 0; j < p->nenv; j++)
        env[k++] = p->env[j];
    env[k] = NULL;
    return env;
}

static void fs_sup_health_cb(uv_timer_t *t);

/* Reports a spawn that did not happen; the restart follows from the close
 * callback when the handle was taken, from here when it was not. */
static void fs_proc_spawn_failed(fs_proc_t *p, int rc, int handle_taken)
{
    fs_sup_event_t ev = {.type = FS_SUP_EV_SPAWN_FAILED, .error = rc};
    char detail[256];

    snprintf(p->last_exit, sizeof(p->last_exit), "spawn failed: %s", uv_strerror(rc));
    fs_proc_log(p, "spawn_failed", "error=%s", uv_err_name(rc));
    snprintf(detail, sizeof(detail), "%s: %s", p->name, p->last_exit);
    ev.restarts = p->restarts;
    ev.detail = detail;
    fs_sup_emit(p, &ev);
    if (!handle_taken)
        fs_proc_down(p);
}

static void fs_proc_spawn(fs_proc_t *p)
{
    fs_sup_t *sup = p->sup;
    uv_process_options_t opts = {0};
    uv_stdio_container_t stdio[4];
    fs_sup_event_t ev = {.type = FS_SUP_EV_STARTED};
    char parent[24], detail[256], quoted[512];
    char **args, **env = NULL;
    size_t k = 0;
    int rc, out_fd = -1;

    p->incarnation++;
    p->ready = 0;
    p->last_probe = 0;
    args = malloc((p->argc + 10) * sizeof(*args));
    if (p->nenv)
        env = fs_proc_build_env(p);
    if (args == NULL || (p->nenv && env == NULL)) {
        free(args);
        free(env);
        fs_proc_spawn_failed(p, UV_ENOMEM, 0);
        return;
    }
    snprintf(parent, sizeof(parent), "%d", (int)getpid());
    args[k++] = sup->wrapper;
    args[k++] = "--pdeathsig";
    args[k++] = "--no-core";
    args[k++] = "--parent";
    args[k++] = parent;
    /* Whatever a process creates is ours alone: libfiu's control fifos
     * (0600 already), and anything else it may write. */
    args[k++] = "--umask";
    args[k++] = FS_SUP_UMASK;
    args[k++] = "--";
    args[k++] = p->file;
    for (size_t i = 1; i < p->argc; i++)
        args[k++] = p->argv[i];
    args[k] = NULL;

    /* stdout and stderr into a pipe the harness reads (harness/logcap.h),
     * never straight into the file: the cap holds, and a flood is read at
     * the harness's pace. Without a pipe the output is lost, not the run. */
    if (p->log != NULL) {
        if ((rc = fs_logcap_pipe(p->log, sup->loop, &out_fd)) == 0)
            sup->open_handles++;
        else
            fs_proc_log(p, "log_capture_failed", "error=%s", uv_err_name(rc));
    }
    stdio[0].flags = UV_IGNORE;
    for (int i = 1; i < 3; i++) {
        stdio[i].flags = out_fd >= 0 ? UV_INHERIT_FD : UV_IGNORE;
        stdio[i].data.fd = out_fd;
    }
    opts.exit_cb = fs_proc_exit_cb;
    opts.file = sup->wrapper;
    opts.args = args;
    opts.env = env;
    /* libuv dup2()s it into place, which clears close-on-exec there only. */
    stdio[3].flags = UV_INHERIT_FD;
    stdio[3].data.fd = sup->lifeline;
    opts.stdio = stdio;
    opts.stdio_count = sup->lifeline >= 0 ? 4 : 3;
    /* setsid(): its own session and process group, so that a stop can
     * signal the whole group and a ^C at the terminal reaches the harness
     * only. */
    opts.flags = UV_PROCESS_DETACHED;

    fs_proc_log(p, "start", "incarnation=%u file=%s", p->incarnation,
                fs_log_quote(quoted, sizeof(quoted), p->file));
    rc = uv_spawn(sup->loop, &p->handle, &opts);
    free(args);
    free(env);
    if (out_fd >= 0)
        close(out_fd); /* the child's now; EOF once it and its children are gone */
    /* Even a failed uv_spawn leaves an initialised handle to close. */
    p->handle_open = 1;
    sup->open_handles++;
    if (rc < 0) {
        fs_proc_unpipe(p);
        uv_close((uv_handle_t *)&p->handle, fs_proc_closed_cb);
        fs_proc_spawn_failed(p, rc, 1);
        return;
    }
    p->pid = p->handle.pid;
    p->running = 1;
    p->started_at = uv_now(sup->loop);
    fs_proc_log(p, "started", "incarnation=%u pid=%d", p->incarnation, p->handle.pid);
    if (!uv_is_active((uv_handle_t *)&sup->health_timer))
        uv_timer_start(&sup->health_timer, fs_sup_health_cb, 0, FS_SUP_HEALTH_POLL_MS);
    snprintf(detail, sizeof(detail), "%s started, pid %d", p->name, p->handle.pid);
    ev.pid = p->handle.pid;
    ev.restarts = p->restarts;
    ev.detail = detail;
    fs_sup_emit(p, &ev);
}

/* ---- readiness ---- */

static void fs_proc_set_ready(fs_proc_t *p)
{
    fs_sup_event_t ev = {.type = FS_SUP_EV_READY, .pid = p->pid, .restarts = p->restarts};
    char detail[256];

    p->ready = 1;
    snprintf(detail, sizeof(detail), "%s ready, pid %d", p->name, (int)p->pid);
    fs_proc_log(p, "ready", "incarnation=%u pid=%d", p->incarnation, (int)p->pid);
    ev.detail = detail;
    fs_sup_emit(p, &ev);
}

static void fs_proc_probe_cb(int status, const fs_http_resp_t *resp, void *data)
{
    fs_proc_t *p = data;

    (void)resp;
    p->probing = 0;
    if (status == -ECANCELED || p->sup->stopping)
        return;
    if (!p->running || p->probe_incarnation != p->incarnation || p->ready)
        return;
    p->last_probe = status;
    if (status != 200)
        return;
    fs_proc_set_ready(p);
    fs_sup_check_ready(p->sup);
}

static void fs_proc_probe(fs_proc_t *p)
{
    fs_http_call_t call = {.method = "GET", .target = "/healthz", .timeout_ms = 1000};
    int rc;

    p->probe_incarnation = p->incarnation;
    p->probing = 1;
    rc = fs_http_client_request(p->client, &call, fs_proc_probe_cb, p);
    if (rc < 0) {
        p->probing = 0;
        p->last_probe = rc;
    }
}

static void fs_sup_health_cb(uv_timer_t *t)
{
    fs_sup_t *sup = t->data;
    int waiting = 0;

    for (fs_proc_t *p = sup->head; p != NULL && !sup->stopping; p = p->next) {
        if (!p->running || p->ready)
            continue;
        if (!p->has_health) {
            fs_proc_set_ready(p);
            continue;
        }
        waiting = 1;
        if (!p->probing)
            fs_proc_probe(p);
    }
    if (sup->stopping)
        return;
    fs_sup_check_ready(sup);
    if (!waiting && !sup->stopping)
        uv_timer_stop(&sup->health_timer);
}

static void fs_sup_check_ready(fs_sup_t *sup)
{
    fs_sup_ready_cb cb = sup->ready_cb;

    if (cb == NULL)
        return;
    for (fs_proc_t *p = sup->head; p != NULL; p = p->next) {
        if (!p->running || !p->ready)
            return;
    }
    sup->ready_cb = NULL;
    uv_timer_stop(&sup->ready_timer);
    cb(sup, 0, NULL, sup->data);
}

static void fs_sup_ready_timeout_cb(uv_timer_t *t)
{
    fs_sup_t *sup = t->data;
    fs_sup_ready_cb cb = sup->ready_cb;
    fs_proc_t *first = NULL;
    unsigned more = 0;
    char why[128], msg[384];

    if (cb == NULL)
        return;
    for (fs_proc_t *p = sup->head; p != NULL; p = p->next) {
        if (p->running && p->ready)
            continue;
        if (first == NULL)
            first = p;
        else
            more++;
    }
    if (first == NULL)
        return; /* cannot happen: check_ready would have answered */
    if (!first->running)
        snprintf(why, sizeof(why), "not running (last: %s, %u restarts)",
                 first->last_exit[0] ? first->last_exit : "never started", first->restarts);
    else if (first->last_probe < 0)
        snprintf(why, sizeof(why), "GET /healthz: %s", strerror(-first->last_probe));
    else if (first->last_probe > 0)
        snprintf(why, sizeof(why), "GET /healthz answered %d", first->last_probe);
    else
        snprintf(why, sizeof(why), "GET /healthz not answered");
    if (more)
        snprintf(msg, sizeof(msg), "%s (and %u more) not ready after %llu ms: %s", first->name,
                 more, (unsigned long long)sup->ready_timeout_ms, why);
    else
        snprintf(msg, sizeof(msg), "%s not ready after %llu ms: %s", first->name,
                 (unsigned long long)sup->ready_timeout_ms, why);
    sup->ready_cb = NULL;
    cb(sup, -ETIMEDOUT, msg, sup->data);
}

/* ---- life cycle ---- */

static char **fs_strv_dup(const char *const *v, size_t *n)
{
    size_t len = 0;
    char **out;

    while (v != NULL && v[len] != NULL)
        len++;
    out = calloc(len + 1, sizeof(*out));
    if (out == NULL)
        return NULL;
    for (size_t i = 0; i < len; i++) {
        out[i] = strdup(v[i]);
        if (out[i] == NULL) {
            for (size_t j = 0; j < i; j++)
                free(out[j]);
            free(out);
            return NULL;
        }
    }
    *n = len;
    return out;
}

static void fs_strv_free(char **v)
{
    for (size_t i = 0; v != NULL && v[i] != NULL; i++)
        free(v[i]);
    free(v);
}

static int fs_sup_executable(const char *path)
{
    if (path == NULL || *path == '\0')
        return -EINVAL;
    if (access(path, X_OK) != 0)
        return errno == ENOENT ? -ENOENT : -EACCES;
    return 0;
}

int fs_sup_new(uv_loop_t *loop, const char *exec_wrapper, fs_sup_event_cb event_cb, void *data,
               fs_sup_t **out)
{
    fs_sup_t *sup = NULL;
    int rc;

    if (loop == NULL || out == NULL)
        return -EINVAL;
    rc = fs_sup_executable(exec_wrapper);
    if (rc < 0)
        return rc;
    sup = calloc(1, sizeof(*sup));
    if (sup == NULL)
        goto fail;
    sup->wrapper = strdup(exec_wrapper);
    if (sup->wrapper == NULL)
        goto fail;
    sup->loop = loop;
    sup->event_cb = event_cb;
    sup->data = data;
    sup->lifeline = -1;
    sup->stop_grace_ms = FS_SUP_STOP_GRACE_MS;
    *out = sup;
    return 0;

fail:
    free(sup);
    return -ENOMEM;
}

int fs_sup_set_lifeline(fs_sup_t *sup, int fd)
{
    if (sup->started)
        return -EBUSY;
    sup->lifeline = fd;
    return 0;
}

void fs_sup_set_stop_grace(fs_sup_t *sup, uint64_t ms)
{
    sup->stop_grace_ms = ms;
}

static void fs_proc_free(fs_proc_t *p)
{
    if (p == NULL)
        return;
    if (p->client != NULL)
        fs_http_client_close(p->client);
    fs_logcap_close(p->log);
    free(p->name);
    free(p->file);
    fs_strv_free(p->argv);
    fs_strv_free(p->env);
    free(p);
}

static int fs_proc_check_config(fs_sup_t *sup, const fs_proc_config_t *cfg)
{
    if (cfg->name == NULL || *cfg->name == '\0')
        return -EINVAL;
    if (fs_sup_find(sup, cfg->name) != NULL)
        return -EEXIST;
    for (size_t i = 0; cfg->env != NULL && cfg->env[i] != NULL; i++) {
        if (cfg->env[i][0] == '=' || strchr(cfg->env[i], '=') == NULL)
            return -EINVAL;
    }
    if (cfg->health != NULL && cfg->health->sa_family != AF_INET &&
        cfg->health->sa_family != AF_INET6)
        return -EINVAL;
    if (cfg->log_cap_bytes != 0 && cfg->log_cap_bytes < FS_LOGCAP_MIN_BYTES)
        return -EINVAL;
    return fs_sup_executable(cfg->file);
}

int fs_sup_add(fs_sup_t *sup, const fs_proc_config_t *cfg, fs_proc_t **out)
{
    const char *const self[] = {cfg ? cfg->file : NULL, NULL};
    fs_proc_t *p = NULL;
    int rc;

    if (sup == NULL || cfg == NULL)
        return -EINVAL;
    if (sup->started || sup->stopping)
        return -EBUSY;
    rc = fs_proc_check_config(sup, cfg);
    if (rc < 0)
        return rc;
    rc = -ENOMEM;
    p = calloc(1, sizeof(*p));
    if (p == NULL)
        goto fail;
    p->sup = sup;
    p->name = strdup(cfg->name);
    p->file = strdup(cfg->file);
    p->argv = fs_strv_dup(cfg->argv ? cfg->argv : self, &p->argc);
    p->env = fs_strv_dup(cfg->env, &p->nenv);
    if (p->name == NULL || p->file == NULL || p->argv == NULL || p->env == NULL)
        goto fail;
    if (cfg->log_path != NULL &&
        (rc = fs_logcap_open(cfg->log_path, cfg->name, cfg->log_cap_bytes, &p->log)) < 0)
        goto fail;
    if (cfg->health != NULL) {
        size_t len = cfg->health->sa_family == AF_INET ? sizeof(struct sockaddr_in)
                                                       : sizeof(struct sockaddr_in6);

        memcpy(&p->health, cfg->health, len);
        p->has_health = 1;
        rc = fs_http_client_new(sup->loop, (const struct sockaddr *)&p->health, &p->client);
        if (rc < 0)
            goto fail;
    }
    p->restart = !cfg->no_restart;
    p->backoff_initial =
        cfg->backoff_initial_ms ? cfg->backoff_initial_ms : FS_SUP_BACKOFF_INITIAL_MS;
    p->backoff_max = cfg->backoff_max_ms ? cfg->backoff_max_ms : FS_SUP_BACKOFF_MAX_MS;
    if (p->backoff_max < p->backoff_initial)
        p->backoff_max = p->backoff_initial;
    p->backoff_reset = cfg->backoff_reset_ms ? cfg->backoff_reset_ms : FS_SUP_BACKOFF_RESET_MS;
    uv_timer_init(sup->loop, &p->restart_timer);
    sup->open_handles++;

    if (sup->tail != NULL)
        sup->tail->next = p;
    else
        sup->head = p;
    sup->tail = p;
    if (out != NULL)
        *out = p;
    return 0;

fail:
    fs_proc_free(p);
    return rc;
}

int fs_sup_start(fs_sup_t *sup, uint64_t ready_timeout_ms, fs_sup_ready_cb ready_cb)
{
    if (sup == NULL || ready_cb == NULL)
        return -EINVAL;
    if (sup->started || sup->stopping)
        return -EALREADY;
    sup->started = 1;
    uv_timer_init(sup->loop, &sup->health_timer);
    uv_timer_init(sup->loop, &sup->ready_timer);
    sup->health_timer.data = sup;
    sup->ready_timer.data = sup;
    sup->open_handles += 2;
    sup->ready_cb = ready_cb;
    sup->ready_timeout_ms = ready_timeout_ms;
    if (ready_timeout_ms > 0)
        uv_timer_start(&sup->ready_timer, fs_sup_ready_timeout_cb, ready_timeout_ms, 0);
    /* The first health tick answers ready_cb even when nothing was added,
     * so it always fires from the loop. */
    uv_timer_start(&sup->health_timer, fs_sup_health_cb, 0, FS_SUP_HEALTH_POLL_MS);
    for (fs_proc_t *p = sup->head; p != NULL && !sup->stopping; p = p->next)
        fs_proc_spawn(p);
    return 0;
}

/* SIGTERM or SIGKILL for a whole incarnation: its group, or the leader when
 * the group is gone. */
static void fs_proc_kill_group(fs_proc_t *p, int signum)
{
    if (!p->running)
        return;
    if (uv_kill(-(int)p->pid, signum) == UV_ESRCH)
        uv_process_kill(&p->handle, signum);
}

static void fs_sup_grace_cb(uv_timer_t *t)
{
    fs_sup_t *sup = t->data;

    for (fs_proc_t *p = sup->head; p != NULL; p = p->next) {
        if (p->running) {
            fs_proc_log(p, "stop", "pid=%d signal=SIGKILL reason=grace_expired", (int)p->pid);
            fs_proc_kill_group(p, SIGKILL);
        }
    }
}

static void fs_sup_grace_closed_cb(uv_handle_t *h)
{
    fs_sup_t *sup = h->data;

    sup->done_cb(sup, sup->data);
}

static void fs_sup_handle_closed_cb(uv_handle_t *h)
{
    fs_sup_t *sup = h->data;

    sup->open_handles--;
    fs_sup_check_done(sup);
}

static void fs_proc_timer_closed_cb(uv_handle_t *h)
{
    fs_proc_t *p = FS_CONTAINER_OF(h, fs_proc_t, restart_timer);

    p->sup->open_handles--;
    fs_sup_check_done(p->sup);
}

/* done_cb goes out from the grace timer's close callback, the last handle
 * to close, so the caller may free sup there. */
static void fs_sup_check_done(fs_sup_t *sup)
{
    if (!sup->stopping || sup->open_handles > 0 || sup->grace_closing)
        return;
    sup->grace_closing = 1;
    uv_close((uv_handle_t *)&sup->grace_timer, fs_sup_grace_closed_cb);
}

static void fs_sup_noop_done_cb(fs_sup_t *sup, void *data)
{
    (void)sup;
    (void)data;
}

int fs_sup_stop(fs_sup_t *sup, fs_sup_done_cb done_cb)
{
    fs_sup_ready_cb ready_cb;
    int running = 0;

    if (sup == NULL)
        return -EINVAL;
    if (sup->stopping)
        return -EALREADY;
    sup->stopping = 1;
    sup->done_cb = done_cb ? done_cb : fs_sup_noop_done_cb;
    uv_timer_init(sup->loop, &sup->grace_timer);
    sup->grace_timer.data = sup;

    if (sup->started) {
        uv_close((uv_handle_t *)&sup->health_timer, fs_sup_handle_closed_cb);
        uv_close((uv_handle_t *)&sup->ready_timer, fs_sup_handle_closed_cb);
    }
    for (fs_proc_t *p = sup->head; p != NULL; p = p->next) {
        p->restart_pending = 0;
        uv_close((uv_handle_t *)&p->restart_timer, fs_proc_timer_closed_cb);
        if (p->client != NULL) {
            fs_http_client_t *c = p->client;

            p->client = NULL;
            fs_http_client_close(c);
        }
        if (p->running) {
            running = 1;
            fs_proc_log(p, "stop", "pid=%d signal=SIGTERM", (int)p->pid);
            fs_proc_kill_group(p, SIGTERM);
            /* A process.hang fault may have stopped it: it must run to
             * see the SIGTERM. */
            fs_proc_kill_group(p, SIGCONT);
        }
    }
    if (running)
        uv_timer_start(&sup->grace_timer, fs_sup_grace_cb, sup->stop_grace_ms, 0);

    ready_cb = sup->ready_cb;
    sup->ready_cb = NULL;
    if (ready_cb != NULL)
        ready_cb(sup, -ECANCELED, "stopped before every process was ready", sup->data);
    fs_sup_check_done(sup);
    return 0;
}

void fs_sup_free(fs_sup_t *sup)
{
    fs_proc_t *p, *next;

    if (sup == NULL)
        return;
    for (p = sup->head; p != NULL; p = next) {
        next = p->next;
        fs_proc_free(p);
    }
    free(sup->wrapper);
    free(sup);
}

void fs_sup_kill_all(fs_sup_t *sup)
{
    if (sup == NULL)
        return;
    for (fs_proc_t *p = sup->head; p != NULL; p = p->next) {
        pid_t pid = (pid_t)p->pid;

        if (pid > 0 && kill(-pid, SIGKILL) != 0)
            kill(pid, SIGKILL);
    }
}

fs_proc_t *fs_sup_find(fs_sup_t *sup, const char *name)
{
    for (fs_proc_t *p = sup ? sup->head : NULL; p != NULL && name != NULL; p = p->next) {
        if (strcmp(p->name, name) == 0)
            return p;
    }
    return NULL;
}

fs_proc_t *fs_sup_next(fs_sup_t *sup, fs_proc_t *prev)
{
    if (prev != NULL)
        return prev->next;
    return sup ? sup->head : NULL;
}

int fs_proc_signal(fs_proc_t *proc, int signum)
{
    if (proc == NULL)
        return -EINVAL;
    if (!proc->running)
        return -ESRCH;
    return uv_process_kill(&proc->handle, signum);
}

void fs_proc_set_restart(fs_proc_t *proc, int on)
{
    fs_sup_t *sup = proc->sup;

    proc->restart = on ? 1 : 0;
    if (!on && proc->restart_pending) {
        uv_timer_stop(&proc->restart_timer);
        proc->restart_pending = 0;
    } else if (on && sup->started && !sup->stopping && !proc->handle_open &&
               !proc->restart_pending) {
        fs_proc_schedule_restart(proc);
    }
}

const char *fs_proc_name(const fs_proc_t *proc)
{
    return proc->name;
}

int fs_proc_pid(const fs_proc_t *proc)
{
    return proc->pid;
}

unsigned fs_proc_restarts(const fs_proc_t *proc)
{
    return proc->restarts;
}

int fs_proc_running(const fs_proc_t *proc)
{
    return proc->running;
}

int fs_proc_ready(const fs_proc_t *proc)
{
    return proc->running && proc->ready;
}

void fs_proc_set_data(fs_proc_t *proc, void *data)
{
    proc->data = data;
}

void *fs_proc_data(const fs_proc_t *proc)
{
    return proc->data;
}
