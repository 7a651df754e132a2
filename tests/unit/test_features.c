/* Feature file loader: the 200-row limit, every kind of bad file, and the
 * table left untouched whenever a load fails. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../fleet/botmod/features.h"

/* A feature file of n rows; with dup, every name appears twice (n/2 names),
 * like the incident's file. Caller frees. */
static char *make_file(int n, int dup, size_t *len)
{
    size_t cap = 64 + (size_t)n * 48;
    char *buf = malloc(cap);
    size_t off;

    assert_non_null(buf);
    off = (size_t)snprintf(buf, cap, "{\"version\":3,\"features\":[");
    for (int i = 0; i < n; i++)
        off += (size_t)snprintf(buf + off, cap - off, "%s{\"name\":\"f%d\",\"weight\":0.01}",
                                i ? "," : "", dup ? i / 2 : i);
    off += (size_t)snprintf(buf + off, cap - off, "]}");
    assert_true(off < cap);
    *len = off;
    return buf;
}

static const char good_file[] =
    "{\"version\":9,\"features\":[{\"name\":\"ua:curl\",\"weight\":0.5},"
    "{\"name\":\"lang:missing\",\"weight\":-0.25},{\"name\":\"x\",\"weight\":1}]}";

static void load_good(fs_features_t *t)
{
    char err[256] = "";

    fs_features_init(t);
    assert_int_equal(fs_features_load(t, good_file, strlen(good_file), err, sizeof(err)), 0);
    assert_int_equal(t->count, 3);
}

/* Loads buf over a known table and checks the error code, the message and
 * that the table did not change at all. */
static void expect_fail(const char *buf, size_t len, int rc, const char *msg)
{
    static fs_features_t t, before;
    char err[256] = "";

    load_good(&t);
    before = t;
    assert_int_equal(fs_features_load(&t, buf, len, err, sizeof(err)), rc);
    if (msg != NULL && strstr(err, msg) == NULL)
        fail_msg("error \"%s\" does not contain \"%s\"", err, msg);
    assert_memory_equal(&t, &before, sizeof(t));
}

static void expect_fail_str(const char *buf, int rc, const char *msg)
{
    expect_fail(buf, strlen(buf), rc, msg);
}

static void test_good_file(void **state)
{
    fs_features_t t;

    (void)state;
    load_good(&t);
    assert_int_equal(t.version, 9);
    assert_string_equal(t.features[0].name, "ua:curl");
    assert_true(t.features[0].weight == 0.5);
    assert_string_equal(t.features[1].name, "lang:missing");
    assert_true(t.features[1].weight == -0.25);
    assert_true(t.features[2].weight == 1.0);
}

static void test_exactly_200(void **state)
{
    static fs_features_t t;
    char err[256] = "";
    size_t len;
    char *buf = make_file(200, 0, &len);

    (void)state;
    fs_features_init(&t);
    assert_int_equal(fs_features_load(&t, buf, len, err, sizeof(err)), 0);
    assert_int_equal(t.count, 200);
    assert_string_equal(t.features[199].name, "f199");
    free(buf);
}

static void test_zero_features(void **state)
{
    fs_features_t t;
    char err[256] = "";

    (void)state;
    load_good(&t);
    assert_int_equal(fs_features_load(&t, "{\"features\":[]}", 15, err, sizeof(err)), 0);
    assert_int_equal(t.count, 0);
    assert_int_equal(t.version, 0);
}

static void test_201(void **state)
{
    size_t len;
    char *buf = make_file(201, 0, &len);

    (void)state;
    expect_fail(buf, len, -E2BIG, "201 features, limit 200");
    free(buf);
}

static void test_240_duplicated(void **state)
{
    size_t len;
    char *buf = make_file(240, 1, &len);

    (void)state;
    expect_fail(buf, len, -E2BIG, "240 features, limit 200");
    free(buf);
}

static void test_10000(void **state)
{
    size_t len;
    char *buf = make_file(10000, 0, &len);

    (void)state;
    expect_fail(buf, len, -E2BIG, "10000 features, limit 200");
    free(buf);
}

static void test_duplicates_under_limit(void **state)
{
    fs_features_t t;
    char err[256] = "";
    size_t len;
    char *buf = make_file(120, 1, &len);

    (void)state;
    fs_features_init(&t);
    assert_int_equal(fs_features_load(&t, buf, len, err, sizeof(err)), 0);
    assert_int_equal(t.count, 120);
    assert_string_equal(t.features[0].name, t.features[1].name);
    free(buf);
}

static void test_malformed(void **state)
{
    (void)state;
    expect_fail_str("{\"features\":[{\"name\":\"a\",}]}", -EINVAL, "line 1 column");
    expect_fail_str("{\"features\":[]}\n{\"features\":[]}", -EINVAL, "line 2 column 1");
    expect_fail_str("not json", -EINVAL, "line 1 column 1");
}

static void test_truncated(void **state)
{
    size_t len;
    char *buf = make_file(150, 0, &len);

    (void)state;
    expect_fail(buf, len / 2, -EINVAL, "line 1 column");
    free(buf);
}

static void test_wrong_types(void **state)
{
    (void)state;
    expect_fail_str("{\"features\":[{\"name\":\"a\",\"weight\":0},{\"name\":\"b\",\"weight\":0},"
                    "{\"name\":\"c\",\"weight\":0},{\"name\":\"d\",\"weight\":\"x\"}]}",
                    -EINVAL, "$.features[3].weight: expected a number");
    expect_fail_str("{\"features\":[{\"name\":5,\"weight\":0}]}", -EINVAL,
                    "$.features[0].name: expected a string");
    expect_fail_str("{\"features\":{\"name\":\"a\",\"weight\":0}}", -EINVAL,
                    "$.features: expected an array");
    expect_fail_str("[{\"name\":\"a\",\"weight\":0}]", -EINVAL, "$: expected an object");
    expect_fail_str("{\"features\":[7]}", -EINVAL, "$.features[0]: expected an object");
    expect_fail_str("{\"features\":[{\"name\":\"a\"}]}", -EINVAL, "$.features[0].weight: missing");
    expect_fail_str("{\"features\":[{\"weight\":0}]}", -EINVAL, "$.features[0].name: missing");
    expect_fail_str("{\"version\":1}", -EINVAL, "$.features: missing");
    expect_fail_str("{\"version\":\"2\",\"features\":[]}", -EINVAL, "$.version");
    expect_fail_str("{\"version\":-1,\"features\":[]}", -EINVAL, "$.version");
    expect_fail_str("{\"version\":1.5,\"features\":[]}", -EINVAL, "$.version");
    expect_fail_str("{\"features\":[{\"name\":\"a\",\"weight\":true}]}", -EINVAL,
                    "expected a number");
    expect_fail_str("{\"features\":[{\"name\":\"a\",\"weight\":null}]}", -EINVAL,
                    "expected a number");
    expect_fail_str("\"features\"", -EINVAL, "$: expected an object");
}

static void test_empty(void **state)
{
    (void)state;
    expect_fail("", 0, -ENODATA, "empty");
    expect_fail_str(" \n\t ", -ENODATA, "empty");
}

static void test_10mb(void **state)
{
    size_t len = 10u << 20;
    char *buf = malloc(len);

    (void)state;
    assert_non_null(buf);
    memset(buf, ' ', len);
    memcpy(buf, "{\"features\":[]}", 15);
    expect_fail(buf, len, -E2BIG, "limit");
    free(buf);
}

static void test_deep_nesting(void **state)
{
    size_t len = 100000;
    char *buf = malloc(len);

    (void)state;
    assert_non_null(buf);
    memset(buf, '[', len);
    expect_fail(buf, len, -EINVAL, "line 1 column");
    buf[0] = '{';
    memcpy(buf, "{\"features\":", 12);
    expect_fail(buf, len, -EINVAL, "line 1 column");
    free(buf);
}

static void test_unknown_fields(void **state)
{
    static const char f[] = "{\"version\":4,\"owner\":\"ml\",\"features\":[{\"name\":\"a\","
                            "\"weight\":0.1,\"comment\":{\"x\":[1,2]}}],\"extra\":[null]}";
    fs_features_t t;
    char err[256] = "";

    (void)state;
    fs_features_init(&t);
    assert_int_equal(fs_features_load(&t, f, strlen(f), err, sizeof(err)), 0);
    assert_int_equal(t.count, 1);
    assert_int_equal(t.version, 4);
}

static void test_weight_range(void **state)
{
    static const char edge[] = "{\"features\":[{\"name\":\"a\",\"weight\":-1},"
                               "{\"name\":\"b\",\"weight\":1}]}";
    fs_features_t t;
    char err[256] = "";

    (void)state;
    fs_features_init(&t);
    assert_int_equal(fs_features_load(&t, edge, strlen(edge), err, sizeof(err)), 0);
    assert_int_equal(t.count, 2);
    expect_fail_str("{\"features\":[{\"name\":\"a\",\"weight\":1.5}]}", -EINVAL,
                    "$.features[0].weight: must be a finite number in [-1, 1]");
    expect_fail_str("{\"features\":[{\"name\":\"a\",\"weight\":-1.01}]}", -EINVAL,
                    "$.features[0].weight");
    expect_fail_str("{\"features\":[{\"name\":\"a\",\"weight\":1e999}]}", -EINVAL,
                    "$.features[0].weight");
}

static void test_name_length(void **state)
{
    char buf[256], name[80];
    fs_features_t t;
    char err[256] = "";

    (void)state;
    memset(name, 'n', 64);
    name[64] = '\0';
    snprintf(buf, sizeof(buf), "{\"features\":[{\"name\":\"%s\",\"weight\":0}]}", name);
    fs_features_init(&t);
    assert_int_equal(fs_features_load(&t, buf, strlen(buf), err, sizeof(err)), 0);
    assert_string_equal(t.features[0].name, name);

    name[64] = 'n';
    name[65] = '\0';
    snprintf(buf, sizeof(buf), "{\"features\":[{\"name\":\"%s\",\"weight\":0}]}", name);
    expect_fail_str(buf, -EINVAL, "$.features[0].name: must be 1..64 bytes, got 65");
    expect_fail_str("{\"features\":[{\"name\":\"\",\"weight\":0}]}", -EINVAL,
                    "$.features[0].name: must be 1..64 bytes, got 0");
}

static void test_defaults(void **state)
{
    fs_features_t t;

    (void)state;
    fs_features_init(&t);
    assert_int_equal(fs_features_defaults(&t), 0);
    assert_int_equal(t.count, 6);
    assert_string_equal(t.features[0].name, "ua:curl");
    assert_true(t.features[0].weight == 0.6);
    assert_string_equal(t.features[4].name, "lang:missing");
    assert_string_equal(t.features[5].name, "cookie:missing");
    assert_true(t.features[5].weight == 0.1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_file),
        cmocka_unit_test(test_exactly_200),
        cmocka_unit_test(test_zero_features),
        cmocka_unit_test(test_201),
        cmocka_unit_test(test_240_duplicated),
        cmocka_unit_test(test_10000),
        cmocka_unit_test(test_duplicates_under_limit),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_truncated),
        cmocka_unit_test(test_wrong_types),
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_10mb),
        cmocka_unit_test(test_deep_nesting),
        cmocka_unit_test(test_unknown_fields),
        cmocka_unit_test(test_weight_range),
        cmocka_unit_test(test_name_length),
        cmocka_unit_test(test_defaults),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
