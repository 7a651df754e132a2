#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "duration.h"

static uint64_t ok(const char *text)
{
    char err[128] = "";
    uint64_t ms = 12345;

    assert_int_equal(fs_duration_parse(text, &ms, err, sizeof(err)), 0);
    assert_string_equal(err, "");
    return ms;
}

static void bad(const char *text, const char *want)
{
    char err[128] = "";
    uint64_t ms = 777;

    assert_int_equal(fs_duration_parse(text, &ms, err, sizeof(err)), -EINVAL);
    assert_string_equal(err, want);
    assert_int_equal(ms, 777); /* untouched on error */
}

static void test_units(void **state)
{
    (void)state;
    assert_int_equal(ok("100ms"), 100);
    assert_int_equal(ok("3s"), 3000);
    assert_int_equal(ok("2m"), 120000);
    assert_int_equal(ok("0s"), 0);
    assert_int_equal(ok("0ms"), 0);
    assert_int_equal(ok("007ms"), 7);
}

static void test_fractions(void **state)
{
    (void)state;
    assert_int_equal(ok("1.5s"), 1500);
    assert_int_equal(ok("0.25s"), 250);
    assert_int_equal(ok("0.001s"), 1);
    assert_int_equal(ok("1.5m"), 90000);
    assert_int_equal(ok("0.0001m"), 6);
    assert_int_equal(ok("2.000000000000s"), 2000); /* trailing zeros past 9 digits */
    assert_int_equal(ok("1.0ms"), 1);
}

static void test_rejects(void **state)
{
    (void)state;
    bad("3q", "\"3q\": not a duration (use ms, s or m)");
    bad("", "\"\": not a duration (use ms, s or m)");
    bad("10", "\"10\": missing unit (use ms, s or m)");
    bad("1.5", "\"1.5\": missing unit (use ms, s or m)");
    bad("-1s", "\"-1s\": negative durations are not allowed");
    bad("+1s", "\"+1s\": not a duration (use ms, s or m)");
    bad(" 1s", "\" 1s\": not a duration (use ms, s or m)");
    bad("1 s", "\"1 s\": not a duration (use ms, s or m)");
    bad("1s ", "\"1s \": not a duration (use ms, s or m)");
    bad(".5s", "\".5s\": not a duration (use ms, s or m)");
    bad("1.s", "\"1.s\": not a duration (use ms, s or m)");
    bad("1e3ms", "\"1e3ms\": not a duration (use ms, s or m)");
    bad("1h", "\"1h\": not a duration (use ms, s or m)");
    bad("250us", "\"250us\": not a duration (use ms, s or m)");
    bad("1S", "\"1S\": not a duration (use ms, s or m)");
    bad("1.5ms", "\"1.5ms\": not a whole number of milliseconds");
    bad("0.0001s", "\"0.0001s\": not a whole number of milliseconds");
    bad("1.0000000001s", "\"1.0000000001s\": not a whole number of milliseconds");
    bad(NULL, "\"\": not a duration (use ms, s or m)");
}

static void test_overflow(void **state)
{
    uint64_t ms = 0;
    char err[128];

    (void)state;
    bad("99999999999999999999999ms", "\"99999999999999999999999ms\": too large");
    bad("9007199254740992ms", "\"9007199254740992ms\": too large");
    assert_int_equal(ok("9007199254740991ms"), FS_DURATION_MAX_MS);
    bad("150119987579017m", "\"150119987579017m\": too large");
    assert_int_equal(fs_duration_parse("9007199254740.991s", &ms, err, sizeof(err)), 0);
    assert_int_equal(ms, FS_DURATION_MAX_MS);
    assert_int_equal(fs_duration_parse("9007199254740.992s", &ms, err, sizeof(err)), -EINVAL);
}

static void test_quote_is_bounded(void **state)
{
    char text[200], err[128];
    uint64_t ms;

    (void)state;
    memset(text, 'x', sizeof(text) - 1);
    text[sizeof(text) - 1] = '\0';
    text[3] = '\n';
    assert_int_equal(fs_duration_parse(text, &ms, err, sizeof(err)), -EINVAL);
    assert_non_null(strstr(err, "xxx\\nxx"));
    assert_non_null(strstr(err, "...\": not a duration"));
    assert_true(strlen(err) < 90);
}

static void test_scale(void **state)
{
    (void)state;
    assert_int_equal(fs_duration_scale(1000, 1), 1000);
    assert_int_equal(fs_duration_scale(1000, 0.5), 500);
    assert_int_equal(fs_duration_scale(1000, 2.5), 2500);
    assert_int_equal(fs_duration_scale(3, 0.5), 2);  /* 1.5 rounds up */
    assert_int_equal(fs_duration_scale(1, 0.01), 1); /* never to 0 */
    assert_int_equal(fs_duration_scale(0, 100), 0);
    assert_int_equal(fs_duration_scale(FS_DURATION_MAX_MS, 1000), FS_DURATION_MAX_MS);
}

static void test_format_roundtrip(void **state)
{
    static const uint64_t values[] = {0,    1,     999,   1000,   1001,    1500,
                                      1250, 60000, 90000, 120000, 3599999, 3600000};
    static const char *const want[] = {"0ms",   "1ms", "999ms", "1s", "1.001s",    "1.5s",
                                       "1.25s", "1m",  "90s",   "2m", "3599.999s", "60m"};
    char buf[32], err[64];

    (void)state;
    for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
        uint64_t back = 0;

        assert_string_equal(fs_duration_format(values[i], buf, sizeof(buf)), want[i]);
        assert_int_equal(fs_duration_parse(buf, &back, err, sizeof(err)), 0);
        assert_int_equal(back, values[i]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_units),
        cmocka_unit_test(test_fractions),
        cmocka_unit_test(test_rejects),
        cmocka_unit_test(test_overflow),
        cmocka_unit_test(test_quote_is_bounded),
        cmocka_unit_test(test_scale),
        cmocka_unit_test(test_format_roundtrip),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
