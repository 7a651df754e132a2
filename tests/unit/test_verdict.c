/* Unit tests for harness/verdict.c on synthetic bucket series: every
 * verdict, SLO edges, min_buckets, empty buckets, the window and its grace,
 * detection and recovery times, blast radius, degraded share, cascade paths.
 *
 * Unless a test says otherwise: 20 buckets of 100 ms, 100 calls per bucket on
 * every interface, all good; SLO 0.99 / 1 s / 3 buckets / 300 ms grace; the
 * fault acts from 500 to 1000 ms, so the window is [500, 1300] = buckets
 * 5..12. */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "verdict.h"

#define NB  20
#define BMS 100

typedef struct {
    uint32_t calls, errors, slow, wrong, degraded;
} plan_t;

typedef struct {
    plan_t plan[FS_IF_COUNT][NB];
    uint8_t faulted[FS_IF_COUNT][NB];
    int absent[FS_IF_COUNT]; /* no series at all (not observed) */
    fs_slo_t slo;
    fs_series_t *s[FS_IF_COUNT];
    fs_verdict_input_t in[FS_IF_COUNT];
    fs_verdict_result_t r;
} fx_t;

static void fx_init(fx_t *fx)
{
    memset(fx, 0, sizeof(*fx));
    for (int f = 0; f < FS_IF_COUNT; f++)
        for (int b = 0; b < NB; b++)
            fx->plan[f][b].calls = 100;
    fx->slo.success = 0.99;
    fx->slo.latency_ms = 1000;
    fx->slo.bucket_ms = BMS;
    fx->slo.min_buckets = 3;
    fx->slo.grace_ms = 300;
}

/* Buckets [from, to] of f answer only good of their calls; the rest fail. */
static void bad(fx_t *fx, fs_iface_t f, int from, int to, uint32_t good)
{
    for (int b = from; b <= to; b++)
        fx->plan[f][b].errors = fx->plan[f][b].calls - good;
}

static void empty(fx_t *fx, fs_iface_t f, int from, int to)
{
    for (int b = from; b <= to; b++)
        memset(&fx->plan[f][b], 0, sizeof(plan_t));
}

static void fault(fx_t *fx, fs_iface_t f, int from, int to)
{
    for (int b = from; b <= to; b++)
        fx->faulted[f][b] = 1;
}

static int run(fx_t *fx, uint64_t start_ms, uint64_t end_ms)
{
    for (int f = 0; f < FS_IF_COUNT; f++) {
        int any_fault = 0;

        for (int b = 0; b < NB; b++)
            any_fault |= fx->faulted[f][b];
        fx->in[f].faulted = any_fault ? fx->faulted[f] : NULL;
        fx->in[f].series = NULL;
        if (fx->absent[f])
            continue;
        assert_int_equal(fs_series_new(BMS, NB * BMS, fx->slo.latency_ms, &fx->s[f]), 0);
        for (int b = 0; b < NB; b++) {
            const plan_t *p = &fx->plan[f][b];
            uint64_t t = (uint64_t)b * BMS + 10;

            for (uint32_t k = 0; k < p->calls; k++) {
                uint32_t j = k;

                fs_series_begin(fx->s[f], t);
                if (j < p->errors)
                    fs_series_end(fx->s[f], t, 500, FS_OUT_ERROR);
                else if ((j -= p->errors) < p->slow)
                    fs_series_end(fx->s[f], t, 1500000, FS_OUT_OK);
                else if ((j -= p->slow) < p->wrong)
                    fs_series_end(fx->s[f], t, 800, FS_OUT_WRONG);
                else if ((j -= p->wrong) < p->degraded)
                    fs_series_end(fx->s[f], t, 900, FS_OUT_DEGRADED);
                else
                    fs_series_end(fx->s[f], t, 1000, FS_OUT_OK);
            }
        }
        fx->in[f].series = fx->s[f];
    }
    return fs_verdict_compute(&fx->slo, fx->in, start_ms, end_ms, &fx->r);
}

static void fx_free(fx_t *fx)
{
    fs_verdict_result_free(&fx->r);
    for (int f = 0; f < FS_IF_COUNT; f++)
        fs_series_free(fx->s[f]);
}

static fs_verdict_t v(const fx_t *fx, fs_iface_t f)
{
    return fx->r.iface[f].verdict;
}

static void assert_path(const fx_t *fx, int len, const fs_iface_t *want)
{
    assert_int_equal(fx->r.cascade_len, len);
    for (int i = 0; i < len; i++)
        assert_int_equal(fx->r.cascade_path[i], want[i]);
}

static void test_names(void **state)
{
    fs_verdict_t out = FS_VERDICT_CASCADED;

    (void)state;
    assert_string_equal(fs_verdict_name(FS_VERDICT_UNAFFECTED), "unaffected");
    assert_string_equal(fs_verdict_name(FS_VERDICT_FAILED_SMALL), "failed_small");
    assert_string_equal(fs_verdict_name(FS_VERDICT_CASCADED), "cascaded");
    assert_string_equal(fs_verdict_name((fs_verdict_t)9), "unknown");
    assert_int_equal(fs_verdict_parse("failed_small", &out), 0);
    assert_int_equal(out, FS_VERDICT_FAILED_SMALL);
    assert_int_equal(fs_verdict_parse("unaffected", &out), 0);
    assert_int_equal(out, FS_VERDICT_UNAFFECTED);
    assert_int_equal(fs_verdict_parse("cascaded", &out), 0);
    assert_int_equal(out, FS_VERDICT_CASCADED);
    assert_int_equal(fs_verdict_parse("Cascaded", &out), -ENOENT);
    assert_int_equal(fs_verdict_parse("failed-small", &out), -ENOENT);
    assert_int_equal(fs_verdict_parse(NULL, &out), -ENOENT);
}

static void test_nothing_hit(void **state)
{
    fx_t fx;

    (void)state;
    fx_init(&fx);
    bad(&fx, FS_IF_CLIENT_PROXY, 0, 3, 0); /* before the window: ignored */
    assert_int_equal(run(&fx, 500, 1000), 0);
    for (int f = 0; f < FS_IF_COUNT; f++) {
        assert_int_equal(v(&fx, f), FS_VERDICT_UNAFFECTED);
        assert_int_equal(fx.r.iface[f].broken, 0);
        assert_int_equal(fx.r.iface[f].faulted, 0);
        assert_int_equal(fx.r.iface[f].first_broken, -1);
        assert_int_equal(fx.r.iface[f].calls, 800);
        assert_int_equal(fx.r.iface[f].failures, 0);
    }
    assert_int_equal(fx.r.window_start_ms, 500);
    assert_int_equal(fx.r.window_end_ms, 1300);
    assert_int_equal(fx.r.time_to_detect_ms, -1);
    assert_int_equal(fx.r.time_to_recover_ms, -1);
    assert_true(fx.r.blast_radius == 0.0);
    assert_true(fx.r.degraded_share == 0.0);
    assert_int_equal(fx.r.cascade_len, 0);
    fx_free(&fx);
}

/* The design's example: the oversized file faults botmod->configstore,
 * botmod panics, the proxies' and the dashboard's calls into it break, and
 * users feel it. */
static void test_flagship_legacy(void **state)
{
    const fs_iface_t want[] = {FS_IF_BOTMOD_CONFIGSTORE, FS_IF_PROXY_BOTMOD, FS_IF_CLIENT_PROXY};
    fx_t fx;

    (void)state;
    fx_init(&fx);
    fault(&fx, FS_IF_BOTMOD_CONFIGSTORE, 5, 9);
    bad(&fx, FS_IF_PROXY_BOTMOD, 6, 10, 50);
    bad(&fx, FS_IF_CLIENT_PROXY, 6, 10, 60);
    bad(&fx, FS_IF_DASHBOARD_BOTMOD, 7, 10, 0);
    bad(&fx, FS_IF_USER_DASHBOARD, 7, 10, 0);
    assert_int_equal(run(&fx, 500, 1000), 0);
    assert_int_equal(v(&fx, FS_IF_BOTMOD_CONFIGSTORE), FS_VERDICT_CASCADED);
    assert_int_equal(v(&fx, FS_IF_PROXY_BOTMOD), FS_VERDICT_CASCADED);
    assert_int_equal(v(&fx, FS_IF_DASHBOARD_BOTMOD), FS_VERDICT_CASCADED);
    assert_int_equal(v(&fx, FS_IF_CLIENT_PROXY), FS_VERDICT_CASCADED);
    assert_int_equal(v(&fx, FS_IF_USER_DASHBOARD), FS_VERDICT_CASCADED);
    assert_int_equal(v(&fx, FS_IF_PROXY_ORIGIN), FS_VERDICT_UNAFFECTED);
    assert_int_equal(v(&fx, FS_IF_PROXY_CONFIGSTORE), FS_VERDICT_UNAFFECTED);
    assert_int_equal(v(&fx, FS_IF_DASHBOARD_CONFIGSTORE), FS_VERDICT_UNAFFECTED);
    assert_int_equal(fx.r.iface[FS_IF_BOTMOD_CONFIGSTORE].faulted, 1);
    assert_int_equal(fx.r.iface[FS_IF_BOTMOD_CONFIGSTORE].broken, 0);
    assert_int_equal(fx.r.iface[FS_IF_PROXY_BOTMOD].first_broken, 6);
    assert_int_equal(fx.r.iface[FS_IF_PROXY_BOTMOD].broken_buckets[5], 0);
    for (int b = 6; b <= 10; b++)
        assert_int_equal(fx.r.iface[FS_IF_PROXY_BOTMOD].broken_buckets[b], 1);
    assert_int_equal(fx.r.iface[FS_IF_PROXY_BOTMOD].broken_buckets[11], 0);
    assert_int_equal(fx.r.iface[FS_IF_PROXY_BOTMOD].failures, 250);
    /* Both botmod callers reach users; proxy->botmod broke first. */
    assert_path(&fx, 3, want);
    assert_int_equal(fx.r.time_to_detect_ms, 100);  /* 600 - 500 */
    assert_int_equal(fx.r.time_to_recover_ms, 100); /* 1100 - 1000 */
    /* Entry calls 800 + 800; failed 5 * 40 + 4 * 100. */
    assert_float_equal(fx.r.blast_radius, 600.0 / 1600.0, 1e-12);
    fx_free(&fx);
}

static void test_flagship_hardened(void **state)
{
    const fs_iface_t want[] = {FS_IF_BOTMOD_CONFIGSTORE};
    fx_t fx;

    (void)state;
    fx_init(&fx);
    fault(&fx, FS_IF_BOTMOD_CONFIGSTORE, 5, 9);
    assert_int_equal(run(&fx, 500, 1000), 0);
    assert_int_equal(v(&fx, FS_IF_BOTMOD_CONFIGSTORE), FS_VERDICT_FAILED_SMALL);
    for (int f = 0; f < FS_IF_COUNT; f++)
        if (f != FS_IF_BOTMOD_CONFIGSTORE)
            assert_int_equal(v(&fx, f), FS_VERDICT_UNAFFECTED);
    assert_path(&fx, 1, want);
    assert_int_equal(fx.r.time_to_detect_ms, -1);
    assert_int_equal(fx.r.time_to_recover_ms, -1);
    assert_true(fx.r.blast_radius == 0.0);
    fx_free(&fx);
}

/* The faulted interface breaks itself, but nothing into its caller does. */
static void test_failed_small_when_broken_but_contained(void **state)
{
    fx_t fx;

    (void)state;
    fx_init(&fx);
    fault(&fx, FS_IF_BOTMOD_CONFIGSTORE, 5, 9);
    bad(&fx, FS_IF_BOTMOD_CONFIGSTORE, 5, 9, 0);
    assert_int_equal(run(&fx, 500, 1000), 0);
    assert_int_equal(v(&fx, FS_IF_BOTMOD_CONFIGSTORE), FS_VERDICT_FAILED_SMALL);
    assert_int_equal(fx.r.iface[FS_IF_BOTMOD_CONFIGSTORE].broken, 1);
    assert_int_equal(v(&fx, FS_IF_PROXY_BOTMOD), FS_VERDICT_UNAFFECTED);
    assert_int_equal(fx.r.time_to_detect_ms, 0);
    assert_int_equal(fx.r.time_to_recover_ms, 0); /* healed at 1000, the revert */
    fx_free(&fx);
}

/* Broken with no fault anywhere on it: hit all the same. */
static void test_broken_without_fault_is_hit(void **state)
{
    fx_t fx;

    (void)state;
    fx_init(&fx);
    bad(&fx, FS_IF_PROXY_ORIGIN, 6, 8, 0);
    bad(&fx, FS_IF_USER_DASHBOARD, 6, 8, 0);
    assert_int_equal(run(&fx, 500, 1000), 0);
    assert_int_equal(v(&fx, FS_IF_PROXY_ORIGIN), FS_VERDICT_FAILED_SMALL);
    assert_int_equal(v(&fx, FS_IF_USER_DASHBOARD), FS_VERDICT_CASCADED);
    assert_int_equal(v(&fx, FS_IF_CLIENT_PROXY), FS_VERDICT_UNAFFECTED);
    assert_int_equal(fx.r.cascade_len, 0); /* nothing faulted to start from */
    fx_free(&fx);
}

/* A process fault in the proxy faults client->proxy directly: entry
 * interfaces have no failed_small. */
static void test_entry_faulted_is_cascaded(void **state)
{
    const fs_iface_t want[] = {FS_IF_CLIENT_PROXY};
    fx_t fx;

    (void)state;
    fx_init(&fx);
    fault(&fx, FS_IF_CLIENT_PROXY, 5, 5);
    assert_int_equal(run(&fx, 500, 500), 0);
    assert_int_equal(v(&fx, FS_IF_CLIENT_PROXY), FS_VERDICT_CASCADED);
    assert_int_equal(v(&fx, FS_IF_USER_DASHBOARD), FS_VERDICT_UNAFFECTED);
    assert_path(&fx, 1, want);
    fx_free(&fx);
}

static void test_slo_edge(void **state)
{
    fx_t fx;

    (void)state;
    /* 99 of 100 against 0.99: exactly at the SLO, not broken. */
    fx_init(&fx);
    bad(&fx, FS_IF_CLIENT_PROXY, 5, 12, 99);
    assert_int_equal(run(&fx, 500, 1000), 0);
    assert_int_equal(fx.r.iface[FS_IF_CLIENT_PROXY].broken, 0);
    assert_int_equal(v(&fx, FS_IF_CLIENT_PROXY), FS_VERDICT_UNAFFECTED);
    assert_int_equal(fx.r.iface[FS_IF_CLIENT_PROXY].failures, 8);
    fx_free(&fx);

    /* 98 of 100: just below. */
    fx_init(&fx);
    bad(&fx, FS_IF_CLIENT_PROXY, 5, 12, 98);
    assert_int_equal(run(&fx, 500, 1000), 0);
    assert_int_equal(fx.r.iface[FS_IF_CLIENT_PROXY].broken, 1);
    assert_int_equal(v(&fx, FS_IF_CLIENT_PROXY), FS_VERDICT_CASCADED);
    fx_free(&fx);

    /* The same at 0.9: 90 of 100 holds, 89 breaks. */
    fx_init(&fx);
    fx.slo.success = 0.9;
    bad(&fx, FS_IF_PROXY_ORIGIN, 5, 12, 90);
    bad(&fx, FS_IF_PROXY_BOTMOD, 5, 12, 89);
    assert_int_equal(run(&fx, 500, 1000), 0);
    assert_int_equal(fx.r.iface[FS_IF_PROXY_ORIGIN].broken, 0);
    assert_int_equal(fx.r.iface[FS_IF_PROXY_BOTMOD].broken, 1);
    fx_free(&fx);

    /* success 1.0: a single failure breaks a bucket. */
    fx_init(&fx);
    fx.slo.success = 1.0;
    bad(&fx, FS_IF_PROXY_ORIGIN, 5, 7, 99);
    assert_int_equal(run(&fx, 500, 1000), 0);
    assert_int_equal(fx.r.iface[FS_IF_PROXY_ORIGIN].broken, 1);
    fx_free(&fx);
}

static void test_slow_and_wrong_answers_fail(void **state)
{
    fx_t fx;

    (void)state;
    fx_init(&fx);
    for (int b = 5; b <= 7; b++) {
        fx.plan[FS_IF_CLIENT_PROXY][b].slow = 100;  /* right answer, 1.5 s late */
        fx.plan[FS_IF_USER_DASHBOARD][b].wrong = 2; /* a blocked human or two */
    }
    assert_int_equal(run(&fx, 500, 1000), 0);
    assert_int_equal(fx.r.iface[FS_IF_CLIENT_PROXY].broken, 1);
    assert_int_equal(fx.r.iface[FS_IF_CLIENT_PROXY].failures, 300);
    assert_int_equal(v(&fx, FS_IF_CLIENT_PROXY), FS_VERDICT_CASCADED);
    assert_int_equal(fx.r.iface[FS_IF_USER_DASHBOARD].broken, 1);
    assert_int_equal(fx.r.iface[FS_IF_USER_DASHBOARD].failures, 6);
    fx_free(&fx);
}

static void test_min_buckets(void **state)
{
    fx_t fx;

    (void)state;
    /* Two broken buckets, then healthy: not broken with min 3. */
    fx_init(&fx);
    bad(&fx, FS_IF_PROXY_BOTMOD, 5, 6, 0);
    assert_int_equal(run(&fx, 500, 1000), 0);
    assert_int_equal(fx.r.iface[FS_IF_PROXY_BOTMOD].broken, 0);
    assert_int_equal(fx.r.iface[FS_IF_PROXY_BOTMOD].first_broken, -1);
    assert_int_equal(fx.r.iface[FS_IF_PROXY_BOTMOD].broken_buckets[5], 0);
    assert_int_equal(v(&fx, FS_IF_PROXY_BOTMOD), FS_VERDICT_UNAFFECTED);
    assert_int_equal(fx.r.time_to_detect_ms, -1);
    fx_free(&fx);

    /* Two, one healthy, two more: the streak restarts. */
    fx_init(&fx);
    bad(&fx, FS_IF_PROXY_BOTMOD, 5, 6, 0);
    bad(&fx, FS_IF_PROXY_BOTMOD, 8, 9, 0);
    assert_int_equal(run(&fx, 500, 1000), 0);
    assert_int_equal(fx.r.iface[FS_IF_PROXY_BOTMOD].broken, 0);
    fx_free(&fx);

    /* Three: broken. */
    fx_init(&fx);
    bad(&fx, FS_IF_PROXY_BOTMOD, 5, 7, 0);
    assert_int_equal(run(&fx, 500, 1000), 0);
    assert_int_equal(fx.r.iface[FS_IF_PROXY_BOTMOD].broken, 1);
    assert_int_equal(fx.r.iface[FS_IF_PROXY_BOTMOD].first_broken, 5);
    assert_int_equal(v(&fx, FS_IF_PROXY_BOTMOD), FS_VERDICT_FAILED_SMALL);
    assert_int_equal(v(&fx, FS_IF_BOTMOD_CONFIGSTORE), FS_VERDICT_UNAFFECTED);
    fx_free(&fx);

    /* min_buckets 2 turns the first case into a break. */
    fx_init(&fx);
    fx.slo.min_buckets = 2;
    bad(&fx, FS_IF_PROXY_BOTMOD, 5, 6, 0);
    assert_int_equal(run(&fx, 500, 1000), 0);
    assert_int_equal(fx.r.iface[FS_IF_PROXY_BOTMOD].broken, 1);
    fx_free(&fx);
}

static void test_empty_buckets_transparent(void **state)
{
    fx_t fx;

    (void)state;
    fx_init(&fx);
    /* broken, broken, empty, broken: a run of three. */
    bad(&fx, FS_IF_PROXY_BOTMOD, 5, 8, 0);
    empty(&fx, FS_IF_PROXY_BOTMOD, 7, 7);
    /* broken, broken, empty, healthy, broken: the empty one does not
     * extend the streak, the healthy one resets it. */
    bad(&fx, FS_IF_PROXY_ORIGIN, 5, 6, 0);
    empty(&fx, FS_IF_PROXY_ORIGIN, 7, 7);
    bad(&fx, FS_IF_PROXY_ORIGIN, 9, 9, 0);
    /* broken, empty, empty, broken, broken: no reset either. */
    bad(&fx, FS_IF_DASHBOARD_BOTMOD, 5, 9, 0);
    empty(&fx, FS_IF_DASHBOARD_BOTMOD, 6, 7);
    /* Only empty buckets in the window: nothing to judge. */
    empty(&fx, FS_IF_PROXY_CONFIGSTORE, 5, 12);
    assert_int_equal(run(&fx, 500, 1000), 0);

    assert_int_equal(fx.r.iface[FS_IF_PROXY_BOTMOD].broken, 1);
    for (int b = 5; b <= 8; b++) /* the empty bucket lies inside the run */
        assert_int_equal(fx.r.iface[FS_IF_PROXY_BOTMOD].broken_buckets[b], 1);
    assert_int_equal(fx.r.iface[FS_IF_PROXY_BOTMOD].broken_buckets[9], 0);
    assert_int_equal(fx.r.iface[FS_IF_PROXY_BOTMOD].calls, 700);

    assert_int_equal(fx.r.iface[FS_IF_PROXY_ORIGIN].broken, 0);
    assert_int_equal(v(&fx, FS_IF_PROXY_ORIGIN), FS_VERDICT_UNAFFECTED);

    assert_int_equal(fx.r.iface[FS_IF_DASHBOARD_BOTMOD].broken, 1);
    assert_int_equal(fx.r.iface[FS_IF_DASHBOARD_BOTMOD].first_broken, 5);

    assert_int_equal(fx.r.iface[FS_IF_PROXY_CONFIGSTORE].broken, 0);
    assert_int_equal(fx.r.iface[FS_IF_PROXY_CONFIGSTORE].calls, 0);
    /* Detection at the first broken bucket, recovery after the last one. */
    assert_int_equal(fx.r.time_to_detect_ms, 0);
    assert_int_equal(fx.r.time_to_recover_ms, 0); /* runs end at 900 and 1000 */
    fx_free(&fx);
}

static void test_grace(void **state)
{
    fx_t fx;

    (void)state;
    fx_init(&fx);
    bad(&fx, FS_IF_PROXY_BOTMOD, 10, 12, 0);     /* inside the grace: counts */
    bad(&fx, FS_IF_PROXY_ORIGIN, 13, 15, 0);     /* after it: does not */
    bad(&fx, FS_IF_DASHBOARD_BOTMOD, 11, 13, 0); /* two of three inside: does not */
    assert_int_equal(run(&fx, 500, 1000), 0);
    assert_int_equal(fx.r.window_end_ms, 1300);
    assert_int_equal(fx.r.iface[FS_IF_PROXY_BOTMOD].broken, 1);
    assert_int_equal(fx.r.iface[FS_IF_PROXY_ORIGIN].broken, 0);
    assert_int_equal(fx.r.iface[FS_IF_DASHBOARD_BOTMOD].broken, 0);
    assert_int_equal(fx.r.iface[FS_IF_PROXY_ORIGIN].failures, 0);
    assert_int_equal(fx.r.iface[FS_IF_DASHBOARD_BOTMOD].failures, 200);
    assert_int_equal(fx.r.time_to_detect_ms, 500);  /* 1000 - 500 */
    assert_int_equal(fx.r.time_to_recover_ms, 300); /* 1300 - 1000 */
    fx_free(&fx);

    /* Without grace the window closes at the revert. */
    fx_init(&fx);
    fx.slo.grace_ms = 0;
    bad(&fx, FS_IF_PROXY_BOTMOD, 10, 12, 0);
    assert_int_equal(run(&fx, 500, 1000), 0);
    assert_int_equal(fx.r.window_end_ms, 1000);
    assert_int_equal(fx.r.iface[FS_IF_PROXY_BOTMOD].broken, 0);
    fx_free(&fx);

    /* A grace past the end of the series is clamped to it. */
    fx_init(&fx);
    fx.slo.grace_ms = 60000;
    bad(&fx, FS_IF_PROXY_BOTMOD, 17, 19, 0);
    assert_int_equal(run(&fx, 500, 1000), 0);
    assert_int_equal(fx.r.window_end_ms, 2000);
    assert_int_equal(fx.r.iface[FS_IF_PROXY_BOTMOD].broken, 1);
    fx_free(&fx);
}

static void test_detect_and_recover(void **state)
{
    fx_t fx;

    (void)state;
    fx_init(&fx);
    bad(&fx, FS_IF_PROXY_BOTMOD, 6, 12, 0); /* healthy again from 1300 */
    bad(&fx, FS_IF_PROXY_ORIGIN, 7, 9, 0);
    assert_int_equal(run(&fx, 500, 1000), 0);
    assert_int_equal(fx.r.time_to_detect_ms, 100);  /* 600 - 500 */
    assert_int_equal(fx.r.time_to_recover_ms, 300); /* 1300 - 1000 */
    fx_free(&fx);

    /* A run that started before the fault: detection clamps to 0, and a
     * run over before the revert recovers in 0. */
    fx_init(&fx);
    bad(&fx, FS_IF_PROXY_BOTMOD, 2, 7, 0);
    assert_int_equal(run(&fx, 500, 1000), 0);
    assert_int_equal(fx.r.iface[FS_IF_PROXY_BOTMOD].first_broken, 2);
    assert_int_equal(fx.r.time_to_detect_ms, 0);
    assert_int_equal(fx.r.time_to_recover_ms, 0);
    fx_free(&fx);

    /* A run that outlasts the window still tells when it healed. */
    fx_init(&fx);
    bad(&fx, FS_IF_PROXY_BOTMOD, 9, 15, 0);
    assert_int_equal(run(&fx, 500, 1000), 0);
    assert_int_equal(fx.r.iface[FS_IF_PROXY_BOTMOD].broken_buckets[15], 1);
    assert_int_equal(fx.r.iface[FS_IF_PROXY_BOTMOD].failures, 400); /* window only */
    assert_int_equal(fx.r.time_to_recover_ms, 600);                 /* 1600 - 1000 */
    fx_free(&fx);
}

static void test_recovery_never_comes(void **state)
{
    fx_t fx;

    (void)state;
    fx_init(&fx);
    bad(&fx, FS_IF_PROXY_BOTMOD, 6, 8, 0);  /* heals */
    bad(&fx, FS_IF_CLIENT_PROXY, 8, 19, 0); /* to the last bucket */
    assert_int_equal(run(&fx, 500, 1000), 0);
    assert_int_equal(v(&fx, FS_IF_CLIENT_PROXY), FS_VERDICT_CASCADED);
    assert_int_equal(fx.r.iface[FS_IF_CLIENT_PROXY].broken_buckets[19], 1);
    assert_int_equal(fx.r.time_to_detect_ms, 100);
    assert_int_equal(fx.r.time_to_recover_ms, -2);
    fx_free(&fx);

    /* Traffic that stops while broken never showed a healthy bucket. */
    fx_init(&fx);
    bad(&fx, FS_IF_CLIENT_PROXY, 8, 15, 0);
    empty(&fx, FS_IF_CLIENT_PROXY, 16, 19);
    assert_int_equal(run(&fx, 500, 1000), 0);
    assert_int_equal(fx.r.time_to_recover_ms, -2);
    assert_int_equal(fx.r.iface[FS_IF_CLIENT_PROXY].broken_buckets[16], 0);
    fx_free(&fx);
}

static void test_no_traffic(void **state)
{
    fx_t fx;

    (void)state;
    fx_init(&fx);
    empty(&fx, FS_IF_PROXY_CONFIGSTORE, 0, NB - 1);
    empty(&fx, FS_IF_PROXY_ORIGIN, 0, NB - 1);
    fault(&fx, FS_IF_PROXY_ORIGIN, 5, 9);
    fx.absent[FS_IF_DASHBOARD_CONFIGSTORE] = 1;
    fault(&fx, FS_IF_DASHBOARD_CONFIGSTORE, 5, 9);
    fx.absent[FS_IF_USER_DASHBOARD] = 1;
    assert_int_equal(run(&fx, 500, 1000), 0);
    assert_int_equal(v(&fx, FS_IF_PROXY_CONFIGSTORE), FS_VERDICT_UNAFFECTED);
    assert_int_equal(fx.r.iface[FS_IF_PROXY_CONFIGSTORE].calls, 0);
    assert_int_equal(v(&fx, FS_IF_PROXY_ORIGIN), FS_VERDICT_FAILED_SMALL);
    assert_int_equal(v(&fx, FS_IF_DASHBOARD_CONFIGSTORE), FS_VERDICT_FAILED_SMALL);
    assert_int_equal(v(&fx, FS_IF_USER_DASHBOARD), FS_VERDICT_UNAFFECTED);
    assert_int_equal(fx.r.iface[FS_IF_USER_DASHBOARD].calls, 0);
    assert_non_null(fx.r.iface[FS_IF_USER_DASHBOARD].broken_buckets);
    fx_free(&fx);
}

/* An instant fault (a crash) reverts when applied; with no grace only its
 * own bucket is in the window. */
static void test_instant_fault(void **state)
{
    const fs_iface_t want[] = {FS_IF_BOTMOD_CONFIGSTORE, FS_IF_PROXY_BOTMOD};
    fx_t fx;

    (void)state;
    fx_init(&fx);
    fx.slo.grace_ms = 0;
    fx.slo.min_buckets = 1;
    fault(&fx, FS_IF_BOTMOD_CONFIGSTORE, 7, 7);
    bad(&fx, FS_IF_PROXY_BOTMOD, 7, 7, 0);
    bad(&fx, FS_IF_PROXY_ORIGIN, 8, 8, 0);
    assert_int_equal(run(&fx, 750, 750), 0);
    assert_int_equal(fx.r.window_start_ms, 750);
    assert_int_equal(fx.r.window_end_ms, 750);
    assert_int_equal(fx.r.iface[FS_IF_PROXY_BOTMOD].broken, 1);
    assert_int_equal(fx.r.iface[FS_IF_PROXY_BOTMOD].calls, 100);
    assert_int_equal(fx.r.iface[FS_IF_PROXY_ORIGIN].broken, 0);
    assert_int_equal(v(&fx, FS_IF_BOTMOD_CONFIGSTORE), FS_VERDICT_CASCADED);
    assert_int_equal(v(&fx, FS_IF_PROXY_BOTMOD), FS_VERDICT_FAILED_SMALL);
    assert_path(&fx, 2, want);
    assert_int_equal(fx.r.time_to_detect_ms, 0);   /* bucket 7 starts at 700 */
    assert_int_equal(fx.r.time_to_recover_ms, 50); /* 800 - 750 */
    fx_free(&fx);

    /* With min 3 a three-bucket run only has its first bucket inside. */
    fx_init(&fx);
    fx.slo.grace_ms = 0;
    fault(&fx, FS_IF_BOTMOD_CONFIGSTORE, 7, 7);
    bad(&fx, FS_IF_PROXY_BOTMOD, 7, 9, 0);
    assert_int_equal(run(&fx, 700, 700), 0);
    assert_int_equal(fx.r.iface[FS_IF_PROXY_BOTMOD].broken, 0);
    assert_int_equal(v(&fx, FS_IF_BOTMOD_CONFIGSTORE), FS_VERDICT_FAILED_SMALL);
    fx_free(&fx);
}

static void test_blast_radius_and_degraded_share(void **state)
{
    fx_t fx;

    (void)state;
    fx_init(&fx);
    fx.plan[FS_IF_CLIENT_PROXY][6].errors = 50;
    fx.plan[FS_IF_CLIENT_PROXY][7].slow = 20;
    fx.plan[FS_IF_CLIENT_PROXY][8].wrong = 10;
    fx.plan[FS_IF_CLIENT_PROXY][9].degraded = 30; /* served: good, but degraded */
    fx.plan[FS_IF_CLIENT_PROXY][2].errors = 100;  /* outside the window */
    fx.plan[FS_IF_CLIENT_PROXY][13].degraded = 100;
    for (int b = 0; b < NB; b++)
        fx.plan[FS_IF_USER_DASHBOARD][b].calls = 10;
    fx.plan[FS_IF_USER_DASHBOARD][10].errors = 10;
    fx.plan[FS_IF_USER_DASHBOARD][11].degraded = 5;
    bad(&fx, FS_IF_PROXY_BOTMOD, 5, 12, 0); /* not an entry: not in the radius */
    assert_int_equal(run(&fx, 500, 1000), 0);
    assert_int_equal(fx.r.iface[FS_IF_CLIENT_PROXY].calls, 800);
    assert_int_equal(fx.r.iface[FS_IF_CLIENT_PROXY].failures, 80);
    assert_int_equal(fx.r.iface[FS_IF_CLIENT_PROXY].degraded, 30);
    assert_int_equal(fx.r.iface[FS_IF_USER_DASHBOARD].calls, 80);
    assert_int_equal(fx.r.iface[FS_IF_USER_DASHBOARD].failures, 10);
    assert_int_equal(fx.r.iface[FS_IF_USER_DASHBOARD].degraded, 5);
    assert_float_equal(fx.r.blast_radius, 90.0 / 880.0, 1e-12);
    assert_float_equal(fx.r.degraded_share, 35.0 / 880.0, 1e-12);
    fx_free(&fx);

    /* No entry traffic at all: 0, not NaN. */
    fx_init(&fx);
    fx.absent[FS_IF_CLIENT_PROXY] = 1;
    empty(&fx, FS_IF_USER_DASHBOARD, 0, NB - 1);
    assert_int_equal(run(&fx, 500, 1000), 0);
    assert_true(fx.r.blast_radius == 0.0);
    assert_true(fx.r.degraded_share == 0.0);
    fx_free(&fx);
}

static void test_cascade_two_faults(void **state)
{
    fx_t fx;

    (void)state;
    /* proxy->origin faulted first; both paths reach the users (client->proxy
     * broke), the config fault's is longer, so the path starts there.
     * proxy->origin is cascaded too: an interface into its caller broke (the
     * model looks at the caller, not at which fault did it). */
    {
        const fs_iface_t want[] = {FS_IF_BOTMOD_CONFIGSTORE, FS_IF_PROXY_BOTMOD,
                                   FS_IF_CLIENT_PROXY};

        fx_init(&fx);
        fault(&fx, FS_IF_PROXY_ORIGIN, 5, 9);
        fault(&fx, FS_IF_BOTMOD_CONFIGSTORE, 7, 9);
        bad(&fx, FS_IF_PROXY_BOTMOD, 7, 9, 0);
        bad(&fx, FS_IF_CLIENT_PROXY, 7, 9, 80);
        assert_int_equal(run(&fx, 500, 1000), 0);
        assert_path(&fx, 3, want);
        assert_int_equal(v(&fx, FS_IF_PROXY_ORIGIN), FS_VERDICT_CASCADED);
        assert_int_equal(v(&fx, FS_IF_BOTMOD_CONFIGSTORE), FS_VERDICT_CASCADED);
        fx_free(&fx);
    }
    /* Neither reaches the users: the longer path wins. */
    {
        const fs_iface_t want[] = {FS_IF_BOTMOD_CONFIGSTORE, FS_IF_PROXY_BOTMOD};

        fx_init(&fx);
        fault(&fx, FS_IF_PROXY_ORIGIN, 5, 9);
        fault(&fx, FS_IF_DASHBOARD_CONFIGSTORE, 5, 9); /* earlier, and after in enum order */
        fault(&fx, FS_IF_BOTMOD_CONFIGSTORE, 6, 9);
        bad(&fx, FS_IF_PROXY_BOTMOD, 6, 8, 0);
        assert_int_equal(run(&fx, 500, 1000), 0);
        assert_path(&fx, 2, want);
        assert_int_equal(v(&fx, FS_IF_PROXY_ORIGIN), FS_VERDICT_FAILED_SMALL);
        assert_int_equal(v(&fx, FS_IF_BOTMOD_CONFIGSTORE), FS_VERDICT_CASCADED);
        assert_int_equal(v(&fx, FS_IF_PROXY_BOTMOD), FS_VERDICT_FAILED_SMALL);
        fx_free(&fx);
    }
    /* Equal paths: the one faulted first. */
    {
        const fs_iface_t want[] = {FS_IF_DASHBOARD_CONFIGSTORE};

        fx_init(&fx);
        fault(&fx, FS_IF_PROXY_ORIGIN, 6, 8);
        fault(&fx, FS_IF_DASHBOARD_CONFIGSTORE, 5, 8);
        assert_int_equal(run(&fx, 500, 1000), 0);
        assert_path(&fx, 1, want);
        fx_free(&fx);
    }
    /* Faulted in the same bucket: interface order decides. */
    {
        const fs_iface_t want[] = {FS_IF_PROXY_ORIGIN};

        fx_init(&fx);
        fault(&fx, FS_IF_PROXY_ORIGIN, 5, 8);
        fault(&fx, FS_IF_DASHBOARD_CONFIGSTORE, 5, 8);
        assert_int_equal(run(&fx, 500, 1000), 0);
        assert_path(&fx, 1, want);
        fx_free(&fx);
    }
}

static void test_cascade_path_choices(void **state)
{
    fx_t fx;

    (void)state;
    /* dashboard->botmod broke first but stops at the dashboard; the path
     * goes through the proxy, which reaches the users. */
    {
        const fs_iface_t want[] = {FS_IF_BOTMOD_CONFIGSTORE, FS_IF_PROXY_BOTMOD,
                                   FS_IF_CLIENT_PROXY};

        fx_init(&fx);
        fault(&fx, FS_IF_BOTMOD_CONFIGSTORE, 5, 9);
        bad(&fx, FS_IF_DASHBOARD_BOTMOD, 5, 7, 0);
        bad(&fx, FS_IF_PROXY_BOTMOD, 6, 8, 0);
        bad(&fx, FS_IF_CLIENT_PROXY, 6, 8, 0);
        assert_int_equal(run(&fx, 500, 1000), 0);
        assert_path(&fx, 3, want);
        assert_int_equal(v(&fx, FS_IF_DASHBOARD_BOTMOD), FS_VERDICT_FAILED_SMALL);
        fx_free(&fx);
    }
    /* Both reach the users: the earlier break. */
    {
        const fs_iface_t want[] = {FS_IF_BOTMOD_CONFIGSTORE, FS_IF_DASHBOARD_BOTMOD,
                                   FS_IF_USER_DASHBOARD};

        fx_init(&fx);
        fault(&fx, FS_IF_BOTMOD_CONFIGSTORE, 5, 9);
        bad(&fx, FS_IF_DASHBOARD_BOTMOD, 5, 7, 0);
        bad(&fx, FS_IF_USER_DASHBOARD, 6, 8, 0);
        bad(&fx, FS_IF_PROXY_BOTMOD, 6, 8, 0);
        bad(&fx, FS_IF_CLIENT_PROXY, 6, 8, 0);
        assert_int_equal(run(&fx, 500, 1000), 0);
        assert_path(&fx, 3, want);
        fx_free(&fx);
    }
    /* A fault on the proxy's own dependency: one step to the users. */
    {
        const fs_iface_t want[] = {FS_IF_PROXY_ORIGIN, FS_IF_CLIENT_PROXY};

        fx_init(&fx);
        fault(&fx, FS_IF_PROXY_ORIGIN, 5, 9);
        bad(&fx, FS_IF_PROXY_ORIGIN, 5, 9, 0);
        bad(&fx, FS_IF_CLIENT_PROXY, 5, 9, 0);
        assert_int_equal(run(&fx, 500, 1000), 0);
        assert_path(&fx, 2, want);
        fx_free(&fx);
    }
}

static void test_fault_after_series(void **state)
{
    fx_t fx;

    (void)state;
    fx_init(&fx);
    bad(&fx, FS_IF_CLIENT_PROXY, 15, 19, 0);
    assert_int_equal(run(&fx, 5000, 6000), 0);
    assert_int_equal(fx.r.window_start_ms, 2000);
    assert_int_equal(fx.r.window_end_ms, 2000);
    assert_int_equal(v(&fx, FS_IF_CLIENT_PROXY), FS_VERDICT_UNAFFECTED);
    assert_int_equal(fx.r.iface[FS_IF_CLIENT_PROXY].calls, 0);
    assert_int_equal(fx.r.time_to_detect_ms, -1);
    fx_free(&fx);
}

static void test_bad_input(void **state)
{
    fx_t fx;
    fs_series_t *odd = NULL;

    (void)state;
    fx_init(&fx);
    assert_int_equal(run(&fx, 500, 1000), 0);
    fs_verdict_result_free(&fx.r);

    /* Ends before it starts. */
    assert_int_equal(fs_verdict_compute(&fx.slo, fx.in, 1000, 500, &fx.r), -EINVAL);
    for (int f = 0; f < FS_IF_COUNT; f++)
        assert_null(fx.r.iface[f].broken_buckets);
    /* Series of another length. */
    assert_int_equal(fs_series_new(BMS, NB * BMS + 1, 1000, &odd), 0);
    fx.in[FS_IF_PROXY_ORIGIN].series = odd;
    assert_int_equal(fs_verdict_compute(&fx.slo, fx.in, 500, 1000, &fx.r), -EINVAL);
    fx.in[FS_IF_PROXY_ORIGIN].series = fx.s[FS_IF_PROXY_ORIGIN];
    fs_series_free(odd);
    /* Buckets other than the SLO's. */
    fx.slo.bucket_ms = 200;
    assert_int_equal(fs_verdict_compute(&fx.slo, fx.in, 500, 1000, &fx.r), -EINVAL);
    fx.slo.bucket_ms = BMS;
    /* Nonsense SLOs. */
    fx.slo.min_buckets = 0;
    assert_int_equal(fs_verdict_compute(&fx.slo, fx.in, 500, 1000, &fx.r), -EINVAL);
    fx.slo.min_buckets = 3;
    fx.slo.success = 1.5;
    assert_int_equal(fs_verdict_compute(&fx.slo, fx.in, 500, 1000, &fx.r), -EINVAL);
    fx.slo.success = NAN;
    assert_int_equal(fs_verdict_compute(&fx.slo, fx.in, 500, 1000, &fx.r), -EINVAL);
    fx.slo.success = 0.99;
    assert_int_equal(fs_verdict_compute(NULL, fx.in, 500, 1000, &fx.r), -EINVAL);
    assert_int_equal(fs_verdict_compute(&fx.slo, NULL, 500, 1000, &fx.r), -EINVAL);
    assert_int_equal(fs_verdict_compute(&fx.slo, fx.in, 500, 1000, NULL), -EINVAL);
    /* Nothing observed at all: no time axis. */
    {
        fs_verdict_input_t none[FS_IF_COUNT];

        memset(none, 0, sizeof(none));
        assert_int_equal(fs_verdict_compute(&fx.slo, none, 500, 1000, &fx.r), -EINVAL);
    }
    /* And still fine afterwards. */
    assert_int_equal(fs_verdict_compute(&fx.slo, fx.in, 500, 1000, &fx.r), 0);
    fs_verdict_result_free(&fx.r);
    fs_verdict_result_free(&fx.r); /* twice is harmless */
    fs_verdict_result_free(NULL);
    fx_free(&fx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_nothing_hit),
        cmocka_unit_test(test_flagship_legacy),
        cmocka_unit_test(test_flagship_hardened),
        cmocka_unit_test(test_failed_small_when_broken_but_contained),
        cmocka_unit_test(test_broken_without_fault_is_hit),
        cmocka_unit_test(test_entry_faulted_is_cascaded),
        cmocka_unit_test(test_slo_edge),
        cmocka_unit_test(test_slow_and_wrong_answers_fail),
        cmocka_unit_test(test_min_buckets),
        cmocka_unit_test(test_empty_buckets_transparent),
        cmocka_unit_test(test_grace),
        cmocka_unit_test(test_detect_and_recover),
        cmocka_unit_test(test_recovery_never_comes),
        cmocka_unit_test(test_no_traffic),
        cmocka_unit_test(test_instant_fault),
        cmocka_unit_test(test_blast_radius_and_degraded_share),
        cmocka_unit_test(test_cascade_two_faults),
        cmocka_unit_test(test_cascade_path_choices),
        cmocka_unit_test(test_fault_after_series),
        cmocka_unit_test(test_bad_input),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
