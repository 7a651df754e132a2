/* The fleet of one run: which processes, on which ports, with which flags,
 * and a link on every interface between them. Callers are pointed at their
 * links, links at the callees, so every call between two fleet processes
 * passes through a harness-owned relay that can observe and break it. */
#include "run_int.h"

#include <arpa/inet.h>
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "atomic.h"
#include "fs_addr.h"
#include "prng.h"
#include "privdir.h"

/* The proxy's default block threshold: a known human scored below it is a
 * wrong answer on the links into botmod. */
#define FS__RUN_JUDGE_THRESHOLD 30

const char *fs__run_key_name(fs_run_key_t k)
{
    return k == FS_RUN_KEY_WAF ? "waf/rules" : "bot/features";
}

/* The lowest port the kernel hands out for port 0 (links, outgoing calls). */
static int fs__run_ephemeral_low(void)
{
    FILE *f = fopen("/proc/sys/net/ipv4/ip_local_port_range", "re");
    int lo = 32768, hi;

    if (f != NULL) {
        if (fscanf(f, "%d %d", &lo, &hi) != 2)
            lo = 32768;
        fclose(f);
    }
    return lo;
}

/* A free loopback port for a fleet service. It must be a fixed port, not 0,
 * because a restarted service has to come back where its links point; and
 * it is taken below the kernel's ephemeral range, because the service binds
 * it only later and meanwhile the links (port 0) and every outgoing
 * connection draw from that range and could take it. Tried by binding. */
static int fs__run_free_port(struct sockaddr_storage *out, unsigned *cursor)
{
    struct sockaddr_in *sin = (struct sockaddr_in *)out;
    int low = fs__run_ephemeral_low(), span = low - 1024 > 16384 ? 16384 : low - 1024;

    if (span <= 0)
        return -EADDRNOTAVAIL;
    for (int tries = 0; tries < span; tries++) {
        int port = low - span + (int)((*cursor)++ % (unsigned)span), fd, ok;

        memset(out, 0, sizeof(*out));
        sin->sin_family = AF_INET;
        sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        sin->sin_port = htons((uint16_t)port);
        if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
            return -errno;
        ok = bind(fd, (struct sockaddr *)sin, sizeof(*sin)) == 0;
        close(fd);
        if (ok)
            return 0;
    }
    return -EADDRNOTAVAIL;
}

static fs_run_proc_t *fs__run_proc(fs_run_t *r, fs_svc_t svc, int index)
{
    for (size_t i = 0; i < r->nprocs; i++)
        if (r->procs[i].svc == svc && r->procs[i].index == index)
            return &r->procs[i];
    return NULL;
}

static fs_run_link_t *fs__run_link(fs_run_t *r, fs_iface_t iface, int from, int to)
{
    for (size_t i = 0; i < r->nlinks; i++)
        if (r->links[i].iface == iface && r->links[i].from == from && r->links[i].to == to)
            return &r->links[i];
    return NULL;
}

/* Remembers every config version a node was served, read off the answers
 * to its polls, for the share of nodes that took a bad config. */
static void fs__run_served_cb(void *data, const fs_link_t *link, int status,
                              const fs_http_resp_t *resp)
{
    fs_run_link_t *l = data;
    const char *v = fs_http_resp_header(resp, "X-Config-Version");
    uint64_t version;

    (void)link;
    if (status != 200 || v == NULL || l->key < 0)
        return;
    version = strtoull(v, NULL, 10);
    for (unsigned i = 0; i < l->nserved; i++)
        if (l->served[i] == version)
            return;
    if (l->nserved < FS_RUN_MAX_VERSIONS)
        l->served[l->nserved++] = version;
}

static int fs__run_add_procs(fs_run_t *r, char *err, size_t errlen)
{
    static const fs_svc_t central[] = {FS_SVC_CONFIGSTORE, FS_SVC_ORIGIN, FS_SVC_DASHBOARD};
    int rc;

    for (size_t c = 0; c < sizeof(central) / sizeof(central[0]); c++) {
        fs_run_proc_t *p = &r->procs[r->nprocs++];
        p->svc = central[c];
        p->index = 0;
        snprintf(p->name, sizeof(p->name), "%s", fs_svc_name(central[c]));
    }
    for (unsigned n = 0; n < r->nodes; n++) {
        for (int s = 0; s < 2; s++) {
            fs_run_proc_t *p = &r->procs[r->nprocs++];
            p->svc = s == 0 ? FS_SVC_BOTMOD : FS_SVC_PROXY;
            p->index = (int)n;
            snprintf(p->name, sizeof(p->name), "%s[%u]", fs_svc_name(p->svc), n);
        }
    }
    /* Where to start looking: apart for runs on one machine at once. */
    unsigned cursor = (unsigned)getpid() * 131u + (unsigned)(uv_hrtime() / 1000);

    for (size_t i = 0; i < r->nprocs; i++) {
        fs_run_proc_t *p = &r->procs[i];
        if ((rc = fs__run_free_port(&p->addr, &cursor)) < 0) {
            snprintf(err, errlen, "no free loopback port for %s: %s", p->name, strerror(-rc));
            return rc;
        }
        char fifo[sizeof(p->fifo)];
        snprintf(fifo, sizeof(fifo), "%s/fiu/%s", r->out_dir, p->name);
        memcpy(p->fifo, fifo, sizeof(fifo));
    }
    return 0;
}

static int fs__run_add_links(fs_run_t *r, char *err, size_t errlen)
{
    uint64_t series_ms = fs_scenario_duration_ms(r->sc) + 2 * fs_scenario_slo(r->sc)->latency_ms;
    const fs_slo_t *slo = fs_scenario_slo(r->sc);
    int from[FS_MAX_NODES], to[FS_MAX_NODES], rc;

    for (int f = 0; f < FS_IF_COUNT; f++) {
        fs_iface_t iface = (fs_iface_t)f;
        int n;

        if (fs_iface_is_entry(iface))
            continue;
        n = fs_iface_links(iface, r->nodes, from, to);
        for (int i = 0; i < n; i++) {
            fs_run_link_t *l = &r->links[r->nlinks++];
            fs_target_t t = {.kind = FS_TARGET_LINK, .iface = iface, .from = from[i], .to = to[i]};
            fs_run_proc_t *callee = fs__run_proc(r, fs_iface_to(iface), to[i]);
            fs_link_config_t cfg = {0};

            l->run = r;
            l->iface = iface;
            l->from = from[i];
            l->to = to[i];
            l->key = iface == FS_IF_BOTMOD_CONFIGSTORE  ? FS_RUN_KEY_FEATURES
                     : iface == FS_IF_PROXY_CONFIGSTORE ? FS_RUN_KEY_WAF
                                                        : -1;
            fs_target_format(&t, l->name, sizeof(l->name));
            if ((rc = fs_series_new(slo->bucket_ms, series_ms, slo->latency_ms, &l->series)) < 0)
                goto fail;
            cfg.name = l->name;
            cfg.upstream = (const struct sockaddr *)&callee->addr;
            cfg.series = l->series;
            cfg.t0_ns = UINT64_MAX;
            cfg.seed = fs_prng_derive(r->seed, l->name);
            cfg.judge_threshold = fs_iface_to(iface) == FS_SVC_BOTMOD ? FS__RUN_JUDGE_THRESHOLD : 0;
            cfg.on_response = fs__run_served_cb;
            cfg.data = l;
            if ((rc = fs_link_start(r->loop, &cfg, &l->link)) < 0)
                goto fail;
        }
    }
    for (unsigned n = 0; n < r->nodes; n++)
        if ((rc = fs_series_new(slo->bucket_ms, series_ms, slo->latency_ms, &r->client_series[n])) <
            0)
            goto fail;
    if ((rc = fs_series_new(slo->bucket_ms, series_ms, slo->latency_ms, &r->user_series)) < 0)
        goto fail;
    return 0;

fail:
    snprintf(err, errlen, "links: %s", rc == -ENOMEM ? "out of memory" : uv_strerror(rc));
    return rc;
}

int fs__run_fleet_prepare(fs_run_t *r, char *err, size_t errlen)
{
    char dir[PATH_MAX + 8];
    int rc;

    snprintf(dir, sizeof(dir), "%s/logs", r->out_dir);
    if ((rc = fs_mkdirs(dir, err, errlen)) < 0)
        return rc;
    /* libfiu's control fifos: in a directory of our own (harness/privdir.h),
     * rid of an earlier run's leftovers first. */
    snprintf(dir, sizeof(dir), "%s/fiu", r->out_dir);
    fs_privdir_sweep(dir);
    if ((rc = fs_privdir_make(dir, err, errlen)) < 0)
        return rc;
    if (r->janitor != NULL && (rc = fs_janitor_watch_fifos(r->janitor, dir)) < 0) {
        snprintf(err, errlen, "%s: the janitor: %s", dir, strerror(-rc));
        return rc;
    }
    if ((rc = fs__run_add_procs(r, err, errlen)) < 0)
        return rc;
    return fs__run_add_links(r, err, errlen);
}

/* ---- argv ---- */

typedef struct {
    char *argv[48];
    int argc;
    int oom;
} fs__run_argv_t;

static void fs__run_arg(fs__run_argv_t *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void fs__run_arg(fs__run_argv_t *a, const char *fmt, ...)
{
    va_list ap;
    char *s;

    if (a->argc >= (int)(sizeof(a->argv) / sizeof(a->argv[0])) - 1) {
        a->oom = 1;
        return;
    }
    va_start(ap, fmt);
    if (vasprintf(&s, fmt, ap) < 0) {
        s = NULL;
        a->oom = 1;
    }
    va_end(ap);
    a->argv[a->argc++] = s;
}

static void fs__run_argv_free(fs__run_argv_t *a)
{
    for (int i = 0; i < a->argc; i++)
        free(a->argv[i]);
}

/* The address a caller must use to reach callee: its link. */
static void fs__run_arg_link(fs__run_argv_t *a, fs_run_t *r, const char *flag, fs_iface_t iface,
                             int from, int to)
{
    fs_run_link_t *l = fs__run_link(r, iface, from, to);
    struct sockaddr_storage addr;
    char text[FS_ADDR_STRLEN];

    if (l == NULL || fs_link_addr(l->link, &addr) < 0 ||
        fs_addr_format((struct sockaddr *)&addr, text, sizeof(text)) < 0) {
        a->oom = 1;
        return;
    }
    fs__run_arg(a, "%s", flag);
    fs__run_arg(a, "%s", text);
}

/* Which nodes run the old engine: the last ones, so node 0 (the canary of
 * a staged rollout) is on the new engine like most of the fleet. */
static int fs__run_old_engine(const fs_run_t *r, int node)
{
    double share = fs_scenario_fleet(r->sc)->old_engine_share;
    unsigned old = (unsigned)(share * r->nodes + 0.5);

    return (unsigned)node >= r->nodes - old;
}

static void fs__run_build_argv(fs_run_t *r, const fs_run_proc_t *p, fs__run_argv_t *a)
{
    const fs_scenario_fleet_t *fleet = fs_scenario_fleet(r->sc);
    const fs_knobs_t *knobs = fs_scenario_knobs(r->sc);
    char text[FS_ADDR_STRLEN];

    fs_addr_format((const struct sockaddr *)&p->addr, text, sizeof(text));
    fs__run_arg(a, "fs-%s", fs_svc_name(p->svc));
    fs__run_arg(a, "--listen");
    fs__run_arg(a, "%s", text);
    fs__run_arg(a, "--posture");
    fs__run_arg(a, "%s", fs_posture_name(r->posture));
    fs__run_arg(a, "--fiu-fifo");
    fs__run_arg(a, "%s", p->fifo);
    switch (p->svc) {
    case FS_SVC_CONFIGSTORE:
        fs__run_arg(a, "--bake-ms");
        fs__run_arg(a, "%llu", (unsigned long long)fleet->bake_ms);
        break;
    case FS_SVC_BOTMOD:
        fs__run_arg(a, "--node");
        fs__run_arg(a, "%d", p->index);
        fs__run_arg(a, "--engine");
        fs__run_arg(a, "%s", fs__run_old_engine(r, p->index) ? "old" : "new");
        fs__run_arg(a, "--poll-ms");
        fs__run_arg(a, "%llu", (unsigned long long)fleet->poll_ms);
        fs__run_arg_link(a, r, "--configstore", FS_IF_BOTMOD_CONFIGSTORE, p->index, 0);
        break;
    case FS_SVC_PROXY:
        fs__run_arg(a, "--node");
        fs__run_arg(a, "%d", p->index);
        fs__run_arg(a, "--engine");
        fs__run_arg(a, "%s", fs__run_old_engine(r, p->index) ? "old" : "new");
        fs__run_arg(a, "--poll-ms");
        fs__run_arg(a, "%llu", (unsigned long long)fleet->poll_ms);
        fs__run_arg(a, "--seed");
        fs__run_arg(a, "%llu", (unsigned long long)(fs_prng_derive(r->seed, p->name) >> 1));
        fs__run_arg_link(a, r, "--botmod", FS_IF_PROXY_BOTMOD, p->index, p->index);
        fs__run_arg_link(a, r, "--origin", FS_IF_PROXY_ORIGIN, p->index, 0);
        fs__run_arg_link(a, r, "--configstore", FS_IF_PROXY_CONFIGSTORE, p->index, 0);
        break;
    case FS_SVC_DASHBOARD:
        fs__run_arg_link(a, r, "--botmod", FS_IF_DASHBOARD_BOTMOD, 0, 0);
        fs__run_arg_link(a, r, "--configstore", FS_IF_DASHBOARD_CONFIGSTORE, 0, 0);
        break;
    default:
        break;
    }
    /* Knobs last: they override the posture's defaults, and the harness's
     * own flags above are not knobs. */
    for (size_t i = 0; i < fs_knobs_count(knobs, r->posture); i++) {
        if (fs_knobs_service(knobs, r->posture, i) != p->svc)
            continue;
        fs__run_arg(a, "%s", fs_knobs_flag(knobs, r->posture, i));
        fs__run_arg(a, "%s", fs_knobs_value(knobs, r->posture, i));
    }
    a->argv[a->argc] = NULL;
}

/* ---- environment ---- */

#define FS__RUN_MAX_ENV 16

typedef struct {
    const char *env[FS__RUN_MAX_ENV + 1];
    size_t n;
    char fiu_seed[48];
    char preload[PATH_MAX * 2];
} fs__run_env_t;

static int fs__run_env_has(const fs__run_env_t *e, const char *kv)
{
    size_t klen = strcspn(kv, "=") + 1;

    for (size_t i = 0; i < e->n; i++)
        if (strncmp(e->env[i], kv, klen) == 0)
            return 1;
    return 0;
}

/* A harness built with ASan runs fleet binaries built with it too, and
 * ASan aborts unless its runtime is the first library loaded: a preload
 * must come after it. */
static const char *fs__run_preload(fs__run_env_t *e, const char *kv)
{
    void *sym = dlsym(RTLD_DEFAULT, "__asan_init");
    Dl_info info;

    if (strncmp(kv, "LD_PRELOAD=", 11) != 0 || sym == NULL || dladdr(sym, &info) == 0 ||
        info.dli_fname == NULL || strstr(info.dli_fname, "/libasan.so") == NULL)
        return kv;
    snprintf(e->preload, sizeof(e->preload), "LD_PRELOAD=%s %s", info.dli_fname, kv + 11);
    return e->preload;
}

/* The environment p starts with: its libfiu seed and what the scenario's
 * faults need in it from the start (posix: the preload), each stamped on
 * the timeline. Two faults asking for the same variable get it once, with
 * the first one's value. */
static void fs__run_build_env(fs_run_t *r, const fs_run_proc_t *p, fs__run_env_t *e)
{
    e->n = 0;
    /* libfiu's own PRNG (enable_random points) is seeded from the run's
     * seed too, one stream per process. */
    snprintf(e->fiu_seed, sizeof(e->fiu_seed), "FIU_PRNG_SEED=%u",
             (unsigned)(fs_prng_derive(r->seed, p->name) & 0x7fffffff));
    e->env[e->n++] = e->fiu_seed;
    for (size_t i = 0; i < fs_scenario_fault_count(r->sc); i++) {
        const fs_scenario_fault_t *sf = fs_scenario_fault(r->sc, i);
        const char *add[FS__RUN_MAX_ENV];
        char what[512];
        size_t k, len = 0;

        if (sf->ops->spawn_env == NULL ||
            (k = sf->ops->spawn_env(sf->state, p->svc, p->index, add, FS__RUN_MAX_ENV - e->n)) == 0)
            continue;
        what[0] = '\0';
        for (size_t j = 0; j < k && j < FS__RUN_MAX_ENV; j++) {
            if (add[j] == NULL || add[j][0] == '=' || strchr(add[j], '=') == NULL)
                continue;
            if (len < sizeof(what))
                len += (size_t)snprintf(what + len, sizeof(what) - len, " %s", add[j]);
            if (!fs__run_env_has(e, add[j]) && e->n < FS__RUN_MAX_ENV)
                e->env[e->n++] = fs__run_preload(e, add[j]);
        }
        fs_timeline_add(r->timeline, fs__run_now_ms(r), "fault.prepare", sf->path,
                        "%s starts with%s", p->name, what);
    }
    e->env[e->n] = NULL;
}

int fs__run_fleet_spawn(fs_run_t *r, char *err, size_t errlen)
{
    char file[PATH_MAX + 16], log[PATH_MAX + 48];
    fs__run_env_t *env = malloc(sizeof(*env));
    int rc = 0;

    if (env == NULL) {
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    for (size_t i = 0; i < r->nprocs && rc == 0; i++) {
        fs_run_proc_t *p = &r->procs[i];
        fs__run_argv_t a = {.argc = 0};
        fs_proc_config_t pc = {0};

        fs__run_build_argv(r, p, &a);
        fs__run_build_env(r, p, env);
        snprintf(file, sizeof(file), "%s/fs-%s", r->bin_dir, fs_svc_name(p->svc));
        snprintf(log, sizeof(log), "%s/logs/%s.log", r->out_dir, p->name);
        pc.name = p->name;
        pc.file = file;
        pc.argv = (const char *const *)a.argv;
        pc.log_path = log;
        pc.health = (const struct sockaddr *)&p->addr;
        pc.env = env->env; /* copied by fs_sup_add() */
        if (a.oom)
            rc = -ENOMEM;
        else if ((rc = fs_sup_add(r->sup, &pc, &p->proc)) == 0)
            fs_proc_set_data(p->proc, p);
        if (rc < 0)
            snprintf(err, errlen, "%s: %s", file, rc == -ENOMEM ? "out of memory" : strerror(-rc));
        fs__run_argv_free(&a);
    }
    free(env);
    return rc;
}

void fs__run_fleet_set_t0(fs_run_t *r)
{
    for (size_t i = 0; i < r->nlinks; i++)
        fs_link_set_t0(r->links[i].link, r->t0_ns);
}

void fs__run_fleet_close(fs_run_t *r)
{
    char dir[PATH_MAX + 8];

    for (size_t i = 0; i < r->nlinks; i++) {
        if (r->links[i].link != NULL)
            fs_link_close(r->links[i].link);
        r->links[i].link = NULL;
    }
    /* Every process is gone: the fifos of those that did not exit cleanly
     * (libfiu removes its own at exit()) go now, and the directory. */
    snprintf(dir, sizeof(dir), "%s/fiu", r->out_dir);
    fs_privdir_sweep(dir);
}
