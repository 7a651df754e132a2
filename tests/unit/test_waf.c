/* Unit tests for fleet/proxy/waf.c: rules loading, killswitch, the old
 * engine's nil `execute` bug and its guard, and rejected files. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../fleet/proxy/waf.h"

static const char *const rules_ok =
    "{\"version\":3,\"rules\":["
    "{\"id\":\"block-admin\",\"path_prefix\":\"/admin\",\"action\":\"block\"},"
    "{\"id\":\"log-api\",\"path_prefix\":\"/api\",\"action\":\"log\",\"owner\":\"sec\"},"
    "{\"id\":\"block-api-internal\",\"path_prefix\":\"/api/internal\",\"action\":\"block\"}],"
    "\"comment\":{\"nested\":[1,2,3]}}";

static const char *const rules_killed =
    "{\"version\":4,\"rules\":["
    "{\"id\":\"block-admin\",\"path_prefix\":\"/admin\",\"action\":\"block\"},"
    "{\"id\":\"log-api\",\"path_prefix\":\"/api\",\"action\":\"log\"}],"
    "\"killswitch\":[\"block-admin\"]}";

static fs_waf_rules_t *parse_ok(const char *text)
{
    fs_waf_rules_t *r = NULL;
    char err[256] = "";
    int rc = fs_waf_rules_parse(text, strlen(text), &r, err, sizeof(err));

    if (rc != 0)
        print_error("unexpected error: %s\n", err);
    assert_int_equal(rc, 0);
    assert_non_null(r);
    return r;
}

/* Expects text to be rejected with rc and an error containing want. */
static void parse_bad(const char *text, size_t len, int rc_want, const char *want)
{
    fs_waf_rules_t *r = (fs_waf_rules_t *)&r;
    char err[256] = "";
    int rc = fs_waf_rules_parse(text, len, &r, err, sizeof(err));

    assert_int_equal(rc, rc_want);
    assert_null(r);
    if (strstr(err, want) == NULL)
        print_error("error \"%s\" lacks \"%s\"\n", err, want);
    assert_non_null(strstr(err, want));
}

static void eval(const fs_waf_rules_t *r, fs_waf_engine_t engine, int guard, const char *path,
                 int rc_want, fs_waf_verdict_t verdict, const char *rule)
{
    fs_waf_result_t res;
    char err[256] = "";
    int rc = fs_waf_eval(r, engine, guard, path, &res, err, sizeof(err));

    assert_int_equal(rc, rc_want);
    if (rc != 0) {
        assert_string_equal(err, "attempt to index field 'execute' (a nil value)");
        return;
    }
    assert_int_equal(res.verdict, verdict);
    if (rule)
        assert_string_equal(res.rule, rule);
    else
        assert_null(res.rule);
}

static void test_parse_valid(void **state)
{
    fs_waf_rules_t *r = parse_ok(rules_ok);

    (void)state;
    assert_int_equal(fs_waf_rules_count(r), 3);
    assert_int_equal(fs_waf_rules_killed(r), 0);
    assert_int_equal(fs_waf_rules_version(r), 3);
    fs_waf_rules_free(r);

    r = parse_ok("{\"rules\":[]}");
    assert_int_equal(fs_waf_rules_count(r), 0);
    assert_int_equal(fs_waf_rules_version(r), 0);
    fs_waf_rules_free(r);
}

static void test_block_and_log(void **state)
{
    fs_waf_rules_t *r = parse_ok(rules_ok);

    (void)state;
    for (int e = FS_WAF_ENGINE_NEW; e <= FS_WAF_ENGINE_OLD; e++) {
        eval(r, e, 0, "/admin/users", 0, FS_WAF_BLOCK, "block-admin");
        eval(r, e, 0, "/api/v1", 0, FS_WAF_LOG, "log-api");
        /* A block rule wins over an earlier log rule. */
        eval(r, e, 0, "/api/internal/x", 0, FS_WAF_BLOCK, "block-api-internal");
        eval(r, e, 0, "/shop", 0, FS_WAF_PASS, NULL);
        eval(r, e, 0, "/", 0, FS_WAF_PASS, NULL);
    }
    fs_waf_rules_free(r);
}

static void test_no_rules(void **state)
{
    (void)state;
    eval(NULL, FS_WAF_ENGINE_OLD, 0, "/admin", 0, FS_WAF_PASS, NULL);
    eval(NULL, FS_WAF_ENGINE_NEW, 1, "/admin", 0, FS_WAF_PASS, NULL);
}

static void test_killswitch_new_engine(void **state)
{
    fs_waf_rules_t *r = parse_ok(rules_killed);

    (void)state;
    assert_int_equal(fs_waf_rules_killed(r), 1);
    eval(r, FS_WAF_ENGINE_NEW, 0, "/admin", 0, FS_WAF_PASS, NULL);
    eval(r, FS_WAF_ENGINE_NEW, 0, "/api/x", 0, FS_WAF_LOG, "log-api");
    eval(r, FS_WAF_ENGINE_NEW, 0, "/shop", 0, FS_WAF_PASS, NULL);
    fs_waf_rules_free(r);
}

static void test_killswitch_old_engine_fails_every_request(void **state)
{
    fs_waf_rules_t *r = parse_ok(rules_killed);
    const char *paths[] = {"/admin", "/api/x", "/shop", "/"};

    (void)state;
    for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
        eval(r, FS_WAF_ENGINE_OLD, 0, paths[i], -EFAULT, FS_WAF_PASS, NULL);
    fs_waf_rules_free(r);
}

static void test_killswitch_old_engine_guarded(void **state)
{
    fs_waf_rules_t *r = parse_ok(rules_killed);

    (void)state;
    eval(r, FS_WAF_ENGINE_OLD, 1, "/admin", 0, FS_WAF_PASS, NULL);
    eval(r, FS_WAF_ENGINE_OLD, 1, "/api/x", 0, FS_WAF_LOG, "log-api");
    eval(r, FS_WAF_ENGINE_OLD, 1, "/shop", 0, FS_WAF_PASS, NULL);
    fs_waf_rules_free(r);
}

static void test_killswitch_unknown_rule(void **state)
{
    fs_waf_rules_t *r =
        parse_ok("{\"rules\":[{\"id\":\"a\",\"path_prefix\":\"/a\",\"action\":\"block\"}],"
                 "\"killswitch\":[\"nope\",\"a\",\"a\"]}");

    (void)state;
    assert_int_equal(fs_waf_rules_killed(r), 1);
    fs_waf_rules_free(r);

    r = parse_ok("{\"rules\":[{\"id\":\"a\",\"path_prefix\":\"/a\",\"action\":\"block\"}],"
                 "\"killswitch\":[\"nope\"]}");
    assert_int_equal(fs_waf_rules_killed(r), 0);
    /* No rule was skipped, so even the unguarded old engine is fine. */
    eval(r, FS_WAF_ENGINE_OLD, 0, "/a", 0, FS_WAF_BLOCK, "a");
    fs_waf_rules_free(r);
}

static void test_invalid_files(void **state)
{
    (void)state;
#define BAD(text, rc, want) parse_bad(text, strlen(text), rc, want)
    BAD("", -ENODATA, "empty");
    BAD("  \n ", -ENODATA, "empty");
    BAD("{\"rules\":[", -EINVAL, "line 1 column");
    BAD("{\"rules\":[]}\n{}", -EINVAL, "line 2 column 1");
    BAD("[]", -EINVAL, "$: expected an object");
    BAD("{}", -EINVAL, "$.rules: required");
    BAD("{\"rules\":{}}", -EINVAL, "$.rules: expected an array");
    BAD("{\"version\":\"3\",\"rules\":[]}", -EINVAL, "$.version: expected a non-negative integer");
    BAD("{\"version\":-1,\"rules\":[]}", -EINVAL, "$.version");
    BAD("{\"version\":1.5,\"rules\":[]}", -EINVAL, "$.version");
    BAD("{\"rules\":[42]}", -EINVAL, "$.rules[0]: expected an object");
    BAD("{\"rules\":[{\"id\":\"a\",\"path_prefix\":\"/a\",\"action\":\"block\"},"
        "{\"path_prefix\":\"/b\",\"action\":\"block\"}]}",
        -EINVAL, "$.rules[1].id: required");
    BAD("{\"rules\":[{\"id\":7,\"path_prefix\":\"/a\",\"action\":\"block\"}]}", -EINVAL,
        "$.rules[0].id: expected a string");
    BAD("{\"rules\":[{\"id\":\"\",\"path_prefix\":\"/a\",\"action\":\"block\"}]}", -EINVAL,
        "$.rules[0].id: expected 1..64 bytes");
    BAD("{\"rules\":[{\"id\":\"a\",\"path_prefix\":true,\"action\":\"block\"}]}", -EINVAL,
        "$.rules[0].path_prefix: expected a string");
    BAD("{\"rules\":[{\"id\":\"a\",\"path_prefix\":\"admin\",\"action\":\"block\"}]}", -EINVAL,
        "$.rules[0].path_prefix: must start with '/'");
    BAD("{\"rules\":[{\"id\":\"a\",\"path_prefix\":\"/a\",\"action\":\"drop\"}]}", -EINVAL,
        "$.rules[0].action: expected \"block\" or \"log\"");
    BAD("{\"rules\":[{\"id\":\"a\",\"path_prefix\":\"/a\",\"action\":null}]}", -EINVAL,
        "$.rules[0].action: expected a string");
    BAD("{\"rules\":[{\"id\":\"a\",\"path_prefix\":\"/a\",\"action\":\"log\"},"
        "{\"id\":\"a\",\"path_prefix\":\"/b\",\"action\":\"log\"}]}",
        -EINVAL, "$.rules[1].id: duplicate rule id");
    BAD("{\"rules\":[],\"killswitch\":\"a\"}", -EINVAL, "$.killswitch: expected an array");
    BAD("{\"rules\":[],\"killswitch\":[\"a\",3]}", -EINVAL, "$.killswitch[1]: expected a string");
    BAD("{\"rules\":[[[[[[]]]]]]}", -EINVAL, "$.rules[0]: expected an object");
#undef BAD
}

static void test_oversize_file(void **state)
{
    size_t len = 10u << 20;
    char *big = malloc(len + 1);

    (void)state;
    assert_non_null(big);
    /* A syntactically fine document, so only the size can reject it. */
    memset(big, ' ', len);
    memcpy(big, "{\"rules\":[]}", 12);
    big[len] = '\0';
    parse_bad(big, len, -E2BIG, "limit");
    free(big);
}

static void test_deep_nesting(void **state)
{
    size_t depth = 100000, len = 2 * depth + 32;
    char *doc = malloc(len);
    size_t n = 0;

    (void)state;
    assert_non_null(doc);
    n += (size_t)sprintf(doc, "{\"rules\":[],\"x\":");
    for (size_t i = 0; i < depth; i++)
        doc[n++] = '[';
    for (size_t i = 0; i < depth; i++)
        doc[n++] = ']';
    doc[n++] = '}';
    parse_bad(doc, n, -EINVAL, "line 1 column");
    free(doc);
}

static void test_too_many_rules(void **state)
{
    size_t cap = (FS_WAF_MAX_RULES + 1) * 64 + 32, n = 0;
    char *doc = malloc(cap);

    (void)state;
    assert_non_null(doc);
    n += (size_t)sprintf(doc, "{\"rules\":[");
    for (int i = 0; i <= FS_WAF_MAX_RULES; i++)
        n += (size_t)sprintf(doc + n, "%s{\"id\":\"r%d\",\"path_prefix\":\"/\",\"action\":\"log\"}",
                             i ? "," : "", i);
    n += (size_t)sprintf(doc + n, "]}");
    parse_bad(doc, n, -EINVAL, "$.rules: 1001 rules, limit 1000");
    free(doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_valid),
        cmocka_unit_test(test_block_and_log),
        cmocka_unit_test(test_no_rules),
        cmocka_unit_test(test_killswitch_new_engine),
        cmocka_unit_test(test_killswitch_old_engine_fails_every_request),
        cmocka_unit_test(test_killswitch_old_engine_guarded),
        cmocka_unit_test(test_killswitch_unknown_rule),
        cmocka_unit_test(test_invalid_files),
        cmocka_unit_test(test_oversize_file),
        cmocka_unit_test(test_deep_nesting),
        cmocka_unit_test(test_too_many_rules),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
