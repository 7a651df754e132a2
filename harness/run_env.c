/* What injectors may do to a running fleet (injectors/injector.h), and
 * nothing more: they reach processes, links and configstore only through
 * here, so a fault can never touch anything the run did not start. */
#include "run_int.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "prng.h"

#define FS__RUN_FIU_TIMEOUT_MS 1000

/* Before run time 0 is known, events are stamped from the run's start and
 * shifted onto the run's clock when the load begins. */
int64_t fs__run_now_ms(const fs_run_t *r)
{
    uint64_t base = r->t0_ns ? r->t0_ns : r->wall_start_ns;

    return ((int64_t)uv_hrtime() - (int64_t)base) / 1000000;
}

uv_loop_t *fs_inj_env_loop(fs_inj_env_t *env)
{
    return env->run->loop;
}

int64_t fs_inj_env_now_ms(const fs_inj_env_t *env)
{
    return fs__run_now_ms(env->run);
}

uint64_t fs_inj_env_seed(const fs_inj_env_t *env, const char *stream)
{
    return fs_prng_derive(env->run->seed, stream);
}

void fs_inj_env_event(fs_inj_env_t *env, const char *kind, const char *source, const char *fmt, ...)
{
    char what[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    fs_timeline_add(env->run->timeline, fs__run_now_ms(env->run), kind, source, "%s", what);
}

static int fs__run_target_has_link(const fs_target_t *t, const fs_run_link_t *l)
{
    if (t->kind == FS_TARGET_IFACE)
        return l->iface == t->iface;
    if (t->kind == FS_TARGET_LINK)
        return l->iface == t->iface && l->from == t->from && l->to == t->to;
    return 0;
}

size_t fs_inj_env_links(fs_inj_env_t *env, const fs_target_t *t, struct fs_link_s **out, size_t max)
{
    fs_run_t *r = env->run;
    size_t n = 0;

    for (size_t i = 0; i < r->nlinks && n < max; i++)
        if (r->links[i].link != NULL && fs__run_target_has_link(t, &r->links[i]))
            out[n++] = r->links[i].link;
    return n;
}

size_t fs_inj_env_procs(fs_inj_env_t *env, const fs_target_t *t, struct fs_proc_s **out, size_t max)
{
    fs_run_t *r = env->run;
    size_t n = 0;

    for (size_t i = 0; i < r->nprocs && n < max; i++) {
        const fs_run_proc_t *p = &r->procs[i];
        if (p->proc == NULL || p->svc != t->svc)
            continue;
        if ((t->kind == FS_TARGET_SERVICE) ||
            (t->kind == FS_TARGET_INSTANCE && p->index == t->index))
            out[n++] = p->proc;
    }
    return n;
}

/* ---- configs ---- */

static int fs__run_key(const char *key, fs_run_key_t *out)
{
    for (int k = 0; k < FS_RUN_KEYS; k++) {
        if (strcmp(key, fs__run_key_name((fs_run_key_t)k)) == 0) {
            *out = (fs_run_key_t)k;
            return 0;
        }
    }
    return -ENOENT;
}

void fs__run_mark_bad(fs_run_t *r, fs_run_key_t key, uint64_t version)
{
    if (r->nbad[key] < FS_RUN_MAX_BAD)
        r->bad[key][r->nbad[key]++] = version;
}

typedef struct {
    fs_run_t *run;
    fs_run_key_t key;
    int bad;
    char what[160];
} fs__run_publish_t;

static void fs__run_published_cb(int status, const fs_http_resp_t *resp, void *data)
{
    fs__run_publish_t *p = data;
    fs_run_t *r = p->run;
    const char *body, *v;
    size_t len;

    if (status == -ECANCELED) {
        free(p);
        return;
    }
    body = status == 200 ? fs_http_resp_body(resp, &len) : NULL;
    v = body ? strstr(body, "\"version\":") : NULL;
    if (v != NULL) {
        uint64_t version = strtoull(v + 10, NULL, 10);
        if (p->bad)
            fs__run_mark_bad(r, p->key, version);
        fs_timeline_add(r->timeline, fs__run_now_ms(r), "config.publish", "configstore",
                        "%s v%llu: %s", fs__run_key_name(p->key), (unsigned long long)version,
                        p->what);
    } else {
        fs_timeline_add(r->timeline, fs__run_now_ms(r), "config.publish_failed", "configstore",
                        "%s: %s: %s", fs__run_key_name(p->key), p->what,
                        status < 0 ? uv_strerror(status) : fs_http_status_text(status));
    }
    free(p);
}

int fs__run_publish(fs_run_t *r, fs_run_key_t key, const char *blob, size_t len,
                    fs_http_client_cb cb, void *data)
{
    char target[64];
    fs_http_call_t call = {.method = "PUT", .body = blob, .body_len = len, .timeout_ms = 5000};

    snprintf(target, sizeof(target), "/v1/config/%s", fs__run_key_name(key));
    call.target = target;
    return fs_http_client_request(r->cs, &call, cb, data);
}

int fs_inj_env_publish(fs_inj_env_t *env, const char *key, const char *blob, size_t len, int bad,
                       const char *what)
{
    fs_run_t *r = env->run;
    fs__run_publish_t *p;
    fs_run_key_t k;
    int rc;

    if (fs__run_key(key, &k) < 0)
        return -ENOENT;
    if ((p = calloc(1, sizeof(*p))) == NULL)
        return -ENOMEM;
    p->run = r;
    p->key = k;
    p->bad = bad;
    snprintf(p->what, sizeof(p->what), "%s", what ? what : "");
    r->config_faults = 1;
    rc = fs__run_publish(r, k, blob, len, fs__run_published_cb, p);
    if (rc < 0)
        free(p);
    return rc;
}

const char *fs_inj_env_baseline(fs_inj_env_t *env, const char *key, size_t *len)
{
    fs_run_key_t k;

    if (fs__run_key(key, &k) < 0)
        return NULL;
    *len = env->run->baseline_len[k];
    return env->run->baseline[k];
}

/* ---- the dashboard, for operator actions ---- */

int fs_inj_env_dashboard(fs_inj_env_t *env, fs_inj_dashboard_t *out)
{
    fs_run_t *r = env->run;

    for (size_t i = 0; i < r->nprocs; i++) {
        if (r->procs[i].svc != FS_SVC_DASHBOARD || r->procs[i].proc == NULL)
            continue;
        memcpy(&out->addr, &r->procs[i].addr, sizeof(out->addr));
        /* The dashboard runs with its defaults, which the load's are. */
        out->password = FS_LOAD_DEFAULT_PASSWORD;
        out->break_glass = FS_LOAD_DEFAULT_TOKEN;
        return 0;
    }
    return -ENOENT;
}

/* ---- libfiu remote control ---- */

/* One command over libfiu's fifo pair: the line into BASE-PID.in, one
 * answer line out of BASE-PID.out. libfiu's thread serves one writer at a
 * time: it reads lines until EOF, then closes both ends and opens them
 * again. A writer that comes while it is on its way out meets a reader
 * about to go (EPIPE), or none (ENXIO): nothing was delivered and
 * -EAGAIN says try again. Fills reply (NUL-terminated, newline cut). */
static int fs__run_fiu_once(const char *in, const char *outp, const char *line, size_t n,
                            char *reply, size_t rlen, char *err, size_t errlen)
{
    int fd_in = -1, fd_out = -1, rc = 0;
    struct pollfd pfd;
    size_t got = 0;
    char *nl = NULL, drain[64];
    ssize_t k;

    /* Non-blocking open: a fifo with no reader fails at once (ENXIO). */
    if ((fd_in = open(in, O_WRONLY | O_NONBLOCK | O_CLOEXEC)) < 0) {
        rc = errno == ENXIO ? -EAGAIN : -errno;
        snprintf(err, errlen, "%s: %s", in, strerror(errno));
        goto out;
    }
    if ((fd_out = open(outp, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) < 0) {
        rc = -errno;
        snprintf(err, errlen, "%s: %s", outp, strerror(errno));
        goto out;
    }
    /* SIGPIPE is ignored by the harness (main.c): EPIPE comes back here. */
    if ((k = write(fd_in, line, n)) != (ssize_t)n) {
        rc = k < 0 && errno == EPIPE ? -EAGAIN : -EIO;
        snprintf(err, errlen, "%s: %s", in, k < 0 ? strerror(errno) : "short write");
        goto out;
    }
    pfd.fd = fd_out;
    pfd.events = POLLIN;
    while (nl == NULL && got < rlen - 1) {
        if (poll(&pfd, 1, FS__RUN_FIU_TIMEOUT_MS) <= 0) {
            rc = -ETIMEDOUT;
            snprintf(err, errlen, "%s: no answer within %d ms", outp, FS__RUN_FIU_TIMEOUT_MS);
            goto out;
        }
        k = read(fd_out, reply + got, rlen - 1 - got);
        if (k < 0 && (errno == EAGAIN || errno == EINTR))
            continue;
        if (k <= 0) {
            rc = -EIO;
            snprintf(err, errlen, "%s: closed without an answer", outp);
            goto out;
        }
        got += (size_t)k;
        reply[got] = '\0';
        nl = strchr(reply, '\n');
    }
    if (nl != NULL)
        *nl = '\0';
    /* Wait for libfiu's thread to see our EOF and close its end of the
     * answer fifo: then it is on its way back to a fresh open, and the next
     * command cannot meet it leaving. Bounded; the command is done anyway. */
    close(fd_in);
    fd_in = -1;
    while (poll(&pfd, 1, 100) > 0 && ((k = read(fd_out, drain, sizeof(drain))) > 0 ||
                                      (k < 0 && (errno == EAGAIN || errno == EINTR))))
        ;
out:
    if (fd_in >= 0)
        close(fd_in);
    if (fd_out >= 0)
        close(fd_out);
    return rc;
}

int fs_inj_env_fiu(fs_inj_env_t *env, struct fs_proc_s *proc, const char *cmd, char *err,
                   size_t errlen)
{
    const fs_run_proc_t *p = fs_proc_data(proc);
    char in[PATH_MAX + 32], outp[PATH_MAX + 32], line[1024], reply[32];
    uint64_t deadline = uv_hrtime() + (uint64_t)FS__RUN_FIU_TIMEOUT_MS * 1000000;
    const struct timespec pause = {0, 100000};
    int pid = fs_proc_pid(proc), rc, n;

    (void)env;
    if (pid <= 0) {
        snprintf(err, errlen, "%s is not running", fs_proc_name(proc));
        return -ESRCH;
    }
    snprintf(in, sizeof(in), "%s-%d.in", p->fifo, pid);
    snprintf(outp, sizeof(outp), "%s-%d.out", p->fifo, pid);
    n = snprintf(line, sizeof(line), "%s\n", cmd);
    if (n < 0 || (size_t)n >= sizeof(line) || strchr(cmd, '\n') != NULL) {
        snprintf(err, errlen, "not one libfiu command line");
        return -EINVAL;
    }
    /* A thread between two writers is gone for microseconds; one that is
     * not there at all (a process still starting) for up to the timeout. */
    while ((rc = fs__run_fiu_once(in, outp, line, (size_t)n, reply, sizeof(reply), err, errlen)) ==
               -EAGAIN &&
           uv_hrtime() < deadline)
        nanosleep(&pause, NULL);
    if (rc == -EAGAIN) {
        rc = -ETIMEDOUT;
        snprintf(err, errlen, "%s: nobody read it within %d ms", in, FS__RUN_FIU_TIMEOUT_MS);
    }
    if (rc == 0 && strcmp(reply, "0") != 0) {
        rc = -EINVAL;
        snprintf(err, errlen, "libfiu refused \"%s\" (answer %s)", cmd, reply);
    }
    return rc;
}
