#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsontext.h"

static int check(const char *text, size_t *off, char *what, size_t len)
{
    return fs_jtext_check(text, strlen(text), 32, off, what, len);
}

static void test_accepts_json(void **state)
{
    static const char *const good[] = {
        "{}",
        " [ ] ",
        "0",
        "-0",
        "-1.5e+300",
        "1E-3",
        "\"\"",
        "true",
        "null",
        "{\"a\": [1, 2, {\"b\": false}], \"c\": \"x\\\"y\\\\z\\/\\b\\f\\n\\r\\t\\u00e4\"}",
        "\"\\ud83d\\udca5\"",              /* a surrogate pair */
        "\"b\xc3\xa4r \xf0\x9f\x92\xa5\"", /* UTF-8 */
        "\t\r\n{\"a\":1}\n",
    };
    char what[256];
    size_t off;

    (void)state;
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        what[0] = '\0';
        if (check(good[i], &off, what, sizeof(what)) != 0)
            fail_msg("case %zu (%s): at %zu: %s", i, good[i], off, what);
    }
}

static void test_empty(void **state)
{
    char what[256];
    size_t off;

    (void)state;
    assert_int_equal(check("", &off, what, sizeof(what)), -ENODATA);
    assert_int_equal(check(" \n\t", &off, what, sizeof(what)), -ENODATA);
}

typedef struct {
    const char *text;
    size_t off;       /* the offending byte */
    const char *want; /* what starts with this */
} bad_t;

static void test_rejects(void **state)
{
    static const bad_t bad[] = {
        {"{\"a\":1,}", 6, "trailing comma before '}'"},
        {"[1,\n]", 2, "trailing comma before ']'"},
        {"{'a':1}", 1, "a key takes double quotes, not single ones"},
        {"['a']", 1, "JSON strings take double quotes"},
        {"{a:1}", 1, "expected a key in double quotes, got 'a'"},
        {"{\"a\" 1}", 5, "expected ':' after the key, got '1'"},
        {"{\"a\":1 \"b\":2}", 7,
         "expected ',' or '}' after the value, got '\"' (a missing comma?)"},
        {"[1 2]", 3, "expected ',' or ']' after the value, got '2'"},
        {"[1}", 2, "expected ',' or ']' after the value, got '}'"},
        {"{\"a\":}", 5, "expected a value, got '}'"},
        {"{\"a\":1", 6, "the file ends before the document does (1 bracket is still open)"},
        {"[[", 2, "the file ends before the document does (2 brackets are still open)"},
        {"{\"ab", 4, "the file ends inside the string that starts at line 1 column 2"},
        {"\"a\nb\"", 2, "missing closing quote: the line ends inside a string"},
        {"\"a\tb\"", 2, "control character U+0009 in a string"},
        {"\"a\0b\"", 2, "a NUL byte in a string"},
        {"\"a\\u0000b\"", 2, "\\u0000 is not allowed"},
        {"\"a\\u12G4\"", 2, "invalid escape: \\u needs four hex digits"},
        {"\"a\\u12\"", 2, "invalid escape: \\u needs four hex digits"},
        {"\"a\\q\"", 2, "invalid escape: a backslash followed by 'q'"},
        {"\"\\ud800\"", 1, "\\ud800 is half of a surrogate pair: a \\udc00..\\udfff must follow"},
        {"\"\\ud800\\u0041\"", 1, "\\ud800 is half of a surrogate pair"},
        {"\"\\udc00\"", 1, "\\udc00 is half of a surrogate pair without its first half"},
        {"\"b\xc3(\"", 2, "byte 0xc3 in a string is not UTF-8"},
        {"\"\xc0\xaf\"", 1, "byte 0xc0 in a string is not UTF-8"},         /* overlong '/' */
        {"\"\xed\xa0\x80\"", 1, "byte 0xed in a string is not UTF-8"},     /* a surrogate */
        {"\"\xf4\x90\x80\x80\"", 1, "byte 0xf4 in a string is not UTF-8"}, /* past U+10FFFF */
        {"\xe2\x80\x9c"
         "a\xe2\x80\x9d",
         0, "expected a value, got a typographic quote (U+201C)"},
        {"{} {}", 3, "trailing data after the document"},
        {"{}x", 2, "trailing data after the document"},
        {"// c\n{}", 0, "comments are not allowed in JSON"},
        {"[1, /* c */ 2]", 4, "comments are not allowed in JSON"},
        {"01", 0, "a number must not start with 0"},
        {"-", 1, "a '-' must be followed by digits"},
        {"-a", 1, "a '-' must be followed by digits"},
        {"+1", 0, "a number starts with a digit or '-'"},
        {".5", 0, "a number starts with a digit or '-'"},
        {"1.", 2, "a number needs digits after its decimal point"},
        {"1.e3", 2, "a number needs digits after its decimal point"},
        {"1e", 2, "a number needs digits in its exponent"},
        {"1e+", 3, "a number needs digits in its exponent"},
        {"[3s]", 1, "'3s' is not a number (a duration is a string in double quotes)"},
        {"[0x10]", 1, "'0x10' is not a number"},
        {"NaN", 0, "'NaN' is not a JSON value"},
        {"[Infinity]", 1, "'Infinity' is not a JSON value"},
        {"True", 0, "'True' is not a JSON value"},
        {"nullx", 0, "'nullx' is not a JSON value"},
        {"[\x01]", 1, "expected a value, got a control character (U+0001)"},
        {"[\x80]", 1, "expected a value, got byte 0x80, which is not UTF-8"},
        {"\0", 0, "expected a value, got a NUL byte"},
        {"\xc3\xa4", 0, "expected a value, got U+00E4"},
    };
    char what[256];
    size_t off;

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        /* The NUL cases hold their NUL inside: measure them by hand. */
        size_t len = strlen(bad[i].text);
        int rc;

        if (strcmp(bad[i].want, "a NUL byte in a string") == 0)
            len = 5;
        else if (strcmp(bad[i].want, "expected a value, got a NUL byte") == 0)
            len = 1;
        what[0] = '\0';
        off = (size_t)-1;
        rc = fs_jtext_check(bad[i].text, len, 32, &off, what, sizeof(what));
        if (rc != -EINVAL || off != bad[i].off ||
            strncmp(what, bad[i].want, strlen(bad[i].want)) != 0)
            fail_msg("case %zu: rc %d at %zu: %s\nwant -EINVAL at %zu: %s...", i, rc, off, what,
                     bad[i].off, bad[i].want);
    }
}

/* The limit holds at any depth of either kind, and the offending bracket
 * is the one past it; far deeper input costs nothing more. */
static void test_depth(void **state)
{
    size_t n = 100000, off;
    char *text = malloc(2 * n + 1), what[128];

    (void)state;
    assert_non_null(text);
    memset(text, '[', n);
    memset(text + n, ']', n);
    text[2 * n] = '\0';
    assert_int_equal(fs_jtext_check(text, 2 * n, 32, &off, what, sizeof(what)), -EINVAL);
    assert_int_equal(off, 32);
    assert_string_equal(what, "nested deeper than 32 levels");
    /* Exactly at the limit is fine. */
    assert_int_equal(fs_jtext_check(text + n - 32, 64, 32, &off, what, sizeof(what)), 0);
    assert_int_equal(fs_jtext_check(text + n - 3, 6, 2, &off, what, sizeof(what)), -EINVAL);
    assert_int_equal(off, 2);
    free(text);
    assert_int_equal(fs_jtext_check("{\"a\":{\"b\":[{}]}}", 16, 4, &off, what, sizeof(what)), 0);
    assert_int_equal(fs_jtext_check("{\"a\":{\"b\":[{}]}}", 16, 3, &off, what, sizeof(what)),
                     -EINVAL);
    assert_int_equal(off, 11);
    assert_int_equal(fs_jtext_check("{}", 2, 0, &off, what, sizeof(what)), -EINVAL);
    assert_int_equal(fs_jtext_check("{}", 2, FS_JTEXT_DEPTH_MAX + 1, &off, what, sizeof(what)),
                     -EINVAL);
}

/* Every prefix of a document is an error inside it, never a read past
 * its end (ASan would tell). */
static void test_prefixes(void **state)
{
    static const char doc[] = "{\"a\": [1.5e3, -0, true, null, \"x\\u00e4\\ud83d\\udca5\\n\"], "
                              "\"b\": {\"c\": \"\xc3\xa4\"}}";
    char what[256];
    size_t off;

    (void)state;
    for (size_t n = 1; n < sizeof(doc) - 1; n++) {
        off = (size_t)-1;
        assert_int_equal(fs_jtext_check(doc, n, 32, &off, what, sizeof(what)), -EINVAL);
        assert_true(off <= n);
    }
    assert_int_equal(fs_jtext_check(doc, sizeof(doc) - 1, 32, &off, what, sizeof(what)), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_accepts_json), cmocka_unit_test(test_empty),
        cmocka_unit_test(test_rejects),      cmocka_unit_test(test_depth),
        cmocka_unit_test(test_prefixes),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
