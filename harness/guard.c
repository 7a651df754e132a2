/* Stop conditions over samples: a ring of running totals long enough for
 * the widest window, and per condition the stretch it has been above its
 * threshold. */
#include "guard.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    double value, peak; /* peak -1 before any sample */
    int above;
    uint64_t since_ms;
} fs__guard_state_t;

struct fs_guard_s {
    fs_guard_cond_t conds[FS_GUARD_MAX_CONDS];
    fs__guard_state_t st[FS_GUARD_MAX_CONDS];
    size_t n;
    uint64_t max_window_ms;
    /* Samples, oldest first from head: [0] the time, then per condition
     * finished and failed. Only rate signals need history. */
    uint64_t *ring;
    size_t stride, cap, head, len;
    uint64_t last_ms;
    int tripped;
    fs_guard_trip_t trip;
};

static const char *const fs__guard_names[FS_GUARD_SIGNALS] = {
    [FS_GUARD_BLAST_RADIUS] = "blast_radius_above",
    [FS_GUARD_FAILURE_RATE] = "failure_rate_above",
    [FS_GUARD_PROCESSES_DOWN] = "processes_down_above",
};

const char *fs_guard_signal_name(fs_guard_signal_t s)
{
    return (unsigned)s < FS_GUARD_SIGNALS ? fs__guard_names[s] : "unknown";
}

static int fs__guard_is_rate(fs_guard_signal_t s)
{
    return s == FS_GUARD_BLAST_RADIUS || s == FS_GUARD_FAILURE_RATE;
}

int fs_guard_new(const fs_guard_cond_t *conds, size_t n, fs_guard_t **out)
{
    fs_guard_t *g = NULL;

    *out = NULL;
    if (conds == NULL || n == 0 || n > FS_GUARD_MAX_CONDS)
        return -EINVAL;
    for (size_t i = 0; i < n; i++) {
        if ((unsigned)conds[i].signal >= FS_GUARD_SIGNALS)
            return -EINVAL;
        if (fs__guard_is_rate(conds[i].signal) &&
            (conds[i].window_ms == 0 || conds[i].window_ms > FS_GUARD_MAX_WINDOW_MS))
            return -EINVAL;
    }
    if ((g = calloc(1, sizeof(*g))) == NULL)
        goto fail;
    g->n = n;
    g->stride = 1 + 2 * n;
    g->cap = 64;
    if ((g->ring = calloc(g->cap, g->stride * sizeof(*g->ring))) == NULL)
        goto fail;
    for (size_t i = 0; i < n; i++) {
        g->conds[i] = conds[i];
        g->conds[i].what[sizeof(g->conds[i].what) - 1] = '\0';
        g->st[i].peak = -1;
        if (fs__guard_is_rate(conds[i].signal) && conds[i].window_ms > g->max_window_ms)
            g->max_window_ms = conds[i].window_ms;
    }
    *out = g;
    return 0;

fail:
    free(g);
    return -ENOMEM;
}

void fs_guard_free(fs_guard_t *g)
{
    if (g == NULL)
        return;
    free(g->ring);
    free(g);
}

static uint64_t *fs__guard_at(const fs_guard_t *g, size_t i)
{
    return &g->ring[((g->head + i) % g->cap) * g->stride];
}

static int fs__guard_push(fs_guard_t *g, uint64_t t_ms, const fs_guard_obs_t *obs)
{
    uint64_t *s;

    if (g->len == g->cap) {
        uint64_t *bigger = calloc(g->cap * 2, g->stride * sizeof(*bigger));

        if (bigger == NULL)
            return -ENOMEM;
        for (size_t i = 0; i < g->len; i++)
            memcpy(&bigger[i * g->stride], fs__guard_at(g, i), g->stride * sizeof(*bigger));
        free(g->ring);
        g->ring = bigger;
        g->cap *= 2;
        g->head = 0;
    }
    s = fs__guard_at(g, g->len++);
    s[0] = t_ms;
    for (size_t c = 0; c < g->n; c++) {
        s[1 + 2 * c] = obs[c].finished;
        s[2 + 2 * c] = obs[c].failed;
    }
    /* The oldest sample is needed only while the next one is not yet old
     * enough to stand at the start of the widest window. */
    while (g->len >= 2 && fs__guard_at(g, 1)[0] + g->max_window_ms <= t_ms) {
        g->head = (g->head + 1) % g->cap;
        g->len--;
    }
    return 0;
}

/* The latest sample at or before t_ms - window, or the first one. */
static const uint64_t *fs__guard_base(const fs_guard_t *g, uint64_t t_ms, uint64_t window_ms)
{
    size_t lo = 0, hi = g->len; /* answer in [lo, hi) */

    if (t_ms < window_ms || fs__guard_at(g, 0)[0] > t_ms - window_ms)
        return fs__guard_at(g, 0);
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;

        if (fs__guard_at(g, mid)[0] <= t_ms - window_ms)
            lo = mid;
        else
            hi = mid;
    }
    return fs__guard_at(g, lo);
}

static double fs__guard_eval(const fs_guard_t *g, size_t c, uint64_t t_ms,
                             const fs_guard_obs_t *obs)
{
    const uint64_t *base;
    uint64_t finished, failed;

    if (!fs__guard_is_rate(g->conds[c].signal))
        return (double)obs->down;
    base = fs__guard_base(g, t_ms, g->conds[c].window_ms);
    finished = obs->finished > base[1 + 2 * c] ? obs->finished - base[1 + 2 * c] : 0;
    failed = obs->failed > base[2 + 2 * c] ? obs->failed - base[2 + 2 * c] : 0;
    if (finished == 0)
        return 0;
    return (double)(failed < finished ? failed : finished) / (double)finished;
}

int fs_guard_sample(fs_guard_t *g, uint64_t t_ms, const fs_guard_obs_t *obs)
{
    int rc;

    if (g->tripped)
        return 0;
    if (g->len > 0 && t_ms < g->last_ms)
        return -EINVAL;
    if ((rc = fs__guard_push(g, t_ms, obs)) < 0)
        return rc;
    g->last_ms = t_ms;
    for (size_t c = 0; c < g->n; c++) {
        fs__guard_state_t *st = &g->st[c];
        double v = fs__guard_eval(g, c, t_ms, &obs[c]);

        st->value = v;
        if (v > st->peak)
            st->peak = v;
        if (!(v > g->conds[c].threshold)) {
            st->above = 0;
            continue;
        }
        if (!st->above) {
            st->above = 1;
            st->since_ms = t_ms;
        }
        if (!g->tripped && t_ms - st->since_ms >= g->conds[c].for_ms) {
            g->tripped = 1;
            g->trip =
                (fs_guard_trip_t){.index = c, .value = v, .since_ms = st->since_ms, .at_ms = t_ms};
        }
    }
    return g->tripped;
}

int fs_guard_tripped(const fs_guard_t *g, fs_guard_trip_t *out)
{
    if (!g->tripped)
        return 0;
    if (out != NULL)
        *out = g->trip;
    return 1;
}

size_t fs_guard_count(const fs_guard_t *g)
{
    return g->n;
}

const fs_guard_cond_t *fs_guard_cond(const fs_guard_t *g, size_t i)
{
    return i < g->n ? &g->conds[i] : NULL;
}

double fs_guard_value(const fs_guard_t *g, size_t i)
{
    return i < g->n ? g->st[i].value : 0;
}

double fs_guard_peak(const fs_guard_t *g, size_t i)
{
    return i < g->n ? g->st[i].peak : -1;
}

unsigned fs_guard_down(const fs_guard_cond_t *c, const fs_guard_proc_t *procs, size_t n)
{
    unsigned down = 0;

    for (size_t i = 0; i < n; i++) {
        const fs_guard_proc_t *p = &procs[i];

        if (c->has_target && (p->svc != c->target.svc || (c->target.kind == FS_TARGET_INSTANCE &&
                                                          p->index != c->target.index)))
            continue;
        down += !p->running;
    }
    return down;
}

const char *fs_guard_reason(const fs_guard_t *g, char *buf, size_t len)
{
    const fs_guard_cond_t *c;
    const fs_guard_trip_t *t = &g->trip;

    if (len == 0)
        return buf;
    buf[0] = '\0';
    if (!g->tripped)
        return buf;
    c = &g->conds[t->index];
    /* Shares to four places, process counts whole. */
    snprintf(buf, len, "abort_if[%zu]: %s %.*f above %g for %.1f s (since %.1f s)", t->index,
             c->what, fs__guard_is_rate(c->signal) ? 4 : 0, t->value, c->threshold,
             (double)(t->at_ms - t->since_ms) / 1000, (double)t->since_ms / 1000);
    return buf;
}
