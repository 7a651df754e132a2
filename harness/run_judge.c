/* After the load: add the links up per interface, mark where faults acted,
 * compute the verdicts, check the scenario's expectations, and write
 * results.json. */
#include "run_int.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The share of edge nodes served a bad config version: a node counts when
 * its botmod was served a bad bot/features or its proxy a bad waf/rules. */
static double fs__run_bad_share(const fs_run_t *r)
{
    unsigned took = 0;

    if (!r->config_faults || r->nodes == 0)
        return -1;
    for (unsigned node = 0; node < r->nodes; node++) {
        int bad = 0;
        for (size_t i = 0; i < r->nlinks && !bad; i++) {
            const fs_run_link_t *l = &r->links[i];
            if (l->key < 0 || l->from != (int)node)
                continue;
            for (unsigned v = 0; v < l->nserved && !bad; v++)
                for (unsigned b = 0; b < r->nbad[l->key] && !bad; b++)
                    bad = l->served[v] == r->bad[l->key][b];
        }
        took += bad;
    }
    return (double)took / r->nodes;
}

static int fs__run_aggregate(fs_run_t *r)
{
    const fs_slo_t *slo = fs_scenario_slo(r->sc);
    uint64_t series_ms = fs_scenario_duration_ms(r->sc) + 2 * slo->latency_ms;
    int rc;

    for (int f = 0; f < FS_IF_COUNT; f++) {
        if ((rc = fs_series_new(slo->bucket_ms, series_ms, slo->latency_ms, &r->iface_series[f])) <
            0)
            return rc;
    }
    for (size_t i = 0; i < r->nlinks; i++)
        if ((rc = fs_series_add(r->iface_series[r->links[i].iface], r->links[i].series)) < 0)
            return rc;
    for (unsigned n = 0; n < r->nodes; n++)
        if ((rc = fs_series_add(r->iface_series[FS_IF_CLIENT_PROXY], r->client_series[n])) < 0)
            return rc;
    return fs_series_add(r->iface_series[FS_IF_USER_DASHBOARD], r->user_series);
}

/* faulted[iface][bucket]: the scheduled windows, not the measured ones, so
 * the same scenario marks the same buckets on every run. */
static int fs__run_faulted(fs_run_t *r, uint8_t **faulted)
{
    size_t n = fs_series_len(r->iface_series[0]);
    uint64_t bucket = fs_scenario_slo(r->sc)->bucket_ms;

    for (int f = 0; f < FS_IF_COUNT; f++)
        if ((faulted[f] = calloc(n, 1)) == NULL)
            return -ENOMEM;
    for (size_t i = 0; i < fs_scenario_fault_count(r->sc); i++) {
        const fs_scenario_fault_t *sf = fs_scenario_fault(r->sc, i);
        uint8_t hit[FS_IF_COUNT] = {0};
        size_t first = sf->at_ms / bucket;
        size_t last = sf->for_ms ? (sf->at_ms + sf->for_ms - 1) / bucket : first;

        if (!r->faults[i].applied)
            continue;
        fs_scenario_fault_ifaces(r->sc, i, hit);
        for (int f = 0; f < FS_IF_COUNT; f++)
            for (size_t b = first; hit[f] && b <= last && b < n; b++)
                faulted[f][b] = 1;
    }
    return 0;
}

static void fs__run_expect(fs_run_t *r, const char *what, const char *expected, int ok,
                           const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void fs__run_expect(fs_run_t *r, const char *what, const char *expected, int ok,
                           const char *fmt, ...)
{
    fs_results_expect_t *x;
    va_list ap;

    if (r->nexpect >= sizeof(r->expect) / sizeof(r->expect[0]))
        return;
    x = &r->expect[r->nexpect++];
    snprintf(x->what, sizeof(x->what), "%s", what);
    snprintf(x->expected, sizeof(x->expected), "%s", expected);
    va_start(ap, fmt);
    vsnprintf(x->actual, sizeof(x->actual), fmt, ap);
    va_end(ap);
    x->ok = ok;
}

static void fs__run_expect_range(fs_run_t *r, const char *name, const fs_scenario_range_t *range,
                                 double actual)
{
    char what[96], expected[64];

    if (range->has_min) {
        snprintf(what, sizeof(what), "%s.min", name);
        snprintf(expected, sizeof(expected), ">= %g", range->min);
        fs__run_expect(r, what, expected, actual >= range->min, "%.4f", actual);
    }
    if (range->has_max) {
        snprintf(what, sizeof(what), "%s.max", name);
        snprintf(expected, sizeof(expected), "<= %g", range->max);
        fs__run_expect(r, what, expected, actual <= range->max, "%.4f", actual);
    }
}

static void fs__run_expect_time(fs_run_t *r, const char *name, uint64_t max, int64_t actual)
{
    char expected[64];

    snprintf(expected, sizeof(expected), "<= %llu ms", (unsigned long long)max);
    if (actual == -1)
        fs__run_expect(r, name, expected, 1, "nothing broke");
    else if (actual < 0)
        fs__run_expect(r, name, expected, 0, "never recovered");
    else
        fs__run_expect(r, name, expected, (uint64_t)actual <= max, "%lld ms", (long long)actual);
}

static void fs__run_check(fs_run_t *r)
{
    const fs_scenario_expect_t *x = fs_scenario_expect(r->sc, r->posture);
    const fs_verdict_result_t *v = &r->verdict;
    char what[96];

    /* A run that can be stopped early says whether it was: a stop nobody
     * expected fails it. */
    if (fs_scenario_abort_count(r->sc) > 0 || (x != NULL && x->has_aborted)) {
        int want = x != NULL && x->has_aborted && x->aborted;
        fs__run_expect(r, "aborted", want ? "true" : "false", r->tripped == want, "%s",
                       r->tripped ? "true" : "false");
    }
    if (x == NULL || !x->present)
        return;
    for (int f = 0; f < FS_IF_COUNT; f++) {
        if (!x->has_verdict[f])
            continue;
        snprintf(what, sizeof(what), "interfaces.%s", fs_iface_name((fs_iface_t)f));
        fs__run_expect(r, what, fs_verdict_name(x->verdict[f]),
                       v->iface[f].verdict == x->verdict[f], "%s",
                       fs_verdict_name(v->iface[f].verdict));
    }
    fs__run_expect_range(r, "blast_radius", &x->blast_radius, v->blast_radius);
    fs__run_expect_range(r, "degraded_share", &x->degraded_share, v->degraded_share);
    if (x->has_detect_max)
        fs__run_expect_time(r, "time_to_detect.max", x->detect_max_ms, v->time_to_detect_ms);
    if (x->has_recover_max)
        fs__run_expect_time(r, "time_to_recover.max", x->recover_max_ms, v->time_to_recover_ms);
    if (x->has_recovered) {
        /* Recovery is only in question once something broke. */
        int recovered = v->time_to_detect_ms < 0 || v->time_to_recover_ms >= 0;
        fs__run_expect(r, "recovered", x->recovered ? "true" : "false", recovered == x->recovered,
                       "%s", recovered ? "true" : "false");
    }
    for (int f = 0; f < FS_IF_COUNT; f++) {
        double amp = 0;

        if (!x->amplification[f].has_min && !x->amplification[f].has_max)
            continue;
        snprintf(what, sizeof(what), "amplification.%s", fs_iface_name((fs_iface_t)f));
        if (fs_results_amplification((const fs_series_t *const *)r->iface_series, v, (fs_iface_t)f,
                                     &amp) < 0) {
            fs__run_expect(r, what, "a measurement", 0, "no user requests in the window");
            continue;
        }
        fs__run_expect_range(r, what, &x->amplification[f], amp);
    }
}

int fs__run_judge(fs_run_t *r)
{
    fs_verdict_input_t in[FS_IF_COUNT];
    uint8_t *faulted[FS_IF_COUNT] = {0};
    uint64_t start, end;
    int rc;

    if ((rc = fs__run_aggregate(r)) < 0 || (rc = fs__run_faulted(r, faulted)) < 0)
        goto out;
    for (int f = 0; f < FS_IF_COUNT; f++) {
        in[f].series = r->iface_series[f];
        in[f].faulted = faulted[f];
    }
    fs_scenario_fault_window(r->sc, &start, &end);
    if ((rc = fs_verdict_compute(fs_scenario_slo(r->sc), in, start, end, &r->verdict)) < 0)
        goto out;
    r->has_verdict = 1;
    fs__run_check(r);
out:
    for (int f = 0; f < FS_IF_COUNT; f++)
        free(faulted[f]);
    return rc;
}

int fs__run_write_results(fs_run_t *r)
{
    fs_results_link_t *links = calloc(r->nlinks + 1, sizeof(*links));
    fs_results_t res = {0};
    fs_results_knob_t knobs[FS_RESULTS_MAX_KNOBS];
    const fs_knobs_t *ks = fs_scenario_knobs(r->sc);
    fs_load_stats_t ls = {0};
    char err[sizeof(r->error)];
    int rc;

    if (links == NULL)
        return -ENOMEM;
    /* Fleet start to now; the final figure (fleet stopped) is printed. */
    r->wall_ms = (uv_hrtime() - r->wall_start_ns) / 1000000;
    for (size_t i = 0; i < r->nlinks; i++) {
        snprintf(links[i].name, sizeof(links[i].name), "%s", r->links[i].name);
        links[i].iface = r->links[i].iface;
        links[i].from = r->links[i].from;
        links[i].to = r->links[i].to;
        links[i].series = r->links[i].series;
    }
    if (r->load != NULL)
        fs_load_stats(r->load, &ls);
    res.scenario = fs_scenario_name(r->sc);
    res.title = fs_scenario_title(r->sc);
    res.description = fs_scenario_description(r->sc);
    res.file = fs_scenario_file(r->sc);
    res.posture = fs_posture_name(r->posture);
    res.seed = r->seed;
    res.time_scale = fs_scenario_time_scale(r->sc);
    res.aborted = r->aborted || r->tripped || r->status == FS_RUN_ERROR;
    res.abort_reason = r->aborted || r->tripped ? r->abort_reason : r->error;
    res.guard = r->guard;
    res.started_unix_ms = r->started_unix_ms;
    res.wall_ms = r->wall_ms;
    res.duration_ms = fs_scenario_duration_ms(r->sc);
    res.nodes = r->nodes;
    res.slo = fs_scenario_slo(r->sc);
    fs_scenario_fault_window(r->sc, &res.fault_start_ms, &res.fault_end_ms);
    res.verdict = r->has_verdict ? &r->verdict : NULL;
    for (int f = 0; f < FS_IF_COUNT; f++)
        res.iface_series[f] = r->iface_series[f];
    res.links = links;
    res.nlinks = r->nlinks;
    res.timeline = r->timeline;
    res.expect = r->expect;
    res.nexpect = r->nexpect;
    res.bad_config_share = fs__run_bad_share(r);
    res.load_sent = ls.client.sent + ls.user.sent;
    res.load_answered = ls.client.answered + ls.user.answered;
    res.load_retries = ls.client.retries;
    for (size_t i = 0; i < fs_knobs_count(ks, r->posture) && i < FS_RESULTS_MAX_KNOBS; i++) {
        knobs[i].name = fs_knobs_name(ks, r->posture, i);
        knobs[i].flag = fs_knobs_flag(ks, r->posture, i);
        knobs[i].value = fs_knobs_value(ks, r->posture, i);
        res.nknobs = i + 1;
    }
    res.knobs = knobs;
    rc = fs_results_write(&res, r->results_path, err, sizeof(err));
    if (rc < 0)
        snprintf(r->error, sizeof(r->error), "%s", err);
    free(links);
    return rc;
}
