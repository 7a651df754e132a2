/* Unit tests for harness/series.c: bucket shape, outcome classification
 * against the SLO latency, latency bins and quantiles, aggregation. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "series.h"

static fs_series_t *make(uint64_t bucket_ms, uint64_t duration_ms, uint64_t slo_ms)
{
    fs_series_t *s = NULL;

    assert_int_equal(fs_series_new(bucket_ms, duration_ms, slo_ms, &s), 0);
    assert_non_null(s);
    return s;
}

static void call(fs_series_t *s, uint64_t t_ms, uint64_t latency_us, fs_outcome_t o)
{
    fs_series_begin(s, t_ms);
    fs_series_end(s, t_ms, latency_us, o);
}

static void test_shape(void **state)
{
    fs_series_t *s = NULL;

    (void)state;
    s = make(100, 1000, 1000);
    assert_int_equal(fs_series_len(s), 10);
    assert_int_equal(fs_series_bucket_ms(s), 100);
    assert_null(fs_series_bucket(s, 10));
    assert_non_null(fs_series_bucket(s, 9));
    fs_series_free(s);

    s = make(100, 1001, 1000); /* a partial bucket still gets one */
    assert_int_equal(fs_series_len(s), 11);
    fs_series_free(s);

    s = make(100, 0, 1000); /* never zero buckets */
    assert_int_equal(fs_series_len(s), 1);
    fs_series_free(s);

    s = (fs_series_t *)1;
    assert_int_equal(fs_series_new(0, 1000, 1000, &s), -EINVAL);
    assert_null(s);
    assert_int_equal(fs_series_new(1, UINT64_MAX, 1000, &s), -EINVAL);
    assert_null(s);
    assert_int_equal(fs_series_new(100, 1000, 1000, NULL), -EINVAL);
}

static void test_begin_files_by_start_and_clamps(void **state)
{
    fs_series_t *s = make(100, 1000, 1000);

    (void)state;
    fs_series_begin(s, 0);
    fs_series_begin(s, 99);
    fs_series_begin(s, 100);
    fs_series_begin(s, 999);
    fs_series_begin(s, 5000); /* after the end: the last bucket */
    assert_int_equal(fs_series_bucket(s, 0)->calls, 2);
    assert_int_equal(fs_series_bucket(s, 1)->calls, 1);
    assert_int_equal(fs_series_bucket(s, 9)->calls, 2);
    /* The outcome lands where the call began, however late it ends. */
    fs_series_end(s, 150, 5000000, FS_OUT_TIMEOUT);
    assert_int_equal(fs_series_bucket(s, 1)->errors, 1);
    assert_int_equal(fs_series_bucket(s, 2)->errors, 0);
    fs_series_begin(NULL, 0); /* harmless */
    fs_series_end(NULL, 0, 0, FS_OUT_OK);
    fs_series_free(s);
}

static void test_classification(void **state)
{
    fs_series_t *s = make(100, 1000, 1000);
    const fs_bucket_t *b;

    (void)state;
    call(s, 0, 1000000, FS_OUT_OK);       /* exactly the SLO: good */
    call(s, 0, 1000001, FS_OUT_OK);       /* 1 us over: slow */
    call(s, 0, 200, FS_OUT_DEGRADED);     /* good and degraded */
    call(s, 0, 2000000, FS_OUT_DEGRADED); /* slow and degraded */
    call(s, 0, 300, FS_OUT_WRONG);        /* fast but wrong */
    call(s, 0, 400, FS_OUT_ERROR);
    call(s, 0, 1000000, FS_OUT_TIMEOUT);
    call(s, 0, 400, (fs_outcome_t)42); /* unknown: not good */
    b = fs_series_bucket(s, 0);
    assert_int_equal(b->calls, 8);
    assert_int_equal(b->good, 2);
    assert_int_equal(b->slow, 2);
    assert_int_equal(b->degraded, 2);
    assert_int_equal(b->wrong, 1);
    assert_int_equal(b->errors, 3);
    /* Every outcome's latency is binned. */
    uint32_t binned = 0;
    for (int k = 0; k < FS_SERIES_LAT_BINS; k++)
        binned += b->lat[k];
    assert_int_equal(binned, 8);
    fs_series_free(s);
}

static void test_bin_edges(void **state)
{
    (void)state;
    assert_int_equal(fs_series_bin_upper_us(0), 100);
    assert_int_equal(fs_series_bin_upper_us(1), 141);
    assert_int_equal(fs_series_bin_upper_us(2), 200);
    assert_int_equal(fs_series_bin_upper_us(3), 282);
    assert_int_equal(fs_series_bin_upper_us(10), 3200);
    assert_int_equal(fs_series_bin_upper_us(20), 102400);
    assert_int_equal(fs_series_bin_upper_us(38), 52428800);
    assert_int_equal(fs_series_bin_upper_us(39), 74145519);
    assert_int_equal(fs_series_bin_upper_us(40), 0);
    assert_int_equal(fs_series_bin_upper_us(-1), 0);
    for (int i = 1; i < FS_SERIES_LAT_BINS; i++)
        assert_true(fs_series_bin_upper_us(i) > fs_series_bin_upper_us(i - 1));
}

static void test_bins_inclusive_upper_and_overflow(void **state)
{
    fs_series_t *s = make(100, 1000, 1000);
    const fs_bucket_t *b = fs_series_bucket(s, 0);

    (void)state;
    call(s, 0, 0, FS_OUT_OK);
    call(s, 0, 100, FS_OUT_OK);
    call(s, 0, 101, FS_OUT_OK);
    call(s, 0, 600000000, FS_OUT_TIMEOUT); /* 10 min: the last bin */
    assert_int_equal(b->lat[0], 2);
    assert_int_equal(b->lat[1], 1);
    assert_int_equal(b->lat[FS_SERIES_LAT_BINS - 1], 1);
    fs_series_free(s);
}

static void test_quantiles(void **state)
{
    fs_series_t *s = make(100, 1000, 1000);

    (void)state;
    assert_true(fs_series_quantile_ms(s, 0, 9, 0.5) == 0.0); /* no calls */
    for (int i = 0; i < 90; i++)
        call(s, 10, 150, FS_OUT_OK); /* bin 2, upper 200 us */
    for (int i = 0; i < 10; i++)
        call(s, 510, 3000, FS_OUT_OK); /* bin 10, upper 3200 us */
    assert_float_equal(fs_series_quantile_ms(s, 0, 9, 0.0), 0.2, 1e-9);
    assert_float_equal(fs_series_quantile_ms(s, 0, 9, 0.5), 0.2, 1e-9);
    assert_float_equal(fs_series_quantile_ms(s, 0, 9, 0.90), 0.2, 1e-9);
    assert_float_equal(fs_series_quantile_ms(s, 0, 9, 0.91), 3.2, 1e-9);
    assert_float_equal(fs_series_quantile_ms(s, 0, 9, 1.0), 3.2, 1e-9);
    assert_float_equal(fs_series_quantile_ms(s, 0, 9, 7.0), 3.2, 1e-9); /* clamped */
    /* Only the buckets asked for. */
    assert_float_equal(fs_series_quantile_ms(s, 0, 4, 1.0), 0.2, 1e-9);
    assert_float_equal(fs_series_quantile_ms(s, 5, 100, 0.0), 3.2, 1e-9);
    assert_true(fs_series_quantile_ms(s, 1, 4, 0.5) == 0.0);
    assert_true(fs_series_quantile_ms(s, 10, 20, 0.5) == 0.0);
    assert_true(fs_series_quantile_ms(s, 6, 5, 0.5) == 0.0);
    fs_series_free(s);
}

static void test_add(void **state)
{
    fs_series_t *a = make(100, 1000, 1000), *b = make(100, 1000, 1000);

    (void)state;
    call(a, 0, 150, FS_OUT_OK);
    call(a, 950, 150, FS_OUT_ERROR);
    call(b, 0, 2000000, FS_OUT_DEGRADED);
    call(b, 0, 3000, FS_OUT_WRONG);
    assert_int_equal(fs_series_add(a, b), 0);
    assert_int_equal(fs_series_bucket(a, 0)->calls, 3);
    assert_int_equal(fs_series_bucket(a, 0)->good, 1);
    assert_int_equal(fs_series_bucket(a, 0)->slow, 1);
    assert_int_equal(fs_series_bucket(a, 0)->degraded, 1);
    assert_int_equal(fs_series_bucket(a, 0)->wrong, 1);
    assert_int_equal(fs_series_bucket(a, 9)->errors, 1);
    assert_int_equal(fs_series_bucket(a, 0)->lat[2], 1);
    assert_int_equal(fs_series_bucket(a, 0)->lat[10], 1);
    /* b is untouched. */
    assert_int_equal(fs_series_bucket(b, 0)->calls, 2);
    fs_series_free(a);
    fs_series_free(b);
}

static void test_add_shape_mismatch(void **state)
{
    fs_series_t *a = make(100, 1000, 1000);
    fs_series_t *longer = make(100, 1100, 1000);
    fs_series_t *coarser = make(200, 2000, 1000); /* also 10 buckets */
    fs_series_t *slo = make(100, 1000, 500);

    (void)state;
    call(longer, 0, 150, FS_OUT_OK);
    call(coarser, 0, 150, FS_OUT_OK);
    call(slo, 0, 150, FS_OUT_OK);
    assert_int_equal(fs_series_add(a, longer), -EINVAL);
    assert_int_equal(fs_series_add(a, coarser), -EINVAL);
    assert_int_equal(fs_series_add(a, slo), -EINVAL);
    assert_int_equal(fs_series_add(a, NULL), -EINVAL);
    assert_int_equal(fs_series_add(NULL, a), -EINVAL);
    assert_int_equal(fs_series_bucket(a, 0)->calls, 0); /* nothing half-added */
    fs_series_free(a);
    fs_series_free(longer);
    fs_series_free(coarser);
    fs_series_free(slo);
}

/* Totals count finished calls only; failed is the verdicts' "not good". */
static void test_totals(void **state)
{
    fs_series_t *s = make(100, 1000, 1000);
    uint64_t finished = 5, failed = 1;

    (void)state;
    call(s, 0, 500, FS_OUT_OK);
    call(s, 0, 2000000, FS_OUT_OK); /* slow */
    call(s, 150, 500, FS_OUT_DEGRADED);
    call(s, 250, 500, FS_OUT_WRONG);
    call(s, 950, 500, FS_OUT_ERROR);
    call(s, 950, 500, FS_OUT_TIMEOUT);
    fs_series_begin(s, 950); /* in flight: neither */
    fs_series_totals(s, &finished, &failed);
    assert_int_equal(finished, 5 + 6); /* added to what was there */
    assert_int_equal(failed, 1 + 4);
    fs_series_totals(NULL, &finished, &failed);
    assert_int_equal(finished, 11);
    fs_series_free(s);
}

/* What fs_series_totals must equal: the buckets' own sum. */
static void bucket_sums(const fs_series_t *s, uint64_t *finished, uint64_t *failed)
{
    *finished = *failed = 0;
    for (size_t i = 0; i < fs_series_len(s); i++) {
        const fs_bucket_t *b = fs_series_bucket(s, i);
        uint64_t done = (uint64_t)b->good + b->slow + b->wrong + b->errors;

        *finished += done;
        *failed += done - b->good;
    }
}

static void assert_totals_are_bucket_sums(const fs_series_t *s)
{
    uint64_t finished = 0, failed = 0, want_finished, want_failed;

    fs_series_totals(s, &finished, &failed);
    bucket_sums(s, &want_finished, &want_failed);
    assert_int_equal(finished, want_finished);
    assert_int_equal(failed, want_failed);
}

/* An hour of 100 ms buckets, calls spread over all of it and past its end,
 * then merged into another series: the kept totals never drift from the
 * buckets. */
static void test_totals_long_and_merged(void **state)
{
    fs_series_t *a = make(100, 3600 * 1000, 250);
    fs_series_t *b = make(100, 3600 * 1000, 250);
    const fs_outcome_t outcomes[] = {FS_OUT_OK, FS_OUT_DEGRADED, FS_OUT_WRONG, FS_OUT_ERROR,
                                     FS_OUT_TIMEOUT};
    uint64_t x = 88172645463325252u; /* xorshift: a fixed spread of times */

    (void)state;
    assert_int_equal(fs_series_len(a), 36000);
    for (int i = 0; i < 200000; i++) {
        uint64_t t, lat;

        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        t = x % (3700 * 1000); /* some after the end: the last bucket */
        lat = (x >> 24) % 600000;
        fs_series_begin(i % 2 ? a : b, t);
        if (i % 7 != 0) /* the rest stay in flight */
            fs_series_end(i % 2 ? a : b, t, lat, outcomes[(x >> 40) % 5]);
    }
    assert_totals_are_bucket_sums(a);
    assert_totals_are_bucket_sums(b);
    assert_int_equal(fs_series_add(a, b), 0);
    assert_totals_are_bucket_sums(a);
    assert_totals_are_bucket_sums(b);
    fs_series_free(a);
    fs_series_free(b);
}

/* Bucket counts saturate at 2^32 - 1; the totals count what the buckets
 * hold, not what was offered. Adding a series to itself doubles it. */
static void test_totals_saturate_with_buckets(void **state)
{
    fs_series_t *s = make(100, 200, 1000);
    uint64_t finished = 0, failed = 0;

    (void)state;
    call(s, 0, 500, FS_OUT_OK);
    call(s, 0, 500, FS_OUT_ERROR);
    call(s, 150, 500, FS_OUT_WRONG);
    for (int i = 0; i < 40; i++)
        assert_int_equal(fs_series_add(s, s), 0);
    assert_int_equal(fs_series_bucket(s, 0)->good, UINT32_MAX);
    assert_int_equal(fs_series_bucket(s, 0)->errors, UINT32_MAX);
    call(s, 0, 500, FS_OUT_OK);       /* clipped: counts nowhere */
    call(s, 150, 5000000, FS_OUT_OK); /* slow, not yet clipped: counts */
    fs_series_totals(s, &finished, &failed);
    assert_int_equal(finished, 3 * (uint64_t)UINT32_MAX + 1);
    assert_int_equal(failed, 2 * (uint64_t)UINT32_MAX + 1);
    assert_totals_are_bucket_sums(s);
    fs_series_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shape),
        cmocka_unit_test(test_begin_files_by_start_and_clamps),
        cmocka_unit_test(test_classification),
        cmocka_unit_test(test_bin_edges),
        cmocka_unit_test(test_bins_inclusive_upper_and_overflow),
        cmocka_unit_test(test_quantiles),
        cmocka_unit_test(test_add),
        cmocka_unit_test(test_add_shape_mismatch),
        cmocka_unit_test(test_totals),
        cmocka_unit_test(test_totals_long_and_merged),
        cmocka_unit_test(test_totals_saturate_with_buckets),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
