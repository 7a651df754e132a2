#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "topology.h"

static void test_names_roundtrip(void **state)
{
    (void)state;
    for (int i = 0; i < FS_SVC_COUNT; i++) {
        fs_svc_t s;

        assert_int_equal(fs_svc_parse(fs_svc_name((fs_svc_t)i), &s), 0);
        assert_int_equal(s, i);
    }
    for (int i = 0; i < FS_IF_COUNT; i++) {
        fs_iface_t f;
        char want[64];

        assert_int_equal(fs_iface_parse(fs_iface_name((fs_iface_t)i), &f), 0);
        assert_int_equal(f, i);
        snprintf(want, sizeof(want), "%s->%s", fs_svc_name(fs_iface_from(f)),
                 fs_svc_name(fs_iface_to(f)));
        assert_string_equal(fs_iface_name(f), want);
    }
    fs_svc_t s;
    fs_iface_t f;
    assert_int_equal(fs_svc_parse("Botmod", &s), -ENOENT);
    assert_int_equal(fs_svc_parse(NULL, &s), -ENOENT);
    assert_int_equal(fs_iface_parse("botmod->proxy", &f), -ENOENT);
    assert_string_equal(fs_iface_name(FS_IF_PROXY_BOTMOD), "proxy->botmod");
    assert_string_equal(fs_svc_name(FS_SVC_COUNT), "?");
}

static void test_instances(void **state)
{
    (void)state;
    assert_int_equal(fs_svc_instances(FS_SVC_PROXY, 4), 4);
    assert_int_equal(fs_svc_instances(FS_SVC_BOTMOD, 64), 64);
    assert_int_equal(fs_svc_instances(FS_SVC_CONFIGSTORE, 4), 1);
    assert_int_equal(fs_svc_instances(FS_SVC_DASHBOARD, 4), 1);
    assert_int_equal(fs_svc_instances(FS_SVC_ORIGIN, 4), 1);
    assert_int_equal(fs_svc_instances(FS_SVC_CLIENT, 4), 0);
    assert_int_equal(fs_svc_instances(FS_SVC_USER, 4), 0);
    assert_true(fs_svc_is_process(FS_SVC_ORIGIN));
    assert_false(fs_svc_is_process(FS_SVC_CLIENT));
    assert_true(fs_iface_is_entry(FS_IF_CLIENT_PROXY));
    assert_true(fs_iface_is_entry(FS_IF_USER_DASHBOARD));
    assert_false(fs_iface_is_entry(FS_IF_PROXY_BOTMOD));
}

static void test_links(void **state)
{
    int from[FS_MAX_NODES], to[FS_MAX_NODES], n;

    (void)state;
    n = fs_iface_links(FS_IF_PROXY_BOTMOD, 4, from, to);
    assert_int_equal(n, 4);
    for (int i = 0; i < n; i++) {
        assert_int_equal(from[i], i);
        assert_int_equal(to[i], i);
    }
    n = fs_iface_links(FS_IF_PROXY_ORIGIN, 3, from, to);
    assert_int_equal(n, 3);
    assert_int_equal(from[2], 2);
    assert_int_equal(to[2], 0);
    n = fs_iface_links(FS_IF_BOTMOD_CONFIGSTORE, 64, from, to);
    assert_int_equal(n, 64);
    assert_int_equal(from[63], 63);
    assert_int_equal(to[63], 0);
    n = fs_iface_links(FS_IF_DASHBOARD_BOTMOD, 4, from, to);
    assert_int_equal(n, 1);
    assert_int_equal(from[0], 0);
    assert_int_equal(to[0], 0);
    n = fs_iface_links(FS_IF_DASHBOARD_CONFIGSTORE, 4, from, to);
    assert_int_equal(n, 1);
    n = fs_iface_links(FS_IF_CLIENT_PROXY, 4, from, to);
    assert_int_equal(n, 4);
    assert_int_equal(from[3], 3);
    assert_int_equal(to[3], 3);
    n = fs_iface_links(FS_IF_USER_DASHBOARD, 4, from, to);
    assert_int_equal(n, 1);
    assert_int_equal(fs_iface_links(FS_IF_COUNT, 4, from, to), 0);
    /* More nodes than the arrays hold are clamped, never overrun. */
    assert_int_equal(fs_iface_links(FS_IF_PROXY_BOTMOD, 1000, from, to), FS_MAX_NODES);
}

static void target_ok(const char *text, unsigned nodes, fs_target_kind_t kind)
{
    fs_target_t t;
    char err[256] = "", buf[64];

    assert_int_equal(fs_target_parse(text, nodes, &t, err, sizeof(err)), 0);
    assert_int_equal(t.kind, kind);
    assert_string_equal(fs_target_format(&t, buf, sizeof(buf)), text);
}

static void test_target_ok(void **state)
{
    fs_target_t t;
    char err[128];

    (void)state;
    target_ok("botmod", 4, FS_TARGET_SERVICE);
    target_ok("configstore", 4, FS_TARGET_SERVICE);
    target_ok("botmod[3]", 4, FS_TARGET_INSTANCE);
    target_ok("origin[0]", 4, FS_TARGET_INSTANCE);
    target_ok("proxy->botmod", 4, FS_TARGET_IFACE);
    target_ok("client->proxy", 4, FS_TARGET_IFACE);
    target_ok("proxy[1]->botmod[1]", 4, FS_TARGET_LINK);
    target_ok("proxy[2]->origin[0]", 4, FS_TARGET_LINK);
    target_ok("dashboard[0]->botmod[0]", 4, FS_TARGET_LINK);
    target_ok("botmod[63]", 64, FS_TARGET_INSTANCE);
    assert_int_equal(fs_target_parse("proxy[1]->botmod[1]", 4, &t, err, sizeof(err)), 0);
    assert_int_equal(t.iface, FS_IF_PROXY_BOTMOD);
    assert_int_equal(t.from, 1);
    assert_int_equal(t.to, 1);
    assert_int_equal(fs_target_parse("botmod[2]", 4, &t, err, sizeof(err)), 0);
    assert_int_equal(t.svc, FS_SVC_BOTMOD);
    assert_int_equal(t.index, 2);
}

static void target_bad(const char *text, unsigned nodes, const char *want)
{
    fs_target_t t;
    char err[512] = "";

    if (fs_target_parse(text, nodes, &t, err, sizeof(err)) != -EINVAL)
        fail_msg("target %s: accepted", text ? text : "NULL");
    if (strstr(err, want) == NULL)
        fail_msg("target %s: got \"%s\", want \"%s\"", text ? text : "NULL", err, want);
}

static void test_target_bad(void **state)
{
    (void)state;
    target_bad("", 4, "empty target");
    target_bad(NULL, 4, "empty target");
    target_bad("botmod[7]", 4, "\"botmod[7]\": the fleet has 4 nodes (botmod[0]..botmod[3])");
    target_bad("botmod[4]", 4, "the fleet has 4 nodes");
    target_bad("configstore[1]", 4, "there is one configstore, configstore[0]");
    target_bad("client[0]", 4, "client is the load generator");
    target_bad("bot", 4, "\"bot\": unknown service");
    target_bad("Botmod", 4, "unknown service");
    target_bad(" botmod", 4, "unknown service");
    target_bad("botmod[", 4, "not a target");
    target_bad("botmod[]", 4, "not a target");
    target_bad("botmod[x]", 4, "not a target");
    target_bad("botmod[-1]", 4, "not a target");
    target_bad("botmod[01]", 4, "not a target");
    target_bad("botmod[1]x", 4, "not a target");
    target_bad("botmod[99999999999]", 4, "not a target");
    target_bad("proxy->dashboard", 4, "\"proxy->dashboard\": unknown interface");
    target_bad("botmod->proxy", 4, "unknown interface");
    target_bad("proxy->", 4, "unknown service");
    target_bad("->botmod", 4, "unknown service");
    target_bad("proxy->botmod->origin", 4, "unknown service");
    target_bad("proxy[1]->botmod", 4, "name both instances");
    target_bad("proxy[1]->botmod[2]", 4, "carries no traffic (proxy[1] calls botmod[1])");
    target_bad("proxy[5]->botmod[5]", 4, "the fleet has 4 nodes");
    target_bad("dashboard[0]->botmod[2]", 4, "carries no traffic (dashboard[0] calls botmod[0])");
    target_bad("client[1]->proxy[2]", 4, "carries no traffic");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names_roundtrip), cmocka_unit_test(test_instances),
        cmocka_unit_test(test_links),           cmocka_unit_test(test_target_ok),
        cmocka_unit_test(test_target_bad),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
