#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fs_log.h"

/* Runs one fs_log call into a tmpfile and returns what it wrote. */
static char *capture(fs_log_t *log, fs_log_level_t level, const char *event, const char *kv)
{
    static char buf[8192];
    FILE *f = tmpfile();
    size_t n;

    assert_non_null(f);
    log->out = f;
    if (kv)
        fs_log(log, level, event, "%s", kv);
    else
        fs_log(log, level, event, NULL);
    rewind(f);
    n = fread(buf, 1, sizeof(buf) - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static void test_line_format(void **state)
{
    fs_log_t log = {"botmod", "0", NULL, FS_LOG_INFO};
    const char *line;

    (void)state;
    line =
        capture(&log, FS_LOG_INFO, "config_rejected", "key=bot/features reason=\"241 features\"");
    /* ts=YYYY-MM-DDTHH:MM:SS.mmmZ */
    assert_int_equal(strncmp(line, "ts=", 3), 0);
    assert_int_equal(strlen(line) > 28, 1);
    assert_int_equal(line[7], '-');
    assert_int_equal(line[13], 'T');
    assert_int_equal(line[22], '.');
    assert_int_equal(line[26], 'Z');
    assert_int_equal(line[27], ' ');
    assert_string_equal(line + 28, "svc=botmod node=0 level=info event=config_rejected "
                                   "key=bot/features reason=\"241 features\"\n");
}

static void test_node_omitted_and_levels(void **state)
{
    fs_log_t log = {"origin", NULL, NULL, FS_LOG_DEBUG};
    const char *line;

    (void)state;
    line = capture(&log, FS_LOG_WARN, "slow", NULL);
    assert_non_null(strstr(line, " svc=origin level=warn event=slow\n"));
    assert_null(strstr(line, "node="));
    line = capture(&log, FS_LOG_ERROR, "x", "a=1");
    assert_non_null(strstr(line, " level=error event=x a=1\n"));
    line = capture(&log, FS_LOG_DEBUG, "x", NULL);
    assert_non_null(strstr(line, " level=debug "));
}

static void test_below_min_level_is_silent(void **state)
{
    fs_log_t log = {"origin", NULL, NULL, FS_LOG_WARN};

    (void)state;
    assert_string_equal(capture(&log, FS_LOG_INFO, "x", NULL), "");
    assert_string_equal(capture(&log, FS_LOG_DEBUG, "x", NULL), "");
    assert_int_not_equal(strlen(capture(&log, FS_LOG_WARN, "x", NULL)), 0);
}

static void test_one_line_even_with_newlines(void **state)
{
    fs_log_t log = {"origin", NULL, NULL, FS_LOG_INFO};
    const char *line;

    (void)state;
    line = capture(&log, FS_LOG_INFO, "x", "a=1\nb=2");
    assert_non_null(strstr(line, "a=1 b=2\n"));
    assert_int_equal(strchr(line, '\n') - line, (long)strlen(line) - 1);
}

static void test_long_line(void **state)
{
    fs_log_t log = {"origin", NULL, NULL, FS_LOG_INFO};
    char kv[3000];
    const char *line;

    (void)state;
    memset(kv, 'x', sizeof(kv) - 1);
    kv[0] = 'k';
    kv[1] = '=';
    kv[sizeof(kv) - 1] = '\0';
    line = capture(&log, FS_LOG_INFO, "long", kv);
    assert_non_null(strstr(line, kv));
    assert_int_equal(line[strlen(line) - 1], '\n');
}

static void test_quote(void **state)
{
    char buf[64];

    (void)state;
    assert_string_equal(fs_log_quote(buf, sizeof(buf), "plain/value-1"), "plain/value-1");
    assert_string_equal(fs_log_quote(buf, sizeof(buf), ""), "\"\"");
    assert_string_equal(fs_log_quote(buf, sizeof(buf), NULL), "\"\"");
    assert_string_equal(fs_log_quote(buf, sizeof(buf), "241 features"), "\"241 features\"");
    assert_string_equal(fs_log_quote(buf, sizeof(buf), "a=b"), "\"a=b\"");
    assert_string_equal(fs_log_quote(buf, sizeof(buf), "say \"hi\""), "\"say \\\"hi\\\"\"");
    assert_string_equal(fs_log_quote(buf, sizeof(buf), "c:\\x"), "\"c:\\\\x\"");
    assert_string_equal(fs_log_quote(buf, sizeof(buf), "a\nb\tc"), "\"a\\nb\\tc\"");
    assert_string_equal(fs_log_quote(buf, sizeof(buf), "\x01"), "\"\\u0001\"");
}

static void test_quote_truncates_inside_quotes(void **state)
{
    char buf[8];

    (void)state;
    /* Truncated, but still one well-formed quoted value. */
    assert_string_equal(fs_log_quote(buf, sizeof(buf), "a b c d e f"), "\"a b c\"");
    assert_string_equal(fs_log_quote(buf, sizeof(buf), "\"\"\"\""), "\"\\\"\\\"\"");
    assert_string_equal(fs_log_quote(buf, sizeof(buf), "abcdefghijk"), "abcdefg");
    assert_string_equal(fs_log_quote(buf, 2, "a b"), "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_line_format),
        cmocka_unit_test(test_node_omitted_and_levels),
        cmocka_unit_test(test_below_min_level_is_silent),
        cmocka_unit_test(test_one_line_even_with_newlines),
        cmocka_unit_test(test_long_line),
        cmocka_unit_test(test_quote),
        cmocka_unit_test(test_quote_truncates_inside_quotes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
