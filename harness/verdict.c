/* The verdict model: which interfaces broke inside the fault window, which
 * were hit, whether the failure stopped at the service that took it or went
 * through it, and the run's summary numbers. */
#include "verdict.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char *const fs__verdict_names[] = {
    [FS_VERDICT_UNAFFECTED] = "unaffected",
    [FS_VERDICT_FAILED_SMALL] = "failed_small",
    [FS_VERDICT_CASCADED] = "cascaded",
};

#define FS__VERDICT_COUNT (sizeof(fs__verdict_names) / sizeof(fs__verdict_names[0]))

const char *fs_verdict_name(fs_verdict_t v)
{
    return (unsigned)v < FS__VERDICT_COUNT ? fs__verdict_names[v] : "unknown";
}

int fs_verdict_parse(const char *name, fs_verdict_t *out)
{
    if (name == NULL)
        return -ENOENT;
    for (unsigned i = 0; i < FS__VERDICT_COUNT; i++) {
        if (strcmp(name, fs__verdict_names[i]) == 0) {
            *out = (fs_verdict_t)i;
            return 0;
        }
    }
    return -ENOENT;
}

/* Everything the passes share; buckets are indexed over the whole series,
 * [wfirst, wlast] is the window (empty when wfirst > wlast). */
typedef struct {
    const fs_slo_t *slo;
    const fs_verdict_input_t *in;
    size_t n;
    size_t wfirst, wlast;
    long first_faulted[FS_IF_COUNT]; /* first faulted bucket in the window, or -1 */
    int64_t detect_ms, recover_ms;   /* -1 until a broken run is seen */
} fs__verdict_ctx_t;

enum { FS__B_EMPTY, FS__B_HEALTHY, FS__B_BROKEN };

static int fs__verdict_bucket_state(const fs__verdict_ctx_t *c, const fs_series_t *s, size_t i)
{
    const fs_bucket_t *b = fs_series_bucket(s, i);

    if (b->calls == 0)
        return FS__B_EMPTY;
    /* A division, not good < success * calls: health exactly at the SLO
     * (99 of 100 against 0.99) must compare equal, and it does when both
     * sides are the correctly rounded double of the same ratio. */
    return (double)b->good / (double)b->calls < c->slo->success ? FS__B_BROKEN : FS__B_HEALTHY;
}

static int fs__verdict_in_window(const fs__verdict_ctx_t *c, size_t i)
{
    return i >= c->wfirst && i <= c->wlast;
}

/* A run is a maximal stretch of broken buckets with nothing but empty ones
 * between them, over the whole series so a run that outlasts the window still
 * tells when it healed. It makes the interface broken when at least
 * min_buckets of its broken buckets lie inside the window. */
static void fs__verdict_close_run(fs__verdict_ctx_t *c, fs_iface_result_t *r, size_t start,
                                  size_t end, unsigned in_window, int healed)
{
    uint64_t b = c->slo->bucket_ms;
    int64_t t;

    if (in_window < c->slo->min_buckets)
        return;
    memset(r->broken_buckets + start, 1, end - start + 1);
    r->broken = 1;
    if (r->first_broken < 0)
        r->first_broken = (long)start;
    t = (int64_t)(start * b);
    if (c->detect_ms < 0 || t < c->detect_ms)
        c->detect_ms = t;
    t = healed ? (int64_t)((end + 1) * b) : -2;
    if (c->recover_ms != -2 && (t == -2 || t > c->recover_ms))
        c->recover_ms = t;
}

static void fs__verdict_runs(fs__verdict_ctx_t *c, const fs_series_t *s, fs_iface_result_t *r)
{
    size_t start = 0, end = 0;
    unsigned in_window = 0;
    int open = 0;

    for (size_t i = 0; i < c->n; i++) {
        int st = fs__verdict_bucket_state(c, s, i);

        if (st == FS__B_EMPTY)
            continue;
        if (st == FS__B_HEALTHY) {
            if (open)
                fs__verdict_close_run(c, r, start, end, in_window, 1);
            open = 0;
            continue;
        }
        if (!open) {
            open = 1;
            start = i;
            in_window = 0;
        }
        end = i;
        in_window += fs__verdict_in_window(c, i);
    }
    if (open)
        fs__verdict_close_run(c, r, start, end, in_window, 0);
}

static void fs__verdict_observe(fs__verdict_ctx_t *c, fs_iface_t f, fs_iface_result_t *r)
{
    const fs_verdict_input_t *in = &c->in[f];

    r->first_broken = -1;
    c->first_faulted[f] = -1;
    if (c->wfirst > c->wlast)
        return;
    for (size_t i = c->wfirst; in->faulted != NULL && i <= c->wlast; i++) {
        if (in->faulted[i]) {
            r->faulted = 1;
            c->first_faulted[f] = (long)i;
            break;
        }
    }
    if (in->series == NULL)
        return;
    for (size_t i = c->wfirst; i <= c->wlast; i++) {
        const fs_bucket_t *b = fs_series_bucket(in->series, i);

        r->calls += b->calls;
        r->failures += b->good < b->calls ? b->calls - b->good : 0;
        r->degraded += b->degraded;
    }
    fs__verdict_runs(c, in->series, r);
}

static void fs__verdict_judge(fs_verdict_result_t *out)
{
    for (int f = 0; f < FS_IF_COUNT; f++) {
        fs_iface_result_t *r = &out->iface[f];
        int into_caller_broke = 0;

        for (int g = 0; g < FS_IF_COUNT; g++)
            if (out->iface[g].broken && fs_iface_to((fs_iface_t)g) == fs_iface_from((fs_iface_t)f))
                into_caller_broke = 1;
        if (!r->faulted && !r->broken)
            r->verdict = FS_VERDICT_UNAFFECTED;
        else if (fs_iface_is_entry((fs_iface_t)f) || into_caller_broke)
            r->verdict = FS_VERDICT_CASCADED;
        else
            r->verdict = FS_VERDICT_FAILED_SMALL;
    }
}

static void fs__verdict_share(fs_verdict_result_t *out)
{
    uint64_t calls = 0, failures = 0, degraded = 0;

    for (int f = 0; f < FS_IF_COUNT; f++) {
        if (!fs_iface_is_entry((fs_iface_t)f))
            continue;
        calls += out->iface[f].calls;
        failures += out->iface[f].failures;
        degraded += out->iface[f].degraded;
    }
    out->blast_radius = calls ? (double)failures / (double)calls : 0;
    out->degraded_share = calls ? (double)degraded / (double)calls : 0;
}

/* Extends path[0..len) towards the users through broken interfaces into the
 * last one's caller and returns the new length. Among the candidates it takes
 * one whose continuation reaches an entry interface, then an entry interface
 * itself, then the one that broke earliest (then enum order): the greedy
 * order of the design, except that it never walks into a dead end when
 * another branch reaches the users. The graph has FS_IF_COUNT edges, so the
 * exhaustive search is tiny. */
static int fs__verdict_extend(const fs_verdict_result_t *out, fs_iface_t *path, int len)
{
    fs_iface_t best[FS_IF_COUNT], cand[FS_IF_COUNT];
    int best_len = len, best_reach = 0, g_best = -1;
    fs_svc_t caller;

    if (len >= FS_IF_COUNT || fs_iface_is_entry(path[len - 1]))
        return len;
    caller = fs_iface_from(path[len - 1]);
    for (int g = 0; g < FS_IF_COUNT; g++) {
        int seen = 0, clen, reach;

        if (!out->iface[g].broken || fs_iface_to((fs_iface_t)g) != caller)
            continue;
        for (int k = 0; k < len; k++)
            seen |= path[k] == (fs_iface_t)g;
        if (seen)
            continue;
        memcpy(cand, path, (size_t)len * sizeof(cand[0]));
        cand[len] = (fs_iface_t)g;
        clen = fs__verdict_extend(out, cand, len + 1);
        reach = fs_iface_is_entry(cand[clen - 1]);
        if (g_best >= 0) {
            int e = fs_iface_is_entry((fs_iface_t)g), be = fs_iface_is_entry((fs_iface_t)g_best);

            if (reach != best_reach ? reach < best_reach
                : e != be           ? e < be
                                    : out->iface[g].first_broken >= out->iface[g_best].first_broken)
                continue;
        }
        memcpy(best, cand, (size_t)clen * sizeof(best[0]));
        best_len = clen;
        best_reach = reach;
        g_best = g;
    }
    if (g_best >= 0)
        memcpy(path, best, (size_t)best_len * sizeof(best[0]));
    return best_len;
}

/* Tries every faulted interface as the start and keeps the path that reaches
 * the users, else the longest, else the one that started earliest. */
static void fs__verdict_cascade(const fs__verdict_ctx_t *c, fs_verdict_result_t *out)
{
    int best_entry = 0;
    long best_faulted = -1;

    out->cascade_len = 0;
    for (int f = 0; f < FS_IF_COUNT; f++) {
        fs_iface_t path[FS_IF_COUNT];
        int len, entry;

        if (!out->iface[f].faulted)
            continue;
        path[0] = (fs_iface_t)f;
        len = fs__verdict_extend(out, path, 1);
        entry = fs_iface_is_entry(path[len - 1]);
        if (out->cascade_len > 0 &&
            (entry < best_entry ||
             (entry == best_entry &&
              (len < out->cascade_len ||
               (len == out->cascade_len && c->first_faulted[f] >= best_faulted)))))
            continue;
        memcpy(out->cascade_path, path, (size_t)len * sizeof(path[0]));
        out->cascade_len = len;
        best_entry = entry;
        best_faulted = c->first_faulted[f];
    }
}

/* Checks the inputs and finds the shared shape; -EINVAL names nothing, the
 * caller built these and a mismatch is a harness bug. */
static int fs__verdict_shape(const fs_slo_t *slo, const fs_verdict_input_t *in, size_t *n)
{
    *n = 0;
    if (slo->bucket_ms == 0 || slo->min_buckets == 0 || !(slo->success >= 0) || slo->success > 1)
        return -EINVAL;
    for (int f = 0; f < FS_IF_COUNT; f++) {
        const fs_series_t *s = in[f].series;

        if (s == NULL)
            continue;
        if (fs_series_bucket_ms(s) != slo->bucket_ms || (*n != 0 && fs_series_len(s) != *n))
            return -EINVAL;
        *n = fs_series_len(s);
    }
    return *n != 0 ? 0 : -EINVAL;
}

int fs_verdict_compute(const fs_slo_t *slo, const fs_verdict_input_t in[FS_IF_COUNT],
                       uint64_t fault_start_ms, uint64_t fault_end_ms, fs_verdict_result_t *out)
{
    fs__verdict_ctx_t c = {.slo = slo, .in = in, .detect_ms = -1, .recover_ms = -1};
    uint64_t span_ms, end_ms;
    int rc = -EINVAL;

    if (out == NULL)
        return -EINVAL;
    memset(out, 0, sizeof(*out));
    if (slo == NULL || in == NULL || fault_end_ms < fault_start_ms)
        goto fail;
    if ((rc = fs__verdict_shape(slo, in, &c.n)) < 0)
        goto fail;
    rc = -ENOMEM;
    for (int f = 0; f < FS_IF_COUNT; f++)
        if ((out->iface[f].broken_buckets = calloc(c.n, 1)) == NULL)
            goto fail;

    /* The window [first fault, last revert + grace], clamped to the series;
     * a bucket counts when it overlaps it, and an instant fault with no grace
     * still gets the bucket it happened in. */
    span_ms = c.n * slo->bucket_ms;
    out->window_start_ms = fault_start_ms < span_ms ? fault_start_ms : span_ms;
    end_ms = fault_end_ms > UINT64_MAX - slo->grace_ms ? UINT64_MAX : fault_end_ms + slo->grace_ms;
    out->window_end_ms = end_ms < span_ms ? end_ms : span_ms;
    c.wfirst = out->window_start_ms / slo->bucket_ms;
    c.wlast = out->window_end_ms > out->window_start_ms
                  ? (out->window_end_ms + slo->bucket_ms - 1) / slo->bucket_ms - 1
                  : c.wfirst;
    if (c.wfirst >= c.n) {
        c.wfirst = 1; /* empty window: the fault came after the series ended */
        c.wlast = 0;
    }

    for (int f = 0; f < FS_IF_COUNT; f++)
        fs__verdict_observe(&c, (fs_iface_t)f, &out->iface[f]);
    fs__verdict_judge(out);
    fs__verdict_share(out);
    fs__verdict_cascade(&c, out);

    out->time_to_detect_ms = c.detect_ms < 0 ? -1
                             : c.detect_ms > (int64_t)fault_start_ms
                                 ? c.detect_ms - (int64_t)fault_start_ms
                                 : 0;
    out->time_to_recover_ms = c.recover_ms < 0 ? c.recover_ms
                              : c.recover_ms > (int64_t)fault_end_ms
                                  ? c.recover_ms - (int64_t)fault_end_ms
                                  : 0;
    return 0;

fail:
    fs_verdict_result_free(out);
    return rc;
}

void fs_verdict_result_free(fs_verdict_result_t *r)
{
    if (r == NULL)
        return;
    for (int f = 0; f < FS_IF_COUNT; f++) {
        free(r->iface[f].broken_buckets);
        r->iface[f].broken_buckets = NULL;
    }
}
