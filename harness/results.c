#include "results.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atomic.h"

/* cJSON_Add* return NULL on allocation failure; collecting that in one flag
 * keeps the builders readable and still fails the whole document. */
typedef struct {
    int oom;
} fs__res_t;

static cJSON *fs__res_check(fs__res_t *b, cJSON *item)
{
    if (item == NULL)
        b->oom = 1;
    return item;
}

static void fs__res_num(fs__res_t *b, cJSON *o, const char *k, double v)
{
    fs__res_check(b, cJSON_AddNumberToObject(o, k, v));
}

static void fs__res_str(fs__res_t *b, cJSON *o, const char *k, const char *v)
{
    fs__res_check(b, v ? cJSON_AddStringToObject(o, k, v) : cJSON_AddNullToObject(o, k));
}

/* A time that may not exist: null rather than a sentinel number. */
static void fs__res_ms(fs__res_t *b, cJSON *o, const char *k, int64_t v)
{
    fs__res_check(b,
                  v >= 0 ? cJSON_AddNumberToObject(o, k, (double)v) : cJSON_AddNullToObject(o, k));
}

static void fs__res_push(fs__res_t *b, cJSON *arr, cJSON *item)
{
    if (fs__res_check(b, item) != NULL && !cJSON_AddItemToArray(arr, item)) {
        cJSON_Delete(item);
        b->oom = 1;
    }
}

/* Rounded so that files diff cleanly between runs. */
static double fs__res_round(double v, double unit)
{
    return round(v / unit) * unit;
}

typedef enum {
    COL_CALLS,
    COL_GOOD,
    COL_DEGRADED,
    COL_WRONG,
    COL_ERRORS,
    COL_SLOW,
    COL_RETRIES,
    COL_COUNT
} fs__res_col_t;

static uint32_t fs__res_col(const fs_bucket_t *k, fs__res_col_t c)
{
    switch (c) {
    case COL_CALLS:
        return k->calls;
    case COL_GOOD:
        return k->good;
    case COL_DEGRADED:
        return k->degraded;
    case COL_WRONG:
        return k->wrong;
    case COL_ERRORS:
        return k->errors;
    case COL_SLOW:
        return k->slow;
    case COL_RETRIES:
        return k->retries;
    case COL_COUNT:
        break;
    }
    return 0;
}

static const char *const fs__res_cols[COL_COUNT] = {"calls",  "good", "degraded", "wrong",
                                                    "errors", "slow", "retries"};

/* Per-bucket columns of a series: counts, health (null for an empty
 * bucket), latency quantiles. */
static cJSON *fs__res_buckets(fs__res_t *b, const fs_series_t *s, const uint8_t *broken)
{
    cJSON *o = fs__res_check(b, cJSON_CreateObject());
    size_t n = fs_series_len(s);

    if (o == NULL)
        return NULL;
    for (size_t c = 0; c < sizeof(fs__res_cols) / sizeof(fs__res_cols[0]); c++) {
        cJSON *arr = fs__res_check(b, cJSON_AddArrayToObject(o, fs__res_cols[c]));
        for (size_t i = 0; arr && i < n; i++)
            fs__res_push(b, arr,
                         cJSON_CreateNumber(fs__res_col(fs_series_bucket(s, i), (fs__res_col_t)c)));
    }
    cJSON *health = fs__res_check(b, cJSON_AddArrayToObject(o, "health"));
    cJSON *p50 = fs__res_check(b, cJSON_AddArrayToObject(o, "p50_ms"));
    cJSON *p99 = fs__res_check(b, cJSON_AddArrayToObject(o, "p99_ms"));
    for (size_t i = 0; health && p50 && p99 && i < n; i++) {
        const fs_bucket_t *k = fs_series_bucket(s, i);
        fs__res_push(b, health,
                     k->calls ? cJSON_CreateNumber(fs__res_round((double)k->good / k->calls, 1e-4))
                              : cJSON_CreateNull());
        fs__res_push(b, p50,
                     cJSON_CreateNumber(fs__res_round(fs_series_quantile_ms(s, i, i, 0.5), 0.001)));
        fs__res_push(
            b, p99, cJSON_CreateNumber(fs__res_round(fs_series_quantile_ms(s, i, i, 0.99), 0.001)));
    }
    if (broken != NULL) {
        cJSON *arr = fs__res_check(b, cJSON_AddArrayToObject(o, "broken"));
        for (size_t i = 0; arr && i < n; i++)
            fs__res_push(b, arr, cJSON_CreateNumber(broken[i]));
    }
    return o;
}

static void fs__res_totals(fs__res_t *b, cJSON *o, const fs_series_t *s)
{
    uint64_t sum[COL_COUNT] = {0};

    for (size_t i = 0; i < fs_series_len(s); i++)
        for (int c = 0; c < COL_COUNT; c++)
            sum[c] += fs__res_col(fs_series_bucket(s, i), (fs__res_col_t)c);
    for (int c = 0; c < COL_COUNT; c++)
        fs__res_num(b, o, fs__res_cols[c], (double)sum[c]);
}

/* What callers asked for in the verdict's window: calls that were not
 * retries, over the buckets fs_verdict_compute() judged. */
static uint64_t fs__res_requests(const fs_series_t *s, const fs_verdict_result_t *v)
{
    uint64_t bms, first, last, n = 0;

    if (s == NULL || v == NULL || v->window_end_ms <= v->window_start_ms)
        return 0;
    bms = fs_series_bucket_ms(s);
    first = v->window_start_ms / bms;
    last = (v->window_end_ms + bms - 1) / bms - 1;
    for (uint64_t i = first; i <= last && i < fs_series_len(s); i++) {
        const fs_bucket_t *k = fs_series_bucket(s, i);
        n += k->calls - (k->retries < k->calls ? k->retries : k->calls);
    }
    return n;
}

int fs_results_amplification(const fs_series_t *const series[FS_IF_COUNT],
                             const fs_verdict_result_t *v, fs_iface_t f, double *out)
{
    fs_iface_t entry;
    uint64_t asked;

    /* Each interface counts against the user requests that drive it;
     * configstore is polled on a timer whatever users do. */
    switch (f) {
    case FS_IF_CLIENT_PROXY:
    case FS_IF_PROXY_BOTMOD:
    case FS_IF_PROXY_ORIGIN:
        entry = FS_IF_CLIENT_PROXY;
        break;
    case FS_IF_USER_DASHBOARD:
    case FS_IF_DASHBOARD_BOTMOD:
        entry = FS_IF_USER_DASHBOARD;
        break;
    default:
        return -ENOENT;
    }
    asked = fs__res_requests(series[entry], v);
    if (asked == 0 || series[f] == NULL)
        return -ENOENT;
    *out = (double)v->iface[f].calls / (double)asked;
    return 0;
}

static cJSON *fs__res_iface(fs__res_t *b, const fs_results_t *r, fs_iface_t f)
{
    const fs_series_t *s = r->iface_series[f];
    const fs_iface_result_t *v = r->verdict ? &r->verdict->iface[f] : NULL;
    cJSON *o = fs__res_check(b, cJSON_CreateObject()), *links;

    if (o == NULL)
        return NULL;
    fs__res_str(b, o, "verdict", v ? fs_verdict_name(v->verdict) : NULL);
    fs__res_check(b, cJSON_AddBoolToObject(o, "faulted", v && v->faulted));
    fs__res_check(b, cJSON_AddBoolToObject(o, "broken", v && v->broken));
    fs__res_ms(b, o, "first_broken_ms",
               v && v->first_broken >= 0 ? v->first_broken * (int64_t)fs_series_bucket_ms(s) : -1);
    cJSON *win = fs__res_check(b, cJSON_AddObjectToObject(o, "window"));
    if (win != NULL) {
        fs__res_num(b, win, "calls", v ? (double)v->calls : 0);
        fs__res_num(b, win, "failures", v ? (double)v->failures : 0);
        fs__res_num(b, win, "degraded", v ? (double)v->degraded : 0);
        double amp;
        fs__res_check(b,
                      fs_results_amplification(r->iface_series, r->verdict, f, &amp) == 0
                          ? cJSON_AddNumberToObject(win, "amplification", fs__res_round(amp, 1e-3))
                          : cJSON_AddNullToObject(win, "amplification"));
    }
    cJSON *tot = fs__res_check(b, cJSON_AddObjectToObject(o, "totals"));
    if (tot != NULL && s != NULL)
        fs__res_totals(b, tot, s);
    if (s != NULL) {
        size_t n = fs_series_len(s);
        fs__res_num(b, o, "p50_ms", fs__res_round(fs_series_quantile_ms(s, 0, n - 1, 0.5), 0.001));
        fs__res_num(b, o, "p99_ms", fs__res_round(fs_series_quantile_ms(s, 0, n - 1, 0.99), 0.001));
        cJSON *bk = fs__res_buckets(b, s, v ? v->broken_buckets : NULL);
        if (bk != NULL && !cJSON_AddItemToObject(o, "buckets", bk)) {
            cJSON_Delete(bk);
            b->oom = 1;
        }
    }
    links = fs__res_check(b, cJSON_AddArrayToObject(o, "links"));
    for (size_t i = 0; links && i < r->nlinks; i++) {
        const fs_results_link_t *l = &r->links[i];
        cJSON *lo;
        if (l->iface != f)
            continue;
        lo = fs__res_check(b, cJSON_CreateObject());
        if (lo == NULL)
            break;
        fs__res_str(b, lo, "name", l->name);
        fs__res_num(b, lo, "from", l->from);
        fs__res_num(b, lo, "to", l->to);
        if (l->series != NULL) {
            cJSON *lt = fs__res_check(b, cJSON_AddObjectToObject(lo, "totals"));
            if (lt != NULL)
                fs__res_totals(b, lt, l->series);
            cJSON *bk = fs__res_buckets(b, l->series, NULL);
            if (bk != NULL && !cJSON_AddItemToObject(lo, "buckets", bk)) {
                cJSON_Delete(bk);
                b->oom = 1;
            }
        }
        fs__res_push(b, links, lo);
    }
    return o;
}

static void fs__res_summary(fs__res_t *b, cJSON *doc, const fs_results_t *r)
{
    const fs_verdict_result_t *v = r->verdict;
    cJSON *verdicts = fs__res_check(b, cJSON_AddObjectToObject(doc, "verdicts"));
    cJSON *path;

    for (int f = 0; verdicts && v && f < FS_IF_COUNT; f++)
        if (r->iface_series[f] != NULL)
            fs__res_str(b, verdicts, fs_iface_name((fs_iface_t)f),
                        fs_verdict_name(v->iface[f].verdict));
    fs__res_check(
        b, v ? cJSON_AddNumberToObject(doc, "blast_radius", fs__res_round(v->blast_radius, 1e-4))
             : cJSON_AddNullToObject(doc, "blast_radius"));
    fs__res_check(b, r->bad_config_share >= 0
                         ? cJSON_AddNumberToObject(doc, "bad_config_share",
                                                   fs__res_round(r->bad_config_share, 1e-4))
                         : cJSON_AddNullToObject(doc, "bad_config_share"));
    fs__res_ms(b, doc, "time_to_detect_ms", v ? v->time_to_detect_ms : -1);
    fs__res_ms(b, doc, "time_to_recover_ms", v ? v->time_to_recover_ms : -1);
    /* -2 is "still broken at the end": worth saying in words, not a number. */
    fs__res_check(b, v && v->time_to_detect_ms >= 0
                         ? cJSON_AddBoolToObject(doc, "recovered", v->time_to_recover_ms >= 0)
                         : cJSON_AddNullToObject(doc, "recovered"));
    fs__res_check(b, v ? cJSON_AddNumberToObject(doc, "degraded_share",
                                                 fs__res_round(v->degraded_share, 1e-4))
                       : cJSON_AddNullToObject(doc, "degraded_share"));
    path = fs__res_check(b, cJSON_AddArrayToObject(doc, "cascade_path"));
    for (int i = 0; path && v && i < v->cascade_len; i++)
        fs__res_push(b, path, cJSON_CreateString(fs_iface_name(v->cascade_path[i])));
}

static void fs__res_events(fs__res_t *b, cJSON *doc, const fs_results_t *r)
{
    cJSON *events = fs__res_check(b, cJSON_AddArrayToObject(doc, "events"));

    for (size_t i = 0; events && r->timeline && i < fs_timeline_len(r->timeline); i++) {
        const fs_event_t *e = fs_timeline_at(r->timeline, i);
        cJSON *eo = fs__res_check(b, cJSON_CreateObject());
        if (eo == NULL)
            break;
        fs__res_num(b, eo, "t_ms", (double)e->t_ms);
        fs__res_str(b, eo, "kind", e->kind);
        fs__res_str(b, eo, "source", e->source);
        fs__res_str(b, eo, "what", e->what);
        fs__res_push(b, events, eo);
    }
}

static void fs__res_expect(fs__res_t *b, cJSON *doc, const fs_results_t *r)
{
    cJSON *arr = fs__res_check(b, cJSON_AddArrayToObject(doc, "expectations"));

    for (size_t i = 0; arr && i < r->nexpect; i++) {
        const fs_results_expect_t *x = &r->expect[i];
        cJSON *xo = fs__res_check(b, cJSON_CreateObject());
        if (xo == NULL)
            break;
        fs__res_str(b, xo, "what", x->what);
        fs__res_str(b, xo, "expected", x->expected);
        fs__res_str(b, xo, "actual", x->actual);
        fs__res_check(b, cJSON_AddBoolToObject(xo, "ok", x->ok));
        fs__res_push(b, arr, xo);
    }
}

/* abort_if: every stop condition with its peak; aborted_by: the one that
 * tripped, or null. */
static void fs__res_stops(fs__res_t *b, cJSON *doc, const fs_guard_t *g)
{
    cJSON *arr = fs__res_check(b, cJSON_AddArrayToObject(doc, "abort_if")), *o;
    fs_guard_trip_t trip;
    char t[48];

    for (size_t i = 0; arr && g && i < fs_guard_count(g); i++) {
        const fs_guard_cond_t *c = fs_guard_cond(g, i);
        double peak = fs_guard_peak(g, i);

        if ((o = fs__res_check(b, cJSON_CreateObject())) == NULL)
            break;
        fs__res_str(b, o, "signal", fs_guard_signal_name(c->signal));
        fs__res_str(b, o, "condition", c->what);
        fs__res_num(b, o, "threshold", c->threshold);
        fs__res_num(b, o, "for_ms", (double)c->for_ms);
        fs__res_ms(b, o, "window_ms",
                   c->signal == FS_GUARD_PROCESSES_DOWN ? -1 : (int64_t)c->window_ms);
        fs__res_str(b, o, "interface",
                    c->signal == FS_GUARD_FAILURE_RATE ? fs_iface_name(c->iface) : NULL);
        fs__res_str(b, o, "target",
                    c->has_target ? fs_target_format(&c->target, t, sizeof(t)) : NULL);
        if (peak < 0)
            fs__res_check(b, cJSON_AddNullToObject(o, "peak"));
        else
            fs__res_num(b, o, "peak", fs__res_round(peak, 1e-4));
        fs__res_check(
            b, cJSON_AddBoolToObject(o, "tripped", fs_guard_tripped(g, &trip) && trip.index == i));
        fs__res_push(b, arr, o);
    }
    if (g == NULL || !fs_guard_tripped(g, &trip)) {
        fs__res_check(b, cJSON_AddNullToObject(doc, "aborted_by"));
        return;
    }
    if ((o = fs__res_check(b, cJSON_AddObjectToObject(doc, "aborted_by"))) == NULL)
        return;
    fs__res_num(b, o, "index", (double)trip.index);
    fs__res_str(b, o, "signal", fs_guard_signal_name(fs_guard_cond(g, trip.index)->signal));
    fs__res_num(b, o, "threshold", fs_guard_cond(g, trip.index)->threshold);
    fs__res_num(b, o, "value", fs__res_round(trip.value, 1e-4));
    fs__res_num(b, o, "since_ms", (double)trip.since_ms);
    fs__res_num(b, o, "for_ms", (double)(trip.at_ms - trip.since_ms));
    fs__res_num(b, o, "at_ms", (double)trip.at_ms);
}

int fs_results_json(const fs_results_t *r, cJSON **out)
{
    fs__res_t b = {0};
    cJSON *doc = cJSON_CreateObject(), *o;

    if (doc == NULL)
        return -ENOMEM;
    fs__res_str(&b, doc, "schema", FS_RESULTS_SCHEMA);
    o = fs__res_check(&b, cJSON_AddObjectToObject(doc, "scenario"));
    if (o != NULL) {
        fs__res_str(&b, o, "name", r->scenario);
        fs__res_str(&b, o, "title", r->title);
        fs__res_str(&b, o, "description", r->description);
        fs__res_str(&b, o, "file", r->file);
    }
    fs__res_str(&b, doc, "posture", r->posture);
    fs__res_num(&b, doc, "seed", (double)r->seed); /* < 10^15: exact */
    fs__res_num(&b, doc, "time_scale", r->time_scale);
    fs__res_str(&b, doc, "status", r->aborted ? "aborted" : "completed");
    fs__res_str(&b, doc, "abort_reason", r->aborted ? r->abort_reason : NULL);
    fs__res_stops(&b, doc, r->guard);
    fs__res_num(&b, doc, "started_unix_ms", (double)r->started_unix_ms);
    fs__res_num(&b, doc, "wall_ms", (double)r->wall_ms);
    fs__res_num(&b, doc, "duration_ms", (double)r->duration_ms);
    fs__res_num(&b, doc, "nodes", r->nodes);
    o = r->slo ? fs__res_check(&b, cJSON_AddObjectToObject(doc, "slo"))
               : fs__res_check(&b, cJSON_AddNullToObject(doc, "slo"));
    if (o != NULL && r->slo != NULL) {
        fs__res_num(&b, o, "success", r->slo->success);
        fs__res_num(&b, o, "latency_ms", (double)r->slo->latency_ms);
        fs__res_num(&b, o, "bucket_ms", (double)r->slo->bucket_ms);
        fs__res_num(&b, o, "min_buckets", r->slo->min_buckets);
        fs__res_num(&b, o, "grace_ms", (double)r->slo->grace_ms);
    }
    o = fs__res_check(&b, cJSON_AddObjectToObject(doc, "fault_window"));
    if (o != NULL) {
        fs__res_num(&b, o, "start_ms", (double)r->fault_start_ms);
        fs__res_num(&b, o, "end_ms", (double)r->fault_end_ms);
        fs__res_num(&b, o, "grace_end_ms",
                    (double)(r->fault_end_ms + (r->slo ? r->slo->grace_ms : 0)));
    }
    fs__res_summary(&b, doc, r);
    o = fs__res_check(&b, cJSON_AddObjectToObject(doc, "load"));
    if (o != NULL) {
        fs__res_num(&b, o, "sent", (double)r->load_sent);
        fs__res_num(&b, o, "answered", (double)r->load_answered);
        fs__res_num(&b, o, "retries", (double)r->load_retries);
        fs__res_num(&b, o, "user_requests_in_window",
                    (double)fs__res_requests(r->iface_series[FS_IF_CLIENT_PROXY], r->verdict));
    }
    o = fs__res_check(&b, cJSON_AddArrayToObject(doc, "knobs"));
    for (size_t i = 0; o && i < r->nknobs; i++) {
        cJSON *ko = fs__res_check(&b, cJSON_CreateObject());
        if (ko == NULL)
            break;
        fs__res_str(&b, ko, "name", r->knobs[i].name);
        fs__res_str(&b, ko, "flag", r->knobs[i].flag);
        fs__res_str(&b, ko, "value", r->knobs[i].value);
        fs__res_push(&b, o, ko);
    }
    o = fs__res_check(&b, cJSON_AddObjectToObject(doc, "interfaces"));
    for (int f = 0; o && f < FS_IF_COUNT; f++) {
        cJSON *io;
        if (r->iface_series[f] == NULL)
            continue;
        io = fs__res_iface(&b, r, (fs_iface_t)f);
        if (io != NULL && !cJSON_AddItemToObject(o, fs_iface_name((fs_iface_t)f), io)) {
            cJSON_Delete(io);
            b.oom = 1;
        }
    }
    fs__res_events(&b, doc, r);
    fs__res_expect(&b, doc, r);
    if (b.oom) {
        cJSON_Delete(doc);
        return -ENOMEM;
    }
    *out = doc;
    return 0;
}

int fs_results_write(const fs_results_t *r, const char *path, char *err, size_t errlen)
{
    cJSON *doc = NULL;
    char *text = NULL;
    int rc;

    if ((rc = fs_results_json(r, &doc)) < 0)
        goto fail;
    text = cJSON_Print(doc);
    if (text == NULL) {
        rc = -ENOMEM;
        goto fail;
    }
    rc = fs_atomic_write(path, text, strlen(text), err, errlen);
    cJSON_Delete(doc);
    free(text);
    return rc;

fail:
    snprintf(err, errlen, "%s: %s", path, strerror(-rc));
    cJSON_Delete(doc);
    return rc;
}
