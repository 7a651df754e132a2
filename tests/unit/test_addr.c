#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include "fs_addr.h"

/* Parses text, expects rc, and on success returns the formatted result. */
static const char *parse(const char *text, int want_rc)
{
    static char out[FS_ADDR_STRLEN];
    struct sockaddr_storage ss;
    static char err[256];
    int rc = fs_addr_parse(text, &ss, err, sizeof(err));

    assert_int_equal(rc, want_rc);
    if (rc < 0) {
        assert_int_not_equal(strlen(err), 0);
        return err;
    }
    assert_int_equal(fs_addr_format((const struct sockaddr *)&ss, out, sizeof(out)), 0);
    return out;
}

static void test_loopback_accepted(void **state)
{
    (void)state;
    assert_string_equal(parse("127.0.0.1:8080", 0), "127.0.0.1:8080");
    assert_string_equal(parse("127.0.0.1:0", 0), "127.0.0.1:0");
    assert_string_equal(parse("127.1.2.3:65535", 0), "127.1.2.3:65535");
    assert_string_equal(parse("127.255.255.254:1", 0), "127.255.255.254:1");
    assert_string_equal(parse("localhost:80", 0), "127.0.0.1:80");
    assert_string_equal(parse("LOCALHOST:80", 0), "127.0.0.1:80");
    assert_string_equal(parse("[::1]:9", 0), "[::1]:9");
}

static void test_port_and_family(void **state)
{
    struct sockaddr_storage ss;
    char err[128];

    (void)state;
    assert_int_equal(fs_addr_parse("127.0.0.1:4242", &ss, err, sizeof(err)), 0);
    assert_int_equal(ss.ss_family, AF_INET);
    assert_int_equal(fs_addr_port((const struct sockaddr *)&ss), 4242);
    assert_int_equal(fs_addr_parse("[::1]:65535", &ss, err, sizeof(err)), 0);
    assert_int_equal(ss.ss_family, AF_INET6);
    assert_int_equal(fs_addr_port((const struct sockaddr *)&ss), 65535);
}

static void test_not_loopback(void **state)
{
    const char *msg;

    (void)state;
    msg = parse("0.0.0.0:80", -EADDRNOTAVAIL);
    assert_string_equal(msg, "\"0.0.0.0:80\": not a loopback address (failsmall binds and calls "
                             "127.0.0.0/8 and ::1 only)");
    parse("10.0.0.1:80", -EADDRNOTAVAIL);
    parse("128.0.0.1:80", -EADDRNOTAVAIL);
    parse("192.168.1.1:80", -EADDRNOTAVAIL);
    parse("[::]:80", -EADDRNOTAVAIL);
    parse("[::ffff:127.0.0.1]:80", -EADDRNOTAVAIL);
    parse("[fe80::1]:80", -EADDRNOTAVAIL);
    parse("example.com:80", -EADDRNOTAVAIL);
    parse("localhost.evil.com:80", -EADDRNOTAVAIL);
    /* inet_pton takes only full dotted quads: no shorthand smuggling. */
    parse("127.1:80", -EADDRNOTAVAIL);
}

/* The check fs_http applies to every address it binds or calls. */
static void test_is_loopback(void **state)
{
    struct sockaddr_in in4 = {.sin_family = AF_INET};
    struct sockaddr_in6 in6 = {.sin6_family = AF_INET6};
    struct sockaddr un = {.sa_family = AF_UNIX};
    const char *yes4[] = {"127.0.0.1", "127.0.0.2", "127.255.255.254"};
    const char *no4[] = {"0.0.0.0", "10.0.0.1", "126.255.255.255", "128.0.0.1", "255.255.255.255"};

    (void)state;
    for (size_t i = 0; i < sizeof(yes4) / sizeof(yes4[0]); i++) {
        assert_int_equal(inet_pton(AF_INET, yes4[i], &in4.sin_addr), 1);
        assert_int_equal(fs_addr_is_loopback((struct sockaddr *)&in4), 1);
    }
    for (size_t i = 0; i < sizeof(no4) / sizeof(no4[0]); i++) {
        assert_int_equal(inet_pton(AF_INET, no4[i], &in4.sin_addr), 1);
        assert_int_equal(fs_addr_is_loopback((struct sockaddr *)&in4), 0);
    }
    assert_int_equal(inet_pton(AF_INET6, "::1", &in6.sin6_addr), 1);
    assert_int_equal(fs_addr_is_loopback((struct sockaddr *)&in6), 1);
    assert_int_equal(inet_pton(AF_INET6, "::", &in6.sin6_addr), 1);
    assert_int_equal(fs_addr_is_loopback((struct sockaddr *)&in6), 0);
    assert_int_equal(inet_pton(AF_INET6, "::ffff:127.0.0.1", &in6.sin6_addr), 1);
    assert_int_equal(fs_addr_is_loopback((struct sockaddr *)&in6), 0);
    assert_int_equal(fs_addr_is_loopback(&un), 0);
    assert_int_equal(fs_addr_is_loopback(NULL), 0);
}

static void test_syntax_errors(void **state)
{
    struct sockaddr_storage ss;
    char err[128];

    (void)state;
    parse("", -EINVAL);
    parse("127.0.0.1", -EINVAL);
    parse("127.0.0.1:", -EINVAL);
    parse("127.0.0.1:65536", -EINVAL);
    parse("127.0.0.1:99999999999", -EINVAL);
    parse("127.0.0.1:-1", -EINVAL);
    parse("127.0.0.1:+80", -EINVAL);
    parse("127.0.0.1:8x", -EINVAL);
    parse("127.0.0.1: 80", -EINVAL);
    parse(" 127.0.0.1:80", -EINVAL);
    parse(":80", -EINVAL);
    parse("::1:80", -EINVAL);
    parse("::", -EINVAL);
    parse("[::1]", -EINVAL);
    parse("[::1:80", -EINVAL);
    parse("[]:80", -EINVAL);
    parse("[junk]:80", -EINVAL);
    parse("a b:80", -EINVAL);
    parse("127.0.0.1:80/x", -EINVAL);
    assert_int_equal(fs_addr_parse(NULL, &ss, err, sizeof(err)), -EINVAL);
    /* A message that does not fit is cut, not overflowed. */
    assert_int_equal(fs_addr_parse("0.0.0.0:1", &ss, err, 8), -EADDRNOTAVAIL);
    assert_int_equal(strlen(err), 7);
}

static void test_format_small_buffer(void **state)
{
    struct sockaddr_in sin;
    char buf[8];

    (void)state;
    memset(&sin, 0, sizeof(sin));
    sin.sin_family = AF_INET;
    sin.sin_port = htons(8080);
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(fs_addr_format((const struct sockaddr *)&sin, buf, sizeof(buf)), -ENOSPC);
    sin.sin_family = AF_UNIX;
    assert_int_equal(fs_addr_format((const struct sockaddr *)&sin, buf, sizeof(buf)),
                     -EAFNOSUPPORT);
    assert_int_equal(fs_addr_port((const struct sockaddr *)&sin), -EAFNOSUPPORT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_loopback_accepted), cmocka_unit_test(test_port_and_family),
        cmocka_unit_test(test_not_loopback),      cmocka_unit_test(test_is_loopback),
        cmocka_unit_test(test_syntax_errors),     cmocka_unit_test(test_format_small_buffer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
