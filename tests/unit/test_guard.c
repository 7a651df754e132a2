/* Unit tests for harness/guard.c: a condition trips once it has held for
 * its "for" and not before, rates over a sliding window of running totals,
 * the stretch resets when the value drops, any one of several conditions
 * trips, processes down by target, peaks, and the reason text. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "guard.h"

static fs_guard_cond_t rate(fs_guard_signal_t sig, double threshold, uint64_t for_ms,
                            uint64_t window_ms)
{
    fs_guard_cond_t c = {
        .signal = sig, .threshold = threshold, .for_ms = for_ms, .window_ms = window_ms};

    snprintf(c.what, sizeof(c.what), "%s",
             sig == FS_GUARD_BLAST_RADIUS ? "blast radius" : "failure rate");
    return c;
}

static fs_guard_t *make(const fs_guard_cond_t *c, size_t n)
{
    fs_guard_t *g = NULL;

    assert_int_equal(fs_guard_new(c, n, &g), 0);
    assert_non_null(g);
    return g;
}

/* Every 100 ms, 100 calls finish, fail of them failed. */
typedef struct {
    uint64_t finished, failed;
} totals_t;

static int feed(fs_guard_t *g, totals_t *t, uint64_t t_ms, uint64_t fail)
{
    fs_guard_obs_t o;

    t->finished += 100;
    t->failed += fail;
    o = (fs_guard_obs_t){.finished = t->finished, .failed = t->failed};
    return fs_guard_sample(g, t_ms, &o);
}

static void test_trips_after_for_not_before(void **state)
{
    fs_guard_cond_t c = rate(FS_GUARD_BLAST_RADIUS, 0.3, 1000, 100);
    fs_guard_t *g = make(&c, 1);
    fs_guard_trip_t trip;
    totals_t t = {0};
    uint64_t ms;

    (void)state;
    assert_int_equal(feed(g, &t, 0, 0), 0);
    /* Above from 100 ms on: held 900 ms at 1000 ms, 1000 ms at 1100 ms. */
    for (ms = 100; ms <= 1000; ms += 100)
        assert_int_equal(feed(g, &t, ms, 90), 0);
    assert_int_equal(fs_guard_tripped(g, &trip), 0);
    assert_int_equal(feed(g, &t, 1100, 90), 1);
    assert_int_equal(fs_guard_tripped(g, &trip), 1);
    assert_int_equal(trip.index, 0);
    assert_int_equal(trip.since_ms, 100);
    assert_int_equal(trip.at_ms, 1100);
    assert_true(trip.value > 0.899 && trip.value < 0.901);
    /* After a trip the guard takes no more samples. */
    assert_int_equal(feed(g, &t, 1200, 0), 0);
    assert_true(fs_guard_value(g, 0) > 0.899);
    fs_guard_free(g);

    /* for 0: the first sample above trips. */
    c = rate(FS_GUARD_BLAST_RADIUS, 0.3, 0, 100);
    g = make(&c, 1);
    t = (totals_t){0};
    assert_int_equal(feed(g, &t, 0, 0), 0);
    assert_int_equal(feed(g, &t, 100, 31), 1);
    fs_guard_free(g);
}

static void test_threshold_is_strictly_above(void **state)
{
    fs_guard_cond_t c = rate(FS_GUARD_BLAST_RADIUS, 0.3, 0, 100);
    fs_guard_t *g = make(&c, 1);
    totals_t t = {0};

    (void)state;
    assert_int_equal(feed(g, &t, 0, 0), 0);
    assert_int_equal(feed(g, &t, 100, 30), 0); /* exactly 0.3 */
    assert_int_equal(feed(g, &t, 200, 31), 1);
    fs_guard_free(g);
}

static void test_window_math(void **state)
{
    fs_guard_cond_t c = rate(FS_GUARD_FAILURE_RATE, 0.99, 0, 1000);
    fs_guard_t *g = make(&c, 1);
    totals_t t = {0};
    uint64_t ms;

    (void)state;
    /* Nothing finished yet: 0, not a division by zero. */
    assert_int_equal(fs_guard_sample(g, 0, &(fs_guard_obs_t){0}), 0);
    assert_true(fs_guard_value(g, 0) == 0);
    /* 0..500 ms: every call failed; the window is shorter than 1 s so far
     * and starts at the first sample. */
    for (ms = 100; ms <= 500; ms += 100)
        feed(g, &t, ms, 50);
    assert_true(fs_guard_value(g, 0) == 0.5);
    /* 600..1500 ms: none failed. At 1000 ms the base is the sample at 0:
     * 250 failed of 1000. */
    for (ms = 600; ms <= 1000; ms += 100)
        feed(g, &t, ms, 0);
    assert_true(fs_guard_value(g, 0) == 0.25);
    /* At 1200 ms the base is the sample at 200: 150 failed (300..500) of 1000. */
    feed(g, &t, 1100, 0);
    feed(g, &t, 1200, 0);
    assert_true(fs_guard_value(g, 0) == 0.15);
    /* At 1500 ms the failing samples have all left the window. */
    for (ms = 1300; ms <= 1500; ms += 100)
        feed(g, &t, ms, 0);
    assert_true(fs_guard_value(g, 0) == 0);
    /* A gap in sampling: the base is the latest sample at or before t - 1 s. */
    feed(g, &t, 2300, 100); /* base: 1300 ms; 100 failed of 300 (1400, 1500, 2300) */
    assert_true(fs_guard_value(g, 0) == 100.0 / 300.0);
    fs_guard_free(g);
}

static void test_long_window_keeps_history(void **state)
{
    fs_guard_cond_t c = rate(FS_GUARD_FAILURE_RATE, 1, 0, 60000) /* never trips */;
    fs_guard_t *g = make(&c, 1);
    totals_t t = {0};

    (void)state;
    /* 600 samples in a minute: past the ring's first capacity. */
    feed(g, &t, 0, 100);
    for (uint64_t ms = 100; ms <= 60000; ms += 100)
        feed(g, &t, ms, ms <= 6000 ? 100 : 0);
    /* Base at 0 ms: 6000 failed (the 60 samples 100..6000 ms) of 60000. */
    assert_true(fs_guard_value(g, 0) > 0.0999 && fs_guard_value(g, 0) < 0.1001);
    fs_guard_free(g);
}

static void test_resets_when_the_value_drops(void **state)
{
    fs_guard_cond_t c = rate(FS_GUARD_BLAST_RADIUS, 0.3, 500, 100);
    fs_guard_t *g = make(&c, 1);
    fs_guard_trip_t trip;
    totals_t t = {0};
    uint64_t ms;

    (void)state;
    feed(g, &t, 0, 0);
    for (ms = 100; ms <= 500; ms += 100) /* 400 ms above */
        assert_int_equal(feed(g, &t, ms, 90), 0);
    assert_int_equal(feed(g, &t, 600, 10), 0); /* drops below: the stretch ends */
    for (ms = 700; ms <= 1100; ms += 100)      /* 400 ms above again */
        assert_int_equal(feed(g, &t, ms, 90), 0);
    assert_int_equal(feed(g, &t, 1200, 90), 1);
    fs_guard_tripped(g, &trip);
    assert_int_equal(trip.since_ms, 700);
    fs_guard_free(g);
}

static void test_any_of(void **state)
{
    fs_guard_cond_t c[3] = {rate(FS_GUARD_BLAST_RADIUS, 0.5, 0, 100),
                            rate(FS_GUARD_FAILURE_RATE, 0.1, 200, 100),
                            {.signal = FS_GUARD_PROCESSES_DOWN, .threshold = 0, .what = "down"}};
    fs_guard_t *g = make(c, 3);
    fs_guard_obs_t o[3] = {0};
    fs_guard_trip_t trip;

    (void)state;
    assert_int_equal(fs_guard_sample(g, 0, o), 0);
    /* The second condition: 20 % of its calls fail, held 200 ms. */
    for (uint64_t ms = 100; ms <= 300; ms += 100) {
        o[0].finished += 100;
        o[1].finished += 100;
        o[1].failed += 20;
        assert_int_equal(fs_guard_sample(g, ms, o), ms == 300);
    }
    assert_int_equal(fs_guard_tripped(g, &trip), 1);
    assert_int_equal(trip.index, 1);
    fs_guard_free(g);

    /* Two at once: the lowest index. */
    g = make(c, 3);
    memset(o, 0, sizeof(o));
    assert_int_equal(fs_guard_sample(g, 0, o), 0);
    o[0].finished = o[0].failed = 100;
    o[2].down = 1;
    assert_int_equal(fs_guard_sample(g, 100, o), 1);
    fs_guard_tripped(g, &trip);
    assert_int_equal(trip.index, 0);
    /* Every condition was still evaluated on that sample. */
    assert_true(fs_guard_peak(g, 2) == 1);
    fs_guard_free(g);
}

static void test_processes_down_with_target(void **state)
{
    const fs_guard_proc_t procs[] = {
        {FS_SVC_CONFIGSTORE, 0, 1}, {FS_SVC_PROXY, 0, 1},  {FS_SVC_BOTMOD, 0, 0},
        {FS_SVC_PROXY, 1, 0},       {FS_SVC_BOTMOD, 1, 0}, {FS_SVC_ORIGIN, 0, 1},
    };
    fs_guard_cond_t all = {.signal = FS_GUARD_PROCESSES_DOWN, .threshold = 2, .what = "down"};
    fs_guard_cond_t svc = all, inst = all;
    fs_guard_obs_t o = {0};
    fs_guard_t *g;

    (void)state;
    svc.has_target = 1;
    svc.target = (fs_target_t){.kind = FS_TARGET_SERVICE, .svc = FS_SVC_BOTMOD};
    inst.has_target = 1;
    inst.target = (fs_target_t){.kind = FS_TARGET_INSTANCE, .svc = FS_SVC_BOTMOD, .index = 1};
    assert_int_equal(fs_guard_down(&all, procs, 6), 3);
    assert_int_equal(fs_guard_down(&svc, procs, 6), 2);
    assert_int_equal(fs_guard_down(&inst, procs, 6), 1);

    g = make(&svc, 1);
    o.down = fs_guard_down(&svc, procs, 6);
    assert_int_equal(fs_guard_sample(g, 0, &o), 0); /* 2 is not above 2 */
    o.down = 3;
    assert_int_equal(fs_guard_sample(g, 100, &o), 1);
    fs_guard_free(g);
}

static void test_peaks_and_reason(void **state)
{
    fs_guard_cond_t c[2] = {rate(FS_GUARD_BLAST_RADIUS, 0.3, 1000, 100),
                            {.signal = FS_GUARD_PROCESSES_DOWN, .threshold = 5, .what = "down"}};
    fs_guard_t *g = make(c, 2);
    fs_guard_obs_t o[2] = {0};
    char why[160];

    (void)state;
    assert_true(fs_guard_peak(g, 0) == -1);
    assert_string_equal(fs_guard_reason(g, why, sizeof(why)), "");
    fs_guard_sample(g, 0, o);
    o[0].finished = 100, o[0].failed = 70, o[1].down = 2;
    fs_guard_sample(g, 100, o);
    o[0].finished = 200, o[0].failed = 80, o[1].down = 1;
    fs_guard_sample(g, 200, o);
    assert_true(fs_guard_peak(g, 0) == 0.7);
    assert_true(fs_guard_value(g, 0) == 0.1);
    assert_true(fs_guard_peak(g, 1) == 2);
    assert_true(fs_guard_value(g, 1) == 1);
    for (uint64_t ms = 300; ms <= 1300; ms += 100) {
        o[0].finished += 1000;
        o[0].failed += 995;
        fs_guard_sample(g, ms, o);
    }
    assert_string_equal(fs_guard_reason(g, why, sizeof(why)),
                        "abort_if[0]: blast radius 0.9950 above 0.3 for 1.0 s (since 0.3 s)");
    fs_guard_free(g);
}

static void test_bad_arguments(void **state)
{
    fs_guard_cond_t c[FS_GUARD_MAX_CONDS + 1];
    fs_guard_t *g = (fs_guard_t *)1;
    fs_guard_obs_t o = {0};

    (void)state;
    for (size_t i = 0; i <= FS_GUARD_MAX_CONDS; i++)
        c[i] = rate(FS_GUARD_BLAST_RADIUS, 0.5, 0, 1000);
    assert_int_equal(fs_guard_new(c, 0, &g), -EINVAL);
    assert_null(g);
    assert_int_equal(fs_guard_new(c, FS_GUARD_MAX_CONDS + 1, &g), -EINVAL);
    c[0].window_ms = 0;
    assert_int_equal(fs_guard_new(c, 1, &g), -EINVAL);
    c[0].window_ms = FS_GUARD_MAX_WINDOW_MS + 1;
    assert_int_equal(fs_guard_new(c, 1, &g), -EINVAL);
    c[0].window_ms = 1000;
    c[0].signal = FS_GUARD_SIGNALS;
    assert_int_equal(fs_guard_new(c, 1, &g), -EINVAL);
    assert_string_equal(fs_guard_signal_name(FS_GUARD_SIGNALS), "unknown");
    assert_string_equal(fs_guard_signal_name(FS_GUARD_FAILURE_RATE), "failure_rate_above");
    c[0].signal = FS_GUARD_BLAST_RADIUS;
    g = make(c, FS_GUARD_MAX_CONDS);
    assert_int_equal(fs_guard_count(g), FS_GUARD_MAX_CONDS);
    assert_null(fs_guard_cond(g, FS_GUARD_MAX_CONDS));
    fs_guard_free(g);
    g = make(c, 1);
    assert_int_equal(fs_guard_sample(g, 500, &o), 0);
    assert_int_equal(fs_guard_sample(g, 400, &o), -EINVAL);
    fs_guard_free(g);
    fs_guard_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_trips_after_for_not_before),
        cmocka_unit_test(test_threshold_is_strictly_above),
        cmocka_unit_test(test_window_math),
        cmocka_unit_test(test_long_window_keeps_history),
        cmocka_unit_test(test_resets_when_the_value_drops),
        cmocka_unit_test(test_any_of),
        cmocka_unit_test(test_processes_down_with_target),
        cmocka_unit_test(test_peaks_and_reason),
        cmocka_unit_test(test_bad_arguments),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
