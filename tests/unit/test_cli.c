#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fs_cli.h"

/* stderr goes to a tmpfile between these two calls so messages can be read. */
static FILE *cap_file;
static int cap_saved = -1;

static void cap_start(void)
{
    fflush(stderr);
    cap_file = tmpfile();
    assert_non_null(cap_file);
    cap_saved = dup(STDERR_FILENO);
    assert_true(cap_saved >= 0);
    assert_int_equal(dup2(fileno(cap_file), STDERR_FILENO), STDERR_FILENO);
}

static const char *cap_end(void)
{
    static char buf[2048];
    size_t n;

    fflush(stderr);
    dup2(cap_saved, STDERR_FILENO);
    close(cap_saved);
    rewind(cap_file);
    n = fread(buf, 1, sizeof(buf) - 1, cap_file);
    buf[n] = '\0';
    fclose(cap_file);
    return buf;
}

static void test_uint(void **state)
{
    unsigned long v = 99;

    (void)state;
    assert_int_equal(fs_cli_uint("0", 10, &v), 0);
    assert_int_equal(v, 0);
    assert_int_equal(fs_cli_uint("10", 10, &v), 0);
    assert_int_equal(v, 10);
    assert_int_equal(fs_cli_uint("007", 10, &v), 0);
    assert_int_equal(v, 7);
    v = 42;
    assert_int_equal(fs_cli_uint("11", 10, &v), -EINVAL);
    assert_int_equal(fs_cli_uint("", 10, &v), -EINVAL);
    assert_int_equal(fs_cli_uint(NULL, 10, &v), -EINVAL);
    assert_int_equal(fs_cli_uint("12x", 100, &v), -EINVAL);
    assert_int_equal(fs_cli_uint("-1", ULONG_MAX, &v), -EINVAL);
    assert_int_equal(fs_cli_uint("+1", 10, &v), -EINVAL);
    assert_int_equal(fs_cli_uint(" 1", 10, &v), -EINVAL);
    assert_int_equal(fs_cli_uint("1 ", 10, &v), -EINVAL);
    assert_int_equal(fs_cli_uint("0x10", 100, &v), -EINVAL);
    assert_int_equal(fs_cli_uint("99999999999999999999999", ULONG_MAX, &v), -EINVAL);
    assert_int_equal(v, 42); /* untouched on error */
}

static void test_double(void **state)
{
    double v = 9;

    (void)state;
    assert_int_equal(fs_cli_double("0.25", 0, 1, &v), 0);
    assert_true(v == 0.25);
    assert_int_equal(fs_cli_double("-1", -1, 1, &v), 0);
    assert_true(v == -1);
    assert_int_equal(fs_cli_double("1e-3", 0, 1, &v), 0);
    assert_true(v == 0.001);
    v = 9;
    assert_int_equal(fs_cli_double("1.5", 0, 1, &v), -EINVAL);
    assert_int_equal(fs_cli_double("", 0, 1, &v), -EINVAL);
    assert_int_equal(fs_cli_double(NULL, 0, 1, &v), -EINVAL);
    assert_int_equal(fs_cli_double("0.5x", 0, 1, &v), -EINVAL);
    assert_int_equal(fs_cli_double(" 0.5", 0, 1, &v), -EINVAL);
    assert_int_equal(fs_cli_double("nan", -1e9, 1e9, &v), -EINVAL);
    assert_int_equal(fs_cli_double("inf", -1e9, 1e300, &v), -EINVAL);
    assert_int_equal(fs_cli_double("-infinity", -1e300, 1e9, &v), -EINVAL);
    assert_int_equal(fs_cli_double("1e999", 0, 1e308, &v), -EINVAL);
    assert_true(v == 9);
}

static void test_bool_and_choice(void **state)
{
    static const char *const engines[] = {"new", "old", NULL};
    int b = 7, i = 7;

    (void)state;
    assert_int_equal(fs_cli_bool("on", &b), 0);
    assert_int_equal(b, 1);
    assert_int_equal(fs_cli_bool("NO", &b), 0);
    assert_int_equal(b, 0);
    assert_int_equal(fs_cli_bool("true", &b), 0);
    assert_int_equal(b, 1);
    assert_int_equal(fs_cli_bool("0", &b), 0);
    assert_int_equal(b, 0);
    assert_int_equal(fs_cli_bool("", &b), -EINVAL);
    assert_int_equal(fs_cli_bool("2", &b), -EINVAL);
    assert_int_equal(fs_cli_bool("onn", &b), -EINVAL);

    assert_int_equal(fs_cli_choice("old", engines, &i), 0);
    assert_int_equal(i, 1);
    assert_int_equal(fs_cli_choice("Old", engines, &i), -EINVAL);
    assert_int_equal(fs_cli_choice("", engines, &i), -EINVAL);
    assert_int_equal(i, 1);
}

static void test_posture(void **state)
{
    fs_posture_t p = FS_POSTURE_LEGACY;

    (void)state;
    assert_int_equal(fs_posture_parse("hardened", &p), 0);
    assert_int_equal(p, FS_POSTURE_HARDENED);
    assert_int_equal(fs_posture_parse("legacy", &p), 0);
    assert_int_equal(p, FS_POSTURE_LEGACY);
    assert_int_equal(fs_posture_parse("soft", &p), -ENOENT);
    assert_string_equal(fs_posture_name(FS_POSTURE_HARDENED), "hardened");
    assert_string_equal(fs_posture_name(FS_POSTURE_LEGACY), "legacy");
}

static void test_error_message(void **state)
{
    (void)state;
    cap_start();
    assert_int_equal(fs_cli_error("fs-botmod", "threshold", "'%s': expected 0 to 99", "abc"),
                     -EINVAL);
    assert_string_equal(cap_end(), "fs-botmod: --threshold: 'abc': expected 0 to 99\n"
                                   "Try 'fs-botmod --help'.\n");
}

static void test_common_options(void **state)
{
    fs_cli_common_t c = {0};

    (void)state;
    assert_int_equal(fs_cli_common_option("p", FS_OPT_LISTEN, "127.0.0.1:0", &c), 1);
    assert_string_equal(c.listen, "127.0.0.1:0");
    assert_int_equal(fs_cli_common_option("p", FS_OPT_POSTURE, "hardened", &c), 1);
    assert_int_equal(c.posture, FS_POSTURE_HARDENED);
    assert_int_equal(fs_cli_common_option("p", FS_OPT_NODE, "edge-1_a", &c), 1);
    assert_string_equal(c.node, "edge-1_a");
    assert_int_equal(fs_cli_common_option("p", FS_OPT_FIU_FIFO, "/tmp/fiu", &c), 1);
    assert_string_equal(c.fiu_fifo, "/tmp/fiu");
    assert_int_equal(fs_cli_common_option("p", FS_OPT_VERBOSE, NULL, &c), 1);
    assert_int_equal(c.verbose, 1);
    /* Each service prints its own --help and --version. */
    assert_int_equal(fs_cli_common_option("p", FS_OPT_HELP, NULL, &c), 0);
    assert_int_equal(fs_cli_common_option("p", FS_OPT_VERSION, NULL, &c), 0);
    assert_int_equal(fs_cli_common_option("p", 't', "1", &c), 0);
    assert_int_equal(fs_cli_common_option("p", FS_OPT_SERVICE, "1", &c), 0);
    assert_int_equal(fs_cli_common_check("p", &c, 1), 0);
}

static void test_common_option_errors(void **state)
{
    fs_cli_common_t c = {0};
    char long_node[40];

    (void)state;
    cap_start();
    assert_int_equal(fs_cli_common_option("fs-proxy", FS_OPT_POSTURE, "strict", &c), -EINVAL);
    assert_string_equal(cap_end(),
                        "fs-proxy: --posture: expected legacy or hardened, got 'strict'\n"
                        "Try 'fs-proxy --help'.\n");
    assert_int_equal(c.posture, FS_POSTURE_LEGACY);

    memset(long_node, 'n', 33);
    long_node[33] = '\0';
    cap_start();
    assert_int_equal(fs_cli_common_option("p", FS_OPT_NODE, "a b", &c), -EINVAL);
    assert_int_equal(fs_cli_common_option("p", FS_OPT_NODE, "", &c), -EINVAL);
    assert_int_equal(fs_cli_common_option("p", FS_OPT_NODE, long_node, &c), -EINVAL);
    assert_int_equal(fs_cli_common_option("p", FS_OPT_NODE, "x/../y", &c), -EINVAL);
    assert_int_equal(fs_cli_common_option("p", FS_OPT_FIU_FIFO, "", &c), -EINVAL);
    assert_non_null(strstr(cap_end(), "p: --node: 'a b': "));
    assert_null(c.node);
    long_node[32] = '\0';
    assert_int_equal(fs_cli_common_option("p", FS_OPT_NODE, long_node, &c), 1);
}

static void test_common_check(void **state)
{
    fs_cli_common_t c = {0};
    const char *msg;

    (void)state;
    cap_start();
    assert_int_equal(fs_cli_common_check("p", &c, 0), -EINVAL);
    msg = cap_end();
    assert_non_null(strstr(msg, "p: --listen: required"));

    c.listen = "0.0.0.0:8080";
    cap_start();
    assert_int_equal(fs_cli_common_check("p", &c, 0), -EINVAL);
    assert_string_equal(cap_end(), "p: --listen: \"0.0.0.0:8080\": not a loopback address "
                                   "(failsmall binds and calls 127.0.0.0/8 and ::1 only)\n"
                                   "Try 'p --help'.\n");

    c.listen = "127.0.0.1:70000";
    cap_start();
    assert_int_equal(fs_cli_common_check("p", &c, 0), -EINVAL);
    assert_non_null(strstr(cap_end(), "p: --listen: \"127.0.0.1:70000\": port"));

    c.listen = "127.0.0.1:0";
    assert_int_equal(fs_cli_common_check("p", &c, 0), 0);
    cap_start();
    assert_int_equal(fs_cli_common_check("p", &c, 1), -EINVAL);
    assert_non_null(strstr(cap_end(), "p: --node: required"));
    c.node = "bad node";
    cap_start();
    assert_int_equal(fs_cli_common_check("p", &c, 0), -EINVAL);
    assert_non_null(strstr(cap_end(), "p: --node: "));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_uint),
        cmocka_unit_test(test_double),
        cmocka_unit_test(test_bool_and_choice),
        cmocka_unit_test(test_posture),
        cmocka_unit_test(test_error_message),
        cmocka_unit_test(test_common_options),
        cmocka_unit_test(test_common_option_errors),
        cmocka_unit_test(test_common_check),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
