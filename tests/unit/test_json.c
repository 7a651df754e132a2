#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fs_json.h"

#define MB (1u << 20)

static int parse(const char *text, cJSON **out, char *err, size_t errlen)
{
    return fs_json_parse(text, strlen(text), MB, out, err, errlen);
}

static void test_valid(void **state)
{
    char err[256] = "";
    cJSON *root;

    (void)state;
    assert_int_equal(
        parse(" {\"version\":3,\"features\":[{\"name\":\"ua:curl\"}]} \n", &root, err, sizeof(err)),
        0);
    assert_non_null(root);
    assert_int_equal(cJSON_GetObjectItemCaseSensitive(root, "version")->valueint, 3);
    cJSON_Delete(root);
    assert_int_equal(parse("42", &root, err, sizeof(err)), 0);
    assert_true(cJSON_IsNumber(root));
    cJSON_Delete(root);
}

static void test_not_null_terminated(void **state)
{
    /* Only len bytes are the document; what follows must not be read. */
    const char buf[] = "[1,2]xxxx";
    char err[256];
    cJSON *root;

    (void)state;
    assert_int_equal(fs_json_parse(buf, 5, MB, &root, err, sizeof(err)), 0);
    assert_int_equal(cJSON_GetArraySize(root), 2);
    cJSON_Delete(root);
    assert_int_equal(fs_json_parse(buf, 6, MB, &root, err, sizeof(err)), -EINVAL);
    assert_null(root);
}

static void test_empty(void **state)
{
    char err[256];
    cJSON *root = (cJSON *)&err;

    (void)state;
    assert_int_equal(parse("", &root, err, sizeof(err)), -ENODATA);
    assert_null(root);
    assert_string_equal(err, "empty document");
    assert_int_equal(parse(" \n\t\r\n ", &root, err, sizeof(err)), -ENODATA);
    assert_int_equal(fs_json_parse(NULL, 0, MB, &root, err, sizeof(err)), -ENODATA);
}

static void test_trailing_garbage(void **state)
{
    char err[256];
    cJSON *root;

    (void)state;
    assert_int_equal(parse("{\"a\":1} x", &root, err, sizeof(err)), -EINVAL);
    assert_null(root);
    assert_string_equal(err, "line 1 column 9: trailing data after the document near 'x'");
    assert_int_equal(parse("{}{}", &root, err, sizeof(err)), -EINVAL);
    assert_int_equal(parse("1 2", &root, err, sizeof(err)), -EINVAL);
}

static void test_error_position(void **state)
{
    char err[256];
    cJSON *root;

    (void)state;
    assert_int_equal(parse("{\n  \"a\": 1,\n  \"b\": ?oops\n}\n", &root, err, sizeof(err)),
                     -EINVAL);
    assert_null(root);
    assert_string_equal(err, "line 3 column 8: syntax error near '?oops'");
    assert_int_equal(parse("[1,2", &root, err, sizeof(err)), -EINVAL);
    assert_non_null(strstr(err, "line 1 column "));
    assert_int_equal(parse("{\"a\":tru}", &root, err, sizeof(err)), -EINVAL);
    assert_non_null(strstr(err, "syntax error"));
}

static void test_too_big(void **state)
{
    size_t len = 10 * MB;
    char *buf = malloc(len);
    char err[256];
    cJSON *root;

    (void)state;
    assert_non_null(buf);
    memset(buf, ' ', len);
    buf[0] = '[';
    buf[len - 1] = ']';
    assert_int_equal(fs_json_parse(buf, len, MB, &root, err, sizeof(err)), -E2BIG);
    assert_null(root);
    assert_string_equal(err, "document is 10485760 bytes, limit 1048576");
    /* At the limit exactly it parses. */
    assert_int_equal(fs_json_parse(buf + len - MB, MB, MB, &root, err, sizeof(err)), -EINVAL);
    buf[len - MB] = '[';
    assert_int_equal(fs_json_parse(buf + len - MB, MB, MB, &root, err, sizeof(err)), 0);
    cJSON_Delete(root);
    free(buf);
}

static void test_deep_nesting(void **state)
{
    size_t depth = 100000;
    char *buf = malloc(2 * depth);
    char err[256];
    cJSON *root;

    (void)state;
    assert_non_null(buf);
    memset(buf, '[', depth);
    memset(buf + depth, ']', depth);
    assert_int_equal(fs_json_parse(buf, 2 * depth, MB, &root, err, sizeof(err)), -EINVAL);
    assert_null(root);
    assert_string_equal(err, "line 1 column 1001: nested deeper than 1000 levels near "
                             "'[[[[[[[[[[[[[[[['");
    /* Unbalanced too. */
    assert_int_equal(fs_json_parse(buf, depth, MB, &root, err, sizeof(err)), -EINVAL);
    /* Shallow nesting is fine. */
    assert_int_equal(fs_json_parse(buf + depth - 100, 200, MB, &root, err, sizeof(err)), 0);
    cJSON_Delete(root);
    free(buf);
}

static void test_position(void **state)
{
    const char *t = "ab\ncd\n\nef";
    int line, col;

    (void)state;
    fs_json_position(t, 0, &line, &col);
    assert_int_equal(line, 1);
    assert_int_equal(col, 1);
    fs_json_position(t, 4, &line, &col);
    assert_int_equal(line, 2);
    assert_int_equal(col, 2);
    fs_json_position(t, 8, &line, &col);
    assert_int_equal(line, 4);
    assert_int_equal(col, 2);
}

static void test_paths(void **state)
{
    char a[64], b[64], c[12];

    (void)state;
    assert_string_equal(fs_json_path_key(a, sizeof(a), NULL, "features"), "$.features");
    assert_string_equal(fs_json_path_key(a, sizeof(a), "", "a"), "$.a");
    assert_string_equal(fs_json_path_index(b, sizeof(b), a, 3), "$.a[3]");
    assert_string_equal(fs_json_path_key(a, sizeof(a), b, "weight"), "$.a[3].weight");
    assert_string_equal(fs_json_path_index(b, sizeof(b), NULL, 0), "$[0]");
    assert_string_equal(fs_json_path_key(a, sizeof(a), "$", "a b"), "$[\"a b\"]");
    assert_string_equal(fs_json_path_key(a, sizeof(a), "$", "x\"y.z"), "$[\"x\\\"y.z\"]");
    /* Truncated, never overflowed. */
    assert_string_equal(fs_json_path_key(c, sizeof(c), "$.features", "weight"), "$.features.");
    assert_int_equal(strlen(fs_json_path_key(c, sizeof(c), "$", "a very long key")), 11);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid),          cmocka_unit_test(test_not_null_terminated),
        cmocka_unit_test(test_empty),          cmocka_unit_test(test_trailing_garbage),
        cmocka_unit_test(test_error_position), cmocka_unit_test(test_too_big),
        cmocka_unit_test(test_deep_nesting),   cmocka_unit_test(test_position),
        cmocka_unit_test(test_paths),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
