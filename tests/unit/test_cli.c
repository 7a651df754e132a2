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

/* stderr (or stdout) goes to a tmpfile between cap_start and cap_end so
 * messages can be read. */
static FILE *cap_file, *cap_stream;
static int cap_saved = -1;

static void cap_start_on(FILE *stream)
{
    fflush(stream);
    cap_stream = stream;
    cap_file = tmpfile();
    assert_non_null(cap_file);
    cap_saved = dup(fileno(stream));
    assert_true(cap_saved >= 0);
    assert_int_equal(dup2(fileno(cap_file), fileno(stream)), fileno(stream));
}

static void cap_start(void)
{
    cap_start_on(stderr);
}

static const char *cap_end(void)
{
    static char buf[4096];
    size_t n;

    fflush(cap_stream);
    dup2(cap_saved, fileno(cap_stream));
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

static void test_range_and_addr_flags(void **state)
{
    struct sockaddr_storage ss;
    unsigned long v = 0;

    (void)state;
    assert_int_equal(fs_cli_range("p", "poll-ms", "250", 1, 600000, &v), 0);
    assert_int_equal(v, 250);
    cap_start();
    assert_int_equal(fs_cli_range("p", "poll-ms", "0", 1, 600000, &v), -EINVAL);
    assert_string_equal(cap_end(), "p: --poll-ms: expected 1..600000, got '0'\n"
                                   "Try 'p --help'.\n");
    cap_start();
    assert_int_equal(fs_cli_range("p", "bake-ms", "12x", 1, 10, &v), -EINVAL);
    assert_non_null(strstr(cap_end(), "--bake-ms: expected 1..10, got '12x'"));
    assert_int_equal(fs_cli_addr("p", "origin", "127.0.0.1:9", &ss), 0);
    cap_start();
    assert_int_equal(fs_cli_addr("p", "origin", "10.0.0.1:80", &ss), -EINVAL);
    assert_non_null(strstr(cap_end(), "p: --origin: \"10.0.0.1:80\": not a loopback address"));
    cap_start();
    assert_int_equal(fs_cli_addr("p", "origin", NULL, &ss), -EINVAL);
    assert_non_null(strstr(cap_end(), "p: --origin: required"));
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
    /* fs_cli_parse answers --help and --version, not this. */
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

/* fs_cli_parse: a table like a service's, with one flag the callback takes
 * and one it disowns (a table/callback mismatch). */
enum { OPT_KNOB = FS_OPT_SERVICE, OPT_ORPHAN };

static const struct option parse_opts[] = {
    FS_CLI_COMMON_OPTIONS,
    {"knob", required_argument, NULL, OPT_KNOB},
    {"orphan", no_argument, NULL, OPT_ORPHAN},
    {NULL, 0, NULL, 0},
};

static const char parse_usage[] = "usage: fs-t --listen A [--knob N]\n" FS_CLI_COMMON_HELP;

#define ARGC(a) ((int)(sizeof(a) / sizeof((a)[0])) - 1)

/* What the callback saw; reject makes it fail as a service would. */
typedef struct {
    int calls, opt;
    const char *arg;
    int reject;
} knob_t;

static int knob_cb(const char *prog, int opt, const char *arg, void *data)
{
    knob_t *k = data;

    if (opt != OPT_KNOB)
        return 0;
    k->calls++;
    k->opt = opt;
    k->arg = arg;
    if (k->reject)
        return fs_cli_error(prog, "knob", "expected a knob, got '%s'", arg);
    return 1;
}

static int parse(int argc, char **argv, int needs_node, fs_cli_common_t *c, knob_t *k)
{
    return fs_cli_parse(argc, argv, "fs-t", parse_usage, parse_opts, needs_node, c, knob_cb, k);
}

static void test_parse_help_and_version(void **state)
{
    char *help[] = {"fs-t", "--help", "--bogus", "stray", NULL};
    char *version[] = {"fs-t", "--listen", "0.0.0.0:1", "--version", NULL};
    fs_cli_common_t c = {0};
    knob_t k = {0};
    int rc;

    (void)state;
    /* Answered as soon as seen: later junk and an unchecked --listen do not matter. */
    cap_start_on(stdout);
    rc = parse(ARGC(help), help, 1, &c, &k);
    assert_string_equal(cap_end(), parse_usage);
    assert_int_equal(rc, 1);

    cap_start_on(stdout);
    rc = parse(ARGC(version), version, 1, &c, &k);
    assert_string_equal(cap_end(), "fs-t failsmall " FS_VERSION "\n");
    assert_int_equal(rc, 1);
    assert_int_equal(k.calls, 0);
}

static void test_parse_unknown_flag(void **state)
{
    char *unknown[] = {"fs-t", "--listen", "127.0.0.1:0", "--bogus", NULL};
    char *missing[] = {"fs-t", "--listen", "127.0.0.1:0", "--knob", NULL};
    char *orphan[] = {"fs-t", "--listen", "127.0.0.1:0", "--orphan", NULL};
    fs_cli_common_t c = {0};
    knob_t k = {0};
    int rc;

    (void)state;
    cap_start();
    rc = parse(ARGC(unknown), unknown, 0, &c, &k);
    assert_string_equal(cap_end(), "fs-t: --bogus: unknown flag or missing value\n"
                                   "Try 'fs-t --help'.\n");
    assert_int_equal(rc, -EINVAL);

    cap_start();
    rc = parse(ARGC(missing), missing, 0, &c, &k);
    assert_string_equal(cap_end(), "fs-t: --knob: unknown flag or missing value\n"
                                   "Try 'fs-t --help'.\n");
    assert_int_equal(rc, -EINVAL);
    assert_int_equal(k.calls, 0);

    /* In the table but taken by nobody. */
    cap_start();
    rc = parse(ARGC(orphan), orphan, 0, &c, &k);
    assert_string_equal(cap_end(), "fs-t: --orphan: unknown flag\nTry 'fs-t --help'.\n");
    assert_int_equal(rc, -EINVAL);
}

static void test_parse_stray_argument(void **state)
{
    /* getopt moves non-flags to the end; the first one is named. */
    char *stray[] = {"fs-t", "stray", "--listen", "127.0.0.1:0", "more", NULL};
    char *after_dashes[] = {"fs-t", "--listen", "127.0.0.1:0", "--", "--knob", NULL};
    fs_cli_common_t c = {0};
    knob_t k = {0};
    int rc;

    (void)state;
    cap_start();
    rc = parse(ARGC(stray), stray, 0, &c, &k);
    assert_string_equal(cap_end(), "fs-t: stray: unexpected argument\nTry 'fs-t --help'.\n");
    assert_int_equal(rc, -EINVAL);

    cap_start();
    rc = parse(ARGC(after_dashes), after_dashes, 0, &c, &k);
    assert_string_equal(cap_end(), "fs-t: --knob: unexpected argument\nTry 'fs-t --help'.\n");
    assert_int_equal(rc, -EINVAL);
    assert_int_equal(k.calls, 0);
}

static void test_parse_service_flag(void **state)
{
    char *ok[] = {"fs-t", "--knob", "7", "--listen", "127.0.0.1:0", NULL};
    char *bad[] = {"fs-t", "--listen", "127.0.0.1:0", "--knob=x", NULL};
    fs_cli_common_t c = {0};
    knob_t k = {0};
    int rc;

    (void)state;
    assert_int_equal(parse(ARGC(ok), ok, 0, &c, &k), 0);
    assert_int_equal(k.calls, 1);
    assert_int_equal(k.opt, OPT_KNOB);
    assert_string_equal(k.arg, "7");
    assert_string_equal(c.listen, "127.0.0.1:0");

    /* The callback's error is passed on as is, and parsing stops there. */
    k = (knob_t){.reject = 1};
    cap_start();
    rc = parse(ARGC(bad), bad, 0, &c, &k);
    assert_string_equal(cap_end(), "fs-t: --knob: expected a knob, got 'x'\n"
                                   "Try 'fs-t --help'.\n");
    assert_int_equal(rc, -EINVAL);
    assert_int_equal(k.calls, 1);
}

static void test_parse_common_flags(void **state)
{
    char *ok[] = {"fs-t",   "--listen",  "127.0.0.1:0", "--posture", "hardened", "--node",
                  "edge-1", "--verbose", "--fiu-fifo",  "/tmp/fiu",  NULL};
    char *bad[] = {"fs-t", "--listen", "127.0.0.1:0", "--posture", "sturdy", NULL};
    fs_cli_common_t c = {0};
    knob_t k = {0};
    int rc;

    (void)state;
    assert_int_equal(parse(ARGC(ok), ok, 1, &c, &k), 0);
    assert_string_equal(c.listen, "127.0.0.1:0");
    assert_int_equal(c.posture, FS_POSTURE_HARDENED);
    assert_string_equal(c.node, "edge-1");
    assert_int_equal(c.verbose, 1);
    assert_string_equal(c.fiu_fifo, "/tmp/fiu");
    assert_int_equal(k.calls, 0); /* common flags never reach the service */

    c = (fs_cli_common_t){0};
    cap_start();
    rc = parse(ARGC(bad), bad, 0, &c, &k);
    assert_string_equal(cap_end(), "fs-t: --posture: expected legacy or hardened, got 'sturdy'\n"
                                   "Try 'fs-t --help'.\n");
    assert_int_equal(rc, -EINVAL);
}

static void test_parse_checks_common(void **state)
{
    char *no_listen[] = {"fs-t", "--knob", "1", NULL};
    char *public[] = {"fs-t", "--listen", "10.1.2.3:80", NULL};
    char *no_node[] = {"fs-t", "--listen", "127.0.0.1:0", NULL};
    fs_cli_common_t c = {0};
    knob_t k = {0};
    int rc;

    (void)state;
    cap_start();
    rc = parse(ARGC(no_listen), no_listen, 0, &c, &k);
    assert_non_null(strstr(cap_end(), "fs-t: --listen: required"));
    assert_int_equal(rc, -EINVAL);

    cap_start();
    rc = parse(ARGC(public), public, 0, &c, &k);
    assert_non_null(strstr(cap_end(), "fs-t: --listen: \"10.1.2.3:80\": not a loopback"));
    assert_int_equal(rc, -EINVAL);

    /* needs_node is honoured; the same argv passes without it. */
    c = (fs_cli_common_t){0};
    cap_start();
    rc = parse(ARGC(no_node), no_node, 1, &c, &k);
    assert_non_null(strstr(cap_end(), "fs-t: --node: required"));
    assert_int_equal(rc, -EINVAL);
    c = (fs_cli_common_t){0};
    assert_int_equal(parse(ARGC(no_node), no_node, 0, &c, &k), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_uint),
        cmocka_unit_test(test_double),
        cmocka_unit_test(test_bool_and_choice),
        cmocka_unit_test(test_posture),
        cmocka_unit_test(test_error_message),
        cmocka_unit_test(test_range_and_addr_flags),
        cmocka_unit_test(test_common_options),
        cmocka_unit_test(test_common_option_errors),
        cmocka_unit_test(test_common_check),
        cmocka_unit_test(test_parse_help_and_version),
        cmocka_unit_test(test_parse_unknown_flag),
        cmocka_unit_test(test_parse_stray_argument),
        cmocka_unit_test(test_parse_service_flag),
        cmocka_unit_test(test_parse_common_flags),
        cmocka_unit_test(test_parse_checks_common),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
