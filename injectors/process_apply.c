/* process.* at run time: signals, through the supervisor, to the current
 * incarnation of the processes the run started (never a pid of our own
 * choosing). Crash, kill and restart act once and leave the rest to the
 * supervisor's restarts; a hang remembers whom it stopped so that revert
 * continues exactly those; a crash loop keeps a timer that crashes every
 * new incarnation of its targets until reverted. */
#include "inj_process.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prng.h"
#include "supervisor.h"

/* Often enough that a restarted process is crashed again within one health
 * poll of becoming ready. */
#define FS__PROCESS_LOOP_POLL_MS 20

typedef struct {
    fs_proc_t *proc;
    int pid;           /* HANG: the pid stopped; CRASH_LOOP: the pid last signalled (0: none) */
    unsigned restarts; /* CRASH_LOOP: the supervisor's restart count when last signalled */
    unsigned crashes;  /* CRASH_LOOP: signals sent so far */
} fs__process_target_t;

struct fs__inj_process_rt_s {
    uv_timer_t loop_timer; /* CRASH_LOOP only */
    int has_timer;
    fs_inj_process_t *p; /* NULL once released without a revert */
    fs_inj_env_t *env;
    size_t n;
    fs__process_target_t t[FS_MAX_NODES];
};

static const char *fs__process_signame(int sig)
{
    switch (sig) {
    case SIGSEGV:
        return "SIGSEGV";
    case SIGABRT:
        return "SIGABRT";
    case SIGKILL:
        return "SIGKILL";
    case SIGSTOP:
        return "SIGSTOP";
    case SIGCONT:
        return "SIGCONT";
    case SIGTERM:
        return "SIGTERM";
    default:
        return "a signal";
    }
}

static int fs__process_sig(const fs_inj_process_t *p)
{
    switch (p->kind) {
    case FS_INJ_PROCESS_CRASH:
    case FS_INJ_PROCESS_CRASH_LOOP:
        return p->signal ? p->signal : SIGSEGV;
    case FS_INJ_PROCESS_KILL:
        return SIGKILL;
    case FS_INJ_PROCESS_HANG:
        return SIGSTOP;
    case FS_INJ_PROCESS_RESTART:
        return SIGTERM;
    }
    return SIGSEGV;
}

static const char *fs__process_kind_name(fs_inj_process_kind_t kind)
{
    static const char *const names[] = {"process.crash", "process.kill", "process.hang",
                                        "process.crash_loop", "process.restart"};

    return (unsigned)kind < sizeof(names) / sizeof(names[0]) ? names[kind] : "process.?";
}

/* The processes the fault acts on, in instance order. A share picks
 * max(1, round(share x n)) of a service's n instances from a stream named
 * by the fault's own parameters, so one seed always picks the same ones. */
static size_t fs__process_select(const fs_inj_process_t *p, fs_inj_env_t *env, fs_proc_t **out)
{
    fs_proc_t *all[FS_MAX_NODES];
    size_t n = fs_inj_env_procs(env, &p->target, all, FS_MAX_NODES), k, chosen = 0;
    char target[64], stream[128];
    fs_prng_t rng;

    if (p->target.kind != FS_TARGET_SERVICE || !(p->share < 1) || n <= 1) {
        memcpy(out, all, n * sizeof(*out));
        return n;
    }
    k = (size_t)(p->share * (double)n + 0.5); /* round half up, as lround */
    if (k < 1)
        k = 1;
    if (k > n)
        k = n;
    fs_target_format(&p->target, target, sizeof(target));
    snprintf(stream, sizeof(stream), "faults.%s.%s.share.%.6f", fs__process_kind_name(p->kind),
             target, p->share);
    fs_prng_seed(&rng, fs_inj_env_seed(env, stream));
    /* Selection sampling (Knuth's algorithm S): k of n, each subset equally
     * likely, and the result comes out in order. */
    for (size_t i = 0; i < n && chosen < k; i++)
        if (fs_prng_uint(&rng, n - i) < k - chosen)
            out[chosen++] = all[i];
    return chosen;
}

/* Sends sig to the current incarnation of proc and stamps it. Returns the
 * pid signalled, or a negative code (not running). */
static int fs__process_send(fs_inj_env_t *env, fs_proc_t *proc, int sig, const char *why)
{
    int pid = fs_proc_pid(proc), rc;

    if (!fs_proc_running(proc) || pid <= 0)
        return -ESRCH;
    if ((rc = fs_proc_signal(proc, sig)) < 0)
        return rc;
    fs_inj_env_event(env, "fault.signal", fs_proc_name(proc), "%s to pid %d (%s)",
                     fs__process_signame(sig), pid, why);
    return pid;
}

static void fs__process_rt_free_cb(uv_handle_t *h)
{
    free(h->data);
}

static void fs__process_rt_free(struct fs__inj_process_rt_s *rt)
{
    if (rt->has_timer) {
        uv_timer_stop(&rt->loop_timer);
        if (!uv_is_closing((uv_handle_t *)&rt->loop_timer))
            uv_close((uv_handle_t *)&rt->loop_timer, fs__process_rt_free_cb);
        return;
    }
    free(rt);
}

/* Crashes every target that came back since it was last signalled. Waits
 * for readiness: the fleet program is running by then (not fs-exec before
 * it dropped core dumps), and the supervisor counts a restart that served. */
static void fs__process_loop_cb(uv_timer_t *timer)
{
    struct fs__inj_process_rt_s *rt = timer->data;
    char why[64];

    if (rt->p == NULL)
        return;
    for (size_t i = 0; i < rt->n; i++) {
        fs__process_target_t *t = &rt->t[i];
        int pid = fs_proc_pid(t->proc);

        if (!fs_proc_running(t->proc) || !fs_proc_ready(t->proc) || pid <= 0)
            continue;
        if (pid == t->pid && fs_proc_restarts(t->proc) == t->restarts)
            continue;
        snprintf(why, sizeof(why), "process.crash_loop, crash %u", t->crashes + 1);
        if (fs__process_send(rt->env, t->proc, fs__process_sig(rt->p), why) > 0) {
            t->pid = pid;
            t->restarts = fs_proc_restarts(t->proc);
            t->crashes++;
        }
    }
}

/* Appends ", name" to buf (for the list of skipped targets). */
static void fs__process_list_add(char *buf, size_t len, const char *name)
{
    size_t used = strlen(buf);

    if (used < len)
        snprintf(buf + used, len - used, "%s%s", used ? ", " : "", name);
}

int fs__inj_process_apply(void *state, fs_inj_env_t *env, char *err, size_t errlen)
{
    fs_inj_process_t *p = state;
    fs_proc_t *procs[FS_MAX_NODES];
    struct fs__inj_process_rt_s *rt = NULL;
    char skipped[256] = "", why[64];
    int sig = fs__process_sig(p), keep, pid;
    size_t n, done = 0, nskipped = 0;

    if (p->rt != NULL) {
        snprintf(err, errlen, "already applied");
        return -EALREADY;
    }
    if ((n = fs__process_select(p, env, procs)) == 0) {
        snprintf(err, errlen, "no process of the run matches the target");
        return -ENOENT;
    }
    keep = p->kind == FS_INJ_PROCESS_HANG || p->kind == FS_INJ_PROCESS_CRASH_LOOP;
    if (keep && (rt = calloc(1, sizeof(*rt))) == NULL) {
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    snprintf(why, sizeof(why), "%s", fs__process_kind_name(p->kind));
    if (p->kind == FS_INJ_PROCESS_CRASH_LOOP)
        snprintf(why, sizeof(why), "process.crash_loop, crash 1");
    for (size_t i = 0; i < n; i++) {
        pid = fs__process_send(env, procs[i], sig, why);
        if (rt != NULL) {
            rt->t[i].proc = procs[i];
            rt->t[i].pid = pid > 0 ? pid : 0;
            rt->t[i].restarts = fs_proc_restarts(procs[i]);
            rt->t[i].crashes = pid > 0;
        }
        if (pid > 0) {
            done++;
        } else {
            nskipped++;
            fs__process_list_add(skipped, sizeof(skipped), fs_proc_name(procs[i]));
        }
    }
    if (done == 0) {
        snprintf(err, errlen, "%s not running (mid-restart?): nothing signalled", skipped);
        free(rt);
        return -ESRCH;
    }
    if (nskipped > 0)
        fs_inj_env_event(env, "fault.skipped", skipped, "not running (mid-restart?): no %s by %s",
                         fs__process_signame(sig), fs__process_kind_name(p->kind));
    if (rt == NULL)
        return 0;
    rt->p = p;
    rt->env = env;
    rt->n = n;
    if (p->kind == FS_INJ_PROCESS_CRASH_LOOP) {
        uv_timer_init(fs_inj_env_loop(env), &rt->loop_timer);
        rt->loop_timer.data = rt;
        rt->has_timer = 1;
        uv_timer_start(&rt->loop_timer, fs__process_loop_cb, FS__PROCESS_LOOP_POLL_MS,
                       FS__PROCESS_LOOP_POLL_MS);
    }
    p->rt = rt;
    return 0;
}

/* SIGCONT to each process the hang stopped, if that incarnation still
 * runs. Returns how many were continued; the others are named in skipped. */
static size_t fs__process_continue(struct fs__inj_process_rt_s *rt, char *skipped, size_t len,
                                   size_t *missed)
{
    size_t done = 0;

    for (size_t i = 0; i < rt->n; i++) {
        fs__process_target_t *t = &rt->t[i];

        if (t->pid == 0)
            continue;
        /* Only the incarnation that was stopped: a new one never was. */
        if (fs_proc_pid(t->proc) == t->pid &&
            fs__process_send(rt->env, t->proc, SIGCONT, "process.hang reverted") > 0) {
            done++;
        } else {
            (*missed)++;
            fs__process_list_add(skipped, len, fs_proc_name(t->proc));
        }
    }
    return done;
}

int fs__inj_process_revert(void *state, fs_inj_env_t *env, char *err, size_t errlen)
{
    fs_inj_process_t *p = state;
    struct fs__inj_process_rt_s *rt = p->rt;
    char skipped[256] = "";
    size_t done = 0, missed = 0;

    if (rt == NULL)
        return 0; /* instant kinds: nothing to undo */
    p->rt = NULL;
    rt->p = NULL;
    if (p->kind == FS_INJ_PROCESS_HANG)
        done = fs__process_continue(rt, skipped, sizeof(skipped), &missed);
    fs__process_rt_free(rt);
    if (missed == 0)
        return 0;
    /* Gone since the stop (killed, then restarted by the supervisor): no
     * longer hung, so nothing to continue. */
    if (done == 0) {
        snprintf(err, errlen, "%s: the stopped incarnation is gone, nothing continued", skipped);
        return -ESRCH;
    }
    fs_inj_env_event(env, "fault.skipped", skipped,
                     "the stopped incarnation is gone: no SIGCONT by process.hang");
    return 0;
}

void fs__inj_process_release(fs_inj_process_t *p)
{
    if (p->rt == NULL)
        return;
    p->rt->p = NULL;
    fs__process_rt_free(p->rt);
    p->rt = NULL;
}
