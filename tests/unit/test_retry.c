/* Unit tests for fleet/proxy/retry.c: immediate retries, the retry budget,
 * deadlines and deterministic, bounded jitter. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "../../fleet/proxy/retry.h"

static fs_retry_t *make(fs_retry_mode_t mode, uint64_t seed)
{
    fs_retry_config_t cfg;
    fs_retry_t *r = NULL;

    fs_retry_config_default(&cfg, mode);
    assert_int_equal(fs_retry_new(&cfg, seed, &r), 0);
    assert_non_null(r);
    return r;
}

static void test_immediate_allows_max_without_delay(void **state)
{
    fs_retry_t *r = make(FS_RETRY_IMMEDIATE, 1);
    uint64_t delay = 99;

    (void)state;
    /* Never budgeted: works without any first attempt recorded. */
    for (unsigned k = 0; k < 3; k++) {
        assert_int_equal(fs_retry_next(r, k, 1000, 0, &delay), 0);
        assert_int_equal(delay, 0);
    }
    assert_int_equal(fs_retry_next(r, 3, 1000, 0, &delay), -ERANGE);
    /* Every call gets its full count again, however many calls failed. */
    for (int call = 0; call < 100; call++)
        assert_int_equal(fs_retry_next(r, 2, 1000, 0, &delay), 0);
    fs_retry_free(r);
}

/* A fixed delay is the same for every caller and every retry: callers that
 * failed together retry together. */
static void test_immediate_fixed_delay(void **state)
{
    fs_retry_config_t cfg;
    fs_retry_t *a = NULL, *b = NULL;
    uint64_t da, db;

    (void)state;
    fs_retry_config_default(&cfg, FS_RETRY_IMMEDIATE);
    cfg.fixed_delay_ms = 100;
    assert_int_equal(fs_retry_new(&cfg, 1, &a), 0);
    assert_int_equal(fs_retry_new(&cfg, 2, &b), 0);
    for (unsigned k = 0; k < 3; k++) {
        assert_int_equal(fs_retry_next(a, k, 1000, 0, &da), 0);
        assert_int_equal(fs_retry_next(b, k, 1000, 0, &db), 0);
        assert_int_equal(da, 100);
        assert_int_equal(db, 100);
    }
    /* a retry that would start at or after the deadline is not made */
    assert_int_equal(fs_retry_next(a, 0, 1000, 1100, &da), -ETIMEDOUT);
    fs_retry_free(a);
    fs_retry_free(b);
}

static void test_immediate_respects_deadline(void **state)
{
    fs_retry_t *r = make(FS_RETRY_IMMEDIATE, 1);
    uint64_t delay;

    (void)state;
    assert_int_equal(fs_retry_next(r, 0, 1000, 1001, &delay), 0);
    assert_int_equal(fs_retry_next(r, 0, 1001, 1001, &delay), -ETIMEDOUT);
    fs_retry_free(r);
}

static void test_budget_limits_retries_to_ratio(void **state)
{
    fs_retry_t *r = make(FS_RETRY_BUDGET, 7);
    uint64_t delay;
    int allowed = 0, denied = 0;

    (void)state;
    /* Empty at start: no retry before first attempts earned tokens. */
    assert_int_equal(fs_retry_next(r, 0, 0, 0, &delay), -ENOBUFS);
    for (int i = 0; i < 100; i++) {
        fs_retry_first_attempt(r);
        /* Every call fails and wants its retries. */
        for (unsigned k = 0; k < 2; k++) {
            int rc = fs_retry_next(r, k, 0, 0, &delay);

            if (rc == 0) {
                allowed++;
            } else {
                assert_int_equal(rc, -ENOBUFS);
                denied++;
                break;
            }
        }
    }
    assert_int_equal(allowed, 10);
    assert_int_equal(denied, 100); /* each call is refused once */
    fs_retry_free(r);
}

static void test_budget_cap(void **state)
{
    fs_retry_t *r = make(FS_RETRY_BUDGET, 7);
    uint64_t delay;
    int allowed = 0;

    (void)state;
    /* A long healthy period banks at most the cap. */
    for (int i = 0; i < 10000; i++)
        fs_retry_first_attempt(r);
    assert_true(fs_retry_tokens(r) <= 10.0);
    while (fs_retry_next(r, 0, 0, 0, &delay) == 0 && allowed < 1000)
        allowed++;
    assert_int_equal(allowed, 10);
    assert_int_equal(fs_retry_next(r, 2, 0, 0, &delay), -ERANGE);
    fs_retry_free(r);
}

static void test_budget_deadline_keeps_token(void **state)
{
    fs_retry_t *r = make(FS_RETRY_BUDGET, 3);
    uint64_t delay;

    (void)state;
    for (int i = 0; i < 10; i++)
        fs_retry_first_attempt(r);
    /* No room before the deadline: refused, and the token is not spent. */
    assert_int_equal(fs_retry_next(r, 0, 500, 500, &delay), -ETIMEDOUT);
    assert_true(fs_retry_tokens(r) > 0.99);
    assert_int_equal(fs_retry_next(r, 0, 500, 0, &delay), 0);
    assert_true(fs_retry_tokens(r) < 0.01);
    fs_retry_free(r);
}

static void collect(uint64_t seed, uint64_t *out, int n)
{
    fs_retry_t *r = make(FS_RETRY_BUDGET, seed);

    for (int i = 0; i < n; i++) {
        unsigned k = (unsigned)(i % 2);

        for (int j = 0; j < 10; j++)
            fs_retry_first_attempt(r);
        assert_int_equal(fs_retry_next(r, k, 0, 0, &out[i]), 0);
        /* base 10 ms doubled per retry: [0,10] then [0,20]. */
        assert_true(out[i] <= (k == 0 ? 10u : 20u));
    }
    fs_retry_free(r);
}

static void test_jitter_deterministic_and_bounded(void **state)
{
    uint64_t a[200], b[200], c[200];
    int same_ac = 1, max_seen = 0;

    (void)state;
    collect(42, a, 200);
    collect(42, b, 200);
    collect(43, c, 200);
    for (int i = 0; i < 200; i++) {
        assert_int_equal(a[i], b[i]);
        same_ac &= a[i] == c[i];
        if (a[i] > (uint64_t)max_seen)
            max_seen = (int)a[i];
    }
    assert_false(same_ac);
    /* Jitter spreads over the window rather than sticking at one end. */
    assert_true(max_seen > 10);
}

static void test_backoff_cap(void **state)
{
    fs_retry_config_t cfg;
    fs_retry_t *r = NULL;
    uint64_t delay;

    (void)state;
    fs_retry_config_default(&cfg, FS_RETRY_BUDGET);
    cfg.max_retries = 40;
    cfg.base_ms = 10;
    cfg.max_backoff_ms = 50;
    assert_int_equal(fs_retry_new(&cfg, 9, &r), 0);
    for (unsigned k = 0; k < 40; k++) {
        for (int j = 0; j < 10; j++)
            fs_retry_first_attempt(r);
        assert_int_equal(fs_retry_next(r, k, 0, 0, &delay), 0);
        assert_true(delay <= 50);
    }
    fs_retry_free(r);
}

static void test_bad_config(void **state)
{
    fs_retry_config_t cfg;
    fs_retry_t *r = NULL;

    (void)state;
    fs_retry_config_default(&cfg, FS_RETRY_BUDGET);
    cfg.budget_ratio = -1;
    assert_int_equal(fs_retry_new(&cfg, 1, &r), -EINVAL);
    assert_null(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_immediate_allows_max_without_delay),
        cmocka_unit_test(test_immediate_respects_deadline),
        cmocka_unit_test(test_immediate_fixed_delay),
        cmocka_unit_test(test_budget_limits_retries_to_ratio),
        cmocka_unit_test(test_budget_cap),
        cmocka_unit_test(test_budget_deadline_keeps_token),
        cmocka_unit_test(test_jitter_deterministic_and_bounded),
        cmocka_unit_test(test_backoff_cap),
        cmocka_unit_test(test_bad_config),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
